/*
 * test_calibrate.c — calibration: recovering known parameters from figures
 * simulated with them, a deterministic distance under fixed seeds, the
 * calibrated scenario loading like any scenario, refusing a figure the
 * bounds cannot reach (exit 7), bad calibration files (exit 2 with
 * file:line: key) and output problems (exit 3).
 */
#include "test_support.h"

#include <sys/stat.h>

#include "app/calibrate.h"
#include "scenario/study.h"
#include "output/results.h"
#include "app/runner.h"

/* A small programme (about 3 ms a replication): fitting runs a few hundred
 * replications. Its exit probability and work share are far from the ones
 * the figures are simulated with. */
static const char base_text[] =
    "# base for the calibration tests\n"
    "run: { replications = 10; seed = 99L; horizon_months = 36; warmup_months = 6; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 8; caseload_cap = 20; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 14.0; }; };\n"
    "exits: { probability_per_meeting = 0.15;\n"
    "         shares = { work = 0.4; studies = 0.2; other = 0.4; }; };\n";

typedef struct fixture {
    char dir[PATH_MAX];
    char base[PATH_MAX];
    char calib[PATH_MAX];
    char out[PATH_MAX];
} fixture;

static void fixture_make(fixture *fx, const char *calib_text)
{
    ts_make_temp_dir(fx->dir);
    snprintf(fx->base, sizeof fx->base, "%s/base.cfg", fx->dir);
    snprintf(fx->calib, sizeof fx->calib, "%s/calib.cfg", fx->dir);
    snprintf(fx->out, sizeof fx->out, "%s/fitted.cfg", fx->dir);
    ts_write_file(fx->base, base_text, strlen(base_text));
    if (calib_text)
        ts_write_file(fx->calib, calib_text, strlen(calib_text));
}

static void fixture_drop(fixture *fx)
{
    ts_remove_tree(fx->dir);
}

/* Runs `caseflow calibrate` in process; *out and *err are malloc'ed. */
static int run_command(char **out, char **err, const char *a1, const char *a2, const char *a3, const char *a4,
                       const char *a5, const char *a6)
{
    char *argv[10] = {"caseflow", "calibrate"};
    int argc = 2;
    const char *args[] = {a1, a2, a3, a4, a5, a6};
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        if (args[i])
            argv[argc++] = (char *)args[i];
    size_t ol, el;
    FILE *fo = open_memstream(out, &ol), *fe = open_memstream(err, &el);
    assert_non_null(fo);
    assert_non_null(fe);
    int rc = calibrate_command_io(argc, argv, fo, fe);
    fclose(fo);
    fclose(fe);
    return rc;
}

/* Mean and 95 % half-width of a metric over rows of one scenario. */
static void figure_of(const study *st, const runner_totals *t, const char *metric, double *mean, double *half)
{
    results_summary *sum;
    results_difference *diff;
    size_t ns, nd;
    assert_int_equal(results_summarise(t->rows, t->row_count, 1, &st->scenarios[0].sc.model, 1, &sum, &ns, &diff, &nd),
                     0);
    *mean = *half = NAN;
    for (size_t i = 0; i < ns; i++)
        if (strcmp(sum[i].metric, metric) == 0) {
            *mean = sum[i].mean;
            *half = (sum[i].ci_high - sum[i].ci_low) / 2;
        }
    free(sum);
    free(diff);
    assert_true(isfinite(*mean) && isfinite(*half));
}

/* "Observed" figures: the base simulated with the true parameters. */
static void simulate_truth(const char *base, double p, double *share, double *share_h, double *days, double *days_h)
{
    /* Shares not fitted keep the base's proportions (studies : other = 1 : 2),
     * as the calibration rescales them. */
    char ov[5][96];
    snprintf(ov[0], sizeof ov[0], "exits.probability_per_meeting=%.17g", p);
    snprintf(ov[1], sizeof ov[1], "exits.shares.work=0.15");
    snprintf(ov[2], sizeof ov[2], "exits.shares.studies=%.17g", 0.85 / 3);
    snprintf(ov[3], sizeof ov[3], "exits.shares.other=%.17g", 0.85 * 2 / 3);
    snprintf(ov[4], sizeof ov[4], "run.replications=120");
    const char *ptrs[] = {ov[0], ov[1], ov[2], ov[3], ov[4], "run.seed=4242"};
    study st;
    config_error cerr;
    if (study_load(&st, base, ptrs, 6, &cerr) != 0)
        fail_msg("study_load: %s", cerr.message);
    runner_options opt;
    memset(&opt, 0, sizeof opt);
    opt.threads = 2;
    runner_totals t;
    char err[512];
    if (runner_run(&st, 0, study_trial_count(&st), &opt, NULL, &t, err, sizeof err) != 0)
        fail_msg("runner_run: %s", err);
    figure_of(&st, &t, "exit_share.work", share, share_h);
    figure_of(&st, &t, "programme_mean_days", days, days_h);
    runner_totals_free(&t);
    study_free(&st);
}

