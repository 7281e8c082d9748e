/*
 * fuzz_common.h — what the two fuzz targets share.
 *
 * Owns the scratch directory a target writes its inputs to,
 * /tmp/caseflow-fuzz-PID (study_load takes a path, and a study's base is
 * found relative to the study file, so a copy of configs/default.cfg sits
 * beside the input), and the checks every loader result must pass whatever
 * the input: a failure gives one non-empty line, a success a study whose
 * trials, slices and printed form are consistent.
 * A failed check aborts, which the fuzzer reports as a crash.
 *
 * Static inline functions only, so a target using part of them compiles
 * cleanly under -Wall -Wextra -Werror.
 */
#ifndef CASEFLOW_FUZZ_COMMON_H
#define CASEFLOW_FUZZ_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/config.h"
#include "scenario/study.h"

#ifndef CASEFLOW_SOURCE_DIR
#define CASEFLOW_SOURCE_DIR "."
#endif

static char fuzz_dir[PATH_MAX];
static char fuzz_input[PATH_MAX];
static char fuzz_default[PATH_MAX];

/* Removes the scratch directory /tmp/caseflow-fuzz-PID and what a target
 * puts in it (nothing else). */
static inline void fuzz_remove_dir(const char *dir)
{
    static const char *const names[] = {"input.cfg", "unused.cfg", "default.cfg"};
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static inline void fuzz_cleanup(void)
{
    if (fuzz_dir[0])
        fuzz_remove_dir(fuzz_dir);
}

/* libFuzzer ends with _Exit after a finding or when its time is up, so the
 * atexit cleanup rarely runs: each target removes the directories of
 * targets that are gone instead. */
static inline void fuzz_remove_stale(void)
{
    DIR *d = opendir("/tmp");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char *end;
        if (strncmp(e->d_name, "caseflow-fuzz-", 14) != 0)
            continue;
        long pid = strtol(e->d_name + 14, &end, 10);
        if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* not a PID, or a target still running */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "/tmp/%s", e->d_name);
        fuzz_remove_dir(dir);
    }
    if (d)
        closedir(d);
}

static inline void fuzz_die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz check failed: %s: %s\n", what, detail ? detail : "");
    abort();
}

/* The scratch directory with default.cfg copied in; input is the name the
 * target's input is written to. */
static inline void fuzz_setup(const char *input)
{
    if (fuzz_dir[0])
        return;
    /* A study naming /dev/stdin as its base must not wait for a terminal. */
    if (!freopen("/dev/null", "r", stdin))
        fuzz_die("setup", "cannot reopen stdin");
    fuzz_remove_stale();
    snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/caseflow-fuzz-%ld", (long)getpid());
    if (mkdir(fuzz_dir, 0700) != 0 && errno != EEXIST)
        fuzz_die("setup: mkdir", strerror(errno));
    snprintf(fuzz_input, sizeof fuzz_input, "%s/%s", fuzz_dir, input);
    snprintf(fuzz_default, sizeof fuzz_default, "%s/default.cfg", fuzz_dir);
    const char *src = getenv("CASEFLOW_FUZZ_DEFAULT_CFG");
    char path[PATH_MAX];
    if (!src) {
        snprintf(path, sizeof path, "%s/configs/default.cfg", CASEFLOW_SOURCE_DIR);
        src = path;
    }
    FILE *in = fopen(src, "rb"), *out = fopen(fuzz_default, "wb");
    if (!in || !out)
        fuzz_die("setup: cannot copy configs/default.cfg (set CASEFLOW_FUZZ_DEFAULT_CFG)", src);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    atexit(fuzz_cleanup);
}

static inline void fuzz_write_input(const uint8_t *data, size_t size)
{
    FILE *f = fopen(fuzz_input, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fuzz_die("writing the input", strerror(errno));
}

/* One line, not empty, naming something: what a user sees on stderr. */
static inline void fuzz_check_message(const config_error *err)
{
    if (!memchr(err->message, '\0', sizeof err->message))
        fuzz_die("error message", "not NUL-terminated");
    if (!err->message[0])
        fuzz_die("error message", "empty");
    for (const char *c = err->message; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            fuzz_die("error message has a control character (must be one line)", err->message);
}

static inline void fuzz_check_study(study *st)
{
    if (st->scenario_count < 1 || st->replications < 1 || !st->scenarios || !st->path || !st->text)
        fuzz_die("loaded study", "empty or incomplete");
    uint64_t total = study_trial_count(st);
    if (total != (uint64_t)st->scenario_count * (uint64_t)st->replications)
        fuzz_die("loaded study", "trial count");
    /* the first and last trials of each of a few slices */
    for (int tasks = 1; tasks <= 3; tasks++) {
        uint64_t covered = 0;
        for (int task = 0; task < tasks; task++) {
            uint64_t first, count;
            study_slice(total, task, tasks, &first, &count);
            if (first != covered)
                fuzz_die("slices", "not contiguous");
            covered += count;
            if (count) {
                int s;
                uint32_t r;
                uint64_t seed;
                study_trial(st, first + count - 1, &s, &r, &seed);
                if (s < 0 || s >= st->scenario_count || r >= (uint32_t)st->replications)
                    fuzz_die("trial", "out of range");
            }
        }
        if (covered != total)
            fuzz_die("slices", "do not cover the trials");
    }
    FILE *null = fopen("/dev/null", "w");
    for (int s = 0; s < st->scenario_count && s < 4; s++) {
        const config_scenario *sc = &st->scenarios[s].sc;
        if (!sc->text || !sc->overrides || !sc->path || sc->replications != st->replications)
            fuzz_die("scenario", "incomplete or replications differ");
        if (null)
            config_print(null, sc);
        for (int k = 0; k < st->param_count; k++) {
            double v;
            config_get_number(sc, st->param_keys[k], &v);
        }
    }
    if (null)
        fclose(null);
}

#endif
