/*
 * match.c: the matching engine. Compares an actual request, response or
 * message with the expected one and its matching rules, following the Pact
 * specification of the contract's version, and reports every mismatch with
 * its path, what was expected and what was found.
 *
 * Rules are found by the v2 "most specific path" weighting (used for every
 * version): each element of a rule path scores 2 for a name or index that
 * matches and 1 for '*', the scores multiply, and a rule on an ancestor
 * cascades to its descendants unless a heavier rule applies. A context
 * that looks rules up more than a few times walks a trie of the rule
 * paths instead of scanning them all (ruleindex.c): the same choice, at
 * a cost that does not grow with the number of rules.
 */
#include "contracts/internal.h"

#include <ctype.h>
#include <math.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A context makes its rule index once it has looked rules up this many
 * times: a small body is cheaper to scan than to index. */
#define INDEX_AFTER_LOOKUPS 32

/* Mismatch list. */

/* A mismatch message is cut to this many bytes, "..." at its end: it
 * quotes values from the wire, and a report line must stay readable. */
#define MISMATCH_MESSAGE_MAX 4096

void mismatches_init(struct mismatches *m)
{
	memset(m, 0, sizeof(*m));
}

void mismatches_release(struct mismatches *m)
{
	size_t i;
	for (i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].expected);
		free(m->v[i].actual);
		free(m->v[i].message);
	}
	free(m->v);
	mismatches_init(m);
}

void mismatches_add(struct mismatches *m, const char *path,
		    const char *expected, const char *actual, const char *fmt,
		    ...)
{
	struct mismatch *x;
	struct buf b;
	va_list ap;
	if (m->n >= MISMATCH_MAX) {
		m->dropped++;
		return;
	}
	m->v = xgrow(m->v, &m->cap, m->n + 1, sizeof(*m->v));
	x = &m->v[m->n++];
	x->path = xstrdup(path ? path : "$");
	x->expected = expected ? xstrdup(expected) : NULL;
	x->actual = actual ? xstrdup(actual) : NULL;
	buf_init(&b, 0); /* a ceiling would leave it empty: cut it instead */
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (b.len > MISMATCH_MESSAGE_MAX) {
		size_t n = MISMATCH_MESSAGE_MAX - 3;
		while (n && (b.ptr[n] & 0xc0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
		buf_setlen(&b, n);
		buf_addstr(&b, "...");
	}
	x->message = buf_detach(&b, NULL);
}

static void display_path(const struct mctx *c, struct buf *b)
{
	int i;
	buf_addstr(b, c->prefix);
	for (i = 1; i <= c->depth; i++) {
		const struct node *n = &c->stack[i];
		if (!n->name)
			buf_addf(b, "[%ld]", n->index);
		else if (strpbrk(n->name, ".[]' ") || !n->name[0])
			buf_addf(b, "['%s']", n->name);
		else
			buf_addf(b, ".%s", n->name);
	}
}

/* Short text of a JSON value for messages (truncated). */
static char *show(const cJSON *v)
{
	char *s, *r;
	if (!v)
		return xstrdup("nothing");
	s = cJSON_PrintUnformatted(v);
	if (!s)
		return xstrdup("?");
	if (strlen(s) > 200) {
		r = xstrndup(s, 197);
		r = xrealloc(r, 201);
		memcpy(r + 197, "...", 4);
	} else {
		r = xstrdup(s);
	}
	cJSON_free(s);
	return r;
}

static void mis(struct mctx *c, const char *exp, const char *act,
		const char *fmt, ...) ATTR_PRINTF(4, 5);

static void mis(struct mctx *c, const char *exp, const char *act,
		const char *fmt, ...)
{
	struct buf p, m;
	va_list ap;
	buf_init(&p, 4096);
	buf_init(&m, 0); /* mismatches_add cuts it */
	display_path(c, &p);
	va_start(ap, fmt);
	buf_vaddf(&m, fmt, ap);
	va_end(ap);
	mismatches_add(c->out, p.ptr, exp, act, "%s", m.ptr);
	buf_release(&p);
	buf_release(&m);
	c->added++;
}

static void misv(struct mctx *c, const cJSON *exp, const cJSON *act,
		 const char *what)
{
	char *e = show(exp), *a = show(act);
	mis(c, e, a, "%s: expected %s but found %s", what, e, a);
	free(e);
	free(a);
}

/* The trie nodes of level d + 1, from those of level d (index_make). */
static void index_step(struct mctx *c, int d)
{
	const struct node *n = &c->stack[d + 1];
	size_t i;
	c->nact = c->lv[d + 1];
	for (i = c->lv[d]; i < c->lv[d + 1]; i++)
		rule_index_step(c->idx, c->act[i], n->name, n->index, &c->act,
				&c->nact, &c->capact);
	c->lv[d + 2] = c->nact;
}

static int push(struct mctx *c, const char *name, long index)
{
	if (c->depth >= MATCH_MAX_DEPTH) {
		mis(c, NULL, NULL, "nesting deeper than %d levels",
		    MATCH_MAX_DEPTH);
		return -1;
	}
	c->depth++;
	c->stack[c->depth].name = name;
	c->stack[c->depth].index = index;
	if (c->idx)
		index_step(c, c->depth - 1);
	return 0;
}

static void pop(struct mctx *c)
{
	c->depth--;
}

/* Makes the rule index of c->rules, and the nodes of every level of the
 * current path. */
static void index_make(struct mctx *c)
{
	int d;
	c->idx = rule_index_new(c->rules);
	c->act = xgrow(c->act, &c->capact, 1, sizeof(*c->act));
	c->act[0] = 0; /* "$" */
	c->lv[0] = 0;
	c->lv[1] = c->nact = 1;
	for (d = 0; d < c->depth; d++)
		index_step(c, d);
}

/* Forgets the index: for a context whose rules change (or end). */
static void index_drop(struct mctx *c)
{
	rule_index_free(c->idx);
	free(c->act);
	c->idx = NULL;
	c->act = NULL;
	c->nact = c->capact = 0;
	c->lookups = 0;
}

/* Whether lookups in c go through the index, which is made when due. */
static int indexed(struct mctx *c)
{
	int mode = c->o->rule_index;
	if (c->idx)
		return 1;
	if (!c->rules || mode < 0 ||
	    (!mode && ++c->lookups < INDEX_AFTER_LOOKUPS))
		return 0;
	index_make(c);
	return 1;
}

/* Rule selection. */

/* Weight of rule path `p` against the current node path; 0 = no match. */
static long path_weight(const struct path *p, const struct mctx *c)
{
	long w = 1;
	size_t i;
	if (!p->n || (size_t)c->depth + 1 < p->n)
		return 0;
	for (i = 0; i < p->n; i++) {
		const struct seg *s = &p->segs[i];
		const struct node *n = &c->stack[i];
		switch (s->kind) {
		case SEG_ROOT:
			if (i)
				return 0;
			w = weight_x2(w);
			break;
		case SEG_FIELD:
			if (!i || !n->name || strcmp(s->name, n->name)) {
				/* "$.a.0" written for an index */
				long v;
				if (i && !n->name &&
				    !parse_long(s->name, 0, 1L << 30, &v) &&
				    v == n->index) {
					w = weight_x2(w);
					break;
				}
				return 0;
			}
			w = weight_x2(w);
			break;
		case SEG_INDEX:
			if (!i || n->name || s->index != n->index)
				return 0;
			w = weight_x2(w);
			break;
		case SEG_STAR:
			if (!i)
				return 0;
			break;
		}
	}
	return w;
}

static int collection_only(const struct rule *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		enum matcher_type t = r->m[i].type;
		if (t != M_VALUES && t != M_EACH_KEY && t != M_EACH_VALUE &&
		    t != M_ARRAY_CONTAINS)
			return 0;
	}
	return r->n > 0;
}

/*
 * The rule that applies to the current node: the heaviest match, ties to
 * the longer path, then the first written. *direct says whether the rule
 * names this node rather than an ancestor.
 */
static const struct rule *find_rule(struct mctx *c, int *direct)
{
	const struct rule *best = NULL;
	long bw = 0;
	size_t bl = 0, i;
	if (!c->rules)
		return NULL;
	if (indexed(c)) {
		/* the rules whose paths end at a node of some level: the
		 * same choice as the scan below, "first written" told by
		 * place in the set */
		int d;
		for (d = 0; d <= c->depth; d++) {
			for (i = c->lv[d]; i < c->lv[d + 1]; i++) {
				size_t n, k;
				long w;
				const struct rule *const *rs = rule_index_rules(
					c->idx, c->act[i], &n, &w);
				for (k = 0; k < n; k++) {
					const struct rule *r = rs[k];
					if (d != c->depth && collection_only(r))
						continue;
					if (w > bw ||
					    (w == bw &&
					     (r->path.n > bl ||
					      (r->path.n == bl && r < best)))) {
						best = r;
						bw = w;
						bl = r->path.n;
					}
				}
			}
		}
		if (direct)
			*direct = best && best->path.n == (size_t)c->depth + 1;
		return best;
	}
	for (i = 0; i < c->rules->n; i++) {
		const struct rule *r = &c->rules->rules[i];
		long w = path_weight(&r->path, c);
		/* values, eachKey, eachValue and arrayContains speak of the
		 * collection they name; they do not cascade to its items */
		if (w && r->path.n != (size_t)c->depth + 1 &&
		    collection_only(r))
			continue;
		if (w > bw || (w && w == bw && r->path.n > bl)) {
			best = r;
			bw = w;
			bl = r->path.n;
		}
	}
	if (direct)
		*direct = best && best->path.n == (size_t)c->depth + 1;
	return best;
}

/* Is a rule written for a node below the current one (e.g. "$.a[*]")? */
static int has_child_rule(struct mctx *c)
{
	size_t i;
	if (!c->rules)
		return 0;
	if (indexed(c)) {
		for (i = c->lv[c->depth]; i < c->lv[c->depth + 1]; i++)
			if (rule_index_kid_rules(c->idx, c->act[i]))
				return 1;
		return 0;
	}
	for (i = 0; i < c->rules->n; i++) {
		const struct rule *r = &c->rules->rules[i];
		if (r->path.n == (size_t)c->depth + 2) {
			struct path p = r->path;
			p.n--;
			if (path_weight(&p, c))
				return 1;
		}
	}
	return 0;
}

/* Regexes. */

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull +
	       (unsigned long long)ts.tv_nsec;
}

