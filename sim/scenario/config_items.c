/*
 * config_items.c — the schema of what lies inside the scenario's lists and
 * groups of their own shape: every member of a list item ("[]" stands for
 * the item, as in sources.[].rate_per_month) and of a section group, with
 * its type, range, default, unit and meaning.
 *
 * config_schema.c holds the top-level keys; this table completes it for
 * `caseflow keys` (and --json), the defaults written to /resolved, and the
 * readers in config_sections.c and config_money.c, which take a member's
 * range and default from here (item_get_number), so each bound is written
 * once. Where a bound depends on the scenario (a share target's value is at
 * most 1, a deadline at most the horizon) the reader narrows it and the doc
 * says so. Members whose names are the scenario's own names (destinations
 * in exits.followup, profiles in money.baseline, actors) are described by
 * their group's entry.
 */
#include "scenario/config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM(path, req, min, max, open, fallback, unit, doc) {path, ITEM_FLOAT, req, min, max, open, fallback, unit, NULL, doc}
#define INT(path, req, min, max, fallback, unit, doc) {path, ITEM_INT, req, min, max, 0, fallback, unit, NULL, doc}
#define STR(path, req, choices, fallback, doc) {path, ITEM_STRING, req, 0, 0, 0, fallback, "", choices, doc}
#define OF(path, type, req, unit, doc) {path, type, req, 0, 0, 0, NULL, unit, NULL, doc}
#define NAME(list) STR(list ".[].name", 1, NULL, NULL, "Unique name of the item; other sections refer to it.")

