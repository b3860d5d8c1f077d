/* test_engine_evaluate.c: core/engine_evaluate.c, the work of one job.
 * The plugin is built here in memory ("echo": indicator `value` is the
 * input `count`, `doubled` twice it; area A3 has insufficient data and A5
 * fails), so every number is the store's own and worked out by hand from
 * tests/engine_fixtures.h:
 *   claimants(area a, quarter t) = 100 * (a + 1) + 10 * t, A4 missing at t=2.
 * The job's results go to a file through oc__wire_writer and are read back
 * with oc__wire_reader, as the host reads a child's pipe. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <outcomes/outcomes.h>

#include "check_runner.h"
#include "engine_fixtures.h"
#include "engine_plan.h"
#include "temporary_directory.h"
#include "wire.h"

static int echo_evaluate(oc_evaluation *evaluation, oc_error *error)
{
    const char *code = oc_evaluation_area_code(evaluation);
    if (strcmp(code, "A3") == 0)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA, "echo: nothing for %s", code);
    if (strcmp(code, "A5") == 0)
        return oc_error_set(error, OC_ERROR_PLUGIN, "echo: broken for %s", code);
    const double *count = oc_evaluation_input(evaluation, 0);
    oc_indicator_series *value = oc_evaluation_output(evaluation, 0);
    oc_indicator_series *doubled = oc_evaluation_output(evaluation, 1);
    for (size_t t = 0; t < oc_evaluation_time_count(evaluation); t++) {
        value->value[t] = count[t];
        doubled->value[t] = 2 * count[t];
    }
    return OC_OK;
}

/* Prices a fall in `value` at 10 a person, as the bundled plugins price
 * theirs (minus the change times a cost): no change gives -0. For A4 it
 * fails without a word, as a careless plugin might. */
static int echo_fiscal_benefit(const oc_evaluation *evaluation, size_t indicator, double change,
                               double *benefit, oc_error *error)
{
    (void)indicator, (void)error;
    if (strcmp(oc_evaluation_area_code(evaluation), "A4") == 0)
        return OC_ERROR_PLUGIN;
    *benefit = -change * 10;
    return OC_OK;
}

static const oc_input_spec echo_inputs[] = {{"count", "people", "what is echoed", 0, 0}, {0}};
static const oc_indicator_spec echo_indicators[] = {
    {"value", "people", OC_LOWER_IS_BETTER, "the input", OC_INDICATOR_FISCAL_BENEFIT},
    {"doubled", "people", OC_LOWER_IS_BETTER, "twice the input", OC_INDICATOR_COMPARABLE},
    {0}};
static const oc_plugin_descriptor echo_descriptor = {
    .struct_size = sizeof echo_descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = "echo",
    .version = "0.1",
    .description = "echoes its input",
    .license = "MIT",
    .inputs = echo_inputs,
    .indicators = echo_indicators,
    .evaluate = echo_evaluate,
    .fiscal_benefit = echo_fiscal_benefit,
};

static oc__plugin plugin;
static oc__config *config;
static oc__metric_plan plan;
static oc__result_list results;
static char config_path[256];

static void set_up(void)
{
    make_test_directory();
    oc_error error;
    memset(&plugin, 0, sizeof plugin);
    ck_assert_msg(oc__plugin_validate_descriptor(&echo_descriptor, "echo (in memory)", &plugin,
                                                 &error) == OC_OK, "%s", error.message);
    snprintf(config_path, sizeof config_path, "%s", test_path("run.ini"));
    fixture_small_store(test_path("small.h5"));
    config = NULL;
    memset(&plan, 0, sizeof plan);
    memset(&results, 0, sizeof results);
}

static void tear_down(void)
{
    oc__engine_evaluate_forget();
    oc__result_list_free(&results);
    oc__metric_plan_free(&plan);
    oc__config_free(config);
    remove_test_directory();
}

/* Plans the metric [m] (echo over `store`'s claimants, plus extra). */
static void plan_metric(const char *store, const char *extra, const char *period)
{
    char text[2048];
    oc_error error;
    snprintf(text, sizeof text,
             "[outcomes]\nstore = %s\n\n[m]\nplugin = echo\ninput.count = claimants\n%s", store,
             extra);
    ck_assert_msg(fixture_plan_build(config_path, text, &plugin, period, &config, &plan, &error)
                      == OC_OK, "%s", error.message);
}

/* Whether evaluate runs jobs as a worker does, keeping the evaluator. */
static int as_worker;

/* Runs units [first, first + count) into a wire file and reads it back
 * into `results`. Returns the job's status. */
