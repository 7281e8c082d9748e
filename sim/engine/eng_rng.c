/*
 * eng_rng.c — xoshiro256** as a GSL generator type, and seed derivation.
 *
 * xoshiro256** (Blackman and Vigna, 2018) passes BigCrush, has period
 * 2^256 - 1 and costs a few instructions per draw, which matters because a
 * replication draws millions of variates.
 */
#include "engine/eng_rng.h"

#include <limits.h>

_Static_assert(sizeof(unsigned long) == 8, "rng needs 64-bit unsigned long to take a 64-bit seed through gsl_rng_set");

typedef rng_xoshiro_state xoshiro_state;

static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t xoshiro_next(xoshiro_state *st)
{
    return rng_xoshiro_step(st->s);
}

static void xoshiro_set(void *vstate, unsigned long seed)
{
    xoshiro_state *st = vstate;
    uint64_t x = (uint64_t)seed;
    for (int i = 0; i < 4; i++)
        st->s[i] = splitmix64_next(&x);
}

static unsigned long xoshiro_get(void *vstate)
{
    /* The upper bits are the strongest; GSL's integer helpers expect a
     * range that fits in 32 bits on every platform. */
    return (unsigned long)(xoshiro_next(vstate) >> 32);
}

static double xoshiro_get_double(void *vstate)
{
    return (double)(xoshiro_next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {
    "xoshiro256**", 0xffffffffUL, 0, sizeof(xoshiro_state),
    xoshiro_set, xoshiro_get, xoshiro_get_double,
};

const gsl_rng_type *rng_xoshiro256ss = &xoshiro_type;

uint64_t rng_derive(uint64_t seed, uint64_t index)
{
    uint64_t x = seed ^ (index * 0xd1b54a32d192ed03ULL);
    uint64_t a = splitmix64_next(&x);
    return a ^ splitmix64_next(&x);
}

gsl_rng *rng_alloc(uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(rng_xoshiro256ss);
    if (r)
        gsl_rng_set(r, (unsigned long)seed);
    return r;
}

void rng_free(gsl_rng *r)
{
    gsl_rng_free(r);
}
