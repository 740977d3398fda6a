/*
 * faultbytes.c: the bytes a fault puts on the wire. An error's substituted
 * response, and what the broken answers send in place of the real one: a
 * truncated answer, garbage that is not HTTP, a chunked body that breaks
 * half way. Pure functions of the decision (struct fault_action) and the
 * answer's bytes: no socket, no loop, no clock, so unit tests call them
 * directly; server.c only decides when the bytes leave and how the
 * connection ends.
 */
#include "stubserver/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the substituted response of an error ---- */

static void put_header_value(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addch(b, (unsigned char)*s < 0x20 && *s != '\t' ? ' ' : *s);
}

static int has_header(const cJSON *h, const char *name)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, h)
	{
		if (!str_casecmp(x->string, name))
			return 1;
	}
	return 0;
}

void fault_error_response(const struct fault_action *a, int head_only,
			  int keep_alive, struct buf *out)
{
	const cJSON *h, *body = a->error_body;
	char *json = NULL;
	const char *p = "", *ct = NULL;
	size_t len = 0;
	int status = a->status ? a->status : 500;
	if (cJSON_IsString(body)) {
		p = body->valuestring;
		len = strlen(p);
		ct = "text/plain; charset=utf-8";
	} else if (body && !cJSON_IsNull(body)) {
		json = cJSON_PrintUnformatted(body);
		p = json ? json : "";
		len = strlen(p);
		ct = "application/json";
	}
	buf_addf(out, "HTTP/1.1 %d %s\r\n", status, stub_reason(status));
	cJSON_ArrayForEach(h, a->error_headers)
	{
		const cJSON *v;
		if (!str_casecmp(h->string, "Content-Length") ||
		    !str_casecmp(h->string, "Transfer-Encoding") ||
		    !str_casecmp(h->string, "Connection"))
			continue;
		if (cJSON_IsArray(h)) {
			cJSON_ArrayForEach(v, h)
			{
				buf_addf(out, "%s: ", h->string);
				put_header_value(out, v->valuestring);
				buf_addstr(out, "\r\n");
			}
		} else if (cJSON_IsString(h)) {
			buf_addf(out, "%s: ", h->string);
			put_header_value(out, h->valuestring);
			buf_addstr(out, "\r\n");
		} else if (cJSON_IsNumber(h)) {
			buf_addf(out, "%s: %g\r\n", h->string, h->valuedouble);
		}
	}
	if (ct && !has_header(a->error_headers, "Content-Type"))
		buf_addf(out, "Content-Type: %s\r\n", ct);
	buf_addf(out, "Content-Length: %zu\r\n", len);
	buf_addstr(out, keep_alive ? "" : "Connection: close\r\n");
	buf_addstr(out, "\r\n");
	if (!head_only)
		buf_add(out, p, len);
	free(json);
}

/* ---- the broken answers ---- */

/* Where the body starts in a response, or len when there is no head. */
static size_t head_length(const char *p, size_t len)
{
	size_t i;
	for (i = 0; i + 3 < len; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' &&
		    p[i + 3] == '\n')
			return i + 4;
	return len;
}

/* Non-HTTP bytes from a seed (xorshift); never starts like "HTTP/". */
static void garbage(struct buf *b, size_t n, uint64_t seed)
{
	uint64_t x = seed ? seed : 0x2545f4914f6cdd1dULL;
	size_t i, start = b->len;
	for (i = 0; i < n; i++) {
		x = hash_xorshift64(x);
		buf_addch(b, (char)(x >> 24));
	}
	if (n && b->len > start && b->ptr[start] == 'H')
		b->ptr[start] = '\x16';
}

/*
 * The same head with chunked framing (Content-Length and Connection
 * dropped), half the body as a proper chunk, then a chunk-size line that
 * is not hexadecimal.
 */
static void malformed_chunk(struct buf *b, const char *p, size_t len,
			    size_t head)
{
	size_t i = 0, body = len - head, half = body / 2;
	while (i < head) {
		size_t j = i;
		while (j + 1 < head && !(p[j] == '\r' && p[j + 1] == '\n'))
			j++;
		if (j == i) /* the blank line */
			break;
		if (!(j - i >= 15 &&
		      !str_ncasecmp(p + i, "Content-Length:", 15)) &&
		    !(j - i >= 11 && !str_ncasecmp(p + i, "Connection:", 11)))
			buf_add(b, p + i, j + 2 - i);
		i = j + 2;
	}
	buf_addstr(b,
		   "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
	if (half) {
		buf_addf(b, "%zx\r\n", half);
		buf_add(b, p + head, half);
		buf_addstr(b, "\r\n");
	}
	buf_addstr(b, "zz-not-a-chunk-size\r\n");
}

void fault_bytes(const struct fault_action *a, const char *p, size_t len,
		 struct buf *out)
{
	size_t head = head_length(p, len), body = len - head, keep;
	switch (a->outcome) {
	case FAULT_NONE:
	case FAULT_ERROR:
		buf_add(out, p, len);
		break;
	case FAULT_RESET:
	case FAULT_CLOSE:
	case FAULT_HANG:
		break;
	case FAULT_TRUNCATE:
		/* some of the body, never all of it; with no body, half
		 * the head */
		if (!body) {
			keep = head / 2;
		} else {
			size_t want = a->trunc_bytes >= 0
					      ? (size_t)a->trunc_bytes
					      : (size_t)(a->trunc_fraction *
							 (double)body);
			keep = head + (want < body ? want : body - 1);
		}
		buf_add(out, p, keep);
		break;
	case FAULT_GARBAGE:
		garbage(out, a->garbage_bytes, a->garbage_seed);
		break;
	case FAULT_MALFORMED_CHUNK:
		malformed_chunk(out, p, len, head);
		break;
	}
}
