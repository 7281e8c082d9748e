/*
 * h5export.c — tables of a results file as delimited text (see h5export.h).
 *
 * Three shapes cover every table: compound datasets (one row per element,
 * one column per member), per-trial matrices (/trial_extras, /money/trials,
 * /exits_by_destination: one row per trial, named columns) and the series,
 * which go out long ("tidy": one row per trial, metric and month), the
 * shape plotting libraries group and facet by. Rows of trials that did not
 * finish (status 0 or 2) keep their place but have empty values: their
 * zeros are not measurements.
 */
#include "output/h5export.h"

#include <hdf5.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/csv_text.h"

#define CHUNK_ROWS 4096
#define SERIES_BLOCK 32   /* trials read at once from every series */
#define MAX_SERIES 64

typedef struct trial_key {
    uint64_t trial;
    uint32_t scenario, replication, status;
} trial_key;

typedef struct exporter {
    const char *path;
    hid_t file;
    csv_text csv;
    char **scenario_names;
    size_t scenarios;
    char **destinations;
    size_t n_dest;
    trial_key *trials;       /* rows of /replications */
    size_t n_trials;
    char *err;
    size_t err_size;
} exporter;

/* ---- reading helpers ---------------------------------------------------- */

/* 1 when every component of path exists (H5Lexists fails on "a/b" when "a"
 * is missing). */
static int has_path(hid_t file, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char keep = *p;
            *p = '\0';
            int here = H5Lexists(file, buf, H5P_DEFAULT) > 0;
            *p = keep;
            if (!here)
                return 0;
            if (keep == '\0')
                return 1;
        }
    }
}

static void free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* Reads n strings of type `type` (fixed or variable) from a dataset with
 * the given selection; returns malloc'ed copies, NULL on failure. */
static char **read_string_cells(hid_t set, hid_t ftype, hid_t mspace, hid_t fspace, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    if (!out)
        return NULL;
    int ok = 1;
    if (H5Tis_variable_str(ftype) > 0) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(ftype));
        char **v = calloc(n ? n : 1, sizeof *v);
        ok = v && H5Dread(set, mem, mspace, fspace, H5P_DEFAULT, v) >= 0;
        for (size_t i = 0; v && i < n; i++) {
            if (ok && !(out[i] = strdup(v[i] ? v[i] : "")))
                ok = 0;
            if (v[i])
                H5free_memory(v[i]);
        }
        free(v);
        H5Tclose(mem);
    } else {
        size_t w = H5Tget_size(ftype);
        char *buf = malloc(n * w + 1);
        ok = buf && H5Dread(set, ftype, mspace, fspace, H5P_DEFAULT, buf) >= 0;
        for (size_t i = 0; ok && i < n; i++) {
            out[i] = malloc(w + 1);
            if (!out[i]) {
                ok = 0;
                break;
            }
            memcpy(out[i], buf + i * w, w);
            out[i][w] = '\0';
        }
        free(buf);
    }
    if (!ok) {
        free_strings(out, n);
        return NULL;
    }
    return out;
}

/* A whole string dataset (any rank), row-major; NULL when absent. */
static char **read_strings(hid_t file, const char *path, size_t *n)
{
    *n = 0;
    if (!has_path(file, path))
        return NULL;
    hid_t set = H5Dopen2(file, path, H5P_DEFAULT);
    hid_t type = set >= 0 ? H5Dget_type(set) : -1;
    hid_t space = set >= 0 ? H5Dget_space(set) : -1;
    char **out = NULL;
    if (type >= 0 && H5Tget_class(type) == H5T_STRING && space >= 0) {
        hssize_t cells = H5Sget_simple_extent_npoints(space);
        if (cells >= 0) {
            *n = (size_t)cells;
            out = cells ? read_string_cells(set, type, H5S_ALL, H5S_ALL, (size_t)cells) : calloc(1, sizeof *out);
        }
    }
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (set >= 0)
        H5Dclose(set);
    return out;
}

