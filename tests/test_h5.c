/*
 * test_h5.c — the HDF5 output (io_h5) as written by the runner, read back
 * with the HDF5 C API.
 *
 * Owns: the layout of a run's file — /replications rows (trial,
 * replication, seed = rng_derive(master, r) under common random numbers,
 * status, and the same counts an independent model_run gives),
 * /exits_by_destination and /series shapes and contents, /participants row
 * count against the runner's total (across several write chunks),
 * /destinations names, root attributes (format, format_version,
 * master_seed, replications, config_text equal to the file's text,
 * complete); atomic creation (nothing under the final name before
 * h5out_finish, a .partial-PID file meanwhile; h5out_abort removes it and
 * leaves an existing final file byte-identical; a failed final rename
 * removes it too; an unwritable target creates nothing); and
 * reproducibility: two runs with the same seed, and
 * runs with 1 and 2 threads, store identical datasets (wall-clock time
 * aside), while another seed does not.
 */
#include "test_support.h"

#include <hdf5.h>

#include "engine/eng_rng.h"
#include "output/h5out.h"
#include "scenario/study.h"
#include "model/model_casework.h"
#include "output/results.h"
#include "app/runner.h"

static const char scenario_text[] =
    "# tiny scenario for test_h5\n"
    "run: { replications = 4; seed = 4242L; horizon_months = 18; warmup_months = 3; };\n"
    "referrals: { rate_per_month = 25.0; };\n"
    "staff: { workers = 3; caseload_cap = 6; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 10.0; }; };\n"
    "exits: { probability_per_meeting = 0.15;\n"
    "         shares = { work = 0.3; studies = 0.2; dropout = 0.5; }; };\n";

typedef struct fixture {
    char dir[PATH_MAX];
    char cfg[PATH_MAX];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    ts_make_temp_dir(fx->dir);
    snprintf(fx->cfg, sizeof fx->cfg, "%s/tiny.cfg", fx->dir);
    ts_write_file(fx->cfg, scenario_text, strlen(scenario_text));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ts_remove_tree(fx->dir);
    free(fx);
    return 0;
}

static void load_study(study *st, const char *path, const char *const *ov, int n_ov)
{
    config_error err;
    if (study_load(st, path, ov, n_ov, &err) != 0)
        fail_msg("study_load: %s", err.message);
}

/* The whole run as the CLI does it: create, run, summarise, finish. */
static void run_to_file(const study *st, int threads, const char *path, runner_totals *totals_out)
{
    uint64_t total = study_trial_count(st);
    h5out_meta meta = {"test", "test-revision", st, 0, total, 0, 1};
    char err[1024];
    h5out *out = h5out_create(path, &meta, err, sizeof err);
    if (!out)
        fail_msg("h5out_create: %s", err);
    runner_options opt = {.threads = threads, .progress = 0};
    runner_totals totals;
    if (runner_run(st, 0, total, &opt, out, &totals, err, sizeof err) != 0) {
        h5out_abort(out);
        fail_msg("runner_run: %s", err);
    }
    results_summary *sum = NULL;
    results_difference *diff = NULL;
    size_t ns = 0, nd = 0;
    assert_int_equal(results_summarise(totals.rows, totals.row_count, st->scenario_count, &st->scenarios[0].sc.model,
                                       st->common_random_numbers, &sum, &ns, &diff, &nd),
                     0);
    assert_int_equal(h5out_write_summaries(out, "", sum, ns, diff, nd), 0);
    free(sum);
    free(diff);
    if (h5out_finish(out, err, sizeof err) != 0)
        fail_msg("h5out_finish: %s", err);
    if (totals_out)
        *totals_out = totals;
    else
        runner_totals_free(&totals);
}

/* ---- reading ----------------------------------------------------------- */

static hid_t open_file(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("cannot open %s with HDF5", path);
    return f;
}

static char *attr_text(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        fail_msg("no attribute %s", name);
    hid_t type = H5Aget_type(a);
    assert_int_equal(H5Tget_class(type), H5T_STRING);
    size_t size = H5Tget_size(type);
    char *buf = calloc(size + 1, 1);
    assert_true(H5Aread(a, type, buf) >= 0);
    H5Tclose(type);
    H5Aclose(a);
    return buf;
}

static void attr_value(hid_t obj, const char *name, hid_t mem_type, void *value)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        fail_msg("no attribute %s", name);
    assert_true(H5Aread(a, mem_type, value) >= 0);
    H5Aclose(a);
}

