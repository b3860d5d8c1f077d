/* test_wire.c: the result stream between a plugin's child and the host
 * (core/wire.c): every field survives the round trip, and garbage,
 * truncation and oversize records are rejected with a reason. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_runner.h"
#include "wire.h"

/* Encodes through a real file descriptor (a temporary file) and returns
 * the bytes; the caller frees them. */
typedef struct encoded {
    unsigned char *bytes;
    size_t size;
} encoded;

static encoded read_back(FILE *file)
{
    encoded out = {0};
    long size = ftell(file);
    ck_assert_int_ge(size, 0);
    out.size = (size_t)size;
    out.bytes = malloc(out.size + 1);
    ck_assert_ptr_nonnull(out.bytes);
    rewind(file);
    ck_assert_uint_eq(fread(out.bytes, 1, out.size, file), out.size);
    fclose(file);
    return out;
}

static encoded encode(const oc__result *results, size_t count, int end)
{
    FILE *file = tmpfile();
    ck_assert_ptr_nonnull(file);
    oc__wire_writer writer;
    oc_error error;
    ck_assert_int_eq(oc__wire_writer_begin(&writer, fileno(file), &error), OC_OK);
    for (size_t i = 0; i < count; i++)
        ck_assert_int_eq(oc__wire_write_result(&writer, &results[i], &error), OC_OK);
    if (end)
        ck_assert_int_eq(oc__wire_write_end(&writer, &error), OC_OK);
    else
        ck_assert_int_eq(oc__wire_writer_flush(&writer, &error), OC_OK);
    ck_assert_int_eq(fseek(file, 0, SEEK_END), 0);
    return read_back(file);
}

/* Feeds bytes in pieces of `step` and finishes; returns the status of the
 * first failing call, error filled. */
static int decode(const unsigned char *bytes, size_t size, size_t step, oc__result_list *list,
                  oc_error *error, oc__wire_reader *reader)
{
    oc__wire_reader_init(reader);
    for (size_t offset = 0; offset < size; offset += step) {
        size_t piece = size - offset < step ? size - offset : step;
        int status = oc__wire_reader_feed(reader, bytes + offset, piece, error);
        if (status != OC_OK)
            return status;
    }
    int status = oc__wire_reader_finish(reader, error);
    if (status == OC_OK)
        ck_assert_int_eq(oc__wire_reader_copy_results(reader, list, error), OC_OK);
    return status;
}

static oc__result full_result(char *long_text)
{
    oc__result result;
    oc__result_init(&result);
    result.metric = "worklessness_birkenhead";
    result.indicator = "claimant_rate";
    result.plugin = "worklessness";
    result.plugin_version = "1.0.0";
    result.area = "E14000559";
    result.area_name = "";  /* empty, not NULL */
    result.period = "2016-11-01";
    result.value = 9.75;
    result.ci_lower = -0.0;
    result.ci_upper = INFINITY;
    result.baseline_period = "2013-11-01";
    result.baseline_value = 10.5;
    result.change = -0.75;
    result.change_pct = -7.142857142857143;
    result.target_value = 9.45;
    result.target_date = "2017-04-01";
    result.expected_value = 9.6;
    result.progress_pct = 71.4;
    result.rag = "amber";
    result.spc_signal = "improvement";
    result.spc_rule = "shift";
    result.assurance = NULL;
    result.trend = "decreasing";
    result.comparator = NULL;
    result.comparator_change = -1.7976931348623157e308;
    result.did = 5e-324; /* smallest subnormal */
    result.fiscal_benefit = 6646640;
    result.score = NAN;
    result.status = OC_RESULT_INSUFFICIENT_DATA;
    result.message = long_text;
    return result;
}

static void assert_same_string(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        ck_assert_ptr_eq(a, b);
    else
        ck_assert_str_eq(a, b);
}

/* Same bits: NaN == NaN, and -0.0 differs from 0.0. */
static void assert_same_double(double a, double b)
{
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
}

