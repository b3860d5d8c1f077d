/*
 * plugin_runner.c: the host's side of isolation in workers (see
 * plugin_runner.h, core/runner_worker.h). The parent does not wait on any
 * one worker while jobs run: it polls all pipes, wakes for the nearest
 * deadline, and reaps with WNOHANG, so a job that hangs, floods or closes
 * its pipe early cannot stall the others. (An idle worker that makes
 * room for another group is left to exit while its successor starts, and
 * reaped later, by the end of the run at the latest (waited for at most a
 * second, then killed); it is waited for at once only when as many
 * workers as run at a time are still leaving.)
 *
 * A job is over when its stream's last record (END or ERROR) has arrived
 * and checked, not when its pipe closes: a process the plugin started
 * inherits the pipe's write end and may hold it as long as it lives. Such
 * processes are in the worker's process group, which goes with the worker
 * (core/runner_worker.h); SIGCHLD wakes the host when a worker exits, so
 * that it kills the group at once and a pipe the group held closes. One
 * that left the group (setsid) may hold it still, so the stream of a
 * worker that has exited is read to what is there and ended then.
 */
#define _GNU_SOURCE /* pipe2, ppoll */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugin_runner.h"
#include "runner_worker.h"

/* How long the parent sleeps between checks for a worker that closed a
 * job's pipe without finishing it but has not exited yet. */
#define REAP_POLL_MILLISECONDS 10
/* How long a worker whose job's stream ended early has to exit on its
 * own. One that is dying exits well within it, with the status that says
 * why; one still alive after it had its pipe closed or replaced by the
 * job, carries on and, as a worker, would wait for its next job for ever:
 * it is killed. */
#define EARLY_END_GRACE_SECONDS 1
#define READ_CHUNK 65536

typedef enum job_phase { JOB_WAITING, JOB_RUNNING, JOB_DONE } job_phase;

typedef struct job_state {
    job_phase phase;
    oc__runner_worker *worker; /* running it (a slot of the host's array) */
    int fd;                    /* read end of the job's pipe, -1 once closed */
    oc__wire_reader reader;    /* keeps the job's results until it is judged */
    struct timespec deadline;
    int has_deadline;
    int timed_out;
    int rejected;              /* the stream was refused while reading (reason says why) */
    int incomplete;            /* the stream ended early */
    struct timespec ended;     /* when, if it did */
    int killed_after_early_end; /* its worker outlived the grace and was killed */
    int start_failed;
    int relaunched;            /* it was sent to a worker that died first, and again */
    int wait_status;
    char reason[OC_ERROR_MESSAGE_SIZE + 64]; /* a prefix and a whole message */
    char activity[OC__RUNNER_ACTIVITY_SIZE]; /* its worker's, when it was reaped */
} job_state;

/* Set by oc__runner_request_stop, possibly from a signal handler. */
static volatile sig_atomic_t stop_requested;
/* Set by SIGCHLD while the host waits: some child exited. */
static volatile sig_atomic_t child_exited;

/* Set by SIGTSTP while the host waits: the terminal's Ctrl-Z. */
static volatile sig_atomic_t terminal_stop;

static void on_child_exit(int signal_number)
{
    (void)signal_number;
    child_exited = 1;
}

static void on_terminal_stop(int signal_number)
{
    (void)signal_number;
    terminal_stop = 1;
}

void oc__runner_request_stop(int signal_number)
{
    stop_requested = signal_number > 0 ? signal_number : -1;
}

int oc__runner_stop_requested(void)
{
    return (int)stop_requested;
}

size_t oc__runner_default_parallelism(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? (size_t)cpus : 1;
}

static struct timespec now(void)
{
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return time;
}

static long milliseconds_until(struct timespec deadline, struct timespec current)
{
    long long difference = (long long)(deadline.tv_sec - current.tv_sec) * 1000
                           + (deadline.tv_nsec - current.tv_nsec) / 1000000;
    if (difference < 0)
        return 0;
    return difference > 1000000 ? 1000000 : (long)difference + 1;
}

/* time moved nanoseconds (>= 0) later. */
static struct timespec later_by(struct timespec time, long long nanoseconds)
{
    long long total = (long long)time.tv_nsec + nanoseconds;
    time.tv_sec += (time_t)(total / 1000000000);
    time.tv_nsec = (long)(total % 1000000000);
    return time;
}

static int deadline_passed(struct timespec deadline, struct timespec current)
{
    return current.tv_sec > deadline.tv_sec
           || (current.tv_sec == deadline.tv_sec && current.tv_nsec >= deadline.tv_nsec);
}

/* ---- the host ---- */

/* Most jobs started past the first one not yet handed to the sink, per
 * worker: finished jobs wait there for the jobs before them, so this
 * bounds the streams the host holds, whatever the number of jobs. */
