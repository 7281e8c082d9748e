/*
 * plan_output.c — what `caseflow plan` gives back: the printed report
 * (recommendation, runner-up, frontier), the HDF5 file of every point
 * (docs/OUTPUT.md "Plan files") and the study file of the points evaluated.
 *
 * Files are written under a temporary name and moved into place
 * (output/outpath.h), so a failed write never leaves a half file.
 */
#define _GNU_SOURCE /* realpath */
#include "app/plan.h"

#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/outpath.h"

/* ---- the report -------------------------------------------------------- */

static void print_cost(FILE *out, const plan_spec *ps, double cost)
{
    if (isnan(cost))
        fprintf(out, "%14s", "-");
    else if (ps->objective == PLAN_OBJ_STAFF_COST)
        fprintf(out, "%14.0f", cost);
    else
        fprintf(out, "%14.4g", cost);
}

static void print_point(FILE *out, const plan_spec *ps, const plan_outcome *o, const char *label, long i)
{
    const plan_point *pt = &o->point[i];
    char where[512];
    plan_point_text(ps, pt, where, sizeof where);
    fprintf(out, "%s: %s\n  %s: ", label, where, plan_objective_name(ps));
    if (ps->objective == PLAN_OBJ_STAFF_COST)
        fprintf(out, "%.0f", pt->cost);
    else
        fprintf(out, "%.6g", pt->cost);
    if (pt->status == PLAN_PRUNED_FEASIBLE) {
        char by[512];
        plan_point_text(ps, &o->point[pt->pruned_by], by, sizeof by);
        fprintf(out, "; feasible by monotonicity (at least as much of every variable as %s), run for its estimates",
                by);
    }
    fprintf(out, "; %d replications\n", pt->replications);
    for (int c = 0; c < ps->constraint_count; c++) {
        char text[200];
        plan_constraint_text(&ps->constraint[c], text, sizeof text);
        fprintf(out, "  %-44s %s %.4g, interval [%.4g, %.4g]%s\n", text,
                ps->constraint[c].kind == PLAN_CHANCE ? "share" : "mean", pt->est[c].estimate, pt->est[c].low,
                pt->est[c].high, pt->est[c].decided > 0 ? " met" : pt->est[c].decided < 0 ? " NOT met" : " undecided");
    }
}

