/*
 * h5prev.c — the resume reader: an earlier, unfinished results file of the
 * same study and slice, whose finished trials a resumed run copies instead
 * of running them again (caseflow run --resume).
 *
 * Moved out of the HDF5 writer (h5out.c) unchanged; the two share only
 * output/h5out_shared.h.
 */
#include "output/h5prev.h"
#include "output/h5out_shared.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define PREV_CHUNK 65536
#define PREV_MAX_SERIES 64

struct h5prev {
    hid_t file;
    uint64_t first, count, replications;
    results_row *rows;                 /* with exits_by_destination filled in */
    uint64_t finished;
    int series_count;
    char series[PREV_MAX_SERIES][80];  /* "/series/<name>" */
    hid_t part_set, part_type;
    hsize_t part_total;
    model_participant *chunk;          /* rows [chunk_start, chunk_start + chunk_len) */
    hsize_t chunk_start, chunk_len, chunk_pos;
};

static int read_text_attr(hid_t obj, const char *name, char *buf, size_t size)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    int rc = -1;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
        /* as h5py writes them */
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(t)); /* HDF5 does not convert between character sets */
        char *v = NULL;
        if (H5Aread(a, mem, &v) >= 0 && v) {
            snprintf(buf, size, "%s", v);
            rc = 0;
        }
        if (v)
            H5free_memory(v);
        H5Tclose(mem);
    } else if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
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

/* Dimensions of a dataset; returns its rank, or -1. */
static int dims_of(hid_t file, const char *name, hsize_t *dims)
{
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
    if (set < 0)
        return -1;
    hid_t sp = H5Dget_space(set);
    int rank = H5Sget_simple_extent_ndims(sp);
    if (rank < 1 || rank > 3)
        rank = -1;
    else
        H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(set);
    return rank;
}

static herr_t collect_series(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    (void)group;
    (void)info;
    h5prev *p = data;
    if (p->series_count == PREV_MAX_SERIES || strlen(name) > 60)
        return -1;
    snprintf(p->series[p->series_count++], sizeof p->series[0], "/series/%s", name);
    return 0;
}

void h5prev_close(h5prev *p)
{
    if (!p)
        return;
    if (p->part_type >= 0)
        H5Tclose(p->part_type);
    if (p->part_set >= 0)
        H5Dclose(p->part_set);
    if (p->file >= 0)
        H5Fclose(p->file);
    free(p->rows);
    free(p->chunk);
    free(p);
}

/* HDF5 holds an exclusive lock on a file open for writing, and refuses to
 * open it for reading meanwhile; it does not say that is why. */
static int file_is_locked(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int locked = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);
    return locked;
}

/* Fills err with "cannot resume PATH: what" and closes p; returns the class
 * (resume refused, unless it is the machine's problem). */
static int refuse_as(h5prev *p, const char *path, char *err, size_t err_size, const char *what, cf_exit class)
{
    snprintf(err, err_size, "cannot resume %s: %s", path, what);
    h5prev_close(p);
    return class;
}

static int refuse(h5prev *p, const char *path, char *err, size_t err_size, const char *what)
{
    return refuse_as(p, path, err, err_size, what, CF_EXIT_MERGE);
}