START_TEST(round_trip_every_field)
{
    char *long_text = malloc(OC__WIRE_STRING_MAX + 1);
    memset(long_text, 'x', OC__WIRE_STRING_MAX);
    long_text[OC__WIRE_STRING_MAX] = '\0';
    oc__result results[2];
    results[0] = full_result(long_text);
    oc__result_init(&results[1]); /* all NULL and NaN */
    results[1].status = OC_RESULT_FAILED;

    encoded bytes = encode(results, 2, 1);
    /* Whole, and one byte at a time (records split across reads). */
    for (size_t step = bytes.size; step >= 1; step = step == 1 ? 0 : 1) {
        oc__result_list list = {0};
        oc__wire_reader reader;
        oc_error error;
        ck_assert_int_eq(decode(bytes.bytes, bytes.size, step, &list, &error, &reader), OC_OK);
        ck_assert_uint_eq(list.count, 2);
        ck_assert(reader.ended);
        ck_assert(!reader.job_failed);
        for (size_t r = 0; r < 2; r++) {
            const oc__result *a = &results[r], *b = &list.items[r];
            assert_same_string(a->metric, b->metric);
            assert_same_string(a->indicator, b->indicator);
            assert_same_string(a->plugin, b->plugin);
            assert_same_string(a->plugin_version, b->plugin_version);
            assert_same_string(a->area, b->area);
            assert_same_string(a->area_name, b->area_name);
            assert_same_string(a->period, b->period);
            assert_same_string(a->baseline_period, b->baseline_period);
            assert_same_string(a->target_date, b->target_date);
            assert_same_string(a->rag, b->rag);
            assert_same_string(a->spc_signal, b->spc_signal);
            assert_same_string(a->spc_rule, b->spc_rule);
            assert_same_string(a->assurance, b->assurance);
            assert_same_string(a->trend, b->trend);
            assert_same_string(a->comparator, b->comparator);
            assert_same_string(a->message, b->message);
            assert_same_double(a->value, b->value);
            assert_same_double(a->ci_lower, b->ci_lower);
            assert_same_double(a->ci_upper, b->ci_upper);
            assert_same_double(a->baseline_value, b->baseline_value);
            assert_same_double(a->change, b->change);
            assert_same_double(a->change_pct, b->change_pct);
            assert_same_double(a->target_value, b->target_value);
            assert_same_double(a->expected_value, b->expected_value);
            assert_same_double(a->progress_pct, b->progress_pct);
            assert_same_double(a->comparator_change, b->comparator_change);
            assert_same_double(a->did, b->did);
            assert_same_double(a->fiscal_benefit, b->fiscal_benefit);
            assert_same_double(a->score, b->score);
            ck_assert_int_eq(a->status, b->status);
        }
        ck_assert(isnan(list.items[0].score));
        /* Decoded strings share one allocation, freed with the result (the
         * sanitizer build would report a leak or a double free); a result
         * without strings has none. */
        const oc__result *decoded = &list.items[0];
        ck_assert_ptr_nonnull(decoded->text_block);
        ck_assert_ptr_eq(decoded->metric, decoded->text_block);
        ck_assert_ptr_eq(decoded->indicator, decoded->metric + strlen(decoded->metric) + 1);
        ck_assert_ptr_null(list.items[1].text_block);
        oc__result_list_free(&list);
        oc__wire_reader_free(&reader);
    }
    free(bytes.bytes);
    free(long_text);
}
END_TEST

/* The writer gathers records and writes them at a flush, a full buffer
 * or the end, in order: small records around ones larger than the whole
 * buffer (written on their own) arrive in the order they were written. */
