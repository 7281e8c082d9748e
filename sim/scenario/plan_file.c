/*
 * plan_file.c — reading and checking plan files; see plan_file.h for the
 * shape. The base scenario is read once; every scenario of the plan is the
 * base with its settings applied by config_derive (validated like -s), and
 * every variable's lower and upper bound is tried on each, so a plan that
 * starts is a plan whose every grid point is a scenario the loader accepts
 * (up to combinations that only fail together, which the search reports).
 */
#include "scenario/plan_file.h"

#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double plan_value(const plan_variable *v, int i)
{
    double x = v->lower + v->step * i;
    if (v->integer)
        return round(x);
    /* 0.1 x 3 is 0.30000000000000004: grid values are kept to 12
     * significant digits, so they read (and are set) as written */
    char buf[40];
    snprintf(buf, sizeof buf, "%.12g", x);
    return strtod(buf, NULL);
}

void plan_point_indices(const plan_spec *ps, long point, int *idx)
{
    for (int v = ps->variable_count - 1; v >= 0; v--) {
        idx[v] = (int)(point % ps->variable[v].values);
        point /= ps->variable[v].values;
    }
}

int plan_point_settings(const plan_spec *ps, long point, char lines[][PLAN_KEY_LEN + 40])
{
    int idx[PLAN_MAX_VARIABLES];
    plan_point_indices(ps, point, idx);
    for (int v = 0; v < ps->variable_count; v++) {
        char num[40];
        config_format_number(plan_value(&ps->variable[v], idx[v]), 0, num, sizeof num);
        snprintf(lines[v], PLAN_KEY_LEN + 40, "%s=%s", ps->variable[v].key, num);
    }
    return ps->variable_count;
}

/* A scenario with one more setting tried on it: 0 or -1 with why filled. */
static int try_setting(const config_scenario *sc, const char *line, config_error *why)
{
    config_scenario tmp;
    const char *one[] = {line};
    if (config_derive(&tmp, sc, one, 1, NULL, NULL, 0, why) != 0)
        return -1;
    config_scenario_free(&tmp);
    return 0;
}