static void test_recovers_known_parameters(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, NULL);
    const double p_true = 0.08, share_true = 0.15;
    double share, share_h, days, days_h, share2, share2_h, days2, days2_h;
    simulate_truth(fx.base, p_true, &share, &share_h, &days, &days_h);
    /* The sensitivity of the duration to the exit probability (the same
     * seeds, so the difference is paired). */
    simulate_truth(fx.base, p_true * 1.1, &share2, &share2_h, &days2, &days2_h);
    double slope = (days2 - days) / (p_true * 0.1);
    print_message("  observed: exit_share.work %.5f +- %.5f, programme_mean_days %.3f +- %.3f; "
                  "d days / d p = %.1f\n",
                  share, share_h, days, days_h, slope);
    assert_true(slope < 0);

    /* Reported as a register would: the figure and its standard error. */
    char text[2048];
    snprintf(text, sizeof text,
             "# fit the exit probability and the work share to two figures\n"
             "calibrate: {\n"
             "  base = \"base.cfg\";\n"
             "  replications = 8;\n"
             "  seed = 5L;\n"
             "  tolerance = 1e-3;\n"
             "  max_iterations = 300;\n"
             "  parameters = (\n"
             "    { key = \"exits.probability_per_meeting\"; lower = 0.02; upper = 0.4; start = 0.3; },\n"
             "    { key = \"exits.shares.work\"; lower = 0.0; upper = 0.6; start = 0.5; }\n"
             "  );\n"
             "  targets = (\n"
             "    { metric = \"exit_share.work\"; value = %.17g; se = %.17g; },\n"
             "    { metric = \"programme_mean_days\"; value = %.17g; se = %.17g; }\n"
             "  );\n"
             "};\n",
             share, share_h / 1.96, days, days_h / 1.96);
    ts_write_file(fx.calib, text, strlen(text));

    calibrate_spec cs;
    config_error cerr;
    if (calibrate_load(&cs, fx.calib, &cerr) != 0)
        fail_msg("calibrate_load: %s", cerr.message);
    assert_int_equal(cs.param_count, 2);
    assert_int_equal(cs.target_count, 2);
    assert_int_equal(cs.param[1].share, 0);
    calibrate_result *res = malloc(sizeof *res);
    assert_non_null(res);
    char err[1024];
    if (calibrate_fit(&cs, 2, NULL, res, err, sizeof err) != 0)
        fail_msg("calibrate_fit: %s", err);
    print_message("  fitted p = %.5f, work share = %.5f after %d iterations, %d evaluations, %.2f s\n", res->fitted[0],
                  res->fitted[1], res->iterations, res->evaluations, res->seconds);
    assert_true(res->converged);
    assert_false(res->unreachable);
    assert_true(res->figure[0].reached && res->figure[1].reached);

    /* How far the fit may be from the truth: the figures are known to
     * within the observed CI and the fit's own CI (its 8 replications are
     * the sample it matches), turned into parameter units by the figure's
     * sensitivity (1 for the share); half as much again for the secant
     * slope's curvature and the simplex's tolerance. */
    double share_tol = 1.5 * (share_h + (res->figure[0].ci_high - res->figure[0].ci_low) / 2);
    double p_tol = 1.5 * (days_h + (res->figure[1].ci_high - res->figure[1].ci_low) / 2) / fabs(slope);
    print_message("  tolerances: p +- %.5f, share +- %.5f\n", p_tol, share_tol);
    TS_ASSERT_NEAR(res->fitted[0], p_true, p_tol);
    TS_ASSERT_NEAR(res->fitted[1], share_true, share_tol);
    /* From a start far away: the tolerances are well inside the distance
     * travelled. */
    assert_true(p_tol < 0.3 - p_true && share_tol < 0.5 - share_true);

    /* The calibrated scenario loads like any scenario (as caseflow run
     * loads it) and holds the fitted values and the base's other keys. */
    if (calibrate_write(&cs, res, fx.out, 0, err, sizeof err) != 0)
        fail_msg("calibrate_write: %s", err);
    study st;
    if (study_load(&st, fx.out, NULL, 0, &cerr) != 0)
        fail_msg("the calibrated scenario does not load: %s", cerr.message);
    double v;
    assert_int_equal(config_get_number(&st.scenarios[0].sc, "exits.probability_per_meeting", &v), 0);
    TS_ASSERT_SAME_DOUBLE(v, res->fitted[0]);
    assert_int_equal(config_get_number(&st.scenarios[0].sc, "exits.shares.work", &v), 0);
    TS_ASSERT_SAME_DOUBLE(v, res->fitted[1]);
    /* The other shares take the rest in the base's proportions. */
    double studies, other;
    assert_int_equal(config_get_number(&st.scenarios[0].sc, "exits.shares.studies", &studies), 0);
    assert_int_equal(config_get_number(&st.scenarios[0].sc, "exits.shares.other", &other), 0);
    TS_ASSERT_NEAR(other / studies, 2.0, 1e-12);
    TS_ASSERT_NEAR(res->fitted[1] + studies + other, 1.0, 1e-12);
    assert_int_equal(st.scenarios[0].sc.model.workers, 8);
    assert_int_equal(st.replications, 10);
    assert_true(st.seed == 99);
    TS_ASSERT_SAME_DOUBLE(st.scenarios[0].sc.model.own_time_days.p1, 14.0);
    study_free(&st);
    char *written = ts_read_file(fx.out, NULL);
    assert_non_null(written);
    TS_ASSERT_CONTAINS(written, "# Calibrated scenario written by caseflow calibrate");
    TS_ASSERT_CONTAINS(written, "exits.probability_per_meeting = ");
    free(written);

    /* An existing output is kept without force, replaced with it. */
    assert_int_equal(calibrate_write(&cs, res, fx.out, 0, err, sizeof err), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(err, "exists");
    assert_int_equal(calibrate_write(&cs, res, fx.out, 1, err, sizeof err), 0);
    /* Never over the base. */
    assert_int_equal(calibrate_write(&cs, res, fx.base, 1, err, sizeof err), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(err, "base scenario");
    assert_int_equal(ts_dir_entries(fx.dir), 3);

    free(res);
    calibrate_free(&cs);
    fixture_drop(&fx);
}

static const char one_param_text[] =
    "calibrate: {\n"
    "  base = \"base.cfg\";\n"
    "  replications = 4;\n"
    "  seed = 11L;\n"
    "  parameters = ( { key = \"exits.shares.work\"; lower = 0.0; upper = 0.5; start = 0.3; } );\n"
    "  targets = ( { metric = \"exit_share.work\"; value = %s; } );\n"
    "};\n";

static void test_fixed_seeds_make_the_distance_deterministic(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof text, one_param_text, "0.2");
    fixture fx;
    fixture_make(&fx, text);
    calibrate_spec cs;
    config_error cerr;
    if (calibrate_load(&cs, fx.calib, &cerr) != 0)
        fail_msg("calibrate_load: %s", cerr.message);
    calibrate_figure f1[CALIBRATE_MAX_TARGETS], f2[CALIBRATE_MAX_TARGETS], f3[CALIBRATE_MAX_TARGETS];
    double d1, d2, d3, x = 0.2, y = 0.21;
    char err[1024];
    assert_int_equal(calibrate_evaluate(&cs, &x, 1, f1, &d1, err, sizeof err), 0);
    assert_int_equal(calibrate_evaluate(&cs, &x, 2, f2, &d2, err, sizeof err), 0);
    TS_ASSERT_SAME_DOUBLE(d2, d1);
    TS_ASSERT_SAME_DOUBLE(f2[0].mean, f1[0].mean);
    TS_ASSERT_SAME_DOUBLE(f2[0].ci_low, f1[0].ci_low);
    /* Common random numbers: a larger work share gives more exits to work
     * on the same draws, never fewer. */
    assert_int_equal(calibrate_evaluate(&cs, &y, 2, f3, &d3, err, sizeof err), 0);
    assert_true(f3[0].mean >= f1[0].mean);
    assert_true(isfinite(d1) && d1 >= 0);
    /* Evaluations set the parameters on the base loaded once: the base file
     * is not read again (here it is gone) and the figures are the same. */
    assert_int_equal(unlink(fx.base), 0);
    assert_int_equal(calibrate_evaluate(&cs, &x, 2, f2, &d2, err, sizeof err), 0);
    TS_ASSERT_SAME_DOUBLE(d2, d1);
    TS_ASSERT_SAME_DOUBLE(f2[0].mean, f1[0].mean);
    /* A point that makes no valid scenario is told apart (1), with the
     * override-style message naming the key. */
    double bad = 1.5;
    assert_int_equal(calibrate_evaluate(&cs, &bad, 1, f2, &d2, err, sizeof err), 1);
    TS_ASSERT_CONTAINS(err, "-s exits.shares.work");
    calibrate_free(&cs);
    fixture_drop(&fx);
}

