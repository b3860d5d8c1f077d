/* test_scoring.c: core/scoring.c against values worked out by hand (the
 * working is in the comments; dates checked with Python's datetime). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_runner.h"
#include "period.h"
#include "scoring.h"

#define QUARTERS 13

/* Birkenhead ESA/IB, quarterly snapshots from the November 2013 baseline
 * (7,700) to November 2016 (6,930: 770 fewer, the seeds' 10%). */
static const int quarter_dates[QUARTERS][2] = {
    {2013, 11}, {2014, 2}, {2014, 5}, {2014, 8}, {2014, 11}, {2015, 2}, {2015, 5},
    {2015, 8},  {2015, 11}, {2016, 2}, {2016, 5}, {2016, 8}, {2016, 11}};

typedef struct fixture {
    int32_t times[QUARTERS];
    double value[QUARTERS], lower[QUARTERS], upper[QUARTERS];
    double numerator[QUARTERS], denominator[QUARTERS];
    oc_indicator_series series;
    oc__indicator_view view;
} fixture;

static void fixture_init(fixture *f, const double *values, oc_direction direction)
{
    for (size_t i = 0; i < QUARTERS; i++) {
        f->times[i] = oc__days_from_civil(quarter_dates[i][0], quarter_dates[i][1], 1);
        f->value[i] = values[i];
        f->lower[i] = f->upper[i] = f->numerator[i] = f->denominator[i] = NAN;
    }
    f->series = (oc_indicator_series){QUARTERS, f->value, f->lower, f->upper,
                                      f->numerator, f->denominator};
    f->view = (oc__indicator_view){f->times, &f->series, direction, 0};
}

/* Scores f at period_end_index against baseline_end_index (and comparator,
 * or NULL) into result, which this initialises and the caller clears;
 * the scoring itself must succeed. */
static void score(const fixture *f, size_t period_end_index, size_t baseline_end_index,
                  const oc__scoring_settings *settings, const fixture *comparator,
                  oc__result *result)
{
    oc__result_init(result);
    ck_assert_int_eq(oc__score_indicator(&f->view, period_end_index, baseline_end_index, settings,
                                         comparator != NULL ? &comparator->view : NULL, NULL, result,
                                         NULL),
                     OC_OK);
}

static const double birkenhead[QUARTERS] = {7700, 7650, 7600, 7500, 7450, 7400, 7300,
                                            7250, 7200, 7150, 7100, 7050, 6930};

/* A comparator area's series: 10,000 -> 9,800, a change of -200. */
static const double comparator_values[QUARTERS] = {10000, 9990, 9980, 9970, 9960, 9950, 9940,
                                                   9930,  9920, 9910, 9900, 9850, 9800};

/* f over Birkenhead's series with the value at index replaced. */
static void fixture_init_birkenhead_with(fixture *f, size_t index, double value)
{
    double values[QUARTERS];
    memcpy(values, birkenhead, sizeof values);
    values[index] = value;
    fixture_init(f, values, OC_LOWER_IS_BETTER);
}

static oc__scoring_settings ten_percent_by_april_2017(void)
{
    oc__scoring_settings settings = oc__scoring_defaults();
    settings.target_kind = OC__TARGET_RELATIVE;
    settings.target_amount = -10.0;
    settings.target_day = oc__days_from_civil(2017, 4, 30);
    return settings;
}

