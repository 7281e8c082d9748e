/*
 * eng_sim.c — clock and scheduling on top of the event set.
 */
#include "engine/eng_sim.h"

int sim_init(sim *s, size_t initial_capacity)
{
    s->now = 0.0;
    s->events = 0;
    s->out_of_memory = 0;
    s->pending = evset_alloc(initial_capacity);
    return s->pending ? 0 : -1;
}

void sim_destroy(sim *s)
{
    evset_free(s->pending);
    s->pending = NULL;
}

evset_handle sim_schedule_at(sim *s, double time, uint32_t kind, uint32_t subject)
{
    evset_handle h = evset_push(s->pending, time, kind, subject);
    if (h == EVSET_NO_HANDLE)
        s->out_of_memory = 1;
    return h;
}

evset_handle sim_schedule(sim *s, double delay, uint32_t kind, uint32_t subject)
{
    return sim_schedule_at(s, s->now + delay, kind, subject);
}

int sim_cancel(sim *s, evset_handle h)
{
    return evset_cancel(s->pending, h);
}

int sim_next(sim *s, evset_event *ev)
{
    if (!evset_pop(s->pending, ev)) {
        if (evset_size(s->pending) > 0)
            s->out_of_memory = 1; /* events pending but none could be brought forward */
        return 0;
    }
    s->now = ev->time;
    s->events++;
    return 1;
}
