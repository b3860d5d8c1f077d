/* command_store.c: `outcomes store info FILE` (what a store holds) and
 * `outcomes store check FILE` (whether it follows docs/store-format.md). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "period.h"
#include "store.h"

static const char usage[] =
    "Usage: outcomes store info FILE\n"
    "       outcomes store check FILE\n"
    "\n"
    "info   lists the store's frames and, for each, its areas, first and last\n"
    "       period, parent areas (and how many are named) and measures with\n"
    "       units, frequency and share missing.\n"
    "check  validates the layout against docs/store-format.md and lists every\n"
    "       problem found, one per line.\n"
    "\n"
    "Exit status: 0 ok (check: the store is valid), 1 internal error, 2 usage,\n"
    "4 the store is unreadable or invalid (check: problems were found).\n";

static int exit_status_for(int status)
{
    return status == OC_ERROR_NO_MEMORY ? OC_EXIT_INTERNAL : OC_EXIT_DATA;
}

/* Areas per block: whole chunks, about 512 areas or more, so memory stays
 * at a few MiB however many areas the store has. */
static size_t block_areas_for(const oc__store_frame *frame, const oc__store_measure *measure)
{
    size_t chunk = oc__store_measure_chunk_areas(frame, measure);
    if (chunk == 0 || chunk > OC__STORE_CHUNK_AREAS)
        return OC__STORE_CHUNK_AREAS;
    return chunk * (OC__STORE_CHUNK_AREAS / chunk);
}

