/*
 * read_json.c: Pact JSON (v1 to v4) into the contract model.
 *
 * The reader is strict about shapes it interprets (a method must be a
 * string, a matcher must be known) and keeps every key it does not
 * interpret, so that writing the model back loses nothing. Errors name the
 * JSON pointer of the offending value; syntax errors carry line:col.
 */
#include "contracts/formats/internal.h"
#include "contracts/json/internal.h"
#include "contracts/match/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A regex cache for one load: pattern -> compiled code (open addressing). */
struct regex_slot {
	char *pattern;
	struct regex *re;
};

struct rd {
	enum spec_version spec;
	struct err *e;
	int depth;
	/* the tree read is the reader's, freed once read (a streamed
	 * interaction): bodies are taken out of it rather than copied */
	int own_tree;
	struct regex_slot *slots;
	size_t nslots; /* a power of two, or 0 */
	size_t used;
};

static void rd_release(struct rd *rd)
{
	size_t i;
	for (i = 0; i < rd->nslots; i++) {
		free(rd->slots[i].pattern);
		regex_free(rd->slots[i].re);
	}
	free(rd->slots);
	rd->slots = NULL;
	rd->nslots = rd->used = 0;
}

static struct regex_slot *slot_find(struct regex_slot *slots, size_t n,
				    const char *pat)
{
	size_t i = (size_t)hash_fnv1a(HASH_FNV_OFFSET, pat) & (n - 1);
	while (slots[i].pattern && strcmp(slots[i].pattern, pat))
		i = (i + 1) & (n - 1);
	return &slots[i];
}

static void cache_grow(struct rd *rd)
{
	size_t n = rd->nslots ? rd->nslots * 2 : 64, i;
	struct regex_slot *slots = xcalloc(n, sizeof(*slots));
	for (i = 0; i < rd->nslots; i++)
		if (rd->slots[i].pattern)
			*slot_find(slots, n,
				   rd->slots[i].pattern) = rd->slots[i];
	free(rd->slots);
	rd->slots = slots;
	rd->nslots = n;
}

#define PTR_MAX 256 /* the size of struct err's pointer */

/*
 * out = base + "/" + key escaped, cut to PTR_MAX - 1 bytes: an error
 * message points into the document, and a cut pointer still does. The
 * key is the contract's own and already in memory, so the scratch buffer
 * has no ceiling; the snprintf cuts.
 */
static void ptr_join(char *out, const char *base, const char *key)
{
	struct buf b;
	const char *k;
	buf_init(&b, 0);
	buf_addstr(&b, base);
	buf_addch(&b, '/');
	/* RFC 6901 escaping: ~ as ~0, / as ~1 */
	for (k = key; *k; k++) {
		if (*k == '~')
			buf_addstr(&b, "~0");
		else if (*k == '/')
			buf_addstr(&b, "~1");
		else
			buf_addch(&b, *k);
	}
	snprintf(out, PTR_MAX, "%s", b.ptr);
	buf_release(&b);
}

static void ptr_index(char *out, const char *base, size_t i)
{
	char idx[32];
	snprintf(idx, sizeof(idx), "%zu", i);
	ptr_join(out, base, idx);
}

static int shape(struct rd *rd, const char *ptr, const char *fmt, ...)
	ATTR_PRINTF(3, 4);

static int shape(struct rd *rd, const char *ptr, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_setat(rd->e, ERR_SHAPE, ptr[0] ? ptr : "/", "%s", msg);
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

static int want(struct rd *rd, const cJSON *v, const char *ptr, int ok,
		const char *what)
{
	char msg[128];
	if (ok)
		return 0;
	snprintf(msg, sizeof(msg), "expected %s, found %s", what, type_name(v));
	return shape(rd, ptr, "%s", msg);
}

static int in_list(const char *k, const char *const *known)
{
	for (; *known; known++)
		if (!strcmp(k, *known))
			return 1;
	return 0;
}

/* Copies the keys of `o` not in `known` into a new object (NULL if none). */
static cJSON *collect_extra(const cJSON *o, const char *const *known)
{
	cJSON *extra = NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, o)
	{
		if (in_list(it->string, known))
			continue;
		if (!extra)
			extra = cJSON_CreateObject();
		cJSON_AddItemToObject(extra, it->string,
				      cJSON_Duplicate(it, 1));
	}
	return extra;
}

static char *dup_string(const cJSON *v)
{
	return v && cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static int get_string(struct rd *rd, const cJSON *o, const char *key,
		      const char *ptr, char **out, int required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char p[PTR_MAX];
	ptr_join(p, ptr, key);
	if (!v) {
		if (required)
			return shape(rd, p, "missing required %s", "string");
		return 0;
	}
	if (want(rd, v, p, cJSON_IsString(v), "a string"))
		return -1;
	*out = xstrdup(v->valuestring);
	return 0;
}

/* Matchers. */

/* Every name a matcher may be written under (model.h lists them). */
static const struct {
	const char *name;
	enum matcher_type t;
} matcher_aliases[] = {
#define MATCHER_NAME(c, name, form, param, key, usage) { name, c },
#define MATCHER_ALIAS(name, c) { name, c },
	MATCHER_MAP(MATCHER_NAME) MATCHER_ALIASES(MATCHER_ALIAS)
#undef MATCHER_NAME
#undef MATCHER_ALIAS
};

static int matcher_lookup(const char *name, struct matcher *m)
{
	size_t i;
	for (i = 0; i < sizeof(matcher_aliases) / sizeof(matcher_aliases[0]);
	     i++)
		if (!strcmp(name, matcher_aliases[i].name)) {
			m->type = matcher_aliases[i].t;
			m->alias = matcher_aliases[i].name;
			return 0;
		}
	return -1;
}

/*
 * Compiles a contract regex, once per pattern and load: a contract often
 * repeats one pattern across thousands of interactions.
 */
static int regex_compile_cached(struct rd *rd, const char *ptr, const char *pat,
				struct regex **out)
{
	struct regex_slot *slot;
	struct err e;
	if ((rd->used + 1) * 2 > rd->nslots)
		cache_grow(rd);
	slot = slot_find(rd->slots, rd->nslots, pat);
	if (!slot->pattern) {
		err_clear(&e);
		slot->re = regex_compile(pat, 0, &e);
		if (!slot->re)
			return err_setat(rd->e, e.code, ptr, "%s", e.msg);
		slot->pattern = xstrdup(pat);
		rd->used++;
	}
	*out = regex_ref(slot->re); /* the matcher's; the cache keeps one */
	return 0;
}

static int rules_from(struct rd *rd, const cJSON *o, const char *ptr,
		      struct rules *out);
static int rule_set_from(struct rd *rd, const cJSON *o, const char *ptr,
			 const char *category, struct rule_set *s);

static int matcher_from(struct rd *rd, const cJSON *o, const char *ptr,
			struct matcher *m);

static int matcher_list(struct rd *rd, const cJSON *a, const char *ptr,
			struct matcher **out, size_t *n)
{
	const cJSON *it;
	size_t i = 0;
	char p[PTR_MAX];
	if (want(rd, a, ptr, cJSON_IsArray(a), "an array of matchers"))
		return -1;
	/* sized exactly: a contract holds many rules of one matcher each */
	*out = xcalloc((size_t)cJSON_GetArraySize(a), sizeof(**out));
	cJSON_ArrayForEach(it, a)
	{
		(*n)++;
		ptr_index(p, ptr, i++);
		if (matcher_from(rd, it, p, &(*out)[*n - 1]))
			return -1;
	}
	return 0;
}

static int read_minmax(struct rd *rd, const cJSON *o, const char *ptr,
		       const char *key, int *has, long *val)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char p[PTR_MAX];
	if (!v)
		return 0;
	ptr_join(p, ptr, key);
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9 ||
	    v->valuedouble != (long)v->valuedouble)
		return shape(rd, p, "%s must be a non-negative integer", key);
	*has = 1;
	*val = (long)v->valuedouble;
	return 0;
}

