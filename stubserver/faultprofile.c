/*
 * faultprofile.c: fault profiles and how they are read. A profile is a
 * seed and a list of rules; each rule says which requests it may touch
 * (match), what the client then sees (effects) and when it fires
 * (triggers). Profiles come from YAML or JSON files, the admin API and the
 * CLI's shortcut flags; every error names its place with a JSON pointer
 * (and line:col for YAML), and an unknown key is an error, so that a
 * misspelt trigger cannot pass silently. A profile is immutable once
 * read: a change at run time builds a new one (fault_profile_copy).
 */
#include "stubserver/fault.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

enum fault_outcome fault_outcome_named(const char *name)
{
	int k;
	for (k = FAULT_ERROR; k <= FAULT_HANG; k++)
		if (!strcmp(name, outcome_names[k]))
			return (enum fault_outcome)k;
	return FAULT_NONE;
}

/* ---- the profile ---- */

static void rule_release(struct fault_rule *r)
{
	size_t i;
	free(r->name);
	cJSON_Delete(r->source);
	for (i = 0; i < r->nmethods; i++)
		free(r->methods[i]);
	free(r->methods);
	regex_free(r->path_re);
	regex_free(r->desc_re);
	free(r->state);
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		regex_free(r->headers[i].re);
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
};

/* What an error says: struct err keeps no more of it. */
#define MESSAGE_MAX sizeof(((struct err *)0)->msg)

static int bad(struct reader *rd, const char *at, const char *fmt, ...)
	ATTR_PRINTF(3, 4);

