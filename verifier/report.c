/*
 * report.c: what a verification run looks like to people and to CI: human
 * text (verdict per interaction, mismatches, a compact body diff, a
 * summary), a JSON report, JUnit XML and a self-contained HTML page. All
 * of them append to a buffer; the caller prints or writes the file.
 *
 * Choices worth knowing:
 * - JUnit: one <testsuite> per contract file, one <testcase> per
 *   interaction (classname "consumer.provider"). A failed interaction has
 *   a <failure> whose message counts the mismatches and whose text lists
 *   them; an interaction that got no answer has an <error>. A failed
 *   pending interaction is reported as <skipped> with the reason, so CI
 *   shows it without failing the build, as the run's exit code does.
 * - Bodies in the diff are pretty-printed JSON when both sides parse,
 *   else the text as received; the diff is an LCS over at most
 *   DIFF_MAX_LINES lines per side (larger bodies show only mismatches).
 */
#include "verifier/verifier.h"

#include <stdlib.h>
#include <string.h>

/* The diff is quadratic in lines: bodies longer than this on either side
 * show their mismatches only. */
#define DIFF_MAX_LINES 400
#define SHOW_MAX 300 /* characters of a value shown in text output */
/* Lines of body diff shown per interaction, with -v and without. */
#define DIFF_SHOWN_VERBOSE 400
#define DIFF_SHOWN 40
/* Bytes of a body the HTML report shows: it stays readable in a browser. */
#define HTML_BODY_SHOWN 65536

static const char *ix_type_name(enum interaction_type t)
{
	switch (t) {
	case IX_HTTP:
		return "Synchronous/HTTP";
	case IX_MESSAGE:
		return "Asynchronous/Messages";
	case IX_SYNC_MESSAGE:
		return "Synchronous/Messages";
	}
	return "unknown";
}

static const char *verdict_name(const struct verify_result *r)
{
	switch (r->verdict) {
	case VERIFY_PASS:
		return "passed";
	case VERIFY_FAIL:
		return "failed";
	case VERIFY_ERROR:
		return "error";
	}
	return "error";
}

/* Appends s (NULL as "(none)"), cut at SHOW_MAX characters. */
static void put_short(struct buf *out, const char *s)
{
	size_t n;
	if (!s) {
		buf_addstr(out, "(nothing)");
		return;
	}
	n = strlen(s);
	if (n <= SHOW_MAX) {
		buf_add_visible(out, s, n);
		return;
	}
	buf_add_visible(out, s, SHOW_MAX);
	buf_addf(out, "... (%zu more bytes)", n - SHOW_MAX);
}

/* The length of the valid UTF-8 sequence at s[0..n), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, k;
	unsigned long cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * A copy of s in which bytes that are not valid UTF-8 are '?', so that a
 * provider's bytes cannot make a JSON report unreadable. Caller frees.
 */
static char *clean_utf8(const char *s)
{
	size_t n = strlen(s), i = 0;
	char *out = xmalloc(n + 1);
	while (i < n) {
		size_t len = utf8_len((const unsigned char *)s + i, n - i);
		if (!len) {
			out[i++] = '?';
			continue;
		}
		memcpy(out + i, s + i, len);
		i += len;
	}
	out[n] = '\0';
	return out;
}

static void add_clean(cJSON *o, const char *key, const char *s)
{
	char *c;
	if (!s) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	c = clean_utf8(s);
	cJSON_AddStringToObject(o, key, c);
	free(c);
}

/* ---- the diff ---- */

struct lines {
	const char **p;
	size_t *len;
	size_t n, cap;
};

static void lines_split(struct lines *l, const char *s)
{
	size_t cap2 = 0;
	memset(l, 0, sizeof(*l));
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		l->p = xgrow(l->p, &l->cap, l->n + 1, sizeof(*l->p));
		l->len = xgrow(l->len, &cap2, l->n + 1, sizeof(*l->len));
		l->p[l->n] = s;
		l->len[l->n] = n;
		l->n++;
		s += n;
		if (*s)
			s++;
	}
}

static void lines_release(struct lines *l)
{
	free(l->p);
	free(l->len);
}

