/*
 * yaml_read.c: accord's YAML authoring format (docs/yaml-format.md) read
 * into the contract model, and plain YAML data read as JSON.
 *
 * Reading parses the text with libyaml into a small tree that keeps each
 * node's line and column (yaml_tree.c), translates the tree into the Pact
 * JSON document of the contract's version (matcher tags become
 * matchingRules entries, bodies are wrapped for v4, messages go where that
 * version keeps them) and hands the document to contract_from_cjson(), so
 * YAML and JSON contracts share one reader. When that reader rejects the
 * document, the translation is run again to find the YAML node behind the
 * JSON pointer it names, and the error is re-set with that node's line and
 * column.
 */
#include "contracts/formats/yaml.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reading: the tree into a Pact document. */

void yr_init(struct yr *r, struct err *e, size_t nodes, const char *want)
{
	memset(r, 0, sizeof(*r));
	r->e = e;
	r->limit = 2 * nodes + YAML_MAX_EXPANSION;
	r->spec = SPEC_V4;
	r->want = want;
	buf_init(&r->ptr, 0);
}

void yr_release(struct yr *r)
{
	buf_release(&r->ptr);
}

static int at_err(struct yr *r, const struct ynode *n, enum err_code code,
		  const char *fmt, ...) ATTR_PRINTF(4, 5);

static int at_err(struct yr *r, const struct ynode *n, enum err_code code,
		  const char *fmt, ...)
{
	char msg[sizeof(r->e->msg)];
	va_list ap;
	if (!r->e || r->e->code != ERR_NONE)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return yaml_pos_err(r->e, n->line, n->col, code, "%s", msg);
}

/*
 * Every conversion enters the node it converts: aliases are followed here,
 * and the count of visited nodes and the depth are bounded, so a small
 * document cannot expand into a huge one. Returns the node to read, or
 * NULL with err set.
 */
static const struct ynode *enter(struct yr *r, const struct ynode *n)
{
	if (++r->seen > r->limit) {
		at_err(r, n, ERR_LIMIT,
		       "aliases expand the document by more than %u nodes",
		       YAML_MAX_EXPANSION);
		return NULL;
	}
	if (++r->depth > CONTRACT_MAX_DEPTH + 1) {
		at_err(r, n, ERR_LIMIT, "YAML nested deeper than %d levels",
		       CONTRACT_MAX_DEPTH);
		return NULL;
	}
	return ynode_deref(n);
}

static void leave(struct yr *r)
{
	r->depth--;
}

/* JSON pointer bookkeeping, only when locating an error. */

static void ptr_escape(struct buf *b, const char *key)
{
	for (; *key; key++) {
		if (*key == '~')
			buf_addstr(b, "~0");
		else if (*key == '/')
			buf_addstr(b, "~1");
		else
			buf_addch(b, *key);
	}
}

static size_t ptr_key(struct yr *r, const char *key)
{
	size_t old = r->ptr.len;
	if (r->want) {
		buf_addch(&r->ptr, '/');
		ptr_escape(&r->ptr, key);
	}
	return old;
}

static size_t ptr_idx(struct yr *r, size_t i)
{
	char t[32];
	snprintf(t, sizeof(t), "%zu", i);
	return ptr_key(r, t);
}

static void ptr_pop(struct yr *r, size_t old)
{
	buf_setlen(&r->ptr, old);
}

static void note_at(struct yr *r, const char *p, size_t plen,
		    const struct ynode *n)
{
	size_t wl;
	if (!r->want)
		return;
	wl = strlen(r->want);
	if (plen > wl || memcmp(p, r->want, plen) ||
	    (plen < wl && r->want[plen] != '/'))
		return;
	if (r->found && plen <= r->best)
		return;
	r->found = 1;
	r->best = plen;
	r->line = n->line;
	r->col = n->col;
}

static void note(struct yr *r, const struct ynode *n)
{
	if (r->want)
		note_at(r, r->ptr.ptr, r->ptr.len, n);
}

/* Plain values: no matcher tags. */

static int key_text(struct yr *r, const struct ynode *k0, const char **out)
{
	const struct ynode *k = ynode_deref(k0);
	if (k->kind != Y_SCALAR)
		return at_err(r, k0, ERR_SHAPE, "%s",
			      "mapping keys must be scalars");
	if (!yaml_core_tag(k->tag))
		return at_err(r, k0, ERR_SHAPE,
			      "tag %s is not allowed on a key", k->tag);
	*out = k->text;
	return 0;
}

struct keyref {
	const char *text;
	const struct ynode *node;
};

static int keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->text, y->text);
	if (c)
		return c;
	if (x->node->line != y->node->line)
		return x->node->line < y->node->line ? -1 : 1;
	return x->node->col < y->node->col ? -1 : x->node->col > y->node->col;
}

/* Keys must be scalars and distinct (a JSON object cannot hold two). */
static int map_check(struct yr *r, const struct ynode *n)
{
	size_t m = n->n / 2, i;
	struct keyref *keys;
	int rc = 0;
	if (!m)
		return 0;
	keys = xmalloc(m * sizeof(*keys));
	for (i = 0; i < m; i++) {
		keys[i].node = n->kids[2 * i];
		if (key_text(r, keys[i].node, &keys[i].text)) {
			free(keys);
			return -1;
		}
	}
	qsort(keys, m, sizeof(*keys), keyref_cmp);
	for (i = 1; i < m && !rc; i++)
		if (!strcmp(keys[i - 1].text, keys[i].text))
			rc = at_err(r, keys[i].node, ERR_SHAPE,
				    "duplicate key '%s'", keys[i].text);
	free(keys);
	return rc;
}

/* The value of key `k` in mapping `n` (not dereferenced), or NULL. */
static const struct ynode *map_get(const struct ynode *n, const char *k)
{
	size_t i;
	for (i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *key = ynode_deref(n->kids[i]);
		if (key->kind == Y_SCALAR && !strcmp(key->text, k))
			return n->kids[i + 1];
	}
	return NULL;
}

static int tag_check(struct yr *r, const struct ynode *n)
{
	if (yaml_core_tag(n->tag))
		return 0;
	if (!yaml_tag_def(n->tag))
		return at_err(r, n, ERR_SHAPE, "unknown matcher tag '%s'",
			      n->tag);
	return at_err(r, n, ERR_SHAPE, "matcher tag '%s' is not allowed here",
		      n->tag);
}

/*
 * A scalar as JSON. Quoted scalars, "!" and !!str are strings; plain ones
 * are resolved; !!int, !!float, !!bool and !!null must fit their type. A
 * matcher tag has been applied by the caller and does not change the value.
 */
static cJSON *scalar_json(struct yr *r, const struct ynode *n)
{
	const char *core = NULL;
	enum stype t;
	double num;
	if (n->tag && !strncmp(n->tag, CORE_TAG, strlen(CORE_TAG)))
		core = n->tag + strlen(CORE_TAG);
	if (core ? !strcmp(core, "str")
		 : !n->plain || (n->tag && !strcmp(n->tag, "!")))
		return cJSON_CreateString(n->text);
	t = yaml_resolve(n->text, &num);
	if (core) {
		int ok = (!strcmp(core, "int") && t == ST_NUM &&
			  num == floor(num)) ||
			 (!strcmp(core, "float") && t == ST_NUM) ||
			 (!strcmp(core, "bool") &&
			  (t == ST_TRUE || t == ST_FALSE)) ||
			 (!strcmp(core, "null") && t == ST_NULL);
		if (strcmp(core, "int") && strcmp(core, "float") &&
		    strcmp(core, "bool") && strcmp(core, "null")) {
			at_err(r, n, ERR_UNSUPPORTED,
			       "unsupported YAML tag '!!%s'", core);
			return NULL;
		}
		if (!ok) {
			at_err(r, n, ERR_SHAPE, "'%s' is not a valid !!%s",
			       n->text, core);
			return NULL;
		}
	}
	switch (t) {
	case ST_NULL:
		return cJSON_CreateNull();
	case ST_TRUE:
		return cJSON_CreateTrue();
	case ST_FALSE:
		return cJSON_CreateFalse();
	case ST_NUM:
		return cJSON_CreateNumber(num);
	case ST_BAD:
		at_err(r, n, ERR_UNSUPPORTED, "'%s' has no JSON form", n->text);
		return NULL;
	default:
		return cJSON_CreateString(n->text);
	}
}

