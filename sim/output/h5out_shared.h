/*
 * h5out_shared.h — what the HDF5 writer (h5out.c) shares with the resume
 * reader (h5prev.c); not part of the output API.
 */
#ifndef CASEFLOW_H5OUT_SHARED_H
#define CASEFLOW_H5OUT_SHARED_H

#include <stdint.h>
#include <hdf5.h>
#include "output/h5out.h"

/* A scalar attribute of obj read as type; 0, or -1 when absent or unreadable. */
int h5out_read_int_attr(hid_t obj, const char *name, hid_t type, void *value);

/* Copies row `row` of a per-trial dataset (first dimension the trial) from
 * one file to row to_row of the same-named dataset of another, whatever its
 * type; 0, or -1 when the shapes differ or reading or writing fails. */
int h5out_copy_row(hid_t from, hid_t to, const char *name, uint64_t row, uint64_t to_row);

/* The HDF5 file an h5out writes (its temporary file). */
hid_t h5out_file_id(const h5out *out);

#endif
