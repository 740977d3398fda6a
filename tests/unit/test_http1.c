/*
 * test_http1.c: unit tests for stubserver/http1.c: the request-head parser
 * (accepted forms, every rejection with its message pinned, the size and
 * count limits, reads split at every byte, pipelining), the framing rules
 * that keep request smuggling out, header lookup, and the chunked-body
 * decoder fed whole, one byte at a time and split at every position.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/internal.h"
#include "tests/unit/check_main.h"

#define PARSE(lit, r, why) http1_parse_request(lit, sizeof(lit) - 1, r, why)

/* Compares a (pointer, length) field with a C string. */
static int field_is(const char *p, size_t n, const char *s)
{
	return n == strlen(s) && !memcmp(p, s, n);
}

#define ck_assert_field(p, n, s)                                               \
	ck_assert_msg(field_is(p, n, s), "got \"%.*s\", want \"%s\"",          \
		      (int)(n), p, s)

/*
 * Parses every prefix of buf[0..n): each must be HTTP1_INCOMPLETE until
 * the answer is known, then the same answer for every longer prefix.
 * Returns that answer (from the whole buffer).
 */
static long parse_prefixes(const char *buf, size_t n, const char **why)
{
	struct http1_request r;
	const char *w = NULL;
	long want, got;
	size_t k;
	int known = 0;

	want = http1_parse_request(buf, n, &r, why);
	for (k = 0; k <= n; k++) {
		got = http1_parse_request(buf, k, &r, &w);
		if (known || got != HTTP1_INCOMPLETE) {
			ck_assert_msg(got == want,
				      "prefix %zu of %zu: got %ld, want %ld", k,
				      n, got, want);
			if (want < 0 && want != HTTP1_INCOMPLETE)
				ck_assert_str_eq(w, *why);
			known = 1;
		}
	}
	return want;
}

START_TEST(test_simple_get)
{
	static const char in[] = "GET /pets/1?x=y HTTP/1.1\r\n"
				 "Host: localhost\r\n"
				 "\r\n";
	struct http1_request r;
	const char *why = NULL;
	long n = PARSE(in, &r, &why);

	ck_assert_int_eq(n, sizeof(in) - 1);
	ck_assert_field(r.method, r.method_len, "GET");
	ck_assert_field(r.target, r.target_len, "/pets/1?x=y");
	ck_assert_int_eq(r.minor_version, 1);
	ck_assert_uint_eq(r.nheaders, 1);
	ck_assert_field(r.headers[0].name, r.headers[0].name_len, "Host");
	ck_assert_field(r.headers[0].value, r.headers[0].value_len,
			"localhost");
	/* results point into the caller's buffer */
	ck_assert_ptr_eq(r.method, in);
	ck_assert_ptr_eq(r.target, in + 4);
	ck_assert_ptr_null(why);
}
END_TEST

START_TEST(test_no_headers_http10)
{
	static const char in[] = "DELETE /x HTTP/1.0\r\n\r\n";
	struct http1_request r;
	ck_assert_int_eq(PARSE(in, &r, NULL), sizeof(in) - 1);
	ck_assert_field(r.method, r.method_len, "DELETE");
	ck_assert_int_eq(r.minor_version, 0);
	ck_assert_uint_eq(r.nheaders, 0);
}
END_TEST

START_TEST(test_headers_trimmed)
{
	static const char in[] = "POST /a HTTP/1.1\r\n"
				 "Host:example.com\r\n"
				 "Content-Type: \t application/json \t \r\n"
				 "X-Empty:\r\n"
				 "X-Blank:   \r\n"
				 "X-Inner: a  b\tc\r\n"
				 "X-Obs: caf\xc3\xa9\r\n"
				 "X-Token!#$%&'*+-.^_`|~09: \"q\" (c), [d]\r\n"
				 "\r\n";
	struct http1_request r;
	ck_assert_int_eq(PARSE(in, &r, NULL), sizeof(in) - 1);
	ck_assert_uint_eq(r.nheaders, 7);
	ck_assert_field(r.headers[0].value, r.headers[0].value_len,
			"example.com");
	ck_assert_field(r.headers[1].name, r.headers[1].name_len,
			"Content-Type");
	ck_assert_field(r.headers[1].value, r.headers[1].value_len,
			"application/json");
	ck_assert_uint_eq(r.headers[2].value_len, 0);
	ck_assert_uint_eq(r.headers[3].value_len, 0);
	ck_assert_field(r.headers[4].value, r.headers[4].value_len, "a  b\tc");
	ck_assert_field(r.headers[5].value, r.headers[5].value_len,
			"caf\xc3\xa9");
	ck_assert_field(r.headers[6].name, r.headers[6].name_len,
			"X-Token!#$%&'*+-.^_`|~09");
	ck_assert_field(r.headers[6].value, r.headers[6].value_len,
			"\"q\" (c), [d]");
}
END_TEST