static int evaluate(size_t first, size_t count, oc_error *error)
{
    const char *wire_path = test_path("job.wire");
    int fd = open(wire_path, O_CREAT | O_TRUNC | O_RDWR, 0600);
    ck_assert_int_ge(fd, 0);
    oc__wire_writer writer;
    oc_error wire_error;
    ck_assert_int_eq(oc__wire_writer_begin(&writer, fd, &wire_error), OC_OK);
    int status = as_worker ? oc__engine_evaluate_units_again(&plan, first, count, &writer, error)
                           : oc__engine_evaluate_units(&plan, first, count, &writer, error);
    if (status == OC_OK)
        ck_assert_int_eq(oc__wire_write_end(&writer, &wire_error), OC_OK);
    else
        ck_assert_int_eq(oc__wire_write_error(&writer, status, error->message, &wire_error), OC_OK);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    oc__wire_reader reader;
    oc__wire_reader_init(&reader);
    char buffer[65536];
    ssize_t got;
    while ((got = read(fd, buffer, sizeof buffer)) > 0)
        ck_assert_msg(oc__wire_reader_feed(&reader, buffer, (size_t)got, &wire_error) == OC_OK,
                      "%s", wire_error.message);
    ck_assert_int_eq(oc__wire_reader_finish(&reader, &wire_error), OC_OK);
    ck_assert_int_eq(oc__wire_reader_copy_results(&reader, &results, &wire_error), OC_OK);
    ck_assert_int_eq(reader.job_failed, status != OC_OK);
    oc__wire_reader_free(&reader);
    close(fd);
    return status;
}

/* Runs every planned unit in one job, which must succeed. */
static void evaluate_all(void)
{
    oc_error error;
    ck_assert_msg(evaluate(0, plan.unit_count, &error) == OC_OK, "%s", error.message);
}

/* plan_metric, then evaluate_all. */
static void evaluate_metric(const char *store, const char *extra, const char *period)
{
    plan_metric(store, extra, period);
    evaluate_all();
}

static const oc__result *result_at(size_t index, const char *area, const char *indicator)
{
    ck_assert_uint_lt(index, results.count);
    const oc__result *result = &results.items[index];
    ck_assert_str_eq(result->area, area);
    ck_assert_str_eq(result->indicator, indicator);
    ck_assert_str_eq(result->metric, "m");
    ck_assert_str_eq(result->plugin, "echo");
    ck_assert_str_eq(result->plugin_version, "0.1");
    return result;
}

static void assert_ends_with(const char *text, const char *end)
{
    ck_assert_ptr_nonnull(text);
    size_t length = strlen(text), end_length = strlen(end);
    ck_assert_msg(length >= end_length && strcmp(text + length - end_length, end) == 0,
                  "'%s' does not end with '%s'", text, end);
}

START_TEST(singles_and_parents_in_unit_order)
{
    evaluate_metric("small.h5", "areas = A2 P2 A1 P1\n", "latest");
    ck_assert_uint_eq(results.count, 8); /* 4 units x 2 indicators */
    /* At 2016-01-01 (t = 4): A2 = 200 + 40 = 240; P2 = A1 + A3 =
     * 140 + 340 = 480; A1 = 140; P1 = A2 + A4 = 240 + 440 = 680. */
    const char *areas[] = {"A2", "P2", "A1", "P1"};
    const double values[] = {240, 480, 140, 680};
    for (size_t u = 0; u < 4; u++) {
        const oc__result *value = result_at(2 * u, areas[u], "value");
        const oc__result *doubled = result_at(2 * u + 1, areas[u], "doubled");
        ck_assert_int_eq(value->status, OC_RESULT_OK);
        ck_assert_str_eq(value->period, "2016-01-01");
        ck_assert_double_eq(value->value, values[u]);
        ck_assert_double_eq(doubled->value, 2 * values[u]);
    }
    ck_assert_str_eq(results.items[0].area_name, "Beta");
    ck_assert_ptr_null(results.items[2].area_name); /* a parent has no name */
    /* P2's members have every value; P1's A4 misses 2015-07-01 (t = 2). */
    assert_ends_with(results.items[2].message, "aggregated from 2 member areas");
    assert_ends_with(results.items[6].message,
                     "aggregated from 2 member areas, 1 with missing values (the total is "
                     "missing where any member is)");
}
END_TEST

START_TEST(a_parent_is_missing_where_a_member_is)
{
    /* 2015Q3 ends before 2015-10-01: t = 2, where A4 is missing. P1 = A2 +
     * A4 is then NaN at t = 2, and the latest value is t = 1 (2015-04-01):
     * 210 + 410 = 620. A2 alone has its own t = 2 value, 220. */
    evaluate_metric("small.h5", "areas = P1 A2\n", "2015Q3");
    ck_assert_uint_eq(results.count, 4);
    const oc__result *parent = result_at(0, "P1", "value");
    ck_assert_str_eq(parent->period, "2015-04-01");
    ck_assert_double_eq(parent->value, 620);
    assert_ends_with(parent->message, "1 with missing values (the total is missing where any "
                                      "member is)");
    const oc__result *single = result_at(2, "A2", "value");
    ck_assert_str_eq(single->period, "2015-07-01");
    ck_assert_double_eq(single->value, 220);
}
END_TEST