/* One string member of a compound dataset, per row. */
static char **read_member_strings(hid_t file, const char *path, const char *member, size_t *n)
{
    *n = 0;
    if (!has_path(file, path))
        return NULL;
    hid_t set = H5Dopen2(file, path, H5P_DEFAULT);
    hid_t type = set >= 0 ? H5Dget_type(set) : -1;
    char **out = NULL;
    int idx = type >= 0 && H5Tget_class(type) == H5T_COMPOUND ? H5Tget_member_index(type, member) : -1;
    if (idx >= 0) {
        hid_t mt = H5Tget_member_type(type, (unsigned)idx);
        if (H5Tget_class(mt) == H5T_STRING) {
            hid_t space = H5Dget_space(set);
            hssize_t rows = H5Sget_simple_extent_npoints(space);
            /* a compound of the one member, as the file stores it */
            int vlen = H5Tis_variable_str(mt) > 0;
            size_t w = vlen ? sizeof(char *) : H5Tget_size(mt);
            hid_t elem = vlen ? H5Tcopy(H5T_C_S1) : H5Tcopy(mt);
            if (vlen) {
                H5Tset_size(elem, H5T_VARIABLE);
                H5Tset_cset(elem, H5Tget_cset(mt));
            }
            hid_t mem = H5Tcreate(H5T_COMPOUND, w);
            H5Tinsert(mem, member, 0, elem);
            char *buf = rows >= 0 ? malloc((size_t)rows * w + 1) : NULL;
            out = buf ? calloc((size_t)rows + 1, sizeof *out) : NULL;
            int ok = out && (rows == 0 || H5Dread(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
            for (hssize_t r = 0; ok && r < rows; r++) {
                if (vlen) {
                    char *v;
                    memcpy(&v, buf + (size_t)r * w, sizeof v);
                    out[r] = strdup(v ? v : "");
                    if (v)
                        H5free_memory(v);
                } else {
                    out[r] = malloc(w + 1);
                    if (out[r]) {
                        memcpy(out[r], buf + (size_t)r * w, w);
                        out[r][w] = '\0';
                    }
                }
                ok = out[r] != NULL;
            }
            if (!ok && out) {
                free_strings(out, (size_t)rows);
                out = NULL;
            }
            if (out)
                *n = (size_t)rows;
            free(buf);
            H5Tclose(mem);
            H5Tclose(elem);
            H5Sclose(space);
        }
        H5Tclose(mt);
    }
    if (type >= 0)
        H5Tclose(type);
    if (set >= 0)
        H5Dclose(set);
    return out;
}

/* trial, scenario, replication and status of every row of /replications. */
static int read_trials(exporter *ex)
{
    if (!has_path(ex->file, "/replications"))
        return 0;
    hid_t set = H5Dopen2(ex->file, "/replications", H5P_DEFAULT);
    hid_t space = H5Dget_space(set);
    hssize_t rows = H5Sget_simple_extent_npoints(space);
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(trial_key));
    H5Tinsert(mem, "trial", HOFFSET(trial_key, trial), H5T_NATIVE_UINT64);
    H5Tinsert(mem, "scenario", HOFFSET(trial_key, scenario), H5T_NATIVE_UINT32);
    H5Tinsert(mem, "replication", HOFFSET(trial_key, replication), H5T_NATIVE_UINT32);
    H5Tinsert(mem, "status", HOFFSET(trial_key, status), H5T_NATIVE_UINT32);
    ex->trials = rows >= 0 ? calloc((size_t)rows + 1, sizeof *ex->trials) : NULL;
    int rc = ex->trials && (rows == 0 || H5Dread(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, ex->trials) >= 0) ? 0 : -1;
    if (rc == 0)
        ex->n_trials = (size_t)rows;
    H5Tclose(mem);
    H5Sclose(space);
    H5Dclose(set);
    return rc;
}

static const char *scenario_name(const exporter *ex, uint64_t s)
{
    return s < ex->scenarios ? ex->scenario_names[s] : "";
}

/* ---- compound tables ---------------------------------------------------- */

enum { COL_U64, COL_I64, COL_DBL, COL_STR, COL_VSTR };

typedef struct column {
    char *name;
    int kind;
    size_t offset, size;
} column;

/* Rows of a compound dataset, a column per member it can show (integers,
 * floats, strings); with_names adds scenario_name after a scenario member. */
static int export_compound(exporter *ex, const char *path, int with_names)
{
    hid_t set = H5Dopen2(ex->file, path, H5P_DEFAULT);
    hid_t ftype = H5Dget_type(set);
    int n = H5Tget_nmembers(ftype);
    column *cols = calloc((size_t)(n > 0 ? n : 1), sizeof *cols);
    hid_t mem = -1;
    size_t width = 0;
    int ncols = 0, rc = 0;
    for (int i = 0; cols && i < n; i++) {
        hid_t mt = H5Tget_member_type(ftype, (unsigned)i);
        H5T_class_t cls = H5Tget_class(mt);
        column *c = &cols[ncols];
        if (cls == H5T_INTEGER) {
            c->kind = H5Tget_sign(mt) == H5T_SGN_NONE ? COL_U64 : COL_I64;
            c->size = 8;
        } else if (cls == H5T_FLOAT) {
            c->kind = COL_DBL;
            c->size = 8;
        } else if (cls == H5T_STRING) {
            c->kind = H5Tis_variable_str(mt) > 0 ? COL_VSTR : COL_STR;
            c->size = c->kind == COL_VSTR ? sizeof(char *) : H5Tget_size(mt);
        } else {
            H5Tclose(mt);
            continue; /* no text form (none in files caseflow writes) */
        }
        c->name = H5Tget_member_name(ftype, (unsigned)i);
        c->offset = width;
        width += (c->size + 7) / 8 * 8;
        ncols++;
        H5Tclose(mt);
    }
    if (cols && ncols > 0) {
        mem = H5Tcreate(H5T_COMPOUND, width);
        for (int i = 0; i < ncols; i++) {
            column *c = &cols[i];
            hid_t t;
            if (c->kind == COL_U64)
                t = H5Tcopy(H5T_NATIVE_UINT64);
            else if (c->kind == COL_I64)
                t = H5Tcopy(H5T_NATIVE_INT64);
            else if (c->kind == COL_DBL)
                t = H5Tcopy(H5T_NATIVE_DOUBLE);
            else {
                hid_t ft = H5Tget_member_type(ftype, (unsigned)H5Tget_member_index(ftype, c->name));
                t = H5Tcopy(H5T_C_S1);
                H5Tset_size(t, c->kind == COL_VSTR ? H5T_VARIABLE : c->size);
                H5Tset_cset(t, H5Tget_cset(ft));
                H5Tclose(ft);
            }
            H5Tinsert(mem, c->name, c->offset, t);
            H5Tclose(t);
        }
    }
    for (int i = 0; i < ncols; i++) {
        csv_field(&ex->csv, cols[i].name);
        if (with_names && strcmp(cols[i].name, "scenario") == 0)
            csv_field(&ex->csv, "scenario_name");
    }
    csv_end_row(&ex->csv);
    hid_t fspace = H5Dget_space(set);
    hsize_t rows = (hsize_t)H5Sget_simple_extent_npoints(fspace);
    unsigned char *buf = mem >= 0 ? malloc(CHUNK_ROWS * width) : NULL;
    if (ncols > 0 && !buf)
        rc = -1;
    for (hsize_t start = 0; rc == 0 && ncols > 0 && start < rows; start += CHUNK_ROWS) {
        hsize_t count = rows - start < CHUNK_ROWS ? rows - start : CHUNK_ROWS;
        hid_t ms = H5Screate_simple(1, &count, NULL);
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL);
        memset(buf, 0, CHUNK_ROWS * width);
        if (H5Dread(set, mem, ms, fspace, H5P_DEFAULT, buf) < 0)
            rc = -1;
        H5Sclose(ms);
        for (hsize_t r = 0; rc == 0 && r < count; r++) {
            const unsigned char *row = buf + r * width;
            for (int i = 0; i < ncols; i++) {
                const column *c = &cols[i];
                const void *cell = row + c->offset;
                uint64_t u;
                int64_t s;
                double d;
                char *v;
                switch (c->kind) {
                case COL_U64:
                    memcpy(&u, cell, 8);
                    csv_u64(&ex->csv, u);
                    if (with_names && strcmp(c->name, "scenario") == 0)
                        csv_field(&ex->csv, scenario_name(ex, u));
                    break;
                case COL_I64:
                    memcpy(&s, cell, 8);
                    csv_i64(&ex->csv, s);
                    if (with_names && strcmp(c->name, "scenario") == 0)
                        csv_field(&ex->csv, s >= 0 ? scenario_name(ex, (uint64_t)s) : "");
                    break;
                case COL_DBL:
                    memcpy(&d, cell, 8);
                    csv_double(&ex->csv, d);
                    break;
                case COL_STR:
                    csv_field_len(&ex->csv, cell, c->size);
                    break;
                default:
                    memcpy(&v, cell, sizeof v);
                    csv_field(&ex->csv, v ? v : "");
                    if (v)
                        H5free_memory(v);
                }
            }
            csv_end_row(&ex->csv);
        }
    }
    if (rc != 0)
        snprintf(ex->err, ex->err_size, "%s: reading %s failed (damaged?)", ex->path, path);
    free(buf);
    H5Sclose(fspace);
    for (int i = 0; i < ncols; i++)
        H5free_memory(cols[i].name);
    free(cols);
    if (mem >= 0)
        H5Tclose(mem);
    H5Tclose(ftype);
    H5Dclose(set);
    return rc;
}

