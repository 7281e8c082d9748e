/*
 * test_runopts.c — what `caseflow run` gained for batch use: the default
 * thread count from the CPUs a process may use, progress lines for logs,
 * --records, seeds readable without 64-bit unsigned integers, UTF-8 text,
 * and Slurm array indices numbered from 0 or 1.
 *
 * cpus_limit is tested on cgroup trees written here; the rest runs the
 * binary (CASEFLOW_BIN) and reads its files back with the HDF5 API.
 */
#include "test_cli_run.h"

#include "app/cpus.h"
#include "output/record_policy.h"

static const char small_cfg[] =
    "run: { replications = 6; seed = 11L; horizon_months = 12; warmup_months = 2; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 8; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

/* A study of two scenarios, one named with letters outside ASCII. */
static const char study_cfg[] =
    "study: { name = \"utf\"; base = \"small.cfg\"; replications = 3; seed = 11L;\n"
    "  scenarios = ( { name = \"Malm\xc3\xb6 fyra\"; set = [ \"staff.workers=4\" ]; } ); };\n";

/* ---- threads ------------------------------------------------------------ */

static void mkdirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0700);
            *p = '/';
        }
    mkdir(buf, 0700);
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ts_write_file(path, text, strlen(text));
}

static void test_cpus_limit(void **state)
{
    cli_fixture *fx = *state;
    char root[PATH_MAX], proc[PATH_MAX], job[PATH_MAX], step[PATH_MAX];
    snprintf(root, sizeof root, "%s/cg", fx->dir);
    snprintf(job, sizeof job, "%s/slurm/job_7", root);
    snprintf(step, sizeof step, "%s/step_0", job);
    mkdirs(step);
    cli_path(fx, "cgroup", proc);
    /* cgroup v2: the quota is on the job, the process in a step below it;
     * 1.5 CPUs of quota round up to 2 */
    ts_write_file(proc, "0::/slurm/job_7/step_0\n", 23);
    put(root, "cpu.max", "max 100000\n");
    put(job, "cpu.max", "150000 100000\n");
    put(step, "cpu.max", "max 100000\n");
    cpus_sources src = {.online = 64, .affinity = 0, .proc_cgroup = proc, .cgroup_root = root};
    assert_int_equal(cpus_cgroup_quota(&src), 2);
    assert_int_equal(cpus_limit(&src), 2);
    /* the affinity mask, when smaller, wins (taskset -c 0) */
    src.affinity = 1;
    assert_int_equal(cpus_limit(&src), 1);
    src.affinity = 8;
    /* SLURM_CPUS_PER_TASK, when smaller; text that is not a count is ignored */
    src.slurm_cpus_per_task = "1";
    assert_int_equal(cpus_limit(&src), 1);
    src.slurm_cpus_per_task = "two";
    assert_int_equal(cpus_limit(&src), 2);
    src.slurm_cpus_per_task = NULL;
    /* no quota anywhere: online and affinity decide */
    put(job, "cpu.max", "max 100000\n");
    assert_int_equal(cpus_cgroup_quota(&src), 0);
    assert_int_equal(cpus_limit(&src), 8);
    /* cgroup v1: cpu,cpuacct controller, quota/period */
    char v1[PATH_MAX];
    snprintf(v1, sizeof v1, "%s/cpu,cpuacct/batch", root);
    mkdirs(v1);
    ts_write_file(proc, "4:memory:/batch\n3:cpu,cpuacct:/batch\n0::/\n", 42);
    put(v1, "cpu.cfs_quota_us", "300000\n");
    put(v1, "cpu.cfs_period_us", "100000\n");
    assert_int_equal(cpus_cgroup_quota(&src), 3);
    assert_int_equal(cpus_limit(&src), 3);
    put(v1, "cpu.cfs_quota_us", "-1\n");
    assert_int_equal(cpus_cgroup_quota(&src), 0);
    /* nothing known at all: 1 */
    cpus_sources none = {0};
    assert_int_equal(cpus_limit(&none), 1);
}

