/*
 * tool_jsoneq.c: are two JSON files equal as JSON? Object key order is
 * ignored, array order is not, numbers compare by value (1 and 1.0 are
 * equal). Used by tests/roundtrip.sh, where accord rewrites a contract and
 * the result must say the same thing as the input, whatever its layout.
 *
 * usage: tool_jsoneq [--decode-query] A B
 *
 * --decode-query percent-decodes every string under a member named "query"
 * before comparing it: a writer may re-encode a query string (Pact v2 keeps
 * it as one string, "skus=BOO-0042%2cMUG-0007"), and "%2c", "%2C" and ","
 * then mean the same parameter value.
 *
 * Numbers go through cJSON's double, so two integers beyond 2^53 that
 * differ only in their last digits compare equal; roundtrip.sh's byte
 * comparison covers what this cannot see.
 *
 * Exits 0 when equal, 1 when not (the first difference is printed to
 * stderr with its JSON pointer), 2 on usage or read errors.
 */
#include "common/common.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_INPUT (256u << 20)

struct cmp {
	int decode_query;
	struct buf ptr; /* JSON pointer of the value being compared */
};

/* Percent-decodes s into out ("%zz" and a lone "%" are kept as written). */
static void pct_decode(const char *s, struct buf *out)
{
	buf_reset(out);
	while (*s) {
		if (s[0] == '%' && hex_value(s[1]) >= 0 &&
		    hex_value(s[2]) >= 0) {
			buf_addch(out, (char)(hex_value(s[1]) * 16 +
					      hex_value(s[2])));
			s += 3;
		} else {
			buf_addch(out, *s++);
		}
	}
}

static const char *kind(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsTrue(v))
		return "true";
	if (cJSON_IsFalse(v))
		return "false";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

static int differ(struct cmp *c, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Reports the first difference at the current pointer; returns 0. */
static int differ(struct cmp *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tool_jsoneq: differ at %s: ",
		c->ptr.len ? c->ptr.ptr : "(root)");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 0;
}

/* Appends "/key" (RFC 6901 escaped) to the pointer; returns the old length. */
static size_t ptr_push(struct cmp *c, const char *key)
{
	size_t old = c->ptr.len;
	buf_addch(&c->ptr, '/');
	for (; *key; key++) {
		if (*key == '~')
			buf_addstr(&c->ptr, "~0");
		else if (*key == '/')
			buf_addstr(&c->ptr, "~1");
		else
			buf_addch(&c->ptr, *key);
	}
	return old;
}

static void ptr_pop(struct cmp *c, size_t old)
{
	buf_setlen(&c->ptr, old);
}

static int strings_equal(struct cmp *c, const char *a, const char *b,
			 int in_query)
{
	struct buf da, db;
	int eq;
	if (!in_query || !c->decode_query)
		return !strcmp(a, b);
	buf_init(&da, 0);
	buf_init(&db, 0);
	pct_decode(a, &da);
	pct_decode(b, &db);
	eq = da.len == db.len && !memcmp(da.ptr, db.ptr, da.len);
	buf_release(&da);
	buf_release(&db);
	return eq;
}

static int count_members(const cJSON *o)
{
	const cJSON *it;
	int n = 0;
	cJSON_ArrayForEach(it, o)
	{
		n++;
	}
	return n;
}

/* Returns 1 when a and b are equal as JSON, 0 (after reporting) if not. */
static int equal(struct cmp *c, const cJSON *a, const cJSON *b, int in_query)
{
	const cJSON *x, *y;
	size_t old;
	int i, na, nb;
	if ((a->type & 0xff) != (b->type & 0xff))
		return differ(c, "%s vs %s", kind(a), kind(b));
	if (cJSON_IsNumber(a)) {
		if (a->valuedouble != b->valuedouble)
			return differ(c, "%.17g vs %.17g", a->valuedouble,
				      b->valuedouble);
		return 1;
	}
	if (cJSON_IsString(a)) {
		if (!strings_equal(c, a->valuestring, b->valuestring, in_query))
			return differ(c, "\"%s\" vs \"%s\"", a->valuestring,
				      b->valuestring);
		return 1;
	}
	if (cJSON_IsArray(a)) {
		na = cJSON_GetArraySize(a);
		nb = cJSON_GetArraySize(b);
		if (na != nb)
			return differ(c, "%d items vs %d", na, nb);
		for (i = 0, x = a->child, y = b->child; x && y;
		     i++, x = x->next, y = y->next) {
			char idx[32];
			snprintf(idx, sizeof(idx), "%d", i);
			old = ptr_push(c, idx);
			if (!equal(c, x, y, in_query))
				return 0;
			ptr_pop(c, old);
		}
		return 1;
	}
	if (cJSON_IsObject(a)) {
		na = count_members(a);
		nb = count_members(b);
		cJSON_ArrayForEach(x, a)
		{
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			old = ptr_push(c, x->string);
			if (!y)
				return differ(c, "only in the first file");
			if (!equal(c, x, y,
				   in_query || !strcmp(x->string, "query")))
				return 0;
			ptr_pop(c, old);
		}
		if (na != nb) {
			/* every key of a is in b, so b has more */
			cJSON_ArrayForEach(y, b)
			{
				if (cJSON_GetObjectItemCaseSensitive(a,
								     y->string))
					continue;
				ptr_push(c, y->string);
				return differ(c, "only in the second file");
			}
			return differ(c, "%d members vs %d (duplicate keys)",
				      na, nb);
		}
		return 1;
	}
	return 1; /* true, false, null: the type said it all */
}

static cJSON *load(const char *path)
{
	struct buf b;
	struct err e;
	cJSON *doc;
	const char *end = NULL;
	buf_init(&b, 0);
	err_clear(&e);
	if (read_file(path, MAX_INPUT, &b, &e)) {
		fprintf(stderr, "tool_jsoneq: %s: %s\n", path, e.msg);
		buf_release(&b);
		return NULL;
	}
	/* b.len + 1: the length must cover the NUL that buf guarantees, or
	 * cJSON cannot tell that nothing follows the document */
	doc = cJSON_ParseWithLengthOpts(b.ptr, b.len + 1, &end, 1);
	if (!doc)
		fprintf(stderr,
			"tool_jsoneq: %s: not valid JSON (near byte %ld)\n",
			path, end ? (long)(end - b.ptr) : -1L);
	buf_release(&b);
	return doc;
}

int main(int argc, char **argv)
{
	struct cmp c;
	cJSON *a, *b;
	int argi = 1, eq;
	memset(&c, 0, sizeof(c));
	if (argc > 1 && !strcmp(argv[1], "--decode-query")) {
		c.decode_query = 1;
		argi++;
	}
	if (argc - argi != 2) {
		fprintf(stderr, "usage: tool_jsoneq [--decode-query] A B\n");
		return 2;
	}
	a = load(argv[argi]);
	b = a ? load(argv[argi + 1]) : NULL;
	if (!a || !b) {
		cJSON_Delete(a);
		return 2;
	}
	buf_init(&c.ptr, 0);
	eq = equal(&c, a, b, 0);
	buf_release(&c.ptr);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return eq ? 0 : 1;
}
