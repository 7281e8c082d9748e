/*
 * model_casework.c — the event handlers of a replication: referral,
 * screening, waiting, caseload, meetings, phases, measures and exits.
 *
 * The core: a referral becomes a participant; if some case worker has room
 * under the caseload cap the participant is assigned to the least loaded one
 * (lowest index on ties), otherwise waits. An assigned participant alternates
 * between needing a meeting with their worker and time on their own. A worker
 * holds one meeting at a time, first come first served; worker time is a
 * budget of meeting hours per day, so a meeting of h hours occupies the
 * worker h / hours_per_day days. After each meeting the case may end, to a
 * destination drawn from the shares; the freed slot takes the head of the
 * waiting list. This is how caseload reaches outcomes: more participants per
 * worker means longer queues for meetings, hence longer gaps between them.
 *
 * Around the core, each mechanism of model_params.h acts only when switched
 * on: several referral sources (schedules, quotas, replacement, a referring
 * unit's load), profiles and screening, a priority list with reneging and
 * regression while waiting, staff with roles, teams, part-time, ramp-up,
 * turnover, learning and team maturity, decision and consultative roles,
 * phases with progress, external measures with places, a time limit,
 * follow-up with relapse, method capital against volume pressure, targets.
 *
 * This file owns the event handlers, where those mechanisms meet: it calls
 * the mechanism files (arrivals, staff, measures, participants, waiting,
 * exits, series) and none of them calls back, so the includes have no
 * cycle. model_run.c sets a replication up and runs the event loop.
 */
#include "model/model_events.h"

#include <math.h>
#include <string.h>

#include "model/model_arrivals.h"
#include "model/model_exits.h"
#include "model/model_handover.h"
#include "model/model_measures.h"
#include "model/model_profile_exits.h"
#include "model/model_series.h"
#include "model/model_staff.h"
#include "model/model_waiting.h"

static void active_changed(model_ctx *m)
{
    cumulative_set(&m->active_level, m->engine.now, (double)m->active);
}

/* ---- meetings ----------------------------------------------------------- */

static void start_next_meeting(model_ctx *m, int w);

/* The test inline, the work out of line: most requests that reach it
 * find their worker busy, and each paid a call and three saved registers
 * before the test (-1.6 M Ir of 536 M in bench_malmo). */
static inline void start_meeting_if_idle(model_ctx *m, int w)
{
    const worker *wk = &m->workers[w];
    if (!wk->busy && wk->active)
        start_next_meeting(m, w);
}

static double meeting_hours(model_ctx *m, const participant *pp, int kind, int w)
{
    gsl_rng *r = m->stream[MODEL_STREAM_MEETING];
    if (kind == MEET_CASEWORK) {
        double hours = dist_sample(&m->phase[pp->phase].meeting_hours, r) * participant_need(m, pp);
        /* The method's speed lever shortens casework meetings: worker time
         * per meeting, not the participant's own time between meetings. */
        double speed = staff_speed_multiplier(m, m->workers[w].team);
        return speed != 1.0 ? hours / speed : hours;
    }
    return dist_sample(&m->p->role[m->workers[w].role].meeting_hours, r);
}

/* Worker w, idle and in post, starts the meeting of queue entry e, whose
 * participant pp is current. Forced inline into its two callers: a
 * separate frame for it cost -7.5 M Ir of 552 M in bench_malmo. */
static inline __attribute__((always_inline)) void begin_meeting(model_ctx *m, int w, uint64_t e, participant *pp)
{
    worker *wk = &m->workers[w];
    wk->busy = 1;
    wk->in_meeting = e;
    wk->busy_since = m->engine.now;
    pp->state = P_IN_MEETING;
    double hours, rate, weight;
    if (m->core_meetings) {
        /* meeting_hours, staff_hours_per_day and staff_busy_weight as they
         * reduce in the core: a need of 1 and a speed of 1 multiply and
         * divide by 1 (exact), the weight is fte * (1 - 0) (exact). */
        hours = dist_sample(&m->phase[pp->phase].meeting_hours, m->stream[MODEL_STREAM_MEETING]);
        rate = m->core_rate;
        weight = wk->fte;
    } else {
        hours = meeting_hours(m, pp, entry_kind(e), w);
        rate = staff_hours_per_day(m, wk);
        weight = staff_busy_weight(m, wk);
    }
    cumulative_set(&m->busy_level, m->engine.now, m->busy_level.level + weight);
    sim_schedule(&m->engine, hours / rate, EV_MEETING_END, (uint32_t)w);
}

