/*
 * test_verifier.c: unit tests for the pure parts of verifier/: the request
 * built from a contract (encoding, generators in provider mode, extra
 * headers, v4 bodies) and the report writers (text, JSON, JUnit, HTML,
 * the line diff) on a hand-made run.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "verifier/verifier.h"

static struct contract *read_contract(const char *json)
{
	struct err e;
	struct contract *c;
	err_clear(&e);
	c = contract_read_json("t.json", json, strlen(json), &e);
	ck_assert_msg(c != NULL, "contract: %s %s", e.msg, e.pointer);
	return c;
}

static const char v4_http[] =
	"{\"consumer\":{\"name\":\"web\"},\"provider\":{\"name\":\"api\"},"
	"\"interactions\":[{\"type\":\"Synchronous/HTTP\","
	"\"description\":\"get <one> & \\\"two\\\"\","
	"\"providerStates\":[{\"name\":\"s\",\"params\":{\"id\":\"7\"}}],"
	"\"request\":{\"method\":\"POST\",\"path\":\"/items/1 a\","
	"\"query\":{\"q\":[\"a b\",\"c&d\"],\"n\":[\"1\"]},"
	"\"headers\":{\"Authorization\":[\"Bearer x\"],\"X-Multi\":[\"a\",\"b\"]},"
	"\"body\":{\"contentType\":\"text/plain\",\"encoded\":\"base64\","
	"\"content\":\"aGVsbG8=\"},"
	"\"generators\":{\"path\":{\"type\":\"ProviderState\","
	"\"expression\":\"/items/${id}\"},\"query\":{\"n\":{\"type\":"
	"\"ProviderState\",\"expression\":\"${id}\"}}}},"
	"\"response\":{\"status\":200,\"body\":{\"contentType\":"
	"\"application/json\",\"encoded\":false,\"content\":{\"a\":1,\"b\":[1,2]}}}}],"
	"\"metadata\":{\"pactSpecification\":{\"version\":\"4.0\"}}}";

START_TEST(test_encode)
{
	struct buf b;
	buf_init(&b, 0);
	verify_encode(&b, "/a b/c%d?e", 1);
	ck_assert_str_eq(b.ptr, "/a%20b/c%25d%3Fe");
	buf_reset(&b);
	verify_encode(&b, "a=b&c/d é", 0);
	ck_assert_str_eq(b.ptr, "a%3Db%26c%2Fd%20%C3%A9");
	buf_release(&b);
}
END_TEST

START_TEST(test_build_request_v4)
{
	struct contract *c = read_contract(v4_http);
	struct verify_request rq;
	const char *extra[] = { "authorization: Bearer other", "X-New: 1" };
	cJSON *values = cJSON_Parse("{\"id\":\"42\"}");
	const struct header *h;
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(verify_build_request(&c->ix[0], "http://h:1/base/",
					      values, extra, 2, 1, &rq, &e),
			 0);
	ck_assert_str_eq(rq.method, "POST");
	/* path from the state value, query encoded, n generated */
	ck_assert_str_eq(rq.url,
			 "http://h:1/base/items/42?q=a%20b&q=c%26d&n=42");
	/* the contract's Authorization replaced, whatever its case */
	h = headers_get(&rq.headers, "Authorization");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->name, "authorization");
	ck_assert_str_eq(h->values[0], "Bearer other");
	h = headers_get(&rq.headers, "X-Multi");
	ck_assert_int_eq((int)h->n, 2);
	ck_assert_str_eq(headers_get(&rq.headers, "X-New")->values[0], "1");
	/* base64 body decoded, its content type sent */
	ck_assert(rq.has_body);
	ck_assert_int_eq((int)rq.body.len, 5);
	ck_assert(!memcmp(rq.body.ptr, "hello", 5));
	ck_assert_str_eq(headers_get(&rq.headers, "Content-Type")->values[0],
			 "text/plain");
	verify_request_release(&rq);
	cJSON_Delete(values);
	contract_free(c);
}
END_TEST

START_TEST(test_build_request_v2_raw_query)
{
	static const char v2[] =
		"{\"consumer\":{\"name\":\"a\"},\"provider\":{\"name\":\"b\"},"
		"\"interactions\":[{\"description\":\"d\",\"request\":{"
		"\"method\":\"GET\",\"path\":\"/stock\","
		"\"query\":\"skus=BOO-0042%2cMUG-0007\"},"
		"\"response\":{\"status\":200}}],"
		"\"metadata\":{\"pactSpecification\":{\"version\":\"2.0.0\"}}}";
	struct contract *c = read_contract(v2);
	struct verify_request rq;
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(verify_build_request(&c->ix[0], "http://h:1", NULL,
					      NULL, 0, 1, &rq, &e),
			 0);
	ck_assert_str_eq(rq.url, "http://h:1/stock?skus=BOO-0042%2cMUG-0007");
	ck_assert(!rq.has_body);
	ck_assert_ptr_null(headers_get(&rq.headers, "Content-Type"));
	verify_request_release(&rq);
	contract_free(c);
}
END_TEST

