/*
 * test_stats.c — the engine's statistics accumulators (eng_stats).
 *
 * Owns: stat_obs against a two-pass computation (including data with a
 * large common offset, where a one-pass sum of squares would lose
 * precision), min/max, empty and single-observation cases, merging two
 * halves (and empty parts) against one pass, the confidence half-width
 * against tabulated Student-t quantiles, and stat_tw's time average of a
 * known step function, its min/max and restart.
 */
#include "test_support.h"

#include <float.h>

#include "engine/eng_rng.h"
#include "engine/eng_stats.h"

static void two_pass(const double *x, size_t n, double *mean, double *var)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *mean = s / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *var = ss / (double)(n - 1);
}

static void fill(double *x, size_t n, uint64_t seed, double offset, double scale)
{
    gsl_rng *r = rng_alloc(seed);
    for (size_t i = 0; i < n; i++)
        x[i] = offset + scale * (gsl_rng_uniform(r) - 0.3) * (1 + 3 * gsl_rng_uniform(r));
    rng_free(r);
}

static void test_obs_empty_and_single(void **state)
{
    (void)state;
    stat_obs s;
    stat_obs_init(&s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(stat_obs_mean(&s)));
    assert_true(isnan(stat_obs_variance(&s)));
    assert_true(isnan(stat_obs_ci_halfwidth(&s, 0.95)));
    stat_obs_add(&s, 3.5);
    TS_ASSERT_SAME_DOUBLE(stat_obs_mean(&s), 3.5);
    assert_true(isnan(stat_obs_variance(&s)));
    assert_true(isnan(stat_obs_ci_halfwidth(&s, 0.95)));
    TS_ASSERT_SAME_DOUBLE(s.min, 3.5);
    TS_ASSERT_SAME_DOUBLE(s.max, 3.5);
    stat_obs_add(&s, 3.5);
    TS_ASSERT_SAME_DOUBLE(stat_obs_variance(&s), 0.0);
    TS_ASSERT_SAME_DOUBLE(stat_obs_ci_halfwidth(&s, 0.95), 0.0);
}

static void test_obs_against_two_pass(void **state)
{
    (void)state;
    const size_t sizes[] = {2, 3, 17, 1000, 100000};
    const double offsets[] = {0.0, -42.0, 1e9};
    double *x = malloc(100000 * sizeof *x);
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++)
        for (size_t b = 0; b < sizeof offsets / sizeof offsets[0]; b++) {
            size_t n = sizes[a];
            fill(x, n, 10 * a + b, offsets[b], 5.0);
            stat_obs s;
            stat_obs_init(&s);
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < n; i++) {
                stat_obs_add(&s, x[i]);
                lo = fmin(lo, x[i]);
                hi = fmax(hi, x[i]);
            }
            double mean, var;
            two_pass(x, n, &mean, &var);
            assert_int_equal(s.n, n);
            /* Relative to the data's magnitude and spread: with an offset
             * c each deviation carries a rounding error of about
             * eps * c, so the variance's relative error is of order
             * eps * c / sd; a one-pass sum of squares would be off by
             * eps * c^2 / var, i.e. by hundreds at c = 1e9. */
            double rel = 1e-9 + 10 * DBL_EPSILON * fabs(offsets[b]) / sqrt(var);
            TS_ASSERT_NEAR(stat_obs_mean(&s), mean, 1e-12 * (fabs(mean) + 5.0));
            TS_ASSERT_NEAR(stat_obs_variance(&s), var, rel * var);
            TS_ASSERT_SAME_DOUBLE(s.min, lo);
            TS_ASSERT_SAME_DOUBLE(s.max, hi);
        }
    free(x);
}

static void test_obs_merge(void **state)
{
    (void)state;
    enum { N = 5001 };
    double *x = malloc(N * sizeof *x);
    fill(x, N, 77, 100.0, 20.0);
    const size_t cuts[] = {0, 1, 2, 1234, N / 2, N - 1, N};
    stat_obs whole;
    stat_obs_init(&whole);
    for (size_t i = 0; i < N; i++)
        stat_obs_add(&whole, x[i]);
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        stat_obs a, b;
        stat_obs_init(&a);
        stat_obs_init(&b);
        for (size_t i = 0; i < cuts[c]; i++)
            stat_obs_add(&a, x[i]);
        for (size_t i = cuts[c]; i < N; i++)
            stat_obs_add(&b, x[i]);
        stat_obs m = a;
        stat_obs_merge(&m, &b);
        assert_int_equal(m.n, whole.n);
        TS_ASSERT_NEAR(stat_obs_mean(&m), stat_obs_mean(&whole), 1e-12 * 100.0);
        TS_ASSERT_NEAR(stat_obs_variance(&m), stat_obs_variance(&whole), 1e-10 * stat_obs_variance(&whole));
        TS_ASSERT_SAME_DOUBLE(m.min, whole.min);
        TS_ASSERT_SAME_DOUBLE(m.max, whole.max);
        /* the other way round too */
        stat_obs m2 = b;
        stat_obs_merge(&m2, &a);
        assert_int_equal(m2.n, whole.n);
        TS_ASSERT_NEAR(stat_obs_mean(&m2), stat_obs_mean(&whole), 1e-12 * 100.0);
        TS_ASSERT_NEAR(stat_obs_variance(&m2), stat_obs_variance(&whole), 1e-10 * stat_obs_variance(&whole));
    }
    /* merging many small parts (as the runner does over replications) */
    stat_obs acc;
    stat_obs_init(&acc);
    for (size_t start = 0; start < N; start += 7) {
        stat_obs part;
        stat_obs_init(&part);
        for (size_t i = start; i < start + 7 && i < N; i++)
            stat_obs_add(&part, x[i]);
        stat_obs_merge(&acc, &part);
    }
    assert_int_equal(acc.n, N);
    TS_ASSERT_NEAR(stat_obs_mean(&acc), stat_obs_mean(&whole), 1e-12 * 100.0);
    TS_ASSERT_NEAR(stat_obs_variance(&acc), stat_obs_variance(&whole), 1e-10 * stat_obs_variance(&whole));
    free(x);
}