#define JOBS_AHEAD_PER_WORKER 3

/* Starts job `index` on worker, which is idle; the job is done at once
 * (start_failed) if it cannot be. Returns -1 when the worker could not
 * be reached (it died while idle, say): it is then killed and reaped, its
 * slot freed and the job left waiting, for the caller to try once more
 * with a new worker. */
static int start_job(const oc__runner_job *job, size_t index, job_state *state,
                     oc__runner_worker *worker)
{
    int fds[2];
    state->phase = JOB_RUNNING;
    state->fd = -1;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        state->start_failed = 1;
        snprintf(state->reason, sizeof state->reason, "could not start: %s", strerror(errno));
        state->phase = JOB_DONE;
        return 0;
    }
#ifdef F_SETPIPE_SZ
    /* A 1 MiB pipe (Linux; best effort) lets a job send a whole batch of
     * results without waiting for the host, so the two switch less. */
    (void)fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
#endif
    int sent = oc__runner_worker_assign(worker, index, fds[1]);
    int send_errno = errno;
    close(fds[1]);
    if (sent != 0) {
        close(fds[0]);
        oc__runner_worker_abandon(worker);
        snprintf(state->reason, sizeof state->reason, "could not start: %s",
                 strerror(send_errno));
        state->phase = JOB_WAITING;
        return -1;
    }
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    state->worker = worker;
    state->fd = fds[0];
    if (job->time_limit_seconds > 0) {
        state->deadline = now();
        state->deadline.tv_sec += job->time_limit_seconds;
        state->has_deadline = 1;
    }
    return 0;
}

static void stop_reading(job_state *state)
{
    if (state->fd >= 0) {
        close(state->fd);
        state->fd = -1;
    }
}

/* Stops the job; prefix and detail together are what its results will
 * say. */
static void reject_stream(job_state *state, const char *prefix, const char *detail)
{
    state->rejected = 1;
    snprintf(state->reason, sizeof state->reason, "%s%s", prefix, detail);
    oc__runner_worker_kill(state->worker);
    stop_reading(state);
}

/* Reads what the child has sent, straight into its reader. Whatever goes
 * wrong fails this job only: a stream that is malformed, larger than the
 * job's limit, or more than the host has memory to hold. */
static void refuse_stream(job_state *state, const oc_error *error)
{
    if (error->status == OC_ERROR_NO_MEMORY)
        reject_stream(state, "the host ran out of memory holding its results", "");
    else
        reject_stream(state, "sent malformed results: ", error->message);
}

/* The job's stream is over: its last record arrived, or its pipe closed.
 * Judged by what arrived: a stream without its END or ERROR record is
 * incomplete. */
static void end_stream(job_state *state)
{
    oc_error error;
    if (oc__wire_reader_finish(&state->reader, &error) != OC_OK) {
        state->incomplete = 1;
        state->ended = now();
        /* What the job will say if its worker has to be killed. */
        snprintf(state->reason, sizeof state->reason,
                 "closed its result stream before finishing: %s", error.message);
    }
    stop_reading(state);
}

static void read_from_child(const oc__runner_job *job, job_state *state)
{
    unsigned char *space;
    oc_error error;
    if (oc__wire_reader_space(&state->reader, READ_CHUNK, &space, &error) != OC_OK) {
        refuse_stream(state, &error);
        return;
    }
    ssize_t got = read(state->fd, space, READ_CHUNK);
    if (got < 0) {
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            reject_stream(state, "results could not be read: ", strerror(errno));
        return;
    }
    if (got == 0) {
        end_stream(state);
        return;
    }
    if (oc__wire_reader_received(&state->reader, (size_t)got, &error) != OC_OK) {
        refuse_stream(state, &error);
        return;
    }
    if (job->stream_limit > 0 && state->reader.length > job->stream_limit) {
        char limit[64];
        snprintf(limit, sizeof limit, "%zu bytes of results", job->stream_limit);
        reject_stream(state, "sent more than ", limit);
        return;
    }
    /* Nothing may follow (the reader refuses it), so the job is complete
     * even if its pipe never closes. Once per read, not per result. */
    if (state->reader.ended || state->reader.job_failed)
        end_stream(state);
}

/* Writes the one-line reason a finished job failed, or returns 0 if it
 * succeeded. */