static int read_variable(plan_spec *ps, const config_setting_t *e, int i, config_error *err)
{
    static const char *const known[] = {"key", "lower", "upper", "step", "monotone"};
    const char *path = ps->path;
    char key[64], sub[96];
    snprintf(key, sizeof key, "plan.variables[%d]", i);
    if (config_setting_type(e) != CONFIG_TYPE_GROUP)
        return config_fail(err, path, e, key, "expected a group { key = \"staff.workers\"; lower = 8; upper = 16; "
                           "step = 1; monotone = \"more_is_better\"; }, got %s", config_type_name(e));
    if (config_check_members(err, path, e, key, known, 5, "key, lower, upper, step, monotone") != 0)
        return -1;
    plan_variable *v = &ps->variable[i];
    v->line = (int)config_setting_source_line(e);
    const config_setting_t *s = config_setting_get_member(e, "key");
    snprintf(sub, sizeof sub, "%s.key", key);
    if (!s || config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s))
        return config_fail(err, path, s ? s : e, sub, "%s; expected the scenario key to vary, e.g. \"staff.workers\"",
                           s ? "not a non-empty string" : "missing");
    const char *k = config_setting_get_string(s);
    if (strlen(k) >= PLAN_KEY_LEN || strchr(k, '='))
        return config_fail(err, path, s, sub, "expected a key path of at most %d characters without '='",
                           PLAN_KEY_LEN - 1);
    if (strncmp(k, "run.", 4) == 0)
        return config_fail(err, path, s, sub, "%s cannot be a decision: run.* keys are the plan's own", k);
    for (int j = 0; j < i; j++)
        if (strcmp(ps->variable[j].key, k) == 0)
            return config_fail(err, path, s, sub, "%s is already plan.variables[%d]", k, j);
    snprintf(v->key, sizeof v->key, "%s", k);
    static const char *const bounds[] = {"lower", "upper", "step"};
    double *dst[] = {&v->lower, &v->upper, &v->step};
    int all_integer = 1;
    for (int b = 0; b < 3; b++) {
        s = config_setting_get_member(e, bounds[b]);
        snprintf(sub, sizeof sub, "%s.%s", key, bounds[b]);
        if (!s && b == 2) {
            v->step = 1;
            continue;
        }
        if (!s)
            return config_fail(err, path, e, sub, "missing; expected the %s value of %s (a number)", bounds[b], v->key);
        if (config_number_of(s, dst[b]) != 0)
            return config_fail(err, path, s, sub, "expected a finite number, got %s", config_type_name(s));
        all_integer &= config_is_integer(s);
    }
    v->integer = all_integer;
    if (!(v->lower <= v->upper)) {
        snprintf(sub, sizeof sub, "%s.upper", key);
        return config_fail(err, path, config_setting_get_member(e, "upper"), sub,
                           "expected a number >= lower (%.10g), got %.10g", v->lower, v->upper);
    }
    if (!(v->step > 0)) {
        snprintf(sub, sizeof sub, "%s.step", key);
        return config_fail(err, path, config_setting_get_member(e, "step"), sub, "expected a number > 0, got %.10g",
                           v->step);
    }
    double count = floor((v->upper - v->lower) / v->step + 1e-9) + 1;
    if (count > PLAN_MAX_POINTS) {
        snprintf(sub, sizeof sub, "%s.step", key);
        return config_fail(err, path, e, sub, "%.0f values between lower and upper; at most %d", count,
                           PLAN_MAX_POINTS);
    }
    v->values = (int)count;
    s = config_setting_get_member(e, "monotone");
    if (s) {
        snprintf(sub, sizeof sub, "%s.monotone", key);
        const char *m = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "";
        if (strcmp(m, "more_is_better") == 0)
            v->monotone = PLAN_MORE_IS_BETTER;
        else if (strcmp(m, "less_is_better") == 0)
            v->monotone = PLAN_LESS_IS_BETTER;
        else if (strcmp(m, "none") == 0)
            v->monotone = PLAN_NOT_MONOTONE;
        else
            return config_fail(err, path, s, sub, "expected \"more_is_better\", \"less_is_better\" or \"none\"");
    }
    return 0;
}

static int read_constraint(plan_spec *ps, const config_setting_t *e, int i, config_error *err)
{
    static const char *const known[] = {"metric", "at_most", "at_least", "probability"};
    const char *path = ps->path;
    char key[64], sub[96];
    snprintf(key, sizeof key, "plan.constraints[%d]", i);
    if (config_setting_type(e) != CONFIG_TYPE_GROUP)
        return config_fail(err, path, e, key, "expected a group { metric = \"wait_median_days\"; at_most = 14.0; "
                           "probability = 0.9; }, got %s", config_type_name(e));
    if (config_check_members(err, path, e, key, known, 4, "metric, at_most, at_least, probability") != 0)
        return -1;
    plan_constraint *c = &ps->constraint[i];
    c->line = (int)config_setting_source_line(e);
    const config_setting_t *s = config_setting_get_member(e, "metric");
    snprintf(sub, sizeof sub, "%s.metric", key);
    if (!s || config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s) ||
        strlen(config_setting_get_string(s)) >= PLAN_METRIC_LEN)
        return config_fail(err, path, s ? s : e, sub, "%s; expected a metric name such as \"wait_median_days\"",
                           s ? "not a metric name" : "missing");
    snprintf(c->metric, sizeof c->metric, "%s", config_setting_get_string(s));
    const config_setting_t *most = config_setting_get_member(e, "at_most"), *least = config_setting_get_member(e, "at_least");
    if (!most == !least)
        return config_fail(err, path, most ? most : e, most ? key : sub,
                           "give exactly one of at_most and at_least (the bound on %s)", c->metric);
    c->at_most = most != NULL;
    snprintf(sub, sizeof sub, "%s.%s", key, most ? "at_most" : "at_least");
    if (config_number_of(most ? most : least, &c->bound) != 0)
        return config_fail(err, path, most ? most : least, sub, "expected a finite number");
    s = config_setting_get_member(e, "probability");
    c->kind = s ? PLAN_CHANCE : PLAN_MEAN;
    if (s) {
        snprintf(sub, sizeof sub, "%s.probability", key);
        if (config_number_of(s, &c->probability) != 0 || !(c->probability > 0 && c->probability < 1))
            return config_fail(err, path, s, sub,
                               "expected a number > 0 and < 1 (the share of replications that must meet the bound)");
    }
    return 0;
}

