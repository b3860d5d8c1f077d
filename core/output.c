/* output.c: what the three writers share (the column list, format names,
 * UTF-8 and number hygiene) and the atomic file wrapper; see output.h. */
#include "config.h"

#include <errno.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "atomic_file.h"
#include "compiler.h"
#include "direct_writer.h"
#include "output.h"
#include "utf8.h"

const char *const oc__output_column_names[] = {
#define NAME(field) #field,
    OC__RESULT_FIELDS(NAME, NAME, NAME)
#undef NAME
};
const size_t oc__output_column_count =
    sizeof oc__output_column_names / sizeof oc__output_column_names[0];
_Static_assert(sizeof oc__output_column_names / sizeof oc__output_column_names[0]
                   <= OC_OUTPUT_MAX_COLUMNS,
               "more columns than the writers keep state for");

static const char *const format_names[] = {"table", "csv", "json"};

int oc__output_format_parse(const char *name, oc__output_format *format, oc_error *error)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (name != NULL && strcmp(name, format_names[i]) == 0) {
            *format = (oc__output_format)i;
            return OC_OK;
        }
    return oc_error_set(error, OC_ERROR_INVALID,
                        "unknown output format '%s' (expected table, csv or json)",
                        name != NULL ? name : "");
}

const char *oc__output_format_name(oc__output_format format)
{
    if ((size_t)format < sizeof format_names / sizeof format_names[0])
        return format_names[format];
    return "unknown";
}

char *oc__output_valid_utf8(const char *text)
{
    static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
    size_t length = strlen(text);
    char *copy = malloc(3 * length + 1);
    if (copy == NULL)
        return NULL;
    const unsigned char *in = (const unsigned char *)text;
    char *out = copy;
    while (*in != '\0') {
        size_t sequence = oc__utf8_sequence_length(in);
        if (sequence == 0) {
            memcpy(out, replacement, 3);
            out += 3;
            in++;
        } else {
            memcpy(out, in, sequence);
            out += sequence;
            in += sequence;
        }
    }
    *out = '\0';
    return copy;
}

/* The definition, by brute force: what %.15g, %.16g and %.17g print, and
 * strtod reading each back. Slow (up to four printf and two strtod calls,
 * arbitrary-precision arithmetic in both), so used only outside the range
 * exact_shortest covers. */
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

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 wide_unsigned;

static const uint64_t digit_limits[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
    10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
    10000000000000000000u,
};

/* significand * 10^exponent for exponent 0..22: 10^22 times a 53-bit
 * significand still fits in 128 bits. */
static wide_unsigned times_power_of_ten(uint64_t significand, int exponent)
{
    if (exponent <= 19)
        return (wide_unsigned)significand * digit_limits[exponent];
    return (wide_unsigned)significand * digit_limits[19] * digit_limits[exponent - 19];
}

/* value = significand * 2^-shift exactly, with shift > 0 and the
 * significand's top bit 2^52 (a normal double below 2^52). */
typedef struct binary_value {
    uint64_t significand;
    int shift;
} binary_value;

/* The exact value at 17 significant digits: value * 10^scale =
 * whole + fraction / 2^shift with 10^16 <= whole < 10^17, everything
 * integer (exact = value * 10^scale * 2^shift, a 128-bit integer). The
 * roundings to 15, 16 and 17 digits all come from it. */
typedef struct decimal_value {
    uint64_t whole;
    wide_unsigned fraction;
    wide_unsigned exact;
    int scale;
} decimal_value;

/* 0 when the scale needed is outside 2..22 (then the caller falls back). */
static int to_seventeen_digits(binary_value binary, int scale_guess, decimal_value *decimal)
{
    for (int scale = scale_guess, attempts = 0; attempts < 3; attempts++) {
        if (scale < 2 || scale > 22)
            return 0;
        wide_unsigned exact = times_power_of_ten(binary.significand, scale);
        wide_unsigned whole = exact >> binary.shift;
        if (whole < digit_limits[16]) {
            scale++;
            continue;
        }
        if (whole >= digit_limits[17]) {
            scale--;
            continue;
        }
        decimal->whole = (uint64_t)whole;
        decimal->fraction = exact - (whole << binary.shift);
        decimal->exact = exact;
        decimal->scale = scale;
        return 1;
    }
    return 0;
}

