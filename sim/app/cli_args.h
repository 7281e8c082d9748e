/*
 * cli_args.h — the command line shared by `caseflow calibrate` and
 * `caseflow plan`: one input file, -o OUT, --threads N, --force, --quiet,
 * --help and (plan only) --write-study FILE.
 *
 * Owns the getopt_long walk and its messages, so the two commands cannot
 * drift apart in how they read or reject options. What the file and the
 * outputs mean stays with each command.
 */
#ifndef CASEFLOW_CLI_ARGS_H
#define CASEFLOW_CLI_ARGS_H

#include <stdio.h>

/* Returned by cli_args_parse when the command should go on. */
#define CLI_ARGS_CONTINUE (-1)

typedef struct cli_args {
    /* set by the caller before parsing */
    const char *command;     /* "plan": names the command in messages */
    const char *file_kind;   /* "a plan file": what the missing argument is */
    int with_write_study;    /* accept --write-study FILE */
    void (*usage)(FILE *out); /* --help's text */
    int threads;             /* the default worker count */
    /* filled by parsing */
    const char *file;        /* the one positional argument */
    const char *output;      /* -o */
    const char *study_out;   /* --write-study */
    int force, quiet;
    int resume;              /* --resume (commands with --write-study only: plan) */
} cli_args;

/* Reads argv (argv[1] is the command's name) into a. Returns
 * CLI_ARGS_CONTINUE, or the exit code to return now: CF_EXIT_OK after
 * --help, CF_EXIT_INPUT after a message on errout for bad usage. */
int cli_args_parse(cli_args *a, int argc, char **argv, FILE *out, FILE *errout);

#endif
