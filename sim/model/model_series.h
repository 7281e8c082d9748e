/*
 * model_series.h — what a run reports month by month, private to sim/model.
 *
 * Owns the storage of the monthly series (their layout is public, in
 * model_casework.h), the month-end snapshot, the start of measurement
 * after warm-up, and targets read at their deadlines.
 */
#ifndef CASEFLOW_MODEL_SERIES_H
#define CASEFLOW_MODEL_SERIES_H

#include "model/model_staff.h"

/* Allocates the series of the scenario's layout; -1 when out of memory
 * (what was allocated is freed by model_result_free). */
int series_alloc(model_series *s, const model_params *p);

/* The end of month `month`: records the month's values, restarts the
 * month's counts, begins measuring when warm-up ends and records targets
 * whose deadline falls in the month. */
void series_month_end(model_ctx *m, int month);

/* Target t's value so far (count or share of exits). */
double series_target_value(const model_ctx *m, const model_target *t);

#endif
