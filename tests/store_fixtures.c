/* store_fixtures.c: stores written with the raw HDF5 API, good and broken;
 * see store_fixtures.h. */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "store_fixtures.h"

#define AREAS 3
#define TIMES 3

static const char *const codes[AREAS] = {"E1", "E2", "E3"};
static const char *const names[AREAS] = {"Alpha", "Beta", "Gamma"};
static const char *const parents[AREAS] = {"P1", "P1", "P2"};
static const long long days[TIMES] = {16832, 16922, 17014};

double fixture_value(int area, int time)
{
    if (area == 1 && time == 2)
        return NAN;
    return 10.0 * (area + 1) + time;
}

/* What varies from one fixture to another. */
typedef struct layout {
    const char *const *codes;
    size_t area_count;
    int fixed_codes;            /* fixed-length, space-padded codes */
    const long long *times;
    size_t time_count;
    hid_t time_type;
    const char *time_units;
    const char *calendar;
    int write_time;
    hid_t measure_type;          /* file type */
    hsize_t measure_dims[2];
    const hsize_t *chunk;        /* NULL: contiguous */
    int integer_fill;            /* write NaN as -1 with _FillValue -1 */
    int string_measure;
    int attach;
    int version;                 /* 0: no attribute */
} layout;

static layout good_layout(void)
{
    layout l = {codes, AREAS, 0, days, TIMES, H5T_STD_I32LE, "days since 1970-01-01", "standard", 1,
                H5T_IEEE_F64LE, {AREAS, TIMES}, NULL, 0, 0, 1, 1};
    return l;
}

static void string_attribute(hid_t object, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attribute = H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, type, &value);
    H5Aclose(attribute);
    H5Sclose(space);
    H5Tclose(type);
}

static void integer_attribute(hid_t object, const char *name, int value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attribute = H5Acreate2(object, name, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, H5T_NATIVE_INT, &value);
    H5Aclose(attribute);
    H5Sclose(space);
}

static hid_t text_dataset(hid_t group, const char *name, const char *const *texts, size_t count,
                          int fixed)
{
    hsize_t dimension = count;
    hid_t space = H5Screate_simple(1, &dimension, NULL);
    hid_t type = H5Tcopy(H5T_C_S1);
    hid_t dataset;
    if (fixed) {
        char buffer[AREAS * 8 + 1];
        memset(buffer, ' ', sizeof buffer);
        for (size_t i = 0; i < count && i < AREAS; i++)
            memcpy(buffer + i * 8, texts[i], strlen(texts[i]));
        H5Tset_size(type, 8);
        H5Tset_strpad(type, H5T_STR_SPACEPAD);
        dataset = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
    } else {
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
        dataset = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (count > 0)
            H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, texts);
    }
    H5Tclose(type);
    H5Sclose(space);
    return dataset;
}

static hid_t time_dataset(hid_t group, const layout *l)
{
    hsize_t dimension = l->time_count;
    hid_t space = H5Screate_simple(1, &dimension, NULL);
    hid_t dataset = H5Dcreate2(group, "time", l->time_type, space, H5P_DEFAULT, H5P_DEFAULT,
                               H5P_DEFAULT);
    if (l->time_count > 0)
        H5Dwrite(dataset, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, l->times);
    string_attribute(dataset, "units", l->time_units);
    if (l->calendar != NULL)
        string_attribute(dataset, "calendar", l->calendar);
    H5Sclose(space);
    return dataset;
}

