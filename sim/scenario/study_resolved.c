/*
 * study_resolved.c — the resolved keys of every scenario of a study as one
 * table: the union of their keys in schema order (the order each scenario
 * lists them in; a key only some scenarios have goes after the key it
 * follows there), and per scenario the text, number and default flag of
 * each (empty and NaN where a scenario lacks the key).
 *
 * A study may hold many thousands of scenarios that differ from the base in
 * a few keys, so the base's keys are kept whole and every other scenario
 * only as its differences from the base; rows are built on demand. Keys are
 * found through a hash table, so building is linear in the number of keys.
 */
#include "scenario/study.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct node {
    char *key;
    struct node *next;   /* union order */
    size_t index;        /* position in the union, set at the end */
    int seen;            /* last scenario that listed the key, plus one */
    long base;           /* entry in the base's list, or -1 */
} node;

typedef struct diff {
    node *at;
    char *text;          /* NULL: the scenario lacks the key */
    double value;
    int is_default;
} diff;

struct study_resolved {
    int scenarios;
    config_resolved base;
    node *head;
    node **table;        /* open addressing over key hashes */
    size_t table_size, key_count;
    node **ordered;      /* key_count nodes in union order */
    diff **diffs;        /* per scenario */
    size_t *diff_count;
};

static uint64_t hash_of(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static node **slot_of(study_resolved *r, const char *key)
{
    size_t i = (size_t)(hash_of(key) & (r->table_size - 1));
    while (r->table[i] && strcmp(r->table[i]->key, key) != 0)
        i = (i + 1) & (r->table_size - 1);
    return &r->table[i];
}

static int grow_table(study_resolved *r)
{
    size_t size = r->table_size ? 2 * r->table_size : 1024;
    node **old = r->table;
    size_t old_size = r->table_size;
    r->table = calloc(size, sizeof *r->table);
    if (!r->table) {
        r->table = old;
        return -1;
    }
    r->table_size = size;
    for (size_t i = 0; i < old_size; i++)
        if (old[i])
            *slot_of(r, old[i]->key) = old[i];
    free(old);
    return 0;
}

/* The node of key, inserted after prev (at the head when prev is NULL)
 * when it is new; NULL without memory. */
static node *intern(study_resolved *r, const char *key, node *prev)
{
    if (2 * (r->key_count + 1) > r->table_size && grow_table(r) != 0)
        return NULL;
    node **slot = slot_of(r, key);
    if (*slot)
        return *slot;
    node *n = calloc(1, sizeof *n);
    if (!n || !(n->key = strdup(key))) {
        free(n);
        return NULL;
    }
    n->base = -1;
    n->next = prev ? prev->next : r->head;
    if (prev)
        prev->next = n;
    else
        r->head = n;
    *slot = n;
    r->key_count++;
    return n;
}

static int add_diff(study_resolved *r, int s, size_t *cap, node *at, const config_resolved_key *k)
{
    if (r->diff_count[s] == *cap) {
        size_t grown_cap = *cap ? 2 * *cap : 8;
        diff *grown = realloc(r->diffs[s], grown_cap * sizeof *grown);
        if (!grown)
            return -1;
        r->diffs[s] = grown;
        *cap = grown_cap;
    }
    diff *d = &r->diffs[s][r->diff_count[s]];
    d->at = at;
    d->text = k ? strdup(k->text) : NULL;
    d->value = k ? k->value : NAN;
    d->is_default = k ? k->is_default : 0;
    if (k && !d->text)
        return -1;
    r->diff_count[s]++;
    return 0;
}

/* Scenario s's keys into the union, and where they differ from the base. */
static int add_scenario(study_resolved *r, int s, const config_resolved *keys)
{
    node *prev = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < keys->count; i++) {
        const config_resolved_key *k = &keys->keys[i];
        node *n = intern(r, k->key, prev);
        if (!n)
            return -1;
        n->seen = s + 1;
        if (s == 0)
            n->base = (long)i;
        else if (n->base < 0 || strcmp(r->base.keys[n->base].text, k->text) != 0 ||
                 r->base.keys[n->base].is_default != k->is_default)
            if (add_diff(r, s, &cap, n, k) != 0)
                return -1;
        prev = n;
    }
    for (node *n = r->head; s > 0 && n; n = n->next)
        if (n->base >= 0 && n->seen != s + 1 && add_diff(r, s, &cap, n, NULL) != 0)
            return -1;
    return 0;
}