START_TEST(test_target_forms)
{
	struct http1_request r;
	static const char abs[] =
		"GET http://example.com:80/a?b HTTP/1.1\r\n\r\n";
	static const char star[] = "OPTIONS * HTTP/1.1\r\n\r\n";
	static const char odd[] = "GET /a/%20b;c=d?e=f&g HTTP/1.1\r\n\r\n";

	ck_assert_int_eq(PARSE(abs, &r, NULL), sizeof(abs) - 1);
	ck_assert_field(r.target, r.target_len, "http://example.com:80/a?b");
	ck_assert_int_eq(PARSE(star, &r, NULL), sizeof(star) - 1);
	ck_assert_field(r.target, r.target_len, "*");
	ck_assert_int_eq(PARSE(odd, &r, NULL), sizeof(odd) - 1);
}
END_TEST

START_TEST(test_leading_empty_lines)
{
	static const char one[] = "\r\nGET / HTTP/1.1\r\n\r\n";
	static const char four[] = "\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n";
	static const char five[] = "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n";
	struct http1_request r;
	const char *why = NULL;

	/* the empty lines are consumed with the head */
	ck_assert_int_eq(PARSE(one, &r, NULL), sizeof(one) - 1);
	ck_assert_ptr_eq(r.method, one + 2);
	ck_assert_int_eq(PARSE(four, &r, NULL), sizeof(four) - 1);
	ck_assert_int_eq(PARSE(five, &r, &why), HTTP1_BAD);
	ck_assert_str_eq(why, "too many empty lines before the request line");
}
END_TEST

struct bad_case {
	const char *name;
	const char *in;
	size_t len;
	long want;
	const char *why;
};

/* clang-format off */
#define BAD(name, lit, why) { name, lit, sizeof(lit) - 1, HTTP1_BAD, why }
#define LF_MSG "bare LF (line ends must be CRLF)"
#define FOLD_MSG "obsolete line folding or whitespace at the start of a header line"

