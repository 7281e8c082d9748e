/*
 * test_handover.c — the hand-over mechanisms (model_handover.c): the
 * successor project that takes the stock at the close, receivers of onward
 * exits with a monthly intake, and call-in chances by profile; each shown
 * to act in the right direction and by the right amount, and bad input
 * refused at its key.
 *
 * Sizes:
 *  - the successor: exactly the stock present at the close (waiting plus
 *    assigned, from the same seeds without a successor: the transfer draws
 *    nothing, so both runs agree up to the close), and every person
 *    accounted for (referred = exits + transfers + present); with places and
 *    intake, exactly min(stock, places) in monthly batches of the intake;
 *  - receivers: with deterministic quota referrals and meetings, the counts
 *    and the days waited are exact (a FIFO replayed here from the rule); with
 *    Poisson referrals the stock stuck at the horizon grows at the excess
 *    rate (onward exits a month minus the intake), inside the 99 % interval
 *    over replications;
 *  - call-in by profile: the consultations are binomial with each profile's
 *    own chance, within z(99.9 %) standard deviations of the pooled count.
 */
#include "test_support.h"

#include "engine/eng_rng.h"
#include "engine/eng_stats.h"
#include "model/model_casework.h"
#include "output/service.h"
#include "scenario/config.h"

#define DPM MODEL_DAYS_PER_MONTH

/* The loader's message for a text it must refuse. */
static void expect_refused(const char *text, const char *needle)
{
    config_scenario sc;
    config_error err;
    int rc = config_load_text(&sc, "bad.cfg", text, NULL, 0, &err);
    if (rc == 0) {
        config_scenario_free(&sc);
        fail_msg("accepted, expected a message naming %s:\n%s", needle, text);
    }
    print_message("  refused: %s\n", err.message);
    TS_ASSERT_CONTAINS(err.message, needle);
    assert_null(strchr(err.message, '\n'));
}

/* A busy programme: 15 places for 20 referrals a month, so both a
 * caseload and a waiting list are present at the close (month 12 of 24). */
#define BUSY                                                                                            \
    "run: { horizon_months = 24; warmup_months = 0; };\n"                                               \
    "referrals: { rate_per_month = 20.0; };\n"                                                          \
    "staff: { workers = 3; caseload_cap = 5; meeting_hours_per_day = 4.0; };\n"                         \
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"                        \
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"                         \
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.3; other = 0.7; }; };\n"

/* ---- the successor ------------------------------------------------------- */

/* Everyone present at the end of month 12 goes on, and only they: each
 * transfer is at the close (or when the meeting under way ends, within a
 * day), nobody referred before the close is left or leaves later, and the
 * count is the stock of the run without a successor at that month end. */
static void test_successor_takes_the_stock(void **state)
{
    (void)state;
    static const char *const takes[] = {"all", "assigned", "waiting"};
    config_scenario base;
    ts_load_cfg(&base, BUSY);
    records recs = {0};
    double close = 12 * DPM;
    for (int t = 0; t < 3; t++) {
        config_scenario sc;
        ts_load_cfg(&sc, BUSY "successor = { name = \"vidare\"; month = 12; take = \"%s\"; };\n", takes[t]);
        uint64_t moved = 0;
        for (int rep = 0; rep < 10; rep++) {
            model_result without, with;
            ts_run_rep(&base, rep, 7001, NULL, &without);
            ts_run_rep(&sc, rep, 7001, &recs, &with);
            double waiting = without.series.waiting[11], active = without.series.active[11];
            double stock = t == 0 ? waiting + active : t == 1 ? active : waiting;
            assert_true(waiting > 0 && active > 0);
            assert_int_equal(with.transferred, (uint64_t)stock);
            assert_int_equal(with.transferred_waiting, t == 1 ? 0 : (uint64_t)waiting);
            assert_int_equal(with.successor_left, 0);
            /* the runs agree up to the close */
            for (int m = 0; m < 12; m++)
                TS_ASSERT_SAME_DOUBLE(with.series.active[m], without.series.active[m]);
            uint64_t fate[5] = {0}, present_later = 0;
            for (size_t i = 0; i < recs.n; i++) {
                const model_participant *q = &recs.items[i];
                fate[q->fate]++;
                if (q->fate == FATE_TRANSFERRED) {
                    assert_true(q->referral_time < close);
                    assert_true(q->exit_time >= close - 1e-9 && q->exit_time < close + 1.0);
                    assert_int_equal(q->destination, -1);
                    assert_true(isnan(q->assignment_time) == (t == 2) || t == 0);
                }
                int before = q->referral_time < close;
                int assigned_at_close = !isnan(q->assignment_time) && q->assignment_time < close;
                int taken = t == 0 || (t == 1) == assigned_at_close;
                if (before && taken && q->fate != FATE_TRANSFERRED && !(q->fate == FATE_EXITED && q->exit_time <= close))
                    present_later++;
            }
            assert_int_equal(present_later, 0);
            assert_int_equal(fate[FATE_TRANSFERRED], with.transferred);
            /* referred = exits + transfers + present (nobody rejected or gave up) */
            assert_int_equal(with.referrals, with.exits + with.transferred + with.waiting_at_end + with.active_at_end);
            assert_int_equal(recs.n, with.referrals);
            moved += with.transferred;
            model_result_free(&without);
            model_result_free(&with);
        }
        print_message("  take = %-8s moved %llu in 10 replications\n", takes[t], (unsigned long long)moved);
        config_scenario_free(&sc);
    }
    records_free(&recs);
    config_scenario_free(&base);
}

