/* test_evaluation.c: the accessors plugins call (core/evaluation.c), with
 * the like-period search checked on hand-computed day numbers and the
 * reported index against the scorer's own search. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "check_runner.h"
#include "evaluation_internal.h"
#include "scoring.h"

#define NONE ((size_t)-1)

/* Day numbers (days since 1970-01-01), worked by hand:
 * 2014-01-01 = 44 * 365 + 11 leap days (1972 ... 2012) = 16071;
 * 2015-01-01 = 16071 + 365 = 16436; 2016-01-01 = 16801; 2017-01-01 = 17167.
 * Month starts add 31 (Feb), 59 (Mar), 120 (May), 212 (Aug), 304 (Nov) in a
 * common year, one more from March in 2016. */
#define D2014_02_01 16102
#define D2014_05_01 16191
#define D2014_08_01 16283
#define D2014_11_01 16375
#define D2015_02_01 16467
#define D2015_05_01 16556
#define D2015_08_01 16648
#define D2015_11_01 16740
#define D2016_02_01 16832
#define D2016_05_01 16922
#define D2016_08_01 17014
#define D2016_11_01 17106

/* The like-period tests run twice (Check loop index 0 and 1): searching
 * at every call, and through the year-earlier table the engine works out
 * once per time axis; both must give the hand-worked answers. */
static int use_table;
static size_t *attached_table;

static void free_table(void)
{
    free(attached_table);
    attached_table = NULL;
}

static oc_evaluation make(const int32_t *times, size_t count)
{
    oc_evaluation evaluation = {0};
    evaluation.times = times;
    evaluation.time_count = count;
    evaluation.period_index = NONE;
    evaluation.baseline_index = NONE;
    free_table();
    if (use_table) {
        attached_table = oc__evaluation_year_earlier_table(times, count);
        ck_assert_ptr_nonnull(attached_table);
        evaluation.year_earlier_index = attached_table;
    }
    return evaluation;
}

START_TEST(like_quarter_one_and_two_years_back)
{
    use_table = _i;
    /* NI 152 snapshots: Feb, May, Aug, Nov. */
    static const int32_t times[] = {D2014_02_01, D2014_05_01, D2014_08_01, D2014_11_01,
                                    D2015_02_01, D2015_05_01, D2015_08_01, D2015_11_01,
                                    D2016_02_01, D2016_05_01, D2016_08_01, D2016_11_01};
    oc_evaluation evaluation = make(times, 12);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 11, 1), 7);  /* Nov 2015 */
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 11, 2), 3);  /* Nov 2014 */
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 8, 1), 4);   /* Feb 2015 */
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 5, 0), 5);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 3, 1), NONE); /* no 2013 */
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 3, -2), 11);  /* forwards */
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 12, 1), NONE); /* out of range */
    ck_assert_uint_eq(oc_evaluation_like_period_index(NULL, 0, 1), NONE);
}
END_TEST

START_TEST(like_period_missing_quarter_is_none)
{
    use_table = _i;
    /* May 2015 is missing: Aug 2015 (16648) is 92 days from May 2015. */
    static const int32_t times[] = {D2015_02_01, D2015_08_01, D2016_02_01, D2016_05_01};
    oc_evaluation evaluation = make(times, 4);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 3, 1), NONE);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 2, 1), 0);
}
END_TEST

START_TEST(like_period_tolerance_is_fifteen_days)
{
    use_table = _i;
    /* 2015-05-10 = D2015_05_01 + 9: within 15 days of a year before
     * 2016-05-01; 2015-05-20 = + 19 is not. */
    static const int32_t near[] = {D2015_05_01 + 9, D2016_05_01};
    static const int32_t far[] = {D2015_05_01 + 19, D2016_05_01};
    oc_evaluation evaluation = make(near, 2);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 1, 1), 0);
    evaluation = make(far, 2);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 1, 1), NONE);
}
END_TEST

START_TEST(like_month_not_neighbouring_month)
{
    use_table = _i;
    /* Monthly 2015-01 .. 2016-12: month starts from day-of-year offsets. */
    static const int common[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int32_t times[24];
    for (int m = 0; m < 12; m++) {
        times[m] = 16436 + common[m];
        times[12 + m] = 16801 + common[m] + (m >= 2); /* 2016 is a leap year */
    }
    oc_evaluation evaluation = make(times, 24);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 14, 1), 2);  /* Mar */
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 13, 1), 1);  /* Feb */
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 23, 1), 11); /* Dec */
}
END_TEST

START_TEST(like_period_from_leap_day)
{
    use_table = _i;
    /* 2016-02-29 = 16801 + 31 + 28 = 16860; a year earlier is 2015-02-28 =
     * 16494, and 2015-03-01 (16495) is the nearest time to it. */
    static const int32_t times[] = {16495, 16860};
    oc_evaluation evaluation = make(times, 2);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 1, 1), 0);
}
END_TEST

