/*
 * sensitivity.c — Sobol indices of a sensitivity study and /sensitivity.
 */
#include "output/sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char sensitivity_estimator[] =
    "Saltelli design on a shifted Sobol sequence; first order: Saltelli et al. 2010; total: Jansen 1999; "
    "95% percentile bootstrap over design blocks";

int sensitivity_check_metrics(const study_sensitivity *spec, const model_params *p, char *msg, size_t size)
{
    results_metric_info info[RESULTS_MAX_METRICS];
    size_t m = results_metric_info_for(p, info);
    for (int i = 0; i < spec->metric_count; i++) {
        int found = 0;
        for (size_t k = 0; k < m && !found; k++)
            found = strcmp(info[k].name, spec->metrics[i]) == 0;
        if (found)
            continue;
        int used = snprintf(msg, size, "study.sensitivity.metrics: '%s' is not a metric of this scenario (metrics: ",
                            spec->metrics[i]);
        for (size_t k = 0; k < m && used > 0 && (size_t)used < size; k++)
            used += snprintf(msg + used, size - (size_t)used, "%s%s", k ? ", " : "", info[k].name);
        if (used > 0 && (size_t)used < size)
            snprintf(msg + used, size - (size_t)used, ")");
        return -1;
    }
    return 0;
}

int sensitivity_compute(const study_sensitivity *spec, const results_summary *sum, size_t ns, int scenarios,
                        sensitivity_result *out, char *msg, size_t size)
{
    memset(out, 0, sizeof *out);
    out->spec = *spec;
    size_t points = sobol_design_points(spec->n, spec->k);
    size_t S = scenarios > 0 ? (size_t)scenarios : 0;
    size_t m = S ? ns / S : 0; /* metrics per scenario */
    if (!m || m * S != ns || (size_t)spec->first_scenario + points > S) {
        snprintf(msg, size, "the summaries do not cover the sensitivity design (%zu scenarios, %zu summaries)", S, ns);
        return -1;
    }
    double *y = malloc(points * sizeof *y);
    if (!y) {
        snprintf(msg, size, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int q = 0; q < spec->metric_count && rc == 0; q++) {
        size_t col = m;
        for (size_t k = 0; k < m && col == m; k++)
            if (strcmp(sum[k].metric, spec->metrics[q]) == 0)
                col = k;
        if (col == m) {
            snprintf(msg, size, "metric '%s' of study.sensitivity is not in the summaries", spec->metrics[q]);
            rc = -1;
            break;
        }
        double total = 0;
        for (size_t p = 0; p < points; p++) {
            y[p] = sum[((size_t)spec->first_scenario + p) * m + col].mean;
            total += y[p];
        }
        out->mean[q] = total / (double)points;
        if (sobol_indices(y, spec->n, spec->k, spec->bootstrap, spec->seed, out->index[q], &out->variance[q]) != 0) {
            snprintf(msg, size, "out of memory");
            rc = -1;
        }
    }
    free(y);
    return rc;
}

/* A 1-D dataset of fixed-length strings. */
static int write_names(hid_t g, const char *name, const char (*names)[SENSITIVITY_NAME_LEN], int n)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, SENSITIVITY_NAME_LEN);
    H5Tset_strpad(type, H5T_STR_NULLTERM);
    hsize_t dims = (hsize_t)n;
    hid_t space = H5Screate_simple(1, &dims, NULL);
    hid_t set = H5Dcreate2(g, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = set >= 0 ? H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) : -1;
    if (set >= 0)
        H5Dclose(set);
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

static int write_doubles(hid_t g, const char *name, const double *v, int rank, const hsize_t *dims)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t set = H5Dcreate2(g, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = set >= 0 ? H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) : -1;
    if (set >= 0)
        H5Dclose(set);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

static int write_attr(hid_t g, const char *name, hid_t type, const void *v)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a >= 0 ? H5Awrite(a, type, v) : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

int sensitivity_write(hid_t file, const sensitivity_result *r)
{
    const study_sensitivity *sp = &r->spec;
    int M = sp->metric_count, K = sp->k;
    if (H5Lexists(file, "/sensitivity", H5P_DEFAULT) > 0)
        H5Ldelete(file, "/sensitivity", H5P_DEFAULT);
    hid_t g = H5Gcreate2(file, "/sensitivity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    double *table = malloc(((size_t)M * (size_t)K + 1) * sizeof *table);
    int rc = table ? 0 : -1;
    hsize_t mk[2] = {(hsize_t)M, (hsize_t)K}, k1 = (hsize_t)K, m1 = (hsize_t)M;
    static const char *const fields[] = {"first", "first_low", "first_high", "total", "total_low", "total_high"};
    for (int f = 0; f < 6 && rc == 0; f++) {
        for (int q = 0; q < M; q++)
            for (int i = 0; i < K; i++) {
                const sobol_index *x = &r->index[q][i];
                const double v[6] = {x->first, x->first_low, x->first_high, x->total, x->total_low, x->total_high};
                table[q * K + i] = v[f];
            }
        rc |= write_doubles(g, fields[f], table, 2, mk);
    }
    if (rc == 0) {
        rc |= write_names(g, "keys", sp->keys, K);
        rc |= write_names(g, "metrics", sp->metrics, M);
        rc |= write_doubles(g, "min", sp->min, 1, &k1);
        rc |= write_doubles(g, "max", sp->max, 1, &k1);
        rc |= write_doubles(g, "variance", r->variance, 1, &m1);
        rc |= write_doubles(g, "mean", r->mean, 1, &m1);
        rc |= write_attr(g, "n", H5T_NATIVE_INT, &sp->n);
        rc |= write_attr(g, "bootstrap", H5T_NATIVE_INT, &sp->bootstrap);
        rc |= write_attr(g, "seed", H5T_NATIVE_UINT64, &sp->seed);
        rc |= write_attr(g, "first_scenario", H5T_NATIVE_INT, &sp->first_scenario);
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, sizeof sensitivity_estimator);
        rc |= write_attr(g, "estimator", st, sensitivity_estimator);
        H5Tclose(st);
    }
    free(table);
    H5Gclose(g);
    return rc ? -1 : 0;
}
