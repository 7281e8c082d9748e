/*
 * results.h — what one trial reports, and what a study concludes from many.
 *
 * Owns the flat per-trial row (one scenario's replication: counts, means,
 * exits by destination), the key metrics derived from a row, and the
 * summaries across trials: each scenario's mean with a 95 % confidence
 * interval, and each scenario's paired difference against the base
 * (scenario 0). The runner fills rows from model results; a merge fills them
 * from task files; both summarise with the same code, so a merged study and
 * a single-process run report the same numbers.
 */
#ifndef CASEFLOW_RESULTS_H
#define CASEFLOW_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include "model/model_casework.h"
#include "output/service.h"

enum results_status { RESULTS_PENDING = 0, RESULTS_DONE = 1, RESULTS_FAILED = 2 };

typedef struct results_row {
    uint64_t trial;
    uint32_t scenario;
    uint32_t replication;
    uint64_t seed;
    uint32_t status;
    uint64_t events;
    double wall_seconds;          /* the one field that differs between identical runs */
    uint64_t referrals, exits, waiting_at_end, active_at_end;
    uint64_t referrals_measured, exits_measured;
    /* Means among those assigned (waits) or exited (programme) within the
     * window: biased low on short windows, kept under names that say so;
     * the censoring-correct ones are in `service`. */
    uint64_t wait_n;
    double wait_days_assigned, wait_max_days;
    uint64_t programme_n;
    double time_in_programme_days_assigned;
    double meetings_per_exit;
    double mean_waiting, mean_active, utilisation;
    uint64_t exits_by_destination[MODEL_MAX_DESTINATIONS];
    /* Mechanisms (zero when off), after warm-up; stored as their own
     * datasets, see docs/OUTPUT.md: */
    uint64_t rejected_measured, reneged_measured, relapses_measured, enrolled_measured;
    double method_capital;
    uint64_t referrals_by_source[MODEL_MAX_SOURCES];
    uint64_t rejected_by_source[MODEL_MAX_SOURCES];
    uint64_t exits_by_profile[MODEL_MAX_PROFILES][MODEL_MAX_DESTINATIONS];
    uint64_t followup[MODEL_MAX_DESTINATIONS][4];
    uint64_t followup_at[MODEL_MAX_FOLLOWUP][MODEL_MAX_DESTINATIONS][2]; /* exits.followup.months; see model_result */
    double target_value[MODEL_MAX_TARGETS];
    int32_t target_met[MODEL_MAX_TARGETS];
    /* Hand-over (model_handover.c; zero when off), see model_result. */
    uint64_t transferred, transferred_waiting, successor_left;
    uint64_t stuck[MODEL_MAX_RECEIVERS], stuck_received[MODEL_MAX_RECEIVERS], stuck_at_end[MODEL_MAX_RECEIVERS];
    double stuck_days[MODEL_MAX_RECEIVERS];
    /* Service levels (output/service.h), filled from the participant
     * records by the runner, stored in /trial_extras. */
    service_row service;
    /* Sites (model_result), whole run; stored in /trial_extras as
     * site.<name>.referred, .assigned, .gave_up, .waiting_at_end. */
    uint64_t site_counts[MODEL_MAX_SITES][4];
} results_row;

#define RESULTS_MAX_METRICS (16 + 4 * MODEL_MAX_DESTINATIONS + MODEL_MAX_FOLLOWUP * MODEL_MAX_DESTINATIONS + \
                             2 * MODEL_MAX_TARGETS + MODEL_MAX_SOURCES + \
                             1 + 3 * MODEL_MAX_RECEIVERS + SERVICE_MAX_COLUMNS)
#define RESULTS_NAME_LEN 80

/* Where a metric's values can lie. A confidence interval of a quantity that
 * cannot be negative (a wait, a count) is cut at 0, and that of a share at
 * 0 and 1: Student's t on few replications of a skewed quantity can reach
 * below 0, which would only say that the interval is not to be trusted
 * there. The mean itself is never changed. */
enum results_bounds { RESULTS_UNBOUNDED = 0, RESULTS_NONNEGATIVE = 1, RESULTS_UNIT_INTERVAL = 2 };

typedef struct results_metric_info {
    char name[RESULTS_NAME_LEN];
    char unit[16];
    int binary;        /* 0/1 per trial: the interval is Wilson's for a proportion */
    int bounds;        /* enum results_bounds */
} results_metric_info;

