/*
 * model_casework.c — one replication of a programme: referral, screening,
 * waiting, caseload, meetings, phases, measures, exits and follow-up.
 *
 * The core: a referral becomes a participant; if some case worker has room
 * under the caseload cap the participant is assigned to the least loaded one
 * (lowest index on ties), otherwise waits. An assigned participant alternates
 * between needing a meeting with their worker and time on their own. A worker
 * holds one meeting at a time, first come first served; worker time is a
 * budget of meeting hours per day, so a meeting of h hours occupies the
 * worker h / hours_per_day days. After each meeting the case may end, to a
 * destination drawn from the shares; the freed slot takes the head of the
 * waiting list. This is how caseload reaches outcomes: more participants per
 * worker means longer queues for meetings, hence longer gaps between them.
 *
 * Around the core, each mechanism of model_params.h acts only when switched
 * on: several referral sources (schedules, quotas, replacement, a referring
 * unit's load), profiles and screening, a priority list with reneging and
 * regression while waiting, staff with roles, teams, part-time, ramp-up,
 * turnover, learning and team maturity, decision and consultative roles,
 * phases with progress, external measures with places, a time limit,
 * follow-up with relapse, method capital against volume pressure, targets.
 */
#include "model/model_casework.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "engine/eng_rng.h"
#include "engine/eng_sim.h"

enum event_kind {
    EV_REFERRAL,      /* subject: source */
    EV_MEETING_END,   /* subject: worker */
    EV_OWN_TIME_END,  /* subject: participant slot */
    EV_MONTH_END,     /* subject: month index */
    EV_QUOTA_MONTH,   /* subject: source; releases the month's quota */
    EV_QUOTA_ARRIVAL, /* subject: source */
    EV_FEEDBACK_ARRIVAL, /* subject: source; replacement or relapse referral */
    EV_RENEGE,        /* subject: participant slot */
    EV_WORKER_START,  /* subject: worker */
    EV_WORKER_LEAVE,  /* subject: worker */
    EV_MEASURE_END,   /* subject: participant slot */
    EV_MEASURE_OPEN,  /* subject: measure */
    EV_TIME_LIMIT,    /* subject: participant slot */
};

enum participant_state {
    P_FREE, P_WAITING, P_NEEDS_MEETING, P_IN_MEETING, P_OWN_TIME, P_IN_MEASURE
};

/* What a queued meeting is for. */
enum meeting_kind { MEET_CASEWORK = 0, MEET_DECISION = 1, MEET_CONSULT = 2 };

typedef struct participant {
    model_participant rec;
    int state;
    uint32_t seq;           /* bumped on every enqueue, so stale queue entries are recognised */
    evset_handle pending;   /* own-time or measure end */
    evset_handle renege;
    evset_handle limit;
    uint32_t next_free;
    double need, readiness;
    double progress;
    int phase;
    int measure_wanted;     /* queued for a place in the phase's measure */
    int measure_ready;      /* a place is held for them; enter it after the meeting */
    int limit_reached;      /* the time limit passed during a meeting */
    int decision_phase;     /* phase a pending decision would open, -1 none */
    int queued_at;          /* worker whose queue holds the participant's meeting */
    uint32_t measure_seq;   /* like seq, for the measure queue */
} participant;

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
    fifo queue;             /* participants waiting for a place */
} measure_state;

typedef struct cumulative {
    /* Running integral of a level over time, never restarted; monthly and
     * post-warm-up averages are differences of it. */
    double level, area, last;
} cumulative;

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
    participant *people;
    uint32_t people_capacity, people_used, free_head;
    int levels;             /* waiting-list priority levels */
    int level_of_profile[MODEL_MAX_PROFILES];
    fifo waiting[MODEL_MAX_PROFILES];
    uint64_t waiting_count;
    worker *workers;
    int worker_count;
    /* Case workers who can take participants, as a binary heap keyed by
     * (load, index): the least loaded is found in O(1) and kept in
     * O(log W) when loads change. Used when every caseload-carrying role
     * has the same cap, so the least loaded either has room or nobody has. */
    int uniform_caps;
    int *ready_heap, *ready_pos, ready_size;
    team_state teams[MODEL_MAX_TEAMS];
    int team_count;
    measure_state measures[MODEL_MAX_MEASURES];
    double quota_carry[MODEL_MAX_SOURCES];
    int active;
    uint64_t enrolled;
    uint64_t exits_to[MODEL_MAX_DESTINATIONS];
    int pressure;
    double warmup_time, horizon_time;
    int measuring;
    uint64_t next_id;
    cumulative waiting_level, active_level, busy_level, capacity_level;
    int staff_changed;      /* capacity moved since the run began */
    double warm_waiting_area, warm_active_area, warm_busy_area, warm_capacity_area;
    double month_busy_area_start, month_capacity_area_start;
    uint64_t month_referrals, month_meetings;
    uint64_t month_exits[MODEL_MAX_DESTINATIONS];
    uint64_t month_source_referrals[MODEL_MAX_SOURCES], month_source_rejected[MODEL_MAX_SOURCES];
    uint64_t month_reneged;
    int extra_series;       /* index of the first optional series item */
    model_participant_sink sink;
    void *sink_ctx;
    int stop;
    model_result *out;
} model_ctx;

#define NO_SLOT UINT32_MAX

static int fifo_push(fifo *q, uint64_t v)
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

static uint64_t fifo_pop(fifo *q)
{
    uint64_t v = q->items[q->head];
    q->head = (q->head + 1) & (q->capacity - 1);
    q->count--;
    return v;
}

static void cumulative_set(cumulative *c, double now, double level)
{
    c->area += c->level * (now - c->last);
    c->last = now;
    c->level = level;
}

static double cumulative_area(const cumulative *c, double now)
{
    return c->area + c->level * (now - c->last);
}

/* Queue entries: participant slot, meeting kind and the participant's
 * enqueue sequence number, so an entry whose participant has since left or
 * moved on is skipped. */
static uint64_t entry_make(uint32_t slot, int kind, uint32_t seq)
{
    return ((uint64_t)seq << 34) | ((uint64_t)kind << 32) | slot;
}
static uint32_t entry_slot(uint64_t e) { return (uint32_t)e; }
static int entry_kind(uint64_t e) { return (int)((e >> 32) & 3); }
static uint32_t entry_seq(uint64_t e) { return (uint32_t)(e >> 34); }
/* Sequence numbers keep their low 30 bits in an entry; wrapping is harmless
 * because a stale entry is popped long before 2^30 later enqueues. */
static int entry_current(uint64_t e, uint32_t seq) { return entry_seq(e) == (seq & 0x3fffffffu); }

/* ---- parameters --------------------------------------------------------- */

static double schedule_step(const model_schedule *s, double month)
{
    double v = s->value[0];
    for (int i = 1; i < s->count && s->month[i] <= month; i++)
        v = s->value[i];
    return v;
}

static double schedule_linear(const model_schedule *s, double month)
{
    if (month <= s->month[0])
        return s->value[0];
    for (int i = 1; i < s->count; i++)
        if (month < s->month[i]) {
            double f = (month - s->month[i - 1]) / (s->month[i] - s->month[i - 1]);
            return s->value[i - 1] + f * (s->value[i] - s->value[i - 1]);
        }
    return s->value[s->count - 1];
}

static int schedule_ok(const model_schedule *s)
{
    if (s->count < 1)
        return 0;
    for (int i = 0; i < s->count; i++) {
        if (!isfinite(s->value[i]) || s->value[i] < 0 || !isfinite(s->month[i]))
            return 0;
        if (i > 0 && !(s->month[i] > s->month[i - 1]))
            return 0;
    }
    return 1;
}

static int share_sum_ok(const double *shares, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (!(shares[i] >= 0))
            return 0;
        sum += shares[i];
    }
    return fabs(sum - 1.0) <= 1e-9;
}

/* A failed check: its short reason is returned; with a problem to fill, the
 * part it is about and the reason with names and values too. */
static const char *problem(model_problem *pr, model_part part, int index, const char *reason, const char *fmt, ...)
{
    if (pr) {
        pr->part = part;
        pr->index = index;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(pr->why, sizeof pr->why, fmt, ap);
        va_end(ap);
    }
    return reason;
}

#define SAME(reason) "%s", reason

