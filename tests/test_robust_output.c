/*
 * test_robust_output.c — nothing lost, nothing silently wrong: the output
 * side of issue 13's hostile probes, each against the caseflow binary.
 *
 * Owns: only regular files are ever replaced (a FIFO, a device, a symbolic
 * link to one: exit 3 up front, the thing left alone); without --force the
 * final step replaces nothing, not even a file that appeared during the
 * run (exit 3, both kept); inputs over 64 KiB run (an 84 KB scenario, a
 * study of 1 300 scenarios, a 100 000-character scenario name); temporary
 * files of killed runs are removed by the next run at the same path (and
 * only those), and output names up to NAME_MAX work; merge refuses a
 * damaged or inconsistent part with exit 4 naming it; --resume on a file
 * another process holds says it is locked; output path problems are found
 * before anything runs; bad task settings are exit 2; --resume through a
 * symbolic link keeps the link; a non-finite event time fails its trial
 * (exit 6, /failures) instead of becoming a result; the up-front memory
 * estimate counts the referrals replacement brings.
 *
 * Run by make test-unit with CASEFLOW_BIN set; skipped with a message
 * without it. h5py (Debian's /usr/bin/python3) damages files for the merge
 * cases.
 */
#define _DEFAULT_SOURCE /* mknod, makedev */
#include "test_support.h"
#include "test_spawn.h"

#include <hdf5.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "output/exit_codes.h"
#include "output/h5out.h"
#include "output/outpath.h"
#include "scenario/study.h"
#include "app/runner.h"

static const char good_cfg[] =
    "run: { replications = 4; seed = 3L; horizon_months = 24; warmup_months = 2; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 6; caseload_cap = 15; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

typedef struct fixture {
    const char *bin;          /* absolute: one test changes directory */
    char bin_path[PATH_MAX];
    char dir[PATH_MAX];       /* scratch: inputs */
    char out[PATH_MAX + 8];   /* outputs only, so leftovers can be counted */
    char cfg[PATH_MAX + 16];
    ts_output o;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->bin = getenv("CASEFLOW_BIN");
    if (fx->bin && realpath(fx->bin, fx->bin_path))
        fx->bin = fx->bin_path;
    ts_make_temp_dir(fx->dir);
    snprintf(fx->out, sizeof fx->out, "%s/out", fx->dir);
    mkdir(fx->out, 0700);
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

#define CF(fx, child, ...) ts_caseflow(&(fx)->o, (child), (fx)->bin, __VA_ARGS__, NULL)

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
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

/* Length of a string attribute as stored (fixed or variable). */
static size_t attr_text_length(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    char *text = calloc(H5Tget_size(t) + 1, 1);
    assert_true(H5Aread(a, t, text) >= 0);
    size_t len = strlen(text);
    free(text);
    H5Tclose(t);
    H5Aclose(a);
    H5Fclose(f);
    return len;
}

static void expect_file_text(const char *path, const char *text)
{
    size_t len;
    char *now = ts_read_file(path, &len);
    assert_non_null(now);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(now, text, len);
    free(now);
}

/* The name of the one entry of dir whose name contains part ("" when none). */
static void entry_with(const char *dir, const char *part, char *name, size_t size)
{
    name[0] = '\0';
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, part))
            snprintf(name, size, "%s", e->d_name);
    closedir(d);
}

/* ---- 1: only regular files are replaced ---------------------------------- */

