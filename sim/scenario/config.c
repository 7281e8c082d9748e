/*
 * config.c — loading a scenario: the file's text, parsed, overrides applied,
 * every schema key read and checked, then the checks that need the whole
 * scenario. Also the typed values the section readers share and
 * config_get_number.
 *
 * Nothing downstream ever sees an unvalidated value; the schema lives in
 * config_schema.c, the sections' readers in config_sections.c and
 * config_money.c.
 */
#include "scenario/config_internal.h"
#include "scenario/config_service.h"
#include "scenario/config_snapshot.h"
#include "scenario/config_dates.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- typed readers ----------------------------------------------------- */

int value_is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

int value_is_integer(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

int loader_read_number(loader *ld, const config_key *k, const config_setting_t *s, double *out)
{
    /* A date for a point in time in months (config_dates.h). */
    if (config_setting_type(s) == CONFIG_TYPE_STRING && config_key_takes_date(k->path))
        return config_month_from_date(ld, k, s, out);
    char range[160];
    schema_describe_range(k, range, sizeof range);
    int ok_type = k->type == KEY_FLOAT ? value_is_number(s) : value_is_integer(s);
    if (!ok_type)
        return loader_fail(ld, s, k->path, "expected %s, got %s", range, config_type_name(s));
    double v = value_is_integer(s) ? (double)config_setting_get_int64(s) : config_setting_get_float(s);
    if (!isfinite(v))
        return loader_fail(ld, s, k->path, "expected %s, got a value that is not finite", range);
    if (v < k->min || (k->min_open && v == k->min) || v > k->max)
        return loader_fail(ld, s, k->path, "expected %s, got %.17g", range, v);
    *out = v;
    return 0;
}

int loader_read_dist(loader *ld, const config_key *k, const config_setting_t *s, dist *out)
{
    static const char *const shape =
        "a distribution group such as { dist = \"exponential\"; mean = 2.0; }";
    char key[160];
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, k->path, "expected %s, got %s", shape, config_type_name(s));
    snprintf(key, sizeof key, "%s.dist", k->path);
    const config_setting_t *name = config_setting_get_member(s, "dist");
    if (!name)
        return loader_fail(ld, s, key, "missing; expected one of exponential, deterministic, uniform, gamma, lognormal");
    if (config_setting_type(name) != CONFIG_TYPE_STRING)
        return loader_fail(ld, name, key, "expected a string naming the distribution, got %s", config_type_name(name));
    const char *kind_text = config_setting_get_string(name);
    int kind = dist_kind_from_name(kind_text);
    if (kind < 0) {
        const char *kinds[DIST_KIND_COUNT];
        for (int i = 0; i < DIST_KIND_COUNT; i++)
            kinds[i] = dist_kind_name((dist_kind)i);
        const char *hint = config_closest(kind_text, kinds, DIST_KIND_COUNT);
        if (hint)
            return loader_fail(ld, name, key, "unknown distribution '%s' (did you mean '%s'?)", kind_text, hint);
        return loader_fail(ld, name, key,
                           "unknown distribution '%s'; expected exponential, deterministic, uniform, gamma or lognormal",
                           kind_text);
    }
    const char *pn[2];
    dist_param_names((dist_kind)kind, &pn[0], &pn[1]);
    double v[2] = {0, 0};
    for (int i = 0; i < 2 && pn[i]; i++) {
        snprintf(key, sizeof key, "%s.%s", k->path, pn[i]);
        const config_setting_t *p = config_setting_get_member(s, pn[i]);
        if (!p)
            return loader_fail(ld, s, key, "missing; a %s distribution needs %s%s%s", kind_text, pn[0],
                               pn[1] ? " and " : "", pn[1] ? pn[1] : "");
        if (!value_is_number(p))
            return loader_fail(ld, p, key, "expected a number (%s), got %s", k->unit, config_type_name(p));
        v[i] = value_is_integer(p) ? (double)config_setting_get_int64(p) : config_setting_get_float(p);
    }
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *mn = config_setting_name(m);
        if (strcmp(mn, "dist") != 0 && !(pn[0] && strcmp(mn, pn[0]) == 0) && !(pn[1] && strcmp(mn, pn[1]) == 0)) {
            snprintf(key, sizeof key, "%s.%s", k->path, mn);
            return loader_fail(ld, m, key, "not a parameter of a %s distribution (it takes %s%s%s)", kind_text, pn[0],
                               pn[1] ? " and " : "", pn[1] ? pn[1] : "");
        }
    }
    const char *why = dist_make(out, (dist_kind)kind, v[0], v[1]);
    if (why)
        return loader_fail(ld, s, k->path, "bad %s distribution: %s", kind_text, why);
    return 0;
}

