/*
 * results.c — per-trial metrics and their summaries across trials.
 */
#include "output/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_stats.h"

void results_row_from_model(results_row *row, const model_result *r)
{
    memset(row, 0, sizeof *row);
    row->replication = r->replication;
    row->seed = r->seed;
    row->status = RESULTS_DONE;
    row->events = r->events;
    row->referrals = r->referrals;
    row->exits = r->exits;
    row->waiting_at_end = r->waiting_at_end;
    row->active_at_end = r->active_at_end;
    row->referrals_measured = r->referrals_measured;
    row->exits_measured = r->exits_measured;
    row->wait_n = r->wait_days.n;
    row->wait_days_assigned = stat_obs_mean(&r->wait_days);
    row->wait_max_days = r->wait_days.n ? r->wait_days.max : NAN;
    row->programme_n = r->programme_days.n;
    row->time_in_programme_days_assigned = stat_obs_mean(&r->programme_days);
    row->meetings_per_exit = stat_obs_mean(&r->meetings_per_exit);
    row->mean_waiting = r->mean_waiting;
    row->mean_active = r->mean_active;
    row->utilisation = r->utilisation;
    memcpy(row->exits_by_destination, r->exits_by_destination, sizeof row->exits_by_destination);
    row->rejected_measured = r->rejected_measured;
    row->reneged_measured = r->reneged_measured;
    row->relapses_measured = r->relapses_measured;
    row->enrolled_measured = r->enrolled_measured;
    row->method_capital = r->method_capital;
    memcpy(row->referrals_by_source, r->referrals_by_source, sizeof row->referrals_by_source);
    memcpy(row->rejected_by_source, r->rejected_by_source, sizeof row->rejected_by_source);
    memcpy(row->exits_by_profile, r->exits_by_profile, sizeof row->exits_by_profile);
    memcpy(row->followup, r->followup, sizeof row->followup);
    memcpy(row->followup_at, r->followup_at, sizeof row->followup_at);
    memcpy(row->target_value, r->target_value, sizeof row->target_value);
    for (int k = 0; k < MODEL_MAX_TARGETS; k++)
        row->target_met[k] = r->target_met[k];
    for (int k = 0; k < MODEL_MAX_SITES; k++) {
        row->site_counts[k][0] = r->site_referred[k];
        row->site_counts[k][1] = r->site_assigned[k];
        row->site_counts[k][2] = r->site_gave_up[k];
        row->site_counts[k][3] = r->site_waiting_at_end[k];
    }
    row->transferred = r->transferred;
    row->transferred_waiting = r->transferred_waiting;
    row->successor_left = r->successor_left;
    memcpy(row->stuck, r->stuck, sizeof row->stuck);
    memcpy(row->stuck_received, r->stuck_received, sizeof row->stuck_received);
    memcpy(row->stuck_at_end, r->stuck_at_end, sizeof row->stuck_at_end);
    memcpy(row->stuck_days, r->stuck_days, sizeof row->stuck_days);
}

static const struct {
    const char *name, *unit;
} fixed_metrics[] = {
    /* the means among those assigned (or exited) within the window: the
     * censoring-correct ones are wait_mean_days and programme_mean_days */
    {"wait_days_assigned", "days"},
    {"time_in_programme_days_assigned", "days"},
    {"waiting_list", "participants"},
    {"active", "participants"},
    {"utilisation", "share"},
    {"referrals_per_month", "per month"},
    {"exits_per_month", "per month"},
};
#define FIXED_METRICS (sizeof fixed_metrics / sizeof fixed_metrics[0])

