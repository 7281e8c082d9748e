/*
 * check_evset.c — the event set against a reference, with its sequence
 * numbers forced to wrap.
 *
 * Built by `make bench-check` twice with sim/eng_evset.c compiled in: once
 * with EVSET_SEQ_LIMIT set to a small number, so the renumbering that
 * production runs meet once per 2^32 pushes happens every few dozen pushes,
 * and once as in production, adding a heap of 50 000 events (large enough
 * for the prefetching path). A
 * random mix of pushes (many at equal times), pops, cancels (live, popped
 * and stale handles) and clears must give exactly the reference's order:
 * by time, then by order of pushing; after every step the set's own tally
 * of its nodes (ev_check) must agree with them. Exits non-zero on the
 * first mismatch.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/eng_evset.h"
#include "engine/eng_evset_internal.h"

#ifndef EVSET_SEQ_LIMIT
#define EVSET_SEQ_LIMIT 4294967295u /* as in eng_evset.c */
#endif

typedef struct ref_event {
    double time;
    uint64_t order;
    uint32_t kind, subject;
    evset_handle handle;
} ref_event;

static ref_event *ref;
static size_t ref_n;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t ref_min(void)
{
    size_t best = 0;
    for (size_t i = 1; i < ref_n; i++)
        if (ref[i].time < ref[best].time || (ref[i].time == ref[best].time && ref[i].order < ref[best].order))
            best = i;
    return best;
}

static int fail(long step, const char *what)
{
    fprintf(stderr, "check_evset: step %ld: %s\n", step, what);
    return 1;
}

