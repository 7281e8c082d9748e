/*
 * test_robust.c — bad input, full disks, interruptions and failed trials.
 *
 * Owns the catalogue of bad input in README.md ("Bad input"): for each case
 * the caseflow binary (CASEFLOW_BIN, run with fork/exec) must print one clear
 * line on stderr and exit with the documented code, creating nothing. Also:
 * a full disk (RLIMIT_FSIZE in the child, SIGXFSZ ignored) gives exit 3, no
 * partial file and an earlier file untouched; merging files of different
 * studies or builds gives exit 4; SIGTERM / SIGINT during a study give exit 5
 * and a valid file marked incomplete, which --resume completes into the same
 * results as an uninterrupted run (tests/tools/h5same.py); --resume refuses
 * a file of another study or build (exit 4); a failed trial (the runner's
 * test hook CASEFLOW_TEST_FAIL_TRIAL) gives status 2 with its reason in
 * /failures, the other trials kept and exit 6. The C API parts (a stop
 * request before the first trial, the memory estimate) run in-process.
 *
 * Without CASEFLOW_BIN the CLI tests are skipped with a message.
 */
#include "test_support.h"
#include "test_spawn.h"

#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "output/h5out.h"
#include "scenario/study.h"
#include "app/runner.h"

static const char good_cfg[] =
    "run: { replications = 4; seed = 3L; horizon_months = 12; warmup_months = 2; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 8; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

/* The base of the study that gets interrupted: about 1.5 s for its 240
 * trials with an optimised build, several times that under sanitizers. */
static const char base_cfg[] =
    "run: { replications = 2; seed = 11L; horizon_months = 60; warmup_months = 6; };\n"
    "referrals: { rate_per_month = 40.0; };\n"
    "staff: { workers = 12; caseload_cap = 20; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 14.0; }; };\n"
    "exits: { probability_per_meeting = 0.08; shares = { work = 0.3; other = 0.7; }; };\n";

static const char study_cfg[] =
    "study: { name = \"robust\"; base = \"base.cfg\"; replications = 24; seed = 5L;\n"
    "  grid = ( { key = \"staff.workers\"; values = [ 10, 12, 15 ]; },\n"
    "           { key = \"staff.caseload_cap\"; values = [ 16, 20, 24 ]; } ); };\n";
#define STUDY_TRIALS (10 * 24)

typedef struct fixture {
    const char *bin;
    char dir[PATH_MAX];  /* scratch: configs (output is captured by test_spawn.h) */
    char out[PATH_MAX];  /* outputs only, so leftovers can be counted */
    char good[PATH_MAX], study[PATH_MAX];
    char *stdout_text, *stderr_text;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->bin = getenv("CASEFLOW_BIN");
    ts_make_temp_dir(fx->dir);
    snprintf(fx->out, sizeof fx->out, "%s/out", fx->dir);
    mkdir(fx->out, 0700);
    snprintf(fx->good, sizeof fx->good, "%s/good.cfg", fx->dir);
    snprintf(fx->study, sizeof fx->study, "%s/study.cfg", fx->dir);
    ts_write_file(fx->good, good_cfg, strlen(good_cfg));
    ts_write_file(fx->study, study_cfg, strlen(study_cfg));
    char base[PATH_MAX + 16];
    snprintf(base, sizeof base, "%s/base.cfg", fx->dir);
    ts_write_file(base, base_cfg, strlen(base_cfg));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    free(fx->stdout_text);
    free(fx->stderr_text);
    ts_remove_tree(fx->dir);
    free(fx);
    return 0;
}

/* ---- running the binary ------------------------------------------------ */

typedef struct child_opts {
    const char *env_name; /* set to env_value in the child's environment */
    const char *env_value;
    long fsize;           /* RLIMIT_FSIZE in bytes (SIGXFSZ ignored); 0: none */
    int signals[2];       /* sent in turn, each after delays_ms[i]; 0: none */
    int delays_ms[2];
    /* Signals wait until something appears in this directory (the run's
     * temporary file: the run has started, whatever the machine's load). */
    const char *wait_dir;
} child_opts;

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* Runs argv[0] with argv (NULL-terminated), stdout and stderr captured into
 * fx->stdout_text and fx->stderr_text; returns the exit code. A death by
 * signal (a crash, a sanitizer abort) fails the test. The child is started
 * and collected by test_spawn.h; what is added here is co's signals, sent
 * while it runs. */
