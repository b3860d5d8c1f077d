/*
 * output.h: writing a run's results for the people and programs that read
 * them: a readable table for the terminal (the default), CSV for
 * spreadsheets and JSON (with the run manifest) for programs. The fields,
 * their order, units and the formulas behind them are documented in
 * docs/results.md; keep the two in step.
 *
 * Ownership: every function only reads the manifest and results it is
 * given; the caller owns them and the FILE*. What a writer or a cache
 * allocates is its own, freed with it (oc__output_writer_free,
 * oc__output_cache_free).
 */
#ifndef OC_OUTPUT_H
#define OC_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <outcomes/common.h>

#include "manifest.h"
#include "result.h"

typedef enum oc__output_format {
    OC_OUTPUT_TABLE = 0,
    OC_OUTPUT_CSV = 1,
    OC_OUTPUT_JSON = 2
} oc__output_format;

/* "table", "csv" or "json" (exactly, lower case) to the enum. A bad value
 * gives OC_ERROR_INVALID with a message naming it and the choices. */
int oc__output_format_parse(const char *name, oc__output_format *format, oc_error *error);

/* The static name of a format, "table", "csv" or "json". */
const char *oc__output_format_name(oc__output_format format);

/* Writes the results in `format` to path through core/atomic_file.h: the
 * file appears complete or not at all, and an existing file is untouched on
 * failure. path NULL or "-" writes to standard output instead (a table then
 * fits the terminal's width when stdout is a terminal). Errors name the
 * file. */
int oc__output_write_file(const char *path, oc__output_format format,
                          const oc__manifest *manifest, const oc__result_list *results,
                          oc_error *error);

/* Writes to an open stream. width limits table lines (0 = no limit); the
 * other formats ignore it. */
int oc__output_write(FILE *stream, oc__output_format format, const oc__manifest *manifest,
                     const oc__result_list *results, size_t width, oc_error *error);

/* ---- Writing as results arrive (JSON and CSV) ----
 *
 * A national run has some 430,000 results: they are written as jobs
 * finish, while later jobs still work, instead of all at the end. The
 * table cannot be: its column widths depend on every result.
 *
 * JSON is {"results": [...], "run": {...manifest...}}, one result per
 * line, numbers with the fewest digits that read back exactly; the run
 * record comes last because it lists the periods the results used. CSV is
 * a header row and one row per result (RFC 4180, CRLF line ends); the
 * manifest is not part of it. */

/* Writes to a stream the caller owns; allocated by begin, freed by end or
 * free. */
typedef struct oc__output_writer oc__output_writer;

/* Starts a JSON or CSV document on stream (OC_ERROR_INVALID for the
 * table). */
int oc__output_writer_begin(FILE *stream, oc__output_format format, oc__output_writer **writer,
                            oc_error *error);

/* Writes results after those already written. Errors: OC_ERROR_NO_MEMORY,
 * OC_ERROR_IO. */
int oc__output_writer_add(oc__output_writer *writer, const oc__result_list *results,
                          oc_error *error);

/* Ends the document (JSON: the run record from manifest, which may be
 * NULL), writes out everything and frees the writer. */
int oc__output_writer_end(oc__output_writer *writer, const oc__manifest *manifest,
                          oc_error *error);

/* Frees the writer without ending the document. NULL is fine. */
void oc__output_writer_free(oc__output_writer *writer);

/* A writer into a file that appears, complete, only on commit (through
 * core/atomic_file.h); errors name the file. */
typedef struct oc__output_file_writer oc__output_file_writer;

int oc__output_file_writer_begin(const char *path, oc__output_format format,
                                 oc__output_file_writer **writer, oc_error *error);
int oc__output_file_writer_add(oc__output_file_writer *writer, const oc__result_list *results,
                               oc_error *error);
/* Ends the document, renames it into place and frees the writer; on
 * failure the file is removed and an existing one left untouched. */
int oc__output_file_writer_commit(oc__output_file_writer *writer, const oc__manifest *manifest,
                                  oc_error *error);
/* Removes the unfinished file and frees the writer. NULL is fine. */
void oc__output_file_writer_abort(oc__output_file_writer *writer);

