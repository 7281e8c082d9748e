/*
 * h5prev.h — the resume reader: an earlier results file of the same study
 * and slice (caseflow run --resume), whose finished trials are copied into
 * the new file instead of being run again.
 */
#ifndef CASEFLOW_H5PREV_H
#define CASEFLOW_H5PREV_H

#include <stddef.h>
#include <stdint.h>
#include "output/h5out.h"

/* An earlier file of the same study and slice, being resumed (caseflow run
 * --resume): its finished trials are copied into the new file instead of
 * being run again. */
typedef struct h5prev h5prev;

/* Opens path into *prev and checks that it can be resumed by a run
 * described by meta: a caseflow file of the same study (study_digest),
 * build (program_version, git_revision) and slice, its tables of the
 * expected shape. Returns CF_EXIT_OK, else the class (CF_EXIT_MERGE:
 * refused; CF_EXIT_INTERNAL: out of memory) with err filled and *prev NULL. */
int h5prev_open(const char *path, const h5out_meta *meta, h5prev **prev, char *err, size_t err_size);

/* 1 when trial (a study trial index) is finished (status 1) in the file. */
int h5prev_has(const h5prev *p, uint64_t trial);
uint64_t h5prev_finished(const h5prev *p);

/* Copies a finished trial's row, series and participant records into out
 * and gives its row. Trials must be copied in increasing order (participant
 * records are read in one pass). Returns CF_EXIT_OK, or the class with err
 * filled (CF_EXIT_OUTPUT: writing failed; CF_EXIT_MERGE: the earlier file
 * cannot be read). */
int h5prev_copy_trial(h5prev *p, h5out *out, uint64_t trial, results_row *row, uint64_t *participants, char *err,
                      size_t err_size);

/* Row `trial` of a per-trial 2-D double dataset of the earlier file
 * (/trial_extras, /money/trials) into values (n columns). Returns 0, or -1
 * when the file has no such dataset or row. */
int h5prev_trial_values(h5prev *p, const char *dataset, uint64_t trial, double *values, size_t n);

/* A string root attribute of the earlier file into buf; returns 0, or -1
 * when it has none. */
int h5prev_text_attribute(h5prev *p, const char *name, char *buf, size_t size);

void h5prev_close(h5prev *p);

#endif
