/*
 * yaml.c: accord's YAML authoring format (docs/yaml-format.md), read into
 * and written from the contract model.
 *
 * Reading parses the text with libyaml into a small tree that keeps each
 * node's line and column, translates the tree into the Pact JSON document
 * of the contract's version (matcher tags become matchingRules entries,
 * bodies are wrapped for v4, messages go where that version keeps them) and
 * hands the document to contract_from_cjson(), so YAML and JSON contracts
 * share one reader. When that reader rejects the document, the translation
 * is run again to find the YAML node behind the JSON pointer it names, and
 * the error is re-set with that node's line and column.
 *
 * Writing goes the other way: the Pact document of the contract at its own
 * version becomes a tree in which every matching rule that applies to one
 * concrete value is folded back into a tag on that value; rules that cannot
 * be said with a tag stay in an explicit matchingRules block. Before the
 * text is handed out it is read back and compared with the document, so a
 * contract is never written lossily: if folding ever disagrees, the text is
 * written again without folding.
 */
#include "contracts/formats/internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/*
 * Nodes a document may hold as written, and nodes its aliases may add when
 * expanded (billion laughs): the translation visits at most twice the
 * document plus YAML_MAX_EXPANSION nodes.
 */
#define YAML_MAX_NODES 8000000u
#define YAML_MAX_EXPANSION 1000000u
/* Copies of the example an !eachLike may ask for. */
#define EACHLIKE_MAX_COUNT 10000L
#define CORE_TAG "tag:yaml.org,2002:"
#define STR_TAG CORE_TAG "str"

/*
 * The tree. A mapping holds its keys and values alternately in `kids`. An
 * alias node points at the anchored node and does not own it.
 */
enum ykind { Y_SCALAR, Y_SEQ, Y_MAP, Y_ALIAS };

struct ynode {
	enum ykind kind;
	char *tag;  /* as libyaml resolved it ("!regex", CORE_TAG "str") */
	char *text; /* scalar */
	size_t len;
	int plain; /* scalar in plain style: its type is resolved */
	int flow;  /* writer: emit in flow style */
	int done;  /* parser: the node is complete (aliases may use it) */
	int line, col;
	struct ynode **kids;
	size_t n, cap;
	struct ynode *target; /* Y_ALIAS */
};

static struct ynode *node_new(enum ykind kind, int line, int col)
{
	struct ynode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->line = line;
	n->col = col;
	return n;
}

static void node_add(struct ynode *p, struct ynode *kid)
{
	p->kids = xgrow(p->kids, &p->cap, p->n + 1, sizeof(*p->kids));
	p->kids[p->n++] = kid;
}

static void node_free(struct ynode *n)
{
	size_t i;
	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->tag);
	free(n->text);
	free(n);
}

static const struct ynode *deref(const struct ynode *n)
{
	return n->kind == Y_ALIAS ? n->target : n;
}

/* Records an error at a position unless one is already set; returns -1. */
static int pos_err(struct err *e, int line, int col, enum err_code code,
		   const char *fmt, ...) ATTR_PRINTF(5, 6);

static int pos_err(struct err *e, int line, int col, enum err_code code,
		   const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;
	if (!e || e->code != ERR_NONE)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_setpos(e, line, col);
	return err_set(e, code, "%s", msg);
}

/* Loading: libyaml events into the tree. */

struct anchor {
	char *name;
	struct ynode *node;
};

struct loader {
	struct err *e;
	struct ynode **stack;
	size_t depth, cap;
	struct anchor *anchors;
	size_t nanchors, acap;
	size_t nodes;
	struct ynode *root;
};

static void attach(struct loader *L, struct ynode *n, const yaml_char_t *anchor)
{
	if (L->depth)
		node_add(L->stack[L->depth - 1], n);
	else
		L->root = n;
	if (anchor) {
		L->anchors = xgrow(L->anchors, &L->acap, L->nanchors + 1,
				   sizeof(*L->anchors));
		L->anchors[L->nanchors].name = xstrdup((const char *)anchor);
		L->anchors[L->nanchors].node = n;
		L->nanchors++;
	}
}

static struct ynode *find_anchor(const struct loader *L, const char *name)
{
	size_t i = L->nanchors;
	/* a name may be anchored again: the latest definition wins */
	while (i-- > 0)
		if (!strcmp(L->anchors[i].name, name))
			return L->anchors[i].node;
	return NULL;
}

static char *dup_tag(const yaml_char_t *tag)
{
	return tag ? xstrdup((const char *)tag) : NULL;
}

static int on_event(struct loader *L, const yaml_event_t *ev, int *docs,
		    int *fin)
{
	int line = (int)ev->start_mark.line + 1;
	int col = (int)ev->start_mark.column + 1;
	struct ynode *n;
	enum ykind kind = Y_SEQ;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		*fin = 1;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return pos_err(L->e, line, col, ERR_SHAPE, "%s",
				       "a contract is one YAML document, "
				       "found a second one");
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		L->stack[--L->depth]->done = 1;
		return 0;
	case YAML_ALIAS_EVENT:
	case YAML_SCALAR_EVENT:
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		break;
	default:
		return 0;
	}
	if (++L->nodes > YAML_MAX_NODES)
		return pos_err(L->e, line, col, ERR_LIMIT,
			       "more than %u YAML nodes", YAML_MAX_NODES);
	if (ev->type == YAML_ALIAS_EVENT) {
		const char *name = (const char *)ev->data.alias.anchor;
		struct ynode *t = find_anchor(L, name);
		if (!t)
			return pos_err(L->e, line, col, ERR_SHAPE,
				       "unknown alias '*%s'", name);
		if (!t->done)
			return pos_err(L->e, line, col, ERR_SHAPE,
				       "alias '*%s' is used inside its own "
				       "anchor",
				       name);
		n = node_new(Y_ALIAS, line, col);
		n->target = t;
		n->done = 1;
		attach(L, n, NULL);
		return 0;
	}
	if (ev->type == YAML_SCALAR_EVENT) {
		const char *v = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;
		if (memchr(v, '\0', len))
			return pos_err(L->e, line, col, ERR_UNSUPPORTED, "%s",
				       "NUL characters are not supported in "
				       "strings");
		n = node_new(Y_SCALAR, line, col);
		n->text = xstrndup(v, len);
		n->len = len;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->tag = dup_tag(ev->data.scalar.tag);
		n->done = 1;
		attach(L, n, ev->data.scalar.anchor);
		return 0;
	}
	if (L->depth >= CONTRACT_MAX_DEPTH)
		return pos_err(L->e, line, col, ERR_LIMIT,
			       "YAML nested deeper than %d levels",
			       CONTRACT_MAX_DEPTH);
	if (ev->type == YAML_MAPPING_START_EVENT)
		kind = Y_MAP;
	n = node_new(kind, line, col);
	n->tag = dup_tag(kind == Y_MAP ? ev->data.mapping_start.tag
				       : ev->data.sequence_start.tag);
	attach(L, n,
	       kind == Y_MAP ? ev->data.mapping_start.anchor
			     : ev->data.sequence_start.anchor);
	L->stack = xgrow(L->stack, &L->cap, L->depth + 1, sizeof(*L->stack));
	L->stack[L->depth++] = n;
	return 0;
}