static int line_eq(const struct lines *a, size_t i, const struct lines *b,
		   size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->p[i], b->p[j], a->len[i]);
}

static void put_line(struct buf *out, char mark, const struct lines *l,
		     size_t i)
{
	buf_addch(out, mark);
	buf_addch(out, ' ');
	buf_add(out, l->p[i], l->len[i]);
	buf_addch(out, '\n');
}

/* One step of the edit script: ' ' same, '-' expected only, '+' actual. */
struct op {
	char kind;
	size_t line; /* in a (' ', '-') or b ('+') */
};

void report_diff(const char *expected, const char *actual, size_t max_lines,
		 struct buf *out)
{
	struct lines a, b;
	unsigned *t; /* t[i * w + j]: LCS length of a[i..] and b[j..] */
	struct op *ops;
	size_t i, j, w, n = 0, k, shown = 0;
	lines_split(&a, expected ? expected : "");
	lines_split(&b, actual ? actual : "");
	if (a.n > DIFF_MAX_LINES || b.n > DIFF_MAX_LINES) {
		buf_addf(out, "(bodies of %zu and %zu lines: no diff shown)\n",
			 a.n, b.n);
		lines_release(&a);
		lines_release(&b);
		return;
	}
	w = b.n + 1;
	t = xcalloc((a.n + 1) * w, sizeof(*t));
	for (i = a.n; i-- > 0;)
		for (j = b.n; j-- > 0;) {
			unsigned down = t[(i + 1) * w + j];
			unsigned right = t[i * w + j + 1];
			if (line_eq(&a, i, &b, j))
				t[i * w + j] = t[(i + 1) * w + j + 1] + 1;
			else
				t[i * w + j] = down > right ? down : right;
		}
	ops = xcalloc(a.n + b.n + 1, sizeof(*ops));
	i = j = 0;
	while (i < a.n || j < b.n) {
		if (i < a.n && j < b.n && line_eq(&a, i, &b, j)) {
			ops[n].kind = ' ';
			ops[n++].line = i;
			i++;
			j++;
		} else if (i < a.n && (j == b.n || t[(i + 1) * w + j] >=
							   t[i * w + j + 1])) {
			ops[n].kind = '-';
			ops[n++].line = i++;
		} else {
			ops[n].kind = '+';
			ops[n++].line = j++;
		}
	}
	/* changes, with one line of context either side */
	for (k = 0; k < n && shown < max_lines; k++) {
		int near = ops[k].kind != ' ' ||
			   (k > 0 && ops[k - 1].kind != ' ') ||
			   (k + 1 < n && ops[k + 1].kind != ' ');
		if (!near) {
			if (k > 0 && ops[k - 1].kind == ' ' && k > 1 &&
			    ops[k - 2].kind != ' ')
				buf_addstr(out, "  ...\n");
			continue;
		}
		put_line(out, ops[k].kind, ops[k].kind == '+' ? &b : &a,
			 ops[k].line);
		shown++;
	}
	if (k < n)
		buf_addstr(out, "  ...\n");
	free(ops);
	free(t);
	lines_release(&a);
	lines_release(&b);
}

/*
 * cJSON_Print indents with tabs and writes "key":<tab>value; string
 * contents never hold a raw tab (they are escaped), so every tab is
 * layout. Returns a new string with two spaces per level and ": ".
 */
static char *tidy(char *p)
{
	struct buf b;
	const char *s;
	buf_init(&b, 0);
	for (s = p; *s; s++) {
		if (*s != '\t')
			buf_addch(&b, *s);
		else if (s > p && s[-1] == ':')
			buf_addch(&b, ' ');
		else
			buf_addstr(&b, "  ");
	}
	free(p);
	return buf_detach(&b, NULL);
}

/* The expected body as text for a diff: pretty JSON or the string. */
static char *expected_text(const struct verify_result *r)
{
	const struct body *b = r->ix->type == IX_HTTP ? &r->ix->response.body
			       : r->ix->type == IX_MESSAGE
				       ? &r->ix->message.contents
			       : r->ix->nreplies ? &r->ix->replies[0].contents
						 : NULL;
	if (!b || !b->present || !b->json)
		return NULL;
	if (cJSON_IsString(b->json) && !b->encoded)
		return xstrdup(b->json->valuestring);
	if (cJSON_IsString(b->json))
		return NULL; /* encoded: not worth a line diff */
	{
		char *p = cJSON_Print(b->json);
		if (!p)
			abort();
		return tidy(p);
	}
}