START_TEST(writer_buffers_and_keeps_order)
{
    char *long_text = malloc(OC__WIRE_STRING_MAX + 1);
    ck_assert_ptr_nonnull(long_text);
    memset(long_text, 'L', OC__WIRE_STRING_MAX);
    long_text[OC__WIRE_STRING_MAX] = '\0';
    FILE *file = tmpfile();
    ck_assert_ptr_nonnull(file);
    oc__wire_writer writer;
    oc_error error;
    ck_assert_int_eq(oc__wire_writer_begin(&writer, fileno(file), &error), OC_OK);
    oc__result small = full_result("small");
    ck_assert_int_eq(oc__wire_write_result(&writer, &small, &error), OC_OK);
    /* The header was written at once; the record is gathered, not written. */
    ck_assert_int_eq(lseek(fileno(file), 0, SEEK_END), OC__WIRE_HEADER_SIZE);
    ck_assert_int_eq(oc__wire_writer_flush(&writer, &error), OC_OK);
    off_t one_record = lseek(fileno(file), 0, SEEK_END);
    ck_assert_int_gt(one_record, OC__WIRE_HEADER_SIZE);

    /* 3,000 results of ~250 bytes fill the 64 KiB buffer many times over;
     * every 1000th is larger than the buffer itself. */
    enum { COUNT = 3000 };
    char labels[COUNT][16];
    for (size_t i = 0; i < COUNT; i++) {
        snprintf(labels[i], sizeof labels[i], "r%zu", i);
        oc__result result = full_result(i % 1000 == 999 ? long_text : labels[i]);
        result.area = labels[i];
        ck_assert_int_eq(oc__wire_write_result(&writer, &result, &error), OC_OK);
    }
    ck_assert_int_eq(oc__wire_write_end(&writer, &error), OC_OK);
    ck_assert_int_eq(fseek(file, 0, SEEK_END), 0);
    encoded bytes = read_back(file);

    oc__result_list list = {0};
    oc__wire_reader reader;
    ck_assert_int_eq(decode(bytes.bytes, bytes.size, 4093, &list, &error, &reader), OC_OK);
    ck_assert_uint_eq(list.count, COUNT + 1);
    ck_assert_str_eq(list.items[0].message, "small");
    for (size_t i = 0; i < COUNT; i++) {
        ck_assert_str_eq(list.items[i + 1].area, labels[i]);
        ck_assert_str_eq(list.items[i + 1].message, i % 1000 == 999 ? long_text : labels[i]);
    }
    ck_assert_uint_eq(reader.record_count, COUNT + 1);
    oc__result_list_free(&list);
    oc__wire_reader_free(&reader);
    free(bytes.bytes);
    free(long_text);
}
END_TEST

/* On a non-blocking pipe whose reader is busy, the writer keeps what the
 * pipe will not take and returns at once, so a job goes on computing; the
 * end of the stream waits until the reader has it all, in order. The
 * reader here is a child that starts reading only when told to: a writer
 * that blocked before that would never finish (Check's timeout). */
START_TEST(writer_keeps_what_a_busy_reader_cannot_take)
{
    int data[2], start[2];
    ck_assert_int_eq(pipe(data), 0);
    ck_assert_int_eq(pipe(start), 0);
    enum { COUNT = 3000 };
    pid_t reader_pid = fork();
    ck_assert_int_ge(reader_pid, 0);
    if (reader_pid == 0) {
        close(data[1]);
        close(start[1]);
        char go;
        if (read(start[0], &go, 1) != 1)
            _exit(2);
        oc__wire_reader reader;
        oc__wire_reader_init(&reader);
        oc__result_list list = {0};
        unsigned char buffer[65536];
        ssize_t got;
        int status = OC_OK;
        while (status == OC_OK && (got = read(data[0], buffer, sizeof buffer)) > 0)
            status = oc__wire_reader_feed(&reader, buffer, (size_t)got, NULL);
        if (status == OC_OK)
            status = oc__wire_reader_copy_results(&reader, &list, NULL);
        int in_order = list.count == COUNT;
        for (size_t i = 0; in_order && i < list.count; i++)
            in_order = list.items[i].value == (double)i;
        _exit(status == OC_OK && oc__wire_reader_finish(&reader, NULL) == OC_OK && in_order
                  ? 0 : 1);
    }
    close(data[0]);
    close(start[0]);
    ck_assert_int_eq(fcntl(data[1], F_SETFL, fcntl(data[1], F_GETFL) | O_NONBLOCK), 0);
    static oc__wire_writer writer;
    oc_error error;
    ck_assert_int_eq(oc__wire_writer_begin(&writer, data[1], &error), OC_OK);
    for (size_t i = 0; i < COUNT; i++) {
        oc__result result = full_result("a message long enough to fill the pipe quickly");
        result.value = (double)i;
        ck_assert_int_eq(oc__wire_write_result(&writer, &result, &error), OC_OK);
    }
    /* About 1 MB written and nobody reading: the pipe (64 KiB) is full and
     * the rest is kept. */
    ck_assert_uint_gt(writer.waiting_length, 0);
    ck_assert_int_eq(write(start[1], "g", 1), 1);
    ck_assert_int_eq(oc__wire_write_end(&writer, &error), OC_OK);
    ck_assert_ptr_null(writer.waiting); /* freed once sent */
    close(data[1]);
    close(start[1]);
    int wait_status;
    ck_assert_int_eq(waitpid(reader_pid, &wait_status, 0), reader_pid);
    ck_assert(WIFEXITED(wait_status));
    ck_assert_int_eq(WEXITSTATUS(wait_status), 0);
}
END_TEST

