/*
 * period.c: civil dates <-> day numbers and the period texts a
 * configuration names (see period.h). The arithmetic is Howard Hinnant's
 * days_from_civil / civil_from_days (public domain algorithms), done in
 * 64-bit so no int32 day count can overflow on the way.
 */
#include "config.h"

#include <stdarg.h>
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

int oc__period_starting(int32_t start_day, oc__frequency frequency, oc__period *period)
{
    int months = frequency == OC__FREQUENCY_MONTH     ? 1
                 : frequency == OC__FREQUENCY_QUARTER ? 3
                 : frequency == OC__FREQUENCY_YEAR || frequency == OC__FREQUENCY_ACADEMIC_YEAR
                         || frequency == OC__FREQUENCY_FINANCIAL_YEAR
                     ? 12
                     : 0;
    int year, month, day;
    oc__civil_from_days(start_day, &year, &month, &day);
    if ((months == 0 && frequency != OC__FREQUENCY_DAY)
        || year + (month - 1 + months) / 12 > OC__YEAR_MAX)
        return OC_ERROR_INVALID;
    period->start_day = start_day;
    /* The same day of the month, months on: a day past that month's end
     * rolls over as the calendar does (31 January + 1 month: 2 March). */
    period->end_day = months == 0 ? start_day + 1
                                  : (int32_t)(month_start_after(year, month, months) + day - 1);
    period->frequency = frequency;
    return OC_OK;
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

/* How many decimal digits start at text. */
static size_t digit_count(const char *text)
{
    size_t count = 0;
    while (text[count] >= '0' && text[count] <= '9')
        count++;
    return count;
}

/* A precision for "%.*s" that quotes length bytes, at most QUOTED_TEXT_MAX. */
static int quoted_length(size_t length)
{
    return length < QUOTED_TEXT_MAX ? (int)length : QUOTED_TEXT_MAX;
}

/* "'TEXT' is not a valid NOUN: WHY", WHY formatted; one line, the text
 * quoted at most QUOTED_TEXT_MAX bytes (the caller's printer escapes what
 * the terminal must not see). */
static int rejected(const char *text, const char *noun, oc_error *error, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static int rejected(const char *text, const char *noun, oc_error *error, const char *format, ...)
{
    char why[OC_ERROR_MESSAGE_SIZE];
    va_list args;
    va_start(args, format);
    vsnprintf(why, sizeof why, format, args);
    va_end(args);
    return oc_error_set(error, OC_ERROR_INVALID, "'%.*s' is not a valid %s: %s",
                        QUOTED_TEXT_MAX, text, noun, why);
}

/* The forms oc__period_parse accepts, for the messages that cannot name a
 * narrower choice. */
static const char period_forms[] =
    "a date (2016-11-30), month (2016-11), quarter (2016Q4), "
    "financial-year quarter (2016/17 Q3), year span (2016/17) or year (2016)";

/* The text is right up to cursor and `wanted` should come next: says that
 * it is missing, or quotes what stands there instead. */
static int wanted_at(const char *text, const char *cursor, const char *wanted, oc_error *error)
{
    int shown = quoted_length((size_t)(cursor - text));
    if (*cursor == '\0')
        return rejected(text, "period", error, "%s must follow %.*s", wanted, shown, text);
    return rejected(text, "period", error, "unexpected '%.*s' after %.*s (expected %s)",
                    QUOTED_TEXT_MAX, cursor, shown, text, wanted);
}

int oc__date_parse(const char *text, int32_t *days, oc_error *error)
{
    const char *cursor = text;
    int year, month, day;
    if (text == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "no date given");
    if (!read_digits(&cursor, 4, &year) || *cursor++ != '-' ||
        !read_digits(&cursor, 2, &month) || *cursor++ != '-' ||
        !read_digits(&cursor, 2, &day))
        return rejected(text, "date", error, "expected YYYY-MM-DD, e.g. 2016-11-30");
    if (*cursor != '\0')
        return rejected(text, "date", error, "unexpected '%.*s' after %.10s",
                        QUOTED_TEXT_MAX, cursor, text);
    if (year < OC__YEAR_MIN)
        return rejected(text, "date", error, "the year 0000 is out of range (0001-9999)");
    if (month < 1 || month > 12)
        return rejected(text, "date", error, "there is no month %02d", month);
    if (day == 0)
        return rejected(text, "date", error, "there is no day 00");
    if (day > oc__days_in_month(year, month))
        return rejected(text, "date", error, "%.7s has %d days", text,
                        oc__days_in_month(year, month));
    *days = oc__days_from_civil(year, month, day);
    return OC_OK;
}

/* Reads a quarter "Qn" (q may be lower case) at cursor, which must end the
 * text. */
static int parse_quarter(const char *text, const char *cursor, int *quarter, oc_error *error)
{
    size_t digits = digit_count(cursor + 1);
    if (digits == 0)
        return wanted_at(text, cursor + 1, "a quarter number 1-4", error);
    if (digits != 1 || cursor[1] < '1' || cursor[1] > '4')
        return rejected(text, "period", error, "'%.*s' is not a quarter (Q1 to Q4)",
                        quoted_length(digits + 1), cursor);
    if (cursor[2] != '\0')
        return wanted_at(text, cursor + 2, "nothing more", error);
    *quarter = cursor[1] - '0';
    return OC_OK;
}

/* The rest of a year span after "YYYY/" or "YYYY-" (at cursor): "YY" or
 * "YYYY", then the end or an optional " Qn". */
static int parse_year_span(const char *text, const char *cursor, int year,
                           oc__frequency frequency_hint, oc__period *period,
                           oc_error *error)
{
    if (year + 1 > OC__YEAR_MAX)
        return rejected(text, "period", error, "the year %d is out of range (0001-9999)",
                        year + 1);
    char examples[64], wanted[96];
    snprintf(examples, sizeof examples, "%04d/%02d or %04d/%04d", year, (year + 1) % 100, year,
             year + 1);
    size_t digits = digit_count(cursor);
    if (digits == 0) {
        snprintf(wanted, sizeof wanted, "the next year (%s)", examples);
        return wanted_at(text, cursor, wanted, error);
    }
    if (digits != 2 && digits != 4)
        return rejected(text, "period", error, "the second year has two or four digits (%s)",
                        examples);
    int second = 0;
    read_digits(&cursor, (int)digits, &second);
    if (second != (digits == 2 ? (year + 1) % 100 : year + 1))
        return rejected(text, "period", error, "the second year must follow the first (%s)",
                        examples);
    if (*cursor == '\0') {
        if (frequency_hint == OC__FREQUENCY_ACADEMIC_YEAR)
            set_months(period, year, 9, 12, OC__FREQUENCY_ACADEMIC_YEAR);
        else
            set_months(period, year, 4, 12, OC__FREQUENCY_FINANCIAL_YEAR);
        return OC_OK;
    }
    const char *quarter_at = *cursor == ' ' ? cursor + 1 : cursor;
    if (*quarter_at != 'Q' && *quarter_at != 'q') {
        snprintf(wanted, sizeof wanted, "nothing more, or a quarter as in '%.*s Q3'",
                 (int)(cursor - text), text);
        return wanted_at(text, cursor, wanted, error);
    }
    int quarter;
    int status = parse_quarter(text, quarter_at, &quarter, error);
    if (status != OC_OK)
        return status;
    /* Financial quarters start in April: Q1 Apr, Q2 Jul, Q3 Oct, Q4 Jan. */
    int64_t index = (int64_t)year * 12 + 3 + (quarter - 1) * 3;
    set_months(period, (int)(index / 12), (int)(index % 12) + 1, 3, OC__FREQUENCY_QUARTER);
    return OC_OK;
}

/* The rest of a period after "YYYY-" (at cursor): a month, a date, a
 * quarter or a year span. */
static int parse_after_dash(const char *text, const char *cursor, int year,
                            oc__frequency frequency_hint, oc__period *period, oc_error *error)
{
    size_t digits = digit_count(cursor);
    if (digits == 0)
        return wanted_at(text, cursor, "a month (01-12), a quarter (Q1-Q4) or the next year",
                         error);
    if (digits == 4)
        return parse_year_span(text, cursor, year, frequency_hint, period, error);
    if (digits != 2)
        return rejected(text, "period", error,
                        "'%.*s' after %.5s is neither a two-digit month (01-12) nor the next year",
                        quoted_length(digits), cursor, text);
    int number = (cursor[0] - '0') * 10 + (cursor[1] - '0');
    const char *after = cursor + 2;
    int is_month = number >= 1 && number <= 12;
    if (*after == '-') {
        /* Shaped like a date: any fault is a fault of the date. */
        int32_t days;
        int status = oc__date_parse(text, &days, error);
        if (status != OC_OK)
            return status;
        period->start_day = days;
        period->end_day = days + 1;
        period->frequency = OC__FREQUENCY_DAY;
        return OC_OK;
    }
    if (*after == '\0' && is_month) {
        set_months(period, year, number, 1, OC__FREQUENCY_MONTH);
        return OC_OK;
    }
    if (*after == '\0' && number == 0)
        return rejected(text, "period", error, "there is no month 00");
    /* "2011-12" alone is December; "2011-12 Q3" can only be the year span. */
    if (number == (year + 1) % 100)
        return parse_year_span(text, cursor, year, frequency_hint, period, error);
    if (!is_month)
        return rejected(text, "period", error, "not a month 01-12 nor the year after");
    return wanted_at(text, after, period_forms, error);
}

int oc__period_parse(const char *text, oc__frequency frequency_hint,
                     oc__period *period, oc_error *error)
{
    if (text == NULL || *text == '\0')
        return oc_error_set(error, OC_ERROR_INVALID, "no period given (expected %s)",
                            period_forms);
    size_t digits = digit_count(text);
    if (digits == 0)
        return rejected(text, "period", error, "it must start with a four-digit year (expected %s)",
                        period_forms);
    if (digits != 4)
        return rejected(text, "period", error, "'%.*s' is not a four-digit year (0001-9999)",
                        quoted_length(digits), text);
    const char *cursor = text;
    int year = 0;
    read_digits(&cursor, 4, &year);
    if (year < OC__YEAR_MIN)
        return rejected(text, "period", error, "the year 0000 is out of range (0001-9999)");
    oc__period result;
    int quarter;
    int status = OC_OK;
    char separator = *cursor;
    const char *quarter_at = separator == ' ' || separator == '-' ? cursor + 1 : cursor;
    if (separator == '\0') {
        set_months(&result, year, 1, 12, OC__FREQUENCY_YEAR);
    } else if (*quarter_at == 'Q' || *quarter_at == 'q') {
        status = parse_quarter(text, quarter_at, &quarter, error);
        if (status == OC_OK)
            set_months(&result, year, 1 + (quarter - 1) * 3, 3, OC__FREQUENCY_QUARTER);
    } else if (separator == '/') {
        status = parse_year_span(text, cursor + 1, year, frequency_hint, &result, error);
    } else if (separator == '-') {
        status = parse_after_dash(text, cursor + 1, year, frequency_hint, &result, error);
    } else {
        status = wanted_at(text, cursor, period_forms, error);
    }
    if (status != OC_OK)
        return status;
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
