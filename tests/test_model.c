/*
 * test_model.c — the case-manager model (model_casework), run directly.
 *
 * Owns:
 *  (a) conservation: at every month end, cumulative referrals = waiting +
 *      active + cumulative exits, and the run's totals, series, after-warm-up
 *      statistics and participant records agree, over several parameter sets
 *      including heavy overload, ties (deterministic durations) and no
 *      warm-up;
 *  (b) determinism: same seed, same result and records; different
 *      replications differ; referrals do not depend on staffing (common
 *      random numbers);
 *  (c) queueing theory, M/M/c: caseload cap 1 and exit probability 1 make
 *      the waiting list an M/M/c queue, whose mean wait is Erlang C's
 *      Wq = C(c, a) / (c mu - lambda); also utilisation = rho, mean list
 *      length = lambda Wq (Little) and mean assigned = a;
 *  (d) queueing theory, a Jackson network: one worker without a cap,
 *      meetings exp(mu), own time exp(mean d), exit probability p: mean
 *      time in programme (1/p) / (mu - lambda/p) + (1/p - 1) d and mean
 *      meetings per exit 1/p;
 *  (e) the waiting list is FIFO: assignment times are non-decreasing in
 *      referral order;
 *  (f) least-loaded assignment: replaying the records, every assignment
 *      went to a worker with the fewest participants among those below the
 *      cap, the lowest index on ties (so the first referrals go round the
 *      workers in order); assignments balance across workers.
 *
 * The analytic checks assert that the exact value lies inside the 99 %
 * Student-t confidence interval over independent replications (the
 * per-replication means are the observations), with fixed seeds. Sizing:
 * 30 replications of 1200 months after a 12-month warm-up each, about 2 s
 * in all (10 s under ASan+UBSan). Censoring at the horizon (waits and
 * programme times still open are not observed) biases the means by far less
 * than these intervals: at 200 replications the same checks still hold,
 * with intervals about 4 times narrower.
 */
#include "test_support.h"

#include "engine/eng_dist.h"
#include "engine/eng_rng.h"
#include "engine/eng_stats.h"
#include "model/model_casework.h"

#define DPM MODEL_DAYS_PER_MONTH
#define CI_LEVEL 0.99

/* ---- helpers ----------------------------------------------------------- */

static model_params base_params(void)
{
    model_params p;
    memset(&p, 0, sizeof p);
    p.referral_rate_per_month = 40.0;
    p.workers = 12;
    p.caseload_cap = 20;
    p.meeting_hours_per_day = 3.0;
    assert_null(dist_make(&p.meeting_hours, DIST_GAMMA, 1.5, 0.5));
    assert_null(dist_make(&p.own_time_days, DIST_EXPONENTIAL, 14.0, 0));
    p.exit_probability = 0.08;
    p.destinations = 3;
    snprintf(p.destination_names[0], MODEL_NAME_LEN, "work");
    snprintf(p.destination_names[1], MODEL_NAME_LEN, "studies");
    snprintf(p.destination_names[2], MODEL_NAME_LEN, "other");
    p.destination_shares[0] = 0.2;
    p.destination_shares[1] = 0.3;
    p.destination_shares[2] = 0.5;
    p.horizon_months = 36;
    p.warmup_months = 6;
    assert_null(model_params_check(&p));
    return p;
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = ((const model_participant *)a)->id, y = ((const model_participant *)b)->id;
    return (x > y) - (x < y);
}

static void run_ok(const model_params *p, uint32_t rep, uint64_t seed, records *recs, model_result *out)
{
    const char *why = model_params_check(p);
    if (why)
        fail_msg("test parameters rejected: %s", why);
    int rc = model_run(p, rep, seed, recs ? collect : NULL, recs, out);
    if (rc != 0)
        fail_msg("model_run returned %d", rc);
}

/* ---- (a) conservation -------------------------------------------------- */

/* The run's after-warm-up statistics recomputed from the participant
 * records: waits of those referred after warm-up, programme times and
 * meetings of those assigned after it, referrals and exits (by
 * destination) that happened after it, and the time-average waiting list
 * and number assigned. */
