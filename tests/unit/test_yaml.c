/*
 * test_yaml.c: unit tests for accord's YAML authoring format
 * (contracts/formats/yaml_*.c): the matchers that tags become, the exact error and
 * position for bad input, the limits, and the round trip of the pact-js
 * fixtures through YAML (JSON -> YAML -> model -> JSON at the file's own
 * version must equal the file, and a second YAML write must be identical).
 *
 * The pact-js fixtures live in $ACCORD_SHARED/fixtures-pactjs (default
 * ../shared); the test notes and passes when they are absent. The YAML
 * fixtures are read from $ACCORD_ROOT/fixtures/yaml (default: the current
 * directory, the repository root under `make test`).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "contracts/contracts.h"
#include "tests/unit/check_main.h"

static const char orders[] =
	"consumer: order-web\n"
	"provider: order-service\n"
	"spec: 4\n"
	"interactions:\n"
	"  - description: a request for orders\n"
	"    given:\n"
	"      - name: orders exist\n"
	"        params: {customerId: c-1001, count: 3}\n"
	"      - the shop is open\n"
	"    request:\n"
	"      method: GET\n"
	"      path: !regex {pattern: '^/orders$', example: /orders}\n"
	"      query:\n"
	"        page: !regex {pattern: '^\\d+$', example: '1'}\n"
	"        tag: [gift, priority]\n"
	"      headers:\n"
	"        Authorization: !regex {pattern: '^Bearer .+$', example: "
	"Bearer t}\n"
	"    response:\n"
	"      status: !statusCode {status: success, example: 200}\n"
	"      headers:\n"
	"        Content-Type: application/json; charset=utf-8\n"
	"      body:\n"
	"        total: !integer 3\n"
	"        orders: !eachLike\n"
	"          min: 2\n"
	"          max: 5\n"
	"          example:\n"
	"            id: !regex {pattern: '[0-9a-f-]{36}', example: "
	"7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a01}\n"
	"            price: !decimal 9.99\n"
	"            'odd key': !type x\n"
	"        placed: !date {format: yyyy-MM-dd, example: 2024-05-01}\n"
	"        tags: !arrayContains [gift, {code: !integer 7}]\n"
	"        note: !include {value: thanks, example: many thanks}\n"
	"        both: !matchers\n"
	"          combine: OR\n"
	"          rules: [{match: integer}, {match: decimal}]\n"
	"          example: 1\n"
	"  - description: an OrderPaid event\n"
	"    message:\n"
	"      metadata:\n"
	"        topic: !regex {pattern: '^orders\\.v\\d$', example: orders.v1}\n"
	"      contents:\n"
	"        amount: !number 41.97\n";

static struct contract *read_yaml(const char *s, struct err *e)
{
	err_clear(e);
	return contract_read_yaml("orders.yaml", s, strlen(s), e);
}

static const struct rule *find_rule(const struct rules *rs, const char *cat,
				    const char *key)
{
	const struct rule_set *s = rules_category(rs, cat);
	size_t i;
	if (!s)
		return NULL;
	for (i = 0; i < s->n; i++) {
		const char *k = s->rules[i].key;
		if ((!key && !k) || (key && k && !strcmp(k, key)))
			return &s->rules[i];
	}
	return NULL;
}

/* The one matcher of the rule for (cat, key), asserting it exists. */
static const struct matcher *one_matcher(const struct rules *rs,
					 const char *cat, const char *key,
					 enum matcher_type t)
{
	const struct rule *r = find_rule(rs, cat, key);
	ck_assert_msg(r != NULL, "no %s rule for %s", cat, key ? key : "-");
	ck_assert_uint_eq(r->n, 1);
	ck_assert_int_eq(r->m[0].type, t);
	ck_assert(!r->combine_or);
	return &r->m[0];
}

