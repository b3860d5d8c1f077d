/*
 * test_stats_value.c: trajectory, difference-in-differences, discounting
 * and present value of core/stats_value.c, against the seeds' published
 * fiscal benefit (770 ESA/IB claimants x 8,632 a year = 6,646,640) and
 * hand-worked Green Book discounting at 3.5%.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <outcomes/stats.h>

#include "check_runner.h"

#define ck_assert_near(actual, expected, tolerance) \
    ck_assert_msg(fabs((actual) - (expected)) <= (tolerance), \
                  "%s = %.10f, expected %.10f", #actual, (double)(actual), (double)(expected))

/* The seeds' estimated fiscal benefit of 770 fewer claimants for a year. */
#define SEEDS_BENEFIT (770.0 * 8632.0)

/* Discount factors at 3.5%: 1/1.035 = 0.966183575, 1/1.035^2 = 0.933510700. */
#define YEAR_ONE (1.0 / 1.035)
#define YEAR_TWO (1.0 / (1.035 * 1.035))

START_TEST(test_trajectory)
{
    /* 10% fewer claimants over three years (seeds): 7700 on day 0
     * (1 April 2014) to 6930 on day 1096 (1 April 2017). Half way, day
     * 548: 7700 - 770 / 2 = 7315. */
    ck_assert_near(oc_trajectory_value(0, 7700, 1096, 6930, 548), 7315.0, 1e-9);
    ck_assert_near(oc_trajectory_value(0, 7700, 1096, 6930, 0), 7700.0, 0.0);
    ck_assert_near(oc_trajectory_value(0, 7700, 1096, 6930, -30), 7700.0, 0.0);
    ck_assert_near(oc_trajectory_value(0, 7700, 1096, 6930, 1096), 6930.0, 0.0);
    ck_assert_near(oc_trajectory_value(0, 7700, 1096, 6930, 2000), 6930.0, 0.0);
    /* A target due on the start day: the start value until then, the
     * target after. */
    ck_assert_near(oc_trajectory_value(10, 1, 10, 2, 10), 1.0, 0.0);
    ck_assert_near(oc_trajectory_value(10, 1, 10, 2, 11), 2.0, 0.0);
    ck_assert(isnan(oc_trajectory_value(10, 1, 5, 2, 7)));
    ck_assert(isnan(oc_trajectory_value(0, NAN, 10, 2, 5)));
    ck_assert(isnan(oc_trajectory_value(0, 1, 10, 2, NAN)));
}
END_TEST

START_TEST(test_difference_in_differences)
{
    /* Pilot 10 -> 8 (-2), comparator 10 -> 9 (-1): the pilot did 1 better
     * than the comparator: -1. */
    ck_assert_near(oc_difference_in_differences(10, 8, 10, 9), -1.0, 1e-12);
    ck_assert_near(oc_difference_in_differences(5.5, 7.0, 6.0, 6.5), 1.0, 1e-12);
    ck_assert(isnan(oc_difference_in_differences(10, NAN, 10, 9)));
    ck_assert(isnan(oc_difference_in_differences(10, 8, NAN, 9)));
}
END_TEST

START_TEST(test_discount_factor)
{
    ck_assert_near(oc_discount_factor(0.035, 0), 1.0, 0.0);
    ck_assert_near(oc_discount_factor(0.035, 2), 0.933510700, 1e-9);
    ck_assert_near(oc_discount_factor(0.0, 5), 1.0, 0.0);
    ck_assert(isnan(oc_discount_factor(-0.01, 1)));
    ck_assert(isnan(oc_discount_factor(0.035, -1)));
    ck_assert(isnan(oc_discount_factor(NAN, 1)));
}
END_TEST

START_TEST(test_defaults)
{
    oc_benefit_options options = oc_benefit_defaults();
    ck_assert_near(options.discount_rate, 0.035, 0.0);
    ck_assert_near(options.years, 1.0, 0.0);
    ck_assert_near(options.deadweight, 0.0, 0.0);
    ck_assert_near(options.attribution, 1.0, 0.0);
    ck_assert_near(options.optimism_bias, 0.0, 0.0);
    ck_assert_near(options.drop_off, 0.0, 0.0);
}
END_TEST

START_TEST(test_present_value_one_year_is_seeds_figure)
{
    double value;
    ck_assert_int_eq(oc_present_value(SEEDS_BENEFIT, NULL, &value, NULL), OC_OK);
    ck_assert_near(value, 6646640.0, 1e-6);
    oc_benefit_options options = oc_benefit_defaults();
    ck_assert_int_eq(oc_present_value(SEEDS_BENEFIT, &options, &value, NULL), OC_OK);
    ck_assert_near(value, 6646640.0, 1e-6);
}
END_TEST