static char *actual_text(const struct verify_result *r)
{
	cJSON *v;
	char *p;
	if (!r->x.resp_body)
		return NULL;
	v = json_parse_text("body", r->x.resp_body, r->x.resp_len, NULL);
	if (!v)
		return xstrndup(r->x.resp_body, r->x.resp_len);
	p = cJSON_Print(v);
	cJSON_Delete(v);
	if (!p)
		abort();
	return tidy(p);
}

static int has_body_mismatch(const struct verify_result *r)
{
	size_t i;
	for (i = 0; i < r->mm.n; i++)
		if (r->mm.v[i].path &&
		    (!strncmp(r->mm.v[i].path, "$.body", 6) ||
		     !strncmp(r->mm.v[i].path, "$.contents", 10)))
			return 1;
	return 0;
}

/* ---- text ---- */

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

void report_summary(const struct verify_run *r, struct buf *out)
{
	buf_addf(out, "%zu interaction%s: %zu passed, %zu failed", r->n,
		 r->n == 1 ? "" : "s", r->passed, r->failed);
	if (r->errors)
		buf_addf(out, ", %zu error%s", r->errors,
			 r->errors == 1 ? "" : "s");
	if (r->pending_failed)
		buf_addf(out, ", %zu pending failed (not counted)",
			 r->pending_failed);
	buf_addf(out, " in %.2f s\n", r->ms / 1000.0);
}

static void text_one(const struct verify_result *r, int colour, int verbose,
		     struct buf *out)
{
	const char *tag, *on = "", *off = colour ? C_OFF : "";
	size_t i;
	if (r->verdict == VERIFY_PASS) {
		tag = "ok   ";
		on = colour ? C_GREEN : "";
	} else if (r->pending) {
		tag = "PENDING-FAIL";
		on = colour ? C_YELLOW : "";
	} else if (r->verdict == VERIFY_FAIL) {
		tag = "FAIL ";
		on = colour ? C_RED : "";
	} else {
		tag = "ERROR";
		on = colour ? C_RED : "";
	}
	buf_addf(out, "  %s%s%s ", on, tag, off);
	buf_add_visible(out, r->ix->description, strlen(r->ix->description));
	if (r->pending && r->verdict == VERIFY_PASS)
		buf_addstr(out, " (pending)");
	buf_addf(out, " %s(%.0f ms)%s\n", colour ? C_DIM : "", r->ms,
		 colour ? C_OFF : "");
	if (r->verdict == VERIFY_PASS)
		return;
	if (r->reason) {
		buf_addstr(out, "        ");
		buf_add_visible(out, r->reason, strlen(r->reason));
		buf_addch(out, '\n');
	}
	for (i = 0; i < r->mm.n; i++) {
		const struct mismatch *m = &r->mm.v[i];
		const char *path = m->path ? m->path : "$";
		buf_addstr(out, "        ");
		buf_add_visible(out, path, strlen(path));
		buf_addstr(out, ": ");
		if (m->message)
			buf_add_visible(out, m->message, strlen(m->message));
		buf_addstr(out, "\n          expected: ");
		put_short(out, m->expected);
		buf_addstr(out, "\n          found:    ");
		put_short(out, m->actual);
		buf_addch(out, '\n');
	}
	if (r->mm.dropped)
		buf_addf(out, "        ... and %zu more mismatches\n",
			 r->mm.dropped);
	if (has_body_mismatch(r)) {
		char *a = expected_text(r), *b = actual_text(r);
		if (a && b) {
			struct buf d;
			const char *s;
			buf_init(&d, 0);
			report_diff(a, b,
				    verbose > 0 ? DIFF_SHOWN_VERBOSE
						: DIFF_SHOWN,
				    &d);
			buf_addstr(out,
				   "        body (- expected, + actual):\n");
			for (s = d.ptr; *s;) {
				const char *nl = strchr(s, '\n');
				size_t n = nl ? (size_t)(nl - s) : strlen(s);
				const char *c = "";
				if (colour && *s == '-')
					c = C_RED;
				else if (colour && *s == '+')
					c = C_GREEN;
				buf_addf(out, "          %s", c);
				buf_add_visible(out, s, n);
				buf_addf(out, "%s\n", *c ? C_OFF : "");
				s += n + (nl ? 1 : 0);
			}
			buf_release(&d);
		}
		free(a);
		free(b);
	}
	if (verbose > 0 && r->x.method) {
		buf_addf(out, "        request: %s ", r->x.method);
		buf_add_visible(out, r->x.url, strlen(r->x.url));
		buf_addch(out, '\n');
	}
}

