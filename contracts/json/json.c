/*
 * json.c: accord's own JSON parser, building cJSON trees.
 *
 * Why not cJSON_Parse: contracts need what cJSON throws away. A number's
 * literal text is kept in the node's valuestring (cJSON frees it with the
 * node), so a decimal matcher can tell 1.0 from 1 and a contract written
 * back keeps 10.50 and 12345678901234567890 exactly as they were. Errors
 * carry line and column, and nesting is bounded without recursion past
 * the limit.
 */
#include "contracts/json/internal.h"

#include <stdlib.h>
#include <string.h>

struct jp {
	const char *s;
	size_t len;
	size_t pos;
	int depth;
	const char *name;
	struct err *e;
	struct buf str; /* scratch for string values */
};

static void position(const char *buf, size_t off, int *line, int *col)
{
	size_t i = 0;
	*line = 1;
	*col = 1;
	if (off >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3; /* a byte order mark takes no column */
	for (; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static cJSON *fail(struct jp *p, enum err_code code, const char *msg)
{
	int line, col;
	if (p->e && !p->e->code) {
		position(p->s, p->pos, &line, &col);
		err_setsource(p->e, p->name);
		err_setpos(p->e, line, col);
		err_set(p->e, code, "%s", msg);
	}
	return NULL;
}

static void skip_ws(struct jp *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		int d = hex_value((unsigned char)s[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	/* lone surrogates were replaced by U+FFFD before this */
	buf_add(b, u, utf8_encode(cp, u));
}

/* Parses a string at p->pos (on the opening quote) into p->str. */
static int parse_string(struct jp *p)
{
	size_t start;
	buf_reset(&p->str);
	p->pos++;
	for (;;) {
		unsigned cp, lo;
		char c;
		start = p->pos;
		while (p->pos < p->len && p->s[p->pos] != '"' &&
		       p->s[p->pos] != '\\' &&
		       (unsigned char)p->s[p->pos] >= 0x20)
			p->pos++;
		buf_add(&p->str, p->s + start, p->pos - start);
		if (p->pos >= p->len)
			return fail(p, ERR_SYNTAX,
				    "malformed JSON: unterminated string"),
			       -1;
		c = p->s[p->pos];
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c != '\\')
			return fail(p, ERR_SYNTAX,
				    "malformed JSON: control character in string"),
			       -1;
		if (p->pos + 1 >= p->len)
			return fail(p, ERR_SYNTAX,
				    "malformed JSON: unterminated string"),
			       -1;
		c = p->s[p->pos + 1];
		p->pos += 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			buf_addch(&p->str, c);
			break;
		case 'b':
			buf_addch(&p->str, '\b');
			break;
		case 'f':
			buf_addch(&p->str, '\f');
			break;
		case 'n':
			buf_addch(&p->str, '\n');
			break;
		case 'r':
			buf_addch(&p->str, '\r');
			break;
		case 't':
			buf_addch(&p->str, '\t');
			break;
		case 'u':
			if (p->pos + 4 > p->len || hex4(p->s + p->pos, &cp))
				return fail(p, ERR_SYNTAX,
					    "malformed JSON: bad \\u escape"),
				       -1;
			p->pos += 4;
			if (cp >= 0xd800 && cp < 0xdc00 &&
			    p->pos + 6 <= p->len && p->s[p->pos] == '\\' &&
			    p->s[p->pos + 1] == 'u' &&
			    !hex4(p->s + p->pos + 2, &lo) && lo >= 0xdc00 &&
			    lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				p->pos += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd; /* lone surrogate */
			}
			if (!cp)
				return fail(p, ERR_SYNTAX,
					    "malformed JSON: \\u0000 in string"),
				       -1;
			put_utf8(&p->str, cp);
			break;
		default:
			p->pos -= 2;
			return fail(p, ERR_SYNTAX,
				    "malformed JSON: bad escape in string"),
			       -1;
		}
	}
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int canonical_int(const char *lit, double v)
{
	const char *d = lit + (*lit == '-');
	size_t n = strlen(d);
	if (strpbrk(lit, ".eE") || n > 15 || (*lit == '-' && v == 0))
		return 0;
	return 1;
}

static cJSON *parse_number(struct jp *p)
{
	size_t start = p->pos;
	char *lit, *end;
	cJSON *n;
	double v;
	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || !is_digit(p->s[p->pos]))
		return fail(p, ERR_SYNTAX, "malformed JSON: bad number");
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || !is_digit(p->s[p->pos]))
			return fail(p, ERR_SYNTAX,
				    "malformed JSON: bad number");
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len &&
		    (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || !is_digit(p->s[p->pos]))
			return fail(p, ERR_SYNTAX,
				    "malformed JSON: bad number");
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	}
	if (p->pos - start > 512)
		return fail(p, ERR_LIMIT, "number literal too long");
	if (p->pos - start <= 15 &&
	    !(p->s[start] == '-' && p->pos - start == 2 &&
	      p->s[start + 1] == '0')) {
		/* a short integer (most numbers in bodies): exact in a
		 * double and printed back as written, so no literal to keep
		 * and no strtod */
		size_t i = start + (p->s[start] == '-');
		double acc = 0;
		for (; i < p->pos && is_digit(p->s[i]); i++)
			acc = acc * 10 + (p->s[i] - '0');
		if (i == p->pos)
			return cJSON_CreateNumber(p->s[start] == '-' ? -acc
								     : acc);
	}
	lit = cJSON_malloc(p->pos - start + 1);
	if (!lit)
		abort();
	memcpy(lit, p->s + start, p->pos - start);
	lit[p->pos - start] = '\0';
	v = strtod(lit, &end);
	n = cJSON_CreateNumber(v);
	/* keep the literal only when printing the value would not give it
	 * back (1.0, 10.50, 1e3, -0, integers beyond 2^53) */
	if (canonical_int(lit, v))
		cJSON_free(lit);
	else
		n->valuestring = lit;
	return n;
}

static int literal(struct jp *p, const char *word)
{
	size_t n = strlen(word);
	if (p->pos + n > p->len || memcmp(p->s + p->pos, word, n))
		return 0;
	p->pos += n;
	return 1;
}

static cJSON *parse_value(struct jp *p);

static cJSON *parse_container(struct jp *p, int object)
{
	cJSON *c = object ? cJSON_CreateObject() : cJSON_CreateArray();
	char close = object ? '}' : ']';
	if (++p->depth > CONTRACT_MAX_DEPTH) {
		cJSON_Delete(c);
		return fail(p, ERR_LIMIT, "nesting deeper than 128 levels");
	}
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		p->depth--;
		return c;
	}
	for (;;) {
		char *key = NULL;
		cJSON *v;
		skip_ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				cJSON_Delete(c);
				return fail(
					p, ERR_SYNTAX,
					p->pos >= p->len
						? "malformed JSON: unexpected end of input"
						: "malformed JSON: expected a string key");
			}
			if (parse_string(p)) {
				cJSON_Delete(c);
				return NULL;
			}
			key = xstrndup(p->str.ptr, p->str.len);
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				cJSON_Delete(c);
				return fail(p, ERR_SYNTAX,
					    "malformed JSON: expected ':'");
			}
			p->pos++;
		}
		v = parse_value(p);
		if (!v) {
			free(key);
			cJSON_Delete(c);
			return NULL;
		}
		if (object)
			cJSON_AddItemToObject(c, key, v);
		else
			cJSON_AddItemToArray(c, v);
		free(key);
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			p->depth--;
			return c;
		}
		cJSON_Delete(c);
		return fail(
			p, ERR_SYNTAX,
			p->pos >= p->len
				? "malformed JSON: unexpected end of input"
				: (object ? "malformed JSON: expected ',' or '}'"
					  : "malformed JSON: expected ',' or ']'"));
	}
}

