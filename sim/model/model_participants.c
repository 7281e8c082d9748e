/*
 * model_participants.c — participant slots.
 *
 * Owns the slots of the participants present. Memory is bounded by those
 * present, not by all ever referred: a record goes to the sink as soon as
 * it is final and its slot is reused. The array grows by doubling; slots
 * are indices, never pointers, so growing does not invalidate queue
 * entries. Each slot keeps sequence numbers across reuse so that queue
 * entries left by an earlier occupant are recognised as stale.
 *
 * Also the memory guard: the count of participants present is capped
 * (model_present_limit), so a scenario whose referrals outgrow its exits
 * fails its trial with a reason instead of taking the machine's memory.
 */
#include "model/model_participants.h"

#include "model/model_arrivals.h"

#include <math.h>
#include <string.h>

/* A free slot, or a new one at the end; NO_SLOT when the array cannot grow. */
static uint32_t slot_take(model_ctx *m)
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

uint64_t model_present_limit(const model_params *p)
{
    if (p->max_participants_present > 0)
        return (uint64_t)p->max_participants_present;
    double limit = 1e6 + ceil(arrivals_expected(p));
    return limit < 1.8e19 ? (uint64_t)limit : UINT64_MAX;
}

uint32_t participants_new(model_ctx *m, int source, int relapse)
{
    if (m->present >= m->present_limit) {
        m->over_limit = 1;
        return NO_SLOT;
    }
    uint32_t s = slot_take(m);
    if (s == NO_SLOT) {
        m->engine.out_of_memory = 1;
        return NO_SLOT;
    }
    m->present++;
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
    return s;
}

void participants_release(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    pp->rec.phase = (int8_t)pp->phase;
    if (m->sink && !m->stop && m->sink(m->sink_ctx, &pp->rec) != 0)
        m->stop = 1;
    pp->state = P_FREE;
    m->present--;
    pp->seq++;
    pp->next_free = m->free_head;
    m->free_head = s;
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
void participants_flush(model_ctx *m)
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
        participants_release(m, order[i].slot);
    free(order);
}

