/* test_period.c: unit tests for core/period.c. Expected day numbers are
 * worked by hand in the comments (or are well-known Unix epoch facts), never
 * copied from the code's output. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_runner.h"
#include "period.h"

/* Anchors used below, worked by hand:
 *   2016-01-01 = 46 years * 365 + 11 leap days (1972..2012) = 16801
 *   2017-01-01 = 16801 + 366 = 17167
 *   2016-04-01 = 16801 + 31 + 29 + 31 = 16892
 *   2016-09-01 = 16801 + 244 (Jan..Aug 2016: 31+29+31+30+31+30+31+31) = 17045
 *   2016-10-01 = 17045 + 30 = 17075
 *   2016-11-01 = 17075 + 31 = 17106;  2016-11-30 = 17135
 *   2017-04-01 = 17167 + 31 + 28 + 31 = 17257
 *   2017-09-01 = 17167 + 243 (Jan..Aug 2017) = 17410 */
enum {
    DAY_2016_01_01 = 16801,
    DAY_2016_04_01 = 16892,
    DAY_2016_09_01 = 17045,
    DAY_2016_10_01 = 17075,
    DAY_2016_11_01 = 17106,
    DAY_2016_11_30 = 17135,
    DAY_2017_01_01 = 17167,
    DAY_2017_04_01 = 17257,
    DAY_2017_09_01 = 17410
};

START_TEST(test_leap_years)
{
    ck_assert(oc__is_leap_year(2016));
    ck_assert(oc__is_leap_year(2000));  /* divisible by 400 */
    ck_assert(!oc__is_leap_year(1900)); /* divisible by 100 only */
    ck_assert(!oc__is_leap_year(2100));
    ck_assert(!oc__is_leap_year(2017));
    ck_assert(oc__is_leap_year(1972));
    ck_assert_int_eq(oc__days_in_month(2016, 2), 29);
    ck_assert_int_eq(oc__days_in_month(2017, 2), 28);
    ck_assert_int_eq(oc__days_in_month(1900, 2), 28);
    ck_assert_int_eq(oc__days_in_month(2000, 2), 29);
    ck_assert_int_eq(oc__days_in_month(2016, 4), 30);
    ck_assert_int_eq(oc__days_in_month(2016, 12), 31);
    ck_assert_int_eq(oc__days_in_month(2016, 0), 0);
    ck_assert_int_eq(oc__days_in_month(2016, 13), 0);
}
END_TEST

START_TEST(test_date_validity)
{
    ck_assert(oc__date_is_valid(2016, 2, 29));
    ck_assert(!oc__date_is_valid(2017, 2, 29));
    ck_assert(!oc__date_is_valid(1900, 2, 29));
    ck_assert(oc__date_is_valid(2000, 2, 29));
    ck_assert(!oc__date_is_valid(2016, 13, 1));
    ck_assert(!oc__date_is_valid(2016, 0, 1));
    ck_assert(!oc__date_is_valid(2016, 4, 31));
    ck_assert(!oc__date_is_valid(2016, 1, 0));
    ck_assert(!oc__date_is_valid(0, 1, 1));
    ck_assert(!oc__date_is_valid(10000, 1, 1));
    ck_assert(oc__date_is_valid(1, 1, 1));
    ck_assert(oc__date_is_valid(9999, 12, 31));
}
END_TEST

