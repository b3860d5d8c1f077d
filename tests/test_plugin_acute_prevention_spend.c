/*
 * test_plugin_acute_prevention_spend.c: the acute_prevention_spend plugin's
 * descriptor, prevention share and acute : prevention ratio, against the
 * seeds' baseline (£100m acute, £3m prevention) and values worked out by
 * hand below.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <check.h>

#include "plugin_harness.h"

const oc_plugin_descriptor *oc_plugin_entry(void);

/* Financial years 2013/14 to 2018/19, days since 1970-01-01 of 1 April:
 * 2013 15796, 2014 16161, 2015 16526, 2016 16892, 2017 17257, 2018 17622. */
static const int32_t financial_years[] = {15796, 16161, 16526, 16892, 17257, 17622};

/* 2015/16 acute spend missing; 2016/17 no prevention spend; 2017/18 no spend
 * at all; 2018/19 a negative (net income) prevention figure. */
static const double acute[] = {100e6, 98e6, NAN, 50e6, 0, 90e6};
static const double prevention[] = {3e6, 5e6, 4e6, 0, 0, -1e6};

/*
 * prevention_share = 100 x prevention / (acute + prevention):
 *   2013/14: 100 x 3 / 103 = 2.912621 %   (the seeds' baseline)
 *   2014/15: 100 x 5 / 103 = 4.854369 %
 *   2016/17: 100 x 0 / 50  = 0 %
 *   2017/18: 0 / 0: NaN;  2015/16 and 2018/19: unusable input: NaN.
 * acute_to_prevention_ratio = acute / prevention:
 *   2013/14: 100 / 3 = 33.333333 (to 1);  2014/15: 98 / 5 = 19.6;
 *   2016/17 and 2017/18: prevention 0: NaN; 2015/16, 2018/19: NaN.
 * No interval anywhere: spend is a total, not a sample.
 */
START_TEST(test_share_and_ratio)
{
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), financial_years, 6);
    plugin_harness_map_input(&harness, "acute_spend", acute);
    plugin_harness_map_input(&harness, "prevention_spend", prevention);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, &error), OC_OK);

    plugin_harness_expect_value_and_fraction(&harness, "prevention_share", 0, 2.912621, 1e-6, 3e6,
                                             103e6);
    plugin_harness_expect_value_and_fraction(&harness, "prevention_share", 1, 4.854369, 1e-6, 5e6,
                                             103e6);
    plugin_harness_expect(&harness, "prevention_share", 2, NAN, NAN, NAN, 0);
    plugin_harness_expect_value_and_fraction(&harness, "prevention_share", 3, 0.0, 0, 0, 50e6);
    plugin_harness_expect(&harness, "prevention_share", 4, NAN, NAN, NAN, 0);
    plugin_harness_expect(&harness, "prevention_share", 5, NAN, NAN, NAN, 0);
    for (size_t t = 4; t < 6; t++)
        plugin_harness_expect_fraction(&harness, "prevention_share", t, NAN, NAN);

    plugin_harness_expect(&harness, "acute_to_prevention_ratio", 0, 33.333333, NAN, NAN, 1e-6);
    plugin_harness_expect(&harness, "acute_to_prevention_ratio", 1, 19.6, NAN, NAN, 1e-9);
    for (size_t t = 2; t < 6; t++)
        plugin_harness_expect(&harness, "acute_to_prevention_ratio", t, NAN, NAN, NAN, 0);
    for (size_t t = 0; t < 6; t++)
        plugin_harness_expect_fraction(&harness, "acute_to_prevention_ratio", t, NAN, NAN);
}
END_TEST

START_TEST(test_no_usable_period_is_insufficient_data)
{
    plugin_harness harness;
    oc_error error;

    /* 2017/18 alone: acute 0 and prevention 0 give no share (0 / 0) and no
     * ratio (prevention 0), so nothing at all is computable. */
    plugin_harness_init(&harness, oc_plugin_entry(), financial_years + 4, 1);
    plugin_harness_map_input(&harness, "acute_spend", acute + 4);
    plugin_harness_map_input(&harness, "prevention_spend", prevention + 4);
    plugin_harness_expect_failure(&harness, OC_ERROR_INSUFFICIENT_DATA, "E14000559", &error);
    ck_assert_ptr_null(strchr(error.message, '\n'));
}
END_TEST

START_TEST(test_unmapped_input_is_a_configuration_error)
{
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), financial_years, 6);
    plugin_harness_map_input(&harness, "acute_spend", acute);
    plugin_harness_expect_failure(&harness, OC_ERROR_CONFIG, "prevention_spend", &error);
}
END_TEST

START_TEST(test_descriptor)
{
    const oc_plugin_descriptor *descriptor = oc_plugin_entry();

    plugin_harness_check_descriptor(descriptor, "acute_prevention_spend");
    ck_assert_ptr_null(descriptor->fiscal_benefit);
    ck_assert_ptr_null(descriptor->parameters);
    ck_assert_str_eq(descriptor->inputs[0].role, "acute_spend");
    ck_assert_str_eq(descriptor->inputs[1].role, "prevention_spend");
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(descriptor->inputs[i].optional, 0);
        ck_assert_int_eq(descriptor->inputs[i].aggregation, OC_AGGREGATE_SUM);
        ck_assert_str_eq(descriptor->inputs[i].units, "pounds");
    }
    ck_assert_ptr_null(descriptor->inputs[2].role);
    plugin_harness_expect_indicator_spec(descriptor, 0, "prevention_share", OC_HIGHER_IS_BETTER,
                                         OC_INDICATOR_COMPARABLE);
    plugin_harness_expect_indicator_spec(descriptor, 1, "acute_to_prevention_ratio",
                                         OC_LOWER_IS_BETTER, OC_INDICATOR_COMPARABLE);
    ck_assert_str_eq(descriptor->indicators[1].units, "to 1");
    ck_assert_ptr_null(descriptor->indicators[2].name);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_share_and_ratio,
        test_no_usable_period_is_insufficient_data,
        test_unmapped_input_is_a_configuration_error,
        test_descriptor,
    };

    return plugin_harness_run("plugin_acute_prevention_spend", tests,
                              sizeof tests / sizeof tests[0]);
}
