/*
 * test_plugin_recycling_flytipping.c: the recycling_flytipping plugin's
 * descriptor, its NI 192 recycling rate and its fly-tipping rate per 1,000
 * (Byar interval), each mapped on its own, against values worked out by
 * hand below from the formulas in docs/statistics.md.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <check.h>

#include "plugin_harness.h"

const oc_plugin_descriptor *oc_plugin_entry(void);

/* Financial years 2012/13 to 2016/17, days since 1970-01-01 of 1 April:
 * 2012-04-01 15431, 2013-04-01 15796, 2014-04-01 16161, 2015-04-01 16526,
 * 2016-04-01 16892. */
static const int32_t financial_years[] = {15431, 15796, 16161, 16526, 16892};

/* 2014/15 has zero household waste, 2015/16 more recycled than collected,
 * 2016/17 a missing total. */
static const double household_waste[] = {150000, 148000, 0, 145000, NAN};
static const double recycled[] = {60000, 62000, 0, 150000, 59000};
/* 2013/14 has no incidents at all, 2014/15 a missing count, 2015/16 a zero
 * population; 2016/17 more incidents than people, still a valid rate. */
static const double incidents[] = {1200, 0, NAN, 1500, 400000};
static const double population[] = {320000, 321000, 322000, 0, 323000};

/* The plugin's two pairs of inputs, each mapped to its series above. */
static void map_recycling(plugin_harness *harness)
{
    plugin_harness_map_input(harness, "household_waste_tonnes", household_waste);
    plugin_harness_map_input(harness, "recycled_tonnes", recycled);
}

static void map_flytipping(plugin_harness *harness)
{
    plugin_harness_map_input(harness, "flytipping_incidents", incidents);
    plugin_harness_map_input(harness, "population", population);
}

#define TOLERANCE 1e-5 /* the working keeps 6 decimals */

/*
 * recycling_rate = 100 x recycled / household waste, no interval:
 *   2012/13: 100 x 60,000 / 150,000 = 40 %;  2013/14: 100 x 62,000 / 148,000 = 41.891892 %.
 *
 * flytipping_per_1000 = 1000 x incidents / population; Byar's interval on the
 * count, z = 1.959964, divided by the population and times 1000:
 *   lower = x(1 - 1/(9x) - z/(3 sqrt x))^3, upper = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3
 *  2012/13, x = 1200: 1/(9x) = 0.00009259, z/(3 sqrt x) = 0.01885976,
 *          lower = 1200 x 0.98104765^3 = 1133.0564; 1/(9 x 1201) = 0.00009252,
 *          z/(3 sqrt 1201) = 0.01885191, upper = 1201 x 1.01875939^3 = 1269.8660;
 *          rate 1000 x 1200 / 320,000 = 3.75, interval 1133.0564 / 320 = 3.540801
 *          to 1269.8660 / 320 = 3.968331.
 *  2013/14, x = 0: lower 0; upper = 1 x (1 - 1/9 + 1.959964/3)^3 = 1.54221022^3 = 3.6680;
 *          rate 0, interval 0 to 3.6680 / 321 = 0.011427.
 *  2016/17, x = 400,000: 1/(9x) = 0.00000028, z/(3 sqrt x) = 0.00103299,
 *          lower = 400,000 x 0.99896673^3 = 398,761.3573,
 *          upper = 400,001 x 1.00103271^3 = 401,241.5385;
 *          rate 1000 x 400,000 / 323,000 = 1238.390093, interval
 *          398,761.3573 / 323 = 1234.555286 to 401,241.5385 / 323 = 1242.233865.
 */
START_TEST(test_both_measures_with_gaps_and_bad_values)
{
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), financial_years, 5);
    map_recycling(&harness);
    map_flytipping(&harness);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, &error), OC_OK);

    plugin_harness_expect_value_and_fraction(&harness, "recycling_rate", 0, 40.0, TOLERANCE, 60000,
                                             150000);
    plugin_harness_expect_value_and_fraction(&harness, "recycling_rate", 1, 41.891892, TOLERANCE,
                                             62000, 148000);
    for (size_t t = 2; t < 5; t++) { /* zero total, recycled > total, missing total */
        plugin_harness_expect_none(&harness, "recycling_rate", t);
    }

    plugin_harness_expect_reported(&harness, "flytipping_per_1000", 0, 3.75, 3.540801, 3.968331,
                                   TOLERANCE);
    plugin_harness_expect_reported(&harness, "flytipping_per_1000", 1, 0.0, 0.0, 0.011427,
                                   TOLERANCE);
    plugin_harness_expect(&harness, "flytipping_per_1000", 2, NAN, NAN, NAN, 0);
    plugin_harness_expect(&harness, "flytipping_per_1000", 3, NAN, NAN, NAN, 0);
    plugin_harness_expect_reported(&harness, "flytipping_per_1000", 4, 1238.390093, 1234.555286,
                                   1242.233865, TOLERANCE);
    for (size_t t = 0; t < 5; t++)
        plugin_harness_expect_fraction(&harness, "flytipping_per_1000", t, NAN, NAN);
}
END_TEST

