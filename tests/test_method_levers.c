/*
 * test_method_levers.c — the method capital's separate levers and volume
 * pressure's quality cost (issue 16), against theory where there is one.
 *
 * Owns: the completion lever (method.completion_effect) and the speed lever
 * (method.speed_effect) against a Jackson network with a closed form; the
 * retention lever (method.retention_effect) against the shares it must
 * give at follow-up; the quality cost of a hasty mapping
 * (method.pressure.quality_cost) against the good-exit share it must give;
 * each lever off gives the run it gave before, draw for draw; bad values
 * are refused naming the key.
 *
 * Every scenario saturates the method capital at a known level: with
 * decay d, gain g, time share t and one full-time worker the capital tends
 * to k = g t / d, reached within days when d = 100 a month, and
 * half_saturation = k puts every lever at half its largest effect.
 */
#include "test_support.h"

#include <limits.h>

#include "engine/eng_rng.h"
#include "scenario/config.h"
#include "model/model_casework.h"

#define DPM MODEL_DAYS_PER_MONTH
#define LEVEL 0.999 /* Mean and half-width (Student's t at LEVEL) of n per-replication values. */
static void mean_half(const double *x, int n, double *mean, double *half)
{
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    *mean = s / n;
    for (int i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *half = ts_t(LEVEL, n - 1) * sqrt(ss / (n - 1) / n);
}

/* ---- completion against speed: a Jackson network ------------------------- */

/* One worker with no binding cap (nobody waits for a place), Poisson
 * referrals at rate lambda a day, exponential meetings of mean h hours at
 * H (1 - t) meeting hours a day (t the method time share), so the worker
 * serves mu = H (1 - t) / h meetings a day, FIFO; after a meeting the case
 * ends with probability p, else exponential own time of mean g days, then
 * back in the worker's queue. That is an open Jackson network of a single
 * server (visited 1 / p times per case) and an infinite server (visited
 * (1 - p) / p times): the time in the programme is
 *     T = (1 / p) / (mu - lambda / p) + (1 - p) / p * g
 *       = 1 / (p mu - lambda)          + (1 - p) / p * g.
 * The completion lever at saturation s multiplies p by 1 + C s; the speed
 * lever multiplies mu by 1 + S s. The same factor on either gives the same
 * first term (the worker's queue depends on the work per case, h / p,
 * only), but only completion cuts the own-time gaps, the second term: with
 * p = 0.25, g = 7 days and a factor 1.3, T falls from 24.2 days to 16.2 by
 * completion and to 22.6 by speed. Meetings per case are geometric with
 * mean 1 / p: completion cuts them, speed does not.
 *
 * Checked over 30 replications of 20 years (1 year warm-up): per
 * replication the mean time in the programme of those assigned between the
 * warm-up and a year before the horizon (so nobody's stay is cut off by the
 * horizon: P(T > 365 days) is below 1e-6 here), and the mean meetings per
 * case; the formulas must lie within the t interval at 99.9 %. */
static const char *jackson_cfg =
    "run: { horizon_months = 240; warmup_months = 12; };\n"
    "referrals: { rate_per_month = %.17g; };\n"
    "staff: { workers = 1; caseload_cap = 100000; meeting_hours_per_day = 5.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.0; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.25; shares = { work = 0.5; other = 0.5; }; good = [ \"work\" ]; };\n"
    "method: { time_share = 0.2; gain_per_month = 1.0; decay_per_month = 100.0; effect = 0.0;\n"
    "          half_saturation = 0.002; %s };\n";

typedef struct jackson_figures {
    double time_mean, time_half, meetings_mean, meetings_half;
} jackson_figures;

static jackson_figures jackson_run(double rate_per_month, const char *levers)
{
    enum { R = 30 };
    config_scenario sc;
    ts_load_cfg(&sc, jackson_cfg, rate_per_month, levers);
    records recs = {0};
    double times[R], meetings[R];
    double from = 12 * DPM, to = (240 - 12) * DPM;
    for (int rep = 0; rep < R; rep++) {
        model_result res;
        ts_run_rep(&sc, rep, 1601, &recs, &res);
        double t = 0, mt = 0;
        size_t n = 0;
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (!(q->assignment_time >= from && q->assignment_time < to))
                continue;
            assert_int_equal(q->fate, FATE_EXITED);
            t += q->exit_time - q->assignment_time;
            mt += q->meetings;
            n++;
        }
        assert_true(n > 1000);
        times[rep] = t / (double)n;
        meetings[rep] = mt / (double)n;
        model_result_free(&res);
    }
    records_free(&recs);
    config_scenario_free(&sc);
    jackson_figures f;
    mean_half(times, R, &f.time_mean, &f.time_half);
    mean_half(meetings, R, &f.meetings_mean, &f.meetings_half);
    return f;
}

