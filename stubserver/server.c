/*
 * server.c: the stub server's event loops. Each worker runs a libuv loop
 * on its own thread with its own listening socket on the shared port
 * (SO_REUSEPORT); connections are parsed with http1.c, answered through
 * select.c and respond.c, and written back in order, so keep-alive and
 * pipelining come for free. Nothing blocks a loop: answers are built in
 * memory and handed to uv_write.
 *
 * What the workers share (the interaction set, provider states, journal
 * and metrics) lives in struct shared behind locks: a read-write lock for
 * the set (swapped whole on a reload), a mutex for the rest.
 *
 * Faults: an answer that a fault rule touches leaves the batch and is
 * carried out on its own (struct delivery), with a timer of the
 * connection's for delays, slow heads and bandwidth slices, so nothing
 * waits on a thread or spins. Requests pipelined behind it wait until it
 * is done, which keeps answers in order. What it sends comes from
 * fault_bytes() (faultbytes.c); this file decides only when.
 */
/* SO_REUSEPORT is not POSIX: glibc shows it with _DEFAULT_SOURCE */
#define _DEFAULT_SOURCE 1

#include "stubserver/internal.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "stubserver/service.h"

/* One read into the worker's buffer: more waits for the loop's next turn,
 * so one fast client cannot starve the others. */
#define READ_CHUNK 65536
#define REQUEST_TIMEOUT_MS 10000    /* a request must arrive within this */
#define WRITE_HIGH_WATER (1u << 20) /* stop reading past this backlog */
/* A stopping server waits this long for busy connections to finish. */
#define DRAIN_TIMEOUT_MS 5000
#define SLICE_MS 20 /* bandwidth: a slice of the answer every SLICE_MS */
/* How often a connection's timeouts (request, idle) are looked at: the
 * timeouts are seconds long, and a timer per connection costs. */
#define TICK_MS 1000
/* Connections the kernel queues before they are accepted: a test suite
 * opening hundreds at once must not see refusals. */
#define LISTEN_BACKLOG 1024

struct worker {
	uv_loop_t loop;
	int has_loop;	/* uv_loop_init succeeded: uv_loop_close is due */
	int has_thread; /* runs on a thread of its own (index > 0) */
	uv_tcp_t listener;
	uv_tcp_t admin_listener; /* worker 0, with --admin-port */
	int has_admin;
	uv_async_t wake;
	uv_timer_t drain;
	uv_work_t reload; /* worker 0: a reload in progress */
	int reloading;
	struct shared *sh;
	pthread_t thread;
	int index;
	size_t nconns;
	int stopping;
	struct conn *conns;    /* list of open connections */
	struct proxy *proxy;   /* accord record: forwarding to upstream */
	char rbuf[READ_CHUNK]; /* every read lands here first */
};

enum phase { PH_HEAD, PH_BODY, PH_CHUNKED, PH_CLOSING };

enum dl_step { DL_DELAY, DL_SEND, DL_FINISH };
enum dl_finish { FIN_KEEP, FIN_CLOSE, FIN_RESET, FIN_HANG };

/* One answer being delivered with a fault. */
struct delivery {
	enum dl_step step;
	enum dl_finish finish;
	char *data; /* what is sent, owned */
	size_t len;
	size_t pos;   /* sent so far */
	size_t split; /* slow-head: the end of the status line, or 0 */
	double delay_ms, slow_head_ms, bandwidth, hang_ms;
	int waiting;	  /* for the timer */
	int wait_flush;	  /* for earlier writes to leave, before a close */
	int hang_started; /* hang_ms timer running */
	struct proxy_call *call;    /* accord record: the upstream's answer */
	struct contract_work *work; /* POST /__accord/contract in progress */
};

/* POST /__accord/contract on the thread pool: it writes files. */
struct contract_work {
	uv_work_t req;
	struct conn *c; /* NULL once the connection has gone */
	struct shared *sh;
	int keep;
	struct buf out;
};

struct conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	struct worker *w;
	uv_timer_t ftimer; /* fault delivery */
	struct delivery *dl;
	struct conn *prev, *next;
	struct buf in; /* bytes read and not yet consumed */
	enum phase phase;
	size_t head_len; /* while reading a body */
	uint64_t body_len;
	struct http1_chunked chunked;
	size_t chunked_off; /* chunked bytes consumed after the head */
	struct buf body;    /* decoded chunked body */
	int sent_continue;
	uint64_t request_start; /* uv_now of a request's first byte, or 0 */
	uint64_t last_active;
	size_t pending; /* bytes handed to uv_write, not yet written */
	int reading;
	int close_after_write;
	int handles_open;
	enum svc_route route;
};

struct write_req {
	uv_write_t req;
	struct conn *c;
	char *data;
	size_t len;
};

static void conn_close(struct conn *c);
static void process(struct conn *c);
static void dl_run(struct conn *c);

/* Writing. */

