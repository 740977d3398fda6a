/*
 * graph.c: the service graph of a set of contracts (`accord graph`).
 * Every contract is an edge consumer -> provider; the contracts of one pair
 * merge into one edge that counts its interactions by kind and lists the
 * provider states they use. Cycles (circular dependencies) are enumerated
 * once each, starting at their smallest name, and the blast radius of a
 * service is found by a breadth-first walk against the edges. Output is
 * text, Graphviz dot, Mermaid or JSON, sorted so that the same contracts
 * always give the same bytes.
 */
#include "contracts/insight/insight.h"

#include <stdlib.h>
#include <string.h>

/* What one contract contributes before the merge. */
struct graph_pending {
	char *consumer, *provider, *source;
	size_t counts[3];
	struct graph_ix *ix;
	size_t nix;
};

/* Bounds the cycle search on dense graphs (DFS steps in all). */
#define CYCLE_STEPS 2000000u
/* The text tree stops indenting here. */
#define TREE_MAX_DEPTH 32

void graph_init(struct graph *g)
{
	memset(g, 0, sizeof(*g));
}

static char *name_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

void graph_add_contract(struct graph *g, const struct contract *c)
{
	struct graph_pending *p;
	size_t i, k;
	g->pending = xgrow(g->pending, &g->cappending, g->npending + 1,
			   sizeof(*g->pending));
	p = &g->pending[g->npending++];
	memset(p, 0, sizeof(*p));
	p->consumer = name_or_empty(c->consumer);
	p->provider = name_or_empty(c->provider);
	p->source = name_or_empty(c->source);
	p->ix = c->n ? xcalloc(c->n, sizeof(*p->ix)) : NULL;
	p->nix = c->n;
	for (i = 0; i < c->n; i++) {
		const struct interaction *x = &c->ix[i];
		struct graph_ix *gx = &p->ix[i];
		if ((unsigned)x->type < 3)
			p->counts[x->type]++;
		gx->type = x->type;
		gx->description = name_or_empty(x->description);
		gx->nstates = x->nstates;
		gx->states = x->nstates ? xcalloc(x->nstates, sizeof(char *))
					: NULL;
		for (k = 0; k < x->nstates; k++)
			gx->states[k] = name_or_empty(x->states[k].name);
		if (x->type != IX_HTTP)
			continue;
		gx->method = name_or_empty(x->request.method);
		gx->path = name_or_empty(x->request.has_path ? x->request.path
							     : NULL);
		for (k = 0; k < x->request.headers.n; k++) {
			const struct header *h = &x->request.headers.v[k];
			size_t j;
			for (j = 0; j < h->n; j++)
				headers_add(&gx->headers, h->name,
					    h->values[j]);
		}
	}
	g->ncontracts++;
}

static void ix_release(struct graph_ix *x)
{
	size_t k;
	for (k = 0; k < x->nstates; k++)
		free(x->states[k]);
	free(x->states);
	free(x->description);
	free(x->method);
	free(x->path);
	headers_release(&x->headers);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_pending(const void *a, const void *b)
{
	const struct graph_pending *x = a, *y = b;
	int r = strcmp(x->consumer, y->consumer);
	if (r)
		return r;
	r = strcmp(x->provider, y->provider);
	if (r)
		return r;
	return strcmp(x->source, y->source);
}

static int cmp_ix(const void *a, const void *b)
{
	const struct graph_ix *x = a, *y = b;
	size_t k;
	int r = strcmp(x->description, y->description);
	if (r)
		return r;
	for (k = 0; k < x->nstates && k < y->nstates; k++) {
		r = strcmp(x->states[k], y->states[k]);
		if (r)
			return r;
	}
	if (x->nstates != y->nstates)
		return x->nstates < y->nstates ? -1 : 1;
	if (x->type != y->type)
		return (int)x->type - (int)y->type;
	/* qsort is not stable: what is printed must decide the order */
	r = strcmp(x->method ? x->method : "", y->method ? y->method : "");
	return r ? r : strcmp(x->path ? x->path : "", y->path ? y->path : "");
}

/* Sorts a list of owned strings and frees the duplicates. */
static size_t sort_unique(char **v, size_t n)
{
	size_t i, out = 0;
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++) {
		if (out && !strcmp(v[out - 1], v[i]))
			free(v[i]);
		else
			v[out++] = v[i];
	}
	return out;
}

