/*
 * config.h — scenario files in, validated parameters out.
 *
 * Owns the scenario schema (every key: type, range, default, unit, meaning),
 * reading libconfig files, command-line overrides (-s key=value), and the
 * error messages a user sees for a bad file: one message naming the file,
 * the line, the key path and what was expected. Nothing downstream ever sees
 * an unvalidated value.
 *
 * The implementation is cut by job (config_internal.h lists the files):
 * schema, loading, messages, sections, money, overrides and printing.
 */
#ifndef CASEFLOW_IO_CONFIG_H
#define CASEFLOW_IO_CONFIG_H

#include <stdint.h>
#include <stdio.h>
#include <libconfig.h>
#include "model/model_casework.h"
#include "model/money_params.h"

#define CONFIG_MAX_OVERRIDES 64

typedef struct config_scenario {
    model_params model;
    money_params money; /* the `money` section; money.enabled = 0 without it */
    int replications;
    uint64_t seed;
    char *path;        /* as given */
    char *text;        /* the file's full text, stored with the results */
    char *overrides;   /* "key=value" lines applied on top, or "" */
} config_scenario;

typedef struct config_error {
    char message[1024];
} config_error;

/* Loads and validates path, then applies the overrides ("key=value" each).
 * Returns 0, or -1 with err->message set. */
int config_load(config_scenario *sc, const char *path, const char *const *overrides, int n_overrides,
                config_error *err);
void config_scenario_free(config_scenario *sc);

/* Writes every key with its resolved value, unit and meaning, as a valid
 * scenario file. */
void config_print(FILE *out, const config_scenario *sc);

/* Writes the key reference (Markdown table) used in configs/README.md. */
void config_print_reference(FILE *out);

/* The resolved numeric value of a key path (a plain key, a distribution's
 * parameter such as casework.meeting_hours.mean, or a share such as
 * exits.shares.work). Returns 0, or -1 if the path names no number. */
int config_get_number(const config_scenario *sc, const char *path, double *value);

/* Shared by the readers of caseflow's text files (studies, calibrations): */

/* Fills err with one line "path:line: key: what" (line from the setting,
 * left out when unknown) and returns -1. */
int config_fail(config_error *err, const char *path, const config_setting_t *where, const char *key,
                const char *fmt, ...);

/* "an integer", "a string", ... for a setting, in messages. */
const char *config_type_name(const config_setting_t *s);

/* Shows control characters escaped, so a message stays one line. */
void config_one_line(char *msg, size_t size);

/* The candidate closest to word, if close enough to be a plausible typo. */
const char *config_closest(const char *word, const char *const *cands, size_t n);

/* A whole text file (at most 64 MiB), NUL-terminated, its length in *len;
 * NULL with why filled when it cannot be read. */
char *config_read_text(const char *path, size_t *len, char *why, size_t why_size);

#endif
