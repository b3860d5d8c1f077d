/* test_engine.c: core/engine.c, a whole configuration run: plugins loaded
 * by name, one plan per metric, jobs cut on chunk rows and run in forked
 * children, results in configuration, unit and indicator order, and the
 * manifest. Stores and their hand-worked values: tests/engine_fixtures.h.
 * The plugins are the real worklessness plugin and the test plugin
 * exit_early (tests/plugins/misbehaving.c), which exits in the child. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_runner.h"
#include "engine.h"
#include "engine_fixtures.h"
#include "no_child_left.h"
#include "plugin_runner.h"
#include "temporary_directory.h"

static oc__config *config;
static oc__manifest *manifest;
static oc__result_list results;
static oc__runner_summary summary;
static char config_path[256];

static const char *plugin_directory(void)
{
    const char *directory = getenv("OUTCOMES_PLUGIN_DIR");
    ck_assert_msg(directory != NULL, "OUTCOMES_PLUGIN_DIR is not set (run through make check)");
    return directory;
}

static void set_up(void)
{
    make_test_directory();
    oc_error error;
    snprintf(config_path, sizeof config_path, "%s", test_path("run.ini"));
    fixture_small_store(test_path("small.h5"));
    ck_assert_int_eq(oc__manifest_create(&manifest, time(NULL), &error), OC_OK);
    config = NULL;
    memset(&results, 0, sizeof results);
    memset(&summary, 0, sizeof summary);
}

static void tear_down(void)
{
    oc__result_list_free(&results);
    oc__manifest_free(manifest);
    oc__config_free(config);
    remove_test_directory();
}

/* Runs the configuration text with plugins from directory and jobs
 * workers; returns the engine's status. */
static int run(const char *text, const char *directory, size_t jobs, oc_error *error)
{
    fixture_config_load(config_path, text, &config);
    oc__engine_options options = {.plugin_dir = directory, .jobs = jobs};
    return oc__engine_run(config, &options, manifest, &results, &summary, error);
}

static const oc__result *result_at(size_t index, const char *metric, const char *area,
                                   const char *indicator)
{
    ck_assert_uint_lt(index, results.count);
    const oc__result *result = &results.items[index];
    ck_assert_str_eq(result->metric, metric);
    ck_assert_str_eq(result->area, area);
    ck_assert_str_eq(result->indicator, indicator);
    return result;
}

START_TEST(metrics_in_configuration_order)
{
    oc_error error;
    const char *text =
        "[outcomes]\nstore = small.h5\nallow_insecure_plugins = yes\n\n"
        "[first]\nplugin = worklessness\ninput.claimants = claimants\n"
        "input.population = population\nareas = A2 P1\n\n"
        "[second]\nplugin = worklessness\ninput.claimants = claimants\n"
        "areas = parents\nindicators = claimants\n";
    ck_assert_msg(run(text, plugin_directory(), 2, &error) == OC_OK, "%s", error.message);
    /* [first]: 2 units x 3 indicators; [second]: P1, P2 x 1 indicator. */
    ck_assert_uint_eq(results.count, 8);
    /* At 2016-01-01: A2 = 240 of 2000 working-age people, 12%; P1 = A2 +
     * A4 = 240 + 440 = 680 of 2000 + 4000, 11.333%; P2 = A1 + A3 = 140 +
     * 340 = 480. */
    ck_assert_double_eq(result_at(0, "first", "A2", "claimants")->value, 240);
    ck_assert_double_eq_tol(result_at(1, "first", "A2", "claimant_rate")->value, 12, 1e-9);
    result_at(2, "first", "A2", "claimants_year_on_year");
    ck_assert_double_eq(result_at(3, "first", "P1", "claimants")->value, 680);
    ck_assert_double_eq_tol(result_at(4, "first", "P1", "claimant_rate")->value,
                            100.0 * 680 / 6000, 1e-9);
    result_at(5, "first", "P1", "claimants_year_on_year");
    ck_assert_double_eq(result_at(6, "second", "P1", "claimants")->value, 680);
    ck_assert_double_eq(result_at(7, "second", "P2", "claimants")->value, 480);
    for (size_t i = 0; i < results.count; i++) {
        ck_assert_str_eq(results.items[i].plugin, "worklessness");
        ck_assert_str_eq(results.items[i].period, "2016-01-01");
    }
    /* Each metric is far below a job's minimum work: one job each. */
    ck_assert_uint_eq(summary.succeeded, 2);
    ck_assert_uint_eq(summary.failed, 0);
    /* The manifest: the configuration, the one store, the plugin once. */
    ck_assert_str_eq(manifest->configuration.path, config_path);
    ck_assert_uint_eq(manifest->store_count, 1);
    /* Worked out by a child while the jobs ran: the file's own digest. */
    char digest[OC_SHA256_HEX_SIZE];
    ck_assert_int_eq(oc__sha256_file(test_path("small.h5"), digest, NULL), OC_OK);
    ck_assert_str_eq(manifest->stores[0].sha256, digest);
    ck_assert_uint_eq(manifest->plugin_count, 1);
    ck_assert_str_eq(manifest->plugins[0].name, "worklessness");
    ck_assert_str_eq(manifest->plugins[0].version, "1.0.0");
    ck_assert_str_eq(manifest->period_requested, "latest");
    ck_assert_uint_eq(manifest->period_used_count, 1);
    ck_assert_str_eq(manifest->periods_used[0], "2016-01-01");
}
END_TEST

