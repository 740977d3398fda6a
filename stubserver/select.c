/*
 * select.c: which interaction answers a request, and the "nearest miss"
 * report when none does.
 *
 * A stub may serve tens of thousands of interactions, so a request must not
 * be matched against all of them. At load time every HTTP interaction is
 * filed under a key: (upper-cased method, literal path) when its request
 * has both and no rule on the path, or (upper-cased method, no path) -- the
 * method's fallback list -- when its path is matched by a rule or absent.
 * Interactions without a method sit in one method-less fallback list. A
 * request's candidates are the list under its own method and path, its
 * method's fallback list and the method-less list, walked together in file
 * order; every other interaction would fail on the method or the path, so
 * the choice is the same as matching against all of them.
 *
 * The full matching engine (match_request) then decides which candidates
 * match; among those, the provider states chosen for the request, then the
 * specificity of the match, then file order pick one winner.
 */
#include "stubserver/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The nearest-miss report matches at most this many interactions: it runs
 * for unmatched requests only, but a client sending nonsense to a stub of
 * 10,000 interactions must not cost 10,000 full matches.
 */
#define NEAREST_CONSIDER 200
/* Mismatches listed per interaction in the nearest-miss report. */
#define NEAREST_MISMATCHES 10
/* Longest text taken from a contract or a request into an explain line. */
#define EXPLAIN_TEXT 200
/*
 * --explain text kept per request: one line per interaction considered,
 * each cut short (EXPLAIN_TEXT), so only a huge set comes near it. Past
 * it candidate lines are counted, not kept; the line that says which
 * interaction was chosen always comes.
 */
#define EXPLAIN_MAX (1u << 20)
/* An answer larger than this is not prepared: it is built per request,
 * as one with generators is, rather than held for the set's lifetime. */
#define PREPARED_MAX (64u << 20)
/* The start of a prepared answer fetched ahead into cache: its head. */
#define PREFETCH_BYTES 2048
#define CACHE_LINE 64

/* One HTTP interaction of the set. */
struct entry {
	const struct contract *c;
	const struct interaction *ix;
	size_t nrules; /* rule-matched fields, see count_rules() */
	int literal;   /* has a path and no rule on it */
	/* no query, headers, body or rules: under its method and literal
	 * path it matches any request without a query (the interaction
	 * itself need not be read: with many, it is seldom in cache) */
	int simple;
	int status; /* of the response (200 when the contract has none) */
	const char *description;
	char *resp; /* the keep-alive answer without generators, or NULL */
	size_t resp_len, head_len;
};

/*
 * Indexes into the entry array, ascending (file order). Most lists hold
 * one index: it lives in `one` (v points there), which saves a lookup an
 * allocation of its own, and a cache miss per request.
 */
struct ilist {
	size_t *v;
	size_t n;
	union {
		size_t cap; /* v on the heap */
		size_t one; /* v == &one */
	} u;
};

/*
 * A hash table slot: (method, path) or (method, no path: fallback). The
 * key is stored in the slot itself, so that checking a hit reads one
 * allocation rather than three (with 10,000 interactions each of those is
 * a cache miss).
 */
struct slot {
	uint64_t hash;
	struct slot *next;
	struct ilist list;
	uint32_t mlen;	   /* the method's length */
	uint32_t has_path; /* else a fallback slot */
	const char *resp;  /* the first entry's cached answer, or NULL: a
			      lookup starts fetching it at once */
	char key[]; /* upper-cased method, NUL, path, NUL: from byte 56 */
};

struct stub_set {
	struct contract **contracts; /* owned, with what they hold */
	size_t ncontracts;
	struct entry *e;
	size_t n;
	struct slot **table;
	size_t tsize;	    /* a power of two */
	struct ilist anyfb; /* interactions without a method */
};

/* Hashing: FNV-1a over the ASCII-upper-cased method, a separator, the path. */

static unsigned char upper(unsigned char ch)
{
	return ch >= 'a' && ch <= 'z' ? (unsigned char)(ch - 'a' + 'A') : ch;
}

static uint64_t key_hash(const char *method, const char *path)
{
	uint64_t h = HASH_FNV_OFFSET;
	const unsigned char *p;
	for (p = (const unsigned char *)method; *p; p++)
		h = hash_fnv1a_byte(h, upper(*p));
	/* no method or path contains 0xff or 0xfe: they keep keys apart */
	h = hash_fnv1a_byte(h, path ? 0xff : 0xfe);
	return hash_fnv1a(h, path);
}

