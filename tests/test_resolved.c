/*
 * test_resolved.c — the resolved parameters: config_resolve's keys, names
 * and texts, and the /resolved group of the HDF5 file (docs/OUTPUT.md)
 * read back with the HDF5 C API.
 *
 * Owns: a key left unset holds its schema default (is_default 1), a -s
 * override's value is what the file holds, every study scenario holds its
 * own value (and "" / NaN for a key only another scenario has), numbers are
 * written in shortest round-trip form (0.08), list items are named by name
 * or index; a merge of task files carries /resolved unchanged.
 */
#include "test_support.h"

#include <hdf5.h>

#include "output/h5out.h"
#include "output/h5resolved.h"
#include "output/merge.h"
#include "scenario/study.h"
#include "output/results.h"
#include "app/runner.h"

/* meeting_hours_per_day is left to its default (4.0). */
static const char base_text[] =
    "run: { replications = 2; seed = 7L; horizon_months = 12; warmup_months = 0; };\n"
    "referrals: { rate_per_month = 20.0; };\n"
    "staff: { workers = 3; caseload_cap = 6; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 10.0; }; };\n"
    "exits: { probability_per_meeting = 0.08;\n"
    "         shares = { work = 0.3; studies = 0.2; dropout = 0.5; }; };\n";

static const char study_text[] =
    "study: { base = \"base.cfg\";\n"
    "  scenarios = ( { name = \"patient\"; set = [\"waiting.patience_days.dist=exponential\",\n"
    "                                            \"waiting.patience_days.mean=30\"]; } );\n"
    "  grid = ( { key = \"staff.caseload_cap\"; values = [5, 9]; } );\n"
    "};\n";

typedef struct fixture {
    char dir[PATH_MAX], base[PATH_MAX], study[PATH_MAX];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    ts_make_temp_dir(fx->dir);
    snprintf(fx->base, sizeof fx->base, "%s/base.cfg", fx->dir);
    snprintf(fx->study, sizeof fx->study, "%s/study.cfg", fx->dir);
    ts_write_file(fx->base, base_text, strlen(base_text));
    ts_write_file(fx->study, study_text, strlen(study_text));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ts_remove_tree(fx->dir);
    free(fx);
    return 0;
}

static void load_study(study *st, const char *path, const char *const *ov, int n_ov)
{
    config_error err;
    if (study_load(st, path, ov, n_ov, &err) != 0)
        fail_msg("study_load: %s", err.message);
}

/* Trials [first, first + count) of st into path, as a task (or the whole
 * run with task 0 of 1). */
static void run_slice(const study *st, uint64_t first, uint64_t count, int task, int tasks, const char *path)
{
    h5out_meta meta = {"test", "test-revision", st, first, count, task, tasks};
    char err[1024];
    h5out *out = h5out_create(path, &meta, err, sizeof err);
    if (!out)
        fail_msg("h5out_create: %s", err);
    runner_options opt = {.threads = 1, .progress = 0};
    runner_totals totals;
    if (runner_run(st, first, count, &opt, out, &totals, err, sizeof err) != 0) {
        h5out_abort(out);
        fail_msg("runner_run: %s", err);
    }
    runner_totals_free(&totals);
    if (h5out_finish(out, err, sizeof err) != 0)
        fail_msg("h5out_finish: %s", err);
}

/* /resolved of a file, read back. */
typedef struct table {
    size_t keys;
    int scenarios;
    char **key;
    char **text;  /* scenarios x keys */
    double *value;
    unsigned char *is_default;
    int version;
} table;

static void read_table(const char *path, table *t)
{
    memset(t, 0, sizeof *t);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("cannot open %s", path);
    hid_t g = H5Gopen2(f, "/resolved", H5P_DEFAULT);
    if (g < 0)
        fail_msg("%s has no /resolved", path);
    hid_t a = H5Aopen(g, "format_version", H5P_DEFAULT);
    assert_true(a >= 0 && H5Aread(a, H5T_NATIVE_INT, &t->version) >= 0);
    H5Aclose(a);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    hid_t keys = H5Dopen2(g, "keys", H5P_DEFAULT), text = H5Dopen2(g, "text", H5P_DEFAULT);
    hid_t value = H5Dopen2(g, "value", H5P_DEFAULT), dflt = H5Dopen2(g, "is_default", H5P_DEFAULT);
    hsize_t dims[2] = {0, 0};
    hid_t space = H5Dget_space(text);
    assert_int_equal(H5Sget_simple_extent_ndims(space), 2);
    H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    t->scenarios = (int)dims[0];
    t->keys = (size_t)dims[1];
    /* The file's string type is variable-length UTF-8. */
    hid_t file_type = H5Dget_type(text);
    assert_true(H5Tis_variable_str(file_type) > 0);
    assert_int_equal(H5Tget_cset(file_type), H5T_CSET_UTF8);
    H5Tclose(file_type);
    size_t cells = (size_t)t->scenarios * t->keys;
    t->key = calloc(t->keys, sizeof *t->key);
    t->text = calloc(cells, sizeof *t->text);
    t->value = calloc(cells, sizeof *t->value);
    t->is_default = calloc(cells, 1);
    assert_true(H5Dread(keys, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->key) >= 0);
    assert_true(H5Dread(text, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->text) >= 0);
    assert_true(H5Dread(value, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->value) >= 0);
    assert_true(H5Dread(dflt, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->is_default) >= 0);
    H5Dclose(keys);
    H5Dclose(text);
    H5Dclose(value);
    H5Dclose(dflt);
    H5Tclose(str);
    H5Gclose(g);
    H5Fclose(f);
}

