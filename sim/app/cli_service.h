/*
 * cli_service.h — the terminal summary's service levels, targets and
 * warnings (cli_main.c prints the rest).
 *
 * Owns how a planner reads them: warnings first, then per scenario the
 * wait for a place and the time in programme counting everyone (mean,
 * median, 90th and 95th percentiles, P(wait <= X)), offered load against
 * capacity, and every target with P(met) and its Wilson interval.
 */
#ifndef CASEFLOW_CLI_SERVICE_H
#define CASEFLOW_CLI_SERVICE_H

#include <stdio.h>
#include "output/diagnostics.h"
#include "output/h5out.h"
#include "output/results.h"
#include "scenario/study.h"

/* Computes the diagnostics of the study just written to out (every trial
 * finished, summary sum) and stores /diagnostics. Returns 0, or -1 with err
 * filled. d must be freed with diagnostics_free either way. */
int cli_diagnose(h5out *out, const results_summary *sum, size_t ns, diagnostics *d, char *err, size_t err_size);

/* "warning: ..." lines, one per warning; nothing when there are none. */
void cli_print_warnings(FILE *f, const diagnostics *d);

/* Scenario s's service levels, load and targets. d may be NULL. */
void cli_print_service(FILE *f, const study *st, int s, const results_summary *sum, size_t ns, const diagnostics *d);

/* Scenario s's targets alone, one line each with P(met) and its Wilson
 * interval: the summary of a study too large to print every scenario in
 * full still answers "is the target met" for each. */
void cli_print_targets(FILE *f, const study *st, int s, const results_summary *sum, size_t ns);

#endif
