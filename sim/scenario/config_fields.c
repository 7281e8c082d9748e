/*
 * config_fields.c — small libconfig readings shared by the readers of
 * caseflow's own text files (plans, calibrations, studies): a text file
 * without NUL bytes, whether a setting is an integer, a finite number, and
 * the check that a group holds only known members. One copy, so the files
 * accept numbers and reject unknown keys the same way.
 */
#include "scenario/config.h"

#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *config_read_plain_text(const char *path, char *why, size_t why_size)
{
    size_t len = 0;
    char *buf = config_read_text(path, &len, why, why_size);
    if (buf && strlen(buf) != len) {
        snprintf(why, why_size, "contains NUL bytes; not a text file");
        free(buf);
        buf = NULL;
    }
    return buf;
}

int config_is_integer(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

int config_number_of(const config_setting_t *s, double *v)
{
    if (!s)
        return -1;
    if (config_is_integer(s)) {
        *v = (double)config_setting_get_int64(s);
        return 0;
    }
    if (config_setting_type(s) == CONFIG_TYPE_FLOAT) {
        *v = config_setting_get_float(s);
        return isfinite(*v) ? 0 : -1;
    }
    return -1;
}

int config_check_members(config_error *err, const char *path, const config_setting_t *g, const char *prefix,
                         const char *const *known, size_t n, const char *shape)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        int ok = 0;
        for (size_t k = 0; k < n; k++)
            ok |= name && strcmp(name, known[k]) == 0;
        if (ok)
            continue;
        char key[256];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", name ? name : "?");
        const char *hint = name ? config_closest(name, known, n) : NULL;
        if (hint)
            return config_fail(err, path, m, key, "unknown key (did you mean '%s'?)", hint);
        return config_fail(err, path, m, key, "unknown key (expected %s)", shape);
    }
    return 0;
}
