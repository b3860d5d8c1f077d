/* store_hdf5.c: the few HDF5 chores the store's reader, checker and writer
 * all need: silencing HDF5's printing, turning its error stack into a
 * reason, string attributes and string datasets, CF time units. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "period.h"
#include "store_internal.h"

void oc__store_hdf5_quiet(void)
{
    static int quiet;
    if (!quiet) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        quiet = 1;
    }
}

void oc__store_prepare_library(void)
{
    (void)H5dont_atexit(); /* refused, harmlessly, once the library is running */
    oc__store_hdf5_quiet();
}

typedef struct reason_buffer {
    char *text;
    size_t size;
} reason_buffer;

static herr_t keep_innermost(unsigned position, const H5E_error2_t *entry, void *data)
{
    reason_buffer *reason = data;
    /* Walking upward, position 0 is the innermost (most specific) error. */
    if (position == 0 && entry->desc != NULL && entry->desc[0] != '\0')
        snprintf(reason->text, reason->size, "%s", entry->desc);
    return 0;
}

void oc__store_hdf5_reason(char *buffer, size_t size)
{
    reason_buffer reason = {buffer, size};
    if (size == 0)
        return;
    snprintf(buffer, size, "no HDF5 detail");
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &reason);
    H5Eclear2(H5E_DEFAULT);
}

hid_t oc__store_variable_string_type(H5T_cset_t character_set)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    if (type >= 0
        && (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, character_set) < 0)) {
        H5Tclose(type);
        return H5I_INVALID_HID;
    }
    return type;
}

hid_t oc__store_conversion_transfer(size_t element_count, size_t element_size)
{
    const size_t most = (size_t)1 << 20; /* H5D_TEMP_BUF_SIZE */
    if (element_size == 0)
        element_size = 1;
    size_t bytes = element_count > 0 && element_count <= most / element_size
                       ? element_count * element_size
                       : most;
    if (bytes < element_size)
        bytes = element_size;
    hid_t transfer = H5Pcreate(H5P_DATASET_XFER);
    if (transfer >= 0 && H5Pset_buffer(transfer, bytes, NULL, NULL) < 0) {
        H5Pclose(transfer);
        return H5I_INVALID_HID;
    }
    return transfer;
}

/* Reads an open attribute of one element into value; returns OC_OK, or
 * OC_ERROR_FORMAT when its type is not the kind the reader wants. */
typedef int (*attribute_reader)(hid_t attribute, hid_t type, hid_t space, void *value);

/* Opens attribute `name` of object and hands it to read when it holds
 * exactly one element; closes everything and clears HDF5's error stack,
 * whatever read returns. OC_ERROR_NOT_FOUND when absent. */
static int read_one_element_attribute(hid_t object, const char *name, attribute_reader read,
                                      void *value)
{
    if (H5Aexists(object, name) <= 0)
        return OC_ERROR_NOT_FOUND;
    hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
    if (attribute < 0)
        return OC_ERROR_FORMAT;
    int status = OC_ERROR_FORMAT;
    hid_t type = H5Aget_type(attribute);
    hid_t space = H5Aget_space(attribute);
    if (type >= 0 && space >= 0 && H5Sget_simple_extent_npoints(space) == 1)
        status = read(attribute, type, space, value);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    H5Aclose(attribute);
    H5Eclear2(H5E_DEFAULT);
    return status;
}

static int read_string(hid_t attribute, hid_t type, hid_t space, void *value_out)
{
    char **value = value_out;
    int status = OC_ERROR_FORMAT;
    if (H5Tget_class(type) != H5T_STRING)
        return status;
    if (H5Tis_variable_str(type) > 0) {
        hid_t memory_type = oc__store_variable_string_type(H5Tget_cset(type));
        char *text = NULL;
        if (memory_type >= 0 && H5Aread(attribute, memory_type, &text) >= 0) {
            *value = strdup(text != NULL ? text : "");
            status = *value != NULL ? OC_OK : OC_ERROR_NO_MEMORY;
            H5Dvlen_reclaim(memory_type, space, H5P_DEFAULT, &text);
        }
        if (memory_type >= 0)
            H5Tclose(memory_type);
    } else {
        size_t length = H5Tget_size(type);
        char *text = calloc(length + 1, 1);
        if (text == NULL)
            status = OC_ERROR_NO_MEMORY;
        else if (H5Aread(attribute, type, text) >= 0) {
            *value = text;
            text = NULL;
            status = OC_OK;
        }
        free(text);
    }
    return status;
}

int oc__store_read_string_attribute(hid_t object, const char *name, char **value)
{
    *value = NULL;
    return read_one_element_attribute(object, name, read_string, value);
}

static int read_number(hid_t attribute, hid_t type, hid_t space, void *value)
{
    (void)space;
    H5T_class_t type_class = H5Tget_class(type);
    if ((type_class == H5T_INTEGER || type_class == H5T_FLOAT)
        && H5Aread(attribute, H5T_NATIVE_DOUBLE, value) >= 0)
        return OC_OK;
    return OC_ERROR_FORMAT;
}

