/*
 * model_ctx.h — the state of one replication, private to sim/model.
 *
 * Owns the types every file of the model shares: the event kinds, the
 * state of a participant, a worker, a team and a measure, and model_ctx,
 * the context a run hands to every function (state is explicit, never
 * global, so replications run side by side in threads). Also the few small
 * helpers all of them use: the growing FIFO, the running integral of a
 * level, meeting-queue entries, month_of and draw_index.
 *
 * Nothing outside sim/model includes this header; the public view of a run
 * is model_casework.h. Inside the model, includes point one way only, so
 * no mechanism file can reach back into the event handling:
 *
 *   model_ctx.h
 *     < model_arrivals.h (referral schedules), model_ready.h (who can
 *       take a participant), model_measures.h (places)
 *     < model_staff.h (the pool; uses ready)
 *     < model_participants.h (slots, memory guard; uses arrivals)
 *     < model_waiting.h, model_exits.h, model_series.h
 *     < model_events.h (model_casework.c: the handlers that cross mechanisms)
 *     < model_run.c (setup, the event loop, the horizon)
 */
#ifndef CASEFLOW_MODEL_CTX_H
#define CASEFLOW_MODEL_CTX_H

#include <stdint.h>
#include <stdlib.h>
#include <gsl/gsl_rng.h>

#include "engine/eng_sim.h"
#include "model/model_casework.h"

/* Kinds of events; the subject's meaning is given per kind. */
enum event_kind {
    EV_REFERRAL,           /* subject: source (0 for the core's single source) */
    EV_MEETING_END,        /* subject: worker */
    EV_OWN_TIME_END,       /* subject: participant slot */
    EV_MONTH_END,          /* subject: month index */
    EV_QUOTA_MONTH,        /* subject: source; releases the month's quota */
    EV_QUOTA_ARRIVAL,      /* subject: source */
    EV_REPLACEMENT_ARRIVAL,/* subject: source; a referral replacing one of its participants who exited */
    EV_RELAPSE_ARRIVAL,    /* subject: source; a former participant, out of work at 12 months, referred again */
    EV_RENEGE,             /* subject: participant slot */
    EV_WORKER_START,       /* subject: worker */
    EV_WORKER_LEAVE,       /* subject: worker */
    EV_MEASURE_END,        /* subject: participant slot */
    EV_MEASURE_OPEN,       /* subject: measure */
    EV_TIME_LIMIT,         /* subject: participant slot */
    EV_STAFF_PLAN,         /* subject: staffplan action (model_staffplan.c) */
};

enum participant_state {
    P_FREE, P_WAITING, P_NEEDS_MEETING, P_IN_MEETING, P_OWN_TIME, P_IN_MEASURE,
    P_STUCK                 /* drawn an exit whose receiver is full: holds their slot (model_handover.c) */
};

/* participant.limit_reached: what ends a meeting under way. */
enum { LIMIT_NONE = 0, LIMIT_TIME = 1, LIMIT_TRANSFER = 2 /* to the successor, after the meeting */ };

/* What a queued meeting is for. */
enum meeting_kind { MEET_CASEWORK = 0, MEET_DECISION = 1, MEET_CONSULT = 2 };

/* A participant in two parts, in two arrays indexed by slot. `participant`
 * holds what a meeting cycle touches, 32 bytes, two to a cache line;
 * `participant_record` the output record and what only some mechanisms
 * use. At 100x size (10^5 present) the first touch of a participant was
 * 41 % of the run while all of it lay over three lines of a 168-byte
 * struct; now the events of the core touch one line of a 3 MB array. */
typedef struct participant {
    int8_t state;           /* enum participant_state */
    int8_t phase;
    int8_t limit_reached;   /* the time limit passed during a meeting */
    int8_t measure_ready;   /* a place is held for them; enter it after the meeting */
    int16_t profile;        /* as rec.profile, whose need participant_need gives */
    int16_t site;           /* 0 untied; k: the source's site k (model_params.h, model_site) */
    uint32_t seq;           /* bumped on every enqueue, so stale queue entries are recognised */
    int32_t worker;         /* the worker now (-1 none); rec.worker when released */
    int32_t queued_at;      /* worker whose queue holds the participant's meeting */
    uint32_t meetings;      /* casework meetings; rec.meetings when released */
    evset_handle pending;   /* own-time or measure end */
} participant;

_Static_assert(sizeof(participant) == 32, "participant's hot part should stay 32 bytes");

typedef struct participant_record {
    model_participant rec; /* worker, meetings and phase are filled in on release */
    evset_handle renege;
    evset_handle limit;
    double readiness;
    double progress;
    uint32_t measure_seq;   /* like seq, for the measure queue */
    uint32_t next_free;
    int measure_wanted;     /* queued for a place in the phase's measure */
    int decision_phase;     /* phase a pending decision would open, -1 none */
    /* Mapping (first-phase) progress gained under volume pressure's
     * speed-up; tracked only when method.pressure.quality_cost is on. */
    double mapping_haste;
} participant_record;