static int read_shares(loader *ld, const config_key *k, const config_setting_t *s, model_params *mp)
{
    char key[160];
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, k->path, "expected a group of name = share, got %s", config_type_name(s));
    int n = config_setting_length(s);
    if (n < 1 || n > MODEL_MAX_DESTINATIONS)
        return loader_fail(ld, s, k->path, "expected between 1 and %d destinations, got %d", MODEL_MAX_DESTINATIONS, n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(m);
        snprintf(key, sizeof key, "%s.%s", k->path, name);
        if (strlen(name) >= MODEL_NAME_LEN)
            return loader_fail(ld, m, key, "destination name longer than %d characters", MODEL_NAME_LEN - 1);
        if (!value_is_number(m))
            return loader_fail(ld, m, key, "expected a share between 0 and 1, got %s", config_type_name(m));
        double v = value_is_integer(m) ? (double)config_setting_get_int64(m) : config_setting_get_float(m);
        if (!isfinite(v) || v < 0 || v > 1)
            return loader_fail(ld, m, key, "expected a share between 0 and 1, got %.17g", v);
        snprintf(mp->destination_names[i], MODEL_NAME_LEN, "%s", name);
        mp->destination_shares[i] = v;
        sum += v;
    }
    if (fabs(sum - 1.0) > 1e-9)
        return loader_fail(ld, s, k->path, "shares must sum to 1, they sum to %.12g", sum);
    mp->destinations = n;
    return 0;
}

/* ---- walking the file -------------------------------------------------- */

/* Every setting in the file must be a schema key or a group on the way to
 * one; the insides of distribution and share groups are checked by their
 * readers. */
static int check_known(loader *ld, const config_setting_t *group, const char *prefix)
{
    for (int i = 0; i < config_setting_length(group); i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", config_setting_name(s));
        if (schema_find(path))
            continue; /* distributions, shares and sections check their own insides */
        if (!schema_is_group_prefix(path))
            return loader_fail_unknown(ld, s, path);
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
            return loader_fail(ld, s, path, "expected a group { ... }, got %s", config_type_name(s));
        if (check_known(ld, s, path) != 0)
            return -1;
    }
    return 0;
}

static int apply_default(loader *ld, const config_key *k, config_scenario *sc)
{
    char *field = (char *)sc + k->offset;
    if (!k->fallback)
        return 0; /* an optional distribution or section: off */
    double v = strtod(k->fallback, NULL);
    switch (k->type) {
    case KEY_INT: *(int *)field = (int)v; return 0;
    case KEY_SEED: *(uint64_t *)field = (uint64_t)strtoull(k->fallback, NULL, 10); return 0;
    case KEY_FLOAT: *(double *)field = v; return 0;
    case KEY_ENUM: *(int *)field = schema_choice_index(k->choices, k->fallback); return 0;
    default: return loader_fail(ld, NULL, k->path, "internal error: no default for this kind of key");
    }
}

/* The group holding a key, or NULL for a top-level key. */
static const config_setting_t *parent_group(loader *ld, const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return NULL;
    char parent[256];
    snprintf(parent, sizeof parent, "%.*s", (int)(dot - path), path);
    return config_lookup(&ld->cfg, parent);
}

