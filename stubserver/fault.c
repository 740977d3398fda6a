/*
 * fault.c: fault profiles and the decisions taken from them. A profile is
 * a seed and a list of rules; each rule says which requests it may touch
 * (match), when it fires (trigger) and what the client then sees (effects).
 * The server asks fault_decide() once per request and carries out the
 * answer (server.c); this file never touches a socket.
 *
 * Choices worth knowing:
 * - Every random number is a hash of (seed, rule, session, interaction,
 *   the rule's count of requests for that session and interaction, draw
 *   number). No clock, no thread and no shared stream is involved, so the
 *   same seed and the same order of requests per session and interaction
 *   give the same decisions with one worker or many.
 * - Every rule that matches and whose trigger fires applies: delays add
 *   up, the lowest bandwidth and the longest slow-head win, and the first
 *   such rule (in profile order) with an outcome (error, reset, close,
 *   truncate, garbage, malformed-chunk, hang) decides the outcome.
 * - Counters (sequence positions, `times`, session clocks) live in one
 *   hash table under the engine's mutex, keyed by rule name, session and
 *   interaction, and bounded: past FAULT_MAX_COUNTERS keys they start
 *   afresh. While rules are installed every request also gets an
 *   ordinal (its number among the requests of its session and
 *   interaction), which the journal records and a replay looks up; with
 *   no rules and no replay, fault_decide() returns at once.
 * - The profile in use is immutable: a change at run time builds a new
 *   one and swaps it under a write lock, so a request sees one profile.
 */
#include "stubserver/internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FAULT_MAX_RULES 1000
#define FAULT_MAX_COUNTERS (1u << 20)
#define FAULT_MAX_METRICS 4096
#define FAULT_MAX_MS (24.0 * 3600 * 1000)
#define FAULT_MAX_GARBAGE (1u << 20)
#define FAULT_DEFAULT_GARBAGE 64
#define SESSION_MAX 200
#define TWO_PI 6.283185307179586

static const char *const outcome_names[] = {
	[FAULT_NONE] = "none",
	[FAULT_ERROR] = "error",
	[FAULT_RESET] = "reset",
	[FAULT_CLOSE] = "close",
	[FAULT_TRUNCATE] = "truncate",
	[FAULT_GARBAGE] = "garbage",
	[FAULT_MALFORMED_CHUNK] = "malformed-chunk",
	[FAULT_HANG] = "hang",
};

const char *fault_outcome_name(enum fault_outcome o)
{
	return o <= FAULT_HANG ? outcome_names[o] : "?";
}

/* ---- the profile ---- */

enum lat_kind {
	LAT_NONE,
	LAT_FIXED,
	LAT_UNIFORM,
	LAT_NORMAL,
	LAT_LOGNORMAL,
	LAT_PERCENTILES,
};

struct latency {
	enum lat_kind kind;
	double a, b, c; /* fixed a; uniform [a, b]; normal mean a, stddev b;
			   lognormal median a, sigma b; p50 a, p95 b, p99 c */
};

struct header_match {
	char *name;
	pcre2_code *re;
};

struct fault_rule {
	char *name;
	cJSON *source; /* the rule as given, with its name */
	/* match */
	char **methods;
	size_t nmethods;
	pcre2_code *path_re;
	pcre2_code *desc_re;
	char *state;
	struct header_match *headers;
	size_t nheaders;
	/* effects */
	struct latency latency;
	enum fault_outcome outcome;
	int error_status;
	cJSON *error_headers; /* object of strings (or lists of strings) */
	cJSON *error_body;    /* string: as is; other JSON: serialised */
	long trunc_bytes;     /* -1: by fraction */
	double trunc_fraction;
	size_t garbage_bytes;
	double hang_ms; /* 0: until the client gives up */
	double bandwidth;
	double slow_head_ms;
	/* triggers */
	int has_probability;
	double probability;
	unsigned char *seq; /* 1: fire */
	size_t nseq;
	int repeat;
	long times; /* -1: no limit */
	double after_ms, for_ms, every_ms;
};

struct fault_profile {
	atomic_uint refs;
	int has_seed;
	uint64_t seed;
	struct fault_rule *rules;
	size_t n;
	pcre2_match_context *mctx;
};

static void rule_release(struct fault_rule *r)
{
	size_t i;
	free(r->name);
	cJSON_Delete(r->source);
	for (i = 0; i < r->nmethods; i++)
		free(r->methods[i]);
	free(r->methods);
	pcre2_code_free(r->path_re);
	pcre2_code_free(r->desc_re);
	free(r->state);
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		pcre2_code_free(r->headers[i].re);
	}
	free(r->headers);
	cJSON_Delete(r->error_headers);
	cJSON_Delete(r->error_body);
	free(r->seq);
}

struct fault_profile *fault_profile_new(void)
{
	struct fault_profile *p = xcalloc(1, sizeof(*p));
	atomic_init(&p->refs, 1);
	p->mctx = pcre2_match_context_create(NULL);
	if (!p->mctx)
		abort();
	pcre2_set_match_limit(p->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(p->mctx, REGEX_DEPTH_LIMIT);
	return p;
}

struct fault_profile *fault_profile_ref(struct fault_profile *p)
{
	if (p)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

void fault_profile_free(struct fault_profile *p)
{
	size_t i;
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	for (i = 0; i < p->n; i++)
		rule_release(&p->rules[i]);
	free(p->rules);
	pcre2_match_context_free(p->mctx);
	free(p);
}

size_t fault_profile_count(const struct fault_profile *p)
{
	return p ? p->n : 0;
}

int fault_profile_seed(const struct fault_profile *p, uint64_t *seed)
{
	if (!p || !p->has_seed)
		return 0;
	*seed = p->seed;
	return 1;
}

void fault_profile_set_seed(struct fault_profile *p, uint64_t seed)
{
	p->has_seed = 1;
	p->seed = seed;
}

/* ---- reading: values ---- */

struct reader {
	struct err *e;
	char ptr[256];
};

static int bad(struct reader *rd, const char *at, const char *fmt, ...)
	ATTR_PRINTF(3, 4);

static int bad(struct reader *rd, const char *at, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_setat(rd->e, ERR_SHAPE, at, "%s", msg);
}

/*
 * A duration in milliseconds: a number (milliseconds) or a string with a
 * unit: "250ms", "1.5s", "2m", "500us", "1h".
 */
static int duration_ms(struct reader *rd, const char *at, const cJSON *v,
		       double *out)
{
	double x;
	if (cJSON_IsNumber(v)) {
		x = v->valuedouble;
	} else if (cJSON_IsString(v)) {
		char *end;
		const char *s = v->valuestring;
		x = strtod(s, &end);
		if (end == s)
			goto fail;
		if (!strcmp(end, "ms") || !*end)
			;
		else if (!strcmp(end, "s"))
			x *= 1000;
		else if (!strcmp(end, "us"))
			x /= 1000;
		else if (!strcmp(end, "m"))
			x *= 60000;
		else if (!strcmp(end, "h"))
			x *= 3600000;
		else
			goto fail;
	} else {
		goto fail;
	}
	if (!(x >= 0) || x > FAULT_MAX_MS)
		return bad(rd, at, "duration out of range (0 to 24h)");
	*out = x;
	return 0;
fail:
	return bad(rd, at,
		   "expected a duration: milliseconds, or a string such as "
		   "\"250ms\", \"1.5s\", \"2m\"");
}

/* Bytes per second: a number, or "512", "10KB/s", "1MiB/s", "64B/s". */
static int rate(struct reader *rd, const char *at, const cJSON *v, double *out)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = { { "", 1 },     { "B", 1 },
		      { "KB", 1e3 }, { "KiB", 1024 },
		      { "MB", 1e6 }, { "MiB", 1048576 },
		      { "GB", 1e9 }, { "GiB", 1073741824.0 } };
	double x;
	size_t i;
	if (cJSON_IsNumber(v)) {
		x = v->valuedouble;
	} else if (cJSON_IsString(v)) {
		char *end, unit[8];
		size_t n;
		x = strtod(v->valuestring, &end);
		if (end == v->valuestring)
			goto fail;
		n = strlen(end);
		if (n >= 2 && !strcmp(end + n - 2, "/s"))
			n -= 2;
		if (n >= sizeof(unit))
			goto fail;
		memcpy(unit, end, n);
		unit[n] = '\0';
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(unit, units[i].unit))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			goto fail;
		x *= units[i].mult;
	} else {
		goto fail;
	}
	if (!(x >= 1) || x > 1e12)
		return bad(rd, at, "bandwidth must be at least 1 byte/s");
	*out = x;
	return 0;
fail:
	return bad(rd, at,
		   "expected bytes per second: a number, or a string such as "
		   "\"10KB/s\"");
}

