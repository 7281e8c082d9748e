/*
 * model_run.c — one replication from start to horizon.
 *
 * Owns model_run: the context's setup (phases in force, staff pool,
 * random streams, waiting levels), the first events (month ends first, so
 * at equal times the snapshot precedes whatever else happens at that
 * instant; then referrals, measure openings, staff), the event loop up to
 * the horizon, the run's summary and the hand-over of everyone still
 * present. A snapshot to start from, or to save at the horizon, is
 * model_snapshot.c's. The handlers themselves are in model_casework.c.
 */
#include "model/model_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_rng.h"
#include "model/model_arrivals.h"
#include "model/model_handover.h"
#include "model/model_measures.h"
#include "model/model_ready.h"
#include "model/model_series.h"
#include "model/model_staffplan.h"
#include "model/model_snapshot.h"
#include "model/model_waiting.h"

/* The phases in force: the scenario's, or one built from the core keys. */
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
        effects |= p->profile[i].readiness != 0 || p->profile[i].has_exit_weights || p->profile[i].max_months > 0;
    effects |= p->readiness_decay_per_month > 0;
    effects |= p->has_pressure && p->pressure_quality_cost > 0; /* hasty mapping lowers good-exit odds */
    m->core_exits = !effects;
    return 0;
}

/* Whether the meeting cycle is the core's (model_ctx.h, core_meetings),
 * so that its handlers may skip what only mechanisms change. Each term
 * rules out one way a meeting differs: roles (decision and consultation
 * meetings, call-ins, part-time posts), a staffing plan (rates and posts
 * over time), the method and learning (rate, busy weight, speed),
 * profiles (need), a successor or time limit (limit_reached), effects on
 * exits or phases of the scenario's own (core_exits: one phase without
 * progress or measure). Called after staffplan_setup. */
