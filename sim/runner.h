/*
 * runner.h — runs a slice of a study's trials and gathers what they report.
 *
 * Owns the trial loop: a pool of POSIX threads runs trials side by side, and
 * the single writer (the calling thread) hands results to the output in
 * trial order. Each trial's result depends only on its scenario and seed and
 * the writer's order is fixed, so the file's content is the same whatever the
 * number of threads.
 */
#ifndef CASEFLOW_RUNNER_H
#define CASEFLOW_RUNNER_H

#include <stddef.h>
#include "io_h5.h"
#include "io_study.h"
#include "results.h"

typedef struct runner_options {
    int threads;        /* >= 1 */
    int progress;       /* draw a progress bar on stderr */
} runner_options;

typedef struct runner_totals {
    results_row *rows;  /* one per trial of the slice, in trial order (malloc'ed) */
    size_t row_count;
    uint64_t events;
    uint64_t participants;
    double wall_seconds;
} runner_totals;

/* Runs trials [first, first + count) of the study, writing to out when it is
 * not NULL. Returns 0, or -1 with err filled. totals->rows must be freed
 * with runner_totals_free whatever the return value. */
int runner_run(const study *st, uint64_t first, uint64_t count, const runner_options *opt, h5out *out,
               runner_totals *totals, char *err, size_t err_size);

void runner_totals_free(runner_totals *t);

#endif