static int spawn(fixture *fx, const child_opts *co, char *const *argv)
{
    ts_child child = {.fsize = co ? co->fsize : 0};
    char env[256];
    if (co && co->env_name) {
        if (snprintf(env, sizeof env, "%s=%s", co->env_name, co->env_value) >= (int)sizeof env)
            fail_msg("environment setting too long: %s", co->env_name);
        child.env[0] = env;
    }
    ts_proc proc;
    ts_start(&proc, &child, argv);
    if (co && co->wait_dir && co->signals[0])
        for (int waited = 0; waited < 60000 && ts_dir_entries(co->wait_dir) <= 0; waited += 10)
            sleep_ms(10);
    for (int i = 0; co && i < 2 && co->signals[i]; i++) {
        sleep_ms(co->delays_ms[i]);
        kill(proc.pid, co->signals[i]);
    }
    ts_output o = {NULL, NULL};
    int code = ts_finish(&proc, &o, 0);
    free(fx->stdout_text);
    free(fx->stderr_text);
    fx->stdout_text = o.out;
    fx->stderr_text = o.err;
    return code;
}

/* caseflow with the given arguments (NULL-terminated). */
static int cf(fixture *fx, const child_opts *co, ...)
{
    ts_need_binary(fx->bin);
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)fx->bin;
    va_list ap;
    va_start(ap, co);
    const char *arg;
    while ((arg = va_arg(ap, const char *)) != NULL && n < 39)
        argv[n++] = (char *)arg;
    va_end(ap);
    argv[n] = NULL;
    int code = spawn(fx, co, argv);
    char shown[512] = "";
    for (int i = 1; i < n && strlen(shown) < 400; i++)
        snprintf(shown + strlen(shown), sizeof shown - strlen(shown), " %s", argv[i]);
    int first_line = (int)strcspn(fx->stderr_text, "\n");
    print_message("  caseflow%s -> %d%s%.*s\n", shown, code, fx->stderr_text[0] ? "; stderr: " : "",
                  first_line > 300 ? 300 : first_line, fx->stderr_text);
    return code;
}

/* tests/tools/h5same.py a b: 0 when the files hold the same results. */
static int h5same(fixture *fx, const char *a, const char *b)
{
    char tool[PATH_MAX];
    ts_source_path("tests/tools/h5same.py", tool);
    char *argv[] = {(char *)ts_python(), tool, (char *)a, (char *)b, NULL};
    int code = spawn(fx, NULL, argv);
    if (code != 0)
        print_message("  h5same %s %s -> %d: %s\n", a, b, code, fx->stderr_text);
    return code;
}

/* Rewrites the root attribute program_version with h5py, as a file written
 * by another build would have it; fixed: a fixed-length string like
 * caseflow's own, else h5py's default (variable length). */
static void fake_version(fixture *fx, const char *path, int fixed)
{
    char code[512];
    snprintf(code, sizeof code,
             "import sys, h5py, numpy as np\n"
             "f = h5py.File(sys.argv[1], 'r+')\n"
             "v = '0.0.0-another-build'\n"
             "f.attrs['program_version'] = np.bytes_(v) if %d else v\n"
             "f.close()\n",
             fixed);
    char *argv[] = {(char *)ts_python(), "-c", code, (char *)path, NULL};
    if (spawn(fx, NULL, argv) != 0)
        fail_msg("could not rewrite program_version of %s with h5py: %s", path, fx->stderr_text);
}

/* ---- reading results back ---------------------------------------------- */

static hid_t open_h5(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("%s is not a readable HDF5 file", path);
    return f;
}

static int attr_int(hid_t f, const char *name)
{
    int v = -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_INT, &v) >= 0);
    H5Aclose(a);
    return v;
}

static int has_dataset(hid_t f, const char *name)
{
    return H5Lexists(f, name, H5P_DEFAULT) > 0;
}

