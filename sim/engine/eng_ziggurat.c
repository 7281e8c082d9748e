/*
 * eng_ziggurat.c — the rare paths of the ziggurat samplers (the tail and
 * the wedges) and the gamma sampler; see eng_ziggurat.h.
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

void zig_gamma_setup(zig_gamma *g, double shape)
{
    double a = shape < 1 ? shape + 1 : shape;
    g->shape = shape;
    g->d = a - 1.0 / 3.0;
    g->c = 1.0 / sqrt(9.0 * g->d);
}

/* Marsaglia and Tsang (ACM TOMS 26(3), 2000): v = (1 + c x)^3 for a normal
 * x, accepted by a cheap squeeze nearly always, else by the log test. A
 * shape below 1 draws with shape + 1 and multiplies by U^(1/shape). */
double zig_gamma_draw(gsl_rng *r, const zig_gamma *g, double scale)
{
    double d = g->d, c = g->c, value;
    for (;;) {
        double x, v;
        do {
            x = rng_normal_zig(r);
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
    if (g->shape < 1)
        value *= pow(1.0 - rng_uniform(r), 1.0 / g->shape);
    return scale * value;
}
