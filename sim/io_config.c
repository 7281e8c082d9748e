/*
 * io_config.c — the scenario schema and its validation.
 *
 * The schema table is the single source of truth for keys: validation, the
 * unknown-key check with its "did you mean", `caseflow check`'s listing and
 * the key reference in configs/README.md are all generated from it.
 */
#include "io_config.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum key_type { KEY_INT, KEY_SEED, KEY_FLOAT, KEY_DIST, KEY_SHARES } key_type;

typedef struct config_key {
    const char *path;
    key_type type;
    int required;
    double min, max;
    int min_open;        /* min is exclusive */
    const char *fallback; /* default, as written in a file; NULL when required */
    const char *unit;
    const char *doc;
    size_t offset;       /* into config_scenario */
} config_key;

#define AT(field) offsetof(config_scenario, field)

static const config_key schema[] = {
    {"run.replications", KEY_INT, 0, 1, 1e6, 0, "10", "count",
     "Independent replications of the scenario.", AT(replications)},
    {"run.seed", KEY_SEED, 0, 0, 9.2e18, 0, "1", "-",
     "Master seed; replication r uses a seed mixed from (seed, r).", AT(seed)},
    {"run.horizon_months", KEY_INT, 1, 1, 1200, 0, NULL, "months",
     "Simulated time from the programme's start.", AT(model.horizon_months)},
    {"run.warmup_months", KEY_INT, 0, 0, 1199, 0, "0", "months",
     "Statistics start after this (the series still cover it).", AT(model.warmup_months)},
    {"referrals.rate_per_month", KEY_FLOAT, 1, 0, 1e7, 1, NULL, "referrals/month",
     "Mean of the Poisson referral process.", AT(model.referral_rate_per_month)},
    {"staff.workers", KEY_INT, 1, 1, 100000, 0, NULL, "count",
     "Case workers (coaches, case managers).", AT(model.workers)},
    {"staff.caseload_cap", KEY_INT, 1, 1, 1e6, 0, NULL, "participants/worker",
     "Most participants one worker carries; beyond it referrals wait.", AT(model.caseload_cap)},
    {"staff.meeting_hours_per_day", KEY_FLOAT, 0, 0, 24, 1, "4.0", "hours/day",
     "Worker time available for meetings; a meeting of h hours takes h / this days.",
     AT(model.meeting_hours_per_day)},
    {"casework.meeting_hours", KEY_DIST, 1, 0, 0, 0, NULL, "hours",
     "Length of one meeting (a distribution).", AT(model.meeting_hours)},
    {"casework.own_time_days", KEY_DIST, 1, 0, 0, 0, NULL, "days",
     "Time on own between a meeting and needing the next (a distribution; "
     "{ dist = \"deterministic\"; value = 0.0; } for none).", AT(model.own_time_days)},
    {"exits.probability_per_meeting", KEY_FLOAT, 1, 0, 1, 1, NULL, "probability",
     "Chance that the case ends after a meeting.", AT(model.exit_probability)},
    {"exits.shares", KEY_SHARES, 1, 0, 0, 0, NULL, "shares",
     "Destination name = share of exits; at most 16, summing to 1.", AT(model)},
};

#define SCHEMA_SIZE (sizeof schema / sizeof schema[0])

typedef struct loader {
    const char *path;
    config_t cfg;
    const char *const *overrides;
    int n_overrides;
    config_error *err;
} loader;

/* ---- messages ---------------------------------------------------------- */

static int overridden(const loader *ld, const char *key)
{
    size_t len = strlen(key);
    for (int i = 0; i < ld->n_overrides; i++)
        if (strncmp(ld->overrides[i], key, len) == 0 && ld->overrides[i][len] == '=')
            return 1;
    return 0;
}

/* Messages are one line: control characters that come from the file or the
 * command line (a string holding "\n", say) are shown escaped. */
static void one_line(char *msg, size_t size)
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