static const struct bad_case bad_cases[] = {
	BAD("bare LF ends request line", "GET / HTTP/1.1\n\r\n", LF_MSG),
	BAD("bare LF after method", "GET\n", LF_MSG),
	BAD("bare LF in target", "GET /a\n", LF_MSG),
	BAD("bare LF before request line", "\nGET / HTTP/1.1\r\n\r\n", LF_MSG),
	BAD("bare LF in version", "GET / HTTP/1\n", LF_MSG),
	BAD("bare LF ends header", "GET / HTTP/1.1\r\nHost: a\n\r\n", LF_MSG),
	BAD("bare LF in header name", "GET / HTTP/1.1\r\nHo\nst: a\r\n\r\n", LF_MSG),
	BAD("bare LF ends head", "GET / HTTP/1.1\r\nHost: a\r\n\n", LF_MSG),
	BAD("CR without LF, request line", "GET / HTTP/1.1\rX", "CR not followed by LF"),
	BAD("CR without LF, header", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", "CR not followed by LF"),
	BAD("CR without LF, end", "GET / HTTP/1.1\r\n\rX", "CR not followed by LF"),
	BAD("CR without LF, preamble", "\r\rGET / HTTP/1.1\r\n\r\n", "CR not followed by LF"),
	BAD("obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", FOLD_MSG),
	BAD("obs-fold with tab", "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", FOLD_MSG),
	BAD("space before first header", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", FOLD_MSG),
	BAD("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", "whitespace between header name and colon"),
	BAD("tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", "whitespace between header name and colon"),
	BAD("bad char in header name", "GET / HTTP/1.1\r\nX(y): a\r\n\r\n", "invalid character in header name"),
	BAD("slash in header name", "GET / HTTP/1.1\r\nX/y: a\r\n\r\n", "invalid character in header name"),
	BAD("obs-text in header name", "GET / HTTP/1.1\r\nX\xc3\xa9: a\r\n\r\n", "invalid character in header name"),
	BAD("empty header name", "GET / HTTP/1.1\r\n: a\r\n\r\n", "empty header name"),
	BAD("header without colon", "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "header line without a colon"),
	BAD("bad char in method", "G@T / HTTP/1.1\r\n\r\n", "invalid character in method"),
	BAD("tab after method", "GET\t/ HTTP/1.1\r\n\r\n", "invalid character in method"),
	BAD("missing method", " / HTTP/1.1\r\n\r\n", "missing method"),
	BAD("lower-case method", "get / HTTP/1.1\r\n\r\n", "method must be upper case (methods are case-sensitive)"),
	BAD("mixed-case method", "Post / HTTP/1.1\r\n\r\n", "method must be upper case (methods are case-sensitive)"),
	BAD("two spaces", "GET  / HTTP/1.1\r\n\r\n", "empty request-target"),
	BAD("tab in target", "GET /a\tb HTTP/1.1\r\n\r\n", "invalid character in request-target"),
	BAD("obs-text in target", "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", "invalid character in request-target"),
	BAD("DEL in target", "GET /a\x7f HTTP/1.1\r\n\r\n", "invalid character in request-target"),
	BAD("relative target", "GET foo HTTP/1.1\r\n\r\n", "invalid request-target"),
	BAD("authority without scheme", "GET 1.2.3.4:80 HTTP/1.1\r\n\r\n", "invalid request-target"),
	BAD("asterisk with GET", "GET * HTTP/1.1\r\n\r\n", "request-target \"*\" is for OPTIONS only"),
	BAD("HTTP/0.9", "GET /\r\n\r\n", "missing HTTP version"),
	BAD("HTTP/1.2", "GET / HTTP/1.2\r\n\r\n", "unsupported HTTP version"),
	BAD("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", "unsupported HTTP version"),
	BAD("lower-case http", "GET / http/1.1\r\n\r\n", "unsupported HTTP version"),
	BAD("HTTP/1.10", "GET / HTTP/1.10\r\n\r\n", "unsupported HTTP version"),
	BAD("space after version", "GET / HTTP/1.1 \r\n\r\n", "unsupported HTTP version"),
	BAD("extra field", "GET / HTTP/1.1 x\r\n\r\n", "unsupported HTTP version"),
	BAD("NUL in method", "G\0T / HTTP/1.1\r\n\r\n", "NUL byte in request head"),
	BAD("NUL in target", "GET /\0 HTTP/1.1\r\n\r\n", "NUL byte in request head"),
	BAD("NUL in header name", "GET / HTTP/1.1\r\nX\0: a\r\n\r\n", "NUL byte in request head"),
	BAD("NUL in header value", "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", "NUL byte in request head"),
	BAD("NUL in version", "GET / HTTP/1.\0\r\n\r\n", "NUL byte in request head"),
	BAD("control char in value", "GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", "control character in header value"),
	BAD("DEL in value", "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", "control character in header value"),
	BAD("ESC in value", "GET / HTTP/1.1\r\nX: \x1b[0m\r\n\r\n", "control character in header value"),
};
#undef BAD
/* clang-format on */

START_TEST(test_rejections)
{
	const struct bad_case *c = &bad_cases[_i];
	const char *why = NULL;
	long got = parse_prefixes(c->in, c->len, &why);

	ck_assert_msg(got == c->want, "%s: got %ld, want %ld", c->name, got,
		      c->want);
	ck_assert_msg(why && !strcmp(why, c->why),
		      "%s: why \"%s\", want \"%s\"", c->name,
		      why ? why : "(null)", c->why);
}
END_TEST

/* Appends a request with `n` headers to b. */
static void many_headers(struct buf *b, size_t n)
{
	size_t i;
	buf_addstr(b, "GET / HTTP/1.1\r\n");
	for (i = 0; i < n; i++)
		buf_addf(b, "X-H%zu: %zu\r\n", i, i);
	buf_addstr(b, "\r\n");
}

START_TEST(test_too_many_headers)
{
	struct http1_request r;
	struct buf b;
	const char *why = NULL;

	buf_init(&b, 0);
	many_headers(&b, HTTP1_MAX_HEADERS);
	ck_assert_int_eq(http1_parse_request(b.ptr, b.len, &r, &why),
			 (long)b.len);
	ck_assert_uint_eq(r.nheaders, HTTP1_MAX_HEADERS);
	ck_assert_field(r.headers[99].value, r.headers[99].value_len, "99");

	buf_reset(&b);
	many_headers(&b, HTTP1_MAX_HEADERS + 1);
	ck_assert_int_eq(parse_prefixes(b.ptr, b.len, &why), HTTP1_TOO_LARGE);
	ck_assert_str_eq(why, "too many header fields");
	buf_release(&b);
}
END_TEST

/* A request whose head is exactly `size` bytes (one long header). */
static void head_of_size(struct buf *b, size_t size)
{
	static const char pre[] = "GET / HTTP/1.1\r\nX-Fill: ";
	size_t fill = size - (sizeof(pre) - 1) - 4;
	buf_reset(b);
	buf_addstr(b, pre);
	while (fill--)
		buf_addch(b, 'a');
	buf_addstr(b, "\r\n\r\n");
	ck_assert_uint_eq(b->len, size);
}

START_TEST(test_head_size_limit)
{
	struct http1_request r;
	struct buf b;
	const char *why = NULL;

	buf_init(&b, 0);
	head_of_size(&b, HTTP1_MAX_HEAD);
	ck_assert_int_eq(http1_parse_request(b.ptr, b.len, &r, &why),
			 HTTP1_MAX_HEAD);
	/* one byte short of the limit: still waiting */
	ck_assert_int_eq(http1_parse_request(b.ptr, b.len - 1, &r, &why),
			 HTTP1_INCOMPLETE);

	head_of_size(&b, HTTP1_MAX_HEAD + 1);
	ck_assert_int_eq(http1_parse_request(b.ptr, b.len, &r, &why),
			 HTTP1_TOO_LARGE);
	ck_assert_str_eq(why, "request head larger than 16 KiB");
	/* incomplete, but as long as the limit: no point waiting */
	why = NULL;
	ck_assert_int_eq(http1_parse_request(b.ptr, HTTP1_MAX_HEAD, &r, &why),
			 HTTP1_TOO_LARGE);
	ck_assert_str_eq(why, "request head larger than 16 KiB");
	ck_assert_int_eq(
		http1_parse_request(b.ptr, HTTP1_MAX_HEAD - 1, &r, &why),
		HTTP1_INCOMPLETE);

	/* an error inside the limit is still an error past it */
	head_of_size(&b, 20000);
	b.ptr[20] = '\x01';
	ck_assert_int_eq(http1_parse_request(b.ptr, b.len, &r, &why),
			 HTTP1_BAD);
	buf_release(&b);
}
END_TEST

/* Parses `in` (which must parse) and returns http1_check_fields(). */
static int fields_of(const char *in, const char **why)
{
	struct http1_request r;
	ck_assert_int_eq(http1_parse_request(in, strlen(in), &r, NULL),
			 strlen(in));
	*why = NULL;
	return http1_check_fields(&r, why);
}

START_TEST(test_check_fields)
{
	const char *why;
	ck_assert_int_eq(fields_of("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &why),
			 0);
	ck_assert_int_eq(fields_of("GET / HTTP/1.0\r\n\r\n", &why), 0);
	ck_assert_int_eq(
		fields_of("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", &why), -1);
	ck_assert_str_eq(why, "missing Host field (HTTP/1.1 requires one)");
	ck_assert_int_eq(
		fields_of("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", &why),
		-1);
	ck_assert_str_eq(why, "more than one Host field");
	/* in HTTP/1.0 too: two Hosts name two servers */
	ck_assert_int_eq(
		fields_of("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", &why),
		-1);
	ck_assert_int_eq(fields_of("POST / HTTP/1.1\r\nHost: a\r\n"
				   "Content-Type: text/plain\r\n"
				   "content-type: text/plain\r\n\r\n",
				   &why),
			 0); /* the same twice says one thing */
	ck_assert_int_eq(fields_of("POST / HTTP/1.1\r\nHost: a\r\n"
				   "Content-Type: text/plain\r\n"
				   "Content-Type: application/json\r\n\r\n",
				   &why),
			 -1);
	ck_assert_str_eq(why, "two different Content-Type fields");
}
END_TEST

START_TEST(test_split_every_byte)
{
	static const char in[] = "\r\nPUT /v1/items/42?dry=1 HTTP/1.1\r\n"
				 "Host: api.example\r\n"
				 "Content-Type: application/json\r\n"
				 "Content-Length: 2\r\n"
				 "X-Trim: \t spaced out \t\r\n"
				 "\r\n{}";
	const size_t head = sizeof(in) - 1 - 2;
	struct http1_request whole, r;
	const char *why = NULL;
	size_t k, i;

	ck_assert_int_eq(PARSE(in, &whole, &why), head);
	for (k = 0; k <= sizeof(in) - 1; k++) {
		long got = http1_parse_request(in, k, &r, &why);
		if (k < head) {
			ck_assert_msg(got == HTTP1_INCOMPLETE,
				      "prefix %zu: got %ld", k, got);
			continue;
		}
		ck_assert_int_eq(got, head);
		ck_assert_field(r.method, r.method_len, "PUT");
		ck_assert_field(r.target, r.target_len, "/v1/items/42?dry=1");
		ck_assert_uint_eq(r.nheaders, whole.nheaders);
		for (i = 0; i < r.nheaders; i++) {
			ck_assert_ptr_eq(r.headers[i].name,
					 whole.headers[i].name);
			ck_assert_uint_eq(r.headers[i].name_len,
					  whole.headers[i].name_len);
			ck_assert_ptr_eq(r.headers[i].value,
					 whole.headers[i].value);
			ck_assert_uint_eq(r.headers[i].value_len,
					  whole.headers[i].value_len);
		}
	}
	ck_assert_field(whole.headers[3].value, whole.headers[3].value_len,
			"spaced out");
}
END_TEST

START_TEST(test_pipelined)
{
	static const char in[] =
		"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
		"POST /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
	struct http1_request r;
	long first, second;

	first = PARSE(in, &r, NULL);
	ck_assert_int_eq(first, strlen("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
	ck_assert_field(r.target, r.target_len, "/a");
	ck_assert_uint_eq(r.nheaders, 1);
	ck_assert_int_eq(in[first], 'P');

	second = http1_parse_request(in + first, sizeof(in) - 1 - (size_t)first,
				     &r, NULL);
	ck_assert_int_eq(first + second, sizeof(in) - 1);
	ck_assert_field(r.method, r.method_len, "POST");
	ck_assert_field(r.target, r.target_len, "/b");
	ck_assert_field(r.headers[0].name, r.headers[0].name_len,
			"Content-Length");
}
END_TEST

START_TEST(test_header_lookup)
{
	static const char in[] = "GET / HTTP/1.1\r\n"
				 "content-TYPE: text/plain\r\n"
				 "Content: no\r\n"
				 "X-A: 1\r\n"
				 "x-a: 2\r\n"
				 "\r\n";
	struct http1_request r;
	const struct http1_header *h;

	ck_assert_int_gt(PARSE(in, &r, NULL), 0);
	h = http1_header(&r, "Content-Type");
	ck_assert_ptr_nonnull(h);
	ck_assert_field(h->value, h->value_len, "text/plain");
	h = http1_header(&r, "CONTENT");
	ck_assert_ptr_nonnull(h);
	ck_assert_field(h->value, h->value_len, "no");
	h = http1_header(&r, "x-A");
	ck_assert_ptr_nonnull(h);
	ck_assert_field(h->value, h->value_len, "1"); /* the first */
	ck_assert_ptr_null(http1_header(&r, "Content-Typ"));
	ck_assert_ptr_null(http1_header(&r, "Content-Type2"));
	ck_assert_ptr_null(http1_header(&r, "Accept"));
}
END_TEST

/* Parses `in` (which must parse) and returns http1_framing's result. */
static int framing_of(const char *in, enum http1_framing *f, uint64_t *len,
		      const char **why)
{
	struct http1_request r;
	ck_assert_int_eq(http1_parse_request(in, strlen(in), &r, NULL),
			 strlen(in));
	return http1_framing(&r, f, len, why);
}

START_TEST(test_framing_ok)
{
	enum http1_framing f;
	uint64_t len = 99;

	ck_assert_int_eq(framing_of("POST / HTTP/1.1\r\n\r\n", &f, &len, NULL),
			 0);
	ck_assert_int_eq(f, HTTP1_NO_BODY);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(
		framing_of("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &f, &len, NULL),
		0);
	ck_assert_int_eq(f, HTTP1_NO_BODY);

	ck_assert_int_eq(framing_of("POST / HTTP/1.1\r\nContent-Length: 42\r\n"
				    "\r\n",
				    &f, &len, NULL),
			 0);
	ck_assert_int_eq(f, HTTP1_LENGTH);
	ck_assert_uint_eq(len, 42);
	ck_assert_int_eq(framing_of("POST / HTTP/1.0\r\ncontent-length:0\r\n"
				    "\r\n",
				    &f, &len, NULL),
			 0);
	ck_assert_int_eq(f, HTTP1_LENGTH);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(framing_of("POST / HTTP/1.1\r\nContent-Length: 007\r\n"
				    "\r\n",
				    &f, &len, NULL),
			 0);
	ck_assert_uint_eq(len, 7);
	ck_assert_int_eq(framing_of("POST / HTTP/1.1\r\nContent-Length: "
				    "4611686018427387904\r\n\r\n",
				    &f, &len, NULL),
			 0);
	ck_assert_uint_eq(len, (uint64_t)1 << 62);

	ck_assert_int_eq(framing_of("POST / HTTP/1.1\r\nTransfer-Encoding: "
				    "chunked\r\n\r\n",
				    &f, &len, NULL),
			 0);
	ck_assert_int_eq(f, HTTP1_CHUNKED);
	ck_assert_int_eq(framing_of("POST / HTTP/1.1\r\ntransfer-encoding: "
				    "ChUnKeD \r\n\r\n",
				    &f, &len, NULL),
			 0);
	ck_assert_int_eq(f, HTTP1_CHUNKED);
}
END_TEST

struct framing_case {
	const char *in;
	const char *why;
};

#define TE_MSG "unsupported Transfer-Encoding (only \"chunked\" is accepted)"
static const struct framing_case framing_bad[] = {
	{ "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n",
	  "both Transfer-Encoding and Content-Length" },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: "
	  "5\r\n\r\n",
	  "both Transfer-Encoding and Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
	  "more than one Content-Length field" },
	{ "POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\n",
	  "more than one Content-Length field" },
	{ "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: 5,5\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: 5a\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: 5 5\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: 4611686018427387905\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
	  "invalid Content-Length" },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", TE_MSG },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
	  TE_MSG },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	  TE_MSG },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
	  TE_MSG },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunkedx\r\n\r\n", TE_MSG },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunke\r\n\r\n", TE_MSG },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", TE_MSG },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", TE_MSG },
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n",
	  "more than one Transfer-Encoding field" },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
	  "Transfer-Encoding in an HTTP/1.0 request" },
};

