/*
 * contracts/match: the matching engine. Compares actual requests, responses
 * and messages with expected ones and their rules, following the Pact
 * specification of the contract's version, and lists every mismatch.
 */
#ifndef ACCORD_CONTRACTS_MATCH_MATCH_H
#define ACCORD_CONTRACTS_MATCH_MATCH_H

#include "contracts/model/model.h"

/* Limits a hostile contract or a hostile actual value cannot pass. */
#define MATCH_MAX_DEPTH 256
/* Regex time one match may spend in all (a large body makes many calls). */
#define REGEX_TIME_BUDGET_NS 1000000000ull

/* Matching. */
struct mismatch {
	char *path; /* "$.body.items[2].price", "$.headers.Accept", "$.status" */
	char *expected;
	char *actual;
	char *message;
};

/*
 * At most MISMATCH_MAX are kept (a huge body that fails everywhere must
 * not grow the list without bound); `dropped` counts the rest.
 */
#define MISMATCH_MAX 1000

struct mismatches {
	struct mismatch *v;
	size_t n;
	size_t cap;
	size_t dropped;
	int limit_hit; /* a regex ran into its match, depth or time limit */
	unsigned long long regex_ns; /* time spent in regexes so far */
};

void mismatches_init(struct mismatches *m);
void mismatches_release(struct mismatches *m);
void mismatches_add(struct mismatches *m, const char *path,
		    const char *expected, const char *actual, const char *fmt,
		    ...) ATTR_PRINTF(5, 6);

/* Options that change matching semantics. */
struct match_opts {
	enum spec_version spec;
	int regex_search; /* unanchored regexes (pact-reference behaviour) */
	/* rule lookup through a trie of the rule paths: 0 once a body proves
	 * large, 1 always, -1 never (the two must agree: tests compare) */
	int rule_index;
};

/*
 * Matches `act` against `exp` (and exp's rules) and appends every mismatch
 * to `out`. Returns the number of mismatches found; past MISMATCH_MAX they
 * are counted in out->dropped instead of appended.
 */
size_t match_request(const struct http_request *exp,
		     const struct http_request *act, const struct match_opts *o,
		     struct mismatches *out);
/*
 * match_request() for a caller that has already found method and path
 * equal (an index keyed by the method and the literal path, when exp has
 * no rule on its path): only query, headers and body are compared.
 */
size_t match_request_indexed(const struct http_request *exp,
			     const struct http_request *act,
			     const struct match_opts *o,
			     struct mismatches *out);
size_t match_response(const struct http_response *exp,
		      const struct http_response *act,
		      const struct match_opts *o, struct mismatches *out);
size_t match_message(const struct message *exp, const struct message *act,
		     const struct match_opts *o, struct mismatches *out);

#endif