static int matcher_format(struct rd *rd, const cJSON *o, const char *ptr,
			  const char *name, struct matcher *m)
{
	static const char *const keys[] = { "format", "date", "time",
					    "datetime", "timestamp" };
	const cJSON *v = NULL;
	size_t i;
	char why[160], p[PTR_MAX];
	(void)name;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && !v; i++) {
		v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
		if (v) {
			ptr_join(p, ptr, keys[i]);
			m->format_key = keys[i];
		}
	}
	if (!v)
		return 0;
	if (want(rd, v, p, cJSON_IsString(v), "a format string"))
		return -1;
	if (fmt_check_pattern(v->valuestring, why, sizeof(why))) {
		char msg[400];
		snprintf(msg, sizeof(msg), "bad %s format '%.100s': %s",
			 matcher_name(m->type), v->valuestring, why);
		return shape(rd, p, "%s", msg);
	}
	m->format = xstrdup(v->valuestring);
	return 0;
}

static int matcher_status(struct rd *rd, const cJSON *o, const char *ptr,
			  struct matcher *m)
{
	static const char *const classes[] = { "info",	      "success",
					       "redirect",    "clientError",
					       "serverError", "nonError",
					       "error",	      NULL };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "status"), *it;
	char p[PTR_MAX];
	size_t cap = 0;
	ptr_join(p, ptr, "status");
	if (!v)
		return shape(rd, p, "statusCode needs a %s",
			     "status class or list of codes");
	if (cJSON_IsString(v)) {
		if (!in_list(v->valuestring, classes))
			return shape(rd, p, "unknown status class '%s'",
				     v->valuestring);
		m->status_class = xstrdup(v->valuestring);
		return 0;
	}
	if (want(rd, v, p, cJSON_IsArray(v), "a status class or a list"))
		return -1;
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsNumber(it) || it->valuedouble < 100 ||
		    it->valuedouble > 999 ||
		    it->valuedouble != (int)it->valuedouble)
			return shape(
				rd, p, "%s",
				"status codes must be integers from 100 to 999");
		m->statuses = xgrow(m->statuses, &cap, m->nstatuses + 1,
				    sizeof(int));
		m->statuses[m->nstatuses++] = (int)it->valuedouble;
	}
	return 0;
}

static int matcher_variants(struct rd *rd, const cJSON *o, const char *ptr,
			    struct matcher *m)
{
	static const char *const known[] = { "index", "rules", "generators",
					     NULL };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "variants"), *it;
	char p[PTR_MAX], q[PTR_MAX];
	size_t cap = 0, i = 0;
	ptr_join(p, ptr, "variants");
	if (!v || !cJSON_IsArray(v))
		return shape(rd, p, "arrayContains needs %s",
			     "a list of variants");
	cJSON_ArrayForEach(it, v)
	{
		struct variant *var;
		const cJSON *idx, *rules;
		m->variants = xgrow(m->variants, &cap, m->nvariants + 1,
				    sizeof(*m->variants));
		var = &m->variants[m->nvariants++];
		memset(var, 0, sizeof(*var));
		ptr_index(q, p, i++);
		if (want(rd, it, q, cJSON_IsObject(it), "an object"))
			return -1;
		idx = cJSON_GetObjectItemCaseSensitive(it, "index");
		if (idx && (!cJSON_IsNumber(idx) || idx->valuedouble < 0 ||
			    idx->valuedouble > 1e9 ||
			    idx->valuedouble != (long)idx->valuedouble))
			return shape(
				rd, q, "%s",
				"variant index must be a non-negative integer");
		var->index = idx ? (long)idx->valuedouble : (long)i - 1;
		rules = cJSON_GetObjectItemCaseSensitive(it, "rules");
		if (rules) {
			char r[PTR_MAX];
			ptr_join(r, q, "rules");
			if (want(rd, rules, r, cJSON_IsObject(rules),
				 "an object"))
				return -1;
			var->rules.cats = xcalloc(1, sizeof(struct rule_set));
			var->rules.n = 1;
			if (rule_set_from(rd, rules, r, "body",
					  &var->rules.cats[0]))
				return -1;
		}
		var->generators = cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(it, "generators"), 1);
		var->extra = collect_extra(it, known);
	}
	return 0;
}

/* The keys of a matcher object that its fields do not account for. */
static cJSON *matcher_extra(const cJSON *o, const struct matcher *m)
{
	const char *used[8];
	size_t n = 0;
	if (m->name_key)
		used[n++] = m->name_key;
	if (m->has_min)
		used[n++] = "min";
	if (m->has_max)
		used[n++] = "max";
	if (m->regex)
		used[n++] = "regex";
	if (m->value)
		used[n++] = "value";
	if (m->format_key)
		used[n++] = m->format_key;
	if (m->type == M_STATUS_CODE)
		used[n++] = "status";
	if (m->type == M_EACH_KEY || m->type == M_EACH_VALUE)
		used[n++] = m->nsub || cJSON_GetObjectItemCaseSensitive(o,
									"rules")
				    ? "rules"
				    : "";
	else if (m->type == M_ARRAY_CONTAINS)
		used[n++] = "variants";
	used[n] = NULL;
	return collect_extra(o, used);
}

