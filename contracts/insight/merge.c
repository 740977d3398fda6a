/*
 * merge.c: what recording needs from the model, with no I/O: merging an
 * existing pact with new interactions the way the Pact libraries do when
 * several tests write one file (an interaction with the same description
 * and provider states replaces the old one, the others are kept), and
 * inferring matchers from observed values for `accord record --generalize`.
 *
 * Both work on the Pact JSON document (contract_to_cjson) rather than on
 * the model: the document is what gets written, and reading the result
 * back with contract_from_cjson checks that it is still a valid contract.
 */
#include "contracts/insight/insight.h"
#include "contracts/formats/formats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The provider states of an interaction object, in one shape. */
static cJSON *states_key(const cJSON *ix)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(ix,
							     "providerStates");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(ix,
							    "providerState");
	cJSON *out = cJSON_CreateArray(), *s;
	const cJSON *it;
	if (cJSON_IsString(one)) {
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", one->valuestring);
		cJSON_AddItemToArray(out, s);
	}
	cJSON_ArrayForEach(it, list)
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it,
								     "name");
		const cJSON *params = cJSON_GetObjectItemCaseSensitive(
			it, "params");
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name",
					cJSON_IsString(name) ? name->valuestring
							     : "");
		if (cJSON_IsObject(params) && params->child)
			cJSON_AddItemToObject(s, "params",
					      cJSON_Duplicate(params, 1));
		cJSON_AddItemToArray(out, s);
	}
	return out;
}

int interaction_same_key(const cJSON *a, const cJSON *b)
{
	const cJSON *da = cJSON_GetObjectItemCaseSensitive(a, "description");
	const cJSON *db = cJSON_GetObjectItemCaseSensitive(b, "description");
	cJSON *sa, *sb;
	int same;
	if (!cJSON_IsString(da) || !cJSON_IsString(db) ||
	    strcmp(da->valuestring, db->valuestring))
		return 0;
	sa = states_key(a);
	sb = states_key(b);
	same = cJSON_Compare(sa, sb, 1);
	cJSON_Delete(sa);
	cJSON_Delete(sb);
	return same;
}

/* Merges the array `key` of add into the one of doc (created if absent). */
static void merge_list(cJSON *doc, const cJSON *add, const char *key)
{
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(add, key);
	cJSON *into = cJSON_GetObjectItemCaseSensitive(doc, key);
	const cJSON *it;
	if (!cJSON_IsArray(from))
		return;
	if (!cJSON_IsArray(into)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, key);
		into = cJSON_AddArrayToObject(doc, key);
	}
	cJSON_ArrayForEach(it, from)
	{
		cJSON *old;
		int i = 0, found = -1;
		cJSON_ArrayForEach(old, into)
		{
			if (interaction_same_key(old, it)) {
				found = i;
				break;
			}
			i++;
		}
		if (found >= 0)
			cJSON_ReplaceItemInArray(into, found,
						 cJSON_Duplicate(it, 1));
		else
			cJSON_AddItemToArray(into, cJSON_Duplicate(it, 1));
	}
}

static const char *party(const cJSON *doc, const char *role)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(doc, role);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "name");
	return cJSON_IsString(n) ? n->valuestring : "";
}

struct contract *contract_merge(const struct contract *old,
				const struct contract *add,
				enum spec_version to, struct err *e)
{
	cJSON *od, *ad;
	struct contract *c;
	if (to == SPEC_UNKNOWN)
		to = add->spec;
	ad = contract_to_cjson(add, to, e);
	if (!ad)
		return NULL;
	if (!old) {
		c = contract_from_cjson("merged", ad, e);
		cJSON_Delete(ad);
		return c;
	}
	od = contract_to_cjson(old, to, e);
	if (!od) {
		cJSON_Delete(ad);
		return NULL;
	}
	if (strcmp(party(od, "consumer"), party(ad, "consumer")) ||
	    strcmp(party(od, "provider"), party(ad, "provider"))) {
		err_set(e, ERR_USAGE,
			"the existing pact is between '%s' and '%s', not '%s' "
			"and '%s'",
			party(od, "consumer"), party(od, "provider"),
			party(ad, "consumer"), party(ad, "provider"));
		cJSON_Delete(od);
		cJSON_Delete(ad);
		return NULL;
	}
	merge_list(od, ad, "interactions");
	merge_list(od, ad, "messages");
	/* the newer writer's metadata, the older file's interactions */
	if (cJSON_GetObjectItemCaseSensitive(ad, "metadata"))
		cJSON_ReplaceItemInObjectCaseSensitive(
			od, "metadata",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
						ad, "metadata"),
					1));
	c = contract_from_cjson("merged", od, e);
	cJSON_Delete(od);
	cJSON_Delete(ad);
	return c;
}

/* Generalization. */

