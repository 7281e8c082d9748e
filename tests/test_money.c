/*
 * test_money.c — the money model: programme costs and the per-actor ledger.
 *
 * Owns:
 *  - the seed ledgers: configs/money_jobbstudion.cfg and money_vaxthuset.cfg
 *    in deterministic mode carry seed 002's per-actor NyttoSam figures
 *    (Bilaga 7, L1626 and L1635-L1637) as the digest 002.md reconstructs
 *    them. Every printed figure they match is an INPUT or arithmetic of
 *    inputs (the state, which the report does not print, closes the society
 *    totals); the consistency checks show that the components alone do not
 *    give the totals;
 *  - the deterministic ledger against hand arithmetic (waiting, programme,
 *    retention, payback of a cost-free account, discounting, the curve);
 *  - the trial ledger's rules on hand-made records (window, rejected,
 *    reneged, censored, follow-up status by year, the three anchors);
 *  - a stochastic scenario: per-trial figures and their summaries (means and
 *    Student-t intervals) against an independent computation from the
 *    participant records and series;
 *  - bad input: each a one-line message naming file:line and the key.
 */
#include "test_support.h"

#include "scenario/config.h"
#include "output/money.h"

#define M_DAYS MODEL_DAYS_PER_MONTH

static char g_path[PATH_MAX];

static int load_text(const char *text, config_scenario *sc, config_error *err)
{
    snprintf(g_path, sizeof g_path, "test-money.cfg");
    return config_load_text(sc, g_path, text, NULL, 0, err);
}

static void load_ok(const char *text, config_scenario *sc)
{
    config_error err;
    if (load_text(text, sc, &err) != 0)
        fail_msg("expected the scenario to load: %s", err.message);
}

/* ---- the seed: Jobbstudion and Växthuset --------------------------------
 *
 * What is entered and what follows (the configs' headers say it per figure):
 * each actor's annual gain and cost share come from its two printed figures
 * (INPUT, matched to the krona); the individual's gain is printed (INPUT);
 * the state's figures are not printed, so its gain closes the society
 * totals, which are therefore INPUT too. The paybacks follow from those by
 * NyttoSam's constant gain (arithmetic of the inputs, labelled INPUT): the
 * whole month in which the cumulative gain reaches the cost, within a month
 * of the printed one for the actors (the printed actor figures are rounded
 * to 1 000 kr, which moves e.g. landsting's 14.9 months anywhere in
 * 13.6-15.8). The society nets differ from the printed ones by the rounding
 * of the printed pair: the annual gain is (net_5 - net_1) / 4, so by
 * (e5 - 5 e1 - 4 eC) / 4 with each e at most 500 kr: at most 1 250 kr.
 *
 * Nothing here is a CHECKED figure. The consistency checks below close the
 * state from its own printed payback instead and show that the totals then
 * do not follow: the report's components, totals and state payback do not
 * fit one ledger.
 */
#define SEED_TOL_KR 1250.0

static void seed_row_with(const char *rel, const char *const *ov, int n_ov, config_scenario *sc, money_row *row,
                          double wait, double months)
{
    char path[PATH_MAX];
    config_error err;
    ts_source_path(rel, path);
    if (config_load(sc, path, ov, n_ov, &err) != 0)
        fail_msg("%s: %s", rel, err.message);
    assert_true(sc->money.enabled);
    money_cohort c;
    money_cohort_from_params(&sc->model, wait, months, &c);
    money_cohort_add_costs(&sc->money, &sc->model, 0, NULL, &c);
    char msg[256];
    if (money_expected(&sc->money, &sc->model, &c, row, NULL, msg, sizeof msg) != 0)
        fail_msg("%s", msg);
}

static void seed_row(const char *rel, config_scenario *sc, money_row *row, double wait, double months)
{
    seed_row_with(rel, NULL, 0, sc, row, wait, months);
}

static void print_actor_line(const char *project, const money_row *r, int a, const char *printed)
{
    char payback[16];
    if (r->payback_never[a])
        snprintf(payback, sizeof payback, "never");
    else
        snprintf(payback, sizeof payback, "%.0f", r->payback_months[a]);
    print_message("  %-11s %-10s net 1y %9.0f  5y %9.0f  payback %-5s  printed %s\n", project,
                  money_account_names[a], r->net[0][a], r->net[1][a], payback, printed);
}

/* Society is the sum of the five actors and the individual, net of the
 * whole cost: the ledger adds its components and nothing else. */
static void assert_society_is_sum(const money_row *r)
{
    for (int h = 0; h < 2; h++) {
        double sum = r->net[h][MONEY_INDIVIDUAL];
        for (int a = 0; a < MONEY_ACTORS; a++)
            sum += r->net[h][a];
        TS_ASSERT_NEAR(r->net[h][MONEY_SOCIETY], sum, 1e-6);
        TS_ASSERT_NEAR(r->net[h][MONEY_SOCIETY], r->net[h][MONEY_PUBLIC] + r->net[h][MONEY_INDIVIDUAL], 1e-6);
    }
}