START_TEST(test_framing_bad)
{
	const struct framing_case *c = &framing_bad[_i];
	enum http1_framing f;
	uint64_t len;
	const char *why = NULL;

	ck_assert_msg(framing_of(c->in, &f, &len, &why) == -1, "accepted: %s",
		      c->in);
	ck_assert_msg(why && !strcmp(why, c->why), "%s: why \"%s\"", c->in,
		      why ? why : "(null)");
}
END_TEST

/* Content-Length values the parser cannot produce (it trims OWS). */
START_TEST(test_framing_untrimmed_length)
{
	static const char *const values[] = { " 5", "5 ", "\t5", "" };
	struct http1_request r;
	enum http1_framing f;
	uint64_t len;
	const char *why = NULL;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.minor_version = 1;
	r.nheaders = 1;
	r.headers[0].name = "Content-Length";
	r.headers[0].name_len = strlen("Content-Length");
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		r.headers[0].value = values[i];
		r.headers[0].value_len = strlen(values[i]);
		ck_assert_int_eq(http1_framing(&r, &f, &len, &why), -1);
		ck_assert_str_eq(why, "invalid Content-Length");
	}
}
END_TEST

/* What a chunked decode ended with: consumed bytes or a status. */
struct ck_result {
	long r;
	int done;
	const char *why;
	struct buf body;
};

