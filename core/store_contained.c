/* store_contained.c: opening a store for the host of `outcomes run` in a
 * child process. A damaged file can crash the HDF5 library itself, and a
 * crash while the host plans would take the whole run with it; so a child
 * reads the store and sends the host what it plans with over a pipe, and
 * the host rebuilds its store from that without calling HDF5. The child
 * sends each part of a frame as soon as the loader has it, so the host
 * rebuilds the area codes (and their index) while the child still reads
 * the names, parents and measures: at national size the round trip adds
 * little to the time the reading alone takes. Every record is checked
 * before anything is built from it: a reader that died half-way or wrote
 * garbage is refused, never trusted. Also the fork and the wait that
 * `outcomes store` shares. */
#define _GNU_SOURCE /* F_SETPIPE_SZ, pipe2 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monotonic_clock.h"
#include "plugin_runner.h"
#include "store_internal.h"

/* The message (native byte order: the same binary writes and reads it) is
 * "OCSTORE3" and then records, each a tag, its payload's length and the
 * payload. Per frame, in this order:
 *   AREAS     the frame's name, then its area codes as a block of texts;
 *   TIMES     the number of times, then the times (i32 each);
 *   NAMES     area names as a block of texts (none: the dataset is absent);
 *   PARENTS   area parent codes, the same;
 *   PARENT_NAMES  the names of the areas' parents, the same;
 *   MEASURES  the number of measures, then per measure its name, units,
 *             long_name, frequency and source (the last two may be
 *             absent) and its chunk areas;
 * and last END (the number of frames), or FAILURE at any point instead
 * (the status and the error line oc__store_open gave: every record before
 * it is void). A block of texts is their count, the pool's size and the
 * pool: count NUL-terminated texts back to back. Counts, lengths and
 * sizes are u64; a text is its length (NO_TEXT when absent) and its
 * bytes, without a NUL. */
static const char message_start[8] = {'O', 'C', 'S', 'T', 'O', 'R', 'E', '3'};
enum {
    RECORD_AREAS = 1 + OC__STORE_PART_AREAS,
    RECORD_TIMES = 1 + OC__STORE_PART_TIMES,
    RECORD_NAMES = 1 + OC__STORE_PART_NAMES,
    RECORD_PARENTS = 1 + OC__STORE_PART_PARENTS,
    RECORD_PARENT_NAMES = 1 + OC__STORE_PART_PARENT_NAMES,
    RECORD_MEASURES = 1 + OC__STORE_PART_MEASURES,
    RECORD_END,
    RECORD_FAILURE
};
#define NO_TEXT UINT64_MAX
/* The longest record a reader may announce: a garbled length must not
 * become a huge allocation (a national frame's names are 0.7 MB). */
#define RECORD_MOST ((uint64_t)1 << 36)
/* The buffer a record is first read into, grown as more arrives. */
#define RECORD_FIRST_BYTES ((size_t)1 << 20)
#define REASON_SIZE 200

/* ---- Encoding, in the child ---------------------------------------------- */

/* A text pool or time axis at least this long goes from the store's own
 * memory, not copied. */
#define BORROW_BYTES 256

/* A record as pieces for writev: small fields copied back to back into
 * scratch, large ones borrowed from the store. Each record is put twice:
 * counting (scratch and pieces NULL: only the sizes), then into buffers
 * of exactly those sizes. */
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

/* The loader's pool holds the texts back to back in item order
 * (pack_strings in store_hdf5.c), so it goes as it is, up to the last
 * text's NUL. */
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

/* What one record says. */
typedef struct message_record {
    uint64_t tag;
    const oc__store_frame *frame; /* a frame's parts */
    uint64_t number;              /* END: frames; FAILURE: the status */
    const char *message;          /* FAILURE */
} message_record;

static void put_payload(message_writer *writer, const message_record *record)
{
    const oc__store_frame *frame = record->frame;
    switch (record->tag) {
    case RECORD_AREAS:
        put_text(writer, frame->name);
        put_strings(writer, &frame->codes);
        break;
    case RECORD_TIMES:
        put_number(writer, frame->time_count);
        put(writer, frame->times, frame->time_count * sizeof *frame->times);
        break;
    case RECORD_NAMES:
        put_strings(writer, &frame->names);
        break;
    case RECORD_PARENTS:
        put_strings(writer, &frame->parents);
        break;
    case RECORD_PARENT_NAMES:
        put_strings(writer, &frame->parent_names);
        break;
    case RECORD_MEASURES:
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
        break;
    case RECORD_END:
        put_number(writer, record->number);
        break;
    default: /* RECORD_FAILURE */
        put_number(writer, record->number);
        put_text(writer, record->message);
        break;
    }
}

