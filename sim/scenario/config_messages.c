/*
 * config_messages.c — how the scenario loader (and the other readers of
 * caseflow's text files) say what is wrong: one line naming the file, the
 * line, the key and what was expected, with a "did you mean" for typos.
 */
#include "scenario/config_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Messages are one line: control characters that come from the file or the
 * command line (a string holding "\n", say) are shown escaped. */
void config_one_line(char *msg, size_t size)
{
    char out[sizeof ((config_error *)0)->message];
    size_t o = 0;
    for (const char *in = msg; *in && o + 5 < sizeof out; in++) {
        unsigned char c = (unsigned char)*in;
        if (c >= 0x20 && c != 0x7f)
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
    }
    out[o] = '\0';
    snprintf(msg, size, "%s", out);
}

int loader_fail(loader *ld, const config_setting_t *where, const char *key, const char *fmt, ...)
{
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = where ? (int)config_setting_source_line(where) : 0;
    /* An override inside the group the message is about (-s
     * casework.meeting_hours.sd=..., -s a.b.c.d=5 that made group a). */
    const char *inside = key && !override_given(ld, key) ? override_within(ld, key) : NULL;
    char setter[CONFIG_KEY_TEXT_LEN];
    if (inside)
        snprintf(setter, sizeof setter, "%.*s", (int)strcspn(inside, "="), inside);
    const char *given = key ? override_setting(ld, key) : NULL;
    if (given)
        snprintf(ld->err->message, sizeof ld->err->message, "%s: -s %.*s: %s", ld->path, (int)strcspn(given, "="),
                 given, what);
    else if (inside && line > 0)
        snprintf(ld->err->message, sizeof ld->err->message, "%s:%d: %s (with -s %s): %s", ld->path, line, key,
                 setter, what);
    else if (inside)
        snprintf(ld->err->message, sizeof ld->err->message, "%s: -s %s: %s: %s", ld->path, setter, key, what);
    else if (line > 0)
        snprintf(ld->err->message, sizeof ld->err->message, "%s:%d: %s: %s", ld->path, line,
                 key ? key : "(file)", what);
    else
        snprintf(ld->err->message, sizeof ld->err->message, "%s: %s: %s", ld->path, key ? key : "(file)",
                 what);
    config_one_line(ld->err->message, sizeof ld->err->message);
    return -1;
}

int config_fail(config_error *err, const char *path, const config_setting_t *where, const char *key,
                const char *fmt, ...)
{
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = where ? (int)config_setting_source_line(where) : 0;
    if (line > 0)
        snprintf(err->message, sizeof err->message, "%s:%d: %s: %s", path, line, key, what);
    else
        snprintf(err->message, sizeof err->message, "%s: %s: %s", path, key, what);
    config_one_line(err->message, sizeof err->message);
    return -1;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Closest of the candidates, if close enough to be a plausible typo. */
const char *config_closest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    size_t limit = strlen(word) / 3 + 1;
    return best_d <= limit ? best : NULL;
}

int loader_fail_unknown(loader *ld, const config_setting_t *s, const char *key)
{
    /* Candidates: every key path and every group on the way to one. */
    enum { MAX_GROUPS = 48 };
    const char *cands[CONFIG_SCHEMA_MAX + MAX_GROUPS];
    size_t n = 0;
    char local[MAX_GROUPS][48];
    size_t ng = 0;
    for (size_t i = 0; i < config_schema_size; i++) {
        cands[n++] = config_schema[i].path;
        for (const char *dot = strchr(config_schema[i].path, '.'); dot; dot = strchr(dot + 1, '.')) {
            size_t len = (size_t)(dot - config_schema[i].path);
            int seen = 0;
            for (size_t g = 0; g < ng; g++)
                seen |= strlen(local[g]) == len && strncmp(local[g], config_schema[i].path, len) == 0;
            if (!seen && ng < MAX_GROUPS && len < sizeof local[0]) {
                memcpy(local[ng], config_schema[i].path, len);
                local[ng][len] = '\0';
                ng++;
            }
        }
    }
    for (size_t g = 0; g < ng; g++)
        cands[n++] = local[g];
    const char *hint = config_closest(key, cands, n);
    if (hint)
        return loader_fail(ld, s, key, "unknown key (did you mean '%s'?)", hint);
    return loader_fail(ld, s, key, "unknown key");
}

int loader_fail_unknown_name(loader *ld, const config_setting_t *s, const char *key, const char *what, const char *name,
                             const char (*names)[MODEL_NAME_LEN], int n)
{
    const char *cands[64];
    for (int i = 0; i < n && i < 64; i++)
        cands[i] = names[i];
    const char *hint = config_closest(name, cands, (size_t)(n < 64 ? n : 64));
    if (hint)
        return loader_fail(ld, s, key, "no %s named '%s' (did you mean '%s'?)", what, name, hint);
    return loader_fail(ld, s, key, "no %s named '%s'", what, name);
}

const char *config_type_name(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP: return "a group";
    case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_ARRAY: return "an array";
    case CONFIG_TYPE_LIST: return "a list";
    default: return "something else";
    }
}