static cJSON *parse_value(struct jp *p)
{
	char c;
	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, ERR_SYNTAX,
			    "malformed JSON: unexpected end of input");
	c = p->s[p->pos];
	switch (c) {
	case '{':
		return parse_container(p, 1);
	case '[':
		return parse_container(p, 0);
	case '"':
		if (parse_string(p))
			return NULL;
		if (memchr(p->str.ptr, '\0', p->str.len))
			return fail(p, ERR_SYNTAX,
				    "malformed JSON: NUL in string");
		return cJSON_CreateString(p->str.ptr);
	case 't':
		if (literal(p, "true"))
			return cJSON_CreateTrue();
		break;
	case 'f':
		if (literal(p, "false"))
			return cJSON_CreateFalse();
		break;
	case 'n':
		if (literal(p, "null"))
			return cJSON_CreateNull();
		break;
	default:
		if (c == '-' || is_digit(c))
			return parse_number(p);
	}
	return fail(p, ERR_SYNTAX, "malformed JSON: unexpected character");
}

cJSON *json_parse_located(const char *name, const char *buf, size_t len,
			  struct err *e)
{
	struct jp p;
	cJSON *v;
	memset(&p, 0, sizeof(p));
	p.s = buf;
	p.len = len;
	p.name = name;
	p.e = e;
	buf_init(&p.str, 0);
	if (len > CONTRACT_MAX_FILE) {
		err_setsource(e, name);
		err_set(e, ERR_LIMIT, "file larger than %u bytes",
			CONTRACT_MAX_FILE);
		return NULL;
	}
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p.pos = 3;
	v = parse_value(&p);
	if (v) {
		skip_ws(&p);
		if (p.pos < p.len) {
			cJSON_Delete(v);
			v = fail(&p, ERR_SYNTAX,
				 "malformed JSON: trailing characters");
		}
	}
	buf_release(&p.str);
	return v;
}

