/*
 * service.h: what the stub server's workers share and how a request is
 * answered: selection and responses for traffic, the admin API under
 * /__accord/, provider states, the journal and the metrics. Private to
 * stubserver/; server.c owns sockets and loops, this owns the answers.
 */
#ifndef ACCORD_STUBSERVER_SERVICE_H
#define ACCORD_STUBSERVER_SERVICE_H

#include "stubserver/internal.h"

struct shared;

/*
 * Takes ownership of set. `wake` is called (from any thread) when the
 * workers must look at svc_stopping().
 */
struct shared *svc_new(const struct stub_config *cfg, struct stub_set *set,
		       void (*wake)(void *), void *wake_ctx);
void svc_free(struct shared *sh);
const struct stub_config *svc_config(struct shared *sh);
void svc_set_url(struct shared *sh, const char *url);

/* Connection accounting: opened returns 0 when over the cap. */
int svc_conn_opened(struct shared *sh);
void svc_conn_closed(struct shared *sh);

/* Which requests a connection's port answers. */
enum svc_route {
	ROUTE_ALL,     /* traffic, and the admin API under /__accord/ */
	ROUTE_TRAFFIC, /* traffic only (the admin API has its own port) */
	ROUTE_ADMIN,   /* the admin API's own port */
};

/*
 * Answers one complete request, appending the response to out, and says
 * in *act which fault (if any) the server must apply to that response;
 * the caller releases act with fault_action_done().
 */
void svc_handle(struct shared *sh, const struct http1_request *req,
		const char *body, size_t len, int keep_alive,
		enum svc_route route, struct buf *out,
		struct fault_action *act);
/* The seed of fault decisions (given, or drawn at start). */
uint64_t svc_fault_seed(struct shared *sh);
/* Logs a request refused before it could be answered (400, 413, ...). */
void svc_log_rejected(struct shared *sh, int status, const char *why);

/*
 * Whether req is POST /__accord/contract on a server that writes
 * contracts (accord mock, accord record) and may be answered here: that
 * call does file I/O and waits for a lock, so the server runs
 * svc_write_contract() off its loop.
 */
int svc_is_contract_call(struct shared *sh, const struct http1_request *req,
			 enum svc_route route);
/* Checks and writes the contract (any thread); appends the answer. */
void svc_write_contract(struct shared *sh, int keep_alive, struct buf *out);

/*
 * accord record. The provider states a forwarded request is recorded
 * under: those its X-Accord-State header names, else those chosen for the
 * server (--state, the admin API), each with its own params, as a Pact
 * "providerStates" array; NULL when there are none. Caller frees.
 */
cJSON *svc_forward_states(struct shared *sh, const struct http1_request *req);
/*
 * Journals and counts a forwarded request once answered: `recorded` is
 * the description of the interaction it was recorded as, NULL when it
 * was not (the upstream failed); session is its X-Accord-Session or NULL.
 */
void svc_forwarded(struct shared *sh, const char *method, const char *target,
		   int status, double seconds, const char *recorded,
		   const char *session);

void svc_stop(struct shared *sh);
int svc_stopping(struct shared *sh);
/*
 * Asks for a reload (any thread): the workers are woken, and the first
 * one to call svc_reload_asked() gets 1, once per request.
 */
void svc_ask_reload(struct shared *sh);
int svc_reload_asked(struct shared *sh);
/*
 * Reloads through cfg->reload_faults and cfg->reload; a failed reload
 * keeps what is in force. Safe on any thread: the set is swapped under
 * its lock.
 */
void svc_reload(struct shared *sh);

#endif