static void check_measured_against_records(const char *name, const model_params *p, const model_result *r,
                                           const records *recs)
{
    double warm = p->warmup_months * DPM;
    stat_obs wait, prog, meet;
    stat_obs_init(&wait);
    stat_obs_init(&prog);
    stat_obs_init(&meet);
    uint64_t referred = 0, exited = 0, by_dest[MODEL_MAX_DESTINATIONS] = {0};
    double horizon = p->horizon_months * DPM, waiting_area = 0, active_area = 0;
    for (size_t i = 0; i < recs->n; i++) {
        const model_participant *q = &recs->items[i];
        /* time on the list and time assigned, within [warm-up, horizon] */
        double assigned = isnan(q->assignment_time) ? horizon : q->assignment_time;
        double left = isnan(q->exit_time) ? horizon : q->exit_time;
        waiting_area += fmax(0, fmin(assigned, horizon) - fmax(q->referral_time, warm));
        if (!isnan(q->assignment_time))
            active_area += fmax(0, fmin(left, horizon) - fmax(q->assignment_time, warm));
        if (q->referral_time >= warm) {
            referred++;
            if (!isnan(q->assignment_time))
                stat_obs_add(&wait, q->assignment_time - q->referral_time);
        }
        if (!isnan(q->exit_time)) {
            if (q->exit_time >= warm) {
                exited++;
                by_dest[q->destination]++;
            }
            if (q->assignment_time >= warm) {
                stat_obs_add(&prog, q->exit_time - q->assignment_time);
                stat_obs_add(&meet, q->meetings);
            }
        }
    }
    if (referred != r->referrals_measured || exited != r->exits_measured)
        fail_msg("%s: records show %llu referrals and %llu exits after warm-up, the run %llu and %llu", name,
                 (unsigned long long)referred, (unsigned long long)exited,
                 (unsigned long long)r->referrals_measured, (unsigned long long)r->exits_measured);
    assert_memory_equal(by_dest, r->exits_by_destination, sizeof by_dest);
    assert_int_equal(wait.n, r->wait_days.n);
    assert_int_equal(prog.n, r->programme_days.n);
    assert_int_equal(meet.n, r->meetings_per_exit.n);
    /* time averages over the measured span */
    double span = horizon - warm;
    TS_ASSERT_NEAR(r->mean_waiting, waiting_area / span, 1e-9 * (1 + waiting_area / span));
    TS_ASSERT_NEAR(r->mean_active, active_area / span, 1e-9 * (1 + active_area / span));
    /* the same observations added in another order: equal to rounding */
    if (wait.n) {
        TS_ASSERT_NEAR(stat_obs_mean(&r->wait_days), stat_obs_mean(&wait), 1e-9 * (1 + stat_obs_mean(&wait)));
        TS_ASSERT_SAME_DOUBLE(r->wait_days.max, wait.max);
    }
    if (prog.n) {
        TS_ASSERT_NEAR(stat_obs_mean(&r->programme_days), stat_obs_mean(&prog), 1e-9 * (1 + stat_obs_mean(&prog)));
        TS_ASSERT_NEAR(stat_obs_mean(&r->meetings_per_exit), stat_obs_mean(&meet), 1e-9 * (1 + stat_obs_mean(&meet)));
    }
}

