/*
 * model_profile_exits.c — exit shares that differ by profile.
 *
 * Reports give destination shares by group (MIA by gender, 001 l.335:
 * men 13 % to municipal measures against women's 12 %, although men go to
 * work more often). Readiness alone cannot say that: it raises the good
 * destinations against all others together, so every other destination
 * falls in the same proportion. A profile's exit_weights multiply the
 * phase's share of each named destination (1 for the others) and the
 * weights are rescaled to their previous total, so a profile's chance of
 * leaving per meeting is what readiness and the phase make it and only the
 * split between destinations moves. The alternative, factors on the
 * per-destination chances without rescaling, would also make the profile
 * leave faster or slower, mixing two effects a report separates.
 * No random numbers are drawn here.
 */
#include "model/model_profile_exits.h"

/* A profile's maximum time in the programme (FK clients and newcomers may
 * have different limits in one project). Replaces, not scales, the
 * programme's limit, so a profile can also have a limit where the
 * programme has none. */
double profile_max_months(const model_params *p, int i)
{
    if (p->profiles > 0 && p->profile[i].max_months > 0)
        return p->profile[i].max_months;
    return p->max_months;
}

void profile_exits_reweight(const model_params *p, int i, double *weight, double total)
{
    const model_profile *pr = &p->profile[i];
    double after = 0;
    for (int d = 0; d < p->destinations; d++) {
        weight[d] *= pr->exit_weight[d];
        after += weight[d];
    }
    if (!(after > 0))
        return;
    for (int d = 0; d < p->destinations; d++)
        weight[d] *= total / after;
}
