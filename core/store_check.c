/* store_check.c: `outcomes store check`. Runs the reader's own frame
 * loader in its collecting mode (so the checker and the reader agree on
 * what they refuse), then adds what the format asks for but the reader
 * tolerates: the version attribute, units and long_name on every measure,
 * float64 measures, known frequencies and attached dimension scales. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5_hl.h>

#include "period.h"
#include "store_internal.h"
#include "utf8.h"

static void check_version(hid_t file, oc__store_sink *sink)
{
    double version;
    int status = oc__store_read_number_attribute(file, "outcomes_store_version", &version);
    if (status == OC_ERROR_NOT_FOUND)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT, "/: no root attribute outcomes_store_version (expected 1)");
    else if (status != OC_OK)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT, "/: attribute outcomes_store_version is not a number");
    else if (version != OC__STORE_FORMAT_VERSION)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                               "/: outcomes_store_version is %g; this checker knows version %d", version,
                               OC__STORE_FORMAT_VERSION);
}

static hid_t open_if_present(hid_t group, const char *name)
{
    hid_t dataset = H5I_INVALID_HID;
    if (H5Lexists(group, name, H5P_DEFAULT) > 0)
        dataset = H5Dopen2(group, name, H5P_DEFAULT);
    H5Eclear2(H5E_DEFAULT);
    return dataset;
}

static const char *prefix_of(const oc__store_frame *frame)
{
    return strcmp(frame->name, "/") == 0 ? "" : frame->name;
}

static void check_scale(const oc__store_frame *frame, hid_t axis, const char *name,
                        oc__store_sink *sink)
{
    if (axis >= 0 && H5DSis_scale(axis) <= 0)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s/%s: is not a dimension scale (H5DSset_scale)",
                               prefix_of(frame), name);
    H5Eclear2(H5E_DEFAULT);
}

static void check_time_attributes(const oc__store_frame *frame, hid_t time, oc__store_sink *sink)
{
    char *calendar = NULL;
    if (time < 0)
        return;
    if (oc__store_read_string_attribute(time, "calendar", &calendar) != OC_OK)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s/time: no calendar attribute (expected \"standard\")",
                               prefix_of(frame));
    free(calendar);
}

/* One frame, one meaning for its periods: `run` refuses a metric whose
 * measures disagree on their frequency (core/engine_plan.c), so a frame
 * whose measures disagree is reported once, at the first that differs
 * from the first with a (known) frequency. */
static void check_frequencies_agree(const oc__store_frame *frame, oc__store_sink *sink)
{
    const oc__store_measure *first = NULL;
    oc__frequency frequency;
    for (size_t i = 0; i < frame->measure_count; i++) {
        const oc__store_measure *measure = &frame->measures[i].measure;
        if (measure->frequency == NULL
            || oc__frequency_from_name(measure->frequency, &frequency, NULL) != OC_OK)
            continue; /* none, or reported by check_measure */
        if (first == NULL) {
            first = measure;
        } else if (strcmp(first->frequency, measure->frequency) != 0) {
            oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                   "%s/%s: attribute frequency: '%s', but %s/%s is '%s': the "
                                   "measures of one frame must share one frequency",
                                   prefix_of(frame), measure->name, measure->frequency,
                                   prefix_of(frame), first->name, first->frequency);
            return;
        }
    }
}

/* The labels a run prints (area codes, names, parents and their names)
 * are text: `outcomes import` refuses invalid UTF-8 and control characters
 * in them, but a store written otherwise may hold them, and the CSV writer
 * passes an escape sequence on to whatever terminal shows the file. The
 * first offender of each dataset is reported, with how many there are. */
static void check_label_text(const oc__store_frame *frame, const oc__store_strings *strings,
                             const char *dataset, oc__store_sink *sink)
{
    size_t bad = 0, first = 0, offset = 0;
    int control = 0;
    for (size_t i = 0; i < strings->count; i++) {
        const char *text = strings->items[i];
        if (text == NULL)
            continue;
        size_t invalid = oc__utf8_invalid_offset(text);
        size_t control_at = invalid == OC__UTF8_VALID ? oc__text_control_offset(text)
                                                      : OC__TEXT_NO_CONTROL;
        if (invalid == OC__UTF8_VALID && control_at == OC__TEXT_NO_CONTROL)
            continue;
        if (bad++ == 0) {
            first = i;
            control = invalid == OC__UTF8_VALID;
            offset = control ? control_at : invalid;
        }
    }
    if (bad == 0)
        return;
    const unsigned char byte = (unsigned char)strings->items[first][offset];
    oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                           "%s/%s: entry %zu holds %s (0x%02X at byte %zu)%s: labels are UTF-8 "
                           "text", prefix_of(frame), dataset, first,
                           control ? "a control character" : "a byte that is not UTF-8", byte,
                           offset + 1, bad > 1 ? " (and more entries)" : "");
}

