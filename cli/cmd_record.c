/*
 * cmd_record.c: `accord record --upstream URL [-- CMD ARGS...]`: a
 * recording proxy. Every request is forwarded to the upstream (libcurl
 * multi on the server's loop, stubserver/proxy.c), its answer returned to
 * the client unchanged, and the exchange kept as an interaction
 * (stubserver/record.c). At the end of the run (CMD exits, SIGINT/SIGTERM,
 * or POST /__accord/contract) the pact is written, merged with the one
 * already there, and with --record-latency the observed latencies as a
 * fault profile for `accord stub --faults`.
 */
#include "cli/cli.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/stubserver.h"

static const char *const usage[] = {
	"accord record --upstream URL --consumer NAME --provider NAME "
	"[--port N] [--host ADDR] [--admin-token T] [--spec v3|v4] "
	"[--out FILE|DIR] "
	"[--timeout D] [--generalize] [--redact H[,H...]] [--describe T] "
	"[--state NAME] [--record-latency FILE] [-v|-q] [-- CMD ARGS...]",
	NULL
};

struct record_run {
	struct stub_recorder *rec;
	char *out;
	const char *latency_out;
	enum spec_version spec;
	pthread_mutex_t write_lock;
	struct child child;
	int has_child;
	int quiet;
};

/* Writes the pact (and the latency profile): 0, or -1 with e set. */
static int write_all(void *ctx, struct err *e)
{
	struct record_run *run = ctx;
	struct contract *c;
	int rc = 0;
	if (!stub_recorder_count(run->rec))
		return 0;
	c = stub_recorder_contract(run->rec, e);
	if (!c)
		return -1;
	pthread_mutex_lock(&run->write_lock);
	rc = pact_write_merged(run->out, c, run->spec, e);
	if (!rc && run->latency_out) {
		cJSON *p = stub_recorder_latency(run->rec);
		struct buf b;
		buf_init(&b, 0);
		json_write_sorted(p, &b);
		buf_addch(&b, '\n');
		rc = write_file_atomic(run->latency_out, b.ptr, b.len, e);
		buf_release(&b);
		cJSON_Delete(p);
	}
	pthread_mutex_unlock(&run->write_lock);
	contract_free(c);
	return rc;
}

static void announce(void *ctx, const char *url, const char *admin_url)
{
	struct record_run *run = ctx;
	(void)admin_url;
	printf("listening on %s\n", url);
	fflush(stdout);
	if (run->has_child)
		child_start(&run->child, url);
}

/* Splits "A,B" into a NULL-terminated list of copies. */
static char **split_names(const char *s, size_t *n)
{
	char **v;
	const char *p = s;
	size_t cap = 1;
	for (; *p; p++)
		if (*p == ',')
			cap++;
	v = xcalloc(cap + 1, sizeof(*v));
	*n = 0;
	p = s;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len)
			v[(*n)++] = xstrndup(p, len);
		p += len + (c ? 1 : 0);
	}
	return v;
}

