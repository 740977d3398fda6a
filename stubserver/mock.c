/*
 * mock.c: the expectations of `accord mock`. A consumer test registers the
 * interactions it expects (from files, or through POST
 * /__accord/interactions as Pact JSON of any version or YAML), the server
 * answers from them as `accord stub` does, and the mock counts which were
 * received and which requests matched none. At the end the expectations
 * are checked and become the contract that is written.
 *
 * Expectations are held as Pact v4 interaction objects, in registration
 * order, so that a new interaction set (select.c) can be built from them
 * once they have changed (by the next request that needs it, service.c):
 * the set is immutable and the server swaps it whole. Index i of the set is expectation i. Everything here is behind
 * the mock's own mutex (taken after the server's set lock, never before).
 */
#include "stubserver/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Unexpected requests the verification report lists: a client stuck in a
 * loop must not grow it without end; the count goes on. */
#define UNEXPECTED_MAX 100

struct stub_mock {
	pthread_mutex_t lock;
	char *consumer;
	char *provider;
	cJSON *ixs; /* v4 interaction objects */
	size_t *received;
	size_t n, cap;
	cJSON *unexpected; /* [{method, target, nearest}] */
	size_t nunexpected;
};

struct stub_mock *stub_mock_new(const char *consumer, const char *provider)
{
	struct stub_mock *m = xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->consumer = xstrdup(consumer);
	m->provider = xstrdup(provider);
	m->ixs = cJSON_CreateArray();
	m->unexpected = cJSON_CreateArray();
	return m;
}

