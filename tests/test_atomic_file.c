/* test_atomic_file.c: core/atomic_file.c. A reader must see the old file
 * or the complete new one: the data go to a temporary beside the target
 * (unnamed where the file system allows, else hidden), which commit
 * renames into place (mode 0666 less the umask, as any new file) and abort
 * or a failed commit removes, leaving the target as it was. Each test
 * lists the directory to prove no temporary is left. */
#define _GNU_SOURCE /* O_TMPFILE */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "check_runner.h"
#include "temporary_directory.h"

#include <errno.h>
#include <sys/syscall.h>

/* This program's own linkat, which core/atomic_file.c calls instead of
 * the C library's: it fails on demand, as it does where a process may
 * neither link by descriptor nor see /proc (a container, a seccomp
 * filter), and otherwise makes the system call. */
static int linkat_fails;

int linkat(int old_directory, const char *old_path, int new_directory, const char *new_path,
           int flags)
{
    if (linkat_fails) {
        errno = EPERM;
        return -1;
    }
    return (int)syscall(SYS_linkat, old_directory, old_path, new_directory, new_path, flags);
}

static void set_up(void)
{
    make_test_directory();
}

static void tear_down(void)
{
    remove_test_directory();
}

/* The names in the test directory, sorted and joined with spaces. */
static const char *listing(void)
{
    static char text[1024];
    struct dirent **entries;
    int count = scandir(test_directory, &entries, NULL, alphasort);
    ck_assert_int_ge(count, 0);
    text[0] = '\0';
    for (int i = 0; i < count; i++) {
        if (strcmp(entries[i]->d_name, ".") != 0 && strcmp(entries[i]->d_name, "..") != 0) {
            if (text[0] != '\0')
                strncat(text, " ", sizeof text - strlen(text) - 1);
            strncat(text, entries[i]->d_name, sizeof text - strlen(text) - 1);
        }
        free(entries[i]);
    }
    free(entries);
    return text;
}

static const char *contents(const char *path)
{
    static char text[256];
    FILE *stream = fopen(path, "r");
    ck_assert_ptr_nonnull(stream);
    size_t length = fread(text, 1, sizeof text - 1, stream);
    text[length] = '\0';
    fclose(stream);
    return text;
}

/* test_path(name), kept apart from test_path's buffer, which the next
 * call overwrites. */
static const char *target_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s", test_path(name));
    return path;
}

static void write_file(const char *path, const char *text)
{
    FILE *stream = fopen(path, "w");
    ck_assert_ptr_nonnull(stream);
    fputs(text, stream);
    ck_assert_int_eq(fclose(stream), 0);
}

START_TEST(commit_makes_the_complete_file_appear_with_mode_0644)
{
    const char *target = target_path("results.csv");
    oc__atomic_file file;
    oc_error error;
    mode_t old_mask = umask(022);
    ck_assert_int_eq(oc__atomic_file_begin(&file, target, &error), OC_OK);
    umask(old_mask);
    ck_assert_ptr_nonnull(file.stream);
    fputs("metric,value\nesa,7700\n", file.stream);
    /* Before commit the target does not exist, and the temporary has no
     * name or a hidden one named after the target. */
    ck_assert_int_ne(access(target, F_OK), 0);
    if (file.unnamed) {
        ck_assert_str_eq(listing(), "");
    } else {
        ck_assert_int_eq(strncmp(listing(), ".results.csv.tmp", 16), 0);
        ck_assert_ptr_null(strchr(listing(), ' '));
    }

    ck_assert_int_eq(oc__atomic_file_commit(&file, &error), OC_OK);
    ck_assert_str_eq(listing(), "results.csv");
    ck_assert_str_eq(contents(target), "metric,value\nesa,7700\n");
    struct stat status;
    ck_assert_int_eq(stat(target, &status), 0);
    ck_assert_int_eq(status.st_mode & 07777, 0644); /* 0666 less umask 022 */
    ck_assert_ptr_null(file.target_path);
    ck_assert_ptr_null(file.temporary_path);
    ck_assert_ptr_null(file.stream);
}
END_TEST

