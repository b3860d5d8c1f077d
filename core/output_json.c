/* output_json.c: results as JSON for programs, built with jansson so that
 * escaping is never ours to get wrong. Results are streamed one object per
 * line rather than built into one tree, so a national run (tens of
 * thousands of areas) needs memory for one result at a time. */
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

static json_t *number_or_null(double number)
{
    return isfinite(number) ? json_real(number) : json_null();
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
    int failed = set(run, "started_at", json_string(manifest->started_at)) != 0
                 || set(run, "outcomes_version", string_or_null(manifest->outcomes_version)) != 0
                 || set(run, "configuration",
                        manifest->configuration.path != NULL
                            ? file_object(&manifest->configuration) : json_null()) != 0;
    /* set() consumes its value even on failure: attach all three regardless. */
    failed |= set(run, "stores", stores) != 0;
    failed |= set(run, "plugins", plugins) != 0;
    failed |= set(run, "period_requested", string_or_null(manifest->period_requested)) != 0;
    failed |= set(run, "periods_used", periods) != 0;
    for (size_t i = 0; !failed && i < manifest->store_count; i++)
        failed = json_array_append_new(stores, file_object(&manifest->stores[i])) != 0;
    for (size_t i = 0; !failed && i < manifest->plugin_count; i++)
        failed = json_array_append_new(plugins, pair_object("name", manifest->plugins[i].name,
                                                            "version",
                                                            manifest->plugins[i].version)) != 0;
    for (size_t i = 0; !failed && i < manifest->period_used_count; i++)
        failed = json_array_append_new(periods, string_or_null(manifest->periods_used[i])) != 0;
    if (failed) {
        json_decref(run);
        return NULL;
    }
    return run;
}

/* Dumps value (consuming it) and reports a write failure. */
static int dump_with(json_t *value, size_t flags, FILE *stream, oc_error *error)
{
    if (value == NULL)
        return out_of_memory(error);
    int failed = json_dumpf(value, stream, flags) != 0;
    json_decref(value);
    if (failed || ferror(stream))
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing JSON");
    return OC_OK;
}

static int dump(json_t *value, FILE *stream, oc_error *error)
{
    return dump_with(value, JSON_FLAGS, stream, error);
}

/* One result object. jansson applies one precision to a whole dump, and
 * 17 digits everywhere turns 7527.7 into 7527.6999999999998; so each field
 * is dumped on its own, numbers with the fewest digits that still read back
 * exactly. Keys and strings are still jansson's to escape. */
static int write_result(FILE *stream, const oc__result *result, oc_error *error)
{
    fputc('{', stream);
    for (size_t i = 0; i < oc__output_column_count; i++) {
        const oc__output_column *column = &oc__output_columns[i];
        if (i > 0)
            fputs(", ", stream);
        int status = dump(json_string(column->name), stream, error);
        if (status != OC_OK)
            return status;
        fputs(": ", stream);
        json_t *value = NULL;
        size_t flags = JSON_FLAGS;
        switch (column->type) {
        case OC_COLUMN_STRING:
            value = string_or_null(oc__output_column_string(column, result));
            break;
        case OC_COLUMN_NUMBER: {
            double number = oc__output_column_number(column, result);
            value = number_or_null(number);
            if (isfinite(number))
                flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY
                        | JSON_REAL_PRECISION(oc__output_shortest_precision(number));
            break;
        }
        case OC_COLUMN_STATUS:
            value = json_string(oc__result_status_name(result->status));
            break;
        }
        status = dump_with(value, flags, stream, error);
        if (status != OC_OK)
            return status;
    }
    fputc('}', stream);
    return OC_OK;
}

int oc__output_write_json(FILE *stream, const oc__manifest *manifest,
                          const oc__result_list *results, oc_error *error)
{
    fputs("{\n  \"run\": ", stream);
    int status = manifest != NULL ? dump(run_object(manifest), stream, error)
                                  : dump(json_null(), stream, error);
    if (status != OC_OK)
        return status;
    fputs(",\n  \"results\": [", stream);
    for (size_t i = 0; i < results->count; i++) {
        fputs(i == 0 ? "\n    " : ",\n    ", stream);
        status = write_result(stream, &results->items[i], error);
        if (status != OC_OK)
            return status;
    }
    fputs(results->count > 0 ? "\n  ]\n}\n" : "]\n}\n", stream);
    if (ferror(stream))
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing JSON");
    return OC_OK;
}
