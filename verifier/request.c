/*
 * request.c: the request the verifier sends for an HTTP interaction, built
 * from the contract's example values: generators applied in provider mode
 * (ProviderState values from the provider-state calls), the path and query
 * percent-encoded, the headers as written plus --header additions, and the
 * body as the bytes it stands for (v4 base64 bodies decoded).
 *
 * Choices worth knowing:
 * - A v1/v2 query kept as a string is sent as written (it is already
 *   encoded), unless query generators must change a value; a query map is
 *   encoded name by name, repeated values in their order.
 * - A header with several values (v4 lists) is sent as one line per value.
 * - When the body has a media type and no Content-Type header says one,
 *   the body's own (v4 contentType, or JSON for JSON) is sent.
 */
#include "verifier/verifier.h"

#include <stdlib.h>
#include <string.h>

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

void verify_encode(struct buf *out, const char *s, int path)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		/* in paths the characters RFC 3986 allows in a segment */
		if (is_unreserved(c) ||
		    (path && c && strchr("/:@!$&'()*+,;=", c))) {
			buf_addch(out, (char)c);
		} else {
			buf_addch(out, '%');
			buf_addch(out, hex[c >> 4]);
			buf_addch(out, hex[c & 15]);
		}
	}
}

void verify_request_release(struct verify_request *r)
{
	free(r->method);
	free(r->url);
	headers_release(&r->headers);
	buf_release(&r->body);
	memset(r, 0, sizeof(*r));
}

/* Splits "Name: value" at the first colon; 0, or -1 when malformed. */
static int split_header(const char *h, size_t *nlen, const char **value)
{
	const char *colon = strchr(h, ':');
	if (!colon || colon == h)
		return -1;
	*nlen = (size_t)(colon - h);
	while (*nlen && (h[*nlen - 1] == ' ' || h[*nlen - 1] == '\t'))
		(*nlen)--;
	colon++;
	while (*colon == ' ' || *colon == '\t')
		colon++;
	*value = colon;
	return *nlen ? 0 : -1;
}

static int extra_has(const char *const *extra, size_t n, const char *name)
{
	size_t i, nlen;
	const char *v;
	for (i = 0; i < n; i++)
		if (!split_header(extra[i], &nlen, &v) &&
		    strlen(name) == nlen && !str_ncasecmp(extra[i], name, nlen))
			return 1;
	return 0;
}

static int build_headers(const struct interaction *ix, const cJSON *gens,
			 const struct gen_opts *go, const char *const *extra,
			 size_t nextra, struct verify_request *out,
			 struct err *e)
{
	const struct headers *h = &ix->request.headers;
	struct gen_field *f = NULL;
	size_t i, j, n = 0, cap = 0;
	int rc = 0;
	for (i = 0; i < h->n; i++) {
		if (extra_has(extra, nextra, h->v[i].name))
			continue;
		for (j = 0; j < h->v[i].n; j++) {
			f = xgrow(f, &cap, n + 1, sizeof(*f));
			f[n].name = h->v[i].name;
			f[n].value = h->v[i].values[j];
			f[n].generated = NULL;
			n++;
		}
	}
	if (gen_fields(gen_category(gens, "header"), "header", f, n, go, e))
		rc = -1;
	for (i = 0; i < n && !rc; i++)
		headers_add(&out->headers, f[i].name, f[i].value);
	for (i = 0; i < n; i++)
		free(f[i].generated);
	free(f);
	for (i = 0; i < nextra && !rc; i++) {
		size_t nlen;
		const char *v;
		if (split_header(extra[i], &nlen, &v))
			return err_set(e, ERR_USAGE,
				       "header '%s' is not 'Name: value'",
				       extra[i]);
		headers_addn(&out->headers, extra[i], nlen, v, strlen(v));
	}
	return rc;
}

static int build_query(const struct query *q, const cJSON *gens,
		       const struct gen_opts *go, struct buf *url,
		       struct err *e)
{
	const cJSON *cat = gen_category(gens, "query");
	struct gen_field *f = NULL;
	size_t i, j, n = 0, cap = 0;
	int rc = 0;
	if (!q->present || (!q->n && !q->raw))
		return 0;
	if (q->raw && !cat) {
		if (q->raw[0]) {
			buf_addch(url, '?');
			buf_addstr(url, q->raw);
		}
		return 0;
	}
	for (i = 0; i < q->n; i++)
		for (j = 0; j < q->v[i].n; j++) {
			f = xgrow(f, &cap, n + 1, sizeof(*f));
			f[n].name = q->v[i].name;
			f[n].value = q->v[i].values[j];
			f[n].generated = NULL;
			n++;
		}
	if (gen_fields(cat, "query", f, n, go, e))
		rc = -1;
	for (i = 0; i < n && !rc; i++) {
		buf_addch(url, i ? '&' : '?');
		verify_encode(url, f[i].name, 0);
		buf_addch(url, '=');
		verify_encode(url, f[i].value, 0);
	}
	for (i = 0; i < n; i++)
		free(f[i].generated);
	free(f);
	return rc;
}

int verify_build_request(const struct interaction *ix, const char *base_url,
			 const cJSON *state_values, const char *const *extra,
			 size_t nextra, uint64_t seed,
			 struct verify_request *out, struct err *e)
{
	const struct http_request *r = &ix->request;
	const cJSON *gens = r->generators;
	struct gen_opts go;
	struct buf url, tmp;
	struct body_out bo;
	cJSON *work = NULL;
	char *path = NULL;
	size_t blen = strlen(base_url);
	int parsed = 0, rc = -1;
	const struct header *ct;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body, 0);
	memset(&go, 0, sizeof(go));
	go.state_params = state_values;
	go.seed = seed;
	go.mode = GEN_PROVIDER;
	buf_init(&url, 0);
	buf_init(&tmp, 0);
	out->method = xstrdup(r->method ? r->method : "GET");
	while (blen && base_url[blen - 1] == '/')
		blen--;
	buf_add(&url, base_url, blen);
	if (gen_path(gen_category(gens, "path"), r->path, &path, &go, e))
		goto done;
	if (path || (r->has_path && r->path))
		verify_encode(&url, path ? path : r->path, 1);
	else
		buf_addch(&url, '/');
	if (url.len == blen)
		buf_addch(&url, '/');
	if (build_query(&r->query, gens, &go, &url, e))
		goto done;
	if (build_headers(ix, gens, &go, extra, nextra, out, e))
		goto done;
	if (gen_body(gen_category(gens, "body"), &r->body, &go, &work, &parsed,
		     e))
		goto done;
	ct = headers_get(&out->headers, "Content-Type");
	if (r->body.present && r->body.json) {
		if (body_encode(&r->body, work ? work : r->body.json, parsed,
				ct && ct->n ? ct->values[0] : NULL, &tmp, &bo,
				e))
			goto done;
		buf_add(&out->body, bo.p, bo.len);
		out->has_body = 1;
		if (!ct && bo.ct && bo.len)
			headers_add(&out->headers, "Content-Type", bo.ct);
	}
	out->url = buf_detach(&url, NULL);
	rc = 0;
done:
	free(path);
	cJSON_Delete(work);
	buf_release(&tmp);
	buf_release(&url);
	if (rc)
		verify_request_release(out);
	return rc;
}
