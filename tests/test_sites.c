/*
 * test_sites.c — referral sources tied to sites (issue 16): a site's
 * referrals wait for that site's workers, are counted per site, and a site
 * may lend its free places to the others from a given month.
 *
 * Each test loads a scenario text with config_load_text and runs
 * model_run over fixed seeds. Identities (who may take whom, conservation
 * of each site's referrals) are checked on every participant record;
 * sizes against theory: the number who give up before a late site is
 * staffed is a thinned Poisson count with a closed-form mean, and two tied
 * sites are two M/M/c queues (Erlang C each) while the same sites untied
 * are one pooled M/M/2c queue with the shorter wait; under a priority
 * policy a site's list, and the choice between lent sites' lists, give
 * Cobham's priority waits. Tolerances are 99 % confidence intervals over
 * the replications.
 */
#include "test_support.h"

#include "engine/eng_rng.h"
#include "engine/eng_stats.h"
#include "scenario/config.h"
#include "model/model_casework.h"

#define DPM MODEL_DAYS_PER_MONTH
#define CI_LEVEL 0.99

static double ci_half(const stat_obs *o)
{
    return stat_obs_ci_halfwidth(o, CI_LEVEL);
}

/* Each site's counts add up, and agree with the records: referred (of the
 * site's sources, accepted), assigned, gave up before ever being assigned,
 * waiting at the horizon never assigned. `site_of_source` maps a source
 * to its site (1-based, 0 untied). */
static void check_site_counts(const config_scenario *sc, const model_result *r, const records *recs,
                              const int *site_of_source)
{
    const model_params *p = &sc->model;
    uint64_t referred[MODEL_MAX_SITES] = {0}, assigned[MODEL_MAX_SITES] = {0}, gave_up[MODEL_MAX_SITES] = {0},
             waiting[MODEL_MAX_SITES] = {0};
    for (size_t i = 0; i < recs->n; i++) {
        const model_participant *q = &recs->items[i];
        int k = site_of_source[q->source];
        if (k == 0 || q->fate == FATE_REJECTED)
            continue;
        referred[k - 1]++;
        if (!isnan(q->assignment_time))
            assigned[k - 1]++;
        else if (q->fate == FATE_RENEGED)
            gave_up[k - 1]++;
        else
            waiting[k - 1]++;
    }
    for (int k = 0; k < p->sites; k++) {
        assert_int_equal(r->site_referred[k], referred[k]);
        assert_int_equal(r->site_assigned[k], assigned[k]);
        assert_int_equal(r->site_gave_up[k], gave_up[k]);
        assert_int_equal(r->site_waiting_at_end[k], waiting[k]);
        assert_int_equal(r->site_referred[k],
                         r->site_assigned[k] + r->site_gave_up[k] + r->site_waiting_at_end[k]);
    }
}

/* ---- a site staffed late ------------------------------------------------ */

/* Two sites of two workers each, 10 referrals a month to each; site b's
 * team starts at month 6. Patience is exponential with mean 60 days. */
static const char *late_cfg =
    "run: { horizon_months = 24; warmup_months = 0; };\n"
    "%s"
    "sources = ( { name = \"sa\"; rate_per_month = 10.0; %s },\n"
    "            { name = \"sb\"; rate_per_month = 10.0; %s } );\n"
    "waiting: { patience_days = { dist = \"exponential\"; mean = 60.0; }; };\n"
    "staff: { meeting_hours_per_day = 4.0;\n"
    "  roles = ( { name = \"cw\"; caseload_cap = 20.0; } );\n"
    "  teams = ( { name = \"ta\"; %s members = ( { role = \"cw\"; count = 2; } ); },\n"
    "            { name = \"tb\"; %s members = ( { role = \"cw\"; count = 2; start_month = 6.0; } ); } ); };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.12; shares = { work = 0.5; other = 0.5; }; };\n";

#define SITES_AB "sites = ( { name = \"a\"; }, { name = \"b\"; } );\n"

/* Tied, site b's referrals wait until its team starts, only b's workers
 * (2 and 3) take them and a's workers (0 and 1) never do. Those who give
 * up before month 6 are the Poisson arrivals over [0, 6) whose patience
 * ends first: mean 10 x (6 - th (1 - e^(-6/th))) with th the mean patience
 * in months (41.2); after month 6 site b has room for its backlog, so
 * that is the whole count. Untied, the same referrals start within the
 * first month and nobody of b waits for b's team. */
