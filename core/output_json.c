/* output_json.c: results as JSON for programs, escaped by jansson so that
 * escaping is never ours to get wrong. Results are streamed one object per
 * line rather than built into one tree, so a national run (tens of
 * thousands of areas) needs memory for one block of output at a time. The
 * manifest is one jansson tree; results, the bulk, are written field by
 * field: numbers by oc__output_format_json_number (the text jansson would
 * print), strings escaped by jansson once per distinct string. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "output.h"

/* 17 significant digits read back as the same double; jansson's default
 * is the same, but say so rather than rely on it. */
#define JSON_FLAGS (JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))

static int out_of_memory(oc_error *error)
{
    return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while writing JSON");
}

/* A JSON string for text (null for NULL); invalid UTF-8, which jansson
 * refuses, is replaced by U+FFFD rather than losing the whole output. */
static json_t *string_or_null(const char *text)
{
    if (text == NULL)
        return json_null();
    json_t *value = json_string(text);
    if (value != NULL)
        return value;
    char *repaired = oc__output_valid_utf8(text);
    if (repaired == NULL)
        return NULL;
    value = json_string(repaired);
    free(repaired);
    return value;
}

/* Adds value under key, taking ownership of value; -1 when value is NULL
 * (an allocation failed) or the insertion fails. */
static int set(json_t *object, const char *key, json_t *value)
{
    return value == NULL ? -1 : json_object_set_new(object, key, value);
}

/* {first_key: first, second_key: second}, NULL strings as null: the
 * shape of a manifest's files and plugins. */
static json_t *pair_object(const char *first_key, const char *first, const char *second_key,
                           const char *second)
{
    json_t *object = json_object();
    if (object == NULL)
        return NULL;
    if (set(object, first_key, string_or_null(first)) != 0
        || set(object, second_key, string_or_null(second)) != 0) {
        json_decref(object);
        return NULL;
    }
    return object;
}

static json_t *file_object(const oc__manifest_file *file)
{
    return pair_object("path", file->path, "sha256", file->sha256);
}

/* The arrays are attached to run first and filled afterwards through
 * borrowed pointers, so every path frees everything with one decref. */
static json_t *run_object(const oc__manifest *manifest)
{
    json_t *run = json_object();
    if (run == NULL)
        return NULL;
    json_t *stores = json_array();
    json_t *plugins = json_array();
    json_t *periods = json_array();
    json_t *metrics = json_array();
    int failed = set(run, "started_at", json_string(manifest->started_at)) != 0
                 || set(run, "outcomes_version", string_or_null(manifest->outcomes_version)) != 0
                 || set(run, "configuration",
                        manifest->configuration.path != NULL
                            ? file_object(&manifest->configuration) : json_null()) != 0;
    /* set() consumes its value even on failure: attach all the arrays regardless. */
    failed |= set(run, "stores", stores) != 0;
    failed |= set(run, "plugins", plugins) != 0;
    failed |= set(run, "metrics", metrics) != 0;
    failed |= set(run, "period_requested", string_or_null(manifest->period_requested)) != 0;
    failed |= set(run, "periods_used", periods) != 0;
    for (size_t i = 0; !failed && i < manifest->store_count; i++)
        failed = json_array_append_new(stores, file_object(&manifest->stores[i])) != 0;
    for (size_t i = 0; !failed && i < manifest->plugin_count; i++)
        failed = json_array_append_new(plugins, pair_object("name", manifest->plugins[i].name,
                                                            "version",
                                                            manifest->plugins[i].version)) != 0;
    for (size_t i = 0; !failed && i < manifest->metric_count; i++) {
        json_t *metric = json_object();
        failed = metric == NULL
                 || set(metric, "name", string_or_null(manifest->metrics[i].name)) != 0
                 || set(metric, "confidence", json_real(manifest->metrics[i].confidence)) != 0;
        if (failed)
            json_decref(metric);
        else /* consumes metric, even on failure */
            failed = json_array_append_new(metrics, metric) != 0;
    }
    for (size_t i = 0; !failed && i < manifest->period_used_count; i++)
        failed = json_array_append_new(periods, string_or_null(manifest->periods_used[i])) != 0;
    if (failed) {
        json_decref(run);
        return NULL;
    }
    return run;
}

/* The run record's only numbers are the metrics' confidence levels (95,
 * 99.8), which 15 digits print as written (17 made 99.799999999999997). */
#define RUN_JSON_FLAGS (JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/* Dumps the run record (consuming it) and reports a write failure. */
static int dump(json_t *value, FILE *stream, oc_error *error)
{
    if (value == NULL)
        return out_of_memory(error);
    int failed = json_dumpf(value, stream, RUN_JSON_FLAGS) != 0;
    json_decref(value);
    if (failed || ferror(stream))
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing JSON");
    return OC_OK;
}

/* A JSON string for text, escaped by jansson exactly as dumping it in an
 * object would (invalid UTF-8 replaced first, as string_or_null does). */
static int escape_json_string(const char *text, char **escaped, size_t *length)
{
    json_t *value = string_or_null(text);
    if (value == NULL)
        return -1;
    size_t needed = json_dumpb(value, NULL, 0, JSON_FLAGS);
    char *dumped = needed > 0 ? malloc(needed + 1) : NULL;
    if (dumped == NULL || json_dumpb(value, dumped, needed, JSON_FLAGS) != needed) {
        free(dumped);
        json_decref(value);
        return -1;
    }
    json_decref(value);
    dumped[needed] = '\0';
    *escaped = dumped;
    *length = needed;
    return 0;
}