/*
 * Any YAML value as JSON, with no matcher tags in it (`skip_tag` ignores
 * the tag of the node itself, which a caller has already applied).
 */
static cJSON *plain(struct yr *r, const struct ynode *n0, int skip_tag)
{
	const struct ynode *n = enter(r, n0);
	cJSON *v = NULL, *kid;
	const char *k;
	size_t i, old;
	if (!n)
		return NULL;
	note(r, n);
	if (!skip_tag && tag_check(r, n))
		return NULL;
	if (n->kind == Y_SCALAR) {
		v = scalar_json(r, n);
	} else if (n->kind == Y_SEQ) {
		v = cJSON_CreateArray();
		for (i = 0; i < n->n; i++) {
			old = ptr_idx(r, i);
			kid = plain(r, n->kids[i], 0);
			ptr_pop(r, old);
			if (!kid)
				goto fail;
			cJSON_AddItemToArray(v, kid);
		}
	} else {
		if (map_check(r, n))
			return NULL;
		v = cJSON_CreateObject();
		for (i = 0; i + 1 < n->n; i += 2) {
			key_text(r, n->kids[i], &k);
			old = ptr_key(r, k);
			kid = plain(r, n->kids[i + 1], 0);
			ptr_pop(r, old);
			if (!kid)
				goto fail;
			cJSON_AddItemToObject(v, k, kid);
		}
	}
	leave(r);
	return v;
fail:
	cJSON_Delete(v);
	return NULL;
}

/*
 * A field Pact defines as a string (description, method, path, header and
 * query values, state names): a scalar is taken as written, so `page: 1`
 * is "1". Anything else is passed on for the Pact reader to reject.
 */
static cJSON *text_json(struct yr *r, const struct ynode *n0, int skip_tag)
{
	const struct ynode *n = ynode_deref(n0);
	if (n->kind != Y_SCALAR)
		return plain(r, n0, skip_tag);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (!skip_tag && tag_check(r, n))
		return NULL;
	leave(r);
	return cJSON_CreateString(n->text);
}

/* Tag parameters. */

/*
 * Splits the mapping of a tag into the values of `keys` (NULL when
 * absent); any other key is an error.
 */
static int params(struct yr *r, const struct ynode *n, const struct tagdef *d,
		  const char *const *keys, const struct ynode **vals)
{
	size_t i, j;
	for (j = 0; keys[j]; j++)
		vals[j] = NULL;
	if (n->kind != Y_MAP)
		return at_err(r, n, ERR_SHAPE, "expected %s", d->usage);
	if (map_check(r, n))
		return -1;
	for (i = 0; i + 1 < n->n; i += 2) {
		const char *k;
		key_text(r, n->kids[i], &k);
		for (j = 0; keys[j] && strcmp(keys[j], k); j++)
			;
		if (!keys[j])
			return at_err(r, n->kids[i], ERR_SHAPE,
				      "unknown key '%s' in %s", k, d->tag);
		vals[j] = n->kids[i + 1];
	}
	return 0;
}

static int need(struct yr *r, const struct ynode *n, const struct ynode *v,
		const struct tagdef *d, const char *key)
{
	if (v)
		return 0;
	return at_err(r, n, ERR_SHAPE, "%s needs '%s' (%s)", d->tag, key,
		      d->usage);
}

static int param_text(struct yr *r, const struct ynode *v0,
		      const struct tagdef *d, const char *key, const char **out)
{
	const struct ynode *v = ynode_deref(v0);
	if (v->kind != Y_SCALAR || !yaml_core_tag(v->tag))
		return at_err(r, v0, ERR_SHAPE, "'%s' of %s must be a string",
			      key, d->tag);
	*out = v->text;
	return 0;
}

static int param_count(struct yr *r, const struct ynode *v0,
		       const struct tagdef *d, const char *key, long max,
		       long *out)
{
	const struct ynode *v = ynode_deref(v0);
	double num = 0;
	if (v->kind != Y_SCALAR || !v->plain || !yaml_core_tag(v->tag) ||
	    yaml_resolve(v->text, &num) != ST_NUM || num != floor(num) ||
	    num < 0 || num > (double)max)
		return at_err(r, v0, ERR_SHAPE,
			      "'%s' of %s must be an integer from 0 to %ld",
			      key, d->tag, max);
	*out = (long)num;
	return 0;
}

static cJSON *matcher_new(const char *match)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "match", match);
	return m;
}

/*
 * What a tag stands for. On success *ms is a new array of matcher objects,
 * *combine the combine to write ("AND" for a one-matcher tag, NULL when a
 * !matchers leaves it out), *ex the node holding the example (n itself for
 * the value tags) and *count the copies of it an !eachLike asks for.
 * !arrayContains, !body and !unwrapped are handled by their callers.
 */
