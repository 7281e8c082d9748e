/*
 * io_h5.c — the HDF5 writer.
 *
 * Datasets whose size is known up front (per-replication summaries and
 * monthly series) are created whole and filled row by row; the participant
 * table grows in chunks because its length is only known at the end.
 * Compound types are packed on disk so h5py, pandas and R see plain columns.
 */
#include "io_h5.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PARTICIPANT_BUFFER 16384

typedef struct rep_row {
    uint32_t replication;
    uint64_t seed;
    uint64_t events;
    uint64_t referrals;
    uint64_t exits;
    uint64_t waiting_at_end;
    uint64_t active_at_end;
    uint64_t referrals_measured;
    uint64_t exits_measured;
    uint64_t wait_n;
    double wait_mean_days;
    double wait_max_days;
    uint64_t programme_n;
    double programme_mean_days;
    double meetings_per_exit;
    double mean_waiting;
    double mean_active;
    double utilisation;
} rep_row;

typedef struct summary_row {
    char metric[48];
    char unit[32];
    double mean, ci_low, ci_high;
    uint64_t replications;
} summary_row;

enum { S_REFERRALS, S_WAITING, S_ACTIVE, S_MEETINGS, S_UTILISATION, S_EXITS, S_COUNT };
static const char *const series_names[S_COUNT] = {"referrals", "waiting", "active", "meetings", "utilisation",
                                                   "exits"};
static const char *const series_units[S_COUNT] = {
    "referrals in the month", "participants waiting at month end", "participants assigned at month end",
    "meetings held in the month", "share of worker time in meetings in the month",
    "exits in the month, by destination"};

struct h5out {
    char *final_path;
    char *temp_path;
    hid_t file;
    hid_t rep_mem, rep_file;
    hid_t part_mem, part_file;
    hid_t rep_set, part_set, exits_by_dest_set;
    hid_t series[S_COUNT];
    int replications, months, destinations;
    model_participant *buffer;
    size_t buffered;
    hsize_t participants_written;
    char error[512];
};

static int fail(h5out *out, const char *what)
{
    int e = errno;
    if (e)
        snprintf(out->error, sizeof out->error, "%s failed (%s)", what, strerror(e));
    else
        snprintf(out->error, sizeof out->error, "%s failed", what);
    return -1;
}

const char *h5out_last_error(const h5out *out)
{
    return out->error;
}

static int attr_string(hid_t obj, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    size_t len = strlen(value);
    H5Tset_size(type, len ? len : 1);
    H5Tset_strpad(type, H5T_STR_NULLTERM);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr >= 0 ? H5Awrite(attr, type, len ? value : "") : -1;
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

static int attr_number(hid_t obj, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr >= 0 ? H5Awrite(attr, type, value) : -1;
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

static hid_t packed(hid_t mem)
{
    hid_t t = H5Tcopy(mem);
    H5Tpack(t);
    return t;
}

#define INSERT(type, st, field, h5type) H5Tinsert(type, #field, HOFFSET(st, field), h5type)

static void make_types(h5out *out)
{
    hid_t r = H5Tcreate(H5T_COMPOUND, sizeof(rep_row));
    INSERT(r, rep_row, replication, H5T_NATIVE_UINT32);
    INSERT(r, rep_row, seed, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, events, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, referrals, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, exits, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, waiting_at_end, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, active_at_end, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, referrals_measured, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, exits_measured, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, wait_n, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, wait_mean_days, H5T_NATIVE_DOUBLE);
    INSERT(r, rep_row, wait_max_days, H5T_NATIVE_DOUBLE);
    INSERT(r, rep_row, programme_n, H5T_NATIVE_UINT64);
    INSERT(r, rep_row, programme_mean_days, H5T_NATIVE_DOUBLE);
    INSERT(r, rep_row, meetings_per_exit, H5T_NATIVE_DOUBLE);
    INSERT(r, rep_row, mean_waiting, H5T_NATIVE_DOUBLE);
    INSERT(r, rep_row, mean_active, H5T_NATIVE_DOUBLE);
    INSERT(r, rep_row, utilisation, H5T_NATIVE_DOUBLE);
    out->rep_mem = r;
    out->rep_file = packed(r);

    hid_t p = H5Tcreate(H5T_COMPOUND, sizeof(model_participant));
    INSERT(p, model_participant, id, H5T_NATIVE_UINT64);
    INSERT(p, model_participant, replication, H5T_NATIVE_UINT32);
    INSERT(p, model_participant, referral_time, H5T_NATIVE_DOUBLE);
    INSERT(p, model_participant, assignment_time, H5T_NATIVE_DOUBLE);
    INSERT(p, model_participant, exit_time, H5T_NATIVE_DOUBLE);
    INSERT(p, model_participant, destination, H5T_NATIVE_INT32);
    INSERT(p, model_participant, worker, H5T_NATIVE_INT32);
    INSERT(p, model_participant, meetings, H5T_NATIVE_UINT32);
    out->part_mem = p;
    out->part_file = packed(p);
}

static hid_t create_fixed(h5out *out, const char *name, hid_t type, int rank, const hsize_t *dims,
                          const char *units)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t set = H5Dcreate2(out->file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    if (set >= 0 && units && attr_string(set, "units", units) != 0) {
        H5Dclose(set);
        return -1;
    }
    return set;
}

static int write_destinations(h5out *out, const model_params *mp)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, MODEL_NAME_LEN);
    H5Tset_strpad(type, H5T_STR_NULLTERM);
    hsize_t n = (hsize_t)mp->destinations;
    hid_t set = create_fixed(out, "/destinations", type, 1, &n, NULL);
    herr_t rc = set >= 0 ? H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, mp->destination_names) : -1;
    if (set >= 0)
        H5Dclose(set);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

