/* store_contained.c: opening a store for the host of `outcomes run` in a
 * child process. A damaged file can crash the HDF5 library itself, and a
 * crash while the host plans would take the whole run with it; so a child
 * reads the store and sends the host what it plans with, as one message
 * over a pipe, and the host rebuilds its store from that without calling
 * HDF5. The message is checked field by field before anything is built:
 * a reader that died half-way or wrote garbage is refused, never trusted.
 * Also the fork and the wait that `outcomes store` shares. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin_runner.h"
#include "store_internal.h"

/* The message (native byte order: the same binary writes and reads it):
 *   "OCSTORE1", status (i64);
 *   on failure: message (text);
 *   on success: frame count, then per frame: name (text), area count,
 *     time count, the times (time count x i32), area codes, names and
 *     parents (each: count, which is 0 for an absent dataset, pool size
 *     and the pool: count NUL-terminated texts back to back), measure
 *     count, then per measure: name, units, long_name (texts), frequency
 *     and source (texts that may be absent), chunk areas;
 *   "OCSTEND1".
 * Counts and sizes are u64; a text is its length (u64; NO_TEXT when
 * absent) and its bytes, without a NUL. */
static const char message_start[8] = {'O', 'C', 'S', 'T', 'O', 'R', 'E', '1'};
static const char message_end[8] = {'O', 'C', 'S', 'T', 'E', 'N', 'D', '1'};
#define NO_TEXT UINT64_MAX
#define REASON_SIZE 200

/* ---- Encoding, in the child ---------------------------------------------- */

/* A text pool or time axis at least this long goes from the store's own
 * memory, not copied: at national size the message is 1.4 MB, nearly all
 * of it area codes, names and parents. */
#define BORROW_BYTES 256

/* The message as pieces for writev: small fields copied back to back
 * into scratch, large ones borrowed from the store. The encoder runs
 * twice: counting (scratch and pieces NULL: only the sizes), then
 * filling buffers of exactly those sizes. */
typedef struct message_writer {
    unsigned char *scratch;
    size_t scratch_size;
    struct iovec *pieces;
    size_t piece_count;
    int last_is_scratch;   /* the last piece ends where scratch does */
    size_t size;           /* bytes in all */
} message_writer;

static void put(message_writer *writer, const void *data, size_t length)
{
    if (length == 0)
        return;
    int borrowed = length >= BORROW_BYTES;
    if (!borrowed && writer->last_is_scratch) {
        if (writer->pieces != NULL) {
            memcpy(writer->scratch + writer->scratch_size, data, length);
            writer->pieces[writer->piece_count - 1].iov_len += length;
        }
    } else {
        if (writer->pieces != NULL) {
            void *base = (void *)(uintptr_t)data;
            if (!borrowed)
                base = memcpy(writer->scratch + writer->scratch_size, data, length);
            writer->pieces[writer->piece_count] = (struct iovec){base, length};
        }
        writer->piece_count++;
    }
    if (!borrowed)
        writer->scratch_size += length;
    writer->last_is_scratch = !borrowed;
    writer->size += length;
}

static void put_number(message_writer *writer, uint64_t value)
{
    put(writer, &value, sizeof value);
}

static void put_text(message_writer *writer, const char *text)
{
    if (text == NULL) {
        put_number(writer, NO_TEXT);
        return;
    }
    size_t length = strlen(text);
    put_number(writer, length);
    put(writer, text, length);
}

/* The pool holds the texts back to back in item order (pack_strings in
 * store_hdf5.c), so it goes as it is, up to the last text's NUL. */
static void put_strings(message_writer *writer, const oc__store_strings *strings)
{
    size_t pool_size = 0;
    if (strings->count > 0) {
        const char *last = strings->items[strings->count - 1];
        pool_size = (size_t)(last - strings->items[0]) + strlen(last) + 1;
    }
    put_number(writer, strings->count);
    put_number(writer, pool_size);
    if (pool_size > 0)
        put(writer, strings->items[0], pool_size);
}

