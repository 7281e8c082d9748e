/*
 * test_fifo.c — the model's FIFO (sim/model/model_ctx.h) with borrowed
 * first storage, as every worker queue starts (its inline ring,
 * staff_setup): entries come out in the order they went in while the
 * FIFO wraps around the ring, outgrows it and grows again; the borrowed
 * ring is never freed (under ASan a free of it fails the test) and keeps
 * what was in it when the FIFO moved out.
 */
#include "test_support.h"

#include "model/model_ctx.h"

/* Pushes `in` and pops `out` at a time until `total` went in, then
 * drains: with in == out the FIFO's head wraps around a ring of any size
 * without filling it, with in > out it grows by in - out a round. */
static void run_fifo(fifo *q, uint64_t total, int in, int out)
{
    uint64_t next_in = 0, next_out = 0;
    while (next_in < total) {
        for (int k = 0; k < in && next_in < total; k++)
            assert_int_equal(fifo_push(q, 1000 + next_in++), 0);
        for (int k = 0; k < out && q->count > 0; k++)
            assert_int_equal(fifo_pop(q), 1000 + next_out++);
    }
    while (q->count > 0)
        assert_int_equal(fifo_pop(q), 1000 + next_out++);
    assert_int_equal(next_out, total);
}

static void test_borrowed_ring_outgrown(void **state)
{
    (void)state;
    worker *w = aligned_alloc(64, sizeof *w);
    assert_non_null(w);
    memset(w, 0, sizeof *w);
    w->queue = (fifo){w->ring, 0, 0, WORKER_RING, 1};
    /* within the ring: the head wraps, nothing is allocated */
    run_fifo(&w->queue, 5 * WORKER_RING, 3, 3);
    assert_ptr_equal(w->queue.items, w->ring);
    assert_int_equal(w->queue.borrowed, 1);
    /* past it: the FIFO moves to its own storage, in order */
    run_fifo(&w->queue, 40 * WORKER_RING, 3, 2);
    assert_ptr_not_equal(w->queue.items, w->ring);
    assert_int_equal(w->queue.borrowed, 0);
    assert_true(w->queue.capacity > WORKER_RING);
    fifo_free(&w->queue);
    free(w);
}

static void test_borrowed_never_freed(void **state)
{
    (void)state;
    uint64_t on_stack[WORKER_RING];
    fifo q = {on_stack, 0, 0, WORKER_RING, 1};
    assert_int_equal(fifo_push(&q, 7), 0);
    fifo_free(&q); /* a free of on_stack would abort under ASan */
    for (uint64_t i = 0; i < WORKER_RING; i++)
        assert_int_equal(fifo_push(&q, i), 0);
    /* the ninth entry outgrows the ring: entries copied out, ring left */
    assert_int_equal(fifo_push(&q, 99), 0);
    assert_int_equal(q.borrowed, 0);
    assert_int_equal(on_stack[0], 7);
    assert_int_equal(fifo_pop(&q), 7);
    for (uint64_t i = 0; i < WORKER_RING; i++)
        assert_int_equal(fifo_pop(&q), i);
    assert_int_equal(fifo_pop(&q), 99);
    fifo_free(&q);
}

static void test_own_storage(void **state)
{
    (void)state;
    fifo q = {0};
    run_fifo(&q, 1000, 3, 2);
    assert_int_equal(q.borrowed, 0);
    fifo_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_borrowed_ring_outgrown),
        cmocka_unit_test(test_borrowed_never_freed),
        cmocka_unit_test(test_own_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
