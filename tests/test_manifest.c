/* test_manifest.c: the run manifest: SHA-256 of files against the published
 * FIPS 180-2 test vectors, UTC timestamps, and the bookkeeping of stores,
 * plugins and periods. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_runner.h"
#include "manifest.h"
#include "temporary_directory.h"

/* Writes `length` bytes of data (repeated to fill) to DIRECTORY/name. */
static const char *write_file(const char *name, const char *data, size_t length)
{
    const char *path = test_path(name);
    FILE *stream = fopen(path, "wb");
    ck_assert_ptr_nonnull(stream);
    size_t data_length = strlen(data);
    for (size_t written = 0; written < length; written += data_length) {
        size_t chunk = length - written < data_length ? length - written : data_length;
        ck_assert_uint_eq(fwrite(data, 1, chunk, stream), chunk);
    }
    ck_assert_int_eq(fclose(stream), 0);
    return path;
}

/* The vectors from FIPS 180-2 appendix B (and the empty message). */
START_TEST(sha256_matches_published_vectors)
{
    static const struct {
        const char *data;
        size_t length;
        const char *digest;
    } vectors[] = {
        {"abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        /* One million 'a': several 64 KiB blocks and a partial last one. */
        {"a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const char *path = write_file("vector", vectors[i].data, vectors[i].length);
        char hex[OC_SHA256_HEX_SIZE];
        oc_error error;
        ck_assert_int_eq(oc__sha256_file(path, hex, &error), OC_OK);
        ck_assert_str_eq(hex, vectors[i].digest);
        memset(hex, 'x', sizeof hex);
        ck_assert_int_eq(oc__sha256_file_mapped(path, hex, &error), OC_OK);
        ck_assert_str_eq(hex, vectors[i].digest);
    }
}
END_TEST

/* Hashing a 48 MiB file mapped leaves the process's resident memory
 * within a few MiB of where it was: the file is mapped a window at a
 * time, and a store's size must not show as memory. Measured in a child,
 * whose peak the parent reads with wait4. The size is no multiple of the
 * window, so that the last window is a short one at a nonzero offset. */
START_TEST(sha256_mapped_keeps_resident_memory_bounded)
{
    static char pattern[4096];
    for (size_t i = 0; i < sizeof pattern - 1; i++)
        pattern[i] = (char)('a' + (i * 7) % 26);
    const char *path = write_file("large", pattern, ((size_t)48 << 20) + 4097);
    char expected[OC_SHA256_HEX_SIZE];
    oc_error error;
    ck_assert_int_eq(oc__sha256_file(path, expected, &error), OC_OK);
    struct rusage own;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &own), 0);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        char hex[OC_SHA256_HEX_SIZE];
        _exit(oc__sha256_file_mapped(path, hex, NULL) == OC_OK && strcmp(hex, expected) == 0 ? 0
                                                                                             : 1);
    }
    int status = 0;
    struct rusage used;
    ck_assert_int_eq(wait4(child, &status, 0, &used), child);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_msg(used.ru_maxrss < own.ru_maxrss + 16 * 1024,
                  "hashing 48 MiB mapped peaked at %ld KiB resident, the parent at %ld KiB",
                  used.ru_maxrss, own.ru_maxrss);
    unlink(path);
}
END_TEST

START_TEST(sha256_of_missing_file_names_it)
{
    char hex[OC_SHA256_HEX_SIZE];
    oc_error error;
    ck_assert_int_eq(oc__sha256_file("no-such-dir/stores/wirral.h5", hex, &error),
                     OC_ERROR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(error.message, "no-such-dir/stores/wirral.h5"));
    ck_assert_ptr_null(strchr(error.message, '\n'));
    ck_assert_int_eq(oc__sha256_file_mapped("no-such-dir/stores/wirral.h5", hex, &error),
                     OC_ERROR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(error.message, "no-such-dir/stores/wirral.h5"));
}
END_TEST

START_TEST(sha256_of_directory_fails_cleanly)
{
    char hex[OC_SHA256_HEX_SIZE];
    oc_error error;
    /* fopen succeeds on a directory on Linux, the read fails: EISDIR. */
    ck_assert_int_eq(oc__sha256_file(test_directory, hex, &error), OC_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(error.message, test_directory));
    ck_assert_int_eq(oc__sha256_file_mapped(test_directory, hex, &error), OC_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(error.message, test_directory));
}
END_TEST