/*
 * Runs a contract regex: 1 match, 0 no match, -1 a PCRE2 limit was hit,
 * -2 skipped because this match already hit a limit or spent its time
 * budget. PCRE2's limits bound one call; the budget bounds how long the
 * many calls a large actual body can make may take together.
 */
static int regex_run(struct mctx *c, const struct matcher *m, const char *s,
		     size_t len)
{
	pcre2_match_data *md;
	int rc;
	uint32_t opts = 0;
	unsigned long long t0;
	if (!m->re)
		return 0;
	if (c->out->limit_hit)
		return -2;
	t0 = now_ns();
	if (!c->o || !c->o->regex_search)
		opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	md = pcre2_match_data_create(1, NULL);
	if (!md)
		abort();
	rc = pcre2_match(m->re->code, (PCRE2_SPTR)s, len, 0, opts, md,
			 m->re->mctx);
	pcre2_match_data_free(md);
	c->out->regex_ns += now_ns() - t0;
	if (c->out->regex_ns > REGEX_TIME_BUDGET_NS) {
		c->out->limit_hit = 1;
		return -2;
	}
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return -1;
	return 0;
}

/* Value helpers. */

static int is_integral_literal(const cJSON *v)
{
	/* the reader keeps number literals in valuestring when it can */
	if (v->valuestring)
		return !strpbrk(v->valuestring, ".eE");
	return v->valuedouble == floor(v->valuedouble) &&
	       fabs(v->valuedouble) < 9.1e18;
}

static int str_is_integer(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int str_is_decimal(const char *s, int need_point)
{
	int digits = 0, point = 0;
	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (*s == '.' && !point)
			point = 1;
		else if ((*s == 'e' || *s == 'E') && digits) {
			s++;
			if (*s == '-' || *s == '+')
				s++;
			if (!*s)
				return 0;
			for (; *s; s++)
				if (!isdigit((unsigned char)*s))
					return 0;
			return 1;
		} else
			return 0;
	}
	return digits && (point || !need_point);
}

/* The string form a regex or include sees; NULL for objects and arrays. */
static char *string_form(const cJSON *v)
{
	char tmp[64];
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		if (v->valuestring)
			return xstrdup(v->valuestring);
		if (is_integral_literal(v))
			snprintf(tmp, sizeof(tmp), "%.0f", v->valuedouble);
		else
			snprintf(tmp, sizeof(tmp), "%.17g", v->valuedouble);
		return xstrdup(tmp);
	}
	if (cJSON_IsTrue(v))
		return xstrdup("true");
	if (cJSON_IsFalse(v))
		return xstrdup("false");
	if (cJSON_IsNull(v))
		return NULL;
	return NULL;
}

static int same_type(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return 1;
	return (a->type & 0xff) == (b->type & 0xff);
}

static int json_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	if (!same_type(a, b))
		return 0;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a))
		return !strcmp(a->valuestring, b->valuestring);
	if (cJSON_IsBool(a))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	if (cJSON_IsArray(a)) {
		for (x = a->child, y = b->child; x && y;
		     x = x->next, y = y->next)
			if (!json_equal(x, y))
				return 0;
		return !x && !y;
	}
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		cJSON_ArrayForEach(x, a)
		{
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !json_equal(x, y))
				return 0;
		}
		return 1;
	}
	return 1;
}

static int not_empty(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return 1;
}

/*
 * Applies one matcher to a value. `coerce` is set for header, query, path
 * and metadata values, which are strings on the wire: numeric and boolean
 * matchers then accept their string forms. Returns 1 when it matches; on a
 * failure writes the reason into `why`.
 */
static int apply_one(struct mctx *c, const struct matcher *m, const cJSON *exp,
		     const cJSON *act, int coerce, struct buf *why);

static int apply_sub(struct mctx *c, const struct matcher *subs, size_t n,
		     const cJSON *exp, const cJSON *act, int coerce,
		     struct buf *why)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!apply_one(c, &subs[i], exp, act, coerce, why))
			return 0;
	return 1;
}

