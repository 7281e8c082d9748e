/*
 * model_measures.c — places in external measures.
 *
 * Owns the measures' places and their queues. A participant whose phase has
 * a measure gets a place when one is free and nobody is in line before
 * them, else joins the line; a place that frees goes to the first in line
 * still in that phase and still wanting it (stale entries are skipped by a
 * sequence number rather than removed, as in the meeting queues). Someone
 * given a place while in a meeting, or before their first meeting, holds it
 * and enters after the meeting.
 */
#include "model/model_measures.h"

static int measure_open(const model_ctx *m, int k)
{
    double month = month_of(m->engine.now);
    const model_measure *ms = &m->p->measure[k];
    return month >= ms->open_month && month < ms->close_month;
}

void measures_start(model_ctx *m, uint32_t s, int k)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    pp->state = P_IN_MEASURE;
    rd->measure_wanted = pp->measure_ready = 0;
    double days = dist_sample(&m->p->measure[k].duration_days, m->stream[MODEL_STREAM_MEASURE]);
    pp->pending = sim_schedule(&m->engine, days, EV_MEASURE_END, s);
}

/* Places go in queue order, to people still in the phase and still wanting
 * them; the measure must be open. */
void measures_fill(model_ctx *m, int k)
{
    measure_state *ms = &m->measures[k];
    while (ms->used < ms->places && ms->queue.count > 0 && measure_open(m, k)) {
        uint64_t e = fifo_pop(&ms->queue);
        uint32_t s = entry_slot(e);
        participant *pp = &m->people[s];
        participant_record *rd = &m->records[s];
        if (pp->state == P_FREE || !entry_current(e, rd->measure_seq) || !rd->measure_wanted ||
            m->phase[pp->phase].measure != k)
            continue;
        ms->used++;
        if (pp->state == P_OWN_TIME) {
            sim_cancel(&m->engine, pp->pending);
            measures_start(m, s, k);
        } else {
            rd->measure_wanted = 0;
            pp->measure_ready = 1; /* enters after the meeting in progress or queued */
        }
    }
}

/* A measure that opens late (queue_before_open): someone entering its phase
 * before it opens joins its line, so the places go, in order of arrival,
 * to those already in the phase when it opens (measures_fill at
 * EV_MEASURE_OPEN). Without it such people never ask again, and only those
 * entering the phase after the opening get places: right for a measure the
 * caseworkers only offer once it exists, wrong for one that was planned
 * (Malmökraften's extratjänster, MIA's work-training places) and that
 * people were lined up for. */
static int measure_queues_early(const model_ctx *m, int k)
{
    const model_measure *ms = &m->p->measure[k];
    return ms->queue_before_open && month_of(m->engine.now) < ms->open_month;
}

enum measure_request measures_request(model_ctx *m, uint32_t s, int k)
{
    if (k < 0)
        return MEASURE_NONE;
    if (!measure_open(m, k)) {
        if (!measure_queues_early(m, k))
            return MEASURE_NONE;
    } else if (m->measures[k].used < m->measures[k].places && m->measures[k].queue.count == 0) {
        m->measures[k].used++;
        return MEASURE_HELD;
    }
    participant_record *rd = &m->records[s];
    rd->measure_wanted = 1;
    rd->measure_seq++;
    if (fifo_push(&m->measures[k].queue, entry_make(s, 0, rd->measure_seq)) != 0) {
        m->engine.out_of_memory = 1;
        return MEASURE_FAILED;
    }
    return MEASURE_QUEUED;
}

void measures_release(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    int k = m->phase[pp->phase].measure;
    m->measures[k].used--;
    pp->measure_ready = 0;
    pp->state = P_OWN_TIME; /* not in the measure any more */
    measures_fill(m, k);
}

void measures_schedule_openings(model_ctx *m)
{
    const model_params *p = m->p;
    for (int k = 0; k < p->measures; k++)
        m->measures[k].places = p->measure[k].places; /* a staffing plan may change them later */
    for (int k = 0; k < p->measures; k++)
        if (p->measure[k].open_month > 0 && p->measure[k].open_month < p->horizon_months)
            sim_schedule_at(&m->engine, p->measure[k].open_month * MODEL_DAYS_PER_MONTH, EV_MEASURE_OPEN, (uint32_t)k);
}