/* Rank and dimensions of a dataset. */
static int dims_of(hid_t file, const char *name, hsize_t *dims)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0)
        fail_msg("no dataset %s", name);
    hid_t sp = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(sp);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(d);
    return rank;
}

/* A whole dataset in a memory type; caller frees. */
static void *read_all(hid_t file, const char *name, hid_t mem_type, size_t elem_size, size_t *count)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0)
        fail_msg("no dataset %s", name);
    hid_t sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    void *buf = calloc(n > 0 ? (size_t)n : 1, elem_size);
    assert_non_null(buf);
    if (n > 0 && H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        fail_msg("cannot read %s", name);
    H5Dclose(d);
    *count = (size_t)n;
    return buf;
}

/* The dataset's bytes as stored (its own file type); caller frees. */
static unsigned char *read_raw(hid_t file, const char *name, size_t *bytes, hid_t *type_out)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0)
        fail_msg("no dataset %s", name);
    hid_t type = H5Dget_type(d);
    hid_t sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    size_t size = (size_t)n * H5Tget_size(type);
    unsigned char *buf = calloc(size ? size : 1, 1);
    if (n > 0 && H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        fail_msg("cannot read %s", name);
    H5Dclose(d);
    *bytes = size;
    *type_out = type;
    return buf;
}

/* ---- layout ------------------------------------------------------------ */

