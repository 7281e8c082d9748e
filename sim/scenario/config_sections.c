/*
 * config_sections.c — the scenario's lists and groups of their own shape:
 * age bands, profiles, sources, roles, teams, measures, phases, exit
 * destinations, follow-up, targets and volume pressure, and the helpers
 * that read one member of a list item (also used by config_money.c).
 *
 * Each reader fills its part of model_params and checks what needs the
 * item as a whole (names used twice, names that refer to other sections,
 * shares that must sum to 1), with the item's path in the message.
 */
#include "scenario/config_internal.h"
#include "model/model_followup.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- sections: lists and groups of their own shape ---------------------- */

int item_members(loader *ld, const config_setting_t *item, const char *path, const char *const *allowed)
{
    for (int i = 0; i < config_setting_length(item); i++) {
        const config_setting_t *m = config_setting_get_elem(item, (unsigned)i);
        const char *name = config_setting_name(m);
        size_t n = 0;
        int ok = 0;
        for (; allowed[n]; n++)
            ok |= strcmp(allowed[n], name) == 0;
        if (ok)
            continue;
        char key[256];
        snprintf(key, sizeof key, "%s.%s", path, name);
        const char *hint = config_closest(name, allowed, n);
        if (hint)
            return loader_fail(ld, m, key, "unknown key (did you mean '%s'?)", hint);
        return loader_fail(ld, m, key, "unknown key");
    }
    return 0;
}

int item_number(loader *ld, const config_setting_t *item, const char *path, const char *name, double min,
                       double max, int min_open, int required, double fallback, double *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    if (!s) {
        if (required)
            return loader_fail(ld, item, key, "missing; expected a number %s %g and <= %g", min_open ? ">" : ">=", min, max);
        *out = fallback;
        return 0;
    }
    config_key k = {.path = key, .type = KEY_FLOAT, .min = min, .max = max, .min_open = min_open, .unit = name};
    return loader_read_number(ld, &k, s, out);
}

int item_int(loader *ld, const config_setting_t *item, const char *path, const char *name, int min, int max,
                    int required, int fallback, int *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    if (!s) {
        if (required)
            return loader_fail(ld, item, key, "missing; expected an integer >= %d and <= %d", min, max);
        *out = fallback;
        return 0;
    }
    config_key k = {.path = key, .type = KEY_INT, .min = min, .max = max, .unit = name};
    double v;
    if (loader_read_number(ld, &k, s, &v) != 0)
        return -1;
    *out = (int)v;
    return 0;
}

int item_bool(loader *ld, const config_setting_t *item, const char *path, const char *name, int *out)
{
    const config_setting_t *s = config_setting_get_member(item, name);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        char key[256];
        snprintf(key, sizeof key, "%s.%s", path, name);
        return loader_fail(ld, s, key, "expected true or false, got %s", config_type_name(s));
    }
    *out = config_setting_get_bool(s);
    return 0;
}

int item_string(loader *ld, const config_setting_t *item, const char *path, const char *name, int required,
                       const char **out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    *out = NULL;
    if (!s)
        return required ? loader_fail(ld, item, key, "missing; expected a string") : 0;
    if (config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s))
        return loader_fail(ld, s, key, "expected a non-empty string, got %s", config_type_name(s));
    *out = config_setting_get_string(s);
    return 0;
}

int item_name(loader *ld, const config_setting_t *item, const char *path, char *name)
{
    const char *text;
    if (item_string(ld, item, path, "name", 1, &text) != 0)
        return -1;
    if (strlen(text) >= MODEL_NAME_LEN)
        return loader_fail(ld, config_setting_get_member(item, "name"), path, "name longer than %d characters",
                           MODEL_NAME_LEN - 1);
    snprintf(name, MODEL_NAME_LEN, "%s", text);
    return 0;
}

int item_dist(loader *ld, const config_setting_t *item, const char *path, const char *name, int required,
                     const char *unit, dist *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    if (!s)
        return required ? loader_fail(ld, item, key, "missing; expected a distribution in %s", unit) : 0;
    config_key k = {.path = key, .type = KEY_DIST, .unit = unit};
    return loader_read_dist(ld, &k, s, out);
}

int item_find_name(const char (*names)[MODEL_NAME_LEN], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* A group name = share over known names; absent names get 0; sums to 1. */
int item_shares(loader *ld, const config_setting_t *s, const char *key, const char *what,
                       const char (*names)[MODEL_NAME_LEN], int n, double *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, key, "expected a group of %s = share, got %s", what, config_type_name(s));
    for (int i = 0; i < n; i++)
        out[i] = 0;
    double sum = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", key, config_setting_name(m));
        int at = item_find_name(names, n, config_setting_name(m));
        if (at < 0)
            return loader_fail_unknown_name(ld, m, sub, what, config_setting_name(m), names, n);
        double v;
        config_key k = {.path = sub, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "share"};
        if (loader_read_number(ld, &k, m, &v) != 0)
            return -1;
        out[at] = v;
        sum += v;
    }
    if (fabs(sum - 1.0) > 1e-9)
        return loader_fail(ld, s, key, "shares must sum to 1, they sum to %.12g", sum);
    return 0;
}