static void test_unreachable_figure_is_refused_with_7(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof text, one_param_text, "0.9");
    fixture fx;
    fixture_make(&fx, text);
    char *out, *err;
    int rc = run_command(&out, &err, fx.calib, "-o", fx.out, "--threads", "2", "--quiet");
    print_message("  %s", err);
    assert_int_equal(rc, CF_EXIT_UNREACHABLE);
    TS_ASSERT_CONTAINS(err, "figure exit_share.work cannot be reached within the parameter bounds");
    TS_ASSERT_CONTAINS(err, "observed 0.9");
    TS_ASSERT_CONTAINS(err, "exits.shares.work at its upper bound 0.5");
    TS_ASSERT_CONTAINS(err, "nothing written");
    assert_int_equal(ts_count_newlines(err), 1);
    assert_false(ts_exists(fx.out));
    assert_int_equal(ts_dir_entries(fx.dir), 2);
    free(out);
    free(err);

    /* Without --quiet the report shows the figure and the bound too. */
    rc = run_command(&out, &err, fx.calib, "-o", fx.out, "--threads", "2", NULL);
    assert_int_equal(rc, CF_EXIT_UNREACHABLE);
    TS_ASSERT_CONTAINS(out, "AT UPPER BOUND");
    TS_ASSERT_CONTAINS(out, "NOT REACHED");
    TS_ASSERT_CONTAINS(err, "calibrate: iteration 1,");
    free(out);
    free(err);
    fixture_drop(&fx);
}

