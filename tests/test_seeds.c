/*
 * test_seeds.c — the seed systems as calibrated scenarios: each scenario in
 * configs/seed_*.cfg must reproduce what its report saw, and the report's
 * conclusions must survive the assumptions the scenario had to make.
 *
 * How a reported figure is compared: the report is one history of the
 * programme, so the figure must lie inside the scenario's 95 % prediction
 * interval (the 2.5 and 97.5 percentiles of the figure over replications);
 * a figure the report rounds (10 %, 5.7 months) passes when its rounding band
 * meets that interval. The mean's 95 % confidence interval from
 * results_summarise is printed beside it for docs/SEEDS.md. A figure the
 * report gives as a bound ("mer än 600") must hold for the mean with its
 * confidence interval. Each test prints its numbers (print_message), which
 * is where the table of docs/SEEDS.md comes from.
 *
 * Each figure has a status (docs/SEEDS.md): INPUT (entered, or an
 * arithmetic or logical consequence of what was entered: a near identity,
 * or a direction built in by construction), CALIBRATED (a parameter was
 * tuned to it, or it follows from a tuned figure: the check guards the
 * calibration) or CHECKED (nothing was tuned to it and it does not follow
 * from the inputs: the evidence). Each check prints its status. Values the
 * reports do not give are ASSUMPTIONS; the *_assumptions tests move each
 * within the range stated in docs/SEEDS.md and assert the report's
 * conclusions again, and test_sensitivity_to_mechanisms switches each
 * assumed mechanism off and prints how far each calibrated figure moves.
 *
 * Scenario variants that change list items (a phase, a source) are made by
 * replacing one exact piece of the scenario's text, so a variant fails
 * loudly if the scenario file changes under it.
 */
#include "test_support.h"

#include <time.h>

#include "scenario/study.h"
#include "model/model_casework.h"
#include "output/results.h"
#include "app/runner.h"

/* ---- running a scenario ----------------------------------------------- */

typedef struct run {
    study st;
    runner_totals t;
    int loaded;
} run;

/* A text replacement: `find` must occur exactly once in the scenario. */
typedef struct edit {
    const char *find, *replace;
} edit;

static char *apply_edits(const char *text, const edit *edits, int n_edits, const char *path)
{
    char *cur = strdup(text);
    for (int i = 0; i < n_edits; i++) {
        const char *at = strstr(cur, edits[i].find);
        if (!at)
            fail_msg("%s: variant text not found: '%s'", path, edits[i].find);
        if (strstr(at + 1, edits[i].find))
            fail_msg("%s: variant text found twice: '%s'", path, edits[i].find);
        size_t pre = (size_t)(at - cur), fl = strlen(edits[i].find), rl = strlen(edits[i].replace);
        char *next = malloc(strlen(cur) - fl + rl + 1);
        memcpy(next, cur, pre);
        memcpy(next + pre, edits[i].replace, rl);
        strcpy(next + pre + rl, at + fl);
        free(cur);
        cur = next;
    }
    return cur;
}

/* Every occurrence of `find` (at least one) replaced: for switching off a
 * key that several list items carry (a start month, needs_decision). */
static char *replace_every(const char *text, const char *find, const char *replace, const char *path)
{
    size_t fl = strlen(find), rl = strlen(replace), count = 0;
    for (const char *at = strstr(text, find); at; at = strstr(at + fl, find))
        count++;
    if (count == 0)
        fail_msg("%s: variant text not found: '%s'", path, find);
    char *out = malloc(strlen(text) + count * rl + 1), *o = out;
    const char *from = text;
    for (const char *at = strstr(from, find); at; at = strstr(from, find)) {
        memcpy(o, from, (size_t)(at - from));
        o += at - from;
        memcpy(o, replace, rl);
        o += rl;
        from = at + fl;
    }
    strcpy(o, from);
    return out;
}

/* Loads configs/<name> (with edits to its text, and overrides) as a
 * one-scenario study and runs it with two threads, nothing written. The
 * `every` edits replace all occurrences, the others exactly one. */
static void run_variant_every(run *r, const char *name, const edit *every, int n_every, const edit *edits, int n_edits,
                              const char *const *overrides, int n_overrides)
{
    char rel[PATH_MAX], path[PATH_MAX];
    snprintf(rel, sizeof rel, "configs/%s", name);
    ts_source_path(rel, path);
    config_error err;
    int rc;
    if (n_edits > 0 || n_every > 0) {
        /* The edited scenario is loaded from memory, as a study of one. */
        char *text = ts_read_file(path, NULL);
        if (!text)
            fail_msg("cannot read %s", path);
        for (int i = 0; i < n_every; i++) {
            char *next = replace_every(text, every[i].find, every[i].replace, path);
            free(text);
            text = next;
        }
        char *changed = apply_edits(text, edits, n_edits, path);
        config_scenario sc;
        rc = config_load_text(&sc, path, changed, overrides, n_overrides, &err);
        if (rc == 0) {
            rc = study_of_scenario(&r->st, &sc, &err);
            config_scenario_free(&sc);
        }
        free(text);
        free(changed);
    } else {
        rc = study_load(&r->st, path, overrides, n_overrides, &err);
    }
    if (rc != 0)
        fail_msg("%s: %s", name, err.message);
    r->loaded = 1;
    runner_options opt = {.threads = 2, .progress = 0};
    char msg[512];
    if (runner_run(&r->st, 0, study_trial_count(&r->st), &opt, NULL, &r->t, msg, sizeof msg) != 0)
        fail_msg("%s: runner_run: %s", name, msg);
    assert_true(r->t.failed == 0 && r->t.not_run == 0);
}

static void run_variant(run *r, const char *name, const edit *edits, int n_edits, const char *const *overrides,
                        int n_overrides)
{
    run_variant_every(r, name, NULL, 0, edits, n_edits, overrides, n_overrides);
}

static void run_scenario(run *r, const char *name, const char *const *overrides, int n_overrides)
{
    run_variant(r, name, NULL, 0, overrides, n_overrides);
}

static void run_free(run *r)
{
    runner_totals_free(&r->t);
    if (r->loaded)
        study_free(&r->st);
    r->loaded = 0;
}

static const model_params *params_of(const run *r, int scenario)
{
    return &r->st.scenarios[scenario].sc.model;
}

static size_t rows_of(const run *r)
{
    return r->t.row_count;
}

/* ---- per-replication values and their intervals ------------------------ */

/* Value of a named summary metric in each row of one scenario. */
static size_t metric_values(const run *r, int scenario, const char *metric, double *out)
{
    const model_params *p = params_of(r, scenario);
    results_metric_info info[RESULTS_MAX_METRICS];
    size_t m = results_metric_info_for(p, info), k = m;
    for (size_t i = 0; i < m; i++)
        if (strcmp(info[i].name, metric) == 0)
            k = i;
    if (k == m)
        fail_msg("no metric '%s'", metric);
    double v[RESULTS_MAX_METRICS];
    size_t n = 0;
    for (size_t i = 0; i < rows_of(r); i++)
        if ((int)r->t.rows[i].scenario == scenario) {
            results_metric_values(&r->t.rows[i], p, v);
            out[n++] = v[k];
        }
    return n;
}

static int target_index(const model_params *p, const char *name)
{
    for (int k = 0; k < p->targets; k++)
        if (strcmp(p->target[k].name, name) == 0)
            return k;
    fail_msg("no target '%s'", name);
    return -1;
}

static int destination_index(const model_params *p, const char *name)
{
    for (int d = 0; d < p->destinations; d++)
        if (strcmp(p->destination_names[d], name) == 0)
            return d;
    fail_msg("no destination '%s'", name);
    return -1;
}

typedef struct interval {
    double mean, ci_lo, ci_hi;   /* the mean and its 95 % confidence interval (Student t) */
    double pi_lo, pi_hi;         /* 95 % prediction interval: 2.5 and 97.5 percentiles */
    size_t n;
} interval;

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *sorted, size_t n, double q)
{
    double at = q * (double)(n - 1);
    size_t i = (size_t)floor(at);
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (at - (double)i) * (sorted[i + 1] - sorted[i]);
}

static interval interval_of(const double *x, size_t n)
{
    interval iv = {.n = n};
    double *s = malloc(n * sizeof *s);
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        s[i] = x[i];
        sum += x[i];
    }
    iv.mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - iv.mean) * (x[i] - iv.mean);
    double half = n > 1 ? ts_t(0.95, (double)(n - 1)) * sqrt(ss / (double)(n - 1) / (double)n) : 0;
    iv.ci_lo = iv.mean - half;
    iv.ci_hi = iv.mean + half;
    qsort(s, n, sizeof *s, by_value);
    iv.pi_lo = percentile(s, n, 0.025);
    iv.pi_hi = percentile(s, n, 0.975);
    free(s);
    return iv;
}

/* The reported figure (with its rounding band) meets the prediction interval. */
static void expect_figure(const char *what, const char *kind, double reported, double band, interval iv)
{
    print_message("  %-46s reported %9.3f  simulated %9.3f [CI %9.3f, %9.3f]  PI [%9.3f, %9.3f]  %s\n", what, reported,
                  iv.mean, iv.ci_lo, iv.ci_hi, iv.pi_lo, iv.pi_hi, kind);
    if (reported + band < iv.pi_lo || reported - band > iv.pi_hi)
        fail_msg("%s: reported %.4g (+- %.3g) is outside the simulated 95 %% prediction interval [%.4g, %.4g]", what,
                 reported, band, iv.pi_lo, iv.pi_hi);
}

static void note(const char *what, interval iv)
{
    if (iv.pi_lo == 0 && iv.pi_hi == 0) /* from results_summarise: no prediction interval */
        print_message("  %-46s simulated %9.3f [CI %9.3f, %9.3f]\n", what, iv.mean, iv.ci_lo, iv.ci_hi);
    else
        print_message("  %-46s simulated %9.3f [CI %9.3f, %9.3f]  PI [%9.3f, %9.3f]\n", what, iv.mean, iv.ci_lo,
                      iv.ci_hi, iv.pi_lo, iv.pi_hi);
}

/* A share of replications (meeting a target, say) with Wilson's interval. */
typedef struct proportion {
    double p, lo, hi;
} proportion;

static proportion proportion_of(const double *flags, size_t n)
{
    double k = 0, z = 1.959963984540054;
    for (size_t i = 0; i < n; i++)
        k += flags[i] != 0;
    double nn = (double)n, ph = k / nn;
    double centre = (ph + z * z / (2 * nn)) / (1 + z * z / nn);
    double half = z * sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);
    return (proportion){ph, centre - half, centre + half};
}