static int matcher_from(struct rd *rd, const cJSON *o, const char *ptr,
			struct matcher *m)
{
	const cJSON *name, *v;
	char p[PTR_MAX];
	if (want(rd, o, ptr, cJSON_IsObject(o), "a matcher object"))
		return -1;
	if (++rd->depth > 16) {
		rd->depth--;
		return shape(rd, ptr, "%s", "matchers nested too deeply");
	}
	m->name_key = "match";
	name = cJSON_GetObjectItemCaseSensitive(o, "match");
	if (!name) {
		m->name_key = "pact:matcher:type";
		name = cJSON_GetObjectItemCaseSensitive(o, m->name_key);
	}
	if (!name)
		m->name_key = NULL;
	if (name) {
		ptr_join(p, ptr, m->name_key);
		if (want(rd, name, p, cJSON_IsString(name), "a matcher name"))
			goto fail;
		if (matcher_lookup(name->valuestring, m)) {
			shape(rd, p, "unknown matcher '%s'", name->valuestring);
			goto fail;
		}
	} else if (cJSON_GetObjectItemCaseSensitive(o, "regex")) {
		m->type = M_REGEX;
	} else if (cJSON_GetObjectItemCaseSensitive(o, "min") ||
		   cJSON_GetObjectItemCaseSensitive(o, "max")) {
		m->type = M_TYPE;
	} else if (cJSON_GetObjectItemCaseSensitive(o, "timestamp") ||
		   cJSON_GetObjectItemCaseSensitive(o, "datetime")) {
		m->type = M_DATETIME;
	} else if (cJSON_GetObjectItemCaseSensitive(o, "date")) {
		m->type = M_DATE;
	} else if (cJSON_GetObjectItemCaseSensitive(o, "time")) {
		m->type = M_TIME;
	} else {
		shape(rd, ptr, "%s", "matcher has no 'match' type");
		goto fail;
	}
	if (read_minmax(rd, o, ptr, "min", &m->has_min, &m->min) ||
	    read_minmax(rd, o, ptr, "max", &m->has_max, &m->max))
		goto fail;
	switch (m->type) {
	case M_REGEX:
		v = cJSON_GetObjectItemCaseSensitive(o, "regex");
		ptr_join(p, ptr, "regex");
		if (!v || !cJSON_IsString(v)) {
			shape(rd, p, "%s",
			      "regex matcher needs a regex string");
			goto fail;
		}
		m->regex = xstrdup(v->valuestring);
		if (regex_compile_cached(rd, p, m->regex, &m->re))
			goto fail;
		break;
	case M_INCLUDE:
	case M_CONTENT_TYPE:
		v = cJSON_GetObjectItemCaseSensitive(o, "value");
		ptr_join(p, ptr, "value");
		if (!v || !cJSON_IsString(v)) {
			shape(rd, p, "%s matcher needs a string value",
			      matcher_name(m->type));
			goto fail;
		}
		m->value = xstrdup(v->valuestring);
		break;
	case M_DATE:
	case M_TIME:
	case M_DATETIME:
		if (matcher_format(rd, o, ptr, name ? name->valuestring : "",
				   m))
			goto fail;
		break;
	case M_STATUS_CODE:
		if (matcher_status(rd, o, ptr, m))
			goto fail;
		break;
	case M_EACH_KEY:
	case M_EACH_VALUE:
		v = cJSON_GetObjectItemCaseSensitive(o, "rules");
		ptr_join(p, ptr, "rules");
		if (v && matcher_list(rd, v, p, &m->sub, &m->nsub))
			goto fail;
		break;
	case M_ARRAY_CONTAINS:
		if (matcher_variants(rd, o, ptr, m))
			goto fail;
		break;
	default:
		break;
	}
	m->extra = matcher_extra(o, m);
	rd->depth--;
	return 0;
fail:
	rd->depth--;
	return -1;
}

static int rule_from(struct rd *rd, const cJSON *o, const char *ptr,
		     struct rule *r)
{
	static const char *const known[] = { "matchers", "combine", NULL };
	const cJSON *ms, *comb;
	char p[PTR_MAX];
	if (want(rd, o, ptr, cJSON_IsObject(o), "a rule object"))
		return -1;
	ms = cJSON_GetObjectItemCaseSensitive(o, "matchers");
	if (!ms) {
		/* a bare matcher where a rule was expected (v2 style) */
		r->m = xcalloc(1, sizeof(*r->m));
		r->n = 1;
		return matcher_from(rd, o, ptr, r->m);
	}
	ptr_join(p, ptr, "matchers");
	if (matcher_list(rd, ms, p, &r->m, &r->n))
		return -1;
	comb = cJSON_GetObjectItemCaseSensitive(o, "combine");
	if (comb) {
		ptr_join(p, ptr, "combine");
		if (!cJSON_IsString(comb) ||
		    (strcmp(comb->valuestring, "AND") &&
		     strcmp(comb->valuestring, "OR")))
			return shape(rd, p, "%s", "combine must be AND or OR");
		r->combine_or = !strcmp(comb->valuestring, "OR");
		r->has_combine = 1;
	}
	r->extra = collect_extra(o, known);
	return 0;
}

static int path_keyed(const char *category)
{
	return !strcmp(category, "body") || !strcmp(category, "content");
}

static struct rule *rule_add(struct rule_set *s, size_t *cap)
{
	struct rule *r;
	s->rules = xgrow(s->rules, cap, s->n + 1, sizeof(*s->rules));
	r = &s->rules[s->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

static int rule_set_from(struct rd *rd, const cJSON *o, const char *ptr,
			 const char *category, struct rule_set *s)
{
	const cJSON *it;
	size_t cap = 0;
	char p[PTR_MAX];
	s->category = xstrdup(category);
	if (want(rd, o, ptr, cJSON_IsObject(o), "an object"))
		return -1;
	cap = (size_t)cJSON_GetArraySize(o) + 1;
	s->rules = xcalloc(cap, sizeof(*s->rules));
	if (cJSON_GetObjectItemCaseSensitive(o, "matchers")) {
		/* path and status: one rule for the whole value */
		return rule_from(rd, o, ptr, rule_add(s, &cap));
	}
	cJSON_ArrayForEach(it, o)
	{
		struct rule *r = rule_add(s, &cap);
		ptr_join(p, ptr, it->string);
		r->key = xstrdup(it->string);
		if (path_keyed(category) &&
		    path_parse(it->string, &r->path, rd->e)) {
			err_setat(rd->e, ERR_SHAPE, p, "malformed rule path");
			return -1;
		}
		if (rule_from(rd, it, p, r))
			return -1;
	}
	return 0;
}

static struct rule_set *cat_get(struct rules *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->cats[i].category, name))
			return &r->cats[i];
	r->cats = xrealloc(r->cats, (r->n + 1) * sizeof(*r->cats));
	memset(&r->cats[r->n], 0, sizeof(*r->cats));
	r->cats[r->n].category = xstrdup(name);
	return &r->cats[r->n++];
}

