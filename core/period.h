/*
 * period.h: calendar arithmetic for the store's time axis and for the
 * periods a configuration names. Times are whole days since 1970-01-01 in
 * the proleptic Gregorian calendar, with no time zones (so no mktime, whose
 * answer depends on TZ and on the C library's range).
 *
 * A period is a half-open day range [start_day, end_day) and the frequency
 * of the text that named it. Accepted texts (oc__period_parse):
 *   2016-11-30            a day
 *   2016-11               a month
 *   2016Q4, 2016 Q4, 2016-Q4   a calendar quarter (Oct-Dec 2016)
 *   2016/17 Q3, 2016-17 Q3     a financial-year quarter (April start:
 *                         Q1 Apr-Jun ... Q3 Oct-Dec 2016, Q4 Jan-Mar 2017);
 *                         its frequency is OC__FREQUENCY_QUARTER
 *   2016/17, 2016-17, 2016/2017  a financial year (April 2016 - March 2017),
 *                         or an academic year (September 2016 - August
 *                         2017) when the hint is OC__FREQUENCY_ACADEMIC_YEAR
 *   2016                  a calendar year
 * "YYYY-NN" with NN from 01 to 12 is always a month, so "2011-12" is
 * December 2011; write the year span as "2011/12". A 'q' may be lower case.
 * Years run from 0001 to 9999 and are always written with four digits.
 */
#ifndef OC_PERIOD_H
#define OC_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include <outcomes/common.h>

/* The store's `frequency` attribute names these (oc__frequency_name). */
typedef enum oc__frequency {
    OC__FREQUENCY_NONE = 0,       /* no hint / unknown */
    OC__FREQUENCY_DAY,            /* "day" */
    OC__FREQUENCY_MONTH,          /* "month" */
    OC__FREQUENCY_QUARTER,        /* "quarter" */
    OC__FREQUENCY_YEAR,           /* "year" */
    OC__FREQUENCY_ACADEMIC_YEAR,  /* "academic_year", September start */
    OC__FREQUENCY_FINANCIAL_YEAR  /* "financial_year", April start */
} oc__frequency;

typedef struct oc__period {
    int32_t start_day;        /* first day, days since 1970-01-01 */
    int32_t end_day;          /* the day after the last day (exclusive) */
    oc__frequency frequency;
} oc__period;

#define OC__YEAR_MIN 1
#define OC__YEAR_MAX 9999

/* Big enough for any date oc__format_date writes, with its NUL. */
#define OC__DATE_TEXT_SIZE 16
/* Big enough for any label oc__period_label writes, with its NUL. */
#define OC__PERIOD_TEXT_SIZE 32

/* Non-zero when year-month-day is a real date with year in
 * [OC__YEAR_MIN, OC__YEAR_MAX]. */
int oc__date_is_valid(int year, int month, int day);
int oc__is_leap_year(int year);
/* Days in the month (1-12) of year; 0 for a month out of range. */
int oc__days_in_month(int year, int month);

/* Days since 1970-01-01 of a valid date (check with oc__date_is_valid). */
int32_t oc__days_from_civil(int year, int month, int day);
/* The civil date of any int32 day count; any output pointer may be NULL. */
void oc__civil_from_days(int32_t days, int *year, int *month, int *day);

/* Writes "YYYY-MM-DD" (years outside 0000-9999 get more digits or a sign)
 * into buffer of size bytes (caller-owned, OC__DATE_TEXT_SIZE suffices).
 * Returns OC_OK, or OC_ERROR_INVALID if it does not fit (buffer then holds
 * a truncated, terminated text when size > 0). */
int oc__format_date(int32_t days, char *buffer, size_t size);

/* Parses exactly "YYYY-MM-DD" into days. On failure returns
 * OC_ERROR_INVALID with "'TEXT' is not a valid date: WHY" in error, WHY
 * naming the fault ("2017-02 has 28 days", "unexpected 'x' after
 * 2016-11-30"). */
int oc__date_parse(const char *text, int32_t *days, oc_error *error);

/* Parses a period text (see the top of this file). frequency_hint decides
 * what a year span like "2016/17" means: OC__FREQUENCY_ACADEMIC_YEAR makes
 * it an academic year, anything else a financial year. On failure returns
 * OC_ERROR_INVALID with one line that quotes the text and names the fault,
 * e.g. "'2017-02-29' is not a valid date: 2017-02 has 28 days",
 * "'2015-04x' is not a valid period: unexpected 'x' after 2015-04 (expected
 * ...)", and leaves *period unchanged. The message has no file or key prefix: the
 * caller adds where the text came from. */
int oc__period_parse(const char *text, oc__frequency frequency_hint,
                     oc__period *period, oc_error *error);

/* The period of `frequency` that starts on start_day, in *period: it
 * ends the same day of the month one, three or twelve months on (a day:
 * the next day). OC_ERROR_INVALID for OC__FREQUENCY_NONE, or a period that
 * would end after 9999. The start need not begin a period of the
 * frequency's calendar (oc__period_label then gives the dates). */
int oc__period_starting(int32_t start_day, oc__frequency frequency, oc__period *period);

/* Writes a canonical label for period: "2016-11-30", "2016-11", "2016Q4",
 * "2016", "2016/17"; a period that is none of those (e.g. a quarter not on
 * a calendar-quarter boundary) as "2016-10-01..2017-01-01" (end exclusive).
 * Same buffer rules as oc__format_date. */
int oc__period_label(const oc__period *period, char *buffer, size_t size);

/* The frequency's name as the store writes it ("day", "month", "quarter",
 * "year", "academic_year", "financial_year"); "none" for
 * OC__FREQUENCY_NONE and "unknown" for anything else. Static strings. */
const char *oc__frequency_name(oc__frequency frequency);
/* The inverse of oc__frequency_name for the six real frequencies (exact,
 * case-sensitive). Returns OC_ERROR_INVALID with "'NAME' is not a
 * frequency (expected ...)" for anything else. */
int oc__frequency_from_name(const char *name, oc__frequency *frequency,
                            oc_error *error);

/* The index of the latest time on or before the period's end, i.e. the
 * largest i with times[i] < end_day, in the ascending array times of count
 * days (borrowed). Returns (size_t)-1 when every time is at or after
 * end_day or count is 0. Binary search: O(log count). */
size_t oc__latest_index_before(const int32_t *times, size_t count, int32_t end_day);

/* The first index i with times[i] >= day in the ascending array times of
 * count days (borrowed), or count when there is none (a lower bound, for
 * callers that search near a day). O(log count). */
size_t oc__first_index_at_or_after(const int32_t *times, size_t count, int32_t day);

/* How far a like period may drift from the exact date a whole number of
 * years earlier: quarterly snapshots are taken on different days. */
#define OC__LIKE_PERIOD_TOLERANCE_DAYS 15

/* The index in the ascending times[0..count) (borrowed) of the period
 * nearest the same calendar date `years` years before times[index] (29
 * February becomes 28 in a common year; negative years look later), within
 * OC__LIKE_PERIOD_TOLERANCE_DAYS; (size_t)-1 when there is none. */
size_t oc__like_period_index(const int32_t *times, size_t count, size_t index, int years);

#endif
