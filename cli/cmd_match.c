/*
 * cmd_match.c: `accord match`: does ACTUAL satisfy EXPECTED? Both are JSON
 * files laid out as the Pact specification's test cases lay out their
 * `expected` and `actual` objects; a single test-case file (holding both)
 * is accepted too. Prints "match" or one line per mismatch.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char *const usage[] = {
	"accord match --request|--response|--message [--spec N] EXPECTED ACTUAL",
	"accord match [--spec N] TESTCASE", NULL
};

static cJSON *load_json(const char *path)
{
	struct buf b;
	struct err e;
	cJSON *doc;
	buf_init(&b, 0);
	err_clear(&e);
	if (read_input(path, &b)) {
		buf_release(&b);
		return NULL;
	}
	doc = json_parse_text(path, b.ptr, b.len, &e);
	if (!doc)
		print_err(&e);
	buf_release(&b);
	return doc;
}

static enum part_kind guess_kind(const cJSON *o)
{
	if (cJSON_GetObjectItemCaseSensitive(o, "method") ||
	    cJSON_GetObjectItemCaseSensitive(o, "path") ||
	    cJSON_GetObjectItemCaseSensitive(o, "query"))
		return PART_REQUEST;
	if (cJSON_GetObjectItemCaseSensitive(o, "contents") ||
	    cJSON_GetObjectItemCaseSensitive(o, "metaData") ||
	    cJSON_GetObjectItemCaseSensitive(o, "metadata"))
		return PART_MESSAGE;
	return PART_RESPONSE;
}

static int report(const struct mismatches *m)
{
	size_t i;
	if (!m->n) {
		printf("match\n");
		return EXIT_OK;
	}
	for (i = 0; i < m->n; i++)
		printf("%s: %s\n", m->v[i].path, m->v[i].message);
	if (m->dropped)
		printf("... and %zu more mismatches\n", m->dropped);
	return EXIT_MISMATCH;
}

/* EXPECTED from an interaction of a contract, ACTUAL from a file. */
static int match_against_contract(const char *path, const char *desc,
				  enum part_kind kind, const char *actual,
				  int search)
{
	struct contract *c = load_contract(path);
	const struct interaction *ix = NULL;
	struct match_opts o;
	struct mismatches m;
	struct err e;
	cJSON *doc;
	size_t i;
	int status = EXIT_ERROR;
	if (!c)
		return EXIT_ERROR;
	for (i = 0; i < c->n && !ix; i++)
		if (c->ix[i].description && !strcmp(c->ix[i].description, desc))
			ix = &c->ix[i];
	if (!ix) {
		fprintf(stderr, "%s: error: no interaction '%s'\n", path, desc);
		contract_free(c);
		return EXIT_ERROR;
	}
	doc = load_json(actual);
	if (!doc) {
		contract_free(c);
		return EXIT_ERROR;
	}
	memset(&o, 0, sizeof(o));
	o.spec = c->spec;
	o.regex_search = search;
	mismatches_init(&m);
	err_clear(&e);
	if (kind == PART_MESSAGE && ix->type != IX_HTTP) {
		struct message act;
		memset(&act, 0, sizeof(act));
		if (!message_from_cjson(doc, c->spec, "", &act, &e)) {
			match_message(&ix->message, &act, &o, &m);
			status = report(&m);
		}
		message_release(&act);
	} else if (kind == PART_REQUEST && ix->type == IX_HTTP) {
		struct http_request act;
		memset(&act, 0, sizeof(act));
		if (!request_from_cjson(doc, c->spec, "", &act, &e)) {
			match_request(&ix->request, &act, &o, &m);
			status = report(&m);
		}
		request_release(&act);
	} else if (kind == PART_RESPONSE && ix->type == IX_HTTP) {
		struct http_response act;
		memset(&act, 0, sizeof(act));
		if (!response_from_cjson(doc, c->spec, "", &act, &e)) {
			match_response(&ix->response, &act, &o, &m);
			status = report(&m);
		}
		response_release(&act);
	} else {
		err_set(&e, ERR_USAGE, "interaction '%s' has no such part",
			desc);
	}
	if (e.code) {
		err_setsource(&e, actual);
		print_err(&e);
	}
	mismatches_release(&m);
	cJSON_Delete(doc);
	contract_free(c);
	return status;
}

