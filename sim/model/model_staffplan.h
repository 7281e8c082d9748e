/*
 * model_staffplan.h — staffing that changes over time, private to
 * sim/model (implemented in model_staffplan.c).
 *
 * Posts that end (a funding cliff), posts a plan opens or closes at given
 * months, caseload caps and meeting hours from given months, measure places
 * from given months, and rules that open or close posts by the length of
 * the waiting list. Off (and drawing no random numbers) unless a scenario
 * gives one of them: staff_plan_wanted in model_staff.h says which.
 */
#ifndef CASEFLOW_MODEL_STAFFPLAN_H
#define CASEFLOW_MODEL_STAFFPLAN_H

#include "model/model_events.h"

/* After staff_setup, before anyone starts: the caps and hours in force and
 * the planned posts' slots (team, role, FTE). Nothing when off. */
void staffplan_setup(model_ctx *m);

/* After the staff and measures have started: changes at month 0 apply now,
 * later ones are scheduled as EV_STAFF_PLAN events. Nothing when off. */
void staffplan_start(model_ctx *m);

/* An EV_STAFF_PLAN event. */
void staffplan_handle(model_ctx *m, uint32_t action);

/* The staffing rules' check at a month end (after its snapshot). */
void staffplan_month_end(model_ctx *m, int month);

#endif