static int fail(loader *ld, const config_setting_t *where, const char *key, const char *fmt, ...)
{
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = where ? (int)config_setting_source_line(where) : 0;
    if (key && overridden(ld, key))
        snprintf(ld->err->message, sizeof ld->err->message, "%s: -s %s: %s", ld->path, key, what);
    else if (line > 0)
        snprintf(ld->err->message, sizeof ld->err->message, "%s:%d: %s: %s", ld->path, line,
                 key ? key : "(file)", what);
    else
        snprintf(ld->err->message, sizeof ld->err->message, "%s: %s: %s", ld->path, key ? key : "(file)",
                 what);
    one_line(ld->err->message, sizeof ld->err->message);
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
static const char *closest(const char *word, const char *const *cands, size_t n)
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

static int fail_unknown(loader *ld, const config_setting_t *s, const char *key)
{
    const char *cands[SCHEMA_SIZE + 8];
    size_t n = 0;
    char groups[8][32];
    size_t ng = 0;
    for (size_t i = 0; i < SCHEMA_SIZE; i++) {
        cands[n++] = schema[i].path;
        const char *dot = strchr(schema[i].path, '.');
        size_t len = (size_t)(dot - schema[i].path);
        int seen = 0;
        for (size_t g = 0; g < ng; g++)
            seen |= strlen(groups[g]) == len && strncmp(groups[g], schema[i].path, len) == 0;
        if (!seen && ng < 8) {
            memcpy(groups[ng], schema[i].path, len);
            groups[ng][len] = '\0';
            ng++;
        }
    }
    for (size_t g = 0; g < ng; g++)
        cands[n++] = groups[g];
    const char *hint = closest(key, cands, n);
    if (hint)
        return fail(ld, s, key, "unknown key (did you mean '%s'?)", hint);
    return fail(ld, s, key, "unknown key");
}

/* ---- typed readers ----------------------------------------------------- */

static int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static int is_integer(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static const char *type_name(const config_setting_t *s)
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

static void describe_range(const config_key *k, char *buf, size_t size)
{
    const char *what = k->type == KEY_FLOAT ? "a number" : "an integer";
    snprintf(buf, size, "%s %s %g and <= %g (%s)", what, k->min_open ? ">" : ">=", k->min, k->max, k->unit);
}

static int read_number(loader *ld, const config_key *k, const config_setting_t *s, double *out)
{
    char range[160];
    describe_range(k, range, sizeof range);
    int ok_type = k->type == KEY_FLOAT ? is_number(s) : is_integer(s);
    if (!ok_type)
        return fail(ld, s, k->path, "expected %s, got %s", range, type_name(s));
    double v = is_integer(s) ? (double)config_setting_get_int64(s) : config_setting_get_float(s);
    if (!isfinite(v))
        return fail(ld, s, k->path, "expected %s, got a value that is not finite", range);
    if (v < k->min || (k->min_open && v == k->min) || v > k->max)
        return fail(ld, s, k->path, "expected %s, got %.17g", range, v);
    *out = v;
    return 0;
}

static int read_dist(loader *ld, const config_key *k, const config_setting_t *s, dist *out)
{
    static const char *const shape =
        "a distribution group such as { dist = \"exponential\"; mean = 2.0; }";
    char key[160];
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, k->path, "expected %s, got %s", shape, type_name(s));
    snprintf(key, sizeof key, "%s.dist", k->path);
    const config_setting_t *name = config_setting_get_member(s, "dist");
    if (!name)
        return fail(ld, s, key, "missing; expected one of exponential, deterministic, uniform, gamma, lognormal");
    if (config_setting_type(name) != CONFIG_TYPE_STRING)
        return fail(ld, name, key, "expected a string naming the distribution, got %s", type_name(name));
    const char *kind_text = config_setting_get_string(name);
    int kind = dist_kind_from_name(kind_text);
    if (kind < 0) {
        const char *kinds[DIST_KIND_COUNT];
        for (int i = 0; i < DIST_KIND_COUNT; i++)
            kinds[i] = dist_kind_name((dist_kind)i);
        const char *hint = closest(kind_text, kinds, DIST_KIND_COUNT);
        if (hint)
            return fail(ld, name, key, "unknown distribution '%s' (did you mean '%s'?)", kind_text, hint);
        return fail(ld, name, key,
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
            return fail(ld, s, key, "missing; a %s distribution needs %s%s%s", kind_text, pn[0],
                        pn[1] ? " and " : "", pn[1] ? pn[1] : "");
        if (!is_number(p))
            return fail(ld, p, key, "expected a number (%s), got %s", k->unit, type_name(p));
        v[i] = is_integer(p) ? (double)config_setting_get_int64(p) : config_setting_get_float(p);
    }
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *mn = config_setting_name(m);
        if (strcmp(mn, "dist") != 0 && !(pn[0] && strcmp(mn, pn[0]) == 0) && !(pn[1] && strcmp(mn, pn[1]) == 0)) {
            snprintf(key, sizeof key, "%s.%s", k->path, mn);
            return fail(ld, m, key, "not a parameter of a %s distribution (it takes %s%s%s)", kind_text, pn[0],
                        pn[1] ? " and " : "", pn[1] ? pn[1] : "");
        }
    }
    const char *why = dist_make(out, (dist_kind)kind, v[0], v[1]);
    if (why)
        return fail(ld, s, k->path, "bad %s distribution: %s", kind_text, why);
    return 0;
}

static int read_shares(loader *ld, const config_key *k, const config_setting_t *s, model_params *mp)
{
    char key[160];
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, k->path, "expected a group of name = share, got %s", type_name(s));
    int n = config_setting_length(s);
    if (n < 1 || n > MODEL_MAX_DESTINATIONS)
        return fail(ld, s, k->path, "expected between 1 and %d destinations, got %d", MODEL_MAX_DESTINATIONS, n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(m);
        snprintf(key, sizeof key, "%s.%s", k->path, name);
        if (strlen(name) >= MODEL_NAME_LEN)
            return fail(ld, m, key, "destination name longer than %d characters", MODEL_NAME_LEN - 1);
        if (!is_number(m))
            return fail(ld, m, key, "expected a share between 0 and 1, got %s", type_name(m));
        double v = is_integer(m) ? (double)config_setting_get_int64(m) : config_setting_get_float(m);
        if (!isfinite(v) || v < 0 || v > 1)
            return fail(ld, m, key, "expected a share between 0 and 1, got %.17g", v);
        snprintf(mp->destination_names[i], MODEL_NAME_LEN, "%s", name);
        mp->destination_shares[i] = v;
        sum += v;
    }
    if (fabs(sum - 1.0) > 1e-9)
        return fail(ld, s, k->path, "shares must sum to 1, they sum to %.12g", sum);
    mp->destinations = n;
    return 0;
}