/* ---- per-trial matrices ------------------------------------------------- */

/* The `columns` attribute of a dataset (fixed or variable strings). */
static char **columns_attribute(hid_t set, size_t *n)
{
    *n = 0;
    if (H5Aexists(set, "columns") <= 0)
        return NULL;
    hid_t a = H5Aopen(set, "columns", H5P_DEFAULT);
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    hssize_t cells = H5Sget_simple_extent_npoints(sp);
    char **out = NULL;
    if (H5Tget_class(t) == H5T_STRING && cells > 0) {
        out = calloc((size_t)cells, sizeof *out);
        int ok = out != NULL;
        if (ok && H5Tis_variable_str(t) > 0) {
            hid_t mem = H5Tcopy(H5T_C_S1);
            H5Tset_size(mem, H5T_VARIABLE);
            H5Tset_cset(mem, H5Tget_cset(t));
            char **v = calloc((size_t)cells, sizeof *v);
            ok = v && H5Aread(a, mem, v) >= 0;
            for (hssize_t i = 0; v && i < cells; i++) {
                if (ok && !(out[i] = strdup(v[i] ? v[i] : "")))
                    ok = 0;
                if (v[i])
                    H5free_memory(v[i]);
            }
            free(v);
            H5Tclose(mem);
        } else if (ok) {
            size_t w = H5Tget_size(t);
            char *buf = malloc((size_t)cells * w);
            ok = buf && H5Aread(a, t, buf) >= 0;
            for (hssize_t i = 0; ok && i < cells; i++) {
                out[i] = calloc(w + 1, 1);
                if (!out[i])
                    ok = 0;
                else
                    memcpy(out[i], buf + (size_t)i * w, w);
            }
            free(buf);
        }
        if (!ok) {
            free_strings(out, (size_t)cells);
            out = NULL;
        } else {
            *n = (size_t)cells;
        }
    }
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

/* The first columns of a per-trial row, from /replications when it has one
 * row per trial; returns 1 when the trial finished. */
static int trial_columns(exporter *ex, uint64_t row, size_t rows)
{
    if (ex->n_trials == rows) {
        const trial_key *k = &ex->trials[row];
        csv_u64(&ex->csv, k->trial);
        csv_u64(&ex->csv, k->scenario);
        csv_field(&ex->csv, scenario_name(ex, k->scenario));
        csv_u64(&ex->csv, k->replication);
        return k->status == 1;
    }
    csv_u64(&ex->csv, row);
    csv_empty(&ex->csv);
    csv_empty(&ex->csv);
    csv_empty(&ex->csv);
    return 1;
}

/* Rows of a [T, X] dataset: trial, scenario, scenario_name, replication,
 * then one column per X named by names[] (prefix.index when absent). */
static int export_matrix(exporter *ex, const char *path, char **names, size_t n_names, const char *prefix)
{
    hid_t set = H5Dopen2(ex->file, path, H5P_DEFAULT);
    hid_t fs = H5Dget_space(set);
    hsize_t dims[2] = {0, 0};
    int rc = 0;
    if (H5Sget_simple_extent_ndims(fs) != 2) {
        snprintf(ex->err, ex->err_size, "%s: %s is not a trial x column matrix", ex->path, path);
        rc = -1;
    } else {
        H5Sget_simple_extent_dims(fs, dims, NULL);
    }
    static const char *const keys[] = {"trial", "scenario", "scenario_name", "replication"};
    for (size_t i = 0; rc == 0 && i < 4; i++)
        csv_field(&ex->csv, keys[i]);
    for (hsize_t j = 0; rc == 0 && j < dims[1]; j++) {
        if (j < n_names) {
            csv_field(&ex->csv, names[j]);
        } else {
            char name[96];
            snprintf(name, sizeof name, "%s.%llu", prefix, (unsigned long long)j);
            csv_field(&ex->csv, name);
        }
    }
    if (rc == 0)
        csv_end_row(&ex->csv);
    size_t cols = (size_t)dims[1];
    double *buf = rc == 0 ? malloc((cols ? cols : 1) * 1024 * sizeof *buf) : NULL;
    if (rc == 0 && !buf)
        rc = -1;
    for (hsize_t start = 0; rc == 0 && start < dims[0]; start += 1024) {
        hsize_t cnt[2] = {dims[0] - start < 1024 ? dims[0] - start : 1024, dims[1]}, at[2] = {start, 0};
        if (cols > 0) {
            hid_t ms = H5Screate_simple(2, cnt, NULL);
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, at, NULL, cnt, NULL);
            if (H5Dread(set, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) < 0)
                rc = -1;
            H5Sclose(ms);
        }
        for (hsize_t r = 0; rc == 0 && r < cnt[0]; r++) {
            int done = trial_columns(ex, start + r, (size_t)dims[0]);
            for (size_t j = 0; j < cols; j++) {
                if (done)
                    csv_double(&ex->csv, buf[r * cols + j]);
                else
                    csv_empty(&ex->csv);
            }
            csv_end_row(&ex->csv);
        }
    }
    if (rc != 0 && !ex->err[0])
        snprintf(ex->err, ex->err_size, "%s: reading %s failed (damaged?)", ex->path, path);
    free(buf);
    H5Sclose(fs);
    H5Dclose(set);
    return rc;
}

