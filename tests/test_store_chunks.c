/* test_store_chunks.c: whole chunks read straight into a block
 * (core/store_chunks.c) give the values H5Dread gives, for every filter
 * pipeline the direct path takes; every other layout is left to H5Dread;
 * blocks that start or end inside a chunk and the partial last chunk row
 * are read directly too, and a chunk never written and a chunk whose
 * filters were skipped are read right; a damaged chunk is a one-line error naming the file, the measure
 * and the areas. The store is written with the raw HDF5 API, as other
 * tools write stores. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <hdf5.h>

#include "check_runner.h"
#include "store_internal.h"

#define AREAS 300 /* 4 chunks of 64 and a partial one of 44 */
#define TIMES 12
#define CHUNK 64

static char directory[64];
static char path[128];

/* Every value distinct, some missing, a few with every byte busy. */
static double value_at(size_t area, size_t time)
{
    if ((area * 7 + time) % 23 == 0)
        return NAN;
    if (area % 50 == 3)
        return -1.0 / (double)(area * TIMES + time + 3);
    return (double)area * 1000.0 + (double)time + 0.125;
}

static void fill_values(double *values)
{
    for (size_t a = 0; a < AREAS; a++)
        for (size_t t = 0; t < TIMES; t++)
            values[a * TIMES + t] = value_at(a, t);
}

typedef enum filters {
    SHUFFLE = 1,
    DEFLATE = 2,
    FLETCHER = 4,
    DEFLATE_THEN_SHUFFLE = 8,
    RAW_EDGE = 16 /* H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS: the last chunk stored unfiltered */
} filters;

/* A measure [AREAS, TIMES] with the given chunk shape, stored type and
 * filters; written whole unless values is NULL. */
static void write_measure(hid_t file, const char *name, hsize_t chunk_areas, hsize_t chunk_times,
                          hid_t type, int pipeline, const double *values)
{
    hsize_t dims[2] = {AREAS, TIMES}, chunk[2] = {chunk_areas, chunk_times};
    hid_t space = H5Screate_simple(2, dims, NULL);
    hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    if (chunk_areas > 0)
        ck_assert_int_ge(H5Pset_chunk(creation, 2, chunk), 0);
    double fill = NAN;
    H5Pset_fill_value(creation, H5T_NATIVE_DOUBLE, &fill);
    if (pipeline & FLETCHER)
        H5Pset_fletcher32(creation);
    if (pipeline & DEFLATE_THEN_SHUFFLE) {
        H5Pset_deflate(creation, 4);
        H5Pset_shuffle(creation);
    }
    if (pipeline & SHUFFLE)
        H5Pset_shuffle(creation);
    if (pipeline & DEFLATE)
        H5Pset_deflate(creation, 4);
    if (pipeline & RAW_EDGE)
        ck_assert_int_ge(H5Pset_chunk_opts(creation, H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS), 0);
    hid_t dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, creation, H5P_DEFAULT);
    ck_assert_int_ge(dataset, 0);
    if (values != NULL)
        ck_assert_int_ge(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), 0);
    H5Dclose(dataset);
    H5Pclose(creation);
    H5Sclose(space);
}

/* The chunk of areas first .. first + CHUNK - 1 as the pipeline
 * [shuffle, deflate] would store it, with the filters in skipped left
 * out (bit 0 shuffle, bit 1 deflate), or the bytes given. */
static void write_raw_chunk(hid_t file, const char *name, size_t first, uint32_t skipped,
                            const unsigned char *bytes, size_t byte_count)
{
    hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
    hsize_t offset[2] = {first, 0};
    ck_assert_int_ge(H5Dwrite_chunk(dataset, H5P_DEFAULT, skipped, offset, byte_count, bytes), 0);
    H5Dclose(dataset);
}

