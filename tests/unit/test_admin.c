/*
 * test_admin.c: unit tests for the admin API (stubserver/admin.c), called
 * the way a worker calls it, through svc_handle() with a parsed request
 * and no socket: health, the journal (requests, and DELETE), the fault
 * rules (GET, PUT, POST in JSON and YAML, DELETE of one and of all),
 * provider states, metrics, the token, the routes of accord mock and
 * accord record, unknown endpoints (404), wrong methods (405), and which
 * port answers what.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/service.h"
#include "tests/unit/check_main.h"

static const char pact[] =
	"{\"consumer\": {\"name\": \"web\"}, \"provider\": {\"name\": \"api\"},"
	" \"interactions\": ["
	"{\"description\": \"first\", \"request\": {\"method\": \"GET\","
	" \"path\": \"/a\"}, \"response\": {\"status\": 200, \"body\": "
	"{\"id\": 1}}},"
	"{\"description\": \"second\", \"request\": {\"method\": \"GET\","
	" \"path\": \"/b\"}, \"response\": {\"status\": 201}}],"
	" \"metadata\": {\"pactSpecification\": {\"version\": \"3.0.0\"}}}";

static void no_wake(void *ctx)
{
	(void)ctx;
}

static struct stub_set *demo_set(void)
{
	struct err e;
	struct contract *c;
	err_clear(&e);
	c = contract_read_json("t.json", pact, strlen(pact), &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	return stub_set_new(&c, 1);
}

/* The state a server's workers share, serving set (taken). */
static struct shared *serve(const struct stub_config *cfg, struct stub_set *set)
{
	struct shared *sh = svc_new(cfg, set, no_wake, NULL);
	svc_set_url(sh, "http://127.0.0.1:1234");
	return sh;
}

/*
 * Answers "METHOD TARGET" (with more header lines, each ending in CRLF,
 * and a body; both may be NULL) as a connection on `route` would have it
 * answered; out receives the whole response. Returns its status.
 */
static int ask_on(struct shared *sh, enum svc_route route, const char *method,
		  const char *target, const char *headers, const char *body,
		  struct buf *out)
{
	struct http1_request req;
	struct fault_action act;
	struct buf head;
	const char *why = NULL;
	int status = 0;
	long n;
	buf_init(&head, 0);
	/* a loopback Host, and a body said to be JSON unless the test says
	 * otherwise: what the admin API asks of a client without a token */
	buf_addf(&head, "%s %s HTTP/1.1\r\n%s%s%s\r\n", method, target,
		 headers && strstr(headers, "Host:") ? ""
						     : "Host: localhost\r\n",
		 body && !(headers && strstr(headers, "Content-Type:"))
			 ? "Content-Type: application/json\r\n"
			 : "",
		 headers ? headers : "");
	n = http1_parse_request(head.ptr, head.len, &req, &why);
	ck_assert_msg(n > 0, "bad test request: %s", why ? why : "?");
	buf_reset(out);
	svc_handle(sh, &req, body ? body : "", body ? strlen(body) : 0, 1,
		   route, out, &act);
	fault_action_done(&act);
	buf_release(&head);
	ck_assert_int_eq(sscanf(out->ptr, "HTTP/1.1 %d ", &status), 1);
	return status;
}

static int ask(struct shared *sh, const char *method, const char *target,
	       const char *headers, const char *body, struct buf *out)
{
	return ask_on(sh, ROUTE_ALL, method, target, headers, body, out);
}

/* The body of a response. */
static const char *body_of(const struct buf *out)
{
	const char *p = strstr(out->ptr, "\r\n\r\n");
	ck_assert_ptr_nonnull(p);
	return p + 4;
}

/* The body of a response, parsed (caller frees). */
static cJSON *json_of(const struct buf *out)
{
	cJSON *v = cJSON_Parse(body_of(out));
	ck_assert_msg(v != NULL, "not JSON: %s", out->ptr);
	return v;
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* The names of the fault rules GET /__accord/faults lists, "a,b,". */
static void rule_names(struct shared *sh, struct buf *names)
{
	struct buf out;
	const cJSON *r;
	cJSON *o;
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/faults", NULL, NULL, &out),
			 200);
	o = json_of(&out);
	buf_reset(names);
	cJSON_ArrayForEach(r, get(o, "rules"))
	{
		buf_addf(names, "%s,", get(r, "name")->valuestring);
	}
	cJSON_Delete(o);
	buf_release(&out);
}

