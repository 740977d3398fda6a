/*
 * model.c: constructors, destructors and small accessors of the contract
 * model declared in model.h (rule paths are in path.c).
 */
#include "contracts/model/model.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	enum spec_version v;
	const char *name;
} spec_names[] = {
	{ SPEC_V1, "1.0.0" }, { SPEC_V1_1, "1.1.0" }, { SPEC_V2, "2.0.0" },
	{ SPEC_V3, "3.0.0" }, { SPEC_V4, "4.0" },
};

enum spec_version spec_parse(const char *s)
{
	size_t i;
	if (!s)
		return SPEC_UNKNOWN;
	if (*s == 'v' || *s == 'V')
		s++;
	if (!strcmp(s, "1") || !strcmp(s, "1.0") || !strcmp(s, "1.0.0"))
		return SPEC_V1;
	if (!strcmp(s, "1.1") || !strcmp(s, "1.1.0"))
		return SPEC_V1_1;
	for (i = 0; i < sizeof(spec_names) / sizeof(spec_names[0]); i++) {
		const char *n = spec_names[i].name;
		if (!strcmp(s, n) ||
		    (s[0] == n[0] &&
		     (!s[1] || !strcmp(s + 1, ".0") || !strcmp(s + 1, ".0.0"))))
			return spec_names[i].v;
	}
	return SPEC_UNKNOWN;
}

const char *spec_name(enum spec_version v)
{
	size_t i;
	for (i = 0; i < sizeof(spec_names) / sizeof(spec_names[0]); i++)
		if (spec_names[i].v == v)
			return spec_names[i].name;
	return "unknown";
}

static const char *const matcher_names[] = {
#define MATCHER_NAME(c, name, form, param, key, usage) [c] = name,
	MATCHER_MAP(MATCHER_NAME)
#undef MATCHER_NAME
};

const char *matcher_name(enum matcher_type t)
{
	return matcher_names[t];
}

static const struct {
	const char *type, *report;
} interaction_names[] = {
#define INTERACTION_NAMES(c, type, report) [c] = { type, report },
	INTERACTION_MAP(INTERACTION_NAMES)
#undef INTERACTION_NAMES
};

const char *interaction_type_name(enum interaction_type t)
{
	return interaction_names[t].type;
}

const char *interaction_report_name(enum interaction_type t)
{
	return interaction_names[t].report;
}

int interaction_type_parse(const char *s, enum interaction_type *t)
{
	size_t i;
	for (i = 0;
	     i < sizeof(interaction_names) / sizeof(interaction_names[0]); i++)
		if (!strcmp(s, interaction_names[i].type)) {
			*t = (enum interaction_type)i;
			return 0;
		}
	return -1;
}

static const char *const generator_names[] = {
#define GENERATOR_NAME(c, name) [c] = name,
	GENERATOR_MAP(GENERATOR_NAME)
#undef GENERATOR_NAME
};

enum generator_type generator_parse(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof(generator_names) / sizeof(generator_names[0]);
	     i++)
		if (!strcmp(name, generator_names[i]))
			return (enum generator_type)i;
	return G_UNKNOWN;
}

static void matcher_release(struct matcher *m);

static void variant_release(struct variant *v)
{
	rules_release(&v->rules);
	cJSON_Delete(v->generators);
	cJSON_Delete(v->extra);
}

static void matcher_release(struct matcher *m)
{
	size_t i;
	free(m->regex);
	regex_free(m->re);
	free(m->value);
	free(m->format);
	free(m->statuses);
	free(m->status_class);
	for (i = 0; i < m->nsub; i++)
		matcher_release(&m->sub[i]);
	free(m->sub);
	for (i = 0; i < m->nvariants; i++)
		variant_release(&m->variants[i]);
	free(m->variants);
	cJSON_Delete(m->extra);
}

static void rule_release(struct rule *r)
{
	size_t i;
	free(r->key);
	free(r->v2key);
	path_release(&r->path);
	for (i = 0; i < r->n; i++)
		matcher_release(&r->m[i]);
	free(r->m);
	cJSON_Delete(r->extra);
}

void rules_release(struct rules *r)
{
	size_t i, j;
	for (i = 0; i < r->n; i++) {
		struct rule_set *s = &r->cats[i];
		for (j = 0; j < s->n; j++)
			rule_release(&s->rules[j]);
		free(s->rules);
		free(s->category);
		cJSON_Delete(s->extra);
	}
	free(r->cats);
	r->cats = NULL;
	r->n = 0;
}

const struct rule_set *rules_category(const struct rules *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		const char *c = r->cats[i].category;
		if (!strcmp(c, name))
			return &r->cats[i];
		if (!strcmp(name, "header") && !strcmp(c, "headers"))
			return &r->cats[i];
		if (!strcmp(name, "body") && !strcmp(c, "content"))
			return &r->cats[i];
	}
	return NULL;
}

void body_release(struct body *b)
{
	cJSON_Delete(b->json);
	free(b->content_type);
	cJSON_Delete(b->encoded);
	free(b->hint);
	cJSON_Delete(b->extra);
	memset(b, 0, sizeof(*b));
}

