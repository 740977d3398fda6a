/*
 * test_mock.c: unit tests for recording: merging a pact with new
 * interactions (contracts/insight/merge.c: replaced by description and provider
 * states, others kept, parties checked), the matchers inferred for
 * --generalize (body_infer_rules), and the mock's expectations
 * (stubserver/mock.c: registration in any version, received and
 * unexpected requests, the verification report). The recorder
 * (stubserver/record.c) has test_record.c.
 *
 * JSON is written with ' in place of " for readability.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/internal.h"
#include "tests/unit/check_main.h"

static char *jtext(const char *s)
{
	char *out = xstrdup(s), *p;
	for (p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

static cJSON *J(const char *s)
{
	char *t = jtext(s);
	cJSON *v = cJSON_Parse(t);
	free(t);
	ck_assert_msg(v != NULL, "bad test JSON: %s", s);
	return v;
}

static struct contract *C(const char *s)
{
	char *t = jtext(s);
	struct err e;
	struct contract *c;
	err_clear(&e);
	c = contract_read_json("t.json", t, strlen(t), &e);
	free(t);
	ck_assert_msg(c != NULL, "contract did not read: %s %s", e.pointer,
		      e.msg);
	return c;
}

#define PACT(ixs)                                                              \
	"{'consumer':{'name':'web'},'provider':{'name':'api'},"                \
	"'metadata':{'pactSpecification':{'version':'3.0.0'}},"                \
	"'interactions':[" ixs "]}"

static cJSON *interactions_of(const struct contract *c)
{
	struct err e;
	cJSON *doc;
	err_clear(&e);
	doc = contract_to_cjson(c, SPEC_V3, &e);
	ck_assert(doc != NULL);
	return doc;
}

static const char *desc_at(const cJSON *doc, int i)
{
	const cJSON *ix = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(doc, "interactions"), i);
	return cJSON_GetObjectItemCaseSensitive(ix, "description")->valuestring;
}

static int status_at(const cJSON *doc, int i)
{
	const cJSON *ix = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(doc, "interactions"), i);
	return cJSON_GetObjectItemCaseSensitive(
		       cJSON_GetObjectItemCaseSensitive(ix, "response"),
		       "status")
		->valueint;
}

/* ---- merge ---- */

