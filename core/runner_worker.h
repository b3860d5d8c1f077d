/*
 * runner_worker.h: the processes that run jobs for core/plugin_runner.c.
 * A worker is forked from the host and then runs job after job of one
 * group (one metric's plugin over slices of its areas), each sent to it
 * with a pipe of its own for the results. Forking, opening the store and
 * first touching memory cost some 10-20 ms a process; paid once per
 * worker instead of once per job, jobs can be small: small enough to
 * bound the host's memory and to keep every worker busy to the end.
 *
 * A worker never runs two groups: a plugin that leaves its process in a
 * bad state can spoil only later jobs of its own metric, never another's.
 * Jobs without a group get a worker each, as before workers were kept.
 *
 * A worker leads a process group of its own (its id is the worker's pid),
 * and the processes a plugin starts are in it: every function here that
 * kills or reaps a worker kills the whole group, so that none of them
 * outlives it, holding a job's pipe or running on with no one to stop it.
 * Only a process that leaves the group (setsid, setpgid) escapes.
 */
#ifndef OC_RUNNER_WORKER_H
#define OC_RUNNER_WORKER_H

#include <stddef.h>
#include <sys/types.h>

#include "plugin_runner.h"

#define OC__RUNNER_NO_JOB ((size_t)-1)

typedef struct oc__runner_worker {
    pid_t pid;         /* 0: the slot is free */
    int control;       /* host's end of the worker's socket; -1 once closed */
    const void *group; /* the jobs it may run; NULL: one job, then it exits */
    size_t job;        /* the job it runs, or OC__RUNNER_NO_JOB */
    /* OC__RUNNER_ACTIVITY_SIZE bytes of memory shared with the worker, in
     * which it says what it is doing beside running the plugin (see
     * oc__runner_activity), or NULL: owned by the runner, kept across
     * oc__runner_worker_clear and emptied when a worker starts. */
    char *activity;
} oc__runner_worker;

/* Marks a slot free (no process); its activity memory stays. */
void oc__runner_worker_clear(oc__runner_worker *worker);

/* Forks a worker for group into a free slot. jobs (count of them) must
 * stay unchanged until the worker is gone: the worker runs jobs[i]
 * when sent i. Flushes all stdio streams first. On failure returns -1
 * with the reason in reason (size bytes), and the slot stays free. */
int oc__runner_worker_start(oc__runner_worker *worker, const oc__runner_job *jobs, size_t count,
                            const void *group, char *reason, size_t size);

/* Sends an idle worker job `job` and the write end of that job's result
 * pipe (the caller still closes its own copy). A worker without a group
 * is told at the same time that no job follows: it exits after this one.
 * -1 (errno set) if the worker cannot be reached, for example because
 * it died while idle. */
int oc__runner_worker_assign(oc__runner_worker *worker, size_t job, int result_fd);

/* Tells an idle worker that no job follows, without waiting: it exits,
 * and the slot stays taken until oc__runner_worker_reap (or _retire)
 * finds it gone. */
void oc__runner_worker_dismiss(oc__runner_worker *worker);

/* Tells an idle worker that no job follows, waits for it to exit (at most
 * a second, then kills it), kills its group and frees the slot. */
void oc__runner_worker_retire(oc__runner_worker *worker);

/* Kills the worker and its group (SIGKILL) without waiting; the caller
 * reaps it. */
void oc__runner_worker_kill(const oc__runner_worker *worker);

/* Kills and reaps the worker and its group at once, and frees the slot. */
void oc__runner_worker_abandon(oc__runner_worker *worker);

/* Without waiting: 1 when the worker has exited (it is not reaped), after
 * killing whatever is left of its group; 0 while it runs; -1 (errno set)
 * if it is not a child of this process. */
int oc__runner_worker_exited(const oc__runner_worker *worker);

/* Without waiting: when the worker has exited, kills what is left of its
 * group, reaps it, puts its exit status in *wait_status (may be NULL),
 * closes the host's end of its socket, frees the slot and returns 1; 0
 * while it runs; -1 (errno set, the slot kept) if it cannot be reaped. */
int oc__runner_worker_reap(oc__runner_worker *worker, int *wait_status);

#endif
