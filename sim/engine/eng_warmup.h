/*
 * eng_warmup.h — where a simulated series stops carrying its start-up: the
 * MSER-5 truncation rule (White 1997; Franklin and White 2008, "Stationarity
 * tests and MSER-5", Proc. Winter Simulation Conference).
 *
 * Owns the rule only; generic statistics, the caller says which series
 * (the service diagnostics use the replication-averaged waiting-list and
 * caseload series). MSER-5 averages the series in batches of 5, and for each
 * candidate truncation d (in batches, from 0 to half the batches) takes
 * MSER(d) = sum over the kept batches of (Y_i - mean of kept)^2 / (kept)^2,
 * the squared standard error of the kept mean's estimate, up to a constant:
 * dropping start-up bias lowers it, dropping good data raises it. The
 * truncation is the d with the least MSER. A minimum at the limit of half
 * the run means the series never settled within it.
 */
#ifndef CASEFLOW_ENG_WARMUP_H
#define CASEFLOW_ENG_WARMUP_H

#include <stddef.h>

#define WARMUP_MSER_BATCH 5

/* The MSER-5 truncation of the n values x (a partial last batch is left
 * out), in values (a multiple of 5). *at_limit is 1 when the minimum is at
 * the limit of half the batches (the series had not settled). Returns -1
 * when there are fewer than two batches (nothing to say), else 0. */
int warmup_mser5(const double *x, size_t n, size_t *truncate, int *at_limit);

#endif
