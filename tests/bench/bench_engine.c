/*
 * bench_engine.c — engine micro-benchmarks for `make bench`.
 *
 *   bench_engine mm1 CUSTOMERS REPEATS THREADS
 *       An M/M/1 queue (lambda = 0.9, mu = 1) driven through the engine's
 *       public API only: sim_schedule / sim_next for the clock and event set,
 *       rng_alloc streams and rng_exponential for the draws, stat_obs for
 *       the waits. THREADS independent queues run side by side (one per
 *       thread, different seeds); each repeat is timed and the best repeat
 *       counts. Prints key=value lines, including the mean wait in queue with
 *       a batch-means 95 % confidence half-width (theory: rho/(mu-lambda) = 9).
 *
 *   bench_engine mm1loop CUSTOMERS REPEATS
 *       The same queue twice per repeat, alternately: through the engine as
 *       above, and as a minimal hand-written loop doing the same work (two
 *       clocks instead of the event set, the same streams and inline draws,
 *       the same FIFO of arrival times, the same stat_obs and batch sums).
 *       Both follow the same sample path, so their mean waits must agree
 *       exactly (checked; exit 1 if not). Prints the best time per event of
 *       each (CPU time) and their ratio: what the engine costs above the
 *       floor.
 *
 *   bench_engine hold PENDING HOLDS REPEATS
 *       The classic hold model on the event set alone: PENDING events with
 *       Exp(1) times, then HOLDS times pop the earliest and push it back at
 *       its time + Exp(1). Reports ns per hold (best repeat), and the cost of
 *       the Exp(1) draw alone (CPU time), so the event set's share can be
 *       told apart.
 *
 *   bench_engine draws N
 *       CPU ns per draw, N draws each, of the exponential as GSL draws it
 *       (rng_exponential: -log1p(-u)) and by the ziggurat (rng_exp_zig), and
 *       of the gamma of the configs' meeting hours (shape 6.25, scale 0.16)
 *       by GSL (gsl_ran_gamma) and by Marsaglia and Tsang on the ziggurat
 *       normal (zig_gamma_draw).
 *
 * Times are taken both as wall time and as the thread's CPU time; on an idle
 * machine they agree, and when other work shares the cores the CPU time is
 * the one that still measures the code.
 *
 * Every line printed is "key=value"; run_bench.py parses them.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/eng_evset.h"
#include "engine/eng_rng.h"
#include "engine/eng_sim.h"
#include "engine/eng_stats.h"
#include "engine/eng_ziggurat.h"

#include <gsl/gsl_randist.h>

#define LAMBDA 0.9
#define MU 1.0
#define MM1_BATCHES 20

/* Batches for the batch-means interval: 20, or one per customer when
 * there are fewer (a run of under 20 customers used to divide by zero). */
