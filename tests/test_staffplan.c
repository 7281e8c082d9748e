/*
 * test_staffplan.c — staffing that changes over time (model_staffplan.c,
 * config_staffplan.c).
 *
 * Each test loads a scenario text through the config loader and checks the
 * monthly series against what follows from the plan by arithmetic:
 *  - a post's end (funding cliff) takes it out of post within the month of
 *    its end_month; when the list is not empty every post in post is full,
 *    so the caseload is exactly posts x cap; nobody is lost (referrals =
 *    waiting + active + exits at every month end);
 *  - a hire at month m raises posts and caseload places from m, and leaves
 *    every month before m bit-identical to the run without it;
 *  - a cap change takes effect at its month (up: filled from the list at
 *    once; down: nobody is taken away, the caseload drifts down to it);
 *  - more meeting hours from a month give more meetings (paired, CRN);
 *  - a cut in measure places holds from its month once the places under
 *    way have ended;
 *  - rules: the posts series equals the one derived from the waiting
 *    series by the rule (Y month ends above X, start after D days, at most
 *    K extra; and the closing rule down to its minimum);
 *  - a plan that changes nothing gives results identical to no plan;
 *  - bad plans are rejected with the key named.
 */
#include "test_support.h"

#include "engine/eng_rng.h"
#include "scenario/config.h"

#define DPM (365.25 / 12.0)

static const double *series_of(const model_result *r, const char *name)
{
    for (int i = 0; i < r->series.count; i++)
        if (strcmp(r->series.item[i].name, name) == 0)
            return r->series.item[i].values;
    fail_msg("no series named %s", name);
    return NULL;
}

/* referrals = waiting + active + exits at every month end (no screening,
 * no patience in these scenarios). */
static void check_conserved(const model_result *r, int months, int destinations)
{
    double referred = 0, gone = 0;
    for (int m = 0; m < months; m++) {
        referred += r->series.referrals[m];
        for (int d = 0; d < destinations; d++)
            gone += r->series.exits[(size_t)m * (size_t)destinations + (size_t)d];
        if (referred != r->series.waiting[m] + r->series.active[m] + gone)
            fail_msg("month %d: %g referred, but %g waiting + %g active + %g gone", m, referred,
                     r->series.waiting[m], r->series.active[m], gone);
    }
}

#define CASEWORK                                                                                           \
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"                          \
    "            own_time_days = { dist = \"exponential\"; mean = 14.0; }; };\n"                          \
    "exits: { probability_per_meeting = 0.08; shares = { work = 0.5; other = 0.5; }; };\n"

/* Twelve coaches at cap 20, 60 referrals a month (more than they can take),
 * four of them funded until month 12. */
static const char *cliff_cfg(const char *on_leave)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "run: { horizon_months = 20; };\n"
             "referrals: { rate_per_month = 60.0; };\n"
             "staff: { meeting_hours_per_day = 3.0;\n"
             "  roles = ( { name = \"coach\"; caseload_cap = 20; } );\n"
             "  teams = ( { name = \"a\"; members = ( { role = \"coach\"; count = 8; },\n"
             "              { role = \"coach\"; count = 4; end_month = 12.0; } ); } );\n"
             "  turnover = { tenure_months = { dist = \"exponential\"; mean = 1000.0; };\n"
             "               vacancy_days = { dist = \"deterministic\"; value = 30.0; }; on_leave = \"%s\"; };\n"
             "};\n" CASEWORK,
             on_leave);
    return text;
}