START_TEST(test_flytipping_alone)
{
    plugin_harness harness;

    plugin_harness_init(&harness, oc_plugin_entry(), financial_years, 5);
    map_flytipping(&harness);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, NULL), OC_OK);
    plugin_harness_expect_reported(&harness, "flytipping_per_1000", 0, 3.75, 3.540801, 3.968331,
                                   TOLERANCE);
    plugin_harness_expect_all_nan(&harness, "recycling_rate");
}
END_TEST

START_TEST(test_recycling_alone)
{
    plugin_harness harness;

    plugin_harness_init(&harness, oc_plugin_entry(), financial_years, 5);
    map_recycling(&harness);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, NULL), OC_OK);
    plugin_harness_expect(&harness, "recycling_rate", 1, 41.891892, NAN, NAN, TOLERANCE);
    plugin_harness_expect_all_nan(&harness, "flytipping_per_1000");
}
END_TEST

START_TEST(test_nothing_mapped_is_insufficient_data)
{
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), financial_years, 5);
    plugin_harness_expect_failure(&harness, OC_ERROR_INSUFFICIENT_DATA, "household_waste_tonnes",
                                  &error);
    ck_assert_ptr_nonnull(strstr(error.message, "flytipping_incidents"));
    ck_assert_ptr_null(strchr(error.message, '\n'));
}
END_TEST

START_TEST(test_nothing_usable_is_insufficient_data)
{
    static const double missing[] = {NAN, NAN, NAN, NAN, NAN};
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), financial_years, 5);
    plugin_harness_map_input(&harness, "flytipping_incidents", missing);
    plugin_harness_map_input(&harness, "population", population);
    plugin_harness_expect_failure(&harness, OC_ERROR_INSUFFICIENT_DATA, "E14000559", &error);
}
END_TEST

START_TEST(test_half_mapped_pair_is_a_configuration_error)
{
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), financial_years, 5);
    map_flytipping(&harness);
    plugin_harness_map_input(&harness, "recycled_tonnes", recycled);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, &error), OC_ERROR_CONFIG);
    ck_assert_str_eq(error.message, "recycling_flytipping: input role 'recycled_tonnes' is "
                                    "mapped but 'household_waste_tonnes' is not; map both or "
                                    "neither");
}
END_TEST

START_TEST(test_descriptor)
{
    const oc_plugin_descriptor *descriptor = oc_plugin_entry();
    static const char *const roles[] = {"household_waste_tonnes", "recycled_tonnes",
                                        "flytipping_incidents", "population"};

    plugin_harness_check_descriptor(descriptor, "recycling_flytipping");
    ck_assert_ptr_null(descriptor->fiscal_benefit);
    ck_assert_ptr_null(descriptor->parameters);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(descriptor->inputs[i].role, roles[i]);
        ck_assert_int_ne(descriptor->inputs[i].optional, 0);
        ck_assert_int_eq(descriptor->inputs[i].aggregation, OC_AGGREGATE_SUM);
    }
    ck_assert_ptr_null(descriptor->inputs[4].role);
    plugin_harness_expect_indicator_spec(descriptor, 0, "recycling_rate", OC_HIGHER_IS_BETTER,
                                         OC_INDICATOR_COMPARABLE);
    plugin_harness_expect_indicator_spec(descriptor, 1, "flytipping_per_1000", OC_LOWER_IS_BETTER,
                                         OC_INDICATOR_COMPARABLE);
    ck_assert_ptr_null(descriptor->indicators[2].name);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_both_measures_with_gaps_and_bad_values,
        test_flytipping_alone,
        test_recycling_alone,
        test_nothing_mapped_is_insufficient_data,
        test_nothing_usable_is_insufficient_data,
        test_half_mapped_pair_is_a_configuration_error,
        test_descriptor,
    };

    return plugin_harness_run("plugin_recycling_flytipping", tests,
                              sizeof tests / sizeof tests[0]);
}
