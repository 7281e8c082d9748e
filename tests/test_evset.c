/*
 * test_evset.c — the engine's future event set (eng_evset) and simulation
 * context (eng_sim).
 *
 * Owns: ordering by (time, insertion) against a plain reference list over
 * thousands of random push / pop / cancel operations with a fixed seed and
 * many equal times; cancellation of live, popped, cancelled and stale
 * handles (a stale handle never removes a later event that reuses its
 * slot); evset_clear; peek; and eng_sim's clock, event count and
 * scheduling relative to the clock. Also the paths of the ladder behind
 * the set (eng_evset.c) that small random tests rarely reach: tombstones
 * swept after mass cancellation, buckets split down to single times,
 * far outliers, and the hand-over between the plain heap and the ladder.
 */
#include "test_support.h"

#include "engine/eng_evset.h"
#include "engine/eng_rng.h"
#include "engine/eng_sim.h"

/* ---- reference: an unsorted array scanned for the minimum -------------- */

typedef struct ref_event {
    double time;
    uint64_t seq;
    uint32_t kind, subject;
    evset_handle handle;
} ref_event;

typedef struct ref_set {
    ref_event *items;
    size_t n, cap;
} ref_set;

static void ref_push(ref_set *r, ref_event e)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->items = realloc(r->items, r->cap * sizeof *r->items);
        assert_non_null(r->items);
    }
    r->items[r->n++] = e;
}

static size_t ref_min(const ref_set *r)
{
    size_t best = 0;
    for (size_t i = 1; i < r->n; i++) {
        const ref_event *a = &r->items[i], *b = &r->items[best];
        if (a->time < b->time || (a->time == b->time && a->seq < b->seq))
            best = i;
    }
    return best;
}

static void ref_remove(ref_set *r, size_t i)
{
    r->items[i] = r->items[--r->n];
}

static long ref_find(const ref_set *r, evset_handle h)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].handle == h)
            return (long)i;
    return -1;
}

static void check_pop_matches(evset *set, ref_set *ref)
{
    evset_event ev;
    size_t i = ref_min(ref);
    assert_int_equal(evset_pop(set, &ev), 1);
    TS_ASSERT_SAME_DOUBLE(ev.time, ref->items[i].time);
    assert_int_equal(ev.kind, ref->items[i].kind);
    assert_int_equal(ev.subject, ref->items[i].subject);
    assert_true(ev.handle == ref->items[i].handle);
    ref_remove(ref, i);
}

/* ---- tests ------------------------------------------------------------- */

static void test_empty_set(void **state)
{
    (void)state;
    evset *set = evset_alloc(0);
    assert_non_null(set);
    evset_event ev;
    assert_int_equal(evset_size(set), 0);
    assert_int_equal(evset_pop(set, &ev), 0);
    assert_true(isinf(evset_peek_time(set)) && evset_peek_time(set) > 0);
    assert_int_equal(evset_cancel(set, EVSET_NO_HANDLE), 0);
    assert_int_equal(evset_cancel(set, 12345), 0);
    assert_int_equal(evset_cancel(set, ~(evset_handle)0), 0);
    evset_clear(set);
    assert_int_equal(evset_size(set), 0);
    evset_free(set);
    evset_free(NULL);
}

static void test_equal_times_fifo(void **state)
{
    (void)state;
    evset *set = evset_alloc(4); /* small, so the heap and slots grow */
    const int n = 1000;
    for (int i = 0; i < n; i++) {
        /* three distinct times, interleaved, each shared by a third */
        double t = (double)(i % 3);
        assert_true(evset_push(set, t, (uint32_t)(i % 3), (uint32_t)i) != EVSET_NO_HANDLE);
    }
    evset_event ev;
    int last_subject[3] = {-1, -1, -1};
    double last_time = -1;
    for (int i = 0; i < n; i++) {
        assert_int_equal(evset_pop(set, &ev), 1);
        assert_true(ev.time >= last_time);
        last_time = ev.time;
        int k = (int)ev.kind;
        assert_int_equal((int)ev.time, k);
        /* insertion order within a time */
        assert_true((int)ev.subject > last_subject[k]);
        last_subject[k] = (int)ev.subject;
    }
    assert_int_equal(evset_pop(set, &ev), 0);
    evset_free(set);
}

