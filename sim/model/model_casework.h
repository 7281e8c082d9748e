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
#include "engine/eng_dist.h"
#include "engine/eng_stats.h"

#include "model/model_params.h"

/* Random streams, one per purpose, so that scenarios sharing a seed see the
 * same referrals even when staffing differs (common random numbers). */
enum model_stream {
    MODEL_STREAM_REFERRAL = 1,  /* the core's single Poisson source */
    MODEL_STREAM_MEETING,
    MODEL_STREAM_OWN_TIME,
    MODEL_STREAM_EXIT,
    MODEL_STREAM_PATIENCE,
    MODEL_STREAM_STAFF,         /* tenure and vacancy */
    MODEL_STREAM_CALL_IN,
    MODEL_STREAM_MEASURE,
    MODEL_STREAM_FOLLOWUP,
    MODEL_STREAM_COUNT
};
/* Per-source streams (arrivals, profiles of scheduled referrals, and of
 * replacement or relapse referrals, which depend on exits) are derived with
 * these offsets plus the source index. */
#define MODEL_STREAM_SOURCE_ARRIVALS 1000u
#define MODEL_STREAM_SOURCE_PROFILES 2000u
#define MODEL_STREAM_SOURCE_FEEDBACK 3000u

/* What became of a participant. */
enum model_fate { FATE_PRESENT = 0, FATE_EXITED = 1, FATE_REJECTED = 2, FATE_RENEGED = 3,
                  FATE_TRANSFERRED = 4 /* handed to the successor project at the close (model_handover.c) */ };

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
    int32_t worker;         /* -1 if never assigned; the last worker otherwise */
    uint32_t meetings;
    int16_t source;
    int16_t profile;
    int16_t worker_changes;
    int8_t fate;            /* enum model_fate */
    int8_t phase;           /* last phase reached */
    int8_t female;
    int8_t age_band;        /* -1 when no age bands are configured */
    int8_t followup_12;     /* in work or studies 12 months after exit: 1, 0; -1 not followed */
    int8_t followup_24;
    int8_t relapse;         /* 1: this referral is a relapse after an earlier exit */
    int8_t from_snapshot;   /* 1: in the programme or waiting at the start (run.snapshot); referred at or before 0 */
} model_participant;

/* Receives each final participant record; returns 0 to go on, non-zero to
 * stop the run (e.g. the sink could not store it). */
typedef int (*model_participant_sink)(void *sink_ctx, const model_participant *p);

#define MODEL_MAX_SERIES 16

/* One monthly quantity: months x width values, row-major. */
typedef struct model_series_item {
    char name[MODEL_NAME_LEN];
    const char *units;
    int width;               /* 1, or one column per destination, source, worker ... */
    double *values;
} model_series_item;

/* Monthly series for month m covering [m, m+1) months. Levels (waiting,
 * active, caseloads) are snapshots at the month's end. The first six items
 * are always present and named by the fields below; the others appear when
 * their mechanism is on. */
typedef struct model_series {
    int months;
    int destinations;
    int count;
    model_series_item item[MODEL_MAX_SERIES];
    double *referrals;
    double *waiting;
    double *active;
    double *meetings;
    double *utilisation;     /* busy worker time / available worker time */
    double *exits;           /* months x destinations, row-major */
} model_series;

