/*
 * calibrate.h — fitting scenario parameters to observed figures.
 *
 * Owns calibration files (libconfig, a top-level `calibrate` group): a base
 * scenario, the parameters to fit (a numeric key path with lower and upper
 * bounds and a start), the observed figures to fit them to (a metric name as
 * results_metric_info_for names it, the observed value, a weight or a
 * standard error), and the search's tolerance and iteration limit. Bad files
 * are refused like scenario files: one line, file:line: key: what was
 * expected.
 *
 * The fit minimises a weighted distance between simulated and observed
 * figures with GSL's Nelder–Mead simplex (nmsimplex2). Every evaluation runs
 * the same replications on the same seeds (common random numbers), so the
 * distance is a deterministic function of the parameters and the same
 * whatever the number of threads. The simplex works on unbounded internal
 * coordinates z, mapped to each parameter's bounds by MINUIT's transform
 *     x = lower + (upper - lower) (1 + sin z) / 2,
 * which reaches a bound at a finite z: a fit that wants to sit on a bound
 * converges there instead of drifting off to infinity as it would under a
 * logistic map, and the bound can then be detected and named.
 *
 * Under fixed seeds the distance is piecewise constant at fine scales (a
 * slightly different probability changes the outcome of a few draws), and
 * Nelder–Mead cycles on exact ties; a pull of 1e-10 x (squared distance from
 * the start, in shares of each range) breaks them. The search stops when the
 * simplex spans less than `tolerance` of every range, or when it has found
 * nothing better for 10 (n + 1) + 10 iterations (a plateau), then restarts
 * once with a smaller simplex at the best point, within max_iterations in
 * all.
 *
 * Distance: the sum over figures of weight * ((simulated - observed) / s)^2,
 * where s is the figure's standard error when `se` is given (weight 1), else
 * |observed| (a relative error; 1 when observed is 0).
 *
 * A figure is reached when |simulated - observed| is within its `tolerance`,
 * or, without one, within the combined 95 % half-width
 * sqrt(h^2 + (1.96 se)^2) of the simulated mean's CI (h) and the observed
 * value (se, 0 when not given). When a figure is not reached the fit is
 * refused (calibrate_command exits 7, nothing written), one line per figure:
 * with the parameters that sit on a bound (within 0.1 % of the range; one
 * within 5 % is moved onto the bound when the bound fits as well), "cannot
 * be reached within the parameter bounds"; with none, that the figures
 * cannot be met together, or that the search did not converge.
 *
 * Exit shares: a share exits.shares.NAME can be fitted; the shares
 * not fitted take the rest (1 minus the fitted ones) in the proportions of
 * the base, so the shares always sum to 1. The fitted shares' upper bounds
 * may sum to at most 1, and at least one destination must be left free.
 */
#ifndef CASEFLOW_CALIBRATE_H
#define CASEFLOW_CALIBRATE_H

#include <stdint.h>
#include <stdio.h>

#include "scenario/config.h"
#include "output/results.h"
#include "output/exit_codes.h"

#define CALIBRATE_MAX_PARAMS 16
#define CALIBRATE_MAX_TARGETS 32
#define CALIBRATE_KEY_LEN 128

typedef struct calibrate_param {
    char key[CALIBRATE_KEY_LEN];  /* e.g. exits.probability_per_meeting, exits.shares.work */
    double lower, upper, start;
    double base_value;            /* in the base scenario */
    int share;                    /* destination index when the key is exits.shares.NAME, else -1 */
    int line;                     /* in the calibration file */
} calibrate_param;

typedef struct calibrate_target {
    char metric[RESULTS_NAME_LEN];
    double observed;
    double weight;                /* 1 unless given */
    double se;                    /* NaN when not given */
    double tolerance;             /* NaN when not given */
    int line;
} calibrate_target;

typedef struct calibrate_spec {
    char *path;                   /* the calibration file, as given */
    char *base;                   /* the base scenario, relative to the working directory */
    int replications;             /* per evaluation */
    uint64_t seed;
    double tolerance;             /* simplex size, as a share of each parameter's range */
    int max_iterations;
    int param_count;
    calibrate_param param[CALIBRATE_MAX_PARAMS];
    int target_count;
    calibrate_target target[CALIBRATE_MAX_TARGETS];
    config_scenario base_sc;      /* the base as loaded (no overrides) */
} calibrate_spec;