/* ---- walking the file -------------------------------------------------- */

static const config_key *schema_find(const char *path)
{
    for (size_t i = 0; i < SCHEMA_SIZE; i++)
        if (strcmp(schema[i].path, path) == 0)
            return &schema[i];
    return NULL;
}

static int is_group_prefix(const char *path)
{
    size_t len = strlen(path);
    for (size_t i = 0; i < SCHEMA_SIZE; i++)
        if (strncmp(schema[i].path, path, len) == 0 && schema[i].path[len] == '.')
            return 1;
    return 0;
}

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
            continue;
        if (!is_group_prefix(path))
            return fail_unknown(ld, s, path);
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
            return fail(ld, s, path, "expected a group { ... }, got %s", type_name(s));
        if (check_known(ld, s, path) != 0)
            return -1;
    }
    return 0;
}

static int apply_default(loader *ld, const config_key *k, config_scenario *sc)
{
    char *field = (char *)sc + k->offset;
    double v = strtod(k->fallback, NULL);
    switch (k->type) {
    case KEY_INT: *(int *)field = (int)v; return 0;
    case KEY_SEED: *(uint64_t *)field = (uint64_t)strtoull(k->fallback, NULL, 10); return 0;
    case KEY_FLOAT: *(double *)field = v; return 0;
    default: return fail(ld, NULL, k->path, "internal error: no default for this kind of key");
    }
}

static int read_key(loader *ld, const config_key *k, config_scenario *sc)
{
    const config_setting_t *s = config_lookup(&ld->cfg, k->path);
    if (!s) {
        if (!k->required)
            return apply_default(ld, k, sc);
        char expected[200];
        if (k->type == KEY_DIST)
            snprintf(expected, sizeof expected, "a distribution in %s", k->unit);
        else if (k->type == KEY_SHARES)
            snprintf(expected, sizeof expected, "a group of destination = share");
        else
            describe_range(k, expected, sizeof expected);
        return fail(ld, NULL, k->path, "missing required key; expected %s", expected);
    }
    char *field = (char *)sc + k->offset;
    double v;
    switch (k->type) {
    case KEY_INT:
        if (read_number(ld, k, s, &v) != 0)
            return -1;
        *(int *)field = (int)v;
        return 0;
    case KEY_SEED:
        if (!is_integer(s) || config_setting_get_int64(s) < 0)
            return fail(ld, s, k->path, "expected an integer >= 0 (use the L suffix above 2^31), got %s",
                        is_integer(s) ? "a negative integer" : type_name(s));
        *(uint64_t *)field = (uint64_t)config_setting_get_int64(s);
        return 0;
    case KEY_FLOAT:
        if (read_number(ld, k, s, &v) != 0)
            return -1;
        *(double *)field = v;
        return 0;
    case KEY_DIST:
        return read_dist(ld, k, s, (dist *)field);
    case KEY_SHARES:
        return read_shares(ld, k, s, &sc->model);
    }
    return -1;
}