/* The human-readable table, its lines at most width display columns
 * (0 = unlimited): text columns are shortened and then the least important
 * columns dropped, with a note saying which. */
int oc__output_write_table(FILE *stream, const oc__manifest *manifest,
                           const oc__result_list *results, size_t width, oc_error *error);

/* The columns of the table to fit on a terminal: 0 when stream is not a
 * terminal (so piped output is never cut), else the terminal's width
 * (falling back to $COLUMNS, then 80). */
size_t oc__output_terminal_width(FILE *stream);

/* ---- Shared by the writers ---- */

/* The names of the JSON fields and CSV columns, in their documented
 * order (OC__RESULT_FIELDS); never more than OC_OUTPUT_MAX_COLUMNS (the
 * writers keep per-column state in arrays). */
#define OC_OUTPUT_MAX_COLUMNS 64
extern const char *const oc__output_column_names[];
extern const size_t oc__output_column_count;

/* Copies text to a new string in which every byte sequence that is not
 * valid UTF-8 is replaced by U+FFFD, so no output is ever invalid UTF-8.
 * The caller frees the copy. NULL when out of memory. */
char *oc__output_valid_utf8(const char *text);

/* The fewest significant digits, 15 to 17, with which %.*g reads back as
 * exactly value (17 always does). Only for finite numbers. */
int oc__output_shortest_precision(double value);

/* Shortest decimal that reads back as exactly the same double (%.15g,
 * %.16g or %.17g, whichever is shortest and exact), NUL-terminated in
 * buffer; returns its length. All 40 bytes of buffer may be written,
 * whatever the length (the text is put together by overlapping stores of
 * fixed size). Only for finite numbers. The text is exactly what that
 * printf would give, but for 1e-4 <= |value| < 1e15 it is worked out
 * without printf, many times faster (output_number.c). */
size_t oc__output_format_double(double value, char buffer[40]);

/* The same number as JSON, exactly as jansson prints a real at that
 * precision: ".0" appended when there is neither point nor exponent, no
 * '+' or leading zeros in an exponent. buffer needs 40 bytes, all of which
 * may be written; returns the length. Only for finite numbers. */
size_t oc__output_format_json_number(double value, char buffer[40]);

/* Numbers written before, by their bits: a national run's numbers repeat
 * (zero, 50, 100, 66.666..., small counts), and 44% of its 2.3 million
 * are found here, copied in a few stores instead of worked out again.
 * One entry per slot (the slot from the bits), replaced on a miss; what
 * is found is exactly the text format gave for the same bits. Zero it to
 * start (a zero length is an empty slot); it allocates nothing. */
#define OC__OUTPUT_NUMBER_SLOT_BITS 12 /* 4096 slots of 32 bytes */
#define OC__OUTPUT_NUMBER_KEPT 22      /* longer texts are not kept */
typedef struct oc__output_number_slot {
    uint64_t bits;
    char text[OC__OUTPUT_NUMBER_KEPT + 1]; /* NUL-terminated */
    unsigned char length;                  /* 0: empty */
} oc__output_number_slot;

typedef struct oc__output_number_cache {
    oc__output_number_slot slots[1u << OC__OUTPUT_NUMBER_SLOT_BITS];
} oc__output_number_cache;

/* What format (oc__output_format_double or oc__output_format_json_number,
 * the same one every time for one cache) writes for value, into buffer
 * (40 bytes, all of which may be written); returns the length. */
size_t oc__output_number_cache_format(oc__output_number_cache *cache,
                                      size_t (*format)(double value, char buffer[40]),
                                      double value, char buffer[40]);

/* ---- Fast writing, shared by the JSON and CSV writers ----
 *
 * A national run writes some 600,000 results, so the writers gather each
 * block of output in memory and hand it to the stream in one fwrite, and
 * escape each distinct string once: identity strings (metric, indicator,
 * plugin, area, ...) repeat across consecutive results, so their escaped
 * form (by jansson or libcsv, never by hand) is remembered. */

struct oc__direct_writer;

/* Output gathered in memory; written to stream when it passes a block's
 * size and by oc__output_buffer_flush. The buffer owns data, or, writing
 * past the page cache, the direct writer whose block data is. */
