/*
 * wire.h: the format in which a plugin's child process sends its results
 * (core/result.h records) to the host over a pipe. The child may be buggy
 * or hostile, so the format is explicit about every size and the reader
 * trusts nothing: it rejects garbage, truncation and oversize records with
 * a one-line reason instead of guessing.
 *
 * Format, version 4. All integers little-endian, fixed width.
 *
 *   stream  := header record* (end | error)
 *   header  := "OCWR" (4 bytes) u16 version (= 4) u16 reserved (= 0)
 *   record  := u8 type, u8 reserved[3] (= 0), u32 payload_length, payload
 *              payload_length <= OC__WIRE_RECORD_MAX (1 MiB)
 *   type 1 RESULT: the fields of oc__result in the order of
 *              OC__RESULT_FIELDS (core/result.h):
 *              strings as u32 length + bytes + one NUL byte (no NUL
 *              inside, the length not counting the final one; length
 *              0xFFFFFFFF means NULL, with no bytes; 0xFFFFFFFE means
 *              "the same as this field of the previous RESULT record",
 *              with no bytes, and is refused in the first one; at most
 *              OC__WIRE_STRING_MAX bytes), doubles as u64 IEEE-754 bits
 *              (so NaN and infinities survive), status as u32 (0..2).
 *              The payload must be consumed exactly.
 *   type 2 END:    u64 number of RESULT records sent; payload_length 8.
 *   type 3 ERROR:  i32 oc_status (< 0), string message (not "the
 *              same"): the job failed as a whole; the host discards its
 *              RESULT records.
 *
 * Nothing may follow END or ERROR. A stream without either is truncated.
 *
 * Version 2 ends each string with NUL so that the host can print a
 * received result where it lies, without copying its 16 strings (a
 * national run receives some 7 million). Version 3 sends a string that
 * repeats the previous result's as 4 bytes: consecutive results of a job
 * share their metric, plugin, periods and status, and an area's results
 * its code and name, so the host checks and escapes about a third of the
 * strings it used to, and a view repeats the very pointer (which lets the
 * output writers reuse what they made of it). Version 4 appends the
 * benchmark's three fields and return_on_investment to RESULT.
 */
#ifndef OC_WIRE_H
#define OC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <outcomes/common.h>

#include "result.h"

#define OC__WIRE_VERSION 4
#define OC__WIRE_HEADER_SIZE 8
#define OC__WIRE_RECORD_HEADER_SIZE 8
#define OC__WIRE_RECORD_MAX (1024u * 1024u)
#define OC__WIRE_STRING_MAX 65535u

enum oc__wire_record_type {
    OC__WIRE_RESULT = 1,
    OC__WIRE_END = 2,
    OC__WIRE_ERROR = 3
};

/* Strings up to this long are remembered by a writer, field by field, to
 * send the next result's equal string as "the same"; longer ones (rare:
 * long messages) are always sent in full. */
#define OC__WIRE_REMEMBERED_STRING_MAX 63u

/* Bytes a writer gathers before it writes them: at national scale a job
 * sends hundreds of thousands of results, and one write(2) per result cost
 * a system call and a wake-up of the host each (about 10% of all CPU). */
#define OC__WIRE_WRITER_BUFFER_SIZE (256u * 1024u)

/* Writes a stream to a file descriptor the caller owns (and closes).
 * Records are gathered in the writer and written when the buffer is full,
 * on oc__wire_writer_flush, and at END or ERROR;
 * bytes not yet written when the process dies are lost, which is what a
 * dying job means anyway (the host replaces all its results). */
typedef struct oc__wire_writer {
    int fd;
    uint64_t record_count; /* RESULT records accepted so far */
    int finished;          /* END or ERROR written */
    size_t buffered;       /* bytes waiting in buffer */
    unsigned char buffer[OC__WIRE_WRITER_BUFFER_SIZE];
    /* Owned; only on a non-blocking descriptor whose reader is busy: the
     * bytes the pipe would not take yet, sent before anything newer, and
     * all of them (then freed) by oc__wire_writer_flush, END or ERROR. */
    unsigned char *waiting;
    size_t waiting_length;
    size_t waiting_capacity;
    /* The previous RESULT record's strings, by string field: what "the
     * same" repeats. length is that of text, or SIZE_MAX when the field
     * was NULL, too long to remember, or there was no previous record. */
    struct {
        size_t length;
        char text[OC__WIRE_REMEMBERED_STRING_MAX + 1];
    } previous[OC__RESULT_STRING_COUNT];
} oc__wire_writer;

/* Starts the stream: writes its header at once. Write errors (EPIPE
 * included; the caller should ignore SIGPIPE) return OC_ERROR_IO, from
 * whichever call writes. */
int oc__wire_writer_begin(oc__wire_writer *writer, int fd, oc_error *error);

/* Adds one RESULT record. OC_ERROR_INVALID when a string is longer than
 * OC__WIRE_STRING_MAX or the record would exceed OC__WIRE_RECORD_MAX
 * (nothing is added then). */
int oc__wire_write_result(oc__wire_writer *writer, const oc__result *result, oc_error *error);

/* Writes out everything buffered or waiting, so the reader sees it now
 * (waiting for the reader if it must). */
int oc__wire_writer_flush(oc__wire_writer *writer, oc_error *error);

