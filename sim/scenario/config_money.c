/*
 * config_money.c — the scenario's `money` section: programme costs by role,
 * measure, fixed and per participant, who pays them, and what a person's
 * situation costs each actor before, while waiting, in the programme and
 * after exit (money_params.h says what the ledger does with it).
 *
 * Actors are named as in money_component_names; the Swedish names people
 * will write (landsting, staten, ...) get a pointed "did you mean".
 */
#include "scenario/config_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *money_synonym(const char *name)
{
    static const char *const pairs[][2] = {
        {"landsting", "region"},      {"landstinget", "region"}, {"regionen", "region"},
        {"kommunen", "kommun"},       {"kommuner", "kommun"},    {"municipality", "kommun"},
        {"staten", "state"},          {"stat", "state"},         {"skatt", "state"},
        {"forsakringskassan", "fk"},  {"försäkringskassan", "fk"}, {"arbetsformedlingen", "af"},
        {"arbetsförmedlingen", "af"}, {"individ", "income"},     {"individual", "income"},
        {"individen", "income"},      {"disposable_income", "income"}, {"participant", "income"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(pairs[i][0], name) == 0)
            return pairs[i][1];
    return NULL;
}

/* The component a member names; payers (with_income = 0) exclude income. */
static int money_component(loader *ld, const config_setting_t *m, const char *key, const char *name, int with_income,
                           int with_relative)
{
    for (int c = 0; c < MONEY_COMPONENTS; c++)
        if (strcmp(money_component_names[c], name) == 0) {
            if (c == MONEY_INCOME && !with_income)
                return loader_fail(ld, m, key, "the participant pays no programme cost; payers are kommun, region, fk, af "
                                        "and state");
            return c;
        }
    const char *cands[MONEY_COMPONENTS + 1];
    size_t n = 0;
    for (int c = 0; c < MONEY_COMPONENTS; c++)
        if (c != MONEY_INCOME || with_income)
            cands[n++] = money_component_names[c];
    if (with_relative)
        cands[n++] = "relative";
    const char *hint = money_synonym(name);
    if (hint && strcmp(hint, "income") == 0 && !with_income)
        hint = NULL;
    if (!hint)
        hint = config_closest(name, cands, n);
    const char *list = with_income ? "kommun, region, fk, af, state and income (the person's disposable income)"
                                   : "kommun, region, fk, af and state";
    if (hint)
        return loader_fail(ld, m, key, "no actor named '%s' (did you mean '%s'?); actors are %s", name, hint, list);
    return loader_fail(ld, m, key, "no actor named '%s'; actors are %s", name, list);
}

/* Who pays: an actor's name, or { actor = share; ... } summing to 1. */
static int money_split_read(loader *ld, const config_setting_t *item, const char *path, const char *name,
                            money_split *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    memset(out, 0, sizeof *out);
    if (!s)
        return loader_fail(ld, item, key, "missing; expected an actor (\"kommun\", \"region\", \"fk\", \"af\", \"state\") "
                                   "or shares { kommun = 0.5; region = 0.5; }");
    if (config_setting_type(s) == CONFIG_TYPE_STRING) {
        int c = money_component(ld, s, key, config_setting_get_string(s), 0, 0);
        if (c < 0)
            return -1;
        out->share[c] = 1;
        return 0;
    }
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, key, "expected an actor's name or a group of actor = share, got %s", config_type_name(s));
    double sum = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        char sub[300];
        snprintf(sub, sizeof sub, "%s.%s", key, config_setting_name(m));
        int c = money_component(ld, m, sub, config_setting_name(m), 0, 0);
        if (c < 0)
            return -1;
        config_key k = {.path = sub, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "share"};
        if (loader_read_number(ld, &k, m, &out->share[c]) != 0)
            return -1;
        sum += out->share[c];
    }
    if (fabs(sum - 1.0) > 1e-9)
        return loader_fail(ld, s, key, "shares must sum to 1, they sum to %.12g", sum);
    return 0;
}

