/*
 * test_diff.c: unit tests for contracts/insight/diff.c: matcher changes classified
 * as narrowed or widened, and breaking or compatible by side (response
 * and request mirror each other), pairing by description and provider
 * states (duplicates in file order), identical contracts, and contracts
 * between different services refused.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contracts/contracts.h"
#include "tests/unit/check_main.h"

/*
 * A v3 contract with one interaction. `where` is "response" or "request";
 * that part gets body {"x": value} and, when `matcher` is not NULL, the
 * rule $.x -> matcher (a JSON object).
 */
static struct contract *one(const char *where, const char *value,
			    const char *matcher)
{
	struct buf b, part;
	struct err e;
	struct contract *c;
	buf_init(&b, 0);
	buf_init(&part, 0);
	buf_addf(&part, "\"body\":{\"x\":%s}", value);
	if (matcher)
		buf_addf(
			&part,
			",\"matchingRules\":{\"body\":{\"$.x\":{\"matchers\":[%s]}}}",
			matcher);
	if (!strcmp(where, "response"))
		buf_addf(
			&b,
			"{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":\"p\"},"
			"\"interactions\":[{\"description\":\"d\","
			"\"request\":{\"method\":\"GET\",\"path\":\"/\"},"
			"\"response\":{\"status\":200,%s}}],"
			"\"metadata\":{\"pactSpecification\":{\"version\":\"3.0.0\"}}}",
			part.ptr);
	else
		buf_addf(
			&b,
			"{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":\"p\"},"
			"\"interactions\":[{\"description\":\"d\","
			"\"request\":{\"method\":\"POST\",\"path\":\"/\",%s},"
			"\"response\":{\"status\":200}}],"
			"\"metadata\":{\"pactSpecification\":{\"version\":\"3.0.0\"}}}",
			part.ptr);
	err_clear(&e);
	c = contract_read_json("t.json", b.ptr, b.len, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	buf_release(&part);
	buf_release(&b);
	return c;
}

struct width_case {
	const char *value_old, *old;
	const char *value_new, *new;
	const char *kind; /* NULL: no change */
};

/* Response side: narrowed breaks, widened is compatible. */
static const struct width_case cases[] = {
	{ "\"a\"", "{\"match\":\"type\"}", "\"a\"",
	  "{\"match\":\"regex\",\"regex\":\"a+\"}", "matcher-narrowed" },
	{ "\"a\"", "{\"match\":\"regex\",\"regex\":\"a+\"}", "\"a\"",
	  "{\"match\":\"type\"}", "matcher-widened" },
	{ "\"a\"", "{\"match\":\"regex\",\"regex\":\"a+\"}", "\"a\"",
	  "{\"match\":\"regex\",\"regex\":\"[ab]+\"}", "matcher-changed" },
	{ "\"a\"", "{\"match\":\"regex\",\"regex\":\"a+\"}", "\"a\"",
	  "{\"match\":\"regex\",\"regex\":\"a+\"}", NULL },
	{ "[1]", "{\"match\":\"type\",\"min\":1}", "[1,2]",
	  "{\"match\":\"type\",\"min\":2}", "matcher-narrowed" },
	{ "[1]", "{\"match\":\"type\",\"min\":1}", "[1]",
	  "{\"match\":\"type\",\"min\":0}", "matcher-widened" },
	{ "[1]", "{\"match\":\"type\",\"max\":5}", "[1]",
	  "{\"match\":\"type\",\"max\":3}", "matcher-narrowed" },
	{ "[1]", "{\"match\":\"type\",\"max\":5}", "[1]",
	  "{\"match\":\"type\"}", "matcher-widened" },
	{ "[1]", "{\"match\":\"type\",\"min\":1}", "[1]",
	  "{\"match\":\"type\",\"min\":1,\"max\":9}", "matcher-narrowed" },
	/* min raised and max raised: neither wider nor narrower */
	{ "[1,2]", "{\"match\":\"type\",\"min\":1,\"max\":5}", "[1,2]",
	  "{\"match\":\"type\",\"min\":2,\"max\":9}", "matcher-changed" },
	{ "1", "{\"match\":\"integer\"}", "1", "{\"match\":\"number\"}",
	  "matcher-widened" },
	{ "1", "{\"match\":\"number\"}", "1", "{\"match\":\"integer\"}",
	  "matcher-narrowed" },
	{ "1.5", "{\"match\":\"decimal\"}", "1.5", "{\"match\":\"number\"}",
	  "matcher-widened" },
	{ "1", "{\"match\":\"integer\"}", "1", "{\"match\":\"decimal\"}",
	  "matcher-changed" },
	{ "1", "{\"match\":\"type\"}", "1", "{\"match\":\"integer\"}",
	  "matcher-narrowed" },
	{ "\"2024-05-01\"", "{\"match\":\"date\",\"format\":\"yyyy-MM-dd\"}",
	  "\"2024-05-01\"", "{\"match\":\"date\",\"format\":\"yyyy-M-d\"}",
	  "matcher-changed" },
	/* a matcher added where the example had to be equal: widened */
	{ "1", NULL, "1", "{\"match\":\"integer\"}", "matcher-widened" },
	/* removed: the example must now be equal: narrowed */
	{ "1", "{\"match\":\"integer\"}", "1", NULL, "matcher-narrowed" },
	/* an example under a matcher is only an example */
	{ "1", "{\"match\":\"integer\"}", "2", "{\"match\":\"integer\"}",
	  NULL },
	{ "1", NULL, "2", NULL, "value-changed" },
	{ "1", "{\"match\":\"type\"}", "\"1\"", "{\"match\":\"type\"}",
	  "type-changed" },
};

static void run_case(const char *where, const struct width_case *t,
		     struct diff *d)
{
	struct contract *a = one(where, t->value_old, t->old);
	struct contract *b = one(where, t->value_new, t->new);
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(diff_contracts(a, b, d, &e), 0);
	contract_free(a);
	contract_free(b);
}

START_TEST(test_response_matchers)
{
	const struct width_case *t = &cases[_i];
	struct diff d;
	run_case("response", t, &d);
	if (!t->kind) {
		ck_assert_msg(d.n == 0, "case %d: expected no change", _i);
	} else {
		int breaking = strcmp(t->kind, "matcher-widened") != 0;
		ck_assert_msg(d.n == 1 && d.v[0].n == 1,
			      "case %d: expected one change", _i);
		ck_assert_str_eq(d.v[0].v[0].kind, t->kind);
		ck_assert_str_eq(d.v[0].v[0].path, "$.response.body.x");
		ck_assert_int_eq(d.v[0].v[0].cls,
				 breaking ? DIFF_BREAKING : DIFF_COMPATIBLE);
		ck_assert_uint_eq(d.breaking, (size_t)breaking);
	}
	diff_release(&d);
}
END_TEST

/* Request side: the mirror image for narrowed and widened. */
START_TEST(test_request_matchers)
{
	const struct width_case *t = &cases[_i];
	struct diff d;
	run_case("request", t, &d);
	if (!t->kind) {
		ck_assert_msg(d.n == 0, "case %d: expected no change", _i);
	} else {
		int compatible = !strcmp(t->kind, "matcher-narrowed");
		ck_assert_msg(d.n == 1 && d.v[0].n == 1,
			      "case %d: expected one change", _i);
		ck_assert_str_eq(d.v[0].v[0].kind, t->kind);
		ck_assert_str_eq(d.v[0].v[0].path, "$.request.body.x");
		ck_assert_int_eq(d.v[0].v[0].cls,
				 compatible ? DIFF_COMPATIBLE : DIFF_BREAKING);
	}
	diff_release(&d);
}
END_TEST

static struct contract *read_str(const char *s)
{
	struct err e;
	struct contract *c;
	err_clear(&e);
	c = contract_read_json("t.json", s, strlen(s), &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	return c;
}

#define IX(desc, state, status)                                                \
	"{\"description\":\"" desc "\",\"providerStates\":[{\"name\":\"" state \
	"\"}],\"request\":{\"method\":\"GET\",\"path\":\"/\"},"                \
	"\"response\":{\"status\":" status "}}"
#define PACT(ixs)                                                              \
	"{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":\"p\"},"        \
	"\"interactions\":[" ixs "],\"metadata\":{\"pactSpecification\":"      \
	"{\"version\":\"3.0.0\"}}}"

START_TEST(test_pairing)
{
	/* same description, other states: different interactions; two
	 * with one identity pair in file order */
	struct contract *a = read_str(
		PACT(IX("get", "s1", "200") "," IX("get", "s2", "200") "," IX(
			"dup", "s", "200") "," IX("dup", "s", "201")));
	struct contract *b = read_str(
		PACT(IX("dup", "s", "200") "," IX("dup", "s", "202") "," IX(
			"get", "s2", "200") "," IX("get", "s3", "200")));
	struct diff d;
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(diff_contracts(a, b, &d, &e), 0);
	ck_assert_uint_eq(d.n, 3);
	/* sorted by description, then states */
	ck_assert_str_eq(d.v[0].description, "dup");
	ck_assert_int_eq(d.v[0].status, DIFF_CHANGED);
	ck_assert_str_eq(d.v[0].v[0].kind, "status-changed");
	ck_assert_str_eq(d.v[0].v[0].message, "status changed from 201 to 202");
	ck_assert_str_eq(d.v[1].description, "get");
	ck_assert_str_eq(d.v[1].states[0], "s1");
	ck_assert_int_eq(d.v[1].status, DIFF_REMOVED);
	ck_assert_int_eq(d.v[1].cls, DIFF_COMPATIBLE);
	ck_assert_str_eq(d.v[2].states[0], "s3");
	ck_assert_int_eq(d.v[2].status, DIFF_ADDED);
	ck_assert_int_eq(d.v[2].cls, DIFF_BREAKING);
	ck_assert_uint_eq(d.added, 1);
	ck_assert_uint_eq(d.removed, 1);
	ck_assert_uint_eq(d.changed, 1);
	ck_assert_uint_eq(d.breaking, 2);
	ck_assert_uint_eq(d.compatible, 1);
	diff_release(&d);
	contract_free(a);
	contract_free(b);
}
END_TEST

START_TEST(test_identical_and_refused)
{
	struct contract *a = read_str(PACT(IX("get", "s1", "200")));
	struct contract *b = read_str(PACT(IX("get", "s1", "200")));
	struct contract *other = read_str(
		"{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":\"P\"},"
		"\"interactions\":[]}");
	struct diff d;
	struct buf out;
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(diff_contracts(a, b, &d, &e), 0);
	ck_assert_uint_eq(d.n, 0);
	buf_init(&out, 0);
	ck_assert_int_eq(diff_write(&d, DIFF_TEXT, &out, &e), 0);
	ck_assert_str_eq(out.ptr, "c -> p: no changes\n");
	buf_reset(&out);
	ck_assert_int_eq(diff_write(&d, DIFF_JSON, &out, &e), 0);
	ck_assert_ptr_nonnull(strstr(out.ptr, "\"breaking\": false"));
	buf_release(&out);
	diff_release(&d);
	ck_assert_int_eq(diff_contracts(a, other, &d, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	diff_release(&d);
	contract_free(a);
	contract_free(b);
	contract_free(other);
}
END_TEST

/* Found by fuzz_insight: JSON allows a name twice in one object. */
START_TEST(test_duplicate_keys_pair_in_order)
{
	static const char *doc =
		"{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":\"p\"},"
		"\"interactions\":[{\"description\":\"d\","
		"\"request\":{\"method\":\"GET\",\"path\":\"/\"},"
		"\"response\":{\"status\":200,"
		"\"body\":{\"k\":{\"x\":1},\"k\":false}}}],"
		"\"metadata\":{\"pactSpecification\":{\"version\":\"3.0.0\"}}}";
	struct contract *a = read_str(doc), *b = read_str(doc);
	struct diff d;
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(diff_contracts(a, b, &d, &e), 0);
	ck_assert_uint_eq(d.n, 0);
	diff_release(&d);
	contract_free(a);
	contract_free(b);
}
END_TEST

/* A v3 pact of one interaction with these request query and response
 * Content-Type (written as JSON text). */
static struct contract *header_pact(const char *query, const char *ct)
{
	struct buf b;
	struct contract *c;
	buf_init(&b, 0);
	buf_addf(&b,
		 "{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":"
		 "\"p\"},\"interactions\":[{\"description\":\"d\","
		 "\"request\":{\"method\":\"GET\",\"path\":\"/\","
		 "\"query\":{\"q\":[\"%s\"]}},"
		 "\"response\":{\"status\":200,\"headers\":"
		 "{\"Content-Type\":\"%s\"}}}],"
		 "\"metadata\":{\"pactSpecification\":{\"version\":"
		 "\"3.0.0\"}}}",
		 query, ct);
	c = read_str(b.ptr);
	buf_release(&b);
	return c;
}

START_TEST(test_header_and_query_values)
{
	/* Content-Type compares without blanks and case; a query value
	 * does not */
	struct contract *a = header_pact("x",
					 "application/json; charset=UTF-8");
	struct contract *b = header_pact("x", "Application/JSON;charset=utf-8");
	struct contract *q = header_pact("y", "text/plain");
	struct diff d;
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(diff_contracts(a, b, &d, &e), 0);
	ck_assert_uint_eq(d.n, 0);
	diff_release(&d);
	ck_assert_int_eq(diff_contracts(a, q, &d, &e), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_uint_eq(d.v[0].n, 2);
	ck_assert_str_eq(d.v[0].v[0].kind, "query-value-changed");
	ck_assert_str_eq(d.v[0].v[1].kind, "header-value-changed");
	diff_release(&d);
	contract_free(a);
	contract_free(b);
	contract_free(q);
}
END_TEST

static Suite *diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("diff");
	int n = (int)(sizeof(cases) / sizeof(cases[0]));
	tcase_add_loop_test(tc, test_response_matchers, 0, n);
	tcase_add_loop_test(tc, test_request_matchers, 0, n);
	tcase_add_test(tc, test_pairing);
	tcase_add_test(tc, test_identical_and_refused);
	tcase_add_test(tc, test_duplicate_keys_pair_in_order);
	tcase_add_test(tc, test_header_and_query_values);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(diff_suite());
}
