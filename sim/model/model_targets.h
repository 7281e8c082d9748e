/*
 * model_targets.h — what a share target divides by, private to sim/model.
 */
#ifndef CASEFLOW_MODEL_TARGETS_H
#define CASEFLOW_MODEL_TARGETS_H

#include "model/model_ctx.h"

/* Share target t's value: `counted` exits to its destinations over its
 * denominator (`all` is every exit so far); 0 while the denominator is 0. */
double targets_share(const model_ctx *m, const model_target *t, uint64_t counted, uint64_t all);

#endif