static double jackson_time(double lambda, double mu, double p, double g)
{
    return 1.0 / (p * mu - lambda) + (1 - p) / p * g;
}

static void test_completion_against_speed(void **state)
{
    (void)state;
    const double rate = 21.0, lambda = rate / DPM, mu = 5.0 * (1 - 0.2) / 1.0, p = 0.25, g = 7.0;
    const double factor = 1 + 0.6 * 0.5; /* effect 0.6 at saturation 1/2 */
    jackson_figures none = jackson_run(rate, "");
    jackson_figures completion = jackson_run(rate, "completion_effect = 0.6;");
    jackson_figures speed = jackson_run(rate, "speed_effect = 0.6;");
    double t_none = jackson_time(lambda, mu, p, g), t_completion = jackson_time(lambda, mu, p * factor, g),
           t_speed = jackson_time(lambda, mu * factor, p, g);
    TS_ASSERT_IN_CI("time in programme, no lever (days)", t_none, none.time_mean, none.time_half);
    TS_ASSERT_IN_CI("time in programme, completion x1.3 (days)", t_completion, completion.time_mean,
                    completion.time_half);
    TS_ASSERT_IN_CI("time in programme, speed x1.3 (days)", t_speed, speed.time_mean, speed.time_half);
    TS_ASSERT_IN_CI("meetings per case, no lever", 1 / p, none.meetings_mean, none.meetings_half);
    TS_ASSERT_IN_CI("meetings per case, completion x1.3", 1 / (p * factor), completion.meetings_mean,
                    completion.meetings_half);
    TS_ASSERT_IN_CI("meetings per case, speed x1.3", 1 / p, speed.meetings_mean, speed.meetings_half);
    /* The brief's question, answered by the formulas and the runs alike:
     * the same factor on completion beats it on speed by the own-time
     * gaps it saves, (1 - p) / p g - (1 - p f) / (p f) g. */
    double saved = (1 - p) / p * g - (1 - p * factor) / (p * factor) * g;
    TS_ASSERT_NEAR(t_speed - t_completion, saved, 1e-9);
    assert_true(completion.time_mean + completion.time_half < speed.time_mean - speed.time_half);
    assert_true(speed.time_mean + speed.time_half < none.time_mean - none.time_half);
}

/* ---- retention after a good exit ------------------------------------------ */

/* Leavers to work (a good destination) are in work at 12 and 24 months
 * with shares 0.6 and 0.4; leavers to `other` with 0.1 and 0.2. With the
 * retention lever R at saturation 1/2 a share R / 2 of those who would be
 * out are kept in: work 0.6 + 0.4 R / 2 and 0.4 + 0.6 R / 2, other
 * unchanged (the lever acts on good exits only). With months named
 * (exits.followup.months = [13]) the lever moves the curve's points the
 * same way. Pooled over 20 replications (about 10 000 leavers to work),
 * each share must lie within z(99.9 %) binomial standard errors of its
 * value. */
static const char *retention_cfg =
    "run: { horizon_months = 120; warmup_months = 0; };\n"
    "referrals: { rate_per_month = 20.0; };\n"
    "staff: { workers = 10; caseload_cap = 20; meeting_hours_per_day = 5.0; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.5; other = 0.5; }; good = [ \"work\" ];\n"
    "         followup = { %s }; };\n"
    "method: { time_share = 0.2; gain_per_month = 1.0; decay_per_month = 100.0; effect = 0.0;\n"
    "          half_saturation = %.17g; %s };\n";

