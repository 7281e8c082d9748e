/*
 * test_service.c — service levels that count everyone (output/service),
 * the `service` section (scenario/config_service), the intervals cut to
 * where a quantity can lie (results), and the overload and warm-up
 * warnings (output/diagnostics, through the caseflow binary).
 *
 * Owns:
 *  (a) the acceptance test of issue 14: on the case-manager core with one
 *      worker at a caseload cap of 4, a 60-month horizon and 36 months of
 *      warm-up, the new mean wait and mean time in programme agree with a
 *      1 200-month run of the same model within the 99 % interval of their
 *      difference (2 000 short replications, 100 long ones), while the old
 *      mean among those who exited (time_in_programme_days_assigned) does
 *      not: so the test can tell a biased mean from a right one;
 *  (b) one trial's service levels from hand-made records, every number
 *      computed by hand: Kaplan-Meier percentiles and P(wait <= X) with a
 *      person still waiting at the horizon, a referral before warm-up and
 *      one screened out; Little's-law means overall (from the model's
 *      curves) and per profile and source (from the records), also when
 *      people give up waiting (counted until they left the list); offered load and
 *      capacity, also under a staffing plan (places in post, averaged); both target kinds and an empty cohort;
 *  (c) the section: defaults, arrays, one number, the -s list text, and
 *      each kind of bad input refused with file:line: key: what; a study
 *      whose scenarios differ in it is refused;
 *  (d) summaries: a t interval that would reach below 0 is cut at 0, a
 *      share's above 1 at 1, an unbounded one is left; an unpaired
 *      difference of two constant metrics is exact instead of aborting;
 *  (e) warnings (caseflow run, read back from /diagnostics): overloaded and
 *      unsettled each fire where they should and both stay silent on a
 *      stable scenario with enough warm-up; a study stores them per
 *      scenario and a merge of its task files stores the same;
 *  (f) service targets end to end: in /summary with Wilson intervals and
 *      in the terminal summary.
 *
 * Stochastic checks use fixed seeds and intervals from the replications.
 * Timing of (a): about 1 s (2 threads).
 */
#include "test_support.h"

#include <hdf5.h>
#include <sys/wait.h>

#include "app/runner.h"
#include "engine/eng_stats.h"
#include "output/results.h"
#include "output/service.h"
#include "scenario/config.h"
#include "scenario/study.h"

#define DPM MODEL_DAYS_PER_MONTH

/* ---- (a) acceptance: short horizon against a long run ------------------- */

/* The core at s = 1, N = 4. Shorter stays than the defaults (a quarter
 * chance of ending per meeting, a week on one's own): the programme takes
 * about 23 days and the wait about 4, so 36 months of warm-up are ample
 * (with the default 5-month stays and long waits they are not, and the
 * diagnostics say so), and the 24-month window is still short enough for
 * the old mean to read low. */
static const char core_cfg[] =
    "run: { replications = 2000; seed = 1414L; horizon_months = 60; warmup_months = 36; };\n"
    "referrals: { rate_per_month = 3.0; };\n"
    "staff: { workers = 1; caseload_cap = 4; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.25; shares = { work = 0.2; studies = 0.3; other = 0.5; }; };\n";

typedef struct figure {
    double mean, half99;
    uint64_t n;
} figure;

/* Runs the scenario file with overrides and gives metrics' means over
 * replications with the 99 % half-widths of their means. */
static void run_figures(const char *path, const char *const *ov, int n_ov, const char *const *metrics, figure *out,
                        int n_metrics)
{
    study st;
    config_error cerr;
    if (study_load(&st, path, ov, n_ov, &cerr) != 0)
        fail_msg("study_load: %s", cerr.message);
    runner_options opt = {.threads = 2};
    runner_totals t;
    char err[512];
    if (runner_run(&st, 0, study_trial_count(&st), &opt, NULL, &t, err, sizeof err) != 0)
        fail_msg("runner_run: %s", err);
    const model_params *p = &st.scenarios[0].sc.model;
    results_metric_info *info = calloc(RESULTS_MAX_METRICS, sizeof *info);
    double *v = calloc(RESULTS_MAX_METRICS, sizeof *v);
    assert_non_null(info);
    assert_non_null(v);
    size_t m = results_metric_info_for(p, info);
    for (int k = 0; k < n_metrics; k++) {
        size_t col = m;
        for (size_t c = 0; c < m; c++)
            if (strcmp(info[c].name, metrics[k]) == 0)
                col = c;
        if (col == m)
            fail_msg("no metric %s", metrics[k]);
        stat_obs o;
        stat_obs_init(&o);
        for (size_t i = 0; i < t.row_count; i++) {
            results_metric_values(&t.rows[i], p, v);
            if (!isnan(v[col]))
                stat_obs_add(&o, v[col]);
        }
        out[k] = (figure){stat_obs_mean(&o), stat_obs_ci_halfwidth(&o, 0.99), o.n};
    }
    free(info);
    free(v);
    runner_totals_free(&t);
    study_free(&st);
}

/* |a - b| inside the 99 % interval of the difference of two independent
 * means (normal: both have many replications). */
static int agree(const figure *a, const figure *b, double *half)
{
    double z = ts_z(0.99), sa = a->half99 / ts_t(0.99, (double)a->n - 1), sb = b->half99 / ts_t(0.99, (double)b->n - 1);
    *half = z * sqrt(sa * sa + sb * sb);
    return fabs(a->mean - b->mean) <= *half;
}

