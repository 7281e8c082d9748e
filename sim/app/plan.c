/*
 * plan.c — the search of `caseflow plan`: costs, sequential tests,
 * monotone pruning; see plan.h for the method and its guarantee.
 *
 * A point's scenario is the plan scenario with the point's settings applied
 * by config_derive (validated like -s), run.replications set to
 * max_replications and run.seed to the plan's seed: one study of one
 * scenario whose trials [n, n + step) are run per stage through runner_run
 * without an output file. Trial r is replication r on the seed every point
 * shares (common random numbers), so a point's replications do not depend
 * on the order points are visited in, nor on the number of threads.
 */
#include "app/plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>

#include "app/runner.h"
#include "output/results.h"
#include "scenario/study.h"

const char *const plan_status_names[PLAN_STATUSES] = {"not_evaluated", "feasible", "infeasible", "pruned_feasible",
                                                      "pruned_infeasible", "undecided", "invalid"};

/* Running sums of one constraint at one point. */
typedef struct tally {
    int n, met;               /* replications, and those meeting the bound */
    int defined;              /* those where the metric is a number */
    double sum, sumsq;
} tally;

void plan_point_text(const plan_spec *ps, const plan_point *pt, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int v = 0; v < ps->variable_count && used < size; v++) {
        char num[40];
        config_format_number(pt->value[v], 0, num, sizeof num);
        used += (size_t)snprintf(buf + used, size - used, "%s%s=%s", v ? ", " : "", ps->variable[v].key, num);
    }
}

void plan_constraint_text(const plan_constraint *c, char *buf, size_t size)
{
    char b[40];
    config_format_number(c->bound, 0, b, sizeof b);
    if (c->kind == PLAN_CHANCE) {
        char p[40];
        config_format_number(c->probability, 0, p, sizeof p);
        snprintf(buf, size, "P(%s %s %s) >= %s", c->metric, c->at_most ? "<=" : ">=", b, p);
    } else {
        snprintf(buf, size, "mean %s %s %s", c->metric, c->at_most ? "<=" : ">=", b);
    }
}

const char *plan_objective_name(const plan_spec *ps)
{
    switch (ps->objective) {
    case PLAN_OBJ_STAFF_COST:
        return "staff cost (kr/year)";
    case PLAN_OBJ_FTE:
        return "FTE";
    case PLAN_OBJ_POSTS:
        return "posts";
    default:
        return ps->objective_metric;
    }
}