static void on_write(uv_write_t *req, int status)
{
	struct write_req *wr = (struct write_req *)req;
	struct conn *c = wr->c;
	c->pending -= wr->len;
	free(wr->data);
	free(wr);
	if (status < 0) {
		conn_close(c);
		return;
	}
	if (c->dl && c->dl->wait_flush && !c->pending) {
		c->dl->wait_flush = 0;
		dl_run(c);
		return;
	}
	if (c->close_after_write && !c->pending) {
		conn_close(c);
		return;
	}
	if (!c->reading && c->phase != PH_CLOSING &&
	    c->pending < WRITE_HIGH_WATER / 2)
		process(c); /* resumes reading when the backlog is gone */
}

/* Hands the bytes of out to libuv (taking them); resets out. */
/*
 * Sends out (taking its bytes). Most answers fit the socket at once:
 * uv_try_write then sends them with no write request, callback or poller
 * change; what does not fit goes through uv_write, and libuv keeps the
 * order (try_write refuses while writes are queued).
 */
static void conn_send(struct conn *c, struct buf *out)
{
	struct write_req *wr;
	uv_buf_t b;
	int n;
	char *data;
	size_t len;
	if (!out->len)
		return;
	b = uv_buf_init(out->ptr, (unsigned)out->len);
	n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
	if (n >= 0 && (size_t)n == out->len) {
		buf_reset(out);
		return;
	}
	if (n < 0 && n != UV_EAGAIN) {
		buf_reset(out);
		conn_close(c);
		return;
	}
	if (n < 0)
		n = 0;
	data = buf_detach(out, &len);
	wr = xcalloc(1, sizeof(*wr));
	wr->c = c;
	wr->data = data;
	wr->len = len - (size_t)n;
	b = uv_buf_init(data + n, (unsigned)wr->len);
	c->pending += wr->len;
	n = uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
	if (n) {
		c->pending -= wr->len;
		free(wr->data);
		free(wr);
		conn_close(c);
	}
}

/* Connections. */

static void on_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	if (--c->handles_open)
		return;
	buf_release(&c->in);
	buf_release(&c->body);
	if (c->dl)
		free(c->dl->data);
	free(c->dl);
	free(c);
}

