/*
 * model_casework.c — one replication of the case-manager model.
 *
 * A referral becomes a participant; if some worker is below the caseload cap
 * the participant is assigned to the worker with the fewest participants
 * (lowest index on ties), otherwise joins the FIFO waiting list. An assigned
 * participant alternates between needing a meeting with their worker and
 * time on their own. A worker holds one meeting at a time, first come first
 * served; worker time is a fluid budget of meeting hours per day, so a
 * meeting of h hours occupies the worker h / hours_per_day days. After each
 * meeting the case ends with the exit probability, to a destination drawn
 * from the shares; the freed slot takes the head of the waiting list.
 *
 * This is how caseload reaches outcomes: more participants per worker means
 * longer queues for meetings, hence longer gaps between them.
 */
#include "model_casework.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "eng_rng.h"
#include "eng_sim.h"

enum event_kind {
    EV_REFERRAL,
    EV_MEETING_END,   /* subject: worker */
    EV_OWN_TIME_END,  /* subject: participant slot */
    EV_MONTH_END,     /* subject: month index */
};

enum participant_state { P_FREE, P_WAITING, P_NEEDS_MEETING, P_IN_MEETING, P_OWN_TIME };

typedef struct participant {
    model_participant rec;
    int state;
    evset_handle pending;   /* own-time end, cancelled if the participant leaves */
    uint32_t next_free;
} participant;

/* FIFO of participant slots, growing as needed. */
typedef struct fifo {
    uint32_t *items;
    size_t head, count, capacity;
} fifo;

typedef struct worker {
    int caseload;
    int busy;
    uint32_t in_meeting;  /* participant slot while busy */
    fifo queue;           /* participants needing a meeting */
} worker;

typedef struct cumulative {
    /* Running integral of a level over time, never restarted; monthly and
     * post-warm-up averages are differences of it. */
    double level, area, last;
} cumulative;

typedef struct model_ctx {
    const model_params *p;
    sim engine;
    gsl_rng *stream[MODEL_STREAM_COUNT];
    participant *people;
    uint32_t people_capacity, people_used, free_head;
    fifo waiting;
    worker *workers;
    int active;
    double warmup_time, horizon_time;
    int measuring;
    uint64_t next_id;
    cumulative waiting_level, active_level, busy_level;
    double warm_waiting_area, warm_active_area, warm_busy_area;
    double month_busy_area_start;
    int month;
    uint64_t month_referrals, month_meetings;
    uint64_t month_exits[MODEL_MAX_DESTINATIONS];
    model_participant_sink sink;
    void *sink_ctx;
    int stop;
    model_result *out;
} model_ctx;

#define NO_SLOT UINT32_MAX

static int fifo_push(fifo *q, uint32_t v)
{
    if (q->count == q->capacity) {
        size_t cap = q->capacity ? q->capacity * 2 : 16;
        uint32_t *items = malloc(cap * sizeof *items);
        if (!items)
            return -1;
        for (size_t i = 0; i < q->count; i++)
            items[i] = q->items[(q->head + i) % q->capacity];
        free(q->items);
        q->items = items;
        q->head = 0;
        q->capacity = cap;
    }
    q->items[(q->head + q->count) % q->capacity] = v;
    q->count++;
    return 0;
}

static uint32_t fifo_pop(fifo *q)
{
    uint32_t v = q->items[q->head];
    q->head = (q->head + 1) % q->capacity;
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

const char *model_params_check(const model_params *p)
{
    if (!(p->referral_rate_per_month > 0) || !isfinite(p->referral_rate_per_month))
        return "referral rate must be a finite number > 0";
    if (p->workers < 1)
        return "need at least one worker";
    if (p->caseload_cap < 1)
        return "caseload cap must be >= 1";
    if (!(p->meeting_hours_per_day > 0) || p->meeting_hours_per_day > 24)
        return "meeting hours per day must be in (0, 24]";
    if (!(p->exit_probability > 0) || p->exit_probability > 1)
        return "exit probability must be in (0, 1]";
    if (p->destinations < 1 || p->destinations > MODEL_MAX_DESTINATIONS)
        return "need between 1 and 16 destinations";
    double sum = 0;
    for (int d = 0; d < p->destinations; d++) {
        if (!(p->destination_shares[d] >= 0))
            return "destination shares must be >= 0";
        sum += p->destination_shares[d];
    }
    if (fabs(sum - 1.0) > 1e-9)
        return "destination shares must sum to 1";
    if (p->horizon_months < 1)
        return "horizon must be at least one month";
    if (p->warmup_months < 0 || p->warmup_months >= p->horizon_months)
        return "warm-up must be shorter than the horizon";
    if (dist_mean(&p->meeting_hours) <= 0)
        return "meetings must take time (mean length > 0)";
    return NULL;
}

static double nan_value(void)
{
    return NAN;
}

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
    return m->people_used++;
}