static void test_layout(void **state)
{
    fixture *fx = *state;
    char out_path[PATH_MAX];
    snprintf(out_path, sizeof out_path, "%s/run.h5", fx->dir);
    study st;
    load_study(&st, fx->cfg, NULL, 0);
    const config_scenario *sc = &st.scenarios[0].sc;
    const model_params *mp = &sc->model;
    const int reps = 4, months = 18, dests = 3;
    assert_int_equal(st.replications, reps);
    runner_totals totals;
    run_to_file(&st, 2, out_path, &totals);
    assert_int_equal(totals.row_count, reps);

    hid_t f = open_file(out_path);

    /* root attributes */
    char *s = attr_text(f, "format");
    assert_string_equal(s, "caseflow-run");
    free(s);
    int fv = -1, nreps = -1, horizon = -1, warmup = -1, complete = -1;
    uint64_t master = 0;
    attr_value(f, "format_version", H5T_NATIVE_INT, &fv);
    assert_int_equal(fv, H5OUT_FORMAT_VERSION);
    attr_value(f, "master_seed", H5T_NATIVE_UINT64, &master);
    assert_true(master == 4242);
    attr_value(f, "replications", H5T_NATIVE_INT, &nreps);
    assert_int_equal(nreps, reps);
    attr_value(f, "horizon_months", H5T_NATIVE_INT, &horizon);
    assert_int_equal(horizon, months);
    attr_value(f, "warmup_months", H5T_NATIVE_INT, &warmup);
    assert_int_equal(warmup, 3);
    attr_value(f, "complete", H5T_NATIVE_INT, &complete);
    assert_int_equal(complete, 1);
    s = attr_text(f, "config_text");
    assert_string_equal(s, scenario_text); /* the file's text, byte for byte */
    free(s);
    s = attr_text(f, "config_path");
    assert_string_equal(s, fx->cfg);
    free(s);
    s = attr_text(f, "program_version");
    assert_string_equal(s, "test");
    free(s);

    /* /destinations */
    hsize_t dims[3];
    assert_int_equal(dims_of(f, "/destinations", dims), 1);
    assert_int_equal(dims[0], dests);
    hid_t str_t = H5Tcopy(H5T_C_S1);
    H5Tset_size(str_t, MODEL_NAME_LEN);
    H5Tset_cset(str_t, H5T_CSET_UTF8); /* text is stored as UTF-8; HDF5 converts no character sets */
    size_t n;
    char(*names)[MODEL_NAME_LEN] = read_all(f, "/destinations", str_t, MODEL_NAME_LEN, &n);
    H5Tclose(str_t);
    assert_string_equal(names[0], "work");
    assert_string_equal(names[1], "studies");
    assert_string_equal(names[2], "dropout");
    free(names);

    /* /replications: one row per replication, seeds derived from the master */
    assert_int_equal(dims_of(f, "/replications", dims), 1);
    assert_int_equal(dims[0], reps);
    hid_t row_t = h5out_row_type();
    results_row *rows = read_all(f, "/replications", row_t, sizeof(results_row), &n);
    H5Tclose(row_t);
    uint64_t referrals = 0;
    for (int r = 0; r < reps; r++) {
        const results_row *row = &rows[r];
        assert_int_equal(row->trial, r);
        assert_int_equal(row->replication, r);
        assert_int_equal(row->scenario, 0);
        assert_int_equal(row->status, RESULTS_DONE);
        assert_true(row->seed == rng_derive(4242, (uint64_t)r));
        int scen;
        uint32_t rep;
        uint64_t seed;
        study_trial(&st, (uint64_t)r, &scen, &rep, &seed);
        assert_true(row->seed == seed);
        /* the same as running that replication directly */
        model_result m;
        assert_int_equal(model_run(mp, (uint32_t)r, seed, NULL, NULL, &m), 0);
        assert_int_equal(row->referrals, m.referrals);
        assert_int_equal(row->exits, m.exits);
        assert_int_equal(row->events, m.events);
        assert_int_equal(row->waiting_at_end, m.waiting_at_end);
        assert_int_equal(row->active_at_end, m.active_at_end);
        assert_int_equal(row->exits_measured, m.exits_measured);
        TS_ASSERT_SAME_DOUBLE(row->utilisation, m.utilisation);
        TS_ASSERT_SAME_DOUBLE(row->wait_days_assigned, stat_obs_mean(&m.wait_days));
        /* and as the runner reported */
        assert_int_equal(row->referrals, totals.rows[r].referrals);
        referrals += row->referrals;

        /* this replication's series */
        double buf[18 * 3];
        hid_t d = H5Dopen2(f, "/series/referrals", H5P_DEFAULT);
        hid_t fsp = H5Dget_space(d);
        hsize_t start[2] = {(hsize_t)r, 0}, cnt[2] = {1, (hsize_t)months};
        H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, cnt, NULL);
        hid_t msp = H5Screate_simple(2, cnt, NULL);
        assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, msp, fsp, H5P_DEFAULT, buf) >= 0);
        H5Sclose(msp);
        H5Sclose(fsp);
        H5Dclose(d);
        assert_memory_equal(buf, m.series.referrals, (size_t)months * sizeof(double));
        model_result_free(&m);
    }
    free(rows);

    /* /exits_by_destination and /series shapes */
    assert_int_equal(dims_of(f, "/exits_by_destination", dims), 2);
    assert_int_equal(dims[0], reps);
    assert_int_equal(dims[1], dests);
    const char *series2[] = {"/series/referrals", "/series/waiting", "/series/active", "/series/meetings",
                             "/series/utilisation"};
    for (size_t i = 0; i < sizeof series2 / sizeof series2[0]; i++) {
        assert_int_equal(dims_of(f, series2[i], dims), 2);
        assert_int_equal(dims[0], reps);
        assert_int_equal(dims[1], months);
    }
    assert_int_equal(dims_of(f, "/series/exits", dims), 3);
    assert_int_equal(dims[0], reps);
    assert_int_equal(dims[1], months);
    assert_int_equal(dims[2], dests);

    /* /participants: one row per participant of every replication */
    assert_int_equal(dims_of(f, "/participants", dims), 1);
    assert_int_equal(dims[0], totals.participants);
    assert_int_equal(totals.participants, referrals);
    hid_t pd = H5Dopen2(f, "/participants", H5P_DEFAULT);
    hsize_t rows_attr = 0;
    attr_value(pd, "rows", H5T_NATIVE_HSIZE, &rows_attr);
    H5Dclose(pd);
    assert_int_equal(rows_attr, totals.participants);
    hid_t part_t = h5out_participant_type();
    model_participant *parts = read_all(f, "/participants", part_t, sizeof(model_participant), &n);
    H5Tclose(part_t);
    /* in replication order, each replication's ids 0..k-1 once each */
    unsigned char *seen_id = calloc(n + 1, 1);
    uint32_t rep = 0;
    uint64_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].replication != rep) {
            assert_int_equal(parts[i].replication, rep + 1);
            assert_int_equal(seen, totals.rows[rep].referrals);
            rep++;
            seen = 0;
            memset(seen_id, 0, n + 1);
        }
        seen++;
        assert_true(parts[i].id < totals.rows[rep].referrals);
        assert_int_equal(seen_id[parts[i].id], 0);
        seen_id[parts[i].id] = 1;
        assert_int_equal(parts[i].scenario, 0);
        assert_true(parts[i].worker >= -1 && parts[i].worker < mp->workers);
    }
    assert_int_equal(rep, reps - 1);
    assert_int_equal(seen, totals.rows[rep].referrals);
    free(seen_id);
    free(parts);

    H5Fclose(f);
    runner_totals_free(&totals);
    study_free(&st);
}

