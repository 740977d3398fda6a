/*
 * test_fault.c: unit tests for fault profiles and decisions
 * (stubserver/fault.c), with no sockets: reading profiles (JSON and YAML,
 * and the errors of bad ones), the latency distributions, triggers
 * (sequence, repeat, times, probability), sessions, determinism from the
 * seed, the log of each decision and a replay from it, the substituted
 * error response, and changes of profile at run time.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stubserver/internal.h"
#include "tests/unit/check_main.h"

static struct fault_profile *profile(const char *name, const char *text)
{
	struct err e;
	struct fault_profile *p;
	err_clear(&e);
	p = fault_profile_read(name, text, strlen(text), &e);
	ck_assert_msg(p != NULL, "profile did not read: %s %s", e.pointer,
		      e.msg);
	return p;
}

/* The error text a bad profile gets, as the CLI prints it. */
static char *profile_error(const char *name, const char *text)
{
	struct err e;
	struct buf b;
	struct fault_profile *p;
	err_clear(&e);
	p = fault_profile_read(name, text, strlen(text), &e);
	ck_assert_msg(p == NULL, "a bad profile was accepted: %s", text);
	buf_init(&b, 0);
	err_format(&e, &b);
	return buf_detach(&b, NULL);
}

static struct fault_engine *engine(const char *yaml, uint64_t seed)
{
	struct fault_profile *p = profile("t.yaml", yaml);
	struct fault_engine *g = fault_engine_new(p, NULL, 1, seed);
	fault_profile_free(p);
	return g;
}

/* One decision for GET path (interaction ix), in session `ses`. */
static void decide(struct fault_engine *g, const char *path, long ix,
		   const char *ses, struct fault_action *a)
{
	struct fault_request q;
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.path = path;
	q.description = ix >= 0 ? "an item" : NULL;
	q.ix = ix;
	q.session = ses;
	q.session_len = ses ? strlen(ses) : 0;
	fault_decide(g, &q, a);
}

static enum fault_outcome outcome(struct fault_engine *g, const char *path,
				  const char *ses)
{
	struct fault_action a;
	enum fault_outcome o;
	decide(g, path, 0, ses, &a);
	o = a.outcome;
	fault_action_done(&a);
	return o;
}

static double delay(struct fault_engine *g, const char *path, long ix)
{
	struct fault_action a;
	double d;
	decide(g, path, ix, NULL, &a);
	d = a.delay_ms;
	fault_action_done(&a);
	return d;
}

/* ---- reading ---- */

START_TEST(test_read_yaml_and_json)
{
	struct fault_profile *y = profile(
		"p.yaml", "seed: 9\nrules:\n  - name: a\n    latency: 10ms\n"
			  "  - error: {status: 503}\n    probability: 0.5\n");
	struct fault_profile *j = profile(
		"p.json", "{\"rules\": [{\"reset\": true, \"times\": 2}]}");
	uint64_t seed = 0;
	ck_assert_uint_eq(fault_profile_count(y), 2);
	ck_assert_str_eq(fault_rule_name(y, 0), "a");
	/* a nameless rule is named after its position */
	ck_assert_str_eq(fault_rule_name(y, 1), "rule-2");
	ck_assert_int_eq(fault_profile_seed(y, &seed), 1);
	ck_assert_uint_eq(seed, 9);
	ck_assert_int_eq(fault_profile_seed(j, &seed), 0);
	ck_assert_uint_eq(fault_profile_count(j), 1);
	fault_profile_free(y);
	fault_profile_free(j);
}
END_TEST