/* FIFO of 64-bit entries, growing as needed. The capacity is a power of
 * two, so positions wrap with a mask rather than a division. */
typedef struct fifo {
    uint64_t *items;
    size_t head, count, capacity;
} fifo;

typedef struct worker {
    int team, role;
    double fte;
    int active;             /* in post */
    int leaving;            /* leaves when the current meeting ends */
    int closed;             /* the post ended (plan, funding, rule): no replacement */
    int rule;               /* 1 + the staff rule that opened the post, 0 none */
    double hired_at;
    int learning;           /* a new hire, still on the learning curve */
    double load;            /* participants, or their need */
    int caseload;
    int busy;
    uint64_t in_meeting;    /* queue entry being served */
    double busy_since;
    double month_busy;      /* busy time in the current month */
    fifo queue;
} worker;

typedef struct team_state {
    double capital, capital_time;   /* method capital and when last brought up to date */
    double maturity, maturity_time;
    double fte_active;
    int members_active;
} team_state;

typedef struct measure_state {
    int used;
    int places;             /* places now (staffplan schedules change it); set at setup */
    fifo queue;             /* participants waiting for a place */
} measure_state;

/* Staffing over time, in force now (model_staffplan.c); `on` is 0 unless the
 * scenario has plan steps, changes, rules, post ends or place schedules. */
typedef struct staffplan_state {
    int on;
    double role_cap[MODEL_MAX_ROLES];
    double core_cap;
    double hours_per_day;
    int first_plan_slot;    /* worker slots beyond the teams: plan posts, then rule posts */
    int rule_first[MODEL_MAX_STAFF_RULES], rule_slots[MODEL_MAX_STAFF_RULES];
    int rule_run[MODEL_MAX_STAFF_RULES];   /* consecutive month ends beyond the threshold */
} staffplan_state;

/* Someone waiting for a receiver (exits.receivers): their slot and id
 * (an entry whose person has since gone is skipped; in the programme only)
 * and since when. */
typedef struct stuck_entry {
    uint64_t id;
    uint32_t slot;          /* NO_SLOT: waiting outside the programme (between chairs) */
    double since;
} stuck_entry;

typedef struct receiver_state {
    int room;               /* places left this month */
    stuck_entry *items;     /* a FIFO: head .. head + count */
    size_t head, count, capacity;
} receiver_state;

typedef struct cumulative {
    /* Running integral of a level over time, never restarted; monthly and
     * post-warm-up averages are differences of it. */
    double level, area, last;
} cumulative;

/* The workers who can take a participant, least loaded first
 * (model_ready.c). Each worker's place is pos[w], or -1 when out. */
typedef struct ready_pool {
    int *pos;      /* levels: the level (load) w is filed at; heap: its index */
    int by_level;  /* integer loads: the levels; else the heap */
    /* levels: a bitmap of workers per load 0 .. levels - 1, `words` 64-bit
     * words each, with its count; the lowest level holding anyone (levels
     * when none) */
    uint64_t *bits;
    int *count;
    int words, levels, lowest;
    /* heap: worker indices keyed by (load, index) */
    int *heap, size;
} ready_pool;

