/* store_frame.c: loading one frame (axes, area attributes, measure
 * metadata) and validating it as it loads. oc__store_open runs it to stop
 * at the first problem, oc__store_check to list them all, so the two can
 * never disagree about what a valid frame is. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5_hl.h>

#include "period.h"
#include "store_internal.h"

#define REASON_SIZE 256
#define OBJECT_SIZE 512
/* A chunk cache never grows past this, however wide a foreign file's
 * chunks are: memory stays bounded. */
#define CHUNK_CACHE_MAX_BYTES (64u << 20)
#define CHUNK_CACHE_MIN_BYTES (1u << 20)

int oc__store_sink_problem(oc__store_sink *sink, int status, const char *format, ...)
{
    char message[OC_ERROR_MESSAGE_SIZE];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    if (sink->count == 0)
        oc_error_set(sink->error, status, "%s: %s", sink->path, message);
    sink->count++;
    if (sink->report != NULL) {
        char line[OC_ERROR_MESSAGE_SIZE + 256];
        snprintf(line, sizeof line, "%s: %s", sink->path, message);
        sink->report(sink->context, line);
    }
    return status;
}

int oc__store_sink_collects(const oc__store_sink *sink)
{
    return sink->report != NULL;
}

int oc__store_is_axis_name(const char *name)
{
    return strcmp(name, "area") == 0 || strcmp(name, "time") == 0
           || strcmp(name, "area_name") == 0 || strcmp(name, "area_parent") == 0
           || strcmp(name, "area_parent_name") == 0;
}

/* The frame rule, in one place: whether group has an `area` link, as
 * H5Lexists says it (negative when HDF5 cannot tell, its error left on
 * the stack for the caller to read or clear). */
static htri_t has_area_link(hid_t group)
{
    return H5Lexists(group, "area", H5P_DEFAULT);
}

int oc__store_group_is_frame(hid_t group)
{
    int exists = has_area_link(group) > 0;
    H5Eclear2(H5E_DEFAULT);
    return exists;
}

/* A hard link whose object HDF5 cannot read is damage: the object is
 * there, so it may be a frame or a measure, and passing over it would
 * drop it without a word. A soft or external link that leads nowhere is
 * what other tools may leave, and is passed over as before. */
static int link_is_damaged(const H5L_info_t *link, char *reason, size_t size)
{
    if (link->type != H5L_TYPE_HARD) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    oc__store_hdf5_reason(reason, size);
    return 1;
}

int oc__store_child_is_frame(hid_t root, const char *name, const H5L_info_t *link, char *reason,
                             size_t size)
{
    H5O_info_t object;
    if (H5Oget_info_by_name(root, name, &object, H5P_DEFAULT) < 0)
        return link_is_damaged(link, reason, size) ? -1 : 0;
    if (object.type != H5O_TYPE_GROUP)
        return 0;
    hid_t group = H5Gopen2(root, name, H5P_DEFAULT);
    if (group < 0)
        return link_is_damaged(link, reason, size) ? -1 : 0;
    htri_t exists = has_area_link(group);
    int damaged = exists < 0 && link_is_damaged(link, reason, size); /* before H5Gclose clears */
    H5Gclose(group);
    H5Eclear2(H5E_DEFAULT);
    return damaged ? -1 : exists > 0;
}

/* "/quarterly/claimants" or "/claimants": how messages name an object. */
static const char *object_path(const oc__store_frame *frame, const char *name, char *buffer)
{
    snprintf(buffer, OBJECT_SIZE, "%s/%s", strcmp(frame->name, "/") == 0 ? "" : frame->name,
             name);
    return buffer;
}

/* Opens a dataset of the frame, reporting it when absent or unreadable.
 * Returns the id, 0 when absent and optional, or a negative status. */
