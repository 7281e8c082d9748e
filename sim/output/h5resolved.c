/*
 * h5resolved.c — writes /resolved: keys [K], text [S, K], value [S, K] and
 * is_default [S, K], from the scenario layer's table (study_resolve).
 *
 * Strings are variable-length UTF-8, so h5py reads them as str and a long
 * array value is not cut. Rows are written one scenario at a time, so a
 * study of many scenarios never holds its whole text table in memory.
 */
#include "output/h5resolved.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hid_t utf8_strings(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

static hid_t create(hid_t group, const char *name, hid_t type, int rank, const hsize_t *dims)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t set = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    return set;
}

/* Row s of a [S, K] dataset from buf. */
static int write_row(hid_t set, hid_t mem_type, hsize_t s, hsize_t k, const void *buf)
{
    hid_t fs = H5Dget_space(set);
    hsize_t start[2] = {s, 0}, count[2] = {1, k};
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    hid_t ms = H5Screate_simple(2, count, NULL);
    herr_t rc = H5Dwrite(set, mem_type, ms, fs, H5P_DEFAULT, buf);
    H5Sclose(ms);
    H5Sclose(fs);
    return rc < 0 ? -1 : 0;
}

int h5resolved_write(hid_t file, const study *st, char *why, size_t why_size)
{
    study_resolved *r = NULL;
    config_error cerr;
    if (study_resolve(st, &r, &cerr) != 0) {
        snprintf(why, why_size, "%s", cerr.message);
        return -1;
    }
    size_t k = study_resolved_key_count(r);
    hsize_t n_keys = (hsize_t)k, dims[2] = {(hsize_t)st->scenario_count, (hsize_t)k};
    const char **keys = malloc((k ? k : 1) * sizeof *keys);
    const char **text = malloc((k ? k : 1) * sizeof *text);
    double *value = malloc((k ? k : 1) * sizeof *value);
    unsigned char *is_default = malloc(k ? k : 1);
    hid_t str = utf8_strings();
    hid_t group = H5Gcreate2(file, "/resolved", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sets[4] = {-1, -1, -1, -1};
    int rc = keys && text && value && is_default && group >= 0 ? 0 : -1;
    if (rc == 0) {
        int version = H5RESOLVED_FORMAT_VERSION;
        hid_t space = H5Screate(H5S_SCALAR);
        hid_t attr = H5Acreate2(group, "format_version", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT);
        rc = attr >= 0 && H5Awrite(attr, H5T_NATIVE_INT, &version) >= 0 ? 0 : -1;
        if (attr >= 0)
            H5Aclose(attr);
        H5Sclose(space);
    }
    if (rc == 0) {
        for (size_t i = 0; i < k; i++)
            keys[i] = study_resolved_key(r, i);
        sets[0] = create(group, "keys", str, 1, &n_keys);
        sets[1] = create(group, "text", str, 2, dims);
        sets[2] = create(group, "value", H5T_IEEE_F64LE, 2, dims);
        sets[3] = create(group, "is_default", H5T_STD_U8LE, 2, dims);
        rc = sets[0] >= 0 && sets[1] >= 0 && sets[2] >= 0 && sets[3] >= 0 ? 0 : -1;
    }
    if (rc == 0 && k > 0)
        rc = H5Dwrite(sets[0], str, H5S_ALL, H5S_ALL, H5P_DEFAULT, keys) < 0 ? -1 : 0;
    for (int s = 0; rc == 0 && k > 0 && s < st->scenario_count; s++) {
        study_resolved_row(r, s, text, value, is_default);
        rc = write_row(sets[1], str, (hsize_t)s, n_keys, text) != 0 ||
                     write_row(sets[2], H5T_NATIVE_DOUBLE, (hsize_t)s, n_keys, value) != 0 ||
                     write_row(sets[3], H5T_NATIVE_UCHAR, (hsize_t)s, n_keys, is_default) != 0
                 ? -1
                 : 0;
    }
    if (rc != 0)
        snprintf(why, why_size, "writing /resolved failed");
    for (int i = 0; i < 4; i++)
        if (sets[i] >= 0)
            H5Dclose(sets[i]);
    if (group >= 0)
        H5Gclose(group);
    H5Tclose(str);
    free(keys);
    free(text);
    free(value);
    free(is_default);
    study_resolved_free(r);
    return rc;
}