/* Places 7 and an intake of 3 a month: 3 at the close, 3 a month later,
 * 1 the month after, then none; those present at the close and not taken
 * are counted as left. People give up waiting here, so the accounting
 * covers every fate (patience a year, so the waiting list at the close,
 * about 90, holds far more than the 7 places). */
static void test_successor_capacity(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, BUSY "successor = { name = \"vidare\"; month = 12; places = 7; intake_per_month = 3.0; };\n"
                       "waiting: { patience_days = { dist = \"exponential\"; mean = 365.0; }; };\n");
    records recs = {0};
    double close = 12 * DPM;
    for (int rep = 0; rep < 10; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 7002, &recs, &r);
        assert_int_equal(r.transferred, 7);
        int batch[4] = {0};
        uint64_t left = 0;
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (q->fate == FATE_TRANSFERRED) {
                int k = (int)floor((q->exit_time - close + 1e-9) / DPM);
                assert_true(k >= 0 && k < 4 && q->exit_time - (close + k * DPM) < 1.0);
                batch[k]++;
            }
            left += q->referral_time < close && q->fate == FATE_PRESENT;
        }
        assert_int_equal(batch[0], 3);
        assert_int_equal(batch[1], 3);
        assert_int_equal(batch[2], 1);
        assert_int_equal(batch[3], 0);
        assert_int_equal(r.successor_left, left);
        /* referred = exits + transfers + gave up + present */
        assert_true(r.reneged_measured > 0);
        assert_int_equal(r.referrals, r.exits + r.transferred + r.reneged_measured + r.waiting_at_end + r.active_at_end);
        model_result_free(&r);
    }
    records_free(&recs);
    config_scenario_free(&sc);
}

/* The service levels end a wait at the transfer: the mean wait (Little's
 * law over the records, output/service.c) counts those handed on from the
 * waiting list at month 12 as waiting until then, not until the horizon.
 * Recomputed here from the records: referral to assignment, or to the
 * transfer, or to the horizon; over everyone accepted. */
static void test_service_wait_ends_at_transfer(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, BUSY "successor = { name = \"vidare\"; month = 12; take = \"waiting\"; };\n");
    records recs = {0};
    double horizon = 24 * DPM;
    for (int rep = 0; rep < 3; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 7006, &recs, &r);
        service_row row;
        assert_int_equal(service_trial(&sc.model, &r, recs.items, recs.n, &row), 0);
        double area = 0, area_to_horizon = 0;
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            double until = !isnan(q->assignment_time) ? q->assignment_time
                           : q->fate == FATE_TRANSFERRED ? q->exit_time : horizon;
            area += until - q->referral_time;
            area_to_horizon += (isnan(q->assignment_time) ? horizon : q->assignment_time) - q->referral_time;
        }
        double expected = area / (double)recs.n, old = area_to_horizon / (double)recs.n;
        print_message("  mean wait %.3f days (recomputed %.3f; to the horizon it would be %.3f)\n",
                      row.wait[0][SERVICE_MEAN], expected, old);
        assert_true(r.transferred_waiting > 0 && old > expected + 1.0);
        assert_true(fabs(row.wait[0][SERVICE_MEAN] - expected) <= 1e-9 * expected);
        model_result_free(&r);
    }
    records_free(&recs);
    config_scenario_free(&sc);
}