/* Closes with a FIN, or with an RST when `reset` (SO_LINGER 0). */
static void conn_close_how(struct conn *c, int reset)
{
	struct worker *w = c->w;
	if (c->phase == PH_CLOSING)
		return;
	c->phase = PH_CLOSING;
	if (c->dl && c->dl->call) {
		proxy_cancel(c->dl->call); /* the client went away */
		c->dl->call = NULL;
	}
	if (c->dl && c->dl->work) {
		c->dl->work->c = NULL; /* it finishes, and answers no one */
		c->dl->work = NULL;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->nconns--;
	svc_conn_closed(w->sh);
	uv_timer_stop(&c->timer);
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
	uv_timer_stop(&c->ftimer);
	uv_close((uv_handle_t *)&c->ftimer, on_handle_closed);
	if (!reset || uv_tcp_close_reset(&c->tcp, on_handle_closed))
		uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	if (w->stopping && !w->conns)
		uv_async_send(&w->wake);
}

static void conn_close(struct conn *c)
{
	conn_close_how(c, 0);
}

/* Answers and closes: for malformed, oversized or timed-out requests. */
static void conn_fail(struct conn *c, int status, const char *why)
{
	struct buf out;
	buf_init(&out, 0);
	stub_respond_error(status, why, 0, 0, &out);
	svc_log_rejected(c->w->sh, status, why);
	c->close_after_write = 1;
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
	conn_send(c, &out);
	buf_release(&out);
	if (!c->pending)
		conn_close(c);
}

/*
 * Reads land in the worker's one buffer and are appended to the
 * connection's own, which holds only unconsumed bytes (and is freed when
 * empty), so an idle connection costs no read buffer.
 */
static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct conn *c = h->data;
	(void)hint;
	b->base = c->w->rbuf;
	b->len = sizeof(c->w->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct conn *c = s->data;
	if (n < 0) {
		conn_close(c);
		return;
	}
	if (!n)
		return;
	if (buf_try_add(&c->in, b->base, (size_t)n)) {
		if (c->dl) /* no answer may cut into the one being sent */
			conn_close(c);
		else
			conn_fail(c, 413, "request larger than the limit");
		return;
	}
	c->last_active = uv_now(&c->w->loop);
	if (!c->request_start)
		c->request_start = c->last_active;
	process(c);
}

/* Starts reading (again); a connection that cannot be read is closed. */
static void conn_read(struct conn *c)
{
	int r;
	if (c->reading)
		return;
	r = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	if (r) {
		conn_close(c);
		return;
	}
	c->reading = 1;
}

static void on_timer(uv_timer_t *t)
{
	struct conn *c = t->data;
	const struct stub_config *cfg = svc_config(c->w->sh);
	uint64_t now = uv_now(&c->w->loop);
	if (c->phase == PH_CLOSING || c->dl)
		return; /* a fault in progress keeps its own time */
	if (c->request_start && now - c->request_start > REQUEST_TIMEOUT_MS) {
		conn_fail(c, 408, "request not received in time");
		return;
	}
	if (!c->request_start && !c->pending &&
	    now - c->last_active > (uint64_t)cfg->idle_timeout_ms)
		conn_close(c);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct worker *w = server->data;
	const struct stub_config *cfg = svc_config(w->sh);
	struct conn *c;
	int r;
	if (status < 0 || w->stopping)
		return;
	c = xcalloc(1, sizeof(*c));
	c->w = w;
	c->route = server == (uv_stream_t *)&w->admin_listener ? ROUTE_ADMIN
		   : cfg->admin_port >= 0		       ? ROUTE_TRAFFIC
							       : ROUTE_ALL;
	/* libuv fails none of these but on a bug (EINVAL): the connection
	 * is then dropped, with what was made of it */
	r = uv_tcp_init(&w->loop, &c->tcp);
	if (r) {
		free(c);
		return;
	}
	c->tcp.data = c;
	c->handles_open = 1;
	r = uv_accept(server, (uv_stream_t *)&c->tcp);
	if (!r)
		r = uv_timer_init(&w->loop, &c->timer);
	if (r) {
		uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
		return;
	}
	c->timer.data = c;
	c->handles_open = 2;
	r = uv_timer_init(&w->loop, &c->ftimer);
	if (r) {
		uv_close((uv_handle_t *)&c->timer, on_handle_closed);
		uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
		return;
	}
	c->ftimer.data = c;
	c->handles_open = 3;
	buf_init(&c->in, HTTP1_MAX_HEAD + cfg->max_body + READ_CHUNK);
	buf_init(&c->body, cfg->max_body);
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;
	c->last_active = uv_now(&w->loop);
	uv_tcp_nodelay(&c->tcp, 1);
	if (!svc_conn_opened(w->sh)) {
		/* over the cap: a clear answer rather than a silent drop */
		conn_fail(c, 503, "too many open connections");
		return;
	}
	r = uv_timer_start(&c->timer, on_timer, TICK_MS, TICK_MS);
	if (r) {
		conn_close(c); /* no timeouts: not served */
		return;
	}
	conn_read(c);
}

/* Requests. */

static int wants_keep_alive(const struct http1_request *req)
{
	const struct http1_header *h = http1_header(req, "Connection");
	int close = 0, keep = 0;
	if (h) {
		size_t i = 0;
		while (i < h->value_len) {
			size_t j = i, k;
			while (j < h->value_len && h->value[j] != ',')
				j++;
			k = i;
			while (k < j &&
			       (h->value[k] == ' ' || h->value[k] == '\t'))
				k++;
			if (j - k >= 5 &&
			    !str_ncasecmp(h->value + k, "close", 5))
				close = 1;
			if (j - k >= 10 &&
			    !str_ncasecmp(h->value + k, "keep-alive", 10))
				keep = 1;
			i = j + 1;
		}
	}
	if (close)
		return 0;
	return req->minor_version >= 1 || keep;
}

static int expects_continue(const struct http1_request *req)
{
	const struct http1_header *h = http1_header(req, "Expect");
	return h && h->value_len == 12 &&
	       !str_ncasecmp(h->value, "100-continue", 12);
}

/* Sends a copy of p[0..n). */
static void send_bytes(struct conn *c, const char *p, size_t n)
{
	struct buf b;
	buf_init(&b, 0);
	buf_add(&b, p, n);
	conn_send(c, &b);
	buf_release(&b);
}

static void on_fault_timer(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (c->phase == PH_CLOSING || !c->dl)
		return;
	c->dl->waiting = 0;
	if (c->dl->hang_started) {
		conn_close(c); /* a hang with an end */
		return;
	}
	dl_run(c);
}

/* Waits ms for the next step; a delivery that cannot wait is closed. */
static void dl_wait(struct conn *c, double ms)
{
	int r;
	c->dl->waiting = 1;
	/* the loop's clock is read once per turn: a delay counted from a
	 * stale one would end early */
	uv_update_time(&c->w->loop);
	r = uv_timer_start(&c->ftimer, on_fault_timer, (uint64_t)ceil(ms), 0);
	if (r)
		conn_close(c);
}

/*
 * Advances the delivery as far as it can go now: the delay, then the
 * bytes (the status line first when the head is slow; slices when the
 * bandwidth is capped), then the end: keep the connection and go on with
 * the requests behind, or close it (FIN or RST, after earlier answers
 * have left), or hang.
 */
static void dl_run(struct conn *c)
{
	struct delivery *d = c->dl;
	for (;;) {
		if (c->phase == PH_CLOSING || d->waiting || d->wait_flush)
			return;
		switch (d->step) {
		case DL_DELAY:
			d->step = DL_SEND;
			if (d->delay_ms > 0) {
				dl_wait(c, d->delay_ms);
				return;
			}
			break;
		case DL_SEND: {
			size_t n = d->len - d->pos;
			if (!n) {
				d->step = DL_FINISH;
				break;
			}
			if (d->split && d->pos < d->split)
				n = d->split - d->pos;
			if (d->bandwidth > 0) {
				double s = d->bandwidth * SLICE_MS / 1000;
				size_t slice = s < 1 ? 1 : (size_t)s;
				if (n > slice)
					n = slice;
			}
			send_bytes(c, d->data + d->pos, n);
			d->pos += n;
			if (d->split && d->pos == d->split) {
				d->split = 0;
				dl_wait(c, d->slow_head_ms);
				return;
			}
			if (d->bandwidth > 0 && d->pos < d->len) {
				dl_wait(c, d->bandwidth * SLICE_MS / 1000 < 1
						   ? 1000 / d->bandwidth
						   : SLICE_MS);
				return;
			}
			break;
		}
		case DL_FINISH:
			if (d->finish == FIN_HANG) {
				if (d->hang_ms > 0 && !d->hang_started) {
					d->hang_started = 1;
					dl_wait(c, d->hang_ms);
				}
				return;
			}
			if (d->finish == FIN_KEEP) {
				free(d->data);
				free(d);
				c->dl = NULL;
				process(c);
				return;
			}
			if (c->pending) {
				d->wait_flush = 1;
				return;
			}
			conn_close_how(c, d->finish == FIN_RESET);
			return;
		}
	}
}

/* Takes the answer p[0..len) out of the batch to deliver it with faults. */
static void dl_start(struct conn *c, const struct fault_action *a,
		     const char *p, size_t len)
{
	struct delivery *d = xcalloc(1, sizeof(*d));
	struct buf b;
	buf_init(&b, 0);
	d->delay_ms = a->delay_ms;
	d->slow_head_ms = a->slow_head_ms;
	d->bandwidth = a->bandwidth;
	d->hang_ms = a->hang_ms;
	fault_bytes(a, p, len, &b);
	switch (a->outcome) {
	case FAULT_NONE:
	case FAULT_ERROR:
		d->finish = FIN_KEEP;
		break;
	case FAULT_RESET:
		d->finish = FIN_RESET;
		break;
	case FAULT_HANG:
		d->finish = FIN_HANG;
		break;
	case FAULT_CLOSE:
	case FAULT_TRUNCATE:
	case FAULT_GARBAGE:
	case FAULT_MALFORMED_CHUNK:
		d->finish = FIN_CLOSE;
		break;
	}
	if (d->slow_head_ms > 0 && b.len) {
		const char *eol = memchr(b.ptr, '\n', b.len);
		if (eol && (size_t)(eol - b.ptr) + 1 < b.len)
			d->split = (size_t)(eol - b.ptr) + 1;
	}
	d->data = buf_detach(&b, &d->len);
	c->dl = d;
}

/* The upstream's answer to a forwarded request: delivered now. */
static void on_proxied(void *ctx, char *answer, size_t len)
{
	struct conn *c = ctx;
	struct delivery *d = c->dl;
	d->call = NULL;
	d->data = answer;
	d->len = len;
	d->waiting = 0;
	dl_run(c);
}

/* Whether a request is for the admin API rather than the upstream. */
static int admin_target(const struct conn *c, const struct http1_request *req)
{
	return c->route != ROUTE_TRAFFIC &&
	       req->target_len >= STUB_ADMIN_PREFIX_LEN &&
	       !memcmp(req->target, STUB_ADMIN_PREFIX, STUB_ADMIN_PREFIX_LEN);
}

/*
 * accord record: the request goes to the upstream, and its answer comes
 * back later as a delivery that waits (c->dl), so the requests pipelined
 * behind it wait too and answers keep their order.
 */
static void forward(struct conn *c, const struct http1_request *req,
		    const char *body, size_t len, int keep)
{
	struct delivery *d = xcalloc(1, sizeof(*d));
	struct buf now;
	buf_init(&now, 0);
	d->finish = FIN_KEEP;
	d->step = DL_DELAY;
	c->dl = d;
	d->call = proxy_start(c->w->proxy, req, body, len, keep, on_proxied, c,
			      &now);
	if (!d->call) /* an answer of ours, at once */
		d->data = buf_detach(&now, &d->len);
	else
		d->waiting = 1;
	buf_release(&now);
}

static void contract_run(uv_work_t *req)
{
	struct contract_work *cw = req->data;
	svc_write_contract(cw->sh, cw->keep, &cw->out);
}

static void contract_done(uv_work_t *req, int status)
{
	struct contract_work *cw = req->data;
	struct conn *c = cw->c;
	(void)status;
	if (c) {
		struct delivery *d = c->dl;
		d->work = NULL;
		d->data = buf_detach(&cw->out, &d->len);
		d->waiting = 0;
		dl_run(c);
	}
	buf_release(&cw->out);
	free(cw);
}

/* The contract is written off the loop; its answer is a delivery that
 * waits, as a forwarded request's does. */
static void defer_contract(struct conn *c, int keep)
{
	struct delivery *d = xcalloc(1, sizeof(*d));
	struct contract_work *cw = xcalloc(1, sizeof(*cw));
	int r;
	d->finish = FIN_KEEP;
	d->step = DL_DELAY;
	c->dl = d;
	cw->c = c;
	cw->sh = c->w->sh;
	cw->keep = keep;
	cw->req.data = cw;
	buf_init(&cw->out, 0);
	r = uv_queue_work(&c->w->loop, &cw->req, contract_run, contract_done);
	if (r) { /* no thread pool: written here, the loop waits */
		svc_write_contract(cw->sh, keep, &cw->out);
		d->data = buf_detach(&cw->out, &d->len);
		buf_release(&cw->out);
		free(cw);
		return;
	}
	d->work = cw;
	d->waiting = 1;
}

/*
 * Answers one complete request; its body is body[0..len). The answer is
 * appended to out, unless a fault takes it (c->dl is then set).
 */
static void dispatch(struct conn *c, const struct http1_request *req,
		     const char *body, size_t len, struct buf *out)
{
	int keep = wants_keep_alive(req) && !c->w->stopping;
	size_t mark = out->len;
	struct fault_action act;
	if (svc_is_contract_call(c->w->sh, req, c->route)) {
		if (!keep)
			c->close_after_write = 1;
		defer_contract(c, keep);
		return;
	}
	if (c->w->proxy && c->route != ROUTE_ADMIN && !admin_target(c, req)) {
		if (!keep)
			c->close_after_write = 1;
		forward(c, req, body, len, keep);
		return;
	}
	svc_handle(c->w->sh, req, body, len, keep, c->route, out, &act);
	if (!keep)
		c->close_after_write = 1;
	if (act.outcome != FAULT_NONE || act.delay_ms > 0 ||
	    act.bandwidth > 0 || act.slow_head_ms > 0) {
		dl_start(c, &act, out->ptr + mark, out->len - mark);
		buf_setlen(out, mark);
	}
	fault_action_done(&act);
}

/*
 * Consumes as many complete requests as the buffer holds, appending their
 * answers to one write. Returns when more bytes are needed, the backlog of
 * unwritten answers is too large (reading stops until it drains), or the
 * connection is to close.
 */
static void process(struct conn *c)
{
	const struct stub_config *cfg = svc_config(c->w->sh);
	struct buf out;
	size_t off = 0;
	buf_init(&out, 0);
	while (c->phase != PH_CLOSING && !c->close_after_write && !c->dl) {
		const char *data = c->in.ptr + off;
		size_t len = c->in.len - off;
		struct http1_request req;
		enum http1_framing fr;
		const char *why = NULL;
		long r;
		if (c->pending + out.len > WRITE_HIGH_WATER) {
			if (c->reading) {
				uv_read_stop((uv_stream_t *)&c->tcp);
				c->reading = 0;
			}
			break;
		}
		if (!len)
			break;
		r = http1_parse_request(data, len, &req, &why);
		if (r == HTTP1_INCOMPLETE)
			break;
		if (r == HTTP1_TOO_LARGE) {
			char msg[64];
			snprintf(msg, sizeof(msg),
				 "request head larger than %d KiB",
				 HTTP1_MAX_HEAD / 1024);
			conn_send(c, &out);
			conn_fail(c, 431, msg);
			buf_release(&out);
			return;
		}
		if (r < 0 || http1_check_fields(&req, &why) ||
		    http1_framing(&req, &fr, &c->body_len, &why) < 0) {
			conn_send(c, &out);
			conn_fail(c, 400, why ? why : "malformed request");
			buf_release(&out);
			return;
		}
		c->head_len = (size_t)r;
		if (fr == HTTP1_LENGTH) {
			if (c->body_len > cfg->max_body) {
				conn_send(c, &out);
				conn_fail(
					c, 413,
					"request body larger than --max-body");
				buf_release(&out);
				return;
			}
			if (len - c->head_len < c->body_len) {
				if (expects_continue(&req) &&
				    !c->sent_continue) {
					buf_addstr(
						&out,
						"HTTP/1.1 100 Continue\r\n\r\n");
					c->sent_continue = 1;
				}
				break;
			}
			dispatch(c, &req, data + c->head_len,
				 (size_t)c->body_len, &out);
			off += c->head_len + (size_t)c->body_len;
		} else if (fr == HTTP1_CHUNKED) {
			int done = 0;
			long used;
			if (c->phase != PH_CHUNKED) {
				memset(&c->chunked, 0, sizeof(c->chunked));
				buf_reset(&c->body);
				c->phase = PH_CHUNKED;
				if (expects_continue(&req) &&
				    !c->sent_continue) {
					buf_addstr(
						&out,
						"HTTP/1.1 100 Continue\r\n\r\n");
					c->sent_continue = 1;
				}
			}
			/* the head stays in the buffer until the body is done;
			 * decoded data goes to c->body */
			used = http1_chunked_decode(
				&c->chunked,
				data + c->head_len + c->chunked_off,
				len - c->head_len - c->chunked_off, &c->body,
				&done, &why);
			if (used < 0) {
				conn_send(c, &out);
				conn_fail(
					c, used == HTTP1_TOO_LARGE ? 413 : 400,
					used == HTTP1_TOO_LARGE
						? "request body larger than --max-body"
						: (why ? why
						       : "bad chunked body"));
				buf_release(&out);
				return;
			}
			c->chunked_off += (size_t)used;
			if (!done)
				break;
			dispatch(c, &req, c->body.ptr, c->body.len, &out);
			off += c->head_len + c->chunked_off;
			c->chunked_off = 0;
		} else {
			dispatch(c, &req, "", 0, &out);
			off += c->head_len;
		}
		c->phase = PH_HEAD;
		c->sent_continue = 0;
		c->request_start = off < c->in.len ? uv_now(&c->w->loop) : 0;
	}
	if (off) {
		buf_consume(&c->in, off);
		if (!c->in.len) {
			c->request_start = 0;
			buf_release(&c->in); /* idle connections hold nothing */
		}
	}
	conn_send(c, &out);
	buf_release(&out);
	if (c->phase == PH_CLOSING)
		return;
	if (c->dl) {
		/* reading goes on, so a client that gives up is noticed */
		conn_read(c);
		if (c->phase != PH_CLOSING && c->dl->step == DL_DELAY &&
		    !c->dl->waiting)
			dl_run(c);
		return;
	}
	if (c->close_after_write) {
		if (c->reading) {
			uv_read_stop((uv_stream_t *)&c->tcp);
			c->reading = 0;
		}
		if (!c->pending)
			conn_close(c);
		return;
	}
	if (c->pending + out.len <= WRITE_HIGH_WATER)
		conn_read(c);
}

/* Listening. */

/* The text of a system error number (errno, pthread_create's result). */
static const char *sys_error(int errnum)
{
	return uv_strerror(uv_translate_sys_error(errnum));
}

/*
 * A listening socket of our own making: libuv 1.44 has no SO_REUSEPORT
 * flag, and every worker of --workers N needs one on the same port. With
 * one worker (and for the admin port) the socket has no SO_REUSEPORT, so
 * a port another server holds is "address already in use" rather than
 * shared with it. A socket that cannot be had (EMFILE under --workers N)
 * is the worker's failure to start.
 */
static int open_listener(struct worker *w, uv_tcp_t *h, const char *host,
			 int port, int reuseport, struct err *e)
{
	struct sockaddr_storage ss;
	int fd, one = 1, r;
	memset(&ss, 0, sizeof(ss));
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) &&
	    uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss))
		return err_set(e, ERR_USAGE, "not an IP address: '%s'", host);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot start worker %d: %s",
			       w->index + 1, sys_error(errno));
	r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
