/*
 * test_support.h — shared helpers of the cmocka test programs.
 *
 * Owns what several test programs need and cmocka 1.1 lacks: floating-point
 * assertions that print both values, substring assertions, temporary files
 * and directories under /tmp (created with mkstemp/mkdtemp, removed by the
 * tests), whole-file reading, locating files of the source tree whatever the
 * working directory, the Student-t / normal quantiles the statistical
 * tests build their tolerances from, scenarios loaded from formatted text
 * and run one replication at a time, and running a command line through the
 * shell with its output captured (ts_shell_capture; test_spawn.h runs an
 * argv without a shell).
 *
 * Everything is static inline so a test that uses only part of it compiles
 * cleanly under -Wall -Wextra -Werror.
 */
#ifndef CASEFLOW_TEST_SUPPORT_H
#define CASEFLOW_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "engine/eng_rng.h"
#include "model/model_casework.h"
#include "scenario/config.h"

/* |actual - expected| <= tol, printing all three on failure. */
#define TS_ASSERT_NEAR(actual, expected, tol)                                                           \
    do {                                                                                                \
        double ts_a_ = (double)(actual), ts_e_ = (double)(expected), ts_t_ = (double)(tol);             \
        if (!(fabs(ts_a_ - ts_e_) <= ts_t_))                                                            \
            fail_msg("%s = %.17g, expected %s = %.17g within %.6g (off by %.6g)", #actual, ts_a_,       \
                     #expected, ts_e_, ts_t_, ts_a_ - ts_e_);                                          \
    } while (0)

/* Exact equality of doubles (both NaN counts as equal). */
#define TS_ASSERT_SAME_DOUBLE(actual, expected)                                                         \
    do {                                                                                                \
        double ts_a_ = (double)(actual), ts_e_ = (double)(expected);                                    \
        if (!(ts_a_ == ts_e_ || (isnan(ts_a_) && isnan(ts_e_))))                                        \
            fail_msg("%s = %.17g, expected exactly %.17g", #actual, ts_a_, ts_e_);                     \
    } while (0)

#define TS_ASSERT_CONTAINS(haystack, needle)                                                            \
    do {                                                                                                \
        const char *ts_h_ = (haystack), *ts_n_ = (needle);                                              \
        if (!ts_h_ || !strstr(ts_h_, ts_n_))                                                            \
            fail_msg("expected \"%s\" to contain \"%s\"", ts_h_ ? ts_h_ : "(null)", ts_n_);            \
    } while (0)

#define TS_ASSERT_NOT_CONTAINS(haystack, needle)                                                        \
    do {                                                                                                \
        const char *ts_h_ = (haystack), *ts_n_ = (needle);                                              \
        if (ts_h_ && strstr(ts_h_, ts_n_))                                                              \
            fail_msg("expected \"%s\" not to contain \"%s\"", ts_h_, ts_n_);                           \
    } while (0)

/* The analytic value lies in the confidence interval mean +- half. */
#define TS_ASSERT_IN_CI(what, analytic, mean, half)                                                     \
    do {                                                                                                \
        double ts_v_ = (double)(analytic), ts_m_ = (double)(mean), ts_h_ = (double)(half);              \
        print_message("  %-44s analytic %10.5f, simulated %10.5f +- %.5f\n", (what), ts_v_, ts_m_,     \
                      ts_h_);                                                                           \
        if (!(fabs(ts_m_ - ts_v_) <= ts_h_))                                                            \
            fail_msg("%s: analytic %.8g is outside the CI %.8g +- %.8g", (what), ts_v_, ts_m_, ts_h_);  \
    } while (0)

/* Two-sided quantiles: z with P(|Z| <= z) = level, and the same for
 * Student's t with df degrees of freedom. */
static inline double ts_z(double level)
{
    return gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0);
}

static inline double ts_t(double level, double df)
{
    return gsl_cdf_tdist_Pinv(0.5 + level / 2.0, df);
}

/* ---- files ------------------------------------------------------------- */

/* Writes len bytes to a new file made by mkstemp from /tmp/caseflow-test-
 * XXXXXX; path must hold PATH_MAX bytes. */
static inline void ts_write_temp(const void *data, size_t len, char *path)
{
    snprintf(path, PATH_MAX, "/tmp/caseflow-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        fail_msg("mkstemp: %s", strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w <= 0) {
            close(fd);
            fail_msg("write %s: %s", path, strerror(errno));
        }
        p += w;
        left -= (size_t)w;
    }
    close(fd);
}

static inline void ts_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    if (len && fwrite(data, 1, len, f) != len)
        fail_msg("cannot write %s", path);
    fclose(f);
}

/* The whole file, NUL-terminated (caller frees); NULL if it cannot be read. */
static inline char *ts_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len_out)
            *len_out = n;
    }
    return buf;
}

static inline int ts_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A fresh directory /tmp/caseflow-test-XXXXXX; dir must hold PATH_MAX. */
static inline void ts_make_temp_dir(char *dir)
{
    snprintf(dir, PATH_MAX, "/tmp/caseflow-test-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp: %s", strerror(errno));
}

/* Number of entries in a directory other than . and ..; -1 if unreadable. */
static inline int ts_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Removes a directory tree made by a test (only ever under /tmp). */
static inline void ts_remove_tree(const char *path)
{
    if (strncmp(path, "/tmp/caseflow-test-", 19) != 0)
        return;
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char child[PATH_MAX];
                if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) < (int)sizeof child)
                    ts_remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* A file of the source tree (e.g. "configs/default.cfg"): relative to the
 * working directory if it is there (make runs tests from the top), else
 * relative to the tree holding this binary (B/tests/test_x). */