/* ---- series, long ------------------------------------------------------- */

typedef struct series_set {
    char name[80];
    hid_t set;
    int rank;
    hsize_t dims[3];   /* trials, months, width */
    char **labels;     /* width metric names */
    double *block;     /* SERIES_BLOCK trials */
} series_set;

static herr_t collect_series_name(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    (void)group;
    (void)info;
    char (*names)[80] = data;
    size_t i = 0;
    while (i < MAX_SERIES && names[i][0])
        i++;
    if (i < MAX_SERIES && strlen(name) < 80)
        snprintf(names[i], 80, "%s", name);
    return 0;
}

/* The core's six first, in the order docs/OUTPUT.md lists them, then the
 * mechanisms' by name. */
static void order_series(char (*names)[80], size_t n)
{
    static const char *const core[] = {"referrals", "waiting", "active", "meetings", "utilisation", "exits"};
    size_t at = 0;
    for (size_t c = 0; c < 6; c++)
        for (size_t i = at; i < n; i++)
            if (strcmp(names[i], core[c]) == 0) {
                char t[80];
                memcpy(t, names[at], 80);
                memcpy(names[at], names[i], 80);
                memcpy(names[i], t, 80);
                at++;
                break;
            }
}

static int open_series(exporter *ex, series_set *s, const char *name)
{
    snprintf(s->name, sizeof s->name, "%s", name);
    char path[128];
    snprintf(path, sizeof path, "/series/%s", name);
    s->set = H5Dopen2(ex->file, path, H5P_DEFAULT);
    if (s->set < 0)
        return -1;
    hid_t sp = H5Dget_space(s->set);
    s->rank = H5Sget_simple_extent_ndims(sp);
    s->dims[2] = 1;
    if (s->rank == 2 || s->rank == 3)
        H5Sget_simple_extent_dims(sp, s->dims, NULL);
    H5Sclose(sp);
    if (s->rank != 2 && s->rank != 3) {
        snprintf(ex->err, ex->err_size, "%s: %s is not trials x months (x columns)", ex->path, path);
        return -1;
    }
    size_t width = (size_t)s->dims[2], n_attr = 0;
    char **attr = columns_attribute(s->set, &n_attr);
    s->labels = calloc(width ? width : 1, sizeof *s->labels);
    s->block = malloc(SERIES_BLOCK * (size_t)s->dims[1] * (width ? width : 1) * sizeof *s->block + 1);
    if (!s->labels || !s->block) {
        free_strings(attr, n_attr);
        return -1;
    }
    for (size_t w = 0; w < width; w++) {
        char label[200];
        if (s->rank == 2)
            snprintf(label, sizeof label, "%s", name);
        else if (w < n_attr)
            snprintf(label, sizeof label, "%s.%s", name, attr[w]);
        else if (strcmp(name, "exits") == 0 && w < ex->n_dest)
            snprintf(label, sizeof label, "%s.%s", name, ex->destinations[w]);
        else if (width == 1)
            snprintf(label, sizeof label, "%s", name);
        else
            snprintf(label, sizeof label, "%s.%zu", name, w);
        s->labels[w] = strdup(label);
        if (!s->labels[w]) {
            free_strings(attr, n_attr);
            return -1;
        }
    }
    free_strings(attr, n_attr);
    return 0;
}

