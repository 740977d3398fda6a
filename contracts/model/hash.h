/*
 * Private to contracts/: the one string hash of the layers above model/
 * (FNV-1a, 64 bits), for the reader's regex cache, the rule index's edge
 * table and the generators' random streams.
 */
#ifndef ACCORD_CONTRACTS_MODEL_HASH_H
#define ACCORD_CONTRACTS_MODEL_HASH_H

#include <stdint.h>

#define HASH_FNV_OFFSET UINT64_C(0xcbf29ce484222325)

/* Continues hash h over the bytes of s (NULL hashes like ""). */
static inline uint64_t hash_fnv1a(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

#endif
