/*
 * eng_evset_internal.h — the event set's representation, shared by the two
 * files that implement it and by nothing else: eng_evset.c (placing,
 * bringing forward, pushing, popping, cancelling) and eng_evset_upkeep.c
 * (renumbering, sweeping tombstones, visiting and clearing every node).
 *
 * Owns the nodes, slots, buckets, rungs and top, the struct itself, and the
 * small helpers both files use (inline). Functions one file defines for
 * the other are prefixed ev_. eng_evset.c's header comment explains the
 * arrangement.
 */
#ifndef CASEFLOW_ENG_EVSET_INTERNAL_H
#define CASEFLOW_ENG_EVSET_INTERNAL_H

#include "engine/eng_evset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef __SIZEOF_INT128__
#error "eng_evset needs a compiler with unsigned __int128 (gcc or clang on a 64-bit target)"
#endif

/* Tests may lower it to exercise the renumbering. */
#ifndef EVSET_SEQ_LIMIT
#define EVSET_SEQ_LIMIT UINT32_MAX
#endif

#define ARITY 4
/* Nodes before index 0 of the bottom heap's block, so that each family of
 * four children (indices 4i+1 .. 4i+4) fills one 64-byte line. */
#define HEAP_PAD 3
/* A bucket with more events than this is spread over a finer rung rather
 * than heaped; a rung is sized for about BUCKET_FILL events per bucket and
 * spans SPAN_MEANS mean distances (spread_top). Tried on the model with
 * callgrind: SPLIT_ABOVE 16..64, BUCKET_FILL 1..4 and SPAN_MEANS 1..4 all
 * lie within 5 % of each other in instructions and cache misses. Once
 * buckets were sorted by bins (bottom_sort_bucket, nearly linear), fewer
 * splits paid: SPLIT_ABOVE 64 (EVSET_SORTED_MAX 96) against 32 (48) 2 %
 * faster on bench_malmo (paired CPU time, 7 pairs), 96 no better, the hold
 * model the same; BUCKET_FILL 1 or 4 no better. Once a new chunk was taken
 * without a branch (evset_push), fuller buckets paid: BUCKET_FILL 4
 * against 2 1.8 % faster at 1x (9 pairs) and 5-11 % at 100x size (median
 * of 10 and of 12 pairs; half-empty chunks had doubled the lines a pending
 * event occupies), 3 slower at 100x, 6 and 8 2.7 and 8 % slower at 1x. */
#ifndef SPLIT_ABOVE
#define SPLIT_ABOVE 64
#endif
#ifndef BUCKET_FILL
#define BUCKET_FILL 4
#endif
#ifndef SPAN_MEANS
#define SPAN_MEANS 2
#endif
#define MAX_RUNGS 8
/* Up to this many nodes the bottom is a sorted run, beyond it a heap until
 * it runs empty (see bottom_take_first). Buckets come down with at most
 * SPLIT_ABOVE nodes unless their keys cannot be split (equal times). */
#ifndef EVSET_SORTED_MAX
#define EVSET_SORTED_MAX 96
#endif
/* Up to this many events the set is the bottom alone (see place_node). */
#ifndef EVSET_SMALL_HEAP
#define EVSET_SMALL_HEAP 256
#endif
/* Tombstones are swept when they outnumber pending events and this. Tests
 * lower it (and EVSET_SMALL_HEAP) to exercise the sweep and the hand-overs. */
#ifndef EVSET_SWEEP_MIN
#define EVSET_SWEEP_MIN 4096
#endif
/* Nodes per chunk: one cache line. */
#define CHUNK_NODES 4

/* time key (64) | sequence (32) | slot (32) */
__extension__ typedef unsigned __int128 node_t;

#define NO_INDEX UINT32_MAX
/* A slot's link while its event is pending, and once it is cancelled; a
 * free slot's link is the next free slot (or NO_INDEX). */
#define SLOT_PENDING (UINT32_MAX - 1)
#define SLOT_CANCELLED (UINT32_MAX - 2)