START_TEST(test_bad_profiles)
{
	static const struct {
		const char *name, *text, *want;
	} cases[] = {
		{ "p.yaml", "rules:\n  - error: 503\n    probabilty: 0.5\n",
		  "p.yaml:3:17: error: unknown key 'probabilty'" },
		{ "p.yaml", "rules:\n  - latency: 10 parsecs\n",
		  "p.yaml:2:14: error: expected a duration such as 250ms, "
		  "1.5s or 2m, not '10 parsecs'" },
		{ "p.json",
		  "{\"rules\": [{\"match\": {\"path\": \"(\"}, "
		  "\"close\": true}]}",
		  "p.json: error: /rules/0/match/path: invalid regex '(' at "
		  "offset 1: missing closing parenthesis" },
		/* a 1xx error answer would leave the client waiting */
		{ "p.yaml", "rules:\n  - error: 100\n",
		  "p.yaml:2:12: error: expected an integer from 200 to 999" },
		{ "p.json", "{\"rules\": [{\"error\": {\"status\": 199}}]}",
		  "p.json: error: /rules/0/error/status: expected an integer "
		  "from 200 to 999" },
		{ "p.json", "{\"rules\": [{\"name\": \"x\"}]}",
		  "p.json: error: /rules/0: rule 'x' has no effect (latency, "
		  "error, reset, close, truncate, garbage, malformed-chunk, "
		  "hang, bandwidth, slow-head)" },
		{ "p.json",
		  "{\"rules\": [{\"name\": \"x\", \"close\": true}, "
		  "{\"name\": \"x\", \"reset\": true}]}",
		  "p.json: error: /rules/1/name: rule name 'x' is used twice" },
		{ "p.json",
		  "{\"rules\": [{\"error\": 503, \"probability\": 2}]}",
		  "p.json: error: /rules/0/probability: expected a number "
		  "from 0 to 1" },
		{ "p.json",
		  "{\"rules\": [{\"latency\": {\"percentiles\": {\"p50\": "
		  "\"50ms\", \"p95\": \"10ms\", \"p99\": \"90ms\"}}}]}",
		  "p.json: error: /rules/0/latency/percentiles: needs p50 <= "
		  "p95 <= p99" },
		{ "p.json",
		  "{\"rules\": [{\"close\": true, \"every\": \"10s\", \"for\": "
		  "\"20s\"}]}",
		  "p.json: error: /rules/0/every: every needs a 'for' window "
		  "shorter than itself" },
		{ "p.json",
		  "{\"rules\": [{\"hang\": true, \"bandwidth\": 10}]}",
		  "p.json: error: /rules/0: a hang sends nothing: bandwidth "
		  "and slow-head do not apply" },
		{ "p.json", "[1, 2]",
		  "p.json: error: a fault profile is an object: {seed, rules: "
		  "[...]}" },
		{ "p.yaml", "rules: [\n",
		  "p.yaml:2:1: error: malformed YAML: did not find expected "
		  "node content while parsing a flow node" },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = profile_error(cases[i].name, cases[i].text);
		ck_assert_msg(!strcmp(got, cases[i].want),
			      "case %zu:\n got: %s\nwant: %s", i, got,
			      cases[i].want);
		free(got);
	}
}
END_TEST

/* ---- effects and distributions ---- */

START_TEST(test_latency_kinds)
{
	struct fault_engine *g = engine(
		"rules:\n"
		"  - {match: {path: '^/f$'}, latency: 250ms}\n"
		"  - {match: {path: '^/u$'}, latency: '100ms..200ms'}\n"
		"  - {match: {path: '^/n$'}, latency: {normal: {mean: 100ms, "
		"stddev: 10ms}}}\n"
		"  - {match: {path: '^/l$'}, latency: {lognormal: {median: "
		"50ms, sigma: 0.5}}}\n"
		"  - {match: {path: '^/p$'}, latency: {percentiles: {p50: "
		"20ms, p95: 80ms, p99: 150ms}}}\n",
		1);
	double sum = 0, sq = 0, v[4000];
	long i, below;
	ck_assert(fabs(delay(g, "/f", 0) - 250) < 1e-9);
	for (i = 0; i < 4000; i++) {
		double d = delay(g, "/u", i);
		ck_assert(d >= 100 && d <= 200);
		sum += d;
	}
	ck_assert(fabs(sum / 4000 - 150) < 3); /* sd of the mean: 0.46 */
	sum = 0;
	for (i = 0; i < 4000; i++) {
		double d = delay(g, "/n", i);
		sum += d;
		sq += d * d;
	}
	ck_assert(fabs(sum / 4000 - 100) < 1);
	ck_assert(fabs(sqrt(sq / 4000 - (sum / 4000) * (sum / 4000)) - 10) < 1);
	for (below = 0, i = 0; i < 4000; i++)
		below += delay(g, "/l", i) < 50;
	ck_assert(below > 1800 && below < 2200); /* the median */
	for (i = 0; i < 4000; i++)
		v[i] = delay(g, "/p", i);
	for (below = 0, i = 0; i < 4000; i++)
		below += v[i] <= 20;
	ck_assert(below > 1850 && below < 2150);
	for (below = 0, i = 0; i < 4000; i++)
		below += v[i] <= 80;
	ck_assert(below > 3700 && below < 3900);
	fault_engine_free(g);
}
END_TEST