/* A state's monthly figures. Absolute figures may be negative only for
 * kommun, region and state, which take in tax; FK and AF only pay out, and
 * income cannot be negative. A relative state holds changes to the profile's
 * before-state (any sign, but the result obeys the same rule). */
static int money_state_read(loader *ld, const config_setting_t *s, const char *key, const config_scenario *sc,
                            int before_state, money_state *out)
{
    const model_params *p = &sc->model;
    const money_params *mp = &sc->money;
    memset(out, 0, sizeof *out);
    if (config_setting_type(s) == CONFIG_TYPE_STRING && !before_state) {
        if (strcmp(config_setting_get_string(s), "baseline") != 0)
            return loader_fail(ld, s, key, "expected \"baseline\" (the before-state) or a group { kommun = kr/month; ... }, "
                                    "got '%s'", config_setting_get_string(s));
        out->relative = 1;
        return 0;
    }
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, key, "expected a group { kommun = kr/month; region; fk; af; state; income; }%s, got %s",
                           before_state ? "" : " or \"baseline\"", config_type_name(s));
    const config_setting_t *rel = config_setting_get_member(s, "relative");
    if (rel) {
        char rkey[300];
        snprintf(rkey, sizeof rkey, "%s.relative", key);
        if (before_state)
            return loader_fail(ld, rel, rkey, "the before-state is what other states are relative to; give its own figures");
        if (config_setting_type(rel) != CONFIG_TYPE_BOOL)
            return loader_fail(ld, rel, rkey, "expected true or false, got %s", config_type_name(rel));
        out->relative = config_setting_get_bool(rel);
    }
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(m);
        if (strcmp(name, "relative") == 0 && !before_state)
            continue;
        char sub[300];
        snprintf(sub, sizeof sub, "%s.%s", key, name);
        int c = money_component(ld, m, sub, name, 1, !before_state);
        if (c < 0)
            return -1;
        config_key k = {.path = sub, .type = KEY_FLOAT, .min = -1e7, .max = 1e7, .unit = "kr/month"};
        if (loader_read_number(ld, &k, m, &out->v[c]) != 0)
            return -1;
        if (!out->relative && out->v[c] < 0) {
            if (c == MONEY_FK || c == MONEY_AF)
                return loader_fail(ld, m, sub, "expected a cost >= 0 kr/month, got %.17g: %s only pays out for a person "
                                        "(benefits, measures, handling) and takes in nothing, so its cost cannot be "
                                        "negative (a change is negative: use relative = true)",
                                   out->v[c], c == MONEY_FK ? "FK" : "AF");
            if (c == MONEY_INCOME)
                return loader_fail(ld, m, sub, "expected a disposable income >= 0 kr/month, got %.17g (a change may be "
                                        "negative: use relative = true)", out->v[c]);
        }
    }
    if (out->relative) {
        int profiles = p->profiles > 0 ? p->profiles : 1;
        for (int k = 0; k < profiles; k++) {
            double v[MONEY_COMPONENTS];
            money_state_resolve(mp, out, k, v);
            for (int c = MONEY_FK; c < MONEY_COMPONENTS; c++) {
                if (c == MONEY_STATE || v[c] >= 0)
                    continue;
                char sub[300];
                snprintf(sub, sizeof sub, "%s.%s", key, money_component_names[c]);
                const config_setting_t *m = config_setting_get_member(s, money_component_names[c]);
                return loader_fail(ld, m ? m : s, sub, "this change takes %s below 0 for profile '%s' (before-state %.17g, "
                                                "change %.17g): %s",
                                   c == MONEY_INCOME ? "disposable income" : c == MONEY_FK ? "FK's cost" : "AF's cost",
                                   p->profiles > 0 ? p->profile[k].name : "(all)", mp->baseline[k].v[c], out->v[c],
                                   c == MONEY_INCOME ? "income cannot be negative" : "FK and AF only pay out");
            }
        }
    }
    return 0;
}

