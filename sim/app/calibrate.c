/*
 * calibrate.c — calibration files, evaluating a point and the fit; see
 * calibrate.h for the method (the report and the calibrated scenario are in
 * calibrate_output.c).
 *
 * Every evaluation sets the parameters on a copy of the loaded base with
 * config_derive, validated exactly as `caseflow run BASE -s key=value` would
 * be (the base file is read once, at load), and runs its trials through
 * runner_run without an output file; the
 * figures come from results_summarise, so they are the numbers `caseflow
 * run` prints for the calibrated scenario.
 */
#include "app/calibrate.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#include "scenario/study.h"
#include "app/runner.h"

/* The distance of a point that makes no valid scenario or leaves a figure
 * undefined (no exits, say): finite, so the simplex can move away from it. */
#define PENALTY 1e30
/* A fitted value this close to a bound (as a share of the range) is on it. */
#define AT_BOUND 1e-3
/* Beyond this share of the range from a bound, a figure that is not reached
 * is checked at the bound itself (see calibrate_fit). */
#define NEAR_BOUND 0.05
/* The simulated distance is piecewise constant at fine scales (a slightly
 * different probability changes a few draws' outcomes), and the simplex
 * cycles on ties. A tiny pull toward the start breaks them; it is far below
 * any difference between simulated figures that matters. */
#define TIE_BREAK 1e-10

/* ---- reading a calibration file ---------------------------------------- */

/* The base with the parameters at x (and the overrides), set on a copy of
 * the loaded base: validated like -s, no file read. 0 or -1 with cerr filled. */
static int scenario_at(const calibrate_spec *cs, const double *x, const char *const *overrides, int n_overrides,
                       config_scenario *sc, config_error *cerr)
{
    char keys[CALIBRATE_MAX_SETTINGS][CALIBRATE_KEY_LEN];
    const char *key_ptrs[CALIBRATE_MAX_SETTINGS];
    double values[CALIBRATE_MAX_SETTINGS];
    int n = calibrate_settings(cs, x, keys, values);
    for (int i = 0; i < n; i++)
        key_ptrs[i] = keys[i];
    return config_derive(sc, &cs->base_sc, overrides, n_overrides, key_ptrs, values, n, cerr);
}

/* Whether the parameters at x make a valid scenario; 0 or -1 with cerr filled. */
static int try_point(const calibrate_spec *cs, const double *x, config_error *cerr)
{
    config_scenario sc;
    if (scenario_at(cs, x, NULL, 0, &sc, cerr) != 0)
        return -1;
    config_scenario_free(&sc);
    return 0;
}

static int read_parameter(calibrate_spec *cs, const config_setting_t *e, int i, config_error *err)
{
    static const char *const known[] = {"key", "lower", "upper", "start"};
    static const char *const shape = "{ key = \"a.b\"; lower = x; upper = y; start = z; }";
    const char *path = cs->path;
    char key[96], sub[128];
    snprintf(key, sizeof key, "calibrate.parameters[%d]", i);
    if (config_setting_type(e) != CONFIG_TYPE_GROUP)
        return config_fail(err, path, e, key, "expected a group %s, got %s", shape, config_type_name(e));
    if (config_check_members(err, path, e, key, known, 4, "key, lower, upper, start") != 0)
        return -1;
    calibrate_param *p = &cs->param[i];
    p->line = (int)config_setting_source_line(e);
    p->share = -1;
    const config_setting_t *s = config_setting_get_member(e, "key");
    snprintf(sub, sizeof sub, "%s.key", key);
    if (!s)
        return config_fail(err, path, e, sub, "missing; expected the scenario key to fit, e.g. \"exits.probability_per_meeting\"");
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return config_fail(err, path, s, sub, "expected a string naming a scenario key, got %s", config_type_name(s));
    const char *k = config_setting_get_string(s);
    if (strlen(k) >= CALIBRATE_KEY_LEN)
        return config_fail(err, path, s, sub, "key longer than %d characters", CALIBRATE_KEY_LEN - 1);
    snprintf(p->key, sizeof p->key, "%s", k);
    if (strncmp(k, "run.", 4) == 0)
        return config_fail(err, path, s, sub, "%s cannot be fitted: run.* keys are set by the calibration (replications, seed) or fixed",
                     k);
    for (int j = 0; j < i; j++)
        if (strcmp(cs->param[j].key, k) == 0)
            return config_fail(err, path, s, sub, "%s is already fitted by calibrate.parameters[%d]", k, j);
    if (config_get_number(&cs->base_sc, k, &p->base_value) != 0)
        return config_fail(err, path, s, sub,
                     "'%s' is not a numeric key of the base scenario %s (expected a key such as "
                     "exits.probability_per_meeting, a distribution parameter such as casework.meeting_hours.mean "
                     "or a share such as exits.shares.work)",
                     k, cs->base);
    if (strncmp(k, "exits.shares.", 13) == 0)
        for (int d = 0; d < cs->base_sc.model.destinations; d++)
            if (strcmp(cs->base_sc.model.destination_names[d], k + 13) == 0)
                p->share = d;
    static const char *const bounds[] = {"lower", "upper"};
    double *dst[] = {&p->lower, &p->upper};
    for (int b = 0; b < 2; b++) {
        s = config_setting_get_member(e, bounds[b]);
        snprintf(sub, sizeof sub, "%s.%s", key, bounds[b]);
        if (!s)
            return config_fail(err, path, e, sub, "missing; expected the %s bound of %s (a number)", bounds[b], p->key);
        if (config_number_of(s, dst[b]) != 0)
            return config_fail(err, path, s, sub, "expected a finite number, got %s", config_type_name(s));
    }
    if (!(p->lower < p->upper)) {
        snprintf(sub, sizeof sub, "%s.upper", key);
        return config_fail(err, path, config_setting_get_member(e, "upper"), sub,
                     "expected a number above lower (%.10g), got %.10g", p->lower, p->upper);
    }
    s = config_setting_get_member(e, "start");
    snprintf(sub, sizeof sub, "%s.start", key);
    if (s) {
        if (config_number_of(s, &p->start) != 0)
            return config_fail(err, path, s, sub, "expected a finite number, got %s", config_type_name(s));
        if (p->start < p->lower || p->start > p->upper)
            return config_fail(err, path, s, sub, "expected a number between lower (%.10g) and upper (%.10g), got %.10g",
                         p->lower, p->upper, p->start);
    } else {
        /* The base's value when it lies inside the bounds, else the middle. */
        p->start = p->base_value >= p->lower && p->base_value <= p->upper ? p->base_value
                                                                           : 0.5 * (p->lower + p->upper);
    }
    return 0;
}

