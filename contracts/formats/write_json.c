/*
 * write_json.c: the contract model back into Pact JSON at any version.
 *
 * Written at its own version a contract comes back as it was read, unknown
 * keys and rules its version does not define included. Converting rewrites
 * the shapes that changed between versions (query string vs map, header
 * strings vs lists, v2 flat rules vs categories, bare vs wrapped bodies) and
 * refuses, with ERR_UNSUPPORTED, what the target cannot express.
 */
#include "contracts/formats/formats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wr {
	enum spec_version from;
	enum spec_version to;
	struct err *e;
	char where[160];
};

static int unsupported(struct wr *w, const char *what)
{
	return err_set(w->e, ERR_UNSUPPORTED,
		       "%s%s cannot be written as Pact %s", w->where, what,
		       spec_name(w->to));
}

static void add_extra(cJSON *o, const cJSON *extra)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, extra)
	{
		if (!cJSON_GetObjectItemCaseSensitive(o, it->string))
			cJSON_AddItemToObject(o, it->string,
					      cJSON_Duplicate(it, 1));
	}
}

static void add_dup(cJSON *o, const char *key, const cJSON *v)
{
	if (v)
		cJSON_AddItemToObject(o, key, cJSON_Duplicate(v, 1));
}

/* Query encoding for the v1/v2 string form: only what must be escaped. */
static void query_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '&' || c == '=' ||
		    c == '%' || c == '+' || c == '#') {
			buf_addch(b, '%');
			buf_addch(b, hex[c >> 4]);
			buf_addch(b, hex[c & 15]);
		} else {
			buf_addch(b, (char)c);
		}
	}
}

static cJSON *query_out(struct wr *w, const struct query *q)
{
	size_t i, j;
	cJSON *o;
	if (q->raw && (w->to <= SPEC_V2 || w->to == w->from))
		return cJSON_CreateString(q->raw);
	if (w->to <= SPEC_V2) {
		struct buf b;
		buf_init(&b, 0);
		for (i = 0; i < q->n; i++)
			for (j = 0; j < q->v[i].n; j++) {
				if (b.len)
					buf_addch(&b, '&');
				query_encode(&b, q->v[i].name);
				buf_addch(&b, '=');
				query_encode(&b, q->v[i].values[j]);
			}
		o = cJSON_CreateString(b.ptr);
		buf_release(&b);
		return o;
	}
	o = cJSON_CreateObject();
	for (i = 0; i < q->n; i++) {
		cJSON *a;
		if (q->v[i].single && q->v[i].n == 1 && w->to == w->from) {
			cJSON_AddStringToObject(o, q->v[i].name,
						q->v[i].values[0]);
			continue;
		}
		a = cJSON_CreateArray();
		for (j = 0; j < q->v[i].n; j++)
			cJSON_AddItemToArray(
				a, cJSON_CreateString(q->v[i].values[j]));
		cJSON_AddItemToObject(o, q->v[i].name, a);
	}
	return o;
}

static cJSON *headers_out(struct wr *w, const struct headers *h)
{
	cJSON *o = cJSON_CreateObject();
	size_t i, j;
	for (i = 0; i < h->n; i++) {
		const struct header *x = &h->v[i];
		/* v4 writes lists; at its own version a file keeps its forms */
		int list = w->to >= SPEC_V4 &&
			   (w->from < SPEC_V4 || x->list || x->n > 1);
		if (list) {
			cJSON *a = cJSON_CreateArray();
			for (j = 0; j < x->n; j++)
				cJSON_AddItemToArray(
					a, cJSON_CreateString(x->values[j]));
			cJSON_AddItemToObject(o, x->name, a);
		} else {
			struct buf b;
			buf_init(&b, 0);
			for (j = 0; j < x->n; j++) {
				if (j)
					buf_addstr(&b, ", ");
				buf_addstr(&b, x->values[j]);
			}
			cJSON_AddItemToObject(o, x->name,
					      cJSON_CreateString(b.ptr));
			buf_release(&b);
		}
	}
	return o;
}

static const char *guess_content_type(const struct body *b,
				      const struct headers *h)
{
	const struct header *ct = h ? headers_get(h, "Content-Type") : NULL;
	if (b->content_type)
		return b->content_type;
	if (ct && ct->n)
		return ct->values[0];
	if (cJSON_IsString(b->json))
		return "text/plain";
	return "application/json";
}