size_t results_metric_info_for(const model_params *p, results_metric_info *info)
{
    /* Whole entries, bytes after each name's NUL included, are copied into
     * the output file, so none may be left undefined. */
    memset(info, 0, RESULTS_MAX_METRICS * sizeof *info);
    size_t k = 0;
    /* Every metric here is a count, rate, duration, share or probability:
     * none can be negative. */
    for (size_t i = 0; i < FIXED_METRICS; i++, k++) {
        snprintf(info[k].name, sizeof info[k].name, "%s", fixed_metrics[i].name);
        snprintf(info[k].unit, sizeof info[k].unit, "%s", fixed_metrics[i].unit);
        info[k].bounds = RESULTS_NONNEGATIVE;
    }
    for (int d = 0; d < p->destinations; d++, k++) {
        snprintf(info[k].name, sizeof info[k].name, "exits_per_month.%s", p->destination_names[d]);
        snprintf(info[k].unit, sizeof info[k].unit, "per month");
        info[k].bounds = RESULTS_NONNEGATIVE;
    }
    for (int d = 0; d < p->destinations; d++, k++) {
        snprintf(info[k].name, sizeof info[k].name, "exit_share.%s", p->destination_names[d]);
        snprintf(info[k].unit, sizeof info[k].unit, "share");
        info[k].bounds = RESULTS_UNIT_INTERVAL;
    }
    /* Mechanisms' metrics appear only when the mechanism is on. */
#define METRIC(fmt, arg, u, bin)                                                  \
    do {                                                                          \
        snprintf(info[k].name, sizeof info[k].name, fmt, arg);                    \
        snprintf(info[k].unit, sizeof info[k].unit, "%s", u);                     \
        info[k].binary = bin;                                                     \
        info[k].bounds = strcmp(u, "share") == 0 || bin ? RESULTS_UNIT_INTERVAL   \
                                                        : RESULTS_NONNEGATIVE;    \
        k++;                                                                      \
    } while (0)
    if (p->good_destinations) {
        METRIC("%s", "good_exit_share", "share", 0);
        METRIC("%s", "good_exits_per_month", "per month", 0); /* the study table's headline */
    }
    if (p->profiles > 0)
        METRIC("%s", "rejected_per_month", "per month", 0);
    if (p->has_patience)
        METRIC("%s", "reneged_per_month", "per month", 0);
    if (p->sources > 0 || p->profiles > 0)
        METRIC("%s", "enrolled_per_month", "per month", 0);
    for (int s = 0; s < p->sources; s++)
        METRIC("referrals_per_month.%s", p->source[s].name, "per month", 0);
    if (p->has_followup)
        for (int d = 0; d < p->destinations; d++)
            if (!isnan(p->retained_12[d])) {
                METRIC("retained_12.%s", p->destination_names[d], "share", 0);
                METRIC("retained_24.%s", p->destination_names[d], "share", 0);
            }
    /* Months named besides 12 and 24 (exits.followup.months). */
    for (int j = 0; j < p->followup_points; j++)
        if (p->followup_month[j] != 12 && p->followup_month[j] != 24)
            for (int d = 0; d < p->destinations; d++)
                if (!isnan(p->retained_at[j][d])) {
                    char metric[RESULTS_NAME_LEN];
                    snprintf(metric, sizeof metric, "retained_%d.%s", p->followup_month[j], p->destination_names[d]);
                    METRIC("%s", metric, "share", 0);
                }
    if (p->has_method)
        METRIC("%s", "method_capital", "capital", 0);
    for (int t = 0; t < p->targets; t++) {
        METRIC("target_value.%s", p->target[t].name, p->target[t].kind == TARGET_SHARE ? "share" : "count", 0);
        METRIC("target_met.%s", p->target[t].name, "probability", 1);
    }
    /* Hand-over (model_handover.c): whole-run counts per trial. */
    if (p->has_successor)
        METRIC("%s", "transferred_to_successor", "participants", 0);
    for (int r = 0; r < p->receivers; r++) {
        const char *dest = p->destination_names[p->receiver[r].destination];
        METRIC("stuck.%s", dest, "participants", 0);
        METRIC("stuck_days_mean.%s", dest, "days", 0);
        METRIC("stuck_at_end.%s", dest, "participants", 0);
    }
#undef METRIC
    service_column cols[SERVICE_MAX_COLUMNS];
    size_t nc = service_columns(p, cols);
    for (size_t c = 0; c < nc; c++, k++) {
        memcpy(info[k].name, cols[c].name, sizeof info[k].name);
        memcpy(info[k].unit, cols[c].unit, sizeof info[k].unit);
        info[k].binary = cols[c].binary;
        info[k].bounds = cols[c].bounds;
    }
    return k;
}

