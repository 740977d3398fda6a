/*
 * tool_flood.c: many concurrent clients, for the test that a stub holds
 * thousands of delayed answers at once without a thread each.
 *
 *   tool_flood HOST PORT PATH COUNT [TIMEOUT_MS]
 *
 * Opens COUNT connections (at most 256 connecting at a time), sends one
 * "GET PATH" with "Connection: close" on each and reads each answer to the
 * end. Prints one line:
 *   flood: N ok, N failed, peak N waiting, N ms
 * where "ok" answers began with "HTTP/1.1 200" and "peak waiting" is the
 * largest number of requests sent and not yet answered at one time. Gives
 * up after TIMEOUT_MS (default 60000). Exits 0 when every answer was ok,
 * 1 otherwise, 2 on usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "common/common.h"

#define CONNECTING_MAX 256

struct flood {
	uv_loop_t *loop;
	struct sockaddr_in addr;
	char request[512];
	size_t reqlen;
	long count, started, connecting, waiting, peak, ok, failed;
	uv_timer_t deadline;
	char scratch[65536]; /* answers are read into it and dropped */
};

struct client {
	uv_tcp_t tcp;
	uv_connect_t connect;
	uv_write_t write;
	struct flood *f;
	char head[16];
	size_t got;
	int answered;
	int done;
};

static void start_more(struct flood *f);

static void on_closed(uv_handle_t *h)
{
	free(h->data);
}

static void finish(struct client *c, int ok)
{
	struct flood *f = c->f;
	if (c->done)
		return;
	c->done = 1;
	if (c->answered)
		f->waiting--;
	if (ok)
		f->ok++;
	else
		f->failed++;
	uv_close((uv_handle_t *)&c->tcp, on_closed);
	if (f->ok + f->failed == f->count)
		uv_close((uv_handle_t *)&f->deadline, NULL);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct client *c = h->data;
	(void)hint;
	b->base = c->f->scratch;
	b->len = sizeof(c->f->scratch);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct client *c = s->data;
	if (n > 0 && c->got < sizeof(c->head)) {
		size_t k = sizeof(c->head) - c->got;
		if ((size_t)n < k)
			k = (size_t)n;
		memcpy(c->head + c->got, b->base, k);
		c->got += k;
	}
	if (n < 0)
		finish(c, c->got >= 12 && !memcmp(c->head, "HTTP/1.1 200", 12));
}

static void on_written(uv_write_t *w, int status)
{
	struct client *c = w->data;
	if (status < 0) {
		finish(c, 0);
		return;
	}
	c->answered = 1; /* from now on it waits for its answer */
	if (++c->f->waiting > c->f->peak)
		c->f->peak = c->f->waiting;
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void on_connect(uv_connect_t *r, int status)
{
	struct client *c = r->data;
	struct flood *f = c->f;
	uv_buf_t b = uv_buf_init(f->request, (unsigned)f->reqlen);
	f->connecting--;
	start_more(f);
	if (status < 0) {
		finish(c, 0);
		return;
	}
	c->write.data = c;
	if (uv_write(&c->write, (uv_stream_t *)&c->tcp, &b, 1, on_written))
		finish(c, 0);
}

static void start_more(struct flood *f)
{
	while (f->started < f->count && f->connecting < CONNECTING_MAX) {
		struct client *c = xcalloc(1, sizeof(*c));
		c->f = f;
		uv_tcp_init(f->loop, &c->tcp);
		c->tcp.data = c;
		c->connect.data = c;
		f->started++;
		f->connecting++;
		if (uv_tcp_connect(&c->connect, &c->tcp,
				   (const struct sockaddr *)&f->addr,
				   on_connect)) {
			f->connecting--;
			finish(c, 0);
		}
	}
}

static void on_deadline(uv_timer_t *t)
{
	struct flood *f = t->data;
	fprintf(stderr, "flood: gave up with %ld answers missing\n",
		f->count - f->ok - f->failed);
	uv_stop(f->loop);
}

int main(int argc, char **argv)
{
	struct flood f;
	long port, timeout = 60000;
	uint64_t t0;
	int n;
	if (argc < 5 || argc > 6 || parse_long(argv[2], 1, 65535, &port) ||
	    parse_long(argv[4], 1, 1000000, &f.count) ||
	    (argc == 6 && parse_long(argv[5], 1, 3600000, &timeout))) {
		fprintf(stderr,
			"usage: tool_flood HOST PORT PATH COUNT [TIMEOUT_MS]\n");
		return 2;
	}
	raise_fd_limit();
	f.loop = uv_default_loop();
	f.started = f.connecting = f.waiting = f.peak = f.ok = f.failed = 0;
	if (uv_ip4_addr(argv[1], (int)port, &f.addr)) {
		fprintf(stderr, "tool_flood: bad address\n");
		return 2;
	}
	n = snprintf(f.request, sizeof(f.request),
		     "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
		     argv[3], argv[1]);
	if (n < 0 || (size_t)n >= sizeof(f.request))
		return 2;
	f.reqlen = (size_t)n;
	uv_timer_init(f.loop, &f.deadline);
	f.deadline.data = &f;
	uv_timer_start(&f.deadline, on_deadline, (uint64_t)timeout, 0);
	t0 = uv_now(f.loop);
	start_more(&f);
	uv_run(f.loop, UV_RUN_DEFAULT);
	uv_update_time(f.loop);
	printf("flood: %ld ok, %ld failed, peak %ld waiting, %llu ms\n", f.ok,
	       f.failed, f.peak, (unsigned long long)(uv_now(f.loop) - t0));
	return f.ok == f.count ? 0 : 1;
}
