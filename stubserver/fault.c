/*
 * fault.c: the fault engine: the decisions taken from a profile (read by
 * faultprofile.c), or from a recorded run (faultreplay.c). The server asks
 * fault_decide() once per request and carries out the answer (server.c,
 * with the bytes of faultbytes.c); this file never touches a socket.
 *
 * Choices worth knowing:
 * - Every random number is a hash of (seed, rule, session, interaction,
 *   the rule's count of requests for that session and interaction, draw
 *   number). No clock, no thread and no shared stream is involved, so the
 *   same seed and the same order of requests per session and interaction
 *   give the same decisions with one worker or many.
 * - Every rule that matches and whose trigger fires applies: delays add
 *   up, the lowest bandwidth and the longest slow-head win, and the first
 *   such rule (in profile order) with an outcome (error, reset, close,
 *   truncate, garbage, malformed-chunk, hang) decides the outcome.
 * - Counters (sequence positions, `times`, session clocks) live in one
 *   hash table under the engine's mutex, keyed by rule name, session and
 *   interaction, and bounded: past FAULT_MAX_COUNTERS keys they start
 *   afresh. While rules are installed every request also gets an
 *   ordinal (its number among the requests of its session and
 *   interaction), which the journal records and a replay looks up; with
 *   no rules and no replay, fault_decide() returns at once.
 * - The profile in use is immutable: a change at run time builds a new
 *   one and swaps it under a write lock, so a request sees one profile.
 */
#include "stubserver/fault.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Counters (rule x session x interaction) kept: sessions are named by
 * clients, and a client minting new ones must not grow memory for ever. */
#define FAULT_MAX_COUNTERS (1u << 20)
/* The counters' hash table starts this big (a power of two) and doubles. */
#define COUNTERS_INITIAL 256
/* Series of accord_faults_total: rule names come from PUT/POST /faults. */
#define FAULT_MAX_METRICS 4096
/* Bytes of X-Accord-Session that tell sessions apart (the rest is cut). */
#define SESSION_MAX 200
#define TWO_PI 6.283185307179586

/* ---- matching ---- */

/* A rule's regex searches s[0..len); past a PCRE2 limit it does not
 * match. */
static int re_search(const struct regex *re, const char *s, size_t len)
{
	return regex_match(re, s, len, 0) > 0;
}

static int method_is(const struct fault_rule *r, const char *m, size_t len)
{
	size_t i;
	for (i = 0; i < r->nmethods; i++)
		if (strlen(r->methods[i]) == len &&
		    !str_ncasecmp(r->methods[i], m, len))
			return 1;
	return 0;
}

/*
 * Whether rule r applies to q. Without q->req (no request, as for graph
 * --faults) header matches are taken to hold: a client may send any.
 */
static int rule_matches(const struct fault_rule *r,
			const struct fault_request *q)
{
	size_t i;
	if (r->nmethods && !method_is(r, q->method, strlen(q->method)))
		return 0;
	if (r->state) {
		for (i = 0; i < q->nstates; i++)
			if (q->states[i] && !strcmp(q->states[i], r->state))
				break;
		if (i == q->nstates)
			return 0;
	}
	if (r->desc_re &&
	    (!q->description ||
	     !re_search(r->desc_re, q->description, strlen(q->description))))
		return 0;
	if (r->path_re && !re_search(r->path_re, q->path, strlen(q->path)))
		return 0;
	for (i = 0; q->req && i < r->nheaders; i++) {
		const struct http1_header *h = http1_header(q->req,
							    r->headers[i].name);
		if (!h || !re_search(r->headers[i].re, h->value, h->value_len))
			return 0;
	}
	return 1;
}

int fault_rule_may_match(const struct fault_profile *p, size_t i,
			 const char *method, const char *path,
			 const char *description, char *const *states,
			 size_t nstates)
{
	struct fault_request q;
	if (!p || i >= p->n)
		return 0;
	memset(&q, 0, sizeof(q));
	q.method = method ? method : "GET";
	q.path = path ? path : "/";
	q.description = description ? description : "";
	q.states = (const char *const *)states;
	q.nstates = nstates;
	return rule_matches(&p->rules[i], &q);
}

/* ---- randomness ---- */

struct draw {
	uint64_t base; /* seed, rule, session, interaction, count mixed */
};