START_TEST(a_missing_value_after_the_period_is_not_counted)
{
    /* Period 2015Q2 (t = 1): A4's gap at t = 2 lies after it, so P1 has
     * no member with missing values up to the period: 210 + 410 = 620. */
    evaluate_metric("small.h5", "areas = P1\n", "2015Q2");
    const oc__result *parent = result_at(0, "P1", "value");
    ck_assert_double_eq(parent->value, 620);
    assert_ends_with(parent->message, "aggregated from 2 member areas");
}
END_TEST

START_TEST(comparator_change_and_difference_in_differences)
{
    /* Baseline 2015Q1 (t = 0), period latest (t = 4).
     * A2: 200 -> 240, change 40, change_pct 100 * 40 / 200 = 20.
     * P2 = A1 + A3: 100 + 300 = 400 -> 140 + 340 = 480, change 80.
     * did = 40 - 80 = -40; doubled: 80 - 160 = -80. */
    evaluate_metric("small.h5", "areas = A2\ncomparator = P2\nbaseline = 2015Q1\n", "latest");
    ck_assert_uint_eq(results.count, 2);
    const oc__result *value = result_at(0, "A2", "value");
    ck_assert_str_eq(value->comparator, "P2");
    ck_assert_str_eq(value->baseline_period, "2015-01-01");
    ck_assert_double_eq(value->baseline_value, 200);
    ck_assert_double_eq(value->change, 40);
    ck_assert_double_eq(value->change_pct, 20);
    ck_assert_double_eq(value->comparator_change, 80);
    ck_assert_double_eq(value->did, -40);
    const oc__result *doubled = result_at(1, "A2", "doubled");
    ck_assert_double_eq(doubled->change, 80);
    ck_assert_double_eq(doubled->comparator_change, 160);
    ck_assert_double_eq(doubled->did, -80);
}
END_TEST

START_TEST(fiscal_benefit_of_no_change_is_zero_not_minus_zero)
{
    /* The period is the baseline, so A2's change is 0, which
     * echo_fiscal_benefit prices as -0 x 10 = -0. */
    evaluate_metric("small.h5", "areas = A2\nbaseline = 2015Q1\n", "2015Q1");
    const oc__result *value = result_at(0, "A2", "value");
    ck_assert_double_eq(value->change, 0);
    ck_assert_double_eq(value->fiscal_benefit, 0);
    ck_assert_msg(!signbit(value->fiscal_benefit), "the benefit of no change is -0");
    ck_assert(isnan(result_at(1, "A2", "doubled")->fiscal_benefit));
}
END_TEST

START_TEST(a_fiscal_benefit_that_fails_without_a_word_is_named)
{
    /* Not "fiscal benefit: " with nothing after it. */
    evaluate_metric("small.h5", "areas = A4\nbaseline = 2015Q1\n", "2015Q2");
    const oc__result *value = result_at(0, "A4", "value");
    ck_assert_int_eq(value->status, OC_RESULT_OK);
    ck_assert(isnan(value->fiscal_benefit));
    ck_assert_ptr_nonnull(value->message);
    ck_assert_str_eq(value->message,
                     "fiscal benefit: the plugin failed without a message (plugin failure)");
}
END_TEST

START_TEST(the_benchmark_is_not_compared_with_itself)
{
    /* "similar" on the benchmark's own row would read as a finding. Its
     * row still names the benchmark and its value; another area's row is
     * compared (not_compared here: echo gives no interval). */
    evaluate_metric("small.h5", "areas = A1 A2\nbenchmark = A2\n", "latest");
    const oc__result *own = result_at(3, "A2", "doubled");
    ck_assert_ptr_null(own->benchmark_comparison);
    ck_assert_str_eq(own->benchmark, "A2");
    ck_assert_double_eq(own->benchmark_value, own->value);
    const oc__result *other = result_at(1, "A1", "doubled");
    ck_assert_ptr_nonnull(other->benchmark_comparison);
    ck_assert_str_eq(other->benchmark_comparison, "not_compared");
}
END_TEST

START_TEST(a_comparator_the_plugin_cannot_evaluate)
{
    evaluate_metric("small.h5", "areas = A2\ncomparator = A5\nbaseline = 2015Q1\n", "latest");
    const oc__result *value = result_at(0, "A2", "value");
    ck_assert_int_eq(value->status, OC_RESULT_OK);
    ck_assert_double_eq(value->change, 40);
    ck_assert(isnan(value->comparator_change));
    ck_assert(isnan(value->did));
    assert_ends_with(value->message, "comparator could not be evaluated");
}
END_TEST