/* The mean's confidence interval of a summary metric, as results_summarise
 * reports it, for the table. */
static interval summarised(const run *r, const char *metric)
{
    results_summary *sum;
    results_difference *diff;
    size_t ns, nd;
    assert_int_equal(results_summarise(r->t.rows, r->t.row_count, r->st.scenario_count, params_of(r, 0),
                                       r->st.common_random_numbers, &sum, &ns, &diff, &nd),
                     0);
    interval iv = {.mean = NAN};
    for (size_t i = 0; i < ns; i++)
        if (sum[i].scenario == 0 && strcmp(sum[i].metric, metric) == 0)
            iv = (interval){.mean = sum[i].mean, .ci_lo = sum[i].ci_low, .ci_hi = sum[i].ci_high, .n = sum[i].replications};
    free(sum);
    free(diff);
    if (isnan(iv.mean))
        fail_msg("no summary metric '%s'", metric);
    return iv;
}

/* ---- model runs with series, for what the rows do not hold ------------ */

typedef struct time_to {
    double sum[MODEL_MAX_DESTINATIONS];
    double n[MODEL_MAX_DESTINATIONS];
} time_to;

static int record_times(void *ctx, const model_participant *pp)
{
    time_to *tt = ctx;
    if (pp->fate == FATE_EXITED && pp->destination >= 0) {
        tt->sum[pp->destination] += (pp->exit_time - pp->assignment_time) / MODEL_DAYS_PER_MONTH;
        tt->n[pp->destination] += 1;
    }
    return 0;
}

/* Runs replication `rep` of scenario 0 of a loaded study directly, on the
 * runner's seed, keeping its series; times to exit by destination go to tt. */
static void model_replication(const run *r, uint32_t rep, time_to *tt, model_result *res)
{
    int s;
    uint32_t got;
    uint64_t seed;
    study_trial(&r->st, rep, &s, &got, &seed);
    assert_int_equal(got, rep);
    assert_int_equal(model_run(params_of(r, 0), rep, seed, tt ? record_times : NULL, tt, res), 0);
}

static const double *series_named(const model_result *res, const char *name, int *width)
{
    for (int i = 0; i < res->series.count; i++)
        if (strcmp(res->series.item[i].name, name) == 0) {
            *width = res->series.item[i].width;
            return res->series.item[i].values;
        }
    fail_msg("no series '%s'", name);
    return NULL;
}

/* ---- seed 000: Malmökraften --------------------------------------------- */

typedef struct malmo_facts {
    interval by_jun2019;         /* work or studies by month 16 */
    double rate_sep_dec[400];    /* good exits per month, months 7-10 (Sep-Dec 2018) */
    double rate_jan_feb[400];    /* months 11-12 (Jan-Feb 2019) */
    double rate_start[400];      /* months 0-6 */
    size_t n;
    interval dip;                /* Jan-Feb minus Sep-Dec, per month */
    proportion target_met;       /* 1 500 by the assumed deadline */
    interval good_share;         /* share of all exits to work or studies */
} malmo_facts;

static void malmo_read(const run *r, malmo_facts *f)
{
    const model_params *p = params_of(r, 0);
    int k7 = target_index(p, "good_by_sep2018"), k11 = target_index(p, "good_by_jan2019"),
        k13 = target_index(p, "good_by_mar2019"), k16 = target_index(p, "good_by_jun2019"),
        kt = target_index(p, "work_or_studies");
    size_t n = rows_of(r);
    assert_true(n <= 400);
    double by16[400], dip[400], met[400];
    for (size_t i = 0; i < n; i++) {
        const results_row *row = &r->t.rows[i];
        by16[i] = row->target_value[k16];
        f->rate_start[i] = row->target_value[k7] / 7.0;
        f->rate_sep_dec[i] = (row->target_value[k11] - row->target_value[k7]) / 4.0;
        f->rate_jan_feb[i] = (row->target_value[k13] - row->target_value[k11]) / 2.0;
        dip[i] = f->rate_jan_feb[i] - f->rate_sep_dec[i];
        met[i] = row->target_met[kt];
    }
    f->n = n;
    f->by_jun2019 = interval_of(by16, n);
    f->dip = interval_of(dip, n);
    f->target_met = proportion_of(met, n);
    double share[400];
    metric_values(r, 0, "good_exit_share", share);
    f->good_share = interval_of(share, n);
}

/* What the report concluded, asserted on a run of the scenario or a variant. */
static void malmo_conclusions(const char *label, const malmo_facts *f)
{
    print_message("  [%s] work/studies by Jun 2019 %.0f [%.0f, %.0f]; Sep-Dec %.1f/month, Jan-Feb %.1f/month "
                  "(dip %.1f [%.1f, %.1f]); P(1 500 by the deadline) %.2f; share %.3f\n",
                  label, f->by_jun2019.mean, f->by_jun2019.ci_lo, f->by_jun2019.ci_hi,
                  interval_of(f->rate_sep_dec, f->n).mean, interval_of(f->rate_jan_feb, f->n).mean, f->dip.mean,
                  f->dip.ci_lo, f->dip.ci_hi, f->target_met.p, f->good_share.mean);
    /* Results dropped when extratjänster could no longer be used (l.262).
     * INPUT by construction: closing a route to a good exit at month 11 can
     * only lower good exits; the size rests on the assumed 15 places. */
    if (!(f->dip.ci_hi < 0))
        fail_msg("%s: no dip in Jan-Feb 2019: change %.2f [%.2f, %.2f] per month", label, f->dip.mean, f->dip.ci_lo,
                 f->dip.ci_hi);
    /* The 1 500 target is out of reach (l.264): rarely met by the deadline,
     * and the share of participants reaching work or studies is far below
     * 1 500 / 3 500 (l.121). CALIBRATED: it follows from the calibrated
     * count by month 16 and the pace after it, as the report's own
     * inference does. */
    if (!(f->target_met.hi < 0.2))
        fail_msg("%s: the 1 500 target is met with probability %.2f [%.2f, %.2f]", label, f->target_met.p,
                 f->target_met.lo, f->target_met.hi);
    if (!(f->good_share.ci_hi < 1500.0 / 3500.0))
        fail_msg("%s: share to work or studies %.3f reaches the target's 1 500 / 3 500", label, f->good_share.mean);
}

static void test_malmokraften_reproduces_report(void **state)
{
    (void)state;
    run r = {0};
    run_scenario(&r, "seed_malmokraften.cfg", NULL, 0);
    malmo_facts f;
    malmo_read(&r, &f);
    const model_params *p = params_of(&r, 0);

    /* "mer än 600 personer" to education or work by mid-2019 (l.264):
     * CALIBRATED (the matching phase's exit probability, 0.145 since the AF
     * quota was split into three offices tied to their lag), a bound: the
     * mean and its whole interval above 600. */
    interval by16 = f.by_jun2019;
    print_message("  %-46s reported     > 600  simulated %9.3f [CI %9.3f, %9.3f]  PI [%9.3f, %9.3f]  CALIBRATED\n",
                  "work or studies by June 2019 (month 16)", by16.mean, by16.ci_lo, by16.ci_hi, by16.pi_lo, by16.pi_hi);
    assert_true(by16.ci_lo > 600);

    /* The conclusions: the dip (INPUT by construction) and the target out
     * of reach (follows from the CALIBRATED count). Malmökraften has no
     * CHECKED figure: the report gives no other number that was not used. */
    malmo_conclusions("base", &f);

    /* INPUT by construction: the first phase below later results (l.262:
     * "Under projektets första fas hade man svårt att komma upp till de
     * resultatnivåer ..."), from the entered ramp-up (teams start over
     * months 0-7, l.138) and the young teams. */
    double start_minus_autumn[400];
    for (size_t i = 0; i < f.n; i++)
        start_minus_autumn[i] = f.rate_start[i] - f.rate_sep_dec[i];
    interval sm = interval_of(start_minus_autumn, f.n);
    note("good exits/month: months 0-6 minus Sep-Dec 2018", sm);
    assert_true(sm.ci_hi < 0);

    /* Each AF office feeds its own lag (l.216), and the lags are staffed
     * one after the other over months 0-7 (l.138, ASSUMPTION): an office
     * whose lag has no staff yet holds its quota of 33 a month in its own
     * queue, where people give up (patience ASSUMPTION, mean 90 days). Not
     * a CHECKED figure: the report gives no number for it. Its size has a
     * floor: an office whose lag's first team starts at month s loses at
     * least the quota arrivals before s whose patience ends first,
     * 33 (s - th (1 - e^(-s/th))) with th = 90 days in months (more when the
     * first team fills up and some wait on); and it grows lag by lag. */
    {
        static const double first_team[3] = {0.0, 2.6, 5.25};
        const double theta = 90.0 / MODEL_DAYS_PER_MONTH;
        assert_int_equal(p->sites, 3);
        double all[400], lag[3][400];
        for (size_t i = 0; i < f.n; i++) {
            all[i] = 0;
            for (int k = 0; k < 3; k++) {
                const uint64_t *c = r.t.rows[i].site_counts[k];
                lag[k][i] = (double)c[2];
                all[i] += lag[k][i];
                assert_true(c[0] == c[1] + c[2] + c[3]); /* referred = assigned + gave up + waiting */
            }
        }
        interval gave_up = interval_of(all, f.n), by_lag[3];
        note("gave up in an AF office's queue before being placed in its lag", gave_up);
        for (int k = 0; k < 3; k++) {
            by_lag[k] = interval_of(lag[k], f.n);
            double s0 = first_team[k], floor_k = 33.0 * (s0 - theta * (1 - exp(-s0 / theta)));
            print_message("    %s (first team from month %.2f): %.1f [%.1f, %.1f], floor %.1f\n", p->site[k].name, s0,
                          by_lag[k].mean, by_lag[k].ci_lo, by_lag[k].ci_hi, floor_k);
            assert_true(by_lag[k].ci_hi >= floor_k);
            if (k > 0)
                assert_true(by_lag[k].ci_lo > by_lag[k - 1].ci_hi);
        }
    }

    /* Context for the table: participants held, volume by month 24. */
    note("participants assigned (time average)", summarised(&r, "active"));
    double enrolled[400];
    int ke = target_index(p, "participants");
    for (size_t i = 0; i < f.n; i++)
        enrolled[i] = r.t.rows[i].target_value[ke];
    note("enrolled by month 24", interval_of(enrolled, f.n));
    note("share of exits to time_limit (back to JOB)", summarised(&r, "exit_share.time_limit"));

    /* INPUT (built in): the AF bottleneck and the idle consultants
     * (l.172-176). AF staff are the busiest because the config makes them
     * decide every plan and matching step (needs_decision); rehab
     * coordinators are idle because they are called in after 2 % of
     * meetings (an assumption chosen from l.174). This guards the
     * mechanisms, it is not evidence. */
    double role_busy[MODEL_MAX_ROLES] = {0}, role_n[MODEL_MAX_ROLES] = {0};
    for (uint32_t rep = 0; rep < 10; rep++) {
        model_result res;
        model_replication(&r, rep, NULL, &res);
        int w = 0;
        const double *u = series_named(&res, "worker_utilisation", &w);
        int k = 0;
        for (int t = 0; t < p->teams; t++)
            for (int g = 0; g < p->team[t].groups; g++)
                for (int i = 0; i < p->team[t].group[g].count; i++, k++)
                    for (int m = 8; m < p->horizon_months; m++) {
                        double v = u[(size_t)m * (size_t)w + (size_t)k];
                        if (isfinite(v)) {
                            role_busy[p->team[t].group[g].role] += v;
                            role_n[p->team[t].group[g].role] += 1;
                        }
                    }
        model_result_free(&res);
    }
    double u_af = role_busy[0] / role_n[0], u_soc = role_busy[1] / role_n[1], u_ams = role_busy[2] / role_n[2],
           u_rehab = role_busy[3] / role_n[3];
    print_message("  worker time in meetings after month 8: AF %.3f, socialsekr %.3f, arbetsmarknadssekr %.3f, "
                  "rehab %.3f (INPUT: built in by decisions and call-ins)\n", u_af, u_soc, u_ams, u_rehab);
    assert_string_equal(p->role[0].name, "arbetsformedlare");
    assert_string_equal(p->role[1].name, "socialsekreterare");
    assert_string_equal(p->role[2].name, "arbetsmarknadssekr");
    assert_string_equal(p->role[3].name, "rehab_koordinator");
    assert_true(u_af > u_soc + 0.03 && u_af > u_ams + 0.03);
    assert_true(u_rehab < 0.25);
    run_free(&r);

    /* The dip comes from the closure: with extratjänster kept open, Jan-Feb
     * 2019 is no worse than Sep-Dec 2018 (a counterfactual: the model's
     * answer, with no report figure to check). */
    static const edit open_all[] = {{"close_month = 11.0;", "close_month = 36.0;"}};
    run_variant(&r, "seed_malmokraften.cfg", open_all, 1, NULL, 0);
    malmo_facts g;
    malmo_read(&r, &g);
    print_message("  [extratjänster kept open] by June 2019 %.0f; Jan-Feb minus Sep-Dec %.2f [%.2f, %.2f]\n",
                  g.by_jun2019.mean, g.dip.mean, g.dip.ci_lo, g.dip.ci_hi);
    assert_true(g.dip.ci_hi > 0);
    assert_true(g.dip.mean > f.dip.ci_hi);
    run_free(&r);
}

