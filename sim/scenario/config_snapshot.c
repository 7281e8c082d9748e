/*
 * config_snapshot.c — run.snapshot: reading the CSV a run starts from and
 * keeping its text inside the scenario's (see config_snapshot.h for why).
 */
#include "scenario/config_snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "scenario/snapshot_csv.h"

int config_snapshot_section(struct loader *ld, const config_setting_t *s, config_scenario *sc)
{
    (void)ld;
    (void)s;
    (void)sc;
    return 0;
}

/* path relative to the folder of the scenario `name`, unless absolute. */
static char *resolve_path(const char *name, const char *path)
{
    const char *slash = strrchr(name, '/');
    size_t dir = path[0] == '/' || !slash ? 0 : (size_t)(slash - name) + 1;
    char *full = malloc(dir + strlen(path) + 1);
    if (full) {
        memcpy(full, name, dir);
        strcpy(full + dir, path);
    }
    return full;
}

/* s as a libconfig string literal: quotes, backslashes and line ends escaped. */
static char *quoted(const char *s)
{
    char *q = malloc(2 * strlen(s) + 3), *o = q;
    if (!q)
        return NULL;
    *o++ = '"';
    for (; *s; s++) {
        if (*s == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (*s == '\r') {
            continue;
        } else {
            if (*s == '"' || *s == '\\')
                *o++ = '\\';
            *o++ = *s;
        }
    }
    *o++ = '"';
    *o = '\0';
    return q;
}

static int stored_append(const char *source, const char *csv, char **append)
{
    char *qs = quoted(source), *qc = quoted(csv);
    size_t n = (qs ? strlen(qs) : 0) + (qc ? strlen(qc) : 0) + strlen(CONFIG_SNAPSHOT_MARKER) + 64;
    *append = qs && qc ? malloc(n) : NULL;
    if (*append)
        snprintf(*append, n, "%ssnapshot_stored: { source = %s; csv = %s; };\n", CONFIG_SNAPSHOT_MARKER, qs, qc);
    free(qs);
    free(qc);
    return *append ? 0 : -1;
}

int config_snapshot_read(const config_t *cfg, const char *name, config_scenario *sc, char **append,
                         config_error *err)
{
    *append = NULL;
    const config_setting_t *key = config_lookup(cfg, "run.snapshot");
    const config_setting_t *stored = config_lookup(cfg, "snapshot_stored");
    const char *path = NULL, *source = NULL, *csv = NULL;
    if (key) {
        if (config_setting_type(key) != CONFIG_TYPE_STRING)
            return config_fail(err, name, key, "run.snapshot", "expected a CSV file name (a string), got %s",
                               config_type_name(key));
        path = config_setting_get_string(key);
    }
    if (stored) {
        if (config_setting_type(stored) != CONFIG_TYPE_GROUP ||
            config_setting_lookup_string(stored, "source", &source) != CONFIG_TRUE ||
            config_setting_lookup_string(stored, "csv", &csv) != CONFIG_TRUE)
            return config_fail(err, name, stored, "snapshot_stored",
                               "expected { source = \"file.csv\"; csv = \"...\"; } as caseflow writes it");
    }
    if (!path && !stored)
        return 0;
    char *text = NULL, *file = NULL;
    int rc = -1;
    if (path && (!stored || strcmp(path, source) != 0)) {
        file = resolve_path(name, path);
        char why[300];
        size_t len = 0;
        text = file ? config_read_text(file, &len, why, sizeof why) : NULL;
        if (!text) {
            rc = config_fail(err, name, key, "run.snapshot", "%s: %s", file ? file : path,
                             file ? why : "out of memory");
            goto out;
        }
        if (memchr(text, '\0', len)) {
            rc = config_fail(err, name, key, "run.snapshot", "%s: contains NUL bytes; not a CSV file", file);
            goto out;
        }
        if (stored_append(path, text, append) != 0) {
            rc = config_fail(err, name, NULL, NULL, "out of memory");
            goto out;
        }
        csv = text;
        source = path;
    }
    sc->snapshot = calloc(1, sizeof *sc->snapshot);
    if (!sc->snapshot) {
        rc = config_fail(err, name, NULL, NULL, "out of memory");
        goto out;
    }
    char why[sizeof err->message];
    if (snapshot_csv_parse(file ? file : source, csv, &sc->model, sc->snapshot, why, sizeof why) != 0) {
        snprintf(err->message, sizeof err->message, "%s", why);
        config_one_line(err->message, sizeof err->message);
        goto out;
    }
    sc->model.snapshot = sc->snapshot;
    rc = 0;
out:
    if (rc != 0) {
        free(*append);
        *append = NULL;
    }
    free(text);
    free(file);
    return rc;
}
