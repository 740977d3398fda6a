/*
 * test_record.c: unit tests for what accord record keeps of the exchanges
 * it forwards (stubserver/record.c): secrets redacted (Authorization,
 * Cookie, Set-Cookie, Proxy-Authorization and --redact, in any case, each
 * once), headers of one connection or one moment dropped, identical
 * exchanges kept once (whatever the order of members and headers), a
 * description taken by another exchange numbered " (2)", " (3)", ...,
 * provider states part of an interaction's identity, descriptions from
 * X-Accord-Description or the --describe template, bodies as JSON, text or
 * base64, and the latency profile.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/internal.h"
#include "tests/unit/check_main.h"

static const struct stub_field req_h[] = {
	{ "Accept", "application/json" },
	{ "Authorization", "Bearer secret-1" },
	{ "User-Agent", "curl/8" },
	{ "X-Api-Key", "secret-2" },
	{ "Host", "example" },
};
static const struct stub_field resp_h[] = {
	{ "Content-Type", "application/json" },
	{ "Date", "Mon, 01 Jan 2024 00:00:00 GMT" },
	{ "Set-Cookie", "sid=secret-3" },
	{ "X-Cache", "MISS" },
};

static void exchange(struct stub_exchange *x, const char *target, int status,
		     const char *body)
{
	memset(x, 0, sizeof(*x));
	x->method = "GET";
	x->target = target;
	x->req_headers = req_h;
	x->nreq_headers = sizeof(req_h) / sizeof(req_h[0]);
	x->status = status;
	x->resp_headers = resp_h;
	x->nresp_headers = sizeof(resp_h) / sizeof(resp_h[0]);
	x->resp_body = body;
	x->resp_len = strlen(body);
	x->ms = 10;
}

static struct stub_recorder *recorder(int generalize)
{
	static const char *const more[] = { "x-api-key" };
	struct stub_record_opts o;
	memset(&o, 0, sizeof(o));
	o.consumer = "web";
	o.provider = "api";
	o.generalize = generalize;
	o.redact = more;
	o.nredact = 1;
	return stub_recorder_new(&o);
}

/* The recording as v4 JSON text. */
static char *recorded_text(struct stub_recorder *r)
{
	struct err e;
	struct contract *c;
	struct buf b;
	err_clear(&e);
	c = stub_recorder_contract(r, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	buf_init(&b, 0);
	ck_assert_int_eq(contract_write_json(c, SPEC_V4, &b, &e), 0);
	contract_free(c);
	return buf_detach(&b, NULL);
}

START_TEST(recorder_redacts_and_drops)
{
	struct stub_recorder *r = recorder(0);
	struct stub_exchange x;
	char *t;
	exchange(&x, "/a?q=1&q=2", 200, "{\"id\":1}");
	stub_recorder_add(r, &x, NULL);
	t = recorded_text(r);
	ck_assert_ptr_null(strstr(t, "secret-"));
	ck_assert_ptr_null(strstr(t, "User-Agent"));
	ck_assert_ptr_null(strstr(t, "\"Host\""));
	ck_assert_ptr_null(strstr(t, "\"Date\""));
	ck_assert_ptr_nonnull(strstr(t, "\"X-Cache\""));
	ck_assert_ptr_nonnull(strstr(t, "\"Set-Cookie\""));
	ck_assert_ptr_nonnull(strstr(t, "\"X-Api-Key\""));
	ck_assert_ptr_nonnull(strstr(t, "\"REDACTED\""));
	ck_assert_ptr_nonnull(strstr(t, "\"regex\": \".+\""));
	ck_assert_ptr_nonnull(strstr(t, "\"description\": \"GET /a\""));
	ck_assert_ptr_nonnull(strstr(t, "\"q\": [\n"));
	free(t);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_deduplicates_and_numbers_descriptions)
{
	struct stub_recorder *r = recorder(0);
	struct stub_exchange x;
	cJSON *lat;
	char *t;
	exchange(&x, "/a", 200, "{\"id\":1}");
	stub_recorder_add(r, &x, NULL);
	x.ms = 30;
	stub_recorder_add(r, &x, NULL); /* identical */
	ck_assert_uint_eq(stub_recorder_count(r), 1);
	exchange(&x, "/a", 404, "{}"); /* same request, another answer */
	stub_recorder_add(r, &x, NULL);
	ck_assert_uint_eq(stub_recorder_count(r), 2);
	t = recorded_text(r);
	ck_assert_ptr_nonnull(strstr(t, "\"description\": \"GET /a (2)\""));
	free(t);
	lat = stub_recorder_latency(r);
	t = cJSON_PrintUnformatted(lat);
	ck_assert_ptr_nonnull(strstr(t, "\"description\":\"^GET /a$\""));
	ck_assert_ptr_nonnull(
		strstr(t, "\"percentiles\":{\"p50\":\"20.000ms\""));
	ck_assert_ptr_nonnull(
		strstr(t, "\"description\":\"^GET /a \\\\(2\\\\)$\""));
	ck_assert_ptr_nonnull(strstr(t, "\"fixed\":\"10.000ms\""));
	cJSON_free(t);
	cJSON_Delete(lat);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_states_part_of_identity)
{
	struct stub_recorder *r = recorder(0);
	struct stub_exchange x;
	struct buf d;
	cJSON *st = cJSON_Parse("[{\"name\":\"user 7 exists\","
				"\"params\":{\"id\":7}}]");
	char *t;
	buf_init(&d, 0);
	exchange(&x, "/a", 200, "{\"id\":1}");
	stub_recorder_add(r, &x, &d);
	ck_assert_str_eq(d.ptr, "GET /a");
	x.states = st; /* the same exchange under a state: another */
	buf_reset(&d);
	stub_recorder_add(r, &x, &d);
	ck_assert_str_eq(d.ptr, "GET /a"); /* description + states differ */
	stub_recorder_add(r, &x, NULL);	   /* identical, states too */
	ck_assert_uint_eq(stub_recorder_count(r), 2);
	exchange(&x, "/a", 404, "{}");
	x.states = st; /* another answer under the same state */
	buf_reset(&d);
	stub_recorder_add(r, &x, &d);
	ck_assert_str_eq(d.ptr, "GET /a (2)");
	ck_assert_uint_eq(stub_recorder_count(r), 3);
	t = recorded_text(r);
	ck_assert_ptr_nonnull(strstr(t, "\"name\": \"user 7 exists\""));
	ck_assert_ptr_nonnull(strstr(t, "\"id\": 7"));
	free(t);
	buf_release(&d);
	cJSON_Delete(st);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_deduplicates_whatever_the_order)
{
	/* the same headers and body members in another order: the same
	 * exchange; a body one number apart: another */
	static const struct stub_field resp_rev[] = {
		{ "X-Cache", "MISS" },
		{ "Set-Cookie", "sid=secret-3" },
		{ "Content-Type", "application/json" },
	};
	struct stub_recorder *r = recorder(0);
	struct stub_exchange x;
	struct buf d;
	exchange(&x, "/a", 200, "{\"id\":1,\"tags\":[\"x\",\"y\"]}");
	stub_recorder_add(r, &x, NULL);
	exchange(&x, "/a", 200, "{\"tags\":[\"x\",\"y\"],\"id\":1}");
	x.resp_headers = resp_rev;
	x.nresp_headers = 3;
	stub_recorder_add(r, &x, NULL);
	ck_assert_uint_eq(stub_recorder_count(r), 1);
	exchange(&x, "/a", 200, "{\"tags\":[\"y\",\"x\"],\"id\":1}");
	stub_recorder_add(r, &x, NULL); /* array order counts */
	ck_assert_uint_eq(stub_recorder_count(r), 2);
	exchange(&x, "/a", 200, "{\"id\":2,\"tags\":[\"x\",\"y\"]}");
	buf_init(&d, 0);
	stub_recorder_add(r, &x, &d);
	ck_assert_uint_eq(stub_recorder_count(r), 3);
	ck_assert_str_eq(d.ptr, "GET /a (3)"); /* numbered in turn */
	exchange(&x, "/b", 200, "{}");
	x.description = "GET /a (4)"; /* a number taken by hand */
	stub_recorder_add(r, &x, NULL);
	exchange(&x, "/a", 200, "{\"id\":3}");
	buf_reset(&d);
	stub_recorder_add(r, &x, &d);
	ck_assert_str_eq(d.ptr, "GET /a (5)");
	buf_release(&d);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_generalizes_only_what_is_one_kind)
{
	static const struct stub_field hs[] = {
		{ "X-Trace", "7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a01" },
		{ "X-Multi", "7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a01" },
		{ "X-Multi", "plain" },
	};
	struct stub_recorder *r = recorder(1);
	struct stub_exchange x;
	cJSON *doc, *req, *rules;
	char *t;
	exchange(&x,
		 "/q?d=2024-05-01&m=2024-05-01&"
		 "m=7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a01&u=x",
		 200, "{}");
	x.req_headers = hs;
	x.nreq_headers = 3;
	stub_recorder_add(r, &x, NULL);
	t = recorded_text(r);
	doc = cJSON_Parse(t);
	req = cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "interactions"), 0),
		"request");
	rules = cJSON_GetObjectItem(req, "matchingRules");
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(
		cJSON_GetObjectItem(rules, "header"), "X-Trace"));
	/* twice, the second not a UUID: literal */
	ck_assert_ptr_null(cJSON_GetObjectItem(
		cJSON_GetObjectItem(rules, "header"), "X-Multi"));
	ck_assert_ptr_nonnull(
		cJSON_GetObjectItem(cJSON_GetObjectItem(rules, "query"), "d"));
	/* a date and a UUID: no one matcher fits both */
	ck_assert_ptr_null(
		cJSON_GetObjectItem(cJSON_GetObjectItem(rules, "query"), "m"));
	ck_assert_ptr_null(
		cJSON_GetObjectItem(cJSON_GetObjectItem(rules, "query"), "u"));
	cJSON_Delete(doc);
	free(t);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_latency_samples_bounded_and_fair)
{
	/* 20,000 observations: the first half 1 ms, the second 100 ms; the
	 * kept samples (at most 10,000) must represent both halves */
	struct stub_recorder *r = recorder(0);
	struct stub_exchange x;
	cJSON *lat;
	char *t;
	int i;
	exchange(&x, "/a", 200, "{}");
	for (i = 0; i < 20000; i++) {
		x.ms = i < 10000 ? 1 : 100;
		stub_recorder_add(r, &x, NULL);
	}
	ck_assert_uint_eq(stub_recorder_count(r), 1);
	lat = stub_recorder_latency(r);
	t = cJSON_PrintUnformatted(lat);
	ck_assert_msg(strstr(t, "\"p95\":\"100.000ms\"") != NULL, "%s", t);
	cJSON_free(t);
	cJSON_Delete(lat);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_bodies_json_text_binary)
{
	struct stub_recorder *r = recorder(1);
	struct stub_exchange x;
	static const char bin[] = { 'a', (char)0xff, (char)0xfe, 0, 'b' };
	char *t;
	exchange(&x, "/json", 200, "{\"n\":1,\"when\":\"2024-01-02\"}");
	stub_recorder_add(r, &x, NULL);
	exchange(&x, "/text", 200, "caf\xc3\xa9");
	x.nresp_headers = 0;
	stub_recorder_add(r, &x, NULL);
	exchange(&x, "/bin", 200, "");
	x.nresp_headers = 0;
	x.resp_body = bin;
	x.resp_len = sizeof(bin);
	stub_recorder_add(r, &x, NULL);
	exchange(&x, "/bad-utf8", 200, "caf\xc3");
	x.nresp_headers = 0;
	stub_recorder_add(r, &x, NULL);
	t = recorded_text(r);
	ck_assert_ptr_nonnull(strstr(t, "\"$.n\""));
	ck_assert_ptr_nonnull(strstr(t, "\"match\": \"date\""));
	ck_assert_ptr_nonnull(strstr(t, "\"content\": \"caf\xc3\xa9\""));
	ck_assert_ptr_nonnull(strstr(t, "\"content\": \"Yf/+AGI=\""));
	ck_assert_ptr_nonnull(strstr(t, "\"content\": \"Y2Fmww==\""));
	ck_assert_ptr_nonnull(strstr(t, "\"encoded\": \"base64\""));
	free(t);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_redacts_cookie_in_any_case_once)
{
	static const struct stub_field hs[] = {
		{ "cookie", "sid=secret-4" },
		{ "Cookie", "theme=secret-5" },
		{ "authorization", "Basic secret-6" },
		{ "Proxy-Authorization", "Basic secret-7" },
		{ "X-Other", "kept" },
	};
	struct stub_recorder *r = recorder(0);
	struct stub_exchange x;
	cJSON *doc, *req, *h, *rules;
	char *t;
	exchange(&x, "/a", 200, "{}");
	x.req_headers = hs;
	x.nreq_headers = sizeof(hs) / sizeof(hs[0]);
	stub_recorder_add(r, &x, NULL);
	t = recorded_text(r);
	ck_assert_ptr_null(strstr(t, "secret-"));
	doc = cJSON_Parse(t);
	req = cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "interactions"), 0),
		"request");
	h = cJSON_GetObjectItem(req, "headers");
	/* two Cookie headers: one REDACTED value, not two */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(h, "cookie")),
			 1);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(h, "cookie"), 0)
				 ->valuestring,
			 "REDACTED");
	ck_assert_str_eq(
		cJSON_GetArrayItem(cJSON_GetObjectItem(h, "authorization"), 0)
			->valuestring,
		"REDACTED");
	ck_assert_str_eq(
		cJSON_GetArrayItem(
			cJSON_GetObjectItem(h, "Proxy-Authorization"), 0)
			->valuestring,
		"REDACTED");
	ck_assert_str_eq(
		cJSON_GetArrayItem(cJSON_GetObjectItem(h, "X-Other"), 0)
			->valuestring,
		"kept");
	/* each redacted header asks only to be there */
	rules = cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(req, "matchingRules"),
				    "header"),
		"cookie");
	ck_assert_ptr_nonnull(rules);
	ck_assert_ptr_null(cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(req, "matchingRules"),
				    "header"),
		"X-Other"));
	cJSON_Delete(doc);
	free(t);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_drops_accord_headers)
{
	static const struct stub_field hs[] = {
		{ "X-Accord-State", "a user" },
		{ "X-Accord-Session", "run-1" },
		{ "X-Accord-Anything", "x" },
		{ "X-Accordion", "kept" },
	};
	struct stub_recorder *r = recorder(0);
	struct stub_exchange x;
	char *t;
	exchange(&x, "/a", 200, "{}");
	x.req_headers = hs;
	x.nreq_headers = sizeof(hs) / sizeof(hs[0]);
	stub_recorder_add(r, &x, NULL);
	t = recorded_text(r);
	ck_assert_ptr_null(strstr(t, "X-Accord-"));
	ck_assert_ptr_nonnull(strstr(t, "\"X-Accordion\""));
	free(t);
	stub_recorder_free(r);
}
END_TEST

