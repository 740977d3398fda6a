/*
 * runner.c: drives the provider. Each selected interaction is a job that
 * goes through its steps one HTTP call at a time: a setup call per
 * provider state, the request (or, for messages, the POST that asks the
 * provider for the message), then a teardown call per state when asked.
 * All calls go through one curl multi handle, so `jobs` interactions are
 * in flight at once while each keeps its setup-request-teardown order.
 *
 * Choices worth knowing:
 * - An interaction without provider states gets no state call (the
 *   official verifier sends one with an empty name; a provider must
 *   accept both).
 * - A state call answered with anything but 2xx fails its interaction (a
 *   verdict, exit 1); no answer at all (refused, closed, timed out) is an
 *   error (exit 2), like the request itself getting none.
 * - The JSON object a setup call returns is merged over the params of the
 *   states; ProviderState generators read from the result.
 * - Response bodies are capped at VERIFY_MAX_BODY; past it the
 *   interaction is an error, not a crash or an unbounded buffer.
 */
#include "verifier/verifier.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The longest curl_multi_poll() waits: curl's own timers end it sooner. */
#define POLL_MAX_MS 1000
/* --wait-for-provider: each probe may take this long, and the next comes
 * this long after a refusal (a provider starting up is not hammered). */
#define PROBE_TIMEOUT_MS 2000L
#define PROBE_PAUSE_MS 200
/* A decoded Pact-Message-Metadata header: a small JSON object. */
#define METADATA_MAX (1u << 20)

enum phase { PH_SETUP, PH_MAIN, PH_TEARDOWN, PH_DONE };

struct job {
	struct verify_result *r;
	const struct verify_config *cfg;
	enum phase phase;
	size_t state;  /* the state the current setup/teardown call is for */
	cJSON *values; /* params of the states + what setup calls returned */
	CURL *easy;
	struct curl_slist *hdrs;
	char *post; /* the body of the current call */
	struct buf body;
	struct headers rh;
	int in_head; /* header callback: inside a head block */
	int too_big;
	char errbuf[CURL_ERROR_SIZE];
	struct timespec t0;
	uint64_t seed;
	int stateful; /* makes provider-state calls */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct job *j = ud;
	size_t len = size * n;
	if (buf_try_add(&j->body, p, len)) {
		j->too_big = 1;
		return 0; /* makes curl fail the transfer */
	}
	return len;
}

/* Response headers; a new status line (100 Continue, ...) starts over. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct job *j = ud;
	size_t len = size * n, nlen, vs, ve;
	const char *colon;
	if (len >= 5 && !memcmp(p, "HTTP/", 5)) {
		headers_release(&j->rh);
		j->rh.present = 1;
		return len;
	}
	colon = memchr(p, ':', len);
	if (!colon || colon == p)
		return len;
	nlen = (size_t)(colon - p);
	vs = nlen + 1;
	ve = len;
	while (vs < ve && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (ve > vs && strchr(" \t\r\n", p[ve - 1]))
		ve--;
	if (j->rh.n >= VERIFY_MAX_HEADERS)
		return len;
	headers_addn(&j->rh, p, nlen, p + vs, ve - vs);
	return len;
}

static void call_reset(struct job *j)
{
	if (j->easy)
		curl_easy_cleanup(j->easy);
	j->easy = NULL;
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
	free(j->post);
	j->post = NULL;
	buf_release(&j->body);
	buf_init(&j->body, VERIFY_MAX_BODY);
	headers_release(&j->rh);
	j->too_big = 0;
	j->errbuf[0] = '\0';
}

/*
 * A new easy handle for one call, in j->easy (call_reset() frees it); the
 * caller adds method, URL and body. The first option that fails is
 * returned.
 */
static CURLcode call_new(struct job *j)
{
	CURL *c = curl_easy_init();
	long t = j->cfg->timeout_ms > 0 ? j->cfg->timeout_ms
					: VERIFY_DEFAULT_TIMEOUT_MS;
	CURLcode rc;
	if (!c)
		return CURLE_FAILED_INIT;
	j->easy = c;
	rc = curl_easy_setopt(c, CURLOPT_PRIVATE, j);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, t);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, j);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_HEADERDATA, j);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, j->errbuf);
	if (rc)
		return rc;
	/* a provider URL cannot make curl read files or send mail */
	return curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *s)
{
	struct curl_slist *n = curl_slist_append(l, s);
	if (!n)
		abort();
	return n;
}

