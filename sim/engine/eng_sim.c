/*
 * eng_sim.c — setting the simulation context up and down (the per-event
 * calls are inline in eng_sim.h).
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