static void participant_release(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    if (m->sink && !m->stop && m->sink(m->sink_ctx, &pp->rec) != 0)
        m->stop = 1;
    pp->state = P_FREE;
    pp->next_free = m->free_head;
    m->free_head = s;
}

static void waiting_changed(model_ctx *m)
{
    cumulative_set(&m->waiting_level, m->engine.now, (double)m->waiting.count);
}

static void active_changed(model_ctx *m)
{
    cumulative_set(&m->active_level, m->engine.now, (double)m->active);
}

static void start_meeting_if_idle(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    if (wk->busy || wk->queue.count == 0)
        return;
    uint32_t s = fifo_pop(&wk->queue);
    wk->busy = 1;
    wk->in_meeting = s;
    m->people[s].state = P_IN_MEETING;
    double hours = dist_sample(&m->p->meeting_hours, m->stream[MODEL_STREAM_MEETING]);
    cumulative_set(&m->busy_level, m->engine.now, m->busy_level.level + 1);
    sim_schedule(&m->engine, hours / m->p->meeting_hours_per_day, EV_MEETING_END, (uint32_t)w);
}

static void needs_meeting(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    pp->state = P_NEEDS_MEETING;
    pp->pending = EVSET_NO_HANDLE;
    if (fifo_push(&m->workers[pp->rec.worker].queue, s) != 0) {
        m->engine.out_of_memory = 1;
        return;
    }
    start_meeting_if_idle(m, pp->rec.worker);
}

static int least_loaded_worker(const model_ctx *m)
{
    int best = -1;
    for (int w = 0; w < m->p->workers; w++) {
        int load = m->workers[w].caseload;
        if (load < m->p->caseload_cap && (best < 0 || load < m->workers[best].caseload))
            best = w;
    }
    return best;
}

static void assign(model_ctx *m, uint32_t s, int w)
{
    participant *pp = &m->people[s];
    pp->rec.assignment_time = m->engine.now;
    pp->rec.worker = w;
    m->workers[w].caseload++;
    m->active++;
    active_changed(m);
    if (pp->rec.referral_time >= m->warmup_time)
        stat_obs_add(&m->out->wait_days, m->engine.now - pp->rec.referral_time);
    needs_meeting(m, s);
}

static void fill_free_slots(model_ctx *m)
{
    while (m->waiting.count > 0) {
        int w = least_loaded_worker(m);
        if (w < 0)
            break;
        uint32_t s = fifo_pop(&m->waiting);
        waiting_changed(m);
        assign(m, s, w);
    }
}

static void on_referral(model_ctx *m)
{
    double rate_per_day = m->p->referral_rate_per_month / MODEL_DAYS_PER_MONTH;
    sim_schedule(&m->engine, gsl_ran_exponential(m->stream[MODEL_STREAM_REFERRAL], 1.0 / rate_per_day),
                 EV_REFERRAL, 0);
    uint32_t s = participant_new(m);
    if (s == NO_SLOT) {
        m->engine.out_of_memory = 1;
        return;
    }
    participant *pp = &m->people[s];
    pp->rec = (model_participant){
        .id = m->next_id++,
        .replication = m->out->replication,
        .referral_time = m->engine.now,
        .assignment_time = nan_value(),
        .exit_time = nan_value(),
        .destination = -1,
        .worker = -1,
        .meetings = 0,
    };
    pp->pending = EVSET_NO_HANDLE;
    m->out->referrals++;
    m->month_referrals++;
    if (m->measuring)
        m->out->referrals_measured++;
    int w = least_loaded_worker(m);
    if (w >= 0 && m->waiting.count == 0) {
        assign(m, s, w);
    } else {
        pp->state = P_WAITING;
        if (fifo_push(&m->waiting, s) != 0) {
            m->engine.out_of_memory = 1;
            return;
        }
        waiting_changed(m);
    }
}