int oc__store_read_number_attribute(hid_t object, const char *name, double *value)
{
    return read_one_element_attribute(object, name, read_number, value);
}

int oc__store_write_string_attribute(hid_t object, const char *name, const char *value)
{
    hid_t type = oc__store_variable_string_type(H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    int status = OC_ERROR_IO;
    if (type >= 0 && space >= 0) {
        hid_t attribute = H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attribute >= 0) {
            if (H5Awrite(attribute, type, &value) >= 0)
                status = OC_OK;
            H5Aclose(attribute);
        }
    }
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return status;
}

/* The selection both directions share; exactly one of read_into and
 * write_from is set, by the two functions below. */
static int transfer_block(hid_t dataset, hid_t file_space, size_t first_area,
                          size_t area_count, size_t time_count, double *read_into,
                          const double *write_from, char *reason, size_t size)
{
    hsize_t start[2] = {first_area, 0};
    hsize_t count[2] = {area_count, time_count};
    hid_t memory_space = H5Screate_simple(2, count, NULL);
    int failed = memory_space < 0
                 || H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) < 0
                 || (read_into != NULL
                         ? H5Dread(dataset, H5T_NATIVE_DOUBLE, memory_space, file_space,
                                   H5P_DEFAULT, read_into)
                         : H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory_space, file_space,
                                    H5P_DEFAULT, write_from)) < 0;
    if (failed) /* before H5Sclose resets HDF5's error stack */
        oc__store_hdf5_reason(reason, size);
    if (memory_space >= 0)
        H5Sclose(memory_space);
    return failed ? OC_ERROR_IO : OC_OK;
}

int oc__store_read_block(hid_t dataset, hid_t file_space, size_t first_area, size_t area_count,
                         size_t time_count, double *values, char *reason, size_t size)
{
    return transfer_block(dataset, file_space, first_area, area_count, time_count, values, NULL,
                          reason, size);
}

int oc__store_write_block(hid_t dataset, hid_t file_space, size_t first_area, size_t area_count,
                          size_t time_count, const double *values, char *reason, size_t size)
{
    return transfer_block(dataset, file_space, first_area, area_count, time_count, NULL, values,
                          reason, size);
}

void oc__store_strings_free(oc__store_strings *strings)
{
    free(strings->items);
    free(strings->pool);
    memset(strings, 0, sizeof *strings);
}

/* Lays count texts (text_at(i), of which NULL means "") out in one pool. */
static int pack_strings(oc__store_strings *strings, size_t count,
                        const char *(*text_at)(const void *, size_t, size_t *),
                        const void *source)
{
    size_t total = 0, length;
    for (size_t i = 0; i < count; i++) {
        text_at(source, i, &length);
        total += length + 1;
    }
    strings->items = malloc((count ? count : 1) * sizeof *strings->items);
    strings->pool = malloc(total ? total : 1);
    if (strings->items == NULL || strings->pool == NULL) {
        oc__store_strings_free(strings);
        return OC_ERROR_NO_MEMORY;
    }
    char *cursor = strings->pool;
    for (size_t i = 0; i < count; i++) {
        const char *text = text_at(source, i, &length);
        memcpy(cursor, text, length);
        cursor[length] = '\0';
        strings->items[i] = cursor;
        cursor += length + 1;
    }
    strings->count = count;
    return OC_OK;
}

static const char *variable_text(const void *source, size_t index, size_t *length)
{
    const char *text = ((char *const *)source)[index];
    if (text == NULL)
        text = "";
    *length = strlen(text);
    return text;
}

typedef struct fixed_texts {
    const char *buffer;
    size_t width;
} fixed_texts;

static const char *fixed_text(const void *source, size_t index, size_t *length)
{
    const fixed_texts *texts = source;
    const char *text = texts->buffer + index * texts->width;
    /* Fixed-length strings are padded with NULs or spaces. */
    size_t used = strnlen(text, texts->width);
    while (used > 0 && text[used - 1] == ' ')
        used--;
    *length = used;
    return text;
}

/* HDF5 mallocs each variable-length string it reads, and H5Dvlen_reclaim
 * frees them one by one: 98,532 of each for a national store's codes,
 * names and parents, read while the host waits to plan. They are copied
 * into one pool straight away, so they are taken from an arena and freed
 * with it (a fifth fewer instructions reading them). */
static void *allocate_piece(size_t size, void *arena)
{
    return oc__arena_allocate(arena, size);
}

static void keep_piece(void *piece, void *arena)
{
    (void)piece; /* freed with the arena */
    (void)arena;
}

