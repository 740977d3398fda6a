/*
 * diff.c: what changed between two versions of one contract (`accord
 * diff`), classified from the provider's point of view: breaking when a
 * provider that honoured OLD may fail NEW, compatible otherwise.
 *
 * Interactions are paired by description plus provider state names (the
 * identity Pact verification uses); the n-th of several with one identity
 * pairs with the n-th. A paired interaction is compared on the model, so
 * a v2 file, its v4 conversion and its YAML form compare equal:
 *
 * - the request is what the provider must accept: anything new or
 *   different in it is breaking, except a matcher that was narrowed (the
 *   consumer now sends a subset of what it sent before);
 * - the response, a message's contents and a sync message's replies are
 *   what the provider must produce: something new, different or narrowed
 *   is breaking, something removed or widened is compatible.
 *
 * docs/diff.md holds the table of rules with their reasons.
 */
#include "contracts/insight/insight.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Which side of the provider a part is on. */
enum side {
	ACCEPTS,  /* request: the provider receives it */
	PRODUCES, /* response, message: the provider makes it */
};

/* How the values a matcher allows changed. */
enum width { SAME, NARROWED, WIDENED, CHANGED };

/* One segment of a concrete location in a body. */
struct cseg {
	const char *name; /* field name, or NULL for an index */
	size_t index;
};

struct walk {
	struct diff_ix *ix;
	enum side side;
	const struct rules *ra, *rb; /* OLD and NEW rules of the part */
	const char *cat;	     /* "body" (or "content") */
	struct cseg *segs;
	size_t nsegs, capsegs;
	struct buf path; /* "$.response.body.a[0]" */
};

static void change_add(struct diff_ix *ix, const char *kind,
		       enum diff_class cls, const char *path, const char *fmt,
		       ...) ATTR_PRINTF(5, 6);

static void change_add(struct diff_ix *ix, const char *kind,
		       enum diff_class cls, const char *path, const char *fmt,
		       ...)
{
	struct diff_change *c;
	struct buf m;
	va_list ap;
	ix->v = xgrow(ix->v, &ix->cap, ix->n + 1, sizeof(*ix->v));
	c = &ix->v[ix->n++];
	c->kind = kind;
	c->cls = cls;
	c->path = xstrdup(path);
	buf_init(&m, 0);
	va_start(ap, fmt);
	buf_vaddf(&m, fmt, ap);
	va_end(ap);
	c->message = buf_detach(&m, NULL);
	if (cls == DIFF_BREAKING)
		ix->cls = DIFF_BREAKING;
}

/* Rules. */

static const char *json_kind(const cJSON *v);

static int cat_is(const char *cat, const char *want)
{
	/* v3 messages keep contents rules under "body", v4 under "content" */
	if (!strcmp(want, "body"))
		return !strcmp(cat, "body") || !strcmp(cat, "content");
	if (!strcmp(want, "header"))
		return !strcmp(cat, "header") || !strcmp(cat, "headers");
	return !strcmp(cat, want);
}

static int all_equality(const struct rule *r)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (r->m[i].type != M_EQUALITY)
			return 0;
	return 1;
}

/* Does rule path p apply at the concrete location (or above it)? */
static int path_covers(const struct path *p, const struct cseg *segs, size_t n)
{
	size_t i, k = 0;
	for (i = 0; i < p->n; i++) {
		const struct seg *s = &p->segs[i];
		if (s->kind == SEG_ROOT)
			continue;
		if (k >= n)
			return 0;
		if (s->kind == SEG_FIELD &&
		    (!segs[k].name || strcmp(s->name, segs[k].name)))
			return 0;
		if (s->kind == SEG_INDEX &&
		    (segs[k].name || (size_t)s->index != segs[k].index))
			return 0;
		k++;
	}
	return 1;
}

/*
 * Is the value at the location constrained by a matcher other than
 * equality (its example is then only an example)? With `only` set, only
 * a rule of that matcher type counts, and only at the location itself.
 */
static int covered(const struct rules *r, const char *cat,
		   const struct cseg *segs, size_t n, int only,
		   enum matcher_type type)
{
	size_t c, i, k;
	for (c = 0; c < r->n; c++) {
		const struct rule_set *s = &r->cats[c];
		if (!cat_is(s->category, cat))
			continue;
		for (i = 0; i < s->n; i++) {
			const struct rule *ru = &s->rules[i];
			size_t depth = 0;
			if (!path_covers(&ru->path, segs, n))
				continue;
			for (k = 0; k < ru->path.n; k++)
				depth += ru->path.segs[k].kind != SEG_ROOT;
			if (!only && !all_equality(ru))
				return 1;
			if (only && depth == n)
				for (k = 0; k < ru->n; k++)
					if (ru->m[k].type == type)
						return 1;
		}
	}
	return 0;
}

/* A named rule (header, query, metadata; or "" for path and status). */
static const struct rule *named_rule(const struct rules *r, const char *cat,
				     const char *name)
{
	size_t c, i;
	for (c = 0; c < r->n; c++) {
		const struct rule_set *s = &r->cats[c];
		if (!cat_is(s->category, cat))
			continue;
		for (i = 0; i < s->n; i++) {
			const char *k = s->rules[i].key ? s->rules[i].key : "";
			if (!strcmp(cat, "header") ? !str_casecmp(k, name)
						   : !strcmp(k, name))
				return &s->rules[i];
			/* path and status rules are unnamed or "$" */
			if (!*name && !strcmp(k, "$"))
				return &s->rules[i];
		}
	}
	return NULL;
}

static int named_covered(const struct rules *r, const char *cat,
			 const char *name)
{
	const struct rule *ru = named_rule(r, cat, name);
	return ru && !all_equality(ru);
}

static int type_rank_wider(enum matcher_type wide, enum matcher_type narrow)
{
	switch (wide) {
	case M_TYPE:
		/* a type matcher allows any value of the example's type */
		return narrow == M_REGEX || narrow == M_INTEGER ||
		       narrow == M_DECIMAL || narrow == M_NUMBER ||
		       narrow == M_BOOLEAN || narrow == M_INCLUDE ||
		       narrow == M_DATE || narrow == M_TIME ||
		       narrow == M_DATETIME || narrow == M_SEMVER ||
		       narrow == M_VALUES || narrow == M_NOT_EMPTY;
	case M_NUMBER:
		return narrow == M_INTEGER || narrow == M_DECIMAL;
	default:
		return 0;
	}
}