static int draw_destination(model_ctx *m)
{
    double u = gsl_rng_uniform(m->stream[MODEL_STREAM_EXIT]);
    double acc = 0;
    for (int d = 0; d < m->p->destinations - 1; d++) {
        acc += m->p->destination_shares[d];
        if (u < acc)
            return d;
    }
    return m->p->destinations - 1;
}

static void exit_programme(model_ctx *m, uint32_t s, int destination)
{
    participant *pp = &m->people[s];
    double now = m->engine.now;
    pp->rec.exit_time = now;
    pp->rec.destination = destination;
    m->workers[pp->rec.worker].caseload--;
    m->active--;
    active_changed(m);
    m->out->exits++;
    m->month_exits[destination]++;
    if (m->measuring) {
        m->out->exits_measured++;
        m->out->exits_by_destination[destination]++;
    }
    if (pp->rec.assignment_time >= m->warmup_time) {
        stat_obs_add(&m->out->programme_days, now - pp->rec.assignment_time);
        stat_obs_add(&m->out->meetings_per_exit, pp->rec.meetings);
    }
    participant_release(m, s);
    fill_free_slots(m);
}

static void on_meeting_end(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    uint32_t s = wk->in_meeting;
    participant *pp = &m->people[s];
    wk->busy = 0;
    cumulative_set(&m->busy_level, m->engine.now, m->busy_level.level - 1);
    pp->rec.meetings++;
    m->month_meetings++;
    if (gsl_rng_uniform(m->stream[MODEL_STREAM_EXIT]) < m->p->exit_probability) {
        exit_programme(m, s, draw_destination(m));
    } else {
        double gap = dist_sample(&m->p->own_time_days, m->stream[MODEL_STREAM_OWN_TIME]);
        if (gap > 0) {
            pp->state = P_OWN_TIME;
            pp->pending = sim_schedule(&m->engine, gap, EV_OWN_TIME_END, s);
        } else {
            needs_meeting(m, s);
        }
    }
    start_meeting_if_idle(m, w);
}

static void on_month_end(model_ctx *m, int month)
{
    model_series *ser = &m->out->series;
    double now = m->engine.now;
    double busy_area = cumulative_area(&m->busy_level, now);
    ser->referrals[month] = (double)m->month_referrals;
    ser->meetings[month] = (double)m->month_meetings;
    ser->waiting[month] = (double)m->waiting.count;
    ser->active[month] = (double)m->active;
    ser->utilisation[month] = (busy_area - m->month_busy_area_start) /
                              ((double)m->p->workers * MODEL_DAYS_PER_MONTH);
    for (int d = 0; d < m->p->destinations; d++) {
        ser->exits[(size_t)month * (size_t)m->p->destinations + (size_t)d] = (double)m->month_exits[d];
        m->month_exits[d] = 0;
    }
    m->month_busy_area_start = busy_area;
    m->month_referrals = 0;
    m->month_meetings = 0;
    if (month + 1 == m->p->warmup_months) {
        m->measuring = 1;
        m->warm_waiting_area = cumulative_area(&m->waiting_level, now);
        m->warm_active_area = cumulative_area(&m->active_level, now);
        m->warm_busy_area = busy_area;
    }
}

static int series_alloc(model_series *s, int months, int destinations)
{
    s->months = months;
    s->destinations = destinations;
    size_t n = (size_t)months;
    s->referrals = calloc(n, sizeof(double));
    s->waiting = calloc(n, sizeof(double));
    s->active = calloc(n, sizeof(double));
    s->meetings = calloc(n, sizeof(double));
    s->utilisation = calloc(n, sizeof(double));
    s->exits = calloc(n * (size_t)destinations, sizeof(double));
    return (s->referrals && s->waiting && s->active && s->meetings && s->utilisation && s->exits) ? 0 : -1;
}