static int read_target(calibrate_spec *cs, const config_setting_t *e, int i, const results_metric_info *info,
                       size_t n_info, config_error *err)
{
    static const char *const known[] = {"metric", "value", "weight", "se", "tolerance"};
    static const char *const shape = "{ metric = \"name\"; value = x; se = s; } (or weight = w instead of se)";
    const char *path = cs->path;
    char key[96], sub[128];
    snprintf(key, sizeof key, "calibrate.targets[%d]", i);
    if (config_setting_type(e) != CONFIG_TYPE_GROUP)
        return config_fail(err, path, e, key, "expected a group %s, got %s", shape, config_type_name(e));
    if (config_check_members(err, path, e, key, known, 5, "metric, value, weight, se, tolerance") != 0)
        return -1;
    calibrate_target *t = &cs->target[i];
    t->line = (int)config_setting_source_line(e);
    t->weight = 1.0;
    t->se = NAN;
    t->tolerance = NAN;
    const config_setting_t *s = config_setting_get_member(e, "metric");
    snprintf(sub, sizeof sub, "%s.metric", key);
    if (!s)
        return config_fail(err, path, e, sub, "missing; expected a metric name such as \"exit_share.work\"");
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return config_fail(err, path, s, sub, "expected a metric name (a string), got %s", config_type_name(s));
    const char *m = config_setting_get_string(s);
    int found = 0;
    const char *names[RESULTS_MAX_METRICS];
    for (size_t k = 0; k < n_info; k++) {
        names[k] = info[k].name;
        found |= strcmp(info[k].name, m) == 0;
    }
    if (!found) {
        const char *hint = config_closest(m, names, n_info);
        if (hint)
            return config_fail(err, path, s, sub, "unknown metric '%s' (did you mean '%s'?)", m, hint);
        char list[700] = "";
        for (size_t k = 0; k < n_info; k++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", names[k]);
        }
        return config_fail(err, path, s, sub, "unknown metric '%s'; the base scenario reports %s", m, list);
    }
    snprintf(t->metric, sizeof t->metric, "%s", m);
    for (int j = 0; j < i; j++)
        if (strcmp(cs->target[j].metric, m) == 0)
            return config_fail(err, path, s, sub, "%s is already a target (calibrate.targets[%d])", m, j);
    s = config_setting_get_member(e, "value");
    snprintf(sub, sizeof sub, "%s.value", key);
    if (!s)
        return config_fail(err, path, e, sub, "missing; expected the observed value of %s (a number)", t->metric);
    if (config_number_of(s, &t->observed) != 0)
        return config_fail(err, path, s, sub, "expected a finite number (the observed value), got %s", config_type_name(s));
    const config_setting_t *w = config_setting_get_member(e, "weight"), *se = config_setting_get_member(e, "se");
    if (w && se) {
        snprintf(sub, sizeof sub, "%s.se", key);
        return config_fail(err, path, se, sub,
                     "give either weight (on the relative error) or se (the observed value's standard error), not both");
    }
    if (w) {
        snprintf(sub, sizeof sub, "%s.weight", key);
        if (config_number_of(w, &t->weight) != 0 || !(t->weight > 0))
            return config_fail(err, path, w, sub, "expected a number > 0");
    }
    if (se) {
        snprintf(sub, sizeof sub, "%s.se", key);
        if (config_number_of(se, &t->se) != 0 || !(t->se > 0))
            return config_fail(err, path, se, sub, "expected a standard error > 0 (in the metric's unit)");
    }
    s = config_setting_get_member(e, "tolerance");
    if (s) {
        snprintf(sub, sizeof sub, "%s.tolerance", key);
        if (config_number_of(s, &t->tolerance) != 0 || !(t->tolerance > 0))
            return config_fail(err, path, s, sub, "expected a number > 0 (the misfit allowed, in the metric's unit)");
    }
    return 0;
}

