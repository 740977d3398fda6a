/*
 * contracts/insight: what is learnt from contracts as a whole: merging a
 * recorded contract into an existing one and inferring matchers from
 * observed values (merge.c), the service graph of many contracts
 * (graph.c), and the classified differences between two versions of one
 * (diff.c).
 */
#ifndef ACCORD_CONTRACTS_INSIGHT_INSIGHT_H
#define ACCORD_CONTRACTS_INSIGHT_INSIGHT_H

#include "contracts/model/model.h"

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