static int queue_meeting(model_ctx *m, uint32_t s, int w, int kind)
{
    participant *pp = &m->people[s];
    worker *wk = &m->workers[w];
    pp->state = P_NEEDS_MEETING;
    pp->pending = EVSET_NO_HANDLE;
    pp->seq++;
    pp->queued_at = w;
    uint64_t e = entry_make(s, kind, pp->seq);
    /* An idle worker in post with an empty queue would pop this very entry
     * at once, and find it current: it starts without the round trip
     * through the FIFO (the same meeting, draws and event; about a fifth
     * of the requests in bench_malmo find their worker idle). */
    if (!wk->busy && wk->active && wk->queue.count == 0) {
        begin_meeting(m, w, e, pp);
        return 0;
    }
    if (fifo_push(&wk->queue, e) != 0) {
        m->engine.out_of_memory = 1;
        return -1;
    }
    start_meeting_if_idle(m, w);
    return 0;
}

/* Worker w, idle and in post, starts the first current meeting of its
 * queue, if any. */
static void start_next_meeting(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    while (wk->queue.count > 0) {
        uint64_t e = fifo_pop(&wk->queue);
        participant *pp = &m->people[entry_slot(e)];
        if (pp->state != P_NEEDS_MEETING || !entry_current(e, pp->seq))
            continue; /* left, or moved to another worker, since queueing */
        begin_meeting(m, w, e, pp);
        return;
    }
}

static void hand_on(model_ctx *m, uint32_t s);
static void worker_start(model_ctx *m, int w);

static void needs_meeting(model_ctx *m, uint32_t s)
{
    /* A participant of a post that has ended (staffing plan) was busy
     * elsewhere when it ended: they are handed on now. */
    if (m->workers[m->people[s].worker].closed) {
        hand_on(m, s);
        return;
    }
    queue_meeting(m, s, m->people[s].worker, MEET_CASEWORK);
}

/* Forced inline: after most meetings own time comes next, and the call
 * with its frame cost -9 M Ir of 545 M in bench_malmo. */
static inline __attribute__((always_inline)) void own_time(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    double gap = dist_sample(&m->phase[pp->phase].own_time_days, m->stream[MODEL_STREAM_OWN_TIME]);
    if (gap > 0) {
        pp->state = P_OWN_TIME;
        pp->pending = sim_schedule(&m->engine, gap, EV_OWN_TIME_END, s);
    } else {
        needs_meeting(m, s);
    }
}

/* ---- entering and leaving ------------------------------------------------ */

static void assign(model_ctx *m, uint32_t s, int w)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    worker *wk = &m->workers[w];
    /* back from the waiting list after their post ended (hand_on) */
    int returning = !isnan(rd->rec.assignment_time) && pp->worker < 0;
    if (pp->worker >= 0 && pp->worker != w)
        rd->rec.worker_changes++;
    pp->worker = w;
    wk->caseload++;
    wk->load += staff_weight_of(m, pp);
    staff_ready_update(m, w);
    if (isnan(rd->rec.assignment_time)) {
        rd->rec.assignment_time = m->engine.now;
        if (pp->site > 0)
            m->out->site_assigned[pp->site - 1]++;
        m->active++;
        m->enrolled++;
        if (m->measuring)
            m->out->enrolled_measured++;
        active_changed(m);
        if (rd->rec.referral_time >= m->warmup_time)
            stat_obs_add(&m->out->wait_days, m->engine.now - rd->rec.referral_time);
        if (rd->renege != EVSET_NO_HANDLE) {
            sim_cancel(&m->engine, rd->renege);
            rd->renege = EVSET_NO_HANDLE;
        }
        if (m->p->readiness_decay_per_month > 0)
            rd->readiness -= m->p->readiness_decay_per_month * month_of(m->engine.now - rd->rec.referral_time);
        double limit = profile_max_months(m->p, rd->rec.profile);
        if (limit > 0)
            rd->limit = sim_schedule(&m->engine, limit * MODEL_DAYS_PER_MONTH, EV_TIME_LIMIT, s);
        pp->phase = 0;
        rd->progress = 0;
        /* The first phase's measure: a place is held (or queued for) now
         * and taken after the first meeting, as later phases' places are
         * taken after the meeting under way. */
        enum measure_request got = measures_request(m, s, m->phase[0].measure);
        if (got == MEASURE_FAILED)
            return;
        if (got == MEASURE_HELD)
            pp->measure_ready = 1;
        needs_meeting(m, s);
    } else if (returning) {
        m->active++;
        active_changed(m);
        rd->progress *= 1 - m->p->progress_lost_on_change;
        if (m->p->max_months > 0) {
            double due = rd->rec.assignment_time + m->p->max_months * MODEL_DAYS_PER_MONTH;
            rd->limit = sim_schedule_at(&m->engine, due > m->engine.now ? due : m->engine.now, EV_TIME_LIMIT, s);
        }
        needs_meeting(m, s);
    }
}

