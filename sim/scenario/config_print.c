/*
 * config_print.c — `caseflow check`'s resolved scenario: a valid scenario
 * file of every key that acts (config_keys.c prints the key reference).
 */
#include "scenario/config_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Numbers as the shortest text that reads back exactly (0.08, not
 * 0.080000000000000002), floats with a point so they stay floats. */
static const char *num(double v, char *buf)
{
    return config_format_number(v, 1, buf, 40);
}

static void print_value(FILE *out, const config_key *k, const config_scenario *sc)
{
    const char *field = (const char *)sc + k->offset;
    char a_buf[40], b_buf[40];
    switch (k->type) {
    case KEY_INT: fprintf(out, "%d", *(const int *)field); break;
    case KEY_SEED: fprintf(out, "%lluL", (unsigned long long)*(const uint64_t *)field); break;
    case KEY_FLOAT: fprintf(out, "%s", num(*(const double *)field, a_buf)); break;
    case KEY_DIST: {
        const dist *d = (const dist *)field;
        const char *a, *b;
        dist_param_names(d->kind, &a, &b);
        fprintf(out, "{ dist = \"%s\"; %s = %s;", dist_kind_name(d->kind), a, num(d->p1, a_buf));
        if (b)
            fprintf(out, " %s = %s;", b, num(d->p2, b_buf));
        fprintf(out, " }");
        break;
    }
    case KEY_SHARES:
        fprintf(out, "{");
        for (int i = 0; i < sc->model.destinations; i++)
            fprintf(out, " %s = %s;", sc->model.destination_names[i], num(sc->model.destination_shares[i], a_buf));
        fprintf(out, " }");
        break;
    case KEY_ENUM: {
        int want = *(const int *)field, i = 0;
        for (const char *c = k->choices; *c; i++) {
            const char *bar = strchr(c, '|');
            size_t n = bar ? (size_t)(bar - c) : strlen(c);
            if (i == want)
                fprintf(out, "\"%.*s\"", (int)n, c);
            if (!bar)
                break;
            c = bar + 1;
        }
        break;
    }
    case KEY_SECTION:
        break;
    }
}

/* Whether a key takes part in this scenario, so `check` prints only what
 * acts (and its output loads back as the same scenario). */
int schema_key_applies(const config_key *k, const config_scenario *sc)
{
    const model_params *p = &sc->model;
    static const struct {
        const char *prefix;
        size_t flag;
    } groups[] = {
        {"staff.turnover.", offsetof(model_params, has_turnover)},
        {"staff.learning.", offsetof(model_params, has_learning)},
        {"staff.maturity.", offsetof(model_params, has_maturity)},
        {"method.", offsetof(model_params, has_method)},
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strncmp(k->path, groups[i].prefix, strlen(groups[i].prefix)) == 0)
            return *(const int *)((const char *)p + groups[i].flag);
    if (k->type == KEY_SECTION)
        return 0;
    if (strcmp(k->path, "waiting.patience_days") == 0)
        return p->has_patience;
    if (strcmp(k->path, "exits.shares") == 0)
        return p->phases == 0;
    if (k->required == REQUIRED_UNLESS) {
        if (strcmp(k->unless, "sources") == 0)
            return p->sources == 0;
        if (strcmp(k->unless, "staff.roles") == 0)
            return p->roles == 0;
        if (strcmp(k->unless, "phases") == 0)
            return p->phases == 0;
    }
    return 1;
}

