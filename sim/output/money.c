/*
 * money.c — programme costs and the per-actor ledger of exclusion costs.
 *
 * How a person's months are counted. Each person contributes piecewise
 * constant gain rates (kr/month, one per component) over intervals of
 * months measured from their start: waiting, in the programme, the first
 * year after exit, and after that. The monthly buckets of the cohort are
 * built from rate changes at fractional breakpoints (a change at x in
 * [k, k+1) adds (k + 1 - x) of itself to bucket k and all of itself to every
 * later bucket), so a person costs a handful of operations whatever the
 * horizon, and the buckets are exact integrals of the rates.
 */
#include "output/money.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_stats.h"

/* Gain rates of a state against the profile's before-state: actors gain what
 * they no longer spend, the individual gains income. */
static void state_gain(const money_params *mp, const money_state *s, int profile, double g[MONEY_COMPONENTS])
{
    double v[MONEY_COMPONENTS];
    money_state_resolve(mp, s, profile, v);
    const double *b = mp->baseline[profile].v;
    for (int c = 0; c < MONEY_ACTORS; c++)
        g[c] = b[c] - v[c];
    g[MONEY_INCOME] = v[MONEY_INCOME] - b[MONEY_INCOME];
}

/* ---- monthly buckets ----------------------------------------------------- */

typedef struct buckets {
    int months;
    double *part;  /* (months + 1) x components */
    double *step;
} buckets;

static int buckets_init(buckets *bk, int months)
{
    bk->months = months;
    bk->part = calloc((size_t)(months + 1) * MONEY_COMPONENTS, sizeof(double));
    bk->step = calloc((size_t)(months + 1) * MONEY_COMPONENTS, sizeof(double));
    return bk->part && bk->step ? 0 : -1;
}

static void buckets_free(buckets *bk)
{
    free(bk->part);
    free(bk->step);
    bk->part = bk->step = NULL;
}

/* The rate changes by w * g at x months. */
static void buckets_change(buckets *bk, double x, const double *g, double w)
{
    if (x < 0)
        x = 0;
    if (!(x < bk->months))
        return;
    int k = (int)floor(x);
    double first = (double)(k + 1) - x;
    for (int c = 0; c < MONEY_COMPONENTS; c++) {
        bk->part[(size_t)k * MONEY_COMPONENTS + c] += w * g[c] * first;
        bk->step[(size_t)(k + 1) * MONEY_COMPONENTS + c] += w * g[c];
    }
}

/* Rate w * g over [a, b) months (b may be infinite). */
static void buckets_add(buckets *bk, double a, double b, const double *g, double w)
{
    if (!(b > a) || b <= 0 || w == 0)
        return;
    int zero = 1;
    for (int c = 0; c < MONEY_COMPONENTS; c++)
        zero &= g[c] == 0;
    if (zero)
        return;
    buckets_change(bk, a, g, w);
    if (isfinite(b))
        buckets_change(bk, b, g, -w);
}

/* Gain of each component in each month: months x components, in place of part. */
static void buckets_finish(buckets *bk)
{
    double run[MONEY_COMPONENTS] = {0};
    for (int k = 0; k < bk->months; k++)
        for (int c = 0; c < MONEY_COMPONENTS; c++) {
            run[c] += bk->step[(size_t)k * MONEY_COMPONENTS + c];
            bk->part[(size_t)k * MONEY_COMPONENTS + c] += run[c];
        }
}

/* ---- turning monthly gains into the row ---------------------------------- */

static double account_of(const double *comp, int a)
{
    if (a < MONEY_ACTORS)
        return comp[a];
    double pub = 0;
    for (int c = 0; c < MONEY_ACTORS; c++)
        pub += comp[c];
    if (a == MONEY_PUBLIC)
        return pub;
    if (a == MONEY_INDIVIDUAL)
        return comp[MONEY_INCOME];
    return pub + comp[MONEY_INCOME];
}

/* From the cohort's summed monthly gains (bk finished), the programme cost by
 * payer (kr in total) and the cohort size: gains, nets and payback. */