const item_key config_items[] = {
    NAME("profiles"),
    NUM("profiles.[].need", 0, 0, 1000, 1, "1.0", "weight", "Caseload weight of one participant of this profile."),
    NUM("profiles.[].readiness", 0, -20, 20, 0, "0.0", "log-odds", "Shift of the odds of a good exit."),
    NUM("profiles.[].acceptance", 0, 0, 1, 0, "1.0", "probability", "Chance that a referred person starts."),
    INT("profiles.[].priority", 0, -1000, 1000, "0", "rank", "Order on a priority waiting list (higher first)."),
    NUM("profiles.[].female_share", 0, 0, 1, 0, "0.5", "share", "Share of women among the profile's participants."),
    OF("profiles.[].age_shares", ITEM_ARRAY, 0, "shares",
       "Share of each age band (in age_bands order), summing to 1; required when age_bands are given."),
    NUM("profiles.[].max_months", 0, 0, 1200, 0, NULL, "months",
        "The profile's own maximum time in programme (0: programme.max_months); needs a time_limit destination."),
    OF("profiles.[].exit_weights", ITEM_GROUP, 0, "factors",
       "Exit shares by profile: { destination = factor; }: multiplies the phase's share of each named destination "
       "(others 1), rescaled so the chance of leaving per meeting is unchanged."),

    NAME("sites"),
    NUM("sites.[].lends_places_from_month", 0, 0, 1200, 0, NULL, "months",
        "From this month a worker of the site with room and nobody of the site waiting takes other sites' "
        "waiting referrals (places reallocated); default: never."),
    NAME("sources"),
    STR("sources.[].kind", 0, "poisson|quota", "poisson", "Referrals arrive at random (poisson) or as a fixed quota."),
    NUM("sources.[].rate_per_month", 0, 0, 1e7, 0, NULL, "referrals/month",
        "Referral rate; give either this or schedule."),
    OF("sources.[].schedule", ITEM_LIST, 0, "", "Rate by month, as steps: ( { month; value; }, ... )."),
    NUM("sources.[].schedule.[].month", 1, 0, 1200, 0, NULL, "months", "Month the step starts (increasing)."),
    NUM("sources.[].schedule.[].value", 1, 0, 1e7, 0, NULL, "referrals/month", "Rate from that month on."),
    INT("sources.[].replacement", 0, 0, 100, "0", "count", "Referrals made in place of each person who leaves."),
    STR("sources.[].site", 0, NULL, NULL, "A site in sites: its referrals wait for that site's workers only; "
        "default: untied, any worker."),
    OF("sources.[].profiles", ITEM_GROUP, 0, "shares",
       "Profile name = share of the source's referrals; required with several profiles."),
    OF("sources.[].unit", ITEM_GROUP, 0, "",
       "A referring unit whose caseload scales the rate: { caseworkers; cases; full_rate_below; zero_rate_above; }."),
    NUM("sources.[].unit.caseworkers", 1, 0, 1e6, 1, NULL, "count", "Case workers of the referring unit."),
    OF("sources.[].unit.cases", ITEM_LIST, 1, "", "The unit's cases by month: ( { month; value; }, ... )."),
    NUM("sources.[].unit.cases.[].month", 1, 0, 1200, 0, NULL, "months", "Month the step starts (increasing)."),
    NUM("sources.[].unit.cases.[].value", 1, 0, 1e7, 0, NULL, "cases", "The unit's cases from that month on."),
    NUM("sources.[].unit.full_rate_below", 1, 0, 1e6, 0, NULL, "cases/worker",
        "Below this load the unit refers at the full rate."),
    NUM("sources.[].unit.zero_rate_above", 1, 0, 1e6, 0, NULL, "cases/worker",
        "Above this load (more than full_rate_below) the unit refers nobody."),

    NAME("staff.roles"),
    NUM("staff.roles.[].caseload_cap", 0, 0, 1e6, 0, "0", "participants/worker", "Most participants one member of "
        "the role carries (0: none)."),
    {"staff.roles.[].decides", ITEM_BOOL, 0, 0, 0, 0, "false", "", NULL,
     "Members of the role take the decisions phases with needs_decision wait for."},
    NUM("staff.roles.[].call_in_probability", 0, 0, 1, 0, "0", "probability",
        "Chance that a meeting calls in a member of this role too."),
    OF("staff.roles.[].meeting_hours", ITEM_DIST, 0, "hours",
       "Length of this role's meetings (a distribution); required when it decides or is called in."),
    OF("staff.roles.[].call_in_by_profile", ITEM_GROUP, 0, "probabilities",
       "Call-in by profile: { profile = probability; }: the chance for participants of the named profiles "
       "(others keep call_in_probability)."),

    NAME("staff.teams"),
    STR("staff.teams.[].site", 0, NULL, NULL, "A site in sites the team works at: it takes that site's referrals "
        "and untied ones; default: untied, untied referrals only."),
    OF("staff.teams.[].members", ITEM_LIST, 1, "", "Who works in the team: ( { role; count; fte; start_month; }, ... )."),
    STR("staff.teams.[].members.[].role", 1, NULL, NULL, "A role named in staff.roles."),
    INT("staff.teams.[].members.[].count", 0, 0, MODEL_MAX_WORKERS, "1", "count", "People of this role in the team."),
    NUM("staff.teams.[].members.[].fte", 0, 0, 1, 1, "1.0", "FTE", "Working time of each, as a share of full time."),
    NUM("staff.teams.[].members.[].start_month", 0, 0, 1200, 0, "0.0", "months", "Month they start."),

    NUM("staff.teams.[].members.[].end_month", 0, 0, 1200, 0, "0", "months",
        "Month the posts end for good, e.g. when funding stops (0: never); after start_month. Their participants "
        "go as staff.turnover.on_leave says, or back to the waiting list when nobody has room."),

    NUM("staff.plan.[].month", 1, 0, 1200, 0, NULL, "months", "Month the step takes effect (0: from the start)."),
    STR("staff.plan.[].role", 0, NULL, NULL, "A role in staff.roles (required with roles; none without)."),
    STR("staff.plan.[].team", 0, NULL, NULL, "A team in staff.teams: required to open posts; closing without a "
        "team takes posts from any team."),
    INT("staff.plan.[].change", 1, -100000, 100000, NULL, "posts", "Posts opened (> 0) or closed (< 0)."),
    NUM("staff.plan.[].fte", 0, 0, 1, 1, "1.0", "FTE", "Working time of each opened post (with staff.roles)."),

    NUM("staff.changes.[].month", 1, 0, 1200, 0, NULL, "months", "Month the change takes effect (0: from the start)."),
    STR("staff.changes.[].role", 0, NULL, NULL, "The role whose cap changes; default every role with a caseload."),
    NUM("staff.changes.[].caseload_cap", 0, 0, 1e6, 0, NULL, "participants/worker", "The cap from that month."),
    NUM("staff.changes.[].meeting_hours_per_day", 0, 0, 24, 1, NULL, "hours/day",
        "Everyone's meeting-hour budget from that month (meetings under way keep their end)."),

    NUM("staff.rules.[].open_above", 0, 0, 1e9, 0, NULL, "participants",
        "Open a post when the waiting list has been above this at `months` month ends in a row."),
    NUM("staff.rules.[].close_below", 0, 0, 1e9, 0, NULL, "participants",
        "Close a post when the waiting list has been below this at `months` month ends in a row."),
    INT("staff.rules.[].months", 1, 1, 1200, NULL, "months", "Month ends in a row beyond the threshold; the count "
        "starts again after each opening or closing."),
    NUM("staff.rules.[].delay_days", 0, 0, 36500, 0, "0", "days", "Recruitment delay from the decision to the start."),
    INT("staff.rules.[].max_extra", 1, 1, 1000, NULL, "posts", "open_above rules (required there): most posts the "
        "rule has open at once (with turnover: the most it opens over the run)."),
    INT("staff.rules.[].min_posts", 0, 0, 100000, "0", "posts", "Posts of the role (in the team) a closing rule keeps."),
    STR("staff.rules.[].role", 0, NULL, NULL, "A role in staff.roles (required with roles; none without)."),
    STR("staff.rules.[].team", 0, NULL, NULL, "A team in staff.teams: required to open; closing without one takes "
        "the latest post of the role anywhere."),
    NUM("staff.rules.[].fte", 0, 0, 1, 1, "1.0", "FTE", "Working time of each post the rule opens (with staff.roles)."),

    NAME("measures"),
    INT("measures.[].places", 1, 0, 10000000, NULL, "places", "Participants the measure takes at a time."),
    NUM("measures.[].open_month", 0, 0, 1200, 0, "0", "months", "Month the measure opens."),
    OF("measures.[].places_schedule", ITEM_LIST, 0, "", "Places from given months, as steps: ( { month; value; }, "
       "... ); `places` holds before the first. A cut takes no place from whoever is in it."),
    NUM("measures.[].places_schedule.[].month", 1, 0, 1200, 0, NULL, "months", "Month the step starts (increasing)."),
    NUM("measures.[].places_schedule.[].value", 1, 0, 1e7, 0, NULL, "places", "Places from that month on (whole)."),
    NUM("measures.[].close_month", 0, 0, 1e9, 0, "1e9", "months", "Month it closes (after open_month; default never)."),
    OF("measures.[].duration_days", ITEM_DIST, 1, "days", "Time a participant spends in the measure (a distribution)."),
    STR("measures.[].exit_to", 0, NULL, NULL, "Destination of those who exit from the measure."),
    NUM("measures.[].exit_probability", 0, 0, 1, 0, "0", "probability", "Chance of exiting to exit_to when it ends."),
    OF("measures.[].queue_before_open", ITEM_BOOL, 0, "",
       "true: people entering its phase before open_month line up for it and get places when it opens "
       "(default false: only those entering the phase after the opening ask)."),

    NAME("phases"),
    OF("phases.[].meeting_hours", ITEM_DIST, 1, "hours", "Length of one meeting in the phase (a distribution)."),
    OF("phases.[].own_time_days", ITEM_DIST, 1, "days", "Time on own between meetings (a distribution)."),
    NUM("phases.[].progress_per_meeting", 0, 0, 1e3, 0, "0", "phase/meeting",
        "Share of the phase one meeting completes."),
    NUM("phases.[].exit_probability", 0, 0, 1, 0, "0", "probability", "Chance that the case ends after a meeting."),
    OF("phases.[].exits", ITEM_GROUP, 0, "shares", "Destination = share of the phase's exits; required with "
       "exit_probability > 0."),
    OF("phases.[].completion", ITEM_GROUP, 0, "shares", "Last phase only: destination = share of those completing it."),
    {"phases.[].needs_decision", ITEM_BOOL, 0, 0, 0, 0, "false", "", NULL,
     "Entering the phase waits for a decision by a role that decides."},
    STR("phases.[].measure", 0, NULL, NULL, "A measure participants go to during the phase."),

    NUM("exits.followup.relapse_probability", 0, 0, 1, 0, "0", "probability",
        "Chance that someone no longer in work or studies is referred again."),
    STR("exits.followup.relapse_source", 0, NULL, NULL, "The source relapses come back through (when there are sources)."),
    OF("exits.followup.months", ITEM_ARRAY, 0, "months",
       "Months after exit the shares are given at (whole, increasing, at most 6; default [12, 24]); each followed "
       "destination then gives at_<month> for each. Between points the share moves at a constant monthly rate, "
       "from 1 at exit for good destinations and 0 for others."),
    STR("exits.followup.after_last", 0, "hold|trend", NULL,
        "After the last month: hold its share, or continue the last interval's rate. Required when months are "
        "given and the last is below 24 (the model needs the 24-month state)."),

    /* Hand-over (config_handover.c) */
    OF("exits.receivers", ITEM_LIST, 0, "", "Receivers of onward exits with a limited intake (model_handover.c)."),
    STR("exits.receivers.[].destination", 1, NULL, NULL, "The destination (exits) whose receiver has the intake."),
    NUM("exits.receivers.[].intake_per_month", 1, 0, 1e6, 0, NULL, "people/month",
        "Most people the receiver takes a month (fractions average out: floor((k+1)c) - floor(kc) in month k)."),
    STR("exits.receivers.[].when_full", 0, "wait|leave", "wait",
        "Who draws it when full: waits in the programme holding the slot (wait) or leaves and waits outside (leave)."),
    OF("successor", ITEM_GROUP, 0, "", "A successor project taking the stock at the close (model_handover.c)."),
    STR("successor.name", 1, NULL, NULL, "The successor's name (labels only)."),
    NUM("successor.month", 1, 1, 1200, 0, NULL, "months",
        "The close: the transfer is at the end of this whole month (at most run.horizon_months)."),
    STR("successor.take", 0, "all|assigned|waiting", "all", "Who goes on: everyone present, the assigned, or the waiting."),
    NUM("successor.places", 0, 0, 1e9, 0, "0", "people", "Most people the successor takes in all (0: no limit)."),
    NUM("successor.intake_per_month", 0, 0, 1e9, 0, "0", "people/month",
        "Most people it takes a month from the close on (0: no limit)."),

    NAME("targets"),
    STR("targets.[].kind", 1, "enrolled|exits|share", NULL,
        "What is counted: people enrolled, exits to the destinations, or their share of exits."),
    OF("targets.[].destinations", ITEM_ARRAY, 0, "names", "Destinations counted; required by exits and share targets."),
    NUM("targets.[].value", 1, 0, 1e9, 0, NULL, "count or share", "The target figure (at most 1 for a share)."),
    NUM("targets.[].deadline_month", 1, 0, 1200, 1, NULL, "months", "When it is due (at most run.horizon_months)."),
    STR("targets.[].denominator", 0, "exits|completers|enrolled|in_programme", NULL,
        "A share's denominator: all exits (the default), exits to the completers, everyone enrolled, or "
        "everyone who left or is present (waiting included) at the deadline."),
    OF("targets.[].completers", ITEM_ARRAY, 0, "names",
       "Destinations that complete the programme; required by denominator = \"completers\" and must include "
       "the counted destinations."),

    STR("method.pressure.target", 1, NULL, NULL, "An enrolled or exits target whose straight path sets the pace."),
    NUM("method.pressure.cap_increase", 0, 0, 10, 0, "0", "share", "Largest relative rise of caseload caps when behind."),
    NUM("method.pressure.mapping_speedup", 0, 0, 100, 0, "0", "share", "Largest speed-up of the first phase when behind."),
    NUM("method.pressure.quality_cost", 0, 0, 1, 0, "0", "share",
        "Share cut from the good-exit odds of someone whose mapping (first phase) was done wholly under the "
        "speed-up; in proportion to the share done so."),

    NAME("service.targets"),
    STR("service.targets.[].kind", 1, "wait_share|median_wait", NULL,
        "wait_share: the share referred in the period placed within days; median_wait: their median wait."),
    INT("service.targets.[].days", 1, 0, 3650, NULL, "days", "The wait X the target is about."),
    NUM("service.targets.[].value", 0, 0, 1, 0, NULL, "share", "wait_share: the share that must be placed within days."),
    INT("service.targets.[].from_month", 0, 0, 1200, NULL, "months",
        "First referral month of the cohort; default: run.warmup_months."),
    INT("service.targets.[].to_month", 0, 0, 1200, NULL, "months",
        "End (exclusive) of the cohort's referral months; default: the horizon less `days`."),

    NUM("money.discount_rate", 0, 0, 1, 0, "0.0", "1/year", "Yearly rate future costs are discounted at."),
    {"money.horizons_years", ITEM_ARRAY, 0, 0, 0, 0, "[1, 5]", "years", NULL,
     "Horizons the ledger sums over, in years of whole months, increasing."},
    STR("money.horizon_from", 0, "referral|start|exit", "referral", "Horizons count from a person's referral, start "
        "or exit."),
    OF("money.staff", ITEM_LIST, 1, "", "Cost of every role with posts (\"worker\" without staff.roles)."),
    STR("money.staff.[].role", 1, NULL, NULL, "A role in staff.roles, or \"worker\"."),
    NUM("money.staff.[].cost_per_fte_year", 1, 0, 1e8, 0, NULL, "kr/FTE-year", "Cost of one full-time post a year."),
    OF("money.staff.[].employer", ITEM_GROUP, 1, "actor", "Who pays: an actor, or { actor = share; ... }."),
    OF("money.measures", ITEM_LIST, 0, "", "Cost of each measure; required when there are measures."),
    STR("money.measures.[].name", 1, NULL, NULL, "A measure in measures."),
    NUM("money.measures.[].cost_per_participant_month", 1, 0, 1e7, 0, NULL, "kr/month",
        "Cost of one participant in the measure a month."),
    OF("money.measures.[].paid_by", ITEM_GROUP, 1, "actor", "Who pays: an actor, or { actor = share; ... }."),
    OF("money.fixed", ITEM_LIST, 0, "", "Fixed programme costs."),
    NAME("money.fixed"),
    NUM("money.fixed.[].cost_per_month", 1, 0, 1e9, 0, NULL, "kr/month", "The cost a month."),
    OF("money.fixed.[].paid_by", ITEM_GROUP, 1, "actor", "Who pays: an actor, or { actor = share; ... }."),
    OF("money.per_participant", ITEM_LIST, 0, "", "Costs per participant started."),
    NAME("money.per_participant"),
    NUM("money.per_participant.[].cost", 1, 0, 1e8, 0, NULL, "kr", "The cost per participant."),
    OF("money.per_participant.[].paid_by", ITEM_GROUP, 1, "actor", "Who pays: an actor, or { actor = share; ... }."),
    OF("money.baseline", ITEM_GROUP, 0, "kr/month", "Monthly cost of a person's exclusion before the programme by "
       "actor { kommun; region; fk; af; state; income; }, per profile when there are profiles. Without it the "
       "section gives programme costs only (no waiting, in_programme or after; no net results or payback)."),
    OF("money.waiting", ITEM_GROUP, 0, "kr/month", "Change (or state) while waiting; default: the before-state."),
    OF("money.in_programme", ITEM_GROUP, 0, "kr/month", "Change (or state) while in the programme; default: the "
       "before-state."),
    OF("money.after", ITEM_GROUP, 0, "kr/month", "After exit, by destination: a state, or { in; out; } for those "
       "in and out of work or studies; default = for the rest."),
};