/* Sites: of the lists whose head some worker can take now (own site
 * only, or with `lent` a lending site's worker), the head of the highest
 * priority level (all one level unless the list is ordered by priority),
 * referred earliest within it; NO_SLOT when none. Scans sites x workers
 * per assignment. */
static uint32_t site_pick(model_ctx *m, int lent, int *worker_out)
{
    uint32_t best = NO_SLOT;
    int best_level = 0;
    for (int k = lent ? 1 : 0; k <= m->p->sites; k++) {
        uint32_t s = waiting_next_at(m, k);
        if (s == NO_SLOT)
            continue;
        int w = staff_least_loaded_at(m, &m->people[s], lent);
        if (w < 0)
            continue;
        int level = waiting_level(m, s);
        if (best == NO_SLOT || level < best_level ||
            (level == best_level && m->records[s].rec.referral_time < m->records[best].rec.referral_time)) {
            best = s;
            best_level = level;
            *worker_out = w;
        }
    }
    return best;
}

/* Own sites' places are filled first; only places still free then are
 * lent to other sites' lists (unfilled capacity, MIA 001 l.331). */
static void fill_site_slots(model_ctx *m)
{
    for (;;) {
        int w = -1;
        uint32_t s = site_pick(m, 0, &w);
        if (s == NO_SLOT)
            s = site_pick(m, 1, &w);
        if (s == NO_SLOT)
            break;
        waiting_take(m, s);
        assign(m, s, w);
    }
}

static void fill_free_slots(model_ctx *m)
{
    if (m->p->sites > 0) {
        fill_site_slots(m);
        return;
    }
    for (;;) {
        uint32_t s = waiting_next(m);
        if (s == NO_SLOT)
            break;
        int w = staff_least_loaded(m, &m->people[s]);
        if (w < 0)
            break;
        waiting_take(m, s);
        assign(m, s, w);
    }
}

/* A new participant from source `source`, drawing their profile from r. */
static void new_referral(model_ctx *m, int source, gsl_rng *r, int relapse)
{
    const model_params *p = m->p;
    uint32_t s = participants_new(m, source, relapse);
    if (s == NO_SLOT)
        return;
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    m->out->referrals++;
    m->month_referrals++;
    if (p->sources > 0)
        m->month_source_referrals[source]++;
    if (m->measuring) {
        m->out->referrals_measured++;
        if (p->sources > 0)
            m->out->referrals_by_source[source]++;
        if (relapse)
            m->out->relapses_measured++;
    }
    int accepted = 1;
    if (p->profiles > 0) {
        int k = draw_index(r, p->source[source].profile_shares, p->profiles);
        const model_profile *pr = &p->profile[k];
        rd->rec.profile = (int16_t)k;
        pp->profile = (int16_t)k;
        rd->readiness = pr->readiness;
        rd->rec.female = (int8_t)(rng_uniform(r) < pr->female_share);
        if (p->age_bands > 0)
            rd->rec.age_band = (int8_t)draw_index(r, pr->age_shares, p->age_bands);
        if (pr->acceptance < 1)
            accepted = rng_uniform(r) < pr->acceptance;
    }
    if (!accepted) {
        rd->rec.fate = FATE_REJECTED;
        if (p->sources > 0)
            m->month_source_rejected[source]++;
        if (m->measuring) {
            m->out->rejected_measured++;
            if (p->sources > 0)
                m->out->rejected_by_source[source]++;
        }
        participants_release(m, s);
        return;
    }
    if (p->sites > 0 && p->source[source].at_site > 0) {
        pp->site = (int16_t)p->source[source].at_site;
        m->out->site_referred[pp->site - 1]++;
    }
    /* Nobody ahead of them in their list (the one list without sites). */
    int w = waiting_count_at(m, pp->site) == 0 ? staff_least_loaded(m, pp) : -1;
    if (w >= 0) {
        pp->state = P_NEEDS_MEETING;
        assign(m, s, w);
    } else {
        if (waiting_join(m, s) != 0)
            return;
        /* A newcomer of higher priority may now head a list that has room
         * (only possible with priorities and need-weighted caps). */
        if (m->levels > 1 || p->cap_by_need)
            fill_free_slots(m);
    }
}

static void on_referral(model_ctx *m, int source)
{
    arrivals_next(m, source);
    new_referral(m, source, m->p->sources == 0 ? NULL : m->source_profiles[source], 0);
}

static void stuck_hold(model_ctx *m, uint32_t s, int destination, int receiver);

/* Participant s leaves to destination now (a receiver, if any, has taken
 * them). */