/* A list of names, as a bit mask over known names. */
int item_name_mask(loader *ld, const config_setting_t *s, const char *key, const char *what,
                          const char (*names)[MODEL_NAME_LEN], int n, unsigned *mask)
{
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return loader_fail(ld, s, key, "expected a list of %s names [\"a\", \"b\"], got %s", what, config_type_name(s));
    *mask = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return loader_fail(ld, e, key, "expected %s names (strings), got %s", what, config_type_name(e));
        int at = item_find_name(names, n, config_setting_get_string(e));
        if (at < 0)
            return loader_fail_unknown_name(ld, e, key, what, config_setting_get_string(e), names, n);
        *mask |= 1u << at;
    }
    return 0;
}

int item_schedule(loader *ld, const config_setting_t *s, const char *key, model_schedule *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_LIST || config_setting_length(s) < 1)
        return loader_fail(ld, s, key, "expected a non-empty list ( { month = m; value = v; }, ... )");
    int n = config_setting_length(s);
    if (n > MODEL_MAX_SCHEDULE)
        return loader_fail(ld, s, key, "at most %d steps", MODEL_MAX_SCHEDULE);
    static const char *const allowed[] = {"month", "value", NULL};
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char path[256];
        snprintf(path, sizeof path, "%s[%d]", key, i);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP)
            return loader_fail(ld, e, path, "expected { month = m; value = v; }");
        if (item_members(ld, e, path, allowed) != 0 ||
            item_get_number(ld, e, path, "month", &out->month[i]) != 0 ||
            item_get_number(ld, e, path, "value", &out->value[i]) != 0)
            return -1;
        if (i > 0 && !(out->month[i] > out->month[i - 1]))
            return loader_fail(ld, e, path, "months must increase: %g after %g", out->month[i], out->month[i - 1]);
    }
    out->count = n;
    return 0;
}

/* Checks that s is a list of groups of at most max items. */
int item_list_of_groups(loader *ld, const config_setting_t *s, const char *key, int max)
{
    if (config_setting_type(s) != CONFIG_TYPE_LIST)
        return loader_fail(ld, s, key, "expected a list ( { ... }, { ... } ), got %s", config_type_name(s));
    int n = config_setting_length(s);
    if (n < 1 || n > max)
        return loader_fail(ld, s, key, "expected between 1 and %d entries, got %d", max, n);
    for (int i = 0; i < n; i++)
        if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) != CONFIG_TYPE_GROUP)
            return loader_fail(ld, config_setting_get_elem(s, (unsigned)i), key, "expected each entry to be a group { ... }");
    return 0;
}

int item_unique_name(loader *ld, const config_setting_t *item, const char *path, const char (*names)[MODEL_NAME_LEN],
                       int n)
{
    if (item_find_name(names, n, names[n]) >= 0)
        return loader_fail(ld, item, path, "the name '%s' is used twice", names[n]);
    return 0;
}

int section_read_age_bands(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    int t = config_setting_type(s);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || config_setting_length(s) < 1 ||
        config_setting_length(s) > MODEL_MAX_AGE_BANDS)
        return loader_fail(ld, s, "age_bands", "expected a list of 1 to %d names [\"16-29\", ...]", MODEL_MAX_AGE_BANDS);
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING || strlen(config_setting_get_string(e)) >= MODEL_NAME_LEN)
            return loader_fail(ld, e, "age_bands", "expected names (strings of at most %d characters)", MODEL_NAME_LEN - 1);
        snprintf(p->age_band_names[i], MODEL_NAME_LEN, "%s", config_setting_get_string(e));
    }
    p->age_bands = config_setting_length(s);
    return 0;
}

/* profiles.[].exit_weights = { destination = factor; ... } (model_profile_exits.c);
 * destinations not named keep factor 1. */
static int section_read_exit_weights(loader *ld, const config_setting_t *e, const char *path, const model_params *p,
                                     model_profile *pr)
{
    char key[128];
    for (int d = 0; d < MODEL_MAX_DESTINATIONS; d++)
        pr->exit_weight[d] = 1.0;
    pr->has_exit_weights = 0;
    const config_setting_t *w = config_setting_get_member(e, "exit_weights");
    if (!w)
        return 0;
    snprintf(key, sizeof key, "%s.exit_weights", path);
    if (config_setting_type(w) != CONFIG_TYPE_GROUP || config_setting_length(w) < 1)
        return loader_fail(ld, w, key, "expected { destination = factor; ... }");
    if (p->destinations < 1)
        return loader_fail(ld, w, key, "exit weights need the destinations (exits.destinations or exits.shares)");
    for (int i = 0; i < config_setting_length(w); i++) {
        const config_setting_t *x = config_setting_get_elem(w, (unsigned)i);
        const char *name = config_setting_name(x);
        char k[192];
        snprintf(k, sizeof k, "%s.%s", key, name);
        int d = item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, name);
        if (d < 0)
            return loader_fail_unknown_name(ld, x, k, "destination", name,
                                            (const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations);
        config_key ck = {.path = k, .type = KEY_FLOAT, .min = 0, .max = 1000, .unit = "factor"};
        if (loader_read_number(ld, &ck, x, &pr->exit_weight[d]) != 0)
            return -1;
    }
    pr->has_exit_weights = 1;
    return 0;
}