static hid_t open_dataset(oc__store_frame *frame, hid_t group, const char *name, int required,
                          hid_t access, oc__store_sink *sink)
{
    char object[OBJECT_SIZE], reason[REASON_SIZE];
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        if (!required)
            return 0;
        return oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: missing",
                                      object_path(frame, name, object));
    }
    H5O_info_t info;
    if (H5Oget_info_by_name(group, name, &info, H5P_DEFAULT) < 0) {
        oc__store_hdf5_reason(reason, sizeof reason);
        return oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: cannot be read (damaged file?): %s",
                                      object_path(frame, name, object), reason);
    }
    if (info.type != H5O_TYPE_DATASET)
        return oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: is not a dataset",
                                      object_path(frame, name, object));
    hid_t dataset = H5Dopen2(group, name, access);
    if (dataset < 0) {
        oc__store_hdf5_reason(reason, sizeof reason);
        return oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: cannot open: %s",
                                      object_path(frame, name, object), reason);
    }
    return dataset;
}

static int load_strings(oc__store_frame *frame, hid_t group, const char *name, int required,
                        oc__store_strings *strings, oc__store_sink *sink)
{
    char object[OBJECT_SIZE], reason[REASON_SIZE];
    hid_t dataset = open_dataset(frame, group, name, required, H5P_DEFAULT, sink);
    if (dataset <= 0)
        return (int)dataset;
    int status = oc__store_read_strings(dataset, strings, reason, sizeof reason);
    H5Dclose(dataset);
    if (status != OC_OK)
        return oc__store_sink_problem(sink, status, "%s: %s", object_path(frame, name, object),
                                      reason);
    return OC_OK;
}

/* The number of areas from the area axis's shape alone. */
static int count_areas(oc__store_frame *frame, hid_t group, oc__store_sink *sink)
{
    char object[OBJECT_SIZE];
    hid_t dataset = open_dataset(frame, group, "area", 1, H5P_DEFAULT, sink);
    if (dataset <= 0)
        return (int)dataset;
    hid_t space = H5Dget_space(dataset);
    hsize_t dimension = 0;
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (rank == 1)
        H5Sget_simple_extent_dims(space, &dimension, NULL);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(dataset);
    if (rank != 1)
        return oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: is not one-dimensional",
                                      object_path(frame, "area", object));
    frame->area_count = (size_t)dimension;
    return OC_OK;
}

/* The area axis: its codes, checked and indexed, or (without_labels) only
 * its length. */
static int load_areas(oc__store_frame *frame, hid_t group, oc__store_sink *sink)
{
    char object[OBJECT_SIZE];
    int status = frame->without_labels
                     ? count_areas(frame, group, sink)
                     : load_strings(frame, group, "area", 1, &frame->codes, sink);
    if (status != OC_OK)
        return status;
    if (!frame->without_labels)
        frame->area_count = frame->codes.count;
    object_path(frame, "area", object);
    if (frame->area_count == 0)
        return oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: is empty: a frame needs at least one area", object);
    if (frame->without_labels)
        return OC_OK;
    const char *const *codes = (const char *const *)frame->codes.items;
    if (oc__store_index_reserve(&frame->area_index, codes, frame->area_count) != OC_OK)
        return oc__store_sink_problem(sink, OC_ERROR_NO_MEMORY, "%s: out of memory", object);
    for (size_t i = 0; i < frame->area_count; i++) {
        if (codes[i][0] == '\0') {
            status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: area %zu has an empty code",
                                            object, i);
            if (!oc__store_sink_collects(sink))
                return status;
            continue;
        }
        size_t existing;
        if (oc__store_index_add(&frame->area_index, codes, i, &existing) != OC_OK)
            return oc__store_sink_problem(sink, OC_ERROR_NO_MEMORY, "%s: out of memory", object);
        if (existing != OC__STORE_NO_INDEX) {
            status = oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                            "%s: duplicate area code '%s' at positions %zu and %zu",
                                            object, codes[i], existing, i);
            if (!oc__store_sink_collects(sink))
                return status;
        }
    }
    return status;
}

static int calendar_is_gregorian(const char *calendar)
{
    return strcmp(calendar, "standard") == 0 || strcmp(calendar, "gregorian") == 0
           || strcmp(calendar, "proleptic_gregorian") == 0;
}

/* A problem with time entry i, showing what it holds (as stored): the
 * position alone ("value 0") read as if the time were zero. Formatted only
 * here, when there is a problem, not for every entry of every store read. */