/* Shares fitted must leave a destination free and room for it. */
static int check_shares(calibrate_spec *cs, const config_setting_t *list, config_error *err)
{
    int fitted = 0, last = -1;
    double upper_sum = 0;
    for (int i = 0; i < cs->param_count; i++)
        if (cs->param[i].share >= 0) {
            fitted++;
            last = i;
            upper_sum += cs->param[i].upper;
            if (cs->param[i].lower < 0 || cs->param[i].upper > 1) {
                char key[96];
                snprintf(key, sizeof key, "calibrate.parameters[%d].%s", i, cs->param[i].lower < 0 ? "lower" : "upper");
                return config_fail(err, cs->path, config_setting_get_elem(list, (unsigned)i), key,
                             "a share's bounds must lie between 0 and 1");
            }
        }
    if (fitted == 0)
        return 0;
    char key[96];
    snprintf(key, sizeof key, "calibrate.parameters[%d]", last);
    const config_setting_t *where = config_setting_get_elem(list, (unsigned)last);
    if (fitted == cs->base_sc.model.destinations)
        return config_fail(err, cs->path, where, key,
                     "every exit share is fitted; leave at least one destination free to take the rest "
                     "(shares sum to 1)");
    if (upper_sum > 1 + 1e-12)
        return config_fail(err, cs->path, where, key,
                     "the fitted shares' upper bounds sum to %.6g; they may sum to at most 1 (the other "
                     "destinations take the rest)",
                     upper_sum);
    return 0;
}

/* Every parameter's bounds (and a value between them) must make a valid
 * scenario with the others at their starts, as must the starts together. */
static int check_points(calibrate_spec *cs, const config_setting_t *list, config_error *err)
{
    double x[CALIBRATE_MAX_PARAMS];
    config_error cerr;
    for (int i = 0; i < cs->param_count; i++) {
        const calibrate_param *p = &cs->param[i];
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        for (int j = 0; j < cs->param_count; j++)
            x[j] = cs->param[j].start;
        static const char *const which[] = {"lower", "upper"};
        const double v[] = {p->lower, p->upper};
        for (int b = 0; b < 2; b++) {
            x[i] = v[b];
            if (try_point(cs, x, &cerr) != 0) {
                char key[96];
                snprintf(key, sizeof key, "calibrate.parameters[%d].%s", i, which[b]);
                const config_setting_t *s = config_setting_get_member(e, which[b]);
                return config_fail(err, cs->path, s ? s : e, key, "%s = %.10g is not allowed by the base scenario: %s",
                             p->key, v[b], cerr.message);
            }
        }
        /* A value that is not a whole number: integer keys cannot be fitted. */
        double mid = p->lower + 0.382 * (p->upper - p->lower);
        if (mid == floor(mid))
            mid = p->lower + 0.618 * (p->upper - p->lower);
        if (mid == floor(mid))
            mid = nextafter(mid, p->upper);
        x[i] = mid;
        if (try_point(cs, x, &cerr) != 0) {
            char key[96];
            snprintf(key, sizeof key, "calibrate.parameters[%d].key", i);
            return config_fail(err, cs->path, e, key,
                         "%s does not take the value %.10g between its bounds, so it cannot be fitted (the simplex "
                         "needs a real-valued key; whole-number keys such as staff.workers are compared with a "
                         "study instead): %s",
                         p->key, mid, cerr.message);
        }
    }
    for (int j = 0; j < cs->param_count; j++)
        x[j] = cs->param[j].start;
    if (try_point(cs, x, &cerr) != 0)
        return config_fail(err, cs->path, list, "calibrate.parameters",
                     "the start values together do not make a valid scenario: %s", cerr.message);
    return 0;
}

