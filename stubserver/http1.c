/*
 * http1.c: the HTTP/1.1 request parser of the stub server (RFC 9112).
 *
 * http1_parse_request is stateless and allocation-free: it reads a request
 * head from the caller's buffer in one pass, fills a struct http1_request
 * whose strings point into that buffer, and returns the length of the head,
 * HTTP1_INCOMPLETE (call again with more bytes: the same prefix always
 * gives the same answer), HTTP1_BAD or HTTP1_TOO_LARGE. It is strict where
 * leniency lets two parsers disagree about where a message ends: CRLF only,
 * no obsolete line folding, no whitespace before a header colon, no control
 * characters. Framing (Content-Length against Transfer-Encoding) is judged
 * one level up by http1_framing, and chunked bodies are decoded by an
 * incremental state machine, http1_chunked_decode, that can be fed any
 * split of the bytes.
 *
 * Limits: the head, including up to MAX_EMPTY_LINES empty lines before the
 * request line, may take HTTP1_MAX_HEAD bytes. More header fields than
 * HTTP1_MAX_HEADERS give HTTP1_TOO_LARGE rather than HTTP1_BAD: the answer
 * is then 431 (Request Header Fields Too Large), which tells the client
 * what to change. *why is set for HTTP1_TOO_LARGE as well as HTTP1_BAD.
 * A chunk-size line (extensions included) or a trailer line may take
 * MAX_CHUNK_LINE bytes and the whole trailer section HTTP1_MAX_HEAD;
 * trailers are validated like header fields and then discarded.
 */
#include "stubserver/internal.h"

#include <string.h>

/* RFC 9112 2.2: ignore at least one empty line before the request line. */
#define MAX_EMPTY_LINES 4
/* A chunk-size line (with extensions) or a trailer line. */
#define MAX_CHUNK_LINE 4096
/* Hex digits in a chunk size: 15 keep it far from overflowing 64 bits. */
#define MAX_CHUNK_DIGITS 15
/* Content-Length at most 2^62, as in other servers; no overflow later. */
#define MAX_CONTENT_LENGTH ((uint64_t)1 << 62)

/* Character classes, indexed by byte. */
#define C_TCHAR 1  /* token: RFC 9110 5.6.2 */
#define C_VALUE 2  /* field-vchar, SP, HTAB, obs-text: RFC 9110 5.5 */
#define C_TARGET 4 /* request-target: visible ASCII */
#define TVU (C_TCHAR | C_VALUE | C_TARGET)
#define VU (C_VALUE | C_TARGET)
#define V C_VALUE

/* clang-format off */
static const unsigned char cls[256] = {
	/* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, V, 0, 0, 0, 0, 0, 0,
	/* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/*  !"#$%&'()*+,-./ */
	V, TVU, VU, TVU, TVU, TVU, TVU, TVU, VU, VU, TVU, TVU, VU, TVU, TVU, VU,
	/* 0123456789:;<=>? */
	TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, VU, VU, VU, VU, VU, VU,
	/* @ABCDEFGHIJKLMNO */
	VU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU,
	/* PQRSTUVWXYZ[\]^_ */
	TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, VU, VU, VU, TVU, TVU,
	/* `abcdefghijklmno */
	TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU,
	/* pqrstuvwxyz{|}~ DEL */
	TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, TVU, VU, TVU, VU, TVU, 0,
	/* 0x80 - 0xff: obs-text */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,
};
/* clang-format on */

