/*
 * test_seed_mechanisms.c — the mechanisms the seed reports need (issue 16),
 * each shown to act in the right direction and by the right amount:
 * share-target denominators, follow-up at any months, exit shares by
 * profile, maximum duration by profile, a measure that opens late.
 *
 * Like test_mechanisms.c, each test loads a scenario text with
 * config_load_text and runs model_run over fixed seeds; exact identities
 * are checked against the participant records, sizes against theory where
 * there is one. Every mechanism here is off by default, so each test also
 * shows that switching it off gives the unchanged run.
 */
#include "test_support.h"

#include "engine/eng_rng.h"
#include "scenario/config.h"
#include "model/model_casework.h"
#include "model/model_followup.h"

#define DPM MODEL_DAYS_PER_MONTH

/* ---- share-target denominators ------------------------------------------- */

/* One scenario with a waiting list at the deadline (two workers, cap 10,
 * 15 referrals a month: the caseloads fill in the first months) and four
 * share targets counting work and studies at month 18 of 24, one per
 * denominator. In every replication each value equals the count from the
 * records: work or studies over all exits; over exits to work, studies and
 * `done` (the completers); over everyone enrolled by the deadline; over
 * everyone referred by then (nobody is screened out or gives up, so that is
 * those who left, those in the programme and those waiting). The
 * denominators nest, so the shares fall in that order, strictly here
 * (left_early exits, a stock and a queue all exist). A fifth target without
 * a denominator is the exits target, and the run with no denominators at
 * all is the same run draw for draw. */
static const char *denominator_cfg =
    "run: { horizon_months = 24; warmup_months = 0; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 10; meeting_hours_per_day = 4.0; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.12;\n"
    "         shares = { work = 0.2; studies = 0.1; done = 0.4; left_early = 0.3; }; };\n"
    "targets = ( %s );\n";

static void test_target_denominators(void **state)
{
    (void)state;
    const char *with =
        "{ name = \"of_exits\"; kind = \"share\"; destinations = [ \"work\", \"studies\" ]; value = 0.3;\n"
        "  deadline_month = 18.0; denominator = \"exits\"; },\n"
        "{ name = \"of_completers\"; kind = \"share\"; destinations = [ \"work\", \"studies\" ]; value = 0.3;\n"
        "  deadline_month = 18.0; denominator = \"completers\"; completers = [ \"work\", \"studies\", \"done\" ]; },\n"
        "{ name = \"of_enrolled\"; kind = \"share\"; destinations = [ \"work\", \"studies\" ]; value = 0.3;\n"
        "  deadline_month = 18.0; denominator = \"enrolled\"; },\n"
        "{ name = \"of_in_programme\"; kind = \"share\"; destinations = [ \"work\", \"studies\" ]; value = 0.3;\n"
        "  deadline_month = 18.0; denominator = \"in_programme\"; },\n"
        "{ name = \"plain\"; kind = \"share\"; destinations = [ \"work\", \"studies\" ]; value = 0.3;\n"
        "  deadline_month = 18.0; }";
    const char *without = "{ name = \"plain\"; kind = \"share\"; destinations = [ \"work\", \"studies\" ]; value = 0.3;\n"
                          "  deadline_month = 18.0; }";
    config_scenario a, b;
    ts_load_cfg(&a, denominator_cfg, with);
    ts_load_cfg(&b, denominator_cfg, without);
    const double deadline = 18 * DPM;
    records recs = {0};
    double waiting_seen = 0;
    for (int rep = 0; rep < 20; rep++) {
        model_result ra, rb;
        ts_run_rep(&a, rep, 16001, &recs, &ra);
        ts_run_rep(&b, rep, 16001, NULL, &rb);
        double good = 0, exits = 0, completers = 0, enrolled = 0, referred = 0;
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            referred += q->referral_time <= deadline;
            enrolled += q->assignment_time <= deadline;
            if (q->fate == FATE_EXITED && q->exit_time <= deadline) {
                exits++;
                good += q->destination <= 1;
                completers += q->destination <= 2;
            }
        }
        waiting_seen += referred - enrolled;
        const double direct[4] = {good / exits, good / completers, good / enrolled, good / referred};
        for (int k = 0; k < 4; k++)
            TS_ASSERT_NEAR(ra.target_value[k], direct[k], 1e-12);
        assert_true(ra.target_value[1] > ra.target_value[0]);
        assert_true(ra.target_value[0] > ra.target_value[2]);
        assert_true(ra.target_value[2] > ra.target_value[3]);
        /* No denominator is "exits"; nothing else of the run moves. */
        TS_ASSERT_SAME_DOUBLE(ra.target_value[4], ra.target_value[0]);
        TS_ASSERT_SAME_DOUBLE(rb.target_value[0], ra.target_value[0]);
        assert_int_equal(ra.exits, rb.exits);
        assert_int_equal(ra.referrals, rb.referrals);
        assert_int_equal(ra.active_at_end, rb.active_at_end);
        model_result_free(&ra);
        model_result_free(&rb);
    }
    assert_true(waiting_seen > 0);
    records_free(&recs);
    config_scenario_free(&a);
    config_scenario_free(&b);
}

