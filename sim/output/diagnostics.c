/*
 * diagnostics.c — overload and warm-up warnings from a written file.
 *
 * Cost: one pass over /series/waiting and /series/active, read in blocks of
 * trials (memory: a block plus one mean series per scenario), and one
 * least-squares slope per trial; small beside the run that wrote them.
 */
#include "output/diagnostics.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_stats.h"
#include "engine/eng_warmup.h"

#define BLOCK_TRIALS 256
#define WARNINGS_MAX 65536

typedef struct trial_key {
    uint32_t scenario, status;
} trial_key;

static int read_int_attr(hid_t obj, const char *name, int *out)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    herr_t rc = H5Aread(a, H5T_NATIVE_INT, out);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

static int read_names(hid_t file, diagnostics *d)
{
    typedef struct {
        char name[DIAG_NAME_LEN];
    } name_row;
    hid_t set = H5Dopen2(file, "/scenarios", H5P_DEFAULT);
    if (set < 0)
        return -1;
    name_row *rows = calloc((size_t)d->scenarios, sizeof *rows);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, DIAG_NAME_LEN);
    H5Tset_strpad(str, H5T_STR_NULLTERM);
    H5Tset_cset(str, H5T_CSET_UTF8); /* as h5out writes text; HDF5 does not convert ASCII <-> UTF-8 */
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(name_row));
    H5Tinsert(mem, "name", 0, str);
    int rc = rows && H5Dread(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0 ? 0 : -1;
    for (int s = 0; rc == 0 && s < d->scenarios; s++) {
        rows[s].name[DIAG_NAME_LEN - 1] = '\0';
        snprintf(d->s[s].name, sizeof d->s[s].name, "%s", rows[s].name);
    }
    H5Tclose(mem);
    H5Tclose(str);
    H5Dclose(set);
    free(rows);
    return rc;
}

static trial_key *read_keys(hid_t file, hsize_t *n)
{
    hid_t set = H5Dopen2(file, "/replications", H5P_DEFAULT);
    if (set < 0)
        return NULL;
    hid_t space = H5Dget_space(set);
    H5Sget_simple_extent_dims(space, n, NULL);
    H5Sclose(space);
    trial_key *keys = malloc((*n ? *n : 1) * sizeof *keys);
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(trial_key));
    H5Tinsert(mem, "scenario", HOFFSET(trial_key, scenario), H5T_NATIVE_UINT32);
    H5Tinsert(mem, "status", HOFFSET(trial_key, status), H5T_NATIVE_UINT32);
    if (keys && *n && H5Dread(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, keys) < 0) {
        free(keys);
        keys = NULL;
    }
    H5Tclose(mem);
    H5Dclose(set);
    return keys;
}

/* Rows [first, first + count) of a [T, M] dataset into buf. */
static int read_block(hid_t set, hsize_t first, hsize_t count, hsize_t months, double *buf)
{
    hid_t fspace = H5Dget_space(set);
    hsize_t start[2] = {first, 0}, dims[2] = {count, months};
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, dims, NULL);
    hid_t mspace = H5Screate_simple(2, dims, NULL);
    herr_t rc = H5Dread(set, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, buf);
    H5Sclose(mspace);
    H5Sclose(fspace);
    return rc < 0 ? -1 : 0;
}

/* Least-squares slope of y over months [from, to). */
static double slope(const double *y, int from, int to)
{
    int n = to - from;
    if (n < 2)
        return NAN;
    double xbar = (from + to - 1) / 2.0, ybar = 0;
    for (int m = from; m < to; m++)
        ybar += y[m];
    ybar /= n;
    double sxy = 0, sxx = 0;
    for (int m = from; m < to; m++) {
        sxy += (m - xbar) * (y[m] - ybar);
        sxx += (m - xbar) * (m - xbar);
    }
    return sxy / sxx;
}

static double summary_mean(const results_summary *sum, size_t n, int scenario, const char *metric)
{
    for (size_t i = 0; i < n; i++)
        if (sum[i].scenario == (uint32_t)scenario && strcmp(sum[i].metric, metric) == 0)
            return sum[i].mean;
    return NAN;
}

