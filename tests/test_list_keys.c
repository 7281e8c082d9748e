/*
 * test_list_keys.c — any key can be set, swept and sampled, list items
 * included (issue 17 item 1): by the item's name (or role) and by index,
 * validated like any key, with the names /resolved uses.
 *
 * Owns: -s on list items by name and by index reaching the model's
 * parameters; array elements by index; unknown names with a "did you
 * mean", indexes out of range, whole items and ambiguous names refused with
 * the override named; grids and Latin hypercubes over list keys (values
 * applied, /scenario_parameters filled); every numeric /resolved key read
 * and set back under its resolved name.
 */
#include "test_support.h"

#include "scenario/study.h"

static const char text[] =
    "run: { replications = 2; seed = 5L; horizon_months = 24; };\n"
    "age_bands = [\"16-29\", \"30+\"];\n"
    "profiles = ( { name = \"young\"; age_shares = [0.7, 0.3]; } );\n"
    "sources = ( { name = \"kommun\"; rate_per_month = 8.0; },\n"
    "            { name = \"af\"; kind = \"quota\"; schedule = ( { month = 0.0; value = 20.0; },\n"
    "                                                        { month = 6.0; value = 30.0; } ); } );\n"
    "staff: { roles = ( { name = \"coach\"; caseload_cap = 20.0; } );\n"
    "         teams = ( { name = \"lag1\"; members = ( { role = \"coach\"; count = 2; } ); },\n"
    "                   { name = \"lag2\"; members = ( { role = \"coach\"; count = 1; },\n"
    "                                              { role = \"coach\"; count = 1; start_month = 6.0; } ); } ); };\n"
    "exits: { destinations = [\"work\", \"other\"]; good = [\"work\"]; };\n"
    "phases = ( { name = \"mapping\"; meeting_hours = { dist = \"exponential\"; mean = 1.0; };\n"
    "             own_time_days = { dist = \"exponential\"; mean = 10.0; }; progress_per_meeting = 0.2;\n"
    "             exit_probability = 0.02; exits = { other = 1.0; }; },\n"
    "           { name = \"job_search\"; meeting_hours = { dist = \"exponential\"; mean = 1.0; };\n"
    "             own_time_days = { dist = \"exponential\"; mean = 10.0; }; exit_probability = 0.05;\n"
    "             exits = { work = 0.6; other = 0.4; }; } );\n";

static int load(config_scenario *sc, const char *const *ov, int n, config_error *err)
{
    return config_load_text(sc, "lists.cfg", text, ov, n, err);
}

static void test_set_by_name_and_index(void **state)
{
    (void)state;
    const char *ov[] = {
        "sources.kommun.rate_per_month=12",    "sources.[1].schedule.[1].value=52",
        "phases.mapping.exit_probability=0.1", "phases.[1].meeting_hours.mean=2.5",
        "staff.teams.lag1.members.coach.count=3", "staff.teams.lag2.members.[1].start_month=9",
        "staff.roles.coach.caseload_cap=0x10", "profiles.young.age_shares.[0]=0.6",
        "profiles.young.age_shares.[1]=0.4",   "sources.af.replacement=2",
    };
    config_scenario sc;
    config_error err;
    if (load(&sc, ov, (int)(sizeof ov / sizeof ov[0]), &err) != 0)
        fail_msg("%s", err.message);
    const model_params *p = &sc.model;
    TS_ASSERT_SAME_DOUBLE(p->source[0].rate.value[0], 12);
    TS_ASSERT_SAME_DOUBLE(p->source[1].rate.value[1], 52);
    TS_ASSERT_SAME_DOUBLE(p->source[1].rate.value[0], 20);
    assert_int_equal(p->source[1].replacement, 2);
    TS_ASSERT_SAME_DOUBLE(p->phase[0].exit_probability, 0.1);
    TS_ASSERT_SAME_DOUBLE(dist_mean(&p->phase[1].meeting_hours), 2.5);
    assert_int_equal(p->team[0].group[0].count, 3);
    TS_ASSERT_SAME_DOUBLE(p->team[1].group[1].start_month, 9);
    TS_ASSERT_SAME_DOUBLE(p->role[0].caseload_cap, 16);
    TS_ASSERT_SAME_DOUBLE(p->profile[0].age_shares[0], 0.6);
    /* read back under the same names */
    double v;
    assert_int_equal(config_get_number(&sc, "sources.af.schedule.[1].value", &v), 0);
    TS_ASSERT_SAME_DOUBLE(v, 52);
    assert_int_equal(config_get_number(&sc, "sources.[0].rate_per_month", &v), 0);
    TS_ASSERT_SAME_DOUBLE(v, 12);
    assert_int_equal(config_get_number(&sc, "sources.kommun.replacement", &v), 0); /* a default */
    TS_ASSERT_SAME_DOUBLE(v, 0);
    config_scenario_free(&sc);
}

