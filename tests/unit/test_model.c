/*
 * test_model.c: unit tests for the Pact JSON reader and writer
 * (contracts/formats/read_json.c, contracts/formats/write_json.c): version detection, the
 * model built for v1 to v4 documents, lossless write-back at the file's own
 * version, conversions that must be refused, deterministic output, and the
 * errors (JSON pointer or line:col) reported for bad documents.
 *
 * JSON in this file is written with ' in place of " so that it stays
 * readable; \' stands for a literal apostrophe (see jtext()).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contracts/contracts.h"
#include "tests/unit/check_main.h"

/* ---- helpers ---- */

/* Turns the test notation into JSON: ' -> ", \' -> '. Caller frees. */
static char *jtext(const char *s)
{
	size_t n = strlen(s), i, o = 0;
	char *out = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && s[i + 1] == '\'') {
			out[o++] = '\'';
			i++;
		} else if (s[i] == '\'') {
			out[o++] = '"';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* Parses test notation with the library's parser; asserts it is valid. */
static cJSON *J(const char *s)
{
	char *t = jtext(s);
	struct err e;
	cJSON *v;
	err_clear(&e);
	v = json_parse_text("test", t, strlen(t), &e);
	ck_assert_msg(v != NULL, "bad test JSON (%s) at %d:%d: %s", e.msg,
		      e.line, e.col, t);
	free(t);
	return v;
}

/* A whole pact around `interactions` (a JSON array in test notation). */
static char *pact(const char *version, const char *interactions)
{
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b,
		 "{'consumer': {'name': 'web'}, 'provider': {'name': 'api'}, "
		 "'interactions': %s, "
		 "'metadata': {'pactSpecification': {'version': '%s'}}}",
		 interactions, version);
	return buf_detach(&b, NULL);
}

/* Reads a contract written in test notation; NULL with `e` set on error. */
static struct contract *read_q(const char *q, struct err *e)
{
	char *t = jtext(q);
	struct contract *c;
	err_clear(e);
	c = contract_read_json("test.json", t, strlen(t), e);
	free(t);
	return c;
}

/* Reads a contract that must be valid. */
static struct contract *read_ok(const char *q)
{
	struct err e;
	struct contract *c = read_q(q, &e);
	ck_assert_msg(c != NULL, "read failed: %s: %s", e.pointer, e.msg);
	return c;
}

/* Reads a pact built by pact(); frees the text. */
static struct contract *read_pact(const char *version, const char *ixs)
{
	char *p = pact(version, ixs);
	struct contract *c = read_ok(p);
	free(p);
	return c;
}

/* Reads a pact that must fail; returns the error in *e. */
static void read_pact_err(const char *version, const char *ixs, struct err *e)
{
	char *p = pact(version, ixs);
	struct contract *c = read_q(p, e);
	ck_assert_msg(c == NULL, "read of a bad document succeeded: %s", p);
	ck_assert_int_ne(e->code, ERR_NONE);
	free(p);
}

/* Order-insensitive for object keys, ordered for arrays. */
static int json_same(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	if (!a || !b)
		return a == b;
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a))
		return !strcmp(a->valuestring, b->valuestring);
	if (cJSON_IsArray(a)) {
		for (x = a->child, y = b->child; x && y;
		     x = x->next, y = y->next)
			if (!json_same(x, y))
				return 0;
		return !x && !y;
	}
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		cJSON_ArrayForEach(x, a)
		{
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !json_same(x, y))
				return 0;
		}
		return 1;
	}
	return 1; /* null */
}

/* Writes `c` at `to` and parses the text back. */
static cJSON *write_parse(const struct contract *c, enum spec_version to)
{
	struct buf b;
	struct err e;
	cJSON *v;
	buf_init(&b, 0);
	err_clear(&e);
	ck_assert_msg(contract_write_json(c, to, &b, &e) == 0,
		      "write failed: %s", e.msg);
	v = json_parse_text("out", b.ptr, b.len, &e);
	ck_assert_msg(v != NULL, "written JSON does not parse: %s", b.ptr);
	buf_release(&b);
	return v;
}

/* Reads `q`, writes it at its own version, compares with the input. */
static void roundtrip(const char *q)
{
	cJSON *in = J(q), *out;
	struct contract *c = read_ok(q);
	out = write_parse(c, SPEC_UNKNOWN);
	if (!json_same(in, out)) {
		char *a = cJSON_Print(in), *b = cJSON_Print(out);
		ck_abort_msg("write-back differs from input:\n%s\n---\n%s", a,
			     b);
	}
	cJSON_Delete(in);
	cJSON_Delete(out);
	contract_free(c);
}

/* Does every object in `v` list its keys in strcmp order? */
static int keys_sorted(const cJSON *v)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, v)
	{
		if (cJSON_IsObject(v) && it->next &&
		    strcmp(it->string, it->next->string) > 0)
			return 0;
		if (!keys_sorted(it))
			return 0;
	}
	return 1;
}

static const cJSON *at(const cJSON *v, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(v, key);
}

static const struct rule *rule_keyed(const struct rule_set *s, const char *k)
{
	size_t i;
	for (i = 0; s && i < s->n; i++)
		if (s->rules[i].key && !strcmp(s->rules[i].key, k))
			return &s->rules[i];
	return NULL;
}

#define HTTP_IX(extra)                                                         \
	"{'description': 'get thing', " extra "'request': {'method': 'GET', "  \
	"'path': '/thing'}, 'response': {'status': 200}}"

/* ---- version detection ---- */

START_TEST(test_spec_parse_and_name)
{
	ck_assert_int_eq(spec_parse("1.0.0"), SPEC_V1);
	ck_assert_int_eq(spec_parse("1.1.0"), SPEC_V1_1);
	ck_assert_int_eq(spec_parse("2.0.0"), SPEC_V2);
	ck_assert_int_eq(spec_parse("3.0.0"), SPEC_V3);
	ck_assert_int_eq(spec_parse("4.0"), SPEC_V4);
	ck_assert_int_eq(spec_parse("4"), SPEC_V4);
	ck_assert_int_eq(spec_parse("9.0"), SPEC_UNKNOWN);
	ck_assert_int_eq(spec_parse("banana"), SPEC_UNKNOWN);
	ck_assert_str_eq(spec_name(SPEC_V2), "2.0.0");
	ck_assert_str_eq(spec_name(SPEC_V4), "4.0");
}
END_TEST

START_TEST(test_spec_from_metadata_spellings)
{
	static const struct {
		const char *metadata;
		enum spec_version want;
	} cases[] = {
		{ "{'pactSpecification': {'version': '1.0.0'}}", SPEC_V1 },
		{ "{'pactSpecification': {'version': '1.1.0'}}", SPEC_V1_1 },
		{ "{'pactSpecification': {'version': '2.0.0'}}", SPEC_V2 },
		{ "{'pactSpecification': {'version': '3.0.0'}}", SPEC_V3 },
		{ "{'pactSpecification': {'version': '4.0'}}", SPEC_V4 },
		{ "{'pact-specification': {'version': '2.0.0'}}", SPEC_V2 },
		{ "{'pact-specification': {'version': '1.0.0'}}", SPEC_V1 },
		{ "{'pactSpecificationVersion': '3.0.0'}", SPEC_V3 },
		{ "{'pactSpecificationVersion': '1.1.0'}", SPEC_V1_1 },
		{ "{'pact-jvm': {'version': '4.1.0'}, "
		  "'pactSpecification': {'version': '3.0.0'}}",
		  SPEC_V3 },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		struct contract *c;
		buf_init(&b, 0);
		buf_addf(&b,
			 "{'consumer': {'name': 'a'}, 'provider': {'name': "
			 "'b'}, 'interactions': [], 'metadata': %s}",
			 cases[i].metadata);
		c = read_ok(b.ptr);
		ck_assert_msg(c->spec == cases[i].want, "%s: got %d want %d",
			      cases[i].metadata, c->spec, cases[i].want);
		contract_free(c);
		buf_release(&b);
	}
}
END_TEST