static void close_series(series_set *s)
{
    if (s->set >= 0)
        H5Dclose(s->set);
    free_strings(s->labels, (size_t)s->dims[2]);
    free(s->block);
}

/* One series (only != NULL) or all of them, long. */
static int export_series(exporter *ex, const char *only)
{
    char (*names)[80] = calloc(MAX_SERIES, sizeof *names);
    series_set *sets = calloc(MAX_SERIES, sizeof *sets);
    size_t n = 0;
    int rc = names && sets ? 0 : -1;
    if (rc == 0 && only) {
        snprintf(names[0], 80, "%s", only);
        n = 1;
    } else if (rc == 0) {
        hid_t g = H5Gopen2(ex->file, "/series", H5P_DEFAULT);
        hsize_t idx = 0;
        if (g < 0 || H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_series_name, names) < 0)
            rc = -1;
        if (g >= 0)
            H5Gclose(g);
        while (n < MAX_SERIES && names[n][0])
            n++;
        order_series(names, n);
    }
    for (size_t i = 0; i < MAX_SERIES && sets; i++)
        sets[i].set = -1;
    hsize_t trials = 0, months = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (open_series(ex, &sets[i], names[i]) != 0) {
            rc = -1;
            break;
        }
        if (i == 0) {
            trials = sets[i].dims[0];
            months = sets[i].dims[1];
        } else if (sets[i].dims[0] != trials || sets[i].dims[1] != months) {
            snprintf(ex->err, ex->err_size, "%s: /series/%s has another shape than /series/%s", ex->path, names[i],
                     names[0]);
            rc = -1;
        }
    }
    static const char *const header[] = {"scenario", "scenario_name", "replication", "month", "metric", "value"};
    for (size_t i = 0; rc == 0 && i < 6; i++)
        csv_field(&ex->csv, header[i]);
    if (rc == 0)
        csv_end_row(&ex->csv);
    for (hsize_t start = 0; rc == 0 && start < trials; start += SERIES_BLOCK) {
        hsize_t count = trials - start < SERIES_BLOCK ? trials - start : SERIES_BLOCK;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            series_set *s = &sets[i];
            hsize_t at[3] = {start, 0, 0}, cnt[3] = {count, s->dims[1], s->dims[2]};
            hid_t fs = H5Dget_space(s->set), ms = H5Screate_simple(s->rank, cnt, NULL);
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, at, NULL, cnt, NULL);
            if (H5Dread(s->set, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, s->block) < 0)
                rc = -1;
            H5Sclose(ms);
            H5Sclose(fs);
        }
        for (hsize_t r = 0; rc == 0 && r < count; r++) {
            uint64_t row = start + r;
            int known = ex->n_trials == trials;
            const trial_key *k = known ? &ex->trials[row] : NULL;
            for (size_t i = 0; i < n; i++) {
                const series_set *s = &sets[i];
                size_t width = (size_t)s->dims[2];
                for (size_t w = 0; w < width; w++)
                    for (hsize_t m = 0; m < months; m++) {
                        if (k) {
                            csv_u64(&ex->csv, k->scenario);
                            csv_field(&ex->csv, scenario_name(ex, k->scenario));
                            csv_u64(&ex->csv, k->replication);
                        } else {
                            csv_empty(&ex->csv);
                            csv_empty(&ex->csv);
                            csv_u64(&ex->csv, row);
                        }
                        csv_u64(&ex->csv, m + 1);
                        csv_field(&ex->csv, s->labels[w]);
                        if (!k || k->status == 1)
                            csv_double(&ex->csv, s->block[(r * months + m) * width + w]);
                        else
                            csv_empty(&ex->csv);
                        csv_end_row(&ex->csv);
                    }
            }
        }
    }
    if (rc != 0 && !ex->err[0])
        snprintf(ex->err, ex->err_size, "%s: reading /series failed (damaged?)", ex->path);
    for (size_t i = 0; sets && i < n; i++)
        close_series(&sets[i]);
    free(sets);
    free(names);
    return rc;
}