START_TEST(test_birkenhead_target_met)
{
    fixture f;
    fixture_init(&f, birkenhead, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = ten_percent_by_april_2017();
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_int_eq(result.status, OC_RESULT_OK);
    ck_assert_str_eq(result.period, "2016-11-01");
    ck_assert_str_eq(result.baseline_period, "2013-11-01");
    ck_assert_double_eq(result.value, 6930);
    ck_assert_double_eq(result.baseline_value, 7700);
    ck_assert_double_eq(result.change, -770);
    ck_assert_double_eq_tol(result.change_pct, -10.0, 1e-12);
    /* 7,700 x (1 - 10%) = 6,930. */
    ck_assert_double_eq_tol(result.target_value, 6930, 1e-9);
    ck_assert_str_eq(result.target_date, "2017-04-30");
    /* Days: baseline 16010 (2013-11-01), target 17286 (2017-04-30), period
     * 17106 (2016-11-01). Expected = 7700 - 770 x 1096/1276 = 7038.6206897;
     * progress = 100 x -770 / (7038.6206897 - 7700) = 116.4233577 %. */
    ck_assert_double_eq_tol(result.expected_value, 7038.620689655172, 1e-9);
    ck_assert_double_eq_tol(result.progress_pct, 116.42335766423352, 1e-9);
    ck_assert_str_eq(result.rag, "green");
    ck_assert_double_eq(result.score, 100.0);
    oc__result_clear(&result);
}
END_TEST

/* Evaluated at May 2015 (index 6): 545 days of 1276 gone, so expected =
 * 7700 - 770 x 545/1276 = 7370.5172414, an expected change of -329.4827586. */
static void score_may_2015(double value, oc__result *result)
{
    fixture f;
    fixture_init_birkenhead_with(&f, 6, value);
    oc__scoring_settings settings = ten_percent_by_april_2017();
    score(&f, 6, 0, &settings, NULL, result);
    ck_assert_double_eq_tol(result->expected_value, 7370.517241379311, 1e-9);
}

START_TEST(test_rag_amber_and_red)
{
    oc__result result;
    /* 7,400: progress = 300 / 329.4827586 = 91.05 %: amber (>= 90). */
    score_may_2015(7400, &result);
    ck_assert_double_eq_tol(result.progress_pct, 91.05180533751962, 1e-9);
    ck_assert_str_eq(result.rag, "amber");
    ck_assert_double_eq_tol(result.score, 91.05180533751962, 1e-9);
    oc__result_clear(&result);
    /* 7,450: progress = 250 / 329.4827586 = 75.88 %: red. */
    score_may_2015(7450, &result);
    ck_assert_double_eq_tol(result.progress_pct, 75.87650444793302, 1e-9);
    ck_assert_str_eq(result.rag, "red");
    oc__result_clear(&result);
    /* 7,800: moved the wrong way: progress = -100/329.48 = -30.35 %, score 0. */
    score_may_2015(7800, &result);
    ck_assert(result.progress_pct < 0);
    ck_assert_str_eq(result.rag, "red");
    ck_assert_double_eq(result.score, 0.0);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_absolute_target_and_no_target)
{
    fixture f;
    fixture_init(&f, birkenhead, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = ten_percent_by_april_2017();
    settings.target_kind = OC__TARGET_ABSOLUTE;
    settings.target_amount = 7000; /* expected = 7700 - 700 x 1096/1276 */
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_double_eq(result.target_value, 7000);
    ck_assert_double_eq_tol(result.expected_value, 7700 - 700.0 * 1096 / 1276, 1e-9);
    oc__result_clear(&result);

    settings = oc__scoring_defaults();
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert(isnan(result.target_value) && isnan(result.expected_value));
    ck_assert(isnan(result.progress_pct) && isnan(result.score));
    ck_assert_ptr_null(result.rag);
    ck_assert_ptr_null(result.target_date);
    ck_assert_ptr_null(result.assurance);
    ck_assert_double_eq(result.change, -770);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_latest_observation_and_missing_data)
{
    double values[QUARTERS];
    memcpy(values, birkenhead, sizeof values);
    values[12] = NAN; /* the DWP series ends a quarter early */
    fixture f;
    fixture_init(&f, values, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = oc__scoring_defaults();
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.period, "2016-08-01"); /* reported, not silently shifted */
    ck_assert_double_eq(result.value, 7050);
    oc__result_clear(&result);

    /* No baseline observation: insufficient data, said why. */
    values[0] = NAN;
    fixture_init(&f, values, OC_LOWER_IS_BETTER);
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_int_eq(result.status, OC_RESULT_INSUFFICIENT_DATA);
    ck_assert_ptr_nonnull(strstr(result.message, "baseline"));
    oc__result_clear(&result);

    /* Nothing at all. */
    for (size_t i = 0; i < QUARTERS; i++)
        values[i] = NAN;
    fixture_init(&f, values, OC_LOWER_IS_BETTER);
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_int_eq(result.status, OC_RESULT_INSUFFICIENT_DATA);
    ck_assert(isnan(result.value));
    ck_assert_ptr_null(result.period);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_comparator_difference_in_differences)
{
    fixture pilot, comparator;
    fixture_init(&pilot, birkenhead, OC_LOWER_IS_BETTER);
    fixture_init(&comparator, comparator_values, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = oc__scoring_defaults();
    oc__result result;
    score(&pilot, QUARTERS - 1, 0, &settings, &comparator, &result);
    /* Comparator 10,000 -> 9,800: -200. DiD = -770 - (-200) = -570. */
    ck_assert_double_eq(result.comparator_change, -200);
    ck_assert_double_eq(result.did, -570);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_change_pct_of_negative_baseline)
{
    /* A year-on-year change of -183 that becomes -257: a further fall of
     * 74, which is 40.4% of the baseline's size, so -40.4%, not +40.4%. */
    double values[QUARTERS];
    for (size_t i = 0; i < QUARTERS; i++)
        values[i] = -183;
    values[QUARTERS - 1] = -257;
    fixture f;
    fixture_init(&f, values, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = oc__scoring_defaults();
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_double_eq(result.change, -74);
    ck_assert_double_eq_tol(result.change_pct, -100.0 * 74 / 183, 1e-12);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_spc_signal_on_latest_point)
{
    /* Limits fixed on the first 11 points: mean 100, moving ranges
     * 2,4,3,2,1,2,4,3,2,1 -> aMR 2.4, upper limit 100 + 2.66 x 2.4 = 106.384.
     * The last point, 200, is outside: a concern when lower is better. */
    static const double values[QUARTERS] = {100, 102, 98, 101, 99, 100, 102,
                                            98,  101, 99, 100, 100, 200};
    fixture f;
    fixture_init(&f, values, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = oc__scoring_defaults();
    settings.spc_baseline = 11;
    settings.target_kind = OC__TARGET_ABSOLUTE;
    settings.target_amount = 90; /* below the lower limit 93.616: never met */
    settings.target_day = f.times[QUARTERS - 1] + 365;
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.spc_signal, "concern");
    ck_assert_str_eq(result.spc_rule, "outside_limits");
    /* Lower is better and the target lies below the lower limit. */
    ck_assert_str_eq(result.assurance, "consistent_fail");
    /* The latest point has left the process the limits describe: said. */
    ck_assert_ptr_nonnull(result.message);
    ck_assert_msg(strstr(result.message, "SPC: the latest point is a special cause, so the "
                                         "assurance, judged on limits it departs from, may not "
                                         "hold for the process now") != NULL,
                  "%s", result.message);
    oc__result_clear(&result);

    /* A latest point within the process: the assurance stands unremarked. */
    static const double steady[QUARTERS] = {100, 102, 98, 101, 99, 100, 102,
                                            98,  101, 99, 100, 100, 101};
    fixture_init(&f, steady, OC_LOWER_IS_BETTER);
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.spc_signal, "common_cause");
    ck_assert_str_eq(result.assurance, "consistent_fail");
    ck_assert(result.message == NULL || strstr(result.message, "special cause") == NULL);
    oc__result_clear(&result);

    /* No direction: the jump is special cause ("neither") and the target
     * gives no assurance ("none"), so there is none to doubt. */
    fixture_init(&f, values, OC_NO_DIRECTION);
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.spc_signal, "neither");
    ck_assert_str_eq(result.assurance, "none");
    ck_assert_msg(result.message == NULL || strstr(result.message, "special cause") == NULL, "%s",
                  result.message);
    oc__result_clear(&result);

    /* The same jump on a higher-is-better indicator is an improvement. */
    fixture_init(&f, values, OC_HIGHER_IS_BETTER);
    settings.target_kind = OC__TARGET_NONE;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.spc_signal, "improvement");
    ck_assert_ptr_null(result.assurance);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_trend_on_annual_points)
{
    fixture f;
    fixture_init(&f, birkenhead, OC_LOWER_IS_BETTER);
    f.view.flags = OC_INDICATOR_PROPORTION;
    /* November points 2013..2016 are only 4: no trend from 4 annual points. */
    for (size_t i = 0; i < QUARTERS; i++) {
        f.numerator[i] = 100 + 50 * (double)i;
        f.denominator[i] = 1000;
        f.value[i] = 100 * f.numerator[i] / f.denominator[i];
    }
    oc__scoring_settings settings = oc__scoring_defaults();
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_ptr_null(result.trend);
    oc__result_clear(&result);
    /* With 4 points asked for: 10% -> 30% -> 50% -> 70% of 1,000 is a
     * significant increase by any test. */
    settings.trend_points = 4;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.trend, "increasing");
    ck_assert(result.message == NULL || strstr(result.message, "trend:") == NULL);
    oc__result_clear(&result);

    /* A proportion whose plugin filled neither numerator nor denominator:
     * no trend, and the message says why. */
    for (size_t i = 0; i < QUARTERS; i++)
        f.numerator[i] = f.denominator[i] = NAN;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_ptr_null(result.trend);
    ck_assert_ptr_nonnull(result.message);
    ck_assert_msg(strstr(result.message, "trend: the plugin gave no numerator or denominator for "
                                         "this proportion") != NULL, "%s", result.message);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_no_value_still_reports_target_and_comparator)
{
    /* docs/results.md: an insufficient_data result still reports the
     * configured target and the comparator's own change; target_date is
     * null only without a target, comparator_change only when the
     * comparator lacks a value. Here the area has no value at all. */
    double values[QUARTERS];
    for (size_t i = 0; i < QUARTERS; i++)
        values[i] = NAN;
    fixture pilot, comparator;
    fixture_init(&pilot, values, OC_LOWER_IS_BETTER);
    fixture_init(&comparator, comparator_values, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = ten_percent_by_april_2017();
    settings.target_kind = OC__TARGET_ABSOLUTE;
    settings.target_amount = 7000;
    oc__result result;
    score(&pilot, QUARTERS - 1, 0, &settings, &comparator, &result);
    ck_assert_int_eq(result.status, OC_RESULT_INSUFFICIENT_DATA);
    ck_assert_ptr_nonnull(strstr(result.message, "no value on or before the evaluation period"));
    ck_assert_ptr_null(result.period);
    ck_assert_double_eq(result.target_value, 7000);
    ck_assert_str_eq(result.target_date, "2017-04-30");
    /* Comparator 10,000 -> 9,800: -200; no DiD without the area's change. */
    ck_assert_double_eq(result.comparator_change, -200);
    ck_assert(isnan(result.did) && isnan(result.change) && isnan(result.score));
    ck_assert_ptr_null(result.rag);
    oc__result_clear(&result);

    /* A relative target needs the baseline value, which is not reported. */
    settings = ten_percent_by_april_2017();
    score(&pilot, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert(isnan(result.target_value));
    ck_assert_str_eq(result.target_date, "2017-04-30");
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_infinite_value_is_not_an_observation)
{
    /* A plugin that divides by a zero denominator gives +inf. results.md:
     * a number is null when it could not be computed, and `value` is the
     * latest observation: an infinity is not one, so the value used is the
     * previous quarter's (August 2016, 7,050), as for a NaN. Scored like
     * test_latest_observation_and_missing_data's 7,050 at index 11:
     * change -650, and progress and score are numbers, never a score
     * without a progress. */
    fixture f;
    fixture_init_birkenhead_with(&f, 12, INFINITY);
    oc__scoring_settings settings = ten_percent_by_april_2017();
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.period, "2016-08-01");
    ck_assert_double_eq(result.value, 7050);
    ck_assert_double_eq(result.change, -650);
    ck_assert(isfinite(result.progress_pct) && isfinite(result.score));
    /* Not in silence: a NaN is data the store lacks, an infinity the
     * plugin's own doing, and the reader must know why August stands in
     * for November. */
    ck_assert_ptr_nonnull(result.message);
    ck_assert_ptr_nonnull(
        strstr(result.message, "the plugin gave an infinite value for 2016-11-01, taken as missing"));
    oc__result_clear(&result);

    /* An infinite baseline likewise: the baseline is the latest finite
     * value on or before it. Baseline index 1 (February 2014, 7,650) is
     * infinite, so November 2013 (7,700) is used. */
    fixture_init_birkenhead_with(&f, 1, -INFINITY);
    score(&f, QUARTERS - 1, 1, &settings, NULL, &result);
    ck_assert_str_eq(result.baseline_period, "2013-11-01");
    ck_assert_double_eq(result.baseline_value, 7700);
    ck_assert_double_eq(result.change, -770);
    ck_assert_ptr_nonnull(result.message);
    ck_assert_ptr_nonnull(
        strstr(result.message, "the plugin gave an infinite value for 2014-02-01, taken as missing"));
    /* The same infinity is inside the chart's range, which cannot have
     * one: said by its date, not by its place in the chart. */
    ck_assert_ptr_nonnull(
        strstr(result.message, "SPC: no chart, the plugin gave an infinite value for 2014-02-01"));
    ck_assert_ptr_null(result.spc_signal);
    oc__result_clear(&result);

    /* A NaN passed over is the store's gap, and says nothing of the kind. */
    fixture_init_birkenhead_with(&f, 12, NAN);
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.period, "2016-08-01");
    ck_assert(result.message == NULL || strstr(result.message, "infinite") == NULL);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_value_older_than_the_period_asked)
{
    /* Quarterly data ending with November 2016 (its quarter ends
     * 2017-02-01), asked for a period from 2017-05-01: the latest value
     * is used, and said to be older. From 2017-01-01 the November quarter
     * still covers it; without a frequency nothing can be said. */
    fixture f;
    fixture_init(&f, birkenhead, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = oc__scoring_defaults();
    settings.frequency = OC__FREQUENCY_QUARTER;
    settings.evaluation_start_day = oc__days_from_civil(2017, 5, 1);
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.period, "2016-11-01");
    ck_assert_int_eq(result.status, OC_RESULT_OK);
    ck_assert_ptr_nonnull(result.message);
    ck_assert_ptr_nonnull(strstr(result.message, "no value for the evaluation period (from "
                                                 "2017-05-01): the latest, for 2016-11-01, is used"));
    oc__result_clear(&result);
    settings.evaluation_start_day = oc__days_from_civil(2017, 1, 1);
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert(result.message == NULL || strstr(result.message, "evaluation period") == NULL);
    oc__result_clear(&result);
    settings.evaluation_start_day = oc__days_from_civil(2017, 5, 1);
    settings.frequency = OC__FREQUENCY_NONE;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert(result.message == NULL || strstr(result.message, "evaluation period") == NULL);
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_target_too_large_to_compute)
{
    /* A baseline near the largest double and a target of +1,000,000%
     * (the most the configuration allows): the target overflows. No
     * target, trajectory, progress, score or RAG, rather than progress 0
     * and a red. */
    double values[QUARTERS];
    for (size_t i = 0; i < QUARTERS; i++)
        values[i] = 1e305 + 1e300 * (double)i;
    fixture f;
    fixture_init(&f, values, OC_HIGHER_IS_BETTER);
    oc__scoring_settings settings = oc__scoring_defaults();
    settings.target_kind = OC__TARGET_RELATIVE;
    settings.target_amount = 1e6;
    settings.target_day = oc__days_from_civil(2017, 4, 30);
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert(isfinite(result.value) && isfinite(result.change));
    ck_assert(isnan(result.target_value) && isnan(result.expected_value));
    ck_assert(isnan(result.progress_pct) && isnan(result.score));
    ck_assert_ptr_null(result.rag);
    ck_assert_str_eq(result.target_date, "2017-04-30");
    ck_assert_ptr_nonnull(result.message);
    ck_assert_ptr_nonnull(strstr(result.message, "the target is too large to compute"));
    oc__result_clear(&result);
}
END_TEST