START_TEST(merge_replaces_same_key_keeps_others)
{
	struct contract *old = C(PACT(
		"{'description':'a','providerStates':[{'name':'s'}],"
		"'request':{'method':'GET','path':'/a'},'response':{'status':"
		"410}},"
		"{'description':'b','request':{'method':'GET','path':'/b'},"
		"'response':{'status':200}}"));
	struct contract *add = C(PACT(
		"{'description':'a','providerStates':[{'name':'s'}],"
		"'request':{'method':'GET','path':'/a'},'response':{'status':"
		"200}},"
		"{'description':'c','request':{'method':'GET','path':'/c'},"
		"'response':{'status':201}}"));
	struct err e;
	struct contract *m;
	cJSON *doc;
	err_clear(&e);
	m = contract_merge(old, add, SPEC_V3, &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	ck_assert_uint_eq(m->n, 3);
	doc = interactions_of(m);
	ck_assert_str_eq(desc_at(doc, 0), "a");
	ck_assert_int_eq(status_at(doc, 0), 200); /* replaced in place */
	ck_assert_str_eq(desc_at(doc, 1), "b");
	ck_assert_str_eq(desc_at(doc, 2), "c");
	cJSON_Delete(doc);
	contract_free(m);
	contract_free(old);
	contract_free(add);
}
END_TEST

START_TEST(merge_other_states_are_other_interactions)
{
	struct contract *old = C(PACT(
		"{'description':'a','providerStates':[{'name':'s',"
		"'params':{'id':1}}],'request':{'method':'GET','path':'/a'},"
		"'response':{'status':200}}"));
	struct contract *add = C(PACT(
		"{'description':'a','providerStates':[{'name':'s',"
		"'params':{'id':2}}],'request':{'method':'GET','path':'/a'},"
		"'response':{'status':404}},"
		"{'description':'a','request':{'method':'GET','path':'/a'},"
		"'response':{'status':500}}"));
	struct err e;
	struct contract *m;
	err_clear(&e);
	m = contract_merge(old, add, SPEC_V3, &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	ck_assert_uint_eq(m->n, 3);
	contract_free(m);
	contract_free(old);
	contract_free(add);
}
END_TEST

START_TEST(merge_v2_state_matches_v3_states)
{
	struct contract *old = C(
		"{'consumer':{'name':'web'},'provider':{'name':'api'},"
		"'metadata':{'pactSpecification':{'version':'2.0.0'}},"
		"'interactions':[{'description':'a','providerState':'s',"
		"'request':{'method':'GET','path':'/a'},'response':{'status':"
		"410}}]}");
	struct contract *add = C(PACT(
		"{'description':'a','providerStates':[{'name':'s'}],"
		"'request':{'method':'GET','path':'/a'},'response':{'status':"
		"200}}"));
	struct err e;
	struct contract *m;
	cJSON *doc;
	err_clear(&e);
	m = contract_merge(old, add, SPEC_V3, &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	ck_assert_uint_eq(m->n, 1);
	doc = interactions_of(m);
	ck_assert_int_eq(status_at(doc, 0), 200);
	cJSON_Delete(doc);
	contract_free(m);
	contract_free(old);
	contract_free(add);
}
END_TEST

START_TEST(merge_refuses_other_parties)
{
	struct contract *old = C(
		"{'consumer':{'name':'other'},'provider':{'name':'api'},"
		"'interactions':[]}");
	struct contract *add = C(PACT(""));
	struct err e;
	err_clear(&e);
	ck_assert_ptr_null(contract_merge(old, add, SPEC_V3, &e));
	ck_assert(strstr(e.msg, "'other'") != NULL);
	contract_free(old);
	contract_free(add);
}
END_TEST

START_TEST(merge_without_old)
{
	struct contract *add = C(PACT(
		"{'description':'a','request':{'method':'GET','path':'/a'},"
		"'response':{'status':200}}"));
	struct err e;
	struct contract *m;
	err_clear(&e);
	m = contract_merge(NULL, add, SPEC_V4, &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	ck_assert_uint_eq(m->n, 1);
	ck_assert_int_eq(m->spec, SPEC_V4);
	contract_free(m);
	contract_free(add);
}
END_TEST

/* ---- generalization ---- */

/* The matcher name inferred at path, or NULL. */
static const char *rule_at(const cJSON *cat, const char *path)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(cat, path);
	const cJSON *m = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(r, "matchers"), 0);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "match");
	return cJSON_IsString(name) ? name->valuestring : NULL;
}

START_TEST(generalize_scalars)
{
	cJSON *body = J("{'id':42,'price':9.99,'paid':true,'name':'Boo',"
			"'uuid':'7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a01',"
			"'day':'2024-05-01','at':'2024-05-01T10:15:30.123Z',"
			"'at2':'2024-05-01T10:15:30+02:00','none':null,"
			"'odd key':1}");
	cJSON *cat = body_infer_rules(body, SPEC_V4);
	ck_assert_ptr_nonnull(cat);
	ck_assert_str_eq(rule_at(cat, "$.id"), "integer");
	ck_assert_str_eq(rule_at(cat, "$.price"), "decimal");
	ck_assert_str_eq(rule_at(cat, "$.paid"), "boolean");
	ck_assert_ptr_null(rule_at(cat, "$.name")); /* literal */
	ck_assert_ptr_null(rule_at(cat, "$.none"));
	ck_assert_str_eq(rule_at(cat, "$.uuid"), "regex");
	ck_assert_str_eq(rule_at(cat, "$.day"), "date");
	ck_assert_str_eq(rule_at(cat, "$.at"), "regex");
	ck_assert_str_eq(rule_at(cat, "$.at2"), "regex");
	ck_assert_str_eq(rule_at(cat, "$['odd key']"), "integer");
	cJSON_Delete(cat);
	cJSON_Delete(body);
}
END_TEST

START_TEST(generalize_booleans_before_v4_are_types)
{
	cJSON *body = J("{'paid':false}");
	cJSON *cat = body_infer_rules(body, SPEC_V3);
	ck_assert_str_eq(rule_at(cat, "$.paid"), "type");
	cJSON_Delete(cat);
	cJSON_Delete(body);
}
END_TEST

START_TEST(generalize_arrays_of_like_items)
{
	cJSON *body = J("{'items':[{'sku':'A','qty':1},{'sku':'B','qty':2}],"
			"'mixed':[1,'two'],'empty':[],'ids':[1,2,3]}");
	cJSON *cat = body_infer_rules(body, SPEC_V4);
	const cJSON *m = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cat, "$.items"),
			"matchers"),
		0);
	ck_assert_str_eq(rule_at(cat, "$.items"), "type");
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(m, "min")->valueint,
			 1);
	ck_assert_str_eq(rule_at(cat, "$.items[*].qty"), "integer");
	ck_assert_ptr_null(rule_at(cat, "$.items[*].sku"));
	ck_assert_ptr_null(rule_at(cat, "$.mixed")); /* unlike: literal */
	ck_assert_ptr_null(rule_at(cat, "$.mixed[*]"));
	ck_assert_ptr_null(rule_at(cat, "$.empty"));
	ck_assert_str_eq(rule_at(cat, "$.ids"), "type");
	ck_assert_str_eq(rule_at(cat, "$.ids[*]"), "integer");
	cJSON_Delete(cat);
	cJSON_Delete(body);
}
END_TEST

