/* error.c: the error buffer and status names every unit of the API shares. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outcomes/common.h>

#include "commands.h"
#include "utf8.h"

int oc_error_set(oc_error *error, int status, const char *format, ...)
{
    if (error != NULL) {
        va_list args;
        error->status = status;
        va_start(args, format);
        vsnprintf(error->message, sizeof error->message, format, args);
        va_end(args);
    }
    return status;
}

void oc_error_clear(oc_error *error)
{
    if (error != NULL) {
        error->status = OC_OK;
        error->message[0] = '\0';
    }
}

const char *oc_status_name(int status)
{
    switch (status) {
    case OC_OK: return "ok";
    case OC_ERROR_INVALID: return "invalid argument";
    case OC_ERROR_NO_MEMORY: return "out of memory";
    case OC_ERROR_IO: return "input/output error";
    case OC_ERROR_FORMAT: return "malformed data";
    case OC_ERROR_NOT_FOUND: return "not found";
    case OC_ERROR_INSUFFICIENT_DATA: return "insufficient data";
    case OC_ERROR_PLUGIN: return "plugin failure";
    case OC_ERROR_CONFIG: return "configuration error";
    default: return "unknown status";
    }
}

const char *oc_version(void)
{
    return PACKAGE_VERSION;
}

/* Writes text to stream with every byte that would break the one line or
 * the terminal escaped: C0 controls and DEL (\n, \r, \t by name, the rest
 * as \x1b), the C1 controls U+0080 to U+009F (their two bytes, \xc2\x9b:
 * some terminals obey U+009B as an escape), and bytes that are not valid
 * UTF-8 (\xNN each). Valid UTF-8 (an accented letter, a pound sign)
 * passes unchanged. A backslash is left alone: paths and values are quoted as
 * they appear in the file, and the escapes only stand where the input has
 * a byte that could not be shown anyway. */
static void print_escaped(FILE *stream, const char *text)
{
    const unsigned char *cursor = (const unsigned char *)text;
    while (*cursor != '\0') {
        size_t length = oc__utf8_sequence_length(cursor);
        int is_c1_control = length == 2 && cursor[0] == 0xc2 && cursor[1] < 0xa0;
        if (length == 1 && *cursor >= 0x20 && *cursor != 0x7f) {
            putc(*cursor, stream);
        } else if (length == 1 && *cursor == '\n') {
            fputs("\\n", stream);
        } else if (length == 1 && *cursor == '\r') {
            fputs("\\r", stream);
        } else if (length == 1 && *cursor == '\t') {
            fputs("\\t", stream);
        } else if (length <= 1 || is_c1_control) {
            size_t escaped = length == 0 ? 1 : length;
            for (size_t i = 0; i < escaped; i++)
                fprintf(stream, "\\x%02x", cursor[i]);
        } else {
            fwrite(cursor, 1, length, stream);
        }
        cursor += length == 0 ? 1 : length;
    }
}

/* Lives here, in the library, rather than in cli.c: the commands are part
 * of libocinternal (and so of liboutcomes.so), which must not depend on a
 * symbol only the executable defines, or loading a plugin that links
 * liboutcomes fails with "undefined symbol: oc__print_error".
 *
 * The escaping is done here, once, rather than where each message is
 * built: any message may quote a value, a path or a plugin's text. */
void oc__print_error(const char *format, ...)
{
    char buffer[2 * OC_ERROR_MESSAGE_SIZE];
    char *message = buffer;
    va_list args;
    va_start(args, format);
    int length = vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (length < 0) {
        snprintf(buffer, sizeof buffer, "(an error message could not be formatted: %s)",
                 format);
    } else if ((size_t)length >= sizeof buffer) {
        /* Without memory the start of the message is still worth printing. */
        char *whole = malloc((size_t)length + 1);
        if (whole != NULL) {
            va_start(args, format);
            vsnprintf(whole, (size_t)length + 1, format, args);
            va_end(args);
            message = whole;
        }
    }
    flockfile(stderr);
    fputs("outcomes: ", stderr);
    print_escaped(stderr, message);
    fputc('\n', stderr);
    funlockfile(stderr);
    if (message != buffer)
        free(message);
}