/* Every row of a compound dataset, read with the given memory type. */
static void *read_table(hid_t f, const char *name, hid_t type, size_t size, size_t *n)
{
    hid_t set = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(set >= 0);
    hid_t sp = H5Dget_space(set);
    *n = (size_t)H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    void *rows = calloc(*n ? *n : 1, size);
    assert_non_null(rows);
    if (*n)
        assert_true(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    H5Dclose(set);
    return rows;
}

typedef struct file_check {
    int complete;
    size_t trials, done, not_run, failed;
    int has_summary, has_failures;
} file_check;

/* Reads a results file and checks what must hold in any file caseflow
 * leaves under the final name, finished or not: a row per trial naming its
 * trial, statuses 0/1/2 only, and participant records only of finished
 * trials, in trial order. */
static file_check check_file(const char *path, int replications)
{
    file_check c = {0};
    hid_t f = open_h5(path);
    c.complete = attr_int(f, "complete");
    c.has_summary = has_dataset(f, "/summary");
    c.has_failures = has_dataset(f, "/failures");
    hid_t row_t = h5out_row_type();
    results_row *rows = read_table(f, "/replications", row_t, sizeof(results_row), &c.trials);
    H5Tclose(row_t);
    for (size_t i = 0; i < c.trials; i++) {
        assert_int_equal(rows[i].trial, i);
        assert_int_equal(rows[i].scenario * (uint64_t)replications + rows[i].replication, i);
        switch (rows[i].status) {
        case RESULTS_DONE: c.done++; break;
        case RESULTS_PENDING: c.not_run++; break;
        case RESULTS_FAILED: c.failed++; break;
        default: fail_msg("%s: trial %zu has status %u", path, i, rows[i].status);
        }
    }
    hid_t part_t = h5out_participant_type();
    size_t np;
    model_participant *people = read_table(f, "/participants", part_t, sizeof(model_participant), &np);
    H5Tclose(part_t);
    uint64_t last = 0;
    for (size_t i = 0; i < np; i++) {
        uint64_t t = people[i].scenario * (uint64_t)replications + people[i].replication;
        assert_true(t < c.trials);
        if (rows[t].status != RESULTS_DONE)
            fail_msg("%s: participant row %zu belongs to trial %llu, which has status %u", path, i,
                     (unsigned long long)t, rows[t].status);
        assert_true(t >= last);
        last = t;
    }
    free(people);
    free(rows);
    H5Fclose(f);
    if (c.done == c.trials)
        assert_int_equal(c.complete, 1);
    else
        assert_int_equal(c.complete, 0);
    return c;
}

/* ---- bad input: one line, exit 2, nothing created ------------------------ */

/* Runs `caseflow run FILE -o OUT` on text written to FILE and checks: exit
 * 2, one line on stderr naming the file and containing `expect`, nothing on
 * stdout, nothing created. */
static void expect_rejected(fixture *fx, const char *name, const void *text, size_t len, const char *expect)
{
    char path[PATH_MAX + 64], out[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", fx->dir, name);
    snprintf(out, sizeof out, "%s/x.h5", fx->out);
    ts_write_file(path, text, len);
    assert_int_equal(cf(fx, NULL, "run", path, "-o", out, "--quiet", NULL), 2);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, path);
    TS_ASSERT_CONTAINS(fx->stderr_text, expect);
    assert_string_equal(fx->stdout_text, "");
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

/* good_cfg with one substring replaced. */
static char *good_with(const char *from, const char *to)
{
    const char *at = strstr(good_cfg, from);
    if (!at)
        fail_msg("'%s' is not in the test scenario", from);
    size_t n = strlen(good_cfg) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - good_cfg), good_cfg, to, at + strlen(from));
    return s;
}

static void expect_rejected_edit(fixture *fx, const char *from, const char *to, const char *expect)
{
    char *text = good_with(from, to);
    expect_rejected(fx, "edited.cfg", text, strlen(text), expect);
    free(text);
}

static void test_empty_file(void **state)
{
    fixture *fx = *state;
    expect_rejected(fx, "empty.cfg", "", 0, "the file is empty");
    expect_rejected(fx, "blank.cfg", " \n\t\n", 4, "the file is empty");
}

static void test_binary_garbage(void **state)
{
    fixture *fx = *state;
    unsigned char junk[512];
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        junk[i] = (unsigned char)(x >> 32);
    }
    junk[7] = 0; /* with NUL bytes: not text at all */
    expect_rejected(fx, "garbage.cfg", junk, sizeof junk, "NUL bytes");
    /* without: a syntax error, control characters shown escaped on one line */
    for (size_t i = 0; i < sizeof junk; i++)
        if (junk[i] == 0)
            junk[i] = 0x01;
    junk[0] = '\x02';
    expect_rejected(fx, "garbage2.cfg", junk, sizeof junk, "syntax error");
    /* an HDF5 file given where a scenario belongs */
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/res.h5", fx->dir);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--quiet", NULL), 0);
    size_t len = 0;
    char *h5 = ts_read_file(out, &len);
    assert_non_null(h5);
    expect_rejected(fx, "results.cfg", h5, len, "NUL bytes");
    free(h5);
}

