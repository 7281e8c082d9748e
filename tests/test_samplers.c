/*
 * test_samplers.c — the fast samplers of eng_ziggurat (exponential and
 * normal by the ziggurat method, gamma by Marsaglia and Tsang) against their
 * exact distributions.
 *
 * Owns: the layer tables (equal areas, monotone edges); for each sampler
 * with a fixed seed, the Kolmogorov-Smirnov distance to the exact CDF
 * against the Dvoretzky-Kiefer-Wolfowitz bound at level 0.001, a chi-square
 * test on 500 equiprobable cells against chi-square's 0.999 quantile, the
 * frequency of the tail and wedge regions against binomial 99.9 % limits,
 * and the sample mean and variance against 99.9 % limits from the
 * theoretical moments. Every threshold comes from the test's own
 * statistic; none is tuned to the samples.
 */
#include "test_support.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "engine/eng_rng.h"
#include "engine/eng_ziggurat.h"

#define ALPHA 0.001
#define Z999 3.2905267314919255 /* two-sided 99.9 % normal quantile */
#define CELLS 500

typedef double (*cdf_fn)(double x, const double *par);
typedef double (*draw_fn)(gsl_rng *r, const void *par);

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* KS distance of sorted x from cdf, against the DKW bound: P(D > e) <=
 * 2 exp(-2 n e^2) for every n, so e = sqrt(ln(2 / alpha) / (2 n)). */
static void check_ks(const double *sorted, size_t n, cdf_fn cdf, const double *par, const char *what)
{
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(sorted[i], par);
        double lo = f - (double)i / (double)n, hi = (double)(i + 1) / (double)n - f;
        d = fmax(d, fmax(lo, hi));
    }
    double bound = sqrt(log(2.0 / ALPHA) / (2.0 * (double)n));
    print_message("  %s: KS distance %.5f (bound %.5f)\n", what, d, bound);
    if (!(d < bound))
        fail_msg("%s: KS distance %g above the DKW bound %g at level %g", what, d, bound, ALPHA);
}

/* Chi-square on CELLS cells of equal probability under cdf. */
static void check_chisq(const double *sorted, size_t n, cdf_fn cdf, const double *par, const char *what)
{
    size_t count[CELLS] = {0};
    for (size_t i = 0; i < n; i++) {
        long c = (long)(cdf(sorted[i], par) * CELLS);
        count[c < 0 ? 0 : c >= CELLS ? CELLS - 1 : c]++;
    }
    double e = (double)n / CELLS, chi = 0;
    for (int c = 0; c < CELLS; c++)
        chi += ((double)count[c] - e) * ((double)count[c] - e) / e;
    double limit = gsl_cdf_chisq_Qinv(ALPHA, CELLS - 1);
    print_message("  %s: chi-square %.1f on %d df (0.999 quantile %.1f)\n", what, chi, CELLS - 1, limit);
    if (!(chi < limit))
        fail_msg("%s: chi-square %g above its 0.999 quantile %g", what, chi, limit);
}

/* Count of x > t against n p within binomial 99.9 % limits. */
static void check_region(const double *sorted, size_t n, double t, double p, const char *what)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += sorted[i] > t;
    double mean = (double)n * p, half = Z999 * sqrt((double)n * p * (1 - p)) + 1;
    print_message("  %s: %zu beyond %.3f, expected %.1f +- %.1f\n", what, k, t, mean, half);
    if (fabs((double)k - mean) > half)
        fail_msg("%s: %zu draws beyond %g, expected %g +- %g", what, k, t, mean, half);
}

/* Sample mean and variance against 99.9 % limits: the mean's standard
 * error sqrt(var / n), the variance's sqrt((mu4 - var^2) / n). */