static enum width width_join(enum width a, enum width b)
{
	if (a == SAME)
		return b;
	if (b == SAME || a == b)
		return a;
	return CHANGED;
}

static int str_same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static enum width matchers_width(const struct matcher *a, size_t na,
				 const struct matcher *b, size_t nb);

/* How the values allowed changed from matcher a (OLD) to b (NEW). */
static enum width matcher_width(const struct matcher *a,
				const struct matcher *b)
{
	enum width w = SAME;
	if (a->type != b->type) {
		if (a->type == M_EQUALITY)
			return WIDENED;
		if (b->type == M_EQUALITY)
			return NARROWED;
		if (type_rank_wider(b->type, a->type))
			return WIDENED;
		if (type_rank_wider(a->type, b->type))
			return NARROWED;
		return CHANGED;
	}
	switch (a->type) {
	case M_REGEX:
		return str_same(a->regex, b->regex) ? SAME : CHANGED;
	case M_INCLUDE:
	case M_CONTENT_TYPE:
		return str_same(a->value, b->value) ? SAME : CHANGED;
	case M_DATE:
	case M_TIME:
	case M_DATETIME:
		return str_same(a->format, b->format) ? SAME : CHANGED;
	case M_STATUS_CODE:
		if (!str_same(a->status_class, b->status_class) ||
		    a->nstatuses != b->nstatuses ||
		    (a->nstatuses && memcmp(a->statuses, b->statuses,
					    a->nstatuses * sizeof(int))))
			return CHANGED;
		return SAME;
	case M_EACH_KEY:
	case M_EACH_VALUE:
		return matchers_width(a->sub, a->nsub, b->sub, b->nsub);
	case M_ARRAY_CONTAINS:
		return a->nvariants == b->nvariants ? SAME : CHANGED;
	default:
		break;
	}
	/* min and max (type, and the arrays of eachLike and the like) */
	if (!a->has_min && b->has_min && b->min > 0)
		w = width_join(w, NARROWED);
	else if (a->has_min && !b->has_min && a->min > 0)
		w = width_join(w, WIDENED);
	else if (a->has_min && b->has_min && a->min != b->min)
		w = width_join(w, b->min > a->min ? NARROWED : WIDENED);
	if (!a->has_max && b->has_max)
		w = width_join(w, NARROWED);
	else if (a->has_max && !b->has_max)
		w = width_join(w, WIDENED);
	else if (a->has_max && b->has_max && a->max != b->max)
		w = width_join(w, b->max < a->max ? NARROWED : WIDENED);
	return w;
}

static enum width matchers_width(const struct matcher *a, size_t na,
				 const struct matcher *b, size_t nb)
{
	enum width w = SAME;
	size_t i;
	if (na != nb)
		return CHANGED;
	for (i = 0; i < na; i++)
		w = width_join(w, matcher_width(&a[i], &b[i]));
	return w;
}

static enum width rule_width(const struct rule *a, const struct rule *b)
{
	if (a->n > 1 && b->n > 1 && a->combine_or != b->combine_or)
		return CHANGED;
	return matchers_width(a->m, a->n, b->m, b->n);
}

/* "$.items[*].id" from a parsed rule path (one spelling per path). */
static void path_canon(const struct path *p, struct buf *out)
{
	size_t i;
	buf_addch(out, '$');
	for (i = 0; i < p->n; i++) {
		const struct seg *s = &p->segs[i];
		if (s->kind == SEG_FIELD)
			buf_addf(out, ".%s", s->name);
		else if (s->kind == SEG_INDEX)
			buf_addf(out, "[%ld]", s->index);
		else if (s->kind == SEG_STAR)
			buf_addstr(out, "[*]");
	}
}

/* A flattened rule: its category, canonical key, and the rule. */
struct frule {
	const char *cat; /* normalised: "body", "header", ... */
	char *key;
	const struct rule *r;
};

static const char *cat_norm(const char *cat)
{
	if (cat_is(cat, "body"))
		return "body";
	if (cat_is(cat, "header"))
		return "header";
	return cat;
}

static int cmp_frule(const void *a, const void *b)
{
	const struct frule *x = a, *y = b;
	int r = strcmp(x->cat, y->cat);
	return r ? r : strcmp(x->key, y->key);
}

static struct frule *flatten(const struct rules *r, size_t *n)
{
	size_t c, i, total = 0;
	struct frule *v;
	for (c = 0; c < r->n; c++)
		total += r->cats[c].n;
	v = xcalloc(total + 1, sizeof(*v));
	*n = 0;
	for (c = 0; c < r->n; c++) {
		const struct rule_set *s = &r->cats[c];
		for (i = 0; i < s->n; i++) {
			struct frule *f = &v[(*n)++];
			const struct rule *ru = &s->rules[i];
			struct buf k;
			buf_init(&k, 0);
			f->cat = cat_norm(s->category);
			f->r = ru;
			if (ru->path.n)
				path_canon(&ru->path, &k);
			else if (ru->key && strcmp(ru->key, "$"))
				buf_addstr(&k, ru->key);
			if (!strcmp(f->cat, "header")) {
				size_t j;
				for (j = 0; j < k.len; j++)
					k.ptr[j] = (char)tolower(
						(unsigned char)k.ptr[j]);
			}
			f->key = buf_detach(&k, NULL);
		}
	}
	qsort(v, *n, sizeof(*v), cmp_frule);
	return v;
}

