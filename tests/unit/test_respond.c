/*
 * test_respond.c: unit tests for stub answers (stubserver/respond.c): the
 * exact bytes of responses built from v3 and v4 interactions (status line,
 * headers, Content-Type, Content-Length, bodies), HEAD and Connection
 * handling, and the generators: determinism for a seed, formats, the Regex
 * generator checked against PCRE2, provider-state values, and failures.
 *
 * JSON in this file is written with ' in place of " so that it stays
 * readable (see jtext()).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

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

/* A contract holding one interaction whose response is `response`. */
static struct contract *read_response(const char *version, const char *response)
{
	struct buf b;
	struct err e;
	struct contract *c;
	char *t;
	buf_init(&b, 0);
	buf_addf(&b,
		 "{'consumer': {'name': 'web'}, 'provider': {'name': 'api'}, "
		 "'interactions': [{'description': 'd', %s"
		 "'request': {'method': 'GET', 'path': '/'}, "
		 "'response': %s}], "
		 "'metadata': {'pactSpecification': {'version': '%s'}}}",
		 version[0] == '4' ? "'type': 'Synchronous/HTTP', " : "",
		 response, version);
	t = jtext(b.ptr);
	buf_release(&b);
	err_clear(&e);
	c = contract_read_json("test.json", t, strlen(t), &e);
	ck_assert_msg(c != NULL, "contract: %s (%s)", e.msg, e.pointer);
	ck_assert_uint_eq(c->n, 1);
	free(t);
	return c;
}

/* The response to `response` with generators set by g (NULL: none). */
static char *respond_g(const char *version, const char *response,
		       const struct stub_gen *g, int head_only, int keep_alive)
{
	struct contract *c = read_response(version, response);
	struct buf out;
	struct err e;
	buf_init(&out, 0);
	err_clear(&e);
	ck_assert_msg(stub_respond(&c->ix[0], g, head_only, keep_alive, &out,
				   &e) == 0,
		      "stub_respond: %s", e.msg);
	contract_free(c);
	return buf_detach(&out, NULL);
}

static char *respond(const char *version, const char *response)
{
	return respond_g(version, response, NULL, 0, 1);
}

/* The body of a response (after the blank line); points into resp. */
static const char *body_of(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");
	ck_assert_ptr_nonnull(p);
	return p + 4;
}

/* The value of header `name` in resp (first occurrence); caller frees. */
static char *header_of(const char *resp, const char *name)
{
	size_t n = strlen(name);
	const char *p = strstr(resp, "\r\n"), *end;
	while (p && strncmp(p, "\r\n\r\n", 4)) {
		p += 2;
		end = strstr(p, "\r\n");
		if (!str_ncasecmp(p, name, n) && p[n] == ':')
			return xstrndup(p + n + 2, (size_t)(end - p - n - 2));
		p = end;
	}
	return NULL;
}

/* The generated body member `key` (parsed), for body {key: ...}. */
static cJSON *body_json(const char *resp)
{
	const char *b = body_of(resp);
	struct err e;
	cJSON *v;
	err_clear(&e);
	v = json_parse_text("body", b, strlen(b), &e);
	ck_assert_msg(v != NULL, "body is not JSON: %s", b);
	return v;
}

static struct stub_gen gen_on(uint64_t seed)
{
	struct stub_gen g;
	memset(&g, 0, sizeof(g));
	g.enabled = 1;
	g.seed = seed;
	return g;
}

/* Does s match `pattern` as a whole (PCRE2, UTF)? */
static int pcre_full_match(const char *pattern, const char *s)
{
	int errcode, rc;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern,
				       PCRE2_ZERO_TERMINATED, PCRE2_UTF,
				       &errcode, &off, NULL);
	pcre2_match_data *md;
	ck_assert_msg(re != NULL, "bad test regex %s", pattern);
	md = pcre2_match_data_create_from_pattern(re, NULL);
	rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0,
			 PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc > 0;
}

/* ---- responses ---- */

