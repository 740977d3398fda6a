/*
 * test_graph.c: unit tests for contracts/insight/graph.c: edges merged per
 * consumer/provider pair, elementary cycles found once each in canonical
 * rotation and sorted, the cap on cycles, blast radius ordered by distance
 * then name with the edges it goes through, and escaping in the writers.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contracts/contracts.h"
#include "tests/unit/check_main.h"

/* A v3 contract consumer -> provider with one HTTP interaction. */
static struct contract *pact(const char *consumer, const char *provider,
			     const char *state)
{
	struct buf b;
	struct err e;
	struct contract *c;
	buf_init(&b, 0);
	buf_addf(
		&b,
		"{\"consumer\":{\"name\":\"%s\"},\"provider\":{\"name\":\"%s\"},"
		"\"interactions\":[{\"description\":\"from %s\","
		"\"providerStates\":[{\"name\":\"%s\"}],"
		"\"request\":{\"method\":\"GET\",\"path\":\"/\"},"
		"\"response\":{\"status\":200}}],"
		"\"metadata\":{\"pactSpecification\":{\"version\":\"3.0.0\"}}}",
		consumer, provider, consumer, state);
	err_clear(&e);
	c = contract_read_json("test.json", b.ptr, b.len, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	buf_release(&b);
	return c;
}

static void add(struct graph *g, const char *consumer, const char *provider)
{
	struct contract *c = pact(consumer, provider, "s");
	graph_add_contract(g, c);
	contract_free(c);
}

/* "a b c" for cycle i */
static void cycle_str(const struct graph *g, size_t i, char *out, size_t n)
{
	size_t k, len = 0;
	out[0] = '\0';
	for (k = 0; k < g->cycles[i].n; k++)
		len += (size_t)snprintf(out + len, n - len, "%s%s",
					k ? " " : "",
					g->nodes[g->cycles[i].v[k]]);
}

static long edge(const struct graph *g, const char *from, const char *to)
{
	size_t i;
	for (i = 0; i < g->nedges; i++)
		if (!strcmp(g->nodes[g->edges[i].from], from) &&
		    !strcmp(g->nodes[g->edges[i].to], to))
			return (long)i;
	return -1;
}

START_TEST(test_cycles_canonical_and_sorted)
{
	struct graph g;
	char s[256];
	graph_init(&g);
	/* added in an order that would give other rotations */
	add(&g, "c", "a");
	add(&g, "b", "c");
	add(&g, "a", "b");
	add(&g, "b", "a");
	add(&g, "d", "d");
	add(&g, "e", "f");
	graph_finish(&g);
	ck_assert_uint_eq(g.nnodes, 6);
	ck_assert_uint_eq(g.ncycles, 3);
	ck_assert_int_eq(g.cycles_truncated, 0);
	cycle_str(&g, 0, s, sizeof(s));
	ck_assert_str_eq(s, "a b");
	cycle_str(&g, 1, s, sizeof(s));
	ck_assert_str_eq(s, "a b c");
	cycle_str(&g, 2, s, sizeof(s));
	ck_assert_str_eq(s, "d");
	ck_assert_int_eq(g.edges[edge(&g, "c", "a")].in_cycle, 1);
	ck_assert_int_eq(g.edges[edge(&g, "d", "d")].in_cycle, 1);
	ck_assert_int_eq(g.edges[edge(&g, "e", "f")].in_cycle, 0);
	graph_release(&g);
}
END_TEST

START_TEST(test_no_cycles_in_a_chain)
{
	struct graph g;
	graph_init(&g);
	add(&g, "web", "api");
	add(&g, "api", "db");
	add(&g, "web", "db");
	graph_finish(&g);
	ck_assert_uint_eq(g.ncycles, 0);
	ck_assert_uint_eq(g.nedges, 3);
	graph_release(&g);
}
END_TEST

START_TEST(test_cycles_capped)
{
	struct graph g;
	char a[16], b[16];
	int i, j;
	graph_init(&g);
	/* a complete graph on 10 services has about a million cycles */
	for (i = 0; i < 10; i++)
		for (j = 0; j < 10; j++) {
			if (i == j)
				continue;
			snprintf(a, sizeof(a), "s%d", i);
			snprintf(b, sizeof(b), "s%d", j);
			add(&g, a, b);
		}
	graph_finish(&g);
	ck_assert_uint_eq(g.ncycles, GRAPH_MAX_CYCLES);
	ck_assert_int_eq(g.cycles_truncated, 1);
	graph_release(&g);
}
END_TEST

START_TEST(test_edges_merge_per_pair)
{
	struct graph g;
	struct contract *c;
	long e;
	graph_init(&g);
	c = pact("web", "api", "b state");
	graph_add_contract(&g, c);
	contract_free(c);
	c = pact("web", "api", "a state");
	graph_add_contract(&g, c);
	contract_free(c);
	c = pact("web", "api", "b state");
	graph_add_contract(&g, c);
	contract_free(c);
	c = pact("Web", "api", "x");
	graph_add_contract(&g, c);
	contract_free(c);
	graph_finish(&g);
	ck_assert_uint_eq(g.ncontracts, 4);
	/* names are exact: "Web" and "web" are two services */
	ck_assert_uint_eq(g.nnodes, 3);
	ck_assert_uint_eq(g.nedges, 2);
	e = edge(&g, "web", "api");
	ck_assert_int_ge(e, 0);
	ck_assert_uint_eq(g.edges[e].counts[IX_HTTP], 3);
	ck_assert_uint_eq(g.edges[e].counts[IX_MESSAGE], 0);
	ck_assert_uint_eq(g.edges[e].nstates, 2);
	ck_assert_str_eq(g.edges[e].states[0], "a state");
	ck_assert_str_eq(g.edges[e].states[1], "b state");
	ck_assert_uint_eq(g.edges[e].nix, 3);
	ck_assert_uint_eq(g.edges[e].nsources, 1); /* all "test.json" */
	graph_release(&g);
}
END_TEST

START_TEST(test_impact_by_distance_then_name)
{
	struct graph g;
	struct graph_impact imp;
	struct err e;
	graph_init(&g);
	add(&g, "x", "y");
	add(&g, "y", "z");
	add(&g, "w", "z");
	add(&g, "v", "y");
	add(&g, "a", "x");
	add(&g, "a", "z"); /* a is at distance 1, not 3 */
	add(&g, "z", "q"); /* q is what z uses: not in z's radius */
	graph_finish(&g);
	err_clear(&e);
	ck_assert_int_eq(graph_impact(&g, "z", &imp, &e), 0);
	ck_assert_uint_eq(imp.n, 5);
	ck_assert_str_eq(g.nodes[imp.v[0].node], "a");
	ck_assert_uint_eq(imp.v[0].distance, 1);
	ck_assert_str_eq(g.nodes[imp.v[1].node], "w");
	ck_assert_uint_eq(imp.v[1].distance, 1);
	ck_assert_str_eq(g.nodes[imp.v[2].node], "y");
	ck_assert_uint_eq(imp.v[2].distance, 1);
	ck_assert_str_eq(g.nodes[imp.v[3].node], "v");
	ck_assert_uint_eq(imp.v[3].distance, 2);
	ck_assert_str_eq(g.nodes[imp.v[4].node], "x");
	ck_assert_uint_eq(imp.v[4].distance, 2);
	/* a depends on z directly: only that edge is its way in */
	ck_assert_uint_eq(imp.v[0].nvia, 1);
	ck_assert_str_eq(g.nodes[g.edges[imp.v[0].via[0]].to], "z");
	/* x through y */
	ck_assert_uint_eq(imp.v[4].nvia, 1);
	ck_assert_str_eq(g.nodes[g.edges[imp.v[4].via[0]].to], "y");
	graph_impact_release(&imp);

	ck_assert_int_eq(graph_impact(&g, "Z", &imp, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	graph_impact_release(&imp);
	graph_release(&g);
}
END_TEST

START_TEST(test_impact_through_a_cycle)
{
	struct graph g;
	struct graph_impact imp;
	struct err e;
	graph_init(&g);
	add(&g, "a", "b");
	add(&g, "b", "a");
	add(&g, "c", "a");
	graph_finish(&g);
	err_clear(&e);
	ck_assert_int_eq(graph_impact(&g, "a", &imp, &e), 0);
	/* b and c; a itself is never its own dependent */
	ck_assert_uint_eq(imp.n, 2);
	ck_assert_str_eq(g.nodes[imp.v[0].node], "b");
	ck_assert_str_eq(g.nodes[imp.v[1].node], "c");
	graph_impact_release(&imp);
	graph_release(&g);
}
END_TEST

START_TEST(test_writers_escape)
{
	struct graph g;
	struct buf out;
	struct err e;
	graph_init(&g);
	/* JSON text a\"b: the name is a"b */
	add(&g, "a\\\"b", "c#|<d>");
	graph_finish(&g);
	err_clear(&e);
	buf_init(&out, 0);
	ck_assert_int_eq(graph_write(&g, NULL, GRAPH_DOT, &out, &e), 0);
	ck_assert_ptr_nonnull(strstr(out.ptr, "\"a\\\"b\" -> \"c#|<d>\""));
	buf_reset(&out);
	ck_assert_int_eq(graph_write(&g, NULL, GRAPH_MERMAID, &out, &e), 0);
	ck_assert_ptr_nonnull(strstr(out.ptr, "s0[\"a#34;b\"]"));
	ck_assert_ptr_nonnull(strstr(out.ptr, "s1[\"c#35;#124;#60;d#62;\"]"));
	buf_reset(&out);
	ck_assert_int_eq(graph_write(&g, NULL, GRAPH_JSON, &out, &e), 0);
	ck_assert_ptr_nonnull(strstr(out.ptr, "\"a\\\"b\""));
	{
		cJSON *doc = cJSON_Parse(out.ptr);
		ck_assert_ptr_nonnull(doc);
		cJSON_Delete(doc);
	}
	buf_release(&out);
	/* the output limit is an error, not a crash */
	buf_init(&out, 16);
	ck_assert_int_eq(graph_write(&g, NULL, GRAPH_TEXT, &out, &e), -1);
	ck_assert_int_eq(e.code, ERR_LIMIT);
	buf_release(&out);
	graph_release(&g);
}
END_TEST

START_TEST(test_empty_graph)
{
	struct graph g;
	struct buf out;
	struct err e;
	graph_init(&g);
	graph_finish(&g);
	err_clear(&e);
	buf_init(&out, 0);
	ck_assert_int_eq(graph_write(&g, NULL, GRAPH_JSON, &out, &e), 0);
	ck_assert_ptr_nonnull(strstr(out.ptr, "\"edges\": []"));
	buf_release(&out);
	graph_release(&g);
}
END_TEST

static Suite *graph_suite(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("graph");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cycles_canonical_and_sorted);
	tcase_add_test(tc, test_no_cycles_in_a_chain);
	tcase_add_test(tc, test_cycles_capped);
	tcase_add_test(tc, test_edges_merge_per_pair);
	tcase_add_test(tc, test_impact_by_distance_then_name);
	tcase_add_test(tc, test_impact_through_a_cycle);
	tcase_add_test(tc, test_writers_escape);
	tcase_add_test(tc, test_empty_graph);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(graph_suite());
}
