/*
 * test_validation.c — bad input found by hostile testing (issue 13 items 4
 * and 12) refused with exit 2 and one line, through the caseflow binary;
 * and the whole-scenario checks written once (issue 12), in the model,
 * reported at their key.
 *
 * Owns: distributions whose draws would not be finite or whose mean could
 * not be reached (lognormal sd = 1e300, gamma sd = 1e150) refused naming
 * the key, also when an override sets the parameter; override key paths
 * with empty parts (-s .key, key..x, key.) refused; an override that makes
 * unknown groups (-s a.b.c.d=5) named in the message; hexadecimal and
 * L-suffixed integers in overrides read as a file reads them; duplicate
 * scenario names in a study refused; model_params_explain saying which
 * part a finding is about.
 *
 * The binary is CASEFLOW_BIN (make test-unit sets it); without it the CLI
 * tests are skipped with a message saying so.
 */
#include "test_support.h"

#include <sys/wait.h>

#include "scenario/config.h"

typedef struct fixture {
    const char *bin;
    char dir[PATH_MAX], cfg[PATH_MAX];
    char stdout_path[PATH_MAX], stderr_path[PATH_MAX];
    char *stdout_text, *stderr_text;
} fixture;

/* line 4: the meeting length */
static const char base_cfg[] =
    "run: { replications = 2; seed = 3L; horizon_months = 12; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 8; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->bin = getenv("CASEFLOW_BIN");
    ts_make_temp_dir(fx->dir);
    snprintf(fx->cfg, sizeof fx->cfg, "%s/base.cfg", fx->dir);
    snprintf(fx->stdout_path, sizeof fx->stdout_path, "%s/stdout.txt", fx->dir);
    snprintf(fx->stderr_path, sizeof fx->stderr_path, "%s/stderr.txt", fx->dir);
    ts_write_file(fx->cfg, base_cfg, strlen(base_cfg));
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

static int run(fixture *fx, const char *args)
{
    ts_need_binary(fx->bin);
    char cmd[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "%s %s", fx->bin, args);
    int code = ts_shell_capture(NULL, cmd, fx->stdout_path, fx->stderr_path, &fx->stdout_text, &fx->stderr_text);
    ts_print_run(args, code, fx->stderr_text);
    return code;
}

/* `caseflow check BASE ARGS` exits 2 with one line holding each needle. */
static void expect_refused(fixture *fx, const char *args, const char *const *needles)
{
    char line[4 * PATH_MAX];
    snprintf(line, sizeof line, "check %s %s", fx->cfg, args);
    assert_int_equal(run(fx, line), 2);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, fx->cfg);
    for (; *needles; needles++)
        TS_ASSERT_CONTAINS(fx->stderr_text, *needles);
    assert_string_equal(fx->stdout_text, "");
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_distributions_with_unreachable_means(void **state)
{
    fixture *fx = *state;
    expect_refused(fx, "-s casework.meeting_hours.dist=lognormal -s casework.meeting_hours.sd=1e300",
                   NEEDLES(":4: casework.meeting_hours (with -s casework.meeting_hours.", "lognormal", "at most"));
    expect_refused(fx, "-s casework.meeting_hours.sd=1e150",
                   NEEDLES("casework.meeting_hours", "gamma", "at most"));
    expect_refused(fx, "-s casework.meeting_hours.sd=46",
                   NEEDLES(":4: casework.meeting_hours", "sd must be at most 30 times the mean"));
    expect_refused(fx, "-s casework.meeting_hours.dist=lognormal -s casework.meeting_hours.sd=151",
                   NEEDLES("casework.meeting_hours", "sd must be at most 100 times the mean"));
    expect_refused(fx, "-s casework.own_time_days.mean=1e300", NEEDLES("casework.own_time_days", "1e12"));
    /* in a file: its line */
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/skewed.cfg", fx->dir);
    char *text = strdup(base_cfg);
    memcpy(strstr(text, "sd = 0.5;"), "sd = 1e9;", 9);
    ts_write_file(path, text, strlen(text));
    free(text);
    char args[2 * PATH_MAX];
    snprintf(args, sizeof args, "check %s", path);
    assert_int_equal(run(fx, args), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "skewed.cfg:4: casework.meeting_hours: bad gamma distribution");
    /* at the bounds: accepted */
    snprintf(args, sizeof args, "check %s -s casework.meeting_hours.sd=45", fx->cfg);
    assert_int_equal(run(fx, args), 0);
}