START_TEST(writer_refuses_overlong_string)
{
    char *too_long = malloc(OC__WIRE_STRING_MAX + 2);
    memset(too_long, 'y', OC__WIRE_STRING_MAX + 1);
    too_long[OC__WIRE_STRING_MAX + 1] = '\0';
    oc__result result;
    oc__result_init(&result);
    result.message = too_long;
    FILE *file = tmpfile();
    oc__wire_writer writer;
    oc_error error;
    ck_assert_int_eq(oc__wire_writer_begin(&writer, fileno(file), &error), OC_OK);
    ck_assert_int_eq(oc__wire_write_result(&writer, &result, &error), OC_ERROR_INVALID);
    ck_assert_str_eq(error.message, "result field 'message' is 65536 bytes long, more than the 65535 allowed");
    ck_assert_int_eq(oc__wire_writer_flush(&writer, &error), OC_OK);
    ck_assert_int_eq(lseek(fileno(file), 0, SEEK_END), OC__WIRE_HEADER_SIZE); /* nothing written */
    fclose(file);
    free(too_long);
}
END_TEST

static void expect_rejection(const unsigned char *bytes, size_t size, const char *reason)
{
    oc__result_list list = {0};
    oc__wire_reader reader;
    oc_error error;
    ck_assert_int_eq(decode(bytes, size, size ? size : 1, &list, &error, &reader), OC_ERROR_FORMAT);
    ck_assert_msg(strstr(error.message, reason) != NULL, "'%s' lacks '%s'", error.message, reason);
    /* A rejected stream accepts nothing more. */
    ck_assert_int_eq(oc__wire_reader_feed(&reader, "OCWR", 4, &error), OC_ERROR_FORMAT);
    oc__result_list_free(&list);
    oc__wire_reader_free(&reader);
}

static oc__result small_result(void)
{
    oc__result result;
    oc__result_init(&result);
    result.metric = "abc";
    result.value = 1;
    return result;
}

START_TEST(views_point_into_the_kept_stream)
{
    oc__result results[3];
    for (size_t i = 0; i < 3; i++)
        results[i] = small_result();
    results[1].metric = "worklessness";
    results[1].area = NULL;
    results[2].value = 770;
    encoded bytes = encode(results, 3, 1);
    oc__wire_reader reader;
    oc_error error;
    oc__wire_reader_init(&reader);
    ck_assert_int_eq(oc__wire_reader_feed(&reader, bytes.bytes, bytes.size, &error), OC_OK);
    ck_assert_int_eq(oc__wire_reader_finish(&reader, &error), OC_OK);
    /* Read twice: reading changes nothing. */
    for (int pass = 0; pass < 2; pass++) {
        oc__wire_cursor cursor = {0};
        oc__result view;
        for (size_t i = 0; i < 3; i++) {
            ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 1);
            ck_assert_str_eq(view.metric, results[i].metric);
            ck_assert_ptr_null(view.area);
            ck_assert((const unsigned char *)view.metric > reader.buffer
                      && (const unsigned char *)view.metric < reader.buffer + reader.length);
            ck_assert_ptr_null(view.text_block);
            ck_assert(view.value == results[i].value);
        }
        ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 0);
        ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 0);
    }
    oc__wire_reader_free(&reader);
    free(bytes.bytes);
}
END_TEST

/* A string equal to the previous result's (however it got there) is sent
 * as "the same": four bytes instead of the string, and the view repeats
 * the previous view's pointer. Strings too long to remember are sent
 * again, and the first result has nothing to repeat. */