START_TEST(test_simple_v3_bytes)
{
	char *r = respond(
		"3.0.0",
		"{'status': 201, 'headers': {'Content-Type': 'application/json', "
		"'X-Id': '7'}, 'body': {'a': 1, 'b': [true, null, 'x']}}");
	ck_assert_str_eq(r, "HTTP/1.1 201 Created\r\n"
			    "Content-Type: application/json\r\n"
			    "X-Id: 7\r\n"
			    "Content-Length: 27\r\n"
			    "\r\n"
			    "{\"a\":1,\"b\":[true,null,\"x\"]}");
	free(r);
}
END_TEST

START_TEST(test_default_status_and_derived_type)
{
	char *r = respond("3.0.0", "{'body': [1, 2]}");
	ck_assert_str_eq(r, "HTTP/1.1 200 OK\r\n"
			    "Content-Type: application/json\r\n"
			    "Content-Length: 5\r\n"
			    "\r\n"
			    "[1,2]");
	free(r);
}
END_TEST

START_TEST(test_no_body)
{
	char *r = respond("3.0.0", "{'status': 200}");
	ck_assert_str_eq(r, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	free(r);
}
END_TEST

START_TEST(test_head_has_length_no_body)
{
	char *r = respond_g("3.0.0",
			    "{'status': 200, 'body': {'name': 'widget'}}", NULL,
			    1, 1);
	ck_assert_str_eq(r, "HTTP/1.1 200 OK\r\n"
			    "Content-Type: application/json\r\n"
			    "Content-Length: 17\r\n"
			    "\r\n");
	free(r);
}
END_TEST

START_TEST(test_connection_close)
{
	char *r = respond_g("3.0.0", "{'status': 404}", NULL, 0, 0);
	ck_assert_str_eq(r, "HTTP/1.1 404 Not Found\r\n"
			    "Content-Length: 0\r\n"
			    "Connection: close\r\n"
			    "\r\n");
	free(r);
}
END_TEST

START_TEST(test_framing_headers_dropped)
{
	char *r = respond("3.0.0",
			  "{'status': 200, 'headers': {'Content-Length': '99', "
			  "'Transfer-Encoding': 'chunked', 'Connection': "
			  "'keep-alive', 'X-A': 'b'}, 'body': 'hi'}");
	ck_assert_str_eq(r, "HTTP/1.1 200 OK\r\n"
			    "X-A: b\r\n"
			    "Content-Type: text/plain\r\n"
			    "Content-Length: 2\r\n"
			    "\r\n"
			    "hi");
	free(r);
}
END_TEST

START_TEST(test_v4_base64_body)
{
	char *r = respond("4.0",
			  "{'status': 200, 'body': {'content': 'aGVsbG8=', "
			  "'contentType': 'application/octet-stream', "
			  "'encoded': 'base64'}}");
	ck_assert_str_eq(r, "HTTP/1.1 200 OK\r\n"
			    "Content-Type: application/octet-stream\r\n"
			    "Content-Length: 5\r\n"
			    "\r\n"
			    "hello");
	free(r);
}
END_TEST

START_TEST(test_v4_json_encoded_and_typed_bodies)
{
	char *r = respond("4.0",
			  "{'status': 200, 'body': {'content': '{\\'a\\': 1}', "
			  "'contentType': 'application/json', "
			  "'encoded': 'JSON'}}");
	ck_assert_str_eq(body_of(r), "{\"a\": 1}");
	free(r);
	r = respond("4.0", "{'status': 200, 'body': {'content': '<a/>', "
			   "'contentType': 'application/xml', "
			   "'encoded': false}}");
	ck_assert_str_eq(r, "HTTP/1.1 200 OK\r\n"
			    "Content-Type: application/xml\r\n"
			    "Content-Length: 4\r\n"
			    "\r\n"
			    "<a/>");
	free(r);
}
END_TEST

START_TEST(test_v4_header_lists)
{
	char *r = respond("4.0",
			  "{'status': 200, 'headers': {'Set-Cookie': ['a=1', "
			  "'b=2'], 'Content-Type': ['text/plain']}, "
			  "'body': {'content': 'ok', 'contentType': "
			  "'text/plain', 'encoded': false}}");
	ck_assert_str_eq(r, "HTTP/1.1 200 OK\r\n"
			    "Set-Cookie: a=1\r\n"
			    "Set-Cookie: b=2\r\n"
			    "Content-Type: text/plain\r\n"
			    "Content-Length: 2\r\n"
			    "\r\n"
			    "ok");
	free(r);
}
END_TEST

START_TEST(test_text_body_raw)
{
	char *r = respond("3.0.0", "{'status': 200, 'headers': "
				   "{'Content-Type': 'text/xml'}, "
				   "'body': '<a x=\\'1\\'/>'}");
	ck_assert_str_eq(body_of(r), "<a x=\"1\"/>");
	free(r);
	/* a string body with a JSON content type is a JSON string */
	r = respond("3.0.0", "{'status': 200, 'headers': "
			     "{'Content-Type': 'application/json'}, "
			     "'body': 'hi'}");
	ck_assert_str_eq(body_of(r), "\"hi\"");
	free(r);
}
END_TEST

START_TEST(test_204_no_body)
{
	char *r = respond("3.0.0", "{'status': 204, 'body': {'x': 1}}");
	ck_assert_str_eq(r, "HTTP/1.1 204 No Content\r\n\r\n");
	free(r);
}
END_TEST

START_TEST(test_number_literal_kept)
{
	char *r = respond("3.0.0",
			  "{'status': 200, 'body': {'price': 10.50, "
			  "'big': 12345678901234567890, 'e': 1e3, 'f': 0.1}}");
	ck_assert_str_eq(body_of(r), "{\"price\":10.50,"
				     "\"big\":12345678901234567890,"
				     "\"e\":1e3,\"f\":0.1}");
	free(r);
}
END_TEST

START_TEST(test_string_escapes)
{
	char *r = respond("3.0.0", "{'status': 200, 'body': "
				   "{'s': 'a\\\\\\'b\\nc\\u0001\\u00e9'}}");
	ck_assert_str_eq(body_of(r),
			 "{\"s\":\"a\\\\\\\"b\\nc\\u0001\xc3\xa9\"}");
	free(r);
}
END_TEST

START_TEST(test_header_value_sanitised)
{
	/* the reader refuses a line ending that is not a fold, and a name
	 * that is not a token; a fold, and other control bytes, are served
	 * as spaces on one line */
	char *r = respond("3.0.0", "{'status': 200, 'headers': "
				   "{'X-A': 'a\\r\\n X-Folded: 1\\u0001.'}}");
	ck_assert_str_eq(r, "HTTP/1.1 200 OK\r\n"
			    "X-A: a   X-Folded: 1 .\r\n"
			    "Content-Length: 0\r\n"
			    "\r\n");
	free(r);
}
END_TEST

START_TEST(test_respond_json_and_text)
{
	struct buf out;
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "error", "no match");
	buf_init(&out, 0);
	stub_respond_json(404, b, 0, 0, &out);
	ck_assert_str_eq(out.ptr, "HTTP/1.1 404 Not Found\r\n"
				  "Content-Type: application/json\r\n"
				  "Content-Length: 20\r\n"
				  "Connection: close\r\n"
				  "\r\n"
				  "{\"error\":\"no match\"}");
	buf_reset(&out);
	stub_respond_text(200, "text/plain", "ok\n", 3, 1, 1, &out);
	ck_assert_str_eq(out.ptr, "HTTP/1.1 200 OK\r\n"
				  "Content-Type: text/plain\r\n"
				  "Content-Length: 3\r\n"
				  "\r\n");
	buf_release(&out);
	cJSON_Delete(b);
}
END_TEST