static void test_late_site_waits_for_its_staff(void **state)
{
    (void)state;
    config_scenario tied, untied;
    ts_load_cfg(&tied, late_cfg, SITES_AB, "site = \"a\";", "site = \"b\";", "site = \"a\";", "site = \"b\";");
    ts_load_cfg(&untied, late_cfg, "", "", "", "", "");
    const int site_of_source[2] = {1, 2};
    const double staffed = 6.0 * DPM;
    double theta = 60.0 / DPM;
    double expected_gave_up = 10.0 * (6.0 - theta * (1 - exp(-6.0 / theta)));
    stat_obs gave_up, gave_up_a;
    stat_obs_init(&gave_up);
    stat_obs_init(&gave_up_a);
    records recs = {0};
    uint64_t untied_early = 0;
    for (int rep = 0; rep < 30; rep++) {
        model_result r;
        ts_run_rep(&tied, rep, 1601, &recs, &r);
        check_site_counts(&tied, &r, &recs, site_of_source);
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (isnan(q->assignment_time))
                continue;
            if (q->source == 1) {
                if (q->assignment_time < staffed)
                    fail_msg("rep %d: a referral of site b was assigned at day %.2f, before its team started (%.2f)",
                             rep, q->assignment_time, staffed);
                assert_true(q->worker == 2 || q->worker == 3);
            } else {
                assert_true(q->worker == 0 || q->worker == 1);
            }
        }
        stat_obs_add(&gave_up, (double)r.site_gave_up[1]);
        stat_obs_add(&gave_up_a, (double)r.site_gave_up[0]);
        model_result_free(&r);

        ts_run_rep(&untied, rep, 1601, &recs, &r);
        for (size_t i = 0; i < recs.n; i++)
            untied_early += recs.items[i].source == 1 && recs.items[i].assignment_time < staffed;
        model_result_free(&r);
    }
    TS_ASSERT_IN_CI("gave up waiting for site b's late team", expected_gave_up, stat_obs_mean(&gave_up),
                    ci_half(&gave_up));
    /* Site a has room for its own from day one: hardly anyone gives up. */
    assert_true(stat_obs_mean(&gave_up_a) < 1.0);
    print_message("  untied: %.1f of b's referrals a replication assigned before month 6\n", untied_early / 30.0);
    assert_true(untied_early > 30 * 20);
    free(recs.items);
    config_scenario_free(&tied);
    config_scenario_free(&untied);
}

/* ---- two M/M/c sites against one pooled M/M/2c -------------------------- */

static double erlang_c(int c, double a)
{
    double term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double last = term * c / (c - a);
    return last / (sum + last);
}

/* Each worker holds one participant (cap 1), who has one exponential
 * meeting and leaves: a site of c workers with Poisson referrals is M/M/c. */
static const char *queue_cfg =
    "run: { horizon_months = 200; warmup_months = 12; };\n"
    "%s"
    "sources = ( { name = \"sa\"; rate_per_month = %.17g; %s },\n"
    "            { name = \"sb\"; rate_per_month = %.17g; %s } );\n"
    "staff: { meeting_hours_per_day = 4.0;\n"
    "  roles = ( { name = \"cw\"; caseload_cap = 1.0; } );\n"
    "  teams = ( { name = \"ta\"; %s members = ( { role = \"cw\"; count = 2; } ); },\n"
    "            { name = \"tb\"; %s members = ( { role = \"cw\"; count = 2; } ); } ); };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 4.0; };\n"
    "            own_time_days = { dist = \"deterministic\"; value = 0.0; }; };\n"
    "exits: { probability_per_meeting = 1.0; shares = { done = 1.0; }; };\n";