/* Programme cost lists: staff by role, measures, fixed and per participant. */
static int money_staff_read(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    money_params *mp = &sc->money;
    static const char *const allowed[] = {"role", "cost_per_fte_year", "employer", NULL};
    static const char worker[1][MODEL_NAME_LEN] = {"worker"};
    char role_names[MODEL_MAX_ROLES][MODEL_NAME_LEN];
    int roles = p->roles > 0 ? p->roles : 1;
    for (int r = 0; r < roles; r++)
        memcpy(role_names[r], p->roles > 0 ? p->role[r].name : worker[0], MODEL_NAME_LEN);
    int given[MODEL_MAX_ROLES] = {0};
    if (item_list_of_groups(ld, s, "money.staff", MODEL_MAX_ROLES) != 0)
        return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char path[64], key[96];
        snprintf(path, sizeof path, "money.staff[%d]", i);
        snprintf(key, sizeof key, "%s.role", path);
        const char *role;
        if (item_members(ld, e, path, allowed) != 0 || item_string(ld, e, path, "role", 1, &role) != 0)
            return -1;
        int r = item_find_name((const char(*)[MODEL_NAME_LEN])role_names, roles, role);
        if (r < 0)
            return loader_fail_unknown_name(ld, config_setting_get_member(e, "role"), key,
                                            p->roles > 0 ? "role in staff.roles" : "role (without staff.roles the one role "
                                                                            "is \"worker\")",
                                            role, (const char(*)[MODEL_NAME_LEN])role_names, roles);
        if (given[r])
            return loader_fail(ld, e, key, "role '%s' is costed twice", role);
        given[r] = 1;
        if (item_get_number(ld, e, path, "cost_per_fte_year", &mp->staff_cost_per_fte_year[r]) != 0 ||
            money_split_read(ld, e, path, "employer", &mp->staff_employer[r]) != 0)
            return -1;
    }
    for (int r = 0; r < roles; r++) {
        int posts = p->roles > 0 ? 0 : p->workers;
        for (int t = 0; t < p->teams; t++)
            for (int g = 0; g < p->team[t].groups; g++)
                posts += p->team[t].group[g].role == r ? p->team[t].group[g].count : 0;
        if (!given[r] && posts > 0)
            return loader_fail(ld, s, "money.staff", "role '%s' has %d post%s but no cost: add { role = \"%s\"; "
                                              "cost_per_fte_year = kr; employer = actor; }",
                               role_names[r], posts, posts == 1 ? "" : "s", role_names[r]);
    }
    mp->staff_roles = roles;
    return 0;
}

static int money_measures_read(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    money_params *mp = &sc->money;
    static const char *const allowed[] = {"name", "cost_per_participant_month", "paid_by", NULL};
    if (p->measures == 0)
        return loader_fail(ld, s, "money.measures", "the scenario has no measures to cost");
    char names[MODEL_MAX_MEASURES][MODEL_NAME_LEN];
    for (int k = 0; k < p->measures; k++)
        memcpy(names[k], p->measure[k].name, MODEL_NAME_LEN);
    int given[MODEL_MAX_MEASURES] = {0};
    if (item_list_of_groups(ld, s, "money.measures", MODEL_MAX_MEASURES) != 0)
        return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char path[64], key[96];
        snprintf(path, sizeof path, "money.measures[%d]", i);
        snprintf(key, sizeof key, "%s.name", path);
        const char *name;
        if (item_members(ld, e, path, allowed) != 0 || item_string(ld, e, path, "name", 1, &name) != 0)
            return -1;
        int k = item_find_name((const char(*)[MODEL_NAME_LEN])names, p->measures, name);
        if (k < 0)
            return loader_fail_unknown_name(ld, config_setting_get_member(e, "name"), key, "measure", name,
                                            (const char(*)[MODEL_NAME_LEN])names, p->measures);
        if (given[k])
            return loader_fail(ld, e, key, "measure '%s' is costed twice", name);
        given[k] = 1;
        if (item_get_number(ld, e, path, "cost_per_participant_month", &mp->measure_cost_per_month[k]) !=
                0 ||
            money_split_read(ld, e, path, "paid_by", &mp->measure_paid_by[k]) != 0)
            return -1;
    }
    for (int k = 0; k < p->measures; k++)
        if (!given[k])
            return loader_fail(ld, s, "money.measures", "measure '%s' has no cost: add { name = \"%s\"; "
                                                 "cost_per_participant_month = kr; paid_by = actor; }",
                               names[k], names[k]);
    return 0;
}