/* A POST of a JSON document (state calls, message requests). */
static CURLcode call_post_json(struct job *j, const char *url, cJSON *doc)
{
	CURLcode rc = call_new(j);
	if (rc)
		return rc;
	j->post = cJSON_PrintUnformatted(doc);
	if (!j->post)
		abort();
	j->hdrs = slist_add(j->hdrs, "Content-Type: application/json");
	j->hdrs = slist_add(j->hdrs, "Expect:");
	rc = curl_easy_setopt(j->easy, CURLOPT_URL, url);
	if (rc)
		return rc;
	rc = curl_easy_setopt(j->easy, CURLOPT_POST, 1L);
	if (rc)
		return rc;
	rc = curl_easy_setopt(j->easy, CURLOPT_POSTFIELDS, j->post);
	if (rc)
		return rc;
	rc = curl_easy_setopt(j->easy, CURLOPT_POSTFIELDSIZE,
			      (long)strlen(j->post));
	if (rc)
		return rc;
	return curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, j->hdrs);
}

/* e says that curl refused a call's set-up (rc). */
static int curl_failed(CURLcode rc, struct err *e)
{
	return err_set(e, ERR_IO, "libcurl: %s", curl_easy_strerror(rc));
}

static cJSON *state_json(const struct provider_state *s, const char *action)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "state", s->name ? s->name : "");
	if (cJSON_IsObject(s->params))
		cJSON_AddItemToObject(o, "params",
				      cJSON_Duplicate(s->params, 1));
	else
		cJSON_AddItemToObject(o, "params", cJSON_CreateObject());
	cJSON_AddStringToObject(o, "action", action);
	return o;
}

static void set_reason(struct verify_result *r, enum verify_verdict v,
		       const char *fmt, ...) ATTR_PRINTF(3, 4);

static void set_reason(struct verify_result *r, enum verify_verdict v,
		       const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	if (r->reason)
		return; /* the first reason wins */
	buf_init(&b, 0);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->reason = buf_detach(&b, NULL);
	if (v > r->verdict)
		r->verdict = v;
}

/* Says plainly why a call got no answer. */
static void transport_error(struct job *j, CURLcode rc, const char *what,
			    const char *url)
{
	struct verify_result *r = j->r;
	long t = j->cfg->timeout_ms > 0 ? j->cfg->timeout_ms
					: VERIFY_DEFAULT_TIMEOUT_MS;
	if (j->too_big) {
		set_reason(r, VERIFY_ERROR,
			   "%s: the response body is larger than %u MiB", what,
			   VERIFY_MAX_BODY >> 20);
		return;
	}
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		/* the provider itself (a state URL is said in the reason) */
		r->unreachable |= j->phase == PH_MAIN;
		set_reason(r, VERIFY_ERROR,
			   "%s: cannot connect to %s (connection refused)",
			   what, url);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		set_reason(r, VERIFY_ERROR,
			   "%s: no answer from %s within %ld ms (--timeout)",
			   what, url, t);
		break;
	case CURLE_GOT_NOTHING:
		set_reason(r, VERIFY_ERROR,
			   "%s: %s closed the connection without answering",
			   what, url);
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		set_reason(r, VERIFY_ERROR,
			   "%s: the connection to %s broke (%s)", what, url,
			   j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
		break;
	default:
		set_reason(r, VERIFY_ERROR, "%s: %s: %s", what, url,
			   j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
	}
}

/* The method, URL, headers and body of request rq on j's handle. */
static CURLcode request_setup(struct job *j, const struct verify_request *rq)
{
	CURLcode rc;
	rc = curl_easy_setopt(j->easy, CURLOPT_URL, rq->url);
	if (rc)
		return rc;
	rc = curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, j->hdrs);
	if (rc)
		return rc;
	if (!str_casecmp(rq->method, "HEAD"))
		rc = curl_easy_setopt(j->easy, CURLOPT_NOBODY, 1L);
	else
		rc = curl_easy_setopt(j->easy, CURLOPT_CUSTOMREQUEST,
				      rq->method);
	if (rc || !j->post)
		return rc;
	rc = curl_easy_setopt(j->easy, CURLOPT_POSTFIELDS, j->post);
	if (rc)
		return rc;
	return curl_easy_setopt(j->easy, CURLOPT_POSTFIELDSIZE_LARGE,
				(curl_off_t)rq->body.len);
}

