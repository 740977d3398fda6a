/*
 * yaml_write.c: the contract model written in accord's YAML authoring
 * format (docs/yaml-format.md).
 *
 * The Pact document of the contract at its own version becomes a tree in
 * which every matching rule that applies to one concrete value is folded
 * back into a tag on that value; rules that cannot be said with a tag stay
 * in an explicit matchingRules block. Before the text is handed out it is
 * read back (yaml_read.c) and compared with the document, so a contract is
 * never written lossily: if folding ever disagrees, the text is written
 * again without folding.
 */
#include "contracts/formats/yaml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Writing: strings and how to quote them. */

/* Decodes one UTF-8 sequence at s[*i]; -1 when malformed. */
static int u8_next(const unsigned char *s, size_t len, size_t *i,
		   unsigned long *cp)
{
	unsigned char c = s[*i];
	unsigned long v, min;
	size_t n, k;
	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 0;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 1;
		v = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2;
		v = c & 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return -1;
	}
	if (*i + n >= len)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		v = (v << 6) | (s[*i + k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*i += n + 1;
	*cp = v;
	return 0;
}

static int utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	unsigned long cp;
	while (i < len)
		if (u8_next((const unsigned char *)s, len, &i, &cp))
			return 0;
	return 1;
}

/* Characters YAML prints as they are, outside double quotes. */
static int safe_cp(unsigned long c)
{
	return (c >= 0x20 && c <= 0x7e) ||
	       (c >= 0xa0 && c <= 0xd7ff && c != 0x2028 && c != 0x2029) ||
	       (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) ||
	       (c >= 0x10000 && c <= 0x10ffff);
}

static int safe_text(const char *s, size_t len)
{
	size_t i = 0;
	unsigned long cp;
	while (i < len)
		if (u8_next((const unsigned char *)s, len, &i, &cp) ||
		    !safe_cp(cp))
			return 0;
	return 1;
}

/*
 * Strings another YAML reader could take for something else: what the
 * YAML 1.2 core schema resolves, YAML 1.1's yes/no/on/off, and anything
 * that looks like a number, a sexagesimal or a date.
 */
static int ambiguous(const char *s)
{
	static const char *const words[] = { "y",   "Y",  "yes", "Yes", "YES",
					     "n",   "N",  "no",	 "No",	"NO",
					     "on",  "On", "ON",	 "off", "Off",
					     "OFF", "=",  "<<",	 NULL };
	const char *p = s;
	double d;
	int digit = 0;
	if (yaml_resolve(s, &d) != ST_STR || yaml_one_of(s, words))
		return 1;
	if (is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
	    is_digit(s[3]) && s[4] == '-')
		return 1;
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && p[1] && strchr("xXoObB", p[1]) && p[2]) {
		for (p += 2; *p && (is_xdigit(*p) || *p == '_'); p++)
			;
		return !*p;
	}
	if (!is_digit(*p) && *p != '.')
		return 0;
	for (; *p; p++) {
		if (is_digit(*p))
			digit = 1;
		else if (!strchr("_.:eE+-", *p))
			return 0;
	}
	return digit;
}

/*
 * Can the string be written without quotes? Conservative: indicators,
 * flow punctuation and comments anywhere mean quotes, and so do ':' and
 * '?' inside a flow collection, where some readers (PyYAML) end a plain
 * scalar.
 */
static int plain_ok(const char *s, size_t len, int flow)
{
	size_t i;
	if (!len || strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]) ||
	    s[len - 1] == ' ' || s[len - 1] == ':' || !strncmp(s, "...", 3))
		return 0;
	for (i = 0; i < len; i++) {
		if (strchr(",[]{}#", s[i]))
			return 0;
		if ((s[i] == ':' && (flow || s[i + 1] == ' ')) ||
		    (s[i] == '?' && flow))
			return 0;
	}
	return safe_text(s, len) && !ambiguous(s);
}

/* Can a multi-line string be a literal block (| or |-)? */
static int literal_ok(const char *s, size_t len)
{
	size_t i = 0, line = 0;
	unsigned long cp;
	int blank = 1;
	if (!len || !memchr(s, '\n', len) || s[0] == ' ' || s[0] == '\t' ||
	    s[0] == '\n' ||
	    (len >= 2 && s[len - 1] == '\n' && s[len - 2] == '\n'))
		return 0;
	while (i < len) {
		if (u8_next((const unsigned char *)s, len, &i, &cp))
			return 0;
		if (cp == '\n') {
			/* a line of spaces only would be read as indentation */
			if (blank && line)
				return 0;
			blank = 1;
			line = 0;
			continue;
		}
		line++;
		if (cp != ' ' && cp != '\t')
			blank = 0;
		if (cp != '\t' && !safe_cp(cp))
			return 0;
	}
	return !(blank && line);
}

enum sstyle { SS_PLAIN, SS_SINGLE, SS_DOUBLE, SS_LITERAL };

static enum sstyle pick(const struct ynode *n, int flow, int key)
{
	if (n->plain)
		return SS_PLAIN; /* a number, boolean or null written as is */
	if (!safe_text(n->text, n->len))
		return !flow && !key && literal_ok(n->text, n->len) ? SS_LITERAL
								    : SS_DOUBLE;
	if (plain_ok(n->text, n->len, flow))
		return SS_PLAIN;
	/* 'yyyy-MM-dd''T''HH' reads worse than "yyyy-MM-dd'T'HH" */
	if (memchr(n->text, '\'', n->len) && !memchr(n->text, '"', n->len) &&
	    !memchr(n->text, '\\', n->len))
		return SS_DOUBLE;
	return SS_SINGLE;
}

static void put_double(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, start;
	unsigned long cp;
	buf_addch(b, '"');
	while (i < len) {
		start = i;
		if (u8_next((const unsigned char *)s, len, &i, &cp)) {
			/* not reached: strings are checked when written */
			cp = (unsigned char)s[start];
			i = start + 1;
		}
		switch (cp) {
		case '"':
			buf_addstr(b, "\\\"");
			break;
		case '\\':
			buf_addstr(b, "\\\\");
			break;
		case '\n':
			buf_addstr(b, "\\n");
			break;
		case '\t':
			buf_addstr(b, "\\t");
			break;
		case '\r':
			buf_addstr(b, "\\r");
			break;
		case 0x85:
			buf_addstr(b, "\\N");
			break;
		case 0x2028:
			buf_addstr(b, "\\L");
			break;
		case 0x2029:
			buf_addstr(b, "\\P");
			break;
		default:
			if (cp < 0x20 ||
			    (cp >= 0x7f && cp <= 0xff && i == start + 1) ||
			    (cp >= 0x7f && cp <= 0x9f)) {
				buf_addstr(b, "\\x");
				buf_addch(b, hex[(cp >> 4) & 15]);
				buf_addch(b, hex[cp & 15]);
			} else if (!safe_cp(cp)) {
				buf_addf(b, "\\u%04lX", cp);
			} else {
				buf_add(b, s + start, i - start);
			}
		}
	}
	buf_addch(b, '"');
}

