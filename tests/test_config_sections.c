/*
 * test_config_sections.c — bad input in the scenario's sections (sources,
 * profiles, roles, teams, measures, phases, follow-up, targets, pressure).
 *
 * Owns: a scenario using every section that loads, and one test per kind of
 * inconsistency the sections can hold — profile shares not summing to 1, a
 * schedule whose months go backwards, a decision role that no team has, a
 * phase that can never be left, a need-weighted caseload cap below one
 * participant's need, unknown profile, role, measure, destination, source
 * and target names (with "did you mean"), unknown keys inside a section
 * item, sources given together with referrals.rate_per_month, phases
 * together with casework.*, a time limit without a time_limit destination,
 * a phase needing a decision when no role decides. Each must be rejected
 * with exactly one line naming the file, the line of the offending setting,
 * the key path, and what is wrong. Also: volume pressure on its own (method:
 * { pressure } without method work) loads, and method work with a key
 * missing does not.
 *
 * Files are written with mkstemp under /tmp and removed afterwards.
 */
#include "test_support.h"

#include "scenario/config.h"

/* A valid scenario using the sections; tests replace single lines, so the
 * line numbers stay put. */
static const char *const BASE[] = {
    /*  1 */ "run: { horizon_months = 24; warmup_months = 0; };",
    /*  2 */ "exits: { destinations = [ \"work\", \"other\", \"time_limit\" ]; good = [ \"work\" ]; };",
    /*  3 */ "profiles = ( { name = \"job450\"; need = 1.0; },",
    /*  4 */ "              { name = \"heavy\"; need = 2.0; } );",
    /*  5 */ "sources = ( { name = \"af\"; rate_per_month = 10.0; profiles = { job450 = 0.6; heavy = 0.4; }; },",
    /*  6 */ "            { name = \"soc\"; schedule = ( { month = 0.0; value = 5.0; }, { month = 6.0; value = 8.0; } );",
    /*  7 */ "              profiles = { heavy = 1.0; }; } );",
    /*  8 */ "staff: { meeting_hours_per_day = 4.0; cap_by = \"need\";",
    /*  9 */ "  roles = ( { name = \"coach\"; caseload_cap = 20.0; },",
    /* 10 */ "            { name = \"officer\"; decides = true; meeting_hours = { dist = \"exponential\"; mean = 1.0; }; } );",
    /* 11 */ "  teams = ( { name = \"t1\"; members = ( { role = \"coach\"; count = 3; },",
    /* 12 */ "                                       { role = \"officer\"; count = 1; } ); } ); };",
    /* 13 */ "measures = ( { name = \"training\"; places = 5; duration_days = { dist = \"deterministic\"; value = 30.0; };",
    /* 14 */ "               exit_to = \"work\"; exit_probability = 0.3; } );",
    /* 15 */ "phases = ( { name = \"mapping\"; meeting_hours = { dist = \"exponential\"; mean = 1.0; };",
    /* 16 */ "             own_time_days = { dist = \"exponential\"; mean = 10.0; }; progress_per_meeting = 0.25; },",
    /* 17 */ "           { name = \"activities\"; needs_decision = true; measure = \"training\";",
    /* 18 */ "             meeting_hours = { dist = \"exponential\"; mean = 1.0; };",
    /* 19 */ "             own_time_days = { dist = \"exponential\"; mean = 10.0; }; progress_per_meeting = 0.1;",
    /* 20 */ "             exit_probability = 0.05; exits = { other = 1.0; }; completion = { work = 1.0; }; } );",
    /* 21 */ "programme: { max_months = 12.0; };",
    /* 22 */ "targets = ( { name = \"enrolled\"; kind = \"enrolled\"; value = 100.0; deadline_month = 24.0; } );",
    /* 23 */ "",
};
#define BASE_LINES ((int)(sizeof BASE / sizeof BASE[0]))

/* BASE with line `line` (1-based) replaced; 0 replaces nothing. */
static char *base_with(int line, const char *replacement)
{
    return ts_lines_with(BASE, BASE_LINES, line, replacement);
}

static char g_path[PATH_MAX];