int yaml_tag_matchers(struct yr *r, const struct ynode *n,
		      const struct tagdef *d, cJSON **ms, const char **combine,
		      const struct ynode **ex, long *count)
{
	const struct ynode *v[4];
	const char *s;
	cJSON *m = NULL, *x;
	long min = 0, max = 0;
	size_t i;

	*ms = NULL;
	*combine = "AND";
	*ex = n;
	*count = 1;
	switch (d->kind) {
	case TK_VALUE:
		m = matcher_new(d->match);
		break;
	case TK_DATE: {
		static const char *const keys[] = { "format", "example", NULL };
		if (n->kind != Y_MAP) {
			m = matcher_new(d->match);
			break;
		}
		if (params(r, n, d, keys, v) || need(r, n, v[1], d, "example"))
			return -1;
		if (v[0] && param_text(r, v[0], d, "format", &s))
			return -1;
		m = matcher_new(d->match);
		if (v[0])
			cJSON_AddStringToObject(m, "format", s);
		*ex = v[1];
		break;
	}
	case TK_PARAMS: {
		const char *keys[] = { d->param, "example", NULL };
		if (params(r, n, d, keys, v) || need(r, n, v[0], d, d->param) ||
		    need(r, n, v[1], d, "example"))
			return -1;
		if (!strcmp(d->param, "status") &&
		    ynode_deref(v[0])->kind == Y_SEQ) {
			x = plain(r, v[0], 0);
			if (!x)
				return -1;
			m = matcher_new(d->match);
			cJSON_AddItemToObject(m, d->field, x);
		} else {
			if (param_text(r, v[0], d, d->param, &s))
				return -1;
			m = matcher_new(d->match);
			cJSON_AddStringToObject(m, d->field, s);
		}
		*ex = v[1];
		break;
	}
	case TK_EACH: {
		static const char *const keys[] = { "rules", "value", "example",
						    NULL };
		if (params(r, n, d, keys, v) || need(r, n, v[2], d, "example"))
			return -1;
		m = matcher_new(d->match);
		for (i = 0; i < 2; i++) {
			if (!v[i])
				continue;
			x = plain(r, v[i], 0);
			if (!x) {
				cJSON_Delete(m);
				return -1;
			}
			cJSON_AddItemToObject(m, keys[i], x);
		}
		*ex = v[2];
		break;
	}
	case TK_EACHLIKE: {
		static const char *const keys[] = { "min", "max", "count",
						    "example", NULL };
		if (params(r, n, d, keys, v) || need(r, n, v[3], d, "example"))
			return -1;
		if ((v[0] &&
		     param_count(r, v[0], d, "min", 1000000000L, &min)) ||
		    (v[1] &&
		     param_count(r, v[1], d, "max", 1000000000L, &max)) ||
		    (v[2] && param_count(r, v[2], d, "count",
					 EACHLIKE_MAX_COUNT, count)))
			return -1;
		if (!v[2] && v[0])
			*count = min > 0 ? min : 1;
		if (*count > EACHLIKE_MAX_COUNT)
			return at_err(r, n, ERR_LIMIT,
				      "%s would repeat its example more than "
				      "%ld times",
				      d->tag, EACHLIKE_MAX_COUNT);
		m = matcher_new("type");
		if (v[0])
			cJSON_AddNumberToObject(m, "min", (double)min);
		if (v[1])
			cJSON_AddNumberToObject(m, "max", (double)max);
		*ex = v[3];
		break;
	}
	case TK_MATCHERS: {
		static const char *const keys[] = { "combine", "rules",
						    "example", NULL };
		const struct ynode *rl;
		if (params(r, n, d, keys, v) || need(r, n, v[1], d, "rules") ||
		    need(r, n, v[2], d, "example"))
			return -1;
		*combine = NULL;
		if (v[0]) {
			if (param_text(r, v[0], d, "combine", combine))
				return -1;
			if (strcmp(*combine, "AND") && strcmp(*combine, "OR"))
				return at_err(r, v[0], ERR_SHAPE,
					      "combine must be AND or OR, not "
					      "'%s'",
					      *combine);
		}
		rl = ynode_deref(v[1]);
		if (rl->kind != Y_SEQ)
			return at_err(r, v[1], ERR_SHAPE, "%s",
				      "rules of !matchers must be a list of "
				      "matchers");
		*ms = cJSON_CreateArray();
		for (i = 0; i < rl->n; i++) {
			x = plain(r, rl->kids[i], 0);
			if (!x || !cJSON_IsObject(x)) {
				cJSON_Delete(x);
				cJSON_Delete(*ms);
				*ms = NULL;
				return at_err(r, rl->kids[i], ERR_SHAPE, "%s",
					      "a matcher is a mapping such as "
					      "{match: regex, regex: ...}");
			}
			cJSON_AddItemToArray(*ms, x);
		}
		*ex = v[2];
		return 0;
	}
	default:
		return at_err(r, n, ERR_SHAPE,
			      "%s is only allowed on a whole %s", d->tag,
			      d->kind == TK_CONTAINS ? "array in a body"
						     : "body");
	}
	*ms = cJSON_CreateArray();
	cJSON_AddItemToArray(*ms, m);
	return 0;
}

/* Where the rules a tag stands for go. */

struct sink {
	cJSON *obj;  /* the matchingRules object (or a variant's rules) */
	int flat;    /* Pact v1/v2: flat "$.body.x" keys, one matcher each */
	int variant; /* an arrayContains variant: body paths only */
	char *base;  /* JSON pointer of obj, when locating */
	int used;    /* a tag has added a rule */
};

/* How an error names the value a rule is for. */
static void describe(char *out, size_t cap, const char *cat, const char *key)
{
	if (!strcmp(cat, "body"))
		snprintf(out, cap, "'%.200s'", key);
	else if (key && strcmp(cat, "status"))
		snprintf(out, cap, "%s '%.200s'", cat, key);
	else
		snprintf(out, cap, "the %s", cat);
}

/* The JSON pointer of the rule for (cat, key), when locating. */
static void rule_ptr(const struct sink *s, const char *cat, const char *key,
		     struct buf *out)
{
	struct buf fk;
	buf_addstr(out, s->base ? s->base : "");
	buf_addch(out, '/');
	if (s->flat) {
		buf_init(&fk, 0);
		yaml_flat_key(&fk, cat, key);
		ptr_escape(out, fk.ptr);
		buf_release(&fk);
	} else if (s->variant) {
		ptr_escape(out, key);
	} else if (!strcmp(cat, "path")) {
		buf_addstr(out, "path");
	} else {
		ptr_escape(out, cat);
		buf_addch(out, '/');
		ptr_escape(out, !strcmp(cat, "status") ? "$" : key);
	}
}

/*
 * Adds the rule of a tag found at node `at` for (cat, key): category
 * "body" with a rule path as key, "header", "query" and "metadata" with a
 * name, "path" and "status" with none. Takes `ms` over.
 */
static int sink_add(struct yr *r, struct sink *s, const struct ynode *at,
		    const char *cat, const char *key, cJSON *ms,
		    const char *combine)
{
	cJSON *rule, *holder = s->obj;
	const char *k = key;
	char what[256];
	struct buf fk;

	describe(what, sizeof(what), cat, key);
	buf_init(&fk, 0);
	if (!cJSON_IsObject(s->obj)) {
		cJSON_Delete(ms);
		return at_err(
			r, at, ERR_SHAPE, "%s",
			"matcher tags need matchingRules to be a mapping");
	}
	if (s->flat) {
		if (yaml_flat_key(&fk, cat, key)) {
			buf_release(&fk);
			cJSON_Delete(ms);
			if (!key || !strcmp(cat, "metadata"))
				return at_err(r, at, ERR_UNSUPPORTED,
					      "a matcher on %s needs spec: 3 "
					      "or later",
					      what);
			return at_err(r, at, ERR_UNSUPPORTED,
				      "%s cannot be written in a Pact v2 rule "
				      "key",
				      what);
		}
		if (cJSON_GetArraySize(ms) != 1) {
			buf_release(&fk);
			cJSON_Delete(ms);
			return at_err(
				r, at, ERR_UNSUPPORTED, "%s",
				"a Pact v2 rule holds exactly one matcher");
		}
		rule = cJSON_DetachItemFromArray(ms, 0);
		cJSON_Delete(ms);
		k = fk.ptr;
	} else {
		rule = cJSON_CreateObject();
		if (combine)
			cJSON_AddStringToObject(rule, "combine", combine);
		cJSON_AddItemToObject(rule, "matchers", ms);
		if (!s->variant && !strcmp(cat, "path")) {
			k = "path";
		} else if (!s->variant) {
			holder = cJSON_GetObjectItemCaseSensitive(s->obj, cat);
			if (!holder)
				holder = cJSON_AddObjectToObject(s->obj, cat);
			if (!cJSON_IsObject(holder)) {
				cJSON_Delete(rule);
				return at_err(r, at, ERR_SHAPE,
					      "matchingRules '%s' is not a "
					      "mapping",
					      cat);
			}
			if (!strcmp(cat, "status"))
				k = "$";
		}
	}
	if (cJSON_GetObjectItemCaseSensitive(holder, k)) {
		buf_release(&fk);
		cJSON_Delete(rule);
		return at_err(r, at, ERR_SHAPE,
			      "a second matching rule for %s (combine matchers "
			      "with !matchers)",
			      what);
	}
	cJSON_AddItemToObject(holder, k, rule);
	buf_release(&fk);
	s->used = 1;
	if (r->want) {
		struct buf p;
		buf_init(&p, 0);
		rule_ptr(s, cat, key, &p);
		note_at(r, p.ptr, p.len, at);
		buf_release(&p);
	}
	return 0;
}

/* Bodies: values in which tags may appear at any depth. */

struct bctx {
	struct sink *s;
	struct buf path; /* the rule path of the value: "$.items[*].sku" */
	int bad;	 /* under a key that cannot be written in a rule path */
};

static void bctx_init(struct bctx *b, struct sink *s)
{
	b->s = s;
	b->bad = 0;
	buf_init(&b->path, 0);
	buf_addch(&b->path, '$');
}

