/*
 * contracts/model: the contract model every layer above works on: versions,
 * matchers and rules (with their parsed paths), interactions and their
 * parts, and the constructors and destructors that go with them.
 *
 * Values that are JSON by nature are held as cJSON trees owned by the
 * model; what the matching engine interprets is held in the structures
 * below, converted at load time (see contracts/contracts.h).
 */
#ifndef ACCORD_CONTRACTS_MODEL_MODEL_H
#define ACCORD_CONTRACTS_MODEL_MODEL_H

#include "contracts/json/json.h"

/*
 * Regexes (regex.c): every PCRE2 pattern accord runs, from a contract, a
 * fault profile or the command line, is compiled here with these limits,
 * so that a pattern which backtracks without end fails one match instead
 * of hanging: PCRE2's match limit (the backtracking steps of one match)
 * and depth limit (how deeply backtracking may nest).
 */
#ifdef ACCORD_FUZZ
/* smaller limits keep fuzzing fast; the limit paths are the same */
#define REGEX_MATCH_LIMIT 20000u
#else
#define REGEX_MATCH_LIMIT 1000000u
#endif
#define REGEX_DEPTH_LIMIT 5000u

struct regex; /* a compiled pattern; read-only, so threads may share it */

/*
 * A compile flag: the pattern serves a match or two and is freed (a
 * generator's), so it is not JIT-compiled, which costs about ten times
 * what the compile does.
 */
#define REGEX_ONE_OFF 1u
/*
 * Compiles `pattern` (UTF-8; subject bytes that are not UTF-8 just fail
 * to match), JIT where the platform has it, with the limits above.
 * Returns it with one reference, or NULL with ERR_REGEX ("invalid regex
 * '(' at offset 1: missing closing parenthesis").
 */
struct regex *regex_compile(const char *pattern, unsigned flags, struct err *e);
/* Takes one more reference (for another owner); returns re. */
struct regex *regex_ref(struct regex *re);
/* Drops one reference; the last frees it. NULL is fine. */
void regex_free(struct regex *re);

/* Matching flags: the match must span the whole subject (else: search). */
#define REGEX_WHOLE 1u
/*
 * Matches re against s[0..len). Returns 1 on a match, 0 on none, -1 when
 * a limit was hit (no verdict: the pattern backtracks too much on s).
 */
int regex_match(const struct regex *re, const char *s, size_t len,
		unsigned flags);
/*
 * The same, and on a match appends the captured groups one after another
 * to `groups` (a buffer without a ceiling; groups that did not take part
 * add nothing). Returns 0 or -1 as regex_match does, or on a match 1 +
 * the number of the last group that took part (1: none did).
 */
int regex_match_groups(const struct regex *re, const char *s, size_t len,
		       unsigned flags, struct buf *groups);

enum spec_version {
	SPEC_UNKNOWN = 0,
	SPEC_V1 = 10,
	SPEC_V1_1 = 11,
	SPEC_V2 = 20,
	SPEC_V3 = 30,
	SPEC_V4 = 40,
};

/* "1", "1.1", "2", "3", "4", "2.0.0", "4.0", ... ; SPEC_UNKNOWN otherwise. */
enum spec_version spec_parse(const char *s);
/* The string Pact writes in metadata: "1.0.0", "1.1.0", "2.0.0", "3.0.0", "4.0". */
const char *spec_name(enum spec_version v);

/*
 * Every matcher in one list, the way libuv lists its errors (UV_ERRNO_MAP):
 * the enum below, matcher_name(), the JSON reader's lookup and the YAML
 * tags are all made from it, so a matcher is added in one place.
 *
 *   X(constant, name, tag form, tag parameter, parameter key, tag usage)
 *
 * `name` is what Pact writes ("match": "regex"), and after a '!' the tag
 * of accord's YAML format (!regex). The rest says how that tag is written:
 * its form (VALUE: the tagged value is the example; DATE: the example or
 * {format, example}; PARAMS: {<parameter>: ..., example}; EACH: {rules,
 * example}; CONTAINS: a list of variants), the parameter as YAML writes
 * it and the key it goes under in the matcher object (PARAMS only), and
 * what the tag's usage message shows after it.
 */
