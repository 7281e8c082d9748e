/*
 * cli_study.c — whole-study table and sensitivity ranking (cli_study.h).
 *
 * Only the headline metrics are shown (a study of 150 scenarios would be
 * unreadable with all of /summary); the file has every metric, and the
 * report a sortable table of them.
 */
#include "app/cli_study.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HEADLINES 9

typedef struct headline {
    const char *metric;
    const char *label;
    double scale;
    int money; /* in the money summaries */
} headline;

/* Summaries are scenario-major with the same metrics per scenario: the
 * column of a metric in scenario 0's block finds it in any scenario. */
static long column_of(const results_summary *sum, size_t ns, int scenarios, const char *metric)
{
    size_t m = scenarios > 0 ? ns / (size_t)scenarios : 0;
    for (size_t k = 0; k < m; k++)
        if (strcmp(sum[k].metric, metric) == 0)
            return (long)k;
    return -1;
}

static const results_difference *difference_of(const results_difference *d, size_t nd, int scenario,
                                               const char *metric)
{
    for (size_t i = 0; i < nd; i++)
        if ((int)d[i].scenario == scenario && strcmp(d[i].metric, metric) == 0)
            return &d[i];
    return NULL;
}

void cli_print_study_table(FILE *f, const study *st, const results_summary *sum, size_t ns,
                           const results_difference *diff, size_t nd, const results_summary *msum, size_t mns,
                           const results_difference *mdiff, size_t mnd)
{
    int S = st->scenario_count;
    headline h[HEADLINES];
    long col[HEADLINES];
    int nh = 0;
    /* The service section's first two thresholds, whatever they are. */
    char within_name[2][RESULTS_NAME_LEN], within_label[2][32];
    int nw = 0;
    size_t m0 = S ? ns / (size_t)S : 0;
    for (size_t k = 0; k < m0 && nw < 2; k++) {
        const char *name = sum[k].metric;
        if (strncmp(name, "wait_within_", 12) == 0 && !strchr(name, '.')) {
            snprintf(within_name[nw], sizeof within_name[nw], "%s", name);
            snprintf(within_label[nw], sizeof within_label[nw], "P(wait<=%.*s) %%", (int)strcspn(name + 12, " "),
                     name + 12);
            nw++;
        }
    }
    const headline wanted[] = {
        {"wait_mean_days", "wait days", 1, 0},
        {nw > 0 ? within_name[0] : "", nw > 0 ? within_label[0] : "", 100, 0},
        {nw > 1 ? within_name[1] : "", nw > 1 ? within_label[1] : "", 100, 0},
        {"exits_per_month", "exits/month", 1, 0},
        {"good_exits_per_month", "good exits/mo", 1, 0},
        {"reneged_per_month", "gave up/month", 1, 0},
        {"money.cost_per_good_exit", "kr/good exit", 1, 1},
        {"money.cost_per_year", "cost kr/year", 1, 1},
    };
    for (size_t w = 0; w < sizeof wanted / sizeof wanted[0] && nh < HEADLINES; w++) {
        if (!wanted[w].metric[0])
            continue;
        long c = wanted[w].money ? (msum ? column_of(msum, mns, S, wanted[w].metric) : -1)
                                 : column_of(sum, ns, S, wanted[w].metric);
        if (c >= 0) {
            h[nh] = wanted[w];
            col[nh++] = c;
        }
    }
    size_t m = S ? ns / (size_t)S : 0, mm = S && msum ? mns / (size_t)S : 0;
    if (st->reference_name[0])
        fprintf(f, "all %d scenarios: mean over replications (difference against '%s', study.reference, +- 95%% CI "
                   "half-width, %s):\n", S, st->reference_name,
                st->common_random_numbers ? "paired by replication" : "Welch");
    else
        fprintf(f, "all %d scenarios: mean over replications (difference against scenario 0 '%s' (the study names no "
                   "reference), +- 95%% CI half-width, %s):\n", S, st->scenarios[0].name,
                st->common_random_numbers ? "paired by replication" : "Welch");
    size_t name_w = 8;
    for (int s = 0; s < S; s++)
        if (strlen(st->scenarios[s].name) > name_w)
            name_w = strlen(st->scenarios[s].name);
    fprintf(f, "  %-*s", (int)name_w, "scenario");
    for (int i = 0; i < nh; i++)
        fprintf(f, " %24s", h[i].label);
    fprintf(f, "\n");
    for (int s = 0; s < S; s++) {
        fprintf(f, "  %-*s", (int)name_w, st->scenarios[s].name);
        for (int i = 0; i < nh; i++) {
            const results_summary *x = h[i].money ? &msum[(size_t)s * mm + (size_t)col[i]]
                                                  : &sum[(size_t)s * m + (size_t)col[i]];
            const results_difference *d = h[i].money ? difference_of(mdiff, mnd, s, h[i].metric)
                                                     : difference_of(diff, nd, s, h[i].metric);
            char cell[64], delta[40] = "";
            if (s == st->reference)
                snprintf(delta, sizeof delta, "(ref)");
            else if (d && isfinite(d->mean))
                snprintf(delta, sizeof delta, "%+.*f+-%.*f", h[i].money ? 0 : 2, d->mean * h[i].scale,
                         h[i].money ? 0 : 2, isfinite(d->ci_high) ? (d->ci_high - d->ci_low) / 2 * h[i].scale : NAN);
            snprintf(cell, sizeof cell, "%.*f %s", h[i].money ? 0 : 2, x->mean * h[i].scale, delta);
            fprintf(f, " %24s", cell);
        }
        fprintf(f, "\n");
    }
}