static void test_seed_jobbstudion(void **state)
{
    (void)state;
    config_scenario sc;
    money_row r;
    seed_row("configs/money_jobbstudion.cfg", &sc, &r, 0, 0);
    assert_int_equal(sc.money.horizon_months[0], 12);
    assert_int_equal(sc.money.horizon_months[1], 60);
    TS_ASSERT_NEAR(r.cost_per_participant, 52000.0, 1e-6); /* INPUT, L1626 */

    /* INPUT (components, L1626): kommun 18 000 / 131 000; landsting -2 000 /
     * 31 000; AF -5 000 / 18 000; FK -102 000 after five years; the
     * individual +60 000 a year and no cost. */
    TS_ASSERT_NEAR(r.net[0][MONEY_KOMMUN], 18000.0, 0.01);
    TS_ASSERT_NEAR(r.net[1][MONEY_KOMMUN], 131000.0, 0.01);
    TS_ASSERT_NEAR(r.net[0][MONEY_REGION], -2000.0, 0.01);
    TS_ASSERT_NEAR(r.net[1][MONEY_REGION], 31000.0, 0.01);
    TS_ASSERT_NEAR(r.net[0][MONEY_AF], -5000.0, 0.01);
    TS_ASSERT_NEAR(r.net[1][MONEY_AF], 18000.0, 0.01);
    TS_ASSERT_NEAR(r.net[1][MONEY_FK], -102000.0, 0.01);
    TS_ASSERT_NEAR(r.gain[0][MONEY_INDIVIDUAL], 60000.0, 0.01);
    TS_ASSERT_NEAR(r.net[0][MONEY_INDIVIDUAL], 60000.0, 0.01);
    /* Not reproduced: FK's 1-year -3 000 (the pair is not linear with a
     * cost share >= 0; this ledger gives -28 700). */
    TS_ASSERT_NEAR(r.net[0][MONEY_FK], -28700.0, 0.01);
    /* INPUT: the society totals (L1626: 71 000 / 562 000), through the state. */
    TS_ASSERT_NEAR(r.net[0][MONEY_SOCIETY], 71000.0, SEED_TOL_KR);
    TS_ASSERT_NEAR(r.net[1][MONEY_SOCIETY], 562000.0, SEED_TOL_KR);
    TS_ASSERT_NEAR(r.net[0][MONEY_SOCIETY], 70750.0, 1e-6);
    TS_ASSERT_NEAR(r.net[1][MONEY_SOCIETY], 561750.0, 1e-6);
    assert_society_is_sum(&r);
    /* INPUT (arithmetic under the constant gain): paybacks. */
    assert_false(r.payback_never[MONEY_SOCIETY]);
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_SOCIETY], 6.0);
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_KOMMUN], 5.0);
    TS_ASSERT_NEAR(r.payback_months[MONEY_REGION], 16.0, 1.0);
    TS_ASSERT_NEAR(r.payback_months[MONEY_AF], 22.0, 1.0);
    assert_true(r.payback_never[MONEY_FK]);
    assert_true(isnan(r.payback_months[MONEY_FK]));
    /* Not reproduced: the state's printed payback, 19 months. Closing the
     * totals leaves the state ahead after one year. */
    assert_true(r.net[0][MONEY_STATE] > 0);
    assert_true(r.payback_months[MONEY_STATE] <= 12);

    print_message("  Jobbstudion, deterministic ledger vs seed 002 L1626:\n");
    print_actor_line("Jobbstudion", &r, MONEY_SOCIETY, "71 000 / 562 000, payback 6 (INPUT: the state closes them)");
    print_actor_line("Jobbstudion", &r, MONEY_KOMMUN, "18 000 / 131 000, payback 5 (INPUT)");
    print_actor_line("Jobbstudion", &r, MONEY_REGION, "-2 000 / 31 000, payback 16 (INPUT)");
    print_actor_line("Jobbstudion", &r, MONEY_AF, "-5 000 / 18 000, payback 22 (INPUT)");
    print_actor_line("Jobbstudion", &r, MONEY_FK, "-3 000 / -102 000, i.v. (5 years INPUT; 1 year not linear)");
    print_actor_line("Jobbstudion", &r, MONEY_STATE, "payback 19 (not reproduced: the state closes the totals)");

    /* NyttoSam counts from exit: time waiting and in the project changes nothing. */
    config_scenario sc2;
    money_row r2;
    seed_row("configs/money_jobbstudion.cfg", &sc2, &r2, 2.0, 7.5);
    for (int a = 0; a < MONEY_ACCOUNTS; a++) {
        TS_ASSERT_SAME_DOUBLE(r2.net[0][a], r.net[0][a]);
        TS_ASSERT_SAME_DOUBLE(r2.net[1][a], r.net[1][a]);
        TS_ASSERT_SAME_DOUBLE(r2.payback_months[a], r.payback_months[a]);
    }
    config_scenario_free(&sc2);

    /* Consistency of the components: the state set from its own printed
     * payback (19 months at its assumed cost share: an annual gain of
     * 12 x 10 375 / 18.5, the middle of the months that round to 19)
     * instead of from the totals. The society totals are then what the
     * components add up to, and they fall far short of the printed ones. */
    char state_change[64];
    snprintf(state_change, sizeof state_change, "money.after.completed.state=%.10f", -10375.0 / 18.5);
    const char *ov[] = {state_change};
    money_row c;
    seed_row_with("configs/money_jobbstudion.cfg", ov, 1, &sc2, &c, 0, 0);
    TS_ASSERT_SAME_DOUBLE(c.payback_months[MONEY_STATE], 19.0);
    assert_society_is_sum(&c);
    for (int a = 0; a < MONEY_ACTORS; a++)
        if (a != MONEY_STATE)
            TS_ASSERT_SAME_DOUBLE(c.net[1][a], r.net[1][a]);
    print_message("  Jobbstudion, state from its payback (19): society %.0f / %.0f kr, payback %.0f "
                  "(printed 71 000 / 562 000, 6)\n", c.net[0][MONEY_SOCIETY], c.net[1][MONEY_SOCIETY],
                  c.payback_months[MONEY_SOCIETY]);
    /* The printed totals less the printed components leave the state at
     * 71 000 - (18 000 - 2 000 - 5 000 - 3 000 + 60 000) = 3 000 kr after a
     * year, at least 3 000 - 6 x 500 = 0 with the rounding: ahead, so no
     * ledger pays the state back in 19 months and meets the totals. Here
     * even FK's printed 1-year figure (25 700 above this ledger's) would
     * leave the total short of 71 000 - 1 250. */
    assert_true(c.net[0][MONEY_SOCIETY] + (-3000.0 - r.net[0][MONEY_FK]) < 71000.0 - SEED_TOL_KR);
    assert_true(c.net[1][MONEY_SOCIETY] < 562000.0 - SEED_TOL_KR);
    config_scenario_free(&sc2);
    config_scenario_free(&sc);
}

static void test_seed_vaxthuset(void **state)
{
    (void)state;
    config_scenario sc;
    money_row r;
    seed_row("configs/money_vaxthuset.cfg", &sc, &r, 0, 0);
    TS_ASSERT_NEAR(r.cost_per_participant, 92000.0, 1e-6); /* INPUT, L1635 */

    /* INPUT (components, L1637): kommun 600 / 76 000; landsting 15 000 /
     * 150 000; AF -28 000 / -69 000; FK -19 000 / -21 000; the individual
     * +20 000 a year. */
    TS_ASSERT_NEAR(r.net[0][MONEY_KOMMUN], 600.0, 0.01);
    TS_ASSERT_NEAR(r.net[1][MONEY_KOMMUN], 76000.0, 0.01);
    TS_ASSERT_NEAR(r.net[0][MONEY_REGION], 15000.0, 0.01);
    TS_ASSERT_NEAR(r.net[1][MONEY_REGION], 150000.0, 0.01);
    TS_ASSERT_NEAR(r.net[0][MONEY_AF], -28000.0, 0.01);
    TS_ASSERT_NEAR(r.net[1][MONEY_AF], -69000.0, 0.01);
    TS_ASSERT_NEAR(r.net[0][MONEY_FK], -19000.0, 0.01);
    TS_ASSERT_NEAR(r.net[1][MONEY_FK], -21000.0, 0.01);
    TS_ASSERT_NEAR(r.gain[0][MONEY_INDIVIDUAL], 20000.0, 0.01);
    /* INPUT: the society totals (L1637: -8 500 / 324 000), through the state. */
    TS_ASSERT_NEAR(r.net[0][MONEY_SOCIETY], -8500.0, SEED_TOL_KR);
    TS_ASSERT_NEAR(r.net[1][MONEY_SOCIETY], 324000.0, SEED_TOL_KR);
    TS_ASSERT_NEAR(r.net[0][MONEY_SOCIETY], -8875.0, 1e-6);
    TS_ASSERT_NEAR(r.net[1][MONEY_SOCIETY], 323625.0, 1e-6);
    assert_society_is_sum(&r);
    /* INPUT (arithmetic): the 5-year total for 64 participants, printed
     * 20.7 Mkr (to 0.1 Mkr), and the paybacks under the constant gain. */
    TS_ASSERT_NEAR(64 * r.net[1][MONEY_SOCIETY], 20.7e6, 0.05e6);
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_SOCIETY], 14.0);
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_KOMMUN], 12.0);
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_REGION], 7.0);
    assert_true(r.payback_never[MONEY_AF]);
    assert_true(r.payback_never[MONEY_FK]);
    /* Not reproduced: the state's "i.v." (it closes the totals and is ahead
     * within a year). */
    assert_true(r.net[0][MONEY_STATE] > 0);
    assert_false(r.payback_never[MONEY_STATE]);

    print_message("  Växthuset, deterministic ledger vs seed 002 L1635-L1637:\n");
    print_actor_line("Vaxthuset", &r, MONEY_SOCIETY, "-8 500 / 324 000, payback 14 (INPUT: the state closes them)");
    print_actor_line("Vaxthuset", &r, MONEY_KOMMUN, "600 / 76 000, payback 12 (INPUT)");
    print_actor_line("Vaxthuset", &r, MONEY_REGION, "15 000 / 150 000, payback 7 (INPUT)");
    print_actor_line("Vaxthuset", &r, MONEY_AF, "-28 000 / -69 000, i.v. (INPUT)");
    print_actor_line("Vaxthuset", &r, MONEY_FK, "-19 000 / -21 000, i.v. (INPUT)");
    print_actor_line("Vaxthuset", &r, MONEY_STATE, "i.v. (not reproduced: the state closes the totals)");

    /* Consistency of the components: the state never ahead, as "i.v." reads
     * (no change from the before-state, the most it can gain and still
     * never pay back its cost share), instead of closing the totals. */
    const char *ov[] = {"money.after.default.state=0"};
    config_scenario sc2;
    money_row c;
    seed_row_with("configs/money_vaxthuset.cfg", ov, 1, &sc2, &c, 0, 0);
    assert_true(c.payback_never[MONEY_STATE]);
    assert_society_is_sum(&c);
    print_message("  Växthuset, state never ahead (i.v.): society %.0f / %.0f kr, payback %.0f "
                  "(printed -8 500 / 324 000, 14)\n", c.net[0][MONEY_SOCIETY], c.net[1][MONEY_SOCIETY],
                  c.payback_months[MONEY_SOCIETY]);
    assert_true(c.net[0][MONEY_SOCIETY] < -8500.0 - SEED_TOL_KR);
    assert_true(c.net[1][MONEY_SOCIETY] < 324000.0 - SEED_TOL_KR);
    config_scenario_free(&sc2);
    config_scenario_free(&sc);
}