static void leave_programme(model_ctx *m, uint32_t s, int destination)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    /* The record is first needed by exits_record, a cache miss at 100x
     * size: asked for now, and the worker's and the programme's counts
     * (which exits_record neither reads nor changes) are brought up to
     * date while it comes. */
    __builtin_prefetch(rd);
    worker *wk = &m->workers[pp->worker];
    wk->caseload--;
    wk->load -= staff_weight_of(m, pp);
    staff_ready_update(m, pp->worker);
    m->active--;
    active_changed(m);
    exits_record(m, s, destination);
    if (pp->pending != EVSET_NO_HANDLE && (pp->state == P_OWN_TIME || pp->state == P_IN_MEASURE))
        sim_cancel(&m->engine, pp->pending);
    if (pp->state == P_IN_MEASURE || pp->measure_ready)
        measures_release(m, s);
    if (rd->limit != EVSET_NO_HANDLE)
        sim_cancel(&m->engine, rd->limit);
    exits_follow_up(m, s, destination);
    int source = rd->rec.source;
    participants_release(m, s);
    exits_replace(m, source);
    fill_free_slots(m);
}

/* The case ends to destination. With receivers (exits.receivers), one
 * that is full this month keeps them waiting: in the programme, or outside
 * it after leaving (model_handover.c). */
static void exit_programme(model_ctx *m, uint32_t s, int destination)
{
    if (m->p->receivers > 0) {
        int r = receivers_full(m, destination);
        if (r >= 0 && !m->p->receiver[r].leave_when_full) {
            stuck_hold(m, s, destination, r);
            return;
        }
        if (r >= 0 && receivers_wait(m, r, NO_SLOT, m->records[s].rec.id) != 0)
            return;
    }
    leave_programme(m, s, destination);
}

static void enter_phase(model_ctx *m, uint32_t s, int phase)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    pp->phase = phase;
    rd->progress = 0;
    switch (measures_request(m, s, m->phase[phase].measure)) {
    case MEASURE_HELD:
        measures_start(m, s, m->phase[phase].measure);
        return;
    case MEASURE_FAILED:
        return;
    default:
        own_time(m, s); /* queued for a place, or no measure: casework goes on */
    }
}

/* After a casework meeting that did not end the case: progress, maybe a
 * phase change (waiting for a decision if the next phase needs one), maybe
 * a consultant called in, then time on one's own. */
static void after_meeting(model_ctx *m, uint32_t s)
{
    const model_params *p = m->p;
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    if (pp->measure_ready) {
        measures_start(m, s, m->phase[pp->phase].measure);
        return;
    }
    const model_phase *ph = &m->phase[pp->phase];
    if (ph->progress_per_meeting > 0) {
        int team = m->workers[pp->worker].team;
        double gain = ph->progress_per_meeting * staff_maturity_multiplier(m, team) * staff_method_multiplier(m, team);
        double reach = staff_completion_multiplier(m, team); /* the completion lever: fewer meetings per phase */
        if (reach != 1.0)
            gain *= reach;
        if (m->pressure && pp->phase == 0) {
            gain *= 1 + p->pressure_mapping_speedup;
            if (p->pressure_quality_cost > 0 && p->pressure_mapping_speedup > 0)
                rd->mapping_haste += gain; /* the share of the mapping done in haste (model_exits.c) */
        }
        rd->progress += gain;
        /* k steps of 1/k complete a phase although they may sum to just
         * below 1 in binary (ten of 0.1 give 0.9999999999999999). */
        if (rd->progress >= 1 - 1e-9) {
            /* Done with the phase: no longer in line for its measure, so a
             * place that frees goes to someone still in the phase rather
             * than being held by someone waiting for a decision. */
            rd->measure_wanted = 0;
            if (pp->phase + 1 == m->phases) {
                exit_programme(m, s, exits_draw_completion(m, s, ph));
                return;
            }
            int next = pp->phase + 1;
            if (m->phase[next].needs_decision) {
                int decider = -1;
                for (int r = 0; r < p->roles && decider < 0; r++)
                    if (p->role[r].decides)
                        decider = staff_worker_of_role(m, r, m->workers[pp->worker].team);
                if (decider >= 0) {
                    rd->decision_phase = next;
                    queue_meeting(m, s, decider, MEET_DECISION);
                    return;
                }
                /* No decider in post: the case goes on with its worker,
                 * progress held at 1, and asks again after the next meeting. */
                rd->progress = 1;
                own_time(m, s);
                return;
            }
            enter_phase(m, s, next);
            return;
        }
    }
    for (int r = 0; r < p->roles; r++) {
        /* staff.roles.[].call_in_by_profile: the profile's own chance */
        double call_in = p->role[r].call_in_probability;
        if (p->role[r].has_call_in_by_profile && !isnan(p->role[r].call_in_by_profile[pp->profile]))
            call_in = p->role[r].call_in_by_profile[pp->profile];
        if (call_in > 0 && rng_uniform(m->stream[MODEL_STREAM_CALL_IN]) < call_in) {
            int c = staff_worker_of_role(m, r, m->workers[pp->worker].team);
            if (c >= 0) {
                queue_meeting(m, s, c, MEET_CONSULT);
                return;
            }
        }
    }
    own_time(m, s);
}