static void test_random_against_reference(void **state)
{
    (void)state;
    gsl_rng *rng = rng_alloc(20240601);
    evset *set = evset_alloc(8);
    ref_set ref = {0};
    evset_handle *dead = calloc(100000, sizeof *dead); /* popped or cancelled */
    size_t n_dead = 0;
    uint64_t seq = 0;
    long pushes = 0, pops = 0, cancels_live = 0, cancels_dead = 0;
    double clock = 0;

    for (int op = 0; op < 60000; op++) {
        double u = gsl_rng_uniform(rng);
        /* Phases: mostly growing, then mostly shrinking, so sizes from 0
         * to a few thousand are all visited. */
        double p_push = (op / 10000) % 2 == 0 ? 0.55 : 0.40;
        if (u < p_push || ref.n == 0) {
            /* Few distinct times (integers, never before the last pop) so
             * ties are frequent, as they are with month ends. */
            double t = clock + (double)gsl_rng_uniform_int(rng, 20);
            uint32_t kind = (uint32_t)gsl_rng_uniform_int(rng, 4);
            uint32_t subject = (uint32_t)op;
            evset_handle h = evset_push(set, t, kind, subject);
            assert_true(h != EVSET_NO_HANDLE);
            assert_int_equal(ref_find(&ref, h), -1); /* handles of pending events are distinct */
            ref_push(&ref, (ref_event){t, seq++, kind, subject, h});
            pushes++;
        } else if (u < p_push + 0.30) {
            size_t i = ref_min(&ref);
            clock = ref.items[i].time;
            evset_handle h = ref.items[i].handle;
            check_pop_matches(set, &ref);
            dead[n_dead++] = h;
            pops++;
        } else if (u < p_push + 0.45 && ref.n > 0) {
            size_t i = gsl_rng_uniform_int(rng, ref.n);
            evset_handle h = ref.items[i].handle;
            assert_int_equal(evset_cancel(set, h), 1);
            ref_remove(&ref, i);
            dead[n_dead++] = h;
            /* a second cancel of the same handle is refused */
            assert_int_equal(evset_cancel(set, h), 0);
            cancels_live++;
        } else if (n_dead > 0) {
            /* a handle that was popped or cancelled, whose slot may well
             * hold a later event by now: must not remove anything */
            evset_handle h = dead[gsl_rng_uniform_int(rng, n_dead)];
            size_t before = evset_size(set);
            assert_int_equal(evset_cancel(set, h), 0);
            assert_int_equal(evset_size(set), before);
            cancels_dead++;
        }
        assert_int_equal(evset_size(set), ref.n);
        if (ref.n)
            TS_ASSERT_SAME_DOUBLE(evset_peek_time(set), ref.items[ref_min(&ref)].time);
        else
            assert_true(isinf(evset_peek_time(set)));
    }
    /* drain */
    while (ref.n > 0)
        check_pop_matches(set, &ref);
    evset_event ev;
    assert_int_equal(evset_pop(set, &ev), 0);
    print_message("  %ld pushes, %ld pops, %ld cancels of pending, %ld of stale handles\n", pushes, pops,
                  cancels_live, cancels_dead);
    assert_true(pops > 10000 && cancels_live > 3000 && cancels_dead > 3000);

    free(dead);
    free(ref.items);
    evset_free(set);
    rng_free(rng);
}

/* A popped event's handle, when its slot has been reused by a later event,
 * must neither cancel nor disturb that event. */