/* Starts the HTTP request of the interaction. */
static int start_request(struct job *j, struct err *e)
{
	const struct verify_config *cfg = j->cfg;
	struct verify_request rq;
	struct verify_exchange *x = &j->r->x;
	struct buf line;
	CURLcode rc;
	size_t i, k;
	char *c;
	int has_ct = 0;
	if (verify_build_request(j->r->ix, cfg->provider_url, j->values,
				 cfg->headers, cfg->nheaders, j->seed, &rq,
				 e)) {
		return -1;
	}
	rc = call_new(j);
	if (rc) {
		verify_request_release(&rq);
		return curl_failed(rc, e);
	}
	buf_init(&line, 0);
	for (i = 0; i < rq.headers.n; i++) {
		const struct header *h = &rq.headers.v[i];
		if (!str_casecmp(h->name, "Content-Type"))
			has_ct = 1;
		for (k = 0; k < h->n; k++) {
			buf_reset(&line);
			/* "Name;" is curl's way to send an empty value */
			if (h->values[k][0])
				buf_addf(&line, "%s: %s", h->name,
					 h->values[k]);
			else
				buf_addf(&line, "%s;", h->name);
			/* a folded value (the reader lets through only a line
			 * ending followed by a space or tab) is sent unfolded:
			 * RFC 9112 5.2 makes a fold one space */
			for (c = line.ptr; *c; c++)
				if (*c == '\r' || *c == '\n')
					*c = ' ';
			j->hdrs = slist_add(j->hdrs, line.ptr);
		}
	}
	buf_release(&line);
	/* no headers of curl's own that the contract did not ask for */
	if (!headers_get(&rq.headers, "Accept"))
		j->hdrs = slist_add(j->hdrs, "Accept:");
	if (!has_ct)
		j->hdrs = slist_add(j->hdrs, "Content-Type:");
	j->hdrs = slist_add(j->hdrs, "Expect:");
	if (rq.has_body) {
		j->post = xmalloc(rq.body.len + 1);
		memcpy(j->post, rq.body.ptr, rq.body.len + 1);
	}
	rc = request_setup(j, &rq);
	if (rc) {
		verify_request_release(&rq);
		return curl_failed(rc, e);
	}
	/* what was sent, for the reports */
	x->method = rq.method;
	x->url = rq.url;
	x->req_headers = rq.headers;
	x->req_len = rq.body.len;
	x->req_body = buf_detach(&rq.body, NULL);
	return 0;
}

static void message_url(const struct verify_config *cfg, struct buf *out)
{
	buf_addstr(out,
		   cfg->message_url ? cfg->message_url : cfg->provider_url);
}

/* Starts the POST that asks the provider for a message. */
static int start_message(struct job *j, struct err *e)
{
	const struct interaction *ix = j->r->ix;
	cJSON *doc = cJSON_CreateObject(), *states = cJSON_CreateArray();
	struct buf url;
	size_t i;
	CURLcode rc;
	cJSON_AddStringToObject(doc, "description", ix->description);
	for (i = 0; i < ix->nstates; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name",
					ix->states[i].name ? ix->states[i].name
							   : "");
		if (cJSON_IsObject(ix->states[i].params))
			cJSON_AddItemToObject(
				s, "params",
				cJSON_Duplicate(ix->states[i].params, 1));
		cJSON_AddItemToArray(states, s);
	}
	cJSON_AddItemToObject(doc, "providerStates", states);
	buf_init(&url, 0);
	message_url(j->cfg, &url);
	rc = call_post_json(j, url.ptr, doc);
	j->r->x.method = xstrdup("POST");
	j->r->x.url = buf_detach(&url, NULL);
	j->r->x.req_body = cJSON_PrintUnformatted(doc);
	j->r->x.req_len = strlen(j->r->x.req_body);
	headers_add(&j->r->x.req_headers, "Content-Type", "application/json");
	cJSON_Delete(doc);
	return rc ? curl_failed(rc, e) : 0;
}

