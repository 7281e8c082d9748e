/*
 * test_dates.c — calendar dates (issue 14, item 4): scenario/config_dates.c
 * and /series/month_start_date (output/h5out.c).
 *
 * Owns:
 *  (a) ISO dates are parsed strictly (leap days, month lengths, form) and a
 *      date is the days from run.start_date over 365.25/12;
 *  (b) every month key that names a point in time takes a date once
 *      run.start_date is given (schedule steps, a team member's
 *      start_month, a measure's open and close months, a target's
 *      deadline), giving exactly the months a number would, so runs are
 *      bit-identical; -s overrides take dates too;
 *  (c) bad dates stop with the key named: no start date, not a date, a
 *      date before the start, a malformed start date;
 *  (d) with a start date, /series carries month_start_date (one ISO date
 *      per month) and a start_date attribute; without, neither.
 */
#include "test_support.h"

#include <hdf5.h>

#include "test_spawn.h"

#include "scenario/config.h"
#include "scenario/config_dates.h"

static void test_parse_and_convert(void **state)
{
    (void)state;
    int y, m, d;
    assert_true(config_date_parse("2027-01-01", &y, &m, &d));
    assert_int_equal(y * 10000 + m * 100 + d, 20270101);
    assert_true(config_date_parse("2028-02-29", &y, &m, &d));
    assert_false(config_date_parse("2027-02-29", &y, &m, &d));
    assert_false(config_date_parse("2100-02-29", &y, &m, &d));
    assert_true(config_date_parse("2000-02-29", &y, &m, &d));
    assert_false(config_date_parse("2027-04-31", &y, &m, &d));
    assert_false(config_date_parse("2027-1-01", &y, &m, &d));
    assert_false(config_date_parse("2027-01-01x", &y, &m, &d));
    assert_false(config_date_parse("27-01-01", &y, &m, &d));
    assert_false(config_date_parse("2027/01/01", &y, &m, &d));
    assert_false(config_date_parse("2027-13-01", &y, &m, &d));
    assert_false(config_date_parse("", &y, &m, &d));
    TS_ASSERT_SAME_DOUBLE(config_date_months(2027, 1, 1, 2027, 3, 1), 59 / MODEL_DAYS_PER_MONTH);
    TS_ASSERT_SAME_DOUBLE(config_date_months(2027, 1, 1, 2028, 1, 1), 365 / MODEL_DAYS_PER_MONTH);
    TS_ASSERT_SAME_DOUBLE(config_date_months(2028, 1, 1, 2029, 1, 1), 366 / MODEL_DAYS_PER_MONTH);
    TS_ASSERT_SAME_DOUBLE(config_date_months(2027, 3, 1, 2027, 1, 1), -59 / MODEL_DAYS_PER_MONTH);
    assert_true(config_key_takes_date("sources.[0].schedule.[1].month"));
    assert_true(config_key_takes_date("measures.[0].open_month"));
    assert_true(config_key_takes_date("targets.[0].deadline_month"));
    assert_false(config_key_takes_date("referrals.rate_per_month"));
    assert_false(config_key_takes_date("waiting.readiness_decay_per_month"));
    assert_false(config_key_takes_date("run.horizon_months"));
    char out[11];
    config_date_add_days(2027, 12, 31, 1, out, sizeof out);
    assert_string_equal(out, "2028-01-01");
    config_date_add_days(2028, 2, 28, 1, out, sizeof out);
    assert_string_equal(out, "2028-02-29");
    config_date_add_days(2027, 1, 1, 365, out, sizeof out);
    assert_string_equal(out, "2028-01-01");
}

