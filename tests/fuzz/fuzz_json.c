/*
 * fuzz_json.c: libFuzzer target for the Pact JSON reader and writer.
 *
 * Reads the input as a Pact document. When it is accepted, the contract is
 * written back at its own version and at v4, and each written document must
 * be accepted again: the writer must never produce what the reader refuses.
 * A conversion the target version cannot express (ERR_UNSUPPORTED) is not a
 * failure; any other write error or a refused re-read aborts, so libFuzzer
 * keeps the input.
 */
#include "contracts/contracts.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints what went wrong and aborts: the input is a reproducer. */
static void fail(const char *what, const struct err *e, const struct buf *doc)
{
	struct buf b;
	buf_init(&b, 0);
	fprintf(stderr, "fuzz_json: %s: %s\n", what, err_format(e, &b));
	if (doc)
		fprintf(stderr, "--- written document ---\n%s---\n", doc->ptr);
	buf_release(&b);
	abort();
}

static void round_trip(const struct contract *c, enum spec_version to)
{
	struct contract *again;
	struct buf out;
	struct err e;
	buf_init(&out, 0);
	err_clear(&e);
	if (contract_write_json(c, to, &out, &e)) {
		if (e.code != ERR_UNSUPPORTED)
			fail("write failed", &e, NULL);
		buf_release(&out);
		return;
	}
	err_clear(&e);
	again = contract_read_json("written.json", out.ptr, out.len, &e);
	if (!again)
		fail("written document does not read back", &e, &out);
	contract_free(again);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contract *c;
	struct err e;
	err_clear(&e);
	c = contract_read_json("fuzz.json", (const char *)data, size, &e);
	if (!c)
		return 0;
	round_trip(c, SPEC_UNKNOWN);
	round_trip(c, SPEC_V4);
	contract_free(c);
	return 0;
}
