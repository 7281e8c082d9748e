/*
 * io_config.c — the scenario schema and its validation.
 *
 * The schema table is the single source of truth for keys: validation, the
 * unknown-key check with its "did you mean", `caseflow check`'s listing and
 * the key reference in configs/README.md are all generated from it.
 */
#include "scenario/config.h"
#include "scenario/config_service.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

#define AT(field) offsetof(config_scenario, field)

static int read_age_bands(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_profiles(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_sources(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_roles(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_teams(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_measures(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_phases(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_good(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_destinations(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_followup(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_targets(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_pressure(struct loader *ld, const config_setting_t *s, config_scenario *sc);
static int read_money(struct loader *ld, const config_setting_t *s, config_scenario *sc);

#define SECTION(path, reader, unit, doc) {path, KEY_SECTION, OPTIONAL, 0, 0, 0, NULL, unit, doc, 0, NULL, NULL, reader}
#define UNLESS(path, type, min, max, open, unit, doc, field, other) \
    {path, type, REQUIRED_UNLESS, min, max, open, NULL, unit, doc, AT(field), other, NULL, NULL}
#define IN_GROUP(path, type, min, max, open, unit, doc, field) \
    {path, type, REQUIRED_IN_GROUP, min, max, open, NULL, unit, doc, AT(field), NULL, NULL, NULL}
#define OPTION(path, type, min, max, open, fallback, unit, doc, field) \
    {path, type, OPTIONAL, min, max, open, fallback, unit, doc, AT(field), NULL, NULL, NULL}
#define CHOICE(path, choices, fallback, doc, field) \
    {path, KEY_ENUM, OPTIONAL, 0, 0, 0, fallback, "choice", doc, AT(field), NULL, choices, NULL}

static const config_key schema[] = {
    {"run.replications", KEY_INT, 0, 1, 1e6, 0, "10", "count",
     "Independent replications of the scenario.", AT(replications), NULL, NULL, NULL},
    {"run.seed", KEY_SEED, 0, 0, 9.2e18, 0, "1", "-",
     "Master seed; replication r uses a seed mixed from (seed, r).", AT(seed), NULL, NULL, NULL},
    {"run.horizon_months", KEY_INT, 1, 1, 1200, 0, NULL, "months",
     "Simulated time from the programme's start.", AT(model.horizon_months), NULL, NULL, NULL},
    {"run.warmup_months", KEY_INT, 0, 0, 1199, 0, "0", "months",
     "Statistics start after this (the series still cover it).", AT(model.warmup_months), NULL, NULL, NULL},
    OPTION("run.max_participants_present", KEY_INT, 0, 2e9, 0, "0", "participants",
           "Memory guard: a trial fails (status 2, reason in /failures, exit 6) when more participants than this "
           "are present at once. 0: 1000000 plus the referrals the sources are expected to make over the horizon, "
           "which only a scenario whose exits breed more referrals than they remove (replacement above 1) passes.",
           model.max_participants_present),
    UNLESS("referrals.rate_per_month", KEY_FLOAT, 0, 1e7, 1, "referrals/month",
           "Mean of the Poisson referral process (when no `sources` are given).", model.referral_rate_per_month,
           "sources"),
    UNLESS("staff.workers", KEY_INT, 1, 100000, 0, "count",
           "Case workers, one team, full time (when no `staff.roles` are given).", model.workers, "staff.roles"),
    UNLESS("staff.caseload_cap", KEY_INT, 1, 1e6, 0, "participants/worker",
           "Most participants one worker carries; beyond it referrals wait.", model.caseload_cap, "staff.roles"),
    {"staff.meeting_hours_per_day", KEY_FLOAT, 0, 0, 24, 1, "4.0", "hours/day",
     "Worker time available for meetings; a meeting of h hours takes h / this days.",
     AT(model.meeting_hours_per_day), NULL, NULL, NULL},
    UNLESS("casework.meeting_hours", KEY_DIST, 0, 0, 0, "hours",
           "Length of one meeting (a distribution; when no `phases` are given).", model.meeting_hours, "phases"),
    UNLESS("casework.own_time_days", KEY_DIST, 0, 0, 0, "days",
           "Time on own between a meeting and needing the next (a distribution; "
           "{ dist = \"deterministic\"; value = 0.0; } for none).", model.own_time_days, "phases"),
    UNLESS("exits.probability_per_meeting", KEY_FLOAT, 0, 1, 1, "probability",
           "Chance that the case ends after a meeting (when no `phases` are given).", model.exit_probability,
           "phases"),
    SECTION("exits.destinations", read_destinations, "names",
            "Names of the exit destinations, when phases give the shares (instead of exits.shares)."),
    {"exits.shares", KEY_SHARES, REQUIRED_UNLESS, 0, 0, 0, NULL, "shares",
     "Destination name = share of exits; at most 16, summing to 1. Names are the destinations everywhere else.",
     AT(model), "exits.destinations", NULL, NULL},
    SECTION("exits.good", read_good, "names", "Destinations that count as work or studies: readiness and method "
            "capital raise their odds; targets and follow-up name them. Default: none."),
    CHOICE("staff.cap_by", "head|need", "head", "Caseload caps count participants (head) or their need weights.",
           model.cap_by_need),
    SECTION("age_bands", read_age_bands, "names", "Names of age bands; profiles give shares over them."),
    SECTION("profiles", read_profiles, "list",
            "Participant profiles: ( { name; need = 1.0; readiness = 0.0; acceptance = 1.0; priority = 0; "
            "female_share = 0.5; age_shares = [...]; }, ... )."),
    SECTION("sources", read_sources, "list",
            "Referral sources: ( { name; kind = \"poisson\"|\"quota\"; rate_per_month or schedule = ( { month; "
            "value; }, ... ); replacement = 0; profiles = { name = share; }; unit = { caseworkers; cases = "
            "schedule; full_rate_below; zero_rate_above; }; }, ... ). Replaces referrals.rate_per_month."),
    CHOICE("waiting.policy", "fifo|priority", "fifo", "Waiting-list order: first come first served, or by profile "
           "priority (higher first), FIFO within a priority.", model.waiting_by_priority),
    OPTION("waiting.patience_days", KEY_DIST, 0, 0, 0, NULL, "days",
           "Time a person waits before giving up (a distribution); default: never.", model.patience_days),
    OPTION("waiting.readiness_decay_per_month", KEY_FLOAT, 0, 10, 0, "0.0", "log-odds/month",
           "Readiness lost per month of waiting (people regress while they wait).",
           model.readiness_decay_per_month),
    SECTION("staff.roles", read_roles, "list",
            "Roles: ( { name; caseload_cap = 0 (none); decides = false; call_in_probability = 0.0; "
            "meeting_hours = dist; }, ... ). With roles, staff come from staff.teams."),
    SECTION("staff.teams", read_teams, "list",
            "Teams: ( { name; members = ( { role; count = 1; fte = 1.0; start_month = 0.0; }, ... ); }, ... )."),
    IN_GROUP("staff.turnover.tenure_months", KEY_DIST, 0, 0, 0, "months", "Time a worker stays (a distribution).",
             model.tenure_months),
    IN_GROUP("staff.turnover.vacancy_days", KEY_DIST, 0, 0, 0, "days",
             "Time from a departure until the replacement starts.", model.vacancy_days),
    CHOICE("staff.turnover.on_leave", "wait|reassign", "reassign",
           "A leaving worker's participants wait for the replacement or go to the least loaded colleague.",
           model.reassign_on_leave),
    OPTION("staff.turnover.progress_lost", KEY_FLOAT, 0, 1, 0, "0.0", "share",
           "Share of phase progress a participant loses with a new worker.", model.progress_lost_on_change),
    IN_GROUP("staff.learning.months_to_full", KEY_FLOAT, 0, 600, 1, "months",
             "A new hire reaches full productivity after this.", model.learning_months),
    IN_GROUP("staff.learning.start_productivity", KEY_FLOAT, 0, 1, 1, "share",
             "A new hire's productivity (meeting speed) on day one.", model.learning_start),
    IN_GROUP("staff.maturity.months_to_full", KEY_FLOAT, 0, 600, 1, "months",
             "A team reaches full maturity after working together this long.", model.maturity_months),
    IN_GROUP("staff.maturity.start", KEY_FLOAT, 0, 1, 1, "share",
             "Progress multiplier of a new team; each change of member sets it back.", model.maturity_start),
    SECTION("measures", read_measures, "list",
            "External measures: ( { name; places; open_month = 0; close_month = never; duration_days = dist; "
            "exit_to = destination; exit_probability = 0.0; }, ... )."),
    SECTION("phases", read_phases, "list",
            "Phases: ( { name; meeting_hours; own_time_days; progress_per_meeting; exit_probability; exits = "
            "{ name = share; }; completion = { name = share; } (last phase); needs_decision = false; "
            "measure = name; }, ... ). Replace casework.* and exits.probability_per_meeting."),
    OPTION("programme.max_months", KEY_FLOAT, 0, 1200, 0, "0.0", "months",
           "Maximum time in programme (0: none); exits then go to the destination named time_limit.",
           model.max_months),
    SECTION("exits.followup", read_followup, "group",
            "Follow-up: { destination = { at_12 = share; at_24 = share; }; ...; relapse_probability = 0.0; "
            "relapse_source = name; }: still in work or studies 12 and 24 months after exit."),
    IN_GROUP("method.time_share", KEY_FLOAT, 0, 1, 0, "share", "Share of worker time for method work (no meetings).",
             model.method_time_share),
    IN_GROUP("method.gain_per_month", KEY_FLOAT, 0, 1e6, 0, "capital/FTE-month",
             "Method capital built per full-time worker-month of method work.", model.method_gain),
    OPTION("method.decay_per_month", KEY_FLOAT, 0, 100, 0, "0.0", "1/month",
           "Rate at which method capital erodes.", model.method_decay),
    IN_GROUP("method.effect", KEY_FLOAT, 0, 100, 0, "factor",
             "Largest relative gain in per-meeting progress and good-exit odds.", model.method_effect),
    IN_GROUP("method.half_saturation", KEY_FLOAT, 0, 1e9, 1, "capital",
             "Capital at which half the largest gain is reached (diminishing returns).", model.method_half),
    OPTION("method.turnover_loss", KEY_FLOAT, 0, 1, 0, "1.0", "share",
           "A leaving member takes this share of their part of the team's capital.", model.method_turnover_loss),
    SECTION("targets", read_targets, "list",
            "Targets: ( { name; kind = \"enrolled\"|\"exits\"|\"share\"; destinations = [names]; value; "
            "deadline_month; }, ... )."),
    SECTION("method.pressure", read_pressure, "group",
            "Volume pressure: { target = name; cap_increase = 0.2; mapping_speedup = 0.5; }: while behind the "
            "target's straight path, caps rise and the first phase goes faster."),
    /* Service levels: read by scenario/config_service.c once everything
     * else is (config_load calls it); listed here for the key checks and
     * the reference. */
    SECTION("service.wait_days", config_service_section, "days",
            "Wait thresholds X (whole days) of the reported P(wait <= X): [X, ...], at most 8. Default: [14, 30, 90]."),
    SECTION("service.targets", config_service_section, "list",
            "Service-level targets: ( { name; kind = \"wait_share\"|\"median_wait\"; days; value (wait_share: the "
            "share placed within days); from_month = warm-up; to_month = horizon less days; }, ... ): the share of "
            "people referred in [from_month, to_month) who get a place within days >= value, or their median wait "
            "<= days."),
    /* Last: it names roles, measures, profiles and destinations read above. */
    SECTION("money", read_money, "group",
            "Costs and the per-actor ledger (see `Money` below): { discount_rate = 0.0; horizons_years = [1, 5]; "
            "horizon_from = \"referral\"|\"start\"|\"exit\"; staff = ( { role; cost_per_fte_year; employer; } ); "
            "measures = ( { name; cost_per_participant_month; paid_by; } ); fixed = ( { name; cost_per_month; "
            "paid_by; } ); per_participant = ( { name; cost; paid_by; } ); baseline = { profile = { kommun; region; "
            "fk; af; state; income; }; }; waiting; in_programme; after = { destination = state or { in; out; }; "
            "default; }; }; kr and kr/month."),
};

#define SCHEMA_SIZE (sizeof schema / sizeof schema[0])

typedef struct loader {
    const char *path;
    config_t cfg;
    const char *const *overrides;
    int n_overrides;
    config_error *err;
} loader;

/* ---- messages ---------------------------------------------------------- */

static int overridden(const loader *ld, const char *key)
{
    size_t len = strlen(key);
    for (int i = 0; i < ld->n_overrides; i++)
        if (strncmp(ld->overrides[i], key, len) == 0 && ld->overrides[i][len] == '=')
            return 1;
    return 0;
}

/* Messages are one line: control characters that come from the file or the
 * command line (a string holding "\n", say) are shown escaped. */
void config_one_line(char *msg, size_t size)
{
    char out[sizeof ((config_error *)0)->message];
    size_t o = 0;
    for (const char *in = msg; *in && o + 5 < sizeof out; in++) {
        unsigned char c = (unsigned char)*in;
        if (c >= 0x20 && c != 0x7f)
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
    }
    out[o] = '\0';
    snprintf(msg, size, "%s", out);
}

static int fail(loader *ld, const config_setting_t *where, const char *key, const char *fmt, ...)
{
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = where ? (int)config_setting_source_line(where) : 0;
    if (key && overridden(ld, key))
        snprintf(ld->err->message, sizeof ld->err->message, "%s: -s %s: %s", ld->path, key, what);
    else if (line > 0)
        snprintf(ld->err->message, sizeof ld->err->message, "%s:%d: %s: %s", ld->path, line,
                 key ? key : "(file)", what);
    else
        snprintf(ld->err->message, sizeof ld->err->message, "%s: %s: %s", ld->path, key ? key : "(file)",
                 what);
    config_one_line(ld->err->message, sizeof ld->err->message);
    return -1;
}

int config_fail(config_error *err, const char *path, const config_setting_t *where, const char *key,
                const char *fmt, ...)
{
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = where ? (int)config_setting_source_line(where) : 0;
    if (line > 0)
        snprintf(err->message, sizeof err->message, "%s:%d: %s: %s", path, line, key, what);
    else
        snprintf(err->message, sizeof err->message, "%s: %s: %s", path, key, what);
    config_one_line(err->message, sizeof err->message);
    return -1;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Closest of the candidates, if close enough to be a plausible typo. */
const char *config_closest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    size_t limit = strlen(word) / 3 + 1;
    return best_d <= limit ? best : NULL;
}

static int fail_unknown(loader *ld, const config_setting_t *s, const char *key)
{
    /* Candidates: every key path and every group on the way to one. */
    enum { MAX_GROUPS = 48 };
    const char *cands[SCHEMA_SIZE + MAX_GROUPS];
    size_t n = 0;
    char local[MAX_GROUPS][48];
    size_t ng = 0;
    for (size_t i = 0; i < SCHEMA_SIZE; i++) {
        cands[n++] = schema[i].path;
        for (const char *dot = strchr(schema[i].path, '.'); dot; dot = strchr(dot + 1, '.')) {
            size_t len = (size_t)(dot - schema[i].path);
            int seen = 0;
            for (size_t g = 0; g < ng; g++)
                seen |= strlen(local[g]) == len && strncmp(local[g], schema[i].path, len) == 0;
            if (!seen && ng < MAX_GROUPS && len < sizeof local[0]) {
                memcpy(local[ng], schema[i].path, len);
                local[ng][len] = '\0';
                ng++;
            }
        }
    }
    for (size_t g = 0; g < ng; g++)
        cands[n++] = local[g];
    const char *hint = config_closest(key, cands, n);
    if (hint)
        return fail(ld, s, key, "unknown key (did you mean '%s'?)", hint);
    return fail(ld, s, key, "unknown key");
}

/* ---- typed readers ----------------------------------------------------- */

static int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static int is_integer(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

const char *config_type_name(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP: return "a group";
    case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_ARRAY: return "an array";
    case CONFIG_TYPE_LIST: return "a list";
    default: return "something else";
    }
}

static void describe_range(const config_key *k, char *buf, size_t size)
{
    const char *what = k->type == KEY_FLOAT ? "a number" : "an integer";
    snprintf(buf, size, "%s %s %g and <= %g (%s)", what, k->min_open ? ">" : ">=", k->min, k->max, k->unit);
}

static int read_number(loader *ld, const config_key *k, const config_setting_t *s, double *out)
{
    char range[160];
    describe_range(k, range, sizeof range);
    int ok_type = k->type == KEY_FLOAT ? is_number(s) : is_integer(s);
    if (!ok_type)
        return fail(ld, s, k->path, "expected %s, got %s", range, config_type_name(s));
    double v = is_integer(s) ? (double)config_setting_get_int64(s) : config_setting_get_float(s);
    if (!isfinite(v))
        return fail(ld, s, k->path, "expected %s, got a value that is not finite", range);
    if (v < k->min || (k->min_open && v == k->min) || v > k->max)
        return fail(ld, s, k->path, "expected %s, got %.17g", range, v);
    *out = v;
    return 0;
}

static int read_dist(loader *ld, const config_key *k, const config_setting_t *s, dist *out)
{
    static const char *const shape =
        "a distribution group such as { dist = \"exponential\"; mean = 2.0; }";
    char key[160];
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, k->path, "expected %s, got %s", shape, config_type_name(s));
    snprintf(key, sizeof key, "%s.dist", k->path);
    const config_setting_t *name = config_setting_get_member(s, "dist");
    if (!name)
        return fail(ld, s, key, "missing; expected one of exponential, deterministic, uniform, gamma, lognormal");
    if (config_setting_type(name) != CONFIG_TYPE_STRING)
        return fail(ld, name, key, "expected a string naming the distribution, got %s", config_type_name(name));
    const char *kind_text = config_setting_get_string(name);
    int kind = dist_kind_from_name(kind_text);
    if (kind < 0) {
        const char *kinds[DIST_KIND_COUNT];
        for (int i = 0; i < DIST_KIND_COUNT; i++)
            kinds[i] = dist_kind_name((dist_kind)i);
        const char *hint = config_closest(kind_text, kinds, DIST_KIND_COUNT);
        if (hint)
            return fail(ld, name, key, "unknown distribution '%s' (did you mean '%s'?)", kind_text, hint);
        return fail(ld, name, key,
                    "unknown distribution '%s'; expected exponential, deterministic, uniform, gamma or lognormal",
                    kind_text);
    }
    const char *pn[2];
    dist_param_names((dist_kind)kind, &pn[0], &pn[1]);
    double v[2] = {0, 0};
    for (int i = 0; i < 2 && pn[i]; i++) {
        snprintf(key, sizeof key, "%s.%s", k->path, pn[i]);
        const config_setting_t *p = config_setting_get_member(s, pn[i]);
        if (!p)
            return fail(ld, s, key, "missing; a %s distribution needs %s%s%s", kind_text, pn[0],
                        pn[1] ? " and " : "", pn[1] ? pn[1] : "");
        if (!is_number(p))
            return fail(ld, p, key, "expected a number (%s), got %s", k->unit, config_type_name(p));
        v[i] = is_integer(p) ? (double)config_setting_get_int64(p) : config_setting_get_float(p);
    }
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *mn = config_setting_name(m);
        if (strcmp(mn, "dist") != 0 && !(pn[0] && strcmp(mn, pn[0]) == 0) && !(pn[1] && strcmp(mn, pn[1]) == 0)) {
            snprintf(key, sizeof key, "%s.%s", k->path, mn);
            return fail(ld, m, key, "not a parameter of a %s distribution (it takes %s%s%s)", kind_text, pn[0],
                        pn[1] ? " and " : "", pn[1] ? pn[1] : "");
        }
    }
    const char *why = dist_make(out, (dist_kind)kind, v[0], v[1]);
    if (why)
        return fail(ld, s, k->path, "bad %s distribution: %s", kind_text, why);
    return 0;
}

static int read_shares(loader *ld, const config_key *k, const config_setting_t *s, model_params *mp)
{
    char key[160];
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, k->path, "expected a group of name = share, got %s", config_type_name(s));
    int n = config_setting_length(s);
    if (n < 1 || n > MODEL_MAX_DESTINATIONS)
        return fail(ld, s, k->path, "expected between 1 and %d destinations, got %d", MODEL_MAX_DESTINATIONS, n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(m);
        snprintf(key, sizeof key, "%s.%s", k->path, name);
        if (strlen(name) >= MODEL_NAME_LEN)
            return fail(ld, m, key, "destination name longer than %d characters", MODEL_NAME_LEN - 1);
        if (!is_number(m))
            return fail(ld, m, key, "expected a share between 0 and 1, got %s", config_type_name(m));
        double v = is_integer(m) ? (double)config_setting_get_int64(m) : config_setting_get_float(m);
        if (!isfinite(v) || v < 0 || v > 1)
            return fail(ld, m, key, "expected a share between 0 and 1, got %.17g", v);
        snprintf(mp->destination_names[i], MODEL_NAME_LEN, "%s", name);
        mp->destination_shares[i] = v;
        sum += v;
    }
    if (fabs(sum - 1.0) > 1e-9)
        return fail(ld, s, k->path, "shares must sum to 1, they sum to %.12g", sum);
    mp->destinations = n;
    return 0;
}

/* ---- walking the file -------------------------------------------------- */

static const config_key *schema_find(const char *path)
{
    for (size_t i = 0; i < SCHEMA_SIZE; i++)
        if (strcmp(schema[i].path, path) == 0)
            return &schema[i];
    return NULL;
}

static int is_group_prefix(const char *path)
{
    size_t len = strlen(path);
    for (size_t i = 0; i < SCHEMA_SIZE; i++)
        if (strncmp(schema[i].path, path, len) == 0 && schema[i].path[len] == '.')
            return 1;
    return 0;
}

/* Every setting in the file must be a schema key or a group on the way to
 * one; the insides of distribution and share groups are checked by their
 * readers. */
static int check_known(loader *ld, const config_setting_t *group, const char *prefix)
{
    for (int i = 0; i < config_setting_length(group); i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", config_setting_name(s));
        if (schema_find(path))
            continue; /* distributions, shares and sections check their own insides */
        if (!is_group_prefix(path))
            return fail_unknown(ld, s, path);
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
            return fail(ld, s, path, "expected a group { ... }, got %s", config_type_name(s));
        if (check_known(ld, s, path) != 0)
            return -1;
    }
    return 0;
}

static int choice_index(const char *choices, const char *word)
{
    size_t len = strlen(word);
    int i = 0;
    for (const char *c = choices; *c; i++) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        if (n == len && strncmp(c, word, n) == 0)
            return i;
        if (!bar)
            break;
        c = bar + 1;
    }
    return -1;
}

static int apply_default(loader *ld, const config_key *k, config_scenario *sc)
{
    char *field = (char *)sc + k->offset;
    if (!k->fallback)
        return 0; /* an optional distribution or section: off */
    double v = strtod(k->fallback, NULL);
    switch (k->type) {
    case KEY_INT: *(int *)field = (int)v; return 0;
    case KEY_SEED: *(uint64_t *)field = (uint64_t)strtoull(k->fallback, NULL, 10); return 0;
    case KEY_FLOAT: *(double *)field = v; return 0;
    case KEY_ENUM: *(int *)field = choice_index(k->choices, k->fallback); return 0;
    default: return fail(ld, NULL, k->path, "internal error: no default for this kind of key");
    }
}

/* The group holding a key, or NULL for a top-level key. */
static const config_setting_t *parent_group(loader *ld, const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return NULL;
    char parent[256];
    snprintf(parent, sizeof parent, "%.*s", (int)(dot - path), path);
    return config_lookup(&ld->cfg, parent);
}

static int read_key(loader *ld, const config_key *k, config_scenario *sc)
{
    const config_setting_t *s = config_lookup(&ld->cfg, k->path);
    if (!s) {
        int needed = k->required == REQUIRED ||
                     (k->required == REQUIRED_UNLESS && !config_lookup(&ld->cfg, k->unless)) ||
                     (k->required == REQUIRED_IN_GROUP && parent_group(ld, k->path) &&
                      /* method: { pressure = ...; } alone is volume pressure
                       * without method work; method.time_share switches that on */
                      (strncmp(k->path, "method.", 7) != 0 || config_lookup(&ld->cfg, "method.time_share")));
        if (!needed)
            return apply_default(ld, k, sc);
        char expected[200];
        if (k->type == KEY_DIST)
            snprintf(expected, sizeof expected, "a distribution in %s", k->unit);
        else if (k->type == KEY_SHARES)
            snprintf(expected, sizeof expected, "a group of destination = share");
        else
            describe_range(k, expected, sizeof expected);
        if (k->required == REQUIRED_UNLESS)
            return fail(ld, NULL, k->path, "missing required key (needed unless %s is given); expected %s",
                        k->unless, expected);
        return fail(ld, parent_group(ld, k->path), k->path, "missing required key; expected %s", expected);
    }
    char *field = (char *)sc + k->offset;
    double v;
    switch (k->type) {
    case KEY_INT:
        if (read_number(ld, k, s, &v) != 0)
            return -1;
        *(int *)field = (int)v;
        return 0;
    case KEY_SEED:
        if (!is_integer(s) || config_setting_get_int64(s) < 0)
            return fail(ld, s, k->path, "expected an integer >= 0 (use the L suffix above 2^31), got %s",
                        is_integer(s) ? "a negative integer" : config_type_name(s));
        *(uint64_t *)field = (uint64_t)config_setting_get_int64(s);
        return 0;
    case KEY_FLOAT:
        if (read_number(ld, k, s, &v) != 0)
            return -1;
        *(double *)field = v;
        return 0;
    case KEY_DIST:
        return read_dist(ld, k, s, (dist *)field);
    case KEY_SHARES:
        return read_shares(ld, k, s, &sc->model);
    case KEY_ENUM: {
        const char *text = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
        int i = text ? choice_index(k->choices, text) : -1;
        if (i < 0) {
            char options[128];
            snprintf(options, sizeof options, "%s", k->choices);
            for (char *c = options; *c; c++)
                if (*c == '|')
                    *c = '/';
            return fail(ld, s, k->path, "expected one of %s (a string), got %s%s%s%s", options,
                        text ? "'" : "", text ? text : config_type_name(s), text ? "'" : "", "");
        }
        *(int *)field = i;
        return 0;
    }
    case KEY_SECTION:
        return k->reader(ld, s, sc);
    }
    return -1;
}

/* ---- sections: lists and groups of their own shape ---------------------- */

static int item_members(loader *ld, const config_setting_t *item, const char *path, const char *const *allowed)
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
            return fail(ld, m, key, "unknown key (did you mean '%s'?)", hint);
        return fail(ld, m, key, "unknown key");
    }
    return 0;
}

static int item_number(loader *ld, const config_setting_t *item, const char *path, const char *name, double min,
                       double max, int min_open, int required, double fallback, double *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    if (!s) {
        if (required)
            return fail(ld, item, key, "missing; expected a number %s %g and <= %g", min_open ? ">" : ">=", min, max);
        *out = fallback;
        return 0;
    }
    config_key k = {.path = key, .type = KEY_FLOAT, .min = min, .max = max, .min_open = min_open, .unit = name};
    return read_number(ld, &k, s, out);
}

static int item_int(loader *ld, const config_setting_t *item, const char *path, const char *name, int min, int max,
                    int required, int fallback, int *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    if (!s) {
        if (required)
            return fail(ld, item, key, "missing; expected an integer >= %d and <= %d", min, max);
        *out = fallback;
        return 0;
    }
    config_key k = {.path = key, .type = KEY_INT, .min = min, .max = max, .unit = name};
    double v;
    if (read_number(ld, &k, s, &v) != 0)
        return -1;
    *out = (int)v;
    return 0;
}

static int item_bool(loader *ld, const config_setting_t *item, const char *path, const char *name, int *out)
{
    const config_setting_t *s = config_setting_get_member(item, name);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        char key[256];
        snprintf(key, sizeof key, "%s.%s", path, name);
        return fail(ld, s, key, "expected true or false, got %s", config_type_name(s));
    }
    *out = config_setting_get_bool(s);
    return 0;
}

static int item_string(loader *ld, const config_setting_t *item, const char *path, const char *name, int required,
                       const char **out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    *out = NULL;
    if (!s)
        return required ? fail(ld, item, key, "missing; expected a string") : 0;
    if (config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s))
        return fail(ld, s, key, "expected a non-empty string, got %s", config_type_name(s));
    *out = config_setting_get_string(s);
    return 0;
}

static int item_name(loader *ld, const config_setting_t *item, const char *path, char *name)
{
    const char *text;
    if (item_string(ld, item, path, "name", 1, &text) != 0)
        return -1;
    if (strlen(text) >= MODEL_NAME_LEN)
        return fail(ld, config_setting_get_member(item, "name"), path, "name longer than %d characters",
                    MODEL_NAME_LEN - 1);
    snprintf(name, MODEL_NAME_LEN, "%s", text);
    return 0;
}

static int item_dist(loader *ld, const config_setting_t *item, const char *path, const char *name, int required,
                     const char *unit, dist *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s.%s", path, name);
    const config_setting_t *s = config_setting_get_member(item, name);
    if (!s)
        return required ? fail(ld, item, key, "missing; expected a distribution in %s", unit) : 0;
    config_key k = {.path = key, .type = KEY_DIST, .unit = unit};
    return read_dist(ld, &k, s, out);
}

static int find_name(const char (*names)[MODEL_NAME_LEN], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

static int fail_unknown_name(loader *ld, const config_setting_t *s, const char *key, const char *what, const char *name,
                             const char (*names)[MODEL_NAME_LEN], int n)
{
    const char *cands[64];
    for (int i = 0; i < n && i < 64; i++)
        cands[i] = names[i];
    const char *hint = config_closest(name, cands, (size_t)(n < 64 ? n : 64));
    if (hint)
        return fail(ld, s, key, "no %s named '%s' (did you mean '%s'?)", what, name, hint);
    return fail(ld, s, key, "no %s named '%s'", what, name);
}

/* A group name = share over known names; absent names get 0; sums to 1. */
static int item_shares(loader *ld, const config_setting_t *s, const char *key, const char *what,
                       const char (*names)[MODEL_NAME_LEN], int n, double *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, key, "expected a group of %s = share, got %s", what, config_type_name(s));
    for (int i = 0; i < n; i++)
        out[i] = 0;
    double sum = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", key, config_setting_name(m));
        int at = find_name(names, n, config_setting_name(m));
        if (at < 0)
            return fail_unknown_name(ld, m, sub, what, config_setting_name(m), names, n);
        double v;
        config_key k = {.path = sub, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "share"};
        if (read_number(ld, &k, m, &v) != 0)
            return -1;
        out[at] = v;
        sum += v;
    }
    if (fabs(sum - 1.0) > 1e-9)
        return fail(ld, s, key, "shares must sum to 1, they sum to %.12g", sum);
    return 0;
}

/* A list of names, as a bit mask over known names. */
static int item_name_mask(loader *ld, const config_setting_t *s, const char *key, const char *what,
                          const char (*names)[MODEL_NAME_LEN], int n, unsigned *mask)
{
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return fail(ld, s, key, "expected a list of %s names [\"a\", \"b\"], got %s", what, config_type_name(s));
    *mask = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return fail(ld, e, key, "expected %s names (strings), got %s", what, config_type_name(e));
        int at = find_name(names, n, config_setting_get_string(e));
        if (at < 0)
            return fail_unknown_name(ld, e, key, what, config_setting_get_string(e), names, n);
        *mask |= 1u << at;
    }
    return 0;
}

static int item_schedule(loader *ld, const config_setting_t *s, const char *key, model_schedule *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_LIST || config_setting_length(s) < 1)
        return fail(ld, s, key, "expected a non-empty list ( { month = m; value = v; }, ... )");
    int n = config_setting_length(s);
    if (n > MODEL_MAX_SCHEDULE)
        return fail(ld, s, key, "at most %d steps", MODEL_MAX_SCHEDULE);
    static const char *const allowed[] = {"month", "value", NULL};
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char path[256];
        snprintf(path, sizeof path, "%s[%d]", key, i);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP)
            return fail(ld, e, path, "expected { month = m; value = v; }");
        if (item_members(ld, e, path, allowed) != 0 ||
            item_number(ld, e, path, "month", 0, 1200, 0, 1, 0, &out->month[i]) != 0 ||
            item_number(ld, e, path, "value", 0, 1e7, 0, 1, 0, &out->value[i]) != 0)
            return -1;
        if (i > 0 && !(out->month[i] > out->month[i - 1]))
            return fail(ld, e, path, "months must increase: %g after %g", out->month[i], out->month[i - 1]);
    }
    out->count = n;
    return 0;
}

