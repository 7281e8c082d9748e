/*
 * runner.c — trials in a thread pool, results written in order.
 *
 * Workers take trial indices from a shared counter but never run more than
 * a window ahead of the writer, so memory stays bounded by a few trials'
 * participant records whatever the number of trials.
 *
 * Stopping early: a signal handler can only set a flag, not signal a
 * condition variable, so the writer polls the flag while it waits and tells
 * the workers. Whatever stops the run, every trial's row is still written
 * (status 0 when it did not run), so the file is valid and can be resumed.
 */
#include "app/runner.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/eng_survival.h"

/* A slot's rc besides model_run's: the trial is finished in the file
 * resumed, so it is copied rather than run. */
#define SLOT_COPY 1
#define MAX_INJECTED 64

typedef struct record_buffer {
    model_participant *items;
    size_t count, capacity;
    int out_of_memory;            /* a record could not be stored */
    volatile sig_atomic_t *stop;  /* >= 2: drop the trial in progress */
} record_buffer;

typedef struct slot {
    int done;
    int rc;
    double wall_seconds;
    model_result result;
    record_buffer records;
} slot;

/* The log-friendly progress line (runner_options.progress_every). */
typedef struct progress_clock {
    double every;             /* seconds; 0 off */
    double next;              /* elapsed seconds of the next line */
    struct timespec t0;
} progress_clock;

typedef struct pool {
    const study *st;
    slot *slots;
    uint64_t first, count;
    uint64_t window;
    uint64_t next_to_run;   /* offsets within the slice */
    uint64_t next_to_write;
    int failed;             /* writing failed: stop everything */
    volatile sig_atomic_t *stop;
    int stopping;           /* the writer saw the stop request */
    h5prev *resume;
    uint64_t injected[MAX_INJECTED];  /* CASEFLOW_TEST_FAIL_TRIAL */
    int injected_count;
    uint64_t injected_nan[MAX_INJECTED];  /* CASEFLOW_TEST_NAN_TRIAL */
    int injected_nan_count;
    int hold_set;                     /* CASEFLOW_TEST_HOLD=N:PATH */
    uint64_t hold_trial;
    const char *hold_path;
    progress_clock progress;
    pthread_mutex_t lock;
    pthread_cond_t changed;
} pool;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* trial is in a test hook's list */
static int listed(const uint64_t *list, int n, uint64_t trial)
{
    for (int i = 0; i < n; i++)
        if (list[i] == trial)
            return 1;
    return 0;
}

static int stop_level(const pool *pl)
{
    return pl->stop ? (int)*pl->stop : 0;
}