int section_read_profiles(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "need", "readiness", "acceptance", "priority", "female_share",
                                          "age_shares", "exit_weights", "max_months", NULL};
    if (item_list_of_groups(ld, s, "profiles", MODEL_MAX_PROFILES) != 0)
        return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_profile *pr = &p->profile[i];
        char path[64];
        snprintf(path, sizeof path, "profiles[%d]", i);
        char names[MODEL_MAX_PROFILES][MODEL_NAME_LEN];
        for (int j = 0; j < i; j++)
            memcpy(names[j], p->profile[j].name, MODEL_NAME_LEN);
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, pr->name) != 0)
            return -1;
        memcpy(names[i], pr->name, MODEL_NAME_LEN);
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_get_number(ld, e, path, "need", &pr->need) != 0 ||
            item_get_number(ld, e, path, "readiness", &pr->readiness) != 0 ||
            item_get_number(ld, e, path, "acceptance", &pr->acceptance) != 0 ||
            item_get_int(ld, e, path, "priority", &pr->priority) != 0 ||
            item_get_number(ld, e, path, "female_share", &pr->female_share) != 0 ||
            item_number(ld, e, path, "max_months", 0, 1200, 0, 0, 0, &pr->max_months) != 0)
            return -1;
        const config_setting_t *ages = config_setting_get_member(e, "age_shares");
        char key[96];
        snprintf(key, sizeof key, "%s.age_shares", path);
        if (p->age_bands > 0 && !ages)
            return loader_fail(ld, e, key, "missing; age_bands are given, so each profile needs %d shares", p->age_bands);
        if (ages) {
            if (p->age_bands == 0)
                return loader_fail(ld, ages, key, "age shares need the top-level age_bands names");
            if ((config_setting_type(ages) != CONFIG_TYPE_ARRAY && config_setting_type(ages) != CONFIG_TYPE_LIST) ||
                config_setting_length(ages) != p->age_bands)
                return loader_fail(ld, ages, key, "expected %d shares, one per age band", p->age_bands);
            double sum = 0;
            for (int j = 0; j < p->age_bands; j++) {
                config_key k = {.path = key, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "share"};
                if (loader_read_number(ld, &k, config_setting_get_elem(ages, (unsigned)j), &pr->age_shares[j]) != 0)
                    return -1;
                sum += pr->age_shares[j];
            }
            if (fabs(sum - 1) > 1e-9)
                return loader_fail(ld, ages, key, "shares must sum to 1, they sum to %.12g", sum);
        }
        if (section_read_exit_weights(ld, e, path, p, pr) != 0)
            return -1;
    }
    p->profiles = config_setting_length(s);
    return 0;
}

int section_read_sources(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "kind", "rate_per_month", "schedule", "replacement", "profiles",
                                          "unit", "site", NULL};
    static const char *const unit_allowed[] = {"caseworkers", "cases", "full_rate_below", "zero_rate_above", NULL};
    if (item_list_of_groups(ld, s, "sources", MODEL_MAX_SOURCES) != 0)
        return -1;
    if (config_lookup(&ld->cfg, "referrals.rate_per_month"))
        return loader_fail(ld, config_lookup(&ld->cfg, "referrals.rate_per_month"), "referrals.rate_per_month",
                           "give either referrals.rate_per_month or sources, not both");
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_source *src = &p->source[i];
        char path[64], key[96];
        snprintf(path, sizeof path, "sources[%d]", i);
        char names[MODEL_MAX_SOURCES][MODEL_NAME_LEN];
        for (int j = 0; j < i; j++)
            memcpy(names[j], p->source[j].name, MODEL_NAME_LEN);
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, src->name) != 0)
            return -1;
        memcpy(names[i], src->name, MODEL_NAME_LEN);
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0)
            return -1;
        const char *kind;
        if (item_string(ld, e, path, "kind", 0, &kind) != 0)
            return -1;
        src->kind = SOURCE_POISSON;
        if (kind && strcmp(kind, "quota") == 0)
            src->kind = SOURCE_QUOTA;
        else if (kind && strcmp(kind, "poisson") != 0) {
            snprintf(key, sizeof key, "%s.kind", path);
            return loader_fail(ld, config_setting_get_member(e, "kind"), key, "expected \"poisson\" or \"quota\", got '%s'", kind);
        }
        const config_setting_t *rate = config_setting_get_member(e, "rate_per_month");
        const config_setting_t *sched = config_setting_get_member(e, "schedule");
        if (!!rate == !!sched)
            return loader_fail(ld, e, path, "give either rate_per_month or schedule (one of them)");
        if (rate) {
            src->rate.count = 1;
            src->rate.month[0] = 0;
            if (item_get_number(ld, e, path, "rate_per_month", &src->rate.value[0]) != 0)
                return -1;
        } else {
            snprintf(key, sizeof key, "%s.schedule", path);
            if (item_schedule(ld, sched, key, &src->rate) != 0)
                return -1;
        }
        if (item_get_int(ld, e, path, "replacement", &src->replacement) != 0 ||
            config_site_of(ld, e, path, p, &src->at_site) != 0)
            return -1;
        const config_setting_t *shares = config_setting_get_member(e, "profiles");
        snprintf(key, sizeof key, "%s.profiles", path);
        if (shares && p->profiles == 0)
            return loader_fail(ld, shares, key, "profile shares need a top-level profiles list");
        if (p->profiles > 1 && !shares)
            return loader_fail(ld, e, key, "missing; with several profiles each source gives their shares");
        if (shares) {
            char pn[MODEL_MAX_PROFILES][MODEL_NAME_LEN];
            for (int j = 0; j < p->profiles; j++)
                memcpy(pn[j], p->profile[j].name, MODEL_NAME_LEN);
            if (item_shares(ld, shares, key, "profile", (const char(*)[MODEL_NAME_LEN])pn, p->profiles,
                            src->profile_shares) != 0)
                return -1;
        } else if (p->profiles == 1) {
            src->profile_shares[0] = 1.0;
        }
        const config_setting_t *unit = config_setting_get_member(e, "unit");
        if (unit) {
            snprintf(key, sizeof key, "%s.unit", path);
            if (config_setting_type(unit) != CONFIG_TYPE_GROUP)
                return loader_fail(ld, unit, key, "expected a group { caseworkers; cases; full_rate_below; zero_rate_above; }");
            const config_setting_t *cases = config_setting_get_member(unit, "cases");
            char ckey[128];
            snprintf(ckey, sizeof ckey, "%s.cases", key);
            if (item_members(ld, unit, key, unit_allowed) != 0 ||
                item_get_number(ld, unit, key, "caseworkers", &src->unit_caseworkers) != 0 ||
                item_get_number(ld, unit, key, "full_rate_below", &src->unit_full_below) != 0 ||
                item_get_number(ld, unit, key, "zero_rate_above", &src->unit_zero_above) != 0)
                return -1;
            if (!cases)
                return loader_fail(ld, unit, ckey, "missing; expected a schedule of the unit's cases");
            if (item_schedule(ld, cases, ckey, &src->unit_cases) != 0)
                return -1;
            if (!(src->unit_zero_above > src->unit_full_below))
                return loader_fail(ld, unit, key, "zero_rate_above (%g) must exceed full_rate_below (%g)", src->unit_zero_above,
                                   src->unit_full_below);
            src->has_unit = 1;
        }
    }
    p->sources = config_setting_length(s);
    return 0;
}

