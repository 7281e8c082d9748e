/*
 * test_config.c — scenario files and overrides (io_config).
 *
 * Owns: loading configs/default.cfg and a minimal file (defaults filled
 * in), the round trip through config_print, and one test per kind of bad
 * input: missing, unreadable and directory paths, syntax errors, binary
 * garbage and NUL bytes, an empty file, wrong types, out-of-range values,
 * unknown keys and distribution names (with "did you mean"), missing and
 * extra distribution parameters, shares not summing to 1, duplicate keys,
 * warm-up not shorter than the horizon, and -s overrides (applied,
 * unknown key, wrong type, malformed). Every message is checked for the
 * file name, the line where the file has one, the key path and what was
 * expected, and for being a single line.
 *
 * Scenario texts are loaded from memory (config_load_text) under a made-up
 * name; the tests of reading files write them with mkstemp under /tmp and
 * remove them afterwards. Also: numbers set on a loaded scenario
 * (config_set_number) are validated like overrides and recorded.
 */
#include "test_support.h"

#include "scenario/config.h"

/* A minimal valid scenario; tests replace single lines, so the line
 * numbers below stay put. */
static const char *const BASE[] = {
    /*  1 */ "run: {",
    /*  2 */ "  replications = 2;",
    /*  3 */ "  seed = 5;",
    /*  4 */ "  horizon_months = 24;",
    /*  5 */ "  warmup_months = 6;",
    /*  6 */ "};",
    /*  7 */ "referrals: { rate_per_month = 10.0; };",
    /*  8 */ "staff: {",
    /*  9 */ "  workers = 2;",
    /* 10 */ "  caseload_cap = 5;",
    /* 11 */ "  meeting_hours_per_day = 3.0;",
    /* 12 */ "};",
    /* 13 */ "casework: {",
    /* 14 */ "  meeting_hours = { dist = \"exponential\"; mean = 1.5; };",
    /* 15 */ "  own_time_days = { dist = \"gamma\"; mean = 14.0; sd = 3.0; };",
    /* 16 */ "};",
    /* 17 */ "exits: {",
    /* 18 */ "  probability_per_meeting = 0.1;",
    /* 19 */ "  shares = { work = 0.25; other = 0.75; };",
    /* 20 */ "};",
};
#define BASE_LINES ((int)(sizeof BASE / sizeof BASE[0]))

/* BASE with line `line` (1-based) replaced; 0 replaces nothing. */
static char *base_with(int line, const char *replacement)
{
    return ts_lines_with(BASE, BASE_LINES, line, replacement);
}

static char g_path[PATH_MAX];

/* Writes bytes to a temporary file, loads it, removes it. The file's name
 * stays in g_path for checking messages. */
static int load_bytes(const void *data, size_t len, const char *const *ov, int n_ov, config_scenario *sc,
                      config_error *err)
{
    ts_write_temp(data, len, g_path);
    int rc = config_load(sc, g_path, ov, n_ov, err);
    unlink(g_path);
    return rc;
}

/* Loads text from memory under a made-up file name, kept in g_path for
 * checking messages. */
static int load_text(const char *text, const char *const *ov, int n_ov, config_scenario *sc, config_error *err)
{
    snprintf(g_path, sizeof g_path, "test-scenario.cfg");
    return config_load_text(sc, g_path, text, ov, n_ov, err);
}

/* The checks every error message must pass: it names the file (followed by
 * :line when line > 0, by some :line when line < 0, by nothing else when
 * line == 0), contains each needle, and is one line. */
