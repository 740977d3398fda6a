/*
 * tool_genpact.c: generates inputs for measurements (bench/, not tests).
 *
 *   tool_genpact pact N          a Pact v3 file with N interactions
 *   tool_genpact body BYTES DIR  DIR/body-expected.json and
 *                                DIR/body-actual.json:
 *                                a response with a JSON body of about
 *                                BYTES and a rule on every field
 *   tool_genpact rules N DIR     DIR/rules-expected.json and
 *                                DIR/rules-actual.json: a request with N
 *                                body rules ($.items[*].fK) and a body
 *                                of 5,000 items of 20 fields (~1.2 MB)
 */
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void gen_pact(long n)
{
	long i;
	printf("{\"consumer\":{\"name\":\"bench-consumer\"},"
	       "\"provider\":{\"name\":\"bench-provider\"},\"interactions\":[");
	for (i = 0; i < n; i++) {
		long k;
		printf("%s{\"description\":\"interaction %ld\","
		       "\"providerStates\":[{\"name\":\"state %ld\","
		       "\"params\":{\"id\":%ld}}],"
		       "\"request\":{\"method\":\"GET\",\"path\":\"/items/%ld\","
		       "\"query\":{\"q\":[\"x%ld\"]},"
		       "\"headers\":{\"Accept\":\"application/json\"}},"
		       "\"response\":{\"status\":200,\"headers\":"
		       "{\"Content-Type\":\"application/json\"},\"body\":{",
		       i ? "," : "", i, i, i, i, i);
		for (k = 0; k < 8; k++)
			printf("%s\"field%ld\":{\"id\":%ld,\"name\":\"name %ld\","
			       "\"price\":%ld.5,\"tags\":[\"a\",\"b\"]}",
			       k ? "," : "", k, k, k, k);
		printf("},\"matchingRules\":{\"body\":{");
		for (k = 0; k < 8; k++)
			printf("%s\"$.field%ld.id\":{\"matchers\":[{\"match\":"
			       "\"integer\"}]},\"$.field%ld.name\":{\"matchers\":"
			       "[{\"match\":\"regex\",\"regex\":\"name \\\\d+\"}]},"
			       "\"$.field%ld.tags\":{\"matchers\":[{\"match\":"
			       "\"type\",\"min\":1}]}",
			       k ? "," : "", k, k, k);
		printf("}}}}");
	}
	printf("],\"metadata\":{\"pactSpecification\":{\"version\":"
	       "\"3.0.0\"}}}\n");
}

/* Writes a and b to DIR/NAME-expected.json and DIR/NAME-actual.json. */
static int write_pair(const char *dir, const char *name, const struct buf *e,
		      const struct buf *a)
{
	struct err err;
	struct buf p;
	int r;
	buf_init(&p, 0);
	err_clear(&err);
	buf_addf(&p, "%s/%s-expected.json", dir, name);
	r = write_file_atomic(p.ptr, e->ptr, e->len, &err);
	buf_reset(&p);
	buf_addf(&p, "%s/%s-actual.json", dir, name);
	if (!r)
		r = write_file_atomic(p.ptr, a->ptr, a->len, &err);
	if (r)
		fprintf(stderr, "tool_genpact: %s: %s\n", err.source, err.msg);
	buf_release(&p);
	return r ? 1 : 0;
}

static int gen_body(long bytes, const char *dir)
{
	int r;
	struct buf e, a;
	long i, n = bytes / 100;
	buf_init(&e, 0);
	buf_init(&a, 0);
	buf_addstr(&e, "{\"status\":200,\"headers\":{\"Content-Type\":"
		       "\"application/json\"},\"body\":{\"items\":[");
	buf_addstr(&a, e.ptr);
	buf_addstr(&e, "{\"id\":1,\"sku\":\"ABC-0001\",\"price\":1.5,"
		       "\"when\":\"2024-05-01\",\"ok\":true}]},");
	buf_addstr(
		&e,
		"\"matchingRules\":{\"body\":{"
		"\"$.items\":{\"matchers\":[{\"match\":\"type\",\"min\":1}]},"
		"\"$.items[*].id\":{\"matchers\":[{\"match\":\"integer\"}]},"
		"\"$.items[*].sku\":{\"matchers\":[{\"match\":\"regex\","
		"\"regex\":\"[A-Z]{3}-\\\\d{4}\"}]},"
		"\"$.items[*].price\":{\"matchers\":[{\"match\":\"decimal\"}]},"
		"\"$.items[*].when\":{\"matchers\":[{\"match\":\"date\","
		"\"format\":\"yyyy-MM-dd\"}]},"
		"\"$.items[*].ok\":{\"matchers\":[{\"match\":\"boolean\"}]}"
		"}}}");
	for (i = 0; i < n; i++)
		buf_addf(&a,
			 "%s{\"id\":%ld,\"sku\":\"XYZ-%04ld\",\"price\":%ld.25,"
			 "\"when\":\"2024-0%ld-1%ld\",\"ok\":false}",
			 i ? "," : "", i, i % 10000, i, 1 + i % 9, i % 10);
	buf_addstr(&a, "]}}");
	r = write_pair(dir, "body", &e, &a);
	buf_release(&e);
	buf_release(&a);
	return r;
}

static int gen_rules(long n, const char *dir)
{
	struct buf e, a, body;
	long i, j;
	int r;
	buf_init(&e, 0);
	buf_init(&a, 0);
	buf_init(&body, 0);
	buf_addstr(&body, "{\"items\":[");
	for (i = 0; i < 5000; i++) {
		buf_addstr(&body, i ? ",{" : "{");
		for (j = 0; j < 20; j++)
			buf_addf(&body, "%s\"f%ld\":%ld", j ? "," : "",
				 (i + j) % 50, i * 20 + j);
		buf_addch(&body, '}');
	}
	buf_addstr(&body, "]}");
	buf_addf(&e,
		 "{\"method\":\"POST\",\"path\":\"/x\",\"headers\":"
		 "{\"Content-Type\":\"application/json\"},\"body\":%s,"
		 "\"matchingRules\":{\"body\":{",
		 body.ptr);
	for (i = 0; i < n; i++)
		buf_addf(&e,
			 "%s\"$.items[*].f%ld\":{\"matchers\":[{\"match\":"
			 "\"type\"}]}",
			 i ? "," : "", i);
	buf_addstr(&e, "}}}");
	buf_addf(&a,
		 "{\"method\":\"POST\",\"path\":\"/x\",\"headers\":"
		 "{\"Content-Type\":\"application/json\"},\"body\":%s}",
		 body.ptr);
	r = write_pair(dir, "rules", &e, &a);
	buf_release(&e);
	buf_release(&a);
	buf_release(&body);
	return r;
}

int main(int argc, char **argv)
{
	long n;
	if (argc >= 3 && !strcmp(argv[1], "pact") &&
	    !parse_long(argv[2], 0, 100000000, &n)) {
		gen_pact(n);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "body") &&
	    !parse_long(argv[2], 0, 1L << 32, &n)) {
		return gen_body(n, argv[3]);
	}
	if (argc >= 4 && !strcmp(argv[1], "rules") &&
	    !parse_long(argv[2], 1, 1000000, &n)) {
		return gen_rules(n, argv[3]);
	}
	fprintf(stderr, "usage: tool_genpact pact N | body BYTES DIR | "
			"rules N DIR\n");
	return 2;
}