static void flatten_free(struct frule *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

/*
 * The first value a rule path selects in a JSON tree (a star takes every
 * member or element in turn), or NULL when it selects nothing.
 */
static const cJSON *json_at(const cJSON *v, const struct path *p, size_t i)
{
	const cJSON *it;
	while (i < p->n && p->segs[i].kind == SEG_ROOT)
		i++;
	if (!v || i == p->n)
		return v;
	switch (p->segs[i].kind) {
	case SEG_FIELD:
		if (!cJSON_IsObject(v))
			return NULL;
		return json_at(
			cJSON_GetObjectItemCaseSensitive(v, p->segs[i].name), p,
			i + 1);
	case SEG_INDEX:
		if (!cJSON_IsArray(v) || p->segs[i].index < 0 ||
		    p->segs[i].index > 1000000)
			return NULL;
		return json_at(cJSON_GetArrayItem(v, (int)p->segs[i].index), p,
			       i + 1);
	case SEG_STAR:
		if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
			return NULL;
		cJSON_ArrayForEach(it, v)
		{
			const cJSON *r = json_at(it, p, i + 1);
			if (r)
				return r;
		}
		return NULL;
	default:
		return NULL;
	}
}

/* What a part holds that rules can point at. */
struct part {
	const cJSON *body; /* body or contents (NULL: none) */
	const struct headers *headers;
	const struct query *query;
	const cJSON *metadata;
};

static int query_has(const struct query *q, const char *name)
{
	size_t i;
	for (i = 0; q && i < q->n; i++)
		if (!strcmp(q->v[i].name, name))
			return 1;
	return 0;
}

/*
 * Does the location of a rule exist in both versions, with values of one
 * kind? Otherwise the change is reported as a field added or removed, or
 * a type changed, and the rule that went with it says nothing more.
 */
static int rule_comparable(const struct frule *f, const struct part *pa,
			   const struct part *pb)
{
	if (!strcmp(f->cat, "body")) {
		const cJSON *a = json_at(pa->body, &f->r->path, 0);
		const cJSON *b = json_at(pb->body, &f->r->path, 0);
		return a && b && !strcmp(json_kind(a), json_kind(b));
	}
	if (!strcmp(f->cat, "header"))
		return pa->headers && pb->headers &&
		       headers_get(pa->headers, f->key) &&
		       headers_get(pb->headers, f->key);
	if (!strcmp(f->cat, "query"))
		return query_has(pa->query, f->key) &&
		       query_has(pb->query, f->key);
	if (!strcmp(f->cat, "metadata"))
		return cJSON_GetObjectItemCaseSensitive(pa->metadata, f->key) &&
		       cJSON_GetObjectItemCaseSensitive(pb->metadata, f->key);
	return 1;
}

/* Where a rule's location is shown: "$.response.body.a", ".headers.x" */
static void rule_where(const char *prefix, const char *body_name,
		       const struct frule *f, struct buf *out)
{
	buf_addstr(out, prefix);
	if (!strcmp(f->cat, "body")) {
		buf_addf(out, ".%s%s", body_name, f->key + 1);
		return;
	}
	if (!strcmp(f->cat, "header"))
		buf_addstr(out, ".headers");
	else
		buf_addf(out, ".%s", f->cat);
	if (*f->key)
		buf_addf(out, ".%s", f->key);
}

static void width_change(struct diff_ix *ix, enum side side, enum width w,
			 const char *where, const char *what)
{
	int accepts = side == ACCEPTS;
	switch (w) {
	case NARROWED:
		change_add(
			ix, "matcher-narrowed",
			accepts ? DIFF_COMPATIBLE : DIFF_BREAKING, where,
			"matcher narrowed (%s): %s", what,
			accepts ? "the consumer sends a subset of what it did"
				: "the provider must produce values in a narrower range");
		break;
	case WIDENED:
		change_add(
			ix, "matcher-widened",
			accepts ? DIFF_BREAKING : DIFF_COMPATIBLE, where,
			"matcher widened (%s): %s", what,
			accepts ? "the provider must accept more values"
				: "the consumer accepts more values than before");
		break;
	case CHANGED:
		change_add(
			ix, "matcher-changed", DIFF_BREAKING, where,
			"matcher changed (%s): the values allowed before and now differ",
			what);
		break;
	case SAME:
		break;
	}
}

static void matcher_desc(const struct rule *r, struct buf *out)
{
	size_t i;
	if (!r) {
		buf_addstr(out, "example value");
		return;
	}
	for (i = 0; i < r->n; i++) {
		const struct matcher *m = &r->m[i];
		if (i)
			buf_addstr(out, r->combine_or ? " or " : " and ");
		buf_addstr(out, matcher_name(m->type));
		if (m->type == M_REGEX && m->regex)
			buf_addf(out, " '%s'", m->regex);
		if ((m->type == M_DATE || m->type == M_TIME ||
		     m->type == M_DATETIME) &&
		    m->format)
			buf_addf(out, " '%s'", m->format);
		if (m->type == M_INCLUDE && m->value)
			buf_addf(out, " '%s'", m->value);
		if (m->has_min)
			buf_addf(out, " min %ld", m->min);
		if (m->has_max)
			buf_addf(out, " max %ld", m->max);
	}
}

/*
 * The common case, cheaply: the same categories and keys in the same
 * order, with matchers that allow the same values.
 */
static int rules_same(const struct rules *ra, const struct rules *rb)
{
	size_t c, i;
	if (ra->n != rb->n)
		return 0;
	for (c = 0; c < ra->n; c++) {
		const struct rule_set *x = &ra->cats[c], *y = &rb->cats[c];
		if (strcmp(x->category, y->category) || x->n != y->n)
			return 0;
		for (i = 0; i < x->n; i++)
			if (!str_same(x->rules[i].key, y->rules[i].key) ||
			    rule_width(&x->rules[i], &y->rules[i]) != SAME)
				return 0;
	}
	return 1;
}

/* Compares the rules of one part (request, response, message). */
static void rules_diff(struct diff_ix *ix, enum side side, const char *prefix,
		       const char *body_name, const struct rules *ra,
		       const struct rules *rb, const struct part *pa,
		       const struct part *pb)
{
	size_t na, nb, i = 0, j = 0;
	struct frule *a, *b;
	if (rules_same(ra, rb))
		return;
	a = flatten(ra, &na);
	b = flatten(rb, &nb);
	while (i < na || j < nb) {
		int c;
		const struct frule *f;
		const struct rule *old = NULL, *new = NULL;
		enum width w;
		struct buf where, what;
		if (i < na && j < nb)
			c = cmp_frule(&a[i], &b[j]);
		else
			c = i < na ? -1 : 1;
		if (c < 0) {
			f = &a[i];
			old = a[i++].r;
			w = all_equality(old) ? SAME : NARROWED;
		} else if (c > 0) {
			f = &b[j];
			new = b[j++].r;
			w = all_equality(new) ? SAME : WIDENED;
		} else {
			f = &b[j];
			old = a[i++].r;
			new = b[j++].r;
			w = rule_width(old, new);
		}
		if (w == SAME || !rule_comparable(f, pa, pb))
			continue;
		buf_init(&where, 0);
		buf_init(&what, 0);
		rule_where(prefix, body_name, f, &where);
		matcher_desc(old, &what);
		buf_addstr(&what, " -> ");
		matcher_desc(new, &what);
		width_change(ix, side, w, where.ptr, what.ptr);
		buf_release(&what);
		buf_release(&where);
	}
	flatten_free(a, na);
	flatten_free(b, nb);
}

/* Bodies. */

static const char *json_kind(const cJSON *v)
{
	if (cJSON_IsObject(v))
		return "object";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsNull(v))
		return "null";
	return "raw";
}

