/*
 * model_exits.c — exit draws, exit statistics, follow-up and the referrals
 * exits cause.
 *
 * Owns the outcome side of a case. The core draws "does the case end" then
 * "where to" from the exit stream exactly as it always has; with effects
 * on (profiles' readiness, method capital, measures, a time limit) the
 * good destinations' chances are raised by their odds factor instead.
 * Follow-up draws from its own stream, so switching it on leaves every
 * other draw unchanged. Replacement and relapse referrals are events of
 * their own kinds (EV_REPLACEMENT_ARRIVAL, EV_RELAPSE_ARRIVAL) with the
 * source as subject.
 */
#include "model/model_exits.h"
#include "model/model_followup_draw.h"
#include "model/model_profile_exits.h"

#include <math.h>

/* Volume pressure's quality cost: a mapping done in haste (under the
 * speed-up of method.pressure.mapping_speedup) misses needs, so the plan
 * fits worse and job matches fail more often. The good destinations' odds
 * are cut by quality_cost times the share of the mapping done so; 1 when
 * the cost is off or the mapping was calm. */
static double haste_factor(const model_ctx *m, uint32_t s)
{
    double q = m->p->pressure_quality_cost;
    if (!(q > 0) || !m->p->has_pressure)
        return 1.0;
    double share = m->records[s].mapping_haste;
    return 1.0 - q * (share < 1 ? share : 1.0);
}

/* Per-meeting exit: the core draws "does the case end" then "where to";
 * a profile's readiness and the team's method capital raise the chance of
 * the good destinations (work, studies) by their odds factor, and a hasty
 * mapping lowers it. The method's completion lever then raises the chance
 * that the meeting ends the case at all, every destination alike (the
 * shares where to are unchanged). The core's draw, without effects, is
 * exits_draw's own (model_exits.h). */
int exits_draw_effects(model_ctx *m, uint32_t s, const model_phase *ph)
{
    gsl_rng *r = m->stream[MODEL_STREAM_EXIT];
    if (!(ph->exit_probability > 0))
        return -1;
    int team = m->workers[m->people[s].worker].team;
    double boost = exp(m->records[s].readiness) * staff_method_multiplier(m, team);
    double haste = haste_factor(m, s);
    if (haste != 1.0)
        boost *= haste;
    double weight[MODEL_MAX_DESTINATIONS], total = 0;
    for (int d = 0; d < m->p->destinations; d++) {
        weight[d] = ph->exit_probability * ph->exit_shares[d] * ((m->p->good_destinations >> d) & 1 ? boost : 1.0);
        total += weight[d];
    }
    int profile = m->people[s].profile; /* the hot copy of rec.profile */
    if (m->p->profiles > 0 && m->p->profile[profile].has_exit_weights)
        profile_exits_reweight(m->p, profile, weight, total);
    double reach = total * staff_completion_multiplier(m, team);
    double p_exit = reach > 1 ? 1 : reach;
    if (!(rng_uniform(r) < p_exit))
        return -1;
    for (int d = 0; d < m->p->destinations; d++)
        weight[d] /= total;
    return draw_index(r, weight, m->p->destinations);
}

int exits_draw_completion(model_ctx *m, uint32_t s, const model_phase *ph)
{
    double haste = haste_factor(m, s);
    if (haste == 1.0)
        return draw_index(m->stream[MODEL_STREAM_EXIT], ph->completion_shares, m->p->destinations);
    /* Completing is certain; a hasty mapping only shifts where it leads. */
    double w[MODEL_MAX_DESTINATIONS], total = 0;
    for (int d = 0; d < m->p->destinations; d++) {
        w[d] = ph->completion_shares[d] * ((m->p->good_destinations >> d) & 1 ? haste : 1.0);
        total += w[d];
    }
    if (!(total > 0))
        return draw_index(m->stream[MODEL_STREAM_EXIT], ph->completion_shares, m->p->destinations);
    for (int d = 0; d < m->p->destinations; d++)
        w[d] /= total;
    return draw_index(m->stream[MODEL_STREAM_EXIT], w, m->p->destinations);
}

void exits_record(model_ctx *m, uint32_t s, int d)
{
    participant_record *rd = &m->records[s];
    const model_params *p = m->p;
    double now = m->engine.now;
    rd->rec.exit_time = now;
    rd->rec.destination = d;
    rd->rec.fate = FATE_EXITED;
    m->out->exits++;
    m->exits_to[d]++;
    m->month_exits[d]++;
    if (m->measuring) {
        m->out->exits_measured++;
        m->out->exits_by_destination[d]++;
        if (p->profiles > 0)
            m->out->exits_by_profile[rd->rec.profile][d]++;
    }
    if (rd->rec.assignment_time >= m->warmup_time) {
        stat_obs_add(&m->out->programme_days, now - rd->rec.assignment_time);
        stat_obs_add(&m->out->meetings_per_exit, m->people[s].meetings);
    }
}

void exits_follow_up(model_ctx *m, uint32_t s, int d)
{
    participant_record *rd = &m->records[s];
    const model_params *p = m->p;
    if (!p->has_followup || isnan(p->retained_12[d]))
        return;
    /* The method's retention lever (follow-up of those in work or studies):
     * a share of those who would drop out by each month stay in. 0 off. */
    double lift = (p->good_destinations >> d) & 1 ? staff_retention_lift(m, m->workers[m->people[s].worker].team) : 0.0;
    if (p->followup_points > 0) {
        followup_curve_draw(m, s, d, lift);
        return;
    }
    gsl_rng *r = m->stream[MODEL_STREAM_FOLLOWUP];
    double a = p->retained_12[d], b = p->retained_24[d];
    if (lift > 0) {
        a += (1 - a) * lift;
        b += (1 - b) * lift;
    }
    int in12 = rng_uniform(r) < a;
    int in24;
    /* A two-step chain that reproduces both shares: decay keeps a fraction
     * of those in at 12 months, growth adds some of those out. */
    if (b <= a)
        in24 = in12 && rng_uniform(r) < (a > 0 ? b / a : 0);
    else
        in24 = in12 || rng_uniform(r) < (b - a) / (1 - a);
    rd->rec.followup_12 = (int8_t)in12;
    rd->rec.followup_24 = (int8_t)in24;
    double t12 = rd->rec.exit_time + 12 * MODEL_DAYS_PER_MONTH, t24 = t12 + 12 * MODEL_DAYS_PER_MONTH;
    if (m->measuring) {
        if (t12 <= m->horizon_time) {
            m->out->followup[d][0]++;
            m->out->followup[d][1] += (uint64_t)in12;
        }
        if (t24 <= m->horizon_time) {
            m->out->followup[d][2]++;
            m->out->followup[d][3] += (uint64_t)in24;
        }
    }
    if (!in12 && p->relapse_probability > 0 && rng_uniform(r) < p->relapse_probability && t12 < m->horizon_time)
        sim_schedule_at(&m->engine, t12, EV_RELAPSE_ARRIVAL, (uint32_t)p->relapse_source);
}

void exits_replace(model_ctx *m, int source)
{
    if (m->p->sources > 0)
        for (int i = 0; i < m->p->source[source].replacement; i++)
            sim_schedule(&m->engine, 0.0, EV_REPLACEMENT_ARRIVAL, (uint32_t)source);
}