static int failure_reason(const oc__runner_job *job, const job_state *state, char *reason,
                          size_t size)
{
    int wait_status = state->wait_status;
    if (state->start_failed)
        snprintf(reason, size, "%s", state->reason);
    else if (state->timed_out)
        snprintf(reason, size, "timed out after %u s", job->time_limit_seconds);
    else if (state->rejected)
        snprintf(reason, size, "%s", state->reason);
    else if (state->killed_after_early_end && WIFSIGNALED(wait_status)
             && WTERMSIG(wait_status) == SIGKILL)
        snprintf(reason, size, "%s", state->reason);
    else if (WIFSIGNALED(wait_status) && state->activity[0] != '\0'
             && (WTERMSIG(wait_status) == SIGSEGV || WTERMSIG(wait_status) == SIGBUS
                 || WTERMSIG(wait_status) == SIGFPE || WTERMSIG(wait_status) == SIGILL))
        /* A fault not in the plugin but in the worker's own reading, which
         * a damaged store can crash (HDF5 trusts the file's metadata). An
         * abort there is more often the heap a plugin overran, caught by
         * malloc, and another signal was sent: those are said as before. */
        snprintf(reason, size, "crashed while %s (%s, signal %d): the store may be damaged "
                 "('outcomes store check' tells)", state->activity,
                 strsignal(WTERMSIG(wait_status)), WTERMSIG(wait_status));
    else if (WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGABRT)
        snprintf(reason, size, "aborted (signal %d)", SIGABRT);
    else if (WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL)
        /* Not the host's (a timeout or an early end is said above): the
         * kernel's out-of-memory killer, often because the job itself used
         * too much memory, or an operator sent it. */
        snprintf(reason, size, "killed by signal %d, which the run did not send: most likely "
                 "the system's out-of-memory killer (the job may have used too much memory) "
                 "or an operator", SIGKILL);
    else if (WIFSIGNALED(wait_status))
        snprintf(reason, size, "crashed: %s (signal %d)", strsignal(WTERMSIG(wait_status)),
                 WTERMSIG(wait_status));
    else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == OC__RUNNER_EXIT_SEND_FAILED)
        snprintf(reason, size, "could not send its results (exited with status %d)",
                 OC__RUNNER_EXIT_SEND_FAILED);
    else if (WIFEXITED(wait_status) && (WEXITSTATUS(wait_status) != 0 || state->incomplete))
        snprintf(reason, size, "exited with status %d before finishing", WEXITSTATUS(wait_status));
    else if (state->reader.job_failed)
        snprintf(reason, size, "%s", state->reader.job_message != NULL && state->reader.job_message[0]
                                         ? state->reader.job_message : "failed without a message");
    else
        return 0;
    return 1;
}

/* Kills and reaps every worker: the host is giving up. */
static void abandon(job_state *states, size_t count, oc__runner_worker *workers,
                    size_t worker_count)
{
    for (size_t i = 0; i < count; i++) {
        if (states[i].phase != JOB_RUNNING)
            continue;
        stop_reading(&states[i]);
        states[i].phase = JOB_DONE;
    }
    for (size_t w = 0; w < worker_count; w++)
        oc__runner_worker_abandon(&workers[w]);
}

/* What the parent needs to hand finished jobs' results to the sink. */
typedef struct collection {
    oc__runner_summary *summary;
    const oc__runner_sink *sink;
    size_t next;                  /* the first job not yet collected */
    /* next's results are part way out (a turn's batches ran out): cursor
     * says where the next batch starts. */
    int delivering;
    oc__wire_cursor cursor;
    oc__result *views;            /* DELIVERY_BATCH views handed to the sink */
    /* Readers of collected jobs, emptied, for the next jobs to reuse:
     * their memory is already mapped (core/wire.c). */
    oc__wire_reader *spares;
    size_t spare_count;
    size_t spare_capacity;
} collection;

/* Most memory the spare readers keep between them: enough for the
 * streams of a few national jobs, not a lot on a machine of many cores. */
#define SPARE_READERS_MAX_BYTES (64u * 1024u * 1024u)

static void keep_or_free_reader(collection *collected, oc__wire_reader *reader)
{
    size_t kept = reader->capacity;
    for (size_t i = 0; i < collected->spare_count; i++)
        kept += collected->spares[i].capacity;
    if (collected->spare_count < collected->spare_capacity && kept <= SPARE_READERS_MAX_BYTES) {
        oc__wire_reader_reset(reader);
        collected->spares[collected->spare_count++] = *reader;
        oc__wire_reader_init(reader);
    } else {
        oc__wire_reader_free(reader);
    }
}

/* Hands the sink its results this many at a time: views of the job's
 * stream, not copies, in one small array that stays in the cache. */
#define DELIVERY_BATCH 512
/* Batches delivered between looks at the workers: about a millisecond of
 * a national run's writing, against the tens a job takes. */
#define DELIVERY_BATCHES_PER_TURN 4

static int deliver(collection *collected, oc__result *items, size_t count, oc_error *error)
{
    const oc__result_list batch = {items, count, count};
    return collected->sink->deliver(collected->sink->context, &batch, error);
}