/*
 * Decodes data[0..n) with a body limit, in a first piece of `first` bytes
 * and then pieces of `step` bytes, stopping at done or an error. Checks
 * that every call short of done consumes all it is given.
 */
static void ck_run(const char *data, size_t n, size_t limit, size_t first,
		   size_t step, struct ck_result *res)
{
	struct http1_chunked st;
	size_t off = 0, piece = first;
	long r;

	memset(&st, 0, sizeof(st));
	buf_init(&res->body, limit);
	res->done = 0;
	res->why = NULL;
	for (;;) {
		if (piece > n - off)
			piece = n - off;
		r = http1_chunked_decode(&st, data + off, piece, &res->body,
					 &res->done, &res->why);
		if (r < 0) {
			res->r = r;
			return;
		}
		ck_assert_uint_le((size_t)r, piece);
		off += (size_t)r;
		if (res->done || off == n)
			break;
		ck_assert_uint_eq((size_t)r, piece);
		piece = step;
	}
	res->r = (long)off;
}

static void ck_same(const struct ck_result *a, const struct ck_result *b,
		    const char *how, size_t k)
{
	ck_assert_msg(a->r == b->r, "%s %zu: r %ld, want %ld", how, k, b->r,
		      a->r);
	ck_assert_msg(a->done == b->done, "%s %zu: done %d", how, k, b->done);
	if (a->r >= 0) {
		ck_assert_uint_eq(a->body.len, b->body.len);
		ck_assert(!memcmp(a->body.ptr, b->body.ptr, a->body.len));
	} else {
		ck_assert_str_eq(a->why, b->why);
	}
}

