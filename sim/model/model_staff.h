/*
 * model_staff.h — the staff pool of a replication, private to sim/model.
 *
 * Owns the workers and teams as a pool: who is in post, caseload caps and
 * the least-loaded choice (a heap when caps are uniform), a new hire's
 * learning curve, team maturity, method capital, and the pool's side of
 * joining and leaving. What a start or a departure does to participants
 * (their meetings, their caseload) is event handling, in model_casework.c.
 */
#ifndef CASEFLOW_MODEL_STAFF_H
#define CASEFLOW_MODEL_STAFF_H

#include "model/model_ctx.h"

/* Whether the scenario changes staffing over time (model_staffplan.c):
 * plan steps, cap or hour changes, rules, posts that end, place schedules. */
int staff_plan_wanted(const model_params *p);

/* Posts a scenario has: `workers` in the core, the team members otherwise,
 * plus the slots of posts a staffing plan or rule may open. */
int staff_worker_slots(const model_params *p);

/* Allocates the workers and the ready pool; -1 when out of memory. */
int staff_setup(model_ctx *m);

/* The core's workers (no roles): all in post from time 0, with their
 * tenure drawn when turnover is on. */
void staff_start_core(model_ctx *m);

/* The pool's side of worker w taking up (again) or leaving the post:
 * status, heap, team FTE, maturity or capital, and the next departure. */
void staff_join(model_ctx *m, int w);
void staff_leave(model_ctx *m, int w);

/* Brings team t's method capital and maturity up to now. */
void staff_team_update(model_ctx *m, int t);
double staff_method_multiplier(model_ctx *m, int team);
double staff_maturity_multiplier(model_ctx *m, int team);
/* The method capital's separate levers (model_params.h): each is
 * 1 + effect * k / (k + half) (the retention lift effect * k / (k + half)),
 * and exactly 1 (0) without touching the capital when its effect is 0, so
 * a scenario without the lever computes and draws what it did before. */
double staff_completion_multiplier(model_ctx *m, int team);
double staff_retention_lift(model_ctx *m, int team);
/* The speed lever with the capital brought up to now; staff_speed_multiplier
 * calls it only when the lever is on. */
double staff_speed_multiplier_of_capital(model_ctx *m, int team);
/* A new hire's share of full productivity now (1 once learned). */
double staff_productivity(const model_ctx *m, const worker *w);

/* The three below are read at every meeting's start and end, so they are
 * inline here with the core's case (no roles, method or learning) free of
 * calls; the arithmetic is the same in every case, so the results are. */
static inline double staff_speed_multiplier(model_ctx *m, int team)
{
    if (!m->p->has_method || !(m->p->method_speed_effect > 0))
        return 1.0;
    return staff_speed_multiplier_of_capital(m, team);
}

/* Meeting hours worker w gets through per calendar day. */
static inline double staff_hours_per_day(const model_ctx *m, const worker *wk)
{
    const model_params *p = m->p;
    double rate = m->plan.on ? m->plan.hours_per_day : p->meeting_hours_per_day;
    if (p->roles > 0 || p->has_method || p->has_learning)
        rate = rate * wk->fte * (1 - (p->has_method ? p->method_time_share : 0)) * staff_productivity(m, wk);
    return rate;
}

/* Worker time a meeting in progress takes per day of it, in FTE: a meeting
 * stretches over a part-time worker's or a method worker's calendar, but
 * only their FTE, less the method share, is spent in it. 1 in the core. */
static inline double staff_busy_weight(const model_ctx *m, const worker *wk)
{
    return wk->fte * (1 - (m->p->has_method ? m->p->method_time_share : 0));
}

/* The caseload cap worker w takes participants up to now (role or core
 * cap, as a staffing plan has changed it, raised under volume pressure). */
double staff_cap_of(const model_ctx *m, const worker *w);
/* What a participant weighs against a caseload cap: 1, or their need. */
double staff_weight_of(const model_ctx *m, const participant *pp);
/* Keeps worker w's place in the ready pool (model_ready.c) right after a change of
 * load or status. */
void staff_ready_update(model_ctx *m, int w);
/* The least loaded case worker in post with room for this participant
 * (lowest index on ties), or -1. */
int staff_least_loaded(const model_ctx *m, const participant *pp);
/* Sites: the least loaded worker in post with room who serves pp's site
 * (any worker for an untied participant), or with `lent` one of another
 * site lending its places now; -1 when none. staff_least_loaded tries
 * the own site first, then lenders. */
int staff_least_loaded_at(const model_ctx *m, const participant *pp, int lent);
/* A worker of the role, in the team if there is one, else anywhere: the
 * shortest queue, lowest index on ties; -1 when none is in post. */
int staff_worker_of_role(model_ctx *m, int role, int team);

#endif