/* ---- the study's small tables ------------------------------------------- */

static int export_destinations(exporter *ex)
{
    csv_field(&ex->csv, "index");
    csv_field(&ex->csv, "name");
    csv_end_row(&ex->csv);
    for (size_t i = 0; i < ex->n_dest; i++) {
        csv_u64(&ex->csv, i);
        csv_field(&ex->csv, ex->destinations[i]);
        csv_end_row(&ex->csv);
    }
    return 0;
}

/* A [S, K] dataset of doubles (NULL when absent or of another shape). */
static double *read_matrix(hid_t file, const char *path, size_t rows, size_t cols)
{
    if (!has_path(file, path))
        return NULL;
    hid_t set = H5Dopen2(file, path, H5P_DEFAULT);
    hid_t sp = H5Dget_space(set);
    hsize_t dims[2] = {0, 0};
    double *v = NULL;
    if (H5Sget_simple_extent_ndims(sp) == 2 && (H5Sget_simple_extent_dims(sp, dims, NULL), 1) && dims[0] == rows &&
        dims[1] == cols) {
        size_t cells = rows * cols;
        v = malloc((cells > 0 ? cells : 1) * sizeof *v);
        if (v && cells > 0 && H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            free(v);
            v = NULL;
        }
    }
    H5Sclose(sp);
    H5Dclose(set);
    return v;
}

/* scenario x key, long: /scenario_parameters by /parameter_names, or
 * /resolved (keys, text, value, is_default). */
static int export_keyed(exporter *ex, int resolved)
{
    size_t nk = 0, nt = 0;
    char **keys = read_strings(ex->file, resolved ? "/resolved/keys" : "/parameter_names", &nk);
    char **text = resolved ? read_strings(ex->file, "/resolved/text", &nt) : NULL;
    size_t S = ex->scenarios;
    double *value = keys ? read_matrix(ex->file, resolved ? "/resolved/value" : "/scenario_parameters", S, nk) : NULL;
    double *is_default = keys && resolved ? read_matrix(ex->file, "/resolved/is_default", S, nk) : NULL;
    int rc = 0;
    if (!keys) {
        snprintf(ex->err, ex->err_size, "%s: cannot read %s", ex->path, resolved ? "/resolved/keys" : "/parameter_names");
        rc = -1;
    }
    if (text && nt != S * nk) {
        free_strings(text, nt);
        text = NULL;
    }
    if (rc == 0) {
        csv_field(&ex->csv, "scenario");
        csv_field(&ex->csv, "scenario_name");
        csv_field(&ex->csv, "key");
        if (resolved)
            csv_field(&ex->csv, "text");
        csv_field(&ex->csv, "value");
        if (resolved)
            csv_field(&ex->csv, "is_default");
        csv_end_row(&ex->csv);
        for (size_t s = 0; s < S; s++)
            for (size_t k = 0; k < nk; k++) {
                csv_u64(&ex->csv, s);
                csv_field(&ex->csv, scenario_name(ex, s));
                csv_field(&ex->csv, keys[k]);
                if (resolved)
                    csv_field(&ex->csv, text ? text[s * nk + k] : "");
                if (value)
                    csv_double(&ex->csv, value[s * nk + k]);
                else
                    csv_empty(&ex->csv);
                if (resolved && is_default)
                    csv_double(&ex->csv, is_default[s * nk + k]);
                else if (resolved)
                    csv_empty(&ex->csv);
                csv_end_row(&ex->csv);
            }
    }
    free_strings(keys, nk);
    free_strings(text, nt);
    free(value);
    free(is_default);
    return rc;
}

static herr_t attribute_row(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    exporter *ex = data;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    hssize_t cells = H5Sget_simple_extent_npoints(sp);
    csv_field(&ex->csv, name);
    H5T_class_t cls = H5Tget_class(t);
    if (cls == H5T_STRING && cells == 1) {
        char *v = NULL;
        if (H5Tis_variable_str(t) > 0) {
            hid_t mem = H5Tcopy(H5T_C_S1);
            H5Tset_size(mem, H5T_VARIABLE);
            H5Tset_cset(mem, H5Tget_cset(t));
            if (H5Aread(a, mem, &v) >= 0 && v) {
                csv_field(&ex->csv, v);
                H5free_memory(v);
            } else {
                csv_empty(&ex->csv);
            }
            H5Tclose(mem);
        } else {
            size_t w = H5Tget_size(t);
            char *buf = calloc(w + 1, 1);
            if (buf && H5Aread(a, t, buf) >= 0)
                csv_field(&ex->csv, buf);
            else
                csv_empty(&ex->csv);
            free(buf);
        }
    } else if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && cells == 1) {
        if (cls == H5T_FLOAT) {
            double d;
            if (H5Aread(a, H5T_NATIVE_DOUBLE, &d) >= 0)
                csv_double(&ex->csv, d);
            else
                csv_empty(&ex->csv);
        } else if (H5Tget_sign(t) == H5T_SGN_NONE) {
            uint64_t u;
            if (H5Aread(a, H5T_NATIVE_UINT64, &u) >= 0)
                csv_u64(&ex->csv, u);
            else
                csv_empty(&ex->csv);
        } else {
            int64_t s;
            if (H5Aread(a, H5T_NATIVE_INT64, &s) >= 0)
                csv_i64(&ex->csv, s);
            else
                csv_empty(&ex->csv);
        }
    } else {
        csv_empty(&ex->csv); /* arrays and other kinds: no one-cell form */
    }
    csv_end_row(&ex->csv);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return 0;
}

