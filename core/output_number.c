/* output_number.c: numbers as the JSON and CSV writers print them, the
 * fewest of 15, 16 or 17 significant digits that read back as the same
 * double (output.h). A national run prints over two million numbers, and
 * printf with a strtod to check each precision cost microseconds apiece;
 * so where every result's numbers lie (zero and 1e-4 <= |value| < 1e15)
 * the text is worked out here, exactly, with integer arithmetic and one
 * division of doubles per precision tried, and printf remains the
 * definition and the fallback everywhere else. tests/test_output.c
 * checks the two agree on millions of random and edge-case doubles. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "output.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

/* The definition, by brute force: what %.15g, %.16g and %.17g print, and
 * strtod reading each back. Slow (up to four printf and two strtod calls,
 * arbitrary-precision arithmetic in both), so used only outside the range
 * fixed_shortest covers. */
static int shortest_precision_by_printf(double value)
{
    char buffer[32];
    for (int precision = 15; precision < 17; precision++) {
        snprintf(buffer, sizeof buffer, "%.*g", precision, value);
        if (strtod(buffer, NULL) == value)
            return precision;
    }
    return 17;
}

int oc__output_shortest_precision(double value)
{
    return shortest_precision_by_printf(value);
}

/* The definition itself, for the values fixed_shortest leaves. */
static size_t format_by_printf(double value, char buffer[40])
{
    int written = snprintf(buffer, 40, "%.*g", shortest_precision_by_printf(value), value);
    return written > 0 ? (size_t)written : 0;
}

/* 128-bit integers, and doubles computed as doubles (not in x87 registers
 * of more precision) and divided as IEEE says (not, under -ffast-math, by
 * a reciprocal), which the test of reading back relies on; and a
 * little-endian machine, whose byte order write_fixed's stores of whole
 * words assume (the first digit in the lowest byte). */
#if defined(__SIZEOF_INT128__) && defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0             \
    && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__                     \
    && !defined(__FAST_MATH__)
__extension__ typedef unsigned __int128 wide_unsigned;

static const uint64_t powers_of_ten[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
    10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
    10000000000000000000u,
};

/* 10^0 to 10^22 as doubles, all exact (5^22 < 2^53). */
static const double exact_powers_of_ten[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* 10^-4 to 10^15 as doubles, for finding a value's decimal exponent by
 * comparison: exact from 1 up, and below 1 each is the double just above
 * the power (0.1 is 0.1000000000000000055...), so that for any double x,
 * x >= it exactly when x >= the power itself. */
static const double decade_starts[20] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,
                                         1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
                                         1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* The 8 decimal digits of value < 10^8, leading zeros included, as 8
 * ASCII bytes in memory order: split into halves, quarters and single
 * digits in lanes of one 64-bit word, each division a multiplication and
 * a shift (v * 5243 >> 19 is v / 100 for v < 43699, v * 103 >> 10 is
 * v / 10 for v < 179), instead of a loop of divisions. */
static ALWAYS_INLINE uint64_t eight_digits(uint32_t value)
{
    uint64_t lanes = (uint64_t)(value / 10000) | ((uint64_t)(value % 10000) << 32);
    uint64_t hundreds = ((lanes * 5243) >> 19) & 0x0000007f0000007fu;
    lanes = hundreds | ((lanes - hundreds * 100) << 16);
    uint64_t tens = ((lanes * 103) >> 10) & 0x000f000f000f000fu;
    lanes = tens | ((lanes - tens * 10) << 8);
    return lanes + 0x3030303030303030u; /* '0' in every byte */
}

#if defined(__SSE2__) && defined(__x86_64__)
/* The same for 16 digits, value < 10^16, with SSE2 (every x86-64 has it):
 * the first 8 digits in *high, the last 8 in *low. Each of the four
 * 4-digit groups fills four 16-bit lanes; lane k is divided by 10^(3-k)
 * (a multiplication and a shift, exact below 10^4), which leaves the
 * group's first k + 1 digits, and a digit is that less ten times the lane
 * before. Half the instructions of two eight_digits; formatting a
 * national run's numbers takes 5-8% less time. */
static ALWAYS_INLINE void sixteen_digits(uint64_t value, uint64_t *high, uint64_t *low)
{
    uint32_t first = (uint32_t)(value / 100000000u), last = (uint32_t)(value % 100000000u);
    /* the groups times 4 (under 40000, still 16 bits), as the divisions
     * below expect */
    uint64_t groups = (uint64_t)(first / 10000) << 2 | (uint64_t)(first % 10000) << 18
                      | (uint64_t)(last / 10000) << 34 | (uint64_t)(last % 10000) << 50;
    long long lanes; /* the same bits (a conversion of groups >= 2^63 would not be) */
    memcpy(&lanes, &groups, sizeof lanes);
    __m128i pairs = _mm_cvtsi64_si128(lanes);
    pairs = _mm_unpacklo_epi16(pairs, pairs);
    __m128i front = _mm_unpacklo_epi32(pairs, pairs), back = _mm_unpackhi_epi32(pairs, pairs);
    /* (4x * m >> 16) >> s = x * m / 2^(14 + s), the shift s done as a
     * multiplication by 2^(16 - s): m / 2^(14 + s) is 1/1000, 1/100, 1/10
     * and 1 (s = 9, 5, 3, 1), each close enough that no x < 10^4 comes out
     * wrong. -32768 is 32768 (2^15) as the unsigned lanes read it. */
    const __m128i divisors = _mm_set_epi16(-32768, 13108, 5243, 8389, -32768, 13108, 5243, 8389);
    const __m128i shifts = _mm_set_epi16(-32768, 1 << 13, 1 << 11, 1 << 7, -32768, 1 << 13,
                                         1 << 11, 1 << 7);
    const __m128i ten = _mm_set1_epi16(10);
    front = _mm_mulhi_epu16(_mm_mulhi_epu16(front, divisors), shifts);
    back = _mm_mulhi_epu16(_mm_mulhi_epu16(back, divisors), shifts);
    front = _mm_sub_epi16(front, _mm_slli_epi64(_mm_mullo_epi16(front, ten), 16));
    back = _mm_sub_epi16(back, _mm_slli_epi64(_mm_mullo_epi16(back, ten), 16));
    __m128i text = _mm_add_epi8(_mm_packus_epi16(front, back), _mm_set1_epi8('0'));
    *high = (uint64_t)_mm_cvtsi128_si64(text);
    *low = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(text, text));
}
#else
static ALWAYS_INLINE void sixteen_digits(uint64_t value, uint64_t *high, uint64_t *low)
{
    *high = eight_digits((uint32_t)(value / 100000000u));
    *low = eight_digits((uint32_t)(value % 100000000u));
}
#endif

