/*
 * h5out.c — the HDF5 writer (the resume reader is h5prev.c).
 *
 * Datasets whose size is known up front (trial rows and monthly series) are
 * created whole and filled row by row; the participant table grows in chunks
 * because its length is only known at the end. Compound types are packed on
 * disk so h5py, pandas and R see plain columns.
 */
#include "output/h5out.h"
#include "scenario/config_dates.h"
#include "output/h5out_shared.h"
#include "output/outpath.h"
#include "output/h5resolved.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PARTICIPANT_BUFFER 16384

/* Per-trial datasets (first axis: the trial) carry this attribute, so a
 * reader can tell them from the study's tables without a list of names. */
#define PER_TRIAL_ATTR "per_trial"

#define FAILURE_REASON_LEN 256

typedef struct h5out_failure {
    uint64_t trial;
    char reason[FAILURE_REASON_LEN];
} h5out_failure;

struct h5out {
    char *final_path;
    char *temp_path;
    hid_t file;
    hid_t row_mem, row_file;
    hid_t part_mem, part_file;
    hid_t row_set, part_set, exits_set;
    model_series layout;                 /* names, units and widths of /series/... (no values) */
    hid_t series[MODEL_MAX_SERIES];
    double *pad;                         /* one series row, padded to its dataset's width */
    int extras_count, money_count;       /* columns of /trial_extras and /money/trials (0: none) */
    hid_t extras_set, money_set;
    uint64_t first_trial, trial_count, trials_total;
    int months, destinations;
    unsigned char *written;  /* per row: 0 none, else the status written */
    model_participant *buffer;
    size_t buffered;
    hsize_t participants_written;
    h5out_failure *failures;  /* reasons of failed trials, for /failures */
    size_t failure_count, failure_capacity;
    char error[512];
    cf_exit error_class;      /* of the last error: output, or internal (memory) */
    int replace;              /* h5out_finish may replace a regular file */
    int finish_delay_ms;      /* test hook: a pause before the file is moved into place */
};

static int fail(h5out *out, const char *what)
{
    int e = errno;
    if (e)
        snprintf(out->error, sizeof out->error, "%s failed (%s)", what, strerror(e));
    else
        snprintf(out->error, sizeof out->error, "%s failed", what);
    out->error_class = CF_EXIT_OUTPUT;
    return -1;
}

/* An allocation failed: the machine's problem, not the output's. */
static int fail_memory(h5out *out, const char *what)
{
    snprintf(out->error, sizeof out->error, "%s: out of memory", what);
    out->error_class = CF_EXIT_INTERNAL;
    return -1;
}

const char *h5out_last_error(const h5out *out)
{
    return out->error;
}

cf_exit h5out_error_class(const h5out *out)
{
    return out->error_class ? out->error_class : CF_EXIT_OUTPUT;
}

hid_t h5out_file(const h5out *out)
{
    return out->file;
}

static int attr_string(hid_t obj, const char *name, const char *value);

int h5out_set_text_attribute(h5out *out, const char *name, const char *value)
{
    errno = 0;
    return attr_string(out->file, name, value) != 0 ? fail(out, "writing a root attribute") : 0;
}

static int attr_string(hid_t obj, const char *name, const char *value)
{
    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
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
    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr >= 0 ? H5Awrite(attr, type, value) : -1;
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

/* Fixed-width text, marked UTF-8 so readers decode it as such (h5py's
 * .asstr(), R's hdf5r); names and settings come from UTF-8 files. */
static hid_t text_type(size_t width)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, width);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

static hid_t packed(hid_t mem)
{
    hid_t t = H5Tcopy(mem);
    H5Tpack(t);
    return t;
}

#define INSERT(type, st, field, h5type) H5Tinsert(type, #field, HOFFSET(st, field), h5type)

/* /replications as written: the row plus its seed in decimal, for readers
 * without unsigned 64-bit integers (R's hdf5r turns seeds above 2^63 into
 * 9223372036854775807). Readers of the row leave seed_text out. */
typedef struct row_written {
    results_row row;
    char seed_text[24];
} row_written;

static hid_t row_type_sized(size_t size);

hid_t h5out_row_type(void)
{
    return row_type_sized(sizeof(results_row));
}

static hid_t row_written_type(void)
{
    hid_t r = row_type_sized(sizeof(row_written));
    hid_t text = text_type(sizeof ((row_written *)0)->seed_text);
    H5Tinsert(r, "seed_text", HOFFSET(row_written, seed_text), text);
    H5Tclose(text);
    return r;
}

static hid_t row_type_sized(size_t size)
{
    /* exits_by_destination is stored as its own 2-D dataset, not here. */
    hid_t r = H5Tcreate(H5T_COMPOUND, size);
    INSERT(r, results_row, trial, H5T_NATIVE_UINT64);
    INSERT(r, results_row, scenario, H5T_NATIVE_UINT32);
    INSERT(r, results_row, replication, H5T_NATIVE_UINT32);
    INSERT(r, results_row, seed, H5T_NATIVE_UINT64);
    INSERT(r, results_row, status, H5T_NATIVE_UINT32);
    INSERT(r, results_row, events, H5T_NATIVE_UINT64);
    INSERT(r, results_row, wall_seconds, H5T_NATIVE_DOUBLE);
    INSERT(r, results_row, referrals, H5T_NATIVE_UINT64);
    INSERT(r, results_row, exits, H5T_NATIVE_UINT64);
    INSERT(r, results_row, waiting_at_end, H5T_NATIVE_UINT64);
    INSERT(r, results_row, active_at_end, H5T_NATIVE_UINT64);
    INSERT(r, results_row, referrals_measured, H5T_NATIVE_UINT64);
    INSERT(r, results_row, exits_measured, H5T_NATIVE_UINT64);
    INSERT(r, results_row, wait_n, H5T_NATIVE_UINT64);
    INSERT(r, results_row, wait_days_assigned, H5T_NATIVE_DOUBLE);
    INSERT(r, results_row, wait_max_days, H5T_NATIVE_DOUBLE);
    INSERT(r, results_row, programme_n, H5T_NATIVE_UINT64);
    INSERT(r, results_row, time_in_programme_days_assigned, H5T_NATIVE_DOUBLE);
    INSERT(r, results_row, meetings_per_exit, H5T_NATIVE_DOUBLE);
    INSERT(r, results_row, mean_waiting, H5T_NATIVE_DOUBLE);
    INSERT(r, results_row, mean_active, H5T_NATIVE_DOUBLE);
    INSERT(r, results_row, utilisation, H5T_NATIVE_DOUBLE);
    return r;
}

