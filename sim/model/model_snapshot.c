/*
 * model_snapshot.c — a replication that starts from a programme's state
 * rather than empty, and the state it leaves at the horizon.
 *
 * Owns the translation between snapshot rows and the model's own state.
 * A post row gives a worker's tenure: the worker was hired that many days
 * before the start, which places them on the learning curve; turnover
 * draws their remaining tenure afresh as for everyone else (exact for the
 * exponential tenure the seeds use; for others the remaining tenure is not
 * conditioned on the time already served, a simplification). Workers
 * without a post row start as the scenario says.
 *
 * A participant row puts a person in their worker's caseload, assigned
 * `days` before the start (referred `waited_days` before that), in their
 * phase with their progress. Their next meeting comes after
 * next_meeting_days, or after an own-time gap drawn from their phase when
 * the register does not say: for the exponential own time of the core the
 * remaining gap is distributed exactly as a fresh one. A time limit runs
 * from their assignment. A place in an external measure is not part of a
 * snapshot: those in a measure's phase go on with casework and ask for the
 * next phase's place as usual.
 *
 * A waiting row puts a person on the waiting list, referred `days` before
 * the start; the list is ordered by time waited, longest first. Everyone
 * from a snapshot has from_snapshot = 1 in /participants and a referral
 * time at or before 0 (before the start, by their time waited and in the
 * programme); they are never in the wait statistics of those referred in
 * the measured window.
 *
 * A row's source (column `source`, 0 when not given) is the record's
 * source. A waiting person whose source is tied to a site waits in that
 * site's list and counts among its referred, as a referral made during the
 * run would; a participant keeps the worker the row names, whatever the
 * site.
 */
#include "model/model_snapshot.h"

#include <math.h>
#include <stdlib.h>

#include "model/model_participants.h"
#include "model/model_staff.h"
#include "model/model_waiting.h"

void model_snapshot_free(model_snapshot *s)
{
    free(s->row);
    s->row = NULL;
    s->count = 0;
}

/* The profile goes in both halves of the slot: the hot copy gives the need
 * (participant_need), the record's is the output field. */
static void set_profile(model_ctx *m, uint32_t s, int profile)
{
    if (m->p->profiles == 0)
        return;
    m->people[s].profile = (int16_t)profile;
    m->records[s].rec.profile = (int16_t)profile;
    m->records[s].readiness = m->p->profile[profile].readiness;
}

static int start_participant(model_ctx *m, const model_snapshot_row *r)
{
    uint32_t s = participants_new(m, r->source, 0);
    if (s == NO_SLOT)
        return -1;
    participant *pp = &m->people[s];
    participant_record *rd = &m->records[s];
    rd->rec.from_snapshot = 1;
    set_profile(m, s, r->profile);
    rd->rec.assignment_time = -r->days;
    rd->rec.referral_time = -r->days - r->waited_days;
    pp->worker = r->worker; /* rec.worker is filled in on release */
    pp->phase = (int8_t)r->phase;
    rd->progress = r->progress;
    worker *wk = &m->workers[r->worker];
    wk->caseload++;
    wk->load += staff_weight_of(m, pp);
    staff_ready_update(m, r->worker);
    m->active++;
    cumulative_set(&m->active_level, m->engine.now, (double)m->active);
    if (m->p->readiness_decay_per_month > 0)
        rd->readiness -= m->p->readiness_decay_per_month * month_of(r->waited_days);
    if (m->p->max_months > 0) {
        double left = m->p->max_months * MODEL_DAYS_PER_MONTH - r->days;
        rd->limit = sim_schedule(&m->engine, left > 0 ? left : 0, EV_TIME_LIMIT, s);
    }
    double gap = r->next_meeting_days;
    if (isnan(gap))
        gap = dist_sample(&m->phase[pp->phase].own_time_days, m->stream[MODEL_STREAM_OWN_TIME]);
    /* Own time ends in a meeting request, as it does for everyone. */
    pp->state = P_OWN_TIME;
    pp->pending = sim_schedule(&m->engine, gap > 0 ? gap : 0, EV_OWN_TIME_END, s);
    return m->engine.out_of_memory ? -1 : 0;
}

static int longest_wait_first(const void *a, const void *b)
{
    const model_snapshot_row *x = *(const model_snapshot_row *const *)a, *y = *(const model_snapshot_row *const *)b;
    if (x->days != y->days)
        return x->days < y->days ? 1 : -1;
    return (x > y) - (x < y); /* keep the file's order among equals */
}