START_TEST(mode_follows_the_umask)
{
    const char *target = target_path("private.json");
    oc__atomic_file file;
    oc_error error;
    mode_t old_mask = umask(027);
    int status = oc__atomic_file_begin(&file, target, &error);
    umask(old_mask);
    ck_assert_int_eq(status, OC_OK);
    ck_assert_int_eq(oc__atomic_file_commit(&file, &error), OC_OK);
    struct stat info;
    ck_assert_int_eq(stat(target, &info), 0);
    ck_assert_int_eq(info.st_mode & 07777, 0640); /* 0666 less 027 */
}
END_TEST

START_TEST(commit_replaces_the_old_target)
{
    const char *target = target_path("out.txt");
    write_file(target, "old results\n");
    oc__atomic_file file;
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_begin(&file, target, &error), OC_OK);
    fputs("new results\n", file.stream);
    ck_assert_str_eq(contents(target), "old results\n"); /* still the old one */
    ck_assert_int_eq(oc__atomic_file_commit(&file, &error), OC_OK);
    ck_assert_str_eq(contents(target), "new results\n");
    ck_assert_str_eq(listing(), "out.txt");
}
END_TEST

/* An operator who restricted the results (0640, a group that may read
 * them) finds them so after the next run, whether the new file was
 * written through a stream or by path (the HDF5 writer). */
START_TEST(a_replaced_file_passes_on_its_permissions)
{
    static const mode_t modes[] = {0640, 0600, 0604, 0664};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++)
        for (int by_path = 0; by_path <= 1; by_path++) {
            const char *target = target_path("restricted.json");
            write_file(target, "old results\n");
            ck_assert_int_eq(chmod(target, modes[m]), 0);
            struct stat old;
            ck_assert_int_eq(stat(target, &old), 0);
            oc__atomic_file file;
            oc_error error;
            mode_t old_mask = umask(022);
            int status = by_path ? oc__atomic_file_begin_path(&file, target, &error)
                                 : oc__atomic_file_begin(&file, target, &error);
            umask(old_mask);
            ck_assert_int_eq(status, OC_OK);
            if (by_path)
                write_file(file.temporary_path, "new results\n");
            else
                fputs("new results\n", file.stream);
            ck_assert_int_eq(oc__atomic_file_commit(&file, &error), OC_OK);
            ck_assert_str_eq(contents(target), "new results\n");
            struct stat info;
            ck_assert_int_eq(stat(target, &info), 0);
            ck_assert_msg((info.st_mode & 07777) == modes[m], "mode %o, expected %o (by path: %d)",
                          (unsigned)(info.st_mode & 07777), (unsigned)modes[m], by_path);
            ck_assert_int_eq(info.st_gid, old.st_gid);
        }
    /* Run as root (as CI is), the owner and group are kept too. */
    if (geteuid() == 0) {
        const char *target = target_path("theirs.json");
        write_file(target, "old results\n");
        ck_assert_int_eq(chown(target, 65534, 65534), 0);
        ck_assert_int_eq(chmod(target, 0640), 0);
        oc__atomic_file file;
        oc_error error;
        ck_assert_int_eq(oc__atomic_file_begin(&file, target, &error), OC_OK);
        fputs("new results\n", file.stream);
        ck_assert_int_eq(oc__atomic_file_commit(&file, &error), OC_OK);
        struct stat info;
        ck_assert_int_eq(stat(target, &info), 0);
        ck_assert_int_eq(info.st_uid, 65534);
        ck_assert_int_eq(info.st_gid, 65534);
        ck_assert_int_eq(info.st_mode & 07777, 0640);
    }
}
END_TEST

/* In a child that is `nobody` (65534:65534, no other groups): replaces
 * path with a file of its own and exits 0, or 1 where a step failed. */
static void replace_as_nobody(const char *path)
{
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(1);
        umask(022);
        oc__atomic_file file;
        oc_error error;
        if (oc__atomic_file_begin(&file, path, &error) != OC_OK)
            _exit(1);
        fputs("new results\n", file.stream);
        _exit(oc__atomic_file_commit(&file, &error) == OC_OK ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child could not replace %s",
                  path);
}

/* A group the new file cannot keep never gains what the old one had: in a
 * setgid directory (the new file takes the directory's group), and where
 * the writer is not of the old file's group. Needs root to set up the
 * groups; CI runs as root. */
