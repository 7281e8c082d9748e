/*
 * runner.h — runs a scenario's replications and gathers what they report.
 *
 * Owns the replication loop: seeds (replication r runs on
 * rng_derive(master seed, r)), a pool of POSIX threads that run replications
 * side by side, and the single writer (the calling thread) that hands
 * results to the output in replication order. Because each replication's
 * result depends only on its seed and the writer's order is fixed, the file's
 * content is the same whatever the number of threads.
 */
#ifndef CASEFLOW_RUNNER_H
#define CASEFLOW_RUNNER_H

#include <stddef.h>
#include "io_config.h"
#include "io_h5.h"

#define RUNNER_MAX_METRICS (8 + 2 * MODEL_MAX_DESTINATIONS)

typedef struct runner_totals {
    size_t metric_count;
    h5out_metric metrics[RUNNER_MAX_METRICS];
    char names[RUNNER_MAX_METRICS][48];
    uint64_t events;
    uint64_t participants;
    double wall_seconds;
} runner_totals;

/* Runs every replication with the given number of threads (>= 1), writing
 * to out when it is not NULL. Returns 0, or -1 with err filled. */
int runner_run(const config_scenario *sc, int threads, h5out *out, runner_totals *totals, char *err,
               size_t err_size);

/* The seed replication r of a scenario runs on. */
uint64_t runner_replication_seed(uint64_t master_seed, uint32_t replication);

#endif
