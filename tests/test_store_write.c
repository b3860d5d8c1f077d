/* test_store_write.c: the store writer. What it writes is checked with
 * the raw HDF5 API (chunks, filters, fill value, scales, format bounds)
 * and read back with the reader; atomicity by looking at the directory. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "check_runner.h"
#include "store.h"

static char directory[64];
static char path[128];

static void setup(void)
{
    snprintf(directory, sizeof directory, "/tmp/test_store_write.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(directory));
    snprintf(path, sizeof path, "%s/store.h5", directory);
}

/* The number of entries in the directory besides . and .. */
static int directory_entries(void)
{
    DIR *listing = opendir(directory);
    int count = 0;
    for (struct dirent *entry; (entry = readdir(listing)) != NULL;)
        count += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
    closedir(listing);
    return count;
}

static void teardown(void)
{
    unlink(path);
    ck_assert_int_eq(directory_entries(), 0); /* no temporary left behind */
    rmdir(directory);
}

enum { AREAS = 1000, TIMES = 300 };
static char code_texts[AREAS][12];
static const char *codes[AREAS];
static int32_t times[TIMES];

static void make_axes(void)
{
    for (int i = 0; i < AREAS; i++) {
        snprintf(code_texts[i], sizeof code_texts[i], "E0%07d", i);
        codes[i] = code_texts[i];
    }
    for (int t = 0; t < TIMES; t++)
        times[t] = 16801 + 31 * t;
}

static double value_at(size_t area, size_t time)
{
    return (double)area * 1000.0 + (double)time;
}

/* Writes areas 0..899 of `claimants` in blocks of 300 (not chunk-aligned)
 * and leaves 900..999 unwritten. */