/* A failed job's stand-in results (or its one failure result). */
static int collect_failure(const oc__runner_job *job, const char *reason,
                           oc__result_list *results)
{
    if (job->on_failure != NULL)
        return job->on_failure(job->context, reason, results);
    oc__result *failure = oc__result_list_append(results);
    if (failure == NULL)
        return OC_ERROR_NO_MEMORY;
    failure->metric = oc__result_copy_text(job->metric);
    failure->plugin = oc__result_copy_text(job->plugin);
    failure->plugin_version = oc__result_copy_text(job->plugin_version);
    failure->message = strdup(reason);
    failure->status = OC_RESULT_FAILED;
    return failure->message != NULL ? OC_OK : OC_ERROR_NO_MEMORY;
}

static int out_of_memory(oc_error *error)
{
    return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory collecting results");
}

/* Hands a finished job's results to the sink, or what stands for them if
 * it failed, at most *batches_left batches of them (each counted off):
 * *finished is set once the last has gone, else the next call goes on
 * from where this one stopped. */
static int collect(const oc__runner_job *job, job_state *state, collection *collected,
                   size_t *batches_left, int *finished, oc_error *error)
{
    *finished = 0;
    if (!collected->delivering) {
        char reason[OC_ERROR_MESSAGE_SIZE + 64]; /* a prefix and a child's whole message */
        if (failure_reason(job, state, reason, sizeof reason)) {
            collected->summary->failed++;
            (*batches_left)--;
            *finished = 1;
            oc__result_list failures = {0};
            int status = collect_failure(job, reason, &failures) == OC_OK
                             ? deliver(collected, failures.items, failures.count, error)
                             : out_of_memory(error);
            oc__result_list_free(&failures);
            return status;
        }
        collected->summary->succeeded++;
        memset(&collected->cursor, 0, sizeof collected->cursor);
        collected->delivering = 1;
    }
    size_t batched = 0;
    oc__result view;
    int found = 1;
    while (*batches_left > 0
           && (found = oc__wire_reader_next_result(&state->reader, &collected->cursor, &view))
                  == 1) {
        collected->views[batched++] = view;
        if (batched == DELIVERY_BATCH) {
            (*batches_left)--;
            int status = deliver(collected, collected->views, batched, error);
            if (status != OC_OK)
                return status;
            batched = 0;
        }
    }
    if (found < 0) /* only if the host wrote into the stream: its own bug */
        return oc_error_set(error, OC_ERROR_INVALID, "%s: a result stream changed after it was checked",
                            job->metric);
    if (found == 1) /* the turn's batches ran out; the rest next turn */
        return OC_OK;
    *finished = 1;
    collected->delivering = 0;
    if (batched == 0)
        return OC_OK;
    (*batches_left)--;
    return deliver(collected, collected->views, batched, error);
}

/* Collects the finished jobs that have no unfinished job before it, at
 * most `batches` batches of their results: results leave in job order,
 * each job's as soon as it and every job before it are judged. */
static int collect_finished(const oc__runner_job *jobs, size_t count, job_state *states,
                            collection *collected, size_t batches, oc_error *error)
{
    while (batches > 0 && collected->next < count && states[collected->next].phase == JOB_DONE) {
        size_t i = collected->next;
        int finished;
        int status = collect(&jobs[i], &states[i], collected, &batches, &finished, error);
        if (status != OC_OK)
            return status;
        if (!finished)
            break;
        collected->next++;
        keep_or_free_reader(collected, &states[i].reader);
    }
    return OC_OK;
}

/* Makes room for a new worker in the slot of `idle`, an idle worker of
 * another group. The idle one is dismissed and moved to a free slot of
 * `leaving` (count of them) to exit while its successor starts: waiting
 * for the kernel to tear it down first cost 1.5-5 ms a switch from one
 * metric to the next, a core idle meanwhile. Only when every leaving slot
 * still holds a worker not yet reaped is it waited for (at most a
 * second). */
static void make_room(oc__runner_worker *idle, oc__runner_worker *leaving, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        if (leaving[k].pid != 0)
            continue;
        oc__runner_worker_dismiss(idle);
        /* The process moves; each slot keeps its own activity memory,
         * swapped so that the two never share one. */
        char *activity = leaving[k].activity;
        leaving[k] = *idle;
        idle->activity = activity;
        oc__runner_worker_clear(idle);
        return;
    }
    oc__runner_worker_retire(idle);
}

/* The worker to run job `job` on: an idle one of its group, else a new
 * one in a free slot, else a new one in place of an idle worker of
 * another group. NULL when every slot is busy; *reason set and NULL when
 * no process could be started. workers holds worker_count slots for
 * workers, then as many for workers leaving (see make_room). */
