/* utf8.c: UTF-8 validity (see utf8.h). */
#include "config.h"

#include "utf8.h"

size_t oc__utf8_sequence_length(const unsigned char *text)
{
    unsigned char lead = text[0];
    if (lead < 0x80)
        return 1;
    size_t length;
    unsigned char second_low = 0x80, second_high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf)
        length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0)
            second_low = 0xa0;
        else if (lead == 0xed)
            second_high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0)
            second_low = 0x90;
        else if (lead == 0xf4)
            second_high = 0x8f;
    } else
        return 0;
    if (text[1] < second_low || text[1] > second_high)
        return 0;
    for (size_t i = 2; i < length; i++)
        if (text[i] < 0x80 || text[i] > 0xbf)
            return 0;
    return length;
}

size_t oc__utf8_invalid_offset(const char *text)
{
    const unsigned char *start = (const unsigned char *)text, *cursor = start;
    while (*cursor != '\0') {
        if (*cursor < 0x80) { /* most text: no call per byte */
            cursor++;
            continue;
        }
        size_t length = oc__utf8_sequence_length(cursor);
        if (length == 0)
            return (size_t)(cursor - start);
        cursor += length;
    }
    return OC__UTF8_VALID;
}

size_t oc__text_control_offset(const char *text)
{
    for (size_t i = 0; text[i] != '\0'; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7F)
            return i;
    return OC__TEXT_NO_CONTROL;
}