/* %g's fixed-point form of digits * 10^(whole_digits - 17), where
 * 10^16 <= digits < 10^17 (the significant digits, padded with zeros to
 * 17) and -3 <= whole_digits <= 15 is the number of digits before the
 * point: trailing zeros after the point dropped, and the point too when
 * nothing follows it (*point says whether one was written). The digits
 * stay in registers, and every byte goes to out by stores of fixed size
 * that overlap, the later ones right: nothing written is read back
 * (reading a scratch copy just written piece by piece made the processor
 * wait for every piece), and no copy has a length known only at run
 * time (each was a call). Writes up to 33 bytes of out (a sign, 15 whole
 * digits, the point and a 16-byte store); 0 (and nothing
 * meant) if digits is out of its range. */
static ALWAYS_INLINE size_t write_fixed(char out[40], int negative, uint64_t digits,
                                        int whole_digits, int *point)
{
    if (digits < powers_of_ten[16] || digits >= powers_of_ten[17])
        return 0; /* a decimal exponent found wrong: cannot happen, but printf would know */
    uint64_t rest = digits % 10000000000000000u;
    char first = (char)('0' + digits / 10000000000000000u); /* never '0' */
    uint64_t high, low;
    sixteen_digits(rest, &high, &low);
    /* The 16 digits after the first, in memory order, as one number
     * (little-endian: the byte at the lowest address is the lowest). */
    wide_unsigned tail = (wide_unsigned)low << 64 | high;
    /* Trailing zeros: the last digits are the top bytes of low, then high. */
    uint64_t low_nonzero = low ^ 0x3030303030303030u, high_nonzero = high ^ 0x3030303030303030u;
    int zeros = low_nonzero != 0 ? __builtin_clzll(low_nonzero) / 8
                                 : 8 + (high_nonzero != 0 ? __builtin_clzll(high_nonzero) / 8 : 8);
    int last = 17 - zeros; /* one past the last digit that is not a trailing zero */
    char *text = out + (negative != 0);
    out[0] = '-';
    size_t length;
    if (whole_digits <= 0) {
        /* %g's fixed form starts at 1e-4: at most three zeros after the
         * point, before the first digit */
        int zeros_after_point = -whole_digits;
        memcpy(text, "0.000", 5);
        text[2 + zeros_after_point] = first;
        memcpy(text + 3 + zeros_after_point, &tail, 16);
        *point = 1;
        length = (size_t)(2 + zeros_after_point + last);
    } else {
        text[0] = first;
        memcpy(text + 1, &tail, 16);
        /* the point and the digits from whole_digits on, one place to the
         * right; past the end when there is no point */
        wide_unsigned after_point = tail >> (8 * (whole_digits - 1));
        text[whole_digits] = '.';
        memcpy(text + whole_digits + 1, &after_point, 16);
        *point = last > whole_digits;
        length = *point ? (size_t)last + 1 : (size_t)whole_digits;
    }
    text[length] = '\0';
    return length + (size_t)(negative != 0);
}

