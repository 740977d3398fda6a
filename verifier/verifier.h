/*
 * verifier: checks a running provider against contracts. For each
 * interaction it sets up the provider states (POST to a state URL), builds
 * the request from the contract (generators in provider mode, extra
 * headers), sends it with libcurl (the multi interface, several
 * interactions at once with -j), matches the response, or the message the
 * provider produces, with the matching engine of contracts/, and records
 * the result. Reports (text, JSON, JUnit XML, HTML) are written into
 * buffers; printing and files are the caller's business.
 */
#ifndef ACCORD_VERIFIER_H
#define ACCORD_VERIFIER_H

#include <stddef.h>

#include "contracts/contracts.h"

/* The largest response body accepted from a provider: it is held whole to
 * be matched; past it the interaction is an error. */
#define VERIFY_MAX_BODY (16u << 20)
/* Response headers kept per call: a hostile provider cannot grow the
 * list without end (the rest are not matched). */
#define VERIFY_MAX_HEADERS 200
/* Per HTTP call when the configuration says 0: a provider that has not
 * answered in 10 s is taken to be stuck. */
#define VERIFY_DEFAULT_TIMEOUT_MS 10000

struct verify_result;

struct verify_config {
	const char *provider_url;   /* "http://127.0.0.1:8080" (a path kept) */
	const char *state_url;	    /* NULL: no provider-state calls */
	int state_teardown;	    /* teardown calls after each interaction */
	const char *message_url;    /* NULL: provider_url */
	const char *const *headers; /* "Name: value", replacing the
				       contract's header of that name */
	size_t nheaders;
	long timeout_ms; /* per HTTP call; 0: VERIFY_DEFAULT_TIMEOUT_MS */
	int jobs;	 /* interactions in flight at once; 0: 1 */
	/* regexes (PCRE2, unanchored, with regex.c's limits); NULL: no
	 * filter */
	const char *filter_description;
	const char *filter_state;
	const char *filter_consumer;
	/* called as each interaction completes (progress); may be NULL */
	void (*on_result)(void *ctx, const struct verify_result *r, size_t done,
			  size_t total);
	void *ctx;
};

enum verify_verdict {
	VERIFY_PASS,
	VERIFY_FAIL,  /* mismatches, or a provider-state call refused */
	VERIFY_ERROR, /* no answer: connection, timeout, oversized body */
};

/* What was sent and what came back, for reports. */
struct verify_exchange {
	char *method;
	char *url;
	struct headers req_headers;
	char *req_body;
	size_t req_len;
	int status; /* 0: no response */
	struct headers resp_headers;
	char *resp_body;
	size_t resp_len;
	cJSON *metadata; /* messages: the decoded Pact-Message-Metadata */
};

struct verify_result {
	const struct contract *contract;
	const struct interaction *ix;
	size_t contract_index; /* in the array given to verify_run */
	size_t ix_index;       /* in the contract */
	enum verify_verdict verdict;
	int pending;	 /* v4 pending: a failure does not fail the run */
	char *reason;	 /* why it failed or erred, beyond mismatches */
	int unreachable; /* the provider refused the connection */
	struct mismatches mm;
	struct verify_exchange x;
	double ms; /* wall time of its calls */
};

struct verify_run {
	struct verify_result *v; /* in contract order, then file order */
	size_t n;
	size_t passed, failed, errors, pending_failed;
	size_t unreachable;
	double ms;
};

/*
 * Verifies every interaction of the n contracts that the filters select
 * (the contracts are borrowed and must outlive `out`). Fills out (release
 * with verify_run_release) and returns 0, or -1 with err set when the run
 * cannot start (bad filter regex, bad URL, libcurl failure). Failures of
 * interactions are results, not errors.
 */
int verify_run(const struct verify_config *cfg, struct contract *const *cs,
	       size_t n, struct verify_run *out, struct err *e);
void verify_run_release(struct verify_run *r);

/*
 * Polls `url` until it answers HTTP (any status) or `wait_ms` passes.
 * Returns 0 once it answered, -1 with err set when it never did.
 */
int verify_wait_for(const char *url, long wait_ms, struct err *e);

/* A request built from a contract, ready to send. */
struct verify_request {
	char *method;
	char *url;
	struct headers headers; /* one value per header line */
	struct buf body;
	int has_body;
};

/*
 * Builds the request of HTTP interaction ix against base_url: the path
 * and query encoded, the contract's headers as written (extra headers
 * "Name: value" replace those of the same name), the body as its bytes
 * (v4 encoded bodies decoded), with the request generators applied in
 * provider mode (ProviderState values from state_values). Returns 0, or
 * -1 with err set (a generator that cannot run, bad base64). Release
 * with verify_request_release.
 */
int verify_build_request(const struct interaction *ix, const char *base_url,
			 const cJSON *state_values, const char *const *extra,
			 size_t nextra, uint64_t seed,
			 struct verify_request *out, struct err *e);
void verify_request_release(struct verify_request *r);

/* Percent-encodes s for a URL path ('/' kept) or a query component. */
void verify_encode(struct buf *out, const char *s, int path);

/* Reports (report.c): each appends to out. */

/*
 * Human output: a header line per contract, one line per interaction with
 * its verdict, each mismatch (path, expected, found) and a compact line
 * diff of the bodies for failures, then a summary with counts and time.
 * `colour` adds ANSI colours; `verbose` > 0 gives longer diffs and the
 * request sent for each failure, < 0 leaves out passing interactions.
 */
void report_text(const struct verify_run *r, int colour, int verbose,
		 struct buf *out);
/* The summary line alone ("36 interactions: 35 passed, ..."). */
void report_summary(const struct verify_run *r, struct buf *out);
/* Machine-readable JSON: every interaction, verdict and mismatch. */
void report_json(const struct verify_run *r, struct buf *out);
/* JUnit XML: a testsuite per contract, a testcase per interaction. */
void report_junit(const struct verify_run *r, struct buf *out);
/* One self-contained HTML page (no external assets). */
void report_html(const struct verify_run *r, struct buf *out);

/*
 * A compact line diff of two texts (JSON bodies are pretty-printed first
 * by the caller): changed lines with "-" (expected) and "+" (actual) and
 * one line of context, at most max_lines lines. Appends to out.
 */
void report_diff(const char *expected, const char *actual, size_t max_lines,
		 struct buf *out);

#endif