long graph_node(const struct graph *g, const char *name)
{
	size_t lo = 0, hi = g->nnodes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(g->nodes[mid], name);
		if (!r)
			return (long)mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Builds the sorted, unique node list from the pending edges. */
static void build_nodes(struct graph *g)
{
	size_t i, n = 0;
	g->nodes = xcalloc(2 * g->npending + 1, sizeof(char *));
	for (i = 0; i < g->npending; i++) {
		g->nodes[n++] = xstrdup(g->pending[i].consumer);
		g->nodes[n++] = xstrdup(g->pending[i].provider);
	}
	g->nnodes = sort_unique(g->nodes, n);
}

/* Merges pending edges with one pair (sorted together) into edges. */
static void build_edges(struct graph *g)
{
	size_t i = 0, k, j;
	g->edges = xcalloc(g->npending + 1, sizeof(*g->edges));
	while (i < g->npending) {
		struct graph_edge *e = &g->edges[g->nedges++];
		size_t end = i, nstates = 0, nix = 0;
		while (end < g->npending &&
		       !strcmp(g->pending[end].consumer,
			       g->pending[i].consumer) &&
		       !strcmp(g->pending[end].provider,
			       g->pending[i].provider))
			end++;
		e->from = (size_t)graph_node(g, g->pending[i].consumer);
		e->to = (size_t)graph_node(g, g->pending[i].provider);
		e->sources = xcalloc(end - i, sizeof(char *));
		for (k = i; k < end; k++) {
			struct graph_pending *p = &g->pending[k];
			for (j = 0; j < 3; j++)
				e->counts[j] += p->counts[j];
			nix += p->nix;
			for (j = 0; j < p->nix; j++)
				nstates += p->ix[j].nstates;
			e->sources[e->nsources++] = p->source;
			p->source = NULL;
		}
		e->nsources = sort_unique(e->sources, e->nsources);
		e->ix = nix ? xcalloc(nix, sizeof(*e->ix)) : NULL;
		e->states = nstates ? xcalloc(nstates, sizeof(char *)) : NULL;
		for (k = i; k < end; k++) {
			struct graph_pending *p = &g->pending[k];
			for (j = 0; j < p->nix; j++) {
				size_t s;
				e->ix[e->nix++] = p->ix[j];
				for (s = 0; s < p->ix[j].nstates; s++)
					e->states[e->nstates++] = xstrdup(
						p->ix[j].states[s]);
			}
			free(p->ix);
			p->ix = NULL;
			p->nix = 0;
		}
		if (e->nix > 1)
			qsort(e->ix, e->nix, sizeof(*e->ix), cmp_ix);
		e->nstates = sort_unique(e->states, e->nstates);
		i = end;
	}
}

/* Adjacency: the edges leaving node u are edges[first[u] .. first[u+1]). */
static size_t *out_index(const struct graph *g)
{
	size_t *first = xcalloc(g->nnodes + 1, sizeof(size_t));
	size_t u, i = 0;
	for (u = 0; u <= g->nnodes; u++) {
		while (i < g->nedges && g->edges[i].from < u)
			i++;
		first[u] = i;
	}
	return first;
}

/*
 * The edges entering each node: (*edges)[first[v] .. first[v+1]) are the
 * indexes of the edges whose provider is v. Counting sort, O(V + E).
 */
static size_t *in_index(const struct graph *g, size_t **edges)
{
	size_t *first = xcalloc(g->nnodes + 2, sizeof(size_t));
	size_t *fill, i;
	*edges = xmalloc((g->nedges + 1) * sizeof(size_t));
	for (i = 0; i < g->nedges; i++)
		first[g->edges[i].to + 1]++;
	for (i = 0; i < g->nnodes; i++)
		first[i + 1] += first[i];
	fill = xmalloc((g->nnodes + 1) * sizeof(size_t));
	memcpy(fill, first, g->nnodes * sizeof(size_t));
	for (i = 0; i < g->nedges; i++)
		(*edges)[fill[g->edges[i].to]++] = i;
	free(fill);
	return first;
}

struct cycle_search {
	struct graph *g;
	const size_t *first;
	size_t *stack, depth;
	char *on_stack;
	size_t start;
	size_t steps;
	int stop;
};

static void cycle_record(struct cycle_search *cs)
{
	struct graph *g = cs->g;
	struct graph_cycle *c;
	if (g->ncycles >= GRAPH_MAX_CYCLES) {
		g->cycles_truncated = 1;
		cs->stop = 1;
		return;
	}
	if (!g->cycles)
		g->cycles = xcalloc(GRAPH_MAX_CYCLES, sizeof(*g->cycles));
	c = &g->cycles[g->ncycles++];
	c->n = cs->depth;
	c->v = xmalloc(cs->depth * sizeof(size_t));
	memcpy(c->v, cs->stack, cs->depth * sizeof(size_t));
}

/*
 * Depth-first search for simple paths from `start` back to it through
 * nodes greater than `start` only: each elementary cycle is then found
 * exactly once, from its smallest node, and in lexicographic order since
 * edges are visited in name order. Iterative, so that a long chain does
 * not exhaust the C stack.
 */
static void cycles_from(struct cycle_search *cs, size_t s)
{
	size_t *next = xmalloc((cs->g->nnodes + 1) * sizeof(size_t));
	cs->start = s;
	cs->depth = 1;
	cs->stack[0] = s;
	cs->on_stack[s] = 1;
	next[0] = cs->first[s];
	while (cs->depth && !cs->stop) {
		size_t u = cs->stack[cs->depth - 1];
		size_t v;
		if (next[cs->depth - 1] >= cs->first[u + 1]) {
			cs->on_stack[u] = 0;
			cs->depth--;
			continue;
		}
		v = cs->g->edges[next[cs->depth - 1]++].to;
		if (++cs->steps > CYCLE_STEPS) {
			cs->g->cycles_truncated = 1;
			cs->stop = 1;
			break;
		}
		if (v == s) {
			cycle_record(cs);
		} else if (v > s && !cs->on_stack[v]) {
			cs->stack[cs->depth] = v;
			next[cs->depth] = cs->first[v];
			cs->on_stack[v] = 1;
			cs->depth++;
		}
	}
	while (cs->depth)
		cs->on_stack[cs->stack[--cs->depth]] = 0;
	free(next);
}

static long find_edge(const struct graph *g, const size_t *first, size_t u,
		      size_t v)
{
	size_t i;
	for (i = first[u]; i < first[u + 1]; i++)
		if (g->edges[i].to == v)
			return (long)i;
	return -1;
}

static void find_cycles(struct graph *g)
{
	struct cycle_search cs;
	size_t s, i, k;
	memset(&cs, 0, sizeof(cs));
	cs.g = g;
	cs.first = out_index(g);
	cs.stack = xmalloc((g->nnodes + 1) * sizeof(size_t));
	cs.on_stack = xcalloc(g->nnodes + 1, 1);
	for (s = 0; s < g->nnodes && !cs.stop; s++)
		cycles_from(&cs, s);
	for (i = 0; i < g->ncycles; i++) {
		const struct graph_cycle *c = &g->cycles[i];
		for (k = 0; k < c->n; k++) {
			long e = find_edge(g, cs.first, c->v[k],
					   c->v[(k + 1) % c->n]);
			if (e >= 0)
				g->edges[e].in_cycle = 1;
		}
	}
	free(cs.on_stack);
	free(cs.stack);
	free((void *)cs.first);
}

void graph_finish(struct graph *g)
{
	size_t i;
	if (g->npending > 1)
		qsort(g->pending, g->npending, sizeof(*g->pending),
		      cmp_pending);
	build_nodes(g);
	build_edges(g);
	for (i = 0; i < g->npending; i++) {
		free(g->pending[i].consumer);
		free(g->pending[i].provider);
		free(g->pending[i].source);
	}
	free(g->pending);
	g->pending = NULL;
	g->npending = g->cappending = 0;
	find_cycles(g);
}

void graph_release(struct graph *g)
{
	size_t i, k;
	for (i = 0; i < g->npending; i++) {
		struct graph_pending *p = &g->pending[i];
		for (k = 0; k < p->nix; k++)
			ix_release(&p->ix[k]);
		free(p->ix);
		free(p->consumer);
		free(p->provider);
		free(p->source);
	}
	free(g->pending);
	for (i = 0; i < g->nedges; i++) {
		struct graph_edge *e = &g->edges[i];
		for (k = 0; k < e->nix; k++)
			ix_release(&e->ix[k]);
		free(e->ix);
		for (k = 0; k < e->nstates; k++)
			free(e->states[k]);
		free(e->states);
		for (k = 0; k < e->nsources; k++)
			free(e->sources[k]);
		free(e->sources);
		for (k = 0; k < e->nfaults; k++)
			free(e->faults[k]);
		free(e->faults);
	}
	free(g->edges);
	for (i = 0; i < g->nnodes; i++)
		free(g->nodes[i]);
	free(g->nodes);
	for (i = 0; i < g->ncycles; i++)
		free(g->cycles[i].v);
	free(g->cycles);
	memset(g, 0, sizeof(*g));
}

static int cmp_dependent(const void *a, const void *b)
{
	const struct graph_dependent *x = a, *y = b;
	if (x->distance != y->distance)
		return x->distance < y->distance ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

int graph_impact(const struct graph *g, const char *service,
		 struct graph_impact *out, struct err *e)
{
	long s = graph_node(g, service);
	size_t *dist, *queue, head = 0, tail = 0, i, *first, *in_first;
	size_t *in_edges;
	const size_t unseen = (size_t)-1;
	memset(out, 0, sizeof(*out));
	if (s < 0)
		return err_set(e, ERR_USAGE, "no contract names a service '%s'",
			       service);
	out->service = (size_t)s;
	dist = xmalloc((g->nnodes + 1) * sizeof(size_t));
	queue = xmalloc((g->nnodes + 1) * sizeof(size_t));
	for (i = 0; i < g->nnodes; i++)
		dist[i] = unseen;
	dist[s] = 0;
	queue[tail++] = (size_t)s;
	/* breadth first against the edges: consumers of what is reached */
	in_first = in_index(g, &in_edges);
	while (head < tail) {
		size_t v = queue[head++];
		for (i = in_first[v]; i < in_first[v + 1]; i++) {
			size_t u = g->edges[in_edges[i]].from;
			if (dist[u] == unseen) {
				dist[u] = dist[v] + 1;
				queue[tail++] = u;
			}
		}
	}
	free(in_first);
	free(in_edges);
	first = out_index(g);
	out->v = xcalloc(tail + 1, sizeof(*out->v));
	for (head = 1; head < tail; head++) {
		size_t u = queue[head];
		struct graph_dependent *d = &out->v[out->n++];
		d->node = u;
		d->distance = dist[u];
		d->via = xmalloc((first[u + 1] - first[u] + 1) *
				 sizeof(size_t));
		for (i = first[u]; i < first[u + 1]; i++)
			if (dist[g->edges[i].to] + 1 == dist[u])
				d->via[d->nvia++] = i;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_dependent);
	free(first);
	free(queue);
	free(dist);
	return 0;
}

void graph_impact_release(struct graph_impact *imp)
{
	size_t i;
	for (i = 0; i < imp->n; i++)
		free(imp->v[i].via);
	free(imp->v);
	memset(imp, 0, sizeof(*imp));
}

void graph_edge_fault(struct graph *g, size_t edge, const char *rule)
{
	struct graph_edge *e;
	size_t k;
	g->faults_applied = 1;
	if (edge >= g->nedges)
		return;
	e = &g->edges[edge];
	for (k = 0; k < e->nfaults; k++)
		if (!strcmp(e->faults[k], rule))
			return;
	e->faults = xrealloc(e->faults, (e->nfaults + 1) * sizeof(*e->faults));
	e->faults[e->nfaults++] = xstrdup(rule);
}

/* "faults: a, b" for labels, or nothing when the edge has none. */
static void faults_text(const struct graph_edge *e, const char *lead,
			struct buf *out)
{
	size_t k;
	if (!e->nfaults)
		return;
	buf_addf(out, "%sfaults: ", lead);
	for (k = 0; k < e->nfaults; k++)
		buf_addf(out, "%s%s", k ? ", " : "", e->faults[k]);
}

int graph_format_parse(const char *s, enum graph_format *out)
{
	static const char *const names[] = { "text", "dot", "mermaid", "json" };
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum graph_format)i;
			return 0;
		}
	return -1;
}