static cJSON *body_val(struct yr *r, const struct ynode *n0, struct bctx *b,
		       int skip_tag);

static size_t count_json(const cJSON *v)
{
	const cJSON *it;
	size_t n = 1;
	cJSON_ArrayForEach(it, v)
	{
		n += count_json(it);
	}
	return n;
}

static cJSON *body_contains(struct yr *r, const struct ynode *n, struct bctx *b)
{
	cJSON *arr, *variants, *m, *ms;
	struct buf base;
	size_t i, old;
	if (n->kind != Y_SEQ) {
		at_err(r, n, ERR_SHAPE, "%s",
		       "expected !arrayContains [VARIANT, ...]");
		return NULL;
	}
	arr = cJSON_CreateArray();
	variants = cJSON_CreateArray();
	buf_init(&base, 0);
	for (i = 0; i < n->n; i++) {
		struct sink vs;
		struct bctx vb;
		cJSON *el, *var;
		memset(&vs, 0, sizeof(vs));
		vs.obj = cJSON_CreateObject();
		vs.variant = 1;
		if (r->want) {
			buf_reset(&base);
			rule_ptr(b->s, "body", b->path.ptr, &base);
			buf_addf(&base, "%s/variants/%zu/rules",
				 b->s->flat ? "" : "/matchers/0", i);
			vs.base = base.ptr;
		}
		bctx_init(&vb, &vs);
		old = ptr_idx(r, i);
		el = body_val(r, n->kids[i], &vb, 0);
		ptr_pop(r, old);
		buf_release(&vb.path);
		if (!el) {
			cJSON_Delete(vs.obj);
			goto fail;
		}
		cJSON_AddItemToArray(arr, el);
		var = cJSON_CreateObject();
		cJSON_AddNumberToObject(var, "index", (double)i);
		cJSON_AddItemToObject(var, "rules", vs.obj);
		cJSON_AddItemToArray(variants, var);
	}
	buf_release(&base);
	m = matcher_new("arrayContains");
	cJSON_AddItemToObject(m, "variants", variants);
	ms = cJSON_CreateArray();
	cJSON_AddItemToArray(ms, m);
	if (sink_add(r, b->s, n, "body", b->path.ptr, ms, "AND")) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
fail:
	buf_release(&base);
	cJSON_Delete(arr);
	cJSON_Delete(variants);
	return NULL;
}

static cJSON *body_tagged(struct yr *r, const struct ynode *n,
			  const struct tagdef *d, struct bctx *b)
{
	const struct ynode *ex;
	const char *combine;
	cJSON *ms, *v;
	long count, i;
	if (b->bad) {
		at_err(r, n, ERR_SHAPE,
		       "%s cannot be used under a key holding a quote or a "
		       "backslash",
		       d->tag);
		return NULL;
	}
	if (d->kind == TK_CONTAINS)
		return body_contains(r, n, b);
	if (yaml_tag_matchers(r, n, d, &ms, &combine, &ex, &count))
		return NULL;
	if (d->kind == TK_EACHLIKE) {
		size_t pl = b->path.len, old, size;
		cJSON *el;
		buf_addstr(&b->path, "[*]");
		old = ptr_idx(r, 0);
		el = body_val(r, ex, b, 0);
		ptr_pop(r, old);
		buf_setlen(&b->path, pl);
		if (!el) {
			cJSON_Delete(ms);
			return NULL;
		}
		size = count_json(el);
		if ((double)size * (double)(count - 1) >
		    (double)(r->limit - r->seen)) {
			cJSON_Delete(el);
			cJSON_Delete(ms);
			at_err(r, n, ERR_LIMIT,
			       "%s repeats its example into more than %u "
			       "nodes",
			       d->tag, YAML_MAX_EXPANSION);
			return NULL;
		}
		r->seen += size * (size_t)(count - 1);
		v = cJSON_CreateArray();
		cJSON_AddItemToArray(v, el);
		for (i = 1; i < count; i++)
			cJSON_AddItemToArray(v, cJSON_Duplicate(el, 1));
	} else {
		v = body_val(r, ex, b, ex == n);
		if (!v) {
			cJSON_Delete(ms);
			return NULL;
		}
	}
	if (sink_add(r, b->s, n, "body", b->path.ptr, ms, combine)) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static cJSON *body_val(struct yr *r, const struct ynode *n0, struct bctx *b,
		       int skip_tag)
{
	const struct ynode *n = enter(r, n0);
	const struct tagdef *d = NULL;
	cJSON *v = NULL, *kid;
	const char *k;
	size_t i, old, pl;
	int bad;
	if (!n)
		return NULL;
	note(r, n);
	if (!skip_tag && !yaml_core_tag(n->tag)) {
		d = yaml_tag_def(n->tag);
		if (!d) {
			at_err(r, n, ERR_SHAPE, "unknown matcher tag '%s'",
			       n->tag);
			return NULL;
		}
		v = body_tagged(r, n, d, b);
		if (v)
			leave(r);
		return v;
	}
	if (n->kind == Y_SCALAR) {
		v = scalar_json(r, n);
	} else if (n->kind == Y_SEQ) {
		v = cJSON_CreateArray();
		for (i = 0; i < n->n; i++) {
			pl = b->path.len;
			buf_addf(&b->path, "[%zu]", i);
			old = ptr_idx(r, i);
			kid = body_val(r, n->kids[i], b, 0);
			ptr_pop(r, old);
			buf_setlen(&b->path, pl);
			if (!kid)
				goto fail;
			cJSON_AddItemToArray(v, kid);
		}
	} else {
		if (map_check(r, n))
			return NULL;
		v = cJSON_CreateObject();
		for (i = 0; i + 1 < n->n; i += 2) {
			key_text(r, n->kids[i], &k);
			pl = b->path.len;
			bad = yaml_seg_field(&b->path, k) ? 1 : 0;
			b->bad += bad;
			old = ptr_key(r, k);
			kid = body_val(r, n->kids[i + 1], b, 0);
			ptr_pop(r, old);
			b->bad -= bad;
			buf_setlen(&b->path, pl);
			if (!kid)
				goto fail;
			cJSON_AddItemToObject(v, k, kid);
		}
	}
	if (v)
		leave(r);
	return v;
fail:
	cJSON_Delete(v);
	return NULL;
}

/*
 * A value that may carry one matcher tag at its top (a header, query or
 * metadata value, the path, the status): records the rule and returns the
 * node holding the example, with *skip set when that is the tagged node
 * itself. Untagged values come back unchanged. NULL on error.
 */
static const struct ynode *leaf(struct yr *r, const struct ynode *n0,
				struct sink *s, const char *cat,
				const char *key, int *skip)
{
	const struct ynode *n = ynode_deref(n0), *ex;
	const struct tagdef *d;
	const char *combine;
	cJSON *ms;
	long count;
	*skip = 0;
	if (yaml_core_tag(n->tag))
		return n0;
	d = yaml_tag_def(n->tag);
	if (!d) {
		at_err(r, n, ERR_SHAPE, "unknown matcher tag '%s'", n->tag);
		return NULL;
	}
	if (d->kind == TK_EACHLIKE || d->kind == TK_CONTAINS ||
	    d->kind == TK_BODY || d->kind == TK_UNWRAPPED) {
		at_err(r, n, ERR_SHAPE, "%s can only be used in a body",
		       d->tag);
		return NULL;
	}
	if (yaml_tag_matchers(r, n, d, &ms, &combine, &ex, &count) ||
	    sink_add(r, s, n, cat, key, ms, combine))
		return NULL;
	*skip = ex == n;
	return ex;
}

/*
 * A header or query value: a scalar is one value (a one-element list when
 * `lists`, unless tagged !!str), a sequence the list of values.
 */
static cJSON *hq_value(struct yr *r, const struct ynode *n0, int skip_tag,
		       int lists)
{
	const struct ynode *n = ynode_deref(n0);
	cJSON *v, *kid;
	size_t i, old;
	if (n->kind == Y_MAP)
		return plain(r, n0, skip_tag);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (!skip_tag && tag_check(r, n))
		return NULL;
	if (n->kind == Y_SCALAR) {
		v = cJSON_CreateString(n->text);
		if (lists && !(n->tag && !strcmp(n->tag, STR_TAG))) {
			cJSON *a = cJSON_CreateArray();
			cJSON_AddItemToArray(a, v);
			v = a;
			old = ptr_idx(r, 0);
			note(r, n);
			ptr_pop(r, old);
		}
		leave(r);
		return v;
	}
	v = cJSON_CreateArray();
	for (i = 0; i < n->n; i++) {
		old = ptr_idx(r, i);
		kid = text_json(r, n->kids[i], 0);
		ptr_pop(r, old);
		if (!kid) {
			cJSON_Delete(v);
			return NULL;
		}
		cJSON_AddItemToArray(v, kid);
	}
	leave(r);
	return v;
}

/* A body (or message contents) in the shape of the contract's version. */
static cJSON *body_part(struct yr *r, const struct ynode *n0, struct sink *s,
			const cJSON *headers, const cJSON *meta)
{
	const struct ynode *n = ynode_deref(n0);
	const struct tagdef *d = yaml_core_tag(n->tag) ? NULL
						       : yaml_tag_def(n->tag);
	struct bctx b;
	cJSON *o = NULL, *content;
	char ct[256];
	size_t old;

	bctx_init(&b, s);
	if (d && (d->kind == TK_BODY || d->kind == TK_UNWRAPPED)) {
		if (r->spec < SPEC_V4) {
			at_err(r, n, ERR_SHAPE, "%s needs spec: 4", d->tag);
			goto out;
		}
		if (d->kind == TK_UNWRAPPED) {
			o = body_val(r, n0, &b, 1);
			goto out;
		}
		{
			static const char *const keys[] = {
				"content", "contentType", "encoded",
				"contentTypeHint", NULL
			};
			const struct ynode *v[4];
			size_t i;
			note(r, n);
			if (params(r, n, d, keys, v) ||
			    need(r, n, v[0], d, "content"))
				goto out;
			o = cJSON_CreateObject();
			for (i = 0; i < 4; i++) {
				cJSON *x;
				if (!v[i])
					continue;
				old = ptr_key(r, keys[i]);
				x = i ? plain(r, v[i], 0)
				      : body_val(r, v[i], &b, 0);
				ptr_pop(r, old);
				if (!x) {
					cJSON_Delete(o);
					o = NULL;
					goto out;
				}
				cJSON_AddItemToObject(o, keys[i], x);
			}
		}
		goto out;
	}
	if (r->spec < SPEC_V4) {
		o = body_val(r, n0, &b, 0);
		goto out;
	}
	note(r, n);
	old = ptr_key(r, "content");
	content = body_val(r, n0, &b, 0);
	ptr_pop(r, old);
	if (!content)
		goto out;
	yaml_derive_ct(content, headers, meta, ct, sizeof(ct));
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "content", content);
	cJSON_AddStringToObject(o, "contentType", ct);
	cJSON_AddFalseToObject(o, "encoded");
out:
	buf_release(&b.path);
	return o;
}