static long mm1_batches(long customers)
{
    return customers < MM1_BATCHES ? customers : MM1_BATCHES;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU time of the calling thread: what a rate "per core" means, and close to
 * the wall time on an idle machine but not inflated when other work shares
 * the cores. */
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

/* ---- M/M/1 through the engine ------------------------------------------ */

enum { EV_ARRIVAL, EV_DEPARTURE };

typedef struct mm1_run {
    uint64_t seed;
    long customers;
    /* results */
    uint64_t events;
    double seconds, cpu;
    stat_obs wait;
    double batch_mean[MM1_BATCHES];
    int failed;
} mm1_run;

static void mm1_batch_means(mm1_run *run, const double *batch_sum)
{
    long batches = mm1_batches(run->customers), per_batch = run->customers / batches;
    for (long b = 0; b < batches; b++) {
        long n = b < batches - 1 ? per_batch : run->customers - per_batch * (batches - 1);
        run->batch_mean[b] = batch_sum[b] / (double)n;
    }
}

static void *mm1_main(void *arg)
{
    mm1_run *run = arg;
    sim s;
    gsl_rng *arrivals = rng_alloc(rng_derive(run->seed, 1));
    gsl_rng *services = rng_alloc(rng_derive(run->seed, 2));
    size_t qcap = 1024, qhead = 0, qcount = 0;
    double *queue = malloc(qcap * sizeof *queue); /* arrival times, FIFO ring */
    if (sim_init(&s, 16) != 0 || !arrivals || !services || !queue) {
        run->failed = 1;
        return NULL;
    }
    stat_obs_init(&run->wait);
    long batches = mm1_batches(run->customers), per_batch = run->customers / batches;
    double batch_sum[MM1_BATCHES] = {0};
    long started = 0, arrived = 0;
    int busy = 0;

    double t0 = now_seconds(), c0 = cpu_seconds();
    sim_schedule(&s, rng_exponential(arrivals, 1.0 / LAMBDA), EV_ARRIVAL, 0);
    evset_event ev;
    while (sim_next(&s, &ev)) {
        double wait = -1;
        if (ev.kind == EV_ARRIVAL) {
            if (++arrived < run->customers)
                sim_schedule(&s, rng_exponential(arrivals, 1.0 / LAMBDA), EV_ARRIVAL, 0);
            if (!busy) {
                busy = 1;
                wait = 0;
            } else {
                if (qcount == qcap) {
                    double *grown = malloc(2 * qcap * sizeof *grown);
                    if (!grown) {
                        run->failed = 1;
                        break;
                    }
                    for (size_t i = 0; i < qcount; i++)
                        grown[i] = queue[(qhead + i) % qcap];
                    free(queue);
                    queue = grown;
                    qhead = 0;
                    qcap *= 2;
                }
                queue[(qhead + qcount++) % qcap] = s.now;
            }
        } else if (qcount > 0) {
            wait = s.now - queue[qhead];
            qhead = (qhead + 1) % qcap;
            qcount--;
        } else {
            busy = 0;
        }
        if (wait >= 0) {
            sim_schedule(&s, rng_exponential(services, 1.0 / MU), EV_DEPARTURE, 0);
            stat_obs_add(&run->wait, wait);
            long b = started++ / per_batch;
            batch_sum[b < batches ? b : batches - 1] += wait;
        }
    }
    run->seconds = now_seconds() - t0;
    run->cpu = cpu_seconds() - c0;
    run->events = s.events;
    if (s.out_of_memory)
        run->failed = 1;
    mm1_batch_means(run, batch_sum);
    sim_destroy(&s);
    rng_free(arrivals);
    rng_free(services);
    free(queue);
    return NULL;
}

static int bench_mm1(long customers, int repeats, int threads)
{
    double best = INFINITY, best_cpu = INFINITY; /* per thread: the slowest thread's */
    uint64_t best_events = 0;
    stat_obs wait_all, batches;
    stat_obs_init(&wait_all);
    stat_obs_init(&batches);
    mm1_run *runs = calloc((size_t)threads, sizeof *runs);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!runs || !tids)
        return 1;
    for (int rep = 0; rep < repeats; rep++) {
        for (int t = 0; t < threads; t++) {
            runs[t] = (mm1_run){.seed = rng_derive(20261124, (uint64_t)(rep * threads + t)), .customers = customers};
            if (threads == 1)
                mm1_main(&runs[t]);
            else if (pthread_create(&tids[t], NULL, mm1_main, &runs[t]) != 0)
                return 1;
        }
        double slowest = 0, slowest_cpu = 0;
        uint64_t events = 0;
        for (int t = 0; t < threads; t++) {
            if (threads > 1)
                pthread_join(tids[t], NULL);
            if (runs[t].failed) {
                fprintf(stderr, "bench_engine: mm1 run failed\n");
                return 1;
            }
            if (runs[t].seconds > slowest)
                slowest = runs[t].seconds;
            if (runs[t].cpu > slowest_cpu)
                slowest_cpu = runs[t].cpu;
            events += runs[t].events;
            stat_obs_merge(&wait_all, &runs[t].wait);
            for (long b = 0; b < mm1_batches(customers); b++)
                stat_obs_add(&batches, runs[t].batch_mean[b]);
        }
        if (slowest < best) {
            best = slowest;
            best_events = events;
        }
        if (slowest_cpu < best_cpu)
            best_cpu = slowest_cpu;
    }
    printf("threads=%d\n", threads);
    printf("customers=%ld\n", customers);
    printf("repeats=%d\n", repeats);
    printf("events=%llu\n", (unsigned long long)best_events);
    printf("wall_s=%.6f\n", best);
    printf("events_per_s=%.1f\n", (double)best_events / best);
    printf("ns_per_event=%.2f\n", 1e9 * best / ((double)best_events / threads));
    printf("cpu_s=%.6f\n", best_cpu);
    printf("events_per_cpu_s=%.1f\n", (double)best_events / threads / best_cpu);
    printf("ns_per_event_cpu=%.2f\n", 1e9 * best_cpu / ((double)best_events / threads));
    printf("mean_wait=%.4f\n", stat_obs_mean(&wait_all));
    printf("mean_wait_ci95=%.4f\n", stat_obs_ci_halfwidth(&batches, 0.95));
    printf("theory_wait=%.4f\n", (LAMBDA / MU) / (MU - LAMBDA));
    printf("peak_rss_kib=%ld\n", peak_rss_kib());
    free(runs);
    free(tids);
    return 0;
}

