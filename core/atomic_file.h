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

#include <stdio.h>

#include <outcomes/common.h>

typedef struct oc__atomic_file {
    char *target_path;     /* owned */
    char *temporary_path;  /* owned; the file being written, or (unnamed)
                              the name it takes for a moment at commit */
    FILE *stream;          /* open on the temporary file, or NULL */
    int unnamed;           /* the file has no name yet (O_TMPFILE) */
} oc__atomic_file;

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
 * frees the struct's memory. On failure the temporary file is removed and
 * the target is untouched. */
int oc__atomic_file_commit(oc__atomic_file *file, oc_error *error);

/* Removes the temporary file and frees the struct's memory. Safe to call
 * after a failed commit or on a zeroed struct. */
void oc__atomic_file_abort(oc__atomic_file *file);

#endif