int calibrate_load(calibrate_spec *cs, const char *path, config_error *err)
{
    memset(cs, 0, sizeof *cs);
    err->message[0] = '\0';
    cs->path = strdup(path);
    if (!cs->path) {
        snprintf(err->message, sizeof err->message, "%s: out of memory", path);
        return -1;
    }
    char why[256];
    char *text = config_read_plain_text(path, why, sizeof why);
    if (!text) {
        config_fail(err, path, NULL, "(file)", "%s", why);
        calibrate_free(cs);
        return -1;
    }
    config_t cfg;
    config_init(&cfg);
    config_set_auto_convert(&cfg, 0);
    int rc = -1;
    const config_setting_t *g, *s;
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        snprintf(err->message, sizeof err->message, "%s:%d: syntax error: %s", path, config_error_line(&cfg),
                 config_error_text(&cfg));
        config_one_line(err->message, sizeof err->message);
        goto out;
    }
    static const char *const top[] = {"calibrate"};
    if (config_check_members(err, path, config_root_setting(&cfg), "", top, 1, "a calibrate group") != 0)
        goto out;
    g = config_lookup(&cfg, "calibrate");
    if (!g) {
        config_fail(err, path, NULL, "calibrate",
              "missing; expected calibrate: { base = \"scenario.cfg\"; parameters = (...); targets = (...); }");
        goto out;
    }
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        config_fail(err, path, g, "calibrate", "expected a group { base = ...; parameters = (...); targets = (...); }, got %s",
              config_type_name(g));
        goto out;
    }
    static const char *const known[] = {"base", "replications", "seed", "tolerance", "max_iterations", "parameters",
                                        "targets"};
    if (config_check_members(err, path, g, "calibrate", known, sizeof known / sizeof known[0],
                      "base, replications, seed, tolerance, max_iterations, parameters, targets") != 0)
        goto out;

    /* The base scenario, relative to the calibration file. */
    s = config_setting_get_member(g, "base");
    if (!s || config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s)) {
        config_fail(err, path, s ? s : g, "calibrate.base",
              s ? "expected the base scenario file (a non-empty string, relative to the calibration file)"
                : "missing; expected the base scenario file (relative to the calibration file)");
        goto out;
    }
    {
        const char *base_name = config_setting_get_string(s);
        const char *slash = strrchr(path, '/');
        size_t len = strlen(base_name) + (slash ? (size_t)(slash - path) + 1 : 0) + 1;
        cs->base = malloc(len);
        if (!cs->base) {
            config_fail(err, path, s, "calibrate.base", "out of memory");
            goto out;
        }
        if (base_name[0] == '/' || !slash)
            snprintf(cs->base, len, "%s", base_name);
        else
            snprintf(cs->base, len, "%.*s/%s", (int)(slash - path), path, base_name);
        /* A study is many scenarios; a calibration fits one. */
        char *base_text = config_read_plain_text(cs->base, why, sizeof why);
        if (base_text) {
            config_t bc;
            config_init(&bc);
            int is_study = config_read_string(&bc, base_text) == CONFIG_TRUE && config_lookup(&bc, "study");
            config_destroy(&bc);
            free(base_text);
            if (is_study) {
                config_fail(err, path, s, "calibrate.base", "%s is a study file; the base must be a scenario file",
                      cs->base);
                goto out;
            }
        } else {
            config_fail(err, path, s, "calibrate.base", "%s: %s", cs->base, why);
            goto out;
        }
        /* The base's own messages name its file, line and key. */
        if (config_load(&cs->base_sc, cs->base, NULL, 0, err) != 0)
            goto out;
    }

    cs->replications = cs->base_sc.replications;
    cs->seed = cs->base_sc.seed;
    cs->tolerance = 1e-3;
    cs->max_iterations = 200;
    double v;
    if ((s = config_setting_get_member(g, "replications"))) {
        if (!config_is_integer(s) || config_setting_get_int64(s) < 2 || config_setting_get_int64(s) > 1000000) {
            config_fail(err, path, s, "calibrate.replications",
                  "expected an integer between 2 and 1000000 (replications per evaluation; a CI needs 2)");
            goto out;
        }
        cs->replications = (int)config_setting_get_int64(s);
    } else if (cs->replications < 2) {
        config_fail(err, path, g, "calibrate.replications",
              "missing, and the base has %d replication; give 2 or more per evaluation (a CI needs 2)",
              cs->replications);
        goto out;
    }
    if ((s = config_setting_get_member(g, "seed"))) {
        if (!config_is_integer(s) || config_setting_get_int64(s) < 0) {
            config_fail(err, path, s, "calibrate.seed", "expected an integer >= 0 (e.g. 7L)");
            goto out;
        }
        cs->seed = (uint64_t)config_setting_get_int64(s);
    }
    if ((s = config_setting_get_member(g, "tolerance"))) {
        if (config_number_of(s, &v) != 0 || !(v > 0 && v <= 0.5)) {
            config_fail(err, path, s, "calibrate.tolerance",
                  "expected a number > 0 and <= 0.5 (simplex size as a share of each parameter's range)");
            goto out;
        }
        cs->tolerance = v;
    }
    if ((s = config_setting_get_member(g, "max_iterations"))) {
        if (!config_is_integer(s) || config_setting_get_int64(s) < 1 || config_setting_get_int64(s) > 1000000) {
            config_fail(err, path, s, "calibrate.max_iterations", "expected an integer between 1 and 1000000");
            goto out;
        }
        cs->max_iterations = (int)config_setting_get_int64(s);
    }

    const config_setting_t *params = config_setting_get_member(g, "parameters");
    if (!params || config_setting_type(params) != CONFIG_TYPE_LIST || config_setting_length(params) < 1 ||
        config_setting_length(params) > CALIBRATE_MAX_PARAMS) {
        config_fail(err, path, params ? params : g, "calibrate.parameters",
              "%s; expected a list of 1 to %d parameters ( { key = \"a.b\"; lower = x; upper = y; start = z; }, ... )",
              params ? "wrong shape" : "missing", CALIBRATE_MAX_PARAMS);
        goto out;
    }
    cs->param_count = config_setting_length(params);
    for (int i = 0; i < cs->param_count; i++)
        if (read_parameter(cs, config_setting_get_elem(params, (unsigned)i), i, err) != 0)
            goto out;

    const config_setting_t *targets = config_setting_get_member(g, "targets");
    if (!targets || config_setting_type(targets) != CONFIG_TYPE_LIST || config_setting_length(targets) < 1 ||
        config_setting_length(targets) > CALIBRATE_MAX_TARGETS) {
        config_fail(err, path, targets ? targets : g, "calibrate.targets",
              "%s; expected a list of 1 to %d observed figures ( { metric = \"exit_share.work\"; value = 0.15; "
              "se = 0.01; }, ... )",
              targets ? "wrong shape" : "missing", CALIBRATE_MAX_TARGETS);
        goto out;
    }
    {
        results_metric_info info[RESULTS_MAX_METRICS];
        size_t n_info = results_metric_info_for(&cs->base_sc.model, info);
        cs->target_count = config_setting_length(targets);
        for (int i = 0; i < cs->target_count; i++)
            if (read_target(cs, config_setting_get_elem(targets, (unsigned)i), i, info, n_info, err) != 0)
                goto out;
    }
    if (check_shares(cs, params, err) != 0 || check_points(cs, params, err) != 0)
        goto out;
    rc = 0;