static void put_single(struct buf *b, const char *s)
{
	buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_addch(b, '\'');
		buf_addch(b, *s);
	}
	buf_addch(b, '\'');
}

static void put_styled(struct buf *b, const struct ynode *n, enum sstyle st)
{
	if (st == SS_PLAIN)
		buf_add(b, n->text, n->len);
	else if (st == SS_SINGLE)
		put_single(b, n->text);
	else
		put_double(b, n->text, n->len);
}

static void put_tag(struct buf *b, const char *tag)
{
	if (!strncmp(tag, CORE_TAG, strlen(CORE_TAG))) {
		buf_addstr(b, "!!");
		buf_addstr(b, tag + strlen(CORE_TAG));
	} else {
		buf_addstr(b, tag);
	}
}

static void put_indent(struct buf *b, int n)
{
	while (n-- > 0)
		buf_addch(b, ' ');
}

/* A literal block: "|" keeps the one final newline, "|-" has none. */
static void put_literal(struct buf *b, const char *s, size_t len, int ind)
{
	size_t end = len, i = 0, j;
	if (s[len - 1] == '\n') {
		buf_addstr(b, "|\n");
		end--;
	} else {
		buf_addstr(b, "|-\n");
	}
	while (i <= end) {
		for (j = i; j < end && s[j] != '\n'; j++)
			;
		if (j > i) {
			put_indent(b, ind);
			buf_add(b, s + i, j - i);
		}
		buf_addch(b, '\n');
		i = j + 1;
	}
}

/* Emitting the tree: block style, two spaces, flow where marked. */

static void emit_flow(struct buf *b, const struct ynode *n);

static void emit_flow_body(struct buf *b, const struct ynode *n)
{
	size_t i;
	if (n->kind == Y_SCALAR) {
		put_styled(b, n, pick(n, 1, 0));
	} else if (n->kind == Y_SEQ) {
		buf_addch(b, '[');
		for (i = 0; i < n->n; i++) {
			if (i)
				buf_addstr(b, ", ");
			emit_flow(b, n->kids[i]);
		}
		buf_addch(b, ']');
	} else {
		buf_addch(b, '{');
		for (i = 0; i + 1 < n->n; i += 2) {
			if (i)
				buf_addstr(b, ", ");
			put_styled(b, n->kids[i], pick(n->kids[i], 1, 1));
			buf_addstr(b, ": ");
			emit_flow(b, n->kids[i + 1]);
		}
		buf_addch(b, '}');
	}
}

static void emit_flow(struct buf *b, const struct ynode *n)
{
	if (n->tag) {
		put_tag(b, n->tag);
		buf_addch(b, ' ');
	}
	emit_flow_body(b, n);
}

static void emit_map(struct buf *b, const struct ynode *m, int ind,
		     int first_inline);
static void emit_seq(struct buf *b, const struct ynode *s, int ind);

/* A value after "key:" or "-"; `ind` is the indentation of the key. */
static void emit_after(struct buf *b, const struct ynode *v, int ind)
{
	if (v->tag) {
		buf_addch(b, ' ');
		put_tag(b, v->tag);
	}
	if (v->kind == Y_SCALAR) {
		enum sstyle st = pick(v, 0, 0);
		buf_addch(b, ' ');
		if (st == SS_LITERAL) {
			put_literal(b, v->text, v->len, ind + 2);
		} else {
			put_styled(b, v, st);
			buf_addch(b, '\n');
		}
		return;
	}
	if (v->flow || !v->n) {
		buf_addch(b, ' ');
		emit_flow_body(b, v);
		buf_addch(b, '\n');
		return;
	}
	buf_addch(b, '\n');
	if (v->kind == Y_MAP)
		emit_map(b, v, ind + 2, 0);
	else
		emit_seq(b, v, ind + 2);
}

static void emit_map(struct buf *b, const struct ynode *m, int ind,
		     int first_inline)
{
	size_t i;
	for (i = 0; i + 1 < m->n; i += 2) {
		const struct ynode *k = m->kids[i];
		if (i || !first_inline)
			put_indent(b, ind);
		if (k->len > 1000) {
			/* implicit keys are limited to 1024 characters */
			buf_addstr(b, "? ");
			put_styled(b, k, pick(k, 0, 1));
			buf_addch(b, '\n');
			put_indent(b, ind);
		} else {
			put_styled(b, k, pick(k, 0, 1));
		}
		buf_addch(b, ':');
		emit_after(b, m->kids[i + 1], ind);
	}
}

static void emit_seq(struct buf *b, const struct ynode *s, int ind)
{
	size_t i;
	for (i = 0; i < s->n; i++) {
		const struct ynode *v = s->kids[i];
		put_indent(b, ind);
		buf_addch(b, '-');
		if (!v->tag && !v->flow && v->n && v->kind == Y_MAP) {
			buf_addch(b, ' ');
			emit_map(b, v, ind + 2, 1);
		} else if (!v->tag && !v->flow && v->n && v->kind == Y_SEQ) {
			buf_addch(b, '\n');
			emit_seq(b, v, ind + 2);
		} else {
			emit_after(b, v, ind);
		}
	}
}

/* Writing: the Pact document into a tree. */

struct yw {
	enum spec_version spec;
	struct err *e;
	int fold; /* fold rules into tags */
	struct err scratch;
	struct yr check; /* reads tags back, to check them */
};

static struct ynode *w_str(struct yw *w, const char *s)
{
	struct ynode *n = ynode_new(Y_SCALAR, 0, 0);
	n->text = xstrdup(s);
	n->len = strlen(s);
	if (!utf8_valid(s, n->len))
		err_set(w->e, ERR_UNSUPPORTED, "%s",
			"a string in the contract is not valid UTF-8");
	return n;
}

