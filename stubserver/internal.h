/*
 * Private to stubserver/: the pieces of the stub server that are tested on
 * their own: the HTTP/1.1 request parser and framing (http1.c), interaction
 * selection and nearest-miss reports (select.c), response building
 * (respond.c; the generators it applies live in contracts/gen/generate.c),
 * provider states (states.c), the request journal (journal.c), the
 * metrics counters (metrics.c), fault decisions (fault.c, from the
 * profiles of faultprofile.c or the journal of faultreplay.c), the
 * bytes a fault sends (faultbytes.c), and stub_log() (log.c), the one way
 * the library says anything.
 */
#ifndef ACCORD_STUBSERVER_INTERNAL_H
#define ACCORD_STUBSERVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "stubserver/stubserver.h"

/* The admin API's reserved prefix: requests under it never reach the
 * contracts (or the upstream). */
#define STUB_ADMIN_PREFIX "/__accord/"
#define STUB_ADMIN_PREFIX_LEN (sizeof(STUB_ADMIN_PREFIX) - 1)
/* A status is three digits (RFC 9110 15): others from an upstream or a
 * profile are refused, and tables by status have this many rows. */
#define STUB_STATUS_MIN 100
#define STUB_STATUS_MAX 999
/* The lowest status an answer of ours may have: a 1xx is not a final
 * response, and a client sent only "100 Continue" waits for ever. */
#define STUB_FINAL_STATUS_MIN 200
/* "http://[IPv6 address]:port", with room to spare. */
#define STUB_URL_MAX 160

/* log.c: messages. -------------------------------------------------- */

/*
 * Formats a message and hands it to fn (nothing happens when fn is NULL):
 * `fields` (borrowed, may be NULL) is the event's data for JSON lines.
 */
void stub_log(stub_log_fn fn, void *ctx, enum log_level level,
	      const char *event, const cJSON *fields, const char *fmt, ...)
	ATTR_PRINTF(6, 7);

/* http1.c: requests. ------------------------------------------------- */

/* Larger heads get 431: 16 KiB (Node's default) is far past what a test
 * client sends, and bounds what a connection holds before it has a whole
 * request. */
#define HTTP1_MAX_HEAD (16 * 1024)
/* More headers than this get 431: struct http1_request holds them in an
 * array, on the stack. */
#define HTTP1_MAX_HEADERS 100

struct http1_header {
	const char *name;
	size_t name_len;
	const char *value; /* leading and trailing whitespace removed */
	size_t value_len;
};

struct http1_request {
	const char *method;
	size_t method_len;
	const char *target; /* request-target as sent: "/a/b?x=1" */
	size_t target_len;
	int minor_version; /* HTTP/1.x */
	struct http1_header headers[HTTP1_MAX_HEADERS];
	size_t nheaders;
};

enum http1_status {
	HTTP1_INCOMPLETE = -2,
	HTTP1_BAD = -1,	      /* malformed: answer 400 and close */
	HTTP1_TOO_LARGE = -3, /* head over HTTP1_MAX_HEAD: answer 431 */
};

/*
 * Parses a request head from buf[0..len). Stateless and allocation-free:
 * the results point into buf. Returns the number of bytes the head takes
 * (through the blank line) when it is complete, or an enum http1_status.
 * Strict: CRLF line ends only (a bare LF is an error), no obsolete line
 * folding, tokens as RFC 9110 defines them, at most HTTP1_MAX_HEADERS
 * headers. On HTTP1_BAD, *why says what was wrong.
 */
long http1_parse_request(const char *buf, size_t len, struct http1_request *req,
			 const char **why);

/*
 * What a well-formed head must also get right, checked once it is
 * complete: one Host field in HTTP/1.1 (none or two: 400, RFC 9112 3.2),
 * and no two Content-Type fields that differ. Returns -1 with *why set.
 */
int http1_check_fields(const struct http1_request *req, const char **why);

enum http1_framing {
	HTTP1_NO_BODY,
	HTTP1_LENGTH,  /* Content-Length */
	HTTP1_CHUNKED, /* Transfer-Encoding: chunked */
};

