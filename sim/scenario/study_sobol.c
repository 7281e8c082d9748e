/*
 * study_sobol.c — reading study.sensitivity and its design's scenarios.
 */
#include "scenario/study_sobol.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int integer_member(const char *path, const config_setting_t *g, const char *name, long lo, long hi,
                          long *value, config_error *err)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (!s)
        return 0;
    char key[64];
    snprintf(key, sizeof key, "study.sensitivity.%s", name);
    if ((config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64) ||
        config_setting_get_int64(s) < lo || config_setting_get_int64(s) > hi)
        return config_fail(err, path, s, key, "expected an integer between %ld and %ld", lo, hi);
    *value = (long)config_setting_get_int64(s);
    return 0;
}

static int read_keys(const char *path, const config_setting_t *list, study_sensitivity *spec, config_error *err)
{
    if (!list || config_setting_type(list) != CONFIG_TYPE_LIST || config_setting_length(list) == 0)
        return config_fail(err, path, list, "study.sensitivity.keys",
                           "expected a list ( { key = \"a.b\"; min = x; max = y; }, ... ) of at least one key");
    int n = config_setting_length(list);
    if (n > SENSITIVITY_MAX_KEYS)
        return config_fail(err, path, list, "study.sensitivity.keys", "at most %d keys", SENSITIVITY_MAX_KEYS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const char *k = NULL;
        double lo, hi;
        if (config_setting_type(e) != CONFIG_TYPE_GROUP || !config_setting_lookup_string(e, "key", &k) || !*k ||
            config_number_of(config_setting_get_member(e, "min"), &lo) || config_number_of(config_setting_get_member(e, "max"), &hi) ||
            !(lo < hi) || config_setting_length(e) != 3)
            return config_fail(err, path, e, "study.sensitivity.keys",
                               "expected { key = \"a.b\"; min = x; max = y; } with numbers min < max");
        if (strcmp(k, "run.replications") == 0 || strcmp(k, "run.seed") == 0 || strcmp(k, "run.horizon_months") == 0 ||
            strcmp(k, "run.warmup_months") == 0)
            return config_fail(err, path, e, "study.sensitivity.keys",
                               "%s is shared by all scenarios of a study and cannot be varied", k);
        for (int j = 0; j < i; j++)
            if (strcmp(spec->keys[j], k) == 0)
                return config_fail(err, path, e, "study.sensitivity.keys", "%s is listed twice", k);
        if (strlen(k) >= SENSITIVITY_NAME_LEN)
            return config_fail(err, path, e, "study.sensitivity.keys", "key name too long");
        snprintf(spec->keys[i], sizeof spec->keys[i], "%s", k);
        spec->min[i] = lo;
        spec->max[i] = hi;
    }
    spec->k = n;
    return 0;
}

static int read_metrics(const char *path, const config_setting_t *arr, study_sensitivity *spec, config_error *err)
{
    int t = arr ? config_setting_type(arr) : CONFIG_TYPE_NONE;
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || config_setting_length(arr) == 0)
        return config_fail(err, path, arr, "study.sensitivity.metrics",
                           "expected [\"wait_mean_days\", ...]: at least one metric of /summary");
    int n = config_setting_length(arr);
    if (n > SENSITIVITY_MAX_METRICS)
        return config_fail(err, path, arr, "study.sensitivity.metrics", "at most %d metrics", SENSITIVITY_MAX_METRICS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(arr, (unsigned)i);
        const char *m = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
        if (!m || !*m || strlen(m) >= SENSITIVITY_NAME_LEN)
            return config_fail(err, path, e, "study.sensitivity.metrics", "expected metric names (strings)");
        snprintf(spec->metrics[i], sizeof spec->metrics[i], "%s", m);
    }
    spec->metric_count = n;
    return 0;
}

int study_sobol_read(const char *path, const config_setting_t *g, study_sensitivity *spec, config_error *err)
{
    memset(spec, 0, sizeof *spec);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP)
        return config_fail(err, path, g, "study.sensitivity",
                           "expected a group { n = 256; keys = ( ... ); metrics = [ ... ]; }");
    static const char *const known[] = {"n", "seed", "bootstrap", "keys", "metrics"};
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        int ok = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            ok |= strcmp(config_setting_name(m), known[k]) == 0;
        if (!ok)
            return config_fail(err, path, m, "study.sensitivity",
                               "unknown key '%s' (expected n, seed, bootstrap, keys, metrics)", config_setting_name(m));
    }
    long n = 0, seed = 1, bootstrap = SENSITIVITY_DEFAULT_BOOTSTRAP;
    if (!config_setting_get_member(g, "n"))
        return config_fail(err, path, g, "study.sensitivity.n", "missing: the number of design blocks (e.g. 256)");
    if (integer_member(path, g, "n", 2, 1000000, &n, err) || integer_member(path, g, "seed", 0, 0x7fffffffL, &seed, err) ||
        integer_member(path, g, "bootstrap", 0, 100000, &bootstrap, err) ||
        read_keys(path, config_setting_get_member(g, "keys"), spec, err) ||
        read_metrics(path, config_setting_get_member(g, "metrics"), spec, err))
        return -1;
    spec->n = (int)n;
    spec->seed = (uint64_t)seed;
    spec->bootstrap = (int)bootstrap;
    spec->enabled = 1;
    spec->first_scenario = 1;
    return 0;
}

int study_sobol_values(const study_sensitivity *spec, double **values)
{
    size_t points = sobol_design_points(spec->n, spec->k);
    double *v = malloc((points ? points : 1) * (size_t)spec->k * sizeof *v);
    if (!v || sobol_design(spec->n, spec->k, spec->seed, v) != 0) {
        free(v);
        *values = NULL;
        return -1;
    }
    for (size_t p = 0; p < points; p++)
        for (int i = 0; i < spec->k; i++) {
            double *x = &v[p * (size_t)spec->k + (size_t)i];
            *x = spec->min[i] + *x * (spec->max[i] - spec->min[i]);
        }
    *values = v;
    return 0;
}

void study_sobol_point_name(const study_sensitivity *spec, size_t p, char *name, size_t size)
{
    size_t w = (size_t)spec->k + 2, j = p / w, r = p % w;
    if (r == 0)
        snprintf(name, size, "sobol%zu.A", j);
    else if (r == 1)
        snprintf(name, size, "sobol%zu.B", j);
    else
        snprintf(name, size, "sobol%zu.AB%zu", j, r - 1);
}

int study_sobol_from_text(const char *text, study_sensitivity *spec, config_error *err)
{
    memset(spec, 0, sizeof *spec);
    if (!text || !*text)
        return 0;
    config_t cfg;
    config_init(&cfg);
    int rc = 0;
    const config_setting_t *g = NULL;
    if (config_read_string(&cfg, text) == CONFIG_TRUE && (g = config_lookup(&cfg, "study.sensitivity")))
        rc = study_sobol_read("study_text", g, spec, err);
    config_destroy(&cfg);
    return rc;
}