static void test_deep_nesting(void **state)
{
    fixture *fx = *state;
    const int depth = 100000;
    size_t len = 4 + 2 * (size_t)depth + 2;
    char *text = malloc(len + 1);
    memcpy(text, "a = ", 4);
    memset(text + 4, '(', (size_t)depth);
    memset(text + 4 + depth, ')', (size_t)depth);
    memcpy(text + 4 + 2 * (size_t)depth, ";\n", 3);
    expect_rejected(fx, "deep.cfg", text, len, "nested more than 64 deep");
    /* groups, and brackets inside strings and comments do not count */
    char buf[4096];
    size_t n = 0;
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "g%d = {", i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "x = 1;");
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "};");
    expect_rejected(fx, "deep2.cfg", buf, n, "nested more than 64 deep");
    free(text);
    text = malloc(strlen(good_cfg) + 400);
    snprintf(text, strlen(good_cfg) + 400, "# %s\n/* %s */\n%s", "((((((((((((((((((((((((((((((((((((((((",
             "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{", good_cfg);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/commented.cfg", fx->dir);
    ts_write_file(path, text, strlen(text));
    assert_int_equal(cf(fx, NULL, "check", path, NULL), 0);
    free(text);
}

static void test_duplicate_keys(void **state)
{
    fixture *fx = *state;
    expect_rejected_edit(fx, "workers = 2;", "workers = 2; workers = 3;", "duplicate setting");
    /* the line is named */
    TS_ASSERT_CONTAINS(fx->stderr_text, "edited.cfg:3:");
}

static void test_wrong_types(void **state)
{
    fixture *fx = *state;
    expect_rejected_edit(fx, "workers = 2;", "workers = \"two\";", "staff.workers: expected an integer");
    TS_ASSERT_CONTAINS(fx->stderr_text, "got a string");
    expect_rejected_edit(fx, "rate_per_month = 15.0;", "rate_per_month = true;", "referrals.rate_per_month");
    TS_ASSERT_CONTAINS(fx->stderr_text, "got a boolean");
    expect_rejected_edit(fx, "workers = 2;", "workers = 2.5;", "staff.workers: expected an integer");
    expect_rejected_edit(fx, "shares = { work = 0.4; other = 0.6; }", "shares = 5", "exits.shares");
    expect_rejected_edit(fx, "{ dist = \"exponential\"; mean = 1.5; }", "[ 1.5 ]", "casework.meeting_hours");
}