#ifdef SO_REUSEPORT
	if (!r && reuseport)
		r = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
#else
	if (reuseport) {
		close(fd);
		return err_set(
			e, ERR_UNSUPPORTED,
			"--workers needs SO_REUSEPORT, which this system lacks");
	}
#endif
	if (!r)
		r = bind(fd, (struct sockaddr *)&ss,
			 ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in));
	if (r) {
		r = errno;
		close(fd);
		return err_set(e, ERR_IO, "cannot listen on %s:%d: %s", host,
			       port, strerror(r));
	}
	r = uv_tcp_init(&w->loop, h);
	if (r) {
		close(fd);
		return err_set(e, ERR_IO, "cannot listen on %s:%d: %s", host,
			       port, uv_strerror(r));
	}
	h->data = w;
	r = uv_tcp_open(h, fd);
	if (r) /* the handle does not own fd: closing it leaves fd open */
		close(fd);
	if (!r)
		r = uv_listen((uv_stream_t *)h, LISTEN_BACKLOG, on_connection);
	if (r)
		return err_set(e, ERR_IO, "cannot listen on %s:%d: %s", host,
			       port, uv_strerror(r));
	return 0;
}

static int bound_port(uv_tcp_t *h)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss), r;
	r = uv_tcp_getsockname(h, (struct sockaddr *)&ss, &len);
	if (r)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Stopping: close the listener, close idle connections, then the loop. */