/* Averages the series per scenario and takes the slopes per trial. */
static int scan_series(hid_t file, const trial_key *keys, hsize_t trials, diagnostics *d, double *mean_waiting,
                       double *mean_active, stat_obs *slopes)
{
    int months = d->horizon_months;
    hid_t wset = H5Dopen2(file, "/series/waiting", H5P_DEFAULT);
    hid_t aset = H5Dopen2(file, "/series/active", H5P_DEFAULT);
    double *wbuf = malloc((size_t)BLOCK_TRIALS * (size_t)months * sizeof *wbuf);
    double *abuf = malloc((size_t)BLOCK_TRIALS * (size_t)months * sizeof *abuf);
    uint64_t *count = calloc((size_t)d->scenarios, sizeof *count);
    int rc = wset >= 0 && aset >= 0 && wbuf && abuf && count ? 0 : -1;
    for (hsize_t first = 0; rc == 0 && first < trials; first += BLOCK_TRIALS) {
        hsize_t block = trials - first < BLOCK_TRIALS ? trials - first : BLOCK_TRIALS;
        if (read_block(wset, first, block, (hsize_t)months, wbuf) != 0 ||
            read_block(aset, first, block, (hsize_t)months, abuf) != 0) {
            rc = -1;
            break;
        }
        for (hsize_t t = 0; t < block; t++) {
            const trial_key *k = &keys[first + t];
            if (k->status != RESULTS_DONE || k->scenario >= (uint32_t)d->scenarios)
                continue;
            const double *w = &wbuf[t * (hsize_t)months], *a = &abuf[t * (hsize_t)months];
            double *mw = &mean_waiting[(size_t)k->scenario * (size_t)months];
            double *ma = &mean_active[(size_t)k->scenario * (size_t)months];
            for (int m = 0; m < months; m++) {
                mw[m] += w[m];
                ma[m] += a[m];
            }
            count[k->scenario]++;
            double b = slope(w, d->warmup_months, months);
            if (!isnan(b))
                stat_obs_add(&slopes[k->scenario], b);
        }
    }
    for (int s = 0; rc == 0 && s < d->scenarios; s++)
        for (int m = 0; m < months && count[s]; m++) {
            mean_waiting[(size_t)s * (size_t)months + (size_t)m] /= (double)count[s];
            mean_active[(size_t)s * (size_t)months + (size_t)m] /= (double)count[s];
        }
    if (wset >= 0)
        H5Dclose(wset);
    if (aset >= 0)
        H5Dclose(aset);
    free(wbuf);
    free(abuf);
    free(count);
    return rc;
}

