/*
 * model_measures.h — places in external measures, private to sim/model.
 *
 * Owns the places of each measure (work practice, training ...): a phase
 * may place its participants in one; a place is taken at once when free,
 * else the participant queues for it, first come first served, while their
 * casework goes on. What ending a place leads to (an exit, more casework)
 * is event handling.
 */
#ifndef CASEFLOW_MODEL_MEASURES_H
#define CASEFLOW_MODEL_MEASURES_H

#include "model/model_ctx.h"

/* What asking for a place gave. */
enum measure_request {
    MEASURE_NONE,    /* no measure in this phase, or it is closed now */
    MEASURE_HELD,    /* a place is held for the participant (counted as used) */
    MEASURE_QUEUED,  /* in line for the next free place */
    MEASURE_FAILED   /* out of memory (the engine's flag is set) */
};

/* Participant s, entering a phase whose measure is k (-1: none), asks for
 * a place. The one place in the model where that is decided. */
enum measure_request measures_request(model_ctx *m, uint32_t s, int k);

/* Participant s takes up the place held for them in measure k. */
void measures_start(model_ctx *m, uint32_t s, int k);

/* Participant s gives up the place they hold or use in their phase's
 * measure (it ended, or they left); the place goes to the next in line. */
void measures_release(model_ctx *m, uint32_t s);

/* Hands free places of measure k to those still waiting for them. */
void measures_fill(model_ctx *m, int k);

/* Schedules the opening of measures that open after time 0. */
void measures_schedule_openings(model_ctx *m);

#endif