/* clang-format off */
#define MATCHER_MAP(X)							\
	X(M_EQUALITY, "equality", VALUE, NULL, NULL, "EXAMPLE")		\
	X(M_REGEX, "regex", PARAMS, "pattern", "regex",			\
	  "{pattern: ..., example: ...}")				\
	X(M_TYPE, "type", VALUE, NULL, NULL, "EXAMPLE")			\
	X(M_INCLUDE, "include", PARAMS, "value", "value",		\
	  "{value: ..., example: ...}")					\
	X(M_INTEGER, "integer", VALUE, NULL, NULL, "42")		\
	X(M_DECIMAL, "decimal", VALUE, NULL, NULL, "9.99")		\
	X(M_NUMBER, "number", VALUE, NULL, NULL, "1")			\
	X(M_BOOLEAN, "boolean", VALUE, NULL, NULL, "true")		\
	X(M_NULL, "null", VALUE, NULL, NULL, "~")			\
	X(M_DATE, "date", DATE, NULL, NULL,				\
	  "{format: ..., example: ...}")				\
	X(M_TIME, "time", DATE, NULL, NULL,				\
	  "{format: ..., example: ...}")				\
	X(M_DATETIME, "datetime", DATE, NULL, NULL,			\
	  "{format: ..., example: ...}")				\
	X(M_CONTENT_TYPE, "contentType", PARAMS, "value", "value",	\
	  "{value: ..., example: ...}")					\
	X(M_VALUES, "values", VALUE, NULL, NULL, "{...}")		\
	X(M_ARRAY_CONTAINS, "arrayContains", CONTAINS, NULL, NULL,	\
	  "[VARIANT, ...]")						\
	X(M_EACH_KEY, "eachKey", EACH, NULL, NULL,			\
	  "{rules: [...], example: ...}")				\
	X(M_EACH_VALUE, "eachValue", EACH, NULL, NULL,			\
	  "{rules: [...], example: ...}")				\
	X(M_NOT_EMPTY, "notEmpty", VALUE, NULL, NULL, "EXAMPLE")	\
	X(M_SEMVER, "semver", VALUE, NULL, NULL, "1.2.3")		\
	X(M_STATUS_CODE, "statusCode", PARAMS, "status", "status",	\
	  "{status: ..., example: ...}")

/*
 * The other names the JSON reader takes for a matcher (the spellings of
 * other Pact versions and libraries); a matcher read under one is written
 * back under it.
 */
#define MATCHER_ALIASES(X)						\
	X("min-type", M_TYPE)						\
	X("max-type", M_TYPE)						\
	X("minType", M_TYPE)						\
	X("maxType", M_TYPE)						\
	X("real", M_DECIMAL)						\
	X("timestamp", M_DATETIME)					\
	X("content-type", M_CONTENT_TYPE)				\
	X("array-contains", M_ARRAY_CONTAINS)				\
	X("each-key", M_EACH_KEY)					\
	X("each-value", M_EACH_VALUE)					\
	X("not-empty", M_NOT_EMPTY)					\
	X("status-code", M_STATUS_CODE)
/* clang-format on */

enum matcher_type {
#define MATCHER_ENUM(c, name, form, param, key, usage) c,
	MATCHER_MAP(MATCHER_ENUM)
#undef MATCHER_ENUM
};

const char *matcher_name(enum matcher_type t);

/*
 * The generators Pact defines, in one list: the reader checks a generator's
 * type against it, gen/ runs it. X(constant, name as Pact writes it).
 */
/* clang-format off */
#define GENERATOR_MAP(X)						\
	X(G_RANDOM_INT, "RandomInt")					\
	X(G_RANDOM_DECIMAL, "RandomDecimal")				\
	X(G_RANDOM_HEXADECIMAL, "RandomHexadecimal")			\
	X(G_RANDOM_STRING, "RandomString")				\
	X(G_REGEX, "Regex")						\
	X(G_UUID, "Uuid")						\
	X(G_DATE, "Date")						\
	X(G_TIME, "Time")						\
	X(G_DATETIME, "DateTime")					\
	X(G_RANDOM_BOOLEAN, "RandomBoolean")				\
	X(G_PROVIDER_STATE, "ProviderState")				\
	X(G_MOCK_SERVER_URL, "MockServerURL")
/* clang-format on */