/* Room for a whole result written without going through the buffer:
 * each field's key with its punctuation and "null" (the most a key is
 * written with), then a value of at most OC__OUTPUT_WRITTEN_MAX bytes (a
 * string from its cache's kept copy is copied whole; a number writes at
 * most 40), and the closing brace. Worked out from the fields, so that
 * a field added to OC__RESULT_FIELDS cannot outgrow it. */
#define FIELD_ROOM(member) +sizeof(", \"" #member "\": null") + OC__OUTPUT_WRITTEN_MAX
enum { RESULT_ROOM = 1 OC__RESULT_FIELDS(FIELD_ROOM, FIELD_ROOM, FIELD_ROOM) };
#undef FIELD_ROOM

/* One result object, numbers with the fewest digits that still read back
 * exactly (jansson applies one precision to a whole dump, and 17 digits
 * everywhere turns 7527.7 into 7527.6999999999998). Strings are escaped by
 * jansson, through the column's cache. The keys are plain identifiers,
 * written as the literals they are: the fields are written out one by one
 * (OC__RESULT_FIELDS), so every key is a copy of a known size, and a key
 * with a null value (half of a national run's fields) is one copy,
 * ', "target_value": null'. */
static int write_result(oc__output_writer *writer, const oc__result *result)
{
    oc__output_buffer *buffer = &writer->buffer;
    oc__output_cache *caches = writer->caches;
    /* Written through a cursor of its own, not appended piece by piece:
     * the copies store chars, which may alias the buffer's length, so
     * every append reloaded and stored it again. One check for room up
     * front, and again after a string not in its cache's kept copy,
     * which goes through the buffer. */
    char *at = oc__output_buffer_reserve(buffer, RESULT_ROOM);
    if (at == NULL)
        return -1;
    size_t column = 0;
    /* '{"metric": ', then ', "indicator": ' and so on; with null, the
     * same with 'null' after it */
#define FIELD_START(member, after)                                                              \
    do {                                                                                       \
        static const char key[] = ", \"" #member "\": " after;                                  \
        memcpy(at, column == 0 ? "{\"" #member "\": " after : key, sizeof key - 1);            \
        at += sizeof key - 1 - (column == 0);                                                  \
    } while (0);
#define STRING_VALUE(text)                                                                      \
    if (oc__output_cache_put(&caches[column], (text), escape_json_string, buffer, &at,         \
                             RESULT_ROOM) != 0)                                                \
        return -1;
#define JSON_STRING(member)                                                                     \
    if (result->member == NULL) {                                                              \
        FIELD_START(member, "null")                                                            \
    } else {                                                                                   \
        FIELD_START(member, "")                                                                \
        STRING_VALUE(result->member)                                                           \
    }                                                                                          \
    column++;
#define JSON_NUMBER(member)                                                                     \
    if (!isfinite(result->member)) {                                                           \
        FIELD_START(member, "null")                                                            \
    } else {                                                                                   \
        FIELD_START(member, "")                                                                \
        at += oc__output_number_cache_format(&writer->numbers, oc__output_format_json_number,  \
                                             result->member, at);                              \
    }                                                                                          \
    column++;
#define JSON_STATUS(member)                                                                     \
    FIELD_START(member, "")                                                                    \
    STRING_VALUE(oc__result_status_name(result->member))                                       \
    column++;
    OC__RESULT_FIELDS(JSON_STRING, JSON_NUMBER, JSON_STATUS)
#undef FIELD_START
#undef STRING_VALUE
#undef JSON_STRING
#undef JSON_NUMBER
#undef JSON_STATUS
    *at++ = '}';
    oc__output_buffer_commit_to(buffer, at);
    return 0;
}

/* The results come first and the run record last: the run lists the
 * periods the results used, known only once every result is, and results
 * are written as jobs finish (docs/results.md). */
int oc__output_json_begin(oc__output_writer *writer, oc_error *error)
{
    (void)error;
    static const char opening[] = "{\n  \"results\": [";
    oc__output_buffer_append(&writer->buffer, opening, sizeof opening - 1);
    return OC_OK;
}

int oc__output_json_add(oc__output_writer *writer, const oc__result *result, oc_error *error)
{
    oc__output_buffer_prefetch(&writer->buffer, 1024, 1024); /* a result ahead */
    if (writer->written == 0)
        oc__output_buffer_append(&writer->buffer, "\n    ", 5);
    else
        oc__output_buffer_append(&writer->buffer, ",\n    ", 6);
    return write_result(writer, result) != 0 ? out_of_memory(error) : OC_OK;
}

int oc__output_json_end(oc__output_writer *writer, const oc__manifest *manifest,
                        oc_error *error)
{
    static const char after_results[] = "\n  ],\n  \"run\": ";
    if (writer->written > 0)
        oc__output_buffer_append(&writer->buffer, after_results, sizeof after_results - 1);
    else
        oc__output_buffer_append(&writer->buffer, after_results + 3, sizeof after_results - 4);
    int status = oc__output_buffer_flush(&writer->buffer, "JSON", error);
    FILE *stream = writer->buffer.stream;
    if (status == OC_OK)
        status = manifest != NULL ? dump(run_object(manifest), stream, error)
                                  : dump(json_null(), stream, error);
    if (status != OC_OK)
        return status;
    fputs("\n}\n", stream);
    if (ferror(stream))
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing JSON");
    return OC_OK;
}
