/*
 * eng_evset.c — the future event set: a ladder of time buckets over a small
 * sorted run, with cancellation by tombstone. This file places, brings
 * forward, pushes, pops and cancels; the layout is in eng_evset_internal.h
 * and the rare whole-set work (renumbering, sweeping, clearing) in
 * eng_evset_upkeep.c.
 *
 * Every event is a 16-byte node, one unsigned 128-bit number: the high 64
 * bits an order-preserving integer image of the time (its key), then a
 * 32-bit insertion sequence number, then the 32-bit slot that holds its kind
 * and subject. Sequence numbers are unique, so comparing two nodes as numbers
 * compares (time, sequence), and the order events leave in depends on the
 * nodes alone, never on where they are kept: any arrangement that always
 * yields the smallest node gives exactly the same run.
 *
 * The arrangement (after Tang, Goh and Thng's ladder queue, 2005):
 *
 *   top      an unsorted array of the events at or after top_start: O(1)
 *            to add to;
 *   rungs    up to MAX_RUNGS arrays of buckets, each bucket a span of keys
 *            of one power-of-two width, holding its events unsorted in
 *            chunks of four nodes (one cache line); rung 0 spans
 *            [base, top_start), each finer rung spans one bucket of the
 *            rung above it;
 *   bottom   the earliest events, every one before the first bucket not
 *            yet used of the finest rung, as a sorted run (at most
 *            EVSET_SORTED_MAX) or else a 4-ary heap.
 *
 * A pop takes the bottom's first node. When the bottom runs dry, the next
 * non-empty bucket of the finest rung comes down into it (sorted by its
 * bins and insertion, bottom_sort_bucket, or heapified in linear time when larger than EVSET_SORTED_MAX,
 * which only unsplittable equal times make it), or, if it holds more than
 * SPLIT_ABOVE events, is spread
 * over a finer rung first; a rung that runs out is dropped, and when none
 * is left top is spread over a new rung 0 sized to it (about BUCKET_FILL
 * events per bucket). A push goes to top, a bucket, or the bottom by
 * comparing its key with those boundaries. Each event is thus copied a few
 * times at O(1) each and meets heap operations only in a heap of a few dozen
 * nodes, where the earlier single 4-ary heap sifted every pop through
 * log4(n) levels: at the model's 1 000 pending events ~5 levels, at 10^5
 * ~8, the deeper ones cache misses. Hold model (make bench, CPU time, Exp(1)
 * draw included): 10^4 pending 48 ns against the heap's 61, 10^6 95 against
 * 266; the model at 100x size 25-30 % faster, at 1x about 5 % (7 % fewer
 * instructions). The bottom was a heap until the model's profile showed its
 * sift-downs at 12 % of the time with ~11 nodes per bucket: a run sorted
 * once when the bucket comes down (bottom_sort_bucket) and
 * popped from its front moves nothing per pop, 7 % faster on the model
 * (bench_malmo, paired CPU time), the same on the hold model and M/M/1. Up to EVSET_SMALL_HEAP events
 * the set is the bottom alone, so small sets (M/M/1: two events) cost what
 * a sorted array or a heap costs. Events pushed before the current
 * boundaries (times in the past of the queue) simply go to the bottom,
 * which orders anything.
 *
 * Cancellation marks the event's slot (a tombstone); the node stays where it
 * is and is dropped when it reaches the front of the bottom, or in a sweep
 * once tombstones outnumber pending events (and exceed EVSET_SWEEP_MIN), so
 * memory stays within twice what the pending events need. This keeps every
 * move of a node free of bookkeeping (the heap used to record each node's
 * position in its slot for cancellation, a store per level).
 *
 * Sequence numbers are 32-bit: when they run out (once per 2^32 pushes) the
 * pending ones are renumbered 0..n-1 in their order, which changes no
 * comparison and no key, so every node stays where it is.
 */
#include "engine/eng_evset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_evset_internal.h"

/* ---- the bottom ----------------------------------------------------------- */

void ev_heap_sift_down(node_t *h, size_t n, size_t pos)
{
    node_t node = h[pos];
    for (;;) {
        size_t first = ARITY * pos + 1, child;
        if (first + 3 < n) {
            /* A full family: a tournament of data-dependent selects, which
             * the compiler makes branch-free (no mispredictions). */
            size_t a = first + (size_t)(h[first + 1] < h[first]);
            size_t b = first + 2 + (size_t)(h[first + 3] < h[first + 2]);
            child = h[b] < h[a] ? b : a;
        } else {
            if (first >= n)
                break;
            child = first;
            for (size_t c = first + 1; c < n; c++)
                if (h[c] < h[child])
                    child = c;
        }
        if (!(h[child] < node))
            break;
        h[pos] = h[child];
        pos = child;
    }
    h[pos] = node;
}