static void test_default_threads(void **state)
{
    cli_fixture *fx = *state;
    cli_write(fx, "small.cfg", small_cfg);
    if (system("command -v taskset >/dev/null 2>&1") == 0) {
        assert_int_equal(cli_run_with(fx, "taskset -c 0", "run small.cfg -o a.h5"), 0);
        TS_ASSERT_CONTAINS(fx->out, ", 1 threads)");
    } else {
        print_message("  taskset is not installed: the affinity case is covered by test_cpus_limit only\n");
    }
    assert_int_equal(cli_run_with(fx, "SLURM_CPUS_PER_TASK=1", "run small.cfg -o b.h5"), 0);
    TS_ASSERT_CONTAINS(fx->out, ", 1 threads)");
    /* --threads still decides when given */
    assert_int_equal(cli_run_with(fx, "SLURM_CPUS_PER_TASK=1", "run small.cfg -o c.h5 --threads 3"), 0);
    TS_ASSERT_CONTAINS(fx->out, ", 3 threads)");
}

/* ---- progress lines ------------------------------------------------------ */

/* Checks every "progress:" line of text; returns how many there are. */
static int check_progress_lines(const char *text, unsigned long long total)
{
    int lines = 0;
    unsigned long long last = 0;
    for (const char *p = strstr(text, "progress: "); p; p = strstr(p + 1, "progress: ")) {
        unsigned long long done, all;
        double pct, elapsed, eta;
        char tail[32] = "";
        int got = sscanf(p, "progress: %llu/%llu trials, %lf %%, elapsed %lf s, eta %lf s%31[^\n]", &done, &all, &pct,
                         &elapsed, &eta, tail);
        if (got < 5) {
            char unknown[16] = "";
            got = sscanf(p, "progress: %llu/%llu trials, %lf %%, elapsed %lf s, eta %15[a-z]", &done, &all, &pct,
                         &elapsed, unknown);
            if (got != 5 || strcmp(unknown, "unknown") != 0 || done != 0)
                fail_msg("not a progress line: %.80s", p);
        }
        assert_int_equal(all, total);
        assert_true(done >= last && done <= all);
        TS_ASSERT_NEAR(pct, 100.0 * (double)done / (double)all, 0.05);
        assert_string_equal(tail, "");
        last = done;
        lines++;
    }
    return lines;
}

/* A shell prefix: the hold hook after `trial`, and a background job that
 * waits (at most 60 s) until the run reports the hold on stderr, then
 * removes the hold file `seconds` later. */
static void hold_prefix(const cli_fixture *fx, char *prefix, size_t size, const char *hold, int trial,
                        const char *seconds)
{
    snprintf(prefix, size,
             "(i=0; until grep -q holding '%s' 2>/dev/null || [ $i -ge 1200 ]; do sleep 0.05; i=$((i+1)); done; "
             "sleep %s; rm -f '%s') & CASEFLOW_TEST_HOLD='%d:%s'",
             fx->stderr_path, seconds, hold, trial, hold);
}

static void test_progress_lines(void **state)
{
    cli_fixture *fx = *state;
    cli_write(fx, "small.cfg", small_cfg);
    char hold[PATH_MAX], prefix[2 * PATH_MAX];
    cli_path(fx, "hold", hold);
    /* The test hook holds the run after trial 2 for as long as the file
     * exists; a background job removes it 0.6 s after the run says it
     * holds, so at 0.1 s intervals lines must come during the hold however
     * fast or loaded the machine. */
    ts_write_file(hold, "", 0);
    hold_prefix(fx, prefix, sizeof prefix, hold, 2, "0.6");
    assert_int_equal(cli_run_with(fx, prefix, "run small.cfg -o p.h5 --progress-every 0.1"), 0);
    int lines = check_progress_lines(fx->err, 6);
    print_message("  %d progress lines\n", lines);
    assert_true(lines >= 3);
    TS_ASSERT_CONTAINS(fx->err, "progress: 3/6 trials, 50.0 %, elapsed ");

    /* asked for, they come with --quiet too; --progress-every 0: none */
    ts_write_file(hold, "", 0);
    hold_prefix(fx, prefix, sizeof prefix, hold, 0, "0.3");
    assert_int_equal(cli_run_with(fx, prefix, "run small.cfg -o q.h5 --progress-every 0.1 --quiet"), 0);
    assert_true(check_progress_lines(fx->err, 6) >= 1);
    ts_write_file(hold, "", 0);
    hold_prefix(fx, prefix, sizeof prefix, hold, 0, "0.3");
    assert_int_equal(cli_run_with(fx, prefix, "run small.cfg -o r.h5 --progress-every 0"), 0);
    TS_ASSERT_NOT_CONTAINS(fx->err, "progress:");
    /* bad values */
    assert_int_equal(cli_run(fx, "run small.cfg -o s.h5 --progress-every -1"), 2);
    TS_ASSERT_CONTAINS(fx->err, "--progress-every");
    assert_int_equal(cli_run(fx, "run small.cfg -o s.h5 --progress-every soon"), 2);
}