static int slot_is(const struct slot *s, uint64_t h, const char *method,
		   const char *path)
{
	if (s->hash != h || str_casecmp(s->key, method))
		return 0;
	if (!s->has_path || !path)
		return !s->has_path && !path;
	return !strcmp(s->key + s->mlen + 1, path);
}

static struct slot *slot_find(const struct stub_set *s, const char *method,
			      const char *path)
{
	uint64_t h;
	struct slot *x;
	if (!s->tsize || !method)
		return NULL;
	h = key_hash(method, path);
	for (x = s->table[h & (s->tsize - 1)]; x; x = x->next)
		if (slot_is(x, h, method, path))
			return x;
	return NULL;
}

static void ilist_add(struct ilist *l, size_t i)
{
	if (!l->n) {
		l->u.one = i;
		l->v = &l->u.one;
		l->n = 1;
		return;
	}
	if (l->v == &l->u.one) {
		size_t first = l->u.one;
		l->u.cap = 4;
		l->v = xmalloc(l->u.cap * sizeof(*l->v));
		l->v[0] = first;
	}
	l->v = xgrow(l->v, &l->u.cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = i;
}

static void ilist_release(struct ilist *l)
{
	if (l->n && l->v != &l->u.one)
		free(l->v);
}

static void slot_add(struct stub_set *s, const char *method, const char *path,
		     size_t i)
{
	struct slot *x = slot_find(s, method, path);
	size_t ml = strlen(method), pl = path ? strlen(path) : 0, k;
	if (!x) {
		/* cache-line aligned: a lookup touches one or two lines */
		size_t size = (sizeof(*x) + ml + pl + 2 + 63) & ~(size_t)63;
		x = aligned_alloc(64, size);
		if (!x)
			abort();
		memset(x, 0, size);
		for (k = 0; k < ml; k++)
			x->key[k] = (char)upper((unsigned char)method[k]);
		x->mlen = (uint32_t)ml;
		x->has_path = path != NULL;
		if (path)
			memcpy(x->key + ml + 1, path, pl);
		x->hash = key_hash(method, path);
		x->next = s->table[x->hash & (s->tsize - 1)];
		s->table[x->hash & (s->tsize - 1)] = x;
	}
	ilist_add(&x->list, i);
}

/*
 * How specific a match is: the number of rule entries in the request's
 * path, query, header and body categories. Each entry makes one field (or
 * one subtree of the body) match by rule rather than by its literal value,
 * so fewer entries means a more literal, more specific interaction. Rules
 * that happen not to apply to a given request are counted all the same:
 * the number is a property of the interaction, known at load time.
 */
static size_t count_rules(const struct http_request *r)
{
	static const char *const cats[] = { "path", "query", "header", "body" };
	size_t i, n = 0;
	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
		const struct rule_set *rs = rules_category(&r->rules, cats[i]);
		if (rs)
			n += rs->n;
	}
	return n;
}

static void prepare_responses(struct stub_set *s);

struct stub_set *stub_set_new(struct contract **contracts, size_t n)
{
	struct stub_set *s = xcalloc(1, sizeof(*s));
	size_t i, j, total = 0;

	s->contracts = xcalloc(n ? n : 1, sizeof(*s->contracts));
	for (i = 0; i < n; i++) {
		if (!contracts[i])
			continue;
		s->contracts[s->ncontracts++] = contracts[i];
		for (j = 0; j < contracts[i]->n; j++)
			total += contracts[i]->ix[j].type == IX_HTTP;
	}
	s->e = xcalloc(total ? total : 1, sizeof(*s->e));
	/* at most one slot per interaction: keep chains short */
	for (s->tsize = 16; s->tsize < total * 2; s->tsize *= 2)
		;
	s->table = xcalloc(s->tsize, sizeof(*s->table));

