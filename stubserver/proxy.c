/*
 * proxy.c: the forwarding half of `accord record`. Each request a worker
 * reads is sent on to the upstream with libcurl's multi interface driven
 * by the worker's own libuv loop: curl says which sockets to watch and
 * when to time out, uv_poll and a uv_timer call it back, so the loop never
 * blocks on the upstream. The upstream's answer is handed back as the
 * bytes of an HTTP/1.1 response, to be delivered like a delayed stub
 * answer (server.c), and the exchange is given to the recorder.
 *
 * An upstream that cannot be reached gets the client a 502, one that does
 * not answer within --timeout a 504, one whose body is over the limit a
 * 502; none of them is recorded.
 */
#include "stubserver/internal.h"
#include "stubserver/service.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* An upstream answer's head, held whole to be passed on and recorded:
 * real ones are a few KiB, cookies and security policies included. */
#define MAX_RESPONSE_HEAD (64 * 1024)

struct sock {
	uv_poll_t poll;
	curl_socket_t fd;
	struct proxy *p;
	struct sock *prev, *next;
};

struct proxy {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	const struct stub_config *cfg;
	struct shared *sh; /* for states, the journal and metrics */
	struct sock *socks;
	struct proxy_call *calls;
	int closing;
};

/* A header a call keeps: both strings are its own. */
struct field {
	char *name;
	char *value;
};

struct proxy_call {
	struct proxy *p;
	CURL *easy;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	struct proxy_call *prev, *next;
	proxy_done_fn done;
	void *ctx;
	int keep_alive;
	int head;
	int too_large;
	uint64_t t0;
	/* what was asked, for the recorder */
	char *method;
	char *target;
	struct field *req_h;
	size_t nreq_h;
	char *req_body;
	size_t req_len;
	char *description; /* X-Accord-Description, or NULL */
	char *session;	   /* X-Accord-Session, or NULL */
	cJSON *states;	   /* providerStates to record, or NULL */
	/* what came back */
	struct field *resp_h;
	size_t nresp_h, capresp_h;
	size_t head_bytes;
	struct buf body;
};

/* Headers that belong to one connection, or that we set ourselves. */
static int hop_by_hop(const char *name, size_t n)
{
	static const char *const names[] = {
		"Connection",
		"Keep-Alive",
		"Proxy-Connection",
		"Transfer-Encoding",
		"TE",
		"Trailer",
		"Upgrade",
		"Host",
		"Content-Length",
		"Expect",
		NULL,
	};
	size_t i;
	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !str_ncasecmp(name, names[i], n))
			return 1;
	return 0;
}

/* Curl's sockets on our loop. */

static void sock_closed(uv_handle_t *h)
{
	free(h->data);
}

static void sock_close(struct proxy *p, struct sock *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		p->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	uv_poll_stop(&s->poll);
	uv_close((uv_handle_t *)&s->poll, sock_closed);
}

static void check_done(struct proxy *p);

/* Lets curl act on fd (or on its timeout), then hands on what is done. */
static void socket_action(struct proxy *p, curl_socket_t fd, int flags)
{
	const struct stub_config *cfg = p->cfg;
	int running;
	CURLMcode rc = curl_multi_socket_action(p->multi, fd, flags, &running);
	if (rc)
		stub_log(cfg->log, cfg->log_ctx, LOG_ERROR, "upstream", NULL,
			 "accord record: libcurl: %s", curl_multi_strerror(rc));
	check_done(p);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct sock *s = h->data;
	int flags = 0;
	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	socket_action(s->p, s->fd, flags);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
		     void *socketp)
{
	struct proxy *p = userp;
	struct sock *s = socketp;
	int events = 0, r;
	CURLMcode mrc;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			curl_multi_assign(p->multi, fd, NULL);
			sock_close(p, s);
		}
		return 0;
	}
	if (!s) {
		s = xcalloc(1, sizeof(*s));
		s->fd = fd;
		s->p = p;
		r = uv_poll_init_socket(p->loop, &s->poll, fd);
		if (r) {
			free(s);
			return -1; /* curl fails the transfers on fd */
		}
		s->poll.data = s;
		s->next = p->socks;
		if (p->socks)
			p->socks->prev = s;
		p->socks = s;
		mrc = curl_multi_assign(p->multi, fd, s);
		if (mrc) {
			sock_close(p, s);
			return -1;
		}
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	r = uv_poll_start(&s->poll, events, on_poll);
	return r ? -1 : 0;
}

