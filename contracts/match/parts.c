/*
 * parts.c: the matching engine (match.c) applied to what a request,
 * response or message is made of: bodies by media type (JSON through the
 * engine, XML namespace-aware, text, form-encoded, binary), the path, the
 * query (order-free, repeated values in order), headers (names without
 * case, multi-valued ones split on commas, Content-Type parameters in any
 * order), the status and message metadata; and the entry points
 * match_request(), match_response() and match_message().
 */
#include "contracts/json/internal.h"
#include "contracts/match/engine.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Text of a body: raw bytes, decoded base64, or the JSON string. Base64
 * that does not decode gives the bytes before the bad one (the contract
 * readers refuse such a body).
 */
static void body_text(const struct body *b, struct buf *out)
{
	if (b->has_bytes) {
		buf_add(out, b->bytes ? b->bytes : "", b->len);
	} else if (cJSON_IsString(b->encoded) &&
		   !str_casecmp(b->encoded->valuestring, "base64") &&
		   cJSON_IsString(b->json)) {
		(void)base64_decode(b->json->valuestring,
				    strlen(b->json->valuestring), out);
	} else if (cJSON_IsString(b->json)) {
		buf_addstr(out, b->json->valuestring);
	} else if (b->json && !cJSON_IsNull(b->json)) {
		char *s = cJSON_PrintUnformatted(b->json);
		buf_addstr(out, s ? s : "");
		cJSON_free(s);
	}
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
	const struct rule *r = mctx_find_rule(c, &direct);
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
						mctx_mis(
							c, r->m[i].value, NULL,
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
		mctx_apply_rule(c, r, ev, av, 0);
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
		mctx_mis(
			c, es, as,
			"binary body mismatch: expected %zu bytes (base64 %s%s) but found %zu bytes (base64 %s%s)",
			e.len, es, e.len > 150 ? "..." : "", a.len, as,
			a.len > 150 ? "..." : "");
		free(es);
		free(as);
	} else if (e.len != a.len || memcmp(e.ptr, a.ptr, e.len)) {
		char *es = xstrndup(e.ptr, e.len > 200 ? 200 : e.len);
		char *as = xstrndup(a.ptr, a.len > 200 ? 200 : a.len);
		mctx_mis(c, es, as,
			 "body mismatch: expected '%s' but found '%s'", es, as);
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
			mctx_mis(c, "", a.ptr,
				 "expected an empty body but found '%.100s'",
				 a.ptr);
			buf_release(&a);
		}
		return;
	}
	if (!exp->json || cJSON_IsNull(exp->json)) {
		int owned, bad;
		const cJSON *a = body_json(act, &owned, &bad);
		if (a && !cJSON_IsNull(a) && !body_is_empty(act))
			mctx_misv(c, exp->json, a, "expected a null body");
		if (owned)
			cJSON_Delete((cJSON *)a);
		return;
	}
	k = ct ? kind_of(ct) : guess_kind(exp);
	if (!act->present || (!act->has_bytes && !act->json) ||
	    (act->has_bytes && !act->len)) {
		mctx_mis(c, "a body", NULL,
			 "expected a body but none was found");
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
		mctx_mis(c, "JSON", NULL,
			 "expected a JSON body but found '%.100s'", a.ptr);
		buf_release(&a);
	} else if (ej && aj) {
		match_json(c, ej, aj);
	} else if (ej) {
		mctx_mis(c, "a body", NULL,
			 "expected a body but none was found");
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
	if (mctx_push(c, name, 0))
		return;
	r = mctx_find_rule(c, &direct);
	if (r) {
		cJSON *ev = str_node(exp), *av = act ? str_node(act) : NULL;
		mctx_apply_rule(c, r, ev, av, 1);
		cJSON_Delete(ev);
		cJSON_Delete(av);
	} else if (!act) {
		mctx_mis(c, exp, NULL, "expected %s='%s' but it was missing",
			 name, exp);
	} else if (strcmp(exp, act)) {
		mctx_mis(c, exp, act, "expected '%s' but found '%s'", exp, act);
	}
	mctx_pop(c);
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
	const struct rule *parent = mctx_find_rule(c, &direct);
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
		if (mctx_push(c, first->name, 0))
			return;
		r = mctx_find_rule(c, &rdirect);
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
					mctx_mis(
						c, NULL, NULL,
						"expected at least %ld <%s> element%s, found %zu",
						mm->min, first->name,
						mm->min == 1 ? "" : "s", na);
				if (mm->has_max && (long)na > mm->max)
					mctx_mis(
						c, NULL, NULL,
						"expected at most %ld <%s> element%s, found %zu",
						mm->max, first->name,
						mm->max == 1 ? "" : "s", na);
			}
		}
		if (!na) {
			mctx_mis(c, first->name, NULL,
				 "expected element <%s> but it was missing",
				 first->name);
		} else if (!tmpl && na < ne) {
			mctx_mis(c, NULL, NULL,
				 "expected %zu <%s> element%s but found %zu",
				 ne, first->name, ne == 1 ? "" : "s", na);
		} else if (!tmpl && na > ne && c->strict) {
			mctx_mis(
				c, NULL, NULL,
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
		mctx_pop(c);
	}
	/* children whose names the expected element never mentions */
	for (j = 0; j < a->nchildren; j++) {
		int known = 0;
		for (i = 0; i < e->nchildren && !known; i++)
			known = xml_elem_eq(e->children[i], a->children[j]);
		if (!known) {
			if (mctx_push(c, a->children[j]->name, 0))
				return;
			mctx_mis(c, NULL, a->children[j]->name,
				 "unexpected element <%s>",
				 a->children[j]->name);
			mctx_pop(c);
		}
	}
}