START_TEST(test_spec_guessed_without_metadata)
{
	struct contract *c = read_ok(
		"{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		"'interactions': [{'type': 'Synchronous/HTTP', "
		"'description': 'x', 'request': {'method': 'GET', "
		"'path': '/'}, 'response': {'status': 200}}]}");
	ck_assert_int_eq(c->spec, SPEC_V4);
	ck_assert_int_eq(c->ix[0].type, IX_HTTP);
	contract_free(c);
	c = read_ok("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		    "'interactions': [{'description': 'x', "
		    "'providerStates': [{'name': 's'}], "
		    "'request': {'method': 'GET', 'path': '/'}, "
		    "'response': {'status': 200}}]}");
	ck_assert_int_eq(c->spec, SPEC_V3);
	contract_free(c);
	c = read_ok("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		    "'messages': [{'description': 'm', 'contents': {}}]}");
	ck_assert_int_eq(c->spec, SPEC_V3);
	ck_assert_int_eq(c->ix[0].type, IX_MESSAGE);
	contract_free(c);
}
END_TEST

START_TEST(test_spec_unsupported_version)
{
	struct err e;
	read_pact_err("9.0", "[]", &e);
	ck_assert_msg(strstr(e.msg, "9.0") != NULL, "message: %s", e.msg);
	ck_assert_str_eq(e.pointer, "/metadata/pactSpecification/version");
}
END_TEST

/* ---- reading ---- */

START_TEST(test_v1_interaction)
{
	struct contract *c = read_pact(
		"1.0.0",
		"[{'description': 'a request', 'providerState': 'has things', "
		"'request': {'method': 'get', 'path': '/things', "
		"'query': 'a=1&b=2&a=3', 'headers': {'Accept': "
		"'application/json'}}, 'response': {'status': 200, "
		"'headers': {'Content-Type': 'application/json'}, "
		"'body': [1, 2]}}]");
	const struct interaction *ix = &c->ix[0];
	ck_assert_int_eq(c->spec, SPEC_V1);
	ck_assert_str_eq(c->consumer, "web");
	ck_assert_str_eq(c->provider, "api");
	ck_assert_uint_eq(c->n, 1);
	ck_assert_int_eq(ix->type, IX_HTTP);
	ck_assert_str_eq(ix->description, "a request");
	ck_assert_uint_eq(ix->nstates, 1);
	ck_assert_str_eq(ix->states[0].name, "has things");
	ck_assert_int_eq(ix->state_v2, 1);
	ck_assert_str_eq(ix->request.method, "get");
	ck_assert_str_eq(ix->request.path, "/things");
	ck_assert_str_eq(ix->request.query.raw, "a=1&b=2&a=3");
	ck_assert_uint_eq(ix->request.query.n, 2);
	ck_assert_str_eq(ix->request.query.v[0].name, "a");
	ck_assert_uint_eq(ix->request.query.v[0].n, 2);
	ck_assert_str_eq(ix->request.query.v[0].values[1], "3");
	ck_assert_int_eq(ix->response.status, 200);
	ck_assert_int_eq(ix->response.body.present, 1);
	ck_assert(cJSON_IsArray(ix->response.body.json));
	ck_assert_int_eq(ix->request.body.present, 0);
	contract_free(c);
}
END_TEST

START_TEST(test_v2_flat_rules_sorted_into_categories)
{
	struct contract *c = read_pact(
		"2.0.0",
		"[{'description': 'x', 'request': {'method': 'GET', "
		"'path': '/items/1', 'query': 'q=abc', "
		"'headers': {'Accept': 'application/json', 'X-Id': '7'}, "
		"'matchingRules': {"
		"'$.path': {'match': 'regex', 'regex': '/items/[0-9]+'}, "
		"'$.query.q': {'match': 'type'}, "
		"'$.headers.Accept': {'regex': 'application/.*'}, "
		"'$.header.X-Id': {'match': 'regex', 'regex': '[0-9]+'}}}, "
		"'response': {'status': 200, 'body': {'items': [{'id': 1}]}, "
		"'matchingRules': {'$.body.items': {'min': 1}, "
		"'$.body.items[*].id': {'match': 'type'}, "
		"'$.body': {'match': 'type'}}}}]");
	const struct http_request *rq = &c->ix[0].request;
	const struct http_response *rs = &c->ix[0].response;
	const struct rule_set *s;
	const struct rule *r;

	s = rules_category(&rq->rules, "path");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n, 1);
	ck_assert_ptr_null(s->rules[0].key);
	ck_assert_str_eq(s->rules[0].v2key, "$.path");
	ck_assert_int_eq(s->rules[0].m[0].type, M_REGEX);
	ck_assert_ptr_nonnull(s->rules[0].m[0].re);

	s = rules_category(&rq->rules, "query");
	r = rule_keyed(s, "q");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->v2key, "$.query.q");
	ck_assert_int_eq(r->m[0].type, M_TYPE);

	/* both spellings of the header part land in one category */
	s = rules_category(&rq->rules, "header");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n, 2);
	r = rule_keyed(s, "Accept");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->v2key, "$.headers.Accept");
	ck_assert_int_eq(r->m[0].type, M_REGEX); /* inferred from 'regex' */
	r = rule_keyed(s, "X-Id");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->v2key, "$.header.X-Id");

	s = rules_category(&rs->rules, "body");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n, 3);
	r = rule_keyed(s, "$.items");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->v2key, "$.body.items");
	ck_assert_int_eq(r->m[0].type, M_TYPE); /* inferred from 'min' */
	ck_assert_int_eq(r->m[0].has_min, 1);
	ck_assert_int_eq(r->m[0].min, 1);
	ck_assert_uint_eq(r->path.n, 2);
	ck_assert_int_eq(r->path.segs[1].kind, SEG_FIELD);
	ck_assert_str_eq(r->path.segs[1].name, "items");
	r = rule_keyed(s, "$.items[*].id");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->path.n, 4);
	ck_assert_int_eq(r->path.segs[2].kind, SEG_STAR);
	r = rule_keyed(s, "$");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->v2key, "$.body");
	ck_assert_uint_eq(r->path.n, 1);
	contract_free(c);
}
END_TEST

START_TEST(test_v3_category_rules_combine)
{
	struct contract *c = read_pact(
		"3.0.0",
		"[{'description': 'x', 'request': {'method': 'GET', "
		"'path': '/', 'query': {'n': ['1']}, 'headers': {'X': 'a'}, "
		"'matchingRules': {'query': {'n': {'matchers': "
		"[{'match': 'integer'}]}}, "
		"'header': {'X': {'combine': 'OR', 'matchers': ["
		"{'match': 'regex', 'regex': 'a+'}, "
		"{'match': 'include', 'value': 'b'}]}}, "
		"'path': {'matchers': [{'match': 'regex', 'regex': '/.*'}]}}}, "
		"'response': {'status': 200, 'body': {'a': {'b': 1}}, "
		"'matchingRules': {'body': {'$.a.b': {'matchers': ["
		"{'match': 'number'}, {'match': 'integer'}]}, "
		"'$[\\'a\\'].c': {'matchers': [{'match': 'null'}], "
		"'combine': 'AND'}}}}}]");
	const struct http_request *rq = &c->ix[0].request;
	const struct http_response *rs = &c->ix[0].response;
	const struct rule_set *s;
	const struct rule *r;

	s = rules_category(&rq->rules, "header");
	r = rule_keyed(s, "X");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->combine_or, 1);
	ck_assert_int_eq(r->has_combine, 1);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_int_eq(r->m[0].type, M_REGEX);
	ck_assert_int_eq(r->m[1].type, M_INCLUDE);
	ck_assert_str_eq(r->m[1].value, "b");
	ck_assert_ptr_null(r->v2key);

	s = rules_category(&rq->rules, "path");
	ck_assert_uint_eq(s->n, 1);
	ck_assert_ptr_null(s->rules[0].key);

	s = rules_category(&rq->rules, "query");
	ck_assert_int_eq(rule_keyed(s, "n")->m[0].type, M_INTEGER);

	s = rules_category(&rs->rules, "body");
	r = rule_keyed(s, "$.a.b");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->combine_or, 0);
	ck_assert_int_eq(r->has_combine, 0);
	ck_assert_uint_eq(r->n, 2);
	r = rule_keyed(s, "$['a'].c");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->path.n, 3);
	ck_assert_str_eq(r->path.segs[1].name, "a");
	ck_assert_str_eq(r->path.segs[2].name, "c");
	ck_assert_int_eq(r->has_combine, 1);
	contract_free(c);
}
END_TEST