static void test_only_regular_files_are_replaced(void **state)
{
    fixture *fx = *state;
    char fifo[PATH_MAX + 16], link[PATH_MAX + 16], dev[PATH_MAX + 16];
    snprintf(fifo, sizeof fifo, "%s/pipe", fx->out);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", fifo, "--force", "--quiet"), CF_EXIT_OUTPUT);
    assert_int_equal(ts_count_newlines(fx->o.err), 1);
    TS_ASSERT_CONTAINS(fx->o.err, "FIFO");
    TS_ASSERT_CONTAINS(fx->o.err, "only regular files");
    struct stat sb;
    assert_int_equal(lstat(fifo, &sb), 0);
    assert_true(S_ISFIFO(sb.st_mode));
    /* a link to a device: the link and the device stay */
    snprintf(link, sizeof link, "%s/null-link", fx->out);
    assert_int_equal(symlink("/dev/null", link), 0);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", link, "--force", "--quiet"), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "character device");
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    assert_int_equal(stat("/dev/null", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
    /* a device node of our own, where we may make one (root) */
    snprintf(dev, sizeof dev, "%s/mynull", fx->out);
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0) {
        assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", dev, "--force", "--quiet"), CF_EXIT_OUTPUT);
        TS_ASSERT_CONTAINS(fx->o.err, "character device");
        assert_int_equal(lstat(dev, &sb), 0);
        assert_true(S_ISCHR(sb.st_mode));
    } else {
        print_message("  (mknod not permitted here: the device-node case is covered by the link to /dev/null)\n");
    }
    /* a dangling link is not followed into a new file */
    snprintf(link, sizeof link, "%s/dangling", fx->out);
    assert_int_equal(symlink("nowhere/at/all.h5", link), 0);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", link, "--force", "--quiet"), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "symbolic link");
    /* nothing else was created */
    assert_int_equal(ts_dir_entries(fx->out), 4 - (access(dev, F_OK) != 0));
}

/* ---- 3: the final step replaces nothing without --force ---------------- */

/* Starts a run that pauses before moving its file into place, waits for its
 * temporary file, then puts `precious` at the output path. */
static void start_and_overtake(fixture *fx, ts_proc *p, const char *out, const char *precious, int force)
{
    static ts_child slow = {.env = {"CASEFLOW_TEST_FINISH_DELAY_MS=700"}};
    char *argv[] = {(char *)fx->bin, "run", fx->cfg, "-o", (char *)out, "--quiet", force ? "--force" : NULL, NULL};
    ts_need_binary(fx->bin);
    ts_start(p, &slow, argv);
    char name[NAME_MAX + 1] = "";
    for (int waited = 0; waited < 60000 && !name[0]; waited += 2) {
        entry_with(fx->out, ".partial-", name, sizeof name);
        if (!name[0])
            sleep_ms(2);
    }
    assert_true(name[0]);
    ts_write_file(out, precious, strlen(precious));
}

static void test_no_clobber_at_the_end(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16], kept[NAME_MAX + 1], kept_path[PATH_MAX + NAME_MAX];
    snprintf(out, sizeof out, "%s/race.h5", fx->out);
    const char precious[] = "written by someone else during the run\n";
    ts_proc p;
    start_and_overtake(fx, &p, out, precious, 0);
    ts_output_free(&fx->o);
    assert_int_equal(ts_finish(&p, &fx->o, 0), CF_EXIT_OUTPUT);
    print_message("  stderr: %s", fx->o.err);
    assert_int_equal(ts_count_newlines(fx->o.err), 1);
    TS_ASSERT_CONTAINS(fx->o.err, "appeared");
    expect_file_text(out, precious);
    /* this run's result is kept beside it, complete */
    entry_with(fx->out, "race.h5.new-", kept, sizeof kept);
    assert_true(kept[0]);
    TS_ASSERT_CONTAINS(fx->o.err, kept);
    snprintf(kept_path, sizeof kept_path, "%s/%s", fx->out, kept);
    assert_int_equal(attr_int(kept_path, "complete"), 1);
    assert_int_equal(ts_dir_entries(fx->out), 2);
    /* with --force the run replaces what appeared */
    unlink(kept_path);
    start_and_overtake(fx, &p, out, precious, 1);
    ts_output_free(&fx->o);
    assert_int_equal(ts_finish(&p, &fx->o, 0), CF_EXIT_OK);
    assert_int_equal(attr_int(out, "complete"), 1);
    assert_int_equal(ts_dir_entries(fx->out), 1);
}

