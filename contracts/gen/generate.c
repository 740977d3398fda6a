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
#include "contracts/gen/gen.h"
#include "contracts/match/calendar.h"
#include "contracts/model/internal.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- randomness: splitmix64 over (seed, counter) ---- */

struct rng {
	uint64_t seed;
	uint64_t counter;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = r->seed + ++r->counter * UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * Uniform in [0, n); n == 0 stands for 2^64. Draws below 2^64 mod n are
 * rejected so that every residue is equally likely.
 */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t skew, x;
	if (n == 0)
		return rng_next(r);
	skew = (UINT64_MAX - n + 1) % n;
	do {
		x = rng_next(r);
	} while (x < skew);
	return x % n;
}

/* FNV-1a, to give each generator its own stream. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	while (s && *s) {
		h ^= (unsigned char)*s++;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

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
	uint64_t h = hash_str(UINT64_C(0xcbf29ce484222325), category);
	h = hash_str(h ^ 0xff, key);
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

/* ---- Regex generator ---- */

#define RX_MAX_NODES 4096
#define RX_MAX_DEPTH 64
#define RX_UNBOUNDED 8	    /* extra repeats for *, + and {n,} */
#define RX_MAX_OUT 8192	    /* longer outputs fall back to the example */
#define RX_MAX_STEPS 200000 /* nodes visited while generating */
#define RX_TRIES 8	    /* draws checked before keeping the example */

enum rn_kind { RN_SET, RN_LIT, RN_SEQ, RN_ALT, RN_REP };

struct rnode {
	enum rn_kind kind;
	unsigned char set[32]; /* RN_SET: the bytes it may produce */
	char lit[4];	       /* RN_LIT: one character, UTF-8 */
	size_t litlen;
	struct rnode **kids; /* RN_SEQ, RN_ALT */
	size_t n, cap;
	struct rnode *sub; /* RN_REP */
	long min, max;	   /* RN_REP; max -1: unbounded */
};

struct rx {
	const char *s;
	size_t i, len;
	int depth;
	struct rnode **all; /* every node, for freeing */
	size_t nall, capall;
	long steps;
};

static struct rnode *rx_new(struct rx *x, enum rn_kind kind)
{
	struct rnode *n;
	if (x->nall >= RX_MAX_NODES)
		return NULL;
	n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	x->all = xgrow(x->all, &x->capall, x->nall + 1, sizeof(*x->all));
	x->all[x->nall++] = n;
	return n;
}

static void rx_push(struct rnode *parent, struct rnode *kid)
{
	parent->kids = xgrow(parent->kids, &parent->cap, parent->n + 1,
			     sizeof(*parent->kids));
	parent->kids[parent->n++] = kid;
}

static void set_add(unsigned char *set, unsigned c)
{
	set[c >> 3] |= (unsigned char)(1u << (c & 7));
}

static int set_has(const unsigned char *set, unsigned c)
{
	return set[c >> 3] >> (c & 7) & 1;
}

static void set_range(unsigned char *set, unsigned lo, unsigned hi)
{
	for (; lo <= hi; lo++)
		set_add(set, lo);
}

/* set := printable ASCII not in set: negated classes pick from these. */
static void set_complement(unsigned char *set)
{
	unsigned char tmp[32];
	unsigned c;
	memset(tmp, 0, sizeof(tmp));
	for (c = 0x20; c <= 0x7e; c++)
		if (!set_has(set, c))
			set_add(tmp, c);
	memcpy(set, tmp, sizeof(tmp));
}

static int set_empty(const unsigned char *set)
{
	size_t i;
	for (i = 0; i < 32; i++)
		if (set[i])
			return 0;
	return 1;
}

/*
 * The shorthand classes \d \w \s \h and their negations; 1 if c is one
 * (set filled), 0 otherwise.
 */
static int shorthand(int c, unsigned char *set)
{
	int neg = c >= 'A' && c <= 'Z';
	memset(set, 0, 32);
	switch (neg ? c - 'A' + 'a' : c) {
	case 'd':
		set_range(set, '0', '9');
		break;
	case 'w':
		set_range(set, '0', '9');
		set_range(set, 'a', 'z');
		set_range(set, 'A', 'Z');
		set_add(set, '_');
		break;
	case 's':
	case 'h':
		set_add(set, ' ');
		break;
	default:
		return 0;
	}
	if (neg)
		set_complement(set);
	return 1;
}

