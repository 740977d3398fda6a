/*
 * cmd_diff.c: `accord diff [--format text|json] OLD NEW`: the interactions
 * added, removed and changed between two versions of a contract, each
 * change classified as breaking or compatible for the provider. Exit 0
 * when nothing breaks, 1 when something does, 2 on errors. The comparison
 * lives in contracts/insight/diff.c.
 */
#include "cli/cli.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* OLD is read on a thread of its own while NEW is read on this one. */
struct load_job {
	const char *path;
	struct contract *c;
	struct err e;
};

/* load_contract() without printing, so that errors come out in order. */
static void *load_job_run(void *arg)
{
	struct load_job *j = arg;
	struct buf b;
	err_clear(&j->e);
	buf_init(&b, 0);
	if (!read_file(j->path, CONTRACT_MAX_FILE, &b, &j->e))
		j->c = contract_read(j->path, b.ptr, b.len, &j->e);
	buf_release(&b);
	return NULL;
}

/*
 * Reading dominates the run time for large contracts (the comparison is
 * a fraction of it), and the reader keeps no shared state: the two files
 * are read in parallel when a thread can be had, one after the other
 * otherwise. Errors are printed OLD first, then NEW.
 */
static void load_both(const char *old_path, const char *new_path,
		      struct contract **a, struct contract **b)
{
	struct load_job jobs[2];
	pthread_t t;
	int r;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].path = old_path;
	jobs[1].path = new_path;
	r = pthread_create(&t, NULL, load_job_run, &jobs[0]);
	if (r) {
		load_job_run(&jobs[0]);
		load_job_run(&jobs[1]);
	} else {
		load_job_run(&jobs[1]);
		pthread_join(t, NULL);
	}
	if (!jobs[0].c)
		print_err(&jobs[0].e);
	if (!jobs[1].c)
		print_err(&jobs[1].e);
	*a = jobs[0].c;
	*b = jobs[1].c;
}

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
	load_both(argv[0], argv[1], &a, &b);
	if (!a || !b) {
		contract_free(a);
		contract_free(b);
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
	} else if (write_stdout(&out)) {
		status = EXIT_ERROR;
	}
	buf_release(&out);
	diff_release(&d);
	contract_free(a);
	contract_free(b);
	return status;
}
