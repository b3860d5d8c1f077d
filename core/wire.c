/*
 * wire.c: encoder and validating decoder of the result stream described in
 * wire.h. The writer and the reader both go through the fields in the
 * order of OC__RESULT_FIELDS (core/result.h), so they cannot disagree.
 */
#define _GNU_SOURCE /* mremap */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compiler.h"
#include "wire.h"

static const unsigned char stream_magic[4] = {'O', 'C', 'W', 'R'};
#define NULL_STRING_LENGTH 0xFFFFFFFFu
#define SAME_STRING_LENGTH 0xFFFFFFFEu

enum field_kind { FIELD_STRING, FIELD_DOUBLE, FIELD_STATUS };

/* The oc__result fields in wire order (the documented order). */
static const struct {
    enum field_kind kind;
    size_t offset;
    const char *name;
} result_fields[] = {
#define STRING_FIELD(member) {FIELD_STRING, offsetof(oc__result, member), #member},
#define DOUBLE_FIELD(member) {FIELD_DOUBLE, offsetof(oc__result, member), #member},
#define STATUS_FIELD(member) {FIELD_STATUS, offsetof(oc__result, member), #member},
    OC__RESULT_FIELDS(STRING_FIELD, DOUBLE_FIELD, STATUS_FIELD)
#undef STRING_FIELD
#undef DOUBLE_FIELD
#undef STATUS_FIELD
};
#define RESULT_FIELD_COUNT (sizeof result_fields / sizeof result_fields[0])

/* ---- little-endian encoding ---- */

/* On a little-endian machine (every one outcomes is built for today) a
 * field is one load or store; the byte loops are the portable definition.
 * A national run reads some 20 million fields. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_LITTLE_ENDIAN 1
#else
#define NATIVE_LITTLE_ENDIAN 0
#endif

static void put_u32(unsigned char *out, uint32_t value)
{
    if (NATIVE_LITTLE_ENDIAN) {
        memcpy(out, &value, sizeof value);
        return;
    }
    for (int i = 0; i < 4; i++)
        out[i] = (unsigned char)(value >> (8 * i));
}

static void put_u64(unsigned char *out, uint64_t value)
{
    if (NATIVE_LITTLE_ENDIAN) {
        memcpy(out, &value, sizeof value);
        return;
    }
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(value >> (8 * i));
}

static uint32_t get_u32(const unsigned char *in)
{
    uint32_t value = 0;
    if (NATIVE_LITTLE_ENDIAN) {
        memcpy(&value, in, sizeof value);
        return value;
    }
    for (int i = 0; i < 4; i++)
        value |= (uint32_t)in[i] << (8 * i);
    return value;
}

static uint64_t get_u64(const unsigned char *in)
{
    uint64_t value = 0;
    if (NATIVE_LITTLE_ENDIAN) {
        memcpy(&value, in, sizeof value);
        return value;
    }
    for (int i = 0; i < 8; i++)
        value |= (uint64_t)in[i] << (8 * i);
    return value;
}

static uint64_t double_bits(double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static double bits_double(uint64_t bits)
{
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* ---- writer ---- */

/* Most bytes a writer keeps waiting for a busy reader before it waits
 * itself. */
#define WAITING_MAX (64u * 1024u * 1024u)

/* Writes what it can of data without blocking; returns the bytes written
 * (0 when a non-blocking pipe is full), or -1 with error set. */
static ssize_t write_some(oc__wire_writer *writer, const unsigned char *data, size_t size,
                          oc_error *error)
{
    for (;;) {
        ssize_t written = write(writer->fd, data, size);
        if (written >= 0)
            return written;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        if (errno != EINTR) {
            oc_error_set(error, OC_ERROR_IO, "cannot send results to the host: %s",
                         strerror(errno));
            return -1;
        }
    }
}

/* Writes out the bytes kept waiting: all of them, waiting for the reader
 * when block is set; else what the pipe takes now. */
