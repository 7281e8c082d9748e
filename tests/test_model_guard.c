/*
 * test_model_guard.c — the model's memory guard: the most participants
 * present at once (run.max_participants_present, model_present_limit).
 *
 * A source whose every exit brings ten new referrals grows without bound
 * (issue 13); the guard must stop such a trial with a reason instead of
 * letting it take the machine's memory, and must leave every other run
 * alone. Checked here:
 *  - the explosive scenario fails with MODEL_RUN_TOO_MANY_PRESENT and a
 *    reason naming the limit and the key, long before the horizon, while
 *    the same run without the limit goes on to many times the limit (so
 *    the guard, not the scenario, stopped it);
 *  - the limit is exact: the guarded run passes with the limit set to the
 *    peak number present of the unguarded run (recomputed from the
 *    participant records) and gives the very same records, and fails with
 *    one less;
 *  - the derived default (0) is 1 000 000 plus the expected scheduled
 *    referrals (core rate, Poisson schedules, quotas), and shipped scenarios
 *    give the same results under it as with no practical limit;
 *  - end to end (CASEFLOW_BIN): `caseflow run` of the explosive scenario
 *    exits 6 with the reason on stderr and in /failures for every trial.
 * Deterministic: fixed seeds, exact comparisons.
 */
#include "test_support.h"

#include <hdf5.h>
#include <sys/wait.h>

#include "engine/eng_rng.h"
#include "scenario/config.h"
#include "model/model_casework.h"

#define DPM MODEL_DAYS_PER_MONTH

/* ---- helpers ----------------------------------------------------------- */

/* The core of configs/default.cfg, fed by one source whose every exit
 * brings `replacement` referrals: the caseload caps hold exits at about 40
 * a month, so with replacement 10 the waiting list grows by some 360 a
 * month and never stops. */
static model_params feedback_params(int replacement, int horizon_months)
{
    model_params p;
    memset(&p, 0, sizeof p);
    p.workers = 12;
    p.caseload_cap = 20;
    p.meeting_hours_per_day = 3.0;
    assert_null(dist_make(&p.meeting_hours, DIST_GAMMA, 1.5, 0.5));
    assert_null(dist_make(&p.own_time_days, DIST_EXPONENTIAL, 14.0, 0));
    p.exit_probability = 0.08;
    p.destinations = 2;
    snprintf(p.destination_names[0], MODEL_NAME_LEN, "work");
    snprintf(p.destination_names[1], MODEL_NAME_LEN, "dropout");
    p.destination_shares[0] = 0.5;
    p.destination_shares[1] = 0.5;
    p.sources = 1;
    snprintf(p.source[0].name, MODEL_NAME_LEN, "kommun");
    p.source[0].kind = SOURCE_POISSON;
    p.source[0].rate.count = 1;
    p.source[0].rate.value[0] = 40.0;
    p.source[0].replacement = replacement;
    p.horizon_months = horizon_months;
    p.warmup_months = 0;
    assert_null(model_params_check(&p));
    return p;
}

static int run(const model_params *p, records *recs, model_result *out)
{
    if (recs)
        recs->n = 0;
    return model_run(p, 0, rng_derive(20261124u, 0), recs ? collect : NULL, recs, out);
}

typedef struct change {
    double time;
    int delta;
} change;

/* Exits before referrals at equal times: a replacement referral is made at
 * the instant of the exit that causes it, after the exit. */
static int by_time(const void *a, const void *b)
{
    const change *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->delta - y->delta;
}

/* The most participants present at once, from the records of a run in
 * which everyone referred stays until they exit (no screening, no
 * reneging): present from referral until exit, or to the horizon. */
static uint64_t peak_present(const records *recs)
{
    change *c = malloc(2 * recs->n * sizeof *c);
    assert_non_null(c);
    size_t n = 0;
    for (size_t i = 0; i < recs->n; i++) {
        const model_participant *r = &recs->items[i];
        assert_true(r->fate == FATE_EXITED || r->fate == FATE_PRESENT);
        c[n++] = (change){r->referral_time, +1};
        if (r->fate == FATE_EXITED)
            c[n++] = (change){r->exit_time, -1};
    }
    qsort(c, n, sizeof *c, by_time);
    int64_t level = 0, peak = 0;
    for (size_t i = 0; i < n; i++) {
        level += c[i].delta;
        if (level > peak)
            peak = level;
    }
    free(c);
    return (uint64_t)peak;
}

static void assert_same_records(const records *a, const records *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (memcmp(&a->items[i], &b->items[i], sizeof a->items[i]) != 0)
            fail_msg("participant record %zu differs", i);
}