/* ---- 5: inputs over 64 KiB ----------------------------------------------- */

static void test_large_inputs_run(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], out[PATH_MAX + 16];
    /* an 84 KB scenario: comments */
    size_t cap = strlen(good_cfg) + 90000;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "%s", good_cfg);
    while (n < 84000)
        n += (size_t)snprintf(text + n, cap - n, "# %.96s\n",
                              "a long comment that pads the scenario file past sixty-four kibibytes, as notes do.....");
    snprintf(path, sizeof path, "%s/big.cfg", fx->dir);
    ts_write_file(path, text, n);
    snprintf(out, sizeof out, "%s/big.h5", fx->out);
    assert_int_equal(CF(fx, NULL, "check", path), 0);
    assert_int_equal(CF(fx, NULL, "run", path, "-o", out, "--quiet"), 0);
    assert_int_equal(attr_text_length(out, "config_text"), n);
    /* a study of 1 300 scenarios */
    n = (size_t)snprintf(text, cap, "study: { name = \"many\"; base = \"good.cfg\"; replications = 1;\n scenarios = (\n");
    for (int i = 0; i < 1300 && n < cap; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s{ name = \"scenario %04d\"; set = [ \"staff.workers=%d\" ]; }\n",
                              i ? "," : "", i, 2 + i % 5);
    n += (size_t)snprintf(text + n, cap - n, "); };\n");
    snprintf(path, sizeof path, "%s/many.cfg", fx->dir);
    ts_write_file(path, text, n);
    snprintf(out, sizeof out, "%s/many.h5", fx->out);
    assert_true(n > 64 * 1024);
    assert_int_equal(CF(fx, NULL, "run", path, "-o", out, "--quiet"), 0);
    assert_int_equal(attr_text_length(out, "study_text"), n);
    assert_int_equal(attr_int(out, "scenarios"), 1301); /* the base is scenario 0 */
    free(text);
    /* a 100 000-character scenario name */
    size_t long_len = 100000;
    text = malloc(long_len + 512);
    n = (size_t)snprintf(text, 512, "study: { name = \"long\"; base = \"good.cfg\"; replications = 2;\n"
                                    " scenarios = ( { name = \"");
    memset(text + n, 'n', long_len);
    n += long_len;
    n += (size_t)snprintf(text + n, 512, "\"; set = [ \"staff.workers=3\" ]; } ); };\n");
    snprintf(path, sizeof path, "%s/long.cfg", fx->dir);
    ts_write_file(path, text, n);
    snprintf(out, sizeof out, "%s/long.h5", fx->out);
    assert_int_equal(CF(fx, NULL, "run", path, "-o", out, "--quiet"), 0);
    assert_int_equal(attr_text_length(out, "study_text"), n);
    free(text);
    assert_int_equal(ts_dir_entries(fx->out), 3);
}

/* ---- 7: temporary files of killed runs; long names ----------------------- */

static long dead_pid(void)
{
    /* a child that has exited and been reaped: its PID names no process */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int status;
    waitpid(pid, &status, 0);
    return (long)pid;
}