static int read_objective(plan_spec *ps, const config_setting_t *g, config_error *err)
{
    const char *path = ps->path;
    const config_setting_t *o = config_setting_get_member(g, "objective");
    ps->objective = ps->scenario[0].sc.money.enabled ? PLAN_OBJ_STAFF_COST : PLAN_OBJ_FTE;
    if (!o)
        return 0;
    ps->objective_line = (int)config_setting_source_line(o);
    static const char *const known[] = {"minimise", "maximise"};
    static const char *const shape = "{ minimise = \"staff_cost\" | \"fte\" | \"posts\" | \"<metric>\"; } or "
                                     "{ maximise = \"<metric>\"; }";
    if (config_setting_type(o) != CONFIG_TYPE_GROUP || config_setting_length(o) != 1)
        return config_fail(err, path, o, "plan.objective", "expected %s", shape);
    if (config_check_members(err, path, o, "plan.objective", known, 2, shape) != 0)
        return -1;
    const config_setting_t *s = config_setting_get_elem(o, 0);
    char sub[64];
    snprintf(sub, sizeof sub, "plan.objective.%s", config_setting_name(s));
    if (config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s) ||
        strlen(config_setting_get_string(s)) >= PLAN_METRIC_LEN)
        return config_fail(err, path, s, sub, "expected %s", shape);
    const char *what = config_setting_get_string(s);
    ps->maximise = strcmp(config_setting_name(s), "maximise") == 0;
    if (!ps->maximise && strcmp(what, "staff_cost") == 0) {
        if (!ps->scenario[0].sc.money.enabled)
            return config_fail(err, path, s, sub,
                               "staff_cost needs a money section with money.staff in the base scenario %s; "
                               "minimise \"fte\" or \"posts\" instead", ps->base);
        ps->objective = PLAN_OBJ_STAFF_COST;
    } else if (!ps->maximise && strcmp(what, "fte") == 0) {
        ps->objective = PLAN_OBJ_FTE;
    } else if (!ps->maximise && strcmp(what, "posts") == 0) {
        ps->objective = PLAN_OBJ_POSTS;
    } else {
        ps->objective = PLAN_OBJ_METRIC;
        snprintf(ps->objective_metric, sizeof ps->objective_metric, "%s", what);
    }
    return 0;
}

