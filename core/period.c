/*
 * period.c: civil dates <-> day numbers and the period texts a
 * configuration names (see period.h). The arithmetic is Howard Hinnant's
 * days_from_civil / civil_from_days (public domain algorithms), done in
 * 64-bit so no int32 day count can overflow on the way.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "period.h"

/* How much of a bad text an error message quotes. */
#define QUOTED_TEXT_MAX 80

static const char *const frequency_names[] = {
    [OC__FREQUENCY_NONE] = "none",
    [OC__FREQUENCY_DAY] = "day",
    [OC__FREQUENCY_MONTH] = "month",
    [OC__FREQUENCY_QUARTER] = "quarter",
    [OC__FREQUENCY_YEAR] = "year",
    [OC__FREQUENCY_ACADEMIC_YEAR] = "academic_year",
    [OC__FREQUENCY_FINANCIAL_YEAR] = "financial_year",
};

#define FREQUENCY_COUNT (sizeof frequency_names / sizeof frequency_names[0])

int oc__is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int oc__days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && oc__is_leap_year(year))
        return 29;
    return days[month - 1];
}

int oc__date_is_valid(int year, int month, int day)
{
    return year >= OC__YEAR_MIN && year <= OC__YEAR_MAX && month >= 1 && month <= 12 &&
           day >= 1 && day <= oc__days_in_month(year, month);
}