/* Ends the stream: END with the record count, and writes everything out. */
int oc__wire_write_end(oc__wire_writer *writer, oc_error *error);

/* Ends the stream with ERROR: the job failed with status and message
 * (message truncated to OC__WIRE_STRING_MAX); writes everything out. */
int oc__wire_write_error(oc__wire_writer *writer, int status, const char *message,
                         oc_error *error);

/* Whether a reader's stream lives in a mapping of its own that forked
 * children do not inherit (core/wire.c): on Linux, except under
 * AddressSanitizer, which sees only malloc'd memory and should check every
 * read of a stream the tests make. */
#if defined(__SANITIZE_ADDRESS__)
#define OC__WIRE_UNDER_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OC__WIRE_UNDER_ADDRESS_SANITIZER 1
#endif
#endif
#if defined(__linux__) && !defined(OC__WIRE_UNDER_ADDRESS_SANITIZER)
#define OC__WIRE_STREAM_MAPPED 1
#else
#define OC__WIRE_STREAM_MAPPED 0
#endif

/* Reads a stream incrementally, as bytes arrive from a pipe, and keeps
 * it: every record is checked as soon as it is complete, and the checked
 * RESULT records stay where they arrived until the caller reads them with
 * oc__wire_reader_next_result. So the reader holds one job's whole stream
 * (about 280 bytes a result), and nothing is decoded into separate
 * allocations until someone wants a copy. */
typedef struct oc__wire_reader {
    unsigned char *buffer;  /* owned; every byte received */
    size_t length;          /* bytes received */
    size_t capacity;
    size_t checked;         /* bytes of whole records checked, from the start */
    int header_seen;
    int ended;              /* END received */
    int job_failed;         /* ERROR received */
    int job_status;         /* its status */
    char *job_message;      /* owned; its message */
    uint64_t record_count;  /* RESULT records received */
    int broken;             /* a previous call failed: the stream is unusable */
} oc__wire_reader;

/* Zeroes the reader. */
void oc__wire_reader_init(oc__wire_reader *reader);

/* Sets *space to room for size more bytes at the end of the stream, for a
 * read(2) straight into the reader; hand them over with
 * oc__wire_reader_received. *space belongs to the reader and is valid
 * until the next call on it. OC_ERROR_NO_MEMORY, or OC_ERROR_FORMAT for a
 * stream already rejected (*space NULL). */
int oc__wire_reader_space(oc__wire_reader *reader, size_t size, unsigned char **space,
                          oc_error *error);

/* size bytes were written at oc__wire_reader_space: checks every record
 * they complete. On malformed input returns OC_ERROR_FORMAT with the
 * reason (e.g. "bad stream magic", "record of 5000000 bytes exceeds the
 * 1048576-byte limit") and refuses all further input. A record's length
 * is checked as soon as its header arrives, so garbage is refused within
 * its first bytes. */
int oc__wire_reader_received(oc__wire_reader *reader, size_t size, oc_error *error);

/* oc__wire_reader_space, a copy of data, oc__wire_reader_received: for
 * bytes that are already in memory. */
int oc__wire_reader_feed(oc__wire_reader *reader, const void *data, size_t size,
                         oc_error *error);

/* Where oc__wire_reader_next_result is in a stream: zero it to start, and
 * do not set it otherwise. It keeps the last view, for the next result's
 * "same" fields, and where the stream was when it read it: should the
 * stream have grown or moved since, its strings are found at the same
 * offsets in the stream as it is now, so the cursor stays good where the
 * views it gave out do not. */
typedef struct oc__wire_cursor {
    size_t position;             /* where the next record starts (0: at the beginning) */
    int has_previous;            /* a result was read: previous is its view */
    const unsigned char *base;   /* the stream's bytes when previous was read */
    oc__result previous;
} oc__wire_cursor;

/* The checked RESULT records in arrival order, from *cursor on (advanced).
 * Returns 1 and fills *view, or 0 after the last one. The view's strings
 * point into the reader (text_block stays NULL), a field that repeats the
 * previous result's with the very pointer of that result's view: it is
 * valid until the next oc__wire_reader_space, _received, _feed, _reset or
 * _free on that reader (any of them may move or free the stream), and is
 * read-only: it must not be changed or cleared. oc__result_copy makes a
 * result of one's own. Returns -1 if a record no longer reads as it did
 * when it was checked (only if someone wrote into the stream), or if a
 * cursor that read nothing starts after the first result. */
int oc__wire_reader_next_result(const oc__wire_reader *reader, oc__wire_cursor *cursor,
                                oc__result *view);

/* Appends a copy of every checked RESULT record to results (the caller's
 * list; each copy its own, see oc__result_copy). OC_ERROR_NO_MEMORY when
 * out of memory (the copies made so far stay in the list). */
int oc__wire_reader_copy_results(const oc__wire_reader *reader, oc__result_list *results,
                                 oc_error *error);

/* Called at end of input: OC_ERROR_FORMAT unless the stream was complete
 * (END or ERROR seen, no bytes left over). */
int oc__wire_reader_finish(oc__wire_reader *reader, oc_error *error);

/* Empties the reader for a new stream but keeps its memory: a host that
 * reads many streams in turn reuses pages it has already touched. */
void oc__wire_reader_reset(oc__wire_reader *reader);

/* Frees the reader's memory. */
void oc__wire_reader_free(oc__wire_reader *reader);

#endif
