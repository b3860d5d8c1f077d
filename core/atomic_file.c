/* atomic_file.c: temporary file, fsync, rename: see atomic_file.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

static int make_temporary_name(oc__atomic_file *file, const char *target_path,
                               oc_error *error)
{
    size_t length = strlen(target_path);
    memset(file, 0, sizeof *file);
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

static int create_temporary(oc__atomic_file *file, oc_error *error)
{
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

int oc__atomic_file_begin(oc__atomic_file *file, const char *target_path, oc_error *error)
{
    int status = make_temporary_name(file, target_path, error);
    if (status != OC_OK)
        return status;
    int descriptor = create_temporary(file, error);
    if (descriptor < 0)
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

int oc__atomic_file_commit(oc__atomic_file *file, oc_error *error)
{
    int status = OC_OK;
    if (file->stream != NULL) {
        int failed = fflush(file->stream) != 0 || ferror(file->stream)
                     || fsync(fileno(file->stream)) != 0;
        int saved = errno;
        failed |= fclose(file->stream) != 0;
        file->stream = NULL;
        if (failed)
            status = oc_error_set(error, OC_ERROR_IO, "%s: write failed: %s",
                                  file->target_path, strerror(saved ? saved : errno));
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
        fclose(file->stream);
    if (file->temporary_path != NULL)
        unlink(file->temporary_path);
    free(file->target_path);
    free(file->temporary_path);
    memset(file, 0, sizeof *file);
}
