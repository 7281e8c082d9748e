/*
 * config_overrides.c — command-line overrides (-s key.path=value), a study's
 * scenario settings and numbers set on a loaded scenario: each is set in
 * the parsed tree before validation, so it is checked exactly like the same
 * key written in the file, and messages name it.
 *
 * A key path reaches into lists: an item is named by its name (or, without
 * one, its role), or by its index in brackets, as /resolved names keys:
 * sources.kommun.rate_per_month, sources.[0].schedule.[1].value,
 * staff.teams.lag1.members.coach.count, profiles.[0].age_shares.[1]. An
 * unknown item name gets a "did you mean"; an item is never created (lists
 * are the file's), while missing groups on the way are.
 */
#include "scenario/config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether an override line sets key: its own path or, for a path through
 * list items, the reader's form of it (sources[0].rate_per_month). */
static int sets(const char *line, const char *canonical, const char *key, char after)
{
    size_t len = strlen(key);
    if (strncmp(line, key, len) == 0 && line[len] == (after ? after : '='))
        return 1;
    /* inside: a member (.x) or, in the reader's form, an element ([2]) */
    return canonical && strncmp(canonical, key, len) == 0 &&
           (canonical[len] == after || (after == '.' && canonical[len] == '['));
}

const char *override_setting(const loader *ld, const char *key)
{
    for (int i = 0; i < ld->n_overrides; i++)
        if (sets(ld->overrides[i], ld->canonical ? ld->canonical[i] : NULL, key, 0))
            return ld->overrides[i];
    for (int i = 0; i < ld->n_numbers; i++)
        if (strcmp(ld->number_keys[i], key) == 0 ||
            (ld->canonical && ld->canonical[ld->n_overrides + i] &&
             strcmp(ld->canonical[ld->n_overrides + i], key) == 0))
            return ld->number_keys[i];
    return NULL;
}

int override_given(const loader *ld, const char *key)
{
    for (int i = 0; i < ld->n_overrides; i++)
        if (sets(ld->overrides[i], ld->canonical ? ld->canonical[i] : NULL, key, 0))
            return 1;
    for (int i = 0; i < ld->n_numbers; i++)
        if (strcmp(ld->number_keys[i], key) == 0 ||
            (ld->canonical && ld->canonical[ld->n_overrides + i] &&
             strcmp(ld->canonical[ld->n_overrides + i], key) == 0))
            return 1;
    return 0;
}

const char *override_within(const loader *ld, const char *key)
{
    for (int i = 0; i < ld->n_overrides; i++)
        if (sets(ld->overrides[i], ld->canonical ? ld->canonical[i] : NULL, key, '.'))
            return ld->overrides[i];
    for (int i = 0; i < ld->n_numbers; i++)
        if (sets(ld->number_keys[i], ld->canonical ? ld->canonical[ld->n_overrides + i] : NULL, key, '.'))
            return ld->number_keys[i];
    return NULL;
}

/* Where a value goes: member `member` of `group`, or element `index` of
 * the array or list `array`. */
typedef struct slot {
    config_setting_t *group;
    char member[CONFIG_KEY_TEXT_LEN];
    config_setting_t *array;
    int index;
} slot;

/* The label an item is known by: its name, else its role; NULL without. */
static const char *label_of(const config_setting_t *item)
{
    const char *label = NULL;
    if (config_setting_type(item) != CONFIG_TYPE_GROUP)
        return NULL;
    if (config_setting_lookup_string(item, "name", &label) || config_setting_lookup_string(item, "role", &label))
        return label;
    return NULL;
}

/* The item of list that segment names ("[2]" or a label); -1 with the
 * message filled. list_path is the list's key for messages. */