static int number_in(struct reader *rd, const char *at, const cJSON *v,
		     double lo, double hi, double *out)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo) ||
	    !(v->valuedouble <= hi))
		return bad(rd, at, "expected a number from %g to %g", lo, hi);
	*out = v->valuedouble;
	return 0;
}

static int integer_in(struct reader *rd, const char *at, const cJSON *v,
		      long lo, long hi, long *out)
{
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble < (double)lo || v->valuedouble > (double)hi)
		return bad(rd, at, "expected an integer from %ld to %ld", lo,
			   hi);
	*out = (long)v->valuedouble;
	return 0;
}

/* A boolean flag effect: true, or an object with the effect's options. */
static int is_on(const cJSON *v)
{
	return cJSON_IsTrue(v) || cJSON_IsObject(v);
}

static pcre2_code *regex(struct reader *rd, const char *at, const cJSON *v)
{
	pcre2_code *code;
	int errcode;
	PCRE2_SIZE off;
	if (!cJSON_IsString(v)) {
		bad(rd, at, "expected a regular expression (a string)");
		return NULL;
	}
	code = pcre2_compile((PCRE2_SPTR)v->valuestring, PCRE2_ZERO_TERMINATED,
			     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode,
			     &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		bad(rd, at, "invalid regex '%.80s' at offset %zu: %s",
		    v->valuestring, (size_t)off, (char *)msg);
		return NULL;
	}
#ifndef ACCORD_FUZZ
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
#endif
	return code;
}

/* Unknown keys are errors: a misspelt trigger must not pass silently. */
static int known_keys(struct reader *rd, const char *base, const cJSON *o,
		      const char *const *keys)
{
	const cJSON *k;
	char at[520];
	cJSON_ArrayForEach(k, o)
	{
		const char *const *w;
		for (w = keys; *w; w++)
			if (!strcmp(*w, k->string))
				break;
		if (!*w) {
			snprintf(at, sizeof(at), "%s/%s", base, k->string);
			return bad(rd, at, "unknown key '%s'", k->string);
		}
	}
	return 0;
}

/* ---- reading: rules ---- */

