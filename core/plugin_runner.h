/*
 * plugin_runner.h: runs jobs (usually: one metric's plugin over a slice
 * of its areas) in forked worker processes, so that a plugin that
 * crashes, hangs, exits or writes garbage costs only its own results,
 * never the host or the other metrics. A worker runs job after job of one
 * group (core/runner_worker.h); each job sends its results back over a
 * pipe of its own in the wire format (wire.h); the parent multiplexes the
 * pipes with poll(), enforces each job's time limit and reaps every
 * worker.
 *
 * A job's results are kept only when its stream is valid and complete:
 * the job is over when its END (or ERROR) record has arrived and checked,
 * whether or not its pipe closes (a process the plugin forked may hold it
 * open). Whatever a job's plugin forks dies with its worker's process
 * group (core/runner_worker.h). Otherwise all of them are dropped and replaced by ONE result with
 * status OC_RESULT_FAILED, metric/plugin/plugin_version set and a message
 * such as "crashed: Segmentation fault (signal 11)", "aborted (signal
 * 6)", "timed out after 2 s", "exited with status 3 before finishing",
 * "sent malformed results: <reason>", "sent more than N bytes of results"
 * (past the job's stream_limit), "closed its result stream before
 * finishing: <reason>" (its worker lived on past the stream's end, and was
 * killed), or the message the job's run function returned. A job that
 * crashes, hangs or sends garbage takes its worker with it; the jobs after
 * it get a new one. A job whose worker died before the job began (nothing
 * of its stream arrived) is not its failure: it runs again, once, on
 * another worker.
 */
#ifndef OC_PLUGIN_RUNNER_H
#define OC_PLUGIN_RUNNER_H

#include <stddef.h>
#include <sys/types.h>

#include <outcomes/common.h>

#include "result.h"
#include "wire.h"

/* Runs in a worker. Writes results with oc__wire_write_result (not END:
 * the runner ends the stream). Returns OC_OK, or a negative status with a
 * message in error: the whole job then fails with that message. The
 * worker has stdin on /dev/null, stdout on stderr (so stray printf output
 * cannot mix with the host's output) and no descriptors open but the
 * job's result pipe and the socket its jobs arrive on: open files (e.g.
 * HDF5 stores) inside run, never share the parent's handles. Memory a job
 * leaves allocated stays with the worker for its later jobs. */
typedef int (*oc__runner_function)(void *context, oc__wire_writer *writer, oc_error *error);

typedef struct oc__runner_job {
    const char *metric;         /* borrowed; copied into the failure result */
    const char *plugin;         /* borrowed */
    const char *plugin_version; /* borrowed */
    unsigned time_limit_seconds; /* 0: no limit */
    oc__runner_function run;
    void *context;              /* borrowed; passed to run in the child */
    /* Optional, called in the parent when the job fails: appends to results
     * the failed results that stand for the job's work (e.g. one per area
     * and indicator), each with status failed and `reason` as its message.
     * NULL: the runner appends one failed result with the job's identity. */
    int (*on_failure)(void *context, const char *reason, oc__result_list *results);
    /* Most bytes of results the job may send (the host holds them until
     * the job is judged); a job that sends more fails with "sent more than
     * N bytes of results". 0: no limit. */
    size_t stream_limit;
    /* Jobs with the same non-NULL group may run one after another in the
     * same worker, which then keeps what they share (an open store, warm
     * memory); NULL: the job gets a worker of its own. Borrowed, compared
     * by address only. */
    const void *group;
} oc__runner_job;

typedef struct oc__runner_summary {
    size_t succeeded; /* jobs whose results were kept */
    size_t failed;    /* jobs replaced by one failed result */
} oc__runner_summary;

/* Exit status of a worker whose results could not be written to the pipe. */
#define OC__RUNNER_EXIT_SEND_FAILED 120

/* The default parallelism: the number of online CPUs (at least 1). */
size_t oc__runner_default_parallelism(void);