static void check_labels(const oc__store_frame *frame, oc__store_sink *sink)
{
    check_label_text(frame, &frame->codes, "area", sink);
    check_label_text(frame, &frame->names, "area_name", sink);
    check_label_text(frame, &frame->parents, "area_parent", sink);
    check_label_text(frame, &frame->parent_names, "area_parent_name", sink);
}

/* area_parent_name names each area's parent, so it needs area_parent, and
 * the members of one parent must give it one name (or none, ""): a run
 * names the parent after the first member that gives one. */
static void check_parent_names(oc__store_frame *frame, oc__store_sink *sink)
{
    if (frame->parent_names.count == 0)
        return;
    if (frame->parents.count == 0) {
        /* An area_parent that is there but could not be read was reported
         * already; this would only blame its names for it. */
        if (H5Lexists(frame->group, "area_parent", H5P_DEFAULT) <= 0)
            oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                   "%s/area_parent_name: names parents, but the frame has no "
                                   "area_parent", prefix_of(frame));
        H5Eclear2(H5E_DEFAULT);
        return;
    }
    /* A name where there is no parent names nothing: the first, and how
     * many. */
    size_t orphans = 0, first_orphan = 0;
    for (size_t a = 0; a < frame->area_count; a++) {
        const char *parent = frame->parents.items[a], *name = frame->parent_names.items[a];
        if ((parent == NULL || parent[0] == '\0') && name != NULL && name[0] != '\0'
            && orphans++ == 0)
            first_orphan = a;
    }
    if (orphans > 0)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                               "%s/area_parent_name: '%s' at position %zu (and %zu more) names a "
                               "parent where area_parent gives none", prefix_of(frame),
                               frame->parent_names.items[first_orphan], first_orphan,
                               orphans - 1);
    const size_t *order;
    size_t order_count, group_count;
    const oc__store_parent_group *groups;
    if (oc__store_parent_order(frame, &order, &order_count) != OC_OK
        || oc__store_parent_groups(frame, &groups, &group_count) != OC_OK) {
        oc__store_sink_problem(sink, OC_ERROR_NO_MEMORY, "out of memory checking parent names");
        return;
    }
    for (size_t g = 0; g < group_count; g++) {
        const char *named = NULL;
        size_t named_at = 0;
        for (size_t k = 0; k < groups[g].count; k++) {
            size_t area = order[groups[g].first + k];
            const char *name = frame->parent_names.items[area];
            if (name == NULL || name[0] == '\0')
                continue;
            if (named == NULL) {
                named = name;
                named_at = area;
            } else if (strcmp(named, name) != 0) {
                oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                       "%s/area_parent_name: parent '%s' is named '%s' at "
                                       "position %zu and '%s' at position %zu",
                                       prefix_of(frame), groups[g].code, named, named_at, name,
                                       area);
                break;
            }
        }
    }
}

/* A parent code must not be an area's code too: a run would report the
 * area's own row for `areas = C` and the sum of C's members for `areas =
 * parents`, two values under one code (engine_plan.c refuses it where a
 * metric uses parents). */
static void check_parent_codes(oc__store_frame *frame, oc__store_sink *sink)
{
    if (frame->parents.count == 0)
        return;
    const oc__store_parent_group *groups;
    size_t group_count;
    if (oc__store_parent_groups(frame, &groups, &group_count) != OC_OK) {
        oc__store_sink_problem(sink, OC_ERROR_NO_MEMORY, "out of memory checking parents");
        return;
    }
    for (size_t g = 0; g < group_count; g++) {
        size_t area = oc__store_find_area(frame, groups[g].code);
        if (area != OC__STORE_NO_INDEX)
            oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                                   "%s/area_parent: '%s' is also the code of area %zu: a parent "
                                   "needs a code of its own",
                                   prefix_of(frame), groups[g].code, area);
    }
}

