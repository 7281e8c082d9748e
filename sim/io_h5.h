/*
 * io_h5.h — run results out, as one HDF5 file.
 *
 * Owns the file layout (documented in docs/OUTPUT.md) and its atomic
 * creation: everything is written under a temporary name in the target's
 * directory and renamed over the final name only when complete, so a killed
 * or failed run never leaves a half-written file where results are expected,
 * and an earlier file of that name stays intact until the new one is whole.
 */
#ifndef CASEFLOW_IO_H5_H
#define CASEFLOW_IO_H5_H

#include <stddef.h>
#include "io_config.h"
#include "model_casework.h"

#define H5OUT_FORMAT_VERSION 1

typedef struct h5out h5out;

typedef struct h5out_meta {
    const char *program_version;
    const char *git_revision;
    const config_scenario *scenario;
} h5out_meta;

/* One metric's mean over replications with its 95 % confidence interval. */
typedef struct h5out_metric {
    const char *name;
    const char *unit;
    double mean, ci_low, ci_high;
    uint64_t replications;
} h5out_metric;

/* Creates the temporary file and the fixed-size datasets. Returns NULL with
 * err filled when the file cannot be created. */
h5out *h5out_create(const char *final_path, const h5out_meta *meta, char *err, size_t err_size);

/* Participant records are buffered and appended in chunks. */
int h5out_add_participant(h5out *out, const model_participant *p);

/* Stores replication r's summary and monthly series (r < replications). */
int h5out_write_replication(h5out *out, const model_result *r);

int h5out_write_summary(h5out *out, const h5out_metric *metrics, size_t n);

/* Flushes, closes and renames into place; returns 0, or -1 with err filled
 * (the temporary file is then removed). The handle is freed either way. */
int h5out_finish(h5out *out, char *err, size_t err_size);

/* Closes and removes the temporary file. */
void h5out_abort(h5out *out);

/* Text of the last HDF5 failure (for messages). */
const char *h5out_last_error(const h5out *out);

#endif