static int read_scenario(plan_spec *ps, const config_setting_t *e, int i, config_error *err)
{
    static const char *const known[] = {"name", "set"};
    const char *path = ps->path;
    char key[64], sub[96];
    snprintf(key, sizeof key, "plan.scenarios[%d]", i);
    if (config_setting_type(e) != CONFIG_TYPE_GROUP)
        return config_fail(err, path, e, key, "expected a group { name = \"...\"; set = [ \"key=value\", ... ]; }");
    if (config_check_members(err, path, e, key, known, 2, "name, set") != 0)
        return -1;
    plan_scenario *sc = &ps->scenario[i];
    const config_setting_t *s = config_setting_get_member(e, "name");
    snprintf(sub, sizeof sub, "%s.name", key);
    if (!s || config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s) ||
        strlen(config_setting_get_string(s)) >= PLAN_NAME_LEN)
        return config_fail(err, path, s ? s : e, sub, "expected a name of 1 to %d characters", PLAN_NAME_LEN - 1);
    snprintf(sc->name, sizeof sc->name, "%s", config_setting_get_string(s));
    for (int j = i + 1; j < ps->scenario_count; j++) /* read last to first */
        if (strcmp(ps->scenario[j].name, sc->name) == 0)
            return config_fail(err, path, s, sub, "'%s' is already the name of plan.scenarios[%d]", sc->name, j);
    s = config_setting_get_member(e, "set");
    snprintf(sub, sizeof sub, "%s.set", key);
    if (s) {
        int t = config_setting_type(s);
        if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || config_setting_length(s) > PLAN_MAX_SETTINGS)
            return config_fail(err, path, s, sub, "expected an array of at most %d \"key=value\" strings",
                               PLAN_MAX_SETTINGS);
        for (int k = 0; k < config_setting_length(s); k++) {
            const config_setting_t *x = config_setting_get_elem(s, (unsigned)k);
            if (config_setting_type(x) != CONFIG_TYPE_STRING || !strchr(config_setting_get_string(x), '='))
                return config_fail(err, path, x, sub, "expected \"key=value\" strings, as -s takes");
            if (!(sc->setting[k] = strdup(config_setting_get_string(x))))
                return config_fail(err, path, x, sub, "out of memory");
            sc->setting_count = k + 1;
        }
    }
    config_error why;
    config_scenario made;
    if (config_derive(&made, &ps->scenario[0].sc, (const char *const *)sc->setting, sc->setting_count, NULL, NULL,
                      0, &why) != 0)
        return config_fail(err, path, s ? s : e, sub, "%s", why.message);
    config_scenario_free(&sc->sc); /* scenario 0 held the base until now */
    sc->sc = made;
    return 0;
}

/* Every variable's bounds must make a valid scenario of every plan scenario. */
static int check_bounds(plan_spec *ps, const config_setting_t *vars, config_error *err)
{
    for (int i = 0; i < ps->variable_count; i++) {
        const plan_variable *v = &ps->variable[i];
        const double at[] = {v->lower, plan_value(v, v->values - 1)};
        for (int b = 0; b < 2; b++)
            for (int s = 0; s < ps->scenario_count; s++) {
                char line[PLAN_KEY_LEN + 40], num[40];
                config_format_number(at[b], !v->integer, num, sizeof num);
                snprintf(line, sizeof line, "%s=%s", v->key, num);
                config_error why;
                if (try_setting(&ps->scenario[s].sc, line, &why) != 0) {
                    char key[64];
                    snprintf(key, sizeof key, "plan.variables[%d].%s", i, b ? "upper" : "lower");
                    const config_setting_t *e = config_setting_get_elem(vars, (unsigned)i);
                    const config_setting_t *where = config_setting_get_member(e, b ? "upper" : "lower");
                    return config_fail(err, ps->path, where ? where : e, key, "%s is not allowed%s%s: %s", line,
                                       ps->scenario_count > 1 ? " in scenario " : "",
                                       ps->scenario_count > 1 ? ps->scenario[s].name : "", why.message);
                }
            }
    }
    return 0;
}

/* An integer member of g in [lo, hi] into *out (kept when absent). */
static int read_int(const plan_spec *ps, const config_setting_t *g, const char *name, long lo, long hi, int *out,
                    config_error *err)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (!s)
        return 0;
    char key[64];
    snprintf(key, sizeof key, "plan.%s", name);
    if (!config_is_integer(s) || config_setting_get_int64(s) < lo || config_setting_get_int64(s) > hi)
        return config_fail(err, ps->path, s, key, "expected an integer between %ld and %ld", lo, hi);
    *out = (int)config_setting_get_int64(s);
    return 0;
}

