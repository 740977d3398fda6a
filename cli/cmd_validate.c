/*
 * cmd_validate.c: `accord validate CONTRACT...`. Reads every contract,
 * reports located errors, and checks that each interaction's own examples
 * satisfy its own rules (a warning when they do not, since real writers
 * sometimes produce such files; an error when a regex blows its limits).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char *const usage[] = { "accord validate [-q] CONTRACT...", NULL };

/* Matches an interaction's examples against its own rules. */
static int self_check(const struct contract *c, const struct interaction *ix,
		      size_t i, int quiet)
{
	struct mismatches m;
	struct match_opts o = { c->spec, 0, 0 };
	size_t k;
	int limit;
	mismatches_init(&m);
	if (ix->type == IX_HTTP) {
		match_request(&ix->request, &ix->request, &o, &m);
		match_response(&ix->response, &ix->response, &o, &m);
	} else {
		match_message(&ix->message, &ix->message, &o, &m);
		for (k = 0; k < ix->nreplies; k++)
			match_message(&ix->replies[k], &ix->replies[k], &o, &m);
	}
	limit = m.limit_hit;
	/* -q silences warnings, never errors */
	for (k = 0; k < m.n && (!quiet || limit); k++)
		fprintf(stderr, "%s: %s: /interactions/%zu ('%s'): %s: %s\n",
			c->source, limit ? "error" : "warning", i,
			ix->description ? ix->description : "", m.v[k].path,
			m.v[k].message);
	if (m.dropped && (!quiet || limit))
		fprintf(stderr, "%s: ... and %zu more\n", c->source, m.dropped);
	mismatches_release(&m);
	return limit ? -1 : 0;
}

int cmd_validate(int argc, char **argv)
{
	int quiet = 0, n, status = EXIT_OK;
	struct opt opts[] = {
		OPT_FLAG_('q', "quiet", &quiet, "only report errors"),
		OPT_END_(),
	};
	struct path_list files;
	size_t i, k;
	n = opt_parse_some(argc, argv, opts, usage, &status);
	if (n < 0)
		return status;
	if (collect_paths(argv, n, &files))
		status = EXIT_ERROR;
	if (!files.n && status == EXIT_OK) {
		fprintf(stderr, "accord: error: no contract files found\n");
		path_list_release(&files);
		return EXIT_ERROR;
	}
	for (i = 0; i < files.n; i++) {
		struct contract *c = load_contract(files.v[i]);
		int bad = 0;
		if (!c) {
			status = EXIT_ERROR;
			continue;
		}
		for (k = 0; k < c->n; k++)
			if (self_check(c, &c->ix[k], k, quiet))
				bad = 1;
		if (bad)
			status = EXIT_ERROR;
		else if (!quiet)
			printf("%s: ok (Pact %s, %zu interaction%s, %s -> %s)\n",
			       files.v[i], spec_name(c->spec), c->n,
			       c->n == 1 ? "" : "s", c->consumer, c->provider);
		contract_free(c);
	}
	path_list_release(&files);
	return status;
}