/* Checks that s is a list of groups of at most max items. */
static int list_of_groups(loader *ld, const config_setting_t *s, const char *key, int max)
{
    if (config_setting_type(s) != CONFIG_TYPE_LIST)
        return fail(ld, s, key, "expected a list ( { ... }, { ... } ), got %s", config_type_name(s));
    int n = config_setting_length(s);
    if (n < 1 || n > max)
        return fail(ld, s, key, "expected between 1 and %d entries, got %d", max, n);
    for (int i = 0; i < n; i++)
        if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) != CONFIG_TYPE_GROUP)
            return fail(ld, config_setting_get_elem(s, (unsigned)i), key, "expected each entry to be a group { ... }");
    return 0;
}

static int unique_name(loader *ld, const config_setting_t *item, const char *path, const char (*names)[MODEL_NAME_LEN],
                       int n)
{
    if (find_name(names, n, names[n]) >= 0)
        return fail(ld, item, path, "the name '%s' is used twice", names[n]);
    return 0;
}

static int read_age_bands(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    int t = config_setting_type(s);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || config_setting_length(s) < 1 ||
        config_setting_length(s) > MODEL_MAX_AGE_BANDS)
        return fail(ld, s, "age_bands", "expected a list of 1 to %d names [\"16-29\", ...]", MODEL_MAX_AGE_BANDS);
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING || strlen(config_setting_get_string(e)) >= MODEL_NAME_LEN)
            return fail(ld, e, "age_bands", "expected names (strings of at most %d characters)", MODEL_NAME_LEN - 1);
        snprintf(p->age_band_names[i], MODEL_NAME_LEN, "%s", config_setting_get_string(e));
    }
    p->age_bands = config_setting_length(s);
    return 0;
}

