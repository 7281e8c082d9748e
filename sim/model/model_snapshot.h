/*
 * model_snapshot.h — starting a replication from a snapshot, and taking
 * one at the horizon (model/snapshot_params.h says what a snapshot holds).
 */
#ifndef CASEFLOW_MODEL_SNAPSHOT_H
#define CASEFLOW_MODEL_SNAPSHOT_H

#include "model/model_events.h"

/* Puts the scenario's snapshot (if any) in place: after the staff have
 * taken up their posts and before the first event. Draws random numbers
 * only for snapshot rows, so an empty snapshot changes nothing. Returns 0,
 * or -1 out of memory. */
int snapshot_start(model_ctx *m);

/* Fills p->save_state with the state at the horizon, when this is the
 * replication asked for. Call before the participants are flushed.
 * Returns 0, or -1 out of memory. */
int snapshot_save(model_ctx *m);

#endif
