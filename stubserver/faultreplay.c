/*
 * faultreplay.c: `accord stub --replay JOURNAL`. A journal (what GET
 * /__accord/requests answered) is read into a table of the fault
 * decisions it recorded, keyed by session, interaction and the request's
 * ordinal; the engine (fault.c) then looks each request up there instead
 * of deciding, so a failing CI run's faults happen again in the same
 * places.
 */
#include "stubserver/fault.h"

#include <stdlib.h>
#include <string.h>

/* The decisions' hash table has at least this many slots (a power of two),
 * and two for each entry of a longer journal. */
#define REPLAY_TABLE_MIN 1024

struct replay_entry {
	char *key;
	cJSON *faults;
	struct replay_entry *next;
};

struct fault_replay {
	struct replay_entry **table;
	size_t tsize, n;
	uint64_t seed;
};

/* The action a journal entry recorded ("faults" list), for a replay. */
static void from_log(const cJSON *faults, struct fault_action *a)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, faults)
	{
		const cJSON *eff = cJSON_GetObjectItemCaseSensitive(o,
								    "effect");
		const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "ms");
		const char *e = cJSON_IsString(eff) ? eff->valuestring : "";
		double msv = cJSON_IsNumber(ms) ? ms->valuedouble : 0;
		const cJSON *x;
		enum fault_outcome oc;
		if (!strcmp(e, "latency")) {
			a->delay_ms += msv;
			continue;
		}
		if (!strcmp(e, "bandwidth")) {
			x = cJSON_GetObjectItemCaseSensitive(o, "bytes_per_s");
			if (cJSON_IsNumber(x) && x->valuedouble >= 1)
				a->bandwidth = x->valuedouble;
			continue;
		}
		if (!strcmp(e, "slow-head")) {
			a->slow_head_ms = msv;
			continue;
		}
		oc = fault_outcome_named(e);
		if (oc == FAULT_NONE || a->outcome != FAULT_NONE)
			continue;
		a->outcome = oc;
		if (oc == FAULT_ERROR) {
			x = cJSON_GetObjectItemCaseSensitive(o, "status");
			a->status = cJSON_IsNumber(x) ? (int)x->valuedouble
						      : 500;
			if (a->status < STUB_FINAL_STATUS_MIN ||
			    a->status > STUB_STATUS_MAX)
				a->status = 500;
			x = cJSON_GetObjectItemCaseSensitive(o, "headers");
			if (cJSON_IsObject(x))
				a->error_headers = cJSON_Duplicate(x, 1);
			x = cJSON_GetObjectItemCaseSensitive(o, "body");
			a->error_body = cJSON_Duplicate(x, 1);
		} else if (oc == FAULT_TRUNCATE) {
			x = cJSON_GetObjectItemCaseSensitive(o, "bytes");
			if (cJSON_IsNumber(x) && x->valuedouble >= 0)
				a->trunc_bytes = (long)x->valuedouble;
			x = cJSON_GetObjectItemCaseSensitive(o, "fraction");
			if (cJSON_IsNumber(x))
				a->trunc_fraction = x->valuedouble;
		} else if (oc == FAULT_GARBAGE) {
			x = cJSON_GetObjectItemCaseSensitive(o, "bytes");
			a->garbage_bytes =
				cJSON_IsNumber(x) && x->valuedouble >= 1 &&
						x->valuedouble <=
							FAULT_MAX_GARBAGE
					? (size_t)x->valuedouble
					: FAULT_DEFAULT_GARBAGE;
			x = cJSON_GetObjectItemCaseSensitive(o, "seed");
			if (cJSON_IsString(x))
				a->garbage_seed = strtoull(x->valuestring, NULL,
							   16);
		} else if (oc == FAULT_HANG) {
			a->hang_ms = msv;
		}
	}
	a->log = cJSON_Duplicate(faults, 1);
}

static const cJSON *replay_find(const struct fault_replay *rp, const char *key)
{
	uint64_t h = hash_fnv1a(HASH_FNV_OFFSET, key);
	const struct replay_entry *x;
	for (x = rp->table[h & (rp->tsize - 1)]; x; x = x->next)
		if (!strcmp(x->key, key))
			return x->faults;
	return NULL;
}

