/*
 * store.h: the HDF5 time-series store (format: docs/store-format.md).
 *
 * A store holds one or more frames. A frame is an area axis (codes, with
 * optional names and parent codes), a time axis (days since 1970-01-01 at
 * each period's start) and measures: float64 [area, time] datasets.
 *
 * The reader is built for national stores (tens of thousands of areas):
 * opening reads only the axes and the measures' metadata; values are read
 * in blocks of areas into a caller-owned buffer, through datasets that stay
 * open between blocks with a chunk cache that holds one row of chunks.
 *
 * The writer builds a store in a temporary file beside the target and
 * renames it into place on commit, so the target path never holds a
 * half-written store.
 *
 * HDF5's own error printing is switched off process-wide on first use;
 * every failure becomes one line in the oc_error naming the file and the
 * object at fault.
 */
#ifndef OC_STORE_H
#define OC_STORE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <outcomes/common.h>

#define OC__STORE_FORMAT_VERSION 1

/* The writer's chunk size along the area axis, and the block size readers
 * should use to line their reads up with the chunks. */
#define OC__STORE_CHUNK_AREAS 512

/* Returned by the index look-ups when nothing matches. */
#define OC__STORE_NO_INDEX ((size_t)-1)

typedef struct oc__store oc__store;
typedef struct oc__store_frame oc__store_frame;

/* A measure's metadata. All strings are owned by the frame and live until
 * oc__store_close. units and long_name are "" when the file lacks them;
 * frequency and source are NULL when absent. */
typedef struct oc__store_measure {
    const char *name;
    const char *units;
    const char *long_name;
    const char *frequency;
    const char *source;
} oc__store_measure;

/* ---- Reading ---------------------------------------------------------- */

/* Opens the store at path and loads every frame's axes and measure list,
 * refusing a file that does not follow the format (shape mismatches,
 * non-monotonic time, duplicate area codes, non-numeric measures...).
 * On success *store is owned by the caller: free with oc__store_close.
 * Statuses: OC_ERROR_NOT_FOUND (no such file), OC_ERROR_IO (unreadable,
 * a directory, not HDF5), OC_ERROR_FORMAT (not a valid store),
 * OC_ERROR_NO_MEMORY. */
int oc__store_open(const char *path, oc__store **store, oc_error *error);

/* The same for a job that only reads measures, in a store the host has
 * already opened and planned with oc__store_open: the frames, their time
 * axes, measures and numbers of areas, but not the area codes, names and
 * parents (a national store has 32,844 of each, and every job re-read and
 * indexed them). On such a store oc__store_area_codes gives NULL and area
 * look-ups find nothing. measures (measure_count names, borrowed for the
 * call) limits the measures opened to those named, where a frame has
 * them: each measure opened was a third of a millisecond of every
 * worker's start (a national store has 16, a metric reads 2 to 8); NULL
 * opens every one. */
int oc__store_open_for_reading(const char *path, const char *const *measures,
                               size_t measure_count, oc__store **store, oc_error *error);

/* oc__store_open for the host of `outcomes run`, in a child process: a
 * damaged file can crash the HDF5 library itself (Debian's 1.10 reads a
 * dangling variable-length string past its buffers), and that must cost
 * the reader, not the run. The child opens the store and sends each part
 * the host plans with as soon as it has it (see oc__store_message_encode
 * in store_internal.h); the host rebuilds its store from that without
 * calling HDF5, so the store has no file: oc__store_read_measure_block
 * refuses it (jobs open the store themselves with
 * oc__store_open_for_reading), and oc__store_close reaps the child (the
 * host does not wait for it to exit before it plans). Errors are those
 * of oc__store_open, word for word, plus OC_ERROR_FORMAT "PATH: the HDF5
 * library crashed reading it (Segmentation fault, signal 11): the file is
 * damaged" and OC_ERROR_IO when the reader died otherwise, answered
 * garbage or fell silent (see below; it is then killed and not waited
 * for). Where no process can be started it opens the store here. */
