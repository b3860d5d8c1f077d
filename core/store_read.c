/* store_read.c: opening a store, its frames and their accessors, and the
 * block reads the evaluation engine streams a national store through. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "atomic_file.h"
#include "store_internal.h"

/* Refuses what is plainly not a store before HDF5 sees it, so the message
 * says "is a directory" rather than an HDF5 stack trace, and a FIFO,
 * which HDF5 would wait on for ever for a writer, is refused at once. */
int oc__store_check_path(const char *path, oc_error *error)
{
    struct stat status;
    if (stat(path, &status) != 0)
        return oc_error_set(error, errno == ENOENT ? OC_ERROR_NOT_FOUND : OC_ERROR_IO, "%s: %s",
                            path, strerror(errno));
    if (!S_ISREG(status.st_mode))
        return oc_error_set(error, OC_ERROR_IO, "%s: is %s, not an HDF5 store", path,
                            oc__file_kind_name(status.st_mode));
    if (H5Fis_hdf5(path) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return oc_error_set(error, OC_ERROR_FORMAT,
                            "%s: not an HDF5 file (no HDF5 signature: truncated, damaged or another format)",
                            path);
    }
    return OC_OK;
}

static int check_version(hid_t file, const char *path, oc_error *error)
{
    double version;
    int status = oc__store_read_number_attribute(file, "outcomes_store_version", &version);
    if (status == OC_ERROR_NOT_FOUND)
        return OC_OK; /* a plain xarray/h5py file: readable as it is */
    if (status != OC_OK)
        return oc_error_set(error, OC_ERROR_FORMAT, "%s: attribute outcomes_store_version is not a number", path);
    if (version != OC__STORE_FORMAT_VERSION)
        return oc_error_set(error, OC_ERROR_FORMAT,
                            "%s: store format version %g is not supported (this reader knows version %d)",
                            path, version, OC__STORE_FORMAT_VERSION);
    return OC_OK;
}

typedef struct group_names {
    char **names;
    size_t count;
    int failed;
    const char *path;
    oc_error *damage; /* set when a linked object cannot be read */
    int damaged;
} group_names;

static herr_t collect_frame_group(hid_t root, const char *name, const H5L_info_t *info, void *data)
{
    group_names *groups = data;
    char reason[256];
    int is_frame = oc__store_child_is_frame(root, name, info, reason, sizeof reason);
    if (is_frame < 0) {
        oc_error_set(groups->damage, OC_ERROR_FORMAT, "%s: /%s: cannot be read (damaged file?): %s",
                     groups->path, name, reason);
        groups->damaged = 1;
        return -1;
    }
    if (!is_frame)
        return 0;
    char **names = realloc(groups->names, (groups->count + 1) * sizeof *names);
    if (names == NULL || (names[groups->count] = strdup(name)) == NULL) {
        if (names != NULL)
            groups->names = names;
        groups->failed = 1;
        return -1;
    }
    groups->names = names;
    groups->count++;
    return 0;
}