/* ---- overrides --------------------------------------------------------- */

static config_setting_t *ensure_group(config_setting_t *parent, const char *name)
{
    config_setting_t *g = config_setting_get_member(parent, name);
    if (g)
        return config_setting_type(g) == CONFIG_TYPE_GROUP ? g : NULL;
    return config_setting_add(parent, name, CONFIG_TYPE_GROUP);
}

static int apply_override(loader *ld, const char *text)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return fail(ld, NULL, text, "an override must look like -s key.path=value");
    char path[256];
    size_t plen = (size_t)(eq - text);
    if (plen >= sizeof path)
        return fail(ld, NULL, text, "key path too long");
    memcpy(path, text, plen);
    path[plen] = '\0';
    const char *value = eq + 1;

    config_setting_t *parent = config_root_setting(&ld->cfg);
    char *save = NULL, work[256];
    memcpy(work, path, plen + 1);
    char *part = strtok_r(work, ".", &save);
    char *next;
    while (part && (next = strtok_r(NULL, ".", &save)) != NULL) {
        parent = ensure_group(parent, part);
        if (!parent)
            return fail(ld, NULL, path, "cannot set: '%s' is not a group", part);
        part = next;
    }
    if (!part || !*part)
        return fail(ld, NULL, path, "empty key");
    if (config_setting_get_member(parent, part))
        config_setting_remove(parent, part);

    char *end;
    errno = 0;
    long long iv = strtoll(value, &end, 10);
    config_setting_t *s;
    if (*value && *end == '\0' && errno == 0) {
        s = config_setting_add(parent, part, CONFIG_TYPE_INT64);
        if (s)
            config_setting_set_int64(s, iv);
    } else {
        errno = 0;
        double dv = strtod(value, &end);
        if (*value && *end == '\0' && errno == 0) {
            s = config_setting_add(parent, part, CONFIG_TYPE_FLOAT);
            if (s)
                config_setting_set_float(s, dv);
        } else {
            size_t vl = strlen(value);
            char unq[256];
            if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"' && vl - 2 < sizeof unq) {
                memcpy(unq, value + 1, vl - 2);
                unq[vl - 2] = '\0';
                value = unq;
            }
            s = config_setting_add(parent, part, CONFIG_TYPE_STRING);
            if (s)
                config_setting_set_string(s, value);
        }
    }
    if (!s)
        return fail(ld, NULL, path, "cannot set this key");
    return 0;
}

/* ---- loading ----------------------------------------------------------- */

static char *read_whole(const char *path, size_t *len, char *why, size_t why_size)
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
                snprintf(why, why_size, "larger than 64 MiB; not a scenario file");
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

static char *join_overrides(const char *const *ov, int n)
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