static void share_in_ci(const char *what, uint64_t in, uint64_t followed, double expected)
{
    assert_true(followed > 1000);
    double share = (double)in / (double)followed;
    double half = ts_z(LEVEL) * sqrt(expected * (1 - expected) / (double)followed);
    TS_ASSERT_IN_CI(what, expected, share, half);
}

static void test_retention_lever(void **state)
{
    (void)state;
    const double R = 0.5, lift = R * 0.5;
    /* Ten workers hold the capital: k = g t fte / d = 1 x 0.2 x 10 / 100. */
    const double half = 0.02;
    const char *plain = "work = { at_12 = 0.6; at_24 = 0.4; }; other = { at_12 = 0.1; at_24 = 0.2; };";
    const char *curve = "months = [ 13 ]; after_last = \"trend\"; work = { at_13 = 0.6; }; other = { at_13 = 0.1; };";
    char lever[64];
    snprintf(lever, sizeof lever, "retention_effect = %.17g;", R);
    for (int variant = 0; variant < 2; variant++) {
        config_scenario on, off;
        ts_load_cfg(&on, retention_cfg, variant ? curve : plain, half, lever);
        ts_load_cfg(&off, retention_cfg, variant ? curve : plain, half, "");
        uint64_t f_on[2][4] = {{0}}, f_off[2][4] = {{0}}, at_on[2][2] = {{0}};
        for (int rep = 0; rep < 20; rep++) {
            model_result a, b;
            ts_run_rep(&on, rep, 1602, NULL, &a);
            ts_run_rep(&off, rep, 1602, NULL, &b);
            /* The lever acts after exit only: everything before is the same run. */
            assert_int_equal(a.exits, b.exits);
            assert_int_equal(a.exits_by_destination[0], b.exits_by_destination[0]);
            TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&a.programme_days), stat_obs_mean(&b.programme_days));
            for (int d = 0; d < 2; d++)
                for (int j = 0; j < 4; j++) {
                    f_on[d][j] += a.followup[d][j];
                    f_off[d][j] += b.followup[d][j];
                }
            for (int d = 0; d < 2 && variant; d++)
                for (int j = 0; j < 2; j++)
                    at_on[d][j] += a.followup_at[0][d][j];
            model_result_free(&a);
            model_result_free(&b);
        }
        double work12 = variant ? pow(0.6, 12.0 / 13.0) : 0.6, work24 = variant ? pow(0.6, 24.0 / 13.0) : 0.4;
        if (variant) {
            /* the named month: 0.6 at 13 for work, 0.1 for other */
            share_in_ci("retained at 13, work, lever on", at_on[0][1], at_on[0][0], 0.6 + 0.4 * lift);
            share_in_ci("retained at 13, other, lever on", at_on[1][1], at_on[1][0], 0.1);
        } else {
            share_in_ci("retained at 12, other, lever on", f_on[1][1], f_on[1][0], 0.1);
            share_in_ci("retained at 24, other, lever on", f_on[1][3], f_on[1][2], 0.2);
        }
        share_in_ci("retained at 12, work, lever off", f_off[0][1], f_off[0][0], work12);
        share_in_ci("retained at 12, work, lever on", f_on[0][1], f_on[0][0], work12 + (1 - work12) * lift);
        share_in_ci("retained at 24, work, lever on", f_on[0][3], f_on[0][2], work24 + (1 - work24) * lift);
        config_scenario_free(&on);
        config_scenario_free(&off);
    }
}

/* ---- volume pressure's quality cost -------------------------------------- */

/* Mapping takes two meetings (progress 0.5 each) and volume pressure, on
 * from the first month's end for good (an enrolled target nobody reaches),
 * doubles the pace, so after the first month every mapping is done wholly
 * in haste (one meeting of progress 1). Matching then ends a case with
 * probability 0.3 per meeting, to work or other half and half; or (the
 * second variant) completes after four meetings and leads to work or other
 * half and half. The quality cost Q cuts the odds of work by 1 - Q: work's
 * share of exits falls from 1/2 to (1 - Q) / (2 - Q), 0.375 at Q = 0.4. Exits
 * after a warm-up of six months come from people mapped under pressure
 * (apart from a remnant below 1e-4 of the month-0 cohort); pooled over 20
 * replications (about 3 000 exits) the share must lie within z(99.9 %)
 * binomial standard errors. The cost off (quality_cost = 0 or absent)
 * gives the same run as before the key existed. */
