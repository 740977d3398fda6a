/*
 * test_match.c: unit tests for the matching engine (contracts/match/):
 * every matcher with one matching and one non-matching actual value,
 * rule selection (cascading, most specific path), request strictness,
 * headers, query, the body kinds (JSON, XML, form, text, binary), mismatch
 * reports, and a hostile regex that must stop at its limit.
 *
 * Cases go through match_parts() with parts laid out as in the Pact
 * specification's test cases, or through match_request()/match_response()
 * with actual bodies as raw bytes off the wire. JSON is written with ' in
 * place of " for readability; \' stands for a literal apostrophe.
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

/* Parses test notation with the library's parser (it keeps literals). */
static cJSON *J(const char *s)
{
	char *t = jtext(s);
	struct err e;
	cJSON *v;
	err_clear(&e);
	v = json_parse_text("test", t, strlen(t), &e);
	ck_assert_msg(v != NULL, "bad test JSON (%s): %s", e.msg, t);
	free(t);
	return v;
}

/* All mismatches as one line each, for failure messages. */
static void describe(const struct mismatches *m, struct buf *b)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		buf_addf(b, "\n    %s: %s", m->v[i].path, m->v[i].message);
}

/* Runs match_parts on two parts in test notation; asserts they read. */
static long run_opts(enum part_kind k, const struct match_opts *o,
		     const char *exp, const char *act, struct mismatches *m)
{
	cJSON *e = J(exp), *a = J(act);
	struct err err;
	long n;
	err_clear(&err);
	n = match_parts(k, e, a, o, m, &err);
	ck_assert_msg(n >= 0, "parts did not read: %s: %s", err.pointer,
		      err.msg);
	ck_assert_int_eq((long)(m->n + m->dropped), n);
	cJSON_Delete(e);
	cJSON_Delete(a);
	return n;
}

static long run(enum part_kind k, enum spec_version v, const char *exp,
		const char *act, struct mismatches *m)
{
	struct match_opts o = { v, 0, 0 };
	return run_opts(k, &o, exp, act, m);
}

/* Each case runs with rules found by scan and through the rule index
 * (ruleindex.c): both must give the verdict. */
static void expect_opts(int line, enum part_kind k, const struct match_opts *o,
			const char *exp, const char *act, int want)
{
	struct match_opts mo = *o;
	struct mismatches m;
	long n;
	for (mo.rule_index = -1; mo.rule_index <= 1; mo.rule_index += 2) {
		mismatches_init(&m);
		n = run_opts(k, &mo, exp, act, &m);
		if ((n == 0) != want) {
			struct buf b;
			buf_init(&b, 0);
			describe(&m, &b);
			ck_abort_msg("line %d: expected %s, got %ld "
				     "mismatch(es) (rule index %d)%s\n"
				     "  expected part: %s\n  actual part: %s",
				     line, want ? "a match" : "a mismatch", n,
				     mo.rule_index, b.ptr, exp, act);
		}
		mismatches_release(&m);
	}
}

static void expect(int line, enum part_kind k, enum spec_version v,
		   const char *exp, const char *act, int want)
{
	struct match_opts o = { v, 0, 0 };
	expect_opts(line, k, &o, exp, act, want);
}

#define MATCH(k, v, e, a) expect(__LINE__, k, v, e, a, 1)
#define NO_MATCH(k, v, e, a) expect(__LINE__, k, v, e, a, 0)

/*
 * A response body with v3/v4 body rules (`rules` is the object under
 * "body") against an actual body.
 */
static void body_case(int line, enum part_kind k, enum spec_version v,
		      const char *rules, const char *exp, const char *act,
		      int want)
{
	struct buf e, a;
	buf_init(&e, 0);
	buf_init(&a, 0);
	buf_addf(&e, "{'body': %s, 'matchingRules': {'body': %s}}", exp, rules);
	buf_addf(&a, "{'body': %s}", act);
	expect(line, k, v, e.ptr, a.ptr, want);
	buf_release(&e);
	buf_release(&a);
}

#define BODY_MATCH(v, rules, e, a)                                             \
	body_case(__LINE__, PART_RESPONSE, v, rules, e, a, 1)
#define BODY_NO_MATCH(v, rules, e, a)                                          \
	body_case(__LINE__, PART_RESPONSE, v, rules, e, a, 0)
#define REQ_BODY_MATCH(v, rules, e, a)                                         \
	body_case(__LINE__, PART_REQUEST, v, rules, e, a, 1)
#define REQ_BODY_NO_MATCH(v, rules, e, a)                                      \
	body_case(__LINE__, PART_REQUEST, v, rules, e, a, 0)

/* One rule of one or more matchers at `path` (string literals). */
#define RULE(path, matchers) "{'" path "': {'matchers': [" matchers "]}}"

#define V3 SPEC_V3
#define V4 SPEC_V4

/* ---- matchers ---- */

START_TEST(test_equality)
{
	/* no rule: equal values, same types */
	BODY_MATCH(V3, "{}", "{'a': 1, 'b': 'x'}", "{'a': 1, 'b': 'x'}");
	BODY_NO_MATCH(V3, "{}", "{'a': 1}", "{'a': 2}");
	BODY_NO_MATCH(V3, "{}", "{'a': 4}", "{'a': '4'}");
	BODY_NO_MATCH(V3, "{}", "{'a': '4'}", "{'a': 4}");
	BODY_NO_MATCH(V3, "{}", "{'a': null}", "{'a': 'x'}");
	BODY_NO_MATCH(V3, "{}", "{'a': 'x'}", "{'a': null}");
	/* equality resets a cascaded type rule */
	BODY_MATCH(V3,
		   "{'$': {'matchers': [{'match': 'type'}]}, "
		   "'$.a': {'matchers': [{'match': 'equality'}]}}",
		   "{'a': 'x', 'b': 'y'}", "{'a': 'x', 'b': 'other'}");
	BODY_NO_MATCH(V3,
		      "{'$': {'matchers': [{'match': 'type'}]}, "
		      "'$.a': {'matchers': [{'match': 'equality'}]}}",
		      "{'a': 'x', 'b': 'y'}", "{'a': 'z', 'b': 'y'}");
}
END_TEST

START_TEST(test_regex)
{
	struct match_opts search = { SPEC_V3, 1, 0 };
	const char *r = RULE("$.id", "{'match': 'regex', 'regex': "
				     "'[0-9]{3}'}");
	BODY_MATCH(V3, r, "{'id': '123'}", "{'id': '456'}");
	BODY_NO_MATCH(V3, r, "{'id': '123'}", "{'id': '12a'}");
	/* whole-string: neither a longer value nor a substring matches */
	BODY_NO_MATCH(V3, r, "{'id': '123'}", "{'id': '1234'}");
	BODY_NO_MATCH(V3, RULE("$.s", "{'match': 'regex', 'regex': 'b'}"),
		      "{'s': 'b'}", "{'s': 'abc'}");
	/* --regex-search: pact-reference's unanchored behaviour */
	expect_opts(__LINE__, PART_RESPONSE, &search,
		    "{'body': {'s': 'b'}, 'matchingRules': {'body': " RULE(
			    "$.s", "{'match': 'regex', 'regex': 'b'}") "}}",
		    "{'body': {'s': 'abc'}}", 1);
	/* applied to the string form of a number */
	BODY_MATCH(V3, RULE("$.n", "{'match': 'regex', 'regex': '[0-9]+'}"),
		   "{'n': 1}", "{'n': 42}");
	BODY_NO_MATCH(V3, RULE("$.n", "{'match': 'regex', 'regex': '[0-9]+'}"),
		      "{'n': 1}", "{'n': 4.5}");
	/* a v2 rule without 'match' */
	MATCH(PART_RESPONSE, SPEC_V2,
	      "{'body': {'s': 'ab'}, 'matchingRules': "
	      "{'$.body.s': {'regex': '[a-z]+'}}}",
	      "{'body': {'s': 'xyz'}}");
	NO_MATCH(PART_RESPONSE, SPEC_V2,
		 "{'body': {'s': 'ab'}, 'matchingRules': "
		 "{'$.body.s': {'regex': '[a-z]+'}}}",
		 "{'body': {'s': 'XYZ'}}");
}
END_TEST

START_TEST(test_type)
{
	const char *r = RULE("$.a", "{'match': 'type'}");
	BODY_MATCH(V3, r, "{'a': 'x'}", "{'a': 'something else'}");
	BODY_NO_MATCH(V3, r, "{'a': 'x'}", "{'a': 5}");
	BODY_NO_MATCH(V3, r, "{'a': 'x'}", "{'a': null}");
	BODY_MATCH(V3, r, "{'a': 1}", "{'a': 2.5}");
	BODY_MATCH(V3, r, "{'a': true}", "{'a': false}");
	/* a type rule cascades to descendants */
	BODY_MATCH(V3, r, "{'a': {'b': 1, 'c': 'x'}}",
		   "{'a': {'b': 2, 'c': 'y'}}");
	BODY_NO_MATCH(V3, r, "{'a': {'b': 1, 'c': 'x'}}",
		      "{'a': {'b': 'q', 'c': 'y'}}");
	/* a wildcard type rule (spec note 7) */
	BODY_MATCH(V3, RULE("$.p.*", "{'match': 'type'}"),
		   "{'p': {'name': 'Any name'}}",
		   "{'p': {'name': 'Jon', 'age': '39'}}");
	BODY_NO_MATCH(V3, RULE("$.p.*", "{'match': 'type'}"),
		      "{'p': {'name': 'Any name'}}",
		      "{'p': {'name': 39, 'age': '39'}}");
}
END_TEST