START_TEST(test_tags_become_rules)
{
	struct err e;
	struct contract *c = read_yaml(orders, &e);
	const struct interaction *ix;
	const struct matcher *m;
	const struct rule *r;
	const cJSON *body, *items, *v;

	ck_assert_msg(c != NULL, "%s:%d:%d %s", e.source, e.line, e.col, e.msg);
	ck_assert_int_eq(c->spec, SPEC_V4);
	ck_assert_str_eq(c->consumer, "order-web");
	ck_assert_uint_eq(c->n, 2);
	ix = &c->ix[0];
	ck_assert_int_eq(ix->type, IX_HTTP);

	/* provider states with and without params */
	ck_assert_uint_eq(ix->nstates, 2);
	ck_assert_str_eq(ix->states[0].name, "orders exist");
	v = cJSON_GetObjectItemCaseSensitive(ix->states[0].params, "count");
	ck_assert(cJSON_IsNumber(v) && v->valuedouble == 3);
	ck_assert_str_eq(ix->states[1].name, "the shop is open");
	ck_assert_ptr_null(ix->states[1].params);

	/* request: path, query, header */
	ck_assert_str_eq(ix->request.path, "/orders");
	m = one_matcher(&ix->request.rules, "path", NULL, M_REGEX);
	ck_assert_str_eq(m->regex, "^/orders$");
	m = one_matcher(&ix->request.rules, "query", "page", M_REGEX);
	ck_assert_str_eq(m->regex, "^\\d+$");
	ck_assert_uint_eq(ix->request.query.n, 2);
	ck_assert_str_eq(ix->request.query.v[0].values[0], "1");
	ck_assert_uint_eq(ix->request.query.v[1].n, 2);
	ck_assert_str_eq(ix->request.query.v[1].values[1], "priority");
	m = one_matcher(&ix->request.rules, "header", "Authorization", M_REGEX);
	ck_assert_str_eq(m->regex, "^Bearer .+$");
	ck_assert_str_eq(
		headers_get(&ix->request.headers, "authorization")->values[0],
		"Bearer t");

	/* response status */
	ck_assert_int_eq(ix->response.status, 200);
	m = one_matcher(&ix->response.rules, "status", "$", M_STATUS_CODE);
	ck_assert_str_eq(m->status_class, "success");

	/* body: examples in place, rules by path */
	body = ix->response.body.json;
	ck_assert(ix->response.body.wrapped);
	ck_assert_str_eq(ix->response.body.content_type, "application/json");
	items = cJSON_GetObjectItemCaseSensitive(body, "orders");
	ck_assert_int_eq(cJSON_GetArraySize(items), 2); /* min copies */
	ck_assert(cJSON_Compare(cJSON_GetArrayItem(items, 0),
				cJSON_GetArrayItem(items, 1), 1));
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 0),
					     "price");
	ck_assert(cJSON_IsNumber(v) && v->valuedouble == 9.99);
	v = cJSON_GetObjectItemCaseSensitive(body, "placed");
	ck_assert_str_eq(v->valuestring, "2024-05-01");

	m = one_matcher(&ix->response.rules, "body", "$.total", M_INTEGER);
	m = one_matcher(&ix->response.rules, "body", "$.orders", M_TYPE);
	ck_assert(m->has_min && m->min == 2 && m->has_max && m->max == 5);
	m = one_matcher(&ix->response.rules, "body", "$.orders[*].id", M_REGEX);
	ck_assert_str_eq(m->regex, "[0-9a-f-]{36}");
	one_matcher(&ix->response.rules, "body", "$.orders[*].price",
		    M_DECIMAL);
	one_matcher(&ix->response.rules, "body", "$.orders[*]['odd key']",
		    M_TYPE);
	m = one_matcher(&ix->response.rules, "body", "$.placed", M_DATE);
	ck_assert_str_eq(m->format, "yyyy-MM-dd");
	m = one_matcher(&ix->response.rules, "body", "$.note", M_INCLUDE);
	ck_assert_str_eq(m->value, "thanks");
	m = one_matcher(&ix->response.rules, "body", "$.tags",
			M_ARRAY_CONTAINS);
	ck_assert_uint_eq(m->nvariants, 2);
	ck_assert_int_eq(m->variants[1].index, 1);
	r = find_rule(&m->variants[1].rules, "body", "$.code");
	ck_assert(r && r->n == 1 && r->m[0].type == M_INTEGER);
	r = find_rule(&ix->response.rules, "body", "$.both");
	ck_assert(r && r->n == 2 && r->combine_or);
	ck_assert_int_eq(r->m[1].type, M_DECIMAL);

	/* the message */
	ix = &c->ix[1];
	ck_assert_int_eq(ix->type, IX_MESSAGE);
	m = one_matcher(&ix->message.rules, "metadata", "topic", M_REGEX);
	one_matcher(&ix->message.rules, "body", "$.amount", M_NUMBER);
	v = cJSON_GetObjectItemCaseSensitive(ix->message.metadata, "topic");
	ck_assert_str_eq(v->valuestring, "orders.v1");
	contract_free(c);
}
END_TEST

