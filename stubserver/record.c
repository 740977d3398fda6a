/*
 * record.c: what `accord record` keeps of the exchanges it forwards. Each
 * one becomes a Pact v4 interaction: the request as the client sent it
 * and the answer as the upstream gave it, minus what a contract must not
 * hold: secrets (redacted), headers that belong to one connection or one
 * moment (a recorded contract must not demand today's Date from
 * tomorrow's provider), and repeats (identical interactions are kept
 * once, with every latency observed). Bodies are JSON when they say so
 * and parse, text when they are UTF-8, else base64. The provider states
 * of an exchange (X-Accord-State, or the server's chosen states with
 * their params) are recorded as its providerStates.
 */
#include "stubserver/internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Latency samples kept per interaction: past this, a uniform sample of
 * all that were seen (reservoir sampling), so memory stays bounded. */
#define SAMPLES_MAX 10000

struct recorded {
	cJSON *ix;	 /* v4 interaction object */
	uint64_t h_ex;	 /* json_hash of request, response and states */
	uint64_t h_desc; /* of the description and states */
	uint64_t h_base; /* of the description before " (k)", and states */
	unsigned k;	 /* that k; 1 when there is none */
	double *ms;
	size_t nms, capms;
	unsigned long long seen;
	uint64_t rng; /* xorshift state for the reservoir */
};

struct stub_recorder {
	pthread_mutex_t lock;
	char *consumer;
	char *provider;
	int generalize;
	char *describe;
	char **redact;
	size_t nredact;
	struct recorded *v;
	size_t n, cap;
};

static const char *const default_redact[] = {
	"Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization", NULL,
};

/* Hop-by-hop and volatile headers: never recorded. */
static const char *const dropped[] = {
	"Connection",
	"Keep-Alive",
	"Proxy-Connection",
	"Transfer-Encoding",
	"TE",
	"Trailer",
	"Upgrade",
	"Host",
	"Content-Length",
	"Date",
	"Server",
	"Age",
	"Expires",
	"Last-Modified",
	"ETag",
	"Via",
	"User-Agent",
	"Accept-Encoding",
	"Expect",
	"X-Request-Id",
	"X-Accord-State",
	"X-Accord-Session",
	NULL,
};

static int listed(const char *const *names, const char *name)
{
	for (; *names; names++)
		if (!str_casecmp(*names, name))
			return 1;
	return 0;
}

struct stub_recorder *stub_recorder_new(const struct stub_record_opts *o)
{
	struct stub_recorder *r = xcalloc(1, sizeof(*r));
	size_t i;
	pthread_mutex_init(&r->lock, NULL);
	r->consumer = xstrdup(o->consumer);
	r->provider = xstrdup(o->provider);
	r->generalize = o->generalize;
	r->describe = xstrdup(o->describe ? o->describe : "{method} {path}");
	r->redact = xcalloc(o->nredact + 1, sizeof(*r->redact));
	for (i = 0; i < o->nredact; i++)
		r->redact[r->nredact++] = xstrdup(o->redact[i]);
	return r;
}

void stub_recorder_free(struct stub_recorder *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		cJSON_Delete(r->v[i].ix);
		free(r->v[i].ms);
	}
	for (i = 0; i < r->nredact; i++)
		free(r->redact[i]);
	free(r->redact);
	free(r->v);
	free(r->consumer);
	free(r->provider);
	free(r->describe);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static int redacted(const struct stub_recorder *r, const char *name)
{
	size_t i;
	if (listed(default_redact, name))
		return 1;
	for (i = 0; i < r->nredact; i++)
		if (!str_casecmp(r->redact[i], name))
			return 1;
	return 0;
}

/* Whether p[0..n) is UTF-8 without NUL (JSON strings hold it as is). */
static int utf8_text(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t k, more;
		unsigned long cp;
		if (!c)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			more = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + more >= n)
			return 0;
		for (k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((more == 1 && cp < 0x80) || (more == 2 && cp < 0x800) ||
		    (more == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += more + 1;
	}
	return 1;
}

static const char *header_value(const struct stub_field *h, size_t n,
				const char *name)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!str_casecmp(h[i].name, name))
			return h[i].value;
	return NULL;
}

static int json_type(const char *ct)
{
	const char *p;
	if (!ct)
		return 0;
	for (p = ct; *p && *p != ';'; p++)
		if (!str_ncasecmp(p, "json", 4))
			return 1;
	return 0;
}