static int apply_one(struct mctx *c, const struct matcher *m, const cJSON *exp,
		     const cJSON *act, int coerce, struct buf *why)
{
	const char *s = cJSON_IsString(act) ? act->valuestring : NULL;
	char *form;
	int ok, r;
	switch (m->type) {
	case M_EQUALITY:
		if (exp && act && json_equal(exp, act))
			return 1;
		buf_addstr(why, "not equal");
		return 0;
	case M_REGEX:
		form = act ? string_form(act) : NULL;
		if (!form || (cJSON_IsString(act) == 0 && !coerce &&
			      (cJSON_IsObject(act) || cJSON_IsArray(act)))) {
			free(form);
			buf_addf(why, "expected a value matching /%s/",
				 m->regex);
			return 0;
		}
		r = regex_run(c, m, form, strlen(form));
		free(form);
		if (r == -1) {
			c->out->limit_hit = 1;
			buf_addf(why,
				 "regex /%s/ exceeded its match or depth limit",
				 m->regex);
			return 0;
		}
		if (r == -2) {
			buf_addf(
				why,
				"regex /%s/ not evaluated: this match already exceeded its regex limits",
				m->regex);
			return 0;
		}
		if (!r)
			buf_addf(why, "does not match /%s/", m->regex);
		return r;
	case M_TYPE:
		if (!exp || !act) {
			buf_addstr(why, "missing value");
			return 0;
		}
		if (!same_type(exp, act) && !(coerce && cJSON_IsString(act))) {
			char *e = show(exp);
			buf_addf(why, "expected a value of the same type as %s",
				 e);
			free(e);
			return 0;
		}
		if (cJSON_IsArray(act)) {
			int n = cJSON_GetArraySize(act);
			if (m->has_min && n < m->min) {
				buf_addf(
					why,
					"expected at least %ld item%s, found %d",
					m->min, m->min == 1 ? "" : "s", n);
				return 0;
			}
			if (m->has_max && n > m->max) {
				buf_addf(
					why,
					"expected at most %ld item%s, found %d",
					m->max, m->max == 1 ? "" : "s", n);
				return 0;
			}
		}
		return 1;
	case M_INCLUDE:
		form = act ? string_form(act) : NULL;
		ok = form && strstr(form, m->value);
		free(form);
		if (!ok)
			buf_addf(why, "expected a value including '%s'",
				 m->value);
		return ok;
	case M_INTEGER:
		ok = act &&
		     ((cJSON_IsNumber(act) && is_integral_literal(act)) ||
		      (coerce && s && str_is_integer(s)));
		if (!ok)
			buf_addstr(why, "expected an integer");
		return ok;
	case M_DECIMAL:
		ok = act &&
		     ((cJSON_IsNumber(act) && !is_integral_literal(act)) ||
		      (coerce && s && str_is_decimal(s, 1)));
		if (!ok)
			buf_addstr(why, "expected a decimal number");
		return ok;
	case M_NUMBER:
		ok = act && (cJSON_IsNumber(act) ||
			     (coerce && s && str_is_decimal(s, 0)));
		if (!ok)
			buf_addstr(why, "expected a number");
		return ok;
	case M_BOOLEAN:
		ok = act && (cJSON_IsBool(act) || (s && (!strcmp(s, "true") ||
							 !strcmp(s, "false"))));
		if (!ok)
			buf_addstr(why, "expected a boolean");
		return ok;
	case M_NULL:
		ok = act && cJSON_IsNull(act);
		if (!ok)
			buf_addstr(why, "expected null");
		return ok;
	case M_DATE:
	case M_TIME:
	case M_DATETIME:
		ok = s && fmt_match_datetime(m->type, m->format, s);
		if (!ok)
			buf_addf(why, "expected a %s in the format '%s'",
				 matcher_name(m->type),
				 m->format ? m->format : "ISO 8601");
		return ok;
	case M_SEMVER:
		ok = s && fmt_is_semver(s);
		if (!ok)
			buf_addstr(why, "expected a semantic version");
		return ok;
	case M_NOT_EMPTY:
		ok = not_empty(act);
		if (!ok)
			buf_addstr(why, "expected a non-empty value");
		return ok;
	case M_CONTENT_TYPE:
		ok = s && fmt_content_is(m->value, s, strlen(s));
		if (!ok)
			buf_addf(why, "expected content of type %s", m->value);
		return ok;
	case M_VALUES:
		ok = act && (cJSON_IsObject(act) || cJSON_IsArray(act));
		if (!ok)
			buf_addstr(why, "expected an object or array");
		return ok;
	case M_EACH_KEY:
		if (act && cJSON_IsObject(act)) {
			const cJSON *it;
			/* sub-rules compare each key with an example key */
			cJSON *ek = cJSON_CreateString(
				exp && exp->child && exp->child->string
					? exp->child->string
					: "");
			cJSON_ArrayForEach(it, act)
			{
				cJSON *k = cJSON_CreateString(it->string);
				struct buf w2;
				buf_init(&w2, 1024);
				ok = apply_sub(c, m->sub, m->nsub, ek, k, 1,
					       &w2);
				cJSON_Delete(k);
				if (!ok) {
					buf_addf(why, "key '%s': %s",
						 it->string, w2.ptr);
					buf_release(&w2);
					cJSON_Delete(ek);
					return 0;
				}
				buf_release(&w2);
			}
			cJSON_Delete(ek);
			return 1;
		}
		buf_addstr(why, "expected an object");
		return 0;
	case M_EACH_VALUE:
		if (act && (cJSON_IsObject(act) || cJSON_IsArray(act))) {
			const cJSON *it;
			cJSON_ArrayForEach(it, act)
			{
				/* each value against its example, or the first */
				const cJSON *e = NULL;
				if (exp && cJSON_IsObject(exp) && it->string)
					e = cJSON_GetObjectItemCaseSensitive(
						exp, it->string);
				if (!e && exp)
					e = exp->child;
				if (!apply_sub(c, m->sub, m->nsub, e, it, 0,
					       why))
					return 0;
			}
			return 1;
		}
		buf_addstr(why, "expected an object or array");
		return 0;
	case M_ARRAY_CONTAINS:
		/* checked structurally by match_array */
		ok = act && cJSON_IsArray(act);
		if (!ok)
			buf_addstr(why, "expected an array");
		return ok;
	case M_STATUS_CODE:
		buf_addstr(why, "statusCode applies only to the status");
		return 0;
	}
	return 0;
}

/*
 * Applies a rule (its matchers combined with AND or OR) to a value and
 * records a mismatch when it fails. Returns 1 on a match.
 */
static int apply_rule(struct mctx *c, const struct rule *r, const cJSON *exp,
		      const cJSON *act, int coerce)
{
	struct buf why;
	size_t i;
	int ok = r->combine_or ? 0 : 1;
	buf_init(&why, 4096);
	for (i = 0; i < r->n; i++) {
		int one;
		if (why.len)
			buf_addstr(&why, r->combine_or ? " or " : "; ");
		one = apply_one(c, &r->m[i], exp, act, coerce, &why);
		if (r->combine_or && one) {
			ok = 1;
			break;
		}
		if (!r->combine_or && !one) {
			ok = 0;
			break;
		}
	}
	if (!ok) {
		char *e = show(exp), *a = show(act);
		mis(c, e, a, "%s (found %s)", why.ptr, a);
		free(e);
		free(a);
	}
	buf_release(&why);
	return ok;
}

static int rule_has(const struct rule *r, enum matcher_type t)
{
	size_t i;
	for (i = 0; r && i < r->n; i++)
		if (r->m[i].type == t)
			return 1;
	return 0;
}

/* Does the rule make a collection a template for its items (type-like)? */
static int rule_is_template(const struct rule *r)
{
	size_t i;
	for (i = 0; r && i < r->n; i++) {
		enum matcher_type t = r->m[i].type;
		if (t == M_TYPE || t == M_VALUES || t == M_EACH_VALUE ||
		    t == M_EACH_KEY || r->m[i].has_min || r->m[i].has_max)
			return 1;
	}
	return 0;
}

/* JSON bodies. */

static void match_json(struct mctx *c, const cJSON *exp, const cJSON *act);

static void apply_collection_rule(struct mctx *c, const struct rule *r,
				  int direct, const cJSON *exp,
				  const cJSON *act)
{
	/* min/max speak of the collection a rule names, not of nested ones */
	struct rule tmp;
	struct matcher *ms;
	size_t i;
	if (direct) {
		apply_rule(c, r, exp, act, 0);
		return;
	}
	tmp = *r;
	ms = xmalloc(r->n * sizeof(*ms));
	for (i = 0; i < r->n; i++) {
		ms[i] = r->m[i];
		ms[i].has_min = ms[i].has_max = 0;
	}
	tmp.m = ms;
	apply_rule(c, &tmp, exp, act, 0);
	free(ms);
}

static void match_contains(struct mctx *c, const struct matcher *m,
			   const cJSON *exp, const cJSON *act)
{
	size_t v;
	for (v = 0; v < m->nvariants; v++) {
		const struct variant *var = &m->variants[v];
		const cJSON *ev = cJSON_GetArrayItem(exp, (int)var->index), *it;
		int found = 0;
		if (!ev)
			ev = exp->child;
		cJSON_ArrayForEach(it, act)
		{
			struct mismatches scratch;
			struct mctx sub = *c;
			mismatches_init(&scratch);
			sub.out = &scratch;
			sub.added = 0;
			sub.depth = 0;
			sub.rules = var->rules.n ? &var->rules.cats[0] : NULL;
			sub.idx = NULL; /* the index of c's rules is c's */
			sub.act = NULL;
			sub.nact = sub.capact = 0;
			sub.lookups = 0;
			if (ev)
				match_json(&sub, ev, it);
			index_drop(&sub);
			mismatches_release(&scratch);
			if (!sub.added) {
				found = 1;
				break;
			}
		}
		if (!found) {
			char *e = show(ev);
			mis(c, e, NULL,
			    "expected the array to contain an item matching %s",
			    e);
			free(e);
		}
	}
}

/*
 * An item of a collection whose rule treats items as data: eachValue has
 * already checked each item with its own rules, eachKey leaves values to
 * their types; both still descend into nested containers.
 */
static void match_item(struct mctx *c, const struct rule *r, const cJSON *e,
		       const cJSON *a)
{
	int container = (cJSON_IsObject(e) && cJSON_IsObject(a)) ||
			(cJSON_IsArray(e) && cJSON_IsArray(a));
	int dummy;
	if (container ||
	    (!rule_has(r, M_EACH_VALUE) && !rule_has(r, M_EACH_KEY)) ||
	    find_rule(c, &dummy)) {
		match_json(c, e, a);
		return;
	}
	if (!rule_has(r, M_EACH_VALUE) && !same_type(e, a))
		misv(c, e, a, "type mismatch");
}