static int load_text(const char *text, config_scenario *sc, config_error *err)
{
    snprintf(g_path, sizeof g_path, "test-sections.cfg");
    return config_load_text(sc, g_path, text, NULL, 0, err);
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Loads BASE with one line replaced and expects exactly one line of
 * message: "<file>:<line>: <key>: <what>", with each needle in <what> or
 * anywhere after the prefix. */
static void expect_bad(int replace, const char *replacement, int line, const char *key, const char *const *needles)
{
    char *text = base_with(replace, replacement);
    config_scenario sc;
    config_error err;
    if (load_text(text, &sc, &err) != -1)
        fail_msg("accepted a bad scenario (line %d: %s)", replace, replacement);
    const char *m = err.message;
    print_message("  %s\n", m);
    char prefix[PATH_MAX + 300];
    snprintf(prefix, sizeof prefix, "%s:%d: %s: ", g_path, line, key);
    if (strncmp(m, prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", m, prefix);
    for (; *needles; needles++)
        TS_ASSERT_CONTAINS(m + strlen(prefix), *needles);
    if (strchr(m, '\n') || strchr(m, '\r'))
        fail_msg("message is not one line: \"%s\"", m);
    /* nothing left allocated on failure */
    assert_null(sc.path);
    assert_null(sc.text);
    free(text);
}

static void test_base_loads(void **state)
{
    (void)state;
    char *text = base_with(0, "");
    config_scenario sc;
    config_error err;
    if (load_text(text, &sc, &err) != 0)
        fail_msg("%s", err.message);
    const model_params *p = &sc.model;
    assert_int_equal(p->sources, 2);
    assert_int_equal(p->profiles, 2);
    assert_int_equal(p->roles, 2);
    assert_int_equal(p->teams, 1);
    assert_int_equal(p->measures, 1);
    assert_int_equal(p->phases, 2);
    assert_int_equal(p->targets, 1);
    assert_int_equal(p->time_limit_destination, 2);
    assert_int_equal(p->phase[1].measure, 0);
    assert_true(p->phase[1].needs_decision);
    assert_true(p->cap_by_need);
    TS_ASSERT_SAME_DOUBLE(p->source[0].profile_shares[1], 0.4);
    assert_null(model_params_check(p));
    config_scenario_free(&sc);
    free(text);
}

static void test_profile_shares_must_sum_to_one(void **state)
{
    (void)state;
    expect_bad(5, "sources = ( { name = \"af\"; rate_per_month = 10.0; profiles = { job450 = 0.6; heavy = 0.3; }; },", 5,
               "sources[0].profiles", NEEDLES("shares must sum to 1", "0.9"));
}

static void test_schedule_months_in_order(void **state)
{
    (void)state;
    expect_bad(6,
               "            { name = \"soc\"; schedule = ( { month = 6.0; value = 5.0; }, { month = 3.0; value = 8.0; } );",
               6, "sources[1].schedule[1]", NEEDLES("months must increase", "3 after 6"));
}

static void test_decision_role_in_no_team(void **state)
{
    (void)state;
    /* the officer, who decides, is nowhere on the staff */
    expect_bad(12, "                                       { role = \"coach\"; count = 1; } ); } ); };", 9,
               "staff.roles[1]", NEEDLES("'officer'", "decides", "no team"));
    /* nor is a count of 0 anyone */
    expect_bad(12, "                                       { role = \"officer\"; count = 0; } ); } ); };", 9,
               "staff.roles[1]", NEEDLES("'officer'", "no team"));
}

static void test_decision_without_deciding_role(void **state)
{
    (void)state;
    expect_bad(10, "            { name = \"officer\"; meeting_hours = { dist = \"exponential\"; mean = 1.0; }; } );", 17,
               "phases[1]", NEEDLES("needs a decision", "decides"));
}

static void test_phase_never_left(void **state)
{
    (void)state;
    /* no progress and no exits in a phase that is not the last */
    expect_bad(16, "             own_time_days = { dist = \"exponential\"; mean = 10.0; }; progress_per_meeting = 0.0; },",
               15, "phases[0]", NEEDLES("can never be left"));
}

static void test_cap_below_need(void **state)
{
    (void)state;
    expect_bad(9, "  roles = ( { name = \"coach\"; caseload_cap = 1.5; },", 9, "staff.roles",
               NEEDLES("'coach'", "caseload_cap 1.5", "need 2", "'heavy'"));
}

static void test_unknown_names(void **state)
{
    (void)state;
    expect_bad(7, "              profiles = { hevy = 1.0; }; } );", 7, "sources[1].profiles.hevy",
               NEEDLES("no profile named 'hevy'", "did you mean 'heavy'"));
    expect_bad(11, "  teams = ( { name = \"t1\"; members = ( { role = \"coahc\"; count = 3; },", 11,
               "staff.teams[0].members[0].role", NEEDLES("no role named 'coahc'", "did you mean 'coach'"));
    expect_bad(17, "           { name = \"activities\"; needs_decision = true; measure = \"trainig\";", 17,
               "phases[1].measure", NEEDLES("no measure named 'trainig'", "did you mean 'training'"));
    expect_bad(14, "               exit_to = \"wrok\"; exit_probability = 0.3; } );", 14, "measures[0].exit_to",
               NEEDLES("no destination named 'wrok'", "did you mean 'work'"));
    expect_bad(20, "             exit_probability = 0.05; exits = { othr = 1.0; }; completion = { work = 1.0; }; } );",
               20, "phases[1].exits.othr", NEEDLES("no destination named 'othr'", "did you mean 'other'"));
    expect_bad(2, "exits: { destinations = [ \"work\", \"other\", \"time_limit\" ]; good = [ \"wokr\" ]; };", 2,
               "exits.good", NEEDLES("no destination named 'wokr'", "did you mean 'work'"));
    expect_bad(22,
               "targets = ( { name = \"ws\"; kind = \"exits\"; destinations = [ \"wrk\" ]; value = 10.0; "
               "deadline_month = 24.0; } );",
               22, "targets[0].destinations", NEEDLES("no destination named 'wrk'", "did you mean 'work'"));
    expect_bad(22,
               "targets = ( { name = \"enrolled\"; kind = \"enrolled\"; value = 100.0; deadline_month = 24.0; } );\n"
               "method: { pressure = { target = \"enroled\"; }; };",
               23, "method.pressure.target", NEEDLES("no target named 'enroled'", "did you mean 'enrolled'"));
    expect_bad(2,
               "exits: { destinations = [ \"work\", \"other\", \"time_limit\" ]; good = [ \"work\" ];\n"
               "  followup = { work = { at_12 = 0.7; at_24 = 0.6; }; relapse_probability = 0.2; relapse_source = \"sco\"; }; };",
               3, "exits.followup.relapse_source", NEEDLES("no source named 'sco'", "did you mean 'soc'"));
    expect_bad(2,
               "exits: { destinations = [ \"work\", \"other\", \"time_limit\" ]; good = [ \"work\" ];\n"
               "  followup = { wrk = { at_12 = 0.7; at_24 = 0.6; }; }; };",
               3, "exits.followup.wrk", NEEDLES("no destination named 'wrk'", "did you mean 'work'"));
}

static void test_unknown_key_in_section(void **state)
{
    (void)state;
    expect_bad(3, "profiles = ( { name = \"job450\"; nead = 1.0; },", 3, "profiles[0].nead",
               NEEDLES("unknown key", "did you mean 'need'"));
    expect_bad(9, "  roles = ( { name = \"coach\"; caseload_cup = 20.0; },", 9, "staff.roles[0].caseload_cup",
               NEEDLES("unknown key", "did you mean 'caseload_cap'"));
}

static void test_sources_with_core_rate(void **state)
{
    (void)state;
    expect_bad(1, "run: { horizon_months = 24; warmup_months = 0; }; referrals: { rate_per_month = 10.0; };", 1,
               "referrals.rate_per_month", NEEDLES("either referrals.rate_per_month or sources"));
}

static void test_phases_with_casework(void **state)
{
    (void)state;
    expect_bad(21, "programme: { max_months = 12.0; }; casework: { own_time_days = { dist = \"exponential\"; mean = 3.0; }; };",
               21, "casework", NEEDLES("with phases", "remove this key"));
}

static void test_time_limit_without_destination(void **state)
{
    (void)state;
    expect_bad(2, "exits: { destinations = [ \"work\", \"other\" ]; good = [ \"work\" ]; };", 21, "programme.max_months",
               NEEDLES("destination named time_limit", "exits.destinations"));
}

/* Volume pressure needs no method work: method: { pressure } alone loads
 * (pressure on, method capital off). Method work with a key missing does
 * not load. */
static void test_pressure_without_method_work(void **state)
{
    (void)state;
    char *text = base_with(22, "targets = ( { name = \"enrolled\"; kind = \"enrolled\"; value = 100.0; deadline_month = 24.0; } );\n"
                               "method: { pressure = { target = \"enrolled\"; cap_increase = 0.2; }; };");
    config_scenario sc;
    config_error err;
    if (load_text(text, &sc, &err) != 0)
        fail_msg("%s", err.message);
    assert_true(sc.model.has_pressure);
    assert_false(sc.model.has_method);
    TS_ASSERT_SAME_DOUBLE(sc.model.pressure_cap_increase, 0.2);
    config_scenario_free(&sc);
    free(text);

    expect_bad(22,
               "targets = ( { name = \"enrolled\"; kind = \"enrolled\"; value = 100.0; deadline_month = 24.0; } );\n"
               "method: { time_share = 0.1; effect = 0.5; half_saturation = 1.0; };",
               23, "method.gain_per_month", NEEDLES("missing"));
    expect_bad(22,
               "targets = ( { name = \"enrolled\"; kind = \"enrolled\"; value = 100.0; deadline_month = 24.0; } );\n"
               "method: { gain_per_month = 1.0; effect = 0.5; half_saturation = 1.0; };",
               23, "method.time_share", NEEDLES("missing"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_loads),
        cmocka_unit_test(test_profile_shares_must_sum_to_one),
        cmocka_unit_test(test_schedule_months_in_order),
        cmocka_unit_test(test_decision_role_in_no_team),
        cmocka_unit_test(test_decision_without_deciding_role),
        cmocka_unit_test(test_phase_never_left),
        cmocka_unit_test(test_cap_below_need),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_unknown_key_in_section),
        cmocka_unit_test(test_sources_with_core_rate),
        cmocka_unit_test(test_phases_with_casework),
        cmocka_unit_test(test_time_limit_without_destination),
        cmocka_unit_test(test_pressure_without_method_work),
    };
    return cmocka_run_group_tests_name("config sections", tests, NULL, NULL);
}
