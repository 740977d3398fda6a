/*
 * Private to contracts/gen/: the random stream every generator draws from
 * (rng.c) and the regex-to-string generator (regex_gen.c).
 */
#ifndef ACCORD_CONTRACTS_GEN_INTERNAL_H
#define ACCORD_CONTRACTS_GEN_INTERNAL_H

#include "contracts/gen/gen.h"

#include <stdint.h>

/* A splitmix64 counter stream; draws advance the counter. */
struct rng {
	uint64_t seed;
	uint64_t counter;
};

uint64_t rng_next(struct rng *r);
/*
 * Uniform in [0, n); n == 0 stands for 2^64. Draws below 2^64 mod n are
 * rejected so that every residue is equally likely.
 */
uint64_t rng_below(struct rng *r, uint64_t n);

#define RX_MAX_OUT 8192 /* longer outputs fall back to the example */

/*
 * Writes a string matching `pattern` into out (limit RX_MAX_OUT). Returns
 * -1 when the pattern uses syntax outside the supported subset or the
 * output would be too long: the caller keeps the example.
 */
int regex_generate(const char *pattern, struct rng *r, struct buf *out);

#endif