static void test_tied_sites_are_separate_queues(void **state)
{
    (void)state;
    const double lambda = 1.5, mu = 1.0; /* per day, per site; 2 workers per site */
    double rate = lambda * DPM;
    config_scenario tied, pooled;
    ts_load_cfg(&tied, queue_cfg, SITES_AB, rate, "site = \"a\";", rate, "site = \"b\";", "site = \"a\";",
             "site = \"b\";");
    ts_load_cfg(&pooled, queue_cfg, "", rate, "", rate, "", "", "");
    double wq_site = erlang_c(2, lambda / mu) / (2 * mu - lambda);
    double wq_pooled = erlang_c(4, 2 * lambda / mu) / (4 * mu - 2 * lambda);
    stat_obs wait_a, wait_b, wait_pooled;
    stat_obs_init(&wait_a);
    stat_obs_init(&wait_b);
    stat_obs_init(&wait_pooled);
    records recs = {0};
    const double warm = 12 * DPM;
    const int site_of_source[2] = {1, 2};
    for (int rep = 0; rep < 20; rep++) {
        model_result r;
        ts_run_rep(&tied, rep, 1602, &recs, &r);
        check_site_counts(&tied, &r, &recs, site_of_source);
        double sum[2] = {0}, n[2] = {0};
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (q->referral_time < warm || isnan(q->assignment_time))
                continue;
            /* tied: each site's workers only */
            assert_true(q->source == 0 ? q->worker < 2 : q->worker >= 2);
            sum[q->source] += q->assignment_time - q->referral_time;
            n[q->source]++;
        }
        stat_obs_add(&wait_a, sum[0] / n[0]);
        stat_obs_add(&wait_b, sum[1] / n[1]);
        model_result_free(&r);
        ts_run_rep(&pooled, rep, 1602, NULL, &r);
        stat_obs_add(&wait_pooled, stat_obs_mean(&r.wait_days));
        model_result_free(&r);
    }
    free(recs.items);
    TS_ASSERT_IN_CI("site a: M/M/2 wait Wq (days)", wq_site, stat_obs_mean(&wait_a), ci_half(&wait_a));
    TS_ASSERT_IN_CI("site b: M/M/2 wait Wq (days)", wq_site, stat_obs_mean(&wait_b), ci_half(&wait_b));
    TS_ASSERT_IN_CI("untied: pooled M/M/4 wait Wq (days)", wq_pooled, stat_obs_mean(&wait_pooled),
                    ci_half(&wait_pooled));
    /* Pooling shortens the wait, by more than both intervals together. */
    assert_true(stat_obs_mean(&wait_pooled) + ci_half(&wait_pooled) <
                stat_obs_mean(&wait_a) - ci_half(&wait_a));
    config_scenario_free(&tied);
    config_scenario_free(&pooled);
}

/* ---- lending places ------------------------------------------------------- */

/* Site a has room to spare (4 workers, cap 20, 5 referrals a month, who
 * stay about two months); site b is overloaded (1 worker, cap 20, 20 a
 * month), nobody gives up. */
static const char *lend_cfg =
    "run: { horizon_months = 36; warmup_months = 0; };\n"
    "sites = ( { name = \"a\"; %s }, { name = \"b\"; } );\n"
    "sources = ( { name = \"sa\"; rate_per_month = 5.0; site = \"a\"; },\n"
    "            { name = \"sb\"; rate_per_month = 20.0; site = \"b\"; } );\n"
    "staff: { meeting_hours_per_day = 4.0;\n"
    "  roles = ( { name = \"cw\"; caseload_cap = 20.0; } );\n"
    "  teams = ( { name = \"ta\"; site = \"a\"; members = ( { role = \"cw\"; count = 4; } ); },\n"
    "            { name = \"tb\"; site = \"b\"; members = ( { role = \"cw\"; } ); } ); };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.12; shares = { work = 0.5; other = 0.5; }; };\n";

/* Without lending no b referral ever reaches a worker of a; lending from
 * month 12, none does before month 12 and many do after, so b's backlog
 * at the horizon shrinks; a's own referrals are never refused a place
 * they could have had (each one referred while a's workers had room
 * starts at once). */