static void cliff_case(const char *on_leave)
{
    config_scenario sc;
    ts_load_cfg(&sc, "%s", cliff_cfg(on_leave));
    for (int rep = 0; rep < 4; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 1501, NULL, &r);
        const double *posts = series_of(&r, "posts_in_post"), *places = series_of(&r, "caseload_places");
        /* month index 11 ends at month 12, the end date: the snapshot comes
         * first, so those posts are still in post; by the end of the next
         * month they are gone. Nobody left before (tenure ~1000 months is
         * possible but not with these seeds: checked by the posts). */
        TS_ASSERT_SAME_DOUBLE(posts[11], 12);
        TS_ASSERT_SAME_DOUBLE(places[11], 240);
        assert_true(r.series.waiting[11] > 0);
        TS_ASSERT_SAME_DOUBLE(r.series.active[11], 240);
        for (int m = 12; m < 20; m++) {
            TS_ASSERT_SAME_DOUBLE(posts[m], 8);
            TS_ASSERT_SAME_DOUBLE(places[m], 160);
            /* a list still waiting: every post in post is full, so the
             * caseload is posts x cap exactly */
            assert_true(r.series.waiting[m] > 0);
            TS_ASSERT_SAME_DOUBLE(r.series.active[m], 160);
        }
        check_conserved(&r, 20, 2);
        model_result_free(&r);
    }
    config_scenario_free(&sc);
}

static void test_cliff_reassign(void **state)
{
    (void)state;
    cliff_case("reassign");
}

static void test_cliff_wait(void **state)
{
    (void)state;
    cliff_case("wait");
}

/* The same cliff where colleagues have room: the 4 ending posts' people go
 * to them (on_leave = reassign) and nobody goes back to the list. */
static void test_cliff_with_room(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, "%s", "run: { horizon_months = 16; };\n"
                  "referrals: { rate_per_month = 15.0; };\n"
                  "staff: { meeting_hours_per_day = 3.0;\n"
                  "  roles = ( { name = \"coach\"; caseload_cap = 40; } );\n"
                  "  teams = ( { name = \"a\"; members = ( { role = \"coach\"; count = 8; },\n"
                  "              { role = \"coach\"; count = 4; end_month = 12.0; } ); } );\n"
                  "};\n" CASEWORK);
    for (int rep = 0; rep < 3; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 1502, NULL, &r);
        const double *posts = series_of(&r, "posts_in_post");
        int width = sc.model.team[0].group[0].count + sc.model.team[0].group[1].count;
        const double *load = series_of(&r, "worker_caseload");
        TS_ASSERT_SAME_DOUBLE(posts[12], 8);
        for (int m = 12; m < 16; m++) {
            TS_ASSERT_SAME_DOUBLE(r.series.waiting[m], 0);
            for (int w = 8; w < width; w++)
                TS_ASSERT_SAME_DOUBLE(load[(size_t)m * (size_t)width + (size_t)w], 0);
        }
        check_conserved(&r, 16, 2);
        model_result_free(&r);
    }
    config_scenario_free(&sc);
}

/* Eight core workers at cap 20 and 40 referrals a month; plan: four more
 * from month 6. */
static const char *hire_cfg(const char *plan)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "run: { horizon_months = 12; };\n"
             "referrals: { rate_per_month = 100.0; };\n"
             "staff: { workers = 8; caseload_cap = 20; meeting_hours_per_day = 3.0; %s };\n" CASEWORK,
             plan);
    return text;
}

static void test_hire_from_month(void **state)
{
    (void)state;
    config_scenario with, without;
    ts_load_cfg(&with, "%s", hire_cfg("plan = ( { month = 6.0; change = 4; } );"));
    ts_load_cfg(&without, "%s", hire_cfg(""));
    for (int rep = 0; rep < 3; rep++) {
        model_result a, b;
        ts_run_rep(&with, rep, 1503, NULL, &a);
        ts_run_rep(&without, rep, 1503, NULL, &b);
        const double *posts = series_of(&a, "posts_in_post"), *places = series_of(&a, "caseload_places");
        for (int m = 0; m < 12; m++) {
            TS_ASSERT_SAME_DOUBLE(posts[m], m < 6 ? 8 : 12);
            TS_ASSERT_SAME_DOUBLE(places[m], m < 6 ? 160 : 240);
            if (a.series.waiting[m] > 0) /* full: capacity = posts x cap */
                TS_ASSERT_SAME_DOUBLE(a.series.active[m], places[m]);
        }
        assert_true(a.series.waiting[5] > 0 && a.series.waiting[6] > 0);
        /* before the hire the two runs are the same run */
        for (int m = 0; m < 6; m++) {
            TS_ASSERT_SAME_DOUBLE(a.series.active[m], b.series.active[m]);
            TS_ASSERT_SAME_DOUBLE(a.series.waiting[m], b.series.waiting[m]);
            TS_ASSERT_SAME_DOUBLE(a.series.meetings[m], b.series.meetings[m]);
            TS_ASSERT_SAME_DOUBLE(a.series.utilisation[m], b.series.utilisation[m]);
        }
        check_conserved(&a, 12, 2);
        model_result_free(&a);
        model_result_free(&b);
    }
    config_scenario_free(&with);
    config_scenario_free(&without);
}

