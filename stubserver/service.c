/*
 * service.c: how the stub answers a request. Traffic is matched against
 * the interaction set (select.c) and answered from the contract
 * (respond.c); requests under /__accord/ go to the admin API (admin.c).
 * Each request also gets a fault decision (fault.c), recorded in the
 * journal (journal.c) and counted (metrics.c), which the server
 * (server.c) carries out. The state the workers share (struct shared,
 * shared.h) is made, reloaded and stopped here.
 */
#include "stubserver/shared.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Interactions an unmatched request's 404 names as its nearest misses. */
#define NEAREST_SHOWN 3

static struct stub_set *swap_set_locked(struct shared *sh,
					struct stub_set *set);

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct shared *svc_new(const struct stub_config *cfg, struct stub_set *set,
		       void (*wake)(void *), void *wake_ctx)
{
	struct shared *sh = xcalloc(1, sizeof(*sh));
	sh->cfg = cfg;
	sh->set = set;
	sh->wake = wake;
	sh->wake_ctx = wake_ctx;
	sh->started = time(NULL);
	atomic_init(&sh->seed, (unsigned long long)time(NULL));
	pthread_rwlock_init(&sh->set_lock, NULL);
	pthread_mutex_init(&sh->lock, NULL);
	sh->journal = stub_journal_new(cfg->journal_size);
	sh->faults = fault_engine_new(cfg->faults, cfg->replay, cfg->has_seed,
				      cfg->seed);
	fault_engine_set_log(sh->faults, cfg->log, cfg->log_ctx);
	sh->metrics = stub_metrics_new(stub_set_count(set));
	sh->states = stub_stateset_new(cfg->state);
	return sh;
}

void svc_free(struct shared *sh)
{
	if (!sh)
		return;
	stub_journal_free(sh->journal);
	stub_stateset_free(sh->states);
	stub_metrics_free(sh->metrics);
	stub_set_free(sh->set);
	fault_engine_free(sh->faults);
	pthread_rwlock_destroy(&sh->set_lock);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

const struct stub_config *svc_config(struct shared *sh)
{
	return sh->cfg;
}

void svc_set_url(struct shared *sh, const char *url)
{
	snprintf(sh->url, sizeof(sh->url), "%s", url);
}

uint64_t svc_fault_seed(struct shared *sh)
{
	return fault_engine_seed(sh->faults);
}

int svc_conn_opened(struct shared *sh)
{
	size_t n = atomic_fetch_add(&sh->conns, 1) + 1;
	return n <= sh->cfg->max_connections;
}

void svc_conn_closed(struct shared *sh)
{
	atomic_fetch_sub(&sh->conns, 1);
}

void svc_stop(struct shared *sh)
{
	atomic_store(&sh->stopping, 1);
	sh->wake(sh->wake_ctx);
}

int svc_stopping(struct shared *sh)
{
	return atomic_load(&sh->stopping);
}

void svc_ask_reload(struct shared *sh)
{
	atomic_store(&sh->reload_asked, 1);
	sh->wake(sh->wake_ctx);
}

int svc_reload_asked(struct shared *sh)
{
	return atomic_exchange(&sh->reload_asked, 0);
}

/* Logging: through cfg->log (log.c). */

void svc_log_rejected(struct shared *sh, int status, const char *why)
{
	const struct stub_config *cfg = sh->cfg;
	cJSON *o;
	if (cfg->verbosity < 0 || !cfg->log)
		return;
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "status", status);
	cJSON_AddStringToObject(o, "reason", why);
	stub_log(cfg->log, cfg->log_ctx, LOG_WARN, "rejected", o,
		 "rejected request: %d %s", status, why);
	cJSON_Delete(o);
}

/* A reload, for the fault profile: like PUT /__accord/faults. */
static void reload_faults(struct shared *sh)
{
	struct fault_profile *p;
	struct err e;
	struct buf b;
	err_clear(&e);
	p = sh->cfg->reload_faults(sh->cfg->reload_faults_ctx, &e);
	if (p) {
		if (sh->cfg->verbosity >= 0)
			stub_log(sh->cfg->log, sh->cfg->log_ctx, LOG_INFO,
				 "reload", NULL, "reloaded: %zu fault rules",
				 fault_profile_count(p));
		fault_engine_install(sh->faults, p, 1);
		return;
	}
	buf_init(&b, 0);
	stub_log(sh->cfg->log, sh->cfg->log_ctx, LOG_ERROR, "reload", NULL,
		 "reload failed, still applying the old fault rules: %s",
		 err_format(&e, &b));
	buf_release(&b);
}

