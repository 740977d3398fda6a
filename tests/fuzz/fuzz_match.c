/*
 * fuzz_match.c: libFuzzer target for the matching engine.
 *
 * Input layout:
 *
 *   byte 0     selector: part kind = b % 3 (request, response, message),
 *              spec version = (b / 3) % 5 (v1, v1.1, v2, v3, v4),
 *              regex search (unanchored) = (b / 15) & 1
 *   bytes 1..  the expected part (JSON, with its matchingRules), then a
 *              separator, then the actual part (JSON)
 *
 * The separator is the first NUL byte; an input without one is split at
 * the first blank line ("\n\n") instead, so seeds can be plain text. Both
 * halves go through json_parse_text (accord's size and depth limits) and
 * then match_parts, which reads them with the contract reader (compiling
 * every regex matcher once, as for a contract file) and runs the engine,
 * regexes under REGEX_MATCH_LIMIT and REGEX_DEPTH_LIMIT.
 */
#include "contracts/contracts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the expected half ends and how long the separator is; 0 if none. */
static size_t split(const char *p, size_t n, size_t *seplen)
{
	const char *nul = memchr(p, '\0', n);
	size_t i;
	if (nul) {
		*seplen = 1;
		return (size_t)(nul - p);
	}
	for (i = 0; i + 1 < n; i++)
		if (p[i] == '\n' && p[i + 1] == '\n') {
			*seplen = 2;
			return i;
		}
	*seplen = 0;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum spec_version versions[] = { SPEC_V1, SPEC_V1_1,
						      SPEC_V2, SPEC_V3,
						      SPEC_V4 };
	static const enum part_kind kinds[] = { PART_REQUEST, PART_RESPONSE,
						PART_MESSAGE };
	const char *p = (const char *)data + 1;
	size_t n, cut, seplen;
	cJSON *exp, *act;
	struct match_opts o;
	struct mismatches m;
	struct err e;
	long r;
	if (size < 2)
		return 0;
	n = size - 1;
	memset(&o, 0, sizeof(o)); /* fields added later default to off */
	o.spec = versions[(data[0] / 3) % 5];
	o.regex_search = (data[0] / 15) & 1;
	cut = split(p, n, &seplen);
	if (!seplen)
		return 0;
	err_clear(&e);
	exp = json_parse_text("expected", p, cut, &e);
	if (!exp)
		return 0;
	err_clear(&e);
	act = json_parse_text("actual", p + cut + seplen, n - cut - seplen, &e);
	if (!act) {
		cJSON_Delete(exp);
		return 0;
	}
	mismatches_init(&m);
	err_clear(&e);
	o.rule_index = -1;
	r = match_parts(kinds[data[0] % 3], exp, act, &o, &m, &e);
	/* the count returned is the count appended, plus those past the cap */
	if (r >= 0 && (size_t)r != m.n + m.dropped)
		abort();
	if (m.n > MISMATCH_MAX)
		abort();
	if (r < 0 && !e.code)
		abort();
	{
		/* rules found through the index: the same mismatches */
		struct mismatches m2;
		size_t i;
		long r2;
		mismatches_init(&m2);
		err_clear(&e);
		o.rule_index = 1;
		r2 = match_parts(kinds[data[0] % 3], exp, act, &o, &m2, &e);
		if (r2 != r || m2.n != m.n)
			abort();
		for (i = 0; i < m.n; i++)
			if (strcmp(m.v[i].path, m2.v[i].path))
				abort();
		mismatches_release(&m2);
	}
	mismatches_release(&m);
	cJSON_Delete(act);
	cJSON_Delete(exp);
	return 0;
}