int section_read_roles(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "caseload_cap", "decides", "call_in_probability", "meeting_hours",
                                          "call_in_by_profile", NULL};
    if (item_list_of_groups(ld, s, "staff.roles", MODEL_MAX_ROLES) != 0)
        return -1;
    for (const char *k = "staff.workers"; k; k = strcmp(k, "staff.workers") == 0 ? "staff.caseload_cap" : NULL)
        if (config_lookup(&ld->cfg, k))
            return loader_fail(ld, config_lookup(&ld->cfg, k), k,
                               "staff.workers and staff.caseload_cap describe staff without roles; with staff.roles, caps "
                               "belong to roles and people to staff.teams");
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_role *r = &p->role[i];
        char path[64];
        snprintf(path, sizeof path, "staff.roles[%d]", i);
        char names[MODEL_MAX_ROLES][MODEL_NAME_LEN];
        for (int j = 0; j < i; j++)
            memcpy(names[j], p->role[j].name, MODEL_NAME_LEN);
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, r->name) != 0)
            return -1;
        memcpy(names[i], r->name, MODEL_NAME_LEN);
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_get_number(ld, e, path, "caseload_cap", &r->caseload_cap) != 0 ||
            item_bool(ld, e, path, "decides", &r->decides) != 0 ||
            item_get_number(ld, e, path, "call_in_probability", &r->call_in_probability) != 0 ||
            section_read_call_in_by_profile(ld, e, path, p, r) != 0 ||
            item_dist(ld, e, path, "meeting_hours", r->decides || r->call_in_probability > 0 || r->has_call_in_by_profile,
                      "hours", &r->meeting_hours) != 0)
            return -1;
    }
    p->roles = config_setting_length(s);
    if (!config_lookup(&ld->cfg, "staff.teams"))
        return loader_fail(ld, s, "staff.teams", "missing; with staff.roles, staff.teams says who works where");
    return 0;
}