static int read_match(struct reader *rd, const char *base, const cJSON *m,
		      struct fault_rule *r)
{
	static const char *const keys[] = { "method",	   "path",
					    "description", "interaction",
					    "state",	   "header",
					    "headers",	   NULL };
	char at[400];
	const cJSON *v, *it;
	if (!cJSON_IsObject(m))
		return bad(rd, base,
			   "expected an object: method, path, description, "
			   "state, header");
	if (known_keys(rd, base, m, keys))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(m, "method");
	if (v) {
		snprintf(at, sizeof(at), "%s/method", base);
		if (cJSON_IsString(v)) {
			r->methods = xcalloc(1, sizeof(*r->methods));
			r->methods[r->nmethods++] = xstrdup(v->valuestring);
		} else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0) {
			r->methods = xcalloc((size_t)cJSON_GetArraySize(v),
					     sizeof(*r->methods));
			cJSON_ArrayForEach(it, v)
			{
				if (!cJSON_IsString(it))
					return bad(rd, at,
						   "expected method names");
				r->methods[r->nmethods++] = xstrdup(
					it->valuestring);
			}
		} else {
			return bad(rd, at,
				   "expected a method or a list of methods");
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(m, "path");
	if (v) {
		snprintf(at, sizeof(at), "%s/path", base);
		r->path_re = regex(rd, at, v);
		if (!r->path_re)
			return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(m, "description");
	if (!v)
		v = cJSON_GetObjectItemCaseSensitive(m, "interaction");
	if (v) {
		snprintf(at, sizeof(at), "%s/%s", base, v->string);
		r->desc_re = regex(rd, at, v);
		if (!r->desc_re)
			return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(m, "state");
	if (v) {
		snprintf(at, sizeof(at), "%s/state", base);
		if (!cJSON_IsString(v))
			return bad(rd, at, "expected a provider state name");
		r->state = xstrdup(v->valuestring);
	}
	v = cJSON_GetObjectItemCaseSensitive(m, "header");
	if (!v)
		v = cJSON_GetObjectItemCaseSensitive(m, "headers");
	if (v) {
		snprintf(at, sizeof(at), "%s/%s", base, v->string);
		if (!cJSON_IsObject(v))
			return bad(rd, at,
				   "expected an object: header name -> regex");
		r->headers = xcalloc((size_t)cJSON_GetArraySize(v) + 1,
				     sizeof(*r->headers));
		cJSON_ArrayForEach(it, v)
		{
			struct header_match *h = &r->headers[r->nheaders];
			char hat[520];
			snprintf(hat, sizeof(hat), "%s/%s", at, it->string);
			h->re = regex(rd, hat, it);
			if (!h->re)
				return -1;
			h->name = xstrdup(it->string);
			r->nheaders++;
		}
	}
	return 0;
}

/* "50ms..300ms": uniform; anything else a duration (fixed). */
static int latency_text(struct reader *rd, const char *at, const char *s,
			struct latency *l)
{
	const char *dots = strstr(s, "..");
	cJSON *a, *b;
	int rc;
	if (!dots) {
		a = cJSON_CreateString(s);
		l->kind = LAT_FIXED;
		rc = duration_ms(rd, at, a, &l->a);
		cJSON_Delete(a);
		return rc;
	}
	{
		char *left = xstrndup(s, (size_t)(dots - s));
		a = cJSON_CreateString(left);
		free(left);
	}
	b = cJSON_CreateString(dots + 2);
	l->kind = LAT_UNIFORM;
	rc = duration_ms(rd, at, a, &l->a) || duration_ms(rd, at, b, &l->b);
	cJSON_Delete(a);
	cJSON_Delete(b);
	if (!rc && l->b < l->a)
		return bad(rd, at, "latency range ends before it starts");
	return rc ? -1 : 0;
}

static int read_latency(struct reader *rd, const char *at, const cJSON *v,
			struct latency *l)
{
	static const char *const kinds[] = { "fixed",	    "uniform",
					     "normal",	    "lognormal",
					     "percentiles", NULL };
	char sub[400];
	const cJSON *k, *x;
	if (cJSON_IsNumber(v)) {
		l->kind = LAT_FIXED;
		return duration_ms(rd, at, v, &l->a);
	}
	if (cJSON_IsString(v))
		return latency_text(rd, at, v->valuestring, l);
	if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 1)
		return bad(rd, at,
			   "expected a duration, \"A..B\", or one of fixed, "
			   "uniform, normal, lognormal, percentiles");
	if (known_keys(rd, at, v, kinds))
		return -1;
	k = v->child;
	snprintf(sub, sizeof(sub), "%s/%s", at, k->string);
	if (!strcmp(k->string, "fixed")) {
		l->kind = LAT_FIXED;
		return duration_ms(rd, sub, k, &l->a);
	}
	if (!strcmp(k->string, "uniform")) {
		l->kind = LAT_UNIFORM;
		if (!cJSON_IsArray(k) || cJSON_GetArraySize(k) != 2)
			return bad(rd, sub, "expected [low, high]");
		snprintf(sub, sizeof(sub), "%s/uniform/0", at);
		if (duration_ms(rd, sub, k->child, &l->a))
			return -1;
		snprintf(sub, sizeof(sub), "%s/uniform/1", at);
		if (duration_ms(rd, sub, k->child->next, &l->b))
			return -1;
		if (l->b < l->a)
			return bad(rd, sub, "high is below low");
		return 0;
	}
	if (!cJSON_IsObject(k))
		return bad(rd, sub, "expected an object");
	if (!strcmp(k->string, "normal")) {
		static const char *const keys[] = { "mean", "stddev", NULL };
		l->kind = LAT_NORMAL;
		if (known_keys(rd, sub, k, keys))
			return -1;
		x = cJSON_GetObjectItemCaseSensitive(k, "mean");
		if (!x)
			return bad(rd, sub, "needs mean and stddev");
		if (duration_ms(rd, sub, x, &l->a))
			return -1;
		x = cJSON_GetObjectItemCaseSensitive(k, "stddev");
		if (!x)
			return bad(rd, sub, "needs mean and stddev");
		return duration_ms(rd, sub, x, &l->b);
	}
	if (!strcmp(k->string, "lognormal")) {
		static const char *const keys[] = { "median", "sigma", NULL };
		l->kind = LAT_LOGNORMAL;
		if (known_keys(rd, sub, k, keys))
			return -1;
		x = cJSON_GetObjectItemCaseSensitive(k, "median");
		if (!x)
			return bad(rd, sub, "needs median and sigma");
		if (duration_ms(rd, sub, x, &l->a))
			return -1;
		x = cJSON_GetObjectItemCaseSensitive(k, "sigma");
		if (!x)
			return bad(rd, sub, "needs median and sigma");
		return number_in(rd, sub, x, 0, 10, &l->b);
	}
	{
		static const char *const keys[] = { "p50", "p95", "p99", NULL };
		double *dst[3];
		size_t i;
		l->kind = LAT_PERCENTILES;
		dst[0] = &l->a;
		dst[1] = &l->b;
		dst[2] = &l->c;
		if (known_keys(rd, sub, k, keys))
			return -1;
		for (i = 0; i < 3; i++) {
			x = cJSON_GetObjectItemCaseSensitive(k, keys[i]);
			if (!x)
				return bad(rd, sub, "needs p50, p95 and p99");
			if (duration_ms(rd, sub, x, dst[i]))
				return -1;
		}
		if (l->b < l->a || l->c < l->b)
			return bad(rd, sub, "needs p50 <= p95 <= p99");
		return 0;
	}
}

static int read_error(struct reader *rd, const char *at, const cJSON *v,
		      struct fault_rule *r)
{
	static const char *const keys[] = { "status", "headers", "body", NULL };
	char sub[400];
	const cJSON *x, *h;
	long status = 500;
	r->outcome = FAULT_ERROR;
	if (cJSON_IsNumber(v)) {
		if (integer_in(rd, at, v, 100, 999, &status))
			return -1;
		r->error_status = (int)status;
		return 0;
	}
	if (cJSON_IsTrue(v)) {
		r->error_status = 500;
		return 0;
	}
	if (!cJSON_IsObject(v))
		return bad(rd, at,
			   "expected a status, or {status, headers, body}");
	if (known_keys(rd, at, v, keys))
		return -1;
	x = cJSON_GetObjectItemCaseSensitive(v, "status");
	snprintf(sub, sizeof(sub), "%s/status", at);
	if (x && integer_in(rd, sub, x, 100, 999, &status))
		return -1;
	r->error_status = (int)status;
	x = cJSON_GetObjectItemCaseSensitive(v, "headers");
	if (x) {
		snprintf(sub, sizeof(sub), "%s/headers", at);
		if (!cJSON_IsObject(x))
			return bad(rd, sub, "expected an object of headers");
		cJSON_ArrayForEach(h, x)
		{
			const cJSON *it;
			int ok = cJSON_IsString(h) || cJSON_IsNumber(h);
			if (cJSON_IsArray(h)) {
				ok = 1;
				cJSON_ArrayForEach(it, h)
					ok = ok && cJSON_IsString(it);
			}
			if (!ok)
				return bad(rd, sub,
					   "header '%s': expected a string or "
					   "a list of strings",
					   h->string);
		}
		r->error_headers = cJSON_Duplicate(x, 1);
	}
	x = cJSON_GetObjectItemCaseSensitive(v, "body");
	if (x)
		r->error_body = cJSON_Duplicate(x, 1);
	return 0;
}

static int set_outcome(struct reader *rd, const char *at, struct fault_rule *r,
		       enum fault_outcome o)
{
	if (r->outcome != FAULT_NONE)
		return bad(rd, at,
			   "a rule has at most one of error, reset, close, "
			   "truncate, garbage, malformed-chunk, hang (this "
			   "one has %s and %s)",
			   fault_outcome_name(r->outcome),
			   fault_outcome_name(o));
	r->outcome = o;
	return 0;
}

static int read_sequence(struct reader *rd, const char *at, const cJSON *v,
			 struct fault_rule *r)
{
	const cJSON *it;
	size_t i = 0;
	if (!cJSON_IsArray(v) || !cJSON_GetArraySize(v))
		return bad(rd, at,
			   "expected a list such as [error, error, ok]");
	r->nseq = (size_t)cJSON_GetArraySize(v);
	r->seq = xcalloc(r->nseq, 1);
	cJSON_ArrayForEach(it, v)
	{
		const char *s = cJSON_IsString(it) ? it->valuestring : NULL;
		if (cJSON_IsBool(it))
			r->seq[i] = cJSON_IsTrue(it) ? 1 : 0;
		else if (s && (!strcmp(s, "ok") || !strcmp(s, "pass")))
			r->seq[i] = 0;
		else if (s &&
			 (!strcmp(s, "fault") || !strcmp(s, "fire") ||
			  !strcmp(s, "latency") || !strcmp(s, "bandwidth") ||
			  !strcmp(s, "slow-head") || !strcmp(s, "error") ||
			  !strcmp(s, "reset") || !strcmp(s, "close") ||
			  !strcmp(s, "truncate") || !strcmp(s, "garbage") ||
			  !strcmp(s, "malformed-chunk") || !strcmp(s, "hang")))
			r->seq[i] = 1;
		else {
			char item[340];
			snprintf(item, sizeof(item), "%s/%zu", at, i);
			return bad(rd, item,
				   "expected ok, or fault (or the rule's "
				   "effect name)");
		}
		i++;
	}
	return 0;
}

static int read_rule(struct reader *rd, const cJSON *o, size_t index,
		     const char *name, struct fault_rule *r)
{
	static const char *const keys[] = {
		"name",	       "match",	    "latency",
		"error",       "reset",	    "close",
		"truncate",    "garbage",   "malformed-chunk",
		"hang",	       "bandwidth", "slow-head",
		"probability", "sequence",  "repeat",
		"times",       "after",	    "for",
		"every",       "comment",   NULL
	};
	char base[64], at[300];
	const cJSON *v;
	int effects = 0;

	snprintf(base, sizeof(base), "/rules/%zu", index);
	memset(r, 0, sizeof(*r));
	r->trunc_bytes = -1;
	r->times = -1;
	if (!cJSON_IsObject(o))
		return bad(rd, base, "a rule is an object");
	if (known_keys(rd, base, o, keys))
		return -1;
	r->name = xstrdup(name);
	r->source = cJSON_Duplicate(o, 1);
	if (!cJSON_GetObjectItemCaseSensitive(r->source, "name"))
		cJSON_AddStringToObject(r->source, "name", name);

#define AT(key) (snprintf(at, sizeof(at), "%s/%s", base, key), at)
	v = cJSON_GetObjectItemCaseSensitive(o, "match");
	if (v && read_match(rd, AT("match"), v, r))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(o, "latency");
	if (v) {
		if (read_latency(rd, AT("latency"), v, &r->latency))
			return -1;
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (v) {
		if (set_outcome(rd, AT("error"), r, FAULT_ERROR) ||
		    read_error(rd, at, v, r))
			return -1;
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "reset");
	if (v && !cJSON_IsFalse(v)) {
		if (!cJSON_IsTrue(v))
			return bad(rd, AT("reset"), "expected true");
		if (set_outcome(rd, AT("reset"), r, FAULT_RESET))
			return -1;
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "close");
	if (v && !cJSON_IsFalse(v)) {
		if (!cJSON_IsTrue(v))
			return bad(rd, AT("close"), "expected true");
		if (set_outcome(rd, AT("close"), r, FAULT_CLOSE))
			return -1;
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "truncate");
	if (v) {
		static const char *const tk[] = { "bytes", "fraction", NULL };
		const cJSON *b, *f;
		if (set_outcome(rd, AT("truncate"), r, FAULT_TRUNCATE))
			return -1;
		if (cJSON_IsNumber(v)) {
			if (integer_in(rd, at, v, 0, 1L << 40, &r->trunc_bytes))
				return -1;
		} else {
			if (!cJSON_IsObject(v) || known_keys(rd, at, v, tk))
				return cJSON_IsObject(v)
					       ? -1
					       : bad(rd, at,
						     "expected {bytes: N} or "
						     "{fraction: F}");
			b = cJSON_GetObjectItemCaseSensitive(v, "bytes");
			f = cJSON_GetObjectItemCaseSensitive(v, "fraction");
			if (!b == !f)
				return bad(rd, at,
					   "give one of bytes or fraction");
			if (b &&
			    integer_in(rd, at, b, 0, 1L << 40, &r->trunc_bytes))
				return -1;
			if (f && number_in(rd, at, f, 0, 1, &r->trunc_fraction))
				return -1;
		}
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "garbage");
	if (v && !cJSON_IsFalse(v)) {
		static const char *const gk[] = { "bytes", NULL };
		long n = FAULT_DEFAULT_GARBAGE;
		if (set_outcome(rd, AT("garbage"), r, FAULT_GARBAGE))
			return -1;
		if (cJSON_IsObject(v)) {
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(
				v, "bytes");
			if (known_keys(rd, at, v, gk))
				return -1;
			if (b &&
			    integer_in(rd, at, b, 1, FAULT_MAX_GARBAGE, &n))
				return -1;
		} else if (cJSON_IsNumber(v)) {
			if (integer_in(rd, at, v, 1, FAULT_MAX_GARBAGE, &n))
				return -1;
		} else if (!is_on(v)) {
			return bad(rd, at, "expected true or {bytes: N}");
		}
		r->garbage_bytes = (size_t)n;
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "malformed-chunk");
	if (v && !cJSON_IsFalse(v)) {
		if (!cJSON_IsTrue(v))
			return bad(rd, AT("malformed-chunk"), "expected true");
		if (set_outcome(rd, AT("malformed-chunk"), r,
				FAULT_MALFORMED_CHUNK))
			return -1;
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "hang");
	if (v && !cJSON_IsFalse(v)) {
		if (set_outcome(rd, AT("hang"), r, FAULT_HANG))
			return -1;
		if (!cJSON_IsTrue(v) && duration_ms(rd, at, v, &r->hang_ms))
			return -1;
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "bandwidth");
	if (v) {
		if (rate(rd, AT("bandwidth"), v, &r->bandwidth))
			return -1;
		effects++;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "slow-head");
	if (v) {
		if (duration_ms(rd, AT("slow-head"), v, &r->slow_head_ms))
			return -1;
		effects++;
	}
	if (!effects)
		return bad(rd, base,
			   "rule '%s' has no effect (latency, error, reset, "
			   "close, truncate, garbage, malformed-chunk, hang, "
			   "bandwidth, slow-head)",
			   name);
	if (r->outcome == FAULT_HANG && (r->bandwidth > 0 || r->slow_head_ms))
		return bad(rd, base,
			   "a hang sends nothing: bandwidth and slow-head "
			   "do not apply");
	v = cJSON_GetObjectItemCaseSensitive(o, "probability");
	if (v) {
		if (number_in(rd, AT("probability"), v, 0, 1, &r->probability))
			return -1;
		r->has_probability = 1;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "sequence");
	if (v && read_sequence(rd, AT("sequence"), v, r))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(o, "repeat");
	if (v) {
		if (!cJSON_IsBool(v))
			return bad(rd, AT("repeat"), "expected true or false");
		r->repeat = cJSON_IsTrue(v);
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "times");
	if (v && integer_in(rd, AT("times"), v, 0, 1L << 40, &r->times))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(o, "after");
	if (v && duration_ms(rd, AT("after"), v, &r->after_ms))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(o, "for");
	if (v && duration_ms(rd, AT("for"), v, &r->for_ms))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(o, "every");
	if (v) {
		if (duration_ms(rd, AT("every"), v, &r->every_ms))
			return -1;
		if (r->every_ms <= 0)
			return bad(rd, at, "every must be above zero");
		if (r->for_ms <= 0 || r->for_ms >= r->every_ms)
			return bad(rd, at,
				   "every needs a 'for' window shorter than "
				   "itself");
	}
#undef AT
	return 0;
}

static int name_taken(const struct fault_profile *p, const char *name)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->rules[i].name, name))
			return 1;
	return 0;
}

