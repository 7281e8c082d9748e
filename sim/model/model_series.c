/*
 * model_series.c — monthly series, the warm-up mark and targets.
 *
 * Owns what a run reports over time. Counts of the month (referrals,
 * meetings, exits ...) are kept in the context and turned into series
 * values at each month's end; levels (waiting, active, caseloads) are the
 * month-end snapshot; utilisation is the month's share of a running
 * integral of busy worker time over one of available time. Series items
 * beyond the first six appear only when their mechanism is on, so a core
 * scenario's output is unchanged by mechanisms it does not use.
 */
#include "model/model_series.h"
#include "model/model_targets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void layout_add(model_series *s, const char *name, const char *units, int width)
{
    model_series_item *it = &s->item[s->count++];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->units = units;
    it->width = width;
    it->values = NULL;
}

void model_series_layout(const model_params *p, model_series *s)
{
    memset(s, 0, sizeof *s);
    s->months = p->horizon_months;
    s->destinations = p->destinations;
    layout_add(s, "referrals", "referrals in the month", 1);
    layout_add(s, "waiting", "participants waiting at month end", 1);
    layout_add(s, "active", "participants assigned at month end", 1);
    layout_add(s, "meetings", "meetings held in the month", 1);
    layout_add(s, "utilisation", "share of worker time in meetings in the month", 1);
    layout_add(s, "exits", "exits in the month, by destination", p->destinations);
    if (p->sources > 0) {
        layout_add(s, "referrals_by_source", "referrals in the month, by source", p->sources);
        layout_add(s, "rejected_by_source", "referrals screened out in the month, by source", p->sources);
    }
    if (p->has_patience)
        layout_add(s, "reneged", "people who gave up waiting in the month", 1);
    if (p->roles > 0 || p->has_turnover || staff_plan_wanted(p)) {
        layout_add(s, "worker_caseload", "participants of each worker at month end (NaN: no such post)",
                   staff_worker_slots(p));
        layout_add(s, "worker_utilisation", "share of each worker's time in meetings in the month",
                   staff_worker_slots(p));
        layout_add(s, "staff_in_post", "full-time equivalents in post at month end", 1);
    }
    if (staff_plan_wanted(p)) {
        layout_add(s, "posts_in_post", "posts in post at month end (heads; staffing plans)", 1);
        layout_add(s, "caseload_places", "caseload places of the posts in post at month end: the sum of their caps",
                   1);
    }
    if (p->has_method)
        layout_add(s, "method_capital", "method capital of each team at month end", p->roles > 0 ? p->teams : 1);
    if (p->measures > 0)
        layout_add(s, "measure_places_used", "places in use at month end, by measure", p->measures);
}

int series_alloc(model_series *s, const model_params *p)
{
    model_series_layout(p, s);
    for (int i = 0; i < s->count; i++) {
        s->item[i].values = calloc((size_t)s->months * (size_t)s->item[i].width, sizeof(double));
        if (!s->item[i].values)
            return -1;
    }
    s->referrals = s->item[0].values;
    s->waiting = s->item[1].values;
    s->active = s->item[2].values;
    s->meetings = s->item[3].values;
    s->utilisation = s->item[4].values;
    s->exits = s->item[5].values;
    return 0;
}

static double *series_values(model_series *s, const char *name)
{
    for (int i = 0; i < s->count; i++)
        if (strcmp(s->item[i].name, name) == 0)
            return s->item[i].values;
    return NULL;
}

double series_target_value(const model_ctx *m, const model_target *t)
{
    uint64_t exits = 0, all = 0;
    for (int d = 0; d < m->p->destinations; d++) {
        all += m->exits_to[d];
        if ((t->destinations >> d) & 1)
            exits += m->exits_to[d];
    }
    switch (t->kind) {
    case TARGET_ENROLLED: return (double)m->enrolled;
    case TARGET_EXITS: return (double)exits;
    default: return targets_share(m, t, exits, all);
    }
}

