/*
 * model_arrivals.h — when referrals arrive, private to sim/model.
 *
 * Owns the scheduled referral processes: the core's single Poisson source,
 * each source's Poisson process (a piecewise constant rate, thinned by the
 * referring unit's load) or monthly quota. What a referral becomes (a
 * participant, screened, waiting or assigned) is event handling; the
 * referrals that exits cause (replacement, relapse) are scheduled where the
 * exit happens.
 */
#ifndef CASEFLOW_MODEL_ARRIVALS_H
#define CASEFLOW_MODEL_ARRIVALS_H

#include "model/model_ctx.h"

/* Referrals the scenario's processes are expected to make over the
 * horizon: rates (or quotas) times months, the referring units' throttle
 * ignored (it only lowers them); referrals caused by exits not counted. */
double arrivals_expected(const model_params *p);

/* Schedules each source's first referral (or first quota month). */
void arrivals_start(model_ctx *m);

/* After a referral event of `source`: schedules its next referral. */
void arrivals_next(model_ctx *m, int source);

/* A quota month of `source` begins: schedules the month's referrals,
 * spread over it, and the next quota month. */
void arrivals_quota_month(model_ctx *m, int source);

#endif
