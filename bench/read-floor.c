/*
 * read-floor.c: the floor of the benchmark (docs/performance.md): reads
 * every measure of a store once, straight through the HDF5 API, in the
 * blocks of areas `outcomes run` reads (one row of chunks, 512 areas by
 * every time), and does nothing with the values but add them up (so the
 * compiler cannot drop the reads). No evaluation can be faster than this.
 *
 * Usage: read-floor STORE.h5   (measures: the float datasets [area, time]
 * at the root or in a frame group, as docs/store-format.md lays them out)
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
        size_t n = (size_t)(count[0] * count[1]);
        for (size_t i = 0; i < n; i++)
            if (!isnan(values[i]))
                totals->sum += values[i];
        totals->values += n;
    }
    totals->measures++;
    free(values);
    H5Sclose(space);
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
    if (argc != 2) {
        fprintf(stderr, "usage: read-floor STORE.h5\n");
        return 2;
    }
    hid_t file = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        fprintf(stderr, "read-floor: %s: cannot open\n", argv[1]);
        return 1;
    }
    floor_totals totals = {0, 0, 0.0, 0};
    herr_t visited = H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &totals);
    H5Fclose(file);
    if (visited < 0 || totals.failed)
        return 1;
    printf("read-floor: %zu measures, %zu values, sum %.6g\n", totals.measures, totals.values,
           totals.sum);
    return 0;
}
