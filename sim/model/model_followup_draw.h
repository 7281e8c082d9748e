/*
 * model_followup_draw.h — drawing one leaver's follow-up along the curve,
 * private to sim/model.
 */
#ifndef CASEFLOW_MODEL_FOLLOWUP_DRAW_H
#define CASEFLOW_MODEL_FOLLOWUP_DRAW_H

#include "model/model_ctx.h"
#include "model/model_followup.h"

/* Follow-up of the participant in slot s, who left to destination d, when
 * the scenario names its own months: the 12- and 24-month states (records,
 * counts, relapse) as exits_follow_up gives them, plus the named months'
 * counts. Reads and writes the slot's record only. lift (the method's
 * retention lever, 0 off) moves each point's share a that far towards 1:
 * a + (1 - a) * lift. */
void followup_curve_draw(model_ctx *m, uint32_t s, int d, double lift);

#endif
