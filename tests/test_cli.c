/*
 * test_cli.c — the caseflow command line, run as a separate process.
 *
 * Owns the CLI's contract: exit codes (0 ok, 2 bad usage or scenario, 3
 * output problem), where messages go (file:line on stderr for a broken
 * scenario), that an existing output is never touched without --force and
 * is replaced with it, that a failed run creates nothing, and that --reps
 * and --seed are recorded in the file (read back with the HDF5 API).
 *
 * The binary is the one named by CASEFLOW_BIN (make test-unit sets it);
 * without it every test is skipped with a message saying so.
 */
#include "test_support.h"

#include <hdf5.h>
#include <sys/wait.h>

static const char good_cfg[] =
    "run: { replications = 2; seed = 3L; horizon_months = 12; warmup_months = 2; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 8; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

/* line 3 has the error */
static const char broken_cfg[] =
    "run: { replications = 2; seed = 3L; horizon_months = 12; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

typedef struct fixture {
    const char *bin;
    char dir[PATH_MAX];  /* scratch: configs and captured output */
    char out[PATH_MAX];  /* empty directory for outputs */
    char good[PATH_MAX], broken[PATH_MAX];
    char stdout_path[PATH_MAX], stderr_path[PATH_MAX];
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
    snprintf(fx->broken, sizeof fx->broken, "%s/broken.cfg", fx->dir);
    snprintf(fx->stdout_path, sizeof fx->stdout_path, "%s/stdout.txt", fx->dir);
    snprintf(fx->stderr_path, sizeof fx->stderr_path, "%s/stderr.txt", fx->dir);
    ts_write_file(fx->good, good_cfg, strlen(good_cfg));
    ts_write_file(fx->broken, broken_cfg, strlen(broken_cfg));
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

/* Runs `bin args` through the shell with stdout and stderr captured; returns
 * the exit status (a death by signal, e.g. a sanitizer abort, fails). */
static int run(fixture *fx, const char *args)
{
    ts_need_binary(fx->bin);
    char cmd[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "%s %s", fx->bin, args);
    int code = ts_shell_capture(NULL, cmd, fx->stdout_path, fx->stderr_path, &fx->stdout_text, &fx->stderr_text);
    ts_print_run(args, code, fx->stderr_text);
    return code;
}

static void test_version_and_help(void **state)
{
    fixture *fx = *state;
    assert_int_equal(run(fx, "--version"), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "caseflow");
    assert_string_equal(fx->stderr_text, "");
    assert_int_equal(run(fx, "--help"), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "usage:");
    TS_ASSERT_CONTAINS(fx->stdout_text, "exit codes");
    assert_string_equal(fx->stderr_text, "");
    /* no command at all is a usage error, with the usage on stderr */
    assert_int_equal(run(fx, ""), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "usage:");
}

static void test_check(void **state)
{
    fixture *fx = *state;
    char args[2 * PATH_MAX];
    snprintf(args, sizeof args, "check %s", fx->broken);
    assert_int_equal(run(fx, args), 2);
    char where[PATH_MAX + 16];
    snprintf(where, sizeof where, "%s:3:", fx->broken);
    TS_ASSERT_CONTAINS(fx->stderr_text, where);
    TS_ASSERT_CONTAINS(fx->stderr_text, "staff.caseload_cap");
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    assert_string_equal(fx->stdout_text, "");

    /* a good one prints the resolved scenario */
    snprintf(args, sizeof args, "check %s", fx->good);
    assert_int_equal(run(fx, args), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "caseload_cap = 8");
    /* a missing file is a scenario problem too */
    snprintf(args, sizeof args, "check %s/none.cfg", fx->dir);
    assert_int_equal(run(fx, args), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "none.cfg");
}

static void test_run_ok_and_recorded(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX], args[3 * PATH_MAX];
    snprintf(out, sizeof out, "%s/run.h5", fx->out);
    snprintf(args, sizeof args, "run %s -o %s --threads 2", fx->good, out);
    assert_int_equal(run(fx, args), 0);
    assert_true(ts_exists(out));
    TS_ASSERT_CONTAINS(fx->stdout_text, "events");
    assert_int_equal(ts_dir_entries(fx->out), 1); /* no temporary file left behind */

    /* one replication gives no interval, and the summary says what to do */
    snprintf(out, sizeof out, "%s/one.h5", fx->out);
    snprintf(args, sizeof args, "run %s -o %s --reps 1", fx->good, out);
    assert_int_equal(run(fx, args), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "no CI from one replication: run with --reps 2 or more");

    /* --reps and --seed end up in the file */
    snprintf(out, sizeof out, "%s/reps.h5", fx->out);
    snprintf(args, sizeof args, "run %s -o %s --reps 3 --seed 7 --quiet", fx->good, out);
    assert_int_equal(run(fx, args), 0);
    assert_string_equal(fx->stdout_text, "");
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    int reps = 0;
    uint64_t seed = 0;
    hid_t a = H5Aopen(f, "replications", H5P_DEFAULT);
    assert_true(a >= 0 && H5Aread(a, H5T_NATIVE_INT, &reps) >= 0);
    H5Aclose(a);
    a = H5Aopen(f, "master_seed", H5P_DEFAULT);
    assert_true(a >= 0 && H5Aread(a, H5T_NATIVE_UINT64, &seed) >= 0);
    H5Aclose(a);
    assert_int_equal(reps, 3);
    assert_true(seed == 7);
    hid_t d = H5Dopen2(f, "/replications", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), 3);
    H5Sclose(sp);
    H5Dclose(d);
    a = H5Aopen(f, "overrides", H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    char *ov = calloc(H5Tget_size(t) + 1, 1);
    assert_true(H5Aread(a, t, ov) >= 0);
    TS_ASSERT_CONTAINS(ov, "run.replications=3");
    TS_ASSERT_CONTAINS(ov, "run.seed=7");
    free(ov);
    H5Tclose(t);
    H5Aclose(a);
    H5Fclose(f);
}