static void test_partials_of_killed_runs_are_removed(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16], stale[PATH_MAX + 64], held[PATH_MAX + 64], live[PATH_MAX + 64];
    snprintf(out, sizeof out, "%s/res.h5", fx->out);
    long gone = dead_pid();
    snprintf(stale, sizeof stale, "%s.partial-%ld", out, gone);
    ts_write_file(stale, "", 0); /* what a full disk leaves */
    /* a live process's file stays (this test process) */
    snprintf(live, sizeof live, "%s.partial-%ld", out, (long)getpid());
    ts_write_file(live, "x", 1);
    /* a file some process still holds the lock of stays, whatever its PID */
    long gone2 = dead_pid();
    snprintf(held, sizeof held, "%s.partial-%ld", out, gone2);
    ts_write_file(held, "y", 1);
    int fd = open(held, O_RDONLY);
    assert_true(fd >= 0 && flock(fd, LOCK_EX) == 0);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", out, "--quiet"), 0);
    char expect[PATH_MAX + 128];
    snprintf(expect, sizeof expect, "removed %s", stale);
    TS_ASSERT_CONTAINS(fx->o.err, expect);
    assert_int_equal(ts_count_newlines(fx->o.err), 1);
    assert_false(ts_exists(stale));
    assert_true(ts_exists(live));
    assert_true(ts_exists(held));
    close(fd);
    unlink(live);
    unlink(held);

    /* a run killed with SIGKILL, under a name as long as names go: the next
     * run at that path removes what it left */
    char name[NAME_MAX + 1];
    memset(name, 'L', NAME_MAX - 3);
    snprintf(name + NAME_MAX - 3, 4, ".h5");
    char longest[PATH_MAX + NAME_MAX + 2];
    snprintf(longest, sizeof longest, "%s/%s", fx->out, name);
    ts_child slow = {.env = {"CASEFLOW_TEST_FINISH_DELAY_MS=5000"}};
    char *argv[] = {(char *)fx->bin, "run", fx->cfg, "-o", longest, "--quiet", "--force", NULL};
    ts_need_binary(fx->bin);
    ts_proc p;
    ts_start(&p, &slow, argv);
    char left[NAME_MAX + 1] = "";
    for (int waited = 0; waited < 60000 && !left[0]; waited += 5) {
        entry_with(fx->out, ".partial-", left, sizeof left);
        if (!left[0])
            sleep_ms(5);
    }
    assert_true(left[0]);
    print_message("  temporary file of a %zu-byte name: %s\n", strlen(name), left);
    assert_true(strlen(left) <= NAME_MAX);
    kill(p.pid, SIGKILL);
    ts_output_free(&fx->o);
    assert_int_equal(ts_finish(&p, &fx->o, 1), -SIGKILL);
    assert_int_equal(ts_dir_entries(fx->out), 2); /* res.h5 and what the killed run left */
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", longest, "--quiet"), 0);
    TS_ASSERT_CONTAINS(fx->o.err, "removed");
    TS_ASSERT_CONTAINS(fx->o.err, left);
    assert_int_equal(attr_int(longest, "complete"), 1);
    assert_int_equal(ts_dir_entries(fx->out), 2); /* res.h5 and the long one */
    /* one byte more is refused up front, naming the limit */
    char too_long[PATH_MAX + NAME_MAX + 4];
    snprintf(too_long, sizeof too_long, "%s/X%s", fx->out, name);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", too_long, "--quiet"), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "more than its file system allows");
    assert_int_equal(ts_dir_entries(fx->out), 2);
}

/* ---- 8: merge refuses damaged or inconsistent parts ---------------------- */

/* Copies src to dst and applies a change with h5py. */
static void damage(fixture *fx, const char *src, const char *dst, const char *change)
{
    char code[2048];
    snprintf(code, sizeof code,
             "import shutil, sys, h5py, numpy as np\n"
             "shutil.copyfile(sys.argv[1], sys.argv[2])\n"
             "f = h5py.File(sys.argv[2], 'r+')\n"
             "%s\n"
             "f.close()\n",
             change);
    char *argv[] = {(char *)ts_python(), "-c", code, (char *)src, (char *)dst, NULL};
    ts_output_free(&fx->o);
    if (ts_spawn(&fx->o, NULL, argv) != 0)
        fail_msg("h5py could not change %s: %s", dst, fx->o.err);
}