static int send_waiting(oc__wire_writer *writer, int block, oc_error *error)
{
    size_t sent = 0;
    int status = OC_OK;
    while (sent < writer->waiting_length) {
        ssize_t written = write_some(writer, writer->waiting + sent,
                                     writer->waiting_length - sent, error);
        if (written < 0) {
            status = OC_ERROR_IO;
            break;
        }
        if (written == 0) {
            if (!block)
                break;
            struct pollfd ready = {writer->fd, POLLOUT, 0};
            if (poll(&ready, 1, -1) < 0 && errno != EINTR) {
                status = oc_error_set(error, OC_ERROR_IO, "cannot send results to the host: %s",
                                      strerror(errno));
                break;
            }
            continue;
        }
        sent += (size_t)written;
    }
    writer->waiting_length -= sent;
    if (sent > 0 && writer->waiting_length > 0)
        memmove(writer->waiting, writer->waiting + sent, writer->waiting_length);
    return status;
}

/* Sends data after everything already waiting. On a non-blocking pipe
 * whose reader is busy (the host writing an earlier job's results to the
 * output file), what the pipe will not take is kept in writer->waiting and
 * the job goes on computing; past WAITING_MAX it waits for the reader. On
 * a blocking descriptor (a file) everything is written at once. */
static int write_all(oc__wire_writer *writer, const unsigned char *data, size_t size,
                     oc_error *error)
{
    int status = send_waiting(writer, writer->waiting_length + size > WAITING_MAX, error);
    while (status == OC_OK && size > 0 && writer->waiting_length == 0) {
        ssize_t written = write_some(writer, data, size, error);
        if (written < 0)
            return OC_ERROR_IO;
        if (written == 0)
            break;
        data += written;
        size -= (size_t)written;
    }
    if (status != OC_OK || size == 0)
        return status;
    if (writer->waiting_length + size > writer->waiting_capacity) {
        size_t capacity = writer->waiting_capacity ? writer->waiting_capacity : 1u << 20;
        while (capacity < writer->waiting_length + size)
            capacity *= 2;
        unsigned char *grown = realloc(writer->waiting, capacity);
        if (grown == NULL) { /* no room to keep it: wait for the reader instead */
            status = send_waiting(writer, 1, error);
            return status == OC_OK ? write_all(writer, data, size, error) : status;
        }
        writer->waiting = grown;
        writer->waiting_capacity = capacity;
    }
    memcpy(writer->waiting + writer->waiting_length, data, size);
    writer->waiting_length += size;
    return OC_OK;
}

static void put_record_header(unsigned char *out, int type, uint32_t payload_length)
{
    out[0] = (unsigned char)type;
    out[1] = out[2] = out[3] = 0;
    put_u32(out + 4, payload_length);
}

/* The buffer is full: hand it on without waiting for the reader. */
static int send_buffer(oc__wire_writer *writer, oc_error *error)
{
    size_t length = writer->buffered;
    writer->buffered = 0;
    return write_all(writer, writer->buffer, length, error);
}

int oc__wire_writer_flush(oc__wire_writer *writer, oc_error *error)
{
    int status = send_buffer(writer, error);
    if (status == OC_OK)
        status = send_waiting(writer, 1, error);
    free(writer->waiting);
    writer->waiting = NULL;
    writer->waiting_length = writer->waiting_capacity = 0;
    return status;
}

/* Space for size more bytes at the end of the buffer, writing it out
 * first if needed; NULL (with *status set) when size never fits it. */
static unsigned char *reserve(oc__wire_writer *writer, size_t size, int *status, oc_error *error)
{
    *status = OC_OK;
    if (size > sizeof writer->buffer - writer->buffered)
        *status = send_buffer(writer, error);
    if (*status != OC_OK || size > sizeof writer->buffer)
        return NULL;
    unsigned char *space = writer->buffer + writer->buffered;
    writer->buffered += size;
    return space;
}

/* Adds a record of size bytes (encoded by the caller in data). */
static int add_bytes(oc__wire_writer *writer, const unsigned char *data, size_t size,
                     oc_error *error)
{
    int status;
    unsigned char *space = reserve(writer, size, &status, error);
    if (space != NULL)
        memcpy(space, data, size);
    else if (status == OC_OK)
        status = write_all(writer, data, size, error); /* larger than the whole buffer */
    return status;
}