static const char *quality_cfg =
    "run: { horizon_months = 36; warmup_months = 6; };\n"
    "referrals: { rate_per_month = 10.0; };\n"
    "staff: { workers = 3; caseload_cap = 20; meeting_hours_per_day = 4.0; };\n"
    "exits: { destinations = [ \"work\", \"other\" ]; good = [ \"work\" ]; };\n"
    "phases = (\n"
    "  { name = \"mapping\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "    own_time_days = { dist = \"exponential\"; mean = 5.0; }; progress_per_meeting = 0.5; },\n"
    "  %s\n"
    ");\n"
    "targets = ( { name = \"volume\"; kind = \"enrolled\"; value = 1000000.0; deadline_month = 36.0; } );\n"
    "method: { pressure = { target = \"volume\"; mapping_speedup = 1.0; %s }; };\n";

static const char *quality_matching[2] = {
    "{ name = \"matching\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "    own_time_days = { dist = \"exponential\"; mean = 5.0; }; exit_probability = 0.3;\n"
    "    exits = { work = 0.5; other = 0.5; }; }",
    "{ name = \"matching\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "    own_time_days = { dist = \"exponential\"; mean = 5.0; }; progress_per_meeting = 0.25;\n"
    "    completion = { work = 0.5; other = 0.5; }; }",
};

static void test_pressure_quality_cost(void **state)
{
    (void)state;
    const double Q = 0.4;
    for (int variant = 0; variant < 2; variant++) {
        config_scenario cost, zero, absent;
        char key[64];
        snprintf(key, sizeof key, "quality_cost = %.17g;", Q);
        ts_load_cfg(&cost, quality_cfg, quality_matching[variant], key);
        ts_load_cfg(&zero, quality_cfg, quality_matching[variant], "quality_cost = 0.0;");
        ts_load_cfg(&absent, quality_cfg, quality_matching[variant], "");
        uint64_t work = 0, exits = 0, work_off = 0, exits_off = 0;
        for (int rep = 0; rep < 20; rep++) {
            model_result a, b, c;
            ts_run_rep(&cost, rep, 1603, NULL, &a);
            ts_run_rep(&zero, rep, 1603, NULL, &b);
            ts_run_rep(&absent, rep, 1603, NULL, &c);
            work += a.exits_by_destination[0];
            exits += a.exits_measured;
            work_off += b.exits_by_destination[0];
            exits_off += b.exits_measured;
            /* off: the same run, draw for draw */
            assert_int_equal(b.events, c.events);
            assert_int_equal(b.exits_by_destination[0], c.exits_by_destination[0]);
            TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&b.programme_days), stat_obs_mean(&c.programme_days));
            model_result_free(&a);
            model_result_free(&b);
            model_result_free(&c);
        }
        print_message("  variant %s\n", variant ? "completion" : "per-meeting exits");
        share_in_ci("work share of exits, quality cost 0.4", work, exits, (1 - Q) / (2 - Q));
        share_in_ci("work share of exits, quality cost 0", work_off, exits_off, 0.5);
        config_scenario_free(&cost);
        config_scenario_free(&zero);
        config_scenario_free(&absent);
    }
}

/* ---- off means off ---------------------------------------------------------- */

/* Each lever at 0 is the run without the key, draw for draw, on a scenario
 * where method.effect acts (phases with progress and good exits). */
static const char *off_cfg =
    "run: { horizon_months = 24; warmup_months = 3; };\n"
    "referrals: { rate_per_month = 12.0; };\n"
    "staff: { workers = 3; caseload_cap = 15; meeting_hours_per_day = 4.0; };\n"
    "exits: { destinations = [ \"work\", \"other\" ]; good = [ \"work\" ];\n"
    "         followup = { work = { at_12 = 0.6; at_24 = 0.5; }; }; };\n"
    "phases = (\n"
    "  { name = \"mapping\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "    own_time_days = { dist = \"exponential\"; mean = 5.0; }; progress_per_meeting = 0.25; },\n"
    "  { name = \"matching\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "    own_time_days = { dist = \"exponential\"; mean = 5.0; }; exit_probability = 0.2;\n"
    "    exits = { work = 0.6; other = 0.4; }; }\n"
    ");\n"
    "method: { time_share = 0.1; gain_per_month = 1.0; effect = 0.5; half_saturation = 1.0; %s };\n";

static void test_levers_off_change_nothing(void **state)
{
    (void)state;
    static const char *const zeros[] = {"completion_effect = 0.0;", "speed_effect = 0.0;", "retention_effect = 0.0;"};
    config_scenario base;
    ts_load_cfg(&base, off_cfg, "");
    for (size_t z = 0; z < sizeof zeros / sizeof zeros[0]; z++) {
        config_scenario sc;
        ts_load_cfg(&sc, off_cfg, zeros[z]);
        for (int rep = 0; rep < 5; rep++) {
            model_result a, b;
            ts_run_rep(&base, rep, 1604, NULL, &a);
            ts_run_rep(&sc, rep, 1604, NULL, &b);
            assert_int_equal(a.events, b.events);
            assert_int_equal(a.exits_by_destination[0], b.exits_by_destination[0]);
            assert_memory_equal(a.followup, b.followup, sizeof a.followup);
            TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&a.programme_days), stat_obs_mean(&b.programme_days));
            TS_ASSERT_SAME_DOUBLE(a.method_capital, b.method_capital);
            model_result_free(&a);
            model_result_free(&b);
        }
        config_scenario_free(&sc);
    }
    config_scenario_free(&base);
}

/* ---- bad values ---------------------------------------------------------- */

static void test_lever_errors(void **state)
{
    (void)state;
    static char text[8192];
    static const struct {
        const char *method, *expect;
    } bad[] = {
        {"completion_effect = -0.1;", "method.completion_effect"},
        {"speed_effect = -1.0;", "method.speed_effect"},
        {"retention_effect = 1.5;", "method.retention_effect"},
        {"retention_effect = -0.5;", "method.retention_effect"},
        {"completion_effect = \"high\";", "method.completion_effect"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, off_cfg, bad[i].method);
        TS_ASSERT_CONTAINS(ts_rejection(text), bad[i].expect);
    }
    static const char *const bad_cost[] = {"quality_cost = 1.2;", "quality_cost = -0.2;"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(text, sizeof text, quality_cfg, quality_matching[0], bad_cost[i]);
        TS_ASSERT_CONTAINS(ts_rejection(text), "method.pressure.quality_cost");
    }
}

/* ---- the volume-method study's base ----------------------------------------- */

static void load_file(config_scenario *sc, const char *rel, const char *const *overrides, int n)
{
    char path[PATH_MAX];
    ts_source_path(rel, path);
    config_error err;
    if (config_load(sc, path, overrides, n, &err) != 0)
        fail_msg("%s rejected: %s", rel, err.message);
}

/* configs/study_volume_method_base.cfg is the Etableringslyftet seed plus
 * the coaches' cost, a volume target and inert volume pressure: none of
 * them may change a draw, so at the study's 30 referrals a month every
 * replication is the seed's, event for event. If this fails after the seed
 * was refit, copy the seed's new settings into the study base. */
static void test_study_base_is_the_seed(void **state)
{
    (void)state;
    const char *const rate[] = {"referrals.rate_per_month=30"};
    config_scenario seed, base;
    load_file(&seed, "configs/seed_etableringslyftet.cfg", rate, 1);
    load_file(&base, "configs/study_volume_method_base.cfg", rate, 1);
    assert_true(base.model.has_pressure && !seed.model.has_pressure);
    for (int rep = 0; rep < 4; rep++) {
        model_result a, b;
        ts_run_rep(&seed, rep, 20181001, NULL, &a);
        ts_run_rep(&base, rep, 20181001, NULL, &b);
        assert_int_equal(a.events, b.events);
        assert_memory_equal(a.exits_by_destination, b.exits_by_destination, sizeof a.exits_by_destination);
        assert_int_equal(a.reneged_measured, b.reneged_measured);
        assert_memory_equal(a.followup_at, b.followup_at, sizeof a.followup_at);
        TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&a.programme_days), stat_obs_mean(&b.programme_days));
        model_result_free(&a);
        model_result_free(&b);
    }
    config_scenario_free(&seed);
    config_scenario_free(&base);
}