START_TEST(test_output_limit)
{
	struct contract *c = read_response(
		"3.0.0", "{'status': 200, 'body': {'a': 'long enough'}}");
	struct buf out;
	struct err e;
	buf_init(&out, 20);
	err_clear(&e);
	ck_assert_int_eq(stub_respond(&c->ix[0], NULL, 0, 1, &out, &e), -1);
	ck_assert_int_eq(e.code, ERR_LIMIT);
	ck_assert_uint_eq(out.len, 0);
	buf_release(&out);
	contract_free(c);
}
END_TEST

START_TEST(test_reasons)
{
	ck_assert_str_eq(stub_reason(200), "OK");
	ck_assert_str_eq(stub_reason(404), "Not Found");
	ck_assert_str_eq(stub_reason(431), "Request Header Fields Too Large");
	ck_assert_str_eq(stub_reason(503), "Service Unavailable");
	ck_assert_str_eq(stub_reason(299), "Unknown");
	ck_assert_str_eq(stub_reason(700), "Unknown");
	ck_assert_str_eq(stub_reason(99), "Unknown");
}
END_TEST

/* ---- generators ---- */

#define RANDOM_INT                                                             \
	"{'status': 200, 'body': {'id': 5, 'items': [{'n': 1}, {'n': 2}]}, "   \
	"'generators': {'body': {'$.id': {'type': 'RandomInt', "               \
	"'min': 10, 'max': 20}, '$.items[*].n': {'type': 'RandomInt', "        \
	"'min': 100, 'max': 1000000}}}}"