/* Line and column (1-based, in characters) of byte `off`. */
static void offset_pos(const char *buf, size_t len, size_t off, int *line,
		       int *col)
{
	size_t i;
	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static void syntax_error(const yaml_parser_t *p, const char *buf, size_t len,
			 struct err *e)
{
	int line, col;
	const char *what = p->problem ? p->problem : "malformed YAML";
	if (p->error == YAML_MEMORY_ERROR) {
		pos_err(e, 0, 0, ERR_LIMIT, "%s", "out of memory reading YAML");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		offset_pos(buf, len, p->problem_offset, &line, &col);
	} else {
		line = (int)p->problem_mark.line + 1;
		col = (int)p->problem_mark.column + 1;
	}
	if (p->context)
		pos_err(e, line, col, ERR_SYNTAX, "malformed YAML: %s %s", what,
			p->context);
	else
		pos_err(e, line, col, ERR_SYNTAX, "malformed YAML: %s", what);
}

/*
 * Parses one YAML document into a tree (*nodes: how many nodes it has);
 * NULL with err set on failure.
 */
static struct ynode *load(const char *buf, size_t len, size_t *nodes,
			  struct err *e)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct loader L;
	int docs = 0, fin = 0, ok = 1;
	size_t i;

	if (len > CONTRACT_MAX_FILE) {
		pos_err(e, 0, 0, ERR_LIMIT, "file larger than %u bytes",
			CONTRACT_MAX_FILE);
		return NULL;
	}
	memset(&L, 0, sizeof(L));
	L.e = e;
	if (!yaml_parser_initialize(&p)) {
		pos_err(e, 0, 0, ERR_LIMIT, "%s", "out of memory reading YAML");
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (ok && !fin) {
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(&p, buf, len, e);
			ok = 0;
			break;
		}
		ok = on_event(&L, &ev, &docs, &fin) == 0;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	for (i = 0; i < L.nanchors; i++)
		free(L.anchors[i].name);
	free(L.anchors);
	free(L.stack);
	if (!ok) {
		node_free(L.root);
		return NULL;
	}
	if (!L.root) {
		pos_err(e, 1, 1, ERR_SHAPE, "%s", "empty YAML document");
		return NULL;
	}
	*nodes = L.nodes;
	return L.root;
}

/* Scalars. */

enum stype { ST_STR, ST_NULL, ST_TRUE, ST_FALSE, ST_NUM, ST_BAD };

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int is_decimal(const char *s)
{
	int digits = 0;
	if (*s == '-' || *s == '+')
		s++;
	while (is_digit(*s)) {
		s++;
		digits++;
	}
	if (*s == '.') {
		s++;
		while (is_digit(*s)) {
			s++;
			digits++;
		}
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

static int one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return 1;
	return 0;
}

/*
 * Resolves a plain scalar by the YAML 1.2 core schema: null, booleans,
 * integers (decimal, 0o octal, 0x hex) and floats; everything else is a
 * string. Infinities and NaN have no JSON form (ST_BAD).
 */
static enum stype resolve(const char *s, double *num)
{
	static const char *const nulls[] = { "",     "~",    "null",
					     "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	static const char *const bad[] = { ".inf",  ".Inf",  ".INF",  "+.inf",
					   "+.Inf", "+.INF", "-.inf", "-.Inf",
					   "-.INF", ".nan",  ".NaN",  ".NAN",
					   NULL };
	*num = 0;
	if (one_of(s, nulls))
		return ST_NULL;
	if (one_of(s, trues))
		return ST_TRUE;
	if (one_of(s, falses))
		return ST_FALSE;
	if (one_of(s, bad))
		return ST_BAD;
	if (is_decimal(s)) {
		*num = strtod(s, NULL);
		return isfinite(*num) ? ST_NUM : ST_BAD;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o') && s[2]) {
		const char *p = s + 2;
		double v = 0;
		int base = s[1] == 'x' ? 16 : 8;
		for (; *p; p++) {
			int d;
			if (base == 8 && (*p < '0' || *p > '7'))
				return ST_STR;
			if (!is_xdigit(*p))
				return ST_STR;
			d = is_digit(*p) ? *p - '0' : (*p | 0x20) - 'a' + 10;
			v = v * base + d;
		}
		*num = v;
		return isfinite(v) ? ST_NUM : ST_BAD;
	}
	return ST_STR;
}

/* Matcher tags. */

/* The first five are the forms MATCHER_MAP names (TK_ and the form). */
enum tkind {
	TK_VALUE,  /* the tagged node is the example */
	TK_DATE,   /* the same, or {format, example} */
	TK_PARAMS, /* {<param>: ..., example: ...} */
	TK_EACH,   /* eachKey, eachValue: {rules, value, example} */
	TK_EACHLIKE,
	TK_CONTAINS,
	TK_MATCHERS,
	TK_BODY,      /* a v4 body written out in full */
	TK_UNWRAPPED, /* a legacy v4 body without its wrapper */
};

struct tagdef {
	const char *tag;
	const char *match; /* the matcher it stands for */
	enum tkind kind;
	const char *param; /* TK_PARAMS: the parameter as written in YAML */
	const char *field; /* ... and in the matcher object */
	const char *usage;
};

/*
 * A tag per matcher, made from model.h's list (the usage is the tag and
 * what MATCHER_MAP says follows it), then the tags that are not one
 * matcher.
 */
#define TAGDEF(c, name, form, param, key, usage)                               \
	{ "!" name, name, TK_##form, param, key, "!" name " " usage },
/* clang-format off */
static const struct tagdef tagdefs[] = {
	MATCHER_MAP(TAGDEF)
	{ "!eachLike", "type", TK_EACHLIKE, NULL, NULL,
	  "!eachLike {min: ..., max: ..., example: ...}" },
	{ "!matchers", NULL, TK_MATCHERS, NULL, NULL,
	  "!matchers {combine: AND, rules: [...], example: ...}" },
	{ "!body", NULL, TK_BODY, NULL, NULL,
	  "!body {content: ..., contentType: ..., encoded: ...}" },
	{ "!unwrapped", NULL, TK_UNWRAPPED, NULL, NULL, "!unwrapped BODY" },
};
/* clang-format on */
#undef TAGDEF

/* YAML's own tags (!!str, ...) and the non-specific "!" are not matchers. */
static int core_tag(const char *tag)
{
	return !tag || !strcmp(tag, "!") ||
	       !strncmp(tag, CORE_TAG, strlen(CORE_TAG));
}

static const struct tagdef *tag_def(const char *tag)
{
	size_t i;
	for (i = 0; i < sizeof(tagdefs) / sizeof(tagdefs[0]); i++)
		if (!strcmp(tagdefs[i].tag, tag))
			return &tagdefs[i];
	return NULL;
}

/* The tag to write for one matcher name (eachLike is chosen apart). */
static const struct tagdef *tag_for_match(const char *match)
{
	size_t i;
	for (i = 0; i < sizeof(tagdefs) / sizeof(tagdefs[0]); i++)
		if (tagdefs[i].match && tagdefs[i].kind != TK_EACHLIKE &&
		    !strcmp(tagdefs[i].match, match))
			return &tagdefs[i];
	return NULL;
}

/* Reading: the tree into a Pact document. */

struct yr {
	struct err *e;
	enum spec_version spec;
	size_t seen;  /* nodes visited, aliases expanded */
	size_t limit; /* ... at most */
	int depth;
	/* locating a JSON pointer: the deepest YAML node behind `want` */
	const char *want;
	struct buf ptr;
	size_t best;
	int found, line, col;
};

static void yr_init(struct yr *r, struct err *e, size_t nodes, const char *want)
{
	memset(r, 0, sizeof(*r));
	r->e = e;
	r->limit = 2 * nodes + YAML_MAX_EXPANSION;
	r->spec = SPEC_V4;
	r->want = want;
	buf_init(&r->ptr, 0);
}

static void yr_release(struct yr *r)
{
	buf_release(&r->ptr);
}

static int at_err(struct yr *r, const struct ynode *n, enum err_code code,
		  const char *fmt, ...) ATTR_PRINTF(4, 5);

static int at_err(struct yr *r, const struct ynode *n, enum err_code code,
		  const char *fmt, ...)
{
	char msg[sizeof(r->e->msg)];
	va_list ap;
	if (!r->e || r->e->code != ERR_NONE)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pos_err(r->e, n->line, n->col, code, "%s", msg);
}

/*
 * Every conversion enters the node it converts: aliases are followed here,
 * and the count of visited nodes and the depth are bounded, so a small
 * document cannot expand into a huge one. Returns the node to read, or
 * NULL with err set.
 */
static const struct ynode *enter(struct yr *r, const struct ynode *n)
{
	if (++r->seen > r->limit) {
		at_err(r, n, ERR_LIMIT,
		       "aliases expand the document by more than %u nodes",
		       YAML_MAX_EXPANSION);
		return NULL;
	}
	if (++r->depth > CONTRACT_MAX_DEPTH + 1) {
		at_err(r, n, ERR_LIMIT, "YAML nested deeper than %d levels",
		       CONTRACT_MAX_DEPTH);
		return NULL;
	}
	return deref(n);
}

static void leave(struct yr *r)
{
	r->depth--;
}

/* JSON pointer bookkeeping, only when locating an error. */

static void ptr_escape(struct buf *b, const char *key)
{
	for (; *key; key++) {
		if (*key == '~')
			buf_addstr(b, "~0");
		else if (*key == '/')
			buf_addstr(b, "~1");
		else
			buf_addch(b, *key);
	}
}

static size_t ptr_key(struct yr *r, const char *key)
{
	size_t old = r->ptr.len;
	if (r->want) {
		buf_addch(&r->ptr, '/');
		ptr_escape(&r->ptr, key);
	}
	return old;
}

static size_t ptr_idx(struct yr *r, size_t i)
{
	char t[32];
	snprintf(t, sizeof(t), "%zu", i);
	return ptr_key(r, t);
}

/* Cuts a buffer back to `len` (only ever shortens a grown buffer). */
static void buf_cut(struct buf *b, size_t len)
{
	if (b->len > len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

static void ptr_pop(struct yr *r, size_t old)
{
	buf_cut(&r->ptr, old);
}

static void note_at(struct yr *r, const char *p, size_t plen,
		    const struct ynode *n)
{
	size_t wl;
	if (!r->want)
		return;
	wl = strlen(r->want);
	if (plen > wl || memcmp(p, r->want, plen) ||
	    (plen < wl && r->want[plen] != '/'))
		return;
	if (r->found && plen <= r->best)
		return;
	r->found = 1;
	r->best = plen;
	r->line = n->line;
	r->col = n->col;
}

static void note(struct yr *r, const struct ynode *n)
{
	if (r->want)
		note_at(r, r->ptr.ptr, r->ptr.len, n);
}

/* Plain values: no matcher tags. */

static int key_text(struct yr *r, const struct ynode *k0, const char **out)
{
	const struct ynode *k = deref(k0);
	if (k->kind != Y_SCALAR)
		return at_err(r, k0, ERR_SHAPE, "%s",
			      "mapping keys must be scalars");
	if (!core_tag(k->tag))
		return at_err(r, k0, ERR_SHAPE,
			      "tag %s is not allowed on a key", k->tag);
	*out = k->text;
	return 0;
}

struct keyref {
	const char *text;
	const struct ynode *node;
};

static int keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->text, y->text);
	if (c)
		return c;
	if (x->node->line != y->node->line)
		return x->node->line < y->node->line ? -1 : 1;
	return x->node->col < y->node->col ? -1 : x->node->col > y->node->col;
}

/* Keys must be scalars and distinct (a JSON object cannot hold two). */
static int map_check(struct yr *r, const struct ynode *n)
{
	size_t m = n->n / 2, i;
	struct keyref *keys;
	int rc = 0;
	if (!m)
		return 0;
	keys = xmalloc(m * sizeof(*keys));
	for (i = 0; i < m; i++) {
		keys[i].node = n->kids[2 * i];
		if (key_text(r, keys[i].node, &keys[i].text)) {
			free(keys);
			return -1;
		}
	}
	qsort(keys, m, sizeof(*keys), keyref_cmp);
	for (i = 1; i < m && !rc; i++)
		if (!strcmp(keys[i - 1].text, keys[i].text))
			rc = at_err(r, keys[i].node, ERR_SHAPE,
				    "duplicate key '%s'", keys[i].text);
	free(keys);
	return rc;
}

/* The value of key `k` in mapping `n` (not dereferenced), or NULL. */
static const struct ynode *map_get(const struct ynode *n, const char *k)
{
	size_t i;
	for (i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *key = deref(n->kids[i]);
		if (key->kind == Y_SCALAR && !strcmp(key->text, k))
			return n->kids[i + 1];
	}
	return NULL;
}

static int tag_check(struct yr *r, const struct ynode *n)
{
	if (core_tag(n->tag))
		return 0;
	if (!tag_def(n->tag))
		return at_err(r, n, ERR_SHAPE, "unknown matcher tag '%s'",
			      n->tag);
	return at_err(r, n, ERR_SHAPE, "matcher tag '%s' is not allowed here",
		      n->tag);
}

/*
 * A scalar as JSON. Quoted scalars, "!" and !!str are strings; plain ones
 * are resolved; !!int, !!float, !!bool and !!null must fit their type. A
 * matcher tag has been applied by the caller and does not change the value.
 */
static cJSON *scalar_json(struct yr *r, const struct ynode *n)
{
	const char *core = NULL;
	enum stype t;
	double num;
	if (n->tag && !strncmp(n->tag, CORE_TAG, strlen(CORE_TAG)))
		core = n->tag + strlen(CORE_TAG);
	if (core ? !strcmp(core, "str")
		 : !n->plain || (n->tag && !strcmp(n->tag, "!")))
		return cJSON_CreateString(n->text);
	t = resolve(n->text, &num);
	if (core) {
		int ok = (!strcmp(core, "int") && t == ST_NUM &&
			  num == floor(num)) ||
			 (!strcmp(core, "float") && t == ST_NUM) ||
			 (!strcmp(core, "bool") &&
			  (t == ST_TRUE || t == ST_FALSE)) ||
			 (!strcmp(core, "null") && t == ST_NULL);
		if (strcmp(core, "int") && strcmp(core, "float") &&
		    strcmp(core, "bool") && strcmp(core, "null")) {
			at_err(r, n, ERR_UNSUPPORTED,
			       "unsupported YAML tag '!!%s'", core);
			return NULL;
		}
		if (!ok) {
			at_err(r, n, ERR_SHAPE, "'%s' is not a valid !!%s",
			       n->text, core);
			return NULL;
		}
	}
	switch (t) {
	case ST_NULL:
		return cJSON_CreateNull();
	case ST_TRUE:
		return cJSON_CreateTrue();
	case ST_FALSE:
		return cJSON_CreateFalse();
	case ST_NUM:
		return cJSON_CreateNumber(num);
	case ST_BAD:
		at_err(r, n, ERR_UNSUPPORTED, "'%s' has no JSON form", n->text);
		return NULL;
	default:
		return cJSON_CreateString(n->text);
	}
}

/*
 * Any YAML value as JSON, with no matcher tags in it (`skip_tag` ignores
 * the tag of the node itself, which a caller has already applied).
 */
static cJSON *plain(struct yr *r, const struct ynode *n0, int skip_tag)
{
	const struct ynode *n = enter(r, n0);
	cJSON *v = NULL, *kid;
	const char *k;
	size_t i, old;
	if (!n)
		return NULL;
	note(r, n);
	if (!skip_tag && tag_check(r, n))
		return NULL;
	if (n->kind == Y_SCALAR) {
		v = scalar_json(r, n);
	} else if (n->kind == Y_SEQ) {
		v = cJSON_CreateArray();
		for (i = 0; i < n->n; i++) {
			old = ptr_idx(r, i);
			kid = plain(r, n->kids[i], 0);
			ptr_pop(r, old);
			if (!kid)
				goto fail;
			cJSON_AddItemToArray(v, kid);
		}
	} else {
		if (map_check(r, n))
			return NULL;
		v = cJSON_CreateObject();
		for (i = 0; i + 1 < n->n; i += 2) {
			key_text(r, n->kids[i], &k);
			old = ptr_key(r, k);
			kid = plain(r, n->kids[i + 1], 0);
			ptr_pop(r, old);
			if (!kid)
				goto fail;
			cJSON_AddItemToObject(v, k, kid);
		}
	}
	leave(r);
	return v;
fail:
	cJSON_Delete(v);
	return NULL;
}

/*
 * A field Pact defines as a string (description, method, path, header and
 * query values, state names): a scalar is taken as written, so `page: 1`
 * is "1". Anything else is passed on for the Pact reader to reject.
 */
static cJSON *text_json(struct yr *r, const struct ynode *n0, int skip_tag)
{
	const struct ynode *n = deref(n0);
	if (n->kind != Y_SCALAR)
		return plain(r, n0, skip_tag);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (!skip_tag && tag_check(r, n))
		return NULL;
	leave(r);
	return cJSON_CreateString(n->text);
}

/* Tag parameters. */

/*
 * Splits the mapping of a tag into the values of `keys` (NULL when
 * absent); any other key is an error.
 */
static int params(struct yr *r, const struct ynode *n, const struct tagdef *d,
		  const char *const *keys, const struct ynode **vals)
{
	size_t i, j;
	for (j = 0; keys[j]; j++)
		vals[j] = NULL;
	if (n->kind != Y_MAP)
		return at_err(r, n, ERR_SHAPE, "expected %s", d->usage);
	if (map_check(r, n))
		return -1;
	for (i = 0; i + 1 < n->n; i += 2) {
		const char *k;
		key_text(r, n->kids[i], &k);
		for (j = 0; keys[j] && strcmp(keys[j], k); j++)
			;
		if (!keys[j])
			return at_err(r, n->kids[i], ERR_SHAPE,
				      "unknown key '%s' in %s", k, d->tag);
		vals[j] = n->kids[i + 1];
	}
	return 0;
}

static int need(struct yr *r, const struct ynode *n, const struct ynode *v,
		const struct tagdef *d, const char *key)
{
	if (v)
		return 0;
	return at_err(r, n, ERR_SHAPE, "%s needs '%s' (%s)", d->tag, key,
		      d->usage);
}

static int param_text(struct yr *r, const struct ynode *v0,
		      const struct tagdef *d, const char *key, const char **out)
{
	const struct ynode *v = deref(v0);
	if (v->kind != Y_SCALAR || !core_tag(v->tag))
		return at_err(r, v0, ERR_SHAPE, "'%s' of %s must be a string",
			      key, d->tag);
	*out = v->text;
	return 0;
}

static int param_count(struct yr *r, const struct ynode *v0,
		       const struct tagdef *d, const char *key, long max,
		       long *out)
{
	const struct ynode *v = deref(v0);
	double num = 0;
	if (v->kind != Y_SCALAR || !v->plain || !core_tag(v->tag) ||
	    resolve(v->text, &num) != ST_NUM || num != floor(num) || num < 0 ||
	    num > (double)max)
		return at_err(r, v0, ERR_SHAPE,
			      "'%s' of %s must be an integer from 0 to %ld",
			      key, d->tag, max);
	*out = (long)num;
	return 0;
}

static cJSON *matcher_new(const char *match)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "match", match);
	return m;
}

/*
 * What a tag stands for. On success *ms is a new array of matcher objects,
 * *combine the combine to write ("AND" for a one-matcher tag, NULL when a
 * !matchers leaves it out), *ex the node holding the example (n itself for
 * the value tags) and *count the copies of it an !eachLike asks for.
 * !arrayContains, !body and !unwrapped are handled by their callers.
 */
static int tag_matchers(struct yr *r, const struct ynode *n,
			const struct tagdef *d, cJSON **ms,
			const char **combine, const struct ynode **ex,
			long *count)
{
	const struct ynode *v[4];
	const char *s;
	cJSON *m = NULL, *x;
	long min = 0, max = 0;
	size_t i;

	*ms = NULL;
	*combine = "AND";
	*ex = n;
	*count = 1;
	switch (d->kind) {
	case TK_VALUE:
		m = matcher_new(d->match);
		break;
	case TK_DATE: {
		static const char *const keys[] = { "format", "example", NULL };
		if (n->kind != Y_MAP) {
			m = matcher_new(d->match);
			break;
		}
		if (params(r, n, d, keys, v) || need(r, n, v[1], d, "example"))
			return -1;
		if (v[0] && param_text(r, v[0], d, "format", &s))
			return -1;
		m = matcher_new(d->match);
		if (v[0])
			cJSON_AddStringToObject(m, "format", s);
		*ex = v[1];
		break;
	}
	case TK_PARAMS: {
		const char *keys[] = { d->param, "example", NULL };
		if (params(r, n, d, keys, v) || need(r, n, v[0], d, d->param) ||
		    need(r, n, v[1], d, "example"))
			return -1;
		if (!strcmp(d->param, "status") && deref(v[0])->kind == Y_SEQ) {
			x = plain(r, v[0], 0);
			if (!x)
				return -1;
			m = matcher_new(d->match);
			cJSON_AddItemToObject(m, d->field, x);
		} else {
			if (param_text(r, v[0], d, d->param, &s))
				return -1;
			m = matcher_new(d->match);
			cJSON_AddStringToObject(m, d->field, s);
		}
		*ex = v[1];
		break;
	}
	case TK_EACH: {
		static const char *const keys[] = { "rules", "value", "example",
						    NULL };
		if (params(r, n, d, keys, v) || need(r, n, v[2], d, "example"))
			return -1;
		m = matcher_new(d->match);
		for (i = 0; i < 2; i++) {
			if (!v[i])
				continue;
			x = plain(r, v[i], 0);
			if (!x) {
				cJSON_Delete(m);
				return -1;
			}
			cJSON_AddItemToObject(m, keys[i], x);
		}
		*ex = v[2];
		break;
	}
	case TK_EACHLIKE: {
		static const char *const keys[] = { "min", "max", "count",
						    "example", NULL };
		if (params(r, n, d, keys, v) || need(r, n, v[3], d, "example"))
			return -1;
		if ((v[0] &&
		     param_count(r, v[0], d, "min", 1000000000L, &min)) ||
		    (v[1] &&
		     param_count(r, v[1], d, "max", 1000000000L, &max)) ||
		    (v[2] && param_count(r, v[2], d, "count",
					 EACHLIKE_MAX_COUNT, count)))
			return -1;
		if (!v[2] && v[0])
			*count = min > 0 ? min : 1;
		if (*count > EACHLIKE_MAX_COUNT)
			return at_err(r, n, ERR_LIMIT,
				      "%s would repeat its example more than "
				      "%ld times",
				      d->tag, EACHLIKE_MAX_COUNT);
		m = matcher_new("type");
		if (v[0])
			cJSON_AddNumberToObject(m, "min", (double)min);
		if (v[1])
			cJSON_AddNumberToObject(m, "max", (double)max);
		*ex = v[3];
		break;
	}
	case TK_MATCHERS: {
		static const char *const keys[] = { "combine", "rules",
						    "example", NULL };
		const struct ynode *rl;
		if (params(r, n, d, keys, v) || need(r, n, v[1], d, "rules") ||
		    need(r, n, v[2], d, "example"))
			return -1;
		*combine = NULL;
		if (v[0]) {
			if (param_text(r, v[0], d, "combine", combine))
				return -1;
			if (strcmp(*combine, "AND") && strcmp(*combine, "OR"))
				return at_err(r, v[0], ERR_SHAPE,
					      "combine must be AND or OR, not "
					      "'%s'",
					      *combine);
		}
		rl = deref(v[1]);
		if (rl->kind != Y_SEQ)
			return at_err(r, v[1], ERR_SHAPE, "%s",
				      "rules of !matchers must be a list of "
				      "matchers");
		*ms = cJSON_CreateArray();
		for (i = 0; i < rl->n; i++) {
			x = plain(r, rl->kids[i], 0);
			if (!x || !cJSON_IsObject(x)) {
				cJSON_Delete(x);
				cJSON_Delete(*ms);
				*ms = NULL;
				return at_err(r, rl->kids[i], ERR_SHAPE, "%s",
					      "a matcher is a mapping such as "
					      "{match: regex, regex: ...}");
			}
			cJSON_AddItemToArray(*ms, x);
		}
		*ex = v[2];
		return 0;
	}
	default:
		return at_err(r, n, ERR_SHAPE,
			      "%s is only allowed on a whole %s", d->tag,
			      d->kind == TK_CONTAINS ? "array in a body"
						     : "body");
	}
	*ms = cJSON_CreateArray();
	cJSON_AddItemToArray(*ms, m);
	return 0;
}

/* Where the rules a tag stands for go. */

struct sink {
	cJSON *obj;  /* the matchingRules object (or a variant's rules) */
	int flat;    /* Pact v1/v2: flat "$.body.x" keys, one matcher each */
	int variant; /* an arrayContains variant: body paths only */
	char *base;  /* JSON pointer of obj, when locating */
	int used;    /* a tag has added a rule */
};

static int ident_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

/*
 * Appends a name as a rule-path segment, the way Pact's own writers do:
 * ".name" for identifiers, "['odd name']" otherwise. Names holding a quote
 * or a backslash cannot be written (-1).
 */
static int seg_field(struct buf *b, const char *name)
{
	const char *p;
	int ident = *name && !is_digit(*name);
	for (p = name; *p && ident; p++)
		ident = ident_char(*p);
	if (ident) {
		buf_addch(b, '.');
		buf_addstr(b, name);
		return 0;
	}
	if (strchr(name, '\'') || strchr(name, '\\'))
		return -1;
	buf_addstr(b, "['");
	buf_addstr(b, name);
	buf_addstr(b, "']");
	return 0;
}

/* The Pact v2 key of a rule: "$.body.a", "$.headers['X-Id']", "$.path". */
static int flat_key(struct buf *b, const char *cat, const char *key)
{
	if (!strcmp(cat, "body")) {
		buf_addstr(b, "$.body");
		buf_addstr(b, key + 1);
		return 0;
	}
	if (!strcmp(cat, "path")) {
		buf_addstr(b, "$.path");
		return 0;
	}
	if (!strcmp(cat, "header") || !strcmp(cat, "query")) {
		buf_addstr(b, !strcmp(cat, "header") ? "$.headers" : "$.query");
		return seg_field(b, key);
	}
	return -1;
}

/* How an error names the value a rule is for. */
static void describe(char *out, size_t cap, const char *cat, const char *key)
{
	if (!strcmp(cat, "body"))
		snprintf(out, cap, "'%.200s'", key);
	else if (key && strcmp(cat, "status"))
		snprintf(out, cap, "%s '%.200s'", cat, key);
	else
		snprintf(out, cap, "the %s", cat);
}

/* The JSON pointer of the rule for (cat, key), when locating. */
static void rule_ptr(const struct sink *s, const char *cat, const char *key,
		     struct buf *out)
{
	struct buf fk;
	buf_addstr(out, s->base ? s->base : "");
	buf_addch(out, '/');
	if (s->flat) {
		buf_init(&fk, 0);
		flat_key(&fk, cat, key);
		ptr_escape(out, fk.ptr);
		buf_release(&fk);
	} else if (s->variant) {
		ptr_escape(out, key);
	} else if (!strcmp(cat, "path")) {
		buf_addstr(out, "path");
	} else {
		ptr_escape(out, cat);
		buf_addch(out, '/');
		ptr_escape(out, !strcmp(cat, "status") ? "$" : key);
	}
}

/*
 * Adds the rule of a tag found at node `at` for (cat, key): category
 * "body" with a rule path as key, "header", "query" and "metadata" with a
 * name, "path" and "status" with none. Takes `ms` over.
 */
static int sink_add(struct yr *r, struct sink *s, const struct ynode *at,
		    const char *cat, const char *key, cJSON *ms,
		    const char *combine)
{
	cJSON *rule, *holder = s->obj;
	const char *k = key;
	char what[256];
	struct buf fk;

	describe(what, sizeof(what), cat, key);
	buf_init(&fk, 0);
	if (!cJSON_IsObject(s->obj)) {
		cJSON_Delete(ms);
		return at_err(
			r, at, ERR_SHAPE, "%s",
			"matcher tags need matchingRules to be a mapping");
	}
	if (s->flat) {
		if (flat_key(&fk, cat, key)) {
			buf_release(&fk);
			cJSON_Delete(ms);
			if (!key || !strcmp(cat, "metadata"))
				return at_err(r, at, ERR_UNSUPPORTED,
					      "a matcher on %s needs spec: 3 "
					      "or later",
					      what);
			return at_err(r, at, ERR_UNSUPPORTED,
				      "%s cannot be written in a Pact v2 rule "
				      "key",
				      what);
		}
		if (cJSON_GetArraySize(ms) != 1) {
			buf_release(&fk);
			cJSON_Delete(ms);
			return at_err(
				r, at, ERR_UNSUPPORTED, "%s",
				"a Pact v2 rule holds exactly one matcher");
		}
		rule = cJSON_DetachItemFromArray(ms, 0);
		cJSON_Delete(ms);
		k = fk.ptr;
	} else {
		rule = cJSON_CreateObject();
		if (combine)
			cJSON_AddStringToObject(rule, "combine", combine);
		cJSON_AddItemToObject(rule, "matchers", ms);
		if (!s->variant && !strcmp(cat, "path")) {
			k = "path";
		} else if (!s->variant) {
			holder = cJSON_GetObjectItemCaseSensitive(s->obj, cat);
			if (!holder)
				holder = cJSON_AddObjectToObject(s->obj, cat);
			if (!cJSON_IsObject(holder)) {
				cJSON_Delete(rule);
				return at_err(r, at, ERR_SHAPE,
					      "matchingRules '%s' is not a "
					      "mapping",
					      cat);
			}
			if (!strcmp(cat, "status"))
				k = "$";
		}
	}
	if (cJSON_GetObjectItemCaseSensitive(holder, k)) {
		buf_release(&fk);
		cJSON_Delete(rule);
		return at_err(r, at, ERR_SHAPE,
			      "a second matching rule for %s (combine matchers "
			      "with !matchers)",
			      what);
	}
	cJSON_AddItemToObject(holder, k, rule);
	buf_release(&fk);
	s->used = 1;
	if (r->want) {
		struct buf p;
		buf_init(&p, 0);
		rule_ptr(s, cat, key, &p);
		note_at(r, p.ptr, p.len, at);
		buf_release(&p);
	}
	return 0;
}

/* Bodies: values in which tags may appear at any depth. */

struct bctx {
	struct sink *s;
	struct buf path; /* the rule path of the value: "$.items[*].sku" */
	int bad;	 /* under a key that cannot be written in a rule path */
};

static void bctx_init(struct bctx *b, struct sink *s)
{
	b->s = s;
	b->bad = 0;
	buf_init(&b->path, 0);
	buf_addch(&b->path, '$');
}

static cJSON *body_val(struct yr *r, const struct ynode *n0, struct bctx *b,
		       int skip_tag);

static size_t count_json(const cJSON *v)
{
	const cJSON *it;
	size_t n = 1;
	cJSON_ArrayForEach(it, v)
	{
		n += count_json(it);
	}
	return n;
}

static cJSON *body_contains(struct yr *r, const struct ynode *n, struct bctx *b)
{
	cJSON *arr, *variants, *m, *ms;
	struct buf base;
	size_t i, old;
	if (n->kind != Y_SEQ) {
		at_err(r, n, ERR_SHAPE, "%s",
		       "expected !arrayContains [VARIANT, ...]");
		return NULL;
	}
	arr = cJSON_CreateArray();
	variants = cJSON_CreateArray();
	buf_init(&base, 0);
	for (i = 0; i < n->n; i++) {
		struct sink vs;
		struct bctx vb;
		cJSON *el, *var;
		memset(&vs, 0, sizeof(vs));
		vs.obj = cJSON_CreateObject();
		vs.variant = 1;
		if (r->want) {
			buf_reset(&base);
			rule_ptr(b->s, "body", b->path.ptr, &base);
			buf_addf(&base, "%s/variants/%zu/rules",
				 b->s->flat ? "" : "/matchers/0", i);
			vs.base = base.ptr;
		}
		bctx_init(&vb, &vs);
		old = ptr_idx(r, i);
		el = body_val(r, n->kids[i], &vb, 0);
		ptr_pop(r, old);
		buf_release(&vb.path);
		if (!el) {
			cJSON_Delete(vs.obj);
			goto fail;
		}
		cJSON_AddItemToArray(arr, el);
		var = cJSON_CreateObject();
		cJSON_AddNumberToObject(var, "index", (double)i);
		cJSON_AddItemToObject(var, "rules", vs.obj);
		cJSON_AddItemToArray(variants, var);
	}
	buf_release(&base);
	m = matcher_new("arrayContains");
	cJSON_AddItemToObject(m, "variants", variants);
	ms = cJSON_CreateArray();
	cJSON_AddItemToArray(ms, m);
	if (sink_add(r, b->s, n, "body", b->path.ptr, ms, "AND")) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
fail:
	buf_release(&base);
	cJSON_Delete(arr);
	cJSON_Delete(variants);
	return NULL;
}

static cJSON *body_tagged(struct yr *r, const struct ynode *n,
			  const struct tagdef *d, struct bctx *b)
{
	const struct ynode *ex;
	const char *combine;
	cJSON *ms, *v;
	long count, i;
	if (b->bad) {
		at_err(r, n, ERR_SHAPE,
		       "%s cannot be used under a key holding a quote or a "
		       "backslash",
		       d->tag);
		return NULL;
	}
	if (d->kind == TK_CONTAINS)
		return body_contains(r, n, b);
	if (tag_matchers(r, n, d, &ms, &combine, &ex, &count))
		return NULL;
	if (d->kind == TK_EACHLIKE) {
		size_t pl = b->path.len, old, size;
		cJSON *el;
		buf_addstr(&b->path, "[*]");
		old = ptr_idx(r, 0);
		el = body_val(r, ex, b, 0);
		ptr_pop(r, old);
		buf_cut(&b->path, pl);
		if (!el) {
			cJSON_Delete(ms);
			return NULL;
		}
		size = count_json(el);
		if ((double)size * (double)(count - 1) >
		    (double)(r->limit - r->seen)) {
			cJSON_Delete(el);
			cJSON_Delete(ms);
			at_err(r, n, ERR_LIMIT,
			       "%s repeats its example into more than %u "
			       "nodes",
			       d->tag, YAML_MAX_EXPANSION);
			return NULL;
		}
		r->seen += size * (size_t)(count - 1);
		v = cJSON_CreateArray();
		cJSON_AddItemToArray(v, el);
		for (i = 1; i < count; i++)
			cJSON_AddItemToArray(v, cJSON_Duplicate(el, 1));
	} else {
		v = body_val(r, ex, b, ex == n);
		if (!v) {
			cJSON_Delete(ms);
			return NULL;
		}
	}
	if (sink_add(r, b->s, n, "body", b->path.ptr, ms, combine)) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static cJSON *body_val(struct yr *r, const struct ynode *n0, struct bctx *b,
		       int skip_tag)
{
	const struct ynode *n = enter(r, n0);
	const struct tagdef *d = NULL;
	cJSON *v = NULL, *kid;
	const char *k;
	size_t i, old, pl;
	int bad;
	if (!n)
		return NULL;
	note(r, n);
	if (!skip_tag && !core_tag(n->tag)) {
		d = tag_def(n->tag);
		if (!d) {
			at_err(r, n, ERR_SHAPE, "unknown matcher tag '%s'",
			       n->tag);
			return NULL;
		}
		v = body_tagged(r, n, d, b);
		if (v)
			leave(r);
		return v;
	}
	if (n->kind == Y_SCALAR) {
		v = scalar_json(r, n);
	} else if (n->kind == Y_SEQ) {
		v = cJSON_CreateArray();
		for (i = 0; i < n->n; i++) {
			pl = b->path.len;
			buf_addf(&b->path, "[%zu]", i);
			old = ptr_idx(r, i);
			kid = body_val(r, n->kids[i], b, 0);
			ptr_pop(r, old);
			buf_cut(&b->path, pl);
			if (!kid)
				goto fail;
			cJSON_AddItemToArray(v, kid);
		}
	} else {
		if (map_check(r, n))
			return NULL;
		v = cJSON_CreateObject();
		for (i = 0; i + 1 < n->n; i += 2) {
			key_text(r, n->kids[i], &k);
			pl = b->path.len;
			bad = seg_field(&b->path, k) ? 1 : 0;
			b->bad += bad;
			old = ptr_key(r, k);
			kid = body_val(r, n->kids[i + 1], b, 0);
			ptr_pop(r, old);
			b->bad -= bad;
			buf_cut(&b->path, pl);
			if (!kid)
				goto fail;
			cJSON_AddItemToObject(v, k, kid);
		}
	}
	if (v)
		leave(r);
	return v;
fail:
	cJSON_Delete(v);
	return NULL;
}

/*
 * The content type a v4 body gets when the YAML does not spell it out: the
 * Content-Type header (or a message's contentType metadata) without its
 * parameters, else text/plain for a string and application/json for
 * anything else. The writer uses the same rule to decide when it can
 * leave the wrapper out.
 */
static void derive_ct(const cJSON *content, const cJSON *headers,
		      const cJSON *meta, char *out, size_t cap)
{
	const char *s = NULL, *end;
	const cJSON *it;
	cJSON_ArrayForEach(it, headers)
	{
		if (it->string && !str_casecmp(it->string, "Content-Type")) {
			if (cJSON_IsString(it))
				s = it->valuestring;
			else if (cJSON_IsArray(it) && cJSON_IsString(it->child))
				s = it->child->valuestring;
			break;
		}
	}
	if (!s && cJSON_IsObject(meta)) {
		it = cJSON_GetObjectItemCaseSensitive(meta, "contentType");
		if (!cJSON_IsString(it))
			it = cJSON_GetObjectItemCaseSensitive(meta,
							      "content-type");
		if (cJSON_IsString(it))
			s = it->valuestring;
	}
	if (s) {
		while (*s == ' ' || *s == '\t')
			s++;
		end = strchr(s, ';');
		if (!end)
			end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > s) {
			snprintf(out, cap, "%.*s", (int)(end - s), s);
			return;
		}
	}
	snprintf(out, cap, "%s",
		 cJSON_IsString(content) ? "text/plain" : "application/json");
}

/*
 * A value that may carry one matcher tag at its top (a header, query or
 * metadata value, the path, the status): records the rule and returns the
 * node holding the example, with *skip set when that is the tagged node
 * itself. Untagged values come back unchanged. NULL on error.
 */
static const struct ynode *leaf(struct yr *r, const struct ynode *n0,
				struct sink *s, const char *cat,
				const char *key, int *skip)
{
	const struct ynode *n = deref(n0), *ex;
	const struct tagdef *d;
	const char *combine;
	cJSON *ms;
	long count;
	*skip = 0;
	if (core_tag(n->tag))
		return n0;
	d = tag_def(n->tag);
	if (!d) {
		at_err(r, n, ERR_SHAPE, "unknown matcher tag '%s'", n->tag);
		return NULL;
	}
	if (d->kind == TK_EACHLIKE || d->kind == TK_CONTAINS ||
	    d->kind == TK_BODY || d->kind == TK_UNWRAPPED) {
		at_err(r, n, ERR_SHAPE, "%s can only be used in a body",
		       d->tag);
		return NULL;
	}
	if (tag_matchers(r, n, d, &ms, &combine, &ex, &count) ||
	    sink_add(r, s, n, cat, key, ms, combine))
		return NULL;
	*skip = ex == n;
	return ex;
}

/*
 * A header or query value: a scalar is one value (a one-element list when
 * `lists`, unless tagged !!str), a sequence the list of values.
 */
static cJSON *hq_value(struct yr *r, const struct ynode *n0, int skip_tag,
		       int lists)
{
	const struct ynode *n = deref(n0);
	cJSON *v, *kid;
	size_t i, old;
	if (n->kind == Y_MAP)
		return plain(r, n0, skip_tag);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (!skip_tag && tag_check(r, n))
		return NULL;
	if (n->kind == Y_SCALAR) {
		v = cJSON_CreateString(n->text);
		if (lists && !(n->tag && !strcmp(n->tag, STR_TAG))) {
			cJSON *a = cJSON_CreateArray();
			cJSON_AddItemToArray(a, v);
			v = a;
			old = ptr_idx(r, 0);
			note(r, n);
			ptr_pop(r, old);
		}
		leave(r);
		return v;
	}
	v = cJSON_CreateArray();
	for (i = 0; i < n->n; i++) {
		old = ptr_idx(r, i);
		kid = text_json(r, n->kids[i], 0);
		ptr_pop(r, old);
		if (!kid) {
			cJSON_Delete(v);
			return NULL;
		}
		cJSON_AddItemToArray(v, kid);
	}
	leave(r);
	return v;
}

/* A body (or message contents) in the shape of the contract's version. */
static cJSON *body_part(struct yr *r, const struct ynode *n0, struct sink *s,
			const cJSON *headers, const cJSON *meta)
{
	const struct ynode *n = deref(n0);
	const struct tagdef *d = core_tag(n->tag) ? NULL : tag_def(n->tag);
	struct bctx b;
	cJSON *o = NULL, *content;
	char ct[256];
	size_t old;

	bctx_init(&b, s);
	if (d && (d->kind == TK_BODY || d->kind == TK_UNWRAPPED)) {
		if (r->spec < SPEC_V4) {
			at_err(r, n, ERR_SHAPE, "%s needs spec: 4", d->tag);
			goto out;
		}
		if (d->kind == TK_UNWRAPPED) {
			o = body_val(r, n0, &b, 1);
			goto out;
		}
		{
			static const char *const keys[] = {
				"content", "contentType", "encoded",
				"contentTypeHint", NULL
			};
			const struct ynode *v[4];
			size_t i;
			note(r, n);
			if (params(r, n, d, keys, v) ||
			    need(r, n, v[0], d, "content"))
				goto out;
			o = cJSON_CreateObject();
			for (i = 0; i < 4; i++) {
				cJSON *x;
				if (!v[i])
					continue;
				old = ptr_key(r, keys[i]);
				x = i ? plain(r, v[i], 0)
				      : body_val(r, v[i], &b, 0);
				ptr_pop(r, old);
				if (!x) {
					cJSON_Delete(o);
					o = NULL;
					goto out;
				}
				cJSON_AddItemToObject(o, keys[i], x);
			}
		}
		goto out;
	}
	if (r->spec < SPEC_V4) {
		o = body_val(r, n0, &b, 0);
		goto out;
	}
	note(r, n);
	old = ptr_key(r, "content");
	content = body_val(r, n0, &b, 0);
	ptr_pop(r, old);
	if (!content)
		goto out;
	derive_ct(content, headers, meta, ct, sizeof(ct));
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "content", content);
	cJSON_AddStringToObject(o, "contentType", ct);
	cJSON_AddFalseToObject(o, "encoded");
out:
	buf_release(&b.path);
	return o;
}