/* Output. Every writer appends to `out` and checks it once at the end. */

static const char *const kind_names[3] = { "HTTP", "async", "sync" };

/* "6 HTTP, 3 async": the kinds that occur, or "no interactions". */
static void counts_text(const struct graph_edge *e, struct buf *out)
{
	size_t k;
	int any = 0;
	for (k = 0; k < 3; k++) {
		if (!e->counts[k])
			continue;
		buf_addf(out, "%s%zu %s", any ? ", " : "", e->counts[k],
			 kind_names[k]);
		any = 1;
	}
	if (!any)
		buf_addstr(out, "no interactions");
}

/* A string in double quotes with JSON escapes (also right for text). */
static void quoted(struct buf *out, const char *s)
{
	json_write_string(s, out);
}

static void ix_text(const struct graph_ix *x, const char *indent,
		    struct buf *out)
{
	size_t k;
	buf_addf(out, "%s%-5s ", indent, kind_names[x->type % 3]);
	quoted(out, x->description);
	if (x->method)
		buf_addf(out, " (%s %s)", x->method, x->path);
	for (k = 0; k < x->nstates; k++) {
		buf_addstr(out, k ? ", " : " given ");
		quoted(out, x->states[k]);
	}
	buf_addch(out, '\n');
}

static void tree_node(const struct graph *g, const size_t *first, size_t u,
		      size_t depth, char *seen, char *on_path, struct buf *out)
{
	size_t i, k;
	seen[u] = 1;
	on_path[u] = 1;
	for (i = first[u]; i < first[u + 1]; i++) {
		const struct graph_edge *e = &g->edges[i];
		size_t v = e->to;
		for (k = 0; k < depth + 1; k++)
			buf_addstr(out, "  ");
		buf_addf(out, "-> %s  (", g->nodes[v]);
		counts_text(e, out);
		buf_addch(out, ')');
		if (on_path[v])
			buf_addstr(out, "  [cycle]");
		else if (seen[v] && first[v] < first[v + 1])
			buf_addstr(out, "  [see above]");
		buf_addch(out, '\n');
		for (k = 0; k < e->nstates; k++) {
			size_t d;
			for (d = 0; d < depth + 2; d++)
				buf_addstr(out, "  ");
			buf_addstr(out, "  state ");
			quoted(out, e->states[k]);
			buf_addch(out, '\n');
		}
		if (e->nfaults) {
			for (k = 0; k < depth + 2; k++)
				buf_addstr(out, "  ");
			faults_text(e, "  ", out);
			buf_addch(out, '\n');
		}
		if (seen[v] || on_path[v])
			continue;
		if (first[v] == first[v + 1]) {
			seen[v] = 1; /* a leaf: nothing below it to print */
			continue;
		}
		if (depth + 1 >= TREE_MAX_DEPTH) {
			/* a chain thousands long would print megabytes of
			 * indentation; json has the whole graph */
			for (k = 0; k < depth + 2; k++)
				buf_addstr(out, "  ");
			buf_addstr(out, "-> ... (deeper levels not shown)\n");
			continue;
		}
		tree_node(g, first, v, depth + 1, seen, on_path, out);
	}
	on_path[u] = 0;
}

