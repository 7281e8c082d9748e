/*
 * model_casework.h — the case-manager model: referral, waiting list,
 * caseload, meetings and exits of participants in a rehabilitation programme.
 *
 * Owns the model's parameters, one replication's run, and what a run
 * reports: monthly series, per-replication summaries and one record per
 * participant, handed to a sink as soon as it is final so memory stays
 * bounded by the participants present, not by all ever seen.
 *
 * Time is in days; a month is 365.25 / 12 days.
 */
#ifndef CASEFLOW_MODEL_CASEWORK_H
#define CASEFLOW_MODEL_CASEWORK_H

#include <stdint.h>
#include "eng_dist.h"
#include "eng_stats.h"

#define MODEL_DAYS_PER_MONTH (365.25 / 12.0)
#define MODEL_MAX_DESTINATIONS 16
#define MODEL_NAME_LEN 32

typedef struct model_params {
    double referral_rate_per_month;   /* Poisson referrals */
    int workers;
    int caseload_cap;                 /* participants per worker */
    double meeting_hours_per_day;     /* a worker's hours for meetings per day */
    dist meeting_hours;               /* length of one meeting, hours */
    dist own_time_days;               /* time on own between meetings, days */
    double exit_probability;          /* case ends after a meeting */
    int destinations;
    char destination_names[MODEL_MAX_DESTINATIONS][MODEL_NAME_LEN];
    double destination_shares[MODEL_MAX_DESTINATIONS];
    int horizon_months;
    int warmup_months;
} model_params;

/* Random streams, one per purpose, so that scenarios sharing a seed see the
 * same referrals even when staffing differs (common random numbers). */
enum model_stream {
    MODEL_STREAM_REFERRAL = 1,
    MODEL_STREAM_MEETING,
    MODEL_STREAM_OWN_TIME,
    MODEL_STREAM_EXIT,
    MODEL_STREAM_COUNT
};

/* A participant's life, final once they exit or the horizon is reached.
 * Times in days; NaN where the event did not happen before the horizon. */
typedef struct model_participant {
    uint64_t id;            /* referral order within the replication */
    uint32_t scenario;      /* set by the runner; the model leaves it 0 */
    uint32_t replication;
    double referral_time;
    double assignment_time;
    double exit_time;
    int32_t destination;    /* index into destination names; -1 if none */
    int32_t worker;         /* -1 if never assigned */
    uint32_t meetings;
} model_participant;

/* Receives each final participant record; returns 0 to go on, non-zero to
 * stop the run (e.g. the sink could not store it). */
typedef int (*model_participant_sink)(void *sink_ctx, const model_participant *p);

/* One value per month for month m covering [m, m+1) months. Levels
 * (waiting, active) are snapshots at the month's end. */
typedef struct model_series {
    int months;
    int destinations;
    double *referrals;
    double *waiting;
    double *active;
    double *meetings;
    double *utilisation;     /* busy worker time / available worker time */
    double *exits;           /* months x destinations, row-major */
} model_series;

typedef struct model_result {
    uint32_t replication;
    uint64_t seed;
    uint64_t events;
    /* Whole run, from time 0: */
    uint64_t referrals, exits, waiting_at_end, active_at_end;
    /* From the end of warm-up to the horizon: */
    uint64_t referrals_measured;
    uint64_t exits_measured;
    uint64_t exits_by_destination[MODEL_MAX_DESTINATIONS];
    stat_obs wait_days;            /* referral to assignment, referred after warm-up */
    stat_obs programme_days;       /* assignment to exit, assigned after warm-up */
    stat_obs meetings_per_exit;    /* meetings of those exiting, assigned after warm-up */
    double mean_waiting;           /* time-average waiting-list length */
    double mean_active;            /* time-average participants assigned */
    double utilisation;            /* mean share of worker time in meetings */
    model_series series;
} model_result;

/* Returns NULL if the parameters are consistent, else what is wrong. The
 * config layer validates each key; this checks what only the whole shows. */
const char *model_params_check(const model_params *p);

/* Runs one replication. Returns 0 on success, -1 when out of memory, -2
 * when the sink asked to stop. *out must be released with model_result_free
 * whatever the return value. */
int model_run(const model_params *p, uint32_t replication, uint64_t seed,
              model_participant_sink sink, void *sink_ctx, model_result *out);

void model_result_free(model_result *r);

#endif
