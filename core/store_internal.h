/*
 * store_internal.h: what the store's reader, checker and writer share
 * behind core/store.h: the frame and measure structs, the loader that both
 * oc__store_open (stop at the first problem) and oc__store_check (report
 * them all) run, the area-code hash index and small HDF5 helpers.
 */
#ifndef OC_STORE_INTERNAL_H
#define OC_STORE_INTERNAL_H

#include <stdarg.h>

#include <hdf5.h>

#include "store.h"

/* ---- Problems: stop at the first, or collect them all ------------------ */

typedef struct oc__store_sink {
    const char *path;                   /* borrowed: the file, for messages */
    oc__store_problem_callback report;  /* NULL: stop at the first problem */
    void *context;
    size_t count;                       /* problems seen */
    oc_error *error;                    /* receives the first problem */
} oc__store_sink;

/* Records a problem "PATH: MESSAGE" and returns status. A loader goes on
 * after a problem only when oc__store_sink_collects(sink). */
int oc__store_sink_problem(oc__store_sink *sink, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
int oc__store_sink_collects(const oc__store_sink *sink);

/* ---- Area-code index: open addressing over an external string array ---- */

typedef struct oc__store_index {
    size_t *slots;      /* owned; entry index + 1, 0 for an empty slot */
    size_t capacity;    /* a power of two, or 0 */
    size_t count;
} oc__store_index;

/* Adds strings[position]. If an equal string is already indexed, leaves
 * the index as it is and sets *existing to that string's position;
 * otherwise sets *existing to OC__STORE_NO_INDEX. strings is borrowed and
 * must hold every position added so far (it may move between calls). */
int oc__store_index_add(oc__store_index *index, const char *const *strings, size_t position,
                        size_t *existing);
/* Makes room for count entries in all, so that adding them never grows
 * the table: a national frame's 32,844 codes otherwise rehash through
 * ten tables, each one new memory. strings as for oc__store_index_add. */
int oc__store_index_reserve(oc__store_index *index, const char *const *strings, size_t count);
size_t oc__store_index_find(const oc__store_index *index, const char *const *strings,
                            const char *key);
void oc__store_index_free(oc__store_index *index);

/* ---- Strings read from a 1-D dataset ------------------------------------ */

typedef struct oc__store_strings {
    char **items;   /* owned; count pointers into pool */
    /* owned: the block that holds the NUL-terminated texts (from the
     * loader: the texts back to back, in item order; in a store rebuilt
     * from a reader's message: the record they came in) */
    char *pool;
    size_t count;
} oc__store_strings;

void oc__store_strings_free(oc__store_strings *strings);

/* ---- Whole chunks read straight into a block (store_chunks.c) ---------- */

/* Whether and how a measure's chunks can be read without H5Dread: direct
 * when every chunk spans chunk_areas areas by the whole time axis, holds
 * little-endian float64 (the native double) and passes through no filter
 * but shuffle (first) and deflate. The bits are the filters' positions in
 * the pipeline, as H5Dread_chunk's mask reports them skipped; 0 when the
 * filter is absent. */
typedef struct oc__store_chunk_layout {
    int direct;
    /* Whether the last chunk, which reaches past the last area, passed
     * through the filters too: not when the dataset was made with
     * H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS, whose edge chunks are stored
     * raw under a mask that says they were filtered. */
    int edge_direct;
    size_t chunk_areas;
    size_t time_count;
    unsigned shuffle_bit;
    unsigned deflate_bit;
} oc__store_chunk_layout;

/* Memory that direct reads reuse from chunk to chunk; owned by whoever
 * holds it (a frame), zeroed to start, freed with
 * oc__store_chunk_buffers_free. */
typedef struct oc__store_chunk_buffers {
    unsigned char *stored;     /* a chunk as stored in the file */
    size_t stored_size;
    unsigned char *inflated;   /* a shuffled chunk, inflated */
    size_t inflated_size;
    unsigned char *whole;      /* a chunk of which a block wants only part */
    size_t whole_size;
    struct libdeflate_decompressor *decompressor; /* made on first use */
} oc__store_chunk_buffers;

/* Undoes HDF5's shuffle filter on count 8-byte values: byte plane p of
 * planes (count bytes each) holds byte p of every value; the values go to
 * values (count doubles; little-endian, as the direct path requires).
 * widest caps the instructions used, so that tests can check each way:
 * whatever the cap, the bytes written are the same. */
enum {
    OC__STORE_UNSHUFFLE_WORDS = 0, /* 64-bit words only */
    OC__STORE_UNSHUFFLE_SSE2 = 1,  /* and SSE2 where built for it (every x86-64) */
    OC__STORE_UNSHUFFLE_WIDEST = OC__STORE_UNSHUFFLE_SSE2
};
void oc__store_unshuffle(const unsigned char *planes, size_t count, double *values, int widest);

/* oc__store_read_chunk's answer when the chunk is for H5Dread to read. */
#define OC__STORE_CHUNK_NOT_DIRECT 1

/* Fills layout from a dataset's creation property list and stored type
 * (both borrowed) and the frame's number of times. */
void oc__store_chunk_layout_decide(oc__store_chunk_layout *layout, hid_t creation, hid_t type,
                                   size_t time_count);
/* Reads the chunk that starts at first_area into values (chunk_areas x
 * time_count doubles, borrowed). A chunk that reaches past the last area
 * is stored whole all the same; what it holds there is not the caller's.
 * Returns OC_OK; OC__STORE_CHUNK_NOT_DIRECT when the layout is not direct,
 * the chunk was never written (H5Dread gives its fill value) or its stored
 * size is beyond what the pipeline produces; otherwise OC_ERROR_FORMAT
 * (damaged chunk) or OC_ERROR_NO_MEMORY, with the reason in reason (size
 * bytes). */
int oc__store_read_chunk(hid_t dataset, const oc__store_chunk_layout *layout,
                         oc__store_chunk_buffers *buffers, size_t first_area, double *values,
                         char *reason, size_t size);
/* The same for part of a chunk: area_count areas from the chunk's
 * skip_areas-th (skip_areas + area_count <= chunk_areas) into values
 * (area_count x time_count doubles, borrowed); the chunk is read whole into
 * buffers->whole, as it must be inflated whole, and not kept: a caller
 * reading one chunk in several parts inflates it each time. */
int oc__store_read_chunk_part(hid_t dataset, const oc__store_chunk_layout *layout,
                              oc__store_chunk_buffers *buffers, size_t first_area,
                              size_t skip_areas, size_t area_count, double *values, char *reason,
                              size_t size);
void oc__store_chunk_buffers_free(oc__store_chunk_buffers *buffers);

/* ---- Frames -------------------------------------------------------------- */

/* The parts of a frame, in the order the loader reads them. */
enum {
    OC__STORE_PART_AREAS,     /* the area codes (and their index) */
    OC__STORE_PART_TIMES,
    OC__STORE_PART_NAMES,     /* area_name, perhaps absent */
    OC__STORE_PART_PARENTS,   /* area_parent, perhaps absent */
    OC__STORE_PART_PARENT_NAMES, /* area_parent_name, perhaps absent */
    OC__STORE_PART_MEASURES   /* the last: the frame is complete */
};

/* Told of each part of a frame as soon as it is loaded, before the loader
 * reads the next (frame borrowed for the call). */
typedef void (*oc__store_part_callback)(void *context, const oc__store_frame *frame, int part);

typedef struct oc__store_measure_entry {
    oc__store_measure measure;   /* first, so a measure pointer is an entry's */
    char *strings[5];            /* owned: name, units, long_name, frequency, source */
    hid_t dataset;               /* open until the store closes */
    hid_t file_space;
    size_t chunk_areas;
    oc__store_chunk_layout chunks;
    int has_fill_value;          /* fill values (other than NaN) become NaN */
    double fill_value;
    int has_missing_value;
    double missing_value;
} oc__store_measure_entry;

struct oc__store_frame {
    char *name;                  /* owned: "/" or the group's name */
    const char *path;            /* borrowed from the store */
    hid_t group;
    size_t area_count;
    size_t time_count;
    int32_t *times;              /* owned */
    oc__store_strings codes;
    oc__store_strings names;     /* count 0 when absent */
    oc__store_strings parents;   /* count 0 when absent */
    oc__store_strings parent_names; /* count 0 when absent */
    oc__store_index area_index;
    /* owned, NULL until oc__store_parent_order first asks: the areas that
     * have a parent, grouped by parent code */
    size_t *parent_order;
    size_t parent_order_count;
    oc__store_parent_group *parent_groups; /* owned, built with parent_order */
    size_t parent_group_count;
    oc__store_measure_entry *measures; /* owned */
    size_t measure_count;
    oc__store_chunk_buffers chunk_buffers; /* shared by its measures' reads */
    /* Set before loading: area codes, names and parents are not read, only
     * the number of areas (oc__store_open_for_reading). */
    int without_labels;
    /* Set before loading: area_name is not read (a run that reports only
     * parents prints no area's name); oc__store_area_name gives NULL. */
    int without_area_names;
    /* Set before loading, or NULL: the only measures to load (borrowed;
     * oc__store_open_for_reading). */
    const char *const *wanted_measures;
    size_t wanted_measure_count;
    /* Set before loading, or NULL: told of each part once it is loaded. */
    oc__store_part_callback loaded;
    void *loaded_context;
};

struct oc__store {
    char *path;
    hid_t file;
    oc__store_frame *frames;  /* owned */
    size_t frame_count;
    int without_labels;       /* opened by oc__store_open_for_reading */
    int without_area_names;   /* for each frame's without_area_names */
    const char *const *wanted_measures; /* the same; borrowed while loading, or NULL */
    size_t wanted_measure_count;
    /* Rebuilt from a reader's message (oc__store_open_contained): no file,
     * no HDF5 object, and closing it calls no HDF5 function. */
    int without_file;
    /* The process that read it (oc__store_open_contained), reaped when the
     * store closes, so that the host need not wait for it to exit; 0:
     * none. */
    pid_t reader;
    oc__store_part_callback loaded;  /* for each frame's loaded, or NULL */
    void *loaded_context;
};

/* oc__store_open, telling loaded (may be NULL) of each part of each frame
 * as soon as it is loaded: what oc__store_open_contained's reader sends
 * the host while it reads the rest; without_area_names: area_name is not
 * read (see oc__store_open_contained_start). */
int oc__store_open_telling(const char *path, int without_area_names,
                           oc__store_part_callback loaded, void *context, oc__store **store,
                           oc_error *error);

/* The datasets of a frame group that are axes or area attributes rather
 * than measures. */
int oc__store_is_axis_name(const char *name);

/* Whether name (borrowed; NULL allowed) can name a measure: an HDF5 object
 * beside the axes, so not empty, no '/', not ".", not an axis name. The
 * writer's rule, which the CSV importer applies too so that it can name
 * the row. */
int oc__store_is_measure_name(const char *name);

/* Loads the frame in group (borrowed; the frame keeps no reference until
 * it succeeds) into frame, which must be zeroed and have name and path
 * set. Reports problems to sink; in collecting mode goes on after each one.
 * Returns OC_OK when the frame is usable. */
int oc__store_frame_load(oc__store_frame *frame, hid_t group, oc__store_sink *sink);
/* Closes the frame's datasets and frees its contents (not the struct). */
void oc__store_frame_clear(oc__store_frame *frame);

/* Non-zero when the group holds the frame layout (an `area` dataset). */
int oc__store_group_is_frame(hid_t group);
/* What both the reader and the checker ask of each link they walk at the
 * root (link: as H5Literate gives it, borrowed): 1 when `name` is a group
 * holding the frame layout; 0 when it is anything else (a dataset, a group
 * of the user's, a soft or external link that leads nowhere); -1 when it
 * is a hard link to an object HDF5 cannot read or list (a damaged file,
 * which may have held a frame), with HDF5's reason in reason (size
 * bytes). */
int oc__store_child_is_frame(hid_t root, const char *name, const H5L_info_t *link, char *reason,
                             size_t size);

/* Refuses a path that is missing, a directory or not HDF5, with one line
 * in error (OC_ERROR_NOT_FOUND, OC_ERROR_IO or OC_ERROR_FORMAT). */
int oc__store_check_path(const char *path, oc_error *error);

/* ---- A store sent from the process that read it (store_contained.c) --- */

/* Encodes the outcome of oc__store_open for the host: when status is
 * OC_OK, everything the host uses of store (frames, area codes, names and
 * parents, time axes, measures' names, attributes and chunk sizes);
 * otherwise status and message (store unused). *bytes is malloc'd and
 * owned by the caller. Returns OC_OK or OC_ERROR_NO_MEMORY. */
int oc__store_message_encode(const oc__store *store, int status, const char *message,
                             unsigned char **bytes, size_t *size);

/* Rebuilds what bytes (malloc'd; owned by the function, which frees them
 * or hands them to the store) encode for the store at path: returns
 * the status they carry, with its message in error, and on OC_OK *store
 * (owned by the caller) is a store without a file (without_file: its
 * measures cannot be read). A message that is not exactly one that
 * oc__store_message_encode wrote (truncated, garbled, inconsistent
 * counts) gives OC_ERROR_IO, "PATH: the store reader's answer is
 * malformed: REASON", and *store NULL. */
int oc__store_message_decode(const char *path, unsigned char *bytes, size_t size,
                             oc__store **store, oc_error *error);

/* The same, from a reader at the other end of descriptor (which the
 * caller owns and closes), as oc__store_open_contained reads it: each
 * read waits at most silence_limit_milliseconds for the next byte, and a
 * reader silent for longer is given up, OC_ERROR_IO, "PATH: the store
 * reader sent nothing for 300 s and was stopped: ...". */
int oc__store_message_receive(const char *path, int descriptor, int silence_limit_milliseconds,
                              oc__store **store, oc_error *error);

/* oc__store_open_contained with the child running reader(path,
 * descriptor) instead of the real one (which sends the store's answer
 * down descriptor and exits), and another silence limit: for tests of
 * readers that crash, fall silent or lie. */
int oc__store_open_answered_by(const char *path, void (*reader)(const char *path, int descriptor),
                               int silence_limit_milliseconds, oc__store **store,
                               oc_error *error);

/* ---- HDF5 helpers -------------------------------------------------------- */

/* Turns HDF5's automatic error printing off (once per process). */
void oc__store_hdf5_quiet(void);
/* The innermost HDF5 error description (e.g. "truncated file: eof = 96"),
 * copied into buffer; "no HDF5 detail" when the stack is empty. */
void oc__store_hdf5_reason(char *buffer, size_t size);

/* A new variable-length string type in character_set, or a negative id if
 * HDF5 refuses; the caller closes it with H5Tclose. */
hid_t oc__store_variable_string_type(H5T_cset_t character_set);

/* A new transfer property list whose type-conversion buffer holds
 * element_count elements of element_size bytes (the larger of the file's
 * and memory's), capped at HDF5's default of 1 MiB; or a negative id. The
 * caller closes it with H5Pclose. HDF5 1.10 allocates and zeroes the whole
 * 1 MiB for any read that converts, however few its elements: in every
 * process that reads a store's times or labels, 256 page faults. */
hid_t oc__store_conversion_transfer(size_t element_count, size_t element_size);

/* Reads a scalar or one-element string attribute. *value is malloc'd and
 * owned by the caller. OC_ERROR_NOT_FOUND when absent, OC_ERROR_FORMAT when
 * not a string. */
int oc__store_read_string_attribute(hid_t object, const char *name, char **value);
/* Reads a numeric scalar attribute as a double. Same statuses. */
int oc__store_read_number_attribute(hid_t object, const char *name, double *value);
/* Writes a scalar variable-length UTF-8 string attribute. */
int oc__store_write_string_attribute(hid_t object, const char *name, const char *value);

/* Reads into values, or writes from them, the rows first_area ..
 * first_area + area_count - 1 (each of time_count doubles) of a 2-D
 * measure dataset whose dataspace is file_space (its selection is
 * changed). values is borrowed. On failure returns OC_ERROR_IO and writes
 * HDF5's reason into reason (size bytes). */
int oc__store_read_block(hid_t dataset, hid_t file_space, size_t first_area, size_t area_count,
                         size_t time_count, double *values, char *reason, size_t size);
int oc__store_write_block(hid_t dataset, hid_t file_space, size_t first_area, size_t area_count,
                          size_t time_count, const double *values, char *reason, size_t size);

/* Reads a 1-D dataset of fixed- or variable-length strings. On failure
 * returns a status and writes the reason into reason (size bytes). */
int oc__store_read_strings(hid_t dataset, oc__store_strings *strings, char *reason,
                           size_t size);

/* Decodes a CF time unit such as "days since 1970-01-01" or "hours since
 * 2016-02-01 00:00:00": *base_seconds is the epoch in seconds since
 * 1970-01-01 and *unit_seconds the length of one unit. */
int oc__store_parse_time_units(const char *units, int64_t *base_seconds,
                               int64_t *unit_seconds);

#endif