START_TEST(test_outcome_values)
{
	struct fault_engine *g = engine(
		"rules:\n"
		"  - {match: {path: '^/t$'}, truncate: {fraction: 0.25}}\n"
		"  - {match: {path: '^/g$'}, garbage: {bytes: 9}}\n"
		"  - {match: {path: '^/h$'}, hang: 2s}\n"
		"  - {match: {path: '^/b$'}, bandwidth: 10KB/s, slow-head: "
		"1s}\n"
		"  - {match: {path: '^/b$'}, bandwidth: 2KiB/s, latency: 5}\n",
		3);
	struct fault_action a;
	decide(g, "/t", 0, NULL, &a);
	ck_assert_int_eq(a.outcome, FAULT_TRUNCATE);
	ck_assert_int_eq(a.trunc_bytes, -1);
	ck_assert(fabs(a.trunc_fraction - 0.25) < 1e-12);
	fault_action_done(&a);
	decide(g, "/g", 0, NULL, &a);
	ck_assert_int_eq(a.outcome, FAULT_GARBAGE);
	ck_assert_uint_eq(a.garbage_bytes, 9);
	fault_action_done(&a);
	decide(g, "/h", 0, NULL, &a);
	ck_assert_int_eq(a.outcome, FAULT_HANG);
	ck_assert(fabs(a.hang_ms - 2000) < 1e-9);
	fault_action_done(&a);
	/* two rules apply: the lowest bandwidth, delays add up */
	decide(g, "/b", 0, NULL, &a);
	ck_assert_int_eq(a.outcome, FAULT_NONE);
	ck_assert(fabs(a.bandwidth - 2048) < 1e-9);
	ck_assert(fabs(a.slow_head_ms - 1000) < 1e-9);
	ck_assert(fabs(a.delay_ms - 5) < 1e-9);
	fault_action_done(&a);
	fault_engine_free(g);
}
END_TEST

START_TEST(test_first_outcome_wins)
{
	struct fault_engine *g = engine("rules:\n"
					"  - {latency: 10ms}\n"
					"  - {error: 502}\n"
					"  - {reset: true}\n",
					1);
	struct fault_action a;
	decide(g, "/x", 0, NULL, &a);
	ck_assert_int_eq(a.outcome, FAULT_ERROR);
	ck_assert_int_eq(a.status, 502);
	ck_assert(fabs(a.delay_ms - 10) < 1e-9);
	fault_action_done(&a);
	fault_engine_free(g);
}
END_TEST

START_TEST(test_error_response)
{
	struct fault_engine *g = engine(
		"rules:\n  - error:\n      status: 503\n"
		"      headers: {Retry-After: '1', Set-Cookie: [a=1, "
		"b=2], Content-Length: '99'}\n"
		"      body: {error: down}\n",
		1);
	struct fault_action a;
	struct buf b;
	decide(g, "/x", 0, NULL, &a);
	buf_init(&b, 0);
	fault_error_response(&a, 0, 1, &b);
	ck_assert_str_eq(b.ptr, "HTTP/1.1 503 Service Unavailable\r\n"
				"Retry-After: 1\r\n"
				"Set-Cookie: a=1\r\n"
				"Set-Cookie: b=2\r\n"
				"Content-Type: application/json\r\n"
				"Content-Length: 16\r\n\r\n"
				"{\"error\":\"down\"}");
	buf_reset(&b);
	fault_error_response(&a, 1, 0, &b);
	ck_assert_ptr_nonnull(strstr(b.ptr, "Connection: close\r\n\r\n"));
	ck_assert_ptr_null(strstr(b.ptr, "{\"error\""));
	buf_release(&b);
	fault_action_done(&a);
	fault_engine_free(g);
}
END_TEST

/* ---- triggers ---- */

