/*
 * contracts/formats: contract files into the model and back out: Pact
 * JSON (v1 to v4) and accord's YAML authoring format, which is read by
 * translating it into the Pact document the JSON reader takes. Also
 * match_parts(), which reads the specification's test-case layout and
 * matches it (formats/ may use match/, never the other way).
 */
#ifndef ACCORD_CONTRACTS_FORMATS_FORMATS_H
#define ACCORD_CONTRACTS_FORMATS_FORMATS_H

#include "contracts/match/match.h"

/*
 * Reads a Pact JSON document. `name` is used in error messages. Returns the
 * contract (caller frees with contract_free) or NULL with err set: syntax
 * errors carry line:col, shape errors a JSON pointer.
 */
struct contract *contract_read_json(const char *name, const char *buf,
				    size_t len, struct err *e);
/* The same from an already parsed document (not consumed). */
struct contract *contract_from_cjson(const char *name, const cJSON *doc,
				     struct err *e);

/*
 * Reads accord's YAML authoring format (or any YAML holding a Pact
 * document). Errors carry line:col from the YAML marks.
 */
struct contract *contract_read_yaml(const char *name, const char *buf,
				    size_t len, struct err *e);

/*
 * Reads YAML text as plain data (no matcher tags) and hands the document,
 * as JSON, to `use`. An error `use` records with a JSON pointer (see
 * err_setat) is moved to the line and column of the YAML node behind it.
 * Returns what `use` returned, or -1 with err set on a YAML error.
 */
int yaml_data_read(const char *name, const char *buf, size_t len,
		   int (*use)(void *ctx, const cJSON *doc, struct err *e),
		   void *ctx, struct err *e);

/* Picks the reader from the name's extension and the first byte. */
struct contract *contract_read(const char *name, const char *buf, size_t len,
			       struct err *e);

/*
 * Builds the Pact JSON document of `c` at version `to` (SPEC_UNKNOWN = the
 * contract's own). Converting to an older version that cannot express what
 * the contract uses fails with ERR_UNSUPPORTED. Caller frees with cJSON_Delete.
 */
cJSON *contract_to_cjson(const struct contract *c, enum spec_version to,
			 struct err *e);
/*
 * Writes deterministic JSON: sorted keys, two-space indent, no final
 * newline (the layout the official Pact libraries write), appended to
 * `out`, a buffer without a ceiling.
 */
int contract_write_json(const struct contract *c, enum spec_version to,
			struct buf *out, struct err *e);
int contract_write_yaml(const struct contract *c, struct buf *out,
			struct err *e);
/* Deterministic serialisation of any cJSON tree (sorted keys, 2 spaces). */
void json_write_sorted(const cJSON *v, struct buf *out);

/* Reading pieces, used by the `match` harness and the stub server. */
int request_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
		       struct http_request *r, struct err *e);
int response_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
			struct http_response *r, struct err *e);
int message_from_cjson(const cJSON *o, enum spec_version v, const char *ptr,
		       struct message *m, struct err *e);

enum part_kind { PART_REQUEST, PART_RESPONSE, PART_MESSAGE };

/*
 * Matches two parts laid out as in the Pact specification's test cases
 * (`expected` with its matchingRules, `actual` without) at version o->spec.
 * Returns the number of mismatches found (as match_request does), or -1
 * with err set when either part cannot be read.
 */
long match_parts(enum part_kind k, const cJSON *expected, const cJSON *actual,
		 const struct match_opts *o, struct mismatches *out,
		 struct err *e);

#endif
