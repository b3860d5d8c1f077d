/* test_engine_plan.c: core/engine_plan.c, the step from a configuration
 * to a metric's plan. The stores are tests/engine_fixtures.h's (their
 * layout is written out there) and the plugin is the real worklessness
 * plugin of this tree (inputs claimants, population; indicators claimants
 * = 0, claimant_rate = 1, claimants_year_on_year = 2). Every error is
 * checked whole: "FILE: [section] key: what is wrong". */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_runner.h"
#include "engine_fixtures.h"
#include "engine_plan.h"
#include "temporary_directory.h"

static oc__plugin *plugin;
static oc__config *config;
static oc__metric_plan plan;
static char config_path[256], small_path[256];

static void set_up(void)
{
    make_test_directory();
    oc_error error;
    const char *directory = getenv("OUTCOMES_PLUGIN_DIR");
    ck_assert_msg(directory != NULL, "OUTCOMES_PLUGIN_DIR is not set (run through make check)");
    ck_assert_msg(oc__plugin_open_by_name(directory, "worklessness", OC__PLUGIN_ALLOW_INSECURE,
                                          &plugin, &error) == OC_OK, "%s", error.message);
    snprintf(config_path, sizeof config_path, "%s", test_path("run.ini"));
    snprintf(small_path, sizeof small_path, "%s", test_path("small.h5"));
    fixture_small_store(small_path);
    config = NULL;
    memset(&plan, 0, sizeof plan);
}

static void tear_down(void)
{
    oc__metric_plan_free(&plan);
    oc__config_free(config);
    oc__plugin_close(plugin);
    remove_test_directory();
}

/* Plans the first metric of the configuration text for period. */
static int build_text(const char *text, const char *period, oc_error *error)
{
    return fixture_plan_build(config_path, text, plugin, period, &config, &plan, error);
}

/* The metric [m] over store (a file name in the test directory), with
 * extra lines appended to its section. */
static int build(const char *store, const char *extra, const char *period, oc_error *error)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[outcomes]\nstore = %s\n\n[m]\nplugin = worklessness\n"
             "input.claimants = claimants\ninput.population = population\n%s",
             store, extra);
    return build_text(text, period, error);
}

static void assert_unit(size_t index, const char *code, const char *name, int aggregated,
                        size_t member_count, const size_t *members)
{
    ck_assert_uint_lt(index, plan.unit_count);
    const oc__evaluation_unit *unit = &plan.units[index];
    ck_assert_str_eq(unit->code, code);
    ck_assert_str_eq(unit->name, name);
    ck_assert_int_eq(unit->aggregated != 0, aggregated);
    ck_assert_uint_eq(unit->member_count, member_count);
    for (size_t m = 0; m < member_count; m++)
        ck_assert_uint_eq(unit->members[m], members[m]);
}

/* build, which must succeed. */
static void build_ok(const char *store, const char *extra, const char *period)
{
    oc_error error;
    ck_assert_msg(build(store, extra, period, &error) == OC_OK, "%s", error.message);
}

/* Frees a build's configuration and plan, so the test can build again. */
static void discard_build(void)
{
    oc__config_free(config);
    config = NULL;
    oc__metric_plan_free(&plan);
}

/* "FILE: [m] KEY: " followed by the rest, given as for printf. */
static void assert_config_error(const oc_error *error, const char *key, const char *rest_format,
                                ...) __attribute__((format(printf, 3, 4)));
static void assert_config_error(const oc_error *error, const char *key, const char *rest_format,
                                ...)
{
    char rest[512], expected[1024];
    va_list arguments;
    va_start(arguments, rest_format);
    vsnprintf(rest, sizeof rest, rest_format, arguments);
    va_end(arguments);
    snprintf(expected, sizeof expected, "%s: [m] %s: %s", config_path, key, rest);
    ck_assert_int_eq(error->status, OC_ERROR_CONFIG);
    ck_assert_str_eq(error->message, expected);
}