/* Appends the rules of `list` (an array, or one rule object). */
static int add_rules(struct fault_profile *p, const cJSON *list, size_t base,
		     struct err *e)
{
	struct reader rd;
	const cJSON *o;
	size_t i = 0, count;
	memset(&rd, 0, sizeof(rd));
	rd.e = e;
	count = cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 1;
	if (p->n + count > FAULT_MAX_RULES)
		return err_set(e, ERR_LIMIT, "more than %d fault rules",
			       FAULT_MAX_RULES);
	p->rules = xrealloc(p->rules, (p->n + count) * sizeof(*p->rules));
	for (o = cJSON_IsArray(list) ? list->child : list; o;
	     o = cJSON_IsArray(list) ? o->next : NULL) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
		char name[128], at[64];
		snprintf(at, sizeof(at), "/rules/%zu/name", base + i);
		if (nm && (!cJSON_IsString(nm) || !nm->valuestring[0] ||
			   strlen(nm->valuestring) > 100))
			return bad(&rd, at,
				   "a rule name is a string of 1 to 100 "
				   "characters");
		if (nm)
			snprintf(name, sizeof(name), "%s", nm->valuestring);
		else
			snprintf(name, sizeof(name), "rule-%zu", base + i + 1);
		if (name_taken(p, name))
			return bad(&rd, at, "rule name '%s' is used twice",
				   name);
		if (read_rule(&rd, o, base + i, name, &p->rules[p->n])) {
			rule_release(&p->rules[p->n]);
			return -1;
		}
		p->n++;
		i++;
	}
	return 0;
}