static void test_lending_places_from_a_month(void **state)
{
    (void)state;
    config_scenario lend, keep;
    ts_load_cfg(&lend, lend_cfg, "lends_places_from_month = 12.0;");
    ts_load_cfg(&keep, lend_cfg, "");
    const int site_of_source[2] = {1, 2};
    records recs = {0};
    stat_obs lent, backlog_lend, backlog_keep;
    stat_obs_init(&lent);
    stat_obs_init(&backlog_lend);
    stat_obs_init(&backlog_keep);
    for (int rep = 0; rep < 20; rep++) {
        model_result r;
        ts_run_rep(&keep, rep, 1603, &recs, &r);
        check_site_counts(&keep, &r, &recs, site_of_source);
        for (size_t i = 0; i < recs.n; i++)
            if (recs.items[i].source == 1 && recs.items[i].worker >= 0)
                assert_int_equal(recs.items[i].worker, 4);
        stat_obs_add(&backlog_keep, (double)r.site_waiting_at_end[1]);
        model_result_free(&r);

        ts_run_rep(&lend, rep, 1603, &recs, &r);
        check_site_counts(&lend, &r, &recs, site_of_source);
        double n_lent = 0;
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (q->source == 1 && q->worker >= 0 && q->worker < 4) {
                if (q->assignment_time < 12 * DPM - 1e-6)
                    fail_msg("rep %d: b's referral placed with a at day %.2f, before lending began", rep,
                             q->assignment_time);
                n_lent++;
            }
            /* a's own: while a has room they start at once, as without lending */
            if (q->source == 0 && q->assignment_time < 12 * DPM)
                assert_true(q->assignment_time == q->referral_time);
        }
        stat_obs_add(&lent, n_lent);
        stat_obs_add(&backlog_lend, (double)r.site_waiting_at_end[1]);
        model_result_free(&r);
    }
    free(recs.items);
    print_message("  b's referrals placed with a after month 12: %.1f a replication; b's backlog at month 36: "
                  "%.1f lending, %.1f not\n", stat_obs_mean(&lent), stat_obs_mean(&backlog_lend),
                  stat_obs_mean(&backlog_keep));
    assert_true(stat_obs_mean(&lent) - ci_half(&lent) > 20);
    assert_true(stat_obs_mean(&backlog_lend) + ci_half(&backlog_lend) <
                stat_obs_mean(&backlog_keep) - ci_half(&backlog_keep));
    config_scenario_free(&lend);
    config_scenario_free(&keep);
}

/* ---- off: the same run ---------------------------------------------------- */

/* Sites listed and every team tied, but no source tied: every referral is
 * untied and may go to any worker, as without sites, so the run is the
 * same draw for draw. */
static void test_untied_sources_change_nothing(void **state)
{
    (void)state;
    config_scenario with, without;
    ts_load_cfg(&with, late_cfg, SITES_AB, "", "", "site = \"a\";", "site = \"b\";");
    ts_load_cfg(&without, late_cfg, "", "", "", "", "");
    records ra = {0}, rb = {0};
    for (int rep = 0; rep < 5; rep++) {
        model_result x, y;
        ts_run_rep(&with, rep, 1604, &ra, &x);
        ts_run_rep(&without, rep, 1604, &rb, &y);
        assert_int_equal(x.events, y.events);
        assert_int_equal(x.referrals, y.referrals);
        assert_int_equal(x.exits, y.exits);
        TS_ASSERT_SAME_DOUBLE(x.mean_waiting, y.mean_waiting);
        assert_int_equal(ra.n, rb.n);
        for (size_t i = 0; i < ra.n; i++) {
            TS_ASSERT_SAME_DOUBLE(ra.items[i].assignment_time, rb.items[i].assignment_time);
            TS_ASSERT_SAME_DOUBLE(ra.items[i].exit_time, rb.items[i].exit_time);
            assert_int_equal(ra.items[i].worker, rb.items[i].worker);
        }
        for (int k = 0; k < 2; k++)
            assert_int_equal(x.site_referred[k], 0);
        model_result_free(&x);
        model_result_free(&y);
    }
    free(ra.items);
    free(rb.items);
    config_scenario_free(&with);
    config_scenario_free(&without);
}

/* ---- priority on a site's list --------------------------------------------- */

