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

enum merge_status { MERGE_OK = 0, MERGE_BAD_INPUT = 1, MERGE_REFUSED = 2, MERGE_OUTPUT = 3 };

/* Returns a merge_status; err holds one message when it is not MERGE_OK.
 * MERGE_BAD_INPUT: a part is unreadable or not a caseflow file;
 * MERGE_REFUSED: parts disagree (study, version) or trials are missing,
 * duplicated or unfinished; MERGE_OUTPUT: the merged file cannot be written. */
int merge_files(const char *out_path, const char *const *parts, int n_parts, char *err, size_t err_size);

#endif
