/*
 * test_select.c: unit tests for interaction selection and the nearest-miss
 * report (stubserver/select.c): the method and literal path index, rule
 * matched paths through the fallback lists, provider states, specificity,
 * file order, the explain text, and a set of 10,000 interactions.
 *
 * Contracts are read from JSON written with ' in place of " for
 * readability; actual requests are built as they come off the wire (body
 * as raw bytes).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/internal.h"
#include "tests/unit/check_main.h"

/* ---- helpers ---- */

/* Turns the test notation into JSON: ' -> ". Caller frees. */
static char *jtext(const char *s)
{
	char *out = xstrdup(s), *p;
	for (p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

/* Reads a contract from JSON text (not test notation); asserts it reads. */
static struct contract *read_raw(const char *text)
{
	struct err e;
	struct contract *c;
	err_clear(&e);
	c = contract_read_json("test.json", text, strlen(text), &e);
	ck_assert_msg(c != NULL, "contract did not read: %s: %s", e.pointer,
		      e.msg);
	return c;
}

/* A v3 contract holding the interactions of `ixs` (test notation). */
static struct contract *contract3(const char *ixs)
{
	struct buf b;
	char *t;
	struct contract *c;
	buf_init(&b, 0);
	buf_addf(&b,
		 "{'consumer': {'name': 'web'}, 'provider': {'name': 'api'}, "
		 "'interactions': [%s], 'metadata': {'pactSpecification': "
		 "{'version': '3.0.0'}}}",
		 ixs);
	t = jtext(b.ptr);
	c = read_raw(t);
	free(t);
	buf_release(&b);
	return c;
}

/* A set of one v3 contract. */
static struct stub_set *set3(const char *ixs)
{
	struct contract *c = contract3(ixs);
	return stub_set_new(&c, 1);
}

/* An actual request; query and body may be NULL. */
static struct http_request *req_new(const char *method, const char *path,
				    const char *query, const char *body)
{
	struct http_request *r = xcalloc(1, sizeof(*r));
	r->method = xstrdup(method);
	r->path = xstrdup(path);
	r->has_path = 1;
	if (query) {
		query_parse(&r->query, query, strlen(query));
		r->query.present = 1;
	}
	if (body) {
		headers_add(&r->headers, "Content-Type", "application/json");
		r->body.bytes = body; /* lent: a body never owns its bytes */
		r->body.len = strlen(body);
		r->body.has_bytes = 1;
		r->body.present = 1;
	}
	return r;
}

static void req_free(struct http_request *r)
{
	request_release(r);
	free(r);
}

/* Selects with the given states (NULL-terminated list, or NULL). */
static int pick_with(const struct stub_set *s, const struct http_request *r,
		     const char *const *names, struct stub_pick *p)
{
	struct stub_states st = { names, 0 };
	struct buf ex;
	int got;
	while (names && names[st.n])
		st.n++;
	memset(p, 0, sizeof(*p));
	buf_init(&ex, 0);
	got = stub_select(s, r, &st, p, &ex);
	/* the explained choice and the silent one agree */
	{
		struct stub_pick q;
		memset(&q, 0, sizeof(q));
		ck_assert_int_eq(stub_select(s, r, &st, &q, NULL), got);
		ck_assert_uint_eq(q.index, p->index);
		ck_assert_ptr_eq(q.ix, p->ix);
	}
	buf_release(&ex);
	return got;
}

/* The description of the interaction selected; "" when none. */
static const char *chosen(const struct stub_set *s, const char *method,
			  const char *path, const char *body,
			  const char *const *names)
{
	struct http_request *r = req_new(method, path, NULL, body);
	struct stub_pick p;
	const char *d = "";
	if (pick_with(s, r, names, &p)) {
		ck_assert_ptr_nonnull(p.contract);
		d = p.ix->description;
	}
	req_free(r);
	return d;
}

#define IX(desc, method, path)                                                 \
	"{'description': '" desc "', 'request': {'method': '" method           \
	"', 'path': '" path "'}, 'response': {'status': 200}}"

#define IXS(desc, states, method, path)                                        \
	"{'description': '" desc "', 'providerStates': [" states "], "         \
	"'request': {'method': '" method "', 'path': '" path "'}, "            \
	"'response': {'status': 200}}"

/* ---- the index ---- */

START_TEST(test_literal_path)
{
	struct stub_set *s = set3(IX("a", "GET", "/a") "," IX(
		"b", "GET", "/b") "," IX("post b", "POST", "/b"));
	ck_assert_uint_eq(stub_set_count(s), 3);
	ck_assert_str_eq(chosen(s, "GET", "/b", NULL, NULL), "b");
	ck_assert_str_eq(chosen(s, "get", "/b", NULL, NULL), "b");
	ck_assert_str_eq(chosen(s, "POST", "/b", NULL, NULL), "post b");
	ck_assert_str_eq(chosen(s, "GET", "/a", NULL, NULL), "a");
	ck_assert_str_eq(chosen(s, "GET", "/c", NULL, NULL), "");
	ck_assert_str_eq(chosen(s, "GET", "/A", NULL, NULL), "");
	stub_set_free(s);
}
END_TEST

START_TEST(test_rule_path_fallback)
{
	struct stub_set *s = set3(IX(
		"other", "GET",
		"/other") ","
			  "{'description': 'a user', 'request': {'method': 'GET', "
			  "'path': '/users/1', 'matchingRules': {'path': {'matchers': "
			  "[{'match': 'regex', 'regex': '/users/[0-9]+'}]}}}, "
			  "'response': {'status': 200}}");
	struct http_request *r = req_new("GET", "/users/42", NULL, NULL);
	struct stub_pick p;
	ck_assert_int_eq(pick_with(s, r, NULL, &p), 1);
	ck_assert_uint_eq(p.index, 1);
	ck_assert_str_eq(p.ix->description, "a user");
	req_free(r);
	ck_assert_str_eq(chosen(s, "GET", "/users/x", NULL, NULL), "");
	ck_assert_str_eq(chosen(s, "DELETE", "/users/42", NULL, NULL), "");
	stub_set_free(s);
}
END_TEST

START_TEST(test_method_mismatch)
{
	struct stub_set *s = set3(IX("post a", "POST", "/a"));
	struct http_request *r = req_new("GET", "/a", NULL, NULL);
	struct stub_pick p;
	struct buf ex;
	buf_init(&ex, 0);
	ck_assert_int_eq(stub_select(s, r, NULL, &p, &ex), 0);
	/* the index leaves the POST out: nothing is even considered */
	ck_assert_str_eq(ex.ptr, "no interaction matches\n");
	buf_release(&ex);
	req_free(r);
	stub_set_free(s);
}
END_TEST

START_TEST(test_methodless_and_pathless)
{
	/* no method: any method, literal path still checked; no path: any */
	struct stub_set *s = set3(
		"{'description': 'any method', 'request': {'path': '/m'}, "
		"'response': {'status': 200}},"
		"{'description': 'any path', 'request': {'method': 'PUT'}, "
		"'response': {'status': 200}}");
	ck_assert_str_eq(chosen(s, "DELETE", "/m", NULL, NULL), "any method");
	ck_assert_str_eq(chosen(s, "DELETE", "/n", NULL, NULL), "");
	ck_assert_str_eq(chosen(s, "PUT", "/zz", NULL, NULL), "any path");
	ck_assert_str_eq(chosen(s, "PUT", "/m", NULL, NULL), "any method");
	stub_set_free(s);
}
END_TEST

START_TEST(test_messages_skipped)
{
	const char *text =
		"{\"consumer\": {\"name\": \"c\"}, \"provider\": {\"name\": "
		"\"p\"}, \"interactions\": ["
		"{\"type\": \"Asynchronous/Messages\", \"description\": "
		"\"event\", \"contents\": {\"a\": 1}},"
		"{\"type\": \"Synchronous/HTTP\", \"description\": \"http\", "
		"\"request\": {\"method\": \"GET\", \"path\": \"/h\"}, "
		"\"response\": {\"status\": 200}}], \"metadata\": "
		"{\"pactSpecification\": {\"version\": \"4.0\"}}}";
	struct contract *c = read_raw(text);
	struct stub_set *s;
	ck_assert_uint_eq(c->n, 2);
	s = stub_set_new(&c, 1);
	ck_assert_uint_eq(stub_set_count(s), 1);
	ck_assert_str_eq(chosen(s, "GET", "/h", NULL, NULL), "http");
	stub_set_free(s);
}
END_TEST

/*
 * A set of n GET interactions: interaction i is described as "item i"
 * (i zero-padded to `width` digits) and requests /items/i, or with
 * `same_path` all of them /items/same.
 */
static struct stub_set *many(size_t n, int width, int same_path)
{
	struct buf b;
	struct contract *c;
	size_t i;
	buf_init(&b, 0);
	buf_addstr(&b, "{\"consumer\": {\"name\": \"c\"}, \"provider\": "
		       "{\"name\": \"p\"}, \"interactions\": [");
	for (i = 0; i < n; i++) {
		buf_addf(&b,
			 "%s{\"description\": \"item %0*zu\", \"request\": "
			 "{\"method\": \"GET\", \"path\": \"/items/",
			 i ? "," : "", width, i);
		if (same_path)
			buf_addstr(&b, "same");
		else
			buf_addf(&b, "%zu", i);
		buf_addstr(&b, "\"}, \"response\": {\"status\": 200}}");
	}
	buf_addstr(&b, "], \"metadata\": {\"pactSpecification\": "
		       "{\"version\": \"3.0.0\"}}}");
	c = read_raw(b.ptr);
	buf_release(&b);
	return stub_set_new(&c, 1);
}

START_TEST(test_ten_thousand)
{
	struct buf b;
	struct stub_set *s;
	struct http_request *r;
	struct stub_pick p;

	s = many(10000, 0, 0);
	ck_assert_uint_eq(stub_set_count(s), 10000);

	r = req_new("GET", "/items/9999", NULL, NULL);
	buf_init(&b, 0);
	ck_assert_int_eq(stub_select(s, r, NULL, &p, &b), 1);
	ck_assert_uint_eq(p.index, 9999);
	ck_assert_str_eq(p.ix->description, "item 9999");
	/* only the indexed candidate was considered */
	ck_assert_str_eq(b.ptr,
			 "candidate #9999 'item 9999': match; states: none; "
			 "rule-matched fields: 0\n"
			 "chose #9999 'item 9999' because it is the only "
			 "interaction that matches\n");
	buf_release(&b);
	req_free(r);

	ck_assert_str_eq(chosen(s, "GET", "/items/0", NULL, NULL), "item 0");
	ck_assert_str_eq(chosen(s, "GET", "/items/10000", NULL, NULL), "");
	stub_set_free(s);
}
END_TEST

START_TEST(test_two_contracts)
{
	struct contract *cs[3];
	struct stub_set *s;
	struct http_request *r = req_new("GET", "/a", NULL, NULL);
	struct stub_pick p;
	cs[0] = contract3(IX("first", "GET", "/x"));
	cs[1] = NULL;
	cs[2] = contract3(
		IX("second", "GET", "/a") "," IX("third", "GET", "/a"));
	s = stub_set_new(cs, 3);
	ck_assert_uint_eq(stub_set_count(s), 3);
	ck_assert_int_eq(pick_with(s, r, NULL, &p), 1);
	ck_assert_uint_eq(p.index, 1);
	ck_assert_ptr_eq(p.contract, cs[2]);
	ck_assert_ptr_eq(p.ix, &cs[2]->ix[0]);
	req_free(r);
	stub_set_free(s);
}
END_TEST

/* ---- the choice among matches ---- */

START_TEST(test_state_wins)
{
	static const char *const exists[] = { "user exists", NULL };
	static const char *const unknown[] = { "no such state", NULL };
	struct stub_set *s = set3(
		IXS("missing", "{'name': 'no user'}", "GET",
		    "/u") "," IXS("present", "{'name': 'user exists'}", "GET",
				  "/u") "," IX("plain", "GET", "/u"));
	ck_assert_str_eq(chosen(s, "GET", "/u", NULL, exists), "present");
	/* no interaction has the chosen state: the stateless one answers */
	ck_assert_str_eq(chosen(s, "GET", "/u", NULL, unknown), "plain");
	stub_set_free(s);
}
END_TEST

START_TEST(test_no_state_prefers_stateless)
{
	struct stub_set *s = set3(
		IXS("stateful", "{'name': 's'}", "GET",
		    "/a") "," IX("stateless", "GET",
				 "/a") "," IXS("only stateful", "{'name': 's'}",
					       "GET", "/b"));
	ck_assert_str_eq(chosen(s, "GET", "/a", NULL, NULL), "stateless");
	/* an interaction with states still answers when it alone matches */
	ck_assert_str_eq(chosen(s, "GET", "/b", NULL, NULL), "only stateful");
	stub_set_free(s);
}
END_TEST

START_TEST(test_two_states)
{
	static const char *const both[] = { "b", "a", NULL };
	static const char *const a[] = { "a", NULL };
	static const char *const b[] = { "b", NULL };
	struct stub_set *s = set3(
		IXS("a", "{'name': 'a'}", "GET", "/x") "," IXS(
			"a and b", "{'name': 'a'}, {'name': 'b'}", "GET",
			"/x") "," IXS("b", "{'name': 'b'}", "GET", "/x"));
	ck_assert_str_eq(chosen(s, "GET", "/x", NULL, both), "a and b");
	ck_assert_str_eq(chosen(s, "GET", "/x", NULL, a), "a");
	ck_assert_str_eq(chosen(s, "GET", "/x", NULL, b), "b");
	stub_set_free(s);
}
END_TEST

START_TEST(test_specificity)
{
	/* both match {"n": 1}; the one without a rule is more specific */
	struct stub_set *s = set3(
		"{'description': 'typed', 'request': {'method': 'POST', "
		"'path': '/n', 'headers': {'Content-Type': "
		"'application/json'}, 'body': {'n': 5}, 'matchingRules': "
		"{'body': {'$.n': {'matchers': [{'match': 'type'}]}}}}, "
		"'response': {'status': 200}},"
		"{'description': 'exact', 'request': {'method': 'POST', "
		"'path': '/n', 'headers': {'Content-Type': "
		"'application/json'}, 'body': {'n': 1}}, "
		"'response': {'status': 200}}");
	struct http_request *r = req_new("POST", "/n", NULL, "{\"n\": 1}");
	struct stub_pick p;
	struct stub_states none = { NULL, 0 };
	struct buf ex;
	buf_init(&ex, 0);
	ck_assert_int_eq(stub_select(s, r, &none, &p, &ex), 1);
	ck_assert_str_eq(p.ix->description, "exact");
	ck_assert_msg(strstr(ex.ptr, "rule-matched fields: 1\n") != NULL, "%s",
		      ex.ptr);
	ck_assert_msg(strstr(ex.ptr, "fewest rule-matched fields") != NULL,
		      "%s", ex.ptr);
	buf_release(&ex);
	req_free(r);
	/* only the typed one matches {"n": 7} */
	ck_assert_str_eq(chosen(s, "POST", "/n", "{\"n\": 7}", NULL), "typed");
	stub_set_free(s);
}
END_TEST

START_TEST(test_literal_beats_rule_path)
{
	struct stub_set *s = set3(
		"{'description': 'any user', 'request': {'method': 'GET', "
		"'path': '/users/1', 'matchingRules': {'path': {'matchers': "
		"[{'match': 'regex', 'regex': '/users/[0-9]+'}]}}}, "
		"'response': {'status': 200}}," IX("user 7", "GET",
						   "/users/7"));
	ck_assert_str_eq(chosen(s, "GET", "/users/7", NULL, NULL), "user 7");
	ck_assert_str_eq(chosen(s, "GET", "/users/8", NULL, NULL), "any user");
	stub_set_free(s);
}
END_TEST

START_TEST(test_file_order)
{
	struct stub_set *s = set3(
		IX("one", "GET", "/d") "," IX("two", "GET", "/d"));
	struct http_request *r = req_new("GET", "/d", NULL, NULL);
	struct stub_pick p;
	struct buf ex;
	buf_init(&ex, 0);
	ck_assert_int_eq(stub_select(s, r, NULL, &p, &ex), 1);
	ck_assert_uint_eq(p.index, 0);
	ck_assert_str_eq(p.ix->description, "one");
	ck_assert_msg(strstr(ex.ptr, "first in file order") != NULL, "%s",
		      ex.ptr);
	buf_release(&ex);
	req_free(r);
	stub_set_free(s);
}
END_TEST

START_TEST(test_nothing_matches)
{
	struct stub_set *s = set3(
		"{'description': 'q', 'request': {'method': 'GET', "
		"'path': '/q', 'query': {'x': ['1']}}, 'response': {'status': 200}}");
	struct http_request *r = req_new("GET", "/q", "x=2", NULL);
	struct stub_pick p;
	struct buf ex;
	memset(&p, 0, sizeof(p));
	buf_init(&ex, 0);
	ck_assert_int_eq(stub_select(s, r, NULL, &p, &ex), 0);
	ck_assert_ptr_null(p.ix);
	ck_assert_msg(strstr(ex.ptr, "candidate #0 'q': 1 mismatch (first: "
				     "$.query.x[0]: ") != NULL,
		      "%s", ex.ptr);
	ck_assert_msg(strstr(ex.ptr, "no interaction matches\n") != NULL, "%s",
		      ex.ptr);
	buf_release(&ex);
	req_free(r);

	r = req_new("GET", "/q", "x=1", NULL);
	ck_assert_int_eq(pick_with(s, r, NULL, &p), 1);
	req_free(r);
	stub_set_free(s);
}
END_TEST

START_TEST(test_empty_set)
{
	struct stub_set *s = stub_set_new(NULL, 0);
	struct http_request *r = req_new("GET", "/", NULL, NULL);
	struct stub_pick p;
	cJSON *doc;
	ck_assert_uint_eq(stub_set_count(s), 0);
	ck_assert_int_eq(stub_select(s, r, NULL, &p, NULL), 0);
	doc = stub_nearest(s, r, 3);
	ck_assert_int_eq(
		cJSON_GetArraySize(cJSON_GetObjectItem(doc, "nearest")), 0);
	cJSON_Delete(doc);
	req_free(r);
	stub_set_free(s);
}
END_TEST

START_TEST(test_explain)
{
	static const char *const st[] = { "s", NULL };
	struct stub_set *s = set3(IX("plain", "GET", "/e") "," IXS(
		"with s", "{'name': 's'}, {'name': 't'}", "GET",
		"/e") "," IXS("only s", "{'name': 's'}", "GET", "/e"));
	struct http_request *r = req_new("GET", "/e", NULL, NULL);
	struct stub_states states = { st, 1 };
	struct stub_pick p;
	struct buf ex;
	buf_init(&ex, 0);
	ck_assert_int_eq(stub_select(s, r, &states, &p, &ex), 1);
	ck_assert_uint_eq(p.index, 2);
	ck_assert_str_eq(
		ex.ptr,
		"candidate #0 'plain': match; states: none; rule-matched "
		"fields: 0\n"
		"candidate #1 'with s': match; states: 's', 't'; "
		"rule-matched fields: 0\n"
		"candidate #2 'only s': match; states: 's'; rule-matched "
		"fields: 0\n"
		"chose #2 'only s' because its provider states are the "
		"chosen states\n");
	buf_release(&ex);
	req_free(r);
	stub_set_free(s);
}
END_TEST

/*
 * --explain keeps about 1 MiB a request: past it candidate lines are
 * counted, and the line that names the choice still comes.
 */
START_TEST(test_explain_capped)
{
	struct buf ex;
	struct stub_set *s;
	struct http_request *r;
	struct stub_pick p;
	const char *tail;
	size_t i, lines = 0;

	s = many(6000, 150, 1);
	r = req_new("GET", "/items/same", NULL, NULL);
	buf_init(&ex, 0);
	ck_assert_int_eq(stub_select(s, r, NULL, &p, &ex), 1);
	ck_assert_uint_eq(p.index, 0);
	ck_assert_uint_ge(ex.len, 1u << 20);
	ck_assert_uint_lt(ex.len, (1u << 20) + 1024);
	for (i = 0; i < ex.len; i++)
		lines += ex.ptr[i] == '\n';
	ck_assert_uint_lt(lines, 6000);
	tail = strstr(ex.ptr, " more candidates left out (--explain keeps "
			      "1048576 bytes a request)\nchose #0 '");
	ck_assert_ptr_nonnull(tail);
	tail = "because it comes first in file order (6000 interactions "
	       "match)\n";
	ck_assert_str_eq(ex.ptr + ex.len - strlen(tail), tail);
	buf_release(&ex);
	req_free(r);
	stub_set_free(s);
}
END_TEST

/* ---- nearest miss ---- */

static const cJSON *item(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	ck_assert_msg(v != NULL, "no key '%s'", key);
	return v;
}

START_TEST(test_nearest)
{
	struct stub_set *s = set3(
		"{'description': 'other', 'request': {'method': 'GET', "
		"'path': '/other', 'headers': {'X-Other': 'o'}}, "
		"'response': {'status': 200}},"
		"{'description': 'needs a key', 'request': {'method': 'GET', "
		"'path': '/a', 'query': {'q': ['1']}, 'headers': {'X-Key': 'k'}}, "
		"'response': {'status': 200}},"
		"{'description': 'post a', 'request': {'method': 'POST', "
		"'path': '/a'}, 'response': {'status': 200}}");
	struct http_request *r = req_new("GET", "/a", "q=2", NULL);
	cJSON *doc = stub_nearest(s, r, 2);
	const cJSON *near, *first, *mis, *m;
	char *text = cJSON_PrintUnformatted(doc);
	int found_q = 0, found_h = 0;

	ck_assert_str_eq(item(doc, "error")->valuestring,
			 "no interaction matches");
	ck_assert_str_eq(item(item(doc, "request"), "method")->valuestring,
			 "GET");
	ck_assert_str_eq(item(item(doc, "request"), "path")->valuestring, "/a");
	near = item(doc, "nearest");
	ck_assert_int_eq(cJSON_GetArraySize(near), 2);
	first = cJSON_GetArrayItem(near, 0);
	ck_assert_str_eq(item(first, "description")->valuestring,
			 "needs a key");
	ck_assert_str_eq(item(first, "consumer")->valuestring, "web");
	ck_assert_str_eq(item(first, "provider")->valuestring, "api");
	mis = item(first, "mismatches");
	ck_assert_int_eq(cJSON_GetArraySize(mis), 2);
	cJSON_ArrayForEach(m, mis)
	{
		const char *path = item(m, "path")->valuestring;
		ck_assert_ptr_nonnull(item(m, "message")->valuestring);
		item(m, "expected");
		item(m, "actual");
		found_q += !strcmp(path, "$.query.q[0]");
		found_h += !strncmp(path, "$.headers", 9);
	}
	ck_assert_msg(found_q == 1 && found_h == 1, "%s", text);
	/* then fewer mismatches: "post a" (method, query) before "other"
	 * (path, query, header), which comes first in file order */
	ck_assert_str_eq(
		item(cJSON_GetArrayItem(near, 1), "description")->valuestring,
		"post a");
	cJSON_free(text);
	cJSON_Delete(doc);

	doc = stub_nearest(s, r, 10);
	ck_assert_int_eq(cJSON_GetArraySize(item(doc, "nearest")), 3);
	cJSON_Delete(doc);
	doc = stub_nearest(s, r, 0);
	ck_assert_int_eq(cJSON_GetArraySize(item(doc, "nearest")), 0);
	cJSON_Delete(doc);
	req_free(r);
	stub_set_free(s);
}
END_TEST

START_TEST(test_nearest_caps_mismatches)
{
	struct buf b;
	struct stub_set *s;
	struct http_request *r;
	cJSON *doc;
	const cJSON *first;
	int i;
	buf_init(&b, 0);
	buf_addstr(&b, "{'description': 'many', 'request': {'method': 'GET', "
		       "'path': '/m', 'headers': {");
	for (i = 0; i < 15; i++)
		buf_addf(&b, "%s'X-H%d': 'v'", i ? ", " : "", i);
	buf_addstr(&b, "}}, 'response': {'status': 200}}");
	s = set3(b.ptr);
	buf_release(&b);
	r = req_new("GET", "/m", NULL, NULL);
	doc = stub_nearest(s, r, 5);
	first = cJSON_GetArrayItem(item(doc, "nearest"), 0);
	ck_assert_int_eq(cJSON_GetArraySize(item(first, "mismatches")), 10);
	cJSON_Delete(doc);
	req_free(r);
	stub_set_free(s);
}
END_TEST

static Suite *select_suite(void)
{
	Suite *s = suite_create("select");
	TCase *ti = tcase_create("index");
	TCase *tc = tcase_create("choice");
	TCase *tn = tcase_create("nearest");

	tcase_add_test(ti, test_literal_path);
	tcase_add_test(ti, test_rule_path_fallback);
	tcase_add_test(ti, test_method_mismatch);
	tcase_add_test(ti, test_methodless_and_pathless);
	tcase_add_test(ti, test_messages_skipped);
	tcase_add_test(ti, test_ten_thousand);
	tcase_add_test(ti, test_two_contracts);
	/* generous for sanitizer builds reading 10,000 interactions */
	tcase_set_timeout(ti, 60);
	suite_add_tcase(s, ti);

	tcase_add_test(tc, test_state_wins);
	tcase_add_test(tc, test_no_state_prefers_stateless);
	tcase_add_test(tc, test_two_states);
	tcase_add_test(tc, test_specificity);
	tcase_add_test(tc, test_literal_beats_rule_path);
	tcase_add_test(tc, test_file_order);
	tcase_add_test(tc, test_nothing_matches);
	tcase_add_test(tc, test_empty_set);
	tcase_add_test(tc, test_explain);
	tcase_add_test(tc, test_explain_capped);
	suite_add_tcase(s, tc);

	tcase_add_test(tn, test_nearest);
	tcase_add_test(tn, test_nearest_caps_mismatches);
	suite_add_tcase(s, tn);
	return s;
}

int main(void)
{
	return check_run(select_suite());
}
