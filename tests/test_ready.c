/*
 * test_ready.c — the ready pool (sim/model/model_ready.c): after every
 * change of a worker's load or eligibility, the least loaded eligible
 * worker, lowest index on ties, is what a scan of all workers finds.
 *
 * Both arrangements are driven by the same random walk: the levels with
 * whole-number loads (one word of workers and several; loads past the
 * levels first allocated, so they grow), the heap with real loads that tie
 * often. The model's own replay (test_model.c, test_least_loaded) checks
 * the choice through whole runs; this test reaches pool sizes and loads no
 * scenario there has.
 */
#include "test_support.h"

#include "model/model_ctx.h"
#include "model/model_ready.h"

static int scan_least(const model_ctx *m, const int *eligible)
{
    int best = -1;
    for (int w = 0; w < m->worker_count; w++)
        if (eligible[w] && (best < 0 || m->workers[w].load < m->workers[best].load))
            best = w;
    return best;
}

/* A walk of `steps` changes over `workers` workers; whole loads (levels)
 * or loads in steps of 0.25 (heap). Loads drift up to about `top`. */
static void walk(int workers, int integer_loads, int steps, int top, uint64_t seed)
{
    model_ctx *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->worker_count = workers;
    m->workers = calloc((size_t)workers, sizeof *m->workers);
    int *eligible = calloc((size_t)workers, sizeof *eligible);
    assert_non_null(m->workers);
    assert_non_null(eligible);
    assert_int_equal(ready_setup(m, integer_loads), 0);
    gsl_rng *r = rng_alloc(seed);
    assert_int_equal(ready_least(m), -1);
    double most = 0;
    for (int i = 0; i < steps; i++) {
        int w = (int)gsl_rng_uniform_int(r, (unsigned long)workers);
        double u = gsl_rng_uniform(r);
        worker *wk = &m->workers[w];
        double step = integer_loads ? 1.0 : 0.25 * (double)(1 + gsl_rng_uniform_int(r, 3));
        if (u < 0.1) {
            eligible[w] = !eligible[w];
        } else if (u < 0.1 + 0.45 * (2 - wk->load / top) || wk->load < step) {
            wk->load += step;
        } else {
            wk->load -= step;
        }
        most = wk->load > most ? wk->load : most;
        ready_set(m, w, eligible[w]);
        assert_false(m->engine.out_of_memory);
        int want = scan_least(m, eligible), got = ready_least(m);
        if (want != got)
            fail_msg("%s, %d workers, step %d: the pool chose %d (load %g), a scan %d (load %g)",
                     integer_loads ? "levels" : "heap", workers, i, got, got >= 0 ? m->workers[got].load : -1.0, want,
                     want >= 0 ? m->workers[want].load : -1.0);
    }
    print_message("  %s, %d workers: highest load %g\n", integer_loads ? "levels" : "heap", workers, most);
    assert_true(most >= top); /* the walk reached the loads it was meant to */
    /* everyone out: nobody is least loaded */
    for (int w = 0; w < workers; w++)
        ready_set(m, w, 0);
    assert_int_equal(ready_least(m), -1);
    gsl_rng_free(r);
    ready_free(m);
    free(eligible);
    free(m->workers);
    free(m);
}

static void test_levels(void **state)
{
    (void)state;
    walk(1, 1, 2000, 5, 1);
    walk(7, 1, 50000, 12, 2);
    walk(64, 1, 50000, 30, 3);
    walk(65, 1, 50000, 30, 4);
    walk(150, 1, 100000, 100, 5); /* three words a level; loads past the first 32 levels */
}

static void test_heap(void **state)
{
    (void)state;
    walk(1, 0, 2000, 5, 6);
    walk(7, 0, 50000, 3, 7);
    walk(150, 0, 100000, 10, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_heap),
    };
    return cmocka_run_group_tests_name("ready", tests, NULL, NULL);
}
