/*
 * admin.c: the admin API under /__accord/: health, the request journal
 * (requests), Prometheus metrics, provider states (state), fault rules
 * (faults) and, for accord mock and accord record, interactions, verify
 * and contract. Each route checks the token, reads its body and answers;
 * what it changes lives in states.c, journal.c, metrics.c, fault.c and
 * mock.c.
 */
#include "stubserver/shared.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Does the token sent, [p, p+n), equal the server's, t[0..tn)? In time
 * that depends on the lengths only, never on where they first differ, so
 * that timing answers cannot spell the token out byte by byte.
 */
static int token_equal(const char *p, size_t n, const char *t, size_t tn)
{
	volatile unsigned char d = (unsigned char)(n != tn);
	size_t i;
	for (i = 0; i < tn; i++)
		d |= (unsigned char)(t[i] ^ (i < n ? p[i] : 0));
	return !d;
}

/* Is [p, p+n) a name or address that only reaches this machine? */
static int loopback_host(const char *p, size_t n)
{
	static const char local[] = "localhost", dotlocal[] = ".localhost";
	const size_t nl = sizeof(local) - 1, nd = sizeof(dotlocal) - 1;
	size_t i;
	if (n && p[0] == '[') /* an IPv6 literal, its port after ']' */
		return n >= 5 && !memcmp(p, "[::1]", 5) &&
		       (n == 5 || p[5] == ':');
	for (i = 0; i < n && p[i] != ':'; i++)
		;
	n = i; /* the port, if any, is not the host's business */
	if ((n == nl && !str_ncasecmp(p, local, nl)) ||
	    (n > nd && !str_ncasecmp(p + n - nd, dotlocal, nd)))
		return 1; /* RFC 6761: *.localhost never leaves the machine */
	if (n < 4 || memcmp(p, "127.", 4))
		return 0;
	for (i = 4; i < n; i++)
		if (!(p[i] == '.' || (p[i] >= '0' && p[i] <= '9')))
			return 0;
	return 1;
}

/* Is the media type of a body one the admin API reads (JSON or YAML)? */
static int admin_media_type(const struct http1_header *ct)
{
	static const char *const ok[] = {
		"application/json", "application/yaml", "application/x-yaml",
		"text/yaml",	    "text/x-yaml",	NULL
	};
	size_t n, i;
	if (!ct)
		return 0;
	for (n = 0; n < ct->value_len && ct->value[n] != ';' &&
		    ct->value[n] != ' ' && ct->value[n] != '\t';
	     n++)
		;
	for (i = 0; ok[i]; i++)
		if (strlen(ok[i]) == n && !str_ncasecmp(ct->value, ok[i], n))
			return 1;
	return n > 5 && !str_ncasecmp(ct->value + n - 5, "+json", 5);
}

/*
 * Whether the admin API may answer this request: NULL, or the reason it
 * may not (*status set). With --admin-token, the token decides (compared
 * in constant time). Without one the server is on a loopback address, and
 * what must be kept out is the user's own browser: a page may POST a
 * "simple" request (text/plain, no preflight) to a loopback port, and DNS
 * rebinding lets it read answers under a name of its own. So the Host
 * must be a loopback name or address, an Origin (browsers send one with
 * every cross-origin POST) must be this very origin, and a body must say
 * it is JSON or YAML, which no simple request can.
 */
static const char *admin_refusal(struct shared *sh,
				 const struct http1_request *req, size_t len,
				 int *status)
{
	static const char bearer[] = "Bearer ";
	static const char http[] = "http://";
	const size_t nb = sizeof(bearer) - 1, nh = sizeof(http) - 1;
	const struct http1_header *h, *host;
	const char *t = sh->cfg->admin_token;
	if (t) {
		size_t n = strlen(t);
		h = http1_header(req, "X-Accord-Token");
		if (h && token_equal(h->value, h->value_len, t, n))
			return NULL;
		h = http1_header(req, "Authorization");
		if (h && h->value_len >= nb &&
		    !str_ncasecmp(h->value, bearer, nb) &&
		    token_equal(h->value + nb, h->value_len - nb, t, n))
			return NULL;
		*status = 401;
		return "admin API needs the --admin-token";
	}
	*status = 403;
	host = http1_header(req, "Host");
	if (host && !loopback_host(host->value, host->value_len))
		return "admin API: the Host is not a loopback name or address "
		       "(a foreign page through DNS rebinding?); use "
		       "--admin-token to reach it under another name";
	h = http1_header(req, "Origin");
	if (h && !(host && h->value_len == nh + host->value_len &&
		   !str_ncasecmp(h->value, http, nh) &&
		   !str_ncasecmp(h->value + nh, host->value, host->value_len)))
		return "admin API: a request from another origin (a web "
		       "page) is refused; use --admin-token to allow it";
	if (len && !admin_media_type(http1_header(req, "Content-Type"))) {
		*status = 415;
		return "admin API: a body must be sent as application/json or "
		       "application/yaml";
	}
	return NULL;
}