int section_read_teams(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "members", "site", NULL};
    static const char *const member_allowed[] = {"role", "count", "fte", "start_month", "end_month", NULL};
    if (p->roles == 0)
        return loader_fail(ld, s, "staff.teams", "teams need staff.roles");
    if (item_list_of_groups(ld, s, "staff.teams", MODEL_MAX_TEAMS) != 0)
        return -1;
    char role_names[MODEL_MAX_ROLES][MODEL_NAME_LEN];
    for (int j = 0; j < p->roles; j++)
        memcpy(role_names[j], p->role[j].name, MODEL_NAME_LEN);
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_team *t = &p->team[i];
        char path[64], key[96];
        snprintf(path, sizeof path, "staff.teams[%d]", i);
        char names[MODEL_MAX_TEAMS][MODEL_NAME_LEN];
        for (int j = 0; j < i; j++)
            memcpy(names[j], p->team[j].name, MODEL_NAME_LEN);
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, t->name) != 0)
            return -1;
        memcpy(names[i], t->name, MODEL_NAME_LEN);
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            config_site_of(ld, e, path, p, &t->at_site) != 0)
            return -1;
        const config_setting_t *members = config_setting_get_member(e, "members");
        snprintf(key, sizeof key, "%s.members", path);
        if (!members)
            return loader_fail(ld, e, key, "missing; expected ( { role; count; fte; start_month; }, ... )");
        if (item_list_of_groups(ld, members, key, MODEL_MAX_GROUPS) != 0)
            return -1;
        for (int g = 0; g < config_setting_length(members); g++) {
            const config_setting_t *m = config_setting_get_elem(members, (unsigned)g);
            model_member_group *mg = &t->group[g];
            char mpath[128];
            snprintf(mpath, sizeof mpath, "%s[%d]", key, g);
            const char *role;
            if (item_members(ld, m, mpath, member_allowed) != 0 || item_string(ld, m, mpath, "role", 1, &role) != 0)
                return -1;
            mg->role = item_find_name((const char(*)[MODEL_NAME_LEN])role_names, p->roles, role);
            char rkey[160];
            snprintf(rkey, sizeof rkey, "%s.role", mpath);
            if (mg->role < 0)
                return loader_fail_unknown_name(ld, config_setting_get_member(m, "role"), rkey, "role", role,
                                                (const char(*)[MODEL_NAME_LEN])role_names, p->roles);
            if (item_get_int(ld, m, mpath, "count", &mg->count) != 0 ||
                item_get_number(ld, m, mpath, "fte", &mg->fte) != 0 ||
                item_get_number(ld, m, mpath, "start_month", &mg->start_month) != 0 ||
                item_get_number(ld, m, mpath, "end_month", &mg->end_month) != 0)
                return -1;
            if (mg->end_month > 0 && !(mg->end_month > mg->start_month))
                return loader_fail(ld, m, mpath, "end_month (%g) must come after start_month (%g)", mg->end_month,
                                   mg->start_month);
        }
        t->groups = config_setting_length(members);
    }
    p->teams = config_setting_length(s);
    return 0;
}

int section_read_measures(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "places", "open_month", "close_month", "duration_days", "exit_to",
                                          "exit_probability", "places_schedule", "queue_before_open", NULL};
    if (item_list_of_groups(ld, s, "measures", MODEL_MAX_MEASURES) != 0)
        return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_measure *ms = &p->measure[i];
        char path[64];
        snprintf(path, sizeof path, "measures[%d]", i);
        char names[MODEL_MAX_MEASURES][MODEL_NAME_LEN];
        for (int j = 0; j < i; j++)
            memcpy(names[j], p->measure[j].name, MODEL_NAME_LEN);
        const char *to;
        ms->queue_before_open = 0;
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, ms->name) != 0)
            return -1;
        memcpy(names[i], ms->name, MODEL_NAME_LEN);
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_get_int(ld, e, path, "places", &ms->places) != 0 ||
            item_get_number(ld, e, path, "open_month", &ms->open_month) != 0 ||
            item_get_number(ld, e, path, "close_month", &ms->close_month) != 0 ||
            item_dist(ld, e, path, "duration_days", 1, "days", &ms->duration_days) != 0 ||
            item_string(ld, e, path, "exit_to", 0, &to) != 0 ||
            item_get_number(ld, e, path, "exit_probability", &ms->exit_probability) != 0 ||
            item_bool(ld, e, path, "queue_before_open", &ms->queue_before_open) != 0)
            return -1;
        const config_setting_t *sched = config_setting_get_member(e, "places_schedule");
        char skey[96];
        snprintf(skey, sizeof skey, "%s.places_schedule", path);
        if (sched && item_schedule(ld, sched, skey, &ms->places_at) != 0)
            return -1;
        for (int j = 0; j < ms->places_at.count; j++)
            if (ms->places_at.value[j] != (double)(int)ms->places_at.value[j])
                return loader_fail(ld, sched, skey, "places are whole numbers, got %g", ms->places_at.value[j]);
        if (!(ms->close_month > ms->open_month))
            return loader_fail(ld, e, path, "close_month (%g) must come after open_month (%g)", ms->close_month, ms->open_month);
        ms->exit_destination = -1;
        if (to) {
            char key[96];
            snprintf(key, sizeof key, "%s.exit_to", path);
            ms->exit_destination = item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, to);
            if (ms->exit_destination < 0)
                return loader_fail_unknown_name(ld, config_setting_get_member(e, "exit_to"), key, "destination", to,
                                                (const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations);
        }
    }
    p->measures = config_setting_length(s);
    return 0;
}