static const char *params_check(const model_params *p, model_problem *pr)
{
    if (p->sources == 0 && (!(p->referral_rate_per_month > 0) || !isfinite(p->referral_rate_per_month)))
        return problem(pr, MODEL_PART_OTHER, -1, "referral rate must be a finite number > 0",
                       SAME("referral rate must be a finite number > 0"));
    if (p->roles == 0 && p->workers < 1)
        return problem(pr, MODEL_PART_OTHER, -1, "need at least one worker", SAME("need at least one worker"));
    if (p->roles == 0 && p->caseload_cap < 1)
        return problem(pr, MODEL_PART_CASELOAD_CAP, -1, "caseload cap must be >= 1", SAME("caseload cap must be >= 1"));
    if (!(p->meeting_hours_per_day > 0) || p->meeting_hours_per_day > 24)
        return problem(pr, MODEL_PART_OTHER, -1, "meeting hours per day must be in (0, 24]",
                       SAME("meeting hours per day must be in (0, 24]"));
    if (p->phases == 0 && (!(p->exit_probability > 0) || p->exit_probability > 1))
        return problem(pr, MODEL_PART_OTHER, -1, "exit probability must be in (0, 1]",
                       SAME("exit probability must be in (0, 1]"));
    if (p->destinations < 1 || p->destinations > MODEL_MAX_DESTINATIONS)
        return problem(pr, MODEL_PART_OTHER, -1, "need between 1 and 16 destinations",
                       SAME("need between 1 and 16 destinations"));
    if (p->phases == 0 && !share_sum_ok(p->destination_shares, p->destinations))
        return problem(pr, MODEL_PART_OTHER, -1, "destination shares must sum to 1",
                       SAME("destination shares must sum to 1"));
    if (p->horizon_months < 1)
        return problem(pr, MODEL_PART_OTHER, -1, "horizon must be at least one month",
                       SAME("horizon must be at least one month"));
    if (p->warmup_months < 0 || p->warmup_months >= p->horizon_months)
        return problem(pr, MODEL_PART_WARMUP, -1, "warm-up must be shorter than the horizon",
                       "expected fewer months than run.horizon_months (%d), got %d", p->horizon_months,
                       p->warmup_months);
    if (p->phases == 0 && dist_mean(&p->meeting_hours) <= 0)
        return problem(pr, MODEL_PART_CASEWORK_MEETING, -1, "meetings must take time (mean length > 0)",
                       SAME("meetings must take time (mean length > 0)"));
    for (int s = 0; s < p->sources; s++) {
        if (!schedule_ok(&p->source[s].rate))
            return problem(pr, MODEL_PART_OTHER, -1, "a source's schedule needs months in increasing order and values >= 0",
                           "source '%s': its schedule needs months in increasing order and values >= 0",
                           p->source[s].name);
        if (p->profiles > 0 && !share_sum_ok(p->source[s].profile_shares, p->profiles))
            return problem(pr, MODEL_PART_OTHER, -1, "a source's profile shares must sum to 1",
                           "source '%s': its profile shares must sum to 1", p->source[s].name);
        if (p->source[s].has_unit && (!schedule_ok(&p->source[s].unit_cases) || !(p->source[s].unit_caseworkers > 0) ||
                                      !(p->source[s].unit_zero_above > p->source[s].unit_full_below)))
            return problem(pr, MODEL_PART_OTHER, -1,
                           "a referring unit needs caseworkers > 0, a case schedule, and zero_rate_above > full_rate_below",
                           "source '%s': a referring unit needs caseworkers > 0, a case schedule, and "
                           "zero_rate_above > full_rate_below",
                           p->source[s].name);
    }
    for (int i = 0; i < p->profiles; i++) {
        if (p->age_bands > 0 && !share_sum_ok(p->profile[i].age_shares, p->age_bands))
            return problem(pr, MODEL_PART_OTHER, -1, "a profile's age shares must sum to 1",
                           "profile '%s': its age shares must sum to 1", p->profile[i].name);
        if (!(p->profile[i].need > 0))
            return problem(pr, MODEL_PART_OTHER, -1, "a profile's need must be > 0",
                           "profile '%s': its need must be > 0", p->profile[i].name);
    }
    if (p->roles > 0) {
        int casework = 0, staff = 0;
        for (int t = 0; t < p->teams; t++)
            for (int g = 0; g < p->team[t].groups; g++) {
                const model_member_group *m = &p->team[t].group[g];
                staff += m->count;
                if (p->role[m->role].caseload_cap > 0 && m->count > 0)
                    casework = 1;
            }
        /* Deciding and consulting roles first: a team of only those has
         * no casework either, and the role is the more precise message. */
        for (int r = 0; r < p->roles; r++) {
            if (p->role[r].decides || p->role[r].call_in_probability > 0) {
                int present = 0;
                for (int t = 0; t < p->teams; t++)
                    for (int g = 0; g < p->team[t].groups; g++)
                        present |= p->team[t].group[g].role == r && p->team[t].group[g].count > 0;
                if (!present)
                    return problem(pr, MODEL_PART_ROLE, r, "a decision or consultative role is in no team",
                                   "role '%s' decides or is called in, but no team has anyone in it", p->role[r].name);
            }
        }
        if (!casework)
            return problem(pr, MODEL_PART_TEAMS, -1, "no team has a role that carries a caseload",
                           "no team has anyone in a role with a caseload_cap > 0, so nobody can take a participant");
        if (staff > MODEL_MAX_WORKERS)
            return problem(pr, MODEL_PART_TEAMS, -1, "more than 100000 staff",
                           "the teams have %d people; at most %d", staff, MODEL_MAX_WORKERS);
    }
    for (int i = 0; i < p->phases; i++) {
        const model_phase *ph = &p->phase[i];
        /* A phase before the last must lead on (a time limit would only
         * cut short everyone who reaches it); the last may end by the
         * programme's time limit. */
        int last = i == p->phases - 1;
        if (!(ph->progress_per_meeting > 0) && !(ph->exit_probability > 0) && !(last && p->max_months > 0))
            return problem(pr, MODEL_PART_PHASE, i, "a phase can never be left (no progress, no exits, no time limit)",
                           last ? "this phase can never be left: give progress_per_meeting, exit_probability > 0 or "
                                  "programme.max_months"
                                : "this phase can never be left: give progress_per_meeting or exit_probability > 0");
        if (ph->exit_probability > 0 && !share_sum_ok(ph->exit_shares, p->destinations))
            return problem(pr, MODEL_PART_PHASE, i, "a phase's exit shares must sum to 1",
                           SAME("its exit shares must sum to 1"));
        if (last && ph->progress_per_meeting > 0 && !share_sum_ok(ph->completion_shares, p->destinations))
            return problem(pr, MODEL_PART_PHASE, i, "the last phase's completion shares must sum to 1",
                           SAME("its completion shares must sum to 1"));
        if (ph->needs_decision) {
            int decider = 0;
            for (int r = 0; r < p->roles; r++)
                decider |= p->role[r].decides;
            if (!decider)
                return problem(pr, MODEL_PART_PHASE, i, "a phase needs a decision but no role decides",
                               SAME("needs a decision, but no role in staff.roles has decides = true"));
        }
    }
    if (p->cap_by_need && p->roles > 0) {
        for (int i = 0; i < p->profiles; i++)
            for (int r = 0; r < p->roles; r++)
                if (p->role[r].caseload_cap > 0 && p->role[r].caseload_cap < p->profile[i].need)
                    return problem(pr, MODEL_PART_ROLES, -1, "a caseload cap is smaller than one participant's need weight",
                                   "role '%s' has caseload_cap %g, below the need %g of profile '%s': nobody of that "
                                   "profile could ever be assigned",
                                   p->role[r].name, p->role[r].caseload_cap, p->profile[i].need, p->profile[i].name);
    } else if (p->cap_by_need) {
        for (int i = 0; i < p->profiles; i++)
            if (p->caseload_cap < p->profile[i].need)
                return problem(pr, MODEL_PART_CASELOAD_CAP, -1,
                               "a caseload cap is smaller than one participant's need weight",
                               "caseload cap %d is below the need %g of profile '%s'", p->caseload_cap,
                               p->profile[i].need, p->profile[i].name);
    }
    return NULL;
}

const char *model_params_check(const model_params *p)
{
    return params_check(p, NULL);
}

int model_params_explain(const model_params *p, model_problem *problem_out)
{
    return params_check(p, problem_out) ? -1 : 0;
}

/* ---- series ------------------------------------------------------------- */

static int worker_slots(const model_params *p)
{
    if (p->roles == 0)
        return p->workers;
    int n = 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            n += p->team[t].group[g].count;
    return n;
}

static void layout_add(model_series *s, const char *name, const char *units, int width)
{
    model_series_item *it = &s->item[s->count++];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->units = units;
    it->width = width;
    it->values = NULL;
}

void model_series_layout(const model_params *p, model_series *s)
{
    memset(s, 0, sizeof *s);
    s->months = p->horizon_months;
    s->destinations = p->destinations;
    layout_add(s, "referrals", "referrals in the month", 1);
    layout_add(s, "waiting", "participants waiting at month end", 1);
    layout_add(s, "active", "participants assigned at month end", 1);
    layout_add(s, "meetings", "meetings held in the month", 1);
    layout_add(s, "utilisation", "share of worker time in meetings in the month", 1);
    layout_add(s, "exits", "exits in the month, by destination", p->destinations);
    if (p->sources > 0) {
        layout_add(s, "referrals_by_source", "referrals in the month, by source", p->sources);
        layout_add(s, "rejected_by_source", "referrals screened out in the month, by source", p->sources);
    }
    if (p->has_patience)
        layout_add(s, "reneged", "people who gave up waiting in the month", 1);
    if (p->roles > 0 || p->has_turnover) {
        layout_add(s, "worker_caseload", "participants of each worker at month end (NaN: no such post)",
                   worker_slots(p));
        layout_add(s, "worker_utilisation", "share of each worker's time in meetings in the month",
                   worker_slots(p));
        layout_add(s, "staff_in_post", "full-time equivalents in post at month end", 1);
    }
    if (p->has_method)
        layout_add(s, "method_capital", "method capital of each team at month end", p->roles > 0 ? p->teams : 1);
    if (p->measures > 0)
        layout_add(s, "measure_places_used", "places in use at month end, by measure", p->measures);
}

