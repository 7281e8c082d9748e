/*
 * test_survival.c — the Kaplan–Meier estimator (eng_survival).
 *
 * Owns: a curve computed by hand (ties of events with each other and with a
 * censoring, censorings between events), its quantiles, S at and between
 * steps and its restricted mean; a curve that ends censored (S beyond it
 * unknown, mean restricted to the follow-up, quantiles it never reaches);
 * durations of 0; without censoring the curve is the empirical distribution
 * and the restricted mean the sample mean; no observations and invalid
 * ones; the radix sort inside surv_km gives the curve of a comparison sort
 * bit for bit, over times of every magnitude, zeros of both signs and ties.
 */
#include "test_support.h"

#include "engine/eng_rng.h"
#include "engine/eng_survival.h"

/* 2 event, 3 censored, 4 event x2 and censored, 6 event, 7 censored, 8 event:
 *   t=2: 8 at risk, 1 event  S = 7/8
 *   t=4: 6 at risk, 2 events S = 7/8 * 4/6 = 7/12  (the censoring at 4 still at risk)
 *   t=6: 3 at risk, 1 event  S = 7/12 * 2/3 = 7/18
 *   t=8: 1 at risk, 1 event  S = 0
 * mean = 2 * 1 + 2 * 7/8 + 2 * 7/12 + 2 * 7/18 = 205/36. */
static void test_hand_computed(void **state)
{
    (void)state;
    surv_obs obs[] = {{8, 1}, {4, 0}, {2, 1}, {4, 1}, {7, 0}, {3, 0}, {6, 1}, {4, 1}};
    surv_curve c;
    assert_int_equal(surv_km(obs, 8, &c), 0);
    assert_int_equal(c.steps, 4);
    assert_int_equal(c.observations, 8);
    assert_int_equal(c.events, 5);
    TS_ASSERT_SAME_DOUBLE(c.last_time, 8.0);
    TS_ASSERT_NEAR(c.surv[0], 7.0 / 8, 1e-15);
    TS_ASSERT_NEAR(c.surv[1], 7.0 / 12, 1e-15);
    TS_ASSERT_NEAR(c.surv[2], 7.0 / 18, 1e-15);
    TS_ASSERT_SAME_DOUBLE(c.surv[3], 0.0);
    TS_ASSERT_SAME_DOUBLE(surv_at(&c, 0), 1.0);
    TS_ASSERT_SAME_DOUBLE(surv_at(&c, 1.999), 1.0);
    TS_ASSERT_NEAR(surv_at(&c, 2), 7.0 / 8, 1e-15);   /* right-continuous: S(t) = P(T > t) */
    TS_ASSERT_NEAR(surv_at(&c, 3.5), 7.0 / 8, 1e-15);
    TS_ASSERT_NEAR(surv_at(&c, 4), 7.0 / 12, 1e-15);
    TS_ASSERT_SAME_DOUBLE(surv_at(&c, 100), 0.0);       /* reached 0: known beyond */
    TS_ASSERT_SAME_DOUBLE(surv_quantile(&c, 0.1), 2.0); /* S(2) = 0.875 <= 0.9 */
    TS_ASSERT_SAME_DOUBLE(surv_quantile(&c, 0.4), 4.0); /* S(4) = 0.583 <= 0.6 */
    TS_ASSERT_SAME_DOUBLE(surv_quantile(&c, 0.5), 6.0);
    TS_ASSERT_SAME_DOUBLE(surv_quantile(&c, 0.9), 8.0);
    TS_ASSERT_NEAR(surv_restricted_mean(&c, INFINITY), 205.0 / 36, 1e-13);
    TS_ASSERT_NEAR(surv_restricted_mean(&c, 5), 2 + 2 * 7.0 / 8 + 1 * 7.0 / 12, 1e-13);
    TS_ASSERT_NEAR(surv_restricted_mean(&c, 1), 1.0, 1e-15);
    assert_true(isnan(surv_quantile(&c, 0)));
    assert_true(isnan(surv_quantile(&c, 1)));
    surv_free(&c);
}

/* 1 event, 2 censored: S(1) = 1/2, unknown after 2. */
static void test_ends_censored(void **state)
{
    (void)state;
    surv_obs obs[] = {{2, 0}, {1, 1}};
    surv_curve c;
    assert_int_equal(surv_km(obs, 2, &c), 0);
    TS_ASSERT_SAME_DOUBLE(surv_at(&c, 1.5), 0.5);
    TS_ASSERT_SAME_DOUBLE(surv_at(&c, 2), 0.5);
    assert_true(isnan(surv_at(&c, 2.5)));
    TS_ASSERT_SAME_DOUBLE(surv_quantile(&c, 0.5), 1.0);   /* S(1) = 1/2 exactly */
    assert_true(isnan(surv_quantile(&c, 0.9)));          /* never that low */
    /* restricted to the follow-up: 1 * 1 + 1/2 * 1, whatever tau beyond */
    TS_ASSERT_SAME_DOUBLE(surv_restricted_mean(&c, 10), 1.5);
    TS_ASSERT_SAME_DOUBLE(surv_restricted_mean(&c, 1.5), 1.25);
    surv_free(&c);
}

/* Durations of 0 are events at 0: 0, 0, 1 events, 2 censored:
 * S(0) = 1/2, S(1) = 1/4. */
static void test_zero_durations(void **state)
{
    (void)state;
    surv_obs obs[] = {{1, 1}, {0, 1}, {2, 0}, {0, 1}};
    surv_curve c;
    assert_int_equal(surv_km(obs, 4, &c), 0);
    TS_ASSERT_SAME_DOUBLE(surv_at(&c, 0), 0.5);
    TS_ASSERT_SAME_DOUBLE(surv_at(&c, 1), 0.25);
    TS_ASSERT_SAME_DOUBLE(surv_quantile(&c, 0.5), 0.0);
    TS_ASSERT_SAME_DOUBLE(surv_quantile(&c, 0.6), 1.0);
    TS_ASSERT_SAME_DOUBLE(surv_restricted_mean(&c, 10), 0.5 * 1 + 0.25 * 1);
    surv_free(&c);
}