/* Each misuse gets one message naming the key. */
static void test_target_denominator_errors(void **state)
{
    (void)state;
    static char text[4096];
    static const struct {
        const char *target, *expect;
    } bad[] = {
        {"{ name = \"t\"; kind = \"exits\"; destinations = [ \"work\" ]; value = 5.0; deadline_month = 12.0;"
         " denominator = \"enrolled\"; }",
         "targets[0].denominator: only a share target"},
        {"{ name = \"t\"; kind = \"share\"; destinations = [ \"work\" ]; value = 0.5; deadline_month = 12.0;"
         " denominator = \"leavers\"; }",
         "targets[0].denominator: expected exits, completers, enrolled or in_programme"},
        {"{ name = \"t\"; kind = \"share\"; destinations = [ \"work\" ]; value = 0.5; deadline_month = 12.0;"
         " denominator = \"completers\"; }",
         "targets[0].completers: missing"},
        {"{ name = \"t\"; kind = \"share\"; destinations = [ \"work\", \"studies\" ]; value = 0.5; deadline_month = 12.0;"
         " denominator = \"completers\"; completers = [ \"work\", \"done\" ]; }",
         "targets[0].completers: must include every destination the target counts"},
        {"{ name = \"t\"; kind = \"share\"; destinations = [ \"work\" ]; value = 0.5; deadline_month = 12.0;"
         " completers = [ \"work\" ]; }",
         "targets[0].completers: only a target with denominator"},
        {"{ name = \"t\"; kind = \"share\"; destinations = [ \"work\" ]; value = 0.5; deadline_month = 12.0;"
         " denominator = \"completers\"; completers = [ \"work\", \"nowhere\" ]; }",
         "nowhere"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, denominator_cfg, bad[i].target);
        TS_ASSERT_CONTAINS(ts_rejection(text), bad[i].expect);
    }
}


/* ---- follow-up at any months --------------------------------------------- */

/* Leavers to work are followed up at 6 and 13 months (0.9 and 0.7 still in
 * work), leavers to `other` at the same months (0.1 and 0.2 in work by
 * then). The curve (model_followup.c) runs from 1 (work, a good
 * destination) or 0 (other) at exit, at a constant monthly rate between
 * points where both ends are above 0, in a straight line otherwise, and
 * with after_last = "trend" continues the last interval's rate. So at 12
 * and 24 months: work 0.9 (7/9)^(6/7) and 0.9 (7/9)^(18/7), other
 * 0.1 x 2^(6/7) and 0.1 x 2^(18/7). The loader's 12/24 shares must equal
 * these; pooled over 40 replications (about 9 000 leavers to work) the
 * drawn shares at 6, 12, 13 and 24 months must lie within z(99.9 %)
 * binomial standard errors of the curve; work's curve falls, so nobody is
 * in work at 24 who was out at 12 (the chain only keeps or drops), and
 * other's rises, so nobody in at 12 is out at 24. */
static const char *followup_cfg =
    "run: { horizon_months = 60; warmup_months = 0; };\n"
    "referrals: { rate_per_month = 20.0; };\n"
    "staff: { workers = 10; caseload_cap = 20; meeting_hours_per_day = 5.0; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.5; other = 0.5; };\n"
    "         good = [ \"work\" ];\n"
    "         followup = { %s }; };\n";

