/*
 * test_plugin_worklessness.c: the worklessness plugin's descriptor, its
 * series (count with Byar's interval, NI 152 rate with Wilson's, change on
 * the like quarter a year earlier) and its fiscal benefit, against values
 * worked out by hand below from the formulas in docs/statistics.md.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <check.h>

#include "plugin_harness.h"
#include "plugin_loader.h"

const oc_plugin_descriptor *oc_plugin_entry(void);

/* Quarterly DWP snapshots, days since 1970-01-01 of the 1st of the month:
 * 2014-02 16102, 2014-05 16191, 2014-08 16283, 2014-11 16375,
 * 2015-02 16467, 2015-05 16556, 2015-08 16648, 2015-11 16740. */
static const int32_t quarters[] = {16102, 16191, 16283, 16375, 16467, 16556, 16648, 16740};

/* t2 is missing (NaN); t5 carries a negative suppression marker; t3 has a
 * zero population, t6 a missing one, t7 more claimants than residents. */
static const double claimants[] = {7700, 7650, NAN, 7700, 6930, -9, 7650, 300};
static const double population[] = {120000, 120000, 120000, 0, 119000, 119500, NAN, 200};

#define COUNT_TOLERANCE 1e-3 /* people; the working below keeps 4 decimals */
#define RATE_TOLERANCE 1e-5  /* percent; the working keeps 6 decimals */

/*
 * Byar, z = 1.959964: lower = x(1 - 1/(9x) - z/(3 sqrt x))^3,
 *                     upper = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3.
 *  x = 7700: 1/(9x) = 0.00001443, z/(3 sqrt x) = 0.00744529,
 *            lower = 7700 * 0.99254028^3 = 7528.9628;
 *            1/(9 * 7701) = 0.00001443, z/(3 sqrt 7701) = 0.00744480,
 *            upper = 7701 * 1.00743038^3 = 7873.9427.
 *  x = 7650: 1/(9x) = 0.00001452, z/(3 sqrt x) = 0.00746958,
 *            lower = 7650 * 0.99251590^3 = 7479.5221;
 *            upper = 7651 * (1 - 0.00001452 + 0.00746909)^3 = 7651 * 1.00745457^3 = 7823.3834.
 *  x = 6930: 1/(9x) = 0.00001603, z/(3 sqrt x) = 0.00784802,
 *            lower = 6930 * 0.99213594^3 = 6767.7886;
 *            upper = 6931 * (1 - 0.00001603 + 0.00784746)^3 = 6931 * 1.00783142^3 = 7095.1174.
 *  x = 300:  1/(9x) = 0.00037037, z/(3 sqrt x) = 0.03771952,
 *            lower = 300 * 0.96191010^3 = 267.0083;
 *            upper = 301 * (1 - 0.00036914 + 0.03765682)^3 = 301 * 1.03728768^3 = 335.9419.
 *
 * Wilson, z = 1.959964, z^2 = 3.841459:
 *   (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), times 100.
 *  7700/120000: 2x + z^2 = 15403.841459; z^2 + 4x(1 - x/n) = 3.841459 + 30800 * 0.9358333
 *            = 28827.508126; z sqrt(.) = 332.775731; 2(n + z^2) = 240007.682918;
 *            lower = 15071.065728 / 240007.682918 = 0.062794097 -> 6.279410 %,
 *            upper = 15736.617190 / 240007.682918 = 0.065567139 -> 6.556714 %;
 *            rate = 100 * 7700 / 120000 = 6.416667 %.
 *  7650/120000: 2x + z^2 = 15303.841459; z^2 + 4x(1 - x/n) = 28653.091459;
 *            z sqrt(.) = 331.767498; lower 0.062381645 -> 6.238164 %,
 *            upper 0.065146285 -> 6.514629 %; rate 6.375 %.
 *  6930/119000: 2x + z^2 = 13863.841459; z^2 + 4x(1 - x/n) = 26109.559106;
 *            z sqrt(.) = 316.699854; 2(n + z^2) = 238007.682918;
 *            lower 0.056918926 -> 5.691893 %, upper 0.059580183 -> 5.958018 %;
 *            rate = 100 * 6930 / 119000 = 5.823529 %.
 */