/* values[first .. first + CHUNK) shuffled (and deflated unless skipped). */
static size_t encode_chunk(const double *values, size_t first, uint32_t skipped,
                           unsigned char *out, size_t out_size)
{
    size_t count = CHUNK * TIMES;
    unsigned char plain[CHUNK * TIMES * 8], shuffled[CHUNK * TIMES * 8];
    memcpy(plain, values + first * TIMES, sizeof plain);
    for (size_t i = 0; i < count; i++)
        for (size_t b = 0; b < 8; b++)
            shuffled[b * count + i] = plain[i * 8 + b];
    const unsigned char *source = (skipped & 1) ? plain : shuffled;
    if (skipped & 2) {
        memcpy(out, source, sizeof plain);
        return sizeof plain;
    }
    uLongf size = (uLongf)out_size;
    ck_assert_int_eq(compress2(out, &size, source, sizeof plain, 4), Z_OK);
    return size;
}

/* The store at path; in HDF5's latest file format (latest), which a
 * dataset whose last chunk is stored unfiltered needs, with one more. */
static void write_store(int latest)
{
    double *values = malloc(AREAS * TIMES * sizeof *values);
    fill_values(values);
    hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    if (latest)
        H5Pset_libver_bounds(access, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, access);
    H5Pclose(access);
    ck_assert_int_ge(file, 0);
    /* The axes: codes E0..E299, monthly times. */
    char *codes[AREAS];
    for (size_t a = 0; a < AREAS; a++) {
        codes[a] = malloc(8);
        snprintf(codes[a], 8, "E%zu", a);
    }
    hsize_t area_count = AREAS, time_count = TIMES;
    hid_t string_type = H5Tcopy(H5T_C_S1);
    H5Tset_size(string_type, H5T_VARIABLE);
    hid_t space = H5Screate_simple(1, &area_count, NULL);
    hid_t dataset = H5Dcreate2(file, "area", string_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(dataset, string_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, codes);
    H5Dclose(dataset);
    H5Sclose(space);
    for (size_t a = 0; a < AREAS; a++)
        free(codes[a]);
    int days[TIMES];
    for (int t = 0; t < TIMES; t++)
        days[t] = 17000 + 31 * t;
    space = H5Screate_simple(1, &time_count, NULL);
    dataset = H5Dcreate2(file, "time", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(dataset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, days);
    hid_t scalar = H5Screate(H5S_SCALAR);
    const char *units = "days since 1970-01-01";
    hid_t attribute = H5Acreate2(dataset, "units", string_type, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, string_type, &units);
    H5Aclose(attribute);
    H5Sclose(scalar);
    H5Dclose(dataset);
    H5Sclose(space);
    H5Tclose(string_type);

    /* Direct: what the store writer writes, and less. */
    write_measure(file, "shuffled", CHUNK, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, values);
    write_measure(file, "deflated", CHUNK, TIMES, H5T_IEEE_F64LE, DEFLATE, values);
    write_measure(file, "shuffled_only", CHUNK, TIMES, H5T_IEEE_F64LE, SHUFFLE, values);
    write_measure(file, "unfiltered", CHUNK, TIMES, H5T_IEEE_F64LE, 0, values);
    write_measure(file, "odd_chunks", 7, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, values);
    /* 60 and 12 values a chunk: what is left after sixteen at a time
     * (SSE2) takes the word transpose of eight and then bytes. */
    write_measure(file, "five_area_chunks", 5, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, values);
    write_measure(file, "one_area_chunks", 1, TIMES, H5T_IEEE_F64LE, SHUFFLE, values);
    /* Left to H5Dread. */
    write_measure(file, "contiguous", 0, 0, H5T_IEEE_F64LE, 0, values);
    write_measure(file, "checksummed", CHUNK, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE | FLETCHER, values);
    write_measure(file, "split_time", CHUNK, TIMES / 2, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, values);
    write_measure(file, "single", CHUNK, TIMES, H5T_IEEE_F32LE, SHUFFLE | DEFLATE, values);
    write_measure(file, "big_endian", CHUNK, TIMES, H5T_IEEE_F64BE, SHUFFLE | DEFLATE, values);
    write_measure(file, "deflate_first", CHUNK, TIMES, H5T_IEEE_F64LE, DEFLATE_THEN_SHUFFLE, values);
    if (latest) {
        write_measure(file, "raw_edge", CHUNK, TIMES, H5T_IEEE_F64LE,
                      SHUFFLE | DEFLATE | RAW_EDGE, values);
        write_measure(file, "raw_edge_shuffled", CHUNK, TIMES, H5T_IEEE_F64LE,
                      SHUFFLE | RAW_EDGE, values);
    }

    /* Chunks written one by one: only the second (the rest stay
     * unwritten: NaN); one with deflate skipped, one with both skipped;
     * one damaged; one whose deflated data are short. */
    static unsigned char stored[CHUNK * TIMES * 8 + 1024];
    write_measure(file, "sparse", CHUNK, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, NULL);
    size_t size = encode_chunk(values, CHUNK, 0, stored, sizeof stored);
    write_raw_chunk(file, "sparse", CHUNK, 0, stored, size);
    write_measure(file, "skipped", CHUNK, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, values);
    size = encode_chunk(values, 0, 2, stored, sizeof stored);
    write_raw_chunk(file, "skipped", 0, 2, stored, size);
    size = encode_chunk(values, CHUNK, 3, stored, sizeof stored);
    write_raw_chunk(file, "skipped", CHUNK, 3, stored, size);
    write_measure(file, "damaged", CHUNK, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, values);
    size = encode_chunk(values, CHUNK, 0, stored, sizeof stored);
    memset(stored + 2, 0xff, 16);
    write_raw_chunk(file, "damaged", CHUNK, 0, stored, size);
    /* The last chunk, which reaches past the last area, damaged too. */
    write_measure(file, "damaged_last", CHUNK, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, values);
    size = encode_chunk(values, 0, 0, stored, sizeof stored);
    memset(stored + 2, 0xff, 16);
    write_raw_chunk(file, "damaged_last", 4 * CHUNK, 0, stored, size);
    write_measure(file, "short", CHUNK, TIMES, H5T_IEEE_F64LE, SHUFFLE | DEFLATE, values);
    {
        unsigned char half[CHUNK * TIMES * 4];
        memset(half, 1, sizeof half);
        uLongf half_size = sizeof stored;
        ck_assert_int_eq(compress2(stored, &half_size, half, sizeof half, 4), Z_OK);
        write_raw_chunk(file, "short", 2 * CHUNK, 0, stored, half_size);
    }
    H5Fclose(file);
    free(values);
}

static void setup(void)
{
    snprintf(directory, sizeof directory, "/tmp/test_store_chunks.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(directory));
    snprintf(path, sizeof path, "%s/store.h5", directory);
    write_store(0);
}

static void teardown(void)
{
    unlink(path);
    rmdir(directory);
}

static oc__store *open_store(oc__store_frame **frame)
{
    oc__store *store = NULL;
    oc_error error;
    ck_assert_msg(oc__store_open_for_reading(path, NULL, 0, &store, &error) == OC_OK, "%s",
                  error.message);
    *frame = oc__store_frame_at(store, 0);
    return store;
}

static const oc__store_measure_entry *entry_named(oc__store_frame *frame, const char *name)
{
    const oc__store_measure *measure = oc__store_find_measure(frame, name);
    ck_assert_msg(measure != NULL, "no measure %s", name);
    return (const oc__store_measure_entry *)measure;
}

/* Same bits, NaN for NaN; what a float32 store keeps of it. */
static int same(double got, double want, const char *name)
{
    if (isnan(want))
        return isnan(got);
    if (strcmp(name, "single") == 0)
        return got == (double)(float)want;
    return memcmp(&got, &want, sizeof got) == 0;
}

/* Blocks aligned on chunks and not, one area at a time, the whole axis. */
static void check_blocks(oc__store_frame *frame, const char *name, int never_written_from)
{
    static const size_t blocks[][2] = {{0, AREAS}, {0, CHUNK},   {CHUNK, 2 * CHUNK}, {10, 100},
                                       {256, 44},  {200, 100}, {63, 2},            {299, 1}};
    const oc__store_measure *measure = oc__store_find_measure(frame, name);
    ck_assert_ptr_nonnull(measure);
    double *values = malloc(AREAS * TIMES * sizeof *values);
    oc_error error;
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        size_t first = blocks[b][0], count = blocks[b][1];
        memset(values, 0x55, count * TIMES * sizeof *values);
        ck_assert_msg(oc__store_read_measure_block(frame, measure, first, count, values, &error) == OC_OK,
                      "%s: %s", name, error.message);
        for (size_t a = 0; a < count; a++)
            for (size_t t = 0; t < TIMES; t++) {
                size_t area = first + a;
                int unwritten = never_written_from >= 0
                                && !(area >= CHUNK && area < 2 * CHUNK);
                double want = unwritten ? NAN : value_at(area, t);
                ck_assert_msg(same(values[a * TIMES + t], want, name),
                              "%s: areas %zu+%zu: area %zu time %zu: %.17g, expected %.17g", name,
                              first, count, area, t, values[a * TIMES + t], want);
            }
    }
    free(values);
}

/* Both ways of unshuffling (64-bit words, and SSE2 where built for it)
 * give the values the definition gives, for every count around the widths
 * of 8 and 16 values at a time and for a whole national chunk (512 areas
 * x 240 months). Reading chunks uses SSE2 for all but the last few values,
 * so the words alone are checked only here. */
START_TEST(test_unshuffle_every_way)
{
    static const size_t counts[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65,
                                    100, 255, 256, 257, 1000, 122880};
    uint64_t state = 0x853c49e6748fea9bu;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t count = counts[c];
        unsigned char *planes = malloc(8 * count + 1);
        double *expected = malloc(count * sizeof(double) + 1);
        double *got = malloc(count * sizeof(double) + 1);
        ck_assert(planes != NULL && expected != NULL && got != NULL);
        for (size_t i = 0; i < 8 * count; i++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            planes[i] = (unsigned char)(state >> 56);
        }
        unsigned char *bytes = (unsigned char *)expected; /* the definition */
        for (size_t i = 0; i < count; i++)
            for (size_t p = 0; p < 8; p++)
                bytes[8 * i + p] = planes[p * count + i];
        for (int widest = OC__STORE_UNSHUFFLE_WORDS; widest <= OC__STORE_UNSHUFFLE_WIDEST;
             widest++) {
            memset(got, 0xa5, count * sizeof(double));
            oc__store_unshuffle(planes, count, got, widest);
            ck_assert_msg(memcmp(got, expected, count * sizeof(double)) == 0,
                          "%zu values unshuffled with way %d differ", count, widest);
        }
        free(planes);
        free(expected);
        free(got);
    }
}
END_TEST

START_TEST(test_direct_layouts_read_right)
{
    oc__store_frame *frame;
    oc__store *store = open_store(&frame);
    static const char *const direct[] = {"shuffled",         "deflated",        "shuffled_only",
                                         "unfiltered",       "odd_chunks",      "five_area_chunks",
                                         "one_area_chunks",  "sparse",          "skipped"};
    for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++) {
        ck_assert_msg(entry_named(frame, direct[i])->chunks.direct, "%s is not read directly",
                      direct[i]);
        check_blocks(frame, direct[i], strcmp(direct[i], "sparse") == 0 ? 0 : -1);
    }
    /* The store writer's own pipeline: shuffle first, then deflate. */
    const oc__store_chunk_layout *layout = &entry_named(frame, "shuffled")->chunks;
    ck_assert_uint_eq(layout->shuffle_bit, 1);
    ck_assert_uint_eq(layout->deflate_bit, 2);
    ck_assert_uint_eq(layout->chunk_areas, CHUNK);
    ck_assert_uint_eq(entry_named(frame, "deflated")->chunks.shuffle_bit, 0);
    ck_assert_uint_eq(entry_named(frame, "deflated")->chunks.deflate_bit, 1);
    oc__store_close(store);
}
END_TEST