static void check_conservation(const char *name, const model_params *p, uint64_t seed)
{
    records recs = {0};
    model_result r;
    run_ok(p, 3, seed, &recs, &r);
    const model_series *s = &r.series;
    assert_int_equal(s->months, p->horizon_months);
    assert_int_equal(s->destinations, p->destinations);

    double cum_ref = 0, cum_exit = 0, cum_meetings = 0;
    for (int m = 0; m < s->months; m++) {
        cum_ref += s->referrals[m];
        for (int d = 0; d < s->destinations; d++)
            cum_exit += s->exits[(size_t)m * (size_t)s->destinations + (size_t)d];
        cum_meetings += s->meetings[m];
        if (cum_ref != s->waiting[m] + s->active[m] + cum_exit)
            fail_msg("%s: month %d: %g referred so far, but %g waiting + %g active + %g exited", name, m, cum_ref,
                     s->waiting[m], s->active[m], cum_exit);
        assert_true(s->waiting[m] >= 0 && s->active[m] >= 0);
        assert_true(s->active[m] <= (double)p->workers * p->caseload_cap);
        /* a waiting list only while every worker is at the cap */
        if (s->waiting[m] > 0)
            assert_true(s->active[m] == (double)p->workers * p->caseload_cap);
        if (!(s->utilisation[m] >= 0 && s->utilisation[m] <= 1 + 1e-12))
            fail_msg("%s: month %d: utilisation %g", name, m, s->utilisation[m]);
    }
    /* totals agree with the series */
    assert_true(cum_ref == (double)r.referrals);
    assert_true(cum_exit == (double)r.exits);
    assert_true(r.referrals == r.exits + r.waiting_at_end + r.active_at_end);
    assert_true(s->waiting[s->months - 1] == (double)r.waiting_at_end);
    assert_true(s->active[s->months - 1] == (double)r.active_at_end);
    uint64_t by_dest = 0;
    for (int d = 0; d < p->destinations; d++)
        by_dest += r.exits_by_destination[d];
    assert_int_equal(by_dest, r.exits_measured);
    assert_true(r.exits_measured <= r.exits && r.referrals_measured <= r.referrals);
    if (p->warmup_months == 0) {
        assert_int_equal(r.exits_measured, r.exits);
        assert_int_equal(r.referrals_measured, r.referrals);
    }
    double measured_ref = 0;
    for (int m = p->warmup_months; m < s->months; m++)
        measured_ref += s->referrals[m];
    assert_true(measured_ref == (double)r.referrals_measured);
    assert_true(r.utilisation >= 0 && r.utilisation <= 1 + 1e-12);
    assert_true(r.mean_waiting >= 0 && r.mean_active >= 0);

    /* every participant handed over exactly once, ids 0..n-1 */
    assert_int_equal(recs.n, r.referrals);
    qsort(recs.items, recs.n, sizeof *recs.items, by_id);
    double horizon = p->horizon_months * DPM;
    uint64_t exited = 0, waiting = 0, meetings = 0;
    for (size_t i = 0; i < recs.n; i++) {
        const model_participant *q = &recs.items[i];
        assert_int_equal(q->id, i);
        assert_int_equal(q->replication, 3);
        assert_true(q->referral_time >= 0 && q->referral_time <= horizon);
        if (isnan(q->assignment_time)) {
            waiting++;
            assert_int_equal(q->worker, -1);
            assert_true(isnan(q->exit_time));
            assert_int_equal(q->meetings, 0);
        } else {
            assert_true(q->assignment_time >= q->referral_time && q->assignment_time <= horizon);
            assert_true(q->worker >= 0 && q->worker < p->workers);
        }
        if (!isnan(q->exit_time)) {
            exited++;
            assert_true(q->exit_time >= q->assignment_time && q->exit_time <= horizon);
            assert_true(q->destination >= 0 && q->destination < p->destinations);
            assert_true(q->meetings >= 1);
        } else {
            assert_int_equal(q->destination, -1);
        }
        meetings += q->meetings;
    }
    assert_int_equal(exited, r.exits);
    assert_int_equal(waiting, r.waiting_at_end);
    check_measured_against_records(name, p, &r, &recs);
    /* meetings in the series are the ones that ended; records count the same */
    assert_true(cum_meetings == (double)meetings);
    print_message("  %-28s %7llu referred, %6llu exited, %6llu waiting, %4llu assigned at the end\n", name,
                  (unsigned long long)r.referrals, (unsigned long long)r.exits,
                  (unsigned long long)r.waiting_at_end, (unsigned long long)r.active_at_end);
    free(recs.items);
    model_result_free(&r);
}

static void test_conservation(void **state)
{
    (void)state;
    model_params p = base_params();
    check_conservation("base", &p, 1);

    /* heavy overload: the list grows all the time */
    model_params o = base_params();
    o.referral_rate_per_month = 300;
    o.workers = 2;
    o.caseload_cap = 5;
    o.exit_probability = 0.05;
    check_conservation("heavy overload", &o, 2);

    /* ties everywhere: deterministic durations, no own time, cap 1 */
    model_params t = base_params();
    assert_null(dist_make(&t.meeting_hours, DIST_DETERMINISTIC, 3.0, 0));
    assert_null(dist_make(&t.own_time_days, DIST_DETERMINISTIC, 0.0, 0));
    t.meeting_hours_per_day = 3.0; /* meetings end on whole days */
    t.caseload_cap = 1;
    t.workers = 3;
    t.exit_probability = 1.0;
    t.referral_rate_per_month = 60;
    check_conservation("deterministic, cap 1", &t, 3);

    /* own time 0 with exits rare: participants cycle straight back */
    model_params z = base_params();
    assert_null(dist_make(&z.own_time_days, DIST_DETERMINISTIC, 0.0, 0));
    z.exit_probability = 0.3;
    z.workers = 4;
    z.caseload_cap = 3;
    check_conservation("own time 0", &z, 4);

    /* no warm-up, one destination, uniform and lognormal durations */
    model_params u = base_params();
    u.warmup_months = 0;
    u.destinations = 1;
    u.destination_shares[0] = 1.0;
    assert_null(dist_make(&u.meeting_hours, DIST_LOGNORMAL, 2.0, 1.0));
    assert_null(dist_make(&u.own_time_days, DIST_UNIFORM, 1.0, 20.0));
    check_conservation("no warm-up, one destination", &u, 5);

    /* hardly any referrals: empty months */
    model_params e = base_params();
    e.referral_rate_per_month = 0.3;
    e.horizon_months = 24;
    e.warmup_months = 23;
    check_conservation("rare referrals", &e, 6);

    /* one month only */
    model_params one = base_params();
    one.horizon_months = 1;
    one.warmup_months = 0;
    check_conservation("one month", &one, 7);
}

