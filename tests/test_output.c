/* test_output.c: the three writers. Results are built by hand (NaN, NULL
 * strings, quotes, commas, newlines, UTF-8 and invalid UTF-8), written to a
 * file, and read back with independent parsers (jansson, libcsv) to check
 * every field equals what went in, doubles bit for bit. The table is
 * checked for hand-formatted strings; the file wrapper for atomicity. */
#include "config.h"

#include <check.h>
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <stdint.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check_runner.h"
#include "output.h"
#include "temporary_directory.h"

/* The JSON digests were taken when "run" came first; since the run record
 * moved after the results (so results can be written as jobs finish), the
 * digests are of the same bytes with the two members swapped: cutting the
 * new file at '\n  ],\n  "run": ' and putting it back in the old order
 * gives the old digests (33667ccf... and 173ff1ce...) exactly. Since the
 * run lists its metrics and their confidence levels, removing
 * ', "metrics": [...]' from the file gives the digest before (c4e1b021...)
 * exactly. Since the three benchmark fields and return_on_investment were
 * appended to every result (null in this list), removing ', "benchmark":
 * null, "benchmark_value": null, "benchmark_comparison": null,
 * "return_on_investment": null' from each JSON result, and
 * ',benchmark,benchmark_value,benchmark_comparison,return_on_investment'
 * from the CSV header and ',,,,' from the end of each CSV row, gives the
 * digests before (2565fb0b... and 62217889...) exactly. */
#define REFERENCE_JSON_SHA256 "5ebd94e118b0322e4431181472d679c3e355c095e66b65fab91d4a3a3280a10d"
#define REFERENCE_CSV_SHA256 "7635181923646091b0536c8bd0f2ec313d59ca6921410df9a245a8da2bfe6c15"
#define REFERENCE_EMPTY_JSON_SHA256 "03d57c4322af577d1d968628dcd81e46b044bd32ae6775fd10132fb6d06b79ac"
#define REFERENCE_EMPTY_CSV_SHA256 "f03097ab4b5c685840ea74bf3eb157deaaf10011216c0ed6e7be58986cb10c29"

/* The documented field order (docs/results.md), written out here rather
 * than taken from the code under test. */
static const char *const expected_fields[] = {
    "metric", "indicator", "plugin", "plugin_version", "area", "area_name", "period",
    "value", "ci_lower", "ci_upper", "baseline_period", "baseline_value", "change",
    "change_pct", "target_value", "target_date", "expected_value", "progress_pct", "rag",
    "spc_signal", "spc_rule", "assurance", "trend", "comparator", "comparator_change", "did",
    "fiscal_benefit", "score", "status", "message", "benchmark", "benchmark_value",
    "benchmark_comparison", "return_on_investment",
};
#define FIELD_COUNT (sizeof expected_fields / sizeof expected_fields[0])

/* Every test starts with these, built by build_results and build_manifest,
 * and a fresh directory (temporary_directory.h). */
static oc__result_list results;
static oc__manifest *manifest;

static char *read_all(const char *path)
{
    FILE *stream = fopen(path, "rb");
    ck_assert_ptr_nonnull(stream);
    size_t capacity = 4096, length = 0, got;
    char *text = malloc(capacity);
    ck_assert_ptr_nonnull(text);
    while ((got = fread(text + length, 1, capacity - length - 1, stream)) > 0) {
        length += got;
        if (capacity - length - 1 == 0) {
            capacity *= 2;
            text = realloc(text, capacity);
            ck_assert_ptr_nonnull(text);
        }
    }
    fclose(stream);
    text[length] = '\0';
    return text;
}

/* Names in the test directory: to prove no temporary file is left. */
static size_t count_entries(void)
{
    DIR *listing = opendir(test_directory);
    ck_assert_ptr_nonnull(listing);
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            count++;
    closedir(listing);
    return count;
}

static char *copy(const char *text)
{
    return text != NULL ? strdup(text) : NULL;
}

/* Appends a result to `results` with these identity texts (copied; NULL
 * leaves the field null). */
static oc__result *append_result(const char *metric, const char *indicator, const char *plugin,
                                 const char *plugin_version, const char *area,
                                 const char *area_name, const char *period)
{
    oc__result *r = oc__result_list_append(&results);
    ck_assert_ptr_nonnull(r);
    r->metric = copy(metric);
    r->indicator = copy(indicator);
    r->plugin = copy(plugin);
    r->plugin_version = copy(plugin_version);
    r->area = copy(area);
    r->area_name = copy(area_name);
    r->period = copy(period);
    return r;
}

/* Row 0: a complete, ordinary result (Birkenhead ESA/IB claimants, the
 * seeds' target of a 10% reduction from a baseline of 8,470).
 * Row 1: awkward text and extreme doubles. Row 2: a failure, nearly all
 * null, with an empty (not null) area name. Row 3: invalid UTF-8. */
static void build_results(void)
{
    oc__result *r = append_result("esa_ib", "claimants", "worklessness", "1.0.0", "E14000538",
                                  "Birkenhead", "2016-11-01");
    r->value = 7700;
    r->ci_lower = 7528.3;
    r->ci_upper = 7874.6;
    r->baseline_period = copy("2013-11-01");
    r->baseline_value = 8470;
    r->change = -770;
    r->change_pct = 100.0 * -770 / 8470;  /* -9.0909...: "-9.1%" */
    r->target_value = 8470 * (1 - 10 / 100.0); /* 7,623 */
    r->target_date = copy("2017-04-01");
    r->expected_value = 7779.26;
    r->progress_pct = 96.42;     /* "96.4%" */
    r->rag = copy("green");
    r->spc_signal = copy("improvement");
    r->spc_rule = copy("shift");
    r->assurance = copy("inconsistent");
    r->comparator = copy("E14000789");
    r->comparator_change = -100.25;
    r->did = -669.75;
    r->fiscal_benefit = 6646640;  /* 770 x £8,632 */
    r->score = 96.42;
    r->status = OC_RESULT_OK;
    r->benchmark = copy("E08000015");
    r->benchmark_value = 18330;
    r->benchmark_comparison = copy("not_compared");
    r->return_on_investment = 6646640 / 2500000.0; /* 2.658656 */

    r = append_result("fly,tipping \"rate\"", "incidents_per_1000", "recycling", "0.3", "W06000001",
                      "Ynys M\xc3\xb4n, \"North\"\nWales \xe2\x82\xac", "2016-11-01");
    r->value = 0.1;
    r->ci_lower = 1.0 / 3.0;
    r->ci_upper = DBL_MAX;
    r->baseline_period = copy("2013-11-01");
    r->baseline_value = 5e-324;     /* the smallest subnormal */
    r->change = -0.0;
    r->change_pct = 1e-300;
    r->target_value = INFINITY;     /* not finite: null */
    r->expected_value = 12.345;
    r->progress_pct = -1e21;
    r->trend = copy("");
    r->fiscal_benefit = -1234.4;
    r->score = 0;
    r->status = OC_RESULT_INSUFFICIENT_DATA;
    r->message = copy("only 3 of the 5 periods:\r\nneed \"2015-11-01\", 2014-11-01");
    r->benchmark = copy("W92000004, \"Wales\"");
    r->benchmark_value = -0.0;
    r->benchmark_comparison = copy("");

    r = append_result("attainment_gap", NULL, NULL, NULL, "E08000015", "", NULL);
    r->status = OC_RESULT_FAILED;
    r->message = copy("plugin 'attainment' crashed (signal 11) while evaluating "
                      "E08000015; the other metrics were evaluated and written");

    r = append_result("acute_prevention", NULL, NULL, NULL, "X", "Bad\xff\xfeName\xc3", NULL);
    r->value = 33.3;
    r->status = OC_RESULT_FAILED;
    r->message = copy("\x1b[31mred\x1b[0m");
}

/* What a string field reads back as: invalid UTF-8 replaced by U+FFFD. */
static const char *expected_string(size_t row, const char *name, const char *given)
{
    if (row == 3 && strcmp(name, "area_name") == 0)
        return "Bad\xef\xbf\xbd\xef\xbf\xbdName\xef\xbf\xbd";
    return given;
}