/* ---- the same queue as a minimal hand-written loop ------------------------ */

/* Two clocks instead of the event set; everything else as mm1_main: the
 * same streams and inline draws, the same FIFO, statistics and batches.
 * Equal times are broken as the event set breaks them, by order of
 * scheduling, so the sample path is the engine's exactly. */
static void mm1_loop(mm1_run *run)
{
    gsl_rng *arrivals = rng_alloc(rng_derive(run->seed, 1));
    gsl_rng *services = rng_alloc(rng_derive(run->seed, 2));
    size_t qcap = 1024, qhead = 0, qcount = 0;
    double *queue = malloc(qcap * sizeof *queue);
    if (!arrivals || !services || !queue) {
        run->failed = 1;
        return;
    }
    stat_obs_init(&run->wait);
    long batches = mm1_batches(run->customers), per_batch = run->customers / batches;
    double batch_sum[MM1_BATCHES] = {0};
    long started = 0, arrived = 0;
    int busy = 0;
    uint64_t events = 0, scheduled = 0, arrival_seq = 0, departure_seq = 0;
    double now = 0;

    double t0 = now_seconds(), c0 = cpu_seconds();
    double next_arrival = now + rng_exponential(arrivals, 1.0 / LAMBDA), next_departure = INFINITY;
    arrival_seq = scheduled++;
    for (;;) {
        double wait = -1;
        int arrival = next_arrival < next_departure ||
                      (next_arrival == next_departure && arrival_seq < departure_seq);
        if (arrival) {
            if (next_arrival == INFINITY)
                break;
            now = next_arrival;
            events++;
            next_arrival = INFINITY;
            if (++arrived < run->customers) {
                next_arrival = now + rng_exponential(arrivals, 1.0 / LAMBDA);
                arrival_seq = scheduled++;
            }
            if (!busy) {
                busy = 1;
                wait = 0;
            } else {
                if (qcount == qcap) {
                    double *grown = malloc(2 * qcap * sizeof *grown);
                    if (!grown) {
                        run->failed = 1;
                        break;
                    }
                    for (size_t i = 0; i < qcount; i++)
                        grown[i] = queue[(qhead + i) % qcap];
                    free(queue);
                    queue = grown;
                    qhead = 0;
                    qcap *= 2;
                }
                queue[(qhead + qcount++) % qcap] = now;
            }
        } else {
            if (next_departure == INFINITY)
                break;
            now = next_departure;
            events++;
            next_departure = INFINITY;
            if (qcount > 0) {
                wait = now - queue[qhead];
                qhead = (qhead + 1) % qcap;
                qcount--;
            } else {
                busy = 0;
            }
        }
        if (wait >= 0) {
            next_departure = now + rng_exponential(services, 1.0 / MU);
            departure_seq = scheduled++;
            stat_obs_add(&run->wait, wait);
            long b = started++ / per_batch;
            batch_sum[b < batches ? b : batches - 1] += wait;
        }
    }
    run->seconds = now_seconds() - t0;
    run->cpu = cpu_seconds() - c0;
    run->events = events;
    mm1_batch_means(run, batch_sum);
    rng_free(arrivals);
    rng_free(services);
    free(queue);
}

