/* output_csv.c: results as CSV for spreadsheets (RFC 4180). libcsv does
 * the quoting; this file only decides what goes in each field: strings
 * quoted (so an empty string "" differs from a null), numbers in their
 * shortest exact form, nulls as empty unquoted fields. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "output.h"

static int write_failed(oc_error *error)
{
    return oc_error_set(error, OC_ERROR_IO, "write failed while writing CSV");
}

static int write_string(FILE *stream, const char *text, oc_error *error)
{
    char *repaired = oc__output_valid_utf8(text);
    if (repaired == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while writing CSV");
    int failed = csv_fwrite(stream, repaired, strlen(repaired)) != 0;
    free(repaired);
    return failed ? write_failed(error) : OC_OK;
}

static int write_field(FILE *stream, const oc__output_column *column, const oc__result *result,
                       oc_error *error)
{
    switch (column->type) {
    case OC_COLUMN_STRING: {
        const char *text = oc__output_column_string(column, result);
        return text == NULL ? OC_OK : write_string(stream, text, error);
    }
    case OC_COLUMN_NUMBER: {
        double number = oc__output_column_number(column, result);
        if (!isfinite(number))
            return OC_OK;
        char buffer[32];
        oc__output_format_double(number, buffer);
        return fputs(buffer, stream) == EOF ? write_failed(error) : OC_OK;
    }
    case OC_COLUMN_STATUS:
        return write_string(stream, oc__result_status_name(result->status), error);
    }
    return OC_OK;
}

int oc__output_write_csv(FILE *stream, const oc__manifest *manifest,
                         const oc__result_list *results, oc_error *error)
{
    (void)manifest;
    /* The column names are plain [a-z_] identifiers: nothing to quote. */
    for (size_t i = 0; i < oc__output_column_count; i++) {
        if (i > 0)
            fputc(',', stream);
        fputs(oc__output_columns[i].name, stream);
    }
    fputs("\r\n", stream);
    for (size_t row = 0; row < results->count; row++) {
        for (size_t i = 0; i < oc__output_column_count; i++) {
            if (i > 0 && fputc(',', stream) == EOF)
                return write_failed(error);
            int status = write_field(stream, &oc__output_columns[i], &results->items[row], error);
            if (status != OC_OK)
                return status;
        }
        if (fputs("\r\n", stream) == EOF)
            return write_failed(error);
    }
    return ferror(stream) ? write_failed(error) : OC_OK;
}
