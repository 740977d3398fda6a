/*
 * cmd_diff.c: `accord diff [--format text|json] OLD NEW`: the interactions
 * added, removed and changed between two versions of a contract, each
 * change classified as breaking or compatible for the provider. Exit 0
 * when nothing breaks, 1 when something does, 2 on errors. The comparison
 * lives in contracts/diff.c.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char *const usage[] = { "accord diff [--format text|json] OLD NEW",
				     NULL };

int cmd_diff(int argc, char **argv)
{
	const char *format = "text";
	struct opt opts[] = {
		OPT_STRING_(0, "format", &format, "FORMAT",
			    "text (default) or json"),
		OPT_END_(),
	};
	enum diff_format f;
	struct contract *a, *b;
	struct diff d;
	struct buf out;
	struct err e;
	int n, status;
	n = opt_parse(argc, argv, opts, usage);
	if (n < 0)
		return n == -2 ? EXIT_OK : EXIT_ERROR;
	if (n != 2) {
		opt_usage(opts, usage, 1);
		return EXIT_ERROR;
	}
	if (!strcmp(format, "text")) {
		f = DIFF_TEXT;
	} else if (!strcmp(format, "json")) {
		f = DIFF_JSON;
	} else {
		fprintf(stderr,
			"accord: error: --format must be text or json, not '%s'\n",
			format);
		return EXIT_ERROR;
	}
	a = load_contract(argv[0]);
	if (!a)
		return EXIT_ERROR;
	b = load_contract(argv[1]);
	if (!b) {
		contract_free(a);
		return EXIT_ERROR;
	}
	err_clear(&e);
	if (diff_contracts(a, b, &d, &e)) {
		fprintf(stderr, "accord: error: %s\n", e.msg);
		diff_release(&d);
		contract_free(a);
		contract_free(b);
		return EXIT_ERROR;
	}
	buf_init(&out, 0);
	status = d.breaking ? EXIT_MISMATCH : EXIT_OK;
	if (diff_write(&d, f, &out, &e)) {
		print_err(&e);
		status = EXIT_ERROR;
	} else {
		fwrite(out.ptr, 1, out.len, stdout);
		if (fflush(stdout)) {
			fprintf(stderr, "accord: error: cannot write output\n");
			status = EXIT_ERROR;
		}
	}
	buf_release(&out);
	diff_release(&d);
	contract_free(a);
	contract_free(b);
	return status;
}