static void test_merge_refuses_damaged_parts(void **state)
{
    fixture *fx = *state;
    char t0[PATH_MAX + 16], t1[PATH_MAX + 16], bad[PATH_MAX + 16], merged[PATH_MAX + 16];
    snprintf(t0, sizeof t0, "%s/t0.h5", fx->dir);
    snprintf(t1, sizeof t1, "%s/t1.h5", fx->dir);
    snprintf(bad, sizeof bad, "%s/bad.h5", fx->dir);
    snprintf(merged, sizeof merged, "%s/merged.h5", fx->out);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", t0, "--task", "0", "--tasks", "2", "--quiet"), 0);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", t1, "--task", "1", "--tasks", "2", "--quiet"), 0);
    static const struct {
        const char *change, *says;
    } cases[] = {
        {"del f['series/waiting']", "/series/waiting is missing"},
        {"d = f['series/active'][:]\ndel f['series/active']\nf['series/active'] = d[:, :5]",
         "/series/active is not one row per trial"},
        {"d = f['trial_extras'][:]\ndel f['trial_extras']\nf['trial_extras'] = d[:, :1]",
         "/trial_extras is missing or not shaped"},
        {"del f['replications']", "/replications is missing"},
        {"r = f['replications'][:]\nr['trial'][1] += 5\nf['replications'][...] = r", "should be trial"},
        {"r = f['replications'][:]\nr['replication'][0] = 3\nf['replications'][...] = r", "should be trial"},
        {"d = f['destinations'][:]\nd[0] = b'elsewhere'\nf['destinations'][...] = d", "destinations differ"},
        {"p = f['participants']\np.resize((p.shape[0] - 3,))", "records of trial"},
        {"r = f['replications'][:]\nr['referrals'][0] += 1\nf['replications'][...] = r", "records of trial"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        damage(fx, t1, bad, cases[i].change);
        assert_int_equal(CF(fx, NULL, "merge", merged, t0, bad), CF_EXIT_MERGE);
        assert_int_equal(ts_count_newlines(fx->o.err), 1);
        TS_ASSERT_CONTAINS(fx->o.err, bad);
        TS_ASSERT_CONTAINS(fx->o.err, cases[i].says);
        assert_int_equal(ts_dir_entries(fx->out), 0);
    }
    /* the first part damaged is named too */
    damage(fx, t0, bad, cases[0].change);
    assert_int_equal(CF(fx, NULL, "merge", merged, bad, t1), CF_EXIT_MERGE);
    TS_ASSERT_CONTAINS(fx->o.err, bad);
    assert_int_equal(CF(fx, NULL, "merge", merged, t0, t1), 0);
}

/* ---- 9: --resume on a file another process holds ------------------------- */

static void test_resume_on_a_locked_file(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/held.h5", fx->out);
    ts_child fail_one = {.env = {"CASEFLOW_TEST_FAIL_TRIAL=1"}};
    assert_int_equal(CF(fx, &fail_one, "run", fx->cfg, "-o", out, "--quiet"), CF_EXIT_TRIALS_FAILED);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(out, H5F_ACC_RDWR, H5P_DEFAULT); /* holds HDF5's exclusive lock */
    assert_true(f >= 0);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", out, "--resume", "--quiet"), CF_EXIT_OUTPUT);
    assert_int_equal(ts_count_newlines(fx->o.err), 1);
    TS_ASSERT_CONTAINS(fx->o.err, "locked");
    TS_ASSERT_NOT_CONTAINS(fx->o.err, "not an HDF5 file");
    H5Fclose(f);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", out, "--resume", "--quiet"), 0);
    assert_int_equal(attr_int(out, "complete"), 1);
}

/* ---- 10: output path problems before running ----------------------------- */