static cJSON *query_val(struct yr *r, const struct ynode *n0, struct sink *s)
{
	const struct ynode *n = ynode_deref(n0), *ex;
	cJSON *o, *v;
	const char *k;
	size_t i, old;
	int skip;
	if (n->kind != Y_MAP)
		return text_json(r, n0, 0); /* the query string as written */
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	o = cJSON_CreateObject();
	for (i = 0; i + 1 < n->n; i += 2) {
		key_text(r, n->kids[i], &k);
		old = ptr_key(r, k);
		ex = leaf(r, n->kids[i + 1], s, "query", k, &skip);
		v = ex ? hq_value(r, ex, skip, 1) : NULL;
		ptr_pop(r, old);
		if (!v) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, k, v);
	}
	leave(r);
	if (r->spec <= SPEC_V2) {
		/* v1/v2 keep the query as a string */
		v = yaml_query_string(o);
		if (v) {
			cJSON_Delete(o);
			return v;
		}
	}
	return o;
}

static cJSON *headers_val(struct yr *r, const struct ynode *n0, struct sink *s)
{
	const struct ynode *n = ynode_deref(n0), *ex;
	cJSON *o, *v;
	const char *k;
	size_t i, old;
	int skip;
	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	o = cJSON_CreateObject();
	for (i = 0; i + 1 < n->n; i += 2) {
		key_text(r, n->kids[i], &k);
		old = ptr_key(r, k);
		ex = leaf(r, n->kids[i + 1], s, "header", k, &skip);
		v = ex ? hq_value(r, ex, skip, r->spec >= SPEC_V4) : NULL;
		ptr_pop(r, old);
		if (!v) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, k, v);
	}
	leave(r);
	return o;
}

static cJSON *metadata_val(struct yr *r, const struct ynode *n0, struct sink *s)
{
	const struct ynode *n = ynode_deref(n0), *ex;
	cJSON *o, *v;
	const char *k;
	size_t i, old;
	int skip;
	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	o = cJSON_CreateObject();
	for (i = 0; i + 1 < n->n; i += 2) {
		key_text(r, n->kids[i], &k);
		old = ptr_key(r, k);
		ex = leaf(r, n->kids[i + 1], s, "metadata", k, &skip);
		v = ex ? plain(r, ex, skip) : NULL;
		ptr_pop(r, old);
		if (!v) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, k, v);
	}
	leave(r);
	return o;
}

/*
 * The explicit matchingRules of a part, into which the tags' rules are
 * merged. Its form must be the version's: flat "$.body..." keys for v1/v2,
 * categories otherwise.
 */
static int sink_open(struct yr *r, struct sink *s, const struct ynode *rules)
{
	size_t old;
	memset(s, 0, sizeof(*s));
	s->flat = r->spec <= SPEC_V2;
	if (r->want) {
		old = ptr_key(r, "matchingRules");
		s->base = xstrdup(r->ptr.ptr);
		ptr_pop(r, old);
	}
	if (!rules) {
		s->obj = cJSON_CreateObject();
		return 0;
	}
	old = ptr_key(r, "matchingRules");
	s->obj = plain(r, rules, 0);
	ptr_pop(r, old);
	if (s->obj)
		return 0;
	free(s->base);
	s->base = NULL;
	return -1;
}

static int sink_close(struct yr *r, struct sink *s, const struct ynode *rules,
		      cJSON *into)
{
	int flat_form = cJSON_IsObject(s->obj) && s->obj->child &&
			s->obj->child->string[0] == '$';
	free(s->base);
	s->base = NULL;
	if (rules && s->used && s->obj->child && flat_form != s->flat) {
		cJSON_Delete(s->obj);
		s->obj = NULL;
		return at_err(
			r, ynode_deref(rules), ERR_SHAPE, "%s",
			s->flat ? "with spec: 1 or 2, matchingRules keep "
				  "the flat Pact v2 form ($.body.x) "
				  "when matcher tags are used"
				: "matchingRules in the flat Pact v2 form "
				  "($.body.x) cannot be combined with "
				  "matcher tags; group them by category "
				  "(body, header, query, path)");
	}
	if (rules || s->used)
		cJSON_AddItemToObject(into, "matchingRules", s->obj);
	else
		cJSON_Delete(s->obj);
	s->obj = NULL;
	return 0;
}

