/*
 * eng_warmup.c — MSER-5: O(n) with running sums taken from the end, so each
 * candidate truncation costs O(1).
 */
#include "engine/eng_warmup.h"

#include <math.h>
#include <stdlib.h>

int warmup_mser5(const double *x, size_t n, size_t *truncate, int *at_limit)
{
    size_t batches = n / WARMUP_MSER_BATCH;
    *truncate = 0;
    *at_limit = 0;
    if (batches < 2)
        return -1;
    double *y = malloc(batches * sizeof *y);
    if (!y)
        return -1;
    for (size_t b = 0; b < batches; b++) {
        double s = 0;
        for (size_t j = 0; j < WARMUP_MSER_BATCH; j++)
            s += x[b * WARMUP_MSER_BATCH + j];
        y[b] = s / WARMUP_MSER_BATCH;
    }
    /* Kept batches d..batches-1: their sum and sum of squares, from the end.
     * The squares are taken about the overall batch mean first, so long
     * series of a large level do not lose the variance in rounding. */
    double centre = 0;
    for (size_t b = 0; b < batches; b++)
        centre += y[b];
    centre /= (double)batches;
    size_t limit = batches / 2, best_d = 0;
    double best = INFINITY, sum = 0, sq = 0;
    for (size_t b = batches; b-- > 0;) {
        double v = y[b] - centre;
        sum += v;
        sq += v * v;
        if (b > limit)
            continue;
        double kept = (double)(batches - b);
        double mser = (sq - sum * sum / kept) / (kept * kept);
        if (mser <= best) { /* ties: the shorter truncation, reached last */
            best = mser;
            best_d = b;
        }
    }
    free(y);
    *truncate = best_d * WARMUP_MSER_BATCH;
    *at_limit = best_d == limit;
    return 0;
}
