/*
 * model_staffplan.c — staffing that changes over time.
 *
 * Owns when staffing changes, not what a change does to people: posts of a
 * team member group end at its end_month (a funding cliff: no replacement),
 * plan steps open posts (they start as a ramp-up start does, so learning,
 * maturity and turnover apply) or close the latest posts of a role, changes
 * set caseload caps and meeting hours from a month, measure place schedules
 * cut or raise places, and rules open a post after the waiting list has been
 * above a threshold for some month ends (after a recruitment delay, at most
 * a given number of extra posts) or close one after it has been below one
 * (keeping a given number). What an ended post's participants do is
 * casework's (casework_post_close, following staff.turnover.on_leave).
 *
 * Everything is scheduled as EV_STAFF_PLAN events whose subject packs the
 * kind of action and its index; rules are checked at month ends, on the
 * month-end snapshot of the waiting list. Nothing here draws random numbers
 * and nothing is scheduled unless the scenario plans staff, so other
 * scenarios' results are unchanged. Alternatives not taken: rules on the
 * mean wait rather than the list (the list is what a manager sees), and
 * reusing rule slots under turnover (a stale departure of the slot's former
 * holder could hit the new one; with turnover a rule opens at most its
 * limit over the whole run).
 */
#include "model/model_staffplan.h"

#include "model/model_measures.h"
#include "model/model_staff.h"

enum { ACT_POST_END = 1, ACT_PLAN = 2, ACT_CHANGE = 3, ACT_PLACES = 4, ACT_RULE_START = 5 };

static uint32_t action(int kind, int index)
{
    return ((uint32_t)kind << 24) | (uint32_t)index;
}

static int matches(const worker *wk, int role, int team)
{
    return (role < 0 || wk->role == role) && (team < 0 || wk->team == team);
}

static int in_post(const worker *wk)
{
    return wk->active && !wk->closed && !wk->leaving;
}

