/*
 * model_ready.c — the case workers who can take a participant now, least
 * loaded first, lowest index on ties (model_ready.h).
 *
 * Two arrangements give exactly the same choice:
 *
 *   levels  when every participant weighs 1 (no cap by need), loads are
 *           whole numbers: a bitmap of workers per load, the lowest level
 *           holding anyone kept up to date. Filing a worker is a bit set
 *           and a bit cleared; the least loaded is the lowest bit of that
 *           level. In bench_malmo every exit moves one worker down a level
 *           and the next assignment moves it back: with the heap each was a
 *           sift through ~5 levels of data-dependent branches, 2.5 % of the
 *           model's time (perf).
 *   heap    when participants weigh their need, loads are any real number:
 *           a binary heap keyed by (load, index), O(log W) per change.
 *
 * A level holds W bits (a word for up to 64 workers); the levels grow
 * when a load passes the highest (a cap raised under pressure, a post
 * closing with its caseload handed on), so no cap needs to be known here.
 */
#include "model/model_ready.h"

#include <string.h>

/* ---- levels (integer loads) ----------------------------------------------- */

/* Room for loads up to `level`; 0 or -1. New levels are empty. */
static int levels_grow(ready_pool *r, int level)
{
    int want = r->levels > 0 ? r->levels : 32;
    while (want <= level)
        want *= 2;
    uint64_t *bits = realloc(r->bits, (size_t)want * (size_t)r->words * sizeof *bits);
    if (!bits)
        return -1;
    r->bits = bits;
    int *count = realloc(r->count, (size_t)want * sizeof *count);
    if (!count)
        return -1;
    r->count = count;
    memset(bits + (size_t)r->levels * (size_t)r->words, 0,
           (size_t)(want - r->levels) * (size_t)r->words * sizeof *bits);
    memset(count + r->levels, 0, (size_t)(want - r->levels) * sizeof *count);
    if (r->lowest == r->levels) /* none filed: still none */
        r->lowest = want;
    r->levels = want;
    return 0;
}

static void levels_file(ready_pool *r, int w, int level)
{
    r->bits[(size_t)level * (size_t)r->words + (size_t)(w / 64)] |= UINT64_C(1) << (w % 64);
    r->count[level]++;
    if (level < r->lowest)
        r->lowest = level;
}

static void levels_unfile(ready_pool *r, int w, int level)
{
    r->bits[(size_t)level * (size_t)r->words + (size_t)(w / 64)] &= ~(UINT64_C(1) << (w % 64));
    if (--r->count[level] == 0 && level == r->lowest)
        while (r->lowest < r->levels && r->count[r->lowest] == 0)
            r->lowest++;
}

static int levels_least(const ready_pool *r)
{
    if (r->lowest == r->levels)
        return -1;
    const uint64_t *row = r->bits + (size_t)r->lowest * (size_t)r->words;
    for (int i = 0;; i++)
        if (row[i])
            return i * 64 + __builtin_ctzll(row[i]);
}

/* ---- heap (real loads) ------------------------------------------------------ */

static int heap_before(const model_ctx *m, int a, int b)
{
    double la = m->workers[a].load, lb = m->workers[b].load;
    return la < lb || (la == lb && a < b);
}

static void heap_place(ready_pool *r, int at, int w)
{
    r->heap[at] = w;
    r->pos[w] = at;
}

static void heap_sift(model_ctx *m, int at)
{
    ready_pool *r = &m->ready;
    int w = r->heap[at];
    while (at > 0 && heap_before(m, w, r->heap[(at - 1) / 2])) {
        heap_place(r, at, r->heap[(at - 1) / 2]);
        at = (at - 1) / 2;
    }
    for (;;) {
        int c = 2 * at + 1;
        if (c >= r->size)
            break;
        if (c + 1 < r->size && heap_before(m, r->heap[c + 1], r->heap[c]))
            c++;
        if (!heap_before(m, r->heap[c], w))
            break;
        heap_place(r, at, r->heap[c]);
        at = c;
    }
    heap_place(r, at, w);
}

static void heap_set(model_ctx *m, int w, int eligible)
{
    ready_pool *r = &m->ready;
    int at = r->pos[w];
    if (eligible && at < 0) {
        at = r->size++;
        heap_place(r, at, w);
        heap_sift(m, at);
    } else if (!eligible && at >= 0) {
        int last = r->heap[--r->size];
        r->pos[w] = -1;
        if (last != w) {
            heap_place(r, at, last);
            heap_sift(m, at);
        }
    } else if (eligible) {
        heap_sift(m, at);
    }
}

/* ---- the pool ----------------------------------------------------------------- */

int ready_setup(model_ctx *m, int integer_loads)
{
    ready_pool *r = &m->ready;
    size_t n = (size_t)(m->worker_count > 0 ? m->worker_count : 1);
    memset(r, 0, sizeof *r);
    r->pos = malloc(n * sizeof *r->pos);
    if (!r->pos)
        return -1;
    for (size_t w = 0; w < n; w++)
        r->pos[w] = -1;
    r->by_level = integer_loads;
    if (integer_loads) {
        r->words = (int)((n + 63) / 64);
        return levels_grow(r, 0);
    }
    r->heap = malloc(n * sizeof *r->heap);
    return r->heap ? 0 : -1;
}

void ready_free(model_ctx *m)
{
    ready_pool *r = &m->ready;
    free(r->pos);
    free(r->bits);
    free(r->count);
    free(r->heap);
    memset(r, 0, sizeof *r);
}

void ready_set(model_ctx *m, int w, int eligible)
{
    ready_pool *r = &m->ready;
    if (!r->by_level) {
        heap_set(m, w, eligible);
        return;
    }
    /* Loads here are sums of ones, exact in a double. */
    int level = eligible ? (int)m->workers[w].load : -1;
    int was = r->pos[w];
    if (level == was)
        return;
    if (level >= r->levels && levels_grow(r, level) != 0) {
        m->engine.out_of_memory = 1;
        return;
    }
    if (was >= 0)
        levels_unfile(r, w, was);
    if (level >= 0)
        levels_file(r, w, level);
    r->pos[w] = level;
}

int ready_least(const model_ctx *m)
{
    const ready_pool *r = &m->ready;
    if (r->by_level)
        return levels_least(r);
    return r->size > 0 ? r->heap[0] : -1;
}