typedef struct model_ctx {
    const model_params *p;
    sim engine;
    gsl_rng *stream[MODEL_STREAM_COUNT];
    gsl_rng *source_arrivals[MODEL_MAX_SOURCES];
    gsl_rng *source_profiles[MODEL_MAX_SOURCES];
    gsl_rng *source_feedback[MODEL_MAX_SOURCES];
    /* The phases in force: the scenario's, or one built from the core keys. */
    int phases;
    model_phase phase[MODEL_MAX_PHASES];
    int core_exits;         /* exits drawn exactly as the core does (no effects) */
    /* 1 when no mechanism acts on a casework meeting (model_run.c,
     * setup_core_meetings): every meeting is casework at a rate of
     * core_rate hours a day with busy weight fte, no limit ends one, and
     * after it comes own time. The handlers then skip a dozen parameter
     * checks per meeting; the arithmetic on every value is the same. */
    int core_meetings;
    double core_rate;
    /* Participant slots (model_participants.c). */
    participant *people;            /* 64-byte aligned */
    participant_record *records;
    uint32_t people_capacity, people_used, free_head;
    uint64_t present;       /* slots in use: referred and not yet gone */
    uint64_t present_limit; /* the memory guard: model_present_limit */
    int over_limit;         /* the guard tripped: the run stops and fails */
    /* The waiting list (model_waiting.c). */
    int levels;             /* waiting-list priority levels */
    int level_of_profile[MODEL_MAX_PROFILES];
    fifo waiting[MODEL_MAX_PROFILES];
    uint64_t waiting_count;
    /* Sites: each site's own list, with the same priority levels as
     * `waiting`, and count; untied referrals use `waiting` above. Empty
     * without sites. */
    fifo site_waiting[MODEL_MAX_SITES][MODEL_MAX_PROFILES];
    uint64_t site_waiting_count[MODEL_MAX_SITES];
    /* The staff pool (model_staff.c). */
    worker *workers;
    int worker_count;
    /* Case workers who can take participants, least loaded first
     * (model_ready.c). Used when every caseload-carrying role has the same
     * cap (uniform_caps), so the least loaded either has room or nobody has. */
    int uniform_caps;
    ready_pool ready;
    team_state teams[MODEL_MAX_TEAMS];
    int team_count;
    measure_state measures[MODEL_MAX_MEASURES];
    staffplan_state plan;
    double quota_carry[MODEL_MAX_SOURCES];
    int active;
    uint64_t enrolled;
    uint64_t exits_to[MODEL_MAX_DESTINATIONS];
    int pressure;
    double warmup_time, horizon_time;
    int measuring;
    uint64_t next_id;
    /* Levels over time and this month's counts (model_series.c). */
    cumulative waiting_level, active_level, busy_level, capacity_level;
    int staff_changed;      /* capacity moved since the run began */
    double warm_waiting_area, warm_active_area, warm_busy_area, warm_capacity_area;
    double month_busy_area_start, month_capacity_area_start;
    uint64_t month_referrals, month_meetings;
    uint64_t month_exits[MODEL_MAX_DESTINATIONS];
    uint64_t month_source_referrals[MODEL_MAX_SOURCES], month_source_rejected[MODEL_MAX_SOURCES];
    uint64_t month_reneged;
    model_participant_sink sink;
    void *sink_ctx;
    int stop;
    model_result *out;
    /* Hand-over (model_handover.c): untouched unless the scenario has a
     * successor or receivers. */
    int receiver_of[MODEL_MAX_DESTINATIONS];  /* -1: no receiving capacity */
    receiver_state receiving[MODEL_MAX_RECEIVERS];
    uint64_t successor_first_after;            /* ids from here on were referred after the close */
    double successor_close_time;               /* when the close came */
    double successor_room;                     /* places left in the successor */
    int successor_closed;                      /* the close has come */
} model_ctx;

#define NO_SLOT UINT32_MAX

/* A participant's need (1 without profiles): a profile's, so not stored. */
static inline double participant_need(const model_ctx *m, const participant *pp)
{
    return m->p->profiles > 0 ? m->p->profile[pp->profile].need : 1.0;
}

static inline int fifo_push(fifo *q, uint64_t v)
{
    if (q->count == q->capacity) {
        size_t cap = q->capacity ? q->capacity * 2 : 16;
        uint64_t *items = malloc(cap * sizeof *items);
        if (!items)
            return -1;
        for (size_t i = 0; i < q->count; i++)
            items[i] = q->items[(q->head + i) & (q->capacity - 1)];
        free(q->items);
        q->items = items;
        q->head = 0;
        q->capacity = cap;
    }
    q->items[(q->head + q->count) & (q->capacity - 1)] = v;
    q->count++;
    return 0;
}

static inline uint64_t fifo_pop(fifo *q)
{
    uint64_t v = q->items[q->head];
    q->head = (q->head + 1) & (q->capacity - 1);
    q->count--;
    return v;
}

static inline void cumulative_set(cumulative *c, double now, double level)
{
    c->area += c->level * (now - c->last);
    c->last = now;
    c->level = level;
}

static inline double cumulative_area(const cumulative *c, double now)
{
    return c->area + c->level * (now - c->last);
}

/* Queue entries: participant slot, meeting kind and the participant's
 * enqueue sequence number, so an entry whose participant has since left or
 * moved on is skipped. */
static inline uint64_t entry_make(uint32_t slot, int kind, uint32_t seq)
{
    return ((uint64_t)seq << 34) | ((uint64_t)kind << 32) | slot;
}
static inline uint32_t entry_slot(uint64_t e) { return (uint32_t)e; }
static inline int entry_kind(uint64_t e) { return (int)((e >> 32) & 3); }
static inline uint32_t entry_seq(uint64_t e) { return (uint32_t)(e >> 34); }
/* Sequence numbers keep their low 30 bits in an entry; wrapping is harmless
 * because a stale entry is popped long before 2^30 later enqueues. */
static inline int entry_current(uint64_t e, uint32_t seq) { return entry_seq(e) == (seq & 0x3fffffffu); }

static inline double month_of(double t)
{
    return t / MODEL_DAYS_PER_MONTH;
}

/* An index drawn with the given shares (summing to 1; the last takes any
 * rounding remainder). */
static inline int draw_index(gsl_rng *r, const double *shares, int n)
{
    double u = rng_uniform(r), acc = 0;
    for (int i = 0; i < n - 1; i++) {
        acc += shares[i];
        if (u < acc)
            return i;
    }
    return n - 1;
}

#endif
