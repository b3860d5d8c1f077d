/*
 * utf8.h: what counts as valid UTF-8, in one place: the writers replace
 * what is not (so results are always valid JSON), and the CSV importer
 * refuses it (so a spreadsheet saved in another encoding is caught where
 * it can still be fixed, not printed as U+FFFD in every result).
 */
#ifndef OC_UTF8_H
#define OC_UTF8_H

#include <stddef.h>

/* Returned by oc__utf8_invalid_offset for text that is all valid. */
#define OC__UTF8_VALID ((size_t)-1)

/* The length (1 to 4) of the valid UTF-8 sequence that starts at text,
 * or 0 when the bytes there are not one: a stray continuation byte, a
 * truncated sequence (text must be NUL-terminated, so none is read past
 * its end), an overlong form, a UTF-16 surrogate or a code point beyond
 * U+10FFFF, the same rules JSON parsers apply. */
size_t oc__utf8_sequence_length(const unsigned char *text);

/* The offset of the first byte of the NUL-terminated text that does not
 * start a valid sequence, or OC__UTF8_VALID. */
size_t oc__utf8_invalid_offset(const char *text);

/* Returned by oc__text_control_offset for text without control characters. */
#define OC__TEXT_NO_CONTROL ((size_t)-1)

/* The offset of the first control character (C0, 0x00-0x1F, or DEL) in
 * the NUL-terminated text, or OC__TEXT_NO_CONTROL when it has none: names,
 * units and descriptions are text shown in results and on terminals, where
 * an escape sequence or a line break would redraw or split what prints
 * them (docs/store-format.md). */
size_t oc__text_control_offset(const char *text);

#endif
