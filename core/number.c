/* number.c: decimal numbers as people write them; see number.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <outcomes/common.h>

#include "number.h"

static const char *skip_digits(const char *cursor, int *count)
{
    for (*count = 0; *cursor >= '0' && *cursor <= '9'; cursor++)
        (*count)++;
    return cursor;
}

int oc__parse_decimal(const char *text, double *value)
{
    if (text == NULL)
        return OC_ERROR_INVALID;
    const char *cursor = text + (*text == '+' || *text == '-');
    int whole, fraction = 0, exponent;
    cursor = skip_digits(cursor, &whole);
    if (*cursor == '.')
        cursor = skip_digits(cursor + 1, &fraction);
    if (whole + fraction == 0)
        return OC_ERROR_INVALID;
    if (*cursor == 'e' || *cursor == 'E') {
        cursor += 1 + (cursor[1] == '+' || cursor[1] == '-');
        cursor = skip_digits(cursor, &exponent);
        if (exponent == 0)
            return OC_ERROR_INVALID;
    }
    if (*cursor != '\0')
        return OC_ERROR_INVALID;
    /* The grammar is a subset of strtod's, so strtod reads all of it.
     * strtod sets ERANGE for underflow as well as overflow, but a
     * subnormal (4.9e-324) or a value that rounds to zero is still the
     * nearest double, as 0.1 is: only overflow, to infinity, is out of
     * range. */
    double parsed = strtod(text, NULL);
    if (!isfinite(parsed))
        return OC_ERROR_INVALID;
    *value = parsed;
    return OC_OK;
}