START_TEST(test_known_day_numbers)
{
    ck_assert_int_eq(oc__days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(oc__days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(oc__days_from_civil(1970, 1, 2), 1);
    ck_assert_int_eq(oc__days_from_civil(1970, 12, 31), 364);
    ck_assert_int_eq(oc__days_from_civil(1971, 1, 1), 365);
    /* 1972-02-29: 365 + 365 + 31 + 28 = 789 */
    ck_assert_int_eq(oc__days_from_civil(1972, 2, 29), 789);
    ck_assert_int_eq(oc__days_from_civil(1972, 3, 1), 790);
    /* 2000-01-01 is Unix time 946684800 = 10957 * 86400 */
    ck_assert_int_eq(oc__days_from_civil(2000, 1, 1), 10957);
    /* 2038-01-19: Unix time 2^31 - 1 = 2147483647 s lies in day 24855 */
    ck_assert_int_eq(oc__days_from_civil(2038, 1, 19), 24855);
    ck_assert_int_eq(oc__days_from_civil(2016, 1, 1), DAY_2016_01_01);
    ck_assert_int_eq(oc__days_from_civil(2016, 11, 30), DAY_2016_11_30);
    /* 0001-01-01 is Unix time -62135596800 = -719162 days */
    ck_assert_int_eq(oc__days_from_civil(1, 1, 1), -719162);
    /* 9999-12-31T23:59:59 is Unix time 253402300799, in day 2932896 */
    ck_assert_int_eq(oc__days_from_civil(9999, 12, 31), 2932896);
}
END_TEST

START_TEST(test_civil_from_days_edges)
{
    int year, month, day;
    oc__civil_from_days(0, &year, &month, &day);
    ck_assert_int_eq(year, 1970); ck_assert_int_eq(month, 1); ck_assert_int_eq(day, 1);
    oc__civil_from_days(-1, &year, &month, &day);
    ck_assert_int_eq(year, 1969); ck_assert_int_eq(month, 12); ck_assert_int_eq(day, 31);
    oc__civil_from_days(789, &year, &month, &day);
    ck_assert_int_eq(year, 1972); ck_assert_int_eq(month, 2); ck_assert_int_eq(day, 29);
    oc__civil_from_days(DAY_2016_11_30, &year, &month, &day);
    ck_assert_int_eq(year, 2016); ck_assert_int_eq(month, 11); ck_assert_int_eq(day, 30);
    /* NULL outputs are allowed */
    oc__civil_from_days(0, NULL, &month, NULL);
    ck_assert_int_eq(month, 1);
    /* The extremes of int32 must not overflow (UBSan watches): INT32_MAX
     * days is about 5.88 million years after 1970. */
    oc__civil_from_days(INT32_MAX, &year, &month, &day);
    ck_assert_int_gt(year, 5000000);
    oc__civil_from_days(INT32_MIN, &year, &month, &day);
    ck_assert_int_lt(year, -5000000);
}
END_TEST

/* Every day from 0001-01-01 to 9999-12-31 round-trips, and consecutive day
 * numbers are consecutive valid dates. */
START_TEST(test_round_trip_every_day)
{
    int32_t first = oc__days_from_civil(1, 1, 1);
    int32_t last = oc__days_from_civil(9999, 12, 31);
    int previous_year = 0, previous_month = 12, previous_day = 31;
    for (int32_t days = first; days <= last; days++) {
        int year, month, day;
        oc__civil_from_days(days, &year, &month, &day);
        if (!oc__date_is_valid(year, month, day) ||
            oc__days_from_civil(year, month, day) != days)
            ck_abort_msg("day %d -> %d-%d-%d does not round-trip", days, year, month, day);
        int follows = (day == previous_day + 1 && month == previous_month &&
                       year == previous_year) ||
                      (day == 1 && month == previous_month + 1 && year == previous_year &&
                       previous_day == oc__days_in_month(previous_year, previous_month)) ||
                      (day == 1 && month == 1 && year == previous_year + 1 &&
                       previous_month == 12 && previous_day == 31);
        if (!follows)
            ck_abort_msg("day %d (%d-%d-%d) does not follow %d-%d-%d", days, year, month,
                         day, previous_year, previous_month, previous_day);
        previous_year = year;
        previous_month = month;
        previous_day = day;
    }
    ck_assert_int_eq(previous_year, 9999);
}
END_TEST

START_TEST(test_format_date)
{
    char buffer[OC__DATE_TEXT_SIZE];
    ck_assert_int_eq(oc__format_date(0, buffer, sizeof buffer), OC_OK);
    ck_assert_str_eq(buffer, "1970-01-01");
    ck_assert_int_eq(oc__format_date(-1, buffer, sizeof buffer), OC_OK);
    ck_assert_str_eq(buffer, "1969-12-31");
    ck_assert_int_eq(oc__format_date(DAY_2016_11_30, buffer, sizeof buffer), OC_OK);
    ck_assert_str_eq(buffer, "2016-11-30");
    ck_assert_int_eq(oc__format_date(-719162, buffer, sizeof buffer), OC_OK);
    ck_assert_str_eq(buffer, "0001-01-01");
    ck_assert_int_eq(oc__format_date(INT32_MAX, buffer, sizeof buffer), OC_OK);
    ck_assert_int_eq(oc__format_date(INT32_MIN, buffer, sizeof buffer), OC_OK);
    char small[10];
    ck_assert_int_eq(oc__format_date(0, small, sizeof small), OC_ERROR_INVALID);
    ck_assert_str_eq(small, "1970-01-0");
    /* Written digit by digit for years 0-9999: the same text as printf's
     * "%04d-%02d-%02d", every third day from 0000-01-01 to 9999-12-31. */
    for (int32_t days = -719528; days <= 2932896; days += 3) {
        int year, month, day;
        oc__civil_from_days(days, &year, &month, &day);
        char expected[OC__DATE_TEXT_SIZE];
        snprintf(expected, sizeof expected, "%04d-%02d-%02d", year, month, day);
        ck_assert_int_eq(oc__format_date(days, buffer, sizeof buffer), OC_OK);
        ck_assert_str_eq(buffer, expected);
    }
}
END_TEST

START_TEST(test_date_parse)
{
    oc_error error;
    int32_t days = 42;
    ck_assert_int_eq(oc__date_parse("2016-11-30", &days, &error), OC_OK);
    ck_assert_int_eq(days, DAY_2016_11_30);
    ck_assert_int_eq(oc__date_parse("1970-01-01", &days, &error), OC_OK);
    ck_assert_int_eq(days, 0);
    ck_assert_int_eq(oc__date_parse("2016-02-29", &days, &error), OC_OK);
    /* Each message says what is wrong, not only that something is. */
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"2017-02-29", "2017-02 has 28 days"},
        {"2016-04-31", "2016-04 has 30 days"},
        {"2016-13-01", "there is no month 13"},
        {"2016-00-10", "there is no month 00"},
        {"2016-04-00", "there is no day 00"},
        {"2016-11-30x", "unexpected 'x' after 2016-11-30"},
        {"2016-11-30 ", "unexpected ' ' after 2016-11-30"},
        {"0000-01-01", "the year 0000 is out of range (0001-9999)"},
        {"2016-11-3", "expected YYYY-MM-DD, e.g. 2016-11-30"},
        {"16-11-30", "expected YYYY-MM-DD, e.g. 2016-11-30"},
        {"2016-11-030", "expected YYYY-MM-DD, e.g. 2016-11-30"},
        {" 2016-11-30", "expected YYYY-MM-DD, e.g. 2016-11-30"},
        {"2016/11/30", "expected YYYY-MM-DD, e.g. 2016-11-30"},
        {"", "expected YYYY-MM-DD, e.g. 2016-11-30"},
        {"2016-11", "expected YYYY-MM-DD, e.g. 2016-11-30"},
        {"2016-11-", "expected YYYY-MM-DD, e.g. 2016-11-30"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        days = 42;
        ck_assert_int_eq(oc__date_parse(bad[i].text, &days, &error), OC_ERROR_INVALID);
        ck_assert_int_eq(days, 42);
        char expected[128];
        snprintf(expected, sizeof expected, "'%s' is not a valid date: %s", bad[i].text,
                 bad[i].why);
        ck_assert_str_eq(error.message, expected);
    }
    ck_assert_int_eq(oc__date_parse(NULL, &days, &error), OC_ERROR_INVALID);
}
END_TEST

static oc__period parse_ok(const char *text, oc__frequency hint)
{
    oc_error error;
    oc__period period = {0, 0, OC__FREQUENCY_NONE};
    int status = oc__period_parse(text, hint, &period, &error);
    ck_assert_msg(status == OC_OK, "'%s' failed: %s", text, error.message);
    return period;
}

static void assert_period(const char *text, oc__frequency hint, int32_t start,
                          int32_t end, oc__frequency frequency)
{
    oc__period period = parse_ok(text, hint);
    ck_assert_msg(period.start_day == start && period.end_day == end &&
                      period.frequency == frequency,
                  "'%s': got [%d, %d) %s, expected [%d, %d) %s", text, period.start_day,
                  period.end_day, oc__frequency_name(period.frequency), start, end,
                  oc__frequency_name(frequency));
}

START_TEST(test_parse_days_and_months)
{
    assert_period("2016-11-30", OC__FREQUENCY_NONE, DAY_2016_11_30, DAY_2016_11_30 + 1,
                  OC__FREQUENCY_DAY);
    assert_period("1970-01-01", OC__FREQUENCY_NONE, 0, 1, OC__FREQUENCY_DAY);
    assert_period("1969-12-31", OC__FREQUENCY_NONE, -1, 0, OC__FREQUENCY_DAY);
    assert_period("2016-11", OC__FREQUENCY_NONE, DAY_2016_11_01, DAY_2016_11_01 + 30,
                  OC__FREQUENCY_MONTH);
    /* February 2016 has 29 days: 2016-02-01 = 16801 + 31 = 16832 */
    assert_period("2016-02", OC__FREQUENCY_NONE, 16832, 16832 + 29, OC__FREQUENCY_MONTH);
    assert_period("2017-02", OC__FREQUENCY_NONE, DAY_2017_01_01 + 31, DAY_2017_01_01 + 59,
                  OC__FREQUENCY_MONTH);
    assert_period("2016-12", OC__FREQUENCY_NONE, DAY_2016_11_01 + 30, DAY_2017_01_01,
                  OC__FREQUENCY_MONTH);
    assert_period("1970-01", OC__FREQUENCY_NONE, 0, 31, OC__FREQUENCY_MONTH);
    assert_period("1969-12", OC__FREQUENCY_NONE, -31, 0, OC__FREQUENCY_MONTH);
    /* "2011-12" is always December 2011, never the year span 2011/12 */
    assert_period("2011-12", OC__FREQUENCY_ACADEMIC_YEAR, oc__days_from_civil(2011, 12, 1),
                  oc__days_from_civil(2012, 1, 1), OC__FREQUENCY_MONTH);
}
END_TEST

START_TEST(test_parse_quarters)
{
    const char *calendar_q4[] = {"2016Q4", "2016 Q4", "2016-Q4", "2016q4"};
    for (size_t i = 0; i < 4; i++)
        assert_period(calendar_q4[i], OC__FREQUENCY_NONE, DAY_2016_10_01, DAY_2017_01_01,
                      OC__FREQUENCY_QUARTER);
    assert_period("2016Q1", OC__FREQUENCY_NONE, DAY_2016_01_01, DAY_2016_04_01,
                  OC__FREQUENCY_QUARTER);
    /* 2016Q3 = 2016-07-01 (16801 + 182) .. 2016-10-01 */
    assert_period("2016Q3", OC__FREQUENCY_NONE, 16983, DAY_2016_10_01, OC__FREQUENCY_QUARTER);
    /* Financial quarters: Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar */
    assert_period("2016/17 Q1", OC__FREQUENCY_NONE, DAY_2016_04_01, 16983,
                  OC__FREQUENCY_QUARTER);
    assert_period("2016/17 Q2", OC__FREQUENCY_NONE, 16983, DAY_2016_10_01,
                  OC__FREQUENCY_QUARTER);
    assert_period("2016/17 Q3", OC__FREQUENCY_NONE, DAY_2016_10_01, DAY_2017_01_01,
                  OC__FREQUENCY_QUARTER);
    assert_period("2016/17 Q4", OC__FREQUENCY_NONE, DAY_2017_01_01, DAY_2017_04_01,
                  OC__FREQUENCY_QUARTER);
    assert_period("2016-17 Q3", OC__FREQUENCY_NONE, DAY_2016_10_01, DAY_2017_01_01,
                  OC__FREQUENCY_QUARTER);
    assert_period("2016/17Q3", OC__FREQUENCY_NONE, DAY_2016_10_01, DAY_2017_01_01,
                  OC__FREQUENCY_QUARTER);
    /* The academic hint does not change a financial quarter */
    assert_period("2016/17 Q3", OC__FREQUENCY_ACADEMIC_YEAR, DAY_2016_10_01,
                  DAY_2017_01_01, OC__FREQUENCY_QUARTER);
}
END_TEST

START_TEST(test_parse_years)
{
    assert_period("2016", OC__FREQUENCY_NONE, DAY_2016_01_01, DAY_2017_01_01,
                  OC__FREQUENCY_YEAR);
    assert_period("1970", OC__FREQUENCY_NONE, 0, 365, OC__FREQUENCY_YEAR);
    assert_period("1969", OC__FREQUENCY_NONE, -365, 0, OC__FREQUENCY_YEAR);
    const char *spans[] = {"2016/17", "2016-17", "2016/2017", "2016-2017"};
    for (size_t i = 0; i < 4; i++) {
        assert_period(spans[i], OC__FREQUENCY_NONE, DAY_2016_04_01, DAY_2017_04_01,
                      OC__FREQUENCY_FINANCIAL_YEAR);
        assert_period(spans[i], OC__FREQUENCY_FINANCIAL_YEAR, DAY_2016_04_01,
                      DAY_2017_04_01, OC__FREQUENCY_FINANCIAL_YEAR);
        assert_period(spans[i], OC__FREQUENCY_ACADEMIC_YEAR, DAY_2016_09_01,
                      DAY_2017_09_01, OC__FREQUENCY_ACADEMIC_YEAR);
    }
    /* Across a century: 1999/00 = 1999-04-01 .. 2000-04-01; 2000-04-01 =
     * 10957 + 31 + 29 + 31 = 11048 */
    assert_period("1999/00", OC__FREQUENCY_NONE, oc__days_from_civil(1999, 4, 1), 11048,
                  OC__FREQUENCY_FINANCIAL_YEAR);
    assert_period("9999", OC__FREQUENCY_NONE, oc__days_from_civil(9999, 1, 1), 2932897,
                  OC__FREQUENCY_YEAR);
}
END_TEST

static void assert_rejected(const char *text, oc__frequency hint, const char *expected)
{
    oc_error error;
    oc__period period = {7, 8, OC__FREQUENCY_DAY};
    int status = oc__period_parse(text, hint, &period, &error);
    ck_assert_msg(status == OC_ERROR_INVALID, "'%s' was accepted", text);
    ck_assert_int_eq(error.status, OC_ERROR_INVALID);
    ck_assert_msg(strstr(error.message, expected) != NULL,
                  "'%s': message '%s' lacks '%s'", text, error.message, expected);
    ck_assert(strchr(error.message, '\n') == NULL);
    ck_assert_int_eq(period.start_day, 7);
    ck_assert_int_eq(period.end_day, 8);
}

START_TEST(test_parse_rejects)
{
    assert_rejected("2017-02-29", OC__FREQUENCY_NONE, "'2017-02-29' is not a valid date");
    assert_rejected("2016-02-30", OC__FREQUENCY_NONE, "'2016-02-30' is not a valid date");
    assert_rejected("2016-13-01", OC__FREQUENCY_NONE, "'2016-13-01' is not a valid date");
    assert_rejected("2016-11-30 ", OC__FREQUENCY_NONE, "'2016-11-30 ' is not a valid date");
    assert_rejected("2016-13", OC__FREQUENCY_NONE, "'2016-13' is not a valid period");
    assert_rejected("2016-00", OC__FREQUENCY_NONE, "'2016-00' is not a valid period");
    assert_rejected("2016/18", OC__FREQUENCY_NONE,
                    "'2016/18' is not a valid period: the second year must follow");
    assert_rejected("2016/16", OC__FREQUENCY_NONE, "'2016/16' is not a valid period");
    assert_rejected("2016/2018", OC__FREQUENCY_NONE, "'2016/2018' is not a valid period");
    assert_rejected("2016-18", OC__FREQUENCY_NONE, "'2016-18' is not a valid period");
    assert_rejected("2016/18 Q3", OC__FREQUENCY_NONE, "'2016/18 Q3' is not a valid period");
    assert_rejected("2016Q5", OC__FREQUENCY_NONE, "'2016Q5' is not a valid period");
    assert_rejected("2016Q0", OC__FREQUENCY_NONE, "'2016Q0' is not a valid period");
    assert_rejected("2016Q44", OC__FREQUENCY_NONE, "'2016Q44' is not a valid period");
    assert_rejected("2016Q4x", OC__FREQUENCY_NONE, "'2016Q4x' is not a valid period");
    assert_rejected("2016  Q4", OC__FREQUENCY_NONE, "'2016  Q4' is not a valid period");
    assert_rejected("2016/17 Q5", OC__FREQUENCY_NONE, "'2016/17 Q5' is not a valid period");
    assert_rejected("2016/17 ", OC__FREQUENCY_NONE, "'2016/17 ' is not a valid period");
    assert_rejected("2016x", OC__FREQUENCY_NONE, "'2016x' is not a valid period");
    assert_rejected("2016 ", OC__FREQUENCY_NONE, "'2016 ' is not a valid period");
    assert_rejected(" 2016", OC__FREQUENCY_NONE, "' 2016' is not a valid period");
    assert_rejected("16", OC__FREQUENCY_NONE, "'16' is not a valid period");
    assert_rejected("20160", OC__FREQUENCY_NONE, "'20160' is not a valid period");
    /* Many digits: no integer overflow, just a rejection */
    assert_rejected("99999999999999999999", OC__FREQUENCY_NONE, "is not a valid period");
    assert_rejected("2016-99999999999999999999", OC__FREQUENCY_NONE, "is not a valid period");
    assert_rejected("0000", OC__FREQUENCY_NONE, "out of range");
    assert_rejected("9999/00", OC__FREQUENCY_NONE, "out of range");
    assert_rejected("latest", OC__FREQUENCY_NONE, "'latest' is not a valid period");
    assert_rejected("-2016", OC__FREQUENCY_NONE, "'-2016' is not a valid period");
    assert_rejected("", OC__FREQUENCY_NONE, "no period given");
    assert_rejected(NULL, OC__FREQUENCY_NONE, "no period given");
}
END_TEST

/* Trailing or malformed text is named where it goes wrong, never taken
 * for another form: "2015-04x" was once read as a year span and reported
 * as "the second year must follow the first". */
START_TEST(test_parse_rejects_say_why)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"2015-04x", "'2015-04x' is not a valid period: unexpected 'x' after 2015-04 "
                     "(expected a date (2016-11-30), month (2016-11), quarter (2016Q4), "
                     "financial-year quarter (2016/17 Q3), year span (2016/17) or year (2016))"},
        {"2015-04 extra", "'2015-04 extra' is not a valid period: unexpected ' extra' after "
                          "2015-04 (expected a date (2016-11-30), "},
        {"2015-04 ", "unexpected ' ' after 2015-04 (expected a date"},
        {"2015-12x", "unexpected 'x' after 2015-12 (expected a date"},
        {"2015-", "'2015-' is not a valid period: a month (01-12), a quarter (Q1-Q4) or the "
                  "next year must follow 2015-"},
        {"2015-x", "unexpected 'x' after 2015- (expected a month (01-12), a quarter (Q1-Q4) "
                   "or the next year)"},
        {"2015- 04", "unexpected ' 04' after 2015- (expected a month"},
        {"2015 -04", "unexpected ' -04' after 2015 (expected a date"},
        {"2015 04", "unexpected ' 04' after 2015 (expected a date"},
        {"2015.04", "unexpected '.04' after 2015 (expected a date"},
        {"2015-4", "'4' after 2015- is neither a two-digit month (01-12) nor the next year"},
        {"2015-201", "'201' after 2015- is neither a two-digit month (01-12) nor the next year"},
        {"2015-13", "'2015-13' is not a valid period: not a month 01-12 nor the year after"},
        {"2015-00", "'2015-00' is not a valid period: there is no month 00"},
        {"2015/17", "'2015/17' is not a valid period: the second year must follow the first "
                    "(2015/16 or 2015/2016)"},
        {"2015-2017", "the second year must follow the first (2015/16 or 2015/2016)"},
        {"2015/", "'2015/' is not a valid period: the next year (2015/16 or 2015/2016) must "
                  "follow 2015/"},
        {"2015/1", "the second year has two or four digits (2015/16 or 2015/2016)"},
        {"2015/16x", "unexpected 'x' after 2015/16 (expected nothing more, or a quarter as in "
                     "'2015/16 Q3')"},
        {"2015-16 x", "unexpected ' x' after 2015-16 (expected nothing more, or a quarter"},
        {"2015/16 Q5", "'2015/16 Q5' is not a valid period: 'Q5' is not a quarter (Q1 to Q4)"},
        {"2015Q5", "'2015Q5' is not a valid period: 'Q5' is not a quarter (Q1 to Q4)"},
        {"2015Q44 x", "'Q44' is not a quarter (Q1 to Q4)"},
        {"2015Q", "'2015Q' is not a valid period: a quarter number 1-4 must follow 2015Q"},
        {"2015-Qx", "unexpected 'x' after 2015-Q (expected a quarter number 1-4)"},
        {"2015Q1x", "unexpected 'x' after 2015Q1 (expected nothing more)"},
        {"20150-01", "'20150-01' is not a valid period: '20150' is not a four-digit year "
                     "(0001-9999)"},
        {"201", "'201' is not a four-digit year (0001-9999)"},
        {" 2015-04", "' 2015-04' is not a valid period: it must start with a four-digit year "
                     "(expected a date"},
        {"0000-01", "the year 0000 is out of range (0001-9999)"},
        {"9999/", "the year 10000 is out of range (0001-9999)"},
        {"2015-04-31", "'2015-04-31' is not a valid date: 2015-04 has 30 days"},
        {"2015-04-30x", "'2015-04-30x' is not a valid date: unexpected 'x' after 2015-04-30"},
        {"", "no period given (expected a date (2016-11-30), "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_rejected(cases[i].text, OC__FREQUENCY_NONE, cases[i].message);
}
END_TEST

