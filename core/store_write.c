/* store_write.c: building a store. Everything goes to a temporary file
 * beside the target (core/atomic_file.h) that is renamed into place only
 * once HDF5 has closed it cleanly, so a crash, a full disk or a caller's
 * abort never leaves a half-written store at the target path. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5_hl.h>

#include "atomic_file.h"
#include "period.h"
#include "store_internal.h"

/* Chunks stay under 1 MiB so that HDF5's default 1 MiB chunk cache, as
 * any other reader (h5py, netCDF) has it, can hold one. */
#define CHUNK_MAX_BYTES (1u << 20)
#define DEFLATE_LEVEL 4

struct oc__store_writer_frame {
    char *name;          /* owned: "/" or the group's name */
    hid_t group;
    hid_t area_scale;
    hid_t time_scale;
    size_t area_count;
    size_t time_count;
};

struct oc__store_writer_measure {
    char *name;          /* owned: "/quarterly/claimants", for messages */
    hid_t dataset;
    hid_t file_space;
    size_t area_count;
    size_t time_count;
};

struct oc__store_writer {
    oc__atomic_file file;
    hid_t h5file;
    oc__store_writer_frame **frames;     /* owned */
    size_t frame_count;
    oc__store_writer_measure **measures; /* owned */
    size_t measure_count;
};

static int failure_because(oc__store_writer *writer, oc_error *error, const char *object,
                           const char *action, const char *reason)
{
    return oc_error_set(error, OC_ERROR_IO, "%s: %s: cannot %s: %s", writer->file.target_path,
                        object, action, reason);
}

static void hdf5_failure(oc__store_writer *writer, oc_error *error, const char *object,
                         const char *action)
{
    char reason[256];
    oc__store_hdf5_reason(reason, sizeof reason);
    failure_because(writer, error, object, action, reason);
}

int oc__store_writer_create(const char *path, oc__store_writer **writer_out, oc_error *error)
{
    *writer_out = NULL;
    oc__store_hdf5_quiet();
    oc__store_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", path);
    writer->h5file = H5I_INVALID_HID;
    int status = oc__atomic_file_begin_path(&writer->file, path, error);
    if (status != OC_OK) {
        free(writer);
        return status;
    }
    /* Bounds that HDF5 1.8 readers (older netCDF, h5py, R) can open. */
    hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    if (access >= 0 && H5Pset_libver_bounds(access, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) >= 0)
        writer->h5file = H5Fcreate(writer->file.temporary_path, H5F_ACC_TRUNC, H5P_DEFAULT, access);
    if (access >= 0)
        H5Pclose(access);
    if (writer->h5file < 0) {
        hdf5_failure(writer, error, writer->file.temporary_path, "create");
        oc__store_writer_abort(writer);
        return OC_ERROR_IO;
    }
    int version = OC__STORE_FORMAT_VERSION;
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attribute = H5Acreate2(writer->h5file, "outcomes_store_version", H5T_STD_I32LE, space,
                                 H5P_DEFAULT, H5P_DEFAULT);
    int failed = attribute < 0 || H5Awrite(attribute, H5T_NATIVE_INT, &version) < 0;
    if (attribute >= 0)
        H5Aclose(attribute);
    H5Sclose(space);
    if (failed) {
        hdf5_failure(writer, error, "/", "write outcomes_store_version");
        oc__store_writer_abort(writer);
        return OC_ERROR_IO;
    }
    *writer_out = writer;
    return OC_OK;
}

static int valid_object_name(const char *name)
{
    return name != NULL && name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0;
}

int oc__store_is_measure_name(const char *name)
{
    return valid_object_name(name) && !oc__store_is_axis_name(name);
}

static int check_frame_arguments(const oc__store_writer *writer, const char *name,
                                 size_t area_count, const char *const *codes, size_t time_count,
                                 const int32_t *times, oc_error *error)
{
    const char *path = writer->file.target_path;
    int at_root = name == NULL || strcmp(name, "/") == 0;
    if (!at_root && (!valid_object_name(name) || oc__store_is_axis_name(name)))
        return oc_error_set(error, OC_ERROR_INVALID, "%s: '%s' is not a valid frame name", path, name);
    if (writer->frame_count > 0 && (at_root || strcmp(writer->frames[0]->name, "/") == 0))
        return oc_error_set(error, OC_ERROR_INVALID,
                            "%s: a store has either one frame at its root or frames in groups", path);
    for (size_t i = 0; i < writer->frame_count; i++)
        if (strcmp(writer->frames[i]->name, name) == 0)
            return oc_error_set(error, OC_ERROR_INVALID, "%s: frame '%s' added twice", path, name);
    if (area_count == 0 || time_count == 0)
        return oc_error_set(error, OC_ERROR_INVALID, "%s: frame %s: needs at least one area and one period",
                            path, at_root ? "/" : name);
    for (size_t i = 1; i < time_count; i++)
        if (times[i] <= times[i - 1])
            return oc_error_set(error, OC_ERROR_INVALID,
                                "%s: frame %s: times are not strictly increasing at position %zu", path,
                                at_root ? "/" : name, i);
    oc__store_index index = {0};
    int status = OC_OK;
    for (size_t i = 0; i < area_count && status == OC_OK; i++) {
        size_t existing;
        if (codes[i] == NULL || codes[i][0] == '\0')
            status = oc_error_set(error, OC_ERROR_INVALID, "%s: area %zu has an empty code", path, i);
        else if (oc__store_index_add(&index, codes, i, &existing) != OC_OK)
            status = oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", path);
        else if (existing != OC__STORE_NO_INDEX)
            status = oc_error_set(error, OC_ERROR_INVALID,
                                  "%s: duplicate area code '%s' at positions %zu and %zu", path,
                                  codes[i], existing, i);
    }
    oc__store_index_free(&index);
    return status;
}