static oc__runner_worker *worker_for(const oc__runner_job *jobs, size_t count, size_t job,
                                     oc__runner_worker *workers, size_t worker_count,
                                     char *reason, size_t size, int *start_failed)
{
    const void *group = jobs[job].group;
    oc__runner_worker *free_slot = NULL, *idle_other = NULL;
    *start_failed = 0;
    for (size_t w = 0; w < worker_count; w++) {
        oc__runner_worker *worker = &workers[w];
        if (worker->pid == 0) {
            if (free_slot == NULL)
                free_slot = worker;
        } else if (worker->job == OC__RUNNER_NO_JOB && worker->control >= 0) {
            if (group != NULL && worker->group == group)
                return worker;
            if (idle_other == NULL)
                idle_other = worker;
        }
    }
    if (free_slot == NULL && idle_other != NULL) {
        make_room(idle_other, workers + worker_count, worker_count);
        free_slot = idle_other;
    }
    if (free_slot == NULL)
        return NULL;
    if (oc__runner_worker_start(free_slot, jobs, count, group, reason, size) != 0) {
        *start_failed = 1;
        return NULL;
    }
    return free_slot;
}

/* A job's stream has ended (its last record arrived or its pipe closed;
 * the host reads it no more). A whole stream is judged at once and its
 * worker goes back to waiting; a broken one needs its worker's exit
 * status, so it is judged once the worker is reaped. Returns 1 when the
 * job is done. */
static int judge_ended_job(job_state *state, struct timespec current, oc_error *error,
                           int *host_failed)
{
    oc__runner_worker *worker = state->worker;
    if (!state->rejected && !state->timed_out && !state->incomplete) {
        worker->job = OC__RUNNER_NO_JOB;
        return 1;
    }
    pid_t pid = worker->pid;
    if (worker->activity != NULL) { /* what it did if it died, before the slot is reused */
        memcpy(state->activity, worker->activity, sizeof state->activity);
        state->activity[sizeof state->activity - 1] = '\0';
    }
    int reaped = oc__runner_worker_reap(worker, &state->wait_status);
    if (reaped > 0)
        return 1;
    if (reaped < 0) {
        *host_failed = 1;
        oc_error_set(error, OC_ERROR_IO, "cannot reap plugin process %ld: %s", (long)pid,
                     strerror(errno));
        return 0;
    }
    if (state->incomplete && !state->killed_after_early_end) {
        struct timespec grace_over = state->ended;
        grace_over.tv_sec += EARLY_END_GRACE_SECONDS;
        if (deadline_passed(grace_over, current)) {
            state->killed_after_early_end = 1;
            oc__runner_worker_kill(worker);
        }
    }
    return 0;
}

/* Starts job `index` (state its state) on a worker: 0 when every slot
 * is busy and the job must wait, 1 when it runs or, if it could not be
 * started, is done (start_failed, with the reason). */
static int launch(const oc__runner_job *jobs, size_t count, size_t index, job_state *state,
                  oc__runner_worker *workers, size_t worker_count)
{
    char reason[sizeof state->reason];
    /* A second try only when the first worker was gone (start_job then
     * freed its slot), with a new one. */
    for (int attempt = 0; attempt < 2; attempt++) {
        int start_failed;
        oc__runner_worker *worker = worker_for(jobs, count, index, workers, worker_count, reason,
                                               sizeof reason, &start_failed);
        if (worker == NULL && !start_failed)
            return 0;
        if (worker == NULL)
            break;
        if (start_job(&jobs[index], index, state, worker) == 0)
            return 1;
        memcpy(reason, state->reason, sizeof reason);
    }
    state->start_failed = 1;
    memcpy(state->reason, reason, sizeof reason);
    state->phase = JOB_DONE;
    return 1;
}

/* Whether a job that ended broken never began: not even its stream's
 * header, which a worker sends before it runs anything of the job,
 * arrived. Its worker died before it (while idle, just as the host sent
 * the job), so the job is not at fault and runs again, once. */
static int never_began(const job_state *state)
{
    return state->incomplete && !state->timed_out && !state->rejected && !state->relaunched
           && state->reader.length == 0;
}

/* Runs again a job that never began; if no slot is free (which cannot
 * happen: its worker's slot was just freed) it is judged as it was. */
static void relaunch(const oc__runner_job *jobs, size_t count, size_t index, job_state *state,
                    oc__runner_worker *workers, size_t worker_count)
{
    job_state ended = *state;
    oc__wire_reader_reset(&state->reader);
    state->incomplete = 0;
    state->killed_after_early_end = 0;
    state->wait_status = 0;
    state->has_deadline = 0;
    state->reason[0] = '\0';
    state->relaunched = 1;
    if (launch(jobs, count, index, state, workers, worker_count))
        return;
    ended.reader = state->reader;
    *state = ended;
}

/* Reads what a dead worker's job left in its pipe, then ends the stream:
 * everything the worker wrote is in the pipe by the time it is dead, and a
 * process that left its group (setsid) may hold the write end for ever. */