static void close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void drain_now(struct worker *w)
{
	while (w->conns)
		conn_close(w->conns);
}

static void on_drain_timeout(uv_timer_t *t)
{
	drain_now(t->data);
}

static void start_reload(struct worker *w);

/* Woken by svc_stop() or svc_ask_reload(), from any thread. */
static void on_wake(uv_async_t *a)
{
	struct worker *w = a->data;
	struct conn *c, *next;
	int r;
	if (!w->index && svc_reload_asked(w->sh))
		start_reload(w);
	if (!svc_stopping(w->sh))
		return;
	if (!w->stopping) {
		w->stopping = 1;
		if (!uv_is_closing((uv_handle_t *)&w->listener))
			uv_close((uv_handle_t *)&w->listener, NULL);
		if (w->has_admin &&
		    !uv_is_closing((uv_handle_t *)&w->admin_listener))
			uv_close((uv_handle_t *)&w->admin_listener, NULL);
		r = uv_timer_init(&w->loop, &w->drain);
		w->drain.data = w;
		if (!r)
			r = uv_timer_start(&w->drain, on_drain_timeout,
					   DRAIN_TIMEOUT_MS, 0);
		if (r) /* no time to drain: every connection goes now */
			drain_now(w);
		/* connections between requests close now; busy ones after
		 * their answers are written */
		for (c = w->conns; c; c = next) {
			next = c->next;
			if (!c->in.len && !c->pending && !c->dl)
				conn_close(c);
			else
				c->close_after_write = 1;
		}
	}
	if (!w->conns) {
		proxy_close(w->proxy); /* its handles have callbacks */
		w->proxy = NULL;
		uv_walk(&w->loop, close_walk, NULL);
	}
}