static int series_alloc(model_series *s, const model_params *p)
{
    model_series_layout(p, s);
    for (int i = 0; i < s->count; i++) {
        s->item[i].values = calloc((size_t)s->months * (size_t)s->item[i].width, sizeof(double));
        if (!s->item[i].values)
            return -1;
    }
    s->referrals = s->item[0].values;
    s->waiting = s->item[1].values;
    s->active = s->item[2].values;
    s->meetings = s->item[3].values;
    s->utilisation = s->item[4].values;
    s->exits = s->item[5].values;
    return 0;
}

static double *series_values(model_series *s, const char *name)
{
    for (int i = 0; i < s->count; i++)
        if (strcmp(s->item[i].name, name) == 0)
            return s->item[i].values;
    return NULL;
}

/* ---- participants ------------------------------------------------------- */

static uint32_t participant_new(model_ctx *m)
{
    if (m->free_head != NO_SLOT) {
        uint32_t s = m->free_head;
        m->free_head = m->people[s].next_free;
        return s;
    }
    if (m->people_used == m->people_capacity) {
        uint32_t cap = m->people_capacity ? m->people_capacity * 2 : 256;
        participant *grown = realloc(m->people, (size_t)cap * sizeof *grown);
        if (!grown)
            return NO_SLOT;
        m->people = grown;
        m->people_capacity = cap;
    }
    m->people[m->people_used].seq = 0;
    m->people[m->people_used].measure_seq = 0;
    return m->people_used++;
}

static void participant_release(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    pp->rec.phase = (int8_t)pp->phase;
    if (m->sink && !m->stop && m->sink(m->sink_ctx, &pp->rec) != 0)
        m->stop = 1;
    pp->state = P_FREE;
    pp->seq++;
    pp->next_free = m->free_head;
    m->free_head = s;
}

static void waiting_changed(model_ctx *m)
{
    cumulative_set(&m->waiting_level, m->engine.now, (double)m->waiting_count);
}

static void active_changed(model_ctx *m)
{
    cumulative_set(&m->active_level, m->engine.now, (double)m->active);
}

/* ---- staff -------------------------------------------------------------- */

static double month_of(double t)
{
    return t / MODEL_DAYS_PER_MONTH;
}

/* Brings a team's method capital and maturity up to now. Capital grows
 * with the staff time set aside for method work and decays towards
 * gain * time_share * fte / decay. */
static void team_update(model_ctx *m, int t)
{
    const model_params *p = m->p;
    team_state *ts = &m->teams[t];
    double now = m->engine.now;
    if (p->has_method) {
        double dt = month_of(now - ts->capital_time);
        double inflow = p->method_gain * p->method_time_share * ts->fte_active;
        if (p->method_decay > 0) {
            double k_inf = inflow / p->method_decay;
            ts->capital = k_inf + (ts->capital - k_inf) * exp(-p->method_decay * dt);
        } else {
            ts->capital += inflow * dt;
        }
        ts->capital_time = now;
    }
    if (p->has_maturity) {
        double dt = month_of(now - ts->maturity_time);
        ts->maturity += (1 - p->maturity_start) * dt / p->maturity_months;
        if (ts->maturity > 1)
            ts->maturity = 1;
        ts->maturity_time = now;
    }
}

static double method_multiplier(model_ctx *m, int team)
{
    if (!m->p->has_method)
        return 1.0;
    team_update(m, team);
    double k = m->teams[team].capital;
    return 1.0 + m->p->method_effect * k / (k + m->p->method_half);
}

static double maturity_multiplier(model_ctx *m, int team)
{
    if (!m->p->has_maturity)
        return 1.0;
    team_update(m, team);
    return m->teams[team].maturity;
}

static double productivity(const model_ctx *m, const worker *w)
{
    if (!m->p->has_learning || !w->learning)
        return 1.0;
    double f = month_of(m->engine.now - w->hired_at) / m->p->learning_months;
    if (f >= 1)
        return 1.0;
    return m->p->learning_start + (1 - m->p->learning_start) * f;
}

static double role_cap(const model_ctx *m, const worker *w)
{
    double cap = m->p->roles > 0 ? m->p->role[w->role].caseload_cap : (double)m->p->caseload_cap;
    if (m->pressure)
        cap = floor(cap * (1 + m->p->pressure_cap_increase));
    return cap;
}

static double weight_of(const model_ctx *m, const participant *pp)
{
    return m->p->cap_by_need ? pp->need : 1.0;
}

static int ready_before(const model_ctx *m, int a, int b)
{
    double la = m->workers[a].load, lb = m->workers[b].load;
    return la < lb || (la == lb && a < b);
}

static void ready_place(model_ctx *m, int at, int w)
{
    m->ready_heap[at] = w;
    m->ready_pos[w] = at;
}

static void ready_sift(model_ctx *m, int at)
{
    int w = m->ready_heap[at];
    while (at > 0 && ready_before(m, w, m->ready_heap[(at - 1) / 2])) {
        ready_place(m, at, m->ready_heap[(at - 1) / 2]);
        at = (at - 1) / 2;
    }
    for (;;) {
        int c = 2 * at + 1;
        if (c >= m->ready_size)
            break;
        if (c + 1 < m->ready_size && ready_before(m, m->ready_heap[c + 1], m->ready_heap[c]))
            c++;
        if (!ready_before(m, m->ready_heap[c], w))
            break;
        ready_place(m, at, m->ready_heap[c]);
        at = c;
    }
    ready_place(m, at, w);
}

/* Keeps worker w's heap membership and position right after a change of
 * load or status. */
static void ready_update(model_ctx *m, int w)
{
    if (!m->uniform_caps)
        return;
    const worker *wk = &m->workers[w];
    int eligible = wk->active && !wk->leaving &&
                   (m->p->roles > 0 ? m->p->role[wk->role].caseload_cap > 0 : 1);
    int at = m->ready_pos[w];
    if (eligible && at < 0) {
        at = m->ready_size++;
        ready_place(m, at, w);
        ready_sift(m, at);
    } else if (!eligible && at >= 0) {
        int last = m->ready_heap[--m->ready_size];
        m->ready_pos[w] = -1;
        if (last != w) {
            ready_place(m, at, last);
            ready_sift(m, at);
        }
    } else if (eligible) {
        ready_sift(m, at);
    }
}

/* The least loaded case worker in post with room for this participant
 * (lowest index on ties), or -1. */
static int least_loaded_worker(const model_ctx *m, const participant *pp)
{
    double weight = weight_of(m, pp);
    if (m->uniform_caps) {
        if (m->ready_size == 0)
            return -1;
        int w = m->ready_heap[0];
        return m->workers[w].load + weight <= role_cap(m, &m->workers[w]) ? w : -1;
    }
    int best = -1;
    for (int w = 0; w < m->worker_count; w++) {
        const worker *wk = &m->workers[w];
        if (!wk->active || wk->leaving)
            continue;
        double cap = role_cap(m, wk);
        if (cap <= 0 || wk->load + weight > cap)
            continue;
        if (best < 0 || wk->load < m->workers[best].load)
            best = w;
    }
    return best;
}

static void capacity_changed(model_ctx *m)
{
    double fte = 0;
    for (int t = 0; t < m->team_count; t++)
        fte += m->teams[t].fte_active;
    m->staff_changed = 1;
    cumulative_set(&m->capacity_level, m->engine.now, fte);
}

/* ---- meetings ----------------------------------------------------------- */

static void start_meeting_if_idle(model_ctx *m, int w);
static void enter_phase(model_ctx *m, uint32_t s, int phase);
static void after_meeting(model_ctx *m, uint32_t s);
static void exit_programme(model_ctx *m, uint32_t s, int destination);

static double meeting_hours(model_ctx *m, const participant *pp, int kind, int w)
{
    gsl_rng *r = m->stream[MODEL_STREAM_MEETING];
    if (kind == MEET_CASEWORK)
        return dist_sample(&m->phase[pp->phase].meeting_hours, r) * pp->need;
    return dist_sample(&m->p->role[m->workers[w].role].meeting_hours, r);
}

static int queue_meeting(model_ctx *m, uint32_t s, int w, int kind)
{
    participant *pp = &m->people[s];
    pp->state = P_NEEDS_MEETING;
    pp->pending = EVSET_NO_HANDLE;
    pp->seq++;
    pp->queued_at = w;
    if (fifo_push(&m->workers[w].queue, entry_make(s, kind, pp->seq)) != 0) {
        m->engine.out_of_memory = 1;
        return -1;
    }
    start_meeting_if_idle(m, w);
    return 0;
}

/* Worker time a meeting in progress takes per day of it, in FTE: a meeting
 * stretches over a part-time worker's or a method worker's calendar, but
 * only their FTE, less the method share, is spent in it. 1 in the core. */
static double busy_weight(const model_ctx *m, const worker *wk)
{
    return wk->fte * (1 - (m->p->has_method ? m->p->method_time_share : 0));
}

static void start_meeting_if_idle(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    if (wk->busy || !wk->active)
        return;
    while (wk->queue.count > 0) {
        uint64_t e = fifo_pop(&wk->queue);
        participant *pp = &m->people[entry_slot(e)];
        if (pp->state != P_NEEDS_MEETING || !entry_current(e, pp->seq))
            continue; /* left, or moved to another worker, since queueing */
        wk->busy = 1;
        wk->in_meeting = e;
        wk->busy_since = m->engine.now;
        pp->state = P_IN_MEETING;
        double hours = meeting_hours(m, pp, entry_kind(e), w);
        double rate = m->p->meeting_hours_per_day;
        if (m->p->roles > 0 || m->p->has_method || m->p->has_learning)
            rate = rate * wk->fte * (1 - (m->p->has_method ? m->p->method_time_share : 0)) * productivity(m, wk);
        cumulative_set(&m->busy_level, m->engine.now, m->busy_level.level + busy_weight(m, wk));
        sim_schedule(&m->engine, hours / rate, EV_MEETING_END, (uint32_t)w);
        return;
    }
}

