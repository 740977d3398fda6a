/*
 * generate.c: the v3/v4 generators (RandomInt, RandomDecimal,
 * RandomHexadecimal, RandomString, Regex, Uuid, Date, Time, DateTime,
 * RandomBoolean, ProviderState, MockServerURL) applied to a copy of a
 * contract's example values, and the bytes a body is sent as. The stub
 * server uses them for responses (consumer mode), the verifier for
 * requests (provider mode).
 *
 * Choices worth knowing:
 * - Randomness is a splitmix64 counter stream: for each generator the seed
 *   is mixed with a hash of its category and key, and a counter advances
 *   per draw. The same seed gives the same values; the caller varies the
 *   seed per request. Adding a generator does not change the values of
 *   the others.
 * - Date, Time and DateTime use the current time in UTC (offsets print as
 *   Z or +00:00).
 * - MockServerURL: when the generator's regex matches the example and has
 *   capture groups, the result is the server's base URL followed by the
 *   groups (what pact-reference does); otherwise the path of the example
 *   is kept and prefixed with the base URL. In provider mode, and without
 *   a base URL, the example stays.
 * - ProviderState: "${key}" references are filled from the state params
 *   (in provider mode, the params merged with what the state-setup call
 *   returned); a missing key keeps the example.
 * - A Regex generator produces a string from a practical subset of regex
 *   syntax; a pattern outside it keeps the example value.
 */
#include "contracts/gen/internal.h"
#include "contracts/match/calendar.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The text of a value: strings as they are, the rest as compact JSON. */
static char *value_text(const cJSON *v)
{
	struct buf b;
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring ? v->valuestring : "");
	buf_init(&b, 0);
	json_write_compact(v, &b);
	return buf_detach(&b, NULL);
}

/* A copy of s in cJSON's allocator (cJSON_Delete frees it). */
static char *cj_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = cJSON_malloc(n);
	if (!p)
		abort();
	memcpy(p, s, n);
	return p;
}

/* A number node that prints as `literal` exactly. */
static cJSON *number_literal(const char *literal)
{
	cJSON *n = cJSON_CreateNumber(strtod(literal, NULL));
	if (!n)
		abort();
	n->valuestring = cj_strdup(literal);
	return n;
}

static cJSON *number_int(long long v)
{
	char tmp[32];
	if (v > -(1LL << 53) && v < (1LL << 53))
		return cJSON_CreateNumber((double)v);
	snprintf(tmp, sizeof(tmp), "%lld", v);
	return number_literal(tmp);
}

/* ---- media types ---- */

/* Is ct a JSON media type: application/json, text/json, anything +json? */
static int ct_is_json(const char *ct)
{
	const char *end, *slash, *sub;
	size_t n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	end = strchr(ct, ';');
	if (!end)
		end = ct + strlen(ct);
	while (end > ct && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	slash = memchr(ct, '/', (size_t)(end - ct));
	if (!slash)
		return 0;
	sub = slash + 1;
	n = (size_t)(end - sub);
	return (n == 4 && !str_ncasecmp(sub, "json", 4)) ||
	       (n > 5 && !str_ncasecmp(end - 5, "+json", 5));
}

/* ---- bodies ---- */

static const char *encoding_name(const struct body *b)
{
	return cJSON_IsString(b->encoded) ? b->encoded->valuestring : NULL;
}

/*
 * The bytes of body b whose content is `json` (the example, or a copy with
 * generated values). `parsed`: json is the tree parsed from an encoded
 * "JSON" string. hdr_ct is the contract's Content-Type header, if any.
 * Bytes that need building go into tmp; o points at them.
 */
int body_encode(const struct body *b, const cJSON *json, int parsed,
		const char *hdr_ct, struct buf *tmp, struct body_out *o,
		struct err *e)
{
	const char *enc = encoding_name(b);
	const char *ct = hdr_ct ? hdr_ct : b->content_type;
	o->p = "";
	o->len = 0;
	o->ct = NULL;
	if (!b->present || !json)
		return 0;
	if (enc && !str_casecmp(enc, "base64") && !parsed) {
		const char *s = cJSON_IsString(json) ? json->valuestring : NULL;
		if (!s || base64_decode(s, strlen(s), tmp))
			return err_set(e, ERR_SHAPE, "%s",
				       "body is not valid base64");
		o->p = tmp->ptr;
		o->len = tmp->len;
		o->ct = b->content_type ? b->content_type
					: "application/octet-stream";
		return 0;
	}
	if (enc && !str_casecmp(enc, "JSON") && !parsed &&
	    cJSON_IsString(json)) {
		o->p = json->valuestring;
		o->len = strlen(json->valuestring);
		o->ct = b->content_type ? b->content_type : "application/json";
		return 0;
	}
	if (cJSON_IsNull(json) && !parsed) {
		/* Pact reads a null body as no body */
		o->ct = b->content_type;
		return 0;
	}
	if (cJSON_IsString(json) && !(ct && ct_is_json(ct))) {
		o->p = json->valuestring;
		o->len = strlen(json->valuestring);
		o->ct = b->content_type ? b->content_type
			: o->len	? "text/plain"
					: NULL;
		return 0;
	}
	json_write_compact(json, tmp);
	o->p = tmp->ptr;
	o->len = tmp->len;
	o->ct = b->content_type ? b->content_type : "application/json";
	return 0;
}

/* ---- generators: context and small helpers ---- */

struct gctx {
	const struct gen_opts *g;
	struct rng rng;
	const char *where; /* "body '$.id'", for messages */
	struct err *e;
};

static void gctx_stream(struct gctx *c, const char *category, const char *key)
{
	/* each generator its own stream */
	uint64_t h = hash_fnv1a(HASH_FNV_OFFSET, category);
	h = hash_fnv1a(h ^ 0xff, key);
	c->rng.seed = c->g->seed ^ h;
	c->rng.counter = 0;
}

/* An integer member of a generator: def when absent. */
static int gen_long(struct gctx *c, const cJSON *gen, const char *key, long def,
		    long lo, long hi, long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(gen, key);
	*out = def;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    v->valuedouble >= (double)lo && v->valuedouble <= (double)hi) {
		*out = (long)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && !parse_long(v->valuestring, lo, hi, out))
		return 0;
	return err_set(c->e, ERR_SHAPE,
		       "generator %s: '%s' must be an integer from %ld to %ld",
		       c->where, key, lo, hi);
}