START_TEST(a_group_that_cannot_be_kept_gains_nothing)
{
    if (geteuid() != 0)
        return;
    ck_assert_int_eq(chmod(test_path(""), 0711), 0); /* nobody may pass */

    /* Setgid directory of group 4242; the old file nobody:nogroup 0640.
     * nobody can give the new file its own group back, and does. */
    ck_assert_int_eq(mkdir(test_path("shared"), 0777), 0);
    ck_assert_int_eq(chown(test_path("shared"), 0, 4242), 0);
    ck_assert_int_eq(chmod(test_path("shared"), 02777), 0);
    const char *target = target_path("shared/results.json");
    write_file(target, "old results\n");
    ck_assert_int_eq(chown(target, 65534, 65534), 0);
    ck_assert_int_eq(chmod(target, 0640), 0);
    replace_as_nobody(target);
    struct stat info;
    ck_assert_int_eq(stat(target, &info), 0);
    ck_assert_str_eq(contents(target), "new results\n");
    ck_assert_int_eq(info.st_uid, 65534);
    ck_assert_int_eq(info.st_gid, 65534);
    ck_assert_int_eq(info.st_mode & 07777, 0640);

    /* The old file nobody:4242 0660, the directory plain: nobody is not of
     * group 4242, so the new file is nobody:nogroup, and its group gets
     * only what a new file gets (umask 022: read), not the old 6. */
    ck_assert_int_eq(mkdir(test_path("plain"), 0777), 0);
    ck_assert_int_eq(chmod(test_path("plain"), 0777), 0);
    target = target_path("plain/results.json");
    write_file(target, "old results\n");
    ck_assert_int_eq(chown(target, 65534, 4242), 0);
    ck_assert_int_eq(chmod(target, 0660), 0);
    replace_as_nobody(target);
    ck_assert_int_eq(stat(target, &info), 0);
    ck_assert_int_eq(info.st_uid, 65534);
    ck_assert_int_eq(info.st_gid, 65534);
    ck_assert_msg((info.st_mode & 07777) == 0640, "mode %o", (unsigned)(info.st_mode & 07777));
}
END_TEST

START_TEST(abort_removes_the_temporary_and_keeps_the_target)
{
    const char *target = target_path("out.txt");
    write_file(target, "old results\n");
    oc__atomic_file file;
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_begin(&file, target, &error), OC_OK);
    fputs("half of the new", file.stream);
    fflush(file.stream);
    if (!file.unnamed)
        ck_assert_int_eq(strncmp(listing(), ".out.txt.tmp", 12), 0);
    oc__atomic_file_abort(&file);
    ck_assert_str_eq(listing(), "out.txt");
    ck_assert_str_eq(contents(target), "old results\n");
    ck_assert_ptr_null(file.temporary_path);
    oc__atomic_file_abort(&file); /* again: harmless on the zeroed struct */
}
END_TEST

START_TEST(failed_commit_leaves_no_temporary_and_the_target_untouched)
{
    /* The target became a directory holding a file while the file was
     * written (begin refuses one that is already there): rename(2) cannot
     * replace it. */
    const char *target = target_path("results");
    oc__atomic_file file;
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_begin(&file, target, &error), OC_OK);
    ck_assert_int_eq(mkdir(target, 0755), 0);
    char inside[300];
    snprintf(inside, sizeof inside, "%s/kept", target);
    write_file(inside, "kept\n");
    fputs("new results\n", file.stream);
    ck_assert_int_eq(oc__atomic_file_commit(&file, &error), OC_ERROR_IO);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: cannot rename the finished file into place: ", target);
    ck_assert_msg(strncmp(error.message, expected, strlen(expected)) == 0, "%s", error.message);
    ck_assert_str_eq(listing(), "results");
    ck_assert_str_eq(contents(inside), "kept\n");
    ck_assert_ptr_null(file.temporary_path);
    ck_assert_ptr_null(file.stream);
    oc__atomic_file_abort(&file); /* after a failed commit: documented as safe */
}
END_TEST