int config_load(config_scenario *sc, const char *path, const char *const *overrides, int n_overrides,
                config_error *err)
{
    memset(sc, 0, sizeof *sc);
    loader ld = {.path = path, .overrides = overrides, .n_overrides = n_overrides, .err = err};
    err->message[0] = '\0';
    char why[200];
    size_t len = 0;
    char *text = read_whole(path, &len, why, sizeof why);
    if (!text)
        return fail(&ld, NULL, NULL, "%s", why);
    if (memchr(text, '\0', len)) {
        free(text);
        return fail(&ld, NULL, NULL, "contains NUL bytes; not a text scenario file");
    }
    config_init(&ld.cfg);
    config_set_auto_convert(&ld.cfg, 0);
    int rc = -1;
    if (config_read_string(&ld.cfg, text) != CONFIG_TRUE) {
        snprintf(err->message, sizeof err->message, "%s:%d: syntax error: %s", path, config_error_line(&ld.cfg),
                 config_error_text(&ld.cfg));
        one_line(err->message, sizeof err->message);
        goto out;
    }
    for (int i = 0; i < n_overrides; i++)
        if (apply_override(&ld, overrides[i]) != 0)
            goto out;
    if (check_known(&ld, config_root_setting(&ld.cfg), "") != 0)
        goto out;
    for (size_t i = 0; i < SCHEMA_SIZE; i++)
        if (read_key(&ld, &schema[i], sc) != 0)
            goto out;
    if (sc->model.warmup_months >= sc->model.horizon_months) {
        fail(&ld, config_lookup(&ld.cfg, "run.warmup_months"), "run.warmup_months",
             "expected fewer months than run.horizon_months (%d), got %d", sc->model.horizon_months,
             sc->model.warmup_months);
        goto out;
    }
    const char *why_model = model_params_check(&sc->model);
    if (why_model) {
        fail(&ld, NULL, NULL, "inconsistent scenario: %s", why_model);
        goto out;
    }
    sc->path = strdup(path);
    sc->overrides = join_overrides(overrides, n_overrides);
    sc->text = text;
    text = NULL;
    if (!sc->path || !sc->overrides) {
        fail(&ld, NULL, NULL, "out of memory");
        goto out;
    }
    rc = 0;
out:
    free(text);
    config_destroy(&ld.cfg);
    if (rc != 0)
        config_scenario_free(sc);
    return rc;
}

void config_scenario_free(config_scenario *sc)
{
    free(sc->path);
    free(sc->text);
    free(sc->overrides);
    sc->path = sc->text = sc->overrides = NULL;
}

/* ---- listing ----------------------------------------------------------- */

static void print_value(FILE *out, const config_key *k, const config_scenario *sc)
{
    const char *field = (const char *)sc + k->offset;
    switch (k->type) {
    case KEY_INT: fprintf(out, "%d", *(const int *)field); break;
    case KEY_SEED: fprintf(out, "%lluL", (unsigned long long)*(const uint64_t *)field); break;
    case KEY_FLOAT: fprintf(out, "%.17g", *(const double *)field); break;
    case KEY_DIST: {
        const dist *d = (const dist *)field;
        const char *a, *b;
        dist_param_names(d->kind, &a, &b);
        fprintf(out, "{ dist = \"%s\"; %s = %.17g;", dist_kind_name(d->kind), a, d->p1);
        if (b)
            fprintf(out, " %s = %.17g;", b, d->p2);
        fprintf(out, " }");
        break;
    }
    case KEY_SHARES:
        fprintf(out, "{");
        for (int i = 0; i < sc->model.destinations; i++)
            fprintf(out, " %s = %.17g;", sc->model.destination_names[i], sc->model.destination_shares[i]);
        fprintf(out, " }");
        break;
    }
}

void config_print(FILE *out, const config_scenario *sc)
{
    fprintf(out, "# resolved scenario from %s\n", sc->path);
    const char *open_group = NULL;
    size_t open_len = 0;
    for (size_t i = 0; i < SCHEMA_SIZE; i++) {
        const config_key *k = &schema[i];
        const char *dot = strchr(k->path, '.');
        size_t glen = (size_t)(dot - k->path);
        if (!open_group || glen != open_len || strncmp(open_group, k->path, glen) != 0) {
            if (open_group)
                fprintf(out, "};\n");
            fprintf(out, "%.*s: {\n", (int)glen, k->path);
            open_group = k->path;
            open_len = glen;
        }
        fprintf(out, "  %s = ", dot + 1);
        print_value(out, k, sc);
        fprintf(out, ";  # %s\n", k->unit);
    }
    if (open_group)
        fprintf(out, "};\n");
}

void config_print_reference(FILE *out)
{
    fprintf(out, "| key | type | unit | default | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < SCHEMA_SIZE; i++) {
        const config_key *k = &schema[i];
        char range[160];
        switch (k->type) {
        case KEY_INT:
        case KEY_FLOAT:
            describe_range(k, range, sizeof range);
            break;
        case KEY_SEED: snprintf(range, sizeof range, "integer >= 0"); break;
        case KEY_DIST: snprintf(range, sizeof range, "distribution group"); break;
        case KEY_SHARES: snprintf(range, sizeof range, "group of name = share"); break;
        }
        fprintf(out, "| `%s` | %s | %s | %s | %s |\n", k->path, range, k->unit,
                k->fallback ? k->fallback : "required", k->doc);
    }
}

int config_get_number(const config_scenario *sc, const char *path, double *value)
{
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
