/*
 * io_h5.h — results out, as one HDF5 file per run, task or merged study.
 *
 * Owns the file layout (documented in docs/OUTPUT.md) and its atomic
 * creation: everything is written under a temporary name in the target's
 * directory and moved over the final name only when complete
 * (output/outpath.h: flushed to disk, never replacing anything but a
 * regular file, and nothing at all without leave), so a killed or failed
 * run never leaves a half-written file where results are expected, and an
 * earlier file of that name stays intact until the new one is whole.
 *
 * Every file has one shape: rows are trials (scenario x replication) of a
 * study, a plain run being a study of one scenario. A file holds a
 * contiguous slice of the study's trials (all of them unless it is a task's).
 */
#ifndef CASEFLOW_IO_H5_H
#define CASEFLOW_IO_H5_H

#include <stddef.h>
#include <hdf5.h>
#include "scenario/study.h"
#include "model/model_casework.h"
#include "output/results.h"
#include "output/money.h"
#include "output/exit_codes.h"

#define H5OUT_FORMAT_VERSION 3 /* 3: /resolved */

typedef struct h5out h5out;

typedef struct h5out_meta {
    const char *program_version;
    const char *git_revision;
    const study *st;
    uint64_t first_trial, trial_count;  /* the slice this file holds */
    int task, tasks;                    /* 0 and 1 unless a Slurm-style task */
} h5out_meta;

/* Creates the temporary file and the layout. Returns NULL with err filled
 * when the file cannot be created. */
h5out *h5out_create(const char *final_path, const h5out_meta *meta, char *err, size_t err_size);

/* Creates a file for trials [first, first + count) shaped like the open
 * caseflow file `like` (its study, scenarios and attributes), for merging. */
h5out *h5out_create_like(const char *final_path, hid_t like, uint64_t first, uint64_t count, char *err,
                         size_t err_size);

/* 1: h5out_finish may replace a regular file at the final path (--force,
 * --resume); 0 (the default): it replaces nothing, and a file that appeared
 * there during the run is kept beside the new one (output/outpath.h). */
void h5out_allow_replace(h5out *out, int replace);

/* Test hook (caseflow's CASEFLOW_TEST_FINISH_DELAY_MS): h5out_finish pauses
 * this long after closing the file and before moving it into place, so a
 * test can kill a run during its final write. Never set in real runs. */
void h5out_set_finish_delay(h5out *out, int ms);

/* Participant records are buffered and appended in chunks. */
int h5out_add_participant(h5out *out, const model_participant *p);

/* Stores one trial's row and monthly series (row->trial within the slice).
 * series may be NULL for a trial that did not finish (status 0 not run, 2
 * failed): its series then stay 0. */
int h5out_write_trial(h5out *out, const results_row *row, const model_series *series, const double *extras,
                      const double *money);

/* Copies trial data other than the row itself — every /series dataset,
 * /trial_extras and /money/trials — from row from_row of an open caseflow
 * file of the same study into this file's row for `trial` (a merge). */
int h5out_copy_trial_data(hid_t from, uint64_t from_row, h5out *out, uint64_t trial);

/* Records why a trial failed (status 2); h5out_finish stores the reasons in
 * /failures, a dataset that exists only when some trial failed. */
int h5out_add_failure(h5out *out, uint64_t trial, const char *reason);

/* Writes GROUP/summary and GROUP/paired_differences (GROUP "" for the
 * results, "/money" for the ledger). */
int h5out_write_summaries(h5out *out, const char *group, const results_summary *s, size_t n,
                          const results_difference *d, size_t nd);

/* Flushes, marks the file complete when every trial of the study is in it
 * and done, closes, syncs and moves it into place (outpath_commit); returns
 * 0, or -1 with err filled: the temporary file is then removed, or, when
 * only the move was refused, kept under a name err gives. The handle is
 * freed either way. Every failure is an output problem (CF_EXIT_OUTPUT). */
int h5out_finish(h5out *out, char *err, size_t err_size);

/* Closes and removes the temporary file. */
void h5out_abort(h5out *out);

const char *h5out_last_error(const h5out *out);
/* The class of the last error: CF_EXIT_OUTPUT, or CF_EXIT_INTERNAL when
 * memory ran out. */
cf_exit h5out_error_class(const h5out *out);

/* The open file, for writers of groups of their own (output/diagnostics.h)
 * between the last trial and h5out_finish. */
hid_t h5out_file(const h5out *out);

/* Sets (or replaces) a string root attribute, e.g. participant_records. */
int h5out_set_text_attribute(h5out *out, const char *name, const char *value);

/* Memory types of the tables, shared with the reader. Close with H5Tclose. */
hid_t h5out_row_type(void);
hid_t h5out_participant_type(void);

#endif
