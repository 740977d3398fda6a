/*
 * test_generate.c: unit tests for the generator API of contracts/
 * (generate.c) as the verifier uses it: ProviderState values in paths,
 * headers, query values and bodies, provider vs consumer mode for
 * MockServerURL, and the bytes bodies are sent as (body_encode). The
 * generators' own behaviour through the stub is covered by test_respond.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "contracts/contracts.h"
#include "tests/unit/check_main.h"

static cJSON *parse(const char *s)
{
	cJSON *v = cJSON_Parse(s);
	ck_assert_msg(v != NULL, "bad test JSON: %s", s);
	return v;
}

START_TEST(test_path_provider_state)
{
	cJSON *cat = parse("{\"dataType\":\"STRING\",\"expression\":"
			   "\"/orders/${id}\",\"type\":\"ProviderState\"}");
	cJSON *params = parse("{\"id\": 42}");
	struct gen_opts o = { params, 1, NULL, GEN_PROVIDER };
	struct err e;
	char *out = NULL;
	err_clear(&e);
	ck_assert_int_eq(gen_path(cat, "/orders/1", &out, &o, &e), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "/orders/42");
	free(out);
	/* a missing key keeps the example */
	o.state_params = NULL;
	ck_assert_int_eq(gen_path(cat, "/orders/1", &out, &o, &e), 0);
	ck_assert_ptr_null(out);
	cJSON_Delete(cat);
	cJSON_Delete(params);
}
END_TEST

START_TEST(test_fields_header_nocase_query_exact)
{
	cJSON *gens = parse("{\"header\":{\"x-id\":{\"type\":\"ProviderState\","
			    "\"expression\":\"${token}\"}},"
			    "\"query\":{\"q\":{\"type\":\"ProviderState\","
			    "\"expression\":\"${token}\"}}}");
	cJSON *params = parse("{\"token\": \"abc\"}");
	struct gen_opts o = { params, 1, NULL, GEN_PROVIDER };
	struct gen_field h[2] = { { "X-Id", "old", NULL },
				  { "Other", "same", NULL } };
	struct gen_field q[2] = { { "Q", "old", NULL }, { "q", "old", NULL } };
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(gen_fields(gen_category(gens, "header"), "header", h,
				    2, &o, &e),
			 0);
	ck_assert_str_eq(h[0].value, "abc");
	ck_assert_str_eq(h[1].value, "same");
	ck_assert_ptr_null(h[1].generated);
	ck_assert_int_eq(
		gen_fields(gen_category(gens, "query"), "query", q, 2, &o, &e),
		0);
	ck_assert_str_eq(q[0].value, "old");
	ck_assert_str_eq(q[1].value, "abc");
	free(h[0].generated);
	free(q[1].generated);
	cJSON_Delete(gens);
	cJSON_Delete(params);
}
END_TEST