/* ---- (b) determinism --------------------------------------------------- */

static int same_series(const model_series *a, const model_series *b)
{
    size_t n = (size_t)a->months, nd = n * (size_t)a->destinations;
    return a->months == b->months && a->destinations == b->destinations &&
           memcmp(a->referrals, b->referrals, n * sizeof(double)) == 0 &&
           memcmp(a->waiting, b->waiting, n * sizeof(double)) == 0 &&
           memcmp(a->active, b->active, n * sizeof(double)) == 0 &&
           memcmp(a->meetings, b->meetings, n * sizeof(double)) == 0 &&
           memcmp(a->utilisation, b->utilisation, n * sizeof(double)) == 0 &&
           memcmp(a->exits, b->exits, nd * sizeof(double)) == 0;
}

static int same_obs(const stat_obs *a, const stat_obs *b)
{
    return a->n == b->n && memcmp(&a->mean, &b->mean, sizeof a->mean) == 0 &&
           memcmp(&a->m2, &b->m2, sizeof a->m2) == 0;
}

static void test_determinism(void **state)
{
    (void)state;
    model_params p = base_params();
    records ra = {0}, rb = {0}, rc = {0};
    model_result a, b, c;
    uint64_t seed = rng_derive(20261124, 0);
    run_ok(&p, 0, seed, &ra, &a);
    run_ok(&p, 0, seed, &rb, &b);
    assert_true(a.seed == seed);
    assert_int_equal(a.events, b.events);
    assert_int_equal(a.referrals, b.referrals);
    assert_int_equal(a.exits, b.exits);
    assert_int_equal(a.waiting_at_end, b.waiting_at_end);
    assert_int_equal(a.active_at_end, b.active_at_end);
    assert_int_equal(a.exits_measured, b.exits_measured);
    assert_memory_equal(a.exits_by_destination, b.exits_by_destination, sizeof a.exits_by_destination);
    assert_true(same_obs(&a.wait_days, &b.wait_days));
    assert_true(same_obs(&a.programme_days, &b.programme_days));
    assert_true(same_obs(&a.meetings_per_exit, &b.meetings_per_exit));
    assert_memory_equal(&a.mean_waiting, &b.mean_waiting, sizeof(double));
    assert_memory_equal(&a.mean_active, &b.mean_active, sizeof(double));
    assert_memory_equal(&a.utilisation, &b.utilisation, sizeof(double));
    assert_true(same_series(&a.series, &b.series));
    /* the same records in the same order */
    assert_int_equal(ra.n, rb.n);
    assert_memory_equal(ra.items, rb.items, ra.n * sizeof *ra.items);

    /* another replication (its own seed) differs */
    run_ok(&p, 1, rng_derive(20261124, 1), &rc, &c);
    assert_false(same_series(&a.series, &c.series));
    assert_false(ra.n == rc.n && memcmp(ra.items, rc.items, ra.n * sizeof *ra.items) == 0);
    model_result_free(&c);

    /* the same seed with more staff: the same referrals (common random
     * numbers), but not the same outcomes */
    model_params more = p;
    more.workers = 15;
    model_result d;
    records rd = {0};
    run_ok(&more, 0, seed, &rd, &d);
    assert_memory_equal(a.series.referrals, d.series.referrals, (size_t)p.horizon_months * sizeof(double));
    assert_int_equal(ra.n, rd.n);
    qsort(ra.items, ra.n, sizeof *ra.items, by_id);
    qsort(rd.items, rd.n, sizeof *rd.items, by_id);
    for (size_t i = 0; i < ra.n; i++)
        TS_ASSERT_SAME_DOUBLE(ra.items[i].referral_time, rd.items[i].referral_time);
    assert_false(same_series(&a.series, &d.series));

    free(ra.items);
    free(rb.items);
    free(rc.items);
    free(rd.items);
    model_result_free(&a);
    model_result_free(&b);
    model_result_free(&d);
}