static void assert_same_results(const model_result *a, const model_result *b)
{
    assert_int_equal(a->events, b->events);
    assert_int_equal(a->referrals, b->referrals);
    assert_int_equal(a->exits, b->exits);
    assert_int_equal(a->waiting_at_end, b->waiting_at_end);
    TS_ASSERT_SAME_DOUBLE(a->mean_waiting, b->mean_waiting);
    TS_ASSERT_SAME_DOUBLE(a->utilisation, b->utilisation);
    TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&a->wait_days), stat_obs_mean(&b->wait_days));
    assert_int_equal(a->series.count, b->series.count);
    for (int i = 0; i < a->series.count; i++) {
        size_t n = (size_t)a->series.months * (size_t)a->series.item[i].width;
        for (size_t k = 0; k < n; k++)
            TS_ASSERT_SAME_DOUBLE(a->series.item[i].values[k], b->series.item[i].values[k]);
    }
}

/* ---- the guard stops explosive growth ----------------------------------- */

static void test_explosive_trial_fails_with_reason(void **state)
{
    (void)state;
    model_params p = feedback_params(10, 120);
    p.max_participants_present = 3000;
    assert_int_equal(model_present_limit(&p), 3000);
    records recs = {0};
    model_result r;
    assert_int_equal(run(&p, &recs, &r), MODEL_RUN_TOO_MANY_PRESENT);
    print_message("  guard: %s\n", r.failure);
    TS_ASSERT_CONTAINS(r.failure, "more than 3000 participants present at once");
    TS_ASSERT_CONTAINS(r.failure, "run.max_participants_present");
    /* Stopped early: at about 360 more a month, 3000 are reached within
     * the first year and a half of the ten. */
    int month = 0;
    const char *at = strstr(r.failure, "(month ");
    assert_non_null(at);
    assert_int_equal(sscanf(at, "(month %d)", &month), 1);
    assert_true(month >= 1 && month <= 18);
    /* Nobody still present was handed to the sink: a failed run's records
     * are only those final before it stopped, fewer than the limit allows
     * to be referred at all with this little exiting. */
    assert_true(recs.n < 3000);
    model_result_free(&r);

    /* Without a practical limit the same run goes on to many times that:
     * the guard, not the scenario, stopped it. */
    p.max_participants_present = 2000000000;
    assert_int_equal(run(&p, NULL, &r), MODEL_RUN_OK);
    print_message("  unguarded: %llu waiting at month 120\n", (unsigned long long)r.waiting_at_end);
    assert_true(r.waiting_at_end > 10 * 3000);
    model_result_free(&r);
    records_free(&recs);
}

/* The limit counts exactly the participants present: the peak of the
 * unguarded run passes, one less fails. */
static void test_limit_is_exact(void **state)
{
    (void)state;
    model_params p = feedback_params(10, 24);
    records free_run = {0}, at_peak = {0};
    model_result r0, r1;
    assert_int_equal(run(&p, &free_run, &r0), MODEL_RUN_OK);
    uint64_t peak = peak_present(&free_run);
    print_message("  peak present without a limit: %llu (limit derived: %llu)\n", (unsigned long long)peak,
                  (unsigned long long)model_present_limit(&p));
    assert_true(peak > 1000);
    assert_true(peak < model_present_limit(&p));

    p.max_participants_present = (int)peak;
    assert_int_equal(run(&p, &at_peak, &r1), MODEL_RUN_OK);
    assert_same_records(&free_run, &at_peak);
    assert_same_results(&r0, &r1);
    assert_string_equal(r1.failure, "");
    model_result_free(&r1);

    p.max_participants_present = (int)peak - 1;
    assert_int_equal(run(&p, NULL, &r1), MODEL_RUN_TOO_MANY_PRESENT);
    model_result_free(&r1);
    model_result_free(&r0);
    records_free(&free_run);
    records_free(&at_peak);
}

/* ---- the default leaves normal scenarios alone -------------------------- */

static void test_default_limit_is_derived(void **state)
{
    (void)state;
    /* The core: rate x months. */
    model_params p = feedback_params(0, 60);
    p.sources = 0;
    p.referral_rate_per_month = 40.0;
    assert_int_equal(model_present_limit(&p), 1000000 + 40 * 60);
    /* A Poisson schedule (100 a month for six months, then 20) and a
     * quota of 7.5 a month from month 12 (before its first step the first
     * value holds): 100 x 6 + 20 x 18 + 0 x 12 + 7.5 x 12. */
    p = feedback_params(0, 24);
    p.sources = 2;
    p.source[0].rate = (model_schedule){2, {0.0, 6.0}, {100.0, 20.0}};
    p.source[1] = p.source[0];
    snprintf(p.source[1].name, MODEL_NAME_LEN, "quota");
    p.source[1].kind = SOURCE_QUOTA;
    p.source[1].rate = (model_schedule){2, {6.0, 12.0}, {0.0, 7.5}};
    assert_null(model_params_check(&p));
    assert_int_equal(model_present_limit(&p), 1000000 + 600 + 360 + 90);
    /* A limit set is the limit. */
    p.max_participants_present = 17;
    assert_int_equal(model_present_limit(&p), 17);
    p.max_participants_present = -1;
    assert_non_null(model_params_check(&p));
}

/* Shipped scenarios, loaded as a user would: every replication gives the
 * same records and results under the default limit as with no practical
 * limit at all. */
