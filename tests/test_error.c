/* test_error.c: unit tests for core/error.c: the error buffer, and the
 * host's one-line error printing, which must keep a message quoting a
 * control character, an escape sequence or bytes that are not UTF-8 on
 * one line and harmless to the terminal. stderr is captured in a file. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <outcomes/common.h>

#include "check_runner.h"
#include "commands.h"

/* stderr goes to a temporary file from capture_start to capture_end,
 * which returns what was written, newly allocated. */
typedef struct capture {
    FILE *file;
    int saved_stderr;
} capture;

static capture capture_start(void)
{
    capture started = {tmpfile(), -1};
    ck_assert_ptr_nonnull(started.file);
    fflush(stderr);
    started.saved_stderr = dup(STDERR_FILENO);
    ck_assert_int_ge(started.saved_stderr, 0);
    ck_assert_int_ge(dup2(fileno(started.file), STDERR_FILENO), 0);
    return started;
}

static char *capture_end(capture started)
{
    fflush(stderr);
    ck_assert_int_ge(dup2(started.saved_stderr, STDERR_FILENO), 0);
    close(started.saved_stderr);
    off_t size = lseek(fileno(started.file), 0, SEEK_END);
    ck_assert_int_ge(size, 0);
    char *text = calloc((size_t)size + 1, 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(pread(fileno(started.file), text, (size_t)size, 0), size);
    fclose(started.file);
    return text;
}

/* What oc__print_error printed for message (given through "%s", as the
 * commands print an oc_error), newly allocated. */
static char *printed_for(const char *message)
{
    capture started = capture_start();
    oc__print_error("%s", message);
    return capture_end(started);
}

static void assert_printed(const char *message, const char *expected)
{
    char *text = printed_for(message);
    ck_assert_str_eq(text, expected);
    free(text);
}

START_TEST(test_plain_message_is_unchanged)
{
    assert_printed("demo.ini: [m] areas: 'E1' is not an area",
                   "outcomes: demo.ini: [m] areas: 'E1' is not an area\n");
    assert_printed("", "outcomes: \n");
}
END_TEST

START_TEST(test_arguments_are_formatted)
{
    capture started = capture_start();
    oc__print_error("%s: line %d: '%s'", "a.ini", 7, "x\ny");
    char *text = capture_end(started);
    ck_assert_str_eq(text, "outcomes: a.ini: line 7: 'x\\ny'\n");
    free(text);
}
END_TEST

START_TEST(test_control_characters_are_escaped)
{
    assert_printed("format '12\r34'", "outcomes: format '12\\r34'\n");
    assert_printed("a\nb\tc", "outcomes: a\\nb\\tc\n");
    assert_printed("'E1\x1b[2K\rFAKE_OK'", "outcomes: 'E1\\x1b[2K\\rFAKE_OK'\n");
    assert_printed("\x01\x07\x08\x0b\x0c\x1f\x7f", "outcomes: \\x01\\x07\\x08\\x0b\\x0c\\x1f\\x7f\n");
    /* C1 controls are valid UTF-8, but U+009B is CSI to some terminals */
    assert_printed("a\xc2\x9b" "2Jb\xc2\x85", "outcomes: a\\xc2\\x9b2Jb\\xc2\\x85\n");
}
END_TEST

START_TEST(test_invalid_utf8_is_escaped)
{
    assert_printed("Latin-1 M\xf4n", "outcomes: Latin-1 M\\xf4n\n");
    assert_printed("\xff\xfe", "outcomes: \\xff\\xfe\n");
    /* truncated at the end, overlong, a surrogate, a stray continuation */
    assert_printed("cut \xc3", "outcomes: cut \\xc3\n");
    assert_printed("\xc0\xaf", "outcomes: \\xc0\\xaf\n");
    assert_printed("\xed\xa0\x80", "outcomes: \\xed\\xa0\\x80\n");
    assert_printed("\x80x", "outcomes: \\x80x\n");
}
END_TEST

START_TEST(test_valid_utf8_and_backslashes_pass)
{
    assert_printed("Ynys M\xc3\xb4n, \xc2\xa3" "6,646,640, \xe2\x80\x94, \xf0\x9f\x93\x88",
                   "outcomes: Ynys M\xc3\xb4n, \xc2\xa3" "6,646,640, \xe2\x80\x94, \xf0\x9f\x93\x88\n");
    /* U+00A0, the first code point after the C1 controls */
    assert_printed("\xc2\xa0", "outcomes: \xc2\xa0\n");
    assert_printed("C:\\data\\n.h5", "outcomes: C:\\data\\n.h5\n");
}
END_TEST

START_TEST(test_long_message_is_whole_and_one_line)
{
    size_t length = 5 * OC_ERROR_MESSAGE_SIZE;
    char *message = malloc(length + 1);
    ck_assert_ptr_nonnull(message);
    memset(message, 'a', length);
    message[length] = '\0';
    message[length - 2] = '\n';
    char *text = printed_for(message);
    ck_assert_uint_eq(strlen(text), strlen("outcomes: ") + length + 1 + 1);
    ck_assert_str_eq(text + strlen(text) - 4, "\\na\n");
    ck_assert_ptr_eq(strchr(text, '\n'), text + strlen(text) - 1);
    free(text);
    free(message);
}
END_TEST

START_TEST(test_error_set_and_clear)
{
    oc_error error;
    ck_assert_int_eq(oc_error_set(&error, OC_ERROR_CONFIG, "%s %d", "x", 3), OC_ERROR_CONFIG);
    ck_assert_int_eq(error.status, OC_ERROR_CONFIG);
    ck_assert_str_eq(error.message, "x 3");
    oc_error_clear(&error);
    ck_assert_int_eq(error.status, OC_OK);
    ck_assert_str_eq(error.message, "");
    ck_assert_int_eq(oc_error_set(NULL, OC_ERROR_IO, "ignored"), OC_ERROR_IO);
}
END_TEST

static Suite *error_suite(void)
{
    Suite *suite = suite_create("error");
    TCase *printing = tcase_create("printing");
    tcase_add_test(printing, test_plain_message_is_unchanged);
    tcase_add_test(printing, test_arguments_are_formatted);
    tcase_add_test(printing, test_control_characters_are_escaped);
    tcase_add_test(printing, test_invalid_utf8_is_escaped);
    tcase_add_test(printing, test_valid_utf8_and_backslashes_pass);
    tcase_add_test(printing, test_long_message_is_whole_and_one_line);
    suite_add_tcase(suite, printing);
    TCase *buffer = tcase_create("buffer");
    tcase_add_test(buffer, test_error_set_and_clear);
    suite_add_tcase(suite, buffer);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(error_suite());
}