/* Explicit matchingRules and tags are merged; clashes are errors. */
START_TEST(test_explicit_rules_merge)
{
	static const char doc[] =
		"consumer: a\n"
		"provider: b\n"
		"interactions:\n"
		"  - description: x\n"
		"    request: {method: GET, path: /}\n"
		"    response:\n"
		"      status: 200\n"
		"      body: {id: !integer 1, name: n}\n"
		"      matchingRules:\n"
		"        body:\n"
		"          $.name: {matchers: [{match: type}]}\n";
	struct err e;
	struct contract *c = read_yaml(doc, &e);
	ck_assert_msg(c != NULL, "%d:%d %s", e.line, e.col, e.msg);
	one_matcher(&c->ix[0].response.rules, "body", "$.id", M_INTEGER);
	one_matcher(&c->ix[0].response.rules, "body", "$.name", M_TYPE);
	contract_free(c);

	/* the same value twice: a tag and an explicit rule */
	c = read_yaml("consumer: a\n"
		      "provider: b\n"
		      "interactions:\n"
		      "  - description: x\n"
		      "    request: {method: GET, path: /}\n"
		      "    response:\n"
		      "      status: 200\n"
		      "      body: {id: !integer 1}\n"
		      "      matchingRules:\n"
		      "        body: {$.id: {matchers: [{match: type}]}}\n",
		      &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_SHAPE);
	ck_assert_str_eq(e.msg, "a second matching rule for '$.id' (combine "
				"matchers with !matchers)");
	ck_assert_int_eq(e.line, 8);
	ck_assert_int_eq(e.col, 18);

	/* an explicit rule the Pact reader rejects, found at its node */
	c = read_yaml("consumer: a\n"
		      "provider: b\n"
		      "interactions:\n"
		      "  - description: x\n"
		      "    request: {method: GET, path: /}\n"
		      "    response:\n"
		      "      status: 200\n"
		      "      body: {id: 1}\n"
		      "      matchingRules:\n"
		      "        body:\n"
		      "          $.id: {matchers: [{match: regx}]}\n",
		      &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_SHAPE);
	ck_assert_str_eq(e.msg, "unknown matcher 'regx'");
	ck_assert_int_eq(e.line, 11);
	ck_assert_int_eq(e.col, 37);
}
END_TEST

/* Asserts that `doc` fails with `code`, message `msg` at line:col. */
static void expect_error(const char *doc, enum err_code code, const char *msg,
			 int line, int col)
{
	struct err e;
	struct buf b;
	struct contract *c = read_yaml(doc, &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, code);
	ck_assert_str_eq(e.msg, msg);
	ck_assert_int_eq(e.line, line);
	ck_assert_int_eq(e.col, col);
	ck_assert_str_eq(e.source, "orders.yaml");
	ck_assert_str_eq(e.pointer, "");
	buf_init(&b, 0);
	ck_assert(!strncmp(err_format(&e, &b), "orders.yaml:", 12));
	buf_release(&b);
}