/* ---- atomic creation --------------------------------------------------- */

static void test_partial_until_finish(void **state)
{
    fixture *fx = *state;
    char final[PATH_MAX], partial[PATH_MAX];
    snprintf(final, sizeof final, "%s/atomic.h5", fx->dir);
    snprintf(partial, sizeof partial, "%s.partial-%ld", final, (long)getpid());
    study st;
    load_study(&st, fx->cfg, NULL, 0);
    uint64_t total = study_trial_count(&st);
    h5out_meta meta = {"test", "rev", &st, 0, total, 0, 1};
    char err[1024];

    h5out *out = h5out_create(final, &meta, err, sizeof err);
    if (!out)
        fail_msg("%s", err);
    assert_false(ts_exists(final));
    assert_true(ts_exists(partial));
    runner_options opt = {.threads = 1, .progress = 0};
    runner_totals totals;
    assert_int_equal(runner_run(&st, 0, total, &opt, out, &totals, err, sizeof err), 0);
    runner_totals_free(&totals);
    /* everything written, still not under the final name */
    assert_false(ts_exists(final));
    assert_true(ts_exists(partial));
    assert_int_equal(h5out_finish(out, err, sizeof err), 0);
    assert_true(ts_exists(final));
    assert_false(ts_exists(partial));

    /* abort: the temporary file goes, an existing final file stays as it was */
    size_t before_len, after_len;
    char *before = ts_read_file(final, &before_len);
    assert_non_null(before);
    out = h5out_create(final, &meta, err, sizeof err);
    if (!out)
        fail_msg("%s", err);
    assert_true(ts_exists(partial));
    assert_int_equal(runner_run(&st, 0, total, &opt, out, &totals, err, sizeof err), 0);
    runner_totals_free(&totals);
    h5out_abort(out);
    assert_false(ts_exists(partial));
    char *after = ts_read_file(final, &after_len);
    assert_non_null(after);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);

    /* the same for a final file that is not HDF5 at all */
    const char precious[] = "results someone wants to keep\n";
    ts_write_file(final, precious, sizeof precious - 1);
    out = h5out_create(final, &meta, err, sizeof err);
    if (!out)
        fail_msg("%s", err);
    h5out_abort(out);
    after = ts_read_file(final, &after_len);
    assert_string_equal(after, precious);
    free(after);
    assert_false(ts_exists(partial));

    /* the final rename fails (the target is a directory): h5out_finish
     * says so, removes its temporary file and leaves the target alone */
    char dir_target[PATH_MAX];
    snprintf(dir_target, sizeof dir_target, "%s/a-directory", fx->dir);
    assert_int_equal(mkdir(dir_target, 0700), 0);
    char dir_partial[PATH_MAX];
    snprintf(dir_partial, sizeof dir_partial, "%s.partial-%ld", dir_target, (long)getpid());
    out = h5out_create(dir_target, &meta, err, sizeof err);
    if (!out)
        fail_msg("%s", err);
    assert_true(ts_exists(dir_partial));
    err[0] = '\0';
    assert_int_equal(h5out_finish(out, err, sizeof err), -1);
    TS_ASSERT_CONTAINS(err, dir_target);
    assert_false(ts_exists(dir_partial));
    assert_int_equal(ts_dir_entries(dir_target), 0);

    /* a directory that does not exist: a message naming the target, and
     * nothing created anywhere */
    char bad[PATH_MAX];
    snprintf(bad, sizeof bad, "%s/no-such-dir/out.h5", fx->dir);
    int entries = ts_dir_entries(fx->dir);
    err[0] = '\0';
    assert_null(h5out_create(bad, &meta, err, sizeof err));
    TS_ASSERT_CONTAINS(err, bad);
    assert_int_equal(ts_dir_entries(fx->dir), entries);
    study_free(&st);
}

/* ---- reproducibility --------------------------------------------------- */