void svc_reload(struct shared *sh)
{
	struct err e;
	struct stub_set *set, *old;
	if (sh->cfg->reload_faults)
		reload_faults(sh);
	if (!sh->cfg->reload)
		return;
	err_clear(&e);
	set = sh->cfg->reload(sh->cfg->reload_ctx, &e);
	if (!set) {
		struct buf b;
		buf_init(&b, 0);
		stub_log(sh->cfg->log, sh->cfg->log_ctx, LOG_ERROR, "reload",
			 NULL,
			 "reload failed, still serving the old contracts: %s",
			 err_format(&e, &b));
		buf_release(&b);
		return;
	}
	pthread_rwlock_wrlock(&sh->set_lock);
	old = swap_set_locked(sh, set);
	pthread_rwlock_unlock(&sh->set_lock);
	stub_set_free(old);
	if (sh->cfg->verbosity >= 0)
		stub_log(sh->cfg->log, sh->cfg->log_ctx, LOG_INFO, "reload",
			 NULL, "reloaded: %zu interactions",
			 stub_set_count(set));
}

/* Installs set (the set lock held for writing); returns the old one. */
static struct stub_set *swap_set_locked(struct shared *sh, struct stub_set *set)
{
	struct stub_set *old = sh->set;
	sh->set = set;
	pthread_mutex_lock(&sh->lock);
	stub_journal_keep_descriptions(sh->journal, old, sh->gen);
	sh->gen++;
	stub_metrics_new_set(sh->metrics, stub_set_count(set));
	pthread_mutex_unlock(&sh->lock);
	return old;
}

/* The actual request, in the model's terms. */

static void to_model(const struct http1_request *req, const char *body,
		     size_t len, struct http_request *out)
{
	const char *t = req->target, *q, *end = req->target + req->target_len;
	size_t i;
	memset(out, 0, sizeof(*out));
	out->method = xstrndup(req->method, req->method_len);
	/* absolute-form: drop scheme and authority */
	if (req->target_len > 7 && !str_ncasecmp(t, "http", 4)) {
		const char *p = memchr(t, ':', req->target_len);
		if (p && p + 2 < end && p[1] == '/' && p[2] == '/') {
			p += 3;
			while (p < end && *p != '/' && *p != '?')
				p++;
			t = p;
		}
	}
	q = memchr(t, '?', (size_t)(end - t));
	{
		const char *hash = memchr(t, '#', (size_t)(end - t));
		if (hash)
			end = hash;
		if (q && q > end)
			q = NULL;
	}
	out->path = percent_decode(t, (size_t)((q ? q : end) - t));
	if (!out->path[0]) {
		free(out->path);
		out->path = xstrdup("/");
	}
	out->has_path = 1;
	if (q)
		query_parse(&out->query, q + 1, (size_t)(end - q - 1));
	for (i = 0; i < req->nheaders; i++)
		headers_addn(&out->headers, req->headers[i].name,
			     req->headers[i].name_len, req->headers[i].value,
			     req->headers[i].value_len);
	out->headers.present = 1;
	/* the body is borrowed from the connection's buffer for the length
	 * of the request (struct body never owns its bytes) */
	out->body.present = 1;
	out->body.has_bytes = 1;
	out->body.bytes = body;
	out->body.len = len;
	/* JSON is parsed once here, not once per candidate interaction */
	for (i = 0; i < len && strchr(" \t\r\n", body[i]); i++)
		;
	if (i < len && (body[i] == '{' || body[i] == '['))
		out->body.json = json_parse_text("body", body, len, NULL);
}

/* Journal and metrics. */

/*
 * The next journal entry, filled with what every request has, or NULL
 * when the journal is off; and the latency histogram. Under sh->lock.
 */