static char *relative_to(const char *file, const char *name)
{
    const char *slash = strrchr(file, '/');
    size_t len = strlen(name) + (slash ? (size_t)(slash - file) + 1 : 0) + 1;
    char *out = malloc(len);
    if (!out)
        return NULL;
    if (name[0] == '/' || !slash)
        snprintf(out, len, "%s", name);
    else
        snprintf(out, len, "%.*s/%s", (int)(slash - file), file, name);
    return out;
}

int plan_load(plan_spec *ps, const char *path, config_error *err)
{
    memset(ps, 0, sizeof *ps);
    err->message[0] = '\0';
    int rc = -1;
    config_t cfg;
    config_init(&cfg);
    config_set_auto_convert(&cfg, 0);
    char why[256];
    char *text = config_read_plain_text(path, why, sizeof why);
    const config_setting_t *g, *s, *vars, *cons, *scens;
    ps->path = strdup(path);
    if (!ps->path) {
        snprintf(err->message, sizeof err->message, "%s: out of memory", path);
        goto out;
    }
    if (!text) {
        config_fail(err, path, NULL, "(file)", "%s", why);
        goto out;
    }
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        snprintf(err->message, sizeof err->message, "%s:%d: syntax error: %s", path, config_error_line(&cfg),
                 config_error_text(&cfg));
        config_one_line(err->message, sizeof err->message);
        goto out;
    }
    static const char *const top[] = {"plan"};
    if (config_check_members(err, path, config_root_setting(&cfg), "", top, 1, "a plan group") != 0)
        goto out;
    g = config_lookup(&cfg, "plan");
    if (!g || config_setting_type(g) != CONFIG_TYPE_GROUP) {
        config_fail(err, path, g, "plan", "%s; expected plan: { base = \"scenario.cfg\"; variables = (...); "
                    "constraints = (...); }", g ? "not a group" : "missing");
        goto out;
    }
    static const char *const known[] = {"base", "seed", "min_replications", "step_replications", "max_replications",
                                        "alpha", "variables", "constraints", "objective", "scenarios"};
    if (config_check_members(err, path, g, "plan", known, sizeof known / sizeof known[0],
                      "base, seed, min_replications, step_replications, max_replications, alpha, variables, "
                      "constraints, objective, scenarios") != 0)
        goto out;
    s = config_setting_get_member(g, "base");
    if (!s || config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s)) {
        config_fail(err, path, s ? s : g, "plan.base", "%s; expected the base scenario file (relative to the plan file)",
                    s ? "not a non-empty string" : "missing");
        goto out;
    }
    if (!(ps->base = relative_to(path, config_setting_get_string(s)))) {
        config_fail(err, path, s, "plan.base", "out of memory");
        goto out;
    }
    /* The base's own messages name its file, line and key. */
    if (config_load(&ps->scenario[0].sc, ps->base, NULL, 0, err) != 0)
        goto out;
    snprintf(ps->scenario[0].name, sizeof ps->scenario[0].name, "base");
    ps->scenario_count = 1;
    ps->seed = ps->scenario[0].sc.seed;
    if ((s = config_setting_get_member(g, "seed"))) {
        if (!config_is_integer(s) || config_setting_get_int64(s) < 0) {
            config_fail(err, path, s, "plan.seed", "expected an integer >= 0 (e.g. 7L)");
            goto out;
        }
        ps->seed = (uint64_t)config_setting_get_int64(s);
    }
    ps->min_replications = 20;
    ps->step_replications = 20;
    ps->max_replications = 400;
    if (read_int(ps, g, "min_replications", 2, 100000, &ps->min_replications, err) != 0 ||
        read_int(ps, g, "step_replications", 1, 100000, &ps->step_replications, err) != 0 ||
        read_int(ps, g, "max_replications", 2, 1000000, &ps->max_replications, err) != 0)
        goto out;
    if (ps->max_replications < ps->min_replications) {
        config_fail(err, path, config_setting_get_member(g, "max_replications"), "plan.max_replications",
                    "expected at least min_replications (%d)", ps->min_replications);
        goto out;
    }
    ps->alpha = 0.05;
    if ((s = config_setting_get_member(g, "alpha"))) {
        if (config_number_of(s, &ps->alpha) != 0 || !(ps->alpha > 0 && ps->alpha < 0.5)) {
            config_fail(err, path, s, "plan.alpha", "expected a number > 0 and < 0.5 (the error rate of the plan)");
            goto out;
        }
    }
    vars = config_setting_get_member(g, "variables");
    if (!vars || config_setting_type(vars) != CONFIG_TYPE_LIST || config_setting_length(vars) < 1 ||
        config_setting_length(vars) > PLAN_MAX_VARIABLES) {
        config_fail(err, path, vars ? vars : g, "plan.variables", "%s; expected a list of 1 to %d variables "
                    "( { key = \"staff.workers\"; lower = 8; upper = 16; step = 1; }, ... )",
                    vars ? "wrong shape" : "missing", PLAN_MAX_VARIABLES);
        goto out;
    }
    ps->variable_count = config_setting_length(vars);
    ps->points = 1;
    for (int i = 0; i < ps->variable_count; i++) {
        if (read_variable(ps, config_setting_get_elem(vars, (unsigned)i), i, err) != 0)
            goto out;
        ps->points *= ps->variable[i].values;
        if (ps->points > PLAN_MAX_POINTS) {
            config_fail(err, path, vars, "plan.variables", "more than %d grid points; use larger steps or fewer "
                        "variables", PLAN_MAX_POINTS);
            goto out;
        }
    }
    cons = config_setting_get_member(g, "constraints");
    if (!cons || config_setting_type(cons) != CONFIG_TYPE_LIST || config_setting_length(cons) < 1 ||
        config_setting_length(cons) > PLAN_MAX_CONSTRAINTS) {
        config_fail(err, path, cons ? cons : g, "plan.constraints", "%s; expected a list of 1 to %d constraints "
                    "( { metric = \"wait_median_days\"; at_most = 14.0; probability = 0.9; }, ... )",
                    cons ? "wrong shape" : "missing", PLAN_MAX_CONSTRAINTS);
        goto out;
    }
    ps->constraint_count = config_setting_length(cons);
    for (int i = 0; i < ps->constraint_count; i++)
        if (read_constraint(ps, config_setting_get_elem(cons, (unsigned)i), i, err) != 0)
            goto out;
    if (read_objective(ps, g, err) != 0)
        goto out;
    scens = config_setting_get_member(g, "scenarios");
    if (scens) {
        if (config_setting_type(scens) != CONFIG_TYPE_LIST || config_setting_length(scens) < 1 ||
            config_setting_length(scens) > PLAN_MAX_SCENARIOS) {
            config_fail(err, path, scens, "plan.scenarios", "expected a list of 1 to %d scenarios "
                        "( { name = \"...\"; set = [ \"key=value\", ... ]; }, ... )", PLAN_MAX_SCENARIOS);
            goto out;
        }
        /* Scenario 0 is read last: the others derive from the base in it. */
        int n = config_setting_length(scens);
        for (int i = n - 1; i >= 0; i--) {
            if (i == n - 1)
                ps->scenario_count = n;
            if (read_scenario(ps, config_setting_get_elem(scens, (unsigned)i), i, err) != 0)
                goto out;
        }
    }
    if (check_bounds(ps, vars, err) != 0)
        goto out;
    rc = 0;
out:
    config_destroy(&cfg);
    free(text);
    if (rc != 0)
        plan_free(ps);
    return rc;
}

void plan_free(plan_spec *ps)
{
    for (int i = 0; i < PLAN_MAX_SCENARIOS; i++) {
        config_scenario_free(&ps->scenario[i].sc);
        for (int k = 0; k < ps->scenario[i].setting_count; k++)
            free(ps->scenario[i].setting[k]);
        ps->scenario[i].setting_count = 0;
    }
    free(ps->path);
    free(ps->base);
    ps->path = ps->base = NULL;
}
