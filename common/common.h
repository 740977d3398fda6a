/*
 * common: the pieces every accord library shares: allocation that aborts on
 * out-of-memory, a growable byte buffer (with a ceiling where input is
 * untrusted), the error record that fallible functions fill in, levelled
 * logging, small helpers (the one duration parser, base64, files); and, in
 * common/hash.h, the one hash and the seeded random steps.
 */
#ifndef ACCORD_COMMON_H
#define ACCORD_COMMON_H

#include <stdarg.h>
#include <stddef.h>

#include "common/hash.h"

#define ACCORD_VERSION "0.1.0"

#if defined(__GNUC__)
#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ATTR_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define ATTR_PRINTF(f, a)
#define ATTR_WARN_UNUSED
#endif

/* Allocation: abort with a message on out-of-memory, never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows an array of `*cap` elements of `size` bytes to hold at least `need`. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);

/*
 * struct buf: a growable byte buffer.
 * Invariants: ptr is never NULL after buf_init (it points at a static empty
 * string until the first growth; all threads share that string, so it is
 * never written: cap == 0 means len == 0 and hands off), ptr[len] is always
 * '\0', and growth is overflow-checked. Outside common.c len and ptr are
 * read, never set: buf_setlen and buf_consume shorten a buffer.
 *
 * `limit` (0 = none) is a ceiling on len, and it decides which adders a
 * buffer takes:
 * - a buffer without one (almost every buffer) takes buf_add and its
 *   kin, which return nothing: they cannot fail but by overflowing size_t,
 *   which aborts like xmalloc's out-of-memory;
 * - a buffer with one (growth driven by untrusted input: a request head, a
 *   body, a decoded value) takes buf_try_add and its kin, whose -1 says the
 *   ceiling would be passed and nothing was added, and cannot be ignored.
 * A plain adder called on a buffer with a ceiling aborts, whether or not
 * the bytes would fit: the call is a bug, and the first test or fuzz input
 * that reaches it shows it. (When every adder returned -1, callers ignored
 * it and text vanished silently: a mismatch message past 4 KiB came back
 * empty.) This refines issue #12's "the adders are warn_unused_result":
 * on all of them, some 780 calls would check a result that cannot be -1.
 */
struct buf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t limit;
};

void buf_init(struct buf *b, size_t limit);
void buf_release(struct buf *b);
/* Hands the bytes to the caller (free with free()); the buffer is reset. */
char *buf_detach(struct buf *b, size_t *len);
/* Empties the buffer and keeps its memory for reuse. */
void buf_reset(struct buf *b);
/*
 * Cuts the buffer to its first `len` bytes (and its '\0' after them), the
 * memory kept. `len` past the end is a bug: it aborts.
 */
void buf_setlen(struct buf *b, size_t len);
/* Removes the first `n` bytes (all of them when n >= len), e.g. a request
 * that has been handled, and moves the rest to the front. */
void buf_consume(struct buf *b, size_t n);
/* For a buffer without a ceiling (see above). */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addstr(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) ATTR_PRINTF(2, 0);
/*
 * For a buffer with a ceiling: 0, or -1 with the buffer unchanged when
 * the addition would pass it. GCC warns about an ignored result even
 * when it is cast to (void): every call site says what a full buffer
 * means (a 413, a 431, ERR_LIMIT, a cut). On a buffer without a ceiling
 * they fail only by overflowing size_t; functions that append to a
 * caller's buffer of either kind use them.
 */
int buf_try_add(struct buf *b, const void *p, size_t n) ATTR_WARN_UNUSED;
int buf_try_addstr(struct buf *b, const char *s) ATTR_WARN_UNUSED;
int buf_try_addch(struct buf *b, char c) ATTR_WARN_UNUSED;
int buf_try_addf(struct buf *b, const char *fmt, ...)
	ATTR_PRINTF(2, 3) ATTR_WARN_UNUSED;
int buf_try_vaddf(struct buf *b, const char *fmt, va_list ap)
	ATTR_PRINTF(2, 0) ATTR_WARN_UNUSED;