static struct stub_journal_entry *journal_next(struct shared *sh,
					       const char *method,
					       const char *target, int status,
					       double seconds)
{
	stub_metrics_observe(sh->metrics, seconds);
	return stub_journal_next(sh->journal, method, target, status, seconds,
				 sh->gen);
}

/* `desc` is the matched interaction's description, NULL when unmatched. */
static void record(struct shared *sh, const struct http_request *req,
		   const char *target, int status, int own, const char *desc,
		   size_t index, double seconds, const struct http1_header *ses,
		   struct fault_action *act)
{
	struct stub_journal_entry *j;
	pthread_mutex_lock(&sh->lock);
	j = journal_next(sh, req->method, target, status, seconds);
	if (j) {
		j->matched = desc != NULL;
		j->index = index;
		if (ses)
			buf_add(&j->session, ses->value, ses->value_len);
		j->has_ordinal = act->has_ordinal;
		j->ordinal = act->ordinal;
		j->faults = act->log; /* the journal keeps the log */
		act->log = NULL;
	}
	if (desc)
		stub_metrics_count(sh->metrics, index, status, own);
	else
		stub_metrics_unmatched(sh->metrics);
	pthread_mutex_unlock(&sh->lock);
}

void svc_forwarded(struct shared *sh, const char *method, const char *target,
		   int status, double seconds, const char *recorded,
		   const char *session)
{
	struct stub_journal_entry *j;
	pthread_mutex_lock(&sh->lock);
	j = journal_next(sh, method, target, status, seconds);
	if (j) {
		j->forwarded = 1;
		if (recorded) {
			j->matched = 1;
			j->has_desc = 1;
			buf_reset(&j->interaction);
			buf_addstr(&j->interaction, recorded);
		}
		if (session)
			buf_addstr(&j->session, session);
	}
	stub_metrics_forwarded(sh->metrics, status);
	pthread_mutex_unlock(&sh->lock);
}

static void log_request(struct shared *sh, const struct http_request *req,
			const char *target, int status, const char *desc,
			double seconds, const cJSON *nearest)
{
	const struct stub_config *cfg = sh->cfg;
	cJSON *o;
	struct buf t;
	if (cfg->verbosity < 0 || (desc && cfg->verbosity < 1) || !cfg->log)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "method", req->method);
	cJSON_AddStringToObject(o, "target", target);
	cJSON_AddNumberToObject(o, "status", status);
	if (desc)
		cJSON_AddStringToObject(o, "interaction", desc);
	else if (nearest)
		cJSON_AddItemToObject(
			o, "nearest",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
						nearest, "nearest"),
					1));
	cJSON_AddNumberToObject(o, "ms", stub_ms_shown(seconds * 1000));
	buf_init(&t, 0);
	if (desc) {
		buf_addf(&t, "%d %s %s -> '%s' (%.3f ms)", status, req->method,
			 target, desc, seconds * 1000);
	} else {
		const cJSON *n0 = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(nearest, "nearest"),
			0);
		const cJSON *m0 = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(n0, "mismatches"), 0);
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(
			n0, "description");
		const cJSON *mp = cJSON_GetObjectItemCaseSensitive(m0, "path");
		const cJSON *mm = cJSON_GetObjectItemCaseSensitive(m0,
								   "message");
		buf_addf(&t, "unmatched %s %s -> %d", req->method, target,
			 status);
		if (cJSON_IsString(d))
			buf_addf(&t, "; nearest '%s'", d->valuestring);
		if (cJSON_IsString(mp) && cJSON_IsString(mm))
			buf_addf(&t, ": %s: %s", mp->valuestring,
				 mm->valuestring);
	}
	stub_log(cfg->log, cfg->log_ctx, desc ? LOG_INFO : LOG_WARN,
		 desc ? "request" : "unmatched", o, "%s", t.ptr);
	buf_release(&t);
	cJSON_Delete(o);
}

/* accord record. */

cJSON *svc_forward_states(struct shared *sh, const struct http1_request *req)
{
	const struct http1_header *h = http1_header(req, "X-Accord-State");
	cJSON *a;
	pthread_mutex_lock(&sh->lock);
	a = stub_stateset_forward(sh->states, h ? h->value : NULL,
				  h ? h->value_len : 0);
	pthread_mutex_unlock(&sh->lock);
	return a;
}