static void check_moments(const double *x, size_t n, double mean, double var, double mu4, const char *what)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    double m = s / (double)n;
    for (size_t i = 0; i < n; i++)
        s2 += (x[i] - m) * (x[i] - m);
    double v = s2 / (double)(n - 1);
    double hm = Z999 * sqrt(var / (double)n), hv = Z999 * sqrt((mu4 - var * var) / (double)n);
    print_message("  %s: mean %.5f (%.5f +- %.5f), variance %.5f (%.5f +- %.5f)\n", what, m, mean, hm, v, var, hv);
    if (fabs(m - mean) > hm)
        fail_msg("%s: mean %g, expected %g +- %g", what, m, mean, hm);
    if (fabs(v - var) > hv)
        fail_msg("%s: variance %g, expected %g +- %g", what, v, var, hv);
}

static double *draw_sorted(draw_fn draw, const void *par, size_t n, uint64_t seed, double *unsorted)
{
    gsl_rng *r = rng_alloc(seed);
    assert_non_null(r);
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = draw(r, par);
    if (unsorted)
        memcpy(unsorted, x, n * sizeof *x);
    qsort(x, n, sizeof *x, cmp_double);
    rng_free(r);
    return x;
}

/* ---- the tables ---------------------------------------------------------- */

static void check_table(const double *x, const double *f, double tail_area, const char *what)
{
    /* every layer, the base one with its tail, has area V = x[0] f(x[1]) */
    double v = x[0] * f[1];
    TS_ASSERT_NEAR(x[1] * f[1] + tail_area, v, 1e-12 * v);
    for (int i = 1; i < ZIG_LAYERS; i++) {
        assert_true(x[i + 1] < x[i] && f[i + 1] > f[i]);
        double area = x[i] * (f[i + 1] - f[i]);
        if (fabs(area - v) > 1e-9 * v)
            fail_msg("%s: layer %d has area %.17g, V is %.17g", what, i, area, v);
    }
    assert_true(x[0] > x[1] && x[ZIG_LAYERS] == 0.0 && f[ZIG_LAYERS] == 1.0);
}

static void test_tables(void **state)
{
    (void)state;
    check_table(zig_exp_x, zig_exp_f, exp(-zig_exp_x[1]), "exponential");
    for (int i = 0; i <= ZIG_LAYERS; i++)
        TS_ASSERT_NEAR(zig_exp_f[i], i == ZIG_LAYERS ? 1.0 : exp(-zig_exp_x[i]), 1e-15);
    check_table(zig_norm_x, zig_norm_f, sqrt(2.0 * acos(-1.0)) / 2 * erfc(zig_norm_x[1] / sqrt(2.0)), "normal");
    for (int i = 0; i <= ZIG_LAYERS; i++)
        TS_ASSERT_NEAR(zig_norm_f[i], i == ZIG_LAYERS ? 1.0 : exp(-0.5 * zig_norm_x[i] * zig_norm_x[i]), 1e-15);
}

/* ---- exponential ------------------------------------------------------------ */

static double draw_exp(gsl_rng *r, const void *par)
{
    (void)par;
    return rng_exp_zig(r);
}

static double cdf_exp(double x, const double *par)
{
    (void)par;
    return x <= 0 ? 0 : -expm1(-x);
}

static void test_exponential(void **state)
{
    (void)state;
    const size_t n = 2000000;
    double *x = draw_sorted(draw_exp, NULL, n, 20261124, NULL);
    assert_true(x[0] >= 0);
    check_ks(x, n, cdf_exp, NULL, "Exp(1)");
    check_chisq(x, n, cdf_exp, NULL, "Exp(1)");
    double r = zig_exp_x[1];
    check_region(x, n, r, exp(-r), "Exp(1) tail");
    check_region(x, n, r + 2, exp(-r - 2), "Exp(1) far tail");
    /* a wedge: the outer part of layer 200 */
    double lo = zig_exp_x[201], hi = zig_exp_x[200];
    check_region(x, n, lo, exp(-lo), "Exp(1) past a wedge's inner edge");
    check_region(x, n, hi, exp(-hi), "Exp(1) past its outer edge");
    check_moments(x, n, 1.0, 1.0, 9.0, "Exp(1)");
    free(x);
}