out:
    config_destroy(&cfg);
    free(text);
    if (rc != 0)
        calibrate_free(cs);
    return rc;
}

void calibrate_free(calibrate_spec *cs)
{
    free(cs->path);
    free(cs->base);
    config_scenario_free(&cs->base_sc);
    cs->path = cs->base = NULL;
}

/* ---- evaluating a point ------------------------------------------------ */

int calibrate_settings(const calibrate_spec *cs, const double *x, char keys[][CALIBRATE_KEY_LEN], double *values)
{
    int n = 0;
    int fitted[MODEL_MAX_DESTINATIONS] = {0};
    int any_share = 0;
    double fitted_sum = 0;
    for (int i = 0; i < cs->param_count; i++) {
        snprintf(keys[n], CALIBRATE_KEY_LEN, "%s", cs->param[i].key);
        values[n++] = x[i];
        if (cs->param[i].share >= 0) {
            any_share = 1;
            fitted[cs->param[i].share] = 1;
            fitted_sum += x[i];
        }
    }
    if (!any_share)
        return n;
    /* The other destinations take the rest in the base's proportions. */
    const model_params *mp = &cs->base_sc.model;
    double free_sum = 0, rest = 1 - fitted_sum;
    int free_count = 0;
    for (int d = 0; d < mp->destinations; d++)
        if (!fitted[d]) {
            free_sum += mp->destination_shares[d];
            free_count++;
        }
    if (rest < 0)
        rest = 0;
    for (int d = 0; d < mp->destinations; d++)
        if (!fitted[d]) {
            double v = free_sum > 0 ? rest * mp->destination_shares[d] / free_sum : rest / free_count;
            snprintf(keys[n], CALIBRATE_KEY_LEN, "exits.shares.%s", mp->destination_names[d]);
            values[n++] = v;
        }
    return n;
}

static void figures_undefined(const calibrate_spec *cs, calibrate_figure *fig)
{
    for (int t = 0; t < cs->target_count; t++) {
        fig[t].mean = fig[t].ci_low = fig[t].ci_high = fig[t].misfit = NAN;
        fig[t].allowed = NAN;
        fig[t].reached = 0;
    }
}

/* The first trial that did not finish, or row_count. */
static size_t first_unfinished(const runner_totals *t)
{
    size_t i = 0;
    while (i < t->row_count && t->rows[i].status == RESULTS_DONE)
        i++;
    return i;
}

