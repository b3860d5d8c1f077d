/* test_digest_worker.c: store digests worked out in a child process
 * (core/digest_worker.c) are the published SHA-256 values, in order; a file
 * the child cannot read gives the same one-line error as hashing it here;
 * the child runs at idle priority and a child still hashing at the end
 * is not waited for; stopping leaves no child behind. */
#define _GNU_SOURCE /* SCHED_IDLE */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "check_runner.h"
#include "digest_worker.h"
#include "no_child_left.h"
#include "temporary_directory.h"

/* FIPS 180-2 examples: SHA-256("abc") and SHA-256 of the empty string. */
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");
    ck_assert_ptr_nonnull(file);
    fputs(text, file);
    ck_assert_int_eq(fclose(file), 0);
}

START_TEST(digests_in_order)
{
    char abc[256], empty[256];
    snprintf(abc, sizeof abc, "%s", test_path("abc.h5"));
    snprintf(empty, sizeof empty, "%s", test_path("empty.h5"));
    write_file(abc, "abc");
    write_file(empty, "");
    const char *const paths[] = {empty, abc, empty};
    oc__digest_worker worker;
    oc__digest_worker_start(&worker, paths, 3);
    ck_assert_int_gt(worker.pid, 0);
    char digests[3][OC_SHA256_HEX_SIZE];
    oc_error error;
    ck_assert_int_eq(oc__digest_worker_finish(&worker, digests, &error), OC_OK);
    ck_assert_str_eq(digests[0], SHA256_EMPTY);
    ck_assert_str_eq(digests[1], SHA256_ABC);
    ck_assert_str_eq(digests[2], SHA256_EMPTY);
    assert_no_child_left();
}
END_TEST

START_TEST(an_unreadable_file_is_named)
{
    char abc[256], missing[256];
    snprintf(abc, sizeof abc, "%s", test_path("abc.h5"));
    snprintf(missing, sizeof missing, "%s", test_path("missing.h5"));
    write_file(abc, "abc");
    const char *const paths[] = {abc, missing};
    oc__digest_worker worker;
    oc__digest_worker_start(&worker, paths, 2);
    char digests[2][OC_SHA256_HEX_SIZE];
    oc_error error;
    ck_assert_int_eq(oc__digest_worker_finish(&worker, digests, &error), OC_ERROR_NOT_FOUND);
    ck_assert_str_eq(digests[0], SHA256_ABC);
    char expected[512];
    snprintf(expected, sizeof expected, "%s: cannot open for hashing: No such file or directory",
             missing);
    ck_assert_str_eq(error.message, expected);
    assert_no_child_left();
}
END_TEST

START_TEST(stopping_reaps_the_child)
{
    char abc[256];
    snprintf(abc, sizeof abc, "%s", test_path("abc.h5"));
    write_file(abc, "abc");
    const char *const paths[] = {abc};
    oc__digest_worker worker;
    oc__digest_worker_start(&worker, paths, 1);
    oc__digest_worker_stop(&worker);
    ck_assert_int_eq(worker.pid, -1);
    ck_assert_int_eq(worker.fd, -1);
    assert_no_child_left();
}
END_TEST

/* The scheduling policy (field 41 of /proc/PID/stat) of a child that has
 * finished: a zombie keeps the policy it ran with. The wait is long (30 s,
 * within Check's 60) because the child runs at idle priority: while
 * `make -j check` keeps every core busy it gets only what the other tests
 * leave, and this test is about its policy, not its speed. */
