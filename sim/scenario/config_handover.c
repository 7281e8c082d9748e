/*
 * config_handover.c — the keys of the hand-over mechanisms
 * (model_handover.c): the successor project that takes the stock at the
 * close (`successor`), receivers with a limited intake for onward exits
 * (`exits.receivers`), and call-in chances by profile
 * (staff.roles.[].call_in_by_profile). Each is off unless given.
 *
 * Ranges and defaults come from config_items.c (item_get_number); names are
 * checked against the scenario's destinations, profiles and roles, so a
 * misspelt name fails at its key with the closest name as a hint.
 */
#include "scenario/config_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* successor = { name; month; take = "all"|"assigned"|"waiting"; places = 0; intake_per_month = 0; } */
int section_read_successor(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "month", "take", "places", "intake_per_month", NULL};
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return loader_fail(ld, s, "successor", "expected a group { name; month; take; places; intake_per_month; }");
    double month;
    const char *take;
    if (item_members(ld, s, "successor", allowed) != 0 || item_name(ld, s, "successor", p->successor_name) != 0 ||
        item_get_number(ld, s, "successor", "month", &month) != 0 ||
        item_get_number(ld, s, "successor", "places", &p->successor_places) != 0 ||
        item_get_number(ld, s, "successor", "intake_per_month", &p->successor_intake) != 0 ||
        item_string(ld, s, "successor", "take", 0, &take) != 0)
        return -1;
    if (month != floor(month) || month > p->horizon_months)
        return loader_fail(ld, config_setting_get_member(s, "month"), "successor.month",
                           "expected a whole month from 1 to run.horizon_months (%d), got %g", p->horizon_months, month);
    p->successor_month = (int)month;
    p->successor_take = SUCCESSOR_TAKE_ALL;
    if (take && strcmp(take, "assigned") == 0)
        p->successor_take = SUCCESSOR_TAKE_ASSIGNED;
    else if (take && strcmp(take, "waiting") == 0)
        p->successor_take = SUCCESSOR_TAKE_WAITING;
    else if (take && strcmp(take, "all") != 0)
        return loader_fail(ld, config_setting_get_member(s, "take"), "successor.take",
                           "expected \"all\", \"assigned\" or \"waiting\", got '%s'", take);
    p->has_successor = 1;
    return 0;
}

/* exits.receivers = ( { destination; intake_per_month; when_full = "wait"|"leave"; }, ... ) */
int section_read_receivers(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"destination", "intake_per_month", "when_full", NULL};
    if (item_list_of_groups(ld, s, "exits.receivers", MODEL_MAX_RECEIVERS) != 0)
        return -1;
    if (p->destinations < 1)
        return loader_fail(ld, s, "exits.receivers", "receivers need the destinations (exits.destinations or exits.shares)");
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        struct model_receiver *r = &p->receiver[i];
        char path[64], key[96];
        snprintf(path, sizeof path, "exits.receivers[%d]", i);
        const char *dest, *when;
        if (item_members(ld, e, path, allowed) != 0 || item_string(ld, e, path, "destination", 1, &dest) != 0 ||
            item_get_number(ld, e, path, "intake_per_month", &r->intake_per_month) != 0 ||
            item_string(ld, e, path, "when_full", 0, &when) != 0)
            return -1;
        snprintf(key, sizeof key, "%s.destination", path);
        r->destination = item_find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, dest);
        if (r->destination < 0)
            return loader_fail_unknown_name(ld, config_setting_get_member(e, "destination"), key, "destination", dest,
                                            (const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations);
        for (int j = 0; j < i; j++)
            if (p->receiver[j].destination == r->destination)
                return loader_fail(ld, config_setting_get_member(e, "destination"), key,
                                   "destination '%s' already has a receiver (exits.receivers[%d])", dest, j);
        snprintf(key, sizeof key, "%s.when_full", path);
        r->leave_when_full = 0;
        if (when && strcmp(when, "leave") == 0)
            r->leave_when_full = 1;
        else if (when && strcmp(when, "wait") != 0)
            return loader_fail(ld, config_setting_get_member(e, "when_full"), key,
                               "expected \"wait\" (in the programme, holding the slot) or \"leave\" (between chairs), "
                               "got '%s'", when);
    }
    p->receivers = config_setting_length(s);
    return 0;
}

/* staff.roles[i].call_in_by_profile = { profile = probability; ... }; profiles
 * not named keep the role's call_in_probability (NaN here). */
int section_read_call_in_by_profile(loader *ld, const config_setting_t *e, const char *path, model_params *p,
                                    model_role *r)
{
    for (int k = 0; k < MODEL_MAX_PROFILES; k++)
        r->call_in_by_profile[k] = NAN;
    r->has_call_in_by_profile = 0;
    const config_setting_t *g = config_setting_get_member(e, "call_in_by_profile");
    if (!g)
        return 0;
    char key[128];
    snprintf(key, sizeof key, "%s.call_in_by_profile", path);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP || config_setting_length(g) < 1)
        return loader_fail(ld, g, key, "expected { profile = probability; ... }");
    if (p->profiles < 1)
        return loader_fail(ld, g, key, "call-in by profile needs the top-level profiles");
    char names[MODEL_MAX_PROFILES][MODEL_NAME_LEN];
    for (int j = 0; j < p->profiles; j++)
        memcpy(names[j], p->profile[j].name, MODEL_NAME_LEN);
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *x = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(x);
        char k[192];
        snprintf(k, sizeof k, "%s.%s", key, name);
        int pi = item_find_name((const char(*)[MODEL_NAME_LEN])names, p->profiles, name);
        if (pi < 0)
            return loader_fail_unknown_name(ld, x, k, "profile", name, (const char(*)[MODEL_NAME_LEN])names,
                                            p->profiles);
        config_key ck = {.path = k, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "probability"};
        if (loader_read_number(ld, &ck, x, &r->call_in_by_profile[pi]) != 0)
            return -1;
    }
    r->has_call_in_by_profile = 1;
    return 0;
}
