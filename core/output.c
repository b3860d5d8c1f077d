/* output.c: what the three writers share (the column list, format names,
 * UTF-8 and number hygiene) and the atomic file wrapper; see output.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "atomic_file.h"
#include "output.h"

#define STRING_COLUMN(field) {#field, OC_COLUMN_STRING, offsetof(oc__result, field)}
#define NUMBER_COLUMN(field) {#field, OC_COLUMN_NUMBER, offsetof(oc__result, field)}

/* The order here is the documented order of the JSON fields and CSV
 * columns (docs/results.md); scripts depend on it, so only append. */
const oc__output_column oc__output_columns[] = {
    STRING_COLUMN(metric),
    STRING_COLUMN(indicator),
    STRING_COLUMN(plugin),
    STRING_COLUMN(plugin_version),
    STRING_COLUMN(area),
    STRING_COLUMN(area_name),
    STRING_COLUMN(period),
    NUMBER_COLUMN(value),
    NUMBER_COLUMN(ci_lower),
    NUMBER_COLUMN(ci_upper),
    STRING_COLUMN(baseline_period),
    NUMBER_COLUMN(baseline_value),
    NUMBER_COLUMN(change),
    NUMBER_COLUMN(change_pct),
    NUMBER_COLUMN(target_value),
    STRING_COLUMN(target_date),
    NUMBER_COLUMN(expected_value),
    NUMBER_COLUMN(progress_pct),
    STRING_COLUMN(rag),
    STRING_COLUMN(spc_signal),
    STRING_COLUMN(spc_rule),
    STRING_COLUMN(assurance),
    STRING_COLUMN(trend),
    STRING_COLUMN(comparator),
    NUMBER_COLUMN(comparator_change),
    NUMBER_COLUMN(did),
    NUMBER_COLUMN(fiscal_benefit),
    NUMBER_COLUMN(score),
    {"status", OC_COLUMN_STATUS, offsetof(oc__result, status)},
    STRING_COLUMN(message),
};
const size_t oc__output_column_count = sizeof oc__output_columns / sizeof oc__output_columns[0];

const char *oc__output_column_string(const oc__output_column *column, const oc__result *result)
{
    const char *const *field = (const char *const *)((const char *)result + column->offset);
    return *field;
}

double oc__output_column_number(const oc__output_column *column, const oc__result *result)
{
    const double *field = (const double *)((const char *)result + column->offset);
    return *field;
}

static const char *const format_names[] = {"table", "csv", "json"};

int oc__output_format_parse(const char *name, oc__output_format *format, oc_error *error)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (name != NULL && strcmp(name, format_names[i]) == 0) {
            *format = (oc__output_format)i;
            return OC_OK;
        }
    return oc_error_set(error, OC_ERROR_INVALID,
                        "unknown output format '%s' (expected table, csv or json)",
                        name != NULL ? name : "");
}

const char *oc__output_format_name(oc__output_format format)
{
    if ((size_t)format < sizeof format_names / sizeof format_names[0])
        return format_names[format];
    return "unknown";
}

/* Length of the valid UTF-8 sequence starting at text, or 0 if the bytes
 * there are not one (overlong forms, surrogates and code points beyond
 * U+10FFFF included: the same rules JSON parsers apply). */
static size_t valid_sequence_length(const unsigned char *text)
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

char *oc__output_valid_utf8(const char *text)
{
    static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
    size_t length = strlen(text);
    char *copy = malloc(3 * length + 1);
    if (copy == NULL)
        return NULL;
    const unsigned char *in = (const unsigned char *)text;
    char *out = copy;
    while (*in != '\0') {
        size_t sequence = valid_sequence_length(in);
        if (sequence == 0) {
            memcpy(out, replacement, 3);
            out += 3;
            in++;
        } else {
            memcpy(out, in, sequence);
            out += sequence;
            in += sequence;
        }
    }
    *out = '\0';
    return copy;
}

int oc__output_shortest_precision(double value)
{
    char buffer[32];
    for (int precision = 15; precision < 17; precision++) {
        snprintf(buffer, sizeof buffer, "%.*g", precision, value);
        if (strtod(buffer, NULL) == value)
            return precision;
    }
    return 17;
}

void oc__output_format_double(double value, char buffer[32])
{
    snprintf(buffer, 32, "%.*g", oc__output_shortest_precision(value), value);
}

size_t oc__output_terminal_width(FILE *stream)
{
    int descriptor = fileno(stream);
    if (descriptor < 0 || !isatty(descriptor))
        return 0;
    struct winsize size;
    if (ioctl(descriptor, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    const char *columns = getenv("COLUMNS");
    if (columns != NULL) {
        char *end;
        long parsed = strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && parsed > 0 && parsed < 10000)
            return (size_t)parsed;
    }
    return 80;
}

int oc__output_write(FILE *stream, oc__output_format format, const oc__manifest *manifest,
                     const oc__result_list *results, size_t width, oc_error *error)
{
    switch (format) {
    case OC_OUTPUT_TABLE:
        return oc__output_write_table(stream, manifest, results, width, error);
    case OC_OUTPUT_CSV:
        return oc__output_write_csv(stream, manifest, results, error);
    case OC_OUTPUT_JSON:
        return oc__output_write_json(stream, manifest, results, error);
    }
    return oc_error_set(error, OC_ERROR_INVALID, "unknown output format number %d", (int)format);
}

int oc__output_write_file(const char *path, oc__output_format format,
                          const oc__manifest *manifest, const oc__result_list *results,
                          oc_error *error)
{
    /* Reject a bad format before a temporary file exists. */
    if (strcmp(oc__output_format_name(format), "unknown") == 0)
        return oc_error_set(error, OC_ERROR_INVALID, "unknown output format number %d",
                            (int)format);
    if (path == NULL || strcmp(path, "-") == 0) {
        oc_error write_error;
        int status = oc__output_write(stdout, format, manifest, results,
                                      oc__output_terminal_width(stdout), &write_error);
        if (status != OC_OK)
            return oc_error_set(error, status, "standard output: %s", write_error.message);
        if (fflush(stdout) != 0 || ferror(stdout))
            return oc_error_set(error, OC_ERROR_IO, "standard output: write failed");
        return OC_OK;
    }
    oc__atomic_file file;
    int status = oc__atomic_file_begin(&file, path, error);
    if (status != OC_OK)
        return status;
    oc_error write_error;
    status = oc__output_write(file.stream, format, manifest, results, 0, &write_error);
    if (status != OC_OK) {
        oc__atomic_file_abort(&file);
        return oc_error_set(error, status, "%s: %s", path, write_error.message);
    }
    return oc__atomic_file_commit(&file, error);
}
