/*
 * config_keys.c — the key reference, generated from the schema tables:
 * `caseflow keys` (a Markdown table, the one in configs/README.md) and
 * `caseflow keys --json` (format "caseflow-keys" version 1, from which a web
 * front end builds its form).
 *
 * Both list every top-level key (config_schema) and, after a list or group
 * section, the members of its items (config_items), written with "[]" for
 * the item: sources.[].rate_per_month, staff.teams.[].members.[].count.
 */
#include "scenario/config_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The top-level sections, in the order their first key appears, with what
 * they hold. `list`: the section is a list of items. */
static const struct {
    const char *name;
    int list;
    const char *help;
} sections[] = {
    {"run", 0, "How long, how often and from which seed the scenario runs."},
    {"referrals", 0, "One Poisson stream of referrals (when no sources are given)."},
    {"staff", 0, "Who works: one team of workers with a caseload cap, or roles and teams; turnover, learning and "
                 "team maturity."},
    {"casework", 0, "Meetings and the time on own between them (when no phases are given)."},
    {"exits", 0, "Where participants go when they leave, which destinations count as work or studies, "
                 "follow-up after exit, and receivers with a limited intake."},
    {"age_bands", 0, "Names of age bands; profiles give shares over them."},
    {"profiles", 1, "Kinds of participant: need, readiness, acceptance, priority, sex and age."},
    {"sites", 1, "Sites (offices, lags, sub-projects) that sources and teams are tied to, and when a site lends "
                 "its free places to the others."},
    {"sources", 1, "Referral sources: Poisson streams or quotas, with schedules, replacement and referring units."},
    {"waiting", 0, "The waiting list: its order, patience and what waiting costs in readiness."},
    {"measures", 1, "External measures with a number of places participants go to during a phase."},
    {"phases", 1, "The programme's phases in order: meetings, progress, exits, decisions, measures."},
    {"programme", 0, "Limits of the programme as a whole."},
    {"method", 0, "Method work that builds capital raising progress and good exits, and volume pressure."},
    {"targets", 1, "Figures the programme must reach by a deadline (enrolled, exits, share of exits)."},
    {"successor", 0, "A successor project that takes those still in the programme at its close (transfers)."},
    {"service", 0, "Service levels: the wait thresholds reported and service-level targets on waits."},
    {"money", 0, "Costs by actor and the per-actor ledger of a participant's situation over time."},
    {"snapshot_stored", 0, "Written by caseflow when it reads run.snapshot: the CSV's text, so the stored scenario "
                           "reproduces the run without the file."},
};

/* ---- shared -------------------------------------------------------------- */

/* The shape of a section key: "array", "list", "string" or "group". */
static const char *section_shape(const config_key *k)
{
    if (strcmp(k->unit, "path") == 0 || strcmp(k->unit, "date") == 0)
        return "string";
    if (strcmp(k->unit, "names") == 0 || strcmp(k->unit, "days") == 0)
        return "array";
    return strcmp(k->unit, "list") == 0 ? "list" : "group";
}

/* The item keys that follow key k in the listing: those under its path. */
static int item_under(const item_key *it, const char *path)
{
    size_t len = strlen(path);
    return strncmp(it->path, path, len) == 0 && it->path[len] == '.';
}

/* ---- Markdown ------------------------------------------------------------ */

/* "one of a/b/c": a bar would split a Markdown table's cell. */
static void markdown_choices(const char *choices, char *buf, size_t size)
{
    snprintf(buf, size, "one of %s", choices);
    for (char *c = buf; *c; c++)
        if (*c == '|')
            *c = '/';
}

/* A cell's text with bars escaped (\|), so the table keeps its columns. */
static void markdown_cell(FILE *out, const char *text)
{
    for (; *text; text++) {
        if (*text == '|')
            fputc('\\', out);
        fputc(*text, out);
    }
}

static void reference_default(const config_key *k, char *buf, size_t size)
{
    if (k->fallback)
        snprintf(buf, size, "%s", k->fallback);
    else if (k->required == REQUIRED)
        snprintf(buf, size, "required");
    else if (k->required == REQUIRED_UNLESS)
        snprintf(buf, size, "required unless `%s`", k->unless);
    else if (k->required == REQUIRED_IN_GROUP)
        snprintf(buf, size, "required in its group");
    else
        snprintf(buf, size, "none");
}

