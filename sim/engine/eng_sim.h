/*
 * eng_sim.h — the engine's simulation context: clock plus event set.
 *
 * Owns simulated time (in days) and the count of events executed. A model
 * embeds one sim per replication and passes it explicitly; nothing here is
 * global, so replications can run side by side in threads.
 */
#ifndef CASEFLOW_ENG_SIM_H
#define CASEFLOW_ENG_SIM_H

#include <stdint.h>
#include "engine/eng_evset.h"

typedef struct sim {
    double now;          /* days */
    uint64_t events;     /* events taken from the set so far */
    evset *pending;
    int out_of_memory;   /* set once a schedule call failed */
} sim;

int sim_init(sim *s, size_t initial_capacity);
void sim_destroy(sim *s);

/* The calls below run once or twice per event, so they are inline: each
 * saved a call and a return around the event set's own. */

static inline evset_handle sim_schedule_at(sim *s, double time, uint32_t kind, uint32_t subject)
{
    evset_handle h = evset_push(s->pending, time, kind, subject);
    if (h == EVSET_NO_HANDLE)
        s->out_of_memory = 1;
    return h;
}

/* Schedule at now + delay (delay >= 0). */
static inline evset_handle sim_schedule(sim *s, double delay, uint32_t kind, uint32_t subject)
{
    return sim_schedule_at(s, s->now + delay, kind, subject);
}

static inline int sim_cancel(sim *s, evset_handle h)
{
    return evset_cancel(s->pending, h);
}

/* Take the next event and move the clock to it; 0 when none is pending
 * (or when memory ran out bringing events forward: out_of_memory is set). */
static inline int sim_next(sim *s, evset_event *ev)
{
    if (!evset_pop(s->pending, ev)) {
        if (evset_size(s->pending) > 0)
            s->out_of_memory = 1;
        return 0;
    }
    s->now = ev->time;
    s->events++;
    return 1;
}

/* The probable next event's kind and subject (evset_peek_next): a hint for
 * prefetching. */
static inline int sim_peek_next(const sim *s, uint32_t *kind, uint32_t *subject)
{
    return evset_peek_next(s->pending, kind, subject);
}

#endif
