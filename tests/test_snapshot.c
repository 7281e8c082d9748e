/*
 * test_snapshot.c — starting from a programme's state (issue 14, item 3):
 * model/model_snapshot.c, scenario/snapshot_csv.c, scenario/config_snapshot.c
 * and `caseflow run --snapshot / --save-state`.
 *
 * Owns:
 *  (a) an empty snapshot (a header and nothing else) gives results
 *      bit-identical to no snapshot: every summary figure, series value and
 *      participant record;
 *  (b) no transient from a saved steady state: each replication of a
 *      stable core (one worker, cap 4, load 75 %) saves its state at month
 *      60, and a 24-month run starts from it; the mean wait of those
 *      referred in the first 3 months equals that of months 12-24 within
 *      the 99 % interval of the paired difference over 2 000 replications,
 *      and so do the waiting list and caseload at the first month's end.
 *      The same statistic from an empty start lies far outside (the test
 *      can tell a transient from none);
 *  (c) the snapshot's people are conserved: each appears once in the
 *      records (negative referral time), and exits, gives up waiting or is
 *      still there at the horizon; the CSV written by --save-state reads
 *      back to the same rows;
 *  (d) bad rows stop with file:line:column (header): what, and the
 *      binary exits 2; a missing file names the scenario's key;
 *  (e) the CSV's text is stored in the scenario's text, so a reload of
 *      the stored text (resume, merge, a study's scenarios) has the same
 *      rows without the file;
 *  (f) the planner's study (configs/study_planner.cfg from
 *      configs/snapshot_today.csv) prints P(met) of its median-wait target
 *      with the Wilson interval for each of its 4 scenarios.
 *
 * Timing: about 1 s.
 */
#include "test_support.h"
#include "test_spawn.h"

#include <sys/wait.h>

#include "model/snapshot_params.h"
#include "scenario/config.h"
#include "scenario/snapshot_csv.h"

static const char core_cfg[] =
    "run: { replications = 10; seed = 1414L; horizon_months = 60; warmup_months = 0; };\n"
    "referrals: { rate_per_month = 3.0; };\n"
    "staff: { workers = 1; caseload_cap = 4; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.25; shares = { work = 0.2; studies = 0.3; other = 0.5; }; };\n";

typedef struct fixture {
    char dir[PATH_MAX];
    char cfg[PATH_MAX];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    ts_make_temp_dir(fx->dir);
    snprintf(fx->cfg, sizeof fx->cfg, "%s/core.cfg", fx->dir);
    ts_write_file(fx->cfg, core_cfg, strlen(core_cfg));
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

/* Writes csv as name in the fixture's folder; path gets its full path. */
static void write_csv(fixture *fx, const char *name, const char *csv, char *path)
{
    snprintf(path, PATH_MAX, "%s/%s", fx->dir, name);
    ts_write_file(path, csv, strlen(csv));
}

static void load(config_scenario *sc, const char *cfg, const char *snapshot_path)
{
    char ov[PATH_MAX + 32];
    snprintf(ov, sizeof ov, "run.snapshot=%s", snapshot_path ? snapshot_path : "");
    const char *ovs[] = {ov};
    config_error err;
    if (config_load(sc, cfg, ovs, snapshot_path ? 1 : 0, &err) != 0)
        fail_msg("config_load: %s", err.message);
}

/* ---- (a) ------------------------------------------------------------------ */

static void test_empty_snapshot_is_identical(void **state)
{
    fixture *fx = *state;
    char csv[PATH_MAX];
    write_csv(fx, "empty.csv", "kind,worker,days,waited_days,phase,progress,profile\n", csv);
    config_scenario plain, empty;
    load(&plain, fx->cfg, NULL);
    load(&empty, fx->cfg, csv);
    assert_non_null(empty.model.snapshot);
    assert_int_equal(empty.model.snapshot->count, 0);
    for (uint32_t r = 0; r < 3; r++) {
        records a = {0}, b = {0};
        model_result ra, rb;
        assert_int_equal(model_run(&plain.model, r, 77 + r, collect, &a, &ra), 0);
        assert_int_equal(model_run(&empty.model, r, 77 + r, collect, &b, &rb), 0);
        assert_true(ra.events > 1000);
        assert_int_equal(ra.events, rb.events);
        assert_int_equal(ra.referrals, rb.referrals);
        assert_int_equal(ra.exits, rb.exits);
        assert_memory_equal(&ra.mean_waiting, &rb.mean_waiting, sizeof(double));
        assert_memory_equal(&ra.mean_active, &rb.mean_active, sizeof(double));
        assert_memory_equal(&ra.utilisation, &rb.utilisation, sizeof(double));
        for (int i = 0; i < ra.series.count; i++)
            assert_memory_equal(ra.series.item[i].values, rb.series.item[i].values,
                                (size_t)ra.series.months * (size_t)ra.series.item[i].width * sizeof(double));
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.items, b.items, a.n * sizeof *a.items);
        records_free(&a);
        records_free(&b);
        model_result_free(&ra);
        model_result_free(&rb);
    }
    config_scenario_free(&plain);
    config_scenario_free(&empty);
}

