/* output.c: what the three writers share (the column list, format names,
 * UTF-8 hygiene, the output buffer and the cache of escaped strings) and
 * the atomic file wrapper; see output.h. Numbers: output_number.c. */
#include "config.h"

#include <errno.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "atomic_file.h"
#include "compiler.h"
#include "direct_writer.h"
#include "output.h"
#include "utf8.h"

const char *const oc__output_column_names[] = {
#define NAME(field) #field,
    OC__RESULT_FIELDS(NAME, NAME, NAME)
#undef NAME
};
const size_t oc__output_column_count =
    sizeof oc__output_column_names / sizeof oc__output_column_names[0];
_Static_assert(sizeof oc__output_column_names / sizeof oc__output_column_names[0]
                   <= OC_OUTPUT_MAX_COLUMNS,
               "more columns than the writers keep state for");

static const char *const format_names[] = {"table", "csv", "json"};

int oc__output_format_parse(const char *name, oc__output_format *format, oc_error *error)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (name != NULL && strcmp(name, format_names[i]) == 0) {
            *format = (oc__output_format)i;
            return OC_OK;
        }
    return oc_error_set(error, OC_ERROR_INVALID,
                        "unknown output format '%s' (expected table, csv or json)",
                        name != NULL ? name : "");
}

const char *oc__output_format_name(oc__output_format format)
{
    if ((size_t)format < sizeof format_names / sizeof format_names[0])
        return format_names[format];
    return "unknown";
}

char *oc__output_valid_utf8(const char *text)
{
    static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
    size_t length = strlen(text);
    char *copy = malloc(3 * length + 1);
    if (copy == NULL)
        return NULL;
    const unsigned char *in = (const unsigned char *)text;
    char *out = copy;
    while (*in != '\0') {
        size_t sequence = oc__utf8_sequence_length(in);
        if (sequence == 0) {
            memcpy(out, replacement, 3);
            out += 3;
            in++;
        } else {
            memcpy(out, in, sequence);
            out += sequence;
            in += sequence;
        }
    }
    *out = '\0';
    return copy;
}

void oc__output_buffer_init(oc__output_buffer *buffer, FILE *stream)
{
    memset(buffer, 0, sizeof *buffer);
    buffer->stream = stream;
    buffer->limit = OC__OUTPUT_BLOCK_SIZE;
}

void oc__output_buffer_bypass_cache(oc__output_buffer *buffer)
{
    if (buffer->direct != NULL || buffer->length > 0 || fflush(buffer->stream) != 0
        || ftello(buffer->stream) != 0
        || oc__direct_writer_start(fileno(buffer->stream), &buffer->direct) != 0)
        return;
    free(buffer->data);
    buffer->data = oc__direct_writer_block(buffer->direct);
    buffer->capacity = OC__DIRECT_BLOCK_SIZE + OC__DIRECT_SLACK;
    buffer->limit = OC__DIRECT_BLOCK_SIZE;
}

static void note_write_failure(oc__output_buffer *buffer, int error_number)
{
    if (!buffer->write_failed) {
        buffer->write_failed = 1;
        buffer->write_errno = error_number;
    }
}

/* Back to writing through the stream, after everything the direct writer
 * was given; the stream is put at the end of it. */
static void stop_bypassing_cache(oc__output_buffer *buffer)
{
    int failure = oc__direct_writer_finish(buffer->direct, buffer->length);
    if (failure == 0 && fseeko(buffer->stream, 0, SEEK_END) != 0)
        failure = errno;
    if (failure != 0)
        note_write_failure(buffer, failure);
    oc__direct_writer_free(buffer->direct);
    buffer->direct = NULL;
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
    buffer->limit = OC__OUTPUT_BLOCK_SIZE;
}

/* A full block to the direct writer, the bytes past its end carried into
 * the next. After a failed write the rest goes the ordinary way, where
 * write_failed discards it and the flush reports the failure. */
static void hand_over_block(oc__output_buffer *buffer)
{
    char *next = oc__direct_writer_submit(buffer->direct, buffer->length - OC__DIRECT_BLOCK_SIZE);
    if (next == NULL) {
        stop_bypassing_cache(buffer);
        return;
    }
    buffer->data = next;
    buffer->length -= OC__DIRECT_BLOCK_SIZE;
}

static void write_block(oc__output_buffer *buffer)
{
    if (buffer->length > 0 && !buffer->write_failed
        && fwrite(buffer->data, 1, buffer->length, buffer->stream) != buffer->length)
        note_write_failure(buffer, errno);
    buffer->length = 0;
}

