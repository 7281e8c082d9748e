/*
 * test_keys.c — the key reference and `caseflow check`, run as a separate
 * process: `caseflow keys --json` in the agreed format (checked field by
 * field with /usr/bin/python3's json module), `caseflow keys` (optional
 * keys not called required, list and group sections' members as rows,
 * configs/README.md's table equal to it), and `caseflow check` printing
 * shortest round-trip numbers and, on a study, each scenario's resolved
 * differences from the base.
 *
 * The binary is the one named by CASEFLOW_BIN (make test-unit sets it);
 * without it every test is skipped with a message saying so.
 */
#include "test_support.h"

#include <sys/wait.h>

typedef struct fixture {
    const char *bin;
    char dir[PATH_MAX];
    char stdout_path[PATH_MAX], stderr_path[PATH_MAX];
    char *stdout_text, *stderr_text;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->bin = getenv("CASEFLOW_BIN");
    ts_make_temp_dir(fx->dir);
    snprintf(fx->stdout_path, sizeof fx->stdout_path, "%s/stdout.txt", fx->dir);
    snprintf(fx->stderr_path, sizeof fx->stderr_path, "%s/stderr.txt", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    free(fx->stdout_text);
    free(fx->stderr_text);
    ts_remove_tree(fx->dir);
    free(fx);
    return 0;
}

/* Runs a command line through the shell, stdout and stderr captured; the
 * exit status, or a failure when it did not exit normally. */
static int shell(fixture *fx, const char *cmdline)
{
    return ts_shell_capture(NULL, cmdline, fx->stdout_path, fx->stderr_path, &fx->stdout_text, &fx->stderr_text);
}

static int run(fixture *fx, const char *args)
{
    ts_need_binary(fx->bin);
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "%s %s", fx->bin, args);
    int code = shell(fx, cmd);
    print_message("  caseflow %s -> %d\n", args, code);
    return code;
}

/* Checks the JSON file argv[1] against the format in the brief; prints
 * what is wrong and exits 1. */
static const char json_check[] =
    "import json, sys\n"
    "d = json.load(open(sys.argv[1]))\n"
    "bad = []\n"
    "def want(c, what):\n"
    "    if not c: bad.append(what)\n"
    "want(d.get('format') == 'caseflow-keys' and d.get('version') == 1, 'format/version')\n"
    "names = [s['name'] for s in d['sections']]\n"
    "for s in d['sections']:\n"
    "    want(isinstance(s['help'], str) and s['help'] and isinstance(s['list'], bool), 'section ' + s['name'])\n"
    "fields = ['key', 'section', 'type', 'required', 'default', 'min', 'max', 'unit', 'help', 'choices', 'item_of']\n"
    "keys = {k['key']: k for k in d['keys']}\n"
    "want(len(keys) == len(d['keys']), 'keys listed twice')\n"
    "for k in d['keys']:\n"
    "    n = k['key']\n"
    "    want(all(f in k for f in fields), n + ': fields')\n"
    "    want(k['type'] in ('int', 'float', 'bool', 'string', 'array', 'list', 'group'), n + ': type')\n"
    "    want(k['section'] in names and n.split('.')[0] == k['section'], n + ': section')\n"
    "    want(isinstance(k['required'], bool), n + ': required')\n"
    "    want(isinstance(k['unit'], str) and isinstance(k['help'], str) and k['help'] and '\\n' not in k['help'],\n"
    "         n + ': unit/help')\n"
    "    if k['item_of'] is None:\n"
    "        want('[]' not in n, n + ': item_of missing')\n"
    "    else:\n"
    "        want(n.startswith(k['item_of'] + '.[].') and '[]' not in n[len(k['item_of']) + 4:], n + ': item_of')\n"
    "        want(k['item_of'].replace('.[]', '') in keys or k['item_of'] in keys, n + ': item_of names no key')\n"
    "    if k['type'] in ('int', 'float'):\n"
    "        want(isinstance(k['min'], (int, float)) and isinstance(k['max'], (int, float)) and k['min'] <= k['max'],\n"
    "             n + ': range')\n"
    "        if k['default'] is not None:\n"
    "            want(k['min'] <= k['default'] <= k['max'], n + ': default out of range')\n"
    "    else:\n"
    "        want(k['min'] is None and k['max'] is None, n + ': range of a non-number')\n"
    "    if k['choices'] is not None:\n"
    "        want(k['default'] is None or k['default'] in k['choices'], n + ': default not a choice')\n"
    "    want(not k['required'] or k['default'] is None, n + ': required with a default')\n"
    "def has(n, **f):\n"
    "    k = keys.get(n)\n"
    "    want(k is not None and all(k[a] == b for a, b in f.items()), n + ': ' + repr(f) + ' got ' + repr(k))\n"
    "has('run.horizon_months', type='int', required=True, default=None, min=1, max=1200, unit='months')\n"
    "has('staff.meeting_hours_per_day', type='float', required=False, default=4, max=24, item_of=None)\n"
    "has('staff.caseload_cap', type='int', required=False, section='staff')\n"
    "has('waiting.policy', type='string', default='fifo', choices=['fifo', 'priority'])\n"
    "has('waiting.patience_days', type='group', required=False, default=None)\n"
    "has('exits.good', type='array', required=False)\n"
    "has('sources', type='list', item_of=None)\n"
    "has('sources.[].rate_per_month', type='float', item_of='sources', min=0, unit='referrals/month')\n"
    "has('sources.[].kind', type='string', choices=['poisson', 'quota'], default='poisson')\n"
    "has('staff.teams.[].members', type='list', item_of='staff.teams')\n"
    "has('staff.teams.[].members.[].count', type='int', item_of='staff.teams.[].members', default=1)\n"
    "has('staff.roles.[].decides', type='bool', default=False)\n"
    "has('targets.[].kind', type='string', required=True, choices=['enrolled', 'exits', 'share'])\n"
    "has('method.pressure.cap_increase', type='float', item_of=None, default=0)\n"
    "has('money.discount_rate', type='float', section='money', default=0)\n"
    "has('money.horizons_years', type='array', default=[1, 5])\n"
    "for s in ('staff', 'sources', 'money', 'targets', 'method'):\n"
    "    want(s in names, 'section ' + s)\n"
    "want(d['sections'][names.index('sources')]['list'] and not d['sections'][names.index('staff')]['list'], 'list')\n"
    "md = [l.split('|')[1].strip().strip('`') for l in open(sys.argv[2]) if l.startswith('| `')]\n"
    "want(md == [k['key'] for k in d['keys']], 'caseflow keys lists other keys than --json')\n"
    "for b in bad: print(b)\n"
    "sys.exit(1 if bad else 0)\n";

