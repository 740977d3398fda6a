/*
 * regex.c: the one place accord compiles and runs PCRE2 patterns. The
 * patterns come from other teams' files (contracts, fault profiles) and
 * from the command line, and the subjects from the wire, so every regex
 * gets the same match and depth limits: a pattern that backtracks
 * without end on some input fails that match instead of hanging a stub
 * worker or a verification.
 */
#include "contracts/model/model.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>

/* Shared by every matcher with its pattern (see regex_ref); read-only once
 * compiled, so threads may run it at once. */
struct regex {
	pcre2_code *code;	   /* JIT-compiled where the platform allows */
	pcre2_match_context *mctx; /* the match and depth limits */
	unsigned refs;
};

struct regex *regex_compile(const char *pattern, unsigned flags, struct err *e)
{
	struct regex *re;
	pcre2_code *code;
	PCRE2_SIZE off;
	int errcode;
	/* UTF-8 checked tolerantly: bytes that are not UTF-8 just fail to
	 * match */
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
			     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode,
			     &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		err_set(e, ERR_REGEX, "invalid regex '%.80s' at offset %zu: %s",
			pattern, (size_t)off, (char *)msg);
		return NULL;
	}
	/* JIT when available (an error just means the interpreter runs);
	 * the limits hold either way */
#ifndef ACCORD_FUZZ
	/* (not when fuzzing: JIT compiles would dominate each input) */
	if (!(flags & REGEX_ONE_OFF))
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
#else
	(void)flags;
#endif
	re = xmalloc(sizeof(*re));
	re->code = code;
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx)
		abort(); /* out of memory */
	pcre2_set_match_limit(re->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, REGEX_DEPTH_LIMIT);
	re->refs = 1;
	return re;
}

struct regex *regex_ref(struct regex *re)
{
	re->refs++;
	return re;
}

void regex_free(struct regex *re)
{
	if (re && !--re->refs) {
		pcre2_match_context_free(re->mctx);
		pcre2_code_free(re->code);
		free(re);
	}
}

/* 1, 0, or -1 for the codes of pcre2_match that mean a limit was hit. */
static int verdict(int rc)
{
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return -1;
	return 0;
}

static uint32_t options(unsigned flags)
{
	return flags & REGEX_WHOLE ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0;
}

int regex_match(const struct regex *re, const char *s, size_t len,
		unsigned flags)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc;
	if (!md)
		abort(); /* out of memory */
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, options(flags), md,
			 re->mctx);
	pcre2_match_data_free(md);
	return verdict(rc);
}

int regex_match_groups(const struct regex *re, const char *s, size_t len,
		       unsigned flags, struct buf *groups)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code,
								    NULL);
	PCRE2_SIZE *ov;
	int rc, k;
	if (!md)
		abort(); /* out of memory */
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, options(flags), md,
			 re->mctx);
	if (rc > 0) {
		ov = pcre2_get_ovector_pointer(md);
		for (k = 1; k < rc; k++)
			if (ov[2 * k] != PCRE2_UNSET)
				buf_add(groups, s + ov[2 * k],
					ov[2 * k + 1] - ov[2 * k]);
	}
	pcre2_match_data_free(md);
	return rc > 0 ? rc : verdict(rc);
}