int oc__wire_writer_begin(oc__wire_writer *writer, int fd, oc_error *error)
{
    writer->fd = fd;
    writer->record_count = 0;
    writer->finished = 0;
    writer->buffered = 0;
    writer->waiting = NULL;
    writer->waiting_length = writer->waiting_capacity = 0;
    for (size_t slot = 0; slot < OC__RESULT_STRING_COUNT; slot++)
        writer->previous[slot].length = SIZE_MAX;
    unsigned char header[OC__WIRE_HEADER_SIZE];
    memcpy(header, stream_magic, 4);
    header[4] = OC__WIRE_VERSION & 0xFF;
    header[5] = OC__WIRE_VERSION >> 8;
    header[6] = header[7] = 0;
    /* Written at once: the host knows the stream has begun even if the job
     * dies before its first flush. */
    int status = add_bytes(writer, header, sizeof header, error);
    if (status == OC_OK)
        status = oc__wire_writer_flush(writer, error);
    return status;
}

static const char *const *string_at(const oc__result *result, size_t offset)
{
    return (const char *const *)((const char *)result + offset);
}

/* How a string field goes on the wire: its length, or one of these. */
#define SENT_AS_NULL SIZE_MAX
#define SENT_AS_SAME (SIZE_MAX - 1)

/* sent: each string field's length as oc__wire_write_result measured it
 * (a national run encodes some 7 million strings), or SENT_AS_NULL or
 * SENT_AS_SAME. Remembers the strings for the next record. */
static void encode_result(oc__wire_writer *writer, const oc__result *result, const size_t *sent,
                          size_t payload_length, unsigned char *record)
{
    put_record_header(record, OC__WIRE_RESULT, (uint32_t)payload_length);
    unsigned char *out = record + OC__WIRE_RECORD_HEADER_SIZE;
    for (size_t i = 0, slot = 0; i < RESULT_FIELD_COUNT; i++) {
        const char *base = (const char *)result + result_fields[i].offset;
        switch (result_fields[i].kind) {
        case FIELD_STRING: {
            const char *text = *(const char *const *)base;
            size_t length = sent[i];
            if (length == SENT_AS_NULL || length == SENT_AS_SAME) {
                put_u32(out, length == SENT_AS_NULL ? NULL_STRING_LENGTH : SAME_STRING_LENGTH);
                out += 4;
            } else {
                put_u32(out, (uint32_t)length);
                memcpy(out + 4, text, length);
                out[4 + length] = '\0';
                out += 5 + length;
            }
            if (length == SENT_AS_SAME) {
                /* remembered already */
            } else if (length == SENT_AS_NULL || length > OC__WIRE_REMEMBERED_STRING_MAX) {
                writer->previous[slot].length = SIZE_MAX;
            } else {
                memcpy(writer->previous[slot].text, text, length);
                writer->previous[slot].length = length;
            }
            slot++;
            break;
        }
        case FIELD_DOUBLE:
            put_u64(out, double_bits(*(const double *)base));
            out += 8;
            break;
        case FIELD_STATUS:
            put_u32(out, (uint32_t)*(const oc__result_status *)base);
            out += 4;
            break;
        }
    }
}