static void build_manifest(void)
{
    ck_assert_int_eq(oc__manifest_create(&manifest, 1000000000, NULL), OC_OK);
    /* Set by hand: hashing is test_manifest's business. */
    manifest->configuration.path = strdup("wirral \"pilot\".ini");
    strcpy(manifest->configuration.sha256,
           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_int_eq(oc__manifest_set_period_requested(manifest, "latest", NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_period_used(manifest, "2016-11-01", NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_plugin(manifest, "worklessness", "1.0.0", NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_plugin(manifest, "recycling", NULL, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(manifest, "esa", 95, OC__FREQUENCY_NONE, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(manifest, "waste", 99.8,
                                             OC__FREQUENCY_NONE, NULL),
                     OC_OK);
    FILE *store = fopen(test_path("wirral.h5"), "w");
    ck_assert_ptr_nonnull(store);
    fputs("abc", store);
    ck_assert_int_eq(fclose(store), 0);
    ck_assert_int_eq(oc__manifest_add_store(manifest, test_path("wirral.h5"), NULL), OC_OK);
}

static void set_up(void)
{
    make_test_directory();
    build_results();
    build_manifest();
}

static void tear_down(void)
{
    oc__manifest_free(manifest);
    manifest = NULL;
    oc__result_list_free(&results);
    remove_test_directory();
}

/* Reads the field `name` of result i by the documented name. */
static const char *string_field(const oc__result *r, const char *name)
{
    const char *const *fields[] = {
        (const char *const *)&r->metric, (const char *const *)&r->indicator,
        (const char *const *)&r->plugin, (const char *const *)&r->plugin_version,
        (const char *const *)&r->area, (const char *const *)&r->area_name,
        (const char *const *)&r->period, (const char *const *)&r->baseline_period,
        (const char *const *)&r->target_date, (const char *const *)&r->rag,
        (const char *const *)&r->spc_signal, (const char *const *)&r->spc_rule,
        (const char *const *)&r->assurance, (const char *const *)&r->trend,
        (const char *const *)&r->comparator, (const char *const *)&r->message,
        (const char *const *)&r->benchmark, (const char *const *)&r->benchmark_comparison,
    };
    const char *names[] = {"metric", "indicator", "plugin", "plugin_version", "area",
                           "area_name", "period", "baseline_period", "target_date", "rag",
                           "spc_signal", "spc_rule", "assurance", "trend", "comparator",
                           "message", "benchmark", "benchmark_comparison"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i], name) == 0)
            return *fields[i];
    ck_abort_msg("no string field %s", name);
    return NULL;
}

static int number_field(const oc__result *r, const char *name, double *value)
{
    const struct {
        const char *name;
        double value;
    } fields[] = {
        {"value", r->value}, {"ci_lower", r->ci_lower}, {"ci_upper", r->ci_upper},
        {"baseline_value", r->baseline_value}, {"change", r->change},
        {"change_pct", r->change_pct}, {"target_value", r->target_value},
        {"expected_value", r->expected_value}, {"progress_pct", r->progress_pct},
        {"comparator_change", r->comparator_change}, {"did", r->did},
        {"fiscal_benefit", r->fiscal_benefit}, {"score", r->score},
        {"benchmark_value", r->benchmark_value},
        {"return_on_investment", r->return_on_investment},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(fields[i].name, name) == 0) {
            *value = fields[i].value;
            return 1;
        }
    return 0;
}

static const char *status_text(oc__result_status status)
{
    return status == OC_RESULT_OK ? "ok"
           : status == OC_RESULT_INSUFFICIENT_DATA ? "insufficient_data" : "failed";
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (a == b && signbit(a) == signbit(b));
}

/* ---- Format names ---- */

START_TEST(format_names_parse)
{
    oc__output_format format = OC_OUTPUT_TABLE;
    ck_assert_int_eq(oc__output_format_parse("json", &format, NULL), OC_OK);
    ck_assert_int_eq(format, OC_OUTPUT_JSON);
    ck_assert_int_eq(oc__output_format_parse("csv", &format, NULL), OC_OK);
    ck_assert_int_eq(format, OC_OUTPUT_CSV);
    ck_assert_int_eq(oc__output_format_parse("table", &format, NULL), OC_OK);
    ck_assert_int_eq(format, OC_OUTPUT_TABLE);
    ck_assert_str_eq(oc__output_format_name(OC_OUTPUT_CSV), "csv");

    oc_error error;
    format = OC_OUTPUT_CSV;
    ck_assert_int_eq(oc__output_format_parse("xlsx", &format, &error), OC_ERROR_INVALID);
    ck_assert_ptr_nonnull(strstr(error.message, "'xlsx'"));
    ck_assert_ptr_nonnull(strstr(error.message, "table, csv or json"));
    ck_assert_int_eq(format, OC_OUTPUT_CSV);
    ck_assert_int_eq(oc__output_format_parse("JSON", &format, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__output_format_parse("", &format, &error), OC_ERROR_INVALID);
}
END_TEST

/* ---- JSON ---- */

START_TEST(json_round_trips_every_field)
{
    const char *path = test_path("results.json");
    oc_error error;
    ck_assert_int_eq(oc__output_write_file(path, OC_OUTPUT_JSON, manifest, &results, &error),
                     OC_OK);

    /* Numbers as short as reads back exactly, not 7528.3000000000002. */
    char *text = read_all(path);
    ck_assert_ptr_nonnull(strstr(text, "\"ci_lower\": 7528.3, \"ci_upper\": 7874.6, "));
    ck_assert_ptr_nonnull(strstr(text, "\"value\": 7700.0, "));
    free(text);

    json_error_t parse_error;
    json_t *root = json_load_file(path, 0, &parse_error);
    ck_assert_msg(root != NULL, "invalid JSON: %s line %d", parse_error.text, parse_error.line);
    ck_assert_uint_eq(json_object_size(root), 2);
    void *iterator = json_object_iter(root);
    ck_assert_str_eq(json_object_iter_key(iterator), "results");
    ck_assert_str_eq(json_object_iter_key(json_object_iter_next(root, iterator)), "run");

    json_t *run = json_object_get(root, "run");
    ck_assert_str_eq(json_string_value(json_object_get(run, "started_at")),
                     "2001-09-09T01:46:40Z");
    ck_assert_str_eq(json_string_value(json_object_get(run, "outcomes_version")), oc_version());
    json_t *configuration = json_object_get(run, "configuration");
    ck_assert_str_eq(json_string_value(json_object_get(configuration, "path")),
                     "wirral \"pilot\".ini");
    ck_assert_str_eq(json_string_value(json_object_get(configuration, "sha256")),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    json_t *stores = json_object_get(run, "stores");
    ck_assert_uint_eq(json_array_size(stores), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(stores, 0), "path")),
                     test_path("wirral.h5"));
    /* SHA-256("abc"), FIPS 180-2 appendix B.1 */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(stores, 0), "sha256")),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    json_t *plugins = json_object_get(run, "plugins");
    ck_assert_uint_eq(json_array_size(plugins), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(plugins, 0), "version")),
                     "1.0.0");
    ck_assert(json_is_null(json_object_get(json_array_get(plugins, 1), "version")));
    ck_assert_str_eq(json_string_value(json_object_get(run, "period_requested")), "latest");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(run, "periods_used"), 0)),
                     "2016-11-01");
    /* Each metric with its intervals' level, as configured. */
    json_t *metrics = json_object_get(run, "metrics");
    ck_assert_uint_eq(json_array_size(metrics), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(metrics, 0), "name")),
                     "esa");
    ck_assert(json_real_value(json_object_get(json_array_get(metrics, 0), "confidence")) == 95);
    ck_assert(json_real_value(json_object_get(json_array_get(metrics, 1), "confidence")) == 99.8);

    json_t *array = json_object_get(root, "results");
    ck_assert_uint_eq(json_array_size(array), results.count);
    for (size_t row = 0; row < results.count; row++) {
        const oc__result *r = &results.items[row];
        json_t *object = json_array_get(array, row);
        ck_assert_uint_eq(json_object_size(object), FIELD_COUNT);
        size_t field = 0;
        for (void *it = json_object_iter(object); it != NULL;
             it = json_object_iter_next(object, it), field++) {
            const char *name = json_object_iter_key(it);
            json_t *value = json_object_iter_value(it);
            ck_assert_str_eq(name, expected_fields[field]);
            double number;
            if (strcmp(name, "status") == 0) {
                ck_assert_str_eq(json_string_value(value), status_text(r->status));
            } else if (number_field(r, name, &number)) {
                if (!isfinite(number)) {
                    ck_assert_msg(json_is_null(value), "row %zu %s not null", row, name);
                } else {
                    ck_assert_msg(json_is_real(value), "row %zu %s not a real", row, name);
                    ck_assert_msg(same_double(json_real_value(value), number),
                                  "row %zu %s: %.17g != %.17g", row, name,
                                  json_real_value(value), number);
                }
            } else {
                const char *expected = expected_string(row, name, string_field(r, name));
                if (expected == NULL)
                    ck_assert_msg(json_is_null(value), "row %zu %s not null", row, name);
                else
                    ck_assert_str_eq(json_string_value(value), expected);
            }
        }
        ck_assert_uint_eq(field, FIELD_COUNT);
    }
    json_decref(root);
}
END_TEST

START_TEST(json_without_results_or_manifest_is_valid)
{
    oc__result_list empty = {0};
    const char *path = test_path("empty.json");
    ck_assert_int_eq(oc__output_write_file(path, OC_OUTPUT_JSON, NULL, &empty, NULL), OC_OK);
    json_t *root = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(root);
    ck_assert(json_is_null(json_object_get(root, "run")));
    ck_assert(json_is_array(json_object_get(root, "results")));
    ck_assert_uint_eq(json_array_size(json_object_get(root, "results")), 0);
    json_decref(root);
}
END_TEST

/* ---- CSV ---- */

typedef struct csv_rows {
    char *fields[8][FIELD_COUNT]; /* NULL = empty unquoted field */
    int quoted_empty[8][FIELD_COUNT];
    size_t rows;
    size_t field;
    int overflow;
} csv_rows;

static void csv_field(void *data, size_t length, void *context)
{
    csv_rows *rows = context;
    if (rows->rows >= 8 || rows->field >= FIELD_COUNT) {
        rows->overflow = 1;
        return;
    }
    char *text = NULL;
    if (data != NULL) {
        text = malloc(length + 1);
        memcpy(text, data, length);
        text[length] = '\0';
    }
    rows->fields[rows->rows][rows->field++] = text;
}