static int encoded_name(const struct body *b, const char *name)
{
	return cJSON_IsString(b->encoded) &&
	       !str_casecmp(b->encoded->valuestring, name);
}

static cJSON *body_out(struct wr *w, const struct body *b,
		       const struct headers *h)
{
	cJSON *o;
	if (w->to >= SPEC_V4) {
		if (!b->wrapped && w->from >= SPEC_V4)
			return cJSON_Duplicate(b->json, 1);
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "content",
				      b->json ? cJSON_Duplicate(b->json, 1)
					      : cJSON_CreateNull());
		if (b->wrapped) {
			if (b->content_type)
				cJSON_AddStringToObject(o, "contentType",
							b->content_type);
			add_dup(o, "encoded", b->encoded);
			if (b->hint)
				cJSON_AddStringToObject(o, "contentTypeHint",
							b->hint);
		} else {
			cJSON_AddStringToObject(o, "contentType",
						guess_content_type(b, h));
			cJSON_AddFalseToObject(o, "encoded");
		}
		add_extra(o, b->extra);
		return o;
	}
	if (encoded_name(b, "base64")) {
		struct buf raw;
		size_t i;
		buf_init(&raw, 0);
		base64_decode(b->json->valuestring,
			      strlen(b->json->valuestring), &raw);
		for (i = 0; i < raw.len; i++)
			if (!raw.ptr[i])
				break;
		if (i < raw.len) {
			buf_release(&raw);
			unsupported(w, "a binary body");
			return NULL;
		}
		o = cJSON_CreateString(raw.ptr);
		buf_release(&raw);
		return o;
	}
	if (encoded_name(b, "json") && cJSON_IsString(b->json)) {
		o = cJSON_Parse(b->json->valuestring);
		if (o)
			return o;
	}
	return b->json ? cJSON_Duplicate(b->json, 1) : cJSON_CreateNull();
}

static cJSON *rule_out(struct wr *w, const struct rule *r);

/*
 * A matcher object rebuilt from its fields and the keys accord keeps
 * without interpreting. Its name goes back under the key and alias it was
 * written with; an inferred v2 name is made explicit when converting.
 */
static cJSON *matcher_out(struct wr *w, const struct matcher *m)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t i, j;
	if (m->name_key)
		cJSON_AddStringToObject(o, m->name_key,
					m->alias ? m->alias
						 : matcher_name(m->type));
	else if (w->to != w->from)
		cJSON_AddStringToObject(o, "match", matcher_name(m->type));
	if (m->has_min)
		cJSON_AddNumberToObject(o, "min", (double)m->min);
	if (m->has_max)
		cJSON_AddNumberToObject(o, "max", (double)m->max);
	if (m->regex)
		cJSON_AddStringToObject(o, "regex", m->regex);
	if (m->value)
		cJSON_AddStringToObject(o, "value", m->value);
	if (m->format)
		cJSON_AddStringToObject(
			o, m->format_key ? m->format_key : "format", m->format);
	if (m->status_class)
		cJSON_AddStringToObject(o, "status", m->status_class);
	else if (m->type == M_STATUS_CODE) {
		a = cJSON_AddArrayToObject(o, "status");
		for (i = 0; i < m->nstatuses; i++)
			cJSON_AddItemToArray(
				a, cJSON_CreateNumber(m->statuses[i]));
	}
	if ((m->type == M_EACH_KEY || m->type == M_EACH_VALUE) &&
	    (m->nsub || !m->extra ||
	     !cJSON_GetObjectItemCaseSensitive(m->extra, "rules"))) {
		a = cJSON_AddArrayToObject(o, "rules");
		for (i = 0; i < m->nsub; i++)
			cJSON_AddItemToArray(a, matcher_out(w, &m->sub[i]));
	}
	if (m->type == M_ARRAY_CONTAINS) {
		a = cJSON_AddArrayToObject(o, "variants");
		for (i = 0; i < m->nvariants; i++) {
			const struct variant *v = &m->variants[i];
			cJSON *vo = cJSON_CreateObject();
			cJSON_AddNumberToObject(vo, "index", (double)v->index);
			if (v->rules.n) {
				const struct rule_set *rs = &v->rules.cats[0];
				cJSON *r = cJSON_AddObjectToObject(vo, "rules");
				for (j = 0; j < rs->n; j++)
					cJSON_AddItemToObject(
						r,
						rs->rules[j].key
							? rs->rules[j].key
							: "$",
						rule_out(w, &rs->rules[j]));
			}
			add_dup(vo, "generators", v->generators);
			add_extra(vo, v->extra);
			cJSON_AddItemToArray(a, vo);
		}
	}
	add_extra(o, m->extra);
	return o;
}