/* Grows data to hold at least needed bytes; 0, or -1 (and the buffer
 * marked out of memory, so that every later append does nothing). */
static int grow(oc__output_buffer *buffer, size_t needed)
{
    size_t capacity = buffer->capacity > 0 ? buffer->capacity : 2 * OC__OUTPUT_BLOCK_SIZE;
    while (capacity < needed)
        capacity *= 2;
    char *data = realloc(buffer->data, capacity);
    if (data == NULL) {
        buffer->out_of_memory = 1;
        buffer->capacity = buffer->length; /* no room: every later append comes here */
        return -1;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return 0;
}

/* Room in the direct writer's block, or NULL when the piece is larger than
 * a block's slack (then, a rare case, the rest goes the ordinary way). */
static char *room_in_block(oc__output_buffer *buffer, size_t size)
{
    if (buffer->length >= OC__DIRECT_BLOCK_SIZE)
        hand_over_block(buffer);
    if (buffer->direct != NULL && size < buffer->capacity - buffer->length)
        return buffer->data + buffer->length;
    if (buffer->direct != NULL)
        stop_bypassing_cache(buffer);
    return NULL;
}

void oc__output_buffer_append_slowly(oc__output_buffer *buffer, const char *text,
                                     size_t length)
{
    if (buffer->out_of_memory)
        return;
    if (buffer->direct != NULL) {
        char *room = room_in_block(buffer, length);
        if (room != NULL) {
            memcpy(room, text, length);
            buffer->length += length;
            return;
        }
    }
    if (buffer->length + length > buffer->capacity && grow(buffer, buffer->length + length) != 0)
        return;
    memcpy(buffer->data + buffer->length, text, length);
    buffer->length += length;
    if (buffer->length >= OC__OUTPUT_BLOCK_SIZE)
        write_block(buffer);
}

char *oc__output_buffer_make_room(oc__output_buffer *buffer, size_t size)
{
    if (buffer->out_of_memory)
        return NULL;
    if (buffer->direct != NULL) {
        char *room = room_in_block(buffer, size);
        if (room != NULL)
            return room;
    }
    if (buffer->length + size >= OC__OUTPUT_BLOCK_SIZE)
        write_block(buffer);
    if (size >= buffer->capacity - buffer->length && grow(buffer, buffer->length + size + 1) != 0)
        return NULL;
    return buffer->data + buffer->length;
}

int oc__output_buffer_flush(oc__output_buffer *buffer, const char *what, oc_error *error)
{
    if (buffer->out_of_memory)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while writing %s", what);
    if (buffer->direct != NULL)
        stop_bypassing_cache(buffer);
    else
        write_block(buffer);
    if (buffer->write_failed && buffer->write_errno != 0)
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing %s: %s", what,
                            strerror(buffer->write_errno));
    if (buffer->write_failed || ferror(buffer->stream))
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing %s", what);
    return OC_OK;
}

void oc__output_buffer_free(oc__output_buffer *buffer)
{
    if (buffer->direct != NULL)
        oc__direct_writer_free(buffer->direct); /* which owns data */
    else
        free(buffer->data);
    buffer->direct = NULL;
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
}

/* Whether any of the eight bytes in word is outside printable ASCII or
 * is '"' or '\\', all eight at once. Each test is exact as "any": a byte
 * below 0x20 borrows only once the lowest such byte is found, and a byte
 * with its top bit set is caught by the first term. */
#define BYTES_OF(value) (0x0101010101010101u * (value))
static ALWAYS_INLINE uint64_t has_zero_byte(uint64_t word)
{
    return (word - BYTES_OF(0x01)) & ~word & BYTES_OF(0x80);
}

static ALWAYS_INLINE uint64_t has_unplain_byte(uint64_t word)
{
    return (word & BYTES_OF(0x80)) | ((word - BYTES_OF(0x20)) & ~word & BYTES_OF(0x80))
           | has_zero_byte(word ^ BYTES_OF('"')) | has_zero_byte(word ^ BYTES_OF('\\'))
           | has_zero_byte(word ^ BYTES_OF(0x7f));
}

static int is_plain_byte(unsigned char byte)
{
    return byte >= 0x20 && byte <= 0x7e && byte != '"' && byte != '\\';
}

