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

#include <stdint.h>
#include <gsl/gsl_rng.h>

extern const gsl_rng_type *rng_xoshiro256ss;

/* A 64-bit mixing function (splitmix64's finaliser) of two values. */
uint64_t rng_derive(uint64_t seed, uint64_t index);

/* A generator seeded with all 64 bits of seed; NULL when out of memory. */
gsl_rng *rng_alloc(uint64_t seed);
void rng_free(gsl_rng *r);

#endif