const size_t config_items_size = sizeof config_items / sizeof config_items[0];

const item_key *items_find(const char *pattern)
{
    for (size_t i = 0; i < config_items_size; i++)
        if (strcmp(config_items[i].path, pattern) == 0)
            return &config_items[i];
    return NULL;
}

void items_pattern(const char *path, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = path; *p && o + 4 < size; p++) {
        if (*p == '[') {
            const char *q = p + 1;
            while (*q >= '0' && *q <= '9')
                q++;
            if (*q == ']' && q > p + 1) {
                o += (size_t)snprintf(out + o, size - o, ".[]");
                p = q;
                continue;
            }
        }
        out[o++] = *p;
    }
    out[o] = '\0';
}

int item_get_number(loader *ld, const config_setting_t *item, const char *path, const char *name, double *out)
{
    char pattern[CONFIG_KEY_TEXT_LEN], key[CONFIG_KEY_TEXT_LEN];
    items_pattern(path, pattern, sizeof pattern);
    snprintf(key, sizeof key, "%s.%s", pattern, name);
    const item_key *k = items_find(key);
    if (!k || (k->type != ITEM_FLOAT && k->type != ITEM_INT))
        return loader_fail(ld, item, key, "internal error: no numeric schema entry for this member");
    double fallback = k->fallback ? strtod(k->fallback, NULL) : 0;
    if (k->type == ITEM_INT) {
        int v = 0; /* set by item_int on success; initialised for -flto's flow analysis */
        if (item_int(ld, item, path, name, (int)k->min, (int)k->max, k->required, (int)fallback, &v) != 0)
            return -1;
        *out = v;
        return 0;
    }
    return item_number(ld, item, path, name, k->min, k->max, k->min_open, k->required, fallback, out);
}

int item_get_int(loader *ld, const config_setting_t *item, const char *path, const char *name, int *out)
{
    double v;
    if (item_get_number(ld, item, path, name, &v) != 0)
        return -1;
    *out = (int)v;
    return 0;
}
