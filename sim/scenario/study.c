/*
 * io_study.c — expanding a study file into scenarios and trials.
 *
 * Every scenario is loaded through config_load with its settings as
 * overrides, so a sweep or a named scenario is validated exactly like a
 * hand-written scenario file, with the same messages.
 */
#include "scenario/study.h"
#include "scenario/config_service.h"

#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "engine/eng_rng.h"

/* A growing list of scenario definitions before they are loaded. */
typedef struct pending {
    char name[STUDY_NAME_LEN];
    char *settings; /* "k=v\n..." */
    int line;
} pending;

typedef struct plan {
    pending *items;
    int count, capacity;
} plan;

static int plan_add(plan *pl, const char *name, char *settings, int line)
{
    if (pl->count == pl->capacity) {
        int cap = pl->capacity ? pl->capacity * 2 : 16;
        pending *grown = realloc(pl->items, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        pl->items = grown;
        pl->capacity = cap;
    }
    pending *p = &pl->items[pl->count++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->settings = settings;
    p->line = line;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const pending *const *x = a, *const *y = b;
    int c = strcmp((*x)->name, (*y)->name);
    return c ? c : (*x < *y ? -1 : *x > *y);
}

/* Scenario names pick scenarios (report --scenario NAME, the output's
 * /scenarios), so two may not share one; sorting finds a pair in
 * O(n log n) for studies of many thousands. */
static int plan_names_unique(const plan *pl, const char *path, config_error *err)
{
    const pending **sorted = malloc((size_t)(pl->count ? pl->count : 1) * sizeof *sorted);
    if (!sorted) {
        snprintf(err->message, sizeof err->message, "%s: out of memory", path);
        return -1;
    }
    for (int i = 0; i < pl->count; i++)
        sorted[i] = &pl->items[i];
    qsort(sorted, (size_t)pl->count, sizeof *sorted, by_name);
    int rc = 0;
    for (int i = 1; i < pl->count && rc == 0; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
            const pending *first = sorted[i - 1], *second = sorted[i];
            snprintf(err->message, sizeof err->message,
                     "%s:%d: scenario '%s': the name is used twice (scenarios %d and %d%s); scenario names must differ",
                     path, second->line, second->name, (int)(first - pl->items), (int)(second - pl->items),
                     strcmp(first->name, "base") == 0 ? ", 'base' is the base scenario's" : "");
            rc = -1;
        }
    free(sorted);
    return rc;
}

static void plan_free(plan *pl)
{
    for (int i = 0; i < pl->count; i++)
        free(pl->items[i].settings);
    free(pl->items);
}

/* The shortest text that reads back as the same double (0.15, never
 * 0.14999999999999999), as config_format_number writes it: names and
 * settings stay readable and the value loaded is exactly the one swept. */
static void format_value(char *buf, size_t size, double v)
{
    config_format_number(v, 0, buf, size);
}

static char *append_setting(char *settings, const char *key, const char *value)
{
    size_t old = settings ? strlen(settings) : 0;
    size_t add = strlen(key) + strlen(value) + 2;
    char *grown = realloc(settings, old + add + 1);
    if (!grown) {
        free(settings);
        return NULL;
    }
    snprintf(grown + old, add + 1, "%s=%s\n", key, value);
    return grown;
}

static const char *forbidden_key(const char *key)
{
    static const char *const fixed[] = {"run.replications", "run.seed", "run.horizon_months", "run.warmup_months"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(key, fixed[i]) == 0)
            return fixed[i];
    if (strncmp(key, "exits.shares", 12) == 0 && (key[12] == '\0'))
        return "exits.shares";
    return NULL;
}

static int read_named(const char *path, const config_setting_t *list, plan *pl, config_error *err)
{
    if (config_setting_type(list) != CONFIG_TYPE_LIST)
        return config_fail(err, path, list, "study.scenarios", "expected a list ( { name = \"...\"; set = [\"key=value\", ...]; }, ... )");
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        char key[64];
        snprintf(key, sizeof key, "study.scenarios[%d]", i);
        if (config_setting_type(g) != CONFIG_TYPE_GROUP)
            return config_fail(err, path, g, key, "expected a group { name = \"...\"; set = [...]; }");
        const char *name = NULL;
        if (!config_setting_lookup_string(g, "name", &name) || !*name)
            return config_fail(err, path, g, key, "missing name (a non-empty string)");
        const config_setting_t *set = config_setting_get_member(g, "set");
        if (!set || (config_setting_type(set) != CONFIG_TYPE_ARRAY && config_setting_type(set) != CONFIG_TYPE_LIST))
            return config_fail(err, path, g, key, "missing set = [\"key=value\", ...]");
        for (int j = 0; j < config_setting_length(g); j++) {
            const char *member = config_setting_name(config_setting_get_elem(g, (unsigned)j));
            if (strcmp(member, "name") != 0 && strcmp(member, "set") != 0)
                return config_fail(err, path, config_setting_get_elem(g, (unsigned)j), key,
                             "unknown key '%s' (a scenario has name and set)", member);
        }
        char *settings = calloc(1, 1);
        for (int j = 0; settings && j < config_setting_length(set); j++) {
            const config_setting_t *e = config_setting_get_elem(set, (unsigned)j);
            const char *text = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
            const char *eq = text ? strchr(text, '=') : NULL;
            if (!eq || eq == text) {
                free(settings);
                return config_fail(err, path, e, key, "each entry of set must be a string \"key.path=value\"");
            }
            char k[STUDY_KEY_LEN];
            snprintf(k, sizeof k, "%.*s", (int)(eq - text), text);
            if (forbidden_key(k)) {
                free(settings);
                return config_fail(err, path, e, key, "%s is shared by all scenarios of a study; set it in study or the base", k);
            }
            settings = append_setting(settings, k, eq + 1);
        }
        if (!settings || plan_add(pl, name, settings, (int)config_setting_source_line(g)) != 0)
            return config_fail(err, path, g, key, "out of memory");
    }
    return 0;
}

typedef struct axis {
    char key[STUDY_KEY_LEN];
    double *values;
    int count;
} axis;

static int read_grid(const char *path, const config_setting_t *list, plan *pl, config_error *err)
{
    if (config_setting_type(list) != CONFIG_TYPE_LIST)
        return config_fail(err, path, list, "study.grid", "expected a list ( { key = \"a.b\"; values = [1, 2]; }, ... )");
    int n = config_setting_length(list);
    if (n == 0)
        return config_fail(err, path, list, "study.grid", "empty sweep: name at least one key with values");
    if (n > STUDY_MAX_PARAMS)
        return config_fail(err, path, list, "study.grid", "at most %d swept keys", STUDY_MAX_PARAMS);
    axis axes[STUDY_MAX_PARAMS];
    memset(axes, 0, sizeof axes);
    int rc = 0;
    double total = 1;
    for (int i = 0; i < n && rc == 0; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        char key[64];
        snprintf(key, sizeof key, "study.grid[%d]", i);
        const char *k = NULL;
        const config_setting_t *vals = config_setting_type(g) == CONFIG_TYPE_GROUP ? config_setting_get_member(g, "values") : NULL;
        if (config_setting_type(g) != CONFIG_TYPE_GROUP || !config_setting_lookup_string(g, "key", &k) || !vals) {
            rc = config_fail(err, path, g, key, "expected { key = \"a.b\"; values = [1, 2, ...]; }");
            break;
        }
        if (forbidden_key(k)) {
            rc = config_fail(err, path, g, key, "%s is shared by all scenarios of a study and cannot be swept", k);
            break;
        }
        int m = config_setting_length(vals);
        if (m == 0 || (config_setting_type(vals) != CONFIG_TYPE_ARRAY && config_setting_type(vals) != CONFIG_TYPE_LIST)) {
            rc = config_fail(err, path, vals, key, "empty sweep: values must list at least one number");
            break;
        }
        snprintf(axes[i].key, sizeof axes[i].key, "%s", k);
        axes[i].values = malloc((size_t)m * sizeof(double));
        axes[i].count = m;
        for (int j = 0; j < m && axes[i].values; j++)
            if (config_number_of(config_setting_get_elem(vals, (unsigned)j), &axes[i].values[j]) != 0) {
                rc = config_fail(err, path, config_setting_get_elem(vals, (unsigned)j), key,
                           "expected numbers in values (sweeps are over numeric keys)");
                break;
            }
        total *= m;
    }
    if (rc == 0 && total > STUDY_MAX_SCENARIOS)
        rc = config_fail(err, path, list, "study.grid", "the grid has %.0f points; at most %d scenarios", total,
                   STUDY_MAX_SCENARIOS);
    for (long point = 0; rc == 0 && point < (long)total; point++) {
        char *settings = calloc(1, 1);
        char name[STUDY_NAME_LEN * 8] = "";
        long rest = point;
        /* Last axis varies fastest, like nested loops written in order. */
        int idx[STUDY_MAX_PARAMS];
        for (int i = n - 1; i >= 0; i--) {
            idx[i] = (int)(rest % axes[i].count);
            rest /= axes[i].count;
        }
        for (int i = 0; i < n && settings; i++) {
            char v[64];
            format_value(v, sizeof v, axes[i].values[idx[i]]);
            settings = append_setting(settings, axes[i].key, v);
            size_t used = strlen(name);
            const char *leaf = strrchr(axes[i].key, '.');
            snprintf(name + used, sizeof name - used, "%s%s=%s", i ? "," : "", leaf ? leaf + 1 : axes[i].key, v);
        }
        if (strlen(name) >= STUDY_NAME_LEN) {
            /* Too long to keep whole: cut, and end with the point's number,
             * so cut names stay unique. */
            char suffix[32];
            int sn = snprintf(suffix, sizeof suffix, "~%ld", point);
            snprintf(name + STUDY_NAME_LEN - 1 - sn, (size_t)sn + 1, "%s", suffix);
        }
        if (!settings || plan_add(pl, name, settings, (int)config_setting_source_line(list)) != 0)
            rc = config_fail(err, path, list, "study.grid", "out of memory");
    }
    for (int i = 0; i < n; i++)
        free(axes[i].values);
    return rc;
}

static int read_lhs(const char *path, const config_setting_t *g, plan *pl, config_error *err)
{
    int samples = 0;
    long long seed = 1;
    const config_setting_t *ranges = config_setting_type(g) == CONFIG_TYPE_GROUP ? config_setting_get_member(g, "ranges") : NULL;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP || !config_setting_lookup_int(g, "samples", &samples) || !ranges ||
        config_setting_type(ranges) != CONFIG_TYPE_LIST)
        return config_fail(err, path, g, "study.lhs",
                     "expected { samples = N; seed = S; ranges = ( { key = \"a.b\"; min = x; max = y; integer = false; }, ... ); }");
    config_setting_lookup_int64(g, "seed", &seed);
    int n = config_setting_length(ranges);
    if (samples < 1 || samples > STUDY_MAX_SCENARIOS)
        return config_fail(err, path, g, "study.lhs.samples", "expected an integer between 1 and %d", STUDY_MAX_SCENARIOS);
    if (n < 1 || n > STUDY_MAX_PARAMS)
        return config_fail(err, path, ranges, "study.lhs.ranges", "expected between 1 and %d ranges", STUDY_MAX_PARAMS);
    gsl_rng *r = rng_alloc((uint64_t)seed);
    size_t *perm = malloc((size_t)samples * n * sizeof *perm);
    double *value = malloc((size_t)samples * n * sizeof *value);
    char keys[STUDY_MAX_PARAMS][STUDY_KEY_LEN];
    int rc = (!r || !perm || !value) ? config_fail(err, path, g, "study.lhs", "out of memory") : 0;
    for (int j = 0; j < n && rc == 0; j++) {
        const config_setting_t *e = config_setting_get_elem(ranges, (unsigned)j);
        const char *k = NULL;
        double lo, hi;
        int integer = 0;
        const config_setting_t *smin = config_setting_get_member(e, "min"), *smax = config_setting_get_member(e, "max");
        if (!config_setting_lookup_string(e, "key", &k) || !smin || !smax || config_number_of(smin, &lo) || config_number_of(smax, &hi) ||
            !(lo < hi)) {
            rc = config_fail(err, path, e, "study.lhs.ranges", "expected { key = \"a.b\"; min = x; max = y; } with min < max");
            break;
        }
        if (forbidden_key(k)) {
            rc = config_fail(err, path, e, "study.lhs.ranges", "%s is shared by all scenarios of a study and cannot be sampled", k);
            break;
        }
        config_setting_lookup_bool(e, "integer", &integer);
        snprintf(keys[j], sizeof keys[j], "%s", k);
        size_t *pj = &perm[(size_t)j * samples];
        for (int i = 0; i < samples; i++)
            pj[i] = (size_t)i;
        gsl_ran_shuffle(r, pj, (size_t)samples, sizeof *pj);
        for (int i = 0; i < samples; i++) {
            double u = ((double)pj[i] + gsl_rng_uniform(r)) / samples;
            value[(size_t)i * n + j] = integer ? floor(lo + u * (hi - lo + 1)) : lo + u * (hi - lo);
            if (integer && value[(size_t)i * n + j] > hi)
                value[(size_t)i * n + j] = hi;
        }
    }
    for (int i = 0; i < samples && rc == 0; i++) {
        char *settings = calloc(1, 1);
        char name[STUDY_NAME_LEN];
        snprintf(name, sizeof name, "lhs%d", i);
        for (int j = 0; j < n && settings; j++) {
            char v[64];
            format_value(v, sizeof v, value[(size_t)i * n + j]);
            settings = append_setting(settings, keys[j], v);
        }
        if (!settings || plan_add(pl, name, settings, (int)config_setting_source_line(g)) != 0)
            rc = config_fail(err, path, g, "study.lhs", "out of memory");
    }
    if (r)
        rng_free(r);
    free(perm);
    free(value);
    return rc;
}

