/*
 * test_seed_mechanisms.c — the mechanisms the seed reports need (issue 16),
 * each shown to act in the right direction and by the right amount:
 * share-target denominators, ...
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

#define DPM MODEL_DAYS_PER_MONTH

/* Loads a scenario from a formatted text; fails the test with the loader's
 * message if it is rejected. */
static void load_cfg(config_scenario *sc, const char *fmt, ...)
{
    static char text[32768];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= (int)sizeof text)
        fail_msg("scenario text too long");
    config_error err;
    if (config_load_text(sc, "test-seed-mechanisms.cfg", text, NULL, 0, &err) != 0)
        fail_msg("scenario rejected: %s\n%s", err.message, text);
}

/* The loader's message for a text it must reject ("" if it was accepted). */
static const char *rejection(const char *text)
{
    static config_error err;
    config_scenario sc;
    if (config_load_text(&sc, "test-seed-mechanisms.cfg", text, NULL, 0, &err) == 0) {
        config_scenario_free(&sc);
        return "";
    }
    return err.message;
}

static void run_rep(const config_scenario *sc, int rep, uint64_t master, records *recs, model_result *out)
{
    if (recs)
        recs->n = 0;
    int rc = model_run(&sc->model, (uint32_t)rep, rng_derive(master, (uint64_t)rep), recs ? collect : NULL, recs, out);
    if (rc != 0)
        fail_msg("model_run returned %d", rc);
}

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
    load_cfg(&a, denominator_cfg, with);
    load_cfg(&b, denominator_cfg, without);
    const double deadline = 18 * DPM;
    records recs = {0};
    double waiting_seen = 0;
    for (int rep = 0; rep < 20; rep++) {
        model_result ra, rb;
        run_rep(&a, rep, 16001, &recs, &ra);
        run_rep(&b, rep, 16001, NULL, &rb);
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
        TS_ASSERT_CONTAINS(rejection(text), bad[i].expect);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_denominators),
        cmocka_unit_test(test_target_denominator_errors),
    };
    return cmocka_run_group_tests_name("seed mechanisms", tests, NULL, NULL);
}
