/*
 * contracts: the contract model (Pact v1 to v4 and accord's YAML authoring
 * format), its readers and writers, and the matching engine. No I/O: readers
 * parse from (name, buf, len), writers append to a struct buf.
 *
 * Values that are JSON by nature (bodies, provider-state params, metadata,
 * generators, and every field accord does not interpret) are held as cJSON
 * trees owned by the model, so that a contract read and written back loses
 * nothing. Everything the matching engine interprets (versions, rules,
 * matchers, regexes, headers, query) is converted into our own structures
 * at load time, with regexes compiled once.
 */
#ifndef ACCORD_CONTRACTS_H
#define ACCORD_CONTRACTS_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "common/common.h"

/* Limits a hostile contract cannot pass. */
#define CONTRACT_MAX_FILE (256u << 20)
#define CONTRACT_MAX_DEPTH 128
#define MATCH_MAX_DEPTH 256
#ifdef ACCORD_FUZZ
/* smaller limits keep fuzzing fast; the limit paths are the same */
#define REGEX_MATCH_LIMIT 20000u
#else
#define REGEX_MATCH_LIMIT 1000000u
#endif
#define REGEX_DEPTH_LIMIT 5000u
/* Regex time one match may spend in all (a large body makes many calls). */
#define REGEX_TIME_BUDGET_NS 1000000000ull

enum spec_version {
	SPEC_UNKNOWN = 0,
	SPEC_V1 = 10,
	SPEC_V1_1 = 11,
	SPEC_V2 = 20,
	SPEC_V3 = 30,
	SPEC_V4 = 40,
};

/* "1", "1.1", "2", "3", "4", "2.0.0", "4.0", ... ; SPEC_UNKNOWN otherwise. */
enum spec_version spec_parse(const char *s);
/* The string Pact writes in metadata: "1.0.0", "1.1.0", "2.0.0", "3.0.0", "4.0". */
const char *spec_name(enum spec_version v);

enum matcher_type {
	M_EQUALITY,
	M_REGEX,
	M_TYPE,
	M_INCLUDE,
	M_INTEGER,
	M_DECIMAL,
	M_NUMBER,
	M_BOOLEAN,
	M_NULL,
	M_DATE,
	M_TIME,
	M_DATETIME,
	M_CONTENT_TYPE,
	M_VALUES,
	M_ARRAY_CONTAINS,
	M_EACH_KEY,
	M_EACH_VALUE,
	M_NOT_EMPTY,
	M_SEMVER,
	M_STATUS_CODE,
};

const char *matcher_name(enum matcher_type t);

struct rule;
struct variant;
struct regex; /* a compiled regex, shared by matchers with one pattern */

/*
 * One matcher: what the engine uses, plus what it takes to write the
 * object back as it was (the key and alias its name was written with, the
 * key its format came under, and every key accord does not interpret).
 */
struct matcher {
	enum matcher_type type;
	const char *name_key; /* "match", "pact:matcher:type", NULL: inferred */
	const char *alias; /* the name as written: "timestamp", "real", ... */
	const char *format_key; /* "format", or "date", "timestamp", ... */
	int has_min, has_max;
	long min, max;
	char *regex;	  /* M_REGEX */
	struct regex *re; /* compiled once per pattern and load, shared */
	char *value;	  /* M_INCLUDE substring, M_CONTENT_TYPE type */
	char *format;	  /* M_DATE/M_TIME/M_DATETIME, NULL = ISO default */
	int *statuses;	  /* M_STATUS_CODE: explicit codes */
	size_t nstatuses;
	char *status_class;  /* M_STATUS_CODE: "success", "clientError", ... */
	struct matcher *sub; /* M_EACH_KEY/M_EACH_VALUE nested rules */
	size_t nsub;
	struct variant *variants; /* M_ARRAY_CONTAINS */
	size_t nvariants;
	cJSON *extra; /* e.g. eachKey's example "value" */
};

/* A parsed rule path: "$.a.b[*]['c d'][2]" */
enum seg_kind { SEG_ROOT, SEG_FIELD, SEG_INDEX, SEG_STAR };
struct seg {
	enum seg_kind kind;
	char *name; /* SEG_FIELD */
	long index; /* SEG_INDEX */
};
struct path {
	struct seg *segs;
	size_t n;
};