static void match_array(struct mctx *c, const cJSON *exp, const cJSON *act)
{
	int direct = 0, ne = cJSON_GetArraySize(exp),
	    na = cJSON_GetArraySize(act), i;
	const struct rule *r = find_rule(c, &direct);
	const cJSON *it;
	if (r && rule_has(r, M_ARRAY_CONTAINS) && direct) {
		size_t k;
		for (k = 0; k < r->n; k++)
			if (r->m[k].type == M_ARRAY_CONTAINS)
				match_contains(c, &r->m[k], exp, act);
		return;
	}
	if (r && !rule_has(r, M_EQUALITY)) {
		apply_collection_rule(c, r, direct, exp, act);
		if (rule_is_template(r) || has_child_rule(c)) {
			if (!ne)
				return;
			/* item i against example i, past the examples the
			 * first; walked by pointer to stay linear */
			const cJSON *e = exp->child;
			i = 0;
			cJSON_ArrayForEach(it, act)
			{
				if (push(c, NULL, i))
					return;
				match_item(c, r, e ? e : exp->child, it);
				pop(c);
				if (e)
					e = e->next;
				i++;
			}
			return;
		}
	}
	if (ne != na) {
		char e[32], a[32];
		snprintf(e, sizeof(e), "%d", ne);
		snprintf(a, sizeof(a), "%d", na);
		mis(c, e, a, "expected an array of %d item%s but found %d", ne,
		    ne == 1 ? "" : "s", na);
	}
	{
		const cJSON *e = exp->child, *a = act->child;
		for (i = 0; e && a; i++, e = e->next, a = a->next) {
			if (push(c, NULL, i))
				return;
			match_json(c, e, a);
			pop(c);
		}
	}
}

static void match_object(struct mctx *c, const cJSON *exp, const cJSON *act)
{
	int direct = 0, dynamic = 0;
	const struct rule *r = find_rule(c, &direct);
	const cJSON *it;
	if (r && direct && !rule_has(r, M_EQUALITY)) {
		apply_rule(c, r, exp, act, 0);
		dynamic = rule_has(r, M_VALUES) || rule_has(r, M_EACH_KEY) ||
			  rule_has(r, M_EACH_VALUE);
	}
	if (dynamic) {
		/* keys are data: each actual value against its example */
		cJSON_ArrayForEach(it, act)
		{
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(
				exp, it->string);
			if (!e)
				e = exp->child;
			if (!e)
				continue;
			if (push(c, it->string, 0))
				return;
			match_item(c, r, e, it);
			pop(c);
		}
		return;
	}
	cJSON_ArrayForEach(it, exp)
	{
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(act,
								  it->string);
		if (push(c, it->string, 0))
			return;
		if (!a) {
			char *e = show(it);
			mis(c, e, NULL, "expected key '%s' but it was missing",
			    it->string);
			free(e);
		} else {
			match_json(c, it, a);
		}
		pop(c);
	}
	if (!c->strict)
		return;
	cJSON_ArrayForEach(it, act)
	{
		if (cJSON_GetObjectItemCaseSensitive(exp, it->string))
			continue;
		if (push(c, it->string, 0))
			return;
		{
			char *a = show(it);
			mis(c, NULL, a, "unexpected key '%s' (with value %s)",
			    it->string, a);
			free(a);
		}
		pop(c);
	}
}

static void match_json(struct mctx *c, const cJSON *exp, const cJSON *act)
{
	int direct = 0;
	const struct rule *r;
	if (cJSON_IsArray(exp) && cJSON_IsArray(act)) {
		match_array(c, exp, act);
		return;
	}
	if (cJSON_IsObject(exp) && cJSON_IsObject(act)) {
		match_object(c, exp, act);
		return;
	}
	r = find_rule(c, &direct);
	if (r) {
		if ((cJSON_IsArray(act) || cJSON_IsObject(act)) && !direct &&
		    rule_is_template(r))
			apply_collection_rule(c, r, direct, exp, act);
		else
			apply_rule(c, r, exp, act, 0);
		return;
	}
	if (!json_equal(exp, act)) {
		if (!same_type(exp, act))
			misv(c, exp, act, "type mismatch");
		else
			misv(c, exp, act, "value mismatch");
	}
}

/* Content types. */

enum kind { K_JSON, K_XML, K_TEXT, K_FORM, K_BINARY };

/* Base media type of a Content-Type value, lower-cased, into out. */
static void media_base(const char *ct, char *out, size_t n)
{
	size_t i = 0;
	while (*ct == ' ')
		ct++;
	for (; *ct && *ct != ';' && *ct != ' ' && i + 1 < n; ct++)
		out[i++] = (char)tolower((unsigned char)*ct);
	out[i] = '\0';
}

static enum kind kind_of(const char *ct)
{
	char base[128];
	size_t n;
	media_base(ct, base, sizeof(base));
	n = strlen(base);
	if (!strcmp(base, "application/json") ||
	    (n > 5 && !strcmp(base + n - 5, "+json")) ||
	    !strcmp(base, "text/json"))
		return K_JSON;
	if (!strcmp(base, "application/xml") || !strcmp(base, "text/xml") ||
	    (n > 4 && !strcmp(base + n - 4, "+xml")))
		return K_XML;
	if (!strcmp(base, "application/x-www-form-urlencoded"))
		return K_FORM;
	if (!strncmp(base, "text/", 5))
		return K_TEXT;
	return K_BINARY;
}

/* Text of a body: raw bytes, decoded base64, or the JSON string. */
static int body_text(const struct body *b, struct buf *out)
{
	if (b->has_bytes)
		return buf_add(out, b->bytes ? b->bytes : "", b->len);
	if (cJSON_IsString(b->encoded) &&
	    !str_casecmp(b->encoded->valuestring, "base64") &&
	    cJSON_IsString(b->json))
		return base64_decode(b->json->valuestring,
				     strlen(b->json->valuestring), out);
	if (cJSON_IsString(b->json))
		return buf_addstr(out, b->json->valuestring);
	if (b->json && !cJSON_IsNull(b->json)) {
		char *s = cJSON_PrintUnformatted(b->json);
		int r = buf_addstr(out, s ? s : "");
		cJSON_free(s);
		return r;
	}
	return 0;
}

/* The body as JSON; *owned says whether the caller must free it. */
static const cJSON *body_json(const struct body *b, int *owned, int *bad)
{
	*owned = 0;
	*bad = 0;
	if (b->has_bytes && b->json)
		return b->json; /* parsed once by whoever received the bytes */
	if (b->has_bytes) {
		cJSON *v;
		if (!b->len)
			return NULL;
		v = json_parse_located("body", b->bytes, b->len, NULL);
		*bad = v == NULL;
		*owned = v != NULL;
		return v;
	}
	if (cJSON_IsString(b->encoded) && cJSON_IsString(b->json)) {
		struct buf t;
		cJSON *v;
		buf_init(&t, 0);
		body_text(b, &t);
		if (!t.len) {
			buf_release(&t);
			return NULL;
		}
		v = json_parse_located("body", t.ptr, t.len, NULL);
		buf_release(&t);
		if (!v)
			*bad = 1;
		*owned = v != NULL;
		return v;
	}
	return b->json;
}

static int body_is_empty(const struct body *b)
{
	if (!b->present)
		return 1;
	if (b->has_bytes)
		return b->len == 0;
	if (!b->json || cJSON_IsNull(b->json))
		return 1;
	return cJSON_IsString(b->json) && !b->json->valuestring[0];
}

static const char *content_type_of(const struct body *b,
				   const struct headers *h)
{
	const struct header *x;
	if (b->content_type)
		return b->content_type;
	x = h ? headers_get(h, "Content-Type") : NULL;
	if (x && x->n)
		return x->values[0];
	return NULL;
}

static enum kind guess_kind(const struct body *b)
{
	const char *s;
	if (!cJSON_IsString(b->json))
		return K_JSON;
	s = b->json->valuestring;
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	if (*s == '<')
		return K_XML;
	return K_JSON;
}

static void match_xml(struct mctx *c, const struct body *exp,
		      const struct body *act);
static void match_form(struct mctx *c, const struct body *exp,
		       const struct body *act);