/* Milestones: the trajectory runs straight from the baseline to each in
 * turn and on to the target. Baseline 7,700 on 2013-11-01 (day 16010);
 * -3% (7,469) by 2015-05-01 (16556); 7,238 by 2016-04-01 (16892); the
 * target -10% (6,930) by 2017-04-30 (17286). */
START_TEST(test_milestones_bend_the_trajectory)
{
    static const oc__milestone milestones[] = {
        {OC__TARGET_RELATIVE, -3.0, 16556},
        {OC__TARGET_ABSOLUTE, 7238.0, 16892},
    };
    oc__scoring_settings settings = ten_percent_by_april_2017();
    settings.milestones = milestones;
    settings.milestone_count = 2;
    fixture f;
    fixture_init(&f, birkenhead, OC_LOWER_IS_BETTER);
    oc__result result;
    /* 2015-02-01 (16467), on the way to the first: 7700 - 231 x 457/546. */
    score(&f, 5, 0, &settings, NULL, &result);
    ck_assert_double_eq_tol(result.expected_value, 7506.653846153846, 1e-9);
    ck_assert_double_eq_tol(result.progress_pct, 155.16212452755087, 1e-9);
    oc__result_clear(&result);
    /* 2015-05-01, on the first milestone: exactly 7,469. */
    score(&f, 6, 0, &settings, NULL, &result);
    ck_assert_double_eq_tol(result.expected_value, 7469.0, 1e-9);
    oc__result_clear(&result);
    /* 2016-11-01 (17106), past the last: 7238 - 308 x 214/394 = 7070.71,
     * not the straight line's 7038.62 (test_birkenhead_target_met). The
     * target reported is still the final one. */
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_double_eq_tol(result.expected_value, 7070.710659898477, 1e-9);
    ck_assert_double_eq_tol(result.progress_pct, 122.36024844720501, 1e-9);
    ck_assert_double_eq_tol(result.target_value, 6930, 1e-9);
    ck_assert_str_eq(result.rag, "green");
    oc__result_clear(&result);
}
END_TEST

