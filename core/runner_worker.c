/*
 * runner_worker.c: worker processes (see runner_worker.h). The host sends
 * a worker each job as one datagram on a socket pair: the job's index,
 * with the write end of the job's result pipe passed alongside
 * (SCM_RIGHTS). A pipe per job keeps every job's stream apart, so the
 * host reads and judges each exactly as when every job had a process of
 * its own: a stream that ends without its END record failed, and the
 * worker's exit status says why.
 *
 * Each worker leads a process group of its own, which whatever a plugin
 * forks joins: the host kills the whole group whenever the worker goes,
 * so no process a plugin started outlives its worker (see
 * docs/plugin-abi.md).
 */
#define _GNU_SOURCE /* SOCK_CLOEXEC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner_worker.h"

/* The descriptors a worker has besides 0-2: the running job's result
 * pipe, and the socket its jobs arrive on. */
#define WORKER_RESULT_FD 3
#define WORKER_CONTROL_FD 4

void oc__runner_worker_clear(oc__runner_worker *worker)
{
    worker->pid = 0;
    worker->control = -1;
    worker->group = NULL;
    worker->job = OC__RUNNER_NO_JOB;
}

/* ---- in the worker ---- */

/* The slot's shared memory, in a worker; NULL in the host. */
static char *worker_activity;

void oc__runner_activity(const char *what)
{
    if (worker_activity == NULL)
        return;
    if (what == NULL) {
        worker_activity[0] = '\0';
        return;
    }
    size_t length = strnlen(what, OC__RUNNER_ACTIVITY_SIZE - 1);
    worker_activity[0] = '\0'; /* never half a text, were it read now */
    memcpy(worker_activity + 1, what + 1, length > 0 ? length - 1 : 0);
    worker_activity[length] = '\0';
    worker_activity[0] = what[0];
}

static void close_descriptors_from(int first)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)first, ~0u, 0u) == 0)
        return;
#endif
    long limit = sysconf(_SC_OPEN_MAX);
    if (limit < 0 || limit > 65536)
        limit = 65536;
    for (int fd = first; fd < limit; fd++)
        close(fd);
}

int oc__runner_child_dies_with_parent(pid_t parent)
{
#ifdef PR_SET_PDEATHSIG
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        return -1;
#endif
    return getppid() == parent ? 0 : -1; /* the host died before prctl */
}

void oc__runner_child_signals_default(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < NSIG; signal_number++)
        if (signal_number != SIGKILL && signal_number != SIGSTOP)
            sigaction(signal_number, &action, NULL);
}

void oc__runner_children_reapable(struct sigaction *saved)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &action, saved);
}

/* Gives the worker a clean process state: default signal dispositions
 * (so a crash kills it with its signal, whatever handlers the host or a
 * sanitizer installed), SIGPIPE ignored (a write to a closed pipe becomes
 * an error), SIGTTOU ignored (in a group of its own the worker is in the
 * terminal's background, and with `stty tostop` writing to stderr there
 * would stop it), death with the host, stdin from /dev/null, stdout onto
 * stderr, the control socket on WORKER_CONTROL_FD and nothing else open. */
static int prepare_worker(int control_fd, pid_t parent)
{
    oc__runner_child_signals_default();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &action, NULL);
    sigaction(SIGTTOU, &action, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (oc__runner_child_dies_with_parent(parent) != 0)
        return -1;

    /* Moved first, before 0-2 are touched: when the host runs with a
     * standard descriptor closed, the socket may have been given its
     * number. */
    if (control_fd != WORKER_CONTROL_FD && dup2(control_fd, WORKER_CONTROL_FD) < 0)
        return -1;
    /* Close-on-exec (dup2 clears it), as the result pipe is: a program a
     * plugin runs must not hold the socket, nor the pipe, whose end the
     * host waits for. */
    if (fcntl(WORKER_CONTROL_FD, F_SETFD, FD_CLOEXEC) < 0)
        return -1;
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0)
        return -1;
    if (control_fd <= STDERR_FILENO)
        dup2(null_fd, control_fd);
    dup2(null_fd, STDIN_FILENO);
    if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        dup2(null_fd, STDOUT_FILENO);
    close(WORKER_RESULT_FD);
    close_descriptors_from(WORKER_CONTROL_FD + 1);
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
    /* A worker reads chunk after chunk, and HDF5 allocates and frees a
     * buffer of about a megabyte for each. glibc gave those back to the
     * kernel (mmap, or trimming the heap) and faulted them in afresh for
     * the next chunk: half of a national run's page faults. Kept instead;
     * a worker's memory is its peak either way. */
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
    return 0;
}