/* With sites: the successor empties each site's waiting list and
 * caseloads at the close, so the first referral of each site after it
 * finds its site's worker free and starts at once. (Were the site's list
 * still counted as holding people, the newcomer would queue behind nobody
 * until the next exit.) */
static void test_successor_with_sites(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, "run: { horizon_months = 12; warmup_months = 0; };\n"
                  "sites = ( { name = \"a\"; }, { name = \"b\"; } );\n"
                  "sources = ( { name = \"sa\"; rate_per_month = 15.0; site = \"a\"; },\n"
                  "            { name = \"sb\"; rate_per_month = 15.0; site = \"b\"; } );\n"
                  "staff: { meeting_hours_per_day = 4.0; roles = ( { name = \"cw\"; caseload_cap = 5.0; } );\n"
                  "  teams = ( { name = \"ta\"; site = \"a\"; members = ( { role = \"cw\"; } ); },\n"
                  "            { name = \"tb\"; site = \"b\"; members = ( { role = \"cw\"; } ); } ); };\n"
                  "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
                  "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
                  "exits: { probability_per_meeting = 0.2; shares = { work = 1.0; }; };\n"
                  "successor = { name = \"vidare\"; month = 6; };\n");
    records recs = {0};
    double close = 6 * DPM;
    for (int rep = 0; rep < 5; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 7007, &recs, &r);
        assert_true(r.transferred_waiting > 0);
        double first[2] = {INFINITY, INFINITY}, start[2] = {NAN, NAN};
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (q->referral_time > close && q->referral_time < first[q->source]) {
                first[q->source] = q->referral_time;
                start[q->source] = q->assignment_time;
            }
        }
        for (int k = 0; k < 2; k++)
            assert_true(start[k] == first[k]);
        assert_int_equal(r.referrals, r.exits + r.transferred + r.waiting_at_end + r.active_at_end);
        model_result_free(&r);
    }
    records_free(&recs);
    config_scenario_free(&sc);
}

/* ---- receivers ----------------------------------------------------------- */

/* Ten referrals a month by quota (at (i + 0.5) / 10 of each month), one
 * meeting of 0.125 days each and out, all to "af", whose receiver takes 4 a
 * month: over 24 months 240 exits, 4 admitted at once in month 0, the other
 * 236 stuck, 4 x 23 of them taken at the next 23 month starts, 144 still
 * stuck at the horizon. The days they waited are replayed here from the
 * rule. With when_full = "wait" they wait in the programme: the exits are
 * those the receiver took, and the stuck are still present at the horizon;
 * with "leave" every exit happens when drawn. */
#define QUOTA_TO_AF                                                                                     \
    "run: { horizon_months = 24; warmup_months = 0; };\n"                                               \
    "sources = ( { name = \"af_office\"; kind = \"quota\"; rate_per_month = 10.0; } );\n"               \
    "staff: { workers = 10; caseload_cap = 100; meeting_hours_per_day = 4.0; };\n"                      \
    "casework: { meeting_hours = { dist = \"deterministic\"; value = 0.5; };\n"                         \
    "            own_time_days = { dist = \"deterministic\"; value = 0.0; }; };\n"                      \
    "exits: { probability_per_meeting = 1.0; shares = { af = 1.0; work = 0.0; };\n"                    \
    "         receivers = ( { destination = \"af\"; intake_per_month = 4.0; when_full = \"%s\"; } ); };\n"