static void needs_meeting(model_ctx *m, uint32_t s)
{
    queue_meeting(m, s, m->people[s].rec.worker, MEET_CASEWORK);
}

/* A worker of the role for this participant: in their team if there is
 * one, else anywhere; the shortest queue, lowest index on ties. */
static int worker_of_role(model_ctx *m, int role, int team)
{
    int best = -1;
    for (int pass = 0; pass < 2 && best < 0; pass++)
        for (int w = 0; w < m->worker_count; w++) {
            const worker *wk = &m->workers[w];
            if (wk->role != role || !wk->active || (pass == 0 && wk->team != team))
                continue;
            size_t q = wk->queue.count + (size_t)wk->busy;
            if (best < 0 || q < m->workers[best].queue.count + (size_t)m->workers[best].busy)
                best = w;
        }
    return best;
}

static void own_time(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    double gap = dist_sample(&m->phase[pp->phase].own_time_days, m->stream[MODEL_STREAM_OWN_TIME]);
    if (gap > 0) {
        pp->state = P_OWN_TIME;
        pp->pending = sim_schedule(&m->engine, gap, EV_OWN_TIME_END, s);
    } else {
        needs_meeting(m, s);
    }
}

/* ---- measures ------------------------------------------------------------ */

static int measure_open(const model_ctx *m, int k)
{
    double month = month_of(m->engine.now);
    const model_measure *ms = &m->p->measure[k];
    return month >= ms->open_month && month < ms->close_month;
}

static void start_measure(model_ctx *m, uint32_t s, int k)
{
    participant *pp = &m->people[s];
    pp->state = P_IN_MEASURE;
    pp->measure_wanted = pp->measure_ready = 0;
    double days = dist_sample(&m->p->measure[k].duration_days, m->stream[MODEL_STREAM_MEASURE]);
    pp->pending = sim_schedule(&m->engine, days, EV_MEASURE_END, s);
}

/* Hands a free place of measure k to the first participant still waiting
 * for it. */
static void fill_measure(model_ctx *m, int k)
{
    measure_state *ms = &m->measures[k];
    while (ms->used < m->p->measure[k].places && ms->queue.count > 0 && measure_open(m, k)) {
        uint64_t e = fifo_pop(&ms->queue);
        uint32_t s = entry_slot(e);
        participant *pp = &m->people[s];
        if (pp->state == P_FREE || !entry_current(e, pp->measure_seq) || !pp->measure_wanted ||
            m->phase[pp->phase].measure != k)
            continue;
        ms->used++;
        if (pp->state == P_OWN_TIME) {
            sim_cancel(&m->engine, pp->pending);
            start_measure(m, s, k);
        } else {
            pp->measure_wanted = 0;
            pp->measure_ready = 1; /* enters after the meeting in progress or queued */
        }
    }
}

/* ---- entering and leaving ------------------------------------------------ */

static void assign(model_ctx *m, uint32_t s, int w)
{
    participant *pp = &m->people[s];
    worker *wk = &m->workers[w];
    if (pp->rec.worker >= 0 && pp->rec.worker != w)
        pp->rec.worker_changes++;
    pp->rec.worker = w;
    wk->caseload++;
    wk->load += weight_of(m, pp);
    ready_update(m, w);
    if (isnan(pp->rec.assignment_time)) {
        pp->rec.assignment_time = m->engine.now;
        m->active++;
        m->enrolled++;
        if (m->measuring)
            m->out->enrolled_measured++;
        active_changed(m);
        if (pp->rec.referral_time >= m->warmup_time)
            stat_obs_add(&m->out->wait_days, m->engine.now - pp->rec.referral_time);
        if (pp->renege != EVSET_NO_HANDLE) {
            sim_cancel(&m->engine, pp->renege);
            pp->renege = EVSET_NO_HANDLE;
        }
        if (m->p->readiness_decay_per_month > 0)
            pp->readiness -= m->p->readiness_decay_per_month * month_of(m->engine.now - pp->rec.referral_time);
        if (m->p->max_months > 0)
            pp->limit = sim_schedule(&m->engine, m->p->max_months * MODEL_DAYS_PER_MONTH, EV_TIME_LIMIT, s);
        pp->phase = 0;
        pp->progress = 0;
        /* The first phase's measure: a place is held (or queued for) now
         * and taken after the first meeting, as later phases' places are
         * taken after the meeting under way. */
        int k = m->phase[0].measure;
        if (k >= 0 && measure_open(m, k)) {
            if (m->measures[k].used < m->p->measure[k].places && m->measures[k].queue.count == 0) {
                m->measures[k].used++;
                pp->measure_ready = 1;
            } else {
                pp->measure_wanted = 1;
                pp->measure_seq++;
                if (fifo_push(&m->measures[k].queue, entry_make(s, 0, pp->measure_seq)) != 0) {
                    m->engine.out_of_memory = 1;
                    return;
                }
            }
        }
        needs_meeting(m, s);
    }
}

static int waiting_push(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    int level = m->levels > 1 ? m->level_of_profile[pp->rec.profile] : 0;
    pp->state = P_WAITING;
    pp->seq++;
    if (fifo_push(&m->waiting[level], entry_make(s, 0, pp->seq)) != 0) {
        m->engine.out_of_memory = 1;
        return -1;
    }
    m->waiting_count++;
    waiting_changed(m);
    return 0;
}

/* The next person in line, skipping entries of people who left. */
static uint32_t waiting_peek(model_ctx *m)
{
    for (int level = 0; level < m->levels; level++) {
        fifo *q = &m->waiting[level];
        while (q->count > 0) {
            uint64_t e = q->items[q->head];
            participant *pp = &m->people[entry_slot(e)];
            if (pp->state == P_WAITING && entry_current(e, pp->seq))
                return entry_slot(e);
            fifo_pop(q);
        }
    }
    return NO_SLOT;
}

static void fill_free_slots(model_ctx *m)
{
    for (;;) {
        uint32_t s = waiting_peek(m);
        if (s == NO_SLOT)
            break;
        int w = least_loaded_worker(m, &m->people[s]);
        if (w < 0)
            break;
        for (int level = 0; level < m->levels; level++)
            if (m->waiting[level].count > 0 && entry_slot(m->waiting[level].items[m->waiting[level].head]) == s &&
                m->people[s].state == P_WAITING) {
                fifo_pop(&m->waiting[level]);
                break;
            }
        m->waiting_count--;
        waiting_changed(m);
        m->people[s].state = P_NEEDS_MEETING; /* no longer waiting */
        assign(m, s, w);
    }
}

static int draw_index(gsl_rng *r, const double *shares, int n)
{
    double u = gsl_rng_uniform(r), acc = 0;
    for (int i = 0; i < n - 1; i++) {
        acc += shares[i];
        if (u < acc)
            return i;
    }
    return n - 1;
}

/* A new participant from source `source`, drawing their profile from r. */
static void new_referral(model_ctx *m, int source, gsl_rng *r, int relapse)
{
    const model_params *p = m->p;
    uint32_t s = participant_new(m);
    if (s == NO_SLOT) {
        m->engine.out_of_memory = 1;
        return;
    }
    participant *pp = &m->people[s];
    uint32_t seq = pp->seq, measure_seq = pp->measure_seq;
    memset(pp, 0, sizeof *pp);
    pp->seq = seq + 1;
    pp->measure_seq = measure_seq + 1;
    pp->rec = (model_participant){
        .id = m->next_id++,
        .replication = m->out->replication,
        .referral_time = m->engine.now,
        .assignment_time = NAN,
        .exit_time = NAN,
        .destination = -1,
        .worker = -1,
        .source = (int16_t)source,
        .profile = 0,
        .fate = FATE_PRESENT,
        .age_band = -1,
        .followup_12 = -1,
        .followup_24 = -1,
        .relapse = (int8_t)relapse,
    };
    pp->need = 1.0;
    pp->decision_phase = -1;
    pp->pending = pp->renege = pp->limit = EVSET_NO_HANDLE;
    m->out->referrals++;
    m->month_referrals++;
    if (p->sources > 0)
        m->month_source_referrals[source]++;
    if (m->measuring) {
        m->out->referrals_measured++;
        if (p->sources > 0)
            m->out->referrals_by_source[source]++;
        if (relapse)
            m->out->relapses_measured++;
    }
    int accepted = 1;
    if (p->profiles > 0) {
        int k = draw_index(r, p->source[source].profile_shares, p->profiles);
        const model_profile *pr = &p->profile[k];
        pp->rec.profile = (int16_t)k;
        pp->need = pr->need;
        pp->readiness = pr->readiness;
        pp->rec.female = (int8_t)(gsl_rng_uniform(r) < pr->female_share);
        if (p->age_bands > 0)
            pp->rec.age_band = (int8_t)draw_index(r, pr->age_shares, p->age_bands);
        if (pr->acceptance < 1)
            accepted = gsl_rng_uniform(r) < pr->acceptance;
    }
    if (!accepted) {
        pp->rec.fate = FATE_REJECTED;
        if (p->sources > 0)
            m->month_source_rejected[source]++;
        if (m->measuring) {
            m->out->rejected_measured++;
            if (p->sources > 0)
                m->out->rejected_by_source[source]++;
        }
        participant_release(m, s);
        return;
    }
    int w = m->waiting_count == 0 ? least_loaded_worker(m, pp) : -1;
    if (w >= 0) {
        pp->state = P_NEEDS_MEETING;
        assign(m, s, w);
    } else {
        if (waiting_push(m, s) != 0)
            return;
        if (p->has_patience) {
            double patience = dist_sample(&p->patience_days, m->stream[MODEL_STREAM_PATIENCE]);
            pp->renege = sim_schedule(&m->engine, patience, EV_RENEGE, s);
        }
        /* A newcomer of higher priority may now head a list that has room
         * (only possible with priorities and need-weighted caps). */
        if (m->levels > 1 || p->cap_by_need)
            fill_free_slots(m);
    }
}

