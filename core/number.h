/*
 * number.h: the one grammar for decimal numbers that outcomes reads from
 * people (configuration values, CSV cells). strtod alone also takes
 * hexadecimal ("0x10" is 16), "inf", "nan" and leading spaces, none of
 * which a council's spreadsheet means.
 */
#ifndef OC_NUMBER_H
#define OC_NUMBER_H

/* Parses text, all of it, as [+-]digits[.digits][(e|E)[+-]digits] (at least
 * one digit before the exponent; ".5" and "5." are fine) into the nearest
 * double. Returns OC_OK, or OC_ERROR_INVALID for anything else, including
 * values beyond double's range (1e999, which would be infinity); values
 * too small for it read as a subnormal (4.9e-324) or zero (1e-400), as
 * any decimal reads as its nearest double. *value is untouched on
 * failure. */
int oc__parse_decimal(const char *text, double *value);

#endif
