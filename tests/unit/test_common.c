/*
 * test_common.c: unit tests for common/ (common/common.c): struct buf
 * (growth, the ceiling, the NUL-termination invariant, reset, detach,
 * release), the first-error-wins struct err and its formatting, the log
 * level, and the small helpers: hex digits, UTF-8, case-insensitive
 * comparison, parse_long, base64, whole-file reads and atomic writes, the
 * open-files limit.
 */
#include <check.h>
#include <stdarg.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "tests/unit/check_main.h"

/* The invariant every buffer keeps after every call (common.h). */
static void assert_buf_ok(const struct buf *b)
{
	ck_assert_ptr_nonnull(b->ptr);
	ck_assert_int_eq(b->ptr[b->len], '\0');
	ck_assert(b->cap == 0 || b->len < b->cap);
	ck_assert(b->cap != 0 || b->len == 0);
	ck_assert(b->limit == 0 || b->len <= b->limit);
}

/* A scratch directory for the file tests (see unscratch). */
static char *scratch(void)
{
	char tmpl[] = "/tmp/accord-test-common.XXXXXX";
	char *d = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(d);
	return xstrdup(d);
}

/* Removes file `name` from scratch directory d, then d; frees d. */
static void unscratch(char *d, const char *name)
{
	struct buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/%s", d, name);
	unlink(p.ptr);
	ck_assert_int_eq(rmdir(d), 0);
	buf_release(&p);
	free(d);
}

/* ---- struct buf ---- */

START_TEST(test_buf_init_empty)
{
	struct buf b;
	buf_init(&b, 0);
	assert_buf_ok(&b);
	ck_assert_str_eq(b.ptr, "");
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	buf_release(&b);
	assert_buf_ok(&b);
}
END_TEST

START_TEST(test_buf_growth)
{
	struct buf b;
	size_t i;
	buf_init(&b, 0);
	for (i = 0; i < 10000; i++) {
		buf_addch(&b, (char)('a' + i % 26));
		assert_buf_ok(&b);
	}
	ck_assert_uint_eq(b.len, 10000);
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(b.ptr[i], 'a' + (int)(i % 26));
	/* doubling: a handful of reallocations, not one per byte */
	ck_assert_uint_ge(b.cap, 10001);
	ck_assert_uint_le(b.cap, 2 * 10001);
	buf_release(&b);
	assert_buf_ok(&b);
	ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_buf_adders)
{
	struct buf b;
	buf_init(&b, 0);
	buf_add(&b, "ab\0cd", 5);
	buf_addstr(&b, "ef");
	buf_addch(&b, 'g');
	buf_addf(&b, "[%d:%s]", 42, "x");
	buf_add(&b, NULL, 0);
	assert_buf_ok(&b);
	ck_assert_uint_eq(b.len, 14);
	ck_assert_mem_eq(b.ptr, "ab\0cdefg[42:x]", 15);
	buf_release(&b);
}
END_TEST

/*
 * A plain adder on a buffer with a ceiling is a bug in its caller: it
 * aborts, whether or not the bytes would fit, so that a missed conversion
 * shows in the first test that reaches it (loop test: one adder each).
 */
static void plain_vaddf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);

static void plain_vaddf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

static void plain_add(struct buf *b, int which, const char *s)
{
	switch (which) {
	case 0:
		buf_add(b, s, strlen(s));
		break;
	case 1:
		buf_addstr(b, s);
		break;
	case 2:
		buf_addch(b, s[0]);
		break;
	case 3:
		buf_addf(b, "%s", s);
		break;
	default:
		plain_vaddf(b, "%s", s);
		break;
	}
}

START_TEST(test_buf_plain_on_ceiling)
{
	struct buf b;
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	buf_init(&b, 8);
	plain_add(&b, _i, "1"); /* fits, and still aborts */
	buf_release(&b);
}
END_TEST

/* The same adders without a ceiling: no abort. */
START_TEST(test_buf_plain_no_ceiling)
{
	struct buf b;
	buf_init(&b, 0);
	plain_add(&b, _i, "1");
	ck_assert_str_eq(b.ptr, "1");
	buf_release(&b);
}
END_TEST

