/*
 * h5export.h — the tables of a caseflow results file as CSV or TSV, for
 * readers without HDF5 (spreadsheets, R's read.csv, pandas, awk).
 *
 * Owns which tables exist (named by their HDF5 paths, docs/OUTPUT.md
 * "Export"), their columns and row order, and reading them from the file in
 * chunks, so a table larger than memory (participants of a big study)
 * streams through. Compound tables are read by their members, not by a
 * fixed struct, so fields other writers add appear as columns by
 * themselves. Text formatting is csv_text's.
 */
#ifndef CASEFLOW_H5EXPORT_H
#define CASEFLOW_H5EXPORT_H

#include <stddef.h>
#include <stdio.h>
#include "output/exit_codes.h"

typedef enum h5export_format { H5EXPORT_CSV = 0, H5EXPORT_TSV } h5export_format;

/* Writes table `table` of the file at path to out. On failure returns
 * CF_EXIT_INPUT (not a caseflow file, no such table: err names the
 * tables it has) or CF_EXIT_OUTPUT (out's error flag was set by a write),
 * with err filled. */
int h5export_table(const char *path, const char *table, h5export_format format, FILE *out, char *err,
                   size_t err_size);

/* Lists the tables the file has, one a line: name, rows, what it is
 * (tab-separated). */
int h5export_list(const char *path, FILE *out, char *err, size_t err_size);

#endif
