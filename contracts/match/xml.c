/*
 * xml.c: a small non-validating, namespace-aware XML 1.0 parser for message
 * bodies. Contracts compare XML bodies structurally (element names in their
 * namespaces, attributes, trimmed text), so this builds exactly that tree and
 * nothing more. It is written for untrusted input: it never reads past `len`
 * (the buffer is not NUL-terminated), it never recurses on the input (open
 * elements live on an explicit stack capped at XML_MAX_DEPTH), and it refuses
 * DTD entity declarations outright rather than expanding them, which rules
 * out entity-expansion ("billion laughs") and external-entity attacks. Bytes
 * are taken as UTF-8 and passed through; the only characters refused are the
 * control characters XML forbids, which also keeps NUL out of our C strings.
 */
#include "contracts/match/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XML_MAX_DEPTH 256
#define NS_XML "http://www.w3.org/XML/1998/namespace"
#define NS_XMLNS "http://www.w3.org/2000/xmlns/"
/* Names quoted in error messages are cut to this many bytes. */
#define NAME_QUOTE_MAX 64

/* A prefix in scope; both strings belong to a node's nsdecls. */
struct binding {
	const char *prefix; /* "" for the default namespace */
	const char *uri;    /* "" when the default namespace is undeclared */
};

/* An open element. */
struct frame {
	struct xml_node *node;
	size_t qname; /* offset of the qualified name in the input, for the */
	size_t qlen;  /* end tag, which must repeat it byte for byte */
	size_t nbind; /* bindings in scope before this element's own */
	size_t childcap;
	struct buf text; /* the element's own character data so far */
};

/* An attribute as written, before namespace processing. */
struct rawattr {
	size_t off; /* offset of the name in the input */
	size_t len;
	size_t colon; /* index of ':' within the name, 0 when none */
	char *value;  /* decoded and normalised; owned until moved to a node */
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	size_t start; /* first byte after a BOM: line 1, column 1 */
	struct err *e;
	struct xml_node *root;
	/* open elements; every slot below stackcap has an initialised text
	 * buffer, reused by later siblings at the same depth */
	struct frame *stack;
	size_t depth;
	size_t stackcap;
	struct binding *binds;
	size_t nbinds;
	size_t bindcap;
	struct rawattr *raw;
	size_t nraw;
	size_t rawcap;
	struct buf tmp;
	int seen_doctype;
};

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes >= 0x80 are accepted in names: we do not classify Unicode. */
static int is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || c >= 0x80;
}

static int is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

static int byte_at(const struct parser *ps, size_t i)
{
	return i < ps->len ? (unsigned char)ps->s[i] : -1;
}

static int at(const struct parser *ps, const char *lit)
{
	size_t n = strlen(lit);
	return ps->len - ps->pos >= n && memcmp(ps->s + ps->pos, lit, n) == 0;
}

/* Returns the number of bytes skipped. */
static size_t skip_space(struct parser *ps)
{
	size_t from = ps->pos;
	while (ps->pos < ps->len && is_space(byte_at(ps, ps->pos)))
		ps->pos++;
	return ps->pos - from;
}

/* Offset of the first occurrence of `lit` at or after `from`, or len. */
static size_t find(const struct parser *ps, size_t from, const char *lit)
{
	size_t n = strlen(lit), i;
	for (i = from; i < ps->len && ps->len - i >= n; i++)
		if (memcmp(ps->s + i, lit, n) == 0)
			return i;
	return ps->len;
}

static int quote_len(size_t n)
{
	return n > NAME_QUOTE_MAX ? NAME_QUOTE_MAX : (int)n;
}

/*
 * Line and column of `off`, counted the way an editor shows them: a line
 * break is LF, CRLF or a lone CR, and columns count UTF-8 characters, not
 * bytes. Only computed on error, so the rescan costs nothing on success.
 */