/* A number, boolean or null, written as `s`. */
static struct ynode *w_lit(const char *s)
{
	struct ynode *n = ynode_new(Y_SCALAR, 0, 0);
	n->text = xstrdup(s);
	n->len = strlen(s);
	n->plain = 1;
	return n;
}

static struct ynode *w_num(double d)
{
	char tmp[64];
	if (isnan(d) || isinf(d))
		return w_lit("null");
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(tmp, sizeof(tmp), "%.0f", d);
	} else {
		snprintf(tmp, sizeof(tmp), "%.15g", d);
		if (strtod(tmp, NULL) != d)
			snprintf(tmp, sizeof(tmp), "%.17g", d);
	}
	return w_lit(tmp);
}

static void w_put(struct yw *w, struct ynode *m, const char *key,
		  struct ynode *v)
{
	ynode_add(m, w_str(w, key));
	ynode_add(m, v);
}

static struct ynode *w_json(struct yw *w, const cJSON *v)
{
	struct ynode *n;
	const cJSON *it;
	if (cJSON_IsObject(v)) {
		n = ynode_new(Y_MAP, 0, 0);
		cJSON_ArrayForEach(it, v)
		{
			w_put(w, n, it->string, w_json(w, it));
		}
		return n;
	}
	if (cJSON_IsArray(v)) {
		n = ynode_new(Y_SEQ, 0, 0);
		cJSON_ArrayForEach(it, v)
		{
			ynode_add(n, w_json(w, it));
		}
		return n;
	}
	if (cJSON_IsString(v))
		return w_str(w, v->valuestring);
	if (cJSON_IsNumber(v))
		return w_num(v->valuedouble);
	if (cJSON_IsTrue(v))
		return w_lit("true");
	if (cJSON_IsFalse(v))
		return w_lit("false");
	return w_lit("null");
}

static int all_scalar(const struct ynode *n)
{
	size_t i;
	for (i = n->kind == Y_MAP ? 1 : 0; i < n->n;
	     i += n->kind == Y_MAP ? 2 : 1)
		if (n->kids[i]->kind != Y_SCALAR)
			return 0;
	return 1;
}

/* Matcher objects in "matchers" and "rules" lists are written in flow. */
static void flow_matchers(struct ynode *n)
{
	size_t i, j;
	if (n->kind == Y_SEQ) {
		for (i = 0; i < n->n; i++)
			flow_matchers(n->kids[i]);
		return;
	}
	if (n->kind != Y_MAP)
		return;
	for (i = 0; i + 1 < n->n; i += 2) {
		struct ynode *v = n->kids[i + 1];
		if (v->kind == Y_SEQ &&
		    (!strcmp(n->kids[i]->text, "matchers") ||
		     !strcmp(n->kids[i]->text, "rules")))
			for (j = 0; j < v->n; j++)
				if (v->kids[j]->kind == Y_MAP &&
				    all_scalar(v->kids[j]))
					v->kids[j]->flow = 1;
		flow_matchers(v);
	}
}

/* Rule tables: a working copy of a part's matchingRules, emptied as
 * rules are folded into tags. */

struct wtab {
	cJSON *rules;
	int flat;    /* Pact v1/v2 keys */
	int variant; /* an arrayContains variant's rules */
};

static cJSON *wt_holder(const struct wtab *t, const char *cat, const char *key,
			struct buf *k)
{
	cJSON *h;
	if (!cJSON_IsObject(t->rules))
		return NULL;
	if (t->variant) {
		if (strcmp(cat, "body"))
			return NULL;
		buf_addstr(k, key);
		return t->rules;
	}
	if (t->flat)
		return yaml_flat_key(k, cat, key) ? NULL : t->rules;
	if (!strcmp(cat, "path")) {
		buf_addstr(k, "path");
		return t->rules;
	}
	h = cJSON_GetObjectItemCaseSensitive(t->rules, cat);
	if (!cJSON_IsObject(h))
		return NULL;
	buf_addstr(k, !strcmp(cat, "status") ? "$" : key);
	return h;
}

static const cJSON *wt_peek(const struct wtab *t, const char *cat,
			    const char *key)
{
	struct buf k;
	const cJSON *h, *v = NULL;
	buf_init(&k, 0);
	h = wt_holder(t, cat, key, &k);
	if (h)
		v = cJSON_GetObjectItemCaseSensitive(h, k.ptr);
	buf_release(&k);
	return v;
}

static void wt_drop(struct wtab *t, const char *cat, const char *key)
{
	struct buf k;
	cJSON *h;
	buf_init(&k, 0);
	h = wt_holder(t, cat, key, &k);
	if (h) {
		cJSON_DeleteItemFromObjectCaseSensitive(h, k.ptr);
		if (h != t->rules && !h->child)
			cJSON_DeleteItemFromObjectCaseSensitive(t->rules, cat);
	}
	buf_release(&k);
}

/* Is there a body rule below path[*]? (then an array is an eachLike) */
static int star_children(const struct wtab *t, const char *path)
{
	const cJSON *h = t->rules, *it;
	struct buf pre;
	int found = 0;
	buf_init(&pre, 0);
	if (t->flat) {
		buf_addstr(&pre, "$.body");
		buf_addstr(&pre, path + 1);
	} else {
		buf_addstr(&pre, path);
		if (!t->variant)
			h = cJSON_GetObjectItemCaseSensitive(t->rules, "body");
	}
	buf_addstr(&pre, "[*]");
	cJSON_ArrayForEach(it, h)
	{
		if (it->string && !strncmp(it->string, pre.ptr, pre.len)) {
			found = 1;
			break;
		}
	}
	buf_release(&pre);
	return found;
}

/* How a rule object can be folded. */
struct plan {
	const cJSON *ms;     /* its matchers (NULL for a flat v2 rule) */
	const cJSON *one;    /* the matcher a single tag would stand for */
	const char *combine; /* as written, or NULL */
	int flat;
};

