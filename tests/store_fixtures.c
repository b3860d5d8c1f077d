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
    size_t written_areas;        /* chunked, fill NaN, only these rows written (0: all) */
    int short_names;             /* area_name one entry short of the areas */
} layout;

static layout good_layout(void)
{
    layout l = {codes, AREAS, 0, days, TIMES, H5T_STD_I32LE, "days since 1970-01-01", "standard", 1,
                H5T_IEEE_F64LE, {AREAS, TIMES}, NULL, 0, 0, 1, 1, 0, 0};
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
    if (l->written_areas > 0) {
        double missing = NAN;
        H5Pset_fill_value(creation, H5T_NATIVE_DOUBLE, &missing);
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
        if (l->written_areas > 0) {
            hsize_t start[2] = {0, 0}, rows[2] = {l->written_areas, l->measure_dims[1]};
            hid_t memory = H5Screate_simple(2, rows, NULL);
            H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, rows, NULL);
            H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory, space, H5P_DEFAULT, values);
            H5Sclose(memory);
        } else if (count > 0) {
            H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
        }
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
    hid_t name = text_dataset(group, "area_name", names,
                              (l->area_count < AREAS ? l->area_count : AREAS) - (l->short_names ? 1 : 0),
                              0);
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

/* The whole file at path, malloc'd (*size bytes), or NULL. */
static unsigned char *read_whole_file(const char *path, size_t *size)
{
    struct stat status;
    if (stat(path, &status) != 0)
        return NULL;
    *size = (size_t)status.st_size;
    unsigned char *bytes = malloc(*size ? *size : 1);
    FILE *file = fopen(path, "rb");
    int failed = bytes == NULL || file == NULL || fread(bytes, 1, *size, file) != *size;
    if (file != NULL)
        fclose(file);
    if (failed) {
        free(bytes);
        return NULL;
    }
    return bytes;
}

static int write_dangling_string(const char *path)
{
    layout l = good_layout();
    size_t size = 0;
    unsigned char *bytes = write_layout(path, &l, NULL) == 0 ? read_whole_file(path, &size) : NULL;
    unsigned char *collection = bytes == NULL ? NULL : find_bytes(bytes, size, "GCOL", 4);
    unsigned char *reference = NULL;
    if (collection != NULL) {
        unsigned char address[8];
        uint64_t offset = (uint64_t)(collection - bytes);
        for (int i = 0; i < 8; i++)
            address[i] = (unsigned char)(offset >> (8 * i));
        reference = find_bytes(bytes, size, address, sizeof address);
    }
    long at = reference == NULL || reference + 12 > bytes + size ? -1 : (long)(reference + 8 - bytes);
    free(bytes);
    if (at < 0)
        return -1;
    static const char dangling[4] = {(char)0xff, 0x7f, 0, 0}; /* 0x7fff, little-endian */
    return write_bytes(path, at, dangling, sizeof dangling, 1);
}

/* The plain store with the dataspace of /area's CLASS attribute (the
 * dimension scale mark, "DIMENSION_SCALE") declared 0 bytes long: one
 * byte of the attribute message (version 1, reserved, then the name's,
 * datatype's and dataspace's sizes, 6, 8 and 8, each u16). HDF5-HL's
 * H5DSis_scale then frees a buffer twice: Debian's HDF5 1.10 aborts with
 * glibc's "free(): double free detected in tcache 2" on standard error. */
static int write_damaged_scale_class(const char *path)
{
    static const unsigned char message[] = {1, 0, 6, 0, 8, 0, 8, 0, 'C', 'L', 'A', 'S', 'S', 0};
    layout l = good_layout();
    size_t size = 0;
    unsigned char *bytes = write_layout(path, &l, NULL) == 0 ? read_whole_file(path, &size) : NULL;
    unsigned char *found = bytes == NULL ? NULL : find_bytes(bytes, size, message, sizeof message);
    long offset = found == NULL ? -1 : (long)(found - bytes) + 6; /* the dataspace's size */
    free(bytes);
    if (offset < 0)
        return -1;
    char zero = 0;
    return write_bytes(path, offset, &zero, 1, 1);
}

/* The first byte of the object header of `object`, its version (1),
 * made 0x9f: HDF5 cannot read the object ("bad object header version
 * number"), though the link to it is intact. */
static int damage_object_header(const char *path, const char *object)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    H5O_info_t info;
    herr_t found = file < 0 ? -1 : H5Oget_info_by_name(file, object, &info, H5P_DEFAULT);
    if (file >= 0)
        H5Fclose(file);
    if (found < 0)
        return -1;
    char version = (char)0x9f;
    return write_bytes(path, (long)info.addr, &version, 1, 1);
}