START_TEST(test_sequence_and_repeat)
{
	struct fault_engine *g = engine(
		"rules:\n"
		"  - {match: {path: '^/s$'}, sequence: [error, error, ok], "
		"error: 503}\n"
		"  - {match: {path: '^/r$'}, sequence: [ok, reset], repeat: "
		"true, reset: true}\n",
		1);
	static const enum fault_outcome s[] = { FAULT_ERROR, FAULT_ERROR,
						FAULT_NONE, FAULT_NONE,
						FAULT_NONE };
	static const enum fault_outcome r[] = { FAULT_NONE, FAULT_RESET,
						FAULT_NONE, FAULT_RESET,
						FAULT_NONE };
	size_t i;
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(outcome(g, "/s", NULL), s[i]);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(outcome(g, "/r", NULL), r[i]);
	/* a session has a sequence of its own */
	ck_assert_int_eq(outcome(g, "/s", "other"), FAULT_ERROR);
	fault_engine_free(g);
}
END_TEST

START_TEST(test_times_per_session)
{
	struct fault_engine *g = engine("rules:\n  - {times: 2, close: true}\n",
					1);
	ck_assert_int_eq(outcome(g, "/a", NULL), FAULT_CLOSE);
	ck_assert_int_eq(outcome(g, "/b", NULL), FAULT_CLOSE);
	ck_assert_int_eq(outcome(g, "/a", NULL), FAULT_NONE);
	ck_assert_int_eq(outcome(g, "/a", "s1"), FAULT_CLOSE);
	ck_assert_int_eq(outcome(g, "/a", "s1"), FAULT_CLOSE);
	ck_assert_int_eq(outcome(g, "/a", "s1"), FAULT_NONE);
	fault_engine_free(g);
}
END_TEST

START_TEST(test_probability_and_seed)
{
	struct fault_engine *g1 = engine("rules:\n  - {probability: 0.3, "
					 "error: 500}\n",
					 42);
	struct fault_engine *g2 = engine("rules:\n  - {probability: 0.3, "
					 "error: 500}\n",
					 42);
	struct fault_engine *g3 = engine("rules:\n  - {probability: 0.3, "
					 "error: 500}\n",
					 43);
	long i, n = 0, same = 0, differ = 0;
	for (i = 0; i < 10000; i++) {
		enum fault_outcome a = outcome(g1, "/x", NULL);
		enum fault_outcome b = outcome(g2, "/x", NULL);
		enum fault_outcome c = outcome(g3, "/x", NULL);
		n += a == FAULT_ERROR;
		same += a == b;
		differ += a != c;
	}
	/* 3000 +- 4 standard deviations (45.8) */
	ck_assert_msg(n >= 2817 && n <= 3183, "%ld errors", n);
	ck_assert_int_eq(same, 10000);
	ck_assert(differ > 1000);
	fault_engine_free(g1);
	fault_engine_free(g2);
	fault_engine_free(g3);
}
END_TEST

START_TEST(test_windows)
{
	/* `after` counts from the start of a session's first request */
	struct fault_engine *g = engine(
		"rules:\n  - {after: 200ms, error: 503}\n"
		"  - {match: {path: '^/w$'}, for: 1h, reset: true}\n",
		1);
	struct timespec ts = { 0, 250 * 1000 * 1000 };
	ck_assert_int_eq(outcome(g, "/x", "late"), FAULT_NONE);
	nanosleep(&ts, NULL);
	ck_assert_int_eq(outcome(g, "/x", "late"), FAULT_ERROR);
	/* a new session starts its own clock */
	ck_assert_int_eq(outcome(g, "/x", "new"), FAULT_NONE);
	ck_assert_int_eq(outcome(g, "/w", "new"), FAULT_RESET);
	fault_engine_free(g);
}
END_TEST