/* A milestone above the baseline on the way to a fall (+2% by 2015-05-01,
 * then -10% by April 2017): until the line crosses back, a fall towards
 * the target is no "wrong way" and no red: progress, score and RAG are
 * null, and the message says why. Past the crossing they return. */
START_TEST(test_milestone_beyond_the_baseline)
{
    static const oc__milestone milestones[] = {{OC__TARGET_RELATIVE, +2.0, 16556}};
    oc__scoring_settings settings = ten_percent_by_april_2017();
    settings.milestones = milestones;
    settings.milestone_count = 1;
    fixture f;
    fixture_init(&f, birkenhead, OC_LOWER_IS_BETTER);
    oc__result result;
    /* 2015-02-01: expected 7700 + 154 x 457/546 = 7828.9, the value 7,400. */
    score(&f, 5, 0, &settings, NULL, &result);
    ck_assert_double_eq_tol(result.expected_value, 7828.897435897436, 1e-9);
    ck_assert(isnan(result.progress_pct));
    ck_assert(isnan(result.score));
    ck_assert_ptr_null(result.rag);
    ck_assert_ptr_nonnull(strstr(result.message, "is on the other side of the baseline from the "
                                                 "target at 2015-02-01"));
    oc__result_clear(&result);
    /* 2016-11-01: 7854 - 924 x 550/730 = 7157.8, below the baseline. */
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_double_eq_tol(result.expected_value, 7157.835616438356, 1e-9);
    ck_assert_double_eq_tol(result.progress_pct, 100.0 * -770 / (7157.835616438356 - 7700), 1e-9);
    ck_assert_str_eq(result.rag, "green");
    oc__result_clear(&result);
}
END_TEST