START_TEST(recorder_descriptions_given_or_from_the_template)
{
	struct stub_record_opts o;
	struct stub_recorder *r;
	struct stub_exchange x;
	struct buf d;
	memset(&o, 0, sizeof(o));
	o.consumer = "web";
	o.provider = "api";
	o.describe = "{method} {path} ({query}) -> {status}";
	r = stub_recorder_new(&o);
	buf_init(&d, 0);
	exchange(&x, "/items/%7E1?page=2", 200, "{}");
	stub_recorder_add(r, &x, &d);
	ck_assert_str_eq(d.ptr, "GET /items/~1 (page=2) -> 200");
	exchange(&x, "/other", 404, "{}");
	x.description = "a missing item";
	buf_reset(&d);
	stub_recorder_add(r, &x, &d);
	ck_assert_str_eq(d.ptr, "a missing item");
	/* the same exchange again: counted, and told the kept description */
	exchange(&x, "/items/%7E1?page=2", 200, "{}");
	buf_reset(&d);
	stub_recorder_add(r, &x, &d);
	ck_assert_str_eq(d.ptr, "GET /items/~1 (page=2) -> 200");
	ck_assert_uint_eq(stub_recorder_count(r), 2);
	buf_release(&d);
	stub_recorder_free(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("record");
	TCase *t = tcase_create("recorder");
	tcase_add_test(t, recorder_redacts_and_drops);
	tcase_add_test(t, recorder_redacts_cookie_in_any_case_once);
	tcase_add_test(t, recorder_drops_accord_headers);
	tcase_add_test(t, recorder_deduplicates_and_numbers_descriptions);
	tcase_add_test(t, recorder_states_part_of_identity);
	tcase_add_test(t, recorder_deduplicates_whatever_the_order);
	tcase_add_test(t, recorder_descriptions_given_or_from_the_template);
	tcase_add_test(t, recorder_generalizes_only_what_is_one_kind);
	tcase_add_test(t, recorder_bodies_json_text_binary);
	tcase_add_test(t, recorder_latency_samples_bounded_and_fair);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return check_run(suite());
}