START_TEST(timestamps_are_utc_iso_8601)
{
    char timestamp[OC_TIMESTAMP_SIZE];
    ck_assert_int_eq(oc__format_utc_timestamp(0, timestamp, NULL), OC_OK);
    ck_assert_str_eq(timestamp, "1970-01-01T00:00:00Z");
    /* 10^9 seconds after the epoch: 2001-09-09 01:46:40 UTC (the "billennium"). */
    ck_assert_int_eq(oc__format_utc_timestamp(1000000000, timestamp, NULL), OC_OK);
    ck_assert_str_eq(timestamp, "2001-09-09T01:46:40Z");
}
END_TEST

START_TEST(manifest_records_configuration_and_stores)
{
    oc__manifest *manifest;
    oc_error error;
    ck_assert_int_eq(oc__manifest_create(&manifest, 1000000000, &error), OC_OK);
    ck_assert_str_eq(manifest->started_at, "2001-09-09T01:46:40Z");
    ck_assert_str_eq(manifest->outcomes_version, oc_version());
    ck_assert_ptr_null(manifest->configuration.path);

    char configuration[128];
    snprintf(configuration, sizeof configuration, "%s", write_file("run.ini", "abc", 3));
    ck_assert_int_eq(oc__manifest_set_configuration(manifest, configuration, &error), OC_OK);
    ck_assert_str_eq(manifest->configuration.path, configuration);
    ck_assert_str_eq(manifest->configuration.sha256,
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* A configuration that cannot be read leaves the earlier one recorded. */
    ck_assert_int_ne(oc__manifest_set_configuration(manifest, "missing.ini", &error), OC_OK);
    ck_assert_ptr_nonnull(strstr(error.message, "missing.ini"));
    ck_assert_str_eq(manifest->configuration.path, configuration);

    char first[128], second[128];
    snprintf(first, sizeof first, "%s", write_file("a.h5", "", 0));
    snprintf(second, sizeof second, "%s", write_file("b.h5", "abc", 3));
    ck_assert_int_eq(oc__manifest_add_store(manifest, first, &error), OC_OK);
    ck_assert_int_eq(oc__manifest_add_store(manifest, second, &error), OC_OK);
    ck_assert_uint_eq(manifest->store_count, 2);
    ck_assert_str_eq(manifest->stores[0].path, first);
    ck_assert_str_eq(manifest->stores[0].sha256,
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert_str_eq(manifest->stores[1].path, second);

    /* The same store again is re-hashed, not listed twice. */
    write_file("a.h5", "abc", 3);
    ck_assert_int_eq(oc__manifest_add_store(manifest, first, &error), OC_OK);
    ck_assert_uint_eq(manifest->store_count, 2);
    ck_assert_str_eq(manifest->stores[0].sha256,
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    ck_assert_int_eq(oc__manifest_add_store(manifest, "gone.h5", &error), OC_ERROR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(error.message, "gone.h5"));
    ck_assert_uint_eq(manifest->store_count, 2);
    oc__manifest_free(manifest);
}
END_TEST

START_TEST(manifest_keeps_plugins_unique_and_periods_sorted)
{
    oc__manifest *manifest;
    ck_assert_int_eq(oc__manifest_create(&manifest, 0, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_plugin(manifest, "worklessness", "1.2.0", NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_plugin(manifest, "recycling", NULL, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_plugin(manifest, "worklessness", "9.9", NULL), OC_OK);
    ck_assert_uint_eq(manifest->plugin_count, 2);
    ck_assert_str_eq(manifest->plugins[0].name, "worklessness");
    ck_assert_str_eq(manifest->plugins[0].version, "1.2.0");
    ck_assert_str_eq(manifest->plugins[1].name, "recycling");
    ck_assert_ptr_null(manifest->plugins[1].version);

    ck_assert_int_eq(oc__manifest_set_period_requested(manifest, "latest", NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_set_period_requested(manifest, "2016-11-01", NULL), OC_OK);
    ck_assert_str_eq(manifest->period_requested, "2016-11-01");

    const char *added[] = {"2016-11-01", "2016-02-01", "2017-03-31", "2016-11-01", "2016-02-01"};
    for (size_t i = 0; i < sizeof added / sizeof added[0]; i++)
        ck_assert_int_eq(oc__manifest_add_period_used(manifest, added[i], NULL), OC_OK);
    ck_assert_uint_eq(manifest->period_used_count, 3);
    ck_assert_str_eq(manifest->periods_used[0], "2016-02-01");
    ck_assert_str_eq(manifest->periods_used[1], "2016-11-01");
    ck_assert_str_eq(manifest->periods_used[2], "2017-03-31");

    /* Metrics in the order added, with their levels; a common level only
     * when they all share one. */
    ck_assert(isnan(oc__manifest_common_confidence(manifest)));
    ck_assert_int_eq(oc__manifest_add_metric(manifest, "birkenhead_esa", 95,
                                             OC__FREQUENCY_NONE, NULL),
                     OC_OK);
    ck_assert_int_eq(oc__manifest_add_metric(manifest, "recycling", 95,
                                             OC__FREQUENCY_NONE, NULL),
                     OC_OK);
    ck_assert(oc__manifest_common_confidence(manifest) == 95);
    ck_assert_int_eq(oc__manifest_add_metric(manifest, "gap", 99.8,
                                             OC__FREQUENCY_NONE, NULL),
                     OC_OK);
    ck_assert(isnan(oc__manifest_common_confidence(manifest)));
    ck_assert_uint_eq(manifest->metric_count, 3);
    ck_assert_str_eq(manifest->metrics[2].name, "gap");
    ck_assert(manifest->metrics[2].confidence == 99.8);
    oc__manifest_free(manifest);
}
END_TEST

/* A manifest of results that used the plugins worklessness and then
 * recycling, and the periods 2016-11-01 and 2016-08-01: checked, and
 * returned for more checks (the caller frees it). */
static oc__manifest *collected_from(const oc__result_list *results)
{
    oc__manifest *manifest;
    ck_assert_int_eq(oc__manifest_create(&manifest, 0, NULL), OC_OK);
    ck_assert_int_eq(oc__manifest_add_results(manifest, results, NULL), OC_OK);
    ck_assert_uint_eq(manifest->plugin_count, 2);
    ck_assert_str_eq(manifest->plugins[0].name, "worklessness");
    ck_assert_str_eq(manifest->plugins[1].name, "recycling");
    ck_assert_uint_eq(manifest->period_used_count, 2);
    ck_assert_str_eq(manifest->periods_used[0], "2016-08-01");
    ck_assert_str_eq(manifest->periods_used[1], "2016-11-01");
    return manifest;
}

START_TEST(manifest_collects_plugins_and_periods_from_results)
{
    oc__result_list results = {0};
    const char *rows[][3] = {
        {"worklessness", "1.0.0", "2016-11-01"},
        {"worklessness", "1.0.0", "2016-08-01"},
        {"recycling", "0.3", NULL},          /* failed before a period was chosen */
        {NULL, NULL, "2016-11-01"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        oc__result *result = oc__result_list_append(&results);
        ck_assert_ptr_nonnull(result);
        result->plugin = rows[i][0] ? strdup(rows[i][0]) : NULL;
        result->plugin_version = rows[i][1] ? strdup(rows[i][1]) : NULL;
        result->period = rows[i][2] ? strdup(rows[i][2]) : NULL;
    }
    oc__manifest *manifest = collected_from(&results);
    ck_assert_str_eq(manifest->plugins[1].version, "0.3");
    oc__manifest_free(manifest);
    oc__result_list_free(&results);
    oc__manifest_free(NULL);
}
END_TEST

/* The host's views of a job's results repeat a string by repeating its
 * address (core/wire.h): a repeat is not looked up again, but every new
 * address is, even when a field before it repeated. */
START_TEST(manifest_collects_from_results_that_repeat_addresses)
{
    char worklessness[] = "worklessness", recycling[] = "recycling", version[] = "1.0.0";
    char november[] = "2016-11-01", august[] = "2016-08-01", november_again[] = "2016-11-01";
    struct {
        char *plugin, *period;
    } rows[] = {
        {worklessness, november}, {worklessness, november}, {worklessness, august},
        {recycling, august},      {recycling, november_again}, {worklessness, november},
    };
    oc__result views[sizeof rows / sizeof rows[0]];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        oc__result_init(&views[i]);
        views[i].plugin = rows[i].plugin;
        views[i].plugin_version = version;
        views[i].period = rows[i].period;
    }
    oc__result_list results = {views, sizeof rows / sizeof rows[0], 0};
    oc__manifest_free(collected_from(&results));
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("manifest");
    TCase *tcase = tcase_create("manifest");
    tcase_add_checked_fixture(tcase, make_test_directory, remove_test_directory);
    tcase_add_test(tcase, sha256_matches_published_vectors);
    tcase_add_test(tcase, sha256_mapped_keeps_resident_memory_bounded);
    tcase_add_test(tcase, sha256_of_missing_file_names_it);
    tcase_add_test(tcase, sha256_of_directory_fails_cleanly);
    tcase_add_test(tcase, timestamps_are_utc_iso_8601);
    tcase_add_test(tcase, manifest_records_configuration_and_stores);
    tcase_add_test(tcase, manifest_keeps_plugins_unique_and_periods_sorted);
    tcase_add_test(tcase, manifest_collects_plugins_and_periods_from_results);
    tcase_add_test(tcase, manifest_collects_from_results_that_repeat_addresses);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
