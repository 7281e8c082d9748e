/*
 * service_params.h — what a scenario asks of its service levels: the wait
 * thresholds X of P(wait <= X) and the service-level targets on waits.
 * Filled by the scenario layer from the `service` section
 * (scenario/config_service.c); read by the output layer (output/service.c),
 * which computes them from the participant records. The model never reads
 * them: they change what is reported, never what happens.
 */
#ifndef CASEFLOW_SERVICE_PARAMS_H
#define CASEFLOW_SERVICE_PARAMS_H

#define SERVICE_MAX_THRESHOLDS 8
#define SERVICE_MAX_TARGETS 6
#define SERVICE_NAME_LEN 32
#define SERVICE_MAX_DAYS 36525 /* a hundred years: a wait threshold beyond is a typo */

enum service_target_kind {
    /* share of the people referred in months [from, to) who get a place
     * within `days` days >= value */
    SERVICE_TARGET_WAIT_SHARE = 0,
    /* the median wait of the people referred in months [from, to) <= days */
    SERVICE_TARGET_MEDIAN_WAIT = 1,
};

typedef struct service_target {
    char name[SERVICE_NAME_LEN];
    int kind;
    int days;
    double value;                 /* the share (wait_share); unused for median_wait */
    double from_month, to_month;  /* the referral cohort: referred in [from, to) months */
} service_target;

typedef struct service_params {
    int thresholds;                          /* 0: no P(wait <= X) columns */
    int wait_days[SERVICE_MAX_THRESHOLDS];   /* whole days, ascending, distinct */
    int targets;
    service_target target[SERVICE_MAX_TARGETS];
} service_params;

#endif