static double unit_multiplier(const model_source *src, double month)
{
    if (!src->has_unit)
        return 1.0;
    double load = schedule_linear(&src->unit_cases, month) / src->unit_caseworkers;
    if (load <= src->unit_full_below)
        return 1.0;
    if (load >= src->unit_zero_above)
        return 0.0;
    return (src->unit_zero_above - load) / (src->unit_zero_above - src->unit_full_below);
}

/* Next arrival of a Poisson source after now: exact for a piecewise
 * constant rate (exponential gaps restart at each change, which the
 * memoryless property allows), thinned by the referring unit's load. */
static double next_arrival(model_ctx *m, int source)
{
    const model_source *src = &m->p->source[source];
    gsl_rng *r = m->source_arrivals[source];
    double t = m->engine.now;
    for (;;) {
        /* Past the horizon nothing more is needed; without this a unit held
         * above zero_rate_above would reject candidates for ever. */
        if (t >= m->horizon_time)
            return INFINITY;
        double month = month_of(t);
        double rate = schedule_step(&src->rate, month);
        double next_change = INFINITY;
        for (int i = 0; i < src->rate.count; i++)
            if (src->rate.month[i] > month) {
                next_change = src->rate.month[i] * MODEL_DAYS_PER_MONTH;
                break;
            }
        if (rate <= 0) {
            if (!isfinite(next_change))
                return INFINITY;
            t = next_change;
            continue;
        }
        double gap = gsl_ran_exponential(r, MODEL_DAYS_PER_MONTH / rate);
        if (t + gap >= next_change) {
            t = next_change;
            continue;
        }
        t += gap;
        if (!src->has_unit || gsl_rng_uniform(r) < unit_multiplier(src, month_of(t)))
            return t;
    }
}

static void on_referral(model_ctx *m, int source)
{
    if (m->p->sources == 0) {
        /* The core's single source, drawing exactly as it always has. */
        double rate_per_day = m->p->referral_rate_per_month / MODEL_DAYS_PER_MONTH;
        sim_schedule(&m->engine, gsl_ran_exponential(m->stream[MODEL_STREAM_REFERRAL], 1.0 / rate_per_day),
                     EV_REFERRAL, 0);
        new_referral(m, 0, NULL, 0);
        return;
    }
    double t = next_arrival(m, source);
    if (t < m->horizon_time)
        sim_schedule_at(&m->engine, t, EV_REFERRAL, (uint32_t)source);
    new_referral(m, source, m->source_profiles[source], 0);
}

static void on_quota_month(model_ctx *m, int source)
{
    const model_source *src = &m->p->source[source];
    double month = month_of(m->engine.now);
    double due = schedule_step(&src->rate, month) * unit_multiplier(src, month) + m->quota_carry[source];
    int n = (int)floor(due + 1e-9);
    m->quota_carry[source] = due - n;
    /* Spread over the month, as offices send their monthly quota in
     * batches rather than all on the first day. */
    for (int i = 0; i < n; i++)
        sim_schedule(&m->engine, (i + 0.5) * MODEL_DAYS_PER_MONTH / n, EV_QUOTA_ARRIVAL, (uint32_t)source);
    if (m->engine.now + MODEL_DAYS_PER_MONTH < m->horizon_time - 1e-9)
        sim_schedule(&m->engine, MODEL_DAYS_PER_MONTH, EV_QUOTA_MONTH, (uint32_t)source);
}

static void follow_up(model_ctx *m, participant *pp, int d)
{
    const model_params *p = m->p;
    if (!p->has_followup || isnan(p->retained_12[d]))
        return;
    gsl_rng *r = m->stream[MODEL_STREAM_FOLLOWUP];
    double a = p->retained_12[d], b = p->retained_24[d];
    int in12 = gsl_rng_uniform(r) < a;
    int in24;
    /* A two-step chain that reproduces both shares: decay keeps a fraction
     * of those in at 12 months, growth adds some of those out. */
    if (b <= a)
        in24 = in12 && gsl_rng_uniform(r) < (a > 0 ? b / a : 0);
    else
        in24 = in12 || gsl_rng_uniform(r) < (b - a) / (1 - a);
    pp->rec.followup_12 = (int8_t)in12;
    pp->rec.followup_24 = (int8_t)in24;
    double t12 = pp->rec.exit_time + 12 * MODEL_DAYS_PER_MONTH, t24 = t12 + 12 * MODEL_DAYS_PER_MONTH;
    if (m->measuring) {
        if (t12 <= m->horizon_time) {
            m->out->followup[d][0]++;
            m->out->followup[d][1] += (uint64_t)in12;
        }
        if (t24 <= m->horizon_time) {
            m->out->followup[d][2]++;
            m->out->followup[d][3] += (uint64_t)in24;
        }
    }
    if (!in12 && p->relapse_probability > 0 && gsl_rng_uniform(r) < p->relapse_probability && t12 < m->horizon_time)
        sim_schedule_at(&m->engine, t12, EV_FEEDBACK_ARRIVAL, (uint32_t)(p->relapse_source | 0x10000));
}

static void exit_programme(model_ctx *m, uint32_t s, int destination)
{
    const model_params *p = m->p;
    participant *pp = &m->people[s];
    double now = m->engine.now;
    pp->rec.exit_time = now;
    pp->rec.destination = destination;
    pp->rec.fate = FATE_EXITED;
    worker *wk = &m->workers[pp->rec.worker];
    wk->caseload--;
    wk->load -= weight_of(m, pp);
    ready_update(m, pp->rec.worker);
    m->active--;
    active_changed(m);
    m->out->exits++;
    m->exits_to[destination]++;
    m->month_exits[destination]++;
    if (m->measuring) {
        m->out->exits_measured++;
        m->out->exits_by_destination[destination]++;
        if (p->profiles > 0)
            m->out->exits_by_profile[pp->rec.profile][destination]++;
    }
    if (pp->rec.assignment_time >= m->warmup_time) {
        stat_obs_add(&m->out->programme_days, now - pp->rec.assignment_time);
        stat_obs_add(&m->out->meetings_per_exit, pp->rec.meetings);
    }
    if (pp->pending != EVSET_NO_HANDLE && (pp->state == P_OWN_TIME || pp->state == P_IN_MEASURE))
        sim_cancel(&m->engine, pp->pending);
    if (pp->state == P_IN_MEASURE || pp->measure_ready) {
        int k = m->phase[pp->phase].measure;
        m->measures[k].used--;
        pp->measure_ready = 0;
        pp->state = P_OWN_TIME; /* not in the measure any more */
        fill_measure(m, k);
    }
    if (pp->limit != EVSET_NO_HANDLE)
        sim_cancel(&m->engine, pp->limit);
    follow_up(m, pp, destination);
    int source = pp->rec.source;
    participant_release(m, s);
    if (p->sources > 0)
        for (int i = 0; i < p->source[source].replacement; i++)
            sim_schedule(&m->engine, 0.0, EV_FEEDBACK_ARRIVAL, (uint32_t)source);
    fill_free_slots(m);
}

/* Per-meeting exit: the core draws "does the case end" then "where to";
 * a profile's readiness and the team's method capital raise the chance of
 * the good destinations (work, studies) by their odds factor. */
static int draw_exit(model_ctx *m, participant *pp, const model_phase *ph)
{
    gsl_rng *r = m->stream[MODEL_STREAM_EXIT];
    if (m->core_exits) {
        if (gsl_rng_uniform(r) < ph->exit_probability)
            return draw_index(r, ph->exit_shares, m->p->destinations);
        return -1;
    }
    if (!(ph->exit_probability > 0))
        return -1;
    double boost = exp(pp->readiness) * method_multiplier(m, m->workers[pp->rec.worker].team);
    double weight[MODEL_MAX_DESTINATIONS], total = 0;
    for (int d = 0; d < m->p->destinations; d++) {
        weight[d] = ph->exit_probability * ph->exit_shares[d] * ((m->p->good_destinations >> d) & 1 ? boost : 1.0);
        total += weight[d];
    }
    double p_exit = total > 1 ? 1 : total;
    if (!(gsl_rng_uniform(r) < p_exit))
        return -1;
    for (int d = 0; d < m->p->destinations; d++)
        weight[d] /= total;
    return draw_index(r, weight, m->p->destinations);
}

