/*
 * eng_ziggurat.c — the rare paths of the ziggurat samplers (the tail and
 * the wedges) and of the gamma sampler (its second squeeze and log test,
 * shapes below 1, the full loop), and the gamma's set-up; the common draws
 * are inline in eng_ziggurat.h.
 */
#include "engine/eng_ziggurat.h"

#include <math.h>

double zig_exp_slow(gsl_rng *r, unsigned layer, double x)
{
    if (layer == 0) /* the tail beyond r: r plus Exp(1), as the exponential has no memory */
        return zig_exp_x[1] - log1p(-rng_uniform(r));
    /* the wedge between the layer's inner and outer edge: under the curve? */
    double y = zig_exp_f[layer] + rng_uniform(r) * (zig_exp_f[layer + 1] - zig_exp_f[layer]);
    return y < exp(-x) ? x : -1.0;
}

/* rng_exp_zig's draw whose 64 bits b fell outside the layer's rectangle:
 * the tail or the wedge decides, else rng_exp_zig's loop goes on. */
double zig_exp_after_miss(gsl_rng *r, uint64_t b)
{
    for (;;) {
        unsigned i = (unsigned)(b & 255u);
        double x = (double)(b >> 11) * 0x1.0p-53 * zig_exp_x[i];
        if (x < zig_exp_x[i + 1])
            return x;
        double y = zig_exp_slow(r, i, x);
        if (y >= 0)
            return y;
        b = rng_next_u64(r);
    }
}

double zig_norm_slow(gsl_rng *r, unsigned layer, double x)
{
    if (layer == 0) {
        /* Marsaglia's tail method (1964): beyond r, a = Exp(1) / r is
         * accepted with probability exp(-a^2 / 2). */
        const double rr = zig_norm_x[1];
        double a, b;
        do {
            a = -log1p(-rng_uniform(r)) / rr;
            b = -log1p(-rng_uniform(r));
        } while (b + b < a * a);
        return rr + a;
    }
    double y = zig_norm_f[layer] + rng_uniform(r) * (zig_norm_f[layer + 1] - zig_norm_f[layer]);
    return y < exp(-0.5 * x * x) ? x : -1.0;
}

/*
 * The gamma sampler's rare paths. After the squeeze u < 1 - 0.0331 x^4
 * fails (about 8 % of draws at every shape: its constant does not depend on
 * the shape), the exact test log(u) < 0.5 x^2 + d (1 - v + log v) takes two
 * log calls, ~100 instructions. A second squeeze, tuned to the
 * shape, decides almost all of those draws first (at shape 6.25 the log
 * calls fall from 8.3 % to 0.55 % of draws; shape 1: 7.6 % to 5.1 %). It
 * only ever accepts, and only where the exact test accepts, so every
 * decision, value and random number stays what the exact test alone gives.
 *
 * Why it is sufficient. With t = c x and 9 d c^2 = 1, the exact right side
 * is d h(t), h(t) = 3 (log(1+t) - t + t^2/2) - t^3. For t >= 0,
 * log(1+t) >= t - t^2/2 + t^3/3 - t^4/4, so h(t) >= -3/4 t^4; for
 * -1 < t < 0 the series' terms are all negative and sum_{j>=4} |t|^j / j
 * <= t^4 / (4 (1 + t)), so h(t) >= -3/4 t^4 / (1 + t). Hence
 * d h(t) >= -k0 x^4 / m with k0 = 3/4 d c^4, m = min(1, 1 + c x). On the
 * left, log u <= -(w + w^2/2) with w = 1 - u. So (w + w^2/2) m > k0 x^4
 * implies log u < the right side.
 *
 * Why it also holds in floating point. The test uses k = k0 (1 + 2^-12):
 * when it accepts, log u lies below the right side by at least
 * 2^-12 k0 x^4 / m >= 2^-12 * 3/4 d t^4. The rounding in the test itself,
 * in k and in log(u) is a few units of 2^-53 relative, far inside that.
 * The exact side's rounding (with 9 d c^2 = 1 only to a few ulps) is the
 * one that does not shrink with it: its terms (0.5 x^2, d v, d log v) are
 * each about d |t|, cancel to d t^4 scale, and leave an absolute error of
 * at most ~50 d |t| 2^-53 for |t| <= 1/4 (larger |t| has a margin growing
 * like t^4 or 1 / (1 + t)). That is below half the margin once
 * |t|^3 > 100 * 2^-53 / (3/4 * 2^-12) = 6e-11, |t| > 4e-4; the test is
 * applied only where |t| >= 1/128, twenty times that (nothing is lost: at
 * shape 6.25 a draw fails the first squeeze with |t| < 1/128 about 3e-9
 * of the time; at shape 1000, where c is small, |x| < 0.74 is left to the
 * exact test, and from shape 1e5 up, |x| < 7.4: the second squeeze then
 * practically never applies). Without the margin the boundary check below
 * finds accepted draws the log test rejects (|t| ~ 1e-4); the cut alone
 * passes it, but only the two together are argued here.
 * tests/test_ziggurat_identity.c checks this at the boundary (w the smallest
 * the test accepts, many x and shapes from 1/900 to 1e6) and over 10^8
 * draws of the sampler against the plain loop.
 */