/* Parses a rule path; returns -1 and sets err on a malformed one. */
int path_parse(const char *s, struct path *p, struct err *e);
void path_release(struct path *p);

/*
 * One entry of a category: the matchers that apply at a path (body), to a
 * name (header, query, metadata) or to the whole value (path, status).
 */
struct rule {
	char *key;   /* as written: "$.items[*].id", "Accept", or NULL */
	char *v2key; /* v2 files: the original flat key, "$.headers.Accept" */
	struct path path; /* parsed `key` for path-keyed categories */
	int combine_or;
	int has_combine; /* "combine" was written */
	struct matcher *m;
	size_t n;
	cJSON *extra; /* unknown keys of the rule object */
};

struct rule_set {
	char *category; /* "body", "header", "query", "path", "status", ... */
	struct rule *rules;
	size_t n;
	cJSON *extra;
};

struct rules {
	struct rule_set *cats;
	size_t n;
	int present; /* "matchingRules" was written, even if empty */
};

/* The category named `name` ("header" also finds v2's "headers"), or NULL. */
const struct rule_set *rules_category(const struct rules *r, const char *name);
void rules_release(struct rules *r);

struct variant {
	long index;
	struct rules rules;
	cJSON *generators;
	cJSON *extra;
};

/* Bodies. */
struct body {
	int present; /* the key was in the file (absent: "don't care") */
	cJSON *json; /* the value as written (v1-v3) or the v4 `content` */
	int wrapped; /* v4 object form {content, contentType, encoded} */
	char *content_type; /* v4 contentType */
	cJSON *encoded;	    /* v4 `encoded`: false, "base64", "JSON", ... */
	char *hint;	    /* v4 contentTypeHint */
	cJSON *extra;	    /* unknown keys of the v4 body object */
	/*
	 * Raw bytes: set for actual bodies received off the wire. `json` may
	 * then hold their parse, done once by the receiver, which matching
	 * uses instead of parsing the bytes for every candidate.
	 */
	char *bytes;
	size_t len;
	int has_bytes;
};

/* A header: one name, one or more values (v4 lists; v1-v3 one string). */
struct header {
	char *name;
	char **values;
	size_t n;
	int list; /* written as a list (v4), not a string */
};

struct headers {
	struct header *v;
	size_t n;
	int present;
	int lists; /* written as lists (v4) */
};

/* Returns the first header named `name` (case-insensitively) or NULL. */
const struct header *headers_get(const struct headers *h, const char *name);
void headers_add(struct headers *h, const char *name, const char *value);
/* The same from (pointer, length) pairs, as a server has them. */
void headers_addn(struct headers *h, const char *name, size_t nlen,
		  const char *value, size_t vlen);
void headers_release(struct headers *h);

struct query_param {
	char *name;
	char **values;
	size_t n;
	int single; /* written as one string, not a list */
};

struct query {
	struct query_param *v;
	size_t n;
	int present;
	char *raw; /* the string form as written (v1/v2), else NULL */
};

/* %XX sequences decoded ('+' kept: that is a form convention); caller frees. */
char *percent_decode(const char *s, size_t len);

/* Parses "a=1&b=2&a=3" (percent-decoded, '+' kept) into q. */
void query_parse(struct query *q, const char *s, size_t len);
void query_release(struct query *q);

struct provider_state {
	char *name;
	cJSON *params; /* object, JSON null as written, or NULL if absent */
};

struct http_request {
	char *method;
	char *path;
	int has_path;
	struct query query;
	struct headers headers;
	struct body body;
	struct rules rules;
	cJSON *generators;
	cJSON *extra;
};

struct http_response {
	int status;
	int has_status;
	struct headers headers;
	struct body body;
	struct rules rules;
	cJSON *generators;
	cJSON *extra;
};

/* A message (v3 message, v4 async message, or one side of a sync one). */
struct message {
	struct body contents;
	cJSON *metadata; /* object or NULL */
	int metadata_v3; /* written as "metaData" */
	struct rules rules;
	cJSON *generators;
	cJSON *extra;
};

