/*
 * io_merge.h — combining task files of one study into one study file.
 *
 * Owns the checks that make a merge safe — every part from the same study
 * and program build, every trial present exactly once and finished — and the
 * merged file itself, which is then indistinguishable in content from a
 * single-process run of the whole study (summaries included).
 */
#ifndef CASEFLOW_IO_MERGE_H
#define CASEFLOW_IO_MERGE_H

#include <stddef.h>
#include "output/exit_codes.h"

/* Merges the parts into out_path (replace: as h5out_meta's, --force).
 * Returns CF_EXIT_OK, or a class with err holding one message:
 * CF_EXIT_INPUT: a part is unreadable or not a caseflow file;
 * CF_EXIT_MERGE: parts disagree (study, version) or trials are missing,
 * duplicated or unfinished; CF_EXIT_OUTPUT: the merged file cannot be
 * written; CF_EXIT_INTERNAL: out of memory. */
int merge_files(const char *out_path, const char *const *parts, int n_parts, int replace, char *err,
                size_t err_size);

#endif