static int plan_rule(const cJSON *rule, int flat, struct plan *p)
{
	const cJSON *it, *comb;
	memset(p, 0, sizeof(*p));
	if (!cJSON_IsObject(rule))
		return -1;
	if (flat) {
		if (cJSON_GetObjectItemCaseSensitive(rule, "matchers"))
			return -1;
		p->flat = 1;
		p->one = rule;
		return 0;
	}
	cJSON_ArrayForEach(it, rule)
	{
		if (strcmp(it->string, "combine") &&
		    strcmp(it->string, "matchers"))
			return -1;
	}
	p->ms = cJSON_GetObjectItemCaseSensitive(rule, "matchers");
	if (!cJSON_IsArray(p->ms))
		return -1;
	cJSON_ArrayForEach(it, p->ms)
	{
		if (!cJSON_IsObject(it))
			return -1;
	}
	comb = cJSON_GetObjectItemCaseSensitive(rule, "combine");
	if (comb) {
		if (!cJSON_IsString(comb) ||
		    (strcmp(comb->valuestring, "AND") &&
		     strcmp(comb->valuestring, "OR")))
			return -1;
		p->combine = comb->valuestring;
	}
	if (p->combine && !strcmp(p->combine, "AND") &&
	    cJSON_GetArraySize(p->ms) == 1)
		p->one = p->ms->child;
	return 0;
}

/* Does tag node `t` read back as exactly the one matcher `m`? */
static int w_reads_as(struct yw *w, const struct ynode *t, const cJSON *m,
		      long *count)
{
	const struct tagdef *d = yaml_tag_def(t->tag);
	const struct ynode *ex;
	const char *combine;
	cJSON *ms;
	long cnt;
	int ok;
	if (!d)
		return 0;
	err_clear(&w->scratch);
	w->check.seen = 0;
	w->check.depth = 0;
	if (yaml_tag_matchers(&w->check, t, d, &ms, &combine, &ex, &cnt))
		return 0;
	ok = cJSON_GetArraySize(ms) == 1 && cJSON_Compare(ms->child, m, 1) &&
	     combine && !strcmp(combine, "AND");
	if (count)
		*count = cnt;
	cJSON_Delete(ms);
	return ok;
}

/* Takes the example back out of a tag that did not fit. */
static struct ynode *w_untag(struct ynode *t, struct ynode *ex)
{
	if (t == ex) {
		free(ex->tag);
		ex->tag = NULL;
		return ex;
	}
	t->n--; /* the example is the last value */
	ynode_free(t);
	return ex;
}

/*
 * The tag for one matcher around example `ex` (taken over), or NULL,
 * leaving `ex` alone, when no single tag says exactly `m`.
 */
static struct ynode *w_simple(struct yw *w, const cJSON *m, struct ynode *ex)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "match"), *it;
	const struct tagdef *d;
	struct ynode *t;
	int nkeys = cJSON_GetArraySize(m);

	if (!cJSON_IsString(name))
		return NULL;
	d = yaml_tag_for_match(name->valuestring);
	if (!d)
		return NULL;
	if (d->kind == TK_VALUE || (d->kind == TK_DATE && nkeys == 1)) {
		if (nkeys != 1 || ex->tag)
			return NULL;
		ex->tag = xstrdup(d->tag);
		return ex;
	}
	if (d->kind != TK_DATE && d->kind != TK_PARAMS && d->kind != TK_EACH)
		return NULL;
	t = ynode_new(Y_MAP, 0, 0);
	t->tag = xstrdup(d->tag);
	cJSON_ArrayForEach(it, m)
	{
		const char *k = it->string;
		if (!strcmp(k, "match"))
			continue;
		if (d->kind == TK_PARAMS && !strcmp(k, d->field))
			k = d->param;
		else if (!(d->kind == TK_DATE && !strcmp(k, "format")) &&
			 !(d->kind == TK_EACH &&
			   (!strcmp(k, "rules") || !strcmp(k, "value")))) {
			ynode_free(t);
			return NULL;
		}
		w_put(w, t, k, w_json(w, it));
	}
	w_put(w, t, "example", ex);
	t->flow = all_scalar(t);
	flow_matchers(t);
	return t;
}

/* !matchers: any rule object, verbatim. */
static struct ynode *w_matchers(struct yw *w, const struct plan *p,
				struct ynode *ex)
{
	struct ynode *t = ynode_new(Y_MAP, 0, 0), *rules;
	const cJSON *it;
	t->tag = xstrdup("!matchers");
	if (!p->flat && p->combine)
		w_put(w, t, "combine", w_str(w, p->combine));
	rules = ynode_new(Y_SEQ, 0, 0);
	if (p->flat) {
		ynode_add(rules, w_json(w, p->one));
	} else {
		cJSON_ArrayForEach(it, p->ms)
		{
			ynode_add(rules, w_json(w, it));
		}
	}
	w_put(w, t, "rules", rules);
	w_put(w, t, "example", ex);
	flow_matchers(t);
	return t;
}

/* Wraps example `ex` in the tag that says rule `p`. */
static struct ynode *w_wrap(struct yw *w, const struct plan *p,
			    struct ynode *ex)
{
	if (p->one) {
		struct ynode *t = w_simple(w, p->one, ex);
		if (t && w_reads_as(w, t, p->one, NULL))
			return t;
		if (t)
			ex = w_untag(t, ex);
	}
	return w_matchers(w, p, ex);
}

/* Bodies. */

struct wbody {
	struct wtab *t;
	struct buf path;
	int bad;
};

static struct ynode *w_body(struct yw *w, const cJSON *v, struct wbody *b,
			    int noroot);

static struct ynode *w_body_plain(struct yw *w, const cJSON *v, struct wbody *b)
{
	struct ynode *n;
	const cJSON *it;
	size_t pl, i = 0;
	int bad;
	if (cJSON_IsObject(v)) {
		n = ynode_new(Y_MAP, 0, 0);
		cJSON_ArrayForEach(it, v)
		{
			pl = b->path.len;
			bad = yaml_seg_field(&b->path, it->string) ? 1 : 0;
			b->bad += bad;
			w_put(w, n, it->string, w_body(w, it, b, 0));
			b->bad -= bad;
			buf_setlen(&b->path, pl);
		}
		return n;
	}
	if (cJSON_IsArray(v)) {
		n = ynode_new(Y_SEQ, 0, 0);
		cJSON_ArrayForEach(it, v)
		{
			pl = b->path.len;
			buf_addf(&b->path, "[%zu]", i++);
			ynode_add(n, w_body(w, it, b, 0));
			buf_setlen(&b->path, pl);
		}
		return n;
	}
	return w_json(w, v);
}

/*
 * An array whose items are all equal, under a type rule (with min and/or
 * max, or with rules for its items): !eachLike.
 */
