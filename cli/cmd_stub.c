/*
 * cmd_stub.c: `accord stub CONTRACT...`: serve contracts as a fake
 * provider. Loads the contracts (and reloads them on SIGHUP through the
 * loader below) and the fault profile (--faults, and rules made from
 * --latency, --error-rate and --drop-rate), then hands over to the stub
 * server until SIGINT/SIGTERM (watched by serving.c).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stubserver/stubserver.h"

static const char *const usage[] = {
	"accord stub [--port N] [--host ADDR] [--state NAME] [--workers N] "
	"[--unmatched-status N] [--admin-token T] [--admin-port N] "
	"[--log-format text|json] [--faults FILE] [--latency A[..B]] "
	"[--error-rate P[:STATUS]] [--drop-rate P[:reset|close]] [--seed N] "
	"[--replay JOURNAL] [-v|-q] CONTRACT...",
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

/* "P" or "P:REST": a probability, and what follows the colon. */
static int rate_arg(const char *opt, const char *s, double *p,
		    const char **rest)
{
	char *end;
	*p = strtod(s, &end);
	if (end == s || !(*p >= 0 && *p <= 1) || (*end && *end != ':')) {
		fprintf(stderr,
			"accord: error: %s: expected a probability from 0 to "
			"1, as in 0.1 or 0.1:503\n",
			opt);
		return -1;
	}
	*rest = *end == ':' ? end + 1 : NULL;
	return 0;
}

/*
 * The rules the shortcut flags stand for, appended to the profile:
 * flag-latency, flag-error and flag-drop.
 */
static int flag_rules(struct fault_profile *p, const char *latency,
		      const char *error_rate, const char *drop_rate)
{
	cJSON *rules = cJSON_CreateArray(), *r;
	const char *rest;
	double prob;
	struct err e;
	int rc;
	if (latency) {
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", "flag-latency");
		cJSON_AddStringToObject(r, "latency", latency);
		cJSON_AddItemToArray(rules, r);
	}
	if (error_rate) {
		long status = 503;
		if (rate_arg("--error-rate", error_rate, &prob, &rest)) {
			cJSON_Delete(rules);
			return -1;
		}
		if (rest &&
		    parse_long(rest, OPT_MIN_STATUS, OPT_MAX_STATUS, &status)) {
			fprintf(stderr,
				"accord: error: --error-rate: '%s' is not a "
				"status from %d to %d\n",
				rest, OPT_MIN_STATUS, OPT_MAX_STATUS);
			cJSON_Delete(rules);
			return -1;
		}
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", "flag-error");
		cJSON_AddNumberToObject(r, "probability", prob);
		cJSON_AddNumberToObject(r, "error", (double)status);
		cJSON_AddItemToArray(rules, r);
	}
	if (drop_rate) {
		if (rate_arg("--drop-rate", drop_rate, &prob, &rest)) {
			cJSON_Delete(rules);
			return -1;
		}
		if (rest && strcmp(rest, "reset") && strcmp(rest, "close")) {
			fprintf(stderr,
				"accord: error: --drop-rate: after the colon, "
				"reset or close\n");
			cJSON_Delete(rules);
			return -1;
		}
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", "flag-drop");
		cJSON_AddNumberToObject(r, "probability", prob);
		cJSON_AddTrueToObject(r, rest ? rest : "reset");
		cJSON_AddItemToArray(rules, r);
	}
	err_clear(&e);
	rc = fault_profile_add(p, rules, &e);
	if (rc) {
		/* the pointer names the generated rule: say which flag */
		fprintf(stderr, "accord: error: %s\n", e.msg);
	}
	cJSON_Delete(rules);
	return rc;
}

