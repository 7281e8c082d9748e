/*
 * eng_sobol.c — Saltelli design and Sobol index estimators (see eng_sobol.h).
 */
#include "engine/eng_sobol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "engine/eng_rng.h"

size_t sobol_design_points(int n, int k)
{
    return n > 0 && k > 0 ? (size_t)n * (size_t)(k + 2) : 0;
}

int sobol_design(int n, int k, uint64_t seed, double *points)
{
    if (k < 1 || k > SOBOL_MAX_INPUTS || n < 2)
        return -1;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    gsl_rng *r = rng_alloc(rng_derive(seed, 0x5eb01d5ULL));
    int rc = -1;
    if (!q || !r)
        goto out;
    double shift[2 * SOBOL_MAX_INPUTS], u[2 * SOBOL_MAX_INPUTS];
    for (int d = 0; d < 2 * k; d++)
        shift[d] = gsl_rng_uniform(r);
    size_t w = (size_t)k;
    for (int j = 0; j < n; j++) {
        gsl_qrng_get(q, u);
        for (int d = 0; d < 2 * k; d++) {
            u[d] += shift[d];
            if (u[d] >= 1)
                u[d] -= 1;
        }
        double *block = &points[(size_t)j * (size_t)(k + 2) * w];
        memcpy(&block[0], &u[0], w * sizeof *u);     /* A_j */
        memcpy(&block[w], &u[k], w * sizeof *u);     /* B_j */
        for (int i = 0; i < k; i++) {                /* A_B^(i)_j */
            double *row = &block[(size_t)(2 + i) * w];
            memcpy(row, &u[0], w * sizeof *u);
            row[i] = u[k + i];
        }
    }
    rc = 0;
out:
    if (q)
        gsl_qrng_free(q);
    if (r)
        rng_free(r);
    return rc;
}

/* The indices from the blocks listed in pick (n of them, repeats allowed). */
static double estimate(const double *y, int k, const int *pick, int n, double *first, double *total)
{
    size_t w = (size_t)k + 2;
    double mean = 0, m2 = 0;
    long count = 0;
    for (int j = 0; j < n; j++)
        for (int ab = 0; ab < 2; ab++) { /* Welford over f(A) and f(B) */
            double v = y[(size_t)pick[j] * w + (size_t)ab];
            double d = v - mean;
            mean += d / (double)++count;
            m2 += d * (v - mean);
        }
    double var = count > 1 ? m2 / (double)(count - 1) : NAN;
    for (int i = 0; i < k; i++) {
        double s = 0, t = 0;
        for (int j = 0; j < n; j++) {
            const double *b = &y[(size_t)pick[j] * w];
            double fa = b[0], fb = b[1], fab = b[2 + i];
            s += (fb - mean) * (fab - fa);
            t += (fa - fab) * (fa - fab);
        }
        first[i] = var > 0 ? s / (double)n / var : NAN;
        total[i] = var > 0 ? t / (2.0 * (double)n) / var : NAN;
    }
    return var;
}

int sobol_indices(const double *y, int n, int k, int bootstrap, uint64_t seed, sobol_index *out, double *variance)
{
    if (k < 1 || k > SOBOL_MAX_INPUTS || n < 2)
        return -1;
    int nan = 0;
    for (size_t p = 0; p < sobol_design_points(n, k); p++)
        nan |= !isfinite(y[p]);
    int *pick = malloc((size_t)n * sizeof *pick);
    double *bs_first = bootstrap > 0 ? malloc((size_t)bootstrap * (size_t)k * sizeof *bs_first) : NULL;
    double *bs_total = bootstrap > 0 ? malloc((size_t)bootstrap * (size_t)k * sizeof *bs_total) : NULL;
    gsl_rng *r = bootstrap > 0 ? rng_alloc(rng_derive(seed, 0xb0075ULL)) : NULL;
    int rc = -1;
    if (!pick || (bootstrap > 0 && (!bs_first || !bs_total || !r)))
        goto out;
    double first[SOBOL_MAX_INPUTS], total[SOBOL_MAX_INPUTS];
    for (int j = 0; j < n; j++)
        pick[j] = j;
    double var = nan ? NAN : estimate(y, k, pick, n, first, total);
    if (variance)
        *variance = var;
    for (int i = 0; i < k; i++)
        out[i] = (sobol_index){NAN, NAN, NAN, NAN, NAN, NAN};
    if (nan || !(var > 0)) {
        rc = 0;
        goto out;
    }
    for (int i = 0; i < k; i++) {
        out[i].first = first[i];
        out[i].total = total[i];
    }
    if (bootstrap > 0) {
        int usable = 0; /* a resample whose outputs are all equal has no indices */
        for (int b = 0; b < bootstrap; b++) {
            for (int j = 0; j < n; j++)
                pick[j] = (int)gsl_rng_uniform_int(r, (unsigned long)n);
            double f[SOBOL_MAX_INPUTS], t[SOBOL_MAX_INPUTS];
            if (!(estimate(y, k, pick, n, f, t) > 0))
                continue;
            for (int i = 0; i < k; i++) {
                bs_first[(size_t)i * (size_t)bootstrap + (size_t)usable] = f[i];
                bs_total[(size_t)i * (size_t)bootstrap + (size_t)usable] = t[i];
            }
            usable++;
        }
        for (int i = 0; i < k && usable > 1; i++) {
            double *f = &bs_first[(size_t)i * (size_t)bootstrap], *t = &bs_total[(size_t)i * (size_t)bootstrap];
            gsl_sort(f, 1, (size_t)usable);
            gsl_sort(t, 1, (size_t)usable);
            out[i].first_low = gsl_stats_quantile_from_sorted_data(f, 1, (size_t)usable, 0.025);
            out[i].first_high = gsl_stats_quantile_from_sorted_data(f, 1, (size_t)usable, 0.975);
            out[i].total_low = gsl_stats_quantile_from_sorted_data(t, 1, (size_t)usable, 0.025);
            out[i].total_high = gsl_stats_quantile_from_sorted_data(t, 1, (size_t)usable, 0.975);
        }
    }
    rc = 0;
out:
    free(pick);
    free(bs_first);
    free(bs_total);
    if (r)
        rng_free(r);
    return rc;
}
