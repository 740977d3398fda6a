/*
 * serving.c: what `accord stub`, `accord mock` and `accord record` share
 * around stub_serve(): where the server's messages go, and the process
 * signals, which the stub library leaves to its caller.
 *
 * The library prints nothing; it hands each message to the hook set here,
 * which writes it to stderr as a text line ("accord: ...") or, for
 * --log-format json, as one JSON object a line: {"event": ..., the
 * event's fields (or "message" for events without), "level": ...}.
 *
 * Signals are watched by a libuv loop of our own on a thread of its own
 * (stub_serve() holds the calling thread): SIGINT and SIGTERM stop the
 * server gracefully, SIGHUP reloads it, both through its stub_control.
 * SIGPIPE is ignored for the whole process by main().
 */
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "stubserver/stubserver.h"

static void log_text(void *ctx, const struct stub_log_record *r)
{
	struct buf b;
	(void)ctx;
	buf_init(&b, 0);
	buf_add_visible(&b, r->text, strlen(r->text));
	fprintf(stderr, "accord: %s\n", b.ptr);
	buf_release(&b);
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

struct serve_signals {
	uv_loop_t loop;
	uv_signal_t sigint, sigterm, sighup;
	uv_async_t quit;
	pthread_t thread;
	struct stub_control *ctl;
};

static void on_signal(uv_signal_t *h, int signum)
{
	struct serve_signals *ss = h->data;
	if (signum == SIGHUP)
		stub_control_reload(ss->ctl);
	else
		stub_control_stop(ss->ctl);
}

static void close_handle(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* serve_signals_stop(): the watchers go, and with them our handlers. */
static void on_quit(uv_async_t *a)
{
	uv_walk(a->loop, close_handle, NULL);
}

static void *watch(void *arg)
{
	struct serve_signals *ss = arg;
	uv_run(&ss->loop, UV_RUN_DEFAULT);
	return NULL;
}

static int watch_signal(struct serve_signals *ss, uv_signal_t *h, int signum)
{
	int r = uv_signal_init(&ss->loop, h);
	if (r)
		return r;
	h->data = ss;
	return uv_signal_start(h, on_signal, signum);
}

struct serve_signals *serve_signals_start(struct stub_control *ctl,
					  struct err *e)
{
	struct serve_signals *ss = xcalloc(1, sizeof(*ss));
	int r;
	ss->ctl = ctl;
	r = uv_loop_init(&ss->loop);
	if (r) {
		err_set(e, ERR_IO, "cannot watch signals: %s", uv_strerror(r));
		free(ss);
		return NULL;
	}
	r = uv_async_init(&ss->loop, &ss->quit, on_quit);
	if (!r)
		r = watch_signal(ss, &ss->sigint, SIGINT);
	if (!r)
		r = watch_signal(ss, &ss->sigterm, SIGTERM);
	if (!r)
		r = watch_signal(ss, &ss->sighup, SIGHUP);
	if (!r)
		r = pthread_create(&ss->thread, NULL, watch, ss) ? UV_EAGAIN
								 : 0;
	if (r) {
		err_set(e, ERR_IO, "cannot watch signals: %s", uv_strerror(r));
		uv_walk(&ss->loop, close_handle, NULL);
		uv_run(&ss->loop, UV_RUN_DEFAULT);
		uv_loop_close(&ss->loop);
		free(ss);
		return NULL;
	}
	return ss;
}

void serve_signals_stop(struct serve_signals *ss)
{
	if (!ss)
		return;
	uv_async_send(&ss->quit);
	pthread_join(ss->thread, NULL);
	uv_loop_close(&ss->loop);
	free(ss);
}

static int loopback(const char *host)
{
	return !strncmp(host, "127.", 4) || !strcmp(host, "::1") ||
	       !strcmp(host, "localhost");
}

int serve_admin_token(struct stub_config *cfg)
{
	const char *env = getenv("ACCORD_ADMIN_TOKEN");
	if (!cfg->admin_token && env && *env)
		cfg->admin_token = env;
	if (cfg->admin_token && !*cfg->admin_token) {
		fprintf(stderr, "accord: error: --admin-token is empty\n");
		return -1;
	}
	if (!loopback(cfg->host) && !cfg->admin_token) {
		fprintf(stderr, "accord: error: --admin-token (or "
				"ACCORD_ADMIN_TOKEN) is required when --host "
				"is not a loopback address\n");
		return -1;
	}
	return 0;
}