static void test_short_horizon_agrees_with_long_run(void **state)
{
    (void)state;
    char path[PATH_MAX];
    ts_write_temp(core_cfg, strlen(core_cfg), path);
    static const char *const metrics[] = {"wait_mean_days", "programme_mean_days", "time_in_programme_days_assigned",
                                          "wait_days_assigned"};
    figure shortf[4], longf[4];
    run_figures(path, NULL, 0, metrics, shortf, 4);
    const char *long_ov[] = {"run.horizon_months=1200", "run.replications=100"};
    run_figures(path, long_ov, 2, metrics, longf, 4);
    unlink(path);
    double half;
    for (int k = 0; k < 4; k++) {
        int ok = agree(&shortf[k], &longf[k], &half);
        print_message("  %-32s 60 months %8.3f +- %.3f (n %llu)   1200 months %8.3f +- %.3f   difference %+.3f "
                      "(99 %% +- %.3f)%s\n",
                      metrics[k], shortf[k].mean, shortf[k].half99, (unsigned long long)shortf[k].n, longf[k].mean,
                      longf[k].half99, shortf[k].mean - longf[k].mean, half, ok ? "" : "  DISAGREE");
        if (k < 2 && !ok)
            fail_msg("%s: the 60-month run's %.4f and the 1200-month run's %.4f differ beyond the 99 %% interval "
                     "+-%.4f",
                     metrics[k], shortf[k].mean, longf[k].mean, half);
        /* The old mean among those who exited must be told apart: if it
         * agreed, this test could not see the bias it exists for. */
        if (k == 2 && ok)
            fail_msg("the biased mean %s agrees with the long run: the test has lost its power", metrics[k]);
    }
}

/* ---- (b) one trial from hand-made records -------------------------------- */

static model_participant person(double ref, double assign, double exit_time, int fate, int profile, int source)
{
    model_participant q;
    memset(&q, 0, sizeof q);
    q.referral_time = ref;
    q.assignment_time = assign;
    q.exit_time = exit_time;
    q.fate = (int8_t)fate;
    q.profile = (int16_t)profile;
    q.source = (int16_t)source;
    q.destination = isnan(exit_time) ? -1 : 0;
    return q;
}

static model_params synthetic_params(void)
{
    model_params p;
    memset(&p, 0, sizeof p);
    p.horizon_months = 10; /* 304.375 days */
    p.warmup_months = 2;   /* 60.875 days */
    p.workers = 1;
    p.caseload_cap = 4;
    p.destinations = 1;
    snprintf(p.destination_names[0], MODEL_NAME_LEN, "work");
    p.profiles = 2;
    snprintf(p.profile[0].name, MODEL_NAME_LEN, "a");
    snprintf(p.profile[1].name, MODEL_NAME_LEN, "b");
    p.profile[0].need = p.profile[1].need = 1;
    p.sources = 2;
    snprintf(p.source[0].name, MODEL_NAME_LEN, "s1");
    snprintf(p.source[1].name, MODEL_NAME_LEN, "s2");
    p.service.thresholds = 2;
    p.service.wait_days[0] = 10;
    p.service.wait_days[1] = 30;
    p.service.targets = 3;
    p.service.target[0] = (service_target){"half_in_30", SERVICE_TARGET_WAIT_SHARE, 30, 0.5, 2, 9};
    p.service.target[1] = (service_target){"median_14", SERVICE_TARGET_MEDIAN_WAIT, 14, 14, 0, 9};
    p.service.target[2] = (service_target){"nobody", SERVICE_TARGET_WAIT_SHARE, 1, 0.5, 9.0, 9.1};
    return p;
}

/* Window [60.875, 304.375]: 243.5 days. People (referral, assignment, exit):
 *  1 (100, 100, 150) a s1; 2 (110, 130, -) a s2, in the programme at the end;
 *  3 (120, 160, 200) b s1; 4 (280, -, -) b s2, waiting at the end;
 *  5 (50, 70, 120) a s1, referred before warm-up; 6 (130) a s1 screened out.
 * Waits of those referred after warm-up: 0, 20, 40, and 24.375 censored.
 * Times in programme of those assigned after warm-up: 50, 174.375
 * censored, 40, 50. Waiting area in the window 0 + 20 + 40 + 24.375 +
 * 9.125 = 93.5 over 4 joined; programme area 50 + 174.375 + 40 + 50 =
 * 314.375 over 4 assigned. */
static void synthetic(model_params *p, model_result *r, model_participant *recs)
{
    *p = synthetic_params();
    recs[0] = person(100, 100, 150, FATE_EXITED, 0, 0);
    recs[1] = person(110, 130, NAN, FATE_PRESENT, 0, 1);
    recs[2] = person(120, 160, 200, FATE_EXITED, 1, 0);
    recs[3] = person(280, NAN, NAN, FATE_PRESENT, 1, 1);
    recs[4] = person(50, 70, 120, FATE_EXITED, 0, 0);
    recs[5] = person(130, NAN, NAN, FATE_REJECTED, 0, 0);
    memset(r, 0, sizeof *r);
    r->referrals_measured = 5;
    r->rejected_measured = 1;
    r->enrolled_measured = 4;
    r->mean_waiting = 93.5 / 243.5;
    r->mean_active = 314.375 / 243.5;
}

#define SAME(a, b) TS_ASSERT_NEAR(a, b, 1e-9)