static void csv_row_end(int terminator, void *context)
{
    csv_rows *rows = context;
    if (rows->field != FIELD_COUNT)
        rows->overflow = 1;
    rows->rows++;
    rows->field = 0;
}

START_TEST(csv_round_trips_every_field)
{
    const char *path = test_path("results.csv");
    ck_assert_int_eq(oc__output_write_file(path, OC_OUTPUT_CSV, manifest, &results, NULL), OC_OK);

    char *text = read_all(path);
    /* RFC 4180: CRLF after the header. */
    ck_assert_ptr_nonnull(
        strstr(text, "status,message,benchmark,benchmark_value,benchmark_comparison,"
                     "return_on_investment\r\n"));
    ck_assert_int_eq(strncmp(text, "metric,indicator,plugin,", 24), 0);

    struct csv_parser parser;
    ck_assert_int_eq(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL), 0);
    csv_rows rows = {0};
    size_t length = strlen(text);
    ck_assert_uint_eq(csv_parse(&parser, text, length, csv_field, csv_row_end, &rows), length);
    ck_assert_int_eq(csv_fini(&parser, csv_field, csv_row_end, &rows), 0);
    csv_free(&parser);
    free(text);
    ck_assert(!rows.overflow);
    ck_assert_uint_eq(rows.rows, 1 + results.count);
    for (size_t i = 0; i < FIELD_COUNT; i++)
        ck_assert_str_eq(rows.fields[0][i], expected_fields[i]);

    for (size_t row = 0; row < results.count; row++) {
        const oc__result *r = &results.items[row];
        for (size_t i = 0; i < FIELD_COUNT; i++) {
            const char *name = expected_fields[i];
            const char *field = rows.fields[row + 1][i];
            double number;
            if (strcmp(name, "status") == 0) {
                ck_assert_str_eq(field, status_text(r->status));
            } else if (number_field(r, name, &number)) {
                if (!isfinite(number)) {
                    ck_assert_msg(field == NULL, "row %zu %s: '%s' for null", row, name, field);
                } else {
                    ck_assert_ptr_nonnull(field);
                    char *end;
                    double parsed = strtod(field, &end);
                    ck_assert_msg(*end == '\0' && same_double(parsed, number),
                                  "row %zu %s: '%s' != %.17g", row, name, field, number);
                }
            } else {
                const char *expected = expected_string(row, name, string_field(r, name));
                if (expected == NULL)
                    ck_assert_msg(field == NULL, "row %zu %s: '%s' for null", row, name, field);
                else
                    ck_assert_str_eq(field, expected); /* "" stays distinct from null */
            }
        }
    }
    /* Shortest exact forms, not 17 digits of noise. */
    ck_assert_str_eq(rows.fields[1][7], "7700");
    ck_assert_str_eq(rows.fields[2][7], "0.1");
    for (size_t row = 0; row < rows.rows; row++)
        for (size_t i = 0; i < FIELD_COUNT; i++)
            free(rows.fields[row][i]);
}
END_TEST

/* The output buffer keeps pieces until a block is full, writes whole
 * blocks, and loses nothing at the edges: a piece that ends exactly at a
 * block, one larger than the whole buffer, and the rest at the flush. */
START_TEST(output_buffer_writes_whole_blocks_and_keeps_every_byte)
{
    FILE *stream = tmpfile();
    ck_assert_ptr_nonnull(stream);
    oc__output_buffer buffer;
    oc__output_buffer_init(&buffer, stream);
    size_t big_size = 3 * OC__OUTPUT_BLOCK_SIZE + 17;
    char *big = malloc(big_size);
    ck_assert_ptr_nonnull(big);
    for (size_t i = 0; i < big_size; i++)
        big[i] = (char)('a' + i % 26);
    char *expected = malloc(2 * OC__OUTPUT_BLOCK_SIZE + big_size + 16);
    size_t expected_length = 0;
    /* Small pieces up to one byte short of a block: nothing written yet. */
    while (expected_length + 7 < OC__OUTPUT_BLOCK_SIZE) {
        oc__output_buffer_append(&buffer, "piece, ", 7);
        memcpy(expected + expected_length, "piece, ", 7);
        expected_length += 7;
    }
    ck_assert_int_eq(ftell(stream), 0);
    size_t to_block = OC__OUTPUT_BLOCK_SIZE - expected_length;
    oc__output_buffer_append(&buffer, big, to_block); /* ends exactly at the block */
    memcpy(expected + expected_length, big, to_block);
    expected_length += to_block;
    ck_assert_int_eq(ftell(stream), OC__OUTPUT_BLOCK_SIZE);
    ck_assert_uint_eq(buffer.length, 0);
    oc__output_buffer_append(&buffer, "x", 1);
    oc__output_buffer_append(&buffer, big, big_size); /* more than the buffer holds */
    memcpy(expected + expected_length, "x", 1);
    memcpy(expected + expected_length + 1, big, big_size);
    expected_length += 1 + big_size;
    oc__output_buffer_append(&buffer, "end", 3);
    memcpy(expected + expected_length, "end", 3);
    expected_length += 3;
    oc_error error;
    ck_assert_int_eq(oc__output_buffer_flush(&buffer, "test", &error), OC_OK);
    ck_assert_int_eq(fflush(stream), 0);
    ck_assert_int_eq(ftell(stream), (long)expected_length);
    char *written = malloc(expected_length);
    rewind(stream);
    ck_assert_uint_eq(fread(written, 1, expected_length, stream), expected_length);
    ck_assert_int_eq(memcmp(written, expected, expected_length), 0);
    oc__output_buffer_free(&buffer);
    fclose(stream);
    free(written);
    free(expected);
    free(big);
}
END_TEST

START_TEST(shortest_double_forms_read_back_exactly)
{
    const double values[] = {0.1, 1.0 / 3.0, 7700, -770, 5e-324, DBL_MAX, 1e21, 96.42,
                             100.0 * -770 / 8470, 0.1 + 0.2};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buffer[40];
        oc__output_format_double(values[i], buffer);
        ck_assert_msg(strtod(buffer, NULL) == values[i], "%s", buffer);
    }
    char buffer[40];
    oc__output_format_double(0.1 + 0.2, buffer);
    ck_assert_str_eq(buffer, "0.30000000000000004"); /* needs all 17 */
    oc__output_format_double(96.42, buffer);
    ck_assert_str_eq(buffer, "96.42");
}
END_TEST

START_TEST(invalid_utf8_is_replaced)
{
    char *text = oc__output_valid_utf8("a\xc3\xa9" "b\xed\xa0\x80" "c\xf4\x90\x80\x80" "d\xc0\xaf");
    ck_assert_ptr_nonnull(text);
    /* é kept; a UTF-16 surrogate (ED A0 80), a code point beyond U+10FFFF
     * and an overlong '/' are invalid: each byte becomes U+FFFD. */
    const char *fffd = "\xef\xbf\xbd";
    char expected[128];
    snprintf(expected, sizeof expected, "a\xc3\xa9" "b%s%s%sc%s%s%s%sd%s%s", fffd, fffd, fffd,
             fffd, fffd, fffd, fffd, fffd, fffd);
    ck_assert_str_eq(text, expected);
    free(text);
}
END_TEST

/* ---- A large pseudo-random list, byte for byte ----
 *
 * The writers were rewritten for speed (bench/output_bench.c); their output
 * must not change by a single byte. This list of 20,000 results mixes every
 * kind of number (whole, short decimals, full-precision, subnormal, huge,
 * negative zero, ties at the 16th digit, NaN and infinities) with strings
 * that repeat in runs (as identity fields do) and strings that need every
 * kind of escaping or quoting (quotes, backslashes, control characters,
 * DEL, commas, CR LF, multi-byte UTF-8, invalid UTF-8), and NULLs. The
 * SHA-256 values below are of the output of the writers as they were
 * before the rewrite (commit af98c03, jansson 2.14, libcsv 3.0.3), so any
 * change to the bytes fails here. The generator uses only exact
 * arithmetic (integer ratios, powers of two, correctly rounded division),
 * so every machine builds the same doubles. */

static uint64_t reference_state;

static uint64_t reference_random(void)
{
    /* xorshift64 */
    reference_state ^= reference_state << 13;
    reference_state ^= reference_state >> 7;
    reference_state ^= reference_state << 17;
    return reference_state;
}