static void enter_phase(model_ctx *m, uint32_t s, int phase)
{
    participant *pp = &m->people[s];
    pp->phase = phase;
    pp->progress = 0;
    int k = m->phase[phase].measure;
    if (k >= 0 && measure_open(m, k)) {
        if (m->measures[k].used < m->p->measure[k].places && m->measures[k].queue.count == 0) {
            m->measures[k].used++;
            start_measure(m, s, k);
            return;
        }
        pp->measure_wanted = 1;
        pp->measure_seq++;
        if (fifo_push(&m->measures[k].queue, entry_make(s, 0, pp->measure_seq)) != 0) {
            m->engine.out_of_memory = 1;
            return;
        }
    }
    own_time(m, s);
}

/* After a casework meeting that did not end the case: progress, maybe a
 * phase change (waiting for a decision if the next phase needs one), maybe
 * a consultant called in, then time on one's own. */
static void after_meeting(model_ctx *m, uint32_t s)
{
    const model_params *p = m->p;
    participant *pp = &m->people[s];
    if (pp->measure_ready) {
        start_measure(m, s, m->phase[pp->phase].measure);
        return;
    }
    const model_phase *ph = &m->phase[pp->phase];
    if (ph->progress_per_meeting > 0) {
        int team = m->workers[pp->rec.worker].team;
        double gain = ph->progress_per_meeting * maturity_multiplier(m, team) * method_multiplier(m, team);
        if (m->pressure && pp->phase == 0)
            gain *= 1 + p->pressure_mapping_speedup;
        pp->progress += gain;
        /* k steps of 1/k complete a phase although they may sum to just
         * below 1 in binary (ten of 0.1 give 0.9999999999999999). */
        if (pp->progress >= 1 - 1e-9) {
            /* Done with the phase: no longer in line for its measure, so a
             * place that frees goes to someone still in the phase rather
             * than being held by someone waiting for a decision. */
            pp->measure_wanted = 0;
            if (pp->phase + 1 == m->phases) {
                exit_programme(m, s, draw_index(m->stream[MODEL_STREAM_EXIT], ph->completion_shares, p->destinations));
                return;
            }
            int next = pp->phase + 1;
            if (m->phase[next].needs_decision) {
                int decider = -1;
                for (int r = 0; r < p->roles && decider < 0; r++)
                    if (p->role[r].decides)
                        decider = worker_of_role(m, r, m->workers[pp->rec.worker].team);
                if (decider >= 0) {
                    pp->decision_phase = next;
                    queue_meeting(m, s, decider, MEET_DECISION);
                    return;
                }
                /* No decider in post: the case goes on with its worker,
                 * progress held at 1, and asks again after the next meeting. */
                pp->progress = 1;
                own_time(m, s);
                return;
            }
            enter_phase(m, s, next);
            return;
        }
    }
    for (int r = 0; r < p->roles; r++)
        if (p->role[r].call_in_probability > 0 &&
            gsl_rng_uniform(m->stream[MODEL_STREAM_CALL_IN]) < p->role[r].call_in_probability) {
            int c = worker_of_role(m, r, m->workers[pp->rec.worker].team);
            if (c >= 0) {
                queue_meeting(m, s, c, MEET_CONSULT);
                return;
            }
        }
    own_time(m, s);
}

static void worker_leave_now(model_ctx *m, int w);

static void on_meeting_end(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    uint64_t e = wk->in_meeting;
    uint32_t s = entry_slot(e);
    participant *pp = &m->people[s];
    wk->busy = 0;
    wk->month_busy += m->engine.now - wk->busy_since;
    cumulative_set(&m->busy_level, m->engine.now, m->busy_level.level - busy_weight(m, wk));
    m->month_meetings++;
    int kind = entry_kind(e);
    if (pp->limit_reached) {
        exit_programme(m, s, m->p->time_limit_destination);
    } else if (kind == MEET_DECISION) {
        int next = pp->decision_phase;
        pp->decision_phase = -1;
        enter_phase(m, s, next);
    } else if (kind == MEET_CONSULT) {
        own_time(m, s);
    } else {
        pp->rec.meetings++;
        int d = draw_exit(m, pp, &m->phase[pp->phase]);
        if (d >= 0)
            exit_programme(m, s, d);
        else
            after_meeting(m, s); /* in the core: own time (and call-ins, if roles have them) */
    }
    if (wk->leaving)
        worker_leave_now(m, w);
    else
        start_meeting_if_idle(m, w);
}

static void on_own_time_end(model_ctx *m, uint32_t s)
{
    m->people[s].pending = EVSET_NO_HANDLE;
    needs_meeting(m, s);
}

static void on_renege(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    pp->renege = EVSET_NO_HANDLE;
    if (pp->state != P_WAITING)
        return;
    m->waiting_count--;
    waiting_changed(m);
    pp->rec.fate = FATE_RENEGED;
    m->month_reneged++;
    if (m->measuring)
        m->out->reneged_measured++;
    participant_release(m, s);
}

static void on_time_limit(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    pp->limit = EVSET_NO_HANDLE;
    if (pp->state == P_IN_MEETING) {
        pp->limit_reached = 1;
        return;
    }
    exit_programme(m, s, m->p->time_limit_destination);
}

static void on_measure_end(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    pp->pending = EVSET_NO_HANDLE;
    int k = m->phase[pp->phase].measure;
    const model_measure *ms = &m->p->measure[k];
    m->measures[k].used--;
    pp->state = P_OWN_TIME;
    fill_measure(m, k);
    if (ms->exit_destination >= 0 && gsl_rng_uniform(m->stream[MODEL_STREAM_MEASURE]) < ms->exit_probability) {
        exit_programme(m, s, ms->exit_destination);
        return;
    }
    own_time(m, s);
}

/* ---- staff over time ------------------------------------------------------ */

static void worker_start(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    team_update(m, wk->team);
    wk->active = 1;
    wk->leaving = 0;
    ready_update(m, w);
    wk->hired_at = m->engine.now;
    wk->learning = m->engine.now > 0;
    team_state *ts = &m->teams[wk->team];
    ts->fte_active += wk->fte;
    ts->members_active++;
    if (m->p->has_maturity && m->engine.now > 0 && ts->members_active > 1) {
        ts->maturity -= (1 - m->p->maturity_start) / ts->members_active;
        if (ts->maturity < m->p->maturity_start)
            ts->maturity = m->p->maturity_start;
    }
    capacity_changed(m);
    if (m->p->has_turnover)
        sim_schedule(&m->engine, dist_sample(&m->p->tenure_months, m->stream[MODEL_STREAM_STAFF]) * MODEL_DAYS_PER_MONTH,
                     EV_WORKER_LEAVE, (uint32_t)w);
    /* Participants who waited for this post meet their new worker, at a
     * cost in progress. */
    if (wk->caseload > 0) {
        for (uint32_t s = 0; s < m->people_used; s++) {
            participant *pp = &m->people[s];
            if (pp->state != P_FREE && pp->rec.worker == w && !isnan(pp->rec.assignment_time)) {
                pp->rec.worker_changes++;
                pp->progress *= 1 - m->p->progress_lost_on_change;
            }
        }
    }
    start_meeting_if_idle(m, w);
    fill_free_slots(m);
}

static void worker_leave_now(model_ctx *m, int w)
{
    const model_params *p = m->p;
    worker *wk = &m->workers[w];
    team_update(m, wk->team);
    team_state *ts = &m->teams[wk->team];
    if (p->has_method && ts->members_active > 0)
        ts->capital *= 1 - p->method_turnover_loss / ts->members_active;
    wk->active = 0;
    wk->leaving = 0;
    ready_update(m, w);
    ts->fte_active -= wk->fte;
    ts->members_active--;
    capacity_changed(m);
    /* Meetings queued here by other roles' participants go elsewhere. */
    fifo pending = wk->queue;
    memset(&wk->queue, 0, sizeof wk->queue);
    for (size_t i = 0; i < pending.count; i++) {
        uint64_t e = pending.items[(pending.head + i) % pending.capacity];
        participant *pp = &m->people[entry_slot(e)];
        if (pp->state != P_NEEDS_MEETING || !entry_current(e, pp->seq))
            continue;
        int kind = entry_kind(e);
        if (kind == MEET_CASEWORK && !p->reassign_on_leave) {
            fifo_push(&wk->queue, e); /* waits for the replacement */
            continue;
        }
        if (kind == MEET_CASEWORK)
            continue; /* handled with the caseload below */
        int other = worker_of_role(m, wk->role, wk->team);
        if (other >= 0 && fifo_push(&m->workers[other].queue, e) == 0) {
            /* now queued there: reassigning the caseload below must not
             * replace this request by a casework meeting */
            pp->queued_at = other;
            start_meeting_if_idle(m, other);
        } else
            fifo_push(&wk->queue, e);
    }
    free(pending.items);
    if (p->reassign_on_leave && wk->caseload > 0) {
        for (uint32_t s = 0; s < m->people_used; s++) {
            participant *pp = &m->people[s];
            if (pp->state == P_FREE || pp->rec.worker != w || isnan(pp->rec.assignment_time))
                continue;
            wk->caseload--;
            wk->load -= weight_of(m, pp);
            int other = least_loaded_worker(m, pp);
            if (other < 0) {
                /* Nobody has room: the case waits for the replacement. */
                wk->caseload++;
                wk->load += weight_of(m, pp);
                ready_update(m, w);
                if (pp->state == P_NEEDS_MEETING && pp->queued_at == w)
                    fifo_push(&wk->queue, entry_make(s, MEET_CASEWORK, pp->seq));
                continue;
            }
            /* A new worker costs progress; those who wait lose it when the
             * replacement starts instead. */
            pp->progress *= 1 - p->progress_lost_on_change;
            int queued = pp->state == P_NEEDS_MEETING && pp->queued_at == w;
            assign(m, s, other);
            if (queued)
                queue_meeting(m, s, other, MEET_CASEWORK);
        }
    }
    double vacancy = dist_sample(&p->vacancy_days, m->stream[MODEL_STREAM_STAFF]);
    sim_schedule(&m->engine, vacancy, EV_WORKER_START, (uint32_t)w);
}