/*
 * PUT /__accord/state ({"states": [...]} or {"state": NAME}), answered
 * with the states chosen, or POST, a Pact provider-state change call,
 * answered with their params (the verifier feeds them to ProviderState
 * generators).
 */
static void state_admin(struct shared *sh, const cJSON *b, int put, int head,
			int keep, struct buf *out)
{
	const char *bad;
	cJSON *o = NULL;
	pthread_mutex_lock(&sh->lock);
	bad = put ? stub_stateset_put(sh->states, b)
		  : stub_stateset_change(sh->states, b);
	if (!bad && put)
		o = stub_stateset_json(sh->states);
	else if (!bad)
		o = cJSON_Duplicate(stub_stateset_params(sh->states), 1);
	pthread_mutex_unlock(&sh->lock);
	if (bad)
		stub_respond_error(400, bad, head, keep, out);
	else
		stub_respond_json_take(200, o, head, keep, out);
}

static cJSON *faults_json(struct shared *sh)
{
	struct fault_profile *p = fault_engine_profile(sh->faults);
	cJSON *o = fault_profile_to_cjson(p);
	fault_profile_free(p);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "seed");
	cJSON_AddNumberToObject(o, "seed",
				(double)fault_engine_seed(sh->faults));
	return o;
}

static int add_parsed(void *ctx, const cJSON *doc, struct err *e)
{
	return fault_profile_add(ctx, doc, e);
}

/*
 * /__accord/faults: GET the rules, PUT a whole profile (JSON or YAML; the
 * counters start afresh), POST one rule or a list of rules (appended;
 * counters kept), DELETE every rule, DELETE /__accord/faults/NAME one
 * (`name` is NAME, NULL for /__accord/faults itself).
 */
static void faults_admin(struct shared *sh, const struct http_request *r,
			 const char *name, const char *body, size_t len,
			 int head, int keep, struct buf *out)
{
	struct fault_profile *p = NULL;
	struct err e;
	err_clear(&e);
	if (name && !strcmp(r->method, "DELETE")) {
		struct fault_profile *cur = fault_engine_profile(sh->faults);
		p = fault_profile_copy(cur, &e);
		fault_profile_free(cur);
		if (!p || fault_profile_remove(p, name)) {
			fault_profile_free(p);
			stub_respond_error(404, "no fault rule of that name",
					   head, keep, out);
			return;
		}
		fault_engine_install(sh->faults, p, 0);
	} else if (name) {
		stub_respond_error(405, "a single rule can only be DELETEd",
				   head, keep, out);
		return;
	} else if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
		stub_respond_json_take(200, faults_json(sh), head, keep, out);
		return;
	} else if (!strcmp(r->method, "PUT")) {
		p = fault_profile_read("body", body, len, &e);
		if (!p) {
			stub_respond_err(400, &e, head, keep, out);
			return;
		}
		fault_engine_install(sh->faults, p, 1);
	} else if (!strcmp(r->method, "POST")) {
		struct fault_profile *cur = fault_engine_profile(sh->faults);
		cJSON *doc = NULL;
		int rc;
		p = fault_profile_copy(cur, &e);
		fault_profile_free(cur);
		if (!p) {
			stub_respond_err(500, &e, head, keep, out);
			return;
		}
		if (len && (body[0] == '{' || body[0] == '[')) {
			doc = json_parse_text("body", body, len, &e);
			rc = doc ? fault_profile_add(p, doc, &e) : -1;
			cJSON_Delete(doc);
		} else {
			rc = yaml_data_read("body", body, len, add_parsed, p,
					    &e);
		}
		if (rc) {
			fault_profile_free(p);
			stub_respond_err(400, &e, head, keep, out);
			return;
		}
		fault_engine_install(sh->faults, p, 0);
	} else if (!strcmp(r->method, "DELETE")) {
		fault_engine_install(sh->faults, fault_profile_new(), 1);
	} else {
		stub_respond_error(405, "use GET, PUT, POST or DELETE", head,
				   keep, out);
		return;
	}
	stub_respond_json_take(200, faults_json(sh), head, keep, out);
}