/* Rebasing (NHSRplotthedots' rebase): the chart of the period scored
 * starts at the last rebase on or before it. Birkenhead's 13 quarters fall
 * steadily; over all of them the latest point, 6,930, is a special cause.
 * From 2016-02-01 (index 9) the chart is 7150, 7100, 7050, 6930: mean
 * 7057.5, moving ranges 50, 50, 120 (aMR 73.33), limits 6862.4 to 7252.6,
 * near-limits 6927.5 to 7187.5: 6930 is common cause. */
START_TEST(test_spc_rebase_starts_the_chart_afresh)
{
    fixture f;
    fixture_init(&f, birkenhead, OC_LOWER_IS_BETTER);
    oc__scoring_settings settings = oc__scoring_defaults();
    oc__result result;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.spc_signal, "improvement");
    ck_assert_ptr_null(strstr(result.message ? result.message : "", "rebased"));
    oc__result_clear(&result);

    const int32_t rebases[] = {oc__days_from_civil(2014, 8, 1), oc__days_from_civil(2016, 2, 1),
                               oc__days_from_civil(2017, 1, 1)};
    settings.spc_rebase_days = rebases;
    settings.spc_rebase_count = 3;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.spc_signal, "common_cause");
    ck_assert_str_eq(result.spc_rule, "none");
    /* the last rebase on or before the period; 2017 is still to come */
    ck_assert_ptr_nonnull(strstr(result.message, "SPC: limits from 2016-02-01 on (rebased)"));
    oc__result_clear(&result);

    /* Scored at 2016-02-01 itself: a chart of one point has no limits,
     * said once as SPC's (the library's own "spc: " is not repeated). */
    score(&f, 9, 0, &settings, NULL, &result);
    ck_assert_ptr_null(result.spc_signal);
    ck_assert_msg(strstr(result.message, "SPC: no chart: it needs values in two consecutive "
                                         "periods (1 value in 1 period)") != NULL,
                  "%s", result.message);
    oc__result_clear(&result);

    /* A rebase before the first observation leaves nothing out: the chart
     * and the message are as without it. */
    const int32_t early[] = {oc__days_from_civil(2010, 1, 1)};
    settings.spc_rebase_days = early;
    settings.spc_rebase_count = 1;
    score(&f, QUARTERS - 1, 0, &settings, NULL, &result);
    ck_assert_str_eq(result.spc_signal, "improvement");
    ck_assert_ptr_null(strstr(result.message ? result.message : "", "rebased"));
    oc__result_clear(&result);
    settings.spc_rebase_days = rebases;
    settings.spc_rebase_count = 3;

    /* Scored at 2015-11-01 (index 8): the 2014-08 rebase applies. */
    score(&f, 8, 0, &settings, NULL, &result);
    ck_assert_ptr_nonnull(strstr(result.message, "SPC: limits from 2014-08-01 on (rebased)"));
    oc__result_clear(&result);
}
END_TEST