/*
 * v2 rules: flat keys "$.body.a", "$.headers.Accept", "$.query.q",
 * "$.path", one matcher each. They are sorted into categories here so the
 * engine sees one form; the original key is kept for writing back.
 */
static int rules_from_v2(struct rd *rd, const cJSON *o, const char *ptr,
			 struct rules *out)
{
	const cJSON *it;
	char p[PTR_MAX];
	cJSON_ArrayForEach(it, o)
	{
		struct path kp;
		struct rule_set *s;
		struct rule *r;
		const char *part;
		size_t cap;
		ptr_join(p, ptr, it->string);
		if (path_parse(it->string, &kp, rd->e) || kp.n < 2 ||
		    kp.segs[1].kind != SEG_FIELD) {
			if (!rd->e->code)
				path_release(&kp);
			err_clear(rd->e);
			return shape(rd, p, "malformed rule key '%s'",
				     it->string);
		}
		part = kp.segs[1].name;
		if (!strcmp(part, "headers") || !strcmp(part, "header"))
			part = "header";
		if (strcmp(part, "body") && strcmp(part, "header") &&
		    strcmp(part, "query") && strcmp(part, "path") &&
		    strcmp(part, "status") && strcmp(part, "metadata") &&
		    strcmp(part, "content")) {
			path_release(&kp);
			return shape(rd, p, "unknown rule category in '%s'",
				     it->string);
		}
		s = cat_get(out, part);
		cap = s->n;
		r = rule_add(s, &cap);
		r->v2key = xstrdup(it->string);
		if (path_keyed(part)) {
			/* "$.body.x.y" -> "$.x.y": drop the second element */
			const char *rest = it->string + 1;
			rest += strlen(kp.segs[1].name) + 1;
			if (rest > it->string + strlen(it->string))
				rest = it->string + strlen(it->string);
			r->key = xmalloc(strlen(rest) + 2);
			r->key[0] = '$';
			memcpy(r->key + 1, rest, strlen(rest) + 1);
			if (path_parse(r->key, &r->path, rd->e)) {
				path_release(&kp);
				return -1;
			}
		} else if (kp.n >= 3 && kp.segs[2].kind == SEG_FIELD) {
			r->key = xstrdup(kp.segs[2].name);
		}
		path_release(&kp);
		if (rule_from(rd, it, p, r))
			return -1;
	}
	return 0;
}

static int rules_from(struct rd *rd, const cJSON *o, const char *ptr,
		      struct rules *out)
{
	const cJSON *it;
	char p[PTR_MAX];
	if (!o)
		return 0;
	if (want(rd, o, ptr, cJSON_IsObject(o), "an object of rules"))
		return -1;
	out->present = 1;
	{
		/* v2 rules are keyed by paths ("$.body.x"), v3 and v4 by
		 * category; every key must agree */
		size_t paths = 0, n = 0;
		cJSON_ArrayForEach(it, o)
		{
			n++;
			paths += it->string[0] == '$';
		}
		if (paths && paths != n)
			return shape(
				rd, ptr, "%s",
				"matching rules mix v2 paths ('$.body...') with v3 categories");
		if (paths)
			return rules_from_v2(rd, o, ptr, out);
	}
	cJSON_ArrayForEach(it, o)
	{
		struct rule_set *s;
		ptr_join(p, ptr, it->string);
		out->cats = xrealloc(out->cats,
				     (out->n + 1) * sizeof(*out->cats));
		s = &out->cats[out->n++];
		memset(s, 0, sizeof(*s));
		if (rule_set_from(rd, it, p, it->string, s))
			return -1;
	}
	return 0;
}

/* Bodies, headers and queries. */

int body_is_wrapped(const cJSON *v)
{
	static const char *const keys[] = { "content", "contentType", "encoded",
					    "contentTypeHint", NULL };
	const cJSON *it;
	if (!cJSON_IsObject(v) ||
	    !cJSON_GetObjectItemCaseSensitive(v, "content"))
		return 0;
	cJSON_ArrayForEach(it, v)
	{
		if (!in_list(it->string, keys))
			return 0;
	}
	return 1;
}

/* v, a member of o, for the model to keep: taken out of o when the tree
 * is the reader's (rd->own_tree), else copied. NULL for NULL. */
static cJSON *keep(const struct rd *rd, const cJSON *o, const cJSON *v)
{
	if (!v)
		return NULL;
	if (rd->own_tree) /* the tree is ours to change: see stream_element */
		return cJSON_DetachItemViaPointer((cJSON *)o, (cJSON *)v);
	return cJSON_Duplicate(v, 1);
}

/* The body v, member of o. */
static int body_from(struct rd *rd, const cJSON *o, const cJSON *v,
		     const char *ptr, struct body *b)
{
	const cJSON *ct, *enc, *hint;
	char p[PTR_MAX];
	if (!v)
		return 0;
	b->present = 1;
	if (rd->spec < SPEC_V4 || !body_is_wrapped(v)) {
		b->json = keep(rd, o, v);
		return 0;
	}
	b->wrapped = 1;
	b->json = keep(rd, v, cJSON_GetObjectItemCaseSensitive(v, "content"));
	ct = cJSON_GetObjectItemCaseSensitive(v, "contentType");
	if (ct) {
		ptr_join(p, ptr, "contentType");
		if (want(rd, ct, p, cJSON_IsString(ct), "a string"))
			return -1;
		b->content_type = xstrdup(ct->valuestring);
	}
	enc = cJSON_GetObjectItemCaseSensitive(v, "encoded");
	if (enc) {
		ptr_join(p, ptr, "encoded");
		if (want(rd, enc, p, cJSON_IsBool(enc) || cJSON_IsString(enc),
			 "false or an encoding name"))
			return -1;
		b->encoded = cJSON_Duplicate(enc, 1);
		if (cJSON_IsString(enc) &&
		    !str_casecmp(enc->valuestring, "base64")) {
			struct buf tmp;
			ptr_join(p, ptr, "content");
			buf_init(&tmp, 0);
			if (!cJSON_IsString(b->json) ||
			    base64_decode(b->json->valuestring,
					  strlen(b->json->valuestring), &tmp)) {
				buf_release(&tmp);
				return shape(rd, p, "%s",
					     "content is not valid base64");
			}
			buf_release(&tmp);
		}
	}
	hint = cJSON_GetObjectItemCaseSensitive(v, "contentTypeHint");
	if (hint)
		b->hint = dup_string(hint);
	return 0;
}

/* Is s a token (RFC 9110 5.6.2), the syntax of methods and header names? */
static int is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

