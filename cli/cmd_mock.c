/*
 * cmd_mock.c: `accord mock [CONTRACT...] [-- CMD ARGS...]`: the consumer's
 * side of a contract test. Expectations come from the contract files and
 * from POST /__accord/interactions; the server answers from them as
 * `accord stub` does and counts what it received. At the end of the run
 * (CMD exits, SIGINT/SIGTERM, or POST /__accord/contract) every expected
 * interaction must have been received and nothing unexpected have come:
 * then the pact is written, merged with the one already there.
 */
#include "cli/cli.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/stubserver.h"

static const char *const usage[] = {
	"accord mock [--port N] [--host ADDR] [--admin-token T] "
	"[--consumer NAME] "
	"[--provider NAME] [--spec v3|v4] [--out FILE|DIR] [-v|-q] "
	"[CONTRACT...] [-- CMD ARGS...]",
	NULL
};

struct mock_run {
	struct stub_mock *mock;
	char *out; /* the pact's path */
	enum spec_version spec;
	pthread_mutex_t write_lock; /* fcntl locks do not exclude threads */
	struct child child;
	int has_child;
};

/* Prints the verification failures, one line each. */
static void say_failures(const cJSON *report)
{
	const cJSON *it;
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(report, "missing"))
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(
			it, "description");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "method");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
		fprintf(stderr,
			"accord: mock: expected interaction not received: "
			"'%s' (%s %s)\n",
			cJSON_IsString(d) ? d->valuestring : "",
			cJSON_IsString(m) ? m->valuestring : "?",
			cJSON_IsString(p) ? p->valuestring : "?");
	}
	cJSON_ArrayForEach(
		it, cJSON_GetObjectItemCaseSensitive(report, "unexpected"))
	{
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "method");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "target");
		const cJSON *n0 = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(it, "nearest"), 0);
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(
			n0, "description");
		const cJSON *m0 = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(n0, "mismatches"), 0);
		const cJSON *mp = cJSON_GetObjectItemCaseSensitive(m0, "path");
		const cJSON *mm = cJSON_GetObjectItemCaseSensitive(m0,
								   "message");
		fprintf(stderr, "accord: mock: unexpected request: %s %s",
			cJSON_IsString(m) ? m->valuestring : "?",
			cJSON_IsString(t) ? t->valuestring : "?");
		if (cJSON_IsString(d))
			fprintf(stderr, " (nearest '%s'", d->valuestring);
		if (cJSON_IsString(d) && cJSON_IsString(mp) &&
		    cJSON_IsString(mm))
			fprintf(stderr, ": %s: %s", mp->valuestring,
				mm->valuestring);
		if (cJSON_IsString(d))
			fputc(')', stderr);
		fputc('\n', stderr);
	}
}

/*
 * Checks the expectations and writes the pact: 0 when written (or when
 * there was nothing to write), 1 when the expectations were not met (e
 * says so; nothing is written), -1 on error.
 */
static int check_and_write(void *ctx, struct err *e)
{
	struct mock_run *run = ctx;
	struct contract *c;
	cJSON *report;
	int ok, rc;
	report = stub_mock_verify(run->mock, &ok);
	if (!ok) {
		const cJSON *miss = cJSON_GetObjectItemCaseSensitive(report,
								     "missing");
		const cJSON *unexp = cJSON_GetObjectItemCaseSensitive(
			report, "unexpected_count");
		say_failures(report);
		err_set(e, ERR_USAGE,
			"expectations not met: %d expected interaction(s) "
			"not received, %d unexpected request(s); the pact "
			"was not written",
			cJSON_GetArraySize(miss), (int)unexp->valuedouble);
		cJSON_Delete(report);
		return 1;
	}
	cJSON_Delete(report);
	if (!stub_mock_count(run->mock))
		return 0;
	c = stub_mock_contract(run->mock, e);
	if (!c)
		return -1;
	pthread_mutex_lock(&run->write_lock);
	rc = pact_write_merged(run->out, c, run->spec, e);
	pthread_mutex_unlock(&run->write_lock);
	contract_free(c);
	return rc;
}

static void announce(void *ctx, const char *url, const char *admin_url)
{
	struct mock_run *run = ctx;
	(void)admin_url;
	printf("listening on %s\n", url);
	fflush(stdout);
	if (run->has_child)
		child_start(&run->child, url);
}

