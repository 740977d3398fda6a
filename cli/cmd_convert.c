/*
 * cmd_convert.c: `accord convert --to v2|v3|v4|yaml FILE [-o OUT]`.
 * Output is deterministic; with -o it is written atomically.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char *const usage[] = {
	"accord convert [--to v2|v3|v4|yaml] [-o OUT] FILE", NULL
};

int cmd_convert(int argc, char **argv)
{
	const char *to = "v4", *outpath = NULL;
	struct opt opts[] = {
		OPT_STRING_(
			0, "to", &to, "FORMAT",
			"v2, v3, v4 (default), yaml, or 'same' for the file's own version"),
		OPT_STRING_('o', "output", &outpath, "OUT",
			    "write to OUT (atomically) instead of stdout"),
		OPT_END_(),
	};
	struct contract *c;
	struct buf out;
	struct err e;
	int n, r;
	enum spec_version v = SPEC_UNKNOWN;
	n = opt_parse(argc, argv, opts, usage);
	if (n < 0)
		return n == -2 ? EXIT_OK : EXIT_ERROR;
	if (n != 1) {
		opt_usage(opts, usage, 1);
		return EXIT_ERROR;
	}
	if (strcmp(to, "yaml") && strcmp(to, "same")) {
		v = spec_parse(to);
		if (v == SPEC_UNKNOWN || v < SPEC_V2) {
			fprintf(stderr,
				"accord: error: --to must be v2, v3, v4, yaml or same, not '%s'\n",
				to);
			return EXIT_ERROR;
		}
	}
	c = load_contract(argv[0]);
	if (!c)
		return EXIT_ERROR;
	buf_init(&out, 0);
	err_clear(&e);
	if (!strcmp(to, "yaml"))
		r = contract_write_yaml(c, &out, &e);
	else
		r = contract_write_json(c, v, &out, &e);
	if (r) {
		err_setsource(&e, argv[0]);
		print_err(&e);
	} else if (outpath) {
		r = write_file_atomic(outpath, out.ptr, out.len, &e);
		if (r)
			print_err(&e);
	} else {
		if (out.len && out.ptr[out.len - 1] != '\n')
			buf_addch(&out, '\n');
		r = write_stdout(&out);
	}
	buf_release(&out);
	contract_free(c);
	return r ? EXIT_ERROR : EXIT_OK;
}