START_TEST(test_random_int_range_and_seed)
{
	struct stub_gen g1 = gen_on(1), g2 = gen_on(2);
	char *a = respond_g("3.0.0", RANDOM_INT, &g1, 0, 1);
	char *b = respond_g("3.0.0", RANDOM_INT, &g1, 0, 1);
	char *c = respond_g("3.0.0", RANDOM_INT, &g2, 0, 1);
	cJSON *v = body_json(a), *it;
	double id = cJSON_GetObjectItem(v, "id")->valuedouble;
	ck_assert(id >= 10 && id <= 20 && id == (int)id);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(v, "items"))
	{
		double n = cJSON_GetObjectItem(it, "n")->valuedouble;
		ck_assert(n >= 100 && n <= 1000000);
	}
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	cJSON_Delete(v);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(test_random_int_spread)
{
	/* over many seeds every value of a small range turns up */
	int seen[5] = { 0 }, k;
	uint64_t s;
	for (s = 0; s < 200; s++) {
		struct stub_gen g = gen_on(s);
		char *r = respond_g(
			"3.0.0",
			"{'status': 200, 'body': {'v': 0}, 'generators': "
			"{'body': {'$.v': {'type': 'RandomInt', 'min': -2, "
			"'max': 2}}}}",
			&g, 0, 1);
		cJSON *v = body_json(r);
		k = (int)cJSON_GetObjectItem(v, "v")->valuedouble;
		ck_assert(k >= -2 && k <= 2);
		seen[k + 2]++;
		cJSON_Delete(v);
		free(r);
	}
	for (k = 0; k < 5; k++)
		ck_assert_int_gt(seen[k], 0);
}
END_TEST

static int is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static char *uuid_with(const char *format)
{
	struct buf b;
	struct stub_gen g = gen_on(7);
	char *r, *v;
	buf_init(&b, 0);
	buf_addf(&b,
		 "{'status': 200, 'headers': {'X-Id': 'x'}, 'generators': "
		 "{'header': {'X-Id': {'type': 'Uuid'%s%s%s}}}}",
		 format ? ", 'format': '" : "", format ? format : "",
		 format ? "'" : "");
	r = respond_g("4.0", b.ptr, &g, 0, 1);
	v = header_of(r, "X-Id");
	ck_assert_ptr_nonnull(v);
	free(r);
	buf_release(&b);
	return v;
}

START_TEST(test_uuid_formats)
{
	char *u = uuid_with(NULL);
	size_t i;
	ck_assert_uint_eq(strlen(u), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_int_eq(u[i], '-');
		else
			ck_assert_msg(is_hex_lower(u[i]), "uuid %s", u);
	}
	ck_assert_int_eq(u[14], '4');
	ck_assert(strchr("89ab", u[19]));
	ck_assert(pcre_full_match("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
				  "[89ab][0-9a-f]{3}-[0-9a-f]{12}",
				  u));
	free(u);
	u = uuid_with("simple");
	ck_assert(pcre_full_match("[0-9a-f]{32}", u));
	free(u);
	u = uuid_with("upper-case-hyphenated");
	ck_assert(pcre_full_match("[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}",
				  u));
	free(u);
	u = uuid_with("URN");
	ck_assert(pcre_full_match(
		"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", u));
	free(u);
}
END_TEST