/* A run of two results on the v4 contract: one pass, one failure. */
static void make_run(struct contract *c, struct verify_run *run)
{
	memset(run, 0, sizeof(*run));
	run->v = xcalloc(2, sizeof(*run->v));
	run->n = 2;
	run->v[0].contract = c;
	run->v[0].ix = &c->ix[0];
	run->v[0].verdict = VERIFY_PASS;
	mismatches_init(&run->v[0].mm);
	run->v[1].contract = c;
	run->v[1].ix = &c->ix[0];
	run->v[1].verdict = VERIFY_FAIL;
	mismatches_init(&run->v[1].mm);
	mismatches_add(&run->v[1].mm, "$.body.a", "1", "\"1\"",
		       "expected a number <&>");
	run->v[1].x.status = 200;
	run->v[1].x.resp_body = xstrdup("{\"a\":\"1\",\"b\":[1,2]}");
	run->v[1].x.resp_len = strlen(run->v[1].x.resp_body);
	run->passed = 1;
	run->failed = 1;
	run->ms = 12.5;
}

static void free_run(struct verify_run *run)
{
	size_t i;
	for (i = 0; i < run->n; i++) {
		mismatches_release(&run->v[i].mm);
		free(run->v[i].x.resp_body);
	}
	free(run->v);
}

START_TEST(test_report_json)
{
	struct contract *c = read_contract(v4_http);
	struct verify_run run;
	struct buf b;
	cJSON *doc, *ixs, *mm;
	make_run(c, &run);
	buf_init(&b, 0);
	report_json(&run, &b);
	doc = cJSON_Parse(b.ptr);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(cJSON_GetObjectItem(
				 cJSON_GetObjectItem(doc, "summary"), "failed")
				 ->valueint,
			 1);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(
		cJSON_GetObjectItem(doc, "summary"), "success")));
	ixs = cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "contracts"), 0),
		"interactions");
	ck_assert_int_eq(cJSON_GetArraySize(ixs), 2);
	ck_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetArrayItem(ixs, 1), "verdict")
			->valuestring,
		"failed");
	mm = cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetArrayItem(ixs, 1), "mismatches"),
		0);
	ck_assert_str_eq(cJSON_GetObjectItem(mm, "path")->valuestring,
			 "$.body.a");
	ck_assert_str_eq(cJSON_GetObjectItem(mm, "actual")->valuestring,
			 "\"1\"");
	cJSON_Delete(doc);
	buf_release(&b);
	free_run(&run);
	contract_free(c);
}
END_TEST

START_TEST(test_report_junit_escapes_and_counts)
{
	struct contract *c = read_contract(v4_http);
	struct verify_run run;
	struct buf b;
	make_run(c, &run);
	buf_init(&b, 0);
	report_junit(&run, &b);
	ck_assert(strstr(b.ptr,
			 "<testsuites name=\"accord verify\" tests=\"2\" "
			 "failures=\"1\" errors=\"0\"") != NULL);
	ck_assert(strstr(b.ptr, "<testsuite name=\"web -&gt; api\" tests=\"2\" "
				"failures=\"1\"") != NULL);
	ck_assert(strstr(b.ptr, "name=\"get &lt;one&gt; &amp; "
				"&quot;two&quot;\"") != NULL);
	ck_assert(strstr(b.ptr, "<failure message=\"1 mismatch\" "
				"type=\"mismatch\">") != NULL);
	ck_assert(strstr(b.ptr, "expected a number &lt;&amp;&gt;") != NULL);
	/* no raw markup from the data */
	ck_assert(strstr(b.ptr, "<one>") == NULL);
	buf_release(&b);
	free_run(&run);
	contract_free(c);
}
END_TEST

START_TEST(test_report_text_and_html)
{
	struct contract *c = read_contract(v4_http);
	struct verify_run run;
	struct buf b;
	make_run(c, &run);
	buf_init(&b, 0);
	report_text(&run, 0, 0, &b);
	ck_assert(strstr(b.ptr, "web -> api (t.json)\n") != NULL);
	ck_assert(strstr(b.ptr, "  ok    get <one>") != NULL);
	ck_assert(strstr(b.ptr, "  FAIL  get <one>") != NULL);
	ck_assert(strstr(b.ptr, "$.body.a: expected a number <&>\n"
				"          expected: 1\n"
				"          found:    \"1\"\n") != NULL);
	ck_assert(strstr(b.ptr, "-   \"a\": 1,\n") != NULL);
	ck_assert(strstr(b.ptr, "+   \"a\": \"1\",\n") != NULL);
	ck_assert(strstr(b.ptr,
			 "2 interactions: 1 passed, 1 failed in 0.01 s\n") !=
		  NULL);
	ck_assert(strchr(b.ptr, '\033') == NULL);
	buf_reset(&b);
	report_text(&run, 1, -1, &b);
	ck_assert(strstr(b.ptr, "ok    get") == NULL); /* quiet: no passes */
	ck_assert(strstr(b.ptr, "\033[31mFAIL ") != NULL);
	buf_reset(&b);
	report_html(&run, &b);
	ck_assert(!strncmp(b.ptr, "<!DOCTYPE html>", 15));
	ck_assert(strstr(b.ptr, "<script") == NULL);
	ck_assert(strstr(b.ptr, "get &lt;one&gt;") != NULL);
	ck_assert(strstr(b.ptr, "<details class=\"fail\" open>") != NULL);
	ck_assert(strstr(b.ptr, "<code>$.body.a</code>") != NULL);
	buf_release(&b);
	free_run(&run);
	contract_free(c);
}
END_TEST

