/*
 * model_check.c — the consistency check of a whole scenario's parameters.
 *
 * Owns model_params_check and model_params_explain (the same checks, with
 * the part of the scenario a failure is about, so config can name the key): what only the parameters together can show
 * (shares that must sum to 1, a phase that can never be left, a decision
 * nobody can take). Each key's own range is the config layer's check; this
 * one runs on parameters from any source (config, calibrate, tests), so a
 * run never starts from an inconsistent set.
 */
#include "model/model_casework.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static int schedule_ok(const model_schedule *s)
{
    if (s->count < 1)
        return 0;
    for (int i = 0; i < s->count; i++) {
        if (!isfinite(s->value[i]) || s->value[i] < 0 || !isfinite(s->month[i]))
            return 0;
        if (i > 0 && !(s->month[i] > s->month[i - 1]))
            return 0;
    }
    return 1;
}

static int share_sum_ok(const double *shares, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (!(shares[i] >= 0))
            return 0;
        sum += shares[i];
    }
    return fabs(sum - 1.0) <= 1e-9;
}

/* A failed check: its short reason is returned; with a problem to fill, the
 * part it is about and the reason with names and values too. */
static const char *problem(model_problem *pr, model_part part, int index, const char *reason, const char *fmt, ...)
{
    if (pr) {
        pr->part = part;
        pr->index = index;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(pr->why, sizeof pr->why, fmt, ap);
        va_end(ap);
    }
    return reason;
}

#define SAME(reason) "%s", reason

/* Staffing over time (model_staffplan.c): references in range and sizes
 * that fit the posts' slots, whatever built the parameters. */
static int ref_ok(int index, int n, int roles)
{
    return roles > 0 ? index >= -1 && index < n : index == -1;
}

static const char *staffplan_check(const model_params *p, model_problem *pr)
{
    const char *why = "a staffing plan names a role or team that does not exist, or changes nothing";
    long slots = 0;
    for (int i = 0; i < p->plan_steps; i++) {
        const model_plan_step *st = &p->plan[i];
        if (!ref_ok(st->role, p->roles, p->roles) || !ref_ok(st->team, p->teams, p->roles) || st->change == 0 ||
            (p->roles > 0 && (st->role < 0 || (st->change > 0 && st->team < 0))) || !(st->fte > 0 && st->fte <= 1))
            return problem(pr, MODEL_PART_OTHER, -1, why, "staff.plan[%d]: %s", i, why);
        slots += st->change > 0 ? st->change : 0;
    }
    for (int i = 0; i < p->staff_changes; i++)
        if (!ref_ok(p->staff_change[i].role, p->roles, p->roles))
            return problem(pr, MODEL_PART_OTHER, -1, why, "staff.changes[%d]: %s", i, why);
    for (int r = 0; r < p->staff_rules; r++) {
        const model_staff_rule *ru = &p->staff_rule[r];
        if (!ref_ok(ru->role, p->roles, p->roles) || !ref_ok(ru->team, p->teams, p->roles) || ru->months < 1 ||
            ru->limit < 0 || (ru->opens && (ru->limit < 1 || !(ru->fte > 0 && ru->fte <= 1) || ru->delay_days < 0)) ||
            (p->roles > 0 && (ru->role < 0 || (ru->opens && ru->team < 0))))
            return problem(pr, MODEL_PART_OTHER, -1, why, "staff.rules[%d]: %s", r, why);
        slots += ru->opens ? ru->limit : 0;
    }
    if (slots > MODEL_MAX_WORKERS)
        return problem(pr, MODEL_PART_OTHER, -1, "more than 100000 planned posts", SAME("more than 100000 planned posts"));
    for (int k = 0; k < p->measures; k++)
        if (p->measure[k].places_at.count > 0 && !schedule_ok(&p->measure[k].places_at))
            return problem(pr, MODEL_PART_OTHER, -1, "a measure's places schedule needs months in increasing order and "
                           "values >= 0", SAME("a measure's places schedule needs months in increasing order and values >= 0"));
    return NULL;
}