/* A new hire on a learning curve starts slower: with staff.learning, the
 * months after the hire have fewer meetings than without it (paired, CRN;
 * the 99 % interval of the difference lies below 0), and the months before
 * it are the same run (staff in post at the start are not learning). */
static const char *learn_cfg(const char *learning)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "run: { horizon_months = 8; };\n"
             "referrals: { rate_per_month = 100.0; };\n"
             "staff: { meeting_hours_per_day = 3.0;\n"
             "  roles = ( { name = \"coach\"; caseload_cap = 20; } );\n"
             "  teams = ( { name = \"a\"; members = ( { role = \"coach\"; count = 8; } ); } );\n"
             "  plan = ( { month = 6.0; role = \"coach\"; team = \"a\"; change = 4; } );\n"
             "  %s\n"
             "};\n" CASEWORK,
             learning);
    return text;
}

static void test_hire_learns(void **state)
{
    (void)state;
    config_scenario with, without;
    ts_load_cfg(&with, "%s", learn_cfg("learning = { months_to_full = 6.0; start_productivity = 0.2; };"));
    ts_load_cfg(&without, "%s", learn_cfg(""));
    stat_obs diff;
    stat_obs_init(&diff);
    for (int rep = 0; rep < 6; rep++) {
        model_result a, b;
        ts_run_rep(&with, rep, 1504, NULL, &a);
        ts_run_rep(&without, rep, 1504, NULL, &b);
        for (int m = 0; m < 6; m++)
            TS_ASSERT_SAME_DOUBLE(a.series.meetings[m], b.series.meetings[m]);
        stat_obs_add(&diff, a.series.meetings[6] + a.series.meetings[7] - b.series.meetings[6] - b.series.meetings[7]);
        model_result_free(&a);
        model_result_free(&b);
    }
    double mean = stat_obs_mean(&diff), half = stat_obs_ci_halfwidth(&diff, 0.99);
    print_message("  meetings in months 7-8, learning less none: %.1f +- %.1f\n", mean, half);
    assert_true(mean + half < 0);
    config_scenario_free(&with);
    config_scenario_free(&without);
}

static const char *cap_cfg(const char *changes)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "run: { horizon_months = 24; };\n"
             "referrals: { rate_per_month = 100.0; };\n"
             "staff: { workers = 10; caseload_cap = 20; meeting_hours_per_day = 3.0; %s };\n" CASEWORK,
             changes);
    return text;
}

static void test_cap_changes(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, "%s", cap_cfg("changes = ( { month = 6.0; caseload_cap = 30; }, { month = 12.0; caseload_cap = 25; } );"));
    for (int rep = 0; rep < 3; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 1505, NULL, &r);
        const double *places = series_of(&r, "caseload_places");
        for (int m = 0; m < 24; m++)
            TS_ASSERT_SAME_DOUBLE(places[m], m < 6 ? 200 : m < 12 ? 300 : 250);
        assert_true(r.series.waiting[5] > 0 && r.series.waiting[6] > 0);
        TS_ASSERT_SAME_DOUBLE(r.series.active[5], 200);
        TS_ASSERT_SAME_DOUBLE(r.series.active[6], 300); /* up: filled from the list at once */
        /* down: nobody is taken away; the caseload falls to the cap and stays */
        for (int m = 12; m < 24; m++)
            assert_true(r.series.active[m] <= fmax(250, r.series.active[m - 1]));
        assert_true(r.series.active[11] > 250);
        check_conserved(&r, 24, 2);
        model_result_free(&r);
    }
    config_scenario_free(&sc);
}

