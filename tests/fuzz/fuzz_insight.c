/*
 * fuzz_insight.c: libFuzzer target for contracts/insight/diff.c and
 * contracts/insight/graph.c.
 *
 * The input holds two contracts separated by a line "----" (without one,
 * the whole input is both). Each that reads (JSON, or YAML when it starts
 * with neither '{' nor '[') is compared with itself, which must give no
 * changes at all, and with the other both ways, whose writers must work;
 * then both go into a graph, drawn in every format, with the blast radius
 * of every service. A self-comparison with changes aborts, so libFuzzer
 * keeps the input.
 */
#include "contracts/contracts.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct contract *read_one(const char *p, size_t n)
{
	struct err e;
	size_t i = 0;
	err_clear(&e);
	while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\t'))
		i++;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return contract_read("fuzz.json", p, n, &e);
	return contract_read("fuzz.yaml", p, n, &e);
}

static void compare(const struct contract *a, const struct contract *b,
		    int self)
{
	struct diff d;
	struct err e;
	struct buf out;
	err_clear(&e);
	if (diff_contracts(a, b, &d, &e)) {
		diff_release(&d);
		return;
	}
	if (self && (d.n || d.breaking || d.compatible)) {
		fprintf(stderr,
			"fuzz_insight: a contract differs from itself\n");
		abort();
	}
	buf_init(&out, 0);
	if (diff_write(&d, DIFF_TEXT, &out, &e) ||
	    diff_write(&d, DIFF_JSON, &out, &e))
		abort();
	buf_release(&out);
	diff_release(&d);
}

static void draw(struct contract *const *c, size_t n)
{
	struct graph g;
	struct buf out;
	struct err e;
	size_t i;
	int f;
	graph_init(&g);
	for (i = 0; i < n; i++)
		if (c[i])
			graph_add_contract(&g, c[i]);
	graph_finish(&g);
	err_clear(&e);
	buf_init(&out, 0);
	for (f = GRAPH_TEXT; f <= GRAPH_JSON; f++)
		if (graph_write(&g, NULL, (enum graph_format)f, &out, &e))
			abort();
	for (i = 0; i < g.nnodes; i++) {
		struct graph_impact imp;
		if (graph_impact(&g, g.nodes[i], &imp, &e))
			abort();
		for (f = GRAPH_TEXT; f <= GRAPH_JSON; f++)
			if (graph_write(&g, &imp, (enum graph_format)f, &out,
					&e))
				abort();
		graph_impact_release(&imp);
	}
	buf_release(&out);
	graph_release(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *sep = NULL;
	struct contract *c[2];
	size_t i, na = size;
	for (i = 0; i + 6 <= size; i++)
		if (!memcmp(p + i, "\n----\n", 6)) {
			sep = p + i;
			break;
		}
	if (sep)
		na = (size_t)(sep - p);
	c[0] = read_one(p, na);
	c[1] = sep ? read_one(sep + 6, size - na - 6) : NULL;
	for (i = 0; i < 2; i++)
		if (c[i])
			compare(c[i], c[i], 1);
	if (c[0] && c[1]) {
		compare(c[0], c[1], 0);
		compare(c[1], c[0], 0);
	}
	draw(c, 2);
	contract_free(c[0]);
	contract_free(c[1]);
	return 0;
}