/* The body generated by a Regex generator on a text/plain body. */
static char *regex_output(const char *pattern, uint64_t seed)
{
	cJSON *doc = cJSON_CreateObject(), *resp, *gens, *body, *gen, *ix;
	struct stub_gen g = gen_on(seed);
	struct contract *c;
	struct buf out;
	struct err e;
	char *text, *r;
	cJSON_AddItemToObject(doc, "consumer", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(doc, "consumer"), "name",
				"web");
	cJSON_AddItemToObject(doc, "provider", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(doc, "provider"), "name",
				"api");
	ix = cJSON_CreateObject();
	cJSON_AddStringToObject(ix, "description", "d");
	cJSON_AddItemToObject(ix, "request", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(ix, "request"), "method",
				"GET");
	cJSON_AddStringToObject(cJSON_GetObjectItem(ix, "request"), "path",
				"/");
	resp = cJSON_AddObjectToObject(ix, "response");
	cJSON_AddNumberToObject(resp, "status", 200);
	cJSON_AddItemToObject(resp, "headers", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(resp, "headers"),
				"Content-Type", "text/plain");
	cJSON_AddStringToObject(resp, "body", "EXAMPLE");
	gens = cJSON_AddObjectToObject(resp, "generators");
	body = cJSON_AddObjectToObject(gens, "body");
	gen = cJSON_AddObjectToObject(body, "$");
	cJSON_AddStringToObject(gen, "type", "Regex");
	cJSON_AddStringToObject(gen, "regex", pattern);
	cJSON_AddItemToObject(doc, "interactions", cJSON_CreateArray());
	cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "interactions"), ix);
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	err_clear(&e);
	c = contract_read_json("regex.json", text, strlen(text), &e);
	ck_assert_msg(c != NULL, "contract for %s: %s", pattern, e.msg);
	free(text);
	buf_init(&out, 0);
	ck_assert_int_eq(stub_respond(&c->ix[0], &g, 0, 1, &out, &e), 0);
	r = xstrdup(body_of(out.ptr));
	buf_release(&out);
	contract_free(c);
	return r;
}

START_TEST(test_regex_generator_matches)
{
	static const char *const patterns[] = {
		"\\d{3}-\\d{4}",
		"[a-z]+@[a-z]+\\.com",
		"(foo|bar|baz)+",
		"^[A-Z]{2}[0-9]{2,4}$",
		"[^abc]{5}",
		"\\w+\\s\\w*",
		"colou?r",
		"(?:ab|cd){2,3}x*",
		"[a-f0-9-]{8}",
		"\\$\\d+\\.\\d{2}",
		"(?i)[a-z]{3}",
		"\\bword\\b",
		"[[:alpha:]]{4}[[:digit:]]",
		"(?<year>\\d{4})-(?<m>0[1-9]|1[0-2])",
		"[]a]\\x41\\.{1,}",
		"(a|b(c|d)*)e{0,2}?[\\d\\-]+",
		"caf\xc3\xa9 \\x{263a}",
		"(?'n'q)r(?P<m>s)",
	};
	size_t i;
	uint64_t s;
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		for (s = 1; s <= 20; s++) {
			char *r = regex_output(patterns[i], s);
			ck_assert_msg(strcmp(r, "EXAMPLE") != 0,
				      "pattern %s not generated", patterns[i]);
			ck_assert_msg(pcre_full_match(patterns[i], r),
				      "'%s' does not match %s", r, patterns[i]);
			free(r);
		}
	}
}
END_TEST

START_TEST(test_regex_unsupported_keeps_example)
{
	static const char *const patterns[] = {
		"(a)\\1",   "a(?=b)b", "\\p{Lu}+",
		"(?x) a b", "a^b", /* generated, then refused by the PCRE2 check */
	};
	size_t i;
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		char *r = regex_output(patterns[i], 3);
		ck_assert_str_eq(r, "EXAMPLE");
		free(r);
	}
}
END_TEST