enum interaction_type {
	IX_HTTP,
	IX_MESSAGE,	 /* v3 message or v4 Asynchronous/Messages */
	IX_SYNC_MESSAGE, /* v4 Synchronous/Messages */
};

struct interaction {
	enum interaction_type type;
	char *description;
	char *key; /* v4 */
	struct provider_state *states;
	size_t nstates;
	int state_v2; /* written as a single "providerState" string */
	int pending, has_pending;
	cJSON *comments;
	cJSON *plugin_config;
	cJSON *markup;
	struct http_request request;   /* IX_HTTP */
	struct http_response response; /* IX_HTTP */
	struct message message;	       /* IX_MESSAGE; IX_SYNC_MESSAGE request */
	struct message *replies;       /* IX_SYNC_MESSAGE responses */
	size_t nreplies;
	cJSON *extra;
};

struct contract {
	char *source;
	enum spec_version spec;
	char *consumer;
	char *provider;
	cJSON *consumer_extra;
	cJSON *provider_extra;
	cJSON *metadata;   /* the metadata object as written, or NULL */
	int messages_form; /* v3: top-level "messages" */
	struct interaction *ix;
	size_t n;
	cJSON *extra;
};

struct contract *contract_new(void);
void contract_free(struct contract *c);

/*
 * Reads a Pact JSON document. `name` is used in error messages. Returns the
 * contract (caller frees with contract_free) or NULL with err set: syntax
 * errors carry line:col, shape errors a JSON pointer.
 */
struct contract *contract_read_json(const char *name, const char *buf,
				    size_t len, struct err *e);
/* The same from an already parsed document (not consumed). */
struct contract *contract_from_cjson(const char *name, const cJSON *doc,
				     struct err *e);

/*
 * Reads accord's YAML authoring format (or any YAML holding a Pact
 * document). Errors carry line:col from the YAML marks.
 */
struct contract *contract_read_yaml(const char *name, const char *buf,
				    size_t len, struct err *e);

/*
 * Reads YAML text as plain data (no matcher tags) and hands the document,
 * as JSON, to `use`. An error `use` records with a JSON pointer (see
 * err_setat) is moved to the line and column of the YAML node behind it.
 * Returns what `use` returned, or -1 with err set on a YAML error.
 */
int yaml_data_read(const char *name, const char *buf, size_t len,
		   int (*use)(void *ctx, const cJSON *doc, struct err *e),
		   void *ctx, struct err *e);

/* Picks the reader from the name's extension and the first byte. */
struct contract *contract_read(const char *name, const char *buf, size_t len,
			       struct err *e);

/*
 * Builds the Pact JSON document of `c` at version `to` (SPEC_UNKNOWN = the
 * contract's own). Converting to an older version that cannot express what
 * the contract uses fails with ERR_UNSUPPORTED. Caller frees with cJSON_Delete.
 */
cJSON *contract_to_cjson(const struct contract *c, enum spec_version to,
			 struct err *e);
/*
 * Writes deterministic JSON: sorted keys, two-space indent, no final
 * newline (the layout the official Pact libraries write).
 */
int contract_write_json(const struct contract *c, enum spec_version to,
			struct buf *out, struct err *e);
int contract_write_yaml(const struct contract *c, struct buf *out,
			struct err *e);
/* Deterministic serialisation of any cJSON tree (sorted keys, 2 spaces). */
void json_write_sorted(const cJSON *v, struct buf *out);

/*
 * Parses JSON text with accord's limits (size, depth; a leading UTF-8 BOM
 * is skipped). Syntax errors carry line:col. Caller frees with cJSON_Delete.
 */
cJSON *json_parse_text(const char *name, const char *buf, size_t len,
		       struct err *e);

/* Reading pieces, used by the `match` harness and the stub server. */
int request_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
		       struct http_request *r, struct err *e);
int response_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
			struct http_response *r, struct err *e);
int message_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
		       struct message *m, struct err *e);
void request_release(struct http_request *r);
void response_release(struct http_response *r);
void message_release(struct message *m);
void body_release(struct body *b);

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

enum part_kind { PART_REQUEST, PART_RESPONSE, PART_MESSAGE };