/* The Pact v1/v2 query string: only what must be escaped is escaped. */
static void query_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '&' || c == '=' ||
		    c == '%' || c == '+' || c == '#') {
			buf_addch(b, '%');
			buf_addch(b, hex[c >> 4]);
			buf_addch(b, hex[c & 15]);
		} else {
			buf_addch(b, (char)c);
		}
	}
}

/* {name: [values]} as "name=value&..." (NULL if a value is no string). */
static cJSON *query_string(const cJSON *o)
{
	const cJSON *it, *x;
	struct buf b;
	cJSON *s;
	buf_init(&b, 0);
	cJSON_ArrayForEach(it, o)
	{
		cJSON_ArrayForEach(x, it)
		{
			if (!cJSON_IsString(x)) {
				buf_release(&b);
				return NULL;
			}
			if (b.len)
				buf_addch(&b, '&');
			query_encode(&b, it->string);
			buf_addch(&b, '=');
			query_encode(&b, x->valuestring);
		}
	}
	s = cJSON_CreateString(b.ptr);
	buf_release(&b);
	return s;
}

static cJSON *query_val(struct yr *r, const struct ynode *n0, struct sink *s)
{
	const struct ynode *n = deref(n0), *ex;
	cJSON *o, *v;
	const char *k;
	size_t i, old;
	int skip;
	if (n->kind != Y_MAP)
		return text_json(r, n0, 0); /* the query string as written */
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	o = cJSON_CreateObject();
	for (i = 0; i + 1 < n->n; i += 2) {
		key_text(r, n->kids[i], &k);
		old = ptr_key(r, k);
		ex = leaf(r, n->kids[i + 1], s, "query", k, &skip);
		v = ex ? hq_value(r, ex, skip, 1) : NULL;
		ptr_pop(r, old);
		if (!v) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, k, v);
	}
	leave(r);
	if (r->spec <= SPEC_V2) {
		/* v1/v2 keep the query as a string */
		v = query_string(o);
		if (v) {
			cJSON_Delete(o);
			return v;
		}
	}
	return o;
}

