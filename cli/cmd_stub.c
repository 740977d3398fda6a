/*
 * cmd_stub.c: `accord stub CONTRACT...`: serve contracts as a fake
 * provider. Loads the contracts (and reloads them on SIGHUP through the
 * loader below), then hands over to the stub server until SIGINT/SIGTERM.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubserver/stubserver.h"

static const char *const usage[] = {
	"accord stub [--port N] [--host ADDR] [--state NAME] [--workers N] "
	"[--unmatched-status N] [--admin-token T] [--admin-port N] "
	"[--log-format text|json] "
	"[-v|-q] CONTRACT...",
	NULL
};

struct sources {
	char **paths;
	int n;
};

/* Loads every contract; NULL (errors printed and in e) if any fails. */
static struct stub_set *load_all(void *ctx, struct err *e)
{
	struct sources *src = ctx;
	struct path_list files;
	struct contract **cs = NULL;
	size_t i, n = 0;
	int bad = collect_paths(src->paths, src->n, &files);
	if (!bad && !files.n) {
		err_set(e, ERR_USAGE, "no contract files found");
		bad = 1;
	}
	cs = xcalloc(files.n ? files.n : 1, sizeof(*cs));
	for (i = 0; i < files.n && !bad; i++) {
		cs[n] = load_contract(files.v[i]);
		if (!cs[n]) {
			err_setsource(e, files.v[i]);
			err_set(e, ERR_SHAPE, "cannot load the contract");
			bad = 1;
		} else {
			n++;
		}
	}
	path_list_release(&files);
	if (bad) {
		for (i = 0; i < n; i++)
			contract_free(cs[i]);
		free(cs);
		if (!e->code)
			err_set(e, ERR_IO, "cannot read the contracts");
		return NULL;
	}
	{
		struct stub_set *s = stub_set_new(cs, n);
		free(cs);
		return s;
	}
}

static void announce(void *ctx, const char *url, const char *admin_url)
{
	(void)ctx;
	printf("listening on %s\n", url);
	if (admin_url)
		printf("admin API on %s/__accord/\n", admin_url);
	fflush(stdout);
}

static int loopback(const char *host)
{
	return !strncmp(host, "127.", 4) || !strcmp(host, "::1") ||
	       !strcmp(host, "localhost");
}

int cmd_stub(int argc, char **argv)
{
	struct stub_config cfg;
	struct sources src;
	struct stub_set *set;
	struct err e;
	const char *log_format = "text", *host = NULL;
	int verbose = 0, quiet = 0, n, max_body_mb = 8, journal = 1000,
	    max_conns = 10000, idle_s = 60;
	struct opt opts[] = {
		OPT_INT_('p', "port", &cfg.port, "N",
			 "port (0: any free port)"),
		OPT_STRING_(0, "host", &host, "ADDR",
			    "address to bind (default 127.0.0.1)"),
		OPT_STRING_(0, "state", &cfg.state, "NAME",
			    "provider state chosen for every request"),
		OPT_INT_(0, "workers", &cfg.workers, "N",
			 "event loops on as many threads (default 1)"),
		OPT_INT_(0, "unmatched-status", &cfg.unmatched_status, "N",
			 "status for unmatched requests (default 404)"),
		OPT_STRING_(0, "admin-token", &cfg.admin_token, "T",
			    "token the admin API requires"),
		OPT_INT_(0, "admin-port", &cfg.admin_port, "N",
			 "serve the admin API on its own port (0: any free)"),
		OPT_FLAG_(0, "generators", &cfg.generators,
			  "apply the contracts' generators to responses"),
		OPT_FLAG_(0, "explain", &cfg.explain,
			  "log why each request chose its interaction"),
		OPT_INT_(0, "max-body", &max_body_mb, "MB",
			 "largest request body (default 8)"),
		OPT_INT_(0, "journal-size", &journal, "N",
			 "requests kept for /__accord/requests (default 1000)"),
		OPT_INT_(0, "max-connections", &max_conns, "N",
			 "open connections at most (default 10000)"),
		OPT_INT_(0, "idle-timeout", &idle_s, "S",
			 "close idle connections after S seconds (default 60)"),
		OPT_STRING_(0, "log-format", &log_format, "FMT",
			    "text (default) or json"),
		OPT_FLAG_('v', "verbose", &verbose, "log every request"),
		OPT_FLAG_('q', "quiet", &quiet, "log nothing but errors"),
		OPT_END_(),
	};
	stub_config_init(&cfg);
	n = opt_parse(argc, argv, opts, usage);
	if (n < 0)
		return n == -2 ? EXIT_OK : EXIT_ERROR;
	if (!n) {
		opt_usage(opts, usage, 1);
		return EXIT_ERROR;
	}
	if (host)
		cfg.host = host;
	if (strcmp(log_format, "text") && strcmp(log_format, "json")) {
		fprintf(stderr,
			"accord: error: --log-format is text or json\n");
		return EXIT_ERROR;
	}
	if (cfg.port < 0 || cfg.port > 65535 || cfg.admin_port < -1 ||
	    cfg.admin_port > 65535 || cfg.workers < 1 || cfg.workers > 256 ||
	    max_body_mb < 0 || max_body_mb > 4096 || journal < 0 ||
	    max_conns < 1 || idle_s < 1 || cfg.unmatched_status < 100 ||
	    cfg.unmatched_status > 599) {
		fprintf(stderr, "accord: error: an option is out of range\n");
		opt_usage(opts, usage, 1);
		return EXIT_ERROR;
	}
	if (!loopback(cfg.host) && !cfg.admin_token) {
		fprintf(stderr,
			"accord: error: --admin-token is required when --host is not a loopback address\n");
		return EXIT_ERROR;
	}
	cfg.log_json = !strcmp(log_format, "json");
	cfg.verbosity = quiet ? -1 : verbose ? 1 : 0;
	cfg.max_body = (size_t)max_body_mb << 20;
	cfg.journal_size = (size_t)journal;
	cfg.max_connections = (size_t)max_conns;
	cfg.idle_timeout_ms = idle_s * 1000;
	src.paths = argv;
	src.n = n;
	cfg.reload = load_all;
	cfg.reload_ctx = &src;
	cfg.on_listen = announce;
	err_clear(&e);
	set = load_all(&src, &e);
	if (!set)
		return EXIT_ERROR;
	if (stub_serve(&cfg, set, &e)) {
		print_err(&e);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