static void test_existing_output(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX], args[3 * PATH_MAX];
    snprintf(out, sizeof out, "%s/keep.h5", fx->out);
    const char precious[] = "an earlier result someone wants to keep\n";
    ts_write_file(out, precious, sizeof precious - 1);
    snprintf(args, sizeof args, "run %s -o %s --quiet", fx->good, out);
    assert_int_equal(run(fx, args), 3);
    TS_ASSERT_CONTAINS(fx->stderr_text, out);
    TS_ASSERT_CONTAINS(fx->stderr_text, "--force");
    size_t len;
    char *now = ts_read_file(out, &len);
    assert_int_equal(len, sizeof precious - 1);
    assert_memory_equal(now, precious, len);
    free(now);
    assert_int_equal(ts_dir_entries(fx->out), 1);

    /* with --force it is replaced by a complete run */
    snprintf(args, sizeof args, "run %s -o %s --quiet --force", fx->good, out);
    assert_int_equal(run(fx, args), 0);
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    H5Fclose(f);
    assert_int_equal(ts_dir_entries(fx->out), 1);
}

static void test_usage_errors(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX], args[3 * PATH_MAX];
    snprintf(out, sizeof out, "%s/never.h5", fx->out);
    snprintf(args, sizeof args, "run %s -o %s --frobnicate", fx->good, out);
    assert_int_equal(run(fx, args), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "--frobnicate");
    snprintf(args, sizeof args, "run %s -o %s --reps zero", fx->good, out);
    assert_int_equal(run(fx, args), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "--reps");
    snprintf(args, sizeof args, "run %s -o %s --seed -1", fx->good, out);
    assert_int_equal(run(fx, args), 2);
    snprintf(args, sizeof args, "run %s -o", fx->good);
    assert_int_equal(run(fx, args), 2);
    snprintf(args, sizeof args, "run %s -o %s -s staff.worker=3", fx->good, out);
    assert_int_equal(run(fx, args), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "did you mean 'staff.workers'");
    snprintf(args, sizeof args, "run %s -o %s", fx->broken, out);
    assert_int_equal(run(fx, args), 2);
    assert_int_equal(run(fx, "frobnicate"), 2);
    assert_int_equal(run(fx, "run"), 2);
    /* none of these created anything */
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