static void item_range(const item_key *it, char *buf, size_t size)
{
    switch (it->type) {
    case ITEM_FLOAT:
    case ITEM_INT: {
        config_key k = {.type = it->type == ITEM_INT ? KEY_INT : KEY_FLOAT, .min = it->min, .max = it->max,
                        .min_open = it->min_open, .unit = it->unit};
        schema_describe_range(&k, buf, size);
        return;
    }
    case ITEM_BOOL: snprintf(buf, size, "true or false"); return;
    case ITEM_STRING:
        if (it->choices)
            markdown_choices(it->choices, buf, size);
        else
            snprintf(buf, size, "a string");
        return;
    case ITEM_DIST: snprintf(buf, size, "distribution group"); return;
    case ITEM_ARRAY: snprintf(buf, size, "array"); return;
    case ITEM_LIST: snprintf(buf, size, "list of items (rows below)"); return;
    case ITEM_GROUP: snprintf(buf, size, "group"); return;
    }
}

void config_print_reference(FILE *out)
{
    fprintf(out, "| key | type | unit | default | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < config_schema_size; i++) {
        const config_key *k = &config_schema[i];
        char range[160], fallback[96];
        const char *unit = k->unit;
        switch (k->type) {
        case KEY_INT:
        case KEY_FLOAT:
            schema_describe_range(k, range, sizeof range);
            break;
        case KEY_SEED: snprintf(range, sizeof range, "integer >= 0"); break;
        case KEY_DIST: snprintf(range, sizeof range, "distribution group"); break;
        case KEY_SHARES: snprintf(range, sizeof range, "group of name = share"); break;
        case KEY_ENUM: markdown_choices(k->choices, range, sizeof range); break;
        case KEY_SECTION:
            snprintf(range, sizeof range, "%s", strcmp(k->unit, "path") == 0                ? "a file name (string)"
                                                : strcmp(k->unit, "date") == 0                ? "an ISO date \"YYYY-MM-DD\" (string)"
                                                : strcmp(k->unit, "days") == 0                ? "list of whole days"
                                                : strcmp(section_shape(k), "array") == 0   ? "list of names"
                                                : strcmp(section_shape(k), "list") == 0 ? "list of items (rows below)"
                                                                                        : "group (rows below)");
            unit = "-";
            break;
        }
        reference_default(k, fallback, sizeof fallback);
        fprintf(out, "| `%s` | %s | %s | %s | ", k->path, range, unit, fallback);
        markdown_cell(out, k->doc);
        fputs(" |\n", out);
        if (k->type != KEY_SECTION)
            continue;
        for (size_t j = 0; j < config_items_size; j++) {
            const item_key *it = &config_items[j];
            if (!item_under(it, k->path))
                continue;
            item_range(it, range, sizeof range);
            fprintf(out, "| `%s` | %s | %s | %s | ", it->path, range, *it->unit ? it->unit : "-",
                    it->fallback ? it->fallback : it->required ? "required" : "none");
            markdown_cell(out, it->doc);
            fputs(" |\n", out);
        }
    }
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void json_number(FILE *out, double v)
{
    char buf[40];
    fputs(isfinite(v) ? config_format_number(v, 0, buf, sizeof buf) : "null", out);
}

static void json_choices(FILE *out, const char *choices)
{
    if (!choices) {
        fputs("null", out);
        return;
    }
    fputc('[', out);
    for (const char *c = choices; *c;) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        fprintf(out, "%s\"%.*s\"", c == choices ? "" : ", ", (int)n, c);
        c = bar ? bar + 1 : c + n;
    }
    fputc(']', out);
}

/* The parameters of each distribution kind, for forms of a distribution
 * key: {"exponential": ["mean"], "gamma": ["mean", "sd"], ...}. */
static void json_distributions(FILE *out)
{
    fputc('{', out);
    for (int d = 0; d < DIST_KIND_COUNT; d++) {
        const char *a, *b;
        dist_param_names((dist_kind)d, &a, &b);
        fprintf(out, "%s\"%s\": [", d ? ", " : "", dist_kind_name((dist_kind)d));
        if (a)
            json_string(out, a);
        if (b) {
            fputs(", ", out);
            json_string(out, b);
        }
        fputc(']', out);
    }
    fputc('}', out);
}

/* The fields every key has, in the agreed order, then the extras. */
typedef struct json_key {
    const char *key, *type, *unit, *help, *choices, *unless;
    char item_of[CONFIG_KEY_TEXT_LEN];
    int required, has_range, min_open, distribution;
    double min, max;
    const char *fallback; /* as written in a file */
} json_key;

static void json_default(FILE *out, const json_key *k)
{
    if (!k->fallback) {
        fputs("null", out);
    } else if (strcmp(k->type, "int") == 0 || strcmp(k->type, "float") == 0) {
        json_number(out, strtod(k->fallback, NULL));
    } else if (strcmp(k->type, "bool") == 0 || strcmp(k->type, "array") == 0) {
        fputs(k->fallback, out); /* true/false and [1, 5] read the same in JSON */
    } else {
        json_string(out, k->fallback);
    }
}