/* Printable ASCII without '"' or '\\': both JSON (jansson) and CSV
 * (libcsv) write such a string as itself between double quotes. Area
 * names are new with every area, so a national run met them as cache
 * misses 130,000 times, each a jansson or libcsv call. The length, or
 * (size_t)-1 for any other string. Checked eight bytes at a time (the
 * last word overlapping the one before), never past the NUL: a byte at a
 * time, it was 5% of the host in perf. */
static size_t plain_length(const char *text)
{
    size_t length = strlen(text);
    if (length < 8) {
        for (size_t i = 0; i < length; i++)
            if (!is_plain_byte((unsigned char)text[i]))
                return (size_t)-1;
        return length;
    }
    uint64_t word, unplain = 0;
    for (size_t i = 0; i + 8 < length; i += 8) {
        memcpy(&word, text + i, 8);
        unplain |= has_unplain_byte(word);
    }
    memcpy(&word, text + length - 8, 8);
    unplain |= has_unplain_byte(word);
    return unplain != 0 ? (size_t)-1 : length;
}

/* Keeps the written form of the text just appended (length bytes at
 * written), for the next repeat of its address; or nothing, when it is
 * too long. */
static void keep_written(oc__output_cache *cache, const char *written, size_t length)
{
    cache->last_written_length = 0;
    if (length > OC__OUTPUT_WRITTEN_MAX)
        return;
    memcpy(cache->last_written, written, length);
    cache->last_written_length = length;
}

/* Keeps text, plain and short enough, as the last text written: quoted
 * where a repeat is copied from (and the first writing copies it from
 * there too). */
static void keep_quoted(oc__output_cache *cache, const char *text, size_t plain)
{
    cache->last_text = text;
    cache->last_plain_length = plain;
    cache->last_written[0] = '"';
    memcpy(cache->last_written + 1, text, plain);
    cache->last_written[plain + 1] = '"';
    cache->last_written_length = plain + 2;
}

/* Appends the escaped form of text to buffer, text's plain length (or
 * (size_t)-1) already known: written directly when the text is plain
 * (see plain_length), else remembered, or made by escape and then
 * remembered; and keeps it as the text written last. -1 when out of
 * memory. */
static int append_measured(oc__output_cache *cache, const char *text, size_t plain,
                           oc__output_escape_function escape, oc__output_buffer *buffer)
{
    int repeated = text == cache->last_text;
    if (plain != (size_t)-1) {
        if (plain + 2 <= OC__OUTPUT_WRITTEN_MAX) {
            keep_quoted(cache, text, plain);
            oc__output_buffer_append(buffer, cache->last_written, plain + 2);
            return 0;
        }
        cache->last_text = text;
        cache->last_plain_length = plain;
        cache->last_written_length = 0;
        char *room = oc__output_buffer_reserve(buffer, plain + 2);
        if (room != NULL) { /* else out of memory, which the flush reports */
            room[0] = '"';
            memcpy(room + 1, text, plain);
            room[plain + 1] = '"';
            oc__output_buffer_commit(buffer, plain + 2);
        }
        return 0;
    }
    cache->last_text = NULL; /* until entries[last] holds this text's form */
    for (size_t step = 0; step < OC_OUTPUT_CACHE_ENTRIES; step++) {
        size_t i = (cache->last + step) % OC_OUTPUT_CACHE_ENTRIES;
        /* The last text's entry is looked at first, and its address is enough. */
        if (cache->entries[i].text != NULL
            && ((repeated && step == 0) || strcmp(cache->entries[i].text, text) == 0)) {
            oc__output_buffer_append(buffer, cache->entries[i].escaped,
                                     cache->entries[i].escaped_length);
            cache->last = i;
            cache->last_text = text;
            cache->last_plain_length = (size_t)-1;
            keep_written(cache, cache->entries[i].escaped, cache->entries[i].escaped_length);
            return 0;
        }
    }
    char *escaped, *copy = strdup(text);
    size_t length;
    if (copy == NULL || escape(text, &escaped, &length) != 0) {
        free(copy);
        cache->last_written_length = 0;
        return -1;
    }
    oc__output_buffer_append(buffer, escaped, length);
    size_t slot = cache->next;
    cache->next = (slot + 1) % OC_OUTPUT_CACHE_ENTRIES;
    cache->last = slot;
    cache->last_text = text;
    cache->last_plain_length = (size_t)-1;
    keep_written(cache, escaped, length);
    free(cache->entries[slot].text);
    free(cache->entries[slot].escaped);
    cache->entries[slot].text = copy;
    cache->entries[slot].escaped = escaped;
    cache->entries[slot].escaped_length = length;
    return 0;
}