static void put_frame(message_writer *writer, const oc__store_frame *frame)
{
    put_text(writer, frame->name);
    put_number(writer, frame->area_count);
    put_number(writer, frame->time_count);
    put(writer, frame->times, frame->time_count * sizeof *frame->times);
    put_strings(writer, &frame->codes);
    put_strings(writer, &frame->names);
    put_strings(writer, &frame->parents);
    put_number(writer, frame->measure_count);
    for (size_t m = 0; m < frame->measure_count; m++) {
        const oc__store_measure_entry *entry = &frame->measures[m];
        put_text(writer, entry->measure.name);
        put_text(writer, entry->measure.units);
        put_text(writer, entry->measure.long_name);
        put_text(writer, entry->measure.frequency);
        put_text(writer, entry->measure.source);
        put_number(writer, entry->chunk_areas);
    }
}

static void put_message(message_writer *writer, const oc__store *store, int status,
                        const char *message)
{
    put(writer, message_start, sizeof message_start);
    put_number(writer, (uint64_t)(int64_t)status);
    if (status != OC_OK) {
        put_text(writer, message != NULL ? message : "");
    } else {
        put_number(writer, store->frame_count);
        for (size_t f = 0; f < store->frame_count; f++)
            put_frame(writer, &store->frames[f]);
    }
    put(writer, message_end, sizeof message_end);
}

/* Fills writer with the message's pieces; its scratch and pieces are
 * malloc'd (free both), the rest borrowed from store. */
static int encode_pieces(const oc__store *store, int status, const char *message,
                         message_writer *writer)
{
    message_writer counting = {0};
    put_message(&counting, store, status, message);
    memset(writer, 0, sizeof *writer);
    writer->scratch = malloc(counting.scratch_size ? counting.scratch_size : 1);
    writer->pieces = malloc(counting.piece_count * sizeof *writer->pieces);
    if (writer->scratch == NULL || writer->pieces == NULL)
        return OC_ERROR_NO_MEMORY;
    put_message(writer, store, status, message);
    return OC_OK;
}

int oc__store_message_encode(const oc__store *store, int status, const char *message,
                             unsigned char **bytes, size_t *size)
{
    message_writer writer;
    int result = encode_pieces(store, status, message, &writer);
    *bytes = result == OC_OK ? malloc(writer.size) : NULL;
    *size = 0;
    if (*bytes == NULL)
        result = OC_ERROR_NO_MEMORY;
    for (size_t i = 0; result == OC_OK && i < writer.piece_count; i++) {
        memcpy(*bytes + *size, writer.pieces[i].iov_base, writer.pieces[i].iov_len);
        *size += writer.pieces[i].iov_len;
    }
    free(writer.scratch);
    free(writer.pieces);
    return result;
}

/* ---- Decoding, in the host ------------------------------------------------ */

typedef struct message_reader {
    unsigned char *cursor;   /* in the message, which the store will own */
    unsigned char *end;
    char reason[REASON_SIZE]; /* "" until the first problem */
} message_reader;

__attribute__((format(printf, 2, 3)))
static int refuse(message_reader *reader, const char *format, ...)
{
    if (reader->reason[0] == '\0') {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(reader->reason, sizeof reader->reason, format, arguments);
        va_end(arguments);
    }
    return OC_ERROR_IO;
}

static size_t left(const message_reader *reader)
{
    return (size_t)(reader->end - reader->cursor);
}

/* The next length bytes (in the message), or NULL when fewer are left. */
static unsigned char *take(message_reader *reader, size_t length, const char *what)
{
    if (left(reader) < length) {
        refuse(reader, "cut short in %s", what);
        return NULL;
    }
    unsigned char *taken = reader->cursor;
    reader->cursor += length;
    return taken;
}

static int take_number(message_reader *reader, uint64_t *value, const char *what)
{
    const unsigned char *bytes = take(reader, sizeof *value, what);
    if (bytes == NULL)
        return OC_ERROR_IO;
    memcpy(value, bytes, sizeof *value);
    return OC_OK;
}

