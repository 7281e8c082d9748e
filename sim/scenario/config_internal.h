/*
 * config_internal.h — what the files of the scenario loader share, private
 * to sim/scenario (nothing outside this folder includes it).
 *
 * The loader is cut by job: config_schema.c (the key table), config.c
 * (loading, typed values, whole-scenario checks), config_messages.c (the one
 * message format and "did you mean"), config_sections.c (list and group
 * sections), config_money.c (the money section), config_overrides.c (-s
 * key=value) and config_print.c (`check`, `keys`, the key reference). They
 * talk through the types and functions below, all working on one `loader`:
 * the libconfig tree being read and where its messages go.
 */
#ifndef CASEFLOW_CONFIG_INTERNAL_H
#define CASEFLOW_CONFIG_INTERNAL_H

#include <stddef.h>
#include <libconfig.h>
#include "scenario/config.h"

typedef enum key_type { KEY_INT, KEY_SEED, KEY_FLOAT, KEY_DIST, KEY_SHARES, KEY_ENUM, KEY_SECTION } key_type;

/* When a key must be present. */
enum key_need {
    OPTIONAL = 0,
    REQUIRED = 1,
    REQUIRED_UNLESS = 2,   /* unless the key `unless` names is present */
    REQUIRED_IN_GROUP = 3, /* when its parent group is present (an optional section) */
};

struct loader;
typedef int (*section_reader)(struct loader *ld, const config_setting_t *s, config_scenario *sc);

typedef struct config_key {
    const char *path;
    key_type type;
    int required;        /* enum key_need */
    double min, max;
    int min_open;        /* min is exclusive */
    const char *fallback; /* default, as written in a file; NULL when required */
    const char *unit;
    const char *doc;
    size_t offset;       /* into config_scenario */
    const char *unless;  /* REQUIRED_UNLESS: the key that makes this one optional */
    const char *choices; /* KEY_ENUM: "a|b|c", stored as the index */
    section_reader reader; /* KEY_SECTION: reads a list or group of its own shape */
} config_key;

/* A scenario being read: its tree (file text with the overrides applied)
 * and where messages go. */
typedef struct loader {
    const char *path;
    config_t cfg;
    const char *const *overrides;
    int n_overrides;
    const char *const *number_keys; /* keys config_set_numbers sets, messages name them as overrides */
    int n_numbers;
    /* per override, then per number: the reader's form of a path through
     * list items (sources[0].rate_per_month), so messages about it name the
     * override; NULL entries for plain paths. */
    char **canonical;
    int n_canonical;
    int current;   /* the override being applied; -1 none */
    config_error *err;
} loader;

/* Longest key path the loader handles ("staff.teams.lag1.members.coach.count"). */
#define CONFIG_KEY_TEXT_LEN 256

/* ---- the schema (config_schema.c) ---- */

/* Upper bound of the table's size, for arrays sized at compile time. */
#define CONFIG_SCHEMA_MAX 96
extern const config_key config_schema[];
extern const size_t config_schema_size;

const config_key *schema_find(const char *path);
/* 1 when path is a group on the way to some key ("staff" for staff.workers). */
int schema_is_group_prefix(const char *path);
/* Index of word in choices "a|b|c", or -1. */
int schema_choice_index(const char *choices, const char *word);
/* "a number >= 0 and <= 24 (hours/day)", for messages and the reference. */
void schema_describe_range(const config_key *k, char *buf, size_t size);
/* Whether a key takes part in the loaded scenario (its section is on, the
 * key it depends on is absent): `check` prints, /resolved lists defaults
 * only of those (config_print.c). */
int schema_key_applies(const config_key *k, const config_scenario *sc);

/* ---- inside lists and groups (config_items.c) ---- */

typedef enum item_type { ITEM_FLOAT, ITEM_INT, ITEM_BOOL, ITEM_STRING, ITEM_DIST, ITEM_ARRAY, ITEM_LIST, ITEM_GROUP } item_type;

typedef struct item_key {
    const char *path;     /* "[]" for a list item: "sources.[].rate_per_month" */
    item_type type;
    int required;         /* every item (or the group) must have it */
    double min, max;      /* ITEM_FLOAT, ITEM_INT */
    int min_open;
    const char *fallback; /* default as written in a file; NULL: none */
    const char *unit;
    const char *choices;  /* ITEM_STRING of fixed words: "a|b" */
    const char *doc;
} item_key;

extern const item_key config_items[];
extern const size_t config_items_size;

const item_key *items_find(const char *pattern);
/* A reader's path ("sources[0].schedule[2]") as a pattern ("sources.[].schedule.[]"). */
void items_pattern(const char *path, char *out, size_t size);
/* Member `name` of the item at path, with the range, requirement and
 * default of its entry in config_items. */
int item_get_number(loader *ld, const config_setting_t *item, const char *path, const char *name, double *out);
int item_get_int(loader *ld, const config_setting_t *item, const char *path, const char *name, int *out);

/* ---- messages (config_messages.c) ---- */

/* Fills ld->err with "path:line: key: what" (or "path: -s key: what" when
 * the key came from an override) and returns -1. */
