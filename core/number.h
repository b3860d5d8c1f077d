/*
 * number.h: the one grammar for decimal numbers that outcomes reads from
 * people (configuration values, CSV cells). strtod alone also takes
 * hexadecimal ("0x10" is 16), "inf", "nan" and leading spaces, none of
 * which a council's spreadsheet means.
 */
#ifndef OC_NUMBER_H
#define OC_NUMBER_H

/* Parses text, all of it, as [+-]digits[.digits][(e|E)[+-]digits] (at least
 * one digit before the exponent; ".5" and "5." are fine) into a finite
 * double. Returns OC_OK, or OC_ERROR_INVALID for anything else, including
 * values out of double's range. *value is untouched on failure. */
int oc__parse_decimal(const char *text, double *value);

#endif
