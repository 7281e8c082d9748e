/*
 * merge.c — reading task files back, checking them against each other and
 * themselves, and writing the merged study.
 *
 * A part is refused (exit 4, naming it) when its tables contradict its
 * attributes or the first part: rows that do not name their own trial,
 * per-trial datasets of another shape, other destinations, participant
 * records that do not match their rows' referral counts. Every check but
 * the last is made before anything is written; the records are checked as
 * they are copied, since reading them twice would double a merge's I/O.
 */
#include "output/merge.h"
#include "output/sensitivity.h"
#include "output/diagnostics.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/h5out.h"
#include "output/results.h"
#include "scenario/config.h"
#include "output/money.h"
#include "output/record_policy.h"

typedef struct part {
    const char *path;
    hid_t file;
    uint64_t first, count, total, digest;
    int replications, scenarios, months;
    char version[128];
    char records[64];   /* participant_records: parts must agree */
    record_policy policy;  /* records parsed: how many each trial keeps */
    results_row *rows;
    int destination_count;
    char destinations[MODEL_MAX_DESTINATIONS][MODEL_NAME_LEN];
} part;

/* A part whose content contradicts itself or the other parts: refused,
 * naming it, before anything of it reaches the merged file. */
static int damaged(const part *p, char *err, size_t err_size, const char *what)
{
    snprintf(err, err_size, "%s: %s (damaged or edited?); refusing to merge it", p->path, what);
    return CF_EXIT_MERGE;
}

/* The rank (1 to 3) of dataset name with its dimensions, 0 when there is
 * no such dataset, -1 when it is not a readable one. */
