/*
 * stubserver: the stub server. `accord stub` serves contracts over
 * HTTP/1.1 on libuv: each request is answered by the interaction whose
 * request it matches, with an admin API under /__accord/ on the same port.
 * Contracts are loaded by the caller (cli/), which also supplies a loader
 * for reloads: the library does no file I/O of its own. Nor does it touch
 * process signals: the caller ignores SIGPIPE (writes to a client that
 * has gone must not end the process) and turns SIGINT, SIGTERM and SIGHUP
 * into stub_control_stop() and stub_control_reload().
 */
#ifndef ACCORD_STUBSERVER_H
#define ACCORD_STUBSERVER_H

#include <stddef.h>

#include "contracts/contracts.h"

#include <stdint.h>

struct stub_set;
struct fault_profile;
struct fault_replay;
struct stub_mock;
struct stub_recorder;
struct stub_control;

/*
 * What the server has to say (a request served, an unmatched one, a
 * reload, an upstream that failed, ...), as one record: its level, what
 * happened (`event`: "request", "unmatched", "rejected", "reload",
 * "explain", "forwarded", "upstream", "expectations", "faults"), the line
 * as text (without "accord: " and without a newline) and, for the events
 * that carry data, that data as JSON fields (else NULL). Everything is
 * borrowed for the call. The library prints nothing itself.
 */
struct stub_log_record {
	enum log_level level;
	const char *event;
	const char *text;
	const cJSON *fields;
};

/* Writes one record; called from any of the server's threads. */
typedef void (*stub_log_fn)(void *ctx, const struct stub_log_record *r);

/*
 * Loads the contracts afresh for a reload (stub_control_reload). Returns
 * a new set, or NULL with err set; the server then keeps the set it has.
 */
typedef struct stub_set *(*stub_loader_fn)(void *ctx, struct err *e);

/*
 * The defaults stub_config_init() gives, each a limit on what a client or
 * a run can make the server hold.
 */
/* A request body is held whole to be matched: 8 MiB is far past any
 * JSON a contract test sends. */
#define STUB_DEFAULT_MAX_BODY (8u << 20)
/* Requests GET /__accord/requests keeps: enough for a test suite's run,
 * a few hundred KiB of memory. */
#define STUB_DEFAULT_JOURNAL_SIZE 1000
/* Open connections: a buffer and three handles each; past this a client
 * gets 503 rather than the process running out of descriptors. */
#define STUB_DEFAULT_MAX_CONNECTIONS 10000
/* A keep-alive connection with no request is closed after a minute. */
#define STUB_DEFAULT_IDLE_TIMEOUT_MS 60000
/* accord record: an upstream that has not answered in 30 s gets 504. */
#define STUB_DEFAULT_UPSTREAM_TIMEOUT_MS 30000
/* accord record: an upstream answer is held whole to be recorded. */
#define STUB_DEFAULT_UPSTREAM_MAX_BODY (64u << 20)

struct stub_config {
	const char *host;     /* default 127.0.0.1 */
	int port;	      /* 0: any free port */
	int workers;	      /* loops (threads) sharing the port; default 1 */
	int unmatched_status; /* default 404 */
	const char *admin_token; /* required on non-loopback hosts */
	int admin_port;	   /* -1: the admin API shares the port; 0: any free */
	const char *state; /* initial provider state, or NULL */
	int generators;	   /* apply v3/v4 generators to responses */
	int explain;	   /* log why each request chose its interaction */
	size_t max_body;   /* default STUB_DEFAULT_MAX_BODY */
	size_t journal_size;	/* default STUB_DEFAULT_JOURNAL_SIZE */
	size_t max_connections; /* default STUB_DEFAULT_MAX_CONNECTIONS */
	int idle_timeout_ms;	/* default STUB_DEFAULT_IDLE_TIMEOUT_MS */
	int verbosity;		/* -1 quiet, 0 normal, 1 per-request lines */
	stub_log_fn log;	/* where messages go; NULL: nowhere */
	void *log_ctx;
	struct fault_profile *faults; /* may be NULL; the server takes a ref */
	struct fault_replay *replay;  /* --replay; the server takes it */
	int has_seed;		      /* --seed given: overrides the profile */
	uint64_t seed;
	stub_loader_fn reload; /* may be NULL */
	void *reload_ctx;
	/* a reload also rebuilds the fault profile through this (may be
	 * NULL); NULL with err set keeps the rules in force */
	struct fault_profile *(*reload_faults)(void *ctx, struct err *e);
	void *reload_faults_ctx;
	/* called once the server listens, with its URL ("http://H:P") and
	 * the admin API's when it has a port of its own (else NULL) */
	void (*on_listen)(void *ctx, const char *url, const char *admin_url);
	void *listen_ctx;
	/* accord mock: the expectations the set is built from, answered
	 * and counted; POST/DELETE /__accord/interactions, GET
	 * /__accord/verify. NULL for a plain stub (not owned). */
	struct stub_mock *mock;
	/* accord record: forward traffic to `upstream` (libcurl multi on
	 * the worker's loop) and hand each exchange to the recorder (not
	 * owned); the set is then not consulted */
	const char *upstream;
	struct stub_recorder *recorder;
	int upstream_timeout_ms;  /* default STUB_DEFAULT_UPSTREAM_TIMEOUT_MS */
	size_t upstream_max_body; /* default STUB_DEFAULT_UPSTREAM_MAX_BODY */
	/* POST /__accord/contract: check and write the contract (cli/ does
	 * the file I/O). Returns 0 when written, 1 when the expectations
	 * were not met, -1 on error; e says why. */
	int (*write_contract)(void *ctx, struct err *e);
	void *write_ctx;
	/* lets another thread (a signal watcher, the waiter of a child)
	 * stop or reload the server (not owned); may be NULL */
	struct stub_control *control;
};