static hid_t measure_dataset(hid_t group, const layout *l)
{
    hid_t space = H5Screate_simple(2, l->measure_dims, NULL);
    hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    if (l->chunk != NULL) {
        H5Pset_chunk(creation, 2, l->chunk);
        H5Pset_shuffle(creation);
        H5Pset_deflate(creation, 6);
    }
    hid_t dataset;
    if (l->string_measure) {
        hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, 4);
        dataset = H5Dcreate2(group, "claimants", type, space, H5P_DEFAULT, creation, H5P_DEFAULT);
        char text[AREAS * TIMES * 4];
        memset(text, 'x', sizeof text);
        H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, text);
        H5Tclose(type);
    } else {
        size_t count = (size_t)(l->measure_dims[0] * l->measure_dims[1]);
        double *values = malloc((count ? count : 1) * sizeof *values);
        for (size_t i = 0; i < count; i++) {
            double value = fixture_value((int)(i / l->measure_dims[1]), (int)(i % l->measure_dims[1]));
            values[i] = isnan(value) && l->integer_fill ? -1 : value;
        }
        dataset = H5Dcreate2(group, "claimants", l->measure_type, space, H5P_DEFAULT, creation,
                             H5P_DEFAULT);
        if (count > 0)
            H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
        free(values);
        if (l->integer_fill)
            integer_attribute(dataset, "_FillValue", -1);
    }
    string_attribute(dataset, "units", "people");
    string_attribute(dataset, "long_name", "ESA/IB claimants");
    string_attribute(dataset, "frequency", "quarter");
    string_attribute(dataset, "source", "DWP");
    H5Pclose(creation);
    H5Sclose(space);
    return dataset;
}

static void write_frame(hid_t group, const layout *l)
{
    hid_t area = text_dataset(group, "area", l->codes, l->area_count, l->fixed_codes);
    hid_t time = l->write_time ? time_dataset(group, l) : H5I_INVALID_HID;
    hid_t name = text_dataset(group, "area_name", names, l->area_count < AREAS ? l->area_count : AREAS, 0);
    hid_t parent = text_dataset(group, "area_parent", parents, l->area_count < AREAS ? l->area_count : AREAS, 0);
    hid_t measure = measure_dataset(group, l);
    if (l->attach) {
        H5DSset_scale(area, "area");
        H5DSattach_scale(measure, area, 0);
        H5DSattach_scale(name, area, 0);
        H5DSattach_scale(parent, area, 0);
        if (time >= 0) {
            H5DSset_scale(time, "time");
            H5DSattach_scale(measure, time, 1);
        }
    }
    H5Dclose(measure);
    H5Dclose(parent);
    H5Dclose(name);
    if (time >= 0)
        H5Dclose(time);
    H5Dclose(area);
}

