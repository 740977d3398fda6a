/*
 * main.c: accord's entry point and command table.
 */
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd commands[] = {
	{ "stub", cmd_stub, "serve contracts as a fake provider over HTTP" },
	{ "verify", cmd_verify, "check a running provider against contracts" },
	{ "mock", cmd_mock,
	  "consumer-side mock: expectations in, contract out" },
	{ "record", cmd_record, "recording proxy in front of a real provider" },
	{ "validate", cmd_validate,
	  "check contract files, report file:line errors" },
	{ "match", cmd_match,
	  "does ACTUAL satisfy EXPECTED (with its rules)?" },
	{ "convert", cmd_convert, "rewrite a contract in another format" },
	{ "diff", cmd_diff,
	  "what changed between two versions of a contract, and does it break" },
	{ "graph", cmd_graph,
	  "consumers -> providers, cycles and blast radius" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "usage: accord [--version] [--help] COMMAND [ARGS]\n\n"
		   "accord: consumer-driven contract testing and service "
		   "virtualization (Pact v1-v4)\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "    %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nexit codes: 0 success, 1 mismatches or failures, "
		   "2 usage, contract, I/O or server error\n"
		   "'accord help COMMAND' or 'accord COMMAND -h' for a "
		   "command's options\n");
}

static const struct cmd *find(const char *name)
{
	size_t i;
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("accord %s\n", ACCORD_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		char *hargv[3];
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		c = find(argv[2]);
		if (!c) {
			fprintf(stderr, "accord: error: unknown command '%s'\n",
				argv[2]);
			return EXIT_ERROR;
		}
		hargv[0] = argv[2];
		hargv[1] = (char *)"--help";
		hargv[2] = NULL;
		return c->fn(2, hargv);
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr,
			"accord: error: unknown command '%s' (see 'accord --help')\n",
			argv[1]);
		return EXIT_ERROR;
	}
	return c->fn(argc - 1, argv + 1);
}