int fault_profile_add(struct fault_profile *p, const cJSON *rules,
		      struct err *e)
{
	return add_rules(p, rules, p->n, e);
}

static int from_doc(void *ctx, const cJSON *doc, struct err *e)
{
	static const char *const keys[] = { "seed",	   "rules",   "name",
					    "description", "comment", NULL };
	struct fault_profile *p = ctx;
	struct reader rd;
	const cJSON *v;
	memset(&rd, 0, sizeof(rd));
	rd.e = e;
	if (!cJSON_IsObject(doc))
		return bad(
			&rd, "",
			"a fault profile is an object: {seed, rules: [...]}");
	if (known_keys(&rd, "", doc, keys))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(doc, "seed");
	if (v) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
		    v->valuedouble != floor(v->valuedouble) ||
		    v->valuedouble > 9007199254740992.0)
			return bad(&rd, "/seed",
				   "expected a non-negative integer");
		fault_profile_set_seed(p, (uint64_t)v->valuedouble);
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "rules");
	if (!v)
		return 0;
	if (!cJSON_IsArray(v))
		return bad(&rd, "/rules", "expected a list of rules");
	return add_rules(p, v, 0, e);
}

static int looks_json(const char *name, const char *buf, size_t len)
{
	size_t n = strlen(name), i;
	if (n >= 5 && !strcmp(name + n - 5, ".json"))
		return 1;
	if ((n >= 5 && !strcmp(name + n - 5, ".yaml")) ||
	    (n >= 4 && !strcmp(name + n - 4, ".yml")))
		return 0;
	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			return buf[i] == '{';
	return 0;
}

struct fault_profile *fault_profile_read(const char *name, const char *buf,
					 size_t len, struct err *e)
{
	struct fault_profile *p = fault_profile_new();
	int rc;
	if (looks_json(name, buf, len)) {
		cJSON *doc = json_parse_text(name, buf, len, e);
		rc = doc ? from_doc(p, doc, e) : -1;
		cJSON_Delete(doc);
		err_setsource(e, name);
	} else {
		rc = yaml_data_read(name, buf, len, from_doc, p, e);
	}
	if (rc) {
		fault_profile_free(p);
		return NULL;
	}
	return p;
}

struct fault_profile *fault_profile_copy(const struct fault_profile *src,
					 struct err *e)
{
	struct fault_profile *p = fault_profile_new();
	size_t i;
	p->has_seed = src ? src->has_seed : 0;
	p->seed = src ? src->seed : 0;
	for (i = 0; src && i < src->n; i++)
		if (add_rules(p, src->rules[i].source, i, e)) {
			fault_profile_free(p);
			return NULL;
		}
	return p;
}

int fault_profile_remove(struct fault_profile *p, const char *name)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->rules[i].name, name)) {
			rule_release(&p->rules[i]);
			memmove(&p->rules[i], &p->rules[i + 1],
				(p->n - i - 1) * sizeof(*p->rules));
			p->n--;
			return 0;
		}
	return -1;
}

cJSON *fault_profile_to_cjson(const struct fault_profile *p)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t i;
	if (p && p->has_seed)
		cJSON_AddNumberToObject(o, "seed", (double)p->seed);
	a = cJSON_AddArrayToObject(o, "rules");
	for (i = 0; p && i < p->n; i++)
		cJSON_AddItemToArray(a, cJSON_Duplicate(p->rules[i].source, 1));
	return o;
}

const char *fault_rule_name(const struct fault_profile *p, size_t i)
{
	return p && i < p->n ? p->rules[i].name : NULL;
}

/* ---- matching ---- */

/*
 * Regex searches for one decision share one match data block, made on the
 * first search: requests that no rule regex looks at allocate nothing.
 */
struct searcher {
	const struct fault_profile *p;
	pcre2_match_data *md;
};

static int re_search(struct searcher *sr, pcre2_code *re, const char *s,
		     size_t len)
{
	if (!sr->md) {
		sr->md = pcre2_match_data_create(1, NULL);
		if (!sr->md)
			abort();
	}
	return pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, sr->md, sr->p->mctx) >=
	       0;
}

static int method_is(const struct fault_rule *r, const char *m, size_t len)
{
	size_t i;
	for (i = 0; i < r->nmethods; i++)
		if (strlen(r->methods[i]) == len &&
		    !str_ncasecmp(r->methods[i], m, len))
			return 1;
	return 0;
}

/*
 * Whether rule r applies to q. Without q->req (no request, as for graph
 * --faults) header matches are taken to hold: a client may send any.
 */
static int rule_matches(struct searcher *sr, const struct fault_rule *r,
			const struct fault_request *q)
{
	size_t i;
	if (r->nmethods && !method_is(r, q->method, strlen(q->method)))
		return 0;
	if (r->state) {
		for (i = 0; i < q->nstates; i++)
			if (q->states[i] && !strcmp(q->states[i], r->state))
				break;
		if (i == q->nstates)
			return 0;
	}
	if (r->desc_re &&
	    (!q->description || !re_search(sr, r->desc_re, q->description,
					   strlen(q->description))))
		return 0;
	if (r->path_re && !re_search(sr, r->path_re, q->path, strlen(q->path)))
		return 0;
	for (i = 0; q->req && i < r->nheaders; i++) {
		const struct http1_header *h = http1_header(q->req,
							    r->headers[i].name);
		if (!h ||
		    !re_search(sr, r->headers[i].re, h->value, h->value_len))
			return 0;
	}
	return 1;
}

int fault_rule_may_match(const struct fault_profile *p, size_t i,
			 const char *method, const char *path,
			 const char *description, char *const *states,
			 size_t nstates)
{
	struct searcher sr = { p, NULL };
	struct fault_request q;
	int rc;
	if (!p || i >= p->n)
		return 0;
	memset(&q, 0, sizeof(q));
	q.method = method ? method : "GET";
	q.path = path ? path : "/";
	q.description = description ? description : "";
	q.states = (const char *const *)states;
	q.nstates = nstates;
	rc = rule_matches(&sr, &p->rules[i], &q);
	pcre2_match_data_free(sr.md);
	return rc;
}

/* ---- randomness ---- */

static uint64_t mix(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

struct draw {
	uint64_t base; /* seed, rule, session, interaction, count mixed */
};

static void draw_init(struct draw *d, uint64_t seed, const char *rule,
		      const char *session, long ix, uint64_t n)
{
	uint64_t h = mix(seed ^ fnv(rule, strlen(rule)));
	h = mix(h ^ fnv(session, strlen(session)));
	h = mix(h ^ (uint64_t)ix);
	d->base = mix(h ^ n);
}

/* Draw number k, uniform in [0, 1). */
static double uniform01(const struct draw *d, unsigned k)
{
	return (double)(mix(d->base ^ mix(k)) >> 11) * 0x1.0p-53;
}

static double gauss(const struct draw *d, unsigned k)
{
	double u1 = uniform01(d, k), u2 = uniform01(d, k + 1);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2 * log(u1)) * cos(TWO_PI * u2);
}

static double interp(double u, double u0, double v0, double u1, double v1)
{
	return v0 + (v1 - v0) * (u - u0) / (u1 - u0);
}