START_TEST(reported_indicators_in_the_order_asked)
{
    evaluate_metric("small.h5", "areas = A1 A2\nindicators = doubled value\n", "latest");
    ck_assert_uint_eq(results.count, 4);
    ck_assert_double_eq(result_at(0, "A1", "doubled")->value, 280);
    ck_assert_double_eq(result_at(1, "A1", "value")->value, 140);
    ck_assert_double_eq(result_at(2, "A2", "doubled")->value, 480);
    ck_assert_double_eq(result_at(3, "A2", "value")->value, 240);

    oc__result_list_free(&results);
    oc__metric_plan_free(&plan);
    oc__config_free(config);
    evaluate_metric("small.h5", "areas = A1\nindicators = doubled\n", "latest");
    ck_assert_uint_eq(results.count, 1);
    ck_assert_double_eq(result_at(0, "A1", "doubled")->value, 280);
}
END_TEST

START_TEST(target_only_on_the_target_indicator)
{
    /* A2's baseline (2015Q1) is 200; -10% makes the target 180. */
    evaluate_metric("small.h5",
                "areas = A2\nbaseline = 2015Q1\ntarget = -10%\ntarget_date = 2016Q1\n"
                "target_indicator = value\n",
                "2015Q4");
    const oc__result *value = result_at(0, "A2", "value");
    ck_assert_double_eq_tol(value->target_value, 180, 1e-9);
    ck_assert_str_eq(value->target_date, "2016-01-01");
    const oc__result *doubled = result_at(1, "A2", "doubled");
    ck_assert(isnan(doubled->target_value));
    ck_assert_ptr_null(doubled->target_date);
    ck_assert_ptr_null(doubled->rag);
}
END_TEST

START_TEST(insufficient_data_keeps_the_configured_target)
{
    /* docs/results.md: an insufficient_data result still reports the
     * configured target (target_date is null only without a target). The
     * echo plugin has nothing for A3; the absolute target 150 by 2016Q1
     * (2016-01-01) is reported on the target indicator only. */
    evaluate_metric("small.h5",
                "areas = A3\nbaseline = 2015Q1\ntarget = 150\ntarget_date = 2016Q1\n"
                "target_indicator = value\n",
                "2015Q4");
    const oc__result *value = result_at(0, "A3", "value");
    ck_assert_int_eq(value->status, OC_RESULT_INSUFFICIENT_DATA);
    ck_assert_str_eq(value->message, "echo: nothing for A3");
    ck_assert_double_eq(value->target_value, 150);
    ck_assert_str_eq(value->target_date, "2016-01-01");
    ck_assert(isnan(value->expected_value) && isnan(value->score));
    ck_assert_ptr_null(value->rag);
    const oc__result *doubled = result_at(1, "A3", "doubled");
    ck_assert(isnan(doubled->target_value));
    ck_assert_ptr_null(doubled->target_date);
}
END_TEST

START_TEST(plugin_statuses_stay_with_their_area)
{
    evaluate_metric("small.h5", "areas = A1 A3 A5 A2\n", "latest");
    ck_assert_uint_eq(results.count, 8);
    ck_assert_int_eq(result_at(0, "A1", "value")->status, OC_RESULT_OK);
    for (size_t k = 2; k < 4; k++) {
        const oc__result *result = &results.items[k];
        ck_assert_str_eq(result->area, "A3");
        ck_assert_int_eq(result->status, OC_RESULT_INSUFFICIENT_DATA);
        ck_assert_str_eq(result->message, "echo: nothing for A3");
        ck_assert(isnan(result->value));
    }
    for (size_t k = 4; k < 6; k++) {
        const oc__result *result = &results.items[k];
        ck_assert_str_eq(result->area, "A5");
        ck_assert_int_eq(result->status, OC_RESULT_FAILED);
        ck_assert_str_eq(result->message, "echo: broken for A5");
    }
    ck_assert_int_eq(result_at(6, "A2", "value")->status, OC_RESULT_OK);
    ck_assert_double_eq(results.items[6].value, 240);
}
END_TEST

/* The large store: 1200 areas A0000..A1199, chunked 512 areas at a time
 * (rows 0-511, 512-1023, 1024-1199), two quarters; count = area + 10000 t.
 * Q gathers areas 10, 600 and 1100 (three chunk rows), R 511 and 512. */
static double large_value(size_t measure, size_t area, size_t time)
{
    (void)measure;
    return (double)area + 10000.0 * (double)time;
}

static void write_large_store(void)
{
    static const char *parents[1200];
    for (size_t a = 0; a < 1200; a++)
        parents[a] = NULL;
    parents[10] = parents[600] = parents[1100] = "Q";
    parents[511] = parents[512] = "R";
    int32_t times[2] = {16436, 16526};
    const char *measures[] = {"claimants"};
    fixture_frame frame = {NULL, 1200, NULL, NULL, parents, 2, times, 1, measures, "quarter",
                           large_value};
    fixture_store_write(test_path("large.h5"), &frame, 1);
}

