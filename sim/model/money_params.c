/*
 * money_params.c — defaults of the money parameters, resolving a state for a
 * profile, and reading a money key's value back by name.
 */
#include "model/money_params.h"

#include <stdio.h>
#include <string.h>

const char *const money_component_names[MONEY_COMPONENTS] = {"kommun", "region", "fk", "af", "state", "income"};
const char *const money_account_names[MONEY_ACCOUNTS] = {"kommun", "region",     "fk",     "af",
                                                          "state",  "public", "individual", "society"};
const char *const money_anchor_names[3] = {"referral", "start", "exit"};

void money_params_init(money_params *mp)
{
    memset(mp, 0, sizeof *mp);
    mp->horizons = 2;
    mp->horizon_months[0] = 12;
    mp->horizon_months[1] = 60;
    mp->horizon_from = MONEY_FROM_REFERRAL;
    mp->waiting.relative = 1;
    mp->in_programme.relative = 1;
    for (int d = 0; d < MODEL_MAX_DESTINATIONS; d++) {
        mp->after_in[d].relative = 1;
        mp->after_out[d].relative = 1;
    }
}

void money_state_resolve(const money_params *mp, const money_state *s, int profile, double out[MONEY_COMPONENTS])
{
    const money_state *b = &mp->baseline[profile];
    for (int c = 0; c < MONEY_COMPONENTS; c++)
        out[c] = s->relative ? b->v[c] + s->v[c] : s->v[c];
}

const money_state *money_after_state(const money_params *mp, int d, int in)
{
    return in ? &mp->after_in[d] : &mp->after_out[d];
}

/* ---- study parameter values ---------------------------------------------- */

static int component_index(const char *name)
{
    for (int c = 0; c < MONEY_COMPONENTS; c++)
        if (strcmp(money_component_names[c], name) == 0)
            return c;
    return -1;
}

/* "<component>" of a state: its value as written (absolute or a change). */
static int state_number(const money_state *s, const char *leaf, double *value)
{
    int c = component_index(leaf);
    if (c < 0)
        return -1;
    *value = s->v[c];
    return 0;
}

int money_get_number(const money_params *mp, const model_params *p, const char *path, double *value)
{
    if (!mp->enabled || strncmp(path, "money.", 6) != 0)
        return -1;
    const char *rest = path + 6;
    if (strcmp(rest, "discount_rate") == 0) {
        *value = mp->discount_rate;
        return 0;
    }
    char buf[160];
    if (strlen(rest) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", rest);
    char *parts[4] = {0};
    int np = 0;
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && np < 4; t = strtok_r(NULL, ".", &save))
        parts[np++] = t;
    if (np == 2 && strcmp(parts[0], "waiting") == 0)
        return state_number(&mp->waiting, parts[1], value);
    if (np == 2 && strcmp(parts[0], "in_programme") == 0)
        return state_number(&mp->in_programme, parts[1], value);
    if (strcmp(parts[0], "baseline") == 0) {
        if (np == 2 && p->profiles == 0)
            return state_number(&mp->baseline[0], parts[1], value);
        if (np == 3)
            for (int k = 0; k < p->profiles; k++)
                if (strcmp(p->profile[k].name, parts[1]) == 0)
                    return state_number(&mp->baseline[k], parts[2], value);
        return -1;
    }
    if (strcmp(parts[0], "after") == 0 && np >= 3) {
        for (int d = 0; d < p->destinations; d++) {
            if (strcmp(p->destination_names[d], parts[1]) != 0)
                continue;
            if (np == 3)
                return state_number(&mp->after_out[d], parts[2], value);
            if (np == 4 && strcmp(parts[2], "in") == 0)
                return state_number(&mp->after_in[d], parts[3], value);
            if (np == 4 && strcmp(parts[2], "out") == 0)
                return state_number(&mp->after_out[d], parts[3], value);
        }
    }
    return -1;
}