/* The plain store chunked (2 x 2 chunks of 3 x 3 values: 4 chunks) with the
 * last key of its chunk B-tree node, the corner past the last chunk
 * (areas 4, times 4, 8 bytes), zeroed, as one fuzzed store had it: the
 * index still lists every chunk, but a lookup by position no longer finds
 * the last one, which then reads as never written (all missing). A node
 * is "TREE", its kind (1: chunks), level, entries used (u16) and two
 * sibling addresses; then key 0, child 0, ..., key n, each key the
 * chunk's size (u32), filter mask (u32) and rank + 1 offsets (u64). */
static int write_damaged_chunk_key(const char *path)
{
    static const hsize_t chunk[2] = {2, 2};
    layout l = good_layout();
    l.chunk = chunk;
    size_t size = 0;
    unsigned char *bytes = write_layout(path, &l, NULL) == 0 ? read_whole_file(path, &size) : NULL;
    unsigned char *node = NULL;
    for (unsigned char *at = bytes; at != NULL && node == NULL;) {
        at = find_bytes(at, size - (size_t)(at - bytes), "TREE", 4);
        if (at != NULL && at[4] == 1)
            node = at;
        else if (at != NULL)
            at += 4;
    }
    long offset = -1;
    if (node != NULL) {
        size_t entries = (size_t)node[6] | (size_t)node[7] << 8;
        size_t key_size = 4 + 4 + 3 * 8;
        offset = (long)(node - bytes) + 24 + (long)(entries * (key_size + 8)) + 8;
        if ((size_t)offset + 3 * 8 > size)
            offset = -1;
    }
    free(bytes);
    if (offset < 0)
        return -1;
    char zero = 0;
    return write_bytes(path, offset, &zero, 1, 3 * 8);
}

/* The groups store with what other tools leave beside frames and
 * measures, all of which readers pass over: at the root and in
 * /quarterly, a soft link to nothing, an external link to a file that
 * does not exist and a group of the user's (with a dataset in it). */
static int write_extra_objects(const char *path)
{
    layout l = good_layout();
    if (write_layout(path, &l, "quarterly") != 0)
        return -1;
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0)
        return -1;
    static const char *const places[2] = {"/", "/quarterly"};
    int failed = 0;
    for (int i = 0; i < 2; i++) {
        hid_t group = H5Gopen2(file, places[i], H5P_DEFAULT);
        failed |= group < 0
                  || H5Lcreate_soft("/nowhere", group, "dangling", H5P_DEFAULT, H5P_DEFAULT) < 0
                  || H5Lcreate_external("no-such-file.h5", "/x", group, "elsewhere", H5P_DEFAULT,
                                        H5P_DEFAULT) < 0;
        hid_t notes = group < 0 ? -1 : H5Gcreate2(group, "notes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        failed |= notes < 0;
        if (notes >= 0) {
            H5Dclose(text_dataset(notes, "author", names, 1, 0));
            H5Gclose(notes);
        }
        if (group >= 0)
            H5Gclose(group);
    }
    return H5Fclose(file) < 0 || failed ? -1 : 0;
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
    size_t size = 0;
    unsigned char *bytes = write_layout(path, &l, NULL) == 0 ? read_whole_file(path, &size) : NULL;
    unsigned char *first = bytes == NULL ? NULL : find_bytes(bytes, size, "GCOL", 4);
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
    if (strcmp(kind, "sparse") == 0) {
        l.chunk = small_chunk;
        l.written_areas = 2;
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
    if (strcmp(kind, "short-area-names") == 0) {
        l.short_names = 1;
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
    if (strcmp(kind, "damaged-scale-class") == 0)
        return write_damaged_scale_class(path);
    if (strcmp(kind, "damaged-frame-header") == 0 || strcmp(kind, "damaged-measure-header") == 0)
        return write_layout(path, &l, "quarterly") != 0
                   ? -1
                   : damage_object_header(path, strcmp(kind, "damaged-frame-header") == 0
                                                    ? "quarterly"
                                                    : "quarterly/claimants");
    if (strcmp(kind, "damaged-chunk-key") == 0)
        return write_damaged_chunk_key(path);
    if (strcmp(kind, "extra-objects") == 0)
        return write_extra_objects(path);
    if (strcmp(kind, "not-hdf5") == 0) {
        static const char text[] = "area,period,measure,value\nE1,2016Q1,claimants,10\n";
        unlink(path);
        return write_bytes(path, 0, text, sizeof text - 1, 1);
    }
    return -1;
}
