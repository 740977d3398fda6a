/*
 * fuzz_yaml.c: libFuzzer target for the YAML contract reader and writer.
 *
 * Reads the input as accord's YAML authoring format. When it is accepted,
 * the contract is written back as YAML and the result must be accepted
 * again. A writer that declines (ERR_UNSUPPORTED, as the stub does while
 * contracts/formats/yaml_*.c is being written) is not a failure; any other write
 * error or a refused re-read aborts, so libFuzzer keeps the input.
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
	fprintf(stderr, "fuzz_yaml: %s: %s\n", what, err_format(e, &b));
	if (doc)
		fprintf(stderr, "--- written document ---\n%s---\n", doc->ptr);
	buf_release(&b);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contract *c, *again;
	struct buf out;
	struct err e;
	err_clear(&e);
	c = contract_read_yaml("fuzz.yaml", (const char *)data, size, &e);
	if (!c)
		return 0;
	buf_init(&out, 0);
	err_clear(&e);
	if (contract_write_yaml(c, &out, &e)) {
		if (e.code != ERR_UNSUPPORTED)
			fail("write failed", &e, NULL);
	} else {
		err_clear(&e);
		again = contract_read_yaml("written.yaml", out.ptr, out.len,
					   &e);
		if (!again)
			fail("written document does not read back", &e, &out);
		contract_free(again);
	}
	buf_release(&out);
	contract_free(c);
	return 0;
}