static int read_key(loader *ld, const config_key *k, config_scenario *sc)
{
    const config_setting_t *s = config_lookup(&ld->cfg, k->path);
    if (!s) {
        int needed = k->required == REQUIRED ||
                     (k->required == REQUIRED_UNLESS && !config_lookup(&ld->cfg, k->unless)) ||
                     (k->required == REQUIRED_IN_GROUP && parent_group(ld, k->path) &&
                      /* method: { pressure = ...; } alone is volume pressure
                       * without method work; method.time_share switches that on */
                      (strncmp(k->path, "method.", 7) != 0 || config_lookup(&ld->cfg, "method.time_share")));
        if (!needed)
            return apply_default(ld, k, sc);
        char expected[200];
        if (k->type == KEY_DIST)
            snprintf(expected, sizeof expected, "a distribution in %s", k->unit);
        else if (k->type == KEY_SHARES)
            snprintf(expected, sizeof expected, "a group of destination = share");
        else
            schema_describe_range(k, expected, sizeof expected);
        if (k->required == REQUIRED_UNLESS)
            return loader_fail(ld, NULL, k->path, "missing required key (needed unless %s is given); expected %s",
                               k->unless, expected);
        return loader_fail(ld, parent_group(ld, k->path), k->path, "missing required key; expected %s", expected);
    }
    char *field = (char *)sc + k->offset;
    double v;
    switch (k->type) {
    case KEY_INT:
        if (loader_read_number(ld, k, s, &v) != 0)
            return -1;
        *(int *)field = (int)v;
        return 0;
    case KEY_SEED:
        if (!value_is_integer(s) || config_setting_get_int64(s) < 0)
            return loader_fail(ld, s, k->path, "expected an integer >= 0 (use the L suffix above 2^31), got %s",
                               value_is_integer(s) ? "a negative integer" : config_type_name(s));
        *(uint64_t *)field = (uint64_t)config_setting_get_int64(s);
        return 0;
    case KEY_FLOAT:
        if (loader_read_number(ld, k, s, &v) != 0)
            return -1;
        *(double *)field = v;
        return 0;
    case KEY_DIST:
        return loader_read_dist(ld, k, s, (dist *)field);
    case KEY_SHARES:
        return read_shares(ld, k, s, &sc->model);
    case KEY_ENUM: {
        const char *text = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
        int i = text ? schema_choice_index(k->choices, text) : -1;
        if (i < 0) {
            char options[128];
            snprintf(options, sizeof options, "%s", k->choices);
            for (char *c = options; *c; c++)
                if (*c == '|')
                    *c = '/';
            return loader_fail(ld, s, k->path, "expected one of %s (a string), got %s%s%s%s", options,
                               text ? "'" : "", text ? text : config_type_name(s), text ? "'" : "", "");
        }
        *(int *)field = i;
        return 0;
    }
    case KEY_SECTION:
        return k->reader(ld, s, sc);
    }
    return -1;
}

/* Flags and cross-checks that need the whole scenario. */
static int finish_scenario(loader *ld, config_scenario *sc)
{
    model_params *p = &sc->model;
    p->has_patience = config_lookup(&ld->cfg, "waiting.patience_days") != NULL;
    p->has_turnover = config_lookup(&ld->cfg, "staff.turnover") != NULL;
    p->has_learning = config_lookup(&ld->cfg, "staff.learning") != NULL;
    p->has_maturity = config_lookup(&ld->cfg, "staff.maturity") != NULL;
    p->has_method = config_lookup(&ld->cfg, "method.time_share") != NULL;
    if (config_sites_check(ld, sc) != 0)
        return -1;
    if (p->has_turnover && !config_lookup(&ld->cfg, "staff.turnover.tenure_months"))
        return loader_fail(ld, config_lookup(&ld->cfg, "staff.turnover"), "staff.turnover.tenure_months", "missing");
    if (config_lookup(&ld->cfg, "method") && !p->has_method && !config_lookup(&ld->cfg, "method.pressure"))
        return loader_fail(ld, config_lookup(&ld->cfg, "method"), "method.time_share", "missing; expected a share in [0, 1)");
    if (p->has_method && p->method_time_share >= 1)
        return loader_fail(ld, config_lookup(&ld->cfg, "method.time_share"), "method.time_share",
                           "expected a share below 1 (some time must remain for meetings), got %g", p->method_time_share);
    if (p->profiles > 0 && p->sources == 0)
        return loader_fail(ld, config_lookup(&ld->cfg, "profiles"), "profiles",
                           "profiles are drawn per source: give sources with their profile shares");
    if (p->waiting_by_priority && p->profiles == 0)
        return loader_fail(ld, config_lookup(&ld->cfg, "waiting.policy"), "waiting.policy",
                           "a priority list orders by profile priority: give profiles");
    p->time_limit_destination = -1;
    int profile_limit = 0;
    for (int i = 0; i < p->profiles; i++)
        profile_limit |= p->profile[i].max_months > 0;
    if (profile_limit && !(p->max_months > 0) &&
        item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, "time_limit") < 0)
        return loader_fail(ld, config_lookup(&ld->cfg, "profiles"), "profiles.[].max_months",
                           "a time limit needs a destination named time_limit in exits.shares (share 0 is fine) or "
                           "exits.destinations");
    if (profile_limit)
        p->time_limit_destination =
            item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, "time_limit");
    if (p->max_months > 0) {
        p->time_limit_destination =
            item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, "time_limit");
        if (p->time_limit_destination < 0)
            return loader_fail(ld, config_lookup(&ld->cfg, "programme.max_months"), "programme.max_months",
                               "a time limit needs a destination named time_limit in exits.shares (share 0 is fine) or "
                               "exits.destinations");
    }
    /* The checks of roles against teams and caps against needs are the
     * model's (model_params_explain), reported at their keys below. */
    return 0;
}