static cJSON *rule_out(struct wr *w, const struct rule *r)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray();
	size_t i;
	if (r->has_combine || r->combine_or || w->from <= SPEC_V2)
		cJSON_AddStringToObject(o, "combine",
					r->combine_or ? "OR" : "AND");
	for (i = 0; i < r->n; i++)
		cJSON_AddItemToArray(a, matcher_out(w, &r->m[i]));
	cJSON_AddItemToObject(o, "matchers", a);
	add_extra(o, r->extra);
	return o;
}

static int needs_brackets(const char *k)
{
	if (!*k)
		return 1; /* "$.query." would not read back; "$.query['']" does */
	for (; *k; k++)
		if (!(*k >= 'a' && *k <= 'z') && !(*k >= 'A' && *k <= 'Z') &&
		    !(*k >= '0' && *k <= '9') && *k != '_')
			return 1;
	return 0;
}

static int rules_out_v2(struct wr *w, const struct rules *rs, cJSON *parent)
{
	cJSON *o = cJSON_CreateObject();
	size_t i, j;
	for (i = 0; i < rs->n; i++) {
		const struct rule_set *s = &rs->cats[i];
		const char *cat = s->category;
		if (!strcmp(cat, "headers"))
			cat = "header";
		if (strcmp(cat, "body") && strcmp(cat, "header") &&
		    strcmp(cat, "query") && strcmp(cat, "path")) {
			cJSON_Delete(o);
			return unsupported(
				w,
				"a matching-rule category other than body, header, query or path");
		}
		for (j = 0; j < s->n; j++) {
			const struct rule *r = &s->rules[j];
			struct buf key;
			if (r->n != 1 || r->combine_or) {
				cJSON_Delete(o);
				return unsupported(
					w, "a rule with several matchers");
			}
			buf_init(&key, 0);
			if (r->v2key)
				buf_addstr(&key, r->v2key);
			else if (!strcmp(cat, "body"))
				/* "$.a", or a key written without its root
				 * ("a", "[0]"), which the reader roots */
				buf_addf(&key, "$.body%s%s",
					 r->key && r->key[0] &&
							 r->key[0] != '$' &&
							 r->key[0] != '['
						 ? "."
						 : "",
					 !r->key	    ? ""
					 : r->key[0] == '$' ? r->key + 1
							    : r->key);
			else if (!strcmp(cat, "path"))
				buf_addstr(&key, "$.path");
			else if (!r->key) {
				buf_release(&key);
				cJSON_Delete(o);
				return unsupported(
					w,
					"a header or query rule without a name");
			} else if (strchr(r->key, '\'') &&
				   strchr(r->key, '"')) {
				buf_release(&key);
				cJSON_Delete(o);
				return unsupported(
					w, "a name with both kinds of quote");
			} else if (needs_brackets(r->key))
				buf_addf(&key,
					 strchr(r->key, '\'') ? "$.%s[\"%s\"]"
							      : "$.%s['%s']",
					 !strcmp(cat, "header") ? "headers"
								: cat,
					 r->key);
			else
				buf_addf(&key, "$.%s.%s",
					 !strcmp(cat, "header") ? "headers"
								: cat,
					 r->key ? r->key : "");
			cJSON_AddItemToObject(o, key.ptr,
					      matcher_out(w, &r->m[0]));
			buf_release(&key);
		}
	}
	cJSON_AddItemToObject(parent, "matchingRules", o);
	return 0;
}