/* One worker, cap 1, one exponential meeting each: an M/M/1 queue with
 * lambda 0.8 and mu 1 a day, 30 % urgent (priority 1) and 70 % routine, as
 * test_mechanisms.c's test_waiting_priority but tied to sites. Under
 * waiting.policy = "priority" the waits are Cobham's non-preemptive ones,
 * W_k = W0 / ((1 - s_{k-1})(1 - s_k)) with W0 = lambda E[S^2] / 2 = 0.8 and
 * the cumulative loads s 0.24 and 0.8: 1.053 days urgent, 5.263 routine;
 * first come first served everyone waits rho / (mu - lambda) = 4 days.
 * Two layouts: both profiles from one source tied to site a, whose team
 * has the worker (a site's own list in priority order), and urgent from a
 * source tied to site c, routine from one tied to site b, taken only by
 * site a's worker, who lends its place from month 0 (the choice between
 * two sites' lists, which must also respect priority). Sites b and c have
 * a team whose member starts after the horizon. Until 2026-12-07 site
 * lists were served first come first served whatever the policy: both
 * layouts gave 4 days to both profiles. 20 replications of 348 months
 * after warm-up; 99 % intervals (about +-10 %, +-3.5 % for the urgent
 * wait, as in the untied test). */
static const char *priority_cfg =
    "run: { horizon_months = 360; warmup_months = 12; };\n"
    "sites = ( { name = \"a\"; lends_places_from_month = 0.0; }, { name = \"b\"; }, { name = \"c\"; } );\n"
    "profiles = ( { name = \"urgent\"; priority = 1; }, { name = \"routine\"; priority = 0; } );\n"
    "sources = ( %s );\n"
    "waiting: { policy = \"%s\"; };\n"
    "staff: { meeting_hours_per_day = 4.0;\n"
    "  roles = ( { name = \"cw\"; caseload_cap = 1.0; } );\n"
    "  teams = ( { name = \"ta\"; site = \"a\"; members = ( { role = \"cw\"; count = 1; } ); },\n"
    "            { name = \"tb\"; site = \"b\"; members = ( { role = \"cw\"; start_month = 1000.0; } ); },\n"
    "            { name = \"tc\"; site = \"c\"; members = ( { role = \"cw\"; start_month = 1000.0; } ); } ); };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 4.0; };\n"
    "            own_time_days = { dist = \"deterministic\"; value = 0.0; }; };\n"
    "exits: { probability_per_meeting = 1.0; shares = { work = 1.0; }; };\n";

static void check_priority_layout(const char *what, const char *sources)
{
    const double lambda = 0.8, w0 = 0.8, s1 = 0.24, s2 = 0.8;
    char src[512];
    snprintf(src, sizeof src, sources, 0.3 * lambda * DPM, 0.7 * lambda * DPM);
    config_scenario prio, fifo;
    ts_load_cfg(&prio, priority_cfg, src, "priority");
    ts_load_cfg(&fifo, priority_cfg, src, "fifo");
    stat_obs w[2][2];
    for (int a = 0; a < 2; a++)
        for (int k = 0; k < 2; k++)
            stat_obs_init(&w[a][k]);
    records recs = {0};
    for (int rep = 0; rep < 20; rep++)
        for (int a = 0; a < 2; a++) {
            model_result r;
            ts_run_rep(a == 0 ? &prio : &fifo, rep, 1605, &recs, &r);
            double sum[2] = {0}, n[2] = {0};
            for (size_t i = 0; i < recs.n; i++) {
                const model_participant *q = &recs.items[i];
                assert_true(isnan(q->assignment_time) || q->worker == 0); /* site a's worker only */
                if (q->referral_time >= 12 * DPM && !isnan(q->assignment_time)) {
                    sum[q->profile] += q->assignment_time - q->referral_time;
                    n[q->profile]++;
                }
            }
            for (int k = 0; k < 2; k++)
                stat_obs_add(&w[a][k], sum[k] / n[k]);
            model_result_free(&r);
        }
    print_message("%s\n", what);
    TS_ASSERT_IN_CI("priority: urgent wait (days), Cobham", w0 / (1 - s1), stat_obs_mean(&w[0][0]),
                    ci_half(&w[0][0]));
    TS_ASSERT_IN_CI("priority: routine wait (days), Cobham", w0 / ((1 - s1) * (1 - s2)), stat_obs_mean(&w[0][1]),
                    ci_half(&w[0][1]));
    TS_ASSERT_IN_CI("fifo: urgent wait (days), rho / (mu - lambda)", 4.0, stat_obs_mean(&w[1][0]), ci_half(&w[1][0]));
    TS_ASSERT_IN_CI("fifo: routine wait (days), rho / (mu - lambda)", 4.0, stat_obs_mean(&w[1][1]),
                    ci_half(&w[1][1]));
    free(recs.items);
    config_scenario_free(&prio);
    config_scenario_free(&fifo);
}