typedef struct ranked {
    int input;
    double total;
} ranked;

static int by_total(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    double tx = isnan(x->total) ? -INFINITY : x->total, ty = isnan(y->total) ? -INFINITY : y->total;
    return tx < ty ? 1 : tx > ty ? -1 : x->input - y->input;
}

void cli_print_sensitivity(FILE *f, const sensitivity_result *r)
{
    const study_sensitivity *sp = &r->spec;
    fprintf(f, "sensitivity (Sobol indices over %d design blocks, %zu scenarios; %s):\n", sp->n,
            sobol_design_points(sp->n, sp->k), sensitivity_estimator);
    for (int q = 0; q < sp->metric_count; q++) {
        if (isnan(r->variance[q])) {
            fprintf(f, "  %s: undefined at some design point (e.g. no exits there): no indices\n", sp->metrics[q]);
            continue;
        }
        if (!(r->variance[q] > 0)) {
            fprintf(f, "  %s: no variance over the design (mean %.4g): nothing to apportion\n", sp->metrics[q],
                    r->mean[q]);
            continue;
        }
        fprintf(f, "  %s (mean %.4g, sd %.3g over the design), inputs ranked by total index:\n", sp->metrics[q],
                r->mean[q], sqrt(r->variance[q]));
        ranked order[SOBOL_MAX_INPUTS];
        for (int i = 0; i < sp->k; i++)
            order[i] = (ranked){i, r->index[q][i].total};
        qsort(order, (size_t)sp->k, sizeof *order, by_total);
        fprintf(f, "    %-4s %-60s %-24s %s\n", "rank", "key [min, max]", "total ST [95% CI]", "first order S [95% CI]");
        for (int j = 0; j < sp->k; j++) {
            int i = order[j].input;
            const sobol_index *x = &r->index[q][i];
            char key[SENSITIVITY_NAME_LEN + 48];
            snprintf(key, sizeof key, "%s [%g, %g]", sp->keys[i], sp->min[i], sp->max[i]);
            fprintf(f, "    %-4d %-60s %5.3f [%6.3f, %6.3f]  %6.3f [%6.3f, %6.3f]\n", j + 1, key, x->total,
                    x->total_low, x->total_high, x->first, x->first_low, x->first_high);
        }
    }
}
