/*
 * test_sensitivity.c — the sensitivity study kind end to end: the design
 * the study file expands into, the indices of a model run (a key the model
 * never reads gets indices whose intervals hold 0; a key that alone drives
 * the outcome gets a total index near 1), the file's /sensitivity agreeing
 * between one run and merged task files, the whole-study table against
 * study.reference, and the money lines of a costs-only study.
 *
 * The key that provably does nothing: profiles.all.female_share with a
 * single profile. It only decides the sex written into each participant's
 * record; the uniform behind it is drawn whatever its value, so under
 * common random numbers every scenario differing only in it has exactly the
 * same trajectories, and its indices are exactly 0.
 */
#include "test_support.h"
#include "test_spawn.h"

#include <hdf5.h>

#include "app/runner.h"
#include "output/results.h"
#include "output/sensitivity.h"
#include "scenario/study.h"

static const char base_text[] =
    "run: { replications = 1; seed = 99L; horizon_months = 36; warmup_months = 6; };\n"
    "sources = ( { name = \"af\"; rate_per_month = 20.0; profiles = { all = 1.0; }; } );\n"
    "profiles = ( { name = \"all\"; } );\n"
    "staff: { workers = 8; caseload_cap = 20; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 14.0; }; };\n"
    "exits: { probability_per_meeting = 0.1; shares = { work = 0.4; other = 0.6; }; };\n";

static const char sens_text[] =
    "study: { base = \"base.cfg\";\n"
    "  sensitivity = { n = 64; seed = 3;\n"
    "    keys = ( { key = \"sources.af.rate_per_month\"; min = 10; max = 30; },\n"
    "             { key = \"profiles.all.female_share\"; min = 0.2; max = 0.8; } );\n"
    "    metrics = [ \"utilisation\" ]; }; };\n";

typedef struct fixture {
    char dir[PATH_MAX], base[PATH_MAX], study[PATH_MAX];
} fixture;

static void fixture_make(fixture *fx, const char *study_text)
{
    ts_make_temp_dir(fx->dir);
    snprintf(fx->base, sizeof fx->base, "%s/base.cfg", fx->dir);
    snprintf(fx->study, sizeof fx->study, "%s/study.cfg", fx->dir);
    ts_write_file(fx->base, base_text, strlen(base_text));
    ts_write_file(fx->study, study_text, strlen(study_text));
}

static void load_ok(study *st, const char *path)
{
    config_error err;
    if (study_load(st, path, NULL, 0, &err) != 0)
        fail_msg("study_load: %s", err.message);
}

static void load_fails(const char *study_text, const char *expected)
{
    fixture fx;
    fixture_make(&fx, study_text);
    study st;
    config_error err;
    assert_int_equal(study_load(&st, fx.study, NULL, 0, &err), -1);
    TS_ASSERT_CONTAINS(err.message, expected);
    ts_remove_tree(fx.dir);
}

/* Block j is A, B, AB1, AB2: AB_i takes key i from B and the rest from A. */
static void test_design_becomes_the_scenarios(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, sens_text);
    study st;
    load_ok(&st, fx.study);
    assert_int_equal(st.sensitivity.enabled, 1);
    assert_int_equal(st.scenario_count, 1 + 64 * 4);
    assert_int_equal(st.sensitivity.first_scenario, 1);
    assert_string_equal(st.scenarios[1].name, "sobol0.A");
    assert_string_equal(st.scenarios[4].name, "sobol0.AB2");
    assert_int_equal(st.param_count, 2);
    for (int j = 0; j < 64; j++) {
        const double *a = &st.param_values[(1 + 4 * j) * 2], *b = a + 2, *ab1 = a + 4, *ab2 = a + 6;
        assert_true(a[0] >= 10 && a[0] <= 30 && a[1] >= 0.2 && a[1] <= 0.8);
        TS_ASSERT_SAME_DOUBLE(ab1[0], b[0]);
        TS_ASSERT_SAME_DOUBLE(ab1[1], a[1]);
        TS_ASSERT_SAME_DOUBLE(ab2[0], a[0]);
        TS_ASSERT_SAME_DOUBLE(ab2[1], b[1]);
    }
    study_free(&st);
    ts_remove_tree(fx.dir);
}