static double reference_number(void)
{
    static const double powers[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};
    uint64_t bits = reference_random();
    double unit = (double)(reference_random() >> 11) * 0x1p-53;
    int sign = (bits >> 63) ? -1 : 1;
    switch (bits % 12) {
    case 0: { /* any bit pattern: subnormals, huge, NaN and infinities too */
        uint64_t pattern = reference_random();
        double value;
        memcpy(&value, &pattern, sizeof value);
        return value;
    }
    case 1: /* whole numbers up to 2^53 */
        return sign * (double)(reference_random() >> (11 + bits % 40));
    case 2: /* short decimals: n / 10^k */
        return sign * (double)(reference_random() % 100000000) / powers[(bits >> 8) % 9];
    case 3: /* full precision, 1e-9 to 1e16 */
        return sign * unit * powers[(bits >> 8) % 17] / powers[(bits >> 16) % 10];
    case 4: /* full precision, near 1 and near powers of two */
        return ldexp(1 + unit * 0x1p-20, (int)((bits >> 8) % 120) - 60);
    case 5: { /* exact ties at the 15th/16th digit: m / 2^j */
        double whole = (double)(reference_random() % 100000000000ull);
        return sign * (whole + ldexp((double)(reference_random() % 32), -5));
    }
    case 6: { /* specials */
        static const double specials[] = {0.0, -0.0, NAN, INFINITY, -INFINITY, DBL_MAX,
                                          -DBL_MAX, DBL_MIN, 5e-324, 1e21, 1e15, 1e-5,
                                          1e-4, 9.999999999999999e14, 0.1, 0.30000000000000004};
        return specials[(bits >> 8) % (sizeof specials / sizeof specials[0])];
    }
    case 7: /* the shape of rates and percentages */
        return 100.0 * (double)(reference_random() % 5000) / (double)(1 + reference_random() % 9000);
    case 8: /* tiny and huge, full precision */
        return sign * ldexp(1 + unit, (int)((bits >> 8) % 2000) - 1000);
    default:
        return sign * unit * powers[(bits >> 8) % 8];
    }
}

static char *reference_string(void)
{
    static const char *const pieces[] = {
        "a", "Z", "0", " ", ",", "\"", "\\", "/", "\n", "\r\n", "\t", "\x01", "\x1f", "\x7f",
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xed\xa0\x80",
        "\xc0\xaf", "\xf4\x90\x80\x80", "'", ";", "{}[]:", "null", "-", "e", "\b\f",
    };
    uint64_t bits = reference_random();
    if (bits % 7 == 0)
        return NULL;
    size_t pieces_wanted = (bits >> 8) % 12;
    char *text = malloc(pieces_wanted * 5 + 1);
    ck_assert_ptr_nonnull(text);
    text[0] = '\0';
    for (size_t i = 0; i < pieces_wanted; i++)
        strcat(text, pieces[reference_random() % (sizeof pieces / sizeof pieces[0])]);
    return text;
}

/* Strings that repeat in runs, as metric, plugin and area do. */
static char *reference_identity(size_t row, size_t run, const char *const *choices,
                                size_t count)
{
    if (row % 97 == 5)
        return reference_string(); /* now and then an awkward one */
    return strdup(choices[(row / run) % count]);
}

static void build_reference(oc__result_list *list, size_t count)
{
    static const char *const metrics[] = {"esa_ib", "fly,tipping \"rate\"", "attainment_gap",
                                          "acute_prevention"};
    static const char *const indicators[] = {"claimants", "rate", "gap", "spend"};
    static const char *const areas[] = {"E01000001", "E01000002", "W06000001", "X"};
    static const char *const names[] = {"Birkenhead", "Ynys M\xc3\xb4n, \"North\"\nWales", "",
                                        "Bad\xff\xfeName\xc3"};
    reference_state = 0x2545f4914f6cdd1dull;
    for (size_t row = 0; row < count; row++) {
        oc__result *r = oc__result_list_append(list);
        ck_assert_ptr_nonnull(r);
        r->metric = reference_identity(row, 500, metrics, 4);
        r->indicator = reference_identity(row, 1, indicators, 4);
        r->plugin = reference_identity(row, 500, metrics, 4);
        r->plugin_version = reference_identity(row, 1000, indicators, 2);
        r->area = reference_identity(row, 4, areas, 4);
        r->area_name = reference_identity(row, 4, names, 4);
        r->period = reference_identity(row, 3000, areas, 4);
        char **strings[] = {&r->baseline_period, &r->target_date, &r->rag, &r->spc_signal,
                            &r->spc_rule, &r->assurance, &r->trend, &r->comparator,
                            &r->message};
        for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
            *strings[i] = reference_string();
        double *numbers[] = {&r->value, &r->ci_lower, &r->ci_upper, &r->baseline_value,
                             &r->change, &r->change_pct, &r->target_value, &r->expected_value,
                             &r->progress_pct, &r->comparator_change, &r->did,
                             &r->fiscal_benefit, &r->score};
        for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
            *numbers[i] = reference_number();
        r->status = (oc__result_status)(reference_random() % 3);
    }
}

/* A manifest with nothing that changes from run to run or release to
 * release (no temporary paths, a fixed version). */
