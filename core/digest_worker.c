/* digest_worker.c: hashing the stores in a child process: see
 * digest_worker.h. The child sends one line per file: the 64 hex digits,
 * or nothing more once it fails (the caller then hashes the rest). */
#define _GNU_SOURCE /* pipe2, SCHED_IDLE */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "digest_worker.h"
#include "monotonic_clock.h"
#include "plugin_runner.h"

#define LINE_SIZE (OC_SHA256_HEX_SIZE) /* 64 digits and '\n' */

static _Noreturn void hash_in_child(const char *const *paths, size_t count, int fd)
{
    for (size_t i = 0; i < count; i++) {
        char hex[OC_SHA256_HEX_SIZE];
        if (oc__sha256_file_mapped(paths[i], hex, NULL) != OC_OK)
            _exit(1);
        hex[OC_SHA256_HEX_SIZE - 1] = '\n';
        for (size_t done = 0; done < LINE_SIZE;) {
            ssize_t written = write(fd, hex + done, LINE_SIZE - done);
            if (written < 0 && errno != EINTR)
                _exit(1);
            if (written > 0)
                done += (size_t)written;
        }
    }
    _exit(0);
}

void oc__digest_worker_start(oc__digest_worker *worker, const char *const *paths, size_t count)
{
    worker->paths = paths;
    worker->count = count;
    worker->pid = -1;
    worker->fd = -1;
    int fds[2];
    if (count == 0 || pipe2(fds, O_CLOEXEC) != 0)
        return;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (oc__runner_child_dies_with_parent(parent) != 0)
            _exit(1);
        /* Hashing is never urgent: the host needs the digests only when
         * it writes the manifest, after every job. At idle priority the
         * child runs on a core nothing else wants (beside a single job,
         * while the host plans alone, between metrics, at the end), and
         * gives way to a job that shares its core; it cannot stop the
         * scheduler from putting two jobs on the other one
         * (digest_worker.h). Where SCHED_IDLE is refused it simply runs
         * as before. */
        /* The stores are mapped a window at a time, and a store cut short
         * while mapped kills the child with SIGBUS: the host then hashes it
         * itself and reports what it finds, and a core dump of the child
         * would only litter the directory the run was started in. */
        struct rlimit no_core = {0, 0};
        (void)setrlimit(RLIMIT_CORE, &no_core);
        struct sched_param no_priority = {0};
        (void)sched_setscheduler(0, SCHED_IDLE, &no_priority);
        hash_in_child(paths, count, fds[1]);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return;
    }
    worker->pid = pid;
    worker->fd = fds[0];
}

/* Reads up to size bytes, stopping early only at end of file or an error. */
static size_t read_fully(int fd, char *buffer, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t part = read(fd, buffer + got, size - got);
        if (part < 0 && errno == EINTR)
            continue;
        if (part <= 0)
            break;
        got += (size_t)part;
    }
    return got;
}

static void reap(oc__digest_worker *worker)
{
    if (worker->fd >= 0)
        close(worker->fd);
    worker->fd = -1;
    while (worker->pid > 0 && waitpid(worker->pid, NULL, 0) < 0 && errno == EINTR)
        continue;
    worker->pid = -1;
}

/* Whether the child has exited (it writes its last line, then exits);
 * it is left to reap. */
static int child_has_exited(const oc__digest_worker *worker)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid(P_PID, (id_t)worker->pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0
           || info.si_pid == worker->pid;
}

int oc__digest_child_starved(long long cpu_nanoseconds, long long wall_nanoseconds)
{
    return cpu_nanoseconds < 0 || cpu_nanoseconds * 5 < wall_nanoseconds;
}

/* The CPU time the child has had (Linux: /proc/PID/schedstat, in
 * nanoseconds), or -1 when it cannot be read. */
static long long child_cpu_nanoseconds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/schedstat", (long)pid);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    long long nanoseconds;
    if (fscanf(file, "%lld", &nanoseconds) != 1)
        nanoseconds = -1;
    fclose(file);
    return nanoseconds;
}

/* Waits for the child to exit as long as it gets CPU: at idle priority it
 * runs at full speed on a machine with a core to spare (a run of a few
 * areas on a large store ends before the store is hashed), and hardly at
 * all on one busy with other work. So it is waited for while it has had
 * at least a fifth of a core, and killed once it has had less for
 * STARVED_CHECKS checks in a row (the caller then hashes what it had not
 * sent); also at once when its CPU time cannot be read. */
#define CHECK_MILLISECONDS 20
#define STARVED_CHECKS 5
static void wait_while_hashing(oc__digest_worker *worker)
{
    long long cpu_before = child_cpu_nanoseconds(worker->pid);
    long long window_start = oc__monotonic_nanoseconds();
    for (int starved = 0; !child_has_exited(worker);) {
        /* The window by the clock, not by counting naps: a nap on a busy
         * machine lasts longer than asked, which would flatter the child. */
        long long now = oc__monotonic_nanoseconds();
        if (now - window_start >= CHECK_MILLISECONDS * 1000000LL) {
            long long cpu_after = child_cpu_nanoseconds(worker->pid);
            int gained_too_little = oc__digest_child_starved(
                cpu_before < 0 || cpu_after < 0 ? -1 : cpu_after - cpu_before, now - window_start);
            starved = gained_too_little ? starved + 1 : 0;
            cpu_before = cpu_after;
            window_start = now;
        }
        if (cpu_before < 0 || starved >= STARVED_CHECKS) {
            kill(worker->pid, SIGKILL);
            return;
        }
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
    }
}

int oc__digest_worker_finish(oc__digest_worker *worker, char (*digests)[OC_SHA256_HEX_SIZE],
                             oc_error *error)
{
    /* Then the child has exited or been killed, so reading its pipe ends
     * with the lines it wrote (a killed child's at once, unless it is
     * stuck in the kernel); a file it was part way through is hashed
     * again here, from the start. */
    if (worker->pid > 0)
        wait_while_hashing(worker);
    size_t received = 0;
    if (worker->fd >= 0) {
        char line[LINE_SIZE];
        while (received < worker->count && read_fully(worker->fd, line, LINE_SIZE) == LINE_SIZE
               && line[LINE_SIZE - 1] == '\n'
               && strspn(line, "0123456789abcdef") == LINE_SIZE - 1) {
            memcpy(digests[received], line, LINE_SIZE - 1);
            digests[received][LINE_SIZE - 1] = '\0';
            received++;
        }
    }
    reap(worker);
    /* Whatever the child did not send (it failed, or never ran) is hashed
     * here, with the errors hashing gives. */
    for (size_t i = received; i < worker->count; i++) {
        int status = oc__sha256_file(worker->paths[i], digests[i], error);
        if (status != OC_OK)
            return status;
    }
    return OC_OK;
}

void oc__digest_worker_stop(oc__digest_worker *worker)
{
    if (worker->pid > 0)
        kill(worker->pid, SIGKILL);
    reap(worker);
}