/* A sink that refuses: the run stops and says so. */
static int refuse_after_ten(void *ctx, const model_participant *p)
{
    (void)p;
    int *n = ctx;
    return ++*n > 10;
}

static void test_sink_stops_run(void **state)
{
    (void)state;
    model_params p = base_params();
    model_result r;
    int n = 0;
    assert_int_equal(model_run(&p, 0, 1, refuse_after_ten, &n, &r), -2);
    assert_int_equal(n, 11); /* not called again after refusing */
    model_result_free(&r);
}

static void test_params_check(void **state)
{
    (void)state;
    model_params p = base_params();
    assert_null(model_params_check(&p));
    model_params q;
    q = p; q.referral_rate_per_month = 0; assert_non_null(model_params_check(&q));
    q = p; q.referral_rate_per_month = INFINITY; assert_non_null(model_params_check(&q));
    q = p; q.workers = 0; assert_non_null(model_params_check(&q));
    q = p; q.caseload_cap = 0; assert_non_null(model_params_check(&q));
    q = p; q.meeting_hours_per_day = 0; assert_non_null(model_params_check(&q));
    q = p; q.meeting_hours_per_day = 25; assert_non_null(model_params_check(&q));
    q = p; q.exit_probability = 0; assert_non_null(model_params_check(&q));
    q = p; q.exit_probability = 1.5; assert_non_null(model_params_check(&q));
    q = p; q.exit_probability = NAN; assert_non_null(model_params_check(&q));
    q = p; q.destinations = 0; assert_non_null(model_params_check(&q));
    q = p; q.destination_shares[0] = 0.5; assert_non_null(model_params_check(&q));
    q = p; q.destination_shares[0] = -0.1; q.destination_shares[2] = 0.8; assert_non_null(model_params_check(&q));
    q = p; q.horizon_months = 0; q.warmup_months = 0; assert_non_null(model_params_check(&q));
    q = p; q.warmup_months = q.horizon_months; assert_non_null(model_params_check(&q));
    q = p; q.warmup_months = -1; assert_non_null(model_params_check(&q));
}

/* ---- (c) M/M/c: Erlang C ----------------------------------------------- */

/* Probability of waiting in M/M/c with offered load a = lambda / mu. */
static double erlang_c(int c, double a)
{
    double term = 1, sum = 0; /* a^k / k! */
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double last = term * c / (c - a); /* a^c / c! * c / (c - a) */
    return last / (sum + last);
}

typedef struct rep_stats {
    stat_obs wait, list, active, util, programme, meetings;
} rep_stats;

static void run_replications(const model_params *p, int reps, uint64_t master, rep_stats *st)
{
    stat_obs_init(&st->wait);
    stat_obs_init(&st->list);
    stat_obs_init(&st->active);
    stat_obs_init(&st->util);
    stat_obs_init(&st->programme);
    stat_obs_init(&st->meetings);
    for (int rep = 0; rep < reps; rep++) {
        model_result r;
        run_ok(p, (uint32_t)rep, rng_derive(master, (uint64_t)rep), NULL, &r);
        assert_true(r.wait_days.n > 100);
        stat_obs_add(&st->wait, stat_obs_mean(&r.wait_days));
        stat_obs_add(&st->list, r.mean_waiting);
        stat_obs_add(&st->active, r.mean_active);
        stat_obs_add(&st->util, r.utilisation);
        if (r.programme_days.n) {
            stat_obs_add(&st->programme, stat_obs_mean(&r.programme_days));
            stat_obs_add(&st->meetings, stat_obs_mean(&r.meetings_per_exit));
        }
        model_result_free(&r);
    }
}

#define CHECK_CI(label, analytic, obs)                                                                  \
    TS_ASSERT_IN_CI(label, analytic, stat_obs_mean(obs), stat_obs_ci_halfwidth(obs, CI_LEVEL))