static void test_stale_handle_reused_slot(void **state)
{
    (void)state;
    evset *set = evset_alloc(16);
    evset_handle h1 = evset_push(set, 1.0, 1, 100);
    evset_event ev;
    assert_int_equal(evset_pop(set, &ev), 1);
    assert_true(ev.handle == h1);
    /* push until the freed slot is reused (low 32 bits name the slot) */
    evset_handle reuse = EVSET_NO_HANDLE;
    for (int i = 0; i < 64 && reuse == EVSET_NO_HANDLE; i++) {
        evset_handle h = evset_push(set, 2.0 + i, 2, (uint32_t)i);
        if ((h & 0xffffffffu) == (h1 & 0xffffffffu))
            reuse = h;
    }
    assert_true(reuse != EVSET_NO_HANDLE);
    assert_true(reuse != h1);
    size_t n = evset_size(set);
    assert_int_equal(evset_cancel(set, h1), 0);
    assert_int_equal(evset_size(set), n);
    /* the later event is still there and cancellable through its own handle */
    assert_int_equal(evset_cancel(set, reuse), 1);
    assert_int_equal(evset_size(set), n - 1);
    assert_int_equal(evset_cancel(set, reuse), 0);

    /* the same after a cancellation */
    evset_handle h2 = evset_push(set, 0.5, 3, 7);
    assert_int_equal(evset_cancel(set, h2), 1);
    evset_handle h3 = evset_push(set, 0.25, 3, 8);
    assert_int_equal(evset_cancel(set, h2), 0);
    assert_int_equal(evset_pop(set, &ev), 1);
    assert_int_equal(ev.subject, 8);
    assert_true(ev.handle == h3);
    evset_free(set);
}

static void test_cancel_keeps_order(void **state)
{
    (void)state;
    /* cancelling from the middle, the top and the bottom of the heap */
    evset *set = evset_alloc(16);
    evset_handle h[10];
    for (int i = 0; i < 10; i++)
        h[i] = evset_push(set, (double)(10 - i), 0, (uint32_t)(10 - i));
    assert_int_equal(evset_cancel(set, h[9]), 1); /* time 1: the top */
    assert_int_equal(evset_cancel(set, h[0]), 1); /* time 10 */
    assert_int_equal(evset_cancel(set, h[4]), 1); /* time 6 */
    TS_ASSERT_SAME_DOUBLE(evset_peek_time(set), 2.0);
    const int expect[] = {2, 3, 4, 5, 7, 8, 9};
    evset_event ev;
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        assert_int_equal(evset_pop(set, &ev), 1);
        assert_int_equal(ev.subject, expect[i]);
        TS_ASSERT_SAME_DOUBLE(ev.time, expect[i]);
    }
    assert_int_equal(evset_pop(set, &ev), 0);
    evset_free(set);
}

static void test_clear(void **state)
{
    (void)state;
    evset *set = evset_alloc(16);
    evset_handle old[100];
    for (int i = 0; i < 100; i++)
        old[i] = evset_push(set, (double)(i % 7), 0, (uint32_t)i);
    evset_clear(set);
    assert_int_equal(evset_size(set), 0);
    assert_true(isinf(evset_peek_time(set)));
    evset_event ev;
    assert_int_equal(evset_pop(set, &ev), 0);
    /* handles from before the clear are all stale, even once slots are reused */
    evset_handle fresh[100];
    for (int i = 0; i < 100; i++)
        fresh[i] = evset_push(set, 5.0, 1, (uint32_t)(1000 + i));
    for (int i = 0; i < 100; i++)
        assert_int_equal(evset_cancel(set, old[i]), 0);
    assert_int_equal(evset_size(set), 100);
    /* still FIFO at equal times after the clear */
    for (int i = 0; i < 100; i++) {
        assert_int_equal(evset_pop(set, &ev), 1);
        assert_int_equal(ev.subject, 1000 + i);
        assert_true(ev.handle == fresh[i]);
    }
    evset_clear(set);
    evset_clear(set);
    assert_int_equal(evset_size(set), 0);
    evset_free(set);
}

/* Pops n events (or all when n < 0) and checks each against the reference. */
static void pop_and_check(evset *set, ref_set *ref, long n)
{
    for (long i = 0; (n < 0 || i < n) && ref->n > 0; i++)
        check_pop_matches(set, ref);
    assert_int_equal(evset_size(set), ref->n);
}

static void push_ref(evset *set, ref_set *ref, uint64_t *seq, double t, uint32_t subject)
{
    evset_handle h = evset_push(set, t, subject % 5, subject);
    assert_true(h != EVSET_NO_HANDLE);
    ref_push(ref, (ref_event){t, (*seq)++, subject % 5, subject, h});
}