/*
 * Decodes data whole into *res, then byte by byte and split in two at
 * every position, checking all give the same result.
 */
static void ck_all_ways(const char *data, size_t n, size_t limit,
			struct ck_result *res)
{
	struct ck_result other;
	size_t k;

	ck_run(data, n, limit, n, n, res);
	ck_run(data, n, limit, 1, 1, &other);
	ck_same(res, &other, "byte by byte", 0);
	buf_release(&other.body);
	for (k = 0; k <= n; k++) {
		ck_run(data, n, limit, k, n, &other);
		ck_same(res, &other, "split at", k);
		buf_release(&other.body);
	}
}

START_TEST(test_chunked_simple)
{
	static const char in[] = "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n";
	struct ck_result res;

	ck_all_ways(in, sizeof(in) - 1, 0, &res);
	ck_assert_int_eq(res.r, sizeof(in) - 1);
	ck_assert_int_eq(res.done, 1);
	ck_assert_str_eq(res.body.ptr, "Wikipedia");
	buf_release(&res.body);
}
END_TEST

START_TEST(test_chunked_extensions_trailers_pipelined)
{
	static const char body[] = "4;name=value\r\nWiki\r\n"
				   "5 ;a=\"q s\" ; b\r\npedia\r\n"
				   "E\r\n in\r\n\r\nchunks.\r\n"
				   "a\r\n0123456789\r\n"
				   "000;last\r\n"
				   "Expires: never\r\n"
				   "X-Sum:  abc \r\n"
				   "\r\n";
	static const char next[] = "GET /next HTTP/1.1\r\n\r\n";
	char in[sizeof(body) + sizeof(next)];
	struct ck_result res;
	struct http1_request r;
	size_t n = sizeof(body) - 1 + sizeof(next) - 1;

	memcpy(in, body, sizeof(body) - 1);
	memcpy(in + sizeof(body) - 1, next, sizeof(next));
	ck_all_ways(in, n, 0, &res);
	ck_assert_int_eq(res.r, sizeof(body) - 1);
	ck_assert_int_eq(res.done, 1);
	ck_assert_str_eq(res.body.ptr, "Wikipedia in\r\n\r\nchunks.0123456789");
	/* the rest is the next request */
	ck_assert_int_eq(
		http1_parse_request(in + res.r, n - (size_t)res.r, &r, NULL),
		sizeof(next) - 1);
	ck_assert_field(r.target, r.target_len, "/next");
	buf_release(&res.body);
}
END_TEST

START_TEST(test_chunked_sizes)
{
	static const char hex[] = "A\r\n0123456789\r\nf\r\n0123456789abcde\r\n"
				  "000000000000001\r\nZ\r\n0\r\n\r\n";
	struct ck_result res;

	ck_all_ways(hex, sizeof(hex) - 1, 0, &res);
	ck_assert_int_eq(res.r, sizeof(hex) - 1);
	ck_assert_uint_eq(res.body.len, 26);
	buf_release(&res.body);
}
END_TEST