START_TEST(admin_health)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	cJSON *o;
	stub_config_init(&cfg);
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/health", NULL, NULL, &out),
			 200);
	ck_assert_ptr_nonnull(
		strstr(out.ptr, "Content-Type: application/json"));
	o = json_of(&out);
	ck_assert_str_eq(get(o, "status")->valuestring, "ok");
	ck_assert_int_eq(get(o, "interactions")->valueint, 2);
	ck_assert_str_eq(get(o, "url")->valuestring, "http://127.0.0.1:1234");
	ck_assert(get(o, "uptime_s")->valuedouble >= 0);
	cJSON_Delete(o);
	/* HEAD: the head of the GET, and no body */
	ck_assert_int_eq(ask(sh, "HEAD", "/__accord/health", NULL, NULL, &out),
			 200);
	ck_assert_ptr_nonnull(strstr(out.ptr, "Content-Length: "));
	ck_assert_str_eq(body_of(&out), "");
	buf_release(&out);
	svc_free(sh);
}
END_TEST

START_TEST(admin_requests_and_delete)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	const cJSON *reqs;
	cJSON *o;
	stub_config_init(&cfg);
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "GET", "/a", NULL, NULL, &out), 200);
	ck_assert_int_eq(ask(sh, "GET", "/nope", NULL, NULL, &out), 404);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/requests", NULL, NULL, &out),
			 200);
	o = json_of(&out);
	reqs = get(o, "requests");
	/* the traffic, not the admin calls */
	ck_assert_int_eq(cJSON_GetArraySize(reqs), 2);
	ck_assert_str_eq(
		get(cJSON_GetArrayItem(reqs, 0), "target")->valuestring, "/a");
	ck_assert_str_eq(
		get(cJSON_GetArrayItem(reqs, 0), "interaction")->valuestring,
		"first");
	ck_assert_int_eq(get(cJSON_GetArrayItem(reqs, 1), "status")->valueint,
			 404);
	ck_assert(
		cJSON_IsNull(get(cJSON_GetArrayItem(reqs, 1), "interaction")));
	ck_assert(cJSON_IsNumber(get(o, "seed")));
	cJSON_Delete(o);
	ck_assert_int_eq(
		ask(sh, "DELETE", "/__accord/requests", NULL, NULL, &out), 200);
	o = json_of(&out);
	ck_assert_int_eq(get(o, "cleared")->valueint, 2);
	cJSON_Delete(o);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/requests", NULL, NULL, &out),
			 200);
	o = json_of(&out);
	ck_assert_int_eq(cJSON_GetArraySize(get(o, "requests")), 0);
	cJSON_Delete(o);
	buf_release(&out);
	svc_free(sh);
}
END_TEST

START_TEST(admin_faults_read_replace_add_remove)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out, names;
	cJSON *o;
	stub_config_init(&cfg);
	cfg.has_seed = 1;
	cfg.seed = 99;
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	buf_init(&names, 0);
	rule_names(sh, &names);
	ck_assert_str_eq(names.ptr, "");
	/* PUT: a whole profile, its seed replacing the server's */
	ck_assert_int_eq(ask(sh, "PUT", "/__accord/faults", NULL,
			     "{\"seed\": 7, \"rules\": [{\"name\": \"slow\", "
			     "\"latency\": \"10ms\"}]}",
			     &out),
			 200);
	o = json_of(&out);
	ck_assert_int_eq(get(o, "seed")->valueint, 7);
	cJSON_Delete(o);
	/* POST: one rule in JSON, then one in YAML, appended */
	ck_assert_int_eq(ask(sh, "POST", "/__accord/faults", NULL,
			     "{\"name\": \"boom\", \"error\": 503}", &out),
			 200);
	ck_assert_int_eq(ask(sh, "POST", "/__accord/faults", NULL,
			     "name: cut\ntruncate: {bytes: 3}\n", &out),
			 200);
	rule_names(sh, &names);
	ck_assert_str_eq(names.ptr, "slow,boom,cut,");
	/* a bad profile is refused and changes nothing */
	ck_assert_int_eq(ask(sh, "PUT", "/__accord/faults", NULL,
			     "{\"rules\": [{\"latencyy\": 1}]}", &out),
			 400);
	ck_assert_ptr_nonnull(strstr(body_of(&out), "unknown key 'latencyy'"));
	rule_names(sh, &names);
	ck_assert_str_eq(names.ptr, "slow,boom,cut,");
	/* DELETE one by name; a name that is not there is 404 */
	ck_assert_int_eq(
		ask(sh, "DELETE", "/__accord/faults/boom", NULL, NULL, &out),
		200);
	rule_names(sh, &names);
	ck_assert_str_eq(names.ptr, "slow,cut,");
	ck_assert_int_eq(
		ask(sh, "DELETE", "/__accord/faults/boom", NULL, NULL, &out),
		404);
	/* DELETE them all */
	ck_assert_int_eq(
		ask(sh, "DELETE", "/__accord/faults", NULL, NULL, &out), 200);
	rule_names(sh, &names);
	ck_assert_str_eq(names.ptr, "");
	buf_release(&names);
	buf_release(&out);
	svc_free(sh);
}
END_TEST