/* Adds the unknown keys of mapping `n` (other than `known`) to `o`. */
static int pass_through(struct yr *r, const struct ynode *n,
			const char *const *known, cJSON *o)
{
	size_t i, old;
	for (i = 0; i + 1 < n->n; i += 2) {
		const char *k;
		cJSON *v;
		key_text(r, n->kids[i], &k);
		if (yaml_one_of(k, known))
			continue;
		if (cJSON_GetObjectItemCaseSensitive(o, k))
			return at_err(r, n->kids[i], ERR_SHAPE,
				      "'%s' is given twice", k);
		old = ptr_key(r, k);
		v = plain(r, n->kids[i + 1], 0);
		ptr_pop(r, old);
		if (!v)
			return -1;
		cJSON_AddItemToObject(o, k, v);
	}
	return 0;
}

/* Adds `v` (may be NULL on error) under `key`; returns -1 if NULL. */
static int put(cJSON *o, const char *key, cJSON *v)
{
	if (!v)
		return -1;
	cJSON_AddItemToObject(o, key, v);
	return 0;
}

static cJSON *request_part(struct yr *r, const struct ynode *n0)
{
	static const char *const known[] = { "method",	   "path",
					     "query",	   "headers",
					     "body",	   "matchingRules",
					     "generators", NULL };
	const struct ynode *n = ynode_deref(n0), *v, *ex;
	struct sink s;
	cJSON *o, *x;
	size_t old;
	int skip, rc = 0;

	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	if (sink_open(r, &s, map_get(n, "matchingRules")))
		return NULL;
	o = cJSON_CreateObject();
	if ((v = map_get(n, "method"))) {
		old = ptr_key(r, "method");
		rc = put(o, "method", text_json(r, v, 0));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "path"))) {
		old = ptr_key(r, "path");
		ex = leaf(r, v, &s, "path", NULL, &skip);
		rc = put(o, "path", ex ? text_json(r, ex, skip) : NULL);
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "query"))) {
		old = ptr_key(r, "query");
		rc = put(o, "query", query_val(r, v, &s));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "headers"))) {
		old = ptr_key(r, "headers");
		rc = put(o, "headers", headers_val(r, v, &s));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "body"))) {
		old = ptr_key(r, "body");
		x = cJSON_GetObjectItemCaseSensitive(o, "headers");
		rc = put(o, "body", body_part(r, v, &s, x, NULL));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "generators"))) {
		old = ptr_key(r, "generators");
		rc = put(o, "generators", plain(r, v, 0));
		ptr_pop(r, old);
	}
	if (rc || pass_through(r, n, known, o) ||
	    sink_close(r, &s, map_get(n, "matchingRules"), o)) {
		free(s.base);
		cJSON_Delete(s.obj);
		cJSON_Delete(o);
		return NULL;
	}
	leave(r);
	return o;
}

static cJSON *response_part(struct yr *r, const struct ynode *n0)
{
	static const char *const known[] = { "status",	   "headers",
					     "body",	   "matchingRules",
					     "generators", NULL };
	const struct ynode *n = ynode_deref(n0), *v, *ex;
	struct sink s;
	cJSON *o, *x;
	size_t old;
	int skip, rc = 0;

	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	if (sink_open(r, &s, map_get(n, "matchingRules")))
		return NULL;
	o = cJSON_CreateObject();
	if ((v = map_get(n, "status"))) {
		old = ptr_key(r, "status");
		ex = leaf(r, v, &s, "status", NULL, &skip);
		rc = put(o, "status", ex ? plain(r, ex, skip) : NULL);
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "headers"))) {
		old = ptr_key(r, "headers");
		rc = put(o, "headers", headers_val(r, v, &s));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "body"))) {
		old = ptr_key(r, "body");
		x = cJSON_GetObjectItemCaseSensitive(o, "headers");
		rc = put(o, "body", body_part(r, v, &s, x, NULL));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "generators"))) {
		old = ptr_key(r, "generators");
		rc = put(o, "generators", plain(r, v, 0));
		ptr_pop(r, old);
	}
	if (rc || pass_through(r, n, known, o) ||
	    sink_close(r, &s, map_get(n, "matchingRules"), o)) {
		free(s.base);
		cJSON_Delete(s.obj);
		cJSON_Delete(o);
		return NULL;
	}
	leave(r);
	return o;
}

/*
 * The fields of a message into `into`: the interaction itself for an
 * asynchronous message, a message object for either side of a synchronous
 * one.
 */
static int message_part(struct yr *r, const struct ynode *n0, cJSON *into)
{
	static const char *const known[] = { "contents", "metadata",
					     "matchingRules", "generators",
					     NULL };
	const struct ynode *n = ynode_deref(n0), *v;
	struct sink s;
	size_t old;
	int rc = 0;

	if (!enter(r, n0))
		return -1;
	note(r, n);
	if (tag_check(r, n))
		return -1;
	if (n->kind != Y_MAP)
		return at_err(r, n, ERR_SHAPE, "%s",
			      "a message is a mapping with contents and "
			      "metadata");
	if (map_check(r, n) || sink_open(r, &s, map_get(n, "matchingRules")))
		return -1;
	if ((v = map_get(n, "metadata"))) {
		old = ptr_key(r, "metadata");
		rc = put(into, "metadata", metadata_val(r, v, &s));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "contents"))) {
		old = ptr_key(r, "contents");
		rc = put(into, "contents",
			 body_part(r, v, &s, NULL,
				   cJSON_GetObjectItemCaseSensitive(
					   into, "metadata")));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "generators"))) {
		old = ptr_key(r, "generators");
		rc = put(into, "generators", plain(r, v, 0));
		ptr_pop(r, old);
	}
	if (rc || pass_through(r, n, known, into) ||
	    sink_close(r, &s, map_get(n, "matchingRules"), into)) {
		free(s.base);
		cJSON_Delete(s.obj);
		return -1;
	}
	leave(r);
	return 0;
}