static int share_missing(oc__store_frame *frame, const oc__store_measure *measure,
                         double *share, oc_error *error)
{
    size_t area_count = oc__store_area_count(frame), time_count = oc__store_time_count(frame);
    size_t block = block_areas_for(frame, measure);
    double *values = malloc(block * time_count * sizeof *values);
    if (values == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    size_t missing = 0;
    int status = OC_OK;
    for (size_t first = 0; first < area_count && status == OC_OK; first += block) {
        size_t count = area_count - first < block ? area_count - first : block;
        status = oc__store_read_measure_block(frame, measure, first, count, values, error);
        for (size_t i = 0; status == OC_OK && i < count * time_count; i++)
            missing += isnan(values[i]) != 0;
    }
    free(values);
    *share = (double)missing / ((double)area_count * (double)time_count);
    return status;
}

static int print_frame(oc__store_frame *frame, oc_error *error)
{
    const int32_t *times = oc__store_times(frame);
    size_t time_count = oc__store_time_count(frame);
    char first[OC__DATE_TEXT_SIZE], last[OC__DATE_TEXT_SIZE];
    oc__format_date(times[0], first, sizeof first);
    oc__format_date(times[time_count - 1], last, sizeof last);
    size_t area_count = oc__store_area_count(frame);
    printf("frame %s: %zu area%s, %zu period%s from %s to %s\n", oc__store_frame_name(frame),
           area_count, area_count == 1 ? "" : "s", time_count, time_count == 1 ? "" : "s", first,
           last);
    /* What `areas = parents` or a parent's code would evaluate, and what
     * it would be called. */
    const oc__store_parent_group *groups;
    size_t group_count = 0, named = 0;
    if (oc__store_parent_groups(frame, &groups, &group_count) != OC_OK)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    for (size_t g = 0; g < group_count; g++)
        named += oc__store_parent_group_name(frame, &groups[g]) != NULL; /* as a run names it */
    if (group_count > 0)
        printf("  %zu parent area%s (area_parent), %zu named (area_parent_name)\n", group_count,
               group_count == 1 ? "" : "s", named);
    size_t measure_count = oc__store_measure_count(frame);
    if (measure_count == 0) {
        printf("  (no measures)\n");
        return OC_OK;
    }
    printf("  %-24s %-16s %-15s %8s  %s\n", "measure", "units", "frequency", "missing", "long name");
    for (size_t i = 0; i < measure_count; i++) {
        const oc__store_measure *measure = oc__store_measure_at(frame, i);
        double share = 0;
        int status = share_missing(frame, measure, &share, error);
        if (status != OC_OK)
            return status;
        printf("  %-24s %-16s %-15s %7.1f%%  %s\n", measure->name, measure->units,
               measure->frequency ? measure->frequency : "-", 100.0 * share, measure->long_name);
    }
    return OC_OK;
}

static int store_info(const char *path)
{
    oc_error error;
    oc__store *store;
    int status = oc__store_open(path, &store, &error);
    if (status != OC_OK) {
        oc__print_error("%s", error.message);
        return exit_status_for(status);
    }
    size_t frame_count = oc__store_frame_count(store);
    printf("%s: %zu frame%s\n", path, frame_count, frame_count == 1 ? "" : "s");
    for (size_t i = 0; i < frame_count && status == OC_OK; i++)
        status = print_frame(oc__store_frame_at(store, i), &error);
    oc__store_close(store);
    if (status != OC_OK) {
        oc__print_error("%s", error.message);
        return exit_status_for(status);
    }
    return OC_EXIT_OK;
}

static void print_problem(void *context, const char *message)
{
    (void)context;
    printf("%s\n", message);
}

static int store_check(const char *path)
{
    oc_error error;
    size_t problem_count = 0;
    int status = oc__store_check(path, print_problem, NULL, &problem_count, &error);
    fflush(stdout);
    if (status != OC_OK) {
        oc__print_error("%s", error.message);
        return exit_status_for(status);
    }
    if (problem_count > 0) {
        oc__print_error("%s: %zu problem%s found", path, problem_count, problem_count == 1 ? "" : "s");
        return OC_EXIT_DATA;
    }
    printf("%s: valid outcomes store (format version %d)\n", path, OC__STORE_FORMAT_VERSION);
    return OC_EXIT_OK;
}

/* What a child says on standard error: one line, or a few for a command
 * that fails; more than this is dropped (still read, so the child never
 * blocks on a full pipe). */
#define CHILD_ERROR_KEPT_BYTES ((size_t)64 << 10)

/* Reads descriptor to its end, keeping the first CHILD_ERROR_KEPT_BYTES
 * in text (*length bytes). */
static void read_child_errors(int descriptor, char *text, size_t *length)
{
    char scratch[4096];
    *length = 0;
    for (;;) {
        size_t room = CHILD_ERROR_KEPT_BYTES - *length;
        char *into = room > 0 ? text + *length : scratch;
        ssize_t got = read(descriptor, into, room > 0 ? room : sizeof scratch);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return;
        if (room > 0)
            *length += (size_t)got;
    }
}

/* Runs info or check in a child process. A damaged file can crash the
 * HDF5 library itself (Debian's 1.10 reads a corrupt global heap or object
 * header past its buffers: one byte flipped in a demo store was enough),
 * and these are the commands meant to find damage: they must say so, not
 * die. The child returns through main like any command, so its output is
 * flushed and checked there; the parent turns a crash into one line and
 * status 4. The child's standard error goes through a pipe and reaches
 * the user once it has exited, as it was written (after its standard
 * output, which it flushed first); from a child that died of a signal it
 * is dropped, since it can only be what the C library or a sanitizer
 * printed on the way down ("free(): double free detected in tcache 2"),
 * and the crash is the one line. Where fork fails the work is done here,
 * as before. */
static int contained(int (*work)(const char *), const char *path)
{
    /* the command ends with the child: SIGCHLD's action need not return */
    struct sigaction unused;
    int ends[2] = {-1, -1};
    char *errors = malloc(CHILD_ERROR_KEPT_BYTES);
    /* not where a closed standard descriptor was: dup2 must not close it */
    int captured = errors != NULL && pipe(ends) == 0;
    if (captured && (ends[0] <= STDERR_FILENO || ends[1] <= STDERR_FILENO)) {
        close(ends[0]);
        close(ends[1]);
        captured = 0;
    }
    fflush(NULL);
    pid_t child = oc__store_fork_reader(&unused);
    if (child == 0) {
        if (captured) {
            dup2(ends[1], STDERR_FILENO);
            close(ends[0]);
            close(ends[1]);
        }
        free(errors);
        return work(path);
    }
    if (captured)
        close(ends[1]);
    if (child < 0) {
        if (captured)
            close(ends[0]);
        free(errors);
        return work(path);
    }
    size_t error_length = 0;
    if (captured) {
        read_child_errors(ends[0], errors, &error_length);
        close(ends[0]);
    }
    int exit_status;
    oc_error error;
    int status = oc__store_wait_reader(child, path, &exit_status, &error);
    if (status == OC_OK) {
        fflush(stdout);
        if (error_length > 0)
            fwrite(errors, 1, error_length, stderr);
        free(errors);
        return exit_status;
    }
    free(errors);
    fflush(stdout);
    oc__print_error("%s", error.message);
    return exit_status_for(status);
}

int oc__command_store(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return OC_EXIT_OK;
    }
    if (argc != 3 || (strcmp(argv[1], "info") != 0 && strcmp(argv[1], "check") != 0)) {
        if (argc >= 2 && strcmp(argv[1], "info") != 0 && strcmp(argv[1], "check") != 0)
            oc__print_error("store: unknown subcommand '%s' (expected info or check)", argv[1]);
        else
            oc__print_error("store: expected exactly one FILE (try 'outcomes store --help')");
        return OC_EXIT_USAGE;
    }
    return contained(strcmp(argv[1], "info") == 0 ? store_info : store_check, argv[2]);
}