static void test_bad_sensitivity_and_reference_fail_clearly(void **state)
{
    (void)state;
    load_fails("study: { base = \"base.cfg\"; sensitivity = { n = 4; keys = ( { key = \"staff.workers\"; min = 1; "
               "max = 2; } ); metrics = [\"utilisation\"]; spread = 2; }; };\n",
               "unknown key 'spread'");
    load_fails("study: { base = \"base.cfg\"; sensitivity = { n = 4; keys = ( { key = \"staff.caseload_cap\"; min = 3; "
               "max = 2; } ); metrics = [\"utilisation\"]; }; };\n",
               "min < max");
    load_fails("study: { base = \"base.cfg\"; grid = ( { key = \"staff.workers\"; values = [8, 9]; } );\n"
               "  sensitivity = { n = 4; keys = ( { key = \"staff.caseload_cap\"; min = 10; max = 20; } ); "
               "metrics = [\"utilisation\"]; }; };\n",
               "no scenarios, grid or lhs beside it");
    load_fails("study: { base = \"base.cfg\"; reference = \"workers=10\";\n"
               "  grid = ( { key = \"staff.workers\"; values = [8, 9]; } ); };\n",
               "no scenario is named 'workers=10'");
}

/* Grid values print as the shortest text that reads back: 0.15, not
 * 0.14999999999999999; the reference is found by that name. */
static void test_grid_names_are_shortest_round_trip(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, "study: { base = \"base.cfg\"; reference = \"probability_per_meeting=0.15\";\n"
                      "  grid = ( { key = \"exits.probability_per_meeting\"; values = [0.05, 0.15, 0.3]; } ); };\n");
    study st;
    load_ok(&st, fx.study);
    assert_string_equal(st.scenarios[2].name, "probability_per_meeting=0.15");
    TS_ASSERT_CONTAINS(st.scenarios[2].settings, "exits.probability_per_meeting=0.15\n");
    assert_int_equal(st.reference, 2);
    assert_string_equal(st.reference_name, "probability_per_meeting=0.15");
    study_free(&st);
    ts_remove_tree(fx.dir);
}

static void indices_of(const char *study_text, sensitivity_result *r)
{
    fixture fx;
    fixture_make(&fx, study_text);
    study st;
    load_ok(&st, fx.study);
    runner_totals t;
    memset(&t, 0, sizeof t);
    runner_options opt = {.threads = 2, .progress = 0};
    char err[512];
    if (runner_run(&st, 0, study_trial_count(&st), &opt, NULL, &t, err, sizeof err) != 0)
        fail_msg("runner_run: %s", err);
    results_summary *sum;
    results_difference *diff;
    size_t ns, nd;
    assert_int_equal(results_summarise(t.rows, t.row_count, st.scenario_count, &st.scenarios[0].sc.model, 1, &sum,
                                       &ns, &diff, &nd),
                     0);
    if (sensitivity_compute(&st.sensitivity, sum, ns, st.scenario_count, r, err, sizeof err) != 0)
        fail_msg("sensitivity_compute: %s", err);
    free(sum);
    free(diff);
    runner_totals_free(&t);
    study_free(&st);
    ts_remove_tree(fx.dir);
}

/* Utilisation depends on the referral rate alone here (the other key is the
 * no-op): the rate's total index is 1 within its bootstrap interval, and the
 * no-op's indices hold 0. */
static void test_noop_key_is_zero_and_the_driving_key_is_one(void **state)
{
    (void)state;
    sensitivity_result r;
    indices_of(sens_text, &r);
    const sobol_index *rate = &r.index[0][0], *noop = &r.index[0][1];
    printf("# rate: ST %.3f [%.3f, %.3f] S %.3f [%.3f, %.3f]; female_share: ST %.3f [%.3f, %.3f] S %.3f [%.3f, %.3f]\n",
           rate->total, rate->total_low, rate->total_high, rate->first, rate->first_low, rate->first_high,
           noop->total, noop->total_low, noop->total_high, noop->first, noop->first_low, noop->first_high);
    assert_true(noop->first_low <= 0 && 0 <= noop->first_high);
    assert_true(noop->total_low <= 0 && 0 <= noop->total_high);
    assert_true(rate->total_low <= 1 && 1 <= rate->total_high);
    assert_true(rate->first_low <= 1 && 1 <= rate->first_high);
    /* and the interval says something: it excludes "no effect" by far */
    assert_true(rate->total_low > 0.5);
}

/* /sensitivity of one run equals that of two task files merged: the merge
 * reads the design from the stored study text. */
