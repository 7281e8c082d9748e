/*
 * eng_dist.c — distributions: names, parameters, and the draws GSL makes
 * (lognormal; exponential, uniform and gamma are drawn inline in
 * eng_dist.h, the exponential and gamma by the samplers of eng_ziggurat.h).
 */
#include "engine/eng_dist.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_randist.h>

static const char *const kind_names[DIST_KIND_COUNT] = {
    "exponential", "deterministic", "uniform", "gamma", "lognormal",
};

static const char *const param_names[DIST_KIND_COUNT][2] = {
    {"mean", NULL}, {"value", NULL}, {"min", "max"}, {"mean", "sd"}, {"mean", "sd"},
};

const char *dist_kind_name(dist_kind kind)
{
    return (unsigned)kind < DIST_KIND_COUNT ? kind_names[kind] : NULL;
}

int dist_kind_from_name(const char *name)
{
    for (int k = 0; k < DIST_KIND_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    return -1;
}

void dist_param_names(dist_kind kind, const char **first, const char **second)
{
    *first = param_names[kind][0];
    *second = param_names[kind][1];
}

/* Bounds that keep every sample finite and the configured mean reachable.
 * A parameter above DIST_MAX_PARAM (hours, days or months: far beyond any
 * horizon) could make draws overflow: an exponential's reach about 745
 * times its mean, a gamma's scale is sd^2 / mean. A very skewed gamma or
 * lognormal gets its mean from draws rarer than about one in a thousand
 * (a gamma of shape 1/900 draws zero, underflowed, nearly half the time; a
 * lognormal's mean sits sigma standard deviations out, and sigma = 3.04 at
 * sd = 100 x mean), so a run's draws would not show the configured mean:
 * with gamma sd = 1e150 every meeting took no time, with lognormal sd =
 * 1e300 every draw was NaN. */
#define DIST_MAX_PARAM 1e12
#define GAMMA_MAX_CV 30.0
#define LOGNORMAL_MAX_CV 100.0

const char *dist_make(dist *d, dist_kind kind, double p1, double p2)
{
    if (!isfinite(p1) || !isfinite(p2))
        return "parameters must be finite numbers";
    if (p1 > DIST_MAX_PARAM || p2 > DIST_MAX_PARAM)
        return "parameters must be at most 1e12 (so that every draw stays finite)";
    d->kind = kind;
    d->p1 = p1;
    d->p2 = p2;
    switch (kind) {
    case DIST_EXPONENTIAL:
        if (p1 <= 0)
            return "mean must be > 0";
        d->g1 = p1;
        return NULL;
    case DIST_DETERMINISTIC:
        if (p1 < 0)
            return "value must be >= 0";
        d->g1 = p1;
        return NULL;
    case DIST_UNIFORM:
        if (p1 < 0 || p2 <= p1)
            return "need 0 <= min < max";
        d->g1 = p1;
        d->g2 = p2;
        return NULL;
    case DIST_GAMMA:
        if (p1 <= 0 || p2 <= 0)
            return "mean and sd must be > 0";
        if (p2 > GAMMA_MAX_CV * p1)
            return "sd must be at most 30 times the mean (a gamma more skewed draws almost only zeros and gets its "
                   "mean from draws rarer than one in a thousand)";
        d->g1 = (p1 / p2) * (p1 / p2); /* shape */
        d->g2 = p2 * p2 / p1;          /* scale */
        zig_gamma_setup(&d->gamma, d->g1);
        return NULL;
    case DIST_LOGNORMAL:
        if (p1 <= 0 || p2 <= 0)
            return "mean and sd must be > 0";
        if (p2 > LOGNORMAL_MAX_CV * p1)
            return "sd must be at most 100 times the mean (a lognormal more skewed gets its mean from draws rarer "
                   "than one in a thousand)";
        d->g2 = sqrt(log1p((p2 / p1) * (p2 / p1))); /* sigma */
        d->g1 = log(p1) - d->g2 * d->g2 / 2.0;      /* zeta */
        return NULL;
    default:
        return "unknown distribution";
    }
}

double dist_sample_gsl(const dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, d->g1);
    case DIST_DETERMINISTIC:
        return d->g1;
    case DIST_UNIFORM:
        return gsl_ran_flat(r, d->g1, d->g2);
    case DIST_GAMMA:
        return gsl_ran_gamma(r, d->g1, d->g2);
    case DIST_LOGNORMAL:
        return gsl_ran_lognormal(r, d->g1, d->g2);
    default:
        return NAN;
    }
}

double dist_mean(const dist *d)
{
    switch (d->kind) {
    case DIST_UNIFORM:
        return (d->p1 + d->p2) / 2.0;
    default:
        return d->p1;
    }
}
