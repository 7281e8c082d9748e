/*
 * config_schema.c — the scenario schema: every top-level key with its type,
 * range, default, unit and meaning, and where its value goes.
 *
 * The table is the single source of truth for keys: validation, the
 * unknown-key check with its "did you mean", `caseflow check`'s listing and
 * the key reference in configs/README.md are all generated from it. Lists
 * and groups of their own shape (KEY_SECTION) name the reader that checks
 * their insides (config_sections.c, config_money.c).
 */
#include "scenario/config_internal.h"
#include "scenario/config_service.h"
#include "scenario/config_snapshot.h"
#include "scenario/config_dates.h"

#include <stdio.h>
#include <string.h>

#define AT(field) offsetof(config_scenario, field)


#define SECTION(path, reader, unit, doc) {path, KEY_SECTION, OPTIONAL, 0, 0, 0, NULL, unit, doc, 0, NULL, NULL, reader}
#define UNLESS(path, type, min, max, open, unit, doc, field, other) \
    {path, type, REQUIRED_UNLESS, min, max, open, NULL, unit, doc, AT(field), other, NULL, NULL}
#define IN_GROUP(path, type, min, max, open, unit, doc, field) \
    {path, type, REQUIRED_IN_GROUP, min, max, open, NULL, unit, doc, AT(field), NULL, NULL, NULL}
#define OPTION(path, type, min, max, open, fallback, unit, doc, field) \
    {path, type, OPTIONAL, min, max, open, fallback, unit, doc, AT(field), NULL, NULL, NULL}
#define CHOICE(path, choices, fallback, doc, field) \
    {path, KEY_ENUM, OPTIONAL, 0, 0, 0, fallback, "choice", doc, AT(field), NULL, choices, NULL}