START_TEST(generalize_near_misses_stay_literal)
{
	cJSON *body = J("{'a':'7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a0g',"
			"'b':'2024-5-01','c':'2024-05-01T10:15:30',"
			"'d':'2024-05-01T10:15:30.Z','e':'12'}");
	ck_assert_ptr_null(body_infer_rules(body, SPEC_V4));
	cJSON_Delete(body);
}
END_TEST

START_TEST(generalize_request_only_volatile)
{
	cJSON *body = J("{'id':42,'paid':true,'name':'Boo',"
			"'key':'7a1c3b52-4f0e-4d8a-9b36-2c5e8f1d9a01',"
			"'lines':[{'sku':'A','on':'2024-05-01'},{'qty':2}],"
			"'at':'2024-05-01T10:15:30Z'}");
	cJSON *cat = body_infer_volatile(body), *m;
	ck_assert_ptr_nonnull(cat);
	ck_assert_str_eq(rule_at(cat, "$.key"), "regex");
	ck_assert_str_eq(rule_at(cat, "$.at"), "regex");
	ck_assert_str_eq(rule_at(cat, "$.lines[0].on"), "date");
	ck_assert_ptr_null(rule_at(cat, "$.id")); /* literal in requests */
	ck_assert_ptr_null(rule_at(cat, "$.paid"));
	ck_assert_ptr_null(rule_at(cat, "$.lines"));
	ck_assert_ptr_null(rule_at(cat, "$.lines[*].on"));
	ck_assert_int_eq(cJSON_GetArraySize(cat), 3);
	cJSON_Delete(cat);
	cJSON_Delete(body);
	body = J("{'id':42,'tags':['a','b']}");
	ck_assert_ptr_null(body_infer_volatile(body));
	cJSON_Delete(body);
	m = value_infer_matcher("2024-05-01");
	ck_assert_str_eq(cJSON_GetObjectItem(m, "match")->valuestring, "date");
	cJSON_Delete(m);
	ck_assert_ptr_null(value_infer_matcher("mug"));
}
END_TEST

START_TEST(generalized_rules_read_back)
{
	/* the inferred rules are valid v4 matching rules that match the
	 * observed body and reject another type */
	cJSON *body = J("{'id':42,'items':[{'qty':1}]}");
	cJSON *cat = body_infer_rules(body, SPEC_V4);
	cJSON *exp = cJSON_CreateObject(), *act = J("{'body':{'id':7,"
						    "'items':[{'qty':3},"
						    "{'qty':4}]}}");
	cJSON *bad = J("{'body':{'id':'x','items':[{'qty':3}]}}");
	cJSON *mr = cJSON_AddObjectToObject(exp, "matchingRules");
	struct match_opts o = { SPEC_V4, 0, 0 };
	struct mismatches mm;
	struct err e;
	cJSON_AddItemToObject(exp, "body", body);
	cJSON_AddItemToObject(mr, "body", cat);
	err_clear(&e);
	mismatches_init(&mm);
	ck_assert_int_eq(match_parts(PART_RESPONSE, exp, act, &o, &mm, &e), 0);
	mismatches_release(&mm);
	mismatches_init(&mm);
	ck_assert_int_gt(match_parts(PART_RESPONSE, exp, bad, &o, &mm, &e), 0);
	mismatches_release(&mm);
	cJSON_Delete(exp);
	cJSON_Delete(act);
	cJSON_Delete(bad);
}
END_TEST

/* ---- the mock's expectations ---- */

static const char ix_a[] = "{'description':'a','request':{'method':'GET',"
			   "'path':'/a'},'response':{'status':200}}";