static void on_timer(uv_timer_t *t)
{
	socket_action(t->data, CURL_SOCKET_TIMEOUT, 0);
}

static int on_timeout(CURLM *multi, long ms, void *userp)
{
	struct proxy *p = userp;
	int r;
	(void)multi;
	if (p->closing)
		return 0;
	if (ms < 0) {
		uv_timer_stop(&p->timer);
		return 0;
	}
	r = uv_timer_start(&p->timer, on_timer, (uint64_t)ms, 0);
	return r ? -1 : 0; /* -1: curl fails the transfers */
}

/* The multi handle's callbacks: curl's sockets and timer on our loop. */
static CURLMcode multi_setup(struct proxy *p)
{
	CURLMcode rc;
	rc = curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	if (rc)
		return rc;
	rc = curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
	if (rc)
		return rc;
	rc = curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, on_timeout);
	if (rc)
		return rc;
	return curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
}

struct proxy *proxy_new(struct uv_loop_s *loop, const struct stub_config *cfg,
			struct shared *sh, struct err *e)
{
	struct proxy *p = xcalloc(1, sizeof(*p));
	CURLMcode mrc;
	int r;
	p->loop = loop;
	p->cfg = cfg;
	p->sh = sh;
	p->multi = curl_multi_init();
	if (!p->multi) {
		free(p);
		err_set(e, ERR_IO, "cannot start libcurl");
		return NULL;
	}
	mrc = multi_setup(p);
	if (mrc) {
		err_set(e, ERR_IO, "cannot start libcurl: %s",
			curl_multi_strerror(mrc));
		goto fail;
	}
	r = uv_timer_init(loop, &p->timer);
	if (r) {
		err_set(e, ERR_IO, "cannot start the forwarder: %s",
			uv_strerror(r));
		goto fail;
	}
	p->timer.data = p;
	return p;
fail:
	curl_multi_cleanup(p->multi);
	free(p);
	return NULL;
}

/* Frees the strings of f[0..*n) and empties it (the array stays). */
static void fields_clear(struct field *f, size_t *n)
{
	size_t i;
	for (i = 0; i < *n; i++) {
		free(f[i].name);
		free(f[i].value);
	}
	*n = 0;
}

/* f[0..n) as the recorder sees headers: borrowed. Caller frees the array. */
static struct stub_field *fields_view(const struct field *f, size_t n)
{
	struct stub_field *v = xcalloc(n + 1, sizeof(*v));
	size_t i;
	for (i = 0; i < n; i++) {
		v[i].name = f[i].name;
		v[i].value = f[i].value;
	}
	return v;
}

static void call_free(struct proxy_call *c)
{
	struct proxy *p = c->p;
	if (c->prev)
		c->prev->next = c->next;
	else
		p->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	curl_multi_remove_handle(p->multi, c->easy);
	curl_easy_cleanup(c->easy);
	curl_slist_free_all(c->hdrs);
	fields_clear(c->req_h, &c->nreq_h);
	fields_clear(c->resp_h, &c->nresp_h);
	free(c->req_h);
	free(c->resp_h);
	free(c->method);
	free(c->target);
	free(c->req_body);
	free(c->description);
	free(c->session);
	cJSON_Delete(c->states);
	buf_release(&c->body);
	free(c);
}

static void timer_closed(uv_handle_t *h)
{
	free(h->data);
}

void proxy_close(struct proxy *p)
{
	if (!p)
		return;
	p->closing = 1;
	while (p->calls)
		call_free(p->calls);
	curl_multi_cleanup(p->multi);
	while (p->socks)
		sock_close(p, p->socks);
	uv_timer_stop(&p->timer);
	uv_close((uv_handle_t *)&p->timer, timer_closed);
}