int loader_fail(loader *ld, const config_setting_t *where, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "unknown key", with the closest key or group as a hint. */
int loader_fail_unknown(loader *ld, const config_setting_t *s, const char *key);
/* "no WHAT named 'NAME'", with the closest of names as a hint. */
int loader_fail_unknown_name(loader *ld, const config_setting_t *s, const char *key, const char *what,
                             const char *name, const char (*names)[MODEL_NAME_LEN], int n);

/* ---- loading (config.c) ---- */

/* ld holds the tree of a loaded scenario: its stored text with its stored
 * overrides applied (not validated again). Returns 0, or -1 with err
 * filled; ld->cfg must be destroyed either way. */
int loader_open_scenario(loader *ld, const config_scenario *sc, config_error *err);
/* Frees what a loader holds (its tree and the overrides' paths). */
void loader_close(loader *ld);

/* ---- typed values (config.c) ---- */

int value_is_number(const config_setting_t *s);
int value_is_integer(const config_setting_t *s);
/* A number in k's range (k->type KEY_INT or KEY_FLOAT). */
int loader_read_number(loader *ld, const config_key *k, const config_setting_t *s, double *out);
/* A distribution group { dist = "name"; p1 = ...; p2 = ...; }. */
int loader_read_dist(loader *ld, const config_key *k, const config_setting_t *s, dist *out);

/* ---- members of list items and groups (config_sections.c) ---- */

int item_members(loader *ld, const config_setting_t *item, const char *path, const char *const *allowed);
int item_number(loader *ld, const config_setting_t *item, const char *path, const char *name, double min,
                double max, int min_open, int required, double fallback, double *out);
int item_int(loader *ld, const config_setting_t *item, const char *path, const char *name, int min, int max,
             int required, int fallback, int *out);
int item_bool(loader *ld, const config_setting_t *item, const char *path, const char *name, int *out);
int item_string(loader *ld, const config_setting_t *item, const char *path, const char *name, int required,
                const char **out);
int item_name(loader *ld, const config_setting_t *item, const char *path, char *name);
int item_dist(loader *ld, const config_setting_t *item, const char *path, const char *name, int required,
              const char *unit, dist *out);
int item_find_name(const char (*names)[MODEL_NAME_LEN], int n, const char *name);
int item_shares(loader *ld, const config_setting_t *s, const char *key, const char *what,
                const char (*names)[MODEL_NAME_LEN], int n, double *out);
int item_name_mask(loader *ld, const config_setting_t *s, const char *key, const char *what,
                   const char (*names)[MODEL_NAME_LEN], int n, unsigned *mask);
int item_schedule(loader *ld, const config_setting_t *s, const char *key, model_schedule *out);
int item_list_of_groups(loader *ld, const config_setting_t *s, const char *key, int max);
int item_unique_name(loader *ld, const config_setting_t *item, const char *path,
                     const char (*names)[MODEL_NAME_LEN], int n);

/* ---- section readers: config_sections.c, config_money.c ---- */

int section_read_age_bands(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_profiles(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_sources(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_roles(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_teams(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_measures(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_phases(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_good(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_destinations(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_followup(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_targets(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_pressure(loader *ld, const config_setting_t *s, config_scenario *sc);
/* staffing over time (config_staffplan.c) */
int section_read_staff_plan(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_staff_changes(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_staff_rules(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_money(loader *ld, const config_setting_t *s, config_scenario *sc);
/* sites (config_sites.c): the list, a source's or team's `site` member
 * (0 when absent, else 1 + the site's index), and that every site has a team */
int section_read_sites(loader *ld, const config_setting_t *s, config_scenario *sc);
int config_site_of(loader *ld, const config_setting_t *e, const char *path, const model_params *p, int *at_site);
int config_sites_check(loader *ld, const config_scenario *sc);
/* config_handover.c: the successor, receivers, call-in by profile */
int section_read_successor(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_receivers(loader *ld, const config_setting_t *s, config_scenario *sc);
int section_read_call_in_by_profile(loader *ld, const config_setting_t *e, const char *path, model_params *p,
                                    model_role *r);

/* ---- overrides (config_overrides.c) ---- */

/* 1 when key was set by one of the loader's overrides. */
int override_given(const loader *ld, const char *key);
/* The override ("key=value", or a number's key) that set key (given in
 * the reader's form sources[0].x or as written), or NULL. */
const char *override_setting(const loader *ld, const char *key);
/* The override ("key=value", or a number's key) that sets something
 * inside the group `key`, or NULL. */
const char *override_within(const loader *ld, const char *key);
/* Sets "key.path=value" in the loader's tree. */
int override_apply(loader *ld, const char *text);
/* Sets key.path to a number in the loader's tree (an integer setting when
 * the value is integral, as "-s key=7" would). */
int override_set_number(loader *ld, const char *path, double value);
/* The setting a key path names (through list items as -s does), or NULL
 * with ld->err filled. */
const config_setting_t *override_find(loader *ld, const char *path);
/* The overrides as "key=value\n" lines (caller frees); NULL without memory. */
char *override_join(const char *const *ov, int n);

#endif