/*
 * The admin endpoints of accord mock and accord record:
 * /__accord/interactions (GET the expectations, POST more: JSON or YAML,
 * DELETE them all), GET /__accord/verify, POST /__accord/contract. Returns
 * 0 when `what` is none of them.
 */
static int mode_admin(struct shared *sh, const struct http_request *r,
		      const char *what, const char *body, size_t len, int head,
		      int keep, struct buf *out)
{
	const struct stub_config *cfg = sh->cfg;
	struct stub_mock *m = cfg->mock;
	struct err e;
	err_clear(&e);
	if (!strcmp(what, "interactions") && m) {
		int rc = 0;
		if (!strcmp(r->method, "GET") || head) {
			stub_respond_json_take(200, stub_mock_json(m), head,
					       keep, out);
			return 1;
		}
		if (strcmp(r->method, "POST") && strcmp(r->method, "DELETE")) {
			stub_respond_error(405, "use GET, POST or DELETE", head,
					   keep, out);
			return 1;
		}
		/* the expectations change under the set lock, and the set
		 * is rebuilt from them by the next request that needs it
		 * (mock_refresh): registering n expectations one call at a
		 * time then builds one set, not n */
		pthread_rwlock_wrlock(&sh->set_lock);
		if (!strcmp(r->method, "DELETE"))
			stub_mock_clear(m);
		else
			rc = stub_mock_add(m, "body", body, len, &e);
		if (!rc)
			atomic_store(&sh->set_stale, 1);
		pthread_rwlock_unlock(&sh->set_lock);
		if (rc) {
			stub_respond_err(400, &e, head, keep, out);
			return 1;
		}
		{
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "interactions",
						(double)stub_mock_count(m));
			stub_respond_json_take(200, o, head, keep, out);
		}
		return 1;
	}
	if (!strcmp(what, "verify") && m) {
		int ok;
		cJSON *o = stub_mock_verify(m, &ok);
		stub_respond_json_take(ok ? 200 : 409, o, head, keep, out);
		return 1;
	}
	if (!strcmp(what, "contract") && cfg->write_contract) {
		/* POST is taken off the loop (svc_is_contract_call) */
		if (strcmp(r->method, "POST")) {
			stub_respond_error(405, "use POST", head, keep, out);
			return 1;
		}
		svc_write_contract(sh, keep, out);
		return 1;
	}
	return 0;
}

int svc_is_contract_call(struct shared *sh, const struct http1_request *req,
			 enum svc_route route)
{
	static const char path[] = "/__accord/contract";
	size_t n = sizeof(path) - 1;
	const struct http1_header *cl = http1_header(req, "Content-Length");
	/* the body is not read yet: whether there is one is what counts */
	size_t body = http1_header(req, "Transfer-Encoding") ||
		      (cl && !(cl->value_len == 1 && cl->value[0] == '0'));
	int status;
	return sh->cfg->write_contract && route != ROUTE_TRAFFIC &&
	       req->method_len == 4 && !memcmp(req->method, "POST", 4) &&
	       req->target_len >= n && !memcmp(req->target, path, n) &&
	       (req->target_len == n || req->target[n] == '?') &&
	       !admin_refusal(sh, req, body, &status);
}

void svc_write_contract(struct shared *sh, int keep_alive, struct buf *out)
{
	const struct stub_config *cfg = sh->cfg;
	struct err e;
	int rc;
	cJSON *o;
	err_clear(&e);
	rc = cfg->write_contract(cfg->write_ctx, &e);
	if (rc) {
		stub_respond_err(rc > 0 ? 409 : 500, &e, 0, keep_alive, out);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "written");
	stub_respond_json_take(200, o, 0, keep_alive, out);
}