/* digits / unit rounded as glibc's printf rounds the exact value: to
 * nearest, ties to even, where the exact value is digits plus a fraction
 * of less than one (fraction_nonzero: 1 when there is one, else 0).
 * Without branches, as is the choice of precision below: which way a
 * computed value rounds, and how many digits it needs, is anyone's guess,
 * and a branch the processor guessed wrong cost more than all the
 * arithmetic (with branches this took a third longer). */
static ALWAYS_INLINE uint64_t round_to(uint64_t digits, uint64_t fraction_nonzero,
                                       uint64_t unit)
{
    uint64_t kept = digits / unit, rest = digits - kept * unit, half = unit / 2;
    return kept + ((uint64_t)(rest > half)
                   | ((uint64_t)(rest == half) & (fraction_nonzero | (kept & 1))));
}

/* Whether strtod reads digits * 10^-scale back as value, for
 * digits < 2^53 and 0 <= scale <= 22: both are then exact doubles, and
 * IEEE division rounds their quotient correctly, as strtod rounds the
 * decimal (Clinger's fast path); with larger digits, the exact test,
 * everything scaled to integers: value = significand * 2^-shift and the
 * rounding interval of value is half the gap to each neighbouring double
 * (the gap below half as wide for a power of two), its ends included
 * when the significand is even (ties go to even). */
static ALWAYS_INLINE int reads_back(double value, uint64_t digits, int scale,
                                     uint64_t significand, int shift)
{
    if (digits <= (uint64_t)1 << 53) {
        double quotient = (double)(int64_t)digits / exact_powers_of_ten[scale];
        return quotient == value;
    }
    /* value * 10^scale * 2^shift and digits * 2^shift: under 2^118 */
    wide_unsigned power = (wide_unsigned)powers_of_ten[scale > 19 ? 19 : scale]
                          * powers_of_ten[scale > 19 ? scale - 19 : 0];
    wide_unsigned exact = (wide_unsigned)significand * power;
    wide_unsigned candidate = (wide_unsigned)digits << shift;
    int even = (significand & 1) == 0;
    if (candidate >= exact) {
        wide_unsigned twice_distance = 2 * (candidate - exact);
        return twice_distance < power || (even && twice_distance == power);
    }
    wide_unsigned distance = exact - candidate;
    int power_of_two = significand == (uint64_t)1 << 52;
    wide_unsigned scaled_distance = (power_of_two ? 4 : 2) * distance;
    return scaled_distance < power || (even && scaled_distance == power);
}

/* The exact, printf-free way for zero and 1e-4 <= |value| < 1e15 (where
 * every result's numbers are): the same text as the definition, 0 for any
 * other value. *point: whether the text has a decimal point (it never
 * has an exponent). */