int oc__wire_write_result(oc__wire_writer *writer, const oc__result *result, oc_error *error)
{
    if (writer->finished)
        return oc_error_set(error, OC_ERROR_INVALID, "result written after the end of the stream");
    size_t payload_length = 0;
    size_t sent[RESULT_FIELD_COUNT];
    for (size_t i = 0, slot = 0; i < RESULT_FIELD_COUNT; i++) {
        if (result_fields[i].kind != FIELD_STRING) {
            payload_length += result_fields[i].kind == FIELD_DOUBLE ? 8 : 4;
            continue;
        }
        const char *text = *string_at(result, result_fields[i].offset);
        size_t remembered = writer->previous[slot++].length;
        if (text == NULL) {
            sent[i] = SENT_AS_NULL;
            payload_length += 4;
            continue;
        }
        size_t length = strlen(text);
        if (length > OC__WIRE_STRING_MAX)
            return oc_error_set(error, OC_ERROR_INVALID,
                                "result field '%s' is %zu bytes long, more than the %u allowed",
                                result_fields[i].name, length, OC__WIRE_STRING_MAX);
        if (length == remembered && memcmp(text, writer->previous[slot - 1].text, length) == 0) {
            sent[i] = SENT_AS_SAME;
            payload_length += 4;
        } else {
            sent[i] = length;
            payload_length += 5 + length;
        }
    }
    if (payload_length > OC__WIRE_RECORD_MAX)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "result record of %zu bytes exceeds the %u-byte limit",
                            payload_length, OC__WIRE_RECORD_MAX);

    size_t size = OC__WIRE_RECORD_HEADER_SIZE + payload_length;
    int status;
    unsigned char *space = reserve(writer, size, &status, error);
    if (space != NULL) {
        encode_result(writer, result, sent, payload_length, space);
    } else if (status == OC_OK) {
        /* Larger than the whole buffer (long messages): encoded on its own. */
        unsigned char *record = malloc(size);
        if (record == NULL)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory encoding a result");
        encode_result(writer, result, sent, payload_length, record);
        status = write_all(writer, record, size, error);
        free(record);
    }
    if (status == OC_OK)
        writer->record_count++;
    return status;
}

/* Adds the final record and writes everything out. */
static int finish(oc__wire_writer *writer, const unsigned char *record, size_t size,
                  oc_error *error)
{
    writer->finished = 1;
    int status = add_bytes(writer, record, size, error);
    if (status == OC_OK)
        status = oc__wire_writer_flush(writer, error);
    return status;
}

int oc__wire_write_end(oc__wire_writer *writer, oc_error *error)
{
    if (writer->finished)
        return oc_error_set(error, OC_ERROR_INVALID, "stream ended twice");
    unsigned char record[OC__WIRE_RECORD_HEADER_SIZE + 8];
    put_record_header(record, OC__WIRE_END, 8);
    put_u64(record + OC__WIRE_RECORD_HEADER_SIZE, writer->record_count);
    return finish(writer, record, sizeof record, error);
}

int oc__wire_write_error(oc__wire_writer *writer, int status, const char *message,
                         oc_error *error)
{
    if (writer->finished)
        return oc_error_set(error, OC_ERROR_INVALID, "stream ended twice");
    if (message == NULL)
        message = "";
    size_t length = strlen(message);
    if (length > OC__WIRE_STRING_MAX)
        length = OC__WIRE_STRING_MAX;
    unsigned char record[OC__WIRE_RECORD_HEADER_SIZE + 9 + OC__WIRE_STRING_MAX];
    put_record_header(record, OC__WIRE_ERROR, (uint32_t)(9 + length));
    put_u32(record + OC__WIRE_RECORD_HEADER_SIZE, (uint32_t)(status < 0 ? status : OC_ERROR_PLUGIN));
    put_u32(record + OC__WIRE_RECORD_HEADER_SIZE + 4, (uint32_t)length);
    memcpy(record + OC__WIRE_RECORD_HEADER_SIZE + 8, message, length);
    record[OC__WIRE_RECORD_HEADER_SIZE + 8 + length] = '\0';
    return finish(writer, record, OC__WIRE_RECORD_HEADER_SIZE + 9 + length, error);
}

/* ---- reader ---- */

/* Bytes given to the reader at a time by oc__wire_reader_feed: garbage is
 * refused within its first chunk, however much of it there is. */
#define FEED_CHUNK 65536

/* A stream lives in a mapping of its own that forked children do not
 * inherit (MADV_DONTFORK), grown by mremap: the host forks a job while
 * it reads others' streams, and in memory a child shared, every page the
 * host wrote next would be copied first (copy-on-write: tens of thousands
 * of page faults in a national run). Growing moves pages, not bytes. */