int oc__store_open_contained(const char *path, oc__store **store, oc_error *error);

/* oc__store_open_contained in two halves, so that the host does other
 * work (loading its plugins) while the reader reads: _start forks the
 * reader, _finish waits for its answer and gives what
 * oc__store_open_contained gives, _abandon kills a reader whose answer is
 * no longer wanted and reaps it (waiting at most a second: one stuck on a
 * disk dies with the host). Each started store is finished or abandoned
 * once; abandoning one already finished does nothing. The caller keeps
 * SIGCHLD reapable (oc__runner_children_reapable) from its first _start
 * to its last _finish or _abandon, and then restores it: so readers may
 * finish in any order. The caller owns the struct; path is borrowed until
 * it is finished. */
typedef struct oc__store_pending {
    const char *path;
    pid_t child;            /* -1: none (finishing opens the store in the caller) */
    int descriptor;         /* the reader's pipe */
    int restores_sigchld;   /* oc__store_open_answered_by's one reader only */
    int without_area_names; /* as _start was told */
    struct sigaction saved; /* SIGCHLD's action before the fork */
} oc__store_pending;
/* without_area_names: the area_name datasets are not read (nor checked),
 * and oc__store_area_name gives NULL: for a run that reports only
 * parents, named by area_parent_name (still read), never by area_name;
 * a national store's 32,844 names were a
 * quarter of its reader's time, on the path of the run's first job. */
void oc__store_open_contained_start(const char *path, int without_area_names,
                                    oc__store_pending *pending);
int oc__store_open_contained_finish(oc__store_pending *pending, oc__store **store,
                                    oc_error *error);
void oc__store_open_contained_abandon(oc__store_pending *pending);

/* Makes the HDF5 library ready in this process, opening no file: a host
 * calls it before it forks its workers, so that each inherits the library
 * initialised instead of initialising it itself (about a millisecond a
 * process, on the path of every job). Without HDF5's exit handler: the
 * host uses no HDF5 file of its own (its stores are read in children),
 * and tearing the library down would only delay its exit. */
void oc__store_prepare_library(void);

/* The longest oc__store_open_contained waits for the next piece of the
 * reader's answer. A national store's whole answer takes about 30 ms; a
 * reader silent for this long is stuck (a damaged file can make the HDF5
 * library loop, a disk stop answering), and an unattended run must end,
 * with status 4 and one line, rather than wait for ever. */
#define OC__STORE_READER_SILENCE_SECONDS 300

/* What oc__store_open_contained and `outcomes store` share to read in a
 * child. oc__store_fork_reader forks: in the caller it returns the
 * child's pid (or -1, errno set, when fork failed) after making SIGCHLD
 * reapable (the previous action saved in *saved, for the caller to
 * restore with sigaction once it has waited); in the child it returns 0,
 * with every signal's action at the default, so a crash is seen as one,
 * and the child set to die with the caller. */
struct sigaction;
pid_t oc__store_fork_reader(struct sigaction *saved);

/* Waits for a reader from oc__store_fork_reader that read the store at
 * path: OC_OK with *exit_status when it exited; OC_ERROR_FORMAT, "PATH:
 * the HDF5 library crashed reading it (Segmentation fault, signal 11): the
 * file is damaged", when a crash signal (SIGSEGV, SIGBUS, SIGABRT, SIGFPE,
 * SIGILL, SIGTRAP, SIGSYS) ended it; OC_ERROR_IO, "PATH: the store reader
 * was stopped by a signal (Killed, signal 9) ...", for any other signal
 * (the out-of-memory killer, an operator), which says nothing of the file;
 * OC_ERROR_IO when waitpid fails. */
int oc__store_wait_reader(pid_t child, const char *path, int *exit_status, oc_error *error);

/* Closes the file and frees everything, including every frame and string
 * the store handed out. NULL is allowed. */
void oc__store_close(oc__store *store);

/* The path given to oc__store_open (owned by the store). */
const char *oc__store_path(const oc__store *store);