static void test_not_finite(void **state)
{
    fixture *fx = *state;
    expect_rejected_edit(fx, "rate_per_month = 15.0;", "rate_per_month = 1e999;", "not finite");
    TS_ASSERT_CONTAINS(fx->stderr_text, "referrals.rate_per_month");
    expect_rejected_edit(fx, "mean = 7.0;", "mean = -1e999;", "casework.own_time_days");
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/x.h5", fx->out);
    static const char *const bad[] = {"referrals.rate_per_month=inf", "referrals.rate_per_month=nan",
                                      "exits.probability_per_meeting=1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "-s", bad[i], NULL), 2);
        assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
        TS_ASSERT_CONTAINS(fx->stderr_text, "not finite");
    }
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

static void test_negative_or_zero_rates(void **state)
{
    fixture *fx = *state;
    expect_rejected_edit(fx, "rate_per_month = 15.0;", "rate_per_month = -4.0;", "expected a number > 0");
    expect_rejected_edit(fx, "rate_per_month = 15.0;", "rate_per_month = 0.0;", "got 0");
    expect_rejected_edit(fx, "probability_per_meeting = 0.2;", "probability_per_meeting = 0.0;",
                         "exits.probability_per_meeting");
    expect_rejected_edit(fx, "mean = 1.5;", "mean = -1.5;", "casework.meeting_hours");
    expect_rejected_edit(fx, "meeting_hours_per_day = 3.0;", "meeting_hours_per_day = 0.0;",
                         "staff.meeting_hours_per_day");
}

static void test_shares_not_summing_to_one(void **state)
{
    fixture *fx = *state;
    expect_rejected_edit(fx, "other = 0.6;", "other = 0.5;", "shares must sum to 1");
    TS_ASSERT_CONTAINS(fx->stderr_text, "0.9");
    expect_rejected_edit(fx, "other = 0.6;", "other = -0.6;", "exits.shares.other");
}

static void test_caseload_cap_zero(void **state)
{
    fixture *fx = *state;
    expect_rejected_edit(fx, "caseload_cap = 8;", "caseload_cap = 0;", "staff.caseload_cap");
    TS_ASSERT_CONTAINS(fx->stderr_text, "got 0");
    expect_rejected_edit(fx, "workers = 2;", "workers = 0;", "staff.workers");
}

/* ---- more than memory allows ------------------------------------------- */

static void test_memory_refused_up_front(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/huge.h5", fx->out);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* 1.2e10 referrals in each trial: terabytes of participant records */
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "-s", "referrals.rate_per_month=1e7", "-s",
                        "run.horizon_months=1200", "--threads", "2", NULL),
                     2);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "not enough memory");
    TS_ASSERT_CONTAINS(fx->stderr_text, "TiB at its peak");
    TS_ASSERT_CONTAINS(fx->stderr_text, "available");
    TS_ASSERT_CONTAINS(fx->stderr_text, "4 trials in flight");
    assert_int_equal(ts_dir_entries(fx->out), 0);
    /* refused before anything ran */
    assert_true((double)(t1.tv_sec - t0.tv_sec) < 20);
}

/* The estimate through the C API: a small study fits, a huge one does not,
 * and the threads count. */
static void test_memory_estimate_api(void **state)
{
    fixture *fx = *state;
    study st;
    config_error cerr;
    if (study_load(&st, fx->good, NULL, 0, &cerr) != 0)
        fail_msg("%s", cerr.message);
    char msg[1024] = "";
    assert_int_equal(runner_check_memory(&st, 4, 2, msg, sizeof msg), 0);
    study_free(&st);
    const char *huge[] = {"referrals.rate_per_month=1e7", "run.horizon_months=1200"};
    if (study_load(&st, fx->good, huge, 2, &cerr) != 0)
        fail_msg("%s", cerr.message);
    assert_int_equal(runner_check_memory(&st, 4, 1, msg, sizeof msg), -1);
    TS_ASSERT_CONTAINS(msg, "2 trials in flight");
    assert_int_equal(runner_check_memory(&st, 4, 8, msg, sizeof msg), -1);
    TS_ASSERT_CONTAINS(msg, "4 trials in flight"); /* never more than the trials */
    study_free(&st);
}

/* ---- output problems: exit 3 -------------------------------------------- */

static void test_unwritable_output(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 32], file[PATH_MAX + 16];
    snprintf(file, sizeof file, "%s/plain", fx->out);
    ts_write_file(file, "x", 1);
    snprintf(out, sizeof out, "%s/plain/res.h5", fx->out);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--quiet", NULL), 3);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "cannot create the output file");
    /* a directory where the file should go: refused even with --force */
    snprintf(out, sizeof out, "%s/adir", fx->out);
    mkdir(out, 0700);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--quiet", "--force", NULL), 3);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    assert_int_equal(ts_dir_entries(out), 0);
    assert_int_equal(ts_dir_entries(fx->out), 2); /* plain and adir, no temporary file */
}

static void test_output_exists(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/keep.h5", fx->out);
    const char precious[] = "an earlier result\n";
    ts_write_file(out, precious, sizeof precious - 1);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, NULL), 3);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "use --force");
    size_t len;
    char *now = ts_read_file(out, &len);
    assert_int_equal(len, sizeof precious - 1);
    assert_memory_equal(now, precious, len);
    free(now);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--force", "--quiet", NULL), 0);
    assert_int_equal(check_file(out, 4).done, 4);
}

/* A full disk, as the file size limit makes it: exit 3, one line, no
 * partial file, and the earlier file of that name untouched. */