static void match_text(struct mctx *c, const struct body *exp,
		       const struct body *act, enum kind k)
{
	struct buf e, a;
	int direct;
	const struct rule *r = find_rule(c, &direct);
	buf_init(&e, 0);
	buf_init(&a, 0);
	body_text(exp, &e);
	body_text(act, &a);
	if (r) {
		cJSON *ev = cJSON_CreateString(e.ptr);
		cJSON *av = NULL;
		if (k == K_BINARY || memchr(a.ptr, '\0', a.len)) {
			/* contentType on binary: hand the raw bytes over */
			if (rule_has(r, M_CONTENT_TYPE)) {
				size_t i;
				for (i = 0; i < r->n; i++)
					if (r->m[i].type == M_CONTENT_TYPE &&
					    !fmt_content_is(r->m[i].value,
							    a.ptr, a.len))
						mis(c, r->m[i].value, NULL,
						    "expected content of type %s",
						    r->m[i].value);
				cJSON_Delete(ev);
				buf_release(&e);
				buf_release(&a);
				return;
			}
		}
		if (act->present && (act->has_bytes || act->json))
			av = cJSON_CreateString(a.ptr);
		apply_rule(c, r, ev, av, 0);
		cJSON_Delete(ev);
		cJSON_Delete(av);
	} else if ((e.len != a.len || memcmp(e.ptr, a.ptr, e.len)) &&
		   (k == K_BINARY || memchr(e.ptr, '\0', e.len) ||
		    memchr(a.ptr, '\0', a.len))) {
		/* bytes are shown as base64, never as broken text */
		char *es = base64_encode((const unsigned char *)e.ptr,
					 e.len > 150 ? 150 : e.len, NULL);
		char *as = base64_encode((const unsigned char *)a.ptr,
					 a.len > 150 ? 150 : a.len, NULL);
		mis(c, es, as,
		    "binary body mismatch: expected %zu bytes (base64 %s%s) but found %zu bytes (base64 %s%s)",
		    e.len, es, e.len > 150 ? "..." : "", a.len, as,
		    a.len > 150 ? "..." : "");
		free(es);
		free(as);
	} else if (e.len != a.len || memcmp(e.ptr, a.ptr, e.len)) {
		char *es = xstrndup(e.ptr, e.len > 200 ? 200 : e.len);
		char *as = xstrndup(a.ptr, a.len > 200 ? 200 : a.len);
		mis(c, es, as, "body mismatch: expected '%s' but found '%s'",
		    es, as);
		free(es);
		free(as);
	}
	buf_release(&e);
	buf_release(&a);
}

static void match_body(struct mctx *c, const struct body *exp,
		       const struct body *act, const char *ct)
{
	enum kind k;
	int eo, ao, ebad, abad;
	const cJSON *ej, *aj;
	if (!exp->present)
		return;
	if (cJSON_IsString(exp->json) && !exp->json->valuestring[0] &&
	    !exp->encoded) {
		if (!body_is_empty(act)) {
			struct buf a;
			buf_init(&a, 0);
			body_text(act, &a);
			mis(c, "", a.ptr,
			    "expected an empty body but found '%.100s'", a.ptr);
			buf_release(&a);
		}
		return;
	}
	if (!exp->json || cJSON_IsNull(exp->json)) {
		int owned, bad;
		const cJSON *a = body_json(act, &owned, &bad);
		if (a && !cJSON_IsNull(a) && !body_is_empty(act))
			misv(c, exp->json, a, "expected a null body");
		if (owned)
			cJSON_Delete((cJSON *)a);
		return;
	}
	k = ct ? kind_of(ct) : guess_kind(exp);
	if (!act->present || (!act->has_bytes && !act->json) ||
	    (act->has_bytes && !act->len)) {
		mis(c, "a body", NULL, "expected a body but none was found");
		return;
	}
	if (k == K_XML) {
		match_xml(c, exp, act);
		return;
	}
	if (k == K_FORM) {
		match_form(c, exp, act);
		return;
	}
	if (k == K_TEXT || k == K_BINARY) {
		match_text(c, exp, act, k);
		return;
	}
	ej = body_json(exp, &eo, &ebad);
	aj = body_json(act, &ao, &abad);
	if (abad) {
		struct buf a;
		buf_init(&a, 0);
		body_text(act, &a);
		mis(c, "JSON", NULL, "expected a JSON body but found '%.100s'",
		    a.ptr);
		buf_release(&a);
	} else if (ej && aj) {
		match_json(c, ej, aj);
	} else if (ej) {
		mis(c, "a body", NULL, "expected a body but none was found");
	}
	if (eo)
		cJSON_Delete((cJSON *)ej);
	if (ao)
		cJSON_Delete((cJSON *)aj);
}

/* XML bodies. */

static cJSON *str_node(const char *s)
{
	return cJSON_CreateString(s ? s : "");
}

static int same_ns(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	return !strcmp(a, b);
}

static void match_xml_leafstr(struct mctx *c, const char *name, const char *exp,
			      const char *act)
{
	int direct;
	const struct rule *r;
	if (push(c, name, 0))
		return;
	r = find_rule(c, &direct);
	if (r) {
		cJSON *ev = str_node(exp), *av = act ? str_node(act) : NULL;
		apply_rule(c, r, ev, av, 1);
		cJSON_Delete(ev);
		cJSON_Delete(av);
	} else if (!act) {
		mis(c, exp, NULL, "expected %s='%s' but it was missing", name,
		    exp);
	} else if (strcmp(exp, act)) {
		mis(c, exp, act, "expected '%s' but found '%s'", exp, act);
	}
	pop(c);
}

static const struct xml_attr *xml_find_attr(const struct xml_node *n,
					    const struct xml_attr *want)
{
	size_t i;
	for (i = 0; i < n->nattrs; i++)
		if (!strcmp(n->attrs[i].name, want->name) &&
		    same_ns(n->attrs[i].ns, want->ns))
			return &n->attrs[i];
	return NULL;
}

static void match_element(struct mctx *c, const struct xml_node *e,
			  const struct xml_node *a);

static int xml_elem_eq(const struct xml_node *x, const struct xml_node *y)
{
	return !strcmp(x->name, y->name) && same_ns(x->ns, y->ns);
}

static void match_children(struct mctx *c, const struct xml_node *e,
			   const struct xml_node *a)
{
	size_t i, j;
	int direct = 0;
	const struct rule *parent = find_rule(c, &direct);
	/* groups of same-named children, in the order they first appear */
	for (i = 0; i < e->nchildren; i++) {
		const struct xml_node *first = e->children[i];
		size_t ne = 0, na = 0, k, seen = 0;
		const struct rule *r;
		int rdirect = 0, tmpl;
		for (j = 0; j < i; j++)
			if (xml_elem_eq(e->children[j], first))
				seen = 1;
		if (seen)
			continue;
		for (j = 0; j < e->nchildren; j++)
			ne += xml_elem_eq(e->children[j], first);
		for (j = 0; j < a->nchildren; j++)
			na += xml_elem_eq(a->children[j], first);
		if (push(c, first->name, 0))
			return;
		r = find_rule(c, &rdirect);
		/* only a rule naming the group makes it a template: an
		 * inherited one still needs the expected count */
		tmpl = rdirect && rule_is_template(r) &&
		       !rule_has(r, M_EQUALITY);
		if (parent && direct) {
			/* min/max on an element count its children */
			size_t m;
			for (m = 0; m < parent->n; m++) {
				const struct matcher *mm = &parent->m[m];
				if (mm->has_min && (long)na < mm->min)
					mis(c, NULL, NULL,
					    "expected at least %ld <%s> element%s, found %zu",
					    mm->min, first->name,
					    mm->min == 1 ? "" : "s", na);
				if (mm->has_max && (long)na > mm->max)
					mis(c, NULL, NULL,
					    "expected at most %ld <%s> element%s, found %zu",
					    mm->max, first->name,
					    mm->max == 1 ? "" : "s", na);
			}
		}
		if (!na) {
			mis(c, first->name, NULL,
			    "expected element <%s> but it was missing",
			    first->name);
		} else if (!tmpl && na < ne) {
			mis(c, NULL, NULL,
			    "expected %zu <%s> element%s but found %zu", ne,
			    first->name, ne == 1 ? "" : "s", na);
		} else if (!tmpl && na > ne && c->strict) {
			mis(c, NULL, NULL,
			    "unexpected <%s> element: expected %zu but found %zu",
			    first->name, ne, na);
		}
		k = 0;
		for (j = 0; j < a->nchildren; j++) {
			const struct xml_node *x = a->children[j], *ex = NULL;
			size_t idx = 0, m;
			if (!xml_elem_eq(x, first))
				continue;
			for (m = 0; m < e->nchildren; m++) {
				if (!xml_elem_eq(e->children[m], first))
					continue;
				if (idx == k || (tmpl && !ex))
					ex = e->children[m];
				if (idx == k)
					break;
				idx++;
			}
			k++;
			if (!ex || (!tmpl && k > ne))
				continue;
			match_element(c, ex, x);
		}
		pop(c);
	}
	/* children whose names the expected element never mentions */
	for (j = 0; j < a->nchildren; j++) {
		int known = 0;
		for (i = 0; i < e->nchildren && !known; i++)
			known = xml_elem_eq(e->children[i], a->children[j]);
		if (!known) {
			if (push(c, a->children[j]->name, 0))
				return;
			mis(c, NULL, a->children[j]->name,
			    "unexpected element <%s>", a->children[j]->name);
			pop(c);
		}
	}
}