/* The try_ adders at the ceiling: -1, and the buffer as it was. */
START_TEST(test_buf_try_ceiling)
{
	struct buf b;
	buf_init(&b, 8);
	ck_assert_int_eq(buf_try_addstr(&b, "1234"), 0);
	ck_assert_int_eq(buf_try_add(&b, "56", 2), 0);
	ck_assert_int_eq(buf_try_addch(&b, '7'), 0);
	ck_assert_int_eq(buf_try_addf(&b, "%d", 8), 0);
	ck_assert_str_eq(b.ptr, "12345678");
	ck_assert_int_eq(buf_try_addch(&b, '9'), -1);
	ck_assert_int_eq(buf_try_addstr(&b, "9"), -1);
	ck_assert_int_eq(buf_try_add(&b, "9", 1), -1);
	ck_assert_int_eq(buf_try_addf(&b, "%d", 9), -1);
	ck_assert_int_eq(buf_try_add(&b, "", 0), 0);
	assert_buf_ok(&b);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_str_eq(b.ptr, "12345678");
	/* an addition that would pass the ceiling is refused whole */
	buf_reset(&b);
	ck_assert_int_eq(buf_try_addstr(&b, "1234"), 0);
	ck_assert_int_eq(buf_try_addf(&b, "%s", "abcde"), -1);
	ck_assert_int_eq(buf_try_add(&b, "abcde", 5), -1);
	ck_assert_str_eq(b.ptr, "1234");
	ck_assert_uint_eq(b.len, 4);
	ck_assert_int_eq(buf_try_addf(&b, "%s", "abcd"), 0);
	ck_assert_str_eq(b.ptr, "1234abcd");
	assert_buf_ok(&b);
	/* a buffer that never grew, refused: still the empty string */
	buf_release(&b);
	ck_assert_int_eq(buf_try_addstr(&b, "123456789"), -1);
	ck_assert_str_eq(b.ptr, "");
	ck_assert_uint_eq(b.cap, 0);
	buf_release(&b);
	/* without a ceiling only a size overflow fails */
	buf_init(&b, 0);
	ck_assert_int_eq(buf_try_addstr(&b, "x"), 0);
	ck_assert_int_eq(buf_try_add(&b, "y", SIZE_MAX), -1);
	ck_assert_str_eq(b.ptr, "x");
	buf_release(&b);
}
END_TEST

/* A size that would overflow: out of memory, an abort. */
START_TEST(test_buf_overflow)
{
	struct buf b;
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	buf_init(&b, 0);
	buf_addstr(&b, "x");
	buf_add(&b, "y", SIZE_MAX - 1);
}
END_TEST

START_TEST(test_buf_reset)
{
	struct buf b;
	size_t cap;
	buf_init(&b, 0);
	buf_reset(&b); /* never grown */
	assert_buf_ok(&b);
	ck_assert_str_eq(b.ptr, "");
	buf_addstr(&b, "hello");
	cap = b.cap;
	buf_reset(&b);
	assert_buf_ok(&b);
	ck_assert_str_eq(b.ptr, "");
	ck_assert_uint_eq(b.cap, cap); /* the memory is kept for reuse */
	buf_addstr(&b, "hi");
	ck_assert_str_eq(b.ptr, "hi");
	buf_release(&b);
}
END_TEST

/* Empty buffers on two threads share the static empty string: resetting
 * (or cutting) one must not write it (ThreadSanitizer saw a data race there). Only a
 * CONFIG=tsan build can see this test fail. */
static void *reset_empty_buffers(void *arg)
{
	int i;
	for (i = 0; i < 1000; i++) {
		struct buf b;
		buf_init(&b, 0);
		buf_reset(&b);
		buf_setlen(&b, 0);
		buf_consume(&b, 1);
		ck_assert_str_eq(b.ptr, "");
	}
	return arg;
}

START_TEST(test_buf_reset_threads)
{
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, reset_empty_buffers, NULL),
			 0);
	reset_empty_buffers(NULL);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}