START_TEST(test_series_with_gaps_and_bad_values)
{
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), quarters, 8);
    plugin_harness_map_input(&harness, "claimants", claimants);
    plugin_harness_map_input(&harness, "population", population);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, &error), OC_OK);

    plugin_harness_expect_reported(&harness, "claimants", 0, 7700, 7528.9628, 7873.9427,
                                   COUNT_TOLERANCE);
    plugin_harness_expect_reported(&harness, "claimants", 1, 7650, 7479.5221, 7823.3834,
                                   COUNT_TOLERANCE);
    plugin_harness_expect(&harness, "claimants", 2, NAN, NAN, NAN, 0);
    plugin_harness_expect_reported(&harness, "claimants", 3, 7700, 7528.9628, 7873.9427,
                                   COUNT_TOLERANCE);
    plugin_harness_expect_reported(&harness, "claimants", 4, 6930, 6767.7886, 7095.1174,
                                   COUNT_TOLERANCE);
    plugin_harness_expect(&harness, "claimants", 5, NAN, NAN, NAN, 0);
    plugin_harness_expect_reported(&harness, "claimants", 6, 7650, 7479.5221, 7823.3834,
                                   COUNT_TOLERANCE);
    plugin_harness_expect_reported(&harness, "claimants", 7, 300, 267.0083, 335.9419,
                                   COUNT_TOLERANCE);
    for (size_t t = 0; t < 8; t++)
        plugin_harness_expect_fraction(&harness, "claimants", t, NAN, NAN);

    static const plugin_harness_proportion rates[] = {
        {0, 6.416667, 6.279410, 6.556714, 7700, 120000},
        {1, 6.375, 6.238164, 6.514629, 7650, 120000},
        {4, 5.823529, 5.691893, 5.958018, 6930, 119000},
    };
    plugin_harness_expect_proportions(&harness, "claimant_rate", RATE_TOLERANCE, rates, 3);
    /* missing claimants, zero population, suppressed claimants, missing
     * population, claimants > population: no rate and no fraction. */
    const size_t no_rate[] = {2, 3, 5, 6, 7};
    for (size_t i = 0; i < sizeof no_rate / sizeof no_rate[0]; i++) {
        plugin_harness_expect_none(&harness, "claimant_rate", no_rate[i]);
    }

    /* Like quarters a year apart: t4 (Feb 2015) - t0 (Feb 2014) = 6930 - 7700
     * = -770; t5 has no usable count; t6 (Aug 2015) - t2 (Aug 2014, missing)
     * is NaN; t7 (Nov 2015) - t3 (Nov 2014) = 300 - 7700 = -7400. The first
     * year has no like quarter before it. No interval on a change. */
    for (size_t t = 0; t < 4; t++)
        plugin_harness_expect(&harness, "claimants_year_on_year", t, NAN, NAN, NAN, 0);
    plugin_harness_expect(&harness, "claimants_year_on_year", 4, -770, NAN, NAN, 1e-9);
    plugin_harness_expect(&harness, "claimants_year_on_year", 5, NAN, NAN, NAN, 0);
    plugin_harness_expect(&harness, "claimants_year_on_year", 6, NAN, NAN, NAN, 0);
    plugin_harness_expect(&harness, "claimants_year_on_year", 7, -7400, NAN, NAN, 1e-9);
}
END_TEST

/* At 99.8%, z = 3.090232, z^2 = 9.549534:
 *  Byar 7700: z/(3 sqrt 7700) = 0.01173882, lower = 7700 * (1 - 0.00001443 - 0.01173882)^3
 *            = 7700 * 0.98824675^3 = 7431.6784; z/(3 sqrt 7701) = 0.01173806,
 *            upper = 7701 * 1.01172363^3 = 7975.0388.
 *  Wilson 7700/120000: 2x + z^2 = 15409.549534; z^2 + 4x(1 - x/n) = 28833.216200;
 *            z sqrt(.) = 524.732096; 2(n + z^2) = 240019.099068;
 *            lower 0.062015138 -> 6.201514 %, upper 0.066387557 -> 6.638756 %. */