START_TEST(test_v4_interaction_types)
{
	struct contract *c = read_pact(
		"4.0",
		"[{'type': 'Synchronous/HTTP', 'description': 'http', "
		"'request': {'method': 'POST', 'path': '/x', "
		"'headers': {'Content-Type': ['application/json']}, "
		"'body': {'contentType': 'application/json', 'encoded': false, "
		"'content': {'a': 1}}}, 'response': {'status': 201}}, "
		"{'type': 'Asynchronous/Messages', 'description': 'event', "
		"'contents': {'contentType': 'application/json', "
		"'encoded': false, 'content': {'id': 1}}, "
		"'metadata': {'topic': 'things'}, "
		"'matchingRules': {'content': {'$.id': {'matchers': "
		"[{'match': 'integer'}]}}}}, "
		"{'type': 'Synchronous/Messages', 'description': 'rpc', "
		"'request': {'contents': {'content': 'ping'}}, "
		"'response': [{'contents': {'content': 'pong'}, "
		"'metadata': {'n': 1}}, {'contents': {'content': 'pong2'}}]}]");
	const struct interaction *ix;
	ck_assert_int_eq(c->spec, SPEC_V4);
	ck_assert_uint_eq(c->n, 3);

	ix = &c->ix[0];
	ck_assert_int_eq(ix->type, IX_HTTP);
	ck_assert_int_eq(ix->request.body.wrapped, 1);
	ck_assert_str_eq(ix->request.body.content_type, "application/json");
	ck_assert(cJSON_IsObject(ix->request.body.json));
	ck_assert_int_eq(ix->response.status, 201);

	ix = &c->ix[1];
	ck_assert_int_eq(ix->type, IX_MESSAGE);
	ck_assert_int_eq(ix->message.contents.wrapped, 1);
	ck_assert_double_eq(at(ix->message.contents.json, "id")->valuedouble,
			    1);
	ck_assert_str_eq(at(ix->message.metadata, "topic")->valuestring,
			 "things");
	ck_assert_int_eq(ix->message.metadata_v3, 0);
	/* v4 test cases put message rules under 'content': found as body */
	ck_assert_ptr_nonnull(rules_category(&ix->message.rules, "body"));

	ix = &c->ix[2];
	ck_assert_int_eq(ix->type, IX_SYNC_MESSAGE);
	ck_assert_str_eq(ix->message.contents.json->valuestring, "ping");
	ck_assert_uint_eq(ix->nreplies, 2);
	ck_assert_str_eq(ix->replies[0].contents.json->valuestring, "pong");
	ck_assert_double_eq(at(ix->replies[0].metadata, "n")->valuedouble, 1);
	ck_assert_str_eq(ix->replies[1].contents.json->valuestring, "pong2");
	contract_free(c);
}
END_TEST

START_TEST(test_v4_unknown_interaction_type)
{
	struct err e;
	read_pact_err("4.0", "[{'type': 'Carrier/Pigeon', 'description': 'x'}]",
		      &e);
	ck_assert_int_eq(e.code, ERR_SHAPE);
	ck_assert_str_eq(e.pointer, "/interactions/0/type");
}
END_TEST

START_TEST(test_provider_states)
{
	struct contract *c = read_pact(
		"2.0.0", "[" HTTP_IX("'providerState': 'user 1 exists', ") "]");
	ck_assert_uint_eq(c->ix[0].nstates, 1);
	ck_assert_str_eq(c->ix[0].states[0].name, "user 1 exists");
	ck_assert_ptr_null(c->ix[0].states[0].params);
	ck_assert_int_eq(c->ix[0].state_v2, 1);
	contract_free(c);

	c = read_pact("3.0.0",
		      "[" HTTP_IX("'providerStates': [{'name': 'user exists', "
				  "'params': {'id': 1, 'name': 'Mary'}}, "
				  "{'name': 'logged in'}], ") "]");
	ck_assert_uint_eq(c->ix[0].nstates, 2);
	ck_assert_int_eq(c->ix[0].state_v2, 0);
	ck_assert_str_eq(c->ix[0].states[0].name, "user exists");
	ck_assert_double_eq(at(c->ix[0].states[0].params, "id")->valuedouble,
			    1);
	ck_assert_str_eq(at(c->ix[0].states[0].params, "name")->valuestring,
			 "Mary");
	ck_assert_str_eq(c->ix[0].states[1].name, "logged in");
	ck_assert_ptr_null(c->ix[0].states[1].params);
	contract_free(c);
}
END_TEST

START_TEST(test_v4_key_pending_comments)
{
	struct contract *c = read_pact(
		"4.0",
		"[{'type': 'Synchronous/HTTP', 'description': 'x', "
		"'key': 'abc123', 'pending': true, "
		"'comments': {'testname': 't1', 'text': ['one', 'two']}, "
		"'request': {'method': 'GET', 'path': '/'}, "
		"'response': {'status': 200}}]");
	const struct interaction *ix = &c->ix[0];
	ck_assert_str_eq(ix->key, "abc123");
	ck_assert_int_eq(ix->has_pending, 1);
	ck_assert_int_eq(ix->pending, 1);
	ck_assert_str_eq(at(ix->comments, "testname")->valuestring, "t1");
	ck_assert_int_eq(cJSON_GetArraySize(at(ix->comments, "text")), 2);
	contract_free(c);
}
END_TEST

START_TEST(test_v4_bodies)
{
	/* "hello" in base64 */
	struct contract *c = read_pact(
		"4.0", "[{'type': 'Synchronous/HTTP', 'description': 'x', "
		       "'request': {'method': 'POST', 'path': '/', "
		       "'body': {'contentType': 'application/octet-stream', "
		       "'encoded': 'base64', 'content': 'aGVsbG8=', "
		       "'contentTypeHint': 'BINARY'}}, "
		       "'response': {'status': 200, 'body': {'a': [1, 2]}}}, "
		       "{'type': 'Synchronous/HTTP', 'description': 'y', "
		       "'request': {'method': 'GET', 'path': '/'}, "
		       "'response': {'status': 200, 'body': {'contentType': "
		       "'text/plain', 'encoded': false, 'content': 'hi'}}}]");
	const struct body *b = &c->ix[0].request.body;
	ck_assert_int_eq(b->present, 1);
	ck_assert_int_eq(b->wrapped, 1);
	ck_assert_str_eq(b->content_type, "application/octet-stream");
	ck_assert_str_eq(b->encoded->valuestring, "base64");
	ck_assert_str_eq(b->json->valuestring, "aGVsbG8=");
	ck_assert_str_eq(b->hint, "BINARY");
	/* a legacy, unwrapped body in a v4 file */
	b = &c->ix[0].response.body;
	ck_assert_int_eq(b->present, 1);
	ck_assert_int_eq(b->wrapped, 0);
	ck_assert(cJSON_IsArray(at(b->json, "a")));
	b = &c->ix[1].response.body;
	ck_assert_int_eq(b->wrapped, 1);
	ck_assert(cJSON_IsFalse(b->encoded));
	ck_assert_str_eq(b->json->valuestring, "hi");
	ck_assert_str_eq(b->content_type, "text/plain");
	contract_free(c);
}
END_TEST

START_TEST(test_v4_bad_base64)
{
	struct err e;
	read_pact_err("4.0",
		      "[{'type': 'Synchronous/HTTP', 'description': 'x', "
		      "'request': {'method': 'POST', 'path': '/', "
		      "'body': {'contentType': 'application/octet-stream', "
		      "'encoded': 'base64', 'content': 'not base64!'}}, "
		      "'response': {'status': 200}}]",
		      &e);
	ck_assert_int_eq(e.code, ERR_SHAPE);
	ck_assert_str_eq(e.pointer, "/interactions/0/request/body/content");
}
END_TEST