	for (i = 0; i < s->ncontracts; i++) {
		const struct contract *c = s->contracts[i];
		for (j = 0; j < c->n; j++) {
			const struct interaction *ix = &c->ix[j];
			const struct http_request *r = &ix->request;
			const struct rule_set *rs;
			struct entry *e;
			if (ix->type != IX_HTTP)
				continue;
			e = &s->e[s->n];
			e->c = c;
			e->ix = ix;
			e->nrules = count_rules(r);
			rs = rules_category(&r->rules, "path");
			/* match_path() compares literally when the category
			 * is empty, so an empty one is no rule */
			e->literal = r->has_path && r->path && !(rs && rs->n);
			e->simple = e->literal && !r->query.present &&
				    !r->headers.n && !r->body.present &&
				    !r->rules.n;
			e->status = ix->response.has_status
					    ? ix->response.status
					    : 200;
			e->description = ix->description;
			if (!r->method)
				ilist_add(&s->anyfb, s->n);
			else
				slot_add(s, r->method,
					 e->literal ? r->path : NULL, s->n);
			s->n++;
		}
	}
	prepare_responses(s);
	for (i = 0; i < s->tsize; i++) {
		struct slot *x;
		for (x = s->table[i]; x; x = x->next)
			if (x->has_path && x->list.n)
				x->resp = s->e[x->list.v[0]].resp;
	}
	return s;
}

void stub_set_free(struct stub_set *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->tsize; i++) {
		struct slot *x = s->table[i], *next;
		for (; x; x = next) {
			next = x->next;
			ilist_release(&x->list);
			free(x);
		}
	}
	free(s->table);
	ilist_release(&s->anyfb);
	for (i = 0; i < s->n; i++)
		free(s->e[i].resp);
	free(s->e);
	for (i = 0; i < s->ncontracts; i++)
		contract_free(s->contracts[i]);
	free(s->contracts);
	free(s);
}

/*
 * Builds every interaction's answer once (keep-alive, no generators): on
 * the hot path a stub then copies bytes instead of printing JSON. Each
 * answer is printed into one scratch buffer and copied out at its exact
 * size: a buffer grown by doubling would leave up to half of every answer
 * unused, which for 10,000 interactions is megabytes of resident memory.
 */
static void prepare_responses(struct stub_set *s)
{
	struct stub_gen off;
	struct buf b;
	size_t i;
	memset(&off, 0, sizeof(off));
	buf_init(&b, PREPARED_MAX);
	for (i = 0; i < s->n; i++) {
		struct err e;
		const char *end;
		buf_reset(&b);
		err_clear(&e);
		if (stub_respond(s->e[i].ix, &off, 0, 1, &b, &e))
			continue;
		end = strstr(b.ptr, "\r\n\r\n");
		s->e[i].head_len = end ? (size_t)(end - b.ptr) + 4 : b.len;
		s->e[i].resp = xmalloc(b.len + 1);
		memcpy(s->e[i].resp, b.ptr, b.len + 1);
		s->e[i].resp_len = b.len;
	}
	buf_release(&b);
}

const char *stub_set_response(const struct stub_set *s, size_t index,
			      size_t *len, size_t *head_len)
{
	if (!s || index >= s->n || !s->e[index].resp)
		return NULL;
	*len = s->e[index].resp_len;
	*head_len = s->e[index].head_len;
	return s->e[index].resp;
}

size_t stub_set_count(const struct stub_set *s)
{
	return s ? s->n : 0;
}

const char *stub_set_description(const struct stub_set *s, size_t index)
{
	return s && index < s->n ? s->e[index].description : NULL;
}

int stub_set_status(const struct stub_set *s, size_t index)
{
	return s && index < s->n ? s->e[index].status : 0;
}

/*
 * The candidates of a request: up to three ascending index lists walked
 * together so that they come out in file order, without allocating.
 */
struct cand_iter {
	const struct ilist *l[3];
	size_t pos[3];
	int from; /* the list the last candidate came from */
};

static void cand_init(struct cand_iter *it, const struct stub_set *s,
		      const struct http_request *req)
{
	const struct slot *hit = NULL, *fb = NULL;
	memset(it, 0, sizeof(*it));
	if (req->method) {
		if (req->path)
			hit = slot_find(s, req->method, req->path);
		fb = slot_find(s, req->method, NULL);
	}
#if defined(__GNUC__)
	/* the entry and the answer an exact hit leads to are needed soon:
	 * with many interactions neither is in cache */
	if (hit) {
		size_t k;
		__builtin_prefetch(&s->e[hit->list.v[0]]);
		for (k = 0; hit->resp && k < PREFETCH_BYTES; k += CACHE_LINE)
			__builtin_prefetch(hit->resp + k);
	}
#endif
	it->l[0] = hit ? &hit->list : NULL;
	it->l[1] = fb ? &fb->list : NULL;
	it->l[2] = &s->anyfb;
}