/* Each ASSUMPTION moved by about a quarter either way (docs/SEEDS.md):
 * the dip and the unreachable target must hold throughout; the count by
 * June 2019 is printed (it rests on the calibration). */
static void test_malmokraften_assumptions(void **state)
{
    (void)state;
    typedef struct variant {
        const char *label;
        edit e[2];
        int n_edits;
        const char *ov[3];
        int n_ov;
    } variant;
    static const variant variants[] = {
        {"extratjanst places 11", {{"places = 15; open_month", "places = 11; open_month"}}, 1, {NULL}, 0},
        {"extratjanst places 19", {{"places = 15; open_month", "places = 19; open_month"}}, 1, {NULL}, 0},
        {"extratjanst success 0.675", {{"exit_probability = 0.9; }", "exit_probability = 0.675; }"}}, 1, {NULL}, 0},
        {"checklist acceptance 0.15", {{"acceptance = 0.2;", "acceptance = 0.15;"}}, 1, {NULL}, 0},
        {"checklist acceptance 0.25", {{"acceptance = 0.2;", "acceptance = 0.25;"}}, 1, {NULL}, 0},
        {"FK 37.5 a month", {{"rate_per_month = 50.0;", "rate_per_month = 37.5;"}}, 1, {NULL}, 0},
        {"FK 62.5 a month", {{"rate_per_month = 50.0;", "rate_per_month = 62.5;"}}, 1, {NULL}, 0},
        {"meeting hours 2.6 a day", {{NULL, NULL}}, 0, {"staff.meeting_hours_per_day=2.625"}, 1},
        {"meeting hours 4.4 a day", {{NULL, NULL}}, 0, {"staff.meeting_hours_per_day=4.375"}, 1},
        {"tenure 18 months", {{NULL, NULL}}, 0, {"staff.turnover.tenure_months.mean=18"}, 1},
        {"tenure 30 months", {{NULL, NULL}}, 0, {"staff.turnover.tenure_months.mean=30"}, 1},
        {"team maturity start 0.525", {{NULL, NULL}}, 0, {"staff.maturity.start=0.525"}, 1},
        {"team maturity start 0.875", {{NULL, NULL}}, 0, {"staff.maturity.start=0.875"}, 1},
        {"patience 67 days", {{NULL, NULL}}, 0, {"waiting.patience_days.mean=67.5"}, 1},
        {"patience 112 days", {{NULL, NULL}}, 0, {"waiting.patience_days.mean=112.5"}, 1},
        {"regression 0.075/month", {{NULL, NULL}}, 0, {"waiting.readiness_decay_per_month=0.075"}, 1},
        {"regression 0.125/month", {{NULL, NULL}}, 0, {"waiting.readiness_decay_per_month=0.125"}, 1},
        {"deadline month 20", {{"value = 1500.0; deadline_month = 24.0;", "value = 1500.0; deadline_month = 20.0;"}}, 1,
         {NULL}, 0},
        {"deadline month 30", {{"value = 1500.0; deadline_month = 24.0;", "value = 1500.0; deadline_month = 30.0;"}}, 1,
         {NULL}, 0},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *v = &variants[i];
        run r = {0};
        /* Fewer replications than the scenario's own: the conclusions have wide margins. */
        /* ... and only as far as the deadline: the months after it are context. */
        const char *ov[4] = {v->ov[0], v->ov[1], NULL, NULL};
        ov[v->n_ov] = "run.replications=20";
        ov[v->n_ov + 1] = strstr(v->label, "deadline month 30") ? "run.horizon_months=30" : "run.horizon_months=24";
        run_variant(&r, "seed_malmokraften.cfg", v->e, v->n_edits, ov, v->n_ov + 2);
        malmo_facts f;
        malmo_read(&r, &f);
        malmo_conclusions(v->label, &f);
        run_free(&r);
    }
}

/* ---- seed 001: MIA -------------------------------------------------------- */

/* Shares of everyone who left MIA by April 2020, the report's denominator:
 * exits during the project plus those handed on to MIA Vidare at the close
 * (l.331-333; the config's successor section, row->transferred). Anyone
 * still present at the horizon (none: the close is the horizon and takes
 * every participant) would count too. */
typedef struct mia_facts {
    interval left, work, studies, af, municipal, successor, work_or_studies, step;
    interval women_ws, men_ws, women_af, men_af, women_mun, men_mun;
    proportion met_ws, met_step;
} mia_facts;

static void mia_read(const run *r, mia_facts *f)
{
    const model_params *p = params_of(r, 0);
    size_t n = rows_of(r);
    int dw = destination_index(p, "work"), ds = destination_index(p, "studies"), da = destination_index(p, "af_measure"),
        dm = destination_index(p, "municipal_measure");
    double *v[14];
    for (int i = 0; i < 14; i++)
        v[i] = malloc(n * sizeof(double));
    double *met_ws = malloc(n * sizeof(double)), *met_step = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const results_row *row = &r->t.rows[i];
        double all = (double)row->exits + (double)row->transferred + (double)row->active_at_end;
        const uint64_t *e = row->exits_by_destination;
        v[0][i] = all;
        v[1][i] = (double)e[dw] / all;
        v[2][i] = (double)e[ds] / all;
        v[3][i] = (double)e[da] / all;
        v[4][i] = (double)e[dm] / all;
        v[5][i] = (double)row->transferred / all;
        v[6][i] = (double)(e[dw] + e[ds]) / all;
        v[7][i] = (double)(e[dw] + e[ds] + e[da] + e[dm]) / all;
        /* By gender, of those who exited (the profiles' own shares). */
        double wx = 0, mx = 0;
        for (int d = 0; d < p->destinations; d++) {
            wx += (double)row->exits_by_profile[0][d];
            mx += (double)row->exits_by_profile[1][d];
        }
        v[8][i] = (double)(row->exits_by_profile[0][dw] + row->exits_by_profile[0][ds]) / wx;
        v[9][i] = (double)(row->exits_by_profile[1][dw] + row->exits_by_profile[1][ds]) / mx;
        v[10][i] = (double)row->exits_by_profile[0][da] / wx;
        v[11][i] = (double)row->exits_by_profile[1][da] / mx;
        v[12][i] = (double)row->exits_by_profile[0][dm] / wx;
        v[13][i] = (double)row->exits_by_profile[1][dm] / mx;
        met_ws[i] = v[6][i] >= 0.30;
        met_step[i] = v[7][i] >= 0.40;
    }
    interval *dst[14] = {&f->left,     &f->work,     &f->studies,  &f->af,     &f->municipal,
                         &f->successor, &f->work_or_studies, &f->step, &f->women_ws, &f->men_ws,
                         &f->women_af, &f->men_af,   &f->women_mun, &f->men_mun};
    for (int i = 0; i < 14; i++) {
        *dst[i] = interval_of(v[i], n);
        free(v[i]);
    }
    f->met_ws = proportion_of(met_ws, n);
    f->met_step = proportion_of(met_step, n);
    free(met_ws);
    free(met_step);
}

