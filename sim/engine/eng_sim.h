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

/* Schedule at now + delay (delay >= 0). */
evset_handle sim_schedule(sim *s, double delay, uint32_t kind, uint32_t subject);
evset_handle sim_schedule_at(sim *s, double time, uint32_t kind, uint32_t subject);
int sim_cancel(sim *s, evset_handle h);

/* Take the next event and move the clock to it; 0 when none is pending. */
int sim_next(sim *s, evset_event *ev);

#endif