static void test_one_trial_by_hand(void **state)
{
    (void)state;
    model_params p;
    model_result r;
    model_participant recs[6];
    synthetic(&p, &r, recs);
    service_row row;
    assert_int_equal(service_trial(&p, &r, recs, 6, &row), 0);
    const double *w = row.wait[0], *g = row.programme[0];
    /* KM of waits: S(0) = 3/4, S(20) = 1/2, censored 24.375, S(40) = 0 */
    SAME(w[SERVICE_MEAN], 93.5 / 4);
    SAME(w[SERVICE_MEDIAN], 20);
    SAME(w[SERVICE_P90], 40);
    SAME(w[SERVICE_P95], 40);
    SAME(w[SERVICE_WITHIN + 0], 0.25);
    SAME(w[SERVICE_WITHIN + 1], 0.5);
    /* KM of stays: S(40) = 3/4, S(50) = 1/4, then censored: no p90 */
    SAME(g[SERVICE_MEAN], 314.375 / 4);
    SAME(g[SERVICE_MEDIAN], 50);
    assert_true(isnan(g[SERVICE_P90]) && isnan(g[SERVICE_P95]));
    /* profile a (people 1, 2, 5): waits 0, 20: S(0) = 1/2 */
    const double *wa = row.wait[1], *ga = row.programme[1];
    SAME(wa[SERVICE_MEAN], (0 + 20 + 9.125) / 2);
    SAME(wa[SERVICE_MEDIAN], 0);
    SAME(wa[SERVICE_P90], 20);
    SAME(wa[SERVICE_WITHIN + 0], 0.5);
    SAME(wa[SERVICE_WITHIN + 1], 1.0);
    SAME(ga[SERVICE_MEAN], (50 + 174.375 + 50) / 3);
    SAME(ga[SERVICE_MEDIAN], 50);
    /* profile b (3, 4): 40, and 24.375 censored: S(30) = 1 */
    const double *wb = row.wait[2];
    SAME(wb[SERVICE_MEAN], (40 + 24.375) / 2);
    SAME(wb[SERVICE_MEDIAN], 40);
    SAME(wb[SERVICE_WITHIN + 0], 0.0);
    SAME(wb[SERVICE_WITHIN + 1], 0.0);
    SAME(row.programme[2][SERVICE_MEAN], 40);
    /* source s2 (2, 4): waits 20, 24.375 censored: S(20) = 1/2, and
     * beyond 24.375 nothing is known, so P(wait <= 30) is NaN */
    const double *ws2 = row.wait[1 + MODEL_MAX_PROFILES + 1];
    SAME(ws2[SERVICE_MEAN], (20 + 24.375) / 2);
    SAME(ws2[SERVICE_MEDIAN], 20);
    SAME(ws2[SERVICE_WITHIN + 0], 0.0);
    assert_true(isnan(ws2[SERVICE_WITHIN + 1]));
    assert_true(isnan(ws2[SERVICE_P90]));
    /* source s1 (1, 3, 5): waits 0, 40 */
    SAME(row.wait[1 + MODEL_MAX_PROFILES][SERVICE_MEAN], (0 + 40 + 9.125) / 2);
    /* unused groups stay NaN */
    assert_true(isnan(row.wait[3][SERVICE_MEAN]));
    /* load: 4 joined over 243.5 days x 78.59 days; 1 worker x 4 */
    SAME(row.offered_load, 4.0 / 243.5 * (314.375 / 4));
    SAME(row.capacity, 4);
    /* targets: referred in months [2, 9): people 1, 2, 3 -> 2 of 3 within 30 */
    SAME(row.target_value[0], 2.0 / 3);
    SAME(row.target_met[0], 1);
    /* months [0, 9): waits 0, 20, 40, 20 -> 1 of 4 within 14; median 20 */
    SAME(row.target_value[1], 20);
    SAME(row.target_met[1], 0);
    /* nobody referred in months [9, 9.1) */
    assert_true(isnan(row.target_value[2]) && isnan(row.target_met[2]));

    /* When people may give up waiting, a record that gave up says when
     * (exit_time): person 7 (150, gave up at 170) b s2 waited 20 days, so
     * profile b's mean counts it until it left the list, not to the
     * horizon; its KM still counts it as not placed before the horizon. */
    model_participant with_renege[7];
    memcpy(with_renege, recs, sizeof recs);
    with_renege[6] = person(150, NAN, 170, FATE_RENEGED, 1, 1);
    p.has_patience = 1;
    r.referrals_measured = 6;
    r.mean_waiting = (93.5 + 20) / 243.5;
    assert_int_equal(service_trial(&p, &r, with_renege, 7, &row), 0);
    SAME(row.wait[0][SERVICE_MEAN], (93.5 + 20) / 5);
    SAME(row.wait[2][SERVICE_MEAN], (40 + 24.375 + 20) / 3);
    SAME(row.wait[1][SERVICE_MEAN], (0 + 20 + 9.125) / 2);
    SAME(row.wait[1 + MODEL_MAX_PROFILES + 1][SERVICE_MEAN], (20 + 24.375 + 20) / 3);
    SAME(row.programme[1][SERVICE_MEAN], (50 + 174.375 + 50) / 3);
    /* the groups' areas add up to everyone's */
    SAME(row.wait[1][SERVICE_MEAN] * 2 + row.wait[2][SERVICE_MEAN] * 3, row.wait[0][SERVICE_MEAN] * 5);

    /* A staffing plan's run carries its places in post at each month end
     * (caseload_places): capacity is their mean over the measured months
     * 2..9, here 4 places to month 5 and 2 after: (4 x 4 + 4 x 2) / 8 = 3,
     * not the 4 the scenario starts with. */
    double places[10] = {4, 4, 4, 4, 4, 4, 2, 2, 2, 2};
    r.series.months = 10;
    r.series.count = 1;
    snprintf(r.series.item[0].name, MODEL_NAME_LEN, "caseload_places");
    r.series.item[0].width = 1;
    r.series.item[0].values = places;
    assert_int_equal(service_trial(&p, &r, with_renege, 7, &row), 0);
    SAME(row.capacity, 3);
}

/* Columns: names in order, units and bounds, and the groups appear only
 * with two or more profiles or sources. */
