/*
 * eng_evset.h — the future event set of the engine.
 *
 * Owns pending events, taken in order of (time, insertion sequence), so
 * events at equal times leave in the order they were scheduled and a run is
 * fully deterministic (eng_evset.c: a ladder of time buckets over a small
 * heap). Each scheduled event gets a handle that
 * stays valid until the event is popped or cancelled, so a model can withdraw
 * an event (a participant who leaves must not receive a scheduled meeting).
 *
 * The event set knows nothing of the model: an event is a time, a kind and a
 * subject, both plain integers that only the model interprets.
 */
#ifndef CASEFLOW_ENG_EVSET_H
#define CASEFLOW_ENG_EVSET_H

#include <stddef.h>
#include <stdint.h>

/* A slot index with a generation count, so a stale handle never cancels a
 * later event that happens to reuse the slot. 0 is never a valid handle. */
typedef uint64_t evset_handle;
#define EVSET_NO_HANDLE ((evset_handle)0)

typedef struct evset_event {
    double time;
    uint32_t kind;
    uint32_t subject;
    evset_handle handle;
} evset_event;

typedef struct evset evset;

evset *evset_alloc(size_t initial_capacity);
void evset_free(evset *set);

/* Returns EVSET_NO_HANDLE only when memory runs out. */
evset_handle evset_push(evset *set, double time, uint32_t kind, uint32_t subject);

/* Removes the earliest event into *out; returns 0 when the set is empty,
 * or when memory ran out while bringing events forward (evset_size is then
 * still non-zero, and nothing is lost). */
int evset_pop(evset *set, evset_event *out);

/* Returns 1 if the handle named a pending event (now withdrawn), else 0. */
int evset_cancel(evset *set, evset_handle handle);

/* The kind and subject of the event a pop would probably return next, if
 * that is known without bringing events forward (returns 1), else 0: a
 * hint, so a model can prefetch what the next event will touch while it
 * handles the current one. Later pushes may still come first. */
int evset_peek_next(const evset *set, uint32_t *kind, uint32_t *subject);

size_t evset_size(const evset *set);
/* Time of the earliest pending event; +inf when empty (or out of memory, as
 * for evset_pop). Not const: it may bring events forward, as a pop would. */
double evset_peek_time(evset *set);
void evset_clear(evset *set);

#endif