hid_t h5out_participant_type(void)
{
    hid_t p = H5Tcreate(H5T_COMPOUND, sizeof(model_participant));
    INSERT(p, model_participant, id, H5T_NATIVE_UINT64);
    INSERT(p, model_participant, scenario, H5T_NATIVE_UINT32);
    INSERT(p, model_participant, replication, H5T_NATIVE_UINT32);
    INSERT(p, model_participant, referral_time, H5T_NATIVE_DOUBLE);
    INSERT(p, model_participant, assignment_time, H5T_NATIVE_DOUBLE);
    INSERT(p, model_participant, exit_time, H5T_NATIVE_DOUBLE);
    INSERT(p, model_participant, destination, H5T_NATIVE_INT32);
    INSERT(p, model_participant, worker, H5T_NATIVE_INT32);
    INSERT(p, model_participant, meetings, H5T_NATIVE_UINT32);
    INSERT(p, model_participant, source, H5T_NATIVE_INT16);
    INSERT(p, model_participant, profile, H5T_NATIVE_INT16);
    INSERT(p, model_participant, worker_changes, H5T_NATIVE_INT16);
    INSERT(p, model_participant, fate, H5T_NATIVE_INT8);
    INSERT(p, model_participant, phase, H5T_NATIVE_INT8);
    INSERT(p, model_participant, female, H5T_NATIVE_INT8);
    INSERT(p, model_participant, age_band, H5T_NATIVE_INT8);
    INSERT(p, model_participant, followup_12, H5T_NATIVE_INT8);
    INSERT(p, model_participant, followup_24, H5T_NATIVE_INT8);
    INSERT(p, model_participant, relapse, H5T_NATIVE_INT8);
    INSERT(p, model_participant, from_snapshot, H5T_NATIVE_INT8);
    return p;
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

static int write_strings(h5out *out, const char *name, const char *data, size_t width, hsize_t n)
{
    hid_t type = text_type(width);
    hid_t set = create_fixed(out, name, type, 1, &n, NULL);
    herr_t rc = set >= 0 ? (n ? H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : 0) : -1;
    if (set >= 0)
        H5Dclose(set);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

/* /series/month_start_date: the calendar day each model month starts on
 * (run.start_date plus month x 365.25/12 days, rounded down to the day), and
 * the start date as an attribute of /series; only with run.start_date. */
static int write_month_dates(h5out *out, const model_params *p)
{
    int y, m, d;
    if (!config_date_parse(p->start_date, &y, &m, &d))
        return -1;
    char (*dates)[11] = calloc((size_t)(out->months ? out->months : 1), sizeof *dates);
    if (!dates)
        return -1;
    for (int k = 0; k < out->months; k++)
        config_date_add_days(y, m, d, (long)floor(k * MODEL_DAYS_PER_MONTH + 1e-9), dates[k], sizeof dates[k]);
    int rc = write_strings(out, "/series/month_start_date", (const char *)dates, sizeof dates[0], (hsize_t)out->months);
    free(dates);
    hid_t g = rc == 0 ? H5Gopen2(out->file, "/series", H5P_DEFAULT) : -1;
    if (g < 0)
        return -1;
    rc = attr_string(g, "start_date", p->start_date);
    H5Gclose(g);
    return rc;
}

typedef struct scenario_row {
    uint32_t index;
    char name[STUDY_NAME_LEN];
    char settings[1024];
} scenario_row;

static int write_study_tables(h5out *out, const study *st)
{
    hsize_t n = (hsize_t)st->scenario_count;
    scenario_row *rows = calloc(n, sizeof *rows);
    if (!rows)
        return fail_memory(out, "writing /scenarios");
    for (hsize_t i = 0; i < n; i++) {
        rows[i].index = (uint32_t)i;
        snprintf(rows[i].name, sizeof rows[i].name, "%s", st->scenarios[i].name);
        snprintf(rows[i].settings, sizeof rows[i].settings, "%s", st->scenarios[i].settings);
    }
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(scenario_row));
    hid_t name_t = text_type(STUDY_NAME_LEN), set_t = text_type(sizeof rows[0].settings);
    INSERT(mem, scenario_row, index, H5T_NATIVE_UINT32);
    H5Tinsert(mem, "name", HOFFSET(scenario_row, name), name_t);
    H5Tinsert(mem, "settings", HOFFSET(scenario_row, settings), set_t);
    hid_t file_t = packed(mem);
    hid_t set = create_fixed(out, "/scenarios", file_t, 1, &n, "settings: key=value lines applied to the base");
    int rc = set >= 0 && H5Dwrite(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0 ? 0 : -1;
    if (set >= 0)
        H5Dclose(set);
    H5Tclose(file_t);
    H5Tclose(mem);
    H5Tclose(name_t);
    H5Tclose(set_t);
    free(rows);
    if (rc)
        return fail(out, "writing /scenarios");
    if (write_strings(out, "/parameter_names", (const char *)st->param_keys, STUDY_KEY_LEN,
                      (hsize_t)st->param_count) != 0)
        return fail(out, "writing /parameter_names");
    hsize_t dims[2] = {n, (hsize_t)st->param_count};
    set = create_fixed(out, "/scenario_parameters", H5T_NATIVE_DOUBLE, 2, dims,
                       "resolved value of each parameter_names key, scenario x key");
    rc = set >= 0 && (st->param_count == 0 ||
                      H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, st->param_values) >= 0)
             ? 0
             : -1;
    if (set >= 0)
        H5Dclose(set);
    return rc ? fail(out, "writing /scenario_parameters") : 0;
}

static int write_root_attributes(h5out *out, const h5out_meta *meta)
{
    const study *st = meta->st;
    const config_scenario *base = &st->scenarios[0].sc;
    char created[32];
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    int fv = H5OUT_FORMAT_VERSION, crn = st->common_random_numbers, complete = 0;
    double dpm = MODEL_DAYS_PER_MONTH;
    uint64_t total = study_trial_count(st);
    int rc = 0;
    rc |= attr_string(out->file, "format", "caseflow-run");
    rc |= attr_number(out->file, "format_version", H5T_NATIVE_INT, &fv);
    rc |= attr_string(out->file, "program_version", meta->program_version);
    rc |= attr_string(out->file, "git_revision", meta->git_revision);
    rc |= attr_string(out->file, "created", created);
    rc |= attr_number(out->file, "master_seed", H5T_NATIVE_UINT64, &st->seed);
    char seed_text[24];
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)st->seed);
    rc |= attr_string(out->file, "master_seed_text", seed_text);
    rc |= attr_number(out->file, "replications", H5T_NATIVE_INT, &st->replications);
    rc |= attr_number(out->file, "scenarios", H5T_NATIVE_INT, &st->scenario_count);
    rc |= attr_number(out->file, "common_random_numbers", H5T_NATIVE_INT, &crn);
    rc |= attr_number(out->file, "trials_total", H5T_NATIVE_UINT64, &total);
    rc |= attr_number(out->file, "first_trial", H5T_NATIVE_UINT64, &meta->first_trial);
    rc |= attr_number(out->file, "trial_count", H5T_NATIVE_UINT64, &meta->trial_count);
    rc |= attr_number(out->file, "task", H5T_NATIVE_INT, &meta->task);
    rc |= attr_number(out->file, "tasks", H5T_NATIVE_INT, &meta->tasks);
    rc |= attr_number(out->file, "complete", H5T_NATIVE_INT, &complete);
    rc |= attr_number(out->file, "study_digest", H5T_NATIVE_UINT64, &st->digest);
    rc |= attr_number(out->file, "horizon_months", H5T_NATIVE_INT, &base->model.horizon_months);
    rc |= attr_number(out->file, "warmup_months", H5T_NATIVE_INT, &base->model.warmup_months);
    rc |= attr_number(out->file, "days_per_month", H5T_NATIVE_DOUBLE, &dpm);
    rc |= attr_string(out->file, "study_name", st->name);
    rc |= attr_string(out->file, "study_path", st->path);
    rc |= attr_string(out->file, "study_text", st->text);
    rc |= attr_string(out->file, "config_path", base->path);
    rc |= attr_string(out->file, "config_text", base->text);
    rc |= attr_string(out->file, "overrides", base->overrides);
    /* study.reference: the scenario /paired_differences are against (the
     * name only when the study names one; the index always). */
    if (st->reference_name[0])
        rc |= attr_string(out->file, "study_reference", st->reference_name);
    rc |= attr_number(out->file, "study_reference_scenario", H5T_NATIVE_INT, &st->reference);
    return rc ? -1 : 0;
}