const config_key config_schema[] = {
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
    SECTION("exits.destinations", section_read_destinations, "names",
            "Names of the exit destinations, when phases give the shares (instead of exits.shares)."),
    {"exits.shares", KEY_SHARES, REQUIRED_UNLESS, 0, 0, 0, NULL, "shares",
     "Destination name = share of exits; at most 16, summing to 1. Names are the destinations everywhere else.",
     AT(model), "exits.destinations", NULL, NULL},
    SECTION("exits.good", section_read_good, "names", "Destinations that count as work or studies: readiness and method "
            "capital raise their odds; targets and follow-up name them. Default: none."),
    CHOICE("staff.cap_by", "head|need", "head", "Caseload caps count participants (head) or their need weights.",
           model.cap_by_need),
    SECTION("age_bands", section_read_age_bands, "names", "Names of age bands; profiles give shares over them."),
    SECTION("profiles", section_read_profiles, "list",
            "Participant profiles: ( { name; need = 1.0; readiness = 0.0; acceptance = 1.0; priority = 0; "
            "female_share = 0.5; age_shares = [...]; }, ... )."),
    SECTION("sites", section_read_sites, "list",
            "Sites (offices, lags, sub-projects): ( { name; lends_places_from_month; }, ... ). A source or team names "
            "its site (sources.[].site, staff.teams.[].site); a tied referral waits in its site's list for that "
            "site's workers. Default: none, every referral goes to any worker."),
    SECTION("sources", section_read_sources, "list",
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
    SECTION("staff.roles", section_read_roles, "list",
            "Roles: ( { name; caseload_cap = 0 (none); decides = false; call_in_probability = 0.0; "
            "meeting_hours = dist; }, ... ). With roles, staff come from staff.teams."),
    SECTION("staff.teams", section_read_teams, "list",
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
    /* Staffing over time (config_staffplan.c, model_staffplan.c); after
     * roles and teams, whose names they use. */
    SECTION("staff.plan", section_read_staff_plan, "list",
            "Posts opened or closed at months: ( { month; role; team; change = +n or -n; fte = 1.0; }, ... ). "
            "Opened posts start as a ramp-up start does (learning, maturity, turnover apply); closing takes the "
            "latest posts of the role (in the team, if named) in post. Without staff.roles: no role or team."),
    SECTION("staff.changes", section_read_staff_changes, "list",
            "Caps and meeting hours from months: ( { month; role = every role; caseload_cap; "
            "meeting_hours_per_day; }, ... ). A lower cap takes nobody away; a higher one fills from the list."),
    SECTION("staff.rules", section_read_staff_rules, "list",
            "Posts opened or closed by the waiting list at month ends: ( { open_above = X; months = Y; "
            "delay_days = D; max_extra = K; role; team; fte; } or { close_below = X; months = Y; min_posts = K; "
            "role; team; } ), at most 4."),
    SECTION("measures", section_read_measures, "list",
            "External measures: ( { name; places; open_month = 0; close_month = never; duration_days = dist; "
            "exit_to = destination; exit_probability = 0.0; }, ... )."),
    SECTION("phases", section_read_phases, "list",
            "Phases: ( { name; meeting_hours; own_time_days; progress_per_meeting; exit_probability; exits = "
            "{ name = share; }; completion = { name = share; } (last phase); needs_decision = false; "
            "measure = name; }, ... ). Replace casework.* and exits.probability_per_meeting."),
    OPTION("programme.max_months", KEY_FLOAT, 0, 1200, 0, "0.0", "months",
           "Maximum time in programme (0: none); exits then go to the destination named time_limit.",
           model.max_months),
    SECTION("exits.followup", section_read_followup, "group",
            "Follow-up: { destination = { at_12 = share; at_24 = share; }; ...; relapse_probability = 0.0; "
            "relapse_source = name; }: still in work or studies 12 and 24 months after exit; with months = [ m, ... ] "
            "each destination gives at_m for those months instead (model_followup.c)."),
    /* Hand-over (config_handover.c, model_handover.c): after the exits
     * and phases whose destination names they use. */
    SECTION("exits.receivers", section_read_receivers, "list",
            "Receivers of onward exits with a limited intake: ( { destination; intake_per_month; when_full = "
            "\"wait\"|\"leave\"; }, ... ). Who draws a full receiver waits in the programme holding the slot "
            "(wait) or leaves and waits outside, between chairs (leave); counted and timed."),
    SECTION("successor", section_read_successor, "group",
            "A successor project taking the stock at the close: { name; month; take = \"all\"|\"assigned\"|"
            "\"waiting\"; places = 0; intake_per_month = 0; }: at the end of month those present go on to it "
            "(transfers, not exits), as many as places (in all) and intake (a month) allow, the rest at later month ends."),
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
    OPTION("method.completion_effect", KEY_FLOAT, 0, 100, 0, "0.0", "factor",
           "Largest relative gain in the chance that a casework meeting ends the case (every destination) and in "
           "per-meeting progress: fewer meetings per case.", model.method_completion_effect),
    OPTION("method.speed_effect", KEY_FLOAT, 0, 100, 0, "0.0", "factor",
           "Largest relative gain in meeting speed: a casework meeting takes 1 / (1 + gain) of its hours; own "
           "time between meetings is unchanged.", model.method_speed_effect),
    OPTION("method.retention_effect", KEY_FLOAT, 0, 1, 0, "0.0", "share",
           "Largest share of a good exit's drop-outs by each follow-up month kept in work or studies.",
           model.method_retention_effect),
    SECTION("targets", section_read_targets, "list",
            "Targets: ( { name; kind = \"enrolled\"|\"exits\"|\"share\"; destinations = [names]; value; "
            "deadline_month; }, ... )."),
    SECTION("method.pressure", section_read_pressure, "group",
            "Volume pressure: { target = name; cap_increase = 0.2; mapping_speedup = 0.5; quality_cost = 0.0; }: while "
            "behind the target's straight path, caps rise and the first phase goes faster, at a cost in good-exit odds."),
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
    /* Calendar dates: read by scenario/config_dates.c, which also turns a
     * date written for any month key into months. */
    SECTION("run.start_date", config_dates_section, "date",
            "The calendar date of month 0 (\"YYYY-MM-DD\"). With it, schedule months, start_month, open_month, "
            "close_month and deadline_month may be written as dates, and /series carries month_start_date."),
    /* The state a run starts from: read by scenario/config_snapshot.c once
     * the staff, phases and profiles its rows name are known. */
    SECTION("run.snapshot", config_snapshot_section, "path",
            "CSV file of the programme's state at the start (posts with tenure, participants, waiting list; "
            "docs/SNAPSHOT.md), relative to the scenario file. Its text is stored in the scenario (snapshot_stored)."),
    SECTION("snapshot_stored", config_snapshot_section, "group",
            "Written by caseflow: { source; csv; }, the text of run.snapshot's file when it was read."),
    /* Last: it names roles, measures, profiles and destinations read above. */
    SECTION("money", section_read_money, "group",
            "Costs and the per-actor ledger (see `Money` below): { discount_rate = 0.0; horizons_years = [1, 5]; "
            "horizon_from = \"referral\"|\"start\"|\"exit\"; staff = ( { role; cost_per_fte_year; employer; } ); "
            "measures = ( { name; cost_per_participant_month; paid_by; } ); fixed = ( { name; cost_per_month; "
            "paid_by; } ); per_participant = ( { name; cost; paid_by; } ); baseline = { profile = { kommun; region; "
            "fk; af; state; income; }; }; waiting; in_programme; after = { destination = state or { in; out; }; "
            "default; }; }; kr and kr/month."),
};

const size_t config_schema_size = sizeof config_schema / sizeof config_schema[0];
_Static_assert(sizeof config_schema / sizeof config_schema[0] <= CONFIG_SCHEMA_MAX, "raise CONFIG_SCHEMA_MAX");

const config_key *schema_find(const char *path)
{
    for (size_t i = 0; i < config_schema_size; i++)
        if (strcmp(config_schema[i].path, path) == 0)
            return &config_schema[i];
    return NULL;
}

int schema_is_group_prefix(const char *path)
{
    size_t len = strlen(path);
    for (size_t i = 0; i < config_schema_size; i++)
        if (strncmp(config_schema[i].path, path, len) == 0 && config_schema[i].path[len] == '.')
            return 1;
    return 0;
}

int schema_choice_index(const char *choices, const char *word)
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

void schema_describe_range(const config_key *k, char *buf, size_t size)
{
    const char *what = k->type == KEY_FLOAT ? "a number" : "an integer";
    snprintf(buf, size, "%s %s %g and <= %g (%s)", what, k->min_open ? ">" : ">=", k->min, k->max, k->unit);
}