static int rules_out(struct wr *w, const struct rules *rs, cJSON *parent)
{
	cJSON *o;
	size_t i, j;
	if (!rs->n) {
		if (rs->present && w->to == w->from)
			cJSON_AddObjectToObject(parent, "matchingRules");
		return 0;
	}
	if (w->to <= SPEC_V2)
		return rules_out_v2(w, rs, parent);
	o = cJSON_CreateObject();
	for (i = 0; i < rs->n; i++) {
		const struct rule_set *s = &rs->cats[i];
		const char *cat = s->category;
		cJSON *c;
		if (w->from <= SPEC_V2 && !strcmp(cat, "headers"))
			cat = "header";
		/* v4 message rules may sit under "content"; v3 knows "body" */
		if (w->to <= SPEC_V3 && !strcmp(cat, "content"))
			cat = "body";
		if (w->to < SPEC_V4 && w->from >= SPEC_V4 &&
		    !strcmp(cat, "status")) {
			cJSON_Delete(o);
			return unsupported(w,
					   "a statusCode rule on the status");
		}
		if (s->n == 1 && !s->rules[0].key) {
			c = rule_out(w, &s->rules[0]);
		} else {
			c = cJSON_CreateObject();
			for (j = 0; j < s->n; j++)
				cJSON_AddItemToObject(
					c,
					s->rules[j].key ? s->rules[j].key : "",
					rule_out(w, &s->rules[j]));
		}
		add_extra(c, s->extra);
		cJSON_AddItemToObject(o, cat, c);
	}
	cJSON_AddItemToObject(parent, "matchingRules", o);
	return 0;
}

static int generators_out(struct wr *w, const cJSON *g, cJSON *parent)
{
	if (!g)
		return 0;
	if (w->to <= SPEC_V2)
		return unsupported(w, "generators");
	add_dup(parent, "generators", g);
	return 0;
}

static int body_into(struct wr *w, const struct body *b,
		     const struct headers *h, cJSON *o, const char *key)
{
	cJSON *v;
	if (!b->present)
		return 0;
	v = body_out(w, b, h);
	if (!v)
		return -1;
	cJSON_AddItemToObject(o, key, v);
	return 0;
}