static void write_store(void)
{
    oc__store_writer *writer;
    oc__store_writer_frame *frame;
    oc__store_writer_measure *measure;
    oc_error error;
    oc__store_measure_spec spec = {"claimants", "people", "ESA/IB claimants", "month", "DWP"};
    ck_assert_int_eq(oc__store_writer_create(path, &writer, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_frame(writer, "monthly", AREAS, codes, codes, NULL, TIMES,
                                                times, &frame, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_measure(writer, frame, &spec, &measure, &error), OC_OK);
    double *block = malloc(300 * TIMES * sizeof *block);
    for (size_t first = 0; first < 900; first += 300) {
        for (size_t a = 0; a < 300; a++)
            for (size_t t = 0; t < TIMES; t++)
                block[a * TIMES + t] = value_at(first + a, t);
        ck_assert_int_eq(oc__store_writer_write_block(writer, measure, first, 300, block, &error), OC_OK);
    }
    ck_assert_int_eq(oc__store_writer_write_block(writer, measure, 900, 101, block, &error), OC_ERROR_INVALID);
    free(block);
    ck_assert_int_eq(oc__store_writer_commit(writer, &error), OC_OK);
}

START_TEST(test_layout_on_disk)
{
    make_axes();
    write_store();
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    /* HDF5 1.8 reads superblocks up to version 2. */
    H5F_info2_t info;
    ck_assert_int_ge(H5Fget_info2(file, &info), 0);
    ck_assert_uint_le(info.super.version, 2);
    int version = 0;
    hid_t attribute = H5Aopen(file, "outcomes_store_version", H5P_DEFAULT);
    H5Aread(attribute, H5T_NATIVE_INT, &version);
    H5Aclose(attribute);
    ck_assert_int_eq(version, 1);
    hid_t dataset = H5Dopen2(file, "/monthly/claimants", H5P_DEFAULT);
    hid_t area = H5Dopen2(file, "/monthly/area", H5P_DEFAULT);
    hid_t time = H5Dopen2(file, "/monthly/time", H5P_DEFAULT);
    ck_assert_int_gt(H5DSis_attached(dataset, area, 0), 0);
    ck_assert_int_gt(H5DSis_attached(dataset, time, 1), 0);
    hid_t creation = H5Dget_create_plist(dataset);
    hsize_t chunk[2];
    ck_assert_int_eq(H5Pget_chunk(creation, 2, chunk), 2);
    /* 512 areas x 300 times x 8 bytes = 1,228,800 > 1 MiB, so the chunk
     * shrinks to floor(1,048,576 / 2,400) = 436 areas by all 300 times. */
    ck_assert_uint_eq(chunk[0], 436);
    ck_assert_uint_eq(chunk[1], TIMES);
    ck_assert_int_eq(H5Pget_nfilters(creation), 2);
    unsigned flags;
    size_t count = 0;
    ck_assert_int_eq(H5Pget_filter2(creation, 0, &flags, &count, NULL, 0, NULL, NULL), H5Z_FILTER_SHUFFLE);
    count = 0;
    ck_assert_int_eq(H5Pget_filter2(creation, 1, &flags, &count, NULL, 0, NULL, NULL), H5Z_FILTER_DEFLATE);
    double fill = 0;
    H5Pget_fill_value(creation, H5T_NATIVE_DOUBLE, &fill);
    ck_assert(isnan(fill));
    H5Pclose(creation);
    H5Dclose(time);
    H5Dclose(area);
    H5Dclose(dataset);
    H5Fclose(file);
}
END_TEST

START_TEST(test_round_trip)
{
    make_axes();
    write_store();
    oc__store *store;
    oc_error error;
    ck_assert_int_eq(oc__store_open(path, &store, &error), OC_OK);
    oc__store_frame *frame = oc__store_find_frame(store, "monthly");
    ck_assert_ptr_nonnull(frame);
    ck_assert_uint_eq(oc__store_area_count(frame), AREAS);
    ck_assert_uint_eq(oc__store_time_count(frame), TIMES);
    ck_assert_int_eq(oc__store_times(frame)[TIMES - 1], 16801 + 31 * (TIMES - 1));
    ck_assert_str_eq(oc__store_area_name(frame, 7), "E00000007");
    ck_assert_ptr_null(oc__store_area_parent(frame, 7));
    const oc__store_measure *measure = oc__store_find_measure(frame, "claimants");
    ck_assert_str_eq(measure->frequency, "month");
    ck_assert_str_eq(measure->source, "DWP");
    size_t block = oc__store_measure_chunk_areas(frame, measure);
    ck_assert_uint_eq(block, 436);
    double *values = malloc(block * TIMES * sizeof *values);
    for (size_t first = 0; first < AREAS; first += block) {
        size_t areas = AREAS - first < block ? AREAS - first : block;
        ck_assert_int_eq(oc__store_read_measure_block(frame, measure, first, areas, values, &error), OC_OK);
        for (size_t a = 0; a < areas; a++)
            for (size_t t = 0; t < TIMES; t += 37) {
                double value = values[a * TIMES + t];
                if (first + a < 900)
                    ck_assert_double_eq(value, value_at(first + a, t));
                else
                    ck_assert(isnan(value)); /* never written: the NaN fill */
            }
    }
    free(values);
    oc__store_close(store);
}
END_TEST

/* An aborted write leaves the old file as it was and nothing else. */
START_TEST(test_abort_keeps_target)
{
    FILE *old = fopen(path, "w");
    fputs("old contents\n", old);
    fclose(old);
    oc__store_writer *writer;
    oc__store_writer_frame *frame;
    oc_error error;
    int32_t day = 0;
    const char *code = "E1";
    ck_assert_int_eq(oc__store_writer_create(path, &writer, &error), OC_OK);
    ck_assert_int_eq(directory_entries(), 2); /* the target and the temporary */
    ck_assert_int_eq(oc__store_writer_add_frame(writer, NULL, 1, &code, NULL, NULL, 1, &day, &frame, &error), OC_OK);
    oc__store_writer_abort(writer);
    ck_assert_int_eq(directory_entries(), 1);
    char text[32] = "";
    old = fopen(path, "r");
    ck_assert_ptr_nonnull(fgets(text, sizeof text, old));
    fclose(old);
    ck_assert_str_eq(text, "old contents\n");
}
END_TEST

START_TEST(test_refuses_bad_arguments)
{
    static const char *const duplicate[3] = {"E1", "E2", "E1"};
    static const int32_t unordered[2] = {10, 5};
    static const int32_t ordered[2] = {5, 10};
    oc__store_writer *writer;
    oc__store_writer_frame *frame = NULL, *other;
    oc__store_writer_measure *measure;
    oc_error error;
    ck_assert_int_eq(oc__store_writer_create(path, &writer, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_frame(writer, "q", 3, duplicate, NULL, NULL, 2, ordered, &frame, &error),
                     OC_ERROR_INVALID);
    ck_assert_ptr_nonnull(strstr(error.message, "duplicate area code 'E1' at positions 0 and 2"));
    ck_assert_int_eq(oc__store_writer_add_frame(writer, "q", 2, duplicate, NULL, NULL, 2, unordered, &frame, &error),
                     OC_ERROR_INVALID);
    ck_assert_ptr_nonnull(strstr(error.message, "not strictly increasing"));
    ck_assert_int_eq(oc__store_writer_add_frame(writer, "q", 2, duplicate, NULL, NULL, 2, ordered, &frame, &error),
                     OC_OK);
    ck_assert_int_eq(oc__store_writer_add_frame(writer, NULL, 2, duplicate, NULL, NULL, 2, ordered, &other, &error),
                     OC_ERROR_INVALID);
    oc__store_measure_spec bad_frequency = {"spend", "GBP", "Spend", "fortnight", NULL};
    ck_assert_int_eq(oc__store_writer_add_measure(writer, frame, &bad_frequency, &measure, &error), OC_ERROR_INVALID);
    oc__store_measure_spec axis_name = {"time", "days", "Time", NULL, NULL};
    ck_assert_int_eq(oc__store_writer_add_measure(writer, frame, &axis_name, &measure, &error), OC_ERROR_INVALID);
    oc__store_measure_spec no_units = {"spend", NULL, "Spend", NULL, NULL};
    ck_assert_int_eq(oc__store_writer_add_measure(writer, frame, &no_units, &measure, &error), OC_ERROR_INVALID);
    oc__store_measure_spec good = {"spend", "GBP", "Spend", "financial_year", NULL};
    ck_assert_int_eq(oc__store_writer_add_measure(writer, frame, &good, &measure, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_measure(writer, frame, &good, &measure, &error), OC_ERROR_INVALID);
    ck_assert_ptr_nonnull(strstr(error.message, "added twice"));
    oc__store_writer_abort(writer);
    ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_unwritable_directory)
{
    oc__store_writer *writer = (oc__store_writer *)&writer;
    oc_error error;
    ck_assert_int_eq(oc__store_writer_create("/nonexistent-directory/store.h5", &writer, &error), OC_ERROR_IO);
    ck_assert_ptr_null(writer);
    ck_assert_ptr_nonnull(strstr(error.message, "/nonexistent-directory/store.h5"));
}
END_TEST

static Suite *store_write_suite(void)
{
    Suite *suite = suite_create("store_write");
    TCase *tcase = tcase_create("write");
    tcase_add_checked_fixture(tcase, setup, teardown);
    tcase_add_test(tcase, test_layout_on_disk);
    tcase_add_test(tcase, test_round_trip);
    tcase_add_test(tcase, test_abort_keeps_target);
    tcase_add_test(tcase, test_refuses_bad_arguments);
    tcase_add_test(tcase, test_unwritable_directory);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(store_write_suite());
}