/*
 * Matches two parts laid out as in the Pact specification's test cases
 * (`expected` with its matchingRules, `actual` without) at version o->spec.
 * Returns the number of mismatches found (as match_request does), or -1
 * with err set when either part cannot be read.
 */
long match_parts(enum part_kind k, const cJSON *expected, const cJSON *actual,
		 const struct match_opts *o, struct mismatches *out,
		 struct err *e);

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

/*
 * Recording (merge.c). contract_merge() merges `add` into `old` (NULL: none)
 * the way the Pact libraries do when several tests write one file: an
 * interaction of add with the same description and provider states as
 * one of old replaces it, the others of old are kept, new ones are
 * appended; the metadata is add's. Both are written at version `to`
 * (SPEC_UNKNOWN: add's). Returns a new contract (caller frees), or NULL
 * with err set: the parties differ, or old cannot be written at `to`.
 */
struct contract *contract_merge(const struct contract *old,
				const struct contract *add,
				enum spec_version to, struct err *e);
/* Whether two Pact interaction objects have the same description and
 * provider states (names and params), the key merging replaces by. */
int interaction_same_key(const cJSON *a, const cJSON *b);
/*
 * Matchers inferred from an observed JSON body: integers, decimals,
 * booleans (a type match before v4), UUIDs and ISO timestamps (regexes),
 * ISO dates (date yyyy-MM-dd), arrays whose items share one shape (type
 * with min 1 at the array, the first item's rules under [*]); other
 * values stay literal. Returns the "body" category of v3/v4 matching
 * rules, keyed by path ("$.items[*].id"), or NULL when nothing was
 * inferred; the caller frees it with cJSON_Delete.
 */
cJSON *body_infer_rules(const cJSON *body, enum spec_version spec);
/*
 * The same for a request body, but only for the values that change from
 * one run of a test to the next: UUIDs, ISO dates and timestamps, at
 * their own paths (array items by index: "$.lines[0].id"). Other values
 * stay literal, so requests that differ in them stay apart. NULL when
 * nothing was inferred; the caller frees.
 */
cJSON *body_infer_volatile(const cJSON *body);
/* The matcher object ({"match": "regex", ...}) for a UUID, an ISO date or
 * timestamp string, or NULL for any other; the caller frees. */
cJSON *value_infer_matcher(const char *s);

/* Appends v as compact JSON, number literals kept as written. */
void json_write_compact(const cJSON *v, struct buf *out);
/* Appends s as a JSON string: quoted, with the escapes JSON requires. */
void json_write_string(const char *s, struct buf *out);

/*
 * Contract insight (graph.c, diff.c): the service graph drawn from many
 * contracts, and the classified differences between two versions of one.
 * Both work on the model, so every Pact version and YAML read alike.
 */

/* One interaction carried by a graph edge (strings owned by the graph). */
struct graph_ix {
	enum interaction_type type;
	char *description;
	char **states; /* provider state names, as written */
	size_t nstates;
	/* HTTP only (else NULL / empty): what a fault rule can match on */
	char *method;
	char *path;
	struct headers headers; /* the request's */
};

/*
 * consumer -> provider: every contract between the pair, merged. Counts
 * are indexed by enum interaction_type; states are sorted and unique.
 */
struct graph_edge {
	size_t from, to; /* node indexes: consumer, provider */
	size_t counts[3];
	char **states;
	size_t nstates;
	char **sources; /* the contracts' names, sorted */
	size_t nsources;
	struct graph_ix *ix; /* sorted by description, then states */
	size_t nix;
	int in_cycle; /* lies on a reported cycle */
	/* fault rules that can touch the edge's HTTP interactions, in the
	 * profile's order (graph --faults; see graph_edge_fault) */
	char **faults;
	size_t nfaults;
};

/* An elementary cycle: node indexes, starting at the smallest name. */
struct graph_cycle {
	size_t *v;
	size_t n;
};

/* At most this many cycles are listed (the rest are counted). */
#define GRAPH_MAX_CYCLES 1000

/*
 * A service graph. Services are named exactly as the contracts name them
 * (names that differ only by case are different services). After
 * graph_finish(), nodes are sorted by name (strcmp), edges by consumer
 * then provider, and cycles in lexicographic order of their names.
 */
