/*
 * cli_export.h — `caseflow export FILE.h5 --table NAME [--format csv|tsv]
 * [-o OUT] [--force]` and `caseflow export FILE.h5 --list`.
 *
 * Owns the command's arguments and its output file, which follows the rules
 * of every output file (output/outpath.h): checked before anything is read,
 * written under a temporary name beside the target and moved into place
 * when whole, never over an existing file without --force, never over
 * anything but a regular file (a symbolic link to one is followed);
 * without -o (or -o -), stdout.
 */
#ifndef CASEFLOW_CLI_EXPORT_H
#define CASEFLOW_CLI_EXPORT_H

/* argv[1] is "export". Returns the exit code (output/exit_codes.h): 0,
 * CF_EXIT_INPUT bad usage or input (no such file or table), CF_EXIT_OUTPUT
 * output problem, CF_EXIT_INTERNAL out of memory. */
int cli_export_command(int argc, char **argv);

#endif