/* json_parse_located() under its public name (json.h). */
cJSON *json_parse_text(const char *name, const char *buf, size_t len,
		       struct err *e)
{
	return json_parse_located(name, buf, len, e);
}

/* Skips one value without building it; syntax is checked by the real pass. */
static int skip_value(struct jp *p)
{
	int depth = 0;
	skip_ws(p);
	do {
		char c;
		if (p->pos >= p->len)
			return -1;
		c = p->s[p->pos];
		if (c == '"') {
			p->pos++;
			while (p->pos < p->len && p->s[p->pos] != '"') {
				if (p->s[p->pos] == '\\')
					p->pos++;
				p->pos++;
			}
			p->pos++;
		} else if (c == '{' || c == '[') {
			if (++depth > CONTRACT_MAX_DEPTH)
				return -1;
			p->pos++;
		} else if (c == '}' || c == ']') {
			depth--;
			p->pos++;
		} else {
			p->pos++;
		}
		if (depth)
			skip_ws(p);
	} while (depth > 0 && p->pos < p->len);
	/* scalars: run to the next delimiter */
	while (p->pos < p->len && !strchr(",}] \t\r\n", p->s[p->pos]))
		p->pos++;
	return depth ? -1 : 0;
}

cJSON *json_member(const char *buf, size_t len, const char *key)
{
	struct jp p;
	cJSON *v = NULL;
	memset(&p, 0, sizeof(p));
	p.s = buf;
	p.len = len;
	buf_init(&p.str, 0);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p.pos = 3;
	skip_ws(&p);
	if (p.pos >= p.len || p.s[p.pos] != '{')
		goto out;
	p.pos++;
	for (;;) {
		int hit;
		skip_ws(&p);
		if (p.pos >= p.len || p.s[p.pos] != '"' || parse_string(&p))
			goto out;
		hit = p.str.len == strlen(key) &&
		      !memcmp(p.str.ptr, key, p.str.len);
		skip_ws(&p);
		if (p.pos >= p.len || p.s[p.pos] != ':')
			goto out;
		p.pos++;
		if (hit) {
			v = parse_value(&p);
			goto out;
		}
		if (skip_value(&p))
			goto out;
		skip_ws(&p);
		if (p.pos >= p.len || p.s[p.pos] != ',')
			goto out;
		p.pos++;
	}
out:
	buf_release(&p.str);
	return v;
}

