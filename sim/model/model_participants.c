/*
 * model_participants.c — participant slots.
 *
 * Owns the slots of the participants present. Memory is bounded by those
 * present, not by all ever referred: a record goes to the sink as soon as
 * it is final and its slot is reused. The array grows by doubling; slots
 * are indices, never pointers, so growing does not invalidate queue
 * entries. Each slot has a hot part (participant) and a record
 * (participant_record) in two arrays; see model_ctx.h. Each slot keeps sequence numbers across reuse so that queue
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

/* Grows both arrays to cap slots. The hot array is 64-byte aligned so each
 * participant's 32 bytes sit in one cache line. */
static int grow(model_ctx *m, uint32_t cap)
{
    participant *people = aligned_alloc(64, ((size_t)cap * sizeof *people + 63) / 64 * 64);
    participant_record *records = realloc(m->records, (size_t)cap * sizeof *records);
    if (records)
        m->records = records;
    if (!people || !records) {
        free(people);
        return -1;
    }
    if (m->people_used)
        memcpy(people, m->people, (size_t)m->people_used * sizeof *people);
    free(m->people);
    m->people = people;
    m->people_capacity = cap;
    return 0;
}

/* A free slot, or a new one at the end; NO_SLOT when the arrays cannot grow. */
static uint32_t slot_take(model_ctx *m)
{
    if (m->free_head != NO_SLOT) {
        uint32_t s = m->free_head;
        m->free_head = m->records[s].next_free;
        return s;
    }
    if (m->people_used == m->people_capacity &&
        (m->people_capacity > UINT32_MAX / 4 || grow(m, m->people_capacity ? m->people_capacity * 2 : 256) != 0))
        return NO_SLOT;
    m->people[m->people_used].seq = 0;
    m->records[m->people_used].measure_seq = 0;
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
    participant_record *pr = &m->records[s];
    uint32_t seq = pp->seq, measure_seq = pr->measure_seq;
    memset(pp, 0, sizeof *pp);
    memset(pr, 0, sizeof *pr);
    pp->seq = seq + 1;
    pr->measure_seq = measure_seq + 1;
    pr->rec = (model_participant){
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
    pp->worker = -1;
    pr->decision_phase = -1;
    pp->pending = pr->renege = pr->limit = EVSET_NO_HANDLE;
    return s;
}

void participants_release(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    participant_record *pr = &m->records[s];
    pr->rec.phase = pp->phase;
    pr->rec.worker = pp->worker;
    pr->rec.meetings = pp->meetings;
    if (m->sink && !m->stop && m->sink(m->sink_ctx, &pr->rec) != 0)
        m->stop = 1;
    pp->state = P_FREE;
    m->present--;
    pp->seq++;
    pr->next_free = m->free_head;
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

/* Releases the present participants in id order by placing each at its
 * id's offset from the smallest (ids are unique): linear, where qsort was
 * n log n and 1 % of a run at 100x size. Returns -1, having released
 * nobody, when the ids are spread over more than 8 slots each (a long
 * stayer among many since) or memory runs out; qsort then does it. */
static int release_by_placing(model_ctx *m, const present_entry *order, size_t n)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = order[i].id < lo ? order[i].id : lo;
        hi = order[i].id > hi ? order[i].id : hi;
    }
    uint64_t span = hi - lo + 1;
    if (span > 8 * (uint64_t)n + 64)
        return -1;
    uint32_t *at = malloc((size_t)span * sizeof *at);
    if (!at)
        return -1;
    for (uint64_t k = 0; k < span; k++)
        at[k] = NO_SLOT;
    for (size_t i = 0; i < n; i++)
        at[order[i].id - lo] = order[i].slot;
    for (uint64_t k = 0; k < span; k++)
        if (at[k] != NO_SLOT)
            participants_release(m, at[k]);
    free(at);
    return 0;
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
            order[n++] = (present_entry){m->records[s].rec.id, s};
    if (n > 0 && release_by_placing(m, order, n) != 0) {
        qsort(order, n, sizeof *order, present_by_id);
        for (size_t i = 0; i < n; i++)
            participants_release(m, order[i].slot);
    }
    free(order);
}