/* Keeps what came back for the reports (the body borrowed by matching). */
static void keep_response(struct job *j, long status)
{
	struct verify_exchange *x = &j->r->x;
	x->status = (int)status;
	headers_release(&x->resp_headers);
	x->resp_headers = j->rh;
	memset(&j->rh, 0, sizeof(j->rh));
	free(x->resp_body);
	x->resp_body = buf_detach(&j->body, &x->resp_len);
	buf_init(&j->body, VERIFY_MAX_BODY);
}

static void actual_body(struct body *b, const char *p, size_t len)
{
	size_t i;
	memset(b, 0, sizeof(*b));
	b->present = 1;
	b->has_bytes = 1;
	b->bytes = p;
	b->len = len;
	for (i = 0; i < len && strchr(" \t\r\n", p[i]); i++)
		;
	if (i < len && (p[i] == '{' || p[i] == '['))
		b->json = json_parse_text("body", p, len, NULL);
}

static struct match_opts match_options(const struct verify_result *r)
{
	struct match_opts o;
	memset(&o, 0, sizeof(o));
	o.spec = r->contract->spec ? r->contract->spec : SPEC_V4;
	return o;
}

static void check_response(struct job *j)
{
	struct verify_result *r = j->r;
	struct http_response act;
	struct match_opts o = match_options(r);
	memset(&act, 0, sizeof(act));
	act.status = r->x.status;
	act.has_status = 1;
	act.headers = r->x.resp_headers;
	act.headers.present = 1;
	actual_body(&act.body, r->x.resp_body, r->x.resp_len);
	if (match_response(&r->ix->response, &act, &o, &r->mm))
		r->verdict = VERIFY_FAIL;
	cJSON_Delete(act.body.json);
}

/* The Pact-Message-Metadata header: base64 of a JSON object. */
static cJSON *message_metadata(struct job *j)
{
	const struct header *h = headers_get(&j->r->x.resp_headers,
					     "Pact-Message-Metadata");
	struct buf raw;
	cJSON *v = NULL;
	if (!h || !h->n)
		return cJSON_CreateObject();
	buf_init(&raw, METADATA_MAX);
	if (!base64_decode(h->values[0], strlen(h->values[0]), &raw))
		v = json_parse_text("metadata", raw.ptr, raw.len, NULL);
	buf_release(&raw);
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		set_reason(j->r, VERIFY_FAIL, "%s",
			   "the Pact-Message-Metadata header is not base64 "
			   "of a JSON object");
		return cJSON_CreateObject();
	}
	return v;
}

static void check_message(struct job *j)
{
	struct verify_result *r = j->r;
	const struct interaction *ix = r->ix;
	const struct message *exp = &ix->message;
	struct match_opts o = match_options(r);
	struct message act;
	const struct header *ct;
	if (ix->type == IX_SYNC_MESSAGE) {
		if (!ix->nreplies)
			return; /* no reply expected: anything goes */
		exp = &ix->replies[0];
	}
	if (r->x.status < 200 || r->x.status > 299) {
		set_reason(r, VERIFY_FAIL,
			   "the message request to %s returned HTTP %d",
			   r->x.url, r->x.status);
		return;
	}
	memset(&act, 0, sizeof(act));
	r->x.metadata = message_metadata(j);
	act.metadata = r->x.metadata;
	actual_body(&act.contents, r->x.resp_body, r->x.resp_len);
	ct = headers_get(&r->x.resp_headers, "Content-Type");
	if (ct && ct->n)
		act.contents.content_type = ct->values[0];
	if (match_message(exp, &act, &o, &r->mm))
		r->verdict = VERIFY_FAIL;
	cJSON_Delete(act.contents.json);
}