enum generator_type {
	G_UNKNOWN = -1,
#define GENERATOR_ENUM(c, name) c,
	GENERATOR_MAP(GENERATOR_ENUM)
#undef GENERATOR_ENUM
};

/* The generator called `name` (case matters), or G_UNKNOWN. */
enum generator_type generator_parse(const char *name);

struct rule;
struct variant;
struct regex; /* a compiled regex, shared by matchers with one pattern */

/*
 * One matcher: what the engine uses, plus what it takes to write the
 * object back as it was (the key and alias its name was written with, the
 * key its format came under, and every key accord does not interpret).
 */
struct matcher {
	enum matcher_type type;
	const char *name_key; /* "match", "pact:matcher:type", NULL: inferred */
	const char *alias; /* the name as written: "timestamp", "real", ... */
	const char *format_key; /* "format", or "date", "timestamp", ... */
	int has_min, has_max;
	long min, max;
	char *regex;	  /* M_REGEX */
	struct regex *re; /* compiled once per pattern and load, shared */
	char *value;	  /* M_INCLUDE substring, M_CONTENT_TYPE type */
	char *format;	  /* M_DATE/M_TIME/M_DATETIME, NULL = ISO default */
	int *statuses;	  /* M_STATUS_CODE: explicit codes */
	size_t nstatuses;
	char *status_class;  /* M_STATUS_CODE: "success", "clientError", ... */
	struct matcher *sub; /* M_EACH_KEY/M_EACH_VALUE nested rules */
	size_t nsub;
	struct variant *variants; /* M_ARRAY_CONTAINS */
	size_t nvariants;
	cJSON *extra; /* e.g. eachKey's example "value" */
};

/* A parsed rule path: "$.a.b[*]['c d'][2]" */
enum seg_kind { SEG_ROOT, SEG_FIELD, SEG_INDEX, SEG_STAR };
struct seg {
	enum seg_kind kind;
	char *name; /* SEG_FIELD */
	long index; /* SEG_INDEX */
};
struct path {
	struct seg *segs;
	size_t n;
};

/* Parses a rule path; returns -1 and sets err on a malformed one. */
int path_parse(const char *s, struct path *p, struct err *e);
void path_release(struct path *p);

/*
 * One entry of a category: the matchers that apply at a path (body), to a
 * name (header, query, metadata) or to the whole value (path, status).
 */
struct rule {
	char *key;   /* as written: "$.items[*].id", "Accept", or NULL */
	char *v2key; /* v2 files: the original flat key, "$.headers.Accept" */
	struct path path; /* parsed `key` for path-keyed categories */
	int combine_or;
	int has_combine; /* "combine" was written */
	struct matcher *m;
	size_t n;
	cJSON *extra; /* unknown keys of the rule object */
};

struct rule_set {
	char *category; /* "body", "header", "query", "path", "status", ... */
	struct rule *rules;
	size_t n;
	cJSON *extra;
};

struct rules {
	struct rule_set *cats;
	size_t n;
	int present; /* "matchingRules" was written, even if empty */
};

/* The category named `name` ("header" also finds v2's "headers"), or NULL. */
const struct rule_set *rules_category(const struct rules *r, const char *name);
void rules_release(struct rules *r);

struct variant {
	long index;
	struct rules rules;
	cJSON *generators;
	cJSON *extra;
};

/* Bodies. */
struct body {
	int present; /* the key was in the file (absent: "don't care") */
	cJSON *json; /* the value as written (v1-v3) or the v4 `content` */
	int wrapped; /* v4 object form {content, contentType, encoded} */
	char *content_type; /* v4 contentType */
	cJSON *encoded;	    /* v4 `encoded`: false, "base64", "JSON", ... */
	char *hint;	    /* v4 contentTypeHint */
	cJSON *extra;	    /* unknown keys of the v4 body object */
	/*
	 * Raw bytes: set for actual bodies received off the wire, and
	 * borrowed from the receiver's buffer, which outlives the match (the
	 * model never frees them). `json` may then hold their parse, done
	 * once by the receiver, which matching uses instead of parsing the
	 * bytes for every candidate.
	 */
	const char *bytes;
	size_t len;
	int has_bytes;
};