static void drain_and_end(const oc__runner_job *job, job_state *state)
{
    while (state->fd >= 0) {
        size_t before = state->reader.length;
        read_from_child(job, state);
        if (state->fd >= 0 && state->reader.length == before)
            end_stream(state); /* nothing more to read, and no end of file */
    }
}

/* A worker exited (SIGCHLD said some child did): its group is killed now,
 * not when its job is judged, for a process the plugin started may hold
 * the job's pipe open, and the job would then end only at its time limit
 * (never, without one). A process that left the group may still hold
 * it, so the job's stream ends here too, with what the worker sent.
 * Workers are reaped where their jobs are judged. */
static void end_exited_workers(const oc__runner_job *jobs, job_state *states,
                               oc__runner_worker *workers, size_t worker_count)
{
    if (!child_exited)
        return;
    child_exited = 0;
    for (size_t w = 0; w < worker_count; w++) {
        oc__runner_worker *worker = &workers[w];
        if (worker->pid <= 0 || oc__runner_worker_exited(worker) != 1
            || worker->job == OC__RUNNER_NO_JOB)
            continue;
        job_state *state = &states[worker->job];
        if (state->phase == JOB_RUNNING && state->worker == worker)
            drain_and_end(&jobs[worker->job], state);
    }
}

/* Reaps workers that were told no job follows (jobs without a group). */
static int reap_finished_workers(oc__runner_worker *workers, size_t worker_count)
{
    int waiting = 0;
    for (size_t w = 0; w < worker_count; w++) {
        oc__runner_worker *worker = &workers[w];
        if (worker->pid == 0 || worker->control >= 0 || worker->job != OC__RUNNER_NO_JOB)
            continue;
        int reaped = oc__runner_worker_reap(worker, NULL);
        if (reaped < 0)
            oc__runner_worker_clear(worker);
        else if (reaped == 0)
            waiting = 1;
    }
    return waiting;
}

/* Ctrl-Z (SIGTSTP from the terminal) reaches only the host, since each
 * worker leads a process group of its own. So the host stops the workers'
 * groups, stops itself as the terminal asked (the shell then sees an
 * ordinary stopped job), and once continued (fg, bg: SIGCONT) continues
 * them, moving the deadline of every job that was running by the time
 * they stood still: a stop is not counted against a job's time limit. */
static void stop_with_the_terminal(job_state *states, size_t started, oc__runner_worker *workers,
                                   size_t worker_count)
{
    for (size_t w = 0; w < worker_count; w++)
        if (workers[w].pid > 0)
            kill(-workers[w].pid, SIGSTOP);
    struct timespec stopped = now();
    struct sigaction default_action, ours;
    memset(&default_action, 0, sizeof default_action);
    sigemptyset(&default_action.sa_mask);
    default_action.sa_handler = SIG_DFL;
    sigaction(SIGTSTP, &default_action, &ours);
    sigset_t terminal_stop_only;
    sigemptyset(&terminal_stop_only);
    sigaddset(&terminal_stop_only, SIGTSTP);
    raise(SIGTSTP); /* held back, then acted on (the stop) when let through */
    sigprocmask(SIG_UNBLOCK, &terminal_stop_only, NULL);
    sigprocmask(SIG_BLOCK, &terminal_stop_only, NULL);
    sigaction(SIGTSTP, &ours, NULL);
    for (size_t w = 0; w < worker_count; w++)
        if (workers[w].pid > 0)
            kill(-workers[w].pid, SIGCONT);
    struct timespec continued = now();
    long long stood_still = (long long)(continued.tv_sec - stopped.tv_sec) * 1000000000
                            + (continued.tv_nsec - stopped.tv_nsec);
    for (size_t i = 0; i < started; i++)
        if (states[i].phase == JOB_RUNNING && states[i].has_deadline)
            states[i].deadline = later_by(states[i].deadline, stood_still);
}

/* waiting_mask: the signal mask while waiting in ppoll, the only time a
 * signal that asks the run to stop can arrive (see stop_signals). */
