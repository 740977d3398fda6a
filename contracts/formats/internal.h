/*
 * Private to contracts/formats/: what the JSON and YAML readers and writers
 * share.
 */
#ifndef ACCORD_CONTRACTS_FORMATS_INTERNAL_H
#define ACCORD_CONTRACTS_FORMATS_INTERNAL_H

#include "contracts/formats/formats.h"

/* read_json.c: is v a v4 body object ({content, contentType, ...})? */
int body_is_wrapped(const cJSON *v);

#endif
