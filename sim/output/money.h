/*
 * money.h — what a programme costs and what it changes in the public cost of
 * its participants' exclusion: a per-actor socio-economic ledger in the style
 * of payoff's NyttoSam analyses (seed 002, Bilaga 7).
 *
 * Owns the ledger of one trial computed from its participant
 * records and monthly series, a deterministic ledger of a representative
 * participant (the NyttoSam arithmetic, no simulation), and summaries across
 * trials (means with 95 % Student-t intervals, as results.c).
 *
 * The ledger in words. Every person has a before-state: the monthly public
 * cost of their exclusion for a person of their profile, split by actor
 * (kommun, region, FK, AF, the state), plus their own disposable income. The
 * counterfactual is that they stay in it. From their start (referral by
 * default; assignment or exit on request) the record says which state they
 * are in month by month: waiting, in the programme, then after exit the
 * state of their destination, "in" (in work or studies) or "out" by the
 * follow-up status: the 12-month status holds for the first year after exit,
 * the 24-month status from then on; a destination that is not followed up
 * is "in" when it is one of exits.good and "out" otherwise. An actor's gain
 * in a month is its before-state cost minus its cost in the state the person
 * is in; the individual's gain is the change in disposable income; "public"
 * sums the five actors and "society" is public plus the individual (so
 * transfers between them cancel). The programme's cost (staff, external
 * measures, fixed costs, purchases per participant), borne by the actors
 * who pay it, is divided over the cohort and set against the gains: the net
 * result after each horizon, and payback, the first month in which the
 * cumulative gain (discounted when a rate is given) reaches the cost.
 *
 * Costs are in kronor (the price level is the config's), times in months of
 * 365.25 / 12 days, rates per year.
 */
#ifndef CASEFLOW_MONEY_H
#define CASEFLOW_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "model/model_casework.h"
#include "output/results.h"

#include "model/money_params.h"

/* One trial's ledger. Per-person figures are per cohort member: the people
 * whose ledger starts (referral not screened out, assignment or exit, by
 * horizon_from) between the end of warm-up and the horizon. */
typedef struct money_row {
    uint32_t scenario, replication; /* left for the caller to set */
    uint32_t status;                /* enum results_status: DONE once computed */
    uint64_t cohort;
    uint64_t started;               /* assigned in the window */
    uint64_t good_exits;            /* exits to exits.good in the window */
    uint64_t censored;              /* cohort members still waiting or in the programme at the horizon */
    /* Programme cost in the window, kr. */
    double cost_total;
    double cost_by_payer[MONEY_ACTORS];
    double cost_staff, cost_measures, cost_fixed, cost_purchased;
    double cost_per_participant;    /* cost_total / started; NaN without starts */
    double cost_per_good_exit;      /* cost_total / good_exits; NaN without them */
    double cost_per_year;           /* cost_total over the measured window, per 12 months */
    /* Per cohort member, kr, after horizon h (cumulative from each person's
     * start, discounted): gain before the programme's cost, and net of the
     * account's share of the cost (the individual bears none). */
    double gain[MONEY_MAX_HORIZONS][MONEY_ACCOUNTS];
    double net[MONEY_MAX_HORIZONS][MONEY_ACCOUNTS];
    double cost_per_member[MONEY_ACCOUNTS];
    /* First month (1, 2, ...) in which the cumulative gain reaches the cost
     * (and is positive). NaN with payback_never = 1: not within the longest
     * horizon; NaN with payback_never = 0: undefined (no cohort). */
    double payback_months[MONEY_ACCOUNTS];
    uint8_t payback_never[MONEY_ACCOUNTS];
} money_row;

/* The ledger of one trial from its participant records (any order) and the
 * model's monthly series (needed when the scenario has measures, and used
 * for staff in post when it has turnover; NULL otherwise). curve, when not
 * NULL, receives the cumulative net per cohort member at the end of each
 * month up to the longest horizon: horizon_months[horizons - 1] rows of
 * MONEY_ACCOUNTS, row-major. Returns 0, or -1 with err set (a needed series
 * missing, out of memory). */
