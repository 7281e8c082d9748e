/*
 * model_waiting.c — the waiting list.
 *
 * Owns the lines of people waiting for a place in someone's caseload. An
 * entry is left in its FIFO when its participant leaves otherwise (gives
 * up); a sequence number marks it stale and it is dropped when it reaches
 * the head, which costs less than removing it from the middle.
 *
 * With sites, a participant tied to a site (model_params.h, model_site)
 * joins that site's own list instead; who gives up there is counted per
 * site. Every list, the untied one and each site's, has the same priority
 * levels: under waiting.policy = "priority" a site serves its higher
 * priorities first, FIFO within, as the untied list does (until
 * 2026-12-07 the site lists were first come first served whatever the
 * policy, so a priority scenario with sites silently ignored priority
 * there).
 */
#include "model/model_waiting.h"

#include <math.h>

static void waiting_changed(model_ctx *m)
{
    cumulative_set(&m->waiting_level, m->engine.now, (double)m->waiting_count);
}

int waiting_level(const model_ctx *m, uint32_t s)
{
    return m->levels > 1 ? m->level_of_profile[m->people[s].profile] : 0;
}

/* List `site`'s line for priority `level` (site 0: the untied list). */
static fifo *line_of(model_ctx *m, int site, int level)
{
    return site > 0 ? &m->site_waiting[site - 1][level] : &m->waiting[level];
}

void waiting_setup_levels(model_ctx *m)
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

int waiting_join(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    fifo *line = line_of(m, pp->site, waiting_level(m, s));
    pp->state = P_WAITING;
    pp->seq++;
    if (fifo_push(line, entry_make(s, 0, pp->seq)) != 0) {
        m->engine.out_of_memory = 1;
        return -1;
    }
    if (pp->site > 0)
        m->site_waiting_count[pp->site - 1]++;
    m->waiting_count++;
    waiting_changed(m);
    if (m->p->has_patience) {
        double patience = dist_sample(&m->p->patience_days, m->stream[MODEL_STREAM_PATIENCE]);
        rd->renege = sim_schedule(&m->engine, patience, EV_RENEGE, s);
    }
    return 0;
}

/* The head of one list, dropping entries of people who left. */
static uint32_t line_head(model_ctx *m, fifo *q)
{
    while (q->count > 0) {
        uint64_t e = q->items[q->head];
        participant *pp = &m->people[entry_slot(e)];
        if (pp->state == P_WAITING && entry_current(e, pp->seq))
            return entry_slot(e);
        fifo_pop(q);
    }
    return NO_SLOT;
}

uint32_t waiting_next_at(model_ctx *m, int site)
{
    for (int level = 0; level < m->levels; level++) {
        uint32_t s = line_head(m, line_of(m, site, level));
        if (s != NO_SLOT)
            return s;
    }
    return NO_SLOT;
}

uint64_t waiting_count_at(const model_ctx *m, int site)
{
    if (m->p->sites == 0)
        return m->waiting_count;
    if (site > 0)
        return m->site_waiting_count[site - 1];
    uint64_t untied = m->waiting_count;
    for (int k = 0; k < m->p->sites; k++)
        untied -= m->site_waiting_count[k];
    return untied;
}

void waiting_count_sites_at_end(model_ctx *m)
{
    for (int k = 0; k < m->p->sites; k++)
        for (int level = 0; level < m->levels; level++) {
            const fifo *q = &m->site_waiting[k][level];
            for (size_t i = 0; i < q->count; i++) {
                uint64_t e = q->items[(q->head + i) & (q->capacity - 1)];
                uint32_t s = entry_slot(e);
                const participant *pp = &m->people[s];
                if (pp->state == P_WAITING && entry_current(e, pp->seq) &&
                    isnan(m->records[s].rec.assignment_time))
                    m->out->site_waiting_at_end[k]++;
            }
        }
}

/* Entries of people who left are dropped as they reach the head. */
uint32_t waiting_next(model_ctx *m)
{
    return waiting_next_at(m, 0);
}

void waiting_take(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    fifo *q = line_of(m, pp->site, waiting_level(m, s));
    if (q->count > 0 && entry_slot(q->items[q->head]) == s && pp->state == P_WAITING)
        fifo_pop(q);
    if (pp->site > 0)
        m->site_waiting_count[pp->site - 1]--;
    m->waiting_count--;
    waiting_changed(m);
    pp->state = P_NEEDS_MEETING; /* no longer waiting */
}

void waiting_remove(model_ctx *m, uint32_t s)
{
    m->waiting_count--;
    waiting_changed(m);
    if (m->people[s].site > 0)
        m->site_waiting_count[m->people[s].site - 1]--;
}

void waiting_renege(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    rd->renege = EVSET_NO_HANDLE;
    if (pp->state != P_WAITING)
        return;
    m->waiting_count--;
    waiting_changed(m);
    if (pp->site > 0) {
        m->site_waiting_count[pp->site - 1]--;
        if (isnan(rd->rec.assignment_time))
            m->out->site_gave_up[pp->site - 1]++;
    }
    rd->rec.fate = FATE_RENEGED;
    rd->rec.exit_time = m->engine.now; /* when they left the list: group wait means need it */
    m->month_reneged++;
    if (m->measuring)
        m->out->reneged_measured++;
    participants_release(m, s);
}