static void test_followup_months(void **state)
{
    (void)state;
    config_scenario sc, hold;
    ts_load_cfg(&sc, followup_cfg,
             "months = [ 6, 13 ]; after_last = \"trend\"; work = { at_6 = 0.9; at_13 = 0.7; };\n"
             "other = { at_6 = 0.1; at_13 = 0.2; };");
    ts_load_cfg(&hold, followup_cfg,
             "months = [ 6, 13 ]; after_last = \"hold\"; work = { at_6 = 0.9; at_13 = 0.7; };\n"
             "other = { at_6 = 0.1; at_13 = 0.2; };");
    const model_params *p = &sc.model;
    const double w12 = 0.9 * pow(7.0 / 9.0, 6.0 / 7.0), w24 = 0.9 * pow(7.0 / 9.0, 18.0 / 7.0);
    const double o12 = 0.1 * pow(2.0, 6.0 / 7.0), o24 = 0.1 * pow(2.0, 18.0 / 7.0);
    TS_ASSERT_NEAR(p->retained_12[0], w12, 1e-12);
    TS_ASSERT_NEAR(p->retained_24[0], w24, 1e-12);
    TS_ASSERT_NEAR(p->retained_12[1], o12, 1e-12);
    TS_ASSERT_NEAR(p->retained_24[1], o24, 1e-12);
    TS_ASSERT_NEAR(followup_share(p, 0, 3), pow(0.9, 0.5), 1e-12);
    TS_ASSERT_NEAR(followup_share(p, 1, 3), 0.05, 1e-12);
    TS_ASSERT_NEAR(hold.model.retained_24[0], 0.7, 1e-12);
    TS_ASSERT_NEAR(hold.model.retained_24[1], 0.2, 1e-12);
    TS_ASSERT_NEAR(hold.model.retained_12[0], w12, 1e-12);

    /* [destination][point: 6, 13 (named), 12, 24] followed, in */
    double n[2][4] = {{0}}, in[2][4] = {{0}};
    records recs = {0};
    for (int rep = 0; rep < 40; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 16002, &recs, &r);
        for (int d = 0; d < 2; d++) {
            for (int k = 0; k < 2; k++) {
                n[d][k] += (double)r.followup_at[k][d][0];
                in[d][k] += (double)r.followup_at[k][d][1];
            }
            n[d][2] += (double)r.followup[d][0];
            in[d][2] += (double)r.followup[d][1];
            n[d][3] += (double)r.followup[d][2];
            in[d][3] += (double)r.followup[d][3];
        }
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (q->fate != FATE_EXITED)
                continue;
            assert_true(q->followup_12 >= 0 && q->followup_24 >= 0);
            if (q->destination == 0)
                assert_true(q->followup_24 <= q->followup_12);
            else
                assert_true(q->followup_24 >= q->followup_12);
        }
        model_result_free(&r);
    }
    const double expect[2][4] = {{0.9, 0.7, w12, w24}, {0.1, 0.2, o12, o24}};
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < 4; k++) {
            double share = in[d][k] / n[d][k], se = sqrt(expect[d][k] * (1 - expect[d][k]) / n[d][k]);
            print_message("  %s at point %d: %.4f of %.0f (curve %.4f, se %.4f)\n", d ? "other" : "work", k, share,
                          n[d][k], expect[d][k], se);
            assert_true(n[d][k] > 3000);
            assert_true(fabs(share - expect[d][k]) < ts_z(0.999) * se);
        }
    records_free(&recs);
    config_scenario_free(&sc);
    config_scenario_free(&hold);
}

/* Naming the default months changes nothing: draw for draw the same run as
 * the plain 12/24 follow-up, and no per-month extras. */
static void test_followup_default_months_unchanged(void **state)
{
    (void)state;
    config_scenario a, b;
    ts_load_cfg(&a, followup_cfg, "work = { at_12 = 0.7; at_24 = 0.5; };");
    ts_load_cfg(&b, followup_cfg, "months = [ 12, 24 ]; work = { at_12 = 0.7; at_24 = 0.5; };");
    assert_int_equal(b.model.followup_points, 0);
    records ra = {0}, rb = {0};
    for (int rep = 0; rep < 3; rep++) {
        model_result x, y;
        ts_run_rep(&a, rep, 16003, &ra, &x);
        ts_run_rep(&b, rep, 16003, &rb, &y);
        assert_int_equal(ra.n, rb.n);
        for (size_t i = 0; i < ra.n; i++) {
            assert_int_equal(ra.items[i].followup_12, rb.items[i].followup_12);
            assert_int_equal(ra.items[i].followup_24, rb.items[i].followup_24);
        }
        assert_memory_equal(x.followup, y.followup, sizeof x.followup);
        model_result_free(&x);
        model_result_free(&y);
    }
    records_free(&ra);
    records_free(&rb);
    config_scenario_free(&a);
    config_scenario_free(&b);
}