void series_month_end(model_ctx *m, int month)
{
    const model_params *p = m->p;
    model_series *ser = &m->out->series;
    double now = m->engine.now;
    double busy_area = cumulative_area(&m->busy_level, now);
    double capacity_area = cumulative_area(&m->capacity_level, now);
    ser->referrals[month] = (double)m->month_referrals;
    ser->meetings[month] = (double)m->month_meetings;
    ser->waiting[month] = (double)m->waiting_count;
    ser->active[month] = (double)m->active;
    /* The core keeps its exact arithmetic: staff that never changes has
     * capacity workers x month. */
    double capacity = m->staff_changed ? capacity_area - m->month_capacity_area_start
                                       : (double)p->workers * MODEL_DAYS_PER_MONTH;
    ser->utilisation[month] = capacity > 0 ? (busy_area - m->month_busy_area_start) / capacity : 0.0;
    for (int d = 0; d < p->destinations; d++) {
        ser->exits[(size_t)month * (size_t)p->destinations + (size_t)d] = (double)m->month_exits[d];
        m->month_exits[d] = 0;
    }
    double *v;
    if ((v = series_values(ser, "referrals_by_source")))
        for (int s = 0; s < p->sources; s++) {
            v[(size_t)month * (size_t)p->sources + (size_t)s] = (double)m->month_source_referrals[s];
            m->month_source_referrals[s] = 0;
        }
    if ((v = series_values(ser, "rejected_by_source")))
        for (int s = 0; s < p->sources; s++) {
            v[(size_t)month * (size_t)p->sources + (size_t)s] = (double)m->month_source_rejected[s];
            m->month_source_rejected[s] = 0;
        }
    if ((v = series_values(ser, "reneged")))
        v[month] = (double)m->month_reneged;
    m->month_reneged = 0;
    if ((v = series_values(ser, "worker_caseload"))) {
        double *u = series_values(ser, "worker_utilisation"), *f = series_values(ser, "staff_in_post");
        double fte = 0;
        for (int w = 0; w < m->worker_count; w++) {
            worker *wk = &m->workers[w];
            if (wk->busy) {
                wk->month_busy += now - wk->busy_since;
                wk->busy_since = now;
            }
            size_t at = (size_t)month * (size_t)m->worker_count + (size_t)w;
            v[at] = (double)wk->caseload;
            /* A post vacant all month has no utilisation to speak of. */
            u[at] = !wk->active && wk->month_busy == 0 ? NAN
                                                       : wk->month_busy * staff_busy_weight(m, wk) / (wk->fte * MODEL_DAYS_PER_MONTH);
            wk->month_busy = 0;
            if (wk->active)
                fte += wk->fte;
        }
        f[month] = fte;
    }
    if ((v = series_values(ser, "posts_in_post"))) {
        double *places = series_values(ser, "caseload_places"), posts = 0, cap = 0;
        for (int w = 0; w < m->worker_count; w++)
            if (m->workers[w].active && !m->workers[w].leaving) {
                posts++;
                cap += staff_cap_of(m, &m->workers[w]);
            }
        v[month] = posts;
        places[month] = cap;
    }
    if ((v = series_values(ser, "method_capital"))) {
        int n = p->roles > 0 ? p->teams : 1;
        for (int t = 0; t < n; t++) {
            staff_team_update(m, t);
            v[(size_t)month * (size_t)n + (size_t)t] = m->teams[t].capital;
        }
    }
    if ((v = series_values(ser, "measure_places_used")))
        for (int k = 0; k < p->measures; k++)
            v[(size_t)month * (size_t)p->measures + (size_t)k] = m->measures[k].used;
    m->month_busy_area_start = busy_area;
    m->month_capacity_area_start = capacity_area;
    m->month_referrals = 0;
    m->month_meetings = 0;
    if (month + 1 == p->warmup_months) {
        m->measuring = 1;
        m->warm_waiting_area = cumulative_area(&m->waiting_level, now);
        m->warm_active_area = cumulative_area(&m->active_level, now);
        m->warm_busy_area = busy_area;
        m->warm_capacity_area = capacity_area;
    }
    for (int k = 0; k < p->targets; k++) {
        const model_target *t = &p->target[k];
        if (month + 1 >= t->deadline_month && month < t->deadline_month) {
            m->out->target_value[k] = series_target_value(m, t);
            m->out->target_met[k] = m->out->target_value[k] >= t->value;
        }
    }
}

void model_result_free(model_result *r)
{
    model_series *s = &r->series;
    for (int i = 0; i < s->count; i++)
        free(s->item[i].values);
    memset(s, 0, sizeof *s);
}
