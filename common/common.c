/*
 * common.c: allocation, buffers, errors, logging and small string and file
 * helpers shared by every accord library.
 */
#include "common/common.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char buf_empty[1];

/* An error quotes this much of a value at most. */
#define DURATION_QUOTE_MAX 64

static void oom(size_t n)
{
	fprintf(stderr, "accord: fatal: out of memory allocating %zu bytes\n",
		n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap;
	if (need <= c)
		return p;
	if (c < 8)
		c = 8;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			oom(SIZE_MAX);
		c *= 2;
	}
	if (c > SIZE_MAX / size)
		oom(SIZE_MAX);
	*cap = c;
	return xrealloc(p, c * size);
}

void buf_init(struct buf *b, size_t limit)
{
	b->ptr = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->limit = limit;
}

void buf_release(struct buf *b)
{
	if (b->cap)
		free(b->ptr);
	buf_init(b, b->limit);
}

/* A buffer that never grew points at buf_empty, which every such buffer
 * on every thread shares: it is never written, not even with the '\0' it
 * already holds (a data race between threads). */
void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

void buf_setlen(struct buf *b, size_t len)
{
	if (len > b->len) {
		fprintf(stderr,
			"accord: fatal: buf_setlen(%zu) past the end "
			"of a buffer of %zu bytes\n",
			len, b->len);
		abort();
	}
	if (!b->cap)
		return; /* len is 0: the shared empty string stays unwritten */
	b->len = len;
	b->ptr[len] = '\0';
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->ptr, b->ptr + n, b->len - n);
	buf_setlen(b, b->len - n);
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;
	if (len)
		*len = b->len;
	p = b->cap ? b->ptr : xstrdup("");
	buf_init(b, b->limit);
	return p;
}

static int buf_reserve(struct buf *b, size_t extra)
{
	size_t need;
	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + extra + 1;
	if (b->limit && b->len + extra > b->limit)
		return -1;
	if (need <= b->cap)
		return 0;
	if (!b->cap) {
		size_t cap = 0;
		b->ptr = xgrow(NULL, &cap, need, 1);
		b->cap = cap;
		b->ptr[0] = '\0';
		return 0;
	}
	b->ptr = xgrow(b->ptr, &b->cap, need, 1);
	return 0;
}

int buf_try_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n))
		return -1;
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_try_addstr(struct buf *b, const char *s)
{
	return buf_try_add(b, s, strlen(s));
}

int buf_try_addch(struct buf *b, char c)
{
	return buf_try_add(b, &c, 1);
}

int buf_try_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || buf_reserve(b, (size_t)n))
		return -1;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_try_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = buf_try_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * What a plain adder checks: that b has no ceiling (else the caller
 * should have used buf_try_`what`), and then that the addition did not
 * fail, which without a ceiling means size_t overflowed.
 */
static void plain(const struct buf *b, const char *what)
{
	if (b->limit) {
		fprintf(stderr,
			"accord: fatal: buf_%s on a buffer with a ceiling "
			"of %zu bytes: it takes buf_try_%s\n",
			what, b->limit, what);
		abort();
	}
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	plain(b, "add");
	if (buf_try_add(b, p, n))
		oom(SIZE_MAX);
}

void buf_addstr(struct buf *b, const char *s)
{
	plain(b, "addstr");
	if (buf_try_addstr(b, s))
		oom(SIZE_MAX);
}

void buf_addch(struct buf *b, char c)
{
	plain(b, "addch");
	if (buf_try_addch(b, c))
		oom(SIZE_MAX);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	plain(b, "vaddf");
	if (buf_try_vaddf(b, fmt, ap))
		oom(SIZE_MAX);
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	plain(b, "addf");
	va_start(ap, fmt);
	if (buf_try_vaddf(b, fmt, ap))
		oom(SIZE_MAX);
	va_end(ap);
}

void err_clear(struct err *e)
{
	memset(e, 0, sizeof(*e));
}