static void draw_init(struct draw *d, uint64_t seed, const char *rule,
		      const char *session, long ix, uint64_t n)
{
	uint64_t h = hash_splitmix64(seed ^ hash_fnv1a(HASH_FNV_OFFSET, rule));
	h = hash_splitmix64(h ^ hash_fnv1a(HASH_FNV_OFFSET, session));
	h = hash_splitmix64(h ^ (uint64_t)ix);
	d->base = hash_splitmix64(h ^ n);
}

/* Draw number k, uniform in [0, 1). */
static double uniform01(const struct draw *d, unsigned k)
{
	return (double)(hash_splitmix64(d->base ^ hash_splitmix64(k)) >> 11) *
	       0x1.0p-53;
}

static double gauss(const struct draw *d, unsigned k)
{
	double u1 = uniform01(d, k), u2 = uniform01(d, k + 1);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2 * log(u1)) * cos(TWO_PI * u2);
}

static double interp(double u, double u0, double v0, double u1, double v1)
{
	return v0 + (v1 - v0) * (u - u0) / (u1 - u0);
}

static double sample_latency(const struct latency *l, const struct draw *d)
{
	double u = uniform01(d, 1), v = 0;
	switch (l->kind) {
	case LAT_NONE:
		return 0;
	case LAT_FIXED:
		v = l->a;
		break;
	case LAT_UNIFORM:
		v = l->a + u * (l->b - l->a);
		break;
	case LAT_NORMAL:
		v = l->a + l->b * gauss(d, 2);
		break;
	case LAT_LOGNORMAL:
		v = l->a * exp(l->b * gauss(d, 2));
		break;
	case LAT_PERCENTILES:
		/* piecewise linear through (0, 0), (.5, p50), (.95, p95),
		 * (.99, p99) and (1, p99 + (p99 - p95)) */
		if (u < 0.5)
			v = interp(u, 0, 0, 0.5, l->a);
		else if (u < 0.95)
			v = interp(u, 0.5, l->a, 0.95, l->b);
		else if (u < 0.99)
			v = interp(u, 0.95, l->b, 0.99, l->c);
		else
			v = interp(u, 0.99, l->c, 1, l->c + (l->c - l->b));
		break;
	}
	if (!(v >= 0))
		v = 0;
	return v > FAULT_MAX_MS ? FAULT_MAX_MS : v;
}

/* ---- the engine: counters ---- */

struct counter {
	char *key;
	uint64_t hash;
	uint64_t n;
	double t; /* session clocks: when first seen */
	struct counter *next;
};

struct metric {
	char *rule;
	enum fault_outcome outcome; /* FAULT_NONE: a latency-only count */
	const char *effect;
	unsigned long long n;
	struct metric *next;
};