START_TEST(like_academic_year)
{
    use_table = _i;
    /* 2014-09-01 = 16071 + 243 = 16314; 2015-09-01 = 16679; 2016-09-01 = 17045. */
    static const int32_t times[] = {16314, 16679, 17045};
    oc_evaluation evaluation = make(times, 3);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 2, 2), 0);
    ck_assert_uint_eq(oc_evaluation_like_period_index(&evaluation, 2, 1), 1);
}
END_TEST

START_TEST(accessors_are_defensive)
{
    ck_assert_str_eq(oc_evaluation_area_code(NULL), "");
    ck_assert_str_eq(oc_evaluation_area_name(NULL), "");
    ck_assert_uint_eq(oc_evaluation_time_count(NULL), 0);
    ck_assert_ptr_null(oc_evaluation_times(NULL));
    ck_assert_ptr_null(oc_evaluation_input(NULL, 0));
    ck_assert_ptr_null(oc_evaluation_output(NULL, 0));
    ck_assert(isnan(oc_evaluation_z(NULL)));
    ck_assert_uint_eq(oc_evaluation_period_index(NULL), NONE);
    ck_assert_uint_eq(oc_evaluation_baseline_index(NULL), NONE);
    double number = 7;
    ck_assert_int_eq(oc_evaluation_parameter_number(NULL, "x", &number), OC_ERROR_NOT_FOUND);
    ck_assert_ptr_null(oc_evaluation_parameter_string(NULL, "x"));
    oc__evaluation_reset_outputs(NULL);

    static const int32_t times[] = {D2015_02_01, D2016_02_01};
    double count[] = {3, 4};
    const double *inputs[] = {count, NULL};
    double values[2] = {1, 2}, lower[2] = {1, 2};
    oc_indicator_series outputs[] = {{2, values, lower, NULL, NULL, NULL}};
    oc_evaluation evaluation = make(times, 2);
    evaluation.area_code = "E14000559";
    evaluation.area_name = NULL;
    evaluation.inputs = inputs;
    evaluation.input_count = 2;
    evaluation.outputs = outputs;
    evaluation.output_count = 1;
    evaluation.z = 1.959964;
    evaluation.period_index = 1;
    evaluation.baseline_index = 5; /* out of range: reported as none */

    ck_assert_str_eq(oc_evaluation_area_code(&evaluation), "E14000559");
    ck_assert_str_eq(oc_evaluation_area_name(&evaluation), "");
    ck_assert_uint_eq(oc_evaluation_time_count(&evaluation), 2);
    ck_assert_int_eq(oc_evaluation_times(&evaluation)[1], D2016_02_01);
    ck_assert_ptr_eq(oc_evaluation_input(&evaluation, 0), count);
    ck_assert_ptr_null(oc_evaluation_input(&evaluation, 1)); /* unmapped optional role */
    ck_assert_ptr_null(oc_evaluation_input(&evaluation, 2));
    ck_assert_ptr_eq(oc_evaluation_output(&evaluation, 0), &outputs[0]);
    ck_assert_ptr_null(oc_evaluation_output(&evaluation, 1));
    ck_assert_double_eq(oc_evaluation_z(&evaluation), 1.959964);
    ck_assert_uint_eq(oc_evaluation_period_index(&evaluation), 1);
    ck_assert_uint_eq(oc_evaluation_baseline_index(&evaluation), NONE);

    oc__evaluation_reset_outputs(&evaluation);
    ck_assert(isnan(values[0]) && isnan(values[1]) && isnan(lower[0]) && isnan(lower[1]));
}
END_TEST

START_TEST(parameters_by_type)
{
    static const oc__parameter_value parameters[] = {
        {"unit_cost", OC_PARAMETER_NUMBER, "8632", 8632},
        {"years", OC_PARAMETER_INTEGER, "3", 3},
        {"smooth", OC_PARAMETER_BOOLEAN, "yes", 1},
        {"label", OC_PARAMETER_STRING, "Birkenhead", NAN},
    };
    oc_evaluation evaluation = make(NULL, 0);
    evaluation.parameters = parameters;
    evaluation.parameter_count = 4;

    double number = 0;
    long integer = 0;
    int boolean = 0;
    ck_assert_int_eq(oc_evaluation_parameter_number(&evaluation, "unit_cost", &number), OC_OK);
    ck_assert_double_eq(number, 8632);
    ck_assert_int_eq(oc_evaluation_parameter_number(&evaluation, "years", &number), OC_OK);
    ck_assert_double_eq(number, 3);
    ck_assert_int_eq(oc_evaluation_parameter_integer(&evaluation, "years", &integer), OC_OK);
    ck_assert_int_eq(integer, 3);
    ck_assert_int_eq(oc_evaluation_parameter_boolean(&evaluation, "smooth", &boolean), OC_OK);
    ck_assert_int_eq(boolean, 1);
    ck_assert_str_eq(oc_evaluation_parameter_string(&evaluation, "label"), "Birkenhead");
    ck_assert_str_eq(oc_evaluation_parameter_string(&evaluation, "unit_cost"), "8632");

    /* Wrong type, unknown name, NULL out-pointer: value left alone. */
    integer = -1;
    ck_assert_int_eq(oc_evaluation_parameter_integer(&evaluation, "unit_cost", &integer),
                     OC_ERROR_INVALID);
    ck_assert_int_eq(integer, -1);
    ck_assert_int_eq(oc_evaluation_parameter_number(&evaluation, "label", &number), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_evaluation_parameter_boolean(&evaluation, "years", &boolean), OC_ERROR_INVALID);
    ck_assert_int_eq(oc_evaluation_parameter_number(&evaluation, "nope", &number), OC_ERROR_NOT_FOUND);
    ck_assert_int_eq(oc_evaluation_parameter_number(&evaluation, NULL, &number), OC_ERROR_NOT_FOUND);
    ck_assert_int_eq(oc_evaluation_parameter_number(&evaluation, "unit_cost", NULL), OC_ERROR_INVALID);
    ck_assert_ptr_null(oc_evaluation_parameter_string(&evaluation, "nope"));
}
END_TEST

