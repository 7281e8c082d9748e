/*
 * eng_evset.c — binary-heap future event set with cancellation.
 *
 * The heap holds small nodes (time, sequence, slot) so sifting moves 24 bytes;
 * the event's payload lives in a slot that also records the node's heap
 * position, which makes cancellation O(log n) without searching.
 */
#include "eng_evset.h"

#include <math.h>
#include <stdlib.h>

typedef struct heap_node {
    double time;
    uint64_t seq;
    uint32_t slot;
} heap_node;

typedef struct slot_entry {
    uint32_t kind;
    uint32_t subject;
    uint32_t heap_pos;   /* position in heap, or UINT32_MAX when free */
    uint32_t generation; /* bumped each time the slot is released */
    uint32_t next_free;
} slot_entry;

struct evset {
    heap_node *heap;
    size_t size, capacity;
    slot_entry *slots;
    uint32_t slot_count, slot_capacity;
    uint32_t free_head; /* UINT32_MAX when no free slot */
    uint64_t next_seq;
};

#define NO_SLOT UINT32_MAX

static int node_before(const heap_node *a, const heap_node *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void place(evset *set, size_t pos, heap_node node)
{
    set->heap[pos] = node;
    set->slots[node.slot].heap_pos = (uint32_t)pos;
}

static void sift_up(evset *set, size_t pos)
{
    heap_node node = set->heap[pos];
    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (!node_before(&node, &set->heap[parent]))
            break;
        place(set, pos, set->heap[parent]);
        pos = parent;
    }
    place(set, pos, node);
}

static void sift_down(evset *set, size_t pos)
{
    heap_node node = set->heap[pos];
    size_t n = set->size;
    for (;;) {
        size_t child = 2 * pos + 1;
        if (child >= n)
            break;
        if (child + 1 < n && node_before(&set->heap[child + 1], &set->heap[child]))
            child++;
        if (!node_before(&set->heap[child], &node))
            break;
        place(set, pos, set->heap[child]);
        pos = child;
    }
    place(set, pos, node);
}

evset *evset_alloc(size_t initial_capacity)
{
    evset *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    if (initial_capacity < 16)
        initial_capacity = 16;
    set->heap = malloc(initial_capacity * sizeof *set->heap);
    set->slots = malloc(initial_capacity * sizeof *set->slots);
    if (!set->heap || !set->slots) {
        evset_free(set);
        return NULL;
    }
    set->capacity = initial_capacity;
    set->slot_capacity = (uint32_t)initial_capacity;
    set->free_head = NO_SLOT;
    return set;
}

void evset_free(evset *set)
{
    if (!set)
        return;
    free(set->heap);
    free(set->slots);
    free(set);
}

static uint32_t slot_take(evset *set)
{
    if (set->free_head != NO_SLOT) {
        uint32_t s = set->free_head;
        set->free_head = set->slots[s].next_free;
        return s;
    }
    if (set->slot_count == set->slot_capacity) {
        if (set->slot_capacity >= NO_SLOT / 2)
            return NO_SLOT;
        uint32_t cap = set->slot_capacity * 2;
        slot_entry *grown = realloc(set->slots, (size_t)cap * sizeof *grown);
        if (!grown)
            return NO_SLOT;
        set->slots = grown;
        set->slot_capacity = cap;
    }
    uint32_t s = set->slot_count++;
    set->slots[s].generation = 1;
    return s;
}

static void slot_release(evset *set, uint32_t s)
{
    set->slots[s].heap_pos = NO_SLOT;
    set->slots[s].generation++;
    set->slots[s].next_free = set->free_head;
    set->free_head = s;
}

static evset_handle make_handle(const evset *set, uint32_t s)
{
    return ((evset_handle)set->slots[s].generation << 32) | ((evset_handle)s + 1);
}

evset_handle evset_push(evset *set, double time, uint32_t kind, uint32_t subject)
{
    if (set->size == set->capacity) {
        size_t cap = set->capacity * 2;
        heap_node *grown = realloc(set->heap, cap * sizeof *grown);
        if (!grown)
            return EVSET_NO_HANDLE;
        set->heap = grown;
        set->capacity = cap;
    }
    uint32_t s = slot_take(set);
    if (s == NO_SLOT)
        return EVSET_NO_HANDLE;
    set->slots[s].kind = kind;
    set->slots[s].subject = subject;
    heap_node node = {time, set->next_seq++, s};
    size_t pos = set->size++;
    set->heap[pos] = node;
    sift_up(set, pos);
    return make_handle(set, s);
}

static void remove_at(evset *set, size_t pos)
{
    size_t last = --set->size;
    if (pos == last)
        return;
    heap_node moved = set->heap[last];
    place(set, pos, moved);
    if (pos > 0 && node_before(&moved, &set->heap[(pos - 1) / 2]))
        sift_up(set, pos);
    else
        sift_down(set, pos);
}

int evset_pop(evset *set, evset_event *out)
{
    if (set->size == 0)
        return 0;
    heap_node top = set->heap[0];
    slot_entry *e = &set->slots[top.slot];
    out->time = top.time;
    out->kind = e->kind;
    out->subject = e->subject;
    out->handle = make_handle(set, top.slot);
    remove_at(set, 0);
    slot_release(set, top.slot);
    return 1;
}

int evset_cancel(evset *set, evset_handle handle)
{
    uint64_t low = handle & 0xffffffffu;
    if (low == 0 || low > set->slot_count)
        return 0;
    uint32_t s = (uint32_t)(low - 1);
    slot_entry *e = &set->slots[s];
    if (e->heap_pos == NO_SLOT || e->generation != (uint32_t)(handle >> 32))
        return 0;
    remove_at(set, e->heap_pos);
    slot_release(set, s);
    return 1;
}

size_t evset_size(const evset *set)
{
    return set->size;
}

double evset_peek_time(const evset *set)
{
    return set->size ? set->heap[0].time : INFINITY;
}

void evset_clear(evset *set)
{
    for (size_t i = 0; i < set->size; i++)
        slot_release(set, set->heap[i].slot);
    set->size = 0;
}