/* Writes a 1-D variable-length UTF-8 string dataset; NULL entries as "". */
static hid_t write_strings(hid_t group, const char *name, size_t count, const char *const *texts)
{
    hsize_t dimension = count;
    hid_t type = oc__store_variable_string_type(H5T_CSET_UTF8);
    hid_t space = H5Screate_simple(1, &dimension, NULL);
    hid_t dataset = H5I_INVALID_HID;
    const char **copy = malloc(count * sizeof *copy);
    if (type >= 0 && space >= 0 && copy != NULL) {
        for (size_t i = 0; i < count; i++)
            copy[i] = texts[i] != NULL ? texts[i] : "";
        dataset = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (dataset >= 0 && H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, copy) < 0) {
            H5Dclose(dataset);
            dataset = H5I_INVALID_HID;
        }
    }
    free(copy);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return dataset;
}

static hid_t write_times(hid_t group, size_t count, const int32_t *times)
{
    hsize_t dimension = count;
    hid_t space = H5Screate_simple(1, &dimension, NULL);
    hid_t dataset = H5Dcreate2(group, "time", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT,
                               H5P_DEFAULT);
    H5Sclose(space);
    if (dataset < 0)
        return dataset;
    if (H5Dwrite(dataset, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, times) < 0
        || oc__store_write_string_attribute(dataset, "units", "days since 1970-01-01") != OC_OK
        || oc__store_write_string_attribute(dataset, "calendar", "standard") != OC_OK
        || oc__store_write_string_attribute(dataset, "long_name", "start of period") != OC_OK) {
        H5Dclose(dataset);
        return H5I_INVALID_HID;
    }
    return dataset;
}

/* An optional [area] text dataset attached to the area scale. */
static int write_area_attribute(hid_t group, hid_t area_scale, const char *name, size_t count,
                                const char *const *texts)
{
    if (texts == NULL)
        return OC_OK;
    hid_t dataset = write_strings(group, name, count, texts);
    if (dataset < 0)
        return OC_ERROR_IO;
    int status = H5DSattach_scale(dataset, area_scale, 0) < 0 ? OC_ERROR_IO : OC_OK;
    H5Dclose(dataset);
    return status;
}

static void close_frame(oc__store_writer_frame *frame)
{
    if (frame == NULL)
        return;
    if (frame->area_scale > 0)
        H5Dclose(frame->area_scale);
    if (frame->time_scale > 0)
        H5Dclose(frame->time_scale);
    if (frame->group > 0)
        H5Gclose(frame->group);
    free(frame->name);
    free(frame);
}

