/*
 * ruleindex.c: the rule paths of one category ("$.items[*].id", ...) as a
 * trie, for the matcher's rule lookup. Scanning every rule at every node
 * costs rules x nodes: a contract with thousands of rules and a body of
 * a megabyte took seconds. With the trie the matcher keeps, per level of
 * the value it walks, the few trie nodes whose path matches that level
 * (match.c), and a lookup reads only the rules that end there.
 *
 * Nodes are numbered from 0 (the root, "$"); each keeps its weight (the
 * score of its path: 2 per name or index, 1 per '*', multiplied) and the
 * rules whose path ends at it, in the order written. Edges are one sorted
 * array, searched by (parent, kind, name or index). A field whose name is
 * a decimal number ("$.a.0") also matches an array index: it gets a
 * second edge, of kind EDGE_NUMBER, to the same node.
 */
#include "contracts/match/internal.h"

#include <stdlib.h>
#include <string.h>

enum edge_kind { EDGE_FIELD, EDGE_INDEX, EDGE_NUMBER, EDGE_STAR };

struct edge {
	uint32_t from;
	enum edge_kind kind;
	const char *name; /* EDGE_FIELD */
	long index;	  /* EDGE_INDEX, EDGE_NUMBER */
	uint32_t to;
};

struct rnode {
	long weight;
	size_t first, n; /* its rules: terms[first .. first + n) */
	int kid_terms;	 /* a child has rules of its own */
};

struct rule_index {
	struct rnode *nodes;
	size_t nnodes, capnodes;
	struct edge *edges;
	size_t nedges, capedges;
	const struct rule **terms;
	/* while building: edges by key, open addressing (index + 1, 0 for
	 * an empty slot); sized for every segment, so it never fills */
	size_t *slots;
	size_t mask;
};

static int edge_cmp(const struct edge *a, const struct edge *b)
{
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind == EDGE_FIELD)
		return strcmp(a->name, b->name);
	if (a->kind == EDGE_INDEX || a->kind == EDGE_NUMBER)
		return a->index < b->index ? -1 : a->index > b->index;
	return 0;
}

static int edge_qcmp(const void *a, const void *b)
{
	int c = edge_cmp(a, b);
	if (c)
		return c;
	/* equal keys (a number written two ways): any fixed order */
	return ((const struct edge *)a)->to < ((const struct edge *)b)->to ? -1
									   : 1;
}

static uint32_t node_new(struct rule_index *x, long weight)
{
	x->nodes = xgrow(x->nodes, &x->capnodes, x->nnodes + 1,
			 sizeof(*x->nodes));
	memset(&x->nodes[x->nnodes], 0, sizeof(x->nodes[0]));
	x->nodes[x->nnodes].weight = weight;
	return (uint32_t)x->nnodes++;
}

static void edge_add(struct rule_index *x, const struct edge *e)
{
	x->edges = xgrow(x->edges, &x->capedges, x->nedges + 1,
			 sizeof(*x->edges));
	x->edges[x->nedges++] = *e;
}

static size_t edge_hash(const struct edge *e)
{
	uint64_t h = ((uint64_t)e->from << 2 | (uint64_t)e->kind) * HASH_GOLDEN;
	if (e->kind == EDGE_FIELD)
		h = hash_fnv1a(h, e->name);
	else
		h ^= (uint64_t)e->index * 0xff51afd7ed558ccdULL;
	return (size_t)(h ^ (h >> 29));
}

/* The child of `from` along seg, made when missing. */
static uint32_t child(struct rule_index *x, uint32_t from, const struct seg *s)
{
	struct edge e;
	size_t i;
	long v;
	memset(&e, 0, sizeof(e));
	e.from = from;
	switch (s->kind) {
	case SEG_FIELD:
		e.kind = EDGE_FIELD;
		e.name = s->name;
		break;
	case SEG_INDEX:
		e.kind = EDGE_INDEX;
		e.index = s->index;
		break;
	default:
		e.kind = EDGE_STAR;
		break;
	}
	for (i = edge_hash(&e) & x->mask; x->slots[i]; i = (i + 1) & x->mask) {
		const struct edge *o = &x->edges[x->slots[i] - 1];
		if (o->from == from && !edge_cmp(o, &e))
			return o->to;
	}
	e.to = node_new(x, s->kind == SEG_STAR
				   ? x->nodes[from].weight
				   : weight_x2(x->nodes[from].weight));
	edge_add(x, &e);
	x->slots[i] = x->nedges;
	if (s->kind == SEG_FIELD && !parse_long(s->name, 0, 1L << 30, &v)) {
		e.kind = EDGE_NUMBER;
		e.name = NULL;
		e.index = v;
		edge_add(x, &e);
	}
	return e.to;
}