static int metric_index(const results_metric_info *info, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(info[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int find_metrics(const plan_spec *ps, const model_params *mp, int *idx, char *err, size_t err_size)
{
    results_metric_info info[RESULTS_MAX_METRICS];
    size_t n = results_metric_info_for(mp, info);
    const char *names[RESULTS_MAX_METRICS];
    for (size_t i = 0; i < n; i++)
        names[i] = info[i].name;
    for (int c = 0; c <= ps->constraint_count; c++) {
        const char *want = c < ps->constraint_count ? ps->constraint[c].metric : ps->objective_metric;
        int line = c < ps->constraint_count ? ps->constraint[c].line : ps->objective_line;
        if (c == ps->constraint_count && ps->objective != PLAN_OBJ_METRIC) {
            idx[c] = -1;
            continue;
        }
        idx[c] = metric_index(info, n, want);
        if (idx[c] >= 0)
            continue;
        char key[64];
        if (c < ps->constraint_count)
            snprintf(key, sizeof key, "plan.constraints[%d].metric", c);
        else
            snprintf(key, sizeof key, "plan.objective");
        const char *hint = config_closest(want, names, n);
        if (hint) {
            snprintf(err, err_size, "%s:%d: %s: unknown metric '%s' (did you mean '%s'?)", ps->path, line, key, want,
                     hint);
        } else {
            size_t used = (size_t)snprintf(err, err_size, "%s:%d: %s: unknown metric '%s'; the base reports ",
                                           ps->path, line, key, want);
            for (size_t i = 0; i < n && used < err_size; i++)
                used += (size_t)snprintf(err + used, err_size - used, "%s%s", i ? ", " : "", names[i]);
        }
        return -1;
    }
    return 0;
}

int plan_check_metrics(const plan_spec *ps, char *err, size_t err_size)
{
    int idx[PLAN_MAX_CONSTRAINTS + 1];
    return find_metrics(ps, &ps->scenario[0].sc.model, idx, err, err_size);
}

/* The objective of a cost kind, from the point's scenario: whole posts,
 * FTE, or the staff's yearly cost at full staffing (money.staff's cost per
 * FTE-year of each role). */
static double known_cost(const plan_spec *ps, const config_scenario *sc)
{
    const model_params *p = &sc->model;
    double posts = 0, fte = 0, cost = 0;
    if (p->roles == 0) {
        posts = fte = p->workers;
        cost = sc->money.enabled ? p->workers * sc->money.staff_cost_per_fte_year[0] : NAN;
    } else {
        for (int t = 0; t < p->teams; t++)
            for (int g = 0; g < p->team[t].groups; g++) {
                const model_member_group *mg = &p->team[t].group[g];
                double f = mg->count * (mg->fte > 0 ? mg->fte : 1);
                posts += mg->count;
                fte += f;
                cost += sc->money.enabled ? f * sc->money.staff_cost_per_fte_year[mg->role] : NAN;
            }
    }
    return ps->objective == PLAN_OBJ_POSTS ? posts : ps->objective == PLAN_OBJ_FTE ? fte : cost;
}

/* The point's scenario: the plan scenario with the point's values and the
 * plan's replications and seed. */
static int point_scenario(const plan_spec *ps, int s, long point, config_scenario *sc, config_error *cerr)
{
    char lines[PLAN_MAX_VARIABLES + 2][PLAN_KEY_LEN + 40];
    const char *ptrs[PLAN_MAX_VARIABLES + 2];
    int n = plan_point_settings(ps, point, lines);
    snprintf(lines[n++], sizeof lines[0], "run.replications=%d", ps->max_replications);
    snprintf(lines[n++], sizeof lines[0], "run.seed=%llu", (unsigned long long)ps->seed);
    for (int i = 0; i < n; i++)
        ptrs[i] = lines[i];
    return config_derive(sc, &ps->scenario[s].sc, ptrs, n, NULL, NULL, 0, cerr);
}

/* Updates a constraint's estimate and decision from its tally. */
static void decide(const plan_constraint *c, const tally *t, double a, plan_estimate *e)
{
    if (c->kind == PLAN_CHANCE) {
        int n = t->n, s = t->met;
        e->n = n;
        e->estimate = n ? (double)s / n : NAN;
        /* one-sided Clopper-Pearson bounds, each at level a */
        e->low = s == 0 ? 0 : gsl_cdf_beta_Pinv(a, s, n - s + 1);
        e->high = s == n ? 1 : gsl_cdf_beta_Qinv(a, s + 1, n - s);
        if (e->decided == 0 && e->low >= c->probability)
            e->decided = 1;
        else if (e->decided == 0 && e->high < c->probability)
            e->decided = -1;
        return;
    }
    int n = t->defined;
    e->n = n;
    e->estimate = n ? t->sum / n : NAN;
    if (n < 2) {
        e->low = e->high = NAN;
        return;
    }
    double var = (t->sumsq - t->sum * t->sum / n) / (n - 1);
    double half = gsl_cdf_tdist_Qinv(a, n - 1) * sqrt(var > 0 ? var : 0) / sqrt((double)n);
    e->low = e->estimate - half;
    e->high = e->estimate + half;
    int met = c->at_most ? e->high <= c->bound : e->low >= c->bound;
    int not_met = c->at_most ? e->low > c->bound : e->high < c->bound;
    if (e->decided == 0 && met)
        e->decided = 1;
    else if (e->decided == 0 && not_met)
        e->decided = -1;
}

/* Runs a point stage by stage until it is decided or max_replications.
 * Returns 0, 1 when its settings make no valid scenario (status invalid,
 * why in err), or the error's class with err filled. */
static int evaluate(const plan_spec *ps, int s, plan_outcome *o, plan_point *pt, int threads, char *err,
                    size_t err_size)
{
    /* --resume: a point the earlier run ran is taken as it was (same seeds,
     * so running it again would give the same numbers); its status follows
     * from its tests as below. */
    const plan_point *was = o->prior ? &o->prior->point[pt->index] : NULL;
    if (was && was->replications > 0 && was->status != PLAN_INVALID) {
        int all_met = 1, any_not = 0;
        for (int c = 0; c < ps->constraint_count; c++) {
            pt->est[c] = was->est[c];
            all_met &= was->est[c].decided == 1;
            any_not |= was->est[c].decided == -1;
        }
        pt->status = any_not ? PLAN_INFEASIBLE : all_met ? PLAN_FEASIBLE : PLAN_UNDECIDED;
        pt->replications = was->replications;
        if (ps->objective == PLAN_OBJ_METRIC)
            pt->cost = was->cost;
        o->reused++;
        return 0;
    }
    config_scenario sc;
    config_error cerr;
    if (point_scenario(ps, s, pt->index, &sc, &cerr) != 0) {
        snprintf(err, err_size, "%s", cerr.message);
        pt->status = PLAN_INVALID;
        return 1;
    }
    study st;
    int made = study_of_scenario(&st, &sc, &cerr);
    config_scenario_free(&sc);
    if (made != 0) {
        snprintf(err, err_size, "%s", cerr.message);
        return CF_EXIT_INTERNAL;
    }
    const model_params *mp = &st.scenarios[0].sc.model;
    /* A point's metrics are looked up in its own scenario: a variable that
     * switches a mechanism on (patience, say) adds metrics and moves the
     * others' places. */
    int metric[PLAN_MAX_CONSTRAINTS + 1];
    char missing[1024];
    if (find_metrics(ps, mp, metric, missing, sizeof missing) != 0) {
        char where[512];
        plan_point_text(ps, pt, where, sizeof where);
        snprintf(err, err_size, "at %s: %s", where, missing);
        study_free(&st);
        pt->status = PLAN_INVALID;
        return 1;
    }
    tally t[PLAN_MAX_CONSTRAINTS + 1];
    memset(t, 0, sizeof t);
    for (int c = 0; c < ps->constraint_count; c++)
        memset(&pt->est[c], 0, sizeof pt->est[c]);
    runner_options opt;
    memset(&opt, 0, sizeof opt);
    opt.threads = threads;
    int rc = 0, n = 0;
    double values[RESULTS_MAX_METRICS];
    pt->status = PLAN_UNDECIDED;
    while (n < ps->max_replications) {
        int count = n == 0 ? ps->min_replications : ps->step_replications;
        if (count > ps->max_replications - n)
            count = ps->max_replications - n;
        runner_totals tot;
        char rerr[512];
        if ((rc = runner_run(&st, (uint64_t)n, (uint64_t)count, &opt, NULL, &tot, rerr, sizeof rerr)) != 0) {
            snprintf(err, err_size, "%s", rerr);
            runner_totals_free(&tot);
            break;
        }
        for (size_t i = 0; i < tot.row_count && rc == 0; i++) {
            const results_row *row = &tot.rows[i];
            if (row->status != RESULTS_DONE) {
                char where[512];
                plan_point_text(ps, pt, where, sizeof where);
                snprintf(err, err_size, "replication %u at %s %s%s%s", row->replication, where,
                         row->status == RESULTS_FAILED ? "failed: " : "did not run",
                         row->status == RESULTS_FAILED ? tot.first_reason : "", "");
                rc = CF_EXIT_TRIALS_FAILED;
                break;
            }
            results_metric_values(row, mp, values);
            for (int c = 0; c <= ps->constraint_count; c++) {
                int k = metric[c];
                if (k < 0)
                    continue;
                double v = values[k];
                tally *x = &t[c];
                x->n++;
                if (!isnan(v)) {
                    x->defined++;
                    x->sum += v;
                    x->sumsq += v * v;
                }
                /* undefined (no median reached within the run, say) never meets a bound */
                if (c < ps->constraint_count && !isnan(v) &&
                    (ps->constraint[c].at_most ? v <= ps->constraint[c].bound : v >= ps->constraint[c].bound))
                    x->met++;
            }
        }
        runner_totals_free(&tot);
        if (rc != 0)
            break;
        n += count;
        o->replications += (uint64_t)count;
        int all_met = 1, any_not = 0;
        for (int c = 0; c < ps->constraint_count; c++) {
            decide(&ps->constraint[c], &t[c], o->alpha_each, &pt->est[c]);
            all_met &= pt->est[c].decided == 1;
            any_not |= pt->est[c].decided == -1;
        }
        if (any_not || all_met) {
            pt->status = any_not ? PLAN_INFEASIBLE : PLAN_FEASIBLE;
            break;
        }
    }
    pt->replications = n;
    if (ps->objective == PLAN_OBJ_METRIC)
        pt->cost = t[ps->constraint_count].defined ? t[ps->constraint_count].sum / t[ps->constraint_count].defined
                                                   : NAN;
    study_free(&st);
    return rc;
}

/* Marks the points a decided point settles by the declared monotonicity:
 * those it dominates (infeasible) or that dominate it (feasible). */
static void prune_from(const plan_spec *ps, plan_outcome *o, const plan_point *from, int feasible)
{
    int any = 0;
    for (int v = 0; v < ps->variable_count; v++)
        any |= ps->variable[v].monotone != PLAN_NOT_MONOTONE;
    if (!any)
        return;
    for (long i = 0; i < o->points; i++) {
        plan_point *y = &o->point[i];
        if (y->status != PLAN_NOT_EVALUATED || y->index == from->index)
            continue;
        int ok = 1;
        for (int v = 0; v < ps->variable_count && ok; v++) {
            double dy = y->value[v] - from->value[v];
            int mono = ps->variable[v].monotone;
            if (dy == 0)
                continue;
            /* "better" in this variable: more of a more_is_better one */
            int better = mono == PLAN_MORE_IS_BETTER ? dy > 0 : mono == PLAN_LESS_IS_BETTER ? dy < 0 : -1;
            if (better < 0)
                ok = 0;
            else
                ok = feasible ? better : !better;
        }
        if (ok) {
            y->status = feasible ? PLAN_PRUNED_FEASIBLE : PLAN_PRUNED_INFEASIBLE;
            y->pruned_by = from->index;
            o->pruned++;
        }
    }
}

typedef struct order_key {
    double cost;
    long slack;    /* grid steps toward "better" summed over the monotone variables */
    long index;
} order_key;

static int by_cost(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    int nx = isnan(x->cost), ny = isnan(y->cost);
    if (nx != ny)
        return nx - ny;
    if (!nx && x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    if (x->slack != y->slack)
        return x->slack > y->slack ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static void progress_line(FILE *f, const plan_spec *ps, const plan_point *pt, long done)
{
    if (!f)
        return;
    char where[512];
    plan_point_text(ps, pt, where, sizeof where);
    fprintf(f, "  point %ld: %s: %s after %d replications", done, where, plan_status_names[pt->status],
            pt->replications);
    for (int c = 0; c < ps->constraint_count; c++)
        fprintf(f, "%s %.3g [%.3g, %.3g]", c ? ";" : ",", pt->est[c].estimate, pt->est[c].low, pt->est[c].high);
    fprintf(f, "\n");
}

/* Why no point is feasible: per constraint, whether some point met it and
 * the best value reached. */
static void explain_unreachable(const plan_spec *ps, plan_outcome *o)
{
    size_t used = 0;
    int all_met_somewhere = 1;
    for (int c = 0; c < ps->constraint_count; c++) {
        const plan_constraint *pc = &ps->constraint[c];
        long best = -1, met = -1;
        for (long i = 0; i < o->points; i++) {
            const plan_point *pt = &o->point[i];
            if (pt->order == 0 || isnan(pt->est[c].estimate))
                continue;
            if (pt->est[c].decided == 1 && met < 0)
                met = i;
            double v = pt->est[c].estimate, b = best >= 0 ? o->point[best].est[c].estimate : NAN;
            int higher_is_better = pc->kind == PLAN_CHANCE || !pc->at_most;
            if (best < 0 || (higher_is_better ? v > b : v < b))
                best = i;
        }
        if (met >= 0)
            continue;
        all_met_somewhere = 0;
        char text[200], where[512];
        plan_constraint_text(pc, text, sizeof text);
        if (best < 0) {
            used += (size_t)snprintf(o->unreachable + used, sizeof o->unreachable - used,
                                     "no configuration meets %s: no point was evaluated\n", text);
            continue;
        }
        const plan_point *pt = &o->point[best];
        plan_point_text(ps, pt, where, sizeof where);
        used += (size_t)snprintf(o->unreachable + used, sizeof o->unreachable - used,
                                 "no configuration meets %s: the best reached is %.4g [%.4g, %.4g] at %s "
                                 "(%d replications)\n", text, pt->est[c].estimate, pt->est[c].low, pt->est[c].high,
                                 where, pt->replications);
        if (used >= sizeof o->unreachable)
            break;
    }
    if (all_met_somewhere)
        snprintf(o->unreachable, sizeof o->unreachable,
                 "no configuration meets all the constraints together (each is met at some point, never all at "
                 "one)%s\n", o->undecided ? "; some points stayed undecided at max_replications" : "");
}

int plan_solve(const plan_spec *ps, int s, int threads, FILE *progress, plan_outcome *o, char *err, size_t err_size)
{
    return plan_solve_resumed(ps, s, threads, progress, NULL, o, err, err_size);
}

int plan_solve_resumed(const plan_spec *ps, int s, int threads, FILE *progress, const plan_outcome *prior,
                       plan_outcome *o, char *err, size_t err_size)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(o, 0, sizeof *o);
    o->prior = prior && prior->points == ps->points ? prior : NULL;
    o->scenario = s;
    o->recommended = o->runner_up = -1;
    o->points = ps->points;
    o->point = calloc((size_t)ps->points, sizeof *o->point);
    order_key *order = calloc((size_t)ps->points, sizeof *order);
    if (!o->point || !order) {
        free(order);
        snprintf(err, err_size, "out of memory for %ld points", ps->points);
        return CF_EXIT_INTERNAL;
    }
    if (find_metrics(ps, &ps->scenario[s].sc.model, o->metric_index, err, err_size) != 0) {
        free(order);
        return CF_EXIT_INPUT;
    }
    o->stages = 1 + (ps->max_replications - ps->min_replications + ps->step_replications - 1) / ps->step_replications;
    o->alpha_each = ps->alpha / ((double)ps->points * ps->constraint_count * o->stages);
    int cost_objective = ps->objective != PLAN_OBJ_METRIC;
    for (long i = 0; i < ps->points; i++) {
        plan_point *pt = &o->point[i];
        int idx[PLAN_MAX_VARIABLES];
        plan_point_indices(ps, i, idx);
        pt->index = i;
        pt->pruned_by = -1;
        pt->cost = NAN;
        for (int v = 0; v < ps->variable_count; v++)
            pt->value[v] = plan_value(&ps->variable[v], idx[v]);
        for (int c = 0; c < PLAN_MAX_CONSTRAINTS; c++)
            pt->est[c].estimate = pt->est[c].low = pt->est[c].high = NAN;
        if (cost_objective) {
            config_scenario sc;
            config_error cerr;
            if (point_scenario(ps, s, i, &sc, &cerr) != 0) {
                pt->status = PLAN_INVALID;
                if (!o->invalid[0])
                    snprintf(o->invalid, sizeof o->invalid, "%s", cerr.message);
            } else {
                pt->cost = known_cost(ps, &sc);
                config_scenario_free(&sc);
            }
        }
        order[i].cost = pt->cost;
        order[i].index = i;
        for (int v = 0; v < ps->variable_count; v++)
            order[i].slack += ps->variable[v].monotone == PLAN_MORE_IS_BETTER   ? idx[v]
                              : ps->variable[v].monotone == PLAN_LESS_IS_BETTER ? -idx[v]
                                                                                : 0;
    }
    if (cost_objective)
        qsort(order, (size_t)ps->points, sizeof *order, by_cost);
    int rc = 0;
    long feasible_found = 0;
    for (long k = 0; k < ps->points && rc == 0; k++) {
        plan_point *pt = &o->point[order[k].index];
        char why[1024];
        if (pt->status == PLAN_PRUNED_FEASIBLE && cost_objective) {
            /* Feasible without a test; run anyway for the estimates the
             * report shows, and as a check of the declared monotonicity. */
            int erc = evaluate(ps, s, o, pt, threads, why, sizeof why);
            if (erc != 0) {
                snprintf(err, err_size, "%s", why);
                rc = erc == 1 ? CF_EXIT_INTERNAL : erc;
                break;
            }
            pt->order = (int)++o->evaluated;
            progress_line(progress, ps, pt, o->evaluated);
            if (pt->status == PLAN_INFEASIBLE && !o->contradiction[0]) {
                char where[512];
                plan_point_text(ps, pt, where, sizeof where);
                snprintf(o->contradiction, sizeof o->contradiction, "%s tests infeasible although it has at least as "
                         "much of every monotone variable as a feasible point: the declared monotonicity does not "
                         "hold here (or a test erred)", where);
            }
            pt->status = PLAN_PRUNED_FEASIBLE;
            if (feasible_found++ == 0)
                o->recommended = pt->index;
            else
                o->runner_up = pt->index;
            if (feasible_found >= 2)
                break;
            continue;
        }
        if (pt->status != PLAN_NOT_EVALUATED)
            continue;
        int erc = evaluate(ps, s, o, pt, threads, why, sizeof why);
        if (erc == 1) {
            if (!o->invalid[0])
                snprintf(o->invalid, sizeof o->invalid, "%s", why);
            continue;
        }
        if (erc != 0) {
            snprintf(err, err_size, "%s", why);
            rc = erc;
            break;
        }
        pt->order = (int)++o->evaluated;
        progress_line(progress, ps, pt, o->evaluated);
        if (pt->status == PLAN_UNDECIDED)
            o->undecided++;
        else if (pt->status == PLAN_INFEASIBLE)
            prune_from(ps, o, pt, 0);
        else if (cost_objective) /* a metric objective needs every point's estimate */
            prune_from(ps, o, pt, 1);
        if (pt->status == PLAN_FEASIBLE && cost_objective) {
            if (feasible_found++ == 0)
                o->recommended = pt->index;
            else
                o->runner_up = pt->index;
        }
        if (cost_objective && feasible_found >= 2)
            break;
    }
    free(order);
    o->prior = NULL; /* the caller's; not kept past the search */
    if (rc == 0 && !cost_objective) {
        /* the best two feasible points by their estimated objective */
        for (long i = 0; i < o->points; i++) {
            const plan_point *pt = &o->point[i];
            if (pt->status != PLAN_FEASIBLE || isnan(pt->cost))
                continue;
            for (int slot = 0; slot < 2; slot++) {
                long *which = slot ? &o->runner_up : &o->recommended;
                double have = *which >= 0 ? o->point[*which].cost : NAN;
                if (*which < 0 || (ps->maximise ? pt->cost > have : pt->cost < have)) {
                    if (slot == 0)
                        o->runner_up = o->recommended;
                    *which = i;
                    break;
                }
            }
        }
    }
    if (rc == 0 && o->recommended < 0)
        explain_unreachable(ps, o);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    o->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return rc;
}

void plan_outcome_free(plan_outcome *o)
{
    free(o->point);
    o->point = NULL;
}