/* Transfers. */

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
	struct proxy_call *c = userp;
	size_t len = size * n, k = len, colon;
	struct field *f;
	c->head_bytes += len;
	if (c->head_bytes > MAX_RESPONSE_HEAD) {
		c->too_large = 1;
		return 0;
	}
	if (len >= 5 && !memcmp(data, "HTTP/", 5)) {
		/* a new response (after 100 Continue): its headers only */
		fields_clear(c->resp_h, &c->nresp_h);
		return len;
	}
	while (k && (data[k - 1] == '\r' || data[k - 1] == '\n'))
		k--;
	for (colon = 0; colon < k && data[colon] != ':'; colon++)
		;
	if (colon == k || !colon)
		return len; /* the blank line, or not a header */
	c->resp_h = xgrow(c->resp_h, &c->capresp_h, c->nresp_h + 1,
			  sizeof(*c->resp_h));
	f = &c->resp_h[c->nresp_h++];
	f->name = xstrndup(data, colon);
	colon++;
	while (colon < k && (data[colon] == ' ' || data[colon] == '\t'))
		colon++;
	while (k > colon && (data[k - 1] == ' ' || data[k - 1] == '\t'))
		k--;
	f->value = xstrndup(data + colon, k - colon);
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
	struct proxy_call *c = userp;
	if (buf_try_add(&c->body, data, size * n)) {
		c->too_large = 1;
		return 0;
	}
	return size * n;
}

/* An answer of our own (502, 504) as bytes; caller frees. */
static char *own_answer(int status, const char *msg, int head, int keep,
			size_t *len)
{
	struct buf out;
	buf_init(&out, 0);
	stub_respond_error(status, msg, head, keep, &out);
	return buf_detach(&out, len);
}

/* The upstream's answer, passed on: its status, its headers but the
 * per-connection ones, our framing, its body. */
static char *relay(struct proxy_call *c, int status, size_t *len)
{
	struct buf out;
	size_t i;
	buf_init(&out, 0);
	buf_addf(&out, "HTTP/1.1 %d %s\r\n", status, stub_reason(status));
	for (i = 0; i < c->nresp_h; i++) {
		const struct field *f = &c->resp_h[i];
		/* a HEAD answer keeps the length the GET would have */
		if (c->head && !str_casecmp(f->name, "Content-Length")) {
			buf_addf(&out, "%s: %s\r\n", f->name, f->value);
			continue;
		}
		if (hop_by_hop(f->name, strlen(f->name)))
			continue;
		buf_addf(&out, "%s: %s\r\n", f->name, f->value);
	}
	if (!c->head)
		buf_addf(&out, "Content-Length: %zu\r\n", c->body.len);
	if (!c->keep_alive)
		buf_addstr(&out, "Connection: close\r\n");
	buf_addstr(&out, "\r\n");
	if (!c->head)
		buf_add(&out, c->body.ptr, c->body.len);
	return buf_detach(&out, len);
}

/*
 * Logs an exchange: "forwarded" when the upstream answered (status, in
 * ms), "upstream" when it did not and we answered `status` ourselves
 * (error says why).
 */
static void log_exchange(const struct proxy_call *c, const char *event,
			 int status, const char *error, double ms)
{
	const struct stub_config *cfg = c->p->cfg;
	cJSON *o;
	if (!cfg->log)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "method", c->method);
	cJSON_AddStringToObject(o, "target", c->target);
	cJSON_AddNumberToObject(o, "status", status);
	cJSON_AddStringToObject(o, "upstream", cfg->upstream);
	if (error) {
		cJSON_AddStringToObject(o, "error", error);
		stub_log(cfg->log, cfg->log_ctx, LOG_WARN, event, o,
			 "%s %s -> %s", c->method, c->target, error);
	} else {
		cJSON_AddNumberToObject(o, "ms", stub_ms_shown(ms));
		stub_log(cfg->log, cfg->log_ctx, LOG_INFO, event, o,
			 "%d %s %s <- %s (%.3f ms)", status, c->method,
			 c->target, cfg->upstream, ms);
	}
	cJSON_Delete(o);
}

