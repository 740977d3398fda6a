/*
 * contracts/json: JSON text in and out, below the model. The reader is
 * accord's own (cJSON trees, but with line:col errors, number literals kept
 * as written, and limits on size and depth); the writers append to a
 * struct buf. Private pieces (located and streaming parsing) are in
 * contracts/json/internal.h.
 */
#ifndef ACCORD_CONTRACTS_JSON_JSON_H
#define ACCORD_CONTRACTS_JSON_JSON_H

#include <stddef.h>

#include <cJSON.h>

#include "common/common.h"

/* Limits a hostile contract cannot pass. */
#define CONTRACT_MAX_FILE (256u << 20)
#define CONTRACT_MAX_DEPTH 128

/*
 * Parses JSON text with accord's limits (size, depth; a leading UTF-8 BOM
 * is skipped). Syntax errors carry line:col. Caller frees with cJSON_Delete.
 */
cJSON *json_parse_text(const char *name, const char *buf, size_t len,
		       struct err *e);

/* Appends v as compact JSON, number literals kept as written. */
void json_write_compact(const cJSON *v, struct buf *out);
/* Appends s as a JSON string: quoted, with the escapes JSON requires. */
void json_write_string(const char *s, struct buf *out);

#endif