static struct ynode *w_eachlike(struct yw *w, const cJSON *v,
				const struct plan *p, struct wbody *b)
{
	const cJSON *m = p->one, *it, *first = v->child, *min, *max;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "match");
	long want = cJSON_GetArraySize(v), def = 1, cnt = 0;
	struct ynode *t, *ex;
	size_t pl;

	if (!first || want > EACHLIKE_MAX_COUNT || !cJSON_IsString(name) ||
	    strcmp(name->valuestring, "type"))
		return NULL;
	cJSON_ArrayForEach(it, m)
	{
		if (strcmp(it->string, "match") && strcmp(it->string, "min") &&
		    strcmp(it->string, "max"))
			return NULL;
	}
	min = cJSON_GetObjectItemCaseSensitive(m, "min");
	max = cJSON_GetObjectItemCaseSensitive(m, "max");
	if (!min && !max && !star_children(b->t, b->path.ptr))
		return NULL;
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_Compare(it, first, 1))
			return NULL;
	}
	if (cJSON_IsNumber(min) && min->valuedouble >= 1 &&
	    min->valuedouble <= (double)EACHLIKE_MAX_COUNT)
		def = (long)min->valuedouble;
	t = ynode_new(Y_MAP, 0, 0);
	t->tag = xstrdup("!eachLike");
	if (min)
		w_put(w, t, "min", w_json(w, min));
	if (max)
		w_put(w, t, "max", w_json(w, max));
	if (want != def)
		w_put(w, t, "count", w_num((double)want));
	w_put(w, t, "example", w_lit("null"));
	if (!w_reads_as(w, t, m, &cnt) || cnt != want) {
		ynode_free(t);
		return NULL;
	}
	pl = b->path.len;
	buf_addstr(&b->path, "[*]");
	ex = w_body(w, first, b, 0);
	buf_setlen(&b->path, pl);
	ynode_free(t->kids[t->n - 1]);
	t->kids[t->n - 1] = ex;
	t->flow = all_scalar(t);
	return t;
}

/*
 * arrayContains whose variants are the items of the array, each with rules
 * that all fold into tags inside its item: !arrayContains [items].
 */
static struct ynode *w_contains(struct yw *w, const cJSON *v,
				const struct plan *p, struct wbody *b)
{
	const cJSON *m = p->one, *it, *vars, *var, *el;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "match");
	struct ynode *s;
	long i = 0;

	(void)b;
	vars = cJSON_GetObjectItemCaseSensitive(m, "variants");
	if (!cJSON_IsString(name) ||
	    strcmp(name->valuestring, "arrayContains") ||
	    cJSON_GetArraySize(m) != 2 || !cJSON_IsArray(vars) ||
	    cJSON_GetArraySize(vars) != cJSON_GetArraySize(v))
		return NULL;
	cJSON_ArrayForEach(var, vars)
	{
		const cJSON *idx = cJSON_GetObjectItemCaseSensitive(var,
								    "index");
		if (!cJSON_IsObject(var) ||
		    !cJSON_IsObject(
			    cJSON_GetObjectItemCaseSensitive(var, "rules")) ||
		    !cJSON_IsNumber(idx) || idx->valuedouble != (double)i++)
			return NULL;
		cJSON_ArrayForEach(it, var)
		{
			if (strcmp(it->string, "index") &&
			    strcmp(it->string, "rules"))
				return NULL;
		}
	}
	s = ynode_new(Y_SEQ, 0, 0);
	s->tag = xstrdup("!arrayContains");
	var = vars->child;
	cJSON_ArrayForEach(el, v)
	{
		struct wtab vt;
		struct wbody vb;
		struct ynode *kid;
		int left;
		vt.rules = cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(var, "rules"), 1);
		vt.flat = 0;
		vt.variant = 1;
		vb.t = &vt;
		vb.bad = 0;
		buf_init(&vb.path, 0);
		buf_addch(&vb.path, '$');
		kid = w_body(w, el, &vb, 0);
		left = vt.rules->child != NULL;
		buf_release(&vb.path);
		cJSON_Delete(vt.rules);
		ynode_add(s, kid);
		if (left) {
			ynode_free(s);
			return NULL;
		}
		var = var->next;
	}
	return s;
}

static struct ynode *w_body(struct yw *w, const cJSON *v, struct wbody *b,
			    int noroot)
{
	const cJSON *rule = NULL;
	struct ynode *n = NULL;
	struct plan p;
	if (w->fold && !b->bad && !noroot)
		rule = wt_peek(b->t, "body", b->path.ptr);
	if (!rule || plan_rule(rule, b->t->flat, &p))
		return w_body_plain(w, v, b);
	if (p.one && cJSON_IsArray(v)) {
		n = w_eachlike(w, v, &p, b);
		if (!n)
			n = w_contains(w, v, &p, b);
	}
	if (!n)
		n = w_wrap(w, &p, w_body_plain(w, v, b));
	wt_drop(b->t, "body", b->path.ptr);
	return n;
}

/*
 * A body: the content alone when the v4 wrapper says no more than the
 * reader would derive, !body when it does, !unwrapped for a legacy v4
 * body that had no wrapper.
 */
static struct ynode *w_body_part(struct yw *w, const cJSON *v, struct wtab *t,
				 const cJSON *headers, const cJSON *meta)
{
	static const char *const keys[] = { "contentType", "encoded",
					    "contentTypeHint", NULL };
	struct wbody b;
	struct ynode *n, *ex;
	const cJSON *content, *ct, *x;
	char derived[256];
	size_t i;

	b.t = t;
	b.bad = 0;
	buf_init(&b.path, 0);
	buf_addch(&b.path, '$');
	if (w->spec < SPEC_V4) {
		n = w_body(w, v, &b, 0);
	} else if (!body_is_wrapped(v)) {
		n = w_body(w, v, &b, 1);
		free(n->tag);
		n->tag = xstrdup("!unwrapped");
	} else {
		content = cJSON_GetObjectItemCaseSensitive(v, "content");
		ct = cJSON_GetObjectItemCaseSensitive(v, "contentType");
		ex = w_body(w, content, &b, 0);
		yaml_derive_ct(content, headers, meta, derived,
			       sizeof(derived));
		if (cJSON_IsString(ct) && !strcmp(derived, ct->valuestring) &&
		    cJSON_IsFalse(
			    cJSON_GetObjectItemCaseSensitive(v, "encoded")) &&
		    !cJSON_GetObjectItemCaseSensitive(v, "contentTypeHint")) {
			n = ex;
		} else {
			n = ynode_new(Y_MAP, 0, 0);
			n->tag = xstrdup("!body");
			w_put(w, n, "content", ex);
			for (i = 0; keys[i]; i++) {
				x = cJSON_GetObjectItemCaseSensitive(v,
								     keys[i]);
				if (x)
					w_put(w, n, keys[i], w_json(w, x));
			}
			n->flow = all_scalar(n);
		}
	}
	buf_release(&b.path);
	return n;
}

