/*
 * test_warmup.c — the MSER-5 truncation rule (eng_warmup).
 *
 * Owns: hand-computed batch series (a transient of one and of two batches,
 * ties resolved to the shorter truncation), a partial last batch left out,
 * a constant series (no truncation), a series still rising (minimum at the
 * limit: not settled), a noisy series with a transient found within a
 * batch of where it ends, and too short a series.
 */
#include "test_support.h"

#include "engine/eng_rng.h"
#include "engine/eng_warmup.h"

#include <gsl/gsl_randist.h>

static void fill_batches(double *x, const double *batch_means, size_t batches)
{
    for (size_t b = 0; b < batches; b++)
        for (size_t j = 0; j < WARMUP_MSER_BATCH; j++)
            x[b * WARMUP_MSER_BATCH + j] = batch_means[b];
}

/* Batches [4, 0, 0, 0]: MSER(0) = 12 / 16, MSER(1) = MSER(2) = 0; the tie
 * goes to 1 batch. Batches [4, 2, 0, 0, 0, 0]: MSER(0) = 14 / 36,
 * MSER(1) = 3.2 / 25, MSER(2) = MSER(3) = 0: 2 batches. */
static void test_hand_computed(void **state)
{
    (void)state;
    double x[32];
    size_t cut;
    int at_limit;
    fill_batches(x, (const double[]){4, 0, 0, 0}, 4);
    assert_int_equal(warmup_mser5(x, 20, &cut, &at_limit), 0);
    assert_int_equal(cut, 5);
    assert_int_equal(at_limit, 0);
    fill_batches(x, (const double[]){4, 2, 0, 0, 0, 0}, 6);
    x[30] = 1000; /* a partial batch: left out */
    x[31] = 1000;
    assert_int_equal(warmup_mser5(x, 32, &cut, &at_limit), 0);
    assert_int_equal(cut, 10);
    assert_int_equal(at_limit, 0);
}

static void test_constant_and_rising(void **state)
{
    (void)state;
    double x[60];
    size_t cut;
    int at_limit;
    for (int i = 0; i < 60; i++)
        x[i] = 7.5;
    assert_int_equal(warmup_mser5(x, 60, &cut, &at_limit), 0);
    assert_int_equal(cut, 0);
    assert_int_equal(at_limit, 0);
    for (int i = 0; i < 60; i++)
        x[i] = 0.3 * i;
    assert_int_equal(warmup_mser5(x, 60, &cut, &at_limit), 0);
    assert_int_equal(cut, 30);   /* half the 12 batches */
    assert_int_equal(at_limit, 1);
}

/* Level 10 falling linearly to 0 over the first 30 values, then noise of
 * sd 1 around 0: the truncation lands on the transient's end or the batch
 * after (noise may make either the least). */
static void test_noisy_transient(void **state)
{
    (void)state;
    double x[240];
    gsl_rng *r = rng_alloc(11);
    for (int i = 0; i < 240; i++)
        x[i] = (i < 30 ? 10.0 * (30 - i) / 30 : 0.0) + gsl_ran_gaussian(r, 1.0);
    rng_free(r);
    size_t cut;
    int at_limit;
    assert_int_equal(warmup_mser5(x, 240, &cut, &at_limit), 0);
    print_message("  MSER-5 truncation %zu (transient ends at 30)\n", cut);
    assert_true(cut >= 20 && cut <= 35);
    assert_int_equal(at_limit, 0);
}

static void test_too_short(void **state)
{
    (void)state;
    double x[9] = {0};
    size_t cut = 99;
    int at_limit = 99;
    assert_int_equal(warmup_mser5(x, 9, &cut, &at_limit), -1);
    assert_int_equal(cut, 0);
    assert_int_equal(at_limit, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_constant_and_rising),
        cmocka_unit_test(test_noisy_transient),
        cmocka_unit_test(test_too_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
