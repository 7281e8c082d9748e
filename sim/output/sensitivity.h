/*
 * sensitivity.h — the Sobol indices of a sensitivity study, from its summaries.
 *
 * Owns turning a finished sensitivity study (scenario/study_sobol.h) into
 * indices and storing them: each design point's output is its scenario's
 * mean over replications in /summary (so the run and a merge of task files,
 * which summarise with the same code, give the same indices), fed to
 * engine/eng_sobol.h; the result goes into the file's /sensitivity group
 * (docs/OUTPUT.md). The base scenario (0) is not part of the design.
 */
#ifndef CASEFLOW_SENSITIVITY_H
#define CASEFLOW_SENSITIVITY_H

#include <stddef.h>
#include <hdf5.h>
#include "engine/eng_sobol.h"
#include "model/model_params.h"
#include "output/results.h"
#include "scenario/study_sobol.h"

typedef struct sensitivity_result {
    study_sensitivity spec;
    double variance[SENSITIVITY_MAX_METRICS];
    double mean[SENSITIVITY_MAX_METRICS];
    sobol_index index[SENSITIVITY_MAX_METRICS][SOBOL_MAX_INPUTS];
} sensitivity_result;

/* 0 when every metric the spec names is a metric of scenarios shaped like
 * p (results_metric_info_for); else -1 with msg naming the first unknown one
 * and the metrics there are. Run before the study, so a typo costs nothing. */
int sensitivity_check_metrics(const study_sensitivity *spec, const model_params *p, char *msg, size_t size);

/* The indices from the summaries of `scenarios` scenarios (results_summarise
 * order: scenario-major, the same metrics for each). Returns 0, or -1 with
 * msg (a metric missing from the summaries, out of memory). */
int sensitivity_compute(const study_sensitivity *spec, const results_summary *sum, size_t ns, int scenarios,
                        sensitivity_result *out, char *msg, size_t size);

/* Writes /sensitivity into the open file. Returns 0 or -1. */
int sensitivity_write(hid_t file, const sensitivity_result *r);

/* The estimator's description stored with the indices and printed. */
extern const char sensitivity_estimator[];

#endif