static int read_profiles(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "need", "readiness", "acceptance", "priority", "female_share",
                                          "age_shares", NULL};
    if (list_of_groups(ld, s, "profiles", MODEL_MAX_PROFILES) != 0)
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
        if (unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_number(ld, e, path, "need", 0, 1000, 1, 0, 1.0, &pr->need) != 0 ||
            item_number(ld, e, path, "readiness", -20, 20, 0, 0, 0.0, &pr->readiness) != 0 ||
            item_number(ld, e, path, "acceptance", 0, 1, 0, 0, 1.0, &pr->acceptance) != 0 ||
            item_int(ld, e, path, "priority", -1000, 1000, 0, 0, &pr->priority) != 0 ||
            item_number(ld, e, path, "female_share", 0, 1, 0, 0, 0.5, &pr->female_share) != 0)
            return -1;
        const config_setting_t *ages = config_setting_get_member(e, "age_shares");
        char key[96];
        snprintf(key, sizeof key, "%s.age_shares", path);
        if (p->age_bands > 0 && !ages)
            return fail(ld, e, key, "missing; age_bands are given, so each profile needs %d shares", p->age_bands);
        if (ages) {
            if (p->age_bands == 0)
                return fail(ld, ages, key, "age shares need the top-level age_bands names");
            if ((config_setting_type(ages) != CONFIG_TYPE_ARRAY && config_setting_type(ages) != CONFIG_TYPE_LIST) ||
                config_setting_length(ages) != p->age_bands)
                return fail(ld, ages, key, "expected %d shares, one per age band", p->age_bands);
            double sum = 0;
            for (int j = 0; j < p->age_bands; j++) {
                config_key k = {.path = key, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "share"};
                if (read_number(ld, &k, config_setting_get_elem(ages, (unsigned)j), &pr->age_shares[j]) != 0)
                    return -1;
                sum += pr->age_shares[j];
            }
            if (fabs(sum - 1) > 1e-9)
                return fail(ld, ages, key, "shares must sum to 1, they sum to %.12g", sum);
        }
    }
    p->profiles = config_setting_length(s);
    return 0;
}