START_TEST(test_type_min_max)
{
	const char *r = RULE("$.items",
			     "{'match': 'type', 'min': 1, 'max': 3}");
	BODY_MATCH(V3, r, "{'items': [1]}", "{'items': [4, 5, 6]}");
	BODY_MATCH(V3, r, "{'items': [1]}", "{'items': [9]}");
	BODY_NO_MATCH(V3, r, "{'items': [1]}", "{'items': []}");
	BODY_NO_MATCH(V3, r, "{'items': [1]}", "{'items': [1, 2, 3, 4]}");
	BODY_NO_MATCH(V3, r, "{'items': [1]}", "{'items': [1, 'x']}");
	/* the first example item is the template for every actual item */
	BODY_MATCH(V3, r, "{'items': [{'id': 1, 'name': 'a'}]}",
		   "{'items': [{'id': 2, 'name': 'b'}, "
		   "{'id': 3, 'name': 'c'}]}");
	BODY_NO_MATCH(V3, r, "{'items': [{'id': 1, 'name': 'a'}]}",
		      "{'items': [{'id': 2, 'name': 'b'}, "
		      "{'id': 'x', 'name': 'c'}]}");
	/* v2: {'min': n} alone */
	MATCH(PART_RESPONSE, SPEC_V2,
	      "{'body': {'l': [1, 2]}, 'matchingRules': "
	      "{'$.body.l': {'min': 2}}}",
	      "{'body': {'l': [7, 8, 9]}}");
	NO_MATCH(PART_RESPONSE, SPEC_V2,
		 "{'body': {'l': [1, 2]}, 'matchingRules': "
		 "{'$.body.l': {'min': 2}}}",
		 "{'body': {'l': [7]}}");
	/* max alone */
	BODY_MATCH(V3, RULE("$.l", "{'match': 'type', 'max': 2}"),
		   "{'l': ['a']}", "{'l': ['b', 'c']}");
	BODY_NO_MATCH(V3, RULE("$.l", "{'match': 'type', 'max': 2}"),
		      "{'l': ['a']}", "{'l': ['b', 'c', 'd']}");
}
END_TEST

START_TEST(test_include)
{
	const char *r = RULE("$.s", "{'match': 'include', 'value': 'ell'}");
	BODY_MATCH(V3, r, "{'s': 'hello'}", "{'s': 'yellow'}");
	BODY_NO_MATCH(V3, r, "{'s': 'hello'}", "{'s': 'help'}");
}
END_TEST

START_TEST(test_integer)
{
	const char *r = RULE("$.n", "{'match': 'integer'}");
	BODY_MATCH(V3, r, "{'n': 42}", "{'n': 7}");
	BODY_MATCH(V3, r, "{'n': 42}", "{'n': -12345}");
	BODY_NO_MATCH(V3, r, "{'n': 42}", "{'n': 7.5}");
	BODY_NO_MATCH(V3, r, "{'n': 42}", "{'n': '7'}");
	BODY_NO_MATCH(V3, r, "{'n': 42}", "{'n': null}");
	/* 1.0 is a decimal literal (pact-jvm Decimal, serde f64) */
	BODY_NO_MATCH(V3, r, "{'n': 42}", "{'n': 1.0}");
}
END_TEST

START_TEST(test_decimal)
{
	const char *r = RULE("$.n", "{'match': 'decimal'}");
	BODY_MATCH(V3, r, "{'n': 1.5}", "{'n': 2.25}");
	BODY_MATCH(V3, r, "{'n': 1.5}", "{'n': -0.5}");
	BODY_NO_MATCH(V3, r, "{'n': 1.5}", "{'n': 2}");
	BODY_NO_MATCH(V3, r, "{'n': 1.5}", "{'n': '2.5'}");
	/* 2.0 is written with a point: a decimal (pact-jvm, pact-reference) */
	BODY_MATCH(V3, r, "{'n': 1.5}", "{'n': 2.0}");
	/* the alias 'real' */
	BODY_MATCH(V3, RULE("$.n", "{'match': 'real'}"), "{'n': 1.5}",
		   "{'n': 3.75}");
}
END_TEST

START_TEST(test_number)
{
	const char *r = RULE("$.n", "{'match': 'number'}");
	BODY_MATCH(V3, r, "{'n': 1}", "{'n': 2.5}");
	BODY_MATCH(V3, r, "{'n': 1}", "{'n': -3}");
	BODY_NO_MATCH(V3, r, "{'n': 1}", "{'n': '3'}");
	BODY_NO_MATCH(V3, r, "{'n': 1}", "{'n': null}");
}
END_TEST

START_TEST(test_boolean)
{
	const char *r = RULE("$.b", "{'match': 'boolean'}");
	BODY_MATCH(V3, r, "{'b': true}", "{'b': false}");
	/* the strings "true"/"false" count as booleans (V3 spec) */
	BODY_MATCH(V3, r, "{'b': true}", "{'b': 'true'}");
	BODY_NO_MATCH(V3, r, "{'b': true}", "{'b': 1}");
	BODY_NO_MATCH(V3, r, "{'b': true}", "{'b': 'yes'}");
}
END_TEST

START_TEST(test_null)
{
	const char *r = RULE("$.a", "{'match': 'null'}");
	BODY_MATCH(V3, r, "{'a': null}", "{'a': null}");
	BODY_NO_MATCH(V3, r, "{'a': null}", "{'a': 0}");
	BODY_NO_MATCH(V3, r, "{'a': null}", "{'a': ''}");
	BODY_NO_MATCH(V3, r, "{'a': null}", "{}");
}
END_TEST

START_TEST(test_date_time)
{
	const char *d = RULE("$.d", "{'match': 'date', 'format': "
				    "'yyyy-MM-dd'}");
	const char *t = RULE("$.t", "{'match': 'time', 'format': "
				    "'HH:mm:ss'}");
	const char *dt = RULE("$.dt", "{'match': 'datetime', 'format': "
				      "'yyyy-MM-dd\\'T\\'HH:mm:ss.SSSXXX'}");
	BODY_MATCH(V3, d, "{'d': '2024-01-01'}", "{'d': '2024-02-29'}");
	BODY_NO_MATCH(V3, d, "{'d': '2024-01-01'}", "{'d': '2023-02-29'}");
	BODY_NO_MATCH(V3, d, "{'d': '2024-01-01'}", "{'d': '2024/01/01'}");
	BODY_NO_MATCH(V3, d, "{'d': '2024-01-01'}", "{'d': 20240101}");
	BODY_MATCH(V3, t, "{'t': '10:00:00'}", "{'t': '23:59:59'}");
	BODY_NO_MATCH(V3, t, "{'t': '10:00:00'}", "{'t': '24:00:00'}");
	BODY_NO_MATCH(V3, t, "{'t': '10:00:00'}", "{'t': '10:00'}");
	BODY_MATCH(V3, dt, "{'dt': '2024-01-01T00:00:00.000Z'}",
		   "{'dt': '2024-05-01T10:20:30.123+02:00'}");
	BODY_NO_MATCH(V3, dt, "{'dt': '2024-01-01T00:00:00.000Z'}",
		      "{'dt': '2024-05-01 10:20:30'}");
	/* 'timestamp' alias; RFC 1123 with the day of the week checked */
	BODY_MATCH(V3,
		   RULE("$.ts", "{'match': 'timestamp', 'format': "
				"'EEE, dd MMM yyyy HH:mm:ss zzz'}"),
		   "{'ts': 'Mon, 01 Jan 2024 00:00:00 GMT'}",
		   "{'ts': 'Tue, 01 Jan 2030 08:00:00 GMT'}");
	BODY_NO_MATCH(V3,
		      RULE("$.ts", "{'match': 'timestamp', 'format': "
				   "'EEE, dd MMM yyyy HH:mm:ss zzz'}"),
		      "{'ts': 'Mon, 01 Jan 2024 00:00:00 GMT'}",
		      "{'ts': 'Wed, 01 Jan 2030 08:00:00 GMT'}");
	/* older JVM writers: the format under the matcher's name */
	BODY_MATCH(V3, RULE("$.d", "{'date': 'dd/MM/yyyy'}"),
		   "{'d': '01/01/2024'}", "{'d': '31/12/2024'}");
	BODY_NO_MATCH(V3, RULE("$.d", "{'date': 'dd/MM/yyyy'}"),
		      "{'d': '01/01/2024'}", "{'d': '2024-12-31'}");
	/* no format: ISO 8601 */
	BODY_MATCH(V3, RULE("$.d", "{'match': 'date'}"), "{'d': '2024-01-01'}",
		   "{'d': '2025-06-30'}");
	BODY_NO_MATCH(V3, RULE("$.d", "{'match': 'date'}"),
		      "{'d': '2024-01-01'}", "{'d': 'June 30'}");
}
END_TEST

START_TEST(test_content_type_text)
{
	const char *rules = RULE("$", "{'match': 'contentType', 'value': "
				      "'application/xml'}");
	struct buf e;
	buf_init(&e, 0);
	buf_addf(&e,
		 "{'headers': {'Content-Type': 'text/plain'}, 'body': "
		 "'<a/>', 'matchingRules': {'body': %s}}",
		 rules);
	MATCH(PART_RESPONSE, V3, e.ptr,
	      "{'headers': {'Content-Type': 'text/plain'}, "
	      "'body': '<b><c/></b>'}");
	NO_MATCH(PART_RESPONSE, V3, e.ptr,
		 "{'headers': {'Content-Type': 'text/plain'}, "
		 "'body': 'just words'}");
	buf_release(&e);
}
END_TEST

START_TEST(test_values)
{
	const char *r = "{'$.m': {'matchers': [{'match': 'values'}]}, "
			"'$.m.*': {'matchers': [{'match': 'type'}]}}";
	/* keys are data: unknown keys are fine even in a request */
	REQ_BODY_MATCH(V3, r, "{'m': {'a': 1}}", "{'m': {'x': 2, 'y': 3}}");
	REQ_BODY_NO_MATCH(V3, r, "{'m': {'a': 1}}", "{'m': {'x': 'str'}}");
	/* without 'values' the same request fails on the unknown keys */
	REQ_BODY_NO_MATCH(V3, RULE("$.m.*", "{'match': 'type'}"),
			  "{'m': {'a': 1}}", "{'m': {'x': 2, 'y': 3}}");
}
END_TEST