/* Room for `need` nodes from index 0 of a new block (the nodes held move to
 * its start); 0 or -1. */
static int bottom_reserve(evset *set, size_t need)
{
    if (need <= set->bottom_capacity)
        return 0;
    size_t cap = set->bottom_capacity ? set->bottom_capacity : 64;
    while (cap < need)
        cap *= 2;
    size_t bytes = ((cap + HEAP_PAD) * sizeof(node_t) + 63) / 64 * 64;
    void *block = aligned_alloc(64, bytes);
    if (!block)
        return -1;
    node_t *bottom = (node_t *)block + HEAP_PAD;
    size_t n = bottom_count(set);
    if (n)
        memcpy(bottom, set->bottom + set->bottom_head, n * sizeof *bottom);
    free(set->bottom_block);
    set->bottom_block = block;
    set->bottom = bottom;
    set->bottom_capacity = cap;
    set->bottom_head = 0;
    set->bottom_end = n;
    return 0;
}

/* Moves the run to index 0 (a sorted array is a valid heap) and makes it a
 * heap from now until it next runs empty. */
static void bottom_to_heap(evset *set)
{
    size_t n = bottom_count(set);
    if (set->bottom_head > 0)
        memmove(set->bottom, set->bottom + set->bottom_head, n * sizeof *set->bottom);
    set->bottom_head = 0;
    set->bottom_end = n;
    set->bottom_is_heap = 1;
}

static int heap_push(evset *set, node_t node)
{
    if (bottom_reserve(set, set->bottom_end + 1) != 0)
        return -1;
    node_t *h = set->bottom;
    size_t pos = set->bottom_end++;
    while (pos > 0) {
        size_t parent = (pos - 1) / ARITY;
        if (!(node < h[parent]))
            break;
        h[pos] = h[parent];
        pos = parent;
    }
    h[pos] = node;
    return 0;
}

/* The uncommon insertions: the run is full (it becomes a heap), or it
 * reaches the end of its block (it moves to the start, or the block
 * grows); then the node goes in as bottom_insert would. */
__attribute__((noinline)) static int bottom_insert_slow(evset *set, node_t node)
{
    if (!set->bottom_is_heap && bottom_count(set) >= EVSET_SORTED_MAX)
        bottom_to_heap(set);
    if (set->bottom_is_heap)
        return heap_push(set, node);
    if (set->bottom_head > 0) {
        size_t n = bottom_count(set);
        memmove(set->bottom, set->bottom + set->bottom_head, n * sizeof *set->bottom);
        set->bottom_head = 0;
        set->bottom_end = n;
    } else if (bottom_reserve(set, set->bottom_end + 1) != 0) {
        return -1;
    }
    node_t *b = set->bottom;
    size_t i = set->bottom_end++;
    while (i > 0 && node < b[i - 1]) {
        b[i] = b[i - 1];
        i--;
    }
    b[i] = node;
    return 0;
}

/* Into the sorted run, which is not a heap and has room: in front when
 * earlier than all (moving none), else from its end. */
static inline void run_insert(evset *set, node_t node)
{
    size_t head = set->bottom_head, end = set->bottom_end;
    node_t *b = set->bottom;
    if (head > 0 && node < b[head]) {
        b[head - 1] = node;
        set->bottom_head = head - 1;
        return;
    }
    size_t i = end;
    while (i > head && node < b[i - 1]) {
        b[i] = b[i - 1];
        i--;
    }
    b[i] = node;
    set->bottom_end = end + 1;
}

/* Into the sorted run, from its end: most new events are later than those
 * already at the bottom, so few move (and one earlier than all of them goes
 * in front, moving none). */
static inline int bottom_insert(evset *set, node_t node)
{
    size_t head = set->bottom_head, end = set->bottom_end;
    node_t *b = set->bottom;
    if (set->bottom_is_heap || end - head >= EVSET_SORTED_MAX || end == set->bottom_capacity) {
        if (head > 0 && !set->bottom_is_heap && node < b[head]) {
            b[head - 1] = node;
            set->bottom_head = head - 1;
            return 0;
        }
        return bottom_insert_slow(set, node);
    }
    run_insert(set, node);
    return 0;
}