static void test_override_paths(void **state)
{
    fixture *fx = *state;
    const char *empty[] = {".staff=1", "staff..workers=3", "staff.workers.=3", "staff.=3"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        char args[128], key[64];
        snprintf(args, sizeof args, "-s %s", empty[i]);
        snprintf(key, sizeof key, "-s %.*s:", (int)strcspn(empty[i], "="), empty[i]);
        expect_refused(fx, args, NEEDLES(key, "empty part in the key path"));
    }
    /* groups an override makes are named by it */
    expect_refused(fx, "-s a.b.c.d=5", NEEDLES("-s a.b.c.d", "a: unknown key"));
    expect_refused(fx, "-s staf.workers=5", NEEDLES("-s staf.workers", "did you mean 'staff'"));
    /* integers as a file writes them */
    char args[2 * PATH_MAX];
    snprintf(args, sizeof args, "check %s -s staff.workers=0x10 -s run.seed=0x2aL -s staff.caseload_cap=9L", fx->cfg);
    assert_int_equal(run(fx, args), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "workers = 16;");
    TS_ASSERT_CONTAINS(fx->stdout_text, "seed = 42L;");
    TS_ASSERT_CONTAINS(fx->stdout_text, "caseload_cap = 9;");
    expect_refused(fx, "-s staff.workers=0x", NEEDLES("-s staff.workers", "got a string"));
    expect_refused(fx, "-s staff.workers=0x1.8p1", NEEDLES("-s staff.workers", "got a number"));
}

static void test_duplicate_scenario_names(void **state)
{
    fixture *fx = *state;
    const char *studies[] = {
        "study: { base = \"base.cfg\";\n  scenarios = ( { name = \"a\"; set = [\"staff.workers=3\"]; },\n"
        "                { name = \"a\"; set = [\"staff.workers=4\"]; } ); };\n",
        "study: { base = \"base.cfg\";\n  scenarios = ( { name = \"base\"; set = [\"staff.workers=3\"]; } ); };\n",
        "study: { base = \"base.cfg\";\n  grid = ( { key = \"staff.workers\"; values = [3, 3]; } ); };\n",
    };
    const char *names[] = {"'a'", "'base'", "'workers=3'"};
    char path[PATH_MAX + 16], args[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/study.cfg", fx->dir);
    snprintf(args, sizeof args, "check %s", path);
    for (size_t i = 0; i < 3; i++) {
        ts_write_file(path, studies[i], strlen(studies[i]));
        assert_int_equal(run(fx, args), 2);
        assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
        TS_ASSERT_CONTAINS(fx->stderr_text, "study.cfg:");
        TS_ASSERT_CONTAINS(fx->stderr_text, names[i]);
        TS_ASSERT_CONTAINS(fx->stderr_text, "used twice");
    }
    /* a grid whose names must be cut stays unique */
    const char *long_keys =
        "study: { base = \"base.cfg\";\n  grid = ( { key = \"staff.meeting_hours_per_day\"; values = [2.5, 3.5]; },\n"
        "    { key = \"casework.own_time_days.mean\"; values = [7, 8] },\n"
        "    { key = \"exits.probability_per_meeting\"; values = [0.2, 0.25] } ); };\n";
    ts_write_file(path, long_keys, strlen(long_keys));
    assert_int_equal(run(fx, args), 0);
}

/* The whole-scenario checks live in the model; a reader of files learns
 * which part a finding is about, so it can name the key. */
static void test_model_explains_its_findings(void **state)
{
    (void)state;
    config_scenario sc;
    config_error err;
    if (config_load_text(&sc, "base.cfg", base_cfg, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    model_params p = sc.model;
    model_problem pr;
    assert_int_equal(model_params_explain(&p, &pr), 0);
    assert_null(model_params_check(&p));
    p.warmup_months = 12;
    assert_int_equal(model_params_explain(&p, &pr), -1);
    assert_int_equal(pr.part, MODEL_PART_WARMUP);
    TS_ASSERT_CONTAINS(pr.why, "fewer months than run.horizon_months (12), got 12");
    assert_non_null(model_params_check(&p));
    p = sc.model;
    p.cap_by_need = 1;
    p.profiles = 1;
    snprintf(p.profile[0].name, sizeof p.profile[0].name, "heavy");
    p.profile[0].need = 9;
    assert_int_equal(model_params_explain(&p, &pr), -1);
    assert_int_equal(pr.part, MODEL_PART_CASELOAD_CAP);
    TS_ASSERT_CONTAINS(pr.why, "caseload cap 8 is below the need 9 of profile 'heavy'");
    config_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_distributions_with_unreachable_means, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_scenario_names, setup, teardown),
        cmocka_unit_test(test_model_explains_its_findings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
