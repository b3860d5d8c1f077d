/*
 * test_stats_intervals.c: the confidence intervals of core/stats_intervals.c
 * against published values (Newcombe 1998, Statistics in Medicine 17:857-872
 * Table I and 17:873-890 Table II; Poisson exact limits) and hand-worked
 * ones, plus the inputs that must be refused.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <outcomes/stats.h>

#include "check_runner.h"

/* Published figures have 4 decimals: agree to half a unit in the last. */
#define FOUR_DECIMALS 0.00005

#define ck_assert_near(actual, expected, tolerance) \
    ck_assert_msg(fabs((actual) - (expected)) <= (tolerance), \
                  "%s = %.10f, expected %.10f", #actual, (double)(actual), (double)(expected))

START_TEST(test_z_for_confidence)
{
    ck_assert_near(oc_z_for_confidence(95.0), 1.959964, 1e-12);
    ck_assert_near(oc_z_for_confidence(99.8), 3.090232, 1e-12);
    ck_assert_near(oc_z_for_confidence(100.0 - 0.2), 3.090232, 1e-12);
    ck_assert(isnan(oc_z_for_confidence(90.0)));
    ck_assert(isnan(oc_z_for_confidence(0.95)));
    ck_assert(isnan(oc_z_for_confidence(NAN)));
}
END_TEST

static void assert_published(const oc_interval *interval, double lower, double upper)
{
    ck_assert_near(interval->lower, lower, FOUR_DECIMALS);
    ck_assert_near(interval->upper, upper, FOUR_DECIMALS);
}

/* Newcombe (1998a) Table I, method 3 (score interval without continuity
 * correction). */
START_TEST(test_wilson_newcombe_table_one)
{
    static const struct {
        double x, n, lower, upper;
    } cases[] = {
        {81, 263, 0.2553, 0.3662},
        {15, 148, 0.0624, 0.1605},
        {0, 20, 0.0000, 0.1611},
        {1, 29, 0.0061, 0.1718},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        oc_interval interval;
        ck_assert_int_eq(oc_wilson_interval(cases[i].x, cases[i].n, OC_Z_95, &interval, NULL),
                         OC_OK);
        assert_published(&interval, cases[i].lower, cases[i].upper);
    }
}
END_TEST

START_TEST(test_wilson_edges)
{
    oc_interval interval;
    /* x = 0: lower exactly 0; upper z^2 / (n + z^2) = 3.841459 / 23.841459
     * = 0.161124 for n = 20. */
    ck_assert_int_eq(oc_wilson_interval(0, 20, OC_Z_95, &interval, NULL), OC_OK);
    ck_assert(interval.lower == 0.0);
    ck_assert_near(interval.upper, 3.841459 / 23.841459, 1e-6);
    /* x = n mirrors x = 0: lower n / (n + z^2), upper exactly 1. */
    ck_assert_int_eq(oc_wilson_interval(20, 20, OC_Z_95, &interval, NULL), OC_OK);
    ck_assert(interval.upper == 1.0);
    ck_assert_near(interval.lower, 20.0 / 23.841459, 1e-6);
    /* 99.8%: 81/263 widens. Hand-worked: z^2 = 9.549534, centre
     * 2 x 81 + z^2 = 171.549534, half-width 3.090232 sqrt(9.549534 +
     * 324 (1 - 81/263)) = 3.090232 x sqrt(233.7624) = 47.2475, scale
     * 2 (263 + 9.549534) = 545.099068: 124.3020 / 545.0991 = 0.2280 and
     * 218.7970 / 545.0991 = 0.4014. */
    ck_assert_int_eq(oc_wilson_interval(81, 263, OC_Z_99_8, &interval, NULL), OC_OK);
    ck_assert_near(interval.lower, 0.2280, FOUR_DECIMALS);
    ck_assert_near(interval.upper, 0.4014, FOUR_DECIMALS);
}
END_TEST

START_TEST(test_wilson_refuses_bad_input)
{
    oc_interval interval;
    oc_error error;
    ck_assert_int_eq(oc_wilson_interval(0, 0, OC_Z_95, &interval, &error),
                     OC_ERROR_INSUFFICIENT_DATA);
    ck_assert(isnan(interval.lower) && isnan(interval.upper));
    ck_assert_int_eq(error.status, OC_ERROR_INSUFFICIENT_DATA);
    ck_assert_int_eq(oc_wilson_interval(-1, 10, OC_Z_95, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_wilson_interval(1, -10, OC_Z_95, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_wilson_interval(11, 10, OC_Z_95, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_wilson_interval(NAN, 10, OC_Z_95, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_wilson_interval(1, NAN, OC_Z_95, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_wilson_interval(1, INFINITY, OC_Z_95, &interval, &error),
                     OC_ERROR_INVALID);
    ck_assert_int_eq(oc_wilson_interval(1, 10, NAN, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_wilson_interval(1, 10, -1.96, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_wilson_interval(1, 10, OC_Z_95, NULL, NULL), OC_ERROR_INVALID);
    ck_assert_str_ne(error.message, "");
}
END_TEST

/* Byar's limits, hand-worked with z = 1.959964:
 * 65: 65 (1 - 1/585 - 1.959964/(3 sqrt 65))^3 = 65 x 0.917258^3 = 50.1632
 *     66 (1 - 1/594 + 1.959964/(3 sqrt 66))^3 = 66 x 1.078735^3 = 82.8491
 * and with z = 3.090232: 42.8803 and 94.0003. */
START_TEST(test_byar_hand_worked)
{
    oc_interval interval;
    ck_assert_int_eq(oc_byar_interval(65, OC_Z_95, &interval, NULL), OC_OK);
    ck_assert_near(interval.lower, 50.1632, 0.0001);
    ck_assert_near(interval.upper, 82.8491, 0.0001);
    ck_assert_int_eq(oc_byar_interval(65, OC_Z_99_8, &interval, NULL), OC_OK);
    ck_assert_near(interval.lower, 42.8803, 0.0001);
    ck_assert_near(interval.upper, 94.0003, 0.0001);
}
END_TEST

/* PHE's Technical Guide on confidence intervals states Byar's method is
 * within 0.2% of the exact Poisson limits for counts of 10 or more at 95%.
 * Exact 95% limits from published Poisson tables: 10 -> 4.7954, 18.3904;
 * 100 -> 81.364, 121.627. */
START_TEST(test_byar_close_to_exact_poisson)
{
    static const struct {
        double count, lower, upper;
    } exact[] = {
        {10, 4.7954, 18.3904},
        {100, 81.364, 121.627},
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        oc_interval interval;
        ck_assert_int_eq(oc_byar_interval(exact[i].count, OC_Z_95, &interval, NULL), OC_OK);
        ck_assert_near(interval.lower, exact[i].lower, 0.002 * exact[i].lower);
        ck_assert_near(interval.upper, exact[i].upper, 0.002 * exact[i].upper);
    }
}
END_TEST

START_TEST(test_byar_edges)
{
    oc_interval interval;
    oc_error error;
    /* 0: lower 0; upper 1 x (1 - 1/9 + 1.959964/3)^3 = 1.542210^3 = 3.6680. */
    ck_assert_int_eq(oc_byar_interval(0, OC_Z_95, &interval, NULL), OC_OK);
    ck_assert(interval.lower == 0.0);
    ck_assert_near(interval.upper, 3.6680, 0.0001);
    /* 1 at 99.8%: base 1 - 1/9 - 3.090232/3 = -0.1412 < 0, so lower is 0,
     * not the negative -0.0028 the raw formula gives. */
    ck_assert_int_eq(oc_byar_interval(1, OC_Z_99_8, &interval, NULL), OC_OK);
    ck_assert(interval.lower == 0.0);
    ck_assert(interval.upper > 1.0);

    ck_assert_int_eq(oc_byar_interval(-1, OC_Z_95, &interval, &error), OC_ERROR_INVALID);
    ck_assert(isnan(interval.lower));
    ck_assert_int_eq(oc_byar_interval(NAN, OC_Z_95, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_byar_interval(INFINITY, OC_Z_95, &interval, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_byar_interval(5, 0.0, &interval, &error), OC_ERROR_INVALID);
}
END_TEST

/* Newcombe (1998b) Table II, method 10 (hybrid score without continuity
 * correction), examples (a), (b), (d)-(h). */
START_TEST(test_newcombe_table_two)
{
    static const struct {
        double x1, n1, x2, n2, lower, upper;
    } cases[] = {
        {56, 70, 48, 80, 0.0524, 0.3339},
        {9, 10, 3, 10, 0.1705, 0.8090},
        {5, 56, 0, 29, -0.0381, 0.1926},
        {0, 10, 0, 20, -0.1611, 0.2775},
        {0, 10, 0, 10, -0.2775, 0.2775},
        {10, 10, 0, 20, 0.6791, 1.0000},
        {10, 10, 0, 10, 0.6075, 1.0000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        oc_interval interval;
        ck_assert_int_eq(oc_newcombe_interval(cases[i].x1, cases[i].n1, cases[i].x2, cases[i].n2,
                                              OC_Z_95, &interval, NULL),
                         OC_OK);
        assert_published(&interval, cases[i].lower, cases[i].upper);
    }
}
END_TEST

START_TEST(test_newcombe_refuses_bad_input)
{
    oc_interval interval;
    oc_error error;
    ck_assert_int_eq(oc_newcombe_interval(1, 0, 1, 10, OC_Z_95, &interval, &error),
                     OC_ERROR_INSUFFICIENT_DATA);
    ck_assert_int_eq(oc_newcombe_interval(1, 10, 1, 0, OC_Z_95, &interval, &error),
                     OC_ERROR_INSUFFICIENT_DATA);
    ck_assert_int_eq(oc_newcombe_interval(1, 10, NAN, 10, OC_Z_95, &interval, &error),
                     OC_ERROR_INVALID);
    ck_assert(isnan(interval.lower) && isnan(interval.upper));
    ck_assert_int_eq(oc_newcombe_interval(1, 10, -2, 10, OC_Z_95, &interval, &error),
                     OC_ERROR_INVALID);
}
END_TEST

static Suite *intervals_suite(void)
{
    Suite *suite = suite_create("stats_intervals");
    TCase *tcase = tcase_create("core");
    tcase_add_test(tcase, test_z_for_confidence);
    tcase_add_test(tcase, test_wilson_newcombe_table_one);
    tcase_add_test(tcase, test_wilson_edges);
    tcase_add_test(tcase, test_wilson_refuses_bad_input);
    tcase_add_test(tcase, test_byar_hand_worked);
    tcase_add_test(tcase, test_byar_close_to_exact_poisson);
    tcase_add_test(tcase, test_byar_edges);
    tcase_add_test(tcase, test_newcombe_table_two);
    tcase_add_test(tcase, test_newcombe_refuses_bad_input);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(intervals_suite());
}