static double sample_latency(const struct latency *l, const struct draw *d)
{
	double u = uniform01(d, 1), v = 0;
	switch (l->kind) {
	case LAT_NONE:
		return 0;
	case LAT_FIXED:
		v = l->a;
		break;
	case LAT_UNIFORM:
		v = l->a + u * (l->b - l->a);
		break;
	case LAT_NORMAL:
		v = l->a + l->b * gauss(d, 2);
		break;
	case LAT_LOGNORMAL:
		v = l->a * exp(l->b * gauss(d, 2));
		break;
	case LAT_PERCENTILES:
		/* piecewise linear through (0, 0), (.5, p50), (.95, p95),
		 * (.99, p99) and (1, p99 + (p99 - p95)) */
		if (u < 0.5)
			v = interp(u, 0, 0, 0.5, l->a);
		else if (u < 0.95)
			v = interp(u, 0.5, l->a, 0.95, l->b);
		else if (u < 0.99)
			v = interp(u, 0.95, l->b, 0.99, l->c);
		else
			v = interp(u, 0.99, l->c, 1, l->c + (l->c - l->b));
		break;
	}
	if (!(v >= 0))
		v = 0;
	return v > FAULT_MAX_MS ? FAULT_MAX_MS : v;
}

/* ---- the engine: counters ---- */

struct counter {
	char *key;
	uint64_t hash;
	uint64_t n;
	double t; /* session clocks: when first seen */
	struct counter *next;
};

struct metric {
	char *rule;
	enum fault_outcome outcome; /* FAULT_NONE: a latency-only count */
	const char *effect;
	unsigned long long n;
	struct metric *next;
};

struct replay_entry {
	char *key;
	cJSON *faults;
	struct replay_entry *next;
};

struct fault_replay {
	struct replay_entry **table;
	size_t tsize, n;
	uint64_t seed;
};