static void check_unaffected(const char *cfg, int replications)
{
    char path[PATH_MAX];
    ts_source_path(cfg, path);
    config_scenario sc;
    config_error err;
    if (config_load(&sc, path, NULL, 0, &err) != 0)
        fail_msg("%s: %s", cfg, err.message);
    assert_int_equal(sc.model.max_participants_present, 0);
    model_params unlimited = sc.model;
    unlimited.max_participants_present = 2000000000;
    records a = {0}, b = {0};
    for (int rep = 0; rep < replications && rep < sc.replications; rep++) {
        model_result ra, rb;
        uint64_t seed = rng_derive(sc.seed, (uint64_t)rep);
        a.n = b.n = 0;
        assert_int_equal(model_run(&sc.model, (uint32_t)rep, seed, collect, &a, &ra), MODEL_RUN_OK);
        assert_int_equal(model_run(&unlimited, (uint32_t)rep, seed, collect, &b, &rb), MODEL_RUN_OK);
        assert_same_records(&a, &b);
        assert_same_results(&ra, &rb);
        model_result_free(&ra);
        model_result_free(&rb);
    }
    print_message("  %s: default limit %llu, unchanged\n", cfg, (unsigned long long)model_present_limit(&sc.model));
    records_free(&a);
    records_free(&b);
    config_scenario_free(&sc);
}

static void test_normal_scenarios_unaffected(void **state)
{
    (void)state;
    check_unaffected("configs/default.cfg", 4);
    check_unaffected("configs/programme_all.cfg", 4);
    check_unaffected("configs/seed_malmokraften.cfg", 2); /* replacement = 5, one in five accepted */
}

/* ---- end to end ----------------------------------------------------------- */

/* Runs CASEFLOW_BIN with argv, stderr to err_path; returns the exit status. */
static int run_binary(char *const argv[], const char *err_path)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *e = freopen(err_path, "w", stderr);
        FILE *o = freopen("/dev/null", "w", stdout);
        if (!e || !o)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* The rows of /failures: how many, and whether every reason has `needle`. */
static size_t failures_with(const char *path, const char *needle, size_t *matching)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t set = H5Dopen2(f, "/failures", H5P_DEFAULT);
    assert_true(set >= 0);
    hid_t space = H5Dget_space(set);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    typedef struct row {
        uint64_t trial;
        char reason[256];
    } row;
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 256);
    H5Tset_cset(str, H5T_CSET_UTF8); /* text is stored as UTF-8; HDF5 converts no character sets */
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(mem, "trial", HOFFSET(row, trial), H5T_NATIVE_UINT64);
    H5Tinsert(mem, "reason", HOFFSET(row, reason), str);
    row *rows = calloc(n > 0 ? (size_t)n : 1, sizeof *rows);
    assert_non_null(rows);
    assert_true(H5Dread(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    *matching = 0;
    for (hssize_t i = 0; i < n; i++)
        *matching += strstr(rows[i].reason, needle) != NULL;
    free(rows);
    H5Tclose(mem);
    H5Tclose(str);
    H5Sclose(space);
    H5Dclose(set);
    H5Fclose(f);
    return (size_t)n;
}

static const char explosive_cfg[] =
    "run: { replications = 3; seed = 5L; horizon_months = 120; };\n"
    "sources = ( { name = \"kommun\"; rate_per_month = 40.0; replacement = 10; } );\n"
    "staff: { workers = 12; caseload_cap = 20; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 14.0; }; };\n"
    "exits: { probability_per_meeting = 0.08; shares = { work = 0.5; dropout = 0.5; }; };\n";

static void test_cli_reports_failed_trials(void **state)
{
    (void)state;
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    char dir[PATH_MAX], cfg[PATH_MAX + 16], out[PATH_MAX + 16], err[PATH_MAX + 16];
    ts_make_temp_dir(dir);
    snprintf(cfg, sizeof cfg, "%s/explosive.cfg", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    ts_write_file(cfg, explosive_cfg, strlen(explosive_cfg));
    char *argv[] = {(char *)bin, "run", cfg, "-o", out, "--threads", "2", "-s", "run.max_participants_present=3000",
                    NULL};
    assert_int_equal(run_binary(argv, err), 6);
    char *text = ts_read_file(err, NULL);
    assert_non_null(text);
    print_message("  stderr: %s", text ? text : "");
    TS_ASSERT_CONTAINS(text, "3 of 3 trials failed");
    TS_ASSERT_CONTAINS(text, "more than 3000 participants present at once");
    TS_ASSERT_CONTAINS(text, "run.max_participants_present");
    free(text);
    size_t matching;
    assert_int_equal(failures_with(out, "more than 3000 participants present at once", &matching), 3);
    assert_int_equal(matching, 3);
    ts_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explosive_trial_fails_with_reason),
        cmocka_unit_test(test_limit_is_exact),
        cmocka_unit_test(test_default_limit_is_derived),
        cmocka_unit_test(test_normal_scenarios_unaffected),
        cmocka_unit_test(test_cli_reports_failed_trials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