/* ---- a small scenario for hand arithmetic --------------------------------
 * No profiles; two workers at 120 000 kr a year (10 000 kr a month each)
 * employed by the kommun; a before-state of kommun 1 000 and income 500 a
 * month; waiting costs the kommun 100 more, the programme 200 less; a person
 * in work costs the kommun nothing and has 2 000 a month. */
static const char *const HAND[] = {
    "run: { replications = 2; seed = 1; horizon_months = 24; warmup_months = 6; };",
    "referrals: { rate_per_month = 3.0; };",
    "staff: { workers = 2; caseload_cap = 5; };",
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.0; };",
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };",
    "exits: { probability_per_meeting = 0.1; shares = { work = 0.5; other = 0.5; }; good = [ \"work\" ]; };",
    "money: {",
    "  horizons_years = [ 1, 2 ];",
    "  staff = ( { role = \"worker\"; cost_per_fte_year = 120000.0; employer = \"kommun\"; } );",
    "  baseline = { kommun = 1000.0; income = 500.0; };",
    "  waiting = { relative = true; kommun = 100.0; };",
    "  in_programme = { relative = true; kommun = -200.0; };",
    "  after = { work = { in = { kommun = 0.0; income = 2000.0; }; out = \"baseline\"; }; other = \"baseline\"; };",
    "};",
};

static char *join_lines(const char *const *lines, int n, int replace_line, const char *replacement)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(i + 1 == replace_line ? replacement : lines[i]) + 1;
    char *text = malloc(len);
    assert_non_null(text);
    text[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(text, i + 1 == replace_line ? replacement : lines[i]);
        strcat(text, "\n");
    }
    return text;
}

static void load_hand(config_scenario *sc)
{
    char *text = join_lines(HAND, (int)(sizeof HAND / sizeof HAND[0]), 0, "");
    load_ok(text, sc);
    free(text);
}

static void test_deterministic_by_hand(void **state)
{
    (void)state;
    config_scenario sc;
    load_hand(&sc);
    money_cohort c;
    money_cohort_from_params(&sc.model, 1.5, 3.0, &c);
    TS_ASSERT_SAME_DOUBLE(c.destination_shares[0], 0.5);
    /* Retention of work: 60 % in year 1 after exit, 30 % after that. */
    c.retained_12[0] = 0.6;
    c.retained_24[0] = 0.3;
    c.programme_cost[MONEY_KOMMUN] = 2900.0;
    money_row r;
    char err[256];
    double curve[24 * MONEY_ACCOUNTS];
    assert_int_equal(money_expected(&sc.money, &sc.model, &c, &r, curve, err, sizeof err), 0);
    /* Gains of the kommun: -100 over [0, 1.5), +200 over [1.5, 4.5), then
     * 0.5 * 0.6 * 1 000 = 300 a month to 16.5, then 0.5 * 0.3 * 1 000 = 150;
     * income 0.5 * 0.6 * 1 500 = 450, then 225. */
    TS_ASSERT_NEAR(r.gain[0][MONEY_KOMMUN], -150 + 600 + 7.5 * 300, 1e-9);
    TS_ASSERT_NEAR(r.gain[1][MONEY_KOMMUN], -150 + 600 + 12 * 300 + 7.5 * 150, 1e-9);
    TS_ASSERT_NEAR(r.gain[0][MONEY_INDIVIDUAL], 7.5 * 450, 1e-9);
    TS_ASSERT_NEAR(r.gain[1][MONEY_INDIVIDUAL], 12 * 450 + 7.5 * 225, 1e-9);
    TS_ASSERT_NEAR(r.net[0][MONEY_KOMMUN], 2700 - 2900, 1e-9);
    TS_ASSERT_NEAR(r.net[1][MONEY_SOCIETY], 5175 + 7087.5 - 2900, 1e-9);
    TS_ASSERT_NEAR(r.net[0][MONEY_REGION], 0, 1e-9);
    /* kommun: 450 + (m - 4.5) 300 >= 2 900 first at m = 13; society: 450 +
     * (m - 4.5) 750 >= 2 900 at m = 8; the individual bears no cost and is
     * first ahead in month 5 (income starts at 4.5); the region never gains. */
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_KOMMUN], 13.0);
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_SOCIETY], 8.0);
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_INDIVIDUAL], 5.0);
    assert_true(r.payback_never[MONEY_REGION]);
    TS_ASSERT_NEAR(r.cost_per_good_exit, 2900 / 0.5, 1e-9);
    /* The curve holds the cumulative net at each month's end. */
    TS_ASSERT_NEAR(curve[11 * MONEY_ACCOUNTS + MONEY_KOMMUN], r.net[0][MONEY_KOMMUN], 1e-9);
    TS_ASSERT_NEAR(curve[23 * MONEY_ACCOUNTS + MONEY_SOCIETY], r.net[1][MONEY_SOCIETY], 1e-9);
    TS_ASSERT_NEAR(curve[0 * MONEY_ACCOUNTS + MONEY_KOMMUN], -100 - 2900, 1e-9);

    /* From start: the waiting months drop out of the window. */
    sc.money.horizon_from = MONEY_FROM_START;
    assert_int_equal(money_expected(&sc.money, &sc.model, &c, &r, NULL, err, sizeof err), 0);
    TS_ASSERT_NEAR(r.gain[0][MONEY_KOMMUN], 600 + 9 * 300, 1e-9);

    /* Discounting at 5 % a year: a constant gain from exit, summed month by
     * month at (1.05)^(-k/12). */
    sc.money.horizon_from = MONEY_FROM_EXIT;
    sc.money.discount_rate = 0.05;
    money_cohort_from_params(&sc.model, 0, 0, &c);
    c.destination_shares[0] = 1;
    c.destination_shares[1] = 0;
    c.programme_cost[MONEY_KOMMUN] = 10000;
    assert_int_equal(money_expected(&sc.money, &sc.model, &c, &r, NULL, err, sizeof err), 0);
    double k1 = 0, k2 = 0;
    for (int k = 1; k <= 24; k++) {
        double d = pow(1.05, -k / 12.0);
        if (k <= 12)
            k1 += 1000 * d;
        k2 += 1000 * d;
    }
    TS_ASSERT_NEAR(r.net[0][MONEY_KOMMUN], k1 - 10000, 1e-6);
    TS_ASSERT_NEAR(r.net[1][MONEY_KOMMUN], k2 - 10000, 1e-6);
    TS_ASSERT_NEAR(r.net[1][MONEY_INDIVIDUAL], 1500 * k2 / 1000, 1e-6);
    assert_true(k1 < 12000);
    /* 10 000 at 1 000 a month, discounted: month 11 rather than 10. */
    TS_ASSERT_SAME_DOUBLE(r.payback_months[MONEY_KOMMUN], 11.0);

    /* A cohort that cannot be: an "in" state the config did not give. */
    sc.money.after_in_given[1] = 0;
    c.retained_12[1] = 0.5;
    c.destination_shares[0] = 0.5;
    c.destination_shares[1] = 0.5;
    assert_int_equal(money_expected(&sc.money, &sc.model, &c, &r, NULL, err, sizeof err), -1);
    TS_ASSERT_CONTAINS(err, "'other'");
    c.retained_12[1] = NAN;
    c.destination_shares[1] = 0.6;
    assert_int_equal(money_expected(&sc.money, &sc.model, &c, &r, NULL, err, sizeof err), -1);
    TS_ASSERT_CONTAINS(err, "sum to 1");
    config_scenario_free(&sc);
}