START_TEST(blocks_over_several_chunk_rows)
{
    write_large_store();
    plan_metric("large.h5", "areas = all\nindicators = value\n", "latest");
    ck_assert_uint_eq(plan.chunk_areas, 512);
    evaluate_all();
    ck_assert_uint_eq(results.count, 1200);
    for (size_t a = 0; a < 1200; a++) {
        ck_assert_str_eq(results.items[a].area, fixture_area_code(a));
        ck_assert_double_eq(results.items[a].value, (double)a + 10000);
    }
    /* The edges of the chunk rows, spelled out. */
    ck_assert_double_eq(result_at(511, "A0511", "value")->value, 10511);
    ck_assert_double_eq(result_at(512, "A0512", "value")->value, 10512);
    ck_assert_double_eq(result_at(1023, "A1023", "value")->value, 11023);
    ck_assert_double_eq(result_at(1024, "A1024", "value")->value, 11024);
    ck_assert_double_eq(result_at(1199, "A1199", "value")->value, 11199);
}
END_TEST

START_TEST(a_job_over_part_of_the_units)
{
    oc_error error;
    write_large_store();
    plan_metric("large.h5", "areas = all\nindicators = value\n", "latest");
    /* Units 500..1099: a job starting inside the first chunk row and
     * ending inside the third. */
    ck_assert_msg(evaluate(500, 600, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(results.count, 600);
    ck_assert_double_eq(result_at(0, "A0500", "value")->value, 10500);
    ck_assert_double_eq(result_at(12, "A0512", "value")->value, 10512);
    ck_assert_double_eq(result_at(524, "A1024", "value")->value, 11024);
    ck_assert_double_eq(result_at(599, "A1099", "value")->value, 11099);
}
END_TEST

START_TEST(parents_over_several_chunk_rows)
{
    write_large_store();
    plan_metric("large.h5", "areas = Q A0005 R\nindicators = value\n", "latest");
    ck_assert_uint_eq(plan.units[0].member_count, 3);
    ck_assert_uint_eq(plan.units[0].members[0], 10);
    ck_assert_uint_eq(plan.units[0].members[1], 600);
    ck_assert_uint_eq(plan.units[0].members[2], 1100);
    evaluate_all();
    ck_assert_uint_eq(results.count, 3);
    /* Q = 10 + 600 + 1100 + 3 x 10000 = 31710; R = 511 + 512 + 20000 = 21023. */
    ck_assert_double_eq(result_at(0, "Q", "value")->value, 31710);
    ck_assert_double_eq(result_at(1, "A0005", "value")->value, 10005);
    ck_assert_double_eq(result_at(2, "R", "value")->value, 21023);
    assert_ends_with(results.items[0].message, "aggregated from 3 member areas");
}
END_TEST

/* Parents of two measures, added up role by role (add_block_role_by_role):
 * "pair" reports `total`, its input `first` plus its input `second`. In
 * pairs.h5 (1200 areas chunked 512 at a time, two quarters),
 * first = area + 10000 t and second = 2 area + 1 + 1000 t, with gaps at
 * t = 0: first at areas 10 and 1100, second at 511, 600 and 1100. Q
 * gathers 10, 600 and 1100 (three chunk rows), R 511 and 512 (two), S
 * 1150 and 1199 (the last, short, row). */
static int pair_evaluate(oc_evaluation *evaluation, oc_error *error)
{
    (void)error;
    const double *first = oc_evaluation_input(evaluation, 0);
    const double *second = oc_evaluation_input(evaluation, 1);
    oc_indicator_series *total = oc_evaluation_output(evaluation, 0);
    for (size_t t = 0; t < oc_evaluation_time_count(evaluation); t++)
        total->value[t] = first[t] + second[t];
    return OC_OK;
}

static const oc_input_spec pair_inputs[] = {{"first", "people", "added", 0, 0},
                                            {"second", "people", "added too", 0, 0},
                                            {0}};
static const oc_indicator_spec pair_indicators[] = {
    {"total", "people", OC_LOWER_IS_BETTER, "first plus second", 0}, {0}};
static const oc_plugin_descriptor pair_descriptor = {
    .struct_size = sizeof pair_descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = "pair",
    .version = "0.1",
    .description = "adds its two inputs",
    .license = "MIT",
    .inputs = pair_inputs,
    .indicators = pair_indicators,
    .evaluate = pair_evaluate,
};

static double pair_value(size_t measure, size_t area, size_t time)
{
    if (time == 0 && ((measure == 0 && (area == 10 || area == 1100))
                      || (measure == 1 && (area == 511 || area == 600 || area == 1100))))
        return NAN;
    return measure == 0 ? (double)area + 10000.0 * (double)time
                        : 2.0 * (double)area + 1.0 + 1000.0 * (double)time;
}

static oc__plugin pair_plugin;

/* Plans [m] (pair over pairs.h5) for `areas`. */
static void plan_pairs(const char *areas)
{
    static const char *parents[1200];
    for (size_t a = 0; a < 1200; a++)
        parents[a] = NULL;
    parents[10] = parents[600] = parents[1100] = "Q";
    parents[511] = parents[512] = "R";
    parents[1150] = parents[1199] = "S";
    int32_t times[2] = {16436, 16526};
    const char *measures[] = {"first_measure", "second_measure"};
    fixture_frame frame = {NULL, 1200, NULL, NULL, parents, 2, times, 2, measures, "quarter",
                           pair_value};
    fixture_store_write(test_path("pairs.h5"), &frame, 1);
    oc_error error;
    memset(&pair_plugin, 0, sizeof pair_plugin);
    ck_assert_msg(oc__plugin_validate_descriptor(&pair_descriptor, "pair (in memory)",
                                                 &pair_plugin, &error) == OC_OK,
                  "%s", error.message);
    char text[512];
    snprintf(text, sizeof text,
             "[outcomes]\nstore = pairs.h5\n\n[m]\nplugin = pair\n"
             "input.first = first_measure\ninput.second = second_measure\nareas = %s\n",
             areas);
    ck_assert_msg(fixture_plan_build(config_path, text, &pair_plugin, "latest", &config, &plan,
                                     &error) == OC_OK, "%s", error.message);
}

/* The pair total of the parent at results.items[index], and its note. */
static void assert_pair_total(size_t index, const char *parent, double total, const char *note)
{
    ck_assert_uint_lt(index, results.count);
    const oc__result *result = &results.items[index];
    ck_assert_str_eq(result->area, parent);
    ck_assert_str_eq(result->indicator, "total");
    ck_assert_int_eq(result->status, OC_RESULT_OK);
    ck_assert_str_eq(result->period, "2015-04-01");
    ck_assert_double_eq(result->value, total);
    assert_ends_with(result->message, note);
}

static const char *const pair_all_present = "aggregated from 2 member areas";

START_TEST(parents_of_two_measures_role_by_role)
{
    /* At t = 1: Q = (10 + 600 + 1100 + 30000) + (21 + 1201 + 2201 + 3000)
     * = 31710 + 6423; R = (511 + 512 + 20000) + (1023 + 1025 + 2000) =
     * 21023 + 4048; S = (1150 + 1199 + 20000) + (2301 + 2399 + 2000) =
     * 22349 + 6700. A member missing in either measure counts once: Q's
     * three, R's 511. */
    plan_pairs("Q R S");
    evaluate_all();
    ck_assert_uint_eq(results.count, 3);
    assert_pair_total(0, "Q", 38133,
                      "aggregated from 3 member areas, 3 with missing values (the total is "
                      "missing where any member is)");
    assert_pair_total(1, "R", 25071,
                      "aggregated from 2 member areas, 1 with missing values (the total is "
                      "missing where any member is)");
    ck_assert_uint_lt(2, results.count);
    ck_assert_double_eq(results.items[2].value, 29049);
    assert_ends_with(results.items[2].message, pair_all_present);
}
END_TEST

START_TEST(parents_in_one_worker_reuse_the_last_block)
{
    /* Q's job ends on the last chunk row; S's job, next in the same
     * worker, needs only that row, still loaded. */
    oc_error error;
    plan_pairs("Q S");
    as_worker = 1;
    ck_assert_msg(evaluate(0, 1, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(results.count, 1);
    ck_assert_str_eq(results.items[0].area, "Q");
    ck_assert_double_eq(results.items[0].value, 38133);
    oc__result_list_free(&results);
    ck_assert_msg(evaluate(1, 1, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(results.count, 1);
    ck_assert_str_eq(results.items[0].area, "S");
    ck_assert_double_eq(results.items[0].value, 29049);
    assert_ends_with(results.items[0].message, pair_all_present);
    as_worker = 0;
}
END_TEST

START_TEST(a_store_gone_fails_the_job)
{
    oc_error error;
    plan_metric("small.h5", "areas = A1\n", "latest");
    ck_assert_int_eq(unlink(test_path("small.h5")), 0);
    ck_assert_int_eq(evaluate(0, plan.unit_count, &error), OC_ERROR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(error.message, "small.h5"));
    ck_assert_uint_eq(results.count, 0);
}
END_TEST

/* ---- a worker's jobs: the evaluator kept from one job to the next ---- */

START_TEST(jobs_in_one_worker_give_what_fresh_jobs_give)
{
    oc_error error;
    write_large_store();
    plan_metric("large.h5", "areas = all\nindicators = value\n", "latest");
    as_worker = 1;
    /* Three jobs, out of order, the middle one across chunk rows. */
    static const size_t jobs[3][2] = {{1024, 176}, {500, 600}, {0, 500}};
    for (size_t j = 0; j < 3; j++) {
        oc__result_list_free(&results);
        ck_assert_msg(evaluate(jobs[j][0], jobs[j][1], &error) == OC_OK, "%s", error.message);
        ck_assert_uint_eq(results.count, jobs[j][1]);
        for (size_t k = 0; k < jobs[j][1]; k++) {
            char area[8];
            snprintf(area, sizeof area, "A%04zu", jobs[j][0] + k);
            ck_assert_double_eq(result_at(k, area, "value")->value,
                                (double)(10000 + jobs[j][0] + k));
        }
    }
    as_worker = 0;
}
END_TEST

START_TEST(a_kept_comparator_serves_every_job)
{
    /* As comparator_change_and_difference_in_differences, in two jobs of
     * one worker: the comparator P2 is evaluated once, for both. */
    oc_error error;
    plan_metric("small.h5", "areas = A2 A1\ncomparator = P2\nbaseline = 2015Q1\n", "latest");
    as_worker = 1;
    for (size_t job = 0; job < 2; job++) {
        oc__result_list_free(&results);
        ck_assert_msg(evaluate(job, 1, &error) == OC_OK, "%s", error.message);
        const oc__result *value = result_at(0, job == 0 ? "A2" : "A1", "value");
        ck_assert_str_eq(value->comparator, "P2");
        ck_assert_double_eq(value->comparator_change, 80);
        /* A2: 200 -> 240, did 40 - 80; A1: 100 -> 140, did 40 - 80. */
        ck_assert_double_eq(value->change, 40);
        ck_assert_double_eq(value->did, -40);
    }
    as_worker = 0;
}
END_TEST

START_TEST(a_failed_job_is_not_kept)
{
    /* The store is gone before the first job: it fails. Written again, the
     * next job opens it afresh instead of reusing a half-built evaluator. */
    oc_error error;
    plan_metric("small.h5", "areas = A2\n", "latest");
    char moved[300];
    snprintf(moved, sizeof moved, "%s.moved", test_path("small.h5"));
    ck_assert_int_eq(rename(test_path("small.h5"), moved), 0);
    as_worker = 1;
    ck_assert_int_eq(evaluate(0, 1, &error), OC_ERROR_NOT_FOUND);
    ck_assert_int_eq(rename(moved, test_path("small.h5")), 0);
    oc__result_list_free(&results);
    ck_assert_msg(evaluate(0, 1, &error) == OC_OK, "%s", error.message);
    ck_assert_double_eq(result_at(0, "A2", "value")->value, 240);
    as_worker = 0;
}
END_TEST

/* ---- a plugin that writes into what it was given as const ----
 * "scribble" is echo (by the same name), except that for the area
 * scribble_area it first overwrites its input with 1e6 (scribble_input
 * 1), the time axis every area shares (2), or the first letter of its area
 * code with Z (0), as a plugin that casts away const might. */
static const char *scribble_area;
static int scribble_input;

static int scribble_evaluate(oc_evaluation *evaluation, oc_error *error)
{
    if (strcmp(oc_evaluation_area_code(evaluation), scribble_area) == 0) {
        if (scribble_input == 1) {
            double *input = (double *)oc_evaluation_input(evaluation, 0);
            for (size_t t = 0; t < oc_evaluation_time_count(evaluation); t++)
                input[t] = 1e6;
        } else if (scribble_input == 2) {
            ((int32_t *)oc_evaluation_times(evaluation))[0] = 0; /* every period, 1970 */
        } else {
            ((char *)oc_evaluation_area_code(evaluation))[0] = 'Z';
        }
    }
    return echo_evaluate(evaluation, error);
}

static void use_scribble(const char *area, int input)
{
    static oc_plugin_descriptor scribble_descriptor;
    scribble_descriptor = echo_descriptor;
    scribble_descriptor.evaluate = scribble_evaluate;
    scribble_area = area;
    scribble_input = input;
    oc_error error;
    memset(&plugin, 0, sizeof plugin);
    ck_assert_msg(oc__plugin_validate_descriptor(&scribble_descriptor, "scribble (in memory)",
                                                 &plugin, &error) == OC_OK, "%s", error.message);
}

START_TEST(a_plugin_that_writes_its_area_code_changes_only_its_copy)
{
    /* A1 and P2 (= A1 + A3) keep their codes and values, as in
     * singles_and_parents_in_unit_order; nothing is called Z1. In one
     * worker, A1 is still A1 to the plugin in the next job. */
    use_scribble("A1", 0);
    plan_metric("small.h5", "areas = A1 P2 A2\n", "latest");
    as_worker = 1;
    for (size_t job = 0; job < 2; job++) {
        oc_error error;
        oc__result_list_free(&results);
        ck_assert_msg(evaluate(0, plan.unit_count, &error) == OC_OK, "%s", error.message);
        ck_assert_uint_eq(results.count, 6);
        ck_assert_double_eq(result_at(0, "A1", "value")->value, 140);
        ck_assert_double_eq(result_at(2, "P2", "value")->value, 480);
        ck_assert_double_eq(result_at(4, "A2", "value")->value, 240);
        ck_assert_str_eq(results.items[4].area_name, "Beta");
    }
    as_worker = 0;
}
END_TEST

/* Runs the whole plan as a worker would, in a child; how it ended. */
static int evaluate_in_child(void)
{
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        /* The kernel's own verdict, not a sanitizer's report of it. */
        signal(SIGSEGV, SIG_DFL);
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        int fd = open("/dev/null", O_WRONLY);
        oc__wire_writer writer;
        oc_error error;
        int status = fd >= 0 ? oc__wire_writer_begin(&writer, fd, &error) : OC_ERROR_IO;
        if (status == OC_OK)
            status = oc__engine_evaluate_units(&plan, 0, plan.unit_count, &writer, &error);
        if (status == OC_OK)
            status = oc__wire_write_end(&writer, &error);
        _exit(status == OC_OK ? 0 : 1);
    }
    int wait_status = 0;
    ck_assert_int_eq(waitpid(child, &wait_status, 0), child);
    return wait_status;
}

START_TEST(a_plugin_that_writes_its_input_crashes_its_job)
{
    /* Its inputs are read-only: the write faults, the worker dies and the
     * host fails that job's results (docs/plugin-abi.md). Unprotected, A1's
     * 1e6 went into P2's sum, summed from the same block after the plugin
     * ran. The cases: a single area whose block a parent is summed from,
     * a parent's sum, the comparator and the benchmark. */
    static const char *const cases[][2] = {{"areas = A1 P2 A2\n", "A1"},
                                           {"areas = A2 P2\n", "P2"},
                                           {"areas = A2\ncomparator = A1\n", "A1"},
                                           {"areas = A2\nbenchmark = P2\n", "P2"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        use_scribble(cases[c][1], 1);
        plan_metric("small.h5", cases[c][0], "latest");
        int wait_status = evaluate_in_child();
        ck_assert_msg(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGSEGV,
                      "%s with %s writing its input: wait status %d, not a SIGSEGV",
                      cases[c][0], cases[c][1], wait_status);
        oc__metric_plan_free(&plan);
        oc__config_free(config);
        config = NULL;
    }
    /* The time axis, which every later area is scored and dated by, is
     * read-only too. */
    use_scribble("A1", 2);
    plan_metric("small.h5", "areas = A1 A2\n", "latest");
    int wait_status = evaluate_in_child();
    ck_assert_msg(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGSEGV,
                  "writing the time axis: wait status %d, not a SIGSEGV", wait_status);
    oc__metric_plan_free(&plan);
    oc__config_free(config);
    config = NULL;
    /* Another job of the first plan (A1 not among its units) is correct,
     * P2 with A1 summed in. */
    use_scribble("A1", 1);
    plan_metric("small.h5", "areas = A1 P2 A2\n", "latest");
    oc_error error;
    ck_assert_msg(evaluate(1, 2, &error) == OC_OK, "%s", error.message);
    ck_assert_double_eq(result_at(0, "P2", "value")->value, 480);
    ck_assert_double_eq(result_at(2, "A2", "value")->value, 240);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("engine_evaluate");
    TCase *tcase = tcase_create("engine_evaluate");
    tcase_add_checked_fixture(tcase, set_up, tear_down);
    tcase_add_test(tcase, singles_and_parents_in_unit_order);
    tcase_add_test(tcase, jobs_in_one_worker_give_what_fresh_jobs_give);
    tcase_add_test(tcase, a_kept_comparator_serves_every_job);
    tcase_add_test(tcase, a_failed_job_is_not_kept);
    tcase_add_test(tcase, a_parent_is_missing_where_a_member_is);
    tcase_add_test(tcase, a_missing_value_after_the_period_is_not_counted);
    tcase_add_test(tcase, comparator_change_and_difference_in_differences);
    tcase_add_test(tcase, a_comparator_the_plugin_cannot_evaluate);
    tcase_add_test(tcase, fiscal_benefit_of_no_change_is_zero_not_minus_zero);
    tcase_add_test(tcase, a_fiscal_benefit_that_fails_without_a_word_is_named);
    tcase_add_test(tcase, the_benchmark_is_not_compared_with_itself);
    tcase_add_test(tcase, reported_indicators_in_the_order_asked);
    tcase_add_test(tcase, target_only_on_the_target_indicator);
    tcase_add_test(tcase, insufficient_data_keeps_the_configured_target);
    tcase_add_test(tcase, plugin_statuses_stay_with_their_area);
    tcase_add_test(tcase, blocks_over_several_chunk_rows);
    tcase_add_test(tcase, a_job_over_part_of_the_units);
    tcase_add_test(tcase, parents_over_several_chunk_rows);
    tcase_add_test(tcase, a_store_gone_fails_the_job);
    tcase_add_test(tcase, parents_of_two_measures_role_by_role);
    tcase_add_test(tcase, parents_in_one_worker_reuse_the_last_block);
    tcase_add_test(tcase, a_plugin_that_writes_its_area_code_changes_only_its_copy);
    tcase_add_test(tcase, a_plugin_that_writes_its_input_crashes_its_job);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