START_TEST(test_interval_follows_configured_confidence)
{
    plugin_harness harness;

    plugin_harness_init(&harness, oc_plugin_entry(), quarters, 1);
    harness.evaluation.z = OC_Z_99_8;
    plugin_harness_map_input(&harness, "claimants", claimants);
    plugin_harness_map_input(&harness, "population", population);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, NULL), OC_OK);
    plugin_harness_expect_reported(&harness, "claimants", 0, 7700, 7431.6784, 7975.0388,
                                   COUNT_TOLERANCE);
    plugin_harness_expect_reported(&harness, "claimant_rate", 0, 6.416667, 6.201514, 6.638756,
                                   RATE_TOLERANCE);
}
END_TEST

/* The host reports the latest usable value on or before the evaluation
 * period, and the plugin computes intervals only there (ABI 1.1). With the
 * period at t2 (claimants missing) both indicators are reported at t1;
 * with it at t3 the count is reported at t3 but the rate, whose population
 * is zero at t3, at t1. Intervals from the working above. */
START_TEST(test_interval_only_at_the_reported_period)
{
    plugin_harness harness;
    const oc_indicator_series *count, *rate;

    plugin_harness_init(&harness, oc_plugin_entry(), quarters, 8);
    plugin_harness_map_input(&harness, "claimants", claimants);
    plugin_harness_map_input(&harness, "population", population);
    count = plugin_harness_output(&harness, "claimants");
    rate = plugin_harness_output(&harness, "claimant_rate");

    plugin_harness_set_period(&harness, 2);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, NULL), OC_OK);
    ck_assert_uint_eq(oc_evaluation_reported_index(&harness.evaluation, count), 1);
    ck_assert_uint_eq(oc_evaluation_reported_index(&harness.evaluation, rate), 1);
    plugin_harness_expect(&harness, "claimants", 1, 7650, 7479.5221, 7823.3834, COUNT_TOLERANCE);
    plugin_harness_expect(&harness, "claimant_rate", 1, 6.375, 6.238164, 6.514629, RATE_TOLERANCE);
    plugin_harness_expect(&harness, "claimants", 0, 7700, NAN, NAN, 0); /* value, no interval */
    plugin_harness_expect(&harness, "claimants", 7, 300, NAN, NAN, 0);  /* after the period too */

    plugin_harness_set_period(&harness, 3);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, NULL), OC_OK);
    ck_assert_uint_eq(oc_evaluation_reported_index(&harness.evaluation, count), 3);
    ck_assert_uint_eq(oc_evaluation_reported_index(&harness.evaluation, rate), 1);
    plugin_harness_expect(&harness, "claimants", 3, 7700, 7528.9628, 7873.9427, COUNT_TOLERANCE);
    plugin_harness_expect(&harness, "claimants", 1, 7650, NAN, NAN, 0);
    plugin_harness_expect(&harness, "claimant_rate", 1, 6.375, 6.238164, 6.514629, RATE_TOLERANCE);
    plugin_harness_expect(&harness, "claimant_rate", 0, 6.416667, NAN, NAN, RATE_TOLERANCE);

    /* No evaluation period: every value, numerator and denominator, no
     * interval anywhere. */
    plugin_harness_set_period(&harness, (size_t)-1);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, NULL), OC_OK);
    for (size_t t = 0; t < 8; t++) {
        ck_assert(isnan(count->lower[t]) && isnan(count->upper[t]));
        ck_assert(isnan(rate->lower[t]) && isnan(rate->upper[t]));
    }
    plugin_harness_expect(&harness, "claimants", 4, 6930, NAN, NAN, 0);
    plugin_harness_expect_value_and_fraction(&harness, "claimant_rate", 4, 5.823529, RATE_TOLERANCE,
                                             6930, 119000);
}
END_TEST