/*
 * How the body of a parsed request is framed. Returns -1 with *why set on
 * request smuggling hazards: Content-Length with Transfer-Encoding,
 * duplicate or invalid Content-Length, a Transfer-Encoding other than a
 * final "chunked".
 */
int http1_framing(const struct http1_request *req, enum http1_framing *f,
		  uint64_t *length, const char **why);

/* Case-insensitive header lookup; NULL if absent. */
const struct http1_header *http1_header(const struct http1_request *req,
					const char *name);

/* An incremental chunked-body decoder. Zero-initialise before use. */
struct http1_chunked {
	int state;
	uint64_t remaining;
	size_t line; /* bytes of the current size or trailer line */
};

/*
 * Decodes chunked data from buf[0..len), appending the payload to out, a
 * buffer of either kind (its ceiling bounds the body: past it,
 * HTTP1_TOO_LARGE). Returns the
 * number of bytes consumed; sets *done once the last chunk and the
 * trailers have been read (bytes after that belong to the next request).
 * HTTP1_BAD with *why on bad chunk sizes or framing.
 */
long http1_chunked_decode(struct http1_chunked *st, const char *buf, size_t len,
			  struct buf *out, int *done, const char **why);

/* select.c: which interaction answers a request. ---------------------- */

/*
 * The interactions a stub serves, indexed by method and literal path so
 * the cost of a request does not grow with their number; interactions
 * whose path is matched by a rule sit in a fallback list per method.
 */
struct stub_set;

/* Takes ownership of the contracts (an array of n pointers). */
struct stub_set *stub_set_new(struct contract **contracts, size_t n);
void stub_set_free(struct stub_set *s);
size_t stub_set_count(const struct stub_set *s);
/*
 * The answer of interaction `index` as stub_respond() writes it with
 * keep-alive and no generators, built once with the set; NULL if it could
 * not be. *head_len is where the body starts (for HEAD).
 */
const char *stub_set_response(const struct stub_set *s, size_t index,
			      size_t *len, size_t *head_len);
/* The description of interaction `index` (file order), or NULL. */
const char *stub_set_description(const struct stub_set *s, size_t index);
/* The status the contract gives interaction `index` (200 if none). */
int stub_set_status(const struct stub_set *s, size_t index);

/* The provider states chosen for a request, by name. */
struct stub_states {
	const char *const *names;
	size_t n;
};

struct stub_pick {
	const struct contract *contract;
	const struct interaction *ix;
	size_t index;		 /* position in the set, in file order */
	const char *description; /* ix's, or NULL */
	int status;		 /* ix's response status (200 if none) */
};

/*
 * Selects the interaction that answers `req` (an actual request: body as
 * raw bytes). Among interactions whose request matches: those whose
 * provider states equal the chosen states win, then the most specific
 * (fewest rule-matched fields), then file order. Returns 1 with *pick
 * filled, or 0 when nothing matches. With `explain` (a buffer without a
 * ceiling), appends one line per interaction considered, up to about
 * EXPLAIN_MAX bytes, and why the winner won.
 */
int stub_select(const struct stub_set *s, const struct http_request *req,
		const struct stub_states *states, struct stub_pick *pick,
		struct buf *explain);

/*
 * The "nearest miss" for an unmatched request: a JSON object naming up to
 * `max` closest interactions (same method and path first, then the
 * fewest mismatches) with their mismatches. Caller frees with cJSON_Delete.
 */
cJSON *stub_nearest(const struct stub_set *s, const struct http_request *req,
		    size_t max);

/* respond.c: answers. ------------------------------------------------- */

struct stub_gen {
	int enabled;		   /* --generators */
	const cJSON *state_params; /* merged params of the chosen states */
	uint64_t seed;		   /* for Random* generators */
	const char *base_url;	   /* for MockServerURL */
};

/*
 * Appends the HTTP/1.1 response for interaction ix to out: status line,
 * headers from the contract (values as written; v4 lists repeat the
 * header), Content-Type kept or derived from the body, Content-Length,
 * then the body (v4 encoded bodies decoded) unless head_only. Returns 0,
 * or -1 with err set when a generator cannot run.
 */