static void cycles_text(const struct graph *g, struct buf *out)
{
	size_t i, k;
	if (!g->ncycles) {
		buf_addstr(out, "cycles: none\n");
		return;
	}
	buf_addf(out, "cycles: %zu%s\n", g->ncycles,
		 g->cycles_truncated ? " (search stopped; there are more)"
				     : "");
	for (i = 0; i < g->ncycles; i++) {
		const struct graph_cycle *c = &g->cycles[i];
		buf_addstr(out, "  ");
		for (k = 0; k < c->n; k++)
			buf_addf(out, "%s -> ", g->nodes[c->v[k]]);
		buf_addf(out, "%s\n", g->nodes[c->v[0]]);
	}
}

/*
 * The text tree: services nobody depends on are the roots; each service
 * lists what it depends on once, later mentions say "[see above]", and an
 * edge back into the path being printed says "[cycle]". Services only
 * reachable through cycles are printed as roots afterwards.
 */
static void graph_text(const struct graph *g, struct buf *out)
{
	size_t *first = out_index(g);
	char *seen = xcalloc(g->nnodes + 1, 1);
	char *on_path = xcalloc(g->nnodes + 1, 1);
	char *consumed = xcalloc(g->nnodes + 1, 1);
	size_t i, pass;
	buf_addf(out, "%zu contract%s, %zu service%s, %zu dependenc%s\n\n",
		 g->ncontracts, g->ncontracts == 1 ? "" : "s", g->nnodes,
		 g->nnodes == 1 ? "" : "s", g->nedges,
		 g->nedges == 1 ? "y" : "ies");
	for (i = 0; i < g->nedges; i++)
		if (g->edges[i].from != g->edges[i].to)
			consumed[g->edges[i].to] = 1;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < g->nnodes; i++) {
			if (seen[i] || (pass == 0 && consumed[i]))
				continue;
			buf_addf(out, "%s\n", g->nodes[i]);
			tree_node(g, first, i, 0, seen, on_path, out);
		}
	buf_addch(out, '\n');
	cycles_text(g, out);
	free(consumed);
	free(on_path);
	free(seen);
	free(first);
}