static int mark_per_trial(hid_t set)
{
    int one = 1;
    return attr_number(set, PER_TRIAL_ATTR, H5T_NATIVE_INT, &one);
}

/* A list of column names as a string-array attribute. */
static int attr_columns(hid_t obj, const char (*names)[80], size_t n)
{
    hid_t type = text_type(80);
    hsize_t dims = n ? n : 1;
    hid_t space = H5Screate_simple(1, &dims, NULL);
    hid_t attr = H5Acreate2(obj, "columns", type, space, H5P_DEFAULT, H5P_DEFAULT);
    static const char empty[80];
    herr_t rc = attr >= 0 ? H5Awrite(attr, type, n ? (const void *)names : (const void *)empty) : -1;
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

static int create_trial_datasets(h5out *out)
{
    hsize_t rows = (hsize_t)out->trial_count;
    out->row_set = create_fixed(out, "/replications", out->row_file, 1, &rows,
                                "one row per trial; days for *_days, counts otherwise; *_measured after warm-up; "
                                "status 1 done, 0 not run, 2 failed (see /failures)");
    if (out->row_set < 0)
        return fail(out, "creating /replications");
    hsize_t rd[2] = {rows, (hsize_t)out->destinations};
    out->exits_set = create_fixed(out, "/exits_by_destination", H5T_NATIVE_UINT64, 2, rd,
                                  "exits after warm-up, trial x destination");
    if (out->exits_set < 0)
        return fail(out, "creating /exits_by_destination");
    hid_t group = H5Gcreate2(out->file, "/series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (group < 0)
        return fail(out, "creating /series");
    H5Gclose(group);
    int widest = 1;
    for (int s = 0; s < out->layout.count; s++) {
        const model_series_item *it = &out->layout.item[s];
        char name[80];
        snprintf(name, sizeof name, "/series/%s", it->name);
        hsize_t dims[3] = {rows, (hsize_t)out->months, (hsize_t)it->width};
        /* The core's six keep their shapes: exits by destination is 3-D,
         * the others 2-D; every mechanism's series has a third axis. */
        int rank = s < 5 ? 2 : 3;
        out->series[s] = create_fixed(out, name, H5T_NATIVE_DOUBLE, rank, dims, it->units);
        if (out->series[s] < 0 || mark_per_trial(out->series[s]) != 0)
            return fail(out, "creating a /series dataset");
        if (it->width > widest)
            widest = it->width;
    }
    out->pad = malloc((size_t)out->months * (size_t)widest * sizeof *out->pad);
    if (!out->pad)
        return fail_memory(out, "allocating a series buffer");
    if (mark_per_trial(out->row_set) != 0 || mark_per_trial(out->exits_set) != 0)
        return fail(out, "marking per-trial datasets");
    if (out->extras_count > 0) {
        hsize_t dims[2] = {rows, (hsize_t)out->extras_count};
        out->extras_set = create_fixed(out, "/trial_extras", H5T_NATIVE_DOUBLE, 2, dims,
                                       "the mechanisms' numbers per trial, after warm-up; columns name them");
        if (out->extras_set < 0 || mark_per_trial(out->extras_set) != 0)
            return fail(out, "creating /trial_extras");
    }
    if (out->money_count > 0) {
        hid_t g = H5Lexists(out->file, "/money", H5P_DEFAULT) > 0 ? H5Gopen2(out->file, "/money", H5P_DEFAULT)
                                                                  : H5Gcreate2(out->file, "/money", H5P_DEFAULT,
                                                                               H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0)
            return fail(out, "creating /money");
        H5Gclose(g);
        hsize_t dims[2] = {rows, (hsize_t)out->money_count};
        out->money_set = create_fixed(out, "/money/trials", H5T_NATIVE_DOUBLE, 2, dims,
                                      "the money ledger per trial, kr (per cohort member where named so); columns "
                                      "name them");
        if (out->money_set < 0 || mark_per_trial(out->money_set) != 0)
            return fail(out, "creating /money/trials");
    }
    /* Chunks stay well inside HDF5's default 1 MiB chunk cache: a bigger
     * chunk bypasses the cache, and HDF5 1.10 then leaks its buffer when a
     * write fails (a full disk). */
    hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = 8192;
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
    hid_t *sets[] = {&out->row_set, &out->part_set, &out->exits_set};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (*sets[i] >= 0) {
            H5Dclose(*sets[i]);
            *sets[i] = -1;
        }
    for (int s = 0; s < MODEL_MAX_SERIES; s++)
        if (out->series[s] >= 0) {
            H5Dclose(out->series[s]);
            out->series[s] = -1;
        }
    hid_t *extra_sets[] = {&out->extras_set, &out->money_set};
    for (size_t i = 0; i < 2; i++)
        if (*extra_sets[i] >= 0) {
            H5Dclose(*extra_sets[i]);
            *extra_sets[i] = -1;
        }
    hid_t *types[] = {&out->row_mem, &out->row_file, &out->part_mem, &out->part_file};
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
    free(out->written);
    free(out->failures);
    free(out->pad);
    free(out);
}

/* Creates the file with its root attributes in dense storage: compact
 * storage (HDF5's default) keeps an object's attributes in its 64 KiB header,
 * so a scenario text, a study or a name past that could not be stored.
 * Dense storage needs the 1.8 file format, which every HDF5 reader of the
 * last fifteen years (h5py, R, MATLAB) reads. */
static hid_t create_file(const char *path)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t file = -1;
    if (fcpl >= 0 && fapl >= 0 && H5Pset_attr_phase_change(fcpl, 0, 0) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) >= 0)
        file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    return file;
}