/* ---- benchmark (Fingertips: similar, better, worse; domain.md section 3) ---- */

/* Birkenhead's claimant rate in November 2016, 7.97% with the Wilson 95%
 * interval 7.79 to 8.15 (the demo's figures), as the last quarter of a
 * rate series flagged comparable. */
static void fixture_init_rate(fixture *f, oc_direction direction)
{
    double values[QUARTERS];
    for (size_t i = 0; i < QUARTERS; i++)
        values[i] = 8.8 - 0.07 * (double)i;
    values[QUARTERS - 1] = 7.97;
    fixture_init(f, values, direction);
    f->lower[QUARTERS - 1] = 7.79;
    f->upper[QUARTERS - 1] = 8.15;
    f->view.flags = OC_INDICATOR_PROPORTION | OC_INDICATOR_COMPARABLE;
}

/* A benchmark area's series: `latest` in the last quarter, 6.5 before. */
static void fixture_init_benchmark(fixture *f, double latest, const fixture *area)
{
    double values[QUARTERS];
    for (size_t i = 0; i < QUARTERS; i++)
        values[i] = 6.5;
    values[QUARTERS - 1] = latest;
    fixture_init(f, values, area->view.direction);
    f->view.flags = area->view.flags;
}

static void score_against(const fixture *area, const oc__indicator_view *benchmark,
                          oc__result *result)
{
    oc__scoring_settings settings = oc__scoring_defaults();
    oc__result_init(result);
    ck_assert_int_eq(oc__score_indicator(&area->view, QUARTERS - 1, 0, &settings, NULL,
                                         benchmark, result, NULL),
                     OC_OK);
}

