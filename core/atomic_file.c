/* atomic_file.c: temporary file, fsync, rename: see atomic_file.h. */
#define _GNU_SOURCE /* O_TMPFILE, AT_EMPTY_PATH */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

const char *oc__file_kind_name(mode_t mode)
{
    return S_ISREG(mode)    ? "a regular file"
           : S_ISDIR(mode)  ? "a directory"
           : S_ISLNK(mode)  ? "a symbolic link"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "a special file";
}

int oc__open_regular_file(const char *path, const char *expected, int *fd, oc_error *error)
{
    int descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (descriptor < 0)
        return oc_error_set(error, errno == ENOENT ? OC_ERROR_NOT_FOUND : OC_ERROR_IO, "%s: %s",
                            path, strerror(errno));
    struct stat information;
    int status = OC_OK;
    if (fstat(descriptor, &information) != 0)
        status = oc_error_set(error, OC_ERROR_IO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(information.st_mode))
        status = oc_error_set(error, OC_ERROR_IO, "%s: is %s, not %s", path,
                              oc__file_kind_name(information.st_mode), expected);
    if (status != OC_OK) {
        close(descriptor);
        return status;
    }
    fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK);
    *fd = descriptor;
    return OC_OK;
}

/* The directory the new file is made in (and renamed in): checked up
 * front, so that a mistyped or missing directory is said in words a user
 * knows, not as "cannot create a temporary file beside it". */
static int check_directory(const char *target_path, oc_error *error)
{
    char *copy = strdup(target_path);
    if (copy == NULL)
        return OC_OK; /* creating the file will say */
    const char *directory = dirname(copy);
    struct stat information;
    int status = OC_OK;
    if (stat(directory, &information) != 0)
        status = errno == ENOENT
                     ? oc_error_set(error, OC_ERROR_IO, "%s: the directory '%s' does not exist",
                                    target_path, directory)
                     : oc_error_set(error, OC_ERROR_IO, "%s: cannot use the directory '%s': %s",
                                    target_path, directory, strerror(errno));
    else if (!S_ISDIR(information.st_mode))
        status = oc_error_set(error, OC_ERROR_IO, "%s: '%s' is %s, not a directory", target_path,
                              directory, oc__file_kind_name(information.st_mode));
    else if (access(directory, W_OK | X_OK) != 0)
        status = oc_error_set(error, OC_ERROR_IO, "%s: cannot write in the directory '%s': %s",
                              target_path, directory, strerror(errno));
    free(copy);
    return status;
}

int oc__atomic_file_check_target(const char *target_path, const char *const *inputs,
                                 size_t input_count, oc_error *error)
{
    if (target_path == NULL || target_path[0] == '\0')
        return oc_error_set(error, OC_ERROR_INVALID, "the output path is empty");
    /* dirname("od/x.json/") is "od": the directory check would pass, and
     * only the temporary file, after the whole run, would say no. */
    size_t length = strlen(target_path);
    if (target_path[length - 1] == '/')
        return oc_error_set(error, OC_ERROR_INVALID,
                            "%s: ends in '/', which names a directory: give a file's path",
                            target_path);
    struct stat target;
    if (lstat(target_path, &target) != 0)
        return check_directory(target_path, error); /* not there yet */
    if (!S_ISREG(target.st_mode))
        return oc_error_set(error, OC_ERROR_INVALID,
                            "%s: is %s; results are renamed into place, which would "
                            "replace it: give a regular file's path",
                            target_path, oc__file_kind_name(target.st_mode));
    for (size_t i = 0; i < input_count; i++) {
        struct stat input;
        if (inputs[i] != NULL && stat(inputs[i], &input) == 0 && input.st_dev == target.st_dev
            && input.st_ino == target.st_ino)
            return oc_error_set(error, OC_ERROR_INVALID,
                                "%s: is one of this command's inputs (%s); writing there "
                                "would destroy it",
                                target_path, inputs[i]);
    }
    return check_directory(target_path, error);
}

