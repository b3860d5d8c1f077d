/* output_csv.c: results as CSV for spreadsheets (RFC 4180). libcsv does
 * the quoting; this file only decides what goes in each field: strings
 * quoted (so an empty string "" differs from a null), numbers in their
 * shortest exact form, nulls as empty unquoted fields. Rows are gathered in
 * a block buffer and each distinct string is quoted once (output.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "output.h"

/* A string quoted by libcsv (always quoted, so "" differs from a null),
 * invalid UTF-8 replaced first. */
static int escape_csv_string(const char *text, char **escaped, size_t *length)
{
    char *repaired = oc__output_valid_utf8(text);
    if (repaired == NULL)
        return -1;
    size_t repaired_length = strlen(repaired);
    size_t capacity = 2 * repaired_length + 3; /* every byte a quote, plus the two around */
    char *quoted = malloc(capacity);
    if (quoted == NULL) {
        free(repaired);
        return -1;
    }
    size_t needed = csv_write(quoted, capacity, repaired, repaired_length);
    free(repaired);
    if (needed >= capacity) {
        free(quoted);
        return -1;
    }
    quoted[needed] = '\0';
    *escaped = quoted;
    *length = needed;
    return 0;
}

/* Room for a whole row written without going through the buffer: a
 * comma and a value of at most OC__OUTPUT_WRITTEN_MAX bytes for each
 * field (a string from its cache's kept copy is copied whole; a number
 * writes at most 40), and the line's end. */
#define FIELD_ROOM(member) +1 + OC__OUTPUT_WRITTEN_MAX
enum { ROW_ROOM = 2 OC__RESULT_FIELDS(FIELD_ROOM, FIELD_ROOM, FIELD_ROOM) };
#undef FIELD_ROOM

/* A row: the fields written out one by one (OC__RESULT_FIELDS), a comma
 * before each but the first, through a cursor of its own (as the JSON
 * writer's results, output_json.c). Strings go through the column's
 * cache; a null string or number is an empty field. -1 when out of
 * memory. */
static int append_row(oc__output_buffer *buffer, oc__output_cache *caches,
                      oc__output_number_cache *numbers, const oc__result *result)
{
    char *at = oc__output_buffer_reserve(buffer, ROW_ROOM);
    if (at == NULL)
        return -1;
    size_t column = 0;
#define CSV_STRING_VALUE(text)                                                                  \
    if (column > 0)                                                                            \
        *at++ = ',';                                                                           \
    if ((text) != NULL                                                                         \
        && oc__output_cache_put(&caches[column], (text), escape_csv_string, buffer, &at,      \
                                ROW_ROOM) != 0)                                                \
        return -1;                                                                             \
    column++;
#define CSV_STRING(member) CSV_STRING_VALUE(result->member)
#define CSV_STATUS(member) CSV_STRING_VALUE(oc__result_status_name(result->member))
#define CSV_NUMBER(member)                                                                      \
    if (column > 0)                                                                            \
        *at++ = ',';                                                                           \
    if (isfinite(result->member))                                                              \
        at += oc__output_number_cache_format(numbers, oc__output_format_double, result->member, \
                                             at);                                              \
    column++;
    OC__RESULT_FIELDS(CSV_STRING, CSV_NUMBER, CSV_STATUS)
#undef CSV_STRING_VALUE
#undef CSV_STRING
#undef CSV_STATUS
#undef CSV_NUMBER
    memcpy(at, "\r\n", 2);
    oc__output_buffer_commit_to(buffer, at + 2);
    return 0;
}

/* The column names are plain [a-z_] identifiers: nothing to quote. */
int oc__output_csv_begin(oc__output_writer *writer, oc_error *error)
{
    (void)error;
    for (size_t i = 0; i < oc__output_column_count; i++) {
        if (i > 0)
            oc__output_buffer_append(&writer->buffer, ",", 1);
        oc__output_buffer_append(&writer->buffer, oc__output_column_names[i],
                                 strlen(oc__output_column_names[i]));
    }
    oc__output_buffer_append(&writer->buffer, "\r\n", 2);
    return OC_OK;
}

int oc__output_csv_add(oc__output_writer *writer, const oc__result *result, oc_error *error)
{
    if (append_row(&writer->buffer, writer->caches, &writer->numbers, result) != 0)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while writing CSV");
    return OC_OK;
}