START_TEST(test_syntax_error)
{
	expect_error("consumer: a\n"
		     "provider: b\n"
		     "interactions:\n"
		     "  - description: x\n"
		     "    request: {method: GET\n"
		     "    response: {status: 200}\n",
		     ERR_SYNTAX,
		     "malformed YAML: did not find expected ',' or '}' while "
		     "parsing a flow mapping",
		     6, 13);
	expect_error("consumer: a\n  provider: b\n", ERR_SYNTAX,
		     "malformed YAML: mapping values are not allowed in this "
		     "context",
		     2, 11);
}
END_TEST

START_TEST(test_unknown_tag)
{
	struct err e;
	struct buf b;
	static const char doc[] =
		"consumer: a\n"
		"provider: b\n"
		"interactions:\n"
		"  - description: x\n"
		"    request: {method: GET, path: /}\n"
		"    response:\n"
		"      status: 200\n"
		"      body:\n"
		"        sku: !regx {pattern: x, example: y}\n";
	expect_error(doc, ERR_SHAPE, "unknown matcher tag '!regx'", 9, 14);
	read_yaml(doc, &e);
	buf_init(&b, 0);
	ck_assert_str_eq(
		err_format(&e, &b),
		"orders.yaml:9:14: error: unknown matcher tag '!regx'");
	buf_release(&b);
}
END_TEST

START_TEST(test_wrong_shape)
{
	/* found by the Pact reader, mapped back from its JSON pointer */
	expect_error("consumer: a\n"
		     "provider: b\n"
		     "interactions:\n"
		     "  - description: x\n"
		     "    request:\n"
		     "      method: [1]\n"
		     "      path: /\n"
		     "    response:\n"
		     "      status: 200\n",
		     ERR_SHAPE, "expected a string, found an array", 6, 15);
	expect_error("consumer: a\n"
		     "provider: b\n"
		     "interactions:\n"
		     "  - description: x\n"
		     "    request: {method: GET, path: /}\n"
		     "    response:\n"
		     "      status: 2000\n",
		     ERR_SHAPE,
		     "status must be an integer from 200 to 999 (1xx is not a "
		     "final response)",
		     7, 15);
	/* a bad regex is reported at its tag */
	expect_error(
		"consumer: a\n"
		"provider: b\n"
		"interactions:\n"
		"  - description: x\n"
		"    request: {method: GET, path: /}\n"
		"    response:\n"
		"      status: 200\n"
		"      body: {id: !regex {pattern: '(', example: y}}\n",
		ERR_REGEX,
		"invalid regex '(' at offset 1: missing closing parenthesis", 8,
		18);
	/* a missing part: the interaction that lacks it */
	expect_error("consumer: a\n"
		     "provider: b\n"
		     "interactions:\n"
		     "  - description: x\n"
		     "    request: {method: GET, path: /}\n",
		     ERR_SHAPE, "missing response", 4, 5);
	/* found while translating */
	expect_error("consumer: a\n"
		     "provider: b\n"
		     "interactions:\n"
		     "  - description: x\n"
		     "    request: {method: GET, path: /}\n"
		     "    response:\n"
		     "      status: 200\n"
		     "      body: {id: !regex {pattern: x, exmple: y}}\n",
		     ERR_SHAPE, "unknown key 'exmple' in !regex", 8, 38);
	expect_error("consumer: a\n"
		     "provider: b\n"
		     "interactions:\n"
		     "  - description: x\n"
		     "    request: {method: GET, path: /}\n"
		     "    response:\n"
		     "      status: 200\n"
		     "      body: {id: 1, id: 2}\n",
		     ERR_SHAPE, "duplicate key 'id'", 8, 21);
	expect_error("consumer: a\n"
		     "provider: b\n"
		     "interactions:\n"
		     "  - description: x\n"
		     "    request: {method: GET, path: /}\n"
		     "    response:\n"
		     "      status: !eachLike {example: 200}\n",
		     ERR_SHAPE, "!eachLike can only be used in a body", 7, 15);
	expect_error("consumer: a\nprovider: b\nspec: 7\ninteractions: []\n",
		     ERR_SHAPE, "unsupported Pact specification version '7'", 3,
		     7);
}
END_TEST