static void walk_push(struct walk *w, const char *name, size_t index,
		      size_t *saved)
{
	*saved = w->path.len;
	w->segs = xgrow(w->segs, &w->capsegs, w->nsegs + 1, sizeof(*w->segs));
	w->segs[w->nsegs].name = name;
	w->segs[w->nsegs].index = index;
	w->nsegs++;
	if (!name) {
		char num[32];
		size_t n = sizeof(num);
		num[--n] = '\0';
		do
			num[--n] = (char)('0' + index % 10);
		while ((index /= 10) && n > 1);
		buf_addch(&w->path, '[');
		buf_addstr(&w->path, num + n);
		buf_addch(&w->path, ']');
		return;
	}
	{
		/* plain names as .name, others as ['name'] */
		const char *p = name;
		int plain = *p != '\0';
		for (; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' &&
			    *p != '-')
				plain = 0;
		buf_addstr(&w->path, plain ? "." : "['");
		buf_addstr(&w->path, name);
		if (!plain)
			buf_addstr(&w->path, "']");
	}
}

static void walk_pop(struct walk *w, size_t saved)
{
	w->nsegs--;
	buf_setlen(&w->path, saved);
}

static int is_covered(struct walk *w)
{
	return covered(w->rb, w->cat, w->segs, w->nsegs, 0, M_EQUALITY);
}

/* Keys are examples when eachKey, eachValue or values rule the object. */
static int keys_free(struct walk *w)
{
	return covered(w->rb, w->cat, w->segs, w->nsegs, 1, M_EACH_KEY) ||
	       covered(w->rb, w->cat, w->segs, w->nsegs, 1, M_EACH_VALUE) ||
	       covered(w->rb, w->cat, w->segs, w->nsegs, 1, M_VALUES);
}

static void walk_value(struct walk *w, const cJSON *a, const cJSON *b);

static void field_added(struct walk *w)
{
	if (w->side == ACCEPTS)
		change_add(w->ix, "field-added", DIFF_BREAKING, w->path.ptr,
			   "new request field: the provider must accept it");
	else
		change_add(w->ix, "field-added", DIFF_BREAKING, w->path.ptr,
			   "new field: the provider must now produce it");
}

static void field_removed(struct walk *w)
{
	if (w->side == ACCEPTS)
		change_add(
			w->ix, "field-removed", DIFF_BREAKING, w->path.ptr,
			"request field removed: the provider may require it");
	else
		change_add(w->ix, "field-removed", DIFF_COMPATIBLE, w->path.ptr,
			   "field removed: the consumer no longer needs it");
}

/*
 * The member of `o` named like `it` (a member of `from`) at the same
 * occurrence: JSON allows a name twice, and the n-th pairs with the n-th.
 */
static const cJSON *same_member(const cJSON *from, const cJSON *it,
				const cJSON *o)
{
	const cJSON *first = cJSON_GetObjectItemCaseSensitive(from, it->string);
	const cJSON *x;
	size_t k = 0;
	if (first == it)
		return cJSON_GetObjectItemCaseSensitive(o, it->string);
	for (x = first; x && x != it; x = x->next)
		k += !strcmp(x->string, it->string);
	for (x = o->child; x; x = x->next)
		if (x->string && !strcmp(x->string, it->string) && !k--)
			return x;
	return NULL;
}

static void walk_object(struct walk *w, const cJSON *a, const cJSON *b)
{
	const cJSON *it;
	int free_keys = -1; /* found out when first needed: it is costly */
	size_t saved;
	cJSON_ArrayForEach(it, a)
	{
		const cJSON *other = same_member(a, it, b);
		if (!other && free_keys < 0)
			free_keys = keys_free(w);
		walk_push(w, it->string, 0, &saved);
		if (other)
			walk_value(w, it, other);
		else if (!free_keys)
			field_removed(w);
		walk_pop(w, saved);
	}
	cJSON_ArrayForEach(it, b)
	{
		if (same_member(b, it, a))
			continue;
		if (free_keys < 0)
			free_keys = keys_free(w);
		if (free_keys)
			continue;
		walk_push(w, it->string, 0, &saved);
		field_added(w);
		walk_pop(w, saved);
	}
}

static void walk_array(struct walk *w, const cJSON *a, const cJSON *b)
{
	int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
	const cJSON *x = a->child, *y = b->child;
	size_t k = 0, saved;
	for (; x && y; x = x->next, y = y->next, k++) {
		walk_push(w, NULL, k, &saved);
		walk_value(w, x, y);
		walk_pop(w, saved);
	}
	if (na != nb && !is_covered(w))
		change_add(w->ix, "value-changed", DIFF_BREAKING, w->path.ptr,
			   "array of %d items now has %d", na, nb);
}

static void leaf_text(const cJSON *v, struct buf *out)
{
	char *s = cJSON_PrintUnformatted(v);
	if (!s) {
		buf_addstr(out, "?");
		return;
	}
	if (strlen(s) > 60)
		buf_addf(out, "%.57s...", s);
	else
		buf_addstr(out, s);
	free(s);
}

static void walk_value(struct walk *w, const cJSON *a, const cJSON *b)
{
	const char *ka = json_kind(a), *kb = json_kind(b);
	if (strcmp(ka, kb)) {
		change_add(w->ix, "type-changed", DIFF_BREAKING, w->path.ptr,
			   "type changed from %s to %s", ka, kb);
		return;
	}
	if (cJSON_IsObject(a)) {
		walk_object(w, a, b);
		return;
	}
	if (cJSON_IsArray(a)) {
		walk_array(w, a, b);
		return;
	}
	if (cJSON_Compare(a, b, 1) || is_covered(w))
		return;
	{
		struct buf va, vb;
		buf_init(&va, 0);
		buf_init(&vb, 0);
		leaf_text(a, &va);
		leaf_text(b, &vb);
		change_add(
			w->ix, "value-changed", DIFF_BREAKING, w->path.ptr,
			"value changed from %s to %s (no matcher: it must be equal)",
			va.ptr, vb.ptr);
		buf_release(&vb);
		buf_release(&va);
	}
}