/* The digits %.{precision}g prints, 15 <= precision <= 17: the exact
 * value correctly rounded, ties to even as glibc's printf rounds.
 * *rounded is the same number with 17 - precision zeros appended (at the
 * decimal's scale), for reads_back. */
static uint64_t round_to_digits(binary_value binary, const decimal_value *decimal, int precision,
                                uint64_t *rounded)
{
    /* Constant divisors: a division by a variable is a slow instruction. */
    uint64_t unit = precision == 15 ? 100 : precision == 16 ? 10 : 1;
    uint64_t digits = precision == 15   ? decimal->whole / 100
                      : precision == 16 ? decimal->whole / 10
                                        : decimal->whole;
    uint64_t rest = decimal->whole - digits * unit;
    int up;
    if (unit == 1) {
        wide_unsigned half = (wide_unsigned)1 << (binary.shift - 1);
        up = decimal->fraction > half || (decimal->fraction == half && (digits & 1) != 0);
    } else {
        uint64_t half = unit / 2;
        up = rest > half || (rest == half && (decimal->fraction != 0 || (digits & 1) != 0));
    }
    digits += (uint64_t)up;
    *rounded = digits * unit; /* at most 10^17: fits */
    return digits;
}

/* Whether strtod would read the decimal rounded (at the decimal's scale)
 * back as exactly the binary value: it does when the decimal is inside
 * the value's rounding interval, half the gap to each neighbouring double
 * (the gap below is half as wide for a power of two), its ends included
 * when the significand is even (ties go to even). Compared exactly,
 * everything scaled by 10^scale * 2^shift, so the gap above becomes
 * 10^scale. */
static int reads_back(binary_value binary, const decimal_value *decimal, uint64_t rounded)
{
    wide_unsigned power = times_power_of_ten(1, decimal->scale);
    wide_unsigned exact = decimal->exact;
    wide_unsigned candidate = (wide_unsigned)rounded << binary.shift;
    int even = (binary.significand & 1) == 0;
    if (candidate >= exact) {
        wide_unsigned twice_distance = 2 * (candidate - exact);
        return twice_distance < power || (even && twice_distance == power);
    }
    wide_unsigned distance = exact - candidate;
    int power_of_two = binary.significand == (uint64_t)1 << 52;
    wide_unsigned scaled_distance = (power_of_two ? 4 : 2) * distance;
    return scaled_distance < power || (even && scaled_distance == power);
}

/* The 8 decimal digits of value < 10^8, leading zeros included, as 8
 * ASCII bytes in memory order: split into halves, quarters and single
 * digits in lanes of one 64-bit word, each division a multiplication and
 * a shift (v * 5243 >> 19 is v / 100 for v < 43699, v * 103 >> 10 is
 * v / 10 for v < 179), instead of a loop of divisions. Inlined, so that
 * the two halves of a number, each a chain of dependent multiplications,
 * run side by side. */
static ALWAYS_INLINE uint64_t eight_digits(uint32_t value)
{
    uint64_t lanes = (uint64_t)(value / 10000) | ((uint64_t)(value % 10000) << 32);
    uint64_t hundreds = ((lanes * 5243) >> 19) & 0x0000007f0000007fu;
    lanes = hundreds | ((lanes - hundreds * 100) << 16);
    uint64_t tens = ((lanes * 103) >> 10) & 0x000f000f000f000fu;
    lanes = tens | ((lanes - tens * 10) << 8);
    return lanes + 0x3030303030303030u; /* '0' in every byte */
}