/* Merges the object a setup call returned over the values so far. */
static void merge_state_reply(struct job *j)
{
	const cJSON *it;
	cJSON *v;
	if (!j->body.len)
		return;
	v = json_parse_text("state", j->body.ptr, j->body.len, NULL);
	if (cJSON_IsObject(v)) {
		cJSON_ArrayForEach(it, v)
		{
			cJSON_DeleteItemFromObjectCaseSensitive(j->values,
								it->string);
			cJSON_AddItemToObject(j->values, it->string,
					      cJSON_Duplicate(it, 1));
		}
	}
	cJSON_Delete(v);
}

/*
 * Starts the next call of job j from its current phase, skipping steps
 * that have nothing to do. Returns 1 when a call was started, 0 when the
 * job is done, -1 with err set on a fatal error.
 */
/* Prepares the state call `action` for the job's current state. */
static int state_call(struct job *j, const char *action, struct err *e)
{
	cJSON *doc = state_json(&j->r->ix->states[j->state], action);
	CURLcode rc = call_post_json(j, j->cfg->state_url, doc);
	cJSON_Delete(doc);
	return rc ? curl_failed(rc, e) : 0;
}

static int job_next(struct job *j, CURLM *multi, struct err *e)
{
	const struct interaction *ix = j->r->ix;
	const struct verify_config *cfg = j->cfg;
	CURLMcode mrc;
	for (;;) {
		call_reset(j);
		switch (j->phase) {
		case PH_SETUP:
			if (!cfg->state_url || j->state >= ix->nstates) {
				j->phase = PH_MAIN;
				continue;
			}
			if (state_call(j, "setup", e))
				return -1;
			break;
		case PH_MAIN:
			if (j->r->reason) {
				/* a state call failed: no request */
				j->phase = PH_TEARDOWN;
				j->state = 0;
				continue;
			}
			if (ix->type == IX_HTTP ? start_request(j, e)
						: start_message(j, e)) {
				/* a generator could not run: a failure of
				 * this interaction, not of the run */
				set_reason(j->r, VERIFY_FAIL,
					   "cannot build the request: %s",
					   e->msg);
				err_clear(e);
				j->phase = PH_TEARDOWN;
				j->state = 0;
				continue;
			}
			break;
		case PH_TEARDOWN:
			if (!cfg->state_url || !cfg->state_teardown ||
			    j->state >= ix->nstates) {
				j->phase = PH_DONE;
				continue;
			}
			if (state_call(j, "teardown", e))
				return -1;
			break;
		case PH_DONE:
			return 0;
		}
		mrc = curl_multi_add_handle(multi, j->easy);
		if (mrc)
			return err_set(e, ERR_IO,
				       "libcurl: cannot add a transfer: %s",
				       curl_multi_strerror(mrc));
		return 1;
	}
}

/* A call of job j finished with rc; records it and moves the phase on. */
static void job_done(struct job *j, CURLcode rc)
{
	struct verify_result *r = j->r;
	const struct interaction *ix = r->ix;
	long status = 0;
	if (rc == CURLE_OK)
		rc = curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE,
				       &status);
	switch (j->phase) {
	case PH_SETUP: {
		const char *name = ix->states[j->state].name;
		if (rc != CURLE_OK) {
			char what[300];
			snprintf(what, sizeof(what),
				 "provider state '%s' setup call", name);
			transport_error(j, rc, what, j->cfg->state_url);
		} else if (status < 200 || status > 299) {
			set_reason(r, VERIFY_FAIL,
				   "provider state '%s': the setup call to %s "
				   "returned HTTP %ld",
				   name, j->cfg->state_url, status);
		} else {
			merge_state_reply(j);
		}
		j->state++;
		if (r->reason) {
			j->phase = PH_TEARDOWN;
			j->state = 0;
		}
		break;
	}
	case PH_MAIN:
		if (rc != CURLE_OK) {
			transport_error(j, rc,
					ix->type == IX_HTTP ? "request"
							    : "message request",
					r->x.url);
		} else {
			keep_response(j, status);
			if (ix->type == IX_HTTP)
				check_response(j);
			else
				check_message(j);
		}
		j->phase = PH_TEARDOWN;
		j->state = 0;
		break;
	case PH_TEARDOWN: {
		const char *name = ix->states[j->state].name;
		if (rc != CURLE_OK) {
			char what[300];
			snprintf(what, sizeof(what),
				 "provider state '%s' teardown call", name);
			transport_error(j, rc, what, j->cfg->state_url);
		} else if (status < 200 || status > 299) {
			set_reason(r, VERIFY_FAIL,
				   "provider state '%s': the teardown call to "
				   "%s returned HTTP %ld",
				   name, j->cfg->state_url, status);
		}
		j->state++;
		break;
	}
	case PH_DONE:
		break;
	}
}