size_t oc__store_frame_count(const oc__store *store);
/* The frame at index (< frame_count), owned by the store. */
oc__store_frame *oc__store_frame_at(oc__store *store, size_t index);
/* The frame called name ("quarterly" or "/quarterly"; "/" or "" for a
 * store with its layout at the root), or NULL. Owned by the store. */
oc__store_frame *oc__store_find_frame(oc__store *store, const char *name);

/* "/" for the root frame, else the group's path, e.g. "/quarterly" (what
 * messages print; oc__store_find_frame accepts it with or without the "/"). */
const char *oc__store_frame_name(const oc__store_frame *frame);
size_t oc__store_area_count(const oc__store_frame *frame);
size_t oc__store_time_count(const oc__store_frame *frame);
/* time_count period starts, strictly increasing; owned by the frame. */
const int32_t *oc__store_times(const oc__store_frame *frame);
/* area_count codes, owned by the frame. */
const char *const *oc__store_area_codes(const oc__store_frame *frame);
/* The name / parent code of the area at index, or NULL when the frame
 * has no area_name / area_parent dataset. Owned by the frame. */
const char *oc__store_area_name(const oc__store_frame *frame, size_t index);
const char *oc__store_area_parent(const oc__store_frame *frame, size_t index);
/* The name of the parent of the area at index (area_parent_name), or NULL
 * when the frame has none for it: no such dataset, no parent, or "".
 * Owned by the frame. */
const char *oc__store_parent_name(const oc__store_frame *frame, size_t index);
/* The index of the area with this code, or OC__STORE_NO_INDEX. A hash
 * look-up: constant time however many areas the frame has. */
size_t oc__store_find_area(const oc__store_frame *frame, const char *code);
/* The indices of the areas that have a parent code (not absent, not ""),
 * in order of that code (strcmp), and within one parent in area order:
 * *count of them at *order. Worked out the first time it is asked for and
 * kept, owned by the frame (every metric over parent areas needs it):
 * the one call that changes a frame after loading, so not for two threads
 * at once. OC_OK, or OC_ERROR_NO_MEMORY (then *order is NULL, *count 0). */
int oc__store_parent_order(oc__store_frame *frame, const size_t **order, size_t *count);

/* A distinct parent code and its members: the areas at
 * order[first .. first + count) of oc__store_parent_order's order. */
typedef struct oc__store_parent_group {
    const char *code; /* the frame's own text */
    size_t first;
    size_t count;
} oc__store_parent_group;

/* The frame's distinct parent codes in code order (strcmp), each with the
 * range of its members: worked out, kept and owned as the order is (the
 * two come together), so that planning over parents never compares a
 * code again (four metrics over a national store's 533 parents compared
 * 300,000 pairs of codes, while the host planned alone). OC_OK, or
 * OC_ERROR_NO_MEMORY (then *groups is NULL, *count 0). */
int oc__store_parent_groups(oc__store_frame *frame, const oc__store_parent_group **groups,
                            size_t *count);

/* The name of a parent, group one of oc__store_parent_groups' for this
 * frame: the first its members give (area_parent_name; store check holds
 * them to one), or NULL when none does. Owned by the frame. */
const char *oc__store_parent_group_name(const oc__store_frame *frame,
                                        const oc__store_parent_group *group);

size_t oc__store_measure_count(const oc__store_frame *frame);
/* The measure at index, or the one called name (NULL if none). Owned by
 * the frame. */
const oc__store_measure *oc__store_measure_at(const oc__store_frame *frame, size_t index);
const oc__store_measure *oc__store_find_measure(const oc__store_frame *frame,
                                                const char *name);

/* The number of areas per chunk of the measure's dataset along the area
 * axis (the whole axis when it is not chunked): reading blocks that are a
 * multiple of it decompresses every chunk once. */
size_t oc__store_measure_chunk_areas(const oc__store_frame *frame,
                                     const oc__store_measure *measure);

