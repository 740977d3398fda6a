/*
 * yaml_tree.c: what reading and writing accord's YAML authoring format
 * (docs/yaml-format.md) share (yaml.h): the node tree that keeps each
 * node's line and column, libyaml's events loaded into it with limits on
 * its size, plain scalars resolved by the YAML 1.2 core schema, the
 * matcher tags (made from model.h's MATCHER_MAP), and the few Pact shapes
 * both directions spell: v2 rule keys, v1/v2 query strings, and the
 * content type a v4 body has when the YAML leaves it out.
 */
#include "contracts/formats/yaml.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct ynode *ynode_new(enum ykind kind, int line, int col)
{
	struct ynode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->line = line;
	n->col = col;
	return n;
}

void ynode_add(struct ynode *p, struct ynode *kid)
{
	p->kids = xgrow(p->kids, &p->cap, p->n + 1, sizeof(*p->kids));
	p->kids[p->n++] = kid;
}

void ynode_free(struct ynode *n)
{
	size_t i;
	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->tag);
	free(n->text);
	free(n);
}

const struct ynode *ynode_deref(const struct ynode *n)
{
	return n->kind == Y_ALIAS ? n->target : n;
}

int yaml_pos_err(struct err *e, int line, int col, enum err_code code,
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
		ynode_add(L->stack[L->depth - 1], n);
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
			return yaml_pos_err(L->e, line, col, ERR_SHAPE, "%s",
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
		return yaml_pos_err(L->e, line, col, ERR_LIMIT,
				    "more than %u YAML nodes", YAML_MAX_NODES);
	if (ev->type == YAML_ALIAS_EVENT) {
		const char *name = (const char *)ev->data.alias.anchor;
		struct ynode *t = find_anchor(L, name);
		if (!t)
			return yaml_pos_err(L->e, line, col, ERR_SHAPE,
					    "unknown alias '*%s'", name);
		if (!t->done)
			return yaml_pos_err(
				L->e, line, col, ERR_SHAPE,
				"alias '*%s' is used inside its own "
				"anchor",
				name);
		n = ynode_new(Y_ALIAS, line, col);
		n->target = t;
		n->done = 1;
		attach(L, n, NULL);
		return 0;
	}
	if (ev->type == YAML_SCALAR_EVENT) {
		const char *v = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;
		if (memchr(v, '\0', len))
			return yaml_pos_err(
				L->e, line, col, ERR_UNSUPPORTED, "%s",
				"NUL characters are not supported in "
				"strings");
		n = ynode_new(Y_SCALAR, line, col);
		n->text = xstrndup(v, len);
		n->len = len;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->tag = dup_tag(ev->data.scalar.tag);
		n->done = 1;
		attach(L, n, ev->data.scalar.anchor);
		return 0;
	}
	if (L->depth >= CONTRACT_MAX_DEPTH)
		return yaml_pos_err(L->e, line, col, ERR_LIMIT,
				    "YAML nested deeper than %d levels",
				    CONTRACT_MAX_DEPTH);
	if (ev->type == YAML_MAPPING_START_EVENT)
		kind = Y_MAP;
	n = ynode_new(kind, line, col);
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
		yaml_pos_err(e, 0, 0, ERR_LIMIT, "%s",
			     "out of memory reading YAML");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		offset_pos(buf, len, p->problem_offset, &line, &col);
	} else {
		line = (int)p->problem_mark.line + 1;
		col = (int)p->problem_mark.column + 1;
	}
	if (p->context)
		yaml_pos_err(e, line, col, ERR_SYNTAX, "malformed YAML: %s %s",
			     what, p->context);
	else
		yaml_pos_err(e, line, col, ERR_SYNTAX, "malformed YAML: %s",
			     what);
}

/*
 * Parses one YAML document into a tree (*nodes: how many nodes it has);
 * NULL with err set on failure.
 */
struct ynode *yaml_load(const char *buf, size_t len, size_t *nodes,
			struct err *e)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct loader L;
	int docs = 0, fin = 0, ok = 1;
	size_t i;

	if (len > CONTRACT_MAX_FILE) {
		yaml_pos_err(e, 0, 0, ERR_LIMIT, "file larger than %u bytes",
			     CONTRACT_MAX_FILE);
		return NULL;
	}
	memset(&L, 0, sizeof(L));
	L.e = e;
	if (!yaml_parser_initialize(&p)) {
		yaml_pos_err(e, 0, 0, ERR_LIMIT, "%s",
			     "out of memory reading YAML");
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
		ynode_free(L.root);
		return NULL;
	}
	if (!L.root) {
		yaml_pos_err(e, 1, 1, ERR_SHAPE, "%s", "empty YAML document");
		return NULL;
	}
	*nodes = L.nodes;
	return L.root;
}

/* Scalars. */

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

int yaml_one_of(const char *s, const char *const *words)
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
enum stype yaml_resolve(const char *s, double *num)
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
	if (yaml_one_of(s, nulls))
		return ST_NULL;
	if (yaml_one_of(s, trues))
		return ST_TRUE;
	if (yaml_one_of(s, falses))
		return ST_FALSE;
	if (yaml_one_of(s, bad))
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
int yaml_core_tag(const char *tag)
{
	return !tag || !strcmp(tag, "!") ||
	       !strncmp(tag, CORE_TAG, strlen(CORE_TAG));
}

const struct tagdef *yaml_tag_def(const char *tag)
{
	size_t i;
	for (i = 0; i < sizeof(tagdefs) / sizeof(tagdefs[0]); i++)
		if (!strcmp(tagdefs[i].tag, tag))
			return &tagdefs[i];
	return NULL;
}

/* The tag to write for one matcher name (eachLike is chosen apart). */
const struct tagdef *yaml_tag_for_match(const char *match)
{
	size_t i;
	for (i = 0; i < sizeof(tagdefs) / sizeof(tagdefs[0]); i++)
		if (tagdefs[i].match && tagdefs[i].kind != TK_EACHLIKE &&
		    !strcmp(tagdefs[i].match, match))
			return &tagdefs[i];
	return NULL;
}

/* Pact shapes both directions spell. */

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
int yaml_seg_field(struct buf *b, const char *name)
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
int yaml_flat_key(struct buf *b, const char *cat, const char *key)
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
		return yaml_seg_field(b, key);
	}
	return -1;
}

/*
 * The content type a v4 body gets when the YAML does not spell it out: the
 * Content-Type header (or a message's contentType metadata) without its
 * parameters, else text/plain for a string and application/json for
 * anything else. The writer uses the same rule to decide when it can
 * leave the wrapper out.
 */
void yaml_derive_ct(const cJSON *content, const cJSON *headers,
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
cJSON *yaml_query_string(const cJSON *o)
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
