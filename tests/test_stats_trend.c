/*
 * test_stats_trend.c: the chi-squared test for trend of core/stats_trend.c
 * against published statistics (Altman 1991 caesarean section by shoe
 * size; the R prop.trend.test example) and hand-worked series for the
 * Fingertips significance decision.
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

/* Altman, Practical Statistics for Medical Research (1991) p. 229-230, also
 * Dalgaard, Introductory Statistics with R, section "k proportions, test
 * for trend": caesarean sections by mother's shoe size (<4, 4, 4.5, 5, 5.5,
 * 6+), 5/22, 7/35, 6/42, 7/48, 8/54, 10/150; chi-squared for trend 8.0237
 * (p = 0.0046). Not significant at Fingertips' 9.5495. The slope,
 * hand-worked: R = 43, N = 351, mean score 1580/351 = 4.501425; sum of
 * x (score - mean) = 165 - 43 x 4.501425 = -28.5613; sum of n (score -
 * mean)^2 = 8058 - 1580^2/351 = 945.7493; slope -28.5613 / 945.7493 =
 * -0.030200. */
START_TEST(test_altman_shoe_size)
{
    static const double caesarean[] = {5, 7, 6, 7, 8, 10};
    static const double births[] = {22, 35, 42, 48, 54, 150};
    oc_trend trend;
    oc_error error;
    ck_assert_int_eq(oc_trend_chi_squared(caesarean, births, 6, &trend, &error), OC_OK);
    ck_assert_near(trend.chi_squared, 8.0237, 0.00005);
    ck_assert_near(trend.slope, -0.030200, 0.000001);
    ck_assert_int_eq(trend.direction, OC_TREND_NO_SIGNIFICANT_CHANGE);
}
END_TEST

/* R's documented prop.trend.test example: smokers 83/86, 90/93, 129/136,
 * 70/82; X-squared = 8.2249, df = 1. */
START_TEST(test_r_smokers_example)
{
    static const double smokers[] = {83, 90, 129, 70};
    static const double patients[] = {86, 93, 136, 82};
    oc_trend trend;
    ck_assert_int_eq(oc_trend_chi_squared(smokers, patients, 4, &trend, NULL), OC_OK);
    ck_assert_near(trend.chi_squared, 8.2249, 0.00005);
    ck_assert(trend.slope < 0.0);
    ck_assert_int_eq(trend.direction, OC_TREND_NO_SIGNIFICANT_CHANGE);
}
END_TEST

/* 10%, 12%, 14%, 16%, 18% of 1000 each: R = 700, N = 5000, p = 0.14, mean
 * score 3; sum x (score - 3) = -200 - 120 + 0 + 160 + 360 = 200; sum n
 * (score - 3)^2 = 10000; slope 0.02; chi^2 = 200^2 / (0.14 x 0.86 x 10000)
 * = 40000 / 1204 = 33.2226 > 9.5495, and every leave-one-out slope is
 * still 0.02. */
START_TEST(test_significant_increase_and_decrease)
{
    static const double rising[] = {100, 120, 140, 160, 180};
    static const double falling[] = {180, 160, 140, 120, 100};
    static const double population[] = {1000, 1000, 1000, 1000, 1000};
    oc_trend trend;
    ck_assert_int_eq(oc_trend_chi_squared(rising, population, 5, &trend, NULL), OC_OK);
    ck_assert_near(trend.chi_squared, 40000.0 / 1204.0, 1e-9);
    ck_assert_near(trend.slope, 0.02, 1e-12);
    ck_assert_int_eq(trend.direction, OC_TREND_INCREASING);
    ck_assert_int_eq(oc_trend_chi_squared(falling, population, 5, &trend, NULL), OC_OK);
    ck_assert_near(trend.slope, -0.02, 1e-12);
    ck_assert_int_eq(trend.direction, OC_TREND_DECREASING);
}
END_TEST

/* 55%, 50%, 50%, 45%, 90% of 100 each: R = 290, p = 0.58; sum x (score -
 * 3) = -110 - 50 + 0 + 45 + 180 = 65; spread 1000; slope 0.065; chi^2 =
 * 65^2 / (0.58 x 0.42 x 1000) = 4225 / 243.6 = 17.344 > 9.5495. Leaving
 * out the last point leaves 55, 50, 50, 45, a falling slope (-0.03): the
 * rise rests on one point, so Fingertips does not call it significant. */
START_TEST(test_leave_one_out_disagrees)
{
    static const double events[] = {55, 50, 50, 45, 90};
    static const double trials[] = {100, 100, 100, 100, 100};
    oc_trend trend;
    ck_assert_int_eq(oc_trend_chi_squared(events, trials, 5, &trend, NULL), OC_OK);
    ck_assert_near(trend.chi_squared, 4225.0 / 243.6, 1e-9);
    ck_assert_near(trend.slope, 0.065, 1e-12);
    ck_assert_int_eq(trend.direction, OC_TREND_NO_SIGNIFICANT_CHANGE);
}
END_TEST

START_TEST(test_undefined_and_refused)
{
    oc_trend trend;
    oc_error error;
    static const double none[] = {0, 0, 0};
    static const double all[] = {10, 20, 30};
    static const double trials[] = {10, 20, 30};
    /* Every proportion 0 (or every one 1): chi^2 is 0/0. */
    ck_assert_int_eq(oc_trend_chi_squared(none, trials, 3, &trend, &error), OC_OK);
    ck_assert(isnan(trend.chi_squared));
    ck_assert_int_eq(trend.direction, OC_TREND_NONE);
    ck_assert_int_eq(oc_trend_chi_squared(all, trials, 3, &trend, &error), OC_OK);
    ck_assert_int_eq(trend.direction, OC_TREND_NONE);

    ck_assert_int_eq(oc_trend_chi_squared(all, trials, 2, &trend, &error),
                     OC_ERROR_INSUFFICIENT_DATA);
    ck_assert_int_eq(trend.direction, OC_TREND_NONE);
    ck_assert_str_ne(error.message, "");
    static const double zero_trials[] = {10, 0, 30};
    ck_assert_int_eq(oc_trend_chi_squared(none, zero_trials, 3, &trend, &error),
                     OC_ERROR_INVALID);
    static const double too_many[] = {10, 21, 30};
    ck_assert_int_eq(oc_trend_chi_squared(too_many, trials, 3, &trend, &error),
                     OC_ERROR_INVALID);
    static const double negative[] = {10, -1, 30};
    ck_assert_int_eq(oc_trend_chi_squared(negative, trials, 3, &trend, &error),
                     OC_ERROR_INVALID);
    static const double missing[] = {10, NAN, 30};
    ck_assert_int_eq(oc_trend_chi_squared(missing, trials, 3, &trend, &error),
                     OC_ERROR_INVALID);
    ck_assert(isnan(trend.slope));
    ck_assert_int_eq(oc_trend_chi_squared(NULL, trials, 3, &trend, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_trend_chi_squared(all, trials, 3, NULL, &error), OC_ERROR_INVALID);
}
END_TEST

static Suite *trend_suite(void)
{
    Suite *suite = suite_create("stats_trend");
    TCase *tcase = tcase_create("core");
    tcase_add_test(tcase, test_altman_shoe_size);
    tcase_add_test(tcase, test_r_smokers_example);
    tcase_add_test(tcase, test_significant_increase_and_decrease);
    tcase_add_test(tcase, test_leave_one_out_disagrees);
    tcase_add_test(tcase, test_undefined_and_refused);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(trend_suite());
}