static cJSON *request_out(struct wr *w, const struct http_request *r)
{
	cJSON *o = cJSON_CreateObject();
	if (r->method)
		cJSON_AddStringToObject(o, "method", r->method);
	if (r->has_path)
		cJSON_AddStringToObject(o, "path", r->path);
	if (r->query.present)
		cJSON_AddItemToObject(o, "query", query_out(w, &r->query));
	if (r->headers.present)
		cJSON_AddItemToObject(o, "headers",
				      headers_out(w, &r->headers));
	if (body_into(w, &r->body, &r->headers, o, "body") ||
	    rules_out(w, &r->rules, o) || generators_out(w, r->generators, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	add_extra(o, r->extra);
	return o;
}

static cJSON *response_out(struct wr *w, const struct http_response *r)
{
	cJSON *o = cJSON_CreateObject();
	if (r->has_status)
		cJSON_AddNumberToObject(o, "status", r->status);
	if (r->headers.present)
		cJSON_AddItemToObject(o, "headers",
				      headers_out(w, &r->headers));
	if (body_into(w, &r->body, &r->headers, o, "body") ||
	    rules_out(w, &r->rules, o) || generators_out(w, r->generators, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	add_extra(o, r->extra);
	return o;
}

/* Message fields into `o` (the interaction for v3/async, or a sub-object). */
static int message_into(struct wr *w, const struct message *m, cJSON *o)
{
	struct body b = m->contents;
	struct headers h = { 0 };
	const cJSON *ct = cJSON_GetObjectItemCaseSensitive(m->metadata,
							   "contentType");
	if (!ct)
		ct = cJSON_GetObjectItemCaseSensitive(m->metadata,
						      "content-type");
	if (cJSON_IsString(ct))
		headers_add(&h, "Content-Type", ct->valuestring);
	if (body_into(w, &b, &h, o, "contents")) {
		headers_release(&h);
		return -1;
	}
	headers_release(&h);
	if (m->metadata)
		add_dup(o,
			m->metadata_v3 && w->to == SPEC_V3 ? "metaData"
							   : "metadata",
			m->metadata);
	if (rules_out(w, &m->rules, o) || generators_out(w, m->generators, o))
		return -1;
	add_extra(o, m->extra);
	return 0;
}

static int states_out(struct wr *w, const struct interaction *ix, cJSON *o)
{
	size_t i;
	cJSON *a;
	if (!ix->nstates)
		return 0;
	if (w->to <= SPEC_V2 || (ix->state_v2 && w->to == w->from)) {
		if (ix->nstates > 1)
			return unsupported(w, "several provider states");
		if (ix->states[0].params &&
		    cJSON_GetArraySize(ix->states[0].params))
			return unsupported(w, "provider state parameters");
		cJSON_AddStringToObject(o, "providerState", ix->states[0].name);
		return 0;
	}
	a = cJSON_CreateArray();
	for (i = 0; i < ix->nstates; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", ix->states[i].name);
		add_dup(s, "params", ix->states[i].params);
		cJSON_AddItemToArray(a, s);
	}
	cJSON_AddItemToObject(o, "providerStates", a);
	return 0;
}

static int v4_fields_out(struct wr *w, const struct interaction *ix, cJSON *o)
{
	if (w->to < SPEC_V4) {
		if (ix->pending)
			return unsupported(w, "a pending interaction");
		if (ix->comments)
			return unsupported(w, "interaction comments");
		if (ix->plugin_config)
			return unsupported(w, "plugin configuration");
		if (ix->markup)
			return unsupported(w, "interaction markup");
		if (ix->type == IX_SYNC_MESSAGE)
			return unsupported(w, "a synchronous message");
		return 0;
	}
	cJSON_AddStringToObject(o, "type", interaction_type_name(ix->type));
	if (ix->key)
		cJSON_AddStringToObject(o, "key", ix->key);
	if (ix->has_pending)
		cJSON_AddBoolToObject(o, "pending", ix->pending);
	add_dup(o, "comments", ix->comments);
	add_dup(o, "pluginConfiguration", ix->plugin_config);
	add_dup(o, "interactionMarkup", ix->markup);
	return 0;
}

static cJSON *interaction_out(struct wr *w, const struct interaction *ix)
{
	cJSON *o = cJSON_CreateObject(), *x;
	size_t i;
	snprintf(w->where, sizeof(w->where), "interaction '%.100s': ",
		 ix->description ? ix->description : "");
	if (ix->type != IX_HTTP && w->to < SPEC_V3) {
		unsupported(w, "a message");
		goto fail;
	}
	cJSON_AddStringToObject(o, "description",
				ix->description ? ix->description : "");
	if (states_out(w, ix, o) || v4_fields_out(w, ix, o))
		goto fail;
	if (ix->type == IX_HTTP) {
		x = request_out(w, &ix->request);
		if (!x)
			goto fail;
		cJSON_AddItemToObject(o, "request", x);
		x = response_out(w, &ix->response);
		if (!x)
			goto fail;
		cJSON_AddItemToObject(o, "response", x);
	} else if (ix->type == IX_MESSAGE) {
		if (message_into(w, &ix->message, o))
			goto fail;
	} else {
		cJSON *req = cJSON_CreateObject(), *resp = cJSON_CreateArray();
		cJSON_AddItemToObject(o, "request", req);
		cJSON_AddItemToObject(o, "response", resp);
		if (message_into(w, &ix->message, req))
			goto fail;
		for (i = 0; i < ix->nreplies; i++) {
			x = cJSON_CreateObject();
			cJSON_AddItemToArray(resp, x);
			if (message_into(w, &ix->replies[i], x))
				goto fail;
		}
	}
	add_extra(o, ix->extra);
	if (w->to < SPEC_V4) {
		/* v4 bookkeeping that older versions have no place for */
		cJSON_DeleteItemFromObjectCaseSensitive(o, "transport");
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static int has_version(const cJSON *md)
{
	return cJSON_GetObjectItemCaseSensitive(md, "pactSpecification") ||
	       cJSON_GetObjectItemCaseSensitive(md, "pact-specification") ||
	       cJSON_GetObjectItemCaseSensitive(md, "pactSpecificationVersion");
}

static cJSON *metadata_out(struct wr *w, const struct contract *c)
{
	cJSON *md, *v;
	if (w->to == w->from && (!c->metadata || has_version(c->metadata)))
		return cJSON_Duplicate(c->metadata, 1);
	md = c->metadata ? cJSON_Duplicate(c->metadata, 1)
			 : cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(md, "pactSpecification");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "pact-specification");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "pactSpecificationVersion");
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "version", spec_name(w->to));
	cJSON_AddItemToObject(md, "pactSpecification", v);
	return md;
}

static cJSON *party_out(const char *name, const cJSON *extra)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name ? name : "");
	add_extra(o, extra);
	return o;
}

/* The array an interaction is written to at the target version. */
static const char *list_of(const struct wr *w, const struct interaction *ix)
{
	return w->to == SPEC_V3 && ix->type == IX_MESSAGE ? "messages"
							  : "interactions";
}

/*
 * The document of c at w->to. With `shell`, the interaction arrays are
 * left empty for the caller to stream (contract_write_json), so a large
 * contract is never held twice in memory.
 */
static cJSON *build(const struct contract *c, struct wr *w, int shell)
{
	cJSON *doc = cJSON_CreateObject();
	size_t i;
	cJSON_AddItemToObject(doc, "consumer",
			      party_out(c->consumer, c->consumer_extra));
	cJSON_AddItemToObject(doc, "provider",
			      party_out(c->provider, c->provider_extra));
	for (i = 0; i < c->n; i++) {
		const struct interaction *ix = &c->ix[i];
		const char *list = list_of(w, ix);
		cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, list), *x;
		if (!a)
			a = cJSON_AddArrayToObject(doc, list);
		if (shell)
			continue;
		x = interaction_out(w, ix);
		if (!x)
			goto fail;
		cJSON_AddItemToArray(a, x);
	}
	if (!c->n)
		cJSON_AddArrayToObject(doc, c->messages_form && w->to == SPEC_V3
						    ? "messages"
						    : "interactions");
	if (w->to == SPEC_V1 || w->to == SPEC_V1_1) {
		for (i = 0; i < c->n; i++)
			if (c->ix[i].request.rules.n ||
			    c->ix[i].response.rules.n) {
				w->where[0] = '\0';
				unsupported(w, "matching rules");
				goto fail;
			}
	}
	{
		cJSON *md = metadata_out(w, c);
		if (md)
			cJSON_AddItemToObject(doc, "metadata", md);
	}
	add_extra(doc, c->extra);
	return doc;
fail:
	err_setsource(w->e, c->source);
	cJSON_Delete(doc);
	return NULL;
}