/* study.sensitivity: the Sobol design becomes the scenarios after the base
 * (scenario/study_sobol.h); it is a study kind of its own, so it comes
 * alone. */
static int read_sensitivity(study *st, const char *path, const config_setting_t *g, plan *pl, config_error *err)
{
    if (pl->count != 1)
        return config_fail(err, path, g, "study.sensitivity",
                           "a sensitivity study has no scenarios, grid or lhs beside it (its design is its scenario list)");
    study_sensitivity *spec = &st->sensitivity;
    if (study_sobol_read(path, g, spec, err) != 0)
        return -1;
    for (int i = 0; i < spec->k; i++)
        if (forbidden_key(spec->keys[i]))
            return config_fail(err, path, g, "study.sensitivity.keys",
                               "%s is shared by all scenarios of a study and cannot be varied", spec->keys[i]);
    size_t points = sobol_design_points(spec->n, spec->k);
    if (points + 1 > STUDY_MAX_SCENARIOS)
        return config_fail(err, path, g, "study.sensitivity", "n = %d over %d keys makes %zu scenarios; at most %d",
                           spec->n, spec->k, points, STUDY_MAX_SCENARIOS - 1);
    double *values = NULL;
    if (study_sobol_values(spec, &values) != 0)
        return config_fail(err, path, g, "study.sensitivity", "out of memory");
    spec->first_scenario = pl->count;
    int rc = 0;
    for (size_t p = 0; p < points && rc == 0; p++) {
        char name[STUDY_NAME_LEN], v[64];
        study_sobol_point_name(spec, p, name, sizeof name);
        char *settings = calloc(1, 1);
        for (int i = 0; i < spec->k && settings; i++) {
            format_value(v, sizeof v, values[p * (size_t)spec->k + (size_t)i]);
            settings = append_setting(settings, spec->keys[i], v);
        }
        if (!settings || plan_add(pl, name, settings, (int)config_setting_source_line(g)) != 0)
            rc = config_fail(err, path, g, "study.sensitivity", "out of memory");
    }
    free(values);
    return rc;
}

