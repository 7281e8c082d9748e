/*
 * model_events.h — the event handlers of a replication, private to
 * sim/model (implemented in model_casework.c).
 *
 * The handlers are where mechanisms meet: a referral is screened and
 * assigned or waits, a meeting ends in an exit or a phase change, an exit
 * frees a caseload slot for the head of the waiting list, a departure
 * hands a caseload on. They call into every mechanism file and none of
 * those calls back, which keeps the includes free of cycles.
 */
#ifndef CASEFLOW_MODEL_EVENTS_H
#define CASEFLOW_MODEL_EVENTS_H

#include "model/model_ctx.h"

/* Staff in post at time 0 take up their posts; later starts (ramp-up) are
 * scheduled. */
void casework_start_staff(model_ctx *m);

/* Staffing over time (model_staffplan.c decides when): post w opens, as a
 * ramp-up start does; post w ends for good, its participants handed on as
 * staff.turnover.on_leave says (to colleagues with room, else back to the
 * waiting list); the waiting list fills whatever room there is. */
void casework_post_start(model_ctx *m, int w);
void casework_post_close(model_ctx *m, int w);
void casework_fill(model_ctx *m);
/* Gives free places to the head of the waiting list while anyone has room
 * (a snapshot may start with both). */
void casework_fill_free_slots(model_ctx *m);

/* Handles one event taken from the engine. */
void casework_handle(model_ctx *m, const evset_event *ev);

#endif
