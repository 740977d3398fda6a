/*
 * cli: the accord command line. main.c holds the command table; each
 * command lives in cmd_<name>.c. Only this folder prints to the user or
 * decides exit codes.
 */
#ifndef ACCORD_CLI_H
#define ACCORD_CLI_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include "contracts/contracts.h"

/* Exit codes shared by every command. */
enum {
	EXIT_OK = 0,
	EXIT_MISMATCH = 1,
	EXIT_ERROR = 2,
};

/* Options, declared as tables so that -h is generated from them. */
enum opt_type { OPT_END, OPT_FLAG, OPT_STRING, OPT_INT, OPT_GROUP };

struct opt {
	enum opt_type type;
	char shortname;
	const char *longname;
	void *value;	  /* int * for FLAG/INT, const char ** for STRING */
	const char *argh; /* "N", "FILE", ... */
	const char *help;
};

#define OPT_FLAG_(s, l, v, h)                                                  \
	{                                                                      \
		OPT_FLAG, (s), (l), (v), NULL, (h)                             \
	}
#define OPT_STRING_(s, l, v, a, h)                                             \
	{                                                                      \
		OPT_STRING, (s), (l), (v), (a), (h)                            \
	}
#define OPT_INT_(s, l, v, a, h)                                                \
	{                                                                      \
		OPT_INT, (s), (l), (v), (a), (h)                               \
	}
#define OPT_END_()                                                             \
	{                                                                      \
		OPT_END, 0, NULL, NULL, NULL, NULL                             \
	}

/*
 * Parses argv[1..] against opts; the remaining arguments are moved to the
 * front of argv and their count returned. -h/--help prints usage and
 * returns -2; an error prints a message and usage and returns -1.
 */
int opt_parse(int argc, char **argv, const struct opt *opts,
	      const char *const *usage);
/*
 * opt_parse() for a command that takes one or more arguments: their count,
 * or -1 with *status the exit status to return (EXIT_OK after -h; else
 * EXIT_ERROR, with usage printed when no argument was given).
 */
int opt_parse_some(int argc, char **argv, const struct opt *opts,
		   const char *const *usage, int *status);
void opt_usage(const struct opt *opts, const char *const *usage, int to_err);

/*
 * Expands files and directories (*.json, *.yaml, *.yml) into a list.
 * Returns -1 when an argument could not be read (after reporting it); the
 * list then still holds every file that could be found.
 */
struct path_list {
	char **v;
	size_t n;
};
int collect_paths(char **args, int n, struct path_list *out);
void path_list_release(struct path_list *l);

/*
 * Reads a whole file (at most CONTRACT_MAX_FILE bytes) into out, which the
 * caller initialised and releases; prints why not and returns -1.
 */
int read_input(const char *path, struct buf *out);
/*
 * Duration option `name` in whole milliseconds, at least min_ms: every
 * unit duration_parse takes ("500ms", "1.5s", "2m", ...), and a plain
 * number counts seconds; at most OPT_MAX_DURATION_MS. Prints why not
 * ("accord: error: --timeout: expected a duration such as 250ms, 1.5s or
 * 2m, not 'soon'") and returns -1.
 */
int opt_duration(const char *name, const char *s, long min_ms, long *ms);
/* 0 when min <= v <= max; else says which option is out of which range
 * ("--port must be from 0 to 65535, not 99999") and returns -1. */
int opt_range(const char *name, long v, long min, long max);

/* The ranges of options: past them a value is a typo, not a wish. */
#define OPT_MAX_PORT 65535 /* TCP's */
/* Statuses an answer may be given: the classes HTTP defines, 1xx-5xx. */
#define OPT_MIN_STATUS 100
#define OPT_MAX_STATUS 599
/* A body is held whole in memory: 4 GiB is past any contract test. */
#define OPT_MAX_BODY_MB 4096
/* Journal entries are about 200 bytes: 200 MB at most. */
#define OPT_MAX_JOURNAL 1000000
/* Open connections: more than one process has file descriptors for. */
#define OPT_MAX_CONNECTIONS 1000000
/* A thread and a loop each: past the cores of any machine. */
#define OPT_MAX_WORKERS 256
/* Transfers in flight at once: a provider saturates long before. */
#define OPT_MAX_JOBS 256
/* Durations (--timeout, --idle-timeout, ...): at most a day. */
#define OPT_MAX_DURATION_MS ((long)DURATION_MAX_MS)
/* Writes b to stdout and flushes; prints an error and returns -1. */
int write_stdout(const struct buf *b);

/* Reads and parses one contract file; prints the error and returns NULL. */
struct contract *load_contract(const char *path);
/* Prints an error in compiler style to stderr. */
void print_err(const struct err *e);

/* pactout.c: what accord mock and accord record share. */

/* --out: a file, or a directory (existing, or ending in '/') that gets
 * CONSUMER-PROVIDER.json. Caller frees. */
char *pact_out_path(const char *out, const char *consumer,
		    const char *provider);
/*
 * Writes c at version spec into path, merged with the pact already there
 * (contract_merge), under a lock on path.lock and atomically. Creates the
 * directories above path. -1 with err set; a file that is there but
 * cannot be read as a contract is left alone (an error).
 */
int pact_write_merged(const char *path, const struct contract *c,
		      enum spec_version spec, struct err *e);
/* --spec v3|v4, in any spelling spec_parse reads (3, v3, 3.0.0, ...);
 * prints the error and returns -1. */
int spec_option(const char *s, enum spec_version *v);
/*
 * Cuts argv at "--": returns the count of arguments before it (for
 * opt_parse) and points *cmd at the NULL-terminated command after it
 * (NULL when there is none).
 */
int split_command(int argc, char **argv, char ***cmd);

/* -- CMD ARGS...: the child a server runs. Zero it, set argv and the
 * server's control. */
struct stub_control;
struct child {
	char **argv;
	struct stub_control *control;
	pid_t pid;
	int started; /* 1: a thread waits for it; 2: child_finish will */
	int status;  /* its exit status (128+N for signal N) */
	pthread_t thread;
	atomic_int exited;
};
/*
 * Runs argv with ACCORD_URL=url added to the environment, and a thread
 * that waits for it and then stops the server (ch->control).
 * On failure prints why, stops the server too and returns -1 (status 127).
 */
int child_start(struct child *ch, const char *url);
/* After the server stopped: the child's exit status (stopping it with
 * SIGTERM if the server stopped first). */
int child_finish(struct child *ch);

/* serving.c: what accord stub, mock and record share. */

struct stub_config;
/*
 * Sends the server's messages to stderr: text lines, or with json one
 * JSON object a line ({"event", the event's fields or "message",
 * "level"}).
 */
void serve_log_to_stderr(struct stub_config *cfg, int json);
/*
 * The admin token of a server command: --admin-token, else the
 * environment's ACCORD_ADMIN_TOKEN (so that it need not show in ps or
 * /proc/PID/cmdline). A host that is not a loopback address requires one.
 * Returns 0, or -1 after saying why.
 */
int serve_admin_token(struct stub_config *cfg);
/*
 * Watches SIGINT and SIGTERM (they stop the server through ctl, which
 * then drains) and SIGHUP (a reload through ctl) on a thread of its own,
 * until serve_signals_stop() (which takes NULL too): from then on they
 * have their default effect again. NULL with e set when it cannot.
 */
struct serve_signals;
struct serve_signals *serve_signals_start(struct stub_control *ctl,
					  struct err *e);
void serve_signals_stop(struct serve_signals *ss);

int cmd_mock(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_stub(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
