/*
 * config_overrides.c — command-line overrides (-s key.path=value): each one
 * is set in the parsed tree before validation, so an override is checked
 * exactly like the same key written in the file, and messages name it.
 */
#include "scenario/config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int override_given(const loader *ld, const char *key)
{
    size_t len = strlen(key);
    for (int i = 0; i < ld->n_overrides; i++)
        if (strncmp(ld->overrides[i], key, len) == 0 && ld->overrides[i][len] == '=')
            return 1;
    for (int i = 0; i < ld->n_numbers; i++)
        if (strcmp(ld->number_keys[i], key) == 0)
            return 1;
    return 0;
}

const char *override_within(const loader *ld, const char *key)
{
    size_t len = strlen(key);
    for (int i = 0; i < ld->n_overrides; i++)
        if (strncmp(ld->overrides[i], key, len) == 0 && ld->overrides[i][len] == '.')
            return ld->overrides[i];
    for (int i = 0; i < ld->n_numbers; i++)
        if (strncmp(ld->number_keys[i], key, len) == 0 && ld->number_keys[i][len] == '.')
            return ld->number_keys[i];
    return NULL;
}

static config_setting_t *ensure_group(config_setting_t *parent, const char *name)
{
    config_setting_t *g = config_setting_get_member(parent, name);
    if (g)
        return config_setting_type(g) == CONFIG_TYPE_GROUP ? g : NULL;
    return config_setting_add(parent, name, CONFIG_TYPE_GROUP);
}

/* A new, empty setting of the given type at path in the loader's tree: the
 * groups on the way are created, an earlier value is removed. NULL with
 * the message filled when the path cannot hold a value. */
static config_setting_t *override_slot(loader *ld, const char *path, int type)
{
    size_t plen = strlen(path);
    if (plen >= CONFIG_KEY_TEXT_LEN) {
        loader_fail(ld, NULL, path, "key path too long");
        return NULL;
    }
    if (path[0] == '.' || (plen > 0 && path[plen - 1] == '.') || strstr(path, "..")) {
        loader_fail(ld, NULL, path, "empty part in the key path (expected names joined by single dots, e.g. "
                                    "staff.workers)");
        return NULL;
    }
    config_setting_t *parent = config_root_setting(&ld->cfg);
    char *save = NULL, work[CONFIG_KEY_TEXT_LEN];
    memcpy(work, path, plen + 1);
    char *part = strtok_r(work, ".", &save);
    char *next;
    while (part && (next = strtok_r(NULL, ".", &save)) != NULL) {
        parent = ensure_group(parent, part);
        if (!parent) {
            loader_fail(ld, NULL, path, "cannot set: '%s' is not a group", part);
            return NULL;
        }
        part = next;
    }
    if (!part || !*part) {
        loader_fail(ld, NULL, path, "empty key");
        return NULL;
    }
    if (config_setting_get_member(parent, part))
        config_setting_remove(parent, part);
    config_setting_t *s = config_setting_add(parent, part, type);
    if (!s)
        loader_fail(ld, NULL, path, "cannot set this key");
    return s;
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
    config_setting_t *s;
    if (parse_integer(value, &iv)) {
        if (!(s = override_slot(ld, path, CONFIG_TYPE_INT64)))
            return -1;
        config_setting_set_int64(s, iv);
        return 0;
    }
    char *end;
    errno = 0;
    double dv = strtod(value, &end);
    /* Out of range (1e999) is still a number, so the range check can say
     * "not finite" rather than "got a string". */
    if (*value && *end == '\0' && (errno == 0 || errno == ERANGE)) {
        if (!(s = override_slot(ld, path, CONFIG_TYPE_FLOAT)))
            return -1;
        config_setting_set_float(s, dv);
        return 0;
    }
    size_t vl = strlen(value);
    char unq[256];
    if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"' && vl - 2 < sizeof unq) {
        memcpy(unq, value + 1, vl - 2);
        unq[vl - 2] = '\0';
        value = unq;
    }
    if (!(s = override_slot(ld, path, CONFIG_TYPE_STRING)))
        return -1;
    config_setting_set_string(s, value);
    return 0;
}

int override_set_number(loader *ld, const char *path, double value)
{
    /* Integral values become integers, as their text would: an integer key
     * accepts them, a float key accepts integers too. */
    if (value == floor(value) && fabs(value) < 9.2e18) {
        config_setting_t *s = override_slot(ld, path, CONFIG_TYPE_INT64);
        if (!s)
            return -1;
        config_setting_set_int64(s, (long long)value);
        return 0;
    }
    config_setting_t *s = override_slot(ld, path, CONFIG_TYPE_FLOAT);
    if (!s)
        return -1;
    config_setting_set_float(s, value);
    return 0;
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