int main(void)
{
    const long steps = 200000;
    ref = malloc(100000 * sizeof *ref);
    evset *set = evset_alloc(1);
    evset_handle *old = malloc(steps * sizeof *old); /* every handle ever given */
    if (!ref || !set || !old)
        return fail(0, "out of memory");
    size_t n_old = 0;
    uint64_t order = 0;
    double now = 0;
    for (long step = 0; step < steps; step++) {
        uint64_t r = next_u64() % 100;
        /* Alternate growing and shrinking so sizes from 0 to several
         * hundred occur. */
        int grow = (step / 4000) % 2 == 0;
        if (r < (grow ? 55u : 40u) && ref_n < 100000) {
            double t = now + (double)(next_u64() % 8) * 0.25; /* many equal times */
            if (next_u64() % 50 == 0)
                t = now; /* at the clock itself */
            uint32_t kind = (uint32_t)(next_u64() % 7), subject = (uint32_t)step;
            evset_handle h = evset_push(set, t, kind, subject);
            if (h == EVSET_NO_HANDLE)
                return fail(step, "push failed");
            ref[ref_n++] = (ref_event){t, order++, kind, subject, h};
            old[n_old++] = h;
        } else if (r < 92) {
            evset_event ev;
            int got = evset_pop(set, &ev);
            if (got != (ref_n > 0))
                return fail(step, "pop disagrees on emptiness");
            if (!got)
                continue;
            size_t m = ref_min();
            if (ev.time != ref[m].time || ev.kind != ref[m].kind || ev.subject != ref[m].subject ||
                ev.handle != ref[m].handle)
                return fail(step, "pop gave the wrong event");
            now = ev.time;
            ref[m] = ref[--ref_n];
        } else if (r < 99) {
            if (n_old == 0)
                continue;
            evset_handle h = old[next_u64() % n_old];
            long at = -1;
            for (size_t i = 0; i < ref_n; i++)
                if (ref[i].handle == h)
                    at = (long)i;
            if (evset_cancel(set, h) != (at >= 0))
                return fail(step, "cancel disagrees on whether the handle is pending");
            if (at >= 0)
                ref[at] = ref[--ref_n];
        } else if (next_u64() % 20 == 0) {
            evset_clear(set);
            ref_n = 0;
        }
        if (evset_size(set) != ref_n)
            return fail(step, "size differs");
        if (ev_check(set) != 0)
            return fail(step, "the set's own tally of its nodes (count, top's key sum) disagrees with them");
        double peek = evset_peek_time(set);
        if (ref_n ? peek != ref[ref_min()].time : !isinf(peek))
            return fail(step, "peek differs");
    }
    /* Drain: everything left comes out in order. */
    evset_event ev;
    while (evset_pop(set, &ev)) {
        size_t m = ref_min();
        if (ev.time != ref[m].time || ev.subject != ref[m].subject)
            return fail(steps, "drain gave the wrong event");
        ref[m] = ref[--ref_n];
    }
    if (ref_n != 0)
        return fail(steps, "events lost");
#if EVSET_SEQ_LIMIT >= 1000000
    /* A heap large enough to prefetch (sizes above 4096): random times with
     * ties, some cancelled, then drained in (time, push order). Only with a
     * large sequence limit: past it, every push would renumber. */
    enum { BIG = 50000 };
    evset_handle *hs = malloc(BIG * sizeof *hs);
    double *times = malloc(BIG * sizeof *times);
    if (!hs || !times)
        return fail(steps, "out of memory");
    for (uint32_t i = 0; i < BIG; i++) {
        times[i] = (double)(next_u64() % 5000);
        hs[i] = evset_push(set, times[i], 0, i);
    }
    for (uint32_t i = 0; i < BIG; i += 7)
        if (evset_cancel(set, hs[i]) != 1)
            return fail(steps, "cancel in a large heap failed");
    double last_t = -1;
    uint32_t last_i = 0, popped = 0;
    while (evset_pop(set, &ev)) {
        if (ev.subject % 7 == 0 || ev.time != times[ev.subject] || ev.time < last_t ||
            (ev.time == last_t && ev.subject <= last_i))
            return fail(steps, "large heap out of order");
        last_t = ev.time;
        last_i = ev.subject;
        popped++;
    }
    if (popped != BIG - (BIG + 6) / 7)
        return fail(steps, "large heap lost events");
    free(hs);
    free(times);
#endif
    /* Tombstones in top swept: a ladder over near events, far events
     * pushed into top, then most of both cancelled, which sweeps (in the
     * build with a low sweep threshold); the tally must hold throughout. */
    {
        enum { NEAR = 300, FAR = 200 };
        evset_handle near[NEAR], far[FAR];
        for (uint32_t i = 0; i < NEAR; i++)
            near[i] = evset_push(set, (double)(next_u64() % 1000), 1, i);
        if (!evset_pop(set, &ev)) /* spreads top over a rung */
            return fail(steps, "pop before the sweep failed");
        for (uint32_t i = 0; i < FAR; i++)
            far[i] = evset_push(set, 1e6 + (double)i, 2, i);
        for (uint32_t i = 0; i < FAR; i++) {
            evset_cancel(set, far[i]);
            if (ev_check(set) != 0)
                return fail(steps, "tally wrong while cancelling in top");
        }
        for (uint32_t i = 0; i < NEAR; i++) {
            evset_cancel(set, near[i]);
            if (ev_check(set) != 0)
                return fail(steps, "tally wrong while cancelling in the rungs");
        }
        if (evset_pop(set, &ev))
            return fail(steps, "an event survived its cancellation");
    }
    /* Negative, signed-zero and large times keep their order. */
    double odd[] = {5.0, -0.0, 0.0, -3.5, 1e300, -1e300, INFINITY, 2.0, 0.0};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        evset_push(set, odd[i], 0, (uint32_t)i);
    uint32_t expect[] = {5, 3, 1, 2, 8, 7, 0, 4, 6};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        if (!evset_pop(set, &ev) || ev.subject != expect[i] || ev.time != odd[expect[i]])
            return fail(steps, "odd times out of order");
    evset_free(set);
    free(ref);
    free(old);
    printf("check_evset: %ld random operations match the reference (sequence limit %lu)\n", steps,
           (unsigned long)EVSET_SEQ_LIMIT);
    return 0;
}