/* study.reference: the scenario that differences are taken against, by
 * name; an unknown name fails with the names there are. */
static int find_reference(study *st, const char *path, const config_setting_t *s, const plan *pl, config_error *err)
{
    const char *name = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
    if (!name || !*name)
        return config_fail(err, path, s, "study.reference", "expected the name of a scenario of the study (a string)");
    for (int i = 0; i < pl->count; i++)
        if (strcmp(pl->items[i].name, name) == 0) {
            st->reference = i;
            snprintf(st->reference_name, sizeof st->reference_name, "%s", name);
            return 0;
        }
    return config_fail(err, path, s, "study.reference", "no scenario is named '%s' (the names: base, %s%s; caseflow list shows all)",
                       name, pl->count > 1 ? pl->items[1].name : "", pl->count > 2 ? ", ..." : "");
}

static int collect_params(study *st, config_error *err)
{
    for (int s = 0; s < st->scenario_count; s++) {
        const char *line = st->scenarios[s].settings;
        while (line && *line) {
            const char *eq = strchr(line, '='), *nl = strchr(line, '\n');
            if (!eq || !nl)
                break;
            char key[STUDY_KEY_LEN];
            snprintf(key, sizeof key, "%.*s", (int)(eq - line), line);
            int found = 0;
            for (int k = 0; k < st->param_count; k++)
                found |= strcmp(st->param_keys[k], key) == 0;
            if (!found) {
                if (st->param_count == STUDY_MAX_PARAMS)
                    return config_fail(err, st->path, NULL, "study", "scenarios set more than %d different keys",
                                 STUDY_MAX_PARAMS);
                snprintf(st->param_keys[st->param_count++], STUDY_KEY_LEN, "%s", key);
            }
            line = nl + 1;
        }
    }
    st->param_values = malloc((size_t)(st->scenario_count * (st->param_count ? st->param_count : 1)) * sizeof(double));
    if (!st->param_values)
        return config_fail(err, st->path, NULL, "study", "out of memory");
    for (int s = 0; s < st->scenario_count; s++)
        for (int k = 0; k < st->param_count; k++) {
            double v;
            if (config_get_number(&st->scenarios[s].sc, st->param_keys[k], &v) != 0)
                v = NAN;
            st->param_values[s * st->param_count + k] = v;
        }
    return 0;
}