START_TEST(test_array_contains)
{
	const char *r = RULE("$.l",
			     "{'match': 'arrayContains', 'variants': ["
			     "{'index': 0, 'rules': {'$.id': {'matchers': "
			     "[{'match': 'integer'}]}}}, "
			     "{'index': 1, 'rules': {}}]}");
	const char *exp = "{'l': [{'type': 'a', 'id': 1}, "
			  "{'type': 'b', 'id': 2}]}";
	/* any order, other items allowed */
	BODY_MATCH(V4, r, exp,
		   "{'l': [{'type': 'x'}, {'type': 'b', 'id': 2}, "
		   "{'type': 'a', 'id': 99}]}");
	/* the second variant is nowhere */
	BODY_NO_MATCH(V4, r, exp, "{'l': [{'type': 'a', 'id': 5}]}");
	/* the first variant's rule fails */
	BODY_NO_MATCH(V4, r, exp,
		      "{'l': [{'type': 'a', 'id': 'five'}, "
		      "{'type': 'b', 'id': 2}]}");
	/* a variant with a regex rule */
	r = RULE("$.l", "{'match': 'arrayContains', 'variants': ["
			"{'index': 0, 'rules': {'$.status': {'matchers': "
			"[{'match': 'regex', 'regex': 'ok|fine'}]}}}]}");
	BODY_MATCH(V4, r, "{'l': [{'status': 'ok'}]}",
		   "{'l': [{'status': 'bad'}, {'status': 'fine'}]}");
	BODY_NO_MATCH(V4, r, "{'l': [{'status': 'ok'}]}",
		      "{'l': [{'status': 'bad'}]}");
	BODY_NO_MATCH(V4, r, "{'l': [{'status': 'ok'}]}", "{'l': []}");
}
END_TEST

START_TEST(test_each_key)
{
	const char *r = RULE("$.m", "{'match': 'eachKey', 'rules': "
				    "[{'match': 'regex', 'regex': '[a-z]+'}], "
				    "'value': {'abc': 1}}");
	BODY_MATCH(V4, r, "{'m': {'abc': 1}}", "{'m': {'xyz': 1, 'q': 1}}");
	BODY_NO_MATCH(V4, r, "{'m': {'abc': 1}}", "{'m': {'AB': 1}}");
	BODY_NO_MATCH(V4, r, "{'m': {'abc': 1}}", "{'m': {'ok': 1, '1': 1}}");
}
END_TEST

START_TEST(test_each_value)
{
	const char *r = RULE("$.m", "{'match': 'eachValue', 'rules': "
				    "[{'match': 'regex', 'regex': '[0-9]+'}], "
				    "'value': {'a': '1'}}");
	BODY_MATCH(V4, r, "{'m': {'a': '1'}}", "{'m': {'x': '12', 'y': '3'}}");
	BODY_NO_MATCH(V4, r, "{'m': {'a': '1'}}", "{'m': {'x': 'ab'}}");
	/* on an array: every item */
	r = RULE("$.l", "{'match': 'eachValue', 'rules': "
			"[{'match': 'regex', 'regex': '[0-9]+'}]}");
	BODY_MATCH(V4, r, "{'l': ['1']}", "{'l': ['2', '33', '444']}");
	BODY_NO_MATCH(V4, r, "{'l': ['1']}", "{'l': ['2', 'x']}");
}
END_TEST

START_TEST(test_each_value_type)
{
	/* a 'type' sub-rule, as in pact-js eachValueMatches(example,
	 * like(...)), compares each value with the example's value */
	const char *r = RULE("$.m", "{'match': 'eachValue', 'rules': "
				    "[{'match': 'type'}], "
				    "'value': {'a': 'x'}}");
	BODY_MATCH(V4, r, "{'m': {'a': 'x'}}", "{'m': {'b': 'y', 'c': 'z'}}");
	BODY_NO_MATCH(V4, r, "{'m': {'a': 'x'}}", "{'m': {'b': 5}}");
}
END_TEST

START_TEST(test_not_empty)
{
	const char *r = RULE("$.a", "{'match': 'notEmpty'}");
	BODY_MATCH(V4, r, "{'a': 'x'}", "{'a': 'y'}");
	BODY_NO_MATCH(V4, r, "{'a': 'x'}", "{'a': ''}");
	BODY_NO_MATCH(V4, r, "{'a': 'x'}", "{'a': null}");
	r = RULE("$.l", "{'match': 'notEmpty'}");
	BODY_MATCH(V4, r, "{'l': [1]}", "{'l': [2]}");
	BODY_NO_MATCH(V4, r, "{'l': [1]}", "{'l': []}");
}
END_TEST

START_TEST(test_semver)
{
	const char *r = RULE("$.v", "{'match': 'semver'}");
	BODY_MATCH(V4, r, "{'v': '1.0.0'}", "{'v': '1.2.3'}");
	BODY_MATCH(V4, r, "{'v': '1.0.0'}", "{'v': '1.2.3-beta.1+build.7'}");
	BODY_NO_MATCH(V4, r, "{'v': '1.0.0'}", "{'v': '1.2'}");
	BODY_NO_MATCH(V4, r, "{'v': '1.0.0'}", "{'v': 'v1.2.3'}");
	BODY_NO_MATCH(V4, r, "{'v': '1.0.0'}", "{'v': '01.2.3'}");
}
END_TEST

START_TEST(test_status_code)
{
	const char *cls = "{'status': 200, 'matchingRules': {'status': "
			  "{'matchers': [{'match': 'statusCode', "
			  "'status': 'success'}]}}}";
	const char *list = "{'status': 200, 'matchingRules': {'status': "
			   "{'matchers': [{'match': 'statusCode', "
			   "'status': [200, 201]}]}}}";
	const char *client = "{'status': 404, 'matchingRules': {'status': "
			     "{'matchers': [{'match': 'statusCode', "
			     "'status': 'clientError'}]}}}";
	MATCH(PART_RESPONSE, V4, cls, "{'status': 204}");
	NO_MATCH(PART_RESPONSE, V4, cls, "{'status': 404}");
	MATCH(PART_RESPONSE, V4, list, "{'status': 201}");
	NO_MATCH(PART_RESPONSE, V4, list, "{'status': 202}");
	MATCH(PART_RESPONSE, V4, client, "{'status': 418}");
	NO_MATCH(PART_RESPONSE, V4, client, "{'status': 500}");
	/* no rule: exact */
	MATCH(PART_RESPONSE, V4, "{'status': 200}", "{'status': 200}");
	NO_MATCH(PART_RESPONSE, V4, "{'status': 200}", "{'status': 201}");
}
END_TEST

START_TEST(test_combine_and_or)
{
	const char *and_rule = "{'$.a': {'combine': 'AND', 'matchers': ["
			       "{'match': 'regex', 'regex': '[a-z]+'}, "
			       "{'match': 'include', 'value': 'b'}]}}";
	const char *or_rule = "{'$.a': {'combine': 'OR', 'matchers': ["
			      "{'match': 'integer'}, {'match': 'null'}]}}";
	const char *or_rule2 = "{'$.a': {'combine': 'OR', 'matchers': ["
			       "{'match': 'regex', 'regex': '[0-9]+'}, "
			       "{'match': 'include', 'value': 'x'}]}}";
	BODY_MATCH(V3, and_rule, "{'a': 'b'}", "{'a': 'abc'}");
	BODY_NO_MATCH(V3, and_rule, "{'a': 'b'}", "{'a': 'acd'}");
	BODY_NO_MATCH(V3, and_rule, "{'a': 'b'}", "{'a': 'ab1'}");
	BODY_MATCH(V3, or_rule, "{'a': 1}", "{'a': 5}");
	BODY_MATCH(V3, or_rule, "{'a': 1}", "{'a': null}");
	BODY_NO_MATCH(V3, or_rule, "{'a': 1}", "{'a': 'x'}");
	BODY_MATCH(V3, or_rule2, "{'a': '1'}", "{'a': 'ax'}");
	BODY_MATCH(V3, or_rule2, "{'a': '1'}", "{'a': '77'}");
	BODY_NO_MATCH(V3, or_rule2, "{'a': '1'}", "{'a': 'ab'}");
	/* AND when 'combine' is not written */
	BODY_NO_MATCH(V3,
		      "{'$.a': {'matchers': [{'match': 'regex', 'regex': "
		      "'[a-z]+'}, {'match': 'include', 'value': 'b'}]}}",
		      "{'a': 'b'}", "{'a': 'acd'}");
}
END_TEST

START_TEST(test_v2_most_specific_path)
{
	/* $.a.b (2*2*2) outweighs $.a.* (2*2*1) whatever the order */
	static const char *const exps[] = {
		"{'body': {'a': {'b': '1', 'c': 'x'}}, 'matchingRules': {"
		"'$.body.a.*': {'match': 'type'}, "
		"'$.body.a.b': {'match': 'regex', 'regex': '[0-9]+'}}}",
		"{'body': {'a': {'b': '1', 'c': 'x'}}, 'matchingRules': {"
		"'$.body.a.b': {'match': 'regex', 'regex': '[0-9]+'}, "
		"'$.body.a.*': {'match': 'type'}}}",
	};
	size_t i;
	for (i = 0; i < 2; i++) {
		MATCH(PART_RESPONSE, SPEC_V2, exps[i],
		      "{'body': {'a': {'b': '22', 'c': 'yy'}}}");
		/* the type rule alone would accept 'zz' */
		NO_MATCH(PART_RESPONSE, SPEC_V2, exps[i],
			 "{'body': {'a': {'b': 'zz', 'c': 'yy'}}}");
		/* c is still governed by the wildcard type rule */
		NO_MATCH(PART_RESPONSE, SPEC_V2, exps[i],
			 "{'body': {'a': {'b': '22', 'c': 5}}}");
	}
}
END_TEST

/* ---- request vs response ---- */