static void impact_text(const struct graph *g, const struct graph_impact *imp,
			struct buf *out)
{
	size_t i, j, k;
	buf_addf(out, "blast radius of %s: %zu dependent service%s\n",
		 g->nodes[imp->service], imp->n, imp->n == 1 ? "" : "s");
	for (i = 0; i < imp->n; i++) {
		const struct graph_dependent *d = &imp->v[i];
		buf_addf(out, "%zu  %s\n", d->distance, g->nodes[d->node]);
		for (j = 0; j < d->nvia; j++) {
			const struct graph_edge *e = &g->edges[d->via[j]];
			buf_addf(out, "     via %s -> %s  (", g->nodes[e->from],
				 g->nodes[e->to]);
			counts_text(e, out);
			buf_addstr(out, ")\n");
			for (k = 0; k < e->nix; k++)
				ix_text(&e->ix[k], "       ", out);
		}
	}
}

static void json_strings(struct buf *out, char *const *v, size_t n)
{
	size_t i;
	buf_addch(out, '[');
	for (i = 0; i < n; i++) {
		if (i)
			buf_addstr(out, ", ");
		quoted(out, v[i]);
	}
	buf_addch(out, ']');
}

static void json_ix(const struct graph_ix *x, struct buf *out)
{
	buf_addstr(out, "{\"description\": ");
	quoted(out, x->description);
	if (x->method) {
		buf_addstr(out, ", \"method\": ");
		quoted(out, x->method);
		buf_addstr(out, ", \"path\": ");
		quoted(out, x->path);
	}
	buf_addstr(out, ", \"providerStates\": ");
	json_strings(out, x->states, x->nstates);
	buf_addf(out, ", \"type\": \"%s\"}", interaction_report_name(x->type));
}