/* Far more cancellations than pending events: the tombstones are swept
 * (above 4 096 of them) and the order of the rest is untouched, with pops,
 * pushes and further cancellations interleaved. */
static void test_mass_cancellation(void **state)
{
    (void)state;
    gsl_rng *rng = rng_alloc(7001);
    evset *set = evset_alloc(16);
    ref_set ref = {0};
    uint64_t seq = 0;
    double now = 0;
    for (int round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < 30000; i++)
            push_ref(set, &ref, &seq, now + 50.0 * gsl_rng_uniform(rng), (uint32_t)round * 100000 + i);
        /* cancel about 80 %, chosen at random, a few pops in between */
        for (int k = 0; k < 24000; k++) {
            size_t i = gsl_rng_uniform_int(rng, ref.n);
            assert_int_equal(evset_cancel(set, ref.items[i].handle), 1);
            ref_remove(&ref, i);
            if (k % 1000 == 0) {
                now = ref.items[ref_min(&ref)].time;
                pop_and_check(set, &ref, 3);
            }
        }
        assert_int_equal(evset_size(set), ref.n);
        TS_ASSERT_SAME_DOUBLE(evset_peek_time(set), ref.items[ref_min(&ref)].time);
        now = ref.items[ref_min(&ref)].time;
        pop_and_check(set, &ref, 2000);
    }
    pop_and_check(set, &ref, -1);
    evset_event ev;
    assert_int_equal(evset_pop(set, &ev), 0);
    free(ref.items);
    evset_free(set);
    rng_free(rng);
}

/* Times that crowd buckets: thousands at one instant (a bucket that can
 * only be heaped), thousands within 1e-9 of each other (split through
 * every rung), far outliers at both ends of the doubles, and events at the
 * clock pushed while a crowd is being taken down. */
static void test_crowded_and_far_times(void **state)
{
    (void)state;
    gsl_rng *rng = rng_alloc(7002);
    evset *set = evset_alloc(16);
    ref_set ref = {0};
    uint64_t seq = 0;
    uint32_t subject = 0;
    for (int i = 0; i < 3000; i++)
        push_ref(set, &ref, &seq, 10.0, subject++);
    for (int i = 0; i < 3000; i++)
        push_ref(set, &ref, &seq, 20.0 + 1e-9 * gsl_rng_uniform(rng), subject++);
    const double far[] = {1e300, -1e300, INFINITY, -INFINITY, 5e-324, -0.0, 1e15};
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++)
        push_ref(set, &ref, &seq, far[i], subject++);
    for (int i = 0; i < 3000; i++)
        push_ref(set, &ref, &seq, 30.0 + 100.0 * gsl_rng_uniform(rng), subject++);
    for (int first = 1; ref.n > 0; first = 0) {
        double now = ref.items[ref_min(&ref)].time;
        pop_and_check(set, &ref, 1);
        /* a burst at the clock grows the heap of the earliest events */
        if (first)
            for (int i = 0; i < 300; i++)
                push_ref(set, &ref, &seq, now, subject++);
        /* now and then an event at the clock itself, or just after it */
        if (gsl_rng_uniform(rng) < 0.2 && isfinite(now))
            push_ref(set, &ref, &seq, gsl_rng_uniform(rng) < 0.5 ? now : now + 1e-6, subject++);
    }
    free(ref.items);
    evset_free(set);
    rng_free(rng);
}

/* A set that grows past the plain heap (256 events) and drains again,
 * several times: the hand-over to the ladder and back keeps the order. */
static void test_grow_and_drain(void **state)
{
    (void)state;
    gsl_rng *rng = rng_alloc(7003);
    evset *set = evset_alloc(16);
    ref_set ref = {0};
    uint64_t seq = 0;
    uint32_t subject = 0;
    double now = 0;
    const int sizes[] = {3, 255, 256, 257, 600, 5000, 270, 1};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        while ((int)ref.n < sizes[k])
            push_ref(set, &ref, &seq, now + gsl_rng_uniform_int(rng, 40), subject++);
        /* hold: pop one, push one, at sizes around the hand-over */
        for (int i = 0; i < 500; i++) {
            now = ref.items[ref_min(&ref)].time;
            pop_and_check(set, &ref, 1);
            push_ref(set, &ref, &seq, now + 10.0 * gsl_rng_uniform(rng), subject++);
        }
        pop_and_check(set, &ref, (long)ref.n / 2 + 1);
        if (ref.n)
            now = ref.items[ref_min(&ref)].time;
    }
    pop_and_check(set, &ref, -1);
    free(ref.items);
    evset_free(set);
    rng_free(rng);
}

