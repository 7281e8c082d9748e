/*
 * model_targets.c — the denominators of share targets.
 *
 * Reports state shares of different groups, and a target only means what
 * the report means if it divides by the same group:
 *   exits         everyone who left by the deadline (the default, and the
 *                 only choice before denominators existed);
 *   completers    those who left to the destinations the target names as
 *                 completing the programme (Etableringslyftet's 94 % is of
 *                 the 461 who completed, not of everyone who left);
 *   enrolled      everyone who started by the deadline, those still in the
 *                 programme included (MIA's 14 % and 42 % are of all 2 234
 *                 registered, the 19 % who went on to MIA Vidare included);
 *   in_programme  everyone who left or is present at the deadline, the
 *                 waiting list included: the enrolled plus those referred
 *                 and still waiting for a first meeting.
 * The value is read at the deadline's month end, so the stock is the stock
 * at the deadline. Nothing here draws random numbers.
 */
#include "model/model_targets.h"

double targets_share(const model_ctx *m, const model_target *t, uint64_t counted, uint64_t all)
{
    uint64_t base = all;
    switch (t->denominator) {
    case TARGET_OF_COMPLETERS:
        base = 0;
        for (int d = 0; d < m->p->destinations; d++)
            if ((t->completers >> d) & 1)
                base += m->exits_to[d];
        break;
    case TARGET_OF_ENROLLED:
        base = m->enrolled;
        break;
    case TARGET_OF_IN_PROGRAMME:
        base = all + (uint64_t)m->active + m->waiting_count;
        break;
    default:
        break;
    }
    return base ? (double)counted / (double)base : 0.0;
}