static uint64_t fnv1a_sep(uint64_t h)
{
    h ^= 0xff; /* a separator byte no text contains, so ("ab","c") != ("a","bc") */
    return h * 0x100000001b3ULL;
}

/* FNV-1a over the texts and settings that decide a study's results, so task
 * files of different studies (or edited inputs) are never merged. */
static uint64_t fnv1a(uint64_t h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; p && *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return fnv1a_sep(h);
}

static uint64_t digest_of(const study *st)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a(h, st->text);
    for (int s = 0; s < st->scenario_count; s++) {
        h = fnv1a(h, st->scenarios[s].name);
        h = fnv1a(h, st->scenarios[s].settings);
        h = fnv1a(h, st->scenarios[s].sc.text);
        h = fnv1a(h, st->scenarios[s].sc.overrides);
    }
    return h;
}

static int same_shape(const model_params *a, const model_params *b)
{
    if (a->horizon_months != b->horizon_months || a->warmup_months != b->warmup_months ||
        a->destinations != b->destinations || !config_service_same(&a->service, &b->service))
        return 0;
    for (int d = 0; d < a->destinations; d++)
        if (strcmp(a->destination_names[d], b->destination_names[d]) != 0)
            return 0;
    return 1;
}

/* Loads scenario i of the plan: the base with its settings, then the
 * command line's overrides, which win. */