static int write_root_attributes(h5out *out, const h5out_meta *meta)
{
    const config_scenario *sc = meta->scenario;
    char created[32];
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    int fv = H5OUT_FORMAT_VERSION;
    double dpm = MODEL_DAYS_PER_MONTH;
    int rc = 0;
    rc |= attr_string(out->file, "format", "caseflow-run");
    rc |= attr_number(out->file, "format_version", H5T_NATIVE_INT, &fv);
    rc |= attr_string(out->file, "program_version", meta->program_version);
    rc |= attr_string(out->file, "git_revision", meta->git_revision);
    rc |= attr_string(out->file, "created", created);
    rc |= attr_number(out->file, "master_seed", H5T_NATIVE_UINT64, &sc->seed);
    rc |= attr_number(out->file, "replications", H5T_NATIVE_INT, &sc->replications);
    rc |= attr_number(out->file, "horizon_months", H5T_NATIVE_INT, &sc->model.horizon_months);
    rc |= attr_number(out->file, "warmup_months", H5T_NATIVE_INT, &sc->model.warmup_months);
    rc |= attr_number(out->file, "days_per_month", H5T_NATIVE_DOUBLE, &dpm);
    rc |= attr_string(out->file, "config_path", sc->path);
    rc |= attr_string(out->file, "config_text", sc->text);
    rc |= attr_string(out->file, "overrides", sc->overrides);
    return rc ? -1 : 0;
}

