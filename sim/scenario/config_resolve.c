/*
 * config_resolve.c — every key of a loaded scenario with its value, after
 * defaults, a study's scenario settings and -s overrides: what the HDF5
 * file stores as /resolved and what `caseflow check` compares.
 *
 * The walk goes over the scenario's tree (its stored text with its stored
 * overrides applied), in schema order: the top-level keys of config_schema,
 * and inside lists and groups the members in config_items order, each
 * either as given or, when the item lacks it, as its default. A list item
 * is named by its `name` (or, without one, its `role`) where that is unique
 * in the list and a plain word, else by its index: sources.kommun.rate_per_month,
 * sources.[0].schedule.[1].value. The same names address keys in -s.
 *
 * Values are written as they would be in a .cfg file: shortest round-trip
 * numbers (0.08, floats keep a ".0"), quoted strings, arrays as [a, b].
 * Re-reading the stored text costs a parse per scenario (well under a
 * millisecond for the shipped scenarios); keeping every scenario's tree
 * instead would cost memory in studies of thousands of scenarios.
 */
#include "scenario/config_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct walk {
    config_resolved *out;
    int failed; /* out of memory */
} walk;

static void add(walk *w, const char *key, const char *text, double value, int is_default)
{
    config_resolved *r = w->out;
    if (w->failed)
        return;
    if (r->count == r->capacity) {
        size_t cap = r->capacity ? 2 * r->capacity : 64;
        config_resolved_key *grown = realloc(r->keys, cap * sizeof *grown);
        if (!grown) {
            w->failed = 1;
            return;
        }
        r->keys = grown;
        r->capacity = cap;
    }
    config_resolved_key *k = &r->keys[r->count];
    k->key = strdup(key);
    k->text = strdup(text);
    k->value = value;
    k->is_default = is_default;
    if (!k->key || !k->text) {
        free(k->key);
        free(k->text);
        w->failed = 1;
        return;
    }
    r->count++;
}

/* A growing text buffer for values. */
typedef struct text {
    char buf[4096];
    size_t len;
} text;

static void put(text *t, const char *fmt, ...)
{
    if (t->len >= sizeof t->buf - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof t->buf - t->len ? (size_t)n : sizeof t->buf - t->len - 1;
}

static void put_string(text *t, const char *s)
{
    put(t, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(t, "\\%c", c);
        else if (c == '\n')
            put(t, "\\n");
        else if (c == '\t')
            put(t, "\\t");
        else if (c < 0x20 || c == 0x7f)
            put(t, "\\x%02x", c);
        else
            put(t, "%c", c);
    }
    put(t, "\"");
}

/* A scalar setting's text and number; 0, or -1 when s is not a scalar. */
static int scalar(const config_setting_t *s, text *t, double *value)
{
    char num[40];
    *value = NAN;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: {
        long long v = config_setting_get_int64(s);
        put(t, "%lld%s", v, v > INT32_MAX || v < INT32_MIN ? "L" : "");
        *value = (double)v;
        return 0;
    }
    case CONFIG_TYPE_FLOAT:
        *value = config_setting_get_float(s);
        put(t, "%s", config_format_number(*value, 1, num, sizeof num));
        return 0;
    case CONFIG_TYPE_BOOL:
        *value = config_setting_get_bool(s);
        put(t, "%s", *value ? "true" : "false");
        return 0;
    case CONFIG_TYPE_STRING:
        put_string(t, config_setting_get_string(s));
        return 0;
    default:
        return -1;
    }
}

int config_plain_name(const char *name)
{
    if (!*name || strlen(name) >= MODEL_NAME_LEN)
        return 0;
    for (const char *c = name; *c; c++)
        if (isspace((unsigned char)*c) || strchr(".[]=\"'", *c) || (unsigned char)*c < 0x20)
            return 0;
    return 1;
}

/* An item's name in keys: its name (or role) when that is a plain word
 * unique in the list, else its index in brackets. */
static void item_label(const config_setting_t *list, int i, char *out, size_t size)
{
    const config_setting_t *item = config_setting_get_elem(list, (unsigned)i);
    const char *by[] = {"name", "role"};
    for (size_t b = 0; b < 2 && config_setting_type(item) == CONFIG_TYPE_GROUP; b++) {
        const char *name = NULL;
        if (!config_setting_lookup_string(item, by[b], &name))
            continue;
        int plain = config_plain_name(name) && strlen(name) < size;
        for (int j = 0; plain && j < config_setting_length(list); j++) {
            const char *other = NULL;
            const config_setting_t *e = config_setting_get_elem(list, (unsigned)j);
            plain = j == i || config_setting_type(e) != CONFIG_TYPE_GROUP ||
                    !config_setting_lookup_string(e, by[b], &other) || strcmp(other, name) != 0;
        }
        if (plain) {
            snprintf(out, size, "%s", name);
            return;
        }
        break; /* an item with a name that cannot be used is known by its index */
    }
    snprintf(out, size, "[%d]", i);
}

static void emit(walk *w, const char *key, const char *pattern, const config_setting_t *s);