void svc_admin(struct shared *sh, const struct http1_request *req,
	       const struct http_request *r, const char *body, size_t len,
	       int keep, struct buf *out)
{
	static const char one_rule[] = "faults/";
	const char *what = r->path + STUB_ADMIN_PREFIX_LEN;
	int head = !strcmp(r->method, "HEAD");
	int get = head || !strcmp(r->method, "GET");
	cJSON *b = NULL;
	int status;
	const char *refused = admin_refusal(sh, req, len, &status);
	if (refused) {
		stub_respond_error(status, refused, head, keep, out);
		return;
	}
	if (!strcmp(what, "faults")) {
		faults_admin(sh, r, NULL, body, len, head, keep, out);
		return;
	}
	if (!strncmp(what, one_rule, sizeof(one_rule) - 1)) {
		faults_admin(sh, r, what + sizeof(one_rule) - 1, body, len,
			     head, keep, out);
		return;
	}
	if (mode_admin(sh, r, what, body, len, head, keep, out))
		return;
	if (len) {
		b = json_parse_text("body", body, len, NULL);
		if (!b) {
			stub_respond_error(400, "body is not valid JSON", head,
					   keep, out);
			return;
		}
	}
	if (!strcmp(what, "health") && get) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", "ok");
		pthread_rwlock_rdlock(&sh->set_lock);
		cJSON_AddNumberToObject(o, "interactions",
					(double)stub_set_count(sh->set));
		pthread_rwlock_unlock(&sh->set_lock);
		cJSON_AddNumberToObject(o, "uptime_s",
					(double)(time(NULL) - sh->started));
		cJSON_AddStringToObject(o, "url", sh->url);
		stub_respond_json_take(200, o, head, keep, out);
	} else if (!strcmp(what, "requests") && get) {
		pthread_rwlock_rdlock(&sh->set_lock); /* descriptions */
		pthread_mutex_lock(&sh->lock);
		stub_respond_json_take(
			200,
			stub_journal_json(sh->journal, sh->set, sh->gen,
					  fault_engine_seed(sh->faults)),
			head, keep, out);
		pthread_mutex_unlock(&sh->lock);
		pthread_rwlock_unlock(&sh->set_lock);
	} else if (!strcmp(what, "requests") && !strcmp(r->method, "DELETE")) {
		cJSON *o = cJSON_CreateObject();
		pthread_mutex_lock(&sh->lock);
		cJSON_AddNumberToObject(
			o, "cleared", (double)stub_journal_clear(sh->journal));
		pthread_mutex_unlock(&sh->lock);
		stub_respond_json_take(200, o, head, keep, out);
	} else if (!strcmp(what, "metrics") && get) {
		struct buf t;
		buf_init(&t, 0);
		pthread_rwlock_rdlock(&sh->set_lock);
		pthread_mutex_lock(&sh->lock);
		stub_metrics_text(sh->metrics, sh->set, atomic_load(&sh->conns),
				  &t);
		pthread_mutex_unlock(&sh->lock);
		pthread_rwlock_unlock(&sh->set_lock);
		fault_engine_metrics(sh->faults, &t);
		stub_respond_text(200, "text/plain; version=0.0.4", t.ptr,
				  t.len, head, keep, out);
		buf_release(&t);
	} else if (!strcmp(what, "state") && get) {
		cJSON *o;
		pthread_mutex_lock(&sh->lock);
		o = stub_stateset_json(sh->states);
		pthread_mutex_unlock(&sh->lock);
		stub_respond_json_take(200, o, head, keep, out);
	} else if (!strcmp(what, "state") && !strcmp(r->method, "PUT")) {
		state_admin(sh, b, 1, head, keep, out);
	} else if (!strcmp(what, "state") && !strcmp(r->method, "POST")) {
		state_admin(sh, b, 0, head, keep, out);
	} else {
		stub_respond_error(404, "no such admin endpoint", head, keep,
				   out);
	}
	cJSON_Delete(b);
}