/* \xHH or \x{H...} after the 'x'; -1 when malformed. */
static long rx_hex(struct rx *x)
{
	long v = 0;
	int d, k = 0;
	if (x->i < x->len && x->s[x->i] == '{') {
		x->i++;
		while (x->i < x->len && x->s[x->i] != '}') {
			d = hex_value(x->s[x->i++]);
			if (d < 0 || ++k > 6)
				return -1;
			v = v * 16 + d;
		}
		if (x->i >= x->len || !k)
			return -1;
		x->i++;
		return v;
	}
	while (k < 2 && x->i < x->len && hex_value(x->s[x->i]) >= 0) {
		v = v * 16 + hex_value(x->s[x->i++]);
		k++;
	}
	return v;
}

/* Single-character escapes shared by classes and atoms; -1 if not one. */
static long rx_char_escape(struct rx *x, int c)
{
	switch (c) {
	case 't':
		return '\t';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 'f':
		return '\f';
	case 'e':
		return 27;
	case 'a':
		return 7;
	case 'x':
		return rx_hex(x);
	default:
		break;
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return -1;
	return c; /* escaped punctuation stands for itself */
}

/*
 * One member of a character class: a character (returned, 0..0x7f) or a
 * shorthand class (returned -2, with `set` filled). -1: unsupported.
 */
static long rx_class_item(struct rx *x, unsigned char *set)
{
	int c;
	long v;
	if (x->i >= x->len)
		return -1;
	c = (unsigned char)x->s[x->i++];
	if (c != '\\')
		return c < 0x80 ? c : -1;
	if (x->i >= x->len)
		return -1;
	c = (unsigned char)x->s[x->i++];
	if (shorthand(c, set))
		return -2;
	if (c == 'b')
		return '\b';
	v = rx_char_escape(x, c);
	return v >= 1 && v < 0x80 ? v : -1;
}

static const struct {
	const char *name;
	const char *members; /* ranges as pairs */
} posix_classes[] = {
	{ "alpha", "azAZ" },	 { "digit", "09" },	 { "alnum", "azAZ09" },
	{ "upper", "AZ" },	 { "lower", "az" },	 { "space", "  " },
	{ "blank", "  " },	 { "xdigit", "09afAF" }, { "word", "azAZ09__" },
	{ "punct", "!/:@[`{~" }, { "print", " ~" },	 { "graph", "!~" },
};

/* "[:name:]" inside a class, at x->i; 1 read, 0 not one, -1 unsupported. */
static int rx_posix(struct rx *x, unsigned char *set)
{
	const char *start = x->s + x->i + 2, *end;
	size_t n, k;
	if (x->i + 2 >= x->len || x->s[x->i] != '[' || x->s[x->i + 1] != ':')
		return 0;
	end = strstr(start, ":]");
	if (!end || end > x->s + x->len)
		return -1;
	n = (size_t)(end - start);
	for (k = 0; k < sizeof(posix_classes) / sizeof(posix_classes[0]); k++) {
		const char *m = posix_classes[k].members;
		if (strlen(posix_classes[k].name) != n ||
		    strncmp(posix_classes[k].name, start, n))
			continue;
		for (; m[0] && m[1]; m += 2)
			set_range(set, (unsigned char)m[0],
				  (unsigned char)m[1]);
		x->i = (size_t)(end - x->s) + 2;
		return 1;
	}
	return -1;
}

static struct rnode *rx_class(struct rx *x)
{
	struct rnode *n = rx_new(x, RN_SET);
	unsigned char sub[32];
	int neg = 0, first = 1, r;
	long lo, hi;
	if (!n)
		return NULL;
	x->i++; /* '[' */
	if (x->i < x->len && x->s[x->i] == '^') {
		neg = 1;
		x->i++;
	}
	for (;;) {
		if (x->i >= x->len)
			return NULL;
		if (x->s[x->i] == ']' && !first) {
			x->i++;
			break;
		}
		first = 0;
		r = rx_posix(x, n->set);
		if (r < 0)
			return NULL;
		if (r)
			continue;
		lo = rx_class_item(x, sub);
		if (lo == -1)
			return NULL;
		if (lo == -2) {
			size_t k;
			for (k = 0; k < 32; k++)
				n->set[k] |= sub[k];
			continue;
		}
		if (x->i + 1 < x->len && x->s[x->i] == '-' &&
		    x->s[x->i + 1] != ']') {
			x->i++;
			hi = rx_class_item(x, sub);
			if (hi < 0 || hi < lo)
				return NULL;
			set_range(n->set, (unsigned)lo, (unsigned)hi);
		} else {
			set_add(n->set, (unsigned)lo);
		}
	}
	if (neg)
		set_complement(n->set);
	return set_empty(n->set) ? NULL : n;
}

static struct rnode *rx_alt(struct rx *x);

/* A group after its '('; x->i is past the '('. */
static struct rnode *rx_group(struct rx *x)
{
	struct rnode *n;
	if (x->i < x->len && x->s[x->i] == '?') {
		char c;
		x->i++;
		if (x->i >= x->len)
			return NULL;
		c = x->s[x->i];
		if (c == ':') {
			x->i++;
		} else if (c == '#') {
			/* a comment: skip it */
			while (x->i < x->len && x->s[x->i] != ')')
				x->i++;
			if (x->i >= x->len)
				return NULL;
			x->i++;
			return rx_new(x, RN_SEQ);
		} else if ((c == '<' && x->i + 1 < x->len &&
			    x->s[x->i + 1] != '=' && x->s[x->i + 1] != '!') ||
			   c == 'P' || c == '\'') {
			/* a named group: (?<n>...), (?P<n>...), (?'n'...) */
			char close = c == '\'' ? '\'' : '>';
			if (c == 'P') {
				x->i++;
				if (x->i >= x->len || x->s[x->i] != '<')
					return NULL;
			}
			x->i++; /* the opening '<' or '\'' */
			while (x->i < x->len && x->s[x->i] != close)
				x->i++;
			if (x->i >= x->len)
				return NULL;
			x->i++;
		} else {
			/* flags: i, m, s, n and U do not change which strings
			 * our output belongs to; x and the rest do */
			while (x->i < x->len && x->s[x->i] &&
			       strchr("imsnU-", x->s[x->i]))
				x->i++;
			if (x->i >= x->len)
				return NULL;
			if (x->s[x->i] == ')') {
				x->i++;
				return rx_new(x, RN_SEQ);
			}
			if (x->s[x->i] != ':')
				return NULL;
			x->i++;
		}
	}
	n = rx_alt(x);
	if (!n || x->i >= x->len || x->s[x->i] != ')')
		return NULL;
	x->i++;
	return n;
}

/* A literal character at x->i (a whole UTF-8 sequence). */
static struct rnode *rx_literal(struct rx *x)
{
	struct rnode *n = rx_new(x, RN_LIT);
	unsigned char c = (unsigned char)x->s[x->i];
	size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (!n || x->i + len > x->len)
		return NULL;
	memcpy(n->lit, x->s + x->i, len);
	n->litlen = len;
	x->i += len;
	return n;
}

static struct rnode *rx_escape(struct rx *x)
{
	struct rnode *n;
	unsigned char set[32];
	int c;
	long v;
	x->i++; /* '\\' */
	if (x->i >= x->len)
		return NULL;
	c = (unsigned char)x->s[x->i++];
	if (shorthand(c, set)) {
		n = rx_new(x, RN_SET);
		if (n)
			memcpy(n->set, set, sizeof(set));
		return n;
	}
	if (c == 'N') {
		n = rx_new(x, RN_SET);
		if (n)
			set_range(n->set, 0x20, 0x7e);
		return n;
	}
	if (strchr("bBAzZG", c))
		return rx_new(x, RN_SEQ); /* assertions: nothing to write */
	v = rx_char_escape(x, c);
	if (v <= 0)
		return NULL;
	n = rx_new(x, RN_LIT);
	if (!n)
		return NULL;
	n->litlen = utf8_encode((unsigned long)v, n->lit);
	return n->litlen ? n : NULL;
}

static struct rnode *rx_atom(struct rx *x)
{
	struct rnode *n;
	switch (x->s[x->i]) {
	case '(':
		if (++x->depth > RX_MAX_DEPTH)
			return NULL;
		x->i++;
		n = rx_group(x);
		x->depth--;
		return n;
	case '[':
		return rx_class(x);
	case '.':
		x->i++;
		n = rx_new(x, RN_SET);
		if (n)
			set_range(n->set, 0x20, 0x7e);
		return n;
	case '^':
	case '$':
		x->i++;
		return rx_new(x, RN_SEQ);
	case '\\':
		return rx_escape(x);
	case '*':
	case '+':
	case '?':
		return NULL;
	default:
		return rx_literal(x);
	}
}

/* {n}, {n,} or {n,m} at x->i: 1 read (x->i past it), 0 not one. */
static int rx_bounds(struct rx *x, long *min, long *max)
{
	size_t i = x->i + 1;
	long a = 0, b;
	int digits = 0;
	while (i < x->len && x->s[i] >= '0' && x->s[i] <= '9' && a < 100000) {
		a = a * 10 + (x->s[i++] - '0');
		digits++;
	}
	if (!digits || i >= x->len)
		return 0;
	b = a;
	if (x->s[i] == ',') {
		i++;
		b = -1;
		if (i < x->len && x->s[i] >= '0' && x->s[i] <= '9') {
			b = 0;
			while (i < x->len && x->s[i] >= '0' && x->s[i] <= '9' &&
			       b < 100000)
				b = b * 10 + (x->s[i++] - '0');
		}
	}
	if (i >= x->len || x->s[i] != '}' || (b >= 0 && b < a))
		return 0;
	x->i = i + 1;
	*min = a;
	*max = b;
	return 1;
}

static struct rnode *rx_quant(struct rx *x, struct rnode *atom)
{
	struct rnode *r;
	long min, max;
	if (x->i >= x->len)
		return atom;
	switch (x->s[x->i]) {
	case '*':
		min = 0;
		max = -1;
		x->i++;
		break;
	case '+':
		min = 1;
		max = -1;
		x->i++;
		break;
	case '?':
		min = 0;
		max = 1;
		x->i++;
		break;
	case '{':
		if (!rx_bounds(x, &min, &max))
			return atom;
		break;
	default:
		return atom;
	}
	/* lazy and possessive forms generate the same strings */
	if (x->i < x->len && (x->s[x->i] == '?' || x->s[x->i] == '+'))
		x->i++;
	r = rx_new(x, RN_REP);
	if (!r)
		return NULL;
	r->sub = atom;
	r->min = min;
	r->max = max;
	return r;
}

static struct rnode *rx_seq(struct rx *x)
{
	struct rnode *seq = rx_new(x, RN_SEQ), *a;
	if (!seq)
		return NULL;
	while (x->i < x->len && x->s[x->i] != '|' && x->s[x->i] != ')') {
		a = rx_atom(x);
		if (a)
			a = rx_quant(x, a);
		if (!a)
			return NULL;
		rx_push(seq, a);
	}
	return seq;
}

static struct rnode *rx_alt(struct rx *x)
{
	struct rnode *alt, *s = rx_seq(x);
	if (!s || x->i >= x->len || x->s[x->i] != '|')
		return s;
	alt = rx_new(x, RN_ALT);
	if (!alt)
		return NULL;
	rx_push(alt, s);
	while (x->i < x->len && x->s[x->i] == '|') {
		x->i++;
		s = rx_seq(x);
		if (!s)
			return NULL;
		rx_push(alt, s);
	}
	return alt;
}

static int rx_gen(struct rx *x, const struct rnode *n, struct rng *r,
		  struct buf *out)
{
	size_t k;
	if (++x->steps > RX_MAX_STEPS)
		return -1;
	switch (n->kind) {
	case RN_SET: {
		unsigned count = 0, c, pick;
		for (c = 0; c < 256; c++)
			count += (unsigned)set_has(n->set, c);
		pick = (unsigned)rng_below(r, count);
		for (c = 0; c < 256; c++)
			if (set_has(n->set, c) && !pick--)
				return buf_addch(out, (char)c);
		return -1;
	}
	case RN_LIT:
		return buf_add(out, n->lit, n->litlen);
	case RN_SEQ:
		for (k = 0; k < n->n; k++)
			if (rx_gen(x, n->kids[k], r, out))
				return -1;
		return 0;
	case RN_ALT:
		return rx_gen(x, n->kids[rng_below(r, n->n)], r, out);
	case RN_REP: {
		long max = n->max < 0 ? n->min + RX_UNBOUNDED : n->max;
		long times = n->min +
			     (long)rng_below(r, (uint64_t)(max - n->min) + 1);
		while (times-- > 0)
			if (rx_gen(x, n->sub, r, out))
				return -1;
		return 0;
	}
	}
	return -1;
}

/*
 * Writes a string matching `pattern` into out (limit RX_MAX_OUT). Returns
 * -1 when the pattern uses syntax outside the supported subset or the
 * output would be too long: the caller keeps the example.
 */
static int regex_generate(const char *pattern, struct rng *r, struct buf *out)
{
	struct rx x;
	struct rnode *root;
	size_t k;
	int rc = -1;
	memset(&x, 0, sizeof(x));
	x.s = pattern;
	x.len = strlen(pattern);
	root = rx_alt(&x);
	if (root && x.i == x.len)
		rc = rx_gen(&x, root, r, out);
	for (k = 0; k < x.nall; k++) {
		free(x.all[k]->kids);
		free(x.all[k]);
	}
	free(x.all);
	return rc;
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

static int gen_datetime(struct gctx *cx, const char *type, const cJSON *gen,
			cJSON **out)
{
	const char *fmt = gen_str(gen, "format");
	const char *expr = gen_str(gen, "expression");
	struct timespec ts;
	struct moment t;
	struct buf b;
	if (!fmt)
		fmt = !strcmp(type, "Date")   ? "yyyy-MM-dd"
		      : !strcmp(type, "Time") ? "HH:mm:ss"
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
 * Matches `regex` (compiled as the contract reader compiles it, with its
 * limits) against s[0..len); `whole`: the match must span all of s.
 * Returns the number of captures + 1 (md holds them), or <= 0 on no match
 * or error. Caller frees *md (may be NULL).
 */
static int regex_run(const char *regex, const char *s, size_t len, int whole,
		     pcre2_match_data **md)
{
	pcre2_code *code;
	pcre2_match_context *mc;
	PCRE2_SIZE erroff;
	int errcode, rc = -1;
	*md = NULL;
	code = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED,
			     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode,
			     &erroff, NULL);
	if (!code)
		return -1;
	*md = pcre2_match_data_create_from_pattern(code, NULL);
	mc = pcre2_match_context_create(NULL);
	if (*md && mc) {
		pcre2_set_match_limit(mc, REGEX_MATCH_LIMIT);
		pcre2_set_depth_limit(mc, REGEX_DEPTH_LIMIT);
		rc = pcre2_match(code, (PCRE2_SPTR)s, len, 0,
				 whole ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0,
				 *md, mc);
	}
	pcre2_match_context_free(mc);
	pcre2_code_free(code);
	return rc;
}

/*
 * The captured groups of `regex` matched against `s`, concatenated into
 * out. Returns 1 when the regex matched and has groups, 0 otherwise.
 */
static int regex_groups(const char *regex, const char *s, struct buf *out)
{
	pcre2_match_data *md;
	PCRE2_SIZE *ov;
	int rc, k, found = 0;
	rc = regex_run(regex, s, strlen(s), 0, &md);
	if (rc > 0) {
		ov = pcre2_get_ovector_pointer(md);
		for (k = 1; k < rc; k++)
			if (ov[2 * k] != PCRE2_UNSET)
				buf_add(out, s + ov[2 * k],
					ov[2 * k + 1] - ov[2 * k]);
		found = rc > 1;
	}
	pcre2_match_data_free(md);
	return found;
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

/*
 * Generated strings are checked with PCRE2: the generator ignores what it
 * cannot honour inside a pattern (an anchor or \b in the middle), so a few
 * draws are tried before the example is kept.
 */
static int gen_regex(struct gctx *c, const cJSON *gen, cJSON **out)
{
	const char *re = gen_str(gen, "regex");
	pcre2_match_data *md;
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
		ok = regex_run(re, b.ptr, b.len, 1, &md) > 0;
		pcre2_match_data_free(md);
	}
	if (ok)
		*out = cJSON_CreateString(b.ptr);
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
	*out = NULL;
	if (!type)
		return err_set(c->e, ERR_SHAPE, "generator %s: no type given",
			       c->where);
	if (!strcmp(type, "RandomInt"))
		return gen_random_int(c, gen, example, out);
	if (!strcmp(type, "RandomDecimal"))
		return gen_random_decimal(c, gen, example, out);
	if (!strcmp(type, "RandomHexadecimal"))
		return gen_chars(c, gen, "digits", 8, "0123456789abcdef", out);
	if (!strcmp(type, "RandomString"))
		return gen_chars(c, gen, "size", 20,
				 "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
				 out);
	if (!strcmp(type, "Regex"))
		return gen_regex(c, gen, out);
	if (!strcmp(type, "Uuid"))
		return gen_uuid(c, gen, out);
	if (!strcmp(type, "Date") || !strcmp(type, "Time") ||
	    !strcmp(type, "DateTime"))
		return gen_datetime(c, type, gen, out);
	if (!strcmp(type, "RandomBoolean")) {
		int v = (int)(rng_next(&c->rng) >> 63);
		*out = cJSON_IsString(example)
			       ? cJSON_CreateString(v ? "true" : "false")
			       : cJSON_CreateBool(v);
		return 0;
	}
	if (!strcmp(type, "ProviderState")) {
		const char *expr = gen_str(gen, "expression");
		if (!expr)
			return err_set(
				c->e, ERR_SHAPE,
				"generator %s: ProviderState needs an expression",
				c->where);
		return gen_provider_state(c, expr, example, out);
	}
	if (!strcmp(type, "MockServerURL"))
		return gen_mock_url(c, gen, example, out);
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