static void json_edge(const struct graph *g, const struct graph_edge *e,
		      int with_ix, const char *indent, struct buf *out)
{
	size_t k;
	buf_addf(out, "%s{\n%s  \"consumer\": ", indent, indent);
	quoted(out, g->nodes[e->from]);
	buf_addf(out, ",\n%s  \"contracts\": ", indent);
	json_strings(out, e->sources, e->nsources);
	if (g->faults_applied) {
		buf_addf(out, ",\n%s  \"faults\": ", indent);
		json_strings(out, e->faults, e->nfaults);
	}
	buf_addf(out, ",\n%s  \"inCycle\": %s", indent,
		 e->in_cycle ? "true" : "false");
	if (with_ix) {
		buf_addf(out, ",\n%s  \"interactionList\": [", indent);
		for (k = 0; k < e->nix; k++) {
			buf_addf(out, "%s\n%s    ", k ? "," : "", indent);
			json_ix(&e->ix[k], out);
		}
		if (e->nix)
			buf_addf(out, "\n%s  ]", indent);
		else
			buf_addch(out, ']');
	}
	buf_addf(out,
		 ",\n%s  \"interactions\": {\"asynchronous\": %zu, "
		 "\"http\": %zu, \"synchronous\": %zu}",
		 indent, e->counts[IX_MESSAGE], e->counts[IX_HTTP],
		 e->counts[IX_SYNC_MESSAGE]);
	buf_addf(out, ",\n%s  \"provider\": ", indent);
	quoted(out, g->nodes[e->to]);
	buf_addf(out, ",\n%s  \"providerStates\": ", indent);
	json_strings(out, e->states, e->nstates);
	buf_addf(out, "\n%s}", indent);
}