static int read_sources(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "kind", "rate_per_month", "schedule", "replacement", "profiles",
                                          "unit", NULL};
    static const char *const unit_allowed[] = {"caseworkers", "cases", "full_rate_below", "zero_rate_above", NULL};
    if (list_of_groups(ld, s, "sources", MODEL_MAX_SOURCES) != 0)
        return -1;
    if (config_lookup(&ld->cfg, "referrals.rate_per_month"))
        return fail(ld, config_lookup(&ld->cfg, "referrals.rate_per_month"), "referrals.rate_per_month",
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
        if (unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0)
            return -1;
        const char *kind;
        if (item_string(ld, e, path, "kind", 0, &kind) != 0)
            return -1;
        src->kind = SOURCE_POISSON;
        if (kind && strcmp(kind, "quota") == 0)
            src->kind = SOURCE_QUOTA;
        else if (kind && strcmp(kind, "poisson") != 0) {
            snprintf(key, sizeof key, "%s.kind", path);
            return fail(ld, config_setting_get_member(e, "kind"), key, "expected \"poisson\" or \"quota\", got '%s'", kind);
        }
        const config_setting_t *rate = config_setting_get_member(e, "rate_per_month");
        const config_setting_t *sched = config_setting_get_member(e, "schedule");
        if (!!rate == !!sched)
            return fail(ld, e, path, "give either rate_per_month or schedule (one of them)");
        if (rate) {
            src->rate.count = 1;
            src->rate.month[0] = 0;
            if (item_number(ld, e, path, "rate_per_month", 0, 1e7, 0, 1, 0, &src->rate.value[0]) != 0)
                return -1;
        } else {
            snprintf(key, sizeof key, "%s.schedule", path);
            if (item_schedule(ld, sched, key, &src->rate) != 0)
                return -1;
        }
        if (item_int(ld, e, path, "replacement", 0, 100, 0, 0, &src->replacement) != 0)
            return -1;
        const config_setting_t *shares = config_setting_get_member(e, "profiles");
        snprintf(key, sizeof key, "%s.profiles", path);
        if (shares && p->profiles == 0)
            return fail(ld, shares, key, "profile shares need a top-level profiles list");
        if (p->profiles > 1 && !shares)
            return fail(ld, e, key, "missing; with several profiles each source gives their shares");
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
                return fail(ld, unit, key, "expected a group { caseworkers; cases; full_rate_below; zero_rate_above; }");
            const config_setting_t *cases = config_setting_get_member(unit, "cases");
            char ckey[128];
            snprintf(ckey, sizeof ckey, "%s.cases", key);
            if (item_members(ld, unit, key, unit_allowed) != 0 ||
                item_number(ld, unit, key, "caseworkers", 0, 1e6, 1, 1, 0, &src->unit_caseworkers) != 0 ||
                item_number(ld, unit, key, "full_rate_below", 0, 1e6, 0, 1, 0, &src->unit_full_below) != 0 ||
                item_number(ld, unit, key, "zero_rate_above", 0, 1e6, 0, 1, 0, &src->unit_zero_above) != 0)
                return -1;
            if (!cases)
                return fail(ld, unit, ckey, "missing; expected a schedule of the unit's cases");
            if (item_schedule(ld, cases, ckey, &src->unit_cases) != 0)
                return -1;
            if (!(src->unit_zero_above > src->unit_full_below))
                return fail(ld, unit, key, "zero_rate_above (%g) must exceed full_rate_below (%g)", src->unit_zero_above,
                            src->unit_full_below);
            src->has_unit = 1;
        }
    }
    p->sources = config_setting_length(s);
    return 0;
}

static int read_roles(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "caseload_cap", "decides", "call_in_probability", "meeting_hours", NULL};
    if (list_of_groups(ld, s, "staff.roles", MODEL_MAX_ROLES) != 0)
        return -1;
    for (const char *k = "staff.workers"; k; k = strcmp(k, "staff.workers") == 0 ? "staff.caseload_cap" : NULL)
        if (config_lookup(&ld->cfg, k))
            return fail(ld, config_lookup(&ld->cfg, k), k,
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
        if (unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_number(ld, e, path, "caseload_cap", 0, 1e6, 0, 0, 0, &r->caseload_cap) != 0 ||
            item_bool(ld, e, path, "decides", &r->decides) != 0 ||
            item_number(ld, e, path, "call_in_probability", 0, 1, 0, 0, 0, &r->call_in_probability) != 0 ||
            item_dist(ld, e, path, "meeting_hours", r->decides || r->call_in_probability > 0, "hours", &r->meeting_hours) != 0)
            return -1;
    }
    p->roles = config_setting_length(s);
    if (!config_lookup(&ld->cfg, "staff.teams"))
        return fail(ld, s, "staff.teams", "missing; with staff.roles, staff.teams says who works where");
    return 0;
}

