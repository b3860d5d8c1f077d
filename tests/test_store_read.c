/* test_store_read.c: the store reader against stores written with the raw
 * HDF5 API (tests/store_fixtures.c) in the layouts other tools produce,
 * and its refusals of broken ones. Expected values are the fixtures'
 * (store_fixtures.h gives the working for the days). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "check_runner.h"
#include "no_child_left.h"
#include "plugin_runner.h"
#include "store.h"
#include "store_fixtures.h"
#include "store_internal.h"

static char directory[64];
static char path[128];

static void setup(void)
{
    snprintf(directory, sizeof directory, "/tmp/test_store_read.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(directory));
    snprintf(path, sizeof path, "%s/store.h5", directory);
}

static void teardown(void)
{
    unlink(path);
    rmdir(directory);
}

static oc__store *open_fixture(const char *kind)
{
    oc__store *store = NULL;
    oc_error error;
    ck_assert_int_eq(fixture_write(kind, path), 0);
    int status = oc__store_open(path, &store, &error);
    ck_assert_msg(status == OC_OK, "%s: %s", kind, error.message);
    return store;
}

/* Checks the whole good fixture through one frame. */
static void assert_fixture_frame(oc__store_frame *frame)
{
    static const int32_t expected_days[3] = {16832, 16922, 17014};
    ck_assert_uint_eq(oc__store_area_count(frame), 3);
    ck_assert_uint_eq(oc__store_time_count(frame), 3);
    for (int t = 0; t < 3; t++)
        ck_assert_int_eq(oc__store_times(frame)[t], expected_days[t]);
    ck_assert_str_eq(oc__store_area_codes(frame)[0], "E1");
    ck_assert_str_eq(oc__store_area_codes(frame)[2], "E3");
    ck_assert_uint_eq(oc__store_find_area(frame, "E2"), 1);
    ck_assert_uint_eq(oc__store_find_area(frame, "E9"), OC__STORE_NO_INDEX);
    ck_assert_str_eq(oc__store_area_name(frame, 1), "Beta");
    ck_assert_str_eq(oc__store_area_parent(frame, 2), "P2");
    ck_assert_uint_eq(oc__store_measure_count(frame), 1);
    const oc__store_measure *measure = oc__store_find_measure(frame, "claimants");
    ck_assert_ptr_nonnull(measure);
    ck_assert_str_eq(measure->units, "people");
    ck_assert_str_eq(measure->long_name, "ESA/IB claimants");
    ck_assert_str_eq(measure->frequency, "quarter");
    ck_assert_str_eq(measure->source, "DWP");
    double values[9];
    oc_error error;
    ck_assert_int_eq(oc__store_read_measure_block(frame, measure, 0, 3, values, &error), OC_OK);
    for (int a = 0; a < 3; a++)
        for (int t = 0; t < 3; t++) {
            double expected = fixture_value(a, t);
            if (isnan(expected))
                ck_assert_msg(isnan(values[a * 3 + t]), "area %d time %d should be missing", a, t);
            else
                ck_assert_double_eq(values[a * 3 + t], expected);
        }
}

START_TEST(test_plain_layout)
{
    oc__store *store = open_fixture("plain");
    ck_assert_uint_eq(oc__store_frame_count(store), 1);
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    ck_assert_str_eq(oc__store_frame_name(frame), "/");
    ck_assert_ptr_eq(oc__store_find_frame(store, "/"), frame);
    ck_assert_ptr_eq(oc__store_find_frame(store, ""), frame);
    ck_assert_ptr_null(oc__store_find_frame(store, "quarterly"));
    assert_fixture_frame(frame);
    oc__store_close(store);
}
END_TEST

/* Each good layout another tool may write reads back the same values. */
START_TEST(test_foreign_layouts)
{
    static const char *const kinds[] = {"chunked", "integer", "xarray", "hours", "fixed", "unattached"};
    oc__store *store = open_fixture(kinds[_i]);
    assert_fixture_frame(oc__store_frame_at(store, 0));
    oc__store_close(store);
}
END_TEST

START_TEST(test_frames_in_groups)
{
    oc__store *store = open_fixture("groups");
    ck_assert_uint_eq(oc__store_frame_count(store), 2);
    oc__store_frame *quarterly = oc__store_find_frame(store, "quarterly");
    ck_assert_ptr_nonnull(quarterly);
    ck_assert_ptr_eq(oc__store_find_frame(store, "/quarterly"), quarterly);
    assert_fixture_frame(quarterly);
    oc__store_frame *yearly = oc__store_find_frame(store, "yearly");
    ck_assert_ptr_nonnull(yearly);
    ck_assert_uint_eq(oc__store_area_count(yearly), 2);
    ck_assert_uint_eq(oc__store_time_count(yearly), 1);
    ck_assert_int_eq(oc__store_times(yearly)[0], 16801); /* 2016-01-01 */
    oc__store_close(store);
}
END_TEST

/* Opened for reading only (what a job does): the same time axis,
 * number of areas and measure values in every layout, but no area labels. */
START_TEST(test_open_for_reading_skips_labels)
{
    static const char *const kinds[] = {"plain", "chunked", "integer", "xarray", "hours",
                                        "fixed", "unattached", "groups"};
    ck_assert_int_eq(fixture_write(kinds[_i], path), 0);
    oc__store *full = NULL, *reading = NULL;
    oc_error error;
    ck_assert_int_eq(oc__store_open(path, &full, &error), OC_OK);
    ck_assert_msg(oc__store_open_for_reading(path, NULL, 0, &reading, &error) == OC_OK, "%s: %s",
                  kinds[_i], error.message);
    ck_assert_uint_eq(oc__store_frame_count(reading), oc__store_frame_count(full));
    for (size_t f = 0; f < oc__store_frame_count(full); f++) {
        oc__store_frame *expected = oc__store_frame_at(full, f);
        oc__store_frame *frame = oc__store_frame_at(reading, f);
        ck_assert_str_eq(oc__store_frame_name(frame), oc__store_frame_name(expected));
        ck_assert_uint_eq(oc__store_area_count(frame), oc__store_area_count(expected));
        ck_assert_uint_eq(oc__store_time_count(frame), oc__store_time_count(expected));
        for (size_t t = 0; t < oc__store_time_count(frame); t++)
            ck_assert_int_eq(oc__store_times(frame)[t], oc__store_times(expected)[t]);
        ck_assert_ptr_null(oc__store_area_codes(frame));
        ck_assert_ptr_null(oc__store_area_name(frame, 0));
        ck_assert_ptr_null(oc__store_area_parent(frame, 0));
        ck_assert_uint_eq(oc__store_find_area(frame, oc__store_area_codes(expected)[0]),
                          OC__STORE_NO_INDEX);
        ck_assert_uint_eq(oc__store_measure_count(frame), oc__store_measure_count(expected));
        const oc__store_measure *measure = oc__store_find_measure(frame, "claimants");
        const oc__store_measure *expected_measure = oc__store_find_measure(expected, "claimants");
        if (expected_measure == NULL)
            continue;
        ck_assert_ptr_nonnull(measure);
        size_t areas = oc__store_area_count(frame), times = oc__store_time_count(frame);
        double *got = malloc(areas * times * sizeof *got);
        double *want = malloc(areas * times * sizeof *want);
        ck_assert_int_eq(oc__store_read_measure_block(frame, measure, 0, areas, got, &error), OC_OK);
        ck_assert_int_eq(oc__store_read_measure_block(expected, expected_measure, 0, areas, want,
                                                      &error), OC_OK);
        ck_assert_int_eq(memcmp(got, want, areas * times * sizeof *got), 0);
        free(got);
        free(want);
    }
    oc__store_close(reading);
    oc__store_close(full);
}
END_TEST

