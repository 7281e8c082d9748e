/*
 * model_exits.h — how cases end and what follows, private to sim/model.
 *
 * Owns the exit draws (per meeting, and on completing the last phase), the
 * counts and statistics an exit adds to, follow-up at 12 and 24 months, and
 * the referrals an exit causes: replacements from the participant's source
 * and relapses. Taking the participant out of caseload, queues and
 * measures is event handling.
 */
#ifndef CASEFLOW_MODEL_EXITS_H
#define CASEFLOW_MODEL_EXITS_H

#include "model/model_staff.h"

/* After a casework meeting in phase ph: the destination if the case ends
 * now, else -1. */
int exits_draw(model_ctx *m, uint32_t s, const model_phase *ph);

/* Where completing the last phase ph leads, for participant s. */
int exits_draw_completion(model_ctx *m, uint32_t s, const model_phase *ph);

/* Participant pp exits now to destination d: their record, the run's
 * counts, and the statistics of those assigned after warm-up. */
void exits_record(model_ctx *m, uint32_t s, int d);

/* Follow-up of pp, who exited to d: in work or studies at 12 and 24 months
 * (raised by the method's retention lever for a good destination) and,
 * when out at 12 months, perhaps a relapse referral then. */
void exits_follow_up(model_ctx *m, uint32_t s, int d);

/* The replacement referrals an exit of one of source's participants
 * causes, scheduled now so they arrive after the exit is complete. */
void exits_replace(model_ctx *m, int source);

#endif
