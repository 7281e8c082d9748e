/*
 * model_followup.h — the follow-up curve: the share of a destination's
 * leavers in work or studies m months after exit, from the points a
 * scenario names (exits.followup.months). Public: the scenario loader
 * reads the 12- and 24-month shares from it.
 */
#ifndef CASEFLOW_MODEL_FOLLOWUP_H
#define CASEFLOW_MODEL_FOLLOWUP_H

#include "model/model_params.h"

/* The curve's share for destination d at `month` (> 0) after exit; NaN if
 * d is not followed. Uses p->followup_points, followup_month, retained_at,
 * followup_after_last and good_destinations (the share at exit). */
double followup_share(const model_params *p, int d, double month);

#endif