static void test_keys_json(void **state)
{
    fixture *fx = *state;
    char json[PATH_MAX], md[PATH_MAX], script[PATH_MAX], cmd[4 * PATH_MAX];
    snprintf(json, sizeof json, "%s/keys.json", fx->dir);
    snprintf(md, sizeof md, "%s/keys.md", fx->dir);
    snprintf(script, sizeof script, "%s/check.py", fx->dir);
    assert_int_equal(run(fx, "keys --json"), 0);
    assert_string_equal(fx->stderr_text, "");
    ts_write_file(json, fx->stdout_text, strlen(fx->stdout_text));
    assert_int_equal(run(fx, "keys"), 0);
    ts_write_file(md, fx->stdout_text, strlen(fx->stdout_text));
    ts_write_file(script, json_check, strlen(json_check));
    if (access("/usr/bin/python3", X_OK) != 0)
        fail_msg("/usr/bin/python3 is needed to check the JSON");
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %s", script, json, md);
    int rc = shell(fx, cmd);
    if (rc != 0)
        fail_msg("keys --json: %s%s", fx->stdout_text, fx->stderr_text);
    /* anything else after keys is a usage error */
    assert_int_equal(run(fx, "keys --jsn"), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "--jsn");
}

/* The Markdown row of key in text, or fails. */
static char *row_of(const char *text, const char *key)
{
    char head[256];
    snprintf(head, sizeof head, "| `%s` |", key);
    const char *at = strstr(text, head);
    if (!at)
        fail_msg("caseflow keys has no row for %s", key);
    size_t len = strcspn(at, "\n");
    char *row = malloc(len + 1);
    memcpy(row, at, len);
    row[len] = '\0';
    return row;
}

/* Cell c (0-based) of a Markdown row, bars escaped as \| kept inside. */
static void cell(const char *row, int c, char *out, size_t size)
{
    const char *p = row + 1;
    for (int i = 0; i < c; i++) {
        while (*p && !(*p == '|' && p[-1] != '\\'))
            p++;
        p++;
    }
    while (*p == ' ')
        p++;
    size_t n = 0;
    while (p[n] && !(p[n] == '|' && p[n - 1] != '\\'))
        n++;
    while (n > 0 && p[n - 1] == ' ')
        n--;
    snprintf(out, size, "%.*s", (int)n, p);
}