typedef struct slot_entry {
    uint32_t kind;
    uint32_t subject;
    uint32_t generation; /* bumped each time the slot is released */
    uint32_t link;       /* SLOT_PENDING, SLOT_CANCELLED or the next free slot */
} slot_entry;

/* A bucket: its nodes in a list of chunks, the newest first; only the
 * newest may be partly filled (count % CHUNK_NODES nodes, or full). */
typedef struct bucket {
    uint32_t head;  /* chunk, or NO_INDEX when empty */
    uint32_t count;
} bucket;

typedef struct rung {
    uint64_t base;     /* key where bucket 0 starts */
    unsigned shift;    /* a bucket spans 2^shift keys */
    uint32_t buckets;  /* in use */
    uint32_t next;     /* first bucket not yet taken down */
    uint32_t capacity; /* allocated */
    bucket *bucket;
} rung;

typedef struct node_array {
    node_t *items;
    size_t count, capacity;
    /* the sum of the keys held (top only; spread_top's mean), kept as
     * nodes come and go: a pass over top just for the mean read every
     * node twice, and at 100x size (top ~10^5 nodes) both passes missed
     * the L2 cache (cachegrind, 1 MB L2: 0.8 M of 45 M misses gone) */
    node_t key_sum;
} node_array;

struct evset {
    /* bottom: a sorted run bottom[head .. end) or a 4-ary heap
     * bottom[0 .. end) (see bottom_take_first), HEAP_PAD nodes into a
     * 64-byte aligned block */
    node_t *bottom;
    void *bottom_block;
    size_t bottom_head, bottom_end, bottom_capacity;
    int bottom_is_heap;
    /* rungs, coarsest (0) to finest (rung_count - 1) */
    rung rungs[MAX_RUNGS];
    int rung_count;
    /* top */
    node_array top;
    uint64_t top_start, top_min, top_max;
    /* chunks of buckets; chunk c holds nodes chunk_nodes[4c .. 4c+3] */
    node_t *chunk_nodes;
    uint32_t *chunk_next;   /* next chunk of the same bucket, or of the free list */
    uint32_t chunk_count, chunk_capacity, chunk_free;
    /* slots */
    slot_entry *slots;
    uint32_t slot_count, slot_capacity;
    uint32_t free_head;
    size_t live, cancelled; /* pending events; tombstones still held */
    uint32_t next_seq;
};

static inline uint32_t node_slot(node_t n)
{
    return (uint32_t)n;
}

static inline uint32_t node_seq(node_t n)
{
    return (uint32_t)((uint64_t)n >> 32);
}

static inline uint64_t node_key(node_t n)
{
    return (uint64_t)(n >> 64);
}

/* Doubles ordered as unsigned integers: flip all bits of negatives, set the
 * sign bit of the rest. -0.0 becomes +0.0 first, so the two are one time (as
 * they compare equal as doubles). The mapping is exact both ways. */