static int write_layout(const char *path, const layout *l, const char *group_name)
{
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return -1;
    if (l->version)
        integer_attribute(file, "outcomes_store_version", l->version);
    if (group_name == NULL) {
        write_frame(file, l);
    } else {
        hid_t group = H5Gcreate2(file, group_name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        write_frame(group, l);
        H5Gclose(group);
        /* A second frame: two areas, one year. */
        static const long long year[1] = {16801};
        layout yearly = *l;
        yearly.area_count = 2;
        yearly.times = year;
        yearly.time_count = 1;
        yearly.measure_dims[0] = 2;
        yearly.measure_dims[1] = 1;
        group = H5Gcreate2(file, "yearly", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        write_frame(group, &yearly);
        H5Gclose(group);
    }
    return H5Fclose(file) < 0 ? -1 : 0;
}

static int write_bytes(const char *path, long offset, const char *bytes, size_t count, size_t repeat)
{
    int descriptor = open(path, O_WRONLY | O_CREAT, 0644);
    if (descriptor < 0)
        return -1;
    int failed = lseek(descriptor, offset, SEEK_SET) < 0;
    for (size_t i = 0; i < repeat && !failed; i++)
        failed = write(descriptor, bytes, count) != (ssize_t)count;
    failed |= close(descriptor) != 0;
    return failed ? -1 : 0;
}

/* A larger chunked, compressed store whose first chunk is overwritten. */
static int write_corrupt_chunk(const char *path)
{
    static const hsize_t chunk[2] = {2, 3};
    layout l = good_layout();
    l.chunk = chunk;
    if (write_layout(path, &l, NULL) != 0)
        return -1;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dataset = H5Dopen2(file, "claimants", H5P_DEFAULT);
    hsize_t offset[2] = {0, 0};
    unsigned filter_mask = 0;
    haddr_t address = 0;
    hsize_t size = 0;
    herr_t found = H5Dget_chunk_info_by_coord(dataset, offset, &filter_mask, &address, &size);
    H5Dclose(dataset);
    H5Fclose(file);
    if (found < 0 || size == 0)
        return -1;
    char garbage = (char)0xff;
    return write_bytes(path, (long)address, &garbage, 1, (size_t)size);
}

/* An axis whose dataspace claims so many entries (2^61 + 1 fixed-length
 * codes of 8 bytes, or 2^62 + 1 times) that the bytes to hold them wrap
 * around size_t: chunked, with no chunk written, the file stays tiny. */
static int write_huge_axis(const char *path, int huge_areas)
{
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return -1;
    integer_attribute(file, "outcomes_store_version", 1);
    hsize_t dimension = huge_areas ? ((hsize_t)1 << 61) + 1 : ((hsize_t)1 << 62) + 1;
    hsize_t unlimited = H5S_UNLIMITED, chunk = 1;
    hid_t space = H5Screate_simple(1, &dimension, &unlimited);
    hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(creation, 1, &chunk);
    hid_t type = H5Tcopy(huge_areas ? H5T_C_S1 : H5T_STD_I32LE);
    if (huge_areas)
        H5Tset_size(type, 8);
    hid_t huge = H5Dcreate2(file, huge_areas ? "area" : "time", type, space, H5P_DEFAULT, creation,
                            H5P_DEFAULT);
    if (huge_areas) {
        layout l = good_layout();
        H5Dclose(time_dataset(file, &l));
    } else {
        string_attribute(huge, "units", "days since 1970-01-01");
        H5Dclose(text_dataset(file, "area", codes, AREAS, 0));
    }
    int failed = huge < 0;
    H5Dclose(huge);
    H5Tclose(type);
    H5Pclose(creation);
    H5Sclose(space);
    return H5Fclose(file) < 0 || failed ? -1 : 0;
}

/* The plain store with its first variable-length string (area code E1)
 * pointing at an object its global heap does not hold (index 0x7fff):
 * Debian's HDF5 1.10 reads past its buffers and dies of SIGSEGV when it
 * reads the area axis. A string is stored as (length u32, collection
 * address u64, index u32); the collection starts with "GCOL", and in a
 * file this small with no user block its address is its offset. */
static unsigned char *find_bytes(unsigned char *bytes, size_t size, const void *wanted,
                                 size_t length)
{
    for (size_t i = 0; i + length <= size; i++)
        if (memcmp(bytes + i, wanted, length) == 0)
            return bytes + i;
    return NULL;
}

static int write_dangling_string(const char *path)
{
    layout l = good_layout();
    if (write_layout(path, &l, NULL) != 0)
        return -1;
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return -1;
    static unsigned char bytes[1 << 16];
    size_t size = fread(bytes, 1, sizeof bytes, file);
    int failed = ferror(file) || !feof(file);
    fclose(file);
    unsigned char *collection = failed ? NULL : find_bytes(bytes, size, "GCOL", 4);
    if (collection == NULL)
        return -1;
    unsigned char address[8];
    uint64_t offset = (uint64_t)(collection - bytes);
    for (int i = 0; i < 8; i++)
        address[i] = (unsigned char)(offset >> (8 * i));
    unsigned char *reference = find_bytes(bytes, size, address, sizeof address);
    if (reference == NULL || reference + 12 > bytes + size)
        return -1;
    static const char dangling[4] = {(char)0xff, 0x7f, 0, 0}; /* 0x7fff, little-endian */
    return write_bytes(path, (long)(reference + 8 - bytes), dangling, sizeof dangling, 1);
}

/* 3,000 areas, so that their codes fill several global heap
 * collections, with the signature of the second collection ("GCOL")
 * damaged: HDF5 converts the strings of the first, then fails half-way
 * through the area axis. The whole file is read to find it. */
static int write_damaged_later_heap(const char *path)
{
    enum { MANY = 3000 };
    static char texts[MANY][12];
    static const char *many_codes[MANY];
    for (size_t i = 0; i < MANY; i++) {
        snprintf(texts[i], sizeof texts[i], "E0%07zu", i);
        many_codes[i] = texts[i];
    }
    layout l = good_layout();
    l.codes = many_codes;
    l.area_count = MANY;
    l.measure_dims[0] = MANY;
    struct stat status;
    if (write_layout(path, &l, NULL) != 0 || stat(path, &status) != 0)
        return -1;
    size_t size = (size_t)status.st_size;
    unsigned char *bytes = malloc(size);
    FILE *file = fopen(path, "rb");
    int failed = bytes == NULL || file == NULL || fread(bytes, 1, size, file) != size;
    if (file != NULL)
        fclose(file);
    unsigned char *first = failed ? NULL : find_bytes(bytes, size, "GCOL", 4);
    unsigned char *second = first == NULL ? NULL
                                          : find_bytes(first + 4, size - (size_t)(first + 4 - bytes),
                                                       "GCOL", 4);
    long offset = second == NULL ? -1 : (long)(second - bytes);
    free(bytes);
    if (offset < 0)
        return -1;
    return write_bytes(path, offset, "XXXX", 4, 1);
}

int fixture_write(const char *kind, const char *path)
{
    static const char *const duplicate_codes[AREAS] = {"E1", "E2", "E1"};
    static const long long unordered[TIMES] = {16832, 17014, 16922};
    static const long long xarray_days[TIMES] = {0, 90, 182};
    static const long long xarray_hours[TIMES] = {0, 90 * 24, 182 * 24};
    static const long long midday_hours[TIMES] = {0, 12, 182 * 24};
    static const hsize_t small_chunk[2] = {2, 2};
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    layout l = good_layout();
    if (strcmp(kind, "plain") == 0)
        return write_layout(path, &l, NULL);
    if (strcmp(kind, "chunked") == 0) {
        l.measure_type = H5T_IEEE_F32LE;
        l.chunk = small_chunk;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "integer") == 0) {
        l.measure_type = H5T_STD_I32LE;
        l.integer_fill = 1;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "xarray") == 0 || strcmp(kind, "hours") == 0) {
        int hours = strcmp(kind, "hours") == 0;
        l.time_type = H5T_STD_I64LE;
        l.times = hours ? xarray_hours : xarray_days;
        l.time_units = hours ? "hours since 2016-02-01" : "days since 2016-02-01 00:00:00";
        l.calendar = "proleptic_gregorian";
        l.version = 0;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "fixed") == 0) {
        l.fixed_codes = 1;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "groups") == 0)
        return write_layout(path, &l, "quarterly");
    if (strcmp(kind, "missing-time") == 0) {
        l.write_time = 0;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "wrong-shape") == 0) {
        l.measure_dims[1] = 2;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "string-measure") == 0) {
        l.string_measure = 1;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "duplicate-areas") == 0) {
        l.codes = duplicate_codes;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "midday-time") == 0) {
        /* the second time 12 hours after the first: not a day's start */
        l.time_type = H5T_STD_I64LE;
        l.times = midday_hours;
        l.time_units = "hours since 2016-02-01";
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "non-monotonic-time") == 0) {
        l.times = unordered;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "empty") == 0) {
        l.area_count = 0;
        l.time_count = 0;
        l.measure_dims[0] = l.measure_dims[1] = 0;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "version-2") == 0) {
        l.version = 2;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "unattached") == 0) {
        l.attach = 0;
        return write_layout(path, &l, NULL);
    }
    if (strcmp(kind, "truncated") == 0) {
        struct stat status;
        l.chunk = small_chunk;
        if (write_layout(path, &l, NULL) != 0 || stat(path, &status) != 0)
            return -1;
        return truncate(path, status.st_size / 2);
    }
    if (strcmp(kind, "zeroed-superblock") == 0) {
        char zero = 0;
        if (write_layout(path, &l, NULL) != 0)
            return -1;
        return write_bytes(path, 0, &zero, 1, 512);
    }
    if (strcmp(kind, "corrupt-chunk") == 0)
        return write_corrupt_chunk(path);
    if (strcmp(kind, "huge-areas") == 0 || strcmp(kind, "huge-times") == 0)
        return write_huge_axis(path, strcmp(kind, "huge-areas") == 0);
    if (strcmp(kind, "dangling-string") == 0)
        return write_dangling_string(path);
    if (strcmp(kind, "damaged-later-heap") == 0)
        return write_damaged_later_heap(path);
    if (strcmp(kind, "not-hdf5") == 0) {
        static const char text[] = "area,period,measure,value\nE1,2016Q1,claimants,10\n";
        unlink(path);
        return write_bytes(path, 0, text, sizeof text - 1, 1);
    }
    return -1;
}