/*
 * What a contract says becomes bytes on the wire (the verifier's requests,
 * the stub's answers), so a header name must be a token and a value must
 * hold no CR or LF that ends a line (NUL cannot reach here: a JSON \u0000
 * ends the string):
 * "X: a\r\nHost: internal" would otherwise add a header, or a request.
 */
static int header_ok(struct rd *rd, const char *ptr, const char *name,
		     const char *value)
{
	if (!is_token(name))
		return shape(rd, ptr, "%s",
			     "a header name must be a token (letters, digits "
			     "and !#$%&'*+-.^_`|~)");
	for (; value && *value; value++) {
		/* a line ending that continues the value (obsolete line
		 * folding, which the Pact specification's own cases hold) is
		 * one space on the wire; any other would start a line */
		if (*value == '\r' && value[1] == '\n')
			value++;
		if ((*value == '\r' || *value == '\n') && value[1] != ' ' &&
		    value[1] != '\t')
			return shape(rd, ptr, "%s",
				     "a header value must not hold CR or LF "
				     "(but to fold a line)");
	}
	return 0;
}

static int headers_from(struct rd *rd, const cJSON *o, const char *ptr,
			struct headers *h)
{
	const cJSON *it, *x;
	char p[PTR_MAX];
	if (!o)
		return 0;
	h->present = 1;
	if (want(rd, o, ptr, cJSON_IsObject(o), "an object of headers"))
		return -1;
	cJSON_ArrayForEach(it, o)
	{
		ptr_join(p, ptr, it->string);
		if (header_ok(rd, p, it->string, NULL))
			return -1;
		if (cJSON_IsString(it)) {
			if (header_ok(rd, p, it->string, it->valuestring))
				return -1;
			headers_add(h, it->string, it->valuestring);
		} else if (cJSON_IsArray(it)) {
			h->lists = 1;
			cJSON_ArrayForEach(x, it)
			{
				if (want(rd, x, p, cJSON_IsString(x),
					 "a list of strings") ||
				    header_ok(rd, p, it->string,
					      x->valuestring))
					return -1;
				headers_add(h, it->string, x->valuestring);
			}
			if (!cJSON_GetArraySize(it))
				headers_add(h, it->string, "");
			h->v[h->n - 1].list = 1;
		} else {
			return want(rd, it, p, 0,
				    "a string or list of strings");
		}
	}
	return 0;
}

static int query_from(struct rd *rd, const cJSON *o, const char *ptr,
		      struct query *q)
{
	const cJSON *it, *x;
	char p[PTR_MAX];
	if (!o)
		return 0;
	q->present = 1;
	if (cJSON_IsString(o)) {
		const char *c;
		/* a query string is sent as written, inside the request
		 * line: a CR or LF there would end it */
		for (c = o->valuestring; *c; c++)
			if ((unsigned char)*c < ' ' || *c == 0x7f)
				return shape(
					rd, ptr, "%s",
					"a query string must not hold "
					"control characters (percent-encode "
					"them)");
		q->raw = xstrdup(o->valuestring);
		query_parse(q, o->valuestring, strlen(o->valuestring));
		return 0;
	}
	if (want(rd, o, ptr, cJSON_IsObject(o), "a query string or object"))
		return -1;
	cJSON_ArrayForEach(it, o)
	{
		struct query_param *qp;
		size_t cap = q->n;
		ptr_join(p, ptr, it->string);
		q->v = xgrow(q->v, &cap, q->n + 1, sizeof(*q->v));
		qp = &q->v[q->n++];
		memset(qp, 0, sizeof(*qp));
		qp->name = xstrdup(it->string);
		if (cJSON_IsString(it)) {
			qp->values = xmalloc(sizeof(char *));
			qp->values[qp->n++] = xstrdup(it->valuestring);
			qp->single = 1;
			continue;
		}
		if (want(rd, it, p, cJSON_IsArray(it), "a list of strings"))
			return -1;
		cap = 0;
		cJSON_ArrayForEach(x, it)
		{
			if (want(rd, x, p, cJSON_IsString(x),
				 "a list of strings"))
				return -1;
			qp->values = xgrow(qp->values, &cap, qp->n + 1,
					   sizeof(char *));
			qp->values[qp->n++] = xstrdup(x->valuestring);
		}
	}
	return 0;
}

/*
 * One generator: a known type and, where it takes them, well-formed
 * parameters. The object itself is kept as written; the stub server and
 * the verifier apply it.
 */
static int generator_check(struct rd *rd, const cJSON *g, const char *ptr)
{
	const cJSON *t, *v;
	enum generator_type gt;
	char p[PTR_MAX];
	if (want(rd, g, ptr, cJSON_IsObject(g), "a generator object"))
		return -1;
	t = cJSON_GetObjectItemCaseSensitive(g, "type");
	ptr_join(p, ptr, "type");
	if (!cJSON_IsString(t))
		return shape(rd, p, "%s", "generator needs a type");
	gt = generator_parse(t->valuestring);
	if (gt == G_UNKNOWN)
		return shape(rd, p, "unknown generator '%s'", t->valuestring);
	if (gt == G_REGEX) {
		struct regex *re = NULL;
		v = cJSON_GetObjectItemCaseSensitive(g, "regex");
		ptr_join(p, ptr, "regex");
		if (!cJSON_IsString(v))
			return shape(rd, p, "%s",
				     "Regex generator needs a regex string");
		if (regex_compile_cached(rd, p, v->valuestring, &re))
			return -1;
		regex_free(re);
	} else if (gt == G_PROVIDER_STATE) {
		v = cJSON_GetObjectItemCaseSensitive(g, "expression");
		ptr_join(p, ptr, "expression");
		if (!cJSON_IsString(v))
			return shape(
				rd, p, "%s",
				"ProviderState generator needs an expression");
	} else if (gt == G_DATE || gt == G_TIME || gt == G_DATETIME) {
		char why[160];
		v = cJSON_GetObjectItemCaseSensitive(g, "format");
		ptr_join(p, ptr, "format");
		if (v && (!cJSON_IsString(v) ||
			  fmt_check_pattern(v->valuestring, why, sizeof(why))))
			return shape(rd, p, "bad %s format: %s", t->valuestring,
				     cJSON_IsString(v) ? why : "not a string");
	}
	return 0;
}

static int generators_from(struct rd *rd, const cJSON *o, const char *ptr,
			   cJSON **out)
{
	const cJSON *cat, *g;
	char p[PTR_MAX], q[PTR_MAX];
	if (!o)
		return 0;
	if (want(rd, o, ptr, cJSON_IsObject(o), "an object of generators"))
		return -1;
	cJSON_ArrayForEach(cat, o)
	{
		ptr_join(p, ptr, cat->string);
		/* path and status hold one generator; the rest name theirs */
		if (cJSON_IsString(
			    cJSON_GetObjectItemCaseSensitive(cat, "type"))) {
			if (generator_check(rd, cat, p))
				return -1;
			continue;
		}
		if (want(rd, cat, p, cJSON_IsObject(cat),
			 "an object of generators"))
			return -1;
		cJSON_ArrayForEach(g, cat)
		{
			ptr_join(q, p, g->string);
			if (generator_check(rd, g, q))
				return -1;
		}
	}
	*out = cJSON_Duplicate(o, 1);
	return 0;
}

