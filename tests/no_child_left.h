/*
 * no_child_left.h: the check, after a run, that the process under test
 * reaped every child it forked: workers, store readers, the digest. Four
 * test programs made it, two with a helper of their own and two inline
 * (thirteen times).
 *
 * Header-only (static inline), as check_runner.h is.
 */
#ifndef OC_TEST_NO_CHILD_LEFT_H
#define OC_TEST_NO_CHILD_LEFT_H

#include <check.h>
#include <errno.h>
#include <sys/wait.h>

/* Fails the test unless this process has no child at all, running or a
 * zombie waiting to be reaped. */
static inline void assert_no_child_left(void)
{
    errno = 0;
    ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
}

#endif