/* Hinnant's days_from_civil for any year the int range allows. */
static int64_t days_from_civil_wide(int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;                              /* [0, 399] */
    int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

int32_t oc__days_from_civil(int year, int month, int day)
{
    return (int32_t)days_from_civil_wide(year, month, day);
}

void oc__civil_from_days(int32_t days, int *year, int *month, int *day)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t day_of_era = z - era * 146097;                               /* [0, 146096] */
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t shifted_month = (5 * day_of_year + 2) / 153;                 /* March = 0 */
    int civil_day = (int)(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    int civil_month = (int)(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
    int64_t civil_year = year_of_era + era * 400 + (civil_month <= 2);
    if (year != NULL)
        *year = (int)civil_year;
    if (month != NULL)
        *month = civil_month;
    if (day != NULL)
        *day = civil_day;
}

/* snprintf's answer as a status: it fits or it does not. */
static int fitted(int written, size_t size)
{
    return written >= 0 && (size_t)written < size ? OC_OK : OC_ERROR_INVALID;
}

/* Every result carries two or three dates, so the common case (years
 * 0-9999) is written digit by digit; snprintf takes the rest. */
int oc__format_date(int32_t days, char *buffer, size_t size)
{
    int year, month, day;
    oc__civil_from_days(days, &year, &month, &day);
    if (year < 0 || year > 9999 || size < 11)
        return fitted(snprintf(buffer, size, "%04d-%02d-%02d", year, month, day), size);
    const int fields[3] = {year, month, day};
    const int widths[3] = {4, 2, 2};
    char *out = buffer;
    for (int f = 0; f < 3; f++) {
        int value = fields[f];
        for (int digit = widths[f] - 1; digit >= 0; digit--) {
            out[digit] = (char)('0' + value % 10);
            value /= 10;
        }
        out += widths[f];
        *out++ = f < 2 ? '-' : '\0';
    }
    return OC_OK;
}

/* The first day of the month `months` after year-month (month 1-12). */
static int64_t month_start_after(int year, int month, int months)
{
    int64_t index = (int64_t)year * 12 + (month - 1) + months;
    return days_from_civil_wide(index / 12, (int)(index % 12) + 1, 1);
}

static void set_months(oc__period *period, int year, int month, int months,
                       oc__frequency frequency)
{
    period->start_day = oc__days_from_civil(year, month, 1);
    period->end_day = (int32_t)month_start_after(year, month, months);
    period->frequency = frequency;
}

/* Reads exactly `count` decimal digits at *cursor; advances on success. */
static int read_digits(const char **cursor, int count, int *value)
{
    int result = 0;
    for (int i = 0; i < count; i++) {
        char c = (*cursor)[i];
        if (c < '0' || c > '9')
            return 0;
        result = result * 10 + (c - '0');
    }
    char next = (*cursor)[count];
    if (next >= '0' && next <= '9')
        return 0; /* more digits than the field holds */
    *value = result;
    *cursor += count;
    return 1;
}

static int invalid_date(const char *text, oc_error *error)
{
    return oc_error_set(error, OC_ERROR_INVALID, "'%.*s' is not a valid date",
                        QUOTED_TEXT_MAX, text);
}

static int invalid_period(const char *text, const char *why, oc_error *error)
{
    return oc_error_set(error, OC_ERROR_INVALID,
                        "'%.*s' is not a valid period: %s", QUOTED_TEXT_MAX, text, why);
}

static const char expected_forms[] =
    "expected a date (2016-11-30), month (2016-11), quarter (2016Q4), "
    "financial-year quarter (2016/17 Q3), year span (2016/17) or year (2016)";

int oc__date_parse(const char *text, int32_t *days, oc_error *error)
{
    const char *cursor = text;
    int year, month, day;
    if (text == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "no date given");
    if (!read_digits(&cursor, 4, &year) || *cursor++ != '-' ||
        !read_digits(&cursor, 2, &month) || *cursor++ != '-' ||
        !read_digits(&cursor, 2, &day) || *cursor != '\0' ||
        !oc__date_is_valid(year, month, day))
        return invalid_date(text, error);
    *days = oc__days_from_civil(year, month, day);
    return OC_OK;
}

/* Reads "Qn" (after an optional single space already skipped by the
 * caller) up to the end of the text. */
static int read_quarter_suffix(const char *cursor, int *quarter)
{
    if (*cursor != 'Q' && *cursor != 'q')
        return 0;
    cursor++;
    if (*cursor < '1' || *cursor > '4' || cursor[1] != '\0')
        return 0;
    *quarter = *cursor - '0';
    return 1;
}

/* The rest of a year span after "YYYY/" or "YYYY-": "YY" or "YYYY", then
 * the end or an optional " Qn". */
static int parse_year_span(const char *text, const char *cursor, int year,
                           oc__frequency frequency_hint, oc__period *period,
                           oc_error *error)
{
    int second = 0;
    int digits = 2;
    if (!read_digits(&cursor, 2, &second)) {
        digits = 4;
        if (!read_digits(&cursor, 4, &second))
            return invalid_period(text, expected_forms, error);
    }
    if (year + 1 > OC__YEAR_MAX)
        return invalid_period(text, "the year is out of range", error);
    if (second != (digits == 2 ? (year + 1) % 100 : year + 1))
        return invalid_period(text, "the second year must follow the first", error);
    if (*cursor == '\0') {
        if (frequency_hint == OC__FREQUENCY_ACADEMIC_YEAR)
            set_months(period, year, 9, 12, OC__FREQUENCY_ACADEMIC_YEAR);
        else
            set_months(period, year, 4, 12, OC__FREQUENCY_FINANCIAL_YEAR);
        return OC_OK;
    }
    if (*cursor == ' ')
        cursor++;
    int quarter;
    if (!read_quarter_suffix(cursor, &quarter))
        return invalid_period(text, expected_forms, error);
    /* Financial quarters start in April: Q1 Apr, Q2 Jul, Q3 Oct, Q4 Jan. */
    int64_t index = (int64_t)year * 12 + 3 + (quarter - 1) * 3;
    set_months(period, (int)(index / 12), (int)(index % 12) + 1, 3, OC__FREQUENCY_QUARTER);
    return OC_OK;
}

int oc__period_parse(const char *text, oc__frequency frequency_hint,
                     oc__period *period, oc_error *error)
{
    if (text == NULL || *text == '\0')
        return oc_error_set(error, OC_ERROR_INVALID, "no period given (%s)", expected_forms);
    const char *cursor = text;
    int year;
    if (!read_digits(&cursor, 4, &year))
        return invalid_period(text, expected_forms, error);
    if (year < OC__YEAR_MIN)
        return invalid_period(text, "the year is out of range", error);
    oc__period result;
    int quarter;
    char separator = *cursor;
    if (separator == '\0') {
        set_months(&result, year, 1, 12, OC__FREQUENCY_YEAR);
    } else if (read_quarter_suffix(cursor, &quarter) ||
               ((separator == ' ' || separator == '-') &&
                read_quarter_suffix(cursor + 1, &quarter))) {
        set_months(&result, year, 1 + (quarter - 1) * 3, 3, OC__FREQUENCY_QUARTER);
    } else if (separator == '/') {
        int status = parse_year_span(text, cursor + 1, year, frequency_hint, &result, error);
        if (status != OC_OK)
            return status;
    } else if (separator == '-') {
        const char *after_separator = ++cursor;
        int month;
        if (!read_digits(&cursor, 2, &month)) {
            /* "2016-2017": a year span with the second year in full. */
            int status = parse_year_span(text, after_separator, year, frequency_hint,
                                         &result, error);
            if (status != OC_OK)
                return status;
        } else if (*cursor == '-') {
            /* Shaped like a date: any fault is a fault of the date. */
            int32_t days;
            int status = oc__date_parse(text, &days, error);
            if (status != OC_OK)
                return status;
            result.start_day = days;
            result.end_day = days + 1;
            result.frequency = OC__FREQUENCY_DAY;
        } else if (*cursor == '\0' && month >= 1 && month <= 12) {
            set_months(&result, year, month, 1, OC__FREQUENCY_MONTH);
        } else if (*cursor == '\0' && month == 0) {
            return invalid_period(text, "there is no month 00", error);
        } else if (*cursor == '\0' && month != (year + 1) % 100) {
            return invalid_period(text, "not a month 01-12 nor the year after", error);
        } else {
            int status = parse_year_span(text, after_separator, year, frequency_hint,
                                         &result, error);
            if (status != OC_OK)
                return status;
        }
    } else {
        return invalid_period(text, expected_forms, error);
    }
    *period = result;
    return OC_OK;
}

/* Non-zero when period is exactly `months` months from the 1st of a month
 * whose number (1-12) is in the allowed set of start months. */
static int spans_months(const oc__period *period, int months, unsigned start_month_mask,
                        int *year, int *month)
{
    int day;
    oc__civil_from_days(period->start_day, year, month, &day);
    return day == 1 && (start_month_mask & (1u << *month)) != 0 &&
           month_start_after(*year, *month, months) == period->end_day;
}

int oc__period_label(const oc__period *period, char *buffer, size_t size)
{
    int year, month;
    const unsigned any_month = 0x1ffeu;
    const unsigned quarter_months = (1u << 1) | (1u << 4) | (1u << 7) | (1u << 10);
    switch (period->frequency) {
    case OC__FREQUENCY_DAY:
        if (period->end_day - period->start_day == 1)
            return oc__format_date(period->start_day, buffer, size);
        break;
    case OC__FREQUENCY_MONTH:
        if (spans_months(period, 1, any_month, &year, &month))
            return fitted(snprintf(buffer, size, "%04d-%02d", year, month), size);
        break;
    case OC__FREQUENCY_QUARTER:
        if (spans_months(period, 3, quarter_months, &year, &month))
            return fitted(snprintf(buffer, size, "%04dQ%d", year, (month + 2) / 3), size);
        break;
    case OC__FREQUENCY_YEAR:
        if (spans_months(period, 12, 1u << 1, &year, &month))
            return fitted(snprintf(buffer, size, "%04d", year), size);
        break;
    case OC__FREQUENCY_ACADEMIC_YEAR:
        if (spans_months(period, 12, 1u << 9, &year, &month))
            return fitted(snprintf(buffer, size, "%04d/%02d", year, (year + 1) % 100), size);
        break;
    case OC__FREQUENCY_FINANCIAL_YEAR:
        if (spans_months(period, 12, 1u << 4, &year, &month))
            return fitted(snprintf(buffer, size, "%04d/%02d", year, (year + 1) % 100), size);
        break;
    default:
        break;
    }
    char start[OC__DATE_TEXT_SIZE], end[OC__DATE_TEXT_SIZE];
    oc__format_date(period->start_day, start, sizeof start);
    oc__format_date(period->end_day, end, sizeof end);
    return fitted(snprintf(buffer, size, "%s..%s", start, end), size);
}

const char *oc__frequency_name(oc__frequency frequency)
{
    if ((unsigned)frequency < FREQUENCY_COUNT)
        return frequency_names[frequency];
    return "unknown";
}

int oc__frequency_from_name(const char *name, oc__frequency *frequency, oc_error *error)
{
    for (size_t i = OC__FREQUENCY_DAY; name != NULL && i < FREQUENCY_COUNT; i++) {
        if (strcmp(name, frequency_names[i]) == 0) {
            *frequency = (oc__frequency)i;
            return OC_OK;
        }
    }
    return oc_error_set(error, OC_ERROR_INVALID,
                        "'%.*s' is not a frequency (expected day, month, quarter, year, "
                        "academic_year or financial_year)",
                        QUOTED_TEXT_MAX, name != NULL ? name : "");
}

size_t oc__first_index_at_or_after(const int32_t *times, size_t count, int32_t day)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (times[middle] < day)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

size_t oc__latest_index_before(const int32_t *times, size_t count, int32_t end_day)
{
    size_t first_not_before = oc__first_index_at_or_after(times, count, end_day);
    return first_not_before == 0 ? (size_t)-1 : first_not_before - 1;
}

size_t oc__like_period_index(const int32_t *times, size_t count, size_t index, int years)
{
    if (times == NULL || index >= count)
        return (size_t)-1;
    int year, month, day;
    oc__civil_from_days(times[index], &year, &month, &day);
    long wanted_year = (long)year - years;
    if (wanted_year < OC__YEAR_MIN || wanted_year > OC__YEAR_MAX)
        return (size_t)-1;
    int month_length = oc__days_in_month((int)wanted_year, month);
    int32_t wanted = oc__days_from_civil((int)wanted_year, month, day < month_length ? day : month_length);
    size_t best = (size_t)-1;
    int32_t best_distance = OC__LIKE_PERIOD_TOLERANCE_DAYS + 1;
    for (size_t i = oc__first_index_at_or_after(times, count, wanted - OC__LIKE_PERIOD_TOLERANCE_DAYS);
         i < count && times[i] <= wanted + OC__LIKE_PERIOD_TOLERANCE_DAYS; i++) {
        int32_t distance = times[i] > wanted ? times[i] - wanted : wanted - times[i];
        if (distance < best_distance) {
            best = i;
            best_distance = distance;
        }
    }
    return best;
}