void report_text(const struct verify_run *r, int colour, int verbose,
		 struct buf *out)
{
	size_t i;
	const struct contract *last = NULL;
	for (i = 0; i < r->n; i++) {
		const struct verify_result *x = &r->v[i];
		if (verbose < 0 && x->verdict == VERIFY_PASS)
			continue;
		if (x->contract != last) {
			last = x->contract;
			buf_addf(out, "%s%s -> %s%s (%s)\n",
				 colour ? "\033[1m" : "",
				 last->consumer ? last->consumer : "?",
				 last->provider ? last->provider : "?",
				 colour ? C_OFF : "",
				 last->source ? last->source : "");
		}
		text_one(x, colour, verbose, out);
	}
	report_summary(r, out);
}

/* ---- JSON ---- */

static cJSON *mismatch_json(const struct mismatch *m)
{
	cJSON *o = cJSON_CreateObject();
	add_clean(o, "path", m->path ? m->path : "$");
	add_clean(o, "expected", m->expected);
	add_clean(o, "actual", m->actual);
	add_clean(o, "message", m->message ? m->message : "");
	return o;
}

void report_json(const struct verify_run *r, struct buf *out)
{
	cJSON *doc = cJSON_CreateObject(), *sum = cJSON_CreateObject();
	cJSON *contracts = cJSON_CreateArray(), *cur = NULL, *list = NULL;
	const struct contract *last = NULL;
	size_t i, k;
	char *s;
	cJSON_AddNumberToObject(sum, "interactions", (double)r->n);
	cJSON_AddNumberToObject(sum, "passed", (double)r->passed);
	cJSON_AddNumberToObject(sum, "failed", (double)r->failed);
	cJSON_AddNumberToObject(sum, "errors", (double)r->errors);
	cJSON_AddNumberToObject(sum, "pendingFailed",
				(double)r->pending_failed);
	cJSON_AddNumberToObject(sum, "durationMs", r->ms);
	cJSON_AddBoolToObject(sum, "success", !r->failed && !r->errors);
	cJSON_AddItemToObject(doc, "summary", sum);
	for (i = 0; i < r->n; i++) {
		const struct verify_result *x = &r->v[i];
		cJSON *o = cJSON_CreateObject(), *st = cJSON_CreateArray();
		cJSON *mm = cJSON_CreateArray();
		if (x->contract != last) {
			last = x->contract;
			cur = cJSON_CreateObject();
			cJSON_AddStringToObject(
				cur, "file", last->source ? last->source : "");
			cJSON_AddStringToObject(cur, "consumer",
						last->consumer ? last->consumer
							       : "");
			cJSON_AddStringToObject(cur, "provider",
						last->provider ? last->provider
							       : "");
			list = cJSON_AddArrayToObject(cur, "interactions");
			cJSON_AddItemToArray(contracts, cur);
		}
		cJSON_AddStringToObject(o, "description", x->ix->description);
		cJSON_AddStringToObject(o, "type", ix_type_name(x->ix->type));
		for (k = 0; k < x->ix->nstates; k++)
			cJSON_AddItemToArray(
				st, cJSON_CreateString(
					    x->ix->states[k].name
						    ? x->ix->states[k].name
						    : ""));
		cJSON_AddItemToObject(o, "providerStates", st);
		cJSON_AddBoolToObject(o, "pending", x->pending);
		cJSON_AddStringToObject(o, "verdict", verdict_name(x));
		if (x->reason)
			add_clean(o, "reason", x->reason);
		for (k = 0; k < x->mm.n; k++)
			cJSON_AddItemToArray(mm, mismatch_json(&x->mm.v[k]));
		cJSON_AddItemToObject(o, "mismatches", mm);
		if (x->mm.dropped)
			cJSON_AddNumberToObject(o, "mismatchesDropped",
						(double)x->mm.dropped);
		if (x->x.url) {
			cJSON_AddStringToObject(o, "method", x->x.method);
			add_clean(o, "url", x->x.url);
		}
		if (x->x.status)
			cJSON_AddNumberToObject(o, "status", x->x.status);
		cJSON_AddNumberToObject(o, "durationMs", x->ms);
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddItemToObject(doc, "contracts", contracts);
	s = cJSON_Print(doc);
	if (!s)
		abort();
	buf_addstr(out, s);
	buf_addch(out, '\n');
	free(s);
	cJSON_Delete(doc);
}

/* ---- XML and HTML escaping ---- */

/*
 * Escapes for XML/HTML text and attributes. Whatever a provider sent ends
 * up here, so bytes XML 1.0 cannot carry (control characters but tab, CR
 * and LF, and invalid UTF-8) become '?': the report stays well-formed.
 */
static void put_esc(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len;
		switch (c) {
		case '&':
			buf_addstr(out, "&amp;");
			break;
		case '<':
			buf_addstr(out, "&lt;");
			break;
		case '>':
			buf_addstr(out, "&gt;");
			break;
		case '"':
			buf_addstr(out, "&quot;");
			break;
		case '\'':
			buf_addstr(out, "&#39;");
			break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
				buf_addch(out, '?');
				break;
			}
			len = utf8_len((const unsigned char *)s + i, n - i);
			if (!len) {
				buf_addch(out, '?');
				break;
			}
			buf_add(out, s + i, len);
			i += len;
			continue;
		}
		i++;
	}
}