/* The shape of the series a scenario produces (names, units, widths). */
void model_series_layout(const model_params *p, model_series *layout);

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
    /* Mechanisms (zero when off), from the end of warm-up: */
    uint64_t rejected_measured, reneged_measured, relapses_measured, enrolled_measured;
    uint64_t referrals_by_source[MODEL_MAX_SOURCES];
    uint64_t rejected_by_source[MODEL_MAX_SOURCES];
    uint64_t exits_by_profile[MODEL_MAX_PROFILES][MODEL_MAX_DESTINATIONS];
    /* Exits whose follow-up falls within the horizon: [d][0] followed at 12
     * months, [d][1] of them in work or studies, [d][2], [d][3] the same at 24. */
    uint64_t followup[MODEL_MAX_DESTINATIONS][4];
    /* The same for follow-up point k of exits.followup.months (only when
     * the scenario names months other than 12 and 24): [k][d][0] followed,
     * [k][d][1] of them in work or studies. */
    uint64_t followup_at[MODEL_MAX_FOLLOWUP][MODEL_MAX_DESTINATIONS][2];
    double target_value[MODEL_MAX_TARGETS];   /* attained by the deadline */
    int target_met[MODEL_MAX_TARGETS];
    double method_capital;                    /* mean over teams at the horizon */
    /* Sites (zero without): per site, whole run from time 0, counting
     * people the first time only: accepted referrals tied to it, those
     * assigned, those who gave up in its list before ever being assigned,
     * and those still there at the horizon never assigned; so referred =
     * assigned + gave_up + waiting_at_end. */
    uint64_t site_referred[MODEL_MAX_SITES], site_assigned[MODEL_MAX_SITES];
    uint64_t site_gave_up[MODEL_MAX_SITES], site_waiting_at_end[MODEL_MAX_SITES];
    /* Hand-over (model_handover.c; zero when off), whole run: to the
     * successor, of them from the waiting list, and those present at the
     * close it had not taken by the horizon; per receiver (exits.receivers)
     * those who found it full, those of them it took by the horizon, the
     * days those waited in all, and those still waiting at the horizon. */
    uint64_t transferred, transferred_waiting, successor_left;
    uint64_t stuck[MODEL_MAX_RECEIVERS], stuck_received[MODEL_MAX_RECEIVERS], stuck_at_end[MODEL_MAX_RECEIVERS];
    double stuck_days[MODEL_MAX_RECEIVERS];
    model_series series;
    /* Why the run failed, for a person to read; empty when it did not. */
    char failure[256];
} model_result;

/* Returns NULL if the parameters are consistent, else what is wrong. The
 * config layer validates each key's type and range; this checks what only
 * the whole shows, and is the one place those checks are written (the
 * config layer reports its findings at the key, with model_params_explain). */
const char *model_params_check(const model_params *p);

/* What a failed check is about, so a reader of files can name the key. */
typedef enum model_part {
    MODEL_PART_OTHER = 0,
    MODEL_PART_WARMUP,         /* run.warmup_months */
    MODEL_PART_CASELOAD_CAP,   /* staff.caseload_cap (no roles) */
    MODEL_PART_CASEWORK_MEETING, /* casework.meeting_hours */
    MODEL_PART_ROLES,          /* staff.roles as a whole */
    MODEL_PART_ROLE,           /* staff.roles[index] */
    MODEL_PART_TEAMS,          /* staff.teams as a whole */
    MODEL_PART_PHASE,          /* phases[index] */
} model_part;

typedef struct model_problem {
    model_part part;
    int index;                 /* the role or phase; -1 for a whole part */
    char why[320];             /* one line naming the values and names involved */
} model_problem;

/* The same checks as model_params_check: 0 when consistent, else -1 with
 * problem filled. */
int model_params_explain(const model_params *p, model_problem *problem);

/* The most participants a run lets be present at once (referred and not
 * yet gone): max_participants_present when set, else 1 000 000 plus the
 * referrals the scenario's sources are expected to make over the horizon
 * (rates or quotas x months; replacement and relapse referrals, which feed
 * on exits, are not counted). Without that feedback nobody can be present
 * who was not one of those referrals, and Poisson counts stray from their
 * mean by far less than 1 000 000, so only a scenario whose exits breed
 * more referrals than they remove (e.g. a source's replacement above 1)
 * reaches the default. Cost at the limit: a slot of 32 + 120 bytes (hot
 * part and record, model_ctx.h), a record of 72 in the runner's buffer,
 * queue entries and an event or two per participant present, up to twice
 * that while arrays grow by doubling;
 * measured, a trial stopped at the default (1 002 400 present, 1.6 s)
 * peaked at 260 MB resident; without the guard the same trial grew to
 * 3.6 GB in 40 s until refused memory under a 6 GB address-space limit. */
uint64_t model_present_limit(const model_params *p);

/* What model_run returns. */
enum model_run_status {
    MODEL_RUN_OK = 0,
    MODEL_RUN_OUT_OF_MEMORY = -1,
    MODEL_RUN_SINK_STOPPED = -2,         /* the sink asked to stop */
    MODEL_RUN_TOO_MANY_PRESENT = -3      /* the memory guard: see model_present_limit */
};

/* Runs one replication. Returns an enum model_run_status: 0 on success, -1
 * when out of memory, -2 when the sink asked to stop, -3 when more
 * participants were present at once than model_present_limit allows (the
 * trial is cut short; out->failure says when and why). *out must be
 * released with model_result_free whatever the return value. */
int model_run(const model_params *p, uint32_t replication, uint64_t seed,
              model_participant_sink sink, void *sink_ctx, model_result *out);

void model_result_free(model_result *r);

#endif
