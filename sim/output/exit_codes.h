/*
 * exit_codes.h — the exit codes of caseflow, and the error classes that
 * travel with errors until the command line turns them into one.
 *
 * Owns the one list of codes (README "Exit codes", `caseflow --help`).
 * Functions that can fail in more than one way return 0 or one of these
 * classes with their message filled, so the command line never guesses the
 * class from the message's words. It lives in the output layer, the lowest
 * one whose errors come in several classes (merge refuses parts with 4,
 * cannot write with 3, runs out of memory with 1); everything the scenario
 * layer refuses is bad input (2) and needs no class.
 */
#ifndef CASEFLOW_EXIT_CODES_H
#define CASEFLOW_EXIT_CODES_H

typedef enum cf_exit {
    CF_EXIT_OK = 0,
    CF_EXIT_INTERNAL = 1,      /* internal error, out of memory, a thread could not start */
    CF_EXIT_INPUT = 2,         /* bad input: config, study, overrides, CLI usage, not enough memory to run */
    CF_EXIT_OUTPUT = 3,        /* output problem: path, write, disk, refused overwrite */
    CF_EXIT_MERGE = 4,         /* merge or resume refused: parts disagree, a damaged part */
    CF_EXIT_INTERRUPTED = 5,   /* SIGINT/SIGTERM: a valid file marked incomplete was written */
    CF_EXIT_TRIALS_FAILED = 6, /* some trials failed: the file has /failures, the others are kept */
    CF_EXIT_UNREACHABLE = 7    /* calibrate: no configuration meets the figure within the bounds */
} cf_exit;

#endif
