/*
 * config_staffplan.c — the scenario's staffing over time: staff.plan
 * (posts opened or closed at months), staff.changes (caseload caps and
 * meeting hours from months) and staff.rules (posts opened or closed by
 * the waiting list). Posts that end (staff.teams.[].members.[].end_month)
 * and measure place schedules (measures.[].places_schedule) belong to
 * their own sections' readers in config_sections.c.
 *
 * Each reader fills its part of model_params (model_staffplan.c runs it)
 * and checks names against staff.roles and staff.teams, read before it.
 * Without staff.roles there is one kind of post, the core's workers: a
 * role or team named then is an error rather than silently ignored.
 */
#include "scenario/config_internal.h"

#include <stdio.h>
#include <string.h>

/* The role (or team) a list item names: -1 when absent and allowed to be.
 * Without staff.roles neither may be named. */
static int read_ref(loader *ld, const config_setting_t *e, const char *path, const char *member, int required,
                    const char (*names)[MODEL_NAME_LEN], int n, const char *what, int roles, int *out)
{
    const char *name;
    char key[160];
    snprintf(key, sizeof key, "%s.%s", path, member);
    *out = -1;
    if (item_string(ld, e, path, member, roles && required, &name) != 0)
        return -1;
    if (!name)
        return 0;
    if (!roles)
        return loader_fail(ld, config_setting_get_member(e, member), key,
                           "a %s is named only with staff.roles; without them every post is a case worker", what);
    *out = item_find_name(names, n, name);
    if (*out < 0)
        return loader_fail_unknown_name(ld, config_setting_get_member(e, member), key, what, name, names, n);
    return 0;
}

static int read_role(loader *ld, const config_setting_t *e, const char *path, int required, const model_params *p,
                     int *out)
{
    char names[MODEL_MAX_ROLES][MODEL_NAME_LEN];
    for (int j = 0; j < p->roles; j++)
        memcpy(names[j], p->role[j].name, MODEL_NAME_LEN);
    return read_ref(ld, e, path, "role", required, (const char(*)[MODEL_NAME_LEN])names, p->roles, "role",
                    p->roles > 0, out);
}

static int read_team(loader *ld, const config_setting_t *e, const char *path, int required, const model_params *p,
                     int *out)
{
    char names[MODEL_MAX_TEAMS][MODEL_NAME_LEN];
    for (int j = 0; j < p->teams; j++)
        memcpy(names[j], p->team[j].name, MODEL_NAME_LEN);
    return read_ref(ld, e, path, "team", required, (const char(*)[MODEL_NAME_LEN])names, p->teams, "team",
                    p->roles > 0, out);
}

/* A post that opens must carry a caseload or take part in decisions:
 * nothing else, but a role with cap 0 is allowed (a decision maker). */
static int read_fte(loader *ld, const config_setting_t *e, const char *path, const model_params *p, double *out)
{
    if (item_get_number(ld, e, path, "fte", out) != 0)
        return -1;
    if (p->roles == 0 && config_setting_get_member(e, "fte")) {
        char key[160];
        snprintf(key, sizeof key, "%s.fte", path);
        return loader_fail(ld, config_setting_get_member(e, "fte"), key,
                           "part-time posts need staff.roles; the core's workers are full time");
    }
    return 0;
}

static int plan_slots_ok(loader *ld, const config_setting_t *e, const char *path, const model_params *p, int more)
{
    int n = p->roles == 0 ? p->workers : 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            n += p->team[t].group[g].count;
    for (int i = 0; i < p->plan_steps; i++)
        n += p->plan[i].change > 0 ? p->plan[i].change : 0;
    for (int r = 0; r < p->staff_rules; r++)
        n += p->staff_rule[r].opens ? p->staff_rule[r].limit : 0;
    if ((long)n + more > MODEL_MAX_WORKERS)
        return loader_fail(ld, e, path, "more than %d posts in all with the planned ones", MODEL_MAX_WORKERS);
    return 0;
}

int section_read_staff_plan(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"month", "role", "team", "change", "fte", NULL};
    if (item_list_of_groups(ld, s, "staff.plan", MODEL_MAX_PLAN) != 0)
        return -1;
    p->plan_steps = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_plan_step *st = &p->plan[i];
        char path[64];
        snprintf(path, sizeof path, "staff.plan[%d]", i);
        if (item_members(ld, e, path, allowed) != 0 || item_get_number(ld, e, path, "month", &st->month) != 0 ||
            item_get_int(ld, e, path, "change", &st->change) != 0 ||
            read_role(ld, e, path, 1, p, &st->role) != 0 ||
            read_team(ld, e, path, st->change > 0, p, &st->team) != 0 || read_fte(ld, e, path, p, &st->fte) != 0)
            return -1;
        if (st->change == 0)
            return loader_fail(ld, e, path, "change must open (> 0) or close (< 0) posts, got 0");
        if (st->change > 0 && plan_slots_ok(ld, e, path, p, st->change) != 0)
            return -1;
        p->plan_steps = i + 1;
    }
    return 0;
}

