/*
 * model_followup.c — follow-up at the months a scenario names.
 *
 * Reports follow their leavers up at their own months (Etableringslyftet at
 * 13, 003 l.278), not only at 12 and 24. A scenario names the months
 * (exits.followup.months) and each followed destination's share in work or
 * studies at each; those points define a curve:
 *   - at exit the share is 1 for a good destination (work, studies) and 0
 *     for the others;
 *   - between two points (and from exit to the first) the share moves at a
 *     constant monthly rate (geometric) when both ends are above 0, else in
 *     a straight line;
 *   - after the last point, the documented rule exits.followup.after_last:
 *     "hold" keeps the last share, "trend" continues the last interval's
 *     rate (clamped to [0, 1]).
 * The model still needs the 12- and 24-month states (relapse at 12 months,
 * the ledger's first year and the years after), so each leaver's state is
 * drawn as a chain over the named months and 12 and 24 together, in order:
 * at the first point "in" with the curve's share; from one point to the
 * next, when the share falls those in stay in with the ratio of the
 * shares, and when it rises those out come in with the rise over the room
 * left. Each point's marginal share is then the curve's (by induction), as
 * exits_follow_up's two-step chain does for 12 and 24 alone. The
 * alternatives were independent draws per point (right marginals, but
 * people would flip in and out) or a shared uniform (right marginals and
 * monotone, but no growth from those out); the chain keeps the existing
 * 12/24 draw as its special case.
 *
 * Draws come from the follow-up stream only, and only for scenarios that
 * name months other than 12 and 24: with the default months nothing here
 * runs.
 */
#include "model/model_followup_draw.h"

#include <math.h>

/* Between (t0, r0) and (t1, r1), at t (t may pass t1: the trend). */
static double between(double t0, double r0, double t1, double r1, double t)
{
    double x = (t - t0) / (t1 - t0), v;
    if (r0 > 0 && r1 > 0)
        v = r0 * pow(r1 / r0, x);
    else
        v = r0 + (r1 - r0) * x;
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

double followup_share(const model_params *p, int d, double month)
{
    int n = p->followup_points;
    if (n < 1 || isnan(p->retained_at[0][d]))
        return NAN;
    double t0 = 0, r0 = (p->good_destinations >> d) & 1 ? 1.0 : 0.0;
    for (int k = 0; k < n; k++) {
        double t1 = p->followup_month[k], r1 = p->retained_at[k][d];
        if (month <= t1)
            return between(t0, r0, t1, r1, month);
        if (k == n - 1)
            return p->followup_after_last == FOLLOWUP_TREND ? between(t0, r0, t1, r1, month) : r1;
        t0 = t1;
        r0 = r1;
    }
    return NAN;
}

void followup_curve_draw(model_ctx *m, uint32_t s, int d, double lift)
{
    participant_record *rd = &m->records[s]; /* follow-up is record-only */
    const model_params *p = m->p;
    gsl_rng *r = m->stream[MODEL_STREAM_FOLLOWUP];
    /* The named months and 12 and 24, merged in order (duplicates once). */
    int month[MODEL_MAX_FOLLOWUP + 2], point[MODEL_MAX_FOLLOWUP + 2], n = 0;
    int k = 0, extra[2] = {12, 24}, e = 0;
    while (k < p->followup_points || e < 2) {
        int next_named = k < p->followup_points ? p->followup_month[k] : INT32_MAX;
        int next_extra = e < 2 ? extra[e] : INT32_MAX;
        if (next_named <= next_extra) {
            month[n] = next_named;
            point[n++] = k++;
            if (next_named == next_extra)
                e++;
        } else {
            month[n] = next_extra;
            point[n++] = -1;
            e++;
        }
    }
    double prev = 0;
    int in = 0, in12 = 0, in24 = 0;
    for (int i = 0; i < n; i++) {
        double a = followup_share(p, d, month[i]);
        if (lift > 0)
            a += (1 - a) * lift;
        if (i == 0)
            in = rng_uniform(r) < a;
        else if (a <= prev)
            in = in && rng_uniform(r) < (prev > 0 ? a / prev : 0);
        else
            in = in || rng_uniform(r) < (a - prev) / (1 - prev);
        prev = a;
        if (month[i] == 12)
            in12 = in;
        if (month[i] == 24)
            in24 = in;
        double due = rd->rec.exit_time + month[i] * MODEL_DAYS_PER_MONTH;
        if (point[i] >= 0 && m->measuring && due <= m->horizon_time) {
            m->out->followup_at[point[i]][d][0]++;
            m->out->followup_at[point[i]][d][1] += (uint64_t)in;
        }
    }
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