START_TEST(test_request_strictness)
{
	MATCH(PART_REQUEST, V3,
	      "{'method': 'POST', 'path': '/', "
	      "'body': {'a': 1}}",
	      "{'method': 'POST', 'path': '/', 'body': {'a': 1}}");
	NO_MATCH(PART_REQUEST, V3,
		 "{'method': 'POST', 'path': '/', "
		 "'body': {'a': 1}}",
		 "{'method': 'POST', 'path': '/', 'body': {'a': 1, 'b': 2}}");
	/* even a null unexpected key fails in a request */
	NO_MATCH(PART_REQUEST, V3, "{'body': {'a': 1}}",
		 "{'body': {'a': 1, 'b': null}}");
	NO_MATCH(PART_REQUEST, V3, "{'body': {'o': {'a': 1}}}",
		 "{'body': {'o': {'a': 1, 'z': 0}}}");
	/* responses and messages allow them */
	MATCH(PART_RESPONSE, V3, "{'status': 200, 'body': {'a': 1}}",
	      "{'status': 200, 'body': {'a': 1, 'b': 2}}");
	MATCH(PART_RESPONSE, V3, "{'body': {'o': {'a': 1}}}",
	      "{'body': {'o': {'a': 1, 'z': null}}}");
	MATCH(PART_MESSAGE, V3, "{'contents': {'a': 1}}",
	      "{'contents': {'a': 1, 'b': 2}}");
	/* extra array items fail everywhere */
	NO_MATCH(PART_RESPONSE, V3, "{'body': [1]}", "{'body': [1, 2]}");
	NO_MATCH(PART_MESSAGE, V3, "{'contents': [1]}", "{'contents': [1, 2]}");
	/* missing keys fail everywhere */
	NO_MATCH(PART_RESPONSE, V3, "{'body': {'a': 1, 'b': 2}}",
		 "{'body': {'a': 1}}");
	/* method ignores case, path is exact */
	MATCH(PART_REQUEST, V3, "{'method': 'post', 'path': '/a'}",
	      "{'method': 'POST', 'path': '/a'}");
	NO_MATCH(PART_REQUEST, V3, "{'method': 'GET', 'path': '/a'}",
		 "{'method': 'GET', 'path': '/a/'}");
	NO_MATCH(PART_REQUEST, V3, "{'method': 'GET', 'path': '/'}",
		 "{'method': 'GET', 'path': ''}");
}
END_TEST

START_TEST(test_message_metadata)
{
	MATCH(PART_MESSAGE, V3,
	      "{'contents': {'a': 1}, 'metaData': {'contentType': "
	      "'application/json', 'topic': 't'}}",
	      "{'contents': {'a': 1}, 'metaData': {'contentType': "
	      "'application/json', 'topic': 't', 'extra': 1}}");
	NO_MATCH(PART_MESSAGE, V3,
		 "{'contents': {'a': 1}, 'metaData': {'topic': 't'}}",
		 "{'contents': {'a': 1}, 'metaData': {'topic': 'u'}}");
	NO_MATCH(PART_MESSAGE, V3,
		 "{'contents': {'a': 1}, 'metaData': {'topic': 't'}}",
		 "{'contents': {'a': 1}}");
	/* no expected contents: anything goes (note 22) */
	MATCH(PART_MESSAGE, V3, "{'metaData': {'topic': 't'}}",
	      "{'contents': {'x': [1, 2]}, 'metaData': {'topic': 't'}}");
	/* v4 message rules under 'content' */
	MATCH(PART_MESSAGE, V4,
	      "{'contents': {'contentType': 'application/json', "
	      "'encoded': false, 'content': {'id': 1}}, 'matchingRules': "
	      "{'content': {'$.id': {'matchers': [{'match': 'integer'}]}}}}",
	      "{'contents': {'contentType': 'application/json', "
	      "'encoded': false, 'content': {'id': 99}}}");
	NO_MATCH(PART_MESSAGE, V4,
		 "{'contents': {'contentType': 'application/json', "
		 "'encoded': false, 'content': {'id': 1}}, 'matchingRules': "
		 "{'content': {'$.id': {'matchers': [{'match': "
		 "'integer'}]}}}}",
		 "{'contents': {'contentType': 'application/json', "
		 "'encoded': false, 'content': {'id': 'x'}}}");
}
END_TEST

/* ---- headers ---- */

START_TEST(test_headers_names_and_values)
{
	const char *e = "{'headers': {'X-Test': 'Alligators'}}";
	MATCH(PART_REQUEST, V3, e, "{'headers': {'x-test': 'Alligators'}}");
	MATCH(PART_RESPONSE, V3, e, "{'headers': {'X-TEST': 'Alligators'}}");
	NO_MATCH(PART_REQUEST, V3, e, "{'headers': {'X-Test': 'alligators'}}");
	NO_MATCH(PART_RESPONSE, V3, e, "{'headers': {'X-Other': 'x'}}");
	/* extra actual headers are fine, even in requests */
	MATCH(PART_REQUEST, V3, e,
	      "{'headers': {'X-Test': 'Alligators', 'X-More': '1'}}");
	MATCH(PART_REQUEST, V3, "{'headers': {}}", "{'headers': {}}");
	/* rule keys are case-insensitive too (v2 '$.header.x-test') */
	MATCH(PART_REQUEST, SPEC_V2,
	      "{'headers': {'X-Test': 'a1'}, 'matchingRules': "
	      "{'$.header.x-test': {'match': 'regex', 'regex': "
	      "'[a-z][0-9]'}}}",
	      "{'headers': {'X-Test': 'b2'}}");
	NO_MATCH(PART_REQUEST, SPEC_V2,
		 "{'headers': {'X-Test': 'a1'}, 'matchingRules': "
		 "{'$.header.x-test': {'match': 'regex', 'regex': "
		 "'[a-z][0-9]'}}}",
		 "{'headers': {'X-Test': 'bb'}}");
}
END_TEST

START_TEST(test_headers_comma_split)
{
	const char *e = "{'headers': {'X-List': 'a, b, c'}}";
	MATCH(PART_REQUEST, V3, e, "{'headers': {'X-List': 'a,b,c'}}");
	MATCH(PART_REQUEST, V3, e, "{'headers': {'X-List': 'a,  b,c'}}");
	NO_MATCH(PART_REQUEST, V3, e, "{'headers': {'X-List': 'a, c, b'}}");
	NO_MATCH(PART_REQUEST, V3, e, "{'headers': {'X-List': 'a, b'}}");
	/* v4 lists compare like the comma-joined string */
	MATCH(PART_REQUEST, V4, "{'headers': {'X-List': ['a', 'b']}}",
	      "{'headers': {'X-List': 'a, b'}}");
	NO_MATCH(PART_REQUEST, V4, "{'headers': {'X-List': ['a', 'b']}}",
		 "{'headers': {'X-List': ['b', 'a']}}");
}
END_TEST

START_TEST(test_headers_date_not_split)
{
	const char *e = "{'headers': {'Date': "
			"'Tue, 01 Jan 2030 00:00:00 GMT'}}";
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Date': 'Tue, 01 Jan 2030 00:00:00 GMT'}}");
	/* split on commas this would match item by item */
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Date': 'Tue,01 Jan 2030 00:00:00 GMT'}}");
	/* a rule sees the whole value, not 'Tue' */
	MATCH(PART_RESPONSE, V3,
	      "{'headers': {'Date': 'Tue, 01 Jan 2030 00:00:00 GMT'}, "
	      "'matchingRules': {'header': {'Date': {'matchers': "
	      "[{'match': 'regex', 'regex': "
	      "'[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} .*'}]}}}}",
	      "{'headers': {'Date': 'Wed, 02 Jan 2030 10:00:00 GMT'}}");
	/* Set-Cookie and other comma-bearing headers likewise */
	MATCH(PART_RESPONSE, V3,
	      "{'headers': {'Expires': 'Thu, 01 Dec 1994 16:00:00 GMT'}}",
	      "{'headers': {'Expires': 'Thu, 01 Dec 1994 16:00:00 GMT'}}");
	NO_MATCH(PART_RESPONSE, V3,
		 "{'headers': {'Expires': 'Thu, 01 Dec 1994 16:00:00 GMT'}}",
		 "{'headers': {'Expires': 'Thu,01 Dec 1994 16:00:00 GMT'}}");
}
END_TEST

START_TEST(test_headers_content_type)
{
	const char *e = "{'headers': {'Content-Type': "
			"'text/html; charset=utf-8; level=1'}}";
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Content-Type': "
	      "'text/html;level=1;charset=UTF-8'}}");
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Content-Type': "
	      "'text/html; level=1; charset=\\\"utf-8\\\"'}}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': "
		 "'text/html; charset=ISO-8859-1; level=1'}}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': 'text/plain; charset=utf-8; "
		 "level=1'}}");
	/* expected charset, none in the actual: fails */
	NO_MATCH(PART_RESPONSE, V3,
		 "{'headers': {'Content-Type': "
		 "'application/json; charset=UTF-8'}}",
		 "{'headers': {'Content-Type': 'application/json'}}");
	/* extra actual parameters: fine */
	MATCH(PART_RESPONSE, V3,
	      "{'headers': {'Content-Type': 'application/json'}}",
	      "{'headers': {'Content-Type': "
	      "'application/json; charset=UTF-8'}}");
	MATCH(PART_RESPONSE, V3,
	      "{'headers': {'Content-Type': 'application/json'}}",
	      "{'headers': {'content-type': 'Application/JSON'}}");
}
END_TEST

/* ---- query ---- */