static void test_ci_halfwidth(void **state)
{
    (void)state;
    /* Tabulated two-sided Student-t quantiles. */
    const struct {
        int n;
        double level, t;
    } table[] = {
        {2, 0.95, 12.706205}, {5, 0.95, 2.776445}, {10, 0.95, 2.262157},
        {10, 0.99, 3.249836}, {30, 0.95, 2.045230}, {30, 0.99, 2.756386},
    };
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        stat_obs s;
        stat_obs_init(&s);
        /* 1, 2, ..., n: variance n (n + 1) / 12 */
        for (int i = 1; i <= table[k].n; i++)
            stat_obs_add(&s, i);
        double n = table[k].n;
        double sd = sqrt(n * (n + 1) / 12.0);
        double expect = table[k].t * sd / sqrt(n);
        TS_ASSERT_NEAR(stat_obs_ci_halfwidth(&s, table[k].level), expect, 1e-6 * expect);
    }
    /* the example in the brief: n = 10, 95 %: t = 2.262 */
    stat_obs s;
    stat_obs_init(&s);
    const double x[10] = {4, 8, 15, 16, 23, 42, 4, 8, 15, 16};
    for (int i = 0; i < 10; i++)
        stat_obs_add(&s, x[i]);
    double ratio = stat_obs_ci_halfwidth(&s, 0.95) / sqrt(stat_obs_variance(&s) / 10.0);
    TS_ASSERT_NEAR(ratio, 2.262, 0.0005);
}

static void test_tw_step_function(void **state)
{
    (void)state;
    stat_tw s;
    stat_tw_init(&s, 0.0, 2.0);
    /* no time has passed: the current level */
    TS_ASSERT_SAME_DOUBLE(stat_tw_mean(&s, 0.0), 2.0);
    stat_tw_set(&s, 3.0, 5.0);
    stat_tw_set(&s, 7.0, 1.0);
    /* 2 on [0,3), 5 on [3,7), 1 on [7,10): (6 + 20 + 3) / 10 */
    TS_ASSERT_NEAR(stat_tw_mean(&s, 10.0), 2.9, 1e-12);
    TS_ASSERT_SAME_DOUBLE(s.min, 1.0);
    TS_ASSERT_SAME_DOUBLE(s.max, 5.0);
    /* two changes at the same instant: the zero-length level adds nothing */
    stat_tw_set(&s, 10.0, 100.0);
    stat_tw_set(&s, 10.0, 1.0);
    TS_ASSERT_NEAR(stat_tw_mean(&s, 12.0), (29.0 + 2.0) / 12.0, 1e-12);

    /* restart at 12: only what follows counts; the level carries over */
    stat_tw_restart(&s, 12.0);
    TS_ASSERT_SAME_DOUBLE(stat_tw_mean(&s, 12.0), 1.0);
    TS_ASSERT_SAME_DOUBLE(s.min, 1.0);
    TS_ASSERT_SAME_DOUBLE(s.max, 1.0);
    TS_ASSERT_NEAR(stat_tw_mean(&s, 14.0), 1.0, 1e-12);
    stat_tw_set(&s, 14.0, 4.0);
    /* 1 on [12,14), 4 on [14,16) */
    TS_ASSERT_NEAR(stat_tw_mean(&s, 16.0), 2.5, 1e-12);
    TS_ASSERT_SAME_DOUBLE(s.max, 4.0);
    TS_ASSERT_SAME_DOUBLE(s.min, 1.0);
}

static void test_tw_nonzero_start(void **state)
{
    (void)state;
    /* a queue length sampled at random times against the exact integral */
    gsl_rng *r = rng_alloc(5);
    stat_tw s;
    stat_tw_init(&s, 100.0, 0.0);
    double t = 100.0, level = 0.0, area = 0.0;
    for (int i = 0; i < 10000; i++) {
        double dt = gsl_rng_uniform(r);
        area += level * dt;
        t += dt;
        level = (double)gsl_rng_uniform_int(r, 20);
        stat_tw_set(&s, t, level);
    }
    double end = t + 0.5;
    area += level * 0.5;
    TS_ASSERT_NEAR(stat_tw_mean(&s, end), area / (end - 100.0), 1e-9);
    rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_obs_empty_and_single),
        cmocka_unit_test(test_obs_against_two_pass),
        cmocka_unit_test(test_obs_merge),
        cmocka_unit_test(test_ci_halfwidth),
        cmocka_unit_test(test_tw_step_function),
        cmocka_unit_test(test_tw_nonzero_start),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
