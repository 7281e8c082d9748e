/*
 * cli_service.c — service levels, targets and warnings in the terminal
 * summary.
 */
#include "app/cli_service.h"

#include <math.h>
#include <string.h>

int cli_diagnose(h5out *out, const results_summary *sum, size_t ns, diagnostics *d, char *err, size_t err_size)
{
    if (diagnostics_compute(h5out_file(out), sum, ns, d, err, err_size) != 0)
        return -1;
    if (diagnostics_write(h5out_file(out), d) != 0) {
        snprintf(err, err_size, "writing /diagnostics failed");
        return -1;
    }
    return 0;
}

void cli_print_warnings(FILE *f, const diagnostics *d)
{
    if (!d || !d->warnings)
        return;
    const char *line = d->warnings;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        fprintf(f, "warning: %.*s\n", (int)len, line);
        line += len + (end ? 1 : 0);
    }
}

static const results_summary *find(const results_summary *sum, size_t n, int s, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (sum[i].scenario == (uint32_t)s && strcmp(sum[i].metric, name) == 0)
            return &sum[i];
    return NULL;
}

static void line(FILE *f, const results_summary *m, const char *label, double scale, const char *unit)
{
    if (!m)
        return;
    if (m->replications == 0)
        fprintf(f, "  %-32s %10s %-10s (not reached in any replication)\n", label, "-", unit);
    else if (m->replications >= 2)
        fprintf(f, "  %-32s %10.2f %-10s 95%% CI [%.2f, %.2f]%s\n", label, m->mean * scale, unit, m->ci_low * scale,
                m->ci_high * scale, "");
    else
        fprintf(f, "  %-32s %10.2f %-10s (one replication: no CI; run more with --reps)\n", label, m->mean * scale,
                unit);
}

static void target_line(FILE *f, const results_summary *sum, size_t ns, int s, const char *name, const char *what,
                        double scale, const char *unit)
{
    char metric[RESULTS_NAME_LEN];
    snprintf(metric, sizeof metric, "target_met.%s", name);
    const results_summary *met = find(sum, ns, s, metric);
    snprintf(metric, sizeof metric, "target_value.%s", name);
    const results_summary *value = find(sum, ns, s, metric);
    if (!met)
        return;
    fprintf(f, "  target %-25s P(met) %5.2f  95%% CI [%.2f, %.2f] (Wilson); %s", name, met->mean, met->ci_low,
            met->ci_high, what);
    if (value && value->replications)
        fprintf(f, ", attained %.3g%s", value->mean * scale, unit);
    fprintf(f, "\n");
}

void cli_print_service(FILE *f, const study *st, int s, const results_summary *sum, size_t ns, const diagnostics *d)
{
    const model_params *p = &st->scenarios[s].sc.model;
    fprintf(f, "  -- counting everyone (waits and stays still open at the horizon too):\n");
    line(f, find(sum, ns, s, "wait_mean_days"), "wait for a place, mean", 1, "days");
    line(f, find(sum, ns, s, "wait_median_days"), "  median", 1, "days");
    line(f, find(sum, ns, s, "wait_p90_days"), "  90th percentile", 1, "days");
    line(f, find(sum, ns, s, "wait_p95_days"), "  95th percentile", 1, "days");
    for (int x = 0; x < p->service.thresholds; x++) {
        char name[48], label[48];
        snprintf(name, sizeof name, "wait_within_%dd", p->service.wait_days[x]);
        snprintf(label, sizeof label, "  placed within %d days", p->service.wait_days[x]);
        line(f, find(sum, ns, s, name), label, 100, "%");
    }
    line(f, find(sum, ns, s, "programme_mean_days"), "time in programme, mean", 1, "days");
    line(f, find(sum, ns, s, "programme_median_days"), "  median", 1, "days");
    line(f, find(sum, ns, s, "programme_p90_days"), "  90th percentile", 1, "days");
    const results_summary *load = find(sum, ns, s, "offered_load"), *cap = find(sum, ns, s, "capacity");
    if (load && cap && cap->mean > 0)
        fprintf(f, "  %-32s %10.1f of %.0f places (%.0f %%) [%.1f, %.1f]\n", "offered load", load->mean, cap->mean,
                100 * load->mean / cap->mean, load->ci_low, load->ci_high);
    if (d && s < d->scenarios) {
        const diag_scenario *ds = &d->s[s];
        if (ds->replications >= 2)
            fprintf(f, "  %-32s %+10.3f people/month 95%% CI [%+.3f, %+.3f]%s\n", "waiting-list trend", ds->trend,
                    ds->trend_lo, ds->trend_hi, ds->overloaded ? "  OVERLOADED" : "");
        if (ds->from_snapshot)
            fprintf(f, "  %-32s %10s (starts from a snapshot: a forecast from that state)\n", "warm-up suggested",
                    "n/a");
        else if (ds->suggested_warmup_months >= 0)
            fprintf(f, "  %-32s %10d months (MSER-5; this run: %d)%s\n", "warm-up suggested",
                    ds->suggested_warmup_months, d->warmup_months, ds->unsettled ? "  TOO SHORT" : "");
    }
    static const char *const kinds[] = {"enrolled", "exits", "share of exits"};
    static const char *const shares[] = {"share of exits", "share of completers", "share of enrolled",
                                         "share of those in or through"};
    for (int t = 0; t < p->targets; t++) {
        char what[96];
        const model_target *mt = &p->target[t];
        const char *kind = mt->kind == TARGET_SHARE ? shares[mt->denominator] : kinds[mt->kind];
        snprintf(what, sizeof what, "%s >= %g by month %g", kind, mt->value, mt->deadline_month);
        target_line(f, sum, ns, s, mt->name, what, 1, "");
    }
    for (int t = 0; t < p->service.targets; t++) {
        const service_target *tt = &p->service.target[t];
        char what[160];
        if (tt->kind == SERVICE_TARGET_WAIT_SHARE)
            snprintf(what, sizeof what, "share referred in months %g-%.4g placed within %d days >= %g", tt->from_month,
                     tt->to_month, tt->days, tt->value);
        else
            snprintf(what, sizeof what, "median wait of those referred in months %g-%.4g <= %d days", tt->from_month,
                     tt->to_month, tt->days);
        target_line(f, sum, ns, s, tt->name, what, tt->kind == SERVICE_TARGET_WAIT_SHARE ? 100 : 1,
                    tt->kind == SERVICE_TARGET_WAIT_SHARE ? " %" : " days");
    }
}

void cli_print_targets(FILE *f, const study *st, int s, const results_summary *sum, size_t ns)
{
    const model_params *p = &st->scenarios[s].sc.model;
    if (p->targets + p->service.targets == 0)
        return;
    fprintf(f, "scenario %d '%s':\n", s, st->scenarios[s].name);
    for (int t = 0; t < p->targets; t++)
        target_line(f, sum, ns, s, p->target[t].name, "as scenario 0", 1, "");
    for (int t = 0; t < p->service.targets; t++) {
        const service_target *tt = &p->service.target[t];
        int share = tt->kind == SERVICE_TARGET_WAIT_SHARE;
        target_line(f, sum, ns, s, tt->name, share ? "wait share, as scenario 0" : "median wait, as scenario 0",
                    share ? 100 : 1, share ? " %" : " days");
    }
}