/* Allocation and the temporary file, common to both ways of creating. */
static h5out *open_temp(const char *final_path, uint64_t first, uint64_t count, char *err, size_t err_size)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5out *out = calloc(1, sizeof *out);
    if (!out) {
        snprintf(err, err_size, "%s: out of memory", final_path);
        return NULL;
    }
    out->file = out->row_set = out->part_set = out->exits_set = -1;
    out->row_mem = out->row_file = out->part_mem = out->part_file = -1;
    for (int s = 0; s < MODEL_MAX_SERIES; s++)
        out->series[s] = -1;
    out->extras_set = out->money_set = -1;
    out->first_trial = first;
    out->trial_count = count;
    size_t len = strlen(final_path) + 64;
    out->final_path = strdup(final_path);
    out->temp_path = malloc(len);
    out->buffer = malloc(PARTICIPANT_BUFFER * sizeof *out->buffer);
    out->written = calloc(count ? count : 1, 1);
    if (!out->final_path || !out->temp_path || !out->buffer || !out->written) {
        snprintf(err, err_size, "%s: out of memory", final_path);
        h5out_free(out);
        return NULL;
    }
    /* Same directory as the target, so the final rename is atomic. */
    if (outpath_temp_name(final_path, (long)getpid(), out->temp_path, len) != 0) {
        snprintf(err, err_size, "%s: the path is too long", final_path);
        h5out_free(out);
        return NULL;
    }
    errno = 0;
    out->file = create_file(out->temp_path);
    if (out->file < 0) {
        snprintf(err, err_size, "%s: cannot create the output file (%s)", final_path,
                 errno ? strerror(errno) : "HDF5 refused it");
        /* A full disk can leave an empty file behind. */
        unlink(out->temp_path);
        h5out_free(out);
        return NULL;
    }
    out->row_mem = row_written_type();
    out->row_file = packed(out->row_mem);
    out->part_mem = h5out_participant_type();
    out->part_file = packed(out->part_mem);
    return out;
}

