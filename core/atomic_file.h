/*
 * atomic_file.h: writing a file so that readers see either the old file or
 * the complete new one, never a partial write. The data go to a temporary
 * file in the target's directory (same file system, so rename is atomic),
 * are flushed and fsync'd, and only then renamed over the target.
 *
 * Where the system allows it (Linux, a file system with O_TMPFILE) the
 * temporary file has no name until the commit: a run killed outright
 * (SIGKILL, power loss, the out-of-memory killer) leaves nothing behind,
 * where a named temporary of a national run would stay as 300 MB of
 * hidden litter for every killed quarterly run.
 */
#ifndef OC_ATOMIC_FILE_H
#define OC_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <outcomes/common.h>

typedef struct oc__atomic_file {
    char *target_path;     /* owned */
    char *temporary_path;  /* owned; the file being written, or (unnamed)
                              the name it takes for a moment at commit */
    FILE *stream;          /* open on the temporary file, or NULL */
    int unnamed;           /* the file has no name yet (O_TMPFILE) */
} oc__atomic_file;

/* What kind of file a stat mode describes, for messages that refuse
 * anything but a regular file: "a directory", "a FIFO", "a character
 * device", "a block device", "a socket", "a symbolic link" (from lstat),
 * "a regular file", else "a special file". Static storage. Shared by the
 * output's target, the configuration and the stores, so that one kind of
 * file has one name in every message. */
const char *oc__file_kind_name(mode_t mode);

/* Opens path for reading, refusing anything but a regular file: opened
 * without waiting (a FIFO's open would block until a writer came) and
 * checked as opened, so that no path swapped in between slips past; a
 * FIFO nobody writes to, or /dev/zero, would otherwise be read for ever.
 * *fd receives the descriptor (blocking, close-on-exec), the caller's to
 * close. Errors name path: OC_ERROR_NOT_FOUND when it does not exist,
 * otherwise OC_ERROR_IO, for another kind of file "PATH: is a FIFO, not
 * EXPECTED" (expected, borrowed: "an HDF5 store", ...). */
int oc__open_regular_file(const char *path, const char *expected, int *fd, oc_error *error);

/* Whether target_path may be replaced by a new file: 0 when it does not
 * exist yet or is a regular file other than every one of inputs (paths
 * the run reads, borrowed; NULL entries are skipped); otherwise
 * OC_ERROR_INVALID with a message that names target_path and why. Renaming
 * a new file into place would turn a symbolic link, a FIFO or a device
 * (/dev/null, run as root) into a plain file, and writing over an input
 * (the store, the configuration) would destroy the data the results came
 * from; an empty path names nothing. Its directory must exist and be
 * writable, else OC_ERROR_IO: "PATH: the directory 'DIR' does not exist",
 * "... is a regular file, not a directory", "cannot write in the directory
 * 'DIR': Permission denied". Callers check before doing any work, so that
 * the mistake costs nothing; oc__atomic_file_begin and _begin_path check
 * again. */
int oc__atomic_file_check_target(const char *target_path, const char *const *inputs,
                                 size_t input_count, oc_error *error);

/* Creates a temporary file beside target_path, mode 0666 less the umask,
 * unnamed where the system allows it. On success file->stream is open for
 * writing. */
int oc__atomic_file_begin(oc__atomic_file *file, const char *target_path, oc_error *error);

/* For writers that need the path rather than a stream (HDF5): creates the
 * temporary name only (always named); the caller creates the file at
 * temporary_path. */
int oc__atomic_file_begin_path(oc__atomic_file *file, const char *target_path,
                               oc_error *error);

/* Flushes, fsyncs and renames the temporary file over the target, then
 * frees the struct's memory. A file it replaces passes on its permission
 * bits, and its owner and group where the system allows (a group that
 * cannot be kept takes its group bits with it). On failure the temporary
 * file is removed and the target is untouched. */
int oc__atomic_file_commit(oc__atomic_file *file, oc_error *error);

/* Removes the temporary file and frees the struct's memory. Safe to call
 * after a failed commit or on a zeroed struct. */
void oc__atomic_file_abort(oc__atomic_file *file);

#endif