static void test_receiver_exact(void **state)
{
    (void)state;
    /* the replay: exit n (month k, i-th of 10) at k DPM + (i + 0.5) DPM / 10 + 0.125 */
    double expected_days = 0;
    {
        double queue[240];
        int head = 0, tail = 0, room = 4;
        for (int k = 0; k < 24; k++) {
            if (k > 0) {
                room = 4;
                while (room > 0 && head < tail) {
                    expected_days += k * DPM - queue[head++];
                    room--;
                }
            }
            for (int i = 0; i < 10; i++) {
                double t = k * DPM + (i + 0.5) * DPM / 10 + 0.125;
                if (head == tail && room > 0)
                    room--;
                else
                    queue[tail++] = t;
            }
        }
    }
    for (int leave = 0; leave < 2; leave++) {
        config_scenario sc;
        ts_load_cfg(&sc, QUOTA_TO_AF, leave ? "leave" : "wait");
        model_result r;
        ts_run_rep(&sc, 0, 7003, NULL, &r);
        print_message("  when_full = %s: stuck %llu, taken %llu, still stuck %llu, %.2f days each (expected %.2f)\n",
                      leave ? "leave" : "wait", (unsigned long long)r.stuck[0], (unsigned long long)r.stuck_received[0],
                      (unsigned long long)r.stuck_at_end[0], r.stuck_days[0] / (double)r.stuck_received[0],
                      expected_days / 92);
        assert_int_equal(r.referrals, 240);
        assert_int_equal(r.stuck[0], 236);
        assert_int_equal(r.stuck_received[0], 92);
        assert_int_equal(r.stuck_at_end[0], 144);
        assert_true(fabs(r.stuck_days[0] - expected_days) < 1e-6 * expected_days);
        if (leave) {
            assert_int_equal(r.exits, 240);
            assert_int_equal(r.active_at_end, 0);
        } else {
            assert_int_equal(r.exits, 96);
            assert_int_equal(r.active_at_end, 144);
        }
        model_result_free(&r);
        config_scenario_free(&sc);
    }
    /* Without the receiver nobody is stuck and all 240 leave. */
    config_scenario sc;
    ts_load_cfg(&sc, "run: { horizon_months = 24; warmup_months = 0; };\n"
                  "sources = ( { name = \"af_office\"; kind = \"quota\"; rate_per_month = 10.0; } );\n"
                  "staff: { workers = 10; caseload_cap = 100; meeting_hours_per_day = 4.0; };\n"
                  "casework: { meeting_hours = { dist = \"deterministic\"; value = 0.5; };\n"
                  "            own_time_days = { dist = \"deterministic\"; value = 0.0; }; };\n"
                  "exits: { probability_per_meeting = 1.0; shares = { af = 1.0; work = 0.0; }; };\n");
    model_result r;
    ts_run_rep(&sc, 0, 7003, NULL, &r);
    assert_int_equal(r.exits, 240);
    assert_int_equal(r.stuck[0], 0);
    model_result_free(&r);
    config_scenario_free(&sc);
}

/* Poisson referrals of 20 a month, half of the exits onward to "af" whose
 * receiver takes 4 a month: the stock stuck grows at 10 - 4 = 6 a month,
 * 144 at 24 months (less than 1 more from months whose queue held fewer
 * than 4 at the month start, early on). 40 replications: sd about
 * sqrt(240) = 15.5 each, so the 99 % interval is about +-6.6. The same
 * seeds with an intake of 8 leave fewer stuck, by about 4 x 24 = 96. */
static void test_receiver_excess_rate(void **state)
{
    (void)state;
    static const char *const cfg =
        "run: { horizon_months = 24; warmup_months = 0; };\n"
        "referrals: { rate_per_month = 20.0; };\n"
        "staff: { workers = 10; caseload_cap = 100; meeting_hours_per_day = 4.0; };\n"
        "casework: { meeting_hours = { dist = \"deterministic\"; value = 0.5; };\n"
        "            own_time_days = { dist = \"deterministic\"; value = 0.0; }; };\n"
        "exits: { probability_per_meeting = 1.0; shares = { af = 0.5; work = 0.5; };\n"
        "         receivers = ( { destination = \"af\"; intake_per_month = %g; when_full = \"leave\"; } ); };\n";
    config_scenario four, eight;
    ts_load_cfg(&four, cfg, 4.0);
    ts_load_cfg(&eight, cfg, 8.0);
    stat_obs at_end, diff;
    stat_obs_init(&at_end);
    stat_obs_init(&diff);
    for (int rep = 0; rep < 40; rep++) {
        model_result a, b;
        ts_run_rep(&four, rep, 7004, NULL, &a);
        ts_run_rep(&eight, rep, 7004, NULL, &b);
        /* the same exits in both (the receiver draws nothing) */
        assert_int_equal(a.exits_by_destination[0], b.exits_by_destination[0]);
        assert_int_equal(a.stuck_at_end[0], a.stuck[0] - a.stuck_received[0]);
        stat_obs_add(&at_end, (double)a.stuck_at_end[0]);
        stat_obs_add(&diff, (double)a.stuck_at_end[0] - (double)b.stuck_at_end[0]);
        model_result_free(&a);
        model_result_free(&b);
    }
    TS_ASSERT_IN_CI("stuck at 24 months, intake 4 (6 a month)", 144.0, stat_obs_mean(&at_end),
                    stat_obs_ci_halfwidth(&at_end, 0.99));
    TS_ASSERT_IN_CI("intake 4 minus intake 8, stuck at 24 months", 96.0, stat_obs_mean(&diff),
                    stat_obs_ci_halfwidth(&diff, 0.99) + 1.0);
    config_scenario_free(&four);
    config_scenario_free(&eight);
}

