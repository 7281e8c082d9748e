/*
 * model_participants.h — participant slots, private to sim/model.
 *
 * Owns the array of participants present: a slot for each referral,
 * reused once its participant is gone (a free list), the record handed to
 * the sink when it is final, and the hand-over of those still present at
 * the horizon.
 */
#ifndef CASEFLOW_MODEL_PARTICIPANTS_H
#define CASEFLOW_MODEL_PARTICIPANTS_H

#include "model/model_ctx.h"

/* A slot for a new referral from `source` at the current time, its record
 * started (id, times NaN, no worker, no profile yet). NO_SLOT when memory
 * ran out (the engine's out_of_memory flag is then set) or when the new
 * participant would pass the memory guard, m->present_limit (over_limit
 * is then set). */
uint32_t participants_new(model_ctx *m, int source, int relapse);

/* Participant s is gone (or the horizon came): their record goes to the
 * sink and the slot to the free list. */
void participants_release(model_ctx *m, uint32_t s);

/* Releases everyone still present, in referral order. */
void participants_flush(model_ctx *m);

#endif