void plan_report(FILE *out, const plan_spec *ps, const plan_outcome *o)
{
    const plan_scenario *sc = &ps->scenario[o->scenario];
    long skipped = 0, settled = 0; /* settled: by monotonicity and not run after all */
    for (long i = 0; i < o->points; i++) {
        skipped += o->point[i].status == PLAN_NOT_EVALUATED;
        settled += o->point[i].pruned_by >= 0 && o->point[i].order == 0;
    }
    fprintf(out, "plan %s, scenario '%s': %ld points: %ld run, %ld settled by monotonicity, %ld not needed; "
            "%llu replications in %.1f s\n", ps->path, sc->name, o->points, o->evaluated, settled, skipped,
            (unsigned long long)o->replications, o->seconds);
    fprintf(out, "each test at level %.3g (alpha %.3g over %ld points x %d constraints x %d stages): with "
            "probability >= %.3g every decision below is right\n", o->alpha_each, ps->alpha, o->points,
            ps->constraint_count, o->stages, 1 - ps->alpha);
    if (o->recommended >= 0)
        print_point(out, ps, o, "recommendation", o->recommended);
    else
        fprintf(out, "recommendation: none (no point meets the constraints)\n");
    if (o->runner_up >= 0)
        print_point(out, ps, o, "runner-up", o->runner_up);
    if (o->recommended >= 0)
        for (int v = 0; v < ps->variable_count; v++) {
            const plan_variable *pv = &ps->variable[v];
            double x = o->point[o->recommended].value[v];
            int at_low = x == plan_value(pv, 0), at_high = x == plan_value(pv, pv->values - 1);
            if (pv->values > 1 && (at_low || at_high))
                fprintf(out, "note: the recommendation sits at the %s end of %s's range: a wider range may hold a "
                        "better point\n", at_low ? "lower" : "upper", pv->key);
        }
    if (o->undecided > 0)
        fprintf(out, "note: %ld point(s) stayed undecided at %d replications (their value sits near a bound); "
                "they are not recommended; raise max_replications to decide them\n", o->undecided,
                ps->max_replications);
    if (o->contradiction[0])
        fprintf(out, "WARNING: %s\n", o->contradiction);
    if (o->invalid[0])
        fprintf(out, "note: some points are not valid scenarios, e.g.: %s\n", o->invalid);
    /* the frontier: every point run, by objective */
    fprintf(out, "frontier (points run, by %s):\n", plan_objective_name(ps));
    for (int v = 0; v < ps->variable_count; v++)
        fprintf(out, "%*s ", (int)(strlen(ps->variable[v].key) > 8 ? strlen(ps->variable[v].key) : 8),
                ps->variable[v].key);
    fprintf(out, "%14s %6s", ps->objective == PLAN_OBJ_STAFF_COST ? "cost kr/year" : plan_objective_name(ps), "reps");
    for (int c = 0; c < ps->constraint_count; c++)
        fprintf(out, " %24s", ps->constraint[c].metric);
    fprintf(out, "  status\n");
    long *rows = malloc((size_t)o->points * sizeof *rows);
    long n = 0;
    for (long i = 0; rows && i < o->points; i++)
        if (o->point[i].order > 0)
            rows[n++] = i;
    /* by objective, then grid order (insertion sort: a few hundred rows) */
    for (long a = 1; a < n; a++)
        for (long b = a; b > 0; b--) {
            double x = o->point[rows[b - 1]].cost, y = o->point[rows[b]].cost;
            if (!(x > y) && !(isnan(x) && !isnan(y)))
                break;
            long t = rows[b];
            rows[b] = rows[b - 1];
            rows[b - 1] = t;
        }
    for (long r = 0; r < n; r++) {
        const plan_point *pt = &o->point[rows[r]];
        for (int v = 0; v < ps->variable_count; v++) {
            char num[40];
            config_format_number(pt->value[v], 0, num, sizeof num);
            fprintf(out, "%*s ", (int)(strlen(ps->variable[v].key) > 8 ? strlen(ps->variable[v].key) : 8), num);
        }
        print_cost(out, ps, pt->cost);
        fprintf(out, " %6d", pt->replications);
        for (int c = 0; c < ps->constraint_count; c++) {
            char cell[64];
            snprintf(cell, sizeof cell, "%.3g [%.3g,%.3g]", pt->est[c].estimate, pt->est[c].low, pt->est[c].high);
            fprintf(out, " %24s", cell);
        }
        fprintf(out, "  %s%s\n", plan_status_names[pt->status],
                rows[r] == o->recommended ? " <- recommended" : rows[r] == o->runner_up ? " <- runner-up" : "");
    }
    free(rows);
}

/* ---- HDF5 -------------------------------------------------------------- */

static int attr_text(hid_t where, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
    H5Tset_size(type, strlen(value) + 1);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t a = H5Acreate2(where, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, type, value) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return rc;
}

static int attr_number(hid_t where, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(where, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, type, value) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    return rc;
}