/* A bad calibration file, its line and key in the message. */
typedef struct bad_case {
    const char *text;
    const char *where;   /* ":LINE: KEY" after the file's path */
    const char *what;    /* part of the explanation */
} bad_case;

#define HEAD "calibrate: {\n  base = \"base.cfg\";\n"
#define PARAM "  parameters = ( { key = \"exits.probability_per_meeting\"; lower = 0.02; upper = 0.4; } );\n"
#define TARGET "  targets = ( { metric = \"programme_mean_days\"; value = 150.0; } );\n"

static const bad_case bad_cases[] = {
    {HEAD PARAM TARGET "  max_iterations = = 10;\n};\n", ":5: syntax error", "syntax error"},
    {"calibrat: {\n  base = \"base.cfg\";\n};\n", ":1: calibrat", "did you mean 'calibrate'"},
    {"# nothing to calibrate\nx = 1;\n", ":2: x", "unknown key"},
    {HEAD "  replicatons = 4;\n" PARAM TARGET "};\n", ":3: calibrate.replicatons", "did you mean 'replications'"},
    {"calibrate: {\n  base = \"missing.cfg\";\n" PARAM TARGET "};\n", ":2: calibrate.base", "cannot open"},
    {"calibrate: {\n  base = 3;\n" PARAM TARGET "};\n", ":2: calibrate.base", "base scenario file"},
    {HEAD "  replications = 1;\n" PARAM TARGET "};\n", ":3: calibrate.replications", "between 2 and"},
    {HEAD "  seed = -3;\n" PARAM TARGET "};\n", ":3: calibrate.seed", "integer >= 0"},
    {HEAD "  tolerance = 0.0;\n" PARAM TARGET "};\n", ":3: calibrate.tolerance", "> 0"},
    {HEAD TARGET "};\n", ":1: calibrate.parameters", "missing"},
    {HEAD PARAM "};\n", ":1: calibrate.targets", "missing"},
    {HEAD "  parameters = (\n    { key = \"staff.workerz\"; lower = 1.0; upper = 2.0; }\n  );\n" TARGET "};\n",
     ":4: calibrate.parameters[0].key", "not a numeric key of the base scenario"},
    {HEAD "  parameters = (\n    { key = \"staff.workers\"; lower = 4; upper = 12; }\n  );\n" TARGET "};\n",
     ":4: calibrate.parameters[0].key", "real-valued"},
    {HEAD "  parameters = (\n    { key = \"run.horizon_months\"; lower = 4; upper = 12; }\n  );\n" TARGET "};\n",
     ":4: calibrate.parameters[0].key", "run.* keys"},
    {HEAD "  parameters = (\n    { key = \"exits.probability_per_meeting\";\n      lower = 0.02;\n      upper = 1.5; }\n"
          "  );\n" TARGET "};\n",
     ":6: calibrate.parameters[0].upper", "expected a number > 0 and <= 1"},
    {HEAD "  parameters = (\n    { key = \"exits.probability_per_meeting\"; lower = 0.3; upper = 0.1; }\n  );\n" TARGET
          "};\n",
     ":4: calibrate.parameters[0].upper", "above lower"},
    {HEAD "  parameters = (\n    { key = \"exits.probability_per_meeting\"; lower = 0.02; upper = 0.1;\n"
          "      start = 0.5; }\n  );\n" TARGET "};\n",
     ":5: calibrate.parameters[0].start", "between lower"},
    {HEAD "  parameters = (\n    { key = \"exits.probability_per_meeting\"; lowr = 0.02; upper = 0.1; }\n  );\n" TARGET
          "};\n",
     ":4: calibrate.parameters[0].lowr", "did you mean 'lower'"},
    {HEAD "  parameters = (\n    { key = \"exits.probability_per_meeting\"; lower = 0.02; upper = 0.4; },\n"
          "    { key = \"exits.probability_per_meeting\"; lower = 0.02; upper = 0.4; }\n  );\n" TARGET "};\n",
     ":5: calibrate.parameters[1].key", "already fitted"},
    {HEAD "  parameters = (\n    { key = \"exits.shares.work\"; lower = 0.0; upper = 0.6; },\n"
          "    { key = \"exits.shares.studies\"; lower = 0.0; upper = 0.6; }\n  );\n" TARGET "};\n",
     ":5: calibrate.parameters[1]", "sum to at most 1"},
    {HEAD "  parameters = (\n    { key = \"exits.shares.work\"; lower = 0.0; upper = 0.3; },\n"
          "    { key = \"exits.shares.studies\"; lower = 0.0; upper = 0.3; },\n"
          "    { key = \"exits.shares.other\"; lower = 0.0; upper = 0.3; }\n  );\n" TARGET "};\n",
     ":6: calibrate.parameters[2]", "leave at least one destination free"},
    {HEAD PARAM "  targets = (\n    { metric = \"exit_share.wrk\"; value = 0.1; }\n  );\n};\n",
     ":5: calibrate.targets[0].metric", "did you mean 'exit_share.work'"},
    {HEAD PARAM "  targets = (\n    { metric = \"exit_share.work\"; value = 0.1; se = 0.01; weight = 2.0; }\n  );\n};\n",
     ":5: calibrate.targets[0].se", "not both"},
    {HEAD PARAM "  targets = (\n    { metric = \"exit_share.work\"; value = 0.1; se = -0.01; }\n  );\n};\n",
     ":5: calibrate.targets[0].se", "> 0"},
    {HEAD PARAM "  targets = (\n    { metric = \"exit_share.work\"; value = \"15 %\"; }\n  );\n};\n",
     ":5: calibrate.targets[0].value", "got a string"},
    {HEAD PARAM "  targets = (\n    { metric = \"exit_share.work\"; value = 0.1; },\n"
          "    { metric = \"exit_share.work\"; value = 0.2; }\n  );\n};\n",
     ":6: calibrate.targets[1].metric", "already a target"},
};

