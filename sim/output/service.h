/*
 * service.h — service levels of one trial: waits and times in programme
 * that count everyone, offered load against capacity, and the service-level
 * targets on waits.
 *
 * Owns the per-trial service numbers (service_row), their columns (names,
 * units, bounds: the same for every scenario of a study, so /trial_extras
 * and /summary carry them like any other metric) and their computation from
 * a trial's participant records, which include everyone still waiting or
 * in the programme at the horizon (fate 0).
 *
 * Which estimator, and why (docs/OUTPUT.md "Service levels" says the same
 * for users):
 *  - means by Little's law over the measured window: mean wait = area under
 *    the waiting-list curve from warm-up to horizon / people who joined the
 *    list in that window, and the same for time in programme with the
 *    caseload curve and assignments. In steady state both ratios are
 *    unbiased for the mean however short the window, because people present
 *    at warm-up and at the horizon are counted for the part of their stay
 *    inside it. The Kaplan–Meier restricted mean was the alternative: it is
 *    cut off at the longest follow-up, and on a 24-month window of a small
 *    programme (a dozen referrals per replication) it read 4–12 % low where
 *    Little's law was exact; the mean among those already assigned (the old
 *    `wait_days`) reads low by the variance over the window.
 *  - distributions by Kaplan–Meier (engine/eng_survival.h), censored at the
 *    horizon: median, 90th and 95th percentiles and P(wait <= X), for
 *    everyone referred (waits) or assigned (programme) after warm-up. The
 *    wait is the time until a place: someone who gave up waiting never gets
 *    one, so they stay "not yet placed" until the horizon (censored there),
 *    and P(wait <= X) is the share placed within X days.
 *  - per profile and per source (when there are two or more) from the same
 *    records. Records do not say when someone gave up waiting, so with
 *    waiting.patience_days the per-group mean wait is NaN (the overall one
 *    comes from the model's own waiting-list curve and stays exact).
 */
#ifndef CASEFLOW_SERVICE_H
#define CASEFLOW_SERVICE_H

#include <stddef.h>
#include "model/model_casework.h"

/* group 0: everyone; then profiles, then sources */
#define SERVICE_GROUPS (1 + MODEL_MAX_PROFILES + MODEL_MAX_SOURCES)
enum service_stat { SERVICE_MEAN, SERVICE_MEDIAN, SERVICE_P90, SERVICE_P95, SERVICE_WITHIN };
#define SERVICE_WAIT_STATS (SERVICE_WITHIN + SERVICE_MAX_THRESHOLDS)
#define SERVICE_PROGRAMME_STATS SERVICE_WITHIN

typedef struct service_row {
    double wait[SERVICE_GROUPS][SERVICE_WAIT_STATS];           /* days; within: share */
    double programme[SERVICE_GROUPS][SERVICE_PROGRAMME_STATS]; /* days */
    double offered_load;  /* accepted referrals x mean time in programme: places wanted */
    double capacity;      /* caseload places with every post filled */
    double target_value[SERVICE_MAX_TARGETS];
    double target_met[SERVICE_MAX_TARGETS];  /* 0/1; NaN when the cohort is empty */
} service_row;

#define SERVICE_MAX_COLUMNS \
    (SERVICE_GROUPS * (SERVICE_WAIT_STATS + SERVICE_PROGRAMME_STATS) + 2 + 2 * SERVICE_MAX_TARGETS)
#define SERVICE_COLUMN_NAME_LEN 80

typedef struct service_column {
    char name[SERVICE_COLUMN_NAME_LEN];
    char unit[16];
    int binary;      /* 0/1 per trial: Wilson's interval */
    int bounds;      /* enum results_bounds: where the value can lie */
    size_t offset;   /* of the double in service_row */
} service_column;

/* The scenario's service columns, in their stored order; returns the
 * count. cols may be NULL to count only. Names: wait_mean_days,
 * wait_median_days, wait_p90_days, wait_p95_days, wait_within_<X>d, the
 * same with programme_ (but within), each again with .profile.<name> and
 * .source.<name> where there are two or more, then offered_load, capacity,
 * target_value.<name> and target_met.<name> of the service targets. */
size_t service_columns(const model_params *p, service_column *cols);

/* The same columns' offsets alone (no names formatted); returns the count. */
size_t service_offsets(const model_params *p, size_t *offsets);

/* Reads column c of a row. */
double service_value(const service_row *row, const service_column *c);
void service_set(service_row *row, const service_column *c, double v);
double service_value_at(const service_row *row, size_t offset);

/* Computes a finished trial's service levels from its result and its n
 * participant records. Returns 0, or -1 when out of memory. */
int service_trial(const model_params *p, const model_result *r, const model_participant *recs, size_t n,
                  service_row *out);

#endif