static cJSON *state_obj(struct yr *r, const struct ynode *n0)
{
	static const char *const known[] = { "name", NULL };
	const struct ynode *n = ynode_deref(n0), *v;
	cJSON *o;
	size_t old;
	if (n->kind == Y_SCALAR) {
		o = cJSON_CreateObject();
		old = ptr_key(r, "name");
		if (put(o, "name", text_json(r, n0, 0))) {
			cJSON_Delete(o);
			o = NULL;
		}
		ptr_pop(r, old);
		return o;
	}
	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	o = cJSON_CreateObject();
	if ((v = map_get(n, "name"))) {
		old = ptr_key(r, "name");
		if (put(o, "name", text_json(r, v, 0))) {
			cJSON_Delete(o);
			return NULL;
		}
		ptr_pop(r, old);
	}
	if (pass_through(r, n, known, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	leave(r);
	return o;
}

/*
 * given: a state name, a list of names or of {name, params} mappings, or
 * one such mapping. v1/v2 keep a single state as "providerState".
 */
static int states(struct yr *r, const struct ynode *n0, cJSON *o)
{
	const struct ynode *n = ynode_deref(n0), *one = NULL;
	cJSON *a, *x;
	size_t i, old, old2;
	if (n->kind == Y_SCALAR)
		one = n0;
	else if (n->kind == Y_SEQ && n->n == 1 &&
		 ynode_deref(n->kids[0])->kind == Y_SCALAR)
		one = n->kids[0];
	if (r->spec <= SPEC_V2 && one) {
		old = ptr_key(r, "providerState");
		x = text_json(r, one, 0);
		ptr_pop(r, old);
		return put(o, "providerState", x);
	}
	old = ptr_key(r, "providerStates");
	if (n->kind == Y_SEQ) {
		if (!enter(r, n0))
			return -1;
		note(r, n);
		if (tag_check(r, n))
			return -1;
		a = cJSON_CreateArray();
		for (i = 0; i < n->n; i++) {
			old2 = ptr_idx(r, i);
			x = state_obj(r, n->kids[i]);
			ptr_pop(r, old2);
			if (!x) {
				cJSON_Delete(a);
				return -1;
			}
			cJSON_AddItemToArray(a, x);
		}
		leave(r);
	} else {
		note(r, n);
		a = cJSON_CreateArray();
		old2 = ptr_idx(r, 0);
		x = state_obj(r, n0);
		ptr_pop(r, old2);
		if (!x) {
			cJSON_Delete(a);
			return -1;
		}
		cJSON_AddItemToArray(a, x);
	}
	ptr_pop(r, old);
	return put(o, "providerStates", a);
}

/*
 * One interaction into `ixs` (or, for a v3 message, `msgs`); `counts`
 * holds how many each array has, for the JSON pointers.
 */
static int interaction(struct yr *r, const struct ynode *n0, cJSON *ixs,
		       cJSON *msgs, size_t *counts)
{
	static const char *const known[] = {
		"type",	     "description", "key",     "pending",
		"given",     "comments",    "request", "response",
		"responses", "message",	    NULL
	};
	static const char *const strings[] = { "description", "key", NULL };
	static const char *const plains[] = { "pending", "comments", NULL };
	const struct ynode *n = ynode_deref(n0), *v, *t;
	enum interaction_type kind = IX_HTTP;
	const char *type = NULL;
	cJSON *o, *target;
	size_t old, old2, i;
	int rc = 0;

	if (n->kind != Y_MAP) {
		old = ptr_key(r, "interactions");
		ptr_idx(r, counts[0]++);
		o = plain(r, n0, 0);
		ptr_pop(r, old);
		if (!o)
			return -1;
		cJSON_AddItemToArray(ixs, o);
		return 0;
	}
	if (map_get(n, "message"))
		kind = IX_MESSAGE;
	else if (map_get(n, "responses"))
		kind = IX_SYNC_MESSAGE;
	t = map_get(n, "type");
	if (t && ynode_deref(t)->kind == Y_SCALAR) {
		type = ynode_deref(t)->text;
		/* an unknown type keeps the default; the Pact reader names it */
		(void)interaction_type_parse(type, &kind);
	}
	if (kind != IX_HTTP && r->spec < SPEC_V3)
		return at_err(r, n, ERR_UNSUPPORTED, "%s",
			      "messages need spec: 3 or later");
	if (kind == IX_SYNC_MESSAGE && r->spec < SPEC_V4)
		return at_err(r, n, ERR_UNSUPPORTED, "%s",
			      "synchronous messages need spec: 4");
	target = kind == IX_MESSAGE && r->spec < SPEC_V4 ? msgs : ixs;
	old = ptr_key(r, target == msgs ? "messages" : "interactions");
	old2 = ptr_idx(r, counts[target == msgs]++);
	if (!enter(r, n0))
		return -1;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return -1;
	o = cJSON_CreateObject();
	cJSON_AddItemToArray(target, o);
	if (r->spec >= SPEC_V4) {
		size_t p = ptr_key(r, "type");
		if (t)
			rc = put(o, "type", text_json(r, t, 0));
		else
			cJSON_AddStringToObject(o, "type",
						interaction_type_name(kind));
		ptr_pop(r, p);
	}
	for (i = 0; !rc && i + 1 < n->n; i += 2) {
		const char *k;
		size_t p;
		key_text(r, n->kids[i], &k);
		v = n->kids[i + 1];
		if (yaml_one_of(k, strings) || yaml_one_of(k, plains)) {
			p = ptr_key(r, k);
			rc = put(o, k,
				 yaml_one_of(k, strings) ? text_json(r, v, 0)
							 : plain(r, v, 0));
			ptr_pop(r, p);
		} else if (!strcmp(k, "given")) {
			rc = states(r, v, o);
		} else if (!strcmp(k, "request") || !strcmp(k, "response") ||
			   !strcmp(k, "responses") || !strcmp(k, "message")) {
			int ok = kind == IX_HTTP
					 ? !strcmp(k, "request") ||
						   !strcmp(k, "response")
				 : kind == IX_MESSAGE
					 ? !strcmp(k, "message")
					 : !strcmp(k, "request") ||
						   !strcmp(k, "responses");
			if (!ok)
				return at_err(r, n->kids[i], ERR_SHAPE,
					      "'%s' does not belong in an "
					      "interaction of type %s",
					      k, interaction_type_name(kind));
		}
	}
	if (rc)
		return -1;
	if (kind == IX_HTTP) {
		if ((v = map_get(n, "request"))) {
			size_t p = ptr_key(r, "request");
			rc = put(o, "request", request_part(r, v));
			ptr_pop(r, p);
		}
		if (!rc && (v = map_get(n, "response"))) {
			size_t p = ptr_key(r, "response");
			rc = put(o, "response", response_part(r, v));
			ptr_pop(r, p);
		}
	} else if (kind == IX_MESSAGE) {
		if ((v = map_get(n, "message")))
			rc = message_part(r, v, o);
	} else {
		if ((v = map_get(n, "request"))) {
			size_t p = ptr_key(r, "request");
			cJSON *m = cJSON_AddObjectToObject(o, "request");
			rc = message_part(r, v, m);
			ptr_pop(r, p);
		}
		if (!rc && (v = map_get(n, "responses"))) {
			const struct ynode *l = ynode_deref(v);
			size_t p = ptr_key(r, "response");
			cJSON *a = cJSON_AddArrayToObject(o, "response");
			if (l->kind != Y_SEQ)
				return at_err(r, v, ERR_SHAPE, "%s",
					      "responses is a list of "
					      "messages");
			note(r, l);
			for (i = 0; !rc && i < l->n; i++) {
				size_t q = ptr_idx(r, i);
				cJSON *m = cJSON_CreateObject();
				cJSON_AddItemToArray(a, m);
				rc = message_part(r, l->kids[i], m);
				ptr_pop(r, q);
			}
			ptr_pop(r, p);
		}
	}
	if (rc || pass_through(r, n, known, o))
		return -1;
	leave(r);
	ptr_pop(r, old2);
	ptr_pop(r, old);
	return 0;
}

/* The Pact version a metadata object names, or SPEC_UNKNOWN. */
static const char *meta_version(const cJSON *md)
{
	static const char *const keys[] = { "pactSpecification",
					    "pact-specification",
					    "pactSpecificationVersion" };
	const cJSON *v = NULL;
	size_t i;
	for (i = 0; i < 3 && !v; i++)
		v = cJSON_GetObjectItemCaseSensitive(md, keys[i]);
	if (cJSON_IsObject(v))
		v = cJSON_GetObjectItemCaseSensitive(v, "version");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int has_meta_version(const cJSON *md)
{
	return cJSON_GetObjectItemCaseSensitive(md, "pactSpecification") ||
	       cJSON_GetObjectItemCaseSensitive(md, "pact-specification") ||
	       cJSON_GetObjectItemCaseSensitive(md, "pactSpecificationVersion");
}

static cJSON *party(struct yr *r, const struct ynode *n0)
{
	const struct ynode *n = ynode_deref(n0);
	cJSON *o;
	size_t old;
	if (n->kind != Y_SCALAR)
		return plain(r, n0, 0);
	o = cJSON_CreateObject();
	old = ptr_key(r, "name");
	if (put(o, "name", text_json(r, n0, 0))) {
		cJSON_Delete(o);
		o = NULL;
	}
	ptr_pop(r, old);
	return o;
}

/*
 * The Pact document of a YAML contract. A YAML file without `spec:` whose
 * metadata names a Pact version is taken as a Pact document written in
 * YAML syntax and converted as it is.
 */
cJSON *yaml_doc_from_tree(struct yr *r, const struct ynode *root0)
{
	static const char *const known[] = { "consumer", "provider",	 "spec",
					     "metadata", "interactions", NULL };
	const struct ynode *root = enter(r, root0), *spec, *md, *v;
	cJSON *doc, *meta = NULL, *ixs, *msgs;
	size_t old, i, counts[2] = { 0, 0 };
	const char *mv;

	if (!root)
		return NULL;
	note(r, root);
	if (root->kind != Y_MAP) {
		at_err(r, root, ERR_SHAPE, "%s",
		       "a contract is a YAML mapping with consumer, provider "
		       "and interactions");
		return NULL;
	}
	if (tag_check(r, root) || map_check(r, root))
		return NULL;
	spec = map_get(root, "spec");
	md = map_get(root, "metadata");
	if (md) {
		old = ptr_key(r, "metadata");
		meta = plain(r, md, 0);
		ptr_pop(r, old);
		if (!meta)
			return NULL;
	}
	mv = meta_version(meta);
	if (!spec && mv) {
		cJSON_Delete(meta);
		r->depth--;
		r->seen--;
		return plain(r, root0, 0);
	}
	r->spec = SPEC_V4;
	if (spec) {
		const struct ynode *s = ynode_deref(spec);
		if (s->kind != Y_SCALAR ||
		    spec_parse(s->text) == SPEC_UNKNOWN) {
			cJSON_Delete(meta);
			at_err(r, s, ERR_SHAPE,
			       "unsupported Pact specification version '%s'",
			       s->kind == Y_SCALAR ? s->text : "?");
			return NULL;
		}
		r->spec = spec_parse(s->text);
		if (mv && spec_parse(mv) != r->spec) {
			at_err(r, s, ERR_SHAPE,
			       "spec: %s disagrees with the metadata's Pact "
			       "version %s",
			       s->text, mv);
			cJSON_Delete(meta);
			return NULL;
		}
	}
	if (meta && !cJSON_IsObject(meta)) {
		cJSON_Delete(meta);
		at_err(r, ynode_deref(md), ERR_SHAPE, "%s",
		       "metadata must be a mapping");
		return NULL;
	}
	if (!meta)
		meta = cJSON_CreateObject();
	if (!has_meta_version(meta)) {
		cJSON *x = cJSON_AddObjectToObject(meta, "pactSpecification");
		cJSON_AddStringToObject(x, "version", spec_name(r->spec));
	}
	doc = cJSON_CreateObject();
	ixs = cJSON_CreateArray();
	msgs = cJSON_CreateArray();
	cJSON_AddItemToObject(doc, "metadata", meta);
	for (i = 0; i < 2; i++) {
		const char *k = i ? "provider" : "consumer";
		if (!(v = map_get(root, k)))
			continue;
		old = ptr_key(r, k);
		if (put(doc, k, party(r, v)))
			goto fail;
		ptr_pop(r, old);
	}
	if ((v = map_get(root, "interactions"))) {
		const struct ynode *l = ynode_deref(v);
		if (l->kind != Y_SEQ) {
			old = ptr_key(r, "interactions");
			cJSON_Delete(ixs);
			ixs = plain(r, v, 0);
			ptr_pop(r, old);
			if (!ixs)
				goto fail;
		} else {
			if (!enter(r, v))
				goto fail;
			if (tag_check(r, l))
				goto fail;
			for (i = 0; i < l->n; i++)
				if (interaction(r, l->kids[i], ixs, msgs,
						counts))
					goto fail;
			leave(r);
		}
	}
	if (pass_through(r, root, known, doc))
		goto fail;
	if (cJSON_GetArraySize(msgs)) {
		if (cJSON_GetObjectItemCaseSensitive(doc, "messages")) {
			at_err(r, root, ERR_SHAPE, "%s",
			       "'messages' is given besides message "
			       "interactions");
			goto fail;
		}
		cJSON_AddItemToObject(doc, "messages", msgs);
	} else
		cJSON_Delete(msgs);
	msgs = NULL;
	if (cJSON_GetArraySize(ixs) ||
	    !cJSON_GetObjectItemCaseSensitive(doc, "messages") ||
	    !cJSON_IsArray(ixs))
		cJSON_AddItemToObject(doc, "interactions", ixs);
	else
		cJSON_Delete(ixs);
	leave(r);
	return doc;
fail:
	cJSON_Delete(ixs);
	cJSON_Delete(msgs);
	cJSON_Delete(doc);
	return NULL;
}

/*
 * Re-reads the tree looking for the node behind the JSON pointer the Pact
 * reader named, and re-sets the error at that node's line and column.
 */
static void relocate(const struct ynode *root, size_t nodes, struct err *e)
{
	struct err scratch;
	struct yr r;
	char want[sizeof(e->pointer)], msg[sizeof(e->msg)],
		src[sizeof(e->source)];
	enum err_code code = e->code;
	cJSON *doc;

	memcpy(want, e->pointer, sizeof(want));
	memcpy(msg, e->msg, sizeof(msg));
	memcpy(src, e->source, sizeof(src));
	err_clear(&scratch);
	yr_init(&r, &scratch, nodes, want);
	doc = yaml_doc_from_tree(&r, root);
	cJSON_Delete(doc);
	if (r.found) {
		err_clear(e);
		err_setsource(e, src);
		err_setpos(e, r.line, r.col);
		err_set(e, code, "%s", msg);
	}
	yr_release(&r);
}

/*
 * Reads a YAML contract. Returns it (free with contract_free) or NULL with
 * err set: YAML and translation errors at their line:col, errors of the
 * Pact reader at the line:col of the node their JSON pointer leads to.
 */
struct contract *contract_read_yaml(const char *name, const char *buf,
				    size_t len, struct err *e)
{
	struct contract *c;
	struct ynode *root;
	size_t nodes = 0;
	struct yr r;
	cJSON *doc;

	root = yaml_load(buf, len, &nodes, e);
	if (!root) {
		err_setsource(e, name);
		return NULL;
	}
	yr_init(&r, e, nodes, NULL);
	doc = yaml_doc_from_tree(&r, root);
	yr_release(&r);
	if (!doc) {
		err_setsource(e, name);
		ynode_free(root);
		return NULL;
	}
	c = contract_from_cjson(name, doc, e);
	if (!c && e && e->pointer[0])
		relocate(root, nodes, e);
	cJSON_Delete(doc);
	ynode_free(root);
	return c;
}

/*
 * Plain YAML data (fault profiles and other configuration): the document
 * as JSON, no matcher tags. An error `use` sets with a JSON pointer is
 * re-set at the line and column of the node the pointer leads to.
 */
int yaml_data_read(const char *name, const char *buf, size_t len,
		   int (*use)(void *ctx, const cJSON *doc, struct err *e),
		   void *ctx, struct err *e)
{
	struct ynode *root;
	size_t nodes = 0;
	struct yr r;
	cJSON *doc;
	int rc;

	root = yaml_load(buf, len, &nodes, e);
	if (!root) {
		err_setsource(e, name);
		return -1;
	}
	yr_init(&r, e, nodes, NULL);
	doc = plain(&r, root, 0);
	yr_release(&r);
	if (!doc) {
		err_setsource(e, name);
		ynode_free(root);
		return -1;
	}
	rc = use(ctx, doc, e);
	cJSON_Delete(doc);
	if (rc && e && e->pointer[0]) {
		struct err scratch;
		char want[sizeof(e->pointer)];
		memcpy(want, e->pointer, sizeof(want));
		err_clear(&scratch);
		yr_init(&r, &scratch, nodes, want);
		cJSON_Delete(plain(&r, root, 0));
		if (r.found) {
			struct err keep = *e;
			err_clear(e);
			err_setsource(e, name);
			err_setpos(e, r.line, r.col);
			err_set(e, keep.code, "%s", keep.msg);
		}
		yr_release(&r);
	}
	if (rc && e)
		err_setsource(e, name);
	ynode_free(root);
	return rc;
}