START_TEST(admin_faults_apply_to_traffic)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	stub_config_init(&cfg);
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "GET", "/a", NULL, NULL, &out), 200);
	ck_assert_int_eq(ask(sh, "PUT", "/__accord/faults", NULL,
			     "{\"rules\": [{\"name\": \"down\", \"match\": "
			     "{\"path\": \"^/a$\"}, \"error\": {\"status\": "
			     "503, \"body\": \"later\"}}]}",
			     &out),
			 200);
	ck_assert_int_eq(ask(sh, "GET", "/a", NULL, NULL, &out), 503);
	ck_assert_str_eq(body_of(&out), "later");
	ck_assert_int_eq(ask(sh, "GET", "/b", NULL, NULL, &out), 201);
	buf_release(&out);
	svc_free(sh);
}
END_TEST

START_TEST(admin_state)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	cJSON *o;
	stub_config_init(&cfg);
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "PUT", "/__accord/state", NULL,
			     "{\"states\": [\"a user\", \"an order\"]}", &out),
			 200);
	ck_assert_str_eq(
		body_of(&out),
		"{\"states\":[\"a user\",\"an order\"],\"params\":{}}");
	ck_assert_int_eq(ask(sh, "GET", "/__accord/state", NULL, NULL, &out),
			 200);
	ck_assert_ptr_nonnull(
		strstr(body_of(&out), "\"states\":[\"a user\",\"an order\"]"));
	/* a Pact state change call answers with the params */
	ck_assert_int_eq(ask(sh, "POST", "/__accord/state", NULL,
			     "{\"state\": \"a user\", \"params\": {\"id\": 7},"
			     " \"action\": \"setup\"}",
			     &out),
			 200);
	o = json_of(&out);
	ck_assert_int_eq(get(o, "id")->valueint, 7);
	cJSON_Delete(o);
	ck_assert_int_eq(ask(sh, "PUT", "/__accord/state", NULL,
			     "{\"states\": 5}", &out),
			 400);
	ck_assert_int_eq(
		ask(sh, "PUT", "/__accord/state", NULL, "{not json", &out),
		400);
	ck_assert_ptr_nonnull(strstr(body_of(&out), "body is not valid JSON"));
	buf_release(&out);
	svc_free(sh);
}
END_TEST

START_TEST(admin_metrics)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	stub_config_init(&cfg);
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "GET", "/a", NULL, NULL, &out), 200);
	ck_assert_int_eq(ask(sh, "GET", "/a", NULL, NULL, &out), 200);
	ck_assert_int_eq(ask(sh, "GET", "/nope", NULL, NULL, &out), 404);
	svc_conn_opened(sh);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/metrics", NULL, NULL, &out),
			 200);
	ck_assert_ptr_nonnull(
		strstr(out.ptr, "Content-Type: text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(
		body_of(&out),
		"accord_requests_total{interaction=\"first\",status=\"200\"} "
		"2\n"));
	ck_assert_ptr_nonnull(
		strstr(body_of(&out), "\naccord_unmatched_total 1\n"));
	ck_assert_ptr_nonnull(strstr(
		body_of(&out), "\naccord_request_duration_seconds_count 3\n"));
	ck_assert_ptr_nonnull(
		strstr(body_of(&out), "\naccord_open_connections 1\n"));
	svc_conn_closed(sh);
	buf_release(&out);
	svc_free(sh);
}
END_TEST

