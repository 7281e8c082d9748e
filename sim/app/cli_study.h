/*
 * cli_study.h — the terminal summary of a whole study: one table of every
 * scenario's headline metrics against the study's reference scenario, and
 * a sensitivity study's ranked Sobol indices.
 */
#ifndef CASEFLOW_CLI_STUDY_H
#define CASEFLOW_CLI_STUDY_H

#include <stdio.h>
#include "output/results.h"
#include "output/sensitivity.h"
#include "scenario/study.h"

/* One row per scenario: the mean of each headline metric the scenarios
 * have (waits and service levels, exits, good exits, reneging, cost per good
 * exit when there is money: msum may be NULL) and its paired difference
 * against st->reference with the 95 % half-width; the header says which
 * reference, and says so when the study names none. */
void cli_print_study_table(FILE *f, const study *st, const results_summary *sum, size_t ns,
                           const results_difference *diff, size_t nd, const results_summary *msum, size_t mns,
                           const results_difference *mdiff, size_t mnd);

/* The indices per metric, inputs ranked by total index. */
void cli_print_sensitivity(FILE *f, const sensitivity_result *r);

#endif
