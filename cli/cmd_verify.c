/*
 * cmd_verify.c: `accord verify --provider-url URL CONTRACT...`: checks a
 * running provider against contracts (verifier/) and reports: human text
 * on stdout (colours and a progress line only on a terminal), and the
 * JSON, JUnit XML and HTML reports in files. Exit 0 when every
 * interaction that is not pending passed, 1 on failures, 2 on usage,
 * contract or connection errors.
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verifier/verifier.h"

static const char *const usage[] = {
	"accord verify --provider-url URL [--state-url URL] "
	"[--state-teardown] [--message-url URL] [--header 'Name: value']... "
	"[--timeout 10s] [--wait-for-provider 30s] [-j N] "
	"[--filter-description RE] [--filter-state RE] "
	"[--filter-consumer RE] [--junit FILE] [--json FILE] [--html FILE] "
	"[-v|-q] CONTRACT...",
	NULL
};

/*
 * Takes every "--header H" / "--header=H" / "-H H" out of argv (opt_parse
 * keeps one value per option; headers repeat). Returns argc left, or -1
 * when one lacks its value.
 */
static int take_headers(int argc, char **argv, const char ***hs, size_t *n)
{
	int i, o = 1;
	*hs = xcalloc((size_t)argc, sizeof(**hs));
	*n = 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[o++] = argv[i++];
			break;
		}
		if (!strncmp(argv[i], "--header=", 9)) {
			(*hs)[(*n)++] = argv[i] + 9;
		} else if (!strcmp(argv[i], "--header") ||
			   !strcmp(argv[i], "-H")) {
			if (i + 1 >= argc) {
				fprintf(stderr,
					"accord: error: option '%s' "
					"needs a value\n",
					argv[i]);
				return -1;
			}
			(*hs)[(*n)++] = argv[++i];
		} else {
			argv[o++] = argv[i];
		}
	}
	argv[o] = NULL;
	return o;
}

struct progress {
	int on; /* stderr is a terminal */
};

static void on_result(void *ctx, const struct verify_result *r, size_t done,
		      size_t total)
{
	struct progress *p = ctx;
	if (!p->on || total < 2)
		return;
	fprintf(stderr, "\r\033[K[%zu/%zu] %.60s", done, total,
		r->ix->description);
	if (done == total)
		fprintf(stderr, "\r\033[K");
	fflush(stderr);
}

static int write_report(const char *path,
			void (*fn)(const struct verify_run *, struct buf *),
			const struct verify_run *run)
{
	struct buf b;
	struct err e;
	int rc;
	buf_init(&b, 0);
	fn(run, &b);
	err_clear(&e);
	rc = write_file_atomic(path, b.ptr, b.len, &e);
	if (rc)
		print_err(&e);
	buf_release(&b);
	return rc;
}

static int header_ok(const char *h)
{
	const char *colon = strchr(h, ':');
	return colon && colon != h && !strpbrk(h, "\r\n");
}

