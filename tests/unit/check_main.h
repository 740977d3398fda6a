/*
 * check_main.h: what every Check suite's main() does: run the suite in
 * fork mode (a crash or a leak is blamed on one test) and turn failures
 * into the exit status.
 */
#ifndef ACCORD_TESTS_CHECK_MAIN_H
#define ACCORD_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
