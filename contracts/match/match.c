/*
 * match.c: the matching engine. Compares an actual request, response or
 * message with the expected one and its matching rules, following the Pact
 * specification of the contract's version, and reports every mismatch with
 * its path, what was expected and what was found. This file holds the
 * engine on values (the mismatch list, the context, rule selection, the
 * matchers, JSON arrays and objects); parts.c applies it to bodies of
 * every media type and to the other parts of a request, response or
 * message.
 *
 * Rules are found by the v2 "most specific path" weighting (used for every
 * version): each element of a rule path scores 2 for a name or index that
 * matches and 1 for '*', the scores multiply, and a rule on an ancestor
 * cascades to its descendants unless a heavier rule applies. A context
 * that looks rules up more than a few times walks a trie of the rule
 * paths instead of scanning them all (ruleindex.c): the same choice, at
 * a cost that does not grow with the number of rules.
 */
#include "contracts/match/engine.h"

#include <ctype.h>
#include <math.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A context makes its rule index once it has looked rules up this many
 * times: a small body is cheaper to scan than to index. */
#define INDEX_AFTER_LOOKUPS 32

/* Mismatch list. */

/* A mismatch message is cut to this many bytes, "..." at its end: it
 * quotes values from the wire, and a report line must stay readable. */
#define MISMATCH_MESSAGE_MAX 4096
/* So is a path: its names are keys from the wire, as long as they come. */
#define MISMATCH_PATH_MAX 4096

/* Cuts b to at most `max` bytes, "..." at its end, never inside a UTF-8
 * sequence. */
static void cut(struct buf *b, size_t max)
{
	size_t n;
	if (b->len <= max)
		return;
	n = max - 3;
	while (n && (b->ptr[n] & 0xc0) == 0x80)
		n--; /* not inside a UTF-8 sequence */
	buf_setlen(b, n);
	buf_addstr(b, "...");
}

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
	buf_init(&b, 0);
	buf_addstr(&b, path ? path : "$");
	cut(&b, MISMATCH_PATH_MAX);
	x->path = buf_detach(&b, NULL);
	x->expected = expected ? xstrdup(expected) : NULL;
	x->actual = actual ? xstrdup(actual) : NULL;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	cut(&b, MISMATCH_MESSAGE_MAX);
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
char *match_show(const cJSON *v)
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

void mctx_mis(struct mctx *c, const char *exp, const char *act, const char *fmt,
	      ...)
{
	struct buf p, m;
	va_list ap;
	buf_init(&p, 0); /* mismatches_add cuts both */
	buf_init(&m, 0);
	display_path(c, &p);
	va_start(ap, fmt);
	buf_vaddf(&m, fmt, ap);
	va_end(ap);
	mismatches_add(c->out, p.ptr, exp, act, "%s", m.ptr);
	buf_release(&p);
	buf_release(&m);
	c->added++;
}