int money_ledger_trial(const money_params *mp, const model_params *p, const model_series *series,
                       const model_participant *recs, size_t n, money_row *row, double *curve, char *err,
                       size_t err_size);

/* ---- the deterministic ledger ---------------------------------------------
 * A representative participant: fixed months waiting and in the programme,
 * then exit shares and retention. With horizon_from = "exit", no discounting
 * and one post-exit state this is NyttoSam's linear arithmetic:
 * net_T = T * annual gain - cost, payback = first month with
 * month * annual gain / 12 >= cost. */
typedef struct money_cohort {
    double months_waiting;
    double months_in_programme;
    double profile_shares[MODEL_MAX_PROFILES];      /* sum 1; [0] = 1 without profiles */
    double destination_shares[MODEL_MAX_DESTINATIONS];
    double retained_12[MODEL_MAX_DESTINATIONS];     /* share in work or studies in year 1 after exit;
                                                       NaN: by exits.good */
    double retained_24[MODEL_MAX_DESTINATIONS];     /* from year 2 on; NaN: as retained_12 */
    double programme_cost[MONEY_ACTORS];            /* kr per participant, by payer */
} money_cohort;

/* Shares and retention from the scenario: exits.shares (zero with phases:
 * set them), exits.followup, profile shares averaged over the sources
 * weighted by their first rate; no programme cost. */
void money_cohort_from_params(const model_params *p, double months_waiting, double months_in_programme,
                              money_cohort *c);

/* Adds the programme cost per participant: the per-participant purchases,
 * measure_months[k] months in measure k (NULL: none) and, spread over
 * starts_per_month (> 0; else left out), the monthly cost of full staffing
 * and the fixed costs. */
void money_cohort_add_costs(const money_params *mp, const model_params *p, double starts_per_month,
                            const double *measure_months, money_cohort *c);

/* The ledger of the representative participant (cohort = started = 1).
 * Returns 0, or -1 with err set (shares that do not sum to 1, a state the
 * config did not give). */
int money_expected(const money_params *mp, const model_params *p, const money_cohort *c, money_row *row,
                   double *curve, char *err, size_t err_size);

/* ---- summaries -------------------------------------------------------------
 * Flat metrics, named "money.<what>[.<account>]", for the same summary
 * tables as results.h: cost_total, cost_per_participant, cost_per_good_exit,
 * cost_paid.<actor>, net_<h>.<account> (per cohort member; h = "1y", "5y",
 * or "18m" for a horizon that is not whole years), payback_months.<account>
 * (mean over the trials that paid back) and payback_never.<account> (the
 * probability of not paying back within the longest horizon, Wilson). */
#define MONEY_MAX_METRICS (9 + MONEY_ACTORS + (MONEY_MAX_HORIZONS + 2) * MONEY_ACCOUNTS)

size_t money_metric_info_for(const money_params *mp, results_metric_info *info);
void money_metric_values(const money_row *row, const money_params *mp, double *values);

/* A money row as a flat vector of doubles (everything but scenario and
 * replication), so the output stores, merges and resumes it as one dataset.
 * Columns depend only on the horizons. names may be NULL to count. */
#define MONEY_MAX_COLUMNS (13 + MONEY_ACTORS + (2 * MONEY_MAX_HORIZONS + 3) * MONEY_ACCOUNTS)
size_t money_row_columns(const money_params *mp, char (*names)[80]);
void money_row_pack(const money_row *row, const money_params *mp, double *values);
void money_row_unpack(money_row *row, const money_params *mp, const double *values);

/* Means with 95 % intervals per scenario over rows with status DONE (NaN
 * values skipped), and differences against scenario 0 (paired by
 * replication when paired, else Welch). Arrays are malloc'ed; returns 0 or -1
 * when out of memory. */
int money_summarise(const money_row *rows, size_t n, int scenarios, const money_params *mp, int paired,
                    results_summary **summary, size_t *n_summary, results_difference **diffs, size_t *n_diffs);
/* The same with differences against scenario `reference` (study.reference). */
int money_summarise_against(const money_row *rows, size_t n, int scenarios, const money_params *mp, int paired,
                            int reference, results_summary **summary, size_t *n_summary,
                            results_difference **diffs, size_t *n_diffs);

#endif
