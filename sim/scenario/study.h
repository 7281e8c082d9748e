/*
 * io_study.h — study files in: a base scenario and its variations.
 *
 * Owns the study file (libconfig, a top-level `study` group), expanding it
 * into a flat list of scenarios — the base first, then named scenarios, then
 * the points of a full grid and of a Latin hypercube sample — and the flat
 * list of trials (scenario x replication) that runs, tasks and merges share.
 * A plain scenario file is a study of one scenario, so every run has the
 * same shape.
 *
 * Trial t is replication t % R of scenario t / R. With common random numbers
 * (the default) replication r of every scenario runs on the same seed, so
 * scenarios see the same referrals and differences between them are paired.
 */
#ifndef CASEFLOW_IO_STUDY_H
#define CASEFLOW_IO_STUDY_H

#include <stdint.h>
#include <stdio.h>
#define STUDY_MAX_PARAMS 16
#define STUDY_NAME_LEN 64
#define STUDY_KEY_LEN 128

#include "scenario/config.h"
#include "scenario/study_sobol.h"

#define STUDY_MAX_SCENARIOS 100000

typedef struct study_scenario {
    char name[STUDY_NAME_LEN];
    char *settings;          /* "key=value" lines that make it differ from the base */
    config_scenario sc;
} study_scenario;

typedef struct study {
    char *path;              /* the file given: a study or a plain scenario */
    char *text;              /* the study file's text; "" for a plain scenario */
    char name[STUDY_NAME_LEN];
    int scenario_count;
    study_scenario *scenarios;
    int replications;        /* per scenario */
    uint64_t seed;
    int common_random_numbers;
    int param_count;         /* keys set by some scenario */
    char param_keys[STUDY_MAX_PARAMS][STUDY_KEY_LEN];
    double *param_values;    /* scenario x param, the resolved value */
    uint64_t digest;         /* of every input that shapes results; task files must agree */
    /* study.reference: the scenario differences are taken against; 0 (the
     * base) with reference_name "" when the study names none. */
    int reference;
    char reference_name[STUDY_NAME_LEN];
    /* study.sensitivity: a Sobol design (scenario/study_sobol.h); its
     * enabled is 0 for every other study. */
    study_sensitivity sensitivity;
} study;

/* Loads a study file, or a scenario file as a one-scenario study; the
 * overrides apply to every scenario. Returns 0, or -1 with err filled. */
int study_load(study *st, const char *path, const char *const *overrides, int n_overrides, config_error *err);
void study_free(study *st);

/* Every scenario's resolved keys (config_resolve) as one table: the keys'
 * union K in schema order, and per scenario a row of K texts ("" where the
 * scenario lacks the key), numbers (NaN for non-numbers and absent keys)
 * and default flags. study_resolved_row fills caller arrays of K. */
typedef struct study_resolved study_resolved;
int study_resolve(const study *st, study_resolved **out, config_error *err);
size_t study_resolved_key_count(const study_resolved *r);
const char *study_resolved_key(const study_resolved *r, size_t k);
void study_resolved_row(const study_resolved *r, int scenario, const char **text, double *value,
                        unsigned char *is_default);
void study_resolved_free(study_resolved *r);

/* For `caseflow check` of a study: every scenario but the base with each
 * resolved key whose value differs from the base's (as "# " comment
 * lines). Returns 0, or -1 with err filled. */
int study_print_differences(FILE *out, const study *st, config_error *err);

/* A study of one scenario already loaded (a copy of sc), as study_load
 * makes of a plain scenario file, without reading any file. */
int study_of_scenario(study *st, const config_scenario *sc, config_error *err);

/* Sets every scenario's replications (validated as run.replications). */
int study_set_replications(study *st, int replications, config_error *err);

uint64_t study_trial_count(const study *st);
void study_trial(const study *st, uint64_t trial, int *scenario, uint32_t *replication, uint64_t *seed);

/* The task-th (0-based) of `tasks` contiguous slices of the trial list. */
void study_slice(uint64_t trials, int task, int tasks, uint64_t *first, uint64_t *count);

#endif