int stub_respond(const struct interaction *ix, const struct stub_gen *g,
		 int head_only, int keep_alive, struct buf *out, struct err *e);

/* Appends a complete response with a JSON body (admin API, errors). */
void stub_respond_json(int status, const cJSON *body, int head_only,
		       int keep_alive, struct buf *out);
/* The same, and frees body. */
void stub_respond_json_take(int status, cJSON *body, int head_only,
			    int keep_alive, struct buf *out);
/* An error answer: the body is {"error": msg}. */
void stub_respond_error(int status, const char *msg, int head_only,
			int keep_alive, struct buf *out);
/* An error answer saying e, formatted as the CLI prints errors. */
void stub_respond_err(int status, const struct err *e, int head_only,
		      int keep_alive, struct buf *out);
void stub_respond_text(int status, const char *content_type, const char *body,
		       size_t len, int head_only, int keep_alive,
		       struct buf *out);
const char *stub_reason(int status);

/* states.c: the provider states chosen. ------------------------------ */

#define STUB_STATES_MAX 64 /* states chosen at once; more are not kept */

/*
 * The chosen provider states and their params, changed the way the Pact
 * verifier's state-change calls expect. No lock of its own.
 */
struct stub_stateset;

/* With `initial` (--state) chosen, when not NULL or empty. */
struct stub_stateset *stub_stateset_new(const char *initial);
void stub_stateset_free(struct stub_stateset *ss);
/* {states: [...], params: {...}}, as GET /__accord/state answers. */
cJSON *stub_stateset_json(const struct stub_stateset *ss);
/* The merged params of the chosen states (borrowed). */
const cJSON *stub_stateset_params(const struct stub_stateset *ss);
/*
 * A Pact state-change call {state, action, params} (POST
 * /__accord/state): setups after traffic start a new set, later ones add
 * to it; a teardown clears it. NULL, or what is wrong with the call.
 */
const char *stub_stateset_change(struct stub_stateset *ss, const cJSON *b);
/* PUT /__accord/state: {states: [...]} or {state: NAME}, with params.
 * NULL, or what is wrong with the body. */
const char *stub_stateset_put(struct stub_stateset *ss, const cJSON *b);
/*
 * A request came, which closes a run of setups. With `names` (room for
 * STUB_STATES_MAX), copies the chosen states into it (the caller frees
 * each). Returns how many states are chosen.
 */
size_t stub_stateset_traffic(struct stub_stateset *ss, char **names);
/*
 * accord record: a request came, naming its states in X-Accord-State
 * (header[0..len), NULL when absent). The states it is recorded under as
 * a Pact "providerStates" array, or NULL when there are none. Caller frees.
 */
cJSON *stub_stateset_forward(struct stub_stateset *ss, const char *header,
			     size_t len);
/* "A, B" (an X-Accord-State value, modified) split into names pointing
 * into copy; returns how many, at most max. */
size_t stub_states_split(char *copy, const char **names, size_t max);

/* journal.c: what GET /__accord/requests answers. --------------------- */

/* One request, as the journal keeps it. */
struct stub_journal_entry {
	unsigned long long seq;
	time_t when;
	struct buf method;
	struct buf target;
	int status;
	int matched;
	/* the interaction: its index in the set of generation `gen`; its
	 * description is read from the set when the journal is, and copied
	 * here only when a reload replaces that set (has_desc) */
	size_t index;
	unsigned gen;
	int has_desc;
	struct buf interaction;
	double ms;
	struct buf session; /* X-Accord-Session, or empty */
	int has_ordinal;
	unsigned long long ordinal;
	cJSON *faults; /* the fault decisions, or NULL */
	int forwarded; /* accord record: answered by the upstream (or by us
			* for want of it: 502, 504) */
};

/* A ring of the last `cap` requests (0: off). No lock of its own. */
struct stub_journal;

struct stub_journal *stub_journal_new(size_t cap);
void stub_journal_free(struct stub_journal *jn);
/* Forgets the entries (their buffers stay for reuse); returns how many. */
size_t stub_journal_clear(struct stub_journal *jn);
/*
 * The next entry, filled with what every request has (the interaction
 * left unmatched), or NULL when the journal is off. Every request counts
 * for the sequence numbers, journaled or not.
 */