START_TEST(test_other_layouts_left_to_hdf5)
{
    oc__store_frame *frame;
    oc__store *store = open_store(&frame);
    static const char *const others[] = {"contiguous", "checksummed", "split_time", "single",
                                         "big_endian", "deflate_first"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        ck_assert_msg(!entry_named(frame, others[i])->chunks.direct, "%s is read directly",
                      others[i]);
        check_blocks(frame, others[i], -1);
    }
    oc__store_close(store);
}
END_TEST

/* The chunk reader itself: direct for a written chunk and for part of
 * one, H5Dread's for a chunk never written, for a layout it does not take,
 * off a chunk's first area and for a part that leaves the chunk. */
START_TEST(test_read_chunk_answers)
{
    oc__store_frame *frame;
    oc__store *store = open_store(&frame);
    double values[CHUNK * TIMES];
    char reason[200] = "";
    const oc__store_measure_entry *sparse = entry_named(frame, "sparse");
    ck_assert_int_eq(oc__store_read_chunk(sparse->dataset, &sparse->chunks, &frame->chunk_buffers,
                                          CHUNK, values, reason, sizeof reason),
                     OC_OK);
    ck_assert(same(values[5], value_at(CHUNK, 5), "sparse"));
    ck_assert_int_eq(oc__store_read_chunk(sparse->dataset, &sparse->chunks, &frame->chunk_buffers,
                                          0, values, reason, sizeof reason),
                     OC__STORE_CHUNK_NOT_DIRECT);
    ck_assert_int_eq(oc__store_read_chunk(sparse->dataset, &sparse->chunks, &frame->chunk_buffers,
                                          CHUNK + 1, values, reason, sizeof reason),
                     OC__STORE_CHUNK_NOT_DIRECT);
    /* Part of a chunk: areas 3 to 6 of the second. */
    double part[4 * TIMES];
    ck_assert_int_eq(oc__store_read_chunk_part(sparse->dataset, &sparse->chunks,
                                               &frame->chunk_buffers, CHUNK, 3, 4, part, reason,
                                               sizeof reason),
                     OC_OK);
    for (size_t a = 0; a < 4; a++)
        for (size_t t = 0; t < TIMES; t++)
            ck_assert(same(part[a * TIMES + t], value_at(CHUNK + 3 + a, t), "sparse"));
    ck_assert_int_eq(oc__store_read_chunk_part(sparse->dataset, &sparse->chunks,
                                               &frame->chunk_buffers, 0, 3, 4, part, reason,
                                               sizeof reason),
                     OC__STORE_CHUNK_NOT_DIRECT);
    ck_assert_int_eq(oc__store_read_chunk_part(sparse->dataset, &sparse->chunks,
                                               &frame->chunk_buffers, CHUNK, CHUNK - 2, 4, part,
                                               reason, sizeof reason),
                     OC__STORE_CHUNK_NOT_DIRECT);
    const oc__store_measure_entry *checksummed = entry_named(frame, "checksummed");
    ck_assert_int_eq(oc__store_read_chunk(checksummed->dataset, &checksummed->chunks,
                                          &frame->chunk_buffers, 0, values, reason, sizeof reason),
                     OC__STORE_CHUNK_NOT_DIRECT);
    oc__store_close(store);
}
END_TEST