static void test_full_disk(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/full.h5", fx->out);
    const char precious[] = "an earlier result that must survive a full disk\n";
    ts_write_file(out, precious, sizeof precious - 1);
    child_opts co = {.fsize = 16 * 1024};
    assert_int_equal(cf(fx, &co, "run", fx->good, "-o", out, "--force", "--quiet", "--reps", "20", NULL), 3);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, out);
    TS_ASSERT_CONTAINS(fx->stderr_text, "File too large");
    size_t len;
    char *now = ts_read_file(out, &len);
    assert_int_equal(len, sizeof precious - 1);
    assert_memory_equal(now, precious, len);
    free(now);
    assert_int_equal(ts_dir_entries(fx->out), 1);
    /* without an earlier file: nothing at all */
    unlink(out);
    assert_int_equal(cf(fx, &co, "run", fx->good, "-o", out, "--quiet", "--reps", "20", NULL), 3);
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

/* ---- tasks and merges --------------------------------------------------- */

static void test_task_out_of_range(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/t.h5", fx->out);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--task", "4", "--tasks", "4", NULL), 2);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "task index 4 out of range");
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--task", "0", "--tasks", "0", NULL), 2);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--task", "-1", "--tasks", "2", NULL), 2);
    /* more tasks than trials */
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--task", "0", "--tasks", "5", NULL), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "empty");
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

static void test_merge_refused(void **state)
{
    fixture *fx = *state;
    char t0[PATH_MAX + 16], t1[PATH_MAX + 16], other[PATH_MAX + 16], merged[PATH_MAX + 16];
    snprintf(t0, sizeof t0, "%s/t0.h5", fx->dir);
    snprintf(t1, sizeof t1, "%s/t1.h5", fx->dir);
    snprintf(other, sizeof other, "%s/other1.h5", fx->dir);
    snprintf(merged, sizeof merged, "%s/merged.h5", fx->out);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", t0, "--task", "0", "--tasks", "2", "--quiet", NULL), 0);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", t1, "--task", "1", "--tasks", "2", "--quiet", NULL), 0);
    /* the other half of a different study (another seed) */
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", other, "--task", "1", "--tasks", "2", "--seed", "99",
                        "--quiet", NULL),
                     0);
    assert_int_equal(cf(fx, NULL, "merge", merged, t0, other, NULL), 4);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "different studies");
    assert_int_equal(ts_dir_entries(fx->out), 0);
    /* the same study, but one part written by another build */
    fake_version(fx, t1, 1);
    assert_int_equal(cf(fx, NULL, "merge", merged, t0, t1, NULL), 4);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "0.0.0-another-build");
    TS_ASSERT_CONTAINS(fx->stderr_text, "one build");
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

/* ---- interrupted runs and --resume -------------------------------------- */

static void test_interrupt_and_resume(void **state)
{
    fixture *fx = *state;
    char ref[PATH_MAX + 16], out[PATH_MAX + 16];
    snprintf(ref, sizeof ref, "%s/reference.h5", fx->dir);
    snprintf(out, sizeof out, "%s/study.h5", fx->out);
    assert_int_equal(cf(fx, NULL, "run", fx->study, "-o", ref, "--threads", "2", "--quiet", NULL), 0);

    child_opts term = {.signals = {SIGTERM}, .delays_ms = {500}, .wait_dir = fx->out};
    int code = cf(fx, &term, "run", fx->study, "-o", out, "--threads", "2", "--quiet", NULL);
    if (code == 0) {
        /* a machine fast enough to finish 240 trials in half a second */
        print_message("  the study finished before SIGTERM; the interrupted file is not tested\n");
    } else {
        assert_int_equal(code, 5);
        assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
        TS_ASSERT_CONTAINS(fx->stderr_text, "interrupted by SIGTERM");
        TS_ASSERT_CONTAINS(fx->stderr_text, "--resume");
        TS_ASSERT_CONTAINS(fx->stderr_text, out);
        assert_int_equal(ts_dir_entries(fx->out), 1); /* under the final name, nothing else */
        file_check c = check_file(out, 24);
        print_message("  interrupted file: %zu of %zu trials finished\n", c.done, c.trials);
        assert_int_equal(c.trials, STUDY_TRIALS);
        assert_int_equal(c.complete, 0);
        assert_true(c.not_run > 0);
        assert_int_equal(c.failed, 0);
        assert_false(c.has_summary);

        /* --resume runs only what is missing */
        assert_int_equal(cf(fx, NULL, "run", fx->study, "-o", out, "--threads", "2", "--resume", NULL), 0);
        char expect[128];
        snprintf(expect, sizeof expect, "%zu of %d trials finished already", c.done, STUDY_TRIALS);
        TS_ASSERT_CONTAINS(fx->stdout_text, expect);
    }
    file_check c = check_file(out, 24);
    assert_int_equal(c.done, STUDY_TRIALS);
    assert_true(c.has_summary);
    assert_int_equal(h5same(fx, ref, out), 0);
    assert_int_equal(ts_dir_entries(fx->out), 1);
    /* resuming a complete file changes nothing */
    assert_int_equal(cf(fx, NULL, "run", fx->study, "-o", out, "--resume", NULL), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "nothing to resume");
}