END_TEST

START_TEST(test_buf_setlen)
{
	struct buf b;
	size_t cap;
	buf_init(&b, 0);
	buf_setlen(&b, 0); /* never grown */
	assert_buf_ok(&b);
	buf_addstr(&b, "hello, world");
	cap = b.cap;
	buf_setlen(&b, 12);
	ck_assert_str_eq(b.ptr, "hello, world");
	buf_setlen(&b, 5);
	assert_buf_ok(&b);
	ck_assert_str_eq(b.ptr, "hello");
	ck_assert_uint_eq(b.cap, cap);
	buf_addstr(&b, "!");
	ck_assert_str_eq(b.ptr, "hello!");
	buf_setlen(&b, 0);
	assert_buf_ok(&b);
	ck_assert_str_eq(b.ptr, "");
	buf_release(&b);
}
END_TEST

/* Setting a length past the end is a bug in the caller: it aborts. */
START_TEST(test_buf_setlen_past_end)
{
	struct buf b;
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	buf_init(&b, 0);
	buf_addstr(&b, "abc");
	buf_setlen(&b, 4);
}
END_TEST

START_TEST(test_buf_consume)
{
	struct buf b;
	buf_init(&b, 0);
	buf_consume(&b, 0); /* never grown */
	buf_consume(&b, 3);
	assert_buf_ok(&b);
	buf_addstr(&b, "GET /a\r\n\r\nGET /b");
	buf_consume(&b, 0);
	ck_assert_str_eq(b.ptr, "GET /a\r\n\r\nGET /b");
	buf_consume(&b, 10);
	assert_buf_ok(&b);
	ck_assert_str_eq(b.ptr, "GET /b");
	ck_assert_uint_eq(b.len, 6);
	buf_consume(&b, 6);
	assert_buf_ok(&b);
	ck_assert_str_eq(b.ptr, "");
	buf_addstr(&b, "xy");
	buf_consume(&b, 100);
	assert_buf_ok(&b);
	ck_assert_uint_eq(b.len, 0);
	buf_release(&b);
}
END_TEST