void results_metric_values(const results_row *row, const model_params *p, double *v)
{
    double months = p->horizon_months - p->warmup_months;
    size_t k = 0;
    v[k++] = row->wait_n ? row->wait_days_assigned : NAN;
    v[k++] = row->programme_n ? row->time_in_programme_days_assigned : NAN;
    v[k++] = row->mean_waiting;
    v[k++] = row->mean_active;
    v[k++] = row->utilisation;
    v[k++] = (double)row->referrals_measured / months;
    v[k++] = (double)row->exits_measured / months;
    for (int d = 0; d < p->destinations; d++)
        v[k++] = (double)row->exits_by_destination[d] / months;
    for (int d = 0; d < p->destinations; d++)
        v[k++] = row->exits_measured ? (double)row->exits_by_destination[d] / (double)row->exits_measured : NAN;
    if (p->good_destinations) {
        uint64_t good = 0;
        for (int d = 0; d < p->destinations; d++)
            if ((p->good_destinations >> d) & 1)
                good += row->exits_by_destination[d];
        v[k++] = row->exits_measured ? (double)good / (double)row->exits_measured : NAN;
        v[k++] = (double)good / months;
    }
    if (p->profiles > 0)
        v[k++] = (double)row->rejected_measured / months;
    if (p->has_patience)
        v[k++] = (double)row->reneged_measured / months;
    if (p->sources > 0 || p->profiles > 0)
        v[k++] = (double)row->enrolled_measured / months;
    for (int s = 0; s < p->sources; s++)
        v[k++] = (double)row->referrals_by_source[s] / months;
    if (p->has_followup)
        for (int d = 0; d < p->destinations; d++)
            if (!isnan(p->retained_12[d])) {
                const uint64_t *f = row->followup[d];
                v[k++] = f[0] ? (double)f[1] / (double)f[0] : NAN;
                v[k++] = f[2] ? (double)f[3] / (double)f[2] : NAN;
            }
    for (int j = 0; j < p->followup_points; j++)
        if (p->followup_month[j] != 12 && p->followup_month[j] != 24)
            for (int d = 0; d < p->destinations; d++)
                if (!isnan(p->retained_at[j][d])) {
                    const uint64_t *f = row->followup_at[j][d];
                    v[k++] = f[0] ? (double)f[1] / (double)f[0] : NAN;
                }
    if (p->has_method)
        v[k++] = row->method_capital;
    for (int t = 0; t < p->targets; t++) {
        v[k++] = row->target_value[t];
        v[k++] = row->target_met[t];
    }
    if (p->has_successor)
        v[k++] = (double)row->transferred;
    for (int r = 0; r < p->receivers; r++) {
        v[k++] = (double)row->stuck[r];
        v[k++] = row->stuck_received[r] ? row->stuck_days[r] / (double)row->stuck_received[r] : NAN;
        v[k++] = (double)row->stuck_at_end[r];
    }
    size_t offsets[SERVICE_MAX_COLUMNS];
    size_t nc = service_offsets(p, offsets);
    for (size_t c = 0; c < nc; c++)
        v[k++] = service_value_at(&row->service, offsets[c]);
}

/* Wilson's score interval: a proportion near 0 or 1 (the probability of
 * meeting a target, say) gets an interval inside [0, 1] that does not
 * collapse to a point when every replication agrees. */
static void finish_binary(const stat_obs *s, double *mean, double *lo, double *hi, uint64_t *n)
{
    double nn = (double)s->n, phat = stat_obs_mean(s), z = 1.959963984540054;
    *n = s->n;
    *mean = phat;
    if (s->n == 0) {
        *lo = *hi = NAN;
        return;
    }
    double centre = (phat + z * z / (2 * nn)) / (1 + z * z / nn);
    double half = z * sqrt(phat * (1 - phat) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);
    /* Exactly, the interval holds phat, and reaches 0 (1) at phat 0 (1);
     * rounding can leave it an ulp short. */
    *lo = fmin(centre - half, phat);
    *hi = fmax(centre + half, phat);
}

static void finish(const stat_obs *s, double *mean, double *lo, double *hi, uint64_t *n)
{
    double h = stat_obs_ci_halfwidth(s, 0.95);
    *mean = stat_obs_mean(s);
    *lo = *mean - h;
    *hi = *mean + h;
    *n = s->n;
}

/* The interval cut to where the quantity can lie (results.h). */
static void clamp_to_bounds(int bounds, double *lo, double *hi)
{
    if (bounds != RESULTS_UNBOUNDED && *lo < 0)
        *lo = 0;
    if (bounds == RESULTS_UNIT_INTERVAL && *hi > 1)
        *hi = 1;
}

int results_summarise_table(const double *values, const results_key *keys, size_t n, size_t m, int scenarios,
                            const results_metric_info *info, int paired, results_summary **summary,
                            size_t *n_summary, results_difference **diffs, size_t *n_diffs)
{
    return results_summarise_table_against(values, keys, n, m, scenarios, info, paired, 0, summary, n_summary, diffs,
                                           n_diffs);
}

