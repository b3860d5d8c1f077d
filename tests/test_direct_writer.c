/* test_direct_writer.c: output written past the page cache by a thread
 * (core/direct_writer.c, through the output buffer of core/output.c)
 * arrives whole and in order whatever its size and however its pieces
 * fall across blocks; a piece larger than a block's slack, a stream that
 * is not a regular file and a failed write each take the ordinary way or
 * give the ordinary error; a writer dropped midway stops cleanly. */
#define _GNU_SOURCE /* O_DIRECT */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_runner.h"
#include "direct_writer.h"
#include "output.h"
#include "temporary_directory.h"

/* The byte at offset i of every test's output: not periodic in any block
 * size, so a block written twice, skipped or out of place shows. */
static char pattern_byte(size_t i)
{
    return (char)('a' + (i * 7 + i / 4093) % 26);
}

static void fill_pattern(char *data, size_t from, size_t length)
{
    for (size_t i = 0; i < length; i++)
        data[i] = pattern_byte(from + i);
}

/* A deterministic sequence of piece sizes: mostly a few bytes, as the JSON
 * writer appends them, now and then a few thousand. */
static unsigned long long random_state;

static size_t next_piece_size(void)
{
    random_state = random_state * 6364136223846793005ull + 1442695040888963407ull;
    unsigned value = (unsigned)(random_state >> 33);
    return value % 16 == 0 ? 1 + value % 5000 : 1 + value % 40;
}

static void assert_file_is_pattern(const char *path, size_t length)
{
    FILE *file = fopen(path, "rb");
    ck_assert_ptr_nonnull(file);
    char *data = malloc(length + 1);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(fread(data, 1, length + 1, file), length);
    fclose(file);
    for (size_t i = 0; i < length; i++)
        if (data[i] != pattern_byte(i))
            ck_abort_msg("%s: byte %zu of %zu is '%c', expected '%c'", path, i, length, data[i],
                         pattern_byte(i));
    free(data);
}

/* Writes length bytes of the pattern through a buffer that bypasses the
 * cache, half appended and half formatted in place (reserve and commit),
 * then a tail through stdio after the flush, as the JSON writer's end
 * does. */
static void write_through_buffer(const char *path, size_t length, size_t tail, int expect_direct)
{
    FILE *stream = fopen(path, "wb");
    ck_assert_ptr_nonnull(stream);
    oc__output_buffer buffer;
    oc__output_buffer_init(&buffer, stream);
    oc__output_buffer_bypass_cache(&buffer);
    ck_assert_int_eq(buffer.direct != NULL, expect_direct);
    random_state = length;
    char piece[5000];
    int in_place = 0;
    for (size_t done = 0; done < length;) {
        size_t size = next_piece_size();
        if (size > length - done)
            size = length - done;
        if (in_place) {
            char *room = oc__output_buffer_reserve(&buffer, size);
            ck_assert_ptr_nonnull(room);
            fill_pattern(room, done, size);
            oc__output_buffer_commit(&buffer, size);
        } else {
            fill_pattern(piece, done, size);
            oc__output_buffer_append(&buffer, piece, size);
        }
        in_place = !in_place;
        done += size;
    }
    oc_error error;
    ck_assert_int_eq(oc__output_buffer_flush(&buffer, "the test", &error), OC_OK);
    ck_assert_ptr_null(buffer.direct);
    for (size_t i = 0; i < tail; i++)
        fputc(pattern_byte(length + i), stream);
    oc__output_buffer_free(&buffer);
    ck_assert_int_eq(fclose(stream), 0);
    assert_file_is_pattern(path, length + tail);
}

/* Around every edge: nothing, less than a page, a block and one byte to
 * either side, more blocks than the writer keeps (so blocks are reused). */
START_TEST(every_size_arrives_whole_and_in_order)
{
    const size_t block = OC__DIRECT_BLOCK_SIZE;
    const size_t sizes[] = {0, 1, 4095, 4096, block - 1, block, block + 1, 2 * block + 4097,
                            (OC__DIRECT_BLOCKS + 2) * block + 12345};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        write_through_buffer(test_path("out"), sizes[i], i % 2 == 0 ? 0 : 100, 1);
}
END_TEST

/* A piece that does not fit in what is left of the block and its slack
 * cannot be formatted in place: from there on the output goes through
 * stdio, after what came before. */
START_TEST(a_piece_beyond_the_slack_goes_the_ordinary_way)
{
    const size_t before = OC__DIRECT_BLOCK_SIZE - 10, big = 2 * OC__DIRECT_SLACK + 3;
    FILE *stream = fopen(test_path("out"), "wb");
    ck_assert_ptr_nonnull(stream);
    oc__output_buffer buffer;
    oc__output_buffer_init(&buffer, stream);
    oc__output_buffer_bypass_cache(&buffer);
    ck_assert_ptr_nonnull(buffer.direct);
    char *data = malloc(before + big + 10);
    ck_assert_ptr_nonnull(data);
    fill_pattern(data, 0, before + big + 10);
    oc__output_buffer_append(&buffer, data, before);
    oc__output_buffer_append(&buffer, data + before, big);
    ck_assert_ptr_null(buffer.direct);
    oc__output_buffer_append(&buffer, data + before + big, 10);
    oc_error error;
    ck_assert_int_eq(oc__output_buffer_flush(&buffer, "the test", &error), OC_OK);
    oc__output_buffer_free(&buffer);
    ck_assert_int_eq(fclose(stream), 0);
    free(data);
    assert_file_is_pattern(test_path("out"), before + big + 10);
}
END_TEST