START_TEST(the_period_option_overrides_the_configuration)
{
    oc_error error;
    const char *text =
        "[outcomes]\nstore = small.h5\nperiod = 2015Q1\nallow_insecure_plugins = yes\n\n"
        "[m]\nplugin = worklessness\ninput.claimants = claimants\nareas = A1\n"
        "indicators = claimants\n";
    fixture_config_load(config_path, text, &config);
    oc__engine_options options = {.period_text = "2015Q2", .plugin_dir = plugin_directory(),
                                  .jobs = 1};
    ck_assert_msg(oc__engine_run(config, &options, manifest, &results, &summary, &error) == OC_OK,
                  "%s", error.message);
    /* 2015Q2: t = 1, A1 = 100 + 10 = 110 at 2015-04-01. */
    ck_assert_uint_eq(results.count, 1);
    ck_assert_str_eq(results.items[0].period, "2015-04-01");
    ck_assert_double_eq(results.items[0].value, 110);
    ck_assert_str_eq(manifest->period_requested, "2015Q2");
}
END_TEST

/* 17000 areas, each its own value (area + 10000 t). */
static double numbered_value(size_t measure, size_t area, size_t time)
{
    (void)measure;
    return (double)area + 10000.0 * (double)time;
}

/* national.h5: 17000 areas, quarters 2015-01-01 and 2015-04-01; parents
 * may be NULL. */
static void write_national_store(const char *const *parents)
{
    int32_t times[2] = {16436, 16526};
    const char *measures[] = {"claimants"};
    fixture_frame frame = {NULL, 17000, NULL, NULL, parents, 2, times, 1, measures, "quarter",
                           numbered_value};
    fixture_store_write(test_path("national.h5"), &frame, 1);
}