/* Reads areas [first_area, first_area + area_count) of the measure into
 * values (caller-owned, area_count * time_count doubles, area-major: the
 * value of area first_area + a at time t is values[a * time_count + t]).
 * Float32 and integer data are converted; the dataset's fill value and a
 * netCDF _FillValue or missing_value become NaN. The dataset stays open
 * between calls, so reading a store block after block costs one
 * hyperslab read per block. */
int oc__store_read_measure_block(oc__store_frame *frame, const oc__store_measure *measure,
                                 size_t first_area, size_t area_count, double *values,
                                 oc_error *error);

/* ---- Validating ------------------------------------------------------- */

/* Called once per problem with a one-line message naming the object. */
typedef void (*oc__store_problem_callback)(void *context, const char *message);

/* Checks the store at path against the format (docs/store-format.md),
 * going on after each problem to find the rest. *problem_count receives
 * the number reported. Returns OC_OK when the check ran (whatever it
 * found), or a negative status when it could not (e.g. out of memory). */
int oc__store_check(const char *path, oc__store_problem_callback report, void *context,
                    size_t *problem_count, oc_error *error);

/* ---- Writing ---------------------------------------------------------- */

typedef struct oc__store_writer oc__store_writer;
typedef struct oc__store_writer_frame oc__store_writer_frame;
typedef struct oc__store_writer_measure oc__store_writer_measure;

/* A measure's attributes for oc__store_writer_add_measure. Strings are
 * borrowed for the duration of the call. units and long_name are
 * required; frequency (one of month, quarter, year, academic_year,
 * financial_year, day) and source may be NULL. */
typedef struct oc__store_measure_spec {
    const char *name;
    const char *units;
    const char *long_name;
    const char *frequency;
    const char *source;
} oc__store_measure_spec;

/* Starts a store that will replace path on commit. The data go to a
 * temporary file in path's directory. On success *writer is owned by the
 * caller until oc__store_writer_commit or oc__store_writer_abort. */
int oc__store_writer_create(const char *path, oc__store_writer **writer, oc_error *error);

/* Adds a frame. name NULL (or "/") puts the layout at the file's root,
 * which must then be the only frame; otherwise a group of that name.
 * codes: area_count distinct, non-empty codes; names and parents may be
 * NULL (no dataset) and individual entries NULL (stored as ""); times:
 * time_count strictly increasing days. All borrowed for the call. The
 * frame handle is owned by the writer. */
int oc__store_writer_add_frame(oc__store_writer *writer, const char *name,
                               size_t area_count, const char *const *codes,
                               const char *const *names, const char *const *parents,
                               size_t time_count, const int32_t *times,
                               oc__store_writer_frame **frame, oc_error *error);

/* Writes the frame's area_parent_name: for each area, the name of its
 * parent (parent_names: area_count entries, NULL entries stored as "";
 * borrowed for the call), which every member of one parent gives alike.
 * Optional; a frame written with parents. */
int oc__store_writer_add_parent_names(oc__store_writer *writer, oc__store_writer_frame *frame,
                                      const char *const *parent_names, oc_error *error);

/* Creates a measure's dataset, NaN-filled, chunked and compressed. The
 * measure handle is owned by the writer and stays open until commit. */
int oc__store_writer_add_measure(oc__store_writer *writer, oc__store_writer_frame *frame,
                                 const oc__store_measure_spec *spec,
                                 oc__store_writer_measure **measure, oc_error *error);

/* Writes areas [first_area, first_area + area_count), laid out as in
 * oc__store_read_measure_block. values is borrowed. Blocks that are a
 * multiple of OC__STORE_CHUNK_AREAS write each chunk once. */
int oc__store_writer_write_block(oc__store_writer *writer, oc__store_writer_measure *measure,
                                 size_t first_area, size_t area_count, const double *values,
                                 oc_error *error);

/* Closes the file and renames it over the target. Frees the writer,
 * whatever the outcome; on failure the target is untouched. */
int oc__store_writer_commit(oc__store_writer *writer, oc_error *error);

/* Removes the temporary file and frees the writer. NULL is allowed. */
void oc__store_writer_abort(oc__store_writer *writer);

#endif
