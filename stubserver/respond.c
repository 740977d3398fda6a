/*
 * respond.c: the bytes of a stub answer. Builds an HTTP/1.1 response from
 * an interaction (status line, the contract's headers, Content-Type kept or
 * derived from the body, Content-Length, the body), with the contract's
 * generators (contracts/gen/generate.c) applied to a copy of the example
 * values when asked to.
 *
 * Choices worth knowing:
 * - A header with several values (v4 lists) is written once per value.
 *   RFC 9110 section 5.3 makes that equivalent to one comma-joined line
 *   for list-based fields, and it is the only correct form for Set-Cookie,
 *   so one rule serves every header.
 * - Content-Length, Transfer-Encoding and Connection from the contract are
 *   dropped: the server frames the response itself. Header names that are
 *   not tokens are skipped, and control characters (but tab) in values are
 *   written as spaces, so a contract cannot split a response.
 * - 1xx, 204 and 304 answers carry no body and no Content-Length (RFC 9110
 *   forbids it on 1xx and 204; on 304 it would describe a body not sent).
 *
 * The stub's own answers (the admin API, errors such as 400, 404, 502)
 * are made here too, from a JSON body or an error message.
 */
#include "stubserver/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reason phrases ---- */

static const struct {
	int code;
	const char *text;
} reasons[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 102, "Processing" },
	{ 103, "Early Hints" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 203, "Non-Authoritative Information" },
	{ 204, "No Content" },
	{ 205, "Reset Content" },
	{ 206, "Partial Content" },
	{ 207, "Multi-Status" },
	{ 208, "Already Reported" },
	{ 226, "IM Used" },
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 305, "Use Proxy" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 402, "Payment Required" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 418, "I'm a teapot" },
	{ 421, "Misdirected Request" },
	{ 422, "Unprocessable Content" },
	{ 423, "Locked" },
	{ 424, "Failed Dependency" },
	{ 425, "Too Early" },
	{ 426, "Upgrade Required" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 451, "Unavailable For Legal Reasons" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
	{ 506, "Variant Also Negotiates" },
	{ 507, "Insufficient Storage" },
	{ 508, "Loop Detected" },
	{ 510, "Not Extended" },
	{ 511, "Network Authentication Required" },
};

const char *stub_reason(int status)
{
	size_t i;
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "Unknown";
}

/* ---- header lines ---- */

/* Header lines to write; values generators replaced are owned. */
struct hlist {
	struct gen_field *v;
	size_t n, cap;
};

static int is_framing_header(const char *name)
{
	return !str_casecmp(name, "Content-Length") ||
	       !str_casecmp(name, "Transfer-Encoding") ||
	       !str_casecmp(name, "Connection");
}

static void hlist_init(struct hlist *hl, const struct headers *h)
{
	size_t i, j;
	memset(hl, 0, sizeof(*hl));
	for (i = 0; h && i < h->n; i++) {
		if (is_framing_header(h->v[i].name))
			continue;
		for (j = 0; j < h->v[i].n; j++) {
			hl->v = xgrow(hl->v, &hl->cap, hl->n + 1,
				      sizeof(*hl->v));
			hl->v[hl->n].name = h->v[i].name;
			hl->v[hl->n].value = h->v[i].values[j];
			hl->v[hl->n].generated = NULL;
			hl->n++;
		}
	}
}

static void hlist_release(struct hlist *hl)
{
	size_t i;
	for (i = 0; i < hl->n; i++)
		free(hl->v[i].generated);
	free(hl->v);
}

static const char *hlist_get(const struct hlist *hl, const char *name)
{
	size_t i;
	for (i = 0; i < hl->n; i++)
		if (!str_casecmp(hl->v[i].name, name))
			return hl->v[i].value;
	return NULL;
}

static int is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return 0;
	return 1;
}

/* Appends a header value with control characters (but tab) as spaces;
 * -1 when out's ceiling is in the way (emit undoes the rest). */
static int put_field_value(struct buf *b, const char *s)
{
	const char *run = s;
	int bad = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 0x20 && c != 0x7f) || c == '\t')
			continue;
		bad |= buf_try_add(b, run, (size_t)(s - run));
		bad |= buf_try_addch(b, ' ');
		run = s + 1;
	}
	bad |= buf_try_add(b, run, (size_t)(s - run));
	return bad;
}

/* ---- writing a response ---- */

static int status_has_body(int status)
{
	return !(status < 200 || status == 204 || status == 304);
}

/*
 * Appends the whole response to out, a buffer of either kind, or
 * nothing: returns -1 (out as it was) when out's ceiling is in the way.
 */