/* A receiver and the successor together: those waiting in the programme
 * for a receiver at the close go on to the successor, and everyone is
 * accounted for. */
static void test_receiver_and_successor(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, QUOTA_TO_AF "successor = { name = \"vidare\"; month = 24; };\n", "wait");
    model_result r;
    ts_run_rep(&sc, 0, 7003, NULL, &r);
    assert_int_equal(r.transferred, 144);
    assert_int_equal(r.stuck_at_end[0], 0);
    assert_int_equal(r.active_at_end, 0);
    assert_int_equal(r.referrals, r.exits + r.transferred);
    model_result_free(&r);
    config_scenario_free(&sc);
}

/* ---- call-in by profile --------------------------------------------------- */

/* Two profiles, "fk" (30 % of referrals) and "other"; the FK handläggare is
 * called in after a casework meeting that did not end the case with
 * probability 0.5 for fk clients and the role's 0.05 for the others. The
 * consultations (series meetings minus casework meetings) are a sum of two
 * binomials, checked within z(99.9 %) standard deviations (calls still
 * queued at the horizon, a handful, are far inside it); without the
 * override, the same seeds give about a tenth of fk's call-ins. */
static void test_call_in_by_profile(void **state)
{
    (void)state;
    static const char *const cfg =
        "run: { horizon_months = 24; warmup_months = 0; };\n"
        "profiles = ( { name = \"fk\"; }, { name = \"other\"; } );\n"
        "sources = ( { name = \"all\"; rate_per_month = 20.0; profiles = { fk = 0.3; other = 0.7; }; } );\n"
        "staff: { meeting_hours_per_day = 4.0;\n"
        "  roles = ( { name = \"cw\"; caseload_cap = 40.0; },\n"
        "            { name = \"fk_handlaggare\"; call_in_probability = 0.05; %s\n"
        "              meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; }; } );\n"
        "  teams = ( { name = \"t\"; members = ( { role = \"cw\"; count = 4; }, { role = \"fk_handlaggare\"; count = 2; } ); } ); };\n"
        "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
        "            own_time_days = { dist = \"exponential\"; mean = 10.0; }; };\n"
        "exits: { probability_per_meeting = 0.1; shares = { work = 1.0; }; };\n";
    config_scenario with, without;
    ts_load_cfg(&with, cfg, "call_in_by_profile = { fk = 0.5; };");
    ts_load_cfg(&without, cfg, "");
    records recs = {0};
    double consultations = 0, expected = 0, var = 0, fewer = 0;
    for (int rep = 0; rep < 10; rep++) {
        for (int arm = 0; arm < 2; arm++) {
            model_result r;
            ts_run_rep(arm ? &without : &with, rep, 7005, &recs, &r);
            double casework = 0, series = 0, eligible[2] = {0, 0};
            for (size_t i = 0; i < recs.n; i++) {
                const model_participant *q = &recs.items[i];
                casework += q->meetings;
                /* every meeting but the one that ended the case could call in */
                eligible[q->profile] += q->meetings - (q->fate == FATE_EXITED ? 1 : 0);
            }
            for (int m = 0; m < 24; m++)
                series += r.series.meetings[m];
            if (arm == 0) {
                consultations += series - casework;
                expected += 0.5 * eligible[0] + 0.05 * eligible[1];
                var += 0.25 * eligible[0] + 0.05 * 0.95 * eligible[1];
            } else {
                fewer += series - casework;
            }
            model_result_free(&r);
        }
    }
    double tol = ts_z(0.999) * sqrt(var);
    print_message("  consultations %.0f, expected %.1f +- %.1f; without the override %.0f\n", consultations, expected,
                  tol, fewer);
    if (!(fabs(consultations - expected) <= tol))
        fail_msg("consultations %.0f, expected %.1f within %.1f", consultations, expected, tol);
    assert_true(fewer < 0.5 * consultations);
    records_free(&recs);
    config_scenario_free(&with);
    config_scenario_free(&without);
}

