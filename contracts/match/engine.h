/*
 * Private to contracts/match/: the matching context, shared by match.c
 * (the engine on values: the mismatch list, rule selection, the matchers,
 * JSON arrays and objects) and parts.c (bodies by media type, path, query,
 * headers, status and metadata, and the match_* entry points).
 */
#ifndef ACCORD_CONTRACTS_MATCH_ENGINE_H
#define ACCORD_CONTRACTS_MATCH_ENGINE_H

#include "contracts/match/internal.h"

/* A concrete path element of the value being compared. */
struct node {
	const char *name; /* field, XML element, "@attr", "#text" or NULL */
	long index;	  /* array index when name is NULL */
};

struct mctx {
	const struct match_opts *o;
	struct mismatches *out;
	const struct rule_set *rules; /* body rules, or NULL */
	int strict;		      /* request: unexpected keys fail */
	const char *prefix;	      /* "$.body" for display */
	struct node stack[MATCH_MAX_DEPTH + 1];
	int depth;
	size_t added;
	/* rule lookup through ruleindex.c, once made (index_make): the
	 * trie nodes whose paths match the value's path down to level d
	 * are act[lv[d] .. lv[d + 1]), for every d <= depth */
	struct rule_index *idx;
	uint32_t *act;
	size_t nact, capact;
	size_t lookups;
	size_t lv[MATCH_MAX_DEPTH + 2];
};

/* Short text of a JSON value for messages (truncated); caller frees. */
char *match_show(const cJSON *v);
/* Records a mismatch at the context's current path. */
void mctx_mis(struct mctx *c, const char *exp, const char *act, const char *fmt,
	      ...) ATTR_PRINTF(4, 5);
/* The same with both values shown: "what: expected E but found A". */
void mctx_misv(struct mctx *c, const cJSON *exp, const cJSON *act,
	       const char *what);
/* Enters a field (name) or an array element (name NULL, index); -1 (with
 * a mismatch recorded) past MATCH_MAX_DEPTH. */
int mctx_push(struct mctx *c, const char *name, long index);
void mctx_pop(struct mctx *c);
/* Forgets the rule index: for a context whose rules change (or end). */
void mctx_index_drop(struct mctx *c);
/*
 * The rule that applies to the current node, or NULL; *direct says whether
 * it names this node rather than an ancestor.
 */
const struct rule *mctx_find_rule(struct mctx *c, int *direct);
/* Applies a rule to a value, recording a mismatch when it fails; 1 on a
 * match. */
int mctx_apply_rule(struct mctx *c, const struct rule *r, const cJSON *exp,
		    const cJSON *act, int coerce);
/* Equal JSON values: no type coercion, number literals compared. */
int match_json_equal(const cJSON *a, const cJSON *b);
/* Compares two JSON values under the context's rules. */
void match_json(struct mctx *c, const cJSON *exp, const cJSON *act);
/* Does rule r have a matcher of type t? */
int rule_has(const struct rule *r, enum matcher_type t);
/* Does the rule make a collection a template for its items (type-like)? */
int rule_is_template(const struct rule *r);

#endif