static void print_sections(FILE *out, const config_scenario *sc)
{
    const model_params *p = &sc->model;
    if (p->sources) {
        fprintf(out, "# sources (as in the file):");
        for (int i = 0; i < p->sources; i++)
            fprintf(out, " %s (%s%s%s)", p->source[i].name, p->source[i].kind == SOURCE_QUOTA ? "quota" : "poisson",
                    p->source[i].replacement ? ", replacement" : "", p->source[i].has_unit ? ", referring unit" : "");
        fprintf(out, "\n");
    }
    if (p->sites) {
        fprintf(out, "# sites:");
        for (int k = 0; k < p->sites; k++) {
            int teams = 0, sources = 0;
            for (int t = 0; t < p->teams; t++)
                teams += p->team[t].at_site == k + 1;
            for (int i = 0; i < p->sources; i++)
                sources += p->source[i].at_site == k + 1;
            fprintf(out, " %s (teams %d, sources %d", p->site[k].name, teams, sources);
            if (p->site[k].lends_from_month >= 0)
                fprintf(out, ", lends places from month %g", p->site[k].lends_from_month);
            fprintf(out, ")");
        }
        fprintf(out, "\n");
    }
    if (p->profiles) {
        fprintf(out, "# profiles:");
        for (int i = 0; i < p->profiles; i++)
            fprintf(out, " %s (need %g, readiness %g, acceptance %g)", p->profile[i].name, p->profile[i].need,
                    p->profile[i].readiness, p->profile[i].acceptance);
        fprintf(out, "\n");
    }
    if (p->roles) {
        int staff = 0;
        for (int t = 0; t < p->teams; t++)
            for (int g = 0; g < p->team[t].groups; g++)
                staff += p->team[t].group[g].count;
        fprintf(out, "# staff: %d roles, %d teams, %d posts\n", p->roles, p->teams, staff);
    }
    if (p->phases) {
        fprintf(out, "# phases:");
        for (int i = 0; i < p->phases; i++)
            fprintf(out, " %s%s", i ? "-> " : "", p->phase[i].name);
        fprintf(out, "\n");
    }
    if (p->measures)
        fprintf(out, "# measures: %d\n", p->measures);
    if (p->has_followup)
        fprintf(out, "# follow-up at 12 and 24 months\n");
    if (p->targets)
        fprintf(out, "# targets: %d\n", p->targets);
    if (sc->money.enabled)
        fprintf(out, "# money: ledger from %s, horizons %d to %d months, discount rate %g per year\n",
                money_anchor_names[sc->money.horizon_from], sc->money.horizon_months[0],
                sc->money.horizon_months[sc->money.horizons - 1], sc->money.discount_rate);
}

static int by_path(const void *a, const void *b)
{
    return strcmp((*(const config_key *const *)a)->path, (*(const config_key *const *)b)->path);
}

/* Number of leading path segments two dotted paths' groups share. */
static int common_groups(const char *a, const char *b)
{
    int n = 0;
    for (;;) {
        const char *da = strchr(a, '.'), *db = strchr(b, '.');
        if (!da || !db || da - a != db - b || strncmp(a, b, (size_t)(da - a)) != 0)
            return n;
        n++;
        a = da + 1;
        b = db + 1;
    }
}

static int group_depth(const char *path)
{
    int n = 0;
    for (; *path; path++)
        n += *path == '.';
    return n;
}

void config_print(FILE *out, const config_scenario *sc)
{
    fprintf(out, "# resolved scenario from %s\n", sc->path);
    const config_key *keys[CONFIG_SCHEMA_MAX];
    size_t n = 0;
    for (size_t i = 0; i < config_schema_size; i++)
        if (schema_key_applies(&config_schema[i], sc) && strchr(config_schema[i].path, '.'))
            keys[n++] = &config_schema[i];
    qsort(keys, n, sizeof keys[0], by_path);
    const char *prev = "";
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        const char *path = keys[i]->path;
        int keep = i ? common_groups(prev, path) : 0;
        for (; open > keep; open--)
            fprintf(out, "%*s};\n", 2 * (open - 1), "");
        int depth = group_depth(path);
        const char *seg = path;
        for (int d = 0; d < open; d++)
            seg = strchr(seg, '.') + 1;
        for (; open < depth; open++) {
            const char *dot = strchr(seg, '.');
            fprintf(out, "%*s%.*s: {\n", 2 * open, "", (int)(dot - seg), seg);
            seg = dot + 1;
        }
        fprintf(out, "%*s%s = ", 2 * open, "", seg);
        print_value(out, keys[i], sc);
        fprintf(out, ";  # %s\n", keys[i]->unit);
        prev = path;
    }
    for (; open > 0; open--)
        fprintf(out, "%*s};\n", 2 * (open - 1), "");
    print_sections(out, sc);
}

