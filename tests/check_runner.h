/*
 * check_runner.h: the end of every Check unit-test program's main, written
 * once. Each tests/test_*.c used to repeat the same five lines to run its
 * suite and turn the failure count into an exit status; they now end with
 * `return check_runner_run_suite(suite);`.
 *
 * Header-only (static inline) so that no test program needs another source
 * file in its build lines.
 */
#ifndef OC_TEST_CHECK_RUNNER_H
#define OC_TEST_CHECK_RUNNER_H

#include <check.h>
#include <stdlib.h>

/* Runs every test in suite with CK_NORMAL output (fork mode as Check's
 * default or CK_FORK in the environment decides) and returns the exit
 * status for main: EXIT_SUCCESS when none failed, EXIT_FAILURE otherwise.
 * Takes ownership of suite: the runner frees it. */
static inline int check_runner_run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