/*
 * Reloads run on libuv's thread pool: reading and indexing the contracts
 * takes as long as the first load, and the loop keeps serving meanwhile
 * (svc_reload swaps the set under its lock). One reload at a time.
 */
static void reload_work(uv_work_t *req)
{
	struct worker *w = req->data;
	svc_reload(w->sh);
}

static void reload_done(uv_work_t *req, int status)
{
	struct worker *w = req->data;
	(void)status;
	w->reloading = 0;
}

/* Worker 0, asked to reload (stub_control_reload). */
static void start_reload(struct worker *w)
{
	int r;
	if (w->reloading)
		return;
	w->reload.data = w;
	r = uv_queue_work(&w->loop, &w->reload, reload_work, reload_done);
	if (r) {
		stub_log(svc_config(w->sh)->log, svc_config(w->sh)->log_ctx,
			 LOG_ERROR, "reload", NULL,
			 "reload failed, still serving the old contracts: %s",
			 uv_strerror(r));
		return;
	}
	w->reloading = 1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uv_run(&w->loop, UV_RUN_DEFAULT);
	return NULL;
}

void stub_config_init(struct stub_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->host = "127.0.0.1";
	cfg->workers = 1;
	cfg->unmatched_status = 404;
	cfg->max_body = STUB_DEFAULT_MAX_BODY;
	cfg->journal_size = STUB_DEFAULT_JOURNAL_SIZE;
	cfg->max_connections = STUB_DEFAULT_MAX_CONNECTIONS;
	cfg->idle_timeout_ms = STUB_DEFAULT_IDLE_TIMEOUT_MS;
	cfg->upstream_timeout_ms = STUB_DEFAULT_UPSTREAM_TIMEOUT_MS;
	cfg->upstream_max_body = STUB_DEFAULT_UPSTREAM_MAX_BODY;
	cfg->admin_port = -1;
}