static void finish(struct proxy_call *c, CURLcode rc)
{
	struct proxy *p = c->p;
	const struct stub_config *cfg = p->cfg;
	char *answer;
	size_t len;
	struct buf msg;
	long status = 0;
	int answered = 502;
	struct buf rec;
	buf_init(&msg, 0);
	buf_init(&rec, 0);
	if (rc == CURLE_OK)
		rc = curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE,
				       &status);
	if (c->too_large) {
		buf_addf(&msg,
			 "accord record: the upstream's answer is larger "
			 "than the limit (%zu bytes); nothing recorded",
			 cfg->upstream_max_body);
		answer = own_answer(502, msg.ptr, c->head, c->keep_alive, &len);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		buf_addf(&msg,
			 "accord record: the upstream %s did not answer within "
			 "%d ms (--timeout); nothing recorded",
			 cfg->upstream, cfg->upstream_timeout_ms);
		answered = 504;
		answer = own_answer(504, msg.ptr, c->head, c->keep_alive, &len);
	} else if (rc != CURLE_OK || status < STUB_STATUS_MIN ||
		   status > STUB_STATUS_MAX) {
		buf_addf(&msg,
			 "accord record: cannot reach the upstream %s: %s; "
			 "nothing recorded",
			 cfg->upstream,
			 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		answer = own_answer(502, msg.ptr, c->head, c->keep_alive, &len);
	} else {
		struct stub_exchange x;
		struct stub_field *req_view = fields_view(c->req_h, c->nreq_h);
		struct stub_field *resp_view = fields_view(c->resp_h,
							   c->nresp_h);
		answered = (int)status;
		answer = relay(c, (int)status, &len);
		memset(&x, 0, sizeof(x));
		x.method = c->method;
		x.target = c->target;
		x.req_headers = req_view;
		x.nreq_headers = c->nreq_h;
		x.req_body = c->req_body;
		x.req_len = c->req_len;
		x.status = (int)status;
		x.resp_headers = resp_view;
		x.nresp_headers = c->nresp_h;
		x.resp_body = c->body.ptr;
		x.resp_len = c->body.len;
		x.ms = (double)(uv_hrtime() - c->t0) / 1e6;
		x.description = c->description;
		x.states = c->states;
		if (cfg->recorder)
			stub_recorder_add(cfg->recorder, &x, &rec);
		if (cfg->verbosity > 0)
			log_exchange(c, "forwarded", (int)status, NULL, x.ms);
		free(req_view);
		free(resp_view);
	}
	if (rc != CURLE_OK && cfg->verbosity >= 0 && msg.len)
		log_exchange(c, "upstream", answered, msg.ptr, 0);
	svc_forwarded(p->sh, c->method, c->target, answered,
		      (double)(uv_hrtime() - c->t0) / 1e9,
		      rec.len ? rec.ptr : NULL, c->session);
	buf_release(&rec);
	buf_release(&msg);
	{
		proxy_done_fn done = c->done;
		void *ctx = c->ctx;
		call_free(c);
		done(ctx, answer, len);
	}
}

static void check_done(struct proxy *p)
{
	CURLMsg *m;
	int left;
	for (m = curl_multi_info_read(p->multi, &left); m;
	     m = curl_multi_info_read(p->multi, &left)) {
		struct proxy_call *c = NULL;
		CURLcode rc;
		if (m->msg != CURLMSG_DONE)
			continue;
		rc = curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &c);
		if (!rc && c)
			finish(c, m->data.result);
	}
}

/* The origin-form of a request-target (absolute-form loses its scheme
 * and authority). */
static const char *origin_form(const char *t, size_t len, size_t *out_len)
{
	if (len > 7 && !str_ncasecmp(t, "http", 4)) {
		const char *p = memchr(t, ':', len), *end = t + len;
		if (p && p + 2 < end && p[1] == '/' && p[2] == '/') {
			p += 3;
			while (p < end && *p != '/' && *p != '?')
				p++;
			*out_len = (size_t)(end - p);
			return p;
		}
	}
	*out_len = len;
	return t;
}

/* Whether header x is called name (in any case). */
static int name_is(const struct http1_header *x, const char *name)
{
	size_t n = strlen(name);
	return x->name_len == n && !str_ncasecmp(x->name, name, n);
}

/* Appends a header line to the call's list; out of memory aborts. */
static void header_add(struct proxy_call *c, const char *line)
{
	struct curl_slist *l = curl_slist_append(c->hdrs, line);
	if (!l)
		abort();
	c->hdrs = l;
}