/* A count of things of at least item_size bytes each, which the rest of
 * the message must be able to hold: a garbled count cannot make a huge
 * allocation. */
static int take_count(message_reader *reader, size_t item_size, size_t *count, const char *what)
{
    uint64_t value;
    if (take_number(reader, &value, what) != OC_OK)
        return OC_ERROR_IO;
    if (value > left(reader) / item_size)
        return refuse(reader, "%s: %llu is more than the message holds", what,
                      (unsigned long long)value);
    *count = (size_t)value;
    return OC_OK;
}

/* A text, malloc'd into *text; optional texts may be absent (NULL). */
static int take_text(message_reader *reader, int optional, char **text, const char *what)
{
    uint64_t length;
    *text = NULL;
    if (take_number(reader, &length, what) != OC_OK)
        return OC_ERROR_IO;
    if (length == NO_TEXT && optional)
        return OC_OK;
    const unsigned char *bytes = length <= left(reader) ? take(reader, (size_t)length, what) : NULL;
    if (bytes == NULL)
        return refuse(reader, "cut short in %s", what);
    if (memchr(bytes, '\0', (size_t)length) != NULL)
        return refuse(reader, "%s holds a NUL", what);
    if ((*text = malloc((size_t)length + 1)) == NULL)
        return OC_ERROR_NO_MEMORY;
    memcpy(*text, bytes, (size_t)length);
    (*text)[length] = '\0';
    return OC_OK;
}

/* Area codes, names or parents: expected texts, or (optional) none. The
 * texts stay in the message; only the pointers to them are allocated. */
static int take_strings(message_reader *reader, size_t expected, int optional,
                        oc__store_strings *strings, const char *what)
{
    uint64_t count;
    size_t pool_size;
    if (take_number(reader, &count, what) != OC_OK
        || take_count(reader, 1, &pool_size, what) != OC_OK)
        return OC_ERROR_IO;
    if (count != expected && !(optional && count == 0))
        return refuse(reader, "%s: %llu texts for %zu areas", what, (unsigned long long)count,
                      expected);
    if (pool_size < count)
        return refuse(reader, "%s: %zu bytes cannot hold %llu texts", what, pool_size,
                      (unsigned long long)count);
    char *pool = (char *)take(reader, pool_size, what);
    if (pool == NULL)
        return OC_ERROR_IO;
    if (count == 0)
        return OC_OK;
    if ((strings->items = malloc((size_t)count * sizeof *strings->items)) == NULL)
        return OC_ERROR_NO_MEMORY;
    strings->count = (size_t)count;
    char *cursor = pool, *end = pool + pool_size;
    for (size_t i = 0; i < strings->count; i++) {
        size_t length = strnlen(cursor, (size_t)(end - cursor));
        if (length == (size_t)(end - cursor))
            return refuse(reader, "%s: text %zu has no end", what, i);
        strings->items[i] = cursor;
        cursor += length + 1;
    }
    if (cursor != end)
        return refuse(reader, "%s: %zu bytes after the last text", what, (size_t)(end - cursor));
    return OC_OK;
}

static int take_times(message_reader *reader, oc__store_frame *frame)
{
    if (take_count(reader, sizeof *frame->times, &frame->time_count, "the time count") != OC_OK)
        return OC_ERROR_IO;
    if (frame->time_count == 0)
        return refuse(reader, "frame %s has no times", frame->name);
    const unsigned char *times = take(reader, frame->time_count * sizeof *frame->times, "times");
    if (times == NULL)
        return OC_ERROR_IO;
    if ((frame->times = malloc(frame->time_count * sizeof *frame->times)) == NULL)
        return OC_ERROR_NO_MEMORY;
    memcpy(frame->times, times, frame->time_count * sizeof *frame->times);
    for (size_t t = 1; t < frame->time_count; t++)
        if (frame->times[t] <= frame->times[t - 1])
            return refuse(reader, "frame %s: times not increasing at %zu", frame->name, t);
    return OC_OK;
}