static void check_mmc(int c, double lambda_per_day, double mu_per_day, int reps, int horizon_months, uint64_t master)
{
    model_params p = base_params();
    p.workers = c;
    p.caseload_cap = 1;
    p.exit_probability = 1.0;
    p.referral_rate_per_month = lambda_per_day * DPM;
    /* a meeting of h hours takes h / hours_per_day days: exponential with
     * mean 1 / mu days */
    p.meeting_hours_per_day = 4.0;
    assert_null(dist_make(&p.meeting_hours, DIST_EXPONENTIAL, 4.0 / mu_per_day, 0));
    assert_null(dist_make(&p.own_time_days, DIST_DETERMINISTIC, 0.0, 0));
    p.horizon_months = horizon_months;
    p.warmup_months = 12;

    double a = lambda_per_day / mu_per_day, rho = a / c;
    double wq = erlang_c(c, a) / (c * mu_per_day - lambda_per_day);
    rep_stats st;
    run_replications(&p, reps, master, &st);
    char label[96];
    print_message("  M/M/%d, rho %.2f, %d replications of %d months:\n", c, rho, reps, horizon_months);
    snprintf(label, sizeof label, "wait for a slot Wq (days)");
    CHECK_CI(label, wq, &st.wait);
    snprintf(label, sizeof label, "waiting list Lq = lambda Wq");
    CHECK_CI(label, lambda_per_day * wq, &st.list);
    snprintf(label, sizeof label, "participants assigned = a");
    CHECK_CI(label, a, &st.active);
    snprintf(label, sizeof label, "utilisation = rho");
    CHECK_CI(label, rho, &st.util);
    /* with exit probability 1, one meeting each, lasting 1/mu on average */
    TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&st.meetings), 1.0);
    snprintf(label, sizeof label, "time in programme = 1/mu (days)");
    CHECK_CI(label, 1.0 / mu_per_day, &st.programme);
}

static void test_erlang_c_formula(void **state)
{
    (void)state;
    /* M/M/1: C = rho; M/M/2 with a = 1: C = 1/3 (textbook values) */
    TS_ASSERT_NEAR(erlang_c(1, 0.7), 0.7, 1e-15);
    TS_ASSERT_NEAR(erlang_c(2, 1.0), 1.0 / 3.0, 1e-15);
    /* c = 3, a = 2: C = 4/9 */
    TS_ASSERT_NEAR(erlang_c(3, 2.0), 4.0 / 9.0, 1e-15);
}

static void test_mm1(void **state)
{
    (void)state;
    check_mmc(1, 0.7, 1.0, 30, 1200, 101);
}

static void test_mm3(void **state)
{
    (void)state;
    check_mmc(3, 2.4, 1.0, 30, 1200, 202);
}

static void test_mm5(void **state)
{
    (void)state;
    check_mmc(5, 2.25, 0.75, 30, 1200, 303);
}

/* ---- (d) Jackson network ----------------------------------------------- */

static void check_jackson(double lambda_per_day, double mu_per_day, double p_exit, double d, int reps,
                          int horizon_months, uint64_t master)
{
    model_params p = base_params();
    p.workers = 1;
    p.caseload_cap = 1000000000;
    p.exit_probability = p_exit;
    p.referral_rate_per_month = lambda_per_day * DPM;
    p.meeting_hours_per_day = 2.5;
    assert_null(dist_make(&p.meeting_hours, DIST_EXPONENTIAL, 2.5 / mu_per_day, 0));
    assert_null(dist_make(&p.own_time_days, DIST_EXPONENTIAL, d, 0));
    p.horizon_months = horizon_months;
    p.warmup_months = 12;

    double visits = 1.0 / p_exit, total = lambda_per_day * visits;
    double t = visits / (mu_per_day - total) + (visits - 1) * d;
    rep_stats st;
    run_replications(&p, reps, master, &st);
    print_message("  Jackson: lambda %.2f/day, mu %.2f/day, p %.2f, own time %.1f days, rho %.2f:\n", lambda_per_day,
                  mu_per_day, p_exit, d, total / mu_per_day);
    CHECK_CI("time in programme (days)", t, &st.programme);
    CHECK_CI("meetings per exit = 1/p", visits, &st.meetings);
    CHECK_CI("utilisation = lambda / (p mu)", total / mu_per_day, &st.util);
    CHECK_CI("participants assigned = lambda T (Little)", lambda_per_day * t, &st.active);
    /* nobody ever waits for a slot */
    TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&st.wait), 0.0);
    TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&st.list), 0.0);
}

