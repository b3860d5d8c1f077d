/*
 * temporary_directory.h: a fresh directory per test, created in the current
 * (build) directory and removed afterwards, for the unit tests that write
 * files (test_output, test_manifest). Include once per test program.
 */
#ifndef OC_TEMPORARY_DIRECTORY_H
#define OC_TEMPORARY_DIRECTORY_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static char test_directory[64];

static void make_test_directory(void)
{
    snprintf(test_directory, sizeof test_directory, "test_files.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(test_directory));
}

static void remove_test_directory(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", test_directory);
    ck_assert_int_eq(system(command), 0);
}

/* test_directory/name, in a static buffer the next call overwrites. */
static const char *test_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", test_directory, name);
    return path;
}

#endif