#define FIELD(o, k) cJSON_GetObjectItemCaseSensitive((o), (k))

/* Member `key` of `o`, with its JSON pointer (ptr/key) written into p. */
static const cJSON *member(const cJSON *o, const char *ptr, const char *key,
			   char *p)
{
	ptr_join(p, ptr, key);
	return FIELD(o, key);
}

static int read_request(struct rd *rd, const cJSON *o, const char *ptr,
			struct http_request *r)
{
	static const char *const known[] = { "method",	   "path",
					     "query",	   "headers",
					     "body",	   "matchingRules",
					     "generators", NULL };
	char p[PTR_MAX];
	const cJSON *path;
	if (want(rd, o, ptr, cJSON_IsObject(o), "a request object"))
		return -1;
	if (get_string(rd, o, "method", ptr, &r->method, 0))
		return -1;
	if (r->method && !is_token(r->method)) {
		ptr_join(p, ptr, "method");
		return shape(rd, p, "%s",
			     "a method must be a token (letters, digits and "
			     "!#$%&'*+-.^_`|~), such as GET");
	}
	path = FIELD(o, "path");
	if (path) {
		ptr_join(p, ptr, "path");
		if (want(rd, path, p, cJSON_IsString(path), "a string"))
			return -1;
		r->path = xstrdup(path->valuestring);
		r->has_path = 1;
	}
	if (query_from(rd, member(o, ptr, "query", p), p, &r->query) ||
	    headers_from(rd, member(o, ptr, "headers", p), p, &r->headers) ||
	    body_from(rd, o, member(o, ptr, "body", p), p, &r->body) ||
	    rules_from(rd, member(o, ptr, "matchingRules", p), p, &r->rules) ||
	    generators_from(rd, member(o, ptr, "generators", p), p,
			    &r->generators))
		return -1;
	r->extra = collect_extra(o, known);
	return 0;
}

static int read_response(struct rd *rd, const cJSON *o, const char *ptr,
			 struct http_response *r)
{
	static const char *const known[] = { "status",	   "headers",
					     "body",	   "matchingRules",
					     "generators", NULL };
	char p[PTR_MAX];
	const cJSON *st;
	if (want(rd, o, ptr, cJSON_IsObject(o), "a response object"))
		return -1;
	st = FIELD(o, "status");
	if (st) {
		ptr_join(p, ptr, "status");
		/* 1xx is refused: it is not a final answer, and a client
		 * sent only "100 Continue" waits for one for ever */
		if (!cJSON_IsNumber(st) || st->valuedouble < 200 ||
		    st->valuedouble > 999 ||
		    st->valuedouble != (int)st->valuedouble)
			return shape(
				rd, p, "%s",
				"status must be an integer from 200 to 999 "
				"(1xx is not a final response)");
		r->status = (int)st->valuedouble;
		r->has_status = 1;
	}
	if (headers_from(rd, member(o, ptr, "headers", p), p, &r->headers) ||
	    body_from(rd, o, member(o, ptr, "body", p), p, &r->body) ||
	    rules_from(rd, member(o, ptr, "matchingRules", p), p, &r->rules) ||
	    generators_from(rd, member(o, ptr, "generators", p), p,
			    &r->generators))
		return -1;
	r->extra = collect_extra(o, known);
	return 0;
}

/*
 * Message fields. For v3 messages and v4 asynchronous messages they sit on
 * the interaction itself; `known` is then the interaction's list and extra
 * keys are kept by the caller.
 */
static int read_message_fields(struct rd *rd, const cJSON *o, const char *ptr,
			       struct message *m)
{
	char p[PTR_MAX];
	const cJSON *md = FIELD(o, "metadata");
	if (!md) {
		md = FIELD(o, "metaData");
		m->metadata_v3 = md != NULL;
	}
	if (md) {
		ptr_join(p, ptr, m->metadata_v3 ? "metaData" : "metadata");
		if (want(rd, md, p, cJSON_IsObject(md), "an object"))
			return -1;
		m->metadata = cJSON_Duplicate(md, 1);
	}
	if (body_from(rd, o, member(o, ptr, "contents", p), p, &m->contents) ||
	    rules_from(rd, member(o, ptr, "matchingRules", p), p, &m->rules) ||
	    generators_from(rd, member(o, ptr, "generators", p), p,
			    &m->generators))
		return -1;
	return 0;
}

static const char *const message_keys[] = { "contents",	  "metadata",
					    "metaData",	  "matchingRules",
					    "generators", NULL };

static int read_message(struct rd *rd, const cJSON *o, const char *ptr,
			struct message *m)
{
	if (want(rd, o, ptr, cJSON_IsObject(o), "a message object"))
		return -1;
	if (read_message_fields(rd, o, ptr, m))
		return -1;
	m->extra = collect_extra(o, message_keys);
	return 0;
}

int request_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
		       struct http_request *out, struct err *e)
{
	struct rd rd;
	int r;
	memset(&rd, 0, sizeof(rd));
	rd.spec = v;
	rd.e = e;
	r = read_request(&rd, o, ptr ? ptr : "", out);
	rd_release(&rd);
	return r;
}

int response_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
			struct http_response *out, struct err *e)
{
	struct rd rd;
	int r;
	memset(&rd, 0, sizeof(rd));
	rd.spec = v;
	rd.e = e;
	r = read_response(&rd, o, ptr ? ptr : "", out);
	rd_release(&rd);
	return r;
}

int message_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
		       struct message *out, struct err *e)
{
	struct rd rd;
	int r;
	memset(&rd, 0, sizeof(rd));
	rd.spec = v;
	rd.e = e;
	r = read_message(&rd, o, ptr ? ptr : "", out);
	rd_release(&rd);
	return r;
}

/* Interactions. */

