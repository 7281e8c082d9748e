/*
 * config_service.c — reads and checks the `service` section (see
 * config_service.h for its shape).
 */
#include "scenario/config_service.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int default_wait_days[] = {14, 30, 90};

typedef struct reader {
    const char *path;
    const char *const *overrides;
    int n_overrides;
    config_error *err;
} reader;

int config_service_section(struct loader *ld, const config_setting_t *s, config_scenario *sc)
{
    (void)ld;
    (void)s;
    (void)sc;
    return 0;
}

/* One line: "-s key: what" for a command-line setting, else as config_fail. */
static int fail(const reader *rd, const config_setting_t *where, const char *key, const char *fmt, ...)
{
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t len = strlen(key);
    for (int i = 0; i < rd->n_overrides; i++)
        if (strncmp(rd->overrides[i], key, len) == 0 && rd->overrides[i][len] == '=') {
            snprintf(rd->err->message, sizeof rd->err->message, "%s: -s %s: %s", rd->path, key, what);
            config_one_line(rd->err->message, sizeof rd->err->message);
            return -1;
        }
    return config_fail(rd->err, rd->path, where, key, "%s", what);
}

/* A whole number of days in [0, SERVICE_MAX_DAYS] from a setting. */
static int whole_days(const reader *rd, const config_setting_t *s, const char *key, int *out)
{
    double v;
    int type = config_setting_type(s);
    if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
        v = (double)config_setting_get_int64(s);
    else if (type == CONFIG_TYPE_FLOAT)
        v = config_setting_get_float(s);
    else
        return fail(rd, s, key, "expected a whole number of days, got %s", config_type_name(s));
    if (!(v >= 0 && v <= SERVICE_MAX_DAYS) || v != floor(v))
        return fail(rd, s, key, "expected a whole number of days between 0 and %d, got %g", SERVICE_MAX_DAYS, v);
    *out = (int)v;
    return 0;
}

static int by_value(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* "[7, 14, 30]" or "7,14,30": how a list arrives from -s, which makes
 * strings of anything but a number. */
static int days_from_text(const reader *rd, const config_setting_t *s, const char *key, service_params *sp)
{
    const char *text = config_setting_get_string(s);
    const char *c = text;
    while (isspace((unsigned char)*c))
        c++;
    int bracket = *c == '[';
    if (bracket)
        c++;
    sp->thresholds = 0;
    for (;;) {
        while (isspace((unsigned char)*c))
            c++;
        if (bracket && *c == ']' && sp->thresholds == 0) {
            c++;
            break;
        }
        char *end;
        errno = 0;
        long v = strtol(c, &end, 10);
        if (end == c || errno || v < 0 || v > SERVICE_MAX_DAYS)
            return fail(rd, s, key, "expected a list of whole days between 0 and %d such as [14, 30, 90], got '%s'",
                        SERVICE_MAX_DAYS, text);
        if (sp->thresholds == SERVICE_MAX_THRESHOLDS)
            return fail(rd, s, key, "at most %d thresholds", SERVICE_MAX_THRESHOLDS);
        sp->wait_days[sp->thresholds++] = (int)v;
        c = end;
        while (isspace((unsigned char)*c))
            c++;
        if (*c == ',') {
            c++;
            continue;
        }
        if (bracket && *c == ']')
            c++;
        else if (bracket)
            return fail(rd, s, key, "expected ',' or ']' in '%s'", text);
        break;
    }
    while (isspace((unsigned char)*c))
        c++;
    if (*c)
        return fail(rd, s, key, "unexpected '%s' after the list in '%s'", c, text);
    return 0;
}

static int read_wait_days(const reader *rd, const config_setting_t *s, service_params *sp)
{
    const char *key = "service.wait_days";
    if (!s) {
        sp->thresholds = (int)(sizeof default_wait_days / sizeof default_wait_days[0]);
        memcpy(sp->wait_days, default_wait_days, sizeof default_wait_days);
        return 0;
    }
    int type = config_setting_type(s);
    if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
        int n = config_setting_length(s);
        if (n > SERVICE_MAX_THRESHOLDS)
            return fail(rd, s, key, "at most %d thresholds, got %d", SERVICE_MAX_THRESHOLDS, n);
        for (int i = 0; i < n; i++)
            if (whole_days(rd, config_setting_get_elem(s, (unsigned)i), key, &sp->wait_days[i]) != 0)
                return -1;
        sp->thresholds = n;
    } else if (type == CONFIG_TYPE_STRING) {
        if (days_from_text(rd, s, key, sp) != 0)
            return -1;
    } else {
        if (whole_days(rd, s, key, &sp->wait_days[0]) != 0)
            return -1;
        sp->thresholds = 1;
    }
    qsort(sp->wait_days, (size_t)sp->thresholds, sizeof sp->wait_days[0], by_value);
    for (int i = 1; i < sp->thresholds; i++)
        if (sp->wait_days[i] == sp->wait_days[i - 1])
            return fail(rd, s, key, "%d days is given twice", sp->wait_days[i]);
    return 0;
}