/* ---- (b) ------------------------------------------------------------------ */

/* Mean wait of those referred in [from, to) months (a wait still open at the
 * horizon counts up to it: a lower bound, rare at this load). */
static double mean_wait(const records *r, double horizon, double from, double to)
{
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < r->n; i++) {
        const model_participant *p = &r->items[i];
        double month = p->referral_time / MODEL_DAYS_PER_MONTH;
        if (p->fate == FATE_REJECTED || month < from || month >= to)
            continue;
        sum += (isnan(p->assignment_time) ? horizon : p->assignment_time) - p->referral_time;
        n++;
    }
    return n ? sum / n : 0;
}

typedef struct transient {
    stat_obs wait, waiting, active;   /* early minus late, paired per replication */
} transient;

/* Runs reps replications of `from` (a scenario with a 24-month horizon);
 * with states, replication r starts from states[r]. */
static void measure_transient(const model_params *from, const model_snapshot *states, int reps, transient *t)
{
    stat_obs_init(&t->wait);
    stat_obs_init(&t->waiting);
    stat_obs_init(&t->active);
    model_params p = *from;
    for (int r = 0; r < reps; r++) {
        p.snapshot = states ? &states[r] : NULL;
        records rec = {0};
        model_result res;
        assert_int_equal(model_run(&p, (uint32_t)r, 9000 + (uint64_t)r, collect, &rec, &res), 0);
        double horizon = p.horizon_months * MODEL_DAYS_PER_MONTH;
        stat_obs_add(&t->wait, mean_wait(&rec, horizon, 0, 3) - mean_wait(&rec, horizon, 12, 24));
        double late_waiting = 0, late_active = 0;
        for (int m = 12; m < 24; m++) {
            late_waiting += res.series.waiting[m] / 12;
            late_active += res.series.active[m] / 12;
        }
        stat_obs_add(&t->waiting, res.series.waiting[0] - late_waiting);
        stat_obs_add(&t->active, res.series.active[0] - late_active);
        records_free(&rec);
        model_result_free(&res);
    }
}

static double half99(const stat_obs *o)
{
    return ts_t(0.99, (double)o->n - 1) * sqrt(stat_obs_variance(o) / (double)o->n);
}

static void test_saved_steady_state_has_no_transient(void **state)
{
    fixture *fx = *state;
    enum { REPS = 2000 };
    config_scenario sc;
    load(&sc, fx->cfg, NULL);
    model_snapshot *states = calloc(REPS, sizeof *states);
    assert_non_null(states);
    model_params longrun = sc.model;
    for (int r = 0; r < REPS; r++) {
        longrun.save_state = &states[r];
        longrun.save_state_replication = r;
        model_result res;
        assert_int_equal(model_run(&longrun, (uint32_t)r, 100 + (uint64_t)r, NULL, NULL, &res), 0);
        model_result_free(&res);
    }
    model_params shortrun = sc.model;
    shortrun.horizon_months = 24;
    transient from_state, from_empty;
    measure_transient(&shortrun, states, REPS, &from_state);
    measure_transient(&shortrun, NULL, REPS, &from_empty);
    const char *names[] = {"mean wait, months 0-3 minus 12-24 (days)", "waiting list, month 1 minus 13-24",
                           "caseload, month 1 minus 13-24"};
    stat_obs *fs[] = {&from_state.wait, &from_state.waiting, &from_state.active};
    stat_obs *fe[] = {&from_empty.wait, &from_empty.waiting, &from_empty.active};
    for (int k = 0; k < 3; k++) {
        print_message("  %s: from saved state %+.3f +- %.3f; from empty %+.3f +- %.3f (99 %%)\n", names[k],
                      stat_obs_mean(fs[k]), half99(fs[k]), stat_obs_mean(fe[k]), half99(fe[k]));
        assert_true(fabs(stat_obs_mean(fs[k])) <= half99(fs[k]));
        assert_true(fabs(stat_obs_mean(fe[k])) > 3 * half99(fe[k]));
    }
    for (int r = 0; r < REPS; r++)
        model_snapshot_free(&states[r]);
    free(states);
    config_scenario_free(&sc);
}

