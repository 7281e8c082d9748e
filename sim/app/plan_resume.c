/*
 * plan_resume.c — `caseflow plan --resume`: the fingerprint that says an
 * earlier plan file came from the same plan file and build, and the reader
 * of that file's evaluated points (docs/OUTPUT.md "Plan files"). plan.c
 * reuses the points; plan_output.c writes the file.
 *
 * Why a fingerprint of the plan file's bytes, the base scenario's text and
 * the build rather than of the resolved settings: it is cheap and strict. A
 * changed comment refuses a resume that would have been safe (cost: the plan
 * runs again, seconds to minutes). The base's text is the one config_load
 * stores, with its @include files and snapshot expanded, so an edit to any
 * file the base reads is seen too.
 */
#include "app/plan.h"

#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FNV1A64_START 1469598103934665603ULL
#define FNV1A64_PRIME 1099511628211ULL

static uint64_t fnv1a64_byte(uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV1A64_PRIME;
}

int plan_fingerprint(const char *plan_path, const char *base_text, const char *build, char *buf, size_t size,
                     char *err, size_t err_size)
{
    FILE *f = fopen(plan_path, "rb");
    if (!f) {
        snprintf(err, err_size, "%s: cannot be read", plan_path);
        return CF_EXIT_INPUT;
    }
    uint64_t h = FNV1A64_START, hb = FNV1A64_START;
    int c;
    while ((c = fgetc(f)) != EOF)
        h = fnv1a64_byte(h, (unsigned char)c);
    fclose(f);
    for (const char *p = base_text ? base_text : ""; *p; p++)
        hb = fnv1a64_byte(hb, (unsigned char)*p);
    snprintf(buf, size, "plan-fnv1a64=%016" PRIx64 " base-fnv1a64=%016" PRIx64 " build=%s", h, hb, build);
    return 0;
}

static int read_text(hid_t where, const char *name, char *buf, size_t size)
{
    buf[0] = '\0';
    if (H5Aexists(where, name) <= 0)
        return -1;
    hid_t a = H5Aopen(where, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    int rc = -1;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t)) {
        size_t len = H5Tget_size(t);
        char *tmp = calloc(len + 1, 1);
        if (tmp && H5Aread(a, t, tmp) >= 0) {
            snprintf(buf, size, "%s", tmp);
            rc = 0;
        }
        free(tmp);
    }
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* Reads dataset `name` of g ([points] or [points, cols]) into buf as `type`. */
static int read_set(hid_t g, const char *name, hid_t type, size_t points, size_t cols, void *buf)
{
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0)
        return -1;
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    int rank = sp >= 0 ? H5Sget_simple_extent_dims(sp, dims, NULL) : -1;
    int ok = rank >= 1 && dims[0] == points && (rank == 1 ? cols <= 1 : dims[1] == cols) &&
             H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(d);
    return ok ? 0 : -1;
}

static int read_group(hid_t g, const plan_spec *ps, plan_outcome *o)
{
    size_t np = (size_t)ps->points, nc = (size_t)ps->constraint_count, ncol = nc ? nc : 1;
    double *cost = malloc(np * sizeof *cost), *est = malloc(np * ncol * sizeof *est);
    double *low = malloc(np * ncol * sizeof *low), *high = malloc(np * ncol * sizeof *high);
    int32_t *status = malloc(np * sizeof *status), *reps = malloc(np * sizeof *reps);
    int32_t *decided = malloc(np * ncol * sizeof *decided);
    o->point = calloc(np, sizeof *o->point);
    o->points = ps->points;
    int rc = -1;
    if (!cost || !est || !low || !high || !status || !reps || !decided || !o->point)
        goto out;
    if (read_set(g, "objective", H5T_NATIVE_DOUBLE, np, 1, cost) || read_set(g, "status", H5T_NATIVE_INT32, np, 1, status) ||
        read_set(g, "replications", H5T_NATIVE_INT32, np, 1, reps) ||
        read_set(g, "estimate", H5T_NATIVE_DOUBLE, np, nc, est) || read_set(g, "low", H5T_NATIVE_DOUBLE, np, nc, low) ||
        read_set(g, "high", H5T_NATIVE_DOUBLE, np, nc, high) ||
        read_set(g, "decided", H5T_NATIVE_INT32, np, nc, decided))
        goto out;
    for (size_t i = 0; i < np; i++) {
        plan_point *pt = &o->point[i];
        pt->index = (long)i;
        pt->cost = cost[i];
        pt->status = status[i] >= 0 && status[i] < PLAN_STATUSES ? status[i] : PLAN_INVALID;
        pt->replications = reps[i] > 0 ? reps[i] : 0;
        for (size_t c = 0; c < nc; c++) {
            pt->est[c].estimate = est[i * nc + c];
            pt->est[c].low = low[i * nc + c];
            pt->est[c].high = high[i * nc + c];
            int d = decided[i * nc + c];
            pt->est[c].decided = d > 0 ? 1 : d < 0 ? -1 : 0;
            pt->est[c].n = pt->replications;
        }
    }
    rc = 0;
out:
    free(cost);
    free(est);
    free(low);
    free(high);
    free(status);
    free(reps);
    free(decided);
    return rc;
}

int plan_read_h5(const char *path, const plan_spec *ps, const char *fingerprint, plan_outcome *prior, int *n,
                 char *err, size_t err_size)
{
    *n = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        snprintf(err, err_size, "--resume: %s: no such file (run the plan with -o first)", path);
        return CF_EXIT_INPUT;
    }
    fclose(probe);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t root = f >= 0 ? H5Gopen2(f, "/plan", H5P_DEFAULT) : -1;
    int rc = CF_EXIT_MERGE;
    char have[512];
    if (root < 0) {
        snprintf(err, err_size, "--resume: %s: not a plan file (no /plan group)", path);
        goto out;
    }
    if (read_text(root, "fingerprint", have, sizeof have) != 0 || strcmp(have, fingerprint) != 0) {
        snprintf(err, err_size, "--resume: %s was written from another plan file, base scenario or build (it has '%s', this run "
                 "'%s'): run without --resume (and with --force to replace it)", path, have, fingerprint);
        goto out;
    }
    for (int s = 0; s < ps->scenario_count; s++) {
        char name[32], scen[512];
        snprintf(name, sizeof name, "%d", s);
        if (H5Lexists(root, name, H5P_DEFAULT) <= 0)
            break; /* an earlier run stopped before this scenario */
        hid_t g = H5Gopen2(root, name, H5P_DEFAULT);
        int bad = g < 0 || read_text(g, "scenario", scen, sizeof scen) != 0 || strcmp(scen, ps->scenario[s].name) != 0;
        memset(&prior[s], 0, sizeof prior[s]);
        prior[s].scenario = s;
        if (!bad)
            bad = read_group(g, ps, &prior[s]) != 0;
        if (g >= 0)
            H5Gclose(g);
        *n = s + 1;
        if (bad) {
            snprintf(err, err_size, "--resume: %s: /plan/%d does not match scenario '%s' of the plan (or is damaged)",
                     path, s, ps->scenario[s].name);
            goto out;
        }
    }
    rc = 0;
out:
    if (root >= 0)
        H5Gclose(root);
    if (f >= 0)
        H5Fclose(f);
    if (rc != 0) {
        for (int s = 0; s < *n; s++)
            plan_outcome_free(&prior[s]);
        *n = 0;
    }
    return rc;
}