/* The media type of a Content-Type value, lower case, no parameters. */
static char *media_type(const char *ct)
{
	size_t n = 0, i;
	char *s;
	if (!ct)
		return NULL;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	while (ct[n] && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t')
		n++;
	if (!n)
		return NULL;
	s = xstrndup(ct, n);
	for (i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

/* A body's content type: its own (v4), else the one given by headers. */
static char *body_type(const struct body *b, const char *header_ct)
{
	return media_type(b->content_type ? b->content_type : header_ct);
}

static void body_diff(struct diff_ix *ix, enum side side, const char *prefix,
		      const struct body *a, const struct body *b,
		      const char *cta, const char *ctb, const struct rules *ra,
		      const struct rules *rb)
{
	struct walk w;
	char *ta, *tb;
	int accepts = side == ACCEPTS;
	if (!a->present && !b->present)
		return;
	if (!a->present) {
		change_add(
			ix, "body-added", DIFF_BREAKING, prefix, "%s",
			accepts ? "the request now has a body the provider must accept"
				: "a body is now expected: the provider must produce it");
		return;
	}
	if (!b->present) {
		if (accepts)
			change_add(
				ix, "body-removed", DIFF_BREAKING, prefix,
				"the request has no body any more: the provider may require one");
		else
			change_add(ix, "body-removed", DIFF_COMPATIBLE, prefix,
				   "no body expected any more");
		return;
	}
	ta = body_type(a, cta);
	tb = body_type(b, ctb);
	if (ta && tb && strcmp(ta, tb)) {
		change_add(ix, "content-type-changed", DIFF_BREAKING, prefix,
			   "body content type changed from %s to %s", ta, tb);
		free(ta);
		free(tb);
		return;
	}
	free(ta);
	free(tb);
	memset(&w, 0, sizeof(w));
	w.ix = ix;
	w.side = side;
	w.ra = ra;
	w.rb = rb;
	w.cat = "body";
	buf_init(&w.path, 0);
	buf_addstr(&w.path, prefix);
	if (a->json && b->json)
		walk_value(&w, a->json, b->json);
	else if (!a->json != !b->json)
		change_add(ix, "value-changed", DIFF_BREAKING, prefix,
			   "body changed");
	buf_release(&w.path);
	free(w.segs);
}

/* Headers, query, metadata: named values. */

static void join_values(char *const *v, size_t n, struct buf *out)
{
	size_t i;
	for (i = 0; i < n; i++)
		buf_addf(out, "%s%s", i ? ", " : "", v[i]);
}

static int cmp_header_ptr(const void *a, const void *b)
{
	const struct header *x = *(const struct header *const *)a;
	const struct header *y = *(const struct header *const *)b;
	return str_casecmp(x->name, y->name);
}

static const struct header **headers_sorted(const struct headers *h)
{
	const struct header **v = xcalloc(h->n + 1, sizeof(*v));
	size_t i;
	for (i = 0; i < h->n; i++)
		v[i] = &h->v[i];
	qsort(v, h->n, sizeof(*v), cmp_header_ptr);
	return v;
}

/* s without blanks, in lower case (Content-Type values compare so). */
static void squeeze_lower(struct buf *s)
{
	size_t r, o = 0;
	for (r = 0; r < s->len; r++)
		if (s->ptr[r] != ' ')
			s->ptr[o++] = (char)tolower((unsigned char)s->ptr[r]);
	buf_setlen(s, o);
}

/*
 * Reports `code` at `where` when the values of a header or query parameter
 * changed: both joined with ", " and compared as written, or `loose`ly
 * (without blanks and case, for Content-Type). A rule covering the name
 * (`covered`) allows any change.
 */
static void values_diff(struct diff_ix *ix, const char *code, const char *what,
			const char *where, char *const *av, size_t an,
			char *const *bv, size_t bn, int loose, int covered)
{
	struct buf va, vb, la, lb;
	int same;
	if (covered)
		return;
	buf_init(&va, 0);
	buf_init(&vb, 0);
	join_values(av, an, &va);
	join_values(bv, bn, &vb);
	same = !strcmp(va.ptr, vb.ptr);
	if (!same && loose) {
		buf_init(&la, 0);
		buf_init(&lb, 0);
		buf_addstr(&la, va.ptr);
		buf_addstr(&lb, vb.ptr);
		squeeze_lower(&la);
		squeeze_lower(&lb);
		same = !strcmp(la.ptr, lb.ptr);
		buf_release(&la);
		buf_release(&lb);
	}
	if (!same)
		change_add(ix, code, DIFF_BREAKING, where,
			   "%s value changed from '%s' to '%s'", what, va.ptr,
			   vb.ptr);
	buf_release(&va);
	buf_release(&vb);
}

static void headers_diff(struct diff_ix *ix, enum side side, const char *prefix,
			 const struct headers *ha, const struct headers *hb,
			 const struct rules *rb)
{
	const struct header **a = headers_sorted(ha), **b = headers_sorted(hb);
	size_t i = 0, j = 0;
	int accepts = side == ACCEPTS;
	struct buf where;
	buf_init(&where, 0);
	while (i < ha->n || j < hb->n) {
		int c;
		if (i < ha->n && j < hb->n)
			c = str_casecmp(a[i]->name, b[j]->name);
		else
			c = i < ha->n ? -1 : 1;
		buf_reset(&where);
		buf_addf(&where, "%s.headers.%s", prefix,
			 c <= 0 ? a[i]->name : b[j]->name);
		if (c < 0) {
			if (accepts)
				change_add(
					ix, "header-removed", DIFF_BREAKING,
					where.ptr,
					"request header removed: the provider may require it");
			else
				change_add(ix, "header-removed",
					   DIFF_COMPATIBLE, where.ptr,
					   "header no longer expected");
			i++;
		} else if (c > 0) {
			change_add(
				ix, "header-added", DIFF_BREAKING, where.ptr,
				"%s",
				accepts ? "new request header: the provider must accept it"
					: "new header: the provider must now send it");
			j++;
		} else {
			values_diff(ix, "header-value-changed", "header",
				    where.ptr, a[i]->values, a[i]->n,
				    b[j]->values, b[j]->n,
				    !str_casecmp(a[i]->name, "content-type"),
				    named_covered(rb, "header", b[j]->name));
			i++;
			j++;
		}
	}
	buf_release(&where);
	free(a);
	free(b);
}

static int cmp_param_ptr(const void *a, const void *b)
{
	const struct query_param *x = *(const struct query_param *const *)a;
	const struct query_param *y = *(const struct query_param *const *)b;
	return strcmp(x->name, y->name);
}

static void query_diff(struct diff_ix *ix, const struct query *qa,
		       const struct query *qb, const struct rules *rb)
{
	const struct query_param **a = xcalloc(qa->n + 1, sizeof(*a));
	const struct query_param **b = xcalloc(qb->n + 1, sizeof(*b));
	size_t i = 0, j = 0;
	struct buf where;
	for (i = 0; i < qa->n; i++)
		a[i] = &qa->v[i];
	for (j = 0; j < qb->n; j++)
		b[j] = &qb->v[j];
	qsort(a, qa->n, sizeof(*a), cmp_param_ptr);
	qsort(b, qb->n, sizeof(*b), cmp_param_ptr);
	buf_init(&where, 0);
	i = j = 0;
	while (i < qa->n || j < qb->n) {
		int c;
		if (i < qa->n && j < qb->n)
			c = strcmp(a[i]->name, b[j]->name);
		else
			c = i < qa->n ? -1 : 1;
		buf_reset(&where);
		buf_addf(&where, "$.request.query.%s",
			 c <= 0 ? a[i]->name : b[j]->name);
		if (c < 0) {
			change_add(
				ix, "query-removed", DIFF_BREAKING, where.ptr,
				"query parameter removed: the provider may require it");
			i++;
		} else if (c > 0) {
			change_add(
				ix, "query-added", DIFF_BREAKING, where.ptr,
				"new query parameter: the provider must accept it");
			j++;
		} else {
			values_diff(ix, "query-value-changed", "query",
				    where.ptr, a[i]->values, a[i]->n,
				    b[j]->values, b[j]->n, 0,
				    named_covered(rb, "query", b[j]->name));
			i++;
			j++;
		}
	}
	buf_release(&where);
	free(a);
	free(b);
}

static const char *header_value(const struct headers *h, const char *name)
{
	const struct header *x = headers_get(h, name);
	return x && x->n ? x->values[0] : NULL;
}

static void http_diff(struct diff_ix *ix, const struct interaction *a,
		      const struct interaction *b)
{
	const struct http_request *qa = &a->request, *qb = &b->request;
	const struct http_response *sa = &a->response, *sb = &b->response;
	if (!str_same(qa->method, qb->method) &&
	    (!qa->method || !qb->method || str_casecmp(qa->method, qb->method)))
		change_add(ix, "method-changed", DIFF_BREAKING,
			   "$.request.method", "method changed from %s to %s",
			   qa->method ? qa->method : "(none)",
			   qb->method ? qb->method : "(none)");
	if (!str_same(qa->has_path ? qa->path : NULL,
		      qb->has_path ? qb->path : NULL) &&
	    !named_covered(&qb->rules, "path", ""))
		change_add(ix, "path-changed", DIFF_BREAKING, "$.request.path",
			   "path changed from %s to %s",
			   qa->has_path && qa->path ? qa->path : "(none)",
			   qb->has_path && qb->path ? qb->path : "(none)");
	query_diff(ix, &qa->query, &qb->query, &qb->rules);
	headers_diff(ix, ACCEPTS, "$.request", &qa->headers, &qb->headers,
		     &qb->rules);
	body_diff(ix, ACCEPTS, "$.request.body", &qa->body, &qb->body,
		  header_value(&qa->headers, "Content-Type"),
		  header_value(&qb->headers, "Content-Type"), &qa->rules,
		  &qb->rules);
	{
		struct part pa = { qa->body.json, &qa->headers, &qa->query,
				   NULL };
		struct part pb = { qb->body.json, &qb->headers, &qb->query,
				   NULL };
		rules_diff(ix, ACCEPTS, "$.request", "body", &qa->rules,
			   &qb->rules, &pa, &pb);
	}

	if (sa->has_status != sb->has_status ||
	    (sa->status != sb->status &&
	     !named_covered(&sb->rules, "status", "")))
		change_add(ix, "status-changed", DIFF_BREAKING,
			   "$.response.status", "status changed from %d to %d",
			   sa->status, sb->status);
	headers_diff(ix, PRODUCES, "$.response", &sa->headers, &sb->headers,
		     &sb->rules);
	body_diff(ix, PRODUCES, "$.response.body", &sa->body, &sb->body,
		  header_value(&sa->headers, "Content-Type"),
		  header_value(&sb->headers, "Content-Type"), &sa->rules,
		  &sb->rules);
	{
		struct part pa = { sa->body.json, &sa->headers, NULL, NULL };
		struct part pb = { sb->body.json, &sb->headers, NULL, NULL };
		rules_diff(ix, PRODUCES, "$.response", "body", &sa->rules,
			   &sb->rules, &pa, &pb);
	}
}

static const char *meta_type(const cJSON *meta)
{
	const cJSON *v;
	if (!meta)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(meta, "contentType");
	if (!cJSON_IsString(v))
		v = cJSON_GetObjectItem(meta, "content-type");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void metadata_diff(struct diff_ix *ix, enum side side,
			  const char *prefix, const cJSON *ma, const cJSON *mb,
			  const struct rules *rb)
{
	const cJSON *it;
	struct buf where;
	int accepts = side == ACCEPTS;
	static const cJSON none = { 0 };
	/* the reader gives an object or NULL; anything else counts as none */
	if (!cJSON_IsObject(ma))
		ma = &none;
	if (!cJSON_IsObject(mb))
		mb = &none;
	buf_init(&where, 0);
	cJSON_ArrayForEach(it, ma)
	{
		const cJSON *o = same_member(ma, it, mb);
		buf_reset(&where);
		buf_addf(&where, "%s.metadata.%s", prefix, it->string);
		if (!o)
			change_add(
				ix, "metadata-removed",
				accepts ? DIFF_BREAKING : DIFF_COMPATIBLE,
				where.ptr, "%s",
				accepts ? "metadata removed: the provider may require it"
					: "metadata no longer expected");
		else if (!cJSON_Compare(it, o, 1) &&
			 !named_covered(rb, "metadata", it->string))
			change_add(ix, "metadata-changed", DIFF_BREAKING,
				   where.ptr, "metadata value changed");
	}
	cJSON_ArrayForEach(it, mb)
	{
		if (same_member(mb, it, ma))
			continue;
		buf_reset(&where);
		buf_addf(&where, "%s.metadata.%s", prefix, it->string);
		change_add(
			ix, "metadata-added", DIFF_BREAKING, where.ptr, "%s",
			accepts ? "new metadata: the provider must accept it"
				: "new metadata: the provider must now send it");
	}
	buf_release(&where);
}

static void message_diff(struct diff_ix *ix, enum side side, const char *prefix,
			 const struct message *a, const struct message *b)
{
	struct buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s.contents", prefix);
	body_diff(ix, side, p.ptr, &a->contents, &b->contents,
		  meta_type(a->metadata), meta_type(b->metadata), &a->rules,
		  &b->rules);
	metadata_diff(ix, side, prefix, a->metadata, b->metadata, &b->rules);
	{
		struct part pa = { a->contents.json, NULL, NULL, a->metadata };
		struct part pb = { b->contents.json, NULL, NULL, b->metadata };
		rules_diff(ix, side, prefix, "contents", &a->rules, &b->rules,
			   &pa, &pb);
	}
	buf_release(&p);
}

static void sync_diff(struct diff_ix *ix, const struct interaction *a,
		      const struct interaction *b)
{
	size_t k;
	struct buf p;
	message_diff(ix, ACCEPTS, "$.request", &a->message, &b->message);
	buf_init(&p, 0);
	for (k = 0; k < a->nreplies || k < b->nreplies; k++) {
		buf_reset(&p);
		buf_addf(&p, "$.response[%zu]", k);
		if (k >= a->nreplies)
			change_add(ix, "reply-added", DIFF_BREAKING, p.ptr,
				   "new reply: the provider must now send it");
		else if (k >= b->nreplies)
			change_add(ix, "reply-removed", DIFF_COMPATIBLE, p.ptr,
				   "reply no longer expected");
		else
			message_diff(ix, PRODUCES, p.ptr, &a->replies[k],
				     &b->replies[k]);
	}
	buf_release(&p);
}

/* Pairing. */

struct keyed {
	const struct interaction *x;
	size_t index; /* position in its file: ties keep file order */
};

static int cmp_states(const struct interaction *x, const struct interaction *y)
{
	size_t k;
	for (k = 0; k < x->nstates && k < y->nstates; k++) {
		int r = strcmp(x->states[k].name ? x->states[k].name : "",
			       y->states[k].name ? y->states[k].name : "");
		if (r)
			return r;
	}
	if (x->nstates != y->nstates)
		return x->nstates < y->nstates ? -1 : 1;
	return 0;
}

static int cmp_identity(const struct interaction *x,
			const struct interaction *y)
{
	int r = strcmp(x->description ? x->description : "",
		       y->description ? y->description : "");
	return r ? r : cmp_states(x, y);
}

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int r = cmp_identity(x->x, y->x);
	if (r)
		return r;
	return x->index < y->index ? -1 : x->index > y->index;
}

static struct keyed *keyed_sorted(const struct contract *c)
{
	struct keyed *v = xcalloc(c->n + 1, sizeof(*v));
	size_t i;
	for (i = 0; i < c->n; i++) {
		v[i].x = &c->ix[i];
		v[i].index = i;
	}
	qsort(v, c->n, sizeof(*v), cmp_keyed);
	return v;
}

static struct diff_ix *ix_new(struct diff *d, size_t *cap, enum diff_status st,
			      const struct interaction *x)
{
	struct diff_ix *ix;
	size_t k;
	d->v = xgrow(d->v, cap, d->n + 1, sizeof(*d->v));
	ix = &d->v[d->n++];
	memset(ix, 0, sizeof(*ix));
	ix->status = st;
	ix->type = x->type;
	ix->cls = DIFF_COMPATIBLE;
	ix->description = xstrdup(x->description ? x->description : "");
	ix->nstates = x->nstates;
	ix->states = x->nstates ? xcalloc(x->nstates, sizeof(char *)) : NULL;
	for (k = 0; k < x->nstates; k++)
		ix->states[k] = xstrdup(x->states[k].name ? x->states[k].name
							  : "");
	return ix;
}

static const char *const type_names[] = { "HTTP", "asynchronous message",
					  "synchronous message" };

static void compare_pair(struct diff *d, size_t *cap,
			 const struct interaction *a,
			 const struct interaction *b)
{
	struct diff_ix local, *ix = &local;
	memset(&local, 0, sizeof(local));
	local.cls = DIFF_COMPATIBLE;
	if (a->type != b->type)
		change_add(ix, "kind-changed", DIFF_BREAKING, "$",
			   "interaction changed from %s to %s",
			   type_names[a->type % 3], type_names[b->type % 3]);
	else if (a->type == IX_HTTP)
		http_diff(ix, a, b);
	else if (a->type == IX_MESSAGE)
		message_diff(ix, PRODUCES, "$", &a->message, &b->message);
	else
		sync_diff(ix, a, b);
	/* most pairs have not changed: an entry only for those that have */
	if (local.n) {
		ix = ix_new(d, cap, DIFF_CHANGED, b);
		ix->cls = local.cls;
		ix->v = local.v;
		ix->n = local.n;
		ix->cap = local.cap;
	}
}

int diff_contracts(const struct contract *a, const struct contract *b,
		   struct diff *out, struct err *e)
{
	struct keyed *ka, *kb;
	size_t i = 0, j = 0, cap = 0, k;
	memset(out, 0, sizeof(*out));
	if (!str_same(a->consumer, b->consumer) ||
	    !str_same(a->provider, b->provider))
		return err_set(
			e, ERR_USAGE,
			"the contracts are between different services: '%s' -> '%s' and '%s' -> '%s'",
			a->consumer ? a->consumer : "",
			a->provider ? a->provider : "",
			b->consumer ? b->consumer : "",
			b->provider ? b->provider : "");
	out->consumer = xstrdup(a->consumer ? a->consumer : "");
	out->provider = xstrdup(a->provider ? a->provider : "");
	ka = keyed_sorted(a);
	kb = keyed_sorted(b);
	while (i < a->n || j < b->n) {
		int c;
		if (i < a->n && j < b->n)
			c = cmp_identity(ka[i].x, kb[j].x);
		else
			c = i < a->n ? -1 : 1;
		if (c < 0) {
			struct diff_ix *ix = ix_new(out, &cap, DIFF_REMOVED,
						    ka[i++].x);
			change_add(
				ix, "interaction-removed", DIFF_COMPATIBLE, "$",
				"interaction removed: the provider no longer has to honour it");
		} else if (c > 0) {
			struct diff_ix *ix = ix_new(out, &cap, DIFF_ADDED,
						    kb[j++].x);
			change_add(
				ix, "interaction-added", DIFF_BREAKING, "$",
				"new interaction: the provider must honour it");
		} else {
			compare_pair(out, &cap, ka[i++].x, kb[j++].x);
		}
	}
	free(ka);
	free(kb);
	for (i = 0; i < out->n; i++) {
		const struct diff_ix *ix = &out->v[i];
		if (ix->status == DIFF_ADDED)
			out->added++;
		else if (ix->status == DIFF_REMOVED)
			out->removed++;
		else
			out->changed++;
		for (k = 0; k < ix->n; k++) {
			if (ix->v[k].cls == DIFF_BREAKING)
				out->breaking++;
			else
				out->compatible++;
		}
	}
	return 0;
}

void diff_release(struct diff *d)
{
	size_t i, k;
	for (i = 0; i < d->n; i++) {
		struct diff_ix *ix = &d->v[i];
		for (k = 0; k < ix->n; k++) {
			free(ix->v[k].path);
			free(ix->v[k].message);
		}
		free(ix->v);
		for (k = 0; k < ix->nstates; k++)
			free(ix->states[k]);
		free(ix->states);
		free(ix->description);
	}
	free(d->v);
	free(d->consumer);
	free(d->provider);
	memset(d, 0, sizeof(*d));
}

/* Output. */

static const char *const status_names[] = { "added", "removed", "changed" };
static const char *const class_names[] = { "compatible", "breaking" };

/* A JSON string (also the quoting of the text form). */
static void quoted(struct buf *out, const char *s)
{
	json_write_string(s, out);
}

static void diff_text(const struct diff *d, struct buf *out)
{
	size_t i, k;
	buf_addf(out, "%s -> %s: ", d->consumer, d->provider);
	if (!d->n) {
		buf_addstr(out, "no changes\n");
		return;
	}
	buf_addf(
		out,
		"%zu breaking, %zu compatible (interactions: %zu added, %zu removed, %zu changed)\n",
		d->breaking, d->compatible, d->added, d->removed, d->changed);
	for (i = 0; i < d->n; i++) {
		const struct diff_ix *ix = &d->v[i];
		buf_addf(out, "\n%s %s ", status_names[ix->status],
			 type_names[ix->type % 3]);
		quoted(out, ix->description);
		for (k = 0; k < ix->nstates; k++) {
			buf_addstr(out, k ? ", " : " given ");
			quoted(out, ix->states[k]);
		}
		buf_addch(out, '\n');
		for (k = 0; k < ix->n; k++) {
			const struct diff_change *c = &ix->v[k];
			buf_addf(out, "  %-10s  %s: %s [%s]\n",
				 class_names[c->cls], c->path, c->message,
				 c->kind);
		}
	}
}

static void diff_json(const struct diff *d, struct buf *out)
{
	size_t i, k;
	buf_addf(out, "{\n  \"breaking\": %s,\n  \"consumer\": ",
		 d->breaking ? "true" : "false");
	quoted(out, d->consumer);
	buf_addstr(out, ",\n  \"interactions\": [");
	for (i = 0; i < d->n; i++) {
		const struct diff_ix *ix = &d->v[i];
		buf_addstr(out, i ? ",\n" : "\n");
		buf_addstr(out, "    {\n      \"changes\": [");
		for (k = 0; k < ix->n; k++) {
			const struct diff_change *c = &ix->v[k];
			buf_addstr(out, k ? ",\n" : "\n");
			buf_addf(
				out,
				"        {\"classification\": \"%s\", \"kind\": \"%s\", \"message\": ",
				class_names[c->cls], c->kind);
			quoted(out, c->message);
			buf_addstr(out, ", \"path\": ");
			quoted(out, c->path);
			buf_addch(out, '}');
		}
		buf_addf(
			out,
			"\n      ],\n      \"classification\": \"%s\",\n      \"description\": ",
			class_names[ix->cls]);
		quoted(out, ix->description);
		buf_addstr(out, ",\n      \"providerStates\": [");
		for (k = 0; k < ix->nstates; k++) {
			if (k)
				buf_addstr(out, ", ");
			quoted(out, ix->states[k]);
		}
		buf_addf(
			out,
			"],\n      \"status\": \"%s\",\n      \"type\": \"%s\"\n    }",
			status_names[ix->status],
			interaction_report_name(ix->type));
	}
	buf_addstr(out, d->n ? "\n  ],\n" : "],\n");
	buf_addstr(out, "  \"provider\": ");
	quoted(out, d->provider);
	buf_addf(
		out,
		",\n  \"summary\": {\"added\": %zu, \"breakingChanges\": %zu, \"changed\": %zu, \"compatibleChanges\": %zu, \"removed\": %zu}\n}\n",
		d->added, d->breaking, d->changed, d->compatible, d->removed);
}

int diff_write(const struct diff *d, enum diff_format f, struct buf *out,
	       struct err *e)
{
	struct buf tmp;
	int r = 0;
	buf_init(&tmp, 0);
	if (f == DIFF_JSON)
		diff_json(d, &tmp);
	else
		diff_text(d, &tmp);
	if (buf_try_add(out, tmp.ptr, tmp.len))
		r = err_set(e, ERR_LIMIT, "diff output too large");
	buf_release(&tmp);
	return r;
}