h5out *h5out_create(const char *final_path, const h5out_meta *meta, char *err, size_t err_size)
{
    h5out *out = open_temp(final_path, meta->first_trial, meta->trial_count, err, err_size);
    if (!out)
        return NULL;
    const model_params *mp = &meta->st->scenarios[0].sc.model;
    out->months = mp->horizon_months;
    out->destinations = mp->destinations;
    out->trials_total = study_trial_count(meta->st);
    /* Series of every scenario, each as wide as its widest (scenarios with
     * fewer workers leave the rest NaN). */
    model_series_layout(mp, &out->layout);
    for (int sc = 1; sc < meta->st->scenario_count; sc++) {
        model_series other;
        model_series_layout(&meta->st->scenarios[sc].sc.model, &other);
        for (int i = 0; i < other.count; i++) {
            int j = 0;
            while (j < out->layout.count && strcmp(out->layout.item[j].name, other.item[i].name) != 0)
                j++;
            if (j == out->layout.count && j < MODEL_MAX_SERIES)
                out->layout.item[out->layout.count++] = other.item[i];
            else if (j < out->layout.count && other.item[i].width > out->layout.item[j].width)
                out->layout.item[j].width = other.item[i].width;
        }
    }
    _Static_assert(RESULTS_EXTRA_NAME_LEN == 80, "column names share one width");
    out->extras_count = (int)results_extras_names(mp, NULL);
    out->money_count = meta->st->scenarios[0].sc.money.enabled ? (int)money_row_columns(&meta->st->scenarios[0].sc.money, NULL) : 0;
    int rc = write_root_attributes(out, meta) != 0 ? fail(out, "writing root attributes") : 0;
    if (rc == 0 && write_strings(out, "/destinations", (const char *)mp->destination_names, MODEL_NAME_LEN,
                                 (hsize_t)mp->destinations) != 0)
        rc = fail(out, "writing /destinations");
    if (rc == 0)
        rc = write_study_tables(out, meta->st);
    if (rc == 0 && h5resolved_write(out->file, meta->st, out->error, sizeof out->error) != 0)
        rc = -1;
    if (rc == 0)
        rc = create_trial_datasets(out);
    if (rc == 0 && mp->start_date[0] && write_month_dates(out, mp) != 0)
        rc = fail(out, "writing /series/month_start_date");
    if (rc == 0) {
        /* Column names are computed into fixed local tables (names are
         * bounded) while the file is written by one thread only. */
        char (*en)[RESULTS_EXTRA_NAME_LEN] = calloc(RESULTS_MAX_EXTRAS, sizeof *en);
        char (*mn)[80] = calloc(MONEY_MAX_COLUMNS, sizeof *mn);
        if (!en || !mn)
            rc = fail_memory(out, "allocating column names");
        if (rc == 0 && out->extras_count > 0) {
            results_extras_names(mp, en);
            if (attr_columns(out->extras_set, (const char(*)[80])en, (size_t)out->extras_count) != 0)
                rc = fail(out, "writing /trial_extras columns");
        }
        if (rc == 0 && out->money_count > 0) {
            money_row_columns(&meta->st->scenarios[0].sc.money, mn);
            if (attr_columns(out->money_set, (const char(*)[80])mn, (size_t)out->money_count) != 0)
                rc = fail(out, "writing /money/trials columns");
        }
        free(en);
        free(mn);
    }
    if (rc != 0) {
        snprintf(err, err_size, "%s: %s", final_path, out->error);
        h5out_abort(out);
        return NULL;
    }
    return out;
}

static herr_t copy_attribute(hid_t loc, const char *name, const H5A_info_t *info, void *data);

/* The shape of a file's per-trial datasets, read back so that a merged or
 * resumed file is created with the same ones. */
static herr_t scan_series(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    h5out *out = data;
    if (out->layout.count == MODEL_MAX_SERIES || strlen(name) >= MODEL_NAME_LEN)
        return -1;
    hid_t set = H5Dopen2(group, name, H5P_DEFAULT);
    if (set < 0)
        return -1;
    hid_t sp = H5Dget_space(set);
    hsize_t dims[3] = {0, 0, 1};
    int rank = H5Sget_simple_extent_ndims(sp);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(set);
    model_series_item *it = &out->layout.item[out->layout.count++];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->units = NULL;
    it->width = rank == 3 ? (int)dims[2] : 1;
    return 0;
}

/* The core's six series come first in a file caseflow writes, in this
 * order; creation order is not tracked, so the layout is rebuilt in it. */
static void order_core_series(model_series *l)
{
    static const char *const core[] = {"referrals", "waiting", "active", "meetings", "utilisation", "exits"};
    for (int c = 0; c < 6; c++)
        for (int i = c; i < l->count; i++)
            if (strcmp(l->item[i].name, core[c]) == 0) {
                model_series_item t = l->item[c];
                l->item[c] = l->item[i];
                l->item[i] = t;
                break;
            }
}

static int columns_of(hid_t file, const char *name)
{
    if (H5Lexists(file, "/money", H5P_DEFAULT) <= 0 && strncmp(name, "/money/", 7) == 0)
        return 0;
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return 0;
    hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t sp = H5Dget_space(set);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(set);
    return (int)dims[1];
}

static int copy_dataset_attrs(hid_t from_file, h5out *out, const char *name)
{
    hid_t src = H5Dopen2(from_file, name, H5P_DEFAULT), dst = H5Dopen2(out->file, name, H5P_DEFAULT);
    int rc = -1;
    if (src >= 0 && dst >= 0) {
        if (H5Aexists(dst, "units") > 0)
            H5Adelete(dst, "units");
        if (H5Aexists(dst, PER_TRIAL_ATTR) > 0)
            H5Adelete(dst, PER_TRIAL_ATTR);
        hsize_t idx = 0;
        rc = H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_INC, &idx, copy_attribute, &dst) < 0 ? -1 : 0;
    }
    if (src >= 0)
        H5Dclose(src);
    if (dst >= 0)
        H5Dclose(dst);
    return rc;
}

