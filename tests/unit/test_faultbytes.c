/*
 * test_faultbytes.c: unit tests for the bytes a fault sends
 * (stubserver/faultbytes.c, fault_bytes()), called directly with no socket
 * and no loop: seeded garbage is the same for a seed (and pinned to what
 * the server has always sent), truncation by bytes and by fraction keeps
 * the exact prefix, a malformed chunked body is byte for byte what the
 * server wrote before the function existed, and the outcomes that send
 * nothing send nothing.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "stubserver/internal.h"
#include "tests/unit/check_main.h"

#define HEAD                                                                   \
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"                      \
	"Content-Length: 10\r\nConnection: keep-alive\r\n\r\n"
#define BODY "0123456789"

static const char answer[] = HEAD BODY;

static struct fault_action action(enum fault_outcome o)
{
	struct fault_action a;
	fault_action_init(&a);
	a.outcome = o;
	return a;
}

/* fault_bytes() of `answer` (or p[0..len) when p) into b (initialised). */
static void bytes_of(const struct fault_action *a, const char *p, size_t len,
		     struct buf *b)
{
	buf_init(b, 0);
	if (!p) {
		p = answer;
		len = sizeof(answer) - 1;
	}
	fault_bytes(a, p, len, b);
}

static void assert_bytes(const struct buf *b, const char *want, size_t n)
{
	ck_assert_uint_eq(b->len, n);
	ck_assert_msg(!memcmp(b->ptr, want, n), "bytes differ");
}

START_TEST(test_garbage_is_seeded)
{
	struct fault_action a = action(FAULT_GARBAGE), c;
	struct buf x, y;
	a.garbage_bytes = 16;
	a.garbage_seed = 1;
	bytes_of(&a, NULL, 0, &x);
	/* what the server sent for seed 1 before fault_bytes() existed */
	assert_bytes(&x,
		     "\x40\x0c\x6e\x55\x90\xe5\xeb\x14\x9a\x32\x8a\x37\x96"
		     "\x09\x54\xe6",
		     16);
	/* the same seed, the same bytes, whatever the answer */
	bytes_of(&a, "HTTP/1.1 204 No Content\r\n\r\n", 27, &y);
	assert_bytes(&y, x.ptr, x.len);
	buf_release(&y);
	/* another seed, other bytes */
	c = a;
	c.garbage_seed = 42;
	bytes_of(&c, NULL, 0, &y);
	ck_assert_uint_eq(y.len, 16);
	ck_assert(memcmp(x.ptr, y.ptr, 16) != 0);
	assert_bytes(&y,
		     "\x95\xf8\xd1\x5f\x8b\x33\xa5\xec\xa8\x4b\xa5\x39\x7b"
		     "\x87\xac\x56",
		     16);
	buf_release(&y);
	/* seed 0 stands for a fixed one */
	c.garbage_seed = 0;
	bytes_of(&c, NULL, 0, &y);
	assert_bytes(&y,
		     "\xea\x1c\x58\xd8\x97\xbe\x9d\x50\x12\xc9\xa7\x6e\x43"
		     "\xb5\xaf\x76",
		     16);
	buf_release(&y);
	buf_release(&x);
}
END_TEST

START_TEST(test_garbage_never_starts_like_http)
{
	/* seed 17 draws 'H' first: it is sent as 0x16 (the rest as drawn,
	 * NUL bytes included) */
	struct fault_action a = action(FAULT_GARBAGE);
	struct buf b;
	a.garbage_bytes = 16;
	a.garbage_seed = 17;
	bytes_of(&a, NULL, 0, &b);
	assert_bytes(&b,
		     "\x16\xcc\xc6\x20\xef\x00\xac\xe0\xd4\xd4\x5e\xa2\x00"
		     "\x9c\x4f\xd9",
		     16);
	buf_release(&b);
	a.garbage_bytes = 0;
	bytes_of(&a, NULL, 0, &b);
	ck_assert_uint_eq(b.len, 0);
	buf_release(&b);
	a.garbage_bytes = 1000;
	bytes_of(&a, NULL, 0, &b);
	ck_assert_uint_eq(b.len, 1000);
	buf_release(&b);
}
END_TEST

START_TEST(test_truncate_by_bytes)
{
	struct fault_action a = action(FAULT_TRUNCATE);
	struct buf b;
	a.trunc_bytes = 4;
	bytes_of(&a, NULL, 0, &b);
	assert_bytes(&b, HEAD "0123", sizeof(HEAD) - 1 + 4);
	buf_release(&b);
	a.trunc_bytes = 0;
	bytes_of(&a, NULL, 0, &b);
	assert_bytes(&b, HEAD, sizeof(HEAD) - 1);
	buf_release(&b);
	/* never the whole body: a truncated answer is one byte short at
	 * least */
	a.trunc_bytes = 10;
	bytes_of(&a, NULL, 0, &b);
	assert_bytes(&b, HEAD "012345678", sizeof(HEAD) - 1 + 9);
	buf_release(&b);
	a.trunc_bytes = 1000;
	bytes_of(&a, NULL, 0, &b);
	assert_bytes(&b, HEAD "012345678", sizeof(HEAD) - 1 + 9);
	buf_release(&b);
}
END_TEST