static void mia_conclusions(const char *label, const mia_facts *f)
{
    print_message("  [%s] work or studies %.3f, P(>= 30 %%) %.2f; onward step %.3f, P(>= 40 %%) %.2f; successor %.3f\n",
                  label, f->work_or_studies.mean, f->met_ws.p, f->step.mean, f->met_step.p, f->successor.mean);
    /* The 30 % target missed by far, "knappt hälften" (l.455). */
    if (!(f->met_ws.hi < 0.1 && f->work_or_studies.ci_hi < 0.20))
        fail_msg("%s: work or studies %.3f, P(met 30 %%) %.2f", label, f->work_or_studies.mean, f->met_ws.p);
    /* The 40 % onward-step target met (l.455). */
    if (!(f->met_step.p > 0.5))
        fail_msg("%s: onward step %.3f, P(met 40 %%) only %.2f", label, f->step.mean, f->met_step.p);
}

static void test_mia_reproduces_report(void **state)
{
    (void)state;
    run r = {0};
    run_scenario(&r, "seed_mia.cfg", NULL, 0);
    mia_facts f;
    mia_read(&r, &f);
    /* Left MIA by April 2020: 2 234 (l.331); the sites' referral rates are
     * entered from the fill rates, so this guards the input. */
    expect_figure("left MIA by April 2020 (persons)", "INPUT (site rates)", 2234, 0, f.left);
    /* Women's shares (l.335) are entered (women have no readiness shift), so
     * these guard the input; men's work or studies is CALIBRATED (men's
     * readiness). Shares of those who exited before the close: the report's
     * shares of all who left divided by 0.81 (19 % went on to MIA Vidare). */
    expect_figure("women: work or studies, of women who exited", "INPUT (entered)", 0.12 / 0.81, 0.01 / 0.81,
                  f.women_ws);
    expect_figure("women: AF measures, of women who exited", "INPUT (entered)", 0.16 / 0.81, 0.005 / 0.81, f.women_af);
    expect_figure("women: municipal measures, of women who exited", "INPUT (entered)", 0.12 / 0.81, 0.005 / 0.81,
                  f.women_mun);
    expect_figure("men: work or studies, of men who exited", "CALIBRATED", 0.18 / 0.81, 0.01 / 0.81, f.men_ws);
    /* CALIBRATED: the exit probability, to the stock handed on at the close. */
    expect_figure("went on to MIA Vidare (transfer at the close)", "CALIBRATED", 0.19, 0.005, f.successor);
    /* INPUT (near identities): work, studies and their sum follow from the
     * women's entered shares, men's calibrated shift and the calibrated
     * stock at the close. */
    expect_figure("work, of all who left", "INPUT (near identity)", 0.10, 0.005, f.work);
    expect_figure("studies, of all who left", "INPUT (near identity)", 0.04, 0.005, f.studies);
    expect_figure("work or studies (target >= 30 %)", "INPUT (near identity)", 0.14, 0.005, f.work_or_studies);
    /* CALIBRATED: men's exit weight for municipal measures, to men's 13 %
     * (l.335); readiness alone scaled men's other destinations down
     * together and gave 0.137 where the report has 0.160. The municipal
     * total then follows from women's entered and men's fitted share and
     * the stock (a near identity). CHECKED: nothing was fitted to men's AF
     * share (it moves only by the rescaling of the weights) or to the AF
     * total. */
    expect_figure("men: AF measures, of men who exited", "CHECKED", 0.14 / 0.81, 0.005 / 0.81, f.men_af);
    expect_figure("men: municipal measures, of men who exited", "CALIBRATED (exit weight)", 0.13 / 0.81, 0.005 / 0.81,
                  f.men_mun);
    expect_figure("AF ordinary measures, of all who left", "CHECKED", 0.15, 0.005, f.af);
    expect_figure("municipal ordinary measures, of all who left", "INPUT (near identity)", 0.13, 0.005, f.municipal);
    /* CHECKED (weak): a third of it is the near identity above. */
    expect_figure("onward step (target >= 40 %)", "CHECKED (weak)", 0.42, 0.005, f.step);
    mia_conclusions("base", &f);
    /* The file's own targets divide by everyone enrolled (the report's
     * denominator, l.331-333), so what `caseflow run` prints is the figure
     * above, replication by replication. */
    const model_params *p = params_of(&r, 0);
    {
        int dw = destination_index(p, "work"), ds = destination_index(p, "studies"),
            da = destination_index(p, "af_measure"), dm = destination_index(p, "municipal_measure");
        int kw = target_index(p, "work_or_studies"), ks = target_index(p, "onward_step");
        for (size_t i = 0; i < rows_of(&r); i++) {
            const results_row *row = &r.t.rows[i];
            const uint64_t *e = row->exits_by_destination;
            double all = (double)row->exits + (double)row->transferred;
            /* the successor takes everyone in MIA at the close, the horizon */
            assert_int_equal(row->active_at_end, 0);
            assert_int_equal(row->waiting_at_end, 0);
            assert_true(fabs(row->target_value[kw] - (double)(e[dw] + e[ds]) / all) < 1e-12);
            assert_true(fabs(row->target_value[ks] - (double)(e[dw] + e[ds] + e[da] + e[dm]) / all) < 1e-12);
        }
    }
    /* The volume target of 2 500 (l.166) missed: 89 % (l.331). */
    double met[400];
    int k = target_index(p, "participants");
    for (size_t i = 0; i < rows_of(&r); i++)
        met[i] = r.t.rows[i].target_met[k];
    assert_true(proportion_of(met, rows_of(&r)).hi < 0.05);
    run_free(&r);
}

static void test_mia_assumptions(void **state)
{
    (void)state;
    typedef struct variant {
        const char *label;
        edit e;
        int n_edits;
        const char *ov;
    } variant;
    static const variant variants[] = {
        {"27 coaches", {NULL, NULL}, 0, "staff.workers=27"},
        {"45 coaches", {NULL, NULL}, 0, "staff.workers=45"},
        {"meeting hours 2.25 a day", {NULL, NULL}, 0, "staff.meeting_hours_per_day=2.25"},
        {"meeting hours 3.75 a day", {NULL, NULL}, 0, "staff.meeting_hours_per_day=3.75"},
        {"intro 1.5 meetings", {"progress_per_meeting = 0.5; },", "progress_per_meeting = 0.667; },"}, 1, NULL},
        {"intro 2.5 meetings", {"progress_per_meeting = 0.5; },", "progress_per_meeting = 0.4; },"}, 1, NULL},
        {"time in programme +10 %", {"exit_probability = 0.07;", "exit_probability = 0.0636;"}, 1, NULL},
        {"time in programme -25 %", {"exit_probability = 0.07;", "exit_probability = 0.0933;"}, 1, NULL},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *v = &variants[i];
        run r = {0};
        const char *ov[2] = {"run.replications=40", v->ov};
        run_variant(&r, "seed_mia.cfg", &v->e, v->n_edits, ov, v->ov ? 2 : 1);
        mia_facts f;
        mia_read(&r, &f);
        mia_conclusions(v->label, &f);
        run_free(&r);
    }
    /* Finding, not a pass: the 40 % verdict rests on the time in programme.
     * A quarter longer (exit probability x 0.8) leaves more people in MIA at
     * the close, and the onward-step share falls to about the target. */
    static const edit longer = {"exit_probability = 0.07;", "exit_probability = 0.056;"};
    static const char *const fewer[] = {"run.replications=40"};
    run r = {0};
    run_variant(&r, "seed_mia.cfg", &longer, 1, fewer, 1);
    mia_facts f;
    mia_read(&r, &f);
    print_message("  [time in programme +25 %%] onward step %.3f, P(>= 40 %%) %.2f; successor %.3f\n", f.step.mean,
                  f.met_step.p, f.successor.mean);
    assert_true(f.met_step.p < 0.9);
    run_free(&r);
}

/* ---- seed 003: IPS, Etableringslyftet, Borås ------------------------------ */

typedef struct ips_facts {
    interval lost, paid_of_remaining, other_of_remaining, none_of_remaining;
} ips_facts;

static void ips_read(const run *r, ips_facts *f)
{
    const model_params *p = params_of(r, 0);
    size_t n = rows_of(r);
    int dp = destination_index(p, "paid_work"), dot = destination_index(p, "other_occupation"),
        dl = destination_index(p, "lost");
    double *v[4];
    for (int i = 0; i < 4; i++)
        v[i] = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const results_row *row = &r->t.rows[i];
        const uint64_t *e = row->exits_by_destination;
        double start = (double)row->referrals, remaining = start - (double)e[dl];
        v[0][i] = (double)e[dl];
        v[1][i] = (double)e[dp] / remaining;
        v[2][i] = (double)e[dot] / remaining;
        v[3][i] = (double)row->active_at_end / remaining;
    }
    f->lost = interval_of(v[0], n);
    f->paid_of_remaining = interval_of(v[1], n);
    f->other_of_remaining = interval_of(v[2], n);
    f->none_of_remaining = interval_of(v[3], n);
    for (int i = 0; i < 4; i++)
        free(v[i]);
}

static void test_ips_reproduces_report(void **state)
{
    (void)state;
    run r = {0};
    run_scenario(&r, "seed_ips.cfg", NULL, 0);
    ips_facts f;
    ips_read(&r, &f);
    /* About 1 000 at the start, about 900 left at the measurement (l.253). */
    expect_figure("lost before the measurement (1 030 at start)", "CALIBRATED", 100, 30, f.lost);
    expect_figure("paid work, of those remaining", "CALIBRATED", 0.12, 0.005, f.paid_of_remaining);
    expect_figure("other occupation, of those remaining (489/900)", "CALIBRATED", 489.0 / 900.0, 0.01,
                  f.other_of_remaining);
    /* "35 procent" in the text, 300 / 900 = 33 % from the counts (l.253):
     * the band covers both. */
    expect_figure("no occupation yet, of those remaining", "CALIBRATED", 0.34, 0.01, f.none_of_remaining);
    /* No report figure (context): ten per coach leaves the coaches' meeting
     * hours far from full, so weekly contact is what sets the pace, not the
     * coach's time. Every figure of l.253 was used for the calibration, so
     * IPS has no CHECKED figure. */
    interval u = summarised(&r, "utilisation");
    note("coach time in meetings (no report figure)", u);
    assert_true(u.ci_hi < 0.5);
    run_free(&r);

    /* ASSUMPTION: measured at 24 months; at 18 or 30 months paid work is
     * still a minority of about one in eight (8-16 %) and most of the rest
     * have some other occupation. */
    static const char *const at18[] = {"run.horizon_months=18", "run.replications=30"},
                             *const at30[] = {"run.horizon_months=30", "run.replications=30"};
    const char *const *ovs[2] = {at18, at30};
    for (int i = 0; i < 2; i++) {
        run_scenario(&r, "seed_ips.cfg", ovs[i], 2);
        ips_read(&r, &f);
        print_message("  [%s] paid work %.3f of remaining, other occupation %.3f, none %.3f\n", ovs[i][0],
                      f.paid_of_remaining.mean, f.other_of_remaining.mean, f.none_of_remaining.mean);
        assert_true(f.paid_of_remaining.mean > 0.08 && f.paid_of_remaining.mean < 0.16);
        assert_true(f.other_of_remaining.mean > 0.4);
        run_free(&r);
    }
}