int calibrate_evaluate(const calibrate_spec *cs, const double *x, int threads, calibrate_figure *fig,
                       double *distance, char *err, size_t err_size)
{
    /* The seed is an integer of up to 64 bits, so it is set as text. */
    char reps[64], seed[64], first[CALIBRATE_KEY_LEN + 40];
    snprintf(reps, sizeof reps, "run.replications=%d", cs->replications);
    snprintf(seed, sizeof seed, "run.seed=%llu", (unsigned long long)cs->seed);
    const char *run_settings[] = {reps, seed};
    snprintf(first, sizeof first, "%s=%.17g", cs->param[0].key, x[0]);
    figures_undefined(cs, fig);
    *distance = PENALTY;

    study st;
    config_scenario sc;
    config_error cerr;
    if (scenario_at(cs, x, run_settings, 2, &sc, &cerr) != 0) {
        snprintf(err, err_size, "%s", cerr.message);
        return 1;
    }
    int made = study_of_scenario(&st, &sc, &cerr);
    config_scenario_free(&sc);
    if (made != 0) {
        snprintf(err, err_size, "%s", cerr.message);
        return -1;
    }
    runner_options opt;
    memset(&opt, 0, sizeof opt);
    opt.threads = threads < 1 ? 1 : threads;
    runner_totals tot;
    char rerr[512];
    int rc = 0;
    results_summary *sum = NULL;
    results_difference *diff = NULL;
    size_t ns = 0, nd = 0;
    if (runner_run(&st, 0, study_trial_count(&st), &opt, NULL, &tot, rerr, sizeof rerr) != 0) {
        snprintf(err, err_size, "%s", rerr);
        rc = -1;
    } else if (first_unfinished(&tot) < tot.row_count) {
        const results_row *row = &tot.rows[first_unfinished(&tot)];
        snprintf(err, err_size, "trial %llu (replication %u of the base at %s) %s", (unsigned long long)row->trial,
                 row->replication, first, row->status == RESULTS_FAILED ? "failed" : "did not run");
        rc = -1;
    } else if (results_summarise(tot.rows, tot.row_count, 1, &st.scenarios[0].sc.model, 1, &sum, &ns, &diff,
                                 &nd) != 0) {
        snprintf(err, err_size, "out of memory summarising the trials");
        rc = -1;
    }
    if (rc == 0) {
        double d = 0;
        for (int t = 0; t < cs->target_count; t++) {
            const calibrate_target *tg = &cs->target[t];
            calibrate_figure *f = &fig[t];
            for (size_t i = 0; i < ns; i++)
                if (sum[i].scenario == 0 && strcmp(sum[i].metric, tg->metric) == 0) {
                    f->mean = sum[i].mean;
                    f->ci_low = sum[i].ci_low;
                    f->ci_high = sum[i].ci_high;
                }
            f->misfit = f->mean - tg->observed;
            double h = isfinite(f->ci_high - f->ci_low) ? (f->ci_high - f->ci_low) / 2 : 0;
            double se95 = isnan(tg->se) ? 0 : 1.959963984540054 * tg->se;
            f->allowed = !isnan(tg->tolerance) ? tg->tolerance : sqrt(h * h + se95 * se95);
            f->reached = isfinite(f->misfit) && fabs(f->misfit) <= f->allowed * (1 + 1e-12);
            double scale = !isnan(tg->se) ? tg->se : tg->observed != 0 ? fabs(tg->observed) : 1.0;
            double r = f->misfit / scale;
            if (!isfinite(r) || d >= PENALTY) {
                d = PENALTY;
                continue;
            }
            d += tg->weight * r * r;
        }
        *distance = d < PENALTY ? d : PENALTY;
    }
    free(sum);
    free(diff);
    runner_totals_free(&tot);
    study_free(&st);
    return rc;
}

/* ---- the fit ----------------------------------------------------------- */

typedef struct fit_state {
    const calibrate_spec *cs;
    int threads;
    int fatal;
    char err[1024];
    int evaluations;
    uint64_t trials;
    int have_best;
    double best_value;            /* the distance plus the tie-break, as the simplex sees it */
    double best_distance;
    double best_x[CALIBRATE_MAX_PARAMS];
    double u_start[CALIBRATE_MAX_PARAMS];
    calibrate_figure best_fig[CALIBRATE_MAX_TARGETS];
} fit_state;

/* Internal coordinate z to the parameter: MINUIT's sine transform. */
static void x_of_z(const calibrate_spec *cs, const gsl_vector *z, double *x)
{
    for (int i = 0; i < cs->param_count; i++) {
        const calibrate_param *p = &cs->param[i];
        double v = p->lower + (p->upper - p->lower) * (1 + sin(gsl_vector_get(z, (size_t)i))) / 2;
        x[i] = v < p->lower ? p->lower : v > p->upper ? p->upper : v;
    }
}

static double z_of_x(const calibrate_param *p, double x)
{
    double u = 2 * (x - p->lower) / (p->upper - p->lower) - 1;
    return asin(u < -1 ? -1 : u > 1 ? 1 : u);
}