static void free_table(table *t)
{
    /* The strings were allocated by HDF5's default (malloc) allocator. */
    for (size_t k = 0; k < t->keys; k++)
        free(t->key[k]);
    for (size_t i = 0; i < (size_t)t->scenarios * t->keys; i++)
        free(t->text[i]);
    free(t->key);
    free(t->text);
    free(t->value);
    free(t->is_default);
}

static size_t column(const table *t, const char *key)
{
    for (size_t k = 0; k < t->keys; k++)
        if (strcmp(t->key[k], key) == 0)
            return k;
    fail_msg("/resolved has no key %s", key);
    return 0;
}

static void expect(const table *t, int s, const char *key, const char *text, double value, int is_default)
{
    size_t k = column(t, key);
    size_t at = (size_t)s * t->keys + k;
    if (strcmp(t->text[at], text) != 0)
        fail_msg("scenario %d: %s text \"%s\", expected \"%s\"", s, key, t->text[at], text);
    TS_ASSERT_SAME_DOUBLE(t->value[at], value);
    assert_int_equal(t->is_default[at], is_default);
}

static void test_plain_run_defaults_and_overrides(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/plain.h5", fx->dir);
    study st;
    const char *ov[] = {"staff.caseload_cap=7", "referrals.rate_per_month=12.5"};
    load_study(&st, fx->base, ov, 2);
    run_slice(&st, 0, study_trial_count(&st), 0, 1, path);
    study_free(&st);
    table t;
    read_table(path, &t);
    assert_int_equal(t.version, H5RESOLVED_FORMAT_VERSION);
    assert_int_equal(t.scenarios, 1);
    /* schema order: run.* first */
    assert_string_equal(t.key[0], "run.replications");
    /* -s values, not the file's */
    expect(&t, 0, "staff.caseload_cap", "7", 7, 0);
    expect(&t, 0, "referrals.rate_per_month", "12.5", 12.5, 0);
    /* the file's values, numbers shortest, floats keep their point */
    expect(&t, 0, "exits.probability_per_meeting", "0.08", 0.08, 0);
    expect(&t, 0, "staff.workers", "3", 3, 0);
    expect(&t, 0, "casework.meeting_hours.dist", "\"gamma\"", NAN, 0);
    expect(&t, 0, "casework.meeting_hours.mean", "1.5", 1.5, 0);
    expect(&t, 0, "exits.shares.dropout", "0.5", 0.5, 0);
    expect(&t, 0, "run.seed", "7", 7, 0);
    /* unset: the schema's default, flagged */
    expect(&t, 0, "staff.meeting_hours_per_day", "4.0", 4, 1);
    expect(&t, 0, "waiting.policy", "\"fifo\"", NAN, 1);
    /* a key of an optional section that is off is not listed */
    for (size_t k = 0; k < t.keys; k++)
        assert_true(strncmp(t.key[k], "staff.turnover.", 15) != 0);
    free_table(&t);
}