static void test_keys_markdown(void **state)
{
    fixture *fx = *state;
    assert_int_equal(run(fx, "keys"), 0);
    const char *text = fx->stdout_text;
    /* every row has five cells (a bar in a text is escaped) */
    for (const char *line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0)) {
        int bars = 0;
        for (const char *c = line; *c && *c != '\n'; c++)
            bars += *c == '|' && (c == line || c[-1] != '\\');
        if (bars != 6)
            fail_msg("a row with %d cells: %.*s", bars - 1, (int)strcspn(line, "\n"), line);
    }
    /* optional keys are not called required */
    const char *optional[] = {"waiting.patience_days", "exits.good", "exits.destinations", "money",
                              "sources.[].rate_per_month"};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        char *row = row_of(text, optional[i]), d[128];
        cell(row, 3, d, sizeof d);
        if (strstr(d, "required") == d && strcmp(d, "required") == 0)
            fail_msg("%s: default column says required", optional[i]);
        assert_string_equal(d, "none");
        free(row);
    }
    char *row = row_of(text, "staff.caseload_cap"), d[128];
    cell(row, 3, d, sizeof d);
    assert_string_equal(d, "required unless `staff.roles`");
    free(row);
    row = row_of(text, "run.horizon_months");
    cell(row, 3, d, sizeof d);
    assert_string_equal(d, "required");
    free(row);
    /* list and group sections' members are rows of their own */
    const char *members[] = {"money.discount_rate", "money.staff.[].cost_per_fte_year", "targets.[].kind",
                             "targets.[].deadline_month", "method.pressure.target", "method.pressure.cap_increase",
                             "sources.[].schedule.[].value", "staff.teams.[].members.[].fte"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        free(row_of(text, members[i]));
    row = row_of(text, "staff.teams.[].members.[].fte");
    cell(row, 1, d, sizeof d);
    assert_string_equal(d, "a number > 0 and <= 1 (FTE)");
    cell(row, 3, d, sizeof d);
    assert_string_equal(d, "1.0");
    free(row);

    /* configs/README.md shows this very table */
    char readme_path[PATH_MAX];
    ts_source_path("configs/README.md", readme_path);
    char *readme = ts_read_file(readme_path, NULL);
    assert_non_null(readme);
    const char *table = strstr(readme, "| key | type | unit | default | meaning |");
    assert_non_null(table);
    if (strncmp(table, text, strlen(text)) != 0)
        fail_msg("configs/README.md's key table differs from `caseflow keys`; paste its output there");
    free(readme);
}

static const char check_base[] =
    "run: { replications = 2; seed = 3L; horizon_months = 12; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 8; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.1; sd = 0.3; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.08; shares = { work = 0.7; other = 0.3; }; };\n";

static void test_check_numbers_and_study_differences(void **state)
{
    fixture *fx = *state;
    char base[PATH_MAX], study_path[PATH_MAX], args[3 * PATH_MAX];
    snprintf(base, sizeof base, "%s/base.cfg", fx->dir);
    snprintf(study_path, sizeof study_path, "%s/study.cfg", fx->dir);
    ts_write_file(base, check_base, strlen(check_base));
    snprintf(args, sizeof args, "check %s -s exits.shares.work=0.1 -s exits.shares.other=0.9", base);
    assert_int_equal(run(fx, args), 0);
    /* shortest round-trip numbers, floats with a point */
    TS_ASSERT_CONTAINS(fx->stdout_text, "probability_per_meeting = 0.08;");
    TS_ASSERT_CONTAINS(fx->stdout_text, "{ dist = \"gamma\"; mean = 1.1; sd = 0.3; }");
    TS_ASSERT_CONTAINS(fx->stdout_text, "shares = { work = 0.1; other = 0.9; }");
    TS_ASSERT_CONTAINS(fx->stdout_text, "rate_per_month = 15.0;");
    TS_ASSERT_NOT_CONTAINS(fx->stdout_text, "0.0800000");
    TS_ASSERT_NOT_CONTAINS(fx->stdout_text, "1.1000000");
    /* the printed scenario loads back as the same scenario */
    char again[PATH_MAX];
    snprintf(again, sizeof again, "%s/again.cfg", fx->dir);
    ts_write_file(again, fx->stdout_text, strlen(fx->stdout_text));
    char *first = strdup(fx->stdout_text);
    snprintf(args, sizeof args, "check %s", again);
    assert_int_equal(run(fx, args), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "probability_per_meeting = 0.08;");
    assert_string_equal(strchr(fx->stdout_text, '\n'), strchr(first, '\n'));
    free(first);

    const char study_text[] =
        "study: { base = \"base.cfg\";\n"
        "  scenarios = ( { name = \"slow\"; set = [\"casework.meeting_hours.mean=1.35\", \"staff.workers=3\"]; },\n"
        "                { name = \"same\"; set = [\"staff.workers=2\"]; } );\n"
        "  grid = ( { key = \"exits.probability_per_meeting\"; values = [0.1] } );\n"
        "};\n";
    ts_write_file(study_path, study_text, strlen(study_text));
    snprintf(args, sizeof args, "check %s", study_path);
    assert_int_equal(run(fx, args), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "# 3 more scenarios");
    TS_ASSERT_CONTAINS(fx->stdout_text, "# scenario 1 'slow':\n"
                                        "#   staff.workers = 3  (base: 2)\n"
                                        "#   casework.meeting_hours.mean = 1.35  (base: 1.1)\n");
    TS_ASSERT_CONTAINS(fx->stdout_text, "# scenario 2 'same': nothing (the same scenario as the base)\n");
    TS_ASSERT_CONTAINS(fx->stdout_text, "#   exits.probability_per_meeting = 0.1  (base: 0.08)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_markdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_numbers_and_study_differences, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
