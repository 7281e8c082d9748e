/*
 * diagnostics.h — is a scenario overloaded, is its warm-up long enough?
 *
 * Owns the two warnings a planner must see before any mean wait, their
 * numbers and the /diagnostics group of the output file (docs/OUTPUT.md):
 *
 *  - overloaded: the waiting list grows through the measured window. Per
 *    replication the least-squares slope of the month-end waiting list over
 *    the measured months; the warning fires when the 95 % interval of the
 *    mean slope over replications lies above 0 and the growth over the
 *    window (slope x months) is at least one person and at least a tenth of
 *    the mean list. The second condition keeps a stable list from warning
 *    one time in forty on noise alone once replications are many (the
 *    interval then excludes 0 for drifts nobody would call growth). With a
 *    single replication there is no interval and no warning.
 *  - unsettled: the warm-up is shorter than MSER-5 (engine/eng_warmup.h)
 *    suggests on the replication-averaged waiting-list and caseload
 *    (participants assigned) series, the larger of the two. MSER-5 looks
 *    at most half the run far: when its minimum lies there the suggestion
 *    is a lower bound ("at least"), and a warm-up beyond half the run can
 *    never be called too short by it (the trend warning still speaks).
 *
 * Also every scenario's offered load (accepted referrals x mean time in
 * programme: places wanted) against its capacity (caseload places), from
 * /summary. Everything is read back from the output file being written (its
 * /replications, /series/waiting and /series/active), so a run, a resumed
 * run and a merge of task files compute it the same way.
 */
#ifndef CASEFLOW_DIAGNOSTICS_H
#define CASEFLOW_DIAGNOSTICS_H

#include <stddef.h>
#include <hdf5.h>
#include "output/results.h"

#define DIAG_NAME_LEN 64

typedef struct diag_scenario {
    char name[DIAG_NAME_LEN];
    double offered_load, capacity;      /* participants; NaN when unknown */
    double mean_waiting;                /* the time-average list after warm-up */
    double trend, trend_lo, trend_hi;   /* people per month, 95 % CI over replications */
    uint64_t replications;
    int overloaded;
    int suggested_warmup_months;        /* MSER-5; -1 when the run is too short to tell */
    int settle_at_limit;                /* MSER-5's minimum at half the run: not settled */
    int unsettled;                      /* never set for a run from a snapshot */
    int from_snapshot;                  /* started from a recorded state (run.snapshot) */
} diag_scenario;

typedef struct diagnostics {
    int scenarios;
    int warmup_months, horizon_months;
    diag_scenario *s;                   /* [scenarios] */
    int overloaded, unsettled;          /* in any scenario */
    char *warnings;                     /* one per line, "" when none */
} diagnostics;

/* Computes the diagnostics of an open caseflow file whose trials are all
 * written and whose summary is sum (n entries). Returns 0, or -1 with err
 * filled (out of memory, a dataset missing). d must be released with
 * diagnostics_free whatever the return value. */
int diagnostics_compute(hid_t file, const results_summary *sum, size_t n, diagnostics *d, char *err,
                        size_t err_size);

/* Writes the root-level group /diagnostics. Returns 0 or -1. */
int diagnostics_write(hid_t file, const diagnostics *d);

void diagnostics_free(diagnostics *d);

#endif
