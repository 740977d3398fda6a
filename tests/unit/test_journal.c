/*
 * test_journal.c: unit tests for the request journal (stubserver/
 * journal.c), what GET /__accord/requests answers: a ring that keeps the
 * last N requests in order, sequence numbers that count every request,
 * a reset that forgets the entries but not the count, descriptions read
 * from the set (or kept across a reload), and the JSON shape, with times
 * in milliseconds to the microsecond.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/internal.h"
#include "tests/unit/check_main.h"

/* A set of two interactions, "first" (GET /a) and "second" (GET /b). */
static struct stub_set *two(const char *first, const char *second)
{
	struct err e;
	struct contract *c;
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b,
		 "{\"consumer\": {\"name\": \"c\"}, \"provider\": {\"name\": "
		 "\"p\"}, \"interactions\": ["
		 "{\"description\": \"%s\", \"request\": {\"method\": \"GET\", "
		 "\"path\": \"/a\"}, \"response\": {\"status\": 200}},"
		 "{\"description\": \"%s\", \"request\": {\"method\": \"GET\", "
		 "\"path\": \"/b\"}, \"response\": {\"status\": 200}}],"
		 "\"metadata\": {\"pactSpecification\": {\"version\": "
		 "\"3.0.0\"}}}",
		 first, second);
	err_clear(&e);
	c = contract_read_json("t.json", b.ptr, b.len, &e);
	buf_release(&b);
	ck_assert_msg(c != NULL, "%s", e.msg);
	return stub_set_new(&c, 1);
}

/* Entry i of what GET /__accord/requests would answer. */
static const cJSON *entry(const cJSON *doc, int i)
{
	return cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(doc, "requests"), i);
}

static int count(const cJSON *doc)
{
	return cJSON_GetArraySize(
		cJSON_GetObjectItemCaseSensitive(doc, "requests"));
}

/* How many requests the journal lists now. */
static int listed(const struct stub_journal *jn, const struct stub_set *set)
{
	cJSON *doc = stub_journal_json(jn, set, 0, 0);
	int n = count(doc);
	cJSON_Delete(doc);
	return n;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
	return v->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
	return v->valuestring;
}

START_TEST(journal_keeps_the_last_cap_in_order)
{
	struct stub_journal *jn = stub_journal_new(3);
	struct stub_set *set = two("first", "second");
	cJSON *doc;
	char target[16];
	int i;
	for (i = 1; i <= 5; i++) {
		snprintf(target, sizeof(target), "/r%d", i);
		ck_assert_ptr_nonnull(
			stub_journal_next(jn, "GET", target, 404, 0, 0));
	}
	doc = stub_journal_json(jn, set, 0, 7);
	ck_assert_int_eq(count(doc), 3);
	/* oldest first: requests 3, 4 and 5 */
	for (i = 0; i < 3; i++) {
		char want[16];
		snprintf(want, sizeof(want), "/r%d", i + 3);
		ck_assert_str_eq(str(entry(doc, i), "target"), want);
		ck_assert_int_eq((int)num(entry(doc, i), "seq"), i + 3);
	}
	cJSON_Delete(doc);
	stub_set_free(set);
	stub_journal_free(jn);
}
END_TEST

START_TEST(journal_off_keeps_nothing)
{
	struct stub_journal *jn = stub_journal_new(0);
	struct stub_set *set = two("first", "second");
	ck_assert_ptr_null(stub_journal_next(jn, "GET", "/a", 200, 0, 0));
	ck_assert_int_eq(listed(jn, set), 0);
	ck_assert_uint_eq(stub_journal_clear(jn), 0);
	stub_set_free(set);
	stub_journal_free(jn);
}
END_TEST

START_TEST(journal_delete_resets_entries_not_numbers)
{
	struct stub_journal *jn = stub_journal_new(4);
	struct stub_set *set = two("first", "second");
	struct stub_journal_entry *j;
	cJSON *doc;
	j = stub_journal_next(jn, "POST", "/a-long-target?x=1", 200, 0, 0);
	buf_addstr(&j->session, "s-1");
	stub_journal_next(jn, "GET", "/b", 200, 0, 0);
	ck_assert_uint_eq(stub_journal_clear(jn), 2);
	ck_assert_int_eq(listed(jn, set), 0);
	/* the next entry reuses the first slot: nothing of the old one */
	stub_journal_next(jn, "GET", "/c", 404, 0, 0);
	doc = stub_journal_json(jn, set, 0, 0);
	ck_assert_int_eq(count(doc), 1);
	ck_assert_int_eq((int)num(entry(doc, 0), "seq"), 3);
	ck_assert_str_eq(str(entry(doc, 0), "method"), "GET");
	ck_assert_str_eq(str(entry(doc, 0), "target"), "/c");
	ck_assert_ptr_null(
		cJSON_GetObjectItemCaseSensitive(entry(doc, 0), "session"));
	cJSON_Delete(doc);
	stub_set_free(set);
	stub_journal_free(jn);
}
END_TEST

