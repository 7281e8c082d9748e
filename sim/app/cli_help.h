/*
 * cli_help.h — the help texts of the caseflow command line.
 *
 * Owns what `caseflow help [COMMAND]`, `caseflow COMMAND --help` and
 * `caseflow --help` print: each command's synopsis, what it does, its
 * options, examples and exit codes. docs/caseflow.1 (the man page) says the
 * same in roff; tests/test_help.c checks that every command has a page and
 * that every option the pages name is in the man page.
 */
#ifndef CASEFLOW_CLI_HELP_H
#define CASEFLOW_CLI_HELP_H

#include <stdio.h>

/* Prints COMMAND's help (NULL: the overview of all commands). Returns 0,
 * or -1 without printing for a command that does not exist. */
int cli_help_print(FILE *out, const char *command);

/* The command names that have a page, NULL-terminated. */
extern const char *const cli_help_commands[];

/* `caseflow help [COMMAND]`: argv[0] the program, argv[1] "help". Returns
 * the exit code (0, or 2 for an unknown command, with a message). */
int cli_help_command(int argc, char **argv);

#endif