static int bench_mm1_vs_loop(long customers, int repeats)
{
    double best_engine = INFINITY, best_loop = INFINITY;
    uint64_t events = 0;
    double mean_engine = 0, mean_loop = 0;
    for (int rep = 0; rep < repeats; rep++) {
        uint64_t seed = rng_derive(20261124, (uint64_t)rep);
        mm1_run e = {.seed = seed, .customers = customers}, l = {.seed = seed, .customers = customers};
        /* alternate which goes first, so neither always meets a warmer cache */
        if (rep % 2 == 0) {
            mm1_main(&e);
            mm1_loop(&l);
        } else {
            mm1_loop(&l);
            mm1_main(&e);
        }
        if (e.failed || l.failed) {
            fprintf(stderr, "bench_engine: mm1loop run failed\n");
            return 1;
        }
        if (e.events != l.events || stat_obs_mean(&e.wait) != stat_obs_mean(&l.wait) ||
            e.wait.n != l.wait.n) {
            fprintf(stderr, "bench_engine: the hand-written loop and the engine disagree (%llu vs %llu events, "
                            "mean wait %.17g vs %.17g)\n",
                    (unsigned long long)l.events, (unsigned long long)e.events, stat_obs_mean(&l.wait),
                    stat_obs_mean(&e.wait));
            return 1;
        }
        events = e.events;
        mean_engine = stat_obs_mean(&e.wait);
        mean_loop = stat_obs_mean(&l.wait);
        if (e.cpu < best_engine)
            best_engine = e.cpu;
        if (l.cpu < best_loop)
            best_loop = l.cpu;
    }
    printf("customers=%ld\n", customers);
    printf("repeats=%d\n", repeats);
    printf("events=%llu\n", (unsigned long long)events);
    printf("engine_ns_per_event_cpu=%.2f\n", 1e9 * best_engine / (double)events);
    printf("loop_ns_per_event_cpu=%.2f\n", 1e9 * best_loop / (double)events);
    printf("engine_over_loop=%.4f\n", best_engine / best_loop);
    printf("mean_wait_engine=%.6f\n", mean_engine);
    printf("mean_wait_loop=%.6f\n", mean_loop);
    printf("peak_rss_kib=%ld\n", peak_rss_kib());
    return 0;
}

/* ---- hold model on the event set ---------------------------------------- */

static int bench_hold(size_t pending, long holds, int repeats)
{
    gsl_rng *r = rng_alloc(rng_derive(20261124, pending));
    evset *set = evset_alloc(pending);
    if (!r || !set)
        return 1;
    for (size_t i = 0; i < pending; i++)
        if (evset_push(set, rng_exponential(r, 1.0), 0, (uint32_t)i) == EVSET_NO_HANDLE)
            return 1;
    evset_event ev;
    /* Warm-up: one pass over the set so times are spread as in steady state. */
    long warm = (long)pending < holds ? (long)pending : holds;
    for (long i = 0; i < warm; i++) {
        evset_pop(set, &ev);
        evset_push(set, ev.time + rng_exponential(r, 1.0), ev.kind, ev.subject);
    }
    double best = INFINITY, best_cpu = INFINITY;
    for (int rep = 0; rep < repeats; rep++) {
        double t0 = now_seconds(), c0 = cpu_seconds();
        for (long i = 0; i < holds; i++) {
            evset_pop(set, &ev);
            evset_push(set, ev.time + rng_exponential(r, 1.0), ev.kind, ev.subject);
        }
        double dt = now_seconds() - t0, dc = cpu_seconds() - c0;
        if (dt < best)
            best = dt;
        if (dc < best_cpu)
            best_cpu = dc;
    }
    if (evset_size(set) != pending) {
        fprintf(stderr, "bench_engine: hold lost events\n");
        return 1;
    }
    /* The draw alone, for reference. */
    volatile double sink = 0;
    double draw_best = INFINITY;
    for (int rep = 0; rep < repeats; rep++) {
        double c0 = cpu_seconds(), acc = 0;
        for (long i = 0; i < holds; i++)
            acc += rng_exponential(r, 1.0);
        sink += acc;
        double dc = cpu_seconds() - c0;
        if (dc < draw_best)
            draw_best = dc;
    }
    (void)sink;
    printf("pending=%zu\n", pending);
    printf("holds=%ld\n", holds);
    printf("ns_per_hold=%.2f\n", 1e9 * best / (double)holds);
    printf("ns_per_hold_cpu=%.2f\n", 1e9 * best_cpu / (double)holds);
    printf("ns_per_draw=%.2f\n", 1e9 * draw_best / (double)holds);
    printf("peak_rss_kib=%ld\n", peak_rss_kib());
    evset_free(set);
    rng_free(r);
    return 0;
}

