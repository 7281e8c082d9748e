/*
 * config_sites.c — reading `sites` and the `site` member that ties a
 * source or a team to one of them.
 *
 * Owns the scenario's sites (offices, lags, sub-projects; model_params.h,
 * model_site): their names and when each starts lending its places to the
 * others, and the lookup of a `site` name for sources.[].site and
 * staff.teams.[].site. A name that is not in `sites` is one message at the
 * key (exit 2), never a silent untied source. Every site must be named by
 * at least one team, so a misspelt team site cannot leave a site's
 * referrals waiting for staff that never come.
 */
#include "scenario/config_internal.h"

#include <stdio.h>
#include <string.h>

int section_read_sites(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "lends_places_from_month", NULL};
    if (item_list_of_groups(ld, s, "sites", MODEL_MAX_SITES) != 0)
        return -1;
    if (config_setting_length(s) == 0)
        return loader_fail(ld, s, "sites", "expected at least one site ( { name; }, ... ), or no sites key");
    char names[MODEL_MAX_SITES][MODEL_NAME_LEN];
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        model_site *site = &p->site[i];
        char path[64];
        snprintf(path, sizeof path, "sites[%d]", i);
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, site->name) != 0)
            return -1;
        memcpy(names[i], site->name, MODEL_NAME_LEN);
        if (item_unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0)
            return -1;
        site->lends_from_month = -1; /* never, unless given */
        if (config_setting_get_member(e, "lends_places_from_month") &&
            item_get_number(ld, e, path, "lends_places_from_month", &site->lends_from_month) != 0)
            return -1;
    }
    p->sites = config_setting_length(s);
    return 0;
}

int config_site_of(loader *ld, const config_setting_t *e, const char *path, const model_params *p, int *at_site)
{
    const char *name;
    *at_site = 0;
    if (item_string(ld, e, path, "site", 0, &name) != 0)
        return -1;
    if (!name)
        return 0;
    char key[128];
    snprintf(key, sizeof key, "%s.site", path);
    const config_setting_t *s = config_setting_get_member(e, "site");
    if (p->sites == 0)
        return loader_fail(ld, s, key, "no site named '%s': the scenario has no `sites` list", name);
    char names[MODEL_MAX_SITES][MODEL_NAME_LEN];
    for (int j = 0; j < p->sites; j++)
        memcpy(names[j], p->site[j].name, MODEL_NAME_LEN);
    int k = item_find_name((const char(*)[MODEL_NAME_LEN])names, p->sites, name);
    if (k < 0)
        return loader_fail_unknown_name(ld, s, key, "site", name, (const char(*)[MODEL_NAME_LEN])names, p->sites);
    *at_site = k + 1;
    return 0;
}

int config_sites_check(loader *ld, const config_scenario *sc)
{
    const model_params *p = &sc->model;
    for (int k = 0; k < p->sites; k++) {
        int staffed = 0;
        for (int t = 0; t < p->teams; t++)
            staffed |= p->team[t].at_site == k + 1;
        if (!staffed) {
            char key[64];
            snprintf(key, sizeof key, "sites[%d]", k);
            return loader_fail(ld, config_lookup(&ld->cfg, "sites"), key,
                               "no team of staff.teams names site '%s' (staff.teams.[].site): its referrals would "
                               "wait for ever", p->site[k].name);
        }
    }
    return 0;
}