typedef struct etab_facts {
    interval completers_good, time_to_good, completed, not_completed, retained_13, good_of_all_exits, in_at_end;
} etab_facts;

static void etab_read(const run *r, etab_facts *f, int with_times)
{
    const model_params *p = params_of(r, 0);
    size_t n = rows_of(r);
    int dw = destination_index(p, "work"), ds = destination_index(p, "studies"), dt = destination_index(p, "time_limit");
    double *v[7];
    for (int i = 0; i < 7; i++)
        v[i] = calloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const results_row *row = &r->t.rows[i];
        const uint64_t *e = row->exits_by_destination;
        double good = (double)(e[dw] + e[ds]), completed = good + (double)e[dt];
        v[5][i] = good / (double)row->exits;
        v[6][i] = (double)row->active_at_end;
        v[0][i] = good / completed;
        v[2][i] = completed;
        v[3][i] = (double)row->referrals - completed;
        /* Retention followed up at 13 months, the scenario's follow-up
         * month (exits.followup.months = [ 13 ]). */
        const uint64_t *fw = row->followup_at[0][dw];
        v[4][i] = (double)fw[1] / (double)fw[0];
    }
    if (with_times)
        for (uint32_t rep = 0; rep < n; rep++) {
            time_to tt = {{0}, {0}};
            model_result res;
            model_replication(r, rep, &tt, &res);
            model_result_free(&res);
            v[1][rep] = (tt.sum[dw] + tt.sum[ds]) / (tt.n[dw] + tt.n[ds]);
        }
    f->completers_good = interval_of(v[0], n);
    f->time_to_good = with_times ? interval_of(v[1], n) : (interval){.mean = NAN};
    f->completed = interval_of(v[2], n);
    f->not_completed = interval_of(v[3], n);
    f->retained_13 = interval_of(v[4], n);
    f->good_of_all_exits = interval_of(v[5], n);
    f->in_at_end = interval_of(v[6], n);
    for (int i = 0; i < 7; i++)
        free(v[i]);
}

static void test_etableringslyftet_reproduces_report(void **state)
{
    (void)state;
    run r = {0};
    run_scenario(&r, "seed_etableringslyftet.cfg", NULL, 0);
    etab_facts f;
    etab_read(&r, &f, 1);
    /* l.261: 461 completed, 432 of them (94 %) to work or studies, a mean
     * of 5.7 months to a job or studies; 588 in all. */
    expect_figure("completed the programme", "CALIBRATED", 461, 0, f.completed);
    expect_figure("did not complete (left early or still in)", "CALIBRATED", 127, 0, f.not_completed);
    expect_figure("completers to work or studies", "CALIBRATED", 0.94, 0.005, f.completers_good);
    expect_figure("months to work or studies (mean)", "CALIBRATED", 5.7, 0.05, f.time_to_good);
    /* l.278: 68.5 % at 13 months. INPUT: entered as the 13-month share
     * (exits.followup.months = [ 13 ]); this checks the follow-up mechanism
     * passes it through, and nothing was fitted to it. The
     * shares by sex "of all who ended" (70 % and 77 %, l.263, l.273) need
     * profiles the scenario does not have, so Etableringslyftet has no
     * CHECKED figure. */
    expect_figure("still in work 13 months after exit", "INPUT (follow-up)", 0.685, 0.0005, f.retained_13);
    /* Not reproduced, and not asserted: 70 % of women and 77 % of men "av
     * samtliga avslutade" (l.263, l.273), 73.4 % with 52 % women, is 432 of
     * all 588, as if everyone had ended by April 2022; the scenario still
     * has people in the programme then. */
    note("work or studies, of all exits (report 0.734?)", f.good_of_all_exits);
    /* The file's target divides by the completers, as the report does, so
     * what `caseflow run` prints is the completers' share above. */
    {
        const model_params *p = params_of(&r, 0);
        int dw = destination_index(p, "work"), ds = destination_index(p, "studies"),
            dt = destination_index(p, "time_limit"), k = target_index(p, "work_or_studies");
        for (size_t i = 0; i < rows_of(&r); i++) {
            const uint64_t *e = r.t.rows[i].exits_by_destination;
            double good = (double)(e[dw] + e[ds]);
            assert_true(fabs(r.t.rows[i].target_value[k] - good / (good + (double)e[dt])) < 1e-12);
        }
    }
    note("still in the programme in April 2022", f.in_at_end);
    run_free(&r);
}

static void test_etableringslyftet_assumptions(void **state)
{
    (void)state;
    /* The conclusion: nearly all completers (>= 90 %) reach work or studies
     * within about half a year (mean 5-6.5 months). */
    static const char *const variants[][1] = {
        {"staff.workers=4"}, {"staff.workers=6"}, {"staff.meeting_hours_per_day=2.25"},
        {"staff.meeting_hours_per_day=3.75"}, {"staff.turnover.tenure_months.mean=27"},
        {"staff.turnover.tenure_months.mean=45"}, {"method.time_share=0.075"}, {"method.time_share=0.125"},
        {"method.effect=0.375"}, {"method.effect=0.625"},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        run r = {0};
        const char *ov[2] = {variants[i][0], "run.replications=30"};
        run_scenario(&r, "seed_etableringslyftet.cfg", ov, 2);
        etab_facts f;
        etab_read(&r, &f, 1);
        print_message("  [%s] completers to work or studies %.3f, months to it %.2f, completed %.0f\n", variants[i][0],
                      f.completers_good.mean, f.time_to_good.mean, f.completed.mean);
        assert_true(f.completers_good.mean >= 0.90);
        assert_true(f.time_to_good.mean > 5.0 && f.time_to_good.mean < 6.5);
        run_free(&r);
    }
}

typedef struct boras_facts {
    interval caseload, exit_rate, meetings_per_household, exits_per_worker;
} boras_facts;

static void boras_read(const run *r, boras_facts *f, double workers)
{
    const model_params *p = params_of(r, 0);
    size_t n = rows_of(r);
    double months = p->horizon_months - p->warmup_months;
    int dw = destination_index(p, "work_or_studies");
    double *v[4];
    for (int i = 0; i < 4; i++)
        v[i] = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const results_row *row = &r->t.rows[i];
        v[0][i] = row->mean_active / workers;
        v[1][i] = (double)row->exits_by_destination[dw] / months / row->mean_active;
        v[2][i] = row->meetings_per_exit * (double)row->exits_measured / months / row->mean_active;
        v[3][i] = (double)row->exits_by_destination[dw] / months / workers;
    }
    f->caseload = interval_of(v[0], n);
    f->exit_rate = interval_of(v[1], n);
    f->meetings_per_household = interval_of(v[2], n);
    f->exits_per_worker = interval_of(v[3], n);
    for (int i = 0; i < 4; i++)
        free(v[i]);
}

/* Borås at about 17 households per caseworker against the same households
 * at 72 per caseworker (Malmö Rosengård's level, seed 004): "Täta
 * kontakter är personalkrävande" but "verkar generera bättre resultat"
 * (l.326, l.489). */
static void boras_compare(const char *label, const char *const *extra, int n_extra, int check_caseload)
{
    const char *ov17[4], *ov72[6];
    int n17 = 0, n72 = 0;
    ov17[n17++] = ov72[n72++] = check_caseload ? "run.replications=24" : "run.replications=12";
    for (int i = 0; i < n_extra; i++)
        ov17[n17++] = ov72[n72++] = extra[i];
    /* 720 households in service with 10 caseworkers: caps of 72, and more
     * referrals than they can take so the caseloads stay full. */
    ov72[n72++] = "staff.workers=10";
    ov72[n72++] = "staff.caseload_cap=72";
    ov72[n72++] = "referrals.rate_per_month=80";
    run r = {0};
    boras_facts a, b;
    run_scenario(&r, "seed_boras.cfg", ov17, n17);
    boras_read(&r, &a, 42);
    if (check_caseload)
        /* "i snitt ungefär 17 hushåll per handläggare" (l.326): CALIBRATED
         * (the inflow), the caseload itself comes from inflow and exits. */
        expect_figure("households per caseworker", "CALIBRATED", 720.0 / 42.0, 0.5, a.caseload);
    run_free(&r);
    run_scenario(&r, "seed_boras.cfg", ov72, n72);
    boras_read(&r, &b, 10);
    run_free(&r);
    print_message("  [%s] per household a month: meetings %.2f vs %.2f, to work or studies %.4f vs %.4f; "
                  "per caseworker a month: %.2f vs %.2f (17 vs 72 per caseworker)\n",
                  label, a.meetings_per_household.mean, b.meetings_per_household.mean, a.exit_rate.mean, b.exit_rate.mean,
                  a.exits_per_worker.mean, b.exits_per_worker.mean);
    /* INPUT by construction: with a fixed exit chance per meeting, more
     * meetings per household must mean more exits per household, and a
     * caseworker with fewer households moves fewer on. The report's claim
     * (l.326, l.489) is reproduced, not tested; its only number, 17 per
     * caseworker, is CALIBRATED, so Borås has no CHECKED figure. */
    assert_true(a.meetings_per_household.ci_lo > 1.25 * b.meetings_per_household.ci_hi);
    assert_true(a.exit_rate.ci_lo > 1.25 * b.exit_rate.ci_hi);
    assert_true(a.exits_per_worker.ci_hi < b.exits_per_worker.ci_lo);
}