/* A second SIGINT drops the trials in progress too: a run of long trials
 * stops at once with none finished. A signal before any trial ran writes
 * nothing. */
static void test_interrupt_twice_drops_trials_in_progress(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/long.h5", fx->out);
    child_opts twice = {.signals = {SIGINT, SIGINT}, .delays_ms = {300, 200}, .wait_dir = fx->out};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* 3 000 referrals a month to 400 workers for forty years: over a second
     * a trial (several under sanitizers). Ten years took 0.3 s a trial once
     * the Kaplan-Meier sort became a radix sort, and the run ended before
     * the second signal. */
    assert_int_equal(cf(fx, &twice, "run", fx->good, "-o", out, "--threads", "2", "--quiet", "-s",
                        "referrals.rate_per_month=3000", "-s", "staff.workers=400", "-s", "run.horizon_months=480",
                        NULL),
                     5);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_message("  stopped after %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    TS_ASSERT_CONTAINS(fx->stderr_text, "interrupted by SIGINT");
    file_check c = check_file(out, 4);
    print_message("  %zu of 4 trials finished\n", c.done);
    assert_true(c.not_run >= 2); /* at least the two in progress were dropped */
    assert_int_equal(ts_dir_entries(fx->out), 1);

    /* SIGTERM while the study loads (5 000 scenarios take a while): no file */
    char big[PATH_MAX + 16], text[512];
    snprintf(big, sizeof big, "%s/big.cfg", fx->dir);
    snprintf(text, sizeof text,
             "study: { base = \"good.cfg\"; lhs = { samples = 5000; ranges = ( { key = \"staff.workers\"; "
             "min = 1; max = 9; integer = true; } ); }; };\n");
    ts_write_file(big, text, strlen(text));
    unlink(out);
    child_opts early = {.signals = {SIGTERM}, .delays_ms = {100}};
    int code = cf(fx, &early, "run", big, "-o", out, "--quiet", NULL);
    if (code == 5 && strstr(fx->stderr_text, "before any trial ran")) {
        assert_int_equal(ts_dir_entries(fx->out), 0);
    } else {
        /* a machine fast enough to load it in 0.1 s gets an incomplete file */
        assert_int_equal(code, 5);
        assert_int_equal(check_file(out, 4).complete, 0);
    }
}

static void test_resume_refused(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/r.h5", fx->out);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--quiet", "--reps", "6",
                        NULL),
                     0);
    size_t len0;
    char *before = ts_read_file(out, &len0);
    /* a different study: other overrides */
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--reps", "6", "-s", "staff.workers=3", "--resume", NULL),
                     4);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "cannot resume");
    TS_ASSERT_CONTAINS(fx->stderr_text, "different study");
    /* another slice */
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--reps", "6", "--task", "0", "--tasks", "2",
                        "--resume", NULL),
                     4);
    TS_ASSERT_CONTAINS(fx->stderr_text, "--task");
    size_t len1;
    char *after = ts_read_file(out, &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    free(after);
    free(before);
    /* another build (as h5py writes the attribute) */
    fake_version(fx, out, 0);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--reps", "6", "--resume", NULL), 4);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "written by caseflow 0.0.0-another-build");
    /* not a results file at all */
    ts_write_file(out, "not hdf5\n", 9);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--reps", "6", "--resume", NULL), 4);
    TS_ASSERT_CONTAINS(fx->stderr_text, "not an HDF5 file");
    assert_int_equal(ts_dir_entries(fx->out), 1);
}

/* ---- a failed trial ------------------------------------------------------ */