static const struct {
    double benchmark;
    oc_direction direction;
    const char *comparison;
} benchmark_cases[] = {
    /* Wirral's 5.98% lies below the whole interval: Birkenhead's rate is
     * higher, which is worse when lower is better. */
    {5.98, OC_LOWER_IS_BETTER, "worse"},
    {5.98, OC_HIGHER_IS_BETTER, "better"},
    {5.98, OC_NO_DIRECTION, "higher"},
    {9.0, OC_LOWER_IS_BETTER, "better"},
    {9.0, OC_HIGHER_IS_BETTER, "worse"},
    {9.0, OC_NO_DIRECTION, "lower"},
    {8.0, OC_LOWER_IS_BETTER, "similar"},
    /* The interval's ends are inside it (PHEindicatormethods compares
     * lower > benchmark and upper < benchmark, strictly). */
    {7.79, OC_LOWER_IS_BETTER, "similar"},
    {8.15, OC_HIGHER_IS_BETTER, "similar"},
    {7.789999, OC_LOWER_IS_BETTER, "worse"},
    {8.150001, OC_NO_DIRECTION, "lower"},
};

START_TEST(test_benchmark_comparison)
{
    fixture area, benchmark;
    fixture_init_rate(&area, benchmark_cases[_i].direction);
    fixture_init_benchmark(&benchmark, benchmark_cases[_i].benchmark, &area);
    oc__result result;
    score_against(&area, &benchmark.view, &result);
    ck_assert_str_eq(result.benchmark_comparison, benchmark_cases[_i].comparison);
    /* the benchmark's value in the area's period, not its latest */
    ck_assert_double_eq(result.benchmark_value, benchmark_cases[_i].benchmark);
    ck_assert_ptr_null(strstr(result.message ? result.message : "", "benchmark"));
    oc__result_clear(&result);
}
END_TEST