/* Fills the defaults. */
void stub_config_init(struct stub_config *cfg);

/*
 * How other threads steer a server: give it to the server in
 * cfg->control, free it after stub_serve() has returned. Both calls are
 * safe from any thread (not from a signal handler: a uv_signal watcher or
 * a thread of the caller's calls them).
 *
 * stub_control_stop() drains the server and makes stub_serve() return (the
 * CLI's answer to SIGINT and SIGTERM); before the server listens it stops
 * it as soon as it does; after it has stopped it does nothing.
 *
 * stub_control_reload() reads the contracts (cfg->reload) and the fault
 * profile (cfg->reload_faults) again, off the server's loops, while it
 * goes on serving (the CLI's answer to SIGHUP); a failed reload keeps
 * what is in force. One reload at a time: asked while one runs, or while
 * the server is not listening, it does nothing.
 */
struct stub_control *stub_control_new(void);
void stub_control_stop(struct stub_control *ctl);
void stub_control_reload(struct stub_control *ctl);
void stub_control_free(struct stub_control *ctl);

/*
 * Serves `set` (taking ownership) until stub_control_stop(), then drains
 * open connections and returns 0; -1 with err set when it cannot listen
 * or a worker cannot start ("cannot start worker 3: too many open
 * files"), after the workers already running have stopped.
 */
int stub_serve(const struct stub_config *cfg, struct stub_set *set,
	       struct err *e);

/* Builds a set from contracts (taking ownership of the array's items). */
struct stub_set *stub_set_new(struct contract **contracts, size_t n);
void stub_set_free(struct stub_set *s);

/*
 * Fault seeds are written as JSON numbers (the journal, the profile), and
 * a double holds integers exactly only below 2^53: seeds stay below.
 */
#define FAULT_SEED_MAX ((UINT64_C(1) << 53) - 1)

/*
 * Fault profiles (docs/faults.md): a seed and a list of rules, each with a
 * match, effects and triggers. Read from JSON or YAML (chosen by the
 * name's extension, else by the first character); errors carry a JSON
 * pointer, and line:col for YAML. NULL with err set on failure. A profile
 * is reference-counted: fault_profile_free() drops one reference.
 */
struct fault_profile *fault_profile_read(const char *name, const char *buf,
					 size_t len, struct err *e);
struct fault_profile *fault_profile_new(void);
/* Appends rules (one rule object or an array); -1 with err set. */
int fault_profile_add(struct fault_profile *p, const cJSON *rules,
		      struct err *e);
/* Removes the rule called name; -1 if there is none. */
int fault_profile_remove(struct fault_profile *p, const char *name);
/* A new profile with the same seed and rules; NULL with err set. */
struct fault_profile *fault_profile_copy(const struct fault_profile *src,
					 struct err *e);
void fault_profile_set_seed(struct fault_profile *p, uint64_t seed);
/* 1 with *seed set when the profile names a seed. */
int fault_profile_seed(const struct fault_profile *p, uint64_t *seed);
struct fault_profile *fault_profile_ref(struct fault_profile *p);
void fault_profile_free(struct fault_profile *p);
/* The profile as JSON (rules as given, each with its name). */
cJSON *fault_profile_to_cjson(const struct fault_profile *p);
size_t fault_profile_count(const struct fault_profile *p);
const char *fault_rule_name(const struct fault_profile *p, size_t i);
/*
 * Whether rule i can touch an HTTP interaction with this method, path,
 * description and provider states (header matches are assumed to hold:
 * a client may send any header). For accord graph --faults.
 */
int fault_rule_may_match(const struct fault_profile *p, size_t i,
			 const char *method, const char *path,
			 const char *description, char *const *states,
			 size_t nstates);

/*
 * A journal (what GET /__accord/requests answered) read for --replay: the
 * recorded fault decisions, found again by session, interaction and the
 * request's ordinal. NULL with err set.
 */
