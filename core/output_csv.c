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

static int append_row(oc__output_buffer *buffer, oc__output_cache *caches,
                      const oc__result *result)
{
    for (size_t i = 0; i < oc__output_column_count; i++) {
        const oc__output_column *column = &oc__output_columns[i];
        if (i > 0)
            oc__output_buffer_append(buffer, ",", 1);
        const char *text = NULL;
        switch (column->type) {
        case OC_COLUMN_STRING:
            text = oc__output_column_string(column, result);
            break;
        case OC_COLUMN_NUMBER: {
            double number = oc__output_column_number(column, result);
            if (isfinite(number)) {
                char digits[32];
                size_t length = oc__output_format_double(number, digits);
                oc__output_buffer_append(buffer, digits, length);
            }
            break;
        }
        case OC_COLUMN_STATUS:
            text = oc__result_status_name(result->status);
            break;
        }
        if (text != NULL && oc__output_cache_append(&caches[i], text, escape_csv_string, buffer)
                                != 0)
            return -1;
    }
    oc__output_buffer_append(buffer, "\r\n", 2);
    return 0;
}

/* The column names are plain [a-z_] identifiers: nothing to quote. */
int oc__output_csv_begin(oc__output_writer *writer, oc_error *error)
{
    (void)error;
    for (size_t i = 0; i < oc__output_column_count; i++) {
        if (i > 0)
            oc__output_buffer_append(&writer->buffer, ",", 1);
        oc__output_buffer_append(&writer->buffer, oc__output_columns[i].name,
                                 strlen(oc__output_columns[i].name));
    }
    oc__output_buffer_append(&writer->buffer, "\r\n", 2);
    return OC_OK;
}

int oc__output_csv_add(oc__output_writer *writer, const oc__result *result, oc_error *error)
{
    if (append_row(&writer->buffer, writer->caches, result) != 0)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while writing CSV");
    return OC_OK;
}