static int find_item(loader *ld, const char *path, const config_setting_t *list, const char *list_path,
                     const char *segment)
{
    int n = config_setting_length(list);
    if (segment[0] == '[') {
        char *end;
        long i = strtol(segment + 1, &end, 10);
        if (end == segment + 1 || strcmp(end, "]") != 0 || segment[1] == '-' || segment[1] == '+') {
            loader_fail(ld, NULL, path, "'%s' is not an item of %s (expected [N], N from 0, or an item's name)",
                        segment, list_path);
            return -1;
        }
        if (i >= n) {
            loader_fail(ld, NULL, path, "%s has %d item%s ([0] to [%d]); there is no %s", list_path, n,
                        n == 1 ? "" : "s", n - 1, segment);
            return -1;
        }
        return (int)i;
    }
    int found = -1, twice = 0;
    const char *labels[64];
    size_t n_labels = 0;
    for (int i = 0; i < n; i++) {
        const char *label = label_of(config_setting_get_elem(list, (unsigned)i));
        if (label && n_labels < 64)
            labels[n_labels++] = label;
        if (label && strcmp(label, segment) == 0) {
            twice |= found >= 0;
            found = found >= 0 ? found : i;
        }
    }
    if (twice) {
        loader_fail(ld, NULL, path, "%s has more than one item named '%s'; name it by its index, e.g. %s.[%d]",
                    list_path, segment, list_path, found);
        return -1;
    }
    if (found < 0) {
        const char *hint = config_closest(segment, labels, n_labels);
        if (hint)
            loader_fail(ld, NULL, path, "no item named '%s' in %s (did you mean '%s'?)", segment, list_path, hint);
        else if (n_labels == 0)
            loader_fail(ld, NULL, path, "no item named '%s' in %s (its items have no names: use [0] to [%d])",
                        segment, list_path, n - 1);
        else {
            char names[256] = "";
            for (size_t i = 0; i < n_labels && strlen(names) + strlen(labels[i]) + 8 < sizeof names; i++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", labels[i]);
            loader_fail(ld, NULL, path, "no item named '%s' in %s (its items: %s)", segment, list_path, names);
        }
        return -1;
    }
    return found;
}

/* Walks path through the tree: groups by member name (created on the way
 * when `create`), lists and arrays by item. Fills the slot of the last
 * segment and the reader's form of the path (sources[0].rate_per_month)
 * into canonical. Returns 0, or -1 with the message filled. */
static int walk(loader *ld, const char *path, int create, slot *out, char *canonical, size_t canonical_size)
{
    size_t plen = strlen(path);
    if (plen >= CONFIG_KEY_TEXT_LEN)
        return loader_fail(ld, NULL, path, "key path too long");
    if (plen == 0 || path[0] == '.' || path[plen - 1] == '.' || strstr(path, ".."))
        return loader_fail(ld, NULL, path, "empty part in the key path (expected names joined by single dots, e.g. "
                                           "staff.workers)");
    memset(out, 0, sizeof *out);
    config_setting_t *cur = config_root_setting(&ld->cfg);
    char work[CONFIG_KEY_TEXT_LEN], walked[CONFIG_KEY_TEXT_LEN] = "";
    memcpy(work, path, plen + 1);
    canonical[0] = '\0';
    char *save = NULL;
    for (char *seg = strtok_r(work, ".", &save), *next; seg; seg = next) {
        next = strtok_r(NULL, ".", &save);
        int type = config_setting_type(cur);
        if (type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY) {
            int i = find_item(ld, path, cur, walked, seg);
            if (i < 0)
                return -1;
            size_t used = strlen(canonical);
            snprintf(canonical + used, canonical_size - used, "[%d]", i);
            used = strlen(walked);
            snprintf(walked + used, sizeof walked - used, ".%s", seg);
            config_setting_t *item = config_setting_get_elem(cur, (unsigned)i);
            if (!next) {
                if (config_setting_type(item) == CONFIG_TYPE_GROUP)
                    return loader_fail(ld, NULL, path, "this is a whole item of a list: set its keys one by one "
                                                       "(e.g. %s.name)",
                                       path);
                out->array = cur;
                out->index = i;
                return 0;
            }
            cur = item;
            continue;
        }
        if (type != CONFIG_TYPE_GROUP)
            return loader_fail(ld, NULL, path, "cannot set: '%s' is not a group", walked[0] ? walked : seg);
        size_t used = strlen(canonical);
        snprintf(canonical + used, canonical_size - used, "%s%s", used ? "." : "", seg);
        used = strlen(walked);
        snprintf(walked + used, sizeof walked - used, "%s%s", used ? "." : "", seg);
        if (!next) {
            out->group = cur;
            snprintf(out->member, sizeof out->member, "%s", seg);
            return 0;
        }
        config_setting_t *m = config_setting_get_member(cur, seg);
        if (!m && create)
            m = config_setting_add(cur, seg, CONFIG_TYPE_GROUP);
        if (!m)
            return loader_fail(ld, NULL, path, create ? "cannot set this key" : "no such key");
        int mt = config_setting_type(m);
        if (mt != CONFIG_TYPE_GROUP && mt != CONFIG_TYPE_LIST && mt != CONFIG_TYPE_ARRAY)
            return loader_fail(ld, NULL, path, "cannot set: '%s' is not a group", seg);
        cur = m;
    }
    return loader_fail(ld, NULL, path, "empty key");
}

/* Finds path's slot for an override, remembering the reader's form of the
 * path for messages. */
static int override_slot(loader *ld, const char *path, slot *out)
{
    char canonical[CONFIG_KEY_TEXT_LEN];
    if (walk(ld, path, 1, out, canonical, sizeof canonical) != 0)
        return -1;
    if (ld->canonical && ld->current >= 0 && strcmp(canonical, path) != 0) {
        free(ld->canonical[ld->current]);
        ld->canonical[ld->current] = strdup(canonical);
    }
    return 0;
}

/* A new setting of type in a group slot, any earlier value removed. */
static config_setting_t *fresh_member(loader *ld, const char *path, const slot *at, int type)
{
    if (config_setting_get_member(at->group, at->member))
        config_setting_remove(at->group, at->member);
    config_setting_t *s = config_setting_add(at->group, at->member, type);
    if (!s)
        loader_fail(ld, NULL, path, "cannot set this key");
    return s;
}

/* Sets an element of an array or list: a number where the others are
 * numbers (an integer in an array of floats becomes a float). */
static int set_element(loader *ld, const char *path, const slot *at, int type, long long iv, double dv,
                       const char *text)
{
    const config_setting_t *old = config_setting_get_elem(at->array, (unsigned)at->index);
    int old_type = config_setting_type(old);
    config_setting_t *done = NULL;
    if (old_type == CONFIG_TYPE_FLOAT && (type == CONFIG_TYPE_FLOAT || type == CONFIG_TYPE_INT64))
        done = config_setting_set_float_elem(at->array, at->index, type == CONFIG_TYPE_FLOAT ? dv : (double)iv);
    else if ((old_type == CONFIG_TYPE_INT || old_type == CONFIG_TYPE_INT64) && type == CONFIG_TYPE_INT64)
        done = config_setting_set_int64_elem(at->array, at->index, iv);
    else if (old_type == CONFIG_TYPE_STRING && type == CONFIG_TYPE_STRING)
        done = config_setting_set_string_elem(at->array, at->index, text);
    else if (old_type == CONFIG_TYPE_BOOL && type == CONFIG_TYPE_BOOL)
        done = config_setting_set_bool_elem(at->array, at->index, (int)iv);
    if (!done)
        return loader_fail(ld, NULL, path, "expected %s like the other items, got %s", config_type_name(old),
                           type == CONFIG_TYPE_STRING  ? "a string"
                           : type == CONFIG_TYPE_FLOAT ? "a number"
                           : type == CONFIG_TYPE_BOOL  ? "a boolean"
                                                       : "an integer");
    return 0;
}

/* Sets path to an integer, a number or a string (the one type gives). */
static int set_value(loader *ld, const char *path, int type, long long iv, double dv, const char *text)
{
    slot at;
    if (override_slot(ld, path, &at) != 0)
        return -1;
    if (at.array)
        return set_element(ld, path, &at, type, iv, dv, text);
    config_setting_t *s = fresh_member(ld, path, &at, type);
    if (!s)
        return -1;
    if (type == CONFIG_TYPE_INT64)
        config_setting_set_int64(s, iv);
    else if (type == CONFIG_TYPE_BOOL)
        config_setting_set_bool(s, (int)iv);
    else if (type == CONFIG_TYPE_FLOAT)
        config_setting_set_float(s, dv);
    else
        config_setting_set_string(s, text);
    return 0;
}

/* An integer as a file may write it: decimal or hexadecimal (0x10), with
 * libconfig's L suffix or without. 1 with *out set, else 0. */
static int parse_integer(const char *value, long long *out)
{
    char digits[64];
    size_t len = strlen(value);
    if (len == 0 || len >= sizeof digits)
        return 0;
    memcpy(digits, value, len + 1);
    if (len > 1 && (digits[len - 1] == 'L' || digits[len - 1] == 'l'))
        digits[--len] = '\0';
    const char *p = digits;
    int negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    int base = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 16 : 10;
    if (base == 16)
        p += 2;
    if (!*p || !isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p)))
        return 0;
    char *end;
    errno = 0;
    unsigned long long magnitude = strtoull(p, &end, base);
    if (*end != '\0' || errno != 0 || magnitude > (unsigned long long)LLONG_MAX)
        return 0;
    *out = negative ? -(long long)magnitude : (long long)magnitude;
    return 1;
}