static int create_layout(h5out *out, const h5out_meta *meta)
{
    const model_params *mp = &meta->scenario->model;
    hsize_t reps = (hsize_t)out->replications;
    if (write_root_attributes(out, meta) != 0)
        return fail(out, "writing root attributes");
    if (write_destinations(out, mp) != 0)
        return fail(out, "writing /destinations");
    out->rep_set = create_fixed(out, "/replications", out->rep_file, 1, &reps,
                                "days for *_days, counts otherwise; *_measured after warm-up");
    if (out->rep_set < 0)
        return fail(out, "creating /replications");
    hsize_t rd[2] = {reps, (hsize_t)out->destinations};
    out->exits_by_dest_set = create_fixed(out, "/exits_by_destination", H5T_NATIVE_UINT64, 2, rd,
                                          "exits after warm-up, replication x destination");
    if (out->exits_by_dest_set < 0)
        return fail(out, "creating /exits_by_destination");
    hid_t group = H5Gcreate2(out->file, "/series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (group < 0)
        return fail(out, "creating /series");
    H5Gclose(group);
    for (int s = 0; s < S_COUNT; s++) {
        char name[64];
        snprintf(name, sizeof name, "/series/%s", series_names[s]);
        hsize_t dims[3] = {reps, (hsize_t)out->months, (hsize_t)out->destinations};
        out->series[s] = create_fixed(out, name, H5T_NATIVE_DOUBLE, s == S_EXITS ? 3 : 2, dims, series_units[s]);
        if (out->series[s] < 0)
            return fail(out, "creating a /series dataset");
    }
    hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = PARTICIPANT_BUFFER;
    hid_t space = H5Screate_simple(1, &zero, &unlimited);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    out->part_set = H5Dcreate2(out->file, "/participants", out->part_file, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (out->part_set < 0)
        return fail(out, "creating /participants");
    if (attr_string(out->part_set, "units", "times in days from the start; NaN = did not happen") != 0)
        return fail(out, "writing /participants attributes");
    return 0;
}

static void close_all(h5out *out)
{
    hid_t *sets[] = {&out->rep_set, &out->part_set, &out->exits_by_dest_set};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (*sets[i] >= 0) {
            H5Dclose(*sets[i]);
            *sets[i] = -1;
        }
    for (int s = 0; s < S_COUNT; s++)
        if (out->series[s] >= 0) {
            H5Dclose(out->series[s]);
            out->series[s] = -1;
        }
    hid_t *types[] = {&out->rep_mem, &out->rep_file, &out->part_mem, &out->part_file};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (*types[i] >= 0) {
            H5Tclose(*types[i]);
            *types[i] = -1;
        }
}

static void h5out_free(h5out *out)
{
    free(out->final_path);
    free(out->temp_path);
    free(out->buffer);
    free(out);
}

h5out *h5out_create(const char *final_path, const h5out_meta *meta, char *err, size_t err_size)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5out *out = calloc(1, sizeof *out);
    if (!out) {
        snprintf(err, err_size, "%s: out of memory", final_path);
        return NULL;
    }
    out->file = out->rep_set = out->part_set = out->exits_by_dest_set = -1;
    out->rep_mem = out->rep_file = out->part_mem = out->part_file = -1;
    for (int s = 0; s < S_COUNT; s++)
        out->series[s] = -1;
    out->replications = meta->scenario->replications;
    out->months = meta->scenario->model.horizon_months;
    out->destinations = meta->scenario->model.destinations;
    size_t len = strlen(final_path) + 64;
    out->final_path = strdup(final_path);
    out->temp_path = malloc(len);
    out->buffer = malloc(PARTICIPANT_BUFFER * sizeof *out->buffer);
    if (!out->final_path || !out->temp_path || !out->buffer) {
        snprintf(err, err_size, "%s: out of memory", final_path);
        h5out_free(out);
        return NULL;
    }
    /* Same directory as the target, so the final rename is atomic. */
    snprintf(out->temp_path, len, "%s.partial-%ld", final_path, (long)getpid());
    errno = 0;
    out->file = H5Fcreate(out->temp_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (out->file < 0) {
        snprintf(err, err_size, "%s: cannot create the output file (%s)", final_path,
                 errno ? strerror(errno) : "HDF5 refused it");
        h5out_free(out);
        return NULL;
    }
    make_types(out);
    if (create_layout(out, meta) != 0) {
        snprintf(err, err_size, "%s: %s", final_path, out->error);
        h5out_abort(out);
        return NULL;
    }
    return out;
}

static int flush_participants(h5out *out)
{
    if (out->buffered == 0)
        return 0;
    hsize_t start = out->participants_written, count = out->buffered, total = start + count;
    errno = 0;
    if (H5Dset_extent(out->part_set, &total) < 0)
        return fail(out, "growing /participants");
    hid_t fspace = H5Dget_space(out->part_set);
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL);
    herr_t rc = H5Dwrite(out->part_set, out->part_mem, mspace, fspace, H5P_DEFAULT, out->buffer);
    H5Sclose(mspace);
    H5Sclose(fspace);
    if (rc < 0)
        return fail(out, "writing /participants");
    out->participants_written = total;
    out->buffered = 0;
    return 0;
}

int h5out_add_participant(h5out *out, const model_participant *p)
{
    out->buffer[out->buffered++] = *p;
    if (out->buffered == PARTICIPANT_BUFFER)
        return flush_participants(out);
    return 0;
}

/* Writes one row (replication r) of a dataset whose first dimension is the
 * replication. */
static int write_row(hid_t set, hid_t mem_type, int r, const void *data)
{
    hid_t fspace = H5Dget_space(set);
    int rank = H5Sget_simple_extent_ndims(fspace);
    hsize_t dims[3], start[3] = {(hsize_t)r, 0, 0};
    H5Sget_simple_extent_dims(fspace, dims, NULL);
    dims[0] = 1;
    hid_t mspace = H5Screate_simple(rank, dims, NULL);
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, dims, NULL);
    herr_t rc = H5Dwrite(set, mem_type, mspace, fspace, H5P_DEFAULT, data);
    H5Sclose(mspace);
    H5Sclose(fspace);
    return rc < 0 ? -1 : 0;
}

