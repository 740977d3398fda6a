/*
 * write.c: JSON text out, the writers the layers above share: strings with
 * the escapes JSON requires, and compact JSON that keeps each number's
 * literal as it was read (10.50 stays 10.50), for bodies sent on the wire
 * and values shown in messages.
 */
#include "contracts/json/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void json_write_string(const char *s, struct buf *b)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;
	buf_addch(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7];
		size_t n = 2;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, run, (size_t)(s - run));
		run = s + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		buf_add(b, esc, n);
	}
	buf_add(b, run, (size_t)(s - run));
	buf_addch(b, '"');
}

static void put_number(struct buf *b, const cJSON *v)
{
	double d = v->valuedouble;
	char tmp[64];
	if (v->valuestring && v->valuestring[0]) {
		/* the literal as written: 10.50 stays 10.50 */
		buf_addstr(b, v->valuestring);
		return;
	}
	if (!isfinite(d)) {
		buf_addstr(b, "null");
		return;
	}
	if (d == floor(d) && fabs(d) < 1e15) {
		buf_addf(b, "%.0f", d);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	buf_addstr(b, tmp);
}

/*
 * Bodies come from contracts whose depth the reader bounds, so the
 * recursion is bounded too.
 */
void json_write_compact(const cJSON *v, struct buf *b)
{
	const cJSON *it;
	int first = 1;
	if (cJSON_IsNumber(v)) {
		put_number(b, v);
	} else if (cJSON_IsString(v)) {
		json_write_string(v->valuestring ? v->valuestring : "", b);
	} else if (cJSON_IsTrue(v)) {
		buf_addstr(b, "true");
	} else if (cJSON_IsFalse(v)) {
		buf_addstr(b, "false");
	} else if (cJSON_IsRaw(v) && v->valuestring) {
		buf_addstr(b, v->valuestring);
	} else if (cJSON_IsArray(v)) {
		buf_addch(b, '[');
		cJSON_ArrayForEach(it, v)
		{
			if (!first)
				buf_addch(b, ',');
			first = 0;
			json_write_compact(it, b);
		}
		buf_addch(b, ']');
	} else if (cJSON_IsObject(v)) {
		buf_addch(b, '{');
		cJSON_ArrayForEach(it, v)
		{
			if (!first)
				buf_addch(b, ',');
			first = 0;
			json_write_string(it->string ? it->string : "", b);
			buf_addch(b, ':');
			json_write_compact(it, b);
		}
		buf_addch(b, '}');
	} else {
		buf_addstr(b, "null");
	}
}