static void match_element(struct mctx *c, const struct xml_node *e,
			  const struct xml_node *a)
{
	size_t i;
	char name[160];
	if (!same_ns(e->ns, a->ns)) {
		mctx_mis(c, e->ns ? e->ns : "no namespace",
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
			if (mctx_push(c, name, 0))
				return;
			mctx_mis(c, NULL, a->attrs[i].value,
				 "unexpected attribute '%s'", a->attrs[i].name);
			mctx_pop(c);
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
		mctx_mis(c, NULL, NULL, "expected body is not valid XML: %s",
			 ee.msg);
	} else if (!ax) {
		mctx_mis(c, "XML", NULL, "actual body is not valid XML: %s",
			 ae.msg);
	} else if (strcmp(ex->name, ax->name)) {
		mctx_mis(c, ex->name, ax->name,
			 "expected root element <%s> but found <%s>", ex->name,
			 ax->name);
	} else {
		if (!mctx_push(c, ex->name, 0)) {
			match_element(c, ex, ax);
			mctx_pop(c);
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
		if (mctx_push(c, ep->name, 0))
			return;
		r = by_path ? rule_by_field(rules, ep->name)
			    : rule_by_name(rules, ep->name, 0);
		if (!ap) {
			mctx_mis(c, ep->n ? ep->values[0] : "", NULL,
				 "expected parameter '%s' but it was missing",
				 ep->name);
		} else if (r) {
			cJSON *ev = str_node(ep->n ? ep->values[0] : "");
			for (j = 0; j < ap->n; j++) {
				cJSON *av = str_node(ap->values[j]);
				mctx_apply_rule(c, r, ev, av, 1);
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
				if (mctx_push(c, NULL, (long)j))
					return;
				if (!y)
					mctx_mis(
						c, x, NULL,
						"expected value '%s' for '%s' but it was missing",
						x, ep->name);
				else if (!x)
					mctx_mis(
						c, NULL, y,
						"unexpected value '%s' for '%s'",
						y, ep->name);
				else
					mctx_mis(c, x, y,
						 "expected '%s' but found '%s'",
						 x, y);
				mctx_pop(c);
			}
		}
		mctx_pop(c);
	}
	if (!strict)
		return;
	for (j = 0; j < a->n; j++) {
		int known = 0;
		for (i = 0; i < e->n && !known; i++)
			known = !strcmp(e->v[i].name, a->v[j].name);
		if (known)
			continue;
		if (mctx_push(c, a->v[j].name, 0))
			return;
		mctx_mis(c, NULL, a->v[j].n ? a->v[j].values[0] : "",
			 "unexpected parameter '%s'", a->v[j].name);
		mctx_pop(c);
	}
}

static void ctx_init(struct mctx *c, const struct match_opts *o,
		     struct mismatches *out, const char *prefix, int strict)
{
	/* not a memset of the whole: the stack is 4 KiB and a request
	 * makes a context per header; mctx_push() writes each level it uses */
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
	if (mctx_push(c, eh->name, 0))
		return;
	if (!ah) {
		mctx_mis(c, eh->n ? eh->values[0] : "", NULL,
			 "expected header '%s' but it was missing", eh->name);
		mctx_pop(c);
		return;
	}
	if (r) {
		cJSON *e = str_node(eh->n ? eh->values[0] : "");
		for (i = 0; i < ah->n; i++) {
			cJSON *a = str_node(ah->values[i]);
			mctx_apply_rule(c, r, e, a, 1);
			cJSON_Delete(a);
		}
		cJSON_Delete(e);
		mctx_pop(c);
		return;
	}
	if (eh->n == 1 && ah->n == 1 && !strcmp(eh->values[0], ah->values[0])) {
		/* the same bytes: equal however the header is compared (the
		 * common case, and the one worth no allocation) */
		mctx_pop(c);
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
			mctx_mis(c, e.ptr, a.ptr,
				 "expected '%s' but found '%s'", e.ptr, a.ptr);
		buf_release(&e);
		buf_release(&a);
		mctx_pop(c);
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
			mctx_mis(c, e.ptr, a.ptr,
				 "expected '%s' but found '%s'", e.ptr, a.ptr);
			buf_release(&e);
			buf_release(&a);
			break;
		}
	}
	free_items(ev, ne);
	free_items(av, na);
	mctx_pop(c);
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
			mctx_mis(&c, e->raw, a->raw ? a->raw : "",
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
	mctx_index_drop(&c);
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
		mctx_apply_rule(&c, &rs->rules[0], ev, av, 1);
		cJSON_Delete(ev);
		cJSON_Delete(av);
	} else if (!a->path || strcmp(e->path, a->path)) {
		mctx_mis(&c, e->path, a->path ? a->path : "",
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
		mctx_mis(&c, exp->method, act->method ? act->method : "",
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
				buf_init(&want, 0);
				status_describe(&rs->rules[0], &want);
				mctx_mis(&c, want.ptr, a,
					 "expected %s status but found %d",
					 want.ptr, act->status);
				buf_release(&want);
			} else
				mctx_mis(&c, e, a,
					 "expected status %d but found %d",
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
		if (mctx_push(&c, it->string, 0))
			break;
		if (!a) {
			char *e = match_show(it);
			mctx_mis(&c, e, NULL,
				 "expected metadata '%s' but it was missing",
				 it->string);
			free(e);
		} else if (r) {
			mctx_apply_rule(&c, r, it, a, 1);
		} else if (cJSON_IsString(it) && cJSON_IsString(a) &&
			   (!str_casecmp(it->string, "contentType") ||
			    !str_casecmp(it->string, "content-type"))) {
			if (!media_equal(it->valuestring, a->valuestring))
				mctx_misv(&c, it, a, "value mismatch");
		} else if (!match_json_equal(it, a)) {
			mctx_misv(&c, it, a, "value mismatch");
		}
		mctx_pop(&c);
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
	mctx_index_drop(&c);
	return added + c.added;
}