static void worker_leave_now(model_ctx *m, int w);

static void successor_take(model_ctx *m, uint32_t s);

__attribute__((noinline)) static void on_meeting_end(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    uint64_t e = wk->in_meeting;
    uint32_t s = entry_slot(e);
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    wk->busy = 0;
    wk->month_busy += m->engine.now - wk->busy_since;
    int core = m->core_meetings;
    cumulative_set(&m->busy_level, m->engine.now, m->busy_level.level - (core ? wk->fte : staff_busy_weight(m, wk)));
    m->month_meetings++;
    int kind = entry_kind(e);
    if (core || (pp->limit_reached == LIMIT_NONE && kind == MEET_CASEWORK)) {
        /* a casework meeting ends (in the core every meeting does, no
         * limit is ever reached, and after_meeting's path is own time) */
        pp->meetings++;
        int d = exits_draw(m, s, &m->phase[pp->phase]);
        if (d >= 0)
            exit_programme(m, s, d);
        else if (core)
            own_time(m, s);
        else
            after_meeting(m, s); /* own time, or a measure, a phase, a call-in */
    } else if (pp->limit_reached == LIMIT_TRANSFER) {
        successor_take(m, s);
    } else if (pp->limit_reached) {
        exit_programme(m, s, m->p->time_limit_destination);
    } else if (kind == MEET_DECISION) {
        int next = rd->decision_phase;
        rd->decision_phase = -1;
        enter_phase(m, s, next);
    } else { /* MEET_CONSULT */
        own_time(m, s);
    }
    if (wk->leaving)
        worker_leave_now(m, w);
    else
        start_meeting_if_idle(m, w);
}

/* ---- posts that end (staffing plans, model_staffplan.c) ------------------- */

/* A participant of an ended post goes to the least loaded colleague with
 * room when staff.turnover.on_leave is reassign, as a leaver's caseload
 * does; otherwise (on_leave = wait, or nobody has room) back to the waiting
 * list, since no replacement will come. Someone in a meeting elsewhere or
 * in a measure is handed on when they next need a casework meeting. */
static void hand_on(model_ctx *m, uint32_t s)
{
    const model_params *p = m->p;
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    worker *wk = &m->workers[pp->worker];
    wk->caseload--;
    wk->load -= staff_weight_of(m, pp);
    int other = p->reassign_on_leave ? staff_least_loaded(m, pp) : -1;
    if (other >= 0) {
        int own = pp->state == P_OWN_TIME;
        rd->progress *= 1 - p->progress_lost_on_change;
        assign(m, s, other);
        if (!own)
            queue_meeting(m, s, other, MEET_CASEWORK);
        return; /* in own time: they meet the new worker when it ends */
    }
    if (pp->state == P_OWN_TIME && pp->pending != EVSET_NO_HANDLE)
        sim_cancel(&m->engine, pp->pending);
    pp->pending = EVSET_NO_HANDLE;
    if (pp->measure_ready)
        measures_release(m, s);
    rd->measure_wanted = 0;
    if (rd->limit != EVSET_NO_HANDLE) {
        sim_cancel(&m->engine, rd->limit); /* rescheduled when they are assigned again */
        rd->limit = EVSET_NO_HANDLE;
    }
    rd->rec.worker_changes++;
    pp->worker = -1;
    m->active--;
    active_changed(m);
    waiting_join(m, s);
}

/* The post's side is the pool's (staff_leave); its caseload is handed on at
 * once, except people in a meeting with another role or in a measure. */