static void finish_row(const money_params *mp, const buckets *bk, double members, const double *cost_by_payer,
                       money_row *row, double *curve)
{
    double cost_comp[MONEY_COMPONENTS] = {0};
    for (int a = 0; a < MONEY_ACTORS; a++)
        cost_comp[a] = members > 0 ? cost_by_payer[a] / members : NAN;
    cost_comp[MONEY_INCOME] = members > 0 ? 0 : NAN;
    for (int a = 0; a < MONEY_ACCOUNTS; a++) {
        row->cost_per_member[a] = account_of(cost_comp, a);
        row->payback_months[a] = NAN;
        row->payback_never[a] = 0;
    }
    if (!(members > 0)) {
        for (int h = 0; h < MONEY_MAX_HORIZONS; h++)
            for (int a = 0; a < MONEY_ACCOUNTS; a++)
                row->gain[h][a] = row->net[h][a] = NAN;
        if (curve)
            for (size_t i = 0; i < (size_t)bk->months * MONEY_ACCOUNTS; i++)
                curve[i] = NAN;
        return;
    }
    for (int h = mp->horizons; h < MONEY_MAX_HORIZONS; h++)
        for (int a = 0; a < MONEY_ACCOUNTS; a++)
            row->gain[h][a] = row->net[h][a] = NAN;
    double cum[MONEY_COMPONENTS] = {0};
    int h = 0;
    for (int k = 0; k < bk->months; k++) {
        double disc = mp->discount_rate > 0 ? pow(1 + mp->discount_rate, -(double)(k + 1) / 12.0) : 1.0;
        for (int c = 0; c < MONEY_COMPONENTS; c++)
            cum[c] += bk->part[(size_t)k * MONEY_COMPONENTS + c] / members * disc;
        for (int a = 0; a < MONEY_ACCOUNTS; a++) {
            double g = account_of(cum, a), cost = row->cost_per_member[a];
            if (curve)
                curve[(size_t)k * MONEY_ACCOUNTS + a] = g - cost;
            double tol = 1e-9 * (1 + fabs(cost));
            if (isnan(row->payback_months[a]) && g >= cost - tol && g > tol)
                row->payback_months[a] = k + 1;
        }
        while (h < mp->horizons && mp->horizon_months[h] == k + 1) {
            for (int a = 0; a < MONEY_ACCOUNTS; a++) {
                row->gain[h][a] = account_of(cum, a);
                row->net[h][a] = row->gain[h][a] - row->cost_per_member[a];
            }
            h++;
        }
    }
    for (int a = 0; a < MONEY_ACCOUNTS; a++)
        row->payback_never[a] = isnan(row->payback_months[a]);
}

static int longest(const money_params *mp)
{
    return mp->horizons > 0 ? mp->horizon_months[mp->horizons - 1] : 0;
}

/* ---- programme costs ----------------------------------------------------- */

static void add_split(double *by_payer, const money_split *s, double amount)
{
    for (int a = 0; a < MONEY_ACTORS; a++)
        by_payer[a] += s->share[a] * amount;
}

static const double *series_find(const model_series *s, const char *name, int width)
{
    if (!s)
        return NULL;
    for (int i = 0; i < s->count; i++)
        if (strcmp(s->item[i].name, name) == 0 && s->item[i].width == width)
            return s->item[i].values;
    return NULL;
}

/* Planned FTE of role r (all roles: -1) in post over month m, and at its end. */
static double planned_fte(const model_params *p, int r, int m, int at_end)
{
    if (p->roles == 0)
        return r <= 0 ? (double)p->workers : 0;
    double fte = 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++) {
            const model_member_group *mg = &p->team[t].group[g];
            if (r >= 0 && mg->role != r)
                continue;
            double share;
            if (at_end)
                share = mg->start_month <= m + 1 ? 1 : 0;
            else
                share = fmin(1, fmax(0, (double)(m + 1) - fmax((double)m, mg->start_month)));
            fte += mg->count * mg->fte * share;
        }
    return fte;
}