static int supervise(const oc__runner_job *jobs, size_t count, size_t max_parallel,
                     job_state *states, oc__runner_worker *workers, struct pollfd *polls,
                     size_t *poll_jobs, collection *collected, const sigset_t *waiting_mask,
                     oc_error *error)
{
    size_t next = 0, running = 0, done = 0;
    size_t window = max_parallel * JOBS_AHEAD_PER_WORKER;
    while (done < count) {
        if (stop_requested != 0)
            return oc_error_set(error, OC_ERROR_IO, "interrupted by signal %d",
                                (int)stop_requested);
        while (next < count && next < collected->next + window) {
            if (!launch(jobs, count, next, &states[next], workers, max_parallel))
                break;
            if (collected->spare_count > 0 && states[next].reader.capacity == 0)
                states[next].reader = collected->spares[--collected->spare_count];
            if (states[next].phase == JOB_DONE)
                done++;
            else
                running++;
            next++;
        }
        /* Delivered after the next jobs have started, so that with one
         * worker the next job computes while the host writes; and a turn
         * at a time, so that a worker that finishes meanwhile waits for
         * its next job no longer than a turn takes, not for every result
         * of every job finished before it to be written. */
        int status = collect_finished(jobs, count, states, collected, DELIVERY_BATCHES_PER_TURN,
                                      error);
        if (status != OC_OK)
            return status;
        int delivering = collected->next < count && states[collected->next].phase == JOB_DONE;
        int exiting = reap_finished_workers(workers, 2 * max_parallel);
        if (running == 0 && !exiting)
            continue;

        struct timespec current = now();
        long timeout = delivering ? 0 : exiting ? REAP_POLL_MILLISECONDS : -1;
        nfds_t poll_count = 0;
        for (size_t i = 0; i < next; i++) {
            job_state *state = &states[i];
            if (state->phase != JOB_RUNNING)
                continue;
            if (state->fd >= 0) {
                polls[poll_count].fd = state->fd;
                polls[poll_count].events = POLLIN;
                polls[poll_count].revents = 0;
                poll_jobs[poll_count++] = i;
            } else if (timeout < 0 || timeout > REAP_POLL_MILLISECONDS) {
                timeout = REAP_POLL_MILLISECONDS;
            }
            if (state->has_deadline && !state->timed_out) {
                long until = milliseconds_until(state->deadline, current);
                if (timeout < 0 || until < timeout)
                    timeout = until;
            }
        }
        struct timespec wait_for = {timeout / 1000, (timeout % 1000) * 1000000};
        int ready = ppoll(polls, poll_count, timeout < 0 ? NULL : &wait_for, waiting_mask);
        if (ready < 0 && errno != EINTR)
            return oc_error_set(error, OC_ERROR_IO, "cannot wait for plugin processes: %s",
                                strerror(errno));
        end_exited_workers(jobs, states, workers, max_parallel);
        if (terminal_stop) {
            terminal_stop = 0;
            stop_with_the_terminal(states, next, workers, 2 * max_parallel); /* leaving ones too */
        }
        for (nfds_t p = 0; ready > 0 && p < poll_count; p++)
            if (polls[p].revents != 0 && states[poll_jobs[p]].fd >= 0)
                read_from_child(&jobs[poll_jobs[p]], &states[poll_jobs[p]]);

        current = now();
        for (size_t i = 0; i < next; i++) {
            job_state *state = &states[i];
            if (state->phase != JOB_RUNNING)
                continue;
            /* A stream that ended whole is the job done, however late a
             * host busy delivering read it: only a job still sending, or
             * one whose stream broke off while its worker lives, runs out
             * of time. */
            if (state->has_deadline && !state->timed_out && (state->fd >= 0 || state->incomplete)
                && deadline_passed(state->deadline, current)) {
                state->timed_out = 1;
                oc__runner_worker_kill(state->worker);
                stop_reading(state);
            }
            if (state->fd >= 0)
                continue;
            int host_failed = 0;
            if (judge_ended_job(state, current, error, &host_failed)) {
                state->phase = JOB_DONE;
                if (never_began(state))
                    relaunch(jobs, count, i, state, workers, max_parallel);
                if (state->phase == JOB_DONE) {
                    running--;
                    done++;
                }
            } else if (host_failed) {
                return error->status;
            }
        }
    }
    return collect_finished(jobs, count, states, collected, SIZE_MAX, error);
}

/* The sink of oc__runner_run: copies into the caller's list. */
static int copy_into_list(void *context, const oc__result_list *results, oc_error *error)
{
    if (oc__result_list_append_copies(context, results) != OC_OK)
        return out_of_memory(error);
    return OC_OK;
}

int oc__runner_run(const oc__runner_job *jobs, size_t count, size_t max_parallel,
                   oc__result_list *results, oc__runner_summary *summary, oc_error *error)
{
    return oc__runner_run_delivering(jobs, count, max_parallel, NULL, results, summary, error);
}