static void check_measure(const oc__store_frame *frame, const oc__store_measure_entry *entry,
                          hid_t area, hid_t time, oc__store_sink *sink)
{
    const oc__store_measure *measure = &entry->measure;
    const char *prefix = prefix_of(frame);
    if (measure->units[0] == '\0')
        oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s/%s: no units attribute", prefix, measure->name);
    if (measure->long_name[0] == '\0')
        oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s/%s: no long_name attribute", prefix, measure->name);
    oc__frequency frequency;
    oc_error reason;
    if (measure->frequency != NULL
        && oc__frequency_from_name(measure->frequency, &frequency, &reason) != OC_OK)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s/%s: attribute frequency: %s", prefix,
                               measure->name, reason.message);
    hid_t type = H5Dget_type(entry->dataset);
    if (type >= 0 && (H5Tget_class(type) != H5T_FLOAT || H5Tget_size(type) != 8))
        oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                               "%s/%s: holds %s %zu-byte values; the format asks for float64 (readers convert)",
                               prefix, measure->name, H5Tget_class(type) == H5T_FLOAT ? "float" : "integer",
                               H5Tget_size(type));
    if (type >= 0)
        H5Tclose(type);
    if (area >= 0 && H5DSis_attached(entry->dataset, area, 0) <= 0)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                               "%s/%s: dimension 0 is not attached to the area scale (H5DSattach_scale)",
                               prefix, measure->name);
    if (time >= 0 && H5DSis_attached(entry->dataset, time, 1) <= 0)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                               "%s/%s: dimension 1 is not attached to the time scale (H5DSattach_scale)",
                               prefix, measure->name);
    H5Eclear2(H5E_DEFAULT);
}

/* A chunk that the measure's chunk index lists but that a lookup by its
 * position (how every read finds a chunk) does not find: one damaged
 * B-tree key is enough. Its values then read as never written, all
 * missing (or the fill value), with nothing to say so. A chunk never
 * written is allowed (docs/store-format.md); one written and lost is
 * damage. Each lookup is a B-tree search, a few dozen for a national
 * measure. */
static void check_chunk_index(const oc__store_frame *frame, const oc__store_measure_entry *entry,
                              oc__store_sink *sink)
{
    hid_t creation = H5Dget_create_plist(entry->dataset);
    hsize_t chunk[2] = {0, 0}, listed = 0, found = 0;
    int chunked = creation >= 0 && H5Pget_layout(creation) == H5D_CHUNKED
                  && H5Pget_chunk(creation, 2, chunk) == 2 && chunk[0] > 0 && chunk[1] > 0;
    if (creation >= 0)
        H5Pclose(creation);
    hid_t space = chunked ? H5Dget_space(entry->dataset) : H5I_INVALID_HID;
    int counted = space >= 0 && H5Dget_num_chunks(entry->dataset, space, &listed) >= 0;
    if (space >= 0)
        H5Sclose(space);
    if (!counted) {
        H5Eclear2(H5E_DEFAULT);
        return; /* not chunked; or reading the values finds what is wrong */
    }
    for (hsize_t area = 0; area < frame->area_count; area += chunk[0])
        for (hsize_t time = 0; time < frame->time_count; time += chunk[1]) {
            hsize_t offset[2] = {area, time}, size = 0;
            /* fails for a chunk never written, too */
            if (H5Dget_chunk_storage_size(entry->dataset, offset, &size) >= 0 && size > 0)
                found++;
        }
    H5Eclear2(H5E_DEFAULT);
    if (found < listed)
        oc__store_sink_problem(sink, OC_ERROR_FORMAT,
                               "%s/%s: the chunk index is damaged: %llu of the %llu chunks it lists "
                               "cannot be found by position, so their values read as never written "
                               "(missing)",
                               prefix_of(frame), entry->measure.name,
                               (unsigned long long)(listed - found), (unsigned long long)listed);
}

/* Reads the whole measure, block by block, so that a damaged or
 * undecodable chunk is found now rather than in a quarterly run. */
static int check_values(oc__store_frame *frame, const oc__store_measure *measure,
                        oc__store_sink *sink)
{
    size_t block = OC__STORE_CHUNK_AREAS;
    size_t chunk = oc__store_measure_chunk_areas(frame, measure);
    if (chunk > 0 && chunk < block)
        block = chunk * (block / chunk);
    if (frame->times == NULL || frame->codes.count == 0)
        return OC_OK; /* the axes are already reported */
    double *values = malloc(block * frame->time_count * sizeof *values);
    if (values == NULL)
        return OC_ERROR_NO_MEMORY;
    for (size_t first = 0; first < frame->area_count; first += block) {
        size_t count = frame->area_count - first < block ? frame->area_count - first : block;
        oc_error error;
        if (oc__store_read_measure_block(frame, measure, first, count, values, &error) != OC_OK) {
            /* The message already starts with the path. */
            const char *message = error.message;
            size_t path_length = strlen(sink->path);
            if (strncmp(message, sink->path, path_length) == 0 && message[path_length] == ':')
                message += path_length + 2;
            oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s", message);
            break;
        }
    }
    free(values);
    return OC_OK;
}

