/*
 * model_handover.h — what happens at the programme's edges to others,
 * private to sim/model: the successor project that takes the stock at the
 * close, and receivers of onward exits with a limited intake.
 *
 * Owns the bookkeeping of both (who is eligible, how much room is left,
 * who waits for a receiver and since when, the counts); moving a person out
 * of caseload, queues and measures is event handling (model_casework.c).
 * Nothing here draws random numbers: rooms are deterministic and the order
 * is referral order (the successor) or first come first served (receivers).
 */
#ifndef CASEFLOW_MODEL_HANDOVER_H
#define CASEFLOW_MODEL_HANDOVER_H

#include "model/model_ctx.h"

/* Before the run: receivers by destination, this month's rooms. Only
 * called when the scenario has a successor or receivers. */
void handover_setup(model_ctx *m);

/* Frees the receivers' queues. */
void handover_free(model_ctx *m);

/* An exit to d is about to happen: -1 when d has no receiver or its
 * receiver has room this month (the room is then used), else the receiver
 * that is full. */
int receivers_full(model_ctx *m, int d);

/* Participant s (NO_SLOT: someone who has already left, between chairs)
 * waits for receiver r from now. -1 when out of memory (flag set). */
int receivers_wait(model_ctx *m, int r, uint32_t s, uint64_t id);

/* The start of month `month` (its index; at the end of month - 1): every
 * receiver gets that month's room. */
void receivers_month_start(model_ctx *m, int month);

/* The next person in the programme receiver r takes now (room used,
 * counted and timed), NO_SLOT when it has no room or nobody waits. Those
 * waiting outside are taken (counted and timed) on the way. */
uint32_t receivers_take_next(model_ctx *m, int r);

/* Fills slots (capacity m->present entries) with those the successor takes
 * at this month end, in referral order; returns how many and uses the
 * room. Called from the close's month end on. */
size_t successor_pick(model_ctx *m, int month, uint32_t *slots);

/* Participant s goes on to the successor now: their record and the counts
 * (the caller has taken them out of lists and caseloads). */
void successor_record(model_ctx *m, uint32_t s, int was_waiting);

/* At the horizon: those still waiting for a receiver, and those present at
 * the close whom the successor has not taken. */
void handover_finish(model_ctx *m);

#endif