static int read_teams(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "members", NULL};
    static const char *const member_allowed[] = {"role", "count", "fte", "start_month", NULL};
    if (p->roles == 0)
        return fail(ld, s, "staff.teams", "teams need staff.roles");
    if (list_of_groups(ld, s, "staff.teams", MODEL_MAX_TEAMS) != 0)
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
        if (unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0)
            return -1;
        const config_setting_t *members = config_setting_get_member(e, "members");
        snprintf(key, sizeof key, "%s.members", path);
        if (!members)
            return fail(ld, e, key, "missing; expected ( { role; count; fte; start_month; }, ... )");
        if (list_of_groups(ld, members, key, MODEL_MAX_GROUPS) != 0)
            return -1;
        for (int g = 0; g < config_setting_length(members); g++) {
            const config_setting_t *m = config_setting_get_elem(members, (unsigned)g);
            model_member_group *mg = &t->group[g];
            char mpath[128];
            snprintf(mpath, sizeof mpath, "%s[%d]", key, g);
            const char *role;
            if (item_members(ld, m, mpath, member_allowed) != 0 || item_string(ld, m, mpath, "role", 1, &role) != 0)
                return -1;
            mg->role = find_name((const char(*)[MODEL_NAME_LEN])role_names, p->roles, role);
            char rkey[160];
            snprintf(rkey, sizeof rkey, "%s.role", mpath);
            if (mg->role < 0)
                return fail_unknown_name(ld, config_setting_get_member(m, "role"), rkey, "role", role,
                                         (const char(*)[MODEL_NAME_LEN])role_names, p->roles);
            if (item_int(ld, m, mpath, "count", 0, MODEL_MAX_WORKERS, 0, 1, &mg->count) != 0 ||
                item_number(ld, m, mpath, "fte", 0, 1, 1, 0, 1.0, &mg->fte) != 0 ||
                item_number(ld, m, mpath, "start_month", 0, 1200, 0, 0, 0.0, &mg->start_month) != 0)
                return -1;
        }
        t->groups = config_setting_length(members);
    }
    p->teams = config_setting_length(s);
    return 0;
}

static int read_measures(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "places", "open_month", "close_month", "duration_days", "exit_to",
                                          "exit_probability", NULL};
    if (list_of_groups(ld, s, "measures", MODEL_MAX_MEASURES) != 0)
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
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, ms->name) != 0)
            return -1;
        memcpy(names[i], ms->name, MODEL_NAME_LEN);
        if (unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_int(ld, e, path, "places", 0, 10000000, 1, 0, &ms->places) != 0 ||
            item_number(ld, e, path, "open_month", 0, 1200, 0, 0, 0, &ms->open_month) != 0 ||
            item_number(ld, e, path, "close_month", 0, 1e9, 0, 0, 1e9, &ms->close_month) != 0 ||
            item_dist(ld, e, path, "duration_days", 1, "days", &ms->duration_days) != 0 ||
            item_string(ld, e, path, "exit_to", 0, &to) != 0 ||
            item_number(ld, e, path, "exit_probability", 0, 1, 0, 0, 0, &ms->exit_probability) != 0)
            return -1;
        if (!(ms->close_month > ms->open_month))
            return fail(ld, e, path, "close_month (%g) must come after open_month (%g)", ms->close_month, ms->open_month);
        ms->exit_destination = -1;
        if (to) {
            char key[96];
            snprintf(key, sizeof key, "%s.exit_to", path);
            ms->exit_destination = find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, to);
            if (ms->exit_destination < 0)
                return fail_unknown_name(ld, config_setting_get_member(e, "exit_to"), key, "destination", to,
                                         (const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations);
        }
    }
    p->measures = config_setting_length(s);
    return 0;
}

static int read_phases(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "meeting_hours", "own_time_days", "progress_per_meeting",
                                          "exit_probability", "exits", "completion", "needs_decision", "measure", NULL};
    if (list_of_groups(ld, s, "phases", MODEL_MAX_PHASES) != 0)
        return -1;
    static const char *const core[] = {"casework", "exits.probability_per_meeting", "exits.shares"};
    for (size_t c = 0; c < 3; c++)
        if (config_lookup(&ld->cfg, core[c]))
            return fail(ld, config_lookup(&ld->cfg, core[c]), core[c],
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
        if (unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_dist(ld, e, path, "meeting_hours", 1, "hours", &ph->meeting_hours) != 0 ||
            item_dist(ld, e, path, "own_time_days", 1, "days", &ph->own_time_days) != 0 ||
            item_number(ld, e, path, "progress_per_meeting", 0, 1e3, 0, 0, 0, &ph->progress_per_meeting) != 0 ||
            item_number(ld, e, path, "exit_probability", 0, 1, 0, 0, 0, &ph->exit_probability) != 0 ||
            item_bool(ld, e, path, "needs_decision", &ph->needs_decision) != 0 ||
            item_string(ld, e, path, "measure", 0, &measure) != 0)
            return -1;
        if (dist_mean(&ph->meeting_hours) <= 0) {
            snprintf(key, sizeof key, "%s.meeting_hours", path);
            return fail(ld, config_setting_get_member(e, "meeting_hours"), key, "meetings must take time (mean > 0)");
        }
        const config_setting_t *ex = config_setting_get_member(e, "exits");
        snprintf(key, sizeof key, "%s.exits", path);
        if (ph->exit_probability > 0 && !ex)
            return fail(ld, e, key, "missing; exit_probability > 0 needs the destinations' shares");
        if (ex && item_shares(ld, ex, key, "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                              p->destinations, ph->exit_shares) != 0)
            return -1;
        const config_setting_t *done = config_setting_get_member(e, "completion");
        snprintf(key, sizeof key, "%s.completion", path);
        if (done && i < n - 1)
            return fail(ld, done, key, "only the last phase has completion shares; earlier phases lead to the next");
        if (!done && i == n - 1 && ph->progress_per_meeting > 0)
            return fail(ld, e, key, "missing; the last phase can be completed, so say where completing it leads");
        if (done && item_shares(ld, done, key, "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                                p->destinations, ph->completion_shares) != 0)
            return -1;
        if (i < n - 1 && !(ph->progress_per_meeting > 0) && !(ph->exit_probability > 0))
            return fail(ld, e, path, "this phase can never be left: give progress_per_meeting or exit_probability > 0");
        if (i == n - 1 && !(ph->progress_per_meeting > 0) && !(ph->exit_probability > 0) &&
            !config_lookup(&ld->cfg, "programme.max_months"))
            return fail(ld, e, path, "this phase can never be left: give progress_per_meeting, exit_probability > 0 or "
                                     "programme.max_months");
        ph->measure = -1;
        if (measure) {
            char mn[MODEL_MAX_MEASURES][MODEL_NAME_LEN];
            for (int j = 0; j < p->measures; j++)
                memcpy(mn[j], p->measure[j].name, MODEL_NAME_LEN);
            snprintf(key, sizeof key, "%s.measure", path);
            ph->measure = find_name((const char(*)[MODEL_NAME_LEN])mn, p->measures, measure);
            if (ph->measure < 0)
                return fail_unknown_name(ld, config_setting_get_member(e, "measure"), key, "measure", measure,
                                         (const char(*)[MODEL_NAME_LEN])mn, p->measures);
        }
        if (ph->needs_decision) {
            int decider = 0;
            for (int r = 0; r < p->roles; r++)
                decider |= p->role[r].decides;
            if (!decider)
                return fail(ld, config_setting_get_member(e, "needs_decision"), path,
                            "needs a decision, but no role in staff.roles has decides = true");
        }
    }
    p->phases = n;
    return 0;
}

static int read_destinations(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    if (config_lookup(&ld->cfg, "exits.shares"))
        return fail(ld, s, "exits.destinations", "give either exits.destinations or exits.shares, not both");
    if (!config_lookup(&ld->cfg, "phases"))
        return fail(ld, s, "exits.destinations",
                    "without phases, exits need their shares: use exits.shares = { name = share; ... }");
    int t = config_setting_type(s);
    int n = config_setting_length(s);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || n < 1 || n > MODEL_MAX_DESTINATIONS)
        return fail(ld, s, "exits.destinations", "expected a list of 1 to %d names", MODEL_MAX_DESTINATIONS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING || !*config_setting_get_string(e) ||
            strlen(config_setting_get_string(e)) >= MODEL_NAME_LEN)
            return fail(ld, e, "exits.destinations", "expected names (strings of 1 to %d characters)", MODEL_NAME_LEN - 1);
        snprintf(p->destination_names[i], MODEL_NAME_LEN, "%s", config_setting_get_string(e));
        if (find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, i, p->destination_names[i]) >= 0)
            return fail(ld, e, "exits.destinations", "the name '%s' is used twice", p->destination_names[i]);
    }
    p->destinations = n;
    return 0;
}

static int read_good(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    return item_name_mask(ld, s, "exits.good", "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                          p->destinations, &p->good_destinations);
}

static int read_followup(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, "exits.followup", "expected a group { work = { at_12; at_24; }; ... }");
    for (int d = 0; d < MODEL_MAX_DESTINATIONS; d++)
        p->retained_12[d] = p->retained_24[d] = NAN;
    int followed = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(e);
        char key[128];
        snprintf(key, sizeof key, "exits.followup.%s", name);
        if (strcmp(name, "relapse_probability") == 0) {
            config_key k = {.path = key, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "probability"};
            if (read_number(ld, &k, e, &p->relapse_probability) != 0)
                return -1;
            continue;
        }
        if (strcmp(name, "relapse_source") == 0) {
            if (config_setting_type(e) != CONFIG_TYPE_STRING)
                return fail(ld, e, key, "expected a source name");
            char sn[MODEL_MAX_SOURCES][MODEL_NAME_LEN];
            for (int j = 0; j < p->sources; j++)
                memcpy(sn[j], p->source[j].name, MODEL_NAME_LEN);
            p->relapse_source = find_name((const char(*)[MODEL_NAME_LEN])sn, p->sources, config_setting_get_string(e));
            if (p->relapse_source < 0)
                return fail_unknown_name(ld, e, key, "source", config_setting_get_string(e),
                                         (const char(*)[MODEL_NAME_LEN])sn, p->sources);
            continue;
        }
        int d = find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, name);
        if (d < 0)
            return fail_unknown_name(ld, e, key, "destination", name, (const char(*)[MODEL_NAME_LEN])p->destination_names,
                                     p->destinations);
        static const char *const allowed[] = {"at_12", "at_24", NULL};
        if (config_setting_type(e) != CONFIG_TYPE_GROUP)
            return fail(ld, e, key, "expected { at_12 = share; at_24 = share; }");
        if (item_members(ld, e, key, allowed) != 0 ||
            item_number(ld, e, key, "at_12", 0, 1, 0, 1, 0, &p->retained_12[d]) != 0 ||
            item_number(ld, e, key, "at_24", 0, 1, 0, 1, 0, &p->retained_24[d]) != 0)
            return -1;
        followed = 1;
    }
    if (!followed)
        return fail(ld, s, "exits.followup", "name at least one destination to follow up");
    if (p->relapse_probability > 0 && !config_setting_get_member(s, "relapse_source")) {
        if (p->sources > 0)
            return fail(ld, s, "exits.followup.relapse_source", "missing; relapses come back through a source");
    }
    p->has_followup = 1;
    return 0;
}

