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

/* exits_draw with effects on the odds (model_exits.c). */
int exits_draw_effects(model_ctx *m, uint32_t s, const model_phase *ph);

/* After a casework meeting in phase ph: the destination if the case ends
 * now, else -1. The core draws "does the case end" then "where to" from
 * the exit stream; that case is inline because every meeting asks and 24
 * in 25 get -1 (the call with exits_draw_effects' frame cost 17 of its 27
 * instructions in bench_malmo). */
static inline int exits_draw(model_ctx *m, uint32_t s, const model_phase *ph)
{
    if (m->core_exits) {
        gsl_rng *r = m->stream[MODEL_STREAM_EXIT];
        if (rng_uniform(r) < ph->exit_probability)
            return draw_index(r, ph->exit_shares, m->p->destinations);
        return -1;
    }
    return exits_draw_effects(m, s, ph);
}

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