#if OC__WIRE_STREAM_MAPPED
static unsigned char *stream_memory_resize(unsigned char *memory, size_t capacity,
                                           size_t new_capacity)
{
    void *resized = memory == NULL
                        ? mmap(NULL, new_capacity, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                        : mremap(memory, capacity, new_capacity, MREMAP_MAYMOVE);
    if (resized == MAP_FAILED)
        return NULL;
    if (memory == NULL)
        (void)madvise(resized, new_capacity, MADV_DONTFORK); /* best effort */
    return resized;
}

static void stream_memory_free(unsigned char *memory, size_t capacity)
{
    if (memory != NULL)
        munmap(memory, capacity);
}
#else
static unsigned char *stream_memory_resize(unsigned char *memory, size_t capacity,
                                           size_t new_capacity)
{
    (void)capacity;
    return realloc(memory, new_capacity);
}

static void stream_memory_free(unsigned char *memory, size_t capacity)
{
    (void)capacity;
    free(memory);
}
#endif

void oc__wire_reader_init(oc__wire_reader *reader)
{
    memset(reader, 0, sizeof *reader);
}

void oc__wire_reader_reset(oc__wire_reader *reader)
{
    unsigned char *buffer = reader->buffer;
    size_t capacity = reader->capacity;
    free(reader->job_message);
    memset(reader, 0, sizeof *reader);
    reader->buffer = buffer;
    reader->capacity = capacity;
}

void oc__wire_reader_free(oc__wire_reader *reader)
{
    stream_memory_free(reader->buffer, reader->capacity);
    free(reader->job_message);
    memset(reader, 0, sizeof *reader);
}

static int reader_fail(oc__wire_reader *reader, oc_error *error, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int reader_fail(oc__wire_reader *reader, oc_error *error, const char *format, ...)
{
    reader->broken = 1;
    if (error != NULL) {
        va_list args;
        va_start(args, format);
        error->status = OC_ERROR_FORMAT;
        vsnprintf(error->message, sizeof error->message, format, args);
        va_end(args);
    }
    return OC_ERROR_FORMAT;
}

/* A cursor over one record's payload; every read is bounds-checked. */
typedef struct payload_cursor {
    const unsigned char *data;
    size_t remaining;
} payload_cursor;

/* Steps over the next string: *text points at it inside the record (NULL
 * for a NULL string), or is *same for "the same as the previous record"
 * (refused when same is NULL: no previous record, or not a RESULT's
 * field). verify: whether to look for NULs, which a record read a second
 * time need not. Returns 0, or -1 with a reason in *problem.
 * Inlined into read_result, once for each string field (a national run
 * steps over 13 million strings, twice): as a call, passing the cursor
 * through memory, it was an eighth of the host's instructions. */
static ALWAYS_INLINE int take_string(payload_cursor *cursor, const char **text,
                                     const char *const *same, int verify, const char **problem)
{
    *text = NULL;
    if (cursor->remaining < 4) {
        *problem = "string length runs past the end of the record";
        return -1;
    }
    uint32_t declared = get_u32(cursor->data);
    cursor->data += 4;
    cursor->remaining -= 4;
    if (declared == NULL_STRING_LENGTH)
        return 0;
    if (declared == SAME_STRING_LENGTH) {
        if (same == NULL) {
            *problem = "repeats the previous result's string, but there is none";
            return -1;
        }
        *text = *same;
        return 0;
    }
    if (declared > OC__WIRE_STRING_MAX) {
        *problem = "string longer than the 65535-byte limit";
        return -1;
    }
    if (declared >= cursor->remaining) {
        *problem = "string runs past the end of the record";
        return -1;
    }
    if (verify) {
        const unsigned char *nul = memchr(cursor->data, '\0', (size_t)declared + 1);
        if (nul != cursor->data + declared) {
            *problem = nul != NULL ? "string contains a NUL byte" : "string does not end with NUL";
            return -1;
        }
    }
    *text = (const char *)cursor->data;
    cursor->data += declared + 1;
    cursor->remaining -= declared + 1;
    return 0;
}

/* Reads a RESULT payload into *view, its strings pointing into the
 * payload, or for "the same" to previous's (NULL: there is no previous
 * record). Returns 0, or -1 with a reason in *problem and the field it
 * concerns in *field (RESULT_FIELD_COUNT: bytes left over after the last).
 * Written out field by field (a national run reads 13 million records,
 * twice) rather than as a loop over result_fields. */
static inline int read_result(const unsigned char *payload, size_t length,
                              const oc__result *previous, oc__result *view, int verify,
                              const char **problem, size_t *field)
{
    payload_cursor cursor = {payload, length};
    size_t index = 0;
    const char *text;
    *problem = NULL;
#define READ_STRING(member)                                                                     \
    if (take_string(&cursor, &text,                                                            \
                    previous != NULL ? (const char *const *)&previous->member : NULL, verify,   \
                    problem) != 0) {                                                           \
        *field = index;                                                                        \
        return -1;                                                                             \
    }                                                                                          \
    view->member = (char *)text; /* read-only: see oc__wire_reader_next_result */              \
    index++;
#define READ_NUMBER(member)                                                                     \
    if (cursor.remaining < 8) {                                                                \
        *problem = "number runs past the end of the record";                                   \
        *field = index;                                                                        \
        return -1;                                                                             \
    }                                                                                          \
    view->member = bits_double(get_u64(cursor.data));                                          \
    cursor.data += 8;                                                                          \
    cursor.remaining -= 8;                                                                     \
    index++;
#define READ_STATUS(member)                                                                     \
    if (cursor.remaining < 4 || get_u32(cursor.data) > OC_RESULT_FAILED) {                     \
        *problem = cursor.remaining < 4 ? "status runs past the end of the record"             \
                                        : "unknown result status";                             \
        *field = index;                                                                        \
        return -1;                                                                             \
    }                                                                                          \
    view->member = (oc__result_status)get_u32(cursor.data);                                    \
    cursor.data += 4;                                                                          \
    cursor.remaining -= 4;                                                                     \
    index++;
    OC__RESULT_FIELDS(READ_STRING, READ_NUMBER, READ_STATUS)
#undef READ_STRING
#undef READ_NUMBER
#undef READ_STATUS
    view->text_block = NULL;
    if (cursor.remaining != 0) {
        *field = RESULT_FIELD_COUNT;
        *problem = "bytes left over";
        return -1;
    }
    return 0;
}

static int check_result(oc__wire_reader *reader, const unsigned char *payload, size_t length,
                        oc_error *error)
{
    /* Strings that repeat the previous record's were checked with it: the
     * check needs only to know that there is one. */
    static const oc__result any_previous;
    oc__result view;
    const char *problem;
    size_t field;
    unsigned long long number = (unsigned long long)reader->record_count + 1;
    if (read_result(payload, length, reader->record_count > 0 ? &any_previous : NULL, &view, 1,
                    &problem, &field) != 0) {
        if (field == RESULT_FIELD_COUNT)
            return reader_fail(reader, error,
                               "result record %llu has bytes left over after its last field",
                               number);
        return reader_fail(reader, error, "result record %llu, field '%s': %s", number,
                           result_fields[field].name, problem);
    }
    reader->record_count++;
    return OC_OK;
}

static int check_end(oc__wire_reader *reader, const unsigned char *payload, size_t length,
                     oc_error *error)
{
    if (length != 8)
        return reader_fail(reader, error, "END record has %zu bytes, expected 8", length);
    uint64_t count = get_u64(payload);
    if (count != reader->record_count)
        return reader_fail(reader, error, "END record counts %llu results but %llu arrived",
                           (unsigned long long)count, (unsigned long long)reader->record_count);
    reader->ended = 1;
    return OC_OK;
}

static int check_error(oc__wire_reader *reader, const unsigned char *payload, size_t length,
                       oc_error *error)
{
    if (length < 4)
        return reader_fail(reader, error, "ERROR record too short");
    int32_t status = (int32_t)get_u32(payload);
    payload_cursor cursor = {payload + 4, length - 4};
    const char *problem = NULL;
    const char *message;
    if (take_string(&cursor, &message, NULL, 1, &problem) != 0)
        return reader_fail(reader, error, "ERROR record: %s", problem);
    if (cursor.remaining != 0 || status >= 0)
        return reader_fail(reader, error, "ERROR record is malformed");
    char *copy = strdup(message != NULL ? message : "");
    if (copy == NULL) {
        reader->broken = 1;
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory reading results");
    }
    reader->job_failed = 1;
    reader->job_status = status;
    reader->job_message = copy;
    return OC_OK;
}

/* Checks every record completed since the last call. */
static int check_records(oc__wire_reader *reader, oc_error *error)
{
    const unsigned char *data = reader->buffer;
    size_t available = reader->length;
    if (!reader->header_seen) {
        size_t compared = available < 4 ? available : 4;
        if (memcmp(data, stream_magic, compared) != 0)
            return reader_fail(reader, error, "bad stream magic (not an outcomes result stream)");
        if (available < OC__WIRE_HEADER_SIZE)
            return OC_OK;
        unsigned version = data[4] | (unsigned)data[5] << 8;
        if (version != OC__WIRE_VERSION)
            return reader_fail(reader, error, "stream version %u, expected %u", version,
                               OC__WIRE_VERSION);
        if (data[6] != 0 || data[7] != 0)
            return reader_fail(reader, error, "stream header reserved bytes are not zero");
        reader->header_seen = 1;
        reader->checked = OC__WIRE_HEADER_SIZE;
    }
    while (reader->checked < available) {
        const unsigned char *record = data + reader->checked;
        size_t left = available - reader->checked;
        if (reader->ended || reader->job_failed)
            return reader_fail(reader, error, "data after the end of the stream");
        int type = record[0];
        if (type != OC__WIRE_RESULT && type != OC__WIRE_END && type != OC__WIRE_ERROR)
            return reader_fail(reader, error, "unknown record type %d", type);
        if (left < OC__WIRE_RECORD_HEADER_SIZE)
            return OC_OK;
        if (record[1] != 0 || record[2] != 0 || record[3] != 0)
            return reader_fail(reader, error, "record header reserved bytes are not zero");
        uint32_t payload_length = get_u32(record + 4);
        if (payload_length > OC__WIRE_RECORD_MAX)
            return reader_fail(reader, error, "record of %lu bytes exceeds the %u-byte limit",
                               (unsigned long)payload_length, OC__WIRE_RECORD_MAX);
        if (left - OC__WIRE_RECORD_HEADER_SIZE < payload_length)
            return OC_OK;
        const unsigned char *payload = record + OC__WIRE_RECORD_HEADER_SIZE;
        int status = type == OC__WIRE_RESULT ? check_result(reader, payload, payload_length, error)
                     : type == OC__WIRE_END  ? check_end(reader, payload, payload_length, error)
                                             : check_error(reader, payload, payload_length, error);
        if (status != OC_OK)
            return status;
        reader->checked += OC__WIRE_RECORD_HEADER_SIZE + payload_length;
    }
    return OC_OK;
}

int oc__wire_reader_space(oc__wire_reader *reader, size_t size, unsigned char **space,
                          oc_error *error)
{
    *space = NULL;
    if (reader->broken)
        return oc_error_set(error, OC_ERROR_FORMAT, "result stream already rejected");
    if (size > reader->capacity - reader->length) {
        size_t capacity = reader->capacity ? reader->capacity : FEED_CHUNK;
        while (capacity - reader->length < size) {
            if (capacity > SIZE_MAX / 2) {
                reader->broken = 1;
                return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory reading results");
            }
            capacity *= 2;
        }
        unsigned char *buffer = stream_memory_resize(reader->buffer, reader->capacity, capacity);
        if (buffer == NULL) {
            reader->broken = 1;
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory reading results");
        }
        reader->buffer = buffer;
        reader->capacity = capacity;
    }
    *space = reader->buffer + reader->length;
    return OC_OK;
}

int oc__wire_reader_received(oc__wire_reader *reader, size_t size, oc_error *error)
{
    if (reader->broken)
        return oc_error_set(error, OC_ERROR_FORMAT, "result stream already rejected");
    if (size > reader->capacity - reader->length)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "more bytes received than there was room for");
    if (size == 0)
        return OC_OK;
    reader->length += size;
    return check_records(reader, error);
}

int oc__wire_reader_feed(oc__wire_reader *reader, const void *data, size_t size,
                         oc_error *error)
{
    if (reader->broken)
        return oc_error_set(error, OC_ERROR_FORMAT, "result stream already rejected");
    while (size > 0) {
        size_t piece = size < FEED_CHUNK ? size : FEED_CHUNK;
        unsigned char *space;
        int status = oc__wire_reader_space(reader, piece, &space, error);
        if (status != OC_OK)
            return status;
        memcpy(space, data, piece);
        if ((status = oc__wire_reader_received(reader, piece, error)) != OC_OK)
            return status;
        data = (const unsigned char *)data + piece;
        size -= piece;
    }
    return OC_OK;
}

/* Points the cursor's last view at the stream where it is now: the same
 * offsets from its new start (as integers: the old bytes may be gone). */
static void follow_stream(oc__wire_cursor *cursor, const unsigned char *base)
{
    uintptr_t old_start = (uintptr_t)cursor->base;
#define FOLLOW(member)                                                                          \
    if (cursor->previous.member != NULL)                                                       \
        cursor->previous.member = (char *)base + ((uintptr_t)cursor->previous.member - old_start);
#define NOTHING(member)
    OC__RESULT_FIELDS(FOLLOW, NOTHING, NOTHING)
#undef FOLLOW
#undef NOTHING
    cursor->base = base;
}

int oc__wire_reader_next_result(const oc__wire_reader *reader, oc__wire_cursor *cursor,
                                oc__result *view)
{
    size_t at = cursor->position < OC__WIRE_HEADER_SIZE ? OC__WIRE_HEADER_SIZE : cursor->position;
    while (reader->header_seen && at + OC__WIRE_RECORD_HEADER_SIZE <= reader->checked) {
        const unsigned char *record = reader->buffer + at;
        size_t start = at;
        size_t payload_length = get_u32(record + 4);
        at += OC__WIRE_RECORD_HEADER_SIZE + payload_length;
        if (record[0] != OC__WIRE_RESULT)
            continue;
        /* What "same" repeats: the previous result's strings, where they
         * lie in the stream now. A result after the first needs them. */
        int first = start == OC__WIRE_HEADER_SIZE;
        if (!first && !cursor->has_previous)
            return -1;
        if (!first && cursor->base != reader->buffer)
            follow_stream(cursor, reader->buffer);
        const char *problem;
        size_t field;
        /* Checked when it arrived (check_result): fails only if the
         * stream was written into since. */
        cursor->position = at;
        if (read_result(record + OC__WIRE_RECORD_HEADER_SIZE, payload_length,
                        first ? NULL : &cursor->previous, view, 0, &problem, &field) != 0)
            return -1;
        cursor->previous = *view;
        cursor->base = reader->buffer;
        cursor->has_previous = 1;
        return 1;
    }
    cursor->position = at;
    return 0;
}

int oc__wire_reader_finish(oc__wire_reader *reader, oc_error *error)
{
    if (reader->broken)
        return oc_error_set(error, OC_ERROR_FORMAT, "result stream already rejected");
    if (!reader->header_seen && reader->length == 0)
        return reader_fail(reader, error, "no results were sent");
    if (reader->length != reader->checked)
        return reader_fail(reader, error, "stream truncated inside a record (%zu bytes left over)",
                           reader->length - reader->checked);
    if (!reader->ended && !reader->job_failed)
        return reader_fail(reader, error, "stream ended without an END record after %llu results",
                           (unsigned long long)reader->record_count);
    return OC_OK;
}

static int stream_changed(oc_error *error)
{
    return oc_error_set(error, OC_ERROR_INVALID, "a result stream changed after it was checked");
}

int oc__wire_reader_copy_results(const oc__wire_reader *reader, oc__result_list *results,
                                 oc_error *error)
{
    oc__wire_cursor cursor = {0};
    oc__result view;
    int found;
    while ((found = oc__wire_reader_next_result(reader, &cursor, &view)) == 1)
        if (oc__result_list_append_copy(results, &view) == NULL)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory reading results");
    return found == 0 ? OC_OK : stream_changed(error);
}