/* The params of all the interaction's states, merged in order. */
static cJSON *state_params(const struct interaction *ix)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *it;
	size_t i;
	for (i = 0; i < ix->nstates; i++) {
		if (!cJSON_IsObject(ix->states[i].params))
			continue;
		cJSON_ArrayForEach(it, ix->states[i].params)
		{
			cJSON_DeleteItemFromObjectCaseSensitive(o, it->string);
			cJSON_AddItemToObject(o, it->string,
					      cJSON_Duplicate(it, 1));
		}
	}
	return o;
}

/* ---- selection ---- */

/* A filter's regex quotes this much of a name it could not decide. */
#define FILTER_QUOTE_MAX 60

struct filter {
	struct regex *re; /* NULL: no filter, everything passes */
	const char *what; /* "--filter-description" */
	const char *pattern;
};

static int filter_init(struct filter *f, const char *pattern, const char *what,
		       struct err *e)
{
	struct err why;
	memset(f, 0, sizeof(*f));
	f->what = what;
	f->pattern = pattern;
	if (!pattern)
		return 0;
	err_clear(&why);
	f->re = regex_compile(pattern, 0, &why);
	if (!f->re)
		return err_set(e, ERR_USAGE, "%s: %s", what, why.msg);
	return 0;
}

/*
 * 1 when s passes filter f (a search), 0 when not; -1 with err set when
 * the regex reached its match limit on s (regex.c): a pattern that
 * backtracks without end has no answer, and the run stops rather than
 * guess which interactions were meant.
 */
static int filter_hit(const struct filter *f, const char *s, struct err *e)
{
	size_t len;
	int r;
	if (!f->re)
		return 1;
	if (!s)
		return 0;
	len = strlen(s);
	r = regex_match(f->re, s, len, 0);
	if (r < 0)
		return err_set(e, ERR_USAGE,
			       "%s '%s': the regex backtracks past its limit "
			       "on '%.*s%s'",
			       f->what, f->pattern, FILTER_QUOTE_MAX, s,
			       len > FILTER_QUOTE_MAX ? "..." : "");
	return r;
}

static void filter_release(struct filter *f)
{
	regex_free(f->re);
}

/* 1 when the interaction passes every filter, 0 when not, -1 (err set)
 * when a filter has no answer. */
static int selected(const struct filter *fd, const struct filter *fs,
		    const struct filter *fc, const struct contract *c,
		    const struct interaction *ix, struct err *e)
{
	size_t i;
	int r = filter_hit(fc, c->consumer, e);
	if (r <= 0)
		return r;
	r = filter_hit(fd, ix->description, e);
	if (r <= 0 || !fs->re)
		return r;
	for (i = 0; i < ix->nstates; i++) {
		r = filter_hit(fs, ix->states[i].name, e);
		if (r)
			return r;
	}
	return 0;
}

/* ---- the run ---- */

static void tally(struct verify_run *run)
{
	size_t i;
	run->passed = run->failed = run->errors = run->pending_failed = 0;
	run->unreachable = 0;
	for (i = 0; i < run->n; i++) {
		const struct verify_result *r = &run->v[i];
		if (r->unreachable)
			run->unreachable++;
		if (r->verdict == VERIFY_PASS)
			run->passed++;
		else if (r->pending)
			run->pending_failed++;
		else if (r->verdict == VERIFY_FAIL)
			run->failed++;
		else
			run->errors++;
	}
}

static void job_finish(struct job *j)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	j->r->ms = (double)(t1.tv_sec - j->t0.tv_sec) * 1e3 +
		   (double)(t1.tv_nsec - j->t0.tv_nsec) / 1e6;
	call_reset(j);
	buf_release(&j->body);
	cJSON_Delete(j->values);
	j->values = NULL;
}