static void test_unwritable_output(void **state)
{
    fixture *fx = *state;
    char args[3 * PATH_MAX];
    /* a directory that does not exist */
    snprintf(args, sizeof args, "run %s -o %s/missing/out.h5 --quiet", fx->good, fx->out);
    assert_int_equal(run(fx, args), 3);
    TS_ASSERT_CONTAINS(fx->stderr_text, "missing/out.h5");
    /* a "directory" that is a file */
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s/plain", fx->dir);
    ts_write_file(file, "x", 1);
    snprintf(args, sizeof args, "run %s -o %s/out.h5 --quiet", fx->good, file);
    assert_int_equal(run(fx, args), 3);
    /* a directory without write permission (root writes regardless) */
    if (geteuid() != 0) {
        chmod(fx->out, 0500);
        snprintf(args, sizeof args, "run %s -o %s/out.h5 --quiet", fx->good, fx->out);
        int code = run(fx, args);
        chmod(fx->out, 0700);
        assert_int_equal(code, 3);
    } else {
        print_message("  (running as root: the read-only directory case is skipped)\n");
    }
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

/* The relative 95 % CI half-width of a /summary metric (scenario 0) and the
 * number of replications of a file. */
static double relative_halfwidth(const char *path, const char *metric, int *reps)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t a = H5Aopen(f, "replications", H5P_DEFAULT);
    assert_true(a >= 0 && H5Aread(a, H5T_NATIVE_INT, reps) >= 0);
    H5Aclose(a);
    typedef struct row {
        char metric[48];
        double mean, lo, hi;
    } row;
    hid_t name_t = H5Tcopy(H5T_C_S1);
    H5Tset_size(name_t, 48);
    H5Tset_cset(name_t, H5T_CSET_UTF8); /* text is stored as UTF-8; HDF5 converts no character sets */
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(mem, "metric", HOFFSET(row, metric), name_t);
    H5Tinsert(mem, "mean", HOFFSET(row, mean), H5T_NATIVE_DOUBLE);
    H5Tinsert(mem, "ci_low", HOFFSET(row, lo), H5T_NATIVE_DOUBLE);
    H5Tinsert(mem, "ci_high", HOFFSET(row, hi), H5T_NATIVE_DOUBLE);
    hid_t d = H5Dopen2(f, "/summary", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    size_t n = (size_t)H5Sget_simple_extent_npoints(sp);
    row *rows = calloc(n, sizeof *rows);
    assert_true(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    double rel = NAN;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].metric, metric) == 0)
            rel = (rows[i].hi - rows[i].lo) / 2 / fabs(rows[i].mean);
    free(rows);
    H5Sclose(sp);
    H5Dclose(d);
    H5Tclose(mem);
    H5Tclose(name_t);
    H5Fclose(f);
    return rel;
}

/* --precision runs as many replications as the metric's CI needs: the file's
 * interval meets the target, a stricter target needs more replications,
 * the cap is respected (with a warning), and an unknown metric is refused. */
static void test_precision(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX], args[3 * PATH_MAX];
    int loose_reps = 0, strict_reps = 0, capped = 0;
    snprintf(out, sizeof out, "%s/loose.h5", fx->out);
    snprintf(args, sizeof args, "run %s -o %s --quiet --precision exits_per_month=0.05", fx->good, out);
    assert_int_equal(run(fx, args), 0);
    double loose = relative_halfwidth(out, "exits_per_month", &loose_reps);
    assert_true(loose <= 0.05);
    snprintf(out, sizeof out, "%s/strict.h5", fx->out);
    snprintf(args, sizeof args, "run %s -o %s --quiet --precision exits_per_month=0.02", fx->good, out);
    assert_int_equal(run(fx, args), 0);
    double strict = relative_halfwidth(out, "exits_per_month", &strict_reps);
    assert_true(strict <= 0.02);
    assert_true(strict_reps > loose_reps);
    /* The square-root law: 2.5 times tighter needs several times more. */
    assert_true(strict_reps >= 3 * loose_reps);
    snprintf(out, sizeof out, "%s/capped.h5", fx->out);
    snprintf(args, sizeof args, "run %s -o %s --quiet --precision exits_per_month=0.001 --max-reps 5", fx->good,
             out);
    assert_int_equal(run(fx, args), 0);
    relative_halfwidth(out, "exits_per_month", &capped);
    assert_int_equal(capped, 5);
    TS_ASSERT_CONTAINS(fx->stderr_text, "cap of 5");
    snprintf(args, sizeof args, "run %s -o %s/x.h5 --precision nonsense=0.1", fx->good, fx->out);
    assert_int_equal(run(fx, args), 2);
    TS_ASSERT_CONTAINS(fx->stderr_text, "no metric named 'nonsense'");
    snprintf(args, sizeof args, "run %s -o %s/x.h5 --precision exits_per_month=2", fx->good, fx->out);
    assert_int_equal(run(fx, args), 2);
}

int main(void)
{
    /* a Slurm job's environment would make `run` a task of an array */
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version_and_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_ok_and_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precision, setup, teardown),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