static int time_problem(oc__store_sink *sink, const char *object, size_t i,
                        const double *raw_float, const int64_t *raw_integer, const char *what)
{
    char held[40];
    if (raw_float != NULL)
        snprintf(held, sizeof held, "%.17g", raw_float[i]);
    else
        snprintf(held, sizeof held, "%lld", (long long)raw_integer[i]);
    return oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: entry %zu (%s) %s", object, i, held,
                                  what);
}

/* Converts raw time values (value[i] units after the epoch) to days. */
static int convert_times(oc__store_frame *frame, const double *raw_float,
                         const int64_t *raw_integer, int64_t base_seconds,
                         int64_t unit_seconds, const char *object, oc__store_sink *sink)
{
    for (size_t i = 0; i < frame->time_count; i++) {
        int64_t units_after;
        if (raw_float != NULL) {
            double value = raw_float[i];
            if (!isfinite(value) || value != floor(value) || fabs(value) > 1e12)
                return time_problem(sink, object, i, raw_float, raw_integer,
                                    "is not a whole number of units");
            units_after = (int64_t)value;
        } else {
            units_after = raw_integer[i];
        }
        if (units_after > INT64_MAX / 2 / unit_seconds || units_after < INT64_MIN / 2 / unit_seconds)
            return time_problem(sink, object, i, raw_float, raw_integer, "is out of range");
        int64_t seconds = base_seconds + units_after * unit_seconds;
        if (seconds % 86400 != 0)
            return time_problem(sink, object, i, raw_float, raw_integer,
                                "is not at the start of a day");
        int64_t days = seconds / 86400;
        if (days < INT32_MIN || days > INT32_MAX)
            return time_problem(sink, object, i, raw_float, raw_integer, "is out of range");
        frame->times[i] = (int32_t)days;
    }
    for (size_t i = 1; i < frame->time_count; i++)
        if (frame->times[i] <= frame->times[i - 1]) {
            char before[OC__DATE_TEXT_SIZE], after[OC__DATE_TEXT_SIZE];
            oc__format_date(frame->times[i - 1], before, sizeof before);
            oc__format_date(frame->times[i], after, sizeof after);
            return oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                          "%s: not strictly increasing: %s at position %zu follows %s",
                                          object, after, i, before);
        }
    return OC_OK;
}

static int load_times(oc__store_frame *frame, hid_t group, oc__store_sink *sink)
{
    char object[OBJECT_SIZE], reason[REASON_SIZE];
    hid_t dataset = open_dataset(frame, group, "time", 1, H5P_DEFAULT, sink);
    if (dataset <= 0)
        return (int)dataset;
    object_path(frame, "time", object);
    int status = OC_OK;
    char *units = NULL, *calendar = NULL;
    void *raw = NULL;
    hid_t transfer = H5I_INVALID_HID;
    hid_t type = H5Dget_type(dataset);
    hid_t space = H5Dget_space(dataset);
    H5T_class_t type_class = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) {
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: must hold numbers (days since 1970-01-01)", object);
        goto done;
    }
    if (space < 0 || H5Sget_simple_extent_ndims(space) != 1) {
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: is not one-dimensional", object);
        goto done;
    }
    hssize_t points = H5Sget_simple_extent_npoints(space);
    /* A dataspace can claim more times than memory can index: refuse a
     * count whose bytes would wrap around size_t. */
    if (points < 0 || (uint64_t)points > SIZE_MAX / sizeof(double)) {
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: has %lld entries, too many",
                                        object, (long long)points);
        goto done;
    }
    frame->time_count = (size_t)points;
    if (frame->time_count == 0) {
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: is empty: a frame needs at least one period", object);
        goto done;
    }
    int units_status = oc__store_read_string_attribute(dataset, "units", &units);
    int64_t base_seconds = 0, unit_seconds = 86400;
    if (units_status == OC_ERROR_NO_MEMORY) {
        status = oc__store_sink_problem(sink, OC_ERROR_NO_MEMORY, "%s: out of memory", object);
        goto done;
    }
    if (units_status != OC_OK) {
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                        "%s: has no units attribute (expected \"days since 1970-01-01\")", object);
        goto done;
    }
    if (oc__store_parse_time_units(units, &base_seconds, &unit_seconds) != OC_OK) {
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                        "%s: units \"%s\" are not \"UNIT since DATE\" (expected \"days since 1970-01-01\")",
                                        object, units);
        goto done;
    }
    if (oc__store_read_string_attribute(dataset, "calendar", &calendar) == OC_OK
        && !calendar_is_gregorian(calendar)) {
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                        "%s: calendar \"%s\" is not supported (expected \"standard\")", object, calendar);
        goto done;
    }
    frame->times = malloc(frame->time_count * sizeof *frame->times);
    raw = malloc(frame->time_count * sizeof(double));
    if (frame->times == NULL || raw == NULL) {
        status = oc__store_sink_problem(sink, OC_ERROR_NO_MEMORY, "%s: out of memory", object);
        goto done;
    }
    hid_t memory_type = type_class == H5T_FLOAT ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
    size_t file_size = H5Tget_size(type) > sizeof(double) ? H5Tget_size(type) : sizeof(double);
    transfer = oc__store_conversion_transfer(frame->time_count, file_size);
    if (transfer < 0 || H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, transfer, raw) < 0) {
        oc__store_hdf5_reason(reason, sizeof reason);
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: cannot read: %s", object, reason);
        goto done;
    }
    status = convert_times(frame, type_class == H5T_FLOAT ? raw : NULL,
                           type_class == H5T_FLOAT ? NULL : raw, base_seconds, unit_seconds,
                           object, sink);