static int programme_costs(const money_params *mp, const model_params *p, const model_series *series,
                           uint64_t started, money_row *row, char *err, size_t err_size)
{
    int m0 = p->warmup_months, m1 = p->horizon_months;
    const double *in_post = p->has_turnover ? series_find(series, "staff_in_post", 1) : NULL;
    if (p->has_turnover && !in_post) {
        snprintf(err, err_size, "money: the staff cost needs the model's staff_in_post series");
        return -1;
    }
    for (int r = 0; r < mp->staff_roles; r++) {
        double fte_months = 0;
        for (int m = m0; m < m1; m++) {
            double f = planned_fte(p, r, m, 0);
            if (in_post) {
                double planned_end = planned_fte(p, -1, m, 1);
                if (planned_end > 0)
                    f *= in_post[m] / planned_end;
            }
            fte_months += f;
        }
        double cost = mp->staff_cost_per_fte_year[r] / 12.0 * fte_months;
        row->cost_staff += cost;
        add_split(row->cost_by_payer, &mp->staff_employer[r], cost);
    }
    if (p->measures > 0) {
        const double *used = series_find(series, "measure_places_used", p->measures);
        if (!used) {
            snprintf(err, err_size, "money: the cost of measures needs the model's measure_places_used series");
            return -1;
        }
        for (int k = 0; k < p->measures; k++) {
            double place_months = 0;
            for (int m = m0; m < m1; m++)
                place_months += used[(size_t)m * (size_t)p->measures + (size_t)k];
            double cost = mp->measure_cost_per_month[k] * place_months;
            row->cost_measures += cost;
            add_split(row->cost_by_payer, &mp->measure_paid_by[k], cost);
        }
    }
    for (int i = 0; i < mp->fixed_items; i++) {
        double cost = mp->fixed[i].cost * (m1 - m0);
        row->cost_fixed += cost;
        add_split(row->cost_by_payer, &mp->fixed[i].paid_by, cost);
    }
    for (int i = 0; i < mp->per_participant_items; i++) {
        double cost = mp->per_participant[i].cost * (double)started;
        row->cost_purchased += cost;
        add_split(row->cost_by_payer, &mp->per_participant[i].paid_by, cost);
    }
    row->cost_total = row->cost_staff + row->cost_measures + row->cost_fixed + row->cost_purchased;
    /* Per year, so studies of different windows (and readers) compare
     * costs without knowing the window's length. */
    row->cost_per_year = m1 > m0 ? row->cost_total * 12.0 / (double)(m1 - m0) : NAN;
    return 0;
}

/* ---- one trial ----------------------------------------------------------- */

static int profile_of(const model_params *p, int profile)
{
    int n = p->profiles > 0 ? p->profiles : 1;
    return profile >= 0 && profile < n ? profile : 0;
}