START_TEST(test_query)
{
	MATCH(PART_REQUEST, V3, "{'query': {'a': ['1'], 'b': ['2']}}",
	      "{'query': {'b': ['2'], 'a': ['1']}}");
	NO_MATCH(PART_REQUEST, V3, "{'query': {'a': ['1', '2']}}",
		 "{'query': {'a': ['2', '1']}}");
	MATCH(PART_REQUEST, V3, "{'query': {'a': ['1', '2']}}",
	      "{'query': {'a': ['1', '2']}}");
	NO_MATCH(PART_REQUEST, V3, "{'query': {'a': ['1'], 'b': ['2']}}",
		 "{'query': {'a': ['1']}}");
	NO_MATCH(PART_REQUEST, V3, "{'query': {'a': ['1']}}",
		 "{'query': {'a': ['1'], 'c': ['3']}}");
	NO_MATCH(PART_REQUEST, V3, "{'query': {'a': ['1']}}",
		 "{'query': {'a': ['1', '1']}}");
	/* v2 strings */
	MATCH(PART_REQUEST, SPEC_V2, "{'query': 'a=1&b=2'}",
	      "{'query': 'b=2&a=1'}");
	NO_MATCH(PART_REQUEST, SPEC_V2, "{'query': 'a=1&a=2'}",
		 "{'query': 'a=2&a=1'}");
	MATCH(PART_REQUEST, SPEC_V2, "{'query': 'a=x%3Dy'}",
	      "{'query': 'a=x=y'}");
	NO_MATCH(PART_REQUEST, SPEC_V2, "{'query': 'a=1'}", "{'query': 'a=2'}");
}
END_TEST

START_TEST(test_numeric_strings)
{
	const char *q = "{'query': {'id': ['1']}, 'matchingRules': "
			"{'query': {'id': {'matchers': [{'match': "
			"'integer'}]}}}}";
	const char *h = "{'headers': {'X-Count': '5'}, 'matchingRules': "
			"{'header': {'X-Count': {'matchers': [{'match': "
			"'integer'}]}}}}";
	const char *qd = "{'query': {'p': ['1.5']}, 'matchingRules': "
			 "{'query': {'p': {'matchers': [{'match': "
			 "'decimal'}]}}}}";
	MATCH(PART_REQUEST, V3, q, "{'query': {'id': ['42']}}");
	NO_MATCH(PART_REQUEST, V3, q, "{'query': {'id': ['4x']}}");
	/* each actual value against the rule, however many (note 18) */
	MATCH(PART_REQUEST, V3, q, "{'query': {'id': ['1', '22', '333']}}");
	NO_MATCH(PART_REQUEST, V3, q, "{'query': {'id': ['1', 'b']}}");
	MATCH(PART_REQUEST, V3, h, "{'headers': {'X-Count': '42'}}");
	NO_MATCH(PART_REQUEST, V3, h, "{'headers': {'X-Count': 'abc'}}");
	MATCH(PART_REQUEST, V3, qd, "{'query': {'p': ['2.75']}}");
	NO_MATCH(PART_REQUEST, V3, qd, "{'query': {'p': ['2']}}");
	/* no coercion in bodies (note 5) */
	REQ_BODY_MATCH(V3, RULE("$.id", "{'match': 'integer'}"), "{'id': 1}",
		       "{'id': 42}");
	REQ_BODY_NO_MATCH(V3, RULE("$.id", "{'match': 'integer'}"), "{'id': 1}",
			  "{'id': '42'}");
	REQ_BODY_NO_MATCH(V3, RULE("$.id", "{'match': 'number'}"), "{'id': 1}",
			  "{'id': '42'}");
	REQ_BODY_NO_MATCH(V3, RULE("$.id", "{'match': 'decimal'}"),
			  "{'id': 1.5}", "{'id': '4.2'}");
}
END_TEST

START_TEST(test_path_rule)
{
	const char *e = "{'method': 'GET', 'path': '/items/1', "
			"'matchingRules': {'path': {'matchers': [{'match': "
			"'regex', 'regex': '/items/[0-9]+'}]}}}";
	MATCH(PART_REQUEST, V3, e, "{'method': 'GET', 'path': '/items/42'}");
	NO_MATCH(PART_REQUEST, V3, e, "{'method': 'GET', 'path': '/items/x'}");
	NO_MATCH(PART_REQUEST, V3, e,
		 "{'method': 'GET', 'path': '/items/42/parts'}");
	MATCH(PART_REQUEST, SPEC_V2,
	      "{'method': 'GET', 'path': '/items/1', 'matchingRules': "
	      "{'$.path': {'match': 'regex', 'regex': '/items/[0-9]+'}}}",
	      "{'method': 'GET', 'path': '/items/7'}");
}
END_TEST

START_TEST(test_query_v1)
{
	/* v1 compares the string in order; v1.1 does not */
	NO_MATCH(PART_REQUEST, SPEC_V1, "{'query': 'a=1&b=2'}",
		 "{'query': 'b=2&a=1'}");
	MATCH(PART_REQUEST, SPEC_V1, "{'query': 'a=1&b=2'}",
	      "{'query': 'a=1&b=2'}");
	MATCH(PART_REQUEST, SPEC_V1_1, "{'query': 'a=1&b=2'}",
	      "{'query': 'b=2&a=1'}");
	MATCH(PART_REQUEST, SPEC_V1_1, "{'query': 'a=1&b=2'}",
	      "{'query': 'a=1&b=2&'}");
}
END_TEST

/* ---- bodies ---- */

START_TEST(test_body_presence)
{
	/* absent: don't care, even for a request with a body */
	MATCH(PART_REQUEST, V3, "{'method': 'POST', 'path': '/'}",
	      "{'method': 'POST', 'path': '/', 'body': {'a': 1}}");
	MATCH(PART_RESPONSE, V3, "{'status': 200}",
	      "{'status': 200, 'body': 'anything'}");
	/* "": must be empty */
	MATCH(PART_RESPONSE, V3, "{'body': ''}", "{'body': ''}");
	MATCH(PART_RESPONSE, V3, "{'body': ''}", "{}");
	NO_MATCH(PART_RESPONSE, V3, "{'body': ''}", "{'body': 'x'}");
	NO_MATCH(PART_REQUEST, V3, "{'body': ''}", "{'body': {'a': 1}}");
	/* null: null, missing or empty */
	MATCH(PART_RESPONSE, V3, "{'body': null}", "{'body': null}");
	MATCH(PART_RESPONSE, V3, "{'body': null}", "{}");
	NO_MATCH(PART_RESPONSE, V3, "{'body': null}", "{'body': {'a': 1}}");
	/* a body is expected: a missing one fails */
	NO_MATCH(PART_RESPONSE, V3, "{'body': {'a': 1}}", "{}");
	/* a regex on a text body still needs a body (note 21) */
	NO_MATCH(PART_RESPONSE, V3,
		 "{'headers': {'Content-Type': 'text/plain'}, "
		 "'body': 'abc', 'matchingRules': {'body': "
		 "{'$': {'matchers': [{'match': 'regex', "
		 "'regex': '.*'}]}}}}",
		 "{'headers': {'Content-Type': 'text/plain'}}");
}
END_TEST

START_TEST(test_text_plain)
{
	const char *e = "{'headers': {'Content-Type': 'text/plain'}, "
			"'body': 'hello world'}";
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Content-Type': 'text/plain'}, "
	      "'body': 'hello world'}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': 'text/plain'}, "
		 "'body': 'hello world '}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': 'text/plain'}, "
		 "'body': 'Hello world'}");
	/* regex on the whole text body (spec case 'plain text regex
	 * matching that does not match') */
	NO_MATCH(PART_RESPONSE, V3,
		 "{'headers': {'Content-Type': 'text/plain'}, "
		 "'body': 'alligator named mary', 'matchingRules': {'body': "
		 "{'$': {'matchers': [{'match': 'regex', "
		 "'regex': 'alligator named .{4}'}]}}}}",
		 "{'headers': {'Content-Type': 'text/plain'}, "
		 "'body': 'alligator named brent'}");
	MATCH(PART_RESPONSE, V3,
	      "{'headers': {'Content-Type': 'text/plain'}, "
	      "'body': 'alligator named mary', 'matchingRules': {'body': "
	      "{'$': {'matchers': [{'match': 'regex', "
	      "'regex': 'alligator named .{4}'}]}}}}",
	      "{'headers': {'Content-Type': 'text/plain'}, "
	      "'body': 'alligator named fred'}");
}
END_TEST

START_TEST(test_xml_namespaces)
{
	const char *e = "{'headers': {'Content-Type': 'application/xml'}, "
			"'body': '<a:root xmlns:a=\\'urn:x\\'>"
			"<a:item>1</a:item></a:root>'}";
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Content-Type': 'application/xml'}, "
	      "'body': '<b:root xmlns:b=\\'urn:x\\'><b:item>1</b:item>"
	      "</b:root>'}");
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Content-Type': 'application/xml'}, "
	      "'body': '<root xmlns=\\'urn:x\\'><item>1</item></root>'}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': 'application/xml'}, "
		 "'body': '<a:root xmlns:a=\\'urn:y\\'><a:item>1</a:item>"
		 "</a:root>'}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': 'application/xml'}, "
		 "'body': '<root><item>1</item></root>'}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': 'application/xml'}, "
		 "'body': '<b:root xmlns:b=\\'urn:x\\'><b:item>2</b:item>"
		 "</b:root>'}");
}
END_TEST

