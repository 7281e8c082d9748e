/*
 * eng_survival.c — Kaplan–Meier curves and what is read off them.
 *
 * One sort of the observations (O(n log n)) and one pass: at each distinct
 * event time t with d events among the r still at risk, S is multiplied by
 * 1 - d / r. Only event times make steps, so the curve holds at most as many
 * points as there are events. Variances (Greenwood) are not kept: the
 * service levels take their intervals over replications instead.
 */
#include "engine/eng_survival.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_time_events_first(const void *a, const void *b)
{
    const surv_obs *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (y->event != 0) - (x->event != 0);
}

void surv_free(surv_curve *c)
{
    free(c->time);
    free(c->surv);
    memset(c, 0, sizeof *c);
    c->last_time = NAN;
}

int surv_km(surv_obs *obs, size_t n, surv_curve *c)
{
    memset(c, 0, sizeof *c);
    c->last_time = NAN;
    for (size_t i = 0; i < n; i++)
        if (!(obs[i].time >= 0) || !isfinite(obs[i].time))
            return -1;
    if (n == 0)
        return 0;
    qsort(obs, n, sizeof *obs, by_time_events_first);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (obs[i].event && (i == 0 || obs[i].time != obs[i - 1].time || !obs[i - 1].event))
            distinct++;
    c->time = malloc((distinct ? distinct : 1) * sizeof *c->time);
    c->surv = malloc((distinct ? distinct : 1) * sizeof *c->surv);
    if (!c->time || !c->surv) {
        surv_free(c);
        return -1;
    }
    double s = 1.0;
    size_t at_risk = n;
    for (size_t i = 0; i < n;) {
        double t = obs[i].time;
        size_t events = 0, censored = 0;
        while (i < n && obs[i].time == t) {
            if (obs[i].event)
                events++;
            else
                censored++;
            i++;
        }
        if (events) {
            s *= 1.0 - (double)events / (double)at_risk;
            c->time[c->steps] = t;
            c->surv[c->steps] = s;
            c->steps++;
            c->events += events;
        }
        at_risk -= events + censored;
    }
    c->observations = n;
    c->last_time = obs[n - 1].time;
    return 0;
}

/* Index of the last step at or before t, or -1 before the first. */
static long step_at(const surv_curve *c, double t)
{
    size_t lo = 0, hi = c->steps; /* first step with time > t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->time[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

static double final_surv(const surv_curve *c)
{
    return c->steps ? c->surv[c->steps - 1] : 1.0;
}

double surv_at(const surv_curve *c, double t)
{
    if (c->observations == 0 || isnan(t))
        return NAN;
    if (t < 0)
        return 1.0;
    if (t > c->last_time && final_surv(c) > 0)
        return NAN;
    long k = step_at(c, t);
    return k < 0 ? 1.0 : c->surv[k];
}

double surv_quantile(const surv_curve *c, double p)
{
    if (!(p > 0 && p < 1))
        return NAN;
    /* S is multiplied by factors < 1 at each step, so it only falls;
     * rounding in the products must not hide an exact 1 - p, hence the
     * tolerance of a few ulps. */
    double level = 1.0 - p, tol = 8 * 2.220446049250313e-16;
    for (size_t i = 0; i < c->steps; i++)
        if (c->surv[i] <= level + tol)
            return c->time[i];
    return NAN;
}

double surv_restricted_mean(const surv_curve *c, double tau)
{
    if (c->observations == 0 || isnan(tau))
        return NAN;
    if (final_surv(c) > 0 && tau > c->last_time)
        tau = c->last_time;
    else if (final_surv(c) == 0 && tau > c->time[c->steps - 1])
        tau = c->time[c->steps - 1]; /* nothing beyond: an infinite tau is fine */
    double area = 0, prev_t = 0, prev_s = 1.0;
    for (size_t i = 0; i < c->steps && c->time[i] < tau; i++) {
        area += prev_s * (c->time[i] - prev_t);
        prev_t = c->time[i];
        prev_s = c->surv[i];
    }
    if (tau > prev_t)
        area += prev_s * (tau - prev_t);
    return area;
}