static void test_merge_computes_the_same_indices(void **state)
{
    (void)state;
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    fixture fx;
    fixture_make(&fx, sens_text);
    char whole[PATH_MAX], t0[PATH_MAX], t1[PATH_MAX], merged[PATH_MAX];
    snprintf(whole, sizeof whole, "%s/whole.h5", fx.dir);
    snprintf(t0, sizeof t0, "%s/t0.h5", fx.dir);
    snprintf(t1, sizeof t1, "%s/t1.h5", fx.dir);
    snprintf(merged, sizeof merged, "%s/merged.h5", fx.dir);
    ts_output o = {0};
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", fx.study, "-o", whole, "--threads", "2", NULL), 0);
    TS_ASSERT_CONTAINS(o.out, "inputs ranked by total index");
    TS_ASSERT_CONTAINS(o.out, "sources.af.rate_per_month");
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", fx.study, "-o", t0, "--task", "0", "--tasks", "2", "--quiet",
                                 NULL), 0);
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", fx.study, "-o", t1, "--task", "1", "--tasks", "2", "--quiet",
                                 NULL), 0);
    assert_int_equal(ts_caseflow(&o, NULL, bin, "merge", merged, t0, t1, NULL), 0);
    ts_output_free(&o);
    double a[2], b[2];
    const char *paths[2] = {whole, merged};
    double *into[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        hid_t f = H5Fopen(paths[i], H5F_ACC_RDONLY, H5P_DEFAULT);
        assert_true(f >= 0);
        hid_t d = H5Dopen2(f, "/sensitivity/total", H5P_DEFAULT);
        assert_true(d >= 0);
        assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, into[i]) >= 0);
        H5Dclose(d);
        H5Fclose(f);
    }
    TS_ASSERT_SAME_DOUBLE(b[0], a[0]);
    TS_ASSERT_SAME_DOUBLE(b[1], a[1]);
    assert_true(a[0] > 0.5);
    ts_remove_tree(fx.dir);
}

/* The whole-study table names its reference, or says there is none; the
 * file stores the name for the analysis. */
static void test_study_table_names_its_reference(void **state)
{
    (void)state;
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    fixture fx;
    fixture_make(&fx, "study: { base = \"base.cfg\"; replications = 3; reference = \"workers=10\";\n"
                      "  grid = ( { key = \"staff.workers\"; values = [6, 10]; } ); };\n");
    char out[PATH_MAX], unnamed[PATH_MAX];
    snprintf(out, sizeof out, "%s/o.h5", fx.dir);
    snprintf(unnamed, sizeof unnamed, "%s/unnamed.cfg", fx.dir);
    ts_output o = {0};
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", fx.study, "-o", out, NULL), 0);
    TS_ASSERT_CONTAINS(o.out, "all 3 scenarios");
    TS_ASSERT_CONTAINS(o.out, "difference against 'workers=10', study.reference");
    TS_ASSERT_CONTAINS(o.out, "workers=6");
    TS_ASSERT_CONTAINS(o.out, "(ref)");
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t a = H5Aopen(f, "study_reference", H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t type = H5Aget_type(a);
    char name[64] = "";
    assert_true(H5Tget_size(type) < sizeof name);
    assert_true(H5Aread(a, type, name) >= 0);
    assert_string_equal(name, "workers=10");
    H5Tclose(type);
    H5Aclose(a);
    H5Fclose(f);
    const char *plain = "study: { base = \"base.cfg\"; replications = 3;\n"
                        "  grid = ( { key = \"staff.workers\"; values = [6, 10]; } ); };\n";
    ts_write_file(unnamed, plain, strlen(plain));
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", unnamed, "-o", out, "--force", NULL), 0);
    TS_ASSERT_CONTAINS(o.out, "against scenario 0 'base' (the study names no reference)");
    ts_output_free(&o);
    ts_remove_tree(fx.dir);
}

/* A money section without exits.good: cost per year is printed, and cost
 * per good exit says why there is none rather than "no exit to work". */
static void test_money_lines_say_when_exits_good_is_unset(void **state)
{
    (void)state;
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    fixture fx;
    fixture_make(&fx, "study: { base = \"base.cfg\"; replications = 2; };\n");
    char cfg[PATH_MAX], out[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/money.cfg", fx.dir);
    snprintf(out, sizeof out, "%s/m.h5", fx.dir);
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base_text,
             "money: { staff = ( { role = \"worker\"; cost_per_fte_year = 600000.0; employer = \"kommun\"; } ); };\n");
    ts_write_file(cfg, text, strlen(text));
    ts_output o = {0};
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", cfg, "-o", out, "--reps", "2", NULL), 0);
    TS_ASSERT_CONTAINS(o.out, "programme cost per year        4800000 [4800000, 4800000]"); /* 8 x 600 000 */
    TS_ASSERT_CONTAINS(o.out, "cost per good exit: none, exits.good is unset");
    TS_ASSERT_CONTAINS(o.out, "costs only (no money.baseline)");
    assert_null(strstr(o.out, "no exit to work or studies"));
    ts_output_free(&o);
    ts_remove_tree(fx.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_becomes_the_scenarios),
        cmocka_unit_test(test_bad_sensitivity_and_reference_fail_clearly),
        cmocka_unit_test(test_grid_names_are_shortest_round_trip),
        cmocka_unit_test(test_noop_key_is_zero_and_the_driving_key_is_one),
        cmocka_unit_test(test_merge_computes_the_same_indices),
        cmocka_unit_test(test_study_table_names_its_reference),
        cmocka_unit_test(test_money_lines_say_when_exits_good_is_unset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
