/*
 * fault.h: what the fault module's files share, private to them: the
 * profile's rules as the reader (faultprofile.c) makes them and the engine
 * (fault.c) reads them, the keys of the engine's counters and of a
 * replay's decisions (faultreplay.c), and the limits both sides of a
 * profile check. Everything else in stubserver/ goes through internal.h.
 */
#ifndef ACCORD_STUBSERVER_FAULT_H
#define ACCORD_STUBSERVER_FAULT_H

#include "stubserver/internal.h"

#include <stdatomic.h>
#include <stdio.h>

/* Rules in a profile: each request is matched against every one. */
#define FAULT_MAX_RULES 1000
/* A delay or window longer than a day is a mistake in the profile (the
 * longest duration duration_parse takes). */
#define FAULT_MAX_MS DURATION_MAX_MS
/* Garbage bytes a fault sends at most, and when the rule does not say. */
#define FAULT_MAX_GARBAGE (1u << 20)
#define FAULT_DEFAULT_GARBAGE 64
/* Counts and byte offsets in a profile (times, truncate bytes): far past
 * any real one, and exact in the double that JSON gives. */
#define FAULT_MAX_COUNT (1L << 40)
/* A rule's name: it shows in logs, metric labels and the journal. */
#define FAULT_MAX_NAME 100
/* A counter's or a replay's key (fault_key): a longer one (a long
 * description) is cut, the same way when recorded and when replayed. */
#define FAULT_KEY_MAX 512

enum lat_kind {
	LAT_NONE,
	LAT_FIXED,
	LAT_UNIFORM,
	LAT_NORMAL,
	LAT_LOGNORMAL,
	LAT_PERCENTILES,
};

struct latency {
	enum lat_kind kind;
	double a, b, c; /* fixed a; uniform [a, b]; normal mean a, stddev b;
			   lognormal median a, sigma b; p50 a, p95 b, p99 c */
};

struct header_match {
	char *name;
	struct regex *re;
};

struct fault_rule {
	char *name;
	cJSON *source; /* the rule as given, with its name */
	/* match */
	char **methods;
	size_t nmethods;
	struct regex *path_re; /* searched, as every rule regex (regex.c) */
	struct regex *desc_re;
	char *state;
	struct header_match *headers;
	size_t nheaders;
	/* effects */
	struct latency latency;
	enum fault_outcome outcome;
	int error_status;
	cJSON *error_headers; /* object of strings (or lists of strings) */
	cJSON *error_body;    /* string: as is; other JSON: serialised */
	long trunc_bytes;     /* -1: by fraction */
	double trunc_fraction;
	size_t garbage_bytes;
	double hang_ms; /* 0: until the client gives up */
	double bandwidth;
	double slow_head_ms;
	/* triggers */
	int has_probability;
	double probability;
	unsigned char *seq; /* 1: fire */
	size_t nseq;
	int repeat;
	long times; /* -1: no limit */
	double after_ms, for_ms, every_ms;
};

struct fault_profile {
	atomic_uint refs;
	int has_seed;
	uint64_t seed;
	struct fault_rule *rules;
	size_t n;
};

/* The outcome called name ("error", "reset", ...), or FAULT_NONE. */
enum fault_outcome fault_outcome_named(const char *name);

/*
 * faultreplay.c: the decisions a replay recorded for the request of
 * `session` (empty: none) to interaction `description` (NULL: unmatched)
 * numbered `ordinal`, put into a; none recorded leaves a as it is.
 */
void fault_replay_decide(const struct fault_replay *rp, const char *session,
			 const char *description, uint64_t ordinal,
			 struct fault_action *a);
/* The seed of the run a replay recorded. */
uint64_t fault_replay_seed(const struct fault_replay *rp);

/* Key: a kind letter, then fields separated by 0x1f. */
static inline size_t fault_key(char *out, size_t cap, char kind, const char *a,
			       const char *b, long ix)
{
	int n = snprintf(out, cap, "%c\x1f%s\x1f%s\x1f%ld", kind, a ? a : "",
			 b ? b : "", ix);
	return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

#endif