/* The next candidate's index in file order; 0 when there is none. */
static int cand_next(struct cand_iter *it, size_t *out)
{
	int i, best = -1;
	for (i = 0; i < 3; i++) {
		const struct ilist *l = it->l[i];
		if (!l || it->pos[i] >= l->n)
			continue;
		if (best < 0 ||
		    l->v[it->pos[i]] < it->l[best]->v[it->pos[best]])
			best = i;
	}
	if (best < 0)
		return 0;
	*out = it->l[best]->v[it->pos[best]++];
	it->from = best;
	return 1;
}

/* Provider states. */

static int has_name(const char *const *names, size_t n, const char *name)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return 1;
	return 0;
}

static int ix_has_state(const struct interaction *ix, const char *name)
{
	size_t i;
	for (i = 0; i < ix->nstates; i++)
		if (ix->states[i].name && !strcmp(ix->states[i].name, name))
			return 1;
	return 0;
}

/*
 * How well an interaction's provider states fit the chosen ones, lower is
 * better: 0 when the names are the same set (no states chosen and none
 * written counts as the same set), 1 when it has no states (the general
 * answer when no interaction was written for the chosen states), 2 when it
 * has other states.
 */
static int state_tier(const struct interaction *ix,
		      const struct stub_states *st)
{
	const char *const *names = st ? st->names : NULL;
	size_t n = st && st->names ? st->n : 0, i;
	int same = 1;
	for (i = 0; i < n && same; i++)
		if (names[i] && !ix_has_state(ix, names[i]))
			same = 0;
	for (i = 0; i < ix->nstates && same; i++)
		if (!has_name(names, n,
			      ix->states[i].name ? ix->states[i].name : ""))
			same = 0;
	if (same)
		return 0;
	return ix->nstates ? 2 : 1;
}

/* Explain text. */