struct pool {
	struct worker *w;
	int n;
};

struct stub_control {
	pthread_mutex_t lock;
	struct shared *sh; /* while serving */
	int stop;
};

struct stub_control *stub_control_new(void)
{
	struct stub_control *ctl = xcalloc(1, sizeof(*ctl));
	pthread_mutex_init(&ctl->lock, NULL);
	return ctl;
}

void stub_control_stop(struct stub_control *ctl)
{
	pthread_mutex_lock(&ctl->lock);
	ctl->stop = 1;
	if (ctl->sh)
		svc_stop(ctl->sh);
	pthread_mutex_unlock(&ctl->lock);
}

void stub_control_reload(struct stub_control *ctl)
{
	pthread_mutex_lock(&ctl->lock);
	if (ctl->sh)
		svc_ask_reload(ctl->sh);
	pthread_mutex_unlock(&ctl->lock);
}

void stub_control_free(struct stub_control *ctl)
{
	if (!ctl)
		return;
	pthread_mutex_destroy(&ctl->lock);
	free(ctl);
}

/* The server is up (sh) or going (NULL): stops now if asked before. */
static void control_attach(struct stub_control *ctl, struct shared *sh)
{
	if (!ctl)
		return;
	pthread_mutex_lock(&ctl->lock);
	ctl->sh = sh;
	if (sh && ctl->stop)
		svc_stop(sh);
	pthread_mutex_unlock(&ctl->lock);
}

/* Wakes every worker (any thread): they check whether to stop. */
static void wake_all(void *ctx)
{
	struct pool *p = ctx;
	int i;
	for (i = 0; i < p->n; i++)
		uv_async_send(&p->w[i].wake);
}

/*
 * Worker w's loop, its wake-up handle, its forwarder (accord record) and
 * its listener on `port`. -1 with err set: what was made stays for
 * close_unrun().
 */