done:
    if (status != OC_OK) {
        free(frame->times);
        frame->times = NULL;
    }
    free(raw);
    free(units);
    free(calendar);
    if (transfer >= 0)
        H5Pclose(transfer);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    H5Dclose(dataset);
    return status;
}

static int load_area_attribute(oc__store_frame *frame, hid_t group, const char *name,
                               oc__store_strings *strings, oc__store_sink *sink)
{
    char object[OBJECT_SIZE];
    int status = load_strings(frame, group, name, 0, strings, sink);
    if (status != OC_OK || strings->items == NULL || frame->codes.count == 0
        || strings->count == frame->area_count)
        return status;
    status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: has %zu entries for %zu areas",
                                    object_path(frame, name, object), strings->count,
                                    frame->area_count);
    oc__store_strings_free(strings);
    return status;
}

typedef struct name_list {
    char **names;
    /* per name: NULL, or why HDF5 could not read the object it links to
     * (kept from the first try: a header that failed to load once can
     * load half-read the next time, from HDF5's metadata cache) */
    char **damages;
    size_t count;
    size_t capacity;
    int failed;
    const char *const *wanted; /* NULL: every name; else only these */
    size_t wanted_count;
} name_list;

static int is_wanted(const name_list *list, const char *name)
{
    if (list->wanted == NULL)
        return 1;
    for (size_t i = 0; i < list->wanted_count; i++)
        if (list->wanted[i] != NULL && strcmp(list->wanted[i], name) == 0)
            return 1;
    return 0;
}

/* Collects the datasets that are not axes, and the hard links whose
 * object cannot be read (link_is_damaged), with the reason, for
 * load_measures to report. */
static herr_t collect_name(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    name_list *list = data;
    H5O_info_t object;
    char reason[REASON_SIZE];
    int damaged = 0;
    if (oc__store_is_axis_name(name) || !is_wanted(list, name))
        return 0;
    if (H5Oget_info_by_name(group, name, &object, H5P_DEFAULT) < 0) {
        if (!link_is_damaged(info, reason, sizeof reason))
            return 0;
        damaged = 1;
    } else if (object.type != H5O_TYPE_DATASET) {
        return 0;
    }
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 16;
        char **names = realloc(list->names, capacity * sizeof *names);
        if (names != NULL)
            list->names = names;
        char **damages = names == NULL ? NULL : realloc(list->damages, capacity * sizeof *damages);
        if (damages == NULL) {
            list->failed = 1;
            return -1;
        }
        list->damages = damages;
        list->capacity = capacity;
    }
    list->names[list->count] = strdup(name);
    list->damages[list->count] = damaged ? strdup(reason) : NULL;
    if (list->names[list->count] == NULL || (damaged && list->damages[list->count] == NULL)) {
        free(list->names[list->count]);
        free(list->damages[list->count]);
        list->failed = 1;
        return -1;
    }
    list->count++;
    return 0;
}