struct fault_engine {
	pthread_rwlock_t lock; /* the profile pointer */
	struct fault_profile *profile;
	atomic_int active; /* rules, a replay or ordinals: lock needed */
	uint64_t seed;
	struct fault_replay *replay;
	pthread_mutex_t mu; /* everything below */
	double epoch;	    /* when the profile was installed (seconds) */
	struct counter **table;
	size_t tsize, count;
	int overflowed;
	struct metric *metrics;
	size_t nmetrics;
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void counters_clear(struct fault_engine *g)
{
	size_t i;
	struct counter *c, *next;
	for (i = 0; i < g->tsize; i++)
		for (c = g->table[i]; c; c = next) {
			next = c->next;
			free(c->key);
			free(c);
		}
	memset(g->table, 0, g->tsize * sizeof(*g->table));
	g->count = 0;
}

/* The counter for key[0..len), created at zero; under g->mu. */
static struct counter *counter(struct fault_engine *g, const char *key,
			       size_t len, double now)
{
	uint64_t h = fnv(key, len);
	struct counter *c;
	size_t b = h & (g->tsize - 1);
	for (c = g->table[b]; c; c = c->next)
		if (c->hash == h && !memcmp(c->key, key, len) && !c->key[len])
			return c;
	if (g->count >= FAULT_MAX_COUNTERS) {
		if (!g->overflowed)
			log_msg(LOG_WARN,
				"faults: more than %u counters (sessions x "
				"rules x interactions): starting afresh",
				FAULT_MAX_COUNTERS);
		g->overflowed = 1;
		counters_clear(g);
		b = h & (g->tsize - 1);
	}
	if ((g->count + 1) * 2 > g->tsize && g->tsize < FAULT_MAX_COUNTERS) {
		size_t ns = g->tsize * 2, i;
		struct counter **t = xcalloc(ns, sizeof(*t)), *next;
		for (i = 0; i < g->tsize; i++)
			for (c = g->table[i]; c; c = next) {
				next = c->next;
				c->next = t[c->hash & (ns - 1)];
				t[c->hash & (ns - 1)] = c;
			}
		free(g->table);
		g->table = t;
		g->tsize = ns;
		b = h & (ns - 1);
	}
	c = xcalloc(1, sizeof(*c));
	c->key = xstrndup(key, len);
	c->hash = h;
	c->t = now;
	c->next = g->table[b];
	g->table[b] = c;
	g->count++;
	return c;
}

/* Key: a kind letter, then fields separated by 0x1f. */
static size_t key3(char *out, size_t cap, char kind, const char *a,
		   const char *b, long ix)
{
	int n = snprintf(out, cap, "%c\x1f%s\x1f%s\x1f%ld", kind, a ? a : "",
			 b ? b : "", ix);
	return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

/*
 * Counts a fault by rule and effect. Rules come and go at run time (PUT
 * with new names, over and over): past FAULT_MAX_METRICS series the new
 * ones are counted under the rule name "(other)".
 */
static void metric_add(struct fault_engine *g, const char *rule,
		       const char *effect)
{
	struct metric *m;
	for (m = g->metrics; m; m = m->next)
		if (!strcmp(m->rule, rule) && !strcmp(m->effect, effect))
			break;
	if (!m && g->nmetrics >= FAULT_MAX_METRICS) {
		rule = "(other)";
		for (m = g->metrics; m; m = m->next)
			if (!strcmp(m->rule, rule) &&
			    !strcmp(m->effect, effect))
				break;
	}
	if (!m) {
		g->nmetrics++;
		m = xcalloc(1, sizeof(*m));
		m->rule = xstrdup(rule);
		m->effect = effect;
		m->next = g->metrics;
		g->metrics = m;
	}
	m->n++;
}

static void set_active(struct fault_engine *g)
{
	atomic_store(&g->active,
		     (g->profile && g->profile->n) || g->replay ? 1 : 0);
}

struct fault_engine *fault_engine_new(struct fault_profile *p,
				      struct fault_replay *replay, int has_seed,
				      uint64_t seed)
{
	struct fault_engine *g = xcalloc(1, sizeof(*g));
	uint64_t ps;
	pthread_rwlock_init(&g->lock, NULL);
	pthread_mutex_init(&g->mu, NULL);
	g->profile = p ? fault_profile_ref(p) : fault_profile_new();
	if (has_seed)
		g->seed = seed;
	else if (fault_profile_seed(g->profile, &ps))
		g->seed = ps;
	else if (replay)
		g->seed = replay->seed;
	else
		g->seed = mix((uint64_t)time(NULL) ^ (uint64_t)mono_s()) &
			  ((UINT64_C(1) << 53) - 1);
	g->replay = replay;
	g->tsize = 256;
	g->table = xcalloc(g->tsize, sizeof(*g->table));
	g->epoch = mono_s();
	set_active(g);
	return g;
}

void fault_engine_free(struct fault_engine *g)
{
	struct metric *m, *mn;
	if (!g)
		return;
	counters_clear(g);
	free(g->table);
	for (m = g->metrics; m; m = mn) {
		mn = m->next;
		free(m->rule);
		free(m);
	}
	fault_profile_free(g->profile);
	fault_replay_free(g->replay);
	pthread_rwlock_destroy(&g->lock);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

uint64_t fault_engine_seed(struct fault_engine *g)
{
	uint64_t s;
	pthread_rwlock_rdlock(&g->lock);
	s = g->seed;
	pthread_rwlock_unlock(&g->lock);
	return s;
}

int fault_engine_active(struct fault_engine *g)
{
	return g && atomic_load(&g->active);
}

struct fault_profile *fault_engine_profile(struct fault_engine *g)
{
	struct fault_profile *p;
	pthread_rwlock_rdlock(&g->lock);
	p = fault_profile_ref(g->profile);
	pthread_rwlock_unlock(&g->lock);
	return p;
}

void fault_engine_install(struct fault_engine *g, struct fault_profile *p,
			  int reset)
{
	struct fault_profile *old;
	pthread_rwlock_wrlock(&g->lock);
	old = g->profile;
	g->profile = p;
	if (reset)
		fault_profile_seed(p, &g->seed); /* a new profile's seed */
	pthread_mutex_lock(&g->mu);
	if (reset) {
		counters_clear(g);
		g->epoch = mono_s();
	}
	pthread_mutex_unlock(&g->mu);
	set_active(g);
	pthread_rwlock_unlock(&g->lock);
	fault_profile_free(old);
}

void fault_engine_metrics(struct fault_engine *g, struct buf *b)
{
	struct metric *m;
	buf_addstr(b, "# HELP accord_faults_total Faults applied, by rule and "
		      "effect.\n# TYPE accord_faults_total counter\n");
	pthread_mutex_lock(&g->mu);
	for (m = g->metrics; m; m = m->next) {
		buf_addstr(b, "accord_faults_total{rule=\"");
		stub_prom_label(b, m->rule);
		buf_addf(b, "\",effect=\"%s\"} %llu\n", m->effect, m->n);
	}
	pthread_mutex_unlock(&g->mu);
}

/* ---- decisions ---- */

void fault_action_init(struct fault_action *a)
{
	memset(a, 0, sizeof(*a));
	a->trunc_bytes = -1;
}

static int window_open(const struct fault_rule *r, double since_ms)
{
	double t;
	if (since_ms < r->after_ms)
		return 0;
	t = since_ms - r->after_ms;
	if (r->every_ms > 0)
		t = fmod(t, r->every_ms);
	return r->for_ms <= 0 || t < r->for_ms;
}

static cJSON *log_entry(struct fault_action *a, const char *rule,
			const char *effect)
{
	cJSON *o = cJSON_CreateObject();
	if (!a->log)
		a->log = cJSON_CreateArray();
	cJSON_AddStringToObject(o, "rule", rule);
	cJSON_AddStringToObject(o, "effect", effect);
	cJSON_AddItemToArray(a->log, o);
	return o;
}

static double round3(double x)
{
	return floor(x * 1000 + 0.5) / 1000;
}

/* Applies the effects of rule r, fired on its n-th request. */
static void apply(struct fault_engine *g, const struct fault_rule *r,
		  const struct draw *d, struct fault_action *a)
{
	cJSON *o;
	if (r->latency.kind != LAT_NONE) {
		double ms = round3(sample_latency(&r->latency, d));
		a->delay_ms += ms;
		o = log_entry(a, r->name, "latency");
		cJSON_AddNumberToObject(o, "ms", ms);
		metric_add(g, r->name, "latency");
	}
	if (r->bandwidth > 0) {
		if (!a->bandwidth || r->bandwidth < a->bandwidth)
			a->bandwidth = r->bandwidth;
		o = log_entry(a, r->name, "bandwidth");
		cJSON_AddNumberToObject(o, "bytes_per_s", r->bandwidth);
		metric_add(g, r->name, "bandwidth");
	}
	if (r->slow_head_ms > 0) {
		if (r->slow_head_ms > a->slow_head_ms)
			a->slow_head_ms = r->slow_head_ms;
		o = log_entry(a, r->name, "slow-head");
		cJSON_AddNumberToObject(o, "ms", r->slow_head_ms);
		metric_add(g, r->name, "slow-head");
	}
	if (r->outcome == FAULT_NONE || a->outcome != FAULT_NONE)
		return;
	a->outcome = r->outcome;
	o = log_entry(a, r->name, fault_outcome_name(r->outcome));
	metric_add(g, r->name, fault_outcome_name(r->outcome));
	switch (r->outcome) {
	case FAULT_ERROR:
		a->status = r->error_status;
		a->error_headers = r->error_headers;
		a->error_body = r->error_body;
		cJSON_AddNumberToObject(o, "status", r->error_status);
		if (r->error_headers)
			cJSON_AddItemToObject(
				o, "headers",
				cJSON_Duplicate(r->error_headers, 1));
		if (r->error_body)
			cJSON_AddItemToObject(
				o, "body", cJSON_Duplicate(r->error_body, 1));
		break;
	case FAULT_TRUNCATE:
		a->trunc_bytes = r->trunc_bytes;
		a->trunc_fraction = r->trunc_fraction;
		if (r->trunc_bytes >= 0)
			cJSON_AddNumberToObject(o, "bytes",
						(double)r->trunc_bytes);
		else
			cJSON_AddNumberToObject(o, "fraction",
						r->trunc_fraction);
		break;
	case FAULT_GARBAGE:
		a->garbage_bytes = r->garbage_bytes;
		a->garbage_seed = mix(d->base ^ 3);
		cJSON_AddNumberToObject(o, "bytes", (double)r->garbage_bytes);
		{
			char t[24];
			snprintf(t, sizeof(t), "%016llx",
				 (unsigned long long)a->garbage_seed);
			cJSON_AddStringToObject(o, "seed", t);
		}
		break;
	case FAULT_HANG:
		a->hang_ms = r->hang_ms;
		if (r->hang_ms > 0)
			cJSON_AddNumberToObject(o, "ms", r->hang_ms);
		break;
	default:
		break;
	}
}

/* The action a journal entry recorded ("faults" list), for a replay. */
static void from_log(const cJSON *faults, struct fault_action *a)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, faults)
	{
		const cJSON *eff = cJSON_GetObjectItemCaseSensitive(o,
								    "effect");
		const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "ms");
		const char *e = cJSON_IsString(eff) ? eff->valuestring : "";
		double msv = cJSON_IsNumber(ms) ? ms->valuedouble : 0;
		const cJSON *x;
		enum fault_outcome oc = FAULT_NONE;
		int k;
		if (!strcmp(e, "latency")) {
			a->delay_ms += msv;
			continue;
		}
		if (!strcmp(e, "bandwidth")) {
			x = cJSON_GetObjectItemCaseSensitive(o, "bytes_per_s");
			if (cJSON_IsNumber(x) && x->valuedouble >= 1)
				a->bandwidth = x->valuedouble;
			continue;
		}
		if (!strcmp(e, "slow-head")) {
			a->slow_head_ms = msv;
			continue;
		}
		for (k = FAULT_ERROR; k <= FAULT_HANG; k++)
			if (!strcmp(e, outcome_names[k]))
				oc = (enum fault_outcome)k;
		if (oc == FAULT_NONE || a->outcome != FAULT_NONE)
			continue;
		a->outcome = oc;
		if (oc == FAULT_ERROR) {
			x = cJSON_GetObjectItemCaseSensitive(o, "status");
			a->status = cJSON_IsNumber(x) ? (int)x->valuedouble
						      : 500;
			if (a->status < 100 || a->status > 999)
				a->status = 500;
			a->error_headers = cJSON_GetObjectItemCaseSensitive(
				o, "headers");
			if (!cJSON_IsObject(a->error_headers))
				a->error_headers = NULL;
			a->error_body = cJSON_GetObjectItemCaseSensitive(
				o, "body");
		} else if (oc == FAULT_TRUNCATE) {
			x = cJSON_GetObjectItemCaseSensitive(o, "bytes");
			if (cJSON_IsNumber(x) && x->valuedouble >= 0)
				a->trunc_bytes = (long)x->valuedouble;
			x = cJSON_GetObjectItemCaseSensitive(o, "fraction");
			if (cJSON_IsNumber(x))
				a->trunc_fraction = x->valuedouble;
		} else if (oc == FAULT_GARBAGE) {
			x = cJSON_GetObjectItemCaseSensitive(o, "bytes");
			a->garbage_bytes =
				cJSON_IsNumber(x) && x->valuedouble >= 1 &&
						x->valuedouble <=
							FAULT_MAX_GARBAGE
					? (size_t)x->valuedouble
					: FAULT_DEFAULT_GARBAGE;
			x = cJSON_GetObjectItemCaseSensitive(o, "seed");
			if (cJSON_IsString(x))
				a->garbage_seed = strtoull(x->valuestring, NULL,
							   16);
		} else if (oc == FAULT_HANG) {
			a->hang_ms = msv;
		}
	}
	a->log = cJSON_Duplicate(faults, 1);
}