/* A v4 body object for p[0..n), or NULL when there is none. *json is
 * set to its content when it is JSON (borrowed from the result). */
static cJSON *body_object(const char *p, size_t n, const char *ct,
			  const cJSON **json)
{
	cJSON *b, *content = NULL;
	*json = NULL;
	if (!n)
		return NULL;
	b = cJSON_CreateObject();
	if (json_type(ct))
		content = json_parse_text("body", p, n, NULL);
	if (content) {
		cJSON_AddItemToObject(b, "content", content);
		cJSON_AddStringToObject(b, "contentType", ct);
		cJSON_AddFalseToObject(b, "encoded");
		*json = content;
	} else if (utf8_text((const unsigned char *)p, n)) {
		char *s = xstrndup(p, n);
		cJSON_AddStringToObject(b, "content", s);
		free(s);
		cJSON_AddStringToObject(b, "contentType",
					ct ? ct : "text/plain");
		cJSON_AddFalseToObject(b, "encoded");
	} else {
		size_t len;
		char *s = base64_encode((const unsigned char *)p, n, &len);
		cJSON_AddStringToObject(b, "content", s);
		free(s);
		cJSON_AddStringToObject(b, "contentType",
					ct ? ct : "application/octet-stream");
		cJSON_AddStringToObject(b, "encoded", "base64");
	}
	return b;
}

/* part's matchingRules, made when missing. */
static cJSON *matching_rules(cJSON *part)
{
	cJSON *mr = cJSON_GetObjectItemCaseSensitive(part, "matchingRules");
	return mr ? mr : cJSON_AddObjectToObject(part, "matchingRules");
}

/* The category `name` of part's matchingRules, made when missing. */
static cJSON *rule_category(cJSON *part, const char *name)
{
	cJSON *mr = matching_rules(part), *cat;
	cat = cJSON_GetObjectItemCaseSensitive(mr, name);
	if (!cat)
		cat = cJSON_AddObjectToObject(mr, name);
	return cat;
}

/* Adds {combine: AND, matchers: [m]} for `key` to a category. */
static void add_rule(cJSON *cat, const char *key, cJSON *m)
{
	cJSON *rule = cJSON_AddObjectToObject(cat, key);
	cJSON_AddStringToObject(rule, "combine", "AND");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(rule, "matchers"), m);
}

/* Whether header i is the only one of its name (a matcher inferred from
 * one value must not be asked of another). */
static int once(const struct stub_field *h, size_t n, size_t i)
{
	size_t k;
	for (k = 0; k < n; k++)
		if (k != i && !str_casecmp(h[k].name, h[i].name))
			return 0;
	return 1;
}

/*
 * Headers as v4 lists, minus the dropped; redacted ones get a rule, and
 * with --generalize so do those whose value is a UUID, a date or a
 * timestamp (an idempotency key must not have to repeat itself).
 */
static void add_headers(const struct stub_recorder *r, cJSON *part,
			const struct stub_field *h, size_t n)
{
	static const char ours[] = "X-Accord-"; /* steer accord, not the API */
	cJSON *hs = NULL;
	size_t i;
	for (i = 0; i < n; i++) {
		cJSON *list, *m = NULL;
		const char *value = h[i].value;
		if (listed(dropped, h[i].name) ||
		    !str_ncasecmp(h[i].name, ours, sizeof(ours) - 1))
			continue;
		if (!hs)
			hs = cJSON_AddObjectToObject(part, "headers");
		list = cJSON_GetObjectItem(hs, h[i].name); /* any case */
		if (redacted(r, h[i].name)) {
			if (list)
				continue; /* once is enough */
			value = "REDACTED";
			m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "match", "regex");
			cJSON_AddStringToObject(m, "regex", ".+");
		} else if (r->generalize && !list && once(h, n, i)) {
			m = value_infer_matcher(value);
		}
		if (m)
			add_rule(rule_category(part, "header"), h[i].name, m);
		if (!list)
			list = cJSON_AddArrayToObject(hs, h[i].name);
		cJSON_AddItemToArray(list, cJSON_CreateString(value));
	}
}

/*
 * --generalize, for query parameters: a parameter whose values are all
 * UUIDs, all dates or all timestamps gets their matcher.
 */