/* Removes and returns the earliest node (the bottom is not empty). */
static inline node_t bottom_take_first(evset *set)
{
    node_t *b = set->bottom;
    if (!set->bottom_is_heap) {
        node_t first = b[set->bottom_head++];
        if (set->bottom_head == set->bottom_end)
            set->bottom_head = set->bottom_end = 0;
        return first;
    }
    node_t first = b[0];
    size_t n = --set->bottom_end;
    if (n > 0) {
        b[0] = b[n];
        if (n > 1)
            ev_heap_sift_down(b, n, 0);
    } else {
        set->bottom_is_heap = 0;
    }
    return first;
}

/* Orders the n nodes just put into the empty bottom at index 0: sorted
 * by insertion (at most EVSET_SORTED_MAX of them), else a heap by Floyd's
 * bottom-up construction, O(n). */
static void bottom_order(evset *set, size_t n)
{
    node_t *b = set->bottom;
    set->bottom_head = 0;
    set->bottom_end = n;
    if (n <= EVSET_SORTED_MAX) {
        /* Insertion carrying the smaller node down to index 0, with
         * selects instead of a loop that stops at its place: k steps for
         * the k-th node, n^2 / 2 in all, but no mispredicted loop exit (one
         * per node, ~15 cycles each, with the stopping version); 4 % faster
         * on bench_malmo (paired, 7 pairs), and faster than stopping early
         * for buckets of 16 or more too. */
        for (size_t k = 1; k < n; k++) {
            node_t carry = b[k];
            for (size_t i = k; i > 0; i--) {
                node_t prev = b[i - 1];
                int below = carry < prev;
                b[i] = below ? prev : carry;
                carry = below ? carry : prev;
            }
            b[0] = carry;
        }
        return;
    }
    set->bottom_is_heap = 1;
    for (size_t i = (n - 2) / ARITY + 1; i-- > 0;)
        ev_heap_sift_down(b, n, i);
}

/* A bucket coming down is first spread over SORT_BINS bins by the top bits
 * of its keys' offsets from its start. */
#ifndef SORT_BIN_BITS
#define SORT_BIN_BITS 6
#endif
#define SORT_BINS (1 << SORT_BIN_BITS)
_Static_assert(EVSET_SORTED_MAX < 256, "bin counts are bytes");
/* Smaller buckets go by bottom_order's branch-free insertion, which costs
 * less than setting the bins up (the hold model, whose buckets are small,
 * was 6-8 % slower with bins for all). */
#ifndef SORT_BY_BINS_ABOVE
#define SORT_BY_BINS_ABOVE 8
#endif

/* Puts a bucket's n nodes (n <= EVSET_SORTED_MAX), in[], into the empty
 * bottom as a sorted run: a counting sort over their bins (bin[i]; the
 * count of bin k in start[k + 1]), stable, then plain insertion, which has
 * only the few nodes sharing a bin to order (and equal times to put in
 * sequence order); on the nearly sorted run it rarely mispredicts. The
 * insertion alone is exact, so the bins only save work. About two bins a
 * node (at most SORT_BINS), so the prefix sum stays O(n). Against the
 * branch-free insertion of bottom_order for all (n^2 / 2 steps):
 * bench_malmo 2-4 % faster (paired CPU time, 7 pairs), the hold model the
 * same. */