static oc__manifest *reference_manifest(void)
{
    oc__manifest *fixed;
    ck_assert_int_eq(oc__manifest_create(&fixed, 1000000000, NULL), OC_OK);
    free(fixed->outcomes_version);
    fixed->outcomes_version = strdup("0.0.0-reference");
    fixed->configuration.path = strdup("wirral \"pilot\".ini");
    strcpy(fixed->configuration.sha256,
           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_int_eq(oc__manifest_set_period_requested(fixed, "latest", NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_period_used(fixed, "2016-11-01", NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_plugin(fixed, "worklessness", "1.0.0", NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_plugin(fixed, "recycling", NULL, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(fixed, "worklessness", 95,
                                             OC__FREQUENCY_NONE, NULL),
                     OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(fixed, "recycling", 99.8,
                                             OC__FREQUENCY_NONE, NULL),
                     OC_OK);
    return fixed;
}

/* Writes list to a file, all at once or (batched) result by result in
 * batches of uneven size through the file writer, and compares digests:
 * both ways must give the same bytes. */
static void assert_output_hash(oc__output_format format, const oc__manifest *run,
                               const oc__result_list *list, int batched, const char *expected)
{
    const char *path = test_path("reference.out");
    oc_error error;
    if (!batched) {
        ck_assert_int_eq(oc__output_write_file(path, format, run, list, &error), OC_OK);
    } else {
        oc__output_file_writer *writer;
        ck_assert_int_eq(oc__output_file_writer_begin(path, format, &writer, &error), OC_OK);
        size_t sizes[] = {0, 1, 7, 64, 1000, 3};
        for (size_t offset = 0, i = 0; offset < list->count; i++) {
            size_t size = sizes[i % 6];
            if (size > list->count - offset)
                size = list->count - offset;
            oc__result_list batch = {list->items + offset, size, 0};
            ck_assert_int_eq(oc__output_file_writer_add(writer, &batch, &error), OC_OK);
            offset += size;
        }
        ck_assert_int_eq(oc__output_file_writer_commit(writer, run, &error), OC_OK);
    }
    char digest[OC_SHA256_HEX_SIZE];
    ck_assert_int_eq(oc__sha256_file(path, digest, &error), OC_OK);
    ck_assert_msg(strcmp(digest, expected) == 0, "%s output%s changed: sha256 %s, expected %s",
                  oc__output_format_name(format), batched ? " written in batches" : "", digest,
                  expected);
}

/* The host's results repeat a string by repeating its address (core/wire.h),
 * and the writers reuse what they made of it, but only within one batch:
 * the next batch may hold other text at the same address (a reused stream). */
static size_t occurrences(const char *text, const char *part)
{
    size_t count = 0;
    for (const char *at = strstr(text, part); at != NULL; at = strstr(at + 1, part))
        count++;
    return count;
}

START_TEST(a_repeated_address_is_read_again_in_every_batch)
{
    /* Short strings are kept as written and copied whole on a repeat;
     * longer ones (over 64 bytes written) are not: both kinds, plain and
     * escaped. */
    char area[16] = "E01000001", name[16] = "Say \"hi\"";
    char long_plain[96], long_escaped[96];
    memset(long_plain, 'p', 80);
    long_plain[80] = '\0';
    memset(long_escaped, 'e', 80);
    long_escaped[40] = '"';
    long_escaped[41] = 'x';
    long_escaped[80] = '\0';
    oc__result rows[2];
    for (size_t i = 0; i < 2; i++) {
        oc__result_init(&rows[i]);
        rows[i].metric = "worklessness";
        rows[i].area = area;
        rows[i].area_name = name;
        rows[i].comparator = long_plain;
        rows[i].message = long_escaped;
        rows[i].value = (double)(i + 1);
    }
    for (int format = OC_OUTPUT_CSV; format <= OC_OUTPUT_JSON; format++) {
        const char *path = test_path("addresses.out");
        oc_error error;
        oc__output_file_writer *writer;
        ck_assert_int_eq(oc__output_file_writer_begin(path, (oc__output_format)format, &writer,
                                                      &error), OC_OK);
        oc__result_list both = {rows, 2, 0}, first = {rows, 1, 0};
        ck_assert_int_eq(oc__output_file_writer_add(writer, &both, &error), OC_OK);
        strcpy(area, "E01000002b");
        strcpy(name, "Say \"bye\"");
        long_plain[0] = 'P';
        long_escaped[0] = 'E';
        ck_assert_int_eq(oc__output_file_writer_add(writer, &first, &error), OC_OK);
        ck_assert_int_eq(oc__output_file_writer_commit(writer, NULL, &error), OC_OK);
        char *text = read_all(path);
        int json = format == OC_OUTPUT_JSON;
        ck_assert_uint_eq(occurrences(text, "\"E01000001\""), 2);
        ck_assert_uint_eq(occurrences(text, "\"E01000002b\""), 1);
        ck_assert_uint_eq(occurrences(text, json ? "\"Say \\\"hi\\\"\"" : "\"Say \"\"hi\"\"\""), 2);
        ck_assert_uint_eq(occurrences(text, json ? "\"Say \\\"bye\\\"\"" : "\"Say \"\"bye\"\"\""), 1);
        ck_assert_uint_eq(occurrences(text, "\"ppp"), 2);
        ck_assert_uint_eq(occurrences(text, "\"Ppp"), 1);
        ck_assert_uint_eq(occurrences(text, "\"eee"), 2);
        ck_assert_uint_eq(occurrences(text, "\"Eee"), 1);
        ck_assert_uint_eq(occurrences(text, json ? "eee\\\"xee" : "eee\"\"xee"), 3);
        free(text);
        strcpy(area, "E01000001");
        strcpy(name, "Say \"hi\"");
        long_plain[0] = 'p';
        long_escaped[0] = 'e';
    }
}
END_TEST

START_TEST(writers_output_is_unchanged_byte_for_byte)
{
    oc__result_list list = {0};
    build_reference(&list, 20000);
    oc__manifest *run = reference_manifest();
    oc__result_list empty = {0};
    for (int batched = 0; batched <= 1; batched++) {
        assert_output_hash(OC_OUTPUT_JSON, run, &list, batched, REFERENCE_JSON_SHA256);
        assert_output_hash(OC_OUTPUT_CSV, run, &list, batched, REFERENCE_CSV_SHA256);
        /* No results and no manifest: the hashes of
         * '{\n  "results": [],\n  "run": null\n}\n' and of the CSV header
         * line (the documented columns, comma-separated, CRLF), by sha256sum. */
        assert_output_hash(OC_OUTPUT_JSON, NULL, &empty, batched, REFERENCE_EMPTY_JSON_SHA256);
        assert_output_hash(OC_OUTPUT_CSV, NULL, &empty, batched, REFERENCE_EMPTY_CSV_SHA256);
    }
    oc__manifest_free(run);
    oc__result_list_free(&list);
}
END_TEST

START_TEST(the_table_has_no_result_by_result_writer)
{
    /* The table needs every result first: it has no such writer. */
    oc_error error;
    oc__output_file_writer *writer;
    ck_assert_int_eq(oc__output_file_writer_begin(test_path("table.txt"), OC_OUTPUT_TABLE,
                                                  &writer, &error), OC_ERROR_INVALID);
    ck_assert_ptr_null(writer);
    ck_assert_str_eq(error.message, "the table format is written all at once, not result by result");
}
END_TEST

/* The definition the fast formatting must match, written the slow and
 * obvious way: %.15g, %.16g, %.17g, the first that strtod reads back. */
static void format_by_definition(double value, char buffer[32])
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buffer, 32, "%.*g", precision, value);
        if (precision == 17 || strtod(buffer, NULL) == value)
            return;
    }
}

static void assert_formats_as_defined(double value)
{
    char expected[32], got[40];
    format_by_definition(value, expected);
    size_t length = oc__output_format_double(value, got);
    ck_assert_msg(strcmp(got, expected) == 0 && length == strlen(expected),
                  "%a: '%s', expected '%s'", value, got, expected);
    ck_assert_msg(strtod(got, NULL) == value, "%a: '%s' does not read back", value, got);

    /* JSON: what jansson prints for a real at that precision. */
    int precision = oc__output_shortest_precision(value);
    json_t *real = json_real(value);
    ck_assert_ptr_nonnull(real);
    char by_jansson[64];
    size_t jansson_length = json_dumpb(real, by_jansson, sizeof by_jansson - 1,
                                       JSON_ENCODE_ANY | JSON_REAL_PRECISION(precision));
    json_decref(real);
    ck_assert_uint_gt(jansson_length, 0);
    by_jansson[jansson_length] = '\0';
    char json[40];
    length = oc__output_format_json_number(value, json);
    ck_assert_msg(strcmp(json, by_jansson) == 0 && length == jansson_length,
                  "%a: JSON '%s', jansson '%s'", value, json, by_jansson);
}

/* Kept to a few seconds under the sanitizers; compiled once with
 * -DFORMAT_SAMPLES=15000000 when the formatting last changed, it passed. */
#ifndef FORMAT_SAMPLES
#define FORMAT_SAMPLES 150000
#endif

/* Random doubles of every magnitude, concentrated where the integer
 * arithmetic replaces printf (1e-4 to 1e15), plus the edges where it
 * could go wrong: neighbours of powers of ten and of two (the rounding
 * interval is lopsided there), exact ties at the 15th and 16th digit,
 * values that round up to the next power of ten, and the range's ends. */
START_TEST(fast_number_formatting_matches_printf_and_strtod)
{
    reference_state = 0x853c49e6748fea9bull;
    for (int i = 0; i < FORMAT_SAMPLES; i++) {
        double unit = (double)(reference_random() >> 11) * 0x1p-53;
        uint64_t bits = reference_random();
        double value;
        if (i % 3 == 0) {
            memcpy(&value, &bits, sizeof value); /* any finite double */
            if (!isfinite(value))
                continue;
        } else {
            /* 2^-16 (1.5e-5) to 2^52 (4.5e15), full precision */
            value = ldexp(1 + unit, (int)(bits % 69) - 16);
            if (bits & 0x100000)
                value = -value;
        }
        assert_formats_as_defined(value);
    }
    /* Short decimals, whole numbers, ratios of small integers */
    for (int i = 0; i < FORMAT_SAMPLES / 3; i++) {
        double numerator = (double)(reference_random() % 10000000000ull);
        assert_formats_as_defined(numerator / (double)(1 + reference_random() % 100000));
        assert_formats_as_defined(numerator / 1e6);
    }
    /* Whole numbers (counts, pounds), which have a path of their own: every
     * one up to 100,000, random ones of every length up to 1e16, and the
     * largest 15- and 16-digit ones, positive and negative. */
    for (int whole = 1; whole <= 100000; whole++) {
        assert_formats_as_defined(whole);
        assert_formats_as_defined(-whole);
    }
    for (int i = 0; i < FORMAT_SAMPLES / 3; i++) {
        uint64_t digits = reference_random() % 16 + 1;
        double whole = (double)(reference_random() % (uint64_t)pow(10, (double)digits));
        assert_formats_as_defined(whole);
        assert_formats_as_defined(-whole);
    }
    assert_formats_as_defined(0.0); /* zero and minus zero: a path of their own */
    assert_formats_as_defined(-0.0);
    assert_formats_as_defined(999999999999999.0);
    assert_formats_as_defined(1e15);
    assert_formats_as_defined(9007199254740992.0); /* 2^53 */
    assert_formats_as_defined(-999999999999999.0);
    /* Neighbours of powers of ten, 1e-5 to 1e16, and of powers of two */
    double power = 1e-5;
    for (int exponent = -5; exponent <= 16; exponent++, power *= 10) {
        double exact = exponent < 0 ? 1 / (double)(1 / power) : power;
        for (double below = exact, above = exact, step = 0; step < 40; step++) {
            assert_formats_as_defined(below);
            assert_formats_as_defined(above);
            below = nextafter(below, 0);
            above = nextafter(above, INFINITY);
        }
    }
    for (int exponent = -20; exponent <= 53; exponent++)
        for (int step = -3; step <= 3; step++)
            assert_formats_as_defined(ldexp(1, exponent) + step * ldexp(1, exponent - 52));
    /* Exact ties: 11 whole digits + 5 binary fraction digits = a 16th
     * digit of 5 exactly; 12 + 4 likewise */
    for (int i = 0; i < FORMAT_SAMPLES / 15; i++) {
        double whole = (double)(reference_random() % 100000000000ull);
        assert_formats_as_defined(whole + ldexp((double)(reference_random() % 32), -5));
        assert_formats_as_defined(whole * 10 + ldexp((double)(reference_random() % 16), -4));
    }
    /* Where the test of reading back changes method: 16 digits up to 2^53
     * (9007199254740992) are checked by one division of doubles, more by
     * integer arithmetic; so the neighbours of 2^53 at every scale. */
    for (int exponent = 1; exponent <= 19; exponent++) {
        double near = 9007199254740992.0 / pow(10, exponent);
        for (double below = near, above = near, step = 0; step < 40; step++) {
            assert_formats_as_defined(below);
            assert_formats_as_defined(above);
            below = nextafter(below, 0);
            above = nextafter(above, INFINITY);
        }
    }
    /* Rounding up to the next power of ten, and the range's ends */
    const double edges[] = {999999999999999.9, 99999999999999.99, 9.9999999999999995,
                            0.99999999999999994, 0.000099999999999999991, 1e-4, 1e15,
                            nextafter(1e15, 0), nextafter(1e-4, 0), nextafter(1e-4, 1),
                            0.0, -0.0, 5e-324, DBL_MIN, DBL_MAX, -DBL_MAX, 1e21, 1e-7,
                            0.1 + 0.2, 96.42, 7700, -770, 1.0 / 3.0};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        assert_formats_as_defined(edges[i]);
}
END_TEST

/* Whether the cache holds value's text in some slot. */
static int number_is_kept(const oc__output_number_cache *cache, double value, const char *text)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    for (size_t i = 0; i < sizeof cache->slots / sizeof cache->slots[0]; i++)
        if (cache->slots[i].bits == bits && cache->slots[i].length == strlen(text)
            && strcmp(cache->slots[i].text, text) == 0)
            return 1;
    return 0;
}

/* The number cache writes exactly what the formatter writes, in any
 * order: draws from a pool five times the cache's size (so slots change
 * hands, and a text kept for other bits would show), with zero and minus
 * zero (an empty slot's bits are zero's), texts too long to keep, and
 * printf's exponents; a value just written is kept, unless too long. */
START_TEST(number_cache_writes_what_the_formatter_writes)
{
    size_t (*const formats[2])(double, char[40]) = {oc__output_format_double,
                                                    oc__output_format_json_number};
    enum { POOL = 5 << OC__OUTPUT_NUMBER_SLOT_BITS };
    static double pool[POOL];
    reference_state = 0x2545f4914f6cdd1dull;
    for (size_t i = 0; i < POOL; i++) {
        uint64_t bits = reference_random();
        double unit = (double)(bits >> 11) * 0x1p-53;
        switch (i % 5) {
        case 0: pool[i] = (double)(bits % 1000) - 500; break;   /* counts, changes */
        case 1: pool[i] = 100.0 * (double)(bits % 97) / (double)(1 + bits % 89); break;
        case 2: pool[i] = ldexp(1 + unit, (int)(bits % 60) - 14); break;
        case 3: pool[i] = -ldexp(1 + unit, (int)(bits % 12) - 14); break; /* long: -0.000123... */
        default: pool[i] = ldexp(1 + unit, (int)(bits % 400) - 200); break; /* exponents */
        }
    }
    pool[0] = 0.0;
    pool[1] = -0.0;
    for (int f = 0; f < 2; f++) {
        oc__output_number_cache *cache = calloc(1, sizeof *cache);
        ck_assert_ptr_nonnull(cache);
        size_t kept = 0, too_long = 0;
        for (size_t draw = 0; draw < 30 * POOL; draw++) {
            double value = pool[draw < POOL ? draw : reference_random() % POOL];
            char expected[40], got[40];
            size_t expected_length = formats[f](value, expected);
            size_t length = oc__output_number_cache_format(cache, formats[f], value, got);
            ck_assert_msg(length == expected_length && strcmp(got, expected) == 0,
                          "%a: '%s' from the cache, '%s' from the formatter", value, got,
                          expected);
            if (draw % 97 == 0) {
                int is_kept = number_is_kept(cache, value, expected);
                ck_assert_int_eq(is_kept, expected_length <= OC__OUTPUT_NUMBER_KEPT);
                kept += (size_t)is_kept;
                too_long += (size_t)!is_kept;
            }
        }
        ck_assert_uint_gt(kept, 100);   /* both kinds were drawn */
        ck_assert_uint_gt(too_long, 10);
        free(cache);
    }
}
END_TEST

/* ---- Table ---- */

static char *write_table(const oc__manifest *run, const oc__result_list *list, size_t width)
{
    const char *path = test_path("table.txt");
    FILE *stream = fopen(path, "w");
    ck_assert_ptr_nonnull(stream);
    oc_error error;
    ck_assert_int_eq(oc__output_write_table(stream, run, list, width, &error), OC_OK);
    ck_assert_int_eq(fclose(stream), 0);
    return read_all(path);
}

static size_t utf8_width(const char *text, size_t bytes)
{
    size_t width = 0;
    for (size_t i = 0; i < bytes; i++)
        width += ((unsigned char)text[i] & 0xc0) != 0x80;
    return width;
}

START_TEST(table_shows_rounded_figures)
{
    char *table = write_table(manifest, &results, 0);

    ck_assert_msg(strncmp(table, "Outcomes: period 2016-11-01, baseline 2013-11-01\n", 49) == 0,
                  "%s", table);
    ck_assert_ptr_nonnull(strstr(table, "outcomes " OC_VERSION_STRING
                                        ", run 2001-09-09T01:46:40Z, configuration sha256 "
                                        "ba7816bf8f01\n"));
    /* Counts whole with separators; the CI takes the value's rounding. */
    ck_assert_ptr_nonnull(strstr(table, "7,700 (7,528 to 7,875)"));
    ck_assert_ptr_nonnull(strstr(table, "8,470"));
    /* -770 / 8470 = -9.09% */
    ck_assert_ptr_nonnull(strstr(table, "-770 (-9.1%)"));
    /* 8470 x 0.9 = 7623 */
    ck_assert_ptr_nonnull(strstr(table, "7,623 by 2017-04-01"));
    ck_assert_ptr_nonnull(strstr(table, "7,779.3"));   /* expected 7779.26, one decimal */
    ck_assert_ptr_nonnull(strstr(table, "96.4%"));
    ck_assert_ptr_nonnull(strstr(table, "\xc2\xa3" "6,646,640"));
    ck_assert_ptr_nonnull(strstr(table, "-\xc2\xa3" "1,234"));
    ck_assert_ptr_nonnull(strstr(table, "green"));
    ck_assert_ptr_nonnull(strstr(table, "improvement"));
    /* Rates: two decimals below 10, one above; small fractions two significant. */
    ck_assert_ptr_nonnull(strstr(table, "12.3"));
    ck_assert_ptr_nonnull(strstr(table, "0.10"));
    /* Area name, or the code when the name is empty. */
    ck_assert_ptr_nonnull(strstr(table, "Birkenhead"));
    ck_assert_ptr_nonnull(strstr(table, "E08000015"));
    /* A newline inside a name must not break the row. */
    ck_assert_ptr_nonnull(strstr(table, "Ynys M\xc3\xb4n, \"North\" Wales"));
    /* Terminal escape sequences from data never reach the terminal. */
    ck_assert_ptr_null(strchr(table, '\x1b'));
    ck_assert_ptr_null(strchr(table, '\r'));
    /* Messages of failed and insufficient rows, numbered, below the table. */
    ck_assert_ptr_nonnull(strstr(table, "insufficient_data [1]"));
    ck_assert_ptr_nonnull(strstr(table, "failed [2]"));
    ck_assert_ptr_nonnull(strstr(table, "\n[1] fly,tipping \"rate\" incidents_per_1000 "));
    ck_assert_ptr_nonnull(strstr(table, "need \"2015-11-01\", 2014-11-01\n"));
    ck_assert_ptr_nonnull(strstr(table, "\n[2] attainment_gap - E08000015: plugin 'attainment' crashed"));
    ck_assert_ptr_nonnull(strstr(table, "\n[3] acute_prevention"));
    ck_assert_ptr_nonnull(strstr(table, "\n1 ok, 1 insufficient_data, 2 failed\n"));
    ck_assert_ptr_null(strstr(table, "Not shown"));

    /* Columns line up: status is last, left-aligned, so every row's status
     * starts where the header's does. */
    const char *header = strstr(table, "\nmetric");
    ck_assert_ptr_nonnull(header);
    header++;
    const char *status = strstr(header, "status\n");
    ck_assert_ptr_nonnull(status);
    size_t status_column = utf8_width(header, (size_t)(status - header));
    const char *line = strchr(header, '\n') + 1;  /* the rule */
    for (int row = 0; row < 5; row++) {
        const char *end = strchr(line, '\n');
        ck_assert_ptr_nonnull(end);
        if (row > 0) {
            const char *cell = line;
            size_t column = 0;
            while (column < status_column) {
                column += ((unsigned char)*cell & 0xc0) != 0x80;
                cell++;
            }
            while (((unsigned char)*cell & 0xc0) == 0x80)
                cell++;
            ck_assert_msg(strncmp(cell, "ok", 2) == 0 || strncmp(cell, "failed", 6) == 0
                              || strncmp(cell, "insufficient_data", 17) == 0,
                          "row %d misaligned: %.*s", row, (int)(end - line), line);
        }
        line = end + 1;
    }
    free(table);
}
END_TEST

START_TEST(table_fits_a_narrow_width)
{
    const size_t widths[] = {60, 100, 30};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        char *table = write_table(manifest, &results, widths[w]);
        size_t lines = 0;
        for (const char *line = table; *line != '\0'; lines++) {
            const char *end = strchr(line, '\n');
            ck_assert_ptr_nonnull(end);
            ck_assert_msg(utf8_width(line, (size_t)(end - line)) <= widths[w],
                          "width %zu exceeded: %.*s", widths[w], (int)(end - line), line);
            line = end + 1;
        }
        ck_assert_uint_gt(lines, 8);
        ck_assert_ptr_nonnull(strstr(table, "Not shown at"));
        ck_assert_ptr_nonnull(strstr(table, "Birkenhead"));
        if (widths[w] >= 60) {
            /* Area, value and status survive; what was dropped is named. */
            ck_assert_ptr_nonnull(strstr(table, "value (CI)"));
            ck_assert_ptr_nonnull(strstr(table, "insufficient_data [1]"));
            ck_assert_ptr_nonnull(strstr(table, "Not shown at this width:"));
            ck_assert_ptr_nonnull(strstr(table, "\n1 ok, 1 insufficient_data, 2 failed\n"));
        }
        free(table);
    }
    char *table = write_table(manifest, &results, 100);
    ck_assert_ptr_nonnull(strstr(table, "value (CI)"));
    ck_assert_ptr_nonnull(strstr(table, "progress"));
    free(table);
}
END_TEST