static char *failure_reason(const char *path, uint64_t *trial, size_t *n)
{
    hid_t f = open_h5(path);
    hid_t set = H5Dopen2(f, "/failures", H5P_DEFAULT);
    assert_true(set >= 0);
    hid_t sp = H5Dget_space(set);
    *n = (size_t)H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    typedef struct {
        uint64_t trial;
        char reason[256];
    } row;
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 256);
    H5Tset_cset(str, H5T_CSET_UTF8); /* text is stored as UTF-8; HDF5 converts no character sets */
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(mem, "trial", HOFFSET(row, trial), H5T_NATIVE_UINT64);
    H5Tinsert(mem, "reason", HOFFSET(row, reason), str);
    row *rows = calloc(*n ? *n : 1, sizeof *rows);
    assert_true(H5Dread(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    *trial = rows[0].trial;
    char *reason = strdup(rows[0].reason);
    free(rows);
    H5Tclose(mem);
    H5Tclose(str);
    H5Dclose(set);
    H5Fclose(f);
    return reason;
}

static void test_failed_trial_is_kept_apart(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16], ref[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/f.h5", fx->out);
    snprintf(ref, sizeof ref, "%s/ref.h5", fx->dir);
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", ref, "--quiet", NULL), 0);
    child_opts inject = {.env_name = "CASEFLOW_TEST_FAIL_TRIAL", .env_value = "1"};
    assert_int_equal(cf(fx, &inject, "run", fx->good, "-o", out, "--threads", "2", NULL), 6);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, "1 of 4 trials failed");
    TS_ASSERT_CONTAINS(fx->stderr_text, "trial 1: injected failure");
    file_check c = check_file(out, 4);
    assert_int_equal(c.done, 3);
    assert_int_equal(c.failed, 1);
    assert_true(c.has_failures);
    assert_false(c.has_summary);
    uint64_t trial;
    size_t n;
    char *reason = failure_reason(out, &trial, &n);
    assert_int_equal(n, 1);
    assert_int_equal(trial, 1);
    TS_ASSERT_CONTAINS(reason, "CASEFLOW_TEST_FAIL_TRIAL");
    free(reason);
    /* --resume retries it and the result is as if it never failed */
    assert_int_equal(cf(fx, NULL, "run", fx->good, "-o", out, "--resume", "--quiet", NULL), 0);
    c = check_file(out, 4);
    assert_int_equal(c.done, 4);
    assert_false(c.has_failures);
    assert_int_equal(h5same(fx, ref, out), 0);
}

/* ---- the runner's C API -------------------------------------------------- */

/* A stop requested before the first trial: nothing runs, and the file is
 * still valid, every row naming its trial with status 0. */
static void test_stop_before_start_api(void **state)
{
    fixture *fx = *state;
    study st;
    config_error cerr;
    if (study_load(&st, fx->good, NULL, 0, &cerr) != 0)
        fail_msg("%s", cerr.message);
    char path[PATH_MAX + 16], err[1024];
    snprintf(path, sizeof path, "%s/stopped.h5", fx->out);
    h5out_meta meta = {"test", "rev", &st, 0, 4, 0, 1};
    h5out *out = h5out_create(path, &meta, err, sizeof err);
    if (!out)
        fail_msg("%s", err);
    volatile sig_atomic_t stop = 1;
    runner_options opt = {.threads = 2, .stop = &stop};
    runner_totals totals;
    assert_int_equal(runner_run(&st, 0, 4, &opt, out, &totals, err, sizeof err), 0);
    assert_int_equal(totals.not_run, 4);
    assert_int_equal(totals.done, 0);
    assert_true(totals.stopped);
    assert_int_equal(totals.row_count, 4);
    assert_int_equal(totals.rows[3].trial, 3);
    assert_int_equal(totals.rows[3].status, RESULTS_PENDING);
    runner_totals_free(&totals);
    assert_int_equal(h5out_finish(out, err, sizeof err), 0);
    file_check c = check_file(path, 4);
    assert_int_equal(c.not_run, 4);
    study_free(&st);
}

int main(void)
{
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    unsetenv("CASEFLOW_TEST_FAIL_TRIAL");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_finite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negative_or_zero_rates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shares_not_summing_to_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caseload_cap_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_refused_up_front, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_estimate_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_exists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_twice_drops_trials_in_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_trial_is_kept_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_before_start_api, setup, teardown),
    };
    return cmocka_run_group_tests_name("robust", tests, NULL, NULL);
}