/* fixed (cost per month) and per_participant (cost per participant started). */
static int money_items_read(loader *ld, const config_setting_t *s, const char *what, const char *cost_key,
                            money_item *items, int *count)
{
    const char *const allowed[] = {"name", cost_key, "paid_by", NULL};
    if (item_list_of_groups(ld, s, what, MONEY_MAX_ITEMS) != 0)
        return -1;
    char names[MONEY_MAX_ITEMS][MODEL_NAME_LEN];
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char path[64];
        snprintf(path, sizeof path, "%s[%d]", what, i);
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, items[i].name) != 0)
            return -1;
        memcpy(names[i], items[i].name, MODEL_NAME_LEN);
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_get_number(ld, e, path, cost_key, &items[i].cost) != 0 ||
            money_split_read(ld, e, path, "paid_by", &items[i].paid_by) != 0)
            return -1;
    }
    *count = config_setting_length(s);
    return 0;
}

static int money_baseline_read(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    money_params *mp = &sc->money;
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, "money.baseline", "expected a group, got %s", config_type_name(s));
    if (p->profiles == 0) {
        for (int i = 0; i < config_setting_length(s); i++) {
            const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
            if (config_setting_type(m) == CONFIG_TYPE_GROUP) {
                char key[160];
                snprintf(key, sizeof key, "money.baseline.%s", config_setting_name(m));
                return loader_fail(ld, m, key, "the scenario has no profiles, so the before-state is one group "
                                        "{ kommun = kr/month; region; fk; af; state; income; }");
            }
        }
        return money_state_read(ld, s, "money.baseline", sc, 1, &mp->baseline[0]);
    }
    char names[MODEL_MAX_PROFILES][MODEL_NAME_LEN];
    for (int k = 0; k < p->profiles; k++)
        memcpy(names[k], p->profile[k].name, MODEL_NAME_LEN);
    int given[MODEL_MAX_PROFILES] = {0};
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        char key[160];
        snprintf(key, sizeof key, "money.baseline.%s", config_setting_name(m));
        int k = item_find_name((const char(*)[MODEL_NAME_LEN])names, p->profiles, config_setting_name(m));
        if (k < 0)
            return loader_fail_unknown_name(ld, m, key, "profile", config_setting_name(m),
                                            (const char(*)[MODEL_NAME_LEN])names, p->profiles);
        if (money_state_read(ld, m, key, sc, 1, &mp->baseline[k]) != 0)
            return -1;
        given[k] = 1;
    }
    for (int k = 0; k < p->profiles; k++)
        if (!given[k])
            return loader_fail(ld, s, "money.baseline", "profile '%s' has no before-state: add %s = { kommun = kr/month; "
                                                 "...; income = kr/month; }",
                               names[k], names[k]);
    return 0;
}

