/*
 * shared.h: what service.c (traffic) and admin.c (the admin API) share:
 * the state every worker of one stub server sees, and the admin API's
 * entry point. Private to those two files; the rest of stubserver/ sees
 * struct shared only through service.h.
 */
#ifndef ACCORD_STUBSERVER_SHARED_H
#define ACCORD_STUBSERVER_SHARED_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "stubserver/service.h"

struct shared {
	const struct stub_config *cfg;
	char url[STUB_URL_MAX];
	void (*wake)(void *);
	void *wake_ctx;
	atomic_int stopping;
	atomic_int reload_asked; /* stub_control_reload(), not yet taken */
	/* accord mock: the expectations changed since the set was built;
	 * the next request rebuilds it (mock_refresh) */
	atomic_int set_stale;
	atomic_size_t conns;
	atomic_ullong seed;
	time_t started;

	pthread_rwlock_t set_lock;
	struct stub_set *set;
	unsigned gen; /* of the set: +1 per reload (under both locks) */
	struct fault_engine *faults;

	pthread_mutex_t lock; /* everything below */
	struct stub_stateset *states;
	struct stub_journal *journal;
	struct stub_metrics *metrics;
};

/*
 * Answers a request under /__accord/ (r is req in the model's terms; body
 * is borrowed), appending the response to out.
 */
void svc_admin(struct shared *sh, const struct http1_request *req,
	       const struct http_request *r, const char *body, size_t len,
	       int keep, struct buf *out);

#endif