START_TEST(test_mock_url_only_in_consumer_mode)
{
	cJSON *cat = parse("{\"$.link\":{\"type\":\"MockServerURL\","
			   "\"example\":\"http://x/orders/1\","
			   "\"regex\":\".*(/orders/\\\\d+)$\"}}");
	cJSON *tree = parse("{\"link\":\"http://x/orders/1\"}");
	struct gen_opts o = { NULL, 1, "http://127.0.0.1:9", GEN_PROVIDER };
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(gen_tree(cat, &tree, &o, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(tree, "link")->valuestring,
			 "http://x/orders/1");
	o.mode = GEN_CONSUMER;
	ck_assert_int_eq(gen_tree(cat, &tree, &o, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(tree, "link")->valuestring,
			 "http://127.0.0.1:9/orders/1");
	cJSON_Delete(cat);
	cJSON_Delete(tree);
}
END_TEST

/*
 * The random generators' output for a seed is pinned: a user replays a
 * run with its seed, and the draws come from common/hash.h.
 */
START_TEST(test_seeded_output_pinned)
{
	cJSON *cat = parse(
		"{\"$.i\":{\"type\":\"RandomInt\",\"min\":0,"
		"\"max\":1000000},"
		"\"$.s\":{\"type\":\"RandomString\",\"size\":12},"
		"\"$.h\":{\"type\":\"RandomHexadecimal\",\"digits\":10},"
		"\"$.r\":{\"type\":\"Regex\",\"regex\":\"[A-Z]{3}-\\\\d{4}\"},"
		"\"$.u\":{\"type\":\"Uuid\"}}");
	cJSON *tree = parse("{\"i\":1,\"s\":\"x\",\"h\":\"x\","
			    "\"r\":\"x\",\"u\":\"x\"}");
	struct gen_opts o = { NULL, 42, NULL, GEN_PROVIDER };
	struct err e;
	char *got;
	err_clear(&e);
	ck_assert_int_eq(gen_tree(cat, &tree, &o, &e), 0);
	got = cJSON_PrintUnformatted(tree);
	ck_assert_str_eq(got,
			 "{\"i\":309281,\"s\":\"gwaYrNkUHQvu\","
			 "\"h\":\"2b053b48a1\",\"r\":\"ABU-3694\","
			 "\"u\":\"97906d7b-0209-4822-bd0c-b4a6bb4036df\"}");
	cJSON_free(got);
	cJSON_Delete(cat);
	cJSON_Delete(tree);
}
END_TEST

START_TEST(test_body_provider_state_number)
{
	cJSON *cat = parse("{\"$.id\":{\"type\":\"ProviderState\","
			   "\"expression\":\"${id}\"}}");
	cJSON *params = parse("{\"id\": \"77\"}");
	struct gen_opts o = { params, 1, NULL, GEN_PROVIDER };
	struct body b;
	struct buf tmp;
	struct body_out bo;
	cJSON *out = NULL;
	struct err e;
	int parsed = 0;
	memset(&b, 0, sizeof(b));
	b.present = 1;
	b.json = parse("{\"id\": 1, \"name\": \"n\"}");
	err_clear(&e);
	ck_assert_int_eq(gen_body(cat, &b, &o, &out, &parsed, &e), 0);
	ck_assert_ptr_nonnull(out);
	buf_init(&tmp, 0);
	ck_assert_int_eq(body_encode(&b, out, parsed, NULL, &tmp, &bo, &e), 0);
	/* a numeric example stays a number */
	ck_assert_int_eq((int)bo.len,
			 (int)strlen("{\"id\":77,\"name\":\"n\"}"));
	ck_assert(!memcmp(bo.p, "{\"id\":77,\"name\":\"n\"}", bo.len));
	ck_assert_str_eq(bo.ct, "application/json");
	buf_release(&tmp);
	cJSON_Delete(out);
	cJSON_Delete(b.json);
	cJSON_Delete(cat);
	cJSON_Delete(params);
}
END_TEST

START_TEST(test_body_encode_base64_and_text)
{
	struct body b;
	struct buf tmp;
	struct body_out bo;
	struct err e;
	memset(&b, 0, sizeof(b));
	b.present = 1;
	b.wrapped = 1;
	b.json = cJSON_CreateString("aGVsbG8=");
	b.encoded = cJSON_CreateString("base64");
	b.content_type = xstrdup("text/plain");
	buf_init(&tmp, 0);
	err_clear(&e);
	ck_assert_int_eq(body_encode(&b, b.json, 0, NULL, &tmp, &bo, &e), 0);
	ck_assert_int_eq((int)bo.len, 5);
	ck_assert(!memcmp(bo.p, "hello", 5));
	ck_assert_str_eq(bo.ct, "text/plain");
	cJSON_Delete(b.json);
	b.json = cJSON_CreateString("not base64!");
	buf_reset(&tmp);
	ck_assert_int_eq(body_encode(&b, b.json, 0, NULL, &tmp, &bo, &e), -1);
	buf_release(&tmp);
	cJSON_Delete(b.json);
	cJSON_Delete(b.encoded);
	free(b.content_type);
}
END_TEST

static Suite *generate_suite(void)
{
	Suite *s = suite_create("generate");
	TCase *t = tcase_create("api");
	tcase_add_test(t, test_path_provider_state);
	tcase_add_test(t, test_fields_header_nocase_query_exact);
	tcase_add_test(t, test_mock_url_only_in_consumer_mode);
	tcase_add_test(t, test_seeded_output_pinned);
	tcase_add_test(t, test_body_provider_state_number);
	tcase_add_test(t, test_body_encode_base64_and_text);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return check_run(generate_suite());
}
