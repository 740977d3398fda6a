/*
 * contracts/gen: the v3/v4 generators, which replace a contract's example
 * values with fresh ones (random, dates, provider-state values, the mock
 * server's URL), and the bytes a body is sent as.
 */
#ifndef ACCORD_CONTRACTS_GEN_GEN_H
#define ACCORD_CONTRACTS_GEN_GEN_H

#include <stdint.h>

#include "contracts/model/model.h"

/*
 * Generators (generate.c): v3/v4 generators applied to copies of a
 * contract's example values. The stub applies them to responses in
 * consumer mode, the verifier to requests in provider mode.
 */
enum gen_mode {
	GEN_CONSUMER, /* stub, mock: MockServerURL rewritten to base_url */
	GEN_PROVIDER, /* verifier: MockServerURL keeps its example */
};

struct gen_opts {
	/* ProviderState values: the params of the chosen states (provider
	 * mode: merged with the JSON the state-setup calls returned) */
	const cJSON *state_params;
	uint64_t seed;	      /* Random* draws; vary it per request */
	const char *base_url; /* for MockServerURL, or NULL */
	enum gen_mode mode;
};

/*
 * The object of category `name` ("body", "header" (also found as
 * "headers"), "query", "path", "status", "metadata", ...) in a
 * `generators` object, or NULL.
 */
const cJSON *gen_category(const cJSON *gens, const char *name);

/*
 * A copy of body b with the generators of category `cat` (path-keyed)
 * applied, in *out (caller frees with cJSON_Delete); *out stays NULL when
 * there is nothing to generate into (no category, no body, base64 bodies).
 * *parsed: the copy was parsed from a v4 body encoded as a "JSON" string.
 * Returns 0, or -1 with err set when a generator cannot run (unknown type,
 * bad parameters).
 */
int gen_body(const cJSON *cat, const struct body *b, const struct gen_opts *o,
	     cJSON **out, int *parsed, struct err *e);
/* Applies a path-keyed category to the tree *tree in place (the root may
 * be replaced). Returns 0, or -1 with err set. */
int gen_tree(const cJSON *cat, cJSON **tree, const struct gen_opts *o,
	     struct err *e);

/*
 * A named value (a header or query value) that generators may replace.
 * `generated` is NULL or a string the call allocated (then `value` points
 * at it); the caller frees `generated` with free().
 */
struct gen_field {
	const char *name;
	const char *value;
	char *generated;
};

/*
 * Applies a name-keyed category ("header": names compared ignoring case,
 * "query": exactly) to each of the n fields. Returns 0, or -1 with err set.
 */
int gen_fields(const cJSON *cat, const char *category, struct gen_field *f,
	       size_t n, const struct gen_opts *o, struct err *e);
/*
 * Applies the "path" category (one generator) to `path`: *out is a new
 * string (caller frees) or NULL to keep the example. 0, or -1 with err set.
 */
int gen_path(const cJSON *cat, const char *path, char **out,
	     const struct gen_opts *o, struct err *e);
/* Applies the "status" category to *status. 0, or -1 with err set. */
int gen_status(const cJSON *cat, int *status, const struct gen_opts *o,
	       struct err *e);

/* The bytes a body is sent as (see body_encode). */
struct body_out {
	const char *p;
	size_t len;
	const char *ct; /* Content-Type derived from the body, NULL for none */
};

/*
 * The bytes of body b whose content is `json` (b->json, or a copy from
 * gen_body with its `parsed` flag): v4 base64 bodies decoded, "JSON"
 * strings as written, strings as text unless the Content-Type (hdr_ct,
 * the interaction's header, or the body's own) is JSON, the rest as
 * compact JSON. Bytes that need building go into tmp, and o points at
 * them or into the model. Returns 0, or -1 with err set (bad base64).
 */
int body_encode(const struct body *b, const cJSON *json, int parsed,
		const char *hdr_ct, struct buf *tmp, struct body_out *o,
		struct err *e);

#endif