static void test_bad_files_exit_2_with_file_line_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        fixture fx;
        fixture_make(&fx, bad_cases[i].text);
        char *out, *err;
        int rc = run_command(&out, &err, fx.calib, "-o", fx.out, "--quiet", NULL, NULL);
        char expect[PATH_MAX + 128];
        snprintf(expect, sizeof expect, "caseflow: %s%s", fx.calib, bad_cases[i].where);
        if (rc != CF_EXIT_INPUT || !strstr(err, expect) || !strstr(err, bad_cases[i].what) ||
            ts_count_newlines(err) != 1)
            fail_msg("case %zu: exit %d, message \"%s\"; expected exit 2 and one line with \"%s\" and \"%s\"", i, rc,
                     err, expect, bad_cases[i].what);
        assert_false(ts_exists(fx.out));
        free(out);
        free(err);
        fixture_drop(&fx);
    }
    /* A bad base scenario is reported with the base's own file:line: key. */
    fixture fx;
    fixture_make(&fx, HEAD PARAM TARGET "};\n");
    static const char bad_base[] = "run: { horizon_months = 36; };\nreferrals: { rate_per_mnth = 3.0; };\n";
    ts_write_file(fx.base, bad_base, strlen(bad_base));
    char *out, *err;
    assert_int_equal(run_command(&out, &err, fx.calib, "--quiet", NULL, NULL, NULL, NULL), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(err, "base.cfg:2: referrals.rate_per_mnth");
    free(out);
    free(err);
    fixture_drop(&fx);
}

