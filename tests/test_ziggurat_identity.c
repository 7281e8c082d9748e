/*
 * test_ziggurat_identity.c — zig_gamma_draw and rng_exp_zig return bit for
 * bit what the plain loops they replaced return (issue 20), and use the same
 * random numbers.
 *
 * Owns: copies of those loops (the references, below, never to be
 * optimised), and three checks against them.
 *   - The streams: two generators of one seed, one drawn through
 *     zig_gamma_draw and one through the reference, give the same bits and
 *     end every draw in the same generator state, over shapes from 1/900 to
 *     1e6 (below 1, the U^(1/shape) step; 1; the configs' meeting hours 6.25;
 *     large). ZIG_IDENTITY_DRAWS=N sets the draws per shape (default 2e6;
 *     the sampler change of issue 20 was checked with 1e8) and N / 100 the
 *     x values per shape of the boundary check.
 *   - The boundary: for many x and each shape, the largest uniform u that
 *     zig_gamma_after_squeeze accepts (found by bisection on the 2^-53 grid:
 *     it accepts exactly when it draws nothing more) must be the largest the
 *     reference's exact log test accepts. The cheap second squeeze in front
 *     of the log test may only accept where the log test accepts; if it
 *     accepted a single u the log test rejects, the boundary would move.
 *   - The exponential: rng_exp_zig against its old loop, bits and states.
 * A change to any decision, value or draw count fails one of them.
 */
#include "test_support.h"

#include <string.h>

#include "engine/eng_rng.h"
#include "engine/eng_ziggurat.h"

/* ---- the references: the loops as they stood before issue 20 --------------- */

static double ref_exp(gsl_rng *r)
{
    for (;;) {
        uint64_t b = rng_next_u64(r);
        unsigned i = (unsigned)(b & 255u);
        double x = (double)(b >> 11) * 0x1.0p-53 * zig_exp_x[i];
        if (x < zig_exp_x[i + 1])
            return x;
        double y = zig_exp_slow(r, i, x);
        if (y >= 0)
            return y;
    }
}

static double ref_normal(gsl_rng *r)
{
    for (;;) {
        uint64_t b = rng_next_u64(r);
        unsigned i = (unsigned)(b & 255u);
        double sign = (b & 256u) ? -1.0 : 1.0;
        double x = (double)(b >> 11) * 0x1.0p-53 * zig_norm_x[i];
        if (x < zig_norm_x[i + 1])
            return sign * x;
        double y = zig_norm_slow(r, i, x);
        if (y >= 0)
            return sign * y;
    }
}

/* The exact acceptance test, the reference's only arbiter after the squeeze. */
static int ref_log_test(double d, double x, double v, double u)
{
    double x2 = x * x;
    return log(u) < 0.5 * x2 + d * (1.0 - v + log(v));
}

static double ref_gamma(gsl_rng *r, double shape, double scale)
{
    double a = shape < 1 ? shape + 1 : shape;
    double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d), value;
    for (;;) {
        double x, v;
        do {
            x = ref_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = rng_uniform(r);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) {
            value = d * v;
            break;
        }
    }
    if (shape < 1)
        value *= pow(1.0 - rng_uniform(r), 1.0 / shape);
    return scale * value;
}

/* ---- helpers -------------------------------------------------------------------- */

static const double shapes[] = {1.0 / 900, 0.3, 0.5, 0.999, 1.0, 1.5, 2.5, 6.25, 30.0, 1000.0, 1e6};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