struct graph {
	char **nodes;
	size_t nnodes;
	struct graph_edge *edges;
	size_t nedges;
	size_t ncontracts;
	struct graph_cycle *cycles;
	size_t ncycles;
	int cycles_truncated; /* more cycles exist than are listed */
	int faults_applied;   /* a fault profile was laid over it */
	/* building state: one pending edge per contract */
	struct graph_pending *pending;
	size_t npending, cappending;
};

void graph_init(struct graph *g);
/* Adds one contract's consumer -> provider edge; `c` is not kept. */
void graph_add_contract(struct graph *g, const struct contract *c);
/*
 * Merges the contracts of each pair into one edge, sorts everything and
 * finds the cycles. Call once, after the last graph_add_contract().
 */
void graph_finish(struct graph *g);
void graph_release(struct graph *g);
/*
 * Marks edge `edge` as touched by the fault rule called `rule` (once per
 * rule) and the graph as having had a fault profile laid over it: the
 * writers then show each edge's faults. After graph_finish().
 */
void graph_edge_fault(struct graph *g, size_t edge, const char *rule);
/* The index of the service named exactly `name`, or -1. */
long graph_node(const struct graph *g, const char *name);

/*
 * The blast radius of a service: every service that depends on it
 * directly (distance 1) or through others, each with the edges through
 * which it does (edges to services one step closer), ordered by distance,
 * then name.
 */
struct graph_dependent {
	size_t node;
	size_t distance;
	size_t *via; /* edge indexes, sorted */
	size_t nvia;
};

struct graph_impact {
	size_t service;
	struct graph_dependent *v;
	size_t n;
};

/*
 * Computes the blast radius of `service`; returns -1 with ERR_USAGE in err
 * when no contract names it. Release `out` with graph_impact_release().
 */
int graph_impact(const struct graph *g, const char *service,
		 struct graph_impact *out, struct err *e);
void graph_impact_release(struct graph_impact *imp);

enum graph_format { GRAPH_TEXT, GRAPH_DOT, GRAPH_MERMAID, GRAPH_JSON };

/* "text", "dot", "mermaid", "json"; returns -1 for anything else. */
int graph_format_parse(const char *s, enum graph_format *out);
/*
 * Appends the graph in format `f` to `out`. With `imp`, text and json
 * give the blast radius, dot and mermaid draw only the service and its
 * dependents. Returns -1 (ERR_LIMIT) when `out` reaches its limit.
 */
int graph_write(const struct graph *g, const struct graph_impact *imp,
		enum graph_format f, struct buf *out, struct err *e);

/*
 * diff: what changed between two versions of a contract, classified from
 * the provider's point of view. Interactions are paired by description
 * plus provider state names (the n-th of several with one identity pairs
 * with the n-th); docs/diff.md has the rules and their reasons.
 */
enum diff_class { DIFF_COMPATIBLE, DIFF_BREAKING };
enum diff_status { DIFF_ADDED, DIFF_REMOVED, DIFF_CHANGED };

struct diff_change {
	const char *kind; /* "status-changed", "field-added", ... (static) */
	enum diff_class cls;
	char *path;    /* "$.response.body.items[*].id" */
	char *message; /* one line, for people */
};

struct diff_ix {
	enum diff_status status;
	enum interaction_type type;
	char *description;
	char **states;
	size_t nstates;
	enum diff_class cls; /* breaking when one change is */
	struct diff_change *v;
	size_t n, cap;
};

struct diff {
	char *consumer, *provider;
	struct diff_ix *v; /* sorted by description, then states */
	size_t n;
	size_t added, removed, changed;
	size_t breaking, compatible; /* counts of changes */
};

/*
 * Compares OLD `a` with NEW `b`. Contracts between different consumers or
 * providers cannot be compared: -1 with ERR_USAGE. Release `out` with
 * diff_release() (also after a failure).
 */
int diff_contracts(const struct contract *a, const struct contract *b,
		   struct diff *out, struct err *e);
void diff_release(struct diff *d);

enum diff_format { DIFF_TEXT, DIFF_JSON };

/* Appends the diff as text or JSON; -1 (ERR_LIMIT) at out's limit. */
int diff_write(const struct diff *d, enum diff_format f, struct buf *out,
	       struct err *e);

#endif
