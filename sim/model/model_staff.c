/*
 * model_staff.c — the staff pool: posts, caps, the least-loaded choice,
 * learning, maturity and method capital with its separate levers.
 *
 * Owns what concerns workers and teams alone. The cap a worker takes
 * participants up to comes from the role (or the core's caseload_cap),
 * raised under volume pressure; a participant weighs 1 or their need. When
 * every caseload-carrying role has the same cap, workers in post sit in
 * the ready pool (model_ready.c), which finds the least loaded at once;
 * with mixed caps the choice is a linear scan (the least loaded may be
 * full while a colleague with a higher cap has room).
 * Team method capital and maturity are brought up to date lazily, when
 * read or when the team changes, rather than on a clock.
 *
 * With sites (model_params.h, model_site) the choice is filtered: a
 * participant tied to a site goes to a worker of that site's teams, or,
 * once another site lends its places, to a worker of that site; the scan
 * is linear then (tens of workers in the reports' projects; a heap per
 * site would be the alternative at a larger scale).
 */
#include "model/model_staff.h"

#include <math.h>
#include <stdlib.h>

#include "model/model_ready.h"

/* Slots beyond the teams' members: posts a staffing plan opens, then room
 * for the most each opening rule may open (model_staffplan.c). 0 unless a
 * scenario plans staff. */
static int planned_slots(const model_params *p)
{
    int n = 0;
    for (int i = 0; i < p->plan_steps; i++)
        if (p->plan[i].change > 0)
            n += p->plan[i].change;
    for (int r = 0; r < p->staff_rules; r++)
        if (p->staff_rule[r].opens)
            n += p->staff_rule[r].limit;
    return n;
}

int staff_plan_wanted(const model_params *p)
{
    if (p->plan_steps > 0 || p->staff_changes > 0 || p->staff_rules > 0)
        return 1;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            if (p->team[t].group[g].end_month > 0)
                return 1;
    for (int k = 0; k < p->measures; k++)
        if (p->measure[k].places_at.count > 0)
            return 1;
    return 0;
}

int staff_worker_slots(const model_params *p)
{
    if (p->roles == 0)
        return p->workers + planned_slots(p);
    int n = 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            n += p->team[t].group[g].count;
    return n + planned_slots(p);
}

int staff_setup(model_ctx *m)
{
    const model_params *p = m->p;
    m->worker_count = staff_worker_slots(p);
    m->workers = calloc((size_t)(m->worker_count ? m->worker_count : 1), sizeof *m->workers);
    if (!m->workers)
        return -1;
    m->team_count = p->roles > 0 ? p->teams : 1;
    for (int t = 0; t < m->team_count; t++)
        m->teams[t].maturity = p->has_maturity ? p->maturity_start : 1.0;
    /* With everyone weighing 1, loads are whole numbers (model_ready.c). */
    if (ready_setup(m, !p->cap_by_need) != 0)
        return -1;
    /* The heap serves one pool; sites filter it, so they scan. */
    m->uniform_caps = p->sites == 0;
    double cap = -1;
    for (int r = 0; r < p->roles; r++)
        if (p->role[r].caseload_cap > 0) {
            if (cap >= 0 && p->role[r].caseload_cap != cap)
                m->uniform_caps = 0;
            cap = p->role[r].caseload_cap;
        }
    if (p->roles == 0) {
        for (int w = 0; w < m->worker_count; w++)
            m->workers[w].fte = 1.0;
        return 0;
    }
    int w = 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            for (int i = 0; i < p->team[t].group[g].count; i++, w++) {
                m->workers[w].team = t;
                m->workers[w].role = p->team[t].group[g].role;
                m->workers[w].fte = p->team[t].group[g].fte;
            }
    return 0;
}

void staff_start_core(model_ctx *m)
{
    const model_params *p = m->p;
    /* Slots beyond p->workers are planned posts, started by their plan. */
    for (int w = 0; w < p->workers; w++) {
        m->workers[w].active = 1;
        staff_ready_update(m, w);
        m->teams[0].fte_active += 1.0;
        m->teams[0].members_active++;
    }
    m->capacity_level.level = (double)p->workers;
    if (p->has_turnover)
        for (int w = 0; w < p->workers; w++)
            sim_schedule(&m->engine,
                         dist_sample(&p->tenure_months, m->stream[MODEL_STREAM_STAFF]) * MODEL_DAYS_PER_MONTH,
                         EV_WORKER_LEAVE, (uint32_t)w);
}