static void free_name_list(name_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->names[i]);
        free(list->damages[i]);
    }
    free(list->names);
    free(list->damages);
}

/* Filters this HDF5 cannot decode (e.g. h5py's lzf) are caught at open,
 * not halfway through an evaluation. */
static int check_filters(hid_t creation, const char *object, oc__store_sink *sink)
{
    int filter_count = H5Pget_nfilters(creation);
    for (int i = 0; i < filter_count; i++) {
        unsigned flags;
        size_t element_count = 0;
        char filter_name[64] = "";
        H5Z_filter_t filter = H5Pget_filter2(creation, (unsigned)i, &flags, &element_count, NULL,
                                             sizeof filter_name, filter_name, NULL);
        if (filter >= 0 && H5Zfilter_avail(filter) <= 0)
            return oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                          "%s: compressed with filter %d (%s), which this HDF5 cannot decode",
                                          object, (int)filter, filter_name[0] ? filter_name : "unknown");
    }
    return OC_OK;
}

/* A chunk cache that holds two rows of chunks across the whole time axis,
 * so a block read that ends inside a chunk row finds that row cached when
 * the next block starts. */
static hid_t chunk_cache_access(hid_t creation, hid_t type, size_t time_count,
                                size_t *chunk_areas, size_t area_count)
{
    *chunk_areas = area_count;
    if (H5Pget_layout(creation) != H5D_CHUNKED)
        return H5Pcreate(H5P_DATASET_ACCESS);
    hsize_t chunk[2] = {1, 1};
    if (H5Pget_chunk(creation, 2, chunk) != 2 || chunk[0] == 0 || chunk[1] == 0)
        return H5Pcreate(H5P_DATASET_ACCESS);
    *chunk_areas = (size_t)chunk[0];
    size_t chunk_bytes = (size_t)(chunk[0] * chunk[1]) * H5Tget_size(type);
    size_t chunks_per_row = (time_count + (size_t)chunk[1] - 1) / (size_t)chunk[1];
    size_t bytes = 2 * chunks_per_row * chunk_bytes;
    if (bytes < CHUNK_CACHE_MIN_BYTES)
        bytes = CHUNK_CACHE_MIN_BYTES;
    if (bytes > CHUNK_CACHE_MAX_BYTES)
        bytes = CHUNK_CACHE_MAX_BYTES;
    size_t slots = 100 * (bytes / (chunk_bytes ? chunk_bytes : 1) + 1);
    if (slots < 10007)
        slots = 10007;
    hid_t access = H5Pcreate(H5P_DATASET_ACCESS);
    if (access >= 0)
        H5Pset_chunk_cache(access, slots, bytes, 1.0);
    return access;
}

static int load_measure_attributes(oc__store_measure_entry *entry, const char *object,
                                   oc__store_sink *sink)
{
    static const char *const names[] = {"units", "long_name", "frequency", "source"};
    for (size_t i = 0; i < 4; i++) {
        int status = oc__store_read_string_attribute(entry->dataset, names[i], &entry->strings[i + 1]);
        if (status == OC_ERROR_FORMAT)
            return oc__store_sink_problem(sink, status, "%s: attribute %s is not text", object, names[i]);
        if (status == OC_ERROR_NO_MEMORY)
            return oc__store_sink_problem(sink, status, "%s: out of memory", object);
    }
    entry->measure.units = entry->strings[1] ? entry->strings[1] : "";
    entry->measure.long_name = entry->strings[2] ? entry->strings[2] : "";
    entry->measure.frequency = entry->strings[3];
    entry->measure.source = entry->strings[4];
    double number;
    if (oc__store_read_number_attribute(entry->dataset, "scale_factor", &number) != OC_ERROR_NOT_FOUND
        || oc__store_read_number_attribute(entry->dataset, "add_offset", &number) != OC_ERROR_NOT_FOUND)
        return oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                      "%s: packed data (scale_factor/add_offset) are not supported", object);
    if (oc__store_read_number_attribute(entry->dataset, "_FillValue", &entry->fill_value) == OC_OK
        && !isnan(entry->fill_value))
        entry->has_fill_value = 1;
    if (oc__store_read_number_attribute(entry->dataset, "missing_value", &entry->missing_value) == OC_OK
        && !isnan(entry->missing_value))
        entry->has_missing_value = 1;
    return OC_OK;
}