static int err_vset(struct err *e, enum err_code code, const char *pointer,
		    const char *fmt, va_list ap) ATTR_PRINTF(4, 0);

static int err_vset(struct err *e, enum err_code code, const char *pointer,
		    const char *fmt, va_list ap)
{
	if (!e || e->code != ERR_NONE)
		return -1;
	e->code = code;
	if (pointer)
		snprintf(e->pointer, sizeof(e->pointer), "%s", pointer);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, code, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int err_setat(struct err *e, enum err_code code, const char *pointer,
	      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, code, pointer, fmt, ap);
	va_end(ap);
	return -1;
}

void err_setsource(struct err *e, const char *source)
{
	if (e && source && !e->source[0])
		snprintf(e->source, sizeof(e->source), "%s", source);
}

void err_setpos(struct err *e, int line, int col)
{
	if (e && !e->line) {
		e->line = line;
		e->col = col;
	}
}

const char *err_format(const struct err *e, struct buf *b)
{
	const char *src = e->source[0] ? e->source : "accord";
	if (e->line)
		buf_addf(b, "%s:%d:%d: error: ", src, e->line, e->col);
	else
		buf_addf(b, "%s: error: ", src);
	if (e->pointer[0])
		buf_addf(b, "%s: ", e->pointer);
	buf_addstr(b, e->msg);
	return b->ptr;
}

static enum log_level log_level = LOG_WARN;

void log_setlevel(enum log_level lvl)
{
	log_level = lvl;
}

int log_enabled(enum log_level lvl)
{
	return lvl <= log_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	va_list ap;
	if (!log_enabled(lvl))
		return;
	fprintf(stderr, "accord: %s: ", names[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int str_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = tolower((unsigned char)*a);
		int cb = tolower((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
}

int str_ncasecmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int ca = tolower((unsigned char)*a);
		int cb = tolower((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
	return 0;
}

int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t utf8_encode(unsigned long cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return 0;
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int duration_parse(const char *s, double bare_ms, double *ms, struct err *e)
{
	/* ms = v * mul / div: a microsecond divides, so that 1us is the
	 * double nearest 0.001 (0.001 itself is not one) */
	static const struct {
		const char *name;
		double mul, div;
	} units[] = { { "us", 1, 1000 },
		      { "ms", 1, 1 },
		      { "s", 1000, 1 },
		      { "m", 60000, 1 },
		      { "h", 3600000, 1 } };
	char *end;
	double v, mul = bare_ms, div = 1;
	size_t i;
	v = strtod(s, &end);
	if (end == s)
		goto bad;
	if (*end) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].name))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			goto bad;
		mul = units[i].mul;
		div = units[i].div;
	}
	v = v * mul / div;
	if (!(v >= 0) || v > DURATION_MAX_MS)
		return err_set(e, ERR_USAGE,
			       "a duration must be from 0 to 24h, not '%.*s'",
			       DURATION_QUOTE_MAX, s);
	*ms = v;
	return 0;
bad:
	return err_set(e, ERR_USAGE,
		       "expected a duration such as 250ms, 1.5s or 2m, "
		       "not '%.*s'",
		       DURATION_QUOTE_MAX, s);
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const unsigned char *p, size_t len, size_t *outlen)
{
	size_t n = 4 * ((len + 2) / 3), i, o = 0;
	char *out = xmalloc(n + 1);
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
			     p[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int base64_decode(const char *s, size_t len, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;
	size_t i, pad = 0;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i], v;
		if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			return -1;
		v = b64val(c);
		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_try_addch(out, (char)(acc >> bits & 0xff)))
				return -1;
		}
	}
	return pad > 2 ? -1 : 0;
}