START_TEST(test_limits)
{
	struct buf doc;
	int i, j;
	/* billion laughs: ten levels of ten aliases */
	buf_init(&doc, 0);
	buf_addstr(&doc, "consumer: a\nprovider: b\ninteractions: []\n"
			 "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, "
			 "lol, lol]\n");
	for (i = 1; i < 10; i++) {
		buf_addf(&doc, "x%d: &a%d [", i, i);
		for (j = 0; j < 10; j++)
			buf_addf(&doc, "%s*a%d", j ? ", " : "", i - 1);
		buf_addstr(&doc, "]\n");
	}
	{
		struct err e;
		ck_assert_ptr_null(read_yaml(doc.ptr, &e));
		ck_assert_int_eq(e.code, ERR_LIMIT);
		ck_assert_str_eq(e.msg, "aliases expand the document by more "
					"than 1000000 nodes");
		ck_assert_int_gt(e.line, 0);
	}
	buf_release(&doc);

	/* nesting */
	buf_init(&doc, 0);
	buf_addstr(&doc, "consumer: a\nprovider: b\nx: ");
	for (i = 0; i < 200; i++)
		buf_addch(&doc, '[');
	for (i = 0; i < 200; i++)
		buf_addch(&doc, ']');
	buf_addch(&doc, '\n');
	/* the mapping and 127 lists fit; the 128th list does not */
	expect_error(doc.ptr, ERR_LIMIT, "YAML nested deeper than 128 levels",
		     3, 131);
	buf_release(&doc);

	/* an alias inside its own anchor, an unknown alias */
	expect_error("a: &x [*x]\n", ERR_SHAPE,
		     "alias '*x' is used inside its own anchor", 1, 8);
	expect_error("a: *nope\n", ERR_SHAPE, "unknown alias '*nope'", 1, 4);
	expect_error("a: 1\n---\nb: 2\n", ERR_SHAPE,
		     "a contract is one YAML document, found a second one", 2,
		     1);
}
END_TEST

