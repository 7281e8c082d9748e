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
    model_snapshot *snapshot; /* run.snapshot's rows (owned; model.snapshot points here), or NULL */
} config_scenario;

typedef struct config_error {
    char message[1024];
} config_error;

/* Loads and validates path, then applies the overrides ("key=value" each).
 * Returns 0, or -1 with err->message set. */
int config_load(config_scenario *sc, const char *path, const char *const *overrides, int n_overrides,
                config_error *err);

/* The same from text held in memory (a stored scenario, a test's text):
 * name stands for the file in messages ("name:line: key: what") and is
 * stored as sc->path. Nothing is read from or written to the file system. */
int config_load_text(config_scenario *sc, const char *name, const char *text, const char *const *overrides,
                     int n_overrides, config_error *err);

/* The same for a text whose includes config_expand_includes has expanded
 * (map: where its lines came from, for messages), so a study expands its
 * base once for all its scenarios. */
typedef struct config_line_map config_line_map;
int config_load_expanded(config_scenario *sc, const char *name, const char *expanded, const config_line_map *map,
                         const char *const *overrides, int n_overrides, config_error *err);

/* A scenario file's text as config_load reads it; NULL with err filled
 * ("path: (file): cannot open: ...") when it cannot be read or is not text. */
char *config_read_scenario(const char *path, config_error *err);

/* Sets numeric keys of a loaded scenario (plain keys, distribution
 * parameters such as casework.meeting_hours.mean, shares such as
 * exits.shares.work) to values, validated exactly like `-s key=value`: each
 * key's range, then every check of the whole scenario, with the same
 * messages. The values are added to sc->overrides (shortest round-trip
 * text), so the stored text and overrides still reproduce the scenario.
 * Returns 0, or -1 with err filled and sc unchanged. */
int config_set_numbers(config_scenario *sc, const char *const *keys, const double *values, int n,
                       config_error *err);
int config_set_number(config_scenario *sc, const char *key, double value, config_error *err);

/* dst becomes the loaded scenario src with more "key=value" overrides and
 * then numbers (as config_set_numbers) applied, loaded again from src's
 * stored text: the same validation, no file read. With none, a copy. */
int config_derive(config_scenario *dst, const config_scenario *src, const char *const *overrides, int n_overrides,
                  const char *const *keys, const double *values, int n_values, config_error *err);
int config_copy(config_scenario *dst, const config_scenario *src, config_error *err);

void config_scenario_free(config_scenario *sc);

/* Every key of a loaded scenario after defaults, study settings and
 * overrides (see config_resolve.c for the names and the order). */
typedef struct config_resolved_key {
    char *key;       /* "staff.caseload_cap", "sources.kommun.rate_per_month", "sources.[0].schedule.[1].value" */
    char *text;      /* as written in a .cfg file: 0.08, "fifo", [1, 5] */
    double value;    /* the number (a bool 0/1); NaN for other values */
    int is_default;  /* the schema's default, not given in the text */
} config_resolved_key;

typedef struct config_resolved {
    config_resolved_key *keys;
    size_t count, capacity;
} config_resolved;

/* Lists sc's keys into out (freed with config_resolved_free). Returns 0, or
 * -1 with err filled (out of memory). */
int config_resolve(const config_scenario *sc, config_resolved *out, config_error *err);
void config_resolved_free(config_resolved *r);
const config_resolved_key *config_resolved_find(const config_resolved *r, const char *key);

/* 1 when an item's name can stand in a key path (no dots, brackets,
 * spaces, quotes or '='); items with other names are known by index. */
int config_plain_name(const char *name);

/* ---- texts before parsing (config_include.c) ---- */

#define CONFIG_MAX_INCLUDE_DEPTH 10
#define CONFIG_MAX_NESTING 64

/* Where each line of an expanded text came from: line i (1-based) of the
 * text is line line[i-1] of files[file[i-1]]; files[0] is the text's own. */
typedef struct config_line_map {
    char **files;
    size_t file_count;
    int *file, *line;
    size_t lines, capacity;
} config_line_map;

/* text (of the file `name`) with every @include line replaced by the file
 * it names, relative to the including file's folder, recursively; map
 * filled (free with config_line_map_free). NULL with err filled ("name:line:
 * @include \"x\": why") when an included file is missing, not a regular
 * file (a FIFO, a directory), not text, or includes nest too deep. */
char *config_expand_includes(const char *name, const char *text, config_line_map *map, config_error *err);
void config_line_map_free(config_line_map *map);

/* Rewrites a message "name:LINE: ..." about an expanded text to name the
 * included file and its own line. */
void config_map_message(config_error *err, const char *name, const config_line_map *map);

/* Why a text cannot be handed to libconfig (empty, or nested deeper than
 * libconfig's parser stack allows, which it reports as "memory
 * exhausted"), with the line in *line (0: none); NULL when it can. Brackets
 * inside strings and comments do not count. */
const char *config_text_problem(const char *text, int *line);

/* The shortest decimal text that reads back as exactly v ("0.08", not
 * "0.080000000000000002"); as_float adds ".0" to an integral value so it
 * reads back as a float ("4.0"). Returns buf. */
char *config_format_number(double v, int as_float, char *buf, size_t size);

/* Writes every key with its resolved value, unit and meaning, as a valid
 * scenario file. */
void config_print(FILE *out, const config_scenario *sc);

/* Writes the key reference (Markdown table) used in configs/README.md:
 * every key, list-item members as sources.[].rate_per_month. */
void config_print_reference(FILE *out);

/* The same as one JSON object, format "caseflow-keys" version 1 (the
 * format a web front end builds its form from). */
void config_print_keys_json(FILE *out);

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

/* config_read_text for a file that must be text: NUL bytes inside make it
 * NULL too, with why saying so (config_fields.c, as are the next three). */
char *config_read_plain_text(const char *path, char *why, size_t why_size);

/* Whether s is an integer setting (int or int64). */
int config_is_integer(const config_setting_t *s);

/* A finite number (integer or float) into *v: 0, or -1 when s is NULL, not
 * a number or not finite. */
int config_number_of(const config_setting_t *s, double *v);

/* Every member of group g must be one of known (n names, listed in `shape`
 * for the message); prefix names g in messages ("" for the root). 0, or -1
 * with err filled for the first unknown member (with a "did you mean"). */
int config_check_members(config_error *err, const char *path, const config_setting_t *g, const char *prefix,
                         const char *const *known, size_t n, const char *shape);

#endif