/* Traffic. */

/* The fault decision for a selected (or unmatched) request. */
static void decide(struct shared *sh, const struct http1_request *req,
		   const struct http_request *r, const struct stub_pick *pick,
		   int found, const struct stub_states *st,
		   const struct http1_header *ses, struct fault_action *act)
{
	struct fault_request q;
	memset(&q, 0, sizeof(q));
	q.method = r->method;
	q.path = r->path;
	q.description = found ? (pick->description ? pick->description : "")
			      : NULL;
	q.ix = found ? (long)pick->index : -1;
	q.states = st->names;
	q.nstates = st->n;
	q.req = req;
	q.session = ses ? ses->value : NULL;
	q.session_len = ses ? ses->value_len : 0;
	fault_decide(sh->faults, &q, act);
}

/* --explain: why the request chose its interaction (ex: one line each). */
static void log_explain(struct shared *sh, const char *method,
			const char *target, const struct buf *ex)
{
	const struct stub_config *cfg = sh->cfg;
	size_t n = ex->len;
	char *lines;
	cJSON *o;
	if (!cfg->log)
		return;
	if (n && ex->ptr[n - 1] == '\n') /* the record's text has none */
		n--;
	lines = xstrndup(ex->ptr, n);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "method", method);
	cJSON_AddStringToObject(o, "target", target);
	cJSON_AddStringToObject(o, "explain", lines);
	stub_log(cfg->log, cfg->log_ctx, LOG_INFO, "explain", o,
		 "explain %s %s:\n%s", method, target, lines);
	cJSON_Delete(o);
	free(lines);
}

/*
 * accord mock: builds the set from the expectations when they changed
 * since it was built. 0, or -1 with e set when they cannot be served (the
 * old set stays, and the next request tries again).
 */
static int mock_refresh(struct shared *sh, struct err *e)
{
	struct stub_set *set, *old = NULL;
	int rc = 0;
	if (!atomic_load(&sh->set_stale))
		return 0;
	pthread_rwlock_wrlock(&sh->set_lock);
	if (atomic_load(&sh->set_stale)) { /* not done meanwhile */
		set = stub_mock_set(sh->cfg->mock, e);
		if (set) {
			old = swap_set_locked(sh, set);
			atomic_store(&sh->set_stale, 0);
		} else {
			rc = -1;
		}
	}
	pthread_rwlock_unlock(&sh->set_lock);
	stub_set_free(old);
	return rc;
}