const struct header *headers_get(const struct headers *h, const char *name)
{
	size_t i;
	for (i = 0; i < h->n; i++)
		if (!str_casecmp(h->v[i].name, name))
			return &h->v[i];
	return NULL;
}

void headers_addn(struct headers *h, const char *name, size_t nlen,
		  const char *value, size_t vlen)
{
	size_t i, cap;
	struct header *x = NULL;
	for (i = 0; i < h->n && !x; i++)
		if (!strncmp(h->v[i].name, name, nlen) && !h->v[i].name[nlen])
			x = &h->v[i];
	if (!x) {
		h->v = xrealloc(h->v, (h->n + 1) * sizeof(*h->v));
		x = &h->v[h->n++];
		memset(x, 0, sizeof(*x));
		x->name = xstrndup(name, nlen);
	}
	cap = x->n;
	x->values = xrealloc(x->values, (cap + 1) * sizeof(char *));
	x->values[x->n++] = xstrndup(value, vlen);
	h->present = 1;
}

void headers_add(struct headers *h, const char *name, const char *value)
{
	headers_addn(h, name, strlen(name), value, strlen(value));
}

void headers_release(struct headers *h)
{
	size_t i, j;
	for (i = 0; i < h->n; i++) {
		for (j = 0; j < h->v[i].n; j++)
			free(h->v[i].values[j]);
		free(h->v[i].values);
		free(h->v[i].name);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

char *percent_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t i, o = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hex_value(s[i + 1]) >= 0 &&
		    hex_value(s[i + 2]) >= 0) {
			out[o++] = (char)(hex_value(s[i + 1]) * 16 +
					  hex_value(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static void query_add(struct query *q, char *name, char *value)
{
	size_t i, cap;
	struct query_param *p = NULL;
	for (i = 0; i < q->n; i++)
		if (!strcmp(q->v[i].name, name))
			p = &q->v[i];
	if (!p) {
		cap = q->n;
		q->v = xgrow(q->v, &cap, q->n + 1, sizeof(*q->v));
		p = &q->v[q->n++];
		memset(p, 0, sizeof(*p));
		p->name = name;
	} else {
		free(name);
	}
	cap = p->n;
	p->values = xgrow(p->values, &cap, p->n + 1, sizeof(char *));
	p->values[p->n++] = value;
}

void query_parse(struct query *q, const char *s, size_t len)
{
	size_t i = 0;
	q->present = 1;
	while (i < len) {
		size_t j = i, eq;
		while (j < len && s[j] != '&')
			j++;
		if (j > i) {
			eq = i;
			while (eq < j && s[eq] != '=')
				eq++;
			query_add(
				q, percent_decode(s + i, eq - i),
				eq < j ? percent_decode(s + eq + 1, j - eq - 1)
				       : xstrdup(""));
		}
		i = j + 1;
	}
}

void query_release(struct query *q)
{
	size_t i, j;
	for (i = 0; i < q->n; i++) {
		for (j = 0; j < q->v[i].n; j++)
			free(q->v[i].values[j]);
		free(q->v[i].values);
		free(q->v[i].name);
	}
	free(q->v);
	free(q->raw);
	memset(q, 0, sizeof(*q));
}

void request_release(struct http_request *r)
{
	free(r->method);
	free(r->path);
	query_release(&r->query);
	headers_release(&r->headers);
	body_release(&r->body);
	rules_release(&r->rules);
	cJSON_Delete(r->generators);
	cJSON_Delete(r->extra);
	memset(r, 0, sizeof(*r));
}

void response_release(struct http_response *r)
{
	headers_release(&r->headers);
	body_release(&r->body);
	rules_release(&r->rules);
	cJSON_Delete(r->generators);
	cJSON_Delete(r->extra);
	memset(r, 0, sizeof(*r));
}

void message_release(struct message *m)
{
	body_release(&m->contents);
	cJSON_Delete(m->metadata);
	rules_release(&m->rules);
	cJSON_Delete(m->generators);
	cJSON_Delete(m->extra);
	memset(m, 0, sizeof(*m));
}

static void interaction_release(struct interaction *ix)
{
	size_t i;
	free(ix->description);
	free(ix->key);
	for (i = 0; i < ix->nstates; i++) {
		free(ix->states[i].name);
		cJSON_Delete(ix->states[i].params);
	}
	free(ix->states);
	cJSON_Delete(ix->comments);
	cJSON_Delete(ix->plugin_config);
	cJSON_Delete(ix->markup);
	request_release(&ix->request);
	response_release(&ix->response);
	message_release(&ix->message);
	for (i = 0; i < ix->nreplies; i++)
		message_release(&ix->replies[i]);
	free(ix->replies);
	cJSON_Delete(ix->extra);
}

struct contract *contract_new(void)
{
	return xcalloc(1, sizeof(struct contract));
}

void contract_free(struct contract *c)
{
	size_t i;
	if (!c)
		return;
	free(c->source);
	free(c->consumer);
	free(c->provider);
	cJSON_Delete(c->consumer_extra);
	cJSON_Delete(c->provider_extra);
	cJSON_Delete(c->metadata);
	for (i = 0; i < c->n; i++)
		interaction_release(&c->ix[i]);
	free(c->ix);
	cJSON_Delete(c->extra);
	free(c);
}