/* Brings a team's method capital and maturity up to now. Capital grows
 * with the staff time set aside for method work and decays towards
 * gain * time_share * fte / decay. */
void staff_team_update(model_ctx *m, int t)
{
    const model_params *p = m->p;
    team_state *ts = &m->teams[t];
    double now = m->engine.now;
    if (p->has_method) {
        double dt = month_of(now - ts->capital_time);
        double inflow = p->method_gain * p->method_time_share * ts->fte_active;
        if (p->method_decay > 0) {
            double k_inf = inflow / p->method_decay;
            ts->capital = k_inf + (ts->capital - k_inf) * exp(-p->method_decay * dt);
        } else {
            ts->capital += inflow * dt;
        }
        ts->capital_time = now;
    }
    if (p->has_maturity) {
        double dt = month_of(now - ts->maturity_time);
        ts->maturity += (1 - p->maturity_start) * dt / p->maturity_months;
        if (ts->maturity > 1)
            ts->maturity = 1;
        ts->maturity_time = now;
    }
}

double staff_method_multiplier(model_ctx *m, int team)
{
    if (!m->p->has_method)
        return 1.0;
    staff_team_update(m, team);
    double k = m->teams[team].capital;
    return 1.0 + m->p->method_effect * k / (k + m->p->method_half);
}

/* The capital's saturation k / (k + half), in [0, 1). One curve for every
 * lever: the levers differ in what they act on and how far, not in how
 * capital turns into effect (a lever's own half-saturation would be a
 * further key with nothing in the reports to set it by). */
static double method_saturation(model_ctx *m, int team)
{
    staff_team_update(m, team);
    double k = m->teams[team].capital;
    return k / (k + m->p->method_half);
}

double staff_completion_multiplier(model_ctx *m, int team)
{
    if (!m->p->has_method || !(m->p->method_completion_effect > 0))
        return 1.0;
    return 1.0 + m->p->method_completion_effect * method_saturation(m, team);
}

double staff_speed_multiplier_of_capital(model_ctx *m, int team)
{
    return 1.0 + m->p->method_speed_effect * method_saturation(m, team);
}

double staff_retention_lift(model_ctx *m, int team)
{
    if (!m->p->has_method || !(m->p->method_retention_effect > 0))
        return 0.0;
    return m->p->method_retention_effect * method_saturation(m, team);
}

double staff_maturity_multiplier(model_ctx *m, int team)
{
    if (!m->p->has_maturity)
        return 1.0;
    staff_team_update(m, team);
    return m->teams[team].maturity;
}

double staff_productivity(const model_ctx *m, const worker *w)
{
    if (!m->p->has_learning || !w->learning)
        return 1.0;
    double f = month_of(m->engine.now - w->hired_at) / m->p->learning_months;
    if (f >= 1)
        return 1.0;
    return m->p->learning_start + (1 - m->p->learning_start) * f;
}

double staff_cap_of(const model_ctx *m, const worker *w)
{
    double cap = m->p->roles > 0 ? m->p->role[w->role].caseload_cap : (double)m->p->caseload_cap;
    if (m->plan.on) /* caps a staffing plan changes over time */
        cap = m->p->roles > 0 ? m->plan.role_cap[w->role] : m->plan.core_cap;
    if (m->pressure)
        cap = floor(cap * (1 + m->p->pressure_cap_increase));
    return cap;
}

double staff_weight_of(const model_ctx *m, const participant *pp)
{
    return m->p->cap_by_need ? participant_need(m, pp) : 1.0;
}

void staff_ready_update(model_ctx *m, int w)
{
    if (!m->uniform_caps)
        return;
    const worker *wk = &m->workers[w];
    int eligible = wk->active && !wk->leaving &&
                   (m->p->roles > 0 ? m->p->role[wk->role].caseload_cap > 0 : 1);
    ready_set(m, w, eligible);
}

/* Whether worker wk may take participant pp: own site (or pp untied), or,
 * with `lent`, a worker of a site lending its places now. */