static void ctx_destroy(model_ctx *m)
{
    for (int i = 0; i < MODEL_STREAM_COUNT; i++)
        if (m->stream[i])
            rng_free(m->stream[i]);
    if (m->workers)
        for (int w = 0; w < m->p->workers; w++)
            free(m->workers[w].queue.items);
    free(m->workers);
    free(m->people);
    free(m->waiting.items);
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

int model_run(const model_params *p, uint32_t replication, uint64_t seed,
              model_participant_sink sink, void *sink_ctx, model_result *out)
{
    memset(out, 0, sizeof *out);
    out->replication = replication;
    out->seed = seed;
    stat_obs_init(&out->wait_days);
    stat_obs_init(&out->programme_days);
    stat_obs_init(&out->meetings_per_exit);

    model_ctx m = {0};
    m.p = p;
    m.out = out;
    m.sink = sink;
    m.sink_ctx = sink_ctx;
    m.free_head = NO_SLOT;
    m.warmup_time = p->warmup_months * MODEL_DAYS_PER_MONTH;
    m.horizon_time = p->horizon_months * MODEL_DAYS_PER_MONTH;
    m.measuring = p->warmup_months == 0;

    int rc = 0;
    if (sim_init(&m.engine, 1024) != 0 || series_alloc(&out->series, p->horizon_months, p->destinations) != 0) {
        rc = -1;
        goto done;
    }
    m.workers = calloc((size_t)p->workers, sizeof *m.workers);
    if (!m.workers) {
        rc = -1;
        goto done;
    }
    for (int i = 1; i < MODEL_STREAM_COUNT; i++) {
        m.stream[i] = rng_alloc(rng_derive(seed, (uint64_t)i));
        if (!m.stream[i]) {
            rc = -1;
            goto done;
        }
    }

    /* Month ends go in first so that, at equal times, the snapshot precedes
     * whatever else happens at that instant. */
    for (int month = 0; month < p->horizon_months; month++)
        sim_schedule_at(&m.engine, (month + 1) * MODEL_DAYS_PER_MONTH, EV_MONTH_END, (uint32_t)month);
    double rate_per_day = p->referral_rate_per_month / MODEL_DAYS_PER_MONTH;
    sim_schedule(&m.engine, gsl_ran_exponential(m.stream[MODEL_STREAM_REFERRAL], 1.0 / rate_per_day),
                 EV_REFERRAL, 0);

    evset_event ev;
    while (!m.stop && !m.engine.out_of_memory && sim_next(&m.engine, &ev)) {
        switch (ev.kind) {
        case EV_REFERRAL:
            on_referral(&m);
            break;
        case EV_MEETING_END:
            on_meeting_end(&m, (int)ev.subject);
            break;
        case EV_OWN_TIME_END:
            needs_meeting(&m, ev.subject);
            break;
        case EV_MONTH_END:
            on_month_end(&m, (int)ev.subject);
            if ((int)ev.subject + 1 == p->horizon_months)
                goto horizon;
            break;
        }
    }
horizon:
    if (m.engine.out_of_memory) {
        rc = -1;
        goto done;
    }
    {
        double now = m.horizon_time, span = m.horizon_time - m.warmup_time;
        out->mean_waiting = (cumulative_area(&m.waiting_level, now) - m.warm_waiting_area) / span;
        out->mean_active = (cumulative_area(&m.active_level, now) - m.warm_active_area) / span;
        out->utilisation = (cumulative_area(&m.busy_level, now) - m.warm_busy_area) / (span * p->workers);
        out->waiting_at_end = m.waiting.count;
        out->active_at_end = (uint64_t)m.active;
        out->events = m.engine.events;
    }
    flush_present(&m);
    if (m.engine.out_of_memory)
        rc = -1;
    else if (m.stop)
        rc = -2;
done:
    ctx_destroy(&m);
    return rc;
}

void model_result_free(model_result *r)
{
    model_series *s = &r->series;
    free(s->referrals);
    free(s->waiting);
    free(s->active);
    free(s->meetings);
    free(s->utilisation);
    free(s->exits);
    memset(s, 0, sizeof *s);
}
