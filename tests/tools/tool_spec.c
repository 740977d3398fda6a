/*
 * tool_spec.c: runs every case of the Pact specification's test suite
 * (pact-spec-testcases/v1 ... v4) through the matching engine and fails on
 * any disagreement with the case's "match" verdict.
 *
 * usage: tool_spec [-v] DIR   (DIR holds v1/, v1.1/, v2/, v3/, v4/)
 */
#include "contracts/contracts.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tally {
	int passed;
	int failed;
	int verbose;
};

static void run_case(const char *path, enum spec_version v, enum part_kind k,
		     struct tally *t)
{
	struct buf b;
	struct err e;
	cJSON *doc;
	const cJSON *want;
	struct mismatches m;
	struct match_opts o = { v, 0, 0 };
	long n = 0;
	size_t i;
	int mode;
	buf_init(&b, 0);
	err_clear(&e);
	if (read_file(path, 1 << 24, &b, &e) ||
	    !(doc = json_parse_text(path, b.ptr, b.len, &e))) {
		printf("FAIL %s: cannot read: %s\n", path, e.msg);
		t->failed++;
		buf_release(&b);
		return;
	}
	want = cJSON_GetObjectItemCaseSensitive(doc, "match");
	mismatches_init(&m);
	/* rules looked up by scan, then through the index, then as chosen:
	 * each must give the verdict; the last run's mismatches are shown */
	for (mode = -1; mode <= 1; mode += 2) {
		o.rule_index = mode;
		n = match_parts(
			k, cJSON_GetObjectItemCaseSensitive(doc, "expected"),
			cJSON_GetObjectItemCaseSensitive(doc, "actual"), &o, &m,
			&e);
		if (n < 0 || (n == 0) != cJSON_IsTrue(want))
			break;
		mismatches_release(&m);
	}
	if (n >= 0 && mode > 1) {
		o.rule_index = 0;
		n = match_parts(
			k, cJSON_GetObjectItemCaseSensitive(doc, "expected"),
			cJSON_GetObjectItemCaseSensitive(doc, "actual"), &o, &m,
			&e);
	}
	if (n < 0) {
		printf("FAIL %s: error: %s: %s\n", path, e.pointer, e.msg);
		t->failed++;
	} else if ((n == 0) != cJSON_IsTrue(want)) {
		printf("FAIL %s: expected %s, got %s (rule index mode %d)\n",
		       path, cJSON_IsTrue(want) ? "match" : "mismatch",
		       n ? "mismatch" : "match", o.rule_index);
		for (i = 0; i < m.n; i++)
			printf("     %s: %s\n", m.v[i].path, m.v[i].message);
		t->failed++;
	} else {
		if (t->verbose)
			printf("ok   %s\n", path);
		t->passed++;
	}
	mismatches_release(&m);
	cJSON_Delete(doc);
	buf_release(&b);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, enum spec_version v, enum part_kind k,
		 struct tally *t)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = xgrow(names, &cap, n + 1, sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(char *), cmp);
	for (i = 0; i < n; i++) {
		struct buf p;
		struct stat st;
		enum part_kind kk = k;
		buf_init(&p, 0);
		buf_addf(&p, "%s/%s", dir, names[i]);
		if (!strcmp(names[i], "request"))
			kk = PART_REQUEST;
		else if (!strcmp(names[i], "response"))
			kk = PART_RESPONSE;
		else if (!strcmp(names[i], "message"))
			kk = PART_MESSAGE;
		if (!stat(p.ptr, &st) && S_ISDIR(st.st_mode))
			walk(p.ptr, v, kk, t);
		else if (strlen(names[i]) > 5 &&
			 !strcmp(names[i] + strlen(names[i]) - 5, ".json"))
			run_case(p.ptr, v, kk, t);
		buf_release(&p);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *dir;
		enum spec_version v;
	} versions[] = { { "v1", SPEC_V1 },
			 { "v1.1", SPEC_V1_1 },
			 { "v2", SPEC_V2 },
			 { "v3", SPEC_V3 },
			 { "v4", SPEC_V4 } };
	struct tally t = { 0, 0, 0 };
	const char *root;
	size_t i;
	int a = 1;
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		t.verbose = 1;
		a++;
	}
	if (a >= argc) {
		fprintf(stderr, "usage: tool_spec [-v] DIR\n");
		return 2;
	}
	root = argv[a];
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct buf p;
		buf_init(&p, 0);
		buf_addf(&p, "%s/%s", root, versions[i].dir);
		walk(p.ptr, versions[i].v, PART_REQUEST, &t);
		buf_release(&p);
	}
	printf("spec: %d passed, %d failed\n", t.passed, t.failed);
	return t.failed || !t.passed ? 1 : 0;
}