int cmd_verify(int argc, char **argv)
{
	struct verify_config cfg;
	struct verify_run run;
	struct path_list files;
	struct contract **cs = NULL;
	struct progress prog;
	struct err e;
	const char *timeout = "10s", *wait = NULL, *junit = NULL, *json = NULL,
		   *html = NULL;
	const char **hs = NULL, *header_help = NULL;
	size_t nh = 0, i, n = 0;
	int verbose = 0, quiet = 0, jobs = 1, nargs, rc = EXIT_ERROR, bad;
	long timeout_ms, wait_ms = -1;
	CURLcode crc;
	struct opt opts[] = {
		OPT_STRING_(0, "provider-url", &cfg.provider_url, "URL",
			    "the provider's base URL"),
		OPT_STRING_(
			0, "state-url", &cfg.state_url, "URL",
			"POST provider states here before each interaction"),
		OPT_FLAG_(0, "state-teardown", &cfg.state_teardown,
			  "also POST teardown calls after each interaction"),
		OPT_STRING_(0, "message-url", &cfg.message_url, "URL",
			    "where messages are asked for (default: provider)"),
		OPT_STRING_('H', "header", &header_help, "H",
			    "'Name: value' added to every request (repeat)"),
		OPT_STRING_(0, "timeout", &timeout, "T",
			    "limit per HTTP call (default 10s)"),
		OPT_STRING_(0, "wait-for-provider", &wait, "T",
			    "poll until the provider answers, at most T"),
		OPT_INT_('j', "jobs", &jobs, "N",
			 "interactions verified in parallel (default 1)"),
		OPT_STRING_(0, "filter-description", &cfg.filter_description,
			    "RE",
			    "only interactions whose description matches"),
		OPT_STRING_(0, "filter-state", &cfg.filter_state, "RE",
			    "only interactions with a provider state matching"),
		OPT_STRING_(0, "filter-consumer", &cfg.filter_consumer, "RE",
			    "only contracts whose consumer matches"),
		OPT_STRING_(0, "junit", &junit, "FILE", "write JUnit XML"),
		OPT_STRING_(0, "json", &json, "FILE", "write a JSON report"),
		OPT_STRING_(0, "html", &html, "FILE", "write an HTML report"),
		OPT_FLAG_('v', "verbose", &verbose,
			  "longer diffs and the request of each failure"),
		OPT_FLAG_('q', "quiet", &quiet,
			  "print failures and the summary only"),
		OPT_END_(),
	};
	memset(&cfg, 0, sizeof(cfg));
	argc = take_headers(argc, argv, &hs, &nh);
	if (argc < 0) {
		free(hs);
		return EXIT_ERROR;
	}
	nargs = opt_parse(argc, argv, opts, usage);
	if (nargs < 0) {
		free(hs);
		return nargs == -2 ? EXIT_OK : EXIT_ERROR;
	}
	if (!nargs || !cfg.provider_url) {
		fprintf(stderr, "accord: error: %s\n",
			!nargs ? "no contracts given"
			       : "--provider-url is required");
		opt_usage(opts, usage, 1);
		free(hs);
		return EXIT_ERROR;
	}
	if (jobs < 1 || jobs > OPT_MAX_JOBS) {
		fprintf(stderr,
			"accord: error: -j expects a number from 1 to %d\n",
			OPT_MAX_JOBS);
		free(hs);
		return EXIT_ERROR;
	}
	if (opt_duration("--timeout", timeout, 1, &timeout_ms) ||
	    (wait && opt_duration("--wait-for-provider", wait, 0, &wait_ms))) {
		free(hs);
		return EXIT_ERROR;
	}
	for (i = 0; i < nh; i++)
		if (!header_ok(hs[i])) {
			fprintf(stderr,
				"accord: error: --header '%s' is not "
				"'Name: value'\n",
				hs[i]);
			free(hs);
			return EXIT_ERROR;
		}
	cfg.headers = hs;
	cfg.nheaders = nh;
	cfg.timeout_ms = timeout_ms;
	cfg.jobs = jobs;

	bad = collect_paths(argv, nargs, &files);
	if (!bad && !files.n) {
		fprintf(stderr, "accord: error: no contract files found\n");
		bad = 1;
	}
	cs = xcalloc(files.n ? files.n : 1, sizeof(*cs));
	for (i = 0; i < files.n && !bad; i++) {
		cs[n] = load_contract(files.v[i]);
		if (!cs[n])
			bad = 1;
		else
			n++;
	}
	path_list_release(&files);
	if (bad)
		goto out;

	crc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (crc) {
		fprintf(stderr, "accord: error: libcurl cannot start\n");
		goto out;
	}
	err_clear(&e);
	if (wait && verify_wait_for(cfg.provider_url, wait_ms, &e)) {
		fprintf(stderr, "accord: error: %s\n", e.msg);
		goto cleanup;
	}
	prog.on = !quiet && isatty(STDERR_FILENO);
	cfg.on_result = on_result;
	cfg.ctx = &prog;
	if (verify_run(&cfg, cs, n, &run, &e)) {
		fprintf(stderr, "accord: error: %s\n", e.msg);
		goto cleanup;
	}
	if (!run.n) {
		fprintf(stderr,
			"accord: error: no interactions to verify (check the "
			"filters)\n");
		verify_run_release(&run);
		goto cleanup;
	}
	{
		struct buf b;
		int colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		buf_init(&b, 0);
		report_text(&run, colour, quiet ? -1 : verbose, &b);
		fwrite(b.ptr, 1, b.len, stdout);
		fflush(stdout);
		buf_release(&b);
	}
	if (run.unreachable)
		fprintf(stderr,
			"accord: error: the provider is unreachable: %zu "
			"call%s refused at %s\n",
			run.unreachable,
			run.unreachable == 1 ? " was" : "s were",
			cfg.provider_url);
	rc = run.errors ? EXIT_ERROR : run.failed ? EXIT_MISMATCH : EXIT_OK;
	if ((junit && write_report(junit, report_junit, &run)) ||
	    (json && write_report(json, report_json, &run)) ||
	    (html && write_report(html, report_html, &run)))
		rc = EXIT_ERROR;
	verify_run_release(&run);
cleanup:
	curl_global_cleanup();
out:
	for (i = 0; i < n; i++)
		contract_free(cs[i]);
	free(cs);
	free(hs);
	return rc;
}