static const char *params_check(const model_params *p, model_problem *pr)
{
    if (p->sources == 0 && (!(p->referral_rate_per_month > 0) || !isfinite(p->referral_rate_per_month)))
        return problem(pr, MODEL_PART_OTHER, -1, "referral rate must be a finite number > 0",
                       SAME("referral rate must be a finite number > 0"));
    if (p->roles == 0 && p->workers < 1)
        return problem(pr, MODEL_PART_OTHER, -1, "need at least one worker", SAME("need at least one worker"));
    if (p->roles == 0 && p->caseload_cap < 1)
        return problem(pr, MODEL_PART_CASELOAD_CAP, -1, "caseload cap must be >= 1", SAME("caseload cap must be >= 1"));
    if (!(p->meeting_hours_per_day > 0) || p->meeting_hours_per_day > 24)
        return problem(pr, MODEL_PART_OTHER, -1, "meeting hours per day must be in (0, 24]",
                       SAME("meeting hours per day must be in (0, 24]"));
    if (p->phases == 0 && (!(p->exit_probability > 0) || p->exit_probability > 1))
        return problem(pr, MODEL_PART_OTHER, -1, "exit probability must be in (0, 1]",
                       SAME("exit probability must be in (0, 1]"));
    if (p->destinations < 1 || p->destinations > MODEL_MAX_DESTINATIONS)
        return problem(pr, MODEL_PART_OTHER, -1, "need between 1 and 16 destinations",
                       SAME("need between 1 and 16 destinations"));
    if (p->phases == 0 && !share_sum_ok(p->destination_shares, p->destinations))
        return problem(pr, MODEL_PART_OTHER, -1, "destination shares must sum to 1",
                       SAME("destination shares must sum to 1"));
    if (p->horizon_months < 1)
        return problem(pr, MODEL_PART_OTHER, -1, "horizon must be at least one month",
                       SAME("horizon must be at least one month"));
    if (p->warmup_months < 0 || p->warmup_months >= p->horizon_months)
        return problem(pr, MODEL_PART_WARMUP, -1, "warm-up must be shorter than the horizon",
                       "expected fewer months than run.horizon_months (%d), got %d", p->horizon_months,
                       p->warmup_months);
    if (p->phases == 0 && dist_mean(&p->meeting_hours) <= 0)
        return problem(pr, MODEL_PART_CASEWORK_MEETING, -1, "meetings must take time (mean length > 0)",
                       SAME("meetings must take time (mean length > 0)"));
    for (int s = 0; s < p->sources; s++) {
        if (!schedule_ok(&p->source[s].rate))
            return problem(pr, MODEL_PART_OTHER, -1, "a source's schedule needs months in increasing order and values >= 0",
                           "source '%s': its schedule needs months in increasing order and values >= 0",
                           p->source[s].name);
        if (p->profiles > 0 && !share_sum_ok(p->source[s].profile_shares, p->profiles))
            return problem(pr, MODEL_PART_OTHER, -1, "a source's profile shares must sum to 1",
                           "source '%s': its profile shares must sum to 1", p->source[s].name);
        if (p->source[s].has_unit && (!schedule_ok(&p->source[s].unit_cases) || !(p->source[s].unit_caseworkers > 0) ||
                                      !(p->source[s].unit_zero_above > p->source[s].unit_full_below)))
            return problem(pr, MODEL_PART_OTHER, -1,
                           "a referring unit needs caseworkers > 0, a case schedule, and zero_rate_above > full_rate_below",
                           "source '%s': a referring unit needs caseworkers > 0, a case schedule, and "
                           "zero_rate_above > full_rate_below",
                           p->source[s].name);
    }
    for (int i = 0; i < p->profiles; i++) {
        if (p->age_bands > 0 && !share_sum_ok(p->profile[i].age_shares, p->age_bands))
            return problem(pr, MODEL_PART_OTHER, -1, "a profile's age shares must sum to 1",
                           "profile '%s': its age shares must sum to 1", p->profile[i].name);
        if (!(p->profile[i].need > 0))
            return problem(pr, MODEL_PART_OTHER, -1, "a profile's need must be > 0",
                           "profile '%s': its need must be > 0", p->profile[i].name);
    }
    if (p->roles > 0) {
        int casework = 0, staff = 0;
        for (int t = 0; t < p->teams; t++)
            for (int g = 0; g < p->team[t].groups; g++) {
                const model_member_group *m = &p->team[t].group[g];
                staff += m->count;
                if (p->role[m->role].caseload_cap > 0 && m->count > 0)
                    casework = 1;
            }
        /* Deciding and consulting roles first: a team of only those has
         * no casework either, and the role is the more precise message. */
        for (int r = 0; r < p->roles; r++) {
            if (p->role[r].decides || p->role[r].call_in_probability > 0 || p->role[r].has_call_in_by_profile) {
                int present = 0;
                for (int t = 0; t < p->teams; t++)
                    for (int g = 0; g < p->team[t].groups; g++)
                        present |= p->team[t].group[g].role == r && p->team[t].group[g].count > 0;
                if (!present)
                    return problem(pr, MODEL_PART_ROLE, r, "a decision or consultative role is in no team",
                                   "role '%s' decides or is called in, but no team has anyone in it", p->role[r].name);
            }
        }
        if (!casework)
            return problem(pr, MODEL_PART_TEAMS, -1, "no team has a role that carries a caseload",
                           "no team has anyone in a role with a caseload_cap > 0, so nobody can take a participant");
        if (staff > MODEL_MAX_WORKERS)
            return problem(pr, MODEL_PART_TEAMS, -1, "more than 100000 staff",
                           "the teams have %d people; at most %d", staff, MODEL_MAX_WORKERS);
    }
    for (int i = 0; i < p->phases; i++) {
        const model_phase *ph = &p->phase[i];
        /* A phase before the last must lead on (a time limit would only
         * cut short everyone who reaches it); the last may end by the
         * programme's time limit. */
        int last = i == p->phases - 1;
        if (!(ph->progress_per_meeting > 0) && !(ph->exit_probability > 0) && !(last && p->max_months > 0))
            return problem(pr, MODEL_PART_PHASE, i, "a phase can never be left (no progress, no exits, no time limit)",
                           last ? "this phase can never be left: give progress_per_meeting, exit_probability > 0 or "
                                  "programme.max_months"
                                : "this phase can never be left: give progress_per_meeting or exit_probability > 0");
        if (ph->exit_probability > 0 && !share_sum_ok(ph->exit_shares, p->destinations))
            return problem(pr, MODEL_PART_PHASE, i, "a phase's exit shares must sum to 1",
                           SAME("its exit shares must sum to 1"));
        if (last && ph->progress_per_meeting > 0 && !share_sum_ok(ph->completion_shares, p->destinations))
            return problem(pr, MODEL_PART_PHASE, i, "the last phase's completion shares must sum to 1",
                           SAME("its completion shares must sum to 1"));
        if (ph->needs_decision) {
            int decider = 0;
            for (int r = 0; r < p->roles; r++)
                decider |= p->role[r].decides;
            if (!decider)
                return problem(pr, MODEL_PART_PHASE, i, "a phase needs a decision but no role decides",
                               SAME("needs a decision, but no role in staff.roles has decides = true"));
        }
    }
    if (p->max_participants_present < 0)
        return problem(pr, MODEL_PART_OTHER, -1,
                       "the most participants present at once must be >= 0 (0: derived from the scenario)",
                       SAME("the most participants present at once must be >= 0 (0: derived from the scenario)"));
    if (p->cap_by_need && p->roles > 0) {
        for (int i = 0; i < p->profiles; i++)
            for (int r = 0; r < p->roles; r++)
                if (p->role[r].caseload_cap > 0 && p->role[r].caseload_cap < p->profile[i].need)
                    return problem(pr, MODEL_PART_ROLES, -1, "a caseload cap is smaller than one participant's need weight",
                                   "role '%s' has caseload_cap %g, below the need %g of profile '%s': nobody of that "
                                   "profile could ever be assigned",
                                   p->role[r].name, p->role[r].caseload_cap, p->profile[i].need, p->profile[i].name);
    } else if (p->cap_by_need) {
        for (int i = 0; i < p->profiles; i++)
            if (p->caseload_cap < p->profile[i].need)
                return problem(pr, MODEL_PART_CASELOAD_CAP, -1,
                               "a caseload cap is smaller than one participant's need weight",
                               "caseload cap %d is below the need %g of profile '%s'", p->caseload_cap,
                               p->profile[i].need, p->profile[i].name);
    }
    /* Hand-over (model_handover.c): the config layer checks these at their
     * keys; a scenario built in code gets the same guard here. */
    if (p->receivers < 0 || p->receivers > MODEL_MAX_RECEIVERS)
        return problem(pr, MODEL_PART_OTHER, -1, "at most 4 receivers", SAME("at most 4 receivers"));
    for (int r = 0; r < p->receivers; r++)
        if (p->receiver[r].destination < 0 || p->receiver[r].destination >= p->destinations ||
            !(p->receiver[r].intake_per_month >= 0 && p->receiver[r].intake_per_month <= 1e6))
            return problem(pr, MODEL_PART_OTHER, -1, "a receiver needs a destination and an intake in [0, 1e6] a month",
                           "exits.receivers[%d]: a destination of the scenario and an intake in [0, 1e6] a month", r);
    if (p->has_successor && (p->successor_month < 1 || p->successor_month > p->horizon_months ||
                             !(p->successor_places >= 0) || !(p->successor_intake >= 0)))
        return problem(pr, MODEL_PART_OTHER, -1, "the successor needs a month within the horizon and places, intake >= 0",
                       SAME("the successor needs a month within the horizon and places, intake >= 0"));
    return staffplan_check(p, pr);
}

const char *model_params_check(const model_params *p)
{
    return params_check(p, NULL);
}

int model_params_explain(const model_params *p, model_problem *problem_out)
{
    return params_check(p, problem_out) ? -1 : 0;
}