/* A header or query value: one value as a scalar, several as a list. */
static struct ynode *w_hq(struct yw *w, const cJSON *v, int lists)
{
	struct ynode *n;
	if (cJSON_IsString(v)) {
		n = w_str(w, v->valuestring);
		if (lists) /* a v4 header written as a plain string */
			n->tag = xstrdup(STR_TAG);
		return n;
	}
	if (lists && cJSON_GetArraySize(v) == 1 && cJSON_IsString(v->child))
		return w_str(w, v->child->valuestring);
	return w_json(w, v);
}

/* Folds the rule for (cat, key), if any, around example `ex`. */
static struct ynode *w_fold(struct yw *w, struct wtab *t, const char *cat,
			    const char *key, struct ynode *ex)
{
	const cJSON *rule = w->fold ? wt_peek(t, cat, key) : NULL;
	struct plan p;
	if (!rule || plan_rule(rule, t->flat, &p))
		return ex;
	ex = w_wrap(w, &p, ex);
	wt_drop(t, cat, key);
	return ex;
}

/* Headers, query parameters or message metadata, with their rules.
 * `lists` < 0: metadata, any JSON values. */
static struct ynode *w_named(struct yw *w, const cJSON *o, struct wtab *t,
			     const char *cat, int lists)
{
	struct ynode *m;
	const cJSON *it;
	if (!cJSON_IsObject(o))
		return w_json(w, o);
	m = ynode_new(Y_MAP, 0, 0);
	cJSON_ArrayForEach(it, o)
	{
		struct ynode *ex = lists < 0 ? w_json(w, it)
					     : w_hq(w, it, lists);
		w_put(w, m, it->string, w_fold(w, t, cat, it->string, ex));
	}
	return m;
}

/*
 * A v1/v2 query string that encodes back to itself becomes a mapping (so
 * its parameters can carry tags); NULL when it must stay as written.
 */
static cJSON *query_canonical(const char *raw)
{
	struct query q;
	cJSON *o, *s;
	size_t i, j;
	memset(&q, 0, sizeof(q));
	query_parse(&q, raw, strlen(raw));
	o = cJSON_CreateObject();
	for (i = 0; i < q.n; i++) {
		cJSON *a = cJSON_AddArrayToObject(o, q.v[i].name);
		for (j = 0; j < q.v[i].n; j++)
			cJSON_AddItemToArray(
				a, cJSON_CreateString(q.v[i].values[j]));
	}
	s = yaml_query_string(o);
	if (!q.n || !s || strcmp(s->valuestring, raw)) {
		cJSON_Delete(o);
		o = NULL;
	}
	cJSON_Delete(s);
	query_release(&q);
	return o;
}

static struct ynode *w_query(struct yw *w, const cJSON *q, struct wtab *t)
{
	struct ynode *n;
	cJSON *o;
	if (!cJSON_IsString(q))
		return w_named(w, q, t, "query", 1);
	if (w->spec <= SPEC_V2) {
		o = query_canonical(q->valuestring);
		if (o) {
			n = w_named(w, o, t, "query", 1);
			cJSON_Delete(o);
			return n;
		}
	}
	return w_str(w, q->valuestring);
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *const *x = a, *const *y = b;
	return strcmp((*x)->string, (*y)->string);
}

/* Keys of `o` not in `known` (nor `skip`), sorted, written as they are. */
static void w_extras(struct yw *w, struct ynode *m, const cJSON *o,
		     const char *const *known, const char *skip)
{
	const cJSON *it, **v;
	size_t n = 0, i;
	cJSON_ArrayForEach(it, o)
	{
		n++;
	}
	if (!n)
		return;
	v = xmalloc(n * sizeof(*v));
	n = 0;
	cJSON_ArrayForEach(it, o)
	{
		if (!yaml_one_of(it->string, known) &&
		    !(skip && !strcmp(it->string, skip)))
			v[n++] = it;
	}
	qsort(v, n, sizeof(*v), key_cmp);
	for (i = 0; i < n; i++)
		w_put(w, m, v[i]->string, w_json(w, v[i]));
	free(v);
}

/* What is left of a part's rules, categories and keys sorted. */
static void w_rules(struct yw *w, struct ynode *m, const struct wtab *t,
		    const cJSON *orig)
{
	static const char *const none[] = { NULL };
	const cJSON *it;
	struct ynode *r;
	size_t i;
	if (!orig)
		return;
	if (!cJSON_IsObject(t->rules)) {
		w_put(w, m, "matchingRules", w_json(w, t->rules));
		return;
	}
	if (!t->rules->child && orig->child)
		return; /* everything became tags */
	r = ynode_new(Y_MAP, 0, 0);
	w_extras(w, r, t->rules, none, NULL);
	for (i = 1; i < r->n; i += 2) {
		struct ynode *c = r->kids[i];
		it = cJSON_GetObjectItemCaseSensitive(t->rules,
						      r->kids[i - 1]->text);
		if (t->flat && c->kind == Y_MAP && all_scalar(c))
			c->flow = 1;
		if (!t->flat && cJSON_IsObject(it) &&
		    !cJSON_GetObjectItemCaseSensitive(it, "matchers")) {
			struct ynode *sorted = ynode_new(Y_MAP, 0, 0);
			w_extras(w, sorted, it, none, NULL);
			ynode_free(c);
			r->kids[i] = sorted;
		}
	}
	flow_matchers(r);
	w_put(w, m, "matchingRules", r);
}

static void wt_open(struct wtab *t, const cJSON *rules, int flat)
{
	t->rules = cJSON_Duplicate(rules, 1);
	t->flat = flat;
	t->variant = 0;
}

