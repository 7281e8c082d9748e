/*
 * io_merge.c — reading task files back and writing the merged study.
 */
#include "output/merge.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/h5out.h"
#include "output/results.h"
#include "scenario/config.h"
#include "output/money.h"

typedef struct part {
    const char *path;
    hid_t file;
    uint64_t first, count, total, digest;
    char version[128];
    char records[64];   /* participant_records: parts must agree */
    results_row *rows;
} part;

typedef struct where {
    int part;      /* -1: missing */
    uint64_t row;
} where;

static int read_attr(hid_t f, const char *name, hid_t type, void *v)
{
    if (H5Aexists(f, name) <= 0)
        return -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    herr_t rc = H5Aread(a, type, v);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

static int read_attr_string(hid_t f, const char *name, char *buf, size_t size)
{
    if (H5Aexists(f, name) <= 0)
        return -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    size_t len = H5Tget_size(t);
    char *tmp = calloc(len + 1, 1);
    herr_t rc = tmp ? H5Aread(a, t, tmp) : -1;
    if (rc >= 0)
        snprintf(buf, size, "%s", tmp);
    free(tmp);
    H5Tclose(t);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

/* A string attribute of any length, fixed or variable (malloc'ed). */
static int read_attr_alloc(hid_t f, const char *name, char **out)
{
    *out = NULL;
    if (H5Aexists(f, name) <= 0)
        return -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    herr_t rc = -1;
    if (H5Tis_variable_str(t) > 0) {
        char *v = NULL;
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        if (H5Aread(a, mt, &v) >= 0 && v) {
            *out = strdup(v);
            H5free_memory(v);
            rc = *out ? 0 : -1;
        }
        H5Tclose(mt);
    } else {
        size_t len = H5Tget_size(t);
        *out = calloc(len + 1, 1);
        rc = *out ? H5Aread(a, t, *out) : -1;
    }
    H5Tclose(t);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

static int open_part(part *p, char *err, size_t err_size)
{
    p->file = H5Fopen(p->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (p->file < 0) {
        snprintf(err, err_size, "%s: cannot open as an HDF5 file", p->path);
        return MERGE_BAD_INPUT;
    }
    char format[64] = "", rev[64] = "";
    int fv = 0;
    if (read_attr_string(p->file, "format", format, sizeof format) != 0 || strcmp(format, "caseflow-run") != 0 ||
        read_attr(p->file, "format_version", H5T_NATIVE_INT, &fv) != 0) {
        snprintf(err, err_size, "%s: not a caseflow results file", p->path);
        return MERGE_BAD_INPUT;
    }
    if (fv != H5OUT_FORMAT_VERSION) {
        snprintf(err, err_size, "%s: layout version %d, this program reads %d", p->path, fv, H5OUT_FORMAT_VERSION);
        return MERGE_REFUSED;
    }
    char ver[64] = "";
    if (read_attr(p->file, "first_trial", H5T_NATIVE_UINT64, &p->first) || read_attr(p->file, "trial_count", H5T_NATIVE_UINT64, &p->count) ||
        read_attr(p->file, "trials_total", H5T_NATIVE_UINT64, &p->total) || read_attr(p->file, "study_digest", H5T_NATIVE_UINT64, &p->digest) ||
        read_attr_string(p->file, "program_version", ver, sizeof ver) || read_attr_string(p->file, "git_revision", rev, sizeof rev)) {
        snprintf(err, err_size, "%s: a caseflow file without study attributes (damaged?)", p->path);
        return MERGE_BAD_INPUT;
    }
    snprintf(p->version, sizeof p->version, "%s (%s)", ver, rev);
    if (read_attr_string(p->file, "participant_records", p->records, sizeof p->records) != 0)
        snprintf(p->records, sizeof p->records, "all");
    p->rows = calloc(p->count ? p->count : 1, sizeof *p->rows);
    hid_t set = H5Dopen2(p->file, "/replications", H5P_DEFAULT);
    hid_t exits = H5Dopen2(p->file, "/exits_by_destination", H5P_DEFAULT);
    hid_t type = h5out_row_type();
    int rc = MERGE_OK;
    if (!p->rows || set < 0 || exits < 0 || (p->count && H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->rows) < 0)) {
        snprintf(err, err_size, "%s: cannot read its trials", p->path);
        rc = MERGE_BAD_INPUT;
    }
    if (rc == MERGE_OK && p->count) {
        hid_t sp = H5Dget_space(exits);
        hsize_t dims[2];
        H5Sget_simple_extent_dims(sp, dims, NULL);
        H5Sclose(sp);
        uint64_t *buf = malloc(dims[0] * dims[1] * sizeof *buf);
        if (!buf || dims[0] != p->count || dims[1] > 16 ||
            H5Dread(exits, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            snprintf(err, err_size, "%s: cannot read its exits", p->path);
            rc = MERGE_BAD_INPUT;
        } else {
            for (uint64_t i = 0; i < p->count; i++)
                memcpy(p->rows[i].exits_by_destination, &buf[i * dims[1]], dims[1] * sizeof *buf);
        }
        free(buf);
    }
    H5Tclose(type);
    if (set >= 0)
        H5Dclose(set);
    if (exits >= 0)
        H5Dclose(exits);
    return rc;
}

/* Row `row` of a 2-D double dataset (n columns). */
static int read_vector(hid_t file, const char *name, uint64_t row, double *values, size_t n)
{
    if ((strncmp(name, "/money/", 7) == 0 && H5Lexists(file, "/money", H5P_DEFAULT) <= 0) ||
        H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t fs = H5Dget_space(set);
    hsize_t dims[2] = {0, 0};
    int rc = -1;
    if (H5Sget_simple_extent_ndims(fs) == 2 && (H5Sget_simple_extent_dims(fs, dims, NULL), dims[1] == n) &&
        row < dims[0]) {
        hsize_t start[2] = {row, 0}, cnt[2] = {1, n};
        hid_t ms = H5Screate_simple(2, cnt, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL);
        rc = H5Dread(set, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, values) < 0 ? -1 : 0;
        H5Sclose(ms);
    }
    H5Sclose(fs);
    H5Dclose(set);
    return rc;
}

/* The study's base scenario, loaded again from the text and overrides the
 * file stores: the summaries need its mechanisms (sources, targets,
 * money), not only the file's shape. */
static int reload_base(hid_t f, config_scenario *sc, char *err, size_t err_size)
{
    char *text = NULL, *ov = NULL;
    int rc = -1;
    if (read_attr_alloc(f, "config_text", &text) != 0 || read_attr_alloc(f, "overrides", &ov) != 0) {
        snprintf(err, err_size, "the first part has no stored scenario text (damaged?)");
        goto out;
    }
    char path[] = "/tmp/caseflow-merge-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, err_size, "cannot create a temporary file to reload the scenario");
        goto out;
    }
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    const char *lines[256];
    int nl = 0;
    for (char *save = NULL, *l = strtok_r(ov, "\n", &save); l && nl < 256; l = strtok_r(NULL, "\n", &save))
        lines[nl++] = l;
    config_error cerr;
    if (ok && config_load(sc, path, lines, nl, &cerr) == 0)
        rc = 0;
    else
        snprintf(err, err_size, "the scenario stored in the first part does not load again: %s",
                 ok ? cerr.message : "cannot write it");
    unlink(path);
out:
    free(text);
    free(ov);
    return rc;
}

static int copy_participants(h5out *out, hid_t file)
{
    hid_t set = H5Dopen2(file, "/participants", H5P_DEFAULT);
    if (set < 0)
        return -1;
    hid_t type = h5out_participant_type();
    hid_t fs = H5Dget_space(set);
    hsize_t n = (hsize_t)H5Sget_simple_extent_npoints(fs);
    const hsize_t chunk = 65536;
    model_participant *buf = malloc(chunk * sizeof *buf);
    int rc = buf ? 0 : -1;
    for (hsize_t start = 0; rc == 0 && start < n; start += chunk) {
        hsize_t cnt = n - start < chunk ? n - start : chunk;
        hid_t ms = H5Screate_simple(1, &cnt, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &cnt, NULL);
        if (H5Dread(set, type, ms, fs, H5P_DEFAULT, buf) < 0)
            rc = -1;
        H5Sclose(ms);
        for (hsize_t i = 0; rc == 0 && i < cnt; i++)
            rc = h5out_add_participant(out, &buf[i]);
    }
    free(buf);
    H5Sclose(fs);
    H5Tclose(type);
    H5Dclose(set);
    return rc;
}

static int by_first(const void *a, const void *b)
{
    const part *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* Lists up to a few trial numbers in a message. */
static void list_trials(char *buf, size_t size, const uint64_t *t, size_t n)
{
    size_t used = 0;
    for (size_t i = 0; i < n && i < 8 && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%llu", i ? ", " : "", (unsigned long long)t[i]);
    if (n > 8 && used < size)
        snprintf(buf + used, size - used, " and %zu more", n - 8);
}

int merge_files(const char *out_path, const char *const *paths, int n, char *err, size_t err_size)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    part *parts = calloc((size_t)n, sizeof *parts);
    if (!parts) {
        snprintf(err, err_size, "out of memory");
        return MERGE_OUTPUT;
    }
    int rc = MERGE_OK;
    for (int i = 0; i < n; i++)
        parts[i].file = -1;
    for (int i = 0; i < n && rc == MERGE_OK; i++) {
        parts[i].path = paths[i];
        rc = open_part(&parts[i], err, err_size);
    }
    for (int i = 1; i < n && rc == MERGE_OK; i++) {
        if (parts[i].digest != parts[0].digest || parts[i].total != parts[0].total) {
            snprintf(err, err_size, "%s and %s are from different studies (or their inputs changed between tasks)",
                     parts[0].path, parts[i].path);
            rc = MERGE_REFUSED;
        } else if (strcmp(parts[i].version, parts[0].version) != 0) {
            snprintf(err, err_size, "%s was written by caseflow %s, %s by %s; merge parts of one build", parts[0].path,
                     parts[0].version, parts[i].path, parts[i].version);
            rc = MERGE_REFUSED;
        } else if (strcmp(parts[i].records, parts[0].records) != 0) {
            snprintf(err, err_size, "%s keeps participant records '%s', %s '%s' (caseflow run --records); merge parts "
                     "run alike", parts[0].path, parts[0].records, parts[i].path, parts[i].records);
            rc = MERGE_REFUSED;
        }
    }
    uint64_t total = n > 0 ? parts[0].total : 0;
    where *index = NULL;
    if (rc == MERGE_OK) {
        index = malloc((total ? total : 1) * sizeof *index);
        uint64_t *missing = malloc((total ? total : 1) * sizeof *missing);
        uint64_t *dup = malloc((total ? total : 1) * sizeof *dup);
        uint64_t *unfinished = malloc((total ? total : 1) * sizeof *unfinished);
        size_t nm = 0, nd = 0, nu = 0;
        if (!index || !missing || !dup || !unfinished) {
            snprintf(err, err_size, "out of memory indexing %llu trials", (unsigned long long)total);
            rc = MERGE_OUTPUT;
        } else {
            for (uint64_t t = 0; t < total; t++)
                index[t].part = -1;
            for (int i = 0; i < n; i++)
                for (uint64_t r = 0; r < parts[i].count; r++) {
                    uint64_t t = parts[i].first + r;
                    if (t >= total)
                        continue;
                    if (parts[i].rows[r].status != RESULTS_DONE) {
                        unfinished[nu++] = t;
                        continue;
                    }
                    if (index[t].part >= 0) {
                        dup[nd++] = t;
                        continue;
                    }
                    index[t].part = i;
                    index[t].row = r;
                }
            for (uint64_t t = 0; t < total; t++)
                if (index[t].part < 0)
                    missing[nm++] = t;
            char list[256];
            if (nd) {
                list_trials(list, sizeof list, dup, nd);
                snprintf(err, err_size, "refusing to merge: %zu trial(s) appear more than once: %s", nd, list);
                rc = MERGE_REFUSED;
            } else if (nm) {
                list_trials(list, sizeof list, missing, nm);
                snprintf(err, err_size, "refusing to merge an incomplete study: %zu of %llu trials missing or unfinished: %s",
                         nm, (unsigned long long)total, list);
                rc = MERGE_REFUSED;
            }
        }
        free(missing);
        free(dup);
        free(unfinished);
    }
    h5out *out = NULL;
    config_scenario base;
    memset(&base, 0, sizeof base);
    int have_base = 0;
    if (rc == MERGE_OK) {
        if (reload_base(parts[0].file, &base, err, err_size) != 0)
            rc = MERGE_BAD_INPUT;
        else
            have_base = 1;
    }
    if (rc == MERGE_OK) {
        out = h5out_create_like(out_path, parts[0].file, 0, total, err, err_size);
        if (!out)
            rc = MERGE_OUTPUT;
    }
    const model_params *shape = &base.model;
    size_t n_extras = have_base ? results_extras_names(shape, NULL) : 0;
    size_t n_money = have_base && base.money.enabled ? money_row_columns(&base.money, NULL) : 0;
    double extras[RESULTS_MAX_EXTRAS], money_values[MONEY_MAX_COLUMNS];
    results_row *rows = rc == MERGE_OK ? malloc((total ? total : 1) * sizeof *rows) : NULL;
    money_row *money = rc == MERGE_OK && n_money ? calloc(total ? total : 1, sizeof *money) : NULL;
    if (rc == MERGE_OK && (!rows || (n_money && !money))) {
        snprintf(err, err_size, "out of memory");
        rc = MERGE_OUTPUT;
    }
    for (uint64_t t = 0; rc == MERGE_OK && t < total; t++) {
        part *p = &parts[index[t].part];
        rows[t] = p->rows[index[t].row];
        if (h5out_write_trial(out, &rows[t], NULL, NULL, NULL) != 0 ||
            h5out_copy_trial_data(p->file, index[t].row, out, t) != 0) {
            snprintf(err, err_size, "%s: copying trial %llu failed", out_path, (unsigned long long)t);
            rc = MERGE_OUTPUT;
            break;
        }
        if (n_extras && read_vector(p->file, "/trial_extras", index[t].row, extras, n_extras) == 0)
            results_extras_unpack(&rows[t], shape, extras);
        if (n_money && read_vector(p->file, "/money/trials", index[t].row, money_values, n_money) == 0) {
            money_row_unpack(&money[t], &base.money, money_values);
            money[t].scenario = rows[t].scenario;
            money[t].replication = rows[t].replication;
        }
    }
    /* Participants in trial order: parts are contiguous slices, so their
     * tables concatenated by first trial are in the order one process
     * would have written them. */
    if (rc == MERGE_OK) {
        qsort(parts, (size_t)n, sizeof *parts, by_first);
        for (int i = 0; i < n && rc == MERGE_OK; i++)
            if (copy_participants(out, parts[i].file) != 0) {
                snprintf(err, err_size, "%s: copying participants of %s failed", out_path, parts[i].path);
                rc = MERGE_OUTPUT;
            }
    }
    if (rc == MERGE_OK) {
        int scenarios = 0, crn = 1;
        read_attr(parts[0].file, "scenarios", H5T_NATIVE_INT, &scenarios);
        read_attr(parts[0].file, "common_random_numbers", H5T_NATIVE_INT, &crn);
        results_summary *sum = NULL;
        results_difference *diff = NULL;
        size_t ns = 0, nd = 0;
        if (results_summarise(rows, total, scenarios, shape, crn, &sum, &ns, &diff, &nd) != 0 ||
            h5out_write_summaries(out, "", sum, ns, diff, nd) != 0) {
            snprintf(err, err_size, "%s: writing summaries failed", out_path);
            rc = MERGE_OUTPUT;
        }
        free(sum);
        free(diff);
        if (rc == MERGE_OK && n_money) {
            sum = NULL;
            diff = NULL;
            if (money_summarise(money, total, scenarios, &base.money, crn, &sum, &ns, &diff, &nd) != 0 ||
                h5out_write_summaries(out, "/money", sum, ns, diff, nd) != 0) {
                snprintf(err, err_size, "%s: writing money summaries failed", out_path);
                rc = MERGE_OUTPUT;
            }
            free(sum);
            free(diff);
        }
    }
    if (rc == MERGE_OK) {
        if (h5out_finish(out, err, err_size) != 0)
            rc = MERGE_OUTPUT;
        out = NULL;
    }
    if (out)
        h5out_abort(out);
    free(rows);
    free(money);
    if (have_base)
        config_scenario_free(&base);
    free(index);
    for (int i = 0; i < n; i++) {
        if (parts[i].file >= 0)
            H5Fclose(parts[i].file);
        free(parts[i].rows);
    }
    free(parts);
    return rc;
}