static int dataset_dims(hid_t f, const char *name, hsize_t *dims)
{
    if (strncmp(name, "/money/", 7) == 0 && H5Lexists(f, "/money", H5P_DEFAULT) <= 0)
        return 0;
    htri_t there = H5Lexists(f, name, H5P_DEFAULT);
    if (there <= 0)
        return there == 0 ? 0 : -1;
    hid_t set = H5Dopen2(f, name, H5P_DEFAULT);
    if (set < 0)
        return -1;
    hid_t sp = H5Dget_space(set);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (rank < 1 || rank > 3)
        rank = -1;
    else
        H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(set);
    return rank;
}

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
        H5Tset_cset(mt, H5Tget_cset(t)); /* HDF5 does not convert between character sets */
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
        return CF_EXIT_INPUT;
    }
    char format[64] = "", rev[64] = "";
    int fv = 0;
    if (read_attr_string(p->file, "format", format, sizeof format) != 0 || strcmp(format, "caseflow-run") != 0 ||
        read_attr(p->file, "format_version", H5T_NATIVE_INT, &fv) != 0) {
        snprintf(err, err_size, "%s: not a caseflow results file", p->path);
        return CF_EXIT_INPUT;
    }
    if (fv != H5OUT_FORMAT_VERSION) {
        snprintf(err, err_size, "%s: layout version %d, this program reads %d", p->path, fv, H5OUT_FORMAT_VERSION);
        return CF_EXIT_MERGE;
    }
    char ver[64] = "";
    if (read_attr(p->file, "first_trial", H5T_NATIVE_UINT64, &p->first) || read_attr(p->file, "trial_count", H5T_NATIVE_UINT64, &p->count) ||
        read_attr(p->file, "trials_total", H5T_NATIVE_UINT64, &p->total) || read_attr(p->file, "study_digest", H5T_NATIVE_UINT64, &p->digest) ||
        read_attr_string(p->file, "program_version", ver, sizeof ver) || read_attr_string(p->file, "git_revision", rev, sizeof rev)) {
        snprintf(err, err_size, "%s: a caseflow file without study attributes (damaged?)", p->path);
        return CF_EXIT_INPUT;
    }
    snprintf(p->version, sizeof p->version, "%s (%s)", ver, rev);
    if (read_attr(p->file, "replications", H5T_NATIVE_INT, &p->replications) ||
        read_attr(p->file, "scenarios", H5T_NATIVE_INT, &p->scenarios) ||
        read_attr(p->file, "horizon_months", H5T_NATIVE_INT, &p->months) || p->replications < 1 || p->scenarios < 1) {
        snprintf(err, err_size, "%s: a caseflow file without study attributes (damaged?)", p->path);
        return CF_EXIT_INPUT;
    }
    /* Shapes first: the tables are read whole into buffers sized by the
     * attributes. */
    hsize_t dims[3];
    char what[256];
    if (dataset_dims(p->file, "/replications", dims) != 1 || dims[0] != p->count) {
        snprintf(what, sizeof what, "its /replications is missing or does not have its %llu trials' rows",
                 (unsigned long long)p->count);
        return damaged(p, err, err_size, what);
    }
    if (dataset_dims(p->file, "/destinations", dims) != 1 || dims[0] < 1 || dims[0] > MODEL_MAX_DESTINATIONS)
        return damaged(p, err, err_size, "its /destinations is missing or has no names");
    p->destination_count = (int)dims[0];
    if (dataset_dims(p->file, "/exits_by_destination", dims) != 2 || dims[0] != p->count ||
        dims[1] != (hsize_t)p->destination_count)
        return damaged(p, err, err_size, "its /exits_by_destination is missing or not one row per trial and destination");
    if (dataset_dims(p->file, "/participants", dims) != 1)
        return damaged(p, err, err_size, "its /participants is missing or not a table");
    hid_t name_t = H5Tcopy(H5T_C_S1);
    H5Tset_size(name_t, MODEL_NAME_LEN);
    H5Tset_cset(name_t, H5T_CSET_UTF8); /* as h5out writes text; HDF5 does not convert ASCII <-> UTF-8 */
    hid_t names = H5Dopen2(p->file, "/destinations", H5P_DEFAULT);
    herr_t names_read = names >= 0 ? H5Dread(names, name_t, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->destinations) : -1;
    if (names >= 0)
        H5Dclose(names);
    H5Tclose(name_t);
    if (names_read < 0)
        return damaged(p, err, err_size, "its /destinations cannot be read");
    /* participant_records: files from before --records kept them all */
    if (read_attr_string(p->file, "participant_records", p->records, sizeof p->records) != 0)
        snprintf(p->records, sizeof p->records, "all");
    char policy_err[160];
    if (record_policy_parse(p->records, &p->policy, policy_err, sizeof policy_err) != 0)
        return damaged(p, err, err_size, "its participant_records attribute is not all, none or sample=N");
    p->rows = calloc(p->count ? p->count : 1, sizeof *p->rows);
    hid_t set = H5Dopen2(p->file, "/replications", H5P_DEFAULT);
    hid_t exits = H5Dopen2(p->file, "/exits_by_destination", H5P_DEFAULT);
    hid_t type = h5out_row_type();
    int rc = CF_EXIT_OK;
    if (!p->rows || set < 0 || exits < 0 || (p->count && H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->rows) < 0)) {
        snprintf(err, err_size, "%s: cannot read its trials", p->path);
        rc = CF_EXIT_INPUT;
    }
    if (rc == CF_EXIT_OK && p->count) {
        /* the shape was checked above */
        dims[0] = p->count;
        dims[1] = (hsize_t)p->destination_count;
        uint64_t *buf = malloc(dims[0] * dims[1] * sizeof *buf);
        if (!buf || H5Dread(exits, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            snprintf(err, err_size, "%s: cannot read its exits", p->path);
            rc = CF_EXIT_INPUT;
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
    /* Each row names its own trial, and a finished one the scenario and
     * replication that trial index stands for. */
    for (uint64_t r = 0; rc == CF_EXIT_OK && r < p->count; r++) {
        const results_row *row = &p->rows[r];
        uint64_t trial = p->first + r;
        int finished = row->status == RESULTS_DONE;
        if (row->trial != trial ||
            (finished && (row->scenario >= (uint32_t)p->scenarios || row->replication >= (uint32_t)p->replications ||
                          (uint64_t)row->scenario * (uint64_t)p->replications + row->replication != trial))) {
            snprintf(what, sizeof what, "row %llu of its /replications should be trial %llu but says trial %llu "
                     "(scenario %u, replication %u)", (unsigned long long)r, (unsigned long long)trial,
                     (unsigned long long)row->trial, row->scenario, row->replication);
            rc = damaged(p, err, err_size, what);
        }
    }
    return rc;
}

/* Names of the datasets in /series, for comparing parts. */
typedef struct series_names {
    int count;
    char name[64][80];
} series_names;

static herr_t collect_name(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    (void)group;
    (void)info;
    series_names *sn = data;
    if (sn->count == 64 || strlen(name) > 70)
        return -1;
    snprintf(sn->name[sn->count++], sizeof sn->name[0], "/series/%s", name);
    return 0;
}

/* The per-trial datasets besides the rows — every /series dataset,
 * /trial_extras, /money/trials — are in part p as in the first part (same
 * names, same shape but for the first axis), one row per trial of p's
 * slice, so copying a row can neither fail half way nor read past a table.
 * The destinations must be the same too. Returns 0 or the class. */
static int check_like_first(const part *p, const part *first, char *err, size_t err_size)
{
    char what[256];
    if (p->destination_count != first->destination_count ||
        memcmp(p->destinations, first->destinations, sizeof p->destinations[0] * (size_t)p->destination_count) != 0) {
        snprintf(what, sizeof what, "its destinations differ from those of %s", first->path);
        return damaged(p, err, err_size, what);
    }
    series_names mine, theirs;
    mine.count = theirs.count = 0;
    hsize_t idx = 0;
    if (H5Lexists(p->file, "/series", H5P_DEFAULT) <= 0 ||
        H5Literate_by_name(p->file, "/series", H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &mine, H5P_DEFAULT) < 0)
        return damaged(p, err, err_size, "its /series group is missing or unreadable");
    idx = 0;
    if (H5Literate_by_name(first->file, "/series", H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &theirs,
                           H5P_DEFAULT) < 0)
        return damaged(first, err, err_size, "its /series group is unreadable");
    /* Its own series first: the core's six are in every file, and each
     * series has a row per trial and a column per month. */
    static const char *const core[] = {"/series/referrals", "/series/waiting", "/series/active",
                                       "/series/meetings", "/series/utilisation", "/series/exits"};
    for (size_t c = 0; c < sizeof core / sizeof core[0]; c++) {
        int found = 0;
        for (int i = 0; i < mine.count && !found; i++)
            found = strcmp(mine.name[i], core[c]) == 0;
        if (!found) {
            snprintf(what, sizeof what, "its %s is missing", core[c]);
            return damaged(p, err, err_size, what);
        }
    }
    for (int i = 0; i < mine.count; i++) {
        hsize_t dims[3];
        if (dataset_dims(p->file, mine.name[i], dims) < 2 || dims[0] != p->count || dims[1] != (hsize_t)p->months) {
            snprintf(what, sizeof what, "its %s is not one row per trial and one column per month", mine.name[i]);
            return damaged(p, err, err_size, what);
        }
    }
    if (mine.count != theirs.count) {
        snprintf(what, sizeof what, "it has %d /series datasets, %s has %d: one of the two", mine.count, first->path,
                 theirs.count);
        return damaged(p, err, err_size, what);
    }
    static const char *const vectors[] = {"/trial_extras", "/money/trials"};
    for (int i = 0; i < mine.count + 2; i++) {
        const char *name = i < mine.count ? theirs.name[i] : vectors[i - mine.count];
        hsize_t dims[3] = {0, 0, 0}, want[3] = {0, 0, 0};
        int rank = dataset_dims(p->file, name, dims), want_rank = dataset_dims(first->file, name, want);
        if (want_rank < 0)
            continue; /* the first part's own problem, found when it is checked against itself */
        int same = rank == want_rank && (rank == 0 || dims[0] == p->count);
        for (int d = 1; same && d < rank; d++)
            same = dims[d] == want[d];
        if (!same) {
            snprintf(what, sizeof what, "its %s is missing or not shaped as in %s (one row per trial)", name,
                     first->path);
            return damaged(p, err, err_size, what);
        }
    }
    return CF_EXIT_OK;
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
 * file stores (from memory: merge never reads the scenario's files): the
 * summaries need its mechanisms (sources, targets, money), not only the
 * file's shape. */
static int reload_base(hid_t f, config_scenario *sc, char *err, size_t err_size)
{
    char *text = NULL, *ov = NULL, *name = NULL;
    int rc = -1;
    if (read_attr_alloc(f, "config_text", &text) != 0 || read_attr_alloc(f, "overrides", &ov) != 0) {
        snprintf(err, err_size, "the first part has no stored scenario text (damaged?)");
        goto out;
    }
    const char *lines[256];
    int nl = 0;
    for (char *save = NULL, *l = strtok_r(ov, "\n", &save); l && nl < 256; l = strtok_r(NULL, "\n", &save))
        lines[nl++] = l;
    config_error cerr;
    if (read_attr_alloc(f, "config_path", &name) != 0) {
        free(name);
        name = NULL;
    }
    if (config_load_text(sc, name ? name : "config_text", text, lines, nl, &cerr) == 0)
        rc = 0;
    else
        snprintf(err, err_size, "the scenario stored in the first part does not load again: %s", cerr.message);
out:
    free(text);
    free(ov);
    free(name);
    return rc;
}

/* A sensitivity study's indices, computed from the merged summaries as the
 * run computes them from its own (output/sensitivity.h): the design is read
 * again from the stored study text. Nothing to do for other studies. */
static int merge_sensitivity(hid_t first, h5out *out, const results_summary *sum, size_t ns, int scenarios,
                             const char *out_path, char *err, size_t err_size)
{
    char *text = NULL;
    if (read_attr_alloc(first, "study_text", &text) != 0) {
        free(text);
        return CF_EXIT_OK; /* a plain scenario's file */
    }
    study_sensitivity spec;
    config_error cerr;
    int rc = CF_EXIT_OK;
    char msg[512];
    if (study_sobol_from_text(text, &spec, &cerr) != 0) {
        snprintf(err, err_size, "the stored study's sensitivity design does not load again: %s", cerr.message);
        rc = CF_EXIT_MERGE;
    } else if (spec.enabled) {
        sensitivity_result *r = malloc(sizeof *r);
        if (!r || sensitivity_compute(&spec, sum, ns, scenarios, r, msg, sizeof msg) != 0) {
            snprintf(err, err_size, "%s: the sensitivity indices: %s", out_path, r ? msg : "out of memory");
            rc = r ? CF_EXIT_MERGE : CF_EXIT_INTERNAL;
        } else if (sensitivity_write(h5out_file(out), r) != 0) {
            snprintf(err, err_size, "%s: writing /sensitivity failed", out_path);
            rc = CF_EXIT_OUTPUT;
        }
        free(r);
    }
    free(text);
    return rc;
}

/* The records of one trial seen so far agree with its row: as many as it
 * had referrals, or as many of them as the part's --records kept (none, or
 * sample=N: N, fewer when the trial had fewer). Returns 0 or the class. */
static int check_record_count(const part *p, uint64_t trial, uint64_t seen, char *err, size_t err_size)
{
    uint64_t want = p->rows[trial - p->first].referrals;
    if (p->policy.mode == RECORDS_NONE)
        want = 0;
    else if (p->policy.mode == RECORDS_SAMPLE && p->policy.sample < want)
        want = p->policy.sample;
    if (seen == want)
        return CF_EXIT_OK;
    char what[256];
    snprintf(what, sizeof what, "its /participants holds %llu records of trial %llu, its /replications row %llu "
             "referrals, of which records '%s' keeps %llu", (unsigned long long)seen, (unsigned long long)trial,
             (unsigned long long)p->rows[trial - p->first].referrals, p->records, (unsigned long long)want);
    return damaged(p, err, err_size, what);
}

/* Copies part p's participant records, checking on the way that they come
 * trial by trial, each trial finished in p and with as many records as its
 * row has referrals (a trial without records must have had none). Returns
 * 0 or the class with err filled. */
static int copy_participants(h5out *out, const part *p, const char *out_path, char *err, size_t err_size)
{
    hid_t set = H5Dopen2(p->file, "/participants", H5P_DEFAULT);
    if (set < 0)
        return damaged(p, err, err_size, "its /participants cannot be opened");
    hid_t type = h5out_participant_type();
    hid_t fs = H5Dget_space(set);
    hsize_t n = (hsize_t)H5Sget_simple_extent_npoints(fs);
    const hsize_t chunk = 65536;
    model_participant *buf = malloc(chunk * sizeof *buf);
    int rc = CF_EXIT_OK;
    char what[256];
    if (!buf) {
        snprintf(err, err_size, "out of memory");
        rc = CF_EXIT_INTERNAL;
    }
    uint64_t next = p->first, seen = 0; /* the trial whose records come now */
    for (hsize_t start = 0; rc == CF_EXIT_OK && start < n; start += chunk) {
        hsize_t cnt = n - start < chunk ? n - start : chunk;
        hid_t ms = H5Screate_simple(1, &cnt, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &cnt, NULL);
        if (H5Dread(set, type, ms, fs, H5P_DEFAULT, buf) < 0)
            rc = damaged(p, err, err_size, "its /participants cannot be read");
        H5Sclose(ms);
        for (hsize_t i = 0; rc == CF_EXIT_OK && i < cnt; i++) {
            uint64_t t = (uint64_t)buf[i].scenario * (uint64_t)p->replications + buf[i].replication;
            if (buf[i].replication >= (uint32_t)p->replications || t < next || t >= p->first + p->count) {
                snprintf(what, sizeof what, "participant record %llu belongs to trial %llu, out of trial order or "
                         "outside its trials %llu..%llu", (unsigned long long)(start + i), (unsigned long long)t,
                         (unsigned long long)p->first, (unsigned long long)(p->first + p->count - 1));
                rc = damaged(p, err, err_size, what);
                break;
            }
            /* Trials passed over had no records: their rows must agree. */
            for (; next < t && rc == CF_EXIT_OK; next++, seen = 0)
                rc = check_record_count(p, next, seen, err, err_size);
            if (rc == CF_EXIT_OK && p->rows[t - p->first].status != RESULTS_DONE) {
                snprintf(what, sizeof what, "its /participants holds records of trial %llu, which is not finished",
                         (unsigned long long)t);
                rc = damaged(p, err, err_size, what);
            }
            seen++;
            if (rc == CF_EXIT_OK && h5out_add_participant(out, &buf[i]) != 0) {
                snprintf(err, err_size, "%s: %s", out_path, h5out_last_error(out));
                rc = h5out_error_class(out);
            }
        }
    }
    for (; rc == CF_EXIT_OK && next < p->first + p->count; next++, seen = 0)
        if (p->rows[next - p->first].status == RESULTS_DONE)
            rc = check_record_count(p, next, seen, err, err_size);
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

int merge_files(const char *out_path, const char *const *paths, int n, int replace, char *err, size_t err_size)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    part *parts = calloc((size_t)n, sizeof *parts);
    if (!parts) {
        snprintf(err, err_size, "out of memory");
        return CF_EXIT_INTERNAL;
    }
    int rc = CF_EXIT_OK;
    for (int i = 0; i < n; i++)
        parts[i].file = -1;
    for (int i = 0; i < n && rc == CF_EXIT_OK; i++) {
        parts[i].path = paths[i];
        rc = open_part(&parts[i], err, err_size);
    }
    for (int i = 1; i < n && rc == CF_EXIT_OK; i++) {
        if (parts[i].digest != parts[0].digest || parts[i].total != parts[0].total) {
            snprintf(err, err_size, "%s and %s are from different studies (or their inputs changed between tasks)",
                     parts[0].path, parts[i].path);
            rc = CF_EXIT_MERGE;
        } else if (strcmp(parts[i].version, parts[0].version) != 0) {
            snprintf(err, err_size, "%s was written by caseflow %s, %s by %s; merge parts of one build", parts[0].path,
                     parts[0].version, parts[i].path, parts[i].version);
            rc = CF_EXIT_MERGE;
        } else if (strcmp(parts[i].records, parts[0].records) != 0) {
            snprintf(err, err_size, "%s keeps participant records '%s', %s '%s' (caseflow run --records); merge parts "
                     "run alike", parts[0].path, parts[0].records, parts[i].path, parts[i].records);
            rc = CF_EXIT_MERGE;
        }
    }
    for (int i = 0; i < n && rc == CF_EXIT_OK; i++)
        rc = check_like_first(&parts[i], &parts[0], err, err_size);
    uint64_t total = n > 0 ? parts[0].total : 0;
    where *index = NULL;
    if (rc == CF_EXIT_OK) {
        index = malloc((total ? total : 1) * sizeof *index);
        uint64_t *missing = malloc((total ? total : 1) * sizeof *missing);
        uint64_t *dup = malloc((total ? total : 1) * sizeof *dup);
        uint64_t *unfinished = malloc((total ? total : 1) * sizeof *unfinished);
        size_t nm = 0, nd = 0, nu = 0;
        if (!index || !missing || !dup || !unfinished) {
            snprintf(err, err_size, "out of memory indexing %llu trials", (unsigned long long)total);
            rc = CF_EXIT_INTERNAL;
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
                rc = CF_EXIT_MERGE;
            } else if (nm) {
                list_trials(list, sizeof list, missing, nm);
                snprintf(err, err_size, "refusing to merge an incomplete study: %zu of %llu trials missing or unfinished: %s",
                         nm, (unsigned long long)total, list);
                rc = CF_EXIT_MERGE;
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
    if (rc == CF_EXIT_OK) {
        if (reload_base(parts[0].file, &base, err, err_size) != 0)
            rc = CF_EXIT_INPUT;
        else
            have_base = 1;
    }
    if (rc == CF_EXIT_OK) {
        out = h5out_create_like(out_path, parts[0].file, 0, total, err, err_size);
        if (!out)
            rc = CF_EXIT_OUTPUT;
        else
            h5out_allow_replace(out, replace);
    }
    const model_params *shape = &base.model;
    size_t n_extras = have_base ? results_extras_names(shape, NULL) : 0;
    size_t n_money = have_base && base.money.enabled ? money_row_columns(&base.money, NULL) : 0;
    double extras[RESULTS_MAX_EXTRAS], money_values[MONEY_MAX_COLUMNS];
    results_row *rows = rc == CF_EXIT_OK ? malloc((total ? total : 1) * sizeof *rows) : NULL;
    money_row *money = rc == CF_EXIT_OK && n_money ? calloc(total ? total : 1, sizeof *money) : NULL;
    if (rc == CF_EXIT_OK && (!rows || (n_money && !money))) {
        snprintf(err, err_size, "out of memory");
        rc = CF_EXIT_INTERNAL;
    }
    for (uint64_t t = 0; rc == CF_EXIT_OK && t < total; t++) {
        part *p = &parts[index[t].part];
        rows[t] = p->rows[index[t].row];
        if (h5out_write_trial(out, &rows[t], NULL, NULL, NULL) != 0) {
            snprintf(err, err_size, "%s: %s", out_path, h5out_last_error(out));
            rc = h5out_error_class(out);
            break;
        }
        /* The shapes were checked: a failure here is reading or writing. */
        if (h5out_copy_trial_data(p->file, index[t].row, out, t) != 0) {
            snprintf(err, err_size, "%s: copying trial %llu from %s failed", out_path, (unsigned long long)t, p->path);
            rc = CF_EXIT_OUTPUT;
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
    if (rc == CF_EXIT_OK) {
        qsort(parts, (size_t)n, sizeof *parts, by_first);
        for (int i = 0; i < n && rc == CF_EXIT_OK; i++)
            rc = copy_participants(out, &parts[i], out_path, err, err_size);
    }
    if (rc == CF_EXIT_OK) {
        int scenarios = 0, crn = 1, reference = 0; /* files before study.reference: scenario 0 */
        read_attr(parts[0].file, "scenarios", H5T_NATIVE_INT, &scenarios);
        read_attr(parts[0].file, "common_random_numbers", H5T_NATIVE_INT, &crn);
        if (H5Aexists(parts[0].file, "study_reference_scenario") > 0)
            read_attr(parts[0].file, "study_reference_scenario", H5T_NATIVE_INT, &reference);
        results_summary *sum = NULL;
        results_difference *diff = NULL;
        size_t ns = 0, nd = 0;
        if (results_summarise_against(rows, total, scenarios, shape, crn, reference, &sum, &ns, &diff, &nd) != 0 ||
            h5out_write_summaries(out, "", sum, ns, diff, nd) != 0) {
            snprintf(err, err_size, "%s: writing summaries failed", out_path);
            rc = CF_EXIT_OUTPUT;
        }
        if (rc == CF_EXIT_OK)
            rc = merge_sensitivity(parts[0].file, out, sum, ns, scenarios, out_path, err, err_size);
        if (rc == CF_EXIT_OK) {
            diagnostics diag;
            if (diagnostics_compute(h5out_file(out), sum, ns, &diag, err, err_size) != 0 ||
                diagnostics_write(h5out_file(out), &diag) != 0) {
                snprintf(err, err_size, "%s: writing /diagnostics failed", out_path);
                rc = CF_EXIT_OUTPUT;
            }
            diagnostics_free(&diag);
        }
        free(sum);
        free(diff);
        if (rc == CF_EXIT_OK && n_money) {
            sum = NULL;
            diff = NULL;
            if (money_summarise_against(money, total, scenarios, &base.money, crn, reference, &sum, &ns, &diff, &nd) != 0 ||
                h5out_write_summaries(out, "/money", sum, ns, diff, nd) != 0) {
                snprintf(err, err_size, "%s: writing money summaries failed", out_path);
                rc = CF_EXIT_OUTPUT;
            }
            free(sum);
            free(diff);
        }
    }
    if (rc == CF_EXIT_OK) {
        if (h5out_finish(out, err, err_size) != 0)
            rc = CF_EXIT_OUTPUT;
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