static void test_jackson_a(void **state)
{
    (void)state;
    check_jackson(0.3, 2.0, 0.25, 2.0, 30, 1200, 404);
}

static void test_jackson_b(void **state)
{
    (void)state;
    check_jackson(0.35, 1.0, 0.5, 5.0, 30, 1200, 505);
}

/* ---- (e) FIFO waiting list --------------------------------------------- */

static void test_fifo_waiting_list(void **state)
{
    (void)state;
    model_params p = base_params();
    p.workers = 2;
    p.caseload_cap = 3;
    p.referral_rate_per_month = 25;
    p.exit_probability = 0.3;
    p.horizon_months = 48;
    records recs = {0};
    model_result r;
    run_ok(&p, 0, 99, &recs, &r);
    qsort(recs.items, recs.n, sizeof *recs.items, by_id);
    size_t waited = 0, assigned = 0;
    double last = -1;
    int seen_unassigned = 0;
    for (size_t i = 0; i < recs.n; i++) {
        const model_participant *q = &recs.items[i];
        if (isnan(q->assignment_time)) {
            seen_unassigned = 1;
            continue;
        }
        /* nobody referred later was assigned before someone still waiting */
        if (seen_unassigned)
            fail_msg("participant %llu was assigned although an earlier referral was never assigned",
                     (unsigned long long)q->id);
        if (q->assignment_time < last)
            fail_msg("participant %llu assigned at %.6f, before the earlier referral assigned at %.6f",
                     (unsigned long long)q->id, q->assignment_time, last);
        last = q->assignment_time;
        assigned++;
        waited += q->assignment_time > q->referral_time;
    }
    print_message("  %zu assigned, %zu of them after waiting, %llu waiting at the end\n", assigned, waited,
                  (unsigned long long)r.waiting_at_end);
    /* the cap was reached often enough for this to mean something */
    assert_true(waited > 200);
    free(recs.items);
    model_result_free(&r);
}

/* ---- (f) least-loaded assignment --------------------------------------- */

typedef struct change {
    double time;
    int is_assignment; /* exits (0) before assignments (1) at equal times */
    uint64_t id;
    int worker;
} change;

static int by_time(const void *a, const void *b)
{
    const change *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->is_assignment != y->is_assignment)
        return x->is_assignment - y->is_assignment;
    return (x->id > y->id) - (x->id < y->id);
}

/* Replays caseloads from the records and checks every assignment. */
static void check_least_loaded(const char *name, const model_params *p, uint64_t seed)
{
    records recs = {0};
    model_result r;
    run_ok(p, 0, seed, &recs, &r);
    change *ch = malloc(2 * recs.n * sizeof *ch);
    size_t n = 0;
    for (size_t i = 0; i < recs.n; i++) {
        const model_participant *q = &recs.items[i];
        if (!isnan(q->assignment_time))
            ch[n++] = (change){q->assignment_time, 1, q->id, q->worker};
        if (!isnan(q->exit_time))
            ch[n++] = (change){q->exit_time, 0, q->id, q->worker};
    }
    qsort(ch, n, sizeof *ch, by_time);
    int *load = calloc((size_t)p->workers, sizeof *load);
    uint64_t *count = calloc((size_t)p->workers, sizeof *count);
    uint64_t assignments = 0;
    for (size_t i = 0; i < n; i++) {
        int w = ch[i].worker;
        if (!ch[i].is_assignment) {
            load[w]--;
            assert_true(load[w] >= 0);
            continue;
        }
        int best = -1;
        for (int k = 0; k < p->workers; k++)
            if (load[k] < p->caseload_cap && (best < 0 || load[k] < load[best]))
                best = k;
        if (best != w)
            fail_msg("%s: participant %llu at %.6f went to worker %d (caseload %d), but worker %d had %d", name,
                     (unsigned long long)ch[i].id, ch[i].time, w, load[w], best, best >= 0 ? load[best] : -1);
        load[w]++;
        count[w]++;
        assignments++;
    }
    /* Least-loaded keeps the workers' shares at least as even as random
     * assignment would: within 4 multinomial standard deviations. */
    double share = 1.0 / p->workers;
    double sd = sqrt((double)assignments * share * (1 - share));
    for (int k = 0; k < p->workers; k++)
        TS_ASSERT_NEAR((double)count[k], (double)assignments * share, 4 * sd);
    print_message("  %-24s %llu assignments replayed over %d workers\n", name, (unsigned long long)assignments,
                  p->workers);
    free(load);
    free(count);
    free(ch);
    free(recs.items);
    model_result_free(&r);
}