/* Every dataset of a and b has the same type, shape and bytes; in the
 * trial rows the wall-clock time is left out. Returns 1 when all agree. */
static int same_datasets(const char *a, const char *b, int report)
{
    static const char *const sets[] = {
        "/destinations", "/scenarios", "/exits_by_destination", "/series/referrals", "/series/waiting",
        "/series/active", "/series/meetings", "/series/utilisation", "/series/exits", "/participants",
        "/summary", "/paired_differences", "/parameter_names", "/scenario_parameters",
    };
    hid_t fa = open_file(a), fb = open_file(b);
    int same = 1;
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        size_t na, nb;
        hid_t ta, tb;
        unsigned char *x = read_raw(fa, sets[i], &na, &ta);
        unsigned char *y = read_raw(fb, sets[i], &nb, &tb);
        hsize_t da[3] = {0}, db[3] = {0};
        int ra = dims_of(fa, sets[i], da), rb = dims_of(fb, sets[i], db);
        int ok = H5Tequal(ta, tb) > 0 && ra == rb && memcmp(da, db, sizeof da) == 0 && na == nb &&
                 memcmp(x, y, na) == 0;
        if (!ok && report)
            print_message("  %s differs\n", sets[i]);
        same &= ok;
        H5Tclose(ta);
        H5Tclose(tb);
        free(x);
        free(y);
    }
    hid_t row_t = h5out_row_type();
    size_t na, nb;
    results_row *ra = read_all(fa, "/replications", row_t, sizeof(results_row), &na);
    results_row *rb = read_all(fb, "/replications", row_t, sizeof(results_row), &nb);
    H5Tclose(row_t);
    int rows_same = na == nb;
    for (size_t i = 0; rows_same && i < na; i++) {
        ra[i].wall_seconds = rb[i].wall_seconds = 0;
        rows_same = memcmp(&ra[i], &rb[i], sizeof ra[i]) == 0;
    }
    if (!rows_same && report)
        print_message("  /replications differs\n");
    same &= rows_same;
    free(ra);
    free(rb);
    uint64_t sa, sb, da, db;
    attr_value(fa, "master_seed", H5T_NATIVE_UINT64, &sa);
    attr_value(fb, "master_seed", H5T_NATIVE_UINT64, &sb);
    attr_value(fa, "study_digest", H5T_NATIVE_UINT64, &da);
    attr_value(fb, "study_digest", H5T_NATIVE_UINT64, &db);
    same &= sa == sb && da == db;
    H5Fclose(fa);
    H5Fclose(fb);
    return same;
}

static void test_same_seed_same_contents(void **state)
{
    fixture *fx = *state;
    char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], d[PATH_MAX];
    snprintf(a, sizeof a, "%s/a.h5", fx->dir);
    snprintf(b, sizeof b, "%s/b.h5", fx->dir);
    snprintf(c, sizeof c, "%s/c.h5", fx->dir);
    snprintf(d, sizeof d, "%s/d.h5", fx->dir);
    /* enough participants for several of the writer's 16384-row chunks */
    const char *ov[] = {"referrals.rate_per_month=500", "staff.workers=30", "run.replications=5"};
    study st;
    load_study(&st, fx->cfg, ov, 3);
    runner_totals t1, t2;
    run_to_file(&st, 1, a, &t1);
    run_to_file(&st, 1, b, &t2);
    print_message("  %llu participant records per file\n", (unsigned long long)t1.participants);
    assert_true(t1.participants > 2 * 16384); /* three chunks at least */
    assert_int_equal(t1.participants, t2.participants);
    runner_totals_free(&t1);
    runner_totals_free(&t2);
    assert_true(same_datasets(a, b, 1));

    /* two threads: replications finish in any order, the file is the same */
    run_to_file(&st, 2, c, NULL);
    assert_true(same_datasets(a, c, 1));
    study_free(&st);

    /* another seed: different contents (so the comparison can fail) */
    const char *ov2[] = {"referrals.rate_per_month=500", "staff.workers=30", "run.replications=5", "run.seed=4243"};
    load_study(&st, fx->cfg, ov2, 4);
    run_to_file(&st, 2, d, NULL);
    assert_false(same_datasets(a, d, 0));
    study_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_until_finish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_seed_same_contents, setup, teardown),
    };
    return cmocka_run_group_tests_name("h5", tests, NULL, NULL);
}