int section_read_phases(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "meeting_hours", "own_time_days", "progress_per_meeting",
                                          "exit_probability", "exits", "completion", "needs_decision", "measure", NULL};
    if (item_list_of_groups(ld, s, "phases", MODEL_MAX_PHASES) != 0)
        return -1;
    static const char *const core[] = {"casework", "exits.probability_per_meeting", "exits.shares"};
    for (size_t c = 0; c < 3; c++)
        if (config_lookup(&ld->cfg, core[c]))
            return loader_fail(ld, config_lookup(&ld->cfg, core[c]), core[c],
                               "with phases, meetings and exit shares are given per phase (name the destinations with "
                               "exits.destinations); remove this key");
    int n = config_setting_length(s);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_phase *ph = &p->phase[i];
        char path[64], key[96];
        snprintf(path, sizeof path, "phases[%d]", i);
        char names[MODEL_MAX_PHASES][MODEL_NAME_LEN];
        for (int j = 0; j < i; j++)
            memcpy(names[j], p->phase[j].name, MODEL_NAME_LEN);
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, ph->name) != 0)
            return -1;
        memcpy(names[i], ph->name, MODEL_NAME_LEN);
        const char *measure;
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_dist(ld, e, path, "meeting_hours", 1, "hours", &ph->meeting_hours) != 0 ||
            item_dist(ld, e, path, "own_time_days", 1, "days", &ph->own_time_days) != 0 ||
            item_get_number(ld, e, path, "progress_per_meeting", &ph->progress_per_meeting) != 0 ||
            item_get_number(ld, e, path, "exit_probability", &ph->exit_probability) != 0 ||
            item_bool(ld, e, path, "needs_decision", &ph->needs_decision) != 0 ||
            item_string(ld, e, path, "measure", 0, &measure) != 0)
            return -1;
        if (dist_mean(&ph->meeting_hours) <= 0) {
            snprintf(key, sizeof key, "%s.meeting_hours", path);
            return loader_fail(ld, config_setting_get_member(e, "meeting_hours"), key, "meetings must take time (mean > 0)");
        }
        const config_setting_t *ex = config_setting_get_member(e, "exits");
        snprintf(key, sizeof key, "%s.exits", path);
        if (ph->exit_probability > 0 && !ex)
            return loader_fail(ld, e, key, "missing; exit_probability > 0 needs the destinations' shares");
        if (ex && item_shares(ld, ex, key, "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                              p->destinations, ph->exit_shares) != 0)
            return -1;
        const config_setting_t *done = config_setting_get_member(e, "completion");
        snprintf(key, sizeof key, "%s.completion", path);
        if (done && i < n - 1)
            return loader_fail(ld, done, key, "only the last phase has completion shares; earlier phases lead to the next");
        if (!done && i == n - 1 && ph->progress_per_meeting > 0)
            return loader_fail(ld, e, key, "missing; the last phase can be completed, so say where completing it leads");
        if (done && item_shares(ld, done, key, "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                                p->destinations, ph->completion_shares) != 0)
            return -1;
        /* Whether the phase can be left, and a decider for needs_decision,
         * are checked with the whole scenario (model_params_explain). */
        ph->measure = -1;
        if (measure) {
            char mn[MODEL_MAX_MEASURES][MODEL_NAME_LEN];
            for (int j = 0; j < p->measures; j++)
                memcpy(mn[j], p->measure[j].name, MODEL_NAME_LEN);
            snprintf(key, sizeof key, "%s.measure", path);
            ph->measure = item_find_name((const char(*)[MODEL_NAME_LEN])mn, p->measures, measure);
            if (ph->measure < 0)
                return loader_fail_unknown_name(ld, config_setting_get_member(e, "measure"), key, "measure", measure,
                                                (const char(*)[MODEL_NAME_LEN])mn, p->measures);
        }
    }
    p->phases = n;
    return 0;
}

int section_read_destinations(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    if (config_lookup(&ld->cfg, "exits.shares"))
        return loader_fail(ld, s, "exits.destinations", "give either exits.destinations or exits.shares, not both");
    if (!config_lookup(&ld->cfg, "phases"))
        return loader_fail(ld, s, "exits.destinations",
                           "without phases, exits need their shares: use exits.shares = { name = share; ... }");
    int t = config_setting_type(s);
    int n = config_setting_length(s);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || n < 1 || n > MODEL_MAX_DESTINATIONS)
        return loader_fail(ld, s, "exits.destinations", "expected a list of 1 to %d names", MODEL_MAX_DESTINATIONS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING || !*config_setting_get_string(e) ||
            strlen(config_setting_get_string(e)) >= MODEL_NAME_LEN)
            return loader_fail(ld, e, "exits.destinations", "expected names (strings of 1 to %d characters)", MODEL_NAME_LEN - 1);
        snprintf(p->destination_names[i], MODEL_NAME_LEN, "%s", config_setting_get_string(e));
        if (item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, i, p->destination_names[i]) >= 0)
            return loader_fail(ld, e, "exits.destinations", "the name '%s' is used twice", p->destination_names[i]);
    }
    p->destinations = n;
    return 0;
}

