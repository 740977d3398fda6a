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

struct stub_set;

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
	stub_loader_fn reload;	/* may be NULL */
	void *reload_ctx;
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

#endif