static struct ynode *w_request(struct yw *w, const cJSON *o)
{
	static const char *const known[] = { "method",	   "path",
					     "query",	   "headers",
					     "body",	   "matchingRules",
					     "generators", NULL };
	const cJSON *v, *h = cJSON_GetObjectItemCaseSensitive(o, "headers");
	struct ynode *m;
	struct wtab t;
	if (!cJSON_IsObject(o))
		return w_json(w, o);
	wt_open(&t, cJSON_GetObjectItemCaseSensitive(o, "matchingRules"),
		w->spec <= SPEC_V2);
	m = ynode_new(Y_MAP, 0, 0);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "method")))
		w_put(w, m, "method", w_json(w, v));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "path")))
		w_put(w, m, "path", w_fold(w, &t, "path", NULL, w_json(w, v)));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "query")))
		w_put(w, m, "query", w_query(w, v, &t));
	if (h)
		w_put(w, m, "headers",
		      w_named(w, h, &t, "header", w->spec >= SPEC_V4));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "body")))
		w_put(w, m, "body", w_body_part(w, v, &t, h, NULL));
	w_rules(w, m, &t, cJSON_GetObjectItemCaseSensitive(o, "matchingRules"));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "generators")))
		w_put(w, m, "generators", w_json(w, v));
	w_extras(w, m, o, known, NULL);
	cJSON_Delete(t.rules);
	return m;
}

static struct ynode *w_response(struct yw *w, const cJSON *o)
{
	static const char *const known[] = { "status",	   "headers",
					     "body",	   "matchingRules",
					     "generators", NULL };
	const cJSON *v, *h = cJSON_GetObjectItemCaseSensitive(o, "headers");
	struct ynode *m;
	struct wtab t;
	if (!cJSON_IsObject(o))
		return w_json(w, o);
	wt_open(&t, cJSON_GetObjectItemCaseSensitive(o, "matchingRules"),
		w->spec <= SPEC_V2);
	m = ynode_new(Y_MAP, 0, 0);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "status")))
		w_put(w, m, "status",
		      w_fold(w, &t, "status", NULL, w_json(w, v)));
	if (h)
		w_put(w, m, "headers",
		      w_named(w, h, &t, "header", w->spec >= SPEC_V4));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "body")))
		w_put(w, m, "body", w_body_part(w, v, &t, h, NULL));
	w_rules(w, m, &t, cJSON_GetObjectItemCaseSensitive(o, "matchingRules"));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "generators")))
		w_put(w, m, "generators", w_json(w, v));
	w_extras(w, m, o, known, NULL);
	cJSON_Delete(t.rules);
	return m;
}

static const char *const message_keys[] = { "contents",	  "metadata",
					    "metaData",	  "matchingRules",
					    "generators", NULL };

/* A message's fields into mapping `m` (with its other keys if `extras`). */
static struct ynode *w_message(struct yw *w, const cJSON *o, int extras)
{
	const cJSON *v, *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	struct ynode *m = ynode_new(Y_MAP, 0, 0);
	struct wtab t;
	wt_open(&t, cJSON_GetObjectItemCaseSensitive(o, "matchingRules"),
		w->spec <= SPEC_V2);
	if (md)
		w_put(w, m, "metadata", w_named(w, md, &t, "metadata", -1));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "metaData")))
		w_put(w, m, "metaData", w_json(w, v));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "contents")))
		w_put(w, m, "contents", w_body_part(w, v, &t, NULL, md));
	w_rules(w, m, &t, cJSON_GetObjectItemCaseSensitive(o, "matchingRules"));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "generators")))
		w_put(w, m, "generators", w_json(w, v));
	if (extras)
		w_extras(w, m, o, message_keys, NULL);
	cJSON_Delete(t.rules);
	return m;
}

/*
 * given: from providerStates when every state is a name with optional
 * params (a lone state without params as a plain string), or from a
 * v1/v2 providerState. Returns the key it used, or NULL (the states then
 * stay as they are, among the interaction's other keys).
 */
static const char *w_given(struct yw *w, const cJSON *o, struct ynode *m)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(o, "providerStates");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(o, "providerState");
	const cJSON *it, *x;
	struct ynode *g;
	if (w->spec <= SPEC_V2) {
		if (ps || !cJSON_IsString(one))
			return NULL;
		w_put(w, m, "given", w_str(w, one->valuestring));
		return "providerState";
	}
	if (!cJSON_IsArray(ps) || !ps->child)
		return NULL;
	cJSON_ArrayForEach(it, ps)
	{
		if (!cJSON_IsObject(it) ||
		    !cJSON_IsString(
			    cJSON_GetObjectItemCaseSensitive(it, "name")))
			return NULL;
		cJSON_ArrayForEach(x, it)
		{
			if (strcmp(x->string, "name") &&
			    strcmp(x->string, "params"))
				return NULL;
		}
	}
	if (!ps->child->next &&
	    !cJSON_GetObjectItemCaseSensitive(ps->child, "params")) {
		w_put(w, m, "given",
		      w_json(w, cJSON_GetObjectItemCaseSensitive(ps->child,
								 "name")));
		return "providerStates";
	}
	g = ynode_new(Y_SEQ, 0, 0);
	cJSON_ArrayForEach(it, ps)
	{
		const cJSON *params = cJSON_GetObjectItemCaseSensitive(
			it, "params");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it,
								     "name");
		if (!params) {
			ynode_add(g, w_json(w, name));
		} else {
			struct ynode *s = ynode_new(Y_MAP, 0, 0);
			w_put(w, s, "name", w_json(w, name));
			w_put(w, s, "params", w_json(w, params));
			ynode_add(g, s);
		}
	}
	w_put(w, m, "given", g);
	return "providerStates";
}

static struct ynode *w_interaction(struct yw *w, const cJSON *o, int msg_array)
{
	static const char *const http_keys[] = { "type",     "description",
						 "key",	     "pending",
						 "comments", "request",
						 "response", NULL };
	static const char *const msg_keys[] = {
		"type",		 "description", "key",	    "pending",
		"comments",	 "contents",	"metadata", "metaData",
		"matchingRules", "generators",	NULL
	};
	static const char *const first[] = { "description", "key", "pending",
					     NULL };
	enum interaction_type kind = msg_array ? IX_MESSAGE : IX_HTTP;
	const cJSON *v, *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	struct ynode *m;
	const char *used;
	size_t i;