START_TEST(test_provider_state)
{
	cJSON *params = cJSON_CreateObject();
	struct stub_gen g = gen_on(1);
	const char *resp =
		"{'status': 200, 'headers': {'Location': '/orders/1'}, "
		"'body': {'id': 1, 'link': '/orders/1'}, 'generators': "
		"{'header': {'Location': {'type': 'ProviderState', "
		"'expression': '/orders/${id}'}}, 'body': {'$.id': "
		"{'type': 'ProviderState', 'expression': '${id}'}, "
		"'$.link': {'type': 'ProviderState', 'expression': "
		"'/orders/${id}/x'}}}}";
	char *r, *loc;
	cJSON_AddNumberToObject(params, "id", 42);
	g.state_params = params;
	r = respond_g("4.0", resp, &g, 0, 1);
	loc = header_of(r, "Location");
	ck_assert_str_eq(loc, "/orders/42");
	ck_assert_str_eq(body_of(r), "{\"id\":42,\"link\":\"/orders/42/x\"}");
	free(loc);
	free(r);

	/* a missing key keeps the example */
	cJSON_DeleteItemFromObject(params, "id");
	cJSON_AddNumberToObject(params, "other", 5);
	r = respond_g("4.0", resp, &g, 0, 1);
	loc = header_of(r, "Location");
	ck_assert_str_eq(loc, "/orders/1");
	ck_assert_str_eq(body_of(r), "{\"id\":1,\"link\":\"/orders/1\"}");
	free(loc);
	free(r);

	/* no params at all */
	g.state_params = NULL;
	r = respond_g("4.0", resp, &g, 0, 1);
	ck_assert_str_eq(body_of(r), "{\"id\":1,\"link\":\"/orders/1\"}");
	free(r);
	cJSON_Delete(params);
}
END_TEST

START_TEST(test_mock_server_url)
{
	struct stub_gen g = gen_on(1);
	const char *resp =
		"{'status': 201, 'headers': {'Location': "
		"'http://localhost:1234/orders/1'}, 'body': {'self': "
		"'http://example.com/a/b?c=1'}, 'generators': {'header': "
		"{'Location': {'type': 'MockServerURL', 'regex': "
		"'.*(/orders/\\\\d+)$', 'example': "
		"'http://localhost:1234/orders/1'}}, 'body': {'$.self': "
		"{'type': 'MockServerURL', 'example': "
		"'http://example.com/a/b?c=1'}}}}";
	char *r, *loc;
	g.base_url = "http://127.0.0.1:9999/";
	r = respond_g("4.0", resp, &g, 0, 1);
	loc = header_of(r, "Location");
	ck_assert_str_eq(loc, "http://127.0.0.1:9999/orders/1");
	ck_assert_str_eq(body_of(r),
			 "{\"self\":\"http://127.0.0.1:9999/a/b?c=1\"}");
	free(loc);
	free(r);
}
END_TEST

START_TEST(test_date_formats)
{
	struct stub_gen g = gen_on(1);
	char *r = respond_g(
		"3.0.0",
		"{'status': 200, 'body': {'d': '2000-01-01', 't': 'x', "
		"'dt': 'x', 'web': 'x', 'tomorrow': 'x'}, 'generators': "
		"{'body': {'$.d': {'type': 'Date', 'format': 'yyyy-MM-dd'}, "
		"'$.t': {'type': 'Time'}, '$.dt': {'type': 'DateTime'}, "
		"'$.web': {'type': 'DateTime', 'format': "
		"'EEE, dd MMM yyyy HH:mm:ss z'}, '$.tomorrow': {'type': "
		"'Date', 'expression': 'today + 1 day'}}}}",
		&g, 0, 1);
	cJSON *v = body_json(r);
	const char *d = cJSON_GetObjectItem(v, "d")->valuestring;
	ck_assert_uint_eq(strlen(d), 10);
	ck_assert(pcre_full_match("(19|20|21)\\d\\d-(0[1-9]|1[0-2])-"
				  "(0[1-9]|[12]\\d|3[01])",
				  d));
	ck_assert_str_ne(d, "2000-01-01");
	ck_assert(pcre_full_match("([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d",
				  cJSON_GetObjectItem(v, "t")->valuestring));
	ck_assert(pcre_full_match("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:"
				  "\\d\\d\\.\\d{3}Z",
				  cJSON_GetObjectItem(v, "dt")->valuestring));
	ck_assert(pcre_full_match("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d "
				  "[A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d "
				  "UTC",
				  cJSON_GetObjectItem(v, "web")->valuestring));
	ck_assert(pcre_full_match(
		"\\d{4}-\\d\\d-\\d\\d",
		cJSON_GetObjectItem(v, "tomorrow")->valuestring));
	ck_assert_str_ne(cJSON_GetObjectItem(v, "tomorrow")->valuestring, d);
	cJSON_Delete(v);
	free(r);
}
END_TEST