static int policy_once_finished(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    for (int attempt = 0; attempt < 30000; attempt++) {
        FILE *stat = fopen(path, "r");
        ck_assert_ptr_nonnull(stat);
        size_t length = fread(text, 1, sizeof text - 1, stat);
        fclose(stat);
        text[length] = '\0';
        const char *after_name = strrchr(text, ')'); /* the name may hold spaces */
        ck_assert_ptr_nonnull(after_name);
        if (after_name[2] == 'Z') {
            const char *field = after_name + 2; /* field 3, the state */
            for (int number = 3; number < 41; number++)
                field = strchr(field, ' ') + 1;
            return atoi(field);
        }
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    ck_abort_msg("the digest child did not finish within 30 s");
    return -1;
}

/* Hashing must not take a core from the jobs: the child runs at idle
 * priority (SCHED_IDLE, policy 5 on Linux). */
START_TEST(the_child_hashes_at_idle_priority)
{
    char abc[256];
    snprintf(abc, sizeof abc, "%s", test_path("abc.h5"));
    write_file(abc, "abc");
    const char *const paths[] = {abc};
    oc__digest_worker worker;
    oc__digest_worker_start(&worker, paths, 1);
    ck_assert_int_gt(worker.pid, 0);
    ck_assert_int_eq(policy_once_finished(worker.pid), SCHED_IDLE);
    char digests[1][OC_SHA256_HEX_SIZE];
    oc_error error;
    ck_assert_int_eq(oc__digest_worker_finish(&worker, digests, &error), OC_OK);
    ck_assert_str_eq(digests[0], SHA256_ABC);
    assert_no_child_left();
}
END_TEST

/* A child that has not finished by the end of the run and gets no CPU
 * (here: stopped, as one starved at idle priority would be) is not waited
 * for long: it is killed and its files hashed by the caller, with the same
 * digests. */
START_TEST(a_child_still_hashing_is_not_waited_for)
{
    char big[256], abc[256];
    snprintf(big, sizeof big, "%s", test_path("big.h5"));
    snprintf(abc, sizeof abc, "%s", test_path("abc.h5"));
    FILE *file = fopen(big, "wb");
    ck_assert_ptr_nonnull(file);
    static char megabyte[1 << 20];
    for (int i = 0; i < 32; i++) /* far more than it can hash before it is stopped */
        ck_assert_uint_eq(fwrite(megabyte, 1, sizeof megabyte, file), sizeof megabyte);
    ck_assert_int_eq(fclose(file), 0);
    write_file(abc, "abc");
    const char *const paths[] = {big, abc};
    oc__digest_worker worker;
    oc__digest_worker_start(&worker, paths, 2);
    ck_assert_int_gt(worker.pid, 0);
    ck_assert_int_eq(kill(worker.pid, SIGSTOP), 0);
    char digests[2][OC_SHA256_HEX_SIZE];
    oc_error error;
    ck_assert_int_eq(oc__digest_worker_finish(&worker, digests, &error), OC_OK);
    /* sha256sum of 32 MiB of zeros */
    ck_assert_str_eq(digests[0],
                     "83ee47245398adee79bd9c0a8bc57b821e92aba10f5f9ade8a5d1fae4d8c4302");
    ck_assert_str_eq(digests[1], SHA256_ABC);
    assert_no_child_left();
}
END_TEST

/* The rule for giving up on a child: under a fifth of a core, or CPU
 * time that could not be read. */
START_TEST(a_child_is_starved_below_a_fifth_of_a_core)
{
    ck_assert_int_eq(oc__digest_child_starved(-1, 20000000), 1);
    ck_assert_int_eq(oc__digest_child_starved(0, 20000000), 1);
    ck_assert_int_eq(oc__digest_child_starved(3999999, 20000000), 1);
    ck_assert_int_eq(oc__digest_child_starved(4000000, 20000000), 0);
    ck_assert_int_eq(oc__digest_child_starved(20000000, 20000000), 0);
}
END_TEST

START_TEST(no_files_no_child)
{
    oc__digest_worker worker;
    oc__digest_worker_start(&worker, NULL, 0);
    ck_assert_int_eq(worker.pid, -1);
    oc_error error;
    ck_assert_int_eq(oc__digest_worker_finish(&worker, NULL, &error), OC_OK);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("digest_worker");
    TCase *tests = tcase_create("digest_worker");
    tcase_add_checked_fixture(tests, make_test_directory, remove_test_directory);
    tcase_add_test(tests, digests_in_order);
    tcase_add_test(tests, an_unreadable_file_is_named);
    tcase_add_test(tests, stopping_reaps_the_child);
    tcase_add_test(tests, the_child_hashes_at_idle_priority);
    tcase_add_test(tests, a_child_still_hashing_is_not_waited_for);
    tcase_add_test(tests, a_child_is_starved_below_a_fifth_of_a_core);
    tcase_add_test(tests, no_files_no_child);
    suite_add_tcase(suite, tests);
    return check_runner_run_suite(suite);
}