static cJSON *headers_val(struct yr *r, const struct ynode *n0, struct sink *s)
{
	const struct ynode *n = deref(n0), *ex;
	cJSON *o, *v;
	const char *k;
	size_t i, old;
	int skip;
	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	o = cJSON_CreateObject();
	for (i = 0; i + 1 < n->n; i += 2) {
		key_text(r, n->kids[i], &k);
		old = ptr_key(r, k);
		ex = leaf(r, n->kids[i + 1], s, "header", k, &skip);
		v = ex ? hq_value(r, ex, skip, r->spec >= SPEC_V4) : NULL;
		ptr_pop(r, old);
		if (!v) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, k, v);
	}
	leave(r);
	return o;
}

static cJSON *metadata_val(struct yr *r, const struct ynode *n0, struct sink *s)
{
	const struct ynode *n = deref(n0), *ex;
	cJSON *o, *v;
	const char *k;
	size_t i, old;
	int skip;
	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	o = cJSON_CreateObject();
	for (i = 0; i + 1 < n->n; i += 2) {
		key_text(r, n->kids[i], &k);
		old = ptr_key(r, k);
		ex = leaf(r, n->kids[i + 1], s, "metadata", k, &skip);
		v = ex ? plain(r, ex, skip) : NULL;
		ptr_pop(r, old);
		if (!v) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, k, v);
	}
	leave(r);
	return o;
}