/* Good exits and people who gave up over one replication. */
static void good_and_gave_up(const config_scenario *sc, int rep, double *good, double *gave_up)
{
    model_result r;
    ts_run_rep(sc, rep, 20181001, NULL, &r);
    *good = 0;
    for (int d = 0; d < sc->model.destinations; d++)
        if ((sc->model.good_destinations >> d) & 1)
            *good += (double)r.exits_by_destination[d];
    *gave_up = (double)r.reneged_measured;
    model_result_free(&r);
}

/* The study's question on its own base (30 referrals a month, cap 20, the
 * capital's effect moved to one lever at a time): the same effect on
 * completion gives more good exits and fewer who give up waiting than on
 * meeting speed, since the stay, not the coach's hours, holds the places;
 * and a quality cost of 0.5 under volume pressure gives fewer good exits
 * than the same pressure without it. Paired differences over 12
 * replications (common random numbers), t interval at 99.9 %. */
static void test_study_levers_direction(void **state)
{
    (void)state;
    enum { R = 12 };
    const char *const completion[] = {"referrals.rate_per_month=30", "method.effect=0", "method.completion_effect=0.5"};
    const char *const speed[] = {"referrals.rate_per_month=30", "method.effect=0", "method.speed_effect=0.5"};
    const char *const pressure[] = {"referrals.rate_per_month=30", "method.pressure.cap_increase=0.5",
                                    "method.pressure.mapping_speedup=1", "method.pressure.quality_cost=0"};
    const char *const costly[] = {"referrals.rate_per_month=30", "method.pressure.cap_increase=0.5",
                                  "method.pressure.mapping_speedup=1", "method.pressure.quality_cost=0.5"};
    config_scenario c, v, p, q;
    load_file(&c, "configs/study_volume_method_base.cfg", completion, 3);
    load_file(&v, "configs/study_volume_method_base.cfg", speed, 3);
    load_file(&p, "configs/study_volume_method_base.cfg", pressure, 4);
    load_file(&q, "configs/study_volume_method_base.cfg", costly, 4);
    double d_good[R], d_gave[R], d_cost[R];
    for (int rep = 0; rep < R; rep++) {
        double gc, uc, gv, uv, gp, up, gq, uq;
        good_and_gave_up(&c, rep, &gc, &uc);
        good_and_gave_up(&v, rep, &gv, &uv);
        good_and_gave_up(&p, rep, &gp, &up);
        good_and_gave_up(&q, rep, &gq, &uq);
        d_good[rep] = gc - gv;
        d_gave[rep] = uc - uv;
        d_cost[rep] = gq - gp;
    }
    double m, h;
    mean_half(d_good, R, &m, &h);
    print_message("  good exits, completion 0.5 - speed 0.5: %+.1f +- %.1f\n", m, h);
    assert_true(m - h > 0);
    mean_half(d_gave, R, &m, &h);
    print_message("  gave up, completion 0.5 - speed 0.5: %+.1f +- %.1f\n", m, h);
    assert_true(m + h < 0);
    mean_half(d_cost, R, &m, &h);
    print_message("  good exits under pressure, quality cost 0.5 - 0: %+.1f +- %.1f\n", m, h);
    assert_true(m + h < 0);
    config_scenario_free(&c);
    config_scenario_free(&v);
    config_scenario_free(&p);
    config_scenario_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_completion_against_speed),
        cmocka_unit_test(test_retention_lever),
        cmocka_unit_test(test_pressure_quality_cost),
        cmocka_unit_test(test_levers_off_change_nothing),
        cmocka_unit_test(test_lever_errors),
        cmocka_unit_test(test_study_base_is_the_seed),
        cmocka_unit_test(test_study_levers_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