static int load_scenario(study *st, const char *base, const char *base_text, const config_line_map *base_map,
                         const pending *p, const char *const *overrides, int n_overrides, config_error *err)
{
    const char *ov[CONFIG_MAX_OVERRIDES * 2 + 2];
    int n = 0;
    char *copy = p->settings ? strdup(p->settings) : NULL;
    char *save = NULL;
    for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line && n < CONFIG_MAX_OVERRIDES;
         line = strtok_r(NULL, "\n", &save))
        ov[n++] = line;
    for (int i = 0; i < n_overrides && n < CONFIG_MAX_OVERRIDES * 2; i++)
        ov[n++] = overrides[i];
    study_scenario *sc = &st->scenarios[st->scenario_count];
    config_error inner;
    int rc = config_load_expanded(&sc->sc, base, base_text, base_map, ov, n, &inner);
    free(copy);
    if (rc != 0) {
        if (st->text[0])
            snprintf(err->message, sizeof err->message, "%s:%d: scenario '%s': %s", st->path, p->line, p->name,
                     inner.message);
        else
            *err = inner;
        return -1;
    }
    snprintf(sc->name, sizeof sc->name, "%s", p->name);
    sc->settings = strdup(p->settings ? p->settings : "");
    st->scenario_count++;
    return 0;
}

