/*
 * model_check.c — the consistency check of a whole scenario's parameters.
 *
 * Owns model_params_check: what only the parameters together can show
 * (shares that must sum to 1, a phase that can never be left, a decision
 * nobody can take). Each key's own range is the config layer's check; this
 * one runs on parameters from any source (config, calibrate, tests), so a
 * run never starts from an inconsistent set.
 */
#include "model/model_casework.h"

#include <math.h>
#include <stddef.h>

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

const char *model_params_check(const model_params *p)
{
    if (p->sources == 0 && (!(p->referral_rate_per_month > 0) || !isfinite(p->referral_rate_per_month)))
        return "referral rate must be a finite number > 0";
    if (p->roles == 0 && p->workers < 1)
        return "need at least one worker";
    if (p->roles == 0 && p->caseload_cap < 1)
        return "caseload cap must be >= 1";
    if (!(p->meeting_hours_per_day > 0) || p->meeting_hours_per_day > 24)
        return "meeting hours per day must be in (0, 24]";
    if (p->phases == 0 && (!(p->exit_probability > 0) || p->exit_probability > 1))
        return "exit probability must be in (0, 1]";
    if (p->destinations < 1 || p->destinations > MODEL_MAX_DESTINATIONS)
        return "need between 1 and 16 destinations";
    if (p->phases == 0 && !share_sum_ok(p->destination_shares, p->destinations))
        return "destination shares must sum to 1";
    if (p->horizon_months < 1)
        return "horizon must be at least one month";
    if (p->warmup_months < 0 || p->warmup_months >= p->horizon_months)
        return "warm-up must be shorter than the horizon";
    if (p->phases == 0 && dist_mean(&p->meeting_hours) <= 0)
        return "meetings must take time (mean length > 0)";
    for (int s = 0; s < p->sources; s++) {
        if (!schedule_ok(&p->source[s].rate))
            return "a source's schedule needs months in increasing order and values >= 0";
        if (p->profiles > 0 && !share_sum_ok(p->source[s].profile_shares, p->profiles))
            return "a source's profile shares must sum to 1";
        if (p->source[s].has_unit && (!schedule_ok(&p->source[s].unit_cases) || !(p->source[s].unit_caseworkers > 0) ||
                                      !(p->source[s].unit_zero_above > p->source[s].unit_full_below)))
            return "a referring unit needs caseworkers > 0, a case schedule, and zero_rate_above > full_rate_below";
    }
    for (int i = 0; i < p->profiles; i++) {
        if (p->age_bands > 0 && !share_sum_ok(p->profile[i].age_shares, p->age_bands))
            return "a profile's age shares must sum to 1";
        if (!(p->profile[i].need > 0))
            return "a profile's need must be > 0";
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
        if (!casework)
            return "no team has a role that carries a caseload";
        if (staff > MODEL_MAX_WORKERS)
            return "more than 100000 staff";
        for (int r = 0; r < p->roles; r++) {
            if (p->role[r].decides || p->role[r].call_in_probability > 0) {
                int present = 0;
                for (int t = 0; t < p->teams; t++)
                    for (int g = 0; g < p->team[t].groups; g++)
                        present |= p->team[t].group[g].role == r && p->team[t].group[g].count > 0;
                if (!present)
                    return "a decision or consultative role is in no team";
            }
        }
    }
    for (int i = 0; i < p->phases; i++) {
        const model_phase *ph = &p->phase[i];
        if (!(ph->progress_per_meeting > 0) && !(ph->exit_probability > 0) && !(p->max_months > 0))
            return "a phase can never be left (no progress, no exits, no time limit)";
        if (ph->exit_probability > 0 && !share_sum_ok(ph->exit_shares, p->destinations))
            return "a phase's exit shares must sum to 1";
        if (i == p->phases - 1 && ph->progress_per_meeting > 0 && !share_sum_ok(ph->completion_shares, p->destinations))
            return "the last phase's completion shares must sum to 1";
        if (ph->needs_decision) {
            int decider = 0;
            for (int r = 0; r < p->roles; r++)
                decider |= p->role[r].decides;
            if (!decider)
                return "a phase needs a decision but no role decides";
        }
    }
    if (p->max_participants_present < 0)
        return "the most participants present at once must be >= 0 (0: derived from the scenario)";
    if (p->cap_by_need && p->roles > 0)
        for (int i = 0; i < p->profiles; i++)
            for (int r = 0; r < p->roles; r++)
                if (p->role[r].caseload_cap > 0 && p->role[r].caseload_cap < p->profile[i].need)
                    return "a caseload cap is smaller than one participant's need weight";
    return NULL;
}