/* Reads a file for --replay; prints why it cannot. */
static char *slurp(const char *path, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	if (read_input(path, &b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

/* Where the fault rules come from: the file and the shortcut flags. */
struct fault_src {
	const char *faults, *latency, *error_rate, *drop_rate;
};

/*
 * The profile of --faults plus the flags' rules, or NULL with err set (a
 * bad flag is printed, and err says ERR_USAGE). With neither, an empty
 * profile. Also the SIGHUP reloader of the profile.
 */
static struct fault_profile *build_profile(void *ctx, struct err *e)
{
	const struct fault_src *fs = ctx;
	struct fault_profile *p;
	struct buf b;
	if (fs->faults) {
		buf_init(&b, 0);
		if (read_file(fs->faults, CONTRACT_MAX_FILE, &b, e)) {
			err_setsource(e, fs->faults);
			buf_release(&b);
			return NULL;
		}
		p = fault_profile_read(fs->faults, b.ptr, b.len, e);
		buf_release(&b);
		if (!p)
			return NULL;
	} else {
		p = fault_profile_new();
	}
	if ((fs->latency || fs->error_rate || fs->drop_rate) &&
	    flag_rules(p, fs->latency, fs->error_rate, fs->drop_rate)) {
		fault_profile_free(p);
		err_set(e, ERR_USAGE, "%s", "bad fault flags");
		return NULL;
	}
	return p;
}

/*
 * The profile for the server (NULL when there is no fault at all), with
 * the seed settled: --seed, the profile's, the replay's, else one drawn
 * now and reported so that the run can be repeated. With --faults, SIGHUP
 * reads the profile again.
 */
static int load_faults(struct stub_config *cfg, struct fault_src *fs,
		       const char *seed, const char *replay, int quiet)
{
	struct fault_profile *p = NULL;
	struct err e;
	char *buf;
	size_t len;
	uint64_t s;
	if (seed) {
		long v;
		if (parse_long(seed, 0, (long)FAULT_SEED_MAX, &v)) {
			fprintf(stderr,
				"accord: error: --seed: expected an integer "
				"from 0 to 2^53-1\n");
			return -1;
		}
		cfg->has_seed = 1;
		cfg->seed = (uint64_t)v;
	}
	if (fs->faults || fs->latency || fs->error_rate || fs->drop_rate) {
		err_clear(&e);
		p = build_profile(fs, &e);
		if (!p) {
			if (e.code != ERR_USAGE)
				print_err(&e);
			return -1;
		}
		if (fs->faults) {
			cfg->reload_faults = build_profile;
			cfg->reload_faults_ctx = fs;
		}
	}
	if (replay) {
		buf = slurp(replay, &len);
		if (!buf) {
			fault_profile_free(p);
			return -1;
		}
		err_clear(&e);
		cfg->replay = fault_replay_read(replay, buf, len, &e);
		free(buf);
		if (!cfg->replay) {
			print_err(&e);
			fault_profile_free(p);
			return -1;
		}
		if (p && !quiet)
			fprintf(stderr, "accord: --replay: the decisions come "
					"from the journal; fault rules are "
					"kept for /__accord/faults only\n");
	}
	if (!cfg->has_seed && !fault_profile_seed(p, &s) && !cfg->replay) {
		/* drawn now, and said, so a failing run can be repeated */
		cfg->has_seed = 1;
		cfg->seed = ((uint64_t)time(NULL) * 2654435761u ^
			     (uint64_t)clock()) &
			    FAULT_SEED_MAX;
	}
	if (!quiet && fault_profile_count(p))
		fprintf(stderr, "accord: faults: %zu rule%s, seed %llu\n",
			fault_profile_count(p),
			fault_profile_count(p) == 1 ? "" : "s",
			(unsigned long long)(cfg->has_seed ? cfg->seed : s));
	cfg->faults = p;
	return 0;
}

int cmd_stub(int argc, char **argv)
{
	struct stub_config cfg;
	struct sources src;
	struct stub_set *set;
	struct serve_signals *sig;
	struct err e;
	const char *log_format = "text", *host = NULL, *seed = NULL,
		   *replay = NULL;
	struct fault_src fs = { NULL, NULL, NULL, NULL };
	int rc;
	int verbose = 0, quiet = 0, n, max_body_mb, journal, max_conns, idle_s;
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
			    "token the admin API requires (or "
			    "ACCORD_ADMIN_TOKEN)"),
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
		OPT_STRING_(0, "faults", &fs.faults, "FILE",
			    "fault profile (YAML or JSON, docs/faults.md)"),
		OPT_STRING_(0, "latency", &fs.latency, "A[..B]",
			    "delay every answer: 100ms, or 50ms..300ms"),
		OPT_STRING_(0, "error-rate", &fs.error_rate, "P[:STATUS]",
			    "answer STATUS (503) with probability P"),
		OPT_STRING_(0, "drop-rate", &fs.drop_rate, "P[:HOW]",
			    "reset (or close) connections with probability P"),
		OPT_STRING_(0, "seed", &seed, "N",
			    "seed of every random fault decision"),
		OPT_STRING_(0, "replay", &replay, "JOURNAL",
			    "repeat the fault decisions of a saved journal"),
		OPT_FLAG_('v', "verbose", &verbose, "log every request"),
		OPT_FLAG_('q', "quiet", &quiet, "log nothing but errors"),
		OPT_END_(),
	};
	stub_config_init(&cfg);
	max_body_mb = (int)(cfg.max_body >> 20);
	journal = (int)cfg.journal_size;
	max_conns = (int)cfg.max_connections;
	idle_s = cfg.idle_timeout_ms / 1000;
	n = opt_parse_some(argc, argv, opts, usage, &rc);
	if (n < 0)
		return rc;
	if (host)
		cfg.host = host;
	if (strcmp(log_format, "text") && strcmp(log_format, "json")) {
		fprintf(stderr,
			"accord: error: --log-format is text or json\n");
		return EXIT_ERROR;
	}
	if (opt_range("--port", cfg.port, 0, OPT_MAX_PORT) ||
	    opt_range("--admin-port", cfg.admin_port, -1, OPT_MAX_PORT) ||
	    opt_range("--workers", cfg.workers, 1, OPT_MAX_WORKERS) ||
	    opt_range("--max-body", max_body_mb, 0, OPT_MAX_BODY_MB) ||
	    opt_range("--journal-size", journal, 0, OPT_MAX_JOURNAL) ||
	    opt_range("--max-connections", max_conns, 1, OPT_MAX_CONNECTIONS) ||
	    opt_range("--idle-timeout", idle_s, 1,
		      OPT_MAX_DURATION_MS / 1000) ||
	    opt_range("--unmatched-status", cfg.unmatched_status,
		      OPT_MIN_STATUS, OPT_MAX_STATUS))
		return EXIT_ERROR;
	if (serve_admin_token(&cfg))
		return EXIT_ERROR;
	serve_log_to_stderr(&cfg, !strcmp(log_format, "json"));
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
	if (load_faults(&cfg, &fs, seed, replay, quiet))
		return EXIT_ERROR;
	err_clear(&e);
	set = load_all(&src, &e);
	if (!set) {
		fault_profile_free(cfg.faults);
		return EXIT_ERROR;
	}
	raise_fd_limit();
	cfg.control = stub_control_new();
	sig = serve_signals_start(cfg.control, &e);
	if (sig) {
		rc = stub_serve(&cfg, set, &e) ? EXIT_ERROR : EXIT_OK;
	} else {
		stub_set_free(set);
		fault_replay_free(cfg.replay);
		rc = EXIT_ERROR;
	}
	serve_signals_stop(sig);
	if (rc)
		print_err(&e);
	stub_control_free(cfg.control);
	fault_profile_free(cfg.faults);
	return rc;
}
