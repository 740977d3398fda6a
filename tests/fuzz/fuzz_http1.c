/*
 * fuzz_http1.c: libFuzzer target for the HTTP/1.1 request parser, the
 * framing rules and the chunked-body decoder (stubserver/http1.c).
 *
 * The input is what a client sends on a connection. The head is parsed;
 * when it is complete, the parser must give the same answer for the head
 * alone and HTTP1_INCOMPLETE for the head less its last byte (it is
 * stateless, so a read split there must not change anything), and every
 * string must lie inside the head. Then framing is judged, and a chunked
 * body is decoded from the rest of the input whole and again split in two
 * at a position taken from the first two input bytes: both must give the
 * same payload, the same consumed count or status, and the same done flag.
 * Any disagreement aborts, so libFuzzer keeps the input.
 */
#include "stubserver/internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A body limit small enough for TOO_LARGE to be reached. */
#define BODY_LIMIT (64 * 1024)

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_http1: %s\n", what);
		abort();
	}
}

static int inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

/* What a chunked decode ended with. */
struct decoded {
	long r; /* bytes consumed, or a status */
	int done;
	struct buf body;
};

/* Decodes p[0..n) in two calls, the first of `first` bytes. */
static void decode(const char *p, size_t n, size_t first, struct decoded *d)
{
	struct http1_chunked st;
	const char *why = NULL;
	long r;

	memset(&st, 0, sizeof(st));
	buf_init(&d->body, BODY_LIMIT);
	d->done = 0;
	r = http1_chunked_decode(&st, p, first, &d->body, &d->done, &why);
	if (r < 0) {
		check(why != NULL, "decoder error without a reason");
		d->r = r;
		return;
	}
	check((size_t)r <= first, "decoder consumed more than it was given");
	if (d->done) {
		d->r = r;
		return;
	}
	check((size_t)r == first, "decoder stopped short of done");
	d->r = http1_chunked_decode(&st, p + first, n - first, &d->body,
				    &d->done, &why);
	if (d->r < 0) {
		check(why != NULL, "decoder error without a reason");
		return;
	}
	check((size_t)d->r <= n - first,
	      "decoder consumed more than it was given");
	check(d->done || (size_t)d->r == n - first,
	      "decoder stopped short of done");
	d->r += r;
}

static void chunked(const uint8_t *data, size_t size, const char *rest,
		    size_t n)
{
	struct decoded whole, split;
	size_t at = 0;

	if (size >= 2)
		at = ((size_t)data[0] << 8 | data[1]) % (n + 1);
	decode(rest, n, n, &whole);
	decode(rest, n, at, &split);
	check(whole.r == split.r, "split decode consumed a different count");
	check(whole.done == split.done, "split decode differs in done");
	if (whole.r >= 0)
		check(whole.body.len == split.body.len &&
			      !memcmp(whole.body.ptr, split.body.ptr,
				      whole.body.len),
		      "split decode gave a different payload");
	check(whole.body.len <= BODY_LIMIT, "body over its limit");
	buf_release(&whole.body);
	buf_release(&split.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http1_request req, again;
	enum http1_framing f;
	uint64_t length;
	const char *why = NULL;
	size_t i, head;
	long r;

	r = http1_parse_request(buf, size, &req, &why);
	if (r == HTTP1_BAD || r == HTTP1_TOO_LARGE) {
		check(why != NULL, "parse error without a reason");
		return 0;
	}
	if (r == HTTP1_INCOMPLETE) {
		check(size < HTTP1_MAX_HEAD, "incomplete past the head limit");
		return 0;
	}
	check(r > 0 && (size_t)r <= size && r <= HTTP1_MAX_HEAD,
	      "head length out of range");
	head = (size_t)r;

	check(inside(req.method, req.method_len, buf, head) &&
		      req.method_len > 0,
	      "method outside the head");
	check(inside(req.target, req.target_len, buf, head) &&
		      req.target_len > 0,
	      "target outside the head");
	check(req.minor_version == 0 || req.minor_version == 1,
	      "bad minor version");
	check(req.nheaders <= HTTP1_MAX_HEADERS, "too many headers");
	for (i = 0; i < req.nheaders; i++) {
		const struct http1_header *h = &req.headers[i];
		check(inside(h->name, h->name_len, buf, head) &&
			      h->name_len > 0,
		      "header name outside the head");
		check(inside(h->value, h->value_len, buf, head),
		      "header value outside the head");
		check(h->value_len == 0 ||
			      (h->value[0] != ' ' && h->value[0] != '\t' &&
			       h->value[h->value_len - 1] != ' ' &&
			       h->value[h->value_len - 1] != '\t'),
		      "header value not trimmed");
	}
	if (req.nheaders > 0) {
		/* lookup by the first name, in other case, finds it */
		char name[HTTP1_MAX_HEAD];
		for (i = 0; i < req.headers[0].name_len; i++) {
			char c = req.headers[0].name[i];
			if ((i & 1) &&
			    ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
				c ^= 0x20;
			name[i] = c;
		}
		name[i] = '\0';
		check(http1_header(&req, name) == &req.headers[0],
		      "header lookup missed the first header");
	}

	/* stateless: the head alone, and one byte less */
	check(http1_parse_request(buf, head, &again, &why) == r,
	      "head alone parses differently");
	check(again.nheaders == req.nheaders, "head alone: header count");
	check(http1_parse_request(buf, head - 1, &again, &why) ==
		      HTTP1_INCOMPLETE,
	      "head less a byte is not incomplete");

	if (http1_framing(&req, &f, &length, &why)) {
		check(why != NULL, "framing error without a reason");
		return 0;
	}
	if (f == HTTP1_LENGTH)
		check(length <= (uint64_t)1 << 62, "Content-Length too large");
	if (f == HTTP1_CHUNKED)
		chunked(data, size, buf + head, size - head);
	return 0;
}