START_TEST(test_chunked_after_done)
{
	struct http1_chunked st;
	struct buf out;
	int done = 0;

	memset(&st, 0, sizeof(st));
	buf_init(&out, 0);
	ck_assert_int_eq(
		http1_chunked_decode(&st, "0\r\n\r\nGET", 8, &out, &done, NULL),
		5);
	ck_assert_int_eq(done, 1);
	done = 0;
	ck_assert_int_eq(http1_chunked_decode(&st, "GET", 3, &out, &done, NULL),
			 0);
	ck_assert_int_eq(done, 1);
	ck_assert_uint_eq(out.len, 0);
	/* an empty feed is fine before done too */
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(http1_chunked_decode(&st, "", 0, &out, &done, NULL),
			 0);
	ck_assert_int_eq(done, 0);
	buf_release(&out);
}
END_TEST

/* clang-format off */
#define CK_BAD(lit, why) { lit, sizeof(lit) - 1, why }
/* clang-format on */

struct ck_case {
	const char *in;
	size_t len;
	const char *why;
};

static const struct ck_case ck_bad[] = {
	CK_BAD("g\r\n", "invalid chunk size"),
	CK_BAD("-1\r\n", "invalid chunk size"),
	CK_BAD("+1\r\nA\r\n0\r\n\r\n", "invalid chunk size"),
	CK_BAD("0x5\r\n", "invalid chunk size"),
	CK_BAD("\r\n0\r\n\r\n", "invalid chunk size"),
	CK_BAD(" 5\r\n", "invalid chunk size"),
	CK_BAD("5 \r\nabcde\r\n0\r\n\r\n", "invalid chunk size"),
	CK_BAD("5 x\r\n", "invalid chunk size"),
	CK_BAD("1g\r\n", "invalid chunk size"),
	CK_BAD("0000000000000001\r\nA\r\n0\r\n\r\n", "chunk size too large"),
	CK_BAD("00000000000000001\r\nA\r\n0\r\n\r\n", "chunk size too large"),
	CK_BAD("ffffffffffffffffff\r\n", "chunk size too large"),
	CK_BAD("3\r\nabcd\r\n0\r\n\r\n", "missing CRLF after chunk data"),
	CK_BAD("3\r\nabc\rx", "missing CRLF after chunk data"),
	CK_BAD("3\r\nabc0\r\n\r\n", "missing CRLF after chunk data"),
	CK_BAD("3\nabc\r\n0\r\n\r\n", "bare LF (line ends must be CRLF)"),
	CK_BAD("3\r\nabc\n0\r\n\r\n", "bare LF (line ends must be CRLF)"),
	CK_BAD("3;x\nabc\r\n", "bare LF (line ends must be CRLF)"),
	CK_BAD("0\n\r\n", "bare LF (line ends must be CRLF)"),
	CK_BAD("0\r\n\n", "bare LF (line ends must be CRLF)"),
	CK_BAD("0\r\nX: a\n\r\n", "bare LF (line ends must be CRLF)"),
	CK_BAD("3\rabc", "CR not followed by LF"),
	CK_BAD("0\r\n\rx", "CR not followed by LF"),
	CK_BAD("0\r\nX: a\rb\r\n\r\n", "CR not followed by LF"),
	CK_BAD("5;a\x01\r\nabcde\r\n", "control character in chunk extension"),
	CK_BAD("0\r\nX: a\r\n b\r\n\r\n", "obsolete line folding in trailer"),
	CK_BAD("0\r\nX : a\r\n\r\n",
	       "whitespace between trailer name and colon"),
	CK_BAD("0\r\nX(: a\r\n\r\n", "invalid character in trailer name"),
	CK_BAD("0\r\n: a\r\n\r\n", "invalid character in trailer name"),
	CK_BAD("0\r\nX: a\0\r\n\r\n", "control character in trailer value"),
};

START_TEST(test_chunked_bad)
{
	const struct ck_case *c = &ck_bad[_i];
	struct ck_result res;

	ck_all_ways(c->in, c->len, 0, &res);
	ck_assert_msg(res.r == HTTP1_BAD, "\"%s\": got %ld", c->in, res.r);
	ck_assert_msg(!strcmp(res.why, c->why), "\"%s\": why \"%s\"", c->in,
		      res.why);
	buf_release(&res.body);
}
END_TEST

START_TEST(test_chunked_bad_stays_bad)
{
	struct http1_chunked st;
	struct buf out;
	const char *why = NULL;
	int done = 1;

	memset(&st, 0, sizeof(st));
	buf_init(&out, 0);
	ck_assert_int_eq(http1_chunked_decode(&st, "x", 1, &out, &done, &why),
			 HTTP1_BAD);
	ck_assert_int_eq(done, 0);
	ck_assert_int_eq(
		http1_chunked_decode(&st, "0\r\n\r\n", 5, &out, &done, &why),
		HTTP1_BAD);
	ck_assert_int_eq(done, 0);
	buf_release(&out);
}
END_TEST