static void generalize_query(cJSON *req, const struct query *qs)
{
	size_t i, k;
	for (i = 0; i < qs->n; i++) {
		cJSON *m = NULL;
		for (k = 0; k < qs->v[i].n; k++) {
			cJSON *mk = value_infer_matcher(qs->v[i].values[k]);
			if (!mk || (m && !cJSON_Compare(m, mk, 1))) {
				cJSON_Delete(mk);
				cJSON_Delete(m);
				m = NULL;
				break;
			}
			if (m)
				cJSON_Delete(mk);
			else
				m = mk;
		}
		if (m && !cJSON_GetObjectItemCaseSensitive(
				 rule_category(req, "query"), qs->v[i].name))
			add_rule(rule_category(req, "query"), qs->v[i].name, m);
		else
			cJSON_Delete(m);
	}
}

/* "{method} {path}" with the exchange's values. */
static void describe(const char *tmpl, const struct stub_exchange *x,
		     const char *path, const char *query, struct buf *out)
{
	const char *p = tmpl;
	while (*p) {
		if (!strncmp(p, "{method}", 8)) {
			buf_addstr(out, x->method);
			p += 8;
		} else if (!strncmp(p, "{path}", 6)) {
			buf_addstr(out, path);
			p += 6;
		} else if (!strncmp(p, "{query}", 7)) {
			buf_addstr(out, query ? query : "");
			p += 7;
		} else if (!strncmp(p, "{status}", 8)) {
			buf_addf(out, "%d", x->status);
			p += 8;
		} else {
			buf_addch(out, *p++);
		}
	}
}

static cJSON *build(const struct stub_recorder *r,
		    const struct stub_exchange *x, struct buf *desc)
{
	cJSON *ix = cJSON_CreateObject(), *req, *resp, *b;
	const cJSON *json;
	const char *q = strchr(x->target, '?');
	char *path;
	size_t plen = q ? (size_t)(q - x->target) : strlen(x->target);
	path = percent_decode(x->target, plen);
	if (!path[0]) {
		free(path);
		path = xstrdup("/");
	}
	req = cJSON_AddObjectToObject(ix, "request");
	cJSON_AddStringToObject(req, "method", x->method);
	cJSON_AddStringToObject(req, "path", path);
	if (q && q[1]) {
		struct query qs;
		size_t i, k;
		cJSON *qo = cJSON_AddObjectToObject(req, "query");
		memset(&qs, 0, sizeof(qs));
		query_parse(&qs, q + 1, strlen(q + 1));
		for (i = 0; i < qs.n; i++) {
			cJSON *list = cJSON_GetObjectItemCaseSensitive(
				qo, qs.v[i].name);
			if (!list)
				list = cJSON_AddArrayToObject(qo, qs.v[i].name);
			for (k = 0; k < qs.v[i].n; k++)
				cJSON_AddItemToArray(
					list,
					cJSON_CreateString(qs.v[i].values[k]));
		}
		if (r->generalize)
			generalize_query(req, &qs);
		query_release(&qs);
	}
	add_headers(r, req, x->req_headers, x->nreq_headers);
	b = body_object(
		x->req_body, x->req_len,
		header_value(x->req_headers, x->nreq_headers, "Content-Type"),
		&json);
	if (b)
		cJSON_AddItemToObject(req, "body", b);
	if (b && json && r->generalize) {
		cJSON *cat = body_infer_volatile(json);
		if (cat)
			cJSON_AddItemToObject(matching_rules(req), "body", cat);
	}
	resp = cJSON_AddObjectToObject(ix, "response");
	cJSON_AddNumberToObject(resp, "status", x->status);
	add_headers(r, resp, x->resp_headers, x->nresp_headers);
	b = body_object(
		x->resp_body, x->resp_len,
		header_value(x->resp_headers, x->nresp_headers, "Content-Type"),
		&json);
	if (b)
		cJSON_AddItemToObject(resp, "body", b);
	if (b && json && r->generalize) {
		cJSON *cat = body_infer_rules(json, SPEC_V4);
		if (cat)
			cJSON_AddItemToObject(matching_rules(resp), "body",
					      cat);
	}
	if (cJSON_GetArraySize(x->states) > 0)
		cJSON_AddItemToObject(ix, "providerStates",
				      cJSON_Duplicate(x->states, 1));
	cJSON_AddStringToObject(ix, "type", "Synchronous/HTTP");
	if (x->description && x->description[0])
		buf_addstr(desc, x->description);
	else
		describe(r->describe, x, path, q ? q + 1 : NULL, desc);
	free(path);
	return ix;
}

/* Whether member `key` of a and of b are equal, or both absent. */
static int same_member(const cJSON *a, const cJSON *b, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, key);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, key);
	return x && y ? cJSON_Compare(x, y, 1) : x == y;
}