START_TEST(test_xml_attributes)
{
	const char *e = "{'headers': {'Content-Type': 'application/xml'}, "
			"'body': '<item id=\\'1\\' kind=\\'a\\'/>', "
			"'matchingRules': {'body': {'$.item[\\'@id\\']': "
			"{'matchers': [{'match': 'integer'}]}}}}";
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Content-Type': 'application/xml'}, "
	      "'body': '<item id=\\'42\\' kind=\\'a\\'/>'}");
	/* attribute order never matters */
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Content-Type': 'application/xml'}, "
	      "'body': '<item kind=\\'a\\' id=\\'7\\'/>'}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': 'application/xml'}, "
		 "'body': '<item id=\\'x\\' kind=\\'a\\'/>'}");
	NO_MATCH(PART_RESPONSE, V3, e,
		 "{'headers': {'Content-Type': 'application/xml'}, "
		 "'body': '<item id=\\'42\\' kind=\\'b\\'/>'}");
	/* extra attribute: fine in a response, not in a request */
	MATCH(PART_RESPONSE, V3, e,
	      "{'headers': {'Content-Type': 'application/xml'}, "
	      "'body': '<item id=\\'42\\' kind=\\'a\\' x=\\'1\\'/>'}");
	NO_MATCH(PART_REQUEST, V3, e,
		 "{'headers': {'Content-Type': 'application/xml'}, "
		 "'body': '<item id=\\'42\\' kind=\\'a\\' x=\\'1\\'/>'}");
	/* v2 key form */
	MATCH(PART_RESPONSE, SPEC_V2,
	      "{'headers': {'Content-Type': 'application/xml'}, "
	      "'body': '<r><item id=\\'1\\'/></r>', 'matchingRules': "
	      "{'$.body.r.item[\\'@id\\']': {'match': 'regex', "
	      "'regex': '[0-9]+'}}}",
	      "{'headers': {'Content-Type': 'application/xml'}, "
	      "'body': '<r><item id=\\'99\\'/></r>'}");
	NO_MATCH(PART_RESPONSE, SPEC_V2,
		 "{'headers': {'Content-Type': 'application/xml'}, "
		 "'body': '<r><item id=\\'1\\'/></r>', 'matchingRules': "
		 "{'$.body.r.item[\\'@id\\']': {'match': 'regex', "
		 "'regex': '[0-9]+'}}}",
		 "{'headers': {'Content-Type': 'application/xml'}, "
		 "'body': '<r><item id=\\'a\\'/></r>'}");
}
END_TEST

START_TEST(test_xml_text_and_children)
{
	const char *txt =
		"{'headers': {'Content-Type': 'application/xml'}, "
		"'body': '<r><name>Fred</name></r>', 'matchingRules': "
		"{'body': {'$.r.name[\\'#text\\']': {'matchers': "
		"[{'match': 'regex', 'regex': '[A-Z][a-z]+'}]}}}}";
#define XML_ACT(body)                                                          \
	"{'headers': {'Content-Type': 'application/xml'}, 'body': '" body "'}"
	MATCH(PART_RESPONSE, V3, txt, XML_ACT("<r><name>Bob</name></r>"));
	NO_MATCH(PART_RESPONSE, V3, txt, XML_ACT("<r><name>bob</name></r>"));
	/* without a rule the text is compared exactly */
	NO_MATCH(PART_RESPONSE, V3, XML_ACT("<r><name>Fred</name></r>"),
		 XML_ACT("<r><name>Bob</name></r>"));
	/* an extra repeated child: fine in a response, not in a request */
	MATCH(PART_RESPONSE, V3, XML_ACT("<r><a>1</a></r>"),
	      XML_ACT("<r><a>1</a><a>2</a></r>"));
	NO_MATCH(PART_REQUEST, V3, XML_ACT("<r><a>1</a></r>"),
		 XML_ACT("<r><a>1</a><a>2</a></r>"));
	/* differently-named children in any order in a response */
	MATCH(PART_RESPONSE, V3, XML_ACT("<r><red/><blue/></r>"),
	      XML_ACT("<r><blue/><red/></r>"));
	/* a missing child fails */
	NO_MATCH(PART_RESPONSE, V3, XML_ACT("<r><red/><blue/></r>"),
		 XML_ACT("<r><blue/></r>"));
	/* an unexpected default namespace fails */
	NO_MATCH(PART_RESPONSE, V3, XML_ACT("<r><a>1</a></r>"),
		 XML_ACT("<r xmlns=\\'urn:x\\'><a>1</a></r>"));
#undef XML_ACT
}
END_TEST

START_TEST(test_form_body)
{
	const char *e =
		"{'method': 'POST', 'path': '/f', 'headers': {'Content-Type': "
		"'application/x-www-form-urlencoded'}, 'body': 'a=1&b=x', "
		"'matchingRules': {'body': {'$.b': {'matchers': "
		"[{'match': 'regex', 'regex': '[a-z]+'}]}}}}";
#define FORM_ACT(body)                                                         \
	"{'method': 'POST', 'path': '/f', 'headers': {'Content-Type': "        \
	"'application/x-www-form-urlencoded'}, 'body': '" body "'}"
	MATCH(PART_REQUEST, V3, e, FORM_ACT("a=1&b=x"));
	MATCH(PART_REQUEST, V3, e, FORM_ACT("b=yz&a=1"));
	NO_MATCH(PART_REQUEST, V3, e, FORM_ACT("a=1&b=99"));
	NO_MATCH(PART_REQUEST, V3, e, FORM_ACT("a=2&b=x"));
	NO_MATCH(PART_REQUEST, V3, e, FORM_ACT("b=x"));
	NO_MATCH(PART_REQUEST, V3, e, FORM_ACT("a=1&b=x&c=3"));
#undef FORM_ACT
}
END_TEST

/* A v4 body object holding `bytes` base64-encoded. Caller frees. */
static char *b64_body(const char *ct, const void *bytes, size_t len)
{
	size_t n;
	char *enc = base64_encode(bytes, len, &n);
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b,
		 "{'contentType': '%s', 'encoded': 'base64', "
		 "'content': '%s'}",
		 ct, enc);
	free(enc);
	return buf_detach(&b, NULL);
}

