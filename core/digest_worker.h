/*
 * digest_worker.h: the SHA-256 of the stores, worked out in a child
 * process while the run goes on. The manifest records the digest of every
 * store read; a national store is over 100 MB, and hashing it before the
 * first job started held every job back (0.12 s of a 4.5 s run). The
 * child runs at idle priority (SCHED_IDLE) and maps the files rather than
 * reading them. With fewer jobs than cores it takes only time no job
 * wants; with as many, it still costs about its CPU: the scheduler lets
 * it keep a core while two workers share the other (docs/performance.md,
 * which measures it). It only reads files and writes digests
 * down a pipe; if anything goes wrong with it, finishing falls back to
 * hashing in the caller, so the manifest is always right and errors are
 * the ones hashing gives.
 */
#ifndef OC_DIGEST_WORKER_H
#define OC_DIGEST_WORKER_H

#include <stddef.h>
#include <sys/types.h>

#include <outcomes/common.h>

#include "manifest.h"

typedef struct oc__digest_worker {
    const char *const *paths; /* borrowed until finished or stopped */
    size_t count;
    pid_t pid;                /* -1: no child (hashing happens at finish) */
    int fd;                   /* read end of the child's pipe, or -1 */
} oc__digest_worker;

/* Starts hashing the count files in a child. Cannot fail: without a child
 * (fork or pipe failed) the hashing is left to finish. */
void oc__digest_worker_start(oc__digest_worker *worker, const char *const *paths, size_t count);

/* Copies the digests into digests (count entries, in the order of
 * paths). A child still hashing is waited for while it gets CPU; one
 * starved of it (at idle priority, on a machine busy with other work, it
 * could take minutes) is killed, and the files it had not sent are
 * hashed here. Errors name the file, as oc__sha256_file's do. */
int oc__digest_worker_finish(oc__digest_worker *worker, char (*digests)[OC_SHA256_HEX_SIZE],
                             oc_error *error);

/* Whether a child that had cpu_nanoseconds of CPU (-1: unknown) in
 * wall_nanoseconds is starved: less than a fifth of a core. */
int oc__digest_child_starved(long long cpu_nanoseconds, long long wall_nanoseconds);

/* Kills and reaps the child, if any; for runs that end early. */
void oc__digest_worker_stop(oc__digest_worker *worker);

#endif