START_TEST(mock_registers_and_verifies)
{
	struct stub_mock *m = stub_mock_new("web", "api");
	char *t = jtext(ix_a);
	struct err e;
	cJSON *r;
	int ok;
	err_clear(&e);
	ck_assert_int_eq(stub_mock_add(m, "body", t, strlen(t), &e), 0);
	ck_assert_uint_eq(stub_mock_count(m), 1);
	r = stub_mock_verify(m, &ok);
	ck_assert_int_eq(ok, 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
				 r, "missing")),
			 1);
	cJSON_Delete(r);
	stub_mock_received(m, 0);
	r = stub_mock_verify(m, &ok);
	ck_assert_int_eq(ok, 1);
	cJSON_Delete(r);
	stub_mock_unexpected(m, "GET", "/b", NULL);
	r = stub_mock_verify(m, &ok);
	ck_assert_int_eq(ok, 0);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(r, "unexpected_count")
				 ->valueint,
			 1);
	cJSON_Delete(r);
	stub_mock_clear(m);
	ck_assert_uint_eq(stub_mock_count(m), 0);
	r = stub_mock_verify(m, &ok);
	ck_assert_int_eq(ok, 1);
	cJSON_Delete(r);
	free(t);
	stub_mock_free(m);
}
END_TEST

START_TEST(mock_accepts_lists_versions_and_yaml)
{
	struct stub_mock *m = stub_mock_new("web", "api");
	char *list = jtext("[{'description':'v2','request':{'method':'GET',"
			   "'path':'/v2','headers':{'X':'1'}},'response':{"
			   "'status':200},'matchingRules':{}},"
			   "{'description':'v2 rules','request':{'method':"
			   "'GET','path':'/r','matchingRules':{'$.path':{"
			   "'regex':'/r.*'}}},'response':{'status':200}}]");
	char *v4 = jtext("{'type':'Synchronous/HTTP','description':'v4',"
			 "'request':{'method':'GET','path':'/v4'},"
			 "'response':{'status':200}}");
	const char *yaml = "consumer: web\nprovider: api\ninteractions:\n"
			   "  - description: y\n    request:\n"
			   "      method: GET\n      path: /y\n"
			   "    response:\n      status: 204\n";
	const char *bare = "# a comment\ndescription: bare\nrequest:\n"
			   "  method: GET\n  path: /bare\nresponse:\n"
			   "  status: 200\n  body:\n    id: !integer 1\n";
	struct contract *c;
	struct stub_set *set;
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(stub_mock_add(m, "l", list, strlen(list), &e), 0);
	ck_assert_int_eq(stub_mock_add(m, "v", v4, strlen(v4), &e), 0);
	ck_assert_int_eq(stub_mock_add(m, "y", yaml, strlen(yaml), &e), 0);
	/* one interaction in YAML, with a comment and a matcher tag */
	ck_assert_int_eq(stub_mock_add(m, "y1", bare, strlen(bare), &e), 0);
	ck_assert_uint_eq(stub_mock_count(m), 5);
	set = stub_mock_set(m, &e);
	ck_assert_ptr_nonnull(set);
	ck_assert_uint_eq(stub_set_count(set), 5);
	ck_assert_str_eq(stub_set_description(set, 3), "y");
	ck_assert_str_eq(stub_set_description(set, 4), "bare");
	stub_set_free(set);
	c = stub_mock_contract(m, &e);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->consumer, "web");
	ck_assert_uint_eq(c->n, 5);
	contract_free(c);
	ck_assert_int_eq(stub_mock_add(m, "bad", "{'x'", 4, &e), -1);
	ck_assert_int_eq(stub_mock_add(m, "empty", " ", 1, &e), -1);
	free(list);
	free(v4);
	stub_mock_free(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mock");
	TCase *t = tcase_create("merge");
	tcase_add_test(t, merge_replaces_same_key_keeps_others);
	tcase_add_test(t, merge_other_states_are_other_interactions);
	tcase_add_test(t, merge_v2_state_matches_v3_states);
	tcase_add_test(t, merge_refuses_other_parties);
	tcase_add_test(t, merge_without_old);
	suite_add_tcase(s, t);
	t = tcase_create("generalize");
	tcase_add_test(t, generalize_scalars);
	tcase_add_test(t, generalize_booleans_before_v4_are_types);
	tcase_add_test(t, generalize_arrays_of_like_items);
	tcase_add_test(t, generalize_near_misses_stay_literal);
	tcase_add_test(t, generalize_request_only_volatile);
	tcase_add_test(t, generalized_rules_read_back);
	suite_add_tcase(s, t);
	t = tcase_create("expectations");
	tcase_add_test(t, mock_registers_and_verifies);
	tcase_add_test(t, mock_accepts_lists_versions_and_yaml);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return check_run(suite());
}