int h5prev_open(const char *path, const h5out_meta *meta, h5prev **opened, char *err, size_t err_size)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    *opened = NULL;
    h5prev *p = calloc(1, sizeof *p);
    if (!p)
        return refuse_as(NULL, path, err, err_size, "out of memory", CF_EXIT_INTERNAL);
    p->file = p->part_set = p->part_type = -1;
    const study *st = meta->st;
    p->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (p->file < 0 && file_is_locked(path))
        return refuse_as(p, path, err, err_size,
                         "it is locked: another process has it open for writing (busy); resume when that process "
                         "has closed it", CF_EXIT_OUTPUT);
    if (p->file < 0)
        return refuse(p, path, err, err_size, "not an HDF5 file, or unreadable");
    char text[256], rev[256], msg[800];
    int fv = 0;
    if (read_text_attr(p->file, "format", text, sizeof text) != 0 || strcmp(text, "caseflow-run") != 0 ||
        h5out_read_int_attr(p->file, "format_version", H5T_NATIVE_INT, &fv) != 0)
        return refuse(p, path, err, err_size, "not a caseflow results file");
    if (fv != H5OUT_FORMAT_VERSION) {
        snprintf(msg, sizeof msg, "layout version %d, this program writes %d", fv, H5OUT_FORMAT_VERSION);
        return refuse(p, path, err, err_size, msg);
    }
    if (read_text_attr(p->file, "program_version", text, sizeof text) != 0 ||
        read_text_attr(p->file, "git_revision", rev, sizeof rev) != 0)
        return refuse(p, path, err, err_size, "a caseflow file without its program version (damaged?)");
    if (strcmp(text, meta->program_version) != 0 || strcmp(rev, meta->git_revision) != 0) {
        snprintf(msg, sizeof msg, "it was written by caseflow %s (%s), this is %s (%s); rerun it from the start", text,
                 rev, meta->program_version, meta->git_revision);
        return refuse(p, path, err, err_size, msg);
    }
    uint64_t digest = 0, total = 0;
    if (h5out_read_int_attr(p->file, "study_digest", H5T_NATIVE_UINT64, &digest) != 0 ||
        h5out_read_int_attr(p->file, "trials_total", H5T_NATIVE_UINT64, &total) != 0 ||
        h5out_read_int_attr(p->file, "first_trial", H5T_NATIVE_UINT64, &p->first) != 0 ||
        h5out_read_int_attr(p->file, "trial_count", H5T_NATIVE_UINT64, &p->count) != 0)
        return refuse(p, path, err, err_size, "a caseflow file without study attributes (damaged?)");
    if (digest != st->digest || total != study_trial_count(st))
        return refuse(p, path, err, err_size,
                      "it is from a different study (its inputs or -s overrides differ from this run's)");
    if (p->first != meta->first_trial || p->count != meta->trial_count) {
        snprintf(msg, sizeof msg, "it holds trials %llu..%llu, this run trials %llu..%llu (use the same --task/--tasks)",
                 (unsigned long long)p->first, (unsigned long long)(p->first + p->count - 1),
                 (unsigned long long)meta->first_trial,
                 (unsigned long long)(meta->first_trial + meta->trial_count - 1));
        return refuse(p, path, err, err_size, msg);
    }
    p->replications = (uint64_t)st->replications;

    /* The tables must have the shape this study gives them, or copying
     * rows from them would read out of bounds. */
    hsize_t dims[3];
    int destinations = st->scenarios[0].sc.model.destinations;
    if (dims_of(p->file, "/replications", dims) != 1 || dims[0] != p->count ||
        dims_of(p->file, "/exits_by_destination", dims) != 2 || dims[0] != p->count ||
        dims[1] != (hsize_t)destinations || dims_of(p->file, "/participants", dims) != 1)
        return refuse(p, path, err, err_size, "its tables do not have this study's shape (damaged?)");
    p->part_total = dims[0];
    hsize_t idx = 0;
    if (H5Lexists(p->file, "/series", H5P_DEFAULT) <= 0 ||
        H5Literate_by_name(p->file, "/series", H5_INDEX_NAME, H5_ITER_INC, &idx, collect_series, p, H5P_DEFAULT) < 0)
        return refuse(p, path, err, err_size, "its /series group is missing or unreadable");
    for (int i = 0; i < p->series_count; i++)
        if (dims_of(p->file, p->series[i], dims) < 2 || dims[0] != p->count)
            return refuse(p, path, err, err_size, "its /series do not have this study's shape (damaged?)");

    p->rows = calloc(p->count ? p->count : 1, sizeof *p->rows);
    uint64_t *exits = malloc((p->count ? p->count : 1) * (size_t)destinations * sizeof *exits);
    p->chunk = malloc(PREV_CHUNK * sizeof *p->chunk);
    if (!p->rows || !exits || !p->chunk) {
        free(exits);
        return refuse_as(p, path, err, err_size, "out of memory", CF_EXIT_INTERNAL);
    }
    hid_t row_t = h5out_row_type();
    hid_t set = H5Dopen2(p->file, "/replications", H5P_DEFAULT);
    int ok = set >= 0 && (p->count == 0 || H5Dread(set, row_t, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->rows) >= 0);
    if (set >= 0)
        H5Dclose(set);
    H5Tclose(row_t);
    set = H5Dopen2(p->file, "/exits_by_destination", H5P_DEFAULT);
    ok = ok && set >= 0 &&
         (p->count == 0 || H5Dread(set, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, exits) >= 0);
    if (set >= 0)
        H5Dclose(set);
    for (uint64_t i = 0; ok && i < p->count; i++) {
        memcpy(p->rows[i].exits_by_destination, &exits[i * (size_t)destinations],
               (size_t)destinations * sizeof *exits);
        if (p->rows[i].status == RESULTS_DONE) {
            if (p->rows[i].trial != p->first + i)
                ok = 0;
            p->finished++;
        }
    }
    free(exits);
    if (!ok)
        return refuse(p, path, err, err_size, "cannot read its trials (damaged?)");
    p->part_set = H5Dopen2(p->file, "/participants", H5P_DEFAULT);
    p->part_type = h5out_participant_type();
    if (p->part_set < 0)
        return refuse(p, path, err, err_size, "cannot read its participants (damaged?)");
    *opened = p;
    return CF_EXIT_OK;
}

int h5prev_text_attribute(h5prev *p, const char *name, char *buf, size_t size)
{
    return read_text_attr(p->file, name, buf, size);
}

int h5prev_has(const h5prev *p, uint64_t trial)
{
    return trial >= p->first && trial - p->first < p->count && p->rows[trial - p->first].status == RESULTS_DONE;
}