static void test_cohort_costs(void **state)
{
    (void)state;
    config_scenario sc;
    load_hand(&sc);
    money_cohort c;
    money_cohort_from_params(&sc.model, 0, 0, &c);
    /* Two workers at 10 000 a month spread over 4 starts a month. */
    money_cohort_add_costs(&sc.money, &sc.model, 4.0, NULL, &c);
    TS_ASSERT_NEAR(c.programme_cost[MONEY_KOMMUN], 5000.0, 1e-9);
    TS_ASSERT_NEAR(c.programme_cost[MONEY_AF], 0.0, 0);
    config_scenario_free(&sc);
}

/* ---- the trial ledger's rules on hand-made records ----------------------- */

static model_participant rec(double ref, double assign, double exit, int fate, int dest, int f12, int f24)
{
    model_participant p;
    memset(&p, 0, sizeof p);
    p.referral_time = ref * M_DAYS;
    p.assignment_time = isnan(assign) ? NAN : assign * M_DAYS;
    p.exit_time = isnan(exit) ? NAN : exit * M_DAYS;
    p.fate = (int8_t)fate;
    p.destination = dest;
    p.followup_12 = (int8_t)f12;
    p.followup_24 = (int8_t)f24;
    return p;
}

/* A money section of costs only (no baseline) loads and gives programme
 * costs, per year too, but claims no gains, net results or payback; a
 * state given against the missing before-state is refused. */
static void test_costs_only_needs_no_baseline(void **state)
{
    (void)state;
    char *text = join_lines(HAND, (int)(sizeof HAND / sizeof HAND[0]), 0, "");
    char *cut = strstr(text, "  baseline = ");
    assert_non_null(cut);
    strcpy(cut, "};\n"); /* drop baseline, waiting, in_programme and after */
    config_scenario sc;
    load_ok(text, &sc);
    assert_int_equal(sc.money.enabled, 1);
    assert_int_equal(sc.money.costs_only, 1);
    model_participant r[1];
    r[0] = rec(7, 8, 10, FATE_EXITED, 0, -1, -1);
    money_row row;
    char err[256];
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, NULL, r, 1, &row, NULL, err, sizeof err), 0);
    /* 2 workers x 18 months x 10 000 kr; per year over the 18 measured months */
    TS_ASSERT_NEAR(row.cost_total, 360000.0, 1e-6);
    TS_ASSERT_NEAR(row.cost_per_year, 240000.0, 1e-6);
    TS_ASSERT_NEAR(row.cost_per_good_exit, 360000.0, 1e-6);
    assert_true(isnan(row.net[0][MONEY_KOMMUN]) && isnan(row.payback_months[MONEY_SOCIETY]));
    double v[MONEY_MAX_METRICS];
    money_metric_values(&row, &sc.money, v);
    results_metric_info info[MONEY_MAX_METRICS];
    size_t m = money_metric_info_for(&sc.money, info);
    for (size_t k = 0; k < m; k++)
        if (strncmp(info[k].name, "money.payback_never.", 20) == 0)
            assert_true(isnan(v[k]));
    config_scenario_free(&sc);
    strcpy(cut, "  waiting = { relative = true; kommun = 100.0; };\n};\n");
    config_error e;
    assert_int_equal(load_text(text, &sc, &e), -1);
    TS_ASSERT_CONTAINS(e.message, "money.baseline");
    TS_ASSERT_CONTAINS(e.message, "money.waiting gives costs against a person's before-state");
    free(text);
}