/* The intervals' level is printed: in the header when every metric shares
 * it, else listed after the table (a committee must not read a 99.8%
 * interval as a 95% one). */
START_TEST(table_states_the_confidence_level)
{
    /* build_manifest's metrics: esa at 95, waste at 99.8. */
    char *table = write_table(manifest, &results, 0);
    ck_assert_ptr_nonnull(strstr(table, "value (CI)"));
    ck_assert_ptr_nonnull(strstr(table, "\nConfidence intervals: esa 95%, waste 99.8%.\n"));
    free(table);

    oc__manifest *shared;
    ck_assert_int_eq(oc__manifest_create(&shared, 1000000000, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(shared, "esa", 99.8, OC__FREQUENCY_NONE, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(shared, "waste", 99.8,
                                             OC__FREQUENCY_NONE, NULL),
                     OC_OK);
    table = write_table(shared, &results, 0);
    ck_assert_ptr_nonnull(strstr(table, "value (99.8% CI)"));
    ck_assert_ptr_null(strstr(table, "Confidence intervals:"));
    free(table);
    oc__manifest_free(shared);

    /* Every metric listed, however many and however long their names (the
     * list once stopped mid-name at 512 bytes). */
    oc__manifest *many;
    ck_assert_int_eq(oc__manifest_create(&many, 1000000000, NULL), OC_OK);
    char name[64]; /* 63 characters, the longest a section may be */
    for (int m = 0; m < 12; m++) {
        snprintf(name, sizeof name, "metric_%02d_%.53s", m,
                 "with_a_name_as_long_as_a_section_may_be_written_out_in_full_xx");
        ck_assert_int_eq(oc__manifest_add_metric(many, name, m % 2 ? 99.8 : 95,
                                                 OC__FREQUENCY_NONE, NULL),
                         OC_OK);
    }
    table = write_table(many, &results, 0);
    ck_assert_msg(strstr(table, ", metric_11_with_a_name_as_long_as_a_section_may_be_written_out_i "
                                "99.8%.\n") != NULL, "%s", table);
    free(table);
    oc__manifest_free(many);
}
END_TEST

/* A note on an ok result is not footnoted (the table stays short) but the
 * reader is told such notes exist and where to find them. */
START_TEST(table_points_to_notes_on_ok_results)
{
    char *table = write_table(manifest, &results, 0);
    ck_assert_ptr_null(strstr(table, "ok result"));
    free(table);
    ck_assert_int_eq(results.items[0].status, OC_RESULT_OK);
    results.items[0].message = copy("SPC: 1 missing period not joined");
    table = write_table(manifest, &results, 0);
    ck_assert_ptr_nonnull(strstr(table, "\n1 ok result also carries a note (missing periods, "
                                        "caveats on assurance, aggregation): see the message "
                                        "field in csv or json output.\n"));
    ck_assert_ptr_null(strstr(table, "SPC: 1 missing period")); /* not footnoted */
    free(table);
}
END_TEST

/* The benchmark column is there only when some result has a comparison,
 * with a line saying what its words mean and against which area. */
START_TEST(table_compares_with_a_benchmark)
{
    free(results.items[0].benchmark_comparison);
    free(results.items[1].benchmark_comparison);
    results.items[0].benchmark_comparison = results.items[1].benchmark_comparison = NULL;
    char *table = write_table(manifest, &results, 0);
    ck_assert_ptr_null(strstr(table, "benchmark"));
    free(table);
    table = write_table(manifest, &results, 60); /* absent, so not "not shown" either */
    ck_assert_ptr_nonnull(strstr(table, "Not shown at this width:"));
    ck_assert_ptr_null(strstr(table, "benchmark"));
    free(table);

    results.items[0].benchmark_comparison = copy("worse");
    table = write_table(manifest, &results, 0);
    ck_assert_ptr_nonnull(strstr(table, "  vs benchmark  "));
    ck_assert_ptr_nonnull(strstr(table, "7,700 (7,528 to 7,875)  worse "));
    ck_assert_ptr_nonnull(strstr(table, "\nvs benchmark: each value against the value of "
                                        "E08000015 in the same period: similar when the "
                                        "benchmark's value lies within the value's confidence "
                                        "interval;"));
    free(table);
    /* Named as its own row names it, when it is one of the areas of a
     * metric it is the benchmark of; not by another metric's row. */
    free(results.items[2].area_name);
    results.items[2].area_name = copy("Wirral");
    table = write_table(manifest, &results, 0);
    ck_assert_ptr_nonnull(strstr(table, "against the value of E08000015 in the same"));
    free(table);
    results.items[2].benchmark = copy("E08000015");
    table = write_table(manifest, &results, 0);
    ck_assert_ptr_nonnull(strstr(table, "against the value of Wirral (E08000015) in the same"));
    free(table);

    /* Two benchmarks: the line points to the field; "not_compared" reads
     * as words. */
    results.items[1].benchmark_comparison = copy("not_compared");
    table = write_table(manifest, &results, 0);
    ck_assert_ptr_nonnull(strstr(table, "  not compared  "));
    ck_assert_ptr_nonnull(strstr(table, "against the value of its metric's benchmark (the "
                                        "benchmark field in csv or json)"));
    free(table);

    /* Too narrow: left out first, named, and its legend left out too. */
    table = write_table(manifest, &results, 60);
    char *not_shown = strstr(table, "Not shown at this width:");
    ck_assert_ptr_nonnull(not_shown);
    for (char *wrap; (wrap = strstr(not_shown, "\n    ")) != NULL;)
        memmove(wrap, wrap + 4, strlen(wrap + 4) + 1), *wrap = ' '; /* unwrapped */
    ck_assert_msg(strstr(not_shown, " vs benchmark,") != NULL, "%s", not_shown);
    ck_assert_ptr_null(strstr(table, "vs benchmark:"));
    free(table);
}
END_TEST

/* Periods by the names people use for them, by each metric's frequency:
 * "40 by 2016-04-01" for a target of the financial year 2016/17 read as a
 * deadline a year early to a user who reviewed the demo. */
static void append_period_row(oc__result_list *list, const char *metric, const char *period,
                              const char *baseline, const char *target_date)
{
    oc__result *r = oc__result_list_append(list);
    ck_assert_ptr_nonnull(r);
    r->metric = copy(metric);
    r->indicator = copy("rate");
    r->area = copy("E08000015");
    r->period = copy(period);
    r->value = 40.2;
    r->baseline_period = copy(baseline);
    r->baseline_value = 37.2;
    r->target_value = 40;
    r->target_date = copy(target_date);
}

START_TEST(table_names_periods_as_people_do)
{
    oc__manifest *run;
    ck_assert_int_eq(oc__manifest_create(&run, 1000000000, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(run, "recycling", 95, OC__FREQUENCY_FINANCIAL_YEAR,
                                             NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(run, "gap", 95, OC__FREQUENCY_ACADEMIC_YEAR, NULL),
                     OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(run, "esa", 95, OC__FREQUENCY_MONTH, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(run, "dwp", 95, OC__FREQUENCY_QUARTER, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(run, "calendar", 95, OC__FREQUENCY_YEAR, NULL),
                     OC_OK);

    /* One metric: the title names the year, and the baseline with it. */
    oc__result_list list = {0};
    append_period_row(&list, "recycling", "2016-04-01", "2013-04-01", "2016-04-01");
    char *table = write_table(run, &list, 0);
    const char *title = "Outcomes: period 2016/17, baseline 2013/14\n";
    ck_assert_msg(strncmp(table, title, strlen(title)) == 0, "%s", table);
    ck_assert_ptr_nonnull(strstr(table, "  2016/17  "));
    ck_assert_ptr_nonnull(strstr(table, "40 by 2016/17"));
    ck_assert_ptr_null(strstr(table, "2016-04-01"));
    free(table);

    /* Several: each row by its own metric's frequency. Quarters keep their
     * dates (DWP's start in February, May, August and November), and so
     * does a date that does not start a period of its frequency. */
    append_period_row(&list, "gap", "2016-09-01", "2013-09-01", "2017-09-01");
    append_period_row(&list, "esa", "2016-11-01", "2013-11-01", "2017-04-01");
    append_period_row(&list, "dwp", "2016-11-01", "2013-11-01", "2017-05-01");
    append_period_row(&list, "calendar", "2016-01-01", "2013-01-01", "2017-01-01");
    append_period_row(&list, "recycling", "2016-05-01", "2013-05-01", "2016-05-01");
    table = write_table(run, &list, 0);
    title = "Outcomes: several periods\n";
    ck_assert_msg(strncmp(table, title, strlen(title)) == 0, "%s", table);
    ck_assert_ptr_nonnull(strstr(table, "40 by 2017/18"));           /* academic */
    ck_assert_ptr_nonnull(strstr(table, "37.2 (2013/14)"));
    ck_assert_ptr_nonnull(strstr(table, "40 by 2017-04"));           /* month */
    ck_assert_ptr_nonnull(strstr(table, "37.2 (2013-11)"));
    ck_assert_ptr_nonnull(strstr(table, "40 by 2017-05-01"));        /* quarter */
    ck_assert_ptr_nonnull(strstr(table, "37.2 (2013-11-01)"));
    ck_assert_ptr_nonnull(strstr(table, "40 by 2017 "));             /* calendar year */
    ck_assert_ptr_nonnull(strstr(table, "40 by 2016-05-01"));        /* not a year's start */
    free(table);
    oc__result_list last = {0};                                       /* no "9999/00" */
    append_period_row(&last, "recycling", "9999-04-01", "9998-04-01", "9999-04-01");
    table = write_table(run, &last, 0);
    ck_assert_ptr_nonnull(strstr(table, "40 by 9999-04-01"));
    ck_assert_ptr_nonnull(strstr(table, "Outcomes: period 9999-04-01, baseline 9998/99\n"));
    free(table);
    oc__result_list_free(&last);

    /* Up to four periods are named in the title; two of one name are
     * told apart (a financial and an academic 2016/17 are not one
     * period, nor are two months of one name in stores that start them
     * on different days). */
    oc__result_list few = {0};
    append_period_row(&few, "recycling", "2016-04-01", "2013-04-01", "2016-04-01");
    append_period_row(&few, "esa", "2016-11-01", "2013-11-01", "2017-04-01");
    append_period_row(&few, "dwp", "2016-11-01", "2013-11-01", "2017-05-01");
    append_period_row(&few, "gap", "2016-09-01", "2013-09-01", "2017-09-01");
    table = write_table(run, &few, 0);
    title = "Outcomes: periods 2016/17 (financial year), 2016-11, 2016-11-01 and 2016/17 "
            "(academic year)\n";
    ck_assert_msg(strncmp(table, title, strlen(title)) == 0, "%s", table);
    free(table);
    oc__result_list_free(&few);

    /* The financial and the academic 2016/17 alone: two periods, each
     * row keeping its baseline, not "period 2016/17, baseline 2013/14". */
    oc__result_list years = {0};
    append_period_row(&years, "recycling", "2016-04-01", "2013-04-01", "2016-04-01");
    append_period_row(&years, "gap", "2016-09-01", "2013-09-01", "2017-09-01");
    table = write_table(run, &years, 0);
    title = "Outcomes: periods 2016/17 (financial year) and 2016/17 (academic year)\n";
    ck_assert_msg(strncmp(table, title, strlen(title)) == 0, "%s", table);
    ck_assert_ptr_nonnull(strstr(table, "37.2 (2013/14)"));
    free(table);
    oc__result_list_free(&years);
    oc__result_list_free(&list);
    oc__manifest_free(run);
}
END_TEST

START_TEST(table_without_results)
{
    oc__result_list empty = {0};
    char *table = write_table(NULL, &empty, 80);
    ck_assert_str_eq(table, "Outcomes: no period\n\nNo results.\n\n"
                            "0 ok, 0 insufficient_data, 0 failed\n");
    free(table);
}
END_TEST

/* ---- Writing files ---- */

START_TEST(write_to_missing_directory_fails_cleanly)
{
    oc_error error;
    const char *path = test_path("no-such-directory/results.json");
    ck_assert_int_eq(oc__output_write_file(path, OC_OUTPUT_JSON, NULL, &results, &error),
                     OC_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(error.message, "no-such-directory/results.json"));
    ck_assert_ptr_null(strchr(error.message, '\n'));
    ck_assert_uint_eq(count_entries(), 1); /* the fixture's store only */
}
END_TEST

START_TEST(failed_write_keeps_previous_file)
{
    const char *path = test_path("results.csv");
    char target[256];
    snprintf(target, sizeof target, "%s", path);
    ck_assert_int_eq(oc__output_write_file(target, OC_OUTPUT_CSV, NULL, &results, NULL), OC_OK);
    char *before = read_all(target);

    /* Enough results that the output passes a 4 KiB file size limit:
     * writes beyond it fail with EFBIG (SIGXFSZ ignored), a real I/O
     * failure in the middle of the output. */
    for (int i = 0; i < 200; i++) {
        oc__result *r = oc__result_list_append(&results);
        ck_assert_ptr_nonnull(r);
        r->metric = strdup("padding_to_pass_the_file_size_limit");
        r->value = i;
    }
    void (*saved_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit saved_limit, limit = {4096, 4096};
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved_limit), 0);
    limit.rlim_max = saved_limit.rlim_max;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);
    const oc__output_format formats[] = {OC_OUTPUT_CSV, OC_OUTPUT_JSON, OC_OUTPUT_TABLE};
    for (size_t i = 0; i < 3; i++) {
        oc_error error;
        ck_assert_int_eq(oc__output_write_file(target, formats[i], NULL, &results, &error),
                         OC_ERROR_IO);
        ck_assert_ptr_nonnull(strstr(error.message, target));
        char *after = read_all(target);
        ck_assert_str_eq(after, before);
        free(after);
        ck_assert_uint_eq(count_entries(), 2); /* store and target: no temporary file */
    }
    /* Written as a run goes (result by result): the add that meets the
     * failure reports it, naming the file, and aborting leaves the
     * previous file exactly as it was. */
    oc__output_file_writer *writer;
    oc_error error;
    ck_assert_int_eq(oc__output_file_writer_begin(target, OC_OUTPUT_JSON, &writer, &error), OC_OK);
    int status = OC_OK;
    size_t added = 0;
    while (status == OC_OK && added < 10000) {
        status = oc__output_file_writer_add(writer, &results, &error);
        added++;
    }
    ck_assert_int_eq(status, OC_ERROR_IO);
    ck_assert_uint_lt(added, 10000);
    ck_assert_msg(strncmp(error.message, target, strlen(target)) == 0, "%s", error.message);
    ck_assert_msg(strstr(error.message, strerror(EFBIG)) != NULL, "no reason in '%s'",
                  error.message);
    ck_assert_ptr_null(strchr(error.message, '\n'));
    oc__output_file_writer_abort(writer);
    char *after = read_all(target);
    ck_assert_str_eq(after, before);
    free(after);
    ck_assert_uint_eq(count_entries(), 2);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved_limit), 0);
    signal(SIGXFSZ, saved_handler);

    /* A format that does not exist fails before any file is touched. */
    ck_assert_int_eq(oc__output_write_file(target, (oc__output_format)7, NULL, &results, &error),
                     OC_ERROR_INVALID);
    ck_assert_uint_eq(count_entries(), 2);
    free(before);
}
END_TEST

START_TEST(no_path_writes_standard_output)
{
    char path[256];
    snprintf(path, sizeof path, "%s", test_path("stdout.csv"));
    /* Point standard output at a file for the two writes, then put it back. */
    fflush(stdout);
    int saved_stdout = dup(STDOUT_FILENO);
    ck_assert_int_ge(saved_stdout, 0);
    FILE *capture = fopen(path, "w");
    ck_assert_ptr_nonnull(capture);
    ck_assert_int_ge(dup2(fileno(capture), STDOUT_FILENO), 0);
    fclose(capture);
    ck_assert_int_eq(oc__output_write_file(NULL, OC_OUTPUT_CSV, NULL, &results, NULL), OC_OK);
    ck_assert_int_eq(oc__output_write_file("-", OC_OUTPUT_CSV, NULL, &results, NULL), OC_OK);
    ck_assert_int_ge(dup2(saved_stdout, STDOUT_FILENO), 0);
    close(saved_stdout);
    char *text = read_all(path);
    const char *second = strstr(text + 1, "metric,indicator,");
    ck_assert_ptr_nonnull(second);
    ck_assert_int_eq(strncmp(text, "metric,indicator,", 17), 0);
    free(text);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("output");
    TCase *tcase = tcase_create("output");
    /* Comparing the number formatting with printf takes 4 s in a plain
     * build, 25 s under the sanitizers: over Check's default when the
     * program is run by hand, outside make check's CK_DEFAULT_TIMEOUT. */
    tcase_set_timeout(tcase, 120);
    tcase_add_checked_fixture(tcase, set_up, tear_down);
    tcase_add_test(tcase, format_names_parse);
    tcase_add_test(tcase, json_round_trips_every_field);
    tcase_add_test(tcase, json_without_results_or_manifest_is_valid);
    tcase_add_test(tcase, csv_round_trips_every_field);
    tcase_add_test(tcase, output_buffer_writes_whole_blocks_and_keeps_every_byte);
    tcase_add_test(tcase, shortest_double_forms_read_back_exactly);
    tcase_add_test(tcase, invalid_utf8_is_replaced);
    tcase_add_test(tcase, writers_output_is_unchanged_byte_for_byte);
    tcase_add_test(tcase, the_table_has_no_result_by_result_writer);
    tcase_add_test(tcase, fast_number_formatting_matches_printf_and_strtod);
    tcase_add_test(tcase, number_cache_writes_what_the_formatter_writes);
    tcase_add_test(tcase, table_shows_rounded_figures);
    tcase_add_test(tcase, table_fits_a_narrow_width);
    tcase_add_test(tcase, table_states_the_confidence_level);
    tcase_add_test(tcase, table_points_to_notes_on_ok_results);
    tcase_add_test(tcase, table_compares_with_a_benchmark);
    tcase_add_test(tcase, table_names_periods_as_people_do);
    tcase_add_test(tcase, table_without_results);
    tcase_add_test(tcase, write_to_missing_directory_fails_cleanly);
    tcase_add_test(tcase, failed_write_keeps_previous_file);
    tcase_add_test(tcase, no_path_writes_standard_output);
    tcase_add_test(tcase, a_repeated_address_is_read_again_in_every_batch);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