/* Indexes the codes, refusing an empty or repeated one as the loader does. */
static int index_codes(message_reader *reader, oc__store_frame *frame)
{
    const char *const *codes = (const char *const *)frame->codes.items;
    if (oc__store_index_reserve(&frame->area_index, codes, frame->area_count) != OC_OK)
        return OC_ERROR_NO_MEMORY;
    for (size_t i = 0; i < frame->area_count; i++) {
        size_t existing;
        if (codes[i][0] == '\0')
            return refuse(reader, "frame %s: area %zu has an empty code", frame->name, i);
        if (oc__store_index_add(&frame->area_index, codes, i, &existing) != OC_OK)
            return OC_ERROR_NO_MEMORY;
        if (existing != OC__STORE_NO_INDEX)
            return refuse(reader, "frame %s: area code '%s' twice", frame->name, codes[i]);
    }
    return OC_OK;
}

static int take_measure(message_reader *reader, oc__store_measure_entry *entry)
{
    int status = OC_OK;
    for (size_t i = 0; i < 5 && status == OC_OK; i++)
        status = take_text(reader, i >= 3, &entry->strings[i], "a measure");
    uint64_t chunk_areas;
    if (status != OC_OK || take_number(reader, &chunk_areas, "a measure") != OC_OK)
        return status != OC_OK ? status : OC_ERROR_IO;
    if (entry->strings[0][0] == '\0' || chunk_areas == 0 || chunk_areas > SIZE_MAX)
        return refuse(reader, "a measure without a name or chunk size");
    entry->measure.name = entry->strings[0];
    entry->measure.units = entry->strings[1];
    entry->measure.long_name = entry->strings[2];
    entry->measure.frequency = entry->strings[3];
    entry->measure.source = entry->strings[4];
    entry->chunk_areas = (size_t)chunk_areas;
    return OC_OK;
}

static int take_frame(message_reader *reader, const char *path, oc__store_frame *frame)
{
    frame->path = path;
    int status = take_text(reader, 0, &frame->name, "a frame name");
    if (status != OC_OK)
        return status;
    if (frame->name[0] != '/')
        return refuse(reader, "frame name '%s' does not start with /", frame->name);
    if (take_count(reader, 1, &frame->area_count, "the area count") != OC_OK)
        return OC_ERROR_IO;
    if (frame->area_count == 0)
        return refuse(reader, "frame %s has no areas", frame->name);
    if ((status = take_times(reader, frame)) != OC_OK
        || (status = take_strings(reader, frame->area_count, 0, &frame->codes, "area codes")) != OC_OK
        || (status = take_strings(reader, frame->area_count, 1, &frame->names, "area names")) != OC_OK
        || (status = take_strings(reader, frame->area_count, 1, &frame->parents, "area parents")) != OC_OK
        || (status = index_codes(reader, frame)) != OC_OK)
        return status;
    size_t measure_count;
    if (take_count(reader, 6 * sizeof(uint64_t), &measure_count, "the measure count") != OC_OK)
        return OC_ERROR_IO;
    if ((frame->measures = calloc(measure_count ? measure_count : 1, sizeof *frame->measures)) == NULL)
        return OC_ERROR_NO_MEMORY;
    /* Counted before it is filled, so that a failure frees its texts. */
    for (; frame->measure_count < measure_count && status == OC_OK; frame->measure_count++)
        status = take_measure(reader, &frame->measures[frame->measure_count]);
    return status;
}

static int take_store(message_reader *reader, oc__store *store)
{
    if (take_count(reader, 1, &store->frame_count, "the frame count") != OC_OK)
        return OC_ERROR_IO;
    if (store->frame_count == 0)
        return refuse(reader, "no frame");
    /* Counted before they are filled (calloc'd): closing frees them all. */
    if ((store->frames = calloc(store->frame_count, sizeof *store->frames)) == NULL)
        return OC_ERROR_NO_MEMORY;
    int status = OC_OK;
    for (size_t f = 0; f < store->frame_count && status == OC_OK; f++)
        status = take_frame(reader, store->path, &store->frames[f]);
    return status;
}

