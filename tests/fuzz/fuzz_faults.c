/*
 * fuzz_faults.c: libFuzzer target for fault profiles and journals
 * (stubserver/fault.c).
 *
 * The input is read as a fault profile (YAML, and JSON when it starts
 * with '{') and as a --replay journal. An accepted profile is written back
 * as JSON, which must read again with as many rules; then a few decisions
 * are taken from it, which must not fail whatever the rules say.
 */
#include "stubserver/internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct fault_profile *p, *again;
	struct fault_replay *rp;
	struct fault_engine *g;
	struct err e;
	cJSON *doc;
	char *json;
	int i;

	err_clear(&e);
	rp = fault_replay_read("j.json", text, size, &e);
	fault_replay_free(rp);
	err_clear(&e);
	p = fault_profile_read(size && text[0] == '{' ? "p.json" : "p.yaml",
			       text, size, &e);
	if (!p)
		return 0;
	doc = fault_profile_to_cjson(p);
	json = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	err_clear(&e);
	again = fault_profile_read("again.json", json, strlen(json), &e);
	if (!again || fault_profile_count(again) != fault_profile_count(p)) {
		fprintf(stderr,
			"fuzz_faults: written profile does not read "
			"back: %s\n%s\n",
			e.msg, json);
		abort();
	}
	g = fault_engine_new(p, NULL, 1, 1);
	for (i = 0; i < 8; i++) {
		struct fault_request q;
		struct fault_action a;
		struct buf out;
		memset(&q, 0, sizeof(q));
		q.method = i % 2 ? "POST" : "GET";
		q.path = "/items/1";
		q.description = i % 3 ? "an item" : NULL;
		q.ix = i % 3 ? 0 : -1;
		q.session = i > 4 ? "s" : NULL;
		q.session_len = i > 4 ? 1 : 0;
		fault_decide(g, &q, &a);
		buf_init(&out, 0);
		if (a.outcome == FAULT_ERROR)
			fault_error_response(&a, 0, 1, &out);
		buf_release(&out);
		fault_action_done(&a);
	}
	fault_engine_free(g);
	fault_profile_free(again);
	fault_profile_free(p);
	free(json);
	return 0;
}
