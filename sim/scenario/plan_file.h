/*
 * plan_file.h — plan files in: the question `caseflow plan` answers.
 *
 * Owns the plan file (libconfig, a top-level `plan` group): a base scenario,
 * the decision variables (a numeric scenario key, list-item keys included,
 * on a grid lower..upper by step; integer when all three are written as
 * integers; optionally declared monotone), the constraints on outputs (a
 * metric with at_most or at_least a bound; with `probability` a chance
 * constraint on the share of replications meeting the bound, without it a
 * constraint on the metric's mean), the objective (staff_cost, fte, posts
 * or a metric to minimise or maximise), the sequential sampling settings
 * (replications to start with, per stage, at most; the error rate alpha)
 * and optional named scenarios, each a list of "key=value" settings on the
 * base, each planned on its own. Bad files are refused like scenario
 * files: one line, file:line: key: what was expected.
 *
 * Metric names are kept as text here: which metrics a scenario reports is
 * the output layer's knowledge, so the plan command checks them.
 */
#ifndef CASEFLOW_PLAN_FILE_H
#define CASEFLOW_PLAN_FILE_H

#include <stdint.h>
#include "scenario/config.h"

#define PLAN_MAX_VARIABLES 8
#define PLAN_MAX_CONSTRAINTS 8
#define PLAN_MAX_SCENARIOS 8
#define PLAN_MAX_SETTINGS 16
#define PLAN_MAX_POINTS 20000
#define PLAN_KEY_LEN 128
#define PLAN_METRIC_LEN 80
#define PLAN_NAME_LEN 64

/* What a variable's direction promises about every constraint. */
enum plan_monotone { PLAN_NOT_MONOTONE = 0, PLAN_MORE_IS_BETTER = 1, PLAN_LESS_IS_BETTER = 2 };
/* The constraint's bound is met by metric <= bound (at_most) or >= (at_least). */
enum plan_kind { PLAN_CHANCE = 0, PLAN_MEAN = 1 };
enum plan_objective_kind { PLAN_OBJ_STAFF_COST = 0, PLAN_OBJ_FTE, PLAN_OBJ_POSTS, PLAN_OBJ_METRIC };

typedef struct plan_variable {
    char key[PLAN_KEY_LEN];
    double lower, upper, step;
    int integer;        /* lower, upper and step written as integers */
    int monotone;       /* enum plan_monotone */
    int values;         /* grid values: lower, lower + step, ... <= upper */
    int line;
} plan_variable;

typedef struct plan_constraint {
    char metric[PLAN_METRIC_LEN];
    int kind;           /* enum plan_kind */
    int at_most;        /* 1: metric <= bound; 0: metric >= bound */
    double bound;
    double probability; /* PLAN_CHANCE: the share of replications that must meet the bound */
    int line;
} plan_constraint;

typedef struct plan_scenario {
    char name[PLAN_NAME_LEN];
    int setting_count;
    char *setting[PLAN_MAX_SETTINGS]; /* "key=value", as -s */
    config_scenario sc;               /* the base with the settings */
} plan_scenario;

typedef struct plan_spec {
    char *path;              /* the plan file, as given */
    char *base;              /* the base scenario, relative to the working directory */
    uint64_t seed;
    int min_replications;    /* the first stage at every point */
    int step_replications;   /* added per stage */
    int max_replications;    /* at most, per point */
    double alpha;            /* the error rate shared by every decision of one scenario's plan */
    int variable_count;
    plan_variable variable[PLAN_MAX_VARIABLES];
    int constraint_count;
    plan_constraint constraint[PLAN_MAX_CONSTRAINTS];
    int objective;           /* enum plan_objective_kind */
    int maximise;            /* PLAN_OBJ_METRIC: maximise rather than minimise */
    char objective_metric[PLAN_METRIC_LEN];
    int objective_line;
    int scenario_count;      /* at least 1 (the base, named "base") */
    plan_scenario scenario[PLAN_MAX_SCENARIOS];
    long points;             /* grid points per scenario */
} plan_spec;

/* Reads and validates a plan file and its base scenario; every scenario's
 * settings and every variable's bounds are tried on the base. Returns 0, or
 * -1 with err->message one line: file:line: key: what was expected. */
int plan_load(plan_spec *ps, const char *path, config_error *err);
void plan_free(plan_spec *ps);

/* The value of variable v at grid index i. */
double plan_value(const plan_variable *v, int i);

/* The settings that make grid point `point` (mixed radix, the first
 * variable slowest): "key=value" lines into buf (size each), count returned. */
int plan_point_settings(const plan_spec *ps, long point, char lines[][PLAN_KEY_LEN + 40]);

/* Grid indices of point (idx must hold variable_count). */
void plan_point_indices(const plan_spec *ps, long point, int *idx);

#endif