START_TEST(test_match_fields)
{
	struct fault_engine *g = engine(
		"rules:\n"
		"  - {match: {method: [POST, put], state: 'has stock'}, "
		"error: 409}\n"
		"  - {match: {description: '^an item$', path: items}, close: "
		"true}\n",
		1);
	struct fault_request q;
	struct fault_action a;
	const char *states[] = { "logged in", "has stock" };
	memset(&q, 0, sizeof(q));
	q.method = "PUT";
	q.path = "/orders";
	q.ix = 1;
	q.states = states;
	q.nstates = 2;
	fault_decide(g, &q, &a);
	ck_assert_int_eq(a.outcome, FAULT_ERROR);
	fault_action_done(&a);
	q.nstates = 1; /* not the state */
	fault_decide(g, &q, &a);
	ck_assert_int_eq(a.outcome, FAULT_NONE);
	fault_action_done(&a);
	q.method = "GET";
	q.path = "/api/items/1";
	q.description = "an item";
	fault_decide(g, &q, &a);
	ck_assert_int_eq(a.outcome, FAULT_CLOSE);
	fault_action_done(&a);
	q.description = NULL; /* unmatched: a description rule skips it */
	fault_decide(g, &q, &a);
	ck_assert_int_eq(a.outcome, FAULT_NONE);
	fault_action_done(&a);
	fault_engine_free(g);
}
END_TEST

/* ---- logs, replays, run-time changes ---- */

START_TEST(test_log_and_replay)
{
	struct fault_engine *g = engine(
		"rules:\n  - {name: j, latency: '1ms..50ms'}\n"
		"  - {name: e, probability: 0.5, error: {status: 502, body: "
		"oops}}\n",
		5);
	struct buf journal;
	struct fault_replay *rp;
	struct fault_engine *r;
	struct err e;
	enum fault_outcome first[50];
	double delays[50];
	long i;
	buf_init(&journal, 0);
	buf_addstr(&journal, "{\"seed\": 5, \"requests\": [");
	for (i = 0; i < 50; i++) {
		struct fault_action a;
		char *log;
		decide(g, "/x", 0, i % 2 ? "s" : NULL, &a);
		ck_assert_ptr_nonnull(a.log);
		ck_assert(a.has_ordinal);
		ck_assert_uint_eq(a.ordinal, (uint64_t)(i / 2));
		first[i] = a.outcome;
		delays[i] = a.delay_ms;
		log = cJSON_PrintUnformatted(a.log);
		buf_addf(&journal,
			 "%s{\"interaction\": \"an item\", \"ordinal\": %ld, "
			 "%s\"faults\": %s}",
			 i ? ", " : "", i / 2,
			 i % 2 ? "\"session\": \"s\", " : "", log);
		free(log);
		fault_action_done(&a);
	}
	buf_addstr(&journal, "]}");
	err_clear(&e);
	rp = fault_replay_read("j.json", journal.ptr, journal.len, &e);
	ck_assert_msg(rp != NULL, "%s", e.msg);
	ck_assert_uint_eq(fault_replay_count(rp), 50);
	r = fault_engine_new(NULL, rp, 0, 0);
	for (i = 0; i < 50; i++) {
		struct fault_action a;
		decide(r, "/x", 0, i % 2 ? "s" : NULL, &a);
		ck_assert_int_eq(a.outcome, first[i]);
		ck_assert(fabs(a.delay_ms - delays[i]) < 1e-9);
		if (a.outcome == FAULT_ERROR) {
			ck_assert_int_eq(a.status, 502);
			ck_assert_str_eq(a.error_body->valuestring, "oops");
		}
		fault_action_done(&a);
	}
	buf_release(&journal);
	fault_engine_free(r);
	fault_engine_free(g);
}
END_TEST

