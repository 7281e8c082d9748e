/*
 * model_handover.c — the successor project at the close, and receivers of
 * onward exits with a limited intake (MIA, 001 l.331-333 and l.283-295).
 *
 * Successor: MIA closed in April 2020 and those still in it went on to
 * MIA Vidare. From the end of month successor_month on, those present then
 * (the waiting, the assigned, or both) are handed over in referral order,
 * as many as the successor's places (in all) and intake (per month) allow;
 * those it cannot take yet go at later month ends. A transfer is not an
 * exit: it draws no destination, causes no replacement referral and no
 * follow-up, and is counted on its own (fate FATE_TRANSFERRED).
 *
 * Receivers: the report says too many fall "between chairs" after MIA
 * (l.295) when ordinary measures cannot take them, and that AF's
 * reorganisation slowed the outflow from the project (l.283). A receiver
 * takes at most intake_per_month people a month (floor((k+1)c) - floor(kc)
 * in month k, so fractional intakes average out without a random draw).
 * Who draws a full receiver either waits in the programme holding their
 * slot (when_full = "wait": l.283's slower outflow; they have no meetings
 * while they wait and leave to the receiver when it has room) or leaves
 * the programme at once and waits outside ("leave": l.295's between the
 * chairs; the exit counts as drawn, the slot frees). Either way they are
 * counted and the days until the receiver takes them are summed. Rooms are
 * renewed at month starts; the alternative, a place held for a length of
 * stay, needs the receiver's stay times, which no report gives.
 */
#include "model/model_handover.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The intake of month k of a receiver taking c a month. */
static int room_of_month(double c, int k)
{
    return (int)(floor((k + 1) * c + 1e-9) - floor(k * c + 1e-9));
}

void handover_setup(model_ctx *m)
{
    const model_params *p = m->p;
    for (int d = 0; d < MODEL_MAX_DESTINATIONS; d++)
        m->receiver_of[d] = -1;
    for (int r = 0; r < p->receivers; r++) {
        m->receiver_of[p->receiver[r].destination] = r;
        m->receiving[r].room = room_of_month(p->receiver[r].intake_per_month, 0);
    }
    m->successor_room = p->successor_places > 0 ? p->successor_places : INFINITY;
}

void handover_free(model_ctx *m)
{
    for (int r = 0; r < MODEL_MAX_RECEIVERS; r++)
        free(m->receiving[r].items);
}

int receivers_full(model_ctx *m, int d)
{
    int r = m->receiver_of[d];
    if (r < 0)
        return -1;
    receiver_state *q = &m->receiving[r];
    /* Those already waiting go first: a newcomer finds it full while
     * anyone waits, even if a room is left (rooms are handed out at the
     * month start, so this only happens within the same instant). */
    if (q->count == 0 && q->room > 0) {
        q->room--;
        return -1;
    }
    return r;
}

int receivers_wait(model_ctx *m, int r, uint32_t s, uint64_t id)
{
    receiver_state *q = &m->receiving[r];
    if (q->head + q->count == q->capacity) {
        if (q->head > 0) { /* slide the live part to the front before growing */
            memmove(q->items, q->items + q->head, q->count * sizeof *q->items);
            q->head = 0;
        }
        if (q->count == q->capacity) {
            size_t cap = q->capacity ? 2 * q->capacity : 16;
            stuck_entry *items = realloc(q->items, cap * sizeof *items);
            if (!items) {
                m->engine.out_of_memory = 1;
                return -1;
            }
            q->items = items;
            q->capacity = cap;
        }
    }
    q->items[q->head + q->count++] = (stuck_entry){id, s, m->engine.now};
    m->out->stuck[r]++;
    return 0;
}

void receivers_month_start(model_ctx *m, int month)
{
    for (int r = 0; r < m->p->receivers; r++)
        m->receiving[r].room = room_of_month(m->p->receiver[r].intake_per_month, month);
}

/* Entry e still waits: outside, or still in the programme waiting for
 * this receiver's destination. */