static ALWAYS_INLINE size_t fixed_shortest(double value, char buffer[40], int *point)
{
    *point = 0;
    double magnitude = fabs(value);
    int negative = signbit(value) != 0;
    if (magnitude == 0) {
        /* Zero (no change, no incidents) is common: %.15g prints "0" or "-0". */
        memcpy(buffer, "-0", 3);
        memcpy(buffer + negative, "0", 2);
        return (size_t)negative + 1;
    }
    if (!(magnitude >= 1e-4 && magnitude < 1e15))
        return 0;
    uint64_t bits;
    memcpy(&bits, &magnitude, sizeof bits);
    int binary_exponent = (int)(bits >> 52) - 1023; /* 2^e <= magnitude < 2^(e+1) */
    uint64_t significand = (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
    int shift = 52 - binary_exponent; /* magnitude = significand * 2^-shift, shift > 2 */
    /* floor(log10(magnitude)): floor(e * log10(2)) (30103 / 100000 is
     * log10(2) to within 2e-7, exact enough for |e| < 50) or one more */
    int decimal_exponent = binary_exponent >= 0 ? binary_exponent * 30103 / 100000
                                                : -((-binary_exponent * 30103 + 99999) / 100000);
    decimal_exponent += magnitude >= decade_starts[decimal_exponent + 1 + 4];
    int whole_digits = decimal_exponent + 1; /* -3 to 15 */

    if (shift <= 52 && (significand & (((uint64_t)1 << shift) - 1)) == 0) {
        /* A whole number of at most 15 digits: %.15g prints exactly its
         * digits, and they read back (counts, changes in counts, pounds). */
        uint64_t whole = significand >> shift;
        return write_fixed(buffer, negative, whole * powers_of_ten[17 - whole_digits],
                           whole_digits, point);
    }

    /* The exact value at 17 significant digits: magnitude * 10^scale =
     * digits + fraction / 2^shift, 10^16 <= digits < 10^17. */
    int scale = 17 - whole_digits; /* 2 to 20 */
    wide_unsigned exact = scale <= 19
                              ? (wide_unsigned)significand * powers_of_ten[scale]
                              : (wide_unsigned)significand * powers_of_ten[19]
                                    * powers_of_ten[scale - 19];
    uint64_t digits = (uint64_t)(exact >> shift);
    wide_unsigned fraction = exact - ((wide_unsigned)digits << shift);
    wide_unsigned half = (wide_unsigned)1 << (shift - 1);

    /* The roundings to 15, 16 and 17 digits, the first that reads back
     * padded to 17 (the scales of 15 and 16 are at most 19: exact doubles). */
    uint64_t fraction_nonzero = fraction != 0;
    uint64_t digits_15 = round_to(digits, fraction_nonzero, 100);
    uint64_t digits_16 = round_to(digits, fraction_nonzero, 10);
    uint64_t digits_17 = digits + ((uint64_t)(fraction > half)
                                   | ((uint64_t)(fraction == half) & (digits & 1)));
    /* all ones when that precision reads back, else zero */
    uint64_t fifteen = 0 - (uint64_t)reads_back(magnitude, digits_15, scale - 2, significand, shift);
    uint64_t sixteen = 0 - (uint64_t)reads_back(magnitude, digits_16, scale - 1, significand, shift);
    uint64_t padded = (digits_16 * 10 & sixteen) | (digits_17 & ~sixteen);
    padded = (digits_15 * 100 & fifteen) | (padded & ~fifteen);
    if (padded == powers_of_ten[17]) {
        /* 9.99..5 rounded up to 10.00..: one digit more before the point */
        padded = powers_of_ten[16];
        whole_digits++;
        if (whole_digits > 15)
            return 0; /* %g would switch to an exponent at 1e15: printf's */
    }
    return write_fixed(buffer, negative, padded, whole_digits, point);
}
#else
static size_t fixed_shortest(double value, char buffer[40], int *point)
{
    (void)value;
    (void)buffer;
    *point = 0;
    return 0;
}
#endif

size_t oc__output_format_double(double value, char buffer[40])
{
    int point;
    size_t length = fixed_shortest(value, buffer, &point);
    return length > 0 ? length : format_by_printf(value, buffer);
}

size_t oc__output_format_json_number(double value, char buffer[40])
{
    /* jansson's rules (jsonp_dtostr): a point or an exponent always, so
     * the number reads back as a real; no '+' and no leading zeros in the
     * exponent. */
    int point;
    size_t length = fixed_shortest(value, buffer, &point);
    if (length > 0) {
        if (!point) {
            memcpy(buffer + length, ".0", 3);
            length += 2;
        }
        return length;
    }
    length = format_by_printf(value, buffer);
    char *exponent = memchr(buffer, 'e', length);
    if (exponent == NULL) {
        if (memchr(buffer, '.', length) == NULL) {
            memcpy(buffer + length, ".0", 3);
            length += 2;
        }
        return length;
    }
    char *start = exponent + 1;
    if (*start == '-')
        start++;
    char *end = start;
    while (*end == '+' || *end == '0')
        end++;
    if (end != start) {
        memmove(start, end, (size_t)(buffer + length - end) + 1);
        length -= (size_t)(end - start);
    }
    return length;
}

size_t oc__output_number_cache_format(oc__output_number_cache *cache,
                                      size_t (*format)(double value, char buffer[40]),
                                      double value, char buffer[40])
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    /* Fibonacci hashing: the top bits of the product depend on them all */
    oc__output_number_slot *kept
        = &cache->slots[(bits * 0x9e3779b97f4a7c15u) >> (64 - OC__OUTPUT_NUMBER_SLOT_BITS)];
    if (kept->bits == bits && kept->length != 0) {
        memcpy(buffer, kept->text, sizeof kept->text); /* the NUL too */
        return kept->length;
    }
    size_t length = format(value, buffer);
    if (length <= OC__OUTPUT_NUMBER_KEPT) {
        kept->bits = bits;
        memcpy(kept->text, buffer, length + 1);
        kept->length = (unsigned char)length;
    }
    return length;
}