static int export_attributes(exporter *ex)
{
    csv_field(&ex->csv, "name");
    csv_field(&ex->csv, "value");
    csv_end_row(&ex->csv);
    hsize_t idx = 0;
    return H5Aiterate2(ex->file, H5_INDEX_NAME, H5_ITER_INC, &idx, attribute_row, ex) < 0 ? -1 : 0;
}

/* ---- the catalogue ------------------------------------------------------ */

enum { T_COMPOUND, T_COMPOUND_NAMED, T_MATRIX_COLUMNS, T_EXITS, T_SERIES, T_ONE_SERIES, T_DEST, T_PARAMS,
       T_RESOLVED, T_ATTRS };

typedef struct table_info {
    const char *name;
    const char *path;    /* what must exist */
    int shape;
    const char *what;
} table_info;

static const table_info tables[] = {
    {"participants", "/participants", T_COMPOUND, "one row per participant record (see --records)"},
    {"replications", "/replications", T_COMPOUND_NAMED, "one row per trial: seed, status, per-trial metrics"},
    {"summary", "/summary", T_COMPOUND_NAMED, "per scenario and metric: mean, 95 % CI"},
    {"paired_differences", "/paired_differences", T_COMPOUND_NAMED, "scenario minus base, 95 % CI"},
    {"trial_extras", "/trial_extras", T_MATRIX_COLUMNS, "the mechanisms' numbers per trial"},
    {"exits_by_destination", "/exits_by_destination", T_EXITS, "exits after warm-up per trial and destination"},
    {"series", "/series", T_SERIES, "every monthly series, long: scenario, replication, month, metric, value"},
    {"money/trials", "/money/trials", T_MATRIX_COLUMNS, "the money ledger per trial"},
    {"money/summary", "/money/summary", T_COMPOUND_NAMED, "money metrics per scenario: mean, 95 % CI"},
    {"money/paired_differences", "/money/paired_differences", T_COMPOUND_NAMED, "money: scenario minus base"},
    {"scenarios", "/scenarios", T_COMPOUND, "the study's scenarios and their settings"},
    {"scenario_parameters", "/scenario_parameters", T_PARAMS, "each scenario's value of every key a scenario sets"},
    {"resolved", "/resolved/keys", T_RESOLVED, "every key of every scenario after defaults and overrides"},
    {"destinations", "/destinations", T_DEST, "exit destination names"},
    {"failures", "/failures", T_COMPOUND, "trials that failed and why"},
    {"attributes", "/", T_ATTRS, "the file's root attributes (study, seed, build, horizon ...)"},
};
#define N_TABLES (sizeof tables / sizeof tables[0])

static int table_present(hid_t file, const table_info *t)
{
    return strcmp(t->path, "/") == 0 || has_path(file, t->path);
}

/* "participants, replications, ..." of the tables the file has. */
static void present_names(hid_t file, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_TABLES && used < size; i++)
        if (table_present(file, &tables[i]))
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", tables[i].name);
    if (has_path(file, "/series") && used < size)
        snprintf(buf + used, size - used, ", series/NAME");
}

static void exporter_close(exporter *ex)
{
    free_strings(ex->scenario_names, ex->scenarios);
    free_strings(ex->destinations, ex->n_dest);
    free(ex->trials);
    if (ex->file >= 0)
        H5Fclose(ex->file);
}

static int exporter_open(exporter *ex, const char *path, char *err, size_t err_size)
{
    memset(ex, 0, sizeof *ex);
    ex->path = path;
    ex->err = err;
    ex->err_size = err_size;
    err[0] = '\0';
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    ex->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (ex->file < 0) {
        snprintf(err, err_size, "%s: cannot open as an HDF5 file (missing, unreadable or not HDF5)", path);
        return -1;
    }
    char format[64] = "";
    if (H5Aexists(ex->file, "format") > 0) {
        hid_t a = H5Aopen(ex->file, "format", H5P_DEFAULT);
        hid_t t = H5Aget_type(a);
        if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) <= 0 && H5Tget_size(t) < sizeof format)
            H5Aread(a, t, format);
        H5Tclose(t);
        H5Aclose(a);
    }
    if (strcmp(format, "caseflow-run") != 0) {
        snprintf(err, err_size, "%s: not a caseflow results file (no root attribute format = caseflow-run)", path);
        exporter_close(ex);
        return -1;
    }
    ex->scenario_names = read_member_strings(ex->file, "/scenarios", "name", &ex->scenarios);
    ex->destinations = read_strings(ex->file, "/destinations", &ex->n_dest);
    if (read_trials(ex) != 0) {
        snprintf(err, err_size, "%s: cannot read /replications (damaged?)", path);
        exporter_close(ex);
        return -1;
    }
    return 0;
}