int cmd_record(int argc, char **argv)
{
	struct stub_config cfg;
	struct stub_record_opts ro;
	struct record_run run;
	struct err e;
	struct serve_signals *sig;
	const char *host = NULL, *consumer = NULL, *provider = NULL,
		   *spec = "v4", *out = "pacts/", *upstream = NULL,
		   *timeout = NULL, *redact = NULL, *describe = NULL,
		   *latency = NULL, *state = NULL;
	char **cmd, **names = NULL;
	size_t nnames = 0, k;
	int n, verbose = 0, quiet = 0, generalize = 0, rc, status = EXIT_OK;
	int max_body_mb = (int)(STUB_DEFAULT_UPSTREAM_MAX_BODY >> 20);
	struct opt opts[] = {
		OPT_STRING_(0, "upstream", &upstream, "URL",
			    "the provider to forward to (http:// or https://)"),
		OPT_STRING_(0, "consumer", &consumer, "NAME",
			    "the consumer's name"),
		OPT_STRING_(0, "provider", &provider, "NAME",
			    "the provider's name"),
		OPT_INT_('p', "port", &cfg.port, "N",
			 "port (0: any free port)"),
		OPT_STRING_(0, "host", &host, "ADDR",
			    "address to bind (default 127.0.0.1)"),
		OPT_STRING_(0, "admin-token", &cfg.admin_token, "T",
			    "token the admin API requires (or "
			    "ACCORD_ADMIN_TOKEN)"),
		OPT_STRING_(0, "spec", &spec, "v3|v4",
			    "Pact version written (default v4)"),
		OPT_STRING_(0, "out", &out, "FILE|DIR",
			    "the pact file, or a directory (default pacts/)"),
		OPT_STRING_(0, "timeout", &timeout, "D",
			    "upstream answer time limit: 30s (default), 500ms"),
		OPT_FLAG_(0, "generalize", &generalize,
			  "infer matchers: response bodies by type; in "
			  "requests and headers, UUIDs, dates, timestamps"),
		OPT_STRING_(0, "redact", &redact, "H[,H...]",
			    "more headers to redact (Authorization, Cookie, "
			    "Set-Cookie, Proxy-Authorization always are)"),
		OPT_STRING_(0, "describe", &describe, "T",
			    "descriptions: '{method} {path}' (default); also "
			    "{query}, {status}"),
		OPT_STRING_(0, "state", &state, "NAME",
			    "the provider state to record interactions under "
			    "(X-Accord-State and /__accord/state override it)"),
		OPT_STRING_(0, "record-latency", &latency, "FILE",
			    "write observed latencies as a fault profile"),
		OPT_INT_(0, "max-body", &max_body_mb, "MB",
			 "largest request or answer body (default 64)"),
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
	if (n) {
		fprintf(stderr, "accord: error: record takes no contract "
				"(the command goes after --)\n");
		return EXIT_ERROR;
	}
	if (!upstream || (strncmp(upstream, "http://", 7) &&
			  strncmp(upstream, "https://", 8))) {
		fprintf(stderr, "accord: error: --upstream http://HOST:PORT "
				"is required\n");
		return EXIT_ERROR;
	}
	if (!consumer || !provider) {
		fprintf(stderr, "accord: error: --consumer and --provider are "
				"required\n");
		return EXIT_ERROR;
	}
	if (spec_option(spec, &run.spec))
		return EXIT_ERROR;
	if (timeout) {
		long ms;
		if (opt_duration("--timeout", timeout, 1, &ms))
			return EXIT_ERROR;
		cfg.upstream_timeout_ms = (int)ms;
	}
	if (opt_range("--port", cfg.port, 0, OPT_MAX_PORT) ||
	    opt_range("--max-body", max_body_mb, 1, OPT_MAX_BODY_MB))
		return EXIT_ERROR;
	if (host)
		cfg.host = host;
	if (serve_admin_token(&cfg))
		return EXIT_ERROR;
	if (redact)
		names = split_names(redact, &nnames);
	memset(&ro, 0, sizeof(ro));
	ro.consumer = consumer;
	ro.provider = provider;
	ro.generalize = generalize;
	ro.describe = describe;
	ro.redact = (const char *const *)names;
	ro.nredact = nnames;
	run.rec = stub_recorder_new(&ro);
	run.out = pact_out_path(out, consumer, provider);
	run.latency_out = latency;
	run.quiet = quiet;
	run.child.argv = cmd;
	run.child.control = stub_control_new();
	run.has_child = cmd != NULL;
	pthread_mutex_init(&run.write_lock, NULL);
	cfg.upstream = upstream;
	cfg.state = state;
	cfg.recorder = run.rec;
	cfg.max_body = (size_t)max_body_mb << 20;
	cfg.upstream_max_body = (size_t)max_body_mb << 20;
	cfg.workers = 1;
	cfg.verbosity = quiet ? -1 : verbose ? 1 : 0;
	serve_log_to_stderr(&cfg, 0);
	cfg.write_contract = write_all;
	cfg.write_ctx = &run;
	cfg.on_listen = announce;
	cfg.control = run.child.control;
	cfg.listen_ctx = &run;
	err_clear(&e);
	sig = serve_signals_start(cfg.control, &e);
	rc = sig ? stub_serve(&cfg, stub_set_new(NULL, 0), &e) : -1;
	serve_signals_stop(sig);
	if (run.has_child)
		status = child_finish(&run.child);
	if (rc) {
		print_err(&e);
		status = EXIT_ERROR;
	} else if (!stub_recorder_count(run.rec)) {
		if (!quiet)
			fprintf(stderr,
				"accord: record: nothing recorded, nothing "
				"written\n");
	} else {
		err_clear(&e);
		if (write_all(&run, &e)) {
			print_err(&e);
			if (!status)
				status = EXIT_ERROR;
		} else if (!quiet) {
			fprintf(stderr,
				"accord: record: %zu interaction%s written to "
				"%s\n",
				stub_recorder_count(run.rec),
				stub_recorder_count(run.rec) == 1 ? "" : "s",
				run.out);
		}
	}
	pthread_mutex_destroy(&run.write_lock);
	stub_control_free(run.child.control);
	stub_recorder_free(run.rec);
	free(run.out);
	for (k = 0; k < nnames; k++)
		free(names[k]);
	free(names);
	return status;
}