/* The failure the child reported, which must be a status it can have. */
static int take_failure(message_reader *reader, int status, char **message)
{
    if (status > OC_OK || status < OC_ERROR_CONFIG)
        return refuse(reader, "status %d is not one a reader gives", status);
    int taken = take_text(reader, 0, message, "the error message");
    if (taken != OC_OK)
        return taken;
    if ((*message)[0] == '\0' || strlen(*message) >= OC_ERROR_MESSAGE_SIZE)
        return refuse(reader, "an error message of %zu bytes", strlen(*message));
    return OC_OK;
}

int oc__store_message_decode(const char *path, unsigned char *bytes, size_t size,
                             oc__store **store_out, oc_error *error)
{
    *store_out = NULL;
    message_reader reader = {bytes, bytes + size, ""};
    oc__store *store = NULL;
    char *message = NULL;
    uint64_t carried = 0;
    int status = OC_OK;
    const unsigned char *start = take(&reader, sizeof message_start, "its start");
    if (start == NULL || memcmp(start, message_start, sizeof message_start) != 0)
        status = refuse(&reader, "it does not start as one");
    else if (take_number(&reader, &carried, "the status") != OC_OK)
        status = OC_ERROR_IO;
    else if ((int64_t)carried != OC_OK)
        status = (int64_t)carried < INT32_MIN || (int64_t)carried > INT32_MAX
                     ? refuse(&reader, "status %lld is not one a reader gives", (long long)carried)
                     : take_failure(&reader, (int)(int64_t)carried, &message);
    else if ((store = calloc(1, sizeof *store)) == NULL || (store->path = strdup(path)) == NULL)
        status = OC_ERROR_NO_MEMORY;
    else {
        store->without_file = 1;
        store->message = bytes;
        bytes = NULL;
        status = take_store(&reader, store);
    }
    if (status == OC_OK) {
        const unsigned char *end = take(&reader, sizeof message_end, "its end");
        if (end == NULL || memcmp(end, message_end, sizeof message_end) != 0)
            status = refuse(&reader, "it does not end as one");
        else if (left(&reader) > 0)
            status = refuse(&reader, "%zu bytes after its end", left(&reader));
    }
    if (status == OC_OK && message != NULL)
        status = oc_error_set(error, (int)(int64_t)carried, "%s", message);
    else if (status == OC_ERROR_NO_MEMORY)
        oc_error_set(error, status, "%s: out of memory", path);
    else if (status != OC_OK)
        oc_error_set(error, OC_ERROR_IO, "%s: the store reader's answer is malformed: %s", path,
                     reader.reason);
    free(message);
    free(bytes);
    if (store != NULL && status == OC_OK)
        *store_out = store;
    else if (store != NULL)
        oc__store_close(store);
    return status;
}

/* ---- The child, and the host that waits for it --------------------------- */

pid_t oc__store_fork_reader(struct sigaction *saved)
{
    oc__runner_children_reapable(saved);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        oc__runner_child_signals_default(); /* a crash is seen as one */
        if (oc__runner_child_dies_with_parent(parent) != 0)
            _exit(1);
    }
    return child;
}

int oc__store_wait_reader(pid_t child, const char *path, int *exit_status, oc_error *error)
{
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return oc_error_set(error, OC_ERROR_IO, "%s: cannot wait for the reader: %s", path,
                                strerror(errno));
    if (WIFEXITED(status)) {
        *exit_status = WEXITSTATUS(status);
        return OC_OK;
    }
    int signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return oc_error_set(error, OC_ERROR_FORMAT,
                        "%s: the HDF5 library crashed reading it (%s, signal %d): the file is "
                        "damaged",
                        path, strsignal(signal_number), signal_number);
}