static void match_element(struct mctx *c, const struct xml_node *e,
			  const struct xml_node *a)
{
	size_t i;
	char name[160];
	if (!same_ns(e->ns, a->ns)) {
		mis(c, e->ns ? e->ns : "no namespace",
		    a->ns ? a->ns : "no namespace",
		    "expected element <%s> in namespace %s but found %s",
		    e->name, e->ns ? e->ns : "(none)",
		    a->ns ? a->ns : "(none)");
		return;
	}
	for (i = 0; i < e->nattrs; i++) {
		const struct xml_attr *x = xml_find_attr(a, &e->attrs[i]);
		snprintf(name, sizeof(name), "@%s", e->attrs[i].name);
		match_xml_leafstr(c, name, e->attrs[i].value,
				  x ? x->value : NULL);
	}
	if (c->strict) {
		for (i = 0; i < a->nattrs; i++) {
			if (xml_find_attr(e, &a->attrs[i]))
				continue;
			snprintf(name, sizeof(name), "@%s", a->attrs[i].name);
			if (push(c, name, 0))
				return;
			mis(c, NULL, a->attrs[i].value,
			    "unexpected attribute '%s'", a->attrs[i].name);
			pop(c);
		}
	}
	if (e->text[0] || a->text[0])
		match_xml_leafstr(c, "#text", e->text, a->text);
	match_children(c, e, a);
}

static void match_xml(struct mctx *c, const struct body *exp,
		      const struct body *act)
{
	struct buf e, a;
	struct err ee, ae;
	struct xml_node *ex, *ax;
	buf_init(&e, 0);
	buf_init(&a, 0);
	err_clear(&ee);
	err_clear(&ae);
	body_text(exp, &e);
	body_text(act, &a);
	ex = xml_parse(e.ptr, e.len, &ee);
	ax = xml_parse(a.ptr, a.len, &ae);
	if (!ex) {
		mis(c, NULL, NULL, "expected body is not valid XML: %s",
		    ee.msg);
	} else if (!ax) {
		mis(c, "XML", NULL, "actual body is not valid XML: %s", ae.msg);
	} else if (strcmp(ex->name, ax->name)) {
		mis(c, ex->name, ax->name,
		    "expected root element <%s> but found <%s>", ex->name,
		    ax->name);
	} else {
		if (!push(c, ex->name, 0)) {
			match_element(c, ex, ax);
			pop(c);
		}
	}
	xml_free(ex);
	xml_free(ax);
	buf_release(&e);
	buf_release(&a);
}

/* Form bodies (application/x-www-form-urlencoded). */

static void match_params(struct mctx *c, const struct query *e,
			 const struct query *a, const struct rule_set *rules,
			 int by_path, int strict);

static void match_form(struct mctx *c, const struct body *exp,
		       const struct body *act)
{
	struct buf e, a;
	struct query qe, qa;
	buf_init(&e, 0);
	buf_init(&a, 0);
	memset(&qe, 0, sizeof(qe));
	memset(&qa, 0, sizeof(qa));
	body_text(exp, &e);
	body_text(act, &a);
	query_parse(&qe, e.ptr, e.len);
	query_parse(&qa, a.ptr, a.len);
	match_params(c, &qe, &qa, c->rules, 1, c->strict);
	query_release(&qe);
	query_release(&qa);
	buf_release(&e);
	buf_release(&a);
}

/* Headers, query, path, method, status. */

static const struct rule *rule_by_name(const struct rule_set *s,
				       const char *name, int icase)
{
	size_t i;
	for (i = 0; s && i < s->n; i++) {
		const char *k = s->rules[i].key;
		if (k && (icase ? !str_casecmp(k, name) : !strcmp(k, name)))
			return &s->rules[i];
	}
	return NULL;
}

/* A form field's rule: "$.field" or "$['field']" in body rules. */
static const struct rule *rule_by_field(const struct rule_set *s,
					const char *name)
{
	size_t i;
	for (i = 0; s && i < s->n; i++) {
		const struct path *p = &s->rules[i].path;
		if (p->n == 2 && p->segs[1].kind == SEG_FIELD &&
		    !strcmp(p->segs[1].name, name))
			return &s->rules[i];
		if (p->n == 2 && p->segs[1].kind == SEG_STAR)
			return &s->rules[i];
	}
	return NULL;
}

static void match_params(struct mctx *c, const struct query *e,
			 const struct query *a, const struct rule_set *rules,
			 int by_path, int strict)
{
	size_t i, j;
	for (i = 0; i < e->n; i++) {
		const struct query_param *ep = &e->v[i], *ap = NULL;
		const struct rule *r;
		for (j = 0; j < a->n; j++)
			if (!strcmp(a->v[j].name, ep->name))
				ap = &a->v[j];
		if (push(c, ep->name, 0))
			return;
		r = by_path ? rule_by_field(rules, ep->name)
			    : rule_by_name(rules, ep->name, 0);
		if (!ap) {
			mis(c, ep->n ? ep->values[0] : "", NULL,
			    "expected parameter '%s' but it was missing",
			    ep->name);
		} else if (r) {
			cJSON *ev = str_node(ep->n ? ep->values[0] : "");
			for (j = 0; j < ap->n; j++) {
				cJSON *av = str_node(ap->values[j]);
				apply_rule(c, r, ev, av, 1);
				cJSON_Delete(av);
			}
			cJSON_Delete(ev);
		} else {
			for (j = 0; j < ep->n || j < ap->n; j++) {
				const char *x = j < ep->n ? ep->values[j]
							  : NULL;
				const char *y = j < ap->n ? ap->values[j]
							  : NULL;
				if (x && y && !strcmp(x, y))
					continue;
				if (push(c, NULL, (long)j))
					return;
				if (!y)
					mis(c, x, NULL,
					    "expected value '%s' for '%s' but it was missing",
					    x, ep->name);
				else if (!x)
					mis(c, NULL, y,
					    "unexpected value '%s' for '%s'", y,
					    ep->name);
				else
					mis(c, x, y,
					    "expected '%s' but found '%s'", x,
					    y);
				pop(c);
			}
		}
		pop(c);
	}
	if (!strict)
		return;
	for (j = 0; j < a->n; j++) {
		int known = 0;
		for (i = 0; i < e->n && !known; i++)
			known = !strcmp(e->v[i].name, a->v[j].name);
		if (known)
			continue;
		if (push(c, a->v[j].name, 0))
			return;
		mis(c, NULL, a->v[j].n ? a->v[j].values[0] : "",
		    "unexpected parameter '%s'", a->v[j].name);
		pop(c);
	}
}

static void ctx_init(struct mctx *c, const struct match_opts *o,
		     struct mismatches *out, const char *prefix, int strict)
{
	/* not a memset of the whole: the stack is 4 KiB and a request
	 * makes a context per header; push() writes each level it uses */
	c->o = o;
	c->out = out;
	c->rules = NULL;
	c->prefix = prefix;
	c->strict = strict;
	c->depth = 0;
	c->added = 0;
	c->stack[0].name = NULL;
	c->stack[0].index = 0;
	c->idx = NULL;
	c->act = NULL;
	c->nact = c->capact = 0;
	c->lookups = 0;
}