/* The options of c's transfer to url: the first that fails is returned. */
static CURLcode transfer_setup(struct proxy_call *c, const char *url)
{
	CURL *easy = c->easy;
	CURLcode rc;
	rc = curl_easy_setopt(easy, CURLOPT_URL, url);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_PRIVATE, c);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, c->errbuf);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, c->method);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_HTTPHEADER, c->hdrs);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_HEADERDATA, c);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_WRITEDATA, c);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
			      (long)c->p->cfg->upstream_timeout_ms);
	if (rc)
		return rc;
	rc = curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	if (rc)
		return rc;
	if (c->head)
		return curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
	if (!c->req_len && strcmp(c->method, "POST") &&
	    strcmp(c->method, "PUT") && strcmp(c->method, "PATCH"))
		return CURLE_OK;
	rc = curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
			      (curl_off_t)c->req_len);
	if (rc)
		return rc;
	return curl_easy_setopt(easy, CURLOPT_POSTFIELDS,
				c->req_body ? c->req_body : "");
}

/* A 502 of our own into now, when no transfer could start. */
static void cannot_start(int keep_alive, struct buf *now)
{
	size_t n;
	char *a = own_answer(
		502, "accord record: cannot start a transfer to the upstream",
		0, keep_alive, &n);
	buf_add(now, a, n);
	free(a);
}

struct proxy_call *proxy_start(struct proxy *p, const struct http1_request *req,
			       const char *body, size_t len, int keep_alive,
			       proxy_done_fn done, void *ctx, struct buf *now)
{
	const struct stub_config *cfg = p->cfg;
	struct proxy_call *c;
	struct buf url, h;
	const char *t;
	size_t tlen, i, ulen = strlen(cfg->upstream);
	int has_accept = 0;
	CURLcode rc;
	CURLMcode mrc;
	CURL *easy = curl_easy_init();
	if (!easy) {
		cannot_start(keep_alive, now);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->p = p;
	c->easy = easy;
	c->done = done;
	c->ctx = ctx;
	c->next = p->calls; /* listed at once: call_free() unlists it */
	if (p->calls)
		p->calls->prev = c;
	p->calls = c;
	c->keep_alive = keep_alive;
	c->t0 = uv_hrtime();
	c->method = xstrndup(req->method, req->method_len);
	c->head = !strcmp(c->method, "HEAD");
	t = origin_form(req->target, req->target_len, &tlen);
	c->target = xstrndup(t, tlen);
	c->states = svc_forward_states(p->sh, req);
	if (len) {
		c->req_body = xmalloc(len);
		memcpy(c->req_body, body, len);
		c->req_len = len;
	}
	buf_init(&c->body, cfg->upstream_max_body);
	c->req_h = xcalloc(req->nheaders + 1, sizeof(*c->req_h));
	buf_init(&h, 0);
	for (i = 0; i < req->nheaders; i++) {
		const struct http1_header *x = &req->headers[i];
		if (name_is(x, "X-Accord-Description")) {
			free(c->description);
			c->description = xstrndup(x->value, x->value_len);
			continue;
		}
		if (name_is(x, "X-Accord-Session")) {
			free(c->session);
			c->session = xstrndup(x->value, x->value_len);
		}
		if (hop_by_hop(x->name, x->name_len) ||
		    name_is(x, "Accept-Encoding"))
			continue; /* the upstream answers in identity */
		if (name_is(x, "Accept"))
			has_accept = 1;
		c->req_h[c->nreq_h].name = xstrndup(x->name, x->name_len);
		c->req_h[c->nreq_h].value = xstrndup(x->value, x->value_len);
		c->nreq_h++;
		buf_reset(&h);
		buf_add(&h, x->name, x->name_len);
		buf_addstr(&h, x->value_len ? ": " : ";");
		buf_add(&h, x->value, x->value_len);
		header_add(c, h.ptr);
	}
	buf_release(&h);
	/* no "Expect: 100-continue" round trip; no Accept the client did
	 * not send */
	header_add(c, "Expect:");
	if (!has_accept)
		header_add(c, "Accept:");
	buf_init(&url, 0);
	while (ulen && cfg->upstream[ulen - 1] == '/')
		ulen--;
	buf_add(&url, cfg->upstream, ulen);
	buf_add(&url, t, tlen);
	rc = transfer_setup(c, url.ptr);
	buf_release(&url); /* curl keeps a copy */
	mrc = rc ? CURLM_OK : curl_multi_add_handle(p->multi, easy);
	if (!rc && !mrc)
		return c;
	call_free(c);
	cannot_start(keep_alive, now);
	return NULL;
}

void proxy_cancel(struct proxy_call *c)
{
	if (c)
		call_free(c);
}
