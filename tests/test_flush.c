/*
 * test_flush.c — handing over the participants still present at the
 * horizon (participants_flush, sim/model/model_participants.c): every one
 * of them reaches the sink once, in referral (id) order, whichever slots
 * they hold. Ids close together are placed by their offset (linear); ids
 * spread over more than eight slots each go through the sort; both are
 * driven here, with slots shuffled so that slot order is never id order.
 */
#include "test_support.h"

#include "engine/eng_rng.h"
#include "model/model_ctx.h"
#include "model/model_participants.h"

typedef struct seen {
    uint64_t ids[4096];
    size_t n;
} seen;

static int collect_id(void *ctx, const model_participant *p)
{
    seen *s = ctx;
    if (s->n < sizeof s->ids / sizeof s->ids[0])
        s->ids[s->n] = p->id;
    s->n++;
    return 0;
}

/* `slots` slots, `present` of them held, with ids first_id + k * stride
 * (k = 0 .. present - 1) in shuffled slots; the rest free. */
static void flush_and_check(uint32_t slots, uint32_t present, uint64_t first_id, uint64_t stride, uint64_t seed)
{
    model_ctx *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->people = calloc(slots, sizeof *m->people);
    m->records = calloc(slots, sizeof *m->records);
    assert_non_null(m->people);
    assert_non_null(m->records);
    m->people_used = m->people_capacity = slots;
    m->free_head = NO_SLOT;
    uint32_t *perm = malloc(slots * sizeof *perm);
    assert_non_null(perm);
    for (uint32_t i = 0; i < slots; i++)
        perm[i] = i;
    gsl_rng *r = rng_alloc(seed);
    for (uint32_t i = slots; i > 1; i--) {
        uint32_t j = (uint32_t)(rng_uniform(r) * i); /* in [0, i) */
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    rng_free(r);
    for (uint32_t k = 0; k < present; k++) {
        uint32_t s = perm[k];
        m->people[s].state = P_WAITING;
        m->people[s].worker = -1;
        m->records[s].rec.id = first_id + k * stride;
    }
    m->present = present;
    seen got = {.n = 0};
    m->sink = collect_id;
    m->sink_ctx = &got;
    participants_flush(m);
    assert_int_equal(m->engine.out_of_memory, 0);
    assert_int_equal(got.n, present);
    assert_int_equal(m->present, 0);
    for (size_t i = 0; i < got.n; i++)
        assert_int_equal(got.ids[i], first_id + i * stride);
    for (uint32_t s = 0; s < slots; s++)
        assert_int_equal(m->people[s].state, P_FREE);
    free(perm);
    free(m->people);
    free(m->records);
    free(m);
}

static void test_close_ids_placed(void **state)
{
    (void)state;
    flush_and_check(3000, 2500, 7, 1, 11);     /* dense */
    flush_and_check(3000, 1000, 123456, 3, 12); /* every third id */
    flush_and_check(1, 1, 99, 1, 13);           /* one */
}

static void test_spread_ids_sorted(void **state)
{
    (void)state;
    flush_and_check(3000, 400, 5, 1000, 21);    /* far beyond eight ids a slot */
    flush_and_check(64, 2, 0, UINT64_C(1) << 40, 22);
}

static void test_nobody_present(void **state)
{
    (void)state;
    flush_and_check(100, 0, 0, 1, 31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_ids_placed),
        cmocka_unit_test(test_spread_ids_sorted),
        cmocka_unit_test(test_nobody_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