static double objective(const gsl_vector *z, void *arg)
{
    fit_state *fs = arg;
    if (fs->fatal)
        return PENALTY;
    double x[CALIBRATE_MAX_PARAMS], d;
    calibrate_figure fig[CALIBRATE_MAX_TARGETS];
    char err[1024];
    x_of_z(fs->cs, z, x);
    int rc = calibrate_evaluate(fs->cs, x, fs->threads, fig, &d, err, sizeof err);
    fs->evaluations++;
    if (rc < 0) {
        fs->fatal = 1;
        snprintf(fs->err, sizeof fs->err, "%s", err);
        return PENALTY;
    }
    if (rc == 0)
        fs->trials += (uint64_t)fs->cs->replications;
    double value = d;
    if (d < PENALTY)
        for (int i = 0; i < fs->cs->param_count; i++) {
            const calibrate_param *p = &fs->cs->param[i];
            double du = (x[i] - p->lower) / (p->upper - p->lower) - fs->u_start[i];
            value += TIE_BREAK * du * du;
        }
    if (!fs->have_best || value < fs->best_value) {
        fs->have_best = 1;
        fs->best_value = value;
        fs->best_distance = d;
        memcpy(fs->best_x, x, sizeof x);
        memcpy(fs->best_fig, fig, sizeof fig);
    }
    return value;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static void describe_unreached(const calibrate_spec *cs, calibrate_result *res)
{
    char bounds[1024] = "";
    int at_bound = 0;
    for (int i = 0; i < cs->param_count; i++)
        if (res->at_bound[i]) {
            size_t used = strlen(bounds);
            snprintf(bounds + used, sizeof bounds - used, "%s%s at its %s bound %.6g", at_bound ? ", " : "",
                     cs->param[i].key, res->at_bound[i] < 0 ? "lower" : "upper",
                     res->at_bound[i] < 0 ? cs->param[i].lower : cs->param[i].upper);
            at_bound++;
        }
    res->message[0] = '\0';
    for (int t = 0; t < cs->target_count; t++) {
        const calibrate_figure *f = &res->figure[t];
        if (f->reached)
            continue;
        char fit[512];
        if (isfinite(f->mean))
            snprintf(fit, sizeof fit, "observed %.6g, best simulated %.6g (95%% CI [%.6g, %.6g]), misfit %+.6g where "
                     "at most %.6g is allowed",
                     cs->target[t].observed, f->mean, f->ci_low, f->ci_high, f->misfit, f->allowed);
        else
            snprintf(fit, sizeof fit, "observed %.6g, but the simulation gives no value for it at the best point",
                     cs->target[t].observed);
        char line[1536];
        if (at_bound)
            snprintf(line, sizeof line,
                     "%s: figure %s cannot be reached within the parameter bounds: %s, with %s; widen the bounds or "
                     "check the figure\n",
                     cs->path, cs->target[t].metric, fit, bounds);
        else if (!res->converged)
            snprintf(line, sizeof line,
                     "%s: figure %s not reached after %d iterations without converging: %s; raise "
                     "calibrate.max_iterations\n",
                     cs->path, cs->target[t].metric, res->iterations, fit);
        else
            snprintf(line, sizeof line,
                     "%s: figure %s cannot be reached together with the other figures: %s; no parameter is at a "
                     "bound, so the parameters fitted cannot produce it together with the others (or do not move it): "
                     "give it a tolerance or a standard error, fit another parameter, or drop a figure\n",
                     cs->path, cs->target[t].metric, fit);
        size_t used = strlen(res->message);
        snprintf(res->message + used, sizeof res->message - used, "%s", line);
    }
}

int calibrate_fit(const calibrate_spec *cs, int threads, FILE *progress, calibrate_result *res, char *err,
                  size_t err_size)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(res, 0, sizeof *res);
    const size_t n = (size_t)cs->param_count;
    fit_state fs;
    memset(&fs, 0, sizeof fs);
    fs.cs = cs;
    fs.threads = threads;
    gsl_multimin_function fn = {.f = objective, .n = n, .params = &fs};
    gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n);
    gsl_vector *z = gsl_vector_alloc(n), *step = gsl_vector_alloc(n);
    if (!s || !z || !step) {
        if (s)
            gsl_multimin_fminimizer_free(s);
        if (z)
            gsl_vector_free(z);
        if (step)
            gsl_vector_free(step);
        snprintf(err, err_size, "out of memory starting the simplex");
        return -1;
    }
    /* GSL's default handler aborts; the simplex's complaints (none expected,
     * every value is finite) become return codes while it runs. */
    gsl_error_handler_t *old_handler = gsl_set_error_handler_off();
    double x[CALIBRATE_MAX_PARAMS];
    for (size_t i = 0; i < n; i++) {
        x[i] = cs->param[i].start;
        fs.u_start[i] = (x[i] - cs->param[i].lower) / (cs->param[i].upper - cs->param[i].lower);
    }
    int iterations = 0, converged = 0;
    /* Iterations without a better point after which the simplex counts as
     * stalled on a plateau of the simulated distance. */
    const int stall_limit = 10 * ((int)n + 1) + 10;
    /* A second round restarts a smaller simplex at the best point: the
     * simplex can stall on the small steps a simulated objective has. */
    for (int round = 0; round < 2 && !fs.fatal && iterations < cs->max_iterations; round++) {
        for (size_t i = 0; i < n; i++) {
            gsl_vector_set(z, i, z_of_x(&cs->param[i], round ? fs.best_x[i] : x[i]));
            gsl_vector_set(step, i, round ? 0.2 : 0.6);
        }
        if (gsl_multimin_fminimizer_set(s, &fn, z, step) != GSL_SUCCESS)
            break;
        int round_converged = 0, stalled = 0;
        double round_best = fs.best_value;
        while (iterations < cs->max_iterations && !fs.fatal) {
            iterations++;
            int status = gsl_multimin_fminimizer_iterate(s);
            if (fs.best_value < round_best) {
                round_best = fs.best_value;
                stalled = 0;
            } else if (++stalled >= stall_limit) {
                round_converged = 1;
                break;
            }
            double size = gsl_multimin_fminimizer_size(s);
            if (progress && !fs.fatal) {
                double bx[CALIBRATE_MAX_PARAMS];
                x_of_z(cs, gsl_multimin_fminimizer_x(s), bx);
                fprintf(progress, "calibrate: iteration %d, distance %.6g, simplex %.3g:", iterations,
                        gsl_multimin_fminimizer_minimum(s), size / 2);
                for (size_t i = 0; i < n; i++)
                    fprintf(progress, " %s=%.6g", cs->param[i].key, bx[i]);
                fprintf(progress, "\n");
                fflush(progress);
            }
            if (status != GSL_SUCCESS)
                break;
            /* |dx| <= (upper - lower) |dz| / 2, so a simplex of size
             * 2 * tolerance in z is within tolerance of every range. */
            if (size < 2 * cs->tolerance) {
                round_converged = 1;
                break;
            }
        }
        converged |= round_converged;
        if (!round_converged)
            break;
    }
    gsl_set_error_handler(old_handler);
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(z);
    gsl_vector_free(step);
    if (fs.fatal || !fs.have_best) {
        snprintf(err, err_size, "%s", fs.fatal ? fs.err : "the simplex could not start");
        return -1;
    }
    res->iterations = iterations;
    res->evaluations = fs.evaluations;
    res->trials = fs.trials;
    res->converged = converged;
    res->distance = fs.best_distance;
    memcpy(res->fitted, fs.best_x, sizeof res->fitted);
    memcpy(res->figure, fs.best_fig, sizeof res->figure);
    for (size_t i = 0; i < n; i++) {
        const calibrate_param *p = &cs->param[i];
        double u = (res->fitted[i] - p->lower) / (p->upper - p->lower);
        res->at_bound[i] = u < AT_BOUND ? -1 : u > 1 - AT_BOUND ? 1 : 0;
    }
    for (int t = 0; t < cs->target_count; t++)
        res->unreachable |= !res->figure[t].reached;
    /* A figure not reached with a parameter near (not on) a bound: when the
     * bound itself fits as well, the best point is on the bound (a plateau
     * of the distance can end a little short of it). */
    for (size_t i = 0; i < n && res->unreachable; i++) {
        const calibrate_param *p = &cs->param[i];
        double u = (res->fitted[i] - p->lower) / (p->upper - p->lower);
        if (res->at_bound[i] || (u > NEAR_BOUND && u < 1 - NEAR_BOUND))
            continue;
        double xb[CALIBRATE_MAX_PARAMS], d;
        calibrate_figure fig[CALIBRATE_MAX_TARGETS];
        memcpy(xb, res->fitted, sizeof xb);
        xb[i] = u < 0.5 ? p->lower : p->upper;
        int rc = calibrate_evaluate(cs, xb, threads, fig, &d, err, err_size);
        res->evaluations++;
        if (rc < 0) {
            return -1;
        }
        if (rc == 0) {
            res->trials += (uint64_t)cs->replications;
            if (d <= res->distance * (1 + 1e-9) + 1e-12) {
                memcpy(res->fitted, xb, sizeof xb);
                memcpy(res->figure, fig, sizeof fig);
                res->distance = d;
                res->at_bound[i] = u < 0.5 ? -1 : 1;
            }
        }
    }
    res->unreachable = 0;
    for (int t = 0; t < cs->target_count; t++)
        res->unreachable |= !res->figure[t].reached;
    if (res->unreachable)
        describe_unreached(cs, res);
    res->seconds = seconds_since(&t0);
    return 0;
}
