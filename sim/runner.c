/*
 * runner.c — replications in a thread pool, results written in order.
 *
 * Workers take replication indices from a shared counter but never run more
 * than a window ahead of the writer, so memory stays bounded by a few
 * replications' participant records whatever the replication count.
 */
#include "runner.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eng_rng.h"

typedef struct record_buffer {
    model_participant *items;
    size_t count, capacity;
} record_buffer;

typedef struct slot {
    int done;
    int rc;
    model_result result;
    record_buffer records;
} slot;

typedef struct pool {
    const config_scenario *sc;
    slot *slots;
    int replications;
    int window;
    int next_to_run;
    int next_to_write;
    int failed;
    pthread_mutex_t lock;
    pthread_cond_t changed;
} pool;

uint64_t runner_replication_seed(uint64_t master_seed, uint32_t replication)
{
    return rng_derive(master_seed, replication);
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
        while (!pl->failed && pl->next_to_run < pl->replications &&
               pl->next_to_run >= pl->next_to_write + pl->window)
            pthread_cond_wait(&pl->changed, &pl->lock);
        if (pl->failed || pl->next_to_run >= pl->replications)
            break;
        int r = pl->next_to_run++;
        pthread_mutex_unlock(&pl->lock);

        slot *s = &pl->slots[r % pl->window];
        int rc = model_run(&pl->sc->model, (uint32_t)r, runner_replication_seed(pl->sc->seed, (uint32_t)r),
                           buffer_record, &s->records, &s->result);

        pthread_mutex_lock(&pl->lock);
        s->rc = rc;
        s->done = 1;
        pthread_cond_broadcast(&pl->changed);
    }
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

/* Per-replication values whose mean and CI the run reports. */
static void collect(runner_totals *t, stat_obs *acc, const config_scenario *sc, const model_result *r)
{
    const model_params *mp = &sc->model;
    double months = mp->horizon_months - mp->warmup_months;
    size_t k = 0;
    if (r->wait_days.n)
        stat_obs_add(&acc[k], r->wait_days.mean);
    k++;
    if (r->programme_days.n)
        stat_obs_add(&acc[k], r->programme_days.mean);
    k++;
    stat_obs_add(&acc[k++], r->mean_waiting);
    stat_obs_add(&acc[k++], r->mean_active);
    stat_obs_add(&acc[k++], r->utilisation);
    stat_obs_add(&acc[k++], (double)r->referrals_measured / months);
    stat_obs_add(&acc[k++], (double)r->exits_measured / months);
    for (int d = 0; d < mp->destinations; d++)
        stat_obs_add(&acc[k++], (double)r->exits_by_destination[d] / months);
    for (int d = 0; d < mp->destinations; d++)
        if (r->exits_measured)
            stat_obs_add(&acc[k++], (double)r->exits_by_destination[d] / (double)r->exits_measured);
        else
            k++;
    t->events += r->events;
}

static void name_metrics(runner_totals *t, const model_params *mp)
{
    static const char *const fixed[][2] = {
        {"wait_days", "days"},
        {"time_in_programme_days", "days"},
        {"waiting_list", "participants"},
        {"active", "participants"},
        {"utilisation", "share"},
        {"referrals_per_month", "per month"},
        {"exits_per_month", "per month"},
    };
    size_t k = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++, k++) {
        snprintf(t->names[k], sizeof t->names[k], "%s", fixed[i][0]);
        t->metrics[k].unit = fixed[i][1];
    }
    for (int d = 0; d < mp->destinations; d++, k++) {
        snprintf(t->names[k], sizeof t->names[k], "exits_per_month.%s", mp->destination_names[d]);
        t->metrics[k].unit = "per month";
    }
    for (int d = 0; d < mp->destinations; d++, k++) {
        snprintf(t->names[k], sizeof t->names[k], "exit_share.%s", mp->destination_names[d]);
        t->metrics[k].unit = "share";
    }
    for (size_t i = 0; i < k; i++)
        t->metrics[i].name = t->names[i];
    t->metric_count = k;
}

static int write_one(h5out *out, slot *s, char *err, size_t err_size)
{
    if (!out)
        return 0;
    for (size_t i = 0; i < s->records.count; i++)
        if (h5out_add_participant(out, &s->records.items[i]) != 0) {
            snprintf(err, err_size, "%s", h5out_last_error(out));
            return -1;
        }
    if (h5out_write_replication(out, &s->result) != 0) {
        snprintf(err, err_size, "%s", h5out_last_error(out));
        return -1;
    }
    return 0;
}

int runner_run(const config_scenario *sc, int threads, h5out *out, runner_totals *totals, char *err,
               size_t err_size)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(totals, 0, sizeof *totals);
    name_metrics(totals, &sc->model);
    stat_obs acc[RUNNER_MAX_METRICS];
    for (size_t i = 0; i < RUNNER_MAX_METRICS; i++)
        stat_obs_init(&acc[i]);

    if (threads < 1)
        threads = 1;
    if (threads > sc->replications)
        threads = sc->replications;
    pool pl = {.sc = sc, .replications = sc->replications, .window = 2 * threads};
    pl.slots = calloc((size_t)pl.window, sizeof *pl.slots);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!pl.slots || !tids) {
        free(pl.slots);
        free(tids);
        snprintf(err, err_size, "out of memory starting %d threads", threads);
        return -1;
    }
    pthread_mutex_init(&pl.lock, NULL);
    pthread_cond_init(&pl.changed, NULL);
    int started = 0;
    for (; started < threads; started++)
        if (pthread_create(&tids[started], NULL, worker_main, &pl) != 0)
            break;
    int rc = 0;
    if (started == 0) {
        snprintf(err, err_size, "cannot start a thread");
        rc = -1;
    }

    while (rc == 0 && pl.next_to_write < pl.replications) {
        int r = pl.next_to_write;
        slot *s = &pl.slots[r % pl.window];
        pthread_mutex_lock(&pl.lock);
        while (!s->done)
            pthread_cond_wait(&pl.changed, &pl.lock);
        pthread_mutex_unlock(&pl.lock);

        if (s->rc != 0) {
            snprintf(err, err_size, "replication %d: %s", r,
                     s->rc == -1 ? "out of memory" : "stopped while storing participant records");
            rc = -1;
        } else {
            collect(totals, acc, sc, &s->result);
            totals->participants += s->records.count;
            rc = write_one(out, s, err, err_size);
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
    }
    if (rc != 0) {
        pthread_mutex_lock(&pl.lock);
        pl.failed = 1;
        pthread_cond_broadcast(&pl.changed);
        pthread_mutex_unlock(&pl.lock);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    for (int i = 0; i < pl.window; i++) {
        if (pl.slots[i].done)
            model_result_free(&pl.slots[i].result);
        free(pl.slots[i].records.items);
    }
    pthread_mutex_destroy(&pl.lock);
    pthread_cond_destroy(&pl.changed);
    free(pl.slots);
    free(tids);

    for (size_t i = 0; i < totals->metric_count; i++) {
        h5out_metric *m = &totals->metrics[i];
        double h = stat_obs_ci_halfwidth(&acc[i], 0.95);
        m->mean = stat_obs_mean(&acc[i]);
        m->ci_low = m->mean - h;
        m->ci_high = m->mean + h;
        m->replications = acc[i].n;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    totals->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return rc;
}