static void post_close_now(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    if (wk->active)
        staff_leave(m, w);
    wk->leaving = 0;
    /* Meetings queued here by other roles' participants: decision and
     * consultation requests go to a colleague of the role, if any. */
    fifo pending = wk->queue;
    memset(&wk->queue, 0, sizeof wk->queue);
    for (size_t i = 0; i < pending.count; i++) {
        uint64_t e = pending.items[(pending.head + i) & (pending.capacity - 1)];
        participant *pp = &m->people[entry_slot(e)];
        if (pp->state != P_NEEDS_MEETING || !entry_current(e, pp->seq) || entry_kind(e) == MEET_CASEWORK)
            continue;
        int other = staff_worker_of_role(m, wk->role, wk->team);
        if (other >= 0 && fifo_push(&m->workers[other].queue, e) == 0) {
            pp->queued_at = other;
            start_meeting_if_idle(m, other);
        } else {
            /* nobody of the role left: the case goes on with its worker */
            m->records[entry_slot(e)].decision_phase = -1;
            own_time(m, entry_slot(e));
        }
    }
    free(pending.items);
    for (uint32_t s = 0; s < m->people_used && wk->caseload > 0; s++) {
        participant *pp = &m->people[s];
        if (pp->state == P_FREE || pp->worker != w || isnan(m->records[s].rec.assignment_time))
            continue;
        if (pp->state == P_OWN_TIME || (pp->state == P_NEEDS_MEETING && pp->queued_at == w))
            hand_on(m, s);
    }
    fill_free_slots(m);
}

void casework_post_start(model_ctx *m, int w)
{
    worker_start(m, w);
}

void casework_post_close(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    if (wk->closed)
        return;
    wk->closed = 1;
    if (wk->active && wk->busy) {
        wk->leaving = 1; /* after the meeting under way */
        staff_ready_update(m, w);
        return;
    }
    post_close_now(m, w);
}

void casework_fill(model_ctx *m)
{
    fill_free_slots(m);
}

static void on_own_time_end(model_ctx *m, uint32_t s)
{
    m->people[s].pending = EVSET_NO_HANDLE;
    needs_meeting(m, s);
}

static void on_time_limit(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    rd->limit = EVSET_NO_HANDLE;
    if (pp->state == P_IN_MEETING) {
        if (pp->limit_reached == LIMIT_NONE) /* a transfer after the meeting comes first */
            pp->limit_reached = LIMIT_TIME;
        return;
    }
    exit_programme(m, s, m->p->time_limit_destination);
}

static void on_measure_end(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    pp->pending = EVSET_NO_HANDLE;
    const model_measure *ms = &m->p->measure[m->phase[pp->phase].measure];
    measures_release(m, s);
    if (ms->exit_destination >= 0 && rng_uniform(m->stream[MODEL_STREAM_MEASURE]) < ms->exit_probability) {
        exit_programme(m, s, ms->exit_destination);
        return;
    }
    own_time(m, s);
}

/* ---- staff over time ------------------------------------------------------ */

static void worker_start(model_ctx *m, int w)
{
    worker *wk = &m->workers[w];
    staff_join(m, w);
    /* Participants who waited for this post meet their new worker, at a
     * cost in progress. */
    if (wk->caseload > 0) {
        for (uint32_t s = 0; s < m->people_used; s++) {
            participant *pp = &m->people[s];
            participant_record *rd = &m->records[s];
            if (pp->state != P_FREE && pp->worker == w && !isnan(rd->rec.assignment_time)) {
                rd->rec.worker_changes++;
                rd->progress *= 1 - m->p->progress_lost_on_change;
            }
        }
    }
    start_meeting_if_idle(m, w);
    fill_free_slots(m);
}

static void worker_leave_now(model_ctx *m, int w)
{
    const model_params *p = m->p;
    worker *wk = &m->workers[w];
    if (wk->closed) {
        post_close_now(m, w); /* the post ended during the meeting */
        return;
    }
    staff_leave(m, w);
    /* Meetings queued here by other roles' participants go elsewhere. */
    fifo pending = wk->queue;
    memset(&wk->queue, 0, sizeof wk->queue);
    for (size_t i = 0; i < pending.count; i++) {
        uint64_t e = pending.items[(pending.head + i) % pending.capacity];
        participant *pp = &m->people[entry_slot(e)];
        if (pp->state != P_NEEDS_MEETING || !entry_current(e, pp->seq))
            continue;
        int kind = entry_kind(e);
        if (kind == MEET_CASEWORK && !p->reassign_on_leave) {
            fifo_push(&wk->queue, e); /* waits for the replacement */
            continue;
        }
        if (kind == MEET_CASEWORK)
            continue; /* handled with the caseload below */
        int other = staff_worker_of_role(m, wk->role, wk->team);
        if (other >= 0 && fifo_push(&m->workers[other].queue, e) == 0) {
            /* now queued there: reassigning the caseload below must not
             * replace this request by a casework meeting */
            pp->queued_at = other;
            start_meeting_if_idle(m, other);
        } else
            fifo_push(&wk->queue, e);
    }
    free(pending.items);
    if (p->reassign_on_leave && wk->caseload > 0) {
        for (uint32_t s = 0; s < m->people_used; s++) {
            participant *pp = &m->people[s];
            participant_record *rd = &m->records[s];
            if (pp->state == P_FREE || pp->worker != w || isnan(rd->rec.assignment_time))
                continue;
            wk->caseload--;
            wk->load -= staff_weight_of(m, pp);
            int other = staff_least_loaded(m, pp);
            if (other < 0) {
                /* Nobody has room: the case waits for the replacement. */
                wk->caseload++;
                wk->load += staff_weight_of(m, pp);
                staff_ready_update(m, w);
                if (pp->state == P_NEEDS_MEETING && pp->queued_at == w)
                    fifo_push(&wk->queue, entry_make(s, MEET_CASEWORK, pp->seq));
                continue;
            }
            /* A new worker costs progress; those who wait lose it when the
             * replacement starts instead. */
            rd->progress *= 1 - p->progress_lost_on_change;
            int queued = pp->state == P_NEEDS_MEETING && pp->queued_at == w;
            assign(m, s, other);
            if (queued)
                queue_meeting(m, s, other, MEET_CASEWORK);
        }
    }
    double vacancy = dist_sample(&p->vacancy_days, m->stream[MODEL_STREAM_STAFF]);
    sim_schedule(&m->engine, vacancy, EV_WORKER_START, (uint32_t)w);
}