/* ---- --records ----------------------------------------------------------- */

typedef struct prow {
    uint64_t id;
    uint32_t scenario, replication;
    double referral_time, exit_time;
} prow;

static prow *read_participants(const char *file, size_t *n)
{
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(prow));
    H5Tinsert(mem, "id", HOFFSET(prow, id), H5T_NATIVE_UINT64);
    H5Tinsert(mem, "scenario", HOFFSET(prow, scenario), H5T_NATIVE_UINT32);
    H5Tinsert(mem, "replication", HOFFSET(prow, replication), H5T_NATIVE_UINT32);
    H5Tinsert(mem, "referral_time", HOFFSET(prow, referral_time), H5T_NATIVE_DOUBLE);
    H5Tinsert(mem, "exit_time", HOFFSET(prow, exit_time), H5T_NATIVE_DOUBLE);
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/participants", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    *n = (size_t)H5Sget_simple_extent_npoints(sp);
    prow *rows = calloc(*n + 1, sizeof *rows);
    assert_true(*n == 0 || H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    H5Tclose(mem);
    return rows;
}

/* The bytes of a dataset as stored. */
static char *raw_dataset(const char *file, const char *name, size_t *bytes)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
    *bytes = H5Tget_size(t) * (size_t)H5Sget_simple_extent_npoints(sp);
    char *buf = calloc(*bytes + 1, 1);
    assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(f);
    return buf;
}

static void assert_same_dataset(const char *a, const char *b, const char *name)
{
    size_t na, nb;
    char *x = raw_dataset(a, name, &na), *y = raw_dataset(b, name, &nb);
    assert_int_equal(na, nb);
    if (memcmp(x, y, na) != 0)
        fail_msg("%s differs between %s and %s", name, a, b);
    free(x);
    free(y);
}

