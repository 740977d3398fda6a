/*
 * contracts: the contract model (Pact v1 to v4 and accord's YAML authoring
 * format), its readers and writers, and the matching engine. No I/O: readers
 * parse from (name, buf, len), writers append to a struct buf.
 *
 * Values that are JSON by nature (bodies, provider-state params, metadata,
 * generators, and every field accord does not interpret) are held as cJSON
 * trees owned by the model, so that a contract read and written back loses
 * nothing. Everything the matching engine interprets (versions, rules,
 * matchers, regexes, headers, query) is converted into our own structures
 * at load time, with regexes compiled once.
 */
#ifndef ACCORD_CONTRACTS_H
#define ACCORD_CONTRACTS_H

/*
 * The one header users outside contracts/ include. The library is in
 * layers, each a folder with one job and one public header (private
 * pieces are in headers beside it, such as internal.h), and a layer uses
 * only those before it in this list:
 *
 *   json/      JSON text in and out (accord's located reader, the writers)
 *   model/     the model: versions, matchers, rules, interactions, contracts
 *   match/     the matching engine, and the value formats matchers check
 *   formats/   Pact JSON and YAML files into the model and back out
 *   gen/       generators, and the bytes a body is sent as
 *   insight/   merging and inferring, the service graph, contract diffs
 *
 * so the pipeline reads bytes -> json/yaml -> model -> match / gen /
 * insight -> formats back out.
 */
#include "contracts/json/json.h"
#include "contracts/model/model.h"
#include "contracts/match/match.h"
#include "contracts/formats/formats.h"
#include "contracts/gen/gen.h"
#include "contracts/insight/insight.h"

#endif