int results_summarise_table_against(const double *values, const results_key *keys, size_t n, size_t m,
                                    int scenarios, const results_metric_info *info, int paired, int reference,
                                    results_summary **summary, size_t *n_summary, results_difference **diffs,
                                    size_t *n_diffs)
{
    size_t S = scenarios > 0 ? (size_t)scenarios : 0;
    size_t ref = reference > 0 && (size_t)reference < S ? (size_t)reference : 0;
    uint32_t max_rep = 0;
    for (size_t i = 0; i < n; i++)
        if (keys[i].replication > max_rep)
            max_rep = keys[i].replication;
    stat_obs *acc = malloc((S * m + 1) * sizeof *acc);
    stat_obs *dacc = malloc((S * m + 1) * sizeof *dacc);
    long *base_of_rep = malloc(((size_t)max_rep + 1) * sizeof *base_of_rep);
    *summary = calloc(S * m + 1, sizeof **summary);
    *diffs = calloc(S > 1 ? (S - 1) * m : 1, sizeof **diffs);
    if (!acc || !dacc || !base_of_rep || !*summary || !*diffs) {
        free(acc);
        free(dacc);
        free(base_of_rep);
        free(*summary);
        free(*diffs);
        *summary = NULL;
        *diffs = NULL;
        return -1;
    }
    for (size_t i = 0; i < S * m; i++) {
        stat_obs_init(&acc[i]);
        stat_obs_init(&dacc[i]);
    }
    /* Base rows by replication, to pair against. */
    for (size_t r = 0; r <= max_rep; r++)
        base_of_rep[r] = -1;
    for (size_t i = 0; i < n; i++)
        if (keys[i].scenario == ref && keys[i].status == RESULTS_DONE)
            base_of_rep[keys[i].replication] = (long)i;
    for (size_t i = 0; i < n; i++) {
        if (keys[i].status != RESULTS_DONE || keys[i].scenario >= S)
            continue;
        size_t s = keys[i].scenario;
        long b = base_of_rep[keys[i].replication];
        for (size_t k = 0; k < m; k++) {
            double v = values[i * m + k];
            if (!isnan(v))
                stat_obs_add(&acc[s * m + k], v);
            if (paired && s != ref && b >= 0 && !isnan(v) && !isnan(values[(size_t)b * m + k]))
                stat_obs_add(&dacc[s * m + k], v - values[(size_t)b * m + k]);
        }
    }
    size_t ns = 0, nd = 0;
    for (size_t s = 0; s < S; s++) {
        for (size_t k = 0; k < m; k++) {
            results_summary *o = &(*summary)[ns++];
            o->scenario = (uint32_t)s;
            memcpy(o->metric, info[k].name, sizeof o->metric);
            memcpy(o->unit, info[k].unit, sizeof o->unit);
            if (info[k].binary)
                finish_binary(&acc[s * m + k], &o->mean, &o->ci_low, &o->ci_high, &o->replications);
            else
                finish(&acc[s * m + k], &o->mean, &o->ci_low, &o->ci_high, &o->replications);
            clamp_to_bounds(info[k].bounds, &o->ci_low, &o->ci_high);
            if (s == ref)
                continue;
            results_difference *d = &(*diffs)[nd++];
            d->scenario = (uint32_t)s;
            memcpy(d->metric, info[k].name, sizeof d->metric);
            if (paired) {
                d->paired = 1;
                finish(&dacc[s * m + k], &d->mean, &d->ci_low, &d->ci_high, &d->replications);
            } else {
                /* Welch's interval for independent samples. */
                const stat_obs *a = &acc[s * m + k], *b = &acc[ref * m + k];
                double va = stat_obs_variance(a) / (double)a->n, vb = stat_obs_variance(b) / (double)b->n;
                double df = (va + vb) * (va + vb) /
                            (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
                d->mean = stat_obs_mean(a) - stat_obs_mean(b);
                /* Both constant (a capacity, a share that is always 1):
                 * the difference is exact, and df would be 0 / 0. */
                double h = va + vb == 0 ? 0.0 : isnan(df) ? NAN : stat_t_quantile(0.975, df) * sqrt(va + vb);
                d->ci_low = d->mean - h;
                d->ci_high = d->mean + h;
                d->replications = a->n < b->n ? a->n : b->n;
            }
        }
    }
    *n_summary = ns;
    *n_diffs = nd;
    free(acc);
    free(dacc);
    free(base_of_rep);
    return 0;
}

int results_summarise(const results_row *rows, size_t n, int scenarios, const model_params *p, int paired,
                      results_summary **summary, size_t *n_summary, results_difference **diffs,
                      size_t *n_diffs)
{
    return results_summarise_against(rows, n, scenarios, p, paired, 0, summary, n_summary, diffs, n_diffs);
}

int results_summarise_rows(const void *rows, size_t n, size_t m, results_pack_row pack, const void *params,
                           int scenarios, const results_metric_info *info, int paired, int reference,
                           results_summary **summary, size_t *n_summary, results_difference **diffs,
                           size_t *n_diffs)
{
    double *values = malloc((n * m + 1) * sizeof *values);
    results_key *keys = malloc((n + 1) * sizeof *keys);
    int rc = -1;
    if (values && keys) {
        for (size_t i = 0; i < n; i++)
            pack(rows, i, params, &values[i * m], &keys[i]);
        rc = results_summarise_table_against(values, keys, n, m, scenarios, info, paired, reference, summary,
                                             n_summary, diffs, n_diffs);
    } else {
        *summary = NULL;
        *diffs = NULL;
    }
    free(values);
    free(keys);
    return rc;
}

static void results_pack_trial(const void *rows, size_t i, const void *params, double *values, results_key *key)
{
    const results_row *row = &((const results_row *)rows)[i];
    results_metric_values(row, params, values);
    *key = (results_key){row->scenario, row->replication, row->status};
}

int results_summarise_against(const results_row *rows, size_t n, int scenarios, const model_params *p, int paired,
                              int reference, results_summary **summary, size_t *n_summary,
                              results_difference **diffs, size_t *n_diffs)
{
    results_metric_info info[RESULTS_MAX_METRICS];
    size_t m = results_metric_info_for(p, info);
    return results_summarise_rows(rows, n, m, results_pack_trial, p, scenarios, info, paired, reference, summary,
                                  n_summary, diffs, n_diffs);
}

/* One walk over the columns serves naming, packing and unpacking, so the
 * three can never disagree on the order. */
typedef enum extras_op { EXTRAS_NAME, EXTRAS_PACK, EXTRAS_UNPACK } extras_op;

static void extra_u64(extras_op op, size_t *k, char (*names)[RESULTS_EXTRA_NAME_LEN], double *v, uint64_t *field,
                      const char *name)
{
    if (op == EXTRAS_NAME && names)
        snprintf(names[*k], RESULTS_EXTRA_NAME_LEN, "%s", name);
    else if (op == EXTRAS_PACK)
        v[*k] = (double)*field;
    else if (op == EXTRAS_UNPACK)
        *field = (uint64_t)v[*k];
    (*k)++;
}

static void extra_f64(extras_op op, size_t *k, char (*names)[RESULTS_EXTRA_NAME_LEN], double *v, double *field,
                      const char *name)
{
    if (op == EXTRAS_NAME && names)
        snprintf(names[*k], RESULTS_EXTRA_NAME_LEN, "%s", name);
    else if (op == EXTRAS_PACK)
        v[*k] = *field;
    else if (op == EXTRAS_UNPACK)
        *field = v[*k];
    (*k)++;
}

static size_t extras_walk(extras_op op, results_row *row, const model_params *p,
                          char (*names)[RESULTS_EXTRA_NAME_LEN], double *v)
{
    results_row local;
    if (!row) {
        memset(&local, 0, sizeof local);
        row = &local;
    }
    size_t k = 0;
    char name[RESULTS_EXTRA_NAME_LEN];
    extra_u64(op, &k, names, v, &row->rejected_measured, "rejected");
    extra_u64(op, &k, names, v, &row->reneged_measured, "reneged");
    extra_u64(op, &k, names, v, &row->relapses_measured, "relapses");
    extra_u64(op, &k, names, v, &row->enrolled_measured, "enrolled");
    extra_f64(op, &k, names, v, &row->method_capital, "method_capital");
    for (int s = 0; s < p->sources; s++) {
        snprintf(name, sizeof name, "referrals_by_source.%s", p->source[s].name);
        extra_u64(op, &k, names, v, &row->referrals_by_source[s], name);
        snprintf(name, sizeof name, "rejected_by_source.%s", p->source[s].name);
        extra_u64(op, &k, names, v, &row->rejected_by_source[s], name);
    }
    for (int i = 0; i < p->profiles; i++)
        for (int d = 0; d < p->destinations; d++) {
            snprintf(name, sizeof name, "exits_by_profile.%s.%s", p->profile[i].name, p->destination_names[d]);
            extra_u64(op, &k, names, v, &row->exits_by_profile[i][d], name);
        }
    if (p->has_followup) {
        static const char *const what[4] = {"followed_12", "in_12", "followed_24", "in_24"};
        for (int d = 0; d < p->destinations; d++)
            if (!isnan(p->retained_12[d]))
                for (int j = 0; j < 4; j++) {
                    snprintf(name, sizeof name, "followup.%s.%s", p->destination_names[d], what[j]);
                    extra_u64(op, &k, names, v, &row->followup[d][j], name);
                }
        for (int j = 0; j < p->followup_points; j++)
            if (p->followup_month[j] != 12 && p->followup_month[j] != 24)
                for (int d = 0; d < p->destinations; d++)
                    if (!isnan(p->retained_at[j][d])) {
                        snprintf(name, sizeof name, "followup.%s.followed_%d", p->destination_names[d],
                                 p->followup_month[j]);
                        extra_u64(op, &k, names, v, &row->followup_at[j][d][0], name);
                        snprintf(name, sizeof name, "followup.%s.in_%d", p->destination_names[d], p->followup_month[j]);
                        extra_u64(op, &k, names, v, &row->followup_at[j][d][1], name);
                    }
    }
    for (int t = 0; t < p->targets; t++) {
        snprintf(name, sizeof name, "target_value.%s", p->target[t].name);
        extra_f64(op, &k, names, v, &row->target_value[t], name);
        double met = row->target_met[t];
        snprintf(name, sizeof name, "target_met.%s", p->target[t].name);
        extra_f64(op, &k, names, v, &met, name);
        if (op == EXTRAS_UNPACK)
            row->target_met[t] = (int32_t)met;
    }
    /* Hand-over (model_handover.c), only when on. */
    if (p->has_successor) {
        extra_u64(op, &k, names, v, &row->transferred, "successor.transferred");
        extra_u64(op, &k, names, v, &row->transferred_waiting, "successor.transferred_waiting");
        extra_u64(op, &k, names, v, &row->successor_left, "successor.left");
    }
    for (int r = 0; r < p->receivers; r++) {
        const char *dest = p->destination_names[p->receiver[r].destination];
        snprintf(name, sizeof name, "receivers.%s.stuck", dest);
        extra_u64(op, &k, names, v, &row->stuck[r], name);
        snprintf(name, sizeof name, "receivers.%s.received", dest);
        extra_u64(op, &k, names, v, &row->stuck_received[r], name);
        snprintf(name, sizeof name, "receivers.%s.stuck_days", dest);
        extra_f64(op, &k, names, v, &row->stuck_days[r], name);
        snprintf(name, sizeof name, "receivers.%s.stuck_at_end", dest);
        extra_u64(op, &k, names, v, &row->stuck_at_end[r], name);
    }
    service_column cols[SERVICE_MAX_COLUMNS];
    size_t nc = service_columns(p, cols);
    for (size_t c = 0; c < nc; c++) {
        double x = service_value(&row->service, &cols[c]);
        extra_f64(op, &k, names, v, &x, cols[c].name);
        if (op == EXTRAS_UNPACK)
            service_set(&row->service, &cols[c], x);
    }
    static const char *const site_what[4] = {"referred", "assigned", "gave_up", "waiting_at_end"};
    for (int s = 0; s < p->sites; s++)
        for (int j = 0; j < 4; j++) {
            snprintf(name, sizeof name, "site.%s.%s", p->site[s].name, site_what[j]);
            extra_u64(op, &k, names, v, &row->site_counts[s][j], name);
        }
    return k;
}

size_t results_extras_names(const model_params *p, char (*names)[RESULTS_EXTRA_NAME_LEN])
{
    return extras_walk(EXTRAS_NAME, NULL, p, names, NULL);
}

void results_extras_pack(const results_row *row, const model_params *p, double *values)
{
    results_row copy = *row;
    extras_walk(EXTRAS_PACK, &copy, p, NULL, values);
}

void results_extras_unpack(results_row *row, const model_params *p, const double *values)
{
    extras_walk(EXTRAS_UNPACK, row, p, NULL, (double *)values);
}