/* Where records go: the pipe (descriptor >= 0) or, for
 * oc__store_message_encode, a buffer. After a failure nothing more is
 * sent. */
typedef struct record_sink {
    int descriptor;
    unsigned char *bytes;
    size_t size;
    size_t capacity;
    int failed;
} record_sink;

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

static int append_pieces(record_sink *sink, const struct iovec *pieces, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (pieces[i].iov_len > sink->capacity - sink->size) {
            size_t capacity = sink->capacity ? sink->capacity : 4096;
            while (pieces[i].iov_len > capacity - sink->size)
                capacity *= 2;
            unsigned char *larger = realloc(sink->bytes, capacity);
            if (larger == NULL)
                return OC_ERROR_NO_MEMORY;
            sink->bytes = larger;
            sink->capacity = capacity;
        }
        memcpy(sink->bytes + sink->size, pieces[i].iov_base, pieces[i].iov_len);
        sink->size += pieces[i].iov_len;
    }
    return OC_OK;
}

static void send_pieces(record_sink *sink, struct iovec *pieces, size_t count)
{
    if (!sink->failed
        && (sink->descriptor >= 0 ? write_pieces(sink->descriptor, pieces, count)
                                  : append_pieces(sink, pieces, count)) != OC_OK)
        sink->failed = 1;
}

static void send_record(record_sink *sink, const message_record *record)
{
    if (sink->failed)
        return;
    message_writer counting = {0};
    put_payload(&counting, record);
    /* the header (tag and length) and the payload */
    message_writer writer = {0};
    writer.scratch = malloc(2 * sizeof(uint64_t) + counting.scratch_size);
    writer.pieces = malloc((1 + counting.piece_count) * sizeof *writer.pieces);
    if (writer.scratch != NULL && writer.pieces != NULL) {
        put_number(&writer, record->tag);
        put_number(&writer, counting.size);
        put_payload(&writer, record);
        send_pieces(sink, writer.pieces, writer.piece_count);
    } else {
        sink->failed = 1;
    }
    free(writer.scratch);
    free(writer.pieces);
}

static void send_start(record_sink *sink)
{
    struct iovec start = {(void *)(uintptr_t)message_start, sizeof message_start};
    send_pieces(sink, &start, 1);
}

static void send_end(record_sink *sink, const oc__store *store, int status, const char *message)
{
    message_record last = {RECORD_END, NULL, store != NULL ? store->frame_count : 0, NULL};
    if (status != OC_OK)
        last = (message_record){RECORD_FAILURE, NULL, (uint64_t)(int64_t)status, message};
    send_record(sink, &last);
}

int oc__store_message_encode(const oc__store *store, int status, const char *message,
                             unsigned char **bytes, size_t *size)
{
    record_sink sink = {-1, NULL, 0, 0, 0};
    send_start(&sink);
    for (size_t f = 0; status == OC_OK && f < store->frame_count; f++)
        for (uint64_t tag = RECORD_AREAS; tag <= RECORD_MEASURES; tag++)
            send_record(&sink, &(message_record){tag, &store->frames[f], 0, NULL});
    send_end(&sink, store, status, message != NULL ? message : "");
    if (sink.failed) {
        free(sink.bytes);
        sink.bytes = NULL;
        sink.size = 0;
    }
    *bytes = sink.bytes;
    *size = sink.size;
    return sink.failed ? OC_ERROR_NO_MEMORY : OC_OK;
}

/* ---- Decoding, in the host ------------------------------------------------ */

/* One record's payload being read. */
typedef struct message_reader {
    unsigned char *cursor;
    unsigned char *end;
    char *reason; /* REASON_SIZE bytes, "" until the first problem */
} message_reader;

__attribute__((format(printf, 2, 3)))
static int refuse(message_reader *reader, const char *format, ...)
{
    if (reader->reason[0] == '\0') {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(reader->reason, REASON_SIZE, format, arguments);
        va_end(arguments);
    }
    return OC_ERROR_IO;
}