static int same_state(const gsl_rng *a, const gsl_rng *b)
{
    return memcmp(a->state, b->state, sizeof(rng_xoshiro_state)) == 0;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static long draws_per_shape(void)
{
    const char *s = getenv("ZIG_IDENTITY_DRAWS");
    long n = s ? strtol(s, NULL, 10) : 0;
    return n > 0 ? n : 2000000;
}

/* ---- the streams ---------------------------------------------------------------- */

static void test_streams(void **state)
{
    (void)state;
    long n = draws_per_shape();
    for (size_t k = 0; k < N_SHAPES; k++) {
        gsl_rng *a = rng_alloc(20 + k), *b = rng_alloc(20 + k);
        assert_non_null(a);
        assert_non_null(b);
        zig_gamma g;
        zig_gamma_setup(&g, shapes[k]);
        double scale = 1.0 / shapes[k];
        long bad = 0;
        for (long i = 0; i < n && bad == 0; i++) {
            double got = zig_gamma_draw(a, &g, scale), want = ref_gamma(b, shapes[k], scale);
            if (!same_bits(got, want) || !same_state(a, b)) {
                print_error("shape %g, draw %ld: %a, reference %a%s\n", shapes[k], i, got, want,
                            same_state(a, b) ? "" : " (generator states differ)");
                bad++;
            }
        }
        assert_int_equal(bad, 0);
        rng_free(a);
        rng_free(b);
    }
}

/* ---- the boundary --------------------------------------------------------------- */

/* Does zig_gamma_after_squeeze accept (x, u) as it stands? It returns the
 * value and draws nothing then; a rejection starts the loop again. */
static int accepts(gsl_rng *r, const zig_gamma *g, double x, double u, double *value)
{
    rng_xoshiro_state before = *(rng_xoshiro_state *)r->state;
    double v1 = 1.0 + g->c * x;
    *value = zig_gamma_after_squeeze(r, g, 1.0, x, v1, u);
    return memcmp(&before, r->state, sizeof before) == 0;
}

static void test_boundary(void **state)
{
    (void)state;
    gsl_rng *r = rng_alloc(7), *pick = rng_alloc(8);
    assert_non_null(r);
    assert_non_null(pick);
    const long per_shape = draws_per_shape() / 100; /* x values: 20000 by default */
    for (size_t k = 0; k < N_SHAPES; k++) {
        zig_gamma g;
        zig_gamma_setup(&g, shapes[k]);
        double d = g.d, c = g.c;
        long checked = 0, bad = 0;
        for (long j = 0; j < per_shape && bad < 5; j++) {
            /* x with t = c x spread over (-1, 4] on a log scale of |t| (so
             * near 0, near the second squeeze's cut at |t| = 1/128, and near
             * t = -1), plus plain normals */
            double x;
            if (j % 4 == 3) {
                x = ref_normal(pick);
            } else {
                double t = exp(log(1e-4) + rng_uniform(pick) * (log(4.0) - log(1e-4)));
                if (j % 2)
                    t = -(t < 0.999999 ? t : 0.999999);
                x = t / c;
            }
            double v1 = 1.0 + c * x;
            if (!(v1 > 0))
                continue;
            double v = v1 * v1 * v1, value;
            /* u = n 2^-53: find the largest n accepted; acceptance only
             * grows as u falls (both tests are monotone in u) */
            uint64_t lo = 0, hi = (uint64_t)1 << 53; /* lo accepted (u = 0: log u = -inf), hi not (u = 1) */
            if (!accepts(r, &g, x, 0.0, &value))
                continue; /* nothing accepted: nothing to compare but u = 0 */
            while (hi - lo > 1) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (accepts(r, &g, x, (double)mid * 0x1.0p-53, &value))
                    lo = mid;
                else
                    hi = mid;
            }
            double u_in = (double)lo * 0x1.0p-53, u_out = (double)hi * 0x1.0p-53;
            checked++;
            accepts(r, &g, x, u_in, &value);
            if (!ref_log_test(d, x, v, u_in) || (hi < ((uint64_t)1 << 53) && ref_log_test(d, x, v, u_out)) ||
                !same_bits(value, d * v)) {
                print_error("shape %g, x = %a: accepted up to u = %a, the log test %s there and %s above\n",
                            shapes[k], x, u_in, ref_log_test(d, x, v, u_in) ? "accepts" : "REJECTS",
                            ref_log_test(d, x, v, u_out) ? "ACCEPTS" : "rejects");
                bad++;
            }
        }
        assert_int_equal(bad, 0);
        assert_true(checked > per_shape / 2);
    }
    rng_free(r);
    rng_free(pick);
}

/* ---- the exponential ------------------------------------------------------------ */

static void test_exponential(void **state)
{
    (void)state;
    long n = draws_per_shape(), bad = 0;
    gsl_rng *a = rng_alloc(31), *b = rng_alloc(31);
    assert_non_null(a);
    assert_non_null(b);
    for (long i = 0; i < n && bad == 0; i++) {
        double got = rng_exp_zig(a), want = ref_exp(b);
        if (!same_bits(got, want) || !same_state(a, b)) {
            print_error("draw %ld: %a, reference %a%s\n", i, got, want,
                        same_state(a, b) ? "" : " (generator states differ)");
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    rng_free(a);
    rng_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
