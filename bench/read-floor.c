/*
 * read-floor.c: the floor of the benchmark (docs/performance.md): reads
 * every measure of a store once, straight through the HDF5 API, in the
 * blocks of areas `outcomes run` reads (one row of chunks, 512 areas by
 * every time), and does nothing with the values but add them up (so the
 * compiler cannot drop the reads). No evaluation can be faster than this.
 *
 * It reads in one of two ways, so that the floor is the faster of them:
 * with H5Dread, as any HDF5 program would (the default), or with
 * `--reader outcomes`, through outcomes' own store reader, which inflates
 * whole chunks straight into the block (core/store_chunks.c) and goes
 * faster than H5Dread. The benchmark times both; what outcomes adds to
 * reading is measured against the faster.
 *
 * Usage: read-floor [--reader hdf5|outcomes] STORE.h5   (measures: the
 * float datasets [area, time] at the root or in a frame group, as
 * docs/store-format.md lays them out)
 */
#include "config.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

typedef struct floor_totals {
    size_t measures;
    size_t values;
    double sum; /* of the non-missing values */
    int failed;
} floor_totals;

/* Four sums side by side, a missing value added as 0 rather than
 * branched over: one running sum, each addition waiting for the one
 * before, took a third of the floor's time at national size, time that
 * is no part of reading and that flattered every outcomes/floor ratio. */
static void add_values(const double *values, size_t count, floor_totals *totals)
{
    double sums[4] = {0.0, 0.0, 0.0, 0.0};
    size_t i = 0;
    for (; i + 4 <= count; i += 4)
        for (size_t lane = 0; lane < 4; lane++)
            sums[lane] += isnan(values[i + lane]) ? 0.0 : values[i + lane];
    for (; i < count; i++)
        sums[0] += isnan(values[i]) ? 0.0 : values[i];
    totals->sum += (sums[0] + sums[1]) + (sums[2] + sums[3]);
    totals->values += count;
}

/* Reads one [area, time] dataset block by block. */
static void read_measure(hid_t dataset, const char *name, floor_totals *totals)
{
    hid_t space = H5Dget_space(dataset);
    hsize_t dims[2];
    if (space < 0 || H5Sget_simple_extent_ndims(space) != 2
        || H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
        if (space >= 0)
            H5Sclose(space);
        return; /* an axis or another 1-D dataset: not a measure */
    }
    size_t block_areas = OC__STORE_CHUNK_AREAS, times = (size_t)dims[1];
    double *values = malloc(block_areas * times * sizeof *values + 1);
    if (values == NULL) {
        totals->failed = 1;
        H5Sclose(space);
        return;
    }
    for (hsize_t first = 0; first < dims[0]; first += block_areas) {
        hsize_t start[2] = {first, 0};
        hsize_t count[2] = {dims[0] - first < block_areas ? dims[0] - first : block_areas, dims[1]};
        hid_t memory = H5Screate_simple(2, count, NULL);
        if (memory < 0 || H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) < 0
            || H5Dread(dataset, H5T_NATIVE_DOUBLE, memory, space, H5P_DEFAULT, values) < 0) {
            fprintf(stderr, "read-floor: cannot read %s at area %llu\n", name,
                    (unsigned long long)first);
            totals->failed = 1;
            if (memory >= 0)
                H5Sclose(memory);
            break;
        }
        H5Sclose(memory);
        add_values(values, (size_t)(count[0] * count[1]), totals);
    }
    totals->measures++;
    free(values);
    H5Sclose(space);
}

/* Every measure of every frame through oc__store_read_measure_block. */
static int read_with_outcomes(const char *path, floor_totals *totals)
{
    oc__store *store = NULL;
    oc_error error;
    if (oc__store_open_for_reading(path, NULL, 0, &store, &error) != OC_OK) {
        fprintf(stderr, "read-floor: %s\n", error.message);
        return -1;
    }
    for (size_t f = 0; f < oc__store_frame_count(store) && !totals->failed; f++) {
        oc__store_frame *frame = oc__store_frame_at(store, f);
        size_t areas = oc__store_area_count(frame), times = oc__store_time_count(frame);
        for (size_t m = 0; m < oc__store_measure_count(frame) && !totals->failed; m++) {
            const oc__store_measure *measure = oc__store_measure_at(frame, m);
            size_t block_areas = oc__store_measure_chunk_areas(frame, measure);
            if (block_areas == 0 || block_areas > OC__STORE_CHUNK_AREAS)
                block_areas = OC__STORE_CHUNK_AREAS;
            double *values = malloc(block_areas * times * sizeof *values + 1);
            for (size_t first = 0; values != NULL && first < areas; first += block_areas) {
                size_t count = areas - first < block_areas ? areas - first : block_areas;
                if (oc__store_read_measure_block(frame, measure, first, count, values, &error)
                    != OC_OK) {
                    fprintf(stderr, "read-floor: %s\n", error.message);
                    totals->failed = 1;
                    break;
                }
                add_values(values, count * times, totals);
            }
            totals->failed |= values == NULL;
            totals->measures++;
            free(values);
        }
    }
    oc__store_close(store);
    return totals->failed ? -1 : 0;
}

static herr_t visit(hid_t object, const char *name, const H5O_info_t *info, void *context)
{
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t dataset = H5Dopen2(object, name, H5P_DEFAULT);
    if (dataset < 0)
        return -1;
    hid_t type = H5Dget_type(dataset);
    if (type >= 0 && H5Tget_class(type) == H5T_FLOAT)
        read_measure(dataset, name, context);
    if (type >= 0)
        H5Tclose(type);
    H5Dclose(dataset);
    return 0;
}

int main(int argc, char **argv)
{
    int outcomes_reader = argc == 4 && strcmp(argv[1], "--reader") == 0
                          && strcmp(argv[2], "outcomes") == 0;
    int hdf5_reader = argc == 2
                      || (argc == 4 && strcmp(argv[1], "--reader") == 0 && strcmp(argv[2], "hdf5") == 0);
    if (!outcomes_reader && !hdf5_reader) {
        fprintf(stderr, "usage: read-floor [--reader hdf5|outcomes] STORE.h5\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    floor_totals totals = {0, 0, 0.0, 0};
    if (outcomes_reader) {
        if (read_with_outcomes(path, &totals) != 0)
            return 1;
    } else {
        hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (file < 0) {
            fprintf(stderr, "read-floor: %s: cannot open\n", path);
            return 1;
        }
        herr_t visited = H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &totals);
        H5Fclose(file);
        if (visited < 0 || totals.failed)
            return 1;
    }
    printf("read-floor: %zu measures, %zu values, sum %.6g\n", totals.measures, totals.values,
           totals.sum);
    return 0;
}