/*
 * Interactions with provider states change the provider's data: they run
 * one at a time (setup, request, teardown) while stateless ones share
 * the other slots.
 */
static int stateful(const struct verify_config *cfg,
		    const struct interaction *ix)
{
	return cfg->state_url && ix->nstates;
}

static void finish(struct job *j, size_t *active, size_t *done,
		   size_t *stateful_active, size_t total)
{
	const struct verify_config *cfg = j->cfg;
	job_finish(j);
	(*active)--;
	(*done)++;
	*stateful_active -= (size_t)j->stateful;
	if (cfg->on_result)
		cfg->on_result(cfg->ctx, j->r, *done, total);
	j->r = NULL;
}

int verify_run(const struct verify_config *cfg, struct contract *const *cs,
	       size_t n, struct verify_run *out, struct err *e)
{
	struct filter fd, fs, fc;
	struct job *jobs = NULL;
	CURLM *multi = NULL;
	size_t i, k, next = 0, done = 0, active = 0, cap = 0;
	size_t njobs = cfg->jobs > 0 ? (size_t)cfg->jobs : 1;
	size_t stateful_active = 0, free_next = 0;
	char *started = NULL; /* next: the first not started; free_next: the
				 first not started without provider states */
	double t0 = now_ms();
	int rc = -1;
	CURLMcode mrc;

	memset(out, 0, sizeof(*out));
	memset(&fd, 0, sizeof(fd));
	memset(&fs, 0, sizeof(fs));
	memset(&fc, 0, sizeof(fc));
	if (!cfg->provider_url || strncmp(cfg->provider_url, "http", 4))
		return err_set(e, ERR_USAGE, "%s",
			       "--provider-url must be an http:// URL");
	if (filter_init(&fd, cfg->filter_description, "--filter-description",
			e) ||
	    filter_init(&fs, cfg->filter_state, "--filter-state", e) ||
	    filter_init(&fc, cfg->filter_consumer, "--filter-consumer", e))
		goto done;
	for (i = 0; i < n; i++)
		for (k = 0; k < cs[i]->n; k++) {
			struct verify_result *r;
			int sel = selected(&fd, &fs, &fc, cs[i], &cs[i]->ix[k],
					   e);
			if (sel < 0)
				goto done;
			if (!sel)
				continue;
			out->v = xgrow(out->v, &cap, out->n + 1,
				       sizeof(*out->v));
			r = &out->v[out->n++];
			memset(r, 0, sizeof(*r));
			r->contract = cs[i];
			r->ix = &cs[i]->ix[k];
			r->contract_index = i;
			r->ix_index = k;
			r->pending = r->ix->pending;
			mismatches_init(&r->mm);
		}
	if (njobs > out->n)
		njobs = out->n ? out->n : 1;
	jobs = xcalloc(njobs, sizeof(*jobs));
	multi = curl_multi_init();
	if (!multi) {
		err_set(e, ERR_IO, "%s", "libcurl: cannot start");
		goto done;
	}
	started = xcalloc(out->n ? out->n : 1, 1);
	while (done < out->n) {
		CURLMsg *msg;
		int left, running;
		/* fill free slots; one stateful interaction at a time */
		for (i = 0; i < njobs && next < out->n; i++) {
			struct job *j = &jobs[i];
			size_t pick;
			int st;
			if (j->r)
				continue;
			/* both cursors only move forward: O(n) in all */
			while (free_next < out->n &&
			       (started[free_next] ||
				stateful(cfg, out->v[free_next].ix)))
				free_next++;
			pick = stateful_active ? free_next : next;
			if (pick == out->n)
				break; /* only stateful ones left: wait */
			started[pick] = 1;
			while (next < out->n && started[next])
				next++;
			memset(j, 0, sizeof(*j));
			j->r = &out->v[pick];
			j->cfg = cfg;
			j->stateful = stateful(cfg, j->r->ix);
			stateful_active += (size_t)j->stateful;
			j->seed = (uint64_t)pick * HASH_GOLDEN + 1;
			j->values = state_params(j->r->ix);
			buf_init(&j->body, VERIFY_MAX_BODY);
			clock_gettime(CLOCK_MONOTONIC, &j->t0);
			st = job_next(j, multi, e);
			if (st < 0)
				goto done;
			active++;
			if (st == 0) {
				finish(j, &active, &done, &stateful_active,
				       out->n);
				i = (size_t)-1; /* slots may be free again */
			}
		}
		if (!active)
			continue;
		mrc = curl_multi_perform(multi, &running);
		if (mrc) {
			err_set(e, ERR_IO, "libcurl: transfer failed: %s",
				curl_multi_strerror(mrc));
			goto done;
		}
		for (msg = curl_multi_info_read(multi, &left); msg;
		     msg = curl_multi_info_read(multi, &left)) {
			struct job *j = NULL;
			CURL *easy = msg->easy_handle;
			CURLcode res = msg->data.result, grc;
			int st;
			if (msg->msg != CURLMSG_DONE)
				continue;
			grc = curl_easy_getinfo(easy, CURLINFO_PRIVATE,
						(char **)&j);
			if (grc || !j) {
				err_set(e, ERR_IO, "libcurl: %s",
					curl_easy_strerror(grc));
				goto done;
			}
			curl_multi_remove_handle(multi, easy);
			job_done(j, res);
			st = job_next(j, multi, e);
			if (st < 0)
				goto done;
			if (st == 0)
				finish(j, &active, &done, &stateful_active,
				       out->n);
		}
		if (!active)
			continue;
		mrc = curl_multi_poll(multi, NULL, 0, POLL_MAX_MS, NULL);
		if (mrc) {
			err_set(e, ERR_IO, "libcurl: poll failed: %s",
				curl_multi_strerror(mrc));
			goto done;
		}
	}
	rc = 0;
done:
	for (i = 0; jobs && i < njobs; i++) {
		if (jobs[i].easy && multi)
			curl_multi_remove_handle(multi, jobs[i].easy);
		if (jobs[i].r)
			job_finish(&jobs[i]);
	}
	free(jobs);
	free(started);
	if (multi)
		curl_multi_cleanup(multi);
	filter_release(&fd);
	filter_release(&fs);
	filter_release(&fc);
	out->ms = now_ms() - t0;
	tally(out);
	if (rc)
		verify_run_release(out);
	return rc;
}

