/*
 * bench_model.c — full-model benchmark driver for `make bench`, linked to
 * libcaseflow.a so it can time the model and the HDF5 writer apart.
 *
 *   bench_model serial CONFIG REPS OUT|- [KEY=VALUE...]
 *       Runs the REPS trials one after another on this thread, each with
 *       model_run into an in-memory record buffer (as the runner does), then
 *       hands the records and the trial's row to the HDF5 writer (h5out_*),
 *       timing the two phases separately. With OUT "-" nothing is written and
 *       records are not kept (sink NULL), so peak RSS is the model's own:
 *       what is needed for the participants present, not all ever seen.
 *       Also counts meetings held (the monthly series), for the case-manager
 *       core's meetings per CPU-second.
 *
 *   bench_model runner CONFIG REPS THREADS OUT|- [KEY=VALUE...]
 *       runner_run over all trials with THREADS threads, writing to OUT or
 *       (with "-") to no output at all: the same run with and without HDF5.
 *
 * KEY=VALUE are scenario overrides, as `caseflow -s`. Prints key=value lines.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "scenario/config.h"
#include "output/h5out.h"
#include "scenario/study.h"
#include "model/model_casework.h"
#include "output/results.h"
#include "app/runner.h"

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU time of the calling thread (see bench_engine.c). */
static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static long long file_bytes(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

typedef struct records {
    model_participant *items;
    size_t count, capacity;
} records;

static int keep_record(void *ctx, const model_participant *p)
{
    records *b = ctx;
    if (b->count == b->capacity) {
        size_t cap = b->capacity ? b->capacity * 2 : 1024;
        model_participant *grown = realloc(b->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        b->items = grown;
        b->capacity = cap;
    }
    b->items[b->count++] = *p;
    return 0;
}

static int load(study *st, const char *config, const char *reps, int argc, char **argv)
{
    static char reps_override[64];
    const char *ov[CONFIG_MAX_OVERRIDES + 1];
    int n = 0;
    snprintf(reps_override, sizeof reps_override, "run.replications=%s", reps);
    ov[n++] = reps_override;
    for (int i = 0; i < argc && n < CONFIG_MAX_OVERRIDES; i++)
        ov[n++] = argv[i];
    config_error err;
    if (study_load(st, config, ov, n, &err) != 0) {
        fprintf(stderr, "bench_model: %s\n", err.message);
        return -1;
    }
    return 0;
}

static h5out *open_output(const char *path, const study *st)
{
    char err[1024];
    h5out_meta meta = {"bench", "bench", st, 0, study_trial_count(st), 0, 1};
    h5out *out = h5out_create(path, &meta, err, sizeof err);
    if (!out)
        fprintf(stderr, "bench_model: %s\n", err);
    return out;
}

/* Summaries as `caseflow run` writes them; returns 0 or -1. */
static int write_summaries(h5out *out, const study *st, const results_row *rows, size_t n)
{
    results_summary *sum = NULL;
    results_difference *diff = NULL;
    size_t ns = 0, nd = 0;
    int rc = -1;
    if (results_summarise(rows, n, st->scenario_count, &st->scenarios[0].sc.model, st->common_random_numbers,
                          &sum, &ns, &diff, &nd) == 0)
        rc = h5out_write_summaries(out, "", sum, ns, diff, nd);
    free(sum);
    free(diff);
    return rc;
}

static int bench_serial(const char *config, const char *reps, const char *path, int argc, char **argv)
{
    study st;
    if (load(&st, config, reps, argc, argv) != 0)
        return 1;
    uint64_t trials = study_trial_count(&st);
    int write = strcmp(path, "-") != 0;
    double write_s = 0, model_s = 0, t0;
    double part_s = 0, trial_s = 0; /* parts of write_s: participant records, trial rows and series */
    double model_cpu = 0, write_cpu = 0, c0;
    h5out *out = NULL;
    results_row *rows = calloc(trials ? trials : 1, sizeof *rows);
    if (!rows)
        return 1;
    if (write) {
        t0 = now_seconds();
        c0 = cpu_seconds();
        out = open_output(path, &st);
        write_s += now_seconds() - t0;
        write_cpu += cpu_seconds() - c0;
        if (!out)
            return 1;
    }
    records buf = {0};
    uint64_t events = 0, participants = 0;
    double meetings = 0;
    double present_sum = 0, present_max = 0;
    char err[1024];
    for (uint64_t t = 0; t < trials; t++) {
        int scenario;
        uint32_t replication;
        uint64_t seed;
        study_trial(&st, t, &scenario, &replication, &seed);
        model_result res;
        buf.count = 0;
        t0 = now_seconds();
        c0 = cpu_seconds();
        int rc = model_run(&st.scenarios[scenario].sc.model, replication, seed, write ? keep_record : NULL, &buf,
                           &res);
        model_s += now_seconds() - t0;
        model_cpu += cpu_seconds() - c0;
        if (rc != 0) {
            fprintf(stderr, "bench_model: trial %llu failed (%d)\n", (unsigned long long)t, rc);
            return 1;
        }
        events += res.events;
        participants += res.referrals;
        for (int month = 0; month < res.series.months; month++)
            meetings += res.series.meetings[month];
        double present = res.mean_active + res.mean_waiting;
        present_sum += present;
        if (present > present_max)
            present_max = present;
        results_row_from_model(&rows[t], &res);
        rows[t].trial = t;
        rows[t].scenario = (uint32_t)scenario;
        if (write) {
            t0 = now_seconds();
            c0 = cpu_seconds();
            for (size_t i = 0; i < buf.count; i++) {
                buf.items[i].scenario = (uint32_t)scenario;
                if (h5out_add_participant(out, &buf.items[i]) != 0)
                    goto write_failed;
            }
            double t1 = now_seconds();
            if (h5out_write_trial(out, &rows[t], &res.series, NULL, NULL) != 0)
                goto write_failed;
            double t2 = now_seconds();
            part_s += t1 - t0;
            trial_s += t2 - t1;
            write_s += t2 - t0;
            write_cpu += cpu_seconds() - c0;
        }
        model_result_free(&res);
    }
    if (write) {
        t0 = now_seconds();
        c0 = cpu_seconds();
        if (write_summaries(out, &st, rows, trials) != 0)
            goto write_failed;
        if (h5out_finish(out, err, sizeof err) != 0) {
            fprintf(stderr, "bench_model: %s\n", err);
            return 1;
        }
        write_s += now_seconds() - t0;
        write_cpu += cpu_seconds() - c0;
    }
    printf("replications=%llu\n", (unsigned long long)trials);
    printf("events=%llu\n", (unsigned long long)events);
    printf("participants=%llu\n", (unsigned long long)participants);
    printf("meetings=%.0f\n", meetings);
    printf("meetings_per_cpu_s=%.1f\n", meetings / model_cpu);
    printf("present_mean=%.2f\n", present_sum / (double)trials);
    printf("present_max_of_means=%.2f\n", present_max);
    printf("model_s=%.6f\n", model_s);
    printf("write_s=%.6f\n", write_s);
    printf("write_share=%.6f\n", write_s / (model_s + write_s));
    printf("model_cpu_s=%.6f\n", model_cpu);
    printf("write_cpu_s=%.6f\n", write_cpu);
    printf("write_share_cpu=%.6f\n", write_cpu / (model_cpu + write_cpu));
    printf("events_per_cpu_s=%.1f\n", (double)events / model_cpu);
    printf("cpu_s_per_rep=%.6f\n", model_cpu / (double)trials);
    printf("write_participants_s=%.6f\n", part_s);
    printf("write_trials_s=%.6f\n", trial_s);
    printf("write_create_finish_s=%.6f\n", write_s - part_s - trial_s);
    printf("events_per_s=%.1f\n", (double)events / model_s);
    printf("s_per_rep=%.6f\n", model_s / (double)trials);
    if (write)
        printf("file_bytes=%lld\n", file_bytes(path));
    printf("peak_rss_kib=%ld\n", peak_rss_kib());
    free(buf.items);
    free(rows);
    study_free(&st);
    return 0;
write_failed:
    fprintf(stderr, "bench_model: %s\n", h5out_last_error(out));
    h5out_abort(out);
    return 1;
}

static int bench_runner(const char *config, const char *reps, int threads, const char *path, int argc,
                        char **argv)
{
    study st;
    if (load(&st, config, reps, argc, argv) != 0)
        return 1;
    uint64_t trials = study_trial_count(&st);
    int write = strcmp(path, "-") != 0;
    char err[1024];
    double t0 = now_seconds();
    h5out *out = write ? open_output(path, &st) : NULL;
    if (write && !out)
        return 1;
    runner_options opt = {.threads = threads, .progress = 0};
    runner_totals totals;
    if (runner_run(&st, 0, trials, &opt, out, &totals, err, sizeof err) != 0) {
        fprintf(stderr, "bench_model: %s\n", err);
        if (out)
            h5out_abort(out);
        return 1;
    }
    if (out) {
        if (write_summaries(out, &st, totals.rows, totals.row_count) != 0) {
            fprintf(stderr, "bench_model: %s\n", h5out_last_error(out));
            h5out_abort(out);
            return 1;
        }
        if (h5out_finish(out, err, sizeof err) != 0) {
            fprintf(stderr, "bench_model: %s\n", err);
            return 1;
        }
    }
    double wall = now_seconds() - t0;
    printf("replications=%llu\n", (unsigned long long)trials);
    printf("threads=%d\n", threads);
    printf("events=%llu\n", (unsigned long long)totals.events);
    printf("wall_s=%.6f\n", wall);
    printf("events_per_s=%.1f\n", (double)totals.events / wall);
    if (write)
        printf("file_bytes=%lld\n", file_bytes(path));
    printf("peak_rss_kib=%ld\n", peak_rss_kib());
    runner_totals_free(&totals);
    study_free(&st);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "serial") == 0)
        return bench_serial(argv[2], argv[3], argv[4], argc - 5, argv + 5);
    if (argc >= 6 && strcmp(argv[1], "runner") == 0)
        return bench_runner(argv[2], argv[3], atoi(argv[4]), argv[5], argc - 6, argv + 6);
    fprintf(stderr, "usage: bench_model serial CONFIG REPS OUT|- [KEY=VALUE...]\n"
                    "       bench_model runner CONFIG REPS THREADS OUT|- [KEY=VALUE...]\n");
    return 2;
}