static int read_states(struct rd *rd, const cJSON *o, const char *ptr,
		       struct interaction *ix)
{
	const cJSON *s = FIELD(o, "providerStates"), *it;
	char p[PTR_MAX], q[PTR_MAX];
	size_t cap = 0, i = 0;
	if (!s) {
		s = FIELD(o, "providerState");
		if (!s)
			s = FIELD(o, "provider_state");
		if (!s || cJSON_IsNull(s))
			return 0;
		ptr_join(p, ptr, s->string);
		if (want(rd, s, p, cJSON_IsString(s), "a string"))
			return -1;
		ix->states = xcalloc(1, sizeof(*ix->states));
		ix->states[0].name = xstrdup(s->valuestring);
		ix->nstates = 1;
		ix->state_v2 = 1;
		return 0;
	}
	ptr_join(p, ptr, "providerStates");
	if (cJSON_IsString(s)) {
		/* tolerated by the v4 schema */
		ix->states = xcalloc(1, sizeof(*ix->states));
		ix->states[0].name = xstrdup(s->valuestring);
		ix->nstates = 1;
		return 0;
	}
	if (want(rd, s, p, cJSON_IsArray(s), "a list of provider states"))
		return -1;
	cJSON_ArrayForEach(it, s)
	{
		struct provider_state *st;
		const cJSON *params;
		ptr_index(q, p, i++);
		ix->states = xgrow(ix->states, &cap, ix->nstates + 1,
				   sizeof(*ix->states));
		st = &ix->states[ix->nstates++];
		memset(st, 0, sizeof(*st));
		if (want(rd, it, q, cJSON_IsObject(it), "an object"))
			return -1;
		if (get_string(rd, it, "name", q, &st->name, 1))
			return -1;
		params = FIELD(it, "params");
		if (cJSON_IsNull(params)) {
			st->params = cJSON_CreateNull();
		} else if (params) {
			char r[PTR_MAX];
			ptr_join(r, q, "params");
			if (want(rd, params, r, cJSON_IsObject(params),
				 "an object"))
				return -1;
			st->params = cJSON_Duplicate(params, 1);
		}
	}
	return 0;
}

static int read_v4_fields(struct rd *rd, const cJSON *o, const char *ptr,
			  struct interaction *ix)
{
	const cJSON *v;
	char p[PTR_MAX];
	if (get_string(rd, o, "key", ptr, &ix->key, 0))
		return -1;
	v = FIELD(o, "pending");
	if (v) {
		ptr_join(p, ptr, "pending");
		if (want(rd, v, p, cJSON_IsBool(v), "a boolean"))
			return -1;
		ix->has_pending = 1;
		ix->pending = cJSON_IsTrue(v);
	}
	ix->comments = cJSON_Duplicate(FIELD(o, "comments"), 1);
	ix->plugin_config = cJSON_Duplicate(FIELD(o, "pluginConfiguration"), 1);
	ix->markup = cJSON_Duplicate(FIELD(o, "interactionMarkup"), 1);
	return 0;
}

static int read_interaction(struct rd *rd, const cJSON *o, const char *ptr,
			    int message_array, struct interaction *ix)
{
	static const char *const http_keys[] = { "type",
						 "description",
						 "key",
						 "providerState",
						 "providerStates",
						 "provider_state",
						 "pending",
						 "comments",
						 "pluginConfiguration",
						 "interactionMarkup",
						 "request",
						 "response",
						 NULL };
	static const char *const msg_keys[] = { "type",
						"description",
						"key",
						"providerState",
						"providerStates",
						"provider_state",
						"pending",
						"comments",
						"pluginConfiguration",
						"interactionMarkup",
						"contents",
						"metadata",
						"metaData",
						"matchingRules",
						"generators",
						NULL };
	char p[PTR_MAX];
	const cJSON *type = FIELD(o, "type");
	if (want(rd, o, ptr, cJSON_IsObject(o), "an interaction object"))
		return -1;
	ix->type = message_array ? IX_MESSAGE : IX_HTTP;
	if (type && rd->spec >= SPEC_V4) {
		ptr_join(p, ptr, "type");
		if (want(rd, type, p, cJSON_IsString(type), "a string"))
			return -1;
		if (interaction_type_parse(type->valuestring, &ix->type))
			return shape(rd, p, "unknown interaction type '%s'",
				     type->valuestring);
	} else if (rd->spec >= SPEC_V4 && !message_array) {
		ptr_join(p, ptr, "type");
		return shape(rd, p, "%s", "missing interaction type");
	}
	if (get_string(rd, o, "description", ptr, &ix->description, 1) ||
	    read_states(rd, o, ptr, ix) || read_v4_fields(rd, o, ptr, ix))
		return -1;
	if (ix->type == IX_HTTP) {
		const cJSON *req = FIELD(o, "request"),
			    *resp = FIELD(o, "response");
		ptr_join(p, ptr, "request");
		if (!req)
			return shape(rd, p, "%s", "missing request");
		if (read_request(rd, req, p, &ix->request))
			return -1;
		ptr_join(p, ptr, "response");
		if (!resp)
			return shape(rd, p, "%s", "missing response");
		if (read_response(rd, resp, p, &ix->response))
			return -1;
		ix->extra = collect_extra(o, http_keys);
	} else if (ix->type == IX_MESSAGE) {
		if (read_message_fields(rd, o, ptr, &ix->message))
			return -1;
		ix->extra = collect_extra(o, msg_keys);
	} else {
		const cJSON *req = FIELD(o, "request"),
			    *resp = FIELD(o, "response"), *it;
		size_t i = 0, cap = 0;
		ptr_join(p, ptr, "request");
		if (!req)
			return shape(rd, p, "%s", "missing request");
		if (read_message(rd, req, p, &ix->message))
			return -1;
		ptr_join(p, ptr, "response");
		if (resp) {
			if (want(rd, resp, p, cJSON_IsArray(resp),
				 "a list of messages"))
				return -1;
			cJSON_ArrayForEach(it, resp)
			{
				char q[PTR_MAX];
				ptr_index(q, p, i++);
				ix->replies = xgrow(ix->replies, &cap,
						    ix->nreplies + 1,
						    sizeof(*ix->replies));
				memset(&ix->replies[ix->nreplies], 0,
				       sizeof(*ix->replies));
				if (read_message(rd, it, q,
						 &ix->replies[ix->nreplies++]))
					return -1;
			}
		}
		ix->extra = collect_extra(o, http_keys);
	}
	return 0;
}

/* The version from metadata, in any of the spellings writers have used. */
static enum spec_version version_of(const cJSON *doc, struct rd *rd, int *bad)
{
	const cJSON *md = FIELD(doc, "metadata"), *v = NULL;
	const char *keys[] = { "pactSpecification", "pact-specification",
			       "pactSpecificationVersion" };
	size_t i;
	*bad = 0;
	if (!cJSON_IsObject(md))
		return SPEC_UNKNOWN;
	for (i = 0; i < 3 && !v; i++)
		v = FIELD(md, keys[i]);
	if (!v)
		return SPEC_UNKNOWN;
	if (cJSON_IsObject(v))
		v = FIELD(v, "version");
	if (cJSON_IsString(v)) {
		enum spec_version s = spec_parse(v->valuestring);
		if (s == SPEC_UNKNOWN) {
			*bad = 1;
			shape(rd, "/metadata/pactSpecification/version",
			      "unsupported Pact specification version '%s'",
			      v->valuestring);
		}
		return s;
	}
	return SPEC_UNKNOWN;
}