/* Writes every piece, however the pipe splits them. */
static int write_pieces(int descriptor, struct iovec *pieces, size_t count)
{
#ifdef IOV_MAX
    const size_t most = IOV_MAX;
#else
    const size_t most = 16; /* what POSIX guarantees */
#endif
    while (count > 0) {
        ssize_t written = writev(descriptor, pieces, (int)(count < most ? count : most));
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return OC_ERROR_IO;
        size_t done = (size_t)written;
        for (; count > 0 && done >= pieces->iov_len; pieces++, count--)
            done -= pieces->iov_len;
        if (count > 0) {
            pieces->iov_base = (char *)pieces->iov_base + done;
            pieces->iov_len -= done;
        }
    }
    return OC_OK;
}

/* In the child: opens the store, answers and exits, without the atexit
 * handlers and stdio buffers it shares with the host (nor freeing what
 * the process's end frees faster). */
static void answer(const char *path, int descriptor)
{
    oc__store *store = NULL;
    oc_error error;
    int status = oc__store_open(path, &store, &error);
    message_writer writer;
    if (encode_pieces(store, status, status == OC_OK ? NULL : error.message, &writer) != OC_OK) {
        oc_error_set(&error, OC_ERROR_NO_MEMORY, "%s: out of memory", path);
        if (encode_pieces(NULL, error.status, error.message, &writer) != OC_OK)
            _exit(1);
    }
    _exit(write_pieces(descriptor, writer.pieces, writer.piece_count) == OC_OK ? 0 : 1);
}

/* Reads until end of file into *bytes (malloc'd, owned by the caller). */
static int read_all(int descriptor, unsigned char **bytes_out, size_t *size_out)
{
    size_t capacity = (size_t)1 << 16, size = 0;
    unsigned char *bytes = malloc(capacity);
    int status = bytes != NULL ? OC_OK : OC_ERROR_NO_MEMORY;
    while (status == OC_OK) {
        if (size == capacity) {
            unsigned char *larger = capacity <= SIZE_MAX / 2 ? realloc(bytes, capacity * 2) : NULL;
            if (larger == NULL) {
                status = OC_ERROR_NO_MEMORY;
                break;
            }
            bytes = larger;
            capacity *= 2;
        }
        ssize_t got = read(descriptor, bytes + size, capacity - size);
        if (got == 0)
            break;
        if (got < 0 && errno != EINTR)
            status = OC_ERROR_IO;
        else if (got > 0)
            size += (size_t)got;
    }
    if (status != OC_OK) {
        free(bytes);
        bytes = NULL;
    }
    *bytes_out = bytes;
    *size_out = size;
    return status;
}

int oc__store_open_contained(const char *path, oc__store **store, oc_error *error)
{
    *store = NULL;
    int ends[2];
    if (pipe(ends) != 0)
        return oc__store_open(path, store, error);
    struct sigaction saved;
    pid_t child = oc__store_fork_reader(&saved);
    if (child == 0) {
        close(ends[0]);
        answer(path, ends[1]);
    }
    close(ends[1]);
    if (child < 0) {
        close(ends[0]);
        sigaction(SIGCHLD, &saved, NULL);
        return oc__store_open(path, store, error);
    }
    unsigned char *bytes;
    size_t size;
    int read_errno = 0;
    int status = read_all(ends[0], &bytes, &size);
    if (status != OC_OK) {
        read_errno = errno;
        kill(child, SIGKILL); /* its answer can no longer be had */
    }
    close(ends[0]);
    int exit_status = 0;
    oc_error wait_error;
    int waited = oc__store_wait_reader(child, path, &exit_status, &wait_error);
    sigaction(SIGCHLD, &saved, NULL);
    if (status == OC_ERROR_NO_MEMORY)
        return oc_error_set(error, status, "%s: out of memory", path);
    if (status != OC_OK)
        return oc_error_set(error, status, "%s: cannot read the store reader's answer: %s", path,
                            strerror(read_errno));
    if (waited != OC_OK)
        status = oc_error_set(error, waited, "%s", wait_error.message);
    else if (exit_status != 0)
        status = oc_error_set(error, OC_ERROR_IO,
                              "%s: the store reader exited with status %d before it answered",
                              path, exit_status);
    else
        return oc__store_message_decode(path, bytes, size, store, error);
    free(bytes);
    return status;
}