int read_file(const char *path, size_t limit, struct buf *out, struct err *e)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	struct stat st;
	if (!f) {
		err_setsource(e, path);
		return err_set(e, ERR_IO, "cannot open: %s", strerror(errno));
	}
	/* one allocation of the right size for regular files */
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (size_t)st.st_size <= limit)
		buf_reserve(out, (size_t)st.st_size);
	for (n = fread(chunk, 1, sizeof(chunk), f); n > 0;
	     n = fread(chunk, 1, sizeof(chunk), f)) {
		if (out->len + n > limit) {
			fclose(f);
			err_setsource(e, path);
			return err_set(
				e, ERR_LIMIT,
				"file larger than the limit of %zu bytes",
				limit);
		}
		buf_add(out, chunk, n);
	}
	if (ferror(f)) {
		fclose(f);
		err_setsource(e, path);
		return err_set(e, ERR_IO, "read failed: %s", strerror(errno));
	}
	fclose(f);
	return 0;
}

/*
 * Creates PATH.tmp.<pid>.<hex> for writing: O_CREAT|O_EXCL|O_NOFOLLOW, so
 * a file or a link planted under a name we might use is never opened
 * (a taken name is tried again with the next draw), and mode 0644 less
 * the umask, as any file we write (mkstemp would give 0600, and fchmod
 * cannot honour the umask without reading it, which is not thread-safe).
 * Returns the descriptor, with the name in tmp, or -1 with errno set.
 */
static int open_temp(const char *path, struct buf *tmp)
{
	struct timespec ts;
	uint64_t draw;
	int fd = -1, tries;
	clock_gettime(CLOCK_REALTIME, &ts);
	draw = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	draw = hash_mix64(draw ^ (uint64_t)(uintptr_t)tmp ^
			  ((uint64_t)getpid() << 32));
	for (tries = 0; tries < 100 && fd < 0; tries++) {
		buf_reset(tmp);
		buf_addf(tmp, "%s.tmp.%ld.%016llx", path, (long)getpid(),
			 (unsigned long long)draw);
		fd = open(tmp->ptr,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0644);
		if (fd < 0 && errno != EEXIST)
			break;
		draw = hash_splitmix64(draw);
	}
	return fd;
}

int write_file_atomic(const char *path, const void *p, size_t len,
		      struct err *e)
{
	struct buf tmp;
	const char *s = p;
	int fd, r;
	buf_init(&tmp, 0);
	fd = open_temp(path, &tmp);
	if (fd < 0)
		goto fail;
	while (len) {
		ssize_t w = write(fd, s, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(tmp.ptr);
			goto fail;
		}
		s += w;
		len -= (size_t)w;
	}
	r = fsync(fd);
	if (close(fd))
		r = -1; /* the descriptor is closed either way */
	if (!r)
		r = rename(tmp.ptr, path);
	if (r) {
		unlink(tmp.ptr);
		goto fail;
	}
	buf_release(&tmp);
	return 0;
fail:
	err_setsource(e, path);
	err_set(e, ERR_IO, "cannot write: %s", strerror(errno));
	buf_release(&tmp);
	return -1;
}

void raise_fd_limit(void)
{
	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (!setrlimit(RLIMIT_NOFILE, &rl))
			return;
#ifdef OPEN_MAX
		rl.rlim_cur = was > OPEN_MAX ? was : OPEN_MAX;
		setrlimit(RLIMIT_NOFILE, &rl);
#else
		(void)was;
#endif
	}
}

void buf_add_visible(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, from = 0;
	for (i = 0; i < n; i++) {
		unsigned c = p[i];
		int c1 = c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
			 p[i + 1] <= 0x9f;
		char esc[7];
		if ((c >= 0x20 && c != 0x7f && !c1) || c == '\t')
			continue;
		buf_add(b, s + from, i - from);
		if (c == '\r' || c == '\n') {
			esc[0] = '\\';
			esc[1] = c == '\r' ? 'r' : 'n';
			buf_add(b, esc, 2);
		} else if (c1) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[p[i + 1] >> 4];
			esc[5] = hex[p[i + 1] & 15];
			buf_add(b, esc, 6);
			i++;
		} else {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			buf_add(b, esc, 4);
		}
		from = i + 1;
	}
	buf_add(b, s + from, n - from);
}