static void test_boras_intensive_casework(void **state)
{
    (void)state;
    boras_compare("base", NULL, 0, 1);
    static const char *const v[][1] = {
        {"staff.meeting_hours_per_day=2.25"}, {"staff.meeting_hours_per_day=3.75"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        boras_compare(v[i][0], v[i], 1, 0);
}

/* ---- seed 004: FA-N ------------------------------------------------------- */

typedef struct fan_facts {
    interval consultations, families, utilisation, spring_rate, autumn_rate, ratio;
    proportion target_met;
} fan_facts;

static void fan_read(const run *r, fan_facts *f)
{
    const model_params *p = params_of(r, 0);
    size_t n = rows_of(r);
    int k4 = target_index(p, "families_by_jun2012"), k7 = target_index(p, "families_by_sep2012"),
        k11 = target_index(p, "families_by_dec2012");
    double *v[6];
    for (int i = 0; i < 6; i++)
        v[i] = malloc(n * sizeof(double));
    double pooled_spring = 0, pooled_autumn = 0;
    for (size_t i = 0; i < n; i++) {
        const results_row *row = &r->t.rows[i];
        v[0][i] = (double)row->referrals;
        v[1][i] = row->target_value[k11];
        v[2][i] = row->utilisation;
        v[3][i] = row->target_value[k4] / 4.0;
        v[4][i] = (row->target_value[k11] - row->target_value[k7]) / 4.0;
        v[5][i] = row->target_met[k11];
        pooled_spring += v[3][i];
        pooled_autumn += v[4][i];
    }
    f->consultations = interval_of(v[0], n);
    f->families = interval_of(v[1], n);
    f->utilisation = interval_of(v[2], n);
    f->spring_rate = interval_of(v[3], n);
    f->autumn_rate = interval_of(v[4], n);
    f->target_met = proportion_of(v[5], n);
    f->ratio = (interval){.mean = pooled_autumn / pooled_spring};
    for (int i = 0; i < 6; i++)
        free(v[i]);
}

static void fan_conclusions(const char *label, const fan_facts *f)
{
    print_message("  [%s] consultations %.1f, families %.1f, autumn/spring pace %.2f, process leader busy %.3f\n", label,
                  f->consultations.mean, f->families.mean, f->ratio.mean, f->utilisation.mean);
    /* Referrals dried up as the unit's caseload rose (l.2342, l.2410):
     * the autumn's pace at least 40 % below the spring's. INPUT by
     * construction: the caseload path is entered and the referral rate
     * falls with it by the assumed throttle (full at 45, none at 100). */
    if (!(f->ratio.mean < 0.6))
        fail_msg("%s: autumn/spring pace %.2f", label, f->ratio.mean);
    /* The process leader at times had too little to do (l.6658). CHECKED
     * (weak, qualitative): nothing was fitted to the leader's time; it rests
     * on the calibrated inflow and the assumed meeting lengths. */
    if (!(f->utilisation.ci_hi < 0.5))
        fail_msg("%s: process leader busy %.3f of meeting time", label, f->utilisation.mean);
}

static void test_fan_reproduces_report(void **state)
{
    (void)state;
    run r = {0};
    run_scenario(&r, "seed_fan.cfg", NULL, 0);
    fan_facts f;
    fan_read(&r, &f);
    expect_figure("families raised for consultation, Feb-Dec 2012", "CALIBRATED", 27, 0, f.consultations);
    /* INPUT (near identity): acceptance is entered as 14 / 27, so the
     * expected count is 14 / 27 of the calibrated 27. */
    expect_figure("went on to preparatory meetings", "INPUT (14/27 x 27)", 14, 0, f.families);
    note("families accepted a month, Feb-May", f.spring_rate);
    note("families accepted a month, Sep-Dec", f.autumn_rate);
    note("process leader's time in meetings", f.utilisation);
    fan_conclusions("base", &f);
    /* 15 families reached "om än med viss fördröjning" (l.7047): not by
     * December 2012 as a rule, but within the funded 1.5 years. Near
     * identity: the count by December is the 14 above, so this mostly
     * restates the input; the months after December rest on the assumed
     * caseload of 95. */
    print_message("  P(15 families by Dec 2012) %.2f [%.2f, %.2f]\n", f.target_met.p, f.target_met.lo, f.target_met.hi);
    assert_true(f.target_met.p < 0.5);
    run_free(&r);
    static const edit longer[] = {
        {"value = 15.0; deadline_month = 11.0; }", "value = 15.0; deadline_month = 11.0; },\n"
                                                   "  { name = \"families_by_jul2013\"; kind = \"enrolled\"; value = 15.0; "
                                                   "deadline_month = 18.0; }"}};
    static const char *const to18[] = {"run.horizon_months=18"};
    run_variant(&r, "seed_fan.cfg", longer, 1, to18, 1);
    double met[1000];
    int k = target_index(params_of(&r, 0), "families_by_jul2013");
    for (size_t i = 0; i < rows_of(&r); i++)
        met[i] = r.t.rows[i].target_met[k];
    proportion p18 = proportion_of(met, rows_of(&r));
    print_message("  P(15 families by July 2013, month 18) %.2f [%.2f, %.2f]\n", p18.p, p18.lo, p18.hi);
    assert_true(p18.lo > 0.5);
    run_free(&r);

    /* Counterfactual (the model's answer, no report figure): had the unit
     * stayed at 72 cases each, the referrals would not have dried up and 15
     * families would most likely have been reached within 2012. */
    static const edit flat[] = {{"{ month = 7.0; value = 84.0; }", "{ month = 7.0; value = 72.0; }"},
                                {"{ month = 10.0; value = 95.0; }", "{ month = 10.0; value = 72.0; }"}};
    run_variant(&r, "seed_fan.cfg", flat, 2, NULL, 0);
    fan_facts g;
    fan_read(&r, &g);
    print_message("  [caseload held at 72] consultations %.1f, families %.1f, autumn/spring %.2f, "
                  "P(15 by Dec 2012) %.2f\n", g.consultations.mean, g.families.mean, g.ratio.mean, g.target_met.p);
    assert_true(g.ratio.mean > 0.8);
    assert_true(g.target_met.lo > 0.5);
    run_free(&r);
}

static void test_fan_assumptions(void **state)
{
    (void)state;
    typedef struct variant {
        const char *label;
        edit e;
        const char *ov;
    } variant;
    static const variant variants[] = {
        {"full rate below 40", {"full_rate_below = 45.0;", "full_rate_below = 40.0;"}, NULL},
        {"full rate below 50", {"full_rate_below = 45.0;", "full_rate_below = 50.0;"}, NULL},
        {"zero rate above 90", {"zero_rate_above = 100.0;", "zero_rate_above = 90.0;"}, NULL},
        {"zero rate above 110", {"zero_rate_above = 100.0;", "zero_rate_above = 110.0;"}, NULL},
        {"84 cases by June", {"{ month = 7.0; value = 84.0; }", "{ month = 5.0; value = 84.0; }"}, NULL},
        {"84 cases by October", {"{ month = 7.0; value = 84.0; }", "{ month = 8.5; value = 84.0; }"}, NULL},
        {"90 cases in December", {"{ month = 10.0; value = 95.0; }", "{ month = 10.0; value = 90.0; }"}, NULL},
        {"100 cases in December", {"{ month = 10.0; value = 95.0; }", "{ month = 10.0; value = 100.0; }"}, NULL},
        {"meetings 25 % longer", {"mean = 2.5; sd = 0.5;", "mean = 3.125; sd = 0.625;"}, NULL},
        {"2.25 hours a day", {NULL, NULL}, "staff.meeting_hours_per_day=2.25"},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *v = &variants[i];
        run r = {0};
        const char *ov[1] = {v->ov};
        run_variant(&r, "seed_fan.cfg", &v->e, v->e.find ? 1 : 0, ov, v->ov ? 1 : 0);
        fan_facts f;
        fan_read(&r, &f);
        fan_conclusions(v->label, &f);
        run_free(&r);
    }
}

/* ---- sensitivity of the calibrated figures to the assumed mechanisms ------
 *
 * Each mechanism a seed scenario assumes (the report gives no number for it)
 * is switched off in turn, everything else as shipped, and every calibrated
 * figure of that seed is measured again, paired by replication with the
 * shipped scenario. The table printed here is the one in docs/SEEDS.md
 * (SEEDS_FILTER='*sensitivity*' build/tests/test_seeds). Each row's size
 * class is asserted, so the words docs/SEEDS.md uses for it ("small",
 * "large") are the run's: by the mean change relative to the shipped value,
 * "none" when the paired 95 % interval holds 0 and the change is under 2 %,
 * else "negligible" (< 2 %), "small" (< 5 %), "moderate" (< 15 %), "large". */

typedef double (*figure_fn)(const run *r, size_t row);

static double fig_malmo_by16(const run *r, size_t i)
{
    return r->t.rows[i].target_value[target_index(params_of(r, 0), "good_by_jun2019")];
}

static double fig_mia_men_ws(const run *r, size_t i)
{
    const model_params *p = params_of(r, 0);
    const results_row *row = &r->t.rows[i];
    double all = 0;
    for (int d = 0; d < p->destinations; d++)
        all += (double)row->exits_by_profile[1][d];
    return (double)(row->exits_by_profile[1][destination_index(p, "work")] +
                    row->exits_by_profile[1][destination_index(p, "studies")]) / all;
}

static double fig_mia_successor(const run *r, size_t i)
{
    const results_row *row = &r->t.rows[i];
    return (double)row->transferred / ((double)row->exits + (double)row->transferred + (double)row->active_at_end);
}

static double ips_remaining(const run *r, size_t i)
{
    const results_row *row = &r->t.rows[i];
    return (double)row->referrals - (double)row->exits_by_destination[destination_index(params_of(r, 0), "lost")];
}

static double fig_ips_lost(const run *r, size_t i)
{
    return (double)r->t.rows[i].exits_by_destination[destination_index(params_of(r, 0), "lost")];
}

static double fig_ips_paid(const run *r, size_t i)
{
    return (double)r->t.rows[i].exits_by_destination[destination_index(params_of(r, 0), "paid_work")] /
           ips_remaining(r, i);
}

static double fig_ips_other(const run *r, size_t i)
{
    return (double)r->t.rows[i].exits_by_destination[destination_index(params_of(r, 0), "other_occupation")] /
           ips_remaining(r, i);
}

static double fig_ips_none(const run *r, size_t i)
{
    return (double)r->t.rows[i].active_at_end / ips_remaining(r, i);
}

static double etab_good(const run *r, size_t i)
{
    const model_params *p = params_of(r, 0);
    const uint64_t *e = r->t.rows[i].exits_by_destination;
    return (double)(e[destination_index(p, "work")] + e[destination_index(p, "studies")]);
}

static double fig_etab_completed(const run *r, size_t i)
{
    return etab_good(r, i) +
           (double)r->t.rows[i].exits_by_destination[destination_index(params_of(r, 0), "time_limit")];
}

static double fig_etab_not_completed(const run *r, size_t i)
{
    return (double)r->t.rows[i].referrals - fig_etab_completed(r, i);
}

static double fig_etab_completers_good(const run *r, size_t i)
{
    return etab_good(r, i) / fig_etab_completed(r, i);
}

static double fig_etab_months(const run *r, size_t i)
{
    const model_params *p = params_of(r, 0);
    time_to tt = {{0}, {0}};
    model_result res;
    model_replication(r, r->t.rows[i].replication, &tt, &res);
    model_result_free(&res);
    int dw = destination_index(p, "work"), ds = destination_index(p, "studies");
    return (tt.sum[dw] + tt.sum[ds]) / (tt.n[dw] + tt.n[ds]);
}

static double fig_boras_caseload(const run *r, size_t i)
{
    return r->t.rows[i].mean_active / 42.0;
}

static double fig_fan_consultations(const run *r, size_t i)
{
    return (double)r->t.rows[i].referrals;
}

enum { SENS_MAX_FIGURES = 4, SENS_MAX_EDITS = 9, SENS_MAX_REPS = 400 };

typedef struct sens_mechanism {
    const char *label;
    edit every[SENS_MAX_EDITS]; /* every occurrence replaced */
    int n_every;
    edit once[2];               /* exactly one occurrence */
    int n_once;
    const char *ov;             /* an override, or NULL */
    const char *expected[SENS_MAX_FIGURES]; /* size class, per figure */
} sens_mechanism;

typedef struct sens_seed {
    const char *seed, *config;
    const char *base_ov[2];
    int n_base_ov;
    const char *figure_label[SENS_MAX_FIGURES];
    figure_fn figure[SENS_MAX_FIGURES];
    int n_figures;
    sens_mechanism mech[12];
    int n_mech;
} sens_seed;

static void sens_values(const run *r, const sens_seed *sd, double v[SENS_MAX_FIGURES][SENS_MAX_REPS], size_t *n)
{
    *n = rows_of(r);
    assert_true(*n <= SENS_MAX_REPS);
    for (size_t i = 0; i < *n; i++) {
        uint32_t rep = r->t.rows[i].replication;
        assert_true(rep < *n);
        for (int f = 0; f < sd->n_figures; f++)
            v[f][rep] = sd->figure[f](r, i);
    }
}

static const char *size_class(double rel, interval d)
{
    double a = fabs(rel);
    if (d.ci_lo <= 0 && d.ci_hi >= 0 && a < 0.02)
        return "none";
    return a < 0.02 ? "negligible" : a < 0.05 ? "small" : a < 0.15 ? "moderate" : "large";
}

static void sens_run_seed(const sens_seed *sd)
{
    static double base[SENS_MAX_FIGURES][SENS_MAX_REPS], var[SENS_MAX_FIGURES][SENS_MAX_REPS];
    run r = {0};
    size_t n, m;
    run_scenario(&r, sd->config, sd->base_ov, sd->n_base_ov);
    sens_values(&r, sd, base, &n);
    run_free(&r);
    for (int k = 0; k < sd->n_mech; k++) {
        const sens_mechanism *mc = &sd->mech[k];
        const char *ov[3];
        int n_ov = 0;
        for (int i = 0; i < sd->n_base_ov; i++)
            ov[n_ov++] = sd->base_ov[i];
        if (mc->ov)
            ov[n_ov++] = mc->ov;
        run_variant_every(&r, sd->config, mc->every, mc->n_every, mc->once, mc->n_once, ov, n_ov);
        sens_values(&r, sd, var, &m);
        run_free(&r);
        assert_int_equal(m, n);
        for (int f = 0; f < sd->n_figures; f++) {
            double d[SENS_MAX_REPS];
            for (size_t i = 0; i < n; i++)
                d[i] = var[f][i] - base[f][i];
            interval b = interval_of(base[f], n), v = interval_of(var[f], n), di = interval_of(d, n);
            double rel = di.mean / fabs(b.mean);
            const char *cls = size_class(rel, di);
            int digits = fabs(b.mean) >= 100 ? 0 : fabs(b.mean) >= 10 ? 1 : 3;
            print_message("| %s | %s | %s | %.*f | %.*f | %+.*f [%+.*f, %+.*f] | %+.1f %% | %s |\n", sd->seed,
                          sd->figure_label[f], mc->label, digits, b.mean, digits, v.mean, digits, di.mean, digits,
                          di.ci_lo, digits, di.ci_hi, 100 * rel, cls);
            if (mc->expected[f] && strcmp(mc->expected[f], cls) != 0)
                fail_msg("%s, %s without %s: moved %+.1f %%, a %s change; docs/SEEDS.md says %s", sd->seed,
                         sd->figure_label[f], mc->label, 100 * rel, cls, mc->expected[f]);
        }
    }
}

static void test_sensitivity_to_mechanisms(void **state)
{
    (void)state;
    static const sens_seed seeds[] = {
        {"Malmökraften", "seed_malmokraften.cfg", {"run.horizon_months=24"}, 1,
         {"work or studies by month 16"}, {fig_malmo_by16}, 1,
         {
             {"team maturity", {{NULL, NULL}}, 0, {{"  maturity = { months_to_full = 9.0; start = 0.7; };", ""}}, 1,
              NULL, {"large"}},
             {"turnover", {{NULL, NULL}}, 0,
              {{"  turnover = {\n    tenure_months = { dist = \"exponential\"; mean = 24.0; };\n"
                "    vacancy_days = { dist = \"gamma\"; mean = 60.0; sd = 20.0; };\n    on_leave = \"reassign\";\n"
                "    progress_lost = 0.3;\n  };",
                ""}},
              1, NULL, {"moderate"}},
             {"ramp-up (all teams from month 0)",
              {{"start_month = 0.9; ", ""}, {"start_month = 1.75; ", ""}, {"start_month = 2.6; ", ""},
               {"start_month = 3.5; ", ""}, {"start_month = 4.4; ", ""}, {"start_month = 5.25; ", ""},
               {"start_month = 6.1; ", ""}, {"start_month = 7.0; ", ""}},
              8, {{NULL, NULL}}, 0, NULL, {"large"}},
             {"AF decisions (no phase waits for AF)", {{"needs_decision = true; ", ""}}, 1, {{NULL, NULL}}, 0, NULL,
              {"large"}},
             {"consultative call-ins",
              {{"call_in_probability = 0.02;", "call_in_probability = 0.0;"},
               {"call_in_probability = 0.03;", "call_in_probability = 0.0;"},
               {"call_in_probability = 0.05;", "call_in_probability = 0.0;"}},
              3, {{NULL, NULL}}, 0, NULL, {"none"}},
             {"extratjänster (the measure)", {{NULL, NULL}}, 0, {{" measure = \"extratjanst\";\n", "\n"}}, 1, NULL,
              {"large"}},
             {"six-month limit", {{NULL, NULL}}, 0, {{"programme: { max_months = 6.0; };", ""}}, 1, NULL, {"large"}},
             {"readiness by profile",
              {{"readiness = -0.5;", "readiness = 0.0;"}, {"readiness = -0.3;", "readiness = 0.0;"},
               {"readiness =  0.0;", "readiness = 0.0;"}, {"readiness =  0.2;", "readiness = 0.0;"},
               {"readiness = -0.8;", "readiness = 0.0;"}},
              5, {{NULL, NULL}}, 0, NULL, {"large"}},
             {"need by profile (meeting length)",
              {{"need = 1.3;", "need = 1.0;"}, {"need = 1.1;", "need = 1.0;"}, {"need = 1.5;", "need = 1.0;"},
               {"need = 1.2;", "need = 1.0;"}},
              4, {{NULL, NULL}}, 0, NULL, {"large"}},
             {"regression while waiting", {{NULL, NULL}}, 0, {{NULL, NULL}}, 0,
              "waiting.readiness_decay_per_month=0", {"none"}},
             {"giving up while waiting", {{NULL, NULL}}, 0,
              {{"  patience_days = { dist = \"exponential\"; mean = 90.0; };", ""}}, 1, NULL, {"small"}},
             {"sites (AF offices tied to their lag)",
              {{" site = \"lag1\";", ""}, {" site = \"lag2\";", ""}, {" site = \"lag3\";", ""}}, 3,
              {{"sites = ( { name = \"lag1\"; }, { name = \"lag2\"; }, { name = \"lag3\"; } );\n", ""}}, 1, NULL,
              {"negligible"}},
         },
         12},
        {"MIA", "seed_mia.cfg", {NULL}, 0,
         {"men: work or studies, of men who exited", "went on to MIA Vidare (transfer at the close)"},
         {fig_mia_men_ws, fig_mia_successor}, 2,
         {
             {"introduction phase (two meetings)", {{NULL, NULL}}, 0,
              {{"  { name = \"intro_planering\";\n    meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
                "    own_time_days = { dist = \"exponential\"; mean = 14.0; };\n    progress_per_meeting = 0.5; },\n",
                ""}},
              1, NULL, {"none", "moderate"}},
             {"coaches' meeting hours (unlimited)", {{NULL, NULL}}, 0, {{NULL, NULL}}, 0,
              "staff.meeting_hours_per_day=24", {"none", "small"}},
         },
         2},
        {"IPS", "seed_ips.cfg", {NULL}, 0,
         {"lost before the measurement", "paid work, of those remaining", "other occupation, of those remaining",
          "no occupation yet, of those remaining"},
         {fig_ips_lost, fig_ips_paid, fig_ips_other, fig_ips_none}, 4,
         {
             {"vocational-profile phase (two meetings)", {{NULL, NULL}}, 0,
              {{"  { name = \"yrkesprofil\";\n    meeting_hours = { dist = \"gamma\"; mean = 1.0; sd = 0.3; };\n"
                "    own_time_days = { dist = \"exponential\"; mean = 7.0; };\n    progress_per_meeting = 0.5; },\n",
                ""}},
              1, NULL, {"negligible", "negligible", "negligible", "small"}},
             {"coaches' meeting hours (unlimited)", {{NULL, NULL}}, 0, {{NULL, NULL}}, 0,
              "staff.meeting_hours_per_day=24", {"small", "small", "small", "moderate"}},
         },
         2},
        {"Etableringslyftet", "seed_etableringslyftet.cfg", {NULL}, 0,
         {"completed", "did not complete", "completers to work or studies", "months to work or studies"},
         {fig_etab_completed, fig_etab_not_completed, fig_etab_completers_good, fig_etab_months}, 4,
         {
             {"turnover", {{NULL, NULL}}, 0,
              {{"  turnover = {\n    tenure_months = { dist = \"exponential\"; mean = 36.0; };\n"
                "    vacancy_days = { dist = \"gamma\"; mean = 60.0; sd = 20.0; };\n    on_leave = \"reassign\";\n"
                "    progress_lost = 0.2;\n  };\n",
                ""}},
              1, NULL, {"negligible", "moderate", "negligible", "small"}},
             {"learning (new coaches slower)", {{NULL, NULL}}, 0,
              {{"  learning = { months_to_full = 6.0; start_productivity = 0.7; };", ""}}, 1, NULL,
              {"none", "none", "none", "none"}},
             {"method development (employer network)", {{NULL, NULL}}, 0,
              {{"method: {\n  time_share = 0.1;\n  gain_per_month = 1.0;\n  decay_per_month = 0.05;\n  effect = 0.5;\n"
                "  half_saturation = 2.0;\n  turnover_loss = 1.0;\n};",
                ""}},
              1, NULL, {"moderate", "large", "moderate", "large"}},
             {"giving up while waiting", {{NULL, NULL}}, 0,
              {{"  patience_days = { dist = \"exponential\"; mean = 60.0; };", ""}}, 1, NULL,
              {"negligible", "small", "none", "none"}},
             {"coaches' meeting hours (unlimited)", {{NULL, NULL}}, 0, {{NULL, NULL}}, 0,
              "staff.meeting_hours_per_day=24", {"negligible", "moderate", "negligible", "moderate"}},
         },
         5},
        {"Borås", "seed_boras.cfg", {NULL}, 0, {"households per caseworker"}, {fig_boras_caseload}, 1,
         {
             {"caseload cap (40)", {{NULL, NULL}}, 0, {{NULL, NULL}}, 0, "staff.caseload_cap=1000", {"none"}},
             {"caseworkers' meeting hours (unlimited)", {{NULL, NULL}}, 0, {{NULL, NULL}}, 0,
              "staff.meeting_hours_per_day=24", {"small"}},
         },
         2},
        {"FA-N", "seed_fan.cfg", {NULL}, 0, {"families raised for consultation"}, {fig_fan_consultations}, 1,
         {
             {"referring unit's load (throttle)", {{NULL, NULL}}, 0,
              {{"    unit = { caseworkers = 1.0;\n             cases = ( { month = 0.0; value = 72.0; }, "
                "{ month = 7.0; value = 84.0; },\n                       { month = 10.0; value = 95.0; } );\n"
                "             full_rate_below = 45.0; zero_rate_above = 100.0; }; }",
                "    }"}},
              1, NULL, {"large"}},
             {"process leader's cap (15)", {{NULL, NULL}}, 0, {{NULL, NULL}}, 0, "staff.caseload_cap=1000", {"none"}},
         },
         2},
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        sens_run_seed(&seeds[i]);
}

/* ---- volume versus method ------------------------------------------------- */

/* Paired difference a - b over replications (common random numbers). */
static interval paired_difference(const double *a, const double *b, int n)
{
    double d[64];
    for (int i = 0; i < n; i++)
        d[i] = a[i] - b[i];
    return interval_of(d, (size_t)n);
}

/* A reduced grid of configs/study_volume_method.cfg (same base and fixed
 * keys): caseload caps 15, 30, 50; method time 0, 0.1, 0.3; mean tenure 12
 * and 120 months. What the full study shows (docs/SEEDS.md) must hold here:
 * exits to work or studies peak at an inner cap and an inner time share,
 * and high turnover lowers the peak. Differences are paired by replication
 * (common random numbers). */
static void test_volume_method_trade_off(void **state)
{
    (void)state;
    char base[PATH_MAX], dir[PATH_MAX], study_path[PATH_MAX + 16], text[3 * PATH_MAX];
    ts_source_path("configs/seed_etableringslyftet.cfg", base);
    char absbase[2 * PATH_MAX], cwd[PATH_MAX];
    if (base[0] == '/')
        snprintf(absbase, sizeof absbase, "%s", base);
    else if (getcwd(cwd, sizeof cwd))
        snprintf(absbase, sizeof absbase, "%s/%s", cwd, base);
    else
        fail_msg("getcwd: %s", strerror(errno));
    ts_make_temp_dir(dir);
    snprintf(study_path, sizeof study_path, "%s/study.cfg", dir);
    snprintf(text, sizeof text,
             "study: { name = \"volume_method_small\"; base = \"%s\"; replications = 12; seed = 20181001L;\n"
             "  grid = ( { key = \"referrals.rate_per_month\"; values = [ 30.0 ]; },\n"
             "           { key = \"staff.turnover.tenure_months.mean\"; values = [ 12.0, 120.0 ]; },\n"
             "           { key = \"staff.caseload_cap\"; values = [ 15, 30, 50 ]; },\n"
             "           { key = \"method.time_share\"; values = [ 0.0, 0.1, 0.3 ]; } ); };\n",
             absbase);
    ts_write_file(study_path, text, strlen(text));
    run r = {0};
    config_error err;
    if (study_load(&r.st, study_path, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    r.loaded = 1;
    ts_remove_tree(dir);
    runner_options opt = {.threads = 2, .progress = 0};
    char msg[512];
    if (runner_run(&r.st, 0, study_trial_count(&r.st), &opt, NULL, &r.t, msg, sizeof msg) != 0)
        fail_msg("runner_run: %s", msg);
    const model_params *p = params_of(&r, 0);
    int dw = destination_index(p, "work"), ds = destination_index(p, "studies");
    int R = r.st.replications;
    double months = p->horizon_months - p->warmup_months;
    /* Scenario index of (tenure t, cap c, share s): the grid's last key varies fastest. */
#define SCEN(t, c, s) (1 + (t) * 9 + (c) * 3 + (s))
    double per_year[19][64];
    assert_true(r.st.scenario_count == 19 && R <= 64);
    for (size_t i = 0; i < rows_of(&r); i++) {
        const results_row *row = &r.t.rows[i];
        per_year[row->scenario][row->replication] =
            (double)(row->exits_by_destination[dw] + row->exits_by_destination[ds]) / months * 12.0;
    }
    static const double caps[] = {15, 30, 50}, shares[] = {0, 0.1, 0.3}, tenures[] = {12, 120};
    for (int t = 0; t < 2; t++) {
        print_message("  tenure %3.0f months: exits to work or studies a year (cap x method time share)\n", tenures[t]);
        for (int c = 0; c < 3; c++) {
            char line[256];
            int at = snprintf(line, sizeof line, "    cap %2.0f:", caps[c]);
            for (int s = 0; s < 3; s++) {
                interval iv = interval_of(per_year[SCEN(t, c, s)], (size_t)R);
                at += snprintf(line + at, sizeof line - (size_t)at, "  %.2f: %6.1f [%6.1f, %6.1f]", shares[s], iv.mean,
                               iv.ci_lo, iv.ci_hi);
            }
            print_message("%s\n", line);
        }
    }
#define PAIRED(a, b) paired_difference(per_year[a], per_year[b], R)
    for (int t = 0; t < 2; t++) {
        /* An inner peak in volume: cap 30 beats 15 and 50 (method time 0.1). */
        interval lo = PAIRED(SCEN(t, 1, 1), SCEN(t, 0, 1)), hi = PAIRED(SCEN(t, 1, 1), SCEN(t, 2, 1));
        print_message("  tenure %.0f: cap 30 minus cap 15 %+.1f [%+.1f, %+.1f], minus cap 50 %+.1f [%+.1f, %+.1f]\n",
                      tenures[t], lo.mean, lo.ci_lo, lo.ci_hi, hi.mean, hi.ci_lo, hi.ci_hi);
        assert_true(lo.ci_lo > 0 && hi.ci_lo > 0);
        /* An inner optimum in method time at cap 30: 0.1 beats 0 and 0.3. */
        interval none = PAIRED(SCEN(t, 1, 1), SCEN(t, 1, 0)), much = PAIRED(SCEN(t, 1, 1), SCEN(t, 1, 2));
        print_message("  tenure %.0f: share 0.1 minus 0 %+.1f [%+.1f, %+.1f], minus 0.3 %+.1f [%+.1f, %+.1f]\n",
                      tenures[t], none.mean, none.ci_lo, none.ci_hi, much.mean, much.ci_lo, much.ci_hi);
        assert_true(none.ci_lo > 0 && much.ci_lo > 0);
        /* Where coaches have time to spare (cap 15), more method time is free: 0.3 is no worse than 0.1. */
        interval spare = PAIRED(SCEN(t, 0, 2), SCEN(t, 0, 1));
        assert_true(spare.ci_hi > 0);
    }
    /* High turnover lowers the peak by more than a tenth. */
    interval peak = PAIRED(SCEN(0, 1, 1), SCEN(1, 1, 1));
    print_message("  peak at tenure 12 minus tenure 120: %+.1f [%+.1f, %+.1f] a year\n", peak.mean, peak.ci_lo,
                  peak.ci_hi);
    assert_true(peak.ci_hi < -0.1 * interval_of(per_year[SCEN(1, 1, 1)], (size_t)R).mean);
#undef PAIRED
#undef SCEN
    run_free(&r);
}

/* Each test's wall time, for the timings in docs/SEEDS.md. */
static struct timespec test_started;

static int start_clock(void **state)
{
    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &test_started);
    return 0;
}

static int print_clock(void **state)
{
    (void)state;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    print_message("  (%.1f s)\n", (double)(now.tv_sec - test_started.tv_sec) +
                                       1e-9 * (double)(now.tv_nsec - test_started.tv_nsec));
    return 0;
}

#define TIMED(f) cmocka_unit_test_setup_teardown(f, start_clock, print_clock)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TIMED(test_malmokraften_reproduces_report),
        TIMED(test_malmokraften_assumptions),
        TIMED(test_mia_reproduces_report),
        TIMED(test_mia_assumptions),
        TIMED(test_ips_reproduces_report),
        TIMED(test_etableringslyftet_reproduces_report),
        TIMED(test_etableringslyftet_assumptions),
        TIMED(test_boras_intensive_casework),
        TIMED(test_fan_reproduces_report),
        TIMED(test_fan_assumptions),
        TIMED(test_volume_method_trade_off),
        TIMED(test_sensitivity_to_mechanisms),
    };
    /* SEEDS_FILTER=pattern runs only the matching tests (cmocka's wildcards),
     * e.g. the sensitivity table alone: SEEDS_FILTER='*sensitivity*'. */
    const char *filter = getenv("SEEDS_FILTER");
    if (filter && *filter)
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests_name("seeds", tests, NULL, NULL);
}