int oc__runner_run_delivering(const oc__runner_job *jobs, size_t count, size_t max_parallel,
                              const oc__runner_sink *sink, oc__result_list *results,
                              oc__runner_summary *summary, oc_error *error)
{
    oc__runner_summary ignored;
    if (summary == NULL)
        summary = &ignored;
    memset(summary, 0, sizeof *summary);
    if (count == 0)
        return OC_OK;
    if (jobs == NULL || results == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "no jobs or no result list");
    for (size_t i = 0; i < count; i++)
        if (jobs[i].run == NULL)
            return oc_error_set(error, OC_ERROR_INVALID, "job %zu has no run function", i + 1);
    if (max_parallel == 0)
        max_parallel = oc__runner_default_parallelism();
    if (max_parallel > count)
        max_parallel = count;

    job_state *states = calloc(count, sizeof *states);
    struct pollfd *polls = calloc(max_parallel, sizeof *polls);
    size_t *poll_jobs = calloc(max_parallel, sizeof *poll_jobs);
    oc__result *views = malloc(DELIVERY_BATCH * sizeof *views);
    oc__wire_reader *spares = calloc(max_parallel, sizeof *spares);
    /* max_parallel slots for the workers, then as many for workers that
     * were dismissed and have not exited yet (make_room). */
    oc__runner_worker *workers = calloc(2 * max_parallel, sizeof *workers);
    /* Shared with the workers (oc__runner_activity): one piece a slot. A
     * run without it only says less when a store crashes a worker. */
    size_t activity_bytes = 2 * max_parallel * OC__RUNNER_ACTIVITY_SIZE;
    char *activity = mmap(NULL, activity_bytes, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    for (size_t w = 0; workers != NULL && activity != MAP_FAILED && w < 2 * max_parallel; w++)
        workers[w].activity = activity + w * OC__RUNNER_ACTIVITY_SIZE;
    oc__runner_sink copying = {copy_into_list, results};
    if (sink == NULL)
        sink = &copying;
    int status = OC_OK;
    if (states == NULL || polls == NULL || poll_jobs == NULL || views == NULL || spares == NULL
        || workers == NULL)
        status = oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory starting plugins");

    /* A handler of SIGCHLD's own also keeps children reapable: an
     * inherited SIG_IGN would make the kernel reap them and waitpid fail. */
    struct sigaction saved_action, child_action;
    memset(&child_action, 0, sizeof child_action);
    sigemptyset(&child_action.sa_mask);
    child_action.sa_handler = on_child_exit;
    child_action.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &child_action, &saved_action);
    /* Ctrl-Z, unless the caller ignores it (no job control). */
    struct sigaction saved_terminal_action, terminal_action = child_action;
    terminal_action.sa_handler = on_terminal_stop;
    terminal_action.sa_flags = 0;
    sigaction(SIGTSTP, NULL, &saved_terminal_action);
    int catching_terminal_stop = saved_terminal_action.sa_handler == SIG_DFL;
    if (catching_terminal_stop)
        sigaction(SIGTSTP, &terminal_action, NULL);

    if (status == OC_OK) {
        for (size_t i = 0; i < count; i++) {
            states[i].fd = -1;
            oc__wire_reader_init(&states[i].reader);
        }
        for (size_t w = 0; w < 2 * max_parallel; w++)
            oc__runner_worker_clear(&workers[w]);
        collection collected = {summary, sink, 0, 0, {0}, views, spares, 0, max_parallel};
        /* The signals that ask a run to stop, and SIGCHLD, are held back
         * except while the host waits: one that came between the check of
         * its flag and the wait would otherwise go unnoticed until some
         * job sent something or ran out of time (an hour, with a long time
         * limit and a job that hangs). Workers unblock them. */
        sigset_t stop_signals, callers_mask, waiting_mask;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGTERM);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGHUP);
        sigaddset(&stop_signals, SIGCHLD);
        sigaddset(&stop_signals, SIGTSTP);
        sigprocmask(SIG_BLOCK, &stop_signals, &callers_mask);
        waiting_mask = callers_mask;
        sigdelset(&waiting_mask, SIGCHLD); /* whatever the caller's mask */
        if (catching_terminal_stop)
            sigdelset(&waiting_mask, SIGTSTP);
        child_exited = 0;
        terminal_stop = 0;
        status = supervise(jobs, count, max_parallel, states, workers, polls, poll_jobs,
                           &collected, &waiting_mask, error);
        for (size_t i = 0; i < collected.spare_count; i++)
            oc__wire_reader_free(&spares[i]);
        if (status != OC_OK)
            abandon(states, count, workers, 2 * max_parallel);
        /* All told at once, then waited for: they exit side by side. */
        for (size_t w = 0; w < 2 * max_parallel; w++)
            oc__runner_worker_dismiss(&workers[w]);
        for (size_t w = 0; w < 2 * max_parallel; w++)
            oc__runner_worker_retire(&workers[w]);
        sigprocmask(SIG_SETMASK, &callers_mask, NULL);
    }
    for (size_t i = 0; states != NULL && i < count; i++) {
        oc__wire_reader_free(&states[i].reader);
    }
    sigaction(SIGCHLD, &saved_action, NULL);
    if (catching_terminal_stop)
        sigaction(SIGTSTP, &saved_terminal_action, NULL);
    free(states);
    free(polls);
    free(poll_jobs);
    free(views);
    free(spares);
    free(workers);
    if (activity != MAP_FAILED)
        munmap(activity, activity_bytes);
    return status;
}