static void graph_json(const struct graph *g, struct buf *out)
{
	size_t i, k;
	buf_addstr(out, "{\n  \"contracts\": ");
	buf_addf(out, "%zu,\n  \"cycles\": [", g->ncontracts);
	for (i = 0; i < g->ncycles; i++) {
		buf_addstr(out, i ? ",\n    [" : "\n    [");
		for (k = 0; k < g->cycles[i].n; k++) {
			if (k)
				buf_addstr(out, ", ");
			quoted(out, g->nodes[g->cycles[i].v[k]]);
		}
		buf_addch(out, ']');
	}
	buf_addstr(out, g->ncycles ? "\n  ],\n" : "],\n");
	buf_addf(out, "  \"cyclesTruncated\": %s,\n  \"edges\": [",
		 g->cycles_truncated ? "true" : "false");
	for (i = 0; i < g->nedges; i++) {
		buf_addstr(out, i ? ",\n" : "\n");
		json_edge(g, &g->edges[i], 0, "    ", out);
	}
	buf_addstr(out, g->nedges ? "\n  ],\n" : "],\n");
	buf_addstr(out, "  \"services\": [");
	for (i = 0; i < g->nnodes; i++) {
		buf_addstr(out, i ? ",\n    " : "\n    ");
		quoted(out, g->nodes[i]);
	}
	buf_addstr(out, g->nnodes ? "\n  ]\n}\n" : "]\n}\n");
}

static void impact_json(const struct graph *g, const struct graph_impact *imp,
			struct buf *out)
{
	size_t i, j;
	buf_addstr(out, "{\n  \"dependents\": [");
	for (i = 0; i < imp->n; i++) {
		const struct graph_dependent *d = &imp->v[i];
		buf_addstr(out, i ? ",\n" : "\n");
		buf_addf(out,
			 "    {\n      \"distance\": %zu,\n"
			 "      \"service\": ",
			 d->distance);
		quoted(out, g->nodes[d->node]);
		buf_addstr(out, ",\n      \"via\": [");
		for (j = 0; j < d->nvia; j++) {
			buf_addstr(out, j ? ",\n" : "\n");
			json_edge(g, &g->edges[d->via[j]], 1, "        ", out);
		}
		buf_addstr(out, d->nvia ? "\n      ]\n    }" : "]\n    }");
	}
	buf_addstr(out, imp->n ? "\n  ],\n" : "],\n");
	buf_addstr(out, "  \"service\": ");
	quoted(out, g->nodes[imp->service]);
	buf_addstr(out, "\n}\n");
}

/* Which nodes and edges a picture shows: all, or the blast radius. */
static void picture_sets(const struct graph *g, const struct graph_impact *imp,
			 char *node_on, char *edge_on)
{
	size_t i;
	if (!imp) {
		memset(node_on, 1, g->nnodes);
		memset(edge_on, 1, g->nedges);
		return;
	}
	node_on[imp->service] = 1;
	for (i = 0; i < imp->n; i++)
		node_on[imp->v[i].node] = 1;
	/* edges from a dependent into the radius (the service has none) */
	for (i = 0; i < g->nedges; i++)
		edge_on[i] = g->edges[i].from != imp->service &&
			     node_on[g->edges[i].from] &&
			     node_on[g->edges[i].to];
}

/* A dot ID or label: double quoted, with '"' and '\' escaped. */
static void dot_quoted(struct buf *out, const char *s)
{
	buf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addch(out, '\\');
		if (*s == '\n')
			buf_addstr(out, "\\n");
		else if (*s != '\r')
			buf_addch(out, *s);
	}
	buf_addch(out, '"');
}