/* Twice the meeting hours from month 6 give more meetings in months 6-11
 * (common random numbers; the paired 99 % interval lies above 0). */
static void test_hours_change(void **state)
{
    (void)state;
    config_scenario with, without;
    ts_load_cfg(&with, "%s", cap_cfg("changes = ( { month = 6.0; meeting_hours_per_day = 6.0; } );"));
    ts_load_cfg(&without, "%s", cap_cfg(""));
    stat_obs diff;
    stat_obs_init(&diff);
    for (int rep = 0; rep < 8; rep++) {
        model_result a, b;
        ts_run_rep(&with, rep, 1506, NULL, &a);
        ts_run_rep(&without, rep, 1506, NULL, &b);
        double d = 0;
        for (int m = 0; m < 6; m++)
            TS_ASSERT_SAME_DOUBLE(a.series.meetings[m], b.series.meetings[m]);
        for (int m = 6; m < 12; m++)
            d += a.series.meetings[m] - b.series.meetings[m];
        stat_obs_add(&diff, d);
        model_result_free(&a);
        model_result_free(&b);
    }
    double mean = stat_obs_mean(&diff), half = stat_obs_ci_halfwidth(&diff, 0.99);
    print_message("  extra meetings in months 7-12: %.1f +- %.1f\n", mean, half);
    assert_true(mean - half > 0);
    config_scenario_free(&with);
    config_scenario_free(&without);
}

/* Ten places of 20 days cut to four at month 6: full before, and from the
 * end of month 7 (every place taken before the cut has ended) never more
 * than four. */
static void test_places_cut(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, "%s", "run: { horizon_months = 12; };\n"
                  "referrals: { rate_per_month = 30.0; };\n"
                  "exits: { destinations = [ \"work\", \"subsidised\" ]; };\n"
                  "staff: { workers = 6; caseload_cap = 100; meeting_hours_per_day = 4.0; };\n"
                  "measures = ( { name = \"extra\"; places = 10;\n"
                  "               places_schedule = ( { month = 6.0; value = 4.0; } );\n"
                  "               duration_days = { dist = \"deterministic\"; value = 20.0; };\n"
                  "               exit_to = \"subsidised\"; exit_probability = 1.0; } );\n"
                  "phases = ( { name = \"only\"; measure = \"extra\"; meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
                  "             own_time_days = { dist = \"exponential\"; mean = 10.0; }; progress_per_meeting = 0.25;\n"
                  "             completion = { work = 1.0; }; } );\n");
    double most_after = 0;
    for (int rep = 0; rep < 3; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 1507, NULL, &r);
        const double *used = series_of(&r, "measure_places_used");
        TS_ASSERT_SAME_DOUBLE(used[5], 10);
        for (int m = 6; m < 12; m++) {
            assert_true(used[m] <= 4);
            most_after = fmax(most_after, used[m]);
        }
        check_conserved(&r, 12, 2);
        model_result_free(&r);
    }
    TS_ASSERT_SAME_DOUBLE(most_after, 4);
    config_scenario_free(&sc);
}

/* The posts series a rule should give, derived from the waiting series:
 * a run of `months` month ends above X decides an opening (if fewer than K
 * have been decided), which starts delay days later, i.e. counts from the
 * first month end at or after that; the run then starts again. */
static void expected_open(const double *waiting, int months, double base, double x, int y, double delay, int k,
                          double *posts)
{
    int run = 0, decided = 0;
    double start[64];
    for (int m = 0; m < months; m++) {
        int n = 0;
        for (int i = 0; i < decided; i++)
            n += start[i] <= (m + 1) * DPM;
        posts[m] = base + n;
        run = waiting[m] > x ? run + 1 : 0;
        if (run >= y && decided < k) {
            start[decided++] = (m + 1) * DPM + delay;
            run = 0;
        }
    }
}