/* Validates the dataset called name as a measure and fills entry. */
static int load_measure(oc__store_frame *frame, hid_t group, const char *name,
                        oc__store_measure_entry *entry, oc__store_sink *sink)
{
    char object[OBJECT_SIZE];
    object_path(frame, name, object);
    entry->dataset = H5I_INVALID_HID;
    entry->file_space = H5I_INVALID_HID;
    if ((entry->strings[0] = strdup(name)) == NULL)
        return oc__store_sink_problem(sink, OC_ERROR_NO_MEMORY, "%s: out of memory", object);
    entry->measure.name = entry->strings[0];
    hid_t dataset = open_dataset(frame, group, name, 1, H5P_DEFAULT, sink);
    if (dataset < 0)
        return (int)dataset;
    int status = OC_OK;
    hid_t type = H5Dget_type(dataset);
    hid_t space = H5Dget_space(dataset);
    hid_t creation = H5Dget_create_plist(dataset);
    hid_t access = H5I_INVALID_HID;
    hsize_t dimensions[2] = {0, 0};
    H5T_class_t type_class = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (type_class != H5T_FLOAT && type_class != H5T_INTEGER) {
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: holds %s, not numbers", object,
                                        type_class == H5T_STRING ? "text" : "a non-numeric type");
        goto done;
    }
    if (rank == 2)
        H5Sget_simple_extent_dims(space, dimensions, NULL);
    if (rank != 2 || (frame->codes.count > 0 && dimensions[0] != frame->area_count)
        || (frame->times != NULL && dimensions[1] != frame->time_count)) {
        char shape[64] = "";
        if (rank == 2)
            snprintf(shape, sizeof shape, "%llu x %llu", (unsigned long long)dimensions[0],
                     (unsigned long long)dimensions[1]);
        else
            snprintf(shape, sizeof shape, "%d dimensions", rank);
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                        "%s: has shape %s, expected %zu areas x %zu times", object,
                                        shape, frame->area_count, frame->time_count);
        goto done;
    }
    if ((status = check_filters(creation, object, sink)) != OC_OK)
        goto done;
    access = chunk_cache_access(creation, type, frame->time_count, &entry->chunk_areas,
                                frame->area_count);
    oc__store_chunk_layout_decide(&entry->chunks, creation, type, frame->time_count);
    /* Reopen with the chunk cache; this handle stays open for block reads. */
    entry->dataset = H5Dopen2(group, name, access);
    if (entry->dataset < 0 || (entry->file_space = H5Dget_space(entry->dataset)) < 0) {
        char reason[REASON_SIZE];
        oc__store_hdf5_reason(reason, sizeof reason);
        status = oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: cannot open: %s", object, reason);
        goto done;
    }
    status = load_measure_attributes(entry, object, sink);
done:
    if (access >= 0)
        H5Pclose(access);
    if (creation >= 0)
        H5Pclose(creation);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    H5Dclose(dataset);
    H5Eclear2(H5E_DEFAULT);
    return status;
}

static void clear_measure(oc__store_measure_entry *entry)
{
    if (entry->file_space > 0)
        H5Sclose(entry->file_space);
    if (entry->dataset > 0)
        H5Dclose(entry->dataset);
    for (size_t i = 0; i < 5; i++)
        free(entry->strings[i]);
}