static int emit(struct buf *out, int status, const struct hlist *hl,
		const char *content_type, const char *body, size_t len,
		int head_only, int keep_alive)
{
	size_t start = out->len, i;
	int bad = 0, framed = status_has_body(status);
	bad |= buf_try_addf(out, "HTTP/1.1 %d %s\r\n", status,
			    stub_reason(status));
	for (i = 0; hl && i < hl->n; i++) {
		if (!is_token(hl->v[i].name))
			continue;
		bad |= buf_try_addstr(out, hl->v[i].name);
		bad |= buf_try_add(out, ": ", 2);
		bad |= put_field_value(out, hl->v[i].value);
		bad |= buf_try_add(out, "\r\n", 2);
	}
	if (content_type && framed) {
		bad |= buf_try_add(out, "Content-Type: ", 14);
		bad |= put_field_value(out, content_type);
		bad |= buf_try_add(out, "\r\n", 2);
	}
	if (framed)
		bad |= buf_try_addf(out, "Content-Length: %zu\r\n", len);
	if (!keep_alive)
		bad |= buf_try_addstr(out, "Connection: close\r\n");
	bad |= buf_try_add(out, "\r\n", 2);
	if (framed && !head_only)
		bad |= buf_try_add(out, body, len);
	if (bad) {
		buf_setlen(out, start);
		return -1;
	}
	return 0;
}

void stub_respond_json(int status, const cJSON *body, int head_only,
		       int keep_alive, struct buf *out)
{
	struct buf tmp;
	buf_init(&tmp, 0);
	if (body)
		json_write_compact(body, &tmp);
	emit(out, status, NULL, body ? "application/json" : NULL, tmp.ptr,
	     tmp.len, head_only, keep_alive);
	buf_release(&tmp);
}

void stub_respond_json_take(int status, cJSON *body, int head_only,
			    int keep_alive, struct buf *out)
{
	stub_respond_json(status, body, head_only, keep_alive, out);
	cJSON_Delete(body);
}

void stub_respond_error(int status, const char *msg, int head_only,
			int keep_alive, struct buf *out)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", msg);
	stub_respond_json_take(status, o, head_only, keep_alive, out);
}

void stub_respond_err(int status, const struct err *e, int head_only,
		      int keep_alive, struct buf *out)
{
	struct buf b;
	buf_init(&b, 0);
	stub_respond_error(status, err_format(e, &b), head_only, keep_alive,
			   out);
	buf_release(&b);
}

void stub_respond_text(int status, const char *content_type, const char *body,
		       size_t len, int head_only, int keep_alive,
		       struct buf *out)
{
	emit(out, status, NULL, content_type, body ? body : "", body ? len : 0,
	     head_only, keep_alive);
}

int stub_respond(const struct interaction *ix, const struct stub_gen *g,
		 int head_only, int keep_alive, struct buf *out, struct err *e)
{
	const struct http_response *r = &ix->response;
	const cJSON *gens = g && g->enabled ? r->generators : NULL;
	const cJSON *json = r->body.json;
	cJSON *work = NULL;
	int status = r->has_status ? r->status : 200, parsed = 0, rc = -1;
	const char *hct;
	struct gen_opts go;
	struct hlist hl;
	struct buf tmp;
	struct body_out bo = { "", 0, NULL };

	hlist_init(&hl, &r->headers);
	buf_init(&tmp, 0);
	if (gens) {
		const cJSON *sc = gen_category(gens, "status");
		memset(&go, 0, sizeof(go));
		go.state_params = g->state_params;
		go.seed = g->seed;
		go.base_url = g->base_url;
		go.mode = GEN_CONSUMER;
		if (gen_body(gen_category(gens, "body"), &r->body, &go, &work,
			     &parsed, e) ||
		    gen_fields(gen_category(gens, "header"), "header", hl.v,
			       hl.n, &go, e) ||
		    (sc && gen_status(sc, &status, &go, e)))
			goto done;
		if (work)
			json = work;
	}
	hct = hlist_get(&hl, "Content-Type");
	if (status_has_body(status) &&
	    body_encode(&r->body, json, parsed, hct, &tmp, &bo, e))
		goto done;
	if (emit(out, status, &hl, hct ? NULL : bo.ct, bo.p, bo.len, head_only,
		 keep_alive)) {
		err_set(e, ERR_LIMIT, "%s",
			"response does not fit in the output buffer");
		goto done;
	}
	rc = 0;
done:
	buf_release(&tmp);
	hlist_release(&hl);
	cJSON_Delete(work);
	return rc;
}