struct stub_journal_entry *stub_journal_next(struct stub_journal *jn,
					     const char *method,
					     const char *target, int status,
					     double seconds, unsigned gen);
/* Before set `old` (generation gen) goes: the journal copies the
 * descriptions it refers to. */
void stub_journal_keep_descriptions(struct stub_journal *jn,
				    const struct stub_set *old, unsigned gen);
/* {seed, requests: [...]}, descriptions read from set (generation gen).
 * Caller frees. */
cJSON *stub_journal_json(const struct stub_journal *jn,
			 const struct stub_set *set, unsigned gen,
			 uint64_t seed);
/* Milliseconds to the microsecond, as the journal and logs show them
 * (0.356, not 0.35572000000000004). */
double stub_ms_shown(double ms);

/* metrics.c: counters for /__accord/metrics. ------------------------- */

/*
 * Requests by interaction and status, unmatched and forwarded requests and
 * the latency histogram. No lock of its own: the caller serialises.
 */
struct stub_metrics;

struct stub_metrics *stub_metrics_new(size_t ninteractions);
void stub_metrics_free(struct stub_metrics *m);
/* A new set of ninteractions is served: its indexes start afresh. */
void stub_metrics_new_set(struct stub_metrics *m, size_t ninteractions);
/* A request answered by interaction `index` with `status`; `own` when that
 * is the contract's status (the common case, counted in an array). */
void stub_metrics_count(struct stub_metrics *m, size_t index, int status,
			int own);
void stub_metrics_unmatched(struct stub_metrics *m);
/* accord record: a request forwarded, by the status answered. */
void stub_metrics_forwarded(struct stub_metrics *m, int status);
/* The time a request took, for the histogram. */
void stub_metrics_observe(struct stub_metrics *m, double seconds);
/* Appends the Prometheus text; descriptions are read from set. */
void stub_metrics_text(const struct stub_metrics *m, const struct stub_set *set,
		       size_t open_connections, struct buf *b);
/* Appends s as a Prometheus label value (escaped). */
void stub_prom_label(struct buf *b, const char *s);

/* proxy.c: forwarding for accord record. ------------------------------ */

struct uv_loop_s;
struct proxy;
struct proxy_call;

/* Called once with the answer's bytes (the callee owns them). */
typedef void (*proxy_done_fn)(void *ctx, char *answer, size_t len);

/* A forwarder on `loop` to cfg->upstream; NULL with err set. */
struct shared;
/*
 * A forwarder on `loop` to cfg->upstream, whose exchanges are journaled,
 * counted and given their provider states through sh; NULL with err set.
 */
struct proxy *proxy_new(struct uv_loop_s *loop, const struct stub_config *cfg,
			struct shared *sh, struct err *e);
/*
 * Cancels every transfer (no callback) and closes the forwarder's handles;
 * it frees itself when the loop has closed them. Before the loop ends.
 */
void proxy_close(struct proxy *p);
/*
 * Forwards one request (copied: req, body may go once this returns) and
 * calls done(ctx, ...) later, from the loop, with the answer: the
 * upstream's, or a 502/504 of ours. Never calls done before returning:
 * when no transfer can start it returns NULL with a 502 appended to now.
 */
struct proxy_call *proxy_start(struct proxy *p, const struct http1_request *req,
			       const char *body, size_t len, int keep_alive,
			       proxy_done_fn done, void *ctx, struct buf *now);
/* Abandons a transfer (the client went away): done is not called. */
void proxy_cancel(struct proxy_call *c);

/* fault.c: decisions (profiles: faultprofile.c; replays: faultreplay.c) */

enum fault_outcome {
	FAULT_NONE,
	FAULT_ERROR,
	FAULT_RESET,
	FAULT_CLOSE,
	FAULT_TRUNCATE,
	FAULT_GARBAGE,
	FAULT_MALFORMED_CHUNK,
	FAULT_HANG,
};

const char *fault_outcome_name(enum fault_outcome o);