static void test_trial_rules(void **state)
{
    (void)state;
    config_scenario sc;
    load_hand(&sc); /* warm-up 6 months, horizon 24 */
    model_participant r[6];
    /* A: referred at 7, assigned 8, to work at 10, not followed (work is good: in). */
    r[0] = rec(7, 8, 10, FATE_EXITED, 0, -1, -1);
    /* B: referred before warm-up, assigned at 6.5 (a start in the window), to other at 9. */
    r[1] = rec(2, 6.5, 9, FATE_EXITED, 1, -1, -1);
    /* C: screened out. */
    r[2] = rec(8, NAN, NAN, FATE_REJECTED, -1, -1, -1);
    /* D: gave up waiting (the record has no time for it). */
    r[3] = rec(9, NAN, NAN, FATE_RENEGED, -1, -1, -1);
    /* E: still in the programme at the horizon. */
    r[4] = rec(20, 22, NAN, FATE_PRESENT, -1, -1, -1);
    /* F: to work at 12.5, out of work at 12 months, back in at 24. */
    r[5] = rec(12, 12, 12.5, FATE_EXITED, 0, 0, 1);
    money_row row;
    char err[256];
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, NULL, r, 6, &row, NULL, err, sizeof err), 0);
    assert_int_equal(row.status, RESULTS_DONE);
    assert_int_equal(row.cohort, 4);   /* A, D, E, F */
    assert_int_equal(row.started, 4);  /* A, B, E, F */
    assert_int_equal(row.good_exits, 2);
    assert_int_equal(row.censored, 1);
    /* Staff: 2 workers x 18 months x 10 000. */
    TS_ASSERT_NEAR(row.cost_staff, 360000.0, 1e-6);
    TS_ASSERT_NEAR(row.cost_by_payer[MONEY_KOMMUN], 360000.0, 1e-6);
    TS_ASSERT_NEAR(row.cost_per_participant, 90000.0, 1e-6);
    TS_ASSERT_NEAR(row.cost_per_good_exit, 180000.0, 1e-6);
    /* kommun gains to 12 months: A -100 + 2 x 200 + 9 x 1 000; E -2 x 100 +
     * 10 x 200; F 0.5 x 200 (then out: the before-state); D nothing. */
    TS_ASSERT_NEAR(row.gain[0][MONEY_KOMMUN], (9300.0 + 1800.0 + 100.0) / 4, 1e-6);
    TS_ASSERT_NEAR(row.gain[1][MONEY_KOMMUN], (21300.0 + 4200.0 + 100.0 + 11.5 * 1000) / 4, 1e-6);
    TS_ASSERT_NEAR(row.gain[0][MONEY_INDIVIDUAL], 9 * 1500.0 / 4, 1e-6);
    TS_ASSERT_NEAR(row.gain[1][MONEY_INDIVIDUAL], (21 + 11.5) * 1500.0 / 4, 1e-6);
    TS_ASSERT_NEAR(row.net[1][MONEY_KOMMUN], row.gain[1][MONEY_KOMMUN] - 90000.0, 1e-6);
    assert_true(row.payback_never[MONEY_KOMMUN]);
    assert_true(row.payback_never[MONEY_SOCIETY]);
    TS_ASSERT_SAME_DOUBLE(row.payback_months[MONEY_INDIVIDUAL], 4.0); /* A's income from month 3 on */

    /* From exit: the cohort is the exits in the window (A, B, F). */
    sc.money.horizon_from = MONEY_FROM_EXIT;
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, NULL, r, 6, &row, NULL, err, sizeof err), 0);
    assert_int_equal(row.cohort, 3);
    TS_ASSERT_NEAR(row.gain[0][MONEY_KOMMUN], 12000.0 / 3, 1e-6);
    TS_ASSERT_NEAR(row.gain[1][MONEY_KOMMUN], (24000.0 + 12000.0) / 3, 1e-6);
    /* From start: the starts in the window (A, B, E, F). */
    sc.money.horizon_from = MONEY_FROM_START;
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, NULL, r, 6, &row, NULL, err, sizeof err), 0);
    assert_int_equal(row.cohort, 4);
    TS_ASSERT_NEAR(row.gain[0][MONEY_KOMMUN], (10400.0 + 500.0 + 2400.0 + 100.0) / 4, 1e-6);

    /* E handed on to a successor project at 23 (model_handover.c): its
     * outcome is the successor's, so the ledger keeps E in the programme
     * state and counts E as censored, exactly as if still present. */
    sc.money.horizon_from = MONEY_FROM_REFERRAL;
    money_row present, moved;
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, NULL, r, 6, &present, NULL, err, sizeof err), 0);
    r[4] = rec(20, 22, 23, FATE_TRANSFERRED, -1, -1, -1);
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, NULL, r, 6, &moved, NULL, err, sizeof err), 0);
    assert_int_equal(moved.censored, present.censored);
    assert_int_equal(moved.censored, 1);
    for (int h = 0; h < 2; h++)
        for (int acc = 0; acc < MONEY_ACCOUNTS; acc++)
            TS_ASSERT_SAME_DOUBLE(moved.gain[h][acc], present.gain[h][acc]);
    r[4] = rec(20, 22, NAN, FATE_PRESENT, -1, -1, -1);

    /* Nobody in the window: undefined, not "never". */
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, NULL, r, 0, &row, NULL, err, sizeof err), 0);
    assert_int_equal(row.cohort, 0);
    assert_true(isnan(row.net[0][MONEY_SOCIETY]));
    assert_true(isnan(row.payback_months[MONEY_SOCIETY]));
    assert_false(row.payback_never[MONEY_SOCIETY]);
    assert_true(isnan(row.cost_per_participant));
    config_scenario_free(&sc);
}

/* ---- a stochastic scenario ------------------------------------------------
 * Two profiles with their own before-states, two roles (one co-employed by
 * AF and FK), a work-training measure, fixed and per-participant costs,
 * follow-up with decay; ledger from referral over 1 and 3 years. */
static const char *const RICH[] = {
    /*  1 */ "run: { replications = 2; seed = 5; horizon_months = 24; warmup_months = 0; };",
    /*  2 */ "exits: {",
    /*  3 */ "  destinations = [ \"work\", \"other\" ];",
    /*  4 */ "  good = [ \"work\" ];",
    /*  5 */ "  followup = { work = { at_12 = 0.6; at_24 = 0.5; }; };",
    /*  6 */ "};",
    /*  7 */ "profiles = ( { name = \"job450\"; }, { name = \"assistance\"; } );",
    /*  8 */ "sources = ( { name = \"af\"; rate_per_month = 5.0; profiles = { job450 = 0.5; assistance = 0.5; }; } );",
    /*  9 */ "staff: {",
    /* 10 */ "  roles = ( { name = \"coach\"; caseload_cap = 10.0; }, { name = \"handlaggare\"; caseload_cap = 20.0; } );",
    /* 11 */ "  teams = ( { name = \"t\"; members = ( { role = \"coach\"; count = 2; }, "
             "{ role = \"handlaggare\"; count = 1; fte = 0.5; start_month = 3.5; } ); } );",
    /* 12 */ "};",
    /* 13 */ "measures = ( { name = \"praktik\"; places = 3; duration_days = { dist = \"deterministic\"; value = 60.0; }; } );",
    /* 14 */ "phases = (",
    /* 15 */ "  { name = \"mapping\"; meeting_hours = { dist = \"deterministic\"; value = 1.0; }; "
             "own_time_days = { dist = \"exponential\"; mean = 7.0; };",
    /* 16 */ "    progress_per_meeting = 0.25; exit_probability = 0.02; exits = { other = 1.0; }; },",
    /* 17 */ "  { name = \"training\"; measure = \"praktik\"; meeting_hours = { dist = \"deterministic\"; value = 1.0; };",
    /* 18 */ "    own_time_days = { dist = \"exponential\"; mean = 10.0; }; progress_per_meeting = 0.2; "
             "completion = { work = 0.6; other = 0.4; }; }",
    /* 19 */ ");",
    /* 20 */ "money: {",
    /* 21 */ "  discount_rate = 0.0;",
    /* 22 */ "  horizons_years = [ 1, 3 ];",
    /* 23 */ "  horizon_from = \"referral\";",
    /* 24 */ "  staff = ( { role = \"coach\"; cost_per_fte_year = 600000.0; employer = \"kommun\"; },",
    /* 25 */ "            { role = \"handlaggare\"; cost_per_fte_year = 650000.0; employer = { af = 0.5; fk = 0.5; }; } );",
    /* 26 */ "  measures = ( { name = \"praktik\"; cost_per_participant_month = 4000.0; paid_by = \"af\"; } );",
    /* 27 */ "  fixed = ( { name = \"premises\"; cost_per_month = 15000.0; paid_by = { kommun = 0.5; region = 0.5; }; } );",
    /* 28 */ "  per_participant = ( { name = \"assessment\"; cost = 3000.0; paid_by = \"region\"; } );",
    /* 29 */ "  baseline = {",
    /* 30 */ "    job450 = { kommun = 2000.0; region = 1500.0; fk = 0.0; af = 9000.0; state = 3000.0; income = 11000.0; };",
    /* 31 */ "    assistance = { kommun = 11000.0; region = 2500.0; fk = 0.0; af = 1500.0; state = 3500.0; income = 9000.0; };",
    /* 32 */ "  };",
    /* 33 */ "  waiting = \"baseline\";",
    /* 34 */ "  in_programme = { relative = true; af = 1000.0; region = 300.0; };",
    /* 35 */ "  after = {",
    /* 36 */ "    work = { in = { kommun = -2500.0; region = -1500.0; fk = 0.0; af = 500.0; state = -4500.0; "
             "income = 19000.0; };",
    /* 37 */ "             out = \"baseline\"; };",
    /* 38 */ "    other = \"baseline\";",
    /* 39 */ "  };",
    /* 40 */ "};",
};
#define RICH_LINES ((int)(sizeof RICH / sizeof RICH[0]))