static void test_output_path_checked_first(void **state)
{
    fixture *fx = *state;
    char dir_slash[PATH_MAX + 16], missing[PATH_MAX + 32], cwd[PATH_MAX];
    snprintf(dir_slash, sizeof dir_slash, "%s/", fx->out);
    snprintf(missing, sizeof missing, "%s/none/", fx->out);
    /* every case would fail trial 0 if it ran (exit 6): it must not get there */
    ts_child would_fail = {.env = {"CASEFLOW_TEST_FAIL_TRIAL=0"}};
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(fx->out), 0);
    int code = CF(fx, &would_fail, "run", fx->cfg, "-o", "", "--quiet");
    int entries = ts_dir_entries(".");
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(code, CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "empty");
    assert_int_equal(entries, 0); /* not even a temporary file in the working directory */
    assert_int_equal(CF(fx, &would_fail, "run", fx->cfg, "-o", fx->out, "--quiet", "--force"), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "is a directory");
    assert_int_equal(CF(fx, &would_fail, "run", fx->cfg, "-o", dir_slash, "--quiet"), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "names a directory");
    assert_int_equal(CF(fx, &would_fail, "run", fx->cfg, "-o", missing, "--quiet"), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "names a directory");
    assert_int_equal(CF(fx, &would_fail, "merge", fx->out, fx->cfg, fx->cfg), CF_EXIT_OUTPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "is a directory");
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

/* ---- 11: task settings ----------------------------------------------------- */