START_TEST(missing_directory_fails_cleanly)
{
    const char *target = target_path("absent/results.csv");
    oc__atomic_file file;
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_begin(&file, target, &error), OC_ERROR_IO);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: the directory '%s' does not exist", target,
             test_path("absent"));
    ck_assert_str_eq(error.message, expected);
    /* Said before any work, by the check callers make first. */
    ck_assert_int_eq(oc__atomic_file_check_target(target, NULL, 0, &error), OC_ERROR_IO);
    ck_assert_str_eq(error.message, expected);
    ck_assert_ptr_null(file.stream);
    ck_assert_ptr_null(file.temporary_path);
    ck_assert_ptr_null(file.target_path);
    oc__atomic_file_abort(&file);
    ck_assert_int_eq(oc__atomic_file_begin_path(&file, target, &error), OC_ERROR_IO);
    ck_assert_str_eq(error.message, expected);
    ck_assert_ptr_null(file.temporary_path);
    oc__atomic_file_abort(&file);
    ck_assert_str_eq(listing(), "");

    /* A path ending in '/' names a directory, though its parent exists. */
    const char *slashed = target_path("results.json/");
    ck_assert_int_eq(oc__atomic_file_check_target(slashed, NULL, 0, &error), OC_ERROR_INVALID);
    snprintf(expected, sizeof expected,
             "%s: ends in '/', which names a directory: give a file's path", slashed);
    ck_assert_str_eq(error.message, expected);
    ck_assert_int_eq(oc__atomic_file_begin(&file, slashed, &error), OC_ERROR_INVALID);
    ck_assert_str_eq(listing(), "");

    /* A path through a regular file, and (not as root, whom permissions do
     * not stop) a directory that cannot be written in. */
    write_file(target_path("plain"), "not a directory\n");
    const char *through_file = target_path("plain/results.csv");
    ck_assert_int_eq(oc__atomic_file_check_target(through_file, NULL, 0, &error), OC_ERROR_IO);
    snprintf(expected, sizeof expected, "%s: '%s' is a regular file, not a directory",
             through_file, test_path("plain"));
    ck_assert_str_eq(error.message, expected);
    if (geteuid() != 0) {
        ck_assert_int_eq(mkdir(test_path("locked"), 0555), 0);
        const char *locked = target_path("locked/results.csv");
        ck_assert_int_eq(oc__atomic_file_check_target(locked, NULL, 0, &error), OC_ERROR_IO);
        snprintf(expected, sizeof expected,
                 "%s: cannot write in the directory '%s': Permission denied", locked,
                 test_path("locked"));
        ck_assert_str_eq(error.message, expected);
        ck_assert_int_eq(rmdir(test_path("locked")), 0);
    }
}
END_TEST

/* Whether this file system gives unnamed files in the test directory. */
static int unnamed_files_possible(void)
{
#if defined(O_TMPFILE) && defined(__linux__)
    int descriptor = open(test_directory, O_TMPFILE | O_WRONLY, 0600);
    if (descriptor < 0)
        return 0;
    close(descriptor);
    return 1;
#else
    return 0;
#endif
}

/* A process killed outright cannot clean up: with an unnamed temporary
 * there is nothing to clean. The child reports whether its file was
 * unnamed, writes, and dies of SIGKILL before committing. */
START_TEST(a_writer_killed_outright_leaves_nothing_where_unnamed_files_exist)
{
    const char *target = target_path("results.json");
    write_file(target, "previous\n");
    int report[2];
    ck_assert_int_eq(pipe(report), 0);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        oc__atomic_file file;
        oc_error error;
        if (oc__atomic_file_begin(&file, target, &error) != OC_OK)
            _exit(1);
        fputs("half of a national run", file.stream);
        fflush(file.stream);
        char unnamed = file.unnamed ? 'u' : 'n';
        if (write(report[1], &unnamed, 1) != 1)
            _exit(1);
        raise(SIGKILL);
        _exit(1);
    }
    close(report[1]);
    char unnamed = '?';
    ck_assert_int_eq(read(report[0], &unnamed, 1), 1);
    close(report[0]);
    int wait_status;
    ck_assert_int_eq(waitpid(child, &wait_status, 0), child);
    ck_assert(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);
    ck_assert_str_eq(contents(target), "previous\n");
    if (unnamed_files_possible()) {
        ck_assert_int_eq(unnamed, 'u'); /* used wherever possible */
        ck_assert_str_eq(listing(), "results.json");
    } else {
        ck_assert_int_eq(unnamed, 'n');
        ck_assert_int_eq(strncmp(listing(), ".results.json.tmp", 17), 0); /* the litter */
    }
}
END_TEST

/* Where an unnamed file could not be named at the commit, the writer
 * finds out at the start and uses a named temporary instead. */