int section_read_staff_changes(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"month", "role", "caseload_cap", "meeting_hours_per_day", NULL};
    if (item_list_of_groups(ld, s, "staff.changes", MODEL_MAX_PLAN) != 0)
        return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_staff_change *c = &p->staff_change[i];
        char path[64];
        snprintf(path, sizeof path, "staff.changes[%d]", i);
        c->caseload_cap = c->meeting_hours_per_day = -1;
        if (item_members(ld, e, path, allowed) != 0 || item_get_number(ld, e, path, "month", &c->month) != 0 ||
            read_role(ld, e, path, 0, p, &c->role) != 0)
            return -1;
        if (config_setting_get_member(e, "caseload_cap") &&
            item_get_number(ld, e, path, "caseload_cap", &c->caseload_cap) != 0)
            return -1;
        if (config_setting_get_member(e, "meeting_hours_per_day") &&
            item_get_number(ld, e, path, "meeting_hours_per_day", &c->meeting_hours_per_day) != 0)
            return -1;
        if (c->caseload_cap < 0 && c->meeting_hours_per_day < 0)
            return loader_fail(ld, e, path, "expected caseload_cap or meeting_hours_per_day (or both)");
        if (c->role >= 0 && c->meeting_hours_per_day >= 0)
            return loader_fail(ld, e, path, "meeting_hours_per_day is everyone's budget; give it without a role");
        if (c->role >= 0 && p->role[c->role].caseload_cap <= 0 && c->caseload_cap >= 0)
            return loader_fail(ld, e, path, "role '%s' carries no caseload (caseload_cap 0 in staff.roles)",
                               p->role[c->role].name);
        if (p->roles == 0 && c->caseload_cap == 0)
            return loader_fail(ld, e, path, "caseload_cap must be at least 1 without staff.roles");
    }
    p->staff_changes = config_setting_length(s);
    return 0;
}

int section_read_staff_rules(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"open_above", "close_below", "months", "delay_days", "max_extra",
                                          "min_posts", "role", "team", "fte", NULL};
    if (item_list_of_groups(ld, s, "staff.rules", MODEL_MAX_STAFF_RULES) != 0)
        return -1;
    p->staff_rules = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_staff_rule *ru = &p->staff_rule[i];
        char path[64];
        snprintf(path, sizeof path, "staff.rules[%d]", i);
        if (item_members(ld, e, path, allowed) != 0)
            return -1;
        int above = config_setting_get_member(e, "open_above") != NULL;
        int below = config_setting_get_member(e, "close_below") != NULL;
        if (above == below)
            return loader_fail(ld, e, path, "expected exactly one of open_above (a rule that opens posts) and "
                                            "close_below (one that closes them)");
        ru->opens = above;
        const char *wrong = above ? (config_setting_get_member(e, "min_posts") ? "min_posts" : NULL)
                                  : config_setting_get_member(e, "max_extra")    ? "max_extra"
                                  : config_setting_get_member(e, "delay_days")   ? "delay_days"
                                  : config_setting_get_member(e, "fte")          ? "fte"
                                                                                 : NULL;
        if (wrong)
            return loader_fail(ld, config_setting_get_member(e, wrong), path, "%s belongs to a rule with %s", wrong,
                               above ? "close_below" : "open_above");
        if (item_get_number(ld, e, path, above ? "open_above" : "close_below", &ru->threshold) != 0 ||
            item_get_int(ld, e, path, "months", &ru->months) != 0 || read_role(ld, e, path, 1, p, &ru->role) != 0 ||
            read_team(ld, e, path, above, p, &ru->team) != 0)
            return -1;
        if (above) {
            if (item_get_number(ld, e, path, "delay_days", &ru->delay_days) != 0 ||
                item_get_int(ld, e, path, "max_extra", &ru->limit) != 0 || read_fte(ld, e, path, p, &ru->fte) != 0 ||
                plan_slots_ok(ld, e, path, p, ru->limit) != 0)
                return -1;
            if (p->roles > 0 && p->role[ru->role].caseload_cap <= 0)
                return loader_fail(ld, e, path, "role '%s' carries no caseload, so more of it cannot shorten the list",
                                   p->role[ru->role].name);
        } else if (item_get_int(ld, e, path, "min_posts", &ru->limit) != 0) {
            return -1;
        }
        p->staff_rules = i + 1;
    }
    return 0;
}