void staffplan_setup(model_ctx *m)
{
    const model_params *p = m->p;
    staffplan_state *sp = &m->plan;
    if (!staff_plan_wanted(p))
        return;
    sp->on = 1;
    for (int r = 0; r < p->roles; r++)
        sp->role_cap[r] = p->role[r].caseload_cap;
    sp->core_cap = p->caseload_cap;
    sp->hours_per_day = p->meeting_hours_per_day;
    /* A change to one role's cap may part it from the others': the
     * ready pool then gives way to the linear scan. */
    for (int i = 0; i < p->staff_changes; i++)
        if (p->staff_change[i].role >= 0 && p->staff_change[i].caseload_cap >= 0)
            m->uniform_caps = 0;
    int w = p->roles == 0 ? p->workers : 0;
    for (int t = 0; t < p->teams && p->roles > 0; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            w += p->team[t].group[g].count;
    sp->first_plan_slot = w;
    for (int i = 0; i < p->plan_steps; i++)
        for (int j = 0; j < p->plan[i].change; j++, w++) {
            m->workers[w].team = p->plan[i].team < 0 ? 0 : p->plan[i].team;
            m->workers[w].role = p->plan[i].role < 0 ? 0 : p->plan[i].role;
            m->workers[w].fte = p->plan[i].fte;
        }
    for (int r = 0; r < p->staff_rules; r++) {
        const model_staff_rule *ru = &p->staff_rule[r];
        if (!ru->opens)
            continue;
        sp->rule_first[r] = w;
        sp->rule_slots[r] = ru->limit;
        for (int j = 0; j < ru->limit; j++, w++) {
            m->workers[w].team = ru->team < 0 ? 0 : ru->team;
            m->workers[w].role = ru->role < 0 ? 0 : ru->role;
            m->workers[w].fte = ru->fte;
        }
    }
}

/* At month <= 0 the action applies now (the run's first instant), else at
 * its month if that is before the horizon. */
static void at_month(model_ctx *m, double month, uint32_t act)
{
    double t = month * MODEL_DAYS_PER_MONTH;
    if (t <= 0)
        staffplan_handle(m, act);
    else if (t < m->horizon_time)
        sim_schedule_at(&m->engine, t, EV_STAFF_PLAN, act);
}

void staffplan_start(model_ctx *m)
{
    const model_params *p = m->p;
    if (!m->plan.on)
        return;
    int w = 0;
    for (int t = 0; t < p->teams && p->roles > 0; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            for (int i = 0; i < p->team[t].group[g].count; i++, w++)
                if (p->team[t].group[g].end_month > 0)
                    at_month(m, p->team[t].group[g].end_month, action(ACT_POST_END, w));
    for (int i = 0; i < p->plan_steps; i++)
        at_month(m, p->plan[i].month, action(ACT_PLAN, i));
    for (int i = 0; i < p->staff_changes; i++)
        at_month(m, p->staff_change[i].month, action(ACT_CHANGE, i));
    for (int k = 0; k < p->measures; k++)
        for (int i = 0; i < p->measure[k].places_at.count; i++)
            at_month(m, p->measure[k].places_at.month[i], action(ACT_PLACES, k * MODEL_MAX_SCHEDULE + i));
}

/* Closes one post of the role in the team that is in post: a post a rule
 * opened first, else the latest slot. -1 when none is. */
static int close_latest(model_ctx *m, int role, int team)
{
    int pick = -1;
    for (int w = m->worker_count - 1; w >= 0; w--) {
        const worker *wk = &m->workers[w];
        if (!in_post(wk) || !matches(wk, role, team))
            continue;
        if (pick < 0 || (wk->rule && !m->workers[pick].rule))
            pick = w;
    }
    if (pick >= 0)
        casework_post_close(m, pick);
    return pick;
}

static void plan_step(model_ctx *m, int i)
{
    const model_plan_step *st = &m->p->plan[i];
    if (st->change < 0) {
        for (int j = 0; j < -st->change; j++)
            if (close_latest(m, st->role, st->team) < 0)
                break;
        return;
    }
    int w = m->plan.first_plan_slot;
    for (int k = 0; k < i; k++)
        if (m->p->plan[k].change > 0)
            w += m->p->plan[k].change;
    for (int j = 0; j < st->change; j++)
        casework_post_start(m, w + j);
}

static void staff_change(model_ctx *m, int i)
{
    const model_params *p = m->p;
    const model_staff_change *c = &p->staff_change[i];
    if (c->meeting_hours_per_day >= 0)
        m->plan.hours_per_day = c->meeting_hours_per_day; /* meetings under way keep their end */
    if (c->caseload_cap >= 0) {
        if (p->roles == 0)
            m->plan.core_cap = c->caseload_cap;
        for (int r = 0; r < p->roles; r++)
            if (c->role == r || (c->role < 0 && p->role[r].caseload_cap > 0))
                m->plan.role_cap[r] = c->caseload_cap;
        /* A lower cap takes nobody away: new people wait until loads are
         * under it. A higher one takes people from the list now. */
        casework_fill(m);
    }
}

void staffplan_handle(model_ctx *m, uint32_t act)
{
    int kind = (int)(act >> 24), index = (int)(act & 0xffffffu);
    switch (kind) {
    case ACT_POST_END:
        casework_post_close(m, index);
        break;
    case ACT_PLAN:
        plan_step(m, index);
        break;
    case ACT_CHANGE:
        staff_change(m, index);
        break;
    case ACT_PLACES: {
        int k = index / MODEL_MAX_SCHEDULE, i = index % MODEL_MAX_SCHEDULE;
        /* A cut takes no place away from whoever is in it. */
        m->measures[k].places = (int)m->p->measure[k].places_at.value[i];
        measures_fill(m, k);
        break;
    }
    case ACT_RULE_START:
        casework_post_start(m, index);
        break;
    }
}

/* A slot the rule may open: never opened, or (without turnover, whose
 * pending departures would hit a reused slot) closed since. */
static int free_rule_slot(model_ctx *m, int r)
{
    for (int j = 0; j < m->plan.rule_slots[r]; j++) {
        worker *wk = &m->workers[m->plan.rule_first[r] + j];
        if (wk->rule == 0)
            return m->plan.rule_first[r] + j;
        if (wk->closed && !wk->active && !wk->leaving && !m->p->has_turnover)
            return m->plan.rule_first[r] + j;
    }
    return -1;
}

void staffplan_month_end(model_ctx *m, int month)
{
    const model_params *p = m->p;
    (void)month;
    if (!m->plan.on)
        return;
    double waiting = (double)m->waiting_count;
    for (int r = 0; r < p->staff_rules; r++) {
        const model_staff_rule *ru = &p->staff_rule[r];
        int beyond = ru->opens ? waiting > ru->threshold : waiting < ru->threshold;
        m->plan.rule_run[r] = beyond ? m->plan.rule_run[r] + 1 : 0;
        if (m->plan.rule_run[r] < ru->months)
            continue;
        if (ru->opens) {
            int w = free_rule_slot(m, r);
            if (w < 0)
                continue; /* at the limit: the run goes on, a close may free a slot */
            m->workers[w].rule = r + 1;
            m->workers[w].closed = 0;
            m->plan.rule_run[r] = 0;
            double due = m->engine.now + ru->delay_days;
            if (due < m->horizon_time)
                sim_schedule_at(&m->engine, due, EV_STAFF_PLAN, action(ACT_RULE_START, w));
        } else {
            int posts = 0;
            for (int w = 0; w < m->worker_count; w++)
                posts += in_post(&m->workers[w]) && matches(&m->workers[w], ru->role, ru->team);
            if (posts > ru->limit && close_latest(m, ru->role, ru->team) >= 0)
                m->plan.rule_run[r] = 0;
        }
    }
}