struct fault_replay *fault_replay_read(const char *name, const char *buf,
				       size_t len, struct err *e);
size_t fault_replay_count(const struct fault_replay *rp);
void fault_replay_free(struct fault_replay *rp);

/*
 * Mock expectations (mock.c), shared by the server's workers (own lock).
 * Interactions are kept as Pact v4 objects in registration order; the
 * set built from them has expectation i at index i.
 */
struct stub_mock *stub_mock_new(const char *consumer, const char *provider);
void stub_mock_free(struct stub_mock *m);
/*
 * Registers the interactions of a whole pact (any version, JSON or YAML),
 * one Pact interaction object or a list of them (version guessed from
 * their shape: v4 keys, v2 "$."-keyed rules, else v3), or one interaction
 * in YAML. YAML without parties gets the mock's. -1 with err set.
 */
int stub_mock_add(struct stub_mock *m, const char *name, const char *buf,
		  size_t len, struct err *e);
/* Registers the interactions of c (copied). -1 with err set. */
int stub_mock_add_contract(struct stub_mock *m, const struct contract *c,
			   struct err *e);
/* Forgets every expectation, what was received and what was unexpected. */
void stub_mock_clear(struct stub_mock *m);
size_t stub_mock_count(struct stub_mock *m);
/* A new set of the expectations (caller owns), or NULL with err set. */
struct stub_set *stub_mock_set(struct stub_mock *m, struct err *e);
/* Counts a request answered by expectation `index`. */
void stub_mock_received(struct stub_mock *m, size_t index);
/* Keeps (the first 100 of) the requests no expectation matched. */
void stub_mock_unexpected(struct stub_mock *m, const char *method,
			  const char *target, const cJSON *nearest);
/*
 * The verification report {ok, expected, received, missing: [...],
 * unexpected_count, unexpected: [...]}; *ok says whether every expected
 * HTTP interaction was received and nothing unexpected came. Caller frees.
 */
cJSON *stub_mock_verify(struct stub_mock *m, int *ok);
/* The expectations as a v4 pact document. Caller frees. */
cJSON *stub_mock_json(struct stub_mock *m);
/* The expectations as a contract (caller frees), or NULL with err set. */
struct contract *stub_mock_contract(struct stub_mock *m, struct err *e);

/* A header as a name and a value. */
struct stub_field {
	const char *name;
	const char *value;
};

/* One exchange the recording proxy saw (everything borrowed). */
struct stub_exchange {
	const char *method;
	const char *target; /* origin-form: "/a/b?x=1" */
	const struct stub_field *req_headers;
	size_t nreq_headers;
	const char *req_body;
	size_t req_len;
	int status;
	const struct stub_field *resp_headers;
	size_t nresp_headers;
	const char *resp_body;
	size_t resp_len;
	double ms;		 /* from forwarding to the whole answer */
	const char *description; /* X-Accord-Description, or NULL */
	const cJSON *states;	 /* Pact providerStates ([{name, params}]), or
				NULL */
};

/* What the recorder makes of exchanges (record.c). */
struct stub_record_opts {
	const char *consumer;
	const char *provider;
	/* infer matchers: response bodies by type; request bodies, query
	 * and headers for UUIDs, dates and timestamps only */
	int generalize;
	/* "{method} {path}" by default; also {query} and {status} */
	const char *describe;
	const char *const *redact; /* more header names to redact */
	size_t nredact;
};

/*
 * The recorder: exchanges become Pact v4 interactions, thread-safe.
 * Secrets are redacted (Authorization, Cookie, Set-Cookie,
 * Proxy-Authorization and opts->redact: the value becomes "REDACTED" with
 * a regex matcher that asks only for the header to be there), headers of
 * one connection and volatile ones are dropped (Connection, Date, Server,
 * Content-Length, ...), identical interactions are kept once, and an
 * interaction whose description is taken by a different one with the same
 * provider states gets " (2)", " (3)", ... The options are copied.
 */
struct stub_recorder *stub_recorder_new(const struct stub_record_opts *o);
void stub_recorder_free(struct stub_recorder *r);
/*
 * Keeps x as an interaction (or counts it again, when one identical to it
 * is kept already); `description`, when not NULL, receives the
 * description it is kept under.
 */
void stub_recorder_add(struct stub_recorder *r, const struct stub_exchange *x,
		       struct buf *description);
size_t stub_recorder_count(struct stub_recorder *r);
/* What was recorded as a v4 contract (caller frees); NULL with err set. */
struct contract *stub_recorder_contract(struct stub_recorder *r, struct err *e);
/*
 * The observed latency of each interaction as a fault profile (the
 * format of docs/faults.md): one rule per interaction, matched by its
 * description, with a fixed latency (one observation) or percentiles.
 * Caller frees.
 */
cJSON *stub_recorder_latency(struct stub_recorder *r);

#endif