/*
 * The explicit matchingRules of a part, into which the tags' rules are
 * merged. Its form must be the version's: flat "$.body..." keys for v1/v2,
 * categories otherwise.
 */
static int sink_open(struct yr *r, struct sink *s, const struct ynode *rules)
{
	size_t old;
	memset(s, 0, sizeof(*s));
	s->flat = r->spec <= SPEC_V2;
	if (r->want) {
		old = ptr_key(r, "matchingRules");
		s->base = xstrdup(r->ptr.ptr);
		ptr_pop(r, old);
	}
	if (!rules) {
		s->obj = cJSON_CreateObject();
		return 0;
	}
	old = ptr_key(r, "matchingRules");
	s->obj = plain(r, rules, 0);
	ptr_pop(r, old);
	if (s->obj)
		return 0;
	free(s->base);
	s->base = NULL;
	return -1;
}

static int sink_close(struct yr *r, struct sink *s, const struct ynode *rules,
		      cJSON *into)
{
	int flat_form = cJSON_IsObject(s->obj) && s->obj->child &&
			s->obj->child->string[0] == '$';
	free(s->base);
	s->base = NULL;
	if (rules && s->used && s->obj->child && flat_form != s->flat) {
		cJSON_Delete(s->obj);
		s->obj = NULL;
		return at_err(
			r, deref(rules), ERR_SHAPE, "%s",
			s->flat ? "with spec: 1 or 2, matchingRules keep "
				  "the flat Pact v2 form ($.body.x) "
				  "when matcher tags are used"
				: "matchingRules in the flat Pact v2 form "
				  "($.body.x) cannot be combined with "
				  "matcher tags; group them by category "
				  "(body, header, query, path)");
	}
	if (rules || s->used)
		cJSON_AddItemToObject(into, "matchingRules", s->obj);
	else
		cJSON_Delete(s->obj);
	s->obj = NULL;
	return 0;
}