/* argv[i] as an integer in [min, max], else -1 after a message. */
static long count_arg(char **argv, int i, const char *what, long min, long max)
{
    char *end;
    long v = strtol(argv[i], &end, 10);
    if (end == argv[i] || *end || v < min || v > max) {
        fprintf(stderr, "bench_engine: %s: expected an integer between %ld and %ld, got '%s'\n", what, min, max,
                argv[i]);
        return -1;
    }
    return v;
}

/* ---- draws alone ------------------------------------------------------------ */

static int bench_draws(long n)
{
    gsl_rng *r = rng_alloc(20261124);
    if (!r)
        return 1;
    zig_gamma g;
    zig_gamma_setup(&g, 6.25);
    volatile double sink = 0;
    double best[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
    for (int rep = 0; rep < 3; rep++)
        for (int k = 0; k < 4; k++) {
            double acc = 0, c0 = cpu_seconds();
            for (long i = 0; i < n; i++)
                acc += k == 0 ? rng_exponential(r, 1.0)
                     : k == 1 ? rng_exp_zig(r)
                     : k == 2 ? gsl_ran_gamma(r, 6.25, 0.16)
                              : zig_gamma_draw(r, &g, 0.16);
            double dc = cpu_seconds() - c0;
            sink += acc;
            if (dc < best[k])
                best[k] = dc;
        }
    (void)sink;
    printf("draws=%ld\n", n);
    printf("ns_exp_log1p=%.2f\n", 1e9 * best[0] / (double)n);
    printf("ns_exp_ziggurat=%.2f\n", 1e9 * best[1] / (double)n);
    printf("ns_gamma_gsl=%.2f\n", 1e9 * best[2] / (double)n);
    printf("ns_gamma_mt=%.2f\n", 1e9 * best[3] / (double)n);
    rng_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "mm1") == 0) {
        /* The confidence interval is over MM1_BATCHES batch means, each of
         * at least one customer. */
        long customers = count_arg(argv, 2, "CUSTOMERS", MM1_BATCHES, 1000000000L);
        long repeats = count_arg(argv, 3, "REPEATS", 1, 1000), threads = count_arg(argv, 4, "THREADS", 1, 256);
        if (customers < 0 || repeats < 0 || threads < 0)
            return 2;
        return bench_mm1(customers, (int)repeats, (int)threads);
    }
    if (argc == 5 && strcmp(argv[1], "hold") == 0) {
        long pending = count_arg(argv, 2, "PENDING", 1, 1000000000L), holds = count_arg(argv, 3, "HOLDS", 1, 1000000000000L);
        long repeats = count_arg(argv, 4, "REPEATS", 1, 1000);
        if (pending < 0 || holds < 0 || repeats < 0)
            return 2;
        return bench_hold((size_t)pending, holds, (int)repeats);
    }
    if (argc == 4 && strcmp(argv[1], "mm1loop") == 0) {
        long customers = count_arg(argv, 2, "CUSTOMERS", MM1_BATCHES, 1000000000L);
        long repeats = count_arg(argv, 3, "REPEATS", 1, 1000);
        if (customers < 0 || repeats < 0)
            return 2;
        return bench_mm1_vs_loop(customers, (int)repeats);
    }
    if (argc == 3 && strcmp(argv[1], "draws") == 0) {
        long n = count_arg(argv, 2, "N", 1, 1000000000000L);
        if (n < 0)
            return 2;
        return bench_draws(n);
    }
    fprintf(stderr, "usage: bench_engine mm1 CUSTOMERS REPEATS THREADS   (CUSTOMERS >= %d)\n"
                    "       bench_engine mm1loop CUSTOMERS REPEATS       (CUSTOMERS >= %d)\n"
                    "       bench_engine hold PENDING HOLDS REPEATS\n"
                    "       bench_engine draws N\n", MM1_BATCHES, MM1_BATCHES);
    return 2;
}