static void test_followup_month_errors(void **state)
{
    (void)state;
    static char text[4096];
    static const struct {
        const char *followup, *expect;
    } bad[] = {
        {"months = [ 13 ]; work = { at_13 = 0.7; };", "exits.followup.after_last: missing; the last month is 13"},
        {"months = [ 13, 6 ]; after_last = \"hold\"; work = { at_13 = 0.7; at_6 = 0.8; };",
         "exits.followup.months: expected whole months from 1 to 1200, increasing"},
        {"months = [ 13 ]; after_last = \"hold\"; work = { at_12 = 0.7; };", "exits.followup.work.at_12: unknown key"},
        {"months = [ 13, 30 ]; work = { at_13 = 0.7; };", "exits.followup.work.at_30: missing"},
        {"months = [ 13 ]; after_last = \"flat\"; work = { at_13 = 0.7; };",
         "exits.followup.after_last: expected \"hold\" or \"trend\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, followup_cfg, bad[i].followup);
        TS_ASSERT_CONTAINS(ts_rejection(text), bad[i].expect);
    }
}

/* ---- exit shares by profile ----------------------------------------------- */

/* Two profiles, half the referrals each, with the same phase shares (work
 * 0.2, municipal 0.2, other 0.6); the second has exit weight 2 on
 * `municipal`. Theory: its shares become 0.2 / 1.2, 0.4 / 1.2 and
 * 0.6 / 1.2, the first profile's stay as entered, and because the weights
 * are rescaled nobody leaves faster: the second profile's meetings per exit
 * equal the first's (geometric with the same chance) within the Welch
 * (z(99.9 %) standard errors of geometric means). Pooled shares are
 * checked within z(99.9 %) binomial standard errors. Weights of 1 give,
 * draw for draw, the run without the key. */
static const char *weights_cfg =
    "run: { horizon_months = 36; warmup_months = 0; };\n"
    "profiles = ( { name = \"a\"; }, { name = \"b\"; %s } );\n"
    "sources = ( { name = \"s\"; rate_per_month = 30.0; profiles = { a = 0.5; b = 0.5; }; } );\n"
    "staff: { workers = 12; caseload_cap = 20; meeting_hours_per_day = 5.0; };\n"
    "phases = ( { name = \"p\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "             own_time_days = { dist = \"exponential\"; mean = 7.0; };\n"
    "             exit_probability = 0.1; exits = { work = 0.2; municipal = 0.2; other = 0.6; }; } );\n"
    "exits: { destinations = [ \"work\", \"municipal\", \"other\" ]; good = [ \"work\" ]; };\n";

static void test_profile_exit_weights(void **state)
{
    (void)state;
    config_scenario sc, off, off_key;
    ts_load_cfg(&sc, weights_cfg, "exit_weights = { municipal = 2.0; };");
    ts_load_cfg(&off, weights_cfg, "");
    ts_load_cfg(&off_key, weights_cfg, "exit_weights = { municipal = 1.0; };");
    double n[2] = {0}, to[2][3] = {{0}}, meetings[2] = {0};
    records recs = {0}, recs_off = {0}, recs_key = {0};
    for (int rep = 0; rep < 20; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 16004, &recs, &r);
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (q->fate != FATE_EXITED)
                continue;
            n[q->profile]++;
            to[q->profile][q->destination]++;
            meetings[q->profile] += q->meetings;
        }
        model_result_free(&r);
        /* A weight of 1 everywhere is the same run as no weights. */
        model_result a, b;
        ts_run_rep(&off, rep, 16004, &recs_off, &a);
        ts_run_rep(&off_key, rep, 16004, &recs_key, &b);
        assert_int_equal(recs_off.n, recs_key.n);
        for (size_t i = 0; i < recs_off.n; i++) {
            assert_int_equal(recs_off.items[i].destination, recs_key.items[i].destination);
            TS_ASSERT_SAME_DOUBLE(recs_off.items[i].exit_time, recs_key.items[i].exit_time);
        }
        model_result_free(&a);
        model_result_free(&b);
    }
    const double expect[2][3] = {{0.2, 0.2, 0.6}, {0.2 / 1.2, 0.4 / 1.2, 0.6 / 1.2}};
    for (int i = 0; i < 2; i++)
        for (int d = 0; d < 3; d++) {
            double share = to[i][d] / n[i], se = sqrt(expect[i][d] * (1 - expect[i][d]) / n[i]);
            print_message("  profile %d destination %d: %.4f of %.0f (theory %.4f)\n", i, d, share, n[i], expect[i][d]);
            assert_true(fabs(share - expect[i][d]) < ts_z(0.999) * se);
        }
    /* Meetings per exit: geometric with mean 1 / 0.1 = 10 and sd sqrt(90)
     * for both profiles (both come out near 9.3: only those who left by the
     * horizon count, which cuts the long cases off equally); the difference
     * of the two means within z(99.9 %) of its standard error. */
    double m0 = meetings[0] / n[0], m1 = meetings[1] / n[1], se = sqrt(90.0 / n[0] + 90.0 / n[1]);
    print_message("  meetings per exit: %.3f and %.3f (theory: equal; se of difference %.3f)\n", m0, m1, se);
    assert_true(fabs(m0 - m1) < ts_z(0.999) * se);
    records_free(&recs);
    records_free(&recs_off);
    records_free(&recs_key);
    config_scenario_free(&sc);
    config_scenario_free(&off);
    config_scenario_free(&off_key);
    static char text[4096];
    snprintf(text, sizeof text, weights_cfg, "exit_weights = { nowhere = 2.0; };");
    TS_ASSERT_CONTAINS(ts_rejection(text), "profiles[1].exit_weights.nowhere");
    snprintf(text, sizeof text, weights_cfg, "exit_weights = { work = -1.0; };");
    TS_ASSERT_CONTAINS(ts_rejection(text), "profiles[1].exit_weights.work");
}