/* ---- loading ----------------------------------------------------------- */

char *config_read_text(const char *path, size_t *len, char *why, size_t why_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            if (cap >= ((size_t)64 << 20)) {
                snprintf(why, why_size, "larger than 64 MiB; not a caseflow text file");
                free(buf);
                fclose(f);
                return NULL;
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    int read_error = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf) {
        snprintf(why, why_size, "out of memory reading it");
        return NULL;
    }
    if (read_error) {
        snprintf(why, why_size, "cannot read: %s", strerror(read_error));
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The numbers config_set_numbers sets, applied after the overrides. */
typedef struct number_settings {
    const char *const *keys;
    const double *values;
    int count;
} number_settings;

static int same_key(const char *line, const char *key_line)
{
    const char *eq = strchr(key_line, '=');
    size_t len = eq ? (size_t)(eq - key_line) : strlen(key_line);
    return strncmp(line, key_line, len) == 0 && line[len] == '=';
}

/* The overrides as stored: "key=value" lines, then each number set; an
 * override line whose key a number sets again is dropped (the number is
 * what acts, and the record of a calibration's many evaluations stays
 * short). */
static char *join_settings(const char *const *overrides, int n_overrides, const number_settings *nums)
{
    if (nums->count == 0)
        return override_join(overrides, n_overrides);
    const char **lines = malloc((size_t)(n_overrides + nums->count) * sizeof *lines);
    char (*texts)[CONFIG_KEY_TEXT_LEN + 40] = malloc((size_t)(nums->count ? nums->count : 1) * sizeof *texts);
    char *out = NULL;
    if (!lines || !texts)
        goto done;
    int n = 0;
    for (int i = 0; i < n_overrides; i++) {
        int replaced = 0;
        for (int k = 0; k < nums->count; k++)
            replaced |= same_key(overrides[i], nums->keys[k]);
        if (!replaced)
            lines[n++] = overrides[i];
    }
    for (int k = 0; k < nums->count; k++) {
        char v[40];
        snprintf(texts[k], sizeof texts[k], "%.*s=%s", CONFIG_KEY_TEXT_LEN - 1, nums->keys[k],
                 config_format_number(nums->values[k], 0, v, sizeof v));
        lines[n++] = texts[k];
    }
    out = override_join(lines, n);
done:
    free(lines);
    free(texts);
    return out;
}

/* A finding of the model's whole-scenario check, at the key it is about
 * (so with the file's line), in one place for both. */
static int report_problem(loader *ld, const model_problem *pr)
{
    static const char *const keys[] = {
        [MODEL_PART_WARMUP] = "run.warmup_months",
        [MODEL_PART_CASELOAD_CAP] = "staff.caseload_cap",
        [MODEL_PART_CASEWORK_MEETING] = "casework.meeting_hours",
        [MODEL_PART_ROLES] = "staff.roles",
        [MODEL_PART_ROLE] = "staff.roles",
        [MODEL_PART_TEAMS] = "staff.teams",
        [MODEL_PART_PHASE] = "phases",
    };
    if (pr->part == MODEL_PART_OTHER || (size_t)pr->part >= sizeof keys / sizeof keys[0] || !keys[pr->part])
        return loader_fail(ld, NULL, NULL, "inconsistent scenario: %s", pr->why);
    const config_setting_t *s = config_lookup(&ld->cfg, keys[pr->part]);
    char key[CONFIG_KEY_TEXT_LEN];
    snprintf(key, sizeof key, "%s", keys[pr->part]);
    if (pr->part == MODEL_PART_ROLE || pr->part == MODEL_PART_PHASE) {
        snprintf(key, sizeof key, "%s[%d]", keys[pr->part], pr->index);
        /* a phase's own line; a role is named at its list */
        if (pr->part == MODEL_PART_PHASE && s && pr->index >= 0 && pr->index < config_setting_length(s))
            s = config_setting_get_elem(s, (unsigned)pr->index);
    }
    return loader_fail(ld, s, key, "%s", pr->why);
}

/* The tree of text with the loader's overrides and numbers (values) set;
 * the caller destroys ld->cfg whatever the outcome. */
static int loader_parse(loader *ld, const char *text, const double *values)
{
    ld->err->message[0] = '\0';
    config_init(&ld->cfg);
    config_set_auto_convert(&ld->cfg, 0);
    if (config_read_string(&ld->cfg, text) != CONFIG_TRUE) {
        snprintf(ld->err->message, sizeof ld->err->message, "%s:%d: syntax error: %s", ld->path,
                 config_error_line(&ld->cfg), config_error_text(&ld->cfg));
        config_one_line(ld->err->message, sizeof ld->err->message);
        return -1;
    }
    ld->n_canonical = ld->n_overrides + ld->n_numbers;
    ld->canonical = calloc((size_t)(ld->n_canonical ? ld->n_canonical : 1), sizeof *ld->canonical);
    if (!ld->canonical)
        return loader_fail(ld, NULL, NULL, "out of memory");
    for (int i = 0; i < ld->n_overrides; i++) {
        ld->current = i;
        if (override_apply(ld, ld->overrides[i]) != 0)
            return -1;
    }
    for (int i = 0; i < ld->n_numbers; i++) {
        ld->current = ld->n_overrides + i;
        if (override_set_number(ld, ld->number_keys[i], values[i]) != 0)
            return -1;
    }
    ld->current = -1;
    return 0;
}

void loader_close(loader *ld)
{
    config_destroy(&ld->cfg);
    for (int i = 0; ld->canonical && i < ld->n_canonical; i++)
        free(ld->canonical[i]);
    free(ld->canonical);
    ld->canonical = NULL;
    ld->n_canonical = 0;
}

/* text with a snapshot's stored copy at its end, in place of any earlier
 * one (config_snapshot.h). */
static char *snapshot_joined(const char *text, const char *stored)
{
    const char *old = strstr(text, CONFIG_SNAPSHOT_MARKER);
    size_t keep = old ? (size_t)(old - text) : strlen(text);
    char *joined = malloc(keep + strlen(stored) + 1);
    if (joined) {
        memcpy(joined, text, keep);
        strcpy(joined + keep, stored);
    }
    return joined;
}

/* Parses text, applies the overrides and numbers, reads every key and runs
 * the whole-scenario checks; on success sc owns copies of name, text and
 * the settings' record. */
static int load_scenario(config_scenario *sc, const char *name, const char *text, const char *const *overrides,
                         int n_overrides, const number_settings *nums, config_error *err)
{
    memset(sc, 0, sizeof *sc);
    loader ld = {.path = name,
                 .overrides = overrides,
                 .n_overrides = n_overrides,
                 .number_keys = nums->keys,
                 .n_numbers = nums->count,
                 .err = err};
    int rc = -1;
    char *snapshot_text = NULL;
    if (loader_parse(&ld, text, nums->values) != 0)
        goto out;
    if (check_known(&ld, config_root_setting(&ld.cfg), "") != 0)
        goto out;
    for (size_t i = 0; i < config_schema_size; i++)
        if (read_key(&ld, &config_schema[i], sc) != 0)
            goto out;
    if (finish_scenario(&ld, sc) != 0)
        goto out;
    if (config_service_read(&ld.cfg, name, overrides, n_overrides, sc, err) != 0)
        goto out;
    if (config_snapshot_read(&ld.cfg, name, sc, &snapshot_text, err) != 0)
        goto out;
    model_problem problem;
    if (model_params_explain(&sc->model, &problem) != 0) {
        report_problem(&ld, &problem);
        goto out;
    }
    sc->path = strdup(name);
    sc->overrides = join_settings(overrides, n_overrides, nums);
    sc->text = snapshot_text ? snapshot_joined(text, snapshot_text) : strdup(text);
    if (!sc->path || !sc->overrides || !sc->text) {
        loader_fail(&ld, NULL, NULL, "out of memory");
        goto out;
    }
    rc = 0;
out:
    free(snapshot_text);
    loader_close(&ld);
    if (rc != 0)
        config_scenario_free(sc);
    return rc;
}

char *config_read_scenario(const char *path, config_error *err)
{
    loader ld = {.path = path, .err = err};
    err->message[0] = '\0';
    char why[200];
    size_t len = 0;
    char *text = config_read_text(path, &len, why, sizeof why);
    if (!text) {
        loader_fail(&ld, NULL, NULL, "%s", why);
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        free(text);
        loader_fail(&ld, NULL, NULL, "contains NUL bytes; not a text scenario file");
        return NULL;
    }
    return text;
}

int config_load(config_scenario *sc, const char *path, const char *const *overrides, int n_overrides,
                config_error *err)
{
    memset(sc, 0, sizeof *sc);
    char *text = config_read_scenario(path, err);
    if (!text)
        return -1;
    int rc = config_load_text(sc, path, text, overrides, n_overrides, err);
    free(text);
    return rc;
}

int config_load_expanded(config_scenario *sc, const char *name, const char *expanded, const config_line_map *map,
                         const char *const *overrides, int n_overrides, config_error *err)
{
    memset(sc, 0, sizeof *sc);
    /* The parser's own limit would say "memory exhausted". An empty text
     * is left to the missing-key message. */
    int line;
    const char *problem = config_text_problem(expanded, &line);
    int rc;
    if (problem && line > 0) {
        snprintf(err->message, sizeof err->message, "%s:%d: %s", name, line, problem);
        rc = -1;
    } else {
        number_settings none = {0};
        rc = load_scenario(sc, name, expanded, overrides, n_overrides, &none, err);
    }
    if (rc != 0) {
        config_map_message(err, name, map);
        config_one_line(err->message, sizeof err->message);
    }
    return rc;
}

int config_load_text(config_scenario *sc, const char *name, const char *text, const char *const *overrides,
                     int n_overrides, config_error *err)
{
    memset(sc, 0, sizeof *sc);
    config_line_map map;
    char *expanded = config_expand_includes(name, text, &map, err);
    if (!expanded)
        return -1;
    int rc = config_load_expanded(sc, name, expanded, &map, overrides, n_overrides, err);
    free(expanded);
    config_line_map_free(&map);
    return rc;
}

/* The stored overrides of a loaded scenario as lines (pointers into a
 * copy the caller frees), with room for `extra` more. */
static char *split_overrides(const char *joined, int extra, const char ***lines, int *n)
{
    char *copy = strdup(joined ? joined : "");
    size_t cap = 1 + (size_t)extra;
    for (const char *p = copy ? copy : ""; *p; p++)
        cap += *p == '\n';
    *lines = copy ? malloc(cap * sizeof **lines) : NULL;
    *n = 0;
    if (!*lines) {
        free(copy);
        return NULL;
    }
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        (*lines)[(*n)++] = l;
    return copy;
}

int loader_open_scenario(loader *ld, const config_scenario *sc, config_error *err)
{
    const char **lines = NULL;
    int n = 0;
    char *copy = split_overrides(sc->overrides, 0, &lines, &n);
    memset(ld, 0, sizeof *ld);
    ld->path = sc->path;
    ld->err = err;
    ld->overrides = lines;
    ld->n_overrides = n;
    int rc;
    if (!copy) {
        config_init(&ld->cfg);
        snprintf(err->message, sizeof err->message, "%s: out of memory", sc->path);
        rc = -1;
    } else {
        rc = loader_parse(ld, sc->text, NULL);
    }
    ld->overrides = NULL;
    ld->n_overrides = 0;
    free(lines);
    free(copy);
    return rc;
}

int config_derive(config_scenario *dst, const config_scenario *src, const char *const *overrides, int n_overrides,
                  const char *const *keys, const double *values, int n_values, config_error *err)
{
    const char **lines = NULL;
    int n = 0;
    char *copy = split_overrides(src->overrides, n_overrides, &lines, &n);
    if (!copy) {
        memset(dst, 0, sizeof *dst);
        snprintf(err->message, sizeof err->message, "%s: out of memory", src->path ? src->path : "scenario");
        return -1;
    }
    for (int i = 0; i < n_overrides; i++)
        lines[n++] = overrides[i];
    number_settings nums = {keys, values, n_values};
    int rc = load_scenario(dst, src->path, src->text, lines, n, &nums, err);
    free(lines);
    free(copy);
    return rc;
}

int config_set_numbers(config_scenario *sc, const char *const *keys, const double *values, int n,
                       config_error *err)
{
    config_scenario next;
    if (config_derive(&next, sc, NULL, 0, keys, values, n, err) != 0)
        return -1;
    config_scenario_free(sc);
    *sc = next;
    return 0;
}

int config_set_number(config_scenario *sc, const char *key, double value, config_error *err)
{
    return config_set_numbers(sc, &key, &value, 1, err);
}

int config_copy(config_scenario *dst, const config_scenario *src, config_error *err)
{
    return config_derive(dst, src, NULL, 0, NULL, NULL, 0, err);
}

char *config_format_number(double v, int as_float, char *buf, size_t size)
{
    /* The fewest significant digits (1 to 17) that read back exactly; %.17g
     * always does for a finite double. */
    int digits = 1;
    for (; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (!isfinite(v) || strtod(buf, NULL) == v)
            break;
    }
    /* %g turns to an exponent as soon as the digits run out (40 is "4e+01");
     * plain decimals read better between 1e-4 and 1e16. */
    const char *e = strchr(buf, 'e');
    if (e && fabs(v) >= 1e-4 && fabs(v) < 1e16) {
        int exponent = atoi(e + 1);
        int decimals = digits - 1 - exponent;
        snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, v);
    }
    if (as_float && isfinite(v) && !strpbrk(buf, ".eE") && strlen(buf) + 3 <= size)
        strcat(buf, ".0");
    return buf;
}

void config_scenario_free(config_scenario *sc)
{
    free(sc->path);
    free(sc->text);
    free(sc->overrides);
    sc->path = sc->text = sc->overrides = NULL;
    if (sc->snapshot) {
        model_snapshot_free(sc->snapshot);
        free(sc->snapshot);
        sc->snapshot = NULL;
        sc->model.snapshot = NULL;
    }
}

/* A number of the model's own fields: plain keys, distribution parameters,
 * shares (and the money section's, by money_get_number). */
static int field_number(const config_scenario *sc, const char *path, double *value)
{
    if (strncmp(path, "money.", 6) == 0)
        return money_get_number(&sc->money, &sc->model, path, value);
    const config_key *k = schema_find(path);
    if (k) {
        const char *field = (const char *)sc + k->offset;
        switch (k->type) {
        case KEY_INT: *value = *(const int *)field; return 0;
        case KEY_SEED: *value = (double)*(const uint64_t *)field; return 0;
        case KEY_FLOAT: *value = *(const double *)field; return 0;
        default: return -1;
        }
    }
    const char *dot = strrchr(path, '.');
    if (!dot)
        return -1;
    char parent[256];
    size_t len = (size_t)(dot - path);
    if (len >= sizeof parent)
        return -1;
    memcpy(parent, path, len);
    parent[len] = '\0';
    k = schema_find(parent);
    if (!k)
        return -1;
    const char *leaf = dot + 1;
    if (k->type == KEY_DIST) {
        const dist *d = (const dist *)((const char *)sc + k->offset);
        const char *a, *b;
        dist_param_names(d->kind, &a, &b);
        if (a && strcmp(leaf, a) == 0)
            *value = d->p1;
        else if (b && strcmp(leaf, b) == 0)
            *value = d->p2;
        else
            return -1;
        return 0;
    }
    if (k->type == KEY_SHARES) {
        for (int i = 0; i < sc->model.destinations; i++)
            if (strcmp(sc->model.destination_names[i], leaf) == 0) {
                *value = sc->model.destination_shares[i];
                return 0;
            }
    }
    return -1;
}

/* Any other number, found by its key path in the scenario's tree (list
 * items by name or index, as -s names them), or as a listed default. */
static int tree_number(const config_scenario *sc, const char *path, double *value)
{
    loader ld;
    config_error err;
    int rc = -1;
    if (loader_open_scenario(&ld, sc, &err) == 0) {
        const config_setting_t *s = override_find(&ld, path);
        if (s && value_is_number(s)) {
            *value = value_is_integer(s) ? (double)config_setting_get_int64(s) : config_setting_get_float(s);
            rc = 0;
        }
    }
    loader_close(&ld);
    if (rc != 0) {
        config_resolved r;
        if (config_resolve(sc, &r, &err) == 0) {
            const config_resolved_key *k = config_resolved_find(&r, path);
            if (k && !isnan(k->value)) {
                *value = k->value;
                rc = 0;
            }
            config_resolved_free(&r);
        }
    }
    return rc;
}

int config_get_number(const config_scenario *sc, const char *path, double *value)
{
    if (field_number(sc, path, value) == 0)
        return 0;
    return tree_number(sc, path, value);
}

