/*
 * snapshot_csv.h — a programme's state as a CSV file (docs/SNAPSHOT.md):
 * read into a model_snapshot against a loaded scenario, and written back.
 */
#ifndef CASEFLOW_SNAPSHOT_CSV_H
#define CASEFLOW_SNAPSHOT_CSV_H

#include <stdio.h>
#include "model/model_params.h"

/* Parses text (name stands for the file in messages) against p's workers,
 * phases and profiles into out (freed with model_snapshot_free). Returns
 * 0, or -1 with why filled: one line "name:line:column (header): what was
 * expected, got what". */
int snapshot_csv_parse(const char *name, const char *text, const model_params *p, model_snapshot *out, char *why,
                       size_t why_size);

/* Writes s as CSV (the header, then one row per post, participant and
 * waiting person; phases and profiles by name). Returns 0, or -1 when the
 * stream fails. */
int snapshot_csv_write(FILE *f, const model_snapshot *s, const model_params *p);

#endif