static size_t left(const message_reader *reader)
{
    return (size_t)(reader->end - reader->cursor);
}

/* The next length bytes of the payload, or NULL when fewer are left. */
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
 * the payload must be able to hold: a garbled count cannot make a huge
 * allocation. */
static int take_count(message_reader *reader, size_t item_size, size_t *count, const char *what)
{
    uint64_t value;
    if (take_number(reader, &value, what) != OC_OK)
        return OC_ERROR_IO;
    if (value > left(reader) / item_size)
        return refuse(reader, "%s: %llu is more than the record holds", what,
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
 * texts stay in the record, which strings then owns (*payload becomes
 * NULL); only the pointers to them are allocated. */
static int take_strings(message_reader *reader, unsigned char **payload, size_t expected,
                        int optional, oc__store_strings *strings, const char *what)
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
    if (pool[pool_size - 1] != '\0')
        return refuse(reader, "%s: the last text has no end", what);
    if ((strings->items = malloc((size_t)count * sizeof *strings->items)) == NULL)
        return OC_ERROR_NO_MEMORY;
    strings->pool = (char *)*payload;
    *payload = NULL;
    strings->count = (size_t)count;
    /* The pool ends with a NUL, so no text runs past it. */
    char *cursor = pool, *end = pool + pool_size;
    for (size_t i = 0; i < strings->count; i++) {
        if (cursor == end)
            return refuse(reader, "%s: %zu texts where %zu were announced", what, i,
                          strings->count);
        strings->items[i] = cursor;
        cursor += strlen(cursor) + 1;
    }
    if (cursor != end)
        return refuse(reader, "%s: %zu bytes after the last text", what, (size_t)(end - cursor));
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

/* A new frame of the store (counted at once, so closing the store frees
 * whatever of it is built). */
static oc__store_frame *add_frame(oc__store *store, size_t *capacity)
{
    if (store->frame_count == *capacity) {
        size_t larger = *capacity ? *capacity * 2 : 4;
        oc__store_frame *frames = realloc(store->frames, larger * sizeof *frames);
        if (frames == NULL)
            return NULL;
        store->frames = frames;
        *capacity = larger;
    }
    oc__store_frame *frame = &store->frames[store->frame_count++];
    memset(frame, 0, sizeof *frame);
    frame->path = store->path;
    return frame;
}

static int take_areas(message_reader *reader, unsigned char **payload, oc__store *store,
                      size_t *capacity)
{
    oc__store_frame *frame = add_frame(store, capacity);
    if (frame == NULL)
        return OC_ERROR_NO_MEMORY;
    int status = take_text(reader, 0, &frame->name, "a frame name");
    if (status != OC_OK)
        return status;
    if (frame->name[0] != '/')
        return refuse(reader, "frame name '%s' does not start with /", frame->name);
    /* the area count is the number of codes: at least one */
    uint64_t count;
    unsigned char *counted = reader->cursor;
    if (take_number(reader, &count, "area codes") != OC_OK)
        return OC_ERROR_IO;
    if (count == 0 || count > left(reader))
        return refuse(reader, "frame %s: %llu areas", frame->name, (unsigned long long)count);
    reader->cursor = counted;
    frame->area_count = (size_t)count;
    if ((status = take_strings(reader, payload, frame->area_count, 0, &frame->codes, "area codes"))
        != OC_OK)
        return status;
    return index_codes(reader, frame);
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

static int take_measures(message_reader *reader, oc__store_frame *frame)
{
    size_t count;
    if (take_count(reader, 6 * sizeof(uint64_t), &count, "the measure count") != OC_OK)
        return OC_ERROR_IO;
    if ((frame->measures = calloc(count ? count : 1, sizeof *frame->measures)) == NULL)
        return OC_ERROR_NO_MEMORY;
    /* Counted before it is filled, so that a failure frees its texts. */
    int status = OC_OK;
    for (; frame->measure_count < count && status == OC_OK; frame->measure_count++)
        status = take_measure(reader, &frame->measures[frame->measure_count]);
    return status;
}

/* The failure the reader reported, which must be a status it can have. */
static int take_failure(message_reader *reader, int *carried, char **message)
{
    uint64_t status;
    if (take_number(reader, &status, "the status") != OC_OK)
        return OC_ERROR_IO;
    if ((int64_t)status >= OC_OK || (int64_t)status < OC_ERROR_CONFIG)
        return refuse(reader, "status %lld is not one a reader gives", (long long)status);
    char *text;
    int taken = take_text(reader, 0, &text, "the error message");
    if (taken != OC_OK)
        return taken;
    size_t length = strlen(text);
    if (length == 0 || length >= OC_ERROR_MESSAGE_SIZE) {
        free(text);
        return refuse(reader, "an error message of %zu bytes", length);
    }
    *carried = (int)(int64_t)status;
    *message = text;
    return OC_OK;
}

/* Where records come from: the pipe (descriptor >= 0) or a buffer. */
typedef struct record_source {
    int descriptor;
    const unsigned char *bytes;
    size_t size;
    size_t offset;
    int silence_limit_milliseconds; /* the pipe: the longest wait for a byte */
    int silent;                     /* that wait ran out */
    int stopped;                    /* the run was asked to stop meanwhile */
} record_source;

/* The longest one wait in poll lasts: a stop asked for by a signal that
 * came just before poll began is seen within this. */
#define STOP_CHECK_MILLISECONDS 1000

/* Waits until the pipe has bytes (or its end): 1; 0 when the silence
 * limit passed first; -1 with errno set when poll failed; -2 when the run
 * was asked to stop (oc__runner_request_stop: a Ctrl-C must not wait for
 * a stuck reader's limit). The limit is kept by the clock, not restarted
 * after each signal: the host's stop signals, or any other, would
 * otherwise make a stuck reader's wait as long as they kept coming. */
static int wait_for_bytes(const record_source *source)
{
    long long deadline = oc__monotonic_nanoseconds()
                         + (long long)source->silence_limit_milliseconds * 1000000LL;
    for (;;) {
        if (oc__runner_stop_requested() != 0)
            return -2;
        long long left = deadline - oc__monotonic_nanoseconds();
        if (left <= 0)
            return 0;
        long long milliseconds = (left + 999999) / 1000000; /* rounded up: never a busy 0 */
        struct pollfd pipe_end = {source->descriptor, POLLIN, 0};
        int ready = poll(&pipe_end, 1,
                         milliseconds < STOP_CHECK_MILLISECONDS ? (int)milliseconds
                                                                : STOP_CHECK_MILLISECONDS);
        if (ready > 0)
            return 1;
        if (ready < 0 && errno != EINTR)
            return -1;
    }
}

/* Reads up to size bytes; *done < size when the end came first.
 * OC_ERROR_IO with errno set when reading the pipe failed, with
 * source->silent when nothing came for the silence limit, or with
 * source->stopped when the run was asked to stop. */
static int source_read(record_source *source, void *into, size_t size, size_t *done)
{
    *done = 0;
    if (source->descriptor < 0) {
        *done = size < source->size - source->offset ? size : source->size - source->offset;
        if (*done > 0)
            memcpy(into, source->bytes + source->offset, *done);
        source->offset += *done;
        return OC_OK;
    }
    while (*done < size) {
        int ready = wait_for_bytes(source);
        if (ready == -1)
            return OC_ERROR_IO;
        if (ready == -2) {
            source->stopped = 1;
            return OC_ERROR_IO;
        }
        if (ready == 0) {
            source->silent = 1;
            return OC_ERROR_IO;
        }
        ssize_t got = read(source->descriptor, (unsigned char *)into + *done, size - *done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return OC_ERROR_IO;
        if (got == 0)
            break;
        *done += (size_t)got;
    }
    return OC_OK;
}

/* How reading the records ended, beyond the status. */
typedef struct rebuild_end {
    int cut_short;     /* the records stopped before END or FAILURE */
    int read_errno;    /* reading the pipe failed (0: it did not) */
    int given_up;      /* silent for the limit, or the run asked to stop */
} rebuild_end;

/* The next record: its tag and payload (malloc'd into *payload, owned by
 * the caller). OC_ERROR_NOT_FOUND when the records end before it does. */
static int read_record(record_source *source, uint64_t *tag, unsigned char **payload,
                       size_t *length, message_reader *reader, rebuild_end *end)
{
    uint64_t header[2];
    size_t done;
    *payload = NULL;
    if (source_read(source, header, sizeof header, &done) != OC_OK) {
        end->read_errno = errno ? errno : EIO;
        return OC_ERROR_IO;
    }
    if (done < sizeof header) {
        end->cut_short = 1;
        refuse(reader, "cut short before END");
        return OC_ERROR_NOT_FOUND;
    }
    *tag = header[0];
    if (header[0] < RECORD_AREAS || header[0] > RECORD_FAILURE || header[1] > RECORD_MOST)
        return refuse(reader, "a record of kind %llu and %llu bytes",
                      (unsigned long long)header[0], (unsigned long long)header[1]);
    *length = (size_t)header[1];
    /* Grown as the bytes arrive: a garbled length costs only what came. */
    size_t capacity = *length < RECORD_FIRST_BYTES ? *length : RECORD_FIRST_BYTES, have = 0;
    for (;;) {
        unsigned char *larger = realloc(*payload, capacity ? capacity : 1);
        if (larger == NULL)
            return OC_ERROR_NO_MEMORY;
        *payload = larger;
        if (source_read(source, *payload + have, capacity - have, &done) != OC_OK) {
            end->read_errno = errno ? errno : EIO;
            return OC_ERROR_IO;
        }
        have += done;
        if (have < capacity) {
            end->cut_short = 1;
            refuse(reader, "cut short in a record of kind %llu", (unsigned long long)*tag);
            return OC_ERROR_NOT_FOUND;
        }
        if (have == *length)
            return OC_OK;
        capacity = *length - capacity < capacity ? *length : 2 * capacity;
    }
}

/* Builds the store from the records of source. Returns OC_OK with *store
 * set; the status and message of a FAILURE record; OC_ERROR_IO with the
 * reason in reason when the records are not a reader's (end->cut_short
 * when they stopped early, end->read_errno when the pipe failed); or
 * OC_ERROR_NO_MEMORY. */
static int rebuild(record_source *source, oc__store *store, char *reason, int *carried,
                   char **message, rebuild_end *end)
{
    char start[sizeof message_start];
    size_t done;
    message_reader reader = {NULL, NULL, reason};
    if (source_read(source, start, sizeof start, &done) != OC_OK) {
        end->read_errno = errno ? errno : EIO;
        return OC_ERROR_IO;
    }
    if (done < sizeof start) {
        end->cut_short = 1;
        return refuse(&reader, "cut short before it started");
    }
    if (memcmp(start, message_start, sizeof start) != 0)
        return refuse(&reader, "it does not start as one");
    size_t capacity = 0;
    uint64_t expected = RECORD_AREAS;
    for (;;) {
        uint64_t tag = 0;
        unsigned char *payload;
        size_t length = 0;
        int status = read_record(source, &tag, &payload, &length, &reader, end);
        if (status == OC_ERROR_NOT_FOUND)
            status = OC_ERROR_IO;
        if (status == OC_OK && tag != expected && tag != RECORD_FAILURE
            && !(tag == RECORD_END && expected == RECORD_AREAS))
            status = refuse(&reader, "a record of kind %llu where %llu belongs",
                            (unsigned long long)tag, (unsigned long long)expected);
        oc__store_frame *frame = store->frame_count ? &store->frames[store->frame_count - 1] : NULL;
        if (status == OC_OK) {
            reader.cursor = payload;
            reader.end = payload + length;
            switch (tag) {
            case RECORD_AREAS:
                status = take_areas(&reader, &payload, store, &capacity);
                break;
            case RECORD_TIMES:
                status = take_times(&reader, frame);
                break;
            case RECORD_NAMES:
                status = take_strings(&reader, &payload, frame->area_count, 1, &frame->names,
                                      "area names");
                break;
            case RECORD_PARENTS:
                status = take_strings(&reader, &payload, frame->area_count, 1, &frame->parents,
                                      "area parents");
                break;
            case RECORD_PARENT_NAMES:
                status = take_strings(&reader, &payload, frame->area_count, 1,
                                      &frame->parent_names, "parent names");
                break;
            case RECORD_MEASURES:
                status = take_measures(&reader, frame);
                break;
            case RECORD_END: {
                uint64_t count;
                status = take_number(&reader, &count, "the frame count");
                if (status == OC_OK && (count == 0 || count != store->frame_count))
                    status = refuse(&reader, "it ends after %zu frames, saying %llu",
                                    store->frame_count, (unsigned long long)count);
                break;
            }
            default:
                status = take_failure(&reader, carried, message);
                break;
            }
        }
        if (status == OC_OK && left(&reader) > 0)
            status = refuse(&reader, "%zu bytes left in a record of kind %llu", left(&reader),
                            (unsigned long long)tag);
        free(payload);
        if (status != OC_OK)
            return status;
        if (tag == RECORD_END || tag == RECORD_FAILURE)
            break;
        expected = tag == RECORD_MEASURES ? RECORD_AREAS : tag + 1;
    }
    if (source->descriptor < 0 && source->offset < source->size) {
        free(*message); /* not a reader's failure after all */
        *message = NULL;
        return refuse(&reader, "%zu bytes after its end", source->size - source->offset);
    }
    return *message != NULL ? *carried : OC_OK;
}

/* rebuild into a new store; the error says what went wrong. */
static int rebuild_store(const char *path, record_source *source, oc__store **store_out,
                         rebuild_end *end, oc_error *error)
{
    *store_out = NULL;
    memset(end, 0, sizeof *end);
    oc__store *store = calloc(1, sizeof *store);
    if (store == NULL || (store->path = strdup(path)) == NULL) {
        free(store);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", path);
    }
    store->without_file = 1;
    char reason[REASON_SIZE] = "";
    char *message = NULL;
    int carried = OC_OK;
    int status = rebuild(source, store, reason, &carried, &message, end);
    end->given_up = source->silent || source->stopped;
    if (message != NULL && status == carried)
        oc_error_set(error, status, "%s", message);
    else if (status == OC_ERROR_NO_MEMORY)
        oc_error_set(error, status, "%s: out of memory", path);
    else if (source->stopped)
        oc_error_set(error, status, "%s: reading it was interrupted by signal %d", path,
                     oc__runner_stop_requested());
    else if (source->silent)
        oc_error_set(error, status,
                     "%s: the store reader sent nothing for %g s and was stopped: the HDF5 "
                     "library may be stuck on a damaged file, or the disk not answering",
                     path, source->silence_limit_milliseconds / 1000.0);
    else if (end->read_errno != 0)
        oc_error_set(error, status, "%s: cannot read the store reader's answer: %s", path,
                     strerror(end->read_errno));
    else if (status != OC_OK)
        oc_error_set(error, status, "%s: the store reader's answer is malformed: %s", path, reason);
    free(message);
    if (status == OC_OK)
        *store_out = store;
    else
        oc__store_close(store);
    return status;
}

int oc__store_message_decode(const char *path, unsigned char *bytes, size_t size,
                             oc__store **store, oc_error *error)
{
    record_source source = {-1, bytes, size, 0, 0, 0, 0};
    rebuild_end end;
    int status = rebuild_store(path, &source, store, &end, error);
    free(bytes);
    return status;
}

/* The store the reader at the other end of descriptor sends, as
 * rebuild_store builds it, waiting at most silence_limit_milliseconds for
 * each piece of it. */
static int receive(const char *path, int descriptor, int silence_limit_milliseconds,
                   oc__store **store, rebuild_end *end, oc_error *error)
{
    record_source source = {descriptor, NULL, 0, 0, silence_limit_milliseconds, 0, 0};
    return rebuild_store(path, &source, store, end, error);
}

int oc__store_message_receive(const char *path, int descriptor, int silence_limit_milliseconds,
                              oc__store **store, oc_error *error)
{
    rebuild_end end;
    return receive(path, descriptor, silence_limit_milliseconds, store, &end, error);
}

/* ---- The child, and the host that waits for it --------------------------- */

/* A sanitizer that finds HDF5 (or anything) going wrong in a reader
 * prints its report and exits with status 1, which the host would take
 * for an exit of the reader's own; the C library, for the same damage,
 * aborts. So in a sanitizer build a reader dies as the C library would
 * make it, and the damage is the same one line in both builds (the
 * report goes where the reader's standard error goes, which for the
 * run's reader is nowhere: ASAN_OPTIONS=log_path=FILE keeps it). */
#if defined(__SANITIZE_ADDRESS__)
#define READER_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define READER_UNDER_SANITIZER 1
#endif
#endif
#ifdef READER_UNDER_SANITIZER
#include <sanitizer/common_interface_defs.h>

static void die_as_crashed(void)
{
    abort(); /* SIGABRT's action is the default in a reader */
}
#endif

pid_t oc__store_fork_reader(struct sigaction *saved)
{
    oc__runner_children_reapable(saved);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        oc__runner_child_signals_default(); /* a crash is seen as one */
#ifdef READER_UNDER_SANITIZER
        __sanitizer_set_death_callback(die_as_crashed);
#endif
        if (oc__runner_child_dies_with_parent(parent) != 0)
            _exit(1);
    }
    return child;
}

/* The signals a process sends itself when the code it runs goes wrong:
 * bad memory, an abort on a failed assertion, bad arithmetic or code. */
static int is_crash_signal(int signal_number)
{
    return signal_number == SIGSEGV || signal_number == SIGBUS || signal_number == SIGABRT
           || signal_number == SIGFPE || signal_number == SIGILL || signal_number == SIGTRAP
           || signal_number == SIGSYS;
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
    if (is_crash_signal(signal_number))
        return oc_error_set(error, OC_ERROR_FORMAT,
                            "%s: the HDF5 library crashed reading it (%s, signal %d): the file "
                            "is damaged",
                            path, strsignal(signal_number), signal_number);
    /* The out-of-memory killer, an operator's kill: says nothing of the
     * file, so the message must not blame it. */
    return oc_error_set(error, OC_ERROR_IO,
                        "%s: the store reader was stopped by a signal (%s, signal %d) before "
                        "it finished; this says nothing about the file",
                        path, strsignal(signal_number), signal_number);
}

static void send_part(void *context, const oc__store_frame *frame, int part)
{
    send_record(context, &(message_record){(uint64_t)(1 + part), frame, 0, NULL});
}

/* In the child: opens the store, sending each part as it is loaded, and
 * exits without the atexit handlers and stdio buffers it shares with the
 * host (nor freeing what the process's end frees faster). */
static _Noreturn void answer_reading(const char *path, int descriptor, int without_area_names)
{
    record_sink sink = {descriptor, NULL, 0, 0, 0};
    send_start(&sink);
    oc__store *store = NULL;
    oc_error error;
    int status = oc__store_open_telling(path, without_area_names, send_part, &sink, &store, &error);
    send_end(&sink, store, status, status == OC_OK ? NULL : error.message);
    _exit(sink.failed ? 1 : 0);
}

static void answer(const char *path, int descriptor)
{
    answer_reading(path, descriptor, 0);
}

static void answer_without_area_names(const char *path, int descriptor)
{
    answer_reading(path, descriptor, 1);
}

int oc__store_open_contained(const char *path, oc__store **store, oc_error *error)
{
    return oc__store_open_answered_by(path, answer, OC__STORE_READER_SILENCE_SECONDS * 1000, store,
                                      error);
}

/* Puts SIGCHLD's action back as it was before the reader was forked,
 * when the reader was started by oc__store_open_answered_by; a reader
 * from oc__store_open_contained_start leaves it to its caller (see
 * store.h), so that readers may finish in any order. */
static void restore_sigchld(const oc__store_pending *pending)
{
    if (pending->restores_sigchld)
        sigaction(SIGCHLD, &pending->saved, NULL);
}

/* Waits for the answer of the reader start_reader forked (or, when none
 * could be, opens the store here), and reaps the reader unless the
 * store now does. */
static int finish_reader(oc__store_pending *pending, int silence_limit_milliseconds,
                         oc__store **store, oc_error *error)
{
    *store = NULL;
    const char *path = pending->path;
    pid_t child = pending->child;
    pending->child = -1;
    if (child < 0)
        return oc__store_open_telling(path, pending->without_area_names, NULL, NULL, store, error);
    int descriptor = pending->descriptor;
    pending->descriptor = -1;
    rebuild_end end;
    int status = receive(path, descriptor, silence_limit_milliseconds, store, &end, error);
    close(descriptor);
    /* A whole answer is final, whatever the reader does next: it was done
     * with HDF5 when it sent it. Its exit (unmapping what HDF5 used, about
     * a millisecond at national size) overlaps the host's planning: the
     * store reaps it when it closes. */
    if (status == OC_OK) {
        (*store)->reader = child;
        restore_sigchld(pending);
        return OC_OK;
    }
    /* Otherwise the reader's end says why, when the answer stopped short. */
    if (!end.cut_short)
        kill(child, SIGKILL);
    if (end.given_up) {
        /* Not waited for: a reader stuck on a disk that does not answer
         * cannot die until it does. It was made to die with the host. */
        restore_sigchld(pending);
        return status;
    }
    int exit_status = 0;
    oc_error wait_error;
    int waited = oc__store_wait_reader(child, path, &exit_status, &wait_error);
    restore_sigchld(pending);
    if (!end.cut_short)
        return status;
    if (waited != OC_OK)
        return oc_error_set(error, waited, "%s", wait_error.message);
    if (exit_status != 0)
        return oc_error_set(error, OC_ERROR_IO,
                            "%s: the store reader exited with status %d before it answered", path,
                            exit_status);
    return status;
}

/* Forks the reader; pending->child is -1 when no process could be
 * started (the store is then opened in the caller when finished). */
static void start_reader(const char *path, void (*reader)(const char *path, int descriptor),
                         int restores_sigchld, oc__store_pending *pending)
{
    pending->path = path;
    pending->child = -1;
    pending->descriptor = -1;
    pending->restores_sigchld = restores_sigchld;
    pending->without_area_names = reader == answer_without_area_names;
    int ends[2];
    /* close-on-exec: nothing the host starts later (a plugin's trial load,
     * what a plugin's constructor runs) needs the reader's pipe */
    if (pipe2(ends, O_CLOEXEC) != 0)
        return;
    /* The pipe's default 64 KiB would pass a national frame's names in a
     * dozen turns of the two processes; where Linux allows, in one. */
#ifdef F_SETPIPE_SZ
    fcntl(ends[1], F_SETPIPE_SZ, 1 << 20);
#endif
    pid_t child = oc__store_fork_reader(&pending->saved);
    if (child == 0) {
        close(ends[0]);
        /* The reader prints nothing of its own (a failure is a record);
         * what the C library says as it aborts on a damaged file
         * ("free(): double free detected in tcache 2") must not precede
         * the host's one line. */
        int null_fd = ends[1] != STDERR_FILENO ? open("/dev/null", O_WRONLY) : -1;
        if (null_fd >= 0 && null_fd != STDERR_FILENO) {
            dup2(null_fd, STDERR_FILENO);
            close(null_fd);
        }
        reader(path, ends[1]);
        _exit(1); /* a reader returns only by mistake */
    }
    close(ends[1]);
    if (child < 0) {
        close(ends[0]);
        restore_sigchld(pending);
        return;
    }
    pending->child = child;
    pending->descriptor = ends[0];
}

void oc__store_open_contained_start(const char *path, int without_area_names,
                                    oc__store_pending *pending)
{
    start_reader(path, without_area_names ? answer_without_area_names : answer, 0, pending);
}

/* How long abandoning waits for a killed reader to be gone: one stuck on
 * a disk that does not answer cannot die until it does, and was made to
 * die with the host anyway. */
#define ABANDON_WAIT_MILLISECONDS 1000

void oc__store_open_contained_abandon(oc__store_pending *pending)
{
    if (pending->child <= 0)
        return;
    close(pending->descriptor);
    kill(pending->child, SIGKILL);
    for (int waited = 0; waited < ABANDON_WAIT_MILLISECONDS; waited++) {
        pid_t got = waitpid(pending->child, NULL, WNOHANG);
        if (got == pending->child || (got < 0 && errno != EINTR))
            break;
        struct timespec pause = {0, 1000000L};
        nanosleep(&pause, NULL);
    }
    restore_sigchld(pending);
    pending->child = -1;
    pending->descriptor = -1;
}

int oc__store_open_contained_finish(oc__store_pending *pending, oc__store **store,
                                    oc_error *error)
{
    return finish_reader(pending, OC__STORE_READER_SILENCE_SECONDS * 1000, store, error);
}

int oc__store_open_answered_by(const char *path, void (*reader)(const char *path, int descriptor),
                               int silence_limit_milliseconds, oc__store **store,
                               oc_error *error)
{
    oc__store_pending pending;
    start_reader(path, reader, 1, &pending);
    return finish_reader(&pending, silence_limit_milliseconds, store, error);
}
