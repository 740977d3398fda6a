/*
 * tool_curl.c: a libcurl client for the fault tests, so that each fault is
 * observed as a real client observes it (the CURLcode it gets, the bytes
 * it received, how long it took).
 *
 *   tool_curl [-t MS] [-H 'Name: value']... [-n COUNT] [-s] [-f]
 *             [-X METHOD] [-d BODY] [-h NAME] URL
 *
 * For each of COUNT requests (one connection, kept alive while the server
 * allows; with -f a fresh connection each time) it prints one line:
 *   code=CURLE_NAME status=N bytes=N ms=N.N [NAME=VALUE] [body=TEXT]
 * -h NAME adds the value of response header NAME; the body is printed
 * when it has at most 200 bytes. With -s, only a summary is printed:
 * one line "COUNT code=... status=..." per distinct outcome, sorted.
 * Exits 0 when every request was made (whatever its outcome), 2 on usage.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

struct reply {
	struct buf body;
	const char *want; /* header to report */
	char value[256];
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	buf_add(&r->body, p, size * n);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t len = size * n, k;
	if (!r->want)
		return len;
	k = strlen(r->want);
	if (len > k + 1 && p[k] == ':' && !str_ncasecmp(p, r->want, k)) {
		size_t i = k + 1, j = len;
		while (i < j && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (j > i && (p[j - 1] == '\r' || p[j - 1] == '\n'))
			j--;
		if (j - i >= sizeof(r->value))
			j = i + sizeof(r->value) - 1;
		memcpy(r->value, p + i, j - i);
		r->value[j - i] = '\0';
	}
	return len;
}

static const char *code_name(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return "CURLE_OK";
	case CURLE_UNSUPPORTED_PROTOCOL:
		return "CURLE_UNSUPPORTED_PROTOCOL";
	case CURLE_COULDNT_CONNECT:
		return "CURLE_COULDNT_CONNECT";
	case CURLE_WEIRD_SERVER_REPLY:
		return "CURLE_WEIRD_SERVER_REPLY";
	case CURLE_PARTIAL_FILE:
		return "CURLE_PARTIAL_FILE";
	case CURLE_OPERATION_TIMEDOUT:
		return "CURLE_OPERATION_TIMEDOUT";
	case CURLE_GOT_NOTHING:
		return "CURLE_GOT_NOTHING";
	case CURLE_SEND_ERROR:
		return "CURLE_SEND_ERROR";
	case CURLE_RECV_ERROR:
		return "CURLE_RECV_ERROR";
	default:
		return curl_easy_strerror(c);
	}
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void usage(void)
{
	fprintf(stderr, "usage: tool_curl [-t MS] [-H HEADER]... [-n COUNT] "
			"[-s] [-f] [-X METHOD] [-d BODY] [-h NAME] URL\n");
}

int main(int argc, char **argv)
{
	struct curl_slist *hdrs = NULL;
	const char *url = NULL, *method = NULL, *data = NULL;
	long timeout = 10000, count = 1, i;
	int summary = 0, fresh = 0, a;
	struct reply r;
	char **lines;
	CURL *h;

	memset(&r, 0, sizeof(r));
	for (a = 1; a < argc; a++) {
		const char *o = argv[a];
		if (!strcmp(o, "-s")) {
			summary = 1;
		} else if (!strcmp(o, "-f")) {
			fresh = 1;
		} else if (a + 1 < argc && !strcmp(o, "-t")) {
			if (parse_long(argv[++a], 1, 3600000, &timeout))
				return usage(), 2;
		} else if (a + 1 < argc && !strcmp(o, "-n")) {
			if (parse_long(argv[++a], 1, 10000000, &count))
				return usage(), 2;
		} else if (a + 1 < argc && !strcmp(o, "-H")) {
			hdrs = curl_slist_append(hdrs, argv[++a]);
		} else if (a + 1 < argc && !strcmp(o, "-X")) {
			method = argv[++a];
		} else if (a + 1 < argc && !strcmp(o, "-d")) {
			data = argv[++a];
		} else if (a + 1 < argc && !strcmp(o, "-h")) {
			r.want = argv[++a];
		} else if (o[0] != '-' && !url) {
			url = o;
		} else {
			usage();
			return 2;
		}
	}
	if (!url) {
		usage();
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	h = curl_easy_init();
	buf_init(&r.body, 0);
	lines = xcalloc((size_t)count, sizeof(*lines));
	for (i = 0; i < count; i++) {
		struct buf line;
		long status = 0;
		double t0 = now_ms(), ms;
		CURLcode c;
		buf_reset(&r.body);
		r.value[0] = '\0';
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, (long)fresh);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
		if (method)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (data)
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, data);
		c = curl_easy_perform(h);
		ms = now_ms() - t0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		buf_init(&line, 0);
		buf_addf(&line, "code=%s status=%ld", code_name(c), status);
		if (!summary) {
			buf_addf(&line, " bytes=%zu ms=%.1f", r.body.len, ms);
			if (r.want)
				buf_addf(&line, " %s=%s", r.want, r.value);
			if (r.body.len && r.body.len <= 200) {
				buf_addstr(&line, " body=");
				buf_add(&line, r.body.ptr, r.body.len);
			}
			printf("%s\n", line.ptr);
		}
		lines[i] = buf_detach(&line, NULL);
	}
	if (summary) {
		long run = 1;
		qsort(lines, (size_t)count, sizeof(*lines), cmp_str);
		for (i = 1; i <= count; i++) {
			if (i < count && !strcmp(lines[i], lines[i - 1])) {
				run++;
				continue;
			}
			printf("%ld %s\n", run, lines[i - 1]);
			run = 1;
		}
	}
	for (i = 0; i < count; i++)
		free(lines[i]);
	free(lines);
	buf_release(&r.body);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	curl_global_cleanup();
	return 0;
}