static void on_worker_leave(model_ctx *m, int w)
{
    if (m->workers[w].busy) {
        m->workers[w].leaving = 1;
        staff_ready_update(m, w);
    } else
        worker_leave_now(m, w);
}

/* ---- hand-over: the successor and receivers (model_handover.c) ------------- */

/* A drawn exit to destination, whose receiver r is full: s stays, holding
 * their slot, with no meetings, until r takes them (their time limit, if
 * any, still runs). */
static void stuck_hold(model_ctx *m, uint32_t s, int destination, int receiver)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    if (pp->pending != EVSET_NO_HANDLE && (pp->state == P_OWN_TIME || pp->state == P_IN_MEASURE))
        sim_cancel(&m->engine, pp->pending);
    pp->pending = EVSET_NO_HANDLE;
    if (pp->state == P_IN_MEASURE || pp->measure_ready)
        measures_release(m, s);
    rd->measure_wanted = 0;
    pp->seq++; /* any meeting still queued for them is void */
    pp->state = P_STUCK;
    rd->rec.destination = destination;
    receivers_wait(m, receiver, s, rd->rec.id);
}

/* Participant s goes on to the successor now, out of the waiting list or
 * their worker's caseload (with whatever they held). */
static void successor_take(model_ctx *m, uint32_t s)
{
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    int was_waiting = pp->state == P_WAITING;
    pp->limit_reached = LIMIT_NONE;
    if (was_waiting) {
        waiting_remove(m, s);
        if (rd->renege != EVSET_NO_HANDLE)
            sim_cancel(&m->engine, rd->renege);
        rd->renege = EVSET_NO_HANDLE;
    } else {
        worker *wk = &m->workers[pp->worker];
        wk->caseload--;
        wk->load -= staff_weight_of(m, pp);
        staff_ready_update(m, pp->worker);
        m->active--;
        active_changed(m);
        if (pp->pending != EVSET_NO_HANDLE && (pp->state == P_OWN_TIME || pp->state == P_IN_MEASURE))
            sim_cancel(&m->engine, pp->pending);
        pp->pending = EVSET_NO_HANDLE;
        if (pp->state == P_IN_MEASURE || pp->measure_ready)
            measures_release(m, s);
        if (rd->limit != EVSET_NO_HANDLE)
            sim_cancel(&m->engine, rd->limit);
        rd->limit = EVSET_NO_HANDLE;
    }
    successor_record(m, s, was_waiting);
    participants_release(m, s);
}

/* At the end of month `month`: the successor takes its share of the stock
 * from the close on; receivers renew their room for the next month and take
 * those waiting for them. Someone in a meeting goes to the successor when
 * it ends, or at once at the horizon, where no meeting ends any more. */
static void handover_month_end(model_ctx *m, int month)
{
    const model_params *p = m->p;
    int at_horizon = month + 1 == p->horizon_months;
    if (p->has_successor && month + 1 >= p->successor_month) {
        uint32_t *slots = malloc((size_t)(m->people_used ? m->people_used : 1) * sizeof *slots);
        if (!slots) {
            m->engine.out_of_memory = 1;
            return;
        }
        size_t n = successor_pick(m, month, slots);
        for (size_t i = 0; i < n; i++) {
            participant *pp = &m->people[slots[i]];
            if (pp->state == P_IN_MEETING && !at_horizon)
                pp->limit_reached = LIMIT_TRANSFER;
            else
                successor_take(m, slots[i]);
        }
        free(slots);
        if (n > 0 && !at_horizon)
            fill_free_slots(m);
    }
    if (p->receivers > 0 && !at_horizon) {
        receivers_month_start(m, month + 1);
        for (int r = 0; r < p->receivers; r++)
            for (uint32_t s; (s = receivers_take_next(m, r)) != NO_SLOT;)
                leave_programme(m, s, p->receiver[r].destination);
    }
}