static int bad(struct reader *rd, const char *at, const char *fmt, ...)
{
	char msg[MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_setat(rd->e, ERR_SHAPE, at, "%s", msg);
}

/* x as text: the shorter of 15 and 17 digits that reads back as x. */
static void number_text(double x, char *out, size_t n)
{
	snprintf(out, n, "%.15g", x);
	if (strtod(out, NULL) != x)
		snprintf(out, n, "%.17g", x);
}

/*
 * A duration in milliseconds, read by duration_parse: a string with a
 * unit ("250ms", "1.5s", "2m", "500us", "1h"), or a number (bare, as a
 * number or a string), which in a profile has always counted
 * milliseconds.
 */
static int duration_ms(struct reader *rd, const char *at, const cJSON *v,
		       double *out)
{
	char num[40], *text = NULL;
	const char *s;
	struct err e;
	int rc;
	if (cJSON_IsString(v)) {
		s = v->valuestring;
	} else if (cJSON_IsNumber(v)) {
		number_text(v->valuedouble, num, sizeof(num));
		s = num;
	} else {
		text = cJSON_PrintUnformatted(v); /* quoted in the error */
		s = text ? text : "";
	}
	err_clear(&e);
	rc = duration_parse(s, 1, out, &e);
	cJSON_free(text);
	return rc ? bad(rd, at, "%s", e.msg) : 0;
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

static struct regex *regex(struct reader *rd, const char *at, const cJSON *v)
{
	struct regex *re;
	struct err e;
	if (!cJSON_IsString(v)) {
		bad(rd, at, "expected a regular expression (a string)");
		return NULL;
	}
	err_clear(&e);
	re = regex_compile(v->valuestring, 0, &e);
	if (!re)
		bad(rd, at, "%s", e.msg);
	return re;
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
		if (integer_in(rd, at, v, STUB_FINAL_STATUS_MIN,
			       STUB_STATUS_MAX, &status))
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
	if (x && integer_in(rd, sub, x, STUB_FINAL_STATUS_MIN, STUB_STATUS_MAX,
			    &status))
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

/*
 * A rule is read key by key, as rule_keys[] below says: what kind of key
 * each is, the outcome it chooses (if any) and its reader. Matching and
 * effects are read first, in table order, then the rule as a whole is
 * checked, then its triggers; so the table's order is the order in which
 * a rule's errors are found.
 */
enum key_kind {
	KEY_NOTE,    /* name, comment: read elsewhere, or not at all */
	KEY_MATCH,   /* which requests the rule touches */
	KEY_EFFECT,  /* what the client sees: a rule needs one at least */
	KEY_TRIGGER, /* when it fires */
};

#define OFF_WHEN_FALSE 1 /* false is as good as absent */
#define ONLY_TRUE 2	 /* true is the only other value */

typedef int (*rule_reader_fn)(struct reader *rd, const char *at, const cJSON *v,
			      struct fault_rule *r);

struct rule_key {
	const char *key;
	enum key_kind kind;
	enum fault_outcome outcome; /* FAULT_NONE: the answer is still sent */
	int flags;
	rule_reader_fn read; /* NULL: nothing more to read */
};

static int read_match_key(struct reader *rd, const char *at, const cJSON *v,
			  struct fault_rule *r)
{
	return read_match(rd, at, v, r);
}

static int read_latency_key(struct reader *rd, const char *at, const cJSON *v,
			    struct fault_rule *r)
{
	return read_latency(rd, at, v, &r->latency);
}

static int read_truncate(struct reader *rd, const char *at, const cJSON *v,
			 struct fault_rule *r)
{
	static const char *const tk[] = { "bytes", "fraction", NULL };
	const cJSON *b, *f;
	if (cJSON_IsNumber(v))
		return integer_in(rd, at, v, 0, FAULT_MAX_COUNT,
				  &r->trunc_bytes);
	if (!cJSON_IsObject(v))
		return bad(rd, at, "expected {bytes: N} or {fraction: F}");
	if (known_keys(rd, at, v, tk))
		return -1;
	b = cJSON_GetObjectItemCaseSensitive(v, "bytes");
	f = cJSON_GetObjectItemCaseSensitive(v, "fraction");
	if (!b == !f)
		return bad(rd, at, "give one of bytes or fraction");
	if (b && integer_in(rd, at, b, 0, FAULT_MAX_COUNT, &r->trunc_bytes))
		return -1;
	if (f && number_in(rd, at, f, 0, 1, &r->trunc_fraction))
		return -1;
	return 0;
}

static int read_garbage(struct reader *rd, const char *at, const cJSON *v,
			struct fault_rule *r)
{
	static const char *const gk[] = { "bytes", NULL };
	long n = FAULT_DEFAULT_GARBAGE;
	if (cJSON_IsObject(v)) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(v, "bytes");
		if (known_keys(rd, at, v, gk))
			return -1;
		if (b && integer_in(rd, at, b, 1, FAULT_MAX_GARBAGE, &n))
			return -1;
	} else if (cJSON_IsNumber(v)) {
		if (integer_in(rd, at, v, 1, FAULT_MAX_GARBAGE, &n))
			return -1;
	} else if (!is_on(v)) {
		return bad(rd, at, "expected true or {bytes: N}");
	}
	r->garbage_bytes = (size_t)n;
	return 0;
}

static int read_hang(struct reader *rd, const char *at, const cJSON *v,
		     struct fault_rule *r)
{
	return cJSON_IsTrue(v) ? 0 : duration_ms(rd, at, v, &r->hang_ms);
}

static int read_bandwidth(struct reader *rd, const char *at, const cJSON *v,
			  struct fault_rule *r)
{
	return rate(rd, at, v, &r->bandwidth);
}

static int read_slow_head(struct reader *rd, const char *at, const cJSON *v,
			  struct fault_rule *r)
{
	return duration_ms(rd, at, v, &r->slow_head_ms);
}

static int read_probability(struct reader *rd, const char *at, const cJSON *v,
			    struct fault_rule *r)
{
	if (number_in(rd, at, v, 0, 1, &r->probability))
		return -1;
	r->has_probability = 1;
	return 0;
}

static int read_sequence(struct reader *rd, const char *at, const cJSON *v,
			 struct fault_rule *r);

static int read_repeat(struct reader *rd, const char *at, const cJSON *v,
		       struct fault_rule *r)
{
	if (!cJSON_IsBool(v))
		return bad(rd, at, "expected true or false");
	r->repeat = cJSON_IsTrue(v);
	return 0;
}

static int read_times(struct reader *rd, const char *at, const cJSON *v,
		      struct fault_rule *r)
{
	return integer_in(rd, at, v, 0, FAULT_MAX_COUNT, &r->times);
}

static int read_after(struct reader *rd, const char *at, const cJSON *v,
		      struct fault_rule *r)
{
	return duration_ms(rd, at, v, &r->after_ms);
}

static int read_for(struct reader *rd, const char *at, const cJSON *v,
		    struct fault_rule *r)
{
	return duration_ms(rd, at, v, &r->for_ms);
}

/* After `for` (the table's order): the window must fit the period. */
static int read_every(struct reader *rd, const char *at, const cJSON *v,
		      struct fault_rule *r)
{
	if (duration_ms(rd, at, v, &r->every_ms))
		return -1;
	if (r->every_ms <= 0)
		return bad(rd, at, "every must be above zero");
	if (r->for_ms <= 0 || r->for_ms >= r->every_ms)
		return bad(rd, at,
			   "every needs a 'for' window shorter than itself");
	return 0;
}

/* clang-format off */
static const struct rule_key rule_keys[] = {
	{ "name", KEY_NOTE, FAULT_NONE, 0, NULL },
	{ "match", KEY_MATCH, FAULT_NONE, 0, read_match_key },
	{ "latency", KEY_EFFECT, FAULT_NONE, 0, read_latency_key },
	{ "error", KEY_EFFECT, FAULT_ERROR, 0, read_error },
	{ "reset", KEY_EFFECT, FAULT_RESET, OFF_WHEN_FALSE | ONLY_TRUE, NULL },
	{ "close", KEY_EFFECT, FAULT_CLOSE, OFF_WHEN_FALSE | ONLY_TRUE, NULL },
	{ "truncate", KEY_EFFECT, FAULT_TRUNCATE, 0, read_truncate },
	{ "garbage", KEY_EFFECT, FAULT_GARBAGE, OFF_WHEN_FALSE, read_garbage },
	{ "malformed-chunk", KEY_EFFECT, FAULT_MALFORMED_CHUNK,
	  OFF_WHEN_FALSE | ONLY_TRUE, NULL },
	{ "hang", KEY_EFFECT, FAULT_HANG, OFF_WHEN_FALSE, read_hang },
	{ "bandwidth", KEY_EFFECT, FAULT_NONE, 0, read_bandwidth },
	{ "slow-head", KEY_EFFECT, FAULT_NONE, 0, read_slow_head },
	{ "probability", KEY_TRIGGER, FAULT_NONE, 0, read_probability },
	{ "sequence", KEY_TRIGGER, FAULT_NONE, 0, read_sequence },
	{ "repeat", KEY_TRIGGER, FAULT_NONE, 0, read_repeat },
	{ "times", KEY_TRIGGER, FAULT_NONE, 0, read_times },
	{ "after", KEY_TRIGGER, FAULT_NONE, 0, read_after },
	{ "for", KEY_TRIGGER, FAULT_NONE, 0, read_for },
	{ "every", KEY_TRIGGER, FAULT_NONE, 0, read_every },
	{ "comment", KEY_NOTE, FAULT_NONE, 0, NULL },
};
/* clang-format on */

#define NRULE_KEYS (sizeof(rule_keys) / sizeof(rule_keys[0]))

static const struct rule_key *rule_key(const char *name)
{
	size_t i;
	for (i = 0; i < NRULE_KEYS; i++)
		if (!strcmp(rule_keys[i].key, name))
			return &rule_keys[i];
	return NULL;
}

/*
 * The effects' names, comma-separated, for messages: every effect, or
 * only those that replace the answer (outcomes). Returns b->ptr.
 */
static const char *effect_names(struct buf *b, int outcomes)
{
	size_t i;
	for (i = 0; i < NRULE_KEYS; i++) {
		const struct rule_key *k = &rule_keys[i];
		if (k->kind != KEY_EFFECT ||
		    (outcomes && k->outcome == FAULT_NONE))
			continue;
		buf_addf(b, "%s%s", b->len ? ", " : "", k->key);
	}
	return b->ptr;
}

static int set_outcome(struct reader *rd, const char *at, struct fault_rule *r,
		       enum fault_outcome o)
{
	struct buf names;
	int rc;
	if (r->outcome == FAULT_NONE) {
		r->outcome = o;
		return 0;
	}
	buf_init(&names, 0);
	rc = bad(rd, at,
		 "a rule has at most one of %s (this one has %s and %s)",
		 effect_names(&names, 1), fault_outcome_name(r->outcome),
		 fault_outcome_name(o));
	buf_release(&names);
	return rc;
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
		const struct rule_key *k = s ? rule_key(s) : NULL;
		if (cJSON_IsBool(it))
			r->seq[i] = cJSON_IsTrue(it) ? 1 : 0;
		else if (s && (!strcmp(s, "ok") || !strcmp(s, "pass")))
			r->seq[i] = 0;
		else if (s && (!strcmp(s, "fault") || !strcmp(s, "fire") ||
			       (k && k->kind == KEY_EFFECT)))
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

/* Reads the keys of one kind that o has, in the table's order. */
static int read_keys(struct reader *rd, const char *base, const cJSON *o,
		     int triggers, struct fault_rule *r, int *effects)
{
	char at[300];
	size_t i;
	for (i = 0; i < NRULE_KEYS; i++) {
		const struct rule_key *k = &rule_keys[i];
		const cJSON *v;
		if (k->kind == KEY_NOTE || (k->kind == KEY_TRIGGER) != triggers)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(o, k->key);
		if (!v || ((k->flags & OFF_WHEN_FALSE) && cJSON_IsFalse(v)))
			continue;
		snprintf(at, sizeof(at), "%s/%s", base, k->key);
		if ((k->flags & ONLY_TRUE) && !cJSON_IsTrue(v))
			return bad(rd, at, "expected true");
		if (k->outcome != FAULT_NONE &&
		    set_outcome(rd, at, r, k->outcome))
			return -1;
		if (k->read && k->read(rd, at, v, r))
			return -1;
		if (k->kind == KEY_EFFECT)
			(*effects)++;
	}
	return 0;
}

static int read_rule(struct reader *rd, const cJSON *o, size_t index,
		     const char *name, struct fault_rule *r)
{
	char base[64], at[520];
	const cJSON *v;
	int effects = 0;

	snprintf(base, sizeof(base), "/rules/%zu", index);
	memset(r, 0, sizeof(*r));
	r->trunc_bytes = -1;
	r->times = -1;
	if (!cJSON_IsObject(o))
		return bad(rd, base, "a rule is an object");
	/* unknown keys are errors: a misspelt trigger must not pass */
	cJSON_ArrayForEach(v, o)
	{
		if (!rule_key(v->string)) {
			snprintf(at, sizeof(at), "%s/%s", base, v->string);
			return bad(rd, at, "unknown key '%s'", v->string);
		}
	}
	r->name = xstrdup(name);
	r->source = cJSON_Duplicate(o, 1);
	if (!cJSON_GetObjectItemCaseSensitive(r->source, "name"))
		cJSON_AddStringToObject(r->source, "name", name);
	if (read_keys(rd, base, o, 0, r, &effects))
		return -1;
	if (!effects) {
		struct buf names;
		int rc;
		buf_init(&names, 0);
		rc = bad(rd, base, "rule '%s' has no effect (%s)", name,
			 effect_names(&names, 0));
		buf_release(&names);
		return rc;
	}
	if (r->outcome == FAULT_HANG && (r->bandwidth > 0 || r->slow_head_ms))
		return bad(rd, base,
			   "a hang sends nothing: bandwidth and slow-head "
			   "do not apply");
	return read_keys(rd, base, o, 1, r, &effects);
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
		char name[FAULT_MAX_NAME + 1], at[64];
		snprintf(at, sizeof(at), "/rules/%zu/name", base + i);
		if (nm && (!cJSON_IsString(nm) || !nm->valuestring[0] ||
			   strlen(nm->valuestring) > FAULT_MAX_NAME))
			return bad(&rd, at,
				   "a rule name is a string of 1 to %d "
				   "characters",
				   FAULT_MAX_NAME);
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
		    v->valuedouble > (double)FAULT_SEED_MAX)
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