/* Blocks that cut across the 2-area chunks read the same as one read. */
START_TEST(test_blocks_across_chunks)
{
    oc__store *store = open_fixture("chunked");
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    const oc__store_measure *measure = oc__store_measure_at(frame, 0);
    ck_assert_uint_eq(oc__store_measure_chunk_areas(frame, measure), 2);
    double values[3];
    oc_error error;
    for (int a = 0; a < 3; a++) {
        ck_assert_int_eq(oc__store_read_measure_block(frame, measure, (size_t)a, 1, values, &error), OC_OK);
        ck_assert_double_eq(values[0], fixture_value(a, 0));
        ck_assert_double_eq(values[1], fixture_value(a, 1));
    }
    ck_assert_int_eq(oc__store_read_measure_block(frame, measure, 2, 2, values, &error), OC_ERROR_INVALID);
    ck_assert_ptr_nonnull(strstr(error.message, "out of range"));
    oc__store_close(store);
}
END_TEST

/* 40,000 areas (more than England's 33,000 LSOAs): every code is found
 * at its own position by the hash index. */
START_TEST(test_find_area_many)
{
    enum { COUNT = 40000 };
    static char texts[COUNT][12];
    static const char *codes[COUNT];
    for (int i = 0; i < COUNT; i++) {
        snprintf(texts[i], sizeof texts[i], "E0%07d", i);
        codes[i] = texts[i];
    }
    oc__store_writer *writer;
    oc__store_writer_frame *frame_writer;
    int32_t day = 0;
    oc_error error;
    ck_assert_int_eq(oc__store_writer_create(path, &writer, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_frame(writer, NULL, COUNT, codes, NULL, NULL, 1, &day,
                                                &frame_writer, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_commit(writer, &error), OC_OK);
    oc__store *store;
    ck_assert_int_eq(oc__store_open(path, &store, &error), OC_OK);
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    for (int i = 0; i < COUNT; i++)
        ck_assert_uint_eq(oc__store_find_area(frame, codes[i]), (size_t)i);
    ck_assert_uint_eq(oc__store_find_area(frame, "E00040000"), OC__STORE_NO_INDEX);
    ck_assert_ptr_null(oc__store_area_name(frame, 0));
    oc__store_close(store);
}
END_TEST

/* Each broken store is refused with a status and a one-line message that
 * names the file and the object at fault. */
static const struct {
    const char *kind;
    int status;
    const char *message;
} broken[] = {
    {"missing-time", OC_ERROR_FORMAT, "/time: missing"},
    {"wrong-shape", OC_ERROR_FORMAT, "/claimants: has shape 3 x 2, expected 3 areas x 3 times"},
    {"string-measure", OC_ERROR_FORMAT, "/claimants: holds text, not numbers"},
    {"duplicate-areas", OC_ERROR_FORMAT, "/area: duplicate area code 'E1' at positions 0 and 2"},
    {"non-monotonic-time", OC_ERROR_FORMAT, "/time: not strictly increasing: 2016-05-01 at position 2 follows 2016-08-01"},
    {"empty", OC_ERROR_FORMAT, "/area: is empty"},
    {"version-2", OC_ERROR_FORMAT, "store format version 2 is not supported"},
    {"truncated", OC_ERROR_FORMAT, "cannot open as HDF5"},
    {"zeroed-superblock", OC_ERROR_FORMAT, "not an HDF5 file"},
    {"not-hdf5", OC_ERROR_FORMAT, "not an HDF5 file"},
    /* Sizes that wrap around size_t must not become small buffers. */
    {"huge-areas", OC_ERROR_FORMAT, "/area: has 2305843009213693953 entries, too many"},
    {"huge-times", OC_ERROR_FORMAT, "/time: has 4611686018427387905 entries, too many"},
};

START_TEST(test_refuses_broken)
{
    oc__store *store = (oc__store *)&store;
    oc_error error;
    ck_assert_int_eq(fixture_write(broken[_i].kind, path), 0);
    ck_assert_int_eq(oc__store_open(path, &store, &error), broken[_i].status);
    ck_assert_ptr_null(store);
    ck_assert_msg(strncmp(error.message, path, strlen(path)) == 0, "%s: '%s' does not name the file",
                  broken[_i].kind, error.message);
    ck_assert_msg(strstr(error.message, broken[_i].message) != NULL, "%s: '%s' lacks '%s'",
                  broken[_i].kind, error.message, broken[_i].message);
    ck_assert_ptr_null(strchr(error.message, '\n'));
}
END_TEST

START_TEST(test_corrupt_chunk_fails_on_read)
{
    oc__store *store = open_fixture("corrupt-chunk");
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    double values[9];
    oc_error error;
    ck_assert_int_eq(oc__store_read_measure_block(frame, oc__store_measure_at(frame, 0), 0, 3, values, &error),
                     OC_ERROR_FORMAT);
    ck_assert_ptr_nonnull(strstr(error.message, "/claimants: cannot read areas 0 to 2"));
    oc__store_close(store);
}
END_TEST

START_TEST(test_refuses_paths)
{
    oc__store *store;
    oc_error error;
    ck_assert_int_eq(oc__store_open(directory, &store, &error), OC_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(error.message, "is a directory"));
    ck_assert_int_eq(oc__store_open(path, &store, &error), OC_ERROR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(error.message, path));
    /* HDF5 would wait on a FIFO for a writer for ever (the test's time
     * limit would end it); a device is no store either. Both refused at
     * once, by run's reader child as by the direct open. */
    char fifo[PATH_MAX];
    snprintf(fifo, sizeof fifo, "%s/store.fifo", directory);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(oc__store_open(fifo, &store, &error), OC_ERROR_IO);
    ck_assert_str_eq(strstr(error.message, "store.fifo"), "store.fifo: is a FIFO, not an HDF5 store");
    ck_assert_int_eq(oc__store_open_contained(fifo, &store, &error), OC_ERROR_IO);
    ck_assert_str_eq(strstr(error.message, "store.fifo"), "store.fifo: is a FIFO, not an HDF5 store");
    ck_assert_int_eq(unlink(fifo), 0);
    ck_assert_int_eq(oc__store_open_contained("/dev/null", &store, &error), OC_ERROR_IO);
    ck_assert_str_eq(error.message, "/dev/null: is a character device, not an HDF5 store");
}
END_TEST

START_TEST(test_time_units)
{
    int64_t base, unit;
    ck_assert_int_eq(oc__store_parse_time_units("days since 1970-01-01", &base, &unit), OC_OK);
    ck_assert_int_eq(base, 0);
    ck_assert_int_eq(unit, 86400);
    /* 2016-02-01 is day 16832 (store_fixtures.h). */
    ck_assert_int_eq(oc__store_parse_time_units("hours since 2016-02-01 00:00:00", &base, &unit), OC_OK);
    ck_assert_int_eq(base, 16832LL * 86400);
    ck_assert_int_eq(unit, 3600);
    ck_assert_int_eq(oc__store_parse_time_units("seconds since 1970-01-02T06:00:00Z", &base, &unit), OC_OK);
    ck_assert_int_eq(base, 86400 + 6 * 3600);
    ck_assert_int_eq(oc__store_parse_time_units("days since 2016-02-30", &base, &unit), OC_ERROR_FORMAT);
    ck_assert_int_eq(oc__store_parse_time_units("fortnights since 1970-01-01", &base, &unit), OC_ERROR_FORMAT);
    ck_assert_int_eq(oc__store_parse_time_units("days since 1970-01-01 +05:00", &base, &unit), OC_ERROR_FORMAT);
    ck_assert_int_eq(oc__store_parse_time_units("days", &base, &unit), OC_ERROR_FORMAT);
    /* strtod reads these seconds as NaN and infinity: refused, not cast. */
    ck_assert_int_eq(oc__store_parse_time_units("days since 2000-01-01 00:00:nan", &base, &unit), OC_ERROR_FORMAT);
    ck_assert_int_eq(oc__store_parse_time_units("days since 2000-01-01 00:00:inf", &base, &unit), OC_ERROR_FORMAT);
}
END_TEST

/* What a host does before forking its workers: the library is running
 * (a child forked now would inherit it), HDF5 prints no error of its
 * own, and doing it again changes nothing. */
START_TEST(test_prepare_library)
{
    oc__store_prepare_library();
    oc__store_prepare_library();
    H5E_auto2_t printer = NULL;
    void *data = NULL;
    ck_assert_int_ge(H5Eget_auto2(H5E_DEFAULT, &printer, &data), 0);
    ck_assert_ptr_null((void *)printer);
    unsigned major = 0, minor = 0, release = 0;
    ck_assert_int_ge(H5get_libversion(&major, &minor, &release), 0);
    ck_assert_uint_eq(major, 1);
}
END_TEST

/* The buffer HDF5 converts a small read in is the read's size, not the
 * 1 MiB it allocates and zeroes by default; never more than that. */
static size_t conversion_buffer(size_t element_count, size_t element_size)
{
    hid_t transfer = oc__store_conversion_transfer(element_count, element_size);
    ck_assert_int_ge(transfer, 0);
    size_t size = H5Pget_buffer(transfer, NULL, NULL);
    H5Pclose(transfer);
    return size;
}

START_TEST(test_conversion_transfer_sized_to_the_read)
{
    ck_assert_uint_eq(conversion_buffer(240, 8), 1920);        /* 20 years of months */
    ck_assert_uint_eq(conversion_buffer(8211, 16), 131376);    /* area codes */
    ck_assert_uint_eq(conversion_buffer(1, 16), 16);
    ck_assert_uint_eq(conversion_buffer(65536, 16), 1u << 20); /* exactly the default */
    ck_assert_uint_eq(conversion_buffer(65537, 16), 1u << 20);
    ck_assert_uint_eq(conversion_buffer(SIZE_MAX, 16), 1u << 20);
    ck_assert_uint_eq(conversion_buffer(0, 8), 1u << 20);
    ck_assert_uint_eq(conversion_buffer(100, 0), 100); /* a size of 0 counts as 1 */
}
END_TEST

/* ---- The store the host of `run` rebuilds from its reader's message ---- */

static int same_text(const char *left, const char *right)
{
    return left == right || (left != NULL && right != NULL && strcmp(left, right) == 0);
}

/* Every field the host can see of rebuilt equals the store opened here. */
static void assert_same_store(oc__store *expected, oc__store *rebuilt)
{
    ck_assert_uint_eq(oc__store_frame_count(rebuilt), oc__store_frame_count(expected));
    for (size_t f = 0; f < oc__store_frame_count(expected); f++) {
        oc__store_frame *want = oc__store_frame_at(expected, f);
        oc__store_frame *got = oc__store_frame_at(rebuilt, f);
        const char *name = oc__store_frame_name(want);
        ck_assert_str_eq(oc__store_frame_name(got), name);
        ck_assert_ptr_eq(oc__store_find_frame(rebuilt, name), got);
        size_t areas = oc__store_area_count(want), times = oc__store_time_count(want);
        ck_assert_uint_eq(oc__store_area_count(got), areas);
        ck_assert_uint_eq(oc__store_time_count(got), times);
        ck_assert_int_eq(memcmp(oc__store_times(got), oc__store_times(want),
                                times * sizeof(int32_t)), 0);
        for (size_t a = 0; a < areas; a++) {
            const char *code = oc__store_area_codes(want)[a];
            ck_assert_str_eq(oc__store_area_codes(got)[a], code);
            ck_assert_uint_eq(oc__store_find_area(got, code), a);
            ck_assert_msg(same_text(oc__store_area_name(got, a), oc__store_area_name(want, a)),
                          "%s area %zu: name", name, a);
            ck_assert_msg(same_text(oc__store_area_parent(got, a), oc__store_area_parent(want, a)),
                          "%s area %zu: parent", name, a);
            ck_assert_msg(same_text(oc__store_parent_name(got, a), oc__store_parent_name(want, a)),
                          "%s area %zu: parent's name", name, a);
        }
        ck_assert_uint_eq(oc__store_find_area(got, "no such code"), OC__STORE_NO_INDEX);
        ck_assert_uint_eq(oc__store_measure_count(got), oc__store_measure_count(want));
        for (size_t m = 0; m < oc__store_measure_count(want); m++) {
            const oc__store_measure *expected_measure = oc__store_measure_at(want, m);
            const oc__store_measure *measure = oc__store_measure_at(got, m);
            ck_assert_str_eq(measure->name, expected_measure->name);
            ck_assert_ptr_eq(oc__store_find_measure(got, measure->name), measure);
            ck_assert_str_eq(measure->units, expected_measure->units);
            ck_assert_str_eq(measure->long_name, expected_measure->long_name);
            ck_assert(same_text(measure->frequency, expected_measure->frequency));
            ck_assert(same_text(measure->source, expected_measure->source));
            ck_assert_uint_eq(oc__store_measure_chunk_areas(got, measure),
                              oc__store_measure_chunk_areas(want, expected_measure));
            /* It has no file: its values are for the jobs to read. */
            double value;
            oc_error error;
            ck_assert_int_eq(oc__store_read_measure_block(got, measure, 0, 1, &value, &error),
                             OC_ERROR_INVALID);
        }
    }
}

/* A store the raw fixtures do not cover: two frames, one without names
 * and parents and with a measure lacking frequency and source, one whose
 * names, parents and parents' names hold empty strings, an empty long
 * name. */
static void write_labelled_store(void)
{
    static const char *const codes[4] = {"A", "B", "C", "D"};
    static const char *const names[4] = {"", NULL, "Gamma", ""};
    static const char *const parents[4] = {"P", "", NULL, "P"};
    static const char *const parent_names[4] = {"Pembroke", "", NULL, "Pembroke"};
    static const int32_t times[2] = {100, 200};
    static const double values[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    oc__store_writer *writer;
    oc__store_writer_frame *bare, *labelled;
    oc__store_writer_measure *measure;
    oc_error error;
    oc__store_measure_spec plain = {"count", "people", "", NULL, NULL};
    oc__store_measure_spec full = {"rate", "%", "A rate", "year", "Somewhere"};
    ck_assert_int_eq(oc__store_writer_create(path, &writer, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_frame(writer, "bare", 3, codes, NULL, NULL, 1, times,
                                                &bare, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_measure(writer, bare, &plain, &measure, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_write_block(writer, measure, 0, 3, values, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_frame(writer, "labelled", 4, codes, names, parents, 2,
                                                times, &labelled, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_parent_names(writer, labelled, parent_names, &error),
                     OC_OK);
    ck_assert_int_eq(oc__store_writer_add_measure(writer, labelled, &full, &measure, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_measure(writer, labelled, &plain, &measure, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_commit(writer, &error), OC_OK);
}

static const char *const message_kinds[] = {"plain", "chunked", "integer", "xarray", "hours",
                                            "fixed", "unattached", "groups", "labelled"};

static void write_kind(const char *kind)
{
    if (strcmp(kind, "labelled") == 0)
        write_labelled_store();
    else
        ck_assert_int_eq(fixture_write(kind, path), 0);
}

/* A message copied into a buffer of its own, as decode takes ownership. */
static unsigned char *copy_of(const unsigned char *bytes, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, bytes, size);
    return copy;
}

START_TEST(test_message_round_trip)
{
    write_kind(message_kinds[_i]);
    oc__store *direct = NULL, *rebuilt = NULL, *again = NULL;
    oc_error error;
    ck_assert_int_eq(oc__store_open(path, &direct, &error), OC_OK);
    unsigned char *bytes;
    size_t size;
    ck_assert_int_eq(oc__store_message_encode(direct, OC_OK, NULL, &bytes, &size), OC_OK);
    ck_assert_msg(oc__store_message_decode(path, bytes, size, &rebuilt, &error) == OC_OK, "%s: %s",
                  message_kinds[_i], error.message);
    assert_same_store(direct, rebuilt);
    ck_assert_str_eq(oc__store_path(rebuilt), path);
    /* The same store through a child process, as `run` opens it. */
    ck_assert_msg(oc__store_open_contained(path, &again, &error) == OC_OK, "%s: %s",
                  message_kinds[_i], error.message);
    assert_same_store(direct, again);
    oc__store_close(again);
    /* closing it reaped the reader: no child is left, not even a zombie */
    assert_no_child_left();
    oc__store_close(rebuilt);
    oc__store_close(direct);
}
END_TEST

START_TEST(test_labelled_store_as_written)
{
    write_labelled_store();
    oc__store *store;
    oc_error error;
    ck_assert_int_eq(oc__store_open_contained(path, &store, &error), OC_OK);
    oc__store_frame *bare = oc__store_find_frame(store, "bare");
    oc__store_frame *labelled = oc__store_find_frame(store, "labelled");
    ck_assert_ptr_nonnull(bare);
    ck_assert_ptr_nonnull(labelled);
    ck_assert_ptr_null(oc__store_area_name(bare, 0));
    ck_assert_ptr_null(oc__store_area_parent(bare, 2));
    ck_assert_str_eq(oc__store_area_name(labelled, 0), "");
    ck_assert_str_eq(oc__store_area_name(labelled, 1), "");
    ck_assert_str_eq(oc__store_area_name(labelled, 2), "Gamma");
    ck_assert_str_eq(oc__store_area_parent(labelled, 1), "");
    ck_assert_str_eq(oc__store_area_parent(labelled, 3), "P");
    ck_assert_str_eq(oc__store_parent_name(labelled, 3), "Pembroke");
    ck_assert_ptr_null(oc__store_parent_name(labelled, 1)); /* no parent */
    ck_assert_ptr_null(oc__store_parent_name(bare, 0));
    ck_assert_uint_eq(oc__store_find_area(labelled, "D"), 3);
    const oc__store_measure *count = oc__store_find_measure(bare, "count");
    ck_assert_ptr_nonnull(count);
    ck_assert_str_eq(count->long_name, "");
    ck_assert_ptr_null(count->frequency);
    ck_assert_ptr_null(count->source);
    ck_assert_str_eq(oc__store_find_measure(labelled, "rate")->source, "Somewhere");
    oc__store_close(store);
}
END_TEST

static int decode_copy(const unsigned char *bytes, size_t size, oc_error *error)
{
    oc__store *store = (oc__store *)&store;
    int status = oc__store_message_decode(path, copy_of(bytes, size), size, &store, error);
    if (status == OC_OK)
        oc__store_close(store);
    else
        ck_assert_ptr_null(store);
    return status;
}

/* The message for the store of that kind (*bytes malloc'd). */
static void encode_kind(const char *kind, unsigned char **bytes, size_t *size)
{
    write_kind(kind);
    oc__store *direct;
    oc_error error;
    ck_assert_int_eq(oc__store_open(path, &direct, &error), OC_OK);
    ck_assert_int_eq(oc__store_message_encode(direct, OC_OK, NULL, bytes, size), OC_OK);
    oc__store_close(direct);
}

/* Cut anywhere, a message is refused in one line naming the file. */
START_TEST(test_message_refuses_truncated)
{
    oc_error error;
    unsigned char *bytes;
    size_t size;
    encode_kind(message_kinds[_i], &bytes, &size);
    for (size_t cut = 0; cut < size; cut++) {
        ck_assert_msg(decode_copy(bytes, cut, &error) == OC_ERROR_IO, "cut at %zu of %zu", cut,
                      size);
        ck_assert_msg(strncmp(error.message, path, strlen(path)) == 0
                          && strstr(error.message, ": the store reader's answer is malformed: ")
                                 != NULL,
                      "cut at %zu: %s", cut, error.message);
    }
    ck_assert_int_eq(decode_copy(bytes, size, &error), OC_OK);
    free(bytes);
}
END_TEST

/* Any byte garbled: refused, or (a byte inside a text) read as some other
 * store, never out of bounds (the sanitizers watch). The start, the status
 * and the counts are always refused. */
START_TEST(test_message_refuses_garbled)
{
    oc_error error;
    unsigned char *bytes;
    size_t size;
    encode_kind(message_kinds[_i], &bytes, &size);
    size_t refused = 0;
    for (size_t at = 0; at < size; at++) {
        for (int flip = 1; flip < 256; flip <<= 1) {
            bytes[at] ^= (unsigned char)flip;
            int status = decode_copy(bytes, size, &error);
            bytes[at] ^= (unsigned char)flip;
            ck_assert_msg(status == OC_OK || status == OC_ERROR_IO, "byte %zu: status %d", at,
                          status);
            refused += status != OC_OK;
            if (at < 8 + 8 + 8) /* start, status, frame count */
                ck_assert_msg(status == OC_ERROR_IO, "byte %zu bit %d accepted", at, flip);
        }
    }
    ck_assert_uint_gt(refused, size * 8 / 2);
    free(bytes);
}
END_TEST

/* A reader's failure comes back as its status and message, word for word;
 * a status no reader gives is refused. */
START_TEST(test_message_carries_failure)
{
    unsigned char *bytes;
    size_t size;
    oc_error error;
    oc__store *store = NULL;
    ck_assert_int_eq(oc__store_message_encode(NULL, OC_ERROR_FORMAT, "x.h5: /time: missing",
                                              &bytes, &size), OC_OK);
    ck_assert_int_eq(oc__store_message_decode(path, bytes, size, &store, &error), OC_ERROR_FORMAT);
    ck_assert_ptr_null(store);
    ck_assert_str_eq(error.message, "x.h5: /time: missing");
    ck_assert_int_eq(oc__store_message_encode(NULL, 5, "x.h5: odd", &bytes, &size), OC_OK);
    ck_assert_int_eq(oc__store_message_decode(path, bytes, size, &store, &error), OC_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(error.message, "malformed"));
    ck_assert_int_eq(oc__store_message_encode(NULL, OC_ERROR_IO, "", &bytes, &size), OC_OK);
    ck_assert_int_eq(oc__store_message_decode(path, bytes, size, &store, &error), OC_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(error.message, "malformed"));
    /* a whole failure with bytes after it is no reader's */
    ck_assert_int_eq(oc__store_message_encode(NULL, OC_ERROR_IO, "x.h5: odd", &bytes, &size), OC_OK);
    unsigned char *longer = realloc(bytes, size + 1);
    ck_assert_ptr_nonnull(longer);
    longer[size] = 0;
    ck_assert_int_eq(oc__store_message_decode(path, longer, size + 1, &store, &error), OC_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(error.message, "malformed: 1 bytes after its end"));
}
END_TEST

/* Opened in a child, a broken store gives exactly what oc__store_open
 * gives here. */
START_TEST(test_contained_refuses_broken)
{
    oc__store *store = (oc__store *)&store;
    oc_error direct_error, error;
    ck_assert_int_eq(fixture_write(broken[_i].kind, path), 0);
    ck_assert_int_eq(oc__store_open(path, &store, &direct_error), broken[_i].status);
    ck_assert_int_eq(oc__store_open_contained(path, &store, &error), broken[_i].status);
    ck_assert_ptr_null(store);
    ck_assert_str_eq(error.message, direct_error.message);
}
END_TEST

START_TEST(test_contained_refuses_paths)
{
    oc__store *store;
    oc_error error;
    ck_assert_int_eq(oc__store_open_contained(directory, &store, &error), OC_ERROR_IO);
    ck_assert_ptr_null(store);
    ck_assert_ptr_nonnull(strstr(error.message, "is a directory"));
    ck_assert_int_eq(oc__store_open_contained(path, &store, &error), OC_ERROR_NOT_FOUND);
    ck_assert_str_eq(error.message + strlen(path), ": No such file or directory");
}
END_TEST

/* A job opens only the measures its plan reads: named ones that exist
 * (a NULL name, an unmapped role, and a name the store lacks are passed
 * over), read as the whole store reads them; NULL opens every one. */
START_TEST(test_open_for_reading_only_named_measures)
{
    static const char *const codes[3] = {"E1", "E2", "E3"};
    static const int32_t days[2] = {16801, 16832};
    static const char *const names[3] = {"acute_spend", "population", "recycled_tonnes"};
    oc__store_writer *writer;
    oc__store_writer_frame *frame;
    oc_error error;
    ck_assert_int_eq(oc__store_writer_create(path, &writer, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_frame(writer, NULL, 3, codes, NULL, NULL, 2, days,
                                                &frame, &error), OC_OK);
    for (int m = 0; m < 3; m++) {
        oc__store_measure_spec spec = {names[m], "count", names[m], "month", "test"};
        oc__store_writer_measure *measure;
        ck_assert_int_eq(oc__store_writer_add_measure(writer, frame, &spec, &measure, &error),
                         OC_OK);
        double values[6];
        for (int i = 0; i < 6; i++)
            values[i] = 100.0 * m + i;
        ck_assert_int_eq(oc__store_writer_write_block(writer, measure, 0, 3, values, &error),
                         OC_OK);
    }
    ck_assert_msg(oc__store_writer_commit(writer, &error) == OC_OK, "%s", error.message);

    static const char *const wanted[3] = {NULL, "population", "no_such_measure"};
    oc__store *store = NULL;
    ck_assert_int_eq(oc__store_open_for_reading(path, wanted, 3, &store, &error), OC_OK);
    oc__store_frame *only = oc__store_frame_at(store, 0);
    ck_assert_uint_eq(oc__store_measure_count(only), 1);
    ck_assert_ptr_null(oc__store_find_measure(only, "acute_spend"));
    ck_assert_ptr_null(oc__store_find_measure(only, "recycled_tonnes"));
    const oc__store_measure *population = oc__store_find_measure(only, "population");
    ck_assert_ptr_nonnull(population);
    double got[6];
    ck_assert_int_eq(oc__store_read_measure_block(only, population, 0, 3, got, &error), OC_OK);
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(got[i], 100.0 + i);
    oc__store_close(store);

    ck_assert_int_eq(oc__store_open_for_reading(path, NULL, 0, &store, &error), OC_OK);
    ck_assert_uint_eq(oc__store_measure_count(oc__store_frame_at(store, 0)), 3);
    oc__store_close(store);
}
END_TEST

/* Area codes whose second global heap collection is damaged: HDF5 has
 * converted the first collection's strings (into the arena HDF5 is given,
 * core/store_hdf5.c) when the read fails. The error names the file and
 * the dataset; the sanitizer build reports anything left allocated. */
START_TEST(test_strings_failing_half_way)
{
    oc__store *store = (oc__store *)&store;
    oc_error error;
    ck_assert_int_eq(fixture_write("damaged-later-heap", path), 0);
    ck_assert_int_eq(oc__store_open(path, &store, &error), OC_ERROR_FORMAT);
    ck_assert_ptr_null(store);
    ck_assert_msg(strncmp(error.message, path, strlen(path)) == 0
                      && strstr(error.message, ": /area: ") != NULL,
                  "%s", error.message);
}
END_TEST

/* A string pointing at an object missing from the global heap crashes
 * Debian's HDF5 1.10 (SIGSEGV): in a child, that is one line and a
 * status, and this process lives on. Should an HDF5 refuse the reference
 * cleanly instead, the status and the file's name are what is required. */
START_TEST(test_contained_survives_crash)
{
    oc__store *store = (oc__store *)&store;
    oc_error error;
    ck_assert_int_eq(fixture_write("dangling-string", path), 0);
    ck_assert_int_eq(oc__store_open_contained(path, &store, &error), OC_ERROR_FORMAT);
    ck_assert_ptr_null(store);
    ck_assert_msg(strncmp(error.message, path, strlen(path)) == 0, "%s", error.message);
    if (strstr(error.message, "crashed") != NULL)
        ck_assert_str_eq(error.message + strlen(path),
                         ": the HDF5 library crashed reading it (Segmentation fault, signal 11): "
                         "the file is damaged");
}
END_TEST

/* A reader that dies the way glibc makes it die on a damaged file:
 * its message on standard error, then SIGABRT. */
static void aborting_reader(const char *store_path, int descriptor)
{
    (void)store_path;
    (void)descriptor;
    fputs("free(): double free detected in tcache 2\n", stderr);
    abort();
}

/* What a crashing reader printed does not reach the run's standard
 * error: the host's one line is all the user sees. */
START_TEST(test_contained_crash_prints_nothing)
{
    char captured[160];
    snprintf(captured, sizeof captured, "%s/stderr", directory);
    int saved = dup(STDERR_FILENO);
    int file = open(captured, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(file, 0);
    ck_assert_int_ge(dup2(file, STDERR_FILENO), 0);
    close(file);
    oc__store *store = NULL;
    oc_error error;
    int status = oc__store_open_answered_by(path, aborting_reader, 10000, &store, &error);
    dup2(saved, STDERR_FILENO);
    close(saved);
    struct stat printed;
    ck_assert_int_eq(stat(captured, &printed), 0);
    unlink(captured);
    ck_assert_int_eq(status, OC_ERROR_FORMAT);
    ck_assert_ptr_null(store);
    ck_assert_str_eq(error.message + strlen(path),
                     ": the HDF5 library crashed reading it (Aborted, signal 6): the file is "
                     "damaged");
    ck_assert_int_eq(printed.st_size, 0);
}
END_TEST

/* Damage the listing would pass over: a frame group or a measure linked
 * but unreadable is one line naming it, not a store without it. */
START_TEST(test_refuses_unreadable_objects)
{
    static const char *const kinds[2] = {"damaged-frame-header", "damaged-measure-header"};
    static const char *const objects[2] = {": /quarterly: cannot be read (damaged file?): ",
                                           ": /quarterly/claimants: cannot be read (damaged file?): "};
    oc__store *store = (oc__store *)&store;
    oc_error error;
    ck_assert_int_eq(fixture_write(kinds[_i], path), 0);
    ck_assert_int_eq(oc__store_open(path, &store, &error), OC_ERROR_FORMAT);
    ck_assert_ptr_null(store);
    ck_assert_msg(strncmp(error.message, path, strlen(path)) == 0
                      && strncmp(error.message + strlen(path), objects[_i], strlen(objects[_i])) == 0,
                  "%s", error.message);
    ck_assert_int_eq(oc__store_open_contained(path, &store, &error), OC_ERROR_FORMAT);
    ck_assert_ptr_null(strchr(error.message, '\n'));
}
END_TEST

/* What other tools leave beside frames and measures (links to nothing,
 * a user's groups) is passed over; chunks never written read as NaN. */
START_TEST(test_reads_extra_objects_and_sparse_chunks)
{
    oc__store *store = open_fixture("extra-objects");
    ck_assert_uint_eq(oc__store_frame_count(store), 2);
    assert_fixture_frame(oc__store_frame_at(store, 0));
    oc__store_close(store);
    store = open_fixture("sparse");
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    double values[9];
    oc_error error;
    ck_assert_int_eq(oc__store_read_measure_block(frame, oc__store_measure_at(frame, 0), 0, 3,
                                                  values, &error), OC_OK);
    ck_assert_double_eq(values[0], fixture_value(0, 0));
    for (int t = 0; t < 3; t++)
        ck_assert(isnan(values[6 + t]));
    oc__store_close(store);
}
END_TEST

/* A reader ended by a crash signal is the file's fault; one killed from
 * outside (the out-of-memory killer, an operator) says nothing of the
 * file, and the message must not call it damaged. */
START_TEST(test_reader_signals_named_for_what_they_are)
{
    static const struct {
        int signal_number;
        int status;
        const char *message;
    } cases[] = {
        {SIGSEGV, OC_ERROR_FORMAT,
         "s.h5: the HDF5 library crashed reading it (Segmentation fault, signal 11): the file "
         "is damaged"},
        {SIGABRT, OC_ERROR_FORMAT,
         "s.h5: the HDF5 library crashed reading it (Aborted, signal 6): the file is damaged"},
        {SIGKILL, OC_ERROR_IO,
         "s.h5: the store reader was stopped by a signal (Killed, signal 9) before it "
         "finished; this says nothing about the file"},
        {SIGTERM, OC_ERROR_IO,
         "s.h5: the store reader was stopped by a signal (Terminated, signal 15) before it "
         "finished; this says nothing about the file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sigaction saved;
        pid_t child = oc__store_fork_reader(&saved);
        ck_assert_int_ge(child, 0);
        if (child == 0) {
            raise(cases[i].signal_number);
            _exit(0);
        }
        int exit_status = -1;
        oc_error error;
        ck_assert_int_eq(oc__store_wait_reader(child, "s.h5", &exit_status, &error),
                         cases[i].status);
        sigaction(SIGCHLD, &saved, NULL);
        ck_assert_str_eq(error.message, cases[i].message);
    }
}
END_TEST

/* A reader that falls silent (HDF5 looping on a damaged file, a disk that
 * stopped answering) is given up after the silence limit, whether it said
 * nothing at all or stopped half-way; one that speaks in time is heard.
 * The write end stays open throughout, as a stuck reader's does: without
 * the limit these reads would wait for ever. */
START_TEST(test_receive_gives_up_on_a_silent_reader)
{
    write_kind("labelled");
    oc__store *direct = NULL;
    oc_error error;
    ck_assert_int_eq(oc__store_open(path, &direct, &error), OC_OK);
    unsigned char *bytes;
    size_t size;
    ck_assert_int_eq(oc__store_message_encode(direct, OC_OK, NULL, &bytes, &size), OC_OK);
    ck_assert_uint_lt(size, 65536); /* the whole answer fits in the pipe */
    size_t parts[] = {0, 5, size / 2, size};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        int ends[2];
        ck_assert_int_eq(pipe(ends), 0);
        ck_assert_int_eq(write(ends[1], bytes, parts[i]), (ssize_t)parts[i]);
        oc__store *store = NULL;
        int status = oc__store_message_receive(path, ends[0], 200, &store, &error);
        if (parts[i] == size) {
            ck_assert_msg(status == OC_OK, "%s", error.message);
            assert_same_store(direct, store);
            oc__store_close(store);
        } else {
            ck_assert_int_eq(status, OC_ERROR_IO);
            ck_assert_ptr_null(store);
            char expected[PATH_MAX + 200];
            snprintf(expected, sizeof expected,
                     "%s: the store reader sent nothing for 0.2 s and was stopped: the HDF5 "
                     "library may be stuck on a damaged file, or the disk not answering",
                     path);
            ck_assert_str_eq(error.message, expected);
        }
        close(ends[0]);
        close(ends[1]);
    }
    free(bytes);
    oc__store_close(direct);
}
END_TEST

static void ignore_signal(int signal_number)
{
    (void)signal_number;
}

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* oc__store_message_receive on a silent pipe with the given limit, while
 * a child sends this process `count` SIGUSR1s, one every interval_us, to
 * handler (without SA_RESTART: each interrupts the wait). Returns the
 * status, with the message in error and the seconds waited in *waited. */
static int receive_while_signalled(void (*handler)(int), int count, useconds_t interval_us,
                                   int limit_milliseconds, oc_error *error, double *waited)
{
    struct sigaction action, saved;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = handler;
    ck_assert_int_eq(sigaction(SIGUSR1, &action, &saved), 0);
    pid_t parent = getpid();
    pid_t sender = fork();
    ck_assert_int_ge(sender, 0);
    if (sender == 0) {
        for (int i = 0; i < count; i++) {
            usleep(interval_us);
            kill(parent, SIGUSR1);
        }
        _exit(0);
    }
    int ends[2];
    ck_assert_int_eq(pipe(ends), 0);
    oc__store *store = NULL;
    double start = seconds_now();
    int status = oc__store_message_receive(path, ends[0], limit_milliseconds, &store, error);
    *waited = seconds_now() - start;
    kill(sender, SIGKILL);
    ck_assert_int_eq(waitpid(sender, NULL, 0), sender);
    sigaction(SIGUSR1, &saved, NULL);
    close(ends[0]);
    close(ends[1]);
    ck_assert_ptr_null(store);
    return status;
}

/* The silence limit is kept by the clock: signals that interrupt the wait
 * (the host's stop signals, say) do not start it again. Here one comes
 * every 20 ms for 3 s; a limit restarted by each would end only 0.3 s
 * after the last. */
START_TEST(test_receive_silence_limit_kept_through_signals)
{
    oc_error error;
    double waited;
    ck_assert_int_eq(receive_while_signalled(ignore_signal, 150, 20000, 300, &error, &waited),
                     OC_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(error.message, ": the store reader sent nothing for 0.3 s"));
    ck_assert_msg(waited < 1.5, "waited %.2f s for a limit of 0.3 s", waited);
}
END_TEST

static void request_stop(int signal_number)
{
    oc__runner_request_stop(signal_number);
}

/* A run asked to stop (Ctrl-C, a scheduler's SIGTERM: their handlers call
 * oc__runner_request_stop) stops waiting for a stuck reader at once, not
 * at the end of its silence limit (here 30 s; the signal comes after
 * 0.1 s, and a stop is seen within a second of it). */
START_TEST(test_receive_ends_when_the_run_is_stopped)
{
    oc_error error;
    double waited;
    ck_assert_int_eq(receive_while_signalled(request_stop, 1, 100000, 30000, &error, &waited),
                     OC_ERROR_IO);
    char expected[PATH_MAX + 64];
    snprintf(expected, sizeof expected, "%s: reading it was interrupted by signal %d", path,
             SIGUSR1);
    ck_assert_str_eq(error.message, expected);
    ck_assert_msg(waited < 5, "waited %.2f s after a stop was asked for", waited);
}
END_TEST

/* A reader that starts its answer and then hangs, as HDF5 looping on a
 * damaged file would. */
static void hanging_reader(const char *store_path, int descriptor)
{
    (void)store_path;
    if (write(descriptor, "OCSTORE3", 8) != 8)
        _exit(1);
    for (;;)
        pause();
}

/* The two halves `run` uses to load its plugins while the reader reads:
 * finished, the store is what oc__store_open_contained gives; abandoned,
 * the reader is killed and reaped; abandoning a finished store does
 * nothing. The caller keeps SIGCHLD reapable throughout, as the engine
 * does. */
START_TEST(test_contained_start_then_finish_or_abandon)
{
    ck_assert_int_eq(fixture_write("plain", path), 0);
    struct sigaction saved;
    oc__runner_children_reapable(&saved);

    oc__store_pending pending;
    oc__store_open_contained_start(path, 0, &pending);
    ck_assert_int_gt(pending.child, 0);
    oc__store *store = NULL;
    oc_error error;
    ck_assert_msg(oc__store_open_contained_finish(&pending, &store, &error) == OC_OK, "%s",
                  error.message);
    oc__store_open_contained_abandon(&pending); /* finished: nothing */
    ck_assert_uint_eq(oc__store_frame_count(store), 1);
    ck_assert_str_eq(oc__store_area_name(oc__store_frame_at(store, 0), 1), "Beta");
    oc__store_close(store);
    assert_no_child_left();

    oc__store_open_contained_start(path, 0, &pending);
    ck_assert_int_gt(pending.child, 0);
    oc__store_open_contained_abandon(&pending);
    oc__store_open_contained_abandon(&pending); /* twice: nothing more */
    assert_no_child_left();
    sigaction(SIGCHLD, &saved, NULL);
}
END_TEST

/* A reader told to leave the area names out neither reads nor checks
 * them: a store whose area_name is one entry short is refused with them,
 * and read without them, its codes and parents whole. */
START_TEST(test_contained_without_area_names)
{
    ck_assert_int_eq(fixture_write("short-area-names", path), 0);
    struct sigaction saved;
    oc__runner_children_reapable(&saved);
    oc__store_pending pending;
    oc__store *store = NULL;
    oc_error error;
    oc__store_open_contained_start(path, 0, &pending);
    ck_assert_int_eq(oc__store_open_contained_finish(&pending, &store, &error), OC_ERROR_FORMAT);
    ck_assert_msg(strstr(error.message, "/area_name: has 2 entries for 3 areas") != NULL, "%s",
                  error.message);
    oc__store_open_contained_start(path, 1, &pending);
    ck_assert_msg(oc__store_open_contained_finish(&pending, &store, &error) == OC_OK, "%s",
                  error.message);
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    ck_assert_ptr_null(oc__store_area_name(frame, 1));
    ck_assert_uint_eq(oc__store_find_area(frame, "E2"), 1);
    ck_assert_str_eq(oc__store_area_parent(frame, 2), "P2");
    oc__store_close(store);
    assert_no_child_left();
    sigaction(SIGCHLD, &saved, NULL);
}
END_TEST

/* Two readers finished in the order they were started, by a host that
 * was started with SIGCHLD ignored (as some schedulers start jobs): the
 * first finishing must not give SIGCHLD back to "ignore" while the
 * second still runs, or its reader, gone, could not be waited for and
 * judged. The action stays the caller's to restore. */
START_TEST(test_contained_readers_finish_in_any_order)
{
    ck_assert_int_eq(fixture_write("plain", path), 0);
    char second[160];
    snprintf(second, sizeof second, "%s/second.h5", directory);
    ck_assert_int_eq(fixture_write("plain", second), 0);
    void (*original)(int) = signal(SIGCHLD, SIG_IGN);
    struct sigaction saved, during;
    oc__runner_children_reapable(&saved);

    oc__store_pending first, other;
    oc__store_open_contained_start(path, 0, &first);
    oc__store_open_contained_start(second, 0, &other);
    oc__store *stores[2] = {NULL, NULL};
    oc_error error;
    ck_assert_msg(oc__store_open_contained_finish(&first, &stores[0], &error) == OC_OK, "%s",
                  error.message);
    ck_assert_int_eq(sigaction(SIGCHLD, NULL, &during), 0);
    ck_assert_ptr_eq((void *)during.sa_handler, (void *)SIG_DFL); /* still reapable */
    ck_assert_msg(oc__store_open_contained_finish(&other, &stores[1], &error) == OC_OK, "%s",
                  error.message);
    ck_assert_int_eq(sigaction(SIGCHLD, NULL, &during), 0);
    ck_assert_ptr_eq((void *)during.sa_handler, (void *)SIG_DFL);
    oc__store_close(stores[0]);
    oc__store_close(stores[1]);
    assert_no_child_left(); /* both reaped */
    sigaction(SIGCHLD, &saved, NULL);
    ck_assert_int_eq(sigaction(SIGCHLD, NULL, &during), 0);
    ck_assert_ptr_eq((void *)during.sa_handler, (void *)SIG_IGN); /* the caller's, back */
    signal(SIGCHLD, original);
    unlink(second);
}
END_TEST

/* `run` gives such a reader up, kills it and does not wait for it (a
 * reader stuck on a disk that does not answer cannot die until it does);
 * it dies of SIGKILL, and the caller's SIGCHLD action is as it was. */
START_TEST(test_contained_kills_a_silent_reader)
{
    struct sigaction before, after;
    ck_assert_int_eq(sigaction(SIGCHLD, NULL, &before), 0);
    oc__store *store = NULL;
    oc_error error;
    ck_assert_int_eq(oc__store_open_answered_by(path, hanging_reader, 300, &store, &error),
                     OC_ERROR_IO);
    ck_assert_ptr_null(store);
    ck_assert_ptr_nonnull(
        strstr(error.message, ": the store reader sent nothing for 0.3 s and was stopped: "));
    ck_assert_int_eq(sigaction(SIGCHLD, NULL, &after), 0);
    ck_assert_ptr_eq((void *)after.sa_handler, (void *)before.sa_handler);
    int status;
    ck_assert_int_gt(waitpid(-1, &status, 0), 0);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}
END_TEST

static Suite *store_read_suite(void)
{
    Suite *suite = suite_create("store_read");
    TCase *tcase = tcase_create("read");
    tcase_add_checked_fixture(tcase, setup, teardown);
    tcase_add_test(tcase, test_plain_layout);
    tcase_add_loop_test(tcase, test_foreign_layouts, 0, 6);
    tcase_add_test(tcase, test_frames_in_groups);
    tcase_add_loop_test(tcase, test_open_for_reading_skips_labels, 0, 8);
    tcase_add_test(tcase, test_open_for_reading_only_named_measures);
    tcase_add_test(tcase, test_blocks_across_chunks);
    tcase_add_test(tcase, test_find_area_many);
    tcase_add_loop_test(tcase, test_refuses_broken, 0, (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(tcase, test_corrupt_chunk_fails_on_read);
    tcase_add_test(tcase, test_refuses_paths);
    tcase_add_test(tcase, test_time_units);
    tcase_add_test(tcase, test_prepare_library);
    tcase_add_test(tcase, test_conversion_transfer_sized_to_the_read);
    int kinds = (int)(sizeof message_kinds / sizeof message_kinds[0]);
    tcase_add_loop_test(tcase, test_message_round_trip, 0, kinds);
    tcase_add_test(tcase, test_labelled_store_as_written);
    tcase_add_loop_test(tcase, test_message_refuses_truncated, 0, kinds);
    tcase_add_loop_test(tcase, test_message_refuses_garbled, 0, kinds);
    tcase_add_test(tcase, test_message_carries_failure);
    tcase_add_loop_test(tcase, test_contained_refuses_broken, 0,
                        (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(tcase, test_contained_refuses_paths);
    tcase_add_test(tcase, test_contained_survives_crash);
    tcase_add_test(tcase, test_strings_failing_half_way);
    tcase_add_test(tcase, test_reader_signals_named_for_what_they_are);
    tcase_add_test(tcase, test_contained_crash_prints_nothing);
    tcase_add_loop_test(tcase, test_refuses_unreadable_objects, 0, 2);
    tcase_add_test(tcase, test_reads_extra_objects_and_sparse_chunks);
    tcase_add_test(tcase, test_receive_gives_up_on_a_silent_reader);
    tcase_add_test(tcase, test_receive_silence_limit_kept_through_signals);
    tcase_add_test(tcase, test_receive_ends_when_the_run_is_stopped);
    tcase_add_test(tcase, test_contained_kills_a_silent_reader);
    tcase_add_test(tcase, test_contained_start_then_finish_or_abandon);
    tcase_add_test(tcase, test_contained_without_area_names);
    tcase_add_test(tcase, test_contained_readers_finish_in_any_order);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(store_read_suite());
}