struct fault_engine {
	pthread_rwlock_t lock; /* the profile pointer */
	struct fault_profile *profile;
	atomic_int active; /* rules, a replay or ordinals: lock needed */
	uint64_t seed;
	struct fault_replay *replay;
	pthread_mutex_t mu; /* everything below */
	double epoch;	    /* when the profile was installed (seconds) */
	struct counter **table;
	size_t tsize, count;
	int overflowed;
	struct metric *metrics;
	size_t nmetrics;
	stub_log_fn log;
	void *log_ctx;
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void counters_clear(struct fault_engine *g)
{
	size_t i;
	struct counter *c, *next;
	for (i = 0; i < g->tsize; i++)
		for (c = g->table[i]; c; c = next) {
			next = c->next;
			free(c->key);
			free(c);
		}
	memset(g->table, 0, g->tsize * sizeof(*g->table));
	g->count = 0;
}

/* The counter for key[0..len), created at zero; under g->mu. */
static struct counter *counter(struct fault_engine *g, const char *key,
			       size_t len, double now)
{
	uint64_t h = hash_fnv1a_mem(HASH_FNV_OFFSET, key, len);
	struct counter *c;
	size_t b = h & (g->tsize - 1);
	for (c = g->table[b]; c; c = c->next)
		if (c->hash == h && !memcmp(c->key, key, len) && !c->key[len])
			return c;
	if (g->count >= FAULT_MAX_COUNTERS) {
		if (!g->overflowed)
			stub_log(g->log, g->log_ctx, LOG_WARN, "faults", NULL,
				 "warning: faults: more than %u counters "
				 "(sessions x rules x interactions): starting "
				 "afresh",
				 FAULT_MAX_COUNTERS);
		g->overflowed = 1;
		counters_clear(g);
		b = h & (g->tsize - 1);
	}
	if ((g->count + 1) * 2 > g->tsize && g->tsize < FAULT_MAX_COUNTERS) {
		size_t ns = g->tsize * 2, i;
		struct counter **t = xcalloc(ns, sizeof(*t)), *next;
		for (i = 0; i < g->tsize; i++)
			for (c = g->table[i]; c; c = next) {
				next = c->next;
				c->next = t[c->hash & (ns - 1)];
				t[c->hash & (ns - 1)] = c;
			}
		free(g->table);
		g->table = t;
		g->tsize = ns;
		b = h & (ns - 1);
	}
	c = xcalloc(1, sizeof(*c));
	c->key = xstrndup(key, len);
	c->hash = h;
	c->t = now;
	c->next = g->table[b];
	g->table[b] = c;
	g->count++;
	return c;
}

/*
 * Counts a fault by rule and effect. Rules come and go at run time (PUT
 * with new names, over and over): past FAULT_MAX_METRICS series the new
 * ones are counted under the rule name "(other)".
 */
static void metric_add(struct fault_engine *g, const char *rule,
		       const char *effect)
{
	struct metric *m;
	for (m = g->metrics; m; m = m->next)
		if (!strcmp(m->rule, rule) && !strcmp(m->effect, effect))
			break;
	if (!m && g->nmetrics >= FAULT_MAX_METRICS) {
		rule = "(other)";
		for (m = g->metrics; m; m = m->next)
			if (!strcmp(m->rule, rule) &&
			    !strcmp(m->effect, effect))
				break;
	}
	if (!m) {
		g->nmetrics++;
		m = xcalloc(1, sizeof(*m));
		m->rule = xstrdup(rule);
		m->effect = effect;
		m->next = g->metrics;
		g->metrics = m;
	}
	m->n++;
}

static void set_active(struct fault_engine *g)
{
	atomic_store(&g->active,
		     (g->profile && g->profile->n) || g->replay ? 1 : 0);
}

struct fault_engine *fault_engine_new(struct fault_profile *p,
				      struct fault_replay *replay, int has_seed,
				      uint64_t seed)
{
	struct fault_engine *g = xcalloc(1, sizeof(*g));
	uint64_t ps;
	pthread_rwlock_init(&g->lock, NULL);
	pthread_mutex_init(&g->mu, NULL);
	g->profile = p ? fault_profile_ref(p) : fault_profile_new();
	if (has_seed)
		g->seed = seed;
	else if (fault_profile_seed(g->profile, &ps))
		g->seed = ps;
	else if (replay)
		g->seed = fault_replay_seed(replay);
	else
		g->seed = hash_splitmix64((uint64_t)time(NULL) ^
					  (uint64_t)mono_s()) &
			  FAULT_SEED_MAX;
	g->replay = replay;
	g->tsize = COUNTERS_INITIAL;
	g->table = xcalloc(g->tsize, sizeof(*g->table));
	g->epoch = mono_s();
	set_active(g);
	return g;
}

void fault_engine_set_log(struct fault_engine *g, stub_log_fn fn, void *ctx)
{
	g->log = fn;
	g->log_ctx = ctx;
}

void fault_engine_free(struct fault_engine *g)
{
	struct metric *m, *mn;
	if (!g)
		return;
	counters_clear(g);
	free(g->table);
	for (m = g->metrics; m; m = mn) {
		mn = m->next;
		free(m->rule);
		free(m);
	}
	fault_profile_free(g->profile);
	fault_replay_free(g->replay);
	pthread_rwlock_destroy(&g->lock);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

uint64_t fault_engine_seed(struct fault_engine *g)
{
	uint64_t s;
	pthread_rwlock_rdlock(&g->lock);
	s = g->seed;
	pthread_rwlock_unlock(&g->lock);
	return s;
}

int fault_engine_active(struct fault_engine *g)
{
	return g && atomic_load(&g->active);
}

struct fault_profile *fault_engine_profile(struct fault_engine *g)
{
	struct fault_profile *p;
	pthread_rwlock_rdlock(&g->lock);
	p = fault_profile_ref(g->profile);
	pthread_rwlock_unlock(&g->lock);
	return p;
}

void fault_engine_install(struct fault_engine *g, struct fault_profile *p,
			  int reset)
{
	struct fault_profile *old;
	pthread_rwlock_wrlock(&g->lock);
	old = g->profile;
	g->profile = p;
	if (reset)
		fault_profile_seed(p, &g->seed); /* a new profile's seed */
	pthread_mutex_lock(&g->mu);
	if (reset) {
		counters_clear(g);
		g->epoch = mono_s();
	}
	pthread_mutex_unlock(&g->mu);
	set_active(g);
	pthread_rwlock_unlock(&g->lock);
	fault_profile_free(old);
}

void fault_engine_metrics(struct fault_engine *g, struct buf *b)
{
	struct metric *m;
	buf_addstr(b, "# HELP accord_faults_total Faults applied, by rule and "
		      "effect.\n# TYPE accord_faults_total counter\n");
	pthread_mutex_lock(&g->mu);
	for (m = g->metrics; m; m = m->next) {
		buf_addstr(b, "accord_faults_total{rule=\"");
		stub_prom_label(b, m->rule);
		buf_addf(b, "\",effect=\"%s\"} %llu\n", m->effect, m->n);
	}
	pthread_mutex_unlock(&g->mu);
}

/* ---- decisions ---- */

void fault_action_init(struct fault_action *a)
{
	memset(a, 0, sizeof(*a));
	a->trunc_bytes = -1;
}

static int window_open(const struct fault_rule *r, double since_ms)
{
	double t;
	if (since_ms < r->after_ms)
		return 0;
	t = since_ms - r->after_ms;
	if (r->every_ms > 0)
		t = fmod(t, r->every_ms);
	return r->for_ms <= 0 || t < r->for_ms;
}

static cJSON *log_entry(struct fault_action *a, const char *rule,
			const char *effect)
{
	cJSON *o = cJSON_CreateObject();
	if (!a->log)
		a->log = cJSON_CreateArray();
	cJSON_AddStringToObject(o, "rule", rule);
	cJSON_AddStringToObject(o, "effect", effect);
	cJSON_AddItemToArray(a->log, o);
	return o;
}

static double round3(double x)
{
	return floor(x * 1000 + 0.5) / 1000;
}

/* Applies the effects of rule r, fired on its n-th request. */
static void apply(struct fault_engine *g, const struct fault_rule *r,
		  const struct draw *d, struct fault_action *a)
{
	cJSON *o;
	if (r->latency.kind != LAT_NONE) {
		double ms = round3(sample_latency(&r->latency, d));
		a->delay_ms += ms;
		o = log_entry(a, r->name, "latency");
		cJSON_AddNumberToObject(o, "ms", ms);
		metric_add(g, r->name, "latency");
	}
	if (r->bandwidth > 0) {
		if (!a->bandwidth || r->bandwidth < a->bandwidth)
			a->bandwidth = r->bandwidth;
		o = log_entry(a, r->name, "bandwidth");
		cJSON_AddNumberToObject(o, "bytes_per_s", r->bandwidth);
		metric_add(g, r->name, "bandwidth");
	}
	if (r->slow_head_ms > 0) {
		if (r->slow_head_ms > a->slow_head_ms)
			a->slow_head_ms = r->slow_head_ms;
		o = log_entry(a, r->name, "slow-head");
		cJSON_AddNumberToObject(o, "ms", r->slow_head_ms);
		metric_add(g, r->name, "slow-head");
	}
	if (r->outcome == FAULT_NONE || a->outcome != FAULT_NONE)
		return;
	a->outcome = r->outcome;
	o = log_entry(a, r->name, fault_outcome_name(r->outcome));
	metric_add(g, r->name, fault_outcome_name(r->outcome));
	switch (r->outcome) {
	case FAULT_ERROR:
		/* the action outlives the profile's lock: copies */
		a->status = r->error_status;
		a->error_headers = cJSON_Duplicate(r->error_headers, 1);
		a->error_body = cJSON_Duplicate(r->error_body, 1);
		cJSON_AddNumberToObject(o, "status", r->error_status);
		if (r->error_headers)
			cJSON_AddItemToObject(
				o, "headers",
				cJSON_Duplicate(r->error_headers, 1));
		if (r->error_body)
			cJSON_AddItemToObject(
				o, "body", cJSON_Duplicate(r->error_body, 1));
		break;
	case FAULT_TRUNCATE:
		a->trunc_bytes = r->trunc_bytes;
		a->trunc_fraction = r->trunc_fraction;
		if (r->trunc_bytes >= 0)
			cJSON_AddNumberToObject(o, "bytes",
						(double)r->trunc_bytes);
		else
			cJSON_AddNumberToObject(o, "fraction",
						r->trunc_fraction);
		break;
	case FAULT_GARBAGE:
		a->garbage_bytes = r->garbage_bytes;
		a->garbage_seed = hash_splitmix64(d->base ^ 3);
		cJSON_AddNumberToObject(o, "bytes", (double)r->garbage_bytes);
		{
			char t[24];
			snprintf(t, sizeof(t), "%016llx",
				 (unsigned long long)a->garbage_seed);
			cJSON_AddStringToObject(o, "seed", t);
		}
		break;
	case FAULT_HANG:
		a->hang_ms = r->hang_ms;
		if (r->hang_ms > 0)
			cJSON_AddNumberToObject(o, "ms", r->hang_ms);
		break;
	default:
		break;
	}
}

void fault_decide(struct fault_engine *g, const struct fault_request *q,
		  struct fault_action *a)
{
	const struct fault_profile *p;
	char session[SESSION_MAX + 1], key[FAULT_KEY_MAX];
	unsigned char hit[FAULT_MAX_RULES / 8 + 1];
	size_t i, slen = q->session_len;
	double now;
	struct counter *c;

	fault_action_init(a);
	if (!fault_engine_active(g))
		return;
	if (slen > SESSION_MAX)
		slen = SESSION_MAX;
	if (slen)
		memcpy(session, q->session, slen);
	session[slen] = '\0';
	pthread_rwlock_rdlock(&g->lock);
	p = g->profile;
	/* matching first, outside the mutex */
	memset(hit, 0, sizeof(hit));
	for (i = 0; !g->replay && i < p->n; i++)
		if (rule_matches(&p->rules[i], q))
			hit[i / 8] |= (unsigned char)(1u << (i % 8));
	now = mono_s();
	pthread_mutex_lock(&g->mu);
	c = counter(g, key,
		    fault_key(key, sizeof(key), 'K', session, NULL, q->ix),
		    now);
	a->ordinal = c->n++;
	a->has_ordinal = 1;
	if (g->replay) {
		fault_replay_decide(g->replay, session, q->description,
				    a->ordinal, a);
		pthread_mutex_unlock(&g->mu);
		pthread_rwlock_unlock(&g->lock);
		return;
	}
	for (i = 0; i < p->n; i++) {
		const struct fault_rule *r = &p->rules[i];
		struct draw d;
		uint64_t n;
		double since;
		struct counter *t = NULL;
		if (!(hit[i / 8] & (1u << (i % 8))))
			continue;
		c = counter(g, key,
			    fault_key(key, sizeof(key), 'R', r->name, session,
				      q->ix),
			    now);
		n = c->n++;
		if (r->after_ms > 0 || r->for_ms > 0) {
			/* the clock of a session starts with its first
			 * request, the default session's with the profile */
			since = (now - g->epoch) * 1000;
			if (slen)
				since = (now -
					 counter(g, key,
						 fault_key(key, sizeof(key),
							   'E', session, NULL,
							   0),
						 now)
						 ->t) *
					1000;
			if (!window_open(r, since))
				continue;
		}
		if (r->nseq) {
			size_t k = n < r->nseq ? (size_t)n
				   : r->repeat ? (size_t)(n % r->nseq)
					       : r->nseq - 1;
			if (!r->seq[k])
				continue;
		}
		if (r->times >= 0) {
			t = counter(g, key,
				    fault_key(key, sizeof(key), 'T', r->name,
					      session, 0),
				    now);
			if (t->n >= (uint64_t)r->times)
				continue;
		}
		draw_init(&d, g->seed, r->name, session, q->ix, n);
		if (r->has_probability && !(uniform01(&d, 0) < r->probability))
			continue;
		if (t)
			t->n++;
		apply(g, r, &d, a);
	}
	pthread_mutex_unlock(&g->mu);
	pthread_rwlock_unlock(&g->lock);
}

void fault_action_done(struct fault_action *a)
{
	cJSON_Delete(a->error_headers);
	cJSON_Delete(a->error_body);
	a->error_headers = a->error_body = NULL;
	cJSON_Delete(a->log);
	a->log = NULL;
}
