/*
 * Private to contracts/: the JSON reader's pieces that the layers above use
 * and users of the library do not (json.c).
 */
#ifndef ACCORD_CONTRACTS_JSON_INTERNAL_H
#define ACCORD_CONTRACTS_JSON_INTERNAL_H

#include "contracts/json/json.h"

/*
 * json.c: parses JSON text (a leading UTF-8 BOM is skipped) with depth
 * and size limits; on a syntax error, err has the line and column.
 */
cJSON *json_parse_located(const char *name, const char *buf, size_t len,
			  struct err *e);

/*
 * json.c: the value of a top-level member of a JSON object, found without
 * building the rest of the document; NULL if absent or malformed.
 */
cJSON *json_member(const char *buf, size_t len, const char *key);

/*
 * Called for each element of a streamed array; takes ownership of elem.
 * Returns 0 to go on, -1 (with its own error set) to stop the parse.
 */
typedef int (*json_elem_fn)(void *ctx, const char *member, cJSON *elem,
			    size_t index);

/*
 * Parses a top-level object, handing the elements of the arrays named in
 * `members` (NULL-terminated) to fn one at a time instead of building them,
 * so a large contract never exists twice in memory. Those members appear
 * in the returned object as empty arrays.
 */
cJSON *json_parse_streaming(const char *name, const char *buf, size_t len,
			    const char *const *members, json_elem_fn fn,
			    void *ctx, struct err *e);

#endif