int cmd_match(int argc, char **argv)
{
	int req = 0, resp = 0, msg = 0, search = 0, n, status;
	const char *spec = NULL, *contract = NULL, *desc = NULL;
	struct opt opts[] = {
		OPT_FLAG_(0, "request", &req, "compare requests"),
		OPT_FLAG_(0, "response", &resp, "compare responses"),
		OPT_FLAG_(0, "message", &msg, "compare messages"),
		OPT_STRING_(
			0, "spec", &spec, "N",
			"Pact specification: 1, 1.1, 2, 3 or 4 (default 4)"),
		OPT_FLAG_(0, "regex-search", &search,
			  "unanchored regexes, as pact-reference does"),
		OPT_STRING_(0, "contract", &contract, "FILE",
			    "take EXPECTED from this contract"),
		OPT_STRING_(0, "interaction", &desc, "DESC",
			    "the interaction's description (with --contract)"),
		OPT_END_(),
	};
	cJSON *exp_doc = NULL, *act_doc = NULL;
	const cJSON *exp, *act;
	struct match_opts o;
	struct mismatches m;
	struct err e;
	enum part_kind kind;
	long r;
	n = opt_parse(argc, argv, opts, usage);
	if (n < 0)
		return n == -2 ? EXIT_OK : EXIT_ERROR;
	if ((n != 1 && n != 2) || req + resp + msg > 1) {
		opt_usage(opts, usage, 1);
		return EXIT_ERROR;
	}
	memset(&o, 0, sizeof(o));
	o.spec = spec ? spec_parse(spec) : SPEC_V4;
	o.regex_search = search;
	if (o.spec == SPEC_UNKNOWN) {
		fprintf(stderr,
			"accord: error: unknown specification version '%s'\n",
			spec);
		return EXIT_ERROR;
	}
	if (contract) {
		if (n != 1 || !desc || req + resp + msg != 1) {
			fprintf(stderr,
				"accord: error: --contract needs --interaction, one of --request/--response/--message and one ACTUAL file\n");
			return EXIT_ERROR;
		}
		return match_against_contract(contract, desc,
					      req    ? PART_REQUEST
					      : resp ? PART_RESPONSE
						     : PART_MESSAGE,
					      argv[0], search);
	}
	exp_doc = load_json(argv[0]);
	if (!exp_doc)
		return EXIT_ERROR;
	if (n == 1) {
		exp = cJSON_GetObjectItemCaseSensitive(exp_doc, "expected");
		act = cJSON_GetObjectItemCaseSensitive(exp_doc, "actual");
		if (!exp || !act) {
			fprintf(stderr,
				"%s: error: a single argument must be a test case with 'expected' and 'actual'\n",
				argv[0]);
			cJSON_Delete(exp_doc);
			return EXIT_ERROR;
		}
	} else {
		act_doc = load_json(argv[1]);
		if (!act_doc) {
			cJSON_Delete(exp_doc);
			return EXIT_ERROR;
		}
		exp = exp_doc;
		act = act_doc;
	}
	kind = req    ? PART_REQUEST
	       : resp ? PART_RESPONSE
	       : msg  ? PART_MESSAGE
		      : guess_kind(exp);
	mismatches_init(&m);
	err_clear(&e);
	r = match_parts(kind, exp, act, &o, &m, &e);
	if (r < 0) {
		err_setsource(&e, argv[0]);
		print_err(&e);
		status = EXIT_ERROR;
	} else {
		status = report(&m);
	}
	mismatches_release(&m);
	cJSON_Delete(exp_doc);
	cJSON_Delete(act_doc);
	return status;
}
