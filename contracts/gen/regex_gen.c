/*
 * regex_gen.c: the Regex generator's string maker: a string that matches
 * a contract's regex, drawn from a random stream. It parses a practical
 * subset of regex syntax (literals and escapes, classes with ranges,
 * POSIX classes and shorthands, groups, alternation, the quantifiers)
 * into a small tree and walks it, choosing at random; a pattern outside
 * the subset, or too large, too deep or too long an output, gives -1 and
 * the caller keeps the example. Every size is capped, so a hostile
 * pattern costs bounded time and memory.
 */
#include "contracts/gen/internal.h"

#include <stdlib.h>
#include <string.h>

#define RX_MAX_NODES 4096
#define RX_MAX_DEPTH 64
#define RX_UNBOUNDED 8	    /* extra repeats for *, + and {n,} */
#define RX_MAX_STEPS 200000 /* nodes visited while generating */

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
				return buf_try_addch(out, (char)c);
		return -1;
	}
	case RN_LIT:
		return buf_try_add(out, n->lit, n->litlen);
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

int regex_generate(const char *pattern, struct rng *r, struct buf *out)
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