static void test_columns(void **state)
{
    (void)state;
    model_params p = synthetic_params();
    service_column *cols = calloc(SERVICE_MAX_COLUMNS, sizeof *cols);
    assert_non_null(cols);
    size_t n = service_columns(&p, cols);
    /* per group 4 + 2 + 4, five groups, load, capacity, 3 x 2 targets */
    assert_int_equal(n, 5 * 10 + 2 + 6);
    assert_string_equal(cols[0].name, "wait_mean_days");
    assert_string_equal(cols[4].name, "wait_within_10d");
    assert_string_equal(cols[5].name, "wait_within_30d");
    assert_int_equal(cols[5].bounds, RESULTS_UNIT_INTERVAL);
    assert_string_equal(cols[6].name, "programme_mean_days");
    assert_string_equal(cols[10].name, "wait_mean_days.profile.a");
    assert_string_equal(cols[30].name, "wait_mean_days.source.s1");
    assert_string_equal(cols[50].name, "offered_load");
    assert_string_equal(cols[52].name, "target_value.half_in_30");
    assert_string_equal(cols[52].unit, "share");
    assert_string_equal(cols[55].name, "target_met.median_14");
    assert_int_equal(cols[55].binary, 1);
    size_t offsets[SERVICE_MAX_COLUMNS];
    assert_int_equal(service_offsets(&p, offsets), n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(offsets[i], cols[i].offset);
    p.profiles = 1;
    p.sources = 0;
    p.service.targets = 0;
    p.service.thresholds = 0;
    assert_int_equal(service_columns(&p, NULL), 4 + 4 + 2);
    free(cols);
}

/* ---- (c) the section ------------------------------------------------------ */

static const char *const CFG[] = {
    /* 1 */ "run: { replications = 2; seed = 3L; horizon_months = 24; warmup_months = 6; };",
    /* 2 */ "referrals: { rate_per_month = 15.0; };",
    /* 3 */ "staff: { workers = 2; caseload_cap = 8; meeting_hours_per_day = 3.0; };",
    /* 4 */ "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };",
    /* 5 */ "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };",
    /* 6 */ "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };",
    /* 7 */ "targets = ( { name = \"enrolled\"; kind = \"enrolled\"; value = 100.0; deadline_month = 24.0; } );",
    /* 8 */ "",
};
#define CFG_LINES ((int)(sizeof CFG / sizeof CFG[0]))

static int load_with(int line, const char *replacement, const char *const *ov, int n_ov, config_scenario *sc,
                     config_error *err)
{
    char *text = ts_lines_with(CFG, CFG_LINES, line, replacement);
    char path[PATH_MAX];
    ts_write_temp(text, strlen(text), path);
    free(text);
    int rc = config_load(sc, path, ov, n_ov, err);
    unlink(path);
    return rc;
}

static void expect_days(const char *replacement, const char *override, const int *want, int n)
{
    config_scenario sc;
    config_error err;
    const char *ov[] = {override};
    if (load_with(8, replacement, ov, override ? 1 : 0, &sc, &err) != 0)
        fail_msg("rejected: %s", err.message);
    assert_int_equal(sc.model.service.thresholds, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(sc.model.service.wait_days[i], want[i]);
    config_scenario_free(&sc);
}

static void test_section_reads(void **state)
{
    (void)state;
    expect_days("", NULL, (const int[]){14, 30, 90}, 3);
    expect_days("service: { wait_days = [90, 7]; };", NULL, (const int[]){7, 90}, 2);
    expect_days("service: { wait_days = [ 0, 365 ]; };", NULL, (const int[]){0, 365}, 2);
    expect_days("service: { wait_days = [ 60.0 ]; };", NULL, (const int[]){60}, 1);
    expect_days("service: { wait_days = 30; };", NULL, (const int[]){30}, 1);
    expect_days("service: { wait_days = []; };", NULL, (const int[]){0}, 0);
    expect_days("", "service.wait_days=[7, 14]", (const int[]){7, 14}, 2);
    expect_days("", "service.wait_days=45", (const int[]){45}, 1);
    /* targets with their defaults: from the warm-up to the horizon less the days */
    config_scenario sc;
    config_error err;
    if (load_with(8,
                  "service: { targets = ( { name = \"p30\"; kind = \"wait_share\"; days = 30; value = 0.8; },"
                  " { name = \"m14\"; kind = \"median_wait\"; days = 14; from_month = 12; to_month = 20.5; } ); };",
                  NULL, 0, &sc, &err) != 0)
        fail_msg("rejected: %s", err.message);
    const service_params *sp = &sc.model.service;
    assert_int_equal(sp->targets, 2);
    assert_string_equal(sp->target[0].name, "p30");
    assert_int_equal(sp->target[0].kind, SERVICE_TARGET_WAIT_SHARE);
    assert_int_equal(sp->target[0].days, 30);
    TS_ASSERT_SAME_DOUBLE(sp->target[0].value, 0.8);
    TS_ASSERT_SAME_DOUBLE(sp->target[0].from_month, 6);
    TS_ASSERT_NEAR(sp->target[0].to_month, 24 - 30 / DPM, 1e-12);
    assert_int_equal(sp->target[1].kind, SERVICE_TARGET_MEDIAN_WAIT);
    TS_ASSERT_SAME_DOUBLE(sp->target[1].from_month, 12);
    TS_ASSERT_SAME_DOUBLE(sp->target[1].to_month, 20.5);
    config_scenario_free(&sc);
}

/* One line: "<file>:<line>: <key>: <what>" (or "<file>: -s <key>: ...")
 * with each needle in it. */
static void expect_bad(const char *replacement, const char *override, int line, const char *key,
                       const char *const *needles)
{
    config_scenario sc;
    config_error err;
    const char *ov[] = {override};
    if (load_with(8, replacement, ov, override ? 1 : 0, &sc, &err) != -1) {
        config_scenario_free(&sc);
        fail_msg("accepted, expected an error at %s", key);
    }
    print_message("  message: %s\n", err.message);
    assert_null(strchr(err.message, '\n'));
    char want[256];
    if (override)
        snprintf(want, sizeof want, ": -s %s: ", key);
    else
        snprintf(want, sizeof want, ":%d: %s: ", line, key);
    TS_ASSERT_CONTAINS(err.message, want);
    for (; *needles; needles++)
        TS_ASSERT_CONTAINS(err.message, *needles);
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_section_refuses_bad_input(void **state)
{
    (void)state;
    expect_bad("service: { wait_days = [7, 7]; };", NULL, 8, "service.wait_days", NEEDLES("7 days is given twice"));
    expect_bad("service: { wait_days = [7.5]; };", NULL, 8, "service.wait_days", NEEDLES("whole number of days"));
    expect_bad("service: { wait_days = [-1]; };", NULL, 8, "service.wait_days", NEEDLES("between 0 and 36525"));
    expect_bad("service: { wait_days = \"soon\"; };", NULL, 8, "service.wait_days", NEEDLES("such as [14, 30, 90]"));
    expect_bad("service: { wait_days = [1, 2, 3, 4, 5, 6, 7, 8, 9]; };", NULL, 8, "service.wait_days",
               NEEDLES("at most 8"));
    expect_bad("", "service.wait_days=[7, x]", 0, "service.wait_days", NEEDLES("such as [14, 30, 90]"));
    expect_bad("service: { wait_dayz = [7]; };", NULL, 8, "service.wait_dayz", NEEDLES("did you mean"));
    expect_bad("service: { targets = ( { name = \"t\"; kind = \"wait_share\"; days = 30; } ); };", NULL, 8,
               "service.targets[0].value", NEEDLES("missing", "share"));
    expect_bad("service: { targets = ( { name = \"t\"; kind = \"median_wait\"; days = 14; value = 0.5; } ); };", NULL,
               8, "service.targets[0].value", NEEDLES("takes no value"));
    expect_bad("service: { targets = ( { name = \"t\"; kind = \"mean_wait\"; days = 14; } ); };", NULL, 8,
               "service.targets[0].kind", NEEDLES("wait_share or median_wait", "'mean_wait'"));
    expect_bad("service: { targets = ( { name = \"t\"; kind = \"median_wait\"; dayz = 14; } ); };", NULL, 8,
               "service.targets[0].dayz", NEEDLES("did you mean 'days'"));
    expect_bad("service: { targets = ( { name = \"t\"; kind = \"median_wait\"; } ); };", NULL, 8,
               "service.targets[0].days", NEEDLES("missing"));
    expect_bad("service: { targets = ( { name = \"enrolled\"; kind = \"median_wait\"; days = 14; } ); };", NULL, 8,
               "service.targets[0].name", NEEDLES("already a target in `targets`"));
    expect_bad("service: { targets = ( { name = \"a b\"; kind = \"median_wait\"; days = 14; } ); };", NULL, 8,
               "service.targets[0].name", NEEDLES("letters, digits"));
    expect_bad("service: { targets = ( { name = \"t\"; kind = \"median_wait\"; days = 14; },"
               " { name = \"t\"; kind = \"median_wait\"; days = 30; } ); };",
               NULL, 8, "service.targets[1].name", NEEDLES("used twice"));
    /* 24 months less 90 days is 21.04: a cohort up to month 23 cannot be judged */
    expect_bad("service: { targets = ( { name = \"t\"; kind = \"wait_share\"; days = 90; value = 0.9;"
               " to_month = 23.0; } ); };",
               NULL, 8, "service.targets[0].to_month", NEEDLES("at most 21.04", "90 days"));
    expect_bad("service: { targets = ( { name = \"t\"; kind = \"median_wait\"; days = 14; from_month = 20.0;"
               " to_month = 10.0; } ); };",
               NULL, 8, "service.targets[0].to_month", NEEDLES("cohort is empty"));
    expect_bad("service: { targets = { name = \"t\"; }; };", NULL, 8, "service.targets", NEEDLES("expected a list"));
}

/* A study's scenarios share one table of columns. */
static void test_study_refuses_differing_sections(void **state)
{
    (void)state;
    char dir[PATH_MAX], base[PATH_MAX], st_path[PATH_MAX];
    ts_make_temp_dir(dir);
    snprintf(base, sizeof base, "%s/base.cfg", dir);
    snprintf(st_path, sizeof st_path, "%s/study.cfg", dir);
    char *text = ts_lines_with(CFG, CFG_LINES, 0, "");
    ts_write_file(base, text, strlen(text));
    free(text);
    static const char study_text[] = "study: { base = \"base.cfg\";\n"
                                     "  scenarios = ( { name = \"week\"; set = [\"service.wait_days=7\"]; } ); };\n";
    ts_write_file(st_path, study_text, strlen(study_text));
    study st;
    config_error err;
    int rc = study_load(&st, st_path, NULL, 0, &err);
    ts_remove_tree(dir);
    if (rc == 0) {
        study_free(&st);
        fail_msg("a study whose scenario changes service.wait_days was accepted");
    }
    print_message("  message: %s\n", err.message);
    TS_ASSERT_CONTAINS(err.message, "service section");
    TS_ASSERT_CONTAINS(err.message, "'week'");
}

/* ---- (d) intervals --------------------------------------------------------- */

static void test_intervals_cut_to_bounds(void **state)
{
    (void)state;
    /* one scenario, four replications: 0, 0, 0, 10 has a t interval
     * reaching far below 0; shares 1, 1, 1, 0.6 one above 1 */
    double values[4 * 3] = {0, 1, 0, 0, 1, 0, 0, 1, 0, 10, 0.6, 10};
    results_key keys[4];
    for (uint32_t r = 0; r < 4; r++)
        keys[r] = (results_key){0, r, RESULTS_DONE};
    results_metric_info info[3];
    memset(info, 0, sizeof info);
    snprintf(info[0].name, sizeof info[0].name, "waits");
    info[0].bounds = RESULTS_NONNEGATIVE;
    snprintf(info[1].name, sizeof info[1].name, "share");
    info[1].bounds = RESULTS_UNIT_INTERVAL;
    snprintf(info[2].name, sizeof info[2].name, "net");
    info[2].bounds = RESULTS_UNBOUNDED;
    results_summary *sum;
    results_difference *diff;
    size_t ns, nd;
    assert_int_equal(results_summarise_table(values, keys, 4, 3, 1, info, 1, &sum, &ns, &diff, &nd), 0);
    assert_int_equal(ns, 3);
    TS_ASSERT_SAME_DOUBLE(sum[0].mean, 2.5);
    TS_ASSERT_SAME_DOUBLE(sum[0].ci_low, 0.0);
    assert_true(sum[0].ci_high > 10);
    TS_ASSERT_SAME_DOUBLE(sum[1].ci_high, 1.0);
    assert_true(sum[1].ci_low > 0.5 && sum[1].ci_low < 0.9);
    assert_true(sum[2].ci_low < -5); /* may be negative: left alone */
    free(sum);
    free(diff);

    /* two scenarios, independent streams, a metric constant in each: the
     * difference is exact (Welch's df would be 0 / 0) */
    double two[4] = {4, 4, 6, 6};
    results_key k2[4] = {{0, 0, RESULTS_DONE}, {0, 1, RESULTS_DONE}, {1, 0, RESULTS_DONE}, {1, 1, RESULTS_DONE}};
    assert_int_equal(results_summarise_table(two, k2, 4, 1, 2, info, 0, &sum, &ns, &diff, &nd), 0);
    assert_int_equal(nd, 1);
    TS_ASSERT_SAME_DOUBLE(diff[0].mean, 2.0);
    TS_ASSERT_SAME_DOUBLE(diff[0].ci_low, 2.0);
    TS_ASSERT_SAME_DOUBLE(diff[0].ci_high, 2.0);
    free(sum);
    free(diff);
}

/* ---- (e), (f) the binary: warnings and targets ------------------------------ */

typedef struct cli {
    const char *bin;
    char dir[PATH_MAX], cfg[PATH_MAX], out[PATH_MAX], log[PATH_MAX];
    char *text;
} cli;

static int cli_run(cli *c, const char *args)
{
    ts_need_binary(c->bin);
    char cmd[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "%s %s >%s 2>&1 </dev/null", c->bin, args, c->log);
    int status = system(cmd);
    free(c->text);
    c->text = ts_read_file(c->log, NULL);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cli_open(cli *c)
{
    memset(c, 0, sizeof *c);
    c->bin = getenv("CASEFLOW_BIN");
    ts_need_binary(c->bin);
    ts_make_temp_dir(c->dir);
    snprintf(c->cfg, sizeof c->cfg, "%s/core.cfg", c->dir);
    snprintf(c->out, sizeof c->out, "%s/out.h5", c->dir);
    snprintf(c->log, sizeof c->log, "%s/log.txt", c->dir);
    ts_write_file(c->cfg, core_cfg, strlen(core_cfg));
}

static void cli_close(cli *c)
{
    free(c->text);
    ts_remove_tree(c->dir);
}

typedef struct diag_read {
    int overloaded, unsettled, suggested;
    double trend_lo, trend_hi, load, capacity;
    char warnings[4096];
} diag_read;

static void read_attr(hid_t g, const char *name, hid_t type, void *v)
{
    hid_t a = H5Aopen(g, name, H5P_DEFAULT);
    if (a < 0)
        fail_msg("/diagnostics has no attribute %s", name);
    assert_true(H5Aread(a, type, v) >= 0);
    H5Aclose(a);
}

static diag_read read_diagnostics(const char *path)
{
    diag_read d;
    memset(&d, 0, sizeof d);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t g = H5Gopen2(f, "/diagnostics", H5P_DEFAULT);
    if (g < 0)
        fail_msg("%s has no /diagnostics", path);
    read_attr(g, "overloaded", H5T_NATIVE_INT, &d.overloaded);
    read_attr(g, "unsettled", H5T_NATIVE_INT, &d.unsettled);
    /* per-scenario numbers are attributes when all scenarios agree */
    d.suggested = -99;
    d.trend_lo = d.trend_hi = d.load = d.capacity = NAN;
    if (H5Aexists(g, "suggested_warmup_months") > 0)
        read_attr(g, "suggested_warmup_months", H5T_NATIVE_INT, &d.suggested);
    if (H5Aexists(g, "waiting_trend_lo") > 0)
        read_attr(g, "waiting_trend_lo", H5T_NATIVE_DOUBLE, &d.trend_lo);
    if (H5Aexists(g, "waiting_trend_hi") > 0)
        read_attr(g, "waiting_trend_hi", H5T_NATIVE_DOUBLE, &d.trend_hi);
    if (H5Aexists(g, "offered_load") > 0)
        read_attr(g, "offered_load", H5T_NATIVE_DOUBLE, &d.load);
    if (H5Aexists(g, "capacity") > 0)
        read_attr(g, "capacity", H5T_NATIVE_DOUBLE, &d.capacity);
    hid_t a = H5Aopen(g, "warnings", H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    size_t size = H5Tget_size(t);
    assert_true(size < sizeof d.warnings);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    assert_true(H5Aread(a, t, d.warnings) >= 0);
    d.warnings[size] = '\0';
    H5Tclose(t);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(f);
    return d;
}

static void test_overload_warning(void **state)
{
    (void)state;
    cli c;
    cli_open(&c);
    char args[4 * PATH_MAX];
    /* 7 referrals a month for a caseload of 4 that turns over in ~23 days */
    snprintf(args, sizeof args,
             "run %s -o %s --threads 2 -s run.replications=40 -s run.warmup_months=12 -s referrals.rate_per_month=7.0",
             c.cfg, c.out);
    assert_int_equal(cli_run(&c, args), 0);
    diag_read d = read_diagnostics(c.out);
    print_message("  overloaded: trend [%.3f, %.3f], load %.2f of %.0f\n  %s", d.trend_lo, d.trend_hi, d.load,
                  d.capacity, d.warnings);
    assert_int_equal(d.overloaded, 1);
    assert_true(d.trend_lo > 0);
    assert_true(d.load > d.capacity);
    TS_ASSERT_CONTAINS(d.warnings, "overloaded: the waiting list grows by");
    TS_ASSERT_CONTAINS(d.warnings, "mean waits here depend on the run length");
    /* printed, and before the scenario's numbers */
    TS_ASSERT_CONTAINS(c.text, "warning: overloaded:");
    assert_true(strstr(c.text, "warning: overloaded:") < strstr(c.text, "scenario 0"));
    cli_close(&c);
}

static void test_unsettled_warning(void **state)
{
    (void)state;
    cli c;
    cli_open(&c);
    char args[4 * PATH_MAX];
    /* 12 workers at a cap of 20 fill over about two years from empty
     * (stays of ~5 months, 42 % of the places wanted): no waiting list at
     * all, but the caseload is still rising when measuring starts at 0 */
    snprintf(args, sizeof args,
             "run %s -o %s --threads 2 -s run.replications=50 -s run.warmup_months=0 -s staff.workers=12 "
             "-s staff.caseload_cap=20 -s referrals.rate_per_month=20.0 -s exits.probability_per_meeting=0.08 "
             "-s casework.own_time_days.mean=14.0",
             c.cfg, c.out);
    assert_int_equal(cli_run(&c, args), 0);
    diag_read d = read_diagnostics(c.out);
    print_message("  unsettled: suggested %d months\n  %s", d.suggested, d.warnings);
    assert_int_equal(d.unsettled, 1);
    assert_int_equal(d.overloaded, 0);
    assert_true(d.suggested >= 10);
    TS_ASSERT_CONTAINS(d.warnings, "unsettled:");
    TS_ASSERT_CONTAINS(d.warnings, "run.warmup_months");
    TS_ASSERT_CONTAINS(c.text, "warning: unsettled:");
    TS_ASSERT_NOT_CONTAINS(d.warnings, "overloaded");
    /* the same run from a snapshot (an empty one: the same sample paths) is
     * a forecast from that state, not a steady-state estimate: no warning,
     * the suggestion still written, the summary says why */
    char csv[PATH_MAX];
    snprintf(csv, sizeof csv, "%s/today.csv", c.dir);
    static const char header[] = "kind,worker,days,waited_days,phase,progress,profile\n";
    ts_write_file(csv, header, strlen(header));
    snprintf(args, sizeof args,
             "run %s -o %s --force --snapshot %s --threads 2 -s run.replications=50 -s run.warmup_months=0 "
             "-s staff.workers=12 -s staff.caseload_cap=20 -s referrals.rate_per_month=20.0 "
             "-s exits.probability_per_meeting=0.08 -s casework.own_time_days.mean=14.0",
             c.cfg, c.out, csv);
    assert_int_equal(cli_run(&c, args), 0);
    diag_read from_snapshot = read_diagnostics(c.out);
    assert_int_equal(from_snapshot.unsettled, 0);
    assert_int_equal(from_snapshot.suggested, d.suggested);
    assert_string_equal(from_snapshot.warnings, "");
    TS_ASSERT_CONTAINS(c.text, "starts from a snapshot");
    TS_ASSERT_NOT_CONTAINS(c.text, "warning: unsettled:");
    /* the same with a long enough warm-up is silent */
    snprintf(args, sizeof args,
             "run %s -o %s --force --threads 2 -s run.replications=50 -s run.horizon_months=120 "
             "-s run.warmup_months=48 -s staff.workers=12 -s staff.caseload_cap=20 -s referrals.rate_per_month=20.0 "
             "-s exits.probability_per_meeting=0.08 -s casework.own_time_days.mean=14.0",
             c.cfg, c.out);
    assert_int_equal(cli_run(&c, args), 0);
    d = read_diagnostics(c.out);
    print_message("  with 48 months of warm-up: suggested %d months\n", d.suggested);
    assert_int_equal(d.unsettled, 0);
    assert_string_equal(d.warnings, "");
    cli_close(&c);
}

static void test_stable_scenario_is_silent(void **state)
{
    (void)state;
    cli c;
    cli_open(&c);
    char args[4 * PATH_MAX];
    snprintf(args, sizeof args, "run %s -o %s --threads 2 -s run.replications=200 -s run.horizon_months=120 "
                                "-s run.warmup_months=48",
             c.cfg, c.out);
    assert_int_equal(cli_run(&c, args), 0);
    diag_read d = read_diagnostics(c.out);
    print_message("  stable: trend [%.4f, %.4f], suggested %d, load %.2f of %.0f\n", d.trend_lo, d.trend_hi,
                  d.suggested, d.load, d.capacity);
    assert_int_equal(d.overloaded, 0);
    assert_int_equal(d.unsettled, 0);
    assert_string_equal(d.warnings, "");
    TS_ASSERT_NOT_CONTAINS(c.text, "warning:");
    assert_true(d.load < d.capacity);
    /* the summary prints the load against capacity */
    TS_ASSERT_CONTAINS(c.text, "offered load");
    cli_close(&c);
}

/* A study: flags and numbers per scenario as datasets of length S, and a
 * merge of its task files writes the same /diagnostics. Service targets in
 * /summary and in the printed summary. */
static void test_study_diagnostics_targets_and_merge(void **state)
{
    (void)state;
    cli c;
    cli_open(&c);
    char st_path[PATH_MAX], parts[2][PATH_MAX], merged[PATH_MAX], args[6 * PATH_MAX];
    snprintf(st_path, sizeof st_path, "%s/study.cfg", c.dir);
    static const char study_text[] =
        "study: { base = \"core.cfg\"; replications = 30;\n"
        "  scenarios = ( { name = \"calm\"; set = [\"referrals.rate_per_month=2.0\"]; },\n"
        "                { name = \"surge\"; set = [\"referrals.rate_per_month=7.0\"]; } ); };\n";
    ts_write_file(st_path, study_text, strlen(study_text));
    /* the base: 12 months of warm-up (shared by a study's scenarios) and
     * the service targets */
    char cfg2[sizeof core_cfg + 512];
    const char *warm = strstr(core_cfg, "warmup_months = 36");
    assert_non_null(warm);
    snprintf(cfg2, sizeof cfg2, "%.*swarmup_months = 12%s%s", (int)(warm - core_cfg), core_cfg,
             warm + strlen("warmup_months = 36"),
             "service: { targets = ( { name = \"within_14\"; kind = \"wait_share\"; days = 14; value = 0.9; },\n"
             "                        { name = \"median_7\"; kind = \"median_wait\"; days = 7; } ); };\n");
    ts_write_file(c.cfg, cfg2, strlen(cfg2));
    snprintf(args, sizeof args, "run %s -o %s --threads 2", st_path, c.out);
    assert_int_equal(cli_run(&c, args), 0);
    TS_ASSERT_CONTAINS(c.text, "warning: scenario 'surge': overloaded:");
    TS_ASSERT_NOT_CONTAINS(c.text, "scenario 'calm': overloaded");
    TS_ASSERT_CONTAINS(c.text, "target within_14");
    TS_ASSERT_CONTAINS(c.text, "target median_7");
    TS_ASSERT_CONTAINS(c.text, "(Wilson)");

    hid_t f = H5Fopen(c.out, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    /* scenarios: the base (3 a month), calm, surge */
    int flags[3] = {-1, -1, -1};
    hid_t set = H5Dopen2(f, "/diagnostics/overloaded", H5P_DEFAULT);
    assert_true(set >= 0);
    assert_true(H5Dread(set, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, flags) >= 0);
    H5Dclose(set);
    assert_int_equal(flags[0], 0);
    assert_int_equal(flags[1], 0);
    assert_int_equal(flags[2], 1);
    int any = 0;
    hid_t g = H5Gopen2(f, "/diagnostics", H5P_DEFAULT);
    read_attr(g, "overloaded", H5T_NATIVE_INT, &any);
    assert_int_equal(any, 1);
    double loads[3];
    set = H5Dopen2(f, "/diagnostics/offered_load", H5P_DEFAULT);
    assert_true(H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, loads) >= 0);
    H5Dclose(set);
    assert_true(loads[0] < 4 && loads[1] < loads[0] && loads[2] > 4);
    H5Gclose(g);
    /* targets in /summary: P(met) with Wilson's interval inside [0, 1] */
    typedef struct {
        uint32_t scenario;
        char metric[RESULTS_NAME_LEN];
        double mean, lo, hi;
    } srow;
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(srow));
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, RESULTS_NAME_LEN);
    H5Tset_cset(str, H5T_CSET_UTF8); /* text is stored as UTF-8; HDF5 converts no character sets */
    H5Tinsert(mem, "scenario", HOFFSET(srow, scenario), H5T_NATIVE_UINT32);
    H5Tinsert(mem, "metric", HOFFSET(srow, metric), str);
    H5Tinsert(mem, "mean", HOFFSET(srow, mean), H5T_NATIVE_DOUBLE);
    H5Tinsert(mem, "ci_low", HOFFSET(srow, lo), H5T_NATIVE_DOUBLE);
    H5Tinsert(mem, "ci_high", HOFFSET(srow, hi), H5T_NATIVE_DOUBLE);
    set = H5Dopen2(f, "/summary", H5P_DEFAULT);
    hid_t sp = H5Dget_space(set);
    hsize_t n;
    H5Sget_simple_extent_dims(sp, &n, NULL);
    H5Sclose(sp);
    srow *rows = calloc(n, sizeof *rows);
    assert_true(H5Dread(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    H5Dclose(set);
    H5Tclose(mem);
    H5Tclose(str);
    int seen = 0;
    for (hsize_t i = 0; i < n; i++)
        if (strcmp(rows[i].metric, "target_met.within_14") == 0) {
            seen++;
            assert_true(rows[i].lo >= 0 && rows[i].lo <= rows[i].mean && rows[i].mean <= rows[i].hi &&
                        rows[i].hi <= 1);
            /* the surge never meets it */
            if (rows[i].scenario == 2)
                assert_true(rows[i].mean < 0.5);
        }
    assert_int_equal(seen, 3);
    free(rows);
    H5Fclose(f);

    /* task files merged: the same /diagnostics */
    for (int k = 0; k < 2; k++) {
        snprintf(parts[k], sizeof parts[k], "%s/part%d.h5", c.dir, k);
        snprintf(args, sizeof args, "run %s -o %s --threads 1 --task %d --tasks 2 --quiet", st_path, parts[k], k);
        assert_int_equal(cli_run(&c, args), 0);
    }
    snprintf(merged, sizeof merged, "%s/merged.h5", c.dir);
    snprintf(args, sizeof args, "merge %s %s %s", merged, parts[0], parts[1]);
    assert_int_equal(cli_run(&c, args), 0);
    diag_read a = read_diagnostics(c.out), b = read_diagnostics(merged);
    assert_string_equal(a.warnings, b.warnings);
    assert_int_equal(a.overloaded, b.overloaded);
    assert_int_equal(a.unsettled, b.unsettled);
    cli_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_horizon_agrees_with_long_run),
        cmocka_unit_test(test_one_trial_by_hand),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_section_reads),
        cmocka_unit_test(test_section_refuses_bad_input),
        cmocka_unit_test(test_study_refuses_differing_sections),
        cmocka_unit_test(test_intervals_cut_to_bounds),
        cmocka_unit_test(test_overload_warning),
        cmocka_unit_test(test_unsettled_warning),
        cmocka_unit_test(test_stable_scenario_is_silent),
        cmocka_unit_test(test_study_diagnostics_targets_and_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