void mctx_misv(struct mctx *c, const cJSON *exp, const cJSON *act,
	       const char *what)
{
	char *e = match_show(exp), *a = match_show(act);
	mctx_mis(c, e, a, "%s: expected %s but found %s", what, e, a);
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

int mctx_push(struct mctx *c, const char *name, long index)
{
	if (c->depth >= MATCH_MAX_DEPTH) {
		mctx_mis(c, NULL, NULL, "nesting deeper than %d levels",
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

void mctx_pop(struct mctx *c)
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
void mctx_index_drop(struct mctx *c)
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
const struct rule *mctx_find_rule(struct mctx *c, int *direct)
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
	int rc;
	unsigned long long t0;
	if (!m->re)
		return 0;
	if (c->out->limit_hit)
		return -2;
	t0 = now_ns();
	rc = regex_match(m->re, s, len,
			 c->o && c->o->regex_search ? 0 : REGEX_WHOLE);
	c->out->regex_ns += now_ns() - t0;
	if (c->out->regex_ns > REGEX_TIME_BUDGET_NS) {
		c->out->limit_hit = 1;
		return -2;
	}
	return rc;
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

int match_json_equal(const cJSON *a, const cJSON *b)
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
			if (!match_json_equal(x, y))
				return 0;
		return !x && !y;
	}
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		cJSON_ArrayForEach(x, a)
		{
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !match_json_equal(x, y))
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
		if (exp && act && match_json_equal(exp, act))
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
			char *e = match_show(exp);
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
				buf_init(&w2, 0);
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
int mctx_apply_rule(struct mctx *c, const struct rule *r, const cJSON *exp,
		    const cJSON *act, int coerce)
{
	struct buf why;
	size_t i;
	int ok = r->combine_or ? 0 : 1;
	/* no ceiling: mismatches_add cuts the message it ends in */
	buf_init(&why, 0);
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
		char *e = match_show(exp), *a = match_show(act);
		mctx_mis(c, e, a, "%s (found %s)", why.ptr, a);
		free(e);
		free(a);
	}
	buf_release(&why);
	return ok;
}

int rule_has(const struct rule *r, enum matcher_type t)
{
	size_t i;
	for (i = 0; r && i < r->n; i++)
		if (r->m[i].type == t)
			return 1;
	return 0;
}

/* Does the rule make a collection a template for its items (type-like)? */
int rule_is_template(const struct rule *r)
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

static void apply_collection_rule(struct mctx *c, const struct rule *r,
				  int direct, const cJSON *exp,
				  const cJSON *act)
{
	/* min/max speak of the collection a rule names, not of nested ones */
	struct rule tmp;
	struct matcher *ms;
	size_t i;
	if (direct) {
		mctx_apply_rule(c, r, exp, act, 0);
		return;
	}
	tmp = *r;
	ms = xmalloc(r->n * sizeof(*ms));
	for (i = 0; i < r->n; i++) {
		ms[i] = r->m[i];
		ms[i].has_min = ms[i].has_max = 0;
	}
	tmp.m = ms;
	mctx_apply_rule(c, &tmp, exp, act, 0);
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
			mctx_index_drop(&sub);
			mismatches_release(&scratch);
			if (!sub.added) {
				found = 1;
				break;
			}
		}
		if (!found) {
			char *e = match_show(ev);
			mctx_mis(
				c, e, NULL,
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
	    mctx_find_rule(c, &dummy)) {
		match_json(c, e, a);
		return;
	}
	if (!rule_has(r, M_EACH_VALUE) && !same_type(e, a))
		mctx_misv(c, e, a, "type mismatch");
}

static void match_array(struct mctx *c, const cJSON *exp, const cJSON *act)
{
	int direct = 0, ne = cJSON_GetArraySize(exp),
	    na = cJSON_GetArraySize(act), i;
	const struct rule *r = mctx_find_rule(c, &direct);
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
				if (mctx_push(c, NULL, i))
					return;
				match_item(c, r, e ? e : exp->child, it);
				mctx_pop(c);
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
		mctx_mis(c, e, a, "expected an array of %d item%s but found %d",
			 ne, ne == 1 ? "" : "s", na);
	}
	{
		const cJSON *e = exp->child, *a = act->child;
		for (i = 0; e && a; i++, e = e->next, a = a->next) {
			if (mctx_push(c, NULL, i))
				return;
			match_json(c, e, a);
			mctx_pop(c);
		}
	}
}

static void match_object(struct mctx *c, const cJSON *exp, const cJSON *act)
{
	int direct = 0, dynamic = 0;
	const struct rule *r = mctx_find_rule(c, &direct);
	const cJSON *it;
	if (r && direct && !rule_has(r, M_EQUALITY)) {
		mctx_apply_rule(c, r, exp, act, 0);
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
			if (mctx_push(c, it->string, 0))
				return;
			match_item(c, r, e, it);
			mctx_pop(c);
		}
		return;
	}
	cJSON_ArrayForEach(it, exp)
	{
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(act,
								  it->string);
		if (mctx_push(c, it->string, 0))
			return;
		if (!a) {
			char *e = match_show(it);
			mctx_mis(c, e, NULL,
				 "expected key '%s' but it was missing",
				 it->string);
			free(e);
		} else {
			match_json(c, it, a);
		}
		mctx_pop(c);
	}
	if (!c->strict)
		return;
	cJSON_ArrayForEach(it, act)
	{
		if (cJSON_GetObjectItemCaseSensitive(exp, it->string))
			continue;
		if (mctx_push(c, it->string, 0))
			return;
		{
			char *a = match_show(it);
			mctx_mis(c, NULL, a,
				 "unexpected key '%s' (with value %s)",
				 it->string, a);
			free(a);
		}
		mctx_pop(c);
	}
}

void match_json(struct mctx *c, const cJSON *exp, const cJSON *act)
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
	r = mctx_find_rule(c, &direct);
	if (r) {
		if ((cJSON_IsArray(act) || cJSON_IsObject(act)) && !direct &&
		    rule_is_template(r))
			apply_collection_rule(c, r, direct, exp, act);
		else
			mctx_apply_rule(c, r, exp, act, 0);
		return;
	}
	if (!match_json_equal(exp, act)) {
		if (!same_type(exp, act))
			mctx_misv(c, exp, act, "type mismatch");
		else
			mctx_misv(c, exp, act, "value mismatch");
	}
}