/* ---- (c) ------------------------------------------------------------------ */

static void test_people_are_conserved(void **state)
{
    fixture *fx = *state;
    char csv[PATH_MAX];
    /* 3 workers (cap 4): 8 in caseloads, 5 waiting (one of them since 0 days). */
    write_csv(fx, "today.csv",
              "kind,worker,days,waited_days,phase,progress,profile,next_meeting_days\n"
              "post,0,400,,,,,\n"
              "post,2,20,,,,,\n"
              "participant,0,10,3,casework,0,,\n"
              "participant,0,45,,,,,0\n"
              "participant,1,5,,,,,2.5\n"
              "participant,1,90,12,,,,\n"
              "participant,2,1,,0,,,\n"
              "participant,2,2,,,,,\n"
              "participant,2,200,,,,,\n"
              "participant,2,3,,,,,\n"
              "waiting,,30,,,,,\n"
              "waiting,,2,,,,,\n"
              "waiting,,90,,,,,\n"
              "waiting,,0,,,,,\n"
              "waiting,,14,,,,,\n",
              csv);
    char ov1[PATH_MAX + 32];
    snprintf(ov1, sizeof ov1, "run.snapshot=%s", csv);
    const char *ovs[] = {ov1, "staff.workers=3", "run.horizon_months=6"};
    config_scenario sc;
    config_error err;
    if (config_load(&sc, fx->cfg, ovs, 3, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(sc.model.snapshot->count, 15);
    for (uint32_t r = 0; r < 20; r++) {
        records rec = {0};
        model_result res;
        assert_int_equal(model_run(&sc.model, r, 5 + r, collect, &rec, &res), 0);
        int from_snapshot = 0, exited = 0, still = 0;
        for (size_t i = 0; i < rec.n; i++) {
            const model_participant *p = &rec.items[i];
            if (!p->from_snapshot) {
                assert_true(p->referral_time >= 0);
                continue;
            }
            assert_true(p->referral_time <= 0);
            from_snapshot++;
            if (p->fate == FATE_EXITED) {
                exited++;
                assert_true(isfinite(p->exit_time) && p->exit_time >= 0);
            } else {
                assert_int_equal(p->fate, FATE_PRESENT);
                still++;
            }
        }
        assert_int_equal(from_snapshot, 13); /* everyone once: none lost, none twice */
        assert_int_equal(exited + still, 13);
        /* 3 workers at cap 4 have 12 places and 8 are taken: the 4 who
         * waited longest get the free places at the start, the one who
         * joined the list today waits for the next exit. */
        int placed_at_start = 0;
        for (size_t i = 0; i < rec.n; i++) {
            const model_participant *p = &rec.items[i];
            if (!p->from_snapshot || p->assignment_time < 0)
                continue; /* those in a caseload at the start were assigned before it (all > 0 days here) */
            if (p->referral_time < 0) {
                assert_true(p->assignment_time == 0);
                placed_at_start++;
            } else {
                assert_true(isnan(p->assignment_time) || p->assignment_time > 0);
            }
        }
        assert_int_equal(placed_at_start, 4);
        records_free(&rec);
        model_result_free(&res);
    }
    /* --save-state's CSV reads back to the same rows. */
    model_snapshot saved = {0};
    model_params p = sc.model;
    p.save_state = &saved;
    p.save_state_replication = 0;
    model_result res;
    assert_int_equal(model_run(&p, 0, 5, NULL, NULL, &res), 0);
    model_result_free(&res);
    assert_true(saved.count >= 3); /* the posts at least */
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s/saved.csv", fx->dir);
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    assert_int_equal(snapshot_csv_write(f, &saved, &sc.model), 0);
    fclose(f);
    char *text = ts_read_file(out, NULL);
    model_snapshot back;
    char why[512];
    if (snapshot_csv_parse(out, text, &sc.model, &back, why, sizeof why) != 0)
        fail_msg("%s", why);
    assert_int_equal(back.count, saved.count);
    for (size_t i = 0; i < saved.count; i++) {
        assert_int_equal(back.row[i].kind, saved.row[i].kind);
        assert_int_equal(back.row[i].worker, saved.row[i].worker);
        assert_memory_equal(&back.row[i].days, &saved.row[i].days, sizeof(double));
        assert_int_equal(back.row[i].phase, saved.row[i].phase);
        assert_int_equal(isnan(back.row[i].next_meeting_days), isnan(saved.row[i].next_meeting_days));
    }
    free(text);
    model_snapshot_free(&back);
    model_snapshot_free(&saved);
    config_scenario_free(&sc);
}

/* ---- (c2) sources and sites ------------------------------------------------ */

/* A snapshot row's source is the record's, and someone waiting whose source
 * is tied to a site waits for that site's staff: here the south's two
 * coaches start at month 3, so the south's two waiting people are placed
 * then and by a south coach (workers 2 and 3), while the north's is placed
 * at once. Untied (source 0 for all, as before the column), the north's
 * free places would take them all at time 0. --save-state writes the
 * source back. */
static void test_sources_and_sites(void **state)
{
    fixture *fx = *state;
    static const char cfg[] =
        "run: { replications = 1; seed = 3L; horizon_months = 6; warmup_months = 0; };\n"
        "sites = ( { name = \"north\"; }, { name = \"south\"; } );\n"
        "sources = ( { name = \"n\"; kind = \"poisson\"; rate_per_month = 0.5; site = \"north\"; },\n"
        "            { name = \"s\"; kind = \"poisson\"; rate_per_month = 0.5; site = \"south\"; } );\n"
        "staff: {\n"
        "  roles = ( { name = \"coach\"; caseload_cap = 4; } );\n"
        "  teams = ( { name = \"tn\"; site = \"north\"; members = ( { role = \"coach\"; count = 2; } ); },\n"
        "            { name = \"ts\"; site = \"south\"; members = ( { role = \"coach\"; count = 2; start_month = 3.0; } ); } );\n"
        "};\n"
        "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
        "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
        "exits: { probability_per_meeting = 0.05; shares = { work = 1.0; }; };\n";
    char path[PATH_MAX], csv[PATH_MAX];
    snprintf(path, sizeof path, "%s/sites.cfg", fx->dir);
    ts_write_file(path, cfg, strlen(cfg));
    write_csv(fx, "sites.csv",
              "kind,worker,days,source\n"
              "participant,0,10,s\n"
              "waiting,,5,s\n"
              "waiting,,4,n\n"
              "waiting,,3,1\n",
              csv);
    config_scenario sc;
    load(&sc, path, csv);
    assert_int_equal(sc.model.snapshot->count, 4);
    assert_int_equal(sc.model.snapshot->row[0].source, 1);
    assert_int_equal(sc.model.snapshot->row[2].source, 0);
    assert_int_equal(sc.model.snapshot->row[3].source, 1);
    const double south_opens = 3 * MODEL_DAYS_PER_MONTH;
    for (uint32_t r = 0; r < 10; r++) {
        records rec = {0};
        model_result res;
        assert_int_equal(model_run(&sc.model, r, 40 + r, collect, &rec, &res), 0);
        int seen[2] = {0, 0};
        for (size_t i = 0; i < rec.n; i++) {
            const model_participant *q = &rec.items[i];
            if (!q->from_snapshot)
                continue;
            if (q->assignment_time < 0) { /* the participant row, kept with worker 0 */
                assert_int_equal(q->source, 1);
                continue;
            }
            seen[q->source]++;
            if (q->source == 0) {
                assert_true(q->assignment_time == 0);
            } else {
                assert_true(q->assignment_time >= south_opens);
                assert_true(q->worker == 2 || q->worker == 3);
            }
        }
        assert_int_equal(seen[0], 1);
        assert_int_equal(seen[1], 2);
        /* the south's list counts them among its referred */
        assert_true(res.site_referred[1] >= 2);
        records_free(&rec);
        model_result_free(&res);
    }
    /* --save-state writes the sources back, by name */
    model_snapshot saved = {0};
    model_params p = sc.model;
    p.save_state = &saved;
    p.save_state_replication = 0;
    p.horizon_months = 1; /* the south's people still waiting */
    model_result res;
    assert_int_equal(model_run(&p, 0, 40, NULL, NULL, &res), 0);
    model_result_free(&res);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(snapshot_csv_write(f, &saved, &sc.model), 0);
    fclose(f);
    TS_ASSERT_CONTAINS(text, ",source\n");
    TS_ASSERT_CONTAINS(text, ",s\n");
    model_snapshot back;
    char why[512];
    if (snapshot_csv_parse("saved.csv", text, &sc.model, &back, why, sizeof why) != 0)
        fail_msg("%s", why);
    assert_int_equal(back.count, saved.count);
    int south = 0;
    for (size_t i = 0; i < saved.count; i++) {
        assert_int_equal(back.row[i].source, saved.row[i].source);
        south += saved.row[i].kind == SNAPSHOT_WAITING && saved.row[i].source == 1;
    }
    assert_true(south >= 2);
    free(text);
    model_snapshot_free(&back);
    model_snapshot_free(&saved);
    config_scenario_free(&sc);
}

/* ---- (d) ------------------------------------------------------------------ */

static void test_bad_rows_name_line_and_column(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *csv, *expect;
    } cases[] = {
        {"kind,worker,days\npost,0,10\nparticipant,1,5\n", "bad.csv:3:2 (worker): expected a worker index 0..0"},
        {"kind,worker,days\nwaiting,,-3\n", "bad.csv:2:3 (days): expected a number >= 0, got '-3'"},
        {"kind,worker,days\n\n# note\nwaiting,,x\n", "bad.csv:4:3 (days)"},
        {"kind,worker,days\nvisitor,0,1\n", "bad.csv:2:1 (kind): expected post, participant or waiting"},
        {"kind,wrker,days\n", "bad.csv:1:2: unknown column 'wrker'"},
        {"kind,worker\n", "bad.csv:1: the header must name the columns kind and days"},
        {"kind,worker,days,phase\nparticipant,0,1,mapping\n", "bad.csv:2:4 (phase): expected a phase"},
        {"kind,worker,days,progress\nparticipant,0,1,1.5\n", "bad.csv:2:4 (progress): expected a number in [0, 1)"},
        {"kind,worker,days\npost,0,1\npost,0,2\n", "bad.csv:3:2 (worker): worker 0 has a post row already (line 2)"},
        {"kind,worker,days\nwaiting,0,1\n", "bad.csv:2:2 (worker): a waiting person has no worker"},
        {"kind,worker,days\nwaiting,,1,7\n", "bad.csv:2:4: 4 fields where the header names 3"},
        {"# only a comment\n", "bad.csv:1: no header line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[PATH_MAX];
        write_csv(fx, "bad.csv", cases[i].csv, csv);
        char ov[PATH_MAX + 32];
        snprintf(ov, sizeof ov, "run.snapshot=%s", csv);
        const char *ovs[] = {ov};
        config_scenario sc;
        config_error err;
        assert_int_equal(config_load(&sc, fx->cfg, ovs, 1, &err), -1);
        print_message("  %s\n", err.message);
        TS_ASSERT_CONTAINS(err.message, cases[i].expect);
        assert_null(strchr(err.message, '\n'));
    }
    /* A missing file: the scenario's key names it. */
    const char *ovs[] = {"run.snapshot=no_such.csv"};
    config_scenario sc;
    config_error err;
    assert_int_equal(config_load(&sc, fx->cfg, ovs, 1, &err), -1);
    TS_ASSERT_CONTAINS(err.message, "run.snapshot");
    TS_ASSERT_CONTAINS(err.message, "no_such.csv");
    /* The binary stops with exit 2 and one line. */
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    char csv[PATH_MAX], h5[PATH_MAX];
    write_csv(fx, "bad.csv", "kind,worker,days\nwaiting,,soon\n", csv);
    snprintf(h5, sizeof h5, "%s/x.h5", fx->dir);
    ts_output o = {NULL, NULL};
    assert_int_equal(ts_caseflow(&o, NULL, bin, "run", fx->cfg, "--snapshot", csv, "-o", h5, "--quiet", NULL), 2);
    TS_ASSERT_CONTAINS(o.err, "bad.csv:2:3 (days): expected a number >= 0, got 'soon'");
    assert_int_equal(ts_count_newlines(o.err), 1);
    ts_output_free(&o);
}

/* ---- (e) ------------------------------------------------------------------ */

static void test_stored_text_reproduces_without_the_file(void **state)
{
    fixture *fx = *state;
    char csv[PATH_MAX];
    write_csv(fx, "today.csv", "kind,worker,days\nparticipant,0,3\nwaiting,,\"7\"\n", csv);
    /* quotes are not CSV quoting here: refused at the cell */
    config_scenario sc;
    config_error err;
    char ov[PATH_MAX + 32];
    snprintf(ov, sizeof ov, "run.snapshot=%s", csv);
    const char *ovs[] = {ov};
    assert_int_equal(config_load(&sc, fx->cfg, ovs, 1, &err), -1);
    TS_ASSERT_CONTAINS(err.message, "today.csv:3:3 (days)");
    /* a relative path in the file is relative to the scenario's folder */
    write_csv(fx, "today.csv", "kind,worker,days,profile\nparticipant,0,3,\nwaiting,,7.5,\nwaiting,,1,\n", csv);
    char cfg2[PATH_MAX];
    snprintf(cfg2, sizeof cfg2, "%s/with.cfg", fx->dir);
    /* the key goes into the text's run group */
    char text[4096];
    snprintf(text, sizeof text, "%s", core_cfg);
    char *at = strstr(text, "warmup_months = 0;");
    assert_non_null(at);
    char rest[4096];
    snprintf(rest, sizeof rest, "%s", at + strlen("warmup_months = 0;"));
    snprintf(at, sizeof text - (size_t)(at - text), "warmup_months = 0; snapshot = \"today.csv\";%s", rest);
    ts_write_file(cfg2, text, strlen(text));
    if (config_load(&sc, cfg2, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(sc.model.snapshot->count, 3);
    TS_ASSERT_CONTAINS(sc.text, "snapshot_stored");
    TS_ASSERT_CONTAINS(sc.text, "waiting,,7.5,");
    /* The file goes; the stored text still loads, with the same rows. */
    unlink(csv);
    config_scenario again;
    if (config_load_text(&again, cfg2, sc.text, NULL, 0, &err) != 0)
        fail_msg("reload: %s", err.message);
    assert_int_equal(again.model.snapshot->count, 3);
    assert_memory_equal(again.model.snapshot->row, sc.model.snapshot->row, 3 * sizeof(model_snapshot_row));
    assert_string_equal(again.text, sc.text);
    /* A copy (as a study derives its scenarios) keeps them too. */
    config_scenario copy;
    if (config_copy(&copy, &sc, &err) != 0)
        fail_msg("copy: %s", err.message);
    assert_int_equal(copy.model.snapshot->count, 3);
    config_scenario_free(&copy);
    config_scenario_free(&again);
    config_scenario_free(&sc);
}

/* ---- (f) ------------------------------------------------------------------ */

/* The planner's study end to end: from the snapshot CSV, the summary gives
 * P(median wait <= 14 days) with its Wilson interval for every scenario,
 * also past the three a summary prints in full. */
static void test_planner_study_prints_every_scenario(void **state)
{
    fixture *fx = *state;
    const char *bin = getenv("CASEFLOW_BIN");
    ts_need_binary(bin);
    char study[PATH_MAX], cmd[3 * PATH_MAX], outfile[PATH_MAX];
    ts_source_path("configs/study_planner.cfg", study);
    snprintf(outfile, sizeof outfile, "%s/stdout.txt", fx->dir);
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --reps 4 --threads 2 -o '%s/planner.h5' >'%s' 2>&1", bin, study, fx->dir,
             outfile);
    int status = system(cmd);
    char *out = ts_read_file(outfile, NULL);
    assert_non_null(out);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s", out);
    TS_ASSERT_CONTAINS(out, "4 scenario(s) x 4 replications");
    static const char *const names[] = {"scenario 0 'base'", "scenario 1 '12 coaches, spring +30 %':",
                                        "scenario 2 '14 coaches, referrals as now':",
                                        "scenario 3 '14 coaches, spring +30 %':"};
    const char *at = out;
    for (int i = 0; i < 4; i++) {
        const char *sc = strstr(at, names[i]);
        if (!sc)
            fail_msg("no '%s' in:\n%s", names[i], out);
        const char *met = strstr(sc, "target median_wait_14d");
        assert_non_null(met);
        assert_non_null(strstr(met, "P(met)"));
        assert_non_null(strstr(met, "(Wilson)"));
        at = met;
    }
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_snapshot_is_identical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saved_steady_state_has_no_transient, setup, teardown),
        cmocka_unit_test_setup_teardown(test_people_are_conserved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sources_and_sites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_rows_name_line_and_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stored_text_reproduces_without_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planner_study_prints_every_scenario, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