/* Months of [a, b) inside [0, m]. */
static double overlap(double a, double b, double m)
{
    double lo = a > 0 ? a : 0, hi = b < m ? b : m;
    return hi > lo ? hi - lo : 0;
}

/* The independent ledger: each person's gain to month m by direct overlap
 * of their states with [0, m], with the rules spelled out again. */
static void independent_gain(const money_params *mp, const model_params *p, const model_participant *rs, size_t n,
                             double m, double gain[MONEY_COMPONENTS], uint64_t *cohort)
{
    memset(gain, 0, MONEY_COMPONENTS * sizeof gain[0]);
    *cohort = 0;
    for (size_t i = 0; i < n; i++) {
        const model_participant *r = &rs[i];
        if (r->fate == FATE_REJECTED || r->referral_time >= p->horizon_months * M_DAYS ||
            r->referral_time < p->warmup_months * M_DAYS)
            continue;
        ++*cohort;
        if (r->fate == FATE_RENEGED)
            continue;
        const double *b = mp->baseline[r->profile].v;
        double t0 = r->referral_time;
        double start = isnan(r->assignment_time) ? 1e300 : (r->assignment_time - t0) / M_DAYS;
        double exit = r->fate == FATE_EXITED ? (r->exit_time - t0) / M_DAYS : 1e300;
        struct {
            double a, b;
            const money_state *s;
        } seg[4] = {{0, start, &mp->waiting}, {start, exit, &mp->in_programme}, {exit, exit + 12, NULL},
                    {exit + 12, 1e300, NULL}};
        if (r->fate == FATE_EXITED) {
            int d = r->destination;
            int s1 = r->followup_12 >= 0 ? r->followup_12 : (int)((p->good_destinations >> d) & 1);
            int s2 = r->followup_24 >= 0 ? r->followup_24 : s1;
            seg[2].s = s1 ? &mp->after_in[d] : &mp->after_out[d];
            seg[3].s = s2 ? &mp->after_in[d] : &mp->after_out[d];
        }
        for (int k = 0; k < 4; k++) {
            if (!seg[k].s)
                continue;
            double len = overlap(seg[k].a, seg[k].b, m);
            for (int c = 0; c < MONEY_COMPONENTS; c++) {
                double v = seg[k].s->relative ? b[c] + seg[k].s->v[c] : seg[k].s->v[c];
                gain[c] += len * (c == MONEY_INCOME ? v - b[c] : b[c] - v);
            }
        }
    }
}

static double account(const double *comp, int a)
{
    double pub = comp[0] + comp[1] + comp[2] + comp[3] + comp[4];
    return a < MONEY_ACTORS ? comp[a] : a == MONEY_PUBLIC ? pub : a == MONEY_INDIVIDUAL ? comp[5] : pub + comp[5];
}

/* Programme cost by payer, independently: planned staff (no turnover),
 * places used at month ends, fixed per month, purchases per start. */
static void independent_cost(const money_params *mp, const model_params *p, const model_series *s,
                             const model_participant *rs, size_t n, double by_payer[MONEY_ACTORS])
{
    memset(by_payer, 0, MONEY_ACTORS * sizeof by_payer[0]);
    double months = p->horizon_months - p->warmup_months;
    /* coach: 2 x 1.0 FTE all along, kommun; handlaggare: 0.5 FTE from month 3.5, AF and FK half each. */
    by_payer[MONEY_KOMMUN] += 2 * months * 600000.0 / 12;
    by_payer[MONEY_AF] += 0.5 * 0.5 * (p->horizon_months - 3.5) * 650000.0 / 12;
    by_payer[MONEY_FK] += 0.5 * 0.5 * (p->horizon_months - 3.5) * 650000.0 / 12;
    const double *used = NULL;
    for (int i = 0; i < s->count; i++)
        if (strcmp(s->item[i].name, "measure_places_used") == 0)
            used = s->item[i].values;
    assert_non_null(used);
    for (int m = p->warmup_months; m < p->horizon_months; m++)
        by_payer[MONEY_AF] += 4000.0 * used[m];
    by_payer[MONEY_KOMMUN] += 0.5 * 15000.0 * months;
    by_payer[MONEY_REGION] += 0.5 * 15000.0 * months;
    uint64_t started = 0;
    for (size_t i = 0; i < n; i++)
        started += !isnan(rs[i].assignment_time) && rs[i].assignment_time >= p->warmup_months * M_DAYS;
    by_payer[MONEY_REGION] += 3000.0 * (double)started;
    (void)mp;
}

#define REPS 10