/* A job as sent over a worker's socket: its index as the data, its
 * result pipe as the one descriptor the message carries. Lives where it
 * is made (message points into the struct itself). */
typedef struct job_message {
    uint64_t index;
    struct iovec data;
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr message;
} job_message;

static void job_message_init(job_message *job, uint64_t index)
{
    memset(job, 0, sizeof *job);
    job->index = index;
    job->data.iov_base = &job->index;
    job->data.iov_len = sizeof job->index;
    job->message.msg_iov = &job->data;
    job->message.msg_iovlen = 1;
    job->message.msg_control = job->control.space;
    job->message.msg_controllen = sizeof job->control.space;
}

/* 1 and the job's index and result pipe; 0 when the host says no job
 * follows (it closed its end); -1 for anything the host never sends. */
static int receive_job(size_t *job, int *result_fd)
{
    job_message received;
    job_message_init(&received, 0);
    ssize_t got;
    while ((got = recvmsg(WORKER_CONTROL_FD, &received.message, MSG_CMSG_CLOEXEC)) < 0
           && errno == EINTR)
        continue;
    if (got == 0)
        return 0;
    struct cmsghdr *header = CMSG_FIRSTHDR(&received.message);
    if (got != (ssize_t)sizeof received.index || header == NULL
        || header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS
        || header->cmsg_len != CMSG_LEN(sizeof(int)))
        return -1;
    memcpy(result_fd, CMSG_DATA(header), sizeof(int));
    *job = (size_t)received.index;
    return 1;
}

/* Runs one job into its pipe, which it then closes; OC_OK once the
 * stream was sent whole. */
static int run_job(const oc__runner_job *job, int result_fd)
{
    if (result_fd != WORKER_RESULT_FD) {
        if (dup2(result_fd, WORKER_RESULT_FD) < 0
            || fcntl(WORKER_RESULT_FD, F_SETFD, FD_CLOEXEC) < 0)
            return OC_ERROR_IO;
        close(result_fd);
    }
    /* Non-blocking: while the host is busy writing an earlier job's
     * results to the output file, the writer keeps what the pipe will not
     * take and the job goes on computing (core/wire.h). */
    fcntl(WORKER_RESULT_FD, F_SETFL, fcntl(WORKER_RESULT_FD, F_GETFL) | O_NONBLOCK);
    static oc__wire_writer writer; /* 256 KiB: not on the stack */
    oc_error error;
    oc_error_clear(&error);
    int status = oc__wire_writer_begin(&writer, WORKER_RESULT_FD, &error);
    if (status == OC_OK) {
        status = job->run(job->context, &writer, &error);
        if (status != OC_OK) {
            if (error.message[0] == '\0')
                oc_error_set(&error, status, "failed: %s", oc_status_name(status));
            status = oc__wire_write_error(&writer, status, error.message, NULL);
        } else {
            status = oc__wire_write_end(&writer, &error);
        }
    }
    close(WORKER_RESULT_FD);
    /* What a plugin printed to stdout (onto stderr here, but fully
     * buffered when that is not a terminal) would be lost at _exit. */
    fflush(stdout);
    return status;
}

static _Noreturn void worker_main(const oc__runner_job *jobs, size_t count, int control_fd,
                                  pid_t parent)
{
    /* Here as well as in the host, so that the group exists before
     * either goes on: before the host could kill it, before any job runs. */
    if (setpgid(0, 0) != 0 || prepare_worker(control_fd, parent) != 0)
        _exit(OC__RUNNER_EXIT_SEND_FAILED);
    for (;;) {
        size_t job;
        int result_fd;
        int received = receive_job(&job, &result_fd);
        if (received == 0)
            _exit(0);
        if (received < 0 || job >= count || run_job(&jobs[job], result_fd) != OC_OK)
            _exit(OC__RUNNER_EXIT_SEND_FAILED);
    }
}