int h5out_write_replication(h5out *out, const model_result *r)
{
    if ((int)r->replication >= out->replications) {
        snprintf(out->error, sizeof out->error, "replication %u is beyond the %d the file holds",
                 r->replication, out->replications);
        return -1;
    }
    int i = (int)r->replication;
    rep_row row = {
        .replication = r->replication,
        .seed = r->seed,
        .events = r->events,
        .referrals = r->referrals,
        .exits = r->exits,
        .waiting_at_end = r->waiting_at_end,
        .active_at_end = r->active_at_end,
        .referrals_measured = r->referrals_measured,
        .exits_measured = r->exits_measured,
        .wait_n = r->wait_days.n,
        .wait_mean_days = stat_obs_mean(&r->wait_days),
        .wait_max_days = r->wait_days.n ? r->wait_days.max : NAN,
        .programme_n = r->programme_days.n,
        .programme_mean_days = stat_obs_mean(&r->programme_days),
        .meetings_per_exit = stat_obs_mean(&r->meetings_per_exit),
        .mean_waiting = r->mean_waiting,
        .mean_active = r->mean_active,
        .utilisation = r->utilisation,
    };
    errno = 0;
    if (write_row(out->rep_set, out->rep_mem, i, &row) != 0)
        return fail(out, "writing /replications");
    if (write_row(out->exits_by_dest_set, H5T_NATIVE_UINT64, i, r->exits_by_destination) != 0)
        return fail(out, "writing /exits_by_destination");
    const double *rows[S_COUNT] = {r->series.referrals, r->series.waiting, r->series.active,
                                   r->series.meetings, r->series.utilisation, r->series.exits};
    for (int s = 0; s < S_COUNT; s++)
        if (write_row(out->series[s], H5T_NATIVE_DOUBLE, i, rows[s]) != 0)
            return fail(out, "writing /series");
    return 0;
}

int h5out_write_summary(h5out *out, const h5out_metric *metrics, size_t n)
{
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(summary_row));
    hid_t name_t = H5Tcopy(H5T_C_S1), unit_t = H5Tcopy(H5T_C_S1);
    H5Tset_size(name_t, sizeof ((summary_row *)0)->metric);
    H5Tset_size(unit_t, sizeof ((summary_row *)0)->unit);
    H5Tinsert(mem, "metric", HOFFSET(summary_row, metric), name_t);
    H5Tinsert(mem, "unit", HOFFSET(summary_row, unit), unit_t);
    INSERT(mem, summary_row, mean, H5T_NATIVE_DOUBLE);
    INSERT(mem, summary_row, ci_low, H5T_NATIVE_DOUBLE);
    INSERT(mem, summary_row, ci_high, H5T_NATIVE_DOUBLE);
    INSERT(mem, summary_row, replications, H5T_NATIVE_UINT64);
    hid_t file_t = packed(mem);
    summary_row *rows = calloc(n ? n : 1, sizeof *rows);
    int rc = -1;
    if (rows) {
        for (size_t i = 0; i < n; i++) {
            snprintf(rows[i].metric, sizeof rows[i].metric, "%s", metrics[i].name);
            snprintf(rows[i].unit, sizeof rows[i].unit, "%s", metrics[i].unit);
            rows[i].mean = metrics[i].mean;
            rows[i].ci_low = metrics[i].ci_low;
            rows[i].ci_high = metrics[i].ci_high;
            rows[i].replications = metrics[i].replications;
        }
        hsize_t dims = n;
        errno = 0;
        hid_t set = create_fixed(out, "/summary", file_t, 1, &dims,
                                 "mean over replications with its 95% confidence interval (Student t)");
        if (set >= 0) {
            rc = H5Dwrite(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0 ? -1 : 0;
            H5Dclose(set);
        }
        free(rows);
    }
    H5Tclose(file_t);
    H5Tclose(name_t);
    H5Tclose(unit_t);
    H5Tclose(mem);
    return rc ? fail(out, "writing /summary") : 0;
}

int h5out_finish(h5out *out, char *err, size_t err_size)
{
    int rc = flush_participants(out);
    if (rc == 0) {
        hsize_t n = out->participants_written;
        if (attr_number(out->part_set, "rows", H5T_NATIVE_HSIZE, &n) != 0)
            rc = fail(out, "writing /participants attributes");
    }
    close_all(out);
    errno = 0;
    if (H5Fclose(out->file) < 0 && rc == 0)
        rc = fail(out, "closing the file");
    out->file = -1;
    if (rc == 0 && rename(out->temp_path, out->final_path) != 0)
        rc = fail(out, "renaming into place");
    if (rc != 0) {
        snprintf(err, err_size, "%s: %s", out->final_path, out->error);
        unlink(out->temp_path);
    }
    h5out_free(out);
    return rc;
}

void h5out_abort(h5out *out)
{
    if (!out)
        return;
    close_all(out);
    if (out->file >= 0)
        H5Fclose(out->file);
    unlink(out->temp_path);
    h5out_free(out);
}