static void test_stochastic_matches_records(void **state)
{
    (void)state;
    config_scenario sc;
    char *text = join_lines(RICH, RICH_LINES, 0, "");
    load_ok(text, &sc);
    free(text);
    const model_params *p = &sc.model;
    const money_params *mp = &sc.money;
    money_row rows[REPS];
    /* Independent per-trial values of what is checked. */
    double ind_net[REPS][2][MONEY_ACCOUNTS], ind_payback[REPS][MONEY_ACCOUNTS], ind_cpp[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        records rs = {0};
        model_result res;
        assert_int_equal(model_run(p, (uint32_t)rep, 777u + 31u * (uint64_t)rep, collect, &rs, &res), 0);
        char err[256];
        if (money_ledger_trial(mp, p, &res.series, rs.items, rs.n, &rows[rep], NULL, err, sizeof err) != 0)
            fail_msg("%s", err);
        rows[rep].scenario = 0;
        rows[rep].replication = (uint32_t)rep;

        double by_payer[MONEY_ACTORS];
        independent_cost(mp, p, &res.series, rs.items, rs.n, by_payer);
        double total = 0;
        for (int a = 0; a < MONEY_ACTORS; a++) {
            TS_ASSERT_NEAR(rows[rep].cost_by_payer[a], by_payer[a], 1e-6 * (1 + by_payer[a]));
            total += by_payer[a];
        }
        double gain[MONEY_COMPONENTS];
        uint64_t cohort;
        independent_gain(mp, p, rs.items, rs.n, 12, gain, &cohort);
        assert_int_equal(rows[rep].cohort, cohort);
        assert_true(cohort > 50);
        ind_cpp[rep] = total / (double)rows[rep].started;
        double cost_comp[MONEY_COMPONENTS] = {0};
        for (int a = 0; a < MONEY_ACTORS; a++)
            cost_comp[a] = by_payer[a] / (double)cohort;
        for (int h = 0; h < 2; h++) {
            independent_gain(mp, p, rs.items, rs.n, h == 0 ? 12 : 36, gain, &cohort);
            for (int a = 0; a < MONEY_ACCOUNTS; a++) {
                ind_net[rep][h][a] = account(gain, a) / (double)cohort - account(cost_comp, a);
                TS_ASSERT_NEAR(rows[rep].net[h][a], ind_net[rep][h][a], 1e-6 * (1 + fabs(ind_net[rep][h][a])));
            }
        }
        /* Payback: the first whole month in which the cumulative gain reaches the cost. */
        for (int a = 0; a < MONEY_ACCOUNTS; a++)
            ind_payback[rep][a] = NAN;
        for (int m = 1; m <= 36; m++) {
            independent_gain(mp, p, rs.items, rs.n, m, gain, &cohort);
            for (int a = 0; a < MONEY_ACCOUNTS; a++) {
                double g = account(gain, a) / (double)cohort, c = account(cost_comp, a);
                if (isnan(ind_payback[rep][a]) && g >= c - 1e-9 * (1 + fabs(c)) && g > 1e-9 * (1 + fabs(c)))
                    ind_payback[rep][a] = m;
            }
        }
        for (int a = 0; a < MONEY_ACCOUNTS; a++) {
            TS_ASSERT_SAME_DOUBLE(rows[rep].payback_months[a], ind_payback[rep][a]);
            assert_int_equal(rows[rep].payback_never[a], isnan(ind_payback[rep][a]));
        }
        TS_ASSERT_NEAR(rows[rep].cost_per_participant, ind_cpp[rep], 1e-6 * ind_cpp[rep]);
        free(rs.items);
        model_result_free(&res);
    }

    /* Summaries: each mean and Student-t interval against the independent values. */
    results_summary *sum;
    results_difference *diffs;
    size_t ns, nd;
    assert_int_equal(money_summarise(rows, REPS, 1, mp, 1, &sum, &ns, &diffs, &nd), 0);
    results_metric_info info[MONEY_MAX_METRICS];
    assert_int_equal(ns, money_metric_info_for(mp, info));
    assert_int_equal(nd, 0);
    struct {
        const char *name;
        int h, a;
    } checks[] = {
        {"money.net_1y.kommun", 0, MONEY_KOMMUN}, {"money.net_1y.af", 0, MONEY_AF},
        {"money.net_3y.region", 1, MONEY_REGION}, {"money.net_3y.state", 1, MONEY_STATE},
        {"money.net_3y.society", 1, MONEY_SOCIETY}, {"money.net_3y.individual", 1, MONEY_INDIVIDUAL},
        {"money.net_1y.public", 0, MONEY_PUBLIC}, {"money.cost_per_participant", -1, 0},
    };
    double t = ts_t(0.95, REPS - 1);
    for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++) {
        const results_summary *o = NULL;
        for (size_t i = 0; i < ns; i++)
            if (strcmp(sum[i].metric, checks[k].name) == 0)
                o = &sum[i];
        if (!o)
            fail_msg("no summary for %s", checks[k].name);
        double mean = 0, ss = 0;
        for (int rep = 0; rep < REPS; rep++)
            mean += (checks[k].h < 0 ? ind_cpp[rep] : ind_net[rep][checks[k].h][checks[k].a]) / REPS;
        for (int rep = 0; rep < REPS; rep++) {
            double v = checks[k].h < 0 ? ind_cpp[rep] : ind_net[rep][checks[k].h][checks[k].a];
            ss += (v - mean) * (v - mean);
        }
        double half = t * sqrt(ss / (REPS - 1)) / sqrt((double)REPS);
        print_message("  %-28s mean %12.1f  95%% CI [%12.1f, %12.1f]\n", o->metric, o->mean, o->ci_low, o->ci_high);
        TS_ASSERT_NEAR(o->mean, mean, 1e-6 * (1 + fabs(mean)));
        TS_ASSERT_NEAR(o->ci_high - o->mean, half, 1e-6 * (1 + half));
        TS_ASSERT_NEAR(o->mean - o->ci_low, half, 1e-6 * (1 + half));
        assert_int_equal(o->replications, REPS);
    }
    /* payback_never is a probability with a Wilson interval inside [0, 1]. */
    for (size_t i = 0; i < ns; i++)
        if (strncmp(sum[i].metric, "money.payback_never.", 20) == 0) {
            assert_true(sum[i].ci_low >= -1e-12 && sum[i].ci_high <= 1 + 1e-12);
            assert_true(sum[i].mean >= 0 && sum[i].mean <= 1);
        }
    free(sum);
    free(diffs);
    config_scenario_free(&sc);
}

/* With turnover the staff cost follows the FTE in post: never more than the
 * plan, and the cost of the measure needs its series. */
static void test_turnover_and_series(void **state)
{
    (void)state;
    config_scenario sc;
    char *text = join_lines(RICH, RICH_LINES, 12,
                            "  turnover = { tenure_months = { dist = \"exponential\"; mean = 4.0; };"
                            " vacancy_days = { dist = \"deterministic\"; value = 60.0; }; }; };");
    load_ok(text, &sc);
    free(text);
    records rs = {0};
    model_result res;
    assert_int_equal(model_run(&sc.model, 0, 99, collect, &rs, &res), 0);
    money_row row;
    char err[256];
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, &res.series, rs.items, rs.n, &row, NULL, err, sizeof err),
                     0);
    double planned = 2 * 24 * 600000.0 / 12 + 0.5 * (24 - 3.5) * 650000.0 / 12;
    assert_true(row.cost_staff > 0);
    assert_true(row.cost_staff < planned);
    /* Without the series, a scenario with measures or turnover cannot be costed. */
    assert_int_equal(money_ledger_trial(&sc.money, &sc.model, NULL, rs.items, rs.n, &row, NULL, err, sizeof err), -1);
    TS_ASSERT_CONTAINS(err, "staff_in_post");
    free(rs.items);
    model_result_free(&res);
    config_scenario_free(&sc);
}

static void test_get_number_and_override(void **state)
{
    (void)state;
    config_scenario sc;
    char *text = join_lines(RICH, RICH_LINES, 0, "");
    config_error err;
    snprintf(g_path, sizeof g_path, "test-money.cfg");
    const char *ov[] = {"money.discount_rate=0.03", "money.baseline.assistance.kommun=12000"};
    int rc = config_load_text(&sc, g_path, text, ov, 2, &err);
    free(text);
    if (rc != 0)
        fail_msg("%s", err.message);
    double v;
    assert_int_equal(config_get_number(&sc, "money.discount_rate", &v), 0);
    TS_ASSERT_SAME_DOUBLE(v, 0.03);
    assert_int_equal(config_get_number(&sc, "money.baseline.assistance.kommun", &v), 0);
    TS_ASSERT_SAME_DOUBLE(v, 12000.0);
    assert_int_equal(config_get_number(&sc, "money.in_programme.af", &v), 0);
    TS_ASSERT_SAME_DOUBLE(v, 1000.0);
    assert_int_equal(config_get_number(&sc, "money.after.work.in.income", &v), 0);
    TS_ASSERT_SAME_DOUBLE(v, 19000.0);
    assert_int_equal(config_get_number(&sc, "money.after.nowhere.in.income", &v), -1);
    config_scenario_free(&sc);
}

/* ---- bad input ------------------------------------------------------------ */

/* RICH with one line replaced (and optionally the next one too) must fail
 * with "<file>:<line>: <key>: ..." containing `what`, on one line. */
static void expect_error2(int line, const char *replacement, const char *next, int at_line, const char *key,
                          const char *what)
{
    char *text = join_lines(RICH, RICH_LINES, line, replacement);
    if (next) {
        char *lines[RICH_LINES];
        int n = 0;
        for (char *save = NULL, *t = strtok_r(text, "\n", &save); t && n < RICH_LINES; t = strtok_r(NULL, "\n", &save))
            lines[n++] = t;
        char *again = join_lines((const char *const *)lines, n, line + 1, next);
        free(text);
        text = again;
    }
    config_scenario sc;
    config_error err;
    int rc = load_text(text, &sc, &err);
    free(text);
    if (rc == 0) {
        config_scenario_free(&sc);
        fail_msg("line %d = '%s' loaded; expected an error about %s", line, replacement, key);
    }
    char prefix[PATH_MAX + 200];
    snprintf(prefix, sizeof prefix, "%s:%d: %s: ", g_path, at_line, key);
    if (strncmp(err.message, prefix, strlen(prefix)) != 0)
        fail_msg("expected the message to start with \"%s\", got \"%s\"", prefix, err.message);
    TS_ASSERT_CONTAINS(err.message, what);
    assert_null(strchr(err.message, '\n'));
    print_message("  %s\n", err.message + strlen(g_path));
}