int override_apply(loader *ld, const char *text)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return loader_fail(ld, NULL, text, "an override must look like -s key.path=value");
    char path[CONFIG_KEY_TEXT_LEN];
    size_t plen = (size_t)(eq - text);
    if (plen >= sizeof path)
        return loader_fail(ld, NULL, text, "key path too long");
    memcpy(path, text, plen);
    path[plen] = '\0';
    const char *value = eq + 1;

    long long iv;
    if (parse_integer(value, &iv))
        return set_value(ld, path, CONFIG_TYPE_INT64, iv, 0, NULL);
    /* true and false as a file writes them (any case, as libconfig) */
    if (strcasecmp(value, "true") == 0 || strcasecmp(value, "false") == 0)
        return set_value(ld, path, CONFIG_TYPE_BOOL, strcasecmp(value, "true") == 0, 0, NULL);
    char *end;
    errno = 0;
    double dv = strtod(value, &end);
    /* Out of range (1e999) is still a number, so the range check can say
     * "not finite" rather than "got a string". */
    if (*value && *end == '\0' && (errno == 0 || errno == ERANGE))
        return set_value(ld, path, CONFIG_TYPE_FLOAT, 0, dv, NULL);
    size_t vl = strlen(value);
    char unq[256];
    if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"' && vl - 2 < sizeof unq) {
        memcpy(unq, value + 1, vl - 2);
        unq[vl - 2] = '\0';
        value = unq;
    }
    return set_value(ld, path, CONFIG_TYPE_STRING, 0, 0, value);
}

int override_set_number(loader *ld, const char *path, double value)
{
    /* Integral values become integers, as their text would: an integer key
     * accepts them, a float key accepts integers too. */
    if (value == floor(value) && fabs(value) < 9.2e18)
        return set_value(ld, path, CONFIG_TYPE_INT64, (long long)value, value, NULL);
    return set_value(ld, path, CONFIG_TYPE_FLOAT, 0, value, NULL);
}

const config_setting_t *override_find(loader *ld, const char *path)
{
    slot at;
    char canonical[CONFIG_KEY_TEXT_LEN];
    if (walk(ld, path, 0, &at, canonical, sizeof canonical) != 0)
        return NULL;
    if (at.array)
        return config_setting_get_elem(at.array, (unsigned)at.index);
    return config_setting_get_member(at.group, at.member);
}

char *override_join(const char *const *ov, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(ov[i]) + 1;
    char *out = malloc(len);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(out, ov[i]);
        strcat(out, "\n");
    }
    return out;
}
