/*
 * service.c — one trial's service levels from its participant records.
 *
 * Cost: for each group (everyone, each profile, each source) one pass over
 * the records and one Kaplan–Meier curve for waits and one for times in
 * programme, O(n log n) each; with 12 profiles and 12 sources that is 25
 * sorts of a trial's records, small beside the trial's own run. The
 * estimators and why they were chosen are in service.h.
 */
#include "output/service.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_survival.h"
#include "output/results.h"

static const char *const stat_names[SERVICE_WITHIN] = {"mean", "median", "p90", "p95"};
static const double quantile_of[SERVICE_WITHIN] = {0, 0.5, 0.9, 0.95};

/* Slots of service_row's groups: 0 everyone, 1 + k profile k, 1 +
 * MODEL_MAX_PROFILES + s source s. A scenario reports profiles and sources
 * only when there are two or more (one would repeat everyone). */
static int slot_used(const model_params *p, int slot)
{
    if (slot == 0)
        return 1;
    if (slot <= MODEL_MAX_PROFILES)
        return p->profiles >= 2 && slot - 1 < p->profiles;
    return p->sources >= 2 && slot - 1 - MODEL_MAX_PROFILES < p->sources;
}

static void slot_suffix(const model_params *p, int slot, char *buf, size_t size)
{
    if (slot == 0)
        buf[0] = '\0';
    else if (slot <= MODEL_MAX_PROFILES)
        snprintf(buf, size, ".profile.%s", p->profile[slot - 1].name);
    else
        snprintf(buf, size, ".source.%s", p->source[slot - 1 - MODEL_MAX_PROFILES].name);
}

static int in_slot(int slot, const model_participant *q)
{
    if (slot == 0)
        return 1;
    if (slot <= MODEL_MAX_PROFILES)
        return q->profile == slot - 1;
    return q->source == slot - 1 - MODEL_MAX_PROFILES;
}

/* One walk names the columns and places them, so names and offsets can
 * never disagree; names are formatted only when asked for (the summaries
 * read every row's values by offset alone). */
typedef struct column_walk {
    const model_params *p;
    service_column *cols; /* NULL: offsets only */
    size_t *offsets;      /* NULL: not wanted */
    size_t k;
} column_walk;

static void add_column(column_walk *cw, const char *unit, int binary, int bounds, size_t offset, const char *fmt,
                       const char *a, const char *b)
{
    if (cw->cols) {
        service_column *c = &cw->cols[cw->k];
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, fmt, a, b);
        snprintf(c->unit, sizeof c->unit, "%s", unit);
        c->binary = binary;
        c->bounds = bounds;
        c->offset = offset;
    }
    if (cw->offsets)
        cw->offsets[cw->k] = offset;
    cw->k++;
}

static size_t walk_columns(column_walk *cw)
{
    const model_params *p = cw->p;
    char suffix[64] = "", days[16];
    for (int slot = 0; slot < SERVICE_GROUPS; slot++) {
        if (!slot_used(p, slot))
            continue;
        if (cw->cols)
            slot_suffix(p, slot, suffix, sizeof suffix);
        size_t wait_at = offsetof(service_row, wait) + sizeof(double) * (size_t)slot * SERVICE_WAIT_STATS;
        size_t prog_at = offsetof(service_row, programme) + sizeof(double) * (size_t)slot * SERVICE_PROGRAMME_STATS;
        for (int s = 0; s < SERVICE_WITHIN; s++)
            add_column(cw, "days", 0, RESULTS_NONNEGATIVE, wait_at + sizeof(double) * (size_t)s, "wait_%s_days%s",
                       stat_names[s], suffix);
        for (int x = 0; x < p->service.thresholds; x++) {
            snprintf(days, sizeof days, "%d", p->service.wait_days[x]);
            add_column(cw, "share", 0, RESULTS_UNIT_INTERVAL, wait_at + sizeof(double) * (size_t)(SERVICE_WITHIN + x),
                       "wait_within_%sd%s", days, suffix);
        }
        for (int s = 0; s < SERVICE_WITHIN; s++)
            add_column(cw, "days", 0, RESULTS_NONNEGATIVE, prog_at + sizeof(double) * (size_t)s,
                       "programme_%s_days%s", stat_names[s], suffix);
    }
    add_column(cw, "participants", 0, RESULTS_NONNEGATIVE, offsetof(service_row, offered_load), "%s%s",
               "offered_load", "");
    add_column(cw, "participants", 0, RESULTS_NONNEGATIVE, offsetof(service_row, capacity), "%s%s", "capacity", "");
    for (int t = 0; t < p->service.targets; t++) {
        const service_target *st = &p->service.target[t];
        int share = st->kind == SERVICE_TARGET_WAIT_SHARE;
        add_column(cw, share ? "share" : "days", 0, share ? RESULTS_UNIT_INTERVAL : RESULTS_NONNEGATIVE,
                   offsetof(service_row, target_value) + sizeof(double) * (size_t)t, "target_value.%s%s", st->name,
                   "");
        add_column(cw, "probability", 1, RESULTS_UNIT_INTERVAL,
                   offsetof(service_row, target_met) + sizeof(double) * (size_t)t, "target_met.%s%s", st->name, "");
    }
    return cw->k;
}

