/*
 * eng_dist.h — parametrised probability distributions for durations.
 *
 * Owns the distribution kinds a scenario can name and how each is sampled
 * through GSL. Parameters are stored as users state them (mean and standard
 * deviation rather than shape and scale) because that is how reports give
 * durations; the conversion happens once, in dist_make.
 */
#ifndef CASEFLOW_ENG_DIST_H
#define CASEFLOW_ENG_DIST_H

#include <gsl/gsl_rng.h>

typedef enum dist_kind {
    DIST_EXPONENTIAL,   /* mean */
    DIST_DETERMINISTIC, /* value (may be 0) */
    DIST_UNIFORM,       /* min, max */
    DIST_GAMMA,         /* mean, sd */
    DIST_LOGNORMAL,     /* mean, sd */
    DIST_KIND_COUNT
} dist_kind;

typedef struct dist {
    dist_kind kind;
    double p1, p2;       /* as the user gave them (see dist_kind) */
    double g1, g2;       /* GSL's own parameters, derived */
} dist;

/* Name as written in configs ("exponential", ...); NULL if out of range. */
const char *dist_kind_name(dist_kind kind);
/* Returns -1 for an unknown name. */
int dist_kind_from_name(const char *name);
/* Names of the parameters this kind takes (second may be NULL). */
void dist_param_names(dist_kind kind, const char **first, const char **second);

/* Fills *d; returns NULL on success or a static text saying what is wrong
 * with the parameters. */
const char *dist_make(dist *d, dist_kind kind, double p1, double p2);

double dist_sample(const dist *d, gsl_rng *r);
double dist_mean(const dist *d);

#endif