int study_resolve(const study *st, study_resolved **out, config_error *err)
{
    study_resolved *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        goto oom;
    r->scenarios = st->scenario_count;
    r->diffs = calloc((size_t)st->scenario_count, sizeof *r->diffs);
    r->diff_count = calloc((size_t)st->scenario_count, sizeof *r->diff_count);
    if (!r->diffs || !r->diff_count)
        goto oom;
    for (int s = 0; s < st->scenario_count; s++) {
        config_resolved keys;
        if (config_resolve(&st->scenarios[s].sc, s == 0 ? &r->base : &keys, err) != 0) {
            study_resolved_free(r);
            return -1;
        }
        int rc = add_scenario(r, s, s == 0 ? &r->base : &keys);
        if (s > 0)
            config_resolved_free(&keys);
        if (rc != 0)
            goto oom;
    }
    r->ordered = malloc((r->key_count ? r->key_count : 1) * sizeof *r->ordered);
    if (!r->ordered)
        goto oom;
    size_t i = 0;
    for (node *n = r->head; n; n = n->next) {
        n->index = i;
        r->ordered[i++] = n;
    }
    *out = r;
    return 0;
oom:
    snprintf(err->message, sizeof err->message, "%s: out of memory listing the resolved keys", st->path);
    study_resolved_free(r);
    return -1;
}

size_t study_resolved_key_count(const study_resolved *r)
{
    return r->key_count;
}

const char *study_resolved_key(const study_resolved *r, size_t k)
{
    return r->ordered[k]->key;
}

void study_resolved_row(const study_resolved *r, int s, const char **text, double *value, unsigned char *is_default)
{
    for (size_t k = 0; k < r->key_count; k++) {
        const node *n = r->ordered[k];
        const config_resolved_key *b = n->base >= 0 ? &r->base.keys[n->base] : NULL;
        text[k] = b ? b->text : "";
        value[k] = b ? b->value : NAN;
        is_default[k] = b ? (unsigned char)b->is_default : 0;
    }
    for (size_t i = 0; s > 0 && i < r->diff_count[s]; i++) {
        const diff *d = &r->diffs[s][i];
        text[d->at->index] = d->text ? d->text : "";
        value[d->at->index] = d->value;
        is_default[d->at->index] = (unsigned char)d->is_default;
    }
}

int study_print_differences(FILE *out, const study *st, config_error *err)
{
    if (st->scenario_count < 2)
        return 0;
    study_resolved *r;
    if (study_resolve(st, &r, err) != 0)
        return -1;
    fprintf(out, "# %d more scenario%s; each differs from the base (above) in:\n", st->scenario_count - 1,
            st->scenario_count == 2 ? "" : "s");
    for (int s = 1; s < st->scenario_count; s++) {
        fprintf(out, "# scenario %d '%s':", s, st->scenarios[s].name);
        int shown = 0;
        for (size_t i = 0; i < r->diff_count[s]; i++) {
            const diff *d = &r->diffs[s][i];
            const char *base = d->at->base >= 0 ? r->base.keys[d->at->base].text : NULL;
            if (d->text && base && strcmp(d->text, base) == 0)
                continue; /* the same value, given rather than defaulted */
            fprintf(out, "\n#   %s = %s  (base: %s)", d->at->key, d->text ? d->text : "(not set)",
                    base ? base : "not set");
            shown++;
        }
        fprintf(out, "%s\n", shown ? "" : " nothing (the same scenario as the base)");
    }
    study_resolved_free(r);
    return 0;
}

void study_resolved_free(study_resolved *r)
{
    if (!r)
        return;
    for (node *n = r->head, *next; n; n = next) {
        next = n->next;
        free(n->key);
        free(n);
    }
    for (int s = 0; r->diffs && s < r->scenarios; s++) {
        for (size_t i = 0; i < r->diff_count[s]; i++)
            free(r->diffs[s][i].text);
        free(r->diffs[s]);
    }
    free(r->diffs);
    free(r->diff_count);
    free(r->table);
    free(r->ordered);
    config_resolved_free(&r->base);
    free(r);
}