START_TEST(jobs_take_whole_chunk_rows)
{
    /* With 4 workers (4 jobs each) a job should read 17000 / (4 x 4) + 1
     * = 1063 areas; whole chunk rows of 512 make that 1536 (3 rows). Once
     * the run has fewer than 8 x 1063 areas left (after six such jobs,
     * 7784), a job takes an eighth of what is left, never below the
     * minimum of 1024 areas, which is 2 whole rows: seven jobs of 1024,
     * the last the remaining 616. 14 jobs; cut at 1063 areas and without
     * the small jobs at the end there would be 16, with them more. */
    write_national_store(NULL);
    oc_error error;
    const char *text =
        "[outcomes]\nstore = national.h5\nallow_insecure_plugins = yes\n\n"
        "[m]\nplugin = worklessness\ninput.claimants = claimants\nindicators = claimants\n";
    ck_assert_msg(run(text, plugin_directory(), 4, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.succeeded, 14);
    ck_assert_uint_eq(summary.failed, 0);
    /* Whatever order the workers finish in, results keep the areas'. */
    ck_assert_uint_eq(results.count, 17000);
    for (size_t a = 0; a < 17000; a++) {
        ck_assert_str_eq(results.items[a].area, fixture_area_code(a));
        ck_assert_double_eq(results.items[a].value, (double)a + 10000);
    }
}
END_TEST

/* national.h5 again with 170 parents of 100 areas each, P000 to P169. */
static void write_national_store_with_parents(void)
{
    static char codes[170][8];
    static const char *parents[17000];
    for (size_t a = 0; a < 17000; a++) {
        snprintf(codes[a / 100], sizeof codes[0], "P%03zu", a / 100);
        parents[a] = codes[a / 100];
    }
    write_national_store(parents);
}

/* results.items[first ..] are metric's P000 to P169 in order, each the
 * sum of its 100 members at 2015-04-01 (area + 10000): 100 x 10000 +
 * 100 x 100p + 4950. */
static void check_parent_sums(size_t first, const char *metric)
{
    ck_assert_uint_ge(results.count, first + 170);
    for (size_t p = 0; p < 170; p++) {
        const oc__result *result = &results.items[first + p];
        char code[8];
        snprintf(code, sizeof code, "P%03zu", p);
        ck_assert_str_eq(result->metric, metric);
        ck_assert_str_eq(result->area, code);
        ck_assert_double_eq(result->value, 1004950.0 + 10000.0 * (double)p);
    }
}

START_TEST(jobs_over_parents_are_fewer_and_larger)
{
    /* Over parents, one job per worker: with 2 workers a job should read
     * 17000 / 2 + 1 = 8501 areas, but no more than a quarter of what the
     * run has left, 4251 (in whole rows 4608, so 46 parents); then a
     * quarter of what is left (3101, 3584: 35 parents; 2226, 2560: 25;
     * 1601, 2048: 20; 1101, 1536: 15), then the minimum of 1024 (10, 10
     * and the last 9). 8 jobs, where 4 jobs per worker (2126 areas, 2560:
     * 25 parents at a time) would make 10: each boundary inside a chunk
     * row is a row two workers decompress. */
    write_national_store_with_parents();
    oc_error error;
    const char *text =
        "[outcomes]\nstore = national.h5\nallow_insecure_plugins = yes\n\n"
        "[m]\nplugin = worklessness\ninput.claimants = claimants\nindicators = claimants\n"
        "areas = parents\n";
    ck_assert_msg(run(text, plugin_directory(), 2, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.succeeded, 8);
    ck_assert_uint_eq(summary.failed, 0);
    ck_assert_uint_eq(results.count, 170);
    check_parent_sums(0, "m");
}
END_TEST

START_TEST(jobs_over_parents_one_per_worker_until_the_end)
{
    /* Two metrics: the first's jobs read 8501 areas (8704 in whole rows:
     * 87 parents), a quarter of the 34000 the run reads being no less,
     * then a quarter of the 25300 left (6326, 6656: 66 parents) and the
     * last 17; the second's as above. 11 jobs, where two jobs per worker
     * (46 parents) would make 12. */
    write_national_store_with_parents();
    oc_error error;
    const char *text =
        "[outcomes]\nstore = national.h5\nallow_insecure_plugins = yes\n\n"
        "[m]\nplugin = worklessness\ninput.claimants = claimants\nindicators = claimants\n"
        "areas = parents\n\n"
        "[n]\nplugin = worklessness\ninput.claimants = claimants\nindicators = claimants\n"
        "areas = parents\n";
    ck_assert_msg(run(text, plugin_directory(), 2, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.succeeded, 11);
    ck_assert_uint_eq(summary.failed, 0);
    ck_assert_uint_eq(results.count, 340);
    check_parent_sums(0, "m");
    check_parent_sums(170, "n");
}
END_TEST

/* A sink that takes each delivery's results, keeping area and value. */
typedef struct taking_sink {
    oc__result_list taken;
    size_t deliveries;
    size_t periods_at_first_delivery;
} taking_sink;

static int take_results(void *context, const oc__result_list *delivered, oc_error *error)
{
    (void)error;
    taking_sink *sink = context;
    if (sink->deliveries++ == 0)
        sink->periods_at_first_delivery = manifest->period_used_count;
    for (size_t i = 0; i < delivered->count; i++) {
        oc__result *copy = oc__result_list_append(&sink->taken);
        ck_assert_ptr_nonnull(copy);
        copy->area = strdup(delivered->items[i].area);
        copy->value = delivered->items[i].value;
    }
    return OC_OK;
}

START_TEST(a_sink_receives_every_result_in_order)
{
    write_national_store(NULL);
    fixture_config_load(config_path,
                        "[outcomes]\nstore = national.h5\nallow_insecure_plugins = yes\n\n"
                        "[m]\nplugin = worklessness\ninput.claimants = claimants\n"
                        "indicators = claimants\n", &config);
    taking_sink taking = {{0}, 0, 0};
    oc__runner_sink sink = {take_results, &taking};
    oc__engine_options options = {.plugin_dir = plugin_directory(), .jobs = 2, .sink = &sink};
    oc_error error;
    ck_assert_msg(oc__engine_run(config, &options, manifest, &results, &summary, &error) == OC_OK,
                  "%s", error.message);
    ck_assert_uint_eq(results.count, 0); /* all taken by the sink */
    ck_assert_uint_ge(taking.deliveries, 1);
    /* The manifest already lists a result's period when the sink sees it. */
    ck_assert_uint_eq(taking.periods_at_first_delivery, 1);
    ck_assert_uint_eq(taking.taken.count, 17000);
    for (size_t a = 0; a < 17000; a++) {
        ck_assert_str_eq(taking.taken.items[a].area, fixture_area_code(a));
        ck_assert_double_eq(taking.taken.items[a].value, (double)a + 10000);
    }
    ck_assert_uint_eq(manifest->period_used_count, 1);
    ck_assert_str_eq(manifest->periods_used[0], "2015-04-01");
    oc__result_list_free(&taking.taken);
}
END_TEST

START_TEST(a_failed_job_stands_for_every_unit)
{
    char directory[1024];
    snprintf(directory, sizeof directory, "%s/../../tests/plugins/misbehaving/.libs",
             plugin_directory());
    oc_error error;
    const char *text =
        "[outcomes]\nstore = small.h5\nallow_insecure_plugins = yes\n\n"
        "[m]\nplugin = exit_early\ninput.count = claimants\nareas = A2 P1 A5\n";
    ck_assert_msg(run(text, directory, 1, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.succeeded, 0);
    ck_assert_uint_eq(summary.failed, 1);
    /* One failed result per unit (3) and indicator (1), with the reason. */
    ck_assert_uint_eq(results.count, 3);
    const char *areas[] = {"A2", "P1", "A5"};
    for (size_t u = 0; u < 3; u++) {
        const oc__result *result = result_at(u, "m", areas[u], "value");
        ck_assert_int_eq(result->status, OC_RESULT_FAILED);
        ck_assert_str_eq(result->plugin, "exit_early");
        ck_assert_ptr_nonnull(strstr(result->message, "exited with status 3"));
    }
    ck_assert_str_eq(results.items[0].area_name, "Beta");
    ck_assert_ptr_null(results.items[1].area_name);
}
END_TEST

/* The run forked nothing that outlived it: the store's digest is worked
 * out in a child started before planning, which a failed plan must stop. */
START_TEST(an_unknown_plugin_names_its_key)
{
    oc_error error;
    const char *text = "[outcomes]\nstore = small.h5\nallow_insecure_plugins = yes\n\n"
                       "[m]\nplugin = nosuchplugin\n";
    ck_assert_int_eq(run(text, plugin_directory(), 1, &error), OC_ERROR_CONFIG);
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s: [m] plugin: ", config_path);
    ck_assert_msg(strncmp(error.message, prefix, strlen(prefix)) == 0, "%s", error.message);
    ck_assert_ptr_nonnull(strstr(error.message, "nosuchplugin"));
    ck_assert_uint_eq(results.count, 0);
    assert_no_child_left();
}
END_TEST

START_TEST(a_plan_error_stops_the_run)
{
    oc_error error;
    const char *text =
        "[outcomes]\nstore = small.h5\nallow_insecure_plugins = yes\n\n"
        "[good]\nplugin = worklessness\ninput.claimants = claimants\n\n"
        "[bad]\nplugin = worklessness\ninput.claimants = claimants\nareas = Z9\n";
    ck_assert_int_eq(run(text, plugin_directory(), 1, &error), OC_ERROR_CONFIG);
    char expected[512];
    snprintf(expected, sizeof expected,
             "%s: [bad] areas: 'Z9' is neither an area nor a parent area in %s frame /",
             config_path, config->stores[0]);
    ck_assert_str_eq(error.message, expected);
    ck_assert_uint_eq(results.count, 0); /* nothing ran */
    assert_no_child_left();
}
END_TEST

START_TEST(a_configured_period_the_store_cannot_serve_names_outcomes_period)
{
    oc_error error;
    /* The period comes from [outcomes], not from the metric's section. */
    const char *text = "[outcomes]\nstore = small.h5\nallow_insecure_plugins = yes\n"
                       "period = 1990Q4\n\n"
                       "[m]\nplugin = worklessness\ninput.claimants = claimants\n";
    ck_assert_int_eq(run(text, plugin_directory(), 1, &error), OC_ERROR_CONFIG);
    char prefix[512];
    snprintf(prefix, sizeof prefix,
             "%s: [outcomes] period: '1990Q4' ends before the first period in the store (",
             config_path);
    ck_assert_msg(strncmp(error.message, prefix, strlen(prefix)) == 0, "%s", error.message);
    const char *end = " (in [m])";
    size_t length = strlen(error.message);
    ck_assert_msg(length > strlen(end) && strcmp(error.message + length - strlen(end), end) == 0,
                  "%s", error.message);
    ck_assert_uint_eq(results.count, 0);
}
END_TEST

START_TEST(a_missing_store)
{
    oc_error error;
    const char *text = "[outcomes]\nstore = absent.h5\nallow_insecure_plugins = yes\n\n"
                       "[m]\nplugin = worklessness\ninput.claimants = claimants\n";
    ck_assert_int_eq(run(text, plugin_directory(), 1, &error), OC_ERROR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(error.message, "absent.h5"));
    ck_assert_uint_eq(results.count, 0);
    assert_no_child_left();
}
END_TEST

START_TEST(a_plan_error_stops_the_readers_of_stores_not_yet_planned)
{
    /* Each metric's store is read in a child from the start, while the
     * plugins load. [bad] fails to plan before [other]'s store is
     * needed: its reader must be stopped and reaped, not left behind. */
    oc_error error;
    fixture_small_store(test_path("other.h5"));
    const char *text =
        "[outcomes]\nstore = small.h5\nallow_insecure_plugins = yes\n\n"
        "[bad]\nplugin = worklessness\ninput.claimants = claimants\nareas = Z9\n\n"
        "[other]\nplugin = worklessness\ninput.claimants = claimants\nstore = other.h5\n";
    ck_assert_int_eq(run(text, plugin_directory(), 1, &error), OC_ERROR_CONFIG);
    ck_assert_ptr_nonnull(strstr(error.message, "[bad] areas: 'Z9'"));
    ck_assert_uint_eq(results.count, 0);
    assert_no_child_left();
}
END_TEST

/* Replaces the dataset `names` (a frame's area_name) of the store at path
 * with one entry fewer than the frame's five areas: a store the format
 * refuses, though only for its names. */
static void shorten_area_names(const char *path, const char *names_path)
{
    static const char *const short_names[4] = {"Alpha", "Beta", "Gamma", "Delta"};
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    ck_assert_int_ge(H5Ldelete(file, names_path, H5P_DEFAULT), 0);
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    hsize_t count = 4;
    hid_t space = H5Screate_simple(1, &count, NULL);
    hid_t names = H5Dcreate2(file, names_path, type, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    ck_assert_int_ge(names, 0);
    ck_assert_int_ge(H5Dwrite(names, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, short_names), 0);
    H5Dclose(names);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
}

/* [by_parent]'s results over the small store's parents at its latest
 * quarter: P1 = A2 + A4 = 240 + 440, P2 = A1 + A3 = 140 + 340. */
static void assert_parents_claimants(void)
{
    ck_assert_uint_eq(results.count, 2);
    ck_assert_double_eq(result_at(0, "by_parent", "P1", "claimants")->value, 680);
    ck_assert_double_eq(result_at(1, "by_parent", "P2", "claimants")->value, 480);
}

/* A run that reports only parents, which are named by area_parent_name if
 * at all, not by area_name, does not read the areas' names (a national store's were a quarter of its reader's time):
 * it goes through a store whose names are wrong, which a run that reports
 * areas refuses, naming the dataset. */
START_TEST(a_run_over_parents_only_reads_no_area_names)
{
    oc_error error;
    fixture_small_store(test_path("short-names.h5"));
    shorten_area_names(test_path("short-names.h5"), "area_name");
    const char *parents_only =
        "[outcomes]\nstore = short-names.h5\nallow_insecure_plugins = yes\n\n"
        "[by_parent]\nplugin = worklessness\ninput.claimants = claimants\n"
        "areas = parents\nindicators = claimants\n";
    ck_assert_msg(run(parents_only, plugin_directory(), 1, &error) == OC_OK, "%s", error.message);
    assert_parents_claimants();
    oc__result_list_free(&results);
    oc__config_free(config);
    config = NULL;

    const char *also_areas =
        "[outcomes]\nstore = short-names.h5\nallow_insecure_plugins = yes\n\n"
        "[by_parent]\nplugin = worklessness\ninput.claimants = claimants\n"
        "areas = parents\nindicators = claimants\n\n"
        "[by_area]\nplugin = worklessness\ninput.claimants = claimants\n"
        "areas = A1\nindicators = claimants\n";
    ck_assert_int_eq(run(also_areas, plugin_directory(), 1, &error), OC_ERROR_FORMAT);
    ck_assert_msg(strstr(error.message, "/area_name: has 4 entries for 5 areas") != NULL, "%s",
                  error.message);
    oc__config_free(config);
    config = NULL;

    /* A comparator may be an area, whose name its plugin is given. */
    const char *compared =
        "[outcomes]\nstore = short-names.h5\nallow_insecure_plugins = yes\n\n"
        "[by_parent]\nplugin = worklessness\ninput.claimants = claimants\n"
        "areas = parents\ncomparator = A5\nindicators = claimants\n";
    ck_assert_int_eq(run(compared, plugin_directory(), 1, &error), OC_ERROR_FORMAT);
    ck_assert_msg(strstr(error.message, "/area_name: has 4 entries for 5 areas") != NULL, "%s",
                  error.message);
    assert_no_child_left();
}
END_TEST

/* The same for a store that planning opens itself, not read from the
 * start: the second of two stores, holding the metric's frame. */
START_TEST(a_run_over_parents_only_reads_no_area_names_in_a_later_store)
{
    oc_error error;
    fixture_two_frame_store(test_path("two-frames.h5"));
    shorten_area_names(test_path("two-frames.h5"), "quarterly/area_name");
    const char *parents_only =
        "[outcomes]\nstore = small.h5 two-frames.h5\nallow_insecure_plugins = yes\n\n"
        "[by_parent]\nplugin = worklessness\ninput.claimants = claimants\n"
        "frame = quarterly\nareas = parents\nindicators = claimants\n";
    ck_assert_msg(run(parents_only, plugin_directory(), 1, &error) == OC_OK, "%s", error.message);
    assert_parents_claimants();
    assert_no_child_left();
}
END_TEST

/* How many times the counted plugin's entry point was called while
 * running text (tests/plugins/counted.c): its own configuration, manifest
 * and results, so that a test can run twice. */
static size_t openings_running(const char *text, size_t expected_results)
{
    char directory[1024], log[1024];
    snprintf(directory, sizeof directory, "%s/../../tests/plugins/counted/.libs",
             plugin_directory());
    snprintf(log, sizeof log, "%s", test_path("openings.log"));
    unlink(log);
    ck_assert_int_eq(setenv("OC_TEST_LOAD_LOG", log, 1), 0);
    oc__config *own_config = NULL;
    oc__manifest *own_manifest = NULL;
    oc__result_list own_results = {0};
    oc_error error;
    fixture_config_load(config_path, text, &own_config);
    ck_assert_int_eq(oc__manifest_create(&own_manifest, time(NULL), &error), OC_OK);
    oc__engine_options options = {.plugin_dir = directory, .jobs = 2};
    ck_assert_msg(oc__engine_run(own_config, &options, own_manifest, &own_results, NULL, &error)
                      == OC_OK,
                  "%s", error.message);
    ck_assert_uint_eq(own_results.count, expected_results);
    oc__result_list_free(&own_results);
    oc__manifest_free(own_manifest);
    oc__config_free(own_config);
    unsetenv("OC_TEST_LOAD_LOG");
    FILE *file = fopen(log, "r");
    ck_assert_ptr_nonnull(file);
    size_t lines = 0;
    for (int c; (c = fgetc(file)) != EOF;)
        lines += c == '\n';
    fclose(file);
    return lines;
}

/* Metrics that name the same plugin share one opening of it (a trial
 * fork and a dlopen each): a configuration of a section per area paid it
 * thousands of times. */
START_TEST(a_plugin_named_by_several_metrics_is_opened_once)
{
    static const char section[] = "plugin = good\ninput.count = claimants\n"
                                  "input.population = population\nareas = A2 A4\n";
    char one[1024], three[2048];
    snprintf(one, sizeof one, "[outcomes]\nstore = small.h5\nallow_insecure_plugins = yes\n\n"
             "[a]\n%s", section);
    snprintf(three, sizeof three, "%s\n[b]\n%s\n[c]\n%s", one, section, section);
    size_t for_one = openings_running(one, 2);
    ck_assert_uint_gt(for_one, 0);
    ck_assert_uint_eq(openings_running(three, 6), for_one);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("engine");
    TCase *tcase = tcase_create("engine");
    tcase_add_checked_fixture(tcase, set_up, tear_down);
    tcase_set_timeout(tcase, 120);
    tcase_add_test(tcase, metrics_in_configuration_order);
    tcase_add_test(tcase, the_period_option_overrides_the_configuration);
    tcase_add_test(tcase, jobs_take_whole_chunk_rows);
    tcase_add_test(tcase, jobs_over_parents_are_fewer_and_larger);
    tcase_add_test(tcase, jobs_over_parents_one_per_worker_until_the_end);
    tcase_add_test(tcase, a_sink_receives_every_result_in_order);
    tcase_add_test(tcase, a_failed_job_stands_for_every_unit);
    tcase_add_test(tcase, an_unknown_plugin_names_its_key);
    tcase_add_test(tcase, a_plan_error_stops_the_run);
    tcase_add_test(tcase, a_configured_period_the_store_cannot_serve_names_outcomes_period);
    tcase_add_test(tcase, a_missing_store);
    tcase_add_test(tcase, a_plan_error_stops_the_readers_of_stores_not_yet_planned);
    tcase_add_test(tcase, a_run_over_parents_only_reads_no_area_names);
    tcase_add_test(tcase, a_run_over_parents_only_reads_no_area_names_in_a_later_store);
    tcase_add_test(tcase, a_plugin_named_by_several_metrics_is_opened_once);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