/* Adds the unknown keys of mapping `n` (other than `known`) to `o`. */
static int pass_through(struct yr *r, const struct ynode *n,
			const char *const *known, cJSON *o)
{
	size_t i, old;
	for (i = 0; i + 1 < n->n; i += 2) {
		const char *k;
		cJSON *v;
		key_text(r, n->kids[i], &k);
		if (one_of(k, known))
			continue;
		if (cJSON_GetObjectItemCaseSensitive(o, k))
			return at_err(r, n->kids[i], ERR_SHAPE,
				      "'%s' is given twice", k);
		old = ptr_key(r, k);
		v = plain(r, n->kids[i + 1], 0);
		ptr_pop(r, old);
		if (!v)
			return -1;
		cJSON_AddItemToObject(o, k, v);
	}
	return 0;
}

/* Adds `v` (may be NULL on error) under `key`; returns -1 if NULL. */
static int put(cJSON *o, const char *key, cJSON *v)
{
	if (!v)
		return -1;
	cJSON_AddItemToObject(o, key, v);
	return 0;
}

static cJSON *request_part(struct yr *r, const struct ynode *n0)
{
	static const char *const known[] = { "method",	   "path",
					     "query",	   "headers",
					     "body",	   "matchingRules",
					     "generators", NULL };
	const struct ynode *n = deref(n0), *v, *ex;
	struct sink s;
	cJSON *o, *x;
	size_t old;
	int skip, rc = 0;

	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	if (sink_open(r, &s, map_get(n, "matchingRules")))
		return NULL;
	o = cJSON_CreateObject();
	if ((v = map_get(n, "method"))) {
		old = ptr_key(r, "method");
		rc = put(o, "method", text_json(r, v, 0));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "path"))) {
		old = ptr_key(r, "path");
		ex = leaf(r, v, &s, "path", NULL, &skip);
		rc = put(o, "path", ex ? text_json(r, ex, skip) : NULL);
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "query"))) {
		old = ptr_key(r, "query");
		rc = put(o, "query", query_val(r, v, &s));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "headers"))) {
		old = ptr_key(r, "headers");
		rc = put(o, "headers", headers_val(r, v, &s));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "body"))) {
		old = ptr_key(r, "body");
		x = cJSON_GetObjectItemCaseSensitive(o, "headers");
		rc = put(o, "body", body_part(r, v, &s, x, NULL));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "generators"))) {
		old = ptr_key(r, "generators");
		rc = put(o, "generators", plain(r, v, 0));
		ptr_pop(r, old);
	}
	if (rc || pass_through(r, n, known, o) ||
	    sink_close(r, &s, map_get(n, "matchingRules"), o)) {
		free(s.base);
		cJSON_Delete(s.obj);
		cJSON_Delete(o);
		return NULL;
	}
	leave(r);
	return o;
}

static cJSON *response_part(struct yr *r, const struct ynode *n0)
{
	static const char *const known[] = { "status",	   "headers",
					     "body",	   "matchingRules",
					     "generators", NULL };
	const struct ynode *n = deref(n0), *v, *ex;
	struct sink s;
	cJSON *o, *x;
	size_t old;
	int skip, rc = 0;

	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	if (sink_open(r, &s, map_get(n, "matchingRules")))
		return NULL;
	o = cJSON_CreateObject();
	if ((v = map_get(n, "status"))) {
		old = ptr_key(r, "status");
		ex = leaf(r, v, &s, "status", NULL, &skip);
		rc = put(o, "status", ex ? plain(r, ex, skip) : NULL);
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "headers"))) {
		old = ptr_key(r, "headers");
		rc = put(o, "headers", headers_val(r, v, &s));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "body"))) {
		old = ptr_key(r, "body");
		x = cJSON_GetObjectItemCaseSensitive(o, "headers");
		rc = put(o, "body", body_part(r, v, &s, x, NULL));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "generators"))) {
		old = ptr_key(r, "generators");
		rc = put(o, "generators", plain(r, v, 0));
		ptr_pop(r, old);
	}
	if (rc || pass_through(r, n, known, o) ||
	    sink_close(r, &s, map_get(n, "matchingRules"), o)) {
		free(s.base);
		cJSON_Delete(s.obj);
		cJSON_Delete(o);
		return NULL;
	}
	leave(r);
	return o;
}

/*
 * The fields of a message into `into`: the interaction itself for an
 * asynchronous message, a message object for either side of a synchronous
 * one.
 */
static int message_part(struct yr *r, const struct ynode *n0, cJSON *into)
{
	static const char *const known[] = { "contents", "metadata",
					     "matchingRules", "generators",
					     NULL };
	const struct ynode *n = deref(n0), *v;
	struct sink s;
	size_t old;
	int rc = 0;

	if (!enter(r, n0))
		return -1;
	note(r, n);
	if (tag_check(r, n))
		return -1;
	if (n->kind != Y_MAP)
		return at_err(r, n, ERR_SHAPE, "%s",
			      "a message is a mapping with contents and "
			      "metadata");
	if (map_check(r, n) || sink_open(r, &s, map_get(n, "matchingRules")))
		return -1;
	if ((v = map_get(n, "metadata"))) {
		old = ptr_key(r, "metadata");
		rc = put(into, "metadata", metadata_val(r, v, &s));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "contents"))) {
		old = ptr_key(r, "contents");
		rc = put(into, "contents",
			 body_part(r, v, &s, NULL,
				   cJSON_GetObjectItemCaseSensitive(
					   into, "metadata")));
		ptr_pop(r, old);
	}
	if (!rc && (v = map_get(n, "generators"))) {
		old = ptr_key(r, "generators");
		rc = put(into, "generators", plain(r, v, 0));
		ptr_pop(r, old);
	}
	if (rc || pass_through(r, n, known, into) ||
	    sink_close(r, &s, map_get(n, "matchingRules"), into)) {
		free(s.base);
		cJSON_Delete(s.obj);
		return -1;
	}
	leave(r);
	return 0;
}

