/*
 * tool_stubcheck.c: sends every HTTP interaction's request of a contract
 * to a running stub (with the interaction's provider states in
 * X-Accord-State) and matches the answer against the interaction's
 * expected response with the contract's own rules.
 *
 *   tool_stubcheck URL CONTRACT
 *
 * Prints one line per interaction and "stubcheck: N passed, N failed";
 * exits 1 if any failed, 2 on errors.
 */
#include "contracts/contracts.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reply {
	struct buf body;
	struct headers headers;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	if (buf_try_add(&r->body, p, size * n))
		return 0;
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t len = size * n, i;
	char *colon = memchr(p, ':', len);
	if (colon && len > 2) {
		char *name = xstrndup(p, (size_t)(colon - p));
		const char *v = colon + 1;
		size_t vl = len - (size_t)(v - p);
		char *value;
		while (vl && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
			      v[vl - 1] == ' '))
			vl--;
		value = xstrndup(v, vl);
		headers_add(&r->headers, name, value);
		free(name);
		free(value);
	}
	for (i = 0; i < len; i++)
		(void)i;
	return len;
}

static void url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			buf_addch(b, (char)c);
		} else {
			buf_addch(b, '%');
			buf_addch(b, hex[c >> 4]);
			buf_addch(b, hex[c & 15]);
		}
	}
}

/* The request body as bytes, as the contract has it. */
static void body_bytes(const struct body *b, struct buf *out)
{
	if (!b->present || !b->json || cJSON_IsNull(b->json))
		return;
	if (cJSON_IsString(b->encoded) &&
	    !str_casecmp(b->encoded->valuestring, "base64")) {
		base64_decode(b->json->valuestring,
			      strlen(b->json->valuestring), out);
	} else if (cJSON_IsString(b->json)) {
		buf_addstr(out, b->json->valuestring);
	} else {
		char *s = cJSON_PrintUnformatted(b->json);
		buf_addstr(out, s ? s : "");
		cJSON_free(s);
	}
}

static int check(CURL *curl, const char *base, const struct contract *c,
		 const struct interaction *ix)
{
	const struct http_request *rq = &ix->request;
	struct curl_slist *hl = NULL;
	struct buf url, states, payload;
	struct reply rep;
	struct http_response act;
	struct mismatches m;
	struct match_opts o = { c->spec, 0, 0 };
	long status = 0;
	size_t i, j;
	int ok;
	buf_init(&url, 0);
	buf_init(&states, 0);
	buf_init(&payload, 0);
	memset(&rep, 0, sizeof(rep));
	buf_init(&rep.body, 64u << 20);
	buf_addf(&url, "%s%s", base, rq->has_path ? rq->path : "/");
	for (i = 0; i < rq->query.n; i++)
		for (j = 0; j < rq->query.v[i].n; j++) {
			buf_addch(&url, i || j ? '&' : '?');
			url_encode(&url, rq->query.v[i].name);
			buf_addch(&url, '=');
			url_encode(&url, rq->query.v[i].values[j]);
		}
	for (i = 0; i < rq->headers.n; i++)
		for (j = 0; j < rq->headers.v[i].n; j++) {
			struct buf h;
			buf_init(&h, 0);
			buf_addf(&h, "%s: %s", rq->headers.v[i].name,
				 rq->headers.v[i].values[j]);
			hl = curl_slist_append(hl, h.ptr);
			buf_release(&h);
		}
	for (i = 0; i < ix->nstates; i++)
		buf_addf(&states, "%s%s", i ? ", " : "", ix->states[i].name);
	if (states.len) {
		struct buf h;
		buf_init(&h, 0);
		buf_addf(&h, "X-Accord-State: %s", states.ptr);
		hl = curl_slist_append(hl, h.ptr);
		buf_release(&h);
	}
	hl = curl_slist_append(hl, "Expect:");
	body_bytes(&rq->body, &payload);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url.ptr);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
			 rq->method ? rq->method : "GET");
	if (rq->method && !str_casecmp(rq->method, "HEAD"))
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (payload.len || (rq->body.present && rq->method &&
			    str_casecmp(rq->method, "GET"))) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.ptr);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
				 (long)payload.len);
	}
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &rep);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &rep);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(curl) != CURLE_OK) {
		printf("FAIL %s: no answer\n", ix->description);
		ok = 0;
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	memset(&act, 0, sizeof(act));
	act.status = (int)status;
	act.has_status = 1;
	act.headers = rep.headers;
	act.body.present = 1;
	act.body.has_bytes = 1;
	act.body.bytes = rep.body.ptr;
	act.body.len = rep.body.len;
	mismatches_init(&m);
	match_response(&ix->response, &act, &o, &m);
	ok = !m.n;
	printf("%s %s%s\n", ok ? "ok  " : "FAIL", ix->description,
	       ok ? "" : ":");
	for (i = 0; i < m.n; i++)
		printf("     %s: %s\n", m.v[i].path, m.v[i].message);
	mismatches_release(&m);
out:
	headers_release(&rep.headers);
	buf_release(&rep.body);
	buf_release(&url);
	buf_release(&states);
	buf_release(&payload);
	curl_slist_free_all(hl);
	return ok;
}

int main(int argc, char **argv)
{
	struct buf b;
	struct err e;
	struct contract *c;
	CURL *curl;
	size_t i;
	int passed = 0, failed = 0;
	if (argc != 3) {
		fprintf(stderr, "usage: tool_stubcheck URL CONTRACT\n");
		return 2;
	}
	buf_init(&b, 0);
	err_clear(&e);
	if (read_file(argv[2], CONTRACT_MAX_FILE, &b, &e) ||
	    !(c = contract_read(argv[2], b.ptr, b.len, &e))) {
		struct buf m;
		buf_init(&m, 0);
		fprintf(stderr, "%s\n", err_format(&e, &m));
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	for (i = 0; i < c->n; i++) {
		if (c->ix[i].type != IX_HTTP)
			continue;
		if (check(curl, argv[1], c, &c->ix[i]))
			passed++;
		else
			failed++;
	}
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	contract_free(c);
	buf_release(&b);
	printf("stubcheck: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