static void wr_init(struct wr *w, const struct contract *c,
		    enum spec_version to, struct err *e)
{
	memset(w, 0, sizeof(*w));
	w->from = c->spec;
	w->to = to == SPEC_UNKNOWN ? c->spec : to;
	w->e = e;
}

cJSON *contract_to_cjson(const struct contract *c, enum spec_version to,
			 struct err *e)
{
	struct wr w;
	wr_init(&w, c, to, e);
	return build(c, &w, 0);
}

/* Deterministic JSON text. */

static void write_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	buf_addch(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '"':
			buf_addstr(b, "\\\"");
			break;
		case '\\':
			buf_addstr(b, "\\\\");
			break;
		case '\b':
			buf_addstr(b, "\\b");
			break;
		case '\f':
			buf_addstr(b, "\\f");
			break;
		case '\n':
			buf_addstr(b, "\\n");
			break;
		case '\r':
			buf_addstr(b, "\\r");
			break;
		case '\t':
			buf_addstr(b, "\\t");
			break;
		default:
			if (c < 0x20) {
				buf_addstr(b, "\\u00");
				buf_addch(b, hex[c >> 4]);
				buf_addch(b, hex[c & 15]);
			} else {
				buf_addch(b, (char)c);
			}
		}
	}
	buf_addch(b, '"');
}