START_TEST(test_header_lists)
{
	struct contract *c = read_pact(
		"4.0", "[{'type': 'Synchronous/HTTP', 'description': 'x', "
		       "'request': {'method': 'GET', 'path': '/', "
		       "'headers': {'Accept': ['text/html', 'text/plain'], "
		       "'X-One': 'single'}}, "
		       "'response': {'status': 200}}]");
	const struct headers *h = &c->ix[0].request.headers;
	const struct header *x;
	ck_assert_int_eq(h->present, 1);
	ck_assert_int_eq(h->lists, 1);
	x = headers_get(h, "accept");
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->n, 2);
	ck_assert_str_eq(x->values[0], "text/html");
	ck_assert_str_eq(x->values[1], "text/plain");
	x = headers_get(h, "X-ONE");
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->n, 1);
	ck_assert_str_eq(x->values[0], "single");
	contract_free(c);
}
END_TEST

START_TEST(test_query_string_and_map)
{
	struct contract *c = read_pact(
		"3.0.0",
		"[{'description': 'x', 'request': {'method': 'GET', "
		"'path': '/', 'query': {'a': ['1', '2'], 'b': ['x y']}}, "
		"'response': {'status': 200}}, "
		"{'description': 'y', 'request': {'method': 'GET', "
		"'path': '/', 'query': 'a=1&b=x%20y&a=2'}, "
		"'response': {'status': 200}}]");
	const struct query *q = &c->ix[0].request.query;
	ck_assert_int_eq(q->present, 1);
	ck_assert_ptr_null(q->raw);
	ck_assert_uint_eq(q->n, 2);
	ck_assert_str_eq(q->v[0].name, "a");
	ck_assert_uint_eq(q->v[0].n, 2);
	ck_assert_str_eq(q->v[0].values[1], "2");
	ck_assert_str_eq(q->v[1].values[0], "x y");
	q = &c->ix[1].request.query;
	ck_assert_str_eq(q->raw, "a=1&b=x%20y&a=2");
	ck_assert_uint_eq(q->n, 2);
	ck_assert_uint_eq(q->v[0].n, 2);
	ck_assert_str_eq(q->v[0].values[0], "1");
	ck_assert_str_eq(q->v[0].values[1], "2");
	ck_assert_str_eq(q->v[1].values[0], "x y"); /* percent-decoded */
	contract_free(c);
}
END_TEST