int section_read_good(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    return item_name_mask(ld, s, "exits.good", "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                          p->destinations, &p->good_destinations);
}

/* exits.followup.months (model_followup.c): the months the scenario follows
 * its leavers up at, increasing. Only months other than [12, 24] switch the
 * curve on (p->followup_points > 0); the default keeps the 12/24 draw. */
static int followup_read_months(loader *ld, const config_setting_t *s, model_params *p, int *months, int *n)
{
    const config_setting_t *ms = config_setting_get_member(s, "months");
    months[0] = 12;
    months[1] = 24;
    *n = 2;
    if (!ms)
        return 0;
    int t = config_setting_type(ms), len = config_setting_length(ms);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || len < 1 || len > MODEL_MAX_FOLLOWUP)
        return loader_fail(ld, ms, "exits.followup.months", "expected a list of 1 to %d whole months, increasing",
                           MODEL_MAX_FOLLOWUP);
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(ms, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_INT || config_setting_get_int(e) < 1 ||
            config_setting_get_int(e) > 1200 || (i > 0 && config_setting_get_int(e) <= months[i - 1]))
            return loader_fail(ld, e, "exits.followup.months",
                               "expected whole months from 1 to 1200, increasing");
        months[i] = config_setting_get_int(e);
    }
    *n = len;
    if (len != 2 || months[0] != 12 || months[1] != 24) {
        p->followup_points = len;
        for (int i = 0; i < len; i++)
            p->followup_month[i] = months[i];
    }
    const config_setting_t *al = config_setting_get_member(s, "after_last");
    if (al) {
        int rule = config_setting_type(al) == CONFIG_TYPE_STRING
                       ? schema_choice_index("hold|trend", config_setting_get_string(al)) : -1;
        if (rule < 0)
            return loader_fail(ld, al, "exits.followup.after_last", "expected \"hold\" or \"trend\"");
        p->followup_after_last = rule;
    } else if (p->followup_points > 0 && months[len - 1] < 24) {
        /* The model needs the 24-month state (the ledger's years after the
         * first); say how to reach it rather than hold the line silently. */
        return loader_fail(ld, s, "exits.followup.after_last",
                           "missing; the last month is %d, so say what happens after it: \"hold\" keeps its share, "
                           "\"trend\" continues the last interval's monthly rate", months[len - 1]);
    }
    return 0;
}

int section_read_followup(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, "exits.followup", "expected a group { work = { at_12; at_24; }; ... }");
    for (int d = 0; d < MODEL_MAX_DESTINATIONS; d++) {
        p->retained_12[d] = p->retained_24[d] = NAN;
        for (int k = 0; k < MODEL_MAX_FOLLOWUP; k++)
            p->retained_at[k][d] = NAN;
    }
    int months[MODEL_MAX_FOLLOWUP], n_months;
    if (followup_read_months(ld, s, p, months, &n_months) != 0)
        return -1;
    char at_names[MODEL_MAX_FOLLOWUP][16];
    const char *allowed[MODEL_MAX_FOLLOWUP + 1];
    for (int k = 0; k < n_months; k++) {
        snprintf(at_names[k], sizeof at_names[k], "at_%d", months[k]);
        allowed[k] = at_names[k];
    }
    allowed[n_months] = NULL;
    int followed = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(e);
        char key[128];
        snprintf(key, sizeof key, "exits.followup.%s", name);
        if (strcmp(name, "months") == 0 || strcmp(name, "after_last") == 0)
            continue;
        if (strcmp(name, "relapse_probability") == 0) {
            config_key k = {.path = key, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "probability"};
            if (loader_read_number(ld, &k, e, &p->relapse_probability) != 0)
                return -1;
            continue;
        }
        if (strcmp(name, "relapse_source") == 0) {
            if (config_setting_type(e) != CONFIG_TYPE_STRING)
                return loader_fail(ld, e, key, "expected a source name");
            char sn[MODEL_MAX_SOURCES][MODEL_NAME_LEN];
            for (int j = 0; j < p->sources; j++)
                memcpy(sn[j], p->source[j].name, MODEL_NAME_LEN);
            p->relapse_source = item_find_name((const char(*)[MODEL_NAME_LEN])sn, p->sources, config_setting_get_string(e));
            if (p->relapse_source < 0)
                return loader_fail_unknown_name(ld, e, key, "source", config_setting_get_string(e),
                                                (const char(*)[MODEL_NAME_LEN])sn, p->sources);
            continue;
        }
        int d = item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, name);
        if (d < 0)
            return loader_fail_unknown_name(ld, e, key, "destination", name, (const char(*)[MODEL_NAME_LEN])p->destination_names,
                                            p->destinations);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP)
            return n_months == 2 && months[0] == 12 && months[1] == 24
                       ? loader_fail(ld, e, key, "expected { at_12 = share; at_24 = share; }")
                       : loader_fail(ld, e, key, "expected { %s = share; ... } for each month of exits.followup.months",
                                     at_names[0]);
        if (item_members(ld, e, key, allowed) != 0)
            return -1;
        for (int k = 0; k < n_months; k++) {
            double v;
            if (item_number(ld, e, key, at_names[k], 0, 1, 0, 1, 0, &v) != 0)
                return -1;
            if (p->followup_points > 0)
                p->retained_at[k][d] = v;
            else if (k == 0)
                p->retained_12[d] = v;
            else
                p->retained_24[d] = v;
        }
        if (p->followup_points > 0) {
            p->retained_12[d] = followup_share(p, d, 12);
            p->retained_24[d] = followup_share(p, d, 24);
        }
        followed = 1;
    }
    if (!followed)
        return loader_fail(ld, s, "exits.followup", "name at least one destination to follow up");
    if (p->relapse_probability > 0 && !config_setting_get_member(s, "relapse_source")) {
        if (p->sources > 0)
            return loader_fail(ld, s, "exits.followup.relapse_source", "missing; relapses come back through a source");
    }
    p->has_followup = 1;
    return 0;
}