START_TEST(test_present_value_discounting)
{
    oc_benefit_options options = oc_benefit_defaults();
    double value;
    /* Three years: B (1 + 1/1.035 + 1/1.035^2) = B x 2.899694 =
     * 19,273,223.96. */
    options.years = 3;
    ck_assert_int_eq(oc_present_value(SEEDS_BENEFIT, &options, &value, NULL), OC_OK);
    ck_assert_near(value, SEEDS_BENEFIT * (1.0 + YEAR_ONE + YEAR_TWO), 1e-6);
    ck_assert_near(value, 19273223.96, 0.01);
    /* Two and a half years: the third year counts half. */
    options.years = 2.5;
    ck_assert_int_eq(oc_present_value(SEEDS_BENEFIT, &options, &value, NULL), OC_OK);
    ck_assert_near(value, SEEDS_BENEFIT * (1.0 + YEAR_ONE + 0.5 * YEAR_TWO), 1e-6);
    /* Half a year: half the benefit, undiscounted. */
    options.years = 0.5;
    ck_assert_int_eq(oc_present_value(SEEDS_BENEFIT, &options, &value, NULL), OC_OK);
    ck_assert_near(value, 3323320.0, 1e-6);
    /* Drop-off 10%: year 1 keeps 0.9, year 2 0.81. */
    options.years = 3;
    options.drop_off = 0.1;
    ck_assert_int_eq(oc_present_value(SEEDS_BENEFIT, &options, &value, NULL), OC_OK);
    ck_assert_near(value, SEEDS_BENEFIT * (1.0 + 0.9 * YEAR_ONE + 0.81 * YEAR_TWO), 1e-6);
    ck_assert_near(value, 17452141.70, 0.01);
}
END_TEST

START_TEST(test_present_value_haircuts)
{
    oc_benefit_options options = oc_benefit_defaults();
    double value;
    /* Deadweight 20%, attribution 50%, optimism bias 25%: net = B x 0.8 x
     * 0.5 x 0.75 = 0.3 B = 1,993,992 for one year. */
    options.deadweight = 0.2;
    options.attribution = 0.5;
    options.optimism_bias = 0.25;
    ck_assert_int_eq(oc_present_value(SEEDS_BENEFIT, &options, &value, NULL), OC_OK);
    ck_assert_near(value, 1993992.0, 1e-6);
    /* Everything would have happened anyway: nothing is the programme's. */
    options.deadweight = 1.0;
    ck_assert_int_eq(oc_present_value(SEEDS_BENEFIT, &options, &value, NULL), OC_OK);
    ck_assert_near(value, 0.0, 0.0);
}
END_TEST

START_TEST(test_present_value_refuses_bad_input)
{
    oc_error error;
    double value = 0.0;
    oc_benefit_options options;

#define EXPECT_INVALID(field, bad) \
    do { \
        options = oc_benefit_defaults(); \
        options.field = (bad); \
        ck_assert_int_eq(oc_present_value(1000.0, &options, &value, &error), OC_ERROR_INVALID); \
        ck_assert(isnan(value)); \
        ck_assert_str_ne(error.message, ""); \
    } while (0)

    EXPECT_INVALID(discount_rate, -0.01);
    EXPECT_INVALID(discount_rate, NAN);
    EXPECT_INVALID(discount_rate, INFINITY);
    EXPECT_INVALID(years, 0.0);
    EXPECT_INVALID(years, -1.0);
    EXPECT_INVALID(years, NAN);
    EXPECT_INVALID(years, 1001.0);
    EXPECT_INVALID(deadweight, 1.1);
    EXPECT_INVALID(deadweight, -0.1);
    EXPECT_INVALID(attribution, -0.1);
    EXPECT_INVALID(attribution, 1.5);
    EXPECT_INVALID(optimism_bias, NAN);
    EXPECT_INVALID(optimism_bias, 2.0);
    EXPECT_INVALID(drop_off, 2.0);
#undef EXPECT_INVALID

    ck_assert_int_eq(oc_present_value(NAN, NULL, &value, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_present_value(INFINITY, NULL, &value, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_present_value(1000.0, NULL, NULL, &error), OC_ERROR_INVALID);
    /* A disbenefit is a value too. */
    ck_assert_int_eq(oc_present_value(-1000.0, NULL, &value, &error), OC_OK);
    ck_assert_near(value, -1000.0, 0.0);
}
END_TEST

static Suite *value_suite(void)
{
    Suite *suite = suite_create("stats_value");
    TCase *tcase = tcase_create("core");
    tcase_add_test(tcase, test_trajectory);
    tcase_add_test(tcase, test_difference_in_differences);
    tcase_add_test(tcase, test_discount_factor);
    tcase_add_test(tcase, test_defaults);
    tcase_add_test(tcase, test_present_value_one_year_is_seeds_figure);
    tcase_add_test(tcase, test_present_value_discounting);
    tcase_add_test(tcase, test_present_value_haircuts);
    tcase_add_test(tcase, test_present_value_refuses_bad_input);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(value_suite());
}