static const cJSON *replay_find(const struct fault_replay *rp, const char *key)
{
	uint64_t h = fnv(key, strlen(key));
	const struct replay_entry *x;
	for (x = rp->table[h & (rp->tsize - 1)]; x; x = x->next)
		if (!strcmp(x->key, key))
			return x->faults;
	return NULL;
}

void fault_decide(struct fault_engine *g, const struct fault_request *q,
		  struct fault_action *a)
{
	const struct fault_profile *p;
	char session[SESSION_MAX + 1], key[512];
	unsigned char hit[FAULT_MAX_RULES / 8 + 1];
	struct searcher sr;
	size_t i, slen = q->session_len;
	double now;
	struct counter *c;

	fault_action_init(a);
	if (!fault_engine_active(g))
		return;
	if (slen > SESSION_MAX)
		slen = SESSION_MAX;
	if (slen)
		memcpy(session, q->session, slen);
	session[slen] = '\0';
	pthread_rwlock_rdlock(&g->lock);
	p = g->profile;
	/* matching first, outside the mutex */
	memset(hit, 0, sizeof(hit));
	sr.p = p;
	sr.md = NULL;
	for (i = 0; !g->replay && i < p->n; i++)
		if (rule_matches(&sr, &p->rules[i], q))
			hit[i / 8] |= (unsigned char)(1u << (i % 8));
	pcre2_match_data_free(sr.md);
	now = mono_s();
	pthread_mutex_lock(&g->mu);
	c = counter(g, key, key3(key, sizeof(key), 'K', session, NULL, q->ix),
		    now);
	a->ordinal = c->n++;
	a->has_ordinal = 1;
	if (g->replay) {
		const cJSON *f;
		key3(key, sizeof(key), 'P', session,
		     q->description ? q->description : "\x01",
		     (long)a->ordinal);
		f = replay_find(g->replay, key);
		if (f)
			from_log(f, a);
		pthread_mutex_unlock(&g->mu);
		pthread_rwlock_unlock(&g->lock);
		return;
	}
	for (i = 0; i < p->n; i++) {
		const struct fault_rule *r = &p->rules[i];
		struct draw d;
		uint64_t n;
		double since;
		struct counter *t = NULL;
		if (!(hit[i / 8] & (1u << (i % 8))))
			continue;
		c = counter(
			g, key,
			key3(key, sizeof(key), 'R', r->name, session, q->ix),
			now);
		n = c->n++;
		if (r->after_ms > 0 || r->for_ms > 0) {
			/* the clock of a session starts with its first
			 * request, the default session's with the profile */
			since = (now - g->epoch) * 1000;
			if (slen)
				since = (now -
					 counter(g, key,
						 key3(key, sizeof(key), 'E',
						      session, NULL, 0),
						 now)
						 ->t) *
					1000;
			if (!window_open(r, since))
				continue;
		}
		if (r->nseq) {
			size_t k = n < r->nseq ? (size_t)n
				   : r->repeat ? (size_t)(n % r->nseq)
					       : r->nseq - 1;
			if (!r->seq[k])
				continue;
		}
		if (r->times >= 0) {
			t = counter(g, key,
				    key3(key, sizeof(key), 'T', r->name,
					 session, 0),
				    now);
			if (t->n >= (uint64_t)r->times)
				continue;
		}
		draw_init(&d, g->seed, r->name, session, q->ix, n);
		if (r->has_probability && !(uniform01(&d, 0) < r->probability))
			continue;
		if (t)
			t->n++;
		apply(g, r, &d, a);
	}
	pthread_mutex_unlock(&g->mu);
	/* error headers and body point into the profile: copy them out */
	if (a->error_headers)
		a->error_headers = cJSON_Duplicate(a->error_headers, 1);
	if (a->error_body)
		a->error_body = cJSON_Duplicate(a->error_body, 1);
	a->owns_error = 1;
	pthread_rwlock_unlock(&g->lock);
}

void fault_action_done(struct fault_action *a)
{
	if (a->owns_error) {
		cJSON_Delete((cJSON *)a->error_headers);
		cJSON_Delete((cJSON *)a->error_body);
	}
	a->error_headers = a->error_body = NULL;
	a->owns_error = 0;
	cJSON_Delete(a->log);
	a->log = NULL;
}

/* ---- replays ---- */

void fault_replay_free(struct fault_replay *rp)
{
	size_t i;
	struct replay_entry *x, *next;
	if (!rp)
		return;
	for (i = 0; i < rp->tsize; i++)
		for (x = rp->table[i]; x; x = next) {
			next = x->next;
			free(x->key);
			cJSON_Delete(x->faults);
			free(x);
		}
	free(rp->table);
	free(rp);
}

size_t fault_replay_count(const struct fault_replay *rp)
{
	return rp ? rp->n : 0;
}

struct fault_replay *fault_replay_read(const char *name, const char *buf,
				       size_t len, struct err *e)
{
	cJSON *doc = json_parse_text(name, buf, len, e);
	const cJSON *reqs, *it, *seed;
	struct fault_replay *rp;
	size_t i = 0;
	if (!doc) {
		err_setsource(e, name);
		return NULL;
	}
	reqs = cJSON_GetObjectItemCaseSensitive(doc, "requests");
	if (!cJSON_IsArray(reqs)) {
		err_setsource(e, name);
		err_setat(e, ERR_SHAPE, "/requests", "%s",
			  "not a journal: expected {\"requests\": [...]} as "
			  "GET /__accord/requests answers");
		cJSON_Delete(doc);
		return NULL;
	}
	rp = xcalloc(1, sizeof(*rp));
	/* two slots an entry at least: lookups stay O(1) for any journal */
	for (rp->tsize = 1024; rp->tsize < 2 * (size_t)cJSON_GetArraySize(reqs);
	     rp->tsize *= 2)
		;
	rp->table = xcalloc(rp->tsize, sizeof(*rp->table));
	seed = cJSON_GetObjectItemCaseSensitive(doc, "seed");
	if (cJSON_IsNumber(seed))
		rp->seed = (uint64_t)seed->valuedouble;
	cJSON_ArrayForEach(it, reqs)
	{
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "faults");
		const cJSON *ord = cJSON_GetObjectItemCaseSensitive(it,
								    "ordinal");
		const cJSON *ses = cJSON_GetObjectItemCaseSensitive(it,
								    "session");
		const cJSON *ix = cJSON_GetObjectItemCaseSensitive(
			it, "interaction");
		char key[512], at[64];
		struct replay_entry *x;
		uint64_t h;
		i++;
		if (!f)
			continue;
		if (!cJSON_IsArray(f) || !cJSON_IsNumber(ord) ||
		    (ses && !cJSON_IsString(ses)) ||
		    (!cJSON_IsString(ix) && !cJSON_IsNull(ix))) {
			snprintf(at, sizeof(at), "/requests/%zu", i - 1);
			err_setsource(e, name);
			err_setat(e, ERR_SHAPE, at, "%s",
				  "a journal entry with faults needs "
				  "ordinal, interaction and a faults list");
			cJSON_Delete(doc);
			fault_replay_free(rp);
			return NULL;
		}
		key3(key, sizeof(key), 'P', ses ? ses->valuestring : "",
		     cJSON_IsString(ix) ? ix->valuestring : "\x01",
		     (long)ord->valuedouble);
		if (replay_find(rp, key))
			continue;
		x = xcalloc(1, sizeof(*x));
		x->key = xstrdup(key);
		x->faults = cJSON_Duplicate(f, 1);
		h = fnv(key, strlen(key));
		x->next = rp->table[h & (rp->tsize - 1)];
		rp->table[h & (rp->tsize - 1)] = x;
		rp->n++;
	}
	cJSON_Delete(doc);
	return rp;
}
