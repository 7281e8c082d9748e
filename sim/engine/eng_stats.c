/*
 * eng_stats.c — Welford/Chan observation statistics, time-weighted levels,
 * and Student-t confidence intervals.
 */
#include "engine/eng_stats.h"

#include <math.h>
#include <gsl/gsl_cdf.h>

void stat_obs_init(stat_obs *s)
{
    s->n = 0;
    s->mean = 0.0;
    s->m2 = 0.0;
    s->min = INFINITY;
    s->max = -INFINITY;
}

void stat_obs_add(stat_obs *s, double x)
{
    s->n++;
    double delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
    if (x < s->min)
        s->min = x;
    if (x > s->max)
        s->max = x;
}

void stat_obs_merge(stat_obs *into, const stat_obs *from)
{
    if (from->n == 0)
        return;
    if (into->n == 0) {
        *into = *from;
        return;
    }
    double na = (double)into->n, nb = (double)from->n, n = na + nb;
    double delta = from->mean - into->mean;
    into->mean += delta * nb / n;
    into->m2 += from->m2 + delta * delta * na * nb / n;
    into->n += from->n;
    if (from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
}

double stat_obs_variance(const stat_obs *s)
{
    return s->n < 2 ? NAN : s->m2 / (double)(s->n - 1);
}

double stat_obs_mean(const stat_obs *s)
{
    return s->n == 0 ? NAN : s->mean;
}

double stat_t_quantile(double p, double df)
{
    return gsl_cdf_tdist_Pinv(p, df);
}

double stat_obs_ci_halfwidth(const stat_obs *s, double level)
{
    if (s->n < 2)
        return NAN;
    double t = gsl_cdf_tdist_Pinv(0.5 + level / 2.0, (double)(s->n - 1));
    return t * sqrt(stat_obs_variance(s) / (double)s->n);
}

void stat_tw_init(stat_tw *s, double time, double value)
{
    s->start = s->last_time = time;
    s->value = value;
    s->area = 0.0;
    s->min = s->max = value;
}

void stat_tw_set(stat_tw *s, double time, double value)
{
    s->area += s->value * (time - s->last_time);
    s->last_time = time;
    s->value = value;
    if (value < s->min)
        s->min = value;
    if (value > s->max)
        s->max = value;
}

void stat_tw_restart(stat_tw *s, double time)
{
    stat_tw_init(s, time, s->value);
}

double stat_tw_mean(const stat_tw *s, double time)
{
    double span = time - s->start;
    if (span <= 0.0)
        return s->value;
    return (s->area + s->value * (time - s->last_time)) / span;
}