struct rule_index *rule_index_new(const struct rule_set *s)
{
	struct rule_index *x = xcalloc(1, sizeof(*x));
	size_t i, k, *count, nsegs = 0;
	uint32_t *ends; /* the node each rule ends at, by rule; or ~0 */
	node_new(x, 2); /* "$" */
	for (i = 0; i < s->n; i++)
		nsegs += s->rules[i].path.n;
	for (k = 64; k < 2 * nsegs; k *= 2)
		;
	x->slots = xcalloc(k, sizeof(*x->slots));
	x->mask = k - 1;
	ends = xcalloc(s->n + 1, sizeof(*ends));
	for (i = 0; i < s->n; i++) {
		const struct path *p = &s->rules[i].path;
		uint32_t at = 0;
		ends[i] = UINT32_MAX;
		/* a path that cannot match anything is left out, as
		 * match.c's path_weight() scores it 0 */
		if (!p->n || p->segs[0].kind != SEG_ROOT)
			continue;
		for (k = 1; k < p->n && p->segs[k].kind != SEG_ROOT; k++)
			at = child(x, at, &p->segs[k]);
		if (k < p->n)
			continue;
		ends[i] = at;
		x->nodes[at].n++;
	}
	/* rules by node, in the order written */
	count = xcalloc(x->nnodes + 1, sizeof(*count));
	for (k = 0, i = 0; i < x->nnodes; i++) {
		x->nodes[i].first = k;
		k += x->nodes[i].n;
	}
	x->terms = xcalloc(k + 1, sizeof(*x->terms));
	for (i = 0; i < s->n; i++) {
		struct rnode *n;
		if (ends[i] == UINT32_MAX)
			continue;
		n = &x->nodes[ends[i]];
		x->terms[n->first + count[ends[i]]++] = &s->rules[i];
	}
	free(count);
	free(ends);
	free(x->slots);
	x->slots = NULL;
	for (i = 0; i < x->nedges; i++)
		if (x->nodes[x->edges[i].to].n)
			x->nodes[x->edges[i].from].kid_terms = 1;
	if (x->nedges) /* qsort wants an array, even of none */
		qsort(x->edges, x->nedges, sizeof(*x->edges), edge_qcmp);
	return x;
}

void rule_index_free(struct rule_index *x)
{
	if (!x)
		return;
	free(x->nodes);
	free(x->edges);
	free(x->terms);
	free(x);
}

/* The first edge not below key, by binary search. */
static size_t lower_bound(const struct rule_index *x, const struct edge *key)
{
	size_t lo = 0, hi = x->nedges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (edge_cmp(&x->edges[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void follow(const struct rule_index *x, const struct edge *key,
		   uint32_t **out, size_t *n, size_t *cap)
{
	size_t i = lower_bound(x, key);
	for (; i < x->nedges && !edge_cmp(&x->edges[i], key); i++) {
		*out = xgrow(*out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = x->edges[i].to;
	}
}

void rule_index_step(const struct rule_index *x, uint32_t from,
		     const char *name, long index, uint32_t **out, size_t *n,
		     size_t *cap)
{
	struct edge key;
	memset(&key, 0, sizeof(key));
	key.from = from;
	if (name) {
		key.kind = EDGE_FIELD;
		key.name = name;
		follow(x, &key, out, n, cap);
	} else {
		key.kind = EDGE_INDEX;
		key.index = index;
		follow(x, &key, out, n, cap);
		key.kind = EDGE_NUMBER;
		follow(x, &key, out, n, cap);
	}
	key.kind = EDGE_STAR;
	follow(x, &key, out, n, cap);
}

const struct rule *const *rule_index_rules(const struct rule_index *x,
					   uint32_t node, size_t *n,
					   long *weight)
{
	*n = x->nodes[node].n;
	*weight = x->nodes[node].weight;
	return x->terms + x->nodes[node].first;
}

int rule_index_kid_rules(const struct rule_index *x, uint32_t node)
{
	return x->nodes[node].kid_terms;
}