int oc__output_cache_put_slowly(oc__output_cache *cache, const char *text,
                                oc__output_escape_function escape, oc__output_buffer *buffer,
                                char **at, size_t room)
{
    /* A short plain text (a new indicator, signal or message at every
     * result) goes straight into the row's room, which has
     * OC__OUTPUT_WRITTEN_MAX bytes for it. */
    size_t plain = text == cache->last_text ? cache->last_plain_length : plain_length(text);
    if (plain != (size_t)-1 && plain + 2 <= OC__OUTPUT_WRITTEN_MAX) {
        keep_quoted(cache, text, plain);
        memcpy(*at, cache->last_written, OC__OUTPUT_WRITTEN_MAX);
        *at += plain + 2;
        return 0;
    }
    oc__output_buffer_commit_to(buffer, *at);
    if (append_measured(cache, text, plain, escape, buffer) != 0)
        return -1;
    *at = oc__output_buffer_reserve(buffer, room);
    return *at != NULL ? 0 : -1;
}

void oc__output_cache_forget_addresses(oc__output_cache *cache)
{
    cache->last_text = NULL;
    cache->last_written_length = 0;
}

void oc__output_cache_free(oc__output_cache *cache)
{
    for (size_t i = 0; i < OC_OUTPUT_CACHE_ENTRIES; i++) {
        free(cache->entries[i].text);
        free(cache->entries[i].escaped);
    }
    memset(cache, 0, sizeof *cache);
}

size_t oc__output_terminal_width(FILE *stream)
{
    int descriptor = fileno(stream);
    if (descriptor < 0 || !isatty(descriptor))
        return 0;
    struct winsize size;
    if (ioctl(descriptor, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    const char *columns = getenv("COLUMNS");
    if (columns != NULL) {
        char *end;
        long parsed = strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && parsed > 0 && parsed < 10000)
            return (size_t)parsed;
    }
    return 80;
}

int oc__output_write(FILE *stream, oc__output_format format, const oc__manifest *manifest,
                     const oc__result_list *results, size_t width, oc_error *error)
{
    switch (format) {
    case OC_OUTPUT_TABLE:
        return oc__output_write_table(stream, manifest, results, width, error);
    case OC_OUTPUT_CSV:
    case OC_OUTPUT_JSON: {
        oc__output_writer *writer;
        int status = oc__output_writer_begin(stream, format, &writer, error);
        if (status == OC_OK && (status = oc__output_writer_add(writer, results, error)) != OC_OK)
            oc__output_writer_free(writer);
        else if (status == OC_OK)
            status = oc__output_writer_end(writer, manifest, error);
        return status;
    }
    }
    return oc_error_set(error, OC_ERROR_INVALID, "unknown output format number %d", (int)format);
}

int oc__output_write_file(const char *path, oc__output_format format,
                          const oc__manifest *manifest, const oc__result_list *results,
                          oc_error *error)
{
    /* Reject a bad format before a temporary file exists. */
    if (strcmp(oc__output_format_name(format), "unknown") == 0)
        return oc_error_set(error, OC_ERROR_INVALID, "unknown output format number %d",
                            (int)format);
    if (path == NULL || strcmp(path, "-") == 0) {
        oc_error write_error;
        errno = 0;
        int status = oc__output_write(stdout, format, manifest, results,
                                      oc__output_terminal_width(stdout), &write_error);
        int write_errno = errno; /* a write stdio failed earlier sets it */
        if (status != OC_OK)
            return oc_error_set(error, status, "standard output: %s", write_error.message);
        errno = 0;
        if (fflush(stdout) != 0)
            write_errno = errno;
        else if (!ferror(stdout))
            return OC_OK;
        if (write_errno == 0)
            return oc_error_set(error, OC_ERROR_IO, "standard output: write failed");
        return oc_error_set(error, OC_ERROR_IO, "standard output: write failed: %s",
                            strerror(write_errno));
    }
    oc__atomic_file file;
    int status = oc__atomic_file_begin(&file, path, error);
    if (status != OC_OK)
        return status;
    oc_error write_error;
    status = oc__output_write(file.stream, format, manifest, results, 0, &write_error);
    if (status != OC_OK) {
        oc__atomic_file_abort(&file);
        return oc_error_set(error, status, "%s: %s", path, write_error.message);
    }
    return oc__atomic_file_commit(&file, error);
}