static void put_escs(struct buf *out, const char *s)
{
	if (s)
		put_esc(out, s, strlen(s));
}

/* The failure text of an interaction: reason and mismatches. */
static void failure_text(const struct verify_result *x, struct buf *t)
{
	size_t k;
	if (x->reason)
		buf_addf(t, "%s\n", x->reason);
	for (k = 0; k < x->mm.n; k++) {
		const struct mismatch *m = &x->mm.v[k];
		buf_addf(t, "%s: %s\n  expected: ", m->path ? m->path : "$",
			 m->message ? m->message : "");
		put_short(t, m->expected);
		buf_addstr(t, "\n  found:    ");
		put_short(t, m->actual);
		buf_addch(t, '\n');
	}
	if (x->mm.dropped)
		buf_addf(t, "... and %zu more mismatches\n", x->mm.dropped);
}

/* ---- JUnit ---- */

struct counts {
	size_t tests, failures, errors, skipped;
	double ms;
};

static void count_suite(const struct verify_run *r, size_t from, size_t to,
			struct counts *c)
{
	size_t i;
	memset(c, 0, sizeof(*c));
	for (i = from; i < to; i++) {
		const struct verify_result *x = &r->v[i];
		c->tests++;
		c->ms += x->ms;
		if (x->verdict == VERIFY_PASS)
			continue;
		if (x->pending)
			c->skipped++;
		else if (x->verdict == VERIFY_FAIL)
			c->failures++;
		else
			c->errors++;
	}
}