/* What follows from the loaded scenarios: the shared run settings, the
 * swept keys' values and the digest. */
static int study_finish(study *st, config_error *err)
{
    st->replications = st->scenarios[0].sc.replications;
    st->seed = st->scenarios[0].sc.seed;
    if (collect_params(st, err) != 0)
        return -1;
    st->digest = digest_of(st);
    return 0;
}

int study_load(study *st, const char *path, const char *const *overrides, int n_overrides, config_error *err)
{
    memset(st, 0, sizeof *st);
    err->message[0] = '\0';
    st->common_random_numbers = 1;
    st->path = strdup(path);
    char why_unread[200];
    size_t text_len = 0;
    char *text = config_read_text(path, &text_len, why_unread, sizeof why_unread);
    config_line_map map = {0}, base_map = {0};
    int in_study_text = 0; /* messages name lines of the expanded study text */
    config_t cfg;
    config_init(&cfg);
    plan pl = {0};
    char *base_text = NULL;
    int rc = -1;
    char base[4096];
    const char *study_overrides[2];
    char rep_ov[64], seed_ov[64];
    int n_study_ov = 0;

    /* Included files become part of the text: stored, digested, and never
     * read again by resume or merge. A text that cannot be read or holds
     * NUL bytes is left to config_read_scenario's message below. */
    if (text && strlen(text) == text_len) {
        char *expanded = config_expand_includes(path, text, &map, err);
        free(text);
        if (!(text = expanded))
            goto out;
    }
    int problem_line = 0;
    const char *problem = text ? config_text_problem(text, &problem_line) : NULL;
    if (problem) {
        if (problem_line > 0)
            snprintf(err->message, sizeof err->message, "%s:%d: %s", path, problem_line, problem);
        else
            snprintf(err->message, sizeof err->message, "%s: %s", path, problem);
        config_map_message(err, path, &map);
        free(text);
        goto out;
    }
    /* A plain scenario file when it has no study group (or cannot be parsed:
     * config_load then gives the precise message). */
    int is_study = text && config_read_string(&cfg, text) == CONFIG_TRUE && config_lookup(&cfg, "study");
    if (!is_study) {
        free(text);
        st->text = strdup("");
        const char *slash = strrchr(path, '/');
        snprintf(st->name, sizeof st->name, "%s", slash ? slash + 1 : path);
        snprintf(base, sizeof base, "%s", path);
        if (plan_add(&pl, "base", NULL, 0) != 0)
            goto out;
    } else {
        st->text = text;
        in_study_text = 1;
        const config_setting_t *g = config_lookup(&cfg, "study");
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            config_fail(err, path, g, "study", "expected a group study: { base = \"scenario.cfg\"; ... }");
            goto out;
        }
        static const char *const known[] = {"name", "base", "replications", "seed", "common_random_numbers",
                                            "scenarios", "grid", "lhs", "reference", "sensitivity"};
        for (int i = 0; i < config_setting_length(g); i++) {
            const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
            int ok = 0;
            for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
                ok |= strcmp(config_setting_name(m), known[k]) == 0;
            if (!ok) {
                config_fail(err, path, m, config_setting_name(m),
                      "unknown key in study (expected name, base, replications, seed, common_random_numbers, scenarios, grid, lhs, "
                      "reference, sensitivity)");
                goto out;
            }
        }
        const char *name = NULL, *base_name = NULL;
        if (config_setting_lookup_string(g, "name", &name))
            snprintf(st->name, sizeof st->name, "%s", name);
        else
            snprintf(st->name, sizeof st->name, "%s", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
        if (!config_setting_lookup_string(g, "base", &base_name)) {
            config_fail(err, path, g, "study.base", "missing; expected the base scenario file (relative to the study file)");
            goto out;
        }
        const char *slash = strrchr(path, '/');
        if (base_name[0] == '/' || !slash)
            snprintf(base, sizeof base, "%s", base_name);
        else
            snprintf(base, sizeof base, "%.*s/%s", (int)(slash - path), path, base_name);
        const config_setting_t *s;
        if ((s = config_setting_get_member(g, "replications"))) {
            double v;
            if (config_number_of(s, &v) || v != floor(v) || v < 1 || v > 1e6) {
                config_fail(err, path, s, "study.replications", "expected an integer between 1 and 1000000");
                goto out;
            }
            snprintf(rep_ov, sizeof rep_ov, "run.replications=%.0f", v);
            study_overrides[n_study_ov++] = rep_ov;
        }
        if ((s = config_setting_get_member(g, "seed"))) {
            if ((config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64) ||
                config_setting_get_int64(s) < 0) {
                config_fail(err, path, s, "study.seed", "expected an integer >= 0");
                goto out;
            }
            snprintf(seed_ov, sizeof seed_ov, "run.seed=%lld", config_setting_get_int64(s));
            study_overrides[n_study_ov++] = seed_ov;
        }
        if ((s = config_setting_get_member(g, "common_random_numbers"))) {
            if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
                config_fail(err, path, s, "study.common_random_numbers", "expected true or false");
                goto out;
            }
            st->common_random_numbers = config_setting_get_bool(s);
        }
        if (plan_add(&pl, "base", NULL, (int)config_setting_source_line(g)) != 0)
            goto out;
        if ((s = config_setting_get_member(g, "scenarios")) && read_named(path, s, &pl, err) != 0)
            goto out;
        if ((s = config_setting_get_member(g, "grid")) && read_grid(path, s, &pl, err) != 0)
            goto out;
        if ((s = config_setting_get_member(g, "lhs")) && read_lhs(path, s, &pl, err) != 0)
            goto out;
        if ((s = config_setting_get_member(g, "sensitivity")) && read_sensitivity(st, path, s, &pl, err) != 0)
            goto out;
        if (pl.count > STUDY_MAX_SCENARIOS) {
            config_fail(err, path, g, "study", "%d scenarios; at most %d", pl.count, STUDY_MAX_SCENARIOS);
            goto out;
        }
        if (plan_names_unique(&pl, path, err) != 0)
            goto out;
        if ((s = config_setting_get_member(g, "reference")) && find_reference(st, path, s, &pl, err) != 0)
            goto out;
    }

    st->scenarios = calloc((size_t)pl.count, sizeof *st->scenarios);
    if (!st->scenarios || !st->path || !st->text) {
        snprintf(err->message, sizeof err->message, "%s: out of memory", path);
        goto out;
    }
    /* Study-level settings go first so the command line can still win. */
    const char *all_ov[CONFIG_MAX_OVERRIDES + 2];
    int n_all = 0;
    for (int i = 0; i < n_study_ov; i++)
        all_ov[n_all++] = study_overrides[i];
    for (int i = 0; i < n_overrides && n_all < CONFIG_MAX_OVERRIDES + 2; i++)
        all_ov[n_all++] = overrides[i];
    /* The base is read (and its includes expanded) once: every scenario is
     * loaded from that text, so a file changing while a large study loads
     * cannot mix two versions. */
    config_error read_err;
    char *raw_base = config_read_scenario(base, &read_err);
    base_text = raw_base ? config_expand_includes(base, raw_base, &base_map, &read_err) : NULL;
    free(raw_base);
    if (!base_text) {
        if (is_study)
            snprintf(err->message, sizeof err->message, "%s:%d: scenario 'base': %s", path, pl.items[0].line,
                     read_err.message);
        else
            *err = read_err;
        goto out;
    }
    for (int i = 0; i < pl.count; i++) {
        if (load_scenario(st, base, base_text, &base_map, &pl.items[i], all_ov, n_all, err) != 0)
            goto out;
        const model_params *a = &st->scenarios[0].sc.model, *b = &st->scenarios[i].sc.model;
        if (!same_shape(a, b)) {
            snprintf(err->message, sizeof err->message,
                     "%s:%d: scenario '%s': changes the horizon, warm-up, exit destinations or service section; all scenarios of a study "
                     "share them so their series compare",
                     path, pl.items[i].line, pl.items[i].name);
            goto out;
        }
    }
    if (study_finish(st, err) != 0)
        goto out;
    rc = 0;