size_t service_columns(const model_params *p, service_column *cols)
{
    column_walk cw = {p, cols, NULL, 0};
    return walk_columns(&cw);
}

size_t service_offsets(const model_params *p, size_t *offsets)
{
    column_walk cw = {p, NULL, offsets, 0};
    return walk_columns(&cw);
}

double service_value_at(const service_row *row, size_t offset)
{
    double v;
    memcpy(&v, (const char *)row + offset, sizeof v);
    return v;
}

double service_value(const service_row *row, const service_column *c)
{
    return service_value_at(row, c->offset);
}

void service_set(service_row *row, const service_column *c, double v)
{
    memcpy((char *)row + c->offset, &v, sizeof v);
}

/* ---- computation --------------------------------------------------------- */

typedef struct window {
    double warm, horizon;
} window;

static double overlap(double from, double to, const window *w)
{
    return fmax(0.0, fmin(to, w->horizon) - fmax(from, w->warm));
}

/* Waits of those in the slot referred after warm-up: the time to a place,
 * censored at the horizon for those still waiting or who gave up (they are
 * never placed). */
static size_t wait_observations(const model_participant *recs, size_t n, int slot, const window *w,
                                surv_obs *obs)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const model_participant *q = &recs[i];
        if (q->fate == FATE_REJECTED || q->referral_time < w->warm || !in_slot(slot, q))
            continue;
        if (!isnan(q->assignment_time))
            obs[k++] = (surv_obs){q->assignment_time - q->referral_time, 1};
        else /* censored at the horizon, or when handed to a successor (exit_time) */
            obs[k++] = (surv_obs){(q->fate == FATE_TRANSFERRED ? q->exit_time : w->horizon) - q->referral_time, 0};
    }
    return k;
}

static size_t programme_observations(const model_participant *recs, size_t n, int slot, const window *w,
                                     surv_obs *obs)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const model_participant *q = &recs[i];
        if (isnan(q->assignment_time) || q->assignment_time < w->warm || !in_slot(slot, q))
            continue;
        if (!isnan(q->exit_time)) /* a transfer to a successor censors the time, it is no exit */
            obs[k++] = (surv_obs){q->exit_time - q->assignment_time, q->fate != FATE_TRANSFERRED};
        else
            obs[k++] = (surv_obs){w->horizon - q->assignment_time, 0};
    }
    return k;
}

/* Median, p90, p95 and (for waits) P(T <= X) of a curve into stats. */
static int distribution(surv_obs *obs, size_t k, const service_params *sp, int with_within, double *stats)
{
    surv_curve c;
    if (surv_km(obs, k, &c) != 0) {
        surv_free(&c);
        return -1;
    }
    for (int s = SERVICE_MEDIAN; s < SERVICE_WITHIN; s++)
        stats[s] = surv_quantile(&c, quantile_of[s]);
    for (int x = 0; with_within && x < sp->thresholds; x++)
        stats[SERVICE_WITHIN + x] = 1.0 - surv_at(&c, sp->wait_days[x]);
    surv_free(&c);
    return 0;
}

/* Little's law for one group from the records: the area of its waiting
 * (and caseload) curve inside the window over the people who joined (were
 * assigned) inside it. */
static void group_means(const model_params *p, const model_participant *recs, size_t n, int slot, const window *w,
                        double *wait_mean, double *programme_mean)
{
    double wait_area = 0, programme_area = 0;
    uint64_t joined = 0, assigned = 0;
    for (size_t i = 0; i < n; i++) {
        const model_participant *q = &recs[i];
        if (q->fate == FATE_REJECTED || !in_slot(slot, q))
            continue;
        int placed = !isnan(q->assignment_time);
        /* left the list: when placed, when they gave up (fate 3) or when
         * handed to a successor project (fate 4, model_handover.c) */
        double left_list = placed ? q->assignment_time
                           : (q->fate == FATE_RENEGED || q->fate == FATE_TRANSFERRED) && !isnan(q->exit_time)
                               ? q->exit_time
                               : w->horizon;
        wait_area += overlap(q->referral_time, left_list, w);
        joined += q->referral_time >= w->warm;
        if (placed) {
            programme_area += overlap(q->assignment_time, isnan(q->exit_time) ? w->horizon : q->exit_time, w);
            assigned += q->assignment_time >= w->warm;
        }
    }
    /* Those who gave up count until they left the list (their record's
     * exit_time), as in everyone's mean from the model's curve. */
    (void)p;
    *wait_mean = joined == 0 ? NAN : wait_area / (double)joined;
    *programme_mean = assigned == 0 ? NAN : programme_area / (double)assigned;
}

/* The mean over the measured months of a width-1 series (month-end
 * values), or NaN when the run has no such series. */
static double measured_mean(const model_params *p, const model_result *r, const char *name)
{
    for (int i = 0; i < r->series.count; i++) {
        const model_series_item *it = &r->series.item[i];
        if (strcmp(it->name, name) != 0 || it->width != 1 || !it->values)
            continue;
        double sum = 0;
        int months = 0;
        for (int m = p->warmup_months; m < p->horizon_months && m < r->series.months; m++, months++)
            sum += it->values[m];
        return months ? sum / months : NAN;
    }
    return NAN;
}