static void test_records(void **state)
{
    cli_fixture *fx = *state;
    cli_write(fx, "small.cfg", small_cfg);
    char all[PATH_MAX], none[PATH_MAX], s1[PATH_MAX], s2[PATH_MAX], text[64];
    cli_path(fx, "all.h5", all);
    cli_path(fx, "none.h5", none);
    cli_path(fx, "s1.h5", s1);
    cli_path(fx, "s2.h5", s2);
    assert_int_equal(cli_run(fx, "run small.cfg -o all.h5 --quiet"), 0);
    assert_int_equal(cli_run(fx, "run small.cfg -o none.h5 --records none"), 0);
    TS_ASSERT_CONTAINS(fx->out, " 0 participant records in ");
    assert_int_equal(cli_run(fx, "run small.cfg -o s1.h5 --records sample=5 --threads 1 --quiet"), 0);
    assert_int_equal(cli_run(fx, "run small.cfg -o s2.h5 --records sample=5 --threads 2 --quiet"), 0);

    cli_h5_text_attr(all, "participant_records", text, sizeof text);
    assert_string_equal(text, "all");
    cli_h5_text_attr(none, "participant_records", text, sizeof text);
    assert_string_equal(text, "none");
    cli_h5_text_attr(s1, "participant_records", text, sizeof text);
    assert_string_equal(text, "sample=5");
    assert_int_equal(cli_h5_length(none, "/participants"), 0);
    /* the records change the file, never a result */
    static const char *const same[] = {"/summary", "/paired_differences", "/series/waiting", "/exits_by_destination",
                                       "/trial_extras"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        assert_same_dataset(all, none, same[i]);
        assert_same_dataset(all, s1, same[i]);
    }
    /* sample=5: exactly 5 of each trial's records (each has more), all of
     * them records of the full file in their order, the same whatever the
     * thread count */
    size_t na, ns, ns2;
    prow *pa = read_participants(all, &na), *ps = read_participants(s1, &ns), *ps2 = read_participants(s2, &ns2);
    assert_int_equal(ns, 6 * 5);
    assert_int_equal(ns2, ns);
    assert_memory_equal(ps, ps2, ns * sizeof *ps);
    size_t j = 0;
    int per_trial[6] = {0}, not_first = 0;
    for (size_t i = 0; i < ns; i++) {
        while (j < na && !(pa[j].replication == ps[i].replication && pa[j].id == ps[i].id))
            j++;
        if (j == na)
            fail_msg("sampled record %zu (replication %u, id %llu) is not a record of the full run, in order", i,
                     ps[i].replication, (unsigned long long)ps[i].id);
        TS_ASSERT_SAME_DOUBLE(ps[i].referral_time, pa[j].referral_time);
        TS_ASSERT_SAME_DOUBLE(ps[i].exit_time, pa[j].exit_time);
        per_trial[ps[i].replication]++;
        if (i % 5 == 4 && ps[i].id >= 5)
            not_first = 1;
    }
    for (int r = 0; r < 6; r++)
        assert_int_equal(per_trial[r], 5);
    assert_true(not_first); /* a sample, not the first five */
    free(pa);
    free(ps);
    free(ps2);

    /* bad policies */
    assert_int_equal(cli_run(fx, "run small.cfg -o x.h5 --records some"), 2);
    TS_ASSERT_CONTAINS(fx->err, "expected all, none or sample=N");
    assert_int_equal(cli_run(fx, "run small.cfg -o x.h5 --records sample=0"), 2);
    char never[PATH_MAX];
    cli_path(fx, "x.h5", never);
    assert_false(ts_exists(never));

    /* resume keeps the file's kind of records: another is refused (exit 4) */
    assert_int_equal(cli_run_with(fx, "CASEFLOW_TEST_FAIL_TRIAL=3", "run small.cfg -o f.h5 --records none --quiet"), 6);
    assert_int_equal(cli_run(fx, "run small.cfg -o f.h5 --resume --quiet"), 4);
    TS_ASSERT_CONTAINS(fx->err, "keeps participant records 'none', this run 'all'");
    assert_int_equal(cli_run(fx, "run small.cfg -o f.h5 --resume --records none --quiet"), 0);
    char resumed[PATH_MAX];
    cli_path(fx, "f.h5", resumed);
    assert_same_dataset(none, resumed, "/summary");

    /* merge refuses task files written with different --records */
    assert_int_equal(cli_run(fx, "run small.cfg --task 0 --tasks 2 -o t0.h5 --quiet"), 0);
    assert_int_equal(cli_run(fx, "run small.cfg --task 1 --tasks 2 -o t1.h5 --records none --quiet"), 0);
    assert_int_equal(cli_run(fx, "merge m.h5 t0.h5 t1.h5"), 4);
    TS_ASSERT_CONTAINS(fx->err, "participant records");
    assert_int_equal(cli_run(fx, "run small.cfg --task 1 --tasks 2 -o t1.h5 --force --quiet"), 0);
    assert_int_equal(cli_run(fx, "merge m.h5 t0.h5 t1.h5"), 0);
    /* ... and merges parts that keep none or a sample alike: merge's check
     * that a part holds each trial's records expects what --records kept,
     * and the merged file says which and equals a single run's */
    static const char *const kinds[] = {"none", "sample=5"};
    const char *const single[] = {none, s1};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(cli_run(fx, "run small.cfg --task 0 --tasks 2 -o t0.h5 --force --quiet --records %s",
                                 kinds[k]), 0);
        assert_int_equal(cli_run(fx, "run small.cfg --task 1 --tasks 2 -o t1.h5 --force --quiet --records %s",
                                 kinds[k]), 0);
        assert_int_equal(cli_run(fx, "merge m.h5 t0.h5 t1.h5 --force"), 0);
        char merged[PATH_MAX];
        cli_path(fx, "m.h5", merged);
        cli_h5_text_attr(merged, "participant_records", text, sizeof text);
        assert_string_equal(text, kinds[k]);
        assert_int_equal(cli_h5_length(merged, "/participants"), k == 0 ? 0 : 6 * 5);
        assert_same_dataset(single[k], merged, "/summary");
        assert_same_dataset(single[k], merged, "/participants");
    }
}

