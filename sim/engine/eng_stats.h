/*
 * eng_stats.h — statistics accumulators of the engine.
 *
 * Owns two accumulators and the confidence interval built from them:
 *  - stat_obs: per-observation count, mean, variance, min, max (Welford's
 *    update, so long runs do not lose precision), mergeable across
 *    replications with Chan et al.'s pairwise formula;
 *  - stat_tw: a time-weighted mean of a piecewise-constant quantity
 *    (queue length, caseload), which may be restarted at the end of warm-up.
 */
#ifndef CASEFLOW_ENG_STATS_H
#define CASEFLOW_ENG_STATS_H

#include <stdint.h>

typedef struct stat_obs {
    uint64_t n;
    double mean;
    double m2; /* sum of squared deviations from the mean */
    double min, max;
} stat_obs;

void stat_obs_init(stat_obs *s);
void stat_obs_add(stat_obs *s, double x);
void stat_obs_merge(stat_obs *into, const stat_obs *from);
/* Sample variance (n - 1 in the denominator); NaN below two observations. */
double stat_obs_variance(const stat_obs *s);
/* NaN when empty. */
double stat_obs_mean(const stat_obs *s);

/* Half-width of the two-sided confidence interval for the mean at the given
 * level (e.g. 0.95), from Student's t with n - 1 degrees of freedom; NaN
 * below two observations. */
double stat_obs_ci_halfwidth(const stat_obs *s, double level);

/* Quantile of Student's t with df (possibly fractional) degrees of freedom. */
double stat_t_quantile(double p, double df);

typedef struct stat_tw {
    double start;      /* time the accumulation (re)started */
    double last_time;  /* time of the last change */
    double value;      /* current level */
    double area;       /* integral of the level since start */
    double min, max;   /* of the level since start */
} stat_tw;

void stat_tw_init(stat_tw *s, double time, double value);
void stat_tw_set(stat_tw *s, double time, double value);
/* Drop everything accumulated so far, keeping the current level. */
void stat_tw_restart(stat_tw *s, double time);
/* Time average from start to time; the current level if no time passed. */
double stat_tw_mean(const stat_tw *s, double time);

#endif