/* Caseload places with every post filled: workers x cap, or the roles'
 * caps over the teams' posts. With a staffing plan (posts opening and
 * closing, caps changing) the places in post at the measured months' ends,
 * averaged: the staffing the run had, not the one it started with.
 * Need-weighted caps count need units, turned into people by the mean need
 * of those who joined the list. */
static double capacity_of(const model_params *p, const model_result *r, const model_participant *recs, size_t n,
                          const window *w)
{
    double places = measured_mean(p, r, "caseload_places");
    if (isnan(places)) {
        places = 0;
        if (p->roles == 0)
            places = (double)p->workers * p->caseload_cap;
        else
            for (int t = 0; t < p->teams; t++)
                for (int g = 0; g < p->team[t].groups; g++)
                    places += p->team[t].group[g].count * p->role[p->team[t].group[g].role].caseload_cap;
    }
    if (p->cap_by_need && p->profiles > 0) {
        double need = 0;
        uint64_t people = 0;
        for (size_t i = 0; i < n; i++)
            if (recs[i].fate != FATE_REJECTED && recs[i].referral_time >= w->warm) {
                need += p->profile[recs[i].profile].need;
                people++;
            }
        if (people && need > 0)
            places /= need / (double)people;
    }
    return places;
}

static int service_target_eval(const service_target *t, const model_participant *recs, size_t n, const window *w,
                               surv_obs *obs, double *value, double *met)
{
    double from = t->from_month * MODEL_DAYS_PER_MONTH, to = t->to_month * MODEL_DAYS_PER_MONTH;
    size_t k = 0, within = 0;
    for (size_t i = 0; i < n; i++) {
        const model_participant *q = &recs[i];
        if (q->fate == FATE_REJECTED || q->referral_time < from || q->referral_time >= to)
            continue;
        int placed = !isnan(q->assignment_time);
        double wait = placed ? q->assignment_time - q->referral_time : w->horizon - q->referral_time;
        obs[k++] = (surv_obs){wait, placed};
        within += placed && wait <= t->days;
    }
    *value = *met = NAN;
    if (k == 0)
        return 0; /* nobody referred then: the target says nothing */
    /* The config makes the horizon cover the cohort's last referral plus
     * the days, so everyone's fate at X days is known: a plain share. */
    double share = (double)within / (double)k;
    if (t->kind == SERVICE_TARGET_WAIT_SHARE) {
        *value = share;
        *met = share >= t->value;
        return 0;
    }
    surv_curve c;
    if (surv_km(obs, k, &c) != 0) {
        surv_free(&c);
        return -1;
    }
    *value = surv_quantile(&c, 0.5);
    /* median <= X exactly when at least half were placed within X */
    *met = share >= 0.5;
    surv_free(&c);
    return 0;
}

int service_trial(const model_params *p, const model_result *r, const model_participant *recs, size_t n,
                  service_row *out)
{
    double *all = (double *)out;
    for (size_t i = 0; i < sizeof *out / sizeof(double); i++)
        all[i] = NAN;
    window w = {p->warmup_months * MODEL_DAYS_PER_MONTH, p->horizon_months * MODEL_DAYS_PER_MONTH};
    double span = w.horizon - w.warm;
    surv_obs *obs = malloc((n ? n : 1) * sizeof *obs);
    if (!obs)
        return -1;
    int rc = 0;
    for (int slot = 0; slot < SERVICE_GROUPS && rc == 0; slot++) {
        if (!slot_used(p, slot))
            continue;
        double *ws = out->wait[slot], *ps = out->programme[slot];
        size_t k = wait_observations(recs, n, slot, &w, obs);
        rc = distribution(obs, k, &p->service, 1, ws);
        k = programme_observations(recs, n, slot, &w, obs);
        if (rc == 0)
            rc = distribution(obs, k, &p->service, 0, ps);
        if (slot > 0)
            group_means(p, recs, n, slot, &w, &ws[SERVICE_MEAN], &ps[SERVICE_MEAN]);
    }
    /* Everyone's means from the model's own curves, exact also for those
     * who gave up waiting. */
    uint64_t joined = r->referrals_measured - r->rejected_measured;
    out->wait[0][SERVICE_MEAN] = joined ? r->mean_waiting * span / (double)joined : NAN;
    out->programme[0][SERVICE_MEAN] = r->enrolled_measured ? r->mean_active * span / (double)r->enrolled_measured : NAN;
    /* places wanted: joining rate x mean stay (Little again) */
    out->offered_load = isnan(out->programme[0][SERVICE_MEAN]) ? NAN
                                                               : (double)joined / span * out->programme[0][SERVICE_MEAN];
    out->capacity = capacity_of(p, r, recs, n, &w);
    for (int t = 0; t < p->service.targets && rc == 0; t++)
        rc = service_target_eval(&p->service.target[t], recs, n, &w, obs, &out->target_value[t], &out->target_met[t]);
    free(obs);
    return rc;
}