/* Selection sampling keeps every record with the same probability. The
 * count of keys keeping record i is Binomial(K, want/total); the bound is
 * that distribution's two-sided 99.9 % interval, Bonferroni-corrected over
 * the records. */
static void test_record_sample_is_uniform(void **state)
{
    (void)state;
    enum { TOTAL = 10, WANT = 3, KEYS = 20000 };
    record_policy p = {.mode = RECORDS_SAMPLE, .sample = WANT};
    long counts[TOTAL] = {0};
    for (uint64_t key = 0; key < KEYS; key++) {
        record_selector s;
        record_selector_init(&s, &p, key * 7919 + 1, TOTAL);
        int kept = 0;
        for (int i = 0; i < TOTAL; i++)
            if (record_selector_keep(&s)) {
                counts[i]++;
                kept++;
            }
        assert_int_equal(kept, WANT);
    }
    double prob = (double)WANT / TOTAL, mean = KEYS * prob, sd = sqrt(KEYS * prob * (1 - prob));
    double tol = ts_z(1 - 0.001 / TOTAL) * sd;
    for (int i = 0; i < TOTAL; i++)
        TS_ASSERT_NEAR(counts[i], mean, tol);
    /* fewer records than wanted: all; none and all as named */
    record_selector s;
    record_selector_init(&s, &p, 5, 2);
    assert_true(record_selector_keep(&s) && record_selector_keep(&s));
    record_policy none = {.mode = RECORDS_NONE};
    record_selector_init(&s, &none, 5, 3);
    assert_false(record_selector_keep(&s) || record_selector_keep(&s) || record_selector_keep(&s));
    record_selector_init(&s, NULL, 5, 2);
    assert_true(record_selector_keep(&s) && record_selector_keep(&s));
    /* text round trip */
    record_policy q;
    char err[256], text[RECORD_POLICY_TEXT_LEN];
    assert_int_equal(record_policy_parse("sample=12", &q, err, sizeof err), 0);
    record_policy_text(&q, text, sizeof text);
    assert_string_equal(text, "sample=12");
    assert_int_equal(record_policy_parse("sample=-3", &q, err, sizeof err), -1);
    assert_int_equal(record_policy_parse("sample=", &q, err, sizeof err), -1);
}

/* ---- seeds and text ------------------------------------------------------ */

typedef struct seed_row {
    uint64_t seed;
    char text[24];
} seed_row;