/* The error reading areas first .. first + count - 1 of measure name:
 * one line naming the file, holding text and, unless absent is NULL, not
 * holding absent. */
static void expect_error_without(oc__store_frame *frame, const char *name, size_t first,
                                 size_t count, const char *text, const char *absent)
{
    double *values = malloc(AREAS * TIMES * sizeof *values);
    oc_error error;
    ck_assert_int_eq(oc__store_read_measure_block(frame, oc__store_find_measure(frame, name), first,
                                                  count, values, &error),
                     OC_ERROR_FORMAT);
    ck_assert_msg(strstr(error.message, path) != NULL, "no file in: %s", error.message);
    ck_assert_msg(strstr(error.message, text) != NULL, "'%s' not in: %s", text, error.message);
    ck_assert_ptr_null(strchr(error.message, '\n'));
    ck_assert_msg(absent == NULL || strstr(error.message, absent) == NULL, "'%s' in: %s", absent,
                  error.message);
    free(values);
}

static void expect_error(oc__store_frame *frame, const char *name, size_t first, size_t count,
                         const char *text)
{
    expect_error_without(frame, name, first, count, text, NULL);
}

START_TEST(test_damaged_chunks_are_errors)
{
    oc__store_frame *frame;
    oc__store *store = open_store(&frame);
    expect_error(frame, "damaged", 0, AREAS,
                 "/damaged: cannot read areas 0 to 299: chunk of areas 64 to 127: deflated data are damaged");
    expect_error(frame, "short", 0, 3 * CHUNK,
                 "/short: cannot read areas 0 to 191: chunk of areas 128 to 191: deflated data inflate to 3072 bytes, not the chunk's 6144");
    /* The last, partial chunk row, read from its start, goes through the
     * direct path too: its error, naming the chunk cut at the last area. */
    expect_error(frame, "damaged_last", 256, 44,
                 "/damaged_last: cannot read areas 256 to 299: chunk of areas 256 to 299: deflated data are damaged");
    /* Any other part of a chunk is H5Dread's, whose chunk cache inflates a
     * chunk read in several parts once: its error, not the direct path's. */
    expect_error_without(frame, "damaged", 70, 10, "/damaged: cannot read areas 70 to 79: ",
                         "deflated data are damaged");
    expect_error_without(frame, "damaged_last", 290, 3,
                         "/damaged_last: cannot read areas 290 to 292: ",
                         "deflated data are damaged");
    /* The chunks around them still read. */
    check_blocks(frame, "shuffled", -1);
    double values[CHUNK * TIMES];
    oc_error error;
    ck_assert_int_eq(oc__store_read_measure_block(frame, oc__store_find_measure(frame, "damaged"), 0,
                                                  CHUNK, values, &error),
                     OC_OK);
    ck_assert(same(values[CHUNK * TIMES - 1], value_at(CHUNK - 1, TIMES - 1), "damaged"));
    oc__store_close(store);
}
END_TEST