static int read_targets(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"name", "kind", "destinations", "value", "deadline_month", NULL};
    if (list_of_groups(ld, s, "targets", MODEL_MAX_TARGETS) != 0)
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
        if (unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_string(ld, e, path, "kind", 1, &kind) != 0)
            return -1;
        snprintf(key, sizeof key, "%s.kind", path);
        t->kind = choice_index("enrolled|exits|share", kind);
        if (t->kind < 0)
            return fail(ld, config_setting_get_member(e, "kind"), key, "expected enrolled, exits or share, got '%s'", kind);
        if (item_number(ld, e, path, "value", 0, t->kind == TARGET_SHARE ? 1 : 1e9, 0, 1, 0, &t->value) != 0 ||
            item_number(ld, e, path, "deadline_month", 0, p->horizon_months, 1, 1, 0, &t->deadline_month) != 0)
            return -1;
        const config_setting_t *dests = config_setting_get_member(e, "destinations");
        snprintf(key, sizeof key, "%s.destinations", path);
        if (t->kind != TARGET_ENROLLED && !dests)
            return fail(ld, e, key, "missing; an exits or share target names the destinations it counts");
        if (dests && item_name_mask(ld, dests, key, "destination", (const char(*)[MODEL_NAME_LEN])p->destination_names,
                                    p->destinations, &t->destinations) != 0)
            return -1;
    }
    p->targets = config_setting_length(s);
    return 0;
}

static int read_pressure(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    static const char *const allowed[] = {"target", "cap_increase", "mapping_speedup", NULL};
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, "method.pressure", "expected { target; cap_increase; mapping_speedup; }");
    const char *target;
    if (item_members(ld, s, "method.pressure", allowed) != 0 ||
        item_string(ld, s, "method.pressure", "target", 1, &target) != 0 ||
        item_number(ld, s, "method.pressure", "cap_increase", 0, 10, 0, 0, 0, &p->pressure_cap_increase) != 0 ||
        item_number(ld, s, "method.pressure", "mapping_speedup", 0, 100, 0, 0, 0, &p->pressure_mapping_speedup) != 0)
        return -1;
    char tn[MODEL_MAX_TARGETS][MODEL_NAME_LEN];
    for (int j = 0; j < p->targets; j++)
        memcpy(tn[j], p->target[j].name, MODEL_NAME_LEN);
    p->pressure_target = find_name((const char(*)[MODEL_NAME_LEN])tn, p->targets, target);
    if (p->pressure_target < 0)
        return fail_unknown_name(ld, config_setting_get_member(s, "target"), "method.pressure.target", "target", target,
                                 (const char(*)[MODEL_NAME_LEN])tn, p->targets);
    if (p->target[p->pressure_target].kind == TARGET_SHARE)
        return fail(ld, config_setting_get_member(s, "target"), "method.pressure.target",
                    "volume pressure follows an enrolled or exits target, not a share");
    p->has_pressure = 1;
    return 0;
}