static void test_seeds_as_text_and_utf8(void **state)
{
    cli_fixture *fx = *state;
    cli_write(fx, "small.cfg", small_cfg);
    cli_write(fx, "utf.cfg", study_cfg);
    char file[PATH_MAX];
    cli_path(fx, "utf.h5", file);
    assert_int_equal(cli_run(fx, "run utf.cfg -o utf.h5 --quiet"), 0);
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    /* every trial's seed also in decimal; seeds above 2^63 (those R's hdf5r
     * cannot hold) among them */
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 24);
    H5Tset_cset(str, H5T_CSET_UTF8);
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(seed_row));
    H5Tinsert(mem, "seed", HOFFSET(seed_row, seed), H5T_NATIVE_UINT64);
    H5Tinsert(mem, "seed_text", HOFFSET(seed_row, text), str);
    seed_row rows[6];
    hid_t d = H5Dopen2(f, "/replications", H5P_DEFAULT);
    assert_true(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    H5Dclose(d);
    int high = 0;
    for (int i = 0; i < 6; i++) {
        char want[24];
        snprintf(want, sizeof want, "%llu", (unsigned long long)rows[i].seed);
        assert_string_equal(rows[i].text, want);
        high |= rows[i].seed > (uint64_t)INT64_MAX;
    }
    assert_true(high);
    H5Tclose(mem);
    H5Tclose(str);
    char text[64];
    H5Fclose(f);
    cli_h5_text_attr(file, "master_seed_text", text, sizeof text);
    assert_string_equal(text, "11");

    /* text datasets are marked UTF-8, and the name comes back as written */
    f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    static const char *const sets[] = {"/destinations", "/parameter_names"};
    for (size_t i = 0; i < 2; i++) {
        d = H5Dopen2(f, sets[i], H5P_DEFAULT);
        hid_t t = H5Dget_type(d);
        assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
        H5Tclose(t);
        H5Dclose(d);
    }
    static const char *const compounds[][2] = {{"/scenarios", "name"}, {"/summary", "metric"}, {"/summary", "unit"}};
    for (size_t i = 0; i < 3; i++) {
        d = H5Dopen2(f, compounds[i][0], H5P_DEFAULT);
        hid_t t = H5Dget_type(d);
        hid_t m = H5Tget_member_type(t, (unsigned)H5Tget_member_index(t, compounds[i][1]));
        assert_int_equal(H5Tget_cset(m), H5T_CSET_UTF8);
        H5Tclose(m);
        H5Tclose(t);
        H5Dclose(d);
    }
    H5Fclose(f);
    assert_int_equal(cli_run(fx, "export utf.h5 --table scenarios"), 0);
    TS_ASSERT_CONTAINS(fx->out, "1,Malm\xc3\xb6 fyra,\"staff.workers=4\n\"\n");
}

/* ---- Slurm array numbering ----------------------------------------------- */

static void test_slurm_array_indices(void **state)
{
    cli_fixture *fx = *state;
    cli_write(fx, "small.cfg", small_cfg);
    /* --array=1-3: SLURM_ARRAY_TASK_ID 2 is the second of three slices */
    assert_int_equal(cli_run_with(fx,
                                  "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=1 "
                                  "SLURM_ARRAY_TASK_MAX=3",
                                  "run small.cfg -o one.h5"),
                     0);
    TS_ASSERT_CONTAINS(fx->out, "task 1 of 3: trials 2..3 of 6");
    assert_int_equal(cli_run_with(fx,
                                  "SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=0 "
                                  "SLURM_ARRAY_TASK_MAX=2",
                                  "run small.cfg -o zero.h5"),
                     0);
    TS_ASSERT_CONTAINS(fx->out, "task 0 of 3: trials 0..1 of 6");
    /* a part of an array (a resubmission) cannot be told from a smaller
     * study: refused unless --task and --tasks say */
    assert_int_equal(cli_run_with(fx,
                                  "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=2 "
                                  "SLURM_ARRAY_TASK_MAX=2",
                                  "run small.cfg -o part.h5"),
                     2);
    TS_ASSERT_CONTAINS(fx->err, "pass --task and --tasks");
    assert_int_equal(cli_run_with(fx,
                                  "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=2 "
                                  "SLURM_ARRAY_TASK_MAX=2",
                                  "run small.cfg -o part.h5 --task 2 --tasks 3"),
                     0);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    unsetenv("SLURM_CPUS_PER_TASK");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cpus_limit, cli_setup, cli_teardown),
        cmocka_unit_test_setup_teardown(test_default_threads, cli_setup, cli_teardown),
        cmocka_unit_test_setup_teardown(test_progress_lines, cli_setup, cli_teardown),
        cmocka_unit_test_setup_teardown(test_records, cli_setup, cli_teardown),
        cmocka_unit_test(test_record_sample_is_uniform),
        cmocka_unit_test_setup_teardown(test_seeds_as_text_and_utf8, cli_setup, cli_teardown),
        cmocka_unit_test_setup_teardown(test_slurm_array_indices, cli_setup, cli_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