/* ---- in the host ---- */

int oc__runner_worker_start(oc__runner_worker *worker, const oc__runner_job *jobs, size_t count,
                            const void *group, char *reason, size_t size)
{
    int sockets[2];
    /* Datagrams: one job a message, never two run together or split. */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) != 0) {
        snprintf(reason, size, "could not start: %s", strerror(errno));
        return -1;
    }
    fflush(NULL); /* or the worker's exit could not, but a copy could later, repeat output */
    if (worker->activity != NULL)
        worker->activity[0] = '\0';
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(reason, size, "could not start: %s", strerror(errno));
        close(sockets[0]);
        close(sockets[1]);
        return -1;
    }
    if (pid == 0) {
        close(sockets[0]);
        worker_activity = worker->activity;
        worker_main(jobs, count, sockets[1], parent);
    }
    /* Fails only if the child already did it and exec'd (it never execs)
     * or is gone, when its own call stands. */
    (void)setpgid(pid, pid);
    close(sockets[1]);
    worker->pid = pid;
    worker->control = sockets[0];
    worker->group = group;
    worker->job = OC__RUNNER_NO_JOB;
    return 0;
}

int oc__runner_worker_assign(oc__runner_worker *worker, size_t job, int result_fd)
{
    job_message sending;
    job_message_init(&sending, job);
    struct cmsghdr *header = CMSG_FIRSTHDR(&sending.message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &result_fd, sizeof(int));
    ssize_t sent;
    /* MSG_NOSIGNAL: a worker that died while idle is an error, not SIGPIPE. */
    while ((sent = sendmsg(worker->control, &sending.message, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        continue;
    if (sent != (ssize_t)sizeof sending.index)
        return -1;
    worker->job = job;
    if (worker->group == NULL) {
        close(worker->control);
        worker->control = -1;
    }
    return 0;
}

static void reap(pid_t pid, int *wait_status)
{
    int ignored;
    while (waitpid(pid, wait_status != NULL ? wait_status : &ignored, 0) < 0 && errno == EINTR)
        continue;
}

int oc__runner_worker_exited(const oc__runner_worker *worker)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    /* WNOWAIT: until it is reaped, the worker's pid, which is its group's
     * id, cannot be given to another process, so the kill cannot reach a
     * stranger's group. */
    while (waitid(P_PID, (id_t)worker->pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        if (errno != EINTR)
            return -1;
    if (info.si_pid != worker->pid)
        return 0;
    kill(-worker->pid, SIGKILL);
    return 1;
}

int oc__runner_worker_reap(oc__runner_worker *worker, int *wait_status)
{
    int exited = oc__runner_worker_exited(worker);
    if (exited <= 0)
        return exited;
    reap(worker->pid, wait_status);
    if (worker->control >= 0)
        close(worker->control);
    oc__runner_worker_clear(worker);
    return 1;
}

/* How long a retired worker has to exit before it is killed: an idle one
 * exits as soon as it reads the end of its socket. */
#define RETIRE_WAIT_MILLISECONDS 1000

void oc__runner_worker_dismiss(oc__runner_worker *worker)
{
    if (worker->control >= 0)
        close(worker->control); /* the worker reads the end and exits */
    worker->control = -1;
}

void oc__runner_worker_retire(oc__runner_worker *worker)
{
    oc__runner_worker_dismiss(worker);
    for (int waited = 0; worker->pid > 0; waited++) {
        if (oc__runner_worker_reap(worker, NULL) != 0)
            break;
        if (waited == RETIRE_WAIT_MILLISECONDS) {
            oc__runner_worker_abandon(worker);
            break;
        }
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    oc__runner_worker_clear(worker);
}

void oc__runner_worker_kill(const oc__runner_worker *worker)
{
    if (worker->pid > 0) {
        kill(-worker->pid, SIGKILL);
        /* In case a plugin moved the worker itself to another group. */
        kill(worker->pid, SIGKILL);
    }
}

void oc__runner_worker_abandon(oc__runner_worker *worker)
{
    if (worker->control >= 0)
        close(worker->control);
    if (worker->pid > 0) {
        oc__runner_worker_kill(worker);
        reap(worker->pid, NULL);
    }
    oc__runner_worker_clear(worker);
}