uint64_t h5prev_finished(const h5prev *p)
{
    return p->finished;
}

static int copy_trial_row(hid_t from, hid_t to, const char *name, uint64_t row)
{
    return h5out_copy_row(from, to, name, row, row);
}

/* The next unread participant record of the earlier file, or NULL at the
 * end (*failed set on a read error). */
static const model_participant *prev_peek(h5prev *p, int *failed)
{
    if (p->chunk_pos == p->chunk_len) {
        hsize_t start = p->chunk_start + p->chunk_len;
        if (start >= p->part_total)
            return NULL;
        hsize_t count = p->part_total - start < PREV_CHUNK ? p->part_total - start : PREV_CHUNK;
        hid_t fs = H5Dget_space(p->part_set), ms = H5Screate_simple(1, &count, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
        herr_t rc = H5Dread(p->part_set, p->part_type, ms, fs, H5P_DEFAULT, p->chunk);
        H5Sclose(ms);
        H5Sclose(fs);
        if (rc < 0) {
            *failed = 1;
            return NULL;
        }
        p->chunk_start = start;
        p->chunk_len = count;
        p->chunk_pos = 0;
    }
    return &p->chunk[p->chunk_pos];
}

int h5prev_copy_trial(h5prev *p, h5out *out, uint64_t trial, results_row *row, uint64_t *participants, char *err,
                      size_t err_size)
{
    *participants = 0;
    if (!h5prev_has(p, trial)) {
        snprintf(err, err_size, "trial %llu is not finished in the file resumed", (unsigned long long)trial);
        return CF_EXIT_INTERNAL;
    }
    uint64_t i = trial - p->first;
    *row = p->rows[i];
    if (h5out_write_trial(out, row, NULL, NULL, NULL) != 0) {
        snprintf(err, err_size, "%s", h5out_last_error(out));
        return h5out_error_class(out);
    }
    errno = 0;
    for (int s = 0; s < p->series_count; s++)
        if (copy_trial_row(p->file, h5out_file_id(out), p->series[s], i) != 0) {
            snprintf(err, err_size, "copying trial %llu's %s failed", (unsigned long long)trial, p->series[s]);
            return CF_EXIT_OUTPUT;
        }
    static const char *const vectors[] = {"/trial_extras", "/money/trials"};
    for (size_t v = 0; v < 2; v++) {
        int here = (strncmp(vectors[v], "/money/", 7) != 0 || H5Lexists(p->file, "/money", H5P_DEFAULT) > 0) &&
                   H5Lexists(p->file, vectors[v], H5P_DEFAULT) > 0;
        if (here && copy_trial_row(p->file, h5out_file_id(out), vectors[v], i) != 0) {
            snprintf(err, err_size, "copying trial %llu's %s failed", (unsigned long long)trial, vectors[v]);
            return CF_EXIT_OUTPUT;
        }
    }
    /* Records come trial by trial; those of trials not copied (none in a
     * file caseflow wrote) are passed over. */
    int failed = 0;
    const model_participant *rec;
    while ((rec = prev_peek(p, &failed)) != NULL) {
        uint64_t t = (uint64_t)rec->scenario * p->replications + rec->replication;
        if (t > trial)
            break;
        if (t == trial) {
            if (h5out_add_participant(out, rec) != 0) {
                snprintf(err, err_size, "%s", h5out_last_error(out));
                return h5out_error_class(out);
            }
            (*participants)++;
        }
        p->chunk_pos++;
    }
    if (failed) {
        snprintf(err, err_size, "reading the participants of trial %llu failed (damaged?)", (unsigned long long)trial);
        return CF_EXIT_MERGE;
    }
    return CF_EXIT_OK;
}

int h5prev_trial_values(h5prev *p, const char *dataset, uint64_t trial, double *values, size_t n)
{
    if (trial < p->first || trial - p->first >= p->count)
        return -1;
    if ((strncmp(dataset, "/money/", 7) == 0 && H5Lexists(p->file, "/money", H5P_DEFAULT) <= 0) ||
        H5Lexists(p->file, dataset, H5P_DEFAULT) <= 0)
        return -1;
    hid_t set = H5Dopen2(p->file, dataset, H5P_DEFAULT);
    hid_t fs = H5Dget_space(set);
    hsize_t dims[2] = {0, 0};
    int rc = -1;
    if (H5Sget_simple_extent_ndims(fs) == 2) {
        H5Sget_simple_extent_dims(fs, dims, NULL);
        if (dims[1] == n) {
            hsize_t start[2] = {trial - p->first, 0}, cnt[2] = {1, n};
            hid_t ms = H5Screate_simple(2, cnt, NULL);
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL);
            rc = H5Dread(set, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, values) < 0 ? -1 : 0;
            H5Sclose(ms);
        }
    }
    H5Sclose(fs);
    H5Dclose(set);
    return rc;
}