/* Aliases are expanded: an anchored tag applies wherever it is used. */
START_TEST(test_aliases)
{
	static const char doc[] = "consumer: a\n"
				  "provider: b\n"
				  "interactions:\n"
				  "  - description: x\n"
				  "    request: {method: GET, path: /}\n"
				  "    response:\n"
				  "      status: 200\n"
				  "      body: {a: &n !integer 1, b: [*n]}\n";
	struct err e;
	struct contract *c = read_yaml(doc, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	one_matcher(&c->ix[0].response.rules, "body", "$.a", M_INTEGER);
	one_matcher(&c->ix[0].response.rules, "body", "$.b[0]", M_INTEGER);
	contract_free(c);
}
END_TEST

static char *join(const char *dir, const char *name)
{
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s/%s", dir, name);
	return buf_detach(&b, NULL);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && !strcmp(s + n - m, suffix);
}

/*
 * JSON -> model -> YAML -> model -> JSON at the contract's own version
 * must give back `json`, and writing the second model as YAML must give
 * the same bytes. Returns the first YAML text (free it).
 */
static char *round_trip(const char *name, const char *json, size_t len)
{
	struct err e;
	struct buf y1, y2, out;
	struct contract *c, *c2;
	cJSON *want, *got;
	char *text;

	err_clear(&e);
	c = contract_read_json(name, json, len, &e);
	ck_assert_msg(c != NULL, "%s: %s", name, e.msg);
	buf_init(&y1, 0);
	buf_init(&y2, 0);
	buf_init(&out, 0);
	ck_assert_msg(!contract_write_yaml(c, &y1, &e), "%s: %s", name, e.msg);
	c2 = contract_read_yaml(name, y1.ptr, y1.len, &e);
	ck_assert_msg(c2 != NULL, "%s:%d:%d: %s", name, e.line, e.col, e.msg);
	ck_assert_int_eq(c2->spec, c->spec);
	ck_assert(!contract_write_json(c2, c2->spec, &out, &e));
	want = cJSON_ParseWithLength(json, len);
	got = cJSON_Parse(out.ptr);
	ck_assert(want && got);
	/* cJSON_Compare matches object members by name, in any order */
	ck_assert_msg(cJSON_Compare(want, got, 1), "%s: differs after YAML",
		      name);
	ck_assert(!contract_write_yaml(c2, &y2, &e));
	ck_assert_msg(y1.len == y2.len && !memcmp(y1.ptr, y2.ptr, y1.len),
		      "%s: second YAML write differs", name);
	cJSON_Delete(want);
	cJSON_Delete(got);
	contract_free(c);
	contract_free(c2);
	text = buf_detach(&y1, NULL);
	buf_release(&y2);
	buf_release(&out);
	return text;
}

START_TEST(test_compare_is_order_free)
{
	cJSON *a = cJSON_Parse("{\"a\": 1, \"b\": [1, {\"c\": 2, \"d\": 3}]}");
	cJSON *b = cJSON_Parse("{\"b\": [1, {\"d\": 3, \"c\": 2}], \"a\": 1}");
	cJSON *c = cJSON_Parse("{\"b\": [{\"d\": 3, \"c\": 2}, 1], \"a\": 1}");
	ck_assert(cJSON_Compare(a, b, 1));
	ck_assert(!cJSON_Compare(a, c, 1)); /* arrays keep their order */
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}
END_TEST

START_TEST(test_pactjs_round_trip)
{
	const char *shared = getenv("ACCORD_SHARED");
	char *dir;
	DIR *d;
	struct dirent *de;
	int files = 0;

	if (!shared)
		shared = "../shared";
	dir = join(shared, "fixtures-pactjs");
	d = opendir(dir);
	if (!d) {
		printf("test_yaml: %s not found, pact-js round trip skipped\n",
		       dir);
		free(dir);
		return;
	}
	while ((de = readdir(d))) {
		struct buf in;
		struct err e;
		char *path, *yaml;
		if (!has_suffix(de->d_name, ".json"))
			continue;
		path = join(dir, de->d_name);
		buf_init(&in, 0);
		err_clear(&e);
		ck_assert_msg(!read_file(path, CONTRACT_MAX_FILE, &in, &e),
			      "%s: %s", path, e.msg);
		yaml = round_trip(path, in.ptr, in.len);
		/* the tags did the work: no JSONPath left for a person */
		ck_assert_msg(strstr(yaml, "!regex") != NULL, "%s", path);
		free(yaml);
		buf_release(&in);
		free(path);
		files++;
	}
	closedir(d);
	free(dir);
	ck_assert_int_ge(files, 4);
}
END_TEST

/* The shapes that only older or unusual files have survive too. */
START_TEST(test_legacy_shapes_round_trip)
{
	static const char *const docs[] = {
		/* v4: unwrapped bodies, string headers, a full body object,
		 * sync messages, unknown keys */
		"{\"consumer\":{\"name\":\"c\",\"team\":\"x\"},"
		"\"provider\":{\"name\":\"p\"},"
		"\"metadata\":{\"pactSpecification\":{\"version\":\"4.0\"}},"
		"\"interactions\":["
		"{\"type\":\"Synchronous/HTTP\",\"description\":\"bare\","
		"\"key\":\"k1\",\"pending\":true,"
		"\"request\":{\"method\":\"GET\",\"path\":\"/a\","
		"\"headers\":{\"Accept\":\"application/json\"}},"
		"\"response\":{\"status\":200,\"body\":{\"a\":1},"
		"\"matchingRules\":{\"body\":{\"$\":{\"combine\":\"AND\","
		"\"matchers\":[{\"match\":\"type\"}]},\"$.a\":{\"combine\":"
		"\"AND\",\"matchers\":[{\"match\":\"integer\"}]}}}},"
		"\"transport\":\"http\"},"
		"{\"type\":\"Synchronous/HTTP\",\"description\":\"encoded\","
		"\"request\":{\"method\":\"POST\",\"path\":\"/c\",\"body\":"
		"{\"content\":\"{\\\"a\\\":1}\",\"contentType\":"
		"\"application/json\",\"encoded\":\"JSON\"}},"
		"\"response\":{\"status\":200,\"body\":{\"content\":"
		"{\"big\":1e20,\"small\":1.25e-7,\"s\":\"007\"}}}},"
		"{\"type\":\"Synchronous/Messages\",\"description\":\"sync\","
		"\"request\":{\"contents\":{\"content\":{\"q\":1},"
		"\"contentType\":\"application/json\",\"encoded\":false},"
		"\"metadata\":{\"m\":\"1\"}},"
		"\"response\":[{\"contents\":{\"content\":{\"r\":2},"
		"\"contentType\":\"application/json\",\"encoded\":false},"
		"\"matchingRules\":{\"metadata\":{\"n\":{\"combine\":\"AND\","
		"\"matchers\":[{\"match\":\"regex\",\"regex\":\"^\\\\d$\"}]}}},"
		"\"metadata\":{\"n\":\"5\"}}]}]}",
		/* v3: providerState, metaData, a query string, messages */
		"{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":\"p\"},"
		"\"metadata\":{\"pactSpecification\":{\"version\":\"3.0.0\"}},"
		"\"interactions\":[{\"description\":\"one\",\"providerState\":"
		"\"old\",\"request\":{\"method\":\"GET\",\"path\":\"/\","
		"\"query\":\"a=1&b=2\"},\"response\":{\"status\":200,"
		"\"headers\":{\"X\":\"a, b\"},\"body\":\"line 1\\nline 2\\n\"}}],"
		"\"messages\":[{\"description\":\"m\",\"metaData\":"
		"{\"contentType\":\"application/json\"},\"contents\":{\"x\":1},"
		"\"providerStates\":[{\"name\":\"s\",\"params\":{}}]}]}",
		/* v2: flat rules, one that is not ours, a query that is */
		"{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":\"p\"},"
		"\"metadata\":{\"pactSpecification\":{\"version\":\"2.0.0\"}},"
		"\"interactions\":[{\"description\":\"q\",\"request\":"
		"{\"method\":\"GET\",\"path\":\"/\",\"query\":"
		"\"a=1&a=2&b=x%20y\",\"headers\":{\"x-test\":\"1\"},"
		"\"matchingRules\":{\"$.query.a\":{\"match\":\"regex\","
		"\"regex\":\"\\\\d\"},\"$.path\":{\"match\":\"regex\","
		"\"regex\":\"/.*\"},\"$.header.x-test\":{\"match\":\"type\"}}},"
		"\"response\":{\"status\":200,\"body\":[\"yes\",\"1.0\","
		"\"null\",\"\",\" x\",\"a: b\",\"#c\",\"tab\\there\","
		"\"\\u00e9t\\u00e9\"]}}]}",
	};
	size_t i;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		free(round_trip("legacy.json", docs[i], strlen(docs[i])));
}
END_TEST

/* Strings that look like other types are quoted; numbers stay numbers. */
START_TEST(test_scalars_keep_their_types)
{
	static const char json[] =
		"{\"consumer\":{\"name\":\"c\"},\"provider\":{\"name\":\"p\"},"
		"\"metadata\":{\"pactSpecification\":{\"version\":\"4.0\"}},"
		"\"interactions\":[{\"type\":\"Synchronous/HTTP\","
		"\"description\":\"d\",\"request\":{\"method\":\"GET\","
		"\"path\":\"/\"},\"response\":{\"status\":200,\"body\":"
		"{\"content\":{\"s1\":\"42\",\"s2\":\"true\",\"s3\":\"~\","
		"\"s4\":\"2024-05-01\",\"n1\":42,\"n2\":0.5,\"b\":false,"
		"\"z\":null},\"contentType\":\"application/json\","
		"\"encoded\":false}}}]}";
	char *yaml = round_trip("types.json", json, strlen(json));
	ck_assert_ptr_nonnull(strstr(yaml, "s1: '42'\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "s2: 'true'\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "s3: '~'\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "s4: '2024-05-01'\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "n1: 42\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "n2: 0.5\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "b: false\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "z: null\n"));
	free(yaml);
}
END_TEST

/* The examples under fixtures/yaml read, and write back stably. */
START_TEST(test_yaml_fixtures)
{
	const char *root = getenv("ACCORD_ROOT");
	char *dir = join(root ? root : ".", "fixtures/yaml");
	DIR *d = opendir(dir);
	struct dirent *de;
	int files = 0;

	ck_assert_msg(d != NULL, "%s: not found (set ACCORD_ROOT)", dir);
	while ((de = readdir(d))) {
		struct buf in, y1, y2;
		struct contract *c, *c2;
		struct err e;
		char *path;
		if (!has_suffix(de->d_name, ".yaml"))
			continue;
		path = join(dir, de->d_name);
		buf_init(&in, 0);
		buf_init(&y1, 0);
		buf_init(&y2, 0);
		err_clear(&e);
		ck_assert(!read_file(path, CONTRACT_MAX_FILE, &in, &e));
		c = contract_read_yaml(path, in.ptr, in.len, &e);
		ck_assert_msg(c != NULL, "%s:%d:%d: %s", path, e.line, e.col,
			      e.msg);
		ck_assert_int_gt((int)c->n, 0);
		ck_assert(!contract_write_yaml(c, &y1, &e));
		c2 = contract_read_yaml(path, y1.ptr, y1.len, &e);
		ck_assert_msg(c2 != NULL, "%s (rewritten):%d:%d: %s", path,
			      e.line, e.col, e.msg);
		ck_assert(!contract_write_yaml(c2, &y2, &e));
		ck_assert_msg(y1.len == y2.len &&
				      !memcmp(y1.ptr, y2.ptr, y1.len),
			      "%s: YAML output is not stable", path);
		contract_free(c);
		contract_free(c2);
		buf_release(&in);
		buf_release(&y1);
		buf_release(&y2);
		free(path);
		files++;
	}
	closedir(d);
	free(dir);
	ck_assert_int_ge(files, 2);
}
END_TEST

static Suite *yaml_suite(void)
{
	Suite *s = suite_create("yaml");
	TCase *tc = tcase_create("read");
	TCase *rt = tcase_create("round trip");

	tcase_add_test(tc, test_tags_become_rules);
	tcase_add_test(tc, test_explicit_rules_merge);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_unknown_tag);
	tcase_add_test(tc, test_wrong_shape);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_aliases);
	suite_add_tcase(s, tc);
	tcase_add_test(rt, test_compare_is_order_free);
	tcase_add_test(rt, test_pactjs_round_trip);
	tcase_add_test(rt, test_legacy_shapes_round_trip);
	tcase_add_test(rt, test_scalars_keep_their_types);
	tcase_add_test(rt, test_yaml_fixtures);
	tcase_set_timeout(rt, 60);
	suite_add_tcase(s, rt);
	return s;
}

int main(void)
{
	return check_run(yaml_suite());
}