/* What a request looks like to fault rules. */
struct fault_request {
	const char *method;
	const char *path;
	const char *description; /* matched interaction, or NULL */
	long ix;		 /* its index in the set, or -1 */
	const char *const *states;
	size_t nstates;
	const struct http1_request *req; /* for header matches; may be NULL */
	const char *session;		 /* X-Accord-Session, not terminated */
	size_t session_len;
};

/*
 * What the server does with one answer. delay_ms comes first; then the
 * outcome: FAULT_NONE and FAULT_ERROR send the answer (the error's in
 * place of the contract's), dribbled at `bandwidth` bytes/s when set and
 * with slow_head_ms between the status line and the rest; the others are
 * carried out by the server as their names say.
 */
struct fault_action {
	enum fault_outcome outcome;
	double delay_ms;
	double slow_head_ms;
	double bandwidth;
	double hang_ms; /* 0: until the client gives up */
	long trunc_bytes;
	double trunc_fraction; /* when trunc_bytes < 0 */
	size_t garbage_bytes;
	uint64_t garbage_seed;
	int status;	      /* FAULT_ERROR */
	cJSON *error_headers; /* owned copies (fault_action_done frees) */
	cJSON *error_body;
	uint64_t ordinal; /* the request's number in session x interaction */
	int has_ordinal;
	cJSON *log; /* the decisions, for the journal; NULL: none */
};

struct fault_engine;

/*
 * An engine serving profile p (a reference is taken; NULL: no rules) or,
 * with `replay` (taken), the decisions of a recorded run. The seed is
 * `seed` when has_seed, else the profile's, else the replay's, else drawn
 * from the clock (and shown by fault_engine_seed()).
 */
struct fault_engine *fault_engine_new(struct fault_profile *p,
				      struct fault_replay *replay, int has_seed,
				      uint64_t seed);
void fault_engine_free(struct fault_engine *g);
uint64_t fault_engine_seed(struct fault_engine *g);
/* Whether any rule (or a replay) is installed: else no decision is due. */
int fault_engine_active(struct fault_engine *g);
/* The profile in use, with a reference for the caller. */
struct fault_profile *fault_engine_profile(struct fault_engine *g);
/*
 * Installs p (taking the caller's reference) for the requests that come
 * after; `reset` also clears counters and restarts the profile's clock.
 * With reset, a seed in p also replaces the engine's.
 */
void fault_engine_install(struct fault_engine *g, struct fault_profile *p,
			  int reset);
/* Where the engine's own messages go (see stub_log). */
void fault_engine_set_log(struct fault_engine *g, stub_log_fn fn, void *ctx);
/* Appends accord_faults_total in the Prometheus text format. */
void fault_engine_metrics(struct fault_engine *g, struct buf *b);

void fault_action_init(struct fault_action *a);
/* Decides what happens to one request. Release a with fault_action_done. */
void fault_decide(struct fault_engine *g, const struct fault_request *q,
		  struct fault_action *a);
void fault_action_done(struct fault_action *a);

/* faultbytes.c: what a fault sends. ---------------------------------- */

/* The response an error outcome substitutes. */
void fault_error_response(const struct fault_action *a, int head_only,
			  int keep_alive, struct buf *out);
/*
 * Appends to out the bytes the client is sent in place of the answer
 * p[0..len) (a whole response as the stub made it) under action a:
 * - FAULT_NONE, FAULT_ERROR: the answer as it is;
 * - FAULT_TRUNCATE: the head and the first a->trunc_bytes of the body
 *   (when >= 0), else that fraction (a->trunc_fraction) of it, and never
 *   the whole body; with no body at all, the first half of the head;
 * - FAULT_GARBAGE: a->garbage_bytes bytes that are not HTTP, the same for
 *   the same a->garbage_seed, never starting with 'H';
 * - FAULT_MALFORMED_CHUNK: the head with chunked framing instead of
 *   Content-Length (and Connection: close), half the body as one chunk,
 *   then a chunk-size line that is not hexadecimal;
 * - FAULT_RESET, FAULT_CLOSE, FAULT_HANG: nothing.
 * Pure: the bytes depend on a and p alone.
 */
void fault_bytes(const struct fault_action *a, const char *p, size_t len,
		 struct buf *out);

#endif