static void bottom_sort_bucket(evset *set, const node_t *in, const uint8_t *bin, uint8_t *start, size_t n,
                               unsigned bins)
{
    /* Offsets: start[k] becomes the count of the bins before k (only bins
     * 0 .. bins-1 are read). Eight bins a word, summed within the word by
     * three shifts and carried on: no byte overflows, as no sum passes n
     * (< 256). The loop over bins one by one was 280 of the ~1 200
     * instructions a bucket came down with (callgrind, bench_malmo). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bins % 8 == 0) {
        uint64_t carry = 0;
        for (unsigned w = 0; w < bins; w += 8) {
            uint64_t x;
            memcpy(&x, start + w, sizeof x);
            x += x << 8;
            x += x << 16;
            x += x << 32;
            x += carry * UINT64_C(0x0101010101010101);
            memcpy(start + w, &x, sizeof x);
            carry = x >> 56;
        }
    } else
#endif
        for (unsigned k = 1; k <= bins; k++)
            start[k] = (uint8_t)(start[k] + start[k - 1]);
    node_t *b = set->bottom;
    for (size_t i = 0; i < n; i++)
        b[start[bin[i]]++] = in[i];
    for (size_t j = 1; j < n; j++) {
        node_t node = b[j];
        size_t i = j;
        while (i > 0 && node < b[i - 1]) {
            b[i] = b[i - 1];
            i--;
        }
        b[i] = node;
    }
    set->bottom_head = 0;
    set->bottom_end = n;
}

/* ---- chunks and buckets --------------------------------------------------- */

/* Makes room for `extra` chunks beyond those in use; 0 or -1. */
int ev_chunk_reserve(evset *set, size_t extra)
{
    if ((size_t)set->chunk_capacity - set->chunk_count >= extra)
        return 0;
    size_t cap = set->chunk_capacity ? set->chunk_capacity : 64;
    while (cap - set->chunk_count < extra)
        cap *= 2;
    if (cap > NO_INDEX / (2 * CHUNK_NODES))
        return -1;
    node_t *nodes = aligned_alloc(64, cap * CHUNK_NODES * sizeof *nodes);
    uint32_t *next = realloc(set->chunk_next, cap * sizeof *next);
    if (next)
        set->chunk_next = next;
    if (!nodes || !next) {
        free(nodes);
        return -1;
    }
    if (set->chunk_count)
        memcpy(nodes, set->chunk_nodes, (size_t)set->chunk_count * CHUNK_NODES * sizeof *nodes);
    free(set->chunk_nodes);
    set->chunk_nodes = nodes;
    set->chunk_capacity = (uint32_t)cap;
    return 0;
}

/* ---- rungs ------------------------------------------------------------------ */

/* Where the first bucket not yet taken down starts; only for a rung with
 * one left (next < buckets), where it cannot overflow. */
static inline uint64_t rung_start(const rung *r)
{
    return r->base + ((uint64_t)r->next << r->shift);
}

/* Sets r up to span [base, base + span] (span + 1 keys) in about
 * count / BUCKET_FILL buckets of a power-of-two width. The width stays
 * below 2^64 (so every shift is defined); a rung spanning nearly all keys
 * then has two buckets. */
static int rung_setup(rung *r, uint64_t base, uint64_t span, size_t count)
{
    uint64_t want = count / BUCKET_FILL;
    if (want < 1)
        want = 1;
    unsigned shift = 0;
    while (shift < 63 && (span >> shift) >= want)
        shift++;
    uint64_t buckets = (span >> shift) + 1;
    if (buckets > r->capacity) {
        bucket *grown = realloc(r->bucket, (size_t)buckets * sizeof *grown);
        if (!grown)
            return -1;
        for (uint64_t i = r->capacity; i < buckets; i++)
            grown[i] = (bucket){NO_INDEX, 0};
        r->bucket = grown;
        r->capacity = (uint32_t)buckets;
    }
    r->base = base;
    r->shift = shift;
    r->buckets = (uint32_t)buckets;
    r->next = 0;
    return 0;
}

static inline bucket *rung_bucket(rung *r, uint64_t key)
{
    return &r->bucket[(key - r->base) >> r->shift];
}

/* ---- placing a node ------------------------------------------------------- */

static int top_reserve(evset *set, size_t need)
{
    node_array *t = &set->top;
    if (need <= t->capacity)
        return 0;
    size_t cap = t->capacity ? t->capacity : 64;
    while (cap < need)
        cap *= 2;
    node_t *grown = realloc(t->items, cap * sizeof *grown);
    if (!grown)
        return -1;
    t->items = grown;
    t->capacity = cap;
    return 0;
}

static int place_node(evset *set, node_t node)
{
    uint64_t key = node_key(node);
    if (key >= set->top_start) {
        node_array *t = &set->top;
        if (t->count == t->capacity && top_reserve(set, t->count + 1) != 0)
            return -1;
        t->items[t->count++] = node;
        t->key_sum += key;
        if (key < set->top_min)
            set->top_min = key;
        if (key > set->top_max)
            set->top_max = key;
        return 0;
    }
    /* Coarsest first: each finer rung spans a bucket of the one above it
     * that is already taken down, so a key at or after a rung's start (and
     * before the coarser rungs' starts) belongs to one of its buckets. A
     * rung with no bucket left spans nothing more. */
    for (int i = 0; i < set->rung_count; i++) {
        rung *r = &set->rungs[i];
        if (r->next < r->buckets && key >= rung_start(r))
            return bucket_add(set, rung_bucket(r, key), node);
    }
    /* With no rungs and top empty (top_start is then UINT64_MAX), the set is
     * just the bottom heap: few pending events (an M/M/1 queue has two)
     * never pay for the ladder. Once the heap holds EVSET_SMALL_HEAP events they
     * all move to top, and the ladder takes over from the next pop. */
    size_t held = bottom_count(set);
    if (held >= EVSET_SMALL_HEAP && set->rung_count == 0 && set->top.count == 0) {
        if (top_reserve(set, held) != 0)
            return -1;
        uint64_t lo = UINT64_MAX, hi = 0;
        for (size_t i = 0; i < held; i++) {
            node_t n = set->bottom[set->bottom_head + i];
            uint64_t k = node_key(n);
            lo = k < lo ? k : lo;
            hi = k > hi ? k : hi;
            set->top.items[i] = n;
            set->top.key_sum += k;
        }
        set->top.count = held;
        set->bottom_head = set->bottom_end = 0;
        set->bottom_is_heap = 0;
        set->top_min = lo;
        set->top_max = hi;
        set->top_start = lo;
        return place_node(set, node);
    }
    return bottom_insert(set, node);
}

/* Spreads top over a new rung 0 starting at top_min. The rung spans twice
 * the mean distance of top's keys from top_min (all of them when that is
 * further): a few far events, such as month ends scheduled for the whole
 * horizon, would otherwise stretch every bucket and crowd the near events
 * into a few. Events past the rung stay in top. */
static int spread_top(evset *set)
{
    rung *r = &set->rungs[0];
    size_t n = set->top.count;
    uint64_t base = set->top_min, span = set->top_max - base;
    /* every key is at least base, so the difference is exact */
    double mean = (double)(set->top.key_sum - (node_t)base * n) / (double)n;
    if (SPAN_MEANS * mean < (double)span)
        span = (uint64_t)(SPAN_MEANS * mean) + 1;
    /* At worst each node starts a chunk; reserved first, so nothing moves
     * unless everything can. */
    if (ev_chunk_reserve(set, n) != 0 || rung_setup(r, base, span, n) != 0)
        return -1;
    __extension__ unsigned __int128 end = (unsigned __int128)base + ((unsigned __int128)r->buckets << r->shift);
    /* Past the largest key every key belongs to the rung; the largest key
     * itself then goes to top, after the rung's (fine: top is taken after
     * the rung, and a later push has a later sequence number). */
    uint64_t top_start = end > UINT64_MAX ? UINT64_MAX : (uint64_t)end;
    size_t kept = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    node_t kept_sum = 0;
    for (size_t i = 0; i < n; i++) {
        node_t node = set->top.items[i];
        uint64_t key = node_key(node);
        if (key < top_start) {
            bucket_add(set, rung_bucket(r, key), node);
        } else {
            set->top.items[kept++] = node;
            kept_sum += key;
            lo = key < lo ? key : lo;
            hi = key > hi ? key : hi;
        }
    }
    set->top.count = kept;
    set->top.key_sum = kept_sum;
    set->top_min = lo;
    set->top_max = hi;
    set->top_start = top_start;
    set->rung_count = 1;
    return 0;
}

/* Brings the next events down into the (empty) bottom heap; returns 0 when
 * there are none, -1 when memory runs out, 1 otherwise. */
static int refill_bottom(evset *set)
{
    for (;;) {
        if (set->rung_count == 0) {
            if (set->top.count == 0)
                return 0;
            if (spread_top(set) != 0)
                return -1;
        }
        rung *r = &set->rungs[set->rung_count - 1];
        while (r->next < r->buckets && r->bucket[r->next].count == 0)
            r->next++;
        if (r->next == r->buckets) {
            set->rung_count--;
            continue;
        }
        bucket *b = &r->bucket[r->next];
        uint64_t from = rung_start(r);
        r->next++;
        if (b->count > SPLIT_ABOVE && r->shift > 0 && set->rung_count < MAX_RUNGS) {
            rung *fine = &set->rungs[set->rung_count];
            uint64_t span = (UINT64_C(1) << r->shift) - 1;
            if (ev_chunk_reserve(set, b->count) != 0 || rung_setup(fine, from, span, b->count) != 0) {
                r->next--;
                return -1;
            }
            set->rung_count++;
            BUCKET_FOR_EACH(set, b, np, bucket_add(set, rung_bucket(fine, node_key(*np)), *np));
            bucket_empty(set, b);
            continue;
        }
        if (bottom_reserve(set, b->count + CHUNK_NODES) != 0) { /* bucket_take writes whole chunks */
            r->next--;
            return -1;
        }
        /* These are the next events to leave: ask for their slots now, so
         * that reading kind and subject at each pop (and evset_peek_next)
         * finds them in cache; at 10^5 pending events the slots are a few
         * MB and each read was a cache miss. */
        if (b->count > SORT_BY_BINS_ABOVE && b->count <= EVSET_SORTED_MAX) {
            node_t in[EVSET_SORTED_MAX + CHUNK_NODES];
            uint8_t bin[EVSET_SORTED_MAX];
            uint8_t start[SORT_BINS + 1] = {0};
            /* about two bins a node: the prefix sum stays O(n) */
            unsigned bits = 65 - (unsigned)__builtin_clzll(b->count);
            bits = bits < SORT_BIN_BITS ? bits : SORT_BIN_BITS;
            unsigned drop = r->shift > bits ? r->shift - bits : 0;
            size_t n = bucket_take(set, b, in);
            for (size_t i = 0; i < n; i++) {
                bin[i] = (uint8_t)((node_key(in[i]) - from) >> drop);
                start[bin[i] + 1]++;
                __builtin_prefetch(&set->slots[node_slot(in[i])]);
            }
            bottom_sort_bucket(set, in, bin, start, n, 1u << bits);
            return 1;
        }
        size_t n = bucket_take(set, b, set->bottom);
        for (size_t i = 0; i < n; i++)
            __builtin_prefetch(&set->slots[node_slot(set->bottom[i])]);
        bottom_order(set, n);
        return 1;
    }
}

/* ---- slots ------------------------------------------------------------------ */

static uint32_t slot_take(evset *set)
{
    if (set->free_head != NO_INDEX) {
        uint32_t s = set->free_head;
        set->free_head = set->slots[s].link;
        return s;
    }
    if (set->slot_count == set->slot_capacity) {
        if (set->slot_capacity >= NO_INDEX / 4)
            return NO_INDEX;
        uint32_t cap = set->slot_capacity * 2;
        slot_entry *grown = realloc(set->slots, (size_t)cap * sizeof *grown);
        if (!grown)
            return NO_INDEX;
        set->slots = grown;
        set->slot_capacity = cap;
    }
    uint32_t s = set->slot_count++;
    set->slots[s].generation = 1;
    return s;
}

static evset_handle make_handle(const evset *set, uint32_t s)
{
    return ((evset_handle)set->slots[s].generation << 32) | ((evset_handle)s + 1);
}

/* ---- the public operations ------------------------------------------------ */

evset *evset_alloc(size_t initial_capacity)
{
    evset *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    if (initial_capacity < 16)
        initial_capacity = 16;
    if (initial_capacity > NO_INDEX / 4)
        initial_capacity = NO_INDEX / 4;
    set->slots = malloc(initial_capacity * sizeof *set->slots);
    set->chunk_free = NO_INDEX;
    set->free_head = NO_INDEX;
    set->top_min = UINT64_MAX;
    set->top_start = UINT64_MAX;
    if (!set->slots || bottom_reserve(set, 64) != 0) {
        evset_free(set);
        return NULL;
    }
    set->slot_capacity = (uint32_t)initial_capacity;
    return set;
}

void evset_free(evset *set)
{
    if (!set)
        return;
    free(set->bottom_block);
    for (int k = 0; k < MAX_RUNGS; k++)
        free(set->rungs[k].bucket);
    free(set->top.items);
    free(set->chunk_nodes);
    free(set->chunk_next);
    free(set->slots);
    free(set);
}

/* Everything but the common case of a push: a new slot, renumbering,
 * placing into top or the rungs. */
__attribute__((noinline)) static evset_handle push_slow(evset *set, double time, uint32_t kind, uint32_t subject)
{
    if (set->next_seq >= (uint32_t)EVSET_SEQ_LIMIT && ev_renumber(set) != 0)
        return EVSET_NO_HANDLE;
    uint32_t s = slot_take(set);
    if (s == NO_INDEX)
        return EVSET_NO_HANDLE;
    node_t node = ((node_t)time_key(time) << 64) | ((node_t)set->next_seq << 32) | s;
    if (place_node(set, node) != 0) {
        set->slots[s].link = set->free_head;
        set->free_head = s;
        return EVSET_NO_HANDLE;
    }
    set->next_seq++;
    set->slots[s].kind = kind;
    set->slots[s].subject = subject;
    set->slots[s].link = SLOT_PENDING;
    set->live++;
    return make_handle(set, s);
}

/* The end of every successful push: slot s (the free list's first), whose
 * kind and subject are already written, now holds a pending event. */
static inline evset_handle push_commit(evset *set, uint32_t s)
{
    slot_entry *e = &set->slots[s];
    set->free_head = e->link;
    set->next_seq++;
    e->link = SLOT_PENDING;
    set->live++;
    return ((evset_handle)e->generation << 32) | ((evset_handle)s + 1);
}

/* A push that needs place_node (into top, a rung's bucket or the bottom
 * heap past the small size); kept out of evset_push so its common path
 * calls nothing. */
__attribute__((noinline)) static evset_handle push_placed(evset *set, node_t node)
{
    if (place_node(set, node) != 0)
        return EVSET_NO_HANDLE;
    return push_commit(set, node_slot(node));
}

/* A push while the set is the bottom alone (no rungs, the key before top):
 * into its sorted run from the end, as bottom_insert does when it needs
 * nothing else (no heap, room, the run not full); anything else is
 * push_placed's. Apart from evset_push, whose paths into top and the
 * buckets then need fewer registers: the run's insertion loop made every
 * push save and restore six (12 of its ~84 instructions a push in
 * bench_malmo, where the bottom is never alone). */
__attribute__((noinline)) static evset_handle push_bottom_alone(evset *set, node_t node)
{
    size_t head = set->bottom_head, end = set->bottom_end;
    if (end - head >= EVSET_SMALL_HEAP || set->bottom_is_heap || end - head >= EVSET_SORTED_MAX ||
        end == set->bottom_capacity)
        return push_placed(set, node);
    run_insert(set, node);
    return push_commit(set, node_slot(node));
}

/* The common cases free of calls (a free slot; the node into top or into a
 * bucket chunk with room), and the bottom alone by a tail call: every event
 * scheduled passes here, and the calls and checks of the general path were
 * about 100 instructions per push (callgrind, M/M/1). The free slot's kind
 * and subject are written first (a slot still free may hold anything), so
 * no path keeps them in registers. */
evset_handle evset_push(evset *set, double time, uint32_t kind, uint32_t subject)
{
    uint32_t s = set->free_head;
    if (__builtin_expect(s == NO_INDEX || set->next_seq >= (uint32_t)EVSET_SEQ_LIMIT, 0))
        return push_slow(set, time, kind, subject);
    set->slots[s].kind = kind;
    set->slots[s].subject = subject;
    uint64_t key = time_key(time);
    node_t node = ((node_t)key << 64) | ((node_t)set->next_seq << 32) | s;
    if (key >= set->top_start) {
        /* into top, as place_node would (a third of the model's pushes) */
        node_array *t = &set->top;
        if (t->count == t->capacity)
            return push_placed(set, node);
        t->items[t->count++] = node;
        t->key_sum += key;
        if (key < set->top_min)
            set->top_min = key;
        if (key > set->top_max)
            set->top_max = key;
    } else if (set->rung_count == 0) {
        return push_bottom_alone(set, node);
    } else {
        /* into the bucket place_node would choose, if a chunk is at hand */
        bucket *b = NULL;
        for (int i = 0; i < set->rung_count; i++) {
            rung *r = &set->rungs[i];
            if (r->next < r->buckets && key >= rung_start(r)) {
                b = rung_bucket(r, key);
                break;
            }
        }
        if (!b)
            return push_placed(set, node); /* the bottom */
        /* A node that starts a chunk (one push in four into a bucket, in
         * no order a predictor learns) takes the free list's first: by
         * masks, as a branch it mispredicted often enough to be ~13 % of
         * evset_push's time (perf), and gcc turned plain selects back
         * into a branch (tried, no faster). Masks: bench_malmo +7.8 % (11
         * pairs), the hold model at 10^4 5 % faster. When no chunk is free
         * the push goes the general way even if it needs none (rare:
         * freed chunks return to the list). */
        uint32_t c = set->chunk_free;
        if (c == NO_INDEX)
            return push_placed(set, node);
        uint32_t at = b->count % CHUNK_NODES;
        uint32_t after_c = set->chunk_next[c], head = b->head; /* c's next stays when not taken */
        uint32_t take = (uint32_t)0 - (uint32_t)(at == 0); /* all ones when the node starts a chunk */
        set->chunk_next[c] = (head & take) | (after_c & ~take);
        set->chunk_free = (after_c & take) | (c & ~take);
        head = (c & take) | (head & ~take);
        b->head = head;
        set->chunk_nodes[(size_t)head * CHUNK_NODES + at] = node;
        b->count++;
    }
    return push_commit(set, s);
}

/* Drops tombstones from the bottom heap's root until a pending event is
 * there, bringing events forward when it runs dry; returns 0 when no event
 * is pending (or memory ran out). */
static int settle_root(evset *set)
{
    for (;;) {
        if (set->bottom_end == 0 && refill_bottom(set) <= 0)
            return 0;
        uint32_t s = node_slot(set->bottom[set->bottom_head]);
        if (set->slots[s].link != SLOT_CANCELLED)
            return 1;
        bottom_take_first(set);
        slot_release(set, s);
        set->cancelled--;
    }
}

/* The end of every pop: node's event goes to out and its slot back to the
 * free list (the caller counts it out of live). */
static inline void pop_deliver(evset *set, node_t node, evset_event *out)
{
    uint32_t s = node_slot(node);
    slot_entry *e = &set->slots[s];
    out->time = key_time(node_key(node));
    out->kind = e->kind;
    out->subject = e->subject;
    out->handle = ((evset_handle)e->generation << 32) | ((evset_handle)s + 1);
    e->generation++;
    e->link = set->free_head;
    set->free_head = s;
}

/* Every case of a pop (evset_pop takes the common one itself). */
__attribute__((noinline)) static int pop_general(evset *set, evset_event *out)
{
    if (set->live == 0)
        return 0;
    if (__builtin_expect(set->bottom_end == 0 ||
                             set->slots[node_slot(set->bottom[set->bottom_head])].link == SLOT_CANCELLED, 0)) {
        if (!settle_root(set))
            return 0;
    }
    pop_deliver(set, bottom_take_first(set), out);
    if (--set->live == 0 && set->cancelled == 0 && set->bottom_end == 0) {
        /* Nothing held anywhere: back to a plain heap. */
        set->rung_count = 0;
        set->top_start = UINT64_MAX;
    }
    return 1;
}

/* The common pop, free of calls, so it saves no registers: the front of
 * the bottom's sorted run, a pending event, not the last one (whose pop
 * resets the set). Anything else goes to pop_general by a tail call. The
 * general function's frame and checks were 13 of its 66 instructions a
 * pop (callgrind, bench_malmo). */
int evset_pop(evset *set, evset_event *out)
{
    size_t head = set->bottom_head, end = set->bottom_end;
    if (__builtin_expect(set->bottom_is_heap || head == end || set->live <= 1, 0))
        return pop_general(set, out);
    node_t first = set->bottom[head];
    if (__builtin_expect(set->slots[node_slot(first)].link == SLOT_CANCELLED, 0))
        return pop_general(set, out);
    if (++head == end)
        head = set->bottom_end = 0;
    set->bottom_head = head;
    pop_deliver(set, first, out);
    set->live--;
    return 1;
}

int evset_cancel(evset *set, evset_handle handle)
{
    uint64_t low = handle & 0xffffffffu;
    if (low == 0 || low > set->slot_count)
        return 0;
    uint32_t s = (uint32_t)(low - 1);
    slot_entry *e = &set->slots[s];
    if (e->link != SLOT_PENDING || e->generation != (uint32_t)(handle >> 32))
        return 0;
    e->link = SLOT_CANCELLED;
    set->live--;
    set->cancelled++;
    if (set->cancelled > EVSET_SWEEP_MIN && set->cancelled > set->live)
        ev_sweep(set); /* only frees memory; a failure leaves tombstones, still valid */
    return 1;
}

int evset_peek_next(const evset *set, uint32_t *kind, uint32_t *subject)
{
    if (set->bottom_end == 0)
        return 0;
    const slot_entry *e = &set->slots[node_slot(set->bottom[set->bottom_head])];
    if (e->link != SLOT_PENDING)
        return 0;
    *kind = e->kind;
    *subject = e->subject;
    return 1;
}

size_t evset_size(const evset *set)
{
    return set->live;
}

double evset_peek_time(evset *set)
{
    if (set->live == 0 || !settle_root(set))
        return INFINITY;
    return key_time(node_key(set->bottom[set->bottom_head]));
}
