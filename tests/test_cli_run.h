/*
 * test_cli_run.h — running the caseflow binary from a cmocka test, and
 * reading small things back from its HDF5 files.
 *
 * Owns the fixture of test_runopts.c, test_export.c and test_help.c: a
 * scratch directory, the binary named by CASEFLOW_BIN (skipped when unset),
 * a command run through /bin/sh with stdout and stderr captured in files,
 * and a few readers (a dataset's length, a string attribute, an exported
 * table split into lines). Static inline, like test_support.h.
 */
#ifndef CASEFLOW_TEST_CLI_RUN_H
#define CASEFLOW_TEST_CLI_RUN_H

#include "test_support.h"

#include <hdf5.h>
#include <stdarg.h>
#include <sys/wait.h>

typedef struct cli_fixture {
    const char *bin;
    char bin_abs[PATH_MAX];
    char dir[PATH_MAX];
    char stdout_path[PATH_MAX], stderr_path[PATH_MAX];
    char *out, *err;  /* what the last command printed */
} cli_fixture;

static inline int cli_setup(void **state)
{
    cli_fixture *fx = calloc(1, sizeof *fx);
    fx->bin = getenv("CASEFLOW_BIN");
    /* commands run in the scratch directory: the binary's path must not
     * depend on the working directory */
    char cwd[PATH_MAX];
    if (fx->bin && fx->bin[0] && fx->bin[0] != '/' && getcwd(cwd, sizeof cwd) &&
        snprintf(fx->bin_abs, sizeof fx->bin_abs, "%s/%s", cwd, fx->bin) < (int)sizeof fx->bin_abs)
        fx->bin = fx->bin_abs;
    ts_make_temp_dir(fx->dir);
    snprintf(fx->stdout_path, sizeof fx->stdout_path, "%s/stdout.txt", fx->dir);
    snprintf(fx->stderr_path, sizeof fx->stderr_path, "%s/stderr.txt", fx->dir);
    *state = fx;
    return 0;
}

static inline int cli_teardown(void **state)
{
    cli_fixture *fx = *state;
    free(fx->out);
    free(fx->err);
    ts_remove_tree(fx->dir);
    free(fx);
    return 0;
}

/* A path in the scratch directory. */
static inline void cli_path(const cli_fixture *fx, const char *name, char *out)
{
    snprintf(out, PATH_MAX, "%s/%s", fx->dir, name);
}

static inline void cli_write(const cli_fixture *fx, const char *name, const char *text)
{
    char path[PATH_MAX];
    cli_path(fx, name, path);
    ts_write_file(path, text, strlen(text));
}

/* Runs "PREFIX $CASEFLOW_BIN ARGS" in the scratch directory through the
 * shell (PREFIX: environment settings or a wrapper such as taskset; may be
 * ""), stdin from /dev/null; returns the exit status. A death by signal (a
 * sanitizer's abort) fails the test. */
static inline int cli_run_with(cli_fixture *fx, const char *prefix, const char *fmt, ...)
{
    ts_need_binary(fx->bin);
    char args[8192], cmd[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s '%s' %s", prefix, fx->bin, args);
    int code = ts_shell_capture(fx->dir, cmd, fx->stdout_path, fx->stderr_path, &fx->out, &fx->err);
    char shown[8400];
    snprintf(shown, sizeof shown, "%.200s%s%.8000s", prefix, prefix[0] ? " " : "", args);
    ts_print_run(shown, code, fx->err);
    return code;
}

#define cli_run(fx, ...) cli_run_with((fx), "", __VA_ARGS__)

/* Elements of a dataset; -1 when it is absent. */
static inline long long cli_h5_length(const char *file, const char *name)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("cannot open %s", file);
    long long n = -1;
    if (H5Lexists(f, name + (name[0] == '/'), H5P_DEFAULT) > 0) {
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        hid_t sp = H5Dget_space(d);
        n = (long long)H5Sget_simple_extent_npoints(sp);
        H5Sclose(sp);
        H5Dclose(d);
    }
    H5Fclose(f);
    return n;
}

/* A fixed-length string root attribute into buf ("" when absent). */
static inline void cli_h5_text_attr(const char *file, const char *name, char *buf, size_t size)
{
    buf[0] = '\0';
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("cannot open %s", file);
    if (H5Aexists(f, name) > 0) {
        hid_t a = H5Aopen(f, name, H5P_DEFAULT);
        hid_t t = H5Aget_type(a);
        size_t len = H5Tget_size(t);
        char *tmp = calloc(len + 1, 1);
        if (tmp && H5Aread(a, t, tmp) >= 0)
            snprintf(buf, size, "%s", tmp);
        free(tmp);
        H5Tclose(t);
        H5Aclose(a);
    }
    H5Fclose(f);
}

/* Splits text into lines in place (no quoted line breaks expected);
 * returns their number, *lines malloc'ed. */
static inline int cli_lines(char *text, char ***lines)
{
    int n = ts_count_newlines(text), i = 0;
    *lines = calloc((size_t)n + 1, sizeof **lines);
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && i <= n; l = strtok_r(NULL, "\n", &save))
        (*lines)[i++] = l;
    return i;
}

#endif