/* ---- bad input --------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
#define BASE                                                                                            \
    "run: { horizon_months = 12; };\n"                                                                  \
    "referrals: { rate_per_month = 10.0; };\n"                                                          \
    "staff: { workers = 2; caseload_cap = 8; };\n"                                                      \
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"                        \
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    expect_refused(BASE "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; af = 0.6; };\n"
                        "  receivers = ( { destination = \"af_measure\"; intake_per_month = 2.0; } ); };\n",
                   "exits.receivers[0].destination");
    expect_refused(BASE "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; af = 0.6; };\n"
                        "  receivers = ( { destination = \"af\"; intake_per_month = -2.0; } ); };\n",
                   "exits.receivers[0].intake_per_month");
    expect_refused(BASE "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; af = 0.6; };\n"
                        "  receivers = ( { destination = \"af\"; } ); };\n",
                   "exits.receivers[0].intake_per_month");
    expect_refused(BASE "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; af = 0.6; };\n"
                        "  receivers = ( { destination = \"af\"; intake_per_month = 2.0; when_full = \"queue\"; } ); };\n",
                   "exits.receivers[0].when_full");
    expect_refused(BASE "exits: { probability_per_meeting = 0.2; shares = { work = 1.0; }; };\n"
                        "successor = { name = \"vidare\"; month = 12; places = -5; };\n",
                   "successor.places");
    expect_refused(BASE "exits: { probability_per_meeting = 0.2; shares = { work = 1.0; }; };\n"
                        "successor = { name = \"vidare\"; month = 13; };\n",
                   "successor.month");
    expect_refused(BASE "exits: { probability_per_meeting = 0.2; shares = { work = 1.0; }; };\n"
                        "successor = { name = \"vidare\"; month = 12; take = \"some\"; };\n",
                   "successor.take");
#undef BASE
    expect_refused("run: { horizon_months = 12; };\n"
                   "profiles = ( { name = \"fk\"; }, { name = \"other\"; } );\n"
                   "sources = ( { name = \"all\"; rate_per_month = 20.0; profiles = { fk = 0.3; other = 0.7; }; } );\n"
                   "staff: { roles = ( { name = \"cw\"; caseload_cap = 40.0; },\n"
                   "  { name = \"fk_h\"; call_in_by_profile = { fkk = 0.5; };\n"
                   "    meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; }; } );\n"
                   "  teams = ( { name = \"t\"; members = ( { role = \"cw\"; }, { role = \"fk_h\"; } ); } ); };\n"
                   "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
                   "            own_time_days = { dist = \"exponential\"; mean = 10.0; }; };\n"
                   "exits: { probability_per_meeting = 0.1; shares = { work = 1.0; }; };\n",
                   "staff.roles[1].call_in_by_profile.fkk");
}

/* Through the binary: exit 2 and one line naming the key. */
static void test_bad_input_exit_code(void **state)
{
    (void)state;
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    char dir[PATH_MAX], cfg[PATH_MAX + 16], out[PATH_MAX + 16], err[PATH_MAX + 16], cmd[4 * PATH_MAX];
    ts_make_temp_dir(dir);
    snprintf(cfg, sizeof cfg, "%s/bad.cfg", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(err, sizeof err, "%s/err.txt", dir);
    static const char text[] =
        "run: { horizon_months = 12; };\n"
        "referrals: { rate_per_month = 10.0; };\n"
        "staff: { workers = 2; caseload_cap = 8; };\n"
        "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
        "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
        "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; af = 0.6; };\n"
        "  receivers = ( { destination = \"af_measure\"; intake_per_month = 2.0; } ); };\n";
    ts_write_file(cfg, text, strlen(text));
    snprintf(cmd, sizeof cmd, "%s check %s", bin, cfg);
    char *o = NULL, *e = NULL;
    int code = ts_shell_capture(NULL, cmd, out, err, &o, &e);
    ts_print_run("check bad.cfg", code, e);
    assert_int_equal(code, 2);
    assert_int_equal(ts_count_newlines(e), 1);
    TS_ASSERT_CONTAINS(e, "exits.receivers[0].destination");
    TS_ASSERT_CONTAINS(e, "af_measure");
    free(o);
    free(e);
    ts_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_successor_takes_the_stock),
        cmocka_unit_test(test_successor_capacity),
        cmocka_unit_test(test_service_wait_ends_at_transfer),
        cmocka_unit_test(test_successor_with_sites),
        cmocka_unit_test(test_receiver_exact),
        cmocka_unit_test(test_receiver_excess_rate),
        cmocka_unit_test(test_receiver_and_successor),
        cmocka_unit_test(test_call_in_by_profile),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_bad_input_exit_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