static void graph_dot(const struct graph *g, const struct graph_impact *imp,
		      struct buf *out)
{
	char *node_on = xcalloc(g->nnodes + 1, 1);
	char *edge_on = xcalloc(g->nedges + 1, 1);
	size_t i;
	picture_sets(g, imp, node_on, edge_on);
	buf_addstr(out, "digraph accord {\n  rankdir=LR;\n"
			"  node [shape=box, fontname=\"Helvetica\"];\n"
			"  edge [fontname=\"Helvetica\", fontsize=10];\n");
	for (i = 0; i < g->nnodes; i++) {
		if (!node_on[i])
			continue;
		buf_addstr(out, "  ");
		dot_quoted(out, g->nodes[i]);
		if (imp && i == imp->service)
			buf_addstr(out,
				   " [style=filled, fillcolor=\"#f4cccc\"]");
		buf_addstr(out, ";\n");
	}
	for (i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];
		struct buf label;
		if (!edge_on[i])
			continue;
		buf_init(&label, 0);
		counts_text(e, &label);
		if (e->nstates)
			buf_addf(&label, "; %zu state%s", e->nstates,
				 e->nstates == 1 ? "" : "s");
		faults_text(e, "\n", &label);
		buf_addstr(out, "  ");
		dot_quoted(out, g->nodes[e->from]);
		buf_addstr(out, " -> ");
		dot_quoted(out, g->nodes[e->to]);
		buf_addstr(out, " [label=");
		dot_quoted(out, label.ptr);
		if (e->in_cycle)
			buf_addstr(out, ", color=red, fontcolor=red");
		if (e->nfaults)
			buf_addstr(out, ", style=dashed");
		buf_addstr(out, "];\n");
		buf_release(&label);
	}
	buf_addstr(out, "}\n");
	free(edge_on);
	free(node_on);
}

/*
 * A Mermaid label in double quotes: characters that would end it or be
 * read as markup become entity codes (#34; and the like).
 */
static void mermaid_quoted(struct buf *out, const char *s)
{
	buf_addch(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '#' || c == '<' || c == '>' || c == '&' ||
		    c == '|' || c == '`' || c < 0x20)
			buf_addf(out, "#%u;", c);
		else
			buf_addch(out, (char)c);
	}
	buf_addch(out, '"');
}

static void graph_mermaid(const struct graph *g, const struct graph_impact *imp,
			  struct buf *out)
{
	char *node_on = xcalloc(g->nnodes + 1, 1);
	char *edge_on = xcalloc(g->nedges + 1, 1);
	size_t i, nlink = 0;
	struct buf red, dashed;
	buf_init(&red, 0);
	buf_init(&dashed, 0);
	picture_sets(g, imp, node_on, edge_on);
	/* node IDs are s0, s1, ... (names may hold anything); labels quoted */
	buf_addstr(out, "flowchart LR\n");
	for (i = 0; i < g->nnodes; i++) {
		if (!node_on[i])
			continue;
		buf_addf(out, "  s%zu[", i);
		mermaid_quoted(out, g->nodes[i]);
		buf_addstr(out, "]\n");
	}
	for (i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];
		struct buf label;
		if (!edge_on[i])
			continue;
		buf_init(&label, 0);
		counts_text(e, &label);
		faults_text(e, "; ", &label);
		if (e->nfaults)
			buf_addf(&dashed, "%s%zu", dashed.len ? "," : "",
				 nlink);
		buf_addf(out, "  s%zu -->|", e->from);
		mermaid_quoted(out, label.ptr);
		buf_addf(out, "| s%zu\n", e->to);
		if (e->in_cycle)
			buf_addf(&red, "%s%zu", red.len ? "," : "", nlink);
		nlink++;
		buf_release(&label);
	}
	if (red.len)
		buf_addf(out, "  linkStyle %s stroke:red\n", red.ptr);
	if (dashed.len)
		buf_addf(out, "  linkStyle %s stroke-dasharray:5 5\n",
			 dashed.ptr);
	if (imp)
		buf_addf(out, "  style s%zu fill:#f4cccc\n", imp->service);
	buf_release(&red);
	buf_release(&dashed);
	free(edge_on);
	free(node_on);
}

int graph_write(const struct graph *g, const struct graph_impact *imp,
		enum graph_format f, struct buf *out, struct err *e)
{
	struct buf tmp;
	int r = 0;
	/* the writers append freely; the limit is applied once, at the end */
	buf_init(&tmp, 0);
	switch (f) {
	case GRAPH_TEXT:
		if (imp)
			impact_text(g, imp, &tmp);
		else
			graph_text(g, &tmp);
		break;
	case GRAPH_JSON:
		if (imp)
			impact_json(g, imp, &tmp);
		else
			graph_json(g, &tmp);
		break;
	case GRAPH_DOT:
		graph_dot(g, imp, &tmp);
		break;
	case GRAPH_MERMAID:
		graph_mermaid(g, imp, &tmp);
		break;
	}
	if (buf_try_add(out, tmp.ptr, tmp.len))
		r = err_set(e, ERR_LIMIT, "graph output too large");
	buf_release(&tmp);
	return r;
}