typedef struct oc__output_buffer {
    FILE *stream;      /* borrowed */
    char *data;
    size_t length;
    size_t capacity;
    size_t limit;      /* data goes out once length reaches it */
    struct oc__direct_writer *direct; /* owned; NULL when writing to stream */
    int out_of_memory; /* an append could not grow data: later appends do nothing */
    int write_failed;  /* a write failed: later flushes do nothing */
    int write_errno;   /* errno of that failure, 0 if unknown */
} oc__output_buffer;

/* Starts an empty buffer writing to stream (nothing allocated yet). */
void oc__output_buffer_init(oc__output_buffer *buffer, FILE *stream);

/* Writes the stream's file past the page cache from here on, when it is a
 * regular file (see direct_writer.h); otherwise leaves the buffer as it
 * is. Only before anything is appended: the file must still be empty. */
void oc__output_buffer_bypass_cache(oc__output_buffer *buffer);

/* Large enough that fwrite passes a block straight to write(2). */
#define OC__OUTPUT_BLOCK_SIZE (256 * 1024)

/* oc__output_buffer_append when the text does not fit as it is. */
void oc__output_buffer_append_slowly(oc__output_buffer *buffer, const char *text,
                                     size_t length);

/* Appends length bytes of text; writes the block out once it is large.
 * Inline: a national run appends some 40 million pieces, most of a few
 * bytes, and a call for each was a tenth of the host's work. */
static inline void oc__output_buffer_append(oc__output_buffer *buffer, const char *text,
                                            size_t length)
{
    if (length < buffer->capacity - buffer->length && buffer->length + length < buffer->limit) {
        memcpy(buffer->data + buffer->length, text, length);
        buffer->length += length;
        return;
    }
    oc__output_buffer_append_slowly(buffer, text, length);
}

/* oc__output_buffer_reserve when the buffer must grow or write out first. */
char *oc__output_buffer_make_room(oc__output_buffer *buffer, size_t size);

/* Room for up to size bytes written in place (the buffer grows or writes
 * out first when it must), kept by oc__output_buffer_commit; NULL only
 * when out of memory, which the flush reports. Saves formatting a number
 * or quoting a string in one place and copying it to another. */
static inline char *oc__output_buffer_reserve(oc__output_buffer *buffer, size_t size)
{
    if (size < buffer->capacity - buffer->length && buffer->length + size < buffer->limit)
        return buffer->data + buffer->length;
    return oc__output_buffer_make_room(buffer, size);
}

/* Asks the processor to fetch, for writing, the cache lines of the bytes
 * `ahead` to `ahead + size` past the end: a hint only, no memory is
 * touched. Blocks written past the page cache are fresh memory every
 * 12 MiB, and a store to a line not in the cache waits for it: fetched a
 * result ahead, the lines are there when the result is written. */
static inline void oc__output_buffer_prefetch(const oc__output_buffer *buffer, size_t ahead,
                                              size_t size)
{
    if (buffer->capacity - buffer->length < ahead + size)
        return; /* not past the end of data, not even in a hint */
    for (size_t offset = 0; offset < size; offset += 64)
        __builtin_prefetch(buffer->data + buffer->length + ahead + offset, 1);
}

/* Keeps the first length bytes written at the reserved room (length at
 * most the size reserved). */
static inline void oc__output_buffer_commit(oc__output_buffer *buffer, size_t length)
{
    buffer->length += length;
}

/* Keeps what was written at the reserved room up to end (a cursor the
 * writer moved through it). */
static inline void oc__output_buffer_commit_to(oc__output_buffer *buffer, const char *end)
{
    buffer->length = (size_t)(end - buffer->data);
}

/* Writes out everything gathered. OC_OK, or OC_ERROR_NO_MEMORY /
 * OC_ERROR_IO (set in error with "while writing " and what) for the first
 * failure of any earlier append or write. */
int oc__output_buffer_flush(oc__output_buffer *buffer, const char *what, oc_error *error);

/* Frees data (without writing it). */
void oc__output_buffer_free(oc__output_buffer *buffer);

/* Turns text into its escaped, quoted form: a new allocation (the caller
 * frees it) of *length bytes, NUL-terminated; -1 when out of memory. It
 * must turn printable ASCII without '"' or '\\' into that text between
 * double quotes (JSON and CSV both do): such strings are written so
 * without calling it. */
