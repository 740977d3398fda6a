/*
 * serving.c: what `accord stub`, `accord mock` and `accord record` share
 * around stub_serve(): where the server's messages go. The stub library
 * prints nothing; it hands each message to the hook set here, which
 * writes it to stderr as a text line ("accord: ...") or, for
 * --log-format json, as one JSON object a line: {"event": ..., the
 * event's fields (or "message" for events without), "level": ...}.
 */
#include "cli/cli.h"

#include <stdio.h>

#include "stubserver/stubserver.h"

static void log_text(void *ctx, const struct stub_log_record *r)
{
	(void)ctx;
	fprintf(stderr, "accord: %s\n", r->text);
}

static void log_json(void *ctx, const struct stub_log_record *r)
{
	static const char *const levels[] = { "error", "warn", "info",
					      "debug" };
	cJSON *o = cJSON_CreateObject();
	const cJSON *f;
	char *s;
	(void)ctx;
	cJSON_AddStringToObject(o, "event", r->event);
	cJSON_ArrayForEach(f, r->fields)
	{
		cJSON_AddItemToObject(o, f->string, cJSON_Duplicate(f, 1));
	}
	if (!r->fields)
		cJSON_AddStringToObject(o, "message", r->text);
	cJSON_AddStringToObject(
		o, "level", r->level <= LOG_DEBUG ? levels[r->level] : "info");
	s = cJSON_PrintUnformatted(o);
	fprintf(stderr, "%s\n", s ? s : "{}");
	cJSON_free(s);
	cJSON_Delete(o);
}

void serve_log_to_stderr(struct stub_config *cfg, int json)
{
	cfg->log = json ? log_json : log_text;
	cfg->log_ctx = NULL;
}