START_TEST(repeated_strings_are_sent_once_and_repeat_their_address)
{
    char metric_copy[] = "worklessness", long_message[200];
    memset(long_message, 'm', sizeof long_message - 1);
    long_message[sizeof long_message - 1] = '\0';
    oc__result results[4];
    for (size_t i = 0; i < 4; i++) {
        results[i] = small_result();
        results[i].metric = i == 1 ? metric_copy : "worklessness";
        results[i].area = i < 2 ? "E01000001" : "E01000002";
        results[i].message = i < 2 ? long_message : NULL;
        results[i].value = (double)i;
    }
    encoded all = encode(results, 4, 1);
    encoded first = encode(results, 1, 1), second_alone = encode(results + 1, 1, 1);
    encoded first_two = encode(results, 2, 1);
    /* The second record alone is its stream less the header and END. */
    size_t second_record = second_alone.size - OC__WIRE_HEADER_SIZE - 16;
    ck_assert_uint_eq(first_two.size,
                      first.size + second_record - (strlen("worklessness") + 1)
                          - (strlen("E01000001") + 1));

    oc__wire_reader reader;
    oc_error error;
    oc__wire_reader_init(&reader);
    ck_assert_int_eq(oc__wire_reader_feed(&reader, all.bytes, all.size, &error), OC_OK);
    ck_assert_int_eq(oc__wire_reader_finish(&reader, &error), OC_OK);
    oc__wire_cursor cursor = {0};
    oc__result views[4];
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &views[i]), 1);
        ck_assert_str_eq(views[i].metric, "worklessness");
        ck_assert_str_eq(views[i].area, results[i].area);
        ck_assert(views[i].value == (double)i);
    }
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &views[0]), 0);
    ck_assert_ptr_eq(views[3].metric, views[0].metric);
    ck_assert_ptr_eq(views[1].area, views[0].area);
    ck_assert_ptr_ne(views[2].area, views[1].area);
    ck_assert_ptr_eq(views[3].area, views[2].area);
    ck_assert_str_eq(views[1].message, long_message);
    ck_assert_ptr_ne(views[1].message, views[0].message);
    ck_assert_ptr_null(views[2].message);
    ck_assert_ptr_null(views[3].message);
    oc__wire_reader_free(&reader);

    /* The first result's metric made "the same": refused. */
    unsigned char *copy = malloc(first.size);
    memcpy(copy, first.bytes, first.size);
    memset(copy + 16, 0xFF, 4);
    copy[16] = 0xFE;
    expect_rejection(copy, first.size,
                     "result record 1, field 'metric': repeats the previous result's string, "
                     "but there is none");
    /* An ERROR record's message may not repeat anything either. */
    size_t results_end = first.size - 16;
    unsigned char *failed = malloc(results_end + 16);
    memcpy(failed, first.bytes, results_end);
    unsigned char error_record[16] = {OC__WIRE_ERROR, 0, 0, 0, 8, 0, 0, 0,
                                      0xFE, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF};
    memcpy(failed + results_end, error_record, sizeof error_record);
    expect_rejection(failed, results_end + 16,
                     "ERROR record: repeats the previous result's string, but there is none");
    free(failed);
    free(copy);
    free(all.bytes);
    free(first.bytes);
    free(second_alone.bytes);
    free(first_two.bytes);
}
END_TEST

/* A cursor remembers where the previous result's strings lie, not where
 * they were: it reads on correctly after the stream has grown (and maybe
 * moved) under it. A cursor that read nothing cannot start mid-stream. */
START_TEST(a_cursor_survives_the_stream_growing_and_cannot_start_midway)
{
    oc__result results[2] = {small_result(), small_result()};
    results[0].metric = results[1].metric = "worklessness";
    results[1].value = 770;
    encoded first = encode(results, 1, 1), both = encode(results, 2, 1);
    size_t first_record_end = first.size - 16; /* less its END record */
    oc__wire_reader reader;
    oc_error error;
    oc__wire_reader_init(&reader);
    ck_assert_int_eq(oc__wire_reader_feed(&reader, both.bytes, first_record_end, &error), OC_OK);
    oc__wire_cursor cursor = {0};
    oc__result view;
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 1);
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 0);
    ck_assert_int_eq(oc__wire_reader_feed(&reader, both.bytes + first_record_end,
                                          both.size - first_record_end, &error), OC_OK);
    unsigned char *space; /* grow the stream well past its first mapping */
    ck_assert_int_eq(oc__wire_reader_space(&reader, 8u << 20, &space, &error), OC_OK);
    memset(space, 0, 8u << 20);
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 1);
    ck_assert_str_eq(view.metric, "worklessness");
    ck_assert(view.value == 770);

    oc__wire_cursor midway = {.position = first_record_end};
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &midway, &view), -1);
    oc__wire_reader_free(&reader);
    free(first.bytes);
    free(both.bytes);
}
END_TEST

/* Whether text lies in the reader's stream. */
static int in_stream(const oc__wire_reader *reader, const char *text)
{
    uintptr_t at = (uintptr_t)text, start = (uintptr_t)reader->buffer;
    return text != NULL && at >= start && at < start + reader->length;
}

/* The same, made certain: the stream moved wholesale (the same bytes read
 * by another reader, the first one freed) between two results. The
 * cursor finds the previous result's strings in the new stream, so the
 * next result's "same" fields point there and read as sent. */