static void serve(struct shared *sh, const struct http1_request *req,
		  struct http_request *r, int keep, struct buf *out,
		  struct fault_action *act)
{
	const struct stub_config *cfg = sh->cfg;
	/* the states chosen: names points into hdr_copy (X-Accord-State) or
	 * at copies of the server's states, which copies owns */
	const char *names[STUB_STATES_MAX];
	char *copies[STUB_STATES_MAX], *hdr_copy = NULL, *target;
	size_t ncopies = 0;
	const char *desc;
	const char *cached;
	size_t clen, chead;
	struct stub_states st = { names, 0 };
	struct stub_pick pick;
	struct stub_gen gen;
	struct buf explain, *ex = NULL;
	const struct http1_header *h = http1_header(req, "X-Accord-State");
	const struct http1_header *ses = http1_header(req, "X-Accord-Session");
	int head = !strcmp(r->method, "HEAD"), found, status, own = 0;
	double t0 = now_s(), took;
	cJSON *params = NULL, *nearest = NULL;
	size_t i;
	if (cfg->mock) {
		struct err e;
		err_clear(&e);
		if (mock_refresh(sh, &e)) {
			if (cfg->verbosity >= 0)
				stub_log(cfg->log, cfg->log_ctx, LOG_ERROR,
					 "expectations", NULL,
					 "the expectations cannot be served: "
					 "%s",
					 e.msg);
			stub_respond_error(500, e.msg, head, keep, out);
			return;
		}
	}
	target = xstrndup(req->target, req->target_len);
	pthread_mutex_lock(&sh->lock);
	if (h) {
		stub_stateset_traffic(sh->states, NULL);
		hdr_copy = xstrndup(h->value, h->value_len);
		st.n = stub_states_split(hdr_copy, names, STUB_STATES_MAX);
	} else {
		ncopies = stub_stateset_traffic(sh->states, copies);
		for (i = 0; i < ncopies; i++)
			names[i] = copies[i];
		st.n = ncopies;
	}
	/* only generators read the params: no copy per request otherwise */
	if (cfg->generators)
		params = cJSON_Duplicate(stub_stateset_params(sh->states), 1);
	pthread_mutex_unlock(&sh->lock);
	if (cfg->explain) {
		buf_init(&explain, 0); /* select.c keeps it to EXPLAIN_MAX */
		ex = &explain;
	}
	pthread_rwlock_rdlock(&sh->set_lock);
	found = stub_select(sh->set, r, &st, &pick, ex);
	if (!found && head) {
		/* HEAD is answered by a GET interaction, without its body */
		free(r->method);
		r->method = xstrdup("GET");
		found = stub_select(sh->set, r, &st, &pick, ex);
		free(r->method);
		r->method = xstrdup("HEAD");
	}
	if (fault_engine_active(sh->faults))
		decide(sh, req, r, &pick, found, &st, ses, act);
	if (act->outcome == FAULT_ERROR) {
		status = act->status;
		fault_error_response(act, head, keep, out);
	} else if (found) {
		struct err e;
		status = pick.status;
		cached = !cfg->generators && keep
				 ? stub_set_response(sh->set, pick.index, &clen,
						     &chead)
				 : NULL;
		own = 1;
		if (!cached) {
			/* (a struct err is 1 KiB to clear: only when needed) */
			memset(&gen, 0, sizeof(gen));
			gen.enabled = cfg->generators;
			gen.state_params = params;
			gen.seed = atomic_fetch_add(&sh->seed, 1);
			gen.base_url = sh->url;
			err_clear(&e);
		}
		if (cached) {
			buf_add(out, cached, head ? chead : clen);
		} else if (stub_respond(pick.ix, &gen, head, keep, out, &e)) {
			status = 500;
			own = 0;
			stub_respond_error(status, e.msg, head, keep, out);
		}
	} else {
		nearest = stub_nearest(sh->set, r, NEAREST_SHOWN);
		status = cfg->unmatched_status;
		stub_respond_json(status, nearest, head, keep, out);
	}
	/* accord mock: under the set's lock, so index and set agree */
	if (cfg->mock && found)
		stub_mock_received(cfg->mock, pick.index);
	else if (cfg->mock)
		stub_mock_unexpected(cfg->mock, r->method, target, nearest);
	/* journaled under the set's lock: the description is read in place,
	 * where a reload could free it once the lock is gone */
	desc = found ? (pick.description ? pick.description : "") : NULL;
	if (ex) {
		if (ex->len && cfg->verbosity >= 0)
			log_explain(sh, r->method, target, ex);
		buf_release(ex);
	}
	took = now_s() - t0;
	record(sh, r, target, status, own, desc, found ? pick.index : 0, took,
	       ses, act);
	if (cfg->verbosity > 0 || (!found && cfg->verbosity >= 0))
		log_request(sh, r, target, status, desc, took, nearest);
	pthread_rwlock_unlock(&sh->set_lock);
	cJSON_Delete(nearest);
	cJSON_Delete(params);
	for (i = 0; i < ncopies; i++)
		free(copies[i]);
	free(hdr_copy);
	free(target);
}

void svc_handle(struct shared *sh, const struct http1_request *req,
		const char *body, size_t len, int keep_alive,
		enum svc_route route, struct buf *out, struct fault_action *act)
{
	struct http_request r;
	int is_admin;
	fault_action_init(act);
	to_model(req, body, len, &r);
	is_admin = !strncmp(r.path, STUB_ADMIN_PREFIX, STUB_ADMIN_PREFIX_LEN);
	if (route == ROUTE_ADMIN && !is_admin)
		stub_respond_error(404, "this port serves only /__accord/",
				   !strcmp(r.method, "HEAD"), keep_alive, out);
	else if (is_admin && route != ROUTE_TRAFFIC)
		svc_admin(sh, req, &r, body, len, keep_alive, out);
	else
		serve(sh, req, &r, keep_alive, out, act);
	request_release(&r);
}