out:
    plan_free(&pl);
    free(base_text);
    config_destroy(&cfg);
    if (rc != 0) {
        if (!err->message[0]) /* the paths that fail only when memory runs out */
            snprintf(err->message, sizeof err->message, "%s: out of memory", path);
        if (in_study_text)
            config_map_message(err, path, &map);
        config_one_line(err->message, sizeof err->message);
        study_free(st);
    }
    config_line_map_free(&map);
    config_line_map_free(&base_map);
    return rc;
}

int study_of_scenario(study *st, const config_scenario *sc, config_error *err)
{
    memset(st, 0, sizeof *st);
    err->message[0] = '\0';
    st->common_random_numbers = 1;
    st->path = strdup(sc->path);
    st->text = strdup("");
    st->scenarios = calloc(1, sizeof *st->scenarios);
    if (!st->path || !st->text || !st->scenarios) {
        snprintf(err->message, sizeof err->message, "%s: out of memory", sc->path);
        study_free(st);
        return -1;
    }
    const char *slash = strrchr(sc->path, '/');
    snprintf(st->name, sizeof st->name, "%s", slash ? slash + 1 : sc->path);
    study_scenario *s = &st->scenarios[0];
    snprintf(s->name, sizeof s->name, "base");
    if (config_copy(&s->sc, sc, err) != 0 || !(s->settings = strdup(""))) {
        if (!err->message[0])
            snprintf(err->message, sizeof err->message, "%s: out of memory", sc->path);
        config_scenario_free(&s->sc);
        study_free(st);
        return -1;
    }
    st->scenario_count = 1;
    if (study_finish(st, err) != 0) {
        study_free(st);
        return -1;
    }
    return 0;
}