int oc__store_writer_add_frame(oc__store_writer *writer, const char *name,
                               size_t area_count, const char *const *codes,
                               const char *const *names, const char *const *parents,
                               size_t time_count, const int32_t *times,
                               oc__store_writer_frame **frame_out, oc_error *error)
{
    *frame_out = NULL;
    int status = check_frame_arguments(writer, name, area_count, codes, time_count, times, error);
    if (status != OC_OK)
        return status;
    int at_root = name == NULL || strcmp(name, "/") == 0;
    oc__store_writer_frame **frames = realloc(writer->frames, (writer->frame_count + 1) * sizeof *frames);
    if (frames == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", writer->file.target_path);
    writer->frames = frames;
    oc__store_writer_frame *frame = calloc(1, sizeof *frame);
    if (frame == NULL || (frame->name = strdup(at_root ? "/" : name)) == NULL) {
        free(frame);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", writer->file.target_path);
    }
    frame->area_count = area_count;
    frame->time_count = time_count;
    frame->group = at_root ? H5Gopen2(writer->h5file, "/", H5P_DEFAULT)
                           : H5Gcreate2(writer->h5file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *failed_at = NULL;
    if (frame->group < 0)
        failed_at = "create the group";
    else if ((frame->area_scale = write_strings(frame->group, "area", area_count, codes)) < 0
             || H5DSset_scale(frame->area_scale, "area") < 0)
        failed_at = "write the area codes";
    else if ((frame->time_scale = write_times(frame->group, time_count, times)) < 0
             || H5DSset_scale(frame->time_scale, "time") < 0)
        failed_at = "write the time axis";
    else if (write_area_attribute(frame->group, frame->area_scale, "area_name", area_count, names) != OC_OK)
        failed_at = "write area_name";
    else if (write_area_attribute(frame->group, frame->area_scale, "area_parent", area_count, parents) != OC_OK)
        failed_at = "write area_parent";
    if (failed_at != NULL) {
        char object[300];
        snprintf(object, sizeof object, "frame %s", frame->name);
        hdf5_failure(writer, error, object, failed_at);
        close_frame(frame);
        return OC_ERROR_IO;
    }
    writer->frames[writer->frame_count++] = frame;
    *frame_out = frame;
    return OC_OK;
}

int oc__store_writer_add_parent_names(oc__store_writer *writer, oc__store_writer_frame *frame,
                                      const char *const *parent_names, oc_error *error)
{
    if (parent_names == NULL)
        return OC_OK;
    if (write_area_attribute(frame->group, frame->area_scale, "area_parent_name",
                             frame->area_count, parent_names) != OC_OK) {
        char object[300];
        snprintf(object, sizeof object, "frame %s", frame->name);
        hdf5_failure(writer, error, object, "write area_parent_name");
        return OC_ERROR_IO;
    }
    return OC_OK;
}

static int check_measure_spec(const oc__store_writer *writer, const oc__store_measure_spec *spec,
                              oc_error *error)
{
    const char *path = writer->file.target_path;
    if (!oc__store_is_measure_name(spec->name))
        return oc_error_set(error, OC_ERROR_INVALID, "%s: '%s' is not a valid measure name", path,
                            spec->name ? spec->name : "");
    if (spec->units == NULL || spec->long_name == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "%s: measure %s: units and long_name are required",
                            path, spec->name);
    oc__frequency frequency;
    if (spec->frequency != NULL && oc__frequency_from_name(spec->frequency, &frequency, NULL) != OC_OK)
        return oc_error_set(error, OC_ERROR_INVALID, "%s: measure %s: '%s' is not a frequency", path,
                            spec->name, spec->frequency);
    return OC_OK;
}

/* About OC__STORE_CHUNK_AREAS areas by all times, under CHUNK_MAX_BYTES. */
static hid_t measure_creation_properties(size_t area_count, size_t time_count)
{
    hsize_t chunk[2] = {area_count < OC__STORE_CHUNK_AREAS ? area_count : OC__STORE_CHUNK_AREAS,
                        time_count};
    size_t row_bytes = time_count * sizeof(double);
    if (row_bytes > CHUNK_MAX_BYTES) {
        chunk[0] = 1;
        chunk[1] = CHUNK_MAX_BYTES / sizeof(double);
    } else if (chunk[0] * row_bytes > CHUNK_MAX_BYTES) {
        chunk[0] = CHUNK_MAX_BYTES / row_bytes;
    }
    double missing = NAN;
    hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    if (creation < 0 || H5Pset_chunk(creation, 2, chunk) < 0 || H5Pset_shuffle(creation) < 0
        || H5Pset_deflate(creation, DEFLATE_LEVEL) < 0
        || H5Pset_fill_value(creation, H5T_NATIVE_DOUBLE, &missing) < 0
        || H5Pset_fill_time(creation, H5D_FILL_TIME_IFSET) < 0) {
        if (creation >= 0)
            H5Pclose(creation);
        return H5I_INVALID_HID;
    }
    return creation;
}

static int write_measure_attributes(hid_t dataset, const oc__store_measure_spec *spec)
{
    if (oc__store_write_string_attribute(dataset, "units", spec->units) != OC_OK
        || oc__store_write_string_attribute(dataset, "long_name", spec->long_name) != OC_OK)
        return OC_ERROR_IO;
    if (spec->frequency != NULL
        && oc__store_write_string_attribute(dataset, "frequency", spec->frequency) != OC_OK)
        return OC_ERROR_IO;
    if (spec->source != NULL && oc__store_write_string_attribute(dataset, "source", spec->source) != OC_OK)
        return OC_ERROR_IO;
    return OC_OK;
}

static void close_measure(oc__store_writer_measure *measure)
{
    if (measure == NULL)
        return;
    if (measure->file_space > 0)
        H5Sclose(measure->file_space);
    if (measure->dataset > 0)
        H5Dclose(measure->dataset);
    free(measure->name);
    free(measure);
}

int oc__store_writer_add_measure(oc__store_writer *writer, oc__store_writer_frame *frame,
                                 const oc__store_measure_spec *spec,
                                 oc__store_writer_measure **measure_out, oc_error *error)
{
    *measure_out = NULL;
    int status = check_measure_spec(writer, spec, error);
    if (status != OC_OK)
        return status;
    const char *path = writer->file.target_path;
    if (H5Lexists(frame->group, spec->name, H5P_DEFAULT) > 0)
        return oc_error_set(error, OC_ERROR_INVALID, "%s: frame %s: measure %s added twice", path,
                            frame->name, spec->name);
    oc__store_writer_measure **measures =
        realloc(writer->measures, (writer->measure_count + 1) * sizeof *measures);
    if (measures == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", path);
    writer->measures = measures;
    oc__store_writer_measure *measure = calloc(1, sizeof *measure);
    size_t name_size = strlen(frame->name) + strlen(spec->name) + 2;
    if (measure == NULL || (measure->name = malloc(name_size)) == NULL) {
        free(measure);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", path);
    }
    snprintf(measure->name, name_size, "%s/%s", strcmp(frame->name, "/") == 0 ? "" : frame->name,
             spec->name);
    measure->area_count = frame->area_count;
    measure->time_count = frame->time_count;
    hsize_t dimensions[2] = {frame->area_count, frame->time_count};
    hid_t creation = measure_creation_properties(frame->area_count, frame->time_count);
    measure->file_space = H5Screate_simple(2, dimensions, NULL);
    if (creation >= 0 && measure->file_space >= 0)
        measure->dataset = H5Dcreate2(frame->group, spec->name, H5T_IEEE_F64LE, measure->file_space,
                                      H5P_DEFAULT, creation, H5P_DEFAULT);
    if (creation >= 0)
        H5Pclose(creation);
    if (measure->dataset <= 0 || H5DSattach_scale(measure->dataset, frame->area_scale, 0) < 0
        || H5DSattach_scale(measure->dataset, frame->time_scale, 1) < 0
        || write_measure_attributes(measure->dataset, spec) != OC_OK) {
        hdf5_failure(writer, error, measure->name, "create the dataset");
        close_measure(measure);
        return OC_ERROR_IO;
    }
    writer->measures[writer->measure_count++] = measure;
    *measure_out = measure;
    return OC_OK;
}

int oc__store_writer_write_block(oc__store_writer *writer, oc__store_writer_measure *measure,
                                 size_t first_area, size_t area_count, const double *values,
                                 oc_error *error)
{
    if (first_area > measure->area_count || area_count > measure->area_count - first_area)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "%s: %s: areas %zu to %zu are out of range (the frame has %zu)",
                            writer->file.target_path, measure->name, first_area,
                            first_area + area_count, measure->area_count);
    if (area_count == 0)
        return OC_OK;
    char reason[256];
    if (oc__store_write_block(measure->dataset, measure->file_space, first_area, area_count,
                              measure->time_count, values, reason, sizeof reason) != OC_OK)
        return failure_because(writer, error, measure->name, "write", reason);
    return OC_OK;
}

/* Closes every HDF5 object and the file; non-zero if anything failed. */
static int close_everything(oc__store_writer *writer)
{
    for (size_t i = 0; i < writer->measure_count; i++)
        close_measure(writer->measures[i]);
    free(writer->measures);
    writer->measures = NULL;
    writer->measure_count = 0;
    for (size_t i = 0; i < writer->frame_count; i++)
        close_frame(writer->frames[i]);
    free(writer->frames);
    writer->frames = NULL;
    writer->frame_count = 0;
    int failed = 0;
    if (writer->h5file >= 0) {
        failed = H5Fclose(writer->h5file) < 0;
        writer->h5file = H5I_INVALID_HID;
    }
    return failed;
}

int oc__store_writer_commit(oc__store_writer *writer, oc_error *error)
{
    if (writer->frame_count == 0) {
        oc_error_set(error, OC_ERROR_INVALID, "%s: a store needs at least one frame",
                     writer->file.target_path);
        oc__store_writer_abort(writer);
        return OC_ERROR_INVALID;
    }
    if (close_everything(writer)) {
        hdf5_failure(writer, error, writer->file.temporary_path, "close");
        oc__store_writer_abort(writer);
        return OC_ERROR_IO;
    }
    int status = oc__atomic_file_commit(&writer->file, error);
    free(writer);
    return status;
}

void oc__store_writer_abort(oc__store_writer *writer)
{
    if (writer == NULL)
        return;
    close_everything(writer);
    H5Eclear2(H5E_DEFAULT);
    oc__atomic_file_abort(&writer->file);
    free(writer);
}