static const char base[] =
    "run: { replications = 3; seed = 5L; horizon_months = 24; warmup_months = 0; start_date = \"2027-01-01\"; };\n"
    "sources = ( { name = \"af\"; schedule = ( { month = %s; value = 30.0; }, { month = %s; value = 45.0; } ); } );\n"
    "staff: { meeting_hours_per_day = 3.0;\n"
    "  roles = ( { name = \"coach\"; caseload_cap = 20; } );\n"
    "  teams = ( { name = \"t\"; members = ( { role = \"coach\"; count = 10; },\n"
    "                                        { role = \"coach\"; count = 2; start_month = %s; } ); } ); };\n"
    "phases = ( { name = \"work\"; meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "             own_time_days = { dist = \"exponential\"; mean = 14.0; }; progress_per_meeting = 0.2;\n"
    "             exit_probability = 0.08; exits = { work = 0.3; other = 0.7; }; measure = \"course\";\n"
    "             completion = { work = 1.0; }; } );\n"
    "measures = ( { name = \"course\"; places = 10; open_month = %s; close_month = %s;\n"
    "               duration_days = { dist = \"exponential\"; mean = 30.0; }; } );\n"
    "exits: { destinations = [\"work\", \"other\"]; };\n"
    "targets = ( { name = \"exits\"; kind = \"exits\"; destinations = [\"work\"]; value = 50; deadline_month = %s; } );\n";

static void load_text(config_scenario *sc, const char *text, const char *const *ov, int n)
{
    config_error err;
    if (config_load_text(sc, "dates.cfg", text, ov, n, &err) != 0)
        fail_msg("%s", err.message);
}

static char *scenario(const char *a, const char *b, const char *c, const char *d, const char *e, const char *f)
{
    char *text = malloc(sizeof base + 256);
    snprintf(text, sizeof base + 256, base, a, b, c, d, e, f);
    return text;
}

static void test_dates_stand_for_months(void **state)
{
    (void)state;
    char n1[32], n2[32], n3[32], n4[32], n5[32];
    snprintf(n1, sizeof n1, "%.17g", 59 / MODEL_DAYS_PER_MONTH);    /* 2027-03-01 */
    snprintf(n2, sizeof n2, "%.17g", 151 / MODEL_DAYS_PER_MONTH);   /* 2027-06-01 */
    snprintf(n3, sizeof n3, "%.17g", 90 / MODEL_DAYS_PER_MONTH);    /* 2027-04-01 */
    snprintf(n4, sizeof n4, "%.17g", 273 / MODEL_DAYS_PER_MONTH);   /* 2027-10-01 */
    snprintf(n5, sizeof n5, "%.17g", 546 / MODEL_DAYS_PER_MONTH);   /* 2028-06-30 */
    char *numbers = scenario("0.0", n1, n2, n3, n4, n5);
    char *dates = scenario("\"2027-01-01\"", "\"2027-03-01\"", "\"2027-06-01\"", "\"2027-04-01\"", "\"2027-10-01\"",
                           "\"2028-06-30\"");
    config_scenario a, b;
    load_text(&a, numbers, NULL, 0);
    load_text(&b, dates, NULL, 0);
    assert_string_equal(b.model.start_date, "2027-01-01");
    TS_ASSERT_SAME_DOUBLE(b.model.source[0].rate.month[1], 59 / MODEL_DAYS_PER_MONTH);
    TS_ASSERT_SAME_DOUBLE(b.model.team[0].group[1].start_month, 151 / MODEL_DAYS_PER_MONTH);
    TS_ASSERT_SAME_DOUBLE(b.model.measure[0].open_month, 90 / MODEL_DAYS_PER_MONTH);
    TS_ASSERT_SAME_DOUBLE(b.model.measure[0].close_month, 273 / MODEL_DAYS_PER_MONTH);
    TS_ASSERT_SAME_DOUBLE(b.model.target[0].deadline_month, 546 / MODEL_DAYS_PER_MONTH);
    for (uint32_t r = 0; r < 2; r++) {
        records ra = {0}, rb = {0};
        model_result xa, xb;
        assert_int_equal(model_run(&a.model, r, 11 + r, collect, &ra, &xa), 0);
        assert_int_equal(model_run(&b.model, r, 11 + r, collect, &rb, &xb), 0);
        assert_int_equal(ra.n, rb.n);
        assert_memory_equal(ra.items, rb.items, ra.n * sizeof *ra.items);
        assert_int_equal(xa.events, xb.events);
        records_free(&ra);
        records_free(&rb);
        model_result_free(&xa);
        model_result_free(&xb);
    }
    /* an override takes a date too */
    const char *ov[] = {"sources.af.schedule.[1].month=2027-03-01"};
    config_scenario c;
    load_text(&c, numbers, ov, 1);
    TS_ASSERT_SAME_DOUBLE(c.model.source[0].rate.month[1], 59 / MODEL_DAYS_PER_MONTH);
    config_scenario_free(&a);
    config_scenario_free(&b);
    config_scenario_free(&c);
    free(numbers);
    free(dates);
}

static void test_bad_dates_name_the_key(void **state)
{
    (void)state;
    char *text = scenario("0.0", "\"2027-03-01\"", "0.0", "0.0", "1e9", "12");
    static const struct {
        const char *ov, *expect;
    } cases[] = {
        {"sources.af.schedule.[1].month=2027-02-30", "expected months (a number) or an ISO date"},
        {"sources.af.schedule.[1].month=2026-12-01", "2026-12-01 is month -1.018 from run.start_date 2027-01-01"},
        {"targets.exits.deadline_month=2031-01-01", "targets"},
        {"run.start_date=2027-13-01", "run.start_date: expected an ISO date \"YYYY-MM-DD\""},
        {"run.start_date=20270101", "run.start_date: expected an ISO date"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        config_scenario sc;
        config_error err;
        const char *ov[] = {cases[i].ov};
        assert_int_equal(config_load_text(&sc, "dates.cfg", text, ov, 1, &err), -1);
        print_message("  %s\n", err.message);
        TS_ASSERT_CONTAINS(err.message, cases[i].expect);
    }
    /* without run.start_date */
    char *plain = strdup(text);
    char *at = strstr(plain, " start_date = \"2027-01-01\";");
    memmove(at, at + strlen(" start_date = \"2027-01-01\";"), strlen(at + strlen(" start_date = \"2027-01-01\";")) + 1);
    config_scenario sc;
    config_error err;
    assert_int_equal(config_load_text(&sc, "dates.cfg", plain, NULL, 0, &err), -1);
    print_message("  %s\n", err.message);
    TS_ASSERT_CONTAINS(err.message, "dates.cfg:2: sources[0].schedule[1].month: a date ('2027-03-01') needs run.start_date");
    free(plain);
    free(text);
}

static int count_dates(const char *h5, char first[11], char last[11], char start[11])
{
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    int n = -1;
    if (H5Lexists(f, "/series/month_start_date", H5P_DEFAULT) > 0) {
        hid_t set = H5Dopen2(f, "/series/month_start_date", H5P_DEFAULT);
        hid_t space = H5Dget_space(set);
        hssize_t count = H5Sget_simple_extent_npoints(space);
        char (*v)[11] = calloc((size_t)count, sizeof *v);
        hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, 11);
        H5Tset_cset(type, H5T_CSET_UTF8); /* caseflow writes text as UTF-8 */
        assert_true(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
        memcpy(first, v[0], 11);
        memcpy(last, v[count - 1], 11);
        hid_t g = H5Gopen2(f, "/series", H5P_DEFAULT);
        hid_t attr = H5Aopen(g, "start_date", H5P_DEFAULT);
        hid_t at = H5Aget_type(attr);
        size_t len = H5Tget_size(at);
        char buf[64] = "";
        assert_true(len < sizeof buf);
        assert_true(H5Aread(attr, at, buf) >= 0);
        memcpy(start, buf, 11);
        H5Tclose(at);
        H5Aclose(attr);
        H5Gclose(g);
        H5Tclose(type);
        free(v);
        H5Sclose(space);
        H5Dclose(set);
        n = (int)count;
    }
    H5Fclose(f);
    return n;
}

static void test_series_carry_dates(void **state)
{
    (void)state;
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    char dir[PATH_MAX], cfg[PATH_MAX], h5[PATH_MAX];
    ts_output o = {NULL, NULL};
    ts_make_temp_dir(dir);
    ts_source_path("configs/default.cfg", cfg);
    snprintf(h5, sizeof h5, "%s/d.h5", dir);
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", cfg, "--reps", "2", "--quiet", "-s",
                                 "run.start_date=2027-01-01", "-o", h5, NULL),
                     0);
    char first[11], last[11], start[11];
    assert_int_equal(count_dates(h5, first, last, start), 60);
    assert_string_equal(first, "2027-01-01");
    assert_string_equal(start, "2027-01-01");
    /* month 59 starts 59 x 365.25/12 = 1795.8 days on: day 1795 */
    char want[11];
    config_date_add_days(2027, 1, 1, 1795, want, sizeof want);
    assert_string_equal(last, want);
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", cfg, "--reps", "2", "--quiet", "--force", "-o", h5, NULL), 0);
    assert_int_equal(count_dates(h5, first, last, start), -1);
    ts_output_free(&o);
    ts_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_convert),
        cmocka_unit_test(test_dates_stand_for_months),
        cmocka_unit_test(test_bad_dates_name_the_key),
        cmocka_unit_test(test_series_carry_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
