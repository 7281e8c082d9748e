/*
 * eng_evset_upkeep.c — the event set's rare whole-set operations: giving
 * the nodes held new sequence numbers when the 32-bit ones run out,
 * sweeping tombstones once they outnumber pending events, and clearing.
 * Each visits every node wherever it is (the bottom, top, the rungs'
 * buckets); eng_evset.c keeps the per-event paths.
 */
#include "engine/eng_evset_internal.h"

/* ---- visiting every node (renumbering, sweeping, clearing) ---------------- */

typedef void (*node_visitor)(evset *set, node_t *node, void *ctx);

static void visit_all(evset *set, node_visitor visit, void *ctx)
{
    for (size_t i = set->bottom_head; i < set->bottom_end; i++)
        visit(set, &set->bottom[i], ctx);
    for (size_t i = 0; i < set->top.count; i++)
        visit(set, &set->top.items[i], ctx);
    for (int k = 0; k < set->rung_count; k++) {
        rung *r = &set->rungs[k];
        for (uint32_t j = r->next; j < r->buckets; j++)
            BUCKET_FOR_EACH(set, &r->bucket[j], np, visit(set, np, ctx));
    }
}

static int seq_compare(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

typedef struct seq_list {
    uint32_t *seqs;
    size_t count;
} seq_list;

static void collect_seq(evset *set, node_t *node, void *ctx)
{
    (void)set;
    seq_list *l = ctx;
    l->seqs[l->count++] = node_seq(*node);
}

static void rank_seq(evset *set, node_t *node, void *ctx)
{
    (void)set;
    const seq_list *l = ctx;
    uint32_t q = node_seq(*node);
    const uint32_t *rank = bsearch(&q, l->seqs, l->count, sizeof *l->seqs, seq_compare);
    const node_t keep = ~((node_t)UINT32_MAX << 32); /* all but the sequence */
    *node = (*node & keep) | ((node_t)(uint32_t)(rank - l->seqs) << 32);
}

/* Gives the nodes held (tombstones too) sequence numbers 0..n-1 in their
 * present order: no comparison changes, so every node stays valid where it
 * is. */
int ev_renumber(evset *set)
{
    size_t held = set->live + set->cancelled;
    seq_list l = {malloc((held ? held : 1) * sizeof *l.seqs), 0};
    if (!l.seqs)
        return -1;
    visit_all(set, collect_seq, &l);
    qsort(l.seqs, l.count, sizeof *l.seqs, seq_compare);
    visit_all(set, rank_seq, &l);
    free(l.seqs);
    set->next_seq = (uint32_t)l.count;
    return 0;
}

/* Drops every tombstone, keeping each container's nodes where they belong;
 * returns -1, having changed nothing, when memory runs out. */
int ev_sweep(evset *set)
{
    /* Rebuilding a bucket takes new chunks before its old ones are freed:
     * at most one chunk per CHUNK_NODES nodes, plus one per bucket. */
    size_t need = 0;
    for (int k = 0; k < set->rung_count; k++) {
        const rung *r = &set->rungs[k];
        for (uint32_t j = r->next; j < r->buckets; j++)
            if (r->bucket[j].count)
                need = need > r->bucket[j].count / CHUNK_NODES + 1 ? need : r->bucket[j].count / CHUNK_NODES + 1;
    }
    if (ev_chunk_reserve(set, need) != 0)
        return -1;
    /* the bottom heap and top: filter in place */
    size_t n = set->bottom_head; /* the sorted run stays in order; a heap is rebuilt */
    for (size_t i = set->bottom_head; i < set->bottom_end; i++) {
        uint32_t s = node_slot(set->bottom[i]);
        if (set->slots[s].link == SLOT_CANCELLED)
            slot_release(set, s);
        else
            set->bottom[n++] = set->bottom[i];
    }
    set->bottom_end = n;
    if (n == set->bottom_head) {
        set->bottom_head = set->bottom_end = 0;
        set->bottom_is_heap = 0;
    } else if (set->bottom_is_heap && n > 1) {
        for (size_t i = (n - 2) / ARITY + 1; i-- > 0;)
            ev_heap_sift_down(set->bottom, n, i);
    }
    n = 0;
    for (size_t i = 0; i < set->top.count; i++) {
        uint32_t s = node_slot(set->top.items[i]);
        if (set->slots[s].link == SLOT_CANCELLED) {
            slot_release(set, s);
            set->top.key_sum -= node_key(set->top.items[i]);
        } else {
            set->top.items[n++] = set->top.items[i];
        }
    }
    set->top.count = n;
    /* buckets: each rebuilt from its survivors, in chunks reserved first so
     * that no step can fail half-way */
    for (int k = 0; k < set->rung_count; k++) {
        rung *r = &set->rungs[k];
        for (uint32_t j = r->next; j < r->buckets; j++) {
            bucket old = r->bucket[j], fresh = {NO_INDEX, 0};
            BUCKET_FOR_EACH(set, &old, np, {
                uint32_t s = node_slot(*np);
                if (set->slots[s].link == SLOT_CANCELLED)
                    slot_release(set, s);
                else
                    bucket_add(set, &fresh, *np);
            });
            bucket_empty(set, &old);
            r->bucket[j] = fresh;
        }
    }
    set->cancelled = 0;
    return 0;
}

static void count_node(evset *set, node_t *node, void *ctx)
{
    (void)set;
    (void)node;
    ++*(size_t *)ctx;
}

int ev_check(evset *set)
{
    size_t held = 0;
    visit_all(set, count_node, &held);
    node_t sum = 0;
    for (size_t i = 0; i < set->top.count; i++)
        sum += node_key(set->top.items[i]);
    return held == set->live + set->cancelled && sum == set->top.key_sum ? 0 : -1;
}

static void release_node(evset *set, node_t *node, void *ctx)
{
    (void)ctx;
    slot_release(set, node_slot(*node));
}

void evset_clear(evset *set)
{
    visit_all(set, release_node, NULL);
    for (int k = 0; k < set->rung_count; k++) {
        rung *r = &set->rungs[k];
        for (uint32_t j = r->next; j < r->buckets; j++)
            bucket_empty(set, &r->bucket[j]);
    }
    set->bottom_head = set->bottom_end = 0;
    set->bottom_is_heap = 0;
    set->top.count = 0;
    set->top.key_sum = 0;
    set->top_start = UINT64_MAX;
    set->top_min = UINT64_MAX;
    set->top_max = 0;
    set->rung_count = 0;
    set->live = 0;
    set->cancelled = 0;
}