static int serves(const model_ctx *m, const worker *wk, const participant *pp, int lent)
{
    int site = m->p->roles > 0 && m->p->teams > 0 ? m->p->team[wk->team].at_site : 0;
    if (!lent)
        return pp->site == 0 || site == pp->site;
    if (site == 0 || site == pp->site || pp->site == 0)
        return 0;
    double from = m->p->site[site - 1].lends_from_month;
    return from >= 0 && month_of(m->engine.now) >= from - 1e-9;
}

int staff_least_loaded_at(const model_ctx *m, const participant *pp, int lent)
{
    double weight = staff_weight_of(m, pp);
    int best = -1;
    for (int w = 0; w < m->worker_count; w++) {
        const worker *wk = &m->workers[w];
        if (!wk->active || wk->leaving || !serves(m, wk, pp, lent))
            continue;
        double cap = staff_cap_of(m, wk);
        if (cap <= 0 || wk->load + weight > cap)
            continue;
        if (best < 0 || wk->load < m->workers[best].load)
            best = w;
    }
    return best;
}

int staff_least_loaded(const model_ctx *m, const participant *pp)
{
    double weight = staff_weight_of(m, pp);
    if (m->p->sites > 0) {
        int w = staff_least_loaded_at(m, pp, 0);
        return w >= 0 || pp->site == 0 ? w : staff_least_loaded_at(m, pp, 1);
    }
    if (m->uniform_caps) {
        int w = ready_least(m);
        if (w < 0)
            return -1;
        return m->workers[w].load + weight <= staff_cap_of(m, &m->workers[w]) ? w : -1;
    }
    int best = -1;
    for (int w = 0; w < m->worker_count; w++) {
        const worker *wk = &m->workers[w];
        if (!wk->active || wk->leaving)
            continue;
        double cap = staff_cap_of(m, wk);
        if (cap <= 0 || wk->load + weight > cap)
            continue;
        if (best < 0 || wk->load < m->workers[best].load)
            best = w;
    }
    return best;
}

static void capacity_changed(model_ctx *m)
{
    double fte = 0;
    for (int t = 0; t < m->team_count; t++)
        fte += m->teams[t].fte_active;
    m->staff_changed = 1;
    cumulative_set(&m->capacity_level, m->engine.now, fte);
}

/* A worker joining shifts the team's maturity down by a share that shrinks
 * with the team's size: a newcomer disturbs a small team more. */
void staff_join(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    staff_team_update(m, wk->team);
    wk->active = 1;
    wk->leaving = 0;
    staff_ready_update(m, w);
    wk->hired_at = m->engine.now;
    wk->learning = m->engine.now > 0;
    team_state *ts = &m->teams[wk->team];
    ts->fte_active += wk->fte;
    ts->members_active++;
    if (m->p->has_maturity && m->engine.now > 0 && ts->members_active > 1) {
        ts->maturity -= (1 - m->p->maturity_start) / ts->members_active;
        if (ts->maturity < m->p->maturity_start)
            ts->maturity = m->p->maturity_start;
    }
    capacity_changed(m);
    if (m->p->has_turnover)
        sim_schedule(&m->engine, dist_sample(&m->p->tenure_months, m->stream[MODEL_STREAM_STAFF]) * MODEL_DAYS_PER_MONTH,
                     EV_WORKER_LEAVE, (uint32_t)w);
}

/* A leaver takes their share of the team's method capital with them. */
void staff_leave(model_ctx *m, int w)
{
    const model_params *p = m->p;
    worker *wk = &m->workers[w];
    staff_team_update(m, wk->team);
    team_state *ts = &m->teams[wk->team];
    if (p->has_method && ts->members_active > 0)
        ts->capital *= 1 - p->method_turnover_loss / ts->members_active;
    wk->active = 0;
    wk->leaving = 0;
    staff_ready_update(m, w);
    ts->fte_active -= wk->fte;
    ts->members_active--;
    capacity_changed(m);
}

int staff_worker_of_role(model_ctx *m, int role, int team)
{
    int best = -1;
    for (int pass = 0; pass < 2 && best < 0; pass++)
        for (int w = 0; w < m->worker_count; w++) {
            const worker *wk = &m->workers[w];
            if (wk->role != role || !wk->active || (pass == 0 && wk->team != team))
                continue;
            size_t q = wk->queue.count + (size_t)wk->busy;
            if (best < 0 || q < m->workers[best].queue.count + (size_t)m->workers[best].busy)
                best = w;
        }
    return best;
}