void stub_mock_free(struct stub_mock *m)
{
	if (!m)
		return;
	cJSON_Delete(m->ixs);
	cJSON_Delete(m->unexpected);
	free(m->received);
	free(m->consumer);
	free(m->provider);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* The v4 document of the expectations (a copy). */
static cJSON *document(const struct stub_mock *m)
{
	cJSON *doc = cJSON_CreateObject(), *o;
	o = cJSON_AddObjectToObject(doc, "consumer");
	cJSON_AddStringToObject(o, "name", m->consumer);
	o = cJSON_AddObjectToObject(doc, "provider");
	cJSON_AddStringToObject(o, "name", m->provider);
	cJSON_AddItemToObject(doc, "interactions", cJSON_Duplicate(m->ixs, 1));
	o = cJSON_AddObjectToObject(doc, "metadata");
	o = cJSON_AddObjectToObject(o, "pactSpecification");
	cJSON_AddStringToObject(o, "version", spec_name(SPEC_V4));
	return doc;
}

int stub_mock_add_contract(struct stub_mock *m, const struct contract *c,
			   struct err *e)
{
	cJSON *doc = contract_to_cjson(c, SPEC_V4, e), *list, *it;
	if (!doc)
		return -1;
	list = cJSON_GetObjectItemCaseSensitive(doc, "interactions");
	pthread_mutex_lock(&m->lock);
	cJSON_ArrayForEach(it, list)
	{
		m->received = xgrow(m->received, &m->cap, m->n + 1,
				    sizeof(*m->received));
		m->received[m->n++] = 0;
		cJSON_AddItemToArray(m->ixs, cJSON_Duplicate(it, 1));
	}
	pthread_mutex_unlock(&m->lock);
	cJSON_Delete(doc);
	return 0;
}

/* The version a bare interaction object is written in, by its shape. */
static enum spec_version guess_version(const cJSON *list)
{
	const cJSON *it;
	int v2 = 0;
	cJSON_ArrayForEach(it, list)
	{
		const char *parts[] = { "request", "response" };
		size_t i;
		if (cJSON_GetObjectItemCaseSensitive(it, "type") ||
		    cJSON_GetObjectItemCaseSensitive(it, "key") ||
		    cJSON_GetObjectItemCaseSensitive(it, "pending"))
			return SPEC_V4;
		for (i = 0; i < 2; i++) {
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(
				it, parts[i]);
			const cJSON *r = cJSON_GetObjectItemCaseSensitive(
				p, "matchingRules");
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(
				p, "body");
			if (r && r->child && r->child->string &&
			    r->child->string[0] == '$')
				v2 = 1;
			if (cJSON_IsObject(b) &&
			    cJSON_GetObjectItemCaseSensitive(b, "content") &&
			    cJSON_GetObjectItemCaseSensitive(b, "contentType"))
				return SPEC_V4;
		}
	}
	return v2 ? SPEC_V2 : SPEC_V3;
}

/* One interaction or a list of them, as a contract of the mock's parties. */
static struct contract *wrap(const struct stub_mock *m, const char *name,
			     cJSON *list, struct err *e)
{
	cJSON *doc = cJSON_CreateObject(), *o;
	struct contract *c;
	o = cJSON_AddObjectToObject(doc, "consumer");
	cJSON_AddStringToObject(o, "name", m->consumer);
	o = cJSON_AddObjectToObject(doc, "provider");
	cJSON_AddStringToObject(o, "name", m->provider);
	o = cJSON_AddObjectToObject(doc, "metadata");
	o = cJSON_AddObjectToObject(o, "pactSpecification");
	cJSON_AddStringToObject(o, "version", spec_name(guess_version(list)));
	cJSON_AddItemToObject(doc, "interactions", list);
	c = contract_from_cjson(name, doc, e);
	cJSON_Delete(doc);
	return c;
}

/* Whether a line of p[0..n) starts with key (at column 0). */
static int has_key(const char *p, size_t n, const char *key)
{
	size_t k = strlen(key), i = 0;
	while (i < n) {
		if (n - i >= k && !memcmp(p + i, key, k))
			return 1;
		while (i < n && p[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

static void add_scalar(struct buf *out, const char *key, const char *v)
{
	cJSON *s = cJSON_CreateString(v);
	char *q = cJSON_PrintUnformatted(s); /* a JSON string is YAML */
	buf_addf(out, "%s: %s\n", key, q ? q : "\"\"");
	cJSON_free(q);
	cJSON_Delete(s);
}

/*
 * YAML as a whole document: the mock's parties where the text names none,
 * and a bare interaction (no top-level "interactions:") indented into a
 * list of one.
 */
static void yaml_wrap(const struct stub_mock *m, const char *p, size_t n,
		      struct buf *out)
{
	size_t i = 0;
	int first = 1;
	if (!has_key(p, n, "consumer:"))
		add_scalar(out, "consumer", m->consumer);
	if (!has_key(p, n, "provider:"))
		add_scalar(out, "provider", m->provider);
	if (has_key(p, n, "interactions:")) {
		buf_add(out, p, n);
		return;
	}
	buf_addstr(out, "interactions:\n");
	while (i < n) {
		size_t j = i;
		while (j < n && p[j] != '\n')
			j++;
		if (j > i && p[i] != '#') {
			buf_addstr(out, first ? "  - " : "    ");
			first = 0;
		}
		buf_add(out, p + i, j - i);
		buf_addch(out, '\n');
		i = j + 1;
	}
}

int stub_mock_add(struct stub_mock *m, const char *name, const char *buf,
		  size_t len, struct err *e)
{
	struct contract *c;
	size_t i = 0;
	int rc;
	while (i < len && strchr(" \t\r\n", buf[i]))
		i++;
	if (i == len)
		return err_set(e, ERR_USAGE, "no interaction in the body");
	if (buf[i] == '{' || buf[i] == '[') {
		cJSON *doc = json_parse_text(name, buf, len, e);
		if (!doc)
			return -1;
		if (cJSON_IsArray(doc)) {
			c = wrap(m, name, doc, e);
		} else if (cJSON_GetObjectItemCaseSensitive(doc,
							    "interactions") ||
			   cJSON_GetObjectItemCaseSensitive(doc, "messages")) {
			c = contract_from_cjson(name, doc, e);
			cJSON_Delete(doc);
		} else {
			cJSON *list = cJSON_CreateArray();
			cJSON_AddItemToArray(list, doc);
			c = wrap(m, name, list, e);
		}
	} else {
		struct buf y;
		/* no ceiling of its own: the text is the request body and a
		 * few lines, and the reader refuses one past CONTRACT_MAX_FILE
		 * with ERR_LIMIT (a ceiling here cut text silently instead) */
		buf_init(&y, 0);
		yaml_wrap(m, buf, len, &y);
		c = contract_read_yaml(name, y.ptr, y.len, e);
		buf_release(&y);
	}
	if (!c)
		return -1;
	rc = stub_mock_add_contract(m, c, e);
	contract_free(c);
	return rc;
}

void stub_mock_clear(struct stub_mock *m)
{
	pthread_mutex_lock(&m->lock);
	cJSON_Delete(m->ixs);
	m->ixs = cJSON_CreateArray();
	m->n = 0;
	cJSON_Delete(m->unexpected);
	m->unexpected = cJSON_CreateArray();
	m->nunexpected = 0;
	pthread_mutex_unlock(&m->lock);
}

size_t stub_mock_count(struct stub_mock *m)
{
	size_t n;
	pthread_mutex_lock(&m->lock);
	n = m->n;
	pthread_mutex_unlock(&m->lock);
	return n;
}

struct stub_set *stub_mock_set(struct stub_mock *m, struct err *e)
{
	cJSON *doc;
	struct contract *c;
	pthread_mutex_lock(&m->lock);
	doc = document(m);
	pthread_mutex_unlock(&m->lock);
	c = contract_from_cjson("expectations", doc, e);
	cJSON_Delete(doc);
	if (!c)
		return NULL;
	return stub_set_new(&c, 1);
}

void stub_mock_received(struct stub_mock *m, size_t index)
{
	pthread_mutex_lock(&m->lock);
	if (index < m->n)
		m->received[index]++;
	pthread_mutex_unlock(&m->lock);
}

void stub_mock_unexpected(struct stub_mock *m, const char *method,
			  const char *target, const cJSON *nearest)
{
	cJSON *o;
	pthread_mutex_lock(&m->lock);
	m->nunexpected++;
	if (cJSON_GetArraySize(m->unexpected) < UNEXPECTED_MAX) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "method", method);
		cJSON_AddStringToObject(o, "target", target);
		if (nearest)
			cJSON_AddItemToObject(
				o, "nearest",
				cJSON_Duplicate(
					cJSON_GetObjectItemCaseSensitive(
						nearest, "nearest"),
					1));
		cJSON_AddItemToArray(m->unexpected, o);
	}
	pthread_mutex_unlock(&m->lock);
}

/* "GET /path" of a v4 interaction object, for reports. */
static void describe_request(const cJSON *ix, cJSON *o)
{
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(ix, "request");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(req, "path");
	if (cJSON_IsString(method))
		cJSON_AddStringToObject(o, "method", method->valuestring);
	if (cJSON_IsString(path))
		cJSON_AddStringToObject(o, "path", path->valuestring);
}

cJSON *stub_mock_verify(struct stub_mock *m, int *ok)
{
	cJSON *o = cJSON_CreateObject(), *missing, *it;
	size_t i = 0, got = 0;
	pthread_mutex_lock(&m->lock);
	missing = cJSON_CreateArray();
	cJSON_ArrayForEach(it, m->ixs)
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(
			it, "description");
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(it,
								     "type");
		/* messages are not requests: nothing to receive */
		int http = !cJSON_IsString(type) ||
			   !strcmp(type->valuestring, "Synchronous/HTTP");
		if (m->received[i])
			got++;
		else if (http) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(
				x, "description",
				cJSON_IsString(d) ? d->valuestring : "");
			describe_request(it, x);
			cJSON_AddItemToArray(missing, x);
		}
		i++;
	}
	*ok = !cJSON_GetArraySize(missing) && !m->nunexpected;
	cJSON_AddBoolToObject(o, "ok", *ok);
	cJSON_AddNumberToObject(o, "expected", (double)m->n);
	cJSON_AddNumberToObject(o, "received", (double)got);
	cJSON_AddItemToObject(o, "missing", missing);
	cJSON_AddNumberToObject(o, "unexpected_count", (double)m->nunexpected);
	cJSON_AddItemToObject(o, "unexpected",
			      cJSON_Duplicate(m->unexpected, 1));
	pthread_mutex_unlock(&m->lock);
	return o;
}

cJSON *stub_mock_json(struct stub_mock *m)
{
	cJSON *o;
	pthread_mutex_lock(&m->lock);
	o = document(m);
	pthread_mutex_unlock(&m->lock);
	return o;
}

struct contract *stub_mock_contract(struct stub_mock *m, struct err *e)
{
	cJSON *doc;
	struct contract *c;
	pthread_mutex_lock(&m->lock);
	doc = document(m);
	pthread_mutex_unlock(&m->lock);
	c = contract_from_cjson("expectations", doc, e);
	cJSON_Delete(doc);
	return c;
}