START_TEST(a_file_that_could_not_be_named_falls_back_to_a_named_temporary)
{
    const char *target = target_path("results.json");
    oc__atomic_file file;
    oc_error error;
    linkat_fails = 1;
    int begun = oc__atomic_file_begin(&file, target, &error);
    linkat_fails = 0;
    ck_assert_msg(begun == OC_OK, "%s", error.message);
    ck_assert(!file.unnamed);
    ck_assert_int_eq(strncmp(listing(), ".results.json.tmp", 17), 0);
    fputs("complete\n", file.stream);
    ck_assert_int_eq(oc__atomic_file_commit(&file, &error), OC_OK);
    ck_assert_str_eq(listing(), "results.json");
    ck_assert_str_eq(contents(target), "complete\n");
}
END_TEST

/* Naming failing at the commit all the same: an error that says so, the
 * old target kept, nothing left. */
START_TEST(a_commit_that_cannot_name_the_file_fails_cleanly)
{
    if (!unnamed_files_possible())
        return; /* only an unnamed file is named at the commit */
    const char *target = target_path("results.json");
    write_file(target, "previous\n");
    oc__atomic_file file;
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_begin(&file, target, &error), OC_OK);
    ck_assert(file.unnamed);
    fputs("new\n", file.stream);
    linkat_fails = 1;
    int committed = oc__atomic_file_commit(&file, &error);
    linkat_fails = 0;
    ck_assert_int_eq(committed, OC_ERROR_IO);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: cannot name the finished file: %s", target,
             strerror(EPERM));
    ck_assert_str_eq(error.message, expected);
    ck_assert_str_eq(listing(), "results.json");
    ck_assert_str_eq(contents(target), "previous\n");
    oc__atomic_file_abort(&file); /* after a failed commit: documented as safe */
}
END_TEST

START_TEST(begin_path_reserves_a_name_the_caller_writes)
{
    const char *target = target_path("store.h5");
    oc__atomic_file file;
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_begin_path(&file, target, &error), OC_OK);
    ck_assert_ptr_null(file.stream);
    ck_assert_int_eq(access(file.temporary_path, F_OK), 0); /* reserved */
    ck_assert_int_ne(access(target, F_OK), 0);
    write_file(file.temporary_path, "HDF5 stand-in\n"); /* as H5Fcreate would, truncating */
    ck_assert_int_eq(oc__atomic_file_commit(&file, &error), OC_OK);
    ck_assert_str_eq(contents(target), "HDF5 stand-in\n");
    ck_assert_str_eq(listing(), "store.h5");

    /* Aborted: the reserved name goes, nothing else appears. */
    ck_assert_int_eq(oc__atomic_file_begin_path(&file, test_path("other.h5"), &error), OC_OK);
    oc__atomic_file_abort(&file);
    ck_assert_str_eq(listing(), "store.h5");
}
END_TEST

START_TEST(bare_file_name_goes_in_the_working_directory)
{
    char *previous = getcwd(NULL, 0);
    ck_assert_ptr_nonnull(previous);
    ck_assert_int_eq(chdir(test_directory), 0);
    oc__atomic_file file;
    oc_error error;
    int begun = oc__atomic_file_begin(&file, "bare.txt", &error);
    if (begun == OC_OK) {
        fputs("bare\n", file.stream);
        begun = oc__atomic_file_commit(&file, &error);
    }
    ck_assert_int_eq(chdir(previous), 0);
    free(previous);
    ck_assert_int_eq(begun, OC_OK);
    ck_assert_str_eq(listing(), "bare.txt");
    ck_assert_str_eq(contents(test_path("bare.txt")), "bare\n");
}
END_TEST

/* What may be replaced: a new path, or a regular file that is no input. */
START_TEST(a_new_path_or_another_regular_file_may_be_replaced)
{
    char input[256];
    snprintf(input, sizeof input, "%s", target_path("store.h5"));
    write_file(input, "data\n");
    const char *inputs[] = {NULL, input};
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_check_target(target_path("new.json"), inputs, 2, &error),
                     OC_OK);
    write_file(target_path("old.json"), "old\n");
    ck_assert_int_eq(oc__atomic_file_check_target(target_path("old.json"), inputs, 2, &error),
                     OC_OK);
}
END_TEST

/* An input named another way (./, a hard link) is still that input, and
 * stays whole. */
