/*
 * eng_survival.h — the Kaplan–Meier estimator of a duration's distribution
 * from right-censored observations.
 *
 * Owns the product-limit curve S(t) = P(T > t) and what is read off it: S at
 * a time, quantiles (the smallest t with S(t) <= 1 - p) and the restricted
 * mean (the area under S up to a limit). Generic statistics: the caller
 * says what a duration is and when it is censored (the service levels use
 * it for waits and times in programme cut off at the horizon).
 *
 * Conventions (those of the textbook estimator): at a time where events and
 * censorings tie, the events come first (the censored ones were still at
 * risk); a duration of 0 is an event at time 0. The curve is defined up to
 * the largest observation; beyond it nothing is known, so S there is NaN
 * unless the curve has already reached 0.
 */
#ifndef CASEFLOW_ENG_SURVIVAL_H
#define CASEFLOW_ENG_SURVIVAL_H

#include <stddef.h>

typedef struct surv_obs {
    double time;   /* >= 0 */
    int event;     /* 1: the event happened at time; 0: censored (still going at time) */
} surv_obs;

typedef struct surv_curve {
    size_t steps;        /* distinct event times */
    double *time;        /* [steps], ascending */
    double *surv;        /* [steps]: S just after time[i] */
    size_t observations; /* all observations, events and censored */
    size_t events;
    double last_time;    /* the largest observation (NaN when there are none) */
} surv_curve;

/* Builds the curve from n observations (sorted in place by time). Returns
 * 0, or -1 when out of memory or an observation is invalid (negative or
 * not finite time); c is then empty. surv_free releases it either way. */
int surv_km(surv_obs *obs, size_t n, surv_curve *c);

void surv_free(surv_curve *c);

/* S(t) = P(T > t); NaN when t is beyond the largest observation and the
 * curve has not reached 0, or when there are no observations. */
double surv_at(const surv_curve *c, double t);

/* The p-quantile (0 < p < 1): the smallest event time t with S(t) <= 1 - p;
 * NaN when the curve never falls that low (the quantile lies beyond the
 * observations). */
double surv_quantile(const surv_curve *c, double p);

/* The area under S from 0 to tau, the mean of min(T, tau); tau is cut to
 * the largest observation when the curve has not reached 0 by then (a
 * lower bound of the mean, the usual "restricted to the follow-up"
 * convention). NaN without observations. */
double surv_restricted_mean(const surv_curve *c, double tau);

#endif
