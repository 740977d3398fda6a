/*
 * stubserver: the stub server. `accord stub` serves contracts over
 * HTTP/1.1 on libuv: each request is answered by the interaction whose
 * request it matches, with an admin API under /__accord/ on the same port.
 * Contracts are loaded by the caller (cli/), which also supplies a loader
 * for reloads on SIGHUP: the library does no file I/O of its own.
 */
#ifndef ACCORD_STUBSERVER_H
#define ACCORD_STUBSERVER_H

#include <stddef.h>

#include "contracts/contracts.h"

#include <stdint.h>

struct stub_set;
struct fault_profile;
struct fault_replay;

/*
 * Loads the contracts afresh for a reload (SIGHUP). Returns a new set, or
 * NULL with err set; the server then keeps the set it has.
 */
typedef struct stub_set *(*stub_loader_fn)(void *ctx, struct err *e);

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
	size_t max_body;   /* default 8 MiB */
	size_t journal_size;	/* default 1000 requests */
	size_t max_connections; /* default 10000 */
	int idle_timeout_ms;	/* default 60000 */
	int log_json;		/* --log-format json */
	int verbosity;		/* -1 quiet, 0 normal, 1 per-request lines */
	struct fault_profile *faults; /* may be NULL; the server takes a ref */
	struct fault_replay *replay;  /* --replay; the server takes it */
	int has_seed;		      /* --seed given: overrides the profile */
	uint64_t seed;
	stub_loader_fn reload; /* may be NULL */
	void *reload_ctx;
	/* SIGHUP also rebuilds the fault profile through this (may be NULL);
	 * NULL with err set keeps the rules in force */
	struct fault_profile *(*reload_faults)(void *ctx, struct err *e);
	void *reload_faults_ctx;
	/* called once the server listens, with its URL ("http://H:P") and
	 * the admin API's when it has a port of its own (else NULL) */
	void (*on_listen)(void *ctx, const char *url, const char *admin_url);
	void *listen_ctx;
};

/* Fills the defaults. */
void stub_config_init(struct stub_config *cfg);

/*
 * Serves `set` (taking ownership) until SIGINT or SIGTERM, then drains
 * open connections and returns 0; -1 with err set when it cannot listen.
 */
int stub_serve(const struct stub_config *cfg, struct stub_set *set,
	       struct err *e);

/* Builds a set from contracts (taking ownership of the array's items). */
struct stub_set *stub_set_new(struct contract **contracts, size_t n);
void stub_set_free(struct stub_set *s);

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

#endif