START_TEST(a_cursor_follows_a_stream_that_moved)
{
    oc__result results[3] = {small_result(), small_result(), small_result()};
    results[0].area = results[1].area = results[2].area = "E01000001";
    results[2].message = results[1].message = "suppressed: fewer than 5";
    results[2].value = 770;
    encoded bytes = encode(results, 3, 1);
    oc__wire_reader before, after;
    oc_error error;
    oc__wire_reader_init(&before);
    oc__wire_reader_init(&after);
    ck_assert_int_eq(oc__wire_reader_feed(&before, bytes.bytes, bytes.size, &error), OC_OK);
    ck_assert_int_eq(oc__wire_reader_feed(&after, bytes.bytes, bytes.size, &error), OC_OK);
    oc__wire_cursor cursor = {0};
    oc__result view;
    ck_assert_int_eq(oc__wire_reader_next_result(&before, &cursor, &view), 1);
    ck_assert_int_eq(oc__wire_reader_next_result(&before, &cursor, &view), 1);
    ck_assert(in_stream(&before, view.area) && in_stream(&before, view.message));
    oc__wire_reader_free(&before);
    ck_assert_int_eq(oc__wire_reader_next_result(&after, &cursor, &view), 1);
    ck_assert(view.value == 770);
    ck_assert_msg(in_stream(&after, view.area) && in_stream(&after, view.metric)
                      && in_stream(&after, view.message),
                  "the repeated strings were not found in the moved stream");
    ck_assert_str_eq(view.area, "E01000001");
    ck_assert_str_eq(view.message, "suppressed: fewer than 5");
    ck_assert_int_eq(oc__wire_reader_next_result(&after, &cursor, &view), 0);
    oc__wire_reader_free(&after);
    free(bytes.bytes);
}
END_TEST

START_TEST(a_reset_reader_reuses_its_memory_which_children_do_not_inherit)
{
    oc__result result = small_result();
    encoded bytes = encode(&result, 1, 1);
    oc__wire_reader reader;
    oc_error error;
    oc__wire_reader_init(&reader);
    ck_assert_int_eq(oc__wire_reader_feed(&reader, bytes.bytes, bytes.size, &error), OC_OK);
    const unsigned char *memory = reader.buffer;
    size_t capacity = reader.capacity;
    oc__wire_reader_reset(&reader);
    ck_assert_ptr_eq(reader.buffer, memory);
    ck_assert_uint_eq(reader.capacity, capacity);
    ck_assert(!reader.ended && reader.length == 0 && reader.record_count == 0);
    /* A second stream reads as if the reader were new. */
    result.value = 770;
    encoded second = encode(&result, 1, 1);
    ck_assert_int_eq(oc__wire_reader_feed(&reader, second.bytes, second.size, &error), OC_OK);
    ck_assert_int_eq(oc__wire_reader_finish(&reader, &error), OC_OK);
    oc__wire_cursor cursor = {0};
    oc__result view;
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 1);
    ck_assert(view.value == 770);
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 0);
#if OC__WIRE_STREAM_MAPPED
    /* A forked child has no copy of the stream's pages (so the host's
     * writes to them never copy a page): touching them kills it. */
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        signal(SIGSEGV, SIG_DFL);
        volatile unsigned char byte = reader.buffer[0];
        (void)byte;
        _exit(0);
    }
    int wait_status;
    ck_assert_int_eq(waitpid(child, &wait_status, 0), child);
    ck_assert_msg(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGSEGV,
                  "the child could read the reader's memory");
#endif
    oc__wire_reader_free(&reader);
    free(bytes.bytes);
    free(second.bytes);
}
END_TEST

/* The way the runner reads: straight into the reader's space, in pieces
 * of any size; and a reader reset after a failed or a rejected stream
 * reads the next one as if new. */
