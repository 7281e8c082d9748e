/*
 * outpath.h — where a result file goes, and how it gets there without
 * losing anything.
 *
 * Owns the rules every output file follows (results, merged studies):
 * - checked before any work is done: a path that is empty, names a
 *   directory, lies in a directory that does not exist or cannot be
 *   written, or is something other than a regular file (a device, a FIFO,
 *   a socket, a dangling symbolic link) is refused; a symbolic link to a
 *   regular file is followed, so the link stays and its target is replaced;
 * - written under a temporary name in the target's directory
 *   (NAME.partial-PID, shortened with a hash when NAME is too long for the
 *   suffix), flushed to disk, and moved into place in one step that never
 *   replaces anything unless asked to (--force, --resume), and then only a
 *   regular file; when a file appeared at the path meanwhile, both are kept;
 * - temporary files of runs that were killed (no process holds them any
 *   more) are removed by the next run at the same path.
 */
#ifndef CASEFLOW_OUTPATH_H
#define CASEFLOW_OUTPATH_H

#include <stdio.h>
#include <stddef.h>
#include "output/exit_codes.h"

/* Checks path as the place of a new result file, before any work is done.
 * replace: an existing regular file there may be replaced (else its
 * existence is refused). resolved (PATH_MAX bytes) receives the path to
 * write: path itself, or a symbolic link's target. Returns CF_EXIT_OK, or
 * CF_EXIT_OUTPUT with err holding one message that names path. */
int outpath_check(const char *path, int replace, char *resolved, size_t resolved_size, char *err, size_t err_size);

/* The temporary name of final_path for process pid, in the same directory:
 * final_path.partial-PID, or, when the file name and the suffix would pass
 * NAME_MAX, the name cut short with a hash of the whole name added. Returns
 * 0, or -1 when it does not fit in size. */
int outpath_temp_name(const char *final_path, long pid, char *buf, size_t size);

/* Removes temporary files of final_path left by earlier runs whose process
 * is gone (not alive on this machine, and no process holds the file's
 * lock), saying so on note (one line each) when note is not NULL. Returns
 * the number removed. */
int outpath_clean_partials(const char *final_path, FILE *note);

/* Moves the finished temporary file into place: flushes it to disk, then
 * renames it to final_path — without replace only when nothing is there
 * (renameat2 RENAME_NOREPLACE, else link), with replace over a regular file
 * only — and flushes the directory. When the move is refused the result is
 * kept under another name (final_path.new-PID), which err names. Returns
 * CF_EXIT_OK, or CF_EXIT_OUTPUT with err filled; the temporary file is gone
 * either way unless err says where it is. */
int outpath_commit(const char *temp_path, const char *final_path, int replace, char *err, size_t err_size);

#endif