/* A share target's denominator (model_targets.c): exits unless named;
 * completers name the destinations that complete, and they must include
 * the counted ones, so the share stays a share. */
static int section_read_target_denominator(loader *ld, const config_setting_t *e, const char *path, const model_params *p,
                                           model_target *t)
{
    char key[96];
    const char *word = NULL;
    const config_setting_t *done = config_setting_get_member(e, "completers");
    if (item_string(ld, e, path, "denominator", 0, &word) != 0)
        return -1;
    t->denominator = TARGET_OF_EXITS;
    t->completers = 0;
    snprintf(key, sizeof key, "%s.denominator", path);
    if (word) {
        if (t->kind != TARGET_SHARE)
            return loader_fail(ld, config_setting_get_member(e, "denominator"), key,
                               "only a share target has a denominator");
        t->denominator = schema_choice_index("exits|completers|enrolled|in_programme", word);
        if (t->denominator < 0)
            return loader_fail(ld, config_setting_get_member(e, "denominator"), key,
                               "expected exits, completers, enrolled or in_programme, got '%s'", word);
    }
    snprintf(key, sizeof key, "%s.completers", path);
    if (t->denominator != TARGET_OF_COMPLETERS) {
        if (done)
            return loader_fail(ld, done, key, "only a target with denominator = \"completers\" names completers");
        return 0;
    }
    if (!done)
        return loader_fail(ld, e, key, "missing; denominator = \"completers\" names the destinations that complete");
    if (item_name_mask(ld, done, key, "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                       p->destinations, &t->completers) != 0)
        return -1;
    if (t->destinations & ~t->completers)
        return loader_fail(ld, done, key, "must include every destination the target counts");
    return 0;
}

int section_read_targets(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "kind", "destinations", "value", "deadline_month", "denominator",
                                          "completers", NULL};
    if (item_list_of_groups(ld, s, "targets", MODEL_MAX_TARGETS) != 0)
        return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_target *t = &p->target[i];
        char path[64], key[96];
        snprintf(path, sizeof path, "targets[%d]", i);
        char names[MODEL_MAX_TARGETS][MODEL_NAME_LEN];
        for (int j = 0; j < i; j++)
            memcpy(names[j], p->target[j].name, MODEL_NAME_LEN);
        const char *kind;
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, t->name) != 0)
            return -1;
        memcpy(names[i], t->name, MODEL_NAME_LEN);
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_string(ld, e, path, "kind", 1, &kind) != 0)
            return -1;
        snprintf(key, sizeof key, "%s.kind", path);
        t->kind = schema_choice_index("enrolled|exits|share", kind);
        if (t->kind < 0)
            return loader_fail(ld, config_setting_get_member(e, "kind"), key, "expected enrolled, exits or share, got '%s'", kind);
        if (item_number(ld, e, path, "value", 0, t->kind == TARGET_SHARE ? 1 : 1e9, 0, 1, 0, &t->value) != 0 ||
            item_number(ld, e, path, "deadline_month", 0, p->horizon_months, 1, 1, 0, &t->deadline_month) != 0)
            return -1;
        const config_setting_t *dests = config_setting_get_member(e, "destinations");
        snprintf(key, sizeof key, "%s.destinations", path);
        if (t->kind != TARGET_ENROLLED && !dests)
            return loader_fail(ld, e, key, "missing; an exits or share target names the destinations it counts");
        if (dests && item_name_mask(ld, dests, key, "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                                    p->destinations, &t->destinations) != 0)
            return -1;
        if (section_read_target_denominator(ld, e, path, p, t) != 0)
            return -1;
    }
    p->targets = config_setting_length(s);
    return 0;
}

int section_read_pressure(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"target", "cap_increase", "mapping_speedup", "quality_cost", NULL};
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, "method.pressure", "expected { target; cap_increase; mapping_speedup; quality_cost; }");
    const char *target;
    if (item_members(ld, s, "method.pressure", allowed) != 0 ||
        item_string(ld, s, "method.pressure", "target", 1, &target) != 0 ||
        item_get_number(ld, s, "method.pressure", "cap_increase", &p->pressure_cap_increase) != 0 ||
        item_get_number(ld, s, "method.pressure", "mapping_speedup", &p->pressure_mapping_speedup) != 0 ||
        item_get_number(ld, s, "method.pressure", "quality_cost", &p->pressure_quality_cost) != 0)
        return -1;
    char tn[MODEL_MAX_TARGETS][MODEL_NAME_LEN];
    for (int j = 0; j < p->targets; j++)
        memcpy(tn[j], p->target[j].name, MODEL_NAME_LEN);
    p->pressure_target = item_find_name((const char(*)[MODEL_NAME_LEN])tn, p->targets, target);
    if (p->pressure_target < 0)
        return loader_fail_unknown_name(ld, config_setting_get_member(s, "target"), "method.pressure.target", "target", target,
                                        (const char(*)[MODEL_NAME_LEN])tn, p->targets);
    if (p->target[p->pressure_target].kind == TARGET_SHARE)
        return loader_fail(ld, config_setting_get_member(s, "target"), "method.pressure.target",
                           "volume pressure follows an enrolled or exits target, not a share");
    p->has_pressure = 1;
    return 0;
}