/* ---- money ---------------------------------------------------------------
 * The `money` section (money.h says what the ledger does with it). Actors are
 * named as in money_component_names; the Swedish names people will write
 * (landsting, staten, ...) get a pointed "did you mean". */

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
                return fail(ld, m, key, "the participant pays no programme cost; payers are kommun, region, fk, af "
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
        return fail(ld, m, key, "no actor named '%s' (did you mean '%s'?); actors are %s", name, hint, list);
    return fail(ld, m, key, "no actor named '%s'; actors are %s", name, list);
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
        return fail(ld, item, key, "missing; expected an actor (\"kommun\", \"region\", \"fk\", \"af\", \"state\") "
                                   "or shares { kommun = 0.5; region = 0.5; }");
    if (config_setting_type(s) == CONFIG_TYPE_STRING) {
        int c = money_component(ld, s, key, config_setting_get_string(s), 0, 0);
        if (c < 0)
            return -1;
        out->share[c] = 1;
        return 0;
    }
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, key, "expected an actor's name or a group of actor = share, got %s", config_type_name(s));
    double sum = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        char sub[300];
        snprintf(sub, sizeof sub, "%s.%s", key, config_setting_name(m));
        int c = money_component(ld, m, sub, config_setting_name(m), 0, 0);
        if (c < 0)
            return -1;
        config_key k = {.path = sub, .type = KEY_FLOAT, .min = 0, .max = 1, .unit = "share"};
        if (read_number(ld, &k, m, &out->share[c]) != 0)
            return -1;
        sum += out->share[c];
    }
    if (fabs(sum - 1.0) > 1e-9)
        return fail(ld, s, key, "shares must sum to 1, they sum to %.12g", sum);
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
            return fail(ld, s, key, "expected \"baseline\" (the before-state) or a group { kommun = kr/month; ... }, "
                                    "got '%s'", config_setting_get_string(s));
        out->relative = 1;
        return 0;
    }
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, key, "expected a group { kommun = kr/month; region; fk; af; state; income; }%s, got %s",
                    before_state ? "" : " or \"baseline\"", config_type_name(s));
    const config_setting_t *rel = config_setting_get_member(s, "relative");
    if (rel) {
        char rkey[300];
        snprintf(rkey, sizeof rkey, "%s.relative", key);
        if (before_state)
            return fail(ld, rel, rkey, "the before-state is what other states are relative to; give its own figures");
        if (config_setting_type(rel) != CONFIG_TYPE_BOOL)
            return fail(ld, rel, rkey, "expected true or false, got %s", config_type_name(rel));
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
        if (read_number(ld, &k, m, &out->v[c]) != 0)
            return -1;
        if (!out->relative && out->v[c] < 0) {
            if (c == MONEY_FK || c == MONEY_AF)
                return fail(ld, m, sub, "expected a cost >= 0 kr/month, got %.17g: %s only pays out for a person "
                                        "(benefits, measures, handling) and takes in nothing, so its cost cannot be "
                                        "negative (a change is negative: use relative = true)",
                            out->v[c], c == MONEY_FK ? "FK" : "AF");
            if (c == MONEY_INCOME)
                return fail(ld, m, sub, "expected a disposable income >= 0 kr/month, got %.17g (a change may be "
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
                return fail(ld, m ? m : s, sub, "this change takes %s below 0 for profile '%s' (before-state %.17g, "
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
    if (list_of_groups(ld, s, "money.staff", MODEL_MAX_ROLES) != 0)
        return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char path[64], key[96];
        snprintf(path, sizeof path, "money.staff[%d]", i);
        snprintf(key, sizeof key, "%s.role", path);
        const char *role;
        if (item_members(ld, e, path, allowed) != 0 || item_string(ld, e, path, "role", 1, &role) != 0)
            return -1;
        int r = find_name((const char(*)[MODEL_NAME_LEN])role_names, roles, role);
        if (r < 0)
            return fail_unknown_name(ld, config_setting_get_member(e, "role"), key,
                                     p->roles > 0 ? "role in staff.roles" : "role (without staff.roles the one role "
                                                                            "is \"worker\")",
                                     role, (const char(*)[MODEL_NAME_LEN])role_names, roles);
        if (given[r])
            return fail(ld, e, key, "role '%s' is costed twice", role);
        given[r] = 1;
        if (item_number(ld, e, path, "cost_per_fte_year", 0, 1e8, 0, 1, 0, &mp->staff_cost_per_fte_year[r]) != 0 ||
            money_split_read(ld, e, path, "employer", &mp->staff_employer[r]) != 0)
            return -1;
    }
    for (int r = 0; r < roles; r++) {
        int posts = p->roles > 0 ? 0 : p->workers;
        for (int t = 0; t < p->teams; t++)
            for (int g = 0; g < p->team[t].groups; g++)
                posts += p->team[t].group[g].role == r ? p->team[t].group[g].count : 0;
        if (!given[r] && posts > 0)
            return fail(ld, s, "money.staff", "role '%s' has %d post%s but no cost: add { role = \"%s\"; "
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
        return fail(ld, s, "money.measures", "the scenario has no measures to cost");
    char names[MODEL_MAX_MEASURES][MODEL_NAME_LEN];
    for (int k = 0; k < p->measures; k++)
        memcpy(names[k], p->measure[k].name, MODEL_NAME_LEN);
    int given[MODEL_MAX_MEASURES] = {0};
    if (list_of_groups(ld, s, "money.measures", MODEL_MAX_MEASURES) != 0)
        return -1;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char path[64], key[96];
        snprintf(path, sizeof path, "money.measures[%d]", i);
        snprintf(key, sizeof key, "%s.name", path);
        const char *name;
        if (item_members(ld, e, path, allowed) != 0 || item_string(ld, e, path, "name", 1, &name) != 0)
            return -1;
        int k = find_name((const char(*)[MODEL_NAME_LEN])names, p->measures, name);
        if (k < 0)
            return fail_unknown_name(ld, config_setting_get_member(e, "name"), key, "measure", name,
                                     (const char(*)[MODEL_NAME_LEN])names, p->measures);
        if (given[k])
            return fail(ld, e, key, "measure '%s' is costed twice", name);
        given[k] = 1;
        if (item_number(ld, e, path, "cost_per_participant_month", 0, 1e7, 0, 1, 0, &mp->measure_cost_per_month[k]) !=
                0 ||
            money_split_read(ld, e, path, "paid_by", &mp->measure_paid_by[k]) != 0)
            return -1;
    }
    for (int k = 0; k < p->measures; k++)
        if (!given[k])
            return fail(ld, s, "money.measures", "measure '%s' has no cost: add { name = \"%s\"; "
                                                 "cost_per_participant_month = kr; paid_by = actor; }",
                        names[k], names[k]);
    return 0;
}

/* fixed (cost per month) and per_participant (cost per participant started). */
static int money_items_read(loader *ld, const config_setting_t *s, const char *what, const char *cost_key, double max,
                            money_item *items, int *count)
{
    const char *const allowed[] = {"name", cost_key, "paid_by", NULL};
    if (list_of_groups(ld, s, what, MONEY_MAX_ITEMS) != 0)
        return -1;
    char names[MONEY_MAX_ITEMS][MODEL_NAME_LEN];
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char path[64];
        snprintf(path, sizeof path, "%s[%d]", what, i);
        if (item_members(ld, e, path, allowed) != 0 || item_name(ld, e, path, items[i].name) != 0)
            return -1;
        memcpy(names[i], items[i].name, MODEL_NAME_LEN);
        if (unique_name(ld, e, path, (const char(*)[MODEL_NAME_LEN])names, i) != 0 ||
            item_number(ld, e, path, cost_key, 0, max, 0, 1, 0, &items[i].cost) != 0 ||
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
        return fail(ld, s, "money.baseline", "expected a group, got %s", config_type_name(s));
    if (p->profiles == 0) {
        for (int i = 0; i < config_setting_length(s); i++) {
            const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
            if (config_setting_type(m) == CONFIG_TYPE_GROUP) {
                char key[160];
                snprintf(key, sizeof key, "money.baseline.%s", config_setting_name(m));
                return fail(ld, m, key, "the scenario has no profiles, so the before-state is one group "
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
        int k = find_name((const char(*)[MODEL_NAME_LEN])names, p->profiles, config_setting_name(m));
        if (k < 0)
            return fail_unknown_name(ld, m, key, "profile", config_setting_name(m),
                                     (const char(*)[MODEL_NAME_LEN])names, p->profiles);
        if (money_state_read(ld, m, key, sc, 1, &mp->baseline[k]) != 0)
            return -1;
        given[k] = 1;
    }
    for (int k = 0; k < p->profiles; k++)
        if (!given[k])
            return fail(ld, s, "money.baseline", "profile '%s' has no before-state: add %s = { kommun = kr/month; "
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
        return fail(ld, s, "money.after", "expected a group { destination = state or { in = state; out = state; }; "
                                          "default = ...; }, got %s", config_type_name(s));
    if (find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, "default") >= 0)
        return fail(ld, s, "money.after", "a destination is named 'default', which here means every destination not "
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
        int d = find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, name);
        if (d < 0)
            return fail_unknown_name(ld, e, key, "destination", name,
                                     (const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations);
        if (money_after_entry(ld, e, key, sc, d) != 0)
            return -1;
    }
    return 0;
}

static int read_money(loader *ld, const config_setting_t *s, config_scenario *sc)
{
    model_params *p = &sc->model;
    money_params *mp = &sc->money;
    static const char *const allowed[] = {"discount_rate", "horizons_years", "horizon_from", "staff", "measures",
                                          "fixed", "per_participant", "baseline", "waiting", "in_programme", "after",
                                          NULL};
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(ld, s, "money", "expected a group { staff = ...; baseline = ...; ... }, got %s", config_type_name(s));
    money_params_init(mp);
    if (item_members(ld, s, "money", allowed) != 0 ||
        item_number(ld, s, "money", "discount_rate", 0, 1, 0, 0, 0.0, &mp->discount_rate) != 0)
        return -1;
    const config_setting_t *hz = config_setting_get_member(s, "horizons_years");
    if (hz) {
        int t = config_setting_type(hz), n = config_setting_length(hz);
        if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || n < 1 || n > MONEY_MAX_HORIZONS)
            return fail(ld, hz, "money.horizons_years", "expected a list of 1 to %d horizons in years [1, 5]",
                        MONEY_MAX_HORIZONS);
        for (int i = 0; i < n; i++) {
            double y;
            config_key k = {.path = "money.horizons_years", .type = KEY_FLOAT, .min = 0, .max = 50, .min_open = 1,
                            .unit = "years"};
            if (read_number(ld, &k, config_setting_get_elem(hz, (unsigned)i), &y) != 0)
                return -1;
            double months = 12 * y;
            if (fabs(months - round(months)) > 1e-6)
                return fail(ld, hz, "money.horizons_years", "expected whole months: %.17g years is %.6g months", y,
                            months);
            mp->horizon_months[i] = (int)round(months);
            if (i > 0 && mp->horizon_months[i] <= mp->horizon_months[i - 1])
                return fail(ld, hz, "money.horizons_years", "horizons must increase: %.17g years after %.17g", y,
                            mp->horizon_months[i - 1] / 12.0);
        }
        mp->horizons = n;
    }
    const char *from;
    if (item_string(ld, s, "money", "horizon_from", 0, &from) != 0)
        return -1;
    if (from) {
        mp->horizon_from = choice_index("referral|start|exit", from);
        if (mp->horizon_from < 0)
            return fail(ld, config_setting_get_member(s, "horizon_from"), "money.horizon_from",
                        "expected one of referral/start/exit (a string), got '%s'", from);
    }
    const config_setting_t *m;
    if (!(m = config_setting_get_member(s, "staff")))
        return fail(ld, s, "money.staff", "missing; expected ( { role = name; cost_per_fte_year = kr; employer = "
                                          "actor; }, ... ) for every role with posts (\"worker\" without staff.roles)");
    if (money_staff_read(ld, m, sc) != 0)
        return -1;
    if ((m = config_setting_get_member(s, "measures"))) {
        if (money_measures_read(ld, m, sc) != 0)
            return -1;
    } else if (p->measures > 0) {
        return fail(ld, s, "money.measures", "missing; the scenario has measures, so give each one's "
                                             "cost_per_participant_month and paid_by");
    }
    if ((m = config_setting_get_member(s, "fixed")) &&
        money_items_read(ld, m, "money.fixed", "cost_per_month", 1e9, mp->fixed, &mp->fixed_items) != 0)
        return -1;
    if ((m = config_setting_get_member(s, "per_participant")) &&
        money_items_read(ld, m, "money.per_participant", "cost", 1e8, mp->per_participant,
                         &mp->per_participant_items) != 0)
        return -1;
    if (!(m = config_setting_get_member(s, "baseline")))
        return fail(ld, s, "money.baseline", "missing; expected the monthly cost of a person's exclusion before the "
                                             "programme, by actor%s",
                    p->profiles > 0 ? ", for each profile" : "");
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
            return fail(ld, after ? after : s, key, "missing; people exiting to '%s' are counted in work or studies "
                                                    "(%s), so say what a person in that state costs (or give "
                                                    "money.after.default.in)",
                        p->destination_names[d], followed ? "exits.followup" : "exits.good");
        }
    }
    mp->enabled = 1;
    return 0;
}

/* Flags and cross-checks that need the whole scenario. */
static int finish_scenario(loader *ld, config_scenario *sc)
{
    model_params *p = &sc->model;
    p->has_patience = config_lookup(&ld->cfg, "waiting.patience_days") != NULL;
    p->has_turnover = config_lookup(&ld->cfg, "staff.turnover") != NULL;
    p->has_learning = config_lookup(&ld->cfg, "staff.learning") != NULL;
    p->has_maturity = config_lookup(&ld->cfg, "staff.maturity") != NULL;
    p->has_method = config_lookup(&ld->cfg, "method.time_share") != NULL;
    if (p->has_turnover && !config_lookup(&ld->cfg, "staff.turnover.tenure_months"))
        return fail(ld, config_lookup(&ld->cfg, "staff.turnover"), "staff.turnover.tenure_months", "missing");
    if (config_lookup(&ld->cfg, "method") && !p->has_method && !config_lookup(&ld->cfg, "method.pressure"))
        return fail(ld, config_lookup(&ld->cfg, "method"), "method.time_share", "missing; expected a share in [0, 1)");
    if (p->has_method && p->method_time_share >= 1)
        return fail(ld, config_lookup(&ld->cfg, "method.time_share"), "method.time_share",
                    "expected a share below 1 (some time must remain for meetings), got %g", p->method_time_share);
    if (p->profiles > 0 && p->sources == 0)
        return fail(ld, config_lookup(&ld->cfg, "profiles"), "profiles",
                    "profiles are drawn per source: give sources with their profile shares");
    if (p->waiting_by_priority && p->profiles == 0)
        return fail(ld, config_lookup(&ld->cfg, "waiting.policy"), "waiting.policy",
                    "a priority list orders by profile priority: give profiles");
    p->time_limit_destination = -1;
    if (p->max_months > 0) {
        p->time_limit_destination =
            find_name((const char(*)[MODEL_NAME_LEN])p->destination_names, p->destinations, "time_limit");
        if (p->time_limit_destination < 0)
            return fail(ld, config_lookup(&ld->cfg, "programme.max_months"), "programme.max_months",
                        "a time limit needs a destination named time_limit in exits.shares (share 0 is fine) or "
                        "exits.destinations");
    }
    if (p->roles > 0) {
        for (int r = 0; r < p->roles; r++) {
            if (!p->role[r].decides && !(p->role[r].call_in_probability > 0))
                continue;
            int present = 0;
            for (int t = 0; t < p->teams; t++)
                for (int g = 0; g < p->team[t].groups; g++)
                    present |= p->team[t].group[g].role == r && p->team[t].group[g].count > 0;
            if (!present) {
                char key[64];
                snprintf(key, sizeof key, "staff.roles[%d]", r);
                return fail(ld, config_lookup(&ld->cfg, "staff.roles"), key,
                            "role '%s' decides or is called in, but no team has anyone in it", p->role[r].name);
            }
        }
        if (p->cap_by_need)
            for (int i = 0; i < p->profiles; i++)
                for (int r = 0; r < p->roles; r++)
                    if (p->role[r].caseload_cap > 0 && p->role[r].caseload_cap < p->profile[i].need)
                        return fail(ld, config_lookup(&ld->cfg, "staff.roles"), "staff.roles",
                                    "role '%s' has caseload_cap %g, below the need %g of profile '%s': nobody of "
                                    "that profile could ever be assigned",
                                    p->role[r].name, p->role[r].caseload_cap, p->profile[i].need, p->profile[i].name);
    } else if (p->cap_by_need) {
        for (int i = 0; i < p->profiles; i++)
            if (p->caseload_cap < p->profile[i].need)
                return fail(ld, config_lookup(&ld->cfg, "staff.caseload_cap"), "staff.caseload_cap",
                            "caseload cap %d is below the need %g of profile '%s'", p->caseload_cap, p->profile[i].need,
                            p->profile[i].name);
    }
    if (p->has_learning && p->learning_start > 1)
        return -1;
    return 0;
}

/* ---- overrides --------------------------------------------------------- */

static config_setting_t *ensure_group(config_setting_t *parent, const char *name)
{
    config_setting_t *g = config_setting_get_member(parent, name);
    if (g)
        return config_setting_type(g) == CONFIG_TYPE_GROUP ? g : NULL;
    return config_setting_add(parent, name, CONFIG_TYPE_GROUP);
}

static int apply_override(loader *ld, const char *text)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return fail(ld, NULL, text, "an override must look like -s key.path=value");
    char path[256];
    size_t plen = (size_t)(eq - text);
    if (plen >= sizeof path)
        return fail(ld, NULL, text, "key path too long");
    memcpy(path, text, plen);
    path[plen] = '\0';
    const char *value = eq + 1;

    config_setting_t *parent = config_root_setting(&ld->cfg);
    char *save = NULL, work[256];
    memcpy(work, path, plen + 1);
    char *part = strtok_r(work, ".", &save);
    char *next;
    while (part && (next = strtok_r(NULL, ".", &save)) != NULL) {
        parent = ensure_group(parent, part);
        if (!parent)
            return fail(ld, NULL, path, "cannot set: '%s' is not a group", part);
        part = next;
    }
    if (!part || !*part)
        return fail(ld, NULL, path, "empty key");
    if (config_setting_get_member(parent, part))
        config_setting_remove(parent, part);

    char *end;
    errno = 0;
    long long iv = strtoll(value, &end, 10);
    config_setting_t *s;
    if (*value && *end == '\0' && errno == 0) {
        s = config_setting_add(parent, part, CONFIG_TYPE_INT64);
        if (s)
            config_setting_set_int64(s, iv);
    } else {
        errno = 0;
        double dv = strtod(value, &end);
        /* Out of range (1e999) is still a number, so the range check can
         * say "not finite" rather than "got a string". */
        if (*value && *end == '\0' && (errno == 0 || errno == ERANGE)) {
            s = config_setting_add(parent, part, CONFIG_TYPE_FLOAT);
            if (s)
                config_setting_set_float(s, dv);
        } else {
            size_t vl = strlen(value);
            char unq[256];
            if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"' && vl - 2 < sizeof unq) {
                memcpy(unq, value + 1, vl - 2);
                unq[vl - 2] = '\0';
                value = unq;
            }
            s = config_setting_add(parent, part, CONFIG_TYPE_STRING);
            if (s)
                config_setting_set_string(s, value);
        }
    }
    if (!s)
        return fail(ld, NULL, path, "cannot set this key");
    return 0;
}

/* ---- loading ----------------------------------------------------------- */

char *config_read_text(const char *path, size_t *len, char *why, size_t why_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            if (cap >= ((size_t)64 << 20)) {
                snprintf(why, why_size, "larger than 64 MiB; not a caseflow text file");
                free(buf);
                fclose(f);
                return NULL;
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    int read_error = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf) {
        snprintf(why, why_size, "out of memory reading it");
        return NULL;
    }
    if (read_error) {
        snprintf(why, why_size, "cannot read: %s", strerror(read_error));
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *join_overrides(const char *const *ov, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(ov[i]) + 1;
    char *out = malloc(len);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(out, ov[i]);
        strcat(out, "\n");
    }
    return out;
}

int config_load(config_scenario *sc, const char *path, const char *const *overrides, int n_overrides,
                config_error *err)
{
    memset(sc, 0, sizeof *sc);
    loader ld = {.path = path, .overrides = overrides, .n_overrides = n_overrides, .err = err};
    err->message[0] = '\0';
    char why[200];
    size_t len = 0;
    char *text = config_read_text(path, &len, why, sizeof why);
    if (!text)
        return fail(&ld, NULL, NULL, "%s", why);
    if (memchr(text, '\0', len)) {
        free(text);
        return fail(&ld, NULL, NULL, "contains NUL bytes; not a text scenario file");
    }
    config_init(&ld.cfg);
    config_set_auto_convert(&ld.cfg, 0);
    int rc = -1;
    if (config_read_string(&ld.cfg, text) != CONFIG_TRUE) {
        snprintf(err->message, sizeof err->message, "%s:%d: syntax error: %s", path, config_error_line(&ld.cfg),
                 config_error_text(&ld.cfg));
        config_one_line(err->message, sizeof err->message);
        goto out;
    }
    for (int i = 0; i < n_overrides; i++)
        if (apply_override(&ld, overrides[i]) != 0)
            goto out;
    if (check_known(&ld, config_root_setting(&ld.cfg), "") != 0)
        goto out;
    for (size_t i = 0; i < SCHEMA_SIZE; i++)
        if (read_key(&ld, &schema[i], sc) != 0)
            goto out;
    if (finish_scenario(&ld, sc) != 0)
        goto out;
    if (sc->model.warmup_months >= sc->model.horizon_months) {
        fail(&ld, config_lookup(&ld.cfg, "run.warmup_months"), "run.warmup_months",
             "expected fewer months than run.horizon_months (%d), got %d", sc->model.horizon_months,
             sc->model.warmup_months);
        goto out;
    }
    if (config_service_read(&ld.cfg, path, overrides, n_overrides, sc, err) != 0)
        goto out;
    const char *why_model = model_params_check(&sc->model);
    if (why_model) {
        fail(&ld, NULL, NULL, "inconsistent scenario: %s", why_model);
        goto out;
    }
    sc->path = strdup(path);
    sc->overrides = join_overrides(overrides, n_overrides);
    sc->text = text;
    text = NULL;
    if (!sc->path || !sc->overrides) {
        fail(&ld, NULL, NULL, "out of memory");
        goto out;
    }
    rc = 0;
out:
    free(text);
    config_destroy(&ld.cfg);
    if (rc != 0)
        config_scenario_free(sc);
    return rc;
}

void config_scenario_free(config_scenario *sc)
{
    free(sc->path);
    free(sc->text);
    free(sc->overrides);
    sc->path = sc->text = sc->overrides = NULL;
}

/* ---- listing ----------------------------------------------------------- */

static void print_value(FILE *out, const config_key *k, const config_scenario *sc)
{
    const char *field = (const char *)sc + k->offset;
    switch (k->type) {
    case KEY_INT: fprintf(out, "%d", *(const int *)field); break;
    case KEY_SEED: fprintf(out, "%lluL", (unsigned long long)*(const uint64_t *)field); break;
    case KEY_FLOAT: fprintf(out, "%.17g", *(const double *)field); break;
    case KEY_DIST: {
        const dist *d = (const dist *)field;
        const char *a, *b;
        dist_param_names(d->kind, &a, &b);
        fprintf(out, "{ dist = \"%s\"; %s = %.17g;", dist_kind_name(d->kind), a, d->p1);
        if (b)
            fprintf(out, " %s = %.17g;", b, d->p2);
        fprintf(out, " }");
        break;
    }
    case KEY_SHARES:
        fprintf(out, "{");
        for (int i = 0; i < sc->model.destinations; i++)
            fprintf(out, " %s = %.17g;", sc->model.destination_names[i], sc->model.destination_shares[i]);
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
static int key_applies(const config_key *k, const config_scenario *sc)
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
    const config_key *keys[SCHEMA_SIZE];
    size_t n = 0;
    for (size_t i = 0; i < SCHEMA_SIZE; i++)
        if (key_applies(&schema[i], sc) && strchr(schema[i].path, '.'))
            keys[n++] = &schema[i];
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

void config_print_reference(FILE *out)
{
    fprintf(out, "| key | type | unit | default | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < SCHEMA_SIZE; i++) {
        const config_key *k = &schema[i];
        char range[160];
        switch (k->type) {
        case KEY_INT:
        case KEY_FLOAT:
            describe_range(k, range, sizeof range);
            break;
        case KEY_SEED: snprintf(range, sizeof range, "integer >= 0"); break;
        case KEY_DIST: snprintf(range, sizeof range, "distribution group"); break;
        case KEY_SHARES: snprintf(range, sizeof range, "group of name = share"); break;
        case KEY_ENUM: snprintf(range, sizeof range, "one of %s", k->choices); break;
        case KEY_SECTION: snprintf(range, sizeof range, "%s", k->unit); break;
        }
        fprintf(out, "| `%s` | %s | %s | %s | %s |\n", k->path, range, k->unit,
                k->fallback ? k->fallback : "required", k->doc);
    }
}

int config_get_number(const config_scenario *sc, const char *path, double *value)
{
    if (strncmp(path, "money.", 6) == 0)
        return money_get_number(&sc->money, &sc->model, path, value);
    const config_key *k = schema_find(path);
    if (k) {
        const char *field = (const char *)sc + k->offset;
        switch (k->type) {
        case KEY_INT: *value = *(const int *)field; return 0;
        case KEY_SEED: *value = (double)*(const uint64_t *)field; return 0;
        case KEY_FLOAT: *value = *(const double *)field; return 0;
        default: return -1;
        }
    }
    const char *dot = strrchr(path, '.');
    if (!dot)
        return -1;
    char parent[256];
    size_t len = (size_t)(dot - path);
    if (len >= sizeof parent)
        return -1;
    memcpy(parent, path, len);
    parent[len] = '\0';
    k = schema_find(parent);
    if (!k)
        return -1;
    const char *leaf = dot + 1;
    if (k->type == KEY_DIST) {
        const dist *d = (const dist *)((const char *)sc + k->offset);
        const char *a, *b;
        dist_param_names(d->kind, &a, &b);
        if (a && strcmp(leaf, a) == 0)
            *value = d->p1;
        else if (b && strcmp(leaf, b) == 0)
            *value = d->p2;
        else
            return -1;
        return 0;
    }
    if (k->type == KEY_SHARES) {
        for (int i = 0; i < sc->model.destinations; i++)
            if (strcmp(sc->model.destination_names[i], leaf) == 0) {
                *value = sc->model.destination_shares[i];
                return 0;
            }
    }
    return -1;
}
