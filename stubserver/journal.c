/*
 * journal.c: the request journal behind GET /__accord/requests: a ring of
 * the last N requests (method, target, status, the interaction that
 * answered, the time taken, the session and the fault decisions), which
 * a failing CI run saves and `accord stub --replay` reads back. Entries
 * reuse their buffers, so a warm journal allocates nothing per request.
 * The journal takes no lock of its own: the stub server writes and reads
 * it under its shared mutex.
 */
#include "stubserver/internal.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

struct stub_journal {
	struct stub_journal_entry *entries;
	size_t cap; /* 0: the journal is off */
	size_t head, count;
	unsigned long long seq;
};

double stub_ms_shown(double ms)
{
	return round(ms * 1000) / 1000;
}

struct stub_journal *stub_journal_new(size_t cap)
{
	struct stub_journal *jn = xcalloc(1, sizeof(*jn));
	size_t i;
	jn->cap = cap;
	jn->entries = xcalloc(cap ? cap : 1, sizeof(*jn->entries));
	for (i = 0; i < (cap ? cap : 1); i++) {
		buf_init(&jn->entries[i].method, 0);
		buf_init(&jn->entries[i].target, 0);
		buf_init(&jn->entries[i].interaction, 0);
		buf_init(&jn->entries[i].session, 0);
	}
	return jn;
}

void stub_journal_free(struct stub_journal *jn)
{
	size_t i;
	if (!jn)
		return;
	for (i = 0; i < (jn->cap ? jn->cap : 1); i++) {
		buf_release(&jn->entries[i].method);
		buf_release(&jn->entries[i].target);
		buf_release(&jn->entries[i].interaction);
		buf_release(&jn->entries[i].session);
		cJSON_Delete(jn->entries[i].faults);
	}
	free(jn->entries);
	free(jn);
}

size_t stub_journal_clear(struct stub_journal *jn)
{
	size_t n = jn->count;
	jn->head = jn->count = 0;
	return n;
}

void stub_journal_keep_descriptions(struct stub_journal *jn,
				    const struct stub_set *old, unsigned gen)
{
	size_t i, cap = jn->cap;
	for (i = 0; i < jn->count; i++) {
		struct stub_journal_entry *j =
			&jn->entries[(jn->head + cap - jn->count + i) % cap];
		const char *d;
		if (!j->matched || j->has_desc || j->gen != gen)
			continue;
		d = stub_set_description(old, j->index);
		buf_reset(&j->interaction);
		buf_addstr(&j->interaction, d ? d : "");
		j->has_desc = 1;
	}
}

struct stub_journal_entry *stub_journal_next(struct stub_journal *jn,
					     const char *method,
					     const char *target, int status,
					     double seconds, unsigned gen)
{
	size_t cap = jn->cap;
	struct stub_journal_entry *j = NULL;
	jn->seq++;
	if (!cap)
		return NULL;
	j = &jn->entries[jn->head];
	buf_reset(&j->method);
	buf_reset(&j->target);
	buf_reset(&j->session);
	j->has_desc = 0;
	j->seq = jn->seq;
	j->when = time(NULL);
	buf_addstr(&j->method, method);
	buf_addstr(&j->target, target);
	j->status = status;
	j->matched = 0;
	j->index = 0;
	j->gen = gen;
	j->ms = seconds * 1000;
	j->has_ordinal = 0;
	cJSON_Delete(j->faults);
	j->faults = NULL;
	j->forwarded = 0;
	jn->head = (jn->head + 1) % cap;
	if (jn->count < cap)
		jn->count++;
	return j;
}

cJSON *stub_journal_json(const struct stub_journal *jn,
			 const struct stub_set *set, unsigned gen,
			 uint64_t seed)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t cap = jn->cap, i;
	/* seeds stay below 2^53: exact as a JSON number */
	cJSON_AddNumberToObject(o, "seed", (double)seed);
	a = cJSON_AddArrayToObject(o, "requests");
	for (i = 0; i < jn->count; i++) {
		const struct stub_journal_entry *j =
			&jn->entries[(jn->head + cap - jn->count + i) % cap];
		cJSON *e = cJSON_CreateObject();
		char when[32];
		struct tm tm;
		gmtime_r(&j->when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		cJSON_AddNumberToObject(e, "seq", (double)j->seq);
		cJSON_AddStringToObject(e, "time", when);
		cJSON_AddStringToObject(e, "method", j->method.ptr);
		cJSON_AddStringToObject(e, "target", j->target.ptr);
		cJSON_AddNumberToObject(e, "status", j->status);
		if (j->matched)
			cJSON_AddStringToObject(
				e, "interaction",
				j->has_desc || j->gen != gen
					? j->interaction.ptr
					: stub_set_description(set, j->index));
		else
			cJSON_AddNullToObject(e, "interaction");
		cJSON_AddNumberToObject(e, "ms", stub_ms_shown(j->ms));
		if (j->session.len)
			cJSON_AddStringToObject(e, "session", j->session.ptr);
		if (j->has_ordinal)
			cJSON_AddNumberToObject(e, "ordinal",
						(double)j->ordinal);
		if (j->faults)
			cJSON_AddItemToObject(e, "faults",
					      cJSON_Duplicate(j->faults, 1));
		if (j->forwarded)
			cJSON_AddTrueToObject(e, "forwarded");
		cJSON_AddItemToArray(a, e);
	}
	return o;
}