/* What a provider sends cannot reach the terminal as control bytes. */
START_TEST(test_report_text_escapes_control_bytes)
{
	struct contract *c = read_contract(v4_http);
	struct verify_run run;
	struct buf b;
	make_run(c, &run);
	mismatches_add(&run.v[1].mm, "$.body.b", "x", "\033[2J\r\nok",
		       "found '\033]0;pwned\007' \302\233");
	free(run.v[1].x.resp_body);
	run.v[1].x.resp_body = xstrdup("{\"a\":\"\033[31m\"}");
	run.v[1].x.resp_len = strlen(run.v[1].x.resp_body);
	buf_init(&b, 0);
	report_text(&run, 0, 0, &b);
	ck_assert(strchr(b.ptr, '\033') == NULL);
	ck_assert(strchr(b.ptr, '\r') == NULL);
	ck_assert(strchr(b.ptr, '\007') == NULL);
	ck_assert(strstr(b.ptr, "\302\233") == NULL);
	ck_assert(strstr(b.ptr, "found:    \\x1b[2J\\r\\nok\n") != NULL);
	ck_assert(strstr(b.ptr, "found '\\x1b]0;pwned\\x07' \\u009b") != NULL);
	buf_release(&b);
	free_run(&run);
	contract_free(c);
}
END_TEST

START_TEST(test_junit_hostile_bytes)
{
	struct contract *c = read_contract(v4_http);
	struct verify_run run;
	struct buf b;
	make_run(c, &run);
	mismatches_add(&run.v[1].mm, "$.body.b", "\"x\"",
		       "\"\x01"
		       "bad \xff\xfe utf8 \xc3\xa9\"",
		       "value mismatch");
	buf_init(&b, 0);
	report_junit(&run, &b);
	/* control characters shown escaped, invalid UTF-8 replaced, valid
	 * UTF-8 kept */
	ck_assert(strstr(b.ptr, "&quot;\\x01bad ?? utf8 \xc3\xa9&quot;") !=
		  NULL);
	ck_assert(strchr(b.ptr, '\x01') == NULL);
	ck_assert(strchr(b.ptr, '\xff') == NULL);
	/* and the JSON report stays valid UTF-8 */
	buf_reset(&b);
	report_json(&run, &b);
	ck_assert(strchr(b.ptr, '\xff') == NULL);
	ck_assert(strstr(b.ptr, "utf8 \xc3\xa9") != NULL);
	buf_release(&b);
	free_run(&run);
	contract_free(c);
}
END_TEST

START_TEST(test_diff)
{
	struct buf b;
	buf_init(&b, 0);
	report_diff("a\nb\nc\nd\ne\nf\n", "a\nb\nX\nd\ne\nf\n", 100, &b);
	ck_assert_str_eq(b.ptr, "  b\n- c\n+ X\n  d\n  ...\n");
	buf_reset(&b);
	report_diff("same\n", "same\n", 100, &b);
	ck_assert_str_eq(b.ptr, "");
	buf_reset(&b);
	report_diff("", "new\n", 100, &b);
	ck_assert_str_eq(b.ptr, "+ new\n");
	buf_release(&b);
}
END_TEST

static Suite *verifier_suite(void)
{
	Suite *s = suite_create("verifier");
	TCase *t = tcase_create("request");
	TCase *r = tcase_create("report");
	tcase_add_test(t, test_encode);
	tcase_add_test(t, test_build_request_v4);
	tcase_add_test(t, test_build_request_v2_raw_query);
	suite_add_tcase(s, t);
	tcase_add_test(r, test_report_json);
	tcase_add_test(r, test_report_junit_escapes_and_counts);
	tcase_add_test(r, test_report_text_and_html);
	tcase_add_test(r, test_report_text_escapes_control_bytes);
	tcase_add_test(r, test_junit_hostile_bytes);
	tcase_add_test(r, test_diff);
	suite_add_tcase(s, r);
	return s;
}

int main(void)
{
	return check_run(verifier_suite());
}