static int read_number(const reader *rd, const config_setting_t *s, const char *key, double min, double max,
                       double *out)
{
    int type = config_setting_type(s);
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64 && type != CONFIG_TYPE_FLOAT)
        return fail(rd, s, key, "expected a number >= %g and <= %g, got %s", min, max, config_type_name(s));
    double v = type == CONFIG_TYPE_FLOAT ? config_setting_get_float(s) : (double)config_setting_get_int64(s);
    if (!(v >= min && v <= max))
        return fail(rd, s, key, "expected a number >= %g and <= %g, got %g", min, max, v);
    *out = v;
    return 0;
}

static int name_ok(const char *name)
{
    if (!*name || strlen(name) >= SERVICE_NAME_LEN)
        return 0;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
            return 0;
    return 1;
}

static int read_target(const reader *rd, const config_setting_t *e, int i, const model_params *p, service_target *t)
{
    static const char *const allowed[] = {"name", "kind", "days", "value", "from_month", "to_month", NULL};
    char path[48], key[96];
    snprintf(path, sizeof path, "service.targets[%d]", i);
    if (config_setting_type(e) != CONFIG_TYPE_GROUP)
        return fail(rd, e, path, "expected a group { name; kind; days; ... }, got %s", config_type_name(e));
    for (int m = 0; m < config_setting_length(e); m++) {
        const config_setting_t *s = config_setting_get_elem(e, (unsigned)m);
        const char *member = config_setting_name(s);
        int known = 0;
        for (int a = 0; allowed[a]; a++)
            known |= strcmp(allowed[a], member) == 0;
        if (!known) {
            snprintf(key, sizeof key, "%s.%s", path, member);
            const char *hint = config_closest(member, allowed, 6);
            return hint ? fail(rd, s, key, "unknown key (did you mean '%s'?)", hint) : fail(rd, s, key, "unknown key");
        }
    }
    const config_setting_t *s = config_setting_get_member(e, "name");
    snprintf(key, sizeof key, "%s.name", path);
    if (!s || config_setting_type(s) != CONFIG_TYPE_STRING)
        return fail(rd, s ? s : e, key, "expected a name (a string of letters, digits, _ or -, at most %d)",
                    SERVICE_NAME_LEN - 1);
    if (!name_ok(config_setting_get_string(s)))
        return fail(rd, s, key, "expected letters, digits, _ or - (at most %d), got '%s'", SERVICE_NAME_LEN - 1,
                    config_setting_get_string(s));
    snprintf(t->name, sizeof t->name, "%s", config_setting_get_string(s));
    for (int j = 0; j < p->targets; j++)
        if (strcmp(p->target[j].name, t->name) == 0)
            return fail(rd, s, key, "the name '%s' is already a target in `targets`", t->name);
    for (int j = 0; j < i; j++)
        if (strcmp(p->service.target[j].name, t->name) == 0)
            return fail(rd, s, key, "the name '%s' is used twice", t->name);

    s = config_setting_get_member(e, "kind");
    snprintf(key, sizeof key, "%s.kind", path);
    const char *kind = s && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
    if (kind && strcmp(kind, "wait_share") == 0)
        t->kind = SERVICE_TARGET_WAIT_SHARE;
    else if (kind && strcmp(kind, "median_wait") == 0)
        t->kind = SERVICE_TARGET_MEDIAN_WAIT;
    else
        return fail(rd, s ? s : e, key, "expected wait_share or median_wait (a string), got %s%s%s",
                    kind ? "'" : "", kind ? kind : (s ? config_type_name(s) : "nothing"), kind ? "'" : "");

    s = config_setting_get_member(e, "days");
    snprintf(key, sizeof key, "%s.days", path);
    if (!s)
        return fail(rd, e, key, "missing; expected a whole number of days (X in 'a place within X days')");
    if (whole_days(rd, s, key, &t->days) != 0)
        return -1;

    s = config_setting_get_member(e, "value");
    snprintf(key, sizeof key, "%s.value", path);
    if (t->kind == SERVICE_TARGET_WAIT_SHARE) {
        if (!s)
            return fail(rd, e, key, "missing; expected the share (0 to 1) that must get a place within %d days",
                        t->days);
        if (read_number(rd, s, key, 0, 1, &t->value) != 0)
            return -1;
    } else if (s) {
        return fail(rd, s, key, "a median_wait target takes no value: it is met when the median wait is at most "
                                "`days`");
    } else {
        t->value = t->days;
    }

    /* The cohort: its last referral needs `days` days before the horizon. */
    double latest = p->horizon_months - t->days / MODEL_DAYS_PER_MONTH;
    t->from_month = p->warmup_months;
    t->to_month = latest;
    s = config_setting_get_member(e, "from_month");
    snprintf(key, sizeof key, "%s.from_month", path);
    if (s && read_number(rd, s, key, 0, p->horizon_months, &t->from_month) != 0)
        return -1;
    s = config_setting_get_member(e, "to_month");
    snprintf(key, sizeof key, "%s.to_month", path);
    if (s && read_number(rd, s, key, 0, p->horizon_months, &t->to_month) != 0)
        return -1;
    if (t->to_month > latest + 1e-9)
        return fail(rd, s ? s : e, key,
                    "the horizon (%d months) must leave %d days after the cohort's last referral, so to_month can be "
                    "at most %.2f; got %g",
                    p->horizon_months, t->days, latest, t->to_month);
    if (!(t->from_month < t->to_month))
        return fail(rd, s ? s : e, key,
                    "the cohort is empty: from_month %g is not before to_month %.2f (the horizon must leave %d days "
                    "after it)",
                    t->from_month, t->to_month, t->days);
    return 0;
}