/* Runs count jobs, at most max_parallel at once (0: the default), and
 * never more than a few per worker past the first job whose results are
 * not yet delivered, so the host holds a bounded number of streams.
 * Appends to results (caller-owned list) every job's results in job order,
 * whatever order the workers finish them in. summary (may be NULL) counts
 * kept and failed jobs. Returns OC_OK even when jobs failed (they are in
 * the results), including a job for which no pipe or process could be had
 * ("could not start: <reason>"); a negative status only when the host
 * itself failed (out of memory, poll or waitpid failing), after killing
 * and reaping every child it started. Flushes all stdio streams before
 * forking. While it runs, SIGCHLD has a handler of the runner's (which
 * also keeps children reapable when the caller ignores SIGCHLD); the
 * caller's action is restored on return. */
int oc__runner_run(const oc__runner_job *jobs, size_t count, size_t max_parallel,
                   oc__result_list *results, oc__runner_summary *summary, oc_error *error);

/* Where results go as soon as they are final, so a long run can write
 * them while later jobs still work and need not hold them all. */
typedef struct oc__runner_sink {
    /* Called in the parent, in job order, with each finished job's results
     * (every job before it already delivered), a batch at a time, or with
     * what stands for them if it failed. results and everything it points
     * to are lent for the call only: the results are views of the job's
     * stream (core/wire.h), so the sink copies what it keeps
     * (oc__result_copy) and frees nothing. A status other than OC_OK (with
     * error set) stops the run: every child is killed and reaped and
     * oc__runner_run_delivering returns it. */
    int (*deliver)(void *context, const oc__result_list *results, oc_error *error);
    void *context; /* borrowed */
} oc__runner_sink;

/* For any child the host forks (jobs, the digest worker), called in the
 * child at once: it is killed when the host dies, so a host killed
 * outright (SIGKILL, the out-of-memory killer) leaves nothing running
 * with no one to enforce its time limit. Linux (PR_SET_PDEATHSIG);
 * elsewhere a child notices only when it next writes to a closed pipe.
 * Only the child itself: the processes it forks are not killed with the
 * host (a worker's group is killed by the host, which is then gone).
 * parent is the host's pid taken before fork; -1 when the host is already
 * gone (the child should _exit). */
int oc__runner_child_dies_with_parent(pid_t parent);

/* For any child the host forks, in the child: every signal's action back
 * to the default, so that a crash kills it with its signal whatever
 * handlers the host or a sanitizer installed (a sanitizer's would turn it
 * into a report and exit status 1). */
void oc__runner_child_signals_default(void);

/* In the host, around forking and reaping children: SIGCHLD's action set
 * to the default, the previous one saved in *saved (restore it with
 * sigaction(SIGCHLD, saved, NULL)). A host started with SIGCHLD ignored
 * (some schedulers do) would otherwise have its children reaped by the
 * kernel, and waitpid would find none to judge. */
struct sigaction;
void oc__runner_children_reapable(struct sigaction *saved);

/* In a worker: what it is doing beside running the plugin ("reading
 * store wirral.h5, dataset /quarterly/claimants"), or NULL when it goes
 * back to the plugin's code. A worker that dies by a signal meanwhile is
 * not called the plugin's crash: its results say what it was doing and
 * that the store may be damaged (HDF5 can crash on a damaged file).
 * Copied, at most OC__RUNNER_ACTIVITY_SIZE - 1 bytes; does nothing
 * outside a worker. */
#define OC__RUNNER_ACTIVITY_SIZE 256
void oc__runner_activity(const char *what);

/* Asks a run in progress to stop: the runner kills and reaps every child
 * it started, with its process group, and returns OC_ERROR_IO ("interrupted by signal N"). Safe to
 * call from a signal handler (it only sets a flag); a run started after
 * it stops at once. While it runs, the runner blocks SIGTERM, SIGINT and
 * SIGHUP except while it waits for its workers (ppoll), so a handler of
 * theirs that calls this is never missed; the caller's mask is restored
 * on return, and workers start with nothing blocked. */
void oc__runner_request_stop(int signal_number);

/* The signal a stop was requested with (-1 when it came with none), or 0:
 * for waits outside the runner, such as reading the stores while the run
 * is planned, that must end early too. */
int oc__runner_stop_requested(void);

/* oc__runner_run that hands results to sink as jobs finish; with a sink,
 * results (the caller's list) is left as it was. sink NULL: oc__runner_run. */
int oc__runner_run_delivering(const oc__runner_job *jobs, size_t count, size_t max_parallel,
                              const oc__runner_sink *sink, oc__result_list *results,
                              oc__runner_summary *summary, oc_error *error);

#endif