static enum spec_version guess_version(const cJSON *doc)
{
	const cJSON *ixs = FIELD(doc, "interactions"), *it;
	if (FIELD(doc, "messages"))
		return SPEC_V3;
	cJSON_ArrayForEach(it, ixs)
	{
		if (FIELD(it, "type"))
			return SPEC_V4;
		if (FIELD(it, "providerStates"))
			return SPEC_V3;
	}
	return SPEC_V2;
}

static int read_party(struct rd *rd, const cJSON *doc, const char *key,
		      char **name, cJSON **extra)
{
	static const char *const known[] = { "name", NULL };
	const cJSON *o = FIELD(doc, key);
	char p[PTR_MAX];
	ptr_join(p, "", key);
	if (!o)
		return shape(rd, p, "missing %s", key);
	if (want(rd, o, p, cJSON_IsObject(o), "an object"))
		return -1;
	if (get_string(rd, o, "name", p, name, 1))
		return -1;
	*extra = collect_extra(o, known);
	return 0;
}

/* Appends the interaction `it`, element `index` of array `member`. */
static int add_interaction(struct rd *rd, struct contract *c, size_t *cap,
			   const cJSON *it, const char *member, size_t index)
{
	char p[PTR_MAX], q[PTR_MAX];
	ptr_join(p, "", member);
	ptr_index(q, p, index);
	c->ix = xgrow(c->ix, cap, c->n + 1, sizeof(*c->ix));
	memset(&c->ix[c->n], 0, sizeof(*c->ix));
	c->n++;
	return read_interaction(rd, it, q, !strcmp(member, "messages"),
				&c->ix[c->n - 1]);
}

/*
 * Everything but the interactions already streamed into c: the version,
 * the parties, metadata, the interaction arrays still in the document,
 * and unknown keys.
 */
static int contract_fill(struct rd *rd, struct contract *c, size_t *cap,
			 const cJSON *doc)
{
	static const char *const known[] = { "consumer",     "provider",
					     "interactions", "messages",
					     "metadata",     NULL };
	static const char *const lists[] = { "interactions", "messages" };
	const cJSON *it;
	size_t i, k;
	if (want(rd, doc, "/", cJSON_IsObject(doc), "a pact object"))
		return -1;
	if (read_party(rd, doc, "consumer", &c->consumer, &c->consumer_extra) ||
	    read_party(rd, doc, "provider", &c->provider, &c->provider_extra))
		return -1;
	it = FIELD(doc, "metadata");
	if (it && want(rd, it, "/metadata", cJSON_IsObject(it), "an object"))
		return -1;
	c->metadata = cJSON_Duplicate(it, 1);
	if (!FIELD(doc, "interactions") && !FIELD(doc, "messages"))
		return shape(rd, "/interactions", "%s", "missing interactions");
	c->messages_form = !FIELD(doc, "interactions");
	/* a v3 file may hold both arrays; messages follow interactions */
	for (k = 0; k < 2; k++) {
		const cJSON *list = FIELD(doc, lists[k]);
		char p[PTR_MAX];
		if (!list)
			continue;
		ptr_join(p, "", lists[k]);
		if (want(rd, list, p, cJSON_IsArray(list), "an array"))
			return -1;
		i = 0;
		cJSON_ArrayForEach(it, list)
		{
			if (add_interaction(rd, c, cap, it, lists[k], i++))
				return -1;
		}
	}
	c->extra = collect_extra(doc, known);
	return 0;
}

struct contract *contract_from_cjson(const char *name, const cJSON *doc,
				     struct err *e)
{
	struct rd rd;
	struct contract *c = contract_new();
	size_t cap = 0;
	int bad;
	memset(&rd, 0, sizeof(rd));
	rd.e = e;
	c->source = xstrdup(name ? name : "-");
	if (cJSON_IsObject(doc)) {
		rd.spec = version_of(doc, &rd, &bad);
		if (bad)
			goto fail;
		if (rd.spec == SPEC_UNKNOWN)
			rd.spec = guess_version(doc);
	}
	c->spec = rd.spec;
	if (contract_fill(&rd, c, &cap, doc))
		goto fail;
	rd_release(&rd);
	return c;
fail:
	rd_release(&rd);
	err_setsource(e, name);
	contract_free(c);
	return NULL;
}

struct stream {
	struct rd rd;
	struct contract *c;
	size_t cap;
};

static int stream_element(void *ctx, const char *member, cJSON *elem,
			  size_t index)
{
	struct stream *st = ctx;
	int r;
	/* elem is freed below: the interaction may keep parts of it */
	st->rd.own_tree = 1;
	r = add_interaction(&st->rd, st->c, &st->cap, elem, member, index);
	st->rd.own_tree = 0;
	cJSON_Delete(elem);
	return r;
}

/*
 * When the metadata names the version, interactions are converted one by
 * one as they are parsed, so a large contract never exists twice in memory;
 * otherwise the version has to be guessed from the whole document first.
 */
struct contract *contract_read_json(const char *name, const char *buf,
				    size_t len, struct err *e)
{
	static const char *const members[] = { "interactions", "messages",
					       NULL };
	cJSON *md = json_member(buf, len, "metadata"), *holder, *doc;
	struct stream st;
	struct contract *c;
	int bad = 0;
	memset(&st, 0, sizeof(st));
	st.rd.e = e;
	if (md) {
		holder = cJSON_CreateObject();
		cJSON_AddItemToObject(holder, "metadata", md);
		st.rd.spec = version_of(holder, &st.rd, &bad);
		cJSON_Delete(holder);
		if (bad) {
			err_setsource(e, name);
			return NULL;
		}
	}
	if (st.rd.spec == SPEC_UNKNOWN) {
		doc = json_parse_located(name, buf, len, e);
		if (!doc)
			return NULL;
		c = contract_from_cjson(name, doc, e);
		cJSON_Delete(doc);
		return c;
	}
	c = st.c = contract_new();
	c->source = xstrdup(name ? name : "-");
	c->spec = st.rd.spec;
	doc = json_parse_streaming(name, buf, len, members, stream_element, &st,
				   e);
	if (!doc || contract_fill(&st.rd, c, &st.cap, doc)) {
		cJSON_Delete(doc);
		rd_release(&st.rd);
		err_setsource(e, name);
		contract_free(c);
		return NULL;
	}
	cJSON_Delete(doc);
	rd_release(&st.rd);
	return c;
}