/* A default of a schema member the item or group lacks. */
static void emit_item_default(walk *w, const char *key, const item_key *k)
{
    if (!k->fallback)
        return;
    text t = {.len = 0};
    double value = NAN;
    char num[40];
    switch (k->type) {
    case ITEM_FLOAT:
        value = strtod(k->fallback, NULL);
        put(&t, "%s", config_format_number(value, 1, num, sizeof num));
        break;
    case ITEM_INT:
        value = strtod(k->fallback, NULL);
        put(&t, "%s", k->fallback);
        break;
    case ITEM_BOOL:
        value = strcmp(k->fallback, "true") == 0;
        put(&t, "%s", k->fallback);
        break;
    case ITEM_STRING:
        put_string(&t, k->fallback);
        break;
    default:
        put(&t, "%s", k->fallback);
        break;
    }
    add(w, key, t.buf, value, 1);
}

/* A group's members: those the schema lists for pattern first, in its
 * order (given or default), then the others (names the scenario chose,
 * such as destinations), in the file's order. */
static void emit_group(walk *w, const char *key, const char *pattern, const config_setting_t *g)
{
    size_t plen = strlen(pattern);
    char sub[CONFIG_KEY_TEXT_LEN], sub_pattern[CONFIG_KEY_TEXT_LEN];
    for (size_t i = 0; i < config_items_size; i++) {
        const item_key *k = &config_items[i];
        const char *member = k->path + plen + 1;
        if (strncmp(k->path, pattern, plen) != 0 || k->path[plen] != '.' || strchr(member, '.'))
            continue;
        snprintf(sub, sizeof sub, "%s.%s", key, member);
        const config_setting_t *m = config_setting_get_member(g, member);
        if (m)
            emit(w, sub, k->path, m);
        else
            emit_item_default(w, sub, k);
    }
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        snprintf(sub_pattern, sizeof sub_pattern, "%s.%s", pattern, config_setting_name(m));
        if (items_find(sub_pattern))
            continue;
        snprintf(sub, sizeof sub, "%s.%s", key, config_setting_name(m));
        emit(w, sub, sub_pattern, m);
    }
}

/* Any setting under key: scalars and arrays are one key each; groups and
 * lists of groups are walked. */
static void emit(walk *w, const char *key, const char *pattern, const config_setting_t *s)
{
    text t = {.len = 0};
    double value;
    if (scalar(s, &t, &value) == 0) {
        add(w, key, t.buf, value, 0);
        return;
    }
    int type = config_setting_type(s);
    if (type == CONFIG_TYPE_GROUP) {
        emit_group(w, key, pattern, s);
        return;
    }
    int n = config_setting_length(s);
    int of_groups = type == CONFIG_TYPE_LIST && n > 0;
    for (int i = 0; i < n; i++)
        of_groups &= config_setting_type(config_setting_get_elem(s, (unsigned)i)) == CONFIG_TYPE_GROUP;
    if (of_groups) {
        char sub[CONFIG_KEY_TEXT_LEN], label[MODEL_NAME_LEN + 8], item_pattern[CONFIG_KEY_TEXT_LEN];
        snprintf(item_pattern, sizeof item_pattern, "%s.[]", pattern);
        for (int i = 0; i < n; i++) {
            item_label(s, i, label, sizeof label);
            snprintf(sub, sizeof sub, "%s.%s", key, label);
            emit_group(w, sub, item_pattern, config_setting_get_elem(s, (unsigned)i));
        }
        return;
    }
    /* An array or a list of scalars: [a, b] as in a file. */
    put(&t, type == CONFIG_TYPE_ARRAY ? "[" : "(");
    for (int i = 0; i < n; i++) {
        double ignored;
        if (i)
            put(&t, ", ");
        if (scalar(config_setting_get_elem(s, (unsigned)i), &t, &ignored) != 0)
            put(&t, "...");
    }
    put(&t, type == CONFIG_TYPE_ARRAY ? "]" : ")");
    add(w, key, t.buf, NAN, 0);
}

/* A top-level key's default, written as in a file. */
static void emit_schema_default(walk *w, const config_key *k)
{
    text t = {.len = 0};
    double value = NAN;
    char num[40];
    switch (k->type) {
    case KEY_FLOAT:
        value = strtod(k->fallback, NULL);
        put(&t, "%s", config_format_number(value, 1, num, sizeof num));
        break;
    case KEY_INT:
    case KEY_SEED:
        value = strtod(k->fallback, NULL);
        put(&t, "%s", k->fallback);
        break;
    case KEY_ENUM:
        put_string(&t, k->fallback);
        break;
    default:
        return;
    }
    add(w, k->path, t.buf, value, 1);
}

int config_resolve(const config_scenario *sc, config_resolved *out, config_error *err)
{
    memset(out, 0, sizeof *out);
    loader ld;
    int rc = loader_open_scenario(&ld, sc, err);
    walk w = {.out = out};
    for (size_t i = 0; rc == 0 && i < config_schema_size; i++) {
        const config_key *k = &config_schema[i];
        const config_setting_t *s = config_lookup(&ld.cfg, k->path);
        if (s)
            emit(&w, k->path, k->path, s);
        else if (k->fallback && schema_key_applies(k, sc))
            emit_schema_default(&w, k);
    }
    if (rc == 0 && w.failed) {
        snprintf(err->message, sizeof err->message, "%s: out of memory listing the resolved keys", sc->path);
        rc = -1;
    }
    loader_close(&ld);
    if (rc != 0)
        config_resolved_free(out);
    return rc;
}

void config_resolved_free(config_resolved *r)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->keys[i].key);
        free(r->keys[i].text);
    }
    free(r->keys);
    memset(r, 0, sizeof *r);
}

const config_resolved_key *config_resolved_find(const config_resolved *r, const char *key)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->keys[i].key, key) == 0)
            return &r->keys[i];
    return NULL;
}