static int same_exchange(const cJSON *a, const cJSON *b)
{
	return same_member(a, b, "request") && same_member(a, b, "response") &&
	       same_member(a, b, "providerStates");
}

static uint64_t str_hash(const char *s, uint64_t h)
{
	return hash_fold(hash_fnv1a(h, s), 0xff);
}

/*
 * A hash of v under which values cJSON_Compare() calls equal hash equal
 * (but for numbers a rounding error apart: those are kept twice): the
 * members of an object are summed, so their order does not count.
 * Compared before the values are, so that a recording of n interactions
 * costs n hash comparisons per exchange, not n tree walks.
 */
static uint64_t json_hash(const cJSON *v, int depth)
{
	uint64_t h = hash_fold(HASH_FNV_OFFSET, (uint64_t)(v->type & 0xff));
	const cJSON *it;
	if (depth > CONTRACT_MAX_DEPTH)
		return h;
	if (cJSON_IsString(v)) {
		h = str_hash(v->valuestring, h);
	} else if (cJSON_IsNumber(v)) {
		uint64_t bits;
		double d = v->valuedouble;
		memcpy(&bits, &d, sizeof(bits));
		h = hash_fold(h, bits);
	} else if (cJSON_IsObject(v)) {
		uint64_t sum = 0;
		cJSON_ArrayForEach(it, v)
		{
			sum += hash_fold(str_hash(it->string, 7),
					 json_hash(it, depth + 1));
		}
		h = hash_fold(h, sum);
	} else if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(it, v)
		{
			h = hash_fold(h, json_hash(it, depth + 1));
		}
	}
	return h;
}

static uint64_t member_hash(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	return m ? json_hash(m, 0) : 0;
}

static uint64_t desc_hash(const char *d, const cJSON *ix)
{
	return hash_fold(str_hash(d, 3), member_hash(ix, "providerStates"));
}

/* Whether d is the description of a kept interaction with the same
 * provider states as ix: a Pact interaction is known by the two. */
static int description_taken(const struct stub_recorder *r, const char *d,
			     const cJSON *ix)
{
	uint64_t h = desc_hash(d, ix);
	size_t i;
	for (i = 0; i < r->n; i++) {
		const cJSON *x;
		if (r->v[i].h_desc != h)
			continue;
		x = cJSON_GetObjectItemCaseSensitive(r->v[i].ix, "description");
		if (!strcmp(x->valuestring, d) &&
		    same_member(r->v[i].ix, ix, "providerStates"))
			return 1;
	}
	return 0;
}

void stub_recorder_add(struct stub_recorder *r, const struct stub_exchange *x,
		       struct buf *description)
{
	struct buf desc, d2;
	cJSON *ix;
	size_t i;
	struct recorded *rec = NULL;
	uint64_t h;
	buf_init(&desc, 0);
	ix = build(r, x, &desc);
	h = hash_fold(hash_fold(member_hash(ix, "request"),
				member_hash(ix, "response")),
		      member_hash(ix, "providerStates"));
	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->n && !rec; i++)
		if (r->v[i].h_ex == h && same_exchange(r->v[i].ix, ix))
			rec = &r->v[i];
	if (rec) {
		cJSON_Delete(ix);
	} else {
		/* " (k)" numbering starts past the highest k given to this
		 * description so far: one pass, not one per k tried */
		uint64_t hb = desc_hash(desc.ptr, ix);
		unsigned k = 1;
		for (i = 0; i < r->n; i++)
			if (r->v[i].h_base == hb && r->v[i].k > k)
				k = r->v[i].k;
		buf_init(&d2, 0);
		buf_addstr(&d2, desc.ptr);
		if (k > 1) {
			buf_reset(&d2);
			buf_addf(&d2, "%s (%u)", desc.ptr, ++k);
		}
		while (description_taken(r, d2.ptr, ix)) {
			buf_reset(&d2);
			buf_addf(&d2, "%s (%u)", desc.ptr, ++k);
		}
		cJSON_AddStringToObject(ix, "description", d2.ptr);
		buf_release(&d2);
		r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
		rec = &r->v[r->n++];
		memset(rec, 0, sizeof(*rec));
		rec->ix = ix;
		rec->h_ex = h;
		rec->h_base = hb;
		rec->k = k;
		rec->h_desc = desc_hash(
			cJSON_GetObjectItemCaseSensitive(ix, "description")
				->valuestring,
			ix);
	}
	rec->seen++;
	if (rec->nms < SAMPLES_MAX) {
		rec->ms = xgrow(rec->ms, &rec->capms, rec->nms + 1,
				sizeof(*rec->ms));
		rec->ms[rec->nms++] = x->ms;
	} else {
		uint64_t j;
		rec->rng = hash_xorshift64(rec->rng ? rec->rng : HASH_GOLDEN);
		j = rec->rng % rec->seen;
		if (j < SAMPLES_MAX)
			rec->ms[j] = x->ms;
	}
	if (description)
		buf_addstr(description, cJSON_GetObjectItemCaseSensitive(
						rec->ix, "description")
						->valuestring);
	pthread_mutex_unlock(&r->lock);
	buf_release(&desc);
}