int snapshot_start(model_ctx *m)
{
    const model_snapshot *snap = m->p->snapshot;
    if (!snap || snap->count == 0)
        return 0;
    for (size_t i = 0; i < snap->count; i++) {
        const model_snapshot_row *r = &snap->row[i];
        if (r->kind == SNAPSHOT_POST) {
            worker *wk = &m->workers[r->worker];
            wk->hired_at = -r->days;
            wk->learning = 1; /* the learning curve from hired_at; 1 once past it */
        }
    }
    for (size_t i = 0; i < snap->count; i++)
        if (snap->row[i].kind == SNAPSHOT_PARTICIPANT && start_participant(m, &snap->row[i]) != 0)
            return -1;
    const model_snapshot_row **waiting = malloc((snap->count ? snap->count : 1) * sizeof *waiting);
    if (!waiting)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < snap->count; i++)
        if (snap->row[i].kind == SNAPSHOT_WAITING)
            waiting[n++] = &snap->row[i];
    qsort(waiting, n, sizeof *waiting, longest_wait_first);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t s = participants_new(m, waiting[i]->source, 0);
        if (s == NO_SLOT) {
            rc = -1;
            break;
        }
        participant_record *rd = &m->records[s];
        rd->rec.from_snapshot = 1;
        set_profile(m, s, waiting[i]->profile);
        int site = m->p->sites > 0 ? m->p->source[waiting[i]->source].at_site : 0;
        if (site > 0) {
            m->people[s].site = (int16_t)site;
            m->out->site_referred[site - 1]++;
        }
        rd->rec.referral_time = -waiting[i]->days;
        rc = waiting_join(m, s);
    }
    free(waiting);
    if (rc == 0)
        casework_fill_free_slots(m); /* a register may list waiters while places are free */
    return rc == 0 && !m->engine.out_of_memory ? 0 : -1;
}

static int save_row(model_snapshot *out, size_t *cap, model_snapshot_row r)
{
    if (out->count == *cap) {
        size_t grown = *cap ? *cap * 2 : 256;
        model_snapshot_row *rows = realloc(out->row, grown * sizeof *rows);
        if (!rows)
            return -1;
        out->row = rows;
        *cap = grown;
    }
    out->row[out->count++] = r;
    return 0;
}

typedef struct waiting_entry {
    double referral_time;
    uint64_t id;
    uint32_t slot;
} waiting_entry;

int snapshot_save(model_ctx *m)
{
    model_snapshot *out = m->p->save_state;
    if (!out || m->out->replication != (uint32_t)m->p->save_state_replication)
        return 0;
    model_snapshot_free(out);
    size_t cap = 0;
    double now = m->engine.now;
    for (int w = 0; w < m->worker_count; w++)
        if (m->workers[w].active &&
            save_row(out, &cap, (model_snapshot_row){.kind = SNAPSHOT_POST, .worker = w,
                                                     .days = now - m->workers[w].hired_at, .phase = 0,
                                                     .next_meeting_days = NAN}) != 0)
            return -1;
    /* Participants, then the waiting list, each in slot order (fixed by the seed). */
    for (uint64_t pass = 0; pass < 2; pass++)
        for (uint32_t s = 0; s < m->people_used; s++) {
            const participant *pp = &m->people[s];
            if (pp->state == P_FREE || (pp->state == P_WAITING) != (pass == 1))
                continue;
            const participant_record *rd = &m->records[s];
            model_snapshot_row r = {.worker = -1, .profile = pp->profile, .next_meeting_days = NAN,
                                    .source = rd->rec.source};
            if (pass == 1) {
                r.kind = SNAPSHOT_WAITING;
                r.days = now - rd->rec.referral_time;
            } else {
                r.kind = SNAPSHOT_PARTICIPANT;
                r.worker = pp->worker; /* the hot copy: rec.worker is set on release */
                r.days = now - rd->rec.assignment_time;
                r.waited_days = rd->rec.assignment_time - rd->rec.referral_time;
                r.phase = pp->phase;
                r.progress = rd->progress < 1 ? rd->progress : 0;
                /* Those waiting for or in a meeting want one at once; those on
                 * their own get a fresh gap (exact for exponential own time). */
                if (pp->state == P_NEEDS_MEETING || pp->state == P_IN_MEETING)
                    r.next_meeting_days = 0;
            }
            if (save_row(out, &cap, r) != 0)
                return -1;
        }
    return 0;
}