static void test_least_loaded(void **state)
{
    (void)state;
    model_params p = base_params();
    p.workers = 5;
    p.caseload_cap = 1000000;
    p.horizon_months = 48;
    check_least_loaded("no cap", &p, 11);

    model_params c = base_params();
    c.workers = 4;
    c.caseload_cap = 6;
    c.referral_rate_per_month = 12;
    c.exit_probability = 0.15;
    c.horizon_months = 48;
    check_least_loaded("cap binding", &c, 12);

    model_params b = base_params();
    check_least_loaded("base", &b, 13);
}

static void test_round_robin_start(void **state)
{
    (void)state;
    /* Meetings of exactly 24 days: nobody can leave before day 24, so the
     * referrals before then meet equal caseloads in turn and go round the
     * workers from worker 0. */
    model_params p = base_params();
    p.workers = 4;
    p.caseload_cap = 1000;
    p.referral_rate_per_month = 600;
    p.meeting_hours_per_day = 1.0;
    assert_null(dist_make(&p.meeting_hours, DIST_DETERMINISTIC, 24.0, 0));
    p.horizon_months = 2;
    p.warmup_months = 0;
    records recs = {0};
    model_result r;
    run_ok(&p, 0, 21, &recs, &r);
    qsort(recs.items, recs.n, sizeof *recs.items, by_id);
    assert_true(recs.n > 0);
    assert_int_equal(recs.items[0].worker, 0);
    size_t early = 0;
    for (size_t i = 0; i < recs.n; i++) {
        const model_participant *q = &recs.items[i];
        if (q->referral_time >= 24.0)
            break;
        assert_int_equal(q->worker, (int)(q->id % 4));
        early++;
    }
    assert_true(early > 100);
    free(recs.items);
    model_result_free(&r);
}

/* ---- (b2) the core's meeting path ---------------------------------------- */

/* model_run.c's core_meetings lets the handlers skip the mechanisms'
 * checks of a meeting when none is on. Learning on, with nobody ever hired
 * (no turnover), changes no number but turns that shortcut off: the two
 * runs must agree to the bit, events, series and records alike, or the
 * shortcut computes something the general path does not. */
static void test_core_meetings_path(void **state)
{
    (void)state;
    model_params core = base_params();
    model_params general = core;
    general.has_learning = 1;
    general.learning_months = 6;
    general.learning_start = 0.5;
    assert_null(model_params_check(&general));
    for (uint32_t rep = 0; rep < 3; rep++) {
        records ra = {0}, rb = {0};
        model_result a, b;
        uint64_t seed = rng_derive(20261206, rep);
        run_ok(&core, rep, seed, &ra, &a);
        run_ok(&general, rep, seed, &rb, &b);
        assert_true(a.exits > 0);
        assert_int_equal(a.events, b.events);
        assert_int_equal(a.exits, b.exits);
        assert_true(same_obs(&a.wait_days, &b.wait_days));
        assert_true(same_obs(&a.programme_days, &b.programme_days));
        assert_memory_equal(&a.utilisation, &b.utilisation, sizeof(double));
        assert_true(same_series(&a.series, &b.series));
        assert_int_equal(ra.n, rb.n);
        assert_memory_equal(ra.items, rb.items, ra.n * sizeof *ra.items);
        records_free(&ra);
        records_free(&rb);
        model_result_free(&a);
        model_result_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_check),
        cmocka_unit_test(test_conservation),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_core_meetings_path),
        cmocka_unit_test(test_sink_stops_run),
        cmocka_unit_test(test_erlang_c_formula),
        cmocka_unit_test(test_mm1),
        cmocka_unit_test(test_mm3),
        cmocka_unit_test(test_mm5),
        cmocka_unit_test(test_jackson_a),
        cmocka_unit_test(test_jackson_b),
        cmocka_unit_test(test_fifo_waiting_list),
        cmocka_unit_test(test_least_loaded),
        cmocka_unit_test(test_round_robin_start),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