/* A header: one name, one or more values (v4 lists; v1-v3 one string). */
struct header {
	char *name;
	char **values;
	size_t n;
	int list; /* written as a list (v4), not a string */
};

struct headers {
	struct header *v;
	size_t n;
	int present;
	int lists; /* written as lists (v4) */
};

/* Returns the first header named `name` (case-insensitively) or NULL. */
const struct header *headers_get(const struct headers *h, const char *name);
void headers_add(struct headers *h, const char *name, const char *value);
/* The same from (pointer, length) pairs, as a server has them. */
void headers_addn(struct headers *h, const char *name, size_t nlen,
		  const char *value, size_t vlen);
void headers_release(struct headers *h);

struct query_param {
	char *name;
	char **values;
	size_t n;
	int single; /* written as one string, not a list */
};

struct query {
	struct query_param *v;
	size_t n;
	int present;
	char *raw; /* the string form as written (v1/v2), else NULL */
};

/* %XX sequences decoded ('+' kept: that is a form convention); caller frees. */
char *percent_decode(const char *s, size_t len);

/* Parses "a=1&b=2&a=3" (percent-decoded, '+' kept) into q. */
void query_parse(struct query *q, const char *s, size_t len);
void query_release(struct query *q);

struct provider_state {
	char *name;
	cJSON *params; /* object, JSON null as written, or NULL if absent */
};

struct http_request {
	char *method;
	char *path;
	int has_path;
	struct query query;
	struct headers headers;
	struct body body;
	struct rules rules;
	cJSON *generators;
	cJSON *extra;
};

struct http_response {
	int status;
	int has_status;
	struct headers headers;
	struct body body;
	struct rules rules;
	cJSON *generators;
	cJSON *extra;
};

/* A message (v3 message, v4 async message, or one side of a sync one). */
struct message {
	struct body contents;
	cJSON *metadata; /* object or NULL */
	int metadata_v3; /* written as "metaData" */
	struct rules rules;
	cJSON *generators;
	cJSON *extra;
};

/*
 * The kinds of interaction, in one list: X(constant, the "type" a v4 file
 * gives it, the short name accord's JSON reports use). IX_MESSAGE is also
 * a v3 message.
 */
/* clang-format off */
#define INTERACTION_MAP(X)						\
	X(IX_HTTP, "Synchronous/HTTP", "http")				\
	X(IX_MESSAGE, "Asynchronous/Messages", "asynchronous")		\
	X(IX_SYNC_MESSAGE, "Synchronous/Messages", "synchronous")
/* clang-format on */

enum interaction_type {
#define INTERACTION_ENUM(c, type, report) c,
	INTERACTION_MAP(INTERACTION_ENUM)
#undef INTERACTION_ENUM
};

/* The v4 "type" of kind t: "Synchronous/HTTP", ... */
const char *interaction_type_name(enum interaction_type t);
/* The name accord's JSON reports give kind t: "http", ... */
const char *interaction_report_name(enum interaction_type t);
/* The kind a v4 "type" names: 0 with *t set, or -1 (*t unchanged). */
int interaction_type_parse(const char *s, enum interaction_type *t);

struct interaction {
	enum interaction_type type;
	char *description;
	char *key; /* v4 */
	struct provider_state *states;
	size_t nstates;
	int state_v2; /* written as a single "providerState" string */
	int pending, has_pending;
	cJSON *comments;
	cJSON *plugin_config;
	cJSON *markup;
	struct http_request request;   /* IX_HTTP */
	struct http_response response; /* IX_HTTP */
	struct message message;	       /* IX_MESSAGE; IX_SYNC_MESSAGE request */
	struct message *replies;       /* IX_SYNC_MESSAGE responses */
	size_t nreplies;
	cJSON *extra;
};

struct contract {
	char *source;
	enum spec_version spec;
	char *consumer;
	char *provider;
	cJSON *consumer_extra;
	cJSON *provider_extra;
	cJSON *metadata;   /* the metadata object as written, or NULL */
	int messages_form; /* v3: top-level "messages" */
	struct interaction *ix;
	size_t n;
	cJSON *extra;
};

struct contract *contract_new(void);
void contract_free(struct contract *c);

void request_release(struct http_request *r);
void response_release(struct http_response *r);
void message_release(struct message *m);
void body_release(struct body *b);

#endif