static void on_worker_leave(model_ctx *m, int w)
{
    if (m->workers[w].busy) {
        m->workers[w].leaving = 1;
        ready_update(m, w);
    } else
        worker_leave_now(m, w);
}

/* ---- months, targets and pressure ---------------------------------------- */

static double target_value(const model_ctx *m, const model_target *t)
{
    uint64_t exits = 0, all = 0;
    for (int d = 0; d < m->p->destinations; d++) {
        all += m->exits_to[d];
        if ((t->destinations >> d) & 1)
            exits += m->exits_to[d];
    }
    switch (t->kind) {
    case TARGET_ENROLLED: return (double)m->enrolled;
    case TARGET_EXITS: return (double)exits;
    default: return all ? (double)exits / (double)all : 0.0;
    }
}

static void on_month_end(model_ctx *m, int month)
{
    const model_params *p = m->p;
    model_series *ser = &m->out->series;
    double now = m->engine.now;
    double busy_area = cumulative_area(&m->busy_level, now);
    double capacity_area = cumulative_area(&m->capacity_level, now);
    ser->referrals[month] = (double)m->month_referrals;
    ser->meetings[month] = (double)m->month_meetings;
    ser->waiting[month] = (double)m->waiting_count;
    ser->active[month] = (double)m->active;
    /* The core keeps its exact arithmetic: staff that never changes has
     * capacity workers x month. */
    double capacity = m->staff_changed ? capacity_area - m->month_capacity_area_start
                                       : (double)p->workers * MODEL_DAYS_PER_MONTH;
    ser->utilisation[month] = capacity > 0 ? (busy_area - m->month_busy_area_start) / capacity : 0.0;
    for (int d = 0; d < p->destinations; d++) {
        ser->exits[(size_t)month * (size_t)p->destinations + (size_t)d] = (double)m->month_exits[d];
        m->month_exits[d] = 0;
    }
    double *v;
    if ((v = series_values(ser, "referrals_by_source")))
        for (int s = 0; s < p->sources; s++) {
            v[(size_t)month * (size_t)p->sources + (size_t)s] = (double)m->month_source_referrals[s];
            m->month_source_referrals[s] = 0;
        }
    if ((v = series_values(ser, "rejected_by_source")))
        for (int s = 0; s < p->sources; s++) {
            v[(size_t)month * (size_t)p->sources + (size_t)s] = (double)m->month_source_rejected[s];
            m->month_source_rejected[s] = 0;
        }
    if ((v = series_values(ser, "reneged")))
        v[month] = (double)m->month_reneged;
    m->month_reneged = 0;
    if ((v = series_values(ser, "worker_caseload"))) {
        double *u = series_values(ser, "worker_utilisation"), *f = series_values(ser, "staff_in_post");
        double fte = 0;
        for (int w = 0; w < m->worker_count; w++) {
            worker *wk = &m->workers[w];
            if (wk->busy) {
                wk->month_busy += now - wk->busy_since;
                wk->busy_since = now;
            }
            size_t at = (size_t)month * (size_t)m->worker_count + (size_t)w;
            v[at] = (double)wk->caseload;
            /* A post vacant all month has no utilisation to speak of. */
            u[at] = !wk->active && wk->month_busy == 0 ? NAN
                                                       : wk->month_busy * busy_weight(m, wk) / (wk->fte * MODEL_DAYS_PER_MONTH);
            wk->month_busy = 0;
            if (wk->active)
                fte += wk->fte;
        }
        f[month] = fte;
    }
    if ((v = series_values(ser, "method_capital"))) {
        int n = p->roles > 0 ? p->teams : 1;
        for (int t = 0; t < n; t++) {
            team_update(m, t);
            v[(size_t)month * (size_t)n + (size_t)t] = m->teams[t].capital;
        }
    }
    if ((v = series_values(ser, "measure_places_used")))
        for (int k = 0; k < p->measures; k++)
            v[(size_t)month * (size_t)p->measures + (size_t)k] = m->measures[k].used;
    m->month_busy_area_start = busy_area;
    m->month_capacity_area_start = capacity_area;
    m->month_referrals = 0;
    m->month_meetings = 0;
    if (month + 1 == p->warmup_months) {
        m->measuring = 1;
        m->warm_waiting_area = cumulative_area(&m->waiting_level, now);
        m->warm_active_area = cumulative_area(&m->active_level, now);
        m->warm_busy_area = busy_area;
        m->warm_capacity_area = capacity_area;
    }
    for (int k = 0; k < p->targets; k++) {
        const model_target *t = &p->target[k];
        if (month + 1 >= t->deadline_month && month < t->deadline_month) {
            m->out->target_value[k] = target_value(m, t);
            m->out->target_met[k] = m->out->target_value[k] >= t->value;
        }
    }
    if (p->has_pressure) {
        /* Behind the straight path to the target: raise caps and shorten
         * mapping until back on it. */
        const model_target *t = &p->target[p->pressure_target];
        double path = t->value * fmin(1.0, (month + 1) / t->deadline_month);
        int was = m->pressure;
        m->pressure = target_value(m, t) < path;
        if (m->pressure && !was)
            fill_free_slots(m);
    }
}

/* ---- setup and run --------------------------------------------------------- */

static int setup_phases(model_ctx *m)
{
    const model_params *p = m->p;
    if (p->phases > 0) {
        m->phases = p->phases;
        memcpy(m->phase, p->phase, sizeof m->phase);
        m->core_exits = 0;
        return 0;
    }
    m->phases = 1;
    model_phase *ph = &m->phase[0];
    memset(ph, 0, sizeof *ph);
    snprintf(ph->name, sizeof ph->name, "casework");
    ph->meeting_hours = p->meeting_hours;
    ph->own_time_days = p->own_time_days;
    ph->exit_probability = p->exit_probability;
    memcpy(ph->exit_shares, p->destination_shares, sizeof ph->exit_shares);
    ph->measure = -1;
    /* Exits are drawn exactly as the core always drew them unless something
     * shifts their odds. */
    int effects = p->has_method || p->measures > 0 || p->max_months > 0;
    for (int i = 0; i < p->profiles; i++)
        effects |= p->profile[i].readiness != 0;
    effects |= p->readiness_decay_per_month > 0;
    m->core_exits = !effects;
    return 0;
}

static int setup_staff(model_ctx *m)
{
    const model_params *p = m->p;
    m->worker_count = worker_slots(p);
    m->workers = calloc((size_t)(m->worker_count ? m->worker_count : 1), sizeof *m->workers);
    if (!m->workers)
        return -1;
    m->team_count = p->roles > 0 ? p->teams : 1;
    for (int t = 0; t < m->team_count; t++)
        m->teams[t].maturity = p->has_maturity ? p->maturity_start : 1.0;
    m->ready_heap = malloc((size_t)(m->worker_count ? m->worker_count : 1) * sizeof *m->ready_heap);
    m->ready_pos = malloc((size_t)(m->worker_count ? m->worker_count : 1) * sizeof *m->ready_pos);
    if (!m->ready_heap || !m->ready_pos)
        return -1;
    for (int w = 0; w < m->worker_count; w++)
        m->ready_pos[w] = -1;
    m->uniform_caps = 1;
    double cap = -1;
    for (int r = 0; r < p->roles; r++)
        if (p->role[r].caseload_cap > 0) {
            if (cap >= 0 && p->role[r].caseload_cap != cap)
                m->uniform_caps = 0;
            cap = p->role[r].caseload_cap;
        }
    if (p->roles == 0) {
        for (int w = 0; w < m->worker_count; w++)
            m->workers[w].fte = 1.0;
        return 0;
    }
    int w = 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            for (int i = 0; i < p->team[t].group[g].count; i++, w++) {
                m->workers[w].team = t;
                m->workers[w].role = p->team[t].group[g].role;
                m->workers[w].fte = p->team[t].group[g].fte;
            }
    return 0;
}

static void start_staff(model_ctx *m)
{
    const model_params *p = m->p;
    if (p->roles == 0) {
        for (int w = 0; w < m->worker_count; w++) {
            m->workers[w].active = 1;
            ready_update(m, w);
            m->teams[0].fte_active += 1.0;
            m->teams[0].members_active++;
        }
        m->capacity_level.level = (double)m->worker_count;
        if (p->has_turnover)
            for (int w = 0; w < m->worker_count; w++)
                sim_schedule(&m->engine,
                             dist_sample(&p->tenure_months, m->stream[MODEL_STREAM_STAFF]) * MODEL_DAYS_PER_MONTH,
                             EV_WORKER_LEAVE, (uint32_t)w);
        return;
    }
    int w = 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            for (int i = 0; i < p->team[t].group[g].count; i++, w++) {
                double start = p->team[t].group[g].start_month * MODEL_DAYS_PER_MONTH;
                if (start <= 0)
                    worker_start(m, w);
                else if (start < m->horizon_time)
                    sim_schedule_at(&m->engine, start, EV_WORKER_START, (uint32_t)w);
            }
}