/* The 17 decimal digits of digits < 10^17, leading zeros included. */
static void write_seventeen_digits(char out[17], uint64_t digits)
{
    uint64_t top = digits / 10000000000000000u, rest = digits % 10000000000000000u;
    uint64_t high = eight_digits((uint32_t)(rest / 100000000u));
    uint64_t low = eight_digits((uint32_t)(rest % 100000000u));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    /* The lanes put the first digit in the lowest byte. */
    high = __builtin_bswap64(high);
    low = __builtin_bswap64(low);
#endif
    out[0] = (char)('0' + top);
    memcpy(out + 1, &high, 8);
    memcpy(out + 9, &low, 8);
}

/* %.{precision}g in its fixed-point form for digits * 10^-scale: the
 * point `scale` digits from the right, trailing zeros after it dropped,
 * and the point too when nothing follows it (*point says whether one
 * was written). The text is put together in a scratch buffer by copies
 * of fixed sizes, longer than needed, and then 32 bytes are copied out:
 * copies of a length known only at run time were a call each. */
static size_t write_fixed(char out[32], int negative, uint64_t digits, int precision, int scale,
                          int *point)
{
    char all[17 + 16]; /* the digits, and room for the longer copies below */
    write_seventeen_digits(all, digits);
    memset(all + 17, '0', 16);
    const char *text = all + 17 - precision;
    int whole_digits = precision - scale; /* may be zero or negative: 0.000ddd */
    int last = precision;                 /* one past the last digit kept */
    while (last > whole_digits && last > 0 && text[last - 1] == '0')
        last--;
    *point = last > whole_digits;
    char scratch[64] = {0};
    size_t length = 0;
    scratch[0] = '-';
    length += (size_t)(negative != 0);
    if (whole_digits <= 0) {
        /* %g's fixed form starts at 1e-4: at most three zeros after the
         * point, before the first digit */
        memcpy(scratch + length, "0.000", 5);
        length += last > 0 ? (size_t)(2 - whole_digits) : 1;
        memcpy(scratch + length, text, 17);
        length += (size_t)last;
    } else {
        memcpy(scratch + length, text, 17);
        length += (size_t)whole_digits;
        if (*point) {
            scratch[length] = '.';
            memcpy(scratch + length + 1, text + whole_digits, 16);
            length += 1 + (size_t)(last - whole_digits);
        }
    }
    scratch[length] = '\0';
    memcpy(out, scratch, 32);
    return length;
}

/* The exact, printf-free way for zero and 1e-4 <= |value| < 1e15 (where
 * every result's numbers are): the same precision choice and the same text as
 * the definition, proven identical on random doubles by the tests. 0 when
 * value is outside that range or a case it does not handle. *point: whether
 * the text has a decimal point (it never has an exponent). */