void report_junit(const struct verify_run *r, struct buf *out)
{
	size_t i = 0, k;
	buf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_addf(out,
		 "<testsuites name=\"accord verify\" tests=\"%zu\" "
		 "failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		 r->n, r->failed, r->errors, r->ms / 1000.0);
	while (i < r->n) {
		const struct contract *c = r->v[i].contract;
		struct counts n;
		size_t end = i;
		while (end < r->n && r->v[end].contract == c)
			end++;
		count_suite(r, i, end, &n);
		buf_addstr(out, "  <testsuite name=\"");
		put_escs(out, c->consumer);
		buf_addstr(out, " -&gt; ");
		put_escs(out, c->provider);
		buf_addf(out,
			 "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
			 "skipped=\"%zu\" time=\"%.3f\" file=\"",
			 n.tests, n.failures, n.errors, n.skipped,
			 n.ms / 1000.0);
		put_escs(out, c->source);
		buf_addstr(out, "\">\n");
		for (k = i; k < end; k++) {
			const struct verify_result *x = &r->v[k];
			struct buf t;
			buf_addstr(out, "    <testcase classname=\"");
			put_escs(out, c->consumer);
			buf_addch(out, '.');
			put_escs(out, c->provider);
			buf_addstr(out, "\" name=\"");
			put_escs(out, x->ix->description);
			buf_addf(out, "\" time=\"%.3f\"", x->ms / 1000.0);
			if (x->verdict == VERIFY_PASS) {
				buf_addstr(out, "/>\n");
				continue;
			}
			buf_addstr(out, ">\n");
			buf_init(&t, 0);
			failure_text(x, &t);
			if (x->pending) {
				buf_addstr(out, "      <skipped message=\"");
				buf_addstr(out, "pending interaction failed: ");
				put_esc(out, t.ptr, t.len);
				buf_addstr(out, "\"/>\n");
			} else {
				const char *el = x->verdict == VERIFY_FAIL
							 ? "failure"
							 : "error";
				buf_addf(out, "      <%s message=\"", el);
				if (x->mm.n)
					buf_addf(out, "%zu mismatch%s",
						 x->mm.n + x->mm.dropped,
						 x->mm.n + x->mm.dropped == 1
							 ? ""
							 : "es");
				else
					put_escs(out, x->reason);
				buf_addf(out, "\" type=\"%s\">",
					 x->verdict == VERIFY_FAIL
						 ? "mismatch"
						 : "no-answer");
				put_esc(out, t.ptr, t.len);
				buf_addf(out, "</%s>\n", el);
			}
			buf_release(&t);
			buf_addstr(out, "    </testcase>\n");
		}
		buf_addstr(out, "  </testsuite>\n");
		i = end;
	}
	buf_addstr(out, "</testsuites>\n");
}

/* ---- HTML ---- */

static void html_headers(struct buf *out, const struct headers *h)
{
	size_t i, k;
	for (i = 0; i < h->n; i++)
		for (k = 0; k < h->v[i].n; k++) {
			put_escs(out, h->v[i].name);
			buf_addstr(out, ": ");
			put_escs(out, h->v[i].values[k]);
			buf_addch(out, '\n');
		}
}

static void html_body(struct buf *out, const char *p, size_t len)
{
	if (!p || !len)
		return;
	if (len > HTML_BODY_SHOWN) {
		put_esc(out, p, HTML_BODY_SHOWN);
		buf_addf(out, "\n... (%zu more bytes)", len - HTML_BODY_SHOWN);
		return;
	}
	put_esc(out, p, len);
}

static void html_expected(struct buf *out, const struct verify_result *x)
{
	char *body = expected_text(x);
	if (x->ix->type == IX_HTTP) {
		buf_addf(out, "status %d\n",
			 x->ix->response.has_status ? x->ix->response.status
						    : 200);
		html_headers(out, &x->ix->response.headers);
	} else {
		const struct message *m = x->ix->type == IX_MESSAGE
						  ? &x->ix->message
					  : x->ix->nreplies ? &x->ix->replies[0]
							    : NULL;
		if (m && m->metadata) {
			char *md = cJSON_PrintUnformatted(m->metadata);
			buf_addstr(out, "metadata ");
			put_escs(out, md);
			buf_addch(out, '\n');
			free(md);
		}
	}
	if (body) {
		buf_addch(out, '\n');
		put_escs(out, body);
	}
	free(body);
}

static void html_one(struct buf *out, const struct verify_result *x)
{
	const char *cls = x->verdict == VERIFY_PASS ? "pass"
			  : x->pending		    ? "pending"
						    : "fail";
	size_t k;
	buf_addf(out,
		 "<details class=\"%s\"%s><summary><span class=\"v\">%s"
		 "</span> ",
		 cls, x->verdict == VERIFY_PASS ? "" : " open",
		 verdict_name(x));
	put_escs(out, x->ix->description);
	buf_addf(out, " <small>%.0f ms</small></summary>\n", x->ms);
	if (x->reason) {
		buf_addstr(out, "<p class=\"reason\">");
		put_escs(out, x->reason);
		buf_addstr(out, "</p>\n");
	}
	if (x->mm.n) {
		buf_addstr(out, "<table class=\"mm\"><tr><th>path</th><th>"
				"problem</th><th>expected</th><th>found</th>"
				"</tr>\n");
		for (k = 0; k < x->mm.n; k++) {
			const struct mismatch *m = &x->mm.v[k];
			buf_addstr(out, "<tr><td><code>");
			put_escs(out, m->path);
			buf_addstr(out, "</code></td><td>");
			put_escs(out, m->message);
			buf_addstr(out, "</td><td><code>");
			put_escs(out, m->expected);
			buf_addstr(out, "</code></td><td><code>");
			put_escs(out, m->actual);
			buf_addstr(out, "</code></td></tr>\n");
		}
		buf_addstr(out, "</table>\n");
	}
	buf_addstr(out, "<div class=\"cols\"><div><h4>request</h4><pre>");
	if (x->x.method) {
		put_escs(out, x->x.method);
		buf_addch(out, ' ');
		put_escs(out, x->x.url);
		buf_addch(out, '\n');
		html_headers(out, &x->x.req_headers);
		if (x->x.req_len)
			buf_addch(out, '\n');
		html_body(out, x->x.req_body, x->x.req_len);
	}
	buf_addstr(out, "</pre></div><div><h4>expected</h4><pre>");
	html_expected(out, x);
	buf_addstr(out, "</pre></div><div><h4>actual</h4><pre>");
	if (x->x.status) {
		buf_addf(out, "status %d\n", x->x.status);
		html_headers(out, &x->x.resp_headers);
		if (x->x.resp_len)
			buf_addch(out, '\n');
		html_body(out, x->x.resp_body, x->x.resp_len);
	} else {
		buf_addstr(out, "(no response)");
	}
	buf_addstr(out, "</pre></div></div></details>\n");
}

void report_html(const struct verify_run *r, struct buf *out)
{
	const struct contract *last = NULL;
	struct buf sum;
	size_t i;
	buf_init(&sum, 0);
	report_summary(r, &sum);
	buf_addstr(
		out,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		"charset=\"utf-8\">\n<title>accord verify</title>\n<style>\n"
		"body{font-family:sans-serif;margin:2em;color:#222}\n"
		"details{border:1px solid #ccc;border-radius:4px;margin:.4em 0;"
		"padding:.3em .6em}\n"
		"details.pass .v{color:#176f2c}details.fail .v{color:#b00020}"
		"details.pending .v{color:#a66b00}\n"
		".v{font-weight:bold;display:inline-block;width:5em}\n"
		"table.mm{border-collapse:collapse;margin:.5em 0}\n"
		"table.mm td,table.mm th{border:1px solid #ddd;padding:.2em "
		".5em;text-align:left;vertical-align:top}\n"
		"table.mm tr td{background:#fff0f0}\n"
		".cols{display:flex;gap:1em}.cols>div{flex:1;min-width:0}\n"
		"pre{background:#f6f6f6;padding:.5em;overflow:auto;"
		"white-space:pre-wrap}\n.reason{color:#b00020}\n"
		"</style></head><body>\n<h1>accord verify</h1>\n<p "
		"class=\"summary\">");
	put_escs(out, sum.ptr);
	buf_addstr(out, "</p>\n");
	buf_release(&sum);
	for (i = 0; i < r->n; i++) {
		const struct verify_result *x = &r->v[i];
		if (x->contract != last) {
			last = x->contract;
			buf_addstr(out, "<h2>");
			put_escs(out, last->consumer);
			buf_addstr(out, " &rarr; ");
			put_escs(out, last->provider);
			buf_addstr(out, " <small>");
			put_escs(out, last->source);
			buf_addstr(out, "</small></h2>\n");
		}
		html_one(out, x);
	}
	buf_addstr(out, "</body></html>\n");
}
