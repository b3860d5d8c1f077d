/* test_utf8.c: core/utf8.c against a second definition of UTF-8 written
 * from the standard's arithmetic (decode the bits; the code point must
 * need exactly that many bytes, be no surrogate and be at most U+10FFFF)
 * rather than from the byte ranges utf8.c tests, over every sequence of
 * one to three bytes and every lead and second byte of four-byte ones. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_runner.h"
#include "utf8.h"

/* The length of the valid sequence at bytes[0..available), else 0. */
static size_t reference_length(const unsigned char *bytes, size_t available)
{
    unsigned char lead = bytes[0];
    size_t length = lead < 0x80 ? 1 : (lead & 0xe0) == 0xc0 ? 2 : (lead & 0xf0) == 0xe0 ? 3
                                    : (lead & 0xf8) == 0xf0 ? 4 : 0;
    if (length == 0 || length > available)
        return 0;
    uint32_t code_point = length == 1 ? lead : lead & (0x7fu >> length);
    for (size_t i = 1; i < length; i++) {
        if ((bytes[i] & 0xc0) != 0x80)
            return 0;
        code_point = code_point << 6 | (bytes[i] & 0x3fu);
    }
    static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < smallest[length] || code_point > 0x10ffff
        || (code_point >= 0xd800 && code_point <= 0xdfff))
        return 0;
    return length;
}

/* Checks the sequence (NUL-terminated after count bytes) both ways. */
static void check_sequence(const unsigned char *bytes, size_t count)
{
    unsigned char text[5] = {0};
    memcpy(text, bytes, count);
    size_t expected = reference_length(text, count);
    size_t got = oc__utf8_sequence_length(text);
    /* not ck_assert_msg, which records a mark per call: 16 million here */
    if (got != expected)
        ck_abort_msg("%02x %02x %02x %02x: %zu, expected %zu", text[0], text[1], text[2], text[3],
                     got, expected);
}

START_TEST(every_short_sequence_agrees_with_the_definition)
{
    unsigned char bytes[4];
    for (unsigned a = 1; a < 256; a++) {
        bytes[0] = (unsigned char)a;
        check_sequence(bytes, 1);
        for (unsigned b = 1; b < 256; b++) {
            bytes[1] = (unsigned char)b;
            check_sequence(bytes, 2);
            for (unsigned c = 1; c < 256; c++) {
                bytes[2] = (unsigned char)c;
                check_sequence(bytes, 3);
            }
        }
    }
}
END_TEST

START_TEST(four_byte_sequences_agree_with_the_definition)
{
    static const unsigned char tails[] = {0x01, 0x41, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
    unsigned char bytes[4];
    for (unsigned a = 0xe0; a < 256; a++)
        for (unsigned b = 1; b < 256; b++)
            for (size_t c = 0; c < sizeof tails; c++)
                for (size_t d = 0; d < sizeof tails; d++) {
                    bytes[0] = (unsigned char)a, bytes[1] = (unsigned char)b;
                    bytes[2] = tails[c], bytes[3] = tails[d];
                    check_sequence(bytes, 4);
                }
}
END_TEST

START_TEST(the_first_invalid_byte_is_found)
{
    ck_assert_uint_eq(oc__utf8_invalid_offset(""), OC__UTF8_VALID);
    ck_assert_uint_eq(oc__utf8_invalid_offset("Ynys M\xc3\xb4n \xe2\x82\xac \xf0\x9f\x98\x80"),
                      OC__UTF8_VALID);
    /* Latin-1, as a spreadsheet saves "Ynys Môn" */
    ck_assert_uint_eq(oc__utf8_invalid_offset("Ynys M\xf4n"), 6);
    /* a sequence cut short by the end of the text */
    ck_assert_uint_eq(oc__utf8_invalid_offset("ab\xe2\x82"), 2);
    /* a stray continuation byte after valid multi-byte text */
    ck_assert_uint_eq(oc__utf8_invalid_offset("\xc3\xa9\x80"), 2);
    /* overlong "/" and a UTF-16 surrogate */
    ck_assert_uint_eq(oc__utf8_invalid_offset("x\xc0\xaf"), 1);
    ck_assert_uint_eq(oc__utf8_invalid_offset("xy\xed\xa0\x80"), 2);
}
END_TEST

START_TEST(the_first_control_character_is_found)
{
    ck_assert_uint_eq(oc__text_control_offset(""), OC__TEXT_NO_CONTROL);
    /* UTF-8 text, C1 range bytes of valid sequences included, is text */
    ck_assert_uint_eq(oc__text_control_offset("Ynys M\xc3\xb4n \xc2\xa3 ~"), OC__TEXT_NO_CONTROL);
    ck_assert_uint_eq(oc__text_control_offset("E1\033[2K"), 2);
    ck_assert_uint_eq(oc__text_control_offset("a\tb"), 1);
    ck_assert_uint_eq(oc__text_control_offset("\nx"), 0);
    ck_assert_uint_eq(oc__text_control_offset("DEL\x7f"), 3);
    ck_assert_uint_eq(oc__text_control_offset("x\x1f"), 1);
    /* every byte from 0x20 to 0x7E, and none below or at DEL, is text */
    for (int byte = 1; byte < 0x80; byte++) {
        char text[2] = {(char)byte, '\0'};
        ck_assert_uint_eq(oc__text_control_offset(text),
                          byte < 0x20 || byte == 0x7F ? 0 : OC__TEXT_NO_CONTROL);
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("utf8");
    TCase *tcase = tcase_create("utf8");
    tcase_add_test(tcase, every_short_sequence_agrees_with_the_definition);
    tcase_add_test(tcase, four_byte_sequences_agree_with_the_definition);
    tcase_add_test(tcase, the_first_invalid_byte_is_found);
    tcase_add_test(tcase, the_first_control_character_is_found);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