/* A pipe is not a file to bypass the cache of: the buffer stays as it was
 * and the output is the same. */
START_TEST(a_stream_that_is_not_a_file_is_written_as_before)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    oc__direct_writer *writer;
    ck_assert_int_eq(oc__direct_writer_start(fds[1], &writer), ENOTSUP);
    ck_assert_ptr_null(writer);
    FILE *stream = fdopen(fds[1], "wb");
    ck_assert_ptr_nonnull(stream);
    oc__output_buffer buffer;
    oc__output_buffer_init(&buffer, stream);
    oc__output_buffer_bypass_cache(&buffer);
    ck_assert_ptr_null(buffer.direct);
    oc__output_buffer_append(&buffer, "abc", 3);
    oc_error error;
    ck_assert_int_eq(oc__output_buffer_flush(&buffer, "the test", &error), OC_OK);
    oc__output_buffer_free(&buffer);
    ck_assert_int_eq(fclose(stream), 0);
    char read_back[4] = {0};
    ck_assert_int_eq(read(fds[0], read_back, sizeof read_back), 3);
    ck_assert_str_eq(read_back, "abc");
    close(fds[0]);
}
END_TEST

/* Once something is written the file's offset is not 0 and the blocks
 * would not start at their places: the buffer declines. */
START_TEST(a_file_already_written_is_not_bypassed)
{
    FILE *stream = fopen(test_path("out"), "wb");
    ck_assert_ptr_nonnull(stream);
    fputs("header", stream);
    oc__output_buffer buffer;
    oc__output_buffer_init(&buffer, stream);
    oc__output_buffer_bypass_cache(&buffer);
    ck_assert_ptr_null(buffer.direct);
    oc__output_buffer_free(&buffer);
    fclose(stream);
}
END_TEST

/* A write the system refuses (here a file-size limit, as a full disk
 * would) is reported by the flush with the system's reason, the writer
 * stops, and nothing hangs: checked in a child, whose limit dies with it. */
START_TEST(a_failed_write_is_reported_by_the_flush)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {OC__DIRECT_BLOCK_SIZE + 4096, OC__DIRECT_BLOCK_SIZE + 4096};
        if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
            _exit(10);
        FILE *stream = fopen(test_path("out"), "wb");
        if (stream == NULL)
            _exit(11);
        oc__output_buffer buffer;
        oc__output_buffer_init(&buffer, stream);
        oc__output_buffer_bypass_cache(&buffer);
        if (buffer.direct == NULL)
            _exit(12);
        char piece[1000];
        memset(piece, 'x', sizeof piece);
        for (size_t done = 0; done < 6 * OC__DIRECT_BLOCK_SIZE; done += sizeof piece)
            oc__output_buffer_append(&buffer, piece, sizeof piece);
        oc_error error;
        int status = oc__output_buffer_flush(&buffer, "JSON", &error);
        oc__output_buffer_free(&buffer);
        fclose(stream);
        char expected[200];
        snprintf(expected, sizeof expected, "write failed while writing JSON: %s", strerror(EFBIG));
        _exit(status == OC_ERROR_IO && strcmp(error.message, expected) == 0 ? 0 : 13);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* Dropped midway (another error ended the run): the thread finishes what
 * it was given and stops; nothing leaks (the sanitizers check). */
START_TEST(a_writer_dropped_midway_stops)
{
    int fd = open(test_path("out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    oc__direct_writer *writer;
    ck_assert_int_eq(oc__direct_writer_start(fd, &writer), 0);
    char *block = oc__direct_writer_block(writer);
    for (int i = 0; i < 2 * OC__DIRECT_BLOCKS; i++) {
        fill_pattern(block, (size_t)i * OC__DIRECT_BLOCK_SIZE, OC__DIRECT_BLOCK_SIZE);
        block = oc__direct_writer_submit(writer, 0);
        ck_assert_ptr_nonnull(block);
    }
    oc__direct_writer_free(writer);
    /* The blocks given were all written, and fd is ordinary again. */
    ck_assert_int_eq(fcntl(fd, F_GETFL) & O_DIRECT, 0);
    close(fd);
    assert_file_is_pattern(test_path("out"), 2 * OC__DIRECT_BLOCKS * OC__DIRECT_BLOCK_SIZE);
    oc__direct_writer_free(NULL);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("direct_writer");
    TCase *tests = tcase_create("direct_writer");
    tcase_add_checked_fixture(tests, make_test_directory, remove_test_directory);
    tcase_set_timeout(tests, 60);
    tcase_add_test(tests, every_size_arrives_whole_and_in_order);
    tcase_add_test(tests, a_piece_beyond_the_slack_goes_the_ordinary_way);
    tcase_add_test(tests, a_stream_that_is_not_a_file_is_written_as_before);
    tcase_add_test(tests, a_file_already_written_is_not_bypassed);
    tcase_add_test(tests, a_failed_write_is_reported_by_the_flush);
    tcase_add_test(tests, a_writer_dropped_midway_stops);
    suite_add_tcase(suite, tests);
    return check_runner_run_suite(suite);
}