START_TEST(test_other_generators)
{
	struct stub_gen g = gen_on(9);
	char *r = respond_g(
		"3.0.0",
		"{'status': 200, 'body': {'dec': 1.5, 'hex': 'x', 's': 'x', "
		"'b': false, 'sb': 'x', 'si': 'x'}, 'generators': {'body': "
		"{'$.dec': {'type': 'RandomDecimal', 'digits': 6}, "
		"'$.hex': {'type': 'RandomHexadecimal', 'digits': 12}, "
		"'$.s': {'type': 'RandomString', 'size': 5}, "
		"'$.b': {'type': 'RandomBoolean'}, "
		"'$.sb': {'type': 'RandomBoolean'}, "
		"'$.si': {'type': 'RandomInt', 'min': 1, 'max': 3}}}}",
		&g, 0, 1);
	cJSON *v = body_json(r), *dec = cJSON_GetObjectItem(v, "dec");
	ck_assert(cJSON_IsNumber(dec));
	ck_assert(pcre_full_match("(0|[1-9]\\d*)\\.\\d+", dec->valuestring));
	ck_assert_uint_eq(strlen(dec->valuestring), 7);
	ck_assert(pcre_full_match("[0-9a-f]{12}",
				  cJSON_GetObjectItem(v, "hex")->valuestring));
	ck_assert(pcre_full_match("[A-Za-z0-9]{5}",
				  cJSON_GetObjectItem(v, "s")->valuestring));
	ck_assert(cJSON_IsBool(cJSON_GetObjectItem(v, "b")));
	ck_assert(pcre_full_match("true|false",
				  cJSON_GetObjectItem(v, "sb")->valuestring));
	ck_assert(pcre_full_match("[123]",
				  cJSON_GetObjectItem(v, "si")->valuestring));
	cJSON_Delete(v);
	free(r);
}
END_TEST

START_TEST(test_status_generator)
{
	struct stub_gen g = gen_on(4);
	char *r = respond_g("4.0",
			    "{'status': 200, 'generators': {'status': "
			    "{'type': 'RandomInt', 'min': 500, 'max': 503}}}",
			    &g, 0, 1);
	ck_assert(pcre_full_match("HTTP/1\\.1 50[0-3] [A-Za-z ]+\\r\\n"
				  "Content-Length: 0\\r\\n\\r\\n",
				  r));
	free(r);
}
END_TEST

START_TEST(test_generators_off)
{
	struct stub_gen g = gen_on(1);
	const char *resp = "{'status': 200, 'headers': {'X': 'h'}, 'body': "
			   "{'id': 5}, 'generators': {'body': {'$.id': "
			   "{'type': 'RandomInt', 'min': 10, 'max': 20}}, "
			   "'header': {'X': {'type': 'Uuid'}}}}";
	char *r, *base;
	g.enabled = 0;
	r = respond_g("3.0.0", resp, &g, 0, 1);
	base = respond_g("3.0.0", resp, NULL, 0, 1);
	ck_assert_str_eq(r, base);
	ck_assert_str_eq(body_of(r), "{\"id\":5}");
	ck_assert(strstr(r, "\r\nX: h\r\n") != NULL);
	free(r);
	free(base);
}
END_TEST