START_TEST(space_and_received_read_a_stream_in_pieces_and_reset_clears_failures)
{
    oc__result results[2] = {small_result(), small_result()};
    results[1].value = 6646640;
    encoded bytes = encode(results, 2, 1);
    oc__wire_reader reader;
    oc_error error;
    oc__wire_reader_init(&reader);
    for (size_t offset = 0, piece = 1; offset < bytes.size; offset += piece, piece = piece * 2 + 1) {
        if (piece > bytes.size - offset)
            piece = bytes.size - offset;
        unsigned char *space;
        ck_assert_int_eq(oc__wire_reader_space(&reader, piece, &space, &error), OC_OK);
        memcpy(space, bytes.bytes + offset, piece);
        ck_assert_int_eq(oc__wire_reader_received(&reader, piece, &error), OC_OK);
    }
    ck_assert_int_eq(oc__wire_reader_received(&reader, 0, &error), OC_OK);
    ck_assert_int_eq(oc__wire_reader_finish(&reader, &error), OC_OK);
    oc__wire_cursor cursor = {0};
    oc__result view;
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 1);
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 1);
    ck_assert(view.value == 6646640);
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), 0);

    /* A stream written into after it was checked reads as changed: the
     * first record's metric length (after the 8-byte stream header and
     * the 8-byte record header) now runs past the record. */
    ck_assert_int_eq(reader.buffer[16], 3);
    reader.buffer[16] = reader.buffer[17] = 0xFF;
    cursor = (oc__wire_cursor){0};
    ck_assert_int_eq(oc__wire_reader_next_result(&reader, &cursor, &view), -1);
    oc__result_list list = {0};
    ck_assert_int_eq(oc__wire_reader_copy_results(&reader, &list, &error), OC_ERROR_INVALID);
    ck_assert_str_eq(error.message, "a result stream changed after it was checked");
    oc__result_list_free(&list);

    /* After an ERROR stream and after a rejected one, reset reads anew. */
    static const char failure_message[] = "store wirral.h5: cannot open";
    FILE *file = tmpfile();
    oc__wire_writer writer;
    ck_assert_int_eq(oc__wire_writer_begin(&writer, fileno(file), &error), OC_OK);
    ck_assert_int_eq(oc__wire_write_error(&writer, OC_ERROR_IO, failure_message, &error), OC_OK);
    encoded failed = read_back(file);
    for (int round = 0; round < 2; round++) {
        oc__wire_reader_reset(&reader);
        if (round == 0) {
            ck_assert_int_eq(oc__wire_reader_feed(&reader, failed.bytes, failed.size, &error), OC_OK);
            ck_assert(reader.job_failed);
            ck_assert_str_eq(reader.job_message, failure_message);
        } else {
            ck_assert_int_eq(oc__wire_reader_feed(&reader, "garbage!", 8, &error), OC_ERROR_FORMAT);
            ck_assert(reader.broken);
        }
        oc__wire_reader_reset(&reader);
        ck_assert(!reader.broken && !reader.job_failed && reader.job_message == NULL);
        ck_assert_int_eq(oc__wire_reader_feed(&reader, bytes.bytes, bytes.size, &error), OC_OK);
        ck_assert_int_eq(oc__wire_reader_finish(&reader, &error), OC_OK);
        ck_assert_uint_eq(reader.record_count, 2);
    }
    oc__wire_reader_free(&reader);
    free(failed.bytes);
    free(bytes.bytes);
}
END_TEST

START_TEST(rejects_garbage_and_truncation)
{
    expect_rejection((const unsigned char *)"Segmentation fault", 18, "bad stream magic");
    expect_rejection((const unsigned char *)"", 0, "no results were sent");

    oc__result result = small_result();
    encoded good = encode(&result, 1, 1);
    /* Cut inside the END record, inside the result, and before END. */
    expect_rejection(good.bytes, good.size - 3, "truncated inside a record");
    expect_rejection(good.bytes, 20, "truncated inside a record");
    encoded no_end = encode(&result, 1, 0);
    expect_rejection(no_end.bytes, no_end.size, "without an END record after 1 results");

    /* Data after END. */
    unsigned char *extra = malloc(good.size + 1);
    memcpy(extra, good.bytes, good.size);
    extra[good.size] = OC__WIRE_RESULT;
    expect_rejection(extra, good.size + 1, "data after the end of the stream");

    /* The result record's header sits after the 8-byte stream header; the
     * metric string "abc" starts at 8 + 8 + 4 = 20. */
    unsigned char *copy = malloc(good.size);
    memcpy(copy, good.bytes, good.size);
    copy[21] = '\0';
    expect_rejection(copy, good.size, "field 'metric': string contains a NUL byte");
    memcpy(copy, good.bytes, good.size);
    copy[23] = 'd'; /* the NUL after "abc" */
    expect_rejection(copy, good.size, "field 'metric': string does not end with NUL");
    memcpy(copy, good.bytes, good.size);
    copy[8] = 9;
    expect_rejection(copy, good.size, "unknown record type 9");
    memcpy(copy, good.bytes, good.size);
    copy[4] = 1; /* version 1: strings without their final NUL */
    expect_rejection(copy, good.size, "stream version 1, expected 4");
    memcpy(copy, good.bytes, good.size);
    copy[16] = 0xFE; /* metric length low byte: 254 bytes, past the record */
    expect_rejection(copy, good.size, "string runs past the end of the record");
    memcpy(copy, good.bytes, good.size);
    copy[good.size - 8] = 5; /* END counts 5 results */
    expect_rejection(copy, good.size, "END record counts 5 results but 1 arrived");
    free(copy);
    free(extra);
    free(no_end.bytes);
    free(good.bytes);
}
END_TEST