typedef int (*oc__output_escape_function)(const char *text, char **escaped, size_t *length);

#define OC_OUTPUT_CACHE_ENTRIES 8
#define OC__OUTPUT_WRITTEN_MAX 64
/* The writers' rows give each value this much room: a number (at most 40
 * bytes, oc__output_format_double) must fit it too. */
_Static_assert(40 <= OC__OUTPUT_WRITTEN_MAX, "a number fits a field's room for its value");

/* The escaped forms of the last few distinct strings of one column. Zero
 * it to start; oc__output_cache_free frees the copies it holds. */
typedef struct oc__output_cache {
    struct {
        char *text;     /* copy of the original */
        char *escaped;
        size_t escaped_length;
    } entries[OC_OUTPUT_CACHE_ENTRIES];
    size_t next;        /* the entry replaced on the next miss */
    size_t last;        /* the entry used last: looked at first */
    /* The text appended last, by address, within one batch of results
     * (see oc__output_cache_forget_addresses), and its length when it was
     * plain, or SIZE_MAX when entries[last] holds its escaped form. The
     * host's views of a job's results repeat a string by repeating its
     * address (core/wire.h), so most strings are written without being
     * looked at. */
    const char *last_text;
    size_t last_plain_length;
    /* last_text as it was written (quoted, escaped), when that was at
     * most OC__OUTPUT_WRITTEN_MAX bytes, and its length; 0 otherwise.
     * Copied whole, a repeat is a few stores and no call. */
    size_t last_written_length;
    char last_written[OC__OUTPUT_WRITTEN_MAX];
} oc__output_cache;

/* oc__output_cache_put for text that is not the last text written, or
 * is too long to have been kept whole. */
int oc__output_cache_put_slowly(oc__output_cache *cache, const char *text,
                                oc__output_escape_function escape, oc__output_buffer *buffer,
                                char **at, size_t room);

/* Writes the escaped form of text for a writer that writes a whole row
 * through a cursor of its own, *at, with room bytes reserved
 * (oc__output_buffer_reserve) and not yet committed, and moves *at past
 * it. A repeat by address is copied from the kept copy, and a short plain
 * text quoted in place; any other text (long, or to be escaped: made by
 * escape once and remembered) goes through the buffer, what *at has
 * passed committed first, and room is reserved again. -1 when out of
 * memory. Inline: a national run writes some five million strings, most
 * of them repeats by address. */
static inline int oc__output_cache_put(oc__output_cache *cache, const char *text,
                                       oc__output_escape_function escape,
                                       oc__output_buffer *buffer, char **at, size_t room)
{
    if (text == cache->last_text && cache->last_written_length != 0) {
        memcpy(*at, cache->last_written, OC__OUTPUT_WRITTEN_MAX);
        *at += cache->last_written_length;
        return 0;
    }
    return oc__output_cache_put_slowly(cache, text, escape, buffer, at, room);
}

/* Starts a new batch: an address seen before may now hold other text
 * (the host reuses a job's stream memory for the next job). Call it
 * before each batch of results whose strings stay put while it is
 * written. */
void oc__output_cache_forget_addresses(oc__output_cache *cache);

void oc__output_cache_free(oc__output_cache *cache);

/* The state of a JSON or CSV writer (output_writer.c); the per-format
 * parts are in output_json.c and output_csv.c. */
struct oc__output_writer {
    oc__output_format format;
    oc__output_buffer buffer;
    size_t written;                                  /* results so far */
    oc__output_cache caches[OC_OUTPUT_MAX_COLUMNS];
    oc__output_number_cache numbers;
};

int oc__output_json_begin(oc__output_writer *writer, oc_error *error);
int oc__output_json_add(oc__output_writer *writer, const oc__result *result, oc_error *error);
int oc__output_json_end(oc__output_writer *writer, const oc__manifest *manifest,
                        oc_error *error);
int oc__output_csv_begin(oc__output_writer *writer, oc_error *error);
int oc__output_csv_add(oc__output_writer *writer, const oc__result *result, oc_error *error);

#endif
