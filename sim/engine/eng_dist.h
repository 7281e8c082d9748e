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

#include <math.h>
#include <gsl/gsl_rng.h>

#include "engine/eng_rng.h"
#include "engine/eng_ziggurat.h"

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
    zig_gamma gamma;     /* the gamma sampler's constants (DIST_GAMMA) */
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

/* The kinds GSL samples (lognormal; all kinds, as GSL draws them, for
 * comparison); dist_sample calls it for the lognormal. */
double dist_sample_gsl(const dist *d, gsl_rng *r);

/* A draw from r, which must come from rng_alloc. Inline, because every
 * meeting and every stretch of own time draws one: the exponential by the
 * ziggurat (eng_ziggurat.h: 2.0 ns against 11 for GSL's log1p; not GSL's
 * stream), the gamma by Marsaglia and Tsang on the ziggurat normal (5.4
 * against 11 ns for GSL's at the configs' shape 6.25; not GSL's stream
 * either), the uniform exactly as GSL would (eng_rng.h). make bench,
 * "draws", 2026-12-06. Forced inline: gcc kept one out-of-line copy for
 * model_casework.c's ten callers, so each meeting's two draws paid a call,
 * the switch and a frame of saved registers (bench_malmo +1.1 %, 7 paired
 * runs; -0.7 % instructions). */
static inline __attribute__((always_inline)) double dist_sample(const dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case DIST_EXPONENTIAL:
        return d->g1 * rng_exp_zig(r);
    case DIST_DETERMINISTIC:
        return d->g1;
    case DIST_UNIFORM:
        return rng_flat(r, d->g1, d->g2);
    case DIST_GAMMA:
        return zig_gamma_draw(r, &d->gamma, d->g2);
    default:
        return dist_sample_gsl(d, r);
    }
}
double dist_mean(const dist *d);

#endif