START_TEST(test_benchmark_not_compared)
{
    fixture area, benchmark;
    oc__result result;

    /* No benchmark configured: every benchmark field is null. */
    fixture_init_rate(&area, OC_LOWER_IS_BETTER);
    score_against(&area, NULL, &result);
    ck_assert_ptr_null(result.benchmark_comparison);
    ck_assert(isnan(result.benchmark_value));
    oc__result_clear(&result);

    /* A count (not flagged comparable): a larger benchmark area would
     * always look worse, so the comparison does not apply: null. */
    fixture_init_rate(&area, OC_LOWER_IS_BETTER);
    area.view.flags = OC_INDICATOR_PROPORTION;
    fixture_init_benchmark(&benchmark, 5.98, &area);
    score_against(&area, &benchmark.view, &result);
    ck_assert_ptr_null(result.benchmark_comparison);
    ck_assert(isnan(result.benchmark_value));
    ck_assert_ptr_null(strstr(result.message ? result.message : "", "benchmark"));
    oc__result_clear(&result);

    /* No interval at the period used: the benchmark's value is reported,
     * but there is nothing to compare it with. */
    fixture_init_rate(&area, OC_LOWER_IS_BETTER);
    area.upper[QUARTERS - 1] = NAN;
    fixture_init_benchmark(&benchmark, 5.98, &area);
    score_against(&area, &benchmark.view, &result);
    ck_assert_str_eq(result.benchmark_comparison, "not_compared");
    ck_assert_double_eq(result.benchmark_value, 5.98);
    oc__result_clear(&result);

    /* The benchmark lacks the area's period: its earlier values are not
     * used (a comparison across periods is not one), and it is said. */
    fixture_init_rate(&area, OC_LOWER_IS_BETTER);
    fixture_init_benchmark(&benchmark, NAN, &area);
    score_against(&area, &benchmark.view, &result);
    ck_assert_str_eq(result.benchmark_comparison, "not_compared");
    ck_assert(isnan(result.benchmark_value));
    ck_assert_ptr_nonnull(strstr(result.message, "benchmark has no value for 2016-11-01"));
    oc__result_clear(&result);

    /* The benchmark's own evaluation failed: no series. */
    fixture_init_rate(&area, OC_LOWER_IS_BETTER);
    oc__indicator_view failed = {area.times, NULL, OC_LOWER_IS_BETTER, area.view.flags};
    score_against(&area, &failed, &result);
    ck_assert_str_eq(result.benchmark_comparison, "not_compared");
    ck_assert_ptr_nonnull(strstr(result.message, "benchmark could not be evaluated"));
    oc__result_clear(&result);

    /* The area has no value: nothing to compare, so null, not "not_compared". */
    double missing[QUARTERS];
    for (size_t i = 0; i < QUARTERS; i++)
        missing[i] = NAN;
    fixture_init(&area, missing, OC_LOWER_IS_BETTER);
    area.view.flags = OC_INDICATOR_COMPARABLE;
    fixture_init_benchmark(&benchmark, 5.98, &area);
    score_against(&area, &benchmark.view, &result);
    ck_assert_int_eq(result.status, OC_RESULT_INSUFFICIENT_DATA);
    ck_assert_ptr_null(result.benchmark_comparison);
    ck_assert(isnan(result.benchmark_value));
    oc__result_clear(&result);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("scoring");
    TCase *cases = tcase_create("scoring");
    tcase_add_test(cases, test_birkenhead_target_met);
    tcase_add_test(cases, test_rag_amber_and_red);
    tcase_add_test(cases, test_absolute_target_and_no_target);
    tcase_add_test(cases, test_latest_observation_and_missing_data);
    tcase_add_test(cases, test_comparator_difference_in_differences);
    tcase_add_test(cases, test_change_pct_of_negative_baseline);
    tcase_add_test(cases, test_spc_signal_on_latest_point);
    tcase_add_test(cases, test_trend_on_annual_points);
    tcase_add_test(cases, test_no_value_still_reports_target_and_comparator);
    tcase_add_test(cases, test_infinite_value_is_not_an_observation);
    tcase_add_test(cases, test_target_too_large_to_compute);
    tcase_add_test(cases, test_value_older_than_the_period_asked);
    tcase_add_loop_test(cases, test_benchmark_comparison, 0,
                        (int)(sizeof benchmark_cases / sizeof benchmark_cases[0]));
    tcase_add_test(cases, test_benchmark_not_compared);
    tcase_add_test(cases, test_milestones_bend_the_trajectory);
    tcase_add_test(cases, test_spc_rebase_starts_the_chart_afresh);
    tcase_add_test(cases, test_milestone_beyond_the_baseline);
    suite_add_tcase(suite, cases);
    return check_runner_run_suite(suite);
}