static void test_rule_opens(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, "%s", "run: { horizon_months = 24; };\n"
                  "referrals: { rate_per_month = 40.0; };\n"
                  "staff: { workers = 6; caseload_cap = 20; meeting_hours_per_day = 3.0;\n"
                  "  rules = ( { open_above = 20; months = 2; delay_days = 45.0; max_extra = 3; } ); };\n" CASEWORK);
    int opened_all = 0;
    for (int rep = 0; rep < 4; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 1508, NULL, &r);
        const double *posts = series_of(&r, "posts_in_post");
        double want[24];
        expected_open(r.series.waiting, 24, 6, 20, 2, 45.0, 3, want);
        for (int m = 0; m < 24; m++) {
            if (posts[m] != want[m])
                fail_msg("replication %d month %d: %g posts, the rule gives %g", rep, m, posts[m], want[m]);
            assert_true(posts[m] <= 9);
        }
        opened_all += posts[23] == 9;
        check_conserved(&r, 24, 2);
        model_result_free(&r);
    }
    assert_true(opened_all > 0); /* the limit was reached, and held */
    config_scenario_free(&sc);
}

/* Twelve posts and little demand: a closing rule takes one post every 3
 * month ends with an empty list, down to 8, and nobody is lost. */
static void test_rule_closes(void **state)
{
    (void)state;
    config_scenario sc;
    ts_load_cfg(&sc, "%s", "run: { horizon_months = 20; };\n"
                  "referrals: { rate_per_month = 10.0; };\n"
                  "staff: { meeting_hours_per_day = 3.0;\n"
                  "  roles = ( { name = \"coach\"; caseload_cap = 20; } );\n"
                  "  teams = ( { name = \"a\"; members = ( { role = \"coach\"; count = 12; } ); } );\n"
                  "  rules = ( { close_below = 1; months = 3; min_posts = 8; role = \"coach\"; } ); };\n" CASEWORK);
    for (int rep = 0; rep < 3; rep++) {
        model_result r;
        ts_run_rep(&sc, rep, 1509, NULL, &r);
        const double *posts = series_of(&r, "posts_in_post");
        for (int m = 0; m < 20; m++) {
            TS_ASSERT_SAME_DOUBLE(r.series.waiting[m], 0);
            /* decided at month ends 2, 5, 8, 11: counted from the next */
            double want = 12 - (m >= 3) - (m >= 6) - (m >= 9) - (m >= 12);
            /* a post busy in a meeting at its month end closes after it:
             * the series counts it gone at once (leaving is not in post) */
            if (posts[m] != want)
                fail_msg("replication %d month %d: %g posts, the rule gives %g", rep, m, posts[m], want);
        }
        check_conserved(&r, 20, 2);
        model_result_free(&r);
    }
    config_scenario_free(&sc);
}

/* A plan that changes nothing (the same cap again, a hire after the
 * horizon) gives the results of no plan: the mechanism draws no random
 * numbers and changes no order of events. */
static void test_noop_plan_identical(void **state)
{
    (void)state;
    config_scenario with, without;
    ts_load_cfg(&with, "%s", cap_cfg("changes = ( { month = 3.0; caseload_cap = 20; } ); plan = ( { month = 30.0; change = 2; } );"));
    ts_load_cfg(&without, "%s", cap_cfg(""));
    for (int rep = 0; rep < 3; rep++) {
        model_result a, b;
        ts_run_rep(&with, rep, 1510, NULL, &a);
        ts_run_rep(&without, rep, 1510, NULL, &b);
        assert_int_equal(a.referrals, b.referrals);
        assert_int_equal(a.events, b.events + 1); /* the change itself is an event */
        TS_ASSERT_SAME_DOUBLE(a.mean_waiting, b.mean_waiting);
        TS_ASSERT_SAME_DOUBLE(a.mean_active, b.mean_active);
        TS_ASSERT_SAME_DOUBLE(a.utilisation, b.utilisation);
        for (int m = 0; m < 24; m++) {
            TS_ASSERT_SAME_DOUBLE(a.series.waiting[m], b.series.waiting[m]);
            TS_ASSERT_SAME_DOUBLE(a.series.meetings[m], b.series.meetings[m]);
            TS_ASSERT_SAME_DOUBLE(a.series.utilisation[m], b.series.utilisation[m]);
        }
        model_result_free(&a);
        model_result_free(&b);
    }
    config_scenario_free(&with);
    config_scenario_free(&without);
}