void fault_replay_decide(const struct fault_replay *rp, const char *session,
			 const char *description, uint64_t ordinal,
			 struct fault_action *a)
{
	char key[FAULT_KEY_MAX];
	const cJSON *f;
	fault_key(key, sizeof(key), 'P', session,
		  description ? description : "\x01", (long)ordinal);
	f = replay_find(rp, key);
	if (f)
		from_log(f, a);
}

uint64_t fault_replay_seed(const struct fault_replay *rp)
{
	return rp->seed;
}

void fault_replay_free(struct fault_replay *rp)
{
	size_t i;
	struct replay_entry *x, *next;
	if (!rp)
		return;
	for (i = 0; i < rp->tsize; i++)
		for (x = rp->table[i]; x; x = next) {
			next = x->next;
			free(x->key);
			cJSON_Delete(x->faults);
			free(x);
		}
	free(rp->table);
	free(rp);
}

size_t fault_replay_count(const struct fault_replay *rp)
{
	return rp ? rp->n : 0;
}

struct fault_replay *fault_replay_read(const char *name, const char *buf,
				       size_t len, struct err *e)
{
	cJSON *doc = json_parse_text(name, buf, len, e);
	const cJSON *reqs, *it, *seed;
	struct fault_replay *rp;
	size_t i = 0;
	if (!doc) {
		err_setsource(e, name);
		return NULL;
	}
	reqs = cJSON_GetObjectItemCaseSensitive(doc, "requests");
	if (!cJSON_IsArray(reqs)) {
		err_setsource(e, name);
		err_setat(e, ERR_SHAPE, "/requests", "%s",
			  "not a journal: expected {\"requests\": [...]} as "
			  "GET /__accord/requests answers");
		cJSON_Delete(doc);
		return NULL;
	}
	rp = xcalloc(1, sizeof(*rp));
	/* two slots an entry at least: lookups stay O(1) for any journal */
	for (rp->tsize = REPLAY_TABLE_MIN;
	     rp->tsize < 2 * (size_t)cJSON_GetArraySize(reqs); rp->tsize *= 2)
		;
	rp->table = xcalloc(rp->tsize, sizeof(*rp->table));
	seed = cJSON_GetObjectItemCaseSensitive(doc, "seed");
	if (cJSON_IsNumber(seed))
		rp->seed = (uint64_t)seed->valuedouble;
	cJSON_ArrayForEach(it, reqs)
	{
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "faults");
		const cJSON *ord = cJSON_GetObjectItemCaseSensitive(it,
								    "ordinal");
		const cJSON *ses = cJSON_GetObjectItemCaseSensitive(it,
								    "session");
		const cJSON *ix = cJSON_GetObjectItemCaseSensitive(
			it, "interaction");
		char key[FAULT_KEY_MAX], at[64];
		struct replay_entry *x;
		uint64_t h;
		i++;
		if (!f)
			continue;
		if (!cJSON_IsArray(f) || !cJSON_IsNumber(ord) ||
		    (ses && !cJSON_IsString(ses)) ||
		    (!cJSON_IsString(ix) && !cJSON_IsNull(ix))) {
			snprintf(at, sizeof(at), "/requests/%zu", i - 1);
			err_setsource(e, name);
			err_setat(e, ERR_SHAPE, at, "%s",
				  "a journal entry with faults needs "
				  "ordinal, interaction and a faults list");
			cJSON_Delete(doc);
			fault_replay_free(rp);
			return NULL;
		}
		fault_key(key, sizeof(key), 'P', ses ? ses->valuestring : "",
			  cJSON_IsString(ix) ? ix->valuestring : "\x01",
			  (long)ord->valuedouble);
		if (replay_find(rp, key))
			continue;
		x = xcalloc(1, sizeof(*x));
		x->key = xstrdup(key);
		x->faults = cJSON_Duplicate(f, 1);
		h = hash_fnv1a(HASH_FNV_OFFSET, key);
		x->next = rp->table[h & (rp->tsize - 1)];
		rp->table[h & (rp->tsize - 1)] = x;
		rp->n++;
	}
	cJSON_Delete(doc);
	return rp;
}