/* Each bad path: refused, the override named, and the needle. */
static void test_bad_list_paths(void **state)
{
    (void)state;
    const struct {
        const char *override, *needle;
    } bad[] = {
        {"sources.komun.rate_per_month=3", "no item named 'komun' in sources (did you mean 'kommun'?)"},
        {"phases.matching.exit_probability=0.1", "did you mean 'mapping'"},
        {"staff.teams.lag1.members.cooch.count=3", "did you mean 'coach'"},
        {"sources.[5].rate_per_month=3", "sources has 2 items ([0] to [1]); there is no [5]"},
        {"sources.[x].rate_per_month=3", "'[x]' is not an item of sources"},
        {"sources.kommun=3", "a whole item of a list"},
        {"staff.teams.lag2.members.coach.count=3", "more than one item named 'coach'; name it by its index"},
        {"sources.kommun.rate_per_month=-1", "expected a number >= 0"},
        {"sources.kommun.rate_per_mont=3", "did you mean 'rate_per_month'"},
        {"profiles.young.age_shares.[1]=0.9", "shares must sum to 1"},
        {"profiles.young.age_shares.[2]=0.1", "there is no [2]"},
        {"profiles.young.age_shares.[0]=much", "expected a number like the other items, got a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        config_scenario sc;
        config_error err;
        const char *ov[] = {bad[i].override};
        if (load(&sc, ov, 1, &err) == 0)
            fail_msg("accepted -s %s", bad[i].override);
        print_message("  %s\n", err.message);
        TS_ASSERT_CONTAINS(err.message, bad[i].needle);
        assert_true(strncmp(err.message, "lists.cfg", 9) == 0);
        assert_null(strchr(err.message, '\n'));
        char named[128];
        snprintf(named, sizeof named, "-s %.*s", (int)strcspn(bad[i].override, "="), bad[i].override);
        TS_ASSERT_CONTAINS(err.message, named);
    }
}

static void test_sweeps_over_list_keys(void **state)
{
    (void)state;
    char dir[PATH_MAX], base[PATH_MAX + 16], study_path[PATH_MAX + 16];
    ts_make_temp_dir(dir);
    snprintf(base, sizeof base, "%s/lists.cfg", dir);
    snprintf(study_path, sizeof study_path, "%s/study.cfg", dir);
    ts_write_file(base, text, strlen(text));
    const char *study_text =
        "study: { base = \"lists.cfg\";\n"
        "  scenarios = ( { name = \"busy\"; set = [\"sources.kommun.rate_per_month=20\"]; } );\n"
        "  grid = ( { key = \"sources.af.schedule.[1].value\"; values = [40, 50]; },\n"
        "           { key = \"phases.job_search.exit_probability\"; values = [0.05, 0.1]; } );\n"
        "  lhs = { samples = 3; seed = 9L; ranges = ( { key = \"staff.teams.lag1.members.coach.count\";\n"
        "                                                min = 1; max = 6; integer = true; } ); };\n"
        "};\n";
    ts_write_file(study_path, study_text, strlen(study_text));
    study st;
    config_error err;
    if (study_load(&st, study_path, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(st.scenario_count, 1 + 1 + 4 + 3);
    assert_int_equal(st.param_count, 4);
    for (int s = 0; s < st.scenario_count; s++)
        for (int k = 0; k < st.param_count; k++)
            assert_false(isnan(st.param_values[s * st.param_count + k]));
    TS_ASSERT_SAME_DOUBLE(st.scenarios[1].sc.model.source[0].rate.value[0], 20);
    /* the grid's last point: (50, 0.1) */
    const study_scenario *last = &st.scenarios[5];
    TS_ASSERT_SAME_DOUBLE(last->sc.model.source[1].rate.value[1], 50);
    TS_ASSERT_SAME_DOUBLE(last->sc.model.phase[1].exit_probability, 0.1);
    for (int s = 6; s < 9; s++) {
        int count = st.scenarios[s].sc.model.team[0].group[0].count;
        assert_true(count >= 1 && count <= 6);
        assert_int_equal(st.param_values[s * st.param_count + 3], count);
    }
    study_free(&st);
    /* a sweep over an unknown item is refused at the study's line */
    const char *bad_study = "study: { base = \"lists.cfg\";\n"
                            "  grid = ( { key = \"sources.afx.rate_per_month\"; values = [1, 2]; } ); };\n";
    ts_write_file(study_path, bad_study, strlen(bad_study));
    assert_int_equal(study_load(&st, study_path, NULL, 0, &err), -1);
    TS_ASSERT_CONTAINS(err.message, "study.cfg:2:");
    TS_ASSERT_CONTAINS(err.message, "no item named 'afx'");
    ts_remove_tree(dir);
}

/* /resolved names are -s names: every numeric key can be read and set
 * (to its own value, and to a changed one) under the name it is listed by. */
static void test_resolved_names_address_keys(void **state)
{
    (void)state;
    config_scenario sc;
    config_error err;
    if (load(&sc, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    config_resolved r;
    assert_int_equal(config_resolve(&sc, &r, &err), 0);
    int numbers = 0;
    for (size_t i = 0; i < r.count; i++) {
        const config_resolved_key *k = &r.keys[i];
        if (strcmp(k->text, "true") == 0 || strcmp(k->text, "false") == 0) {
            /* a boolean is set as in a file */
            char line[512];
            snprintf(line, sizeof line, "%s=%s", k->key, k->text);
            const char *ov[] = {line};
            config_scenario copy;
            if (config_derive(&copy, &sc, ov, 1, NULL, NULL, 0, &err) != 0)
                fail_msg("-s %s: %s", line, err.message);
            assert_memory_equal(&copy.model, &sc.model, sizeof sc.model);
            config_scenario_free(&copy);
            continue;
        }
        if (isnan(k->value))
            continue;
        numbers++;
        double v;
        if (config_get_number(&sc, k->key, &v) != 0)
            fail_msg("%s is listed but cannot be read by that name", k->key);
        TS_ASSERT_SAME_DOUBLE(v, k->value);
        config_scenario copy;
        const char *key = k->key;
        if (config_derive(&copy, &sc, NULL, 0, &key, &k->value, 1, &err) != 0)
            fail_msg("%s = %s cannot be set by that name: %s", k->key, k->text, err.message);
        assert_memory_equal(&copy.model, &sc.model, sizeof sc.model);
        config_scenario_free(&copy);
    }
    print_message("  %d numeric keys read and set by their /resolved names\n", numbers);
    assert_true(numbers > 40);
    config_resolved_free(&r);
    config_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_by_name_and_index),
        cmocka_unit_test(test_bad_list_paths),
        cmocka_unit_test(test_sweeps_over_list_keys),
        cmocka_unit_test(test_resolved_names_address_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
