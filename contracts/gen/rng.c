/*
 * rng.c: the random stream generators draw from: splitmix64 over (seed,
 * counter), so the same seed gives the same draws on every platform, and
 * a stream needs no state beyond the two numbers.
 */
#include "contracts/gen/internal.h"

uint64_t rng_next(struct rng *r)
{
	return hash_mix64(r->seed + ++r->counter * HASH_GOLDEN);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t skew, x;
	if (n == 0)
		return rng_next(r);
	skew = (UINT64_MAX - n + 1) % n;
	do {
		x = rng_next(r);
	} while (x < skew);
	return x % n;
}
