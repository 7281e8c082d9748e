/*
 * test_exit_codes.c — one list of exit codes, classes carried with errors,
 * and the command line as getopt_long reads it.
 *
 * Owns: `caseflow --help` names every code of output/exit_codes.h; the
 * functions that fail in several ways return the class itself (runner_run
 * on a full disk CF_EXIT_OUTPUT, merge_files CF_EXIT_MERGE for parts of
 * different studies and CF_EXIT_INPUT for a part that is not a results
 * file), so no caller guesses it from the message; and the option forms
 * getopt_long gives (--reps=N, unambiguous abbreviations, options after
 * the scenario under POSIXLY_CORRECT, a value that starts with '-').
 *
 * The CLI parts run CASEFLOW_BIN (make test-unit sets it) and are skipped
 * with a message without it.
 */
#include "test_support.h"
#include "test_spawn.h"

#include <hdf5.h>

#include "output/exit_codes.h"
#include "output/h5out.h"
#include "output/merge.h"
#include "app/runner.h"

static const char good_cfg[] =
    "run: { replications = 3; seed = 3L; horizon_months = 12; warmup_months = 2; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 8; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

typedef struct fixture {
    const char *bin;
    char dir[PATH_MAX];
    char cfg[PATH_MAX + 16];
    ts_output o;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->bin = getenv("CASEFLOW_BIN");
    ts_make_temp_dir(fx->dir);
    snprintf(fx->cfg, sizeof fx->cfg, "%s/good.cfg", fx->dir);
    ts_write_file(fx->cfg, good_cfg, strlen(good_cfg));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ts_output_free(&fx->o);
    ts_remove_tree(fx->dir);
    free(fx);
    return 0;
}

static int attr_int(const char *path, const char *name)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("%s is not a readable HDF5 file", path);
    int v = -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    assert_true(a >= 0 && H5Aread(a, H5T_NATIVE_INT, &v) >= 0);
    H5Aclose(a);
    H5Fclose(f);
    return v;
}

/* ---- the list --------------------------------------------------------- */

static void test_help_names_every_code(void **state)
{
    fixture *fx = *state;
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "--help", NULL), CF_EXIT_OK);
    const char *list = strstr(fx->o.out, "exit codes:");
    assert_non_null(list);
    static const struct {
        int code;
        const char *says;
    } codes[] = {{CF_EXIT_OK, "0 ok"},           {CF_EXIT_INTERNAL, "1 internal"},   {CF_EXIT_INPUT, "2 bad"},
                 {CF_EXIT_OUTPUT, "3 output"},   {CF_EXIT_MERGE, "4 merge"},         {CF_EXIT_INTERRUPTED, "5 interrupted"},
                 {CF_EXIT_TRIALS_FAILED, "6 some trials failed"}, {CF_EXIT_UNREACHABLE, "7 calibrate"}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char expect[64];
        snprintf(expect, sizeof expect, "%d%s", codes[i].code, codes[i].says + 1);
        TS_ASSERT_CONTAINS(list, expect);
    }
}

/* ---- classes carried with errors --------------------------------------- */

/* runner_run onto a file that hits RLIMIT_FSIZE: in a child process (the
 * limit must not touch the test), whose exit status is runner_run's code. */
static void test_runner_returns_the_class(void **state)
{
    fixture *fx = *state;
    study st;
    config_error cerr;
    if (study_load(&st, fx->cfg, (const char *[]){"run.replications=200"}, 1, &cerr) != 0)
        fail_msg("%s", cerr.message);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/limited.h5", fx->dir);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {64 * 1024, 64 * 1024};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &rl);
        char err[1024];
        h5out_meta meta = {"test", "rev", &st, 0, study_trial_count(&st), 0, 1};
        h5out *out = h5out_create(path, &meta, err, sizeof err);
        if (!out)
            _exit(100);
        runner_options opt = {.threads = 1};
        runner_totals totals;
        int rc = runner_run(&st, 0, study_trial_count(&st), &opt, out, &totals, err, sizeof err);
        h5out_abort(out);
        _exit(rc);
    }
    int status;
    assert_true(waitpid(pid, &status, 0) == pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), CF_EXIT_OUTPUT);
    study_free(&st);
}

static void test_merge_returns_the_class(void **state)
{
    fixture *fx = *state;
    char t0[PATH_MAX + 16], other[PATH_MAX + 16], junk[PATH_MAX + 16], merged[PATH_MAX + 16], err[1024];
    snprintf(t0, sizeof t0, "%s/t0.h5", fx->dir);
    snprintf(other, sizeof other, "%s/other.h5", fx->dir);
    snprintf(junk, sizeof junk, "%s/junk.h5", fx->dir);
    snprintf(merged, sizeof merged, "%s/merged.h5", fx->dir);
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "run", fx->cfg, "-o", t0, "--task", "0", "--tasks", "2",
                                 "--quiet", NULL),
                     0);
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "run", fx->cfg, "-o", other, "--task", "1", "--tasks", "2",
                                 "--seed", "99", "--quiet", NULL),
                     0);
    ts_write_file(junk, "not hdf5\n", 9);
    const char *different[] = {t0, other};
    assert_int_equal(merge_files(merged, different, 2, 0, err, sizeof err), CF_EXIT_MERGE);
    TS_ASSERT_CONTAINS(err, "different studies");
    const char *unreadable[] = {t0, junk};
    assert_int_equal(merge_files(merged, unreadable, 2, 0, err, sizeof err), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(err, junk);
    assert_false(ts_exists(merged));
}

/* ---- getopt_long's forms ------------------------------------------------ */

static void test_option_forms(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/forms.h5", fx->dir);
    /* --name=value and an unambiguous abbreviation */
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "run", fx->cfg, "-o", out, "--reps=5", "--qui", NULL), 0);
    assert_string_equal(fx->o.out, "");
    assert_int_equal(attr_int(out, "replications"), 5);
    /* options after the scenario even where POSIX would stop at it */
    ts_child posix = {.env = {"POSIXLY_CORRECT=1"}};
    assert_int_equal(ts_caseflow(&fx->o, &posix, fx->bin, "run", fx->cfg, "--reps", "4", "-o", out, "--force",
                                 "--quiet", NULL),
                     0);
    assert_int_equal(attr_int(out, "replications"), 4);
    /* an ambiguous abbreviation is refused, naming what was given */
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "run", fx->cfg, "-o", out, "--re", "4", NULL), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "'--re'");
    /* a value may start with '-': it is the option's, and refused for what it is */
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "run", fx->cfg, "-o", out, "--force", "--threads", "-2",
                                 NULL),
                     CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "--threads: expected an integer between 1 and 1024, got '-2'");
    /* a missing value is told from an unknown option */
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "run", fx->cfg, "--seed", NULL), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "--seed needs a value");
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "merge", out, out, "--bogus", NULL), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "unknown option '--bogus'");
    assert_int_equal(ts_caseflow(&fx->o, NULL, fx->bin, "calibrate", "--threads", NULL), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "--threads needs a value");
}

int main(void)
{
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_names_every_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runner_returns_the_class, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_returns_the_class, setup, teardown),
        cmocka_unit_test_setup_teardown(test_option_forms, setup, teardown),
    };
    return cmocka_run_group_tests_name("exit_codes", tests, NULL, NULL);
}
