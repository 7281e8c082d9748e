/*
 * model_arrivals.c — the scheduled referral processes.
 *
 * Owns the arrival times of referrals that do not depend on what happens in
 * the programme: the core's single Poisson source (drawn from its own
 * stream exactly as the core always has), each source's Poisson process
 * with a piecewise constant rate, and monthly quotas, all throttled by the
 * referring unit's caseload where one is given. Each source draws from its
 * own stream so that scenarios sharing a seed see the same referrals
 * whatever the staffing (common random numbers).
 */
#include "model/model_arrivals.h"

#include <math.h>

static double schedule_step(const model_schedule *s, double month)
{
    double v = s->value[0];
    for (int i = 1; i < s->count && s->month[i] <= month; i++)
        v = s->value[i];
    return v;
}

static double schedule_linear(const model_schedule *s, double month)
{
    if (month <= s->month[0])
        return s->value[0];
    for (int i = 1; i < s->count; i++)
        if (month < s->month[i]) {
            double f = (month - s->month[i - 1]) / (s->month[i] - s->month[i - 1]);
            return s->value[i - 1] + f * (s->value[i] - s->value[i - 1]);
        }
    return s->value[s->count - 1];
}

static double unit_multiplier(const model_source *src, double month)
{
    if (!src->has_unit)
        return 1.0;
    double load = schedule_linear(&src->unit_cases, month) / src->unit_caseworkers;
    if (load <= src->unit_full_below)
        return 1.0;
    if (load >= src->unit_zero_above)
        return 0.0;
    return (src->unit_zero_above - load) / (src->unit_zero_above - src->unit_full_below);
}

/* Next arrival of a Poisson source after now: exact for a piecewise
 * constant rate (exponential gaps restart at each change, which the
 * memoryless property allows), thinned by the referring unit's load. */
static double next_arrival(model_ctx *m, int source)
{
    const model_source *src = &m->p->source[source];
    gsl_rng *r = m->source_arrivals[source];
    double t = m->engine.now;
    for (;;) {
        /* Past the horizon nothing more is needed; without this a unit held
         * above zero_rate_above would reject candidates for ever. */
        if (t >= m->horizon_time)
            return INFINITY;
        double month = month_of(t);
        double rate = schedule_step(&src->rate, month);
        double next_change = INFINITY;
        for (int i = 0; i < src->rate.count; i++)
            if (src->rate.month[i] > month) {
                next_change = src->rate.month[i] * MODEL_DAYS_PER_MONTH;
                break;
            }
        if (rate <= 0) {
            if (!isfinite(next_change))
                return INFINITY;
            t = next_change;
            continue;
        }
        double gap = MODEL_DAYS_PER_MONTH / rate * rng_exp_zig(r);
        if (t + gap >= next_change) {
            t = next_change;
            continue;
        }
        t += gap;
        if (!src->has_unit || rng_uniform(r) < unit_multiplier(src, month_of(t)))
            return t;
    }
}

/* The integral of a step schedule over [0, months]: value i holds from
 * month i (the first value also before it) up to the next step. */
static double schedule_integral(const model_schedule *s, double months)
{
    double total = 0;
    for (int i = 0; i < s->count; i++) {
        double from = i == 0 ? 0 : fmax(s->month[i], 0);
        double to = i + 1 < s->count ? fmin(s->month[i + 1], months) : months;
        if (to > from)
            total += s->value[i] * (to - from);
    }
    return total;
}

double arrivals_expected(const model_params *p)
{
    if (p->sources == 0)
        return p->referral_rate_per_month * p->horizon_months;
    double total = 0;
    for (int s = 0; s < p->sources; s++)
        total += schedule_integral(&p->source[s].rate, p->horizon_months);
    return total;
}

/* The core's next referral: exponential gaps from the core's own stream. */
static void schedule_core(model_ctx *m)
{
    double rate_per_day = m->p->referral_rate_per_month / MODEL_DAYS_PER_MONTH;
    sim_schedule(&m->engine, 1.0 / rate_per_day * rng_exp_zig(m->stream[MODEL_STREAM_REFERRAL]),
                 EV_REFERRAL, 0);
}

static void schedule_poisson(model_ctx *m, int source)
{
    double t = next_arrival(m, source);
    if (t < m->horizon_time)
        sim_schedule_at(&m->engine, t, EV_REFERRAL, (uint32_t)source);
}

void arrivals_start(model_ctx *m)
{
    const model_params *p = m->p;
    if (p->sources == 0) {
        schedule_core(m);
        return;
    }
    for (int s = 0; s < p->sources; s++) {
        if (p->source[s].kind == SOURCE_QUOTA)
            sim_schedule_at(&m->engine, 0.0, EV_QUOTA_MONTH, (uint32_t)s);
        else
            schedule_poisson(m, s);
    }
}

void arrivals_next(model_ctx *m, int source)
{
    if (m->p->sources == 0)
        schedule_core(m);
    else
        schedule_poisson(m, source);
}

void arrivals_quota_month(model_ctx *m, int source)
{
    const model_source *src = &m->p->source[source];
    double month = month_of(m->engine.now);
    double due = schedule_step(&src->rate, month) * unit_multiplier(src, month) + m->quota_carry[source];
    int n = (int)floor(due + 1e-9);
    m->quota_carry[source] = due - n;
    /* Spread over the month, as offices send their monthly quota in
     * batches rather than all on the first day. */
    for (int i = 0; i < n; i++)
        sim_schedule(&m->engine, (i + 0.5) * MODEL_DAYS_PER_MONTH / n, EV_QUOTA_ARRIVAL, (uint32_t)source);
    if (m->engine.now + MODEL_DAYS_PER_MONTH < m->horizon_time - 1e-9)
        sim_schedule(&m->engine, MODEL_DAYS_PER_MONTH, EV_QUOTA_MONTH, (uint32_t)source);
}