static size_t exact_shortest(double value, char buffer[32], int *point)
{
    *point = 0;
    double magnitude = fabs(value);
    if (magnitude == 0) {
        /* Zero (no change, no incidents) is common: %.15g prints "0" or "-0". */
        size_t length = 0;
        if (signbit(value))
            buffer[length++] = '-';
        buffer[length++] = '0';
        buffer[length] = '\0';
        return length;
    }
    if (!(magnitude >= 1e-4 && magnitude < 1e15))
        return 0;
    if (magnitude >= 1 && magnitude == floor(magnitude)) {
        /* A whole number of at most 15 digits: %.15g prints exactly its
         * digits, and they read back (counts, changes in counts, pounds). */
        uint64_t whole = (uint64_t)magnitude;
        int digits = 1;
        while (digits < 15 && whole >= digit_limits[digits])
            digits++;
        return write_fixed(buffer, value < 0, whole, digits, 0, point);
    }
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    int biased_exponent = (int)((bits >> 52) & 0x7ff);
    binary_value binary = {(bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52),
                           1075 - biased_exponent};
    /* floor(log10(magnitude)) or one less (log10(2) < 0.30103 by 2e-7,
     * and 1 <= significand / 2^52 < 2); to_seventeen_digits corrects it */
    int binary_exponent = biased_exponent - 1023;
    int decimal_exponent = binary_exponent >= 0 ? binary_exponent * 30103 / 100000
                                                : -((-binary_exponent * 30103 + 99999) / 100000);
    decimal_value decimal;
    if (!to_seventeen_digits(binary, 16 - decimal_exponent, &decimal))
        return 0;
    /* 15 digits read back only when the 17-digit decimal is within half a
     * gap between doubles of a multiple of 100 (in units of its 17th
     * digit). The gap is value / significand * 10^scale < 10^17 / 2^52,
     * under 22.3 units, so half of it is under 11.2; and the distance to
     * the nearest multiple of 100 is at least 12 when the last two digits
     * are 13 to 87 (the fraction below a unit taken off). Most computed
     * values are such, and skip the 15-digit rounding and its check. */
    uint64_t last_two = decimal.whole % 100;
    int first_precision = last_two >= 13 && last_two <= 87 ? 16 : 15;
    for (int precision = first_precision; precision <= 17; precision++) {
        uint64_t rounded;
        uint64_t digits = round_to_digits(binary, &decimal, precision, &rounded);
        int scale = decimal.scale - (17 - precision);
        if (digits == digit_limits[precision]) {
            /* 9.99..5 rounded up to 10.00..: one digit fewer after the point */
            digits = digit_limits[precision - 1];
            scale--;
        }
        /* %g's fixed form needs -4 <= exponent < precision */
        int exponent = precision - 1 - scale;
        if (scale < 0 || exponent < -4 || exponent >= precision)
            return 0;
        if (precision == 17 || reads_back(binary, &decimal, rounded))
            return write_fixed(buffer, value < 0, digits, precision, scale, point);
    }
    return 0;
}
#else
static size_t exact_shortest(double value, char buffer[32], int *point)
{
    (void)value;
    (void)buffer;
    *point = 0;
    return 0;
}
#endif

int oc__output_shortest_precision(double value)
{
    return shortest_precision_by_printf(value);
}

/* The definition itself, for the values exact_shortest leaves. */
static size_t format_by_printf(double value, char buffer[32])
{
    int written = snprintf(buffer, 32, "%.*g", shortest_precision_by_printf(value), value);
    return written > 0 ? (size_t)written : 0;
}

size_t oc__output_format_double(double value, char buffer[32])
{
    int point;
    size_t length = exact_shortest(value, buffer, &point);
    return length > 0 ? length : format_by_printf(value, buffer);
}