/* ---- eng_sim ----------------------------------------------------------- */

static void test_sim_clock_and_count(void **state)
{
    (void)state;
    sim s;
    assert_int_equal(sim_init(&s, 4), 0);
    TS_ASSERT_SAME_DOUBLE(s.now, 0.0);
    assert_int_equal(s.events, 0);
    assert_int_equal(s.out_of_memory, 0);

    sim_schedule(&s, 2.5, 1, 10);
    sim_schedule_at(&s, 1.0, 2, 20);
    evset_handle gone = sim_schedule(&s, 3.0, 3, 30);
    assert_int_equal(sim_cancel(&s, gone), 1);
    assert_int_equal(sim_cancel(&s, gone), 0);

    evset_event ev;
    assert_int_equal(sim_next(&s, &ev), 1);
    TS_ASSERT_SAME_DOUBLE(s.now, 1.0);
    assert_int_equal(ev.subject, 20);
    assert_int_equal(s.events, 1);

    /* a delay counts from the current clock */
    sim_schedule(&s, 0.5, 4, 40);
    assert_int_equal(sim_next(&s, &ev), 1);
    TS_ASSERT_SAME_DOUBLE(s.now, 1.5);
    assert_int_equal(ev.subject, 40);
    /* zero delay: at the current time, after what is already due then */
    sim_schedule(&s, 0.0, 5, 50);
    sim_schedule(&s, 0.0, 6, 60);
    assert_int_equal(sim_next(&s, &ev), 1);
    assert_int_equal(ev.subject, 50);
    TS_ASSERT_SAME_DOUBLE(s.now, 1.5);
    assert_int_equal(sim_next(&s, &ev), 1);
    assert_int_equal(ev.subject, 60);
    assert_int_equal(sim_next(&s, &ev), 1);
    assert_int_equal(ev.subject, 10);
    TS_ASSERT_SAME_DOUBLE(s.now, 2.5);
    assert_int_equal(s.events, 5);

    /* nothing left: the clock stays, the count does not move */
    assert_int_equal(sim_next(&s, &ev), 0);
    TS_ASSERT_SAME_DOUBLE(s.now, 2.5);
    assert_int_equal(s.events, 5);
    assert_int_equal(s.out_of_memory, 0);
    sim_destroy(&s);
    assert_null(s.pending);
}

static void test_sim_many_events(void **state)
{
    (void)state;
    /* A self-rescheduling process: the clock never goes back and every
     * event taken is counted. */
    sim s;
    assert_int_equal(sim_init(&s, 1), 0);
    gsl_rng *rng = rng_alloc(99);
    for (uint32_t i = 0; i < 50; i++)
        sim_schedule(&s, gsl_rng_uniform(rng), 0, i);
    evset_event ev;
    double last = 0;
    uint64_t taken = 0;
    while (sim_next(&s, &ev)) {
        taken++;
        assert_true(s.now >= last);
        TS_ASSERT_SAME_DOUBLE(s.now, ev.time);
        last = s.now;
        if (taken < 20000)
            sim_schedule(&s, gsl_rng_uniform(rng), 0, ev.subject);
    }
    assert_int_equal(s.events, taken);
    assert_int_equal(taken, 20000 + 49);
    rng_free(rng);
    sim_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_equal_times_fifo),
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_stale_handle_reused_slot),
        cmocka_unit_test(test_cancel_keeps_order),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_mass_cancellation),
        cmocka_unit_test(test_crowded_and_far_times),
        cmocka_unit_test(test_grow_and_drain),
        cmocka_unit_test(test_sim_clock_and_count),
        cmocka_unit_test(test_sim_many_events),
    };
    return cmocka_run_group_tests_name("evset", tests, NULL, NULL);
}