START_TEST(test_long_text_is_quoted_truncated)
{
    char text[300];
    memset(text, '7', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    oc_error error;
    oc__period period;
    ck_assert_int_eq(oc__period_parse(text, OC__FREQUENCY_NONE, &period, &error),
                     OC_ERROR_INVALID);
    ck_assert_uint_lt(strlen(error.message), 300);
}
END_TEST

static void assert_label(const char *text, oc__frequency hint, const char *expected)
{
    char buffer[OC__PERIOD_TEXT_SIZE];
    oc__period period = parse_ok(text, hint);
    ck_assert_int_eq(oc__period_label(&period, buffer, sizeof buffer), OC_OK);
    ck_assert_str_eq(buffer, expected);
}

/* The period of a frequency that starts on a day: what the table labels
 * and what the scoring compares with the evaluation period. */
START_TEST(test_period_starting)
{
    static const struct {
        int year, month, day;
        oc__frequency frequency;
        int end_year, end_month, end_day;
        const char *label;
    } cases[] = {
        {2016, 11, 1, OC__FREQUENCY_MONTH, 2016, 12, 1, "2016-11"},
        {2016, 12, 1, OC__FREQUENCY_MONTH, 2017, 1, 1, "2016-12"},
        {2016, 11, 1, OC__FREQUENCY_QUARTER, 2017, 2, 1, "2016-11-01..2017-02-01"},
        {2016, 10, 1, OC__FREQUENCY_QUARTER, 2017, 1, 1, "2016Q4"},
        {2016, 4, 1, OC__FREQUENCY_FINANCIAL_YEAR, 2017, 4, 1, "2016/17"},
        {2016, 9, 1, OC__FREQUENCY_ACADEMIC_YEAR, 2017, 9, 1, "2016/17"},
        {2016, 1, 1, OC__FREQUENCY_YEAR, 2017, 1, 1, "2016"},
        {2016, 2, 29, OC__FREQUENCY_DAY, 2016, 3, 1, "2016-02-29"},
        {2016, 5, 1, OC__FREQUENCY_FINANCIAL_YEAR, 2017, 5, 1, "2016-05-01..2017-05-01"},
        {9998, 4, 1, OC__FREQUENCY_FINANCIAL_YEAR, 9999, 4, 1, "9998/99"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        oc__period period;
        int32_t start = oc__days_from_civil(cases[i].year, cases[i].month, cases[i].day);
        ck_assert_int_eq(oc__period_starting(start, cases[i].frequency, &period), OC_OK);
        ck_assert_int_eq(period.start_day, start);
        ck_assert_int_eq(period.end_day,
                         oc__days_from_civil(cases[i].end_year, cases[i].end_month,
                                             cases[i].end_day));
        char label[64];
        ck_assert_int_eq(oc__period_label(&period, label, sizeof label), OC_OK);
        ck_assert_str_eq(label, cases[i].label);
    }
    oc__period period;
    ck_assert_int_eq(oc__period_starting(oc__days_from_civil(2016, 4, 1), OC__FREQUENCY_NONE,
                                         &period),
                     OC_ERROR_INVALID);
    ck_assert_int_eq(oc__period_starting(oc__days_from_civil(9999, 4, 1),
                                         OC__FREQUENCY_FINANCIAL_YEAR, &period),
                     OC_ERROR_INVALID); /* would end in 10000 */
}
END_TEST

START_TEST(test_labels)
{
    assert_label("2016-11-30", OC__FREQUENCY_NONE, "2016-11-30");
    assert_label("2016-11", OC__FREQUENCY_NONE, "2016-11");
    assert_label("2016 Q4", OC__FREQUENCY_NONE, "2016Q4");
    assert_label("2016/17 Q4", OC__FREQUENCY_NONE, "2017Q1");
    assert_label("2016", OC__FREQUENCY_NONE, "2016");
    assert_label("2016-17", OC__FREQUENCY_NONE, "2016/17");
    assert_label("1999/2000", OC__FREQUENCY_ACADEMIC_YEAR, "1999/00");
    char buffer[OC__PERIOD_TEXT_SIZE];
    oc__period odd = {DAY_2016_11_01, DAY_2016_11_30, OC__FREQUENCY_MONTH};
    ck_assert_int_eq(oc__period_label(&odd, buffer, sizeof buffer), OC_OK);
    ck_assert_str_eq(buffer, "2016-11-01..2016-11-30");
    oc__period shifted = {DAY_2016_11_01, DAY_2016_11_01 + 92, OC__FREQUENCY_QUARTER};
    ck_assert_int_eq(oc__period_label(&shifted, buffer, sizeof buffer), OC_OK);
    ck_assert_str_eq(buffer, "2016-11-01..2017-02-01");
    char small[5];
    oc__period month = parse_ok("2016-11", OC__FREQUENCY_NONE);
    ck_assert_int_eq(oc__period_label(&month, small, sizeof small), OC_ERROR_INVALID);
}
END_TEST

START_TEST(test_frequency_names)
{
    const char *names[] = {"day", "month", "quarter", "year", "academic_year",
                           "financial_year"};
    oc__frequency expected[] = {OC__FREQUENCY_DAY, OC__FREQUENCY_MONTH,
                                OC__FREQUENCY_QUARTER, OC__FREQUENCY_YEAR,
                                OC__FREQUENCY_ACADEMIC_YEAR, OC__FREQUENCY_FINANCIAL_YEAR};
    for (size_t i = 0; i < 6; i++) {
        oc__frequency frequency = OC__FREQUENCY_NONE;
        ck_assert_int_eq(oc__frequency_from_name(names[i], &frequency, NULL), OC_OK);
        ck_assert_int_eq(frequency, expected[i]);
        ck_assert_str_eq(oc__frequency_name(expected[i]), names[i]);
    }
    oc_error error;
    oc__frequency frequency = OC__FREQUENCY_MONTH;
    ck_assert_int_eq(oc__frequency_from_name("Month", &frequency, &error), OC_ERROR_INVALID);
    ck_assert(strstr(error.message, "'Month' is not a frequency") != NULL);
    ck_assert_int_eq(oc__frequency_from_name("none", &frequency, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__frequency_from_name("", &frequency, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__frequency_from_name(NULL, &frequency, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(frequency, OC__FREQUENCY_MONTH);
    ck_assert_str_eq(oc__frequency_name(OC__FREQUENCY_NONE), "none");
    ck_assert_str_eq(oc__frequency_name((oc__frequency)99), "unknown");
}
END_TEST

START_TEST(test_latest_index)
{
    /* Monthly starts: 2016-09-01, 2016-10-01, 2016-11-01, 2016-12-01 */
    const int32_t times[] = {DAY_2016_09_01, DAY_2016_10_01, DAY_2016_11_01,
                             DAY_2016_11_01 + 30};
    oc__period q4 = parse_ok("2016Q4", OC__FREQUENCY_NONE);
    ck_assert_uint_eq(oc__latest_index_before(times, 4, q4.end_day), 3);
    oc__period november = parse_ok("2016-11", OC__FREQUENCY_NONE);
    ck_assert_uint_eq(oc__latest_index_before(times, 4, november.end_day), 2);
    /* A day inside November picks November's observation */
    oc__period day = parse_ok("2016-11-30", OC__FREQUENCY_NONE);
    ck_assert_uint_eq(oc__latest_index_before(times, 4, day.end_day), 2);
    /* The period ending exactly at a time excludes that time */
    ck_assert_uint_eq(oc__latest_index_before(times, 4, DAY_2016_10_01), 0);
    ck_assert_uint_eq(oc__latest_index_before(times, 4, DAY_2016_10_01 + 1), 1);
    /* Before every time, and empty arrays */
    ck_assert_uint_eq(oc__latest_index_before(times, 4, DAY_2016_09_01), (size_t)-1);
    ck_assert_uint_eq(oc__latest_index_before(times, 0, 100000), (size_t)-1);
    ck_assert_uint_eq(oc__latest_index_before(NULL, 0, 0), (size_t)-1);
    /* Negative days (before 1970) and extremes */
    const int32_t early[] = {INT32_MIN, -365, -1, 0, INT32_MAX};
    ck_assert_uint_eq(oc__latest_index_before(early, 5, 0), 2);
    ck_assert_uint_eq(oc__latest_index_before(early, 5, 1), 3);
    ck_assert_uint_eq(oc__latest_index_before(early, 5, INT32_MAX), 3);
    ck_assert_uint_eq(oc__latest_index_before(early, 5, INT32_MIN), (size_t)-1);
    ck_assert_uint_eq(oc__latest_index_before(early, 5, INT32_MIN + 1), 0);
}
END_TEST

/* Against a linear scan over every end day in a range, for arrays of every
 * length up to 9, including repeated times. */
START_TEST(test_latest_index_matches_scan)
{
    int32_t times[9];
    for (size_t count = 0; count <= 9; count++) {
        for (size_t i = 0; i < count; i++)
            times[i] = (int32_t)(i / 2) * 3; /* 0,0,3,3,6,6,... */
        for (int32_t end = -2; end < 16; end++) {
            size_t expected = (size_t)-1;
            for (size_t i = 0; i < count; i++)
                if (times[i] < end)
                    expected = i;
            ck_assert_uint_eq(oc__latest_index_before(times, count, end), expected);
            size_t first = count;
            for (size_t i = count; i-- > 0;)
                if (times[i] >= end)
                    first = i;
            ck_assert_uint_eq(oc__first_index_at_or_after(times, count, end), first);
        }
    }
}
END_TEST

START_TEST(test_like_period_index)
{
    /* Quarterly snapshots, Nov 2013 .. Nov 2016 (Feb, May, Aug, Nov). */
    int32_t times[13];
    for (int q = 0; q < 13; q++) {
        int month = 11 + 3 * q;
        times[q] = oc__days_from_civil(2013 + (month - 1) / 12, (month - 1) % 12 + 1, 1);
    }
    /* November 2016 (12) -> November 2015 (8) -> 2014 (4) -> 2013 (0). */
    ck_assert_uint_eq(oc__like_period_index(times, 13, 12, 1), 8);
    ck_assert_uint_eq(oc__like_period_index(times, 13, 12, 2), 4);
    ck_assert_uint_eq(oc__like_period_index(times, 13, 12, 3), 0);
    ck_assert_uint_eq(oc__like_period_index(times, 13, 12, 4), (size_t)-1);
    ck_assert_uint_eq(oc__like_period_index(times, 13, 2, 1), (size_t)-1);
    /* Negative years look later: November 2014 -> November 2015. */
    ck_assert_uint_eq(oc__like_period_index(times, 13, 4, -1), 8);
    ck_assert_uint_eq(oc__like_period_index(times, 13, 13, 1), (size_t)-1);
    ck_assert_uint_eq(oc__like_period_index(NULL, 13, 12, 1), (size_t)-1);
    /* A snapshot taken 9 days late still matches its quarter; 29 days does not. */
    times[8] += 9;
    ck_assert_uint_eq(oc__like_period_index(times, 13, 12, 1), 8);
    times[8] += 20;
    ck_assert_uint_eq(oc__like_period_index(times, 13, 12, 1), (size_t)-1);
    /* 29 February 2016 a year earlier is 28 February 2015. */
    int32_t leap[2] = {oc__days_from_civil(2015, 2, 28), oc__days_from_civil(2016, 2, 29)};
    ck_assert_uint_eq(oc__like_period_index(leap, 2, 1, 1), 0);
}
END_TEST

static Suite *period_suite(void)
{
    Suite *suite = suite_create("period");
    TCase *dates = tcase_create("dates");
    tcase_add_test(dates, test_leap_years);
    tcase_add_test(dates, test_date_validity);
    tcase_add_test(dates, test_known_day_numbers);
    tcase_add_test(dates, test_civil_from_days_edges);
    tcase_add_test(dates, test_round_trip_every_day);
    tcase_add_test(dates, test_format_date);
    tcase_add_test(dates, test_date_parse);
    suite_add_tcase(suite, dates);
    TCase *periods = tcase_create("periods");
    tcase_add_test(periods, test_parse_days_and_months);
    tcase_add_test(periods, test_parse_quarters);
    tcase_add_test(periods, test_parse_years);
    tcase_add_test(periods, test_parse_rejects);
    tcase_add_test(periods, test_parse_rejects_say_why);
    tcase_add_test(periods, test_long_text_is_quoted_truncated);
    tcase_add_test(periods, test_period_starting);
    tcase_add_test(periods, test_labels);
    tcase_add_test(periods, test_frequency_names);
    tcase_add_test(periods, test_latest_index);
    tcase_add_test(periods, test_latest_index_matches_scan);
    tcase_add_test(periods, test_like_period_index);
    suite_add_tcase(suite, periods);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(period_suite());
}