static inline void ts_source_path(const char *rel, char *out)
{
    if (ts_exists(rel)) {
        snprintf(out, PATH_MAX, "%s", rel);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
        }
        if (snprintf(out, PATH_MAX, "%s/%s", exe, rel) < PATH_MAX && ts_exists(out))
            return;
    }
    snprintf(out, PATH_MAX, "%s", rel);
}

/* Number of '\n' in s. */
static inline int ts_count_newlines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- participant records ----------------------------------------------- */

/* A growing store of participant records, and the sink that fills it. */
typedef struct records {
    model_participant *items;
    size_t n, cap;
} records;

static inline int collect(void *ctx, const model_participant *p)
{
    records *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 1024;
        model_participant *grown = realloc(r->items, r->cap * sizeof *r->items);
        if (!grown)
            return -1;
        r->items = grown;
    }
    r->items[r->n++] = *p;
    return 0;
}

static inline void records_free(records *r)
{
    free(r->items);
    memset(r, 0, sizeof *r);
}

/* ---- scenarios from text ----------------------------------------------- */

/* Loads a scenario from a formatted text (named "test.cfg" in messages);
 * fails the test with the loader's message if it is rejected. */
static inline void ts_load_cfg(config_scenario *sc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!text)
        fail_msg("scenario text: out of memory");
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    config_error err;
    if (config_load_text(sc, "test.cfg", text, NULL, 0, &err) != 0)
        fail_msg("scenario rejected: %s\n%s", err.message, text);
    free(text);
}

/* The loader's message for a text it must reject ("" if it was accepted). */
static inline const char *ts_rejection(const char *text)
{
    static config_error err;
    config_scenario sc;
    if (config_load_text(&sc, "test.cfg", text, NULL, 0, &err) == 0) {
        config_scenario_free(&sc);
        return "";
    }
    return err.message;
}

/* Replication rep of a scenario, seeded from (master, rep): the same seeds
 * in two arms give common random numbers. recs may be NULL; it is emptied
 * first. */
static inline void ts_run_rep(const config_scenario *sc, int rep, uint64_t master, records *recs, model_result *out)
{
    if (recs)
        recs->n = 0;
    int rc = model_run(&sc->model, (uint32_t)rep, rng_derive(master, (uint64_t)rep), recs ? collect : NULL, recs, out);
    if (rc != 0)
        fail_msg("model_run returned %d", rc);
}

/* ---- texts and binaries ------------------------------------------------ */

/* The lines joined with newlines, line `line` (1-based) replaced; 0
 * replaces nothing. Tests keep a base text whose line numbers stay put. */
static inline char *ts_lines_with(const char *const *lines, int n, int line, const char *replacement)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(i + 1 == line ? replacement : lines[i]) + 1;
    char *text = malloc(len);
    assert_non_null(text);
    text[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(text, i + 1 == line ? replacement : lines[i]);
        strcat(text, "\n");
    }
    return text;
}

/* Skips the test when CASEFLOW_BIN is unset; fails when it is not a program. */
static inline void ts_need_binary(const char *bin)
{
    if (!bin || !*bin) {
        print_message("  CASEFLOW_BIN is not set: no caseflow binary to test (make test-unit sets it); skipped\n");
        skip();
    }
    if (access(bin, X_OK) != 0)
        fail_msg("CASEFLOW_BIN=%s is not an executable file", bin);
}

/* Runs the shell command line cmdline (in directory dir, unless NULL) with
 * stdin from /dev/null, stdout into out_path and stderr into err_path; *out
 * and *err (whatever they held is freed) get what it printed. In dir the
 * line runs as `cd DIR && { CMDLINE >OUT 2>ERR </dev/null; }`, so a
 * cmdline that starts a background job with `&` still runs in DIR. Returns the exit status; a command that did
 * not exit normally (killed by a signal: a crash, a sanitizer abort) fails
 * the test. The one copy for the command-line tests that need a shell (cd,
 * timeout, an environment prefix); test_spawn.h runs an argv without one. */
static inline int ts_shell_capture(const char *dir, const char *cmdline, const char *out_path, const char *err_path,
                                   char **out, char **err)
{
    char cmd[5 * PATH_MAX + 16384];
    int len = dir ? snprintf(cmd, sizeof cmd, "cd '%s' && { %s >'%s' 2>'%s' </dev/null; }", dir, cmdline, out_path,
                             err_path)
                  : snprintf(cmd, sizeof cmd, "%s >'%s' 2>'%s' </dev/null", cmdline, out_path, err_path);
    if (len >= (int)sizeof cmd)
        fail_msg("command line too long: %.200s...", cmdline);
    int status = system(cmd);
    free(*out);
    free(*err);
    *out = ts_read_file(out_path, NULL);
    *err = ts_read_file(err_path, NULL);
    assert_non_null(*out);
    assert_non_null(*err);
    if (status == -1 || !WIFEXITED(status))
        fail_msg("`%s` did not exit normally (status %d); stderr: %s", cmd, status, *err);
    return WEXITSTATUS(status);
}

/* The log line of a command run: "  caseflow SHOWN -> CODE; stderr: " and
 * the first line of what it printed on stderr (at most 300 characters). */
static inline void ts_print_run(const char *shown, int code, const char *err)
{
    int first_line = (int)strcspn(err, "\n");
    print_message("  caseflow %s -> %d%s%.*s\n", shown, code, err[0] ? "; stderr: " : "",
                  first_line > 300 ? 300 : first_line, err);
}

#endif