static int finish(exporter *ex, FILE *out, int rc)
{
    if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
        snprintf(ex->err, ex->err_size, "writing the table failed");
        rc = CF_EXIT_OUTPUT;
    } else if (rc != 0) {
        rc = ferror(out) ? CF_EXIT_OUTPUT : CF_EXIT_INPUT;
    }
    exporter_close(ex);
    return rc;
}

int h5export_table(const char *path, const char *table, h5export_format format, FILE *out, char *err,
                   size_t err_size)
{
    exporter ex;
    if (exporter_open(&ex, path, err, err_size) != 0)
        return CF_EXIT_INPUT;
    csv_begin(&ex.csv, out, format == H5EXPORT_TSV ? '\t' : ',');
    const table_info *t = NULL;
    for (size_t i = 0; i < N_TABLES && !t; i++)
        if (strcmp(tables[i].name, table) == 0)
            t = &tables[i];
    const char *one = strncmp(table, "series/", 7) == 0 && table[7] && !strchr(table + 7, '/') ? table + 7 : NULL;
    char series_path[128];
    snprintf(series_path, sizeof series_path, "/%s", table);
    if ((!t && !one) || (t && !table_present(ex.file, t)) || (one && !has_path(ex.file, series_path))) {
        char have[1024];
        present_names(ex.file, have, sizeof have);
        snprintf(err, err_size, "%s: %s table '%s'; this file has: %s", path,
                 t || one ? "the file has no" : "there is no", table, have);
        return finish(&ex, out, -1);
    }
    int rc;
    if (one) {
        rc = export_series(&ex, one);
    } else {
        switch (t->shape) {
        case T_COMPOUND:
        case T_COMPOUND_NAMED:
            rc = export_compound(&ex, t->path, t->shape == T_COMPOUND_NAMED);
            break;
        case T_MATRIX_COLUMNS:
        case T_EXITS: {
            hid_t set = H5Dopen2(ex.file, t->path, H5P_DEFAULT);
            size_t n_names = 0;
            char **names = t->shape == T_EXITS ? NULL : columns_attribute(set, &n_names);
            H5Dclose(set);
            rc = export_matrix(&ex, t->path, t->shape == T_EXITS ? ex.destinations : names,
                               t->shape == T_EXITS ? ex.n_dest : n_names, t->shape == T_EXITS ? "destination" : "column");
            free_strings(names, n_names);
            break;
        }
        case T_SERIES:
            rc = export_series(&ex, NULL);
            break;
        case T_DEST:
            rc = export_destinations(&ex);
            break;
        case T_PARAMS:
        case T_RESOLVED:
            rc = export_keyed(&ex, t->shape == T_RESOLVED);
            break;
        default:
            rc = export_attributes(&ex);
        }
    }
    return finish(&ex, out, rc);
}

/* Rows table t would have. */
static unsigned long long table_rows(exporter *ex, const table_info *t)
{
    if (t->shape == T_ATTRS) {
        H5O_info_t info;
        return H5Oget_info2(ex->file, &info, H5O_INFO_NUM_ATTRS) >= 0 ? (unsigned long long)info.num_attrs : 0;
    }
    if (t->shape == T_DEST)
        return ex->n_dest;
    if (t->shape == T_PARAMS || t->shape == T_RESOLVED) {
        size_t nk = 0;
        char **keys = read_strings(ex->file, t->shape == T_RESOLVED ? "/resolved/keys" : "/parameter_names", &nk);
        free_strings(keys, nk);
        return (unsigned long long)(ex->scenarios * nk);
    }
    if (t->shape == T_SERIES) {
        unsigned long long rows = 0;
        char (*names)[80] = calloc(MAX_SERIES, sizeof *names);
        hid_t g = H5Gopen2(ex->file, "/series", H5P_DEFAULT);
        hsize_t idx = 0;
        if (names && g >= 0)
            H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_series_name, names);
        for (size_t i = 0; names && i < MAX_SERIES && names[i][0]; i++) {
            hid_t set = H5Dopen2(g, names[i], H5P_DEFAULT);
            hid_t sp = set >= 0 ? H5Dget_space(set) : -1;
            if (sp >= 0) {
                hssize_t cells = H5Sget_simple_extent_npoints(sp);
                rows += cells > 0 ? (unsigned long long)cells : 0;
                H5Sclose(sp);
            }
            if (set >= 0)
                H5Dclose(set);
        }
        if (g >= 0)
            H5Gclose(g);
        free(names);
        return rows;
    }
    hid_t set = H5Dopen2(ex->file, t->path, H5P_DEFAULT);
    hid_t sp = set >= 0 ? H5Dget_space(set) : -1;
    hsize_t dims[3] = {0, 0, 0};
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) >= 1)
        H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0)
        H5Sclose(sp);
    if (set >= 0)
        H5Dclose(set);
    return (unsigned long long)dims[0];
}

int h5export_list(const char *path, FILE *out, char *err, size_t err_size)
{
    exporter ex;
    if (exporter_open(&ex, path, err, err_size) != 0)
        return CF_EXIT_INPUT;
    fprintf(out, "table\trows\twhat\n");
    for (size_t i = 0; i < N_TABLES; i++)
        if (table_present(ex.file, &tables[i]))
            fprintf(out, "%s\t%llu\t%s\n", tables[i].name, table_rows(&ex, &tables[i]), tables[i].what);
    return finish(&ex, out, 0);
}