/* Five quarters of claimant rates: t1 is missing, t3 an infinity (a
 * plugin's division by zero), so the host reports the latest finite value
 * on or before the evaluation period. */
static double reported_values[] = {6.4, NAN, 6.1, INFINITY, 5.8};

static oc_indicator_series reported_series(void)
{
    oc_indicator_series series = {0};
    series.count = 5;
    series.value = reported_values;
    return series;
}

START_TEST(reported_index_is_latest_finite_value)
{
    static const int32_t times[] = {D2015_02_01, D2015_05_01, D2015_08_01, D2015_11_01,
                                    D2016_02_01};
    oc_evaluation evaluation = make(times, 5);
    oc_indicator_series series = reported_series();

    evaluation.period_index = 4; /* a value there: reported there */
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), 4);
    evaluation.period_index = 2;
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), 2);
    evaluation.period_index = 0;
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), 0);
}
END_TEST

START_TEST(reported_index_falls_back_past_missing_values)
{
    static const int32_t times[] = {D2015_02_01, D2015_05_01, D2015_08_01, D2015_11_01,
                                    D2016_02_01};
    oc_evaluation evaluation = make(times, 5);
    oc_indicator_series series = reported_series();

    evaluation.period_index = 1; /* NaN at t1: t0 */
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), 0);
    evaluation.period_index = 3; /* infinity at t3: t2 */
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), 2);
    /* The scorer reads the interval at the index it finds itself; the two
     * searches must agree in every period. */
    for (size_t t = 0; t < 5; t++) {
        evaluation.period_index = t;
        ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series),
                          oc__latest_observation(series.value, t));
    }
}
END_TEST

START_TEST(reported_index_none)
{
    static const int32_t times[] = {D2015_02_01, D2015_05_01, D2015_08_01};
    static double missing[] = {NAN, NAN, 5.8};
    oc_evaluation evaluation = make(times, 3);
    oc_indicator_series series = {0};
    series.count = 3;
    series.value = missing;

    evaluation.period_index = 1; /* nothing on or before t1 */
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), NONE);
    evaluation.period_index = NONE; /* no evaluation period */
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), NONE);
    evaluation.period_index = 3; /* beyond the time axis: no period either */
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), NONE);
    evaluation.period_index = 2;
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), 2);
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, NULL), NONE);
    ck_assert_uint_eq(oc_evaluation_reported_index(NULL, &series), NONE);
    series.count = 2; /* a series shorter than the time axis is never read past its end */
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), NONE);
    series.count = 3;
    series.value = NULL;
    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &series), NONE);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("evaluation");
    TCase *like = tcase_create("like_period");
    tcase_add_checked_fixture(like, NULL, free_table);
    tcase_add_loop_test(like, like_quarter_one_and_two_years_back, 0, 2);
    tcase_add_loop_test(like, like_period_missing_quarter_is_none, 0, 2);
    tcase_add_loop_test(like, like_period_tolerance_is_fifteen_days, 0, 2);
    tcase_add_loop_test(like, like_month_not_neighbouring_month, 0, 2);
    tcase_add_loop_test(like, like_period_from_leap_day, 0, 2);
    tcase_add_loop_test(like, like_academic_year, 0, 2);
    suite_add_tcase(suite, like);
    TCase *accessors = tcase_create("accessors");
    tcase_add_test(accessors, accessors_are_defensive);
    tcase_add_test(accessors, parameters_by_type);
    tcase_add_test(accessors, reported_index_is_latest_finite_value);
    tcase_add_test(accessors, reported_index_falls_back_past_missing_values);
    tcase_add_test(accessors, reported_index_none);
    suite_add_tcase(suite, accessors);
    return check_runner_run_suite(suite);
}