START_TEST(test_install_and_copy)
{
	struct fault_engine *g = engine("rules:\n  - {name: a, match: {path: "
					"x}, sequence: [ok, close], close: "
					"true}\n",
					1);
	struct fault_profile *cur, *p;
	struct err e;
	cJSON *add = cJSON_Parse("{\"name\": \"b\", \"match\": {\"path\": "
				 "\"^/b$\"}, \"error\": 418}");
	cJSON *json;
	char *text;
	err_clear(&e);
	ck_assert_int_eq(outcome(g, "/x", NULL), FAULT_NONE);
	/* POST: a copy with one more rule; counters kept */
	cur = fault_engine_profile(g);
	p = fault_profile_copy(cur, &e);
	fault_profile_free(cur);
	ck_assert_int_eq(fault_profile_add(p, add, &e), 0);
	fault_engine_install(g, p, 0);
	ck_assert_int_eq(outcome(g, "/x", NULL), FAULT_CLOSE);
	ck_assert_int_eq(outcome(g, "/b", NULL), FAULT_ERROR);
	/* the profile as JSON: the rules as given, with their names */
	cur = fault_engine_profile(g);
	json = fault_profile_to_cjson(cur);
	text = cJSON_PrintUnformatted(json);
	ck_assert_str_eq(text, "{\"rules\":[{\"name\":\"a\",\"match\":{"
			       "\"path\":\"x\"},\"sequence\":["
			       "\"ok\",\"close\"],\"close\":true},{\"name\":"
			       "\"b\",\"match\":{\"path\":\"^/b$\"},\"error\":"
			       "418}]}");
	free(text);
	cJSON_Delete(json);
	/* DELETE one: a copy without it */
	p = fault_profile_copy(cur, &e);
	fault_profile_free(cur);
	ck_assert_int_eq(fault_profile_remove(p, "b"), 0);
	ck_assert_int_eq(fault_profile_remove(p, "b"), -1);
	fault_engine_install(g, p, 0);
	ck_assert_int_eq(outcome(g, "/b", NULL), FAULT_NONE);
	/* PUT: counters start afresh */
	p = profile("p.yaml", "seed: 77\nrules:\n  - {name: a, match: {path: "
			      "x}, sequence: [ok, close], close: true}\n");
	fault_engine_install(g, p, 1);
	ck_assert_uint_eq(fault_engine_seed(g), 77);
	ck_assert_int_eq(outcome(g, "/x", NULL), FAULT_NONE);
	ck_assert_int_eq(outcome(g, "/x", NULL), FAULT_CLOSE);
	/* nothing installed: no decision, no ordinal */
	fault_engine_install(g, fault_profile_new(), 1);
	ck_assert_int_eq(fault_engine_active(g), 0);
	cJSON_Delete(add);
	fault_engine_free(g);
}
END_TEST

/* Rules renamed at run time again and again: the metrics stay bounded. */
START_TEST(test_metrics_bounded)
{
	struct fault_engine *g = engine("rules:\n  - {name: r0, error: 500}\n",
					1);
	struct buf b;
	const char *p;
	size_t lines = 0;
	int i;
	for (i = 1; i <= 5000; i++) {
		char text[64];
		snprintf(text, sizeof(text),
			 "rules:\n  - {name: r%d, error: 500}\n", i);
		ck_assert_int_eq(outcome(g, "/x", NULL), FAULT_ERROR);
		fault_engine_install(g, profile("p.yaml", text), 1);
	}
	buf_init(&b, 0);
	fault_engine_metrics(g, &b);
	for (p = b.ptr; (p = strstr(p, "accord_faults_total{")); p++)
		lines++;
	ck_assert_uint_le(lines, 4097);
	ck_assert_ptr_nonnull(
		strstr(b.ptr, "rule=\"(other)\",effect=\"error\"} 904"));
	buf_release(&b);
	fault_engine_free(g);
}
END_TEST

static Suite *fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tr = tcase_create("read");
	TCase *te = tcase_create("effects");
	TCase *tt = tcase_create("triggers");
	TCase *tl = tcase_create("logs");

	tcase_add_test(tr, test_read_yaml_and_json);
	tcase_add_test(tr, test_bad_profiles);
	suite_add_tcase(s, tr);

	tcase_add_test(te, test_latency_kinds);
	tcase_add_test(te, test_outcome_values);
	tcase_add_test(te, test_first_outcome_wins);
	tcase_add_test(te, test_error_response);
	suite_add_tcase(s, te);

	tcase_add_test(tt, test_sequence_and_repeat);
	tcase_add_test(tt, test_times_per_session);
	tcase_add_test(tt, test_probability_and_seed);
	tcase_add_test(tt, test_windows);
	tcase_add_test(tt, test_match_fields);
	tcase_set_timeout(tt, 30);
	suite_add_tcase(s, tt);

	tcase_add_test(tl, test_log_and_replay);
	tcase_add_test(tl, test_install_and_copy);
	tcase_add_test(tl, test_metrics_bounded);
	suite_add_tcase(s, tl);
	return s;
}

int main(void)
{
	return check_run(fault_suite());
}