int cmd_mock(int argc, char **argv)
{
	struct stub_config cfg;
	struct mock_run run;
	struct stub_set *set;
	struct path_list files;
	struct err e;
	struct serve_signals *sig;
	const char *host = NULL, *consumer = NULL, *provider = NULL,
		   *spec = "v4", *out = "pacts/";
	char **cmd;
	int n, i, verbose = 0, quiet = 0, rc, status = EXIT_OK;
	struct contract **cs = NULL;
	size_t ncs = 0, k;
	struct opt opts[] = {
		OPT_INT_('p', "port", &cfg.port, "N",
			 "port (0: any free port)"),
		OPT_STRING_(0, "host", &host, "ADDR",
			    "address to bind (default 127.0.0.1)"),
		OPT_STRING_(0, "admin-token", &cfg.admin_token, "T",
			    "token the admin API requires (or "
			    "ACCORD_ADMIN_TOKEN)"),
		OPT_STRING_(0, "consumer", &consumer, "NAME",
			    "the consumer's name (default: the first file's)"),
		OPT_STRING_(0, "provider", &provider, "NAME",
			    "the provider's name (default: the first file's)"),
		OPT_STRING_(0, "spec", &spec, "v3|v4",
			    "Pact version written (default v4)"),
		OPT_STRING_(0, "out", &out, "FILE|DIR",
			    "the pact file, or a directory (default pacts/)"),
		OPT_INT_(0, "unmatched-status", &cfg.unmatched_status, "N",
			 "status for unexpected requests (default 404)"),
		OPT_FLAG_('v', "verbose", &verbose, "log every request"),
		OPT_FLAG_('q', "quiet", &quiet, "log nothing but errors"),
		OPT_END_(),
	};
	memset(&run, 0, sizeof(run));
	stub_config_init(&cfg);
	argc = split_command(argc, argv, &cmd);
	n = opt_parse(argc, argv, opts, usage);
	if (n < 0)
		return n == -2 ? EXIT_OK : EXIT_ERROR;
	if (spec_option(spec, &run.spec))
		return EXIT_ERROR;
	if (opt_range("--port", cfg.port, 0, OPT_MAX_PORT) ||
	    opt_range("--unmatched-status", cfg.unmatched_status,
		      OPT_MIN_STATUS, OPT_MAX_STATUS))
		return EXIT_ERROR;
	if (host)
		cfg.host = host;
	if (serve_admin_token(&cfg))
		return EXIT_ERROR;
	if (collect_paths(argv, n, &files)) {
		path_list_release(&files);
		return EXIT_ERROR;
	}
	cs = xcalloc(files.n + 1, sizeof(*cs));
	for (k = 0; k < files.n; k++) {
		cs[ncs] = load_contract(files.v[k]);
		if (!cs[ncs]) {
			status = EXIT_ERROR;
			break;
		}
		ncs++;
	}
	path_list_release(&files);
	if (!status && ncs) {
		if (!consumer)
			consumer = cs[0]->consumer;
		if (!provider)
			provider = cs[0]->provider;
	}
	if (!status && (!consumer || !provider)) {
		fprintf(stderr, "accord: error: --consumer and --provider are "
				"required without a contract file\n");
		status = EXIT_ERROR;
	}
	if (!status) {
		run.mock = stub_mock_new(consumer, provider);
		run.out = pact_out_path(out, consumer, provider);
	}
	err_clear(&e);
	for (k = 0; k < ncs && !status; k++) {
		if (stub_mock_add_contract(run.mock, cs[k], &e)) {
			err_setsource(&e, cs[k]->source);
			print_err(&e);
			status = EXIT_ERROR;
		}
	}
	for (k = 0; k < ncs; k++)
		contract_free(cs[k]);
	free(cs);
	set = status ? NULL : stub_mock_set(run.mock, &e);
	if (!set) {
		if (!status)
			print_err(&e);
		stub_mock_free(run.mock);
		free(run.out);
		return EXIT_ERROR;
	}
	pthread_mutex_init(&run.write_lock, NULL);
	run.child.argv = cmd;
	run.child.control = stub_control_new();
	run.has_child = cmd != NULL;
	cfg.verbosity = quiet ? -1 : verbose ? 1 : 0;
	serve_log_to_stderr(&cfg, 0);
	cfg.mock = run.mock;
	cfg.write_contract = check_and_write;
	cfg.write_ctx = &run;
	cfg.on_listen = announce;
	cfg.control = run.child.control;
	cfg.listen_ctx = &run;
	sig = serve_signals_start(cfg.control, &e);
	if (sig) {
		rc = stub_serve(&cfg, set, &e);
	} else {
		stub_set_free(set);
		rc = -1;
	}
	serve_signals_stop(sig);
	if (run.has_child)
		status = child_finish(&run.child);
	if (rc) {
		print_err(&e);
		status = EXIT_ERROR;
	} else {
		err_clear(&e);
		i = check_and_write(&run, &e);
		if (i > 0)
			fprintf(stderr, "accord: mock: %s\n", e.msg);
		else if (i < 0)
			print_err(&e);
		if (i) {
			if (!status)
				status = i > 0 ? EXIT_MISMATCH : EXIT_ERROR;
		} else if (stub_mock_count(run.mock) && !quiet) {
			fprintf(stderr, "accord: mock: wrote %s\n", run.out);
		}
	}
	pthread_mutex_destroy(&run.write_lock);
	stub_control_free(run.child.control);
	stub_mock_free(run.mock);
	free(run.out);
	return status;
}