size_t oc__output_format_json_number(double value, char buffer[40])
{
    /* jansson's rules (jsonp_dtostr): a point or an exponent always, so
     * the number reads back as a real; no '+' and no leading zeros in the
     * exponent. */
    int point;
    size_t length = exact_shortest(value, buffer, &point);
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

void oc__output_buffer_init(oc__output_buffer *buffer, FILE *stream)
{
    memset(buffer, 0, sizeof *buffer);
    buffer->stream = stream;
    buffer->limit = OC__OUTPUT_BLOCK_SIZE;
}

void oc__output_buffer_bypass_cache(oc__output_buffer *buffer)
{
    if (buffer->direct != NULL || buffer->length > 0 || fflush(buffer->stream) != 0
        || ftello(buffer->stream) != 0
        || oc__direct_writer_start(fileno(buffer->stream), &buffer->direct) != 0)
        return;
    free(buffer->data);
    buffer->data = oc__direct_writer_block(buffer->direct);
    buffer->capacity = OC__DIRECT_BLOCK_SIZE + OC__DIRECT_SLACK;
    buffer->limit = OC__DIRECT_BLOCK_SIZE;
}

static void note_write_failure(oc__output_buffer *buffer, int error_number)
{
    if (!buffer->write_failed) {
        buffer->write_failed = 1;
        buffer->write_errno = error_number;
    }
}

/* Back to writing through the stream, after everything the direct writer
 * was given; the stream is put at the end of it. */
static void stop_bypassing_cache(oc__output_buffer *buffer)
{
    int failure = oc__direct_writer_finish(buffer->direct, buffer->length);
    if (failure == 0 && fseeko(buffer->stream, 0, SEEK_END) != 0)
        failure = errno;
    if (failure != 0)
        note_write_failure(buffer, failure);
    oc__direct_writer_free(buffer->direct);
    buffer->direct = NULL;
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
    buffer->limit = OC__OUTPUT_BLOCK_SIZE;
}

/* A full block to the direct writer, the bytes past its end carried into
 * the next. After a failed write the rest goes the ordinary way, where
 * write_failed discards it and the flush reports the failure. */
static void hand_over_block(oc__output_buffer *buffer)
{
    char *next = oc__direct_writer_submit(buffer->direct, buffer->length - OC__DIRECT_BLOCK_SIZE);
    if (next == NULL) {
        stop_bypassing_cache(buffer);
        return;
    }
    buffer->data = next;
    buffer->length -= OC__DIRECT_BLOCK_SIZE;
}

static void write_block(oc__output_buffer *buffer)
{
    if (buffer->length > 0 && !buffer->write_failed
        && fwrite(buffer->data, 1, buffer->length, buffer->stream) != buffer->length)
        note_write_failure(buffer, errno);
    buffer->length = 0;
}

/* Grows data to hold at least needed bytes; 0, or -1 (and the buffer
 * marked out of memory, so that every later append does nothing). */
static int grow(oc__output_buffer *buffer, size_t needed)
{
    size_t capacity = buffer->capacity > 0 ? buffer->capacity : 2 * OC__OUTPUT_BLOCK_SIZE;
    while (capacity < needed)
        capacity *= 2;
    char *data = realloc(buffer->data, capacity);
    if (data == NULL) {
        buffer->out_of_memory = 1;
        buffer->capacity = buffer->length; /* no room: every later append comes here */
        return -1;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return 0;
}

/* Room in the direct writer's block, or NULL when the piece is larger than
 * a block's slack (then, a rare case, the rest goes the ordinary way). */
static char *room_in_block(oc__output_buffer *buffer, size_t size)
{
    if (buffer->length >= OC__DIRECT_BLOCK_SIZE)
        hand_over_block(buffer);
    if (buffer->direct != NULL && size < buffer->capacity - buffer->length)
        return buffer->data + buffer->length;
    if (buffer->direct != NULL)
        stop_bypassing_cache(buffer);
    return NULL;
}

void oc__output_buffer_append_slowly(oc__output_buffer *buffer, const char *text,
                                     size_t length)
{
    if (buffer->out_of_memory)
        return;
    if (buffer->direct != NULL) {
        char *room = room_in_block(buffer, length);
        if (room != NULL) {
            memcpy(room, text, length);
            buffer->length += length;
            return;
        }
    }
    if (buffer->length + length > buffer->capacity && grow(buffer, buffer->length + length) != 0)
        return;
    memcpy(buffer->data + buffer->length, text, length);
    buffer->length += length;
    if (buffer->length >= OC__OUTPUT_BLOCK_SIZE)
        write_block(buffer);
}

char *oc__output_buffer_make_room(oc__output_buffer *buffer, size_t size)
{
    if (buffer->out_of_memory)
        return NULL;
    if (buffer->direct != NULL) {
        char *room = room_in_block(buffer, size);
        if (room != NULL)
            return room;
    }
    if (buffer->length + size >= OC__OUTPUT_BLOCK_SIZE)
        write_block(buffer);
    if (size >= buffer->capacity - buffer->length && grow(buffer, buffer->length + size + 1) != 0)
        return NULL;
    return buffer->data + buffer->length;
}

int oc__output_buffer_flush(oc__output_buffer *buffer, const char *what, oc_error *error)
{
    if (buffer->out_of_memory)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while writing %s", what);
    if (buffer->direct != NULL)
        stop_bypassing_cache(buffer);
    else
        write_block(buffer);
    if (buffer->write_failed && buffer->write_errno != 0)
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing %s: %s", what,
                            strerror(buffer->write_errno));
    if (buffer->write_failed || ferror(buffer->stream))
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing %s", what);
    return OC_OK;
}

void oc__output_buffer_free(oc__output_buffer *buffer)
{
    if (buffer->direct != NULL)
        oc__direct_writer_free(buffer->direct); /* which owns data */
    else
        free(buffer->data);
    buffer->direct = NULL;
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
}

/* Whether any of the eight bytes in word is outside printable ASCII or
 * is '"' or '\\', all eight at once. Each test is exact as "any": a byte
 * below 0x20 borrows only once the lowest such byte is found, and a byte
 * with its top bit set is caught by the first term. */
#define BYTES_OF(value) (0x0101010101010101u * (value))
static ALWAYS_INLINE uint64_t has_zero_byte(uint64_t word)
{
    return (word - BYTES_OF(0x01)) & ~word & BYTES_OF(0x80);
}

static ALWAYS_INLINE uint64_t has_unplain_byte(uint64_t word)
{
    return (word & BYTES_OF(0x80)) | ((word - BYTES_OF(0x20)) & ~word & BYTES_OF(0x80))
           | has_zero_byte(word ^ BYTES_OF('"')) | has_zero_byte(word ^ BYTES_OF('\\'))
           | has_zero_byte(word ^ BYTES_OF(0x7f));
}

static int is_plain_byte(unsigned char byte)
{
    return byte >= 0x20 && byte <= 0x7e && byte != '"' && byte != '\\';
}

/* Printable ASCII without '"' or '\\': both JSON (jansson) and CSV
 * (libcsv) write such a string as itself between double quotes. Area
 * names are new with every area, so a national run met them as cache
 * misses 130,000 times, each a jansson or libcsv call. The length, or
 * (size_t)-1 for any other string. Checked eight bytes at a time (the
 * last word overlapping the one before), never past the NUL: a byte at a
 * time, it was 5% of the host in perf. */
static size_t plain_length(const char *text)
{
    size_t length = strlen(text);
    if (length < 8) {
        for (size_t i = 0; i < length; i++)
            if (!is_plain_byte((unsigned char)text[i]))
                return (size_t)-1;
        return length;
    }
    uint64_t word, unplain = 0;
    for (size_t i = 0; i + 8 < length; i += 8) {
        memcpy(&word, text + i, 8);
        unplain |= has_unplain_byte(word);
    }
    memcpy(&word, text + length - 8, 8);
    unplain |= has_unplain_byte(word);
    return unplain != 0 ? (size_t)-1 : length;
}

int oc__output_cache_append(oc__output_cache *cache, const char *text,
                            oc__output_escape_function escape, oc__output_buffer *buffer)
{
    int repeated = text == cache->last_text;
    size_t plain = repeated ? cache->last_plain_length : plain_length(text);
    if (plain != (size_t)-1) {
        cache->last_text = text;
        cache->last_plain_length = plain;
        char *room = oc__output_buffer_reserve(buffer, plain + 2);
        if (room != NULL) { /* else out of memory, which the flush reports */
            room[0] = '"';
            memcpy(room + 1, text, plain);
            room[plain + 1] = '"';
            oc__output_buffer_commit(buffer, plain + 2);
        }
        return 0;
    }
    cache->last_text = NULL; /* until entries[last] holds this text's form */
    for (size_t step = 0; step < OC_OUTPUT_CACHE_ENTRIES; step++) {
        size_t i = (cache->last + step) % OC_OUTPUT_CACHE_ENTRIES;
        /* The last text's entry is looked at first, and its address is enough. */
        if (cache->entries[i].text != NULL
            && ((repeated && step == 0) || strcmp(cache->entries[i].text, text) == 0)) {
            oc__output_buffer_append(buffer, cache->entries[i].escaped,
                                     cache->entries[i].escaped_length);
            cache->last = i;
            cache->last_text = text;
            cache->last_plain_length = (size_t)-1;
            return 0;
        }
    }
    char *escaped, *copy = strdup(text);
    size_t length;
    if (copy == NULL || escape(text, &escaped, &length) != 0) {
        free(copy);
        return -1;
    }
    oc__output_buffer_append(buffer, escaped, length);
    size_t slot = cache->next;
    cache->next = (slot + 1) % OC_OUTPUT_CACHE_ENTRIES;
    cache->last = slot;
    cache->last_text = text;
    cache->last_plain_length = (size_t)-1;
    free(cache->entries[slot].text);
    free(cache->entries[slot].escaped);
    cache->entries[slot].text = copy;
    cache->entries[slot].escaped = escaped;
    cache->entries[slot].escaped_length = length;
    return 0;
}

void oc__output_cache_forget_addresses(oc__output_cache *cache)
{
    cache->last_text = NULL;
}

void oc__output_cache_free(oc__output_cache *cache)
{
    for (size_t i = 0; i < OC_OUTPUT_CACHE_ENTRIES; i++) {
        free(cache->entries[i].text);
        free(cache->entries[i].escaped);
    }
    memset(cache, 0, sizeof *cache);
}

size_t oc__output_terminal_width(FILE *stream)
{
    int descriptor = fileno(stream);
    if (descriptor < 0 || !isatty(descriptor))
        return 0;
    struct winsize size;
    if (ioctl(descriptor, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    const char *columns = getenv("COLUMNS");
    if (columns != NULL) {
        char *end;
        long parsed = strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && parsed > 0 && parsed < 10000)
            return (size_t)parsed;
    }
    return 80;
}

int oc__output_write(FILE *stream, oc__output_format format, const oc__manifest *manifest,
                     const oc__result_list *results, size_t width, oc_error *error)
{
    switch (format) {
    case OC_OUTPUT_TABLE:
        return oc__output_write_table(stream, manifest, results, width, error);
    case OC_OUTPUT_CSV:
    case OC_OUTPUT_JSON: {
        oc__output_writer *writer;
        int status = oc__output_writer_begin(stream, format, &writer, error);
        if (status == OC_OK && (status = oc__output_writer_add(writer, results, error)) != OC_OK)
            oc__output_writer_free(writer);
        else if (status == OC_OK)
            status = oc__output_writer_end(writer, manifest, error);
        return status;
    }
    }
    return oc_error_set(error, OC_ERROR_INVALID, "unknown output format number %d", (int)format);
}

int oc__output_write_file(const char *path, oc__output_format format,
                          const oc__manifest *manifest, const oc__result_list *results,
                          oc_error *error)
{
    /* Reject a bad format before a temporary file exists. */
    if (strcmp(oc__output_format_name(format), "unknown") == 0)
        return oc_error_set(error, OC_ERROR_INVALID, "unknown output format number %d",
                            (int)format);
    if (path == NULL || strcmp(path, "-") == 0) {
        oc_error write_error;
        errno = 0;
        int status = oc__output_write(stdout, format, manifest, results,
                                      oc__output_terminal_width(stdout), &write_error);
        int write_errno = errno; /* a write stdio failed earlier sets it */
        if (status != OC_OK)
            return oc_error_set(error, status, "standard output: %s", write_error.message);
        errno = 0;
        if (fflush(stdout) != 0)
            write_errno = errno;
        else if (!ferror(stdout))
            return OC_OK;
        if (write_errno == 0)
            return oc_error_set(error, OC_ERROR_IO, "standard output: write failed");
        return oc_error_set(error, OC_ERROR_IO, "standard output: write failed: %s",
                            strerror(write_errno));
    }
    oc__atomic_file file;
    int status = oc__atomic_file_begin(&file, path, error);
    if (status != OC_OK)
        return status;
    oc_error write_error;
    status = oc__output_write(file.stream, format, manifest, results, 0, &write_error);
    if (status != OC_OK) {
        oc__atomic_file_abort(&file);
        return oc_error_set(error, status, "%s: %s", path, write_error.message);
    }
    return oc__atomic_file_commit(&file, error);
}