typedef struct results_summary {
    uint32_t scenario;
    char metric[RESULTS_NAME_LEN];
    char unit[16];
    double mean, ci_low, ci_high;
    uint64_t replications;
} results_summary;

typedef struct results_difference {
    uint32_t scenario;            /* compared against the reference (scenario 0 unless the study names one) */
    char metric[RESULTS_NAME_LEN];
    double mean, ci_low, ci_high; /* scenario minus base */
    uint64_t replications;
    uint32_t paired;              /* 1: replications paired (common random numbers) */
} results_difference;

void results_row_from_model(results_row *row, const model_result *r);

/* Metric names for a scenario with these destinations; returns the count. */
size_t results_metric_info_for(const model_params *p, results_metric_info *info);

/* The row's metric values (NaN where undefined, e.g. no exits). */
void results_metric_values(const results_row *row, const model_params *p, double *values);

/* The mechanisms' per-trial numbers as one flat vector of doubles, so the
 * output stores, merges and resumes them as one dataset whatever the
 * scenario switches on. Columns depend on the scenario's sources, profiles,
 * destinations and targets (names, never values), so every scenario of a
 * study has the same columns. */
#define RESULTS_MAX_EXTRAS (5 + 2 * MODEL_MAX_SOURCES + MODEL_MAX_PROFILES * MODEL_MAX_DESTINATIONS + \
                            4 * MODEL_MAX_DESTINATIONS + 2 * MODEL_MAX_FOLLOWUP * MODEL_MAX_DESTINATIONS + \
                            2 * MODEL_MAX_TARGETS + SERVICE_MAX_COLUMNS + 4 * MODEL_MAX_SITES + 3 + 4 * MODEL_MAX_RECEIVERS)
#define RESULTS_EXTRA_NAME_LEN 80

/* Column names; returns the count. names may be NULL to count only. */
size_t results_extras_names(const model_params *p, char (*names)[RESULTS_EXTRA_NAME_LEN]);
void results_extras_pack(const results_row *row, const model_params *p, double *values);
void results_extras_unpack(results_row *row, const model_params *p, const double *values);

/* Which trial a row of values belongs to. */
typedef struct results_key {
    uint32_t scenario, replication, status;
} results_key;

/* Summaries of any per-trial table (n rows of m values, NaN where a value
 * is undefined), as results_summarise makes them; the money ledger uses it
 * for its own metrics. */
int results_summarise_table(const double *values, const results_key *keys, size_t n, size_t m, int scenarios,
                            const results_metric_info *info, int paired, results_summary **summary,
                            size_t *n_summary, results_difference **diffs, size_t *n_diffs);

/* Summaries over rows of `scenarios` scenarios sharing p's shape; rows need
 * not be ordered. paired: replication r of every scenario ran on the same
 * seed, so differences are taken per replication. Arrays are malloc'ed;
 * returns 0 or -1 when out of memory. */
int results_summarise(const results_row *rows, size_t n, int scenarios, const model_params *p, int paired,
                      results_summary **summary, size_t *n_summary, results_difference **diffs,
                      size_t *n_diffs);

/* As results_summarise(_table), with differences taken against scenario
 * `reference` (study.reference) instead of scenario 0: every scenario but
 * the reference gets a row of differences. */
int results_summarise_against(const results_row *rows, size_t n, int scenarios, const model_params *p, int paired,
                              int reference, results_summary **summary, size_t *n_summary,
                              results_difference **diffs, size_t *n_diffs);
int results_summarise_table_against(const double *values, const results_key *keys, size_t n, size_t m,
                                    int scenarios, const results_metric_info *info, int paired, int reference,
                                    results_summary **summary, size_t *n_summary, results_difference **diffs,
                                    size_t *n_diffs);

/* Fills row i's m values and its key, for results_summarise_rows. */
typedef void (*results_pack_row)(const void *rows, size_t i, const void *params, double *values, results_key *key);

/* results_summarise_table_against over n rows of any kind, each packed into
 * m values by pack (rows and params are pack's own): the one place that
 * allocates the table, so the trial and money summaries cannot differ in
 * how they fill it or fail. Returns 0 or -1 (out of memory, with *summary
 * and *diffs NULL). */
int results_summarise_rows(const void *rows, size_t n, size_t m, results_pack_row pack, const void *params,
                           int scenarios, const results_metric_info *info, int paired, int reference,
                           results_summary **summary, size_t *n_summary, results_difference **diffs,
                           size_t *n_diffs);

#endif
