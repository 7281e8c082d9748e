/*
 * eng_rng.h — random streams for the engine.
 *
 * Owns seed derivation and the generator behind every GSL distribution call.
 * GSL's own generators keep at most 32 bits of their seed (gsl_rng_mt19937
 * among them), so two replications' 64-bit seeds could collide onto one
 * stream. We register a GSL generator type, xoshiro256**, whose 256-bit state
 * is filled from the full 64-bit seed by splitmix64; all of GSL's
 * distributions then run on it unchanged.
 *
 * Seeds are derived, never drawn: rng_derive(master, index) mixes two 64-bit
 * values, so a replication's seed depends only on (master seed, replication
 * index) and a purpose's stream only on (replication seed, purpose id).
 */
#ifndef CASEFLOW_ENG_RNG_H
#define CASEFLOW_ENG_RNG_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

extern const gsl_rng_type *rng_xoshiro256ss;

/* A 64-bit mixing function (splitmix64's finaliser) of two values. */
uint64_t rng_derive(uint64_t seed, uint64_t index);

/* A generator seeded with all 64 bits of seed; NULL when out of memory. */
gsl_rng *rng_alloc(uint64_t seed);
void rng_free(gsl_rng *r);

/*
 * Inline draws for hot paths, on a generator from rng_alloc only (its state
 * is xoshiro256**). They advance the same state as GSL's calls and return
 * exactly what gsl_rng_uniform and gsl_ran_exponential return on it
 * (tests/test_rng.c checks this), so a hot path can switch without changing
 * any stream; they only skip GSL's call through a function pointer, which
 * cost about a third of an exponential draw (make bench).
 */
typedef struct rng_xoshiro_state {
    uint64_t s[4];
} rng_xoshiro_state;

/* One step of xoshiro256**: the only copy of the algorithm (the GSL type
 * in eng_rng.c calls it too). */
static inline uint64_t rng_xoshiro_step(uint64_t s[4])
{
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

static inline uint64_t rng_next_u64(gsl_rng *r)
{
    return rng_xoshiro_step(((rng_xoshiro_state *)r->state)->s);
}

/* gsl_rng_uniform: [0, 1) in steps of 2^-53. */
static inline double rng_uniform(gsl_rng *r)
{
    return (double)(rng_next_u64(r) >> 11) * 0x1.0p-53;
}

/* gsl_ran_exponential (GSL 2.x): -mu * log1p(-u), mean mu. */
static inline double rng_exponential(gsl_rng *r, double mu)
{
    return -mu * log1p(-rng_uniform(r));
}

/* gsl_ran_flat: a (1 - u) + b u. */
static inline double rng_flat(gsl_rng *r, double a, double b)
{
    double u = rng_uniform(r);
    return a * (1 - u) + b * u;
}

#endif