/* One destination's entry: a state for either status, or { in; out; }. */
static int money_after_entry(loader *ld, const config_setting_t *e, const char *key, config_scenario *sc, int d)
{
    money_params *mp = &sc->money;
    int split = config_setting_type(e) == CONFIG_TYPE_GROUP &&
                (config_setting_get_member(e, "in") || config_setting_get_member(e, "out"));
    if (!split) {
        if (money_state_read(ld, e, key, sc, 0, &mp->after_out[d]) != 0)
            return -1;
        mp->after_in[d] = mp->after_out[d];
        mp->after_in_given[d] = 1;
        return 0;
    }
    static const char *const allowed[] = {"in", "out", NULL};
    if (item_members(ld, e, key, allowed) != 0)
        return -1;
    char sub[200];
    const config_setting_t *in = config_setting_get_member(e, "in"), *out = config_setting_get_member(e, "out");
    snprintf(sub, sizeof sub, "%s.in", key);
    if (in && money_state_read(ld, in, sub, sc, 0, &mp->after_in[d]) != 0)
        return -1;
    mp->after_in_given[d] |= in != NULL;
    snprintf(sub, sizeof sub, "%s.out", key);
    if (out && money_state_read(ld, out, sub, sc, 0, &mp->after_out[d]) != 0)
        return -1;
    return 0;
}

static int money_after_read(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, "money.after", "expected a group { destination = state or { in = state; out = state; }; "
                                          "default = ...; }, got %s", config_type_name(s));
    if (item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, "default") >= 0)
        return loader_fail(ld, s, "money.after", "a destination is named 'default', which here means every destination not "
                                          "listed; rename the destination");
    const config_setting_t *def = config_setting_get_member(s, "default");
    if (def)
        for (int d = 0; d < p->destinations; d++)
            if (money_after_entry(ld, def, "money.after.default", sc, d) != 0)
                return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(e);
        if (strcmp(name, "default") == 0)
            continue;
        char key[160];
        snprintf(key, sizeof key, "money.after.%s", name);
        int d = item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, name);
        if (d < 0)
            return loader_fail_unknown_name(ld, e, key, "destination", name,
                                            (const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations);
        if (money_after_entry(ld, e, key, sc, d) != 0)
            return -1;
    }
    return 0;
}