static void locate(const struct parser *ps, size_t off, int *line, int *col)
{
	long l = 1, c = 1;
	size_t i;
	for (i = ps->start; i < off && i < ps->len; i++) {
		int ch = byte_at(ps, i);
		if (ch == '\n' && i > ps->start && byte_at(ps, i - 1) == '\r')
			continue; /* the CR already counted this break */
		if (ch == '\r' || ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l > 1000000000L ? 1000000000 : (int)l;
	*col = c > 1000000000L ? 1000000000 : (int)c;
}

/* Records an error at input offset `off`; returns -1. */
static int fail(struct parser *ps, size_t off, enum err_code code,
		const char *fmt, ...) ATTR_PRINTF(4, 5);

static int fail(struct parser *ps, size_t off, enum err_code code,
		const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	int line, col;

	/* the first error wins, and its position must stay with it */
	if (!ps->e || ps->e->code != ERR_NONE)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(ps->e, code, "%s", msg);
	locate(ps, off, &line, &col);
	err_setpos(ps->e, line, col);
	return -1;
}

/* The Char production of XML 1.0. */
static int is_xml_char(unsigned long cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD ||
	       (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
	       (cp >= 0x10000 && cp <= 0x10FFFF);
}

static void add_utf8(struct buf *b, unsigned long cp)
{
	char u[4];
	/* callers pass XML characters only, which all encode */
	buf_add(b, u, utf8_encode(cp, u));
}

static int bad_char(struct parser *ps, size_t off)
{
	return fail(ps, off, ERR_SYNTAX, "invalid character U+%04X in XML",
		    (unsigned)byte_at(ps, off));
}

/*
 * Appends input bytes [from, to) to `b`, turning CRLF and lone CR into LF
 * as XML requires, and refusing control characters. With `b` NULL it only
 * checks (comments and PIs, whose content we drop).
 */
static int add_chars(struct parser *ps, struct buf *b, size_t from, size_t to)
{
	size_t i = from, run = from;
	while (i < to) {
		int c = byte_at(ps, i);
		if (c >= 0x20 || c == '\t' || c == '\n') {
			i++;
			continue;
		}
		if (c != '\r')
			return bad_char(ps, i);
		if (b) {
			buf_add(b, ps->s + run, i - run);
			buf_addch(b, '\n');
		}
		i++;
		if (i < to && byte_at(ps, i) == '\n')
			i++;
		run = i;
	}
	if (b)
		buf_add(b, ps->s + run, to - run);
	return 0;
}

static int read_charref(struct parser *ps, struct buf *b)
{
	size_t off = ps->pos, i = ps->pos + 2, ndigits = 0;
	unsigned long cp = 0;
	int base = 10;

	if (byte_at(ps, i) == 'x') {
		base = 16;
		i++;
	}
	for (; i < ps->len; i++) {
		int d = hex_value(byte_at(ps, i));
		if (d < 0 || d >= base)
			break;
		/* stop accumulating once out of range so cp cannot wrap */
		if (cp <= 0x10FFFF)
			cp = cp * (unsigned long)base + (unsigned long)d;
		ndigits++;
	}
	if (!ndigits || byte_at(ps, i) != ';')
		return fail(ps, off, ERR_SYNTAX, "invalid character reference");
	if (!is_xml_char(cp))
		return fail(ps, off, ERR_SYNTAX,
			    "character reference to invalid code point");
	ps->pos = i + 1;
	add_utf8(b, cp);
	return 0;
}

/* At '&': decodes one entity or character reference into `b`. */
static int read_ref(struct parser *ps, struct buf *b)
{
	static const struct {
		const char *name;
		char c;
	} predef[] = {
		{ "lt", '<' },	  { "gt", '>' },   { "amp", '&' },
		{ "apos", '\'' }, { "quot", '"' },
	};
	size_t off = ps->pos, i = ps->pos + 1, n, k;

	if (byte_at(ps, i) == '#')
		return read_charref(ps, b);
	if (!is_name_start(byte_at(ps, i)))
		return fail(ps, off, ERR_SYNTAX,
			    "'&' must start a reference (write &amp;)");
	while (is_name_char(byte_at(ps, i)))
		i++;
	if (byte_at(ps, i) != ';')
		return fail(ps, off, ERR_SYNTAX,
			    "entity reference without ';'");
	n = i - off - 1;
	for (k = 0; k < sizeof(predef) / sizeof(predef[0]); k++) {
		if (strlen(predef[k].name) == n &&
		    memcmp(predef[k].name, ps->s + off + 1, n) == 0) {
			ps->pos = i + 1;
			buf_addch(b, predef[k].c);
			return 0;
		}
	}
	return fail(ps, off, ERR_SYNTAX, "undefined entity &%.*s;",
		    quote_len(n), ps->s + off + 1);
}

/* A Name (no namespace rules); returns its length, 0 on error. */
static size_t read_name(struct parser *ps)
{
	size_t from = ps->pos;
	if (!is_name_start(byte_at(ps, ps->pos))) {
		fail(ps, ps->pos, ERR_SYNTAX, "expected a name");
		return 0;
	}
	while (is_name_char(byte_at(ps, ps->pos)))
		ps->pos++;
	return ps->pos - from;
}

/*
 * A qualified name: at most one ':', with a non-empty prefix and a local
 * part that is itself a name. `colon` gets the index of ':' or 0.
 */
static int read_qname(struct parser *ps, size_t *off, size_t *len,
		      size_t *colon)
{
	size_t n, i;
	*off = ps->pos;
	*colon = 0;
	n = read_name(ps);
	if (!n)
		return -1;
	for (i = 0; i < n; i++) {
		if (ps->s[*off + i] != ':')
			continue;
		if (*colon || i == 0 || i + 1 == n ||
		    !is_name_start((unsigned char)ps->s[*off + i + 1]) ||
		    ps->s[*off + i + 1] == ':')
			return fail(ps, *off, ERR_SYNTAX,
				    "invalid qualified name '%.*s'",
				    quote_len(n), ps->s + *off);
		*colon = i;
	}
	*len = n;
	return 0;
}

static int read_comment(struct parser *ps)
{
	size_t off = ps->pos, end = find(ps, ps->pos + 4, "--");
	if (end >= ps->len)
		return fail(ps, off, ERR_SYNTAX, "unterminated comment");
	if (byte_at(ps, end + 2) != '>')
		return fail(ps, end, ERR_SYNTAX,
			    "'--' is not allowed in a comment");
	if (add_chars(ps, NULL, ps->pos + 4, end))
		return -1;
	ps->pos = end + 3;
	return 0;
}

static int read_pi(struct parser *ps)
{
	size_t off = ps->pos, n, end;
	ps->pos += 2;
	n = read_name(ps);
	if (!n)
		return -1;
	if (n == 3 && (ps->s[off + 2] | 0x20) == 'x' &&
	    (ps->s[off + 3] | 0x20) == 'm' && (ps->s[off + 4] | 0x20) == 'l')
		return fail(ps, off, ERR_SYNTAX,
			    "XML declaration allowed only at the start");
	if (!at(ps, "?>") && !skip_space(ps))
		return fail(ps, ps->pos, ERR_SYNTAX,
			    "invalid processing instruction");
	end = find(ps, ps->pos, "?>");
	if (end >= ps->len)
		return fail(ps, off, ERR_SYNTAX,
			    "unterminated processing instruction");
	if (add_chars(ps, NULL, ps->pos, end))
		return -1;
	ps->pos = end + 2;
	return 0;
}

/*
 * Skips a DOCTYPE without interpreting it: we do no validation and load no
 * external DTD. Entity declarations are refused because expanding them is
 * the classic denial-of-service and file-disclosure vector, and silently
 * ignoring them would give the wrong text for references to them.
 */
static int skip_doctype(struct parser *ps)
{
	size_t off = ps->pos, end;
	int subset = 0;

	ps->pos += 9;
	if (!skip_space(ps))
		return fail(ps, ps->pos, ERR_SYNTAX, "invalid DOCTYPE");
	while (ps->pos < ps->len) {
		int c = byte_at(ps, ps->pos);
		if (c == '"' || c == '\'') {
			for (end = ps->pos + 1; end < ps->len; end++)
				if (byte_at(ps, end) == c)
					break;
			if (end >= ps->len)
				break;
			ps->pos = end + 1;
		} else if (!subset && c == '[') {
			subset = 1;
			ps->pos++;
		} else if (!subset && c == '>') {
			ps->pos++;
			return 0;
		} else if (subset && at(ps, "<!--")) {
			if (read_comment(ps))
				return -1;
		} else if (subset && at(ps, "<?")) {
			if (read_pi(ps))
				return -1;
		} else if (subset && at(ps, "<!ENTITY")) {
			return fail(
				ps, ps->pos, ERR_UNSUPPORTED,
				"DTD entity declarations are not supported");
		} else if (subset && c == ']') {
			subset = 0;
			ps->pos++;
		} else {
			ps->pos++;
		}
	}
	return fail(ps, off, ERR_SYNTAX, "unterminated DOCTYPE");
}

static int read_cdata(struct parser *ps, struct buf *b)
{
	size_t off = ps->pos, from = ps->pos + 9, end = find(ps, from, "]]>");
	if (end >= ps->len)
		return fail(ps, off, ERR_SYNTAX, "unterminated CDATA section");
	if (add_chars(ps, b, from, end))
		return -1;
	ps->pos = end + 3;
	return 0;
}

/* Character data up to the next markup, references decoded. */
static int read_text(struct parser *ps, struct buf *b)
{
	while (ps->pos < ps->len) {
		int c = byte_at(ps, ps->pos);
		size_t end = ps->pos;
		if (c == '<')
			return 0;
		if (c == '&') {
			if (read_ref(ps, b))
				return -1;
			continue;
		}
		while (end < ps->len && byte_at(ps, end) != '<' &&
		       byte_at(ps, end) != '&') {
			/* XML forbids "]]>" in text so it cannot be mistaken
			 * for the end of a CDATA section */
			if (byte_at(ps, end) == ']' && end + 2 < ps->len &&
			    memcmp(ps->s + end, "]]>", 3) == 0)
				return fail(ps, end, ERR_SYNTAX,
					    "']]>' is not allowed in text");
			end++;
		}
		if (add_chars(ps, b, ps->pos, end))
			return -1;
		ps->pos = end;
	}
	return 0;
}

/*
 * An attribute value between quotes. Literal whitespace becomes a space
 * (attribute-value normalisation); whitespace written as a character
 * reference is kept, as XML specifies.
 */
static int read_attr_value(struct parser *ps, struct buf *b)
{
	size_t off = ps->pos;
	int q = byte_at(ps, ps->pos);

	if (q != '"' && q != '\'')
		return fail(ps, ps->pos, ERR_SYNTAX,
			    "expected a quoted attribute value");
	ps->pos++;
	while (ps->pos < ps->len) {
		int c = byte_at(ps, ps->pos);
		size_t end = ps->pos;
		if (c == q) {
			ps->pos++;
			return 0;
		}
		if (c == '<')
			return fail(ps, ps->pos, ERR_SYNTAX,
				    "'<' is not allowed in an attribute value");
		if (c == '&') {
			if (read_ref(ps, b))
				return -1;
			continue;
		}
		if (is_space(c)) {
			/* CRLF is one line break, hence one space */
			if (c == '\r' && byte_at(ps, ps->pos + 1) == '\n')
				ps->pos++;
			ps->pos++;
			buf_addch(b, ' ');
			continue;
		}
		if (c < 0x20)
			return bad_char(ps, ps->pos);
		while (end < ps->len) {
			int d = byte_at(ps, end);
			if (d == q || d == '<' || d == '&' || d < 0x20)
				break;
			end++;
		}
		buf_add(b, ps->s + ps->pos, end - ps->pos);
		ps->pos = end;
	}
	return fail(ps, off, ERR_SYNTAX, "unterminated attribute value");
}

static void clear_raw(struct parser *ps)
{
	size_t i;
	for (i = 0; i < ps->nraw; i++)
		free(ps->raw[i].value);
	ps->nraw = 0;
}

static int read_attr(struct parser *ps)
{
	struct rawattr a;
	size_t i;

	if (read_qname(ps, &a.off, &a.len, &a.colon))
		return -1;
	skip_space(ps);
	if (byte_at(ps, ps->pos) != '=')
		return fail(ps, ps->pos, ERR_SYNTAX,
			    "expected '=' after attribute name");
	ps->pos++;
	skip_space(ps);
	buf_reset(&ps->tmp);
	if (read_attr_value(ps, &ps->tmp))
		return -1;
	for (i = 0; i < ps->nraw; i++) {
		if (ps->raw[i].len == a.len &&
		    memcmp(ps->s + ps->raw[i].off, ps->s + a.off, a.len) == 0)
			return fail(ps, a.off, ERR_SYNTAX,
				    "duplicate attribute '%.*s'",
				    quote_len(a.len), ps->s + a.off);
	}
	a.value = xstrndup(ps->tmp.ptr, ps->tmp.len);
	ps->raw = xgrow(ps->raw, &ps->rawcap, ps->nraw + 1, sizeof(*ps->raw));
	ps->raw[ps->nraw++] = a;
	return 0;
}

/* The URI bound to `prefix` ("" = default), or NULL when unbound. */
static const char *lookup(const struct parser *ps, const char *prefix)
{
	size_t i;
	/* innermost first, so a redeclaration shadows its ancestors' */
	for (i = ps->nbinds; i > 0; i--)
		if (strcmp(ps->binds[i - 1].prefix, prefix) == 0)
			return ps->binds[i - 1].uri;
	if (strcmp(prefix, "xml") == 0)
		return NS_XML;
	return NULL;
}

static int is_xmlns_decl(const struct parser *ps, const struct rawattr *a)
{
	const char *s = ps->s + a->off;
	if (a->colon)
		return a->colon == 5 && memcmp(s, "xmlns", 5) == 0;
	return a->len == 5 && memcmp(s, "xmlns", 5) == 0;
}

/*
 * Records one xmlns declaration on `n` and brings it into scope, after the
 * checks of Namespaces in XML 1.0: the xml and xmlns prefixes and their URIs
 * are reserved, and a prefix cannot be bound to the empty string.
 */
static int declare(struct parser *ps, struct xml_node *n, struct rawattr *a)
{
	struct xml_attr *d = &n->nsdecls[n->nnsdecls];
	const char *s = ps->s + a->off;
	char *prefix = a->colon ? xstrndup(s + 6, a->len - 6) : xstrdup("");

	d->name = prefix;
	d->value = a->value;
	a->value = NULL;
	n->nnsdecls++;
	if (strcmp(prefix, "xmlns") == 0)
		return fail(ps, a->off, ERR_SYNTAX,
			    "the xmlns prefix cannot be declared");
	if (strcmp(prefix, "xml") == 0 && strcmp(d->value, NS_XML) != 0)
		return fail(ps, a->off, ERR_SYNTAX,
			    "the xml prefix cannot be rebound");
	if (strcmp(prefix, "xml") != 0 && strcmp(d->value, NS_XML) == 0)
		return fail(ps, a->off, ERR_SYNTAX,
			    "only the xml prefix can be bound to %s", NS_XML);
	if (strcmp(d->value, NS_XMLNS) == 0)
		return fail(ps, a->off, ERR_SYNTAX,
			    "no prefix can be bound to %s", NS_XMLNS);
	if (prefix[0] && !d->value[0])
		return fail(ps, a->off, ERR_SYNTAX,
			    "prefix '%s' cannot be bound to an empty URI",
			    prefix);
	ps->binds = xgrow(ps->binds, &ps->bindcap, ps->nbinds + 1,
			  sizeof(*ps->binds));
	ps->binds[ps->nbinds].prefix = d->name;
	ps->binds[ps->nbinds].uri = d->value;
	ps->nbinds++;
	return 0;
}

/* Splits a qualified name into node-owned prefix and local name. */
static void split_qname(const struct parser *ps, size_t off, size_t len,
			size_t colon, char **prefix, char **local)
{
	const char *s = ps->s + off;
	if (colon) {
		*prefix = xstrndup(s, colon);
		*local = xstrndup(s + colon + 1, len - colon - 1);
	} else {
		*prefix = NULL;
		*local = xstrndup(s, len);
	}
}

/* The namespace of a name with `prefix`, or an error if it is undeclared. */
static int resolve(struct parser *ps, size_t off, const char *prefix,
		   int use_default, char **ns)
{
	const char *uri;
	*ns = NULL;
	if (!prefix) {
		uri = use_default ? lookup(ps, "") : NULL;
		if (uri && uri[0])
			*ns = xstrdup(uri);
		return 0;
	}
	if (strcmp(prefix, "xmlns") == 0)
		return fail(ps, off, ERR_SYNTAX,
			    "the xmlns prefix is reserved for declarations");
	uri = lookup(ps, prefix);
	if (!uri)
		return fail(ps, off, ERR_SYNTAX,
			    "undeclared namespace prefix '%s'", prefix);
	*ns = xstrdup(uri);
	return 0;
}

/* Adds the element to its parent (or makes it the root) and opens it. */
static struct xml_node *push_element(struct parser *ps, size_t off, size_t qlen)
{
	struct xml_node *n = xcalloc(1, sizeof(*n));
	struct frame *f;

	if (ps->depth) {
		struct frame *p = &ps->stack[ps->depth - 1];
		struct xml_node *parent = p->node;
		parent->children = xgrow(parent->children, &p->childcap,
					 parent->nchildren + 1,
					 sizeof(*parent->children));
		parent->children[parent->nchildren++] = n;
		n->parent = parent;
	} else {
		ps->root = n;
	}
	if (ps->depth == ps->stackcap) {
		size_t old = ps->stackcap, i;
		ps->stack = xgrow(ps->stack, &ps->stackcap, ps->depth + 1,
				  sizeof(*ps->stack));
		for (i = old; i < ps->stackcap; i++)
			buf_init(&ps->stack[i].text, 0);
	}
	f = &ps->stack[ps->depth++];
	f->node = n;
	f->qname = off;
	f->qlen = qlen;
	f->nbind = ps->nbinds;
	f->childcap = 0;
	buf_reset(&f->text);
	return n;
}

/*
 * Builds the element from its start tag: declarations first, so that the
 * element and all its attributes resolve against them whatever the order
 * they were written in.
 */
static int open_element(struct parser *ps, size_t off, size_t qlen,
			size_t colon)
{
	struct xml_node *n;
	size_t i, j, ndecl = 0;

	if (ps->depth >= XML_MAX_DEPTH)
		return fail(ps, off - 1, ERR_LIMIT,
			    "XML nesting deeper than %d", XML_MAX_DEPTH);
	n = push_element(ps, off, qlen);
	for (i = 0; i < ps->nraw; i++)
		ndecl += is_xmlns_decl(ps, &ps->raw[i]) ? 1 : 0;
	n->nsdecls = xcalloc(ndecl, sizeof(*n->nsdecls));
	n->attrs = xcalloc(ps->nraw - ndecl, sizeof(*n->attrs));
	for (i = 0; i < ps->nraw; i++)
		if (is_xmlns_decl(ps, &ps->raw[i]) &&
		    declare(ps, n, &ps->raw[i]))
			return -1;

	split_qname(ps, off, qlen, colon, &n->prefix, &n->name);
	if (resolve(ps, off, n->prefix, 1, &n->ns))
		return -1;

	for (i = 0; i < ps->nraw; i++) {
		struct rawattr *r = &ps->raw[i];
		struct xml_attr *a = &n->attrs[n->nattrs];
		if (is_xmlns_decl(ps, r))
			continue;
		split_qname(ps, r->off, r->len, r->colon, &a->prefix, &a->name);
		a->value = r->value;
		r->value = NULL;
		n->nattrs++;
		if (resolve(ps, r->off, a->prefix, 0, &a->ns))
			return -1;
		/* p:a and q:a clash when p and q name the same URI */
		for (j = 0; a->ns && j + 1 < n->nattrs; j++) {
			const struct xml_attr *b = &n->attrs[j];
			if (b->ns && strcmp(b->ns, a->ns) == 0 &&
			    strcmp(b->name, a->name) == 0)
				return fail(ps, r->off, ERR_SYNTAX,
					    "duplicate attribute '%s' in "
					    "namespace '%s'",
					    a->name, a->ns);
		}
	}
	return 0;
}

/* Trims the element's text into place and leaves its namespace scope. */
static void close_element(struct parser *ps)
{
	struct frame *f = &ps->stack[ps->depth - 1];
	const char *p = f->text.ptr;
	size_t n = f->text.len;

	while (n && is_space((unsigned char)p[0])) {
		p++;
		n--;
	}
	while (n && is_space((unsigned char)p[n - 1]))
		n--;
	f->node->text = xstrndup(p, n);
	ps->nbinds = f->nbind;
	ps->depth--;
}

static int read_start_tag(struct parser *ps)
{
	size_t off, qlen, colon;
	int empty;

	ps->pos++;
	clear_raw(ps);
	if (read_qname(ps, &off, &qlen, &colon))
		return -1;
	for (;;) {
		size_t sp = skip_space(ps);
		if (ps->pos >= ps->len)
			return fail(ps, off - 1, ERR_SYNTAX,
				    "unterminated start tag <%.*s>",
				    quote_len(qlen), ps->s + off);
		if (byte_at(ps, ps->pos) == '>') {
			ps->pos++;
			empty = 0;
			break;
		}
		if (at(ps, "/>")) {
			ps->pos += 2;
			empty = 1;
			break;
		}
		if (!sp)
			return fail(ps, ps->pos, ERR_SYNTAX,
				    "expected whitespace, '>' or '/>'");
		if (read_attr(ps))
			return -1;
	}
	if (open_element(ps, off, qlen, colon))
		return -1;
	if (empty)
		close_element(ps);
	return 0;
}

static int read_end_tag(struct parser *ps)
{
	size_t tag = ps->pos, off, qlen, colon;
	const struct frame *f;

	ps->pos += 2;
	if (read_qname(ps, &off, &qlen, &colon))
		return -1;
	skip_space(ps);
	if (byte_at(ps, ps->pos) != '>')
		return fail(ps, ps->pos, ERR_SYNTAX, "expected '>'");
	ps->pos++;
	if (!ps->depth)
		return fail(ps, tag, ERR_SYNTAX, "unexpected end tag </%.*s>",
			    quote_len(qlen), ps->s + off);
	f = &ps->stack[ps->depth - 1];
	if (f->qlen != qlen || memcmp(ps->s + f->qname, ps->s + off, qlen))
		return fail(
			ps, tag, ERR_SYNTAX,
			"mismatched end tag: expected </%.*s>, found </%.*s>",
			quote_len(f->qlen), ps->s + f->qname, quote_len(qlen),
			ps->s + off);
	close_element(ps);
	return 0;
}

/* One item of element content. */
static int read_content(struct parser *ps)
{
	struct buf *text = &ps->stack[ps->depth - 1].text;

	if (byte_at(ps, ps->pos) != '<')
		return read_text(ps, text);
	if (at(ps, "</"))
		return read_end_tag(ps);
	if (at(ps, "<!--"))
		return read_comment(ps);
	if (at(ps, "<![CDATA["))
		return read_cdata(ps, text);
	if (at(ps, "<?"))
		return read_pi(ps);
	if (at(ps, "<!"))
		return fail(ps, ps->pos, ERR_SYNTAX, "invalid markup");
	return read_start_tag(ps);
}

/* One item of the prolog or of what follows the root element. */
static int read_misc(struct parser *ps)
{
	if (at(ps, "<?"))
		return read_pi(ps);
	if (at(ps, "<!--"))
		return read_comment(ps);
	if (at(ps, "<!DOCTYPE")) {
		if (ps->root || ps->seen_doctype)
			return fail(ps, ps->pos, ERR_SYNTAX,
				    "DOCTYPE not allowed here");
		ps->seen_doctype = 1;
		return skip_doctype(ps);
	}
	if (ps->root)
		return fail(ps, ps->pos, ERR_SYNTAX,
			    "content after the root element");
	if (at(ps, "</"))
		return read_end_tag(ps);
	if (at(ps, "<!"))
		return fail(ps, ps->pos, ERR_SYNTAX, "invalid markup");
	if (byte_at(ps, ps->pos) == '<')
		return read_start_tag(ps);
	return fail(ps, ps->pos, ERR_SYNTAX, "text outside the root element");
}

/* The XML declaration: only its place is checked, its content is not. */
static int read_xmldecl(struct parser *ps)
{
	size_t off = ps->pos, end;
	if (!at(ps, "<?xml") || !is_space(byte_at(ps, ps->pos + 5)))
		return 0;
	end = find(ps, ps->pos + 5, "?>");
	if (end >= ps->len)
		return fail(ps, off, ERR_SYNTAX,
			    "unterminated XML declaration");
	if (add_chars(ps, NULL, ps->pos, end))
		return -1;
	ps->pos = end + 2;
	return 0;
}

static int parse_document(struct parser *ps)
{
	if (at(ps, "\xEF\xBB\xBF"))
		ps->pos = 3;
	ps->start = ps->pos;
	if (read_xmldecl(ps))
		return -1;
	while (ps->pos < ps->len) {
		if (ps->depth) {
			if (read_content(ps))
				return -1;
			continue;
		}
		skip_space(ps);
		if (ps->pos < ps->len && read_misc(ps))
			return -1;
	}
	if (ps->depth) {
		const struct frame *f = &ps->stack[ps->depth - 1];
		return fail(ps, ps->len, ERR_SYNTAX,
			    "unexpected end of input: <%.*s> is not closed",
			    quote_len(f->qlen), ps->s + f->qname);
	}
	if (!ps->root)
		return fail(ps, ps->len, ERR_SYNTAX, "no root element");
	return 0;
}

struct xml_node *xml_parse(const char *buf, size_t len, struct err *e)
{
	struct parser ps;
	struct xml_node *root;
	size_t i;

	memset(&ps, 0, sizeof(ps));
	ps.s = buf ? buf : "";
	ps.len = buf ? len : 0;
	ps.e = e;
	buf_init(&ps.tmp, 0);

	root = parse_document(&ps) ? NULL : ps.root;
	if (!root)
		xml_free(ps.root);

	clear_raw(&ps);
	free(ps.raw);
	for (i = 0; i < ps.stackcap; i++)
		buf_release(&ps.stack[i].text);
	free(ps.stack);
	free(ps.binds);
	buf_release(&ps.tmp);
	return root;
}

static void free_attrs(struct xml_attr *a, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].ns);
		free(a[i].prefix);
		free(a[i].value);
	}
	free(a);
}

/*
 * Frees a tree from xml_parse. Recursion is bounded by XML_MAX_DEPTH, since
 * that is as deep as the parser builds.
 */
void xml_free(struct xml_node *n)
{
	size_t i;
	if (!n)
		return;
	for (i = 0; i < n->nchildren; i++)
		xml_free(n->children[i]);
	free(n->children);
	free_attrs(n->attrs, n->nattrs);
	free_attrs(n->nsdecls, n->nnsdecls);
	free(n->name);
	free(n->ns);
	free(n->prefix);
	free(n->text);
	free(n);
}