START_TEST(rejects_oversize_record_before_buffering_it)
{
    /* A header and a record claiming 2 MiB: refused as soon as the length
     * arrives, without waiting for (or buffering) the payload. */
    unsigned char bytes[16] = {'O', 'C', 'W', 'R', OC__WIRE_VERSION, 0, 0, 0, OC__WIRE_RESULT, 0, 0, 0,
                               0x00, 0x00, 0x20, 0x00};
    expect_rejection(bytes, sizeof bytes, "record of 2097152 bytes exceeds the 1048576-byte limit");

    /* A flood of garbage larger than the cap fails within its first chunk. */
    size_t size = 3u * 1024u * 1024u;
    unsigned char *flood = malloc(size);
    memset(flood, 0xA5, size);
    oc__wire_reader reader;
    oc_error error;
    oc__wire_reader_init(&reader);
    ck_assert_int_eq(oc__wire_reader_feed(&reader, flood, size, &error), OC_ERROR_FORMAT);
    ck_assert_uint_le(reader.capacity, OC__WIRE_RECORD_MAX + 16);
    oc__wire_reader_free(&reader);
    free(flood);
}
END_TEST

START_TEST(error_record_carries_the_job_failure)
{
    FILE *file = tmpfile();
    oc__wire_writer writer;
    oc_error error;
    oc__result result = small_result();
    ck_assert_int_eq(oc__wire_writer_begin(&writer, fileno(file), &error), OC_OK);
    ck_assert_int_eq(oc__wire_write_result(&writer, &result, &error), OC_OK);
    ck_assert_int_eq(oc__wire_write_error(&writer, OC_ERROR_CONFIG, "store missing.h5: not found",
                                          &error), OC_OK);
    ck_assert_int_eq(oc__wire_write_end(&writer, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(fseek(file, 0, SEEK_END), 0);
    encoded bytes = read_back(file);
    oc__result_list list = {0};
    oc__wire_reader reader;
    ck_assert_int_eq(decode(bytes.bytes, bytes.size, 7, &list, &error, &reader), OC_OK);
    ck_assert(reader.job_failed);
    ck_assert_int_eq(reader.job_status, OC_ERROR_CONFIG);
    ck_assert_str_eq(reader.job_message, "store missing.h5: not found");
    ck_assert_uint_eq(list.count, 1);
    oc__result_list_free(&list);
    oc__wire_reader_free(&reader);
    free(bytes.bytes);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("wire");
    TCase *tests = tcase_create("wire");
    tcase_add_test(tests, round_trip_every_field);
    tcase_add_test(tests, views_point_into_the_kept_stream);
    tcase_add_test(tests, repeated_strings_are_sent_once_and_repeat_their_address);
    tcase_add_test(tests, a_cursor_survives_the_stream_growing_and_cannot_start_midway);
    tcase_add_test(tests, a_cursor_follows_a_stream_that_moved);
    tcase_add_test(tests, a_reset_reader_reuses_its_memory_which_children_do_not_inherit);
    tcase_add_test(tests, space_and_received_read_a_stream_in_pieces_and_reset_clears_failures);
    tcase_add_test(tests, writer_buffers_and_keeps_order);
    tcase_add_test(tests, writer_keeps_what_a_busy_reader_cannot_take);
    tcase_add_test(tests, writer_refuses_overlong_string);
    tcase_add_test(tests, rejects_garbage_and_truncation);
    tcase_add_test(tests, rejects_oversize_record_before_buffering_it);
    tcase_add_test(tests, error_record_carries_the_job_failure);
    suite_add_tcase(suite, tests);
    return check_runner_run_suite(suite);
}