cJSON *json_parse_streaming(const char *name, const char *buf, size_t len,
			    const char *const *members, json_elem_fn fn,
			    void *ctx, struct err *e)
{
	struct jp p;
	cJSON *doc = NULL;
	memset(&p, 0, sizeof(p));
	p.s = buf;
	p.len = len;
	p.name = name;
	p.e = e;
	buf_init(&p.str, 0);
	if (len > CONTRACT_MAX_FILE) {
		err_setsource(e, name);
		err_set(e, ERR_LIMIT, "file larger than %u bytes",
			CONTRACT_MAX_FILE);
		goto fail;
	}
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p.pos = 3;
	skip_ws(&p);
	if (p.pos >= p.len || p.s[p.pos] != '{') {
		/* not an object: the ordinary parser gives the right error */
		buf_release(&p.str);
		return json_parse_located(name, buf, len, e);
	}
	doc = cJSON_CreateObject();
	p.pos++;
	p.depth = 1;
	skip_ws(&p);
	if (p.pos < p.len && p.s[p.pos] == '}') {
		p.pos++;
		goto done;
	}
	for (;;) {
		char *key;
		const char *const *m;
		int stream = 0;
		cJSON *v;
		skip_ws(&p);
		if (p.pos >= p.len || p.s[p.pos] != '"') {
			fail(&p, ERR_SYNTAX,
			     p.pos >= p.len
				     ? "malformed JSON: unexpected end of input"
				     : "malformed JSON: expected a string key");
			goto fail;
		}
		if (parse_string(&p))
			goto fail;
		key = xstrndup(p.str.ptr, p.str.len);
		skip_ws(&p);
		if (p.pos >= p.len || p.s[p.pos] != ':') {
			free(key);
			fail(&p, ERR_SYNTAX, "malformed JSON: expected ':'");
			goto fail;
		}
		p.pos++;
		skip_ws(&p);
		for (m = members; *m; m++)
			stream |= !strcmp(*m, key);
		stream &= p.pos < p.len && p.s[p.pos] == '[';
		if (stream) {
			size_t index = 0;
			v = cJSON_CreateArray();
			cJSON_AddItemToObject(doc, key, v);
			p.pos++;
			p.depth++;
			skip_ws(&p);
			if (p.pos < p.len && p.s[p.pos] == ']') {
				p.pos++;
				p.depth--;
			} else {
				for (;;) {
					cJSON *el = parse_value(&p);
					if (!el || fn(ctx, key, el, index++)) {
						free(key);
						goto fail;
					}
					skip_ws(&p);
					if (p.pos < p.len &&
					    p.s[p.pos] == ',') {
						p.pos++;
						continue;
					}
					if (p.pos < p.len &&
					    p.s[p.pos] == ']') {
						p.pos++;
						p.depth--;
						break;
					}
					free(key);
					fail(&p, ERR_SYNTAX,
					     p.pos >= p.len
						     ? "malformed JSON: unexpected end of input"
						     : "malformed JSON: expected ',' or ']'");
					goto fail;
				}
			}
		} else {
			v = parse_value(&p);
			if (!v) {
				free(key);
				goto fail;
			}
			cJSON_AddItemToObject(doc, key, v);
		}
		free(key);
		skip_ws(&p);
		if (p.pos < p.len && p.s[p.pos] == ',') {
			p.pos++;
			continue;
		}
		if (p.pos < p.len && p.s[p.pos] == '}') {
			p.pos++;
			break;
		}
		fail(&p, ERR_SYNTAX,
		     p.pos >= p.len ? "malformed JSON: unexpected end of input"
				    : "malformed JSON: expected ',' or '}'");
		goto fail;
	}
done:
	skip_ws(&p);
	if (p.pos < p.len) {
		fail(&p, ERR_SYNTAX, "malformed JSON: trailing characters");
		goto fail;
	}
	buf_release(&p.str);
	return doc;
fail:
	buf_release(&p.str);
	cJSON_Delete(doc);
	return NULL;
}