/* Appends s, at most EXPLAIN_TEXT bytes, control bytes shown as '?'. */
static void add_clean(struct buf *b, const char *s)
{
	size_t i;
	if (!s)
		s = "";
	for (i = 0; s[i] && i < EXPLAIN_TEXT; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf_addch(b, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
	}
	if (s[i])
		buf_addstr(b, "...");
}

static void add_label(struct buf *b, const struct stub_set *s, size_t i)
{
	buf_addf(b, "#%zu '", i);
	add_clean(b, s->e[i].ix->description);
	buf_addch(b, '\'');
}

static void add_states(struct buf *b, const struct interaction *ix)
{
	size_t i;
	if (!ix->nstates) {
		buf_addstr(b, "none");
		return;
	}
	for (i = 0; i < ix->nstates; i++) {
		buf_addstr(b, i ? ", '" : "'");
		add_clean(b, ix->states[i].name);
		buf_addch(b, '\'');
	}
}

static void explain_candidate(struct buf *b, const struct stub_set *s, size_t i,
			      size_t count, const struct mismatches *m,
			      size_t *left_out)
{
	if (b->len >= EXPLAIN_MAX) {
		(*left_out)++;
		return;
	}
	buf_addstr(b, "candidate ");
	add_label(b, s, i);
	if (!count) {
		buf_addstr(b, ": match");
	} else {
		buf_addf(b, ": %zu mismatch%s", count, count == 1 ? "" : "es");
		if (m->n) {
			buf_addstr(b, " (first: ");
			add_clean(b, m->v[0].path);
			buf_addstr(b, ": ");
			add_clean(b, m->v[0].message);
			buf_addch(b, ')');
		}
	}
	buf_addstr(b, "; states: ");
	add_states(b, s->e[i].ix);
	buf_addf(b, "; rule-matched fields: %zu\n", s->e[i].nrules);
}

/* A matching candidate's rank: lower is better at each step. */
struct rank {
	size_t index;
	int tier;
	size_t nrules;
};

static int rank_better(const struct rank *a, const struct rank *b)
{
	if (a->tier != b->tier)
		return a->tier < b->tier;
	if (a->nrules != b->nrules)
		return a->nrules < b->nrules;
	return a->index < b->index;
}

static void explain_choice(struct buf *b, const struct stub_set *s,
			   const struct rank *w, const struct rank *second,
			   size_t nmatch, const struct stub_states *st)
{
	int chosen = st && st->names && st->n;
	buf_addstr(b, "chose ");
	add_label(b, s, w->index);
	buf_addstr(b, " because ");
	if (nmatch == 1)
		buf_addstr(b, "it is the only interaction that matches");
	else if (w->tier != second->tier && w->tier == 0 && chosen)
		buf_addstr(b, "its provider states are the chosen states");
	else if (w->tier != second->tier && w->tier == 0)
		buf_addstr(b, "it has no provider states and none were chosen");
	else if (w->tier != second->tier)
		buf_addstr(
			b,
			"it has no provider states and no match has the chosen states");
	else if (w->nrules != second->nrules)
		buf_addf(
			b,
			"it has the fewest rule-matched fields (%zu; next best #%zu has %zu)",
			w->nrules, second->index, second->nrules);
	else
		buf_addf(
			b,
			"it comes first in file order (%zu interactions match)",
			nmatch);
	buf_addch(b, '\n');
}

int stub_select(const struct stub_set *s, const struct http_request *req,
		const struct stub_states *states, struct stub_pick *pick,
		struct buf *explain)
{
	struct cand_iter it;
	struct rank best = { 0, 0, 0 }, second = { 0, 0, 0 }, r;
	size_t i, nmatch = 0, left_out = 0;

	cand_init(&it, s, req);
	while (cand_next(&it, &i)) {
		const struct entry *e = &s->e[i];
		struct match_opts o = { e->c->spec, 0, 0 };
		struct mismatches m;
		size_t count;
		/* the list under the request's method and path holds only
		 * entries with that method and literal path: nothing more to
		 * check there. The others can still differ on a literal path
		 * (method-less entries): skip the full match for them */
		int exact = it.from == 0;
		if (!explain && !exact && e->literal &&
		    (!req->path || strcmp(e->ix->request.path, req->path)))
			continue;
		mismatches_init(&m);
		if (exact && !explain && e->simple && !req->query.present)
			count = 0;
		else if (exact && !explain)
			count = match_request_indexed(&e->ix->request, req, &o,
						      &m);
		else
			count = match_request(&e->ix->request, req, &o, &m);
		if (explain)
			explain_candidate(explain, s, i, count, &m, &left_out);
		mismatches_release(&m);
		if (count)
			continue;
		r.index = i;
		r.tier = state_tier(e->ix, states);
		r.nrules = e->nrules;
		nmatch++;
		if (nmatch == 1 || rank_better(&r, &best)) {
			second = best;
			best = r;
		} else if (nmatch == 2 || rank_better(&r, &second)) {
			second = r;
		}
	}
	if (left_out)
		buf_addf(explain,
			 "%zu more candidates left out (--explain keeps %u "
			 "bytes a request)\n",
			 left_out, EXPLAIN_MAX);
	if (!nmatch) {
		if (explain)
			buf_addstr(explain, "no interaction matches\n");
		return 0;
	}
	if (explain)
		explain_choice(explain, s, &best, &second, nmatch, states);
	pick->contract = s->e[best.index].c;
	pick->ix = s->e[best.index].ix;
	pick->index = best.index;
	pick->description = s->e[best.index].description;
	pick->status = s->e[best.index].status;
	return 1;
}

/* Nearest miss. */

struct near {
	size_t index;
	int same; /* method and path match */
	size_t count;
	struct mismatches m;
};

/* Same method and path first, then fewer mismatches, then file order. */
static int near_better(const struct near *a, const struct near *b)
{
	if (a->same != b->same)
		return a->same > b->same;
	if (a->count != b->count)
		return a->count < b->count;
	return a->index < b->index;
}

/* The best `max` seen so far, sorted, and what it took to find them. */
struct nearest {
	struct near *top;
	size_t n;
	size_t max;
	unsigned char *seen; /* one byte per entry */
	size_t considered;
};

static void consider(const struct stub_set *s, const struct http_request *req,
		     struct nearest *ns, size_t i)
{
	const struct entry *e = &s->e[i];
	struct match_opts o = { e->c->spec, 0, 0 };
	struct near x;
	size_t j, pos;

	if (ns->seen[i] || ns->considered >= NEAREST_CONSIDER)
		return;
	ns->seen[i] = 1;
	ns->considered++;
	x.index = i;
	mismatches_init(&x.m);
	x.count = match_request(&e->ix->request, req, &o, &x.m);
	/* method and path are matched first, so their mismatches are
	 * always kept in the list */
	x.same = 1;
	for (j = 0; j < x.m.n; j++)
		if (!strcmp(x.m.v[j].path, "$.method") ||
		    !strcmp(x.m.v[j].path, "$.path"))
			x.same = 0;
	for (pos = ns->n; pos > 0 && near_better(&x, &ns->top[pos - 1]); pos--)
		;
	if (pos >= ns->max) {
		mismatches_release(&x.m);
		return;
	}
	if (ns->n == ns->max) {
		mismatches_release(&ns->top[ns->n - 1].m);
		ns->n--;
	}
	memmove(&ns->top[pos + 1], &ns->top[pos],
		(ns->n - pos) * sizeof(*ns->top));
	ns->top[pos] = x;
	ns->n++;
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *near_json(const struct stub_set *s, const struct near *x)
{
	const struct entry *e = &s->e[x->index];
	cJSON *o = cJSON_CreateObject(), *list = cJSON_CreateArray();
	size_t i;
	cJSON_AddItemToObject(o, "description",
			      str_or_null(e->ix->description));
	cJSON_AddItemToObject(o, "consumer", str_or_null(e->c->consumer));
	cJSON_AddItemToObject(o, "provider", str_or_null(e->c->provider));
	for (i = 0; i < x->m.n && i < NEAREST_MISMATCHES; i++) {
		const struct mismatch *m = &x->m.v[i];
		cJSON *mo = cJSON_CreateObject();
		cJSON_AddItemToObject(mo, "path", str_or_null(m->path));
		cJSON_AddItemToObject(mo, "expected", str_or_null(m->expected));
		cJSON_AddItemToObject(mo, "actual", str_or_null(m->actual));
		cJSON_AddItemToObject(mo, "message", str_or_null(m->message));
		cJSON_AddItemToArray(list, mo);
	}
	cJSON_AddItemToObject(o, "mismatches", list);
	return o;
}

cJSON *stub_nearest(const struct stub_set *s, const struct http_request *req,
		    size_t max)
{
	struct nearest ns;
	struct cand_iter it;
	cJSON *doc = cJSON_CreateObject(), *r = cJSON_CreateObject();
	cJSON *list = cJSON_CreateArray();
	size_t i;

	cJSON_AddStringToObject(doc, "error", "no interaction matches");
	cJSON_AddItemToObject(r, "method", str_or_null(req->method));
	cJSON_AddItemToObject(r, "path", str_or_null(req->path));
	cJSON_AddItemToObject(doc, "request", r);

	memset(&ns, 0, sizeof(ns));
	ns.max = max < NEAREST_CONSIDER ? max : NEAREST_CONSIDER;
	ns.top = xcalloc(ns.max ? ns.max : 1, sizeof(*ns.top));
	ns.seen = xcalloc(s->n ? s->n : 1, 1);
	if (ns.max) {
		/* the same method (and path, where literal) first, */
		cand_init(&it, s, req);
		while (cand_next(&it, &i))
			consider(s, req, &ns, i);
		/* then the same literal path under another method, */
		for (i = 0;
		     i < s->n && req->path && ns.considered < NEAREST_CONSIDER;
		     i++)
			if (s->e[i].literal &&
			    !strcmp(s->e[i].ix->request.path, req->path))
				consider(s, req, &ns, i);
		/* then the rest in file order, while the budget lasts */
		for (i = 0; i < s->n && ns.considered < NEAREST_CONSIDER; i++)
			consider(s, req, &ns, i);
	}
	for (i = 0; i < ns.n; i++) {
		cJSON_AddItemToArray(list, near_json(s, &ns.top[i]));
		mismatches_release(&ns.top[i].m);
	}
	cJSON_AddItemToObject(doc, "nearest", list);
	free(ns.top);
	free(ns.seen);
	return doc;
}