static int check_frame(hid_t parent, const char *group_name, const char *path,
                       oc__store_sink *sink, size_t *measure_count)
{
    oc__store_frame frame;
    memset(&frame, 0, sizeof frame);
    frame.path = path;
    frame.group = H5Gopen2(parent, group_name, H5P_DEFAULT);
    size_t length = strlen(group_name) + 2;
    frame.name = malloc(length);
    if (frame.name == NULL) {
        oc__store_frame_clear(&frame);
        return OC_ERROR_NO_MEMORY;
    }
    snprintf(frame.name, length, "%s%s", strcmp(group_name, "/") == 0 ? "" : "/", group_name);
    if (frame.group < 0) {
        oc__store_sink_problem(sink, OC_ERROR_FORMAT, "%s: cannot open the group", frame.name);
        oc__store_frame_clear(&frame);
        return OC_OK;
    }
    oc__store_frame_load(&frame, frame.group, sink);
    hid_t area = open_if_present(frame.group, "area");
    hid_t time = open_if_present(frame.group, "time");
    check_scale(&frame, area, "area", sink);
    check_scale(&frame, time, "time", sink);
    check_time_attributes(&frame, time, sink);
    check_frequencies_agree(&frame, sink);
    check_labels(&frame, sink);
    check_parent_names(&frame, sink);
    check_parent_codes(&frame, sink);
    int status = OC_OK;
    for (size_t i = 0; i < frame.measure_count && status == OC_OK; i++) {
        check_measure(&frame, &frame.measures[i], area, time, sink);
        check_chunk_index(&frame, &frame.measures[i], sink);
        status = check_values(&frame, &frame.measures[i].measure, sink);
    }
    *measure_count += frame.measure_count;
    if (area >= 0)
        H5Dclose(area);
    if (time >= 0)
        H5Dclose(time);
    oc__store_frame_clear(&frame);
    return status;
}

typedef struct frame_walk {
    const char *path;
    oc__store_sink *sink;
    int root_is_frame;
    size_t frame_count;
    size_t measure_count;
    int failed; /* a frame's check failed (out of memory), not the listing */
} frame_walk;

static herr_t check_group(hid_t root, const char *name, const H5L_info_t *info, void *data)
{
    frame_walk *walk = data;
    char reason[256];
    int is_frame = oc__store_child_is_frame(root, name, info, reason, sizeof reason);
    if (is_frame < 0)
        oc__store_sink_problem(walk->sink, OC_ERROR_FORMAT, "/%s: cannot be read (damaged file?): %s",
                               name, reason);
    if (is_frame <= 0)
        return 0;
    if (walk->root_is_frame) {
        oc__store_sink_problem(walk->sink, OC_ERROR_FORMAT,
                               "/%s: a frame in a group, but the root is a frame too (readers ignore the group)", name);
        return 0;
    }
    walk->frame_count++;
    if (check_frame(root, name, walk->path, walk->sink, &walk->measure_count) == OC_OK)
        return 0;
    walk->failed = 1;
    return -1;
}

int oc__store_check(const char *path, oc__store_problem_callback report, void *context,
                    size_t *problem_count, oc_error *error)
{
    oc__store_sink sink = {path, report, context, 0, NULL};
    oc_error path_error;
    *problem_count = 0;
    oc__store_hdf5_quiet();
    if (oc__store_check_path(path, &path_error) != OC_OK) {
        report(context, path_error.message);
        *problem_count = 1;
        return OC_OK;
    }
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        char reason[256];
        oc__store_hdf5_reason(reason, sizeof reason);
        oc__store_sink_problem(&sink, OC_ERROR_FORMAT, "cannot open as HDF5: %s", reason);
        *problem_count = sink.count;
        return OC_OK;
    }
    check_version(file, &sink);
    frame_walk walk = {path, &sink, oc__store_group_is_frame(file), 0, 0, 0};
    int status = OC_OK;
    if (walk.root_is_frame) {
        walk.frame_count = 1;
        status = check_frame(file, "/", path, &sink, &walk.measure_count);
    }
    int listed = status == OC_OK
                     ? H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, NULL, check_group, &walk) >= 0
                     : 1;
    if (!listed && walk.failed) {
        status = OC_ERROR_NO_MEMORY;
    } else if (!listed) {
        /* the file's own structure is damaged: a problem with the store,
         * found and reported like the others */
        char reason[256];
        oc__store_hdf5_reason(reason, sizeof reason);
        oc__store_sink_problem(&sink, OC_ERROR_FORMAT, "cannot list the groups: %s", reason);
    } else if (status == OC_OK && walk.frame_count == 0)
        oc__store_sink_problem(&sink, OC_ERROR_FORMAT,
                               "no frame: expected the datasets area and time at the root or in a group");
    else if (status == OC_OK && walk.measure_count == 0 && sink.count == 0)
        oc__store_sink_problem(&sink, OC_ERROR_FORMAT, "no measures: a store needs at least one");
    H5Fclose(file);
    H5Eclear2(H5E_DEFAULT);
    *problem_count = sink.count;
    if (status != OC_OK)
        return oc_error_set(error, status, "%s: out of memory while checking", path);
    return OC_OK;
}