START_TEST(test_chunked_long_lines)
{
	struct buf in;
	struct ck_result res;
	size_t i;

	buf_init(&in, 0);
	/* an extension just within the line limit */
	buf_addstr(&in, "1;");
	for (i = 0; i < 4094; i++)
		buf_addch(&in, 'e');
	buf_addstr(&in, "\r\nA\r\n0\r\n\r\n");
	ck_run(in.ptr, in.len, 0, in.len, in.len, &res);
	ck_assert_int_eq(res.r, (long)in.len);
	buf_release(&res.body);

	/* one byte more */
	buf_reset(&in);
	buf_addstr(&in, "1;");
	for (i = 0; i < 4095; i++)
		buf_addch(&in, 'e');
	buf_addstr(&in, "\r\nA\r\n0\r\n\r\n");
	ck_run(in.ptr, in.len, 0, in.len, in.len, &res);
	ck_assert_int_eq(res.r, HTTP1_BAD);
	ck_assert_str_eq(res.why, "chunk size line too long");
	buf_release(&res.body);

	/* a trailer line over the limit */
	buf_reset(&in);
	buf_addstr(&in, "0\r\nX: ");
	for (i = 0; i < 5000; i++)
		buf_addch(&in, 'v');
	buf_addstr(&in, "\r\n\r\n");
	ck_run(in.ptr, in.len, 0, 1, 1, &res);
	ck_assert_int_eq(res.r, HTTP1_BAD);
	ck_assert_str_eq(res.why, "trailer line too long");
	buf_release(&res.body);

	/* many short trailer lines */
	buf_reset(&in);
	buf_addstr(&in, "0\r\n");
	for (i = 0; i < 2000; i++)
		buf_addstr(&in, "X-T: 1234\r\n");
	buf_addstr(&in, "\r\n");
	ck_run(in.ptr, in.len, 0, in.len, in.len, &res);
	ck_assert_int_eq(res.r, HTTP1_BAD);
	ck_assert_str_eq(res.why, "trailer section too large");
	buf_release(&res.body);
	buf_release(&in);
}
END_TEST

START_TEST(test_chunked_limit)
{
	static const char fits[] = "5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n";
	static const char over[] = "5\r\nabcde\r\n6\r\nfghijk\r\n0\r\n\r\n";
	static const char big[] = "fffffffffffffff\r\nabc";
	struct ck_result res;

	ck_all_ways(fits, sizeof(fits) - 1, 10, &res);
	ck_assert_int_eq(res.r, sizeof(fits) - 1);
	ck_assert_str_eq(res.body.ptr, "abcdefghij");
	buf_release(&res.body);

	ck_all_ways(over, sizeof(over) - 1, 10, &res);
	ck_assert_int_eq(res.r, HTTP1_TOO_LARGE);
	ck_assert_str_eq(res.why, "request body too large");
	ck_assert_uint_le(res.body.len, 10);
	buf_release(&res.body);

	/* refused at the size line, before any of the data */
	ck_all_ways(big, sizeof(big) - 1, 1 << 20, &res);
	ck_assert_int_eq(res.r, HTTP1_TOO_LARGE);
	buf_release(&res.body);
}
END_TEST

static Suite *http1_suite(void)
{
	Suite *s = suite_create("http1");
	TCase *tp = tcase_create("parse");
	TCase *tf = tcase_create("framing");
	TCase *tc = tcase_create("chunked");

	tcase_add_test(tp, test_simple_get);
	tcase_add_test(tp, test_no_headers_http10);
	tcase_add_test(tp, test_headers_trimmed);
	tcase_add_test(tp, test_target_forms);
	tcase_add_test(tp, test_leading_empty_lines);
	tcase_add_loop_test(tp, test_rejections, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tp, test_too_many_headers);
	tcase_add_test(tp, test_head_size_limit);
	tcase_add_test(tp, test_check_fields);
	tcase_add_test(tp, test_split_every_byte);
	tcase_add_test(tp, test_pipelined);
	tcase_add_test(tp, test_header_lookup);
	suite_add_tcase(s, tp);

	tcase_add_test(tf, test_framing_ok);
	tcase_add_loop_test(
		tf, test_framing_bad, 0,
		(int)(sizeof(framing_bad) / sizeof(framing_bad[0])));
	tcase_add_test(tf, test_framing_untrimmed_length);
	suite_add_tcase(s, tf);

	tcase_add_test(tc, test_chunked_simple);
	tcase_add_test(tc, test_chunked_extensions_trailers_pipelined);
	tcase_add_test(tc, test_chunked_sizes);
	tcase_add_test(tc, test_chunked_after_done);
	tcase_add_loop_test(tc, test_chunked_bad, 0,
			    (int)(sizeof(ck_bad) / sizeof(ck_bad[0])));
	tcase_add_test(tc, test_chunked_bad_stays_bad);
	tcase_add_test(tc, test_chunked_long_lines);
	tcase_add_test(tc, test_chunked_limit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(http1_suite());
}
