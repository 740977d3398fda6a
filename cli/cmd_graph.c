/*
 * cmd_graph.c: `accord graph [--format text|dot|mermaid|json]
 * [--impact SERVICE] PATH...`: the consumer -> provider graph of every
 * contract under the paths, its cycles, and a service's blast radius.
 * The graph itself is built and written by contracts/insight/graph.c. A file
 * named twice counts once.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stubserver/stubserver.h"

static const char *const usage[] = {
	"accord graph [--format text|dot|mermaid|json] [--impact SERVICE] "
	"[--faults PROFILE] PATH...",
	NULL
};

static int cmp_case(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int r = str_casecmp(x, y);
	return r ? r : strcmp(x, y);
}

/*
 * Names are compared exactly; two that differ only by case are different
 * services, which is most likely a typo, so say so.
 */
static void warn_case_clashes(const struct graph *g)
{
	const char **v;
	size_t i;
	if (g->nnodes < 2)
		return;
	v = xmalloc(g->nnodes * sizeof(*v));
	for (i = 0; i < g->nnodes; i++)
		v[i] = g->nodes[i];
	qsort(v, g->nnodes, sizeof(*v), cmp_case);
	for (i = 1; i < g->nnodes; i++)
		if (!str_casecmp(v[i - 1], v[i]))
			fprintf(stderr,
				"accord: warning: services '%s' and '%s' differ only by case; they are treated as different services\n",
				v[i - 1], v[i]);
	free(v);
}

struct file_id {
	dev_t dev;
	ino_t ino;
	int known; /* stat() worked */
	size_t index;
};

static int cmp_file_id(const void *a, const void *b)
{
	const struct file_id *x = a, *y = b;
	if (x->known != y->known)
		return x->known < y->known ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Marks the files named twice (`accord graph dir dir/a.json`, or through
 * another spelling of the same path, compared by device and inode): each
 * contract counts once. Returns one flag per file, caller frees.
 */
static char *duplicates(const struct path_list *files)
{
	struct file_id *ids = xcalloc(files->n + 1, sizeof(*ids));
	char *dup = xcalloc(files->n + 1, 1);
	size_t i;
	for (i = 0; i < files->n; i++) {
		struct stat st;
		ids[i].index = i;
		if (!stat(files->v[i], &st)) {
			ids[i].known = 1;
			ids[i].dev = st.st_dev;
			ids[i].ino = st.st_ino;
		}
	}
	qsort(ids, files->n, sizeof(*ids), cmp_file_id);
	for (i = 1; i < files->n; i++)
		if (ids[i].known && ids[i - 1].known &&
		    ids[i - 1].dev == ids[i].dev &&
		    ids[i - 1].ino == ids[i].ino)
			dup[ids[i].index] = 1;
	free(ids);
	return dup;
}

/*
 * Lays a fault profile over the graph: each edge gets the rules that can
 * touch one of its HTTP interactions (a stub serves HTTP only).
 */
static int apply_faults(struct graph *g, const char *path)
{
	struct fault_profile *p;
	struct buf b;
	struct err e;
	size_t i, k, r;
	err_clear(&e);
	buf_init(&b, 0);
	if (read_input(path, &b)) {
		buf_release(&b);
		return -1;
	}
	p = fault_profile_read(path, b.ptr, b.len, &e);
	buf_release(&b);
	if (!p) {
		print_err(&e);
		return -1;
	}
	g->faults_applied = 1;
	for (r = 0; r < fault_profile_count(p); r++)
		for (i = 0; i < g->nedges; i++)
			for (k = 0; k < g->edges[i].nix; k++) {
				const struct graph_ix *x = &g->edges[i].ix[k];
				if (x->type == IX_HTTP &&
				    fault_rule_may_match(
					    p, r, x->method, x->path,
					    x->description, x->states,
					    x->nstates)) {
					graph_edge_fault(g, i,
							 fault_rule_name(p, r));
					break;
				}
			}
	fault_profile_free(p);
	return 0;
}

int cmd_graph(int argc, char **argv)
{
	const char *format = "text", *impact = NULL, *faults = NULL;
	struct opt opts[] = {
		OPT_STRING_(0, "format", &format, "FORMAT",
			    "text (default), dot, mermaid or json"),
		OPT_STRING_(0, "impact", &impact, "SERVICE",
			    "the services that depend on SERVICE, by distance"),
		OPT_STRING_(0, "faults", &faults, "PROFILE",
			    "mark the edges a fault profile touches"),
		OPT_END_(),
	};
	enum graph_format f;
	struct path_list files;
	struct graph g;
	struct graph_impact imp;
	struct buf out;
	struct err e;
	int n, status = EXIT_OK, r;
	size_t i;
	char *dup;
	n = opt_parse_some(argc, argv, opts, usage, &status);
	if (n < 0)
		return status;
	if (graph_format_parse(format, &f)) {
		fprintf(stderr,
			"accord: error: --format must be text, dot, mermaid or json, not '%s'\n",
			format);
		return EXIT_ERROR;
	}
	if (collect_paths(argv, n, &files))
		status = EXIT_ERROR;
	if (!files.n) {
		if (status == EXIT_OK)
			fprintf(stderr,
				"accord: error: no contract files found\n");
		path_list_release(&files);
		return EXIT_ERROR;
	}
	graph_init(&g);
	dup = duplicates(&files);
	for (i = 0; i < files.n; i++) {
		struct contract *c;
		if (dup[i])
			continue;
		c = load_contract(files.v[i]);
		if (!c) {
			status = EXIT_ERROR;
			continue;
		}
		graph_add_contract(&g, c);
		contract_free(c);
	}
	free(dup);
	path_list_release(&files);
	/* a graph with a contract missing would mislead: no output */
	if (status != EXIT_OK) {
		graph_release(&g);
		return status;
	}
	graph_finish(&g);
	warn_case_clashes(&g);
	if (faults && apply_faults(&g, faults)) {
		graph_release(&g);
		return EXIT_ERROR;
	}
	err_clear(&e);
	if (impact && graph_impact(&g, impact, &imp, &e)) {
		const char *near = NULL;
		for (i = 0; i < g.nnodes && !near; i++)
			if (!str_casecmp(g.nodes[i], impact))
				near = g.nodes[i];
		if (near)
			fprintf(stderr,
				"accord: error: --impact: %s (names are case-sensitive: did you mean '%s'?)\n",
				e.msg, near);
		else
			fprintf(stderr, "accord: error: --impact: %s\n", e.msg);
		graph_release(&g);
		return EXIT_ERROR;
	}
	buf_init(&out, 0);
	r = graph_write(&g, impact ? &imp : NULL, f, &out, &e);
	if (r) {
		print_err(&e);
		status = EXIT_ERROR;
	} else if (write_stdout(&out)) {
		status = EXIT_ERROR;
	}
	buf_release(&out);
	if (impact)
		graph_impact_release(&imp);
	graph_release(&g);
	return status;
}
