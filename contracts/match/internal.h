/*
 * Private to contracts/: the matching engine's pieces (the rule index, the
 * value formats, the XML parser), used by the engine, by the reader that
 * checks a contract's formats at load time, and by white-box tests.
 */
#ifndef ACCORD_CONTRACTS_MATCH_INTERNAL_H
#define ACCORD_CONTRACTS_MATCH_INTERNAL_H

#include "contracts/match/match.h"

#include <limits.h>
#include <stdint.h>

/* A rule path's weight times 2 for one more named element, saturating:
 * paths deeper than 62 elements tie (and the longer wins) rather than
 * overflow. match.c and ruleindex.c must score alike. */
static inline long weight_x2(long w)
{
	return w > LONG_MAX / 2 ? LONG_MAX : w * 2;
}

/*
 * ruleindex.c: the rule paths of a category as a trie, for rule lookup
 * in large bodies. Node 0 is "$". rule_index_step() appends to *out the
 * nodes reached from `from` by one element of a value: a field `name`,
 * or (name NULL) an array index. rule_index_rules() gives the rules whose
 * path ends at a node, in the order written, and the path's weight;
 * rule_index_kid_rules() whether a child of the node has rules. The set
 * must outlive the index.
 */
struct rule_index;
struct rule_index *rule_index_new(const struct rule_set *s);
void rule_index_free(struct rule_index *x);
void rule_index_step(const struct rule_index *x, uint32_t from,
		     const char *name, long index, uint32_t **out, size_t *n,
		     size_t *cap);
const struct rule *const *rule_index_rules(const struct rule_index *x,
					   uint32_t node, size_t *n,
					   long *weight);
int rule_index_kid_rules(const struct rule_index *x, uint32_t node);

/* value_formats.c: value formats used by matchers. */

/*
 * Checks a Java DateTimeFormatter / SimpleDateFormat pattern ("yyyy-MM-dd",
 * "HH:mm:ss.SSSXXX", "yyyy-MM-dd'T'HH:mm:ss", "EEE, dd MMM yyyy"). Returns 0
 * when accord understands it, -1 with a reason in `why` otherwise.
 */
int fmt_check_pattern(const char *pattern, char *why, size_t whylen);
/*
 * Does `value` (whole string) conform to `pattern`? 1 yes, 0 no. A NULL
 * pattern means the ISO 8601 default for `kind` (M_DATE, M_TIME or
 * M_DATETIME).
 */
int fmt_match_datetime(enum matcher_type kind, const char *pattern,
		       const char *value);
/* Semantic Versioning 2.0.0, whole string. 1 yes, 0 no. */
int fmt_is_semver(const char *s);
/*
 * Guesses a media type from magic bytes ("application/pdf", "image/png",
 * "application/json", "text/plain", ...); NULL when nothing fits.
 */
const char *fmt_sniff(const void *p, size_t len);
/*
 * Does content `p` look like media type `expected` (by magic bytes, with
 * text/JSON/XML recognised structurally)? 1 yes, 0 no.
 */
int fmt_content_is(const char *expected, const void *p, size_t len);

/* xml.c: a small namespace-aware XML parser for bodies. */
struct xml_attr {
	char *name;   /* local name */
	char *ns;     /* namespace URI, or NULL */
	char *prefix; /* as written, or NULL */
	char *value;
};

struct xml_node {
	char *name; /* local name */
	char *ns; /* namespace URI resolved from xmlns declarations, or NULL */
	char *prefix;
	struct xml_attr *attrs; /* excluding xmlns declarations */
	size_t nattrs;
	/* xmlns declarations made on this element, as attributes
	 * (name = prefix or "" for the default, value = URI) */
	struct xml_attr *nsdecls;
	size_t nnsdecls;
	struct xml_node **children; /* element children, in order */
	size_t nchildren;
	char *text; /* concatenated character data, whitespace-trimmed */
	struct xml_node *parent;
};

/*
 * Parses a document (prolog, comments, PIs, CDATA, entities and character
 * references; no DTD processing). Returns the root element or NULL with err
 * set. Depth and size are bounded.
 */
struct xml_node *xml_parse(const char *buf, size_t len, struct err *e);
void xml_free(struct xml_node *n);

#endif
