/*
 * runner.c — trials in a thread pool, results written in order.
 *
 * Workers take trial indices from a shared counter but never run more than
 * a window ahead of the writer, so memory stays bounded by a few trials'
 * participant records whatever the number of trials.
 */
#include "runner.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct record_buffer {
    model_participant *items;
    size_t count, capacity;
} record_buffer;

typedef struct slot {
    int done;
    int rc;
    double wall_seconds;
    model_result result;
    record_buffer records;
} slot;

typedef struct pool {
    const study *st;
    slot *slots;
    uint64_t first, count;
    uint64_t window;
    uint64_t next_to_run;   /* offsets within the slice */
    uint64_t next_to_write;
    int failed;
    pthread_mutex_t lock;
    pthread_cond_t changed;
} pool;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static int buffer_record(void *ctx, const model_participant *p)
{
    record_buffer *b = ctx;
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

static void *worker_main(void *arg)
{
    pool *pl = arg;
    pthread_mutex_lock(&pl->lock);
    for (;;) {
        while (!pl->failed && pl->next_to_run < pl->count && pl->next_to_run >= pl->next_to_write + pl->window)
            pthread_cond_wait(&pl->changed, &pl->lock);
        if (pl->failed || pl->next_to_run >= pl->count)
            break;
        uint64_t k = pl->next_to_run++;
        pthread_mutex_unlock(&pl->lock);

        int scenario;
        uint32_t replication;
        uint64_t seed;
        study_trial(pl->st, pl->first + k, &scenario, &replication, &seed);
        slot *s = &pl->slots[k % pl->window];
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = model_run(&pl->st->scenarios[scenario].sc.model, replication, seed, buffer_record, &s->records,
                           &s->result);
        double wall = seconds_since(&t0);

        pthread_mutex_lock(&pl->lock);
        s->rc = rc;
        s->wall_seconds = wall;
        s->done = 1;
        pthread_cond_broadcast(&pl->changed);
    }
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

static int write_one(h5out *out, slot *s, const results_row *row, char *err, size_t err_size)
{
    if (!out)
        return 0;
    for (size_t i = 0; i < s->records.count; i++) {
        s->records.items[i].scenario = row->scenario;
        if (h5out_add_participant(out, &s->records.items[i]) != 0) {
            snprintf(err, err_size, "%s", h5out_last_error(out));
            return -1;
        }
    }
    if (h5out_write_trial(out, row, &s->result.series) != 0) {
        snprintf(err, err_size, "%s", h5out_last_error(out));
        return -1;
    }
    return 0;
}

static void draw_progress(uint64_t done, uint64_t total, uint64_t events, double elapsed)
{
    const int width = 30;
    int filled = total ? (int)((double)done / (double)total * width) : width;
    double rate = elapsed > 0 ? (double)events / elapsed : 0;
    double left = done ? elapsed * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r[%.*s%*s] %llu/%llu trials, %.1f M events/s, %.0f s left ", filled,
            "##############################", width - filled, "", (unsigned long long)done,
            (unsigned long long)total, rate / 1e6, left);
    if (done == total)
        fprintf(stderr, "\n");
    fflush(stderr);
}

int runner_run(const study *st, uint64_t first, uint64_t count, const runner_options *opt, h5out *out,
               runner_totals *totals, char *err, size_t err_size)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(totals, 0, sizeof *totals);
    int threads = opt->threads < 1 ? 1 : opt->threads;
    if ((uint64_t)threads > count)
        threads = count ? (int)count : 1;
    pool pl = {.st = st, .first = first, .count = count, .window = 2 * (uint64_t)threads};
    pl.slots = calloc(pl.window, sizeof *pl.slots);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    totals->rows = calloc(count ? count : 1, sizeof *totals->rows);
    if (!pl.slots || !tids || !totals->rows) {
        free(pl.slots);
        free(tids);
        snprintf(err, err_size, "out of memory preparing %llu trials", (unsigned long long)count);
        return -1;
    }
    pthread_mutex_init(&pl.lock, NULL);
    pthread_cond_init(&pl.changed, NULL);
    int started = 0;
    for (; started < threads && count > 0; started++)
        if (pthread_create(&tids[started], NULL, worker_main, &pl) != 0)
            break;
    int rc = 0;
    if (started == 0 && count > 0) {
        snprintf(err, err_size, "cannot start a thread");
        rc = -1;
    }

    while (rc == 0 && pl.next_to_write < pl.count) {
        uint64_t k = pl.next_to_write;
        slot *s = &pl.slots[k % pl.window];
        pthread_mutex_lock(&pl.lock);
        while (!s->done)
            pthread_cond_wait(&pl.changed, &pl.lock);
        pthread_mutex_unlock(&pl.lock);

        if (s->rc != 0) {
            snprintf(err, err_size, "trial %llu: %s", (unsigned long long)(first + k),
                     s->rc == -1 ? "out of memory" : "stopped while storing participant records");
            rc = -1;
        } else {
            results_row *row = &totals->rows[k];
            int scenario;
            uint32_t replication;
            uint64_t seed;
            study_trial(st, first + k, &scenario, &replication, &seed);
            results_row_from_model(row, &s->result);
            row->trial = first + k;
            row->scenario = (uint32_t)scenario;
            row->wall_seconds = s->wall_seconds;
            totals->row_count = k + 1;
            totals->events += s->result.events;
            totals->participants += s->records.count;
            rc = write_one(out, s, row, err, err_size);
        }
        model_result_free(&s->result);
        s->records.count = 0;

        pthread_mutex_lock(&pl.lock);
        s->done = 0;
        pl.next_to_write++;
        if (rc != 0)
            pl.failed = 1;
        pthread_cond_broadcast(&pl.changed);
        pthread_mutex_unlock(&pl.lock);
        if (opt->progress)
            draw_progress(pl.next_to_write, pl.count, totals->events, seconds_since(&t0));
    }
    if (rc != 0) {
        pthread_mutex_lock(&pl.lock);
        pl.failed = 1;
        pthread_cond_broadcast(&pl.changed);
        pthread_mutex_unlock(&pl.lock);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    for (uint64_t i = 0; i < pl.window; i++) {
        if (pl.slots[i].done)
            model_result_free(&pl.slots[i].result);
        free(pl.slots[i].records.items);
    }
    pthread_mutex_destroy(&pl.lock);
    pthread_cond_destroy(&pl.changed);
    free(pl.slots);
    free(tids);
    totals->wall_seconds = seconds_since(&t0);
    return rc;
}

void runner_totals_free(runner_totals *t)
{
    free(t->rows);
    t->rows = NULL;
    t->row_count = 0;
}