static void setup_waiting_levels(model_ctx *m)
{
    const model_params *p = m->p;
    m->levels = 1;
    if (!p->waiting_by_priority || p->profiles == 0)
        return;
    /* Distinct priorities, highest first. */
    int prio[MODEL_MAX_PROFILES], n = 0;
    for (int i = 0; i < p->profiles; i++) {
        int seen = 0;
        for (int j = 0; j < n; j++)
            seen |= prio[j] == p->profile[i].priority;
        if (!seen)
            prio[n++] = p->profile[i].priority;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && prio[j] > prio[j - 1]; j--) {
            int t = prio[j];
            prio[j] = prio[j - 1];
            prio[j - 1] = t;
        }
    m->levels = n;
    for (int i = 0; i < p->profiles; i++)
        for (int j = 0; j < n; j++)
            if (prio[j] == p->profile[i].priority)
                m->level_of_profile[i] = j;
}

static void ctx_destroy(model_ctx *m)
{
    for (int i = 0; i < MODEL_STREAM_COUNT; i++)
        if (m->stream[i])
            rng_free(m->stream[i]);
    for (int s = 0; s < MODEL_MAX_SOURCES; s++) {
        if (m->source_arrivals[s])
            rng_free(m->source_arrivals[s]);
        if (m->source_profiles[s])
            rng_free(m->source_profiles[s]);
        if (m->source_feedback[s])
            rng_free(m->source_feedback[s]);
    }
    if (m->workers)
        for (int w = 0; w < m->worker_count; w++)
            free(m->workers[w].queue.items);
    for (int k = 0; k < MODEL_MAX_MEASURES; k++)
        free(m->measures[k].queue.items);
    for (int l = 0; l < MODEL_MAX_PROFILES; l++)
        free(m->waiting[l].items);
    free(m->workers);
    free(m->ready_heap);
    free(m->ready_pos);
    free(m->people);
    sim_destroy(&m->engine);
}

typedef struct present_entry {
    uint64_t id;
    uint32_t slot;
} present_entry;

static int present_by_id(const void *a, const void *b)
{
    uint64_t x = ((const present_entry *)a)->id, y = ((const present_entry *)b)->id;
    return (x > y) - (x < y);
}

/* Hands over everyone still present at the horizon, in referral order so
 * the output does not depend on which slots happened to be reused. */
static void flush_present(model_ctx *m)
{
    present_entry *order = malloc((size_t)(m->people_used ? m->people_used : 1) * sizeof *order);
    if (!order) {
        m->engine.out_of_memory = 1;
        return;
    }
    size_t n = 0;
    for (uint32_t s = 0; s < m->people_used; s++)
        if (m->people[s].state != P_FREE)
            order[n++] = (present_entry){m->people[s].rec.id, s};
    qsort(order, n, sizeof *order, present_by_id);
    for (size_t i = 0; i < n; i++)
        participant_release(m, order[i].slot);
    free(order);
}

static int open_streams(model_ctx *m, uint64_t seed)
{
    for (int i = 1; i < MODEL_STREAM_COUNT; i++)
        if (!(m->stream[i] = rng_alloc(rng_derive(seed, (uint64_t)i))))
            return -1;
    for (int s = 0; s < m->p->sources; s++) {
        m->source_arrivals[s] = rng_alloc(rng_derive(seed, MODEL_STREAM_SOURCE_ARRIVALS + (uint64_t)s));
        m->source_profiles[s] = rng_alloc(rng_derive(seed, MODEL_STREAM_SOURCE_PROFILES + (uint64_t)s));
        m->source_feedback[s] = rng_alloc(rng_derive(seed, MODEL_STREAM_SOURCE_FEEDBACK + (uint64_t)s));
        if (!m->source_arrivals[s] || !m->source_profiles[s] || !m->source_feedback[s])
            return -1;
    }
    return 0;
}

int model_run(const model_params *p, uint32_t replication, uint64_t seed,
              model_participant_sink sink, void *sink_ctx, model_result *out)
{
    memset(out, 0, sizeof *out);
    out->replication = replication;
    out->seed = seed;
    stat_obs_init(&out->wait_days);
    stat_obs_init(&out->programme_days);
    stat_obs_init(&out->meetings_per_exit);

    model_ctx *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    m->p = p;
    m->out = out;
    m->sink = sink;
    m->sink_ctx = sink_ctx;
    m->free_head = NO_SLOT;
    m->warmup_time = p->warmup_months * MODEL_DAYS_PER_MONTH;
    m->horizon_time = p->horizon_months * MODEL_DAYS_PER_MONTH;
    m->measuring = p->warmup_months == 0;

    int rc = 0;
    if (sim_init(&m->engine, 1024) != 0 || series_alloc(&out->series, p) != 0 || setup_phases(m) != 0 ||
        setup_staff(m) != 0 || open_streams(m, seed) != 0) {
        rc = -1;
        goto done;
    }
    setup_waiting_levels(m);

    /* Month ends go in first so that, at equal times, the snapshot precedes
     * whatever else happens at that instant. */
    for (int month = 0; month < p->horizon_months; month++)
        sim_schedule_at(&m->engine, (month + 1) * MODEL_DAYS_PER_MONTH, EV_MONTH_END, (uint32_t)month);
    if (p->sources == 0) {
        double rate_per_day = p->referral_rate_per_month / MODEL_DAYS_PER_MONTH;
        sim_schedule(&m->engine, gsl_ran_exponential(m->stream[MODEL_STREAM_REFERRAL], 1.0 / rate_per_day),
                     EV_REFERRAL, 0);
    } else {
        for (int s = 0; s < p->sources; s++) {
            if (p->source[s].kind == SOURCE_QUOTA) {
                sim_schedule_at(&m->engine, 0.0, EV_QUOTA_MONTH, (uint32_t)s);
            } else {
                double t = next_arrival(m, s);
                if (t < m->horizon_time)
                    sim_schedule_at(&m->engine, t, EV_REFERRAL, (uint32_t)s);
            }
        }
    }
    for (int k = 0; k < p->measures; k++)
        if (p->measure[k].open_month > 0 && p->measure[k].open_month < p->horizon_months)
            sim_schedule_at(&m->engine, p->measure[k].open_month * MODEL_DAYS_PER_MONTH, EV_MEASURE_OPEN, (uint32_t)k);
    start_staff(m);

    evset_event ev;
    while (!m->stop && !m->engine.out_of_memory && sim_next(&m->engine, &ev)) {
        switch (ev.kind) {
        case EV_REFERRAL:
            on_referral(m, (int)ev.subject);
            break;
        case EV_MEETING_END:
            on_meeting_end(m, (int)ev.subject);
            break;
        case EV_OWN_TIME_END:
            on_own_time_end(m, ev.subject);
            break;
        case EV_QUOTA_MONTH:
            on_quota_month(m, (int)ev.subject);
            break;
        case EV_QUOTA_ARRIVAL:
            new_referral(m, (int)ev.subject, m->source_profiles[ev.subject], 0);
            break;
        case EV_FEEDBACK_ARRIVAL: {
            int source = (int)(ev.subject & 0xffff);
            new_referral(m, source, m->source_feedback[source], (ev.subject & 0x10000) != 0);
            break;
        }
        case EV_RENEGE:
            on_renege(m, ev.subject);
            break;
        case EV_WORKER_START:
            worker_start(m, (int)ev.subject);
            break;
        case EV_WORKER_LEAVE:
            on_worker_leave(m, (int)ev.subject);
            break;
        case EV_MEASURE_END:
            on_measure_end(m, ev.subject);
            break;
        case EV_MEASURE_OPEN:
            fill_measure(m, (int)ev.subject);
            break;
        case EV_TIME_LIMIT:
            on_time_limit(m, ev.subject);
            break;
        case EV_MONTH_END:
            on_month_end(m, (int)ev.subject);
            if ((int)ev.subject + 1 == p->horizon_months)
                goto horizon;
            break;
        }
    }
horizon:
    if (m->engine.out_of_memory) {
        rc = -1;
        goto done;
    }
    {
        double now = m->horizon_time, span = m->horizon_time - m->warmup_time;
        out->mean_waiting = (cumulative_area(&m->waiting_level, now) - m->warm_waiting_area) / span;
        out->mean_active = (cumulative_area(&m->active_level, now) - m->warm_active_area) / span;
        double busy = cumulative_area(&m->busy_level, now) - m->warm_busy_area;
        double capacity = m->staff_changed ? cumulative_area(&m->capacity_level, now) - m->warm_capacity_area
                                           : span * p->workers;
        out->utilisation = capacity > 0 ? busy / capacity : 0.0;
        out->waiting_at_end = m->waiting_count;
        out->active_at_end = (uint64_t)m->active;
        out->events = m->engine.events;
        double capital = 0;
        for (int t = 0; t < m->team_count; t++) {
            team_update(m, t);
            capital += m->teams[t].capital;
        }
        out->method_capital = capital / m->team_count;
    }
    flush_present(m);
    if (m->engine.out_of_memory)
        rc = -1;
    else if (m->stop)
        rc = -2;
done:
    ctx_destroy(m);
    free(m);
    return rc;
}

void model_result_free(model_result *r)
{
    model_series *s = &r->series;
    for (int i = 0; i < s->count; i++)
        free(s->item[i].values);
    memset(s, 0, sizeof *s);
}