static void append(diagnostics *d, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(d->warnings + *len, WARNINGS_MAX - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < WARNINGS_MAX ? *len + (size_t)n : WARNINGS_MAX - 1;
}

static void judge(diagnostics *d, int s, const stat_obs *slope_obs, const double *mw, const double *ma)
{
    diag_scenario *ds = &d->s[s];
    int months = d->horizon_months - d->warmup_months;
    ds->replications = slope_obs->n;
    ds->trend = stat_obs_mean(slope_obs);
    double h = stat_obs_ci_halfwidth(slope_obs, 0.95);
    ds->trend_lo = ds->trend - h;
    ds->trend_hi = ds->trend + h;
    double growth = ds->trend * months;
    ds->overloaded = slope_obs->n >= 2 && ds->trend_lo > 0 && growth >= 1.0 &&
                     (isnan(ds->mean_waiting) || growth >= 0.1 * ds->mean_waiting);
    size_t cut_w = 0, cut_a = 0;
    int lim_w = 0, lim_a = 0;
    int ok_w = warmup_mser5(mw, (size_t)d->horizon_months, &cut_w, &lim_w) == 0;
    int ok_a = warmup_mser5(ma, (size_t)d->horizon_months, &cut_a, &lim_a) == 0;
    ds->suggested_warmup_months = ok_w || ok_a ? (int)(cut_w > cut_a ? cut_w : cut_a) : -1;
    ds->settle_at_limit = (ok_w && lim_w) || (ok_a && lim_a);
    /* A minimum at the limit alone is not taken as unsettled: with the
     * dozen batches of a 60-month run, noise in a settled series puts it
     * there often (the late batches happen to be the flattest).
     * A run from a snapshot is a forecast from today's state: its drift
     * towards a steady state is the answer, not start-up bias to cut away,
     * so it is never called unsettled (the suggestion is still written). */
    ds->unsettled = !ds->from_snapshot && ds->suggested_warmup_months > d->warmup_months;
}

/* Which scenarios start from a snapshot: /resolved's run.snapshot given
 * (is_default 0). Files without /resolved (format 2) count as none. */
static void read_snapshot_flags(hid_t file, diagnostics *d)
{
    if (H5Lexists(file, "/resolved", H5P_DEFAULT) <= 0 || H5Lexists(file, "/resolved/keys", H5P_DEFAULT) <= 0 ||
        H5Lexists(file, "/resolved/is_default", H5P_DEFAULT) <= 0)
        return;
    hid_t keys = H5Dopen2(file, "/resolved/keys", H5P_DEFAULT);
    hid_t defaults = H5Dopen2(file, "/resolved/is_default", H5P_DEFAULT);
    hid_t kspace = keys >= 0 ? H5Dget_space(keys) : -1, dspace = defaults >= 0 ? H5Dget_space(defaults) : -1;
    hid_t vlen = H5Tcopy(H5T_C_S1);
    H5Tset_size(vlen, H5T_VARIABLE);
    H5Tset_cset(vlen, H5T_CSET_UTF8);
    hsize_t nk = 0, dims[2] = {0, 0};
    char **names = NULL;
    unsigned char *flags = NULL;
    if (kspace < 0 || dspace < 0 || H5Sget_simple_extent_ndims(kspace) != 1 ||
        H5Sget_simple_extent_ndims(dspace) != 2)
        goto out;
    H5Sget_simple_extent_dims(kspace, &nk, NULL);
    H5Sget_simple_extent_dims(dspace, dims, NULL);
    if (nk == 0 || dims[1] != nk || dims[0] != (hsize_t)d->scenarios)
        goto out;
    names = calloc(nk, sizeof *names);
    flags = malloc(dims[0] * dims[1]);
    if (!names || !flags || H5Dread(keys, vlen, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) < 0)
        goto out;
    if (H5Dread(defaults, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, flags) >= 0)
        for (hsize_t k = 0; k < nk; k++)
            if (names[k] && strcmp(names[k], "run.snapshot") == 0)
                for (int s = 0; s < d->scenarios; s++)
                    d->s[s].from_snapshot = !flags[(size_t)s * nk + k];
    H5Dvlen_reclaim(vlen, kspace, H5P_DEFAULT, names);
out:
    free(names);
    free(flags);
    H5Tclose(vlen);
    if (kspace >= 0)
        H5Sclose(kspace);
    if (dspace >= 0)
        H5Sclose(dspace);
    if (keys >= 0)
        H5Dclose(keys);
    if (defaults >= 0)
        H5Dclose(defaults);
}

static void word_warnings(diagnostics *d)
{
    size_t len = 0;
    for (int s = 0; s < d->scenarios; s++) {
        const diag_scenario *ds = &d->s[s];
        char who[DIAG_NAME_LEN + 24] = "";
        if (d->scenarios > 1)
            snprintf(who, sizeof who, "scenario '%s': ", ds->name);
        char load[160] = "";
        if (!isnan(ds->offered_load) && ds->capacity > 0)
            snprintf(load, sizeof load, " (offered load %.1f participants against %.0f places, %.0f %%)",
                     ds->offered_load, ds->capacity, 100 * ds->offered_load / ds->capacity);
        if (ds->overloaded)
            append(d, &len,
                   "%soverloaded: the waiting list grows by %.3g [%.3g, %.3g] people a month through the measured "
                   "window%s; mean waits here depend on the run length\n",
                   who, ds->trend, ds->trend_lo, ds->trend_hi, load);
        if (ds->unsettled && ds->settle_at_limit)
            append(d, &len,
                   "%sunsettled: MSER-5 on the waiting list and caseload finds no settled point within the first "
                   "half of the run (it suggests at least %d months of warm-up, the scenario has %d); run longer "
                   "and raise run.warmup_months\n",
                   who, ds->suggested_warmup_months, d->warmup_months);
        else if (ds->unsettled)
            append(d, &len,
                   "%sunsettled: the warm-up of %d months is too short; MSER-5 on the waiting list and caseload "
                   "suggests %d months (run.warmup_months)\n",
                   who, d->warmup_months, ds->suggested_warmup_months);
    }
}

int diagnostics_compute(hid_t file, const results_summary *sum, size_t n, diagnostics *d, char *err,
                        size_t err_size)
{
    memset(d, 0, sizeof *d);
    hsize_t trials = 0;
    trial_key *keys = NULL;
    double *mw = NULL, *ma = NULL;
    stat_obs *slopes = NULL;
    int rc = -1;
    if (read_int_attr(file, "scenarios", &d->scenarios) != 0 ||
        read_int_attr(file, "warmup_months", &d->warmup_months) != 0 ||
        read_int_attr(file, "horizon_months", &d->horizon_months) != 0 || d->scenarios < 1 ||
        d->horizon_months < 1) {
        snprintf(err, err_size, "diagnostics: the file's root attributes are missing");
        goto done;
    }
    size_t cells = (size_t)d->scenarios * (size_t)d->horizon_months;
    d->s = calloc((size_t)d->scenarios, sizeof *d->s);
    d->warnings = calloc(WARNINGS_MAX, 1);
    mw = calloc(cells, sizeof *mw);
    ma = calloc(cells, sizeof *ma);
    slopes = malloc((size_t)d->scenarios * sizeof *slopes);
    keys = read_keys(file, &trials);
    if (!d->s || !d->warnings || !mw || !ma || !slopes || !keys || read_names(file, d) != 0) {
        snprintf(err, err_size, "diagnostics: out of memory or /replications or /scenarios unreadable");
        goto done;
    }
    for (int s = 0; s < d->scenarios; s++)
        stat_obs_init(&slopes[s]);
    if (scan_series(file, keys, trials, d, mw, ma, slopes) != 0) {
        snprintf(err, err_size, "diagnostics: reading /series/waiting and /series/active failed");
        goto done;
    }
    read_snapshot_flags(file, d);
    for (int s = 0; s < d->scenarios; s++) {
        diag_scenario *ds = &d->s[s];
        ds->offered_load = summary_mean(sum, n, s, "offered_load");
        ds->capacity = summary_mean(sum, n, s, "capacity");
        ds->mean_waiting = summary_mean(sum, n, s, "waiting_list");
        judge(d, s, &slopes[s], &mw[(size_t)s * (size_t)d->horizon_months],
              &ma[(size_t)s * (size_t)d->horizon_months]);
        d->overloaded |= ds->overloaded;
        d->unsettled |= ds->unsettled;
    }
    word_warnings(d);
    rc = 0;
done:
    free(keys);
    free(mw);
    free(ma);
    free(slopes);
    return rc;
}

void diagnostics_free(diagnostics *d)
{
    free(d->s);
    free(d->warnings);
    memset(d, 0, sizeof *d);
}

/* ---- writing ------------------------------------------------------------- */

static int attr_write(hid_t obj, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr >= 0 ? H5Awrite(attr, type, value) : -1;
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

static int attr_text(hid_t obj, const char *name, const char *text)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    size_t len = strlen(text);
    H5Tset_size(type, len ? len : 1);
    H5Tset_strpad(type, H5T_STR_NULLTERM);
    H5Tset_cset(type, H5T_CSET_UTF8);
    int rc = attr_write(obj, name, type, len ? text : "");
    H5Tclose(type);
    return rc;
}

static int dataset_write(hid_t group, const char *name, hid_t type, hsize_t n, const void *values)
{
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t set = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = set >= 0 ? H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) : -1;
    if (set >= 0)
        H5Dclose(set);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

/* A per-scenario number: an attribute when there is one scenario or all
 * agree, and a dataset of length S whenever there are several. */
static int write_number(hid_t group, const diagnostics *d, const char *name, size_t offset, int is_int)
{
    size_t S = (size_t)d->scenarios;
    double *v = malloc(S * sizeof *v);
    if (!v)
        return -1;
    int same = 1;
    for (size_t s = 0; s < S; s++) {
        const char *field = (const char *)&d->s[s] + offset;
        v[s] = is_int ? (double)*(const int *)field : *(const double *)field;
        same &= s == 0 || v[s] == v[0] || (isnan(v[s]) && isnan(v[0]));
    }
    int rc = 0;
    if (same) {
        if (is_int) {
            int i = (int)v[0];
            rc |= attr_write(group, name, H5T_NATIVE_INT, &i);
        } else {
            rc |= attr_write(group, name, H5T_NATIVE_DOUBLE, &v[0]);
        }
    }
    if (S > 1) {
        if (is_int) {
            int *iv = malloc(S * sizeof *iv);
            for (size_t s = 0; iv && s < S; s++)
                iv[s] = (int)v[s];
            rc |= iv ? dataset_write(group, name, H5T_NATIVE_INT, S, iv) : -1;
            free(iv);
        } else {
            rc |= dataset_write(group, name, H5T_NATIVE_DOUBLE, S, v);
        }
    }
    free(v);
    return rc;
}

int diagnostics_write(hid_t file, const diagnostics *d)
{
    if (H5Lexists(file, "/diagnostics", H5P_DEFAULT) > 0)
        H5Ldelete(file, "/diagnostics", H5P_DEFAULT);
    hid_t g = H5Gcreate2(file, "/diagnostics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    int rc = 0;
    rc |= attr_write(g, "overloaded", H5T_NATIVE_INT, &d->overloaded);
    rc |= attr_write(g, "unsettled", H5T_NATIVE_INT, &d->unsettled);
    rc |= attr_text(g, "warnings", d->warnings ? d->warnings : "");
    rc |= attr_text(g, "rules",
                    "overloaded: 95 % CI of the mean least-squares slope of the month-end waiting list over the "
                    "measured months lies above 0 and the growth over the window is >= 1 person and >= 10 % of the "
                    "mean list; unsettled: MSER-5 on the replication-averaged waiting-list and caseload series "
                    "suggests more than run.warmup_months (MSER-5 looks at most half the run far), never for a "
                    "scenario that starts from a snapshot (from_snapshot), whose drift is the forecast");
    if (d->scenarios > 1) {
        /* the flags per scenario; the attributes above say "in any" */
        int *flags = malloc((size_t)d->scenarios * sizeof *flags);
        for (int f = 0; flags && f < 2; f++) {
            for (int s = 0; s < d->scenarios; s++)
                flags[s] = f == 0 ? d->s[s].overloaded : d->s[s].unsettled;
            rc |= dataset_write(g, f == 0 ? "overloaded" : "unsettled", H5T_NATIVE_INT, (hsize_t)d->scenarios, flags);
        }
        rc |= flags ? 0 : -1;
        free(flags);
    }
    static const struct {
        const char *name;
        size_t offset;
        int is_int;
    } numbers[] = {
        {"offered_load", offsetof(diag_scenario, offered_load), 0},
        {"capacity", offsetof(diag_scenario, capacity), 0},
        {"waiting_trend_per_month", offsetof(diag_scenario, trend), 0},
        {"waiting_trend_lo", offsetof(diag_scenario, trend_lo), 0},
        {"waiting_trend_hi", offsetof(diag_scenario, trend_hi), 0},
        {"suggested_warmup_months", offsetof(diag_scenario, suggested_warmup_months), 1},
        {"from_snapshot", offsetof(diag_scenario, from_snapshot), 1},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        rc |= write_number(g, d, numbers[i].name, numbers[i].offset, numbers[i].is_int);
    H5Gclose(g);
    return rc ? -1 : 0;
}