START_TEST(journal_json_shape)
{
	struct stub_journal *jn = stub_journal_new(8);
	struct stub_set *set = two("first", "second");
	struct stub_journal_entry *j;
	const cJSON *e, *t;
	cJSON *doc;
	char *text;
	/* unmatched, 0.35572 ms: shown as 0.356 */
	stub_journal_next(jn, "GET", "/nope", 404, 0.00035572, 0);
	/* matched interaction #1, with a session, an ordinal and faults */
	j = stub_journal_next(jn, "GET", "/b", 503, 0.0123456789, 0);
	j->matched = 1;
	j->index = 1;
	buf_addstr(&j->session, "run-42");
	j->has_ordinal = 1;
	j->ordinal = 2;
	j->faults = cJSON_Parse("[{\"rule\": \"r\", \"effect\": \"error\"}]");
	/* forwarded by accord record */
	j = stub_journal_next(jn, "PUT", "/up", 502, 0, 0);
	j->forwarded = 1;
	doc = stub_journal_json(jn, set, 0, 12345);
	ck_assert_int_eq((int)num(doc, "seed"), 12345);
	ck_assert_int_eq(count(doc), 3);

	e = entry(doc, 0);
	ck_assert_int_eq((int)num(e, "seq"), 1);
	ck_assert_str_eq(str(e, "method"), "GET");
	ck_assert_str_eq(str(e, "target"), "/nope");
	ck_assert_int_eq((int)num(e, "status"), 404);
	ck_assert(cJSON_IsNull(
		cJSON_GetObjectItemCaseSensitive(e, "interaction")));
	ck_assert_double_eq(num(e, "ms"), 0.356);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(e, "session"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(e, "ordinal"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(e, "faults"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(e, "forwarded"));
	t = cJSON_GetObjectItemCaseSensitive(e, "time");
	ck_assert(cJSON_IsString(t));
	/* 2024-05-01T12:00:00Z */
	ck_assert_uint_eq(strlen(t->valuestring), 20);
	ck_assert_int_eq(t->valuestring[4], '-');
	ck_assert_int_eq(t->valuestring[10], 'T');
	ck_assert_int_eq(t->valuestring[19], 'Z');

	e = entry(doc, 1);
	ck_assert_str_eq(str(e, "interaction"), "second");
	ck_assert_double_eq(num(e, "ms"), 12.346);
	ck_assert_str_eq(str(e, "session"), "run-42");
	ck_assert_int_eq((int)num(e, "ordinal"), 2);
	ck_assert_str_eq(
		str(cJSON_GetArrayItem(
			    cJSON_GetObjectItemCaseSensitive(e, "faults"), 0),
		    "effect"),
		"error");

	e = entry(doc, 2);
	ck_assert(
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "forwarded")));
	ck_assert(cJSON_IsNull(
		cJSON_GetObjectItemCaseSensitive(e, "interaction")));

	/* the text, member order included */
	text = cJSON_PrintUnformatted(entry(doc, 0));
	ck_assert_msg(!strncmp(text, "{\"seq\":1,\"time\":\"", 17), "%s", text);
	ck_assert_ptr_nonnull(strstr(text,
				     "\"method\":\"GET\",\"target\":"
				     "\"/nope\",\"status\":404,"
				     "\"interaction\":null,\"ms\":0.356}"));
	cJSON_free(text);
	cJSON_Delete(doc);
	stub_set_free(set);
	stub_journal_free(jn);
}
END_TEST

START_TEST(journal_ms_to_the_microsecond)
{
	ck_assert_double_eq(stub_ms_shown(0.35572000000000004), 0.356);
	ck_assert_double_eq(stub_ms_shown(12.3454), 12.345);
	ck_assert_double_eq(stub_ms_shown(2), 2);
	ck_assert_double_eq(stub_ms_shown(0.0004), 0);
}
END_TEST

START_TEST(journal_descriptions_survive_a_reload)
{
	struct stub_journal *jn = stub_journal_new(8);
	struct stub_set *old = two("first", "second");
	struct stub_set *fresh = two("renamed", "other");
	struct stub_journal_entry *j;
	cJSON *doc;
	j = stub_journal_next(jn, "GET", "/a", 200, 0, 0);
	j->matched = 1;
	j->index = 0;
	/* the set of generation 0 goes; generation 1 serves from now on */
	stub_journal_keep_descriptions(jn, old, 0);
	stub_set_free(old);
	j = stub_journal_next(jn, "GET", "/a", 200, 0, 1);
	j->matched = 1;
	j->index = 0;
	doc = stub_journal_json(jn, fresh, 1, 0);
	ck_assert_str_eq(str(entry(doc, 0), "interaction"), "first");
	ck_assert_str_eq(str(entry(doc, 1), "interaction"), "renamed");
	cJSON_Delete(doc);
	stub_set_free(fresh);
	stub_journal_free(jn);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("journal");
	TCase *t = tcase_create("journal");
	tcase_add_test(t, journal_keeps_the_last_cap_in_order);
	tcase_add_test(t, journal_off_keeps_nothing);
	tcase_add_test(t, journal_delete_resets_entries_not_numbers);
	tcase_add_test(t, journal_json_shape);
	tcase_add_test(t, journal_ms_to_the_microsecond);
	tcase_add_test(t, journal_descriptions_survive_a_reload);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return check_run(suite());
}