START_TEST(test_v3_message_pact)
{
	struct contract *c = read_ok(
		"{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		"'messages': [{'description': 'm', "
		"'providerStates': [{'name': 's'}], "
		"'contents': {'id': 7}, "
		"'metaData': {'contentType': 'application/json'}, "
		"'matchingRules': {'body': {'$.id': {'matchers': "
		"[{'match': 'integer'}]}}}}], "
		"'metadata': {'pactSpecification': {'version': '3.0.0'}}}");
	const struct interaction *ix = &c->ix[0];
	ck_assert_int_eq(c->messages_form, 1);
	ck_assert_int_eq(ix->type, IX_MESSAGE);
	ck_assert_int_eq(ix->message.metadata_v3, 1);
	ck_assert_str_eq(at(ix->message.metadata, "contentType")->valuestring,
			 "application/json");
	ck_assert_int_eq(ix->message.contents.present, 1);
	ck_assert_int_eq(ix->message.contents.wrapped, 0);
	ck_assert_ptr_nonnull(rules_category(&ix->message.rules, "body"));
	contract_free(c);
}
END_TEST

/* ---- writing ---- */

START_TEST(test_unknown_fields_preserved)
{
	const char *q =
		"{'consumer': {'name': 'web', 'team': 'blue'}, "
		"'provider': {'name': 'api'}, "
		"'x-top': {'keep': [1, 2]}, "
		"'interactions': [{'description': 'x', 'x-ix': true, "
		"'providerStates': [{'name': 's', 'params': {'id': 1}}], "
		"'request': {'method': 'GET', 'path': '/', 'x-req': 'r', "
		"'matchingRules': {'header': {'X': {'matchers': [{'match': "
		"'regex', 'regex': 'a', 'x-m': 1}], 'x-rule': 2}}}, "
		"'headers': {'X': 'a'}}, "
		"'response': {'status': 200, 'x-resp': null}}], "
		"'metadata': {'pactSpecification': {'version': '3.0.0'}, "
		"'pact-jvm': {'version': '4.6.1'}}}";
	struct contract *c = read_ok(q);
	cJSON *out = write_parse(c, SPEC_UNKNOWN);
	const cJSON *ix = cJSON_GetArrayItem(at(out, "interactions"), 0);
	const cJSON *m;
	ck_assert_str_eq(at(at(out, "consumer"), "team")->valuestring, "blue");
	ck_assert_int_eq(cJSON_GetArraySize(at(at(out, "x-top"), "keep")), 2);
	ck_assert(cJSON_IsTrue(at(ix, "x-ix")));
	ck_assert_str_eq(at(at(ix, "request"), "x-req")->valuestring, "r");
	ck_assert(cJSON_IsNull(at(at(ix, "response"), "x-resp")));
	m = at(at(at(at(ix, "request"), "matchingRules"), "header"), "X");
	ck_assert_double_eq(at(m, "x-rule")->valuedouble, 2);
	ck_assert_double_eq(at(cJSON_GetArrayItem(at(m, "matchers"), 0), "x-m")
				    ->valuedouble,
			    1);
	ck_assert_str_eq(
		at(at(out, "metadata"), "pact-jvm")->child->valuestring,
		"4.6.1");
	cJSON_Delete(out);
	contract_free(c);
	roundtrip(q);
}
END_TEST

START_TEST(test_roundtrip_v1)
{
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'interactions': [{'description': 'x', "
		  "'providerState': 'ready', "
		  "'request': {'method': 'get', 'path': '/p', "
		  "'query': 'b=2&a=1', 'headers': {'Accept': 'text/plain'}}, "
		  "'response': {'status': 200, 'body': 'plain'}}], "
		  "'metadata': {'pact-specification': {'version': '1.0.0'}}}");
}
END_TEST

START_TEST(test_roundtrip_v2)
{
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'interactions': [{'description': 'x', "
		  "'providerState': 'ready', "
		  "'request': {'method': 'POST', 'path': '/items', "
		  "'query': 'q=1', 'headers': {'Content-Type': "
		  "'application/json'}, 'body': {'name': 'n', 'tags': ['a']}, "
		  "'matchingRules': {'$.body.name': {'match': 'type'}, "
		  "'$.body.tags': {'min': 1}, "
		  "'$.headers.Content-Type': {'regex': 'application/.*'}, "
		  "'$.query.q': {'match': 'regex', 'regex': '[0-9]+'}, "
		  "'$.path': {'match': 'regex', 'regex': '/items'}}}, "
		  "'response': {'status': 201, 'body': {'id': 1.5, "
		  "'ok': true, 'none': null}, "
		  "'matchingRules': {'$.body.id': {'match': 'type'}}}}], "
		  "'metadata': {'pactSpecification': {'version': '2.0.0'}}}");
}
END_TEST

START_TEST(test_roundtrip_v3)
{
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'interactions': [{'description': 'x', "
		  "'providerStates': [{'name': 's1', 'params': {'id': 2}}, "
		  "{'name': 's2'}], "
		  "'request': {'method': 'GET', 'path': '/items/2', "
		  "'query': {'a': ['1', '2']}, "
		  "'headers': {'Accept': 'application/json'}, "
		  "'matchingRules': {'path': {'matchers': [{'match': 'regex', "
		  "'regex': '/items/[0-9]+'}], 'combine': 'AND'}, "
		  "'query': {'a': {'matchers': [{'match': 'integer'}]}}}, "
		  "'generators': {'path': {'type': 'ProviderState', "
		  "'expression': '/items/${id}'}}}, "
		  "'response': {'status': 200, 'body': {'d': '2024-01-01', "
		  "'v': [1, 2]}, 'matchingRules': {'body': {"
		  "'$.d': {'matchers': [{'match': 'date', "
		  "'format': 'yyyy-MM-dd'}]}, "
		  "'$.v': {'combine': 'OR', 'matchers': [{'match': 'type', "
		  "'min': 1, 'max': 5}, {'match': 'null'}]}}}, "
		  "'generators': {'body': {'$.d': {'type': 'Date'}}}}}], "
		  "'metadata': {'pactSpecification': {'version': '3.0.0'}}}");
}
END_TEST

START_TEST(test_roundtrip_v3_messages)
{
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'messages': [{'description': 'm', "
		  "'providerStates': [{'name': 's'}], "
		  "'contents': {'id': 7, 'at': 'now'}, "
		  "'metaData': {'contentType': 'application/json'}, "
		  "'matchingRules': {'body': {'$.id': {'matchers': "
		  "[{'match': 'integer'}]}}}}], "
		  "'metadata': {'pactSpecification': {'version': '3.0.0'}}}");
}
END_TEST

START_TEST(test_roundtrip_v4)
{
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'interactions': ["
		  "{'type': 'Synchronous/HTTP', 'description': 'h', "
		  "'key': 'k1', 'pending': false, 'transport': 'http', "
		  "'comments': {'testname': 't', 'text': ['x']}, "
		  "'providerStates': [{'name': 's', 'params': {'a': 1}}], "
		  "'request': {'method': 'GET', 'path': '/', "
		  "'query': {'q': ['1']}, 'headers': {'Accept': "
		  "['application/json']}}, "
		  "'response': {'status': 200, 'headers': {'Content-Type': "
		  "['application/json']}, 'body': {'contentType': "
		  "'application/json', 'encoded': false, 'content': "
		  "{'items': [{'id': 1}]}}, 'matchingRules': {'body': {"
		  "'$.items': {'matchers': [{'match': 'arrayContains', "
		  "'variants': [{'index': 0, 'rules': {'$.id': {'matchers': "
		  "[{'match': 'integer'}], 'combine': 'AND'}}, "
		  "'generators': {}}]}], 'combine': 'AND'}}, "
		  "'status': {'matchers': [{'match': 'statusCode', "
		  "'status': 'success'}]}}}}, "
		  "{'type': 'Asynchronous/Messages', 'description': 'e', "
		  "'contents': {'contentType': 'application/octet-stream', "
		  "'encoded': 'base64', 'content': 'AAEC'}, "
		  "'metadata': {'topic': 't'}, 'matchingRules': {'content': "
		  "{'$': {'matchers': [{'match': 'contentType', "
		  "'value': 'application/octet-stream'}]}}}}, "
		  "{'type': 'Synchronous/Messages', 'description': 's', "
		  "'request': {'contents': {'contentType': 'text/plain', "
		  "'encoded': false, 'content': 'ping'}}, "
		  "'response': [{'contents': {'contentType': 'text/plain', "
		  "'encoded': false, 'content': 'pong'}, "
		  "'metadata': {'n': 1}}]}], "
		  "'metadata': {'pactSpecification': {'version': '4.0'}, "
		  "'pactRust': {'models': '1.0'}}}");
}
END_TEST

START_TEST(test_number_literals_kept)
{
	struct contract *c = read_pact(
		"3.0.0", "[{'description': 'x', 'request': {'method': 'GET', "
			 "'path': '/'}, 'response': {'status': 200, 'body': "
			 "{'price': 10.50, 'big': 12345678901234567890, "
			 "'e': 1E+3}}}]");
	struct buf b;
	struct err e;
	buf_init(&b, 0);
	err_clear(&e);
	ck_assert_int_eq(contract_write_json(c, SPEC_UNKNOWN, &b, &e), 0);
	ck_assert_msg(strstr(b.ptr, "\"price\": 10.50") != NULL, "%s", b.ptr);
	ck_assert_msg(strstr(b.ptr, "\"big\": 12345678901234567890") != NULL,
		      "%s", b.ptr);
	ck_assert_msg(strstr(b.ptr, "\"e\": 1E+3") != NULL, "%s", b.ptr);
	buf_release(&b);
	contract_free(c);
}
END_TEST

/*
 * Forms the readers tolerate must come back as written too (write_json.c:
 * "Written at its own version a contract comes back as it was read").
 */
START_TEST(test_roundtrip_mixed_header_forms)
{
	/* a v4 headers object mixing strings and lists keeps both forms */
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'interactions': [{'type': 'Synchronous/HTTP', "
		  "'description': 'h', 'request': {'method': 'GET', "
		  "'path': '/', 'headers': {'Accept': ['text/plain', "
		  "'text/html'], 'X-One': 'single'}}, "
		  "'response': {'status': 200}}], "
		  "'metadata': {'pactSpecification': {'version': '4.0'}}}");
}
END_TEST

START_TEST(test_roundtrip_empty_matching_rules)
{
	/* "matchingRules": {} is kept */
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'interactions': [{'description': 'h', 'request': "
		  "{'method': 'GET', 'path': '/', 'matchingRules': {}}, "
		  "'response': {'status': 200}}], "
		  "'metadata': {'pactSpecification': {'version': '3.0.0'}}}");
}
END_TEST

START_TEST(test_roundtrip_query_map_string_value)
{
	/* a v3 query map value written as a plain string stays a string */
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'interactions': [{'description': 'h', 'request': "
		  "{'method': 'GET', 'path': '/', 'query': {'a': 'x'}}, "
		  "'response': {'status': 200}}], "
		  "'metadata': {'pactSpecification': {'version': '3.0.0'}}}");
}
END_TEST

START_TEST(test_roundtrip_null_state_params)
{
	/* "params": null on a provider state is kept */
	roundtrip("{'consumer': {'name': 'a'}, 'provider': {'name': 'b'}, "
		  "'interactions': [{'description': 'h', 'providerStates': "
		  "[{'name': 's', 'params': null}], 'request': "
		  "{'method': 'GET', 'path': '/'}, "
		  "'response': {'status': 200}}], "
		  "'metadata': {'pactSpecification': {'version': '3.0.0'}}}");
}
END_TEST

START_TEST(test_convert_v2_to_v3)
{
	struct contract *c = read_pact(
		"2.0.0",
		"[{'description': 'x', 'providerState': 'ready', "
		"'request': {'method': 'GET', 'path': '/', 'query': 'a=1&a=2', "
		"'headers': {'Accept': 'text/plain'}, "
		"'matchingRules': {'$.headers.Accept': {'regex': 'text/.*'}}}, "
		"'response': {'status': 200, 'body': {'n': 1}, "
		"'matchingRules': {'$.body.n': {'match': 'type'}}}}]");
	cJSON *out = write_parse(c, SPEC_V3);
	const cJSON *ix = cJSON_GetArrayItem(at(out, "interactions"), 0);
	const cJSON *rq = at(ix, "request"), *rules, *m;
	ck_assert_str_eq(at(at(out, "metadata"), "pactSpecification")
				 ->child->valuestring,
			 "3.0.0");
	ck_assert_str_eq(
		at(cJSON_GetArrayItem(at(ix, "providerStates"), 0), "name")
			->valuestring,
		"ready");
	ck_assert_ptr_null(at(ix, "providerState"));
	ck_assert(cJSON_IsArray(at(at(rq, "query"), "a")));
	ck_assert_int_eq(cJSON_GetArraySize(at(at(rq, "query"), "a")), 2);
	rules = at(rq, "matchingRules");
	m = cJSON_GetArrayItem(
		at(at(at(rules, "header"), "Accept"), "matchers"), 0);
	ck_assert_str_eq(at(m, "match")->valuestring, "regex");
	ck_assert_str_eq(at(m, "regex")->valuestring, "text/.*");
	rules = at(at(ix, "response"), "matchingRules");
	m = cJSON_GetArrayItem(at(at(at(rules, "body"), "$.n"), "matchers"), 0);
	ck_assert_str_eq(at(m, "match")->valuestring, "type");
	cJSON_Delete(out);
	contract_free(c);
}
END_TEST

/* Writing `ixs` (read at `from`) as `to` fails naming the interaction. */
static void expect_unsupported(const char *from, const char *ixs,
			       enum spec_version to, const char *what)
{
	struct contract *c = read_pact(from, ixs);
	struct buf b;
	struct err e;
	buf_init(&b, 0);
	err_clear(&e);
	ck_assert_msg(contract_write_json(c, to, &b, &e) == -1,
		      "writing as %s succeeded, wanted '%s' refused:\n%s",
		      spec_name(to), what, b.ptr);
	ck_assert_int_eq(e.code, ERR_UNSUPPORTED);
	ck_assert_msg(strstr(e.msg, "'the one'") != NULL,
		      "message does not name the interaction: %s", e.msg);
	ck_assert_msg(strstr(e.msg, what) != NULL, "message lacks '%s': %s",
		      what, e.msg);
	buf_release(&b);
	contract_free(c);
}

START_TEST(test_convert_errors)
{
	expect_unsupported(
		"4.0",
		"[{'type': 'Synchronous/Messages', 'description': 'the one', "
		"'request': {'contents': {'content': 'a'}}, 'response': []}]",
		SPEC_V3, "synchronous message");
	expect_unsupported(
		"3.0.0",
		"[{'description': 'the one', 'providerStates': "
		"[{'name': 'a'}, {'name': 'b'}], 'request': {'method': 'GET', "
		"'path': '/'}, 'response': {'status': 200}}]",
		SPEC_V2, "provider states");
	expect_unsupported(
		"3.0.0",
		"[{'description': 'the one', 'request': {'method': 'GET', "
		"'path': '/'}, 'response': {'status': 200, 'body': {'n': 1}, "
		"'generators': {'body': {'$.n': {'type': 'RandomInt', "
		"'min': 0, 'max': 9}}}}}]",
		SPEC_V2, "generators");
	/* several matchers combined with OR have no v2 form */
	expect_unsupported(
		"3.0.0",
		"[{'description': 'the one', 'request': {'method': 'GET', "
		"'path': '/'}, 'response': {'status': 200, 'body': {'n': 1}, "
		"'matchingRules': {'body': {'$.n': {'combine': 'OR', "
		"'matchers': [{'match': 'integer'}, {'match': 'null'}]}}}}}]",
		SPEC_V2, "matchers");
}
END_TEST

/*
 * Writing to an older version must refuse what that version cannot express
 * (contracts.h); the v2 writer already refuses a 'status' category.
 */
START_TEST(test_convert_v4_status_rule_to_v3)
{
	/* a v3 reader has no 'status' category: it would demand 200 */
	expect_unsupported(
		"4.0",
		"[{'type': 'Synchronous/HTTP', 'description': 'the one', "
		"'request': {'method': 'GET', 'path': '/'}, "
		"'response': {'status': 200, 'matchingRules': {'status': "
		"{'matchers': [{'match': 'statusCode', "
		"'status': 'success'}]}}}}]",
		SPEC_V3, "cannot be written as Pact 3.0.0");
}
END_TEST

/* Writes `ixs` at `to` and returns the first interaction's response body
 * rules (the document is freed by the caller through *doc). */
static const cJSON *written_body_rules(const char *from, const char *ixs,
				       enum spec_version to, cJSON **doc)
{
	struct contract *c = read_pact(from, ixs);
	const cJSON *resp;
	*doc = write_parse(c, to);
	contract_free(c);
	resp = at(cJSON_GetArrayItem(at(*doc, "interactions"), 0), "response");
	return at(resp, "matchingRules");
}

START_TEST(test_convert_v4_matcher_to_v3)
{
	/* pact-js writes v4 matchers (arrayContains, eachKey, ...) into v3
	 * files and reads them back, so a conversion keeps them */
	cJSON *doc;
	const cJSON *r = written_body_rules(
		"4.0",
		"[{'type': 'Synchronous/HTTP', 'description': 'the one', "
		"'request': {'method': 'GET', 'path': '/'}, "
		"'response': {'status': 200, 'body': {'l': [1]}, "
		"'matchingRules': {'body': {'$.l': {'matchers': [{'match': "
		"'arrayContains', 'variants': [{'index': 0, 'rules': {}}]}]}}}}}]",
		SPEC_V3, &doc);
	const cJSON *m = cJSON_GetArrayItem(
		at(at(at(r, "body"), "$.l"), "matchers"), 0);
	ck_assert_str_eq(at(m, "match")->valuestring, "arrayContains");
	ck_assert_int_eq(cJSON_GetArraySize(at(m, "variants")), 1);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_convert_v3_matcher_to_v2)
{
	/* v2 files from real writers carry integer and decimal rules (the
	 * pact-js inventory fixture does): keep them in the flat form */
	cJSON *doc;
	const cJSON *r = written_body_rules(
		"3.0.0",
		"[{'description': 'the one', 'request': {'method': 'GET', "
		"'path': '/'}, 'response': {'status': 200, 'body': {'n': 1}, "
		"'matchingRules': {'body': {'$.n': {'matchers': "
		"[{'match': 'integer'}]}}}}}]",
		SPEC_V2, &doc);
	ck_assert_str_eq(at(at(r, "$.body.n"), "match")->valuestring,
			 "integer");
	cJSON_Delete(doc);
}
END_TEST

/* A v4 asynchronous message written as v3: the v3 message shape. */
static cJSON *v4_message_as_v3(void)
{
	struct contract *c = read_pact(
		"4.0", "[{'type': 'Asynchronous/Messages', 'description': 'm', "
		       "'contents': {'contentType': 'application/json', "
		       "'encoded': false, 'content': {'id': 7}}, "
		       "'metadata': {'contentType': 'application/json'}, "
		       "'matchingRules': {'content': {'$.id': {'matchers': "
		       "[{'match': 'integer'}]}}}}]");
	cJSON *out = write_parse(c, SPEC_V3);
	contract_free(c);
	ck_assert_ptr_nonnull(at(out, "messages"));
	return out;
}

START_TEST(test_convert_v4_message_metadata_to_v3)
{
	/* v3 readers take both spellings; accord writes "metadata" as the
	 * official pact-js writer does for v3 message pacts, and keeps
	 * "metaData" only for files that were written with it */
	cJSON *out = v4_message_as_v3();
	const cJSON *msg = cJSON_GetArrayItem(at(out, "messages"), 0);
	ck_assert_double_eq(at(at(msg, "contents"), "id")->valuedouble, 7);
	ck_assert_msg(at(msg, "metadata") != NULL && !at(msg, "metaData"),
		      "v3 message without 'metadata'");
	cJSON_Delete(out);
}
END_TEST

START_TEST(test_convert_v4_message_rules_to_v3)
{
	/* the v4 'content' rule category becomes v3's 'body' */
	cJSON *out = v4_message_as_v3();
	const cJSON *msg = cJSON_GetArrayItem(at(out, "messages"), 0);
	const cJSON *rules = at(msg, "matchingRules");
	ck_assert_ptr_nonnull(rules);
	ck_assert_msg(at(rules, "body") != NULL && !at(rules, "content"),
		      "v3 message rules not under 'body'");
	ck_assert_ptr_nonnull(at(at(rules, "body"), "$.id"));
	cJSON_Delete(out);
}
END_TEST

START_TEST(test_deterministic_sorted_output)
{
	const char *q =
		"{'provider': {'name': 'b'}, 'metadata': {'z': 1, "
		"'pactSpecification': {'version': '3.0.0'}, 'a': 2}, "
		"'interactions': [{'response': {'status': 200, 'body': "
		"{'zeta': 1, 'alpha': {'y': 1, 'x': [{'b': 1, 'a': 2}]}}}, "
		"'request': {'path': '/', 'method': 'GET', 'headers': "
		"{'X-B': 'b', 'X-A': 'a'}}, 'description': 'x'}], "
		"'consumer': {'name': 'a'}}";
	struct contract *c = read_ok(q);
	struct buf b1, b2;
	struct err e;
	cJSON *doc;
	buf_init(&b1, 0);
	buf_init(&b2, 0);
	err_clear(&e);
	ck_assert_int_eq(contract_write_json(c, SPEC_UNKNOWN, &b1, &e), 0);
	ck_assert_int_eq(contract_write_json(c, SPEC_UNKNOWN, &b2, &e), 0);
	ck_assert_uint_eq(b1.len, b2.len);
	ck_assert(!memcmp(b1.ptr, b2.ptr, b1.len));
	/* no final newline, as the Pact libraries write it */
	ck_assert(b1.len > 0 && b1.ptr[b1.len - 1] == '}');
	ck_assert_msg(!strncmp(b1.ptr, "{\n  \"consumer\": {", 17),
		      "output starts: %.40s", b1.ptr);
	doc = json_parse_text("out", b1.ptr, b1.len, &e);
	ck_assert_ptr_nonnull(doc);
	ck_assert_msg(keys_sorted(doc), "keys not sorted:\n%s", b1.ptr);
	cJSON_Delete(doc);
	buf_release(&b1);
	buf_release(&b2);
	contract_free(c);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_shape_error_pointer)
{
	struct err e;
	struct buf b;
	read_pact_err("3.0.0",
		      "[{'description': 'x', 'request': {'method': 42, "
		      "'path': '/'}, 'response': {'status': 200}}]",
		      &e);
	ck_assert_int_eq(e.code, ERR_SHAPE);
	ck_assert_str_eq(e.pointer, "/interactions/0/request/method");
	ck_assert_str_eq(e.source, "test.json");
	ck_assert_msg(strstr(e.msg, "string") != NULL, "message: %s", e.msg);
	buf_init(&b, 0);
	err_format(&e, &b);
	ck_assert_msg(strstr(b.ptr, "test.json") &&
			      strstr(b.ptr, "/interactions/0/request/method"),
		      "formatted: %s", b.ptr);
	buf_release(&b);

	read_pact_err("3.0.0",
		      "[" HTTP_IX("") ", {'description': 'y', 'request': "
				      "{'method': 'GET', 'path': '/'}, "
				      "'response': {'status': 'OK'}}]",
		      &e);
	ck_assert_str_eq(e.pointer, "/interactions/1/response/status");

	read_pact_err("3.0.0",
		      "[{'description': 'x', 'request': {'method': 'GET', "
		      "'path': '/', 'headers': {'X': 5}}, "
		      "'response': {'status': 200}}]",
		      &e);
	ck_assert_str_eq(e.pointer, "/interactions/0/request/headers/X");
}
END_TEST

START_TEST(test_unknown_matcher)
{
	struct err e;
	read_pact_err("3.0.0",
		      "[{'description': 'x', 'request': {'method': 'GET', "
		      "'path': '/'}, 'response': {'status': 200, 'body': "
		      "{'a': 'b'}, 'matchingRules': {'body': {'$.a': "
		      "{'matchers': [{'match': 'regx', 'regex': 'b'}]}}}}}]",
		      &e);
	ck_assert_int_eq(e.code, ERR_SHAPE);
	ck_assert_msg(strstr(e.msg, "unknown matcher 'regx'") != NULL,
		      "message: %s", e.msg);
	ck_assert_msg(!strncmp(e.pointer,
			       "/interactions/0/response/matchingRules/body/",
			       44),
		      "pointer: %s", e.pointer);
}
END_TEST

START_TEST(test_bad_regex)
{
	struct err e;
	read_pact_err("3.0.0",
		      "[{'description': 'x', 'request': {'method': 'GET', "
		      "'path': '/'}, 'response': {'status': 200, 'body': "
		      "{'a': 'b'}, 'matchingRules': {'body': {'$.a': "
		      "{'matchers': [{'match': 'regex', 'regex': '(ab'}]}}}}}]",
		      &e);
	ck_assert_int_eq(e.code, ERR_REGEX);
	ck_assert_msg(strstr(e.msg, "(ab") != NULL, "message: %s", e.msg);
	ck_assert_msg(strstr(e.pointer, "/matchingRules/body/") != NULL,
		      "pointer: %s", e.pointer);

	/* v2 too */
	read_pact_err("2.0.0",
		      "[{'description': 'x', 'request': {'method': 'GET', "
		      "'path': '/'}, 'response': {'status': 200, "
		      "'matchingRules': {'$.body.a': {'regex': '[z-a]'}}}}]",
		      &e);
	ck_assert_int_eq(e.code, ERR_REGEX);
}
END_TEST

START_TEST(test_bad_date_format)
{
	struct err e;
	read_pact_err("3.0.0",
		      "[{'description': 'x', 'request': {'method': 'GET', "
		      "'path': '/'}, 'response': {'status': 200, 'body': "
		      "{'d': '2024-01-01'}, 'matchingRules': {'body': {'$.d': "
		      "{'matchers': [{'match': 'date', "
		      "'format': 'yyyy-MM-dd \\'unterminated'}]}}}}}]",
		      &e);
	ck_assert_msg(strstr(e.pointer, "/matchingRules/body/") != NULL,
		      "pointer: %s", e.pointer);
	read_pact_err("3.0.0",
		      "[{'description': 'x', 'request': {'method': 'GET', "
		      "'path': '/'}, 'response': {'status': 200, 'body': "
		      "{'d': '2024-01-01'}, 'matchingRules': {'body': {'$.d': "
		      "{'matchers': [{'match': 'date', "
		      "'format': 'yyyy-MM-ddd'}]}}}}}]",
		      &e);
	ck_assert_msg(strstr(e.msg, "yyyy-MM-ddd") != NULL, "message: %s",
		      e.msg);
}
END_TEST

/*
 * Numbers: short integers take a fast path; everything that would not
 * print back as written keeps its literal (-0, 1.0, 1e3, past 2^53).
 */
START_TEST(test_json_numbers)
{
	static const struct {
		const char *text;
		double value;
		const char *literal; /* NULL: none kept */
	} cases[] = {
		{ "0", 0, NULL },
		{ "-12", -12, NULL },
		{ "123456789012345", 123456789012345.0, NULL },
		{ "-123456789012345", -123456789012345.0, NULL },
		{ "1234567890123456", 1234567890123456.0, "1234567890123456" },
		{ "-0", 0, "-0" },
		{ "1.0", 1, "1.0" },
		{ "1e3", 1000, "1e3" },
		{ "12345678901234567890", 12345678901234567890.0,
		  "12345678901234567890" },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e;
		cJSON *v;
		err_clear(&e);
		v = json_parse_text("n", cases[i].text, strlen(cases[i].text),
				    &e);
		ck_assert_msg(v && cJSON_IsNumber(v), "%s", cases[i].text);
		ck_assert_msg(v->valuedouble == cases[i].value, "%s: %g",
			      cases[i].text, v->valuedouble);
		if (cases[i].literal)
			ck_assert_str_eq(v->valuestring, cases[i].literal);
		else
			ck_assert_msg(!v->valuestring, "%s kept %s",
				      cases[i].text, v->valuestring);
		cJSON_Delete(v);
	}
}
END_TEST

START_TEST(test_malformed_json_position)
{
	struct err e;
	struct contract *c;
	const char *bad_literal = "{\n  \"consumer\": {\"name\": \"a\"},\n"
				  "  \"provider\": tru\n}\n";
	const char *missing_comma = "{\"consumer\": {\"name\": \"a\"}\n"
				    "  \"provider\": {\"name\": \"b\"}}";
	err_clear(&e);
	c = contract_read_json("bad.json", bad_literal, strlen(bad_literal),
			       &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_SYNTAX);
	ck_assert_int_eq(e.line, 3);
	ck_assert_int_eq(e.col, 15);
	ck_assert_str_eq(e.source, "bad.json");

	err_clear(&e);
	c = contract_read_json("bad.json", missing_comma, strlen(missing_comma),
			       &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_SYNTAX);
	ck_assert_int_eq(e.line, 2);
	ck_assert_int_eq(e.col, 3);

	err_clear(&e);
	c = contract_read_json("bad.json", "{\"a\": 1} x", 10, &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_SYNTAX);
	ck_assert_int_eq(e.line, 1);
	ck_assert_int_eq(e.col, 10);

	err_clear(&e);
	c = contract_read_json("bad.json", "{\n\"a\": [1, 2", 12, &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_SYNTAX);
	ck_assert_int_eq(e.line, 2);
}
END_TEST

START_TEST(test_nesting_limit)
{
	struct buf b;
	struct err e;
	struct contract *c;
	int i;
	buf_init(&b, 0);
	buf_addstr(&b,
		   "{\"consumer\": {\"name\": \"a\"}, \"provider\": "
		   "{\"name\": \"b\"}, \"interactions\": [{\"description\": "
		   "\"x\", \"request\": {\"method\": \"GET\", \"path\": "
		   "\"/\"}, \"response\": {\"status\": 200, \"body\": ");
	for (i = 0; i < 200; i++)
		buf_addch(&b, '[');
	for (i = 0; i < 200; i++)
		buf_addch(&b, ']');
	buf_addstr(&b, "}}]}");
	err_clear(&e);
	c = contract_read_json("deep.json", b.ptr, b.len, &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_LIMIT);
	ck_assert_int_eq(e.line, 1);
	ck_assert_int_gt(e.col, 1);
	buf_release(&b);
}
END_TEST

START_TEST(test_missing_parts)
{
	struct err e;
	struct contract *c = read_q("{'provider': {'name': 'b'}, "
				    "'interactions': []}",
				    &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_SHAPE);
	ck_assert_str_eq(e.pointer, "/consumer");
	read_pact_err("3.0.0",
		      "[{'description': 'x', 'response': "
		      "{'status': 200}}]",
		      &e);
	ck_assert_str_eq(e.pointer, "/interactions/0/request");
	read_pact_err("3.0.0",
		      "[{'request': {'method': 'GET', 'path': "
		      "'/'}, 'response': {'status': 200}}]",
		      &e);
	ck_assert_str_eq(e.pointer, "/interactions/0/description");
}
END_TEST

/* ---- regex.c ---- */

START_TEST(test_regex_compile_and_match)
{
	struct err e;
	struct regex *re;
	struct buf g;
	err_clear(&e);
	ck_assert_ptr_null(regex_compile("([A-Z]{3}-\\d{4}", 0, &e));
	ck_assert_int_eq(e.code, ERR_REGEX);
	ck_assert_str_eq(e.msg,
			 "invalid regex '([A-Z]{3}-\\d{4}' at offset 15: "
			 "missing closing parenthesis");
	err_clear(&e);
	re = regex_compile("[A-Z]{3}-(\\d+)", 0, &e);
	ck_assert_ptr_nonnull(re);
	/* whole or search */
	ck_assert_int_eq(regex_match(re, "BOO-0042", 8, REGEX_WHOLE), 1);
	ck_assert_int_eq(regex_match(re, "x BOO-0042", 10, REGEX_WHOLE), 0);
	ck_assert_int_eq(regex_match(re, "x BOO-0042", 10, 0), 1);
	ck_assert_int_eq(regex_match(re, "BOO-0042", 4, 0), 0); /* len */
	/* bytes that are not UTF-8 fail to match, and are no error */
	ck_assert_int_eq(regex_match(re, "\xff\xfe", 2, 0), 0);
	/* groups */
	buf_init(&g, 0);
	ck_assert_int_eq(regex_match_groups(re, "x BOO-0042 y", 12, 0, &g), 2);
	ck_assert_str_eq(g.ptr, "0042");
	buf_reset(&g);
	ck_assert_int_eq(regex_match_groups(re, "none", 4, 0, &g), 0);
	ck_assert_str_eq(g.ptr, "");
	buf_release(&g);
	/* references: the last one frees (ASan sees a leak or a double free) */
	ck_assert_ptr_eq(regex_ref(re), re);
	regex_free(re);
	regex_free(re);
	regex_free(NULL);
}
END_TEST

/* A pattern that backtracks without end stops at the match limit, with -1
 * (no verdict), in far less than the test's timeout. */
START_TEST(test_regex_limit)
{
	struct err e;
	struct regex *re;
	char s[64];
	memset(s, 'a', sizeof(s) - 2);
	s[sizeof(s) - 2] = '!';
	s[sizeof(s) - 1] = '\0';
	err_clear(&e);
	/* JIT-compiled, and interpreted */
	re = regex_compile("(a+)+$", 0, &e);
	ck_assert_ptr_nonnull(re);
	ck_assert_int_eq(regex_match(re, s, strlen(s), 0), -1);
	ck_assert_int_eq(regex_match(re, s, strlen(s), REGEX_WHOLE), -1);
	ck_assert_int_eq(regex_match(re, "aaaa", 4, REGEX_WHOLE), 1);
	regex_free(re);
	re = regex_compile("(a+)+$", REGEX_ONE_OFF, &e);
	ck_assert_ptr_nonnull(re);
	ck_assert_int_eq(regex_match(re, s, strlen(s), 0), -1);
	regex_free(re);
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("read");
	TCase *tw = tcase_create("write");
	TCase *te = tcase_create("errors");

	tcase_add_test(tc, test_spec_parse_and_name);
	tcase_add_test(tc, test_spec_from_metadata_spellings);
	tcase_add_test(tc, test_spec_guessed_without_metadata);
	tcase_add_test(tc, test_v1_interaction);
	tcase_add_test(tc, test_v2_flat_rules_sorted_into_categories);
	tcase_add_test(tc, test_v3_category_rules_combine);
	tcase_add_test(tc, test_v4_interaction_types);
	tcase_add_test(tc, test_provider_states);
	tcase_add_test(tc, test_v4_key_pending_comments);
	tcase_add_test(tc, test_v4_bodies);
	tcase_add_test(tc, test_header_lists);
	tcase_add_test(tc, test_query_string_and_map);
	tcase_add_test(tc, test_v3_message_pact);
	tcase_add_test(tc, test_regex_compile_and_match);
	tcase_add_test(tc, test_regex_limit);
	suite_add_tcase(s, tc);

	tcase_add_test(tw, test_unknown_fields_preserved);
	tcase_add_test(tw, test_roundtrip_v1);
	tcase_add_test(tw, test_roundtrip_v2);
	tcase_add_test(tw, test_roundtrip_v3);
	tcase_add_test(tw, test_roundtrip_v3_messages);
	tcase_add_test(tw, test_roundtrip_v4);
	tcase_add_test(tw, test_number_literals_kept);
	tcase_add_test(tw, test_roundtrip_mixed_header_forms);
	tcase_add_test(tw, test_roundtrip_empty_matching_rules);
	tcase_add_test(tw, test_roundtrip_query_map_string_value);
	tcase_add_test(tw, test_roundtrip_null_state_params);
	tcase_add_test(tw, test_convert_v2_to_v3);
	tcase_add_test(tw, test_convert_errors);
	tcase_add_test(tw, test_convert_v4_status_rule_to_v3);
	tcase_add_test(tw, test_convert_v4_matcher_to_v3);
	tcase_add_test(tw, test_convert_v3_matcher_to_v2);
	tcase_add_test(tw, test_convert_v4_message_metadata_to_v3);
	tcase_add_test(tw, test_convert_v4_message_rules_to_v3);
	tcase_add_test(tw, test_deterministic_sorted_output);
	suite_add_tcase(s, tw);

	tcase_add_test(te, test_spec_unsupported_version);
	tcase_add_test(te, test_v4_unknown_interaction_type);
	tcase_add_test(te, test_v4_bad_base64);
	tcase_add_test(te, test_shape_error_pointer);
	tcase_add_test(te, test_unknown_matcher);
	tcase_add_test(te, test_bad_regex);
	tcase_add_test(te, test_bad_date_format);
	tcase_add_test(te, test_json_numbers);
	tcase_add_test(te, test_malformed_json_position);
	tcase_add_test(te, test_nesting_limit);
	tcase_add_test(te, test_missing_parts);
	suite_add_tcase(s, te);
	return s;
}

int main(void)
{
	return check_run(model_suite());
}
