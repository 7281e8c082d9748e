/*
 * test_uppsala.c — seed 002, Samordningsförbundet i Uppsala län: a förbund
 * funding several small projects (configs/seed_uppsala.cfg), with the
 * per-actor ledger of sim/output/money.c.
 *
 * What each figure is (docs/SEEDS.md has the table):
 *  - CALIBRATED: each project's cost per participant (its inflow is tuned to
 *    it); the median of the four simulated costs follows from them, so it
 *    is calibrated too and is compared with the median of the same four
 *    reported costs (72 000), not with the report's 52 000 over nine.
 *  - INPUT: Jobbstudion's per-actor results. The state after exit is entered
 *    in the proportions of Jobbstudion's ledger (configs/money_jobbstudion.cfg)
 *    and the coaches' cost in its cost shares, so the per-actor gains are
 *    the ledger's by construction; the test checks that they pass through
 *    the simulation and that the nets per participant land on the report's.
 *  - INPUT: decay at United Action and growth at Växthuset (follow-up).
 *  - By construction: decay lowers and growth raises the five-year result
 *    against the same project without it (the report's warning that
 *    one-year results stand in for the long term, L1260, and that forecasts
 *    were "något för positiv", L1642). The size is the model's.
 *  - CHECKED: Växthuset's 42 of 66 active in work, a labour-market
 *    programme or studies after the project (L568). Nothing was fitted to
 *    it: the exit shares are one assumption for all four projects.
 */
#include "test_support.h"

#include "scenario/study.h"
#include "output/money.h"
#include "app/runner.h"

static void load(study *st, const char *path, const char *const *ov, int n)
{
    char full[PATH_MAX];
    ts_source_path(path, full);
    config_error err;
    if (study_load(st, full, ov, n, &err) != 0)
        fail_msg("study_load: %s", err.message);
}

static void run(const study *st, runner_totals *t)
{
    runner_options opt = {.threads = 2};
    char err[512];
    if (runner_run(st, 0, study_trial_count(st), &opt, NULL, t, err, sizeof err) != 0)
        fail_msg("runner_run: %s", err);
    assert_non_null(t->money);
}

static const results_summary *metric(const results_summary *s, size_t n, uint32_t scenario, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].scenario == scenario && strcmp(s[i].metric, name) == 0)
            return &s[i];
    fail_msg("no metric %s for scenario %u", name, scenario);
    return NULL;
}