static int all_hex(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (hex_value((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

static int is_uuid(const char *s)
{
	return strlen(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' &&
	       s[23] == '-' && all_hex(s, 8) && all_hex(s + 9, 4) &&
	       all_hex(s + 14, 4) && all_hex(s + 19, 4) && all_hex(s + 24, 12);
}

static int digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* yyyy-MM-dd */
static int is_date_prefix(const char *s)
{
	return digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
	       digits(s + 8, 2);
}

static int is_date(const char *s)
{
	return strlen(s) == 10 && is_date_prefix(s);
}

/* yyyy-MM-ddTHH:mm:ss[.f+](Z|+hh:mm|+hhmm) */
static int is_timestamp(const char *s)
{
	const char *p = s + 19;
	size_t n = strlen(s);
	if (n < 20 || !is_date_prefix(s) || s[10] != 'T' ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return 0;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (!strcmp(p, "Z"))
		return 1;
	if (*p != '+' && *p != '-')
		return 0;
	p++;
	return (strlen(p) == 5 && digits(p, 2) && p[2] == ':' &&
		digits(p + 3, 2)) ||
	       (strlen(p) == 4 && digits(p, 4));
}

#define UUID_RE                                                                \
	"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"        \
	"[0-9a-fA-F]{12}$"
#define TIMESTAMP_RE                                                           \
	"^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?"                 \
	"(Z|[+-]\\d{2}:?\\d{2})$"

/* Adds the rule {matchers: [m]} at path to the category object. */
static void add_rule(cJSON *cat, const char *path, cJSON *m)
{
	cJSON *r = cJSON_CreateObject();
	cJSON *ms = cJSON_AddArrayToObject(r, "matchers");
	cJSON_AddItemToArray(ms, m);
	cJSON_AddStringToObject(r, "combine", "AND");
	cJSON_AddItemToObject(cat, path, r);
}

static cJSON *matcher(const char *name)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "match", name);
	return m;
}

/* Appends ".key" or "['key']" to a path. */
static void path_push(struct buf *p, const char *key)
{
	const char *s;
	int plain = (*key != '\0');
	for (s = key; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9' && s != key) || *s == '_' ||
		      *s == '-'))
			plain = 0;
	if (plain) {
		buf_addf(p, ".%s", key);
		return;
	}
	buf_addstr(p, "['");
	for (s = key; *s; s++) {
		if (*s == '\'' || *s == '\\')
			buf_addch(p, '\\');
		buf_addch(p, *s);
	}
	buf_addstr(p, "']");
}

/* Whether two values have the same shape: the same type; objects with
 * the same keys (of the same shapes). */
static int same_shape(const cJSON *a, const cJSON *b, int depth)
{
	const cJSON *x;
	if (depth > CONTRACT_MAX_DEPTH)
		return 0;
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return 1;
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return 1;
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (!cJSON_IsObject(a))
		return 1;
	if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
		return 0;
	cJSON_ArrayForEach(x, a)
	{
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
		if (!y || !same_shape(x, y, depth + 1))
			return 0;
	}
	return 1;
}

cJSON *value_infer_matcher(const char *s)
{
	cJSON *m = NULL;
	if (is_uuid(s)) {
		m = matcher("regex");
		cJSON_AddStringToObject(m, "regex", UUID_RE);
	} else if (is_date(s)) {
		m = matcher("date");
		cJSON_AddStringToObject(m, "format", "yyyy-MM-dd");
	} else if (is_timestamp(s)) {
		m = matcher("regex");
		cJSON_AddStringToObject(m, "regex", TIMESTAMP_RE);
	}
	return m;
}

/*
 * Rules for v at path into cat. `only_volatile`: strings that change from
 * run to run (UUIDs, dates, timestamps) and nothing else; arrays are then
 * walked item by item ("[2]"), their items staying literal.
 */
static void infer(const cJSON *v, struct buf *path, cJSON *cat,
		  enum spec_version spec, int only_volatile, int depth)
{
	const cJSON *it;
	size_t mark = path->len;
	if (depth > CONTRACT_MAX_DEPTH)
		return;
	if (only_volatile && cJSON_IsArray(v)) {
		size_t i = 0;
		cJSON_ArrayForEach(it, v)
		{
			buf_addf(path, "[%zu]", i++);
			infer(it, path, cat, spec, 1, depth + 1);
			buf_setlen(path, mark);
		}
	} else if (only_volatile && !cJSON_IsString(v) && !cJSON_IsObject(v)) {
		return;
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		int integral = isfinite(d) && d == floor(d) &&
			       fabs(d) < 9007199254740992.0;
		add_rule(cat, path->ptr,
			 matcher(integral ? "integer" : "decimal"));
	} else if (cJSON_IsBool(v)) {
		add_rule(cat, path->ptr,
			 matcher(spec >= SPEC_V4 ? "boolean" : "type"));
	} else if (cJSON_IsString(v)) {
		cJSON *m = value_infer_matcher(v->valuestring);
		if (m)
			add_rule(cat, path->ptr, m);
	} else if (cJSON_IsObject(v)) {
		cJSON_ArrayForEach(it, v)
		{
			path_push(path, it->string);
			infer(it, path, cat, spec, only_volatile, depth + 1);
			buf_setlen(path, mark);
		}
	} else if (cJSON_IsArray(v) && v->child) {
		int like = 1;
		cJSON_ArrayForEach(it, v)
		{
			if (!same_shape(v->child, it, 0))
				like = 0;
		}
		if (!like)
			return; /* literal */
		{
			cJSON *m = matcher("type");
			cJSON_AddNumberToObject(m, "min", 1);
			add_rule(cat, path->ptr, m);
		}
		buf_addstr(path, "[*]");
		infer(v->child, path, cat, spec, 0, depth + 1);
		buf_setlen(path, mark);
	}
}

static cJSON *infer_rules(const cJSON *body, enum spec_version spec,
			  int only_volatile)
{
	struct buf path;
	cJSON *cat = cJSON_CreateObject();
	buf_init(&path, 0);
	buf_addstr(&path, "$");
	if (body)
		infer(body, &path, cat, spec, only_volatile, 0);
	buf_release(&path);
	if (!cat->child) {
		cJSON_Delete(cat);
		return NULL;
	}
	return cat;
}

cJSON *body_infer_rules(const cJSON *body, enum spec_version spec)
{
	return infer_rules(body, spec, 0);
}

cJSON *body_infer_volatile(const cJSON *body)
{
	return infer_rules(body, SPEC_V4, 1);
}