static void test_bad_task_settings(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/t.h5", fx->out);
    ts_child abc = {.env = {"SLURM_ARRAY_TASK_ID=abc", "SLURM_ARRAY_TASK_COUNT=2"}};
    assert_int_equal(CF(fx, &abc, "run", fx->cfg, "-o", out, "--quiet"), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "SLURM_ARRAY_TASK_ID='abc'");
    ts_child count_only = {.env = {"SLURM_ARRAY_TASK_COUNT=2"}};
    assert_int_equal(CF(fx, &count_only, "run", fx->cfg, "-o", out, "--quiet"), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "no task index");
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", out, "--tasks", "2", "--quiet"), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "--task K");
    ts_child count_bad = {.env = {"SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_COUNT=2x"}};
    assert_int_equal(CF(fx, &count_bad, "run", fx->cfg, "-o", out, "--quiet"), CF_EXIT_INPUT);
    assert_int_equal(ts_dir_entries(fx->out), 0);
    /* what is right still runs */
    ts_child slurm = {.env = {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=2"}};
    assert_int_equal(CF(fx, &slurm, "run", fx->cfg, "-o", out, "--quiet"), 0);
    assert_int_equal(attr_int(out, "task"), 1);
}

/* ---- 12: --resume through a symbolic link --------------------------------- */

static void test_resume_through_a_link(void **state)
{
    fixture *fx = *state;
    char real[PATH_MAX + 16], link[PATH_MAX + 16];
    snprintf(real, sizeof real, "%s/real.h5", fx->out);
    snprintf(link, sizeof link, "%s/latest.h5", fx->out);
    ts_child fail_one = {.env = {"CASEFLOW_TEST_FAIL_TRIAL=2"}};
    assert_int_equal(CF(fx, &fail_one, "run", fx->cfg, "-o", real, "--quiet"), CF_EXIT_TRIALS_FAILED);
    assert_int_equal(symlink("real.h5", link), 0);
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", link, "--resume", "--quiet"), 0);
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    char target[PATH_MAX];
    ssize_t n = readlink(link, target, sizeof target - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, "real.h5");
    assert_int_equal(attr_int(real, "complete"), 1);
    /* --force through the link replaces its target too */
    assert_int_equal(CF(fx, NULL, "run", fx->cfg, "-o", link, "--force", "--quiet", "--reps", "3"), 0);
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    assert_int_equal(attr_int(real, "replications"), 3);
    assert_int_equal(ts_dir_entries(fx->out), 2);
}

/* ---- 4: a non-finite event time fails its trial -------------------------- */

static void test_non_finite_time_fails_the_trial(void **state)
{
    fixture *fx = *state;
    char out[PATH_MAX + 16], nan_cfg[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/nan.h5", fx->out);
    ts_child nan_trial = {.env = {"CASEFLOW_TEST_NAN_TRIAL=1"}};
    assert_int_equal(CF(fx, &nan_trial, "run", fx->cfg, "-o", out, "--quiet"), CF_EXIT_TRIALS_FAILED);
    TS_ASSERT_CONTAINS(fx->o.err, "1 of 4 trials failed");
    TS_ASSERT_CONTAINS(fx->o.err, "trial 1: a non-finite event time");
    assert_int_equal(attr_int(out, "complete"), 0);
    /* a distribution whose samples overflow: refused as input (once the
     * scenario checks catch it) or failed trials, never a result */
    char *text = strdup(good_cfg);
    const char *from = "{ dist = \"exponential\"; mean = 1.5; }";
    char *at = strstr(text, from);
    assert_non_null(at);
    char edited[1024];
    snprintf(edited, sizeof edited, "%.*s{ dist = \"lognormal\"; mean = 1.5; sd = 1e300; }%s", (int)(at - text), text,
             at + strlen(from));
    free(text);
    snprintf(nan_cfg, sizeof nan_cfg, "%s/nan.cfg", fx->dir);
    ts_write_file(nan_cfg, edited, strlen(edited));
    unlink(out);
    int code = CF(fx, NULL, "run", nan_cfg, "-o", out, "--quiet");
    assert_true(code == CF_EXIT_INPUT || code == CF_EXIT_TRIALS_FAILED);
    if (code == CF_EXIT_TRIALS_FAILED) {
        TS_ASSERT_CONTAINS(fx->o.err, "non-finite event time");
        assert_int_equal(attr_int(out, "complete"), 0);
    }
}

/* ---- the memory estimate counts replacement referrals --------------------- */

static const char replacing_cfg[] =
    "run: { replications = 4; seed = 3L; horizon_months = 1200; warmup_months = 2; };\n"
    "sources = ( { name = \"office\"; rate_per_month = 5.0; replacement = %d; } );\n"
    "staff: { workers = 100000; caseload_cap = 15; meeting_hours_per_day = 6.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

/* A source that sends ten new referrals per exit grows as fast as 100 000
 * workers can make exits: the estimate must see that (and name it), while
 * the same source without replacement (5 referrals a month) fits. */
static void test_memory_estimate_counts_replacement(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 16], text[1024], msg[1024] = "", out[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/replacing.cfg", fx->dir);
    snprintf(out, sizeof out, "%s/never.h5", fx->out);
    for (int replacement = 0; replacement <= 10; replacement += 10) {
        snprintf(text, sizeof text, replacing_cfg, replacement);
        ts_write_file(path, text, strlen(text));
        study st;
        config_error cerr;
        if (study_load(&st, path, NULL, 0, &cerr) != 0)
            fail_msg("%s", cerr.message);
        int rc = runner_check_memory(&st, 4, 2, msg, sizeof msg);
        study_free(&st);
        print_message("  replacement %d: %s\n", replacement, rc ? msg : "fits");
        if (replacement == 0) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, -1);
            TS_ASSERT_CONTAINS(msg, "replacement or relapse referrals");
        }
    }
    /* and the command refuses it before anything runs */
    assert_int_equal(CF(fx, NULL, "run", path, "-o", out, "--quiet", "--threads", "2"), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(fx->o.err, "not enough memory");
    TS_ASSERT_CONTAINS(fx->o.err, "replacement");
    assert_int_equal(ts_dir_entries(fx->out), 0);
}

int main(void)
{
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    unsetenv("CASEFLOW_TEST_FAIL_TRIAL");
    unsetenv("CASEFLOW_TEST_NAN_TRIAL");
    unsetenv("CASEFLOW_TEST_FINISH_DELAY_MS");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_only_regular_files_are_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_clobber_at_the_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_inputs_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partials_of_killed_runs_are_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_refuses_damaged_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_on_a_locked_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_path_checked_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_task_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_through_a_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_finite_time_fails_the_trial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_estimate_counts_replacement, setup, teardown),
    };
    return cmocka_run_group_tests_name("robust_output", tests, NULL, NULL);
}