START_TEST(test_buf_detach)
{
	struct buf b;
	size_t len = 99;
	char *p;
	buf_init(&b, 100);
	p = buf_detach(&b, &len); /* never grown: still a string to free */
	ck_assert_str_eq(p, "");
	ck_assert_uint_eq(len, 0);
	free(p);
	ck_assert_int_eq(buf_try_addstr(&b, "abc"), 0);
	p = buf_detach(&b, &len);
	ck_assert_str_eq(p, "abc");
	ck_assert_uint_eq(len, 3);
	assert_buf_ok(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_uint_eq(b.limit, 100);
	free(p);
	p = buf_detach(&b, NULL);
	free(p);
}
END_TEST

/* ---- allocation ---- */

START_TEST(test_xgrow_and_strings)
{
	size_t cap = 0;
	int *v = xgrow(NULL, &cap, 1, sizeof(int));
	char *s;
	ck_assert_uint_eq(cap, 8);
	v[7] = 7;
	v = xgrow(v, &cap, 8, sizeof(int));
	ck_assert_uint_eq(cap, 8);
	v = xgrow(v, &cap, 9, sizeof(int));
	ck_assert_uint_eq(cap, 16);
	ck_assert_int_eq(v[7], 7);
	v = xgrow(v, &cap, 100, sizeof(int));
	ck_assert_uint_eq(cap, 128);
	free(v);
	s = xstrndup("abcdef", 3);
	ck_assert_str_eq(s, "abc");
	free(s);
	s = xstrdup("");
	ck_assert_str_eq(s, "");
	free(s);
	s = xcalloc(0, 0); /* a pointer to free, never NULL */
	ck_assert_ptr_nonnull(s);
	free(s);
}
END_TEST

/* ---- struct err ---- */

START_TEST(test_err_first_wins)
{
	struct err e;
	err_clear(&e);
	ck_assert_int_eq(e.code, ERR_NONE);
	ck_assert_int_eq(err_set(&e, ERR_SYNTAX, "first %d", 1), -1);
	ck_assert_int_eq(err_set(&e, ERR_IO, "second"), -1);
	ck_assert_int_eq(err_setat(&e, ERR_SHAPE, "/a", "third"), -1);
	ck_assert_int_eq(e.code, ERR_SYNTAX);
	ck_assert_str_eq(e.msg, "first 1");
	ck_assert_str_eq(e.pointer, "");
	err_setsource(&e, "a.json");
	err_setsource(&e, "b.json");
	ck_assert_str_eq(e.source, "a.json");
	err_setpos(&e, 3, 4);
	err_setpos(&e, 5, 6);
	ck_assert_int_eq(e.line, 3);
	ck_assert_int_eq(e.col, 4);
	/* cleared, the next error is recorded */
	err_clear(&e);
	ck_assert_int_eq(err_setat(&e, ERR_SHAPE, "/interactions/2", "x"), -1);
	ck_assert_int_eq(e.code, ERR_SHAPE);
	ck_assert_str_eq(e.pointer, "/interactions/2");
	/* no record to fill: still -1, no crash */
	ck_assert_int_eq(err_set(NULL, ERR_IO, "nobody listens"), -1);
	err_setsource(NULL, "x");
	err_setpos(NULL, 1, 1);
}
END_TEST

/* Messages, sources and pointers longer than their fields are cut, never
 * overrun. */
START_TEST(test_err_truncation)
{
	struct err e;
	char long_text[2000];
	memset(long_text, 'm', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	err_clear(&e);
	err_setat(&e, ERR_LIMIT, long_text, "%s", long_text);
	err_setsource(&e, long_text);
	ck_assert_uint_eq(strlen(e.msg), sizeof(e.msg) - 1);
	ck_assert_uint_eq(strlen(e.pointer), sizeof(e.pointer) - 1);
	ck_assert_uint_eq(strlen(e.source), sizeof(e.source) - 1);
}
END_TEST

START_TEST(test_err_format)
{
	struct err e;
	struct buf b;
	buf_init(&b, 0);
	err_clear(&e);
	err_setsource(&e, "orders.yaml");
	err_setpos(&e, 14, 9);
	err_set(&e, ERR_SHAPE, "unknown matcher '%s'", "regx");
	ck_assert_str_eq(err_format(&e, &b),
			 "orders.yaml:14:9: error: unknown matcher 'regx'");
	buf_reset(&b);
	err_clear(&e);
	err_setsource(&e, "orders.json");
	err_setat(&e, ERR_SHAPE, "/interactions/2/response/body", "bad");
	ck_assert_str_eq(
		err_format(&e, &b),
		"orders.json: error: /interactions/2/response/body: bad");
	buf_reset(&b);
	err_clear(&e);
	err_set(&e, ERR_USAGE, "no source");
	ck_assert_str_eq(err_format(&e, &b), "accord: error: no source");
	buf_release(&b);
}
END_TEST

/* ---- logging ---- */

START_TEST(test_log_level)
{
	char path[] = "/tmp/accord-test-log.XXXXXX";
	int fd = mkstemp(path);
	struct buf b;
	struct err e;
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(freopen(path, "w", stderr));
	log_setlevel(LOG_WARN);
	ck_assert(log_enabled(LOG_ERROR));
	ck_assert(log_enabled(LOG_WARN));
	ck_assert(!log_enabled(LOG_INFO));
	log_msg(LOG_INFO, "not shown %d", 1);
	log_msg(LOG_WARN, "shown %d", 2);
	log_setlevel(LOG_DEBUG);
	ck_assert(log_enabled(LOG_DEBUG));
	log_msg(LOG_DEBUG, "also shown");
	fflush(stderr);
	buf_init(&b, 0);
	err_clear(&e);
	ck_assert_int_eq(read_file(path, 4096, &b, &e), 0);
	ck_assert_str_eq(b.ptr, "accord: warning: shown 2\n"
				"accord: debug: also shown\n");
	buf_release(&b);
	close(fd);
	unlink(path);
}
END_TEST

/* ---- small helpers ---- */

START_TEST(test_hex_and_utf8)
{
	char u[4];
	ck_assert_int_eq(hex_value('0'), 0);
	ck_assert_int_eq(hex_value('9'), 9);
	ck_assert_int_eq(hex_value('a'), 10);
	ck_assert_int_eq(hex_value('F'), 15);
	ck_assert_int_eq(hex_value('g'), -1);
	ck_assert_int_eq(hex_value('/'), -1);
	ck_assert_uint_eq(utf8_encode(0x41, u), 1);
	ck_assert_mem_eq(u, "A", 1);
	ck_assert_uint_eq(utf8_encode(0x7f, u), 1);
	ck_assert_uint_eq(utf8_encode(0x80, u), 2);
	ck_assert_mem_eq(u, "\xc2\x80", 2);
	ck_assert_uint_eq(utf8_encode(0x7ff, u), 2);
	ck_assert_uint_eq(utf8_encode(0x800, u), 3);
	ck_assert_uint_eq(utf8_encode(0x20ac, u), 3);
	ck_assert_mem_eq(u, "\xe2\x82\xac", 3);
	ck_assert_uint_eq(utf8_encode(0xd800, u), 0);
	ck_assert_uint_eq(utf8_encode(0xdfff, u), 0);
	ck_assert_uint_eq(utf8_encode(0xffff, u), 3);
	ck_assert_uint_eq(utf8_encode(0x1f600, u), 4);
	ck_assert_mem_eq(u, "\xf0\x9f\x98\x80", 4);
	ck_assert_uint_eq(utf8_encode(0x10ffff, u), 4);
	ck_assert_uint_eq(utf8_encode(0x110000, u), 0);
}
END_TEST

START_TEST(test_casecmp)
{
	ck_assert_int_eq(str_casecmp("Content-Type", "content-type"), 0);
	ck_assert_int_lt(str_casecmp("a", "B"), 0);
	ck_assert_int_gt(str_casecmp("ab", "A"), 0);
	ck_assert_int_lt(str_casecmp("", "a"), 0);
	ck_assert_int_eq(str_ncasecmp("HOST: x", "host: y", 5), 0);
	ck_assert_int_ne(str_ncasecmp("HOST: x", "host: y", 7), 0);
	ck_assert_int_eq(str_ncasecmp("ab", "AB", 10), 0);
	ck_assert_int_eq(str_ncasecmp("x", "y", 0), 0);
}
END_TEST

START_TEST(test_parse_long)
{
	long v = 7;
	ck_assert_int_eq(parse_long("42", 0, 100, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(parse_long("-5", -10, 10, &v), 0);
	ck_assert_int_eq(v, -5);
	v = 7;
	ck_assert_int_eq(parse_long("101", 0, 100, &v), -1);
	ck_assert_int_eq(parse_long("-1", 0, 100, &v), -1);
	ck_assert_int_eq(parse_long("", 0, 100, &v), -1);
	ck_assert_int_eq(parse_long(NULL, 0, 100, &v), -1);
	ck_assert_int_eq(parse_long(" 1", 0, 100, &v), -1);
	ck_assert_int_eq(parse_long("1 ", 0, 100, &v), -1);
	ck_assert_int_eq(parse_long("1x", 0, 100, &v), -1);
	ck_assert_int_eq(parse_long("99999999999999999999999", 0, LONG_MAX, &v),
			 -1);
	ck_assert_int_eq(v, 7); /* untouched on failure */
}
END_TEST

/* RFC 4648 section 10, both ways; the URL-safe alphabet decodes too. */
START_TEST(test_base64)
{
	static const char *const plain[] = { "",     "f",     "fo",    "foo",
					     "foob", "fooba", "foobar" };
	static const char *const coded[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"
	};
	struct buf b;
	size_t i, n;
	buf_init(&b, 0);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char *s = base64_encode((const unsigned char *)plain[i],
					strlen(plain[i]), &n);
		ck_assert_str_eq(s, coded[i]);
		ck_assert_uint_eq(n, strlen(coded[i]));
		free(s);
		buf_reset(&b);
		ck_assert_int_eq(base64_decode(coded[i], strlen(coded[i]), &b),
				 0);
		ck_assert_str_eq(b.ptr, plain[i]);
	}
	buf_reset(&b);
	ck_assert_int_eq(base64_decode("-_8=", 4, &b), 0);
	ck_assert_mem_eq(b.ptr, "\xfb\xff", 2);
	buf_reset(&b);
	ck_assert_int_eq(base64_decode("Zm9v\r\nYmFy", 10, &b), 0);
	ck_assert_str_eq(b.ptr, "foobar");
	ck_assert_int_eq(base64_decode("Zm9v!", 5, &b), -1);
	ck_assert_int_eq(base64_decode("Zg=a", 4, &b), -1);
	ck_assert_int_eq(base64_decode("Z===", 4, &b), -1);
	buf_release(&b);
	/* a full output buffer fails the decode */
	buf_init(&b, 2);
	ck_assert_int_eq(base64_decode("Zm9v", 4, &b), -1);
	buf_release(&b);
}
END_TEST

/* ---- durations ---- */

static double dur(const char *s, double bare_ms)
{
	struct err e;
	double ms = -1;
	err_clear(&e);
	ck_assert_msg(duration_parse(s, bare_ms, &ms, &e) == 0, "%s: %s", s,
		      e.msg);
	ck_assert_int_eq(e.code, ERR_NONE);
	return ms;
}

static const char *dur_bad(const char *s, struct err *e)
{
	double ms = -7;
	err_clear(e);
	ck_assert_int_eq(duration_parse(s, 1000, &ms, e), -1);
	ck_assert(ms == -7); /* untouched */
	ck_assert_int_eq(e->code, ERR_USAGE);
	return e->msg;
}

START_TEST(test_duration_parse)
{
	struct err e;
	char long_value[200];
	/* every unit, in every caller */
	ck_assert(dur("500us", 1) == 0.5);
	ck_assert(dur("1us", 1000) == 1.0 / 1000);
	ck_assert(dur("250ms", 1000) == 250);
	ck_assert(dur("1.5s", 1) == 1500);
	ck_assert(dur("2m", 1) == 120000);
	ck_assert(dur("1h", 1000) == 3600000);
	ck_assert(dur("0", 1000) == 0);
	ck_assert(dur("0ms", 1) == 0);
	/* a bare number counts what the caller says */
	ck_assert(dur("10", 1000) == 10000);
	ck_assert(dur("10", 1) == 10);
	ck_assert(dur("0.25", 1000) == 250);
	/* the ceiling is a day, inclusive */
	ck_assert(dur("24h", 1) == DURATION_MAX_MS);
	ck_assert(dur("86400", 1000) == DURATION_MAX_MS);
	ck_assert(dur("86400000ms", 1000) == DURATION_MAX_MS);
	ck_assert_str_eq(dur_bad("86400001ms", &e),
			 "a duration must be from 0 to 24h, not '86400001ms'");
	ck_assert_str_eq(dur_bad("25h", &e),
			 "a duration must be from 0 to 24h, not '25h'");
	ck_assert_str_eq(dur_bad("-1s", &e),
			 "a duration must be from 0 to 24h, not '-1s'");
	ck_assert_str_eq(dur_bad("nan", &e),
			 "a duration must be from 0 to 24h, not 'nan'");
	ck_assert_str_eq(dur_bad("inf", &e),
			 "a duration must be from 0 to 24h, not 'inf'");
	/* not a duration */
	ck_assert_str_eq(dur_bad("soon", &e),
			 "expected a duration such as 250ms, 1.5s or 2m, "
			 "not 'soon'");
	ck_assert_str_eq(dur_bad("", &e),
			 "expected a duration such as 250ms, 1.5s or 2m, "
			 "not ''");
	dur_bad("10 s", &e);
	dur_bad("10S", &e);
	dur_bad("5x", &e);
	dur_bad("1.5sec", &e);
	dur_bad("ms", &e);
	/* a long value is quoted in part */
	memset(long_value, 'x', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	dur_bad(long_value, &e);
	ck_assert_uint_lt(strlen(e.msg), 120);
}
END_TEST

/* ---- hash.h ---- */

/* Known values: seeded faults, garbage bytes and generator output hang on
 * them, so none may change. */
START_TEST(test_hash_values)
{
	uint64_t x;
	/* FNV-1a 64 test vectors */
	ck_assert(hash_fnv1a(HASH_FNV_OFFSET, "") == HASH_FNV_OFFSET);
	ck_assert(hash_fnv1a(HASH_FNV_OFFSET, NULL) == HASH_FNV_OFFSET);
	ck_assert(hash_fnv1a(HASH_FNV_OFFSET, "a") ==
		  UINT64_C(0xaf63dc4c8601ec8c));
	ck_assert(hash_fnv1a(HASH_FNV_OFFSET, "foobar") ==
		  UINT64_C(0x85944171f73967e8));
	ck_assert(hash_fnv1a_mem(HASH_FNV_OFFSET, "foobar", 6) ==
		  UINT64_C(0x85944171f73967e8));
	ck_assert(hash_fnv1a_mem(HASH_FNV_OFFSET, "a\0b", 3) !=
		  hash_fnv1a(HASH_FNV_OFFSET, "a"));
	ck_assert(hash_fnv1a(hash_fnv1a(HASH_FNV_OFFSET, "foo"), "bar") ==
		  UINT64_C(0x85944171f73967e8));
	ck_assert(hash_fold(HASH_FNV_OFFSET, 4) ==
		  UINT64_C(0xaf63b94dd8c6c38a));
	/* splitmix64 from state 0: its published first output */
	ck_assert(hash_splitmix64(0) == UINT64_C(0xe220a8397b1dcdaf));
	ck_assert(hash_mix64(HASH_GOLDEN) == UINT64_C(0xe220a8397b1dcdaf));
	/* xorshift64 (13, 7, 17) from 1 */
	x = hash_xorshift64(1);
	ck_assert(x == UINT64_C(0x40822041));
	ck_assert(hash_xorshift64(x) == UINT64_C(0x100041060c011441));
}
END_TEST

/* ---- files ---- */

START_TEST(test_read_file)
{
	char *d = scratch();
	struct buf path, b;
	struct err e;
	buf_init(&path, 0);
	buf_init(&b, 0);
	buf_addf(&path, "%s/f", d);
	err_clear(&e);
	ck_assert_int_eq(write_file_atomic(path.ptr, "0123456789", 10, &e), 0);
	ck_assert_int_eq(read_file(path.ptr, 10, &b, &e), 0);
	ck_assert_str_eq(b.ptr, "0123456789");
	/* one byte past the limit */
	buf_reset(&b);
	ck_assert_int_eq(read_file(path.ptr, 9, &b, &e), -1);
	ck_assert_int_eq(e.code, ERR_LIMIT);
	ck_assert_str_eq(e.source, path.ptr);
	/* missing */
	err_clear(&e);
	buf_reset(&b);
	buf_addstr(&path, ".missing");
	ck_assert_int_eq(read_file(path.ptr, 10, &b, &e), -1);
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_str_eq(e.source, path.ptr);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot open"));
	buf_release(&path);
	buf_release(&b);
	unscratch(d, "f");
}
END_TEST

/* The file is replaced whole and no temporary file is left beside it. */
/* How many entries of directory d have a name starting with prefix. */
static int count_prefixed(const char *d, const char *prefix)
{
	DIR *dir = opendir(d);
	struct dirent *de;
	int n = 0;
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(dir);
	return n;
}

START_TEST(test_buf_add_visible)
{
	static const char in[] = "a\tb\r\nc\033[2J\177\302\233\302\240\303\251";
	struct buf b;
	buf_init(&b, 0);
	buf_add_visible(&b, in, sizeof(in) - 1);
	/* tab kept, controls escaped, U+009B (a C1 CSI) escaped, U+00A0 and
	 * U+00E9 kept as they are */
	ck_assert_str_eq(b.ptr,
			 "a\tb\\r\\nc\\x1b[2J\\x7f\\u009b\302\240\303\251");
	buf_reset(&b);
	buf_add_visible(&b, "x\0y", 3);
	ck_assert_str_eq(b.ptr, "x\\x00y");
	buf_release(&b);
}
END_TEST

START_TEST(test_write_file_atomic)
{
	char *d = scratch();
	struct buf path, b;
	struct err e;
	struct stat st;
	buf_init(&path, 0);
	buf_init(&b, 0);
	err_clear(&e);
	buf_addf(&path, "%s/out.json", d);
	ck_assert_int_eq(
		write_file_atomic(path.ptr, "a long first text", 17, &e), 0);
	ck_assert_int_eq(write_file_atomic(path.ptr, "short", 5, &e), 0);
	ck_assert_int_eq(read_file(path.ptr, 100, &b, &e), 0);
	ck_assert_str_eq(b.ptr, "short");
	/* no temporary file is left beside it, and the file is 0644 */
	ck_assert_int_eq(count_prefixed(d, "out.json.tmp."), 0);
	ck_assert_int_eq(stat(path.ptr, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	/* a directory that does not exist */
	buf_reset(&path);
	buf_addf(&path, "%s/no/such/dir/out.json", d);
	ck_assert_int_eq(write_file_atomic(path.ptr, "x", 1, &e), -1);
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_str_eq(e.source, path.ptr);
	buf_release(&path);
	buf_release(&b);
	unscratch(d, "out.json");
}
END_TEST

/* ---- process ---- */

START_TEST(test_raise_fd_limit)
{
	struct rlimit rl;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max > 64) {
		rl.rlim_cur = 64;
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	raise_fd_limit();
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	/* the hard limit, or (macOS) at least OPEN_MAX; an unlimited
	 * hard limit may be refused, and then nothing changes */
	ck_assert(rl.rlim_cur == rl.rlim_max || rl.rlim_cur > 64 ||
		  rl.rlim_max == RLIM_INFINITY);
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tb = tcase_create("buf");
	TCase *te = tcase_create("err");
	TCase *th = tcase_create("helpers");

	tcase_add_test(tb, test_buf_init_empty);
	tcase_add_test(tb, test_buf_growth);
	tcase_add_test(tb, test_buf_adders);
	tcase_add_test(tb, test_buf_add_visible);
	tcase_add_loop_test_raise_signal(tb, test_buf_plain_on_ceiling, SIGABRT,
					 0, 5);
	tcase_add_loop_test(tb, test_buf_plain_no_ceiling, 0, 5);
	tcase_add_test(tb, test_buf_try_ceiling);
	tcase_add_test_raise_signal(tb, test_buf_overflow, SIGABRT);
	tcase_add_test(tb, test_buf_reset);
	tcase_add_test(tb, test_buf_reset_threads);
	tcase_add_test(tb, test_buf_setlen);
	tcase_add_test_raise_signal(tb, test_buf_setlen_past_end, SIGABRT);
	tcase_add_test(tb, test_buf_consume);
	tcase_add_test(tb, test_buf_detach);
	tcase_add_test(tb, test_xgrow_and_strings);
	suite_add_tcase(s, tb);

	tcase_add_test(te, test_err_first_wins);
	tcase_add_test(te, test_err_truncation);
	tcase_add_test(te, test_err_format);
	suite_add_tcase(s, te);

	tcase_add_test(th, test_log_level);
	tcase_add_test(th, test_hex_and_utf8);
	tcase_add_test(th, test_casecmp);
	tcase_add_test(th, test_parse_long);
	tcase_add_test(th, test_base64);
	tcase_add_test(th, test_hash_values);
	tcase_add_test(th, test_duration_parse);
	tcase_add_test(th, test_read_file);
	tcase_add_test(th, test_write_file_atomic);
	tcase_add_test(th, test_raise_fd_limit);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	return check_run(common_suite());
}