/* Without censoring, S is one minus the empirical distribution function and
 * the restricted mean over everything is the sample mean. */
static void test_uncensored_is_empirical(void **state)
{
    (void)state;
    enum { N = 2000 };
    surv_obs *obs = malloc(N * sizeof *obs);
    double *x = malloc(N * sizeof *x), sum = 0;
    assert_non_null(obs);
    assert_non_null(x);
    gsl_rng *r = rng_alloc(7);
    for (int i = 0; i < N; i++) {
        x[i] = floor(100 * gsl_rng_uniform(r)) / 4; /* many ties */
        obs[i] = (surv_obs){x[i], 1};
        sum += x[i];
    }
    rng_free(r);
    surv_curve c;
    assert_int_equal(surv_km(obs, N, &c), 0);
    TS_ASSERT_NEAR(surv_restricted_mean(&c, INFINITY), sum / N, 1e-9 * sum / N);
    for (double t = 0; t < 26; t += 0.125) {
        int above = 0;
        for (int i = 0; i < N; i++)
            above += x[i] > t;
        TS_ASSERT_NEAR(surv_at(&c, t), (double)above / N, 1e-12);
    }
    surv_free(&c);
    free(obs);
    free(x);
}

/* The order surv_km used before its radix sort: by time, events first. */
static int reference_order(const void *a, const void *b)
{
    const surv_obs *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (y->event != 0) - (x->event != 0);
}

/* surv_km sorts 11 bits of the key a pass and skips passes whose digit is
 * the same for all: times from 1e-300 to 1e300, subnormals, +0 and -0 and
 * many exact ties (with events and censorings mixed) exercise every pass.
 * The curve must equal, bit for bit, the one from a comparison sort and a
 * hand-written product-limit pass, and obs must come back in that order. */
static void test_radix_matches_comparison_sort(void **state)
{
    (void)state;
    enum { N = 50000 };
    surv_obs *obs = malloc(N * sizeof *obs), *ref = malloc(N * sizeof *ref);
    assert_non_null(obs);
    assert_non_null(ref);
    gsl_rng *r = rng_alloc(11);
    for (int i = 0; i < N; i++) {
        double u = gsl_rng_uniform(r), t;
        if (u < 0.05)
            t = gsl_rng_uniform(r) < 0.5 ? 0.0 : -0.0;
        else if (u < 0.1)
            t = 4.9e-324 * (double)(1 + gsl_rng_uniform_int(r, 8)); /* subnormal */
        else if (u < 0.5)
            t = floor(40 * gsl_rng_uniform(r)) / 8; /* ties */
        else
            t = pow(10.0, 600 * gsl_rng_uniform(r) - 300);
        obs[i] = ref[i] = (surv_obs){t, gsl_rng_uniform(r) < 0.7};
    }
    rng_free(r);
    qsort(ref, N, sizeof *ref, reference_order);
    surv_curve c;
    assert_int_equal(surv_km(obs, N, &c), 0);
    for (int i = 0; i < N; i++) {
        assert_true(obs[i].time == ref[i].time);
        assert_int_equal(obs[i].event != 0, ref[i].event != 0);
    }
    double s = 1.0;
    size_t at_risk = N, steps = 0;
    for (size_t i = 0; i < N;) {
        double t = ref[i].time;
        size_t events = 0, leaving = 0;
        for (; i < N && ref[i].time == t; i++, leaving++)
            events += ref[i].event != 0;
        if (events) {
            s *= 1.0 - (double)events / (double)at_risk;
            assert_true(steps < c.steps);
            assert_true(c.time[steps] == t);
            assert_memory_equal(&c.surv[steps], &s, sizeof s);
            steps++;
        }
        at_risk -= leaving;
    }
    assert_int_equal(steps, c.steps);
    surv_free(&c);
    free(obs);
    free(ref);
}

static void test_empty_and_invalid(void **state)
{
    (void)state;
    surv_curve c;
    assert_int_equal(surv_km(NULL, 0, &c), 0);
    assert_int_equal(c.steps, 0);
    assert_true(isnan(surv_at(&c, 1)));
    assert_true(isnan(surv_quantile(&c, 0.5)));
    assert_true(isnan(surv_restricted_mean(&c, 1)));
    surv_free(&c);
    surv_obs bad[] = {{1, 1}, {-1, 1}};
    assert_int_equal(surv_km(bad, 2, &c), -1);
    assert_int_equal(c.steps, 0);
    surv_free(&c);
    surv_obs nan_time[] = {{NAN, 0}};
    assert_int_equal(surv_km(nan_time, 1, &c), -1);
    surv_free(&c);
    /* only censored: S stays 1 up to the follow-up */
    surv_obs none[] = {{3, 0}, {5, 0}};
    assert_int_equal(surv_km(none, 2, &c), 0);
    TS_ASSERT_SAME_DOUBLE(surv_at(&c, 4), 1.0);
    assert_true(isnan(surv_quantile(&c, 0.5)));
    TS_ASSERT_SAME_DOUBLE(surv_restricted_mean(&c, 100), 5.0);
    surv_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_ends_censored),
        cmocka_unit_test(test_zero_durations),
        cmocka_unit_test(test_uncensored_is_empirical),
        cmocka_unit_test(test_empty_and_invalid),
        cmocka_unit_test(test_radix_matches_comparison_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