START_TEST(test_without_population_only_counts)
{
    plugin_harness harness;

    plugin_harness_init(&harness, oc_plugin_entry(), quarters, 8);
    plugin_harness_map_input(&harness, "claimants", claimants);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, NULL), OC_OK);
    plugin_harness_expect_reported(&harness, "claimants", 4, 6930, 6767.7886, 7095.1174,
                                   COUNT_TOLERANCE);
    plugin_harness_expect(&harness, "claimants_year_on_year", 4, -770, NAN, NAN, 1e-9);
    plugin_harness_expect_all_nan(&harness, "claimant_rate");
}
END_TEST

START_TEST(test_no_usable_count_is_insufficient_data)
{
    static const double nothing[] = {NAN, -1, NAN};
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), quarters, 3);
    plugin_harness_map_input(&harness, "claimants", nothing);
    plugin_harness_map_input(&harness, "population", population);
    plugin_harness_expect_failure(&harness, OC_ERROR_INSUFFICIENT_DATA, "E14000559", &error);
    ck_assert_ptr_nonnull(strstr(error.message, "claimants"));
    ck_assert_ptr_null(strchr(error.message, '\n'));
    plugin_harness_expect_all_nan(&harness, "claimant_rate");
}
END_TEST

START_TEST(test_descriptor)
{
    const oc_plugin_descriptor *descriptor = oc_plugin_entry();
    static const char *const parameter_names[] = {"unit_cost", "deadweight", "attribution",
        "optimism_bias", "persistence_years", "drop_off", "discount_rate"};
    static const char *const parameter_defaults[] = {"8632", "0", "1", "0", "1", "0", "0.035"};

    plugin_harness_check_descriptor(descriptor, "worklessness");
    ck_assert_ptr_nonnull(descriptor->fiscal_benefit);

    ck_assert_str_eq(descriptor->inputs[0].role, "claimants");
    ck_assert_int_eq(descriptor->inputs[0].optional, 0);
    ck_assert_int_eq(descriptor->inputs[0].aggregation, OC_AGGREGATE_SUM);
    ck_assert_str_eq(descriptor->inputs[1].role, "population");
    ck_assert_int_ne(descriptor->inputs[1].optional, 0);
    ck_assert_int_eq(descriptor->inputs[1].aggregation, OC_AGGREGATE_SUM);
    ck_assert_ptr_null(descriptor->inputs[2].role);

    plugin_harness_expect_indicator_spec(descriptor, 0, "claimants", OC_LOWER_IS_BETTER,
                                         OC_INDICATOR_FISCAL_BENEFIT);
    plugin_harness_expect_indicator_spec(descriptor, 1, "claimant_rate", OC_LOWER_IS_BETTER,
                                         OC_INDICATOR_PROPORTION | OC_INDICATOR_COMPARABLE);
    plugin_harness_expect_indicator_spec(descriptor, 2, "claimants_year_on_year",
                                         OC_LOWER_IS_BETTER, 0);
    ck_assert_ptr_null(descriptor->indicators[3].name);

    for (size_t i = 0; i < sizeof parameter_names / sizeof parameter_names[0]; i++) {
        ck_assert_str_eq(descriptor->parameters[i].name, parameter_names[i]);
        ck_assert_int_eq(descriptor->parameters[i].type, OC_PARAMETER_NUMBER);
        ck_assert_str_eq(descriptor->parameters[i].default_value, parameter_defaults[i]);
        ck_assert_ptr_nonnull(descriptor->parameters[i].doc);
    }
    ck_assert_ptr_null(descriptor->parameters[7].name);
}
END_TEST

/* Every valuation parameter has a range (ABI 1.2) that the host checks
 * when it reads the configuration: a share of 200 or a discount rate of
 * 3.5 (meant as 3.5%) is one configuration error naming the key, not a
 * message in every result. The loader accepts the declaration (each range
 * names a number parameter and holds its default). */
