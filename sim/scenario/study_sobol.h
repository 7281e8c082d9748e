/*
 * study_sobol.h — the `sensitivity` study kind: a Sobol design over key ranges.
 *
 * Owns reading study.sensitivity and turning the Saltelli design of
 * engine/eng_sobol.h into scenarios: design point p becomes a scenario
 * setting every chosen key to min + u (max - min), named sobol<j>.A,
 * sobol<j>.B or sobol<j>.AB<i> (block j, input i counted from 1). The design
 * is the study's scenario list, so --task/--tasks, resume and merge work as
 * for any study, and with common random numbers (the default) replication r
 * of every design point runs on the same seed: the indices measure the
 * inputs' effect, not the noise between streams. The indices are computed
 * after the run from each design point's mean over its replications
 * (output/sensitivity.h).
 *
 *   study: { base = "..."; replications = 2;
 *     sensitivity = { n = 256; seed = 3; bootstrap = 1000;
 *       keys = ( { key = "referrals.rate_per_month"; min = 30; max = 50; }, ... );
 *       metrics = [ "wait_mean_days", ... ]; }; };
 *
 * A sensitivity study has no named scenarios, grid or Latin hypercube: the
 * base is scenario 0 and the design follows it (first_scenario = 1).
 */
#ifndef CASEFLOW_STUDY_SOBOL_H
#define CASEFLOW_STUDY_SOBOL_H

#include <stdint.h>
#include <libconfig.h>
#include "engine/eng_sobol.h"
#include "scenario/config.h"

#define SENSITIVITY_MAX_METRICS 16
#define SENSITIVITY_MAX_KEYS 16 /* a study's STUDY_MAX_PARAMS; below SOBOL_MAX_INPUTS */
#define SENSITIVITY_NAME_LEN 128
#define SENSITIVITY_DEFAULT_BOOTSTRAP 1000

typedef struct study_sensitivity {
    int enabled;
    int n;                   /* blocks: the design has n (k + 2) points */
    int k;                   /* inputs */
    int bootstrap;           /* resamples for the intervals */
    uint64_t seed;           /* of the design's shift and the bootstrap */
    int first_scenario;      /* the scenario of design point 0 */
    char keys[SOBOL_MAX_INPUTS][SENSITIVITY_NAME_LEN];
    double min[SOBOL_MAX_INPUTS], max[SOBOL_MAX_INPUTS];
    int metric_count;
    char metrics[SENSITIVITY_MAX_METRICS][SENSITIVITY_NAME_LEN];
} study_sensitivity;

/* Reads the study.sensitivity group g of the study file at path. Returns 0,
 * or -1 with err naming the file, line and key. */
int study_sobol_read(const char *path, const config_setting_t *g, study_sensitivity *spec, config_error *err);

/* The design's points (sobol_design_points(n, k) rows of k values in the
 * keys' ranges, malloc'ed into *values). Returns 0 or -1 (out of memory). */
int study_sobol_values(const study_sensitivity *spec, double **values);

/* The name of design point p ("sobol12.AB3"). */
void study_sobol_point_name(const study_sensitivity *spec, size_t p, char *name, size_t size);

/* The spec of a stored study text (the file's study_text), as merge needs it
 * to compute the indices of merged task files. *spec is zeroed (enabled 0)
 * when the text has no study.sensitivity. Returns 0, or -1 with err. */
int study_sobol_from_text(const char *text, study_sensitivity *spec, config_error *err);

#endif