int section_read_money(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    money_params *mp = &sc->money;
    static const char *const allowed[] = {"discount_rate", "horizons_years", "horizon_from", "staff", "measures",
                                          "fixed", "per_participant", "baseline", "waiting", "in_programme", "after",
                                          NULL};
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, "money", "expected a group { staff = ...; baseline = ...; ... }, got %s", config_type_name(s));
    money_params_init(mp);
    if (item_members(ld, s, "money", allowed) != 0 ||
        item_get_number(ld, s, "money", "discount_rate", &mp->discount_rate) != 0)
        return -1;
    const config_setting_t *hz = config_setting_get_member(s, "horizons_years");
    if (hz) {
        int t = config_setting_type(hz), n = config_setting_length(hz);
        if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || n < 1 || n > MONEY_MAX_HORIZONS)
            return loader_fail(ld, hz, "money.horizons_years", "expected a list of 1 to %d horizons in years [1, 5]",
                               MONEY_MAX_HORIZONS);
        for (int i = 0; i < n; i++) {
            double y;
            config_key k = {.path = "money.horizons_years", .type = KEY_FLOAT, .min = 0, .max = 50, .min_open = 1,
                            .unit = "years"};
            if (loader_read_number(ld, &k, config_setting_get_elem(hz, (unsigned)i), &y) != 0)
                return -1;
            double months = 12 * y;
            if (fabs(months - round(months)) > 1e-6)
                return loader_fail(ld, hz, "money.horizons_years", "expected whole months: %.17g years is %.6g months", y,
                                   months);
            mp->horizon_months[i] = (int)round(months);
            if (i > 0 && mp->horizon_months[i] <= mp->horizon_months[i - 1])
                return loader_fail(ld, hz, "money.horizons_years", "horizons must increase: %.17g years after %.17g", y,
                                   mp->horizon_months[i - 1] / 12.0);
        }
        mp->horizons = n;
    }
    const char *from;
    if (item_string(ld, s, "money", "horizon_from", 0, &from) != 0)
        return -1;
    if (from) {
        mp->horizon_from = schema_choice_index("referral|start|exit", from);
        if (mp->horizon_from < 0)
            return loader_fail(ld, config_setting_get_member(s, "horizon_from"), "money.horizon_from",
                               "expected one of referral/start/exit (a string), got '%s'", from);
    }
    const config_setting_t *m;
    if (!(m = config_setting_get_member(s, "staff")))
        return loader_fail(ld, s, "money.staff", "missing; expected ( { role = name; cost_per_fte_year = kr; employer = "
                                          "actor; }, ... ) for every role with posts (\"worker\" without staff.roles)");
    if (money_staff_read(ld, m, sc) != 0)
        return -1;
    if ((m = config_setting_get_member(s, "measures"))) {
        if (money_measures_read(ld, m, sc) != 0)
            return -1;
    } else if (p->measures > 0) {
        return loader_fail(ld, s, "money.measures", "missing; the scenario has measures, so give each one's "
                                             "cost_per_participant_month and paid_by");
    }
    if ((m = config_setting_get_member(s, "fixed")) &&
        money_items_read(ld, m, "money.fixed", "cost_per_month", mp->fixed, &mp->fixed_items) != 0)
        return -1;
    if ((m = config_setting_get_member(s, "per_participant")) &&
        money_items_read(ld, m, "money.per_participant", "cost", mp->per_participant,
                         &mp->per_participant_items) != 0)
        return -1;
    /* Without a before-state there is nothing to gain against: the section
     * then gives programme costs only (per participant, per good exit, per
     * year), and the states that change costs against it cannot be given. */
    if (!(m = config_setting_get_member(s, "baseline"))) {
        static const char *const needs_baseline[] = {"waiting", "in_programme", "after"};
        for (size_t i = 0; i < sizeof needs_baseline / sizeof needs_baseline[0]; i++) {
            const config_setting_t *st = config_setting_get_member(s, needs_baseline[i]);
            if (st)
                return loader_fail(ld, st, "money.baseline",
                                   "missing; money.%s gives costs against a person's before-state, so give "
                                   "money.baseline (the monthly cost of exclusion by actor%s), or leave out %s, "
                                   "waiting, in_programme and after for programme costs only",
                                   needs_baseline[i], p->profiles > 0 ? ", for each profile" : "", needs_baseline[i]);
        }
        mp->costs_only = 1;
        mp->enabled = 1;
        return 0;
    }
    if (money_baseline_read(ld, m, sc) != 0)
        return -1;
    if ((m = config_setting_get_member(s, "waiting")) &&
        money_state_read(ld, m, "money.waiting", sc, 0, &mp->waiting) != 0)
        return -1;
    if ((m = config_setting_get_member(s, "in_programme")) &&
        money_state_read(ld, m, "money.in_programme", sc, 0, &mp->in_programme) != 0)
        return -1;
    const config_setting_t *after = config_setting_get_member(s, "after");
    if (after && money_after_read(ld, after, sc) != 0)
        return -1;
    /* Who can be in work or studies after exit needs that state's figures. */
    for (int d = 0; d < p->destinations; d++) {
        int good = (int)((p->good_destinations >> d) & 1);
        int followed = p->has_followup && !isnan(p->retained_12[d]);
        int can_be_in = followed ? (p->retained_12[d] > 0 || p->retained_24[d] > 0) : good;
        if (can_be_in && !mp->after_in_given[d]) {
            char key[128];
            snprintf(key, sizeof key, "money.after.%s.in", p->destination_names[d]);
            return loader_fail(ld, after ? after : s, key, "missing; people exiting to '%s' are counted in work or studies "
                                                    "(%s), so say what a person in that state costs (or give "
                                                    "money.after.default.in)",
                               p->destination_names[d], followed ? "exits.followup" : "exits.good");
        }
    }
    mp->enabled = 1;
    return 0;
}