START_TEST(test_parameter_ranges)
{
    const oc_plugin_descriptor *descriptor = oc_plugin_entry();
    static const struct {
        const char *name, *accepted;
        double refused;
    } expected[] = {
        {"unit_cost", "at least 0", -1},
        {"deadweight", "0 to 1", 200},
        {"attribution", "0 to 1", 1.5},
        {"optimism_bias", "0 to 1", -0.1},
        {"persistence_years", "above 0 and at most 1000", 0},
        {"drop_off", "0 to 1", 2},
        {"discount_rate", "0 to 1", 3.5},
    };
    oc__plugin plugin = {0};
    oc_error error;
    char text[128];

    ck_assert_int_eq(oc__plugin_validate_descriptor(descriptor, "worklessness.so", &plugin,
                                                    &error), OC_OK);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const oc_parameter_range *range = oc__parameter_range_find(descriptor, expected[i].name);

        ck_assert_msg(range != NULL, "no range for %s", expected[i].name);
        ck_assert_str_eq(oc__parameter_range_text(range, text, sizeof text), expected[i].accepted);
        ck_assert(!oc__parameter_range_contains(range, expected[i].refused));
    }
    ck_assert(oc__parameter_range_contains(oc__parameter_range_find(descriptor, "discount_rate"),
                                           0.035));
}
END_TEST

static double benefit_of(plugin_harness *harness, const char *indicator, double change)
{
    double benefit = 0.0;
    oc_error error;
    int status = harness->evaluation.descriptor->fiscal_benefit(
        &harness->evaluation, plugin_harness_indicator(harness, indicator), change, &benefit,
        &error);

    ck_assert_msg(status == OC_OK, "fiscal_benefit failed: %s", error.message);
    return benefit;
}

START_TEST(test_fiscal_benefit)
{
    plugin_harness harness;

    plugin_harness_init(&harness, oc_plugin_entry(), quarters, 8);
    plugin_harness_map_input(&harness, "claimants", claimants);

    /* The seeds: 770 fewer claimants x £8,632 = £6,646,640; one year, year 0
     * undiscounted. */
    ck_assert_double_eq_tol(benefit_of(&harness, "claimants", -770), 6646640.0, 1e-6);
    /* A rise of 100 claimants costs 100 x 8,632 = £863,200: a negative benefit. */
    ck_assert_double_eq_tol(benefit_of(&harness, "claimants", 100), -863200.0, 1e-6);
    /* Only the claimant count carries a fiscal benefit; no change, no benefit. */
    ck_assert(isnan(benefit_of(&harness, "claimant_rate", -0.5)));
    ck_assert(isnan(benefit_of(&harness, "claimants", NAN)));

    /* Deadweight 0.2: 6,646,640 x (1 - 0.2) = £5,317,312. */
    plugin_harness_set_parameter(&harness, "deadweight", 0.2);
    ck_assert_double_eq_tol(benefit_of(&harness, "claimants", -770), 5317312.0, 1e-6);

    /* Three years at 3.5%: 6,646,640 x (1 + 1/1.035 + 1/1.035^2)
     * = 6,646,640 x (1 + 0.966183575 + 0.933510700) = 6,646,640 x 2.899694275
     * = £19,273,223.96. */
    plugin_harness_set_parameter(&harness, "deadweight", 0);
    plugin_harness_set_parameter(&harness, "persistence_years", 3);
    ck_assert_double_eq_tol(benefit_of(&harness, "claimants", -770), 19273223.96, 0.01);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_series_with_gaps_and_bad_values,
        test_interval_follows_configured_confidence,
        test_interval_only_at_the_reported_period,
        test_without_population_only_counts,
        test_no_usable_count_is_insufficient_data,
        test_descriptor,
        test_fiscal_benefit,
        test_parameter_ranges,
    };

    return plugin_harness_run("plugin_worklessness", tests, sizeof tests / sizeof tests[0]);
}