/* ---- normal ------------------------------------------------------------------ */

static double draw_normal(gsl_rng *r, const void *par)
{
    (void)par;
    return rng_normal_zig(r);
}

static double cdf_normal(double x, const double *par)
{
    (void)par;
    return gsl_cdf_ugaussian_P(x);
}

static void test_normal(void **state)
{
    (void)state;
    const size_t n = 2000000;
    double *x = draw_sorted(draw_normal, NULL, n, 4242, NULL);
    check_ks(x, n, cdf_normal, NULL, "N(0,1)");
    check_chisq(x, n, cdf_normal, NULL, "N(0,1)");
    double r = zig_norm_x[1];
    check_region(x, n, r, gsl_cdf_ugaussian_Q(r), "N(0,1) upper tail");
    check_region(x, n, -r, gsl_cdf_ugaussian_P(r), "N(0,1) beyond -r");
    check_region(x, n, 0.0, 0.5, "N(0,1) sign");
    check_moments(x, n, 0.0, 1.0, 3.0, "N(0,1)");
    free(x);
}

/* ---- gamma -------------------------------------------------------------------- */

typedef struct gamma_case {
    zig_gamma g;
    double scale;
} gamma_case;

static double draw_gamma(gsl_rng *r, const void *par)
{
    const gamma_case *c = par;
    return zig_gamma_draw(r, &c->g, c->scale);
}

static double cdf_gamma(double x, const double *par)
{
    return x <= 0 ? 0 : gsl_cdf_gamma_P(x, par[0], par[1]);
}

static void test_gamma(void **state)
{
    (void)state;
    /* below 1 (the U^(1/a) step), 1, the meeting hours of configs (mean 1,
     * sd 0.4: shape 6.25), and a large shape */
    const double shapes[] = {0.3, 1.0, 2.5, 6.25, 40.0};
    const double scales[] = {2.0, 1.0, 0.5, 0.16, 0.05};
    const size_t n = 1000000;
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        gamma_case c;
        zig_gamma_setup(&c.g, shapes[k]);
        c.scale = scales[k];
        double par[2] = {shapes[k], scales[k]};
        char what[64];
        snprintf(what, sizeof what, "Gamma(%g, %g)", shapes[k], scales[k]);
        double *x = draw_sorted(draw_gamma, &c, n, 777 + k, NULL);
        assert_true(x[0] >= 0);
        check_ks(x, n, cdf_gamma, par, what);
        check_chisq(x, n, cdf_gamma, par, what);
        double a = shapes[k], b = scales[k];
        double q = gsl_cdf_gamma_Qinv(1e-3, a, b);
        check_region(x, n, q, 1e-3, what);
        double var = a * b * b, mu4 = 3 * a * (a + 2) * b * b * b * b;
        check_moments(x, n, a * b, var, mu4, what);
        free(x);
    }
}

/* The same seed gives the same draws (the samplers keep no state of their
 * own), and a generator used through them and through GSL interleaves. */
static void test_reproducible(void **state)
{
    (void)state;
    gsl_rng *a = rng_alloc(99), *b = rng_alloc(99);
    zig_gamma g;
    zig_gamma_setup(&g, 6.25);
    for (int i = 0; i < 100000; i++) {
        TS_ASSERT_SAME_DOUBLE(rng_exp_zig(a), rng_exp_zig(b));
        TS_ASSERT_SAME_DOUBLE(rng_normal_zig(a), rng_normal_zig(b));
        TS_ASSERT_SAME_DOUBLE(zig_gamma_draw(a, &g, 0.16), zig_gamma_draw(b, &g, 0.16));
        TS_ASSERT_SAME_DOUBLE(gsl_rng_uniform(a), rng_uniform(b));
    }
    rng_free(a);
    rng_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_gamma),
        cmocka_unit_test(test_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