static herr_t copy_attribute(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    hid_t dst = *(hid_t *)data;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t type = H5Aget_type(a), space = H5Aget_space(a);
    size_t size = H5Tget_size(type) * (size_t)(H5Sget_simple_extent_npoints(space) > 0 ? H5Sget_simple_extent_npoints(space) : 1);
    void *buf = malloc(size ? size : 1);
    herr_t rc = -1;
    if (buf && H5Aread(a, type, buf) >= 0) {
        hid_t b = H5Acreate2(dst, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (b >= 0) {
            rc = H5Awrite(b, type, buf);
            H5Aclose(b);
        }
    }
    free(buf);
    H5Tclose(type);
    H5Sclose(space);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

int h5out_read_int_attr(hid_t file, const char *name, hid_t type, void *value)
{
    hid_t a = H5Aopen(file, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    herr_t rc = H5Aread(a, type, value);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

h5out *h5out_create_like(const char *final_path, hid_t like, uint64_t first, uint64_t count, char *err,
                         size_t err_size)
{
    h5out *out = open_temp(final_path, first, count, err, err_size);
    if (!out)
        return NULL;
    int rc = 0;
    hsize_t idx = 0;
    if (H5Aiterate2(like, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, copy_attribute, &out->file) < 0) {
        idx = 0;
        if (H5Aiterate2(like, H5_INDEX_NAME, H5_ITER_INC, &idx, copy_attribute, &out->file) < 0)
            rc = fail(out, "copying root attributes");
    }
    static const char *const copied[] = {"/destinations", "/scenarios", "/parameter_names", "/scenario_parameters",
                                         "/resolved"};
    for (size_t i = 0; rc == 0 && i < sizeof copied / sizeof copied[0]; i++)
        if (H5Ocopy(like, copied[i], out->file, copied[i], H5P_DEFAULT, H5P_DEFAULT) < 0)
            rc = fail(out, "copying the study tables");
    int task = 0, tasks = 1, complete = 0;
    if (rc == 0 && (h5out_read_int_attr(out->file, "horizon_months", H5T_NATIVE_INT, &out->months) != 0 ||
                    h5out_read_int_attr(out->file, "trials_total", H5T_NATIVE_UINT64, &out->trials_total) != 0))
        rc = fail(out, "reading the study's shape");
    if (rc == 0) {
        hid_t d = H5Dopen2(out->file, "/destinations", H5P_DEFAULT);
        hid_t sp = H5Dget_space(d);
        out->destinations = (int)H5Sget_simple_extent_npoints(sp);
        H5Sclose(sp);
        H5Dclose(d);
        char created[32];
        time_t now = time(NULL);
        struct tm tmv;
        gmtime_r(&now, &tmv);
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
        if (attr_number(out->file, "first_trial", H5T_NATIVE_UINT64, &first) || attr_number(out->file, "trial_count", H5T_NATIVE_UINT64, &count) ||
            attr_number(out->file, "task", H5T_NATIVE_INT, &task) || attr_number(out->file, "tasks", H5T_NATIVE_INT, &tasks) ||
            attr_number(out->file, "complete", H5T_NATIVE_INT, &complete) || attr_string(out->file, "created", created))
            rc = fail(out, "writing root attributes");
    }
    if (rc == 0) {
        hid_t g = H5Gopen2(like, "/series", H5P_DEFAULT);
        hsize_t at = 0;
        if (g < 0 || H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &at, scan_series, out) < 0)
            rc = fail(out, "reading the series' shapes");
        if (g >= 0)
            H5Gclose(g);
        order_core_series(&out->layout);
        out->extras_count = columns_of(like, "/trial_extras");
        out->money_count = columns_of(like, "/money/trials");
    }
    if (rc == 0)
        rc = create_trial_datasets(out);
    for (int i = 0; rc == 0 && i < out->layout.count; i++) {
        char name[80];
        snprintf(name, sizeof name, "/series/%s", out->layout.item[i].name);
        if (copy_dataset_attrs(like, out, name) != 0)
            rc = fail(out, "copying series attributes");
    }
    if (rc == 0 && out->extras_count > 0 && copy_dataset_attrs(like, out, "/trial_extras") != 0)
        rc = fail(out, "copying /trial_extras attributes");
    if (rc == 0 && out->money_count > 0 && copy_dataset_attrs(like, out, "/money/trials") != 0)
        rc = fail(out, "copying /money/trials attributes");
    if (rc != 0) {
        snprintf(err, err_size, "%s: %s", final_path, out->error);
        h5out_abort(out);
        return NULL;
    }
    return out;
}

void h5out_allow_replace(h5out *out, int replace)
{
    out->replace = replace;
}

void h5out_set_finish_delay(h5out *out, int ms)
{
    out->finish_delay_ms = ms;
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

/* Writes row `row` of a dataset whose first dimension is the trial. */
static int write_row(hid_t set, hid_t mem_type, uint64_t row, const void *data)
{
    hid_t fspace = H5Dget_space(set);
    int rank = H5Sget_simple_extent_ndims(fspace);
    hsize_t dims[3], start[3] = {(hsize_t)row, 0, 0};
    H5Sget_simple_extent_dims(fspace, dims, NULL);
    dims[0] = 1;
    hid_t mspace = H5Screate_simple(rank, dims, NULL);
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, dims, NULL);
    herr_t rc = H5Dwrite(set, mem_type, mspace, fspace, H5P_DEFAULT, data);
    H5Sclose(mspace);
    H5Sclose(fspace);
    return rc < 0 ? -1 : 0;
}

int h5out_write_trial(h5out *out, const results_row *row, const model_series *series, const double *extras,
                      const double *money)
{
    if (row->trial < out->first_trial || row->trial - out->first_trial >= out->trial_count) {
        snprintf(out->error, sizeof out->error, "trial %llu is outside this file's slice",
                 (unsigned long long)row->trial);
        return -1;
    }
    uint64_t i = row->trial - out->first_trial;
    errno = 0;
    row_written w;
    w.row = *row;
    /* every byte: HDF5 stores the whole fixed-width field */
    memset(w.seed_text, 0, sizeof w.seed_text);
    snprintf(w.seed_text, sizeof w.seed_text, "%llu", (unsigned long long)row->seed);
    if (write_row(out->row_set, out->row_mem, i, &w) != 0)
        return fail(out, "writing /replications");
    if (write_row(out->exits_set, H5T_NATIVE_UINT64, i, row->exits_by_destination) != 0)
        return fail(out, "writing /exits_by_destination");
    if (series) {
        for (int s = 0; s < out->layout.count; s++) {
            const model_series_item *want = &out->layout.item[s];
            const model_series_item *have = NULL;
            for (int j = 0; j < series->count && !have; j++)
                if (strcmp(series->item[j].name, want->name) == 0)
                    have = &series->item[j];
            /* Missing series or columns (fewer posts in this scenario) are NaN. */
            for (int mth = 0; mth < out->months; mth++)
                for (int c = 0; c < want->width; c++)
                    out->pad[(size_t)mth * (size_t)want->width + (size_t)c] =
                        have && c < have->width ? have->values[(size_t)mth * (size_t)have->width + (size_t)c] : NAN;
            if (write_row(out->series[s], H5T_NATIVE_DOUBLE, i, out->pad) != 0)
                return fail(out, "writing /series");
        }
    }
    if (extras && out->extras_count > 0 && write_row(out->extras_set, H5T_NATIVE_DOUBLE, i, extras) != 0)
        return fail(out, "writing /trial_extras");
    if (money && out->money_count > 0 && write_row(out->money_set, H5T_NATIVE_DOUBLE, i, money) != 0)
        return fail(out, "writing /money/trials");
    out->written[i] = (unsigned char)row->status;
    return 0;
}

int h5out_add_failure(h5out *out, uint64_t trial, const char *reason)
{
    if (out->failure_count == out->failure_capacity) {
        size_t cap = out->failure_capacity ? out->failure_capacity * 2 : 16;
        h5out_failure *grown = realloc(out->failures, cap * sizeof *grown);
        if (!grown)
            return fail_memory(out, "recording a failed trial");
        out->failures = grown;
        out->failure_capacity = cap;
    }
    h5out_failure *f = &out->failures[out->failure_count++];
    memset(f, 0, sizeof *f);
    f->trial = trial;
    snprintf(f->reason, sizeof f->reason, "%s", reason);
    return 0;
}

/* /failures exists only when some trial failed, so the files of runs
 * without failures keep the layout they always had. */
static int write_failures(h5out *out)
{
    if (out->failure_count == 0)
        return 0;
    hid_t reason_t = text_type(FAILURE_REASON_LEN);
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(h5out_failure));
    INSERT(mem, h5out_failure, trial, H5T_NATIVE_UINT64);
    H5Tinsert(mem, "reason", HOFFSET(h5out_failure, reason), reason_t);
    hid_t file_t = packed(mem);
    hsize_t n = out->failure_count;
    errno = 0;
    hid_t set = create_fixed(out, "/failures", file_t, 1, &n,
                             "trials that failed (status 2 in /replications) and why; the others are kept");
    int rc = set >= 0 && H5Dwrite(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, out->failures) >= 0 ? 0 : -1;
    if (set >= 0)
        H5Dclose(set);
    H5Tclose(file_t);
    H5Tclose(mem);
    H5Tclose(reason_t);
    return rc ? fail(out, "writing /failures") : 0;
}

int h5out_write_summaries(h5out *out, const char *group, const results_summary *s, size_t n,
                          const results_difference *d, size_t nd)
{
    hid_t name_t = text_type(RESULTS_NAME_LEN), unit_t = text_type(sizeof s->unit);
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(results_summary));
    INSERT(mem, results_summary, scenario, H5T_NATIVE_UINT32);
    H5Tinsert(mem, "metric", HOFFSET(results_summary, metric), name_t);
    H5Tinsert(mem, "unit", HOFFSET(results_summary, unit), unit_t);
    INSERT(mem, results_summary, mean, H5T_NATIVE_DOUBLE);
    INSERT(mem, results_summary, ci_low, H5T_NATIVE_DOUBLE);
    INSERT(mem, results_summary, ci_high, H5T_NATIVE_DOUBLE);
    INSERT(mem, results_summary, replications, H5T_NATIVE_UINT64);
    hid_t dmem = H5Tcreate(H5T_COMPOUND, sizeof(results_difference));
    INSERT(dmem, results_difference, scenario, H5T_NATIVE_UINT32);
    H5Tinsert(dmem, "metric", HOFFSET(results_difference, metric), name_t);
    INSERT(dmem, results_difference, mean, H5T_NATIVE_DOUBLE);
    INSERT(dmem, results_difference, ci_low, H5T_NATIVE_DOUBLE);
    INSERT(dmem, results_difference, ci_high, H5T_NATIVE_DOUBLE);
    INSERT(dmem, results_difference, replications, H5T_NATIVE_UINT64);
    INSERT(dmem, results_difference, paired, H5T_NATIVE_UINT32);
    hid_t file_t = packed(mem), dfile_t = packed(dmem);
    hsize_t dims = n, ddims = nd;
    errno = 0;
    int rc = -1;
    char sum_name[64], diff_name[64];
    snprintf(sum_name, sizeof sum_name, "%s/summary", group);
    snprintf(diff_name, sizeof diff_name, "%s/paired_differences", group);
    hid_t set = create_fixed(out, sum_name, file_t, 1, &dims,
                             "per scenario: mean over replications with its 95% confidence interval (Student t)");
    if (set >= 0) {
        rc = (n == 0 || H5Dwrite(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) >= 0) ? 0 : -1;
        H5Dclose(set);
    }
    if (rc == 0) {
        rc = -1;
        set = create_fixed(out, diff_name, dfile_t, 1, &ddims,
                           "scenario minus base (scenario 0), 95% CI; paired=1: per replication under common random "
                           "numbers, 0: Welch");
        if (set >= 0) {
            rc = (nd == 0 || H5Dwrite(set, dmem, H5S_ALL, H5S_ALL, H5P_DEFAULT, d) >= 0) ? 0 : -1;
            H5Dclose(set);
        }
    }
    H5Tclose(file_t);
    H5Tclose(dfile_t);
    H5Tclose(name_t);
    H5Tclose(unit_t);
    H5Tclose(mem);
    H5Tclose(dmem);
    return rc ? fail(out, "writing /summary") : 0;
}

int h5out_finish(h5out *out, char *err, size_t err_size)
{
    int rc = flush_participants(out);
    if (rc == 0)
        rc = write_failures(out);
    int complete = out->first_trial == 0 && out->trial_count == out->trials_total;
    for (uint64_t i = 0; complete && i < out->trial_count; i++)
        complete = out->written[i] == RESULTS_DONE;
    if (rc == 0 && attr_number(out->file, "complete", H5T_NATIVE_INT, &complete) != 0)
        rc = fail(out, "writing root attributes");
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
    if (rc != 0) {
        snprintf(err, err_size, "%s: %s", out->final_path, out->error);
        unlink(out->temp_path);
    } else {
        if (out->finish_delay_ms > 0) {
            struct timespec pause = {out->finish_delay_ms / 1000, (long)(out->finish_delay_ms % 1000) * 1000000L};
            while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
                ;
        }
        rc = outpath_commit(out->temp_path, out->final_path, out->replace, err, err_size) == CF_EXIT_OK ? 0 : -1;
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

/* Copies row `row` of a per-trial dataset (first dimension the trial) from
 * one file to the same-named dataset of another, whatever its type. */
int h5out_copy_row(hid_t from, hid_t to, const char *name, uint64_t row, uint64_t to_row)
{
    hid_t src = H5Dopen2(from, name, H5P_DEFAULT), dst = H5Dopen2(to, name, H5P_DEFAULT);
    hid_t fs = src >= 0 ? H5Dget_space(src) : -1, ts = dst >= 0 ? H5Dget_space(dst) : -1;
    hid_t type = src >= 0 ? H5Dget_type(src) : -1;
    hid_t mem = type >= 0 ? H5Tget_native_type(type, H5T_DIR_DEFAULT) : -1;
    int rc = -1;
    if (fs >= 0 && ts >= 0 && mem >= 0) {
        int rank = H5Sget_simple_extent_ndims(fs);
        hsize_t dims[3], tdims[3];
        if (rank >= 1 && rank <= 3 && H5Sget_simple_extent_ndims(ts) == rank) {
            H5Sget_simple_extent_dims(fs, dims, NULL);
            H5Sget_simple_extent_dims(ts, tdims, NULL);
            int same = row < dims[0] && to_row < tdims[0];
            size_t cells = 1;
            for (int d = 1; d < rank; d++) {
                same &= dims[d] == tdims[d];
                cells *= (size_t)dims[d];
            }
            void *buf = same ? malloc(cells * H5Tget_size(mem) + 1) : NULL;
            if (buf) {
                hsize_t start[3] = {row, 0, 0}, tstart[3] = {to_row, 0, 0}, count[3] = {1, dims[1], dims[2]};
                hid_t ms = H5Screate_simple(rank, count, NULL);
                H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
                H5Sselect_hyperslab(ts, H5S_SELECT_SET, tstart, NULL, count, NULL);
                if (H5Dread(src, mem, ms, fs, H5P_DEFAULT, buf) >= 0 &&
                    H5Dwrite(dst, mem, ms, ts, H5P_DEFAULT, buf) >= 0)
                    rc = 0;
                H5Sclose(ms);
                free(buf);
            }
        }
    }
    if (mem >= 0)
        H5Tclose(mem);
    if (type >= 0)
        H5Tclose(type);
    if (fs >= 0)
        H5Sclose(fs);
    if (ts >= 0)
        H5Sclose(ts);
    if (src >= 0)
        H5Dclose(src);
    if (dst >= 0)
        H5Dclose(dst);
    return rc;
}

int h5out_copy_trial_data(hid_t from, uint64_t from_row, h5out *out, uint64_t trial)
{
    if (trial < out->first_trial || trial - out->first_trial >= out->trial_count)
        return -1;
    uint64_t to_row = trial - out->first_trial;
    for (int s = 0; s < out->layout.count; s++) {
        char name[80];
        snprintf(name, sizeof name, "/series/%s", out->layout.item[s].name);
        if (h5out_copy_row(from, out->file, name, from_row, to_row) != 0)
            return -1;
    }
    if (out->extras_count > 0 && h5out_copy_row(from, out->file, "/trial_extras", from_row, to_row) != 0)
        return -1;
    if (out->money_count > 0 && h5out_copy_row(from, out->file, "/money/trials", from_row, to_row) != 0)
        return -1;
    return 0;
}

hid_t h5out_file_id(const h5out *out)
{
    return out->file;
}