static int scenario_index(const study *st, const char *name)
{
    for (int s = 0; s < st->scenario_count; s++)
        if (strcmp(st->scenarios[s].name, name) == 0)
            return s;
    fail_msg("no scenario %s", name);
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_cost_per_participant(void **state)
{
    (void)state;
    study st;
    load(&st, "configs/seed_uppsala.cfg", NULL, 0);
    runner_totals t;
    run(&st, &t);
    results_summary *sum;
    results_difference *diff;
    size_t ns, nd;
    assert_int_equal(money_summarise(t.money, t.row_count, st.scenario_count, &st.scenarios[0].sc.money,
                                     st.common_random_numbers, &sum, &ns, &diff, &nd),
                     0);
    static const struct {
        const char *name;
        double reported;
    } projects[] = {{"jobbstudion", 52000}, {"gron_rehab", 96000}, {"united_action", 36000}, {"vaxthuset", 92000}};
    enum { PROJECTS = sizeof projects / sizeof projects[0] };
    double means[PROJECTS], halves[PROJECTS];
    for (size_t i = 0; i < PROJECTS; i++) {
        const results_summary *c =
            metric(sum, ns, (uint32_t)scenario_index(&st, projects[i].name), "money.cost_per_participant");
        print_message("  %s: cost per participant %.0f [%.0f, %.0f] kr, reported %.0f (CALIBRATED)\n", projects[i].name,
                      c->mean, c->ci_low, c->ci_high, projects[i].reported);
        assert_true(c->ci_low <= projects[i].reported && projects[i].reported <= c->ci_high);
        means[i] = c->mean;
        halves[i] = (c->ci_high - c->ci_low) / 2;
    }
    /* The median of the four: (52 000 + 92 000) / 2 = 72 000 from the
     * report's costs (L1626, L1635). It follows from the calibrated costs
     * (CALIBRATED); its tolerance is the half-width of the mean of the two
     * middle costs' intervals. The report's median 52 000 is over nine
     * projects (digest 3.7), five of which are not simulated here. */
    double reported[PROJECTS];
    for (size_t i = 0; i < PROJECTS; i++)
        reported[i] = projects[i].reported;
    qsort(reported, PROJECTS, sizeof reported[0], cmp_double);
    double reported_median = (reported[1] + reported[2]) / 2;
    assert_true(reported_median == 72000);
    size_t order[PROJECTS] = {0, 1, 2, 3};
    for (size_t i = 0; i < PROJECTS; i++)
        for (size_t j = i + 1; j < PROJECTS; j++)
            if (means[order[j]] < means[order[i]]) {
                size_t tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
    double median = (means[order[1]] + means[order[2]]) / 2;
    double half = (halves[order[1]] + halves[order[2]]) / 2;
    print_message("  median of the four simulated costs %.0f +- %.0f kr (the four reported: 72 000; CALIBRATED)\n",
                  median, half);
    assert_true(fabs(median - reported_median) <= half);
    free(sum);
    free(diff);

    runner_totals_free(&t);
    study_free(&st);

    /* Decay and growth after exit, pooled over replications (binomial):
     * only early exits reach 24 months within the horizon, so this needs
     * more replications than the costs. INPUT: the follow-up shares are
     * entered; this checks they come through. */
    static const char *const more[] = {"run.replications=200"};
    load(&st, "configs/seed_uppsala.cfg", more, 1);
    run(&st, &t);
    int work = -1;
    for (int d = 0; d < st.scenarios[0].sc.model.destinations; d++)
        if (strcmp(st.scenarios[0].sc.model.destination_names[d], "work") == 0)
            work = d;
    assert_true(work >= 0);
    static const char *const follow[] = {"united_action", "vaxthuset"};
    for (int k = 0; k < 2; k++) {
        uint32_t s = (uint32_t)scenario_index(&st, follow[k]);
        double f12 = 0, in12 = 0, f24 = 0, in24 = 0;
        for (size_t i = 0; i < t.row_count; i++)
            if (t.rows[i].scenario == s) {
                f12 += (double)t.rows[i].followup[work][0];
                in12 += (double)t.rows[i].followup[work][1];
                f24 += (double)t.rows[i].followup[work][2];
                in24 += (double)t.rows[i].followup[work][3];
            }
        double p12 = in12 / f12, p24 = in24 / f24;
        double se = sqrt(p12 * (1 - p12) / f12 + p24 * (1 - p24) / f24);
        print_message("  %s: in work 12 months after exit %.3f (n %.0f), 24 months %.3f (n %.0f)\n", follow[k], p12,
                      f12, p24, f24);
        if (k == 0)
            assert_true(p12 - p24 > ts_z(0.99) * se); /* decay */
        else
            assert_true(p24 - p12 > ts_z(0.99) * se); /* growth */
    }
    runner_totals_free(&t);
    study_free(&st);
}

/* Five-year society net per participant of one project with and without
 * the change after the first year, paired by replication. */
static void five_year_effect(const char *const *settings, int n, double *mean, double *half)
{
    const char *ov[8], *cf[8];
    char line[64];
    int k = 0;
    for (int i = 0; i < n; i++)
        ov[k] = cf[k] = settings[i], k++;
    ov[k] = cf[k] = "run.replications=100", k++;
    ov[k] = NULL;
    cf[k++] = line; /* the counterfactual: the one-year share holds on */
    study a, b;
    load(&a, "configs/seed_uppsala_base.cfg", ov, k - 1);
    double at12 = a.scenarios[0].sc.model.retained_12[0]; /* "work" is the first destination */
    assert_string_equal(a.scenarios[0].sc.model.destination_names[0], "work");
    snprintf(line, sizeof line, "exits.followup.work.at_24=%.17g", at12);
    load(&b, "configs/seed_uppsala_base.cfg", cf, k);
    runner_totals ta, tb;
    run(&a, &ta);
    run(&b, &tb);
    int h5 = a.scenarios[0].sc.money.horizons - 1;
    stat_obs d;
    stat_obs_init(&d);
    for (size_t i = 0; i < ta.row_count; i++)
        stat_obs_add(&d, ta.money[i].net[h5][MONEY_SOCIETY] - tb.money[i].net[h5][MONEY_SOCIETY]);
    *mean = stat_obs_mean(&d);
    *half = stat_obs_ci_halfwidth(&d, 0.99);
    runner_totals_free(&ta);
    runner_totals_free(&tb);
    study_free(&a);
    study_free(&b);
}

/* By construction (the decay and the growth are entered): the direction of
 * these differences follows from the inputs; their size is the model's. */
static void test_one_year_results_mislead(void **state)
{
    (void)state;
    static const char *const united[] = {"staff.workers=1", "referrals.rate_per_month=1.4",
                                         "exits.followup.work.at_12=0.6", "exits.followup.work.at_24=0.35"};
    static const char *const vaxthuset[] = {"referrals.rate_per_month=1.1", "exits.followup.work.at_12=0.45",
                                            "exits.followup.work.at_24=0.6"};
    double m, h;
    five_year_effect(united, 4, &m, &h);
    print_message("  united_action: decay changes the 5-year society net by %.0f +- %.0f kr\n", m, h);
    assert_true(m + h < 0);
    five_year_effect(vaxthuset, 3, &m, &h);
    print_message("  vaxthuset: growth changes it by %.0f +- %.0f kr\n", m, h);
    assert_true(m - h > 0);
}

/* Per-replication values of one scenario, with the 2.5 and 97.5 percentiles
 * (the 95 % prediction interval: the report is one history). */
typedef struct spread {
    double mean, pi_lo, pi_hi;
} spread;

static spread spread_of(double *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    qsort(x, n, sizeof x[0], cmp_double);
    double lo_at = 0.025 * (double)(n - 1), hi_at = 0.975 * (double)(n - 1);
    size_t lo = (size_t)lo_at, hi = (size_t)hi_at;
    spread s = {.mean = sum / (double)n};
    s.pi_lo = x[lo] + (lo_at - (double)lo) * (x[lo + 1 < n ? lo + 1 : lo] - x[lo]);
    s.pi_hi = x[hi] + (hi_at - (double)hi) * (x[hi + 1 < n ? hi + 1 : hi] - x[hi]);
    return s;
}

/* Jobbstudion's per-actor results (L1626) from the simulated project.
 * INPUT: the gains are entered in the ledger's proportions and the cost in
 * its shares, so this checks that the ledger passes through casework,
 * exits and follow-up, and that nothing turns an actor's sign around (the
 * previous proportions gave AF +7 000 at one year and FK +9 000 at five).
 *
 * Like for like: the report's "per deltagare" figures set the cost per
 * participant against the gain per person who left. The ledger itself
 * divides the window's cost over those who left (horizon_from = "exit"),
 * which is about 15 % more, because people still in the project at the
 * horizon have used part of it; those figures are printed too. */
static void test_jobbstudion_actors_follow_report(void **state)
{
    (void)state;
    study st;
    static const char *const more[] = {"run.replications=200"};
    load(&st, "configs/seed_uppsala.cfg", more, 1);
    runner_totals t;
    run(&st, &t);
    uint32_t js = (uint32_t)scenario_index(&st, "jobbstudion");
    enum { MAXR = 256 };
    static const struct {
        const char *label;
        int account, horizon;
        double reported;
    } figures[] = {
        {"kommun, 1 year", MONEY_KOMMUN, 0, 18000},      {"kommun, 5 years", MONEY_KOMMUN, 1, 131000},
        {"landsting, 1 year", MONEY_REGION, 0, -2000},   {"landsting, 5 years", MONEY_REGION, 1, 31000},
        {"AF, 1 year", MONEY_AF, 0, -5000},              {"AF, 5 years", MONEY_AF, 1, 18000},
        {"FK, 5 years", MONEY_FK, 1, -102000},           {"society, 1 year", MONEY_SOCIETY, 0, 71000},
        {"society, 5 years", MONEY_SOCIETY, 1, 562000},
    };
    static const struct {
        const char *label;
        int account;
        double reported;
    } paybacks[] = {{"society", MONEY_SOCIETY, 6}, {"kommun", MONEY_KOMMUN, 5},
                    {"landsting", MONEY_REGION, 16}, {"AF", MONEY_AF, 22}};
    double v[MAXR], w[MAXR];
    size_t n = 0;
    for (size_t f = 0; f < sizeof figures / sizeof figures[0]; f++) {
        n = 0;
        for (size_t i = 0; i < t.row_count; i++) {
            if (t.rows[i].scenario != js)
                continue;
            const money_row *m = &t.money[i];
            assert_true(n < MAXR);
            double cost = figures[f].account == MONEY_SOCIETY ? m->cost_total : m->cost_by_payer[figures[f].account];
            v[n] = m->gain[figures[f].horizon][figures[f].account] - cost / (double)m->started;
            w[n] = m->net[figures[f].horizon][figures[f].account];
            n++;
        }
        spread a = spread_of(v, n), b = spread_of(w, n);
        print_message("  jobbstudion %-18s per participant %8.0f PI [%8.0f, %8.0f]  (ledger, per leaver %8.0f)"
                      "  reported %7.0f  INPUT\n", figures[f].label, a.mean, a.pi_lo, a.pi_hi, b.mean,
                      figures[f].reported);
        /* The report rounds to 1 000 kr. */
        assert_true(figures[f].reported + 500 >= a.pi_lo && figures[f].reported - 500 <= a.pi_hi);
        /* The ledger's own figure has the report's sign. */
        assert_true((b.mean > 0) == (figures[f].reported > 0));
    }
    /* The gain per person who left is the ledger's annual gain a year (its
     * proportions are entered): the mean over replications has it in its
     * 99 % interval, for every account. configs/money_jobbstudion.cfg:
     * kommun 28 250, landsting 8 250, AF 5 750, FK -18 325, state 38 825,
     * the individual 60 000 a year. */
    static const double annual[MONEY_ACCOUNTS] = {
        [MONEY_KOMMUN] = 28250, [MONEY_REGION] = 8250, [MONEY_FK] = -18325, [MONEY_AF] = 5750,
        [MONEY_STATE] = 38825,  [MONEY_PUBLIC] = 62750, [MONEY_INDIVIDUAL] = 60000, [MONEY_SOCIETY] = 122750};
    for (int a = 0; a < MONEY_ACCOUNTS; a++) {
        double mean[2];
        for (int h = 0; h < 2; h++) {
            n = 0;
            for (size_t i = 0; i < t.row_count; i++)
                if (t.rows[i].scenario == js)
                    v[n++] = t.money[i].gain[h][a];
            double ss = 0;
            mean[h] = 0;
            for (size_t i = 0; i < n; i++)
                mean[h] += v[i] / (double)n;
            for (size_t i = 0; i < n; i++)
                ss += (v[i] - mean[h]) * (v[i] - mean[h]);
            double half = ts_t(0.99, (double)(n - 1)) * sqrt(ss / (double)(n - 1) / (double)n);
            double expected = annual[a] * (h == 0 ? 1 : 5);
            if (!(fabs(mean[h] - expected) <= half))
                fail_msg("%s, horizon %d: gain per leaver %.0f +- %.0f, the ledger's %.0f", money_account_names[a], h,
                         mean[h], half, expected);
        }
        print_message("  jobbstudion gain per leaver, %-10s 1 / 5 years: %8.0f / %9.0f (ledger %8.0f / %9.0f)\n",
                      money_account_names[a], mean[0], mean[1], annual[a], 5 * annual[a]);
    }
    /* Payback, like for like: the first whole month in which a constant gain
     * from exit reaches the actor's cost per participant. */
    for (size_t f = 0; f < sizeof paybacks / sizeof paybacks[0]; f++) {
        n = 0;
        for (size_t i = 0; i < t.row_count; i++) {
            if (t.rows[i].scenario != js)
                continue;
            const money_row *m = &t.money[i];
            int a = paybacks[f].account;
            double cost = a == MONEY_SOCIETY ? m->cost_total : m->cost_by_payer[a];
            v[n++] = ceil(12 * cost / (double)m->started / m->gain[0][a] - 1e-9);
        }
        spread a = spread_of(v, n);
        print_message("  jobbstudion payback %-10s %5.1f months PI [%4.0f, %4.0f]  reported %2.0f  INPUT (arithm.)\n",
                      paybacks[f].label, a.mean, a.pi_lo, a.pi_hi, paybacks[f].reported);
        assert_true(paybacks[f].reported >= a.pi_lo && paybacks[f].reported <= a.pi_hi);
    }
    /* FK "i.v.": never ahead within five years, in every replication. */
    for (size_t i = 0; i < t.row_count; i++)
        if (t.rows[i].scenario == js)
            assert_true(t.money[i].payback_never[MONEY_FK]);
    runner_totals_free(&t);
    study_free(&st);
}

/* CHECKED: Växthuset, "42 av 66 är aktiva inom arbete, arbetsmarknadsåtgärd
 * eller studier efter projektet" (L568). Active here: work, studies and
 * other measures. Nothing was fitted to it: the exit shares are one
 * assumption for all four projects. */
static void test_vaxthuset_active_after(void **state)
{
    (void)state;
    study st;
    static const char *const more[] = {"run.replications=200"};
    load(&st, "configs/seed_uppsala.cfg", more, 1);
    runner_totals t;
    run(&st, &t);
    uint32_t vx = (uint32_t)scenario_index(&st, "vaxthuset");
    const model_params *p = &st.scenarios[vx].sc.model;
    int active[MODEL_MAX_DESTINATIONS] = {0};
    for (int d = 0; d < p->destinations; d++)
        active[d] = strcmp(p->destination_names[d], "work") == 0 || strcmp(p->destination_names[d], "studies") == 0 ||
                    strcmp(p->destination_names[d], "other_measure") == 0;
    double v[256];
    size_t n = 0;
    for (size_t i = 0; i < t.row_count; i++) {
        if (t.rows[i].scenario != vx)
            continue;
        double act = 0, all = 0;
        for (int d = 0; d < p->destinations; d++) {
            all += (double)t.rows[i].exits_by_destination[d];
            act += active[d] ? (double)t.rows[i].exits_by_destination[d] : 0;
        }
        assert_true(n < 256 && all > 0);
        v[n++] = act / all;
    }
    spread a = spread_of(v, n);
    print_message("  vaxthuset: active after the project %.3f PI [%.3f, %.3f], reported 42/66 = %.3f (CHECKED)\n",
                  a.mean, a.pi_lo, a.pi_hi, 42.0 / 66.0);
    assert_true(42.0 / 66.0 >= a.pi_lo && 42.0 / 66.0 <= a.pi_hi);
    runner_totals_free(&t);
    study_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_per_participant),
        cmocka_unit_test(test_one_year_results_mislead),
        cmocka_unit_test(test_jobbstudion_actors_follow_report),
        cmocka_unit_test(test_vaxthuset_active_after),
    };
    return cmocka_run_group_tests_name("uppsala", tests, NULL, NULL);
}