static int make_temporary_name(oc__atomic_file *file, const char *target_path,
                               oc_error *error)
{
    memset(file, 0, sizeof *file);
    int status = oc__atomic_file_check_target(target_path, NULL, 0, error);
    if (status != OC_OK)
        return status;
    size_t length = strlen(target_path);
    file->target_path = strdup(target_path);
    /* ".NAME.tmp.XXXXXX" beside the target: hidden, and the same directory. */
    file->temporary_path = malloc(length + 16);
    if (file->target_path == NULL || file->temporary_path == NULL) {
        oc__atomic_file_abort(file);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", target_path);
    }
    const char *slash = strrchr(target_path, '/');
    size_t directory_length = slash ? (size_t)(slash - target_path) + 1 : 0;
    memcpy(file->temporary_path, target_path, directory_length);
    snprintf(file->temporary_path + directory_length, length + 16 - directory_length,
             ".%s.tmpXXXXXX", target_path + directory_length);
    return OC_OK;
}

/* Puts the template's XXXXXX back: mkstemp fills them in, and a name
 * tried for an unnamed file must not be taken for the template. */
static void reset_template(oc__atomic_file *file)
{
    memcpy(file->temporary_path + strlen(file->temporary_path) - 6, "XXXXXX", 6);
}

static int create_temporary(oc__atomic_file *file, oc_error *error)
{
    reset_template(file);
    int descriptor = mkstemp(file->temporary_path);
    if (descriptor < 0) {
        int saved = errno;
        char *target = file->target_path;
        file->target_path = NULL;
        free(file->temporary_path);
        file->temporary_path = NULL;
        oc_error_set(error, OC_ERROR_IO, "%s: cannot create a temporary file beside it: %s",
                     target, strerror(saved));
        free(target);
        return OC_ERROR_IO;
    }
    /* mkstemp makes 0600; results are meant to be read by others. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(descriptor, 0666 & ~mask);
    return descriptor;
}

/* Gives the unnamed file open on descriptor the name path: by the
 * descriptor itself where privileges allow, else through /proc (the way
 * open(2) documents for O_TMPFILE). */
static int link_descriptor(int descriptor, const char *path)
{
#if defined(AT_EMPTY_PATH)
    if (linkat(descriptor, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0)
        return 0;
#endif
    char proc_path[64];
    snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", descriptor);
    return linkat(AT_FDCWD, proc_path, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

/* Names the unnamed file: a fresh name from the template each try (one
 * someone else took meanwhile is skipped). 0, or -1 with errno set. */
static int name_unnamed(oc__atomic_file *file, int descriptor)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        reset_template(file);
        int reserved = mkstemp(file->temporary_path);
        if (reserved < 0)
            return -1;
        close(reserved);
        unlink(file->temporary_path);
        if (link_descriptor(descriptor, file->temporary_path) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

/* An unnamed file in the target's directory, or -1 where the system or
 * file system has none or one could not be named at commit. The latter is
 * tried first on a throwaway file (named, then the name removed), so a
 * commit does not discover it only after the whole run; the file itself
 * cannot be tried, as a file that has had a name cannot get one again. */
static int create_unnamed(oc__atomic_file *file)
{
#if defined(O_TMPFILE) && defined(__linux__)
    char *directory_copy = strdup(file->target_path);
    if (directory_copy == NULL)
        return -1;
    const char *directory = dirname(directory_copy);
    int probe = open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    int descriptor = -1;
    if (probe >= 0 && name_unnamed(file, probe) == 0) {
        unlink(file->temporary_path);
        descriptor = open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    }
    if (probe >= 0)
        close(probe);
    free(directory_copy);
    return descriptor;
#else
    (void)file;
    return -1;
#endif
}

int oc__atomic_file_begin(oc__atomic_file *file, const char *target_path, oc_error *error)
{
    int status = make_temporary_name(file, target_path, error);
    if (status != OC_OK)
        return status;
    int descriptor = create_unnamed(file);
    if (descriptor >= 0)
        file->unnamed = 1;
    else if ((descriptor = create_temporary(file, error)) < 0)
        return descriptor;
    file->stream = fdopen(descriptor, "w");
    if (file->stream == NULL) {
        close(descriptor);
        oc_error_set(error, OC_ERROR_IO, "%s: %s", file->temporary_path, strerror(errno));
        oc__atomic_file_abort(file);
        return OC_ERROR_IO;
    }
    return OC_OK;
}

int oc__atomic_file_begin_path(oc__atomic_file *file, const char *target_path,
                               oc_error *error)
{
    int status = make_temporary_name(file, target_path, error);
    if (status != OC_OK)
        return status;
    /* Reserve the name so no one else takes it; the caller recreates it. */
    int descriptor = create_temporary(file, error);
    if (descriptor < 0)
        return descriptor;
    close(descriptor);
    return OC_OK;
}

static int sync_path(const char *path)
{
    int descriptor = open(path, O_RDONLY);
    if (descriptor < 0)
        return -1;
    int result = fsync(descriptor);
    close(descriptor);
    return result;
}

/* Gives the new file the permissions of the file it replaces. A new file
 * otherwise gets 0666 less the umask and the run's own user and group:
 * results an operator had restricted to a group (0640) would come back
 * readable by everyone after the next quarterly run. The owner and group
 * are kept where the system allows (root may keep both, a member of the
 * group its group); where the group cannot be kept, the new file gets no
 * more group access than a new file would have, so that another group
 * never gains what the old one had. Best effort: nothing here fails the
 * commit, and with no old file the new one keeps its default mode. */
static void keep_target_permissions(const char *target_path, int descriptor)
{
    /* Compared with what the new file got, not with the run's own user
     * and group: in a setgid directory it gets the directory's group,
     * and the old file's group bits must not pass to that group. Its
     * mode is what a new file gets here (umask, default ACL). */
    struct stat target, created;
    if (lstat(target_path, &target) != 0 || !S_ISREG(target.st_mode)
        || fstat(descriptor, &created) != 0)
        return;
    mode_t mode = target.st_mode & 0777;
    int group_kept = target.st_gid == created.st_gid;
    if (target.st_uid != created.st_uid || !group_kept) {
        if (fchown(descriptor, target.st_uid, target.st_gid) == 0)
            group_kept = 1;
        else
            group_kept = fchown(descriptor, (uid_t)-1, target.st_gid) == 0;
    }
    if (!group_kept)
        mode &= 0707 | (created.st_mode & 0070);
    (void)fchmod(descriptor, mode);
}

int oc__atomic_file_commit(oc__atomic_file *file, oc_error *error)
{
    int status = OC_OK;
    if (file->stream != NULL)
        keep_target_permissions(file->target_path, fileno(file->stream));
    else if (file->temporary_path != NULL) {
        int descriptor = open(file->temporary_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (descriptor >= 0) {
            keep_target_permissions(file->target_path, descriptor);
            close(descriptor);
        }
    }
    if (file->stream != NULL) {
        /* saved: the errno of the first failure, taken when it happens */
        int saved = 0;
        int failed = fflush(file->stream) != 0 || ferror(file->stream)
                     || fsync(fileno(file->stream)) != 0;
        if (failed)
            saved = errno;
        int naming_failed = 0;
        if (!failed && file->unnamed) {
            if (name_unnamed(file, fileno(file->stream)) == 0) {
                file->unnamed = 0; /* from here on a named temporary like any other */
            } else {
                naming_failed = 1;
                saved = errno;
            }
        }
        if (fclose(file->stream) != 0 && !failed && !naming_failed) {
            failed = 1;
            saved = errno;
        }
        file->stream = NULL;
        if (naming_failed)
            status = oc_error_set(error, OC_ERROR_IO, "%s: cannot name the finished file: %s",
                                  file->target_path, strerror(saved));
        else if (failed)
            status = oc_error_set(error, OC_ERROR_IO, "%s: write failed: %s",
                                  file->target_path,
                                  saved != 0 ? strerror(saved) : "unknown error");
    } else if (sync_path(file->temporary_path) != 0) {
        status = oc_error_set(error, OC_ERROR_IO, "%s: cannot sync: %s",
                              file->target_path, strerror(errno));
    }
    if (status == OC_OK && rename(file->temporary_path, file->target_path) != 0)
        status = oc_error_set(error, OC_ERROR_IO, "%s: cannot rename the finished file into place: %s",
                              file->target_path, strerror(errno));
    if (status != OC_OK) {
        oc__atomic_file_abort(file);
        return status;
    }
    /* Make the rename itself durable. */
    char *directory_copy = strdup(file->target_path);
    if (directory_copy != NULL) {
        (void)sync_path(dirname(directory_copy));
        free(directory_copy);
    }
    free(file->target_path);
    free(file->temporary_path);
    memset(file, 0, sizeof *file);
    return OC_OK;
}

void oc__atomic_file_abort(oc__atomic_file *file)
{
    if (file->stream != NULL)
        fclose(file->stream); /* an unnamed file goes with its last descriptor */
    if (file->temporary_path != NULL && !file->unnamed)
        unlink(file->temporary_path);
    free(file->target_path);
    free(file->temporary_path);
    memset(file, 0, sizeof *file);
}