static const char *gen_str(const cJSON *gen, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(gen, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A string result, or a number when the example was one and s is numeric. */
static cJSON *like_example(const cJSON *example, const char *s, int numeric)
{
	if (numeric && !cJSON_IsString(example))
		return number_literal(s);
	return cJSON_CreateString(s);
}

static void rand_chars(struct rng *r, const char *alphabet, size_t n,
		       struct buf *out)
{
	size_t k = strlen(alphabet);
	while (n--)
		buf_addch(out, alphabet[rng_below(r, k)]);
}

/* ---- Date, Time, DateTime ---- */

struct moment {
	long long sec; /* since 1970-01-01T00:00:00Z */
	long nsec;
};

struct civil {
	long long year, days; /* days since the epoch */
	int month, day, yday; /* yday from 1 */
	int wday;	      /* 1 = Monday .. 7 = Sunday */
	int hour, min, sec;
	long nsec;
};

static long long floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void civil_from(const struct moment *t, struct civil *c)
{
	long long days = floor_div(t->sec, 86400);
	long long secs = t->sec - days * 86400;
	cal_date(days, &c->year, &c->month, &c->day);
	c->days = days;
	c->yday = cal_day_of_year(c->year, c->month, c->day);
	c->wday = cal_weekday(days);
	c->hour = (int)(secs / 3600);
	c->min = (int)(secs / 60 % 60);
	c->sec = (int)(secs % 60);
	c->nsec = t->nsec;
}

static void moment_from_civil(const struct civil *c, struct moment *t)
{
	t->sec = cal_days(c->year, c->month, c->day) * 86400 + c->hour * 3600 +
		 c->min * 60 + c->sec;
	t->nsec = c->nsec;
}

static void put_pad(struct buf *b, long long v, int width)
{
	buf_addf(b, "%0*lld", width, v);
}

/* A name in full (n == 4), abbreviated to 3 letters (n < 4) or 1. */
static void put_name(struct buf *b, const char *name, int n)
{
	if (n == 4)
		buf_addstr(b, name);
	else
		buf_add(b, name, n == 5 ? 1 : 3);
}

/* One run of a pattern letter; -1 when the generator cannot write it. */
static int put_field(struct buf *b, char ch, int n, const struct civil *c)
{
	long long wyear;
	int week, q = (c->month - 1) / 3 + 1;
	switch (ch) {
	case 'G':
		/* always AD, as before the calendar was shared */
		buf_addstr(b, cal_era_names[n == 4 ? 1 : n == 5 ? 2 : 0][1]);
		return 0;
	case 'y':
	case 'u':
	case 'Y':
		if (ch == 'Y')
			cal_iso_week(c->year, c->yday, c->wday, &wyear, &week);
		else
			wyear = c->year;
		if (n == 2)
			put_pad(b, ((wyear % 100) + 100) % 100, 2);
		else
			put_pad(b, wyear, n);
		return 0;
	case 'D':
		put_pad(b, c->yday, n);
		return 0;
	case 'M':
	case 'L':
		if (n <= 2)
			put_pad(b, c->month, n);
		else
			put_name(b, cal_month_names[c->month - 1], n);
		return 0;
	case 'd':
		put_pad(b, c->day, n);
		return 0;
	case 'g':
		put_pad(b, c->days + 40587, n); /* modified Julian day */
		return 0;
	case 'Q':
	case 'q':
		if (n == 3 || n == 4)
			buf_addstr(b, cal_quarter_names[n - 3][q - 1]);
		else
			put_pad(b, q, n == 2 ? 2 : 1);
		return 0;
	case 'w':
		cal_iso_week(c->year, c->yday, c->wday, &wyear, &week);
		put_pad(b, week, n);
		return 0;
	case 'F':
		put_pad(b, (c->day - 1) / 7 + 1, n);
		return 0;
	case 'E':
		put_name(b, cal_day_names[c->wday - 1], n);
		return 0;
	case 'e':
	case 'c':
		if (n <= 2)
			put_pad(b, c->wday, n);
		else
			put_name(b, cal_day_names[c->wday - 1], n);
		return 0;
	case 'a':
		buf_addstr(b, c->hour < 12 ? "AM" : "PM");
		return 0;
	case 'h':
		put_pad(b, c->hour % 12 ? c->hour % 12 : 12, n);
		return 0;
	case 'K':
		put_pad(b, c->hour % 12, n);
		return 0;
	case 'k':
		put_pad(b, c->hour ? c->hour : 24, n);
		return 0;
	case 'H':
		put_pad(b, c->hour, n);
		return 0;
	case 'm':
		put_pad(b, c->min, n);
		return 0;
	case 's':
		put_pad(b, c->sec, n);
		return 0;
	case 'S': {
		char digits[16];
		snprintf(digits, sizeof(digits), "%09ld", c->nsec);
		buf_add(b, digits, (size_t)(n > 9 ? 9 : n));
		return 0;
	}
	case 'n':
		put_pad(b, c->nsec, n);
		return 0;
	case 'A':
		put_pad(b,
			(c->hour * 3600LL + c->min * 60 + c->sec) * 1000 +
				c->nsec / 1000000,
			n);
		return 0;
	case 'N':
		put_pad(b,
			(c->hour * 3600LL + c->min * 60 + c->sec) *
					1000000000LL +
				c->nsec,
			n);
		return 0;
	case 'X':
	case 'V':
		buf_addch(b, 'Z');
		return 0;
	case 'x':
		buf_addstr(b, n == 1		 ? "+00"
			      : n == 3 || n == 5 ? "+00:00"
						 : "+0000");
		return 0;
	case 'Z':
		buf_addstr(b, n == 4 ? "GMT" : n == 5 ? "Z" : "+0000");
		return 0;
	case 'z':
	case 'v':
		buf_addstr(b, n == 4 ? "Coordinated Universal Time" : "UTC");
		return 0;
	case 'O':
		buf_addstr(b, "GMT");
		return 0;
	default:
		return -1;
	}
}

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Formats t with a Java DateTimeFormatter pattern. Optional sections are
 * written out; quoted text is copied. Returns -1 with err set on letters
 * the generator does not write (B, W, p, ...).
 */
static int format_moment(struct gctx *cx, const char *fmt,
			 const struct moment *t, struct buf *out)
{
	struct civil c;
	size_t i = 0;
	civil_from(t, &c);
	while (fmt[i]) {
		char ch = fmt[i];
		if (ch == '\'') {
			if (fmt[i + 1] == '\'') {
				buf_addch(out, '\'');
				i += 2;
				continue;
			}
			for (i++; fmt[i]; i++) {
				if (fmt[i] == '\'' && fmt[i + 1] == '\'') {
					buf_addch(out, '\'');
					i++;
				} else if (fmt[i] == '\'') {
					break;
				} else {
					buf_addch(out, fmt[i]);
				}
			}
			if (fmt[i])
				i++;
		} else if (ch == '[' || ch == ']') {
			i++;
		} else if (is_letter(ch)) {
			int n = 0;
			while (fmt[i] == ch) {
				i++;
				n++;
			}
			if (n > 19 || put_field(out, ch, n, &c))
				return err_set(
					cx->e, ERR_UNSUPPORTED,
					"generator %s: format letter '%c' is not supported",
					cx->where, ch);
		} else if (ch == '#' || ch == '{' || ch == '}') {
			return err_set(
				cx->e, ERR_UNSUPPORTED,
				"generator %s: reserved format character '%c'",
				cx->where, ch);
		} else {
			buf_addch(out, ch);
			i++;
		}
	}
	return 0;
}

static void add_months(struct moment *t, long long months)
{
	struct civil c;
	long long m;
	civil_from(t, &c);
	m = c.year * 12 + (c.month - 1) + months;
	c.year = floor_div(m, 12);
	c.month = (int)(m - c.year * 12) + 1;
	if (c.day > cal_month_days(c.year, c.month))
		c.day = cal_month_days(c.year, c.month);
	moment_from_civil(&c, t);
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The word at s (letters and '), its length in *n. */
static int word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && !str_ncasecmp(s, w, n);
}

/*
 * Date expressions: a base (now, today, tomorrow, yesterday, midnight,
 * noon; now when absent) followed by "+ N unit" / "- N unit" terms
 * (millisecond, second, minute, hour, day, week, fortnight, month, year,
 * singular or plural). Anything else: -1 with err set.
 */
static int date_expression(struct gctx *cx, const char *expr, struct moment *t)
{
	const char *s = skip_space(expr), *w;
	size_t n;
	struct civil c;
	w = s;
	while (is_letter(*s))
		s++;
	n = (size_t)(s - w);
	if (n) {
		if (word_is(w, n, "tomorrow")) {
			t->sec += 86400;
		} else if (word_is(w, n, "yesterday")) {
			t->sec -= 86400;
		} else if (word_is(w, n, "midnight") || word_is(w, n, "noon")) {
			civil_from(t, &c);
			c.hour = word_is(w, n, "noon") ? 12 : 0;
			c.min = c.sec = 0;
			c.nsec = 0;
			moment_from_civil(&c, t);
		} else if (!word_is(w, n, "now") && !word_is(w, n, "today")) {
			goto bad;
		}
	}
	for (;;) {
		int sign;
		long long k = 0;
		s = skip_space(s);
		if (!*s)
			return 0;
		if (*s != '+' && *s != '-')
			goto bad;
		sign = *s++ == '-' ? -1 : 1;
		s = skip_space(s);
		if (*s < '0' || *s > '9')
			goto bad;
		while (*s >= '0' && *s <= '9' && k < 100000000)
			k = k * 10 + (*s++ - '0');
		s = skip_space(s);
		w = s;
		while (is_letter(*s))
			s++;
		n = (size_t)(s - w);
		if (n > 1 && (w[n - 1] == 's' || w[n - 1] == 'S'))
			n--; /* plural */
		k *= sign;
		if (word_is(w, n, "millisecond") || word_is(w, n, "milli")) {
			long long ns = t->nsec + (k % 1000) * 1000000;
			t->sec += k / 1000 + floor_div(ns, 1000000000);
			t->nsec = (long)(ns - floor_div(ns, 1000000000) *
						      1000000000);
		} else if (word_is(w, n, "second")) {
			t->sec += k;
		} else if (word_is(w, n, "minute")) {
			t->sec += k * 60;
		} else if (word_is(w, n, "hour")) {
			t->sec += k * 3600;
		} else if (word_is(w, n, "day")) {
			t->sec += k * 86400;
		} else if (word_is(w, n, "week")) {
			t->sec += k * 7 * 86400;
		} else if (word_is(w, n, "fortnight")) {
			t->sec += k * 14 * 86400;
		} else if (word_is(w, n, "month")) {
			add_months(t, k);
		} else if (word_is(w, n, "year")) {
			add_months(t, k * 12);
		} else {
			goto bad;
		}
	}
bad:
	return err_set(cx->e, ERR_UNSUPPORTED,
		       "generator %s: unsupported date expression '%s'",
		       cx->where, expr);
}

static int gen_datetime(struct gctx *cx, enum generator_type type,
			const cJSON *gen, cJSON **out)
{
	const char *fmt = gen_str(gen, "format");
	const char *expr = gen_str(gen, "expression");
	struct timespec ts;
	struct moment t;
	struct buf b;
	if (!fmt)
		fmt = type == G_DATE   ? "yyyy-MM-dd"
		      : type == G_TIME ? "HH:mm:ss"
				       : "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
	clock_gettime(CLOCK_REALTIME, &ts);
	t.sec = (long long)ts.tv_sec;
	t.nsec = ts.tv_nsec;
	if (expr && date_expression(cx, expr, &t))
		return -1;
	buf_init(&b, 0);
	if (format_moment(cx, fmt, &t, &b)) {
		buf_release(&b);
		return -1;
	}
	*out = cJSON_CreateString(b.ptr);
	buf_release(&b);
	return 0;
}

/* ---- ProviderState and MockServerURL ---- */

static const cJSON *state_param(struct gctx *c, const char *key, size_t n)
{
	const cJSON *it;
	if (!cJSON_IsObject(c->g->state_params))
		return NULL;
	cJSON_ArrayForEach(it, c->g->state_params)
	{
		if (it->string && strlen(it->string) == n &&
		    !strncmp(it->string, key, n))
			return it;
	}
	return NULL;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Is s a whole JSON number (RFC 8259 grammar)? */
static int is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (is_digit(*s))
		while (is_digit(*s))
			s++;
	else
		return 0;
	if (*s == '.') {
		if (!is_digit(*++s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

/*
 * Fills "${key}" references from the chosen states' params. A whole
 * "${key}" gives the param's own JSON value (converted to the example's
 * type where that is lossless); in longer text values are interpolated.
 * A missing key keeps the example (*out stays NULL).
 */
static int gen_provider_state(struct gctx *c, const char *expr,
			      const cJSON *example, cJSON **out)
{
	const char *s = expr, *open, *close;
	const cJSON *v;
	struct buf b;
	size_t n = strlen(expr);
	if (n > 3 && !strncmp(expr, "${", 2) && expr[n - 1] == '}' &&
	    !memchr(expr + 2, '}', n - 3)) {
		v = state_param(c, expr + 2, n - 3);
		if (!v)
			return 0;
		if (cJSON_IsString(example) && !cJSON_IsString(v)) {
			char *t = value_text(v);
			*out = cJSON_CreateString(t);
			free(t);
		} else if (cJSON_IsNumber(example) && cJSON_IsString(v) &&
			   is_json_number(v->valuestring)) {
			*out = number_literal(v->valuestring);
		} else {
			*out = cJSON_Duplicate(v, 1);
		}
		return 0;
	}
	buf_init(&b, 0);
	for (;;) {
		open = strstr(s, "${");
		close = open ? strchr(open + 2, '}') : NULL;
		if (!close) {
			buf_addstr(&b, s);
			break;
		}
		buf_add(&b, s, (size_t)(open - s));
		v = state_param(c, open + 2, (size_t)(close - open - 2));
		if (!v) {
			buf_release(&b);
			return 0;
		}
		if (cJSON_IsString(v))
			buf_addstr(&b, v->valuestring);
		else
			json_write_compact(v, &b);
		s = close + 1;
	}
	*out = cJSON_CreateString(b.ptr);
	buf_release(&b);
	return 0;
}

/* The path of a URL: from the first '/' after "scheme://host". */
static const char *url_path(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return url[0] == '/' ? url : "";
	p = strchr(p + 3, '/');
	return p ? p : "";
}

/*
 * The captured groups of `regex` matched against `s`, concatenated into
 * out. Returns 1 when the regex matched and a group took part, 0
 * otherwise (a pattern that does not compile, which the reader has
 * refused, never matches).
 */
static int regex_groups(const char *regex, const char *s, struct buf *out)
{
	struct regex *re = regex_compile(regex, REGEX_ONE_OFF, NULL);
	int rc;
	if (!re)
		return 0;
	rc = regex_match_groups(re, s, strlen(s), 0, out);
	regex_free(re);
	return rc > 1;
}

static int gen_mock_url(struct gctx *c, const cJSON *gen, const cJSON *example,
			cJSON **out)
{
	const char *base = c->g->base_url, *ex = gen_str(gen, "example");
	const char *regex = gen_str(gen, "regex");
	size_t blen;
	struct buf b;
	if (!base || c->g->mode == GEN_PROVIDER)
		return 0;
	if (!ex && cJSON_IsString(example))
		ex = example->valuestring;
	if (!ex)
		return 0;
	blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	buf_init(&b, 0);
	buf_add(&b, base, blen);
	if (!regex || !regex_groups(regex, ex, &b))
		buf_addstr(&b, url_path(ex));
	*out = cJSON_CreateString(b.ptr);
	buf_release(&b);
	return 0;
}

/* ---- one generator ---- */

static int gen_uuid(struct gctx *c, const cJSON *gen, cJSON **out)
{
	static const char lower[] = "0123456789abcdef";
	static const char upper[] = "0123456789ABCDEF";
	const char *fmt = gen_str(gen, "format"), *digits = lower;
	unsigned char u[16];
	uint64_t a = rng_next(&c->rng), b = rng_next(&c->rng);
	char s[64];
	size_t i, o = 0;
	int hyphens = 1;
	for (i = 0; i < 8; i++) {
		u[i] = (unsigned char)(a >> (8 * i));
		u[8 + i] = (unsigned char)(b >> (8 * i));
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	if (!fmt || !strcmp(fmt, "lower-case-hyphenated")) {
		/* the default */
	} else if (!strcmp(fmt, "simple")) {
		hyphens = 0;
	} else if (!strcmp(fmt, "upper-case-hyphenated")) {
		digits = upper;
	} else if (!strcmp(fmt, "URN")) {
		memcpy(s, "urn:uuid:", 9);
		o = 9;
	} else {
		return err_set(c->e, ERR_UNSUPPORTED,
			       "generator %s: unknown Uuid format '%s'",
			       c->where, fmt);
	}
	for (i = 0; i < 16; i++) {
		if (hyphens && (i == 4 || i == 6 || i == 8 || i == 10))
			s[o++] = '-';
		s[o++] = digits[u[i] >> 4];
		s[o++] = digits[u[i] & 15];
	}
	s[o] = '\0';
	*out = cJSON_CreateString(s);
	return 0;
}

static int gen_random_int(struct gctx *c, const cJSON *gen,
			  const cJSON *example, cJSON **out)
{
	long min, max;
	long long v;
	char s[32];
	if (gen_long(c, gen, "min", 0, LONG_MIN, LONG_MAX, &min) ||
	    gen_long(c, gen, "max", 2147483647L, LONG_MIN, LONG_MAX, &max))
		return -1;
	if (min > max)
		return err_set(c->e, ERR_SHAPE,
			       "generator %s: min %ld is greater than max %ld",
			       c->where, min, max);
	v = (long long)((uint64_t)min +
			rng_below(&c->rng, (uint64_t)max - (uint64_t)min + 1));
	if (cJSON_IsString(example)) {
		snprintf(s, sizeof(s), "%lld", v);
		*out = cJSON_CreateString(s);
	} else {
		*out = number_int(v);
	}
	return 0;
}

/* `digits` significant digits with a point somewhere inside. */
static int gen_random_decimal(struct gctx *c, const cJSON *gen,
			      const cJSON *example, cJSON **out)
{
	long digits;
	size_t point, i;
	struct buf b;
	if (gen_long(c, gen, "digits", 10, 1, 1000, &digits))
		return -1;
	buf_init(&b, 0);
	point = digits > 1
			? 1 + (size_t)rng_below(&c->rng, (uint64_t)digits - 1)
			: 0;
	for (i = 0; i < (size_t)digits; i++) {
		if (point && i == point)
			buf_addch(&b, '.');
		/* no leading zero unless the point follows it */
		if (i == 0 && point != 1)
			buf_addch(&b, (char)('1' + rng_below(&c->rng, 9)));
		else
			buf_addch(&b, (char)('0' + rng_below(&c->rng, 10)));
	}
	*out = like_example(example, b.ptr, 1);
	buf_release(&b);
	return 0;
}

static int gen_chars(struct gctx *c, const cJSON *gen, const char *key,
		     long def, const char *alphabet, cJSON **out)
{
	long n;
	struct buf b;
	if (gen_long(c, gen, key, def, 0, 1L << 20, &n))
		return -1;
	buf_init(&b, 0);
	rand_chars(&c->rng, alphabet, (size_t)n, &b);
	*out = cJSON_CreateString(b.ptr);
	buf_release(&b);
	return 0;
}

#define RX_TRIES 8 /* draws checked before keeping the example */

/*
 * Generated strings are checked with PCRE2: the generator ignores what it
 * cannot honour inside a pattern (an anchor or \b in the middle), so a few
 * draws are tried before the example is kept.
 */
static int gen_regex(struct gctx *c, const cJSON *gen, cJSON **out)
{
	const char *re = gen_str(gen, "regex");
	struct regex *rx = NULL;
	struct buf b;
	int tries, ok = 0;
	if (!re)
		return err_set(c->e, ERR_SHAPE,
			       "generator %s: Regex needs a regex string",
			       c->where);
	buf_init(&b, RX_MAX_OUT);
	for (tries = 0; tries < RX_TRIES && !ok; tries++) {
		buf_reset(&b);
		if (regex_generate(re, &c->rng, &b))
			break;
		if (!rx)
			rx = regex_compile(re, REGEX_ONE_OFF, NULL);
		if (!rx)
			break;
		ok = regex_match(rx, b.ptr, b.len, REGEX_WHOLE) > 0;
	}
	if (ok)
		*out = cJSON_CreateString(b.ptr);
	regex_free(rx);
	buf_release(&b);
	return 0;
}

/*
 * Runs generator `gen` on `example`. Sets *out to a new value, or leaves
 * it NULL to keep the example. Returns -1 with err set when the generator
 * cannot run (unknown type, bad parameters).
 */
static int gen_value(struct gctx *c, const cJSON *gen, const cJSON *example,
		     cJSON **out)
{
	const char *type = gen_str(gen, "type");
	enum generator_type t;
	*out = NULL;
	if (!type)
		return err_set(c->e, ERR_SHAPE, "generator %s: no type given",
			       c->where);
	t = generator_parse(type);
	switch (t) {
	case G_RANDOM_INT:
		return gen_random_int(c, gen, example, out);
	case G_RANDOM_DECIMAL:
		return gen_random_decimal(c, gen, example, out);
	case G_RANDOM_HEXADECIMAL:
		return gen_chars(c, gen, "digits", 8, "0123456789abcdef", out);
	case G_RANDOM_STRING:
		return gen_chars(c, gen, "size", 20,
				 "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
				 out);
	case G_REGEX:
		return gen_regex(c, gen, out);
	case G_UUID:
		return gen_uuid(c, gen, out);
	case G_DATE:
	case G_TIME:
	case G_DATETIME:
		return gen_datetime(c, t, gen, out);
	case G_RANDOM_BOOLEAN: {
		int v = (int)(rng_next(&c->rng) >> 63);
		*out = cJSON_IsString(example)
			       ? cJSON_CreateString(v ? "true" : "false")
			       : cJSON_CreateBool(v);
		return 0;
	}
	case G_PROVIDER_STATE: {
		const char *expr = gen_str(gen, "expression");
		if (!expr)
			return err_set(
				c->e, ERR_SHAPE,
				"generator %s: ProviderState needs an expression",
				c->where);
		return gen_provider_state(c, expr, example, out);
	}
	case G_MOCK_SERVER_URL:
		return gen_mock_url(c, gen, example, out);
	case G_UNKNOWN:
		break;
	}
	return err_set(c->e, ERR_UNSUPPORTED, "generator %s: unknown type '%s'",
		       c->where, type);
}

/* ---- where generators apply ---- */

static void set_where(char *where, size_t n, const char *category,
		      const char *key)
{
	if (key)
		snprintf(where, n, "%s '%s'", category, key);
	else
		snprintf(where, n, "%s", category);
}

static int walk(struct gctx *c, const cJSON *gen, cJSON **root, cJSON *parent,
		cJSON *node, const struct path *p, size_t i)
{
	cJSON *kid, *next, *v = NULL;
	if (i == p->n) {
		if (gen_value(c, gen, node, &v))
			return -1;
		if (!v)
			return 0;
		if (!parent) {
			cJSON_Delete(*root);
			*root = v;
			return 0;
		}
		/* a duplicated param brings its own key: replace it */
		if (v->string && !(v->type & cJSON_StringIsConst))
			cJSON_free(v->string);
		v->string = node->string ? cj_strdup(node->string) : NULL;
		v->type &= ~cJSON_StringIsConst;
		if (!cJSON_ReplaceItemViaPointer(parent, node, v))
			cJSON_Delete(v);
		return 0;
	}
	switch (p->segs[i].kind) {
	case SEG_ROOT:
		return parent ? 0 : walk(c, gen, root, parent, node, p, i + 1);
	case SEG_FIELD:
		if (!cJSON_IsObject(node))
			return 0;
		kid = cJSON_GetObjectItemCaseSensitive(node, p->segs[i].name);
		return kid ? walk(c, gen, root, node, kid, p, i + 1) : 0;
	case SEG_INDEX:
		if (!cJSON_IsArray(node) || p->segs[i].index > INT32_MAX)
			return 0;
		kid = cJSON_GetArrayItem(node, (int)p->segs[i].index);
		return kid ? walk(c, gen, root, node, kid, p, i + 1) : 0;
	case SEG_STAR:
		if (!cJSON_IsArray(node) && !cJSON_IsObject(node))
			return 0;
		/* a generated kid replaces (and frees) the one visited */
		for (kid = node->child; kid; kid = next) {
			next = kid->next;
			if (walk(c, gen, root, node, kid, p, i + 1))
				return -1;
		}
		return 0;
	}
	return 0;
}

static void gctx_init(struct gctx *c, const struct gen_opts *o, struct err *e)
{
	static const struct gen_opts none;
	memset(c, 0, sizeof(*c));
	c->g = o ? o : &none;
	c->e = e;
}

static int body_tree(struct gctx *c, const cJSON *cat, cJSON **body)
{
	const cJSON *gen;
	char where[300];
	struct path p;
	cJSON_ArrayForEach(gen, cat)
	{
		const char *key = gen->string ? gen->string : "$";
		int rc;
		set_where(where, sizeof(where), "body", key);
		c->where = where;
		gctx_stream(c, "body", key);
		if (path_parse(key, &p, c->e))
			return -1;
		rc = walk(c, gen, body, NULL, *body, &p, 0);
		path_release(&p);
		if (rc)
			return -1;
	}
	return 0;
}

int gen_tree(const cJSON *cat, cJSON **tree, const struct gen_opts *o,
	     struct err *e)
{
	struct gctx c;
	if (!cJSON_IsObject(cat))
		return 0;
	gctx_init(&c, o, e);
	return body_tree(&c, cat, tree);
}

/* One generator, or (tolerated) an object holding one as its first member. */
static const cJSON *single(const cJSON *cat)
{
	if (!cJSON_IsObject(cat))
		return NULL;
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(cat, "type")))
		return cat;
	return cJSON_IsObject(cat->child) ? cat->child : NULL;
}

int gen_status(const cJSON *cat, int *status, const struct gen_opts *o,
	       struct err *e)
{
	const cJSON *gen = single(cat);
	cJSON *v = NULL, *example;
	struct gctx c;
	long s;
	int rc;
	if (!gen)
		return 0;
	gctx_init(&c, o, e);
	c.where = "status";
	gctx_stream(&c, "status", NULL);
	example = cJSON_CreateNumber(*status);
	rc = gen_value(&c, gen, example, &v);
	cJSON_Delete(example);
	if (rc || !v)
		return rc;
	if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    v->valuedouble >= 100 && v->valuedouble <= 999)
		s = (long)v->valuedouble;
	else if (!cJSON_IsString(v) || parse_long(v->valuestring, 100, 999, &s))
		s = -1;
	cJSON_Delete(v);
	if (s < 0)
		return err_set(e, ERR_SHAPE, "%s",
			       "generator status: result is not a status code");
	*status = (int)s;
	return 0;
}

int gen_path(const cJSON *cat, const char *path, char **out,
	     const struct gen_opts *o, struct err *e)
{
	const cJSON *gen = single(cat);
	cJSON *v = NULL, *example;
	struct gctx c;
	int rc;
	*out = NULL;
	if (!gen)
		return 0;
	gctx_init(&c, o, e);
	c.where = "path";
	gctx_stream(&c, "path", NULL);
	example = cJSON_CreateString(path ? path : "");
	rc = gen_value(&c, gen, example, &v);
	cJSON_Delete(example);
	if (rc || !v)
		return rc;
	*out = value_text(v);
	cJSON_Delete(v);
	return 0;
}

int gen_fields(const cJSON *cat, const char *category, struct gen_field *f,
	       size_t n, const struct gen_opts *o, struct err *e)
{
	const cJSON *gen;
	char where[300];
	struct gctx c;
	size_t i;
	int nocase = !strcmp(category, "header");
	if (!cJSON_IsObject(cat))
		return 0;
	gctx_init(&c, o, e);
	cJSON_ArrayForEach(gen, cat)
	{
		if (!gen->string)
			continue;
		set_where(where, sizeof(where), category, gen->string);
		c.where = where;
		gctx_stream(&c, category, gen->string);
		for (i = 0; i < n; i++) {
			cJSON *example, *v = NULL;
			int rc;
			if (nocase ? str_casecmp(f[i].name, gen->string)
				   : strcmp(f[i].name, gen->string))
				continue;
			example = cJSON_CreateString(f[i].value);
			rc = gen_value(&c, gen, example, &v);
			cJSON_Delete(example);
			if (rc)
				return -1;
			if (v) {
				free(f[i].generated);
				f[i].generated = value_text(v);
				f[i].value = f[i].generated;
				cJSON_Delete(v);
			}
		}
	}
	return 0;
}

const cJSON *gen_category(const cJSON *gens, const char *name)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(gens, name);
	if (!c && !strcmp(name, "header"))
		c = cJSON_GetObjectItemCaseSensitive(gens, "headers");
	return cJSON_IsObject(c) ? c : NULL;
}

int gen_body(const cJSON *cat, const struct body *b, const struct gen_opts *o,
	     cJSON **out, int *parsed, struct err *e)
{
	const char *enc = encoding_name(b);
	struct gctx c;
	cJSON *work;
	*out = NULL;
	*parsed = 0;
	if (!cat || !b->present || !b->json)
		return 0;
	if (enc && !str_casecmp(enc, "base64"))
		return 0;
	if (enc && !str_casecmp(enc, "JSON") && cJSON_IsString(b->json)) {
		struct err ignore;
		err_clear(&ignore);
		work = json_parse_text("body", b->json->valuestring,
				       strlen(b->json->valuestring), &ignore);
		if (!work)
			return 0; /* not JSON after all: sent as written */
		*parsed = 1;
	} else {
		work = cJSON_Duplicate(b->json, 1);
		if (!work)
			abort();
	}
	gctx_init(&c, o, e);
	if (body_tree(&c, cat, &work)) {
		cJSON_Delete(work);
		return -1;
	}
	*out = work;
	return 0;
}