/* A dataset made with H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS keeps its last
 * chunk unfiltered under a mask that says it was filtered: read directly
 * it would be "damaged" (deflated) or wrong (shuffled only). Its other
 * chunks are read directly, its last through H5Dread; the rest of the
 * store, in the latest file format, reads as before. */
START_TEST(test_unfiltered_last_chunk_left_to_hdf5)
{
    write_store(1);
    oc__store_frame *frame;
    oc__store *store = open_store(&frame);
    static const char *const raw_edges[] = {"raw_edge", "raw_edge_shuffled"};
    for (size_t i = 0; i < 2; i++) {
        const oc__store_chunk_layout *layout = &entry_named(frame, raw_edges[i])->chunks;
        ck_assert(layout->direct && !layout->edge_direct);
        check_blocks(frame, raw_edges[i], -1);
    }
    ck_assert(entry_named(frame, "shuffled")->chunks.edge_direct);
    check_blocks(frame, "shuffled", -1);
    check_blocks(frame, "odd_chunks", -1);
    oc__store_close(store);
}
END_TEST

static Suite *store_chunks_suite(void)
{
    Suite *suite = suite_create("store_chunks");
    TCase *tcase = tcase_create("chunks");
    tcase_add_checked_fixture(tcase, setup, teardown);
    tcase_add_test(tcase, test_direct_layouts_read_right);
    tcase_add_test(tcase, test_unshuffle_every_way);
    tcase_add_test(tcase, test_other_layouts_left_to_hdf5);
    tcase_add_test(tcase, test_read_chunk_answers);
    tcase_add_test(tcase, test_damaged_chunks_are_errors);
    tcase_add_test(tcase, test_unfiltered_last_chunk_left_to_hdf5);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(store_chunks_suite());
}