static void write_number(struct buf *b, double d)
{
	char tmp[64];
	double back;
	if (isnan(d) || isinf(d)) {
		buf_addstr(b, "null");
		return;
	}
	if (d == floor(d) && fabs(d) < 1e15) {
		buf_addf(b, "%.0f", d);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.15g", d);
	if (sscanf(tmp, "%lg", &back) != 1 || back != d)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	buf_addstr(b, tmp);
}

static void indent(struct buf *b, int depth)
{
	int i;
	for (i = 0; i < depth; i++)
		buf_addstr(b, "  ");
}

static void write_value(const cJSON *v, struct buf *b, int depth);

static void write_object(const cJSON *v, struct buf *b, int depth)
{
	const cJSON *it;
	const cJSON **items;
	size_t n = 0, i;
	cJSON_ArrayForEach(it, v) n++;
	if (!n) {
		buf_addstr(b, "{}");
		return;
	}
	items = xmalloc(n * sizeof(*items));
	n = 0;
	cJSON_ArrayForEach(it, v) items[n++] = it;
	/* insertion sort: stable, so duplicate keys keep document order */
	{
		size_t j;
		for (i = 1; i < n; i++) {
			const cJSON *x = items[i];
			j = i;
			while (j > 0 &&
			       strcmp(items[j - 1]->string, x->string) > 0) {
				items[j] = items[j - 1];
				j--;
			}
			items[j] = x;
		}
	}
	buf_addstr(b, "{\n");
	for (i = 0; i < n; i++) {
		indent(b, depth + 1);
		write_string(b, items[i]->string);
		buf_addstr(b, ": ");
		write_value(items[i], b, depth + 1);
		buf_addstr(b, i + 1 < n ? ",\n" : "\n");
	}
	indent(b, depth);
	buf_addch(b, '}');
	free(items);
}

static void write_value(const cJSON *v, struct buf *b, int depth)
{
	const cJSON *it;
	if (cJSON_IsObject(v)) {
		write_object(v, b, depth);
	} else if (cJSON_IsArray(v)) {
		if (!v->child) {
			buf_addstr(b, "[]");
			return;
		}
		buf_addstr(b, "[\n");
		cJSON_ArrayForEach(it, v)
		{
			indent(b, depth + 1);
			write_value(it, b, depth + 1);
			buf_addstr(b, it->next ? ",\n" : "\n");
		}
		indent(b, depth);
		buf_addch(b, ']');
	} else if (cJSON_IsString(v)) {
		write_string(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		/* the literal as read, when our parser kept it */
		if (v->valuestring)
			buf_addstr(b, v->valuestring);
		else
			write_number(b, v->valuedouble);
	} else if (cJSON_IsTrue(v)) {
		buf_addstr(b, "true");
	} else if (cJSON_IsFalse(v)) {
		buf_addstr(b, "false");
	} else {
		buf_addstr(b, "null");
	}
}

void json_write_sorted(const cJSON *v, struct buf *out)
{
	write_value(v, out, 0);
	buf_addch(out, '\n');
}

/* Writes one interaction array, building one interaction at a time. */
static int write_list(struct wr *w, const struct contract *c, const char *list,
		      struct buf *b)
{
	size_t i;
	int first = 1;
	buf_addch(b, '[');
	for (i = 0; i < c->n; i++) {
		cJSON *x;
		if (strcmp(list_of(w, &c->ix[i]), list))
			continue;
		x = interaction_out(w, &c->ix[i]);
		if (!x) {
			err_setsource(w->e, c->source);
			return -1;
		}
		buf_addstr(b, first ? "\n" : ",\n");
		indent(b, 2);
		write_value(x, b, 2);
		cJSON_Delete(x);
		first = 0;
	}
	if (!first) {
		buf_addch(b, '\n');
		indent(b, 1);
	}
	buf_addch(b, ']');
	return 0;
}

int contract_write_json(const struct contract *c, enum spec_version to,
			struct buf *out, struct err *e)
{
	struct wr w;
	cJSON *doc, *it;
	const cJSON **keys;
	size_t n = 0, i, j;
	int r = 0;
	wr_init(&w, c, to, e);
	doc = build(c, &w, 1);
	if (!doc)
		return -1;
	cJSON_ArrayForEach(it, doc) n++;
	keys = xmalloc(n * sizeof(*keys));
	n = 0;
	cJSON_ArrayForEach(it, doc) keys[n++] = it;
	for (i = 1; i < n; i++) {
		const cJSON *x = keys[i];
		for (j = i; j > 0 && strcmp(keys[j - 1]->string, x->string) > 0;
		     j--)
			keys[j] = keys[j - 1];
		keys[j] = x;
	}
	/* the top level by hand, so the interaction arrays can stream */
	buf_addstr(out, "{\n");
	for (i = 0; i < n && !r; i++) {
		const char *k = keys[i]->string;
		indent(out, 1);
		write_string(out, k);
		buf_addstr(out, ": ");
		if (!strcmp(k, "interactions") || !strcmp(k, "messages"))
			r = write_list(&w, c, k, out);
		else
			write_value(keys[i], out, 1);
		buf_addstr(out, i + 1 < n ? ",\n" : "\n");
	}
	/* no final newline: byte for byte what the Pact libraries write */
	buf_addch(out, '}');
	free(keys);
	cJSON_Delete(doc);
	return r;
}