static int load_measures(oc__store_frame *frame, hid_t group, oc__store_sink *sink)
{
    name_list list = {0};
    list.wanted = frame->wanted_measures;
    list.wanted_count = frame->wanted_measure_count;
    int status = OC_OK;
    if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_name, &list) < 0) {
        char reason[REASON_SIZE];
        oc__store_hdf5_reason(reason, sizeof reason);
        status = oc__store_sink_problem(sink, list.failed ? OC_ERROR_NO_MEMORY : OC_ERROR_FORMAT,
                                        "frame %s: cannot list the measures: %s", frame->name,
                                        list.failed ? "out of memory" : reason);
        free_name_list(&list);
        return status;
    }
    frame->measures = calloc(list.count ? list.count : 1, sizeof *frame->measures);
    if (frame->measures == NULL) {
        free_name_list(&list);
        return oc__store_sink_problem(sink, OC_ERROR_NO_MEMORY, "frame %s: out of memory", frame->name);
    }
    for (size_t i = 0; i < list.count; i++) {
        oc__store_measure_entry *entry = &frame->measures[frame->measure_count];
        char object[OBJECT_SIZE];
        int measure_status =
            list.damages[i] != NULL
                ? oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: cannot be read (damaged file?): %s",
                                         object_path(frame, list.names[i], object), list.damages[i])
                : load_measure(frame, group, list.names[i], entry, sink);
        if (measure_status == OC_OK) {
            frame->measure_count++;
            continue;
        }
        clear_measure(entry);
        memset(entry, 0, sizeof *entry);
        if (status == OC_OK)
            status = measure_status;
        if (!oc__store_sink_collects(sink))
            break;
    }
    free_name_list(&list);
    return status;
}

/* After a step of the loader: the frame's status so far, and whether the
 * loader stops. A part loaded with nothing wrong before it is told. */
static int after_step(oc__store_frame *frame, int part, int step, int *status,
                      const oc__store_sink *sink)
{
    if (*status == OC_OK)
        *status = step;
    if (*status == OC_OK && frame->loaded != NULL)
        frame->loaded(frame->loaded_context, frame, part);
    return *status != OC_OK && !oc__store_sink_collects(sink);
}

int oc__store_frame_load(oc__store_frame *frame, hid_t group, oc__store_sink *sink)
{
    int status = OC_OK;
    if (after_step(frame, OC__STORE_PART_AREAS, load_areas(frame, group, sink), &status, sink)
        || after_step(frame, OC__STORE_PART_TIMES, load_times(frame, group, sink), &status, sink))
        return status;
    /* Names left out are told as absent ones are: as a part with none. */
    if (!frame->without_labels
        && (after_step(frame, OC__STORE_PART_NAMES,
                       frame->without_area_names
                           ? OC_OK
                           : load_area_attribute(frame, group, "area_name", &frame->names, sink),
                       &status, sink)
            || after_step(frame, OC__STORE_PART_PARENTS,
                          load_area_attribute(frame, group, "area_parent", &frame->parents, sink),
                          &status, sink)
            || after_step(frame, OC__STORE_PART_PARENT_NAMES,
                          load_area_attribute(frame, group, "area_parent_name",
                                              &frame->parent_names, sink),
                          &status, sink)))
        return status;
    after_step(frame, OC__STORE_PART_MEASURES, load_measures(frame, group, sink), &status, sink);
    return status;
}

void oc__store_frame_clear(oc__store_frame *frame)
{
    for (size_t i = 0; i < frame->measure_count; i++)
        clear_measure(&frame->measures[i]);
    free(frame->measures);
    free(frame->times);
    free(frame->name);
    oc__store_strings_free(&frame->codes);
    oc__store_strings_free(&frame->names);
    oc__store_strings_free(&frame->parents);
    oc__store_strings_free(&frame->parent_names);
    oc__store_index_free(&frame->area_index);
    free(frame->parent_order);
    free(frame->parent_groups);
    oc__store_chunk_buffers_free(&frame->chunk_buffers);
    if (frame->group > 0)
        H5Gclose(frame->group);
    memset(frame, 0, sizeof *frame);
}