static void setup_core_meetings(model_ctx *m)
{
    const model_params *p = m->p;
    m->core_meetings = m->core_exits && p->roles == 0 && !m->plan.on && !p->has_method && !p->has_learning &&
                       p->profiles == 0 && !p->has_successor && p->max_months == 0;
    m->core_rate = p->meeting_hours_per_day;
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
    for (int k = 0; k < MODEL_MAX_SITES; k++)
        for (int l = 0; l < MODEL_MAX_PROFILES; l++)
            free(m->site_waiting[k][l].items);
    handover_free(m);
    free(m->workers);
    ready_free(m);
    free(m->people);
    free(m->records);
    sim_destroy(&m->engine);
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

/* Asks for what the next event will touch while this one is handled: the
 * participant of an own-time or measure end; for a meeting end the
 * participant leaving the meeting and the one next in that worker's queue.
 * Only a hint (the next event may still change): at 100x size each of
 * these was a cache miss on the event's critical path, and prefetching
 * took the model from 2.75 to 1.8 CPU s per replication (18 months). Below
 * PREFETCH_ABOVE slots the hot array (32 bytes a slot) stays in the L2
 * cache, and asking cost 6 % at 1x, so small runs do not ask. */
#define PREFETCH_ABOVE 8192

static void prefetch_next(const model_ctx *m)
{
    uint32_t kind, subject;
    if (!sim_peek_next(&m->engine, &kind, &subject))
        return;
    if (kind == EV_OWN_TIME_END || kind == EV_MEASURE_END) {
        __builtin_prefetch(&m->people[subject]);
    } else if (kind == EV_MEETING_END) {
        const worker *wk = &m->workers[subject];
        __builtin_prefetch(&m->people[entry_slot(wk->in_meeting)]);
        if (wk->queue.count > 0)
            __builtin_prefetch(&m->people[entry_slot(wk->queue.items[wk->queue.head])]);
    }
}

/* The run's summary over the measured span (warm-up to horizon): time
 * averages are differences of the running integrals. */
static void summarise(model_ctx *m)
{
    const model_params *p = m->p;
    model_result *out = m->out;
    double now = m->horizon_time, span = m->horizon_time - m->warmup_time;
    out->mean_waiting = (cumulative_area(&m->waiting_level, now) - m->warm_waiting_area) / span;
    out->mean_active = (cumulative_area(&m->active_level, now) - m->warm_active_area) / span;
    double busy = cumulative_area(&m->busy_level, now) - m->warm_busy_area;
    double capacity = m->staff_changed ? cumulative_area(&m->capacity_level, now) - m->warm_capacity_area
                                       : span * p->workers;
    out->utilisation = capacity > 0 ? busy / capacity : 0.0;
    out->waiting_at_end = m->waiting_count;
    if (p->sites > 0)
        waiting_count_sites_at_end(m);
    out->active_at_end = (uint64_t)m->active;
    out->events = m->engine.events;
    double capital = 0;
    for (int t = 0; t < m->team_count; t++) {
        staff_team_update(m, t);
        capital += m->teams[t].capital;
    }
    out->method_capital = capital / m->team_count;
}

/* The memory guard's reason, naming the key that sets the limit. */
static void report_over_limit(model_ctx *m)
{
    snprintf(m->out->failure, sizeof m->out->failure,
             "more than %llu participants present at once (month %d): referrals outgrow exits, e.g. a source's "
             "replacement above 1; set run.max_participants_present higher if the scenario is meant to be this large",
             (unsigned long long)m->present_limit, (int)month_of(m->engine.now) + 1);
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
    if (!m) {
        snprintf(out->failure, sizeof out->failure, "out of memory in the model");
        return MODEL_RUN_OUT_OF_MEMORY;
    }
    m->p = p;
    m->out = out;
    m->sink = sink;
    m->sink_ctx = sink_ctx;
    m->free_head = NO_SLOT;
    m->warmup_time = p->warmup_months * MODEL_DAYS_PER_MONTH;
    m->horizon_time = p->horizon_months * MODEL_DAYS_PER_MONTH;
    m->measuring = p->warmup_months == 0;
    m->present_limit = model_present_limit(p);

    int rc = MODEL_RUN_OK;
    if (sim_init(&m->engine, 1024) != 0 || series_alloc(&out->series, p) != 0 || setup_phases(m) != 0 ||
        staff_setup(m) != 0 || open_streams(m, seed) != 0) {
        rc = MODEL_RUN_OUT_OF_MEMORY;
        goto done;
    }
    waiting_setup_levels(m);
    staffplan_setup(m);
    setup_core_meetings(m);
    if (p->has_successor || p->receivers > 0)
        handover_setup(m);

    /* Month ends go in first so that, at equal times, the snapshot precedes
     * whatever else happens at that instant. */
    for (int month = 0; month < p->horizon_months; month++)
        sim_schedule_at(&m->engine, (month + 1) * MODEL_DAYS_PER_MONTH, EV_MONTH_END, (uint32_t)month);
    arrivals_start(m);
    measures_schedule_openings(m);
    casework_start_staff(m);
    staffplan_start(m);
    if (snapshot_start(m) != 0) {
        rc = m->over_limit ? MODEL_RUN_TOO_MANY_PRESENT : MODEL_RUN_OUT_OF_MEMORY;
        if (m->over_limit)
            report_over_limit(m);
        goto done;
    }

    evset_event ev;
    while (!m->stop && !m->engine.out_of_memory && !m->over_limit && sim_next(&m->engine, &ev)) {
        if (m->people_used > PREFETCH_ABOVE)
            prefetch_next(m);
        if (ev.kind == EV_STAFF_PLAN)
            staffplan_handle(m, ev.subject);
        else
            casework_handle(m, &ev);
        if (ev.kind == EV_MONTH_END && m->plan.on)
            staffplan_month_end(m, (int)ev.subject);
        if (ev.kind == EV_MONTH_END && (int)ev.subject + 1 == p->horizon_months)
            break; /* the horizon: events after it are never needed */
    }
    if (m->engine.out_of_memory) {
        rc = MODEL_RUN_OUT_OF_MEMORY;
        goto done;
    }
    if (m->over_limit) {
        report_over_limit(m);
        rc = MODEL_RUN_TOO_MANY_PRESENT;
        goto done;
    }
    summarise(m);
    if (p->has_successor || p->receivers > 0)
        handover_finish(m);
    if (snapshot_save(m) != 0)
        m->engine.out_of_memory = 1;
    participants_flush(m);
    if (m->engine.out_of_memory)
        rc = MODEL_RUN_OUT_OF_MEMORY;
    else if (m->stop)
        rc = MODEL_RUN_SINK_STOPPED;
done:
    if (rc == MODEL_RUN_OUT_OF_MEMORY)
        snprintf(out->failure, sizeof out->failure, "out of memory in the model");
    ctx_destroy(m);
    free(m);
    return rc;
}