/* ---- a measure that opens late ------------------------------------------ */

/* One phase whose way out is its measure (every place ends in an exit to
 * `out`; a rare per-meeting exit to `other`, 0.001, only because a phase
 * must be leavable without it); the measure opens at month 6 with room for
 * all (1 000 places) and lasts exactly 30 days. Without queue_before_open
 * nobody who entered the phase before month 6 ever asks again: exactly 0
 * of them leave to `out`. With it, everyone enrolled before month 6 lines
 * up and gets a place when it opens: all of them leave, to `out` (none
 * before month 6 + 30 days) unless the rare exit came first. */
static const char *late_cfg =
    "run: { horizon_months = 18; warmup_months = 0; };\n"
    "referrals: { rate_per_month = 10.0; };\n"
    "staff: { workers = 10; caseload_cap = 100; meeting_hours_per_day = 6.0; };\n"
    "measures = ( { name = \"m\"; places = 1000; open_month = 6.0; %s\n"
    "               duration_days = { dist = \"deterministic\"; value = 30.0; }; exit_to = \"out\"; exit_probability = 1.0; } );\n"
    "phases = ( { name = \"p\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "             own_time_days = { dist = \"exponential\"; mean = 7.0; }; measure = \"m\";\n"
    "             exit_probability = 0.001; exits = { other = 1.0; }; } );\n"
    "exits: { destinations = [ \"out\", \"other\" ]; };\n";

static void test_measure_opens_late(void **state)
{
    (void)state;
    config_scenario off, on;
    ts_load_cfg(&off, late_cfg, "");
    ts_load_cfg(&on, late_cfg, "queue_before_open = true;");
    const double open = 6 * DPM;
    records a = {0}, b = {0};
    for (int rep = 0; rep < 5; rep++) {
        model_result ra, rb;
        ts_run_rep(&off, rep, 16005, &a, &ra);
        ts_run_rep(&on, rep, 16005, &b, &rb);
        double early_off = 0, out_off = 0, early_on = 0, out_on = 0, other_on = 0;
        for (size_t i = 0; i < a.n; i++)
            if (a.items[i].assignment_time < open) {
                early_off++;
                out_off += a.items[i].fate == FATE_EXITED && a.items[i].destination == 0;
            }
        for (size_t i = 0; i < b.n; i++)
            if (b.items[i].assignment_time < open) {
                early_on++;
                if (b.items[i].fate != FATE_EXITED)
                    continue;
                if (b.items[i].destination == 0) {
                    out_on++;
                    assert_true(b.items[i].exit_time >= open + 30 - 1e-9);
                } else {
                    other_on++;
                }
            }
        print_message("  rep %d: enrolled before the opening %.0f; to the measure: %.0f without, %.0f with "
                      "queue_before_open (%.0f left otherwise first)\n", rep, early_on, out_off, out_on, other_on);
        assert_true(early_off > 30);
        TS_ASSERT_SAME_DOUBLE(early_on, early_off);
        assert_true(out_off == 0);
        assert_true(out_on + other_on == early_on);
        assert_true(out_on > 0.8 * early_on);
        model_result_free(&ra);
        model_result_free(&rb);
    }
    records_free(&a);
    records_free(&b);
    config_scenario_free(&off);
    config_scenario_free(&on);
}

/* ---- maximum duration by profile ---------------------------------------- */

/* Two profiles, the programme's limit 6 months and profile b's own 3; a
 * phase nobody finishes on their own (progress 0.01 a meeting, weekly
 * meetings: 100 weeks) and no per-meeting exits. Everyone present long
 * enough leaves to time_limit 6 (a) or 3 (b) months after assignment (or
 * at the end of the meeting under way then, within a day). Without the
 * profile key both leave at 6. */
static const char *limit_cfg =
    "run: { horizon_months = 24; warmup_months = 0; };\n"
    "profiles = ( { name = \"a\"; }, { name = \"b\"; %s } );\n"
    "sources = ( { name = \"s\"; rate_per_month = 10.0; profiles = { a = 0.5; b = 0.5; }; } );\n"
    "staff: { workers = 10; caseload_cap = 100; meeting_hours_per_day = 6.0; };\n"
    "phases = ( { name = \"p\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
    "             own_time_days = { dist = \"exponential\"; mean = 7.0; }; progress_per_meeting = 0.01;\n"
    "             completion = { done = 1.0; }; } );\n"
    "programme: { max_months = 6.0; };\n"
    "exits: { destinations = [ \"done\", \"time_limit\" ]; };\n";

static void test_profile_max_months(void **state)
{
    (void)state;
    config_scenario on, off;
    ts_load_cfg(&on, limit_cfg, "max_months = 3.0;");
    ts_load_cfg(&off, limit_cfg, "");
    int limited[2][2] = {{0}};
    records recs = {0};
    for (int arm = 0; arm < 2; arm++) {
        model_result r;
        ts_run_rep(arm ? &off : &on, 0, 16006, &recs, &r);
        for (size_t i = 0; i < recs.n; i++) {
            const model_participant *q = &recs.items[i];
            if (q->fate != FATE_EXITED)
                continue;
            assert_int_equal(q->destination, 1);
            double expect = (arm == 0 && q->profile == 1 ? 3 : 6) * DPM;
            /* At the limit, or at the end of the meeting under way then
             * (under a day: meetings are hours). */
            double stay = q->exit_time - q->assignment_time;
            assert_true(stay >= expect - 1e-6 && stay < expect + 1.0);
            limited[arm][q->profile]++;
        }
        model_result_free(&r);
    }
    print_message("  left at the limit: a %d, b %d (b's limit 3 months); without it a %d, b %d\n", limited[0][0],
                  limited[0][1], limited[1][0], limited[1][1]);
    assert_true(limited[0][0] > 50 && limited[0][1] > limited[0][0]);
    records_free(&recs);
    config_scenario_free(&on);
    config_scenario_free(&off);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_denominators),
        cmocka_unit_test(test_target_denominator_errors),
        cmocka_unit_test(test_followup_months),
        cmocka_unit_test(test_followup_default_months_unchanged),
        cmocka_unit_test(test_followup_month_errors),
        cmocka_unit_test(test_profile_exit_weights),
        cmocka_unit_test(test_profile_max_months),
        cmocka_unit_test(test_measure_opens_late),
    };
    return cmocka_run_group_tests_name("seed mechanisms", tests, NULL, NULL);
}