#define ZIG_GAMMA_T_MIN (1.0 / 128.0)

void zig_gamma_setup(zig_gamma *g, double shape)
{
    double a = shape < 1 ? shape + 1 : shape;
    g->shape = shape;
    g->d = a - 1.0 / 3.0;
    g->c = 1.0 / sqrt(9.0 * g->d);
    double c2 = g->c * g->c;
    g->k = 0.75 * g->d * c2 * c2 * (1.0 + 0x1.0p-12);
    g->x2_min = ZIG_GAMMA_T_MIN * ZIG_GAMMA_T_MIN / c2;
    g->below_one = shape < 1;
}

/* After the first squeeze failed: the second one, else the exact test. */
static int gamma_accept_slow(const zig_gamma *g, double x2, double v1, double v, double u)
{
    if (x2 >= g->x2_min) {
        double w = 1.0 - u; /* exact: u is a multiple of 2^-53 in [0, 1) */
        double m = v1 < 1.0 ? v1 : 1.0;
        if ((w + 0.5 * w * w) * m > g->k * (x2 * x2))
            return 1;
    }
    return log(u) < 0.5 * x2 + g->d * (1.0 - v + log(v));
}

/* Marsaglia and Tsang's loop as a whole; a shape below 1 draws with
 * shape + 1 and multiplies by U^(1/shape). */
double zig_gamma_draw_full(gsl_rng *r, const zig_gamma *g, double scale)
{
    double d = g->d, c = g->c, value;
    for (;;) {
        double x, v1;
        do {
            x = rng_normal_zig(r);
            v1 = 1.0 + c * x;
        } while (v1 <= 0);
        double v = v1 * v1 * v1;
        double u = rng_uniform(r);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 || gamma_accept_slow(g, x2, v1, v, u)) {
            value = d * v;
            break;
        }
    }
    if (g->below_one)
        value *= pow(1.0 - rng_uniform(r), 1.0 / g->shape);
    return scale * value;
}

/* zig_gamma_draw's draw (shape >= 1, v1 > 0) whose first squeeze failed:
 * accepted here, or the loop starts again with a fresh normal. */
double zig_gamma_after_squeeze(gsl_rng *r, const zig_gamma *g, double scale, double x, double v1, double u)
{
    double v = v1 * v1 * v1;
    if (gamma_accept_slow(g, x * x, v1, v, u))
        return scale * (g->d * v);
    return zig_gamma_draw_full(r, g, scale);
}

/* zig_gamma_draw's draw (shape >= 1) whose normal, from the 64 bits b,
 * fell outside its layer's rectangle: rng_normal_zig's rare path (wedge or
 * tail), then the rest of the attempt; a rejection anywhere starts the
 * loop again with a fresh normal, as rng_normal_zig's and the gamma's loops
 * would. */
double zig_gamma_after_layer_miss(gsl_rng *r, const zig_gamma *g, double scale, uint64_t b)
{
    unsigned i = (unsigned)(b & 255u);
    double y = zig_norm_slow(r, i, (double)(b >> 11) * 0x1.0p-53 * zig_norm_x[i]);
    if (y < 0)
        return zig_gamma_draw_full(r, g, scale);
    double x = zig_apply_sign(y, b), v1 = 1.0 + g->c * x;
    if (v1 <= 0)
        return zig_gamma_draw_full(r, g, scale);
    double v = v1 * v1 * v1;
    double u = rng_uniform(r);
    double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 || gamma_accept_slow(g, x2, v1, v, u))
        return scale * (g->d * v);
    return zig_gamma_draw_full(r, g, scale);
}
