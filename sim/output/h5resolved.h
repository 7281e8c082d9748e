/*
 * h5resolved.h — the /resolved group of a result file: every key of every
 * scenario after defaults, study settings and -s overrides (the layout is
 * in docs/OUTPUT.md), so readers never parse scenario text.
 */
#ifndef CASEFLOW_H5RESOLVED_H
#define CASEFLOW_H5RESOLVED_H

#include <stddef.h>
#include <hdf5.h>
#include "scenario/study.h"

#define H5RESOLVED_FORMAT_VERSION 1

/* Writes /resolved of the study into file. Returns 0, or -1 with why
 * filled. */
int h5resolved_write(hid_t file, const study *st, char *why, size_t why_size);

#endif
