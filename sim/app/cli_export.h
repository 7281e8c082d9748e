/*
 * cli_export.h — `caseflow export FILE.h5 --table NAME [--format csv|tsv]
 * [-o OUT] [--force]` and `caseflow export FILE.h5 --list`.
 *
 * Owns the command's arguments and its output file, which follows the run
 * writer's rules: written under a temporary name beside the target and
 * renamed when whole, never over an existing file without --force, never
 * over anything but a regular file; without -o (or -o -), stdout.
 */
#ifndef CASEFLOW_CLI_EXPORT_H
#define CASEFLOW_CLI_EXPORT_H

/* argv[1] is "export". Returns the exit code: 0, 2 bad usage or input
 * (no such file or table), 3 output problem. */
int cli_export_command(int argc, char **argv);

#endif