/* ---- months and pressure ---------------------------------------------------- */

/* Volume pressure: behind the straight path to the target, caps rise and
 * mapping shortens until the programme is back on it. */
static void on_month_end(model_ctx *m, int month)
{
    const model_params *p = m->p;
    series_month_end(m, month);
    if (p->has_successor || p->receivers > 0)
        handover_month_end(m, month);
    if (p->has_pressure) {
        const model_target *t = &p->target[p->pressure_target];
        double path = t->value * fmin(1.0, (month + 1) / t->deadline_month);
        int was = m->pressure;
        m->pressure = series_target_value(m, t) < path;
        if (m->pressure && !was)
            fill_free_slots(m);
    }
    /* A site that starts lending its places mid-month lends from here. */
    if (p->sites > 0)
        fill_free_slots(m);
}

/* ---- staff at the start and the dispatch --------------------------------- */

void casework_fill_free_slots(model_ctx *m)
{
    fill_free_slots(m);
}


void casework_start_staff(model_ctx *m)
{
    const model_params *p = m->p;
    if (p->roles == 0) {
        staff_start_core(m);
        return;
    }
    int w = 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            for (int i = 0; i < p->team[t].group[g].count; i++, w++) {
                double start = p->team[t].group[g].start_month * MODEL_DAYS_PER_MONTH;
                if (start <= 0)
                    worker_start(m, w);
                else if (start < m->horizon_time)
                    sim_schedule_at(&m->engine, start, EV_WORKER_START, (uint32_t)w);
            }
}

/* Every kind but the two of casework_handle's own tests. Kept out of line
 * so that the dispatch itself needs no stack frame. */
__attribute__((noinline)) static void handle_other(model_ctx *m, const evset_event *ev)
{
    switch (ev->kind) {
    case EV_REFERRAL:
        on_referral(m, (int)ev->subject);
        break;
    case EV_MEETING_END:
        on_meeting_end(m, (int)ev->subject);
        break;
    case EV_OWN_TIME_END:
        on_own_time_end(m, ev->subject);
        break;
    case EV_QUOTA_MONTH:
        arrivals_quota_month(m, (int)ev->subject);
        break;
    case EV_QUOTA_ARRIVAL:
        new_referral(m, (int)ev->subject, m->source_profiles[ev->subject], 0);
        break;
    case EV_REPLACEMENT_ARRIVAL:
        new_referral(m, (int)ev->subject, m->source_feedback[ev->subject], 0);
        break;
    case EV_RELAPSE_ARRIVAL:
        new_referral(m, (int)ev->subject, m->source_feedback[ev->subject], 1);
        break;
    case EV_RENEGE:
        waiting_renege(m, ev->subject);
        break;
    case EV_WORKER_START:
        if (!m->workers[ev->subject].closed) /* an ended post has no replacement */
            worker_start(m, (int)ev->subject);
        break;
    case EV_WORKER_LEAVE:
        if (!m->workers[ev->subject].closed && m->workers[ev->subject].active)
            on_worker_leave(m, (int)ev->subject);
        break;
    case EV_STAFF_PLAN:
        break; /* handled by model_staffplan.c before this dispatch */
    case EV_MEASURE_END:
        on_measure_end(m, ev->subject);
        break;
    case EV_MEASURE_OPEN:
        measures_fill(m, (int)ev->subject);
        break;
    case EV_TIME_LIMIT:
        on_time_limit(m, ev->subject);
        break;
    case EV_MONTH_END:
        on_month_end(m, (int)ev->subject);
        break;
    }
}

/* A meeting request and a meeting's end are nearly every event (two per
 * meeting): tested before the switch, with the meeting's end and the rest
 * out of line, the dispatch has no frame and the request reaches
 * queue_meeting by a jump (the switch with every handler inlined saved
 * and restored six registers per event: -4 M Ir of 561 M in bench_malmo
 * for the tests, a further -5 M for the frame). */
void casework_handle(model_ctx *m, const evset_event *ev)
{
    if (ev->kind == EV_OWN_TIME_END)
        on_own_time_end(m, ev->subject);
    else if (ev->kind == EV_MEETING_END)
        on_meeting_end(m, (int)ev->subject);
    else
        handle_other(m, ev);
}
