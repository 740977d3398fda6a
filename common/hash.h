/*
 * common/hash.h: the one home of accord's hashing and seeded randomness
 * (not cryptographic): FNV-1a over bytes, splitmix64's mixer and step,
 * and a xorshift64 step. Included through common/common.h.
 *
 * Their values are observable: a seeded fault decision, the garbage bytes
 * of a seed, a generator's output for a seed and the recorder's reservoir
 * depend on them, and fixtures pin those. Change none of them: a new need
 * gets a new function.
 */
#ifndef ACCORD_COMMON_HASH_H
#define ACCORD_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64 bits: the offset basis to start from, and the prime. */
#define HASH_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define HASH_FNV_PRIME UINT64_C(0x100000001b3)
/* 2^64 divided by the golden ratio: splitmix64's increment, and a Weyl
 * step that spreads consecutive numbers over 64 bits. */
#define HASH_GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* Continues FNV-1a hash h over one byte. */
static inline uint64_t hash_fnv1a_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * HASH_FNV_PRIME;
}

/* Continues FNV-1a hash h over n bytes at p. */
static inline uint64_t hash_fnv1a_mem(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;
	for (i = 0; i < n; i++)
		h = hash_fnv1a_byte(h, s[i]);
	return h;
}

/* Continues FNV-1a hash h over the bytes of s (NULL hashes like ""). */
static inline uint64_t hash_fnv1a(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = hash_fnv1a_byte(h, (unsigned char)*s);
	return h;
}

/*
 * Folds a 64-bit word v into h: one FNV step on the whole word, then the
 * high bits xored down, so that words which differ only high up still
 * land apart (the recorder's hash of JSON values).
 */
static inline uint64_t hash_fold(uint64_t h, uint64_t v)
{
	h = (h ^ v) * HASH_FNV_PRIME;
	return h ^ (h >> 31);
}

/* splitmix64's output function: every input bit moves every output bit. */
static inline uint64_t hash_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* One splitmix64 step from state z: the draw for z + HASH_GOLDEN. */
static inline uint64_t hash_splitmix64(uint64_t z)
{
	return hash_mix64(z + HASH_GOLDEN);
}

/* The xorshift64 (13, 7, 17) state after x, which must not be 0. */
static inline uint64_t hash_xorshift64(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

#endif