static const char pdf1[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
static const char pdf2[] = "%PDF-1.7\n%\xb5\xb5\xb5\xb5\n2 0 obj\n";
static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

START_TEST(test_binary_content_type)
{
	char *eb = b64_body("application/pdf", pdf1, sizeof(pdf1) - 1);
	char *a_pdf = b64_body("application/pdf", pdf2, sizeof(pdf2) - 1);
	char *a_same = b64_body("application/pdf", pdf1, sizeof(pdf1) - 1);
	char *a_png = b64_body("application/pdf", png, sizeof(png) - 1);
	struct buf e_rule, e_plain, a1, a2, a3;
	buf_init(&e_rule, 0);
	buf_init(&e_plain, 0);
	buf_init(&a1, 0);
	buf_init(&a2, 0);
	buf_init(&a3, 0);
	buf_addf(&e_rule,
		 "{'status': 200, 'body': %s, 'matchingRules': {'body': "
		 "{'$': {'matchers': [{'match': 'contentType', "
		 "'value': 'application/pdf'}]}}}}",
		 eb);
	buf_addf(&e_plain, "{'status': 200, 'body': %s}", eb);
	buf_addf(&a1, "{'status': 200, 'body': %s}", a_pdf);
	buf_addf(&a2, "{'status': 200, 'body': %s}", a_same);
	buf_addf(&a3, "{'status': 200, 'body': %s}", a_png);
	MATCH(PART_RESPONSE, V4, e_rule.ptr, a1.ptr);
	NO_MATCH(PART_RESPONSE, V4, e_rule.ptr, a3.ptr);
	/* no rule: the bytes must be equal */
	MATCH(PART_RESPONSE, V4, e_plain.ptr, a2.ptr);
	NO_MATCH(PART_RESPONSE, V4, e_plain.ptr, a1.ptr);
	free(eb);
	free(a_pdf);
	free(a_same);
	free(a_png);
	buf_release(&e_rule);
	buf_release(&e_plain);
	buf_release(&a1);
	buf_release(&a2);
	buf_release(&a3);
}
END_TEST

/* An actual body as raw bytes received off the wire, borrowed from p. */
static void set_bytes(struct body *b, const void *p, size_t len)
{
	b->present = 1;
	b->has_bytes = 1;
	b->bytes = p;
	b->len = len;
}

START_TEST(test_wire_bodies)
{
	cJSON *ej = J("{'method': 'POST', 'path': '/x', 'headers': "
		      "{'Content-Type': 'application/json'}, "
		      "'body': {'a': 1}}");
	cJSON *rj = J("{'status': 200, 'body': {'contentType': "
		      "'application/pdf', 'encoded': 'base64', 'content': "
		      "'JVBERi0='}, 'matchingRules': {'body': {'$': "
		      "{'matchers': [{'match': 'contentType', "
		      "'value': 'application/pdf'}]}}}}");
	struct http_request exp, act;
	struct http_response rexp, ract;
	struct match_opts o = { SPEC_V4, 0, 0 };
	struct mismatches m;
	struct err e;
	static const char *const bodies[] = { "{\"a\": 1}", "{\"a\":1,\"b\":2}",
					      "not json", "" };
	static const size_t want[] = { 0, 1, 1, 1 };
	size_t i;

	memset(&exp, 0, sizeof(exp));
	memset(&rexp, 0, sizeof(rexp));
	err_clear(&e);
	ck_assert_int_eq(request_from_cjson(ej, SPEC_V4, "", &exp, &e), 0);
	ck_assert_int_eq(response_from_cjson(rj, SPEC_V4, "", &rexp, &e), 0);
	for (i = 0; i < 4; i++) {
		memset(&act, 0, sizeof(act));
		act.method = xstrdup("POST");
		act.path = xstrdup("/x");
		act.has_path = 1;
		headers_add(&act.headers, "content-type", "application/json");
		set_bytes(&act.body, bodies[i], strlen(bodies[i]));
		mismatches_init(&m);
		ck_assert_msg(match_request(&exp, &act, &o, &m) == want[i],
			      "body '%s': %zu mismatches", bodies[i], m.n);
		mismatches_release(&m);
		request_release(&act);
	}

	memset(&ract, 0, sizeof(ract));
	ract.status = 200;
	ract.has_status = 1;
	set_bytes(&ract.body, pdf2, sizeof(pdf2) - 1);
	mismatches_init(&m);
	ck_assert_uint_eq(match_response(&rexp, &ract, &o, &m), 0);
	mismatches_release(&m);
	response_release(&ract);

	memset(&ract, 0, sizeof(ract));
	ract.status = 200;
	ract.has_status = 1;
	set_bytes(&ract.body, png, sizeof(png) - 1);
	mismatches_init(&m);
	ck_assert_uint_eq(match_response(&rexp, &ract, &o, &m), 1);
	ck_assert_str_eq(m.v[0].path, "$.body");
	mismatches_release(&m);
	response_release(&ract);

	request_release(&exp);
	response_release(&rexp);
	cJSON_Delete(ej);
	cJSON_Delete(rj);
}
END_TEST

/* ---- reports ---- */

/* Runs one case that must give exactly one mismatch; returns it. */
static void one_mismatch(enum part_kind k, const char *exp, const char *act,
			 const char *path, const char *want_exp,
			 const char *want_act)
{
	struct mismatches m;
	struct buf b;
	mismatches_init(&m);
	run(k, V3, exp, act, &m);
	buf_init(&b, 0);
	describe(&m, &b);
	ck_assert_msg(m.n == 1, "want 1 mismatch, got %zu:%s", m.n, b.ptr);
	ck_assert_str_eq(m.v[0].path, path);
	if (want_exp) {
		ck_assert_ptr_nonnull(m.v[0].expected);
		ck_assert_str_eq(m.v[0].expected, want_exp);
	}
	if (want_act) {
		ck_assert_ptr_nonnull(m.v[0].actual);
		ck_assert_str_eq(m.v[0].actual, want_act);
	}
	ck_assert_ptr_nonnull(m.v[0].message);
	ck_assert(m.v[0].message[0] != '\0');
	buf_release(&b);
	mismatches_release(&m);
}

START_TEST(test_mismatch_paths)
{
	one_mismatch(PART_RESPONSE,
		     "{'body': {'items': [{'price': 1}, {'price': 2}, "
		     "{'price': 3}]}}",
		     "{'body': {'items': [{'price': 1}, {'price': 2}, "
		     "{'price': 4}]}}",
		     "$.body.items[2].price", "3", "4");
	one_mismatch(PART_RESPONSE, "{'body': {'a b': 'x'}}",
		     "{'body': {'a b': 'y'}}", "$.body['a b']", "\"x\"",
		     "\"y\"");
	one_mismatch(PART_RESPONSE, "{'body': {'a': 1, 'b': 2}}",
		     "{'body': {'a': 1}}", "$.body.b", "2", NULL);
	one_mismatch(PART_REQUEST, "{'body': {'a': 1}}",
		     "{'body': {'a': 1, 'z': true}}", "$.body.z", NULL, "true");
	one_mismatch(PART_RESPONSE, "{'status': 200}", "{'status': 404}",
		     "$.status", "200", "404");
	one_mismatch(PART_RESPONSE, "{'headers': {'X-Test': 'a'}}",
		     "{'headers': {'X-Test': 'b'}}", "$.headers.X-Test", "a",
		     "b");
	one_mismatch(PART_REQUEST, "{'method': 'GET'}", "{'method': 'PUT'}",
		     "$.method", "GET", "PUT");
	one_mismatch(PART_REQUEST, "{'path': '/a'}", "{'path': '/b'}", "$.path",
		     "/a", "/b");
	one_mismatch(PART_RESPONSE,
		     "{'body': {'n': 1}, 'matchingRules': {'body': "
		     "{'$.n': {'matchers': [{'match': 'integer'}]}}}}",
		     "{'body': {'n': 'one'}}", "$.body.n", "1", "\"one\"");
}
END_TEST

START_TEST(test_mismatch_query_path)
{
	struct mismatches m;
	mismatches_init(&m);
	run(PART_REQUEST, V3, "{'query': {'a': ['1']}}",
	    "{'query': {'a': ['2']}}", &m);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_msg(!strncmp(m.v[0].path, "$.query.a", 9), "path: %s",
		      m.v[0].path);
	ck_assert_str_eq(m.v[0].expected, "1");
	ck_assert_str_eq(m.v[0].actual, "2");
	mismatches_release(&m);
}
END_TEST

START_TEST(test_deep_rule_paths)
{
	/* a rule 100 levels down (weights past 2^62 saturate, not
	 * overflow: UBSan would say) against a value 100 levels deep */
	struct buf rules, e, a, path;
	int i;
	buf_init(&rules, 0);
	buf_init(&e, 0);
	buf_init(&a, 0);
	buf_init(&path, 0);
	buf_addstr(&path, "$");
	for (i = 0; i < 100; i++) {
		buf_addstr(&path, ".a");
		buf_addstr(&e, "{'a':");
		buf_addstr(&a, "{'a':");
	}
	buf_addstr(&e, "1");
	buf_addstr(&a, "'x'");
	for (i = 0; i < 100; i++) {
		buf_addch(&e, '}');
		buf_addch(&a, '}');
	}
	buf_addf(&rules, "{'%s': {'matchers': [{'match': 'type'}]}}", path.ptr);
	BODY_NO_MATCH(SPEC_V3, rules.ptr, e.ptr, a.ptr);
	buf_reset(&rules);
	buf_addf(&rules,
		 "{'%s': {'matchers': [{'match': 'regex', 'regex': 'x'}]},"
		 " '%s': {'matchers': [{'match': 'type'}]}}",
		 path.ptr, "$.a.*");
	BODY_MATCH(SPEC_V3, rules.ptr, e.ptr, a.ptr);
	buf_release(&rules);
	buf_release(&e);
	buf_release(&a);
	buf_release(&path);
}
END_TEST

START_TEST(test_mismatch_cap)
{
	/* 1500 failing items: the list keeps MISMATCH_MAX, counts the rest */
	struct mismatches m;
	struct buf act;
	long n;
	int i;
	buf_init(&act, 0);
	buf_addstr(&act, "{'status': 200, 'body': {'l': [");
	for (i = 0; i < 1500; i++)
		buf_addf(&act, "%s'x'", i ? ", " : "");
	buf_addstr(&act, "]}}");
	mismatches_init(&m);
	n = run(PART_RESPONSE, SPEC_V3,
		"{'status': 200, 'body': {'l': [1]}, 'matchingRules': "
		"{'body': {'$.l': {'matchers': [{'match': 'type'}]}}}}",
		act.ptr, &m);
	ck_assert_int_eq(n, 1500);
	ck_assert_int_eq((long)m.n, MISMATCH_MAX);
	ck_assert_int_eq((long)m.dropped, 1500 - MISMATCH_MAX);
	ck_assert_str_eq(m.v[0].path, "$.body.l[0]");
	mismatches_release(&m);
	buf_release(&act);
}
END_TEST

/* A message past the 4 KiB limit of match.c is cut to it, ending in "...",
 * never emptied: one added directly, and one for a header value of 6,000
 * bytes. */
START_TEST(test_mismatch_long_message)
{
	struct mismatches m;
	struct buf big, act;
	size_t len;
	buf_init(&big, 0);
	while (big.len < 6000)
		buf_addstr(&big, "0123456789");
	mismatches_init(&m);
	mismatches_add(&m, "$.x", NULL, NULL, "found '%s'", big.ptr);
	ck_assert_int_eq((long)m.n, 1);
	len = strlen(m.v[0].message);
	ck_assert_uint_eq(len, 4096);
	ck_assert_mem_eq(m.v[0].message, "found '0123456789", 17);
	ck_assert_str_eq(m.v[0].message + len - 3, "...");
	mismatches_release(&m);

	buf_init(&act, 0);
	buf_addf(&act, "{'status': 200, 'headers': {'X-Big': '%s'}}", big.ptr);
	mismatches_init(&m);
	ck_assert_int_eq(run(PART_RESPONSE, SPEC_V3,
			     "{'status': 200, 'headers': {'X-Big': 'small'}}",
			     act.ptr, &m),
			 1);
	ck_assert_str_eq(m.v[0].path, "$.headers.X-Big");
	ck_assert_uint_eq(strlen(m.v[0].message), 4096);
	ck_assert_mem_eq(m.v[0].message, "expected 'small' but found '0123",
			 32);
	mismatches_release(&m);
	buf_release(&act);

	/* the cut does not split a UTF-8 sequence: 2-byte characters from
	 * offset 0, and 4093 falls inside one */
	buf_reset(&big);
	while (big.len < 6000)
		buf_addstr(&big, "\xc3\xa9");
	mismatches_init(&m);
	mismatches_add(&m, "$.x", NULL, NULL, "%s", big.ptr);
	len = strlen(m.v[0].message);
	ck_assert_uint_eq(len, 4092 + 3);
	ck_assert_str_eq(m.v[0].message + 4090, "\xc3\xa9...");
	mismatches_release(&m);
	buf_release(&big);
}
END_TEST

/*
 * A path past 4 KiB (a key of 6,000 bytes from the wire) is cut the same
 * way, never left without the names that did not fit; and a rule's
 * explanation is not emptied by a long key (eachKey quotes it).
 */
START_TEST(test_mismatch_long_path)
{
	struct mismatches m;
	struct buf key, exp, act;
	size_t len;
	buf_init(&key, 0);
	while (key.len < 6000)
		buf_addstr(&key, "abcdefghij");
	buf_init(&exp, 0);
	buf_init(&act, 0);
	buf_addf(&exp, "{'status': 200, 'body': {'%s': 1}}", key.ptr);
	buf_addf(&act, "{'status': 200, 'body': {'%s': 2}}", key.ptr);
	mismatches_init(&m);
	ck_assert_int_eq(run(PART_RESPONSE, SPEC_V3, exp.ptr, act.ptr, &m), 1);
	len = strlen(m.v[0].path);
	ck_assert_uint_eq(len, 4096);
	ck_assert_mem_eq(m.v[0].path, "$.body.abcdefghij", 17);
	ck_assert_str_eq(m.v[0].path + len - 3, "...");
	mismatches_release(&m);

	buf_reset(&exp);
	buf_reset(&act);
	buf_addstr(&exp, "{'status': 200, 'body': {'m': {'abc': 1}}, "
			 "'matchingRules': {'body': {'$.m': {'matchers': "
			 "[{'match': 'eachKey', 'rules': [{'match': 'regex', "
			 "'regex': '[a-c]+'}], 'value': {'abc': 1}}]}}}}");
	buf_addf(&act,
		 "{'status': 200, 'body': {'m': "
		 "{'%s': 1}}}",
		 key.ptr);
	mismatches_init(&m);
	ck_assert_int_eq(run(PART_RESPONSE, SPEC_V4, exp.ptr, act.ptr, &m), 1);
	ck_assert_str_eq(m.v[0].path, "$.body.m");
	ck_assert_mem_eq(m.v[0].message, "key 'abcdefghij", 15);
	ck_assert_uint_eq(strlen(m.v[0].message), 4096);
	mismatches_release(&m);
	buf_release(&exp);
	buf_release(&act);
	buf_release(&key);
}
END_TEST

START_TEST(test_catastrophic_regex)
{
	struct mismatches m;
	struct buf a;
	int i;
	buf_init(&a, 0);
	buf_addstr(&a, "{'body': {'s': '");
	for (i = 0; i < 40; i++)
		buf_addch(&a, 'a');
	buf_addstr(&a, "!'}}");
	mismatches_init(&m);
	run(PART_RESPONSE, V3,
	    "{'body': {'s': 'aaa'}, 'matchingRules': {'body': "
	    "{'$.s': {'matchers': [{'match': 'regex', "
	    "'regex': '(a+)+$'}]}}}}",
	    a.ptr, &m);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_str_eq(m.v[0].path, "$.body.s");
	ck_assert_int_eq(m.limit_hit, 1);
	mismatches_release(&m);
	buf_release(&a);
}
END_TEST

/* ---- the rule index agrees with the scan, on random cases ---- */

struct rnd {
	uint64_t s;
};

static unsigned rnd_below(struct rnd *r, unsigned n)
{
	r->s = hash_xorshift64(r->s);
	return (unsigned)(r->s % n);
}

static const char *const rnd_keys[] = { "a", "b", "c", "0", "x y" };

/* A random JSON value (depth at most 3); `like` is the value it mutates,
 * or NULL for a fresh one. */
static void rnd_value(struct rnd *r, struct buf *b, int depth)
{
	unsigned k = rnd_below(r, depth >= 3 ? 5 : 8), i, n;
	switch (k) {
	case 0:
		buf_addf(b, "%u", rnd_below(r, 100));
		break;
	case 1:
		buf_addf(b, "%u.5", rnd_below(r, 10));
		break;
	case 2:
		buf_addf(b, "\"%s%u\"", rnd_keys[rnd_below(r, 3)],
			 rnd_below(r, 3));
		break;
	case 3:
		buf_addstr(b, rnd_below(r, 2) ? "true" : "null");
		break;
	case 4:
		buf_addstr(b, "\"Z!\"");
		break;
	case 5:
	case 6:
		n = rnd_below(r, 4);
		buf_addch(b, '{');
		for (i = 0; i < n; i++) {
			/* distinct keys: the i-th of a rotation */
			buf_addf(b, "%s\"%s\":", i ? "," : "",
				 rnd_keys[(i + k) % 5]);
			rnd_value(r, b, depth + 1);
		}
		buf_addch(b, '}');
		break;
	default:
		n = rnd_below(r, 4);
		buf_addch(b, '[');
		for (i = 0; i < n; i++) {
			if (i)
				buf_addch(b, ',');
			rnd_value(r, b, depth + 1);
		}
		buf_addch(b, ']');
		break;
	}
}

/* A random rule path ("$.a[*]['x y'].0") and matcher. */
static void rnd_rule(struct rnd *r, struct buf *b, int first)
{
	static const char *const segs[] = { ".a",  ".b",  ".c", ".0",	  "[0]",
					    "[1]", "[*]", ".*", "['x y']" };
	static const char *const ms[] = {
		"{\"match\":\"type\"}",
		"{\"match\":\"type\",\"min\":1}",
		"{\"match\":\"type\",\"max\":1}",
		"{\"match\":\"integer\"}",
		"{\"match\":\"decimal\"}",
		"{\"match\":\"number\"}",
		"{\"match\":\"regex\",\"regex\":\"^[a-c][0-9]$\"}",
		"{\"match\":\"include\",\"value\":\"a\"}",
		"{\"match\":\"equality\"}",
		"{\"match\":\"values\"}",
		"{\"match\":\"null\"}",
		"{\"match\":\"boolean\"}",
	};
	unsigned n = rnd_below(r, 5), i;
	buf_addf(b, "%s\"$", first ? "" : ",");
	for (i = 0; i < n; i++)
		buf_addstr(b, segs[rnd_below(r, 9)]);
	buf_addf(b, "\":{\"matchers\":[%s]}", ms[rnd_below(r, 12)]);
}

START_TEST(test_rule_index_agrees)
{
	struct rnd r = { 0x5eed1234abcdULL + (uint64_t)_i };
	int round;
	for (round = 0; round < 200; round++) {
		struct buf e, a;
		struct mismatches m1, m2;
		struct match_opts o = { SPEC_V3, 0, -1 };
		struct err err;
		cJSON *ej, *aj;
		unsigned n = 1 + rnd_below(&r, 12), i;
		long n1, n2;
		buf_init(&e, 0);
		buf_init(&a, 0);
		buf_addstr(&e, "{\"body\":");
		rnd_value(&r, &e, 0);
		buf_addstr(&e, ",\"matchingRules\":{\"body\":{");
		for (i = 0; i < n; i++)
			rnd_rule(&r, &e, !i);
		buf_addstr(&e, "}}}");
		buf_addstr(&a, "{\"body\":");
		rnd_value(&r, &a, 0);
		buf_addch(&a, '}');
		err_clear(&err);
		ej = json_parse_text("e", e.ptr, e.len, &err);
		aj = json_parse_text("a", a.ptr, a.len, &err);
		ck_assert_ptr_nonnull(ej);
		ck_assert_ptr_nonnull(aj);
		mismatches_init(&m1);
		mismatches_init(&m2);
		n1 = match_parts(_i % 2 ? PART_REQUEST : PART_RESPONSE, ej, aj,
				 &o, &m1, &err);
		o.rule_index = 1;
		n2 = match_parts(_i % 2 ? PART_REQUEST : PART_RESPONSE, ej, aj,
				 &o, &m2, &err);
		ck_assert_msg(n1 == n2 && m1.n == m2.n,
			      "%ld vs %ld mismatches\n  %s\n  %s", n1, n2,
			      e.ptr, a.ptr);
		for (i = 0; i < m1.n; i++) {
			ck_assert_str_eq(m1.v[i].path, m2.v[i].path);
			ck_assert_str_eq(m1.v[i].message, m2.v[i].message);
		}
		mismatches_release(&m1);
		mismatches_release(&m2);
		cJSON_Delete(ej);
		cJSON_Delete(aj);
		buf_release(&e);
		buf_release(&a);
	}
}
END_TEST

static Suite *match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tm = tcase_create("matchers");
	TCase *tr = tcase_create("parts");
	TCase *tb = tcase_create("bodies");
	TCase *tp = tcase_create("reports");

	tcase_add_test(tm, test_equality);
	tcase_add_test(tm, test_regex);
	tcase_add_test(tm, test_type);
	tcase_add_test(tm, test_type_min_max);
	tcase_add_test(tm, test_include);
	tcase_add_test(tm, test_integer);
	tcase_add_test(tm, test_decimal);
	tcase_add_test(tm, test_number);
	tcase_add_test(tm, test_boolean);
	tcase_add_test(tm, test_null);
	tcase_add_test(tm, test_date_time);
	tcase_add_test(tm, test_content_type_text);
	tcase_add_test(tm, test_values);
	tcase_add_test(tm, test_array_contains);
	tcase_add_test(tm, test_each_key);
	tcase_add_test(tm, test_each_value);
	tcase_add_test(tm, test_each_value_type);
	tcase_add_test(tm, test_not_empty);
	tcase_add_test(tm, test_semver);
	tcase_add_test(tm, test_status_code);
	tcase_add_test(tm, test_combine_and_or);
	tcase_add_test(tm, test_v2_most_specific_path);
	suite_add_tcase(s, tm);

	tcase_add_test(tr, test_request_strictness);
	tcase_add_test(tr, test_message_metadata);
	tcase_add_test(tr, test_headers_names_and_values);
	tcase_add_test(tr, test_headers_comma_split);
	tcase_add_test(tr, test_headers_date_not_split);
	tcase_add_test(tr, test_headers_content_type);
	tcase_add_test(tr, test_query);
	tcase_add_test(tr, test_numeric_strings);
	tcase_add_test(tr, test_path_rule);
	tcase_add_test(tr, test_query_v1);
	suite_add_tcase(s, tr);

	tcase_add_test(tb, test_body_presence);
	tcase_add_test(tb, test_text_plain);
	tcase_add_test(tb, test_xml_namespaces);
	tcase_add_test(tb, test_xml_attributes);
	tcase_add_test(tb, test_xml_text_and_children);
	tcase_add_test(tb, test_form_body);
	tcase_add_test(tb, test_binary_content_type);
	tcase_add_test(tb, test_wire_bodies);
	suite_add_tcase(s, tb);

	tcase_add_test(tp, test_mismatch_paths);
	tcase_add_test(tp, test_mismatch_query_path);
	tcase_add_test(tp, test_catastrophic_regex);
	tcase_add_test(tp, test_mismatch_cap);
	tcase_add_test(tp, test_mismatch_long_message);
	tcase_add_test(tp, test_mismatch_long_path);
	tcase_add_test(tp, test_deep_rule_paths);
	tcase_add_loop_test(tb, test_rule_index_agrees, 0, 20);
	/* generous for sanitizer builds; the regex must stop at its limit */
	tcase_set_timeout(tp, 30);
	suite_add_tcase(s, tp);
	return s;
}

int main(void)
{
	return check_run(match_suite());
}