static void expect_error(int line, const char *replacement, int at_line, const char *key, const char *what)
{
    expect_error2(line, replacement, NULL, at_line, key, what);
}

static void test_bad_input(void **state)
{
    (void)state;
    /* Negative costs where no gain can be meant. */
    expect_error(24, "  staff = ( { role = \"coach\"; cost_per_fte_year = -600000.0; employer = \"kommun\"; },", 24,
                 "money.staff[0].cost_per_fte_year", "expected a number >= 0");
    expect_error(26, "  measures = ( { name = \"praktik\"; cost_per_participant_month = -4000.0; paid_by = \"af\"; } );",
                 26, "money.measures[0].cost_per_participant_month", ">= 0");
    expect_error(27, "  fixed = ( { name = \"premises\"; cost_per_month = -1.0; paid_by = \"kommun\"; } );", 27,
                 "money.fixed[0].cost_per_month", ">= 0");
    expect_error(30, "    job450 = { kommun = 2000.0; region = 1500.0; fk = -10.0; af = 9000.0; state = 3000.0; "
                     "income = 11000.0; };",
                 30, "money.baseline.job450.fk", "FK only pays out");
    expect_error(36, "    work = { in = { kommun = -2500.0; af = -500.0; income = 19000.0; };", 36,
                 "money.after.work.in.af", "AF only pays out");
    expect_error(36, "    work = { in = { kommun = -2500.0; income = -1.0; };", 36, "money.after.work.in.income",
                 "disposable income >= 0");
    /* A change may be negative, but not below zero for any profile. */
    expect_error(34, "  in_programme = { relative = true; af = -2000.0; };", 34, "money.in_programme.af",
                 "for profile 'assistance'");
    expect_error(21, "  discount_rate = -0.01;", 21, "money.discount_rate", ">= 0");
    /* Shares of a split. */
    expect_error(27, "  fixed = ( { name = \"premises\"; cost_per_month = 1.0; paid_by = { kommun = 0.5; region = 0.4; }; } );",
                 27, "money.fixed[0].paid_by", "shares must sum to 1, they sum to 0.9");
    expect_error(25, "            { role = \"handlaggare\"; cost_per_fte_year = 1.0; employer = { af = 0.7; fk = 0.7; }; } );",
                 25, "money.staff[1].employer", "shares must sum to 1, they sum to 1.4");
    /* Unknown actors, by name and with a did-you-mean (Swedish names included). */
    expect_error(28, "  per_participant = ( { name = \"assessment\"; cost = 3000.0; paid_by = \"landsting\"; } );", 28,
                 "money.per_participant[0].paid_by", "no actor named 'landsting' (did you mean 'region'?)");
    expect_error(31, "    assistance = { komun = 11000.0; region = 2500.0; fk = 0.0; af = 1500.0; state = 3500.0; };", 31,
                 "money.baseline.assistance.komun", "no actor named 'komun' (did you mean 'kommun'?)");
    expect_error(27, "  fixed = ( { name = \"premises\"; cost_per_month = 1.0; paid_by = { staten = 1.0; }; } );", 27,
                 "money.fixed[0].paid_by.staten", "did you mean 'state'?");
    expect_error(28, "  per_participant = ( { name = \"assessment\"; cost = 3000.0; paid_by = \"income\"; } );", 28,
                 "money.per_participant[0].paid_by", "the participant pays no programme cost");
    /* Unknown role, measure, profile and destination names. */
    expect_error(24, "  staff = ( { role = \"coah\"; cost_per_fte_year = 600000.0; employer = \"kommun\"; },", 24,
                 "money.staff[0].role", "no role in staff.roles named 'coah' (did you mean 'coach'?)");
    expect_error(26, "  measures = ( { name = \"praktk\"; cost_per_participant_month = 4000.0; paid_by = \"af\"; } );", 26,
                 "money.measures[0].name", "no measure named 'praktk' (did you mean 'praktik'?)");
    expect_error(31, "    asistance = { kommun = 11000.0; };", 31, "money.baseline.asistance",
                 "no profile named 'asistance' (did you mean 'assistance'?)");
    expect_error(38, "    othr = \"baseline\";", 38, "money.after.othr", "no destination named 'othr' (did you mean 'other'?)");
    /* Missing pieces. */
    expect_error2(24, "  staff = ( { role = \"coach\"; cost_per_fte_year = 600000.0; employer = \"kommun\"; } );", "", 24,
                  "money.staff", "role 'handlaggare' has 1 post but no cost");
    expect_error(31, "", 29, "money.baseline", "profile 'assistance' has no before-state");
    expect_error(36, "    work = {", 35, "money.after.work.in", "missing; people exiting to 'work'");
    expect_error(26, "", 20, "money.measures", "missing; the scenario has measures");
    /* Keys, horizons and anchors. */
    expect_error(21, "  discont_rate = 0.0;", 21, "money.discont_rate", "unknown key (did you mean 'discount_rate'?)");
    expect_error(22, "  horizons_years = [ 1.0, 1.05 ];", 22, "money.horizons_years", "expected whole months");
    expect_error(22, "  horizons_years = [ 3, 1 ];", 22, "money.horizons_years", "horizons must increase");
    expect_error(23, "  horizon_from = \"entry\";", 23, "money.horizon_from", "expected one of referral/start/exit");
    expect_error(33, "  waiting = \"before\";", 33, "money.waiting", "expected \"baseline\"");
    expect_error(30, "    job450 = { relative = true; kommun = 2000.0; };", 30, "money.baseline.job450.relative",
                 "the before-state is what other states are relative to");
}

/* Negative figures where they mean something load: a person in work pays
 * more tax to the kommun, region and state than they cost them. */
static void test_meaningful_negatives_load(void **state)
{
    (void)state;
    config_scenario sc;
    char *text = join_lines(RICH, RICH_LINES, 0, "");
    load_ok(text, &sc);
    free(text);
    TS_ASSERT_SAME_DOUBLE(sc.money.after_in[0].v[MONEY_KOMMUN], -2500.0);
    TS_ASSERT_SAME_DOUBLE(sc.money.after_in[0].v[MONEY_STATE], -4500.0);
    assert_false(sc.money.after_in[0].relative);
    assert_true(sc.money.after_out[0].relative);
    TS_ASSERT_SAME_DOUBLE(sc.money.staff_employer[1].share[MONEY_AF], 0.5);
    assert_int_equal(sc.money.horizon_months[1], 36);
    config_scenario_free(&sc);
    /* No money section: off. */
    text = join_lines(RICH, 19, 0, "");
    load_ok(text, &sc);
    free(text);
    assert_false(sc.money.enabled);
    config_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_jobbstudion),
        cmocka_unit_test(test_seed_vaxthuset),
        cmocka_unit_test(test_deterministic_by_hand),
        cmocka_unit_test(test_cohort_costs),
        cmocka_unit_test(test_trial_rules),
        cmocka_unit_test(test_costs_only_needs_no_baseline),
        cmocka_unit_test(test_stochastic_matches_records),
        cmocka_unit_test(test_turnover_and_series),
        cmocka_unit_test(test_get_number_and_override),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_meaningful_negatives_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