START_TEST(admin_token)
{
	/* the header a request brings, and the answer it gets */
	static const struct {
		const char *header;
		int status;
	} cases[] = {
		{ NULL, 401 },
		{ "X-Accord-Token: s3cret\r\n", 200 },
		{ "Authorization: Bearer s3cret\r\n", 200 },
		{ "Authorization: bearer s3cret\r\n", 200 },
		{ "Authorization: Bearer s3cre\r\n", 401 },
		{ "Authorization: Bearer s3crets\r\n", 401 },
		{ "Authorization: s3cret\r\n", 401 },
		{ "X-Accord-Token: S3CRET\r\n", 401 },
	};
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	size_t i;
	stub_config_init(&cfg);
	cfg.admin_token = "s3cret";
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(ask(sh, "GET", "/__accord/health",
				  cases[i].header, NULL,
				  &out) == cases[i].status,
			      "case %zu: %s", i, out.ptr);
	/* every route asks, and nothing is changed without it */
	ck_assert_int_eq(
		ask(sh, "DELETE", "/__accord/faults", NULL, NULL, &out), 401);
	ck_assert_int_eq(ask(sh, "PUT", "/__accord/state", NULL,
			     "{\"states\": [\"x\"]}", &out),
			 401);
	/* traffic needs no token */
	ck_assert_int_eq(ask(sh, "GET", "/a", NULL, NULL, &out), 200);
	buf_release(&out);
	svc_free(sh);
}
END_TEST

START_TEST(admin_unknown_routes_and_ports)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	stub_config_init(&cfg);
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/nope", NULL, NULL, &out),
			 404);
	ck_assert_ptr_nonnull(strstr(body_of(&out), "no such admin endpoint"));
	/* the admin API's own port serves only the admin API */
	ck_assert_int_eq(ask_on(sh, ROUTE_ADMIN, "GET", "/a", NULL, NULL, &out),
			 404);
	ck_assert_ptr_nonnull(
		strstr(body_of(&out), "this port serves only /__accord/"));
	ck_assert_int_eq(ask_on(sh, ROUTE_ADMIN, "GET", "/__accord/health",
				NULL, NULL, &out),
			 200);
	/* and the traffic port then has no admin API: a plain miss */
	ck_assert_int_eq(ask_on(sh, ROUTE_TRAFFIC, "GET", "/__accord/health",
				NULL, NULL, &out),
			 404);
	ck_assert_ptr_nonnull(strstr(body_of(&out), "\"nearest\""));
	buf_release(&out);
	svc_free(sh);
}
END_TEST

/* POST /__accord/contract's writer: answers what ctx says. */
static int fake_write(void *ctx, struct err *e)
{
	int rc = *(int *)ctx;
	if (rc)
		err_set(e, ERR_IO, "%s", rc > 0 ? "expected GET /a" : "disk");
	return rc;
}

/*
 * Without a token, what a web page in the user's browser could send is
 * refused: a foreign Host (DNS rebinding), a foreign Origin, a body that
 * is not said to be JSON or YAML (a "simple" cross-origin POST). With a
 * token, the token decides.
 */
START_TEST(admin_browser_guards)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	const char *rule = "{\"name\": \"x\", \"error\": 503}";
	stub_config_init(&cfg);
	sh = serve(&cfg, demo_set());
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/requests",
			     "Host: evil.example:8080\r\n", NULL, &out),
			 403);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/requests",
			     "Host: 127.0.0.1.evil.example\r\n", NULL, &out),
			 403);
	ck_assert_int_eq(ask(sh, "POST", "/__accord/faults",
			     "Origin: http://evil.example\r\n", rule, &out),
			 403);
	ck_assert_int_eq(ask(sh, "POST", "/__accord/faults", "Origin: null\r\n",
			     rule, &out),
			 403);
	ck_assert_int_eq(ask(sh, "POST", "/__accord/faults",
			     "Content-Type: text/plain\r\n", rule, &out),
			 415);
	ck_assert_int_eq(
		ask(sh, "POST", "/__accord/faults",
		    "Content-Type: application/x-www-form-urlencoded\r\n", rule,
		    &out),
		415);
	/* none of those added the rule */
	ck_assert_int_eq(ask(sh, "GET", "/__accord/faults", NULL, NULL, &out),
			 200);
	ck_assert_ptr_null(strstr(body_of(&out), "\"x\""));
	/* the same origin, loopback names, JSON with parameters: allowed */
	ck_assert_int_eq(
		ask(sh, "POST", "/__accord/faults",
		    "Host: localhost:8080\r\n"
		    "Origin: http://localhost:8080\r\n"
		    "Content-Type: application/json; charset=utf-8\r\n",
		    rule, &out),
		200);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/state",
			     "Host: [::1]:8080\r\n", NULL, &out),
			 200);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/state",
			     "Host: 127.0.0.9\r\n", NULL, &out),
			 200);
	buf_release(&out);
	svc_free(sh);
}
END_TEST