int config_service_read(const config_t *cfg, const char *path, const char *const *overrides, int n_overrides,
                        config_scenario *sc, config_error *err)
{
    reader rd = {path, overrides, n_overrides, err};
    model_params *p = &sc->model;
    service_params *sp = &p->service;
    memset(sp, 0, sizeof *sp);
    const config_setting_t *group = config_lookup(cfg, "service");
    if (group && config_setting_type(group) != CONFIG_TYPE_GROUP)
        return fail(&rd, group, "service", "expected a group { wait_days = [...]; targets = (...); }, got %s",
                    config_type_name(group));
    if (read_wait_days(&rd, config_lookup(cfg, "service.wait_days"), sp) != 0)
        return -1;
    const config_setting_t *list = config_lookup(cfg, "service.targets");
    if (!list)
        return 0;
    if (config_setting_type(list) != CONFIG_TYPE_LIST)
        return fail(&rd, list, "service.targets", "expected a list ( { ... }, { ... } ), got %s",
                    config_type_name(list));
    int n = config_setting_length(list);
    if (n > SERVICE_MAX_TARGETS)
        return fail(&rd, list, "service.targets", "expected at most %d targets, got %d", SERVICE_MAX_TARGETS, n);
    for (int i = 0; i < n; i++)
        if (read_target(&rd, config_setting_get_elem(list, (unsigned)i), i, p, &sp->target[i]) != 0)
            return -1;
    sp->targets = n;
    return 0;
}

int config_service_same(const service_params *a, const service_params *b)
{
    if (a->thresholds != b->thresholds || a->targets != b->targets)
        return 0;
    for (int i = 0; i < a->thresholds; i++)
        if (a->wait_days[i] != b->wait_days[i])
            return 0;
    for (int t = 0; t < a->targets; t++) {
        const service_target *x = &a->target[t], *y = &b->target[t];
        if (strcmp(x->name, y->name) != 0 || x->kind != y->kind || x->days != y->days || x->value != y->value ||
            x->from_month != y->from_month || x->to_month != y->to_month)
            return 0;
    }
    return 1;
}