static int dataset(hid_t where, const char *name, hid_t type, int rank, hsize_t rows, hsize_t cols, const void *data)
{
    hsize_t dims[2] = {rows, cols};
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(where, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d >= 0 && (rows * cols == 0 || H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0) ? 0 : -1;
    if (d >= 0)
        H5Dclose(d);
    H5Sclose(space);
    return rc;
}

/* One scenario's points as datasets of group g. */
static int write_outcome(hid_t g, const plan_spec *ps, const plan_outcome *o)
{
    size_t np = (size_t)o->points, nv = (size_t)ps->variable_count, nc = (size_t)ps->constraint_count;
    double *values = malloc(np * nv * sizeof *values), *cost = malloc(np * sizeof *cost);
    double *est = malloc(np * nc * sizeof *est), *low = malloc(np * nc * sizeof *low);
    double *high = malloc(np * nc * sizeof *high);
    int32_t *status = malloc(np * sizeof *status), *reps = malloc(np * sizeof *reps);
    int32_t *order = malloc(np * sizeof *order), *decided = malloc(np * nc * sizeof *decided);
    int64_t *pruned_by = malloc(np * sizeof *pruned_by);
    int rc = -1;
    if (!values || !cost || !est || !low || !high || !status || !reps || !order || !decided || !pruned_by)
        goto out;
    for (size_t i = 0; i < np; i++) {
        const plan_point *pt = &o->point[i];
        for (size_t v = 0; v < nv; v++)
            values[i * nv + v] = pt->value[v];
        cost[i] = pt->cost;
        status[i] = pt->status;
        reps[i] = pt->replications;
        order[i] = pt->order;
        pruned_by[i] = pt->pruned_by;
        for (size_t c = 0; c < nc; c++) {
            est[i * nc + c] = pt->est[c].estimate;
            low[i * nc + c] = pt->est[c].low;
            high[i * nc + c] = pt->est[c].high;
            decided[i * nc + c] = pt->est[c].decided;
        }
    }
    char names[4096] = "", constraints[4096] = "", statuses[256] = "";
    size_t used = 0;
    for (size_t v = 0; v < nv; v++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", v ? "\n" : "", ps->variable[v].key);
    used = 0;
    for (size_t c = 0; c < nc; c++) {
        char text[200];
        plan_constraint_text(&ps->constraint[c], text, sizeof text);
        used += (size_t)snprintf(constraints + used, sizeof constraints - used, "%s%s", c ? "\n" : "", text);
    }
    used = 0;
    for (int s = 0; s < PLAN_STATUSES; s++)
        used += (size_t)snprintf(statuses + used, sizeof statuses - used, "%s%d=%s", s ? " " : "", s,
                                 plan_status_names[s]);
    int64_t rec = o->recommended, run = o->runner_up;
    uint64_t total = o->replications;
    double alpha_each = o->alpha_each, seconds = o->seconds;
    int32_t stages = o->stages;
    rc = attr_text(g, "scenario", ps->scenario[o->scenario].name) | attr_text(g, "variables", names) |
         attr_text(g, "constraints", constraints) | attr_text(g, "status_codes", statuses) |
         attr_number(g, "recommended", H5T_NATIVE_INT64, &rec) | attr_number(g, "runner_up", H5T_NATIVE_INT64, &run) |
         attr_number(g, "replications_total", H5T_NATIVE_UINT64, &total) |
         attr_number(g, "alpha_per_test", H5T_NATIVE_DOUBLE, &alpha_each) |
         attr_number(g, "stages", H5T_NATIVE_INT32, &stages) | attr_number(g, "seconds", H5T_NATIVE_DOUBLE, &seconds) |
         attr_text(g, "unreachable", o->unreachable) |
         dataset(g, "values", H5T_NATIVE_DOUBLE, 2, np, nv, values) |
         dataset(g, "objective", H5T_NATIVE_DOUBLE, 1, np, 1, cost) |
         dataset(g, "status", H5T_NATIVE_INT32, 1, np, 1, status) |
         dataset(g, "replications", H5T_NATIVE_INT32, 1, np, 1, reps) |
         dataset(g, "order", H5T_NATIVE_INT32, 1, np, 1, order) |
         dataset(g, "pruned_by", H5T_NATIVE_INT64, 1, np, 1, pruned_by) |
         dataset(g, "estimate", H5T_NATIVE_DOUBLE, 2, np, nc, est) |
         dataset(g, "low", H5T_NATIVE_DOUBLE, 2, np, nc, low) |
         dataset(g, "high", H5T_NATIVE_DOUBLE, 2, np, nc, high) |
         dataset(g, "decided", H5T_NATIVE_INT32, 2, np, nc, decided);
out:
    free(values);
    free(cost);
    free(est);
    free(low);
    free(high);
    free(status);
    free(reps);
    free(order);
    free(decided);
    free(pruned_by);
    return rc;
}

static const char plan_method_text[] =
    "feasibility determination by sequential tests (Clopper-Pearson bounds for chance constraints, Student-t "
    "bounds for mean constraints), Bonferroni over points x constraints x stages (cf. Batur & Kim 2010, ACM "
    "TOMACS 20(3)); common random numbers; pruning by declared monotonicity";

int plan_write_h5(const char *path, const plan_spec *ps, const plan_outcome *o, int n, int replace,
                  const char *fingerprint, char *err, size_t err_size)
{
    char temp[PATH_MAX];
    if (outpath_temp_name(path, (long)getpid(), temp, sizeof temp) != 0) {
        snprintf(err, err_size, "%s: path too long", path);
        return CF_EXIT_OUTPUT;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(temp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, err_size, "%s: cannot create the file", path);
        return CF_EXIT_OUTPUT;
    }
    hid_t root = H5Gcreate2(f, "/plan", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int32_t version = 1;
    double alpha = ps->alpha;
    int rc = root < 0 || attr_text(root, "plan_file", ps->path) || attr_text(root, "base", ps->base) ||
             attr_text(root, "method", plan_method_text) || attr_text(root, "objective", plan_objective_name(ps)) ||
             attr_number(root, "alpha", H5T_NATIVE_DOUBLE, &alpha) ||
             attr_number(root, "format_version", H5T_NATIVE_INT32, &version) ||
             attr_text(root, "fingerprint", fingerprint ? fingerprint : "");
    for (int s = 0; s < n && !rc; s++) {
        char name[32];
        snprintf(name, sizeof name, "%d", s);
        hid_t g = H5Gcreate2(root, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        rc = g < 0 || write_outcome(g, ps, &o[s]) != 0;
        if (g >= 0)
            H5Gclose(g);
    }
    if (root >= 0)
        H5Gclose(root);
    if (H5Fclose(f) < 0)
        rc = 1;
    if (rc) {
        unlink(temp);
        snprintf(err, err_size, "%s: writing the plan failed", path);
        return CF_EXIT_OUTPUT;
    }
    return outpath_commit(temp, path, replace, err, err_size);
}

/* ---- the study file ---------------------------------------------------- */

/* A string as a libconfig string literal. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int plan_write_study(const char *path, const plan_spec *ps, const plan_outcome *o, int n, int replace, char *err,
                     size_t err_size)
{
    char temp[PATH_MAX], base[PATH_MAX];
    if (outpath_temp_name(path, (long)getpid(), temp, sizeof temp) != 0 || !realpath(ps->base, base)) {
        snprintf(err, err_size, "%s: path too long, or the base %s cannot be found", path, ps->base);
        return CF_EXIT_OUTPUT;
    }
    FILE *f = fopen(temp, "w");
    if (!f) {
        snprintf(err, err_size, "%s: cannot create the file", path);
        return CF_EXIT_OUTPUT;
    }
    int reps = 2;
    for (int s = 0; s < n; s++)
        for (long i = 0; i < o[s].points; i++)
            if (o[s].point[i].replications > reps)
                reps = o[s].point[i].replications;
    fprintf(f, "# Written by caseflow plan from %s: every point the plan ran, as a study\n"
               "# (caseflow run FILE, or a Slurm array with --task/--tasks). Replications: the most any\n"
               "# point used; the plan itself stopped most points earlier.\nstudy: {\n  name = ", ps->path);
    put_quoted(f, "plan");
    fprintf(f, ";\n  base = ");
    put_quoted(f, base);
    fprintf(f, ";\n  replications = %d;\n  seed = %lluL;\n  scenarios = (\n", reps, (unsigned long long)ps->seed);
    int first = 1;
    for (int s = 0; s < n; s++)
        for (long i = 0; i < o[s].points; i++) {
            const plan_point *pt = &o[s].point[i];
            if (pt->order == 0)
                continue;
            char name[512], where[400];
            plan_point_text(ps, pt, where, sizeof where);
            snprintf(name, sizeof name, "%s: %s", ps->scenario[s].name, where);
            fprintf(f, "%s    { name = ", first ? "" : ",\n");
            put_quoted(f, name);
            fprintf(f, "; set = [ ");
            int k = 0;
            for (int j = 0; j < ps->scenario[s].setting_count; j++, k++) {
                fprintf(f, "%s", k ? ", " : "");
                put_quoted(f, ps->scenario[s].setting[j]);
            }
            char lines[PLAN_MAX_VARIABLES][PLAN_KEY_LEN + 40];
            int nv = plan_point_settings(ps, pt->index, lines);
            for (int j = 0; j < nv; j++, k++) {
                fprintf(f, "%s", k ? ", " : "");
                put_quoted(f, lines[j]);
            }
            fprintf(f, " ]; }");
            first = 0;
        }
    fprintf(f, "\n  );\n};\n");
    if (fclose(f) != 0) {
        unlink(temp);
        snprintf(err, err_size, "%s: writing failed", path);
        return CF_EXIT_OUTPUT;
    }
    return outpath_commit(temp, path, replace, err, err_size);
}