static void check_message(const config_error *err, const char *path, int line, const char *const *needles)
{
    const char *m = err->message;
    print_message("  message: %s\n", m);
    char prefix[PATH_MAX + 32];
    if (line > 0)
        snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
    else if (line == 0)
        snprintf(prefix, sizeof prefix, "%s: ", path);
    else
        snprintf(prefix, sizeof prefix, "%s:", path);
    if (strncmp(m, prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", m, prefix);
    if (line < 0) {
        const char *p = m + strlen(prefix);
        if (!(*p >= '1' && *p <= '9'))
            fail_msg("message \"%s\" has no line number after \"%s\"", m, prefix);
        while (*p >= '0' && *p <= '9')
            p++;
        if (strncmp(p, ": ", 2) != 0)
            fail_msg("message \"%s\" has no line number after \"%s\"", m, prefix);
    }
    for (; needles && *needles; needles++)
        TS_ASSERT_CONTAINS(m, *needles);
    if (strchr(m, '\n') || strchr(m, '\r'))
        fail_msg("message is not one line: \"%s\"", m);
    assert_true(strlen(m) > strlen(prefix) + 5);
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Loads BASE with one line replaced and expects failure with a message at
 * `line` containing the needles. */
static void expect_bad_line(int replace, const char *replacement, int line, const char *const *needles)
{
    char *text = base_with(replace, replacement);
    config_scenario sc;
    config_error err;
    int rc = load_text(text, NULL, 0, &sc, &err);
    if (rc != -1)
        fail_msg("accepted a bad config (line %d: %s)", replace, replacement);
    check_message(&err, g_path, line, needles);
    /* nothing left allocated on failure */
    assert_null(sc.path);
    assert_null(sc.text);
    assert_null(sc.overrides);
    free(text);
}

/* ---- good files -------------------------------------------------------- */

static void test_default_config_loads(void **state)
{
    (void)state;
    char path[PATH_MAX];
    ts_source_path("configs/default.cfg", path);
    config_scenario sc;
    config_error err;
    if (config_load(&sc, path, NULL, 0, &err) != 0)
        fail_msg("configs/default.cfg: %s", err.message);
    assert_string_equal(sc.path, path);
    size_t len;
    char *text = ts_read_file(path, &len);
    assert_non_null(text);
    assert_string_equal(sc.text, text);
    assert_string_equal(sc.overrides, "");
    free(text);
    const model_params *m = &sc.model;
    assert_null(model_params_check(m));
    assert_true(sc.replications >= 1);
    assert_true(m->horizon_months > m->warmup_months);
    assert_true(m->destinations >= 1);
    double sum = 0;
    for (int d = 0; d < m->destinations; d++)
        sum += m->destination_shares[d];
    TS_ASSERT_NEAR(sum, 1.0, 1e-9);
    config_scenario_free(&sc);
    config_scenario_free(&sc); /* twice is harmless */
}

static void test_base_values_and_defaults(void **state)
{
    (void)state;
    char *text = base_with(0, "");
    config_scenario sc;
    config_error err;
    if (load_text(text, NULL, 0, &sc, &err) != 0)
        fail_msg("%s", err.message);
    const model_params *m = &sc.model;
    assert_int_equal(sc.replications, 2);
    assert_int_equal(sc.seed, 5);
    assert_int_equal(m->horizon_months, 24);
    assert_int_equal(m->warmup_months, 6);
    TS_ASSERT_SAME_DOUBLE(m->referral_rate_per_month, 10.0);
    assert_int_equal(m->workers, 2);
    assert_int_equal(m->caseload_cap, 5);
    TS_ASSERT_SAME_DOUBLE(m->meeting_hours_per_day, 3.0);
    assert_int_equal(m->meeting_hours.kind, DIST_EXPONENTIAL);
    TS_ASSERT_SAME_DOUBLE(dist_mean(&m->meeting_hours), 1.5);
    assert_int_equal(m->own_time_days.kind, DIST_GAMMA);
    TS_ASSERT_SAME_DOUBLE(m->own_time_days.p1, 14.0);
    TS_ASSERT_SAME_DOUBLE(m->own_time_days.p2, 3.0);
    TS_ASSERT_SAME_DOUBLE(m->exit_probability, 0.1);
    assert_int_equal(m->destinations, 2);
    assert_string_equal(m->destination_names[0], "work");
    assert_string_equal(m->destination_names[1], "other");
    TS_ASSERT_SAME_DOUBLE(m->destination_shares[0], 0.25);
    TS_ASSERT_SAME_DOUBLE(m->destination_shares[1], 0.75);
    assert_string_equal(sc.text, text);
    config_scenario_free(&sc);
    free(text);

    /* optional keys left out take their documented defaults; an integer
     * is accepted where a real number is expected */
    const char *minimal = "run: { horizon_months = 12; };\n"
                          "referrals: { rate_per_month = 10; };\n"
                          "staff: { workers = 1; caseload_cap = 1; };\n"
                          "casework: { meeting_hours = { dist = \"deterministic\"; value = 1; };\n"
                          "            own_time_days = { dist = \"uniform\"; min = 0; max = 2; }; };\n"
                          "exits: { probability_per_meeting = 1; shares = { all = 1; }; };\n";
    if (load_text(minimal, NULL, 0, &sc, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(sc.replications, 10);
    assert_int_equal(sc.seed, 1);
    assert_int_equal(sc.model.warmup_months, 0);
    TS_ASSERT_SAME_DOUBLE(sc.model.meeting_hours_per_day, 4.0);
    TS_ASSERT_SAME_DOUBLE(sc.model.exit_probability, 1.0);
    assert_int_equal(sc.model.own_time_days.kind, DIST_UNIFORM);
    config_scenario_free(&sc);

    /* a 64-bit seed */
    text = base_with(3, "  seed = 9000000000000000000L;");
    if (load_text(text, NULL, 0, &sc, &err) != 0)
        fail_msg("%s", err.message);
    assert_true(sc.seed == 9000000000000000000ULL);
    config_scenario_free(&sc);
    free(text);
}

static void test_print_round_trip(void **state)
{
    (void)state;
    char path[PATH_MAX];
    ts_source_path("configs/default.cfg", path);
    config_scenario a, b;
    config_error err;
    const char *ov[] = {"staff.workers=9"};
    if (config_load(&a, path, ov, 1, &err) != 0)
        fail_msg("%s", err.message);
    char *printed = NULL;
    size_t plen = 0;
    FILE *f = open_memstream(&printed, &plen);
    assert_non_null(f);
    config_print(f, &a);
    fclose(f);
    if (load_text(printed, NULL, 0, &b, &err) != 0)
        fail_msg("config_print's output does not load: %s\n%s", err.message, printed);
    assert_int_equal(b.replications, a.replications);
    assert_true(b.seed == a.seed);
    assert_int_equal(b.model.workers, 9);
    assert_int_equal(b.model.horizon_months, a.model.horizon_months);
    assert_int_equal(b.model.warmup_months, a.model.warmup_months);
    assert_int_equal(b.model.caseload_cap, a.model.caseload_cap);
    TS_ASSERT_SAME_DOUBLE(b.model.referral_rate_per_month, a.model.referral_rate_per_month);
    TS_ASSERT_SAME_DOUBLE(b.model.meeting_hours_per_day, a.model.meeting_hours_per_day);
    TS_ASSERT_SAME_DOUBLE(b.model.exit_probability, a.model.exit_probability);
    assert_memory_equal(&b.model.meeting_hours, &a.model.meeting_hours, sizeof(dist));
    assert_memory_equal(&b.model.own_time_days, &a.model.own_time_days, sizeof(dist));
    assert_int_equal(b.model.destinations, a.model.destinations);
    for (int d = 0; d < a.model.destinations; d++) {
        assert_string_equal(b.model.destination_names[d], a.model.destination_names[d]);
        TS_ASSERT_SAME_DOUBLE(b.model.destination_shares[d], a.model.destination_shares[d]);
    }
    config_scenario_free(&a);
    config_scenario_free(&b);
    free(printed);
}

/* ---- files that cannot be read ----------------------------------------- */

static void test_missing_file(void **state)
{
    (void)state;
    const char *path = "/tmp/caseflow-test-no-such-dir/none.cfg";
    config_scenario sc;
    config_error err;
    assert_int_equal(config_load(&sc, path, NULL, 0, &err), -1);
    check_message(&err, path, 0, NEEDLES("cannot open", "No such file"));
}

static void test_unreadable_file(void **state)
{
    (void)state;
    config_scenario sc;
    config_error err;
    /* a file that opens but cannot be read, even by root: /proc/self/mem
     * at offset 0 (never mapped) gives EIO */
    if (ts_exists("/proc/self/mem")) {
        assert_int_equal(config_load(&sc, "/proc/self/mem", NULL, 0, &err), -1);
        check_message(&err, "/proc/self/mem", 0, NEEDLES("cannot read"));
    }
    if (geteuid() == 0) {
        /* root reads regardless of permission bits */
        print_message("  (running as root: the permission-bits case is skipped)\n");
        return;
    }
    char *text = base_with(0, "");
    ts_write_temp(text, strlen(text), g_path);
    free(text);
    chmod(g_path, 0);
    int rc = config_load(&sc, g_path, NULL, 0, &err);
    unlink(g_path);
    assert_int_equal(rc, -1);
    check_message(&err, g_path, 0, NEEDLES("Permission denied"));
}

static void test_directory(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    ts_make_temp_dir(dir);
    config_scenario sc;
    config_error err;
    int rc = config_load(&sc, dir, NULL, 0, &err);
    ts_remove_tree(dir);
    assert_int_equal(rc, -1);
    check_message(&err, dir, 0, NEEDLES("directory"));
}

/* ---- syntax and garbage ------------------------------------------------ */

static void test_syntax_error(void **state)
{
    (void)state;
    expect_bad_line(9, "  workers = = 2;", 9, NEEDLES("syntax error"));
    expect_bad_line(12, "}};", 12, NEEDLES("syntax error"));
    expect_bad_line(10, "  caseload_cap 5;", 10, NEEDLES("syntax error"));
    expect_bad_line(14, "  meeting_hours = { dist = \"exponential\"; mean = 1.5; ;", 14, NEEDLES("syntax error"));
}

static void test_binary_garbage(void **state)
{
    (void)state;
    /* random bytes without NUL, with line breaks here and there */
    unsigned char junk[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        unsigned char c = (unsigned char)(x >> 16);
        junk[i] = c == 0 ? 0xff : c;
    }
    config_scenario sc;
    config_error err;
    assert_int_equal(load_bytes(junk, sizeof junk, NULL, 0, &sc, &err), -1);
    check_message(&err, g_path, -1, NEEDLES("syntax error"));

    /* a valid start, then NUL bytes (a binary file is not a scenario) */
    char *text = base_with(0, "");
    size_t len = strlen(text);
    text[len / 2] = '\0';
    assert_int_equal(load_bytes(text, len, NULL, 0, &sc, &err), -1);
    check_message(&err, g_path, 0, NEEDLES("NUL"));
    free(text);

    /* an HDF5 file given by mistake starts with these bytes */
    static const unsigned char h5[] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
    assert_int_equal(load_bytes(h5, sizeof h5, NULL, 0, &sc, &err), -1);
    check_message(&err, g_path, 0, NEEDLES("NUL"));
}

static void test_empty_file(void **state)
{
    (void)state;
    config_scenario sc;
    config_error err;
    assert_int_equal(load_text("", NULL, 0, &sc, &err), -1);
    check_message(&err, g_path, 0,
                  NEEDLES("run.horizon_months", "missing required key", "expected an integer >= 1 and <= 1200 (months)"));
    /* only comments: the same */
    assert_int_equal(load_text("# nothing here\n// nor here\n", NULL, 0, &sc, &err), -1);
    check_message(&err, g_path, 0, NEEDLES("run.horizon_months", "missing required key"));
    /* a required distribution missing says what it wants */
    expect_bad_line(15, "", 0, NEEDLES("casework.own_time_days", "missing required key", "distribution"));
}

/* ---- values ------------------------------------------------------------ */

static void test_wrong_type(void **state)
{
    (void)state;
    expect_bad_line(9, "  workers = \"two\";", 9,
                    NEEDLES("staff.workers", "expected an integer >= 1 and <= 100000 (count)", "got a string"));
    expect_bad_line(9, "  workers = 2.5;", 9, NEEDLES("staff.workers", "expected an integer", "got a number"));
    expect_bad_line(7, "referrals: { rate_per_month = \"10\"; };", 7,
                    NEEDLES("referrals.rate_per_month", "expected a number > 0", "referrals/month", "got a string"));
    expect_bad_line(18, "  probability_per_meeting = true;", 18,
                    NEEDLES("exits.probability_per_meeting", "got a boolean"));
    expect_bad_line(3, "  seed = \"abc\";", 3, NEEDLES("run.seed", "expected an integer >= 0", "got a string"));
    expect_bad_line(3, "  seed = -4;", 3, NEEDLES("run.seed", "negative"));
    expect_bad_line(14, "  meeting_hours = 1.5;", 14,
                    NEEDLES("casework.meeting_hours", "expected a distribution group", "got a number"));
    expect_bad_line(14, "  meeting_hours = { dist = \"exponential\"; mean = \"long\"; };", 14,
                    NEEDLES("casework.meeting_hours.mean", "expected a number (hours)", "got a string"));
    expect_bad_line(14, "  meeting_hours = { dist = 3; mean = 1.5; };", 14,
                    NEEDLES("casework.meeting_hours.dist", "expected a string", "got an integer"));
    expect_bad_line(8, "staff = 3; xstaff: {", 8, NEEDLES("staff", "expected a group", "got an integer"));
    expect_bad_line(19, "  shares = 1.0;", 19, NEEDLES("exits.shares", "expected a group", "got a number"));
    expect_bad_line(19, "  shares = { work = \"half\"; other = 0.5; };", 19,
                    NEEDLES("exits.shares.work", "expected a share between 0 and 1", "got a string"));
}

static void test_out_of_range(void **state)
{
    (void)state;
    expect_bad_line(10, "  caseload_cap = 0;", 10,
                    NEEDLES("staff.caseload_cap", "expected an integer >= 1", "participants/worker", "got 0"));
    expect_bad_line(7, "referrals: { rate_per_month = -3.0; };", 7,
                    NEEDLES("referrals.rate_per_month", "expected a number > 0", "got -3"));
    expect_bad_line(7, "referrals: { rate_per_month = 0.0; };", 7,
                    NEEDLES("referrals.rate_per_month", "expected a number > 0", "got 0"));
    expect_bad_line(18, "  probability_per_meeting = 1.5;", 18,
                    NEEDLES("exits.probability_per_meeting", "expected a number > 0 and <= 1", "got 1.5"));
    expect_bad_line(18, "  probability_per_meeting = 0.0;", 18,
                    NEEDLES("exits.probability_per_meeting", "expected a number > 0", "got 0"));
    expect_bad_line(11, "  meeting_hours_per_day = 25.0;", 11,
                    NEEDLES("staff.meeting_hours_per_day", "<= 24", "got 25"));
    expect_bad_line(2, "  replications = 0;", 2, NEEDLES("run.replications", ">= 1", "got 0"));
    expect_bad_line(4, "  horizon_months = 5000;", 4, NEEDLES("run.horizon_months", "<= 1200", "got 5000"));
    expect_bad_line(9, "  workers = 99999999999L;", 9, NEEDLES("staff.workers", "<= 100000", "got 99999999999"));
    /* a distribution with impossible parameters */
    expect_bad_line(14, "  meeting_hours = { dist = \"exponential\"; mean = -1.5; };", 14,
                    NEEDLES("casework.meeting_hours", "exponential", "mean must be > 0"));
    expect_bad_line(15, "  own_time_days = { dist = \"uniform\"; min = 5.0; max = 2.0; };", 15,
                    NEEDLES("casework.own_time_days", "uniform", "min < max"));
    expect_bad_line(19, "  shares = { work = 1.5; other = -0.5; };", 19,
                    NEEDLES("exits.shares.work", "expected a share between 0 and 1", "got 1.5"));
}

static void test_unknown_key(void **state)
{
    (void)state;
    expect_bad_line(9, "  worker = 2;", 9, NEEDLES("staff.worker", "unknown key", "did you mean 'staff.workers'"));
    expect_bad_line(5, "  warmup_month = 6;", 5,
                    NEEDLES("run.warmup_month", "unknown key", "did you mean 'run.warmup_months'"));
    /* a misspelt group */
    expect_bad_line(7, "referral: { rate_per_month = 10.0; };", 7,
                    NEEDLES("referral", "unknown key", "did you mean 'referrals'"));
    /* nothing close: no suggestion */
    expect_bad_line(2, "  replications = 2; colour = \"blue\";", 2, NEEDLES("run.colour", "unknown key"));
    char *text = base_with(2, "  replications = 2; colour = \"blue\";");
    config_scenario sc;
    config_error err;
    assert_int_equal(load_text(text, NULL, 0, &sc, &err), -1);
    TS_ASSERT_NOT_CONTAINS(err.message, "did you mean");
    free(text);
}

static void test_unknown_distribution(void **state)
{
    (void)state;
    expect_bad_line(14, "  meeting_hours = { dist = \"exponentail\"; mean = 1.5; };", 14,
                    NEEDLES("casework.meeting_hours.dist", "unknown distribution 'exponentail'",
                            "did you mean 'exponential'"));
    expect_bad_line(15, "  own_time_days = { dist = \"gama\"; mean = 14.0; sd = 3.0; };", 15,
                    NEEDLES("casework.own_time_days.dist", "'gama'", "did you mean 'gamma'"));
    /* nothing close: the known names are listed */
    expect_bad_line(14, "  meeting_hours = { dist = \"weibull\"; mean = 1.5; };", 14,
                    NEEDLES("casework.meeting_hours.dist", "unknown distribution 'weibull'", "exponential",
                            "lognormal"));
    /* no dist at all */
    expect_bad_line(14, "  meeting_hours = { mean = 1.5; };", 14,
                    NEEDLES("casework.meeting_hours.dist", "missing", "exponential"));
}

static void test_distribution_parameters(void **state)
{
    (void)state;
    /* missing */
    expect_bad_line(15, "  own_time_days = { dist = \"gamma\"; mean = 14.0; };", 15,
                    NEEDLES("casework.own_time_days.sd", "missing", "gamma distribution needs mean and sd"));
    expect_bad_line(14, "  meeting_hours = { dist = \"exponential\"; };", 14,
                    NEEDLES("casework.meeting_hours.mean", "missing", "needs mean"));
    expect_bad_line(15, "  own_time_days = { dist = \"deterministic\"; mean = 0.0; };", 15,
                    NEEDLES("casework.own_time_days.value", "missing", "needs value"));
    /* extra */
    expect_bad_line(14, "  meeting_hours = { dist = \"exponential\"; mean = 1.5; sd = 0.5; };", 14,
                    NEEDLES("casework.meeting_hours.sd", "not a parameter of a exponential distribution",
                            "it takes mean"));
    expect_bad_line(15, "  own_time_days = { dist = \"uniform\"; min = 1.0; max = 2.0; mean = 1.5; };", 15,
                    NEEDLES("casework.own_time_days.mean", "not a parameter", "min and max"));
}

static void test_shares(void **state)
{
    (void)state;
    expect_bad_line(19, "  shares = { work = 0.5; other = 0.6; };", 19,
                    NEEDLES("exits.shares", "must sum to 1", "1.1"));
    expect_bad_line(19, "  shares = { work = 0.25; other = 0.7; };", 19,
                    NEEDLES("exits.shares", "must sum to 1", "0.95"));
    expect_bad_line(19, "  shares = { };", 19, NEEDLES("exits.shares", "between 1 and 16 destinations", "got 0"));
    expect_bad_line(19,
                    "  shares = { a = 0.05; b = 0.05; c = 0.05; d = 0.05; e = 0.05; f = 0.05; g = 0.05; h = 0.05; "
                    "i = 0.05; j = 0.05; k = 0.05; l = 0.05; m = 0.05; n = 0.05; o = 0.05; p = 0.05; q = 0.2; };",
                    19, NEEDLES("exits.shares", "between 1 and 16 destinations", "got 17"));
    expect_bad_line(19, "  shares = { a_destination_name_that_is_far_too_long = 1.0; };", 19,
                    NEEDLES("exits.shares.a_destination_name_that_is_far_too_long", "longer than 31"));
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect_bad_line(9, "  workers = 2; workers = 3;", 9, NEEDLES("duplicate"));
    expect_bad_line(19, "  shares = { work = 0.25; work = 0.75; };", 19, NEEDLES("duplicate"));
}

static void test_warmup_not_below_horizon(void **state)
{
    (void)state;
    expect_bad_line(5, "  warmup_months = 24;", 5,
                    NEEDLES("run.warmup_months", "fewer months than run.horizon_months (24)", "got 24"));
    expect_bad_line(5, "  warmup_months = 30;", 5, NEEDLES("run.warmup_months", "got 30"));
}

/* A string holding a line break must not break the one-line message. */
static void test_message_stays_one_line(void **state)
{
    (void)state;
    expect_bad_line(14, "  meeting_hours = { dist = \"expo\\nnential\"; mean = 1.5; };", 14,
                    NEEDLES("casework.meeting_hours.dist", "unknown distribution"));
    expect_bad_line(15, "  own_time_days = { dist = \"gamma\\r\\n\"; mean = 1.0; sd = 1.0; };", 15,
                    NEEDLES("casework.own_time_days.dist", "unknown distribution"));
}

/* ---- overrides --------------------------------------------------------- */

static void test_overrides_applied(void **state)
{
    (void)state;
    char *text = base_with(0, "");
    const char *ov[] = {
        "staff.workers=7",
        "exits.probability_per_meeting=0.25",
        "casework.meeting_hours.mean=2.5",
        "run.seed=99",
        "referrals.rate_per_month=12",          /* an integer for a real number */
        "staff.meeting_hours_per_day=5.5",
        "casework.own_time_days.dist=\"lognormal\"",
        "exits.shares.work=0.5",
        "exits.shares.other=0.5",
        "staff.workers=8",                       /* the last one wins */
    };
    const int n = (int)(sizeof ov / sizeof ov[0]);
    config_scenario sc;
    config_error err;
    if (load_text(text, ov, n, &sc, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(sc.model.workers, 8);
    TS_ASSERT_SAME_DOUBLE(sc.model.exit_probability, 0.25);
    TS_ASSERT_SAME_DOUBLE(dist_mean(&sc.model.meeting_hours), 2.5);
    assert_true(sc.seed == 99);
    TS_ASSERT_SAME_DOUBLE(sc.model.referral_rate_per_month, 12.0);
    TS_ASSERT_SAME_DOUBLE(sc.model.meeting_hours_per_day, 5.5);
    assert_int_equal(sc.model.own_time_days.kind, DIST_LOGNORMAL);
    TS_ASSERT_SAME_DOUBLE(sc.model.own_time_days.p1, 14.0);
    TS_ASSERT_SAME_DOUBLE(sc.model.destination_shares[0], 0.5);
    /* untouched keys keep the file's values; the file's text is stored
     * unchanged and the overrides are recorded beside it */
    assert_int_equal(sc.model.caseload_cap, 5);
    assert_string_equal(sc.text, text);
    for (int i = 0; i < n; i++)
        TS_ASSERT_CONTAINS(sc.overrides, ov[i]);
    assert_int_equal(ts_count_newlines(sc.overrides), n);
    config_scenario_free(&sc);

    /* an optional key absent from the file can be set */
    char *no_reps = base_with(2, "");
    const char *reps[] = {"run.replications=3"};
    if (load_text(no_reps, reps, 1, &sc, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(sc.replications, 3);
    assert_string_equal(sc.overrides, "run.replications=3\n");
    config_scenario_free(&sc);
    free(no_reps);
    free(text);
}

static void expect_bad_override(const char *ov, const char *const *needles)
{
    char *text = base_with(0, "");
    config_scenario sc;
    config_error err;
    const char *list[] = {"staff.workers=3", ov};
    int rc = load_text(text, list, 2, &sc, &err);
    free(text);
    if (rc != -1)
        fail_msg("accepted the override %s", ov);
    check_message(&err, g_path, 0, needles);
    /* an override's error points at the command line, not at a file line */
    TS_ASSERT_CONTAINS(err.message, "-s ");
}

static void test_override_errors(void **state)
{
    (void)state;
    expect_bad_override("staff.worker=3", NEEDLES("staff.worker", "unknown key", "did you mean 'staff.workers'"));
    expect_bad_override("staff.workers=abc",
                        NEEDLES("staff.workers", "expected an integer >= 1 and <= 100000", "got a string"));
    expect_bad_override("staff.workers=2.5", NEEDLES("staff.workers", "expected an integer", "got a number"));
    expect_bad_override("staff.caseload_cap=0", NEEDLES("staff.caseload_cap", "expected an integer >= 1", "got 0"));
    expect_bad_override("exits.probability_per_meeting=1.5",
                        NEEDLES("exits.probability_per_meeting", "<= 1", "got 1.5"));
    expect_bad_override("run.warmup_months=24", NEEDLES("run.warmup_months", "fewer months"));
    expect_bad_override("casework.meeting_hours.dist=exponentail",
                        NEEDLES("casework.meeting_hours.dist", "did you mean 'exponential'"));

    /* malformed: no '=' or no key */
    char *text = base_with(0, "");
    config_scenario sc;
    config_error err;
    const char *bad[] = {"staff.workers", "=3"};
    for (int i = 0; i < 2; i++) {
        const char *one[] = {bad[i]};
        assert_int_equal(load_text(text, one, 1, &sc, &err), -1);
        check_message(&err, g_path, 0, NEEDLES(bad[i], "key.path=value"));
    }
    /* setting inside something that is not a group */
    const char *nested[] = {"staff.workers.count=3"};
    assert_int_equal(load_text(text, nested, 1, &sc, &err), -1);
    check_message(&err, g_path, 0, NEEDLES("staff.workers"));
    free(text);
}

/* ---- scenarios from memory and numbers set on them ---------------------- */

static void test_load_text_from_memory(void **state)
{
    (void)state;
    /* The name stands for the file in messages and is stored; nothing is
     * read from the file system (no file of that name exists). */
    const char *name = "stored:part-3/config_text";
    char *text = base_with(10, "  caseload_cap = 0;");
    config_scenario sc;
    config_error err;
    assert_int_equal(config_load_text(&sc, name, text, NULL, 0, &err), -1);
    check_message(&err, name, 10, NEEDLES("staff.caseload_cap", "expected an integer >= 1"));
    free(text);
    text = base_with(0, "");
    const char *ov[] = {"staff.workers=4"};
    if (config_load_text(&sc, name, text, ov, 1, &err) != 0)
        fail_msg("%s", err.message);
    assert_string_equal(sc.path, name);
    assert_string_equal(sc.text, text);
    assert_string_equal(sc.overrides, "staff.workers=4\n");
    assert_int_equal(sc.model.workers, 4);
    config_scenario_free(&sc);
    free(text);
}

static void test_set_number_validates_like_an_override(void **state)
{
    (void)state;
    char *text = base_with(0, "");
    config_scenario sc;
    config_error err;
    if (load_text(text, NULL, 0, &sc, &err) != 0)
        fail_msg("%s", err.message);
    /* out of range: the -s message, and the scenario is unchanged */
    assert_int_equal(config_set_number(&sc, "staff.caseload_cap", 0, &err), -1);
    check_message(&err, g_path, 0, NEEDLES("-s staff.caseload_cap", "expected an integer >= 1", "got 0"));
    assert_int_equal(sc.model.caseload_cap, 5);
    assert_string_equal(sc.overrides, "");
    /* a check of the whole scenario */
    assert_int_equal(config_set_number(&sc, "run.warmup_months", 24, &err), -1);
    check_message(&err, g_path, 0, NEEDLES("run.warmup_months", "fewer months"));
    /* an integer key refuses a fraction; a key no scenario has is unknown */
    assert_int_equal(config_set_number(&sc, "staff.workers", 2.5, &err), -1);
    check_message(&err, g_path, 0, NEEDLES("staff.workers", "expected an integer", "got a number"));
    assert_int_equal(config_set_number(&sc, "staff.worker", 3, &err), -1);
    check_message(&err, g_path, 0, NEEDLES("did you mean 'staff.workers'"));
    /* shares are checked together: one alone does not sum to 1 */
    const char *one[] = {"exits.shares.work"};
    const double half[] = {0.5};
    assert_int_equal(config_set_numbers(&sc, one, half, 1, &err), -1);
    check_message(&err, g_path, 19, NEEDLES("exits.shares", "sum to 1", "1.25"));
    const char *both[] = {"exits.shares.work", "exits.shares.other"};
    const double halves[] = {0.5, 0.5};
    if (config_set_numbers(&sc, both, halves, 2, &err) != 0)
        fail_msg("%s", err.message);
    TS_ASSERT_SAME_DOUBLE(sc.model.destination_shares[0], 0.5);

    /* set, the value is exact, recorded in shortest form, and the stored
     * text and overrides load back as the same scenario */
    if (config_set_number(&sc, "exits.probability_per_meeting", 0.08, &err) != 0 ||
        config_set_number(&sc, "casework.meeting_hours.mean", 2.25, &err) != 0 ||
        config_set_number(&sc, "staff.workers", 7, &err) != 0 ||
        config_set_number(&sc, "staff.workers", 6, &err) != 0)
        fail_msg("%s", err.message);
    TS_ASSERT_SAME_DOUBLE(sc.model.exit_probability, 0.08);
    TS_ASSERT_SAME_DOUBLE(sc.model.meeting_hours.p1, 2.25);
    assert_int_equal(sc.model.workers, 6);
    assert_string_equal(sc.text, text);
    assert_string_equal(sc.overrides, "exits.shares.work=0.5\nexits.shares.other=0.5\n"
                                      "exits.probability_per_meeting=0.08\ncasework.meeting_hours.mean=2.25\n"
                                      "staff.workers=6\n");
    const char *lines[5] = {"exits.shares.work=0.5", "exits.shares.other=0.5", "exits.probability_per_meeting=0.08",
                            "casework.meeting_hours.mean=2.25", "staff.workers=6"};
    config_scenario again;
    if (config_load_text(&again, g_path, sc.text, lines, 5, &err) != 0)
        fail_msg("%s", err.message);
    assert_memory_equal(&again.model, &sc.model, sizeof sc.model);

    /* a copy is independent of its source */
    config_scenario copy;
    if (config_copy(&copy, &sc, &err) != 0)
        fail_msg("%s", err.message);
    config_scenario_free(&sc);
    assert_memory_equal(&again.model, &copy.model, sizeof copy.model);
    assert_string_equal(copy.overrides, again.overrides);
    config_scenario_free(&copy);
    config_scenario_free(&again);
    free(text);
}

static void test_format_number_is_shortest(void **state)
{
    (void)state;
    char buf[40];
    assert_string_equal(config_format_number(0.08, 0, buf, sizeof buf), "0.08");
    assert_string_equal(config_format_number(0.1 + 0.2, 0, buf, sizeof buf), "0.30000000000000004");
    assert_string_equal(config_format_number(4, 0, buf, sizeof buf), "4");
    assert_string_equal(config_format_number(4, 1, buf, sizeof buf), "4.0");
    assert_string_equal(config_format_number(40, 1, buf, sizeof buf), "40.0");
    assert_string_equal(config_format_number(190, 0, buf, sizeof buf), "190");
    assert_string_equal(config_format_number(1e9, 0, buf, sizeof buf), "1000000000");
    assert_string_equal(config_format_number(0.00012, 0, buf, sizeof buf), "0.00012");
    assert_string_equal(config_format_number(1e22, 0, buf, sizeof buf), "1e+22");
    assert_string_equal(config_format_number(1e-7, 1, buf, sizeof buf), "1e-07");
    assert_string_equal(config_format_number(-2.5e300, 1, buf, sizeof buf), "-2.5e+300");
    const double samples[] = {1.0 / 3, 2.0 / 3, 0.15, 1e22, 123456789.123456789, 5e-324, 1.7976931348623157e308};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        TS_ASSERT_SAME_DOUBLE(strtod(config_format_number(samples[i], 1, buf, sizeof buf), NULL), samples[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_config_loads),
        cmocka_unit_test(test_load_text_from_memory),
        cmocka_unit_test(test_set_number_validates_like_an_override),
        cmocka_unit_test(test_format_number_is_shortest),
        cmocka_unit_test(test_base_values_and_defaults),
        cmocka_unit_test(test_print_round_trip),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_unreadable_file),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_binary_garbage),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_unknown_distribution),
        cmocka_unit_test(test_distribution_parameters),
        cmocka_unit_test(test_shares),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_warmup_not_below_horizon),
        cmocka_unit_test(test_message_stays_one_line),
        cmocka_unit_test(test_overrides_applied),
        cmocka_unit_test(test_override_errors),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