/* Headers whose values contain commas by nature: never split. */
static int unsplittable(const char *name)
{
	static const char *const names[] = { "date",
					     "expires",
					     "last-modified",
					     "if-modified-since",
					     "if-unmodified-since",
					     "set-cookie",
					     "cookie",
					     "www-authenticate",
					     "proxy-authenticate",
					     "retry-after",
					     "authorization",
					     "proxy-authorization",
					     "user-agent",
					     "link",
					     NULL };
	size_t i;
	for (i = 0; names[i]; i++)
		if (!str_casecmp(name, names[i]))
			return 1;
	return 0;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Splits header values on commas (unless the header forbids it). */
static char **header_items(const struct header *h, int split, size_t *n)
{
	char **v = NULL;
	size_t cap = 0, i;
	*n = 0;
	for (i = 0; i < h->n; i++) {
		const char *s = h->values[i], *p;
		if (!split || *s == '{' || *s == '[') {
			v = xgrow(v, &cap, *n + 1, sizeof(*v));
			v[(*n)++] = trim_dup(s, strlen(s));
			continue;
		}
		for (;;) {
			p = strchr(s, ',');
			v = xgrow(v, &cap, *n + 1, sizeof(*v));
			v[(*n)++] = trim_dup(s,
					     p ? (size_t)(p - s) : strlen(s));
			if (!p)
				break;
			s = p + 1;
		}
	}
	return v;
}

static void free_items(char **v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * Media types: type/subtype compare case-insensitively; every expected
 * parameter must be present with an equal value (case-insensitive, quotes
 * ignored); extra actual parameters are fine.
 */
static int param_value(const char *mt, const char *name, char *out, size_t n)
{
	const char *p = strchr(mt, ';');
	size_t len = strlen(name);
	while (p) {
		const char *q;
		size_t i = 0;
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (!str_ncasecmp(p, name, len)) {
			q = p + len;
			while (isspace((unsigned char)*q))
				q++;
			if (*q == '=') {
				q++;
				while (isspace((unsigned char)*q))
					q++;
				if (*q == '"')
					q++;
				while (*q && *q != ';' && *q != '"' &&
				       i + 1 < n)
					out[i++] = *q++;
				while (i && isspace((unsigned char)out[i - 1]))
					i--;
				out[i] = '\0';
				return 1;
			}
		}
		p = strchr(p, ';');
	}
	return 0;
}

static int media_equal(const char *e, const char *a)
{
	char eb[128], ab[128];
	const char *p;
	/* not a media type at all ("alligators"): values are case-sensitive */
	if (!strchr(e, '/') || !strchr(a, '/'))
		return !strcmp(e, a);
	media_base(e, eb, sizeof(eb));
	media_base(a, ab, sizeof(ab));
	if (strcmp(eb, ab))
		return 0;
	for (p = strchr(e, ';'); p; p = strchr(p + 1, ';')) {
		char name[64], ev[256], av[256];
		size_t i = 0;
		const char *q = p + 1;
		while (isspace((unsigned char)*q))
			q++;
		while (*q && *q != '=' && *q != ';' && i + 1 < sizeof(name))
			name[i++] = *q++;
		while (i && isspace((unsigned char)name[i - 1]))
			i--;
		name[i] = '\0';
		if (!i)
			continue;
		if (!param_value(e, name, ev, sizeof(ev)))
			continue;
		if (!param_value(a, name, av, sizeof(av)) ||
		    str_casecmp(ev, av))
			return 0;
	}
	return 1;
}

static void match_header(struct mctx *c, const struct header *eh,
			 const struct header *ah, const struct rule_set *rules)
{
	const struct rule *r = rule_by_name(rules, eh->name, 1);
	size_t ne, na, i;
	char **ev, **av;
	int media = !str_casecmp(eh->name, "Content-Type") ||
		    !str_casecmp(eh->name, "Accept");
	if (push(c, eh->name, 0))
		return;
	if (!ah) {
		mis(c, eh->n ? eh->values[0] : "", NULL,
		    "expected header '%s' but it was missing", eh->name);
		pop(c);
		return;
	}
	if (r) {
		cJSON *e = str_node(eh->n ? eh->values[0] : "");
		for (i = 0; i < ah->n; i++) {
			cJSON *a = str_node(ah->values[i]);
			apply_rule(c, r, e, a, 1);
			cJSON_Delete(a);
		}
		cJSON_Delete(e);
		pop(c);
		return;
	}
	if (eh->n == 1 && ah->n == 1 && !strcmp(eh->values[0], ah->values[0])) {
		/* the same bytes: equal however the header is compared (the
		 * common case, and the one worth no allocation) */
		pop(c);
		return;
	}
	if (!str_casecmp(eh->name, "Content-Type")) {
		struct buf e, a;
		buf_init(&e, 0);
		buf_init(&a, 0);
		for (i = 0; i < eh->n; i++)
			buf_addf(&e, "%s%s", i ? ";" : "", eh->values[i]);
		for (i = 0; i < ah->n; i++)
			buf_addf(&a, "%s%s", i ? ";" : "", ah->values[i]);
		if (!media_equal(e.ptr, a.ptr))
			mis(c, e.ptr, a.ptr, "expected '%s' but found '%s'",
			    e.ptr, a.ptr);
		buf_release(&e);
		buf_release(&a);
		pop(c);
		return;
	}
	ev = header_items(eh, !unsplittable(eh->name), &ne);
	av = header_items(ah, !unsplittable(eh->name), &na);
	for (i = 0; i < ne || i < na; i++) {
		const char *x = i < ne ? ev[i] : NULL,
			   *y = i < na ? av[i] : NULL;
		int ok = x && y && (media ? media_equal(x, y) : !strcmp(x, y));
		if (!ok) {
			struct buf e, a;
			size_t k;
			buf_init(&e, 0);
			buf_init(&a, 0);
			for (k = 0; k < ne; k++)
				buf_addf(&e, "%s%s", k ? ", " : "", ev[k]);
			for (k = 0; k < na; k++)
				buf_addf(&a, "%s%s", k ? ", " : "", av[k]);
			mis(c, e.ptr, a.ptr, "expected '%s' but found '%s'",
			    e.ptr, a.ptr);
			buf_release(&e);
			buf_release(&a);
			break;
		}
	}
	free_items(ev, ne);
	free_items(av, na);
	pop(c);
}

static void match_headers(const struct headers *e, const struct headers *a,
			  const struct rules *rules, const struct match_opts *o,
			  struct mismatches *out, size_t *added)
{
	struct mctx c;
	const struct rule_set *rs = rules_category(rules, "header");
	size_t i;
	ctx_init(&c, o, out, "$.headers", 0);
	for (i = 0; i < e->n; i++)
		match_header(&c, &e->v[i], headers_get(a, e->v[i].name), rs);
	*added += c.added;
}

static char *pct_decode_dup(const char *s)
{
	struct query q = { 0 };
	struct buf b;
	size_t i, j;
	/* decode through the query parser, keeping the order as written */
	query_parse(&q, s, strlen(s));
	buf_init(&b, 0);
	for (i = 0; i < q.n; i++)
		for (j = 0; j < q.v[i].n; j++)
			buf_addf(&b, "%s=%s&", q.v[i].name, q.v[i].values[j]);
	query_release(&q);
	if (s[0] && s[strlen(s) - 1] == '&')
		buf_addch(&b, '&');
	return buf_detach(&b, NULL);
}

static void match_query(const struct query *e, const struct query *a,
			const struct rules *rules, const struct match_opts *o,
			struct mismatches *out, size_t *added)
{
	struct mctx c;
	ctx_init(&c, o, out, "$.query", 1);
	if (o && o->spec == SPEC_V1 && e->raw) {
		/* v1 compares the query string as written, percent-decoded */
		char *x = pct_decode_dup(e->raw);
		char *y = pct_decode_dup(a->raw ? a->raw : "");
		if (strcmp(x, y))
			mis(&c, e->raw, a->raw ? a->raw : "",
			    "expected query '%s' but found '%s'", e->raw,
			    a->raw ? a->raw : "");
		free(x);
		free(y);
		*added += c.added;
		return;
	}
	match_params(&c, e, a, rules_category(rules, "query"), 0, 1);
	*added += c.added;
}

/*
 * Headers and body of a request (strict: unexpected body keys fail) or a
 * response. The expected side's content type decides how bodies compare;
 * the actual side's serves when the contract names none.
 */
static size_t match_http_body(const struct body *eb, const struct headers *eh,
			      const struct body *ab, const struct headers *ah,
			      const struct rules *rules, int strict,
			      const struct match_opts *o,
			      struct mismatches *out)
{
	struct mctx c;
	const char *ct = content_type_of(eb, eh);
	size_t added = 0;
	match_headers(eh, ah, rules, o, out, &added);
	ctx_init(&c, o, out, "$.body", strict);
	c.rules = rules_category(rules, "body");
	match_body(&c, eb, ab, ct ? ct : content_type_of(ab, ah));
	index_drop(&c);
	return added + c.added;
}

static void match_path(const struct http_request *e,
		       const struct http_request *a, const struct match_opts *o,
		       struct mismatches *out, size_t *added)
{
	const struct rule_set *rs = rules_category(&e->rules, "path");
	struct mctx c;
	ctx_init(&c, o, out, "$.path", 1);
	if (!e->has_path)
		return;
	if (rs && rs->n) {
		cJSON *ev = str_node(e->path), *av = str_node(a->path);
		apply_rule(&c, &rs->rules[0], ev, av, 1);
		cJSON_Delete(ev);
		cJSON_Delete(av);
	} else if (!a->path || strcmp(e->path, a->path)) {
		mis(&c, e->path, a->path ? a->path : "",
		    "expected path '%s' but found '%s'", e->path,
		    a->path ? a->path : "");
	}
	*added += c.added;
}

static size_t request_parts(const struct http_request *exp,
			    const struct http_request *act,
			    const struct match_opts *o, struct mismatches *out,
			    int method_path_known)
{
	size_t added = 0;
	struct mctx c;
	if (method_path_known)
		goto rest;
	if (exp->method &&
	    (!act->method || str_casecmp(exp->method, act->method))) {
		ctx_init(&c, o, out, "$.method", 1);
		mis(&c, exp->method, act->method ? act->method : "",
		    "expected method %s but found %s", exp->method,
		    act->method ? act->method : "none");
		added += c.added;
	}
	match_path(exp, act, o, out, &added);
rest:
	if (exp->query.present || act->query.present)
		match_query(&exp->query, &act->query, &exp->rules, o, out,
			    &added);
	return added + match_http_body(&exp->body, &exp->headers, &act->body,
				       &act->headers, &exp->rules, 1, o, out);
}

size_t match_request(const struct http_request *exp,
		     const struct http_request *act, const struct match_opts *o,
		     struct mismatches *out)
{
	return request_parts(exp, act, o, out, 0);
}

size_t match_request_indexed(const struct http_request *exp,
			     const struct http_request *act,
			     const struct match_opts *o, struct mismatches *out)
{
	return request_parts(exp, act, o, out, 1);
}

static int status_in_class(int st, const char *cls)
{
	if (!strcmp(cls, "info"))
		return st >= 100 && st < 200;
	if (!strcmp(cls, "success"))
		return st >= 200 && st < 300;
	if (!strcmp(cls, "redirect"))
		return st >= 300 && st < 400;
	if (!strcmp(cls, "clientError"))
		return st >= 400 && st < 500;
	if (!strcmp(cls, "serverError"))
		return st >= 500 && st < 600;
	if (!strcmp(cls, "nonError"))
		return st < 400;
	if (!strcmp(cls, "error"))
		return st >= 400;
	return 0;
}

static int status_ok(const struct rule *r, int st)
{
	size_t i, k;
	int any = r->combine_or ? 0 : 1;
	for (i = 0; i < r->n; i++) {
		const struct matcher *m = &r->m[i];
		int ok = 0;
		if (m->type != M_STATUS_CODE)
			ok = 1;
		else if (m->status_class)
			ok = status_in_class(st, m->status_class);
		else
			for (k = 0; k < m->nstatuses && !ok; k++)
				ok = m->statuses[k] == st;
		if (r->combine_or && ok)
			return 1;
		if (!r->combine_or && !ok)
			any = 0;
	}
	return any;
}

/* "a clientError" or "a 200 or 201" from a statusCode rule. */
static void status_describe(const struct rule *r, struct buf *b)
{
	size_t i, k;
	for (i = 0; i < r->n; i++) {
		const struct matcher *m = &r->m[i];
		if (m->type != M_STATUS_CODE)
			continue;
		if (b->len)
			buf_addstr(b, r->combine_or ? " or " : " and ");
		if (m->status_class) {
			buf_addf(b, "a%s %s",
				 strchr("aeiou", m->status_class[0]) ? "n" : "",
				 m->status_class);
			continue;
		}
		buf_addstr(b, "a ");
		for (k = 0; k < m->nstatuses; k++)
			buf_addf(b, "%s%d", k ? " or " : "", m->statuses[k]);
	}
	if (!b->len)
		buf_addstr(b, "a matching");
}

size_t match_response(const struct http_response *exp,
		      const struct http_response *act,
		      const struct match_opts *o, struct mismatches *out)
{
	size_t added = 0;
	struct mctx c;
	if (exp->has_status) {
		const struct rule_set *rs = rules_category(&exp->rules,
							   "status");
		int ok = rs && rs->n ? status_ok(&rs->rules[0], act->status)
				     : act->status == exp->status;
		if (!ok) {
			char e[16], a[16];
			snprintf(e, sizeof(e), "%d", exp->status);
			snprintf(a, sizeof(a), "%d", act->status);
			ctx_init(&c, o, out, "$.status", 0);
			if (rs && rs->n) {
				struct buf want;
				buf_init(&want, 1024);
				status_describe(&rs->rules[0], &want);
				mis(&c, want.ptr, a,
				    "expected %s status but found %d", want.ptr,
				    act->status);
				buf_release(&want);
			} else
				mis(&c, e, a, "expected status %d but found %d",
				    exp->status, act->status);
			added += c.added;
		}
	}
	return added + match_http_body(&exp->body, &exp->headers, &act->body,
				       &act->headers, &exp->rules, 0, o, out);
}

static const char *metadata_content_type(const cJSON *md)
{
	const cJSON *ct = cJSON_GetObjectItemCaseSensitive(md, "contentType");
	if (!ct)
		ct = cJSON_GetObjectItemCaseSensitive(md, "content-type");
	if (!ct)
		ct = cJSON_GetObjectItemCaseSensitive(md, "Content-Type");
	return cJSON_IsString(ct) ? ct->valuestring : NULL;
}

size_t match_message(const struct message *exp, const struct message *act,
		     const struct match_opts *o, struct mismatches *out)
{
	struct mctx c;
	const char *ct;
	const cJSON *it;
	size_t added = 0;
	const struct rule_set *mrs = rules_category(&exp->rules, "metadata");
	ctx_init(&c, o, out, "$.metadata", 0);
	cJSON_ArrayForEach(it, exp->metadata)
	{
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(act->metadata,
								  it->string);
		const struct rule *r = rule_by_name(mrs, it->string, 0);
		if (push(&c, it->string, 0))
			break;
		if (!a) {
			char *e = show(it);
			mis(&c, e, NULL,
			    "expected metadata '%s' but it was missing",
			    it->string);
			free(e);
		} else if (r) {
			apply_rule(&c, r, it, a, 1);
		} else if (cJSON_IsString(it) && cJSON_IsString(a) &&
			   (!str_casecmp(it->string, "contentType") ||
			    !str_casecmp(it->string, "content-type"))) {
			if (!media_equal(it->valuestring, a->valuestring))
				misv(&c, it, a, "value mismatch");
		} else if (!json_equal(it, a)) {
			misv(&c, it, a, "value mismatch");
		}
		pop(&c);
	}
	added += c.added;
	ct = exp->contents.content_type ? exp->contents.content_type
					: metadata_content_type(exp->metadata);
	if (!ct)
		ct = act->contents.content_type
			     ? act->contents.content_type
			     : metadata_content_type(act->metadata);
	ctx_init(&c, o, out, "$.contents", 0);
	c.rules = rules_category(&exp->rules, "body");
	match_body(&c, &exp->contents, &act->contents, ct);
	index_drop(&c);
	return added + c.added;
}

long match_parts(enum part_kind k, const cJSON *expected, const cJSON *actual,
		 const struct match_opts *o, struct mismatches *out,
		 struct err *e)
{
	long n = -1;
	enum spec_version v = o && o->spec ? o->spec : SPEC_V4;
	if (k == PART_REQUEST) {
		struct http_request x, y;
		memset(&x, 0, sizeof(x));
		memset(&y, 0, sizeof(y));
		if (!request_from_cjson(expected, v, "/expected", &x, e) &&
		    !request_from_cjson(actual, v, "/actual", &y, e))
			n = (long)match_request(&x, &y, o, out);
		request_release(&x);
		request_release(&y);
	} else if (k == PART_RESPONSE) {
		struct http_response x, y;
		memset(&x, 0, sizeof(x));
		memset(&y, 0, sizeof(y));
		if (!response_from_cjson(expected, v, "/expected", &x, e) &&
		    !response_from_cjson(actual, v, "/actual", &y, e))
			n = (long)match_response(&x, &y, o, out);
		response_release(&x);
		response_release(&y);
	} else {
		struct message x, y;
		memset(&x, 0, sizeof(x));
		memset(&y, 0, sizeof(y));
		if (!message_from_cjson(expected, v, "/expected", &x, e) &&
		    !message_from_cjson(actual, v, "/actual", &y, e))
			n = (long)match_message(&x, &y, o, out);
		message_release(&x);
		message_release(&y);
	}
	return n;
}
