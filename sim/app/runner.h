/*
 * runner.h — runs a slice of a study's trials and gathers what they report.
 *
 * Owns the trial loop: a pool of POSIX threads runs trials side by side, and
 * the single writer (the calling thread) hands results to the output in
 * trial order. Each trial's result depends only on its scenario and seed and
 * the writer's order is fixed, so the file's content is the same whatever the
 * number of threads.
 *
 * A run can stop early and still leave a valid file: on a stop request (a
 * signal, through runner_options.stop) no new trial starts, the rows of
 * trials not run keep status 0 and the file says it is incomplete; a resumed
 * run copies the finished trials of such a file instead of running them
 * again. A trial whose model run fails is marked failed (status 2, with the
 * reason) and the others are kept.
 *
 * A trial whose result holds a time that is not a finite number (an event
 * scheduled at NaN: a duration drew NaN or infinity) failed too: its
 * numbers would be meaningless, so they are never kept as a result.
 *
 * Test hooks (read by runner_run; never set them for real runs): the
 * environment variable CASEFLOW_TEST_FAIL_TRIAL=N (or N,M,...) makes study
 * trial N fail as if its model had failed an internal check, and
 * CASEFLOW_TEST_NAN_TRIAL=N makes its last participant's referral time NaN,
 * as a NaN event time would, so tests can exercise failure handling end to
 * end. CASEFLOW_TEST_HOLD=N:PATH makes the writer wait after study trial N
 * is written for as long as the file PATH exists (at most 300 s) or until a
 * stop request, so a test can kill or requeue a run at a known point
 * (tests/slurm/test_study_array.sh).
 */
#ifndef CASEFLOW_RUNNER_H
#define CASEFLOW_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include "output/h5out.h"
#include "output/h5prev.h"
#include "scenario/study.h"
#include "output/results.h"
#include "output/record_policy.h"

typedef struct runner_options {
    int threads;        /* >= 1 */
    int progress;       /* draw a progress bar on stderr (a terminal) */
    /* > 0: print a line "progress: D/T trials, P %, elapsed E s, eta X s"
     * on stderr every that many seconds (logs, where a bar is unreadable;
     * format in docs/OUTPUT.md). 0: none. */
    double progress_every;
    /* Which participant records go to the file (NULL: all); the file's root
     * attribute participant_records says which. */
    const record_policy *records;
    /* Raised asynchronously (by a signal handler) to stop early: 1 takes no
     * new trials and lets those in progress finish, 2 or more also drops
     * those in progress. NULL: never stops early. */
    volatile sig_atomic_t *stop;
    /* An earlier, unfinished file of this study and slice: its finished
     * trials are copied instead of run (out must not be NULL). NULL: none. */
    h5prev *resume;
} runner_options;

typedef struct runner_totals {
    results_row *rows;  /* one per trial of the slice, in trial order (malloc'ed);
                           status says which finished (1), failed (2) or did not run (0) */
    money_row *money;   /* the money ledger per trial, when the scenarios have one (else NULL) */
    size_t row_count;
    uint64_t events;
    uint64_t participants;  /* participant records written (or that would be, without a file) */
    double wall_seconds;
    uint64_t done;      /* finished trials, copied ones included */
    uint64_t copied;    /* of which copied from the file resumed */
    uint64_t failed;    /* status 2; reasons given to h5out_add_failure */
    uint64_t not_run;   /* status 0: stopped before they ran, or dropped */
    int stopped;        /* a stop request was seen */
    uint64_t first_failed;     /* the first failed trial and why (when failed > 0) */
    char first_reason[256];
} runner_totals;

/* Runs trials [first, first + count) of the study, writing to out when it is
 * not NULL. Returns 0, or the error's class with err filled (CF_EXIT_OUTPUT:
 * writing failed; CF_EXIT_MERGE: the file resumed cannot be read;
 * CF_EXIT_INTERNAL: out of memory, no thread). A trial that fails is not an
 * error of the run (see totals->failed). totals->rows must be freed with
 * runner_totals_free whatever the return value. */
int runner_run(const study *st, uint64_t first, uint64_t count, const runner_options *opt, h5out *out,
               runner_totals *totals, char *err, size_t err_size);

void runner_totals_free(runner_totals *t);

/* Estimates the peak memory of running `count` trials of the study with
 * `threads` threads — the trials in flight (two per thread) each hold a
 * whole trial's participant records until they are written (the referrals
 * of the sources, plus those replacement and relapse bring per exit,
 * bounded by the exits the staff can make), plus the running models'
 * state, one row per trial and fixed costs — and compares it
 * with the memory available (MemAvailable, a cgroup limit, RLIMIT_AS).
 * Returns 0 when it fits (or nothing is known), else -1 with msg saying the
 * estimate, what it is made of and what to change. */
int runner_check_memory(const study *st, uint64_t count, int threads, char *msg, size_t msg_size);

#endif
