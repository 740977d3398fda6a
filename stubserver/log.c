/*
 * log.c: the stub library's one way of saying something. It prints
 * nothing itself: each message becomes a record (level, event, the line
 * as text, and the event's data as JSON fields when it has any) handed to
 * the hook the caller set in struct stub_config, which cli/ writes as a
 * text or a JSON line. Without a hook, messages are dropped.
 */
#include "stubserver/internal.h"

#include <stdarg.h>

void stub_log(stub_log_fn fn, void *ctx, enum log_level level,
	      const char *event, const cJSON *fields, const char *fmt, ...)
{
	struct stub_log_record r;
	struct buf text;
	va_list ap;
	if (!fn)
		return;
	buf_init(&text, 0);
	va_start(ap, fmt);
	buf_vaddf(&text, fmt, ap);
	va_end(ap);
	r.level = level;
	r.event = event;
	r.text = text.ptr;
	r.fields = fields;
	fn(ctx, &r);
	buf_release(&text);
}