static void exchange_release(struct verify_exchange *x)
{
	free(x->method);
	free(x->url);
	headers_release(&x->req_headers);
	free(x->req_body);
	headers_release(&x->resp_headers);
	free(x->resp_body);
	cJSON_Delete(x->metadata);
	memset(x, 0, sizeof(*x));
}

void verify_run_release(struct verify_run *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].reason);
		mismatches_release(&r->v[i].mm);
		exchange_release(&r->v[i].x);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* One probe of --wait-for-provider: a HEAD of url. */
static CURLcode probe_setup(CURL *c, const char *url)
{
	CURLcode rc;
	rc = curl_easy_setopt(c, CURLOPT_URL, url);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (rc)
		return rc;
	rc = curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (rc)
		return rc;
	return curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, PROBE_TIMEOUT_MS);
}

int verify_wait_for(const char *url, long wait_ms, struct err *e)
{
	double end = now_ms() + (double)wait_ms;
	CURLcode rc = CURLE_OK;
	for (;;) {
		CURL *c = curl_easy_init();
		struct timespec pause = { 0, PROBE_PAUSE_MS * 1000000L };
		if (!c)
			return err_set(e, ERR_IO, "%s",
				       "libcurl: cannot start");
		rc = probe_setup(c, url);
		if (rc) {
			curl_easy_cleanup(c);
			return curl_failed(rc, e);
		}
		rc = curl_easy_perform(c);
		curl_easy_cleanup(c);
		if (rc == CURLE_OK)
			return 0;
		if (now_ms() + PROBE_PAUSE_MS > end)
			break;
		nanosleep(&pause, NULL);
	}
	return err_set(e, ERR_IO,
		       "the provider at %s did not answer within %ld ms (%s)",
		       url, wait_ms, curl_easy_strerror(rc));
}