static void test_usage_and_output_problems(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, HEAD PARAM TARGET "};\n");
    char *out, *err;
    /* Bad usage: 2. */
    assert_int_equal(run_command(&out, &err, NULL, NULL, NULL, NULL, NULL, NULL), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(err, "needs a calibration file");
    free(out);
    free(err);
    assert_int_equal(run_command(&out, &err, fx.calib, "--bogus", NULL, NULL, NULL, NULL), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(err, "unknown option '--bogus'");
    free(out);
    free(err);
    assert_int_equal(run_command(&out, &err, fx.calib, "--threads", "0", NULL, NULL, NULL), CF_EXIT_INPUT);
    free(out);
    free(err);
    /* Output problems are found before the fit: 3, nothing written. */
    ts_write_file(fx.out, "keep", 4);
    assert_int_equal(run_command(&out, &err, fx.calib, "-o", fx.out, "--quiet", NULL, NULL), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(err, "output file exists; use --force");
    free(out);
    free(err);
    char *kept = ts_read_file(fx.out, NULL);
    assert_string_equal(kept, "keep");
    free(kept);
    assert_int_equal(run_command(&out, &err, fx.calib, "-o", fx.base, "--force", "--quiet", NULL),
                     CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(err, "refusing to replace the base scenario");
    free(out);
    free(err);
    char missing[PATH_MAX + 32];
    snprintf(missing, sizeof missing, "%s/no/such/dir/x.cfg", fx.dir);
    assert_int_equal(run_command(&out, &err, fx.calib, "-o", missing, "--quiet", NULL, NULL), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(err, "cannot write to its directory");
    free(out);
    free(err);
    /* Only a regular file is ever replaced, --force or not: a FIFO stays. */
    char fifo[PATH_MAX + 32];
    snprintf(fifo, sizeof fifo, "%s/calibrated.fifo", fx.dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(run_command(&out, &err, fx.calib, "-o", fifo, "--force", "--quiet", NULL), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(err, "replaces only regular files");
    free(out);
    free(err);
    struct stat fs;
    assert_int_equal(lstat(fifo, &fs), 0);
    assert_true(S_ISFIFO(fs.st_mode));
    unlink(fifo);
    assert_int_equal(run_command(&out, &err, "--help", NULL, NULL, NULL, NULL, NULL), CF_EXIT_OK);
    TS_ASSERT_CONTAINS(out, "usage: caseflow calibrate CALIB.cfg");
    free(out);
    free(err);
    fixture_drop(&fx);
}

/* The example calibration in configs/ loads (its base, default.cfg, too). */
static void test_example_loads(void **state)
{
    (void)state;
    char path[PATH_MAX];
    ts_source_path("configs/calibrate_example.cfg", path);
    calibrate_spec cs;
    config_error cerr;
    if (calibrate_load(&cs, path, &cerr) != 0)
        fail_msg("calibrate_load: %s", cerr.message);
    assert_true(cs.param_count >= 2);
    assert_true(cs.target_count >= 2);
    calibrate_free(&cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_known_parameters),
        cmocka_unit_test(test_fixed_seeds_make_the_distance_deterministic),
        cmocka_unit_test(test_unreachable_figure_is_refused_with_7),
        cmocka_unit_test(test_bad_files_exit_2_with_file_line_key),
        cmocka_unit_test(test_usage_and_output_problems),
        cmocka_unit_test(test_example_loads),
    };
    return cmocka_run_group_tests_name("calibrate", tests, NULL, NULL);
}