int money_ledger_trial(const money_params *mp, const model_params *p, const model_series *series,
                       const model_participant *recs, size_t n, money_row *row, double *curve, char *err,
                       size_t err_size)
{
    memset(row, 0, sizeof *row);
    if (!mp->enabled || mp->horizons < 1) {
        snprintf(err, err_size, "money: the scenario has no money section");
        return -1;
    }
    const double M = MODEL_DAYS_PER_MONTH;
    const double w0 = p->warmup_months * M, w1 = p->horizon_months * M;
    for (size_t i = 0; i < n; i++) {
        const model_participant *r = &recs[i];
        if (!isnan(r->assignment_time) && r->assignment_time >= w0 && r->assignment_time < w1)
            row->started++;
        if (r->fate == FATE_EXITED && r->destination >= 0 && ((p->good_destinations >> r->destination) & 1) &&
            r->exit_time >= w0 && r->exit_time < w1)
            row->good_exits++;
    }
    if (programme_costs(mp, p, series, row->started, row, err, err_size) != 0)
        return -1;
    row->cost_per_participant = row->started ? row->cost_total / (double)row->started : NAN;
    row->cost_per_good_exit = row->good_exits ? row->cost_total / (double)row->good_exits : NAN;

    buckets bk;
    if (buckets_init(&bk, longest(mp)) != 0) {
        buckets_free(&bk);
        snprintf(err, err_size, "money: out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const model_participant *r = &recs[i];
        if (r->fate == FATE_REJECTED)
            continue;
        double t0;
        switch (mp->horizon_from) {
        case MONEY_FROM_START: t0 = r->assignment_time; break;
        case MONEY_FROM_EXIT: t0 = r->fate == FATE_EXITED ? r->exit_time : NAN; break;
        default: t0 = r->referral_time; break;
        }
        if (isnan(t0) || t0 < w0 || t0 >= w1)
            continue;
        row->cohort++;
        int prof = profile_of(p, r->profile);
        double g[MONEY_COMPONENTS];
        double ref = (r->referral_time - t0) / M;
        double start = isnan(r->assignment_time) ? INFINITY : (r->assignment_time - t0) / M;
        double exit = r->fate == FATE_EXITED ? (r->exit_time - t0) / M : INFINITY;
        if (r->fate == FATE_RENEGED)
            continue; /* the record does not say when they gave up: before-state throughout */
        /* Handed to a successor project: their outcome is the successor's, so
         * like one still present they stay in the programme state, censored. */
        if (r->fate == FATE_PRESENT || r->fate == FATE_TRANSFERRED)
            row->censored++;
        state_gain(mp, &mp->waiting, prof, g);
        buckets_add(&bk, ref, start, g, 1.0);
        state_gain(mp, &mp->in_programme, prof, g);
        buckets_add(&bk, start, exit, g, 1.0);
        if (r->fate != FATE_EXITED || r->destination < 0)
            continue;
        int d = r->destination, s1, s2;
        if (r->followup_12 >= 0) {
            s1 = r->followup_12 == 1;
            s2 = r->followup_24 >= 0 ? r->followup_24 == 1 : s1;
        } else {
            s1 = s2 = (int)((p->good_destinations >> d) & 1);
        }
        state_gain(mp, money_after_state(mp, d, s1), prof, g);
        buckets_add(&bk, exit, exit + 12, g, 1.0);
        state_gain(mp, money_after_state(mp, d, s2), prof, g);
        buckets_add(&bk, exit + 12, INFINITY, g, 1.0);
    }
    buckets_finish(&bk);
    finish_row(mp, &bk, (double)row->cohort, row->cost_by_payer, row, curve);
    buckets_free(&bk);
    if (mp->costs_only)
        /* No before-state: gains would be against zero, so none are claimed. */
        for (int a = 0; a < MONEY_ACCOUNTS; a++) {
            for (int h = 0; h < mp->horizons; h++)
                row->gain[h][a] = row->net[h][a] = NAN;
            row->payback_months[a] = NAN;
            row->payback_never[a] = 0;
        }
    row->status = RESULTS_DONE;
    return 0;
}

/* ---- the deterministic ledger -------------------------------------------- */

void money_cohort_from_params(const model_params *p, double months_waiting, double months_in_programme,
                              money_cohort *c)
{
    memset(c, 0, sizeof *c);
    c->months_waiting = months_waiting;
    c->months_in_programme = months_in_programme;
    if (p->profiles <= 1) {
        c->profile_shares[0] = 1;
    } else {
        double total = 0;
        for (int s = 0; s < p->sources; s++) {
            double w = p->source[s].rate.count > 0 ? p->source[s].rate.value[0] : 0;
            for (int k = 0; k < p->profiles; k++)
                c->profile_shares[k] += w * p->source[s].profile_shares[k];
            total += w;
        }
        for (int k = 0; k < p->profiles; k++)
            c->profile_shares[k] = total > 0 ? c->profile_shares[k] / total : 1.0 / p->profiles;
    }
    for (int d = 0; d < MODEL_MAX_DESTINATIONS; d++) {
        c->destination_shares[d] = p->phases == 0 && d < p->destinations ? p->destination_shares[d] : 0;
        c->retained_12[d] = p->has_followup ? p->retained_12[d] : NAN;
        c->retained_24[d] = p->has_followup ? p->retained_24[d] : NAN;
    }
}

void money_cohort_add_costs(const money_params *mp, const model_params *p, double starts_per_month,
                            const double *measure_months, money_cohort *c)
{
    for (int i = 0; i < mp->per_participant_items; i++)
        add_split(c->programme_cost, &mp->per_participant[i].paid_by, mp->per_participant[i].cost);
    if (measure_months)
        for (int k = 0; k < p->measures; k++)
            add_split(c->programme_cost, &mp->measure_paid_by[k], mp->measure_cost_per_month[k] * measure_months[k]);
    if (!(starts_per_month > 0))
        return;
    for (int r = 0; r < mp->staff_roles; r++) {
        double fte = planned_fte(p, r, 1000000, 1); /* full staffing */
        add_split(c->programme_cost, &mp->staff_employer[r],
                  mp->staff_cost_per_fte_year[r] / 12.0 * fte / starts_per_month);
    }
    for (int i = 0; i < mp->fixed_items; i++)
        add_split(c->programme_cost, &mp->fixed[i].paid_by, mp->fixed[i].cost / starts_per_month);
}

static int share_ok(const double *s, int n, double *sum)
{
    *sum = 0;
    for (int i = 0; i < n; i++) {
        if (!(s[i] >= 0) || s[i] > 1)
            return 0;
        *sum += s[i];
    }
    return fabs(*sum - 1) <= 1e-9;
}

static double mix_share(double retained, int good)
{
    return isnan(retained) ? (good ? 1.0 : 0.0) : retained;
}

int money_expected(const money_params *mp, const model_params *p, const money_cohort *c, money_row *row,
                   double *curve, char *err, size_t err_size)
{
    memset(row, 0, sizeof *row);
    if (!mp->enabled || mp->horizons < 1) {
        snprintf(err, err_size, "money: the scenario has no money section");
        return -1;
    }
    int profiles = p->profiles > 0 ? p->profiles : 1;
    double sum;
    if (!share_ok(c->profile_shares, profiles, &sum)) {
        snprintf(err, err_size, "money: profile shares must be in [0, 1] and sum to 1 (they sum to %.12g)", sum);
        return -1;
    }
    if (!share_ok(c->destination_shares, p->destinations, &sum)) {
        snprintf(err, err_size, "money: destination shares must be in [0, 1] and sum to 1 (they sum to %.12g)",
                 sum);
        return -1;
    }
    if (!(c->months_waiting >= 0) || !(c->months_in_programme >= 0) || !isfinite(c->months_waiting) ||
        !isfinite(c->months_in_programme)) {
        snprintf(err, err_size, "money: months waiting and in the programme must be finite and >= 0");
        return -1;
    }
    for (int d = 0; d < p->destinations; d++) {
        if (!(c->destination_shares[d] > 0))
            continue;
        int good = (int)((p->good_destinations >> d) & 1);
        double r12 = mix_share(c->retained_12[d], good);
        double r24 = isnan(c->retained_24[d]) ? r12 : c->retained_24[d];
        if (!(r12 >= 0 && r12 <= 1 && r24 >= 0 && r24 <= 1)) {
            snprintf(err, err_size, "money: retention of '%s' must be in [0, 1]", p->destination_names[d]);
            return -1;
        }
        if ((r12 > 0 || r24 > 0) && !mp->after_in_given[d]) {
            snprintf(err, err_size,
                     "money: people exiting to '%s' are in work or studies, but money.after gives no 'in' state "
                     "for it",
                     p->destination_names[d]);
            return -1;
        }
    }
    for (int a = 0; a < MONEY_ACTORS; a++)
        if (!(c->programme_cost[a] >= 0) || !isfinite(c->programme_cost[a])) {
            snprintf(err, err_size, "money: the programme cost paid by %s must be finite and >= 0",
                     money_component_names[a]);
            return -1;
        }

    row->cohort = row->started = 1;
    for (int a = 0; a < MONEY_ACTORS; a++) {
        row->cost_by_payer[a] = c->programme_cost[a];
        row->cost_total += c->programme_cost[a];
    }
    row->cost_purchased = row->cost_total;
    row->cost_per_participant = row->cost_total;
    row->cost_per_year = NAN; /* one person's ledger has no calendar window */
    double good_share = 0;
    for (int d = 0; d < p->destinations; d++)
        if ((p->good_destinations >> d) & 1)
            good_share += c->destination_shares[d];
    row->cost_per_good_exit = good_share > 0 ? row->cost_total / good_share : NAN;

    buckets bk;
    if (buckets_init(&bk, longest(mp)) != 0) {
        buckets_free(&bk);
        snprintf(err, err_size, "money: out of memory");
        return -1;
    }
    double w = c->months_waiting, m = c->months_in_programme;
    double t0 = mp->horizon_from == MONEY_FROM_EXIT ? w + m : mp->horizon_from == MONEY_FROM_START ? w : 0;
    double ref = -t0, start = w - t0, exit = w + m - t0;
    double g[MONEY_COMPONENTS], gin[MONEY_COMPONENTS], gout[MONEY_COMPONENTS];
    for (int k = 0; k < profiles; k++) {
        double pk = c->profile_shares[k];
        if (!(pk > 0))
            continue;
        state_gain(mp, &mp->waiting, k, g);
        buckets_add(&bk, ref, start, g, pk);
        state_gain(mp, &mp->in_programme, k, g);
        buckets_add(&bk, start, exit, g, pk);
        for (int d = 0; d < p->destinations; d++) {
            double sd = c->destination_shares[d];
            if (!(sd > 0))
                continue;
            int good = (int)((p->good_destinations >> d) & 1);
            double r12 = mix_share(c->retained_12[d], good);
            double r24 = isnan(c->retained_24[d]) ? r12 : c->retained_24[d];
            state_gain(mp, &mp->after_in[d], k, gin);
            state_gain(mp, &mp->after_out[d], k, gout);
            for (int x = 0; x < MONEY_COMPONENTS; x++)
                g[x] = r12 * gin[x] + (1 - r12) * gout[x];
            buckets_add(&bk, exit, exit + 12, g, pk * sd);
            for (int x = 0; x < MONEY_COMPONENTS; x++)
                g[x] = r24 * gin[x] + (1 - r24) * gout[x];
            buckets_add(&bk, exit + 12, INFINITY, g, pk * sd);
        }
    }
    buckets_finish(&bk);
    finish_row(mp, &bk, 1.0, row->cost_by_payer, row, curve);
    buckets_free(&bk);
    row->status = RESULTS_DONE;
    return 0;
}

/* ---- summaries ----------------------------------------------------------- */

static void horizon_label(int months, char *buf, size_t size)
{
    if (months % 12 == 0)
        snprintf(buf, size, "%dy", months / 12);
    else
        snprintf(buf, size, "%dm", months);
}

size_t money_metric_info_for(const money_params *mp, results_metric_info *info)
{
    memset(info, 0, MONEY_MAX_METRICS * sizeof *info);
    size_t k = 0;
#define METRIC(unit_, bin_, ...)                                                  \
    do {                                                                          \
        snprintf(info[k].name, sizeof info[k].name, __VA_ARGS__);                 \
        snprintf(info[k].unit, sizeof info[k].unit, "%s", unit_);                 \
        info[k].binary = bin_;                                                    \
        k++;                                                                      \
    } while (0)
    METRIC("people", 0, "money.cohort");
    METRIC("share", 0, "money.censored_share");
    METRIC("kr", 0, "money.cost_total");
    METRIC("kr/year", 0, "money.cost_per_year");
    METRIC("kr/participant", 0, "money.cost_per_participant");
    METRIC("kr/exit", 0, "money.cost_per_good_exit");
    for (int a = 0; a < MONEY_ACTORS; a++)
        METRIC("kr", 0, "money.cost_paid.%s", money_component_names[a]);
    for (int h = 0; h < mp->horizons; h++) {
        char label[16];
        horizon_label(mp->horizon_months[h], label, sizeof label);
        for (int a = 0; a < MONEY_ACCOUNTS; a++)
            METRIC("kr/person", 0, "money.net_%s.%s", label, money_account_names[a]);
    }
    for (int a = 0; a < MONEY_ACCOUNTS; a++)
        METRIC("months", 0, "money.payback_months.%s", money_account_names[a]);
    for (int a = 0; a < MONEY_ACCOUNTS; a++)
        METRIC("probability", 1, "money.payback_never.%s", money_account_names[a]);
#undef METRIC
    return k;
}

void money_metric_values(const money_row *row, const money_params *mp, double *v)
{
    size_t k = 0;
    int any = row->cohort > 0;
    v[k++] = (double)row->cohort;
    v[k++] = any ? (double)row->censored / (double)row->cohort : NAN;
    v[k++] = row->cost_total;
    v[k++] = row->cost_per_year;
    v[k++] = row->cost_per_participant;
    v[k++] = row->cost_per_good_exit;
    for (int a = 0; a < MONEY_ACTORS; a++)
        v[k++] = row->cost_by_payer[a];
    for (int h = 0; h < mp->horizons; h++)
        for (int a = 0; a < MONEY_ACCOUNTS; a++)
            v[k++] = row->net[h][a];
    for (int a = 0; a < MONEY_ACCOUNTS; a++)
        v[k++] = row->payback_months[a];
    for (int a = 0; a < MONEY_ACCOUNTS; a++)
        v[k++] = any && !mp->costs_only ? (double)row->payback_never[a] : NAN;
}

int money_summarise(const money_row *rows, size_t n, int scenarios, const money_params *mp, int paired,
                    results_summary **summary, size_t *n_summary, results_difference **diffs, size_t *n_diffs)
{
    return money_summarise_against(rows, n, scenarios, mp, paired, 0, summary, n_summary, diffs, n_diffs);
}

static void money_pack_trial(const void *rows, size_t i, const void *params, double *values, results_key *key)
{
    const money_row *row = &((const money_row *)rows)[i];
    money_metric_values(row, params, values);
    *key = (results_key){row->scenario, row->replication, row->status};
}

int money_summarise_against(const money_row *rows, size_t n, int scenarios, const money_params *mp, int paired,
                            int reference, results_summary **summary, size_t *n_summary,
                            results_difference **diffs, size_t *n_diffs)
{
    results_metric_info info[MONEY_MAX_METRICS];
    size_t m = money_metric_info_for(mp, info);
    return results_summarise_rows(rows, n, m, money_pack_trial, mp, scenarios, info, paired, reference, summary,
                                  n_summary, diffs, n_diffs);
}

/* One walk names, packs and unpacks the columns, so they cannot disagree. */
enum { COL_NAME, COL_PACK, COL_UNPACK };

static void money_col(int op, size_t *k, char (*names)[80], double *v, double *field, const char *fmt, const char *a,
                      const char *b)
{
    if (op == COL_NAME && names)
        snprintf(names[*k], 80, fmt, a, b);
    else if (op == COL_PACK)
        v[*k] = *field;
    else if (op == COL_UNPACK)
        *field = v[*k];
    (*k)++;
}

static size_t money_walk(int op, money_row *row, const money_params *mp, char (*names)[80], double *v)
{
    money_row local;
    if (!row) {
        memset(&local, 0, sizeof local);
        row = &local;
    }
    size_t k = 0;
    double x;
#define COUNT(field, label)                                              \
    do {                                                                 \
        x = (double)row->field;                                          \
        money_col(op, &k, names, v, &x, "%s%s", label, "");              \
        if (op == COL_UNPACK)                                            \
            row->field = (uint64_t)x;                                    \
    } while (0)
    x = (double)row->status;
    money_col(op, &k, names, v, &x, "%s%s", "status", "");
    if (op == COL_UNPACK)
        row->status = (uint32_t)x;
    COUNT(cohort, "cohort");
    COUNT(started, "started");
    COUNT(good_exits, "good_exits");
    COUNT(censored, "censored");
#undef COUNT
    money_col(op, &k, names, v, &row->cost_total, "%s%s", "cost_total", "");
    for (int a = 0; a < MONEY_ACTORS; a++)
        money_col(op, &k, names, v, &row->cost_by_payer[a], "cost_by_payer.%s%s", money_component_names[a], "");
    money_col(op, &k, names, v, &row->cost_staff, "%s%s", "cost_staff", "");
    money_col(op, &k, names, v, &row->cost_measures, "%s%s", "cost_measures", "");
    money_col(op, &k, names, v, &row->cost_fixed, "%s%s", "cost_fixed", "");
    money_col(op, &k, names, v, &row->cost_purchased, "%s%s", "cost_purchased", "");
    money_col(op, &k, names, v, &row->cost_per_participant, "%s%s", "cost_per_participant", "");
    money_col(op, &k, names, v, &row->cost_per_good_exit, "%s%s", "cost_per_good_exit", "");
    money_col(op, &k, names, v, &row->cost_per_year, "%s%s", "cost_per_year", "");
    for (int h = 0; h < mp->horizons; h++) {
        char hz[16];
        snprintf(hz, sizeof hz, "%dm", mp->horizon_months[h]);
        for (int a = 0; a < MONEY_ACCOUNTS; a++) {
            char label[40];
            snprintf(label, sizeof label, "%s.%s", hz, money_account_names[a]);
            money_col(op, &k, names, v, &row->gain[h][a], "gain_%s%s", label, "");
            money_col(op, &k, names, v, &row->net[h][a], "net_%s%s", label, "");
        }
    }
    for (int a = 0; a < MONEY_ACCOUNTS; a++) {
        money_col(op, &k, names, v, &row->cost_per_member[a], "cost_per_member.%s%s", money_account_names[a], "");
        money_col(op, &k, names, v, &row->payback_months[a], "payback_months.%s%s", money_account_names[a], "");
        x = row->payback_never[a];
        money_col(op, &k, names, v, &x, "payback_never.%s%s", money_account_names[a], "");
        if (op == COL_UNPACK)
            row->payback_never[a] = (uint8_t)x;
    }
    return k;
}

size_t money_row_columns(const money_params *mp, char (*names)[80])
{
    return money_walk(COL_NAME, NULL, mp, names, NULL);
}

void money_row_pack(const money_row *row, const money_params *mp, double *values)
{
    money_row copy = *row;
    money_walk(COL_PACK, &copy, mp, NULL, values);
}

void money_row_unpack(money_row *row, const money_params *mp, const double *values)
{
    money_walk(COL_UNPACK, row, mp, NULL, (double *)values);
}