static int load_frame(oc__store *store, hid_t parent, const char *group_name,
                      oc__store_frame *frame, oc_error *error)
{
    oc__store_sink sink = {store->path, NULL, NULL, 0, error};
    frame->path = store->path;
    frame->without_labels = store->without_labels;
    frame->without_area_names = store->without_area_names;
    frame->wanted_measures = store->wanted_measures;
    frame->wanted_measure_count = store->wanted_measure_count;
    frame->loaded = store->loaded;
    frame->loaded_context = store->loaded_context;
    frame->group = H5Gopen2(parent, group_name, H5P_DEFAULT);
    if (frame->group < 0) {
        char reason[256];
        oc__store_hdf5_reason(reason, sizeof reason);
        return oc_error_set(error, OC_ERROR_FORMAT, "%s: %s: cannot open: %s", store->path,
                            group_name, reason);
    }
    if (strcmp(group_name, "/") == 0)
        frame->name = strdup("/");
    else if ((frame->name = malloc(strlen(group_name) + 2)) != NULL)
        sprintf(frame->name, "/%s", group_name);
    if (frame->name == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", store->path);
    int status = oc__store_frame_load(frame, frame->group, &sink);
    frame->wanted_measures = NULL; /* borrowed for the loading only */
    frame->wanted_measure_count = 0;
    return status;
}

static int load_frames(oc__store *store, oc_error *error)
{
    if (oc__store_group_is_frame(store->file)) {
        store->frames = calloc(1, sizeof *store->frames);
        if (store->frames == NULL)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", store->path);
        store->frame_count = 1;
        return load_frame(store, store->file, "/", &store->frames[0], error);
    }
    group_names groups = {NULL, 0, 0, store->path, error, 0};
    int status = OC_OK;
    herr_t listed = H5Literate(store->file, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_frame_group,
                               &groups);
    if (groups.damaged) {
        H5Eclear2(H5E_DEFAULT);
        status = OC_ERROR_FORMAT;
    } else if (listed < 0 || groups.failed) {
        char reason[256];
        oc__store_hdf5_reason(reason, sizeof reason);
        status = oc_error_set(error, groups.failed ? OC_ERROR_NO_MEMORY : OC_ERROR_FORMAT,
                              "%s: cannot list the groups: %s", store->path,
                              groups.failed ? "out of memory" : reason);
    } else if (groups.count == 0) {
        status = oc_error_set(error, OC_ERROR_FORMAT,
                              "%s: no frame: expected the datasets area and time at the root or in a group",
                              store->path);
    } else if ((store->frames = calloc(groups.count, sizeof *store->frames)) == NULL) {
        status = oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", store->path);
    } else {
        store->frame_count = groups.count;
        for (size_t i = 0; i < groups.count && status == OC_OK; i++)
            status = load_frame(store, store->file, groups.names[i], &store->frames[i], error);
    }
    for (size_t i = 0; i < groups.count; i++)
        free(groups.names[i]);
    free(groups.names);
    return status;
}

static int open_store(const char *path, int without_labels, int without_area_names,
                      const char *const *measures, size_t measure_count,
                      oc__store_part_callback loaded, void *context, oc__store **store_out,
                      oc_error *error)
{
    *store_out = NULL;
    oc__store_hdf5_quiet();
    int status = oc__store_check_path(path, error);
    if (status != OC_OK)
        return status;
    oc__store *store = calloc(1, sizeof *store);
    if (store == NULL || (store->path = strdup(path)) == NULL) {
        free(store);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", path);
    }
    store->without_labels = without_labels;
    store->without_area_names = without_area_names;
    store->wanted_measures = measures;
    store->wanted_measure_count = measure_count;
    store->loaded = loaded;
    store->loaded_context = context;
    store->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (store->file < 0) {
        char reason[256];
        oc__store_hdf5_reason(reason, sizeof reason);
        oc_error_set(error, OC_ERROR_FORMAT, "%s: cannot open as HDF5: %s", path, reason);
        oc__store_close(store);
        return OC_ERROR_FORMAT;
    }
    status = check_version(store->file, path, error);
    if (status == OC_OK)
        status = load_frames(store, error);
    store->wanted_measures = NULL; /* borrowed for the loading only */
    store->wanted_measure_count = 0;
    if (status != OC_OK) {
        oc__store_close(store);
        return status;
    }
    *store_out = store;
    return OC_OK;
}

int oc__store_open(const char *path, oc__store **store_out, oc_error *error)
{
    return open_store(path, 0, 0, NULL, 0, NULL, NULL, store_out, error);
}

int oc__store_open_for_reading(const char *path, const char *const *measures,
                               size_t measure_count, oc__store **store_out, oc_error *error)
{
    return open_store(path, 1, 1, measures, measure_count, NULL, NULL, store_out, error);
}

int oc__store_open_telling(const char *path, int without_area_names,
                           oc__store_part_callback loaded, void *context, oc__store **store_out,
                           oc_error *error)
{
    return open_store(path, 0, without_area_names, NULL, 0, loaded, context, store_out, error);
}

void oc__store_close(oc__store *store)
{
    if (store == NULL)
        return;
    for (size_t i = 0; i < store->frame_count; i++)
        oc__store_frame_clear(&store->frames[i]);
    free(store->frames);
    if (!store->without_file) {
        if (store->file > 0)
            H5Fclose(store->file);
        H5Eclear2(H5E_DEFAULT);
    }
    while (store->reader > 0 && waitpid(store->reader, NULL, 0) < 0 && errno == EINTR)
        continue;
    free(store->path);
    free(store);
}

const char *oc__store_path(const oc__store *store)
{
    return store->path;
}

size_t oc__store_frame_count(const oc__store *store)
{
    return store->frame_count;
}

oc__store_frame *oc__store_frame_at(oc__store *store, size_t index)
{
    return index < store->frame_count ? &store->frames[index] : NULL;
}

oc__store_frame *oc__store_find_frame(oc__store *store, const char *name)
{
    if (name == NULL)
        return NULL;
    if (name[0] == '\0')
        name = "/";
    for (size_t i = 0; i < store->frame_count; i++) {
        const char *frame_name = store->frames[i].name;
        if (strcmp(frame_name, name) == 0 || (name[0] != '/' && strcmp(frame_name + 1, name) == 0))
            return &store->frames[i];
    }
    return NULL;
}

const char *oc__store_frame_name(const oc__store_frame *frame)
{
    return frame->name;
}

size_t oc__store_area_count(const oc__store_frame *frame)
{
    return frame->area_count;
}

size_t oc__store_time_count(const oc__store_frame *frame)
{
    return frame->time_count;
}

const int32_t *oc__store_times(const oc__store_frame *frame)
{
    return frame->times;
}

const char *const *oc__store_area_codes(const oc__store_frame *frame)
{
    return (const char *const *)frame->codes.items;
}

const char *oc__store_area_name(const oc__store_frame *frame, size_t index)
{
    return frame->names.count > index ? frame->names.items[index] : NULL;
}

const char *oc__store_area_parent(const oc__store_frame *frame, size_t index)
{
    return frame->parents.count > index ? frame->parents.items[index] : NULL;
}

const char *oc__store_parent_name(const oc__store_frame *frame, size_t index)
{
    if (frame->parent_names.count <= index || frame->parents.count <= index
        || frame->parents.items[index] == NULL || frame->parents.items[index][0] == '\0'
        || frame->parent_names.items[index] == NULL
        || frame->parent_names.items[index][0] == '\0')
        return NULL;
    return frame->parent_names.items[index];
}

size_t oc__store_find_area(const oc__store_frame *frame, const char *code)
{
    return oc__store_index_find(&frame->area_index, (const char *const *)frame->codes.items, code);
}

size_t oc__store_measure_count(const oc__store_frame *frame)
{
    return frame->measure_count;
}

const oc__store_measure *oc__store_measure_at(const oc__store_frame *frame, size_t index)
{
    return index < frame->measure_count ? &frame->measures[index].measure : NULL;
}

const oc__store_measure *oc__store_find_measure(const oc__store_frame *frame, const char *name)
{
    for (size_t i = 0; name != NULL && i < frame->measure_count; i++)
        if (strcmp(frame->measures[i].measure.name, name) == 0)
            return &frame->measures[i].measure;
    return NULL;
}

/* The entry behind a measure pointer, if it is one of this frame's. */
static oc__store_measure_entry *entry_of(const oc__store_frame *frame,
                                         const oc__store_measure *measure)
{
    for (size_t i = 0; i < frame->measure_count; i++)
        if (&frame->measures[i].measure == measure)
            return &frame->measures[i];
    return NULL;
}

size_t oc__store_measure_chunk_areas(const oc__store_frame *frame,
                                     const oc__store_measure *measure)
{
    const oc__store_measure_entry *entry = entry_of(frame, measure);
    return entry != NULL ? entry->chunk_areas : 0;
}

/* Whole chunks inside the block are read directly, and so is the last,
 * partial chunk row that every national store has, read from its start to
 * the last area: H5Dread inflated it with zlib and its own buffers, three
 * to four times the direct path's work, for every measure of every metric
 * (12% of a worker's instructions over constituencies at quarter size,
 * docs/performance-history.md). Any other part of a chunk (a block that
 * starts or ends inside one, blocks smaller than the chunks) goes through
 * H5Dread,
 * whose chunk cache inflates a chunk read in several parts once; so do a
 * layout or chunk the direct path does not take, and a last chunk stored
 * unfiltered (edge_direct). */
static int read_rows(oc__store_frame *frame, oc__store_measure_entry *entry, size_t first_area,
                     size_t area_count, double *values, char *reason, size_t size)
{
    const oc__store_chunk_layout *layout = &entry->chunks;
    size_t time_count = frame->time_count;
    for (size_t done = 0; done < area_count;) {
        size_t area = first_area + done, left = area_count - done, rows = left;
        if (layout->direct) {
            size_t into_chunk = area % layout->chunk_areas;
            rows = layout->chunk_areas - into_chunk;
            if (rows > left)
                rows = left;
            /* Both direct reads start at a chunk's first area and read rows
             * areas of it: the whole chunk, or all the last one holds. */
            double *into = values + done * time_count;
            int whole = into_chunk == 0 && rows == layout->chunk_areas;
            int last_row = into_chunk == 0 && area + rows == frame->area_count
                           && layout->edge_direct;
            int status = whole ? oc__store_read_chunk(entry->dataset, layout,
                                                      &frame->chunk_buffers, area, into, reason,
                                                      size)
                         : last_row ? oc__store_read_chunk_part(entry->dataset, layout,
                                                                &frame->chunk_buffers, area, 0,
                                                                rows, into, reason, size)
                                    : OC__STORE_CHUNK_NOT_DIRECT;
            if (status != OC_OK && status != OC__STORE_CHUNK_NOT_DIRECT) {
                char chunk_reason[200];
                snprintf(chunk_reason, sizeof chunk_reason, "%s", reason);
                snprintf(reason, size, "chunk of areas %zu to %zu: %s", area, area + rows - 1,
                         chunk_reason);
                return status;
            }
            if (status == OC_OK) {
                done += rows;
                continue;
            }
        }
        if (oc__store_read_block(entry->dataset, entry->file_space, area, rows, time_count,
                                 values + done * time_count, reason, size) != OC_OK)
            return OC_ERROR_FORMAT;
        done += rows;
    }
    return OC_OK;
}

int oc__store_read_measure_block(oc__store_frame *frame, const oc__store_measure *measure,
                                 size_t first_area, size_t area_count, double *values,
                                 oc_error *error)
{
    oc__store_measure_entry *entry = entry_of(frame, measure);
    if (entry == NULL || values == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "%s: frame %s: not one of its measures",
                            frame->path, frame->name);
    if (first_area > frame->area_count || area_count > frame->area_count - first_area)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "%s: %s: areas %zu to %zu are out of range (the frame has %zu)",
                            frame->path, measure->name, first_area, first_area + area_count,
                            frame->area_count);
    if (entry->dataset <= 0)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "%s: %s: the store was rebuilt for planning, without its file: open it to read values",
                            frame->path, measure->name);
    if (area_count == 0)
        return OC_OK;
    char reason[256] = "";
    int status = read_rows(frame, entry, first_area, area_count, values, reason, sizeof reason);
    if (status != OC_OK) {
        return oc_error_set(error, status == OC_ERROR_NO_MEMORY ? status : OC_ERROR_FORMAT,
                            "%s: %s%s%s: cannot read areas %zu to %zu: %s", frame->path,
                            strcmp(frame->name, "/") == 0 ? "" : frame->name, "/",
                            measure->name, first_area, first_area + area_count - 1, reason);
    }
    if (entry->has_fill_value || entry->has_missing_value) {
        size_t total = area_count * frame->time_count;
        for (size_t i = 0; i < total; i++)
            if ((entry->has_fill_value && values[i] == entry->fill_value)
                || (entry->has_missing_value && values[i] == entry->missing_value))
                values[i] = NAN;
    }
    return OC_OK;
}
