/*
 * model_profile_exits.h — exit shares by profile, private to sim/model.
 */
#ifndef CASEFLOW_MODEL_PROFILE_EXITS_H
#define CASEFLOW_MODEL_PROFILE_EXITS_H

#include "model/model_params.h"

/* Multiplies each destination's weight by profile i's factor and rescales
 * so the weights still sum to `total` (the chance of leaving per meeting is
 * unchanged; only where people go moves). */
void profile_exits_reweight(const model_params *p, int i, double *weight, double total);

/* The time limit of a participant of profile i, in months: the profile's
 * own (profiles.[].max_months) or else programme.max_months; 0: none. */
double profile_max_months(const model_params *p, int i);

#endif
