/*
 * import_csv.h: building a store from tidy CSV (`outcomes import`): one
 * row per value with the columns area, period, measure, value, and
 * optionally area_name, area_parent, units and long_name. Parsed with
 * libcsv; periods with core/period.h.
 */
#ifndef OC_IMPORT_CSV_H
#define OC_IMPORT_CSV_H

#include <stddef.h>

#include <outcomes/common.h>

/* The longest row (a line, or the lines of one row whose quoted fields
 * hold line breaks) read, in bytes: a row of tidy CSV holds an area code
 * and name, a period, a measure name and a number, a few hundred bytes
 * even with other columns beside them, so 1 MiB is generous, and it bounds
 * the memory a file without line ends (/dev/zero) or a quote never closed
 * can take. docs/store-format.md states it. */
#define OC__IMPORT_MAX_ROW_BYTES (1024 * 1024)

/* A "measure=text" setting, or "text" for every measure (measure NULL). */
typedef struct oc__import_setting {
    const char *measure;  /* borrowed */
    const char *text;     /* borrowed */
} oc__import_setting;

typedef struct oc__import_options {
    const oc__import_setting *units;      /* borrowed, units_count entries */
    size_t units_count;
    const oc__import_setting *long_names; /* borrowed */
    size_t long_name_count;
    const char *source;                   /* borrowed, may be NULL */
    int academic_years;                   /* "2016/17" is an academic year */
    int skip_bad_rows;                    /* write the good rows anyway */
} oc__import_options;

typedef struct oc__import_summary {
    size_t rows;          /* data rows read (not the header) */
    size_t values;        /* numbers stored */
    size_t suppressed;    /* x, c, .., *, - or empty: stored as NaN */
    size_t bad_rows;      /* reported (and skipped when asked) */
    size_t frames;
    size_t measures;
    size_t areas;         /* distinct area codes */
    int output_failed;    /* the input was good; writing the store failed */
} oc__import_summary;

/* Called once per bad row or other problem, with one line such as
 * "data.csv:12: 'abc' is not a number". */
typedef void (*oc__import_report)(void *context, const char *message);

/* Reads csv_path, which must be a regular file, and writes store_path
 * atomically. When the input has bad rows, reports each and writes nothing
 * (returns OC_ERROR_FORMAT), unless options->skip_bad_rows. summary
 * (caller-owned) is filled either way. Statuses: OC_ERROR_NOT_FOUND /
 * OC_ERROR_IO (cannot read csv_path, or it is a FIFO, a device or a
 * directory), OC_ERROR_FORMAT (bad input), OC_ERROR_NO_MEMORY; a failure
 * to write store_path (its directory missing, a full disk) returns the
 * writer's status with summary->output_failed set. */
int oc__import_csv(const char *csv_path, const char *store_path,
                   const oc__import_options *options, oc__import_summary *summary,
                   oc__import_report report, void *context, oc_error *error);

#endif