static void test_study_scenarios_and_merge(void **state)
{
    fixture *fx = *state;
    char whole[PATH_MAX], parts[2][PATH_MAX], merged[PATH_MAX];
    snprintf(whole, sizeof whole, "%s/whole.h5", fx->dir);
    snprintf(merged, sizeof merged, "%s/merged.h5", fx->dir);
    study st;
    load_study(&st, fx->study, NULL, 0);
    assert_int_equal(st.scenario_count, 4); /* base, patient, cap 5, cap 9 */
    uint64_t total = study_trial_count(&st);
    run_slice(&st, 0, total, 0, 1, whole);
    for (int i = 0; i < 2; i++) {
        snprintf(parts[i], sizeof parts[i], "%s/task-%d.h5", fx->dir, i);
        uint64_t first, count;
        study_slice(total, i, 2, &first, &count);
        run_slice(&st, first, count, i, 2, parts[i]);
    }
    study_free(&st);
    table t;
    read_table(whole, &t);
    assert_int_equal(t.scenarios, 4);
    const double caps[] = {6, 6, 5, 9};
    const char *cap_texts[] = {"6", "6", "5", "9"};
    for (int s = 0; s < 4; s++)
        expect(&t, s, "staff.caseload_cap", cap_texts[s], caps[s], 0);
    /* a key only the named scenario has: empty and NaN elsewhere, and it
     * comes after the key it follows there (schema order) */
    expect(&t, 1, "waiting.patience_days.mean", "30", 30, 0);
    expect(&t, 1, "waiting.patience_days.dist", "\"exponential\"", NAN, 0);
    for (int s = 0; s < 4; s += s == 0 ? 2 : 1)
        expect(&t, s, "waiting.patience_days.mean", "", NAN, 0);
    assert_true(column(&t, "waiting.patience_days.dist") == column(&t, "waiting.policy") + 1);

    /* merged task files carry the same table */
    const char *paths[] = {parts[0], parts[1]};
    char err[1024];
    if (merge_files(merged, paths, 2, 0, err, sizeof err) != CF_EXIT_OK)
        fail_msg("merge: %s", err);
    table m;
    read_table(merged, &m);
    assert_int_equal(m.keys, t.keys);
    assert_int_equal(m.scenarios, t.scenarios);
    for (size_t k = 0; k < t.keys; k++)
        assert_string_equal(m.key[k], t.key[k]);
    for (size_t i = 0; i < t.keys * (size_t)t.scenarios; i++) {
        assert_string_equal(m.text[i], t.text[i]);
        TS_ASSERT_SAME_DOUBLE(m.value[i], t.value[i]);
        assert_int_equal(m.is_default[i], t.is_default[i]);
    }
    free_table(&m);
    free_table(&t);
}

/* List items are named by their name (or role), else by index; defaults of
 * item members are listed too. */
static void test_list_items_are_named(void **state)
{
    (void)state;
    const char *text =
        "run: { replications = 2; seed = 7L; horizon_months = 12; };\n"
        "staff: { meeting_hours_per_day = 3.0;\n"
        "  roles = ( { name = \"coach\"; caseload_cap = 20.0; } );\n"
        "  teams = ( { name = \"lag1\"; members = ( { role = \"coach\"; count = 2; },\n"
        "                                            { role = \"coach\"; count = 1; start_month = 6.0; } ); } ); };\n"
        "sources = ( { name = \"kommun\"; rate_per_month = 8.0; },\n"
        "            { name = \"two words\"; schedule = ( { month = 0.0; value = 2.0; }, { month = 6.0; value = 4.0; } ); } );\n"
        "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
        "            own_time_days = { dist = \"exponential\"; mean = 10.0; }; };\n"
        "exits: { probability_per_meeting = 0.1; shares = { work = 1.0; }; good = [\"work\"]; };\n";
    config_scenario sc;
    config_error err;
    if (config_load_text(&sc, "items.cfg", text, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    config_resolved r;
    assert_int_equal(config_resolve(&sc, &r, &err), 0);
    const struct {
        const char *key, *text;
        int is_default;
    } want[] = {
        {"sources.kommun.rate_per_month", "8.0", 0},
        {"sources.kommun.kind", "\"poisson\"", 1},
        {"sources.kommun.replacement", "0", 1},
        {"sources.[1].schedule.[1].value", "4.0", 0},
        {"sources.[1].name", "\"two words\"", 0},
        {"staff.roles.coach.caseload_cap", "20.0", 0},
        {"staff.roles.coach.decides", "false", 1},
        /* two member groups of one role: known by index */
        {"staff.teams.lag1.members.[0].count", "2", 0},
        {"staff.teams.lag1.members.[1].start_month", "6.0", 0},
        {"staff.teams.lag1.members.[0].fte", "1.0", 1},
        {"exits.good", "[\"work\"]", 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const config_resolved_key *k = config_resolved_find(&r, want[i].key);
        if (!k)
            fail_msg("no resolved key %s", want[i].key);
        assert_string_equal(k->text, want[i].text);
        assert_int_equal(k->is_default, want[i].is_default);
    }
    /* every key is listed once */
    for (size_t i = 0; i < r.count; i++)
        for (size_t j = i + 1; j < r.count; j++)
            if (strcmp(r.keys[i].key, r.keys[j].key) == 0)
                fail_msg("%s listed twice", r.keys[i].key);
    config_resolved_free(&r);
    config_scenario_free(&sc);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain_run_defaults_and_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_study_scenarios_and_merge, setup, teardown),
        cmocka_unit_test(test_list_items_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