static cJSON *state_obj(struct yr *r, const struct ynode *n0)
{
	static const char *const known[] = { "name", NULL };
	const struct ynode *n = deref(n0), *v;
	cJSON *o;
	size_t old;
	if (n->kind == Y_SCALAR) {
		o = cJSON_CreateObject();
		old = ptr_key(r, "name");
		if (put(o, "name", text_json(r, n0, 0))) {
			cJSON_Delete(o);
			o = NULL;
		}
		ptr_pop(r, old);
		return o;
	}
	if (n->kind != Y_MAP)
		return plain(r, n0, 0);
	if (!enter(r, n0))
		return NULL;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return NULL;
	o = cJSON_CreateObject();
	if ((v = map_get(n, "name"))) {
		old = ptr_key(r, "name");
		if (put(o, "name", text_json(r, v, 0))) {
			cJSON_Delete(o);
			return NULL;
		}
		ptr_pop(r, old);
	}
	if (pass_through(r, n, known, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	leave(r);
	return o;
}

/*
 * given: a state name, a list of names or of {name, params} mappings, or
 * one such mapping. v1/v2 keep a single state as "providerState".
 */
static int states(struct yr *r, const struct ynode *n0, cJSON *o)
{
	const struct ynode *n = deref(n0), *one = NULL;
	cJSON *a, *x;
	size_t i, old, old2;
	if (n->kind == Y_SCALAR)
		one = n0;
	else if (n->kind == Y_SEQ && n->n == 1 &&
		 deref(n->kids[0])->kind == Y_SCALAR)
		one = n->kids[0];
	if (r->spec <= SPEC_V2 && one) {
		old = ptr_key(r, "providerState");
		x = text_json(r, one, 0);
		ptr_pop(r, old);
		return put(o, "providerState", x);
	}
	old = ptr_key(r, "providerStates");
	if (n->kind == Y_SEQ) {
		if (!enter(r, n0))
			return -1;
		note(r, n);
		if (tag_check(r, n))
			return -1;
		a = cJSON_CreateArray();
		for (i = 0; i < n->n; i++) {
			old2 = ptr_idx(r, i);
			x = state_obj(r, n->kids[i]);
			ptr_pop(r, old2);
			if (!x) {
				cJSON_Delete(a);
				return -1;
			}
			cJSON_AddItemToArray(a, x);
		}
		leave(r);
	} else {
		note(r, n);
		a = cJSON_CreateArray();
		old2 = ptr_idx(r, 0);
		x = state_obj(r, n0);
		ptr_pop(r, old2);
		if (!x) {
			cJSON_Delete(a);
			return -1;
		}
		cJSON_AddItemToArray(a, x);
	}
	ptr_pop(r, old);
	return put(o, "providerStates", a);
}

/*
 * One interaction into `ixs` (or, for a v3 message, `msgs`); `counts`
 * holds how many each array has, for the JSON pointers.
 */
static int interaction(struct yr *r, const struct ynode *n0, cJSON *ixs,
		       cJSON *msgs, size_t *counts)
{
	static const char *const known[] = {
		"type",	     "description", "key",     "pending",
		"given",     "comments",    "request", "response",
		"responses", "message",	    NULL
	};
	static const char *const strings[] = { "description", "key", NULL };
	static const char *const plains[] = { "pending", "comments", NULL };
	const struct ynode *n = deref(n0), *v, *t;
	enum interaction_type kind = IX_HTTP;
	const char *type = NULL;
	cJSON *o, *target;
	size_t old, old2, i;
	int rc = 0;

	if (n->kind != Y_MAP) {
		old = ptr_key(r, "interactions");
		ptr_idx(r, counts[0]++);
		o = plain(r, n0, 0);
		ptr_pop(r, old);
		if (!o)
			return -1;
		cJSON_AddItemToArray(ixs, o);
		return 0;
	}
	if (map_get(n, "message"))
		kind = IX_MESSAGE;
	else if (map_get(n, "responses"))
		kind = IX_SYNC_MESSAGE;
	t = map_get(n, "type");
	if (t && deref(t)->kind == Y_SCALAR) {
		type = deref(t)->text;
		/* an unknown type keeps the default; the Pact reader names it */
		(void)interaction_type_parse(type, &kind);
	}
	if (kind != IX_HTTP && r->spec < SPEC_V3)
		return at_err(r, n, ERR_UNSUPPORTED, "%s",
			      "messages need spec: 3 or later");
	if (kind == IX_SYNC_MESSAGE && r->spec < SPEC_V4)
		return at_err(r, n, ERR_UNSUPPORTED, "%s",
			      "synchronous messages need spec: 4");
	target = kind == IX_MESSAGE && r->spec < SPEC_V4 ? msgs : ixs;
	old = ptr_key(r, target == msgs ? "messages" : "interactions");
	old2 = ptr_idx(r, counts[target == msgs]++);
	if (!enter(r, n0))
		return -1;
	note(r, n);
	if (tag_check(r, n) || map_check(r, n))
		return -1;
	o = cJSON_CreateObject();
	cJSON_AddItemToArray(target, o);
	if (r->spec >= SPEC_V4) {
		size_t p = ptr_key(r, "type");
		if (t)
			rc = put(o, "type", text_json(r, t, 0));
		else
			cJSON_AddStringToObject(o, "type",
						interaction_type_name(kind));
		ptr_pop(r, p);
	}
	for (i = 0; !rc && i + 1 < n->n; i += 2) {
		const char *k;
		size_t p;
		key_text(r, n->kids[i], &k);
		v = n->kids[i + 1];
		if (one_of(k, strings) || one_of(k, plains)) {
			p = ptr_key(r, k);
			rc = put(o, k,
				 one_of(k, strings) ? text_json(r, v, 0)
						    : plain(r, v, 0));
			ptr_pop(r, p);
		} else if (!strcmp(k, "given")) {
			rc = states(r, v, o);
		} else if (!strcmp(k, "request") || !strcmp(k, "response") ||
			   !strcmp(k, "responses") || !strcmp(k, "message")) {
			int ok = kind == IX_HTTP
					 ? !strcmp(k, "request") ||
						   !strcmp(k, "response")
				 : kind == IX_MESSAGE
					 ? !strcmp(k, "message")
					 : !strcmp(k, "request") ||
						   !strcmp(k, "responses");
			if (!ok)
				return at_err(r, n->kids[i], ERR_SHAPE,
					      "'%s' does not belong in an "
					      "interaction of type %s",
					      k, interaction_type_name(kind));
		}
	}
	if (rc)
		return -1;
	if (kind == IX_HTTP) {
		if ((v = map_get(n, "request"))) {
			size_t p = ptr_key(r, "request");
			rc = put(o, "request", request_part(r, v));
			ptr_pop(r, p);
		}
		if (!rc && (v = map_get(n, "response"))) {
			size_t p = ptr_key(r, "response");
			rc = put(o, "response", response_part(r, v));
			ptr_pop(r, p);
		}
	} else if (kind == IX_MESSAGE) {
		if ((v = map_get(n, "message")))
			rc = message_part(r, v, o);
	} else {
		if ((v = map_get(n, "request"))) {
			size_t p = ptr_key(r, "request");
			cJSON *m = cJSON_AddObjectToObject(o, "request");
			rc = message_part(r, v, m);
			ptr_pop(r, p);
		}
		if (!rc && (v = map_get(n, "responses"))) {
			const struct ynode *l = deref(v);
			size_t p = ptr_key(r, "response");
			cJSON *a = cJSON_AddArrayToObject(o, "response");
			if (l->kind != Y_SEQ)
				return at_err(r, v, ERR_SHAPE, "%s",
					      "responses is a list of "
					      "messages");
			note(r, l);
			for (i = 0; !rc && i < l->n; i++) {
				size_t q = ptr_idx(r, i);
				cJSON *m = cJSON_CreateObject();
				cJSON_AddItemToArray(a, m);
				rc = message_part(r, l->kids[i], m);
				ptr_pop(r, q);
			}
			ptr_pop(r, p);
		}
	}
	if (rc || pass_through(r, n, known, o))
		return -1;
	leave(r);
	ptr_pop(r, old2);
	ptr_pop(r, old);
	return 0;
}

/* The Pact version a metadata object names, or SPEC_UNKNOWN. */
static const char *meta_version(const cJSON *md)
{
	static const char *const keys[] = { "pactSpecification",
					    "pact-specification",
					    "pactSpecificationVersion" };
	const cJSON *v = NULL;
	size_t i;
	for (i = 0; i < 3 && !v; i++)
		v = cJSON_GetObjectItemCaseSensitive(md, keys[i]);
	if (cJSON_IsObject(v))
		v = cJSON_GetObjectItemCaseSensitive(v, "version");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int has_meta_version(const cJSON *md)
{
	return cJSON_GetObjectItemCaseSensitive(md, "pactSpecification") ||
	       cJSON_GetObjectItemCaseSensitive(md, "pact-specification") ||
	       cJSON_GetObjectItemCaseSensitive(md, "pactSpecificationVersion");
}

static cJSON *party(struct yr *r, const struct ynode *n0)
{
	const struct ynode *n = deref(n0);
	cJSON *o;
	size_t old;
	if (n->kind != Y_SCALAR)
		return plain(r, n0, 0);
	o = cJSON_CreateObject();
	old = ptr_key(r, "name");
	if (put(o, "name", text_json(r, n0, 0))) {
		cJSON_Delete(o);
		o = NULL;
	}
	ptr_pop(r, old);
	return o;
}

/*
 * The Pact document of a YAML contract. A YAML file without `spec:` whose
 * metadata names a Pact version is taken as a Pact document written in
 * YAML syntax and converted as it is.
 */
static cJSON *doc_from_tree(struct yr *r, const struct ynode *root0)
{
	static const char *const known[] = { "consumer", "provider",	 "spec",
					     "metadata", "interactions", NULL };
	const struct ynode *root = enter(r, root0), *spec, *md, *v;
	cJSON *doc, *meta = NULL, *ixs, *msgs;
	size_t old, i, counts[2] = { 0, 0 };
	const char *mv;

	if (!root)
		return NULL;
	note(r, root);
	if (root->kind != Y_MAP) {
		at_err(r, root, ERR_SHAPE, "%s",
		       "a contract is a YAML mapping with consumer, provider "
		       "and interactions");
		return NULL;
	}
	if (tag_check(r, root) || map_check(r, root))
		return NULL;
	spec = map_get(root, "spec");
	md = map_get(root, "metadata");
	if (md) {
		old = ptr_key(r, "metadata");
		meta = plain(r, md, 0);
		ptr_pop(r, old);
		if (!meta)
			return NULL;
	}
	mv = meta_version(meta);
	if (!spec && mv) {
		cJSON_Delete(meta);
		r->depth--;
		r->seen--;
		return plain(r, root0, 0);
	}
	r->spec = SPEC_V4;
	if (spec) {
		const struct ynode *s = deref(spec);
		if (s->kind != Y_SCALAR ||
		    spec_parse(s->text) == SPEC_UNKNOWN) {
			cJSON_Delete(meta);
			at_err(r, s, ERR_SHAPE,
			       "unsupported Pact specification version '%s'",
			       s->kind == Y_SCALAR ? s->text : "?");
			return NULL;
		}
		r->spec = spec_parse(s->text);
		if (mv && spec_parse(mv) != r->spec) {
			at_err(r, s, ERR_SHAPE,
			       "spec: %s disagrees with the metadata's Pact "
			       "version %s",
			       s->text, mv);
			cJSON_Delete(meta);
			return NULL;
		}
	}
	if (meta && !cJSON_IsObject(meta)) {
		cJSON_Delete(meta);
		at_err(r, deref(md), ERR_SHAPE, "%s",
		       "metadata must be a mapping");
		return NULL;
	}
	if (!meta)
		meta = cJSON_CreateObject();
	if (!has_meta_version(meta)) {
		cJSON *x = cJSON_AddObjectToObject(meta, "pactSpecification");
		cJSON_AddStringToObject(x, "version", spec_name(r->spec));
	}
	doc = cJSON_CreateObject();
	ixs = cJSON_CreateArray();
	msgs = cJSON_CreateArray();
	cJSON_AddItemToObject(doc, "metadata", meta);
	for (i = 0; i < 2; i++) {
		const char *k = i ? "provider" : "consumer";
		if (!(v = map_get(root, k)))
			continue;
		old = ptr_key(r, k);
		if (put(doc, k, party(r, v)))
			goto fail;
		ptr_pop(r, old);
	}
	if ((v = map_get(root, "interactions"))) {
		const struct ynode *l = deref(v);
		if (l->kind != Y_SEQ) {
			old = ptr_key(r, "interactions");
			cJSON_Delete(ixs);
			ixs = plain(r, v, 0);
			ptr_pop(r, old);
			if (!ixs)
				goto fail;
		} else {
			if (!enter(r, v))
				goto fail;
			if (tag_check(r, l))
				goto fail;
			for (i = 0; i < l->n; i++)
				if (interaction(r, l->kids[i], ixs, msgs,
						counts))
					goto fail;
			leave(r);
		}
	}
	if (pass_through(r, root, known, doc))
		goto fail;
	if (cJSON_GetArraySize(msgs)) {
		if (cJSON_GetObjectItemCaseSensitive(doc, "messages")) {
			at_err(r, root, ERR_SHAPE, "%s",
			       "'messages' is given besides message "
			       "interactions");
			goto fail;
		}
		cJSON_AddItemToObject(doc, "messages", msgs);
	} else
		cJSON_Delete(msgs);
	msgs = NULL;
	if (cJSON_GetArraySize(ixs) ||
	    !cJSON_GetObjectItemCaseSensitive(doc, "messages") ||
	    !cJSON_IsArray(ixs))
		cJSON_AddItemToObject(doc, "interactions", ixs);
	else
		cJSON_Delete(ixs);
	leave(r);
	return doc;
fail:
	cJSON_Delete(ixs);
	cJSON_Delete(msgs);
	cJSON_Delete(doc);
	return NULL;
}

/*
 * Re-reads the tree looking for the node behind the JSON pointer the Pact
 * reader named, and re-sets the error at that node's line and column.
 */
static void relocate(const struct ynode *root, size_t nodes, struct err *e)
{
	struct err scratch;
	struct yr r;
	char want[sizeof(e->pointer)], msg[sizeof(e->msg)],
		src[sizeof(e->source)];
	enum err_code code = e->code;
	cJSON *doc;

	memcpy(want, e->pointer, sizeof(want));
	memcpy(msg, e->msg, sizeof(msg));
	memcpy(src, e->source, sizeof(src));
	err_clear(&scratch);
	yr_init(&r, &scratch, nodes, want);
	doc = doc_from_tree(&r, root);
	cJSON_Delete(doc);
	if (r.found) {
		err_clear(e);
		err_setsource(e, src);
		err_setpos(e, r.line, r.col);
		err_set(e, code, "%s", msg);
	}
	yr_release(&r);
}

/*
 * Reads a YAML contract. Returns it (free with contract_free) or NULL with
 * err set: YAML and translation errors at their line:col, errors of the
 * Pact reader at the line:col of the node their JSON pointer leads to.
 */
struct contract *contract_read_yaml(const char *name, const char *buf,
				    size_t len, struct err *e)
{
	struct contract *c;
	struct ynode *root;
	size_t nodes = 0;
	struct yr r;
	cJSON *doc;

	root = load(buf, len, &nodes, e);
	if (!root) {
		err_setsource(e, name);
		return NULL;
	}
	yr_init(&r, e, nodes, NULL);
	doc = doc_from_tree(&r, root);
	yr_release(&r);
	if (!doc) {
		err_setsource(e, name);
		node_free(root);
		return NULL;
	}
	c = contract_from_cjson(name, doc, e);
	if (!c && e && e->pointer[0])
		relocate(root, nodes, e);
	cJSON_Delete(doc);
	node_free(root);
	return c;
}

/*
 * Plain YAML data (fault profiles and other configuration): the document
 * as JSON, no matcher tags. An error `use` sets with a JSON pointer is
 * re-set at the line and column of the node the pointer leads to.
 */
int yaml_data_read(const char *name, const char *buf, size_t len,
		   int (*use)(void *ctx, const cJSON *doc, struct err *e),
		   void *ctx, struct err *e)
{
	struct ynode *root;
	size_t nodes = 0;
	struct yr r;
	cJSON *doc;
	int rc;

	root = load(buf, len, &nodes, e);
	if (!root) {
		err_setsource(e, name);
		return -1;
	}
	yr_init(&r, e, nodes, NULL);
	doc = plain(&r, root, 0);
	yr_release(&r);
	if (!doc) {
		err_setsource(e, name);
		node_free(root);
		return -1;
	}
	rc = use(ctx, doc, e);
	cJSON_Delete(doc);
	if (rc && e && e->pointer[0]) {
		struct err scratch;
		char want[sizeof(e->pointer)];
		memcpy(want, e->pointer, sizeof(want));
		err_clear(&scratch);
		yr_init(&r, &scratch, nodes, want);
		cJSON_Delete(plain(&r, root, 0));
		if (r.found) {
			struct err keep = *e;
			err_clear(e);
			err_setsource(e, name);
			err_setpos(e, r.line, r.col);
			err_set(e, keep.code, "%s", keep.msg);
		}
		yr_release(&r);
	}
	if (rc && e)
		err_setsource(e, name);
	node_free(root);
	return rc;
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
	if (resolve(s, &d) != ST_STR || one_of(s, words))
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
	struct ynode *n = node_new(Y_SCALAR, 0, 0);
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
	struct ynode *n = node_new(Y_SCALAR, 0, 0);
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
	node_add(m, w_str(w, key));
	node_add(m, v);
}

static struct ynode *w_json(struct yw *w, const cJSON *v)
{
	struct ynode *n;
	const cJSON *it;
	if (cJSON_IsObject(v)) {
		n = node_new(Y_MAP, 0, 0);
		cJSON_ArrayForEach(it, v)
		{
			w_put(w, n, it->string, w_json(w, it));
		}
		return n;
	}
	if (cJSON_IsArray(v)) {
		n = node_new(Y_SEQ, 0, 0);
		cJSON_ArrayForEach(it, v)
		{
			node_add(n, w_json(w, it));
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
		return flat_key(k, cat, key) ? NULL : t->rules;
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
	const struct tagdef *d = tag_def(t->tag);
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
	if (tag_matchers(&w->check, t, d, &ms, &combine, &ex, &cnt))
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
	node_free(t);
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
	d = tag_for_match(name->valuestring);
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
	t = node_new(Y_MAP, 0, 0);
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
			node_free(t);
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
	struct ynode *t = node_new(Y_MAP, 0, 0), *rules;
	const cJSON *it;
	t->tag = xstrdup("!matchers");
	if (!p->flat && p->combine)
		w_put(w, t, "combine", w_str(w, p->combine));
	rules = node_new(Y_SEQ, 0, 0);
	if (p->flat) {
		node_add(rules, w_json(w, p->one));
	} else {
		cJSON_ArrayForEach(it, p->ms)
		{
			node_add(rules, w_json(w, it));
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
		n = node_new(Y_MAP, 0, 0);
		cJSON_ArrayForEach(it, v)
		{
			pl = b->path.len;
			bad = seg_field(&b->path, it->string) ? 1 : 0;
			b->bad += bad;
			w_put(w, n, it->string, w_body(w, it, b, 0));
			b->bad -= bad;
			buf_cut(&b->path, pl);
		}
		return n;
	}
	if (cJSON_IsArray(v)) {
		n = node_new(Y_SEQ, 0, 0);
		cJSON_ArrayForEach(it, v)
		{
			pl = b->path.len;
			buf_addf(&b->path, "[%zu]", i++);
			node_add(n, w_body(w, it, b, 0));
			buf_cut(&b->path, pl);
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
	t = node_new(Y_MAP, 0, 0);
	t->tag = xstrdup("!eachLike");
	if (min)
		w_put(w, t, "min", w_json(w, min));
	if (max)
		w_put(w, t, "max", w_json(w, max));
	if (want != def)
		w_put(w, t, "count", w_num((double)want));
	w_put(w, t, "example", w_lit("null"));
	if (!w_reads_as(w, t, m, &cnt) || cnt != want) {
		node_free(t);
		return NULL;
	}
	pl = b->path.len;
	buf_addstr(&b->path, "[*]");
	ex = w_body(w, first, b, 0);
	buf_cut(&b->path, pl);
	node_free(t->kids[t->n - 1]);
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
	s = node_new(Y_SEQ, 0, 0);
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
		node_add(s, kid);
		if (left) {
			node_free(s);
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
		derive_ct(content, headers, meta, derived, sizeof(derived));
		if (cJSON_IsString(ct) && !strcmp(derived, ct->valuestring) &&
		    cJSON_IsFalse(
			    cJSON_GetObjectItemCaseSensitive(v, "encoded")) &&
		    !cJSON_GetObjectItemCaseSensitive(v, "contentTypeHint")) {
			n = ex;
		} else {
			n = node_new(Y_MAP, 0, 0);
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
	m = node_new(Y_MAP, 0, 0);
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
	s = query_string(o);
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
		if (!one_of(it->string, known) &&
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
	r = node_new(Y_MAP, 0, 0);
	w_extras(w, r, t->rules, none, NULL);
	for (i = 1; i < r->n; i += 2) {
		struct ynode *c = r->kids[i];
		it = cJSON_GetObjectItemCaseSensitive(t->rules,
						      r->kids[i - 1]->text);
		if (t->flat && c->kind == Y_MAP && all_scalar(c))
			c->flow = 1;
		if (!t->flat && cJSON_IsObject(it) &&
		    !cJSON_GetObjectItemCaseSensitive(it, "matchers")) {
			struct ynode *sorted = node_new(Y_MAP, 0, 0);
			w_extras(w, sorted, it, none, NULL);
			node_free(c);
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
	m = node_new(Y_MAP, 0, 0);
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
	m = node_new(Y_MAP, 0, 0);
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
	struct ynode *m = node_new(Y_MAP, 0, 0);
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
	g = node_new(Y_SEQ, 0, 0);
	cJSON_ArrayForEach(it, ps)
	{
		const cJSON *params = cJSON_GetObjectItemCaseSensitive(
			it, "params");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it,
								     "name");
		if (!params) {
			node_add(g, w_json(w, name));
		} else {
			struct ynode *s = node_new(Y_MAP, 0, 0);
			w_put(w, s, "name", w_json(w, name));
			w_put(w, s, "params", w_json(w, params));
			node_add(g, s);
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
	m = node_new(Y_MAP, 0, 0);
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
		struct ynode *rs = node_new(Y_SEQ, 0, 0);
		const cJSON *it;
		if ((v = cJSON_GetObjectItemCaseSensitive(o, "request")))
			w_put(w, m, "request", w_message(w, v, 1));
		v = cJSON_GetObjectItemCaseSensitive(o, "response");
		cJSON_ArrayForEach(it, v)
		{
			node_add(rs, w_message(w, it, 1));
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
	struct ynode *root = node_new(Y_MAP, 0, 0), *ixs;
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
	ixs = node_new(Y_SEQ, 0, 0);
	for (i = 0; i < 2; i++) {
		v = cJSON_GetObjectItemCaseSensitive(doc, i ? "messages"
							    : "interactions");
		cJSON_ArrayForEach(it, v)
		{
			node_add(ixs, w_interaction(w, it, (int)i));
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
	root = load(text, len, &nodes, &e);
	if (!root)
		return 0;
	yr_init(&r, &e, nodes, NULL);
	back = doc_from_tree(&r, root);
	yr_release(&r);
	node_free(root);
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
			node_free(tree);
			err_set(e, we.code, "%s", we.msg);
			break;
		}
		buf_init(&text, 0);
		emit_map(&text, tree, 0, 0);
		node_free(tree);
		if (reads_back(text.ptr, text.len, doc)) {
			/* a full buffer ends the loop too: rc stays -1 */
			if (buf_add(out, text.ptr, text.len))
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