static int worker_start(struct worker *w, const struct stub_config *cfg,
			struct shared *sh, int port, struct err *e)
{
	int r;
	r = uv_loop_init(&w->loop);
	if (r)
		return err_set(e, ERR_IO, "cannot start worker %d: %s",
			       w->index + 1, uv_strerror(r));
	w->has_loop = 1;
	r = uv_async_init(&w->loop, &w->wake, on_wake);
	if (r)
		return err_set(e, ERR_IO, "cannot start worker %d: %s",
			       w->index + 1, uv_strerror(r));
	w->wake.data = w;
	if (cfg->upstream) {
		w->proxy = proxy_new(&w->loop, cfg, sh, e);
		if (!w->proxy)
			return -1;
	}
	return open_listener(w, &w->listener, cfg->host, port, cfg->workers > 1,
			     e);
}

/* A worker whose loop never ran: its handles are closed, then the loop. */
static void close_unrun(struct worker *w)
{
	if (!w->has_loop)
		return;
	proxy_close(w->proxy);
	w->proxy = NULL;
	uv_walk(&w->loop, close_walk, NULL);
	uv_run(&w->loop, UV_RUN_DEFAULT);
}

/*
 * Before --workers N share a port through SO_REUSEPORT: is the port free?
 * A socket without SO_REUSEPORT cannot bind where anyone listens, with or
 * without it, so a second accord stub on a busy port fails here instead of
 * silently taking half its traffic. Returns 0, or -1 with e set.
 */
static int port_free(const char *host, int port, struct err *e)
{
	struct worker probe;
	int r;
	memset(&probe, 0, sizeof(probe));
	r = uv_loop_init(&probe.loop);
	if (r)
		return err_set(e, ERR_IO, "cannot start worker 1: %s",
			       uv_strerror(r));
	probe.has_loop = 1;
	r = open_listener(&probe, &probe.listener, host, port, 0, e);
	close_unrun(&probe);
	uv_loop_close(&probe.loop);
	return r;
}

int stub_serve(const struct stub_config *cfg, struct stub_set *set,
	       struct err *e)
{
	struct worker *ws;
	struct shared *sh;
	struct pool pool;
	int n = cfg->workers > 0 ? cfg->workers : 1, i, port = cfg->port, r = 0;
	char url[STUB_URL_MAX], admin_url[STUB_URL_MAX];
	ws = xcalloc((size_t)n, sizeof(*ws));
	pool.w = ws;
	pool.n = 0; /* grows as workers come up: only those are woken */
	sh = svc_new(cfg, set, wake_all, &pool);
	if (n > 1 && port)
		r = port_free(cfg->host, port, e);
	for (i = 0; i < n && !r; i++) {
		ws[i].sh = sh;
		ws[i].index = i;
		r = worker_start(&ws[i], cfg, sh, port, e);
		if (r)
			break;
		pool.n = i + 1;
		if (!i)
			port = bound_port(&ws[0].listener);
	}
	if (!r) {
		snprintf(url, sizeof(url),
			 strchr(cfg->host, ':') ? "http://[%s]:%d"
						: "http://%s:%d",
			 cfg->host, port);
		svc_set_url(sh, url);
	}
	if (!r && cfg->admin_port >= 0) {
		r = open_listener(&ws[0], &ws[0].admin_listener, cfg->host,
				  cfg->admin_port, 0, e);
		ws[0].has_admin = !r;
	}
	if (ws[0].has_admin)
		snprintf(admin_url, sizeof(admin_url),
			 strchr(cfg->host, ':') ? "http://[%s]:%d"
						: "http://%s:%d",
			 cfg->host, bound_port(&ws[0].admin_listener));
	for (i = 1; i < n && !r; i++) {
		int rc = pthread_create(&ws[i].thread, NULL, worker_main,
					&ws[i]);
		if (rc)
			r = err_set(e, ERR_IO, "cannot start worker %d: %s",
				    i + 1, sys_error(rc));
		else
			ws[i].has_thread = 1;
	}
	if (r) {
		/* the workers that run drain and end; the others never ran */
		svc_stop(sh);
		for (i = 0; i < n; i++) {
			if (ws[i].has_thread)
				pthread_join(ws[i].thread, NULL);
			else
				close_unrun(&ws[i]);
		}
		goto out;
	}
	control_attach(cfg->control, sh);
	if (cfg->on_listen)
		cfg->on_listen(cfg->listen_ctx, url,
			       cfg->admin_port >= 0 ? admin_url : NULL);
	uv_run(&ws[0].loop, UV_RUN_DEFAULT);
	for (i = 1; i < n; i++)
		pthread_join(ws[i].thread, NULL);
out:
	control_attach(cfg->control, NULL);
	for (i = 0; i < n; i++)
		if (ws[i].has_loop)
			uv_loop_close(&ws[i].loop);
	svc_free(sh);
	free(ws);
	return r;
}