static void test_priority_on_site_lists(void **state)
{
    (void)state;
    check_priority_layout("one site's own list",
                          "{ name = \"s\"; site = \"a\"; rate_per_month = %.17g; profiles = { urgent = 1.0; }; },\n"
                          "{ name = \"t\"; site = \"a\"; rate_per_month = %.17g; profiles = { routine = 1.0; }; }");
    check_priority_layout("two sites' lists, places lent by site a",
                          "{ name = \"sc\"; site = \"c\"; rate_per_month = %.17g; profiles = { urgent = 1.0; }; },\n"
                          "{ name = \"sb\"; site = \"b\"; rate_per_month = %.17g; profiles = { routine = 1.0; }; }");
}

/* ---- bad input ------------------------------------------------------------ */

static void test_bad_site_names(void **state)
{
    (void)state;
    static char text[8192];
    snprintf(text, sizeof text, late_cfg, SITES_AB, "site = \"a\";", "site = \"c\";", "site = \"a\";", "site = \"b\";");
    const char *why = ts_rejection(text);
    TS_ASSERT_CONTAINS(why, "sources[1].site");
    TS_ASSERT_CONTAINS(why, "no site named 'c'");
    snprintf(text, sizeof text, late_cfg, SITES_AB, "", "", "site = \"a\";", "site = \"lag9\";");
    why = ts_rejection(text);
    TS_ASSERT_CONTAINS(why, "staff.teams[1].site");
    TS_ASSERT_CONTAINS(why, "no site named 'lag9'");
    snprintf(text, sizeof text, late_cfg, "", "site = \"a\";", "", "", "");
    why = ts_rejection(text);
    TS_ASSERT_CONTAINS(why, "sources[0].site");
    TS_ASSERT_CONTAINS(why, "no `sites` list");
    snprintf(text, sizeof text, late_cfg, SITES_AB, "", "", "site = \"a\";", "site = \"a\";");
    why = ts_rejection(text);
    TS_ASSERT_CONTAINS(why, "sites[1]");
    TS_ASSERT_CONTAINS(why, "no team of staff.teams names site 'b'");
    snprintf(text, sizeof text, late_cfg, "sites = ( { name = \"a\"; lends_places_from_month = -1.0; } );\n", "", "",
             "site = \"a\";", "site = \"a\";");
    TS_ASSERT_CONTAINS(ts_rejection(text), "sites[0].lends_places_from_month");

    /* From the command line: one message naming the key, exit 2. */
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    snprintf(text, sizeof text, late_cfg, SITES_AB, "site = \"a\";", "site = \"c\";", "site = \"a\";", "site = \"b\";");
    char cfg[PATH_MAX], out_path[PATH_MAX], err_path[PATH_MAX], cmd[2 * PATH_MAX];
    ts_write_temp(text, strlen(text), cfg);
    ts_write_temp("", 0, out_path);
    ts_write_temp("", 0, err_path);
    snprintf(cmd, sizeof cmd, "'%s' check '%s'", bin, cfg);
    char *out = NULL, *err = NULL;
    int code = ts_shell_capture(NULL, cmd, out_path, err_path, &out, &err);
    ts_print_run("check (a source naming an unknown site)", code, err);
    assert_int_equal(code, 2);
    TS_ASSERT_CONTAINS(err, "sources[1].site: no site named 'c'");
    assert_int_equal(ts_count_newlines(err), 1);
    free(out);
    free(err);
    unlink(cfg);
    unlink(out_path);
    unlink(err_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_site_waits_for_its_staff),
        cmocka_unit_test(test_tied_sites_are_separate_queues),
        cmocka_unit_test(test_lending_places_from_a_month),
        cmocka_unit_test(test_untied_sources_change_nothing),
        cmocka_unit_test(test_priority_on_site_lists),
        cmocka_unit_test(test_bad_site_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