int study_set_replications(study *st, int replications, config_error *err)
{
    for (int i = 0; i < st->scenario_count; i++)
        if (config_set_number(&st->scenarios[i].sc, "run.replications", replications, err) != 0)
            return -1;
    st->replications = replications;
    st->digest = digest_of(st);
    return 0;
}

void study_free(study *st)
{
    for (int i = 0; i < st->scenario_count; i++) {
        config_scenario_free(&st->scenarios[i].sc);
        free(st->scenarios[i].settings);
    }
    free(st->scenarios);
    free(st->param_values);
    free(st->path);
    free(st->text);
    memset(st, 0, sizeof *st);
}

uint64_t study_trial_count(const study *st)
{
    return (uint64_t)st->scenario_count * (uint64_t)st->replications;
}

void study_trial(const study *st, uint64_t trial, int *scenario, uint32_t *replication, uint64_t *seed)
{
    *scenario = (int)(trial / (uint64_t)st->replications);
    *replication = (uint32_t)(trial % (uint64_t)st->replications);
    uint64_t master = st->common_random_numbers ? st->seed : rng_derive(st->seed, 0x5ce7a410ULL + (uint64_t)*scenario);
    *seed = rng_derive(master, *replication);
}

void study_slice(uint64_t trials, int task, int tasks, uint64_t *first, uint64_t *count)
{
    uint64_t a = trials * (uint64_t)task / (uint64_t)tasks;
    uint64_t b = trials * (uint64_t)(task + 1) / (uint64_t)tasks;
    *first = a;
    *count = b - a;
}
