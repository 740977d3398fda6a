/*
 * Private to contracts/: the compiled form of a contract regex, which the
 * reader makes, the model frees and the matching engine runs.
 */
#ifndef ACCORD_CONTRACTS_MODEL_INTERNAL_H
#define ACCORD_CONTRACTS_MODEL_INTERNAL_H

#include "contracts/model/model.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* A compiled contract regex, shared by every matcher with its pattern. */
struct regex {
	pcre2_code *code;	   /* JIT-compiled where the platform allows */
	pcre2_match_context *mctx; /* match and depth limits; read-only */
	unsigned refs;
};

void regex_unref(struct regex *re);

#endif