static inline uint64_t time_key(double t)
{
    uint64_t b;
    t += 0.0;
    memcpy(&b, &t, sizeof b);
    return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

static inline double key_time(uint64_t k)
{
    uint64_t b = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
    double t;
    memcpy(&t, &b, sizeof t);
    return t;
}

/* In sorted mode the bottom is bottom[head .. end), earliest first: a pop
 * takes bottom[head] and moves nothing. In heap mode it is a 4-ary heap in
 * bottom[0 .. end) (head is 0). Empty is head == end == 0, in sorted mode. */

static inline size_t bottom_count(const evset *set)
{
    return set->bottom_end - set->bottom_head;
}

/* Defined in eng_evset.c. */
void ev_heap_sift_down(node_t *h, size_t n, size_t pos);
/* Makes room for `extra` chunks beyond those in use; 0 or -1. */
int ev_chunk_reserve(evset *set, size_t extra);

/* Defined in eng_evset_upkeep.c: sequence numbers 0..n-1 for the nodes
 * held, in their order (0 or -1, out of memory); every tombstone dropped
 * (0, or -1 having changed nothing). */
int ev_renumber(evset *set);
int ev_sweep(evset *set);
/* Also there, for check_evset: 0 when what the set keeps about its nodes
 * agrees with the nodes (the count held, live + cancelled; top's key sum),
 * else -1. Visits every node: tests only. */
int ev_check(evset *set);

/* ---- chunks and buckets --------------------------------------------------- */

static inline uint32_t chunk_take(evset *set)
{
    if (set->chunk_free != NO_INDEX) {
        uint32_t c = set->chunk_free;
        set->chunk_free = set->chunk_next[c];
        return c;
    }
    if (ev_chunk_reserve(set, 1) != 0)
        return NO_INDEX;
    return set->chunk_count++;
}

static inline int bucket_add(evset *set, bucket *b, node_t node)
{
    uint32_t at = b->count % CHUNK_NODES;
    if (at == 0) {
        uint32_t c = chunk_take(set);
        if (c == NO_INDEX)
            return -1;
        set->chunk_next[c] = b->head;
        b->head = c;
    }
    set->chunk_nodes[(size_t)b->head * CHUNK_NODES + at] = node;
    b->count++;
    return 0;
}

/* Calls visit on every node of the bucket (newest chunk first). */
#define BUCKET_FOR_EACH(set, b, node_ptr, body)                                                      \
    do {                                                                                             \
        uint32_t bfe_n_ = (b)->count % CHUNK_NODES ? (b)->count % CHUNK_NODES : CHUNK_NODES;         \
        for (uint32_t bfe_c_ = (b)->head; bfe_c_ != NO_INDEX; bfe_c_ = (set)->chunk_next[bfe_c_]) {  \
            for (uint32_t bfe_i_ = 0; bfe_i_ < bfe_n_; bfe_i_++) {                                   \
                node_t *node_ptr = &(set)->chunk_nodes[(size_t)bfe_c_ * CHUNK_NODES + bfe_i_];       \
                body;                                                                                \
            }                                                                                        \
            bfe_n_ = CHUNK_NODES;                                                                    \
        }                                                                                            \
    } while (0)

/* Puts chunk c on the free list; returns the chunk that followed it in
 * its bucket. */
static inline uint32_t chunk_release(evset *set, uint32_t c)
{
    uint32_t next = set->chunk_next[c];
    set->chunk_next[c] = set->chunk_free;
    set->chunk_free = c;
    return next;
}

/* Copies the bucket's nodes to out (the newest chunk first) and returns
 * its chunks to the free list, in one walk; returns how many. Whole chunks
 * are copied (a fixed 64-byte move, where a length of 1 to 4 nodes was a
 * call to memcpy or a loop): out needs room for CHUNK_NODES - 1 more than
 * the bucket holds, which the later chunks or nothing overwrite. */
static inline size_t bucket_take(evset *set, bucket *b, node_t *out)
{
    size_t n = 0;
    uint32_t valid = b->count % CHUNK_NODES ? b->count % CHUNK_NODES : CHUNK_NODES;
    uint32_t c = b->head;
    while (c != NO_INDEX) {
        memcpy(out + n, &set->chunk_nodes[(size_t)c * CHUNK_NODES], CHUNK_NODES * sizeof *out);
        n += valid;
        valid = CHUNK_NODES;
        c = chunk_release(set, c);
    }
    b->head = NO_INDEX;
    b->count = 0;
    return n;
}

/* Returns the bucket's chunks to the free list. */
static inline void bucket_empty(evset *set, bucket *b)
{
    uint32_t c = b->head;
    while (c != NO_INDEX)
        c = chunk_release(set, c);
    b->head = NO_INDEX;
    b->count = 0;
}

/* ---- slots ------------------------------------------------------------------ */

static inline void slot_release(evset *set, uint32_t s)
{
    set->slots[s].generation++;
    set->slots[s].link = set->free_head;
    set->free_head = s;
}

#endif