static void json_key_print(FILE *out, const json_key *k, int first)
{
    char section[64];
    const char *dot = strchr(k->key, '.');
    snprintf(section, sizeof section, "%.*s", dot ? (int)(dot - k->key) : (int)strlen(k->key), k->key);
    fprintf(out, "%s\n  {\"key\": ", first ? "" : ",");
    json_string(out, k->key);
    fputs(", \"section\": ", out);
    json_string(out, section);
    fprintf(out, ", \"type\": \"%s\", \"required\": %s, \"default\": ", k->type, k->required ? "true" : "false");
    json_default(out, k);
    fputs(", \"min\": ", out);
    if (k->has_range)
        json_number(out, k->min);
    else
        fputs("null", out);
    fputs(", \"max\": ", out);
    if (k->has_range)
        json_number(out, k->max);
    else
        fputs("null", out);
    fputs(", \"unit\": ", out);
    json_string(out, k->unit);
    fputs(", \"help\": ", out);
    json_string(out, k->help);
    fputs(", \"choices\": ", out);
    json_choices(out, k->choices);
    fputs(", \"item_of\": ", out);
    if (k->item_of[0])
        json_string(out, k->item_of);
    else
        fputs("null", out);
    /* Extensions readers may ignore. */
    fprintf(out, ", \"min_exclusive\": %s", k->has_range && k->min_open ? "true" : "false");
    fputs(", \"required_unless\": ", out);
    if (k->unless)
        json_string(out, k->unless);
    else
        fputs("null", out);
    if (k->distribution) {
        fputs(", \"distribution\": ", out);
        json_distributions(out);
    }
    fputc('}', out);
}

static json_key from_schema(const config_key *k)
{
    json_key j = {.key = k->path, .unit = k->unit, .help = k->doc, .fallback = k->fallback};
    j.required = k->required == REQUIRED;
    j.unless = k->required == REQUIRED_UNLESS ? k->unless : NULL;
    switch (k->type) {
    case KEY_INT:
    case KEY_SEED:
    case KEY_FLOAT:
        j.type = k->type == KEY_FLOAT ? "float" : "int";
        j.has_range = 1;
        j.min = k->min;
        j.max = k->max;
        j.min_open = k->min_open;
        break;
    case KEY_DIST: j.type = "group"; j.distribution = 1; break;
    case KEY_SHARES: j.type = "group"; break;
    case KEY_ENUM:
        j.type = "string";
        j.choices = k->choices;
        j.unit = "";
        break;
    case KEY_SECTION:
        j.type = section_shape(k);
        j.unit = "";
        break;
    }
    return j;
}

static json_key from_item(const item_key *it)
{
    static const char *const types[] = {"float", "int", "bool", "string", "group", "array", "list", "group"};
    json_key j = {.key = it->path, .type = types[it->type], .unit = it->unit, .help = it->doc,
                  .choices = it->choices, .required = it->required, .fallback = it->fallback};
    j.has_range = it->type == ITEM_FLOAT || it->type == ITEM_INT;
    j.min = it->min;
    j.max = it->max;
    j.min_open = it->min_open;
    j.distribution = it->type == ITEM_DIST;
    /* The list the item belongs to: the path up to its last "[]". */
    const char *last = NULL;
    for (const char *p = strstr(it->path, ".[]"); p; p = strstr(p + 1, ".[]"))
        last = p;
    if (last)
        snprintf(j.item_of, sizeof j.item_of, "%.*s", (int)(last - it->path), it->path);
    return j;
}

void config_print_keys_json(FILE *out)
{
    fputs("{\"format\": \"caseflow-keys\", \"version\": 1,\n \"sections\": [", out);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        fprintf(out, "%s\n  {\"name\": ", i ? "," : "");
        json_string(out, sections[i].name);
        fputs(", \"help\": ", out);
        json_string(out, sections[i].help);
        fprintf(out, ", \"list\": %s}", sections[i].list ? "true" : "false");
    }
    fputs("],\n \"keys\": [", out);
    int first = 1;
    for (size_t i = 0; i < config_schema_size; i++) {
        const config_key *k = &config_schema[i];
        json_key j = from_schema(k);
        json_key_print(out, &j, first);
        first = 0;
        if (k->type != KEY_SECTION)
            continue;
        for (size_t m = 0; m < config_items_size; m++)
            if (item_under(&config_items[m], k->path)) {
                json_key ji = from_item(&config_items[m]);
                json_key_print(out, &ji, 0);
            }
    }
    fputs("]}\n", out);
}