size_t stub_recorder_count(struct stub_recorder *r)
{
	size_t n;
	pthread_mutex_lock(&r->lock);
	n = r->n;
	pthread_mutex_unlock(&r->lock);
	return n;
}

struct contract *stub_recorder_contract(struct stub_recorder *r, struct err *e)
{
	cJSON *doc = cJSON_CreateObject(), *o, *list;
	struct contract *c;
	size_t i;
	o = cJSON_AddObjectToObject(doc, "consumer");
	cJSON_AddStringToObject(o, "name", r->consumer);
	o = cJSON_AddObjectToObject(doc, "provider");
	cJSON_AddStringToObject(o, "name", r->provider);
	o = cJSON_AddObjectToObject(doc, "metadata");
	o = cJSON_AddObjectToObject(o, "pactSpecification");
	cJSON_AddStringToObject(o, "version", spec_name(SPEC_V4));
	list = cJSON_AddArrayToObject(doc, "interactions");
	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->n; i++)
		cJSON_AddItemToArray(list, cJSON_Duplicate(r->v[i].ix, 1));
	pthread_mutex_unlock(&r->lock);
	c = contract_from_cjson("recorded", doc, e);
	cJSON_Delete(doc);
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile of sorted v[0..n), linearly interpolated. */
static double quantile(const double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)floor(pos);
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (v[i + 1] - v[i]) * (pos - (double)i);
}

static cJSON *duration(double ms)
{
	char s[64];
	snprintf(s, sizeof(s), "%.3fms", ms);
	return cJSON_CreateString(s);
}

/* ^...$ around d with the regex metacharacters escaped. */
static void anchored(const char *d, struct buf *out)
{
	buf_addch(out, '^');
	for (; *d; d++) {
		if (strchr("\\^$.|?*+()[]{}", *d))
			buf_addch(out, '\\');
		buf_addch(out, *d);
	}
	buf_addch(out, '$');
}

cJSON *stub_recorder_latency(struct stub_recorder *r)
{
	cJSON *doc = cJSON_CreateObject(), *rules, *rule, *m, *lat;
	struct buf re;
	size_t i;
	rules = cJSON_AddArrayToObject(doc, "rules");
	buf_init(&re, 0);
	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->n; i++) {
		struct recorded *rec = &r->v[i];
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(
			rec->ix, "description");
		double *v;
		if (!rec->nms)
			continue;
		v = xcalloc(rec->nms, sizeof(*v));
		memcpy(v, rec->ms, rec->nms * sizeof(*v));
		qsort(v, rec->nms, sizeof(*v), cmp_double);
		rule = cJSON_CreateObject();
		buf_reset(&re);
		buf_addf(&re, "recorded-latency-%zu", i + 1);
		cJSON_AddStringToObject(rule, "name", re.ptr);
		m = cJSON_AddObjectToObject(rule, "match");
		buf_reset(&re);
		anchored(d->valuestring, &re);
		cJSON_AddStringToObject(m, "description", re.ptr);
		lat = cJSON_AddObjectToObject(rule, "latency");
		if (rec->nms == 1) {
			cJSON_AddItemToObject(lat, "fixed", duration(v[0]));
		} else {
			cJSON *p = cJSON_AddObjectToObject(lat, "percentiles");
			cJSON_AddItemToObject(
				p, "p50", duration(quantile(v, rec->nms, 0.5)));
			cJSON_AddItemToObject(
				p, "p95",
				duration(quantile(v, rec->nms, 0.95)));
			cJSON_AddItemToObject(
				p, "p99",
				duration(quantile(v, rec->nms, 0.99)));
		}
		cJSON_AddItemToArray(rules, rule);
		free(v);
	}
	pthread_mutex_unlock(&r->lock);
	buf_release(&re);
	return doc;
}