START_TEST(listed_areas_and_a_parent_in_the_order_written)
{
    build_ok("small.h5", "areas = A3 P1 A1\n", "latest");
    ck_assert_str_eq(plan.metric, "m");
    ck_assert_ptr_eq(plan.descriptor, &plugin->descriptor);
    ck_assert_str_eq(plan.store_path, small_path);
    ck_assert_str_eq(plan.frame_name, "/");
    ck_assert_uint_eq(plan.unit_count, 3);
    assert_unit(0, "A3", "Gamma", 0, 1, (size_t[]){2});
    /* P1 gathers A2 (index 1) and A4 (index 3); a parent has no name. */
    assert_unit(1, "P1", "", 1, 2, (size_t[]){1, 3});
    assert_unit(2, "A1", "Alpha", 0, 1, (size_t[]){0});
    ck_assert_ptr_null(plan.comparator);
    ck_assert_uint_eq(plan.role_count, 2);
    ck_assert_str_eq(plan.role_measures[0], "claimants");
    ck_assert_str_eq(plan.role_measures[1], "population");
    /* Five areas fit one chunk: the writer's chunk is min(areas, 512). */
    ck_assert_uint_eq(plan.chunk_areas, 5);
    /* No `indicators`: all three, in the plugin's order; no target. */
    ck_assert_uint_eq(plan.indicator_count, 3);
    ck_assert_uint_eq(plan.reported_count, 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_uint_eq(plan.reported[i], i);
    ck_assert_uint_eq(plan.target_indicator, OC__NO_INDEX);
    ck_assert_int_eq(plan.settings.target_kind, OC__TARGET_NONE);
    /* latest: the last of five times; no baseline. */
    ck_assert_uint_eq(plan.period_end_index, 4);
    ck_assert_uint_eq(plan.baseline_end_index, OC__NO_INDEX);
    /* Seven parameters with the descriptor's defaults; 95%: z = 1.95996. */
    ck_assert_uint_eq(plan.parameter_count, 7);
    ck_assert_str_eq(plan.parameters[0].name, "unit_cost");
    ck_assert_double_eq(plan.parameters[0].number, 8632);
    ck_assert_double_eq_tol(plan.z, 1.959964, 1e-6);
    ck_assert_double_eq(plan.time_limit, 60);
}
END_TEST

START_TEST(all_areas_in_store_order)
{
    build_ok("small.h5", "areas = all\n", "latest");
    const char *codes[] = {"A1", "A2", "A3", "A4", "A5"};
    const char *names[] = {"Alpha", "Beta", "Gamma", "Delta", "Epsilon"};
    ck_assert_uint_eq(plan.unit_count, 5);
    for (size_t u = 0; u < 5; u++)
        assert_unit(u, codes[u], names[u], 0, 1, (size_t[]){u});
}
END_TEST

START_TEST(parents_one_unit_each_in_code_order)
{
    build_ok("small.h5", "areas = parents\n", "latest");
    /* P2 comes first in the store (A1's parent) but P1 sorts first; A5,
     * without a parent, is in neither. Members in area order. */
    ck_assert_uint_eq(plan.unit_count, 2);
    assert_unit(0, "P1", "", 1, 2, (size_t[]){1, 3});
    assert_unit(1, "P2", "", 1, 2, (size_t[]){0, 2});
}
END_TEST

START_TEST(parents_with_a_comparator)
{
    build_ok("small.h5", "areas = parents\ncomparator = A5\n", "latest");
    ck_assert_uint_eq(plan.unit_count, 2);
    ck_assert_ptr_nonnull(plan.comparator);
    ck_assert_str_eq(plan.comparator->code, "A5");
    ck_assert_str_eq(plan.comparator->name, "Epsilon");
    ck_assert_int_eq(plan.comparator->aggregated, 0);
    ck_assert_uint_eq(plan.comparator->member_count, 1);
    ck_assert_uint_eq(plan.comparator->members[0], 4);
}
END_TEST

START_TEST(a_parent_as_comparator)
{
    build_ok("small.h5", "areas = A5\ncomparator = P2\n", "latest");
    ck_assert_ptr_nonnull(plan.comparator);
    ck_assert_str_eq(plan.comparator->code, "P2");
    ck_assert_int_eq(plan.comparator->aggregated, 1);
    ck_assert_uint_eq(plan.comparator->member_count, 2);
    ck_assert_uint_eq(plan.comparator->members[0], 0);
    ck_assert_uint_eq(plan.comparator->members[1], 2);
}
END_TEST

START_TEST(periods_indicators_and_target)
{
    /* 2015Q2 ends 2015-07-01: the latest time before is 2015-04-01, index
     * 1. 2015Q4 ends 2016-01-01: 2015-10-01, index 3. The target's day is
     * the start of 2016Q1, 2016-01-01 = day 16801. */
    build_ok("small.h5",
             "baseline = 2015Q2\ntarget = -10%\ntarget_date = 2016Q1\n"
             "target_indicator = claimants\n"
             "indicators = claimant_rate, claimants\nconfidence = 99.8\n"
             "time_limit = 5\nunit_cost = 100\n",
             "2015Q4");
    ck_assert_uint_eq(plan.period_end_index, 3);
    ck_assert_uint_eq(plan.baseline_end_index, 1);
    ck_assert_uint_eq(plan.reported_count, 2);
    ck_assert_uint_eq(plan.reported[0], 1); /* claimant_rate */
    ck_assert_uint_eq(plan.reported[1], 0); /* claimants */
    ck_assert_uint_eq(plan.target_indicator, 0);
    ck_assert_int_eq(plan.settings.target_kind, OC__TARGET_RELATIVE);
    ck_assert_double_eq(plan.settings.target_amount, -10);
    ck_assert_int_eq(plan.settings.target_day, 16801);
    ck_assert_double_eq_tol(plan.z, 3.090232, 1e-6); /* 99.8%: z = 3.0902 */
    ck_assert_double_eq(plan.time_limit, 5);
    ck_assert_double_eq(plan.parameters[0].number, 100);
}
END_TEST

START_TEST(a_named_frame_of_several)
{
    fixture_two_frame_store(test_path("two.h5"));
    build_ok("two.h5", "frame = yearly\n", "latest");
    /* The store names a group frame by its path (store.h's comment says
     * "yearly"; oc__store_frame_name gives "/yearly"): either finds it
     * again with oc__store_find_frame. */
    ck_assert_str_eq(plan.frame_name, "/yearly");
    ck_assert_uint_eq(plan.unit_count, 2);
    ck_assert_uint_eq(plan.period_end_index, 1);
}
END_TEST

START_TEST(chunk_areas_come_from_the_store)
{
    /* 1200 areas: the writer chunks 512 areas at a time. */
    int32_t times[2] = {16436, 16526};
    const char *measures[] = {"claimants", "population"};
    fixture_frame frame = {NULL, 1200, NULL, NULL, NULL, 2, times, 2, measures, "quarter",
                           fixture_small_value};
    fixture_store_write(test_path("large.h5"), &frame, 1);
    build_ok("large.h5", "areas = A0000 A1199\n", "latest");
    ck_assert_uint_eq(plan.chunk_areas, 512);
    assert_unit(1, "A1199", "", 0, 1, (size_t[]){1199});
}
END_TEST

START_TEST(unknown_area)
{
    oc_error error;
    ck_assert_int_eq(build("small.h5", "areas = A1 P9\n", "latest", &error), OC_ERROR_CONFIG);
    assert_config_error(&error, "areas", "'P9' is neither an area nor a parent area in %s frame /",
                        small_path);
}
END_TEST

START_TEST(unknown_comparator)
{
    oc_error error;
    ck_assert_int_eq(build("small.h5", "areas = A1\ncomparator = E99\n", "latest", &error),
                     OC_ERROR_CONFIG);
    assert_config_error(&error, "comparator",
                        "'E99' is neither an area nor a parent area in %s frame /", small_path);
}
END_TEST

START_TEST(unknown_measure)
{
    oc_error error;
    ck_assert_int_eq(build_text("[outcomes]\nstore = small.h5\n\n[m]\nplugin = worklessness\n"
                                "input.claimants = esa_claimants\n", "latest", &error),
                     OC_ERROR_CONFIG);
    assert_config_error(&error, "input.claimants", "no measure 'esa_claimants' in %s frame /",
                        small_path);
}
END_TEST

START_TEST(frame_missing_with_several_frames)
{
    oc_error error;
    char store[256];
    snprintf(store, sizeof store, "%s", test_path("two.h5"));
    fixture_two_frame_store(store);
    ck_assert_int_eq(build("two.h5", "", "latest", &error), OC_ERROR_CONFIG);
    assert_config_error(&error, "frame", "%s has 2 frames: name one with `frame`", store);
    discard_build();
    ck_assert_int_eq(build("two.h5", "frame = monthly\n", "latest", &error), OC_ERROR_CONFIG);
    assert_config_error(&error, "frame", "no frame 'monthly' in %s", store);
}
END_TEST

START_TEST(baseline_after_period)
{
    oc_error error;
    ck_assert_int_eq(build("small.h5", "baseline = 2015Q4\n", "2015Q2", &error),
                     OC_ERROR_CONFIG);
    assert_config_error(&error, "baseline",
                        "the baseline '2015Q4' is after the evaluation period '2015Q2'");
    /* After the store's last time (2016-01-01) both periods fall on the
     * last time index; the baseline is still after the evaluation period,
     * not silently equal to it (change 0, RAG green). */
    discard_build();
    ck_assert_int_eq(build("small.h5", "baseline = 2016Q3\n", "latest", &error),
                     OC_ERROR_CONFIG);
    assert_config_error(&error, "baseline",
                        "the baseline '2016Q3' is after the evaluation period 'latest'");
    discard_build();
    /* 2016Q2 starts 2016-04-01, where the evaluation period 2016Q1 ends. */
    ck_assert_int_eq(build("small.h5", "baseline = 2016Q2\n", "2016Q1", &error),
                     OC_ERROR_CONFIG);
    assert_config_error(&error, "baseline",
                        "the baseline '2016Q2' is after the evaluation period '2016Q1'");
    discard_build();
    /* A baseline inside the evaluation period is not after it. */
    build_ok("small.h5", "baseline = 2016-02\n", "2016Q1");
}
END_TEST

START_TEST(target_date_after_an_academic_baseline)
{
    /* With an academic_year frame, baseline = 2015/16 is September 2015 -
     * August 2016 (the loader, without the frame, read it as the financial
     * year April 2015 - March 2016). target_date = 2016-07 starts before
     * the academic baseline ends, so it is not after the baseline. Times:
     * 2014-09-01 = 16314, 2015-09-01 = 16679, 2016-09-01 = 17045. */
    int32_t times[3] = {16314, 16679, 17045};
    const char *codes[] = {"X1"};
    const char *measures[] = {"claimants", "population"};
    fixture_frame frame = {NULL, 1, codes, NULL, NULL, 3, times, 2, measures, "academic_year",
                           fixture_small_value};
    fixture_store_write(test_path("academic.h5"), &frame, 1);
    oc_error error;
    ck_assert_int_eq(build("academic.h5",
                           "baseline = 2015/16\ntarget = -10%\ntarget_date = 2016-07\n"
                           "target_indicator = claimants\n",
                           "latest", &error),
                     OC_ERROR_CONFIG);
    assert_config_error(&error, "target_date", "'2016-07' is not after the baseline '2015/16'");
    discard_build();
    /* 2016/17 (academic: from 2016-09-01) is after it. */
    build_ok("academic.h5",
             "baseline = 2015/16\ntarget = -10%\ntarget_date = 2016/17\n"
             "target_indicator = claimants\n",
             "latest");
    ck_assert_int_eq(plan.settings.target_day, 17045);
}
END_TEST

START_TEST(period_before_the_first_time)
{
    oc_error error;
    /* 2014Q4 ends 2015-01-01, the first time: nothing lies before it. */
    ck_assert_int_eq(build("small.h5", "", "2014Q4", &error), OC__ERROR_ENGINE_OPTION);
    /* Given like --period: the error names the option and the metric, and
     * its status tells the command it was the option's (usage, status 2). */
    char expected[1024];
    snprintf(expected, sizeof expected,
             "--period: '2014Q4' ends before the first period in the store (2015-01-01) "
             "(in %s: [m])", config_path);
    ck_assert_str_eq(error.message, expected);
    discard_build();
    ck_assert_int_eq(build("small.h5", "baseline = 2014\n", "latest", &error), OC_ERROR_CONFIG);
    assert_config_error(&error, "baseline",
                        "'2014' ends before the first period in the store (2015-01-01)");
}
END_TEST

START_TEST(parents_in_a_store_without_parents)
{
    int32_t times[1] = {16436};
    const char *codes[] = {"X1", "X2"};
    const char *measures[] = {"claimants"};
    fixture_frame frame = {NULL, 2, codes, NULL, NULL, 1, times, 1, measures, "quarter",
                           fixture_small_value};
    char store[256];
    snprintf(store, sizeof store, "%s", test_path("flat.h5"));
    fixture_store_write(store, &frame, 1);
    oc_error error;
    ck_assert_int_eq(build_text("[outcomes]\nstore = flat.h5\n\n[m]\nplugin = worklessness\n"
                                "input.claimants = claimants\nareas = parents\n", "latest", &error),
                     OC_ERROR_CONFIG);
    assert_config_error(&error, "areas", "'parents': %s frame / names no parent areas", store);
}
END_TEST

/* A store that cannot be opened keeps its own status (a data error, not
 * a configuration one) but is named after the key that named it. */
START_TEST(a_store_that_cannot_be_opened_names_its_key)
{
    oc_error error;
    char missing[256], expected[1024];
    snprintf(missing, sizeof missing, "%s", test_path("missing.h5"));
    ck_assert_int_eq(build("missing.h5", "", "latest", &error), OC_ERROR_NOT_FOUND);
    snprintf(expected, sizeof expected, "%s: [outcomes] store: %s: No such file or directory",
             config_path, missing);
    ck_assert_str_eq(error.message, expected);
    discard_build();
    ck_assert_int_eq(build("small.h5", "store = missing.h5\n", "latest", &error),
                     OC_ERROR_NOT_FOUND);
    snprintf(expected, sizeof expected, "%s: [m] store: %s: No such file or directory",
             config_path, missing);
    ck_assert_str_eq(error.message, expected);
    discard_build();
    ck_assert_int_eq(build("small.h5", "store = .\n", "latest", &error), OC_ERROR_IO);
    snprintf(expected, sizeof expected, "%s: [m] store: %s: is a directory, not an HDF5 store",
             config_path, test_path("."));
    ck_assert_str_eq(error.message, expected);
}
END_TEST

/* The first key that named a store: [outcomes] store when the global
 * list holds it, else the first metric's `store`, in file order. */
START_TEST(a_store_is_named_after_the_first_key_naming_it)
{
    fixture_config_load(config_path,
                        "[outcomes]\nstore = a.h5 b.h5\n\n"
                        "[m1]\nplugin = worklessness\nstore = b.h5\n\n"
                        "[m2]\nplugin = worklessness\nstore = c.h5\n\n"
                        "[m3]\nplugin = worklessness\nstore = c.h5\n",
                        &config);
    ck_assert_uint_eq(config->store_count, 3);
    const char *expected[] = {"[outcomes] store: a.h5: damaged", "[outcomes] store: b.h5: damaged",
                              "[m2] store: c.h5: damaged"};
    for (size_t s = 0; s < 3; s++) {
        oc_error error = {OC_ERROR_FORMAT, ""};
        snprintf(error.message, sizeof error.message, "%c.h5: damaged", (int)('a' + s));
        ck_assert_int_eq(oc__plan_store_error(config, s, &error, &error), OC_ERROR_FORMAT);
        char line[1024];
        snprintf(line, sizeof line, "%s: %s", config_path, expected[s]);
        ck_assert_int_eq(error.status, OC_ERROR_FORMAT);
        ck_assert_str_eq(error.message, line);
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("engine_plan");
    TCase *tcase = tcase_create("engine_plan");
    tcase_add_checked_fixture(tcase, set_up, tear_down);
    tcase_add_test(tcase, listed_areas_and_a_parent_in_the_order_written);
    tcase_add_test(tcase, all_areas_in_store_order);
    tcase_add_test(tcase, parents_one_unit_each_in_code_order);
    tcase_add_test(tcase, parents_with_a_comparator);
    tcase_add_test(tcase, a_parent_as_comparator);
    tcase_add_test(tcase, periods_indicators_and_target);
    tcase_add_test(tcase, a_named_frame_of_several);
    tcase_add_test(tcase, chunk_areas_come_from_the_store);
    tcase_add_test(tcase, unknown_area);
    tcase_add_test(tcase, unknown_comparator);
    tcase_add_test(tcase, unknown_measure);
    tcase_add_test(tcase, frame_missing_with_several_frames);
    tcase_add_test(tcase, baseline_after_period);
    tcase_add_test(tcase, period_before_the_first_time);
    tcase_add_test(tcase, target_date_after_an_academic_baseline);
    tcase_add_test(tcase, parents_in_a_store_without_parents);
    tcase_add_test(tcase, a_store_that_cannot_be_opened_names_its_key);
    tcase_add_test(tcase, a_store_is_named_after_the_first_key_naming_it);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