static int entry_waits(const model_ctx *m, const stuck_entry *e, int d)
{
    if (e->slot == NO_SLOT)
        return 1;
    const participant *pp = &m->people[e->slot];
    const participant_record *rd = &m->records[e->slot];
    return pp->state == P_STUCK && rd->rec.id == e->id && rd->rec.destination == d;
}

uint32_t receivers_take_next(model_ctx *m, int r)
{
    receiver_state *q = &m->receiving[r];
    int d = m->p->receiver[r].destination;
    while (q->count > 0 && q->room > 0) {
        stuck_entry e = q->items[q->head++];
        q->count--;
        if (!entry_waits(m, &e, d))
            continue; /* gone since (time limit, successor) */
        q->room--;
        m->out->stuck_received[r]++;
        m->out->stuck_days[r] += m->engine.now - e.since;
        if (e.slot != NO_SLOT)
            return e.slot;
    }
    return NO_SLOT;
}

/* Present now, and at the close of the kind the successor takes: started
 * (assigned) before it, or not (those the close frees slots for start
 * after it). Someone waiting at the close who starts
 * before a later batch is still one of the waiting, and the reverse. (One
 * handed back to the list when a post ended counts as started.) */
static int successor_eligible(const model_ctx *m, uint32_t s)
{
    const participant *pp = &m->people[s];
    const participant_record *rd = &m->records[s];
    if (pp->state == P_FREE || rd->rec.id >= m->successor_first_after || rd->rec.fate == FATE_REJECTED)
        return 0;
    int started = !isnan(rd->rec.assignment_time) && rd->rec.assignment_time < m->successor_close_time;
    switch (m->p->successor_take) {
    case SUCCESSOR_TAKE_ASSIGNED: return started;
    case SUCCESSOR_TAKE_WAITING: return !started;
    default: return 1;
    }
}

typedef struct by_id {
    uint64_t id;
    uint32_t slot;
} by_id;

static int by_id_order(const void *a, const void *b)
{
    uint64_t x = ((const by_id *)a)->id, y = ((const by_id *)b)->id;
    return (x > y) - (x < y);
}

size_t successor_pick(model_ctx *m, int month, uint32_t *slots)
{
    const model_params *p = m->p;
    if (!m->successor_closed) {
        m->successor_closed = 1;
        m->successor_first_after = m->next_id;
        m->successor_close_time = m->engine.now;
    }
    double room = m->successor_room;
    if (p->successor_intake > 0) {
        int k = month + 1 - p->successor_month; /* months since the close */
        double intake = floor((k + 1) * p->successor_intake + 1e-9) - floor(k * p->successor_intake + 1e-9);
        room = fmin(room, intake);
    }
    if (!(room >= 1))
        return 0;
    by_id *order = malloc((size_t)(m->people_used ? m->people_used : 1) * sizeof *order);
    if (!order) {
        m->engine.out_of_memory = 1;
        return 0;
    }
    size_t n = 0;
    for (uint32_t s = 0; s < m->people_used; s++)
        if (successor_eligible(m, s))
            order[n++] = (by_id){m->records[s].rec.id, s};
    qsort(order, n, sizeof *order, by_id_order);
    if ((double)n > room)
        n = (size_t)room;
    for (size_t i = 0; i < n; i++)
        slots[i] = order[i].slot;
    free(order);
    m->successor_room -= (double)n;
    return n;
}

void successor_record(model_ctx *m, uint32_t s, int was_waiting)
{
    participant_record *rd = &m->records[s];
    rd->rec.fate = FATE_TRANSFERRED;
    rd->rec.exit_time = m->engine.now;
    m->out->transferred++;
    if (was_waiting)
        m->out->transferred_waiting++;
}

void handover_finish(model_ctx *m)
{
    const model_params *p = m->p;
    for (int r = 0; r < p->receivers; r++) {
        receiver_state *q = &m->receiving[r];
        for (size_t i = 0; i < q->count; i++)
            m->out->stuck_at_end[r] += (uint64_t)entry_waits(m, &q->items[q->head + i], p->receiver[r].destination);
    }
    if (p->has_successor && m->successor_closed)
        for (uint32_t s = 0; s < m->people_used; s++)
            m->out->successor_left += (uint64_t)successor_eligible(m, s);
}
