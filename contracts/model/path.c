/*
 * path.c: the paths of matching rules ("$.items[*].id", "$.a['b c'][2]",
 * and bare "a.b", which is rooted too), parsed into segments once when a
 * contract is read, for the matching engine, the rule index and the
 * generators.
 */
#include "contracts/model/model.h"

#include <stdlib.h>
#include <string.h>

static void path_push(struct path *p, size_t *cap, enum seg_kind k, char *name,
		      long index)
{
	p->segs = xgrow(p->segs, cap, p->n + 1, sizeof(*p->segs));
	p->segs[p->n].kind = k;
	p->segs[p->n].name = name;
	p->segs[p->n].index = index;
	p->n++;
}

int path_parse(const char *s, struct path *p, struct err *e)
{
	size_t cap = 2, i = 0, len = strlen(s);
	memset(p, 0, sizeof(*p));
	/* an upper bound on the element count, so one allocation serves */
	for (i = 0; i < len; i++)
		cap += s[i] == '.' || s[i] == '[';
	p->segs = xmalloc(cap * sizeof(*p->segs));
	i = 0;
	if (len && s[0] == '$') {
		path_push(p, &cap, SEG_ROOT, NULL, 0);
		i = 1;
	} else {
		/* bare names ("a.b") are rooted too */
		path_push(p, &cap, SEG_ROOT, NULL, 0);
		if (len && s[0] != '.' && s[0] != '[') {
			size_t j = 0;
			while (j < len && s[j] != '.' && s[j] != '[')
				j++;
			if (j == 1 && s[0] == '*')
				path_push(p, &cap, SEG_STAR, NULL, 0);
			else
				path_push(p, &cap, SEG_FIELD, xstrndup(s, j),
					  0);
			i = j;
		}
	}
	while (i < len) {
		if (s[i] == '.') {
			size_t j = ++i;
			while (j < len && s[j] != '.' && s[j] != '[')
				j++;
			if (j == i)
				goto bad;
			if (j - i == 1 && s[i] == '*')
				path_push(p, &cap, SEG_STAR, NULL, 0);
			else
				path_push(p, &cap, SEG_FIELD,
					  xstrndup(s + i, j - i), 0);
			i = j;
		} else if (s[i] == '[') {
			i++;
			if (i < len && (s[i] == '\'' || s[i] == '"')) {
				char q = s[i];
				size_t j = ++i;
				while (j < len && s[j] != q)
					j++;
				if (j + 1 >= len || s[j + 1] != ']')
					goto bad;
				path_push(p, &cap, SEG_FIELD,
					  xstrndup(s + i, j - i), 0);
				i = j + 2;
			} else if (i < len && s[i] == '*') {
				if (i + 1 >= len || s[i + 1] != ']')
					goto bad;
				path_push(p, &cap, SEG_STAR, NULL, 0);
				i += 2;
			} else {
				long v = 0;
				size_t j = i;
				while (j < len && s[j] >= '0' && s[j] <= '9' &&
				       v < 100000000)
					v = v * 10 + (s[j++] - '0');
				if (j == i || j >= len || s[j] != ']')
					goto bad;
				path_push(p, &cap, SEG_INDEX, NULL, v);
				i = j + 1;
			}
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	path_release(p);
	return err_set(e, ERR_SHAPE, "malformed rule path '%s'", s);
}

void path_release(struct path *p)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		free(p->segs[i].name);
	free(p->segs);
	p->segs = NULL;
	p->n = 0;
}