/* Error codes carried by struct err. */
enum err_code {
	ERR_NONE = 0,
	ERR_USAGE,
	ERR_IO,
	ERR_SYNTAX, /* malformed JSON or YAML */
	ERR_SHAPE,  /* valid document, wrong shape */
	ERR_LIMIT,  /* a size, depth or count limit was hit */
	ERR_REGEX,
	ERR_UNSUPPORTED, /* e.g. a conversion the target cannot express */
};

/*
 * struct err: the first error of a fallible call. `source` names the file,
 * `line`/`col` (1-based, 0 = unknown) locate it in text, `pointer` is a JSON
 * pointer into the document ("/interactions/2/request/method").
 */
struct err {
	enum err_code code;
	int line;
	int col;
	char source[256];
	char pointer[256];
	char msg[512];
};

void err_clear(struct err *e);
/* Records an error unless one is already set (the first wins); returns -1. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
	ATTR_PRINTF(3, 4);
int err_setat(struct err *e, enum err_code code, const char *pointer,
	      const char *fmt, ...) ATTR_PRINTF(4, 5);
void err_setsource(struct err *e, const char *source);
void err_setpos(struct err *e, int line, int col);
/*
 * Formats compiler style: "file:line:col: error: msg" when a position is
 * known, "file: error: /pointer: msg" otherwise, appended to b (a buffer
 * without a ceiling). Returns b->ptr.
 */
const char *err_format(const struct err *e, struct buf *b);

/* Logging to stderr; the level is checked before any formatting. */
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
void log_setlevel(enum log_level lvl);
int log_enabled(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Small helpers. */
/* The value of hex digit c, or -1. */
int hex_value(int c);
/*
 * Encodes code point cp as UTF-8 into out; returns the length (1 to 4), or
 * 0 for surrogates and values past U+10FFFF.
 */
size_t utf8_encode(unsigned long cp, char out[4]);
int str_casecmp(const char *a, const char *b);
int str_ncasecmp(const char *a, const char *b, size_t n);
/*
 * Appends s[0..n) for a person's terminal or log: control characters
 * (but tab), DEL and the C1 controls (U+0080..U+009F) are written as
 * \r, \n or \xNN / \u00NN, so text from the network or a contract cannot
 * forge a log line or send escape sequences to the terminal. The buffer
 * must have no ceiling.
 */
void buf_add_visible(struct buf *b, const char *s, size_t n);
/* Parses a whole decimal integer in [min, max]; returns 0 or -1. */
int parse_long(const char *s, long min, long max, long *out);

/* The longest duration accord takes anywhere: a day. */
#define DURATION_MAX_MS (24.0 * 3600 * 1000)
/*
 * Parses a duration into milliseconds: a number with a unit ("500us",
 * "250ms", "1.5s", "2m", "1h"), or a bare number, which counts `bare_ms`
 * milliseconds each (each caller keeps the meaning its users know: 1000
 * for seconds, 1 for milliseconds). From 0 to DURATION_MAX_MS. Returns 0,
 * or -1 with ERR_USAGE and a message that quotes s.
 */
int duration_parse(const char *s, double bare_ms, double *ms, struct err *e);

/*
 * Base64 (RFC 4648, with padding). decode appends to out, a buffer of
 * either kind, and returns -1 on invalid input or a full out.
 */
char *base64_encode(const unsigned char *p, size_t len, size_t *outlen);
int base64_decode(const char *s, size_t len, struct buf *out);

/*
 * Appends a whole file to out, at most `limit` bytes (-1 with ERR_LIMIT
 * past it): `limit` is the ceiling, out has none of its own.
 */
int read_file(const char *path, size_t limit, struct buf *out, struct err *e);
/*
 * Writes atomically: a temporary file beside `path` (PATH.tmp.PID.HEX,
 * created exclusively and never through a link, mode 0644 less the
 * umask), fsync, rename. A writer killed half way leaves
 * its temporary file; whoever serialises writers of `path` may remove
 * PATH.tmp.* (cli/pactout.c does, under the pact's lock).
 */
int write_file_atomic(const char *path, const void *p, size_t len,
		      struct err *e);
/*
 * Raises this process's soft limit on open files to its hard limit (on
 * macOS, which refuses an unlimited one, to OPEN_MAX): a server that holds
 * many connections, or a test tool that opens them. Best effort.
 */
void raise_fd_limit(void);

#endif