START_TEST(admin_wrong_methods)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	int rc = 0;
	stub_config_init(&cfg);
	cfg.mock = stub_mock_new("web", "api");
	cfg.write_contract = fake_write;
	cfg.write_ctx = &rc;
	sh = serve(&cfg, stub_set_new(NULL, 0));
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "PATCH", "/__accord/faults", NULL, "{}", &out),
			 405);
	ck_assert_ptr_nonnull(
		strstr(body_of(&out), "use GET, PUT, POST or DELETE"));
	ck_assert_int_eq(
		ask(sh, "GET", "/__accord/faults/slow", NULL, NULL, &out), 405);
	ck_assert_int_eq(
		ask(sh, "PUT", "/__accord/interactions", NULL, "[]", &out),
		405);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/contract", NULL, NULL, &out),
			 405);
	buf_release(&out);
	svc_free(sh);
	stub_mock_free(cfg.mock);
}
END_TEST

START_TEST(admin_mock_interactions_verify_contract)
{
	struct stub_config cfg;
	struct shared *sh;
	struct buf out;
	int rc = 0;
	cJSON *o;
	stub_config_init(&cfg);
	cfg.mock = stub_mock_new("web", "api");
	cfg.write_contract = fake_write;
	cfg.write_ctx = &rc;
	sh = serve(&cfg, stub_set_new(NULL, 0));
	buf_init(&out, 0);
	ck_assert_int_eq(ask(sh, "POST", "/__accord/interactions", NULL,
			     "{\"description\": \"get a\", \"request\": "
			     "{\"method\": \"GET\", \"path\": \"/a\"}, "
			     "\"response\": {\"status\": 204}}",
			     &out),
			 200);
	ck_assert_str_eq(body_of(&out), "{\"interactions\":1}");
	ck_assert_int_eq(
		ask(sh, "GET", "/__accord/interactions", NULL, NULL, &out),
		200);
	ck_assert_ptr_nonnull(strstr(body_of(&out), "\"get a\""));
	/* expected and not yet received: 409 */
	ck_assert_int_eq(ask(sh, "GET", "/__accord/verify", NULL, NULL, &out),
			 409);
	ck_assert_int_eq(ask(sh, "GET", "/a", NULL, NULL, &out), 204);
	ck_assert_int_eq(ask(sh, "GET", "/__accord/verify", NULL, NULL, &out),
			 200);
	o = json_of(&out);
	ck_assert(cJSON_IsTrue(get(o, "ok")));
	ck_assert_int_eq(get(o, "received")->valueint, 1);
	cJSON_Delete(o);
	/* the contract: written, expectations not met, or an error */
	ck_assert_int_eq(
		ask(sh, "POST", "/__accord/contract", NULL, NULL, &out), 200);
	ck_assert_str_eq(body_of(&out), "{\"status\":\"written\"}");
	rc = 1;
	ck_assert_int_eq(
		ask(sh, "POST", "/__accord/contract", NULL, NULL, &out), 409);
	ck_assert_ptr_nonnull(strstr(body_of(&out), "expected GET /a"));
	rc = -1;
	ck_assert_int_eq(
		ask(sh, "POST", "/__accord/contract", NULL, NULL, &out), 500);
	/* DELETE forgets the expectations */
	ck_assert_int_eq(
		ask(sh, "DELETE", "/__accord/interactions", NULL, NULL, &out),
		200);
	ck_assert_str_eq(body_of(&out), "{\"interactions\":0}");
	buf_release(&out);
	svc_free(sh);
	stub_mock_free(cfg.mock);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("admin");
	TCase *t = tcase_create("admin");
	tcase_add_test(t, admin_health);
	tcase_add_test(t, admin_requests_and_delete);
	tcase_add_test(t, admin_faults_read_replace_add_remove);
	tcase_add_test(t, admin_faults_apply_to_traffic);
	tcase_add_test(t, admin_state);
	tcase_add_test(t, admin_metrics);
	tcase_add_test(t, admin_token);
	tcase_add_test(t, admin_unknown_routes_and_ports);
	tcase_add_test(t, admin_browser_guards);
	tcase_add_test(t, admin_wrong_methods);
	tcase_add_test(t, admin_mock_interactions_verify_contract);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return check_run(suite());
}
