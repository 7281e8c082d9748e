/*
 * bench_host.c — how long one random memory read takes on this machine now,
 * by the size of the memory read from.
 *
 *   bench_host [LOADS]
 *
 * For each working set (256 KiB to 64 MiB) the 64-byte lines of a buffer
 * are linked into one cycle in random order, and LOADS reads (default
 * 2 000 000) follow it, each waiting for the one before (a pointer chase:
 * no two reads overlap, so each costs the full latency of wherever the line
 * was). Prints, one key=value line a size:
 *   chase_kib_<size>_ns=<CPU ns per read>
 *
 * Why the benchmark needs it: the model at 100x size reads ~9 MiB at random
 * (participants, the event set's slots and chunks, workers), so its CPU time
 * per event depends on whether those lines come from the L3 cache (~15 ns
 * here) or from memory (~140 ns), and on a shared machine the share of the
 * L3 left to this process moves with the neighbours' work: on the 2-core
 * development VM the step from ~15 to ~140 ns was seen anywhere between 4
 * and 16 MiB within minutes. make bench runs this beside the size points, so
 * a scaling exponent can be read against the state of the machine it was
 * measured on. Pages are the default 4 KiB, as the model's are.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LINE 64

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* xorshift64: only to shuffle, so any fixed-seed generator will do. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* CPU ns per dependent read over a cycle through every line of `bytes`;
 * a negative value when memory runs out. */
static double chase(size_t bytes, size_t loads)
{
    size_t lines = bytes / LINE;
    size_t *order = malloc(lines * sizeof *order);
    unsigned char *buf = aligned_alloc(LINE, lines * LINE);
    double ns = -1;
    if (!order || !buf)
        goto done;
    /* Fisher-Yates, then each line names the next one in that order: a
     * single cycle through all lines, so every read is to a line not read
     * for `lines` reads. */
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < lines; i++)
        order[i] = i;
    for (size_t i = lines - 1; i > 0; i--) {
        size_t j = (size_t)(next_random(&seed) % (i + 1));
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < lines; i++)
        *(size_t *)(buf + order[i] * LINE) = order[(i + 1) % lines] * LINE;
    /* one lap first, so the pages exist and the cache holds what it can */
    size_t at = 0;
    for (size_t i = 0; i < lines; i++)
        at = *(volatile size_t *)(buf + at);
    double t0 = cpu_seconds();
    for (size_t i = 0; i < loads; i++)
        at = *(volatile size_t *)(buf + at);
    ns = 1e9 * (cpu_seconds() - t0) / (double)loads;
done:
    free(order);
    free(buf);
    return ns;
}

int main(int argc, char **argv)
{
    /* At most 10^9 reads a size (minutes): strtoul would take "-5" as
     * nearly 2^64 and never finish. */
    size_t loads = 2000000;
    if (argc == 2) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(argv[1], &end, 10);
        loads = (!errno && end != argv[1] && *end == '\0' && argv[1][0] != '-' && n >= 1 && n <= 1000000000ULL)
                    ? (size_t)n : 0;
    }
    if (argc > 2 || loads == 0) {
        fprintf(stderr, "usage: bench_host [LOADS]  (LOADS a whole number from 1 to 1000000000)\n");
        return 2;
    }
    static const size_t kib[] = {256, 1024, 4096, 8192, 16384, 65536};
    for (size_t k = 0; k < sizeof kib / sizeof kib[0]; k++) {
        double ns = chase(kib[k] * 1024, loads);
        if (ns < 0) {
            fprintf(stderr, "bench_host: out of memory for %zu KiB\n", kib[k]);
            return 1;
        }
        printf("chase_kib_%zu_ns=%.1f\n", kib[k], ns);
    }
    return 0;
}