/* One figure at one point: the simulated mean and its 95 % CI. */
typedef struct calibrate_figure {
    double mean, ci_low, ci_high;
    double misfit;                /* mean - observed */
    double allowed;               /* largest |misfit| that counts as reached */
    int reached;
} calibrate_figure;

typedef struct calibrate_result {
    double fitted[CALIBRATE_MAX_PARAMS];
    int at_bound[CALIBRATE_MAX_PARAMS];   /* -1 lower, +1 upper, 0 inside */
    calibrate_figure figure[CALIBRATE_MAX_TARGETS];
    double distance;
    int iterations, evaluations;
    uint64_t trials;
    int converged;                /* the simplex shrank below the tolerance */
    double seconds;
    int unreachable;              /* some figure is not reached */
    char message[4096];           /* when unreachable: one line per figure not reached */
} calibrate_result;

/* Reads and validates a calibration file and its base scenario (each
 * parameter's start, lower and upper bound is tried on the base). Returns 0,
 * or -1 with err->message one line: file:line: key: what was expected. */
int calibrate_load(calibrate_spec *cs, const char *path, config_error *err);
void calibrate_free(calibrate_spec *cs);

/* The keys and values that set the parameters to x (shares not fitted
 * rescaled); keys and values must hold CALIBRATE_MAX_SETTINGS. Returns the
 * count. */
#define CALIBRATE_MAX_SETTINGS (CALIBRATE_MAX_PARAMS + 16)
int calibrate_settings(const calibrate_spec *cs, const double *x, char keys[][CALIBRATE_KEY_LEN], double *values);

/* Simulates the base with the parameters at x (cs->replications on the
 * fixed seeds) and fills one figure per target and the distance. Returns 0;
 * 1 when x does not make a valid scenario (err says why, distance is
 * +huge); -1 on an internal failure (err says why). */
int calibrate_evaluate(const calibrate_spec *cs, const double *x, int threads, calibrate_figure *figures,
                       double *distance, char *err, size_t err_size);

/* Fits the parameters. progress: one line per iteration, or NULL. Returns
 * 0 (res->unreachable says whether every figure was reached), or -1 on an
 * internal failure with err filled. */
int calibrate_fit(const calibrate_spec *cs, int threads, FILE *progress, calibrate_result *res, char *err,
                  size_t err_size);

/* Prints the fitted values and each figure's misfit. */
void calibrate_report(FILE *out, const calibrate_spec *cs, const calibrate_result *res);

/* Writes the calibrated scenario: the base's settings with the fitted
 * values set (every key written out, comments replaced by a header saying
 * where it came from), loadable with `caseflow run`. Written to a temporary
 * file beside `out`, checked by loading it, then renamed, so nothing is left
 * under the final name on failure. Refuses an existing file unless force,
 * and never replaces the base or the calibration file. Returns CF_EXIT_OK,
 * or with err filled CF_EXIT_OUTPUT (cannot write, or refused) or
 * CF_EXIT_INTERNAL (the written scenario does not load back as fitted). */
int calibrate_write(const calibrate_spec *cs, const calibrate_result *res, const char *out, int force,
                    char *err, size_t err_size);

/* 1 when paths a and b name the same existing file: calibrate never writes
 * over its own inputs. */
int calibrate_same_file(const char *a, const char *b);

/* `caseflow calibrate CALIB.cfg [-o OUT.cfg] [--threads N] [--force]
 * [--quiet]`; argv as main's (argv[1] is "calibrate"). Writes the report to
 * stdout and messages to stderr; returns a CF_EXIT_* code: 0, 1 (out of
 * memory, a thread could not start, a trial failed), 2 (bad usage, bad
 * calibration file or base scenario), 3 (output exists without --force or
 * cannot be written), 7 (a figure cannot be reached within the bounds;
 * nothing written). Without -o the output is results/<CALIB name>.cfg. */
int calibrate_command(int argc, char **argv);
/* The same, with the report and the messages going to out and errout. */
int calibrate_command_io(int argc, char **argv, FILE *out, FILE *errout);

#endif