static int buffer_record(void *ctx, const model_participant *p)
{
    record_buffer *b = ctx;
    if (b->stop && *b->stop >= 2)
        return 1; /* interrupted twice: drop this trial */
    if (b->count == b->capacity) {
        size_t cap = b->capacity ? b->capacity * 2 : 1024;
        model_participant *grown = realloc(b->items, cap * sizeof *grown);
        if (!grown) {
            b->out_of_memory = 1;
            return -1;
        }
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
        /* The writer wakes waiting workers when it sees a stop request. */
        while (!pl->failed && !pl->stopping && pl->next_to_run < pl->count &&
               pl->next_to_run >= pl->next_to_write + pl->window)
            pthread_cond_wait(&pl->changed, &pl->lock);
        if (pl->failed || pl->stopping || stop_level(pl) > 0 || pl->next_to_run >= pl->count)
            break;
        uint64_t k = pl->next_to_run++;
        int copy = pl->resume && h5prev_has(pl->resume, pl->first + k);
        pthread_mutex_unlock(&pl->lock);

        slot *s = &pl->slots[k % pl->window];
        int rc = SLOT_COPY;
        double wall = 0;
        if (!copy) {
            int scenario;
            uint32_t replication;
            uint64_t seed;
            study_trial(pl->st, pl->first + k, &scenario, &replication, &seed);
            s->records.count = 0;
            s->records.out_of_memory = 0;
            s->records.stop = pl->stop;
            struct timespec t0;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            rc = model_run(&pl->st->scenarios[scenario].sc.model, replication, seed, buffer_record, &s->records,
                           &s->result);
            wall = seconds_since(&t0);
            if (rc == 0 && s->records.count > 0 && listed(pl->injected_nan, pl->injected_nan_count, pl->first + k))
                s->records.items[s->records.count - 1].referral_time = NAN; /* test hook, see runner.h */
        }

        pthread_mutex_lock(&pl->lock);
        s->rc = rc;
        s->wall_seconds = wall;
        s->done = 1;
        pthread_cond_broadcast(&pl->changed);
    }
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

/* The trial's packed mechanism numbers and money ledger, as stored, and
 * the participant records the policy keeps (counted in *written). Returns
 * 0 or the error's class. */
static int write_one(h5out *out, slot *s, const results_row *row, const double *extras, const double *money,
                     const record_policy *records, uint64_t *written, char *err, size_t err_size)
{
    record_selector sel;
    record_selector_init(&sel, records, row->seed, s->records.count);
    for (size_t i = 0; i < s->records.count; i++) {
        if (!record_selector_keep(&sel))
            continue;
        (*written)++;
        s->records.items[i].scenario = row->scenario;
        if (out && h5out_add_participant(out, &s->records.items[i]) != 0) {
            snprintf(err, err_size, "%s", h5out_last_error(out));
            return h5out_error_class(out);
        }
    }
    if (!out)
        return 0;
    if (h5out_write_trial(out, row, &s->result.series, extras, money) != 0) {
        snprintf(err, err_size, "%s", h5out_last_error(out));
        return h5out_error_class(out);
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

/* One "progress:" line when its time has come (see runner_options). The
 * format is fixed: scripts and web front ends parse it. */
static void progress_tick(progress_clock *pc, uint64_t done, uint64_t total)
{
    if (!(pc->every > 0))
        return;
    double elapsed = seconds_since(&pc->t0);
    if (elapsed < pc->next)
        return;
    while (pc->next <= elapsed)
        pc->next += pc->every;
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    if (done > 0)
        fprintf(stderr, "progress: %llu/%llu trials, %.1f %%, elapsed %.0f s, eta %.0f s\n", (unsigned long long)done,
                (unsigned long long)total, pct, elapsed, elapsed * (double)(total - done) / (double)done);
    else
        fprintf(stderr, "progress: %llu/%llu trials, %.1f %%, elapsed %.0f s, eta unknown\n",
                (unsigned long long)done, (unsigned long long)total, pct, elapsed);
    fflush(stderr);
}

/* CASEFLOW_TEST_HOLD=N:PATH (runner.h): after trial N, wait while PATH
 * exists, unless asked to stop. */
static void test_hold(pool *pl, uint64_t trial)
{
    if (!pl->hold_set || trial != pl->hold_trial)
        return;
    struct stat sb;
    if (stat(pl->hold_path, &sb) != 0)
        return;
    fprintf(stderr, "caseflow: test hook CASEFLOW_TEST_HOLD: holding after trial %llu while %s exists\n",
            (unsigned long long)trial, pl->hold_path);
    fflush(stderr);
    for (int i = 0; i < 6000 && stop_level(pl) == 0 && stat(pl->hold_path, &sb) == 0; i++) {
        struct timespec nap = {0, 50000000L};
        nanosleep(&nap, NULL);
        progress_tick(&pl->progress, pl->next_to_write, pl->count);
    }
}

/* A list N[,M...] of trials from the environment (the test hooks of
 * runner.h). */
static int read_trial_list(const char *name, uint64_t *list)
{
    const char *text = getenv(name);
    int n = 0;
    while (text && *text && n < MAX_INJECTED) {
        char *end;
        errno = 0;
        unsigned long long t = strtoull(text, &end, 10);
        if (end == text || errno)
            break;
        list[n++] = t;
        text = *end == ',' ? end + 1 : end;
    }
    return n;
}

static void read_injected(pool *pl)
{
    pl->injected_count = read_trial_list("CASEFLOW_TEST_FAIL_TRIAL", pl->injected);
    pl->injected_nan_count = read_trial_list("CASEFLOW_TEST_NAN_TRIAL", pl->injected_nan);
    const char *hold = getenv("CASEFLOW_TEST_HOLD");
    if (hold && *hold) {
        char *end;
        errno = 0;
        unsigned long long t = strtoull(hold, &end, 10);
        if (!errno && end != hold && *end == ':' && end[1]) {
            pl->hold_set = 1;
            pl->hold_trial = t;
            pl->hold_path = end + 1;
        }
    }
}

/* A time that is not a finite number anywhere in a trial's result: an
 * event was scheduled at such a time (a duration drew NaN or infinity), so
 * the clock, and everything measured after it, is meaningless. The model
 * cannot be asked (its clock is its own), so what it reports is checked:
 * every participant's times (an exit time is NaN only for those who did
 * not exit) and the time averages. Returns NULL, or why. */
static const char *not_finite(const slot *s, char *buf, size_t size)
{
    const char *what = NULL;
    size_t who = 0;
    for (size_t i = 0; i < s->records.count && !what; i++) {
        const model_participant *p = &s->records.items[i];
        who = i;
        if (!isfinite(p->referral_time))
            what = "was referred";
        else if (isinf(p->assignment_time))
            what = "was assigned";
        else if (isinf(p->exit_time) || (p->fate == FATE_EXITED && isnan(p->exit_time)))
            what = "exited";
    }
    if (what) {
        snprintf(buf, size, "a non-finite event time (participant %zu %s at a time that is not a finite number): a "
                 "duration drew NaN or infinity; check the distributions' parameters", who, what);
        return buf;
    }
    const model_result *r = &s->result;
    if (!isfinite(r->mean_waiting) || !isfinite(r->mean_active) || !isfinite(r->utilisation))
        return "a non-finite event time (the time averages are not finite numbers): a duration drew NaN or infinity; "
               "check the distributions' parameters";
    return NULL;
}

/* Why a trial that ran failed, or NULL when it did not. */
static const char *trial_failure(const pool *pl, const slot *s, uint64_t trial, char *buf, size_t size)
{
    if (s->rc == -1)
        return "out of memory in the model";
    if (s->rc == -2)
        return "out of memory storing participant records";
    if (s->rc == MODEL_RUN_TOO_MANY_PRESENT)
        return s->result.failure; /* the model's memory guard says when and why */
    if (s->rc != 0) {
        snprintf(buf, size, "the model failed an internal check (model_run returned %d)", s->rc);
        return buf;
    }
    if (listed(pl->injected, pl->injected_count, trial))
        return "injected failure (test hook CASEFLOW_TEST_FAIL_TRIAL)";
    return not_finite(s, buf, size);
}

/* Waits until slot k's trial is done; returns 0 instead when the run is
 * stopping and trial k was never started (no worker will start it now). */
static int wait_for_trial(pool *pl, uint64_t k, const runner_options *opt)
{
    slot *s = &pl->slots[k % pl->window];
    int started = 1;
    pthread_mutex_lock(&pl->lock);
    while (!s->done) {
        if (!pl->stopping && stop_level(pl) > 0) {
            pl->stopping = 1;
            pthread_cond_broadcast(&pl->changed);
            if (opt->progress)
                fprintf(stderr, "\ninterrupted: finishing the trials in progress (interrupt again to drop them)\n");
        }
        progress_tick(&pl->progress, k, pl->count);
        if (pl->stopping && k >= pl->next_to_run) {
            started = 0;
            break;
        }
        /* A signal handler cannot signal the condition: poll its flag. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pl->stop || pl->progress.every > 0)
            pthread_cond_timedwait(&pl->changed, &pl->lock, &until);
        else
            pthread_cond_wait(&pl->changed, &pl->lock);
    }
    pthread_mutex_unlock(&pl->lock);
    return started;
}

/* A row that stays as it was prefilled (status 0 not run, or 2 failed):
 * written without series so the file names every trial. */
static int write_unfinished(h5out *out, const results_row *row, char *err, size_t err_size)
{
    if (out && h5out_write_trial(out, row, NULL, NULL, NULL) != 0) {
        snprintf(err, err_size, "%s", h5out_last_error(out));
        return h5out_error_class(out);
    }
    return 0;
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
    pool pl = {.st = st, .first = first, .count = count, .window = 2 * (uint64_t)threads, .stop = opt->stop,
               .resume = out ? opt->resume : NULL};
    pl.progress.t0 = t0;
    pl.progress.every = opt->progress_every > 0 ? opt->progress_every : 0;
    pl.progress.next = pl.progress.every;
    read_injected(&pl);
    pl.slots = calloc(pl.window, sizeof *pl.slots);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    totals->rows = calloc(count ? count : 1, sizeof *totals->rows);
    const money_params *money = st->scenarios[0].sc.money.enabled ? &st->scenarios[0].sc.money : NULL;
    if (money)
        totals->money = calloc(count ? count : 1, sizeof *totals->money);
    double extras[RESULTS_MAX_EXTRAS], money_values[MONEY_MAX_COLUMNS];
    if (!pl.slots || !tids || !totals->rows || (money && !totals->money)) {
        free(pl.slots);
        free(tids);
        snprintf(err, err_size, "out of memory preparing %llu trials", (unsigned long long)count);
        return CF_EXIT_INTERNAL;
    }
    /* Every row names its trial from the start, whether or not it runs. */
    for (uint64_t k = 0; k < count; k++) {
        results_row *row = &totals->rows[k];
        int scenario;
        study_trial(st, first + k, &scenario, &row->replication, &row->seed);
        row->trial = first + k;
        row->scenario = (uint32_t)scenario;
        row->status = RESULTS_PENDING;
    }
    totals->row_count = count;
    char policy[RECORD_POLICY_TEXT_LEN];
    record_policy_text(opt->records, policy, sizeof policy);
    if (out && h5out_set_text_attribute(out, "participant_records", policy) != 0) {
        free(pl.slots);
        free(tids);
        snprintf(err, err_size, "%s", h5out_last_error(out));
        return h5out_error_class(out);
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
        rc = CF_EXIT_INTERNAL;
    }

    while (rc == 0 && pl.next_to_write < pl.count) {
        uint64_t k = pl.next_to_write, trial = first + k;
        slot *s = &pl.slots[k % pl.window];
        results_row *row = &totals->rows[k];
        int ran = wait_for_trial(&pl, k, opt);
        int copy = ran ? s->rc == SLOT_COPY : pl.resume && h5prev_has(pl.resume, trial);
        char reason[256];
        const char *why = NULL;
        if (copy) {
            uint64_t participants = 0;
            rc = h5prev_copy_trial(pl.resume, out, trial, row, &participants, err, err_size);
            const model_params *mp = &st->scenarios[row->scenario].sc.model;
            size_t n_extras = results_extras_names(mp, NULL);
            if (rc == 0 && h5prev_trial_values(pl.resume, "/trial_extras", trial, extras, n_extras) == 0)
                results_extras_unpack(row, mp, extras);
            if (rc == 0 && money) {
                size_t n_money = money_row_columns(money, NULL);
                if (h5prev_trial_values(pl.resume, "/money/trials", trial, money_values, n_money) == 0)
                    money_row_unpack(&totals->money[k], money, money_values);
                totals->money[k].scenario = row->scenario;
                totals->money[k].replication = row->replication;
            }
            totals->done++;
            totals->copied++;
            totals->events += row->events;
            totals->participants += participants;
        } else if (!ran || (s->rc == -2 && !s->records.out_of_memory)) {
            /* not started before the stop, or dropped on a second one */
            totals->not_run++;
            rc = write_unfinished(out, row, err, err_size);
        } else if ((why = trial_failure(&pl, s, trial, reason, sizeof reason)) != NULL) {
            row->status = RESULTS_FAILED;
            row->wall_seconds = s->wall_seconds;
            if (totals->failed++ == 0) {
                totals->first_failed = trial;
                snprintf(totals->first_reason, sizeof totals->first_reason, "%s", why);
            }
            if (out && h5out_add_failure(out, trial, why) != 0) {
                snprintf(err, err_size, "%s", h5out_last_error(out));
                rc = h5out_error_class(out);
            } else {
                rc = write_unfinished(out, row, err, err_size);
            }
        } else {
            int scenario;
            uint32_t replication;
            uint64_t seed;
            study_trial(st, trial, &scenario, &replication, &seed);
            results_row_from_model(row, &s->result);
            row->trial = trial;
            row->scenario = (uint32_t)scenario;
            row->wall_seconds = s->wall_seconds;
            totals->done++;
            totals->events += s->result.events;
            const study_scenario *ss = &st->scenarios[scenario];
            if (service_trial(&ss->sc.model, &s->result, s->records.items, s->records.count, &row->service) != 0) {
                snprintf(err, err_size, "trial %llu: out of memory computing service levels", (unsigned long long)trial);
                rc = CF_EXIT_INTERNAL;
            }
            results_extras_pack(row, &ss->sc.model, extras);
            const double *money_out = NULL;
            if (money) {
                money_row *mr = &totals->money[k];
                char why_money[256];
                if (money_ledger_trial(&ss->sc.money, &ss->sc.model, &s->result.series, s->records.items,
                                       s->records.count, mr, NULL, why_money, sizeof why_money) != 0) {
                    snprintf(err, err_size, "trial %llu: money ledger: %s", (unsigned long long)trial, why_money);
                    rc = CF_EXIT_INTERNAL;
                }
                mr->scenario = row->scenario;
                mr->replication = row->replication;
                money_row_pack(mr, &ss->sc.money, money_values);
                money_out = money_values;
            }
            if (rc == 0)
                rc = write_one(out, s, row, extras, money_out, opt->records, &totals->participants, err, err_size);
        }
        if (ran && s->rc != SLOT_COPY)
            model_result_free(&s->result);
        s->records.count = 0;

        pthread_mutex_lock(&pl.lock);
        if (ran)
            s->done = 0;
        pl.next_to_write++;
        if (rc != 0)
            pl.failed = 1;
        pthread_cond_broadcast(&pl.changed);
        pthread_mutex_unlock(&pl.lock);
        if (opt->progress)
            draw_progress(pl.next_to_write, pl.count, totals->events, seconds_since(&t0));
        progress_tick(&pl.progress, pl.next_to_write, pl.count);
        if (rc == 0)
            test_hold(&pl, trial);
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
    totals->stopped = pl.stopping || stop_level(&pl) > 0;
    totals->wall_seconds = seconds_since(&t0);
    return rc;
}

void runner_totals_free(runner_totals *t)
{
    free(t->rows);
    free(t->money);
    t->money = NULL;
    t->rows = NULL;
    t->row_count = 0;
}

/* ---- memory estimate ---------------------------------------------------- */

/* A number from a one-line file such as a cgroup's memory.max; -1 when
 * absent or "max" (no limit). */
static double number_in_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[64] = "";
    double v = -1;
    if (fgets(buf, sizeof buf, f)) {
        char *end;
        errno = 0;
        double x = strtod(buf, &end);
        if (end != buf && !errno)
            v = x;
    }
    fclose(f);
    return v;
}

/* Room left under this process's cgroup memory limit (v2, else v1): a
 * Slurm job or container is held to it long before the machine runs out.
 * -1 when there is no limit. */
static double cgroup_room(void)
{
    char v2[512] = "", v1[512] = "", line[512];
    FILE *f = fopen("/proc/self/cgroup", "r");
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (!b)
            continue;
        if (strncmp(line, "0::", 3) == 0)
            snprintf(v2, sizeof v2, "%s", b + 1);
        else if ((size_t)(b - a - 1) == 6 && strncmp(a + 1, "memory", 6) == 0)
            snprintf(v1, sizeof v1, "%s", b + 1);
    }
    if (f)
        fclose(f);
    /* The cgroup's own directory, else the mount's root (a container sees
     * its cgroup there). */
    const char *dirs[4][2] = {{"/sys/fs/cgroup", v2}, {"/sys/fs/cgroup", ""},
                              {"/sys/fs/cgroup/memory", v1}, {"/sys/fs/cgroup/memory", ""}};
    for (int i = 0; i < 4; i++) {
        char max_path[1100], cur_path[1100];
        int is_v2 = i < 2;
        snprintf(max_path, sizeof max_path, "%s%s/%s", dirs[i][0], dirs[i][1],
                 is_v2 ? "memory.max" : "memory.limit_in_bytes");
        snprintf(cur_path, sizeof cur_path, "%s%s/%s", dirs[i][0], dirs[i][1],
                 is_v2 ? "memory.current" : "memory.usage_in_bytes");
        double max = number_in_file(max_path);
        if (max < 0)
            continue;
        if (max >= 1e18) /* v1 writes "no limit" as a huge number */
            return -1;
        double cur = number_in_file(cur_path);
        return cur >= 0 && cur < max ? max - cur : max;
    }
    return -1;
}

/* Bytes of memory this process can still use; -1 when unknown. */
static double memory_available(void)
{
    double avail = -1;
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long kb;
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
            avail = (double)kb * 1024.0;
            break;
        }
    }
    if (f)
        fclose(f);
    if (avail < 0) {
        long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        if (pages > 0 && page > 0)
            avail = (double)pages * (double)page;
    }
    double room = cgroup_room();
    if (room >= 0 && (avail < 0 || room < avail))
        avail = room;
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (avail < 0 || (double)rl.rlim_cur < avail))
        avail = (double)rl.rlim_cur;
    return avail;
}

static void format_bytes(char *buf, size_t size, double bytes)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

/* The largest value of a schedule (a source's rate or quota). */
static double schedule_max(const model_schedule *sc)
{
    double m = 0;
    for (int i = 0; i < sc->count; i++)
        if (sc->value[i] > m)
            m = sc->value[i];
    return m;
}

/* At most how many exits a trial can have: exits end meetings (at most
 * the highest exit chance of one), a time limit (each slot at most once
 * per limit) or a measure's place (each place at most once per its mean
 * duration); meetings are bounded by the staff's meeting hours over the
 * horizon and the shortest mean meeting. An upper bound: staff busy all
 * the time, every day. */
static double exit_capacity(const model_params *p)
{
    double days = p->horizon_months * MODEL_DAYS_PER_MONTH, posts = 0, slots = 0;
    if (p->roles == 0) {
        posts = p->workers;
        slots = (double)p->workers * p->caseload_cap;
    } else {
        for (int t = 0; t < p->teams; t++)
            for (int g = 0; g < p->team[t].groups; g++) {
                const model_member_group *mg = &p->team[t].group[g];
                posts += mg->count * (mg->fte > 0 ? mg->fte : 1);
                slots += mg->count * p->role[mg->role].caseload_cap;
            }
    }
    double shortest = dist_mean(&p->meeting_hours), chance = p->exit_probability;
    for (int i = 0; i < p->phases; i++) {
        double h = dist_mean(&p->phase[i].meeting_hours), c = p->phase[i].exit_probability + p->phase[i].progress_per_meeting;
        if (h > 0 && (h < shortest || !(shortest > 0)))
            shortest = h;
        if (c > chance)
            chance = c;
    }
    if (!(shortest > 0))
        shortest = 1.0 / 60; /* a minute: meetings of no length are not counted on */
    double exits = posts * p->meeting_hours_per_day * days / shortest * fmin(chance, 1.0);
    if (p->max_months > 0)
        exits += slots * p->horizon_months / p->max_months;
    for (int k = 0; k < p->measures; k++) {
        double d = dist_mean(&p->measure[k].duration_days);
        exits += p->measure[k].places * days / (d > 1 ? d : 1);
    }
    return exits;
}

/* Expected referrals of one trial, from above: the sources' own (or the
 * core Poisson rate) over the horizon, and those that exits bring —
 * `replacement` new referrals per exit of a source's participant and a
 * relapse with relapse_probability — bounded through the exits the staff
 * can make. Without replacement or relapse it is the plain rate times the
 * horizon. *extra gets the replacement and relapse part. */
static double trial_referrals(const model_params *p, double *extra)
{
    double own = 0, replacement = 0;
    if (p->sources == 0) {
        own = p->referral_rate_per_month * p->horizon_months;
    } else {
        for (int i = 0; i < p->sources; i++) {
            own += schedule_max(&p->source[i].rate) * p->horizon_months;
            if (p->source[i].replacement > replacement)
                replacement = p->source[i].replacement;
        }
    }
    double per_exit = replacement + (p->relapse_probability > 0 ? p->relapse_probability : 0);
    *extra = per_exit > 0 ? per_exit * exit_capacity(p) : 0;
    return own + *extra;
}

int runner_check_memory(const study *st, uint64_t count, int threads, char *msg, size_t msg_size)
{
    if (count == 0 || st->scenario_count < 1)
        return 0;
    /* Expected referrals of the busiest scenario's trial: every one of them
     * becomes a participant record held until the trial is written. */
    double referrals = 0, from_exits = 0;
    int months = 0, destinations = 0;
    for (int s = 0; s < st->scenario_count; s++) {
        const model_params *p = &st->scenarios[s].sc.model;
        double extra, r = trial_referrals(p, &extra);
        if (r > referrals) {
            referrals = r;
            from_exits = extra;
        }
        months = p->horizon_months;
        destinations = p->destinations;
    }
    double running = threads < 1 ? 1 : threads;
    if (running > (double)count)
        running = (double)count;
    double in_flight = fmin(2 * running, (double)count);   /* the writer's window */
    double capacity = 1024;                                 /* buffer_record grows by doubling */
    while (capacity < referrals)
        capacity *= 2;
    double record = sizeof(model_participant);
    /* While a buffer grows, realloc may hold the old and the new block. */
    double records = in_flight * capacity * record * 1.5;
    /* A model's state per participant present (slot, queue entries,
     * events) is about two records; at worst everyone is still present.
     * Measured: 3.5 GB peak for 2 threads x 7.2 million referrals, where
     * this estimates 3.9 GB. */
    double models = running * referrals * record * 2;
    double series = in_flight * months * (6.0 + destinations) * sizeof(double);
    /* The writer's service levels sort a (time, event) pair per record
     * (added after the measurement above; not re-measured). */
    models += capacity * sizeof(surv_obs);
    double rows = (double)count * (sizeof(results_row) + 1);
    double fixed = 64.0 * 1024 * 1024;                      /* libraries, HDF5 caches, stacks */
    double peak = records + models + series + rows + fixed;
    double avail = memory_available();
    if (avail < 0 || peak <= avail)
        return 0;
    char peak_text[32], avail_text[32], rows_text[32], exits_text[160] = "";
    format_bytes(peak_text, sizeof peak_text, peak);
    format_bytes(avail_text, sizeof avail_text, avail);
    format_bytes(rows_text, sizeof rows_text, rows);
    if (from_exits > 0)
        snprintf(exits_text, sizeof exits_text, ", %.3g of them replacement or relapse referrals of the exits the staff "
                 "can make", from_exits);
    snprintf(msg, msg_size,
             "not enough memory: this run needs an estimated %s at its peak and %s is available "
             "(%.0f trials in flight, at most 2 per thread, each holding about %.3g participant records of %.0f bytes "
             "[%.3g referrals/month x %d months%s]; %s for %llu trial rows); use fewer --threads, a shorter horizon "
             "or a lower referral rate%s, or split the study with --task/--tasks",
             peak_text, avail_text, in_flight, referrals, record, referrals / (months ? months : 1), months,
             exits_text, rows_text, (unsigned long long)count, from_exits > 0 ? " or replacement" : "");
    return -1;
}