START_TEST(test_unknown_generator_fails)
{
	struct contract *c = read_response(
		"3.0.0", "{'status': 200, 'body': {'id': 5}, 'generators': "
			 "{'body': {'$.id': {'type': 'RandomInt'}}}}");
	cJSON *gen = cJSON_GetObjectItem(
		cJSON_GetObjectItem(c->ix[0].response.generators, "body"),
		"$.id");
	struct stub_gen g = gen_on(1);
	struct buf out;
	struct err e;
	cJSON_ReplaceItemInObject(gen, "type", cJSON_CreateString("Bogus"));
	buf_init(&out, 0);
	err_clear(&e);
	ck_assert_int_eq(stub_respond(&c->ix[0], &g, 0, 1, &out, &e), -1);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_msg(strstr(e.msg, "'Bogus'") != NULL, "msg: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "$.id") != NULL, "msg: %s", e.msg);
	/* switched off, the same contract answers with its example */
	g.enabled = 0;
	err_clear(&e);
	ck_assert_int_eq(stub_respond(&c->ix[0], &g, 0, 1, &out, &e), 0);
	ck_assert_str_eq(body_of(out.ptr), "{\"id\":5}");
	buf_release(&out);
	contract_free(c);
}
END_TEST

START_TEST(test_bad_generator_parameters_fail)
{
	struct contract *c = read_response(
		"3.0.0", "{'status': 200, 'body': {'id': 5}, 'generators': "
			 "{'body': {'$.id': {'type': 'RandomInt', 'min': 9, "
			 "'max': 1}}}}");
	struct stub_gen g = gen_on(1);
	struct buf out;
	struct err e;
	buf_init(&out, 0);
	err_clear(&e);
	ck_assert_int_eq(stub_respond(&c->ix[0], &g, 0, 1, &out, &e), -1);
	ck_assert_msg(strstr(e.msg, "min") != NULL, "msg: %s", e.msg);
	buf_release(&out);
	contract_free(c);
}
END_TEST

static Suite *respond_suite(void)
{
	Suite *s = suite_create("respond");
	TCase *tr = tcase_create("responses");
	TCase *tg = tcase_create("generators");

	tcase_add_test(tr, test_simple_v3_bytes);
	tcase_add_test(tr, test_default_status_and_derived_type);
	tcase_add_test(tr, test_no_body);
	tcase_add_test(tr, test_head_has_length_no_body);
	tcase_add_test(tr, test_connection_close);
	tcase_add_test(tr, test_framing_headers_dropped);
	tcase_add_test(tr, test_v4_base64_body);
	tcase_add_test(tr, test_v4_json_encoded_and_typed_bodies);
	tcase_add_test(tr, test_v4_header_lists);
	tcase_add_test(tr, test_text_body_raw);
	tcase_add_test(tr, test_204_no_body);
	tcase_add_test(tr, test_number_literal_kept);
	tcase_add_test(tr, test_string_escapes);
	tcase_add_test(tr, test_header_value_sanitised);
	tcase_add_test(tr, test_respond_json_and_text);
	tcase_add_test(tr, test_output_limit);
	tcase_add_test(tr, test_reasons);
	suite_add_tcase(s, tr);

	tcase_add_test(tg, test_random_int_range_and_seed);
	tcase_add_test(tg, test_random_int_spread);
	tcase_add_test(tg, test_uuid_formats);
	tcase_add_test(tg, test_regex_generator_matches);
	tcase_add_test(tg, test_regex_unsupported_keeps_example);
	tcase_add_test(tg, test_provider_state);
	tcase_add_test(tg, test_mock_server_url);
	tcase_add_test(tg, test_date_formats);
	tcase_add_test(tg, test_other_generators);
	tcase_add_test(tg, test_status_generator);
	tcase_add_test(tg, test_generators_off);
	tcase_add_test(tg, test_unknown_generator_fails);
	tcase_add_test(tg, test_bad_generator_parameters_fail);
	suite_add_tcase(s, tg);
	return s;
}

int main(void)
{
	return check_run(respond_suite());
}
