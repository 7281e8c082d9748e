/*
 * eng_sobol.h — variance-based global sensitivity: Sobol indices by
 * Saltelli sampling, with bootstrap confidence intervals.
 *
 * Owns the design (which points of the unit cube to evaluate) and the
 * estimator (what the outputs at those points say), for any function of k
 * inputs: nothing here knows about scenarios or models. The study layer maps
 * the design onto key ranges; the tests feed the Ishigami function through
 * the same two calls.
 *
 * Design (Saltelli 2002/2010): two N x k matrices A and B, and for each
 * input i the matrix A_B^(i), A with its column i taken from B. Their rows
 * come in N blocks of k + 2 points: block j is A_j, B_j, A_B^(1)_j, ...,
 * A_B^(k)_j. A and B are the first and last k coordinates of a 2k-dimensional
 * Sobol low-discrepancy sequence (GSL's gsl_qrng_sobol, so k <= 20), shifted
 * modulo 1 by a seeded random vector (Cranley-Patterson rotation), so a seed
 * gives another, equally even design. Plain Monte Carlo would do, but its
 * error shrinks as 1/sqrt(N) where the Sobol sequence's shrinks nearly as
 * 1/N for smooth outputs: fewer model runs for the same precision.
 *
 * Estimators, with V the variance of the 2N outputs at A and B:
 *   first order  S_i  = mean_j f(B_j) (f(A_B^(i)_j) - f(A_j)) / V   (Saltelli et al. 2010)
 *   total        ST_i = mean_j (f(A_j) - f(A_B^(i)_j))^2 / (2 V)    (Jansen 1999)
 * Both are unbiased for the numerators and robust when indices are small
 * (the older Sobol 1993 first-order estimator subtracts two large numbers).
 * f(B_j) in the first-order sum is centred on the mean of the 2N outputs:
 * the estimand is unchanged (E f(A_B^(i)) = E f(A)), but an output whose
 * mean is far from 0 (a utilisation near 0.4, a wait of 20 days) no longer
 * multiplies its noise by that mean; without it a 32-block study gave first
 * order intervals wider than [0, 1].
 * Confidence intervals: the 2.5 and 97.5 percentiles of the indices over
 * `bootstrap` resamples of the N blocks with replacement (whole blocks, so
 * each resample keeps the pairing of A, B and A_B^(i)). Cost O(bootstrap N k).
 */
#ifndef CASEFLOW_ENG_SOBOL_H
#define CASEFLOW_ENG_SOBOL_H

#include <stddef.h>
#include <stdint.h>

#define SOBOL_MAX_INPUTS 20 /* gsl_qrng_sobol's 40 dimensions, halved */

typedef struct sobol_index {
    double first, first_low, first_high; /* S_i with its 95 % bootstrap interval */
    double total, total_low, total_high; /* ST_i likewise */
} sobol_index;

/* Number of points of a design of n blocks over k inputs: n (k + 2). */
size_t sobol_design_points(int n, int k);

/* Fills points (sobol_design_points(n, k) rows of k coordinates in [0, 1))
 * with the design described above. Returns 0, or -1 when k is outside
 * 1..SOBOL_MAX_INPUTS, n < 2 or memory runs out. */
int sobol_design(int n, int k, uint64_t seed, double *points);

/* The indices of the k inputs from the outputs y at the design's points (in
 * its order). variance gets V. A NaN output, or V == 0 (the output never
 * changes), gives NaN indices: there is no variance to apportion. Returns 0,
 * or -1 when out of memory. */
int sobol_indices(const double *y, int n, int k, int bootstrap, uint64_t seed, sobol_index *out, double *variance);

#endif