/* Roles and one team; the second member group and the staff group take
 * the given extra text. */
static const char *roles_cfg(const char *group, const char *staff)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "run: { horizon_months = 12; };\n"
             "referrals: { rate_per_month = 20.0; };\n"
             "staff: { meeting_hours_per_day = 3.0;\n"
             "  roles = ( { name = \"coach\"; caseload_cap = 20; } );\n"
             "  teams = ( { name = \"a\"; members = ( { role = \"coach\"; count = 8; },\n"
             "              { role = \"coach\"; count = 4; %s } ); } );\n"
             "  %s\n"
             "};\n" CASEWORK,
             group, staff);
    return text;
}

static void expect_rejected(const char *text, const char *key, const char *why)
{
    config_scenario sc;
    config_error err;
    int rc = config_load_text(&sc, "bad.cfg", text, NULL, 0, &err);
    if (rc == 0) {
        config_scenario_free(&sc);
        fail_msg("accepted:\n%s", text);
    }
    TS_ASSERT_CONTAINS(err.message, key);
    TS_ASSERT_CONTAINS(err.message, why);
}

static void test_bad_plans(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s", hire_cfg("plan = ( { month = 6.0; change = 0; } );"));
    expect_rejected(text, "staff.plan[0]", "change must open");
    snprintf(text, sizeof text, "%s", hire_cfg("plan = ( { month = 6.0; role = \"coach\"; change = 1; } );"));
    expect_rejected(text, "staff.plan[0].role", "only with staff.roles");
    snprintf(text, sizeof text, "%s", hire_cfg("rules = ( { open_above = 3; close_below = 1; months = 1; } );"));
    expect_rejected(text, "staff.rules[0]", "exactly one of open_above");
    snprintf(text, sizeof text, "%s", hire_cfg("rules = ( { close_below = 1; months = 1; max_extra = 2; } );"));
    expect_rejected(text, "staff.rules[0]", "max_extra belongs to a rule with open_above");
    snprintf(text, sizeof text, "%s", hire_cfg("changes = ( { month = 6.0; } );"));
    expect_rejected(text, "staff.changes[0]", "expected caseload_cap or meeting_hours_per_day");
    snprintf(text, sizeof text, "%s", roles_cfg("end_month = -1.0;", ""));
    expect_rejected(text, "end_month", ">= 0");
    snprintf(text, sizeof text, "%s", roles_cfg("start_month = 13.0; end_month = 12.0;", ""));
    expect_rejected(text, "members[1]", "end_month (12) must come after start_month (13)");
    snprintf(text, sizeof text, "%s", roles_cfg("", "plan = ( { month = 2.0; role = \"coach\"; team = \"b\"; change = 1; } );"));
    expect_rejected(text, "staff.plan[0].team", "no team named 'b'");
    snprintf(text, sizeof text, "%s", roles_cfg("", "plan = ( { month = 2.0; role = \"coach\"; change = 1; } );"));
    expect_rejected(text, "staff.plan[0].team", "missing");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cliff_reassign),
        cmocka_unit_test(test_cliff_wait),
        cmocka_unit_test(test_cliff_with_room),
        cmocka_unit_test(test_hire_from_month),
        cmocka_unit_test(test_hire_learns),
        cmocka_unit_test(test_cap_changes),
        cmocka_unit_test(test_hours_change),
        cmocka_unit_test(test_places_cut),
        cmocka_unit_test(test_rule_opens),
        cmocka_unit_test(test_rule_closes),
        cmocka_unit_test(test_noop_plan_identical),
        cmocka_unit_test(test_bad_plans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