int oc__store_read_strings(hid_t dataset, oc__store_strings *strings, char *reason,
                           size_t size)
{
    memset(strings, 0, sizeof *strings);
    hid_t type = H5Dget_type(dataset);
    hid_t space = H5Dget_space(dataset);
    int status = OC_ERROR_FORMAT;
    if (type < 0 || space < 0) {
        oc__store_hdf5_reason(reason, size);
        goto done;
    }
    if (H5Tget_class(type) != H5T_STRING) {
        snprintf(reason, size, "holds numbers, not text");
        goto done;
    }
    if (H5Sget_simple_extent_ndims(space) != 1) {
        snprintf(reason, size, "is not one-dimensional");
        goto done;
    }
    hssize_t count = H5Sget_simple_extent_npoints(space);
    if (count < 0) {
        oc__store_hdf5_reason(reason, size);
        goto done;
    }
    /* A dataspace can claim far more entries than the file holds; refuse
     * a count whose bytes would wrap around size_t (and so buffer less
     * than HDF5 writes and the loop below reads). */
    size_t entry_size = H5Tis_variable_str(type) > 0 ? sizeof(char *) : H5Tget_size(type);
    if ((uint64_t)count > SIZE_MAX / (entry_size ? entry_size : 1)) {
        snprintf(reason, size, "has %lld entries, too many", (long long)count);
        goto done;
    }
    if (H5Tis_variable_str(type) > 0) {
        hid_t memory_type = oc__store_variable_string_type(H5Tget_cset(type));
        /* In the file a variable-length string is a length, a heap
         * address and an index: 24 bytes at most (16-byte addresses);
         * H5Tget_size gives its size in memory. */
        size_t file_size = H5Tget_size(type) > 32 ? H5Tget_size(type) : 32;
        hid_t transfer = oc__store_conversion_transfer((size_t)count, file_size);
        oc__arena pieces = {0};
        char **texts = calloc(count ? (size_t)count : 1, sizeof *texts);
        if (texts == NULL)
            status = OC_ERROR_NO_MEMORY;
        else if (memory_type < 0 || transfer < 0
                 || H5Pset_vlen_mem_manager(transfer, allocate_piece, &pieces, keep_piece,
                                            &pieces) < 0
                 || H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, transfer, texts) < 0)
            oc__store_hdf5_reason(reason, size);
        else
            status = pack_strings(strings, (size_t)count, variable_text, texts);
        oc__arena_free(&pieces); /* every text HDF5 read, also after a failure */
        free(texts);
        if (transfer >= 0)
            H5Pclose(transfer);
        if (memory_type >= 0)
            H5Tclose(memory_type);
    } else {
        size_t width = H5Tget_size(type);
        char *buffer = malloc(count && width ? (size_t)count * width : 1);
        if (buffer == NULL)
            status = OC_ERROR_NO_MEMORY;
        else if (H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
            oc__store_hdf5_reason(reason, size);
        else {
            fixed_texts texts = {buffer, width};
            status = pack_strings(strings, (size_t)count, fixed_text, &texts);
        }
        free(buffer);
    }
    if (status == OC_ERROR_NO_MEMORY)
        snprintf(reason, size, "out of memory");
done:
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return status;
}

static const struct {
    const char *name;
    int64_t seconds;
} time_units[] = {
    {"days", 86400}, {"day", 86400}, {"d", 86400},
    {"hours", 3600}, {"hour", 3600}, {"h", 3600},
    {"minutes", 60}, {"minute", 60}, {"min", 60},
    {"seconds", 1}, {"second", 1}, {"s", 1},
    {"weeks", 7 * 86400}, {"week", 7 * 86400},
};

int oc__store_parse_time_units(const char *units, int64_t *base_seconds,
                               int64_t *unit_seconds)
{
    char unit[16];
    int year, month, day, consumed = 0;
    if (sscanf(units, " %15s since %d-%d-%d%n", unit, &year, &month, &day, &consumed) != 4)
        return OC_ERROR_FORMAT;
    if (!oc__date_is_valid(year, month, day))
        return OC_ERROR_FORMAT;
    *unit_seconds = 0;
    for (size_t i = 0; i < sizeof time_units / sizeof time_units[0]; i++)
        if (strcmp(unit, time_units[i].name) == 0)
            *unit_seconds = time_units[i].seconds;
    if (*unit_seconds == 0)
        return OC_ERROR_FORMAT;
    const char *rest = units + consumed;
    int hour = 0, minute = 0;
    double second = 0;
    if ((*rest == 'T' || *rest == ' ') && isdigit((unsigned char)rest[1])) {
        int time_consumed = 0;
        if (sscanf(rest + 1, "%d:%d%n", &hour, &minute, &time_consumed) == 2) {
            rest += 1 + time_consumed;
            if (*rest == ':') {
                char *end;
                second = strtod(rest + 1, &end);
                rest = end;
            }
        }
    }
    while (isspace((unsigned char)*rest))
        rest++;
    /* A UTC offset of zero ("Z", "+00:00", "UTC") is the only one allowed. */
    if (*rest != '\0' && strcmp(rest, "Z") != 0 && strcmp(rest, "UTC") != 0
        && strcmp(rest, "+00:00") != 0 && strcmp(rest, "+0000") != 0)
        return OC_ERROR_FORMAT;
    /* Written so that NaN fails too: it must not reach the integer cast. */
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || !(second >= 0 && second < 61)
        || second != (double)(int64_t)second)
        return OC_ERROR_FORMAT;
    *base_seconds = (int64_t)oc__days_from_civil(year, month, day) * 86400
                    + hour * 3600 + minute * 60 + (int64_t)second;
    return OC_OK;
}