START_TEST(test_truncate_by_fraction)
{
	static const char nobody[] = "HTTP/1.1 204 No Content\r\n\r\n";
	struct fault_action a = action(FAULT_TRUNCATE);
	struct buf b;
	ck_assert_int_lt(a.trunc_bytes, 0); /* fraction unless bytes given */
	a.trunc_fraction = 0.5;
	bytes_of(&a, NULL, 0, &b);
	assert_bytes(&b, HEAD "01234", sizeof(HEAD) - 1 + 5);
	buf_release(&b);
	a.trunc_fraction = 0.25; /* 2.5 bytes: 2 */
	bytes_of(&a, NULL, 0, &b);
	assert_bytes(&b, HEAD "01", sizeof(HEAD) - 1 + 2);
	buf_release(&b);
	a.trunc_fraction = 1;
	bytes_of(&a, NULL, 0, &b);
	assert_bytes(&b, HEAD "012345678", sizeof(HEAD) - 1 + 9);
	buf_release(&b);
	/* no body: the first half of the head */
	bytes_of(&a, nobody, sizeof(nobody) - 1, &b);
	assert_bytes(&b, nobody, (sizeof(nobody) - 1) / 2);
	buf_release(&b);
}
END_TEST

START_TEST(test_malformed_chunk)
{
	struct fault_action a = action(FAULT_MALFORMED_CHUNK);
	struct buf b;
	char big[200];
	/* the head keeps its other fields, in order; Content-Length and
	 * Connection give way to chunked framing and a close */
	bytes_of(&a, NULL, 0, &b);
	ck_assert_str_eq(b.ptr, "HTTP/1.1 200 OK\r\n"
				"Content-Type: text/plain\r\n"
				"Transfer-Encoding: chunked\r\n"
				"Connection: close\r\n\r\n"
				"5\r\n01234\r\n"
				"zz-not-a-chunk-size\r\n");
	buf_release(&b);
	/* the chunk size is hexadecimal: 40 bytes of body, a chunk of 0x14 */
	snprintf(big, sizeof(big),
		 "HTTP/1.1 201 Created\r\ncontent-length: 40\r\n\r\n%s",
		 "abcdefghijklmnopqrstuvwxyz0123456789ABCD");
	bytes_of(&a, big, strlen(big), &b);
	ck_assert_str_eq(b.ptr, "HTTP/1.1 201 Created\r\n"
				"Transfer-Encoding: chunked\r\n"
				"Connection: close\r\n\r\n"
				"14\r\nabcdefghijklmnopqrst\r\n"
				"zz-not-a-chunk-size\r\n");
	buf_release(&b);
	/* a body of one byte or none: no proper chunk at all */
	snprintf(big, sizeof(big),
		 "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
	bytes_of(&a, big, strlen(big), &b);
	ck_assert_str_eq(b.ptr, "HTTP/1.1 200 OK\r\n"
				"Transfer-Encoding: chunked\r\n"
				"Connection: close\r\n\r\n"
				"zz-not-a-chunk-size\r\n");
	buf_release(&b);
}
END_TEST

START_TEST(test_whole_or_nothing)
{
	static const enum fault_outcome whole[] = { FAULT_NONE, FAULT_ERROR };
	static const enum fault_outcome none[] = { FAULT_RESET, FAULT_CLOSE,
						   FAULT_HANG };
	struct fault_action a;
	struct buf b;
	size_t i;
	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
		a = action(whole[i]);
		bytes_of(&a, NULL, 0, &b);
		assert_bytes(&b, answer, sizeof(answer) - 1);
		buf_release(&b);
	}
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		a = action(none[i]);
		bytes_of(&a, NULL, 0, &b);
		ck_assert_uint_eq(b.len, 0);
		buf_release(&b);
	}
}
END_TEST

START_TEST(test_appends)
{
	/* what out held stays; the fault's bytes come after it */
	struct fault_action a = action(FAULT_TRUNCATE);
	struct buf b;
	a.trunc_bytes = 2;
	buf_init(&b, 0);
	buf_addstr(&b, "before|");
	fault_bytes(&a, answer, sizeof(answer) - 1, &b);
	ck_assert_str_eq(b.ptr, "before|" HEAD "01");
	buf_release(&b);
}
END_TEST

static Suite *faultbytes_suite(void)
{
	Suite *s = suite_create("faultbytes");
	TCase *tc = tcase_create("bytes");
	tcase_add_test(tc, test_garbage_is_seeded);
	tcase_add_test(tc, test_garbage_never_starts_like_http);
	tcase_add_test(tc, test_truncate_by_bytes);
	tcase_add_test(tc, test_truncate_by_fraction);
	tcase_add_test(tc, test_malformed_chunk);
	tcase_add_test(tc, test_whole_or_nothing);
	tcase_add_test(tc, test_appends);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(faultbytes_suite());
}