#undef TVU
#undef VU
#undef V

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* ASCII case-insensitive comparison of p[0..n) with the C string s. */
static int name_is(const char *p, size_t n, const char *s)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!s[i] ||
		    lower((unsigned char)p[i]) != lower((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

static long fail(const char **why, long status, const char *msg)
{
	if (why)
		*why = msg;
	return status;
}

/* Why a byte ended a line or field where something else was due. */
static const char *bad_byte(unsigned char c, const char *otherwise)
{
	if (c == '\n')
		return "bare LF (line ends must be CRLF)";
	if (c == '\0')
		return "NUL byte in request head";
	return otherwise;
}

/* The request-target forms a stub server accepts: RFC 9112 3.2. */
static const char *check_target(const unsigned char *t, size_t n,
				const unsigned char *method, size_t mlen)
{
	size_t i;
	if (t[0] == '/')
		return NULL; /* origin-form */
	if (n == 1 && t[0] == '*') {
		/* asterisk-form: server-wide OPTIONS only */
		if (mlen == 7 && !memcmp(method, "OPTIONS", 7))
			return NULL;
		return "request-target \"*\" is for OPTIONS only";
	}
	/* absolute-form: scheme ":" ... */
	if (!((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z'))
		return "invalid request-target";
	for (i = 1; i < n && t[i] != ':'; i++) {
		unsigned char c = t[i];
		if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		      c == '.'))
			return "invalid request-target";
	}
	return i < n ? NULL : "invalid request-target";
}

/*
 * Reads the request line at *pp, within [*pp, end). Returns 0 and moves
 * *pp past its CRLF, or a negative status.
 */
static long parse_request_line(const unsigned char **pp,
			       const unsigned char *end,
			       struct http1_request *req, const char **why)
{
	static const char version[] = "HTTP/1.";
	const unsigned char *p = *pp, *s;
	const char *msg;
	size_t i;

	s = p;
	while (p < end && (cls[*p] & C_TCHAR))
		p++;
	if (p == end)
		return HTTP1_INCOMPLETE;
	if (*p != ' ')
		return fail(why, HTTP1_BAD,
			    bad_byte(*p, "invalid character in method"));
	if (p == s)
		return fail(why, HTTP1_BAD, "missing method");
	/* methods are case-sensitive (RFC 9110 9.1): "get" is not GET, and
	 * no method a contract can hold is lower case once read */
	for (i = 0; s + i < p; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			return fail(why, HTTP1_BAD,
				    "method must be upper case (methods are "
				    "case-sensitive)");
	req->method = (const char *)s;
	req->method_len = (size_t)(p - s);

	p++;
	s = p;
	while (p < end && (cls[*p] & C_TARGET))
		p++;
	if (p == end)
		return HTTP1_INCOMPLETE;
	if (*p != ' ') {
		msg = *p == '\r' ? "missing HTTP version"
				 : "invalid character in request-target";
		return fail(why, HTTP1_BAD, bad_byte(*p, msg));
	}
	if (p == s)
		return fail(why, HTTP1_BAD, "empty request-target");
	msg = check_target(s, (size_t)(p - s),
			   (const unsigned char *)req->method, req->method_len);
	if (msg)
		return fail(why, HTTP1_BAD, msg);
	req->target = (const char *)s;
	req->target_len = (size_t)(p - s);

	p++;
	for (i = 0; i < sizeof(version) - 1; i++, p++) {
		if (p == end)
			return HTTP1_INCOMPLETE;
		if (*p != (unsigned char)version[i])
			return fail(why, HTTP1_BAD,
				    bad_byte(*p, "unsupported HTTP version"));
	}
	if (p == end)
		return HTTP1_INCOMPLETE;
	if (*p != '0' && *p != '1')
		return fail(why, HTTP1_BAD,
			    bad_byte(*p, "unsupported HTTP version"));
	req->minor_version = *p++ - '0';
	if (p == end)
		return HTTP1_INCOMPLETE;
	if (*p != '\r')
		return fail(why, HTTP1_BAD,
			    bad_byte(*p, "unsupported HTTP version"));
	p++;
	if (p == end)
		return HTTP1_INCOMPLETE;
	if (*p != '\n')
		return fail(why, HTTP1_BAD, "CR not followed by LF");
	*pp = p + 1;
	return 0;
}

/*
 * Reads header fields up to and including the blank line. Returns the
 * offset just past it from `start`, or a negative status.
 */
static long parse_headers(const unsigned char *start, const unsigned char *p,
			  const unsigned char *end, struct http1_request *req,
			  const char **why)
{
	const unsigned char *s, *ne, *vs, *ve;
	struct http1_header *h;

	for (;;) {
		if (p == end)
			return HTTP1_INCOMPLETE;
		if (*p == '\r') {
			p++;
			if (p == end)
				return HTTP1_INCOMPLETE;
			if (*p != '\n')
				return fail(why, HTTP1_BAD,
					    "CR not followed by LF");
			return (long)(p + 1 - start);
		}
		if (is_ws(*p))
			return fail(why, HTTP1_BAD,
				    "obsolete line folding or whitespace at "
				    "the start of a header line");

		s = p;
		while (p < end && (cls[*p] & C_TCHAR))
			p++;
		if (p == end)
			return HTTP1_INCOMPLETE;
		if (*p != ':') {
			if (p > s && is_ws(*p))
				return fail(why, HTTP1_BAD,
					    "whitespace between header name "
					    "and colon");
			if (p > s && *p == '\r')
				return fail(why, HTTP1_BAD,
					    "header line without a colon");
			return fail(why, HTTP1_BAD,
				    bad_byte(*p, "invalid character in "
						 "header name"));
		}
		if (p == s)
			return fail(why, HTTP1_BAD, "empty header name");
		if (req->nheaders == HTTP1_MAX_HEADERS)
			return fail(why, HTTP1_TOO_LARGE,
				    "too many header fields");

		ne = p++;
		while (p < end && is_ws(*p))
			p++;
		vs = p;
		while (p < end && (cls[*p] & C_VALUE))
			p++;
		if (p == end)
			return HTTP1_INCOMPLETE;
		if (*p != '\r')
			return fail(why, HTTP1_BAD,
				    bad_byte(*p, "control character in "
						 "header value"));
		ve = p;
		while (ve > vs && is_ws(ve[-1]))
			ve--;
		p++;
		if (p == end)
			return HTTP1_INCOMPLETE;
		if (*p != '\n')
			return fail(why, HTTP1_BAD, "CR not followed by LF");
		p++;

		h = &req->headers[req->nheaders++];
		h->name = (const char *)s;
		h->name_len = (size_t)(ne - s);
		h->value = (const char *)vs;
		h->value_len = (size_t)(ve - vs);
	}
}

/*
 * Fields whose count or agreement a complete head must get right: Host is
 * required in HTTP/1.1 and allowed once (RFC 9112 3.2: a server answers
 * 400 otherwise), and two different Content-Types leave the body's type
 * to whichever copy a reader takes. Returns -1 with *why set. Checked
 * one level up from the parser, like framing: the head is well formed.
 */
int http1_check_fields(const struct http1_request *req, const char **why)
{
	const struct http1_header *host = NULL, *ct = NULL, *h;
	size_t i;
	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i];
		if (name_is(h->name, h->name_len, "host")) {
			if (host)
				return (int)fail(why, -1,
						 "more than one Host field");
			host = h;
		} else if (name_is(h->name, h->name_len, "content-type")) {
			if (ct && (ct->value_len != h->value_len ||
				   memcmp(ct->value, h->value, h->value_len)))
				return (int)fail(why, -1,
						 "two different Content-Type "
						 "fields");
			ct = h;
		}
	}
	if (!host && req->minor_version == 1)
		return (int)fail(why, -1,
				 "missing Host field (HTTP/1.1 requires one)");
	return 0;
}

long http1_parse_request(const char *buf, size_t len, struct http1_request *req,
			 const char **why)
{
	const unsigned char *start = (const unsigned char *)buf;
	const unsigned char *p = start, *end;
	long r;
	int n;

	/*
	 * Parse no further than the limit: a head that has not ended by then
	 * is too large, whatever follows.
	 */
	end = start + (len < HTTP1_MAX_HEAD ? len : HTTP1_MAX_HEAD);
	req->nheaders = 0;

	for (n = 0;; n++) {
		if (p == end)
			goto incomplete;
		if (*p != '\r')
			break;
		if (n == MAX_EMPTY_LINES)
			return fail(why, HTTP1_BAD,
				    "too many empty lines before the request "
				    "line");
		p++;
		if (p == end)
			goto incomplete;
		if (*p != '\n')
			return fail(why, HTTP1_BAD, "CR not followed by LF");
		p++;
	}

	r = parse_request_line(&p, end, req, why);
	if (r == 0)
		r = parse_headers(start, p, end, req, why);
	if (r != HTTP1_INCOMPLETE)
		return r;
incomplete:
	if (len >= HTTP1_MAX_HEAD)
		return fail(why, HTTP1_TOO_LARGE,
			    "request head larger than 16 KiB");
	return HTTP1_INCOMPLETE;
}

const struct http1_header *http1_header(const struct http1_request *req,
					const char *name)
{
	size_t i;
	for (i = 0; i < req->nheaders; i++)
		if (name_is(req->headers[i].name, req->headers[i].name_len,
			    name))
			return &req->headers[i];
	return NULL;
}

/* Content-Length = 1*DIGIT (RFC 9110 8.6), no sign, list or spaces. */
static int parse_length(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9 || v > (MAX_CONTENT_LENGTH - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int http1_framing(const struct http1_request *req, enum http1_framing *f,
		  uint64_t *length, const char **why)
{
	const struct http1_header *te = NULL, *cl = NULL, *h;
	size_t i;

	*f = HTTP1_NO_BODY;
	*length = 0;
	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i];
		if (name_is(h->name, h->name_len, "transfer-encoding")) {
			if (te)
				return (int)fail(why, -1,
						 "more than one "
						 "Transfer-Encoding field");
			te = h;
		} else if (name_is(h->name, h->name_len, "content-length")) {
			/* even equal copies: a proxy may have kept another */
			if (cl)
				return (int)fail(why, -1,
						 "more than one Content-Length "
						 "field");
			cl = h;
		}
	}
	if (te && cl)
		return (int)fail(why, -1,
				 "both Transfer-Encoding and Content-Length");
	if (te) {
		/* RFC 9112 6.1: faulty framing in an HTTP/1.0 message */
		if (req->minor_version == 0)
			return (int)fail(why, -1,
					 "Transfer-Encoding in an HTTP/1.0 "
					 "request");
		if (!name_is(te->value, te->value_len, "chunked"))
			return (int)fail(why, -1,
					 "unsupported Transfer-Encoding "
					 "(only \"chunked\" is accepted)");
		*f = HTTP1_CHUNKED;
		return 0;
	}
	if (cl) {
		if (parse_length(cl->value, cl->value_len, length))
			return (int)fail(why, -1, "invalid Content-Length");
		*f = HTTP1_LENGTH;
	}
	return 0;
}

/* States of struct http1_chunked; zero is the start of a chunk-size line. */
enum {
	CK_SIZE_START = 0,
	CK_SIZE,    /* hex digits */
	CK_SIZE_WS, /* whitespace after the size: an extension must follow */
	CK_EXT,	    /* chunk extensions, ignored up to CR */
	CK_SIZE_LF,
	CK_DATA,
	CK_DATA_CR,
	CK_DATA_LF,
	CK_TRAILER_START, /* a trailer field or the final CRLF */
	CK_TRAILER_NAME,
	CK_TRAILER_VALUE,
	CK_TRAILER_LF,
	CK_END_LF,
	CK_DONE,
	CK_FAILED,
};

static long ck_fail(struct http1_chunked *st, const char **why, long status,
		    const char *msg)
{
	st->state = CK_FAILED;
	return fail(why, status, msg);
}

/*
 * One byte outside chunk data: size lines, the CRLF after data, trailers.
 * In the trailer states, `remaining` (free once the last chunk is read)
 * counts the trailer section so that endless trailers cannot keep a
 * connection busy. Returns 0 or a status.
 */
static long ck_byte(struct http1_chunked *st, unsigned char c,
		    const struct buf *out, const char **why)
{
	int d;

	/* line lengths leave out the CRLF; digits are counted as line bytes */
	if (c != '\r' && c != '\n' &&
	    (st->state < CK_SIZE_LF || (st->state >= CK_TRAILER_START &&
					st->state <= CK_TRAILER_VALUE))) {
		st->line++;
		if (st->line > MAX_CHUNK_LINE)
			return ck_fail(st, why, HTTP1_BAD,
				       st->state < CK_SIZE_LF
					       ? "chunk size line too long"
					       : "trailer line too long");
	}
	if (st->state >= CK_TRAILER_START) {
		st->remaining++;
		if (st->remaining > HTTP1_MAX_HEAD)
			return ck_fail(st, why, HTTP1_BAD,
				       "trailer section too large");
	}
	if (c == '\n' && st->state != CK_SIZE_LF && st->state != CK_DATA_LF &&
	    st->state != CK_TRAILER_LF && st->state != CK_END_LF)
		return ck_fail(st, why, HTTP1_BAD,
			       "bare LF (line ends must be CRLF)");

	switch (st->state) {
	case CK_SIZE_START:
	case CK_SIZE:
		d = hex_value(c);
		if (d >= 0) {
			if (st->line > MAX_CHUNK_DIGITS)
				return ck_fail(st, why, HTTP1_BAD,
					       "chunk size too large");
			st->remaining = st->remaining * 16 + (unsigned)d;
			st->state = CK_SIZE;
			return 0;
		}
		if (st->state == CK_SIZE_START)
			return ck_fail(st, why, HTTP1_BAD,
				       "invalid chunk size");
		if (c == '\r')
			st->state = CK_SIZE_LF;
		else if (c == ';')
			st->state = CK_EXT;
		else if (is_ws(c))
			st->state = CK_SIZE_WS;
		else
			return ck_fail(st, why, HTTP1_BAD,
				       "invalid chunk size");
		return 0;
	case CK_SIZE_WS:
		if (c == ';')
			st->state = CK_EXT;
		else if (!is_ws(c))
			return ck_fail(st, why, HTTP1_BAD,
				       "invalid chunk size");
		return 0;
	case CK_EXT:
		/* quoted strings cannot hold CR, so the line ends at CR */
		if (c == '\r')
			st->state = CK_SIZE_LF;
		else if (!(cls[c] & C_VALUE))
			return ck_fail(st, why, HTTP1_BAD,
				       "control character in chunk extension");
		return 0;
	case CK_SIZE_LF:
		if (c != '\n')
			return ck_fail(st, why, HTTP1_BAD,
				       "CR not followed by LF");
		st->line = 0;
		if (st->remaining == 0) {
			st->state = CK_TRAILER_START;
			return 0;
		}
		/* refuse now rather than after reading up to the limit */
		if (out->limit && st->remaining > out->limit - out->len)
			return ck_fail(st, why, HTTP1_TOO_LARGE,
				       "request body too large");
		st->state = CK_DATA;
		return 0;
	case CK_DATA_CR:
		if (c != '\r')
			return ck_fail(st, why, HTTP1_BAD,
				       "missing CRLF after chunk data");
		st->state = CK_DATA_LF;
		return 0;
	case CK_DATA_LF:
		if (c != '\n')
			return ck_fail(st, why, HTTP1_BAD,
				       "missing CRLF after chunk data");
		st->state = CK_SIZE_START;
		st->line = 0;
		st->remaining = 0;
		return 0;
	case CK_TRAILER_START:
		if (c == '\r')
			st->state = CK_END_LF;
		else if (is_ws(c))
			return ck_fail(st, why, HTTP1_BAD,
				       "obsolete line folding in trailer");
		else if (cls[c] & C_TCHAR)
			st->state = CK_TRAILER_NAME;
		else
			return ck_fail(st, why, HTTP1_BAD,
				       "invalid character in trailer name");
		return 0;
	case CK_TRAILER_NAME:
		if (c == ':')
			st->state = CK_TRAILER_VALUE;
		else if (is_ws(c))
			return ck_fail(st, why, HTTP1_BAD,
				       "whitespace between trailer name and "
				       "colon");
		else if (!(cls[c] & C_TCHAR))
			return ck_fail(st, why, HTTP1_BAD,
				       "invalid character in trailer name");
		return 0;
	case CK_TRAILER_VALUE:
		if (c == '\r')
			st->state = CK_TRAILER_LF;
		else if (!(cls[c] & C_VALUE))
			return ck_fail(st, why, HTTP1_BAD,
				       "control character in trailer value");
		return 0;
	case CK_TRAILER_LF:
		if (c != '\n')
			return ck_fail(st, why, HTTP1_BAD,
				       "CR not followed by LF");
		st->state = CK_TRAILER_START;
		st->line = 0;
		return 0;
	case CK_END_LF:
		if (c != '\n')
			return ck_fail(st, why, HTTP1_BAD,
				       "CR not followed by LF");
		st->state = CK_DONE;
		return 0;
	default:
		return ck_fail(st, why, HTTP1_BAD, "chunked decoder misused");
	}
}

long http1_chunked_decode(struct http1_chunked *st, const char *buf, size_t len,
			  struct buf *out, int *done, const char **why)
{
	const char *p = buf, *end = buf + len;
	size_t n;
	long r;

	if (st->state == CK_FAILED) {
		*done = 0;
		return fail(why, HTTP1_BAD, "chunked body already failed");
	}
	while (p < end && st->state != CK_DONE) {
		if (st->state == CK_DATA) {
			n = (size_t)(end - p);
			if (n > st->remaining)
				n = (size_t)st->remaining;
			if (buf_try_add(out, p, n)) {
				*done = 0;
				return ck_fail(st, why, HTTP1_TOO_LARGE,
					       "request body too large");
			}
			p += n;
			st->remaining -= n;
			if (st->remaining == 0)
				st->state = CK_DATA_CR;
			continue;
		}
		r = ck_byte(st, (unsigned char)*p, out, why);
		if (r) {
			*done = 0;
			return r;
		}
		p++;
	}
	*done = st->state == CK_DONE;
	return (long)(p - buf);
}