	if (!cJSON_IsObject(o))
		return w_json(w, o);
	if (w->spec >= SPEC_V4 && cJSON_IsString(type)) {
		/* the document is the Pact writer's: its types are known */
		(void)interaction_type_parse(type->valuestring, &kind);
	}
	m = ynode_new(Y_MAP, 0, 0);
	for (i = 0; first[i]; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(o, first[i])))
			w_put(w, m, first[i], w_json(w, v));
	used = w_given(w, o, m);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "comments")))
		w_put(w, m, "comments", w_json(w, v));
	if (kind == IX_HTTP) {
		if ((v = cJSON_GetObjectItemCaseSensitive(o, "request")))
			w_put(w, m, "request", w_request(w, v));
		if ((v = cJSON_GetObjectItemCaseSensitive(o, "response")))
			w_put(w, m, "response", w_response(w, v));
		w_extras(w, m, o, http_keys, used);
	} else if (kind == IX_MESSAGE) {
		w_put(w, m, "message", w_message(w, o, 0));
		w_extras(w, m, o, msg_keys, used);
	} else {
		struct ynode *rs = ynode_new(Y_SEQ, 0, 0);
		const cJSON *it;
		if ((v = cJSON_GetObjectItemCaseSensitive(o, "request")))
			w_put(w, m, "request", w_message(w, v, 1));
		v = cJSON_GetObjectItemCaseSensitive(o, "response");
		cJSON_ArrayForEach(it, v)
		{
			ynode_add(rs, w_message(w, it, 1));
		}
		w_put(w, m, "responses", rs);
		w_extras(w, m, o, http_keys, used);
	}
	return m;
}

static struct ynode *w_party(struct yw *w, const cJSON *p)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
	if (cJSON_IsObject(p) && cJSON_GetArraySize(p) == 1 &&
	    cJSON_IsString(name))
		return w_str(w, name->valuestring);
	return w_json(w, p);
}

static struct ynode *w_doc(struct yw *w, const cJSON *doc)
{
	static const char *const known[] = { "consumer",     "provider",
					     "interactions", "messages",
					     "metadata",     NULL };
	static const char *const specs[] = { "1", "1.1", "2", "3", "4" };
	const cJSON *v, *it,
		*md = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	struct ynode *root = ynode_new(Y_MAP, 0, 0), *ixs;
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *k = i ? "provider" : "consumer";
		if ((v = cJSON_GetObjectItemCaseSensitive(doc, k)))
			w_put(w, root, k, w_party(w, v));
	}
	w_put(w, root, "spec",
	      w_lit(specs[w->spec == SPEC_V1	 ? 0
			  : w->spec == SPEC_V1_1 ? 1
			  : w->spec == SPEC_V2	 ? 2
			  : w->spec == SPEC_V3	 ? 3
						 : 4]));
	if (cJSON_IsObject(md)) {
		cJSON *copy = cJSON_Duplicate(md, 1);
		const cJSON *ps = cJSON_GetObjectItemCaseSensitive(
			copy, "pactSpecification");
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(ps,
								    "version");
		/* the version is said by spec: */
		if (cJSON_IsObject(ps) && cJSON_GetArraySize(ps) == 1 &&
		    cJSON_IsString(ver) &&
		    !strcmp(ver->valuestring, spec_name(w->spec)))
			cJSON_DeleteItemFromObjectCaseSensitive(
				copy, "pactSpecification");
		if (copy->child)
			w_put(w, root, "metadata", w_json(w, copy));
		cJSON_Delete(copy);
	} else if (md) {
		w_put(w, root, "metadata", w_json(w, md));
	}
	ixs = ynode_new(Y_SEQ, 0, 0);
	for (i = 0; i < 2; i++) {
		v = cJSON_GetObjectItemCaseSensitive(doc, i ? "messages"
							    : "interactions");
		cJSON_ArrayForEach(it, v)
		{
			ynode_add(ixs, w_interaction(w, it, (int)i));
		}
	}
	w_put(w, root, "interactions", ixs);
	w_extras(w, root, doc, known, NULL);
	return root;
}

/* Does the text read back as `doc`? */
static int reads_back(const char *text, size_t len, const cJSON *doc)
{
	struct err e;
	struct ynode *root;
	size_t nodes = 0;
	struct yr r;
	cJSON *back;
	int same;
	err_clear(&e);
	root = yaml_load(text, len, &nodes, &e);
	if (!root)
		return 0;
	yr_init(&r, &e, nodes, NULL);
	back = yaml_doc_from_tree(&r, root);
	yr_release(&r);
	ynode_free(root);
	if (!back)
		return 0;
	if (!cJSON_GetObjectItemCaseSensitive(doc, "metadata")) {
		/* the version that spec: adds is no loss */
		cJSON *md = cJSON_GetObjectItemCaseSensitive(back, "metadata");
		if (md && cJSON_GetArraySize(md) == 1 &&
		    cJSON_GetObjectItemCaseSensitive(md, "pactSpecification"))
			cJSON_DeleteItemFromObjectCaseSensitive(back,
								"metadata");
	}
	same = cJSON_Compare(doc, back, 1);
	cJSON_Delete(back);
	return same;
}

/*
 * Appends the contract as YAML to `out`, at the contract's own Pact
 * version (written as `spec:`). Returns 0, or -1 with err set: a string
 * that is not UTF-8 (ERR_UNSUPPORTED), a full `out` (ERR_LIMIT).
 */
int contract_write_yaml(const struct contract *c, struct buf *out,
			struct err *e)
{
	enum spec_version spec = c->spec != SPEC_UNKNOWN ? c->spec : SPEC_V4;
	cJSON *doc = contract_to_cjson(c, spec, e);
	struct buf text;
	int fold, rc = -1;

	if (!doc)
		return -1;
	for (fold = 1; fold >= 0 && rc; fold--) {
		struct err we;
		struct ynode *tree;
		struct yw w;
		memset(&w, 0, sizeof(w));
		err_clear(&we);
		w.spec = spec;
		w.e = &we;
		w.fold = fold;
		yr_init(&w.check, &w.scratch, YAML_MAX_NODES, NULL);
		w.check.spec = spec;
		tree = w_doc(&w, doc);
		yr_release(&w.check);
		if (we.code) {
			ynode_free(tree);
			err_set(e, we.code, "%s", we.msg);
			break;
		}
		buf_init(&text, 0);
		emit_map(&text, tree, 0, 0);
		ynode_free(tree);
		if (reads_back(text.ptr, text.len, doc)) {
			/* a full buffer ends the loop too: rc stays -1 */
			if (buf_try_add(out, text.ptr, text.len))
				err_set(e, ERR_LIMIT, "%s",
					"the YAML text is larger than the "
					"output buffer allows");
			else
				rc = 0;
			buf_release(&text);
			break;
		}
		buf_release(&text);
	}
	if (rc) {
		/* not expected: folding is checked, and unfolded text is
		 * plain data */
		err_set(e, ERR_UNSUPPORTED, "%s",
			"the YAML form of the contract does not read back the "
			"same");
		err_setsource(e, c->source);
	}
	cJSON_Delete(doc);
	return rc;
}