START_TEST(an_input_is_refused_however_it_is_named)
{
    char input[256], other_name[256], link_name[256];
    snprintf(input, sizeof input, "%s", target_path("store.h5"));
    snprintf(other_name, sizeof other_name, "%s/./store.h5", test_directory);
    snprintf(link_name, sizeof link_name, "%s", target_path("hard-link.h5"));
    write_file(input, "data\n");
    ck_assert_int_eq(link(input, link_name), 0);
    const char *inputs[] = {input};
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_check_target(other_name, inputs, 1, &error),
                     OC_ERROR_INVALID);
    ck_assert_ptr_nonnull(strstr(error.message, other_name));
    ck_assert_ptr_nonnull(strstr(error.message, "one of this command's inputs"));
    ck_assert_int_eq(oc__atomic_file_check_target(link_name, inputs, 1, &error),
                     OC_ERROR_INVALID);
    ck_assert_str_eq(contents(input), "data\n");
}
END_TEST

/* Renaming over a link, a FIFO or a directory would replace it with a
 * plain file; an empty path names nothing. begin refuses them too, and
 * leaves them as they were. */
START_TEST(what_is_not_a_regular_file_is_refused)
{
    char fifo[256], symbolic[256], directory[256];
    snprintf(fifo, sizeof fifo, "%s", target_path("results.fifo"));
    snprintf(symbolic, sizeof symbolic, "%s", target_path("latest.json"));
    snprintf(directory, sizeof directory, "%s", target_path("folder"));
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(symlink("elsewhere.json", symbolic), 0);
    ck_assert_int_eq(mkdir(directory, 0700), 0);
    static const struct {
        const char *name, *kind;
    } cases[] = {{"results.fifo", "is a FIFO"}, {"latest.json", "is a symbolic link"},
                 {"folder", "is a directory"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s", target_path(cases[i].name));
        oc_error error;
        ck_assert_int_eq(oc__atomic_file_check_target(path, NULL, 0, &error), OC_ERROR_INVALID);
        ck_assert_msg(strstr(error.message, cases[i].kind) && strstr(error.message, path),
                      "%s", error.message);
        oc__atomic_file file;
        ck_assert_int_eq(oc__atomic_file_begin(&file, path, &error), OC_ERROR_INVALID);
        oc__atomic_file_abort(&file);
        ck_assert_int_eq(oc__atomic_file_begin_path(&file, path, &error), OC_ERROR_INVALID);
        oc__atomic_file_abort(&file);
    }
    struct stat status;
    ck_assert_int_eq(lstat(fifo, &status), 0);
    ck_assert(S_ISFIFO(status.st_mode));
    ck_assert_int_eq(lstat(symbolic, &status), 0);
    ck_assert(S_ISLNK(status.st_mode));
    oc_error error;
    ck_assert_int_eq(oc__atomic_file_check_target("", NULL, 0, &error), OC_ERROR_INVALID);
    ck_assert_str_eq(error.message, "the output path is empty");
    ck_assert_int_eq(rmdir(directory), 0);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("atomic_file");
    TCase *tcase = tcase_create("atomic_file");
    tcase_add_checked_fixture(tcase, set_up, tear_down);
    tcase_add_test(tcase, commit_makes_the_complete_file_appear_with_mode_0644);
    tcase_add_test(tcase, mode_follows_the_umask);
    tcase_add_test(tcase, commit_replaces_the_old_target);
    tcase_add_test(tcase, a_replaced_file_passes_on_its_permissions);
    tcase_add_test(tcase, a_group_that_cannot_be_kept_gains_nothing);
    tcase_add_test(tcase, abort_removes_the_temporary_and_keeps_the_target);
    tcase_add_test(tcase, failed_commit_leaves_no_temporary_and_the_target_untouched);
    tcase_add_test(tcase, missing_directory_fails_cleanly);
    tcase_add_test(tcase, a_writer_killed_outright_leaves_nothing_where_unnamed_files_exist);
    tcase_add_test(tcase, a_file_that_could_not_be_named_falls_back_to_a_named_temporary);
    tcase_add_test(tcase, a_commit_that_cannot_name_the_file_fails_cleanly);
    tcase_add_test(tcase, begin_path_reserves_a_name_the_caller_writes);
    tcase_add_test(tcase, bare_file_name_goes_in_the_working_directory);
    tcase_add_test(tcase, a_new_path_or_another_regular_file_may_be_replaced);
    tcase_add_test(tcase, an_input_is_refused_however_it_is_named);
    tcase_add_test(tcase, what_is_not_a_regular_file_is_refused);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
