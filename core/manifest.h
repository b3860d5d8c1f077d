/*
 * manifest.h: the description of one run that travels with its results, so
 * that a reader months later can tell exactly what produced them: when the
 * run started, which outcomes version ran, the SHA-256 of the configuration
 * and of every store read, the plugins (with versions) that computed the
 * numbers, and the evaluation period asked for and the periods actually
 * used. The JSON writer prints it as the "run" object (docs/results.md).
 *
 * Ownership: oc__manifest_create allocates the manifest; every string and
 * array in it is owned by it and freed by oc__manifest_free. Functions that
 * take strings copy them; the caller keeps its own.
 */
#ifndef OC_MANIFEST_H
#define OC_MANIFEST_H

#include <stddef.h>
#include <time.h>

#include <outcomes/common.h>

#include "period.h"
#include "result.h"

/* Hex digits of a SHA-256 digest plus the terminating NUL. */
#define OC_SHA256_HEX_SIZE 65

/* "2016-11-01T09:30:00Z" plus NUL. */
#define OC_TIMESTAMP_SIZE 21

typedef struct oc__manifest_file {
    char *path;                        /* as given on the command line / in the configuration */
    char sha256[OC_SHA256_HEX_SIZE];   /* lower-case hex */
} oc__manifest_file;

typedef struct oc__manifest_plugin {
    char *name;
    char *version;                     /* may be NULL when the plugin gave none */
} oc__manifest_plugin;

typedef struct oc__manifest_metric {
    char *name;                        /* the configuration's section */
    double confidence;                 /* the intervals' level in percent: 95 or 99.8 */
    oc__frequency frequency;           /* its frame's periods; NONE when the store does
                                          not say (the table then prints dates) */
} oc__manifest_metric;

typedef struct oc__manifest {
    char started_at[OC_TIMESTAMP_SIZE]; /* UTC, ISO 8601 */
    char *outcomes_version;             /* oc_version() at creation */
    oc__manifest_file configuration;    /* path NULL until set */
    oc__manifest_file *stores;          /* store_count entries, in the order added */
    size_t store_count;
    oc__manifest_plugin *plugins;       /* plugin_count entries, unique names, in order added */
    size_t plugin_count;
    oc__manifest_metric *metrics;       /* metric_count entries, in the configuration's order */
    size_t metric_count;
    char *period_requested;             /* e.g. "latest" or "2016-11-01"; NULL when none */
    char **periods_used;                /* period_used_count distinct ISO dates, sorted */
    size_t period_used_count;
} oc__manifest;

/* Allocates an empty manifest started at `started` (pass time(NULL)) with
 * the running outcomes version. *manifest is set to the new manifest, which
 * the caller frees with oc__manifest_free. */
int oc__manifest_create(oc__manifest **manifest, time_t started, oc_error *error);

/* Frees the manifest and everything in it. NULL is allowed. */
void oc__manifest_free(oc__manifest *manifest);

/* Hashes the configuration file at path and records it (replacing any
 * earlier one). Errors name the file. */
int oc__manifest_set_configuration(oc__manifest *manifest, const char *path, oc_error *error);

/* Hashes a store file and appends it; a path already recorded is hashed
 * again and updated rather than listed twice. Errors name the file. */
int oc__manifest_add_store(oc__manifest *manifest, const char *path, oc_error *error);

/* The same with the digest already worked out (core/digest_worker.h). */
int oc__manifest_add_store_digest(oc__manifest *manifest, const char *path,
                                  const char hex[OC_SHA256_HEX_SIZE], oc_error *error);

/* Records a plugin; a name already recorded is not added again (its
 * version is kept). version may be NULL. */
int oc__manifest_add_plugin(oc__manifest *manifest, const char *name, const char *version,
                            oc_error *error);

/* Records a metric, the level of its confidence intervals (a reader of a
 * "95% CI" must be able to tell it from a 99.8% one) and the frequency of
 * its periods (the table names a financial year "2016/17", not by the
 * date it starts on). */
int oc__manifest_add_metric(oc__manifest *manifest, const char *name, double confidence,
                            oc__frequency frequency, oc_error *error);

/* The confidence level every metric shares, or NaN when they differ or
 * there are none. */
double oc__manifest_common_confidence(const oc__manifest *manifest);

/* Records the period the user asked for (free text such as "latest" or an
 * ISO date), replacing any earlier one. NULL clears it. */
int oc__manifest_set_period_requested(oc__manifest *manifest, const char *period,
                                      oc_error *error);

/* Records a period that results were computed for; duplicates are ignored
 * and the list is kept sorted. */
int oc__manifest_add_period_used(oc__manifest *manifest, const char *period, oc_error *error);

/* Adds the plugins (name, version) and periods used that appear in the
 * results, skipping NULL fields: what the run command calls once the
 * results are in. */
int oc__manifest_add_results(oc__manifest *manifest, const oc__result_list *results,
                             oc_error *error);

/* Formats a time as UTC ISO 8601, "2016-11-01T09:30:00Z". */
int oc__format_utc_timestamp(time_t when, char timestamp[OC_TIMESTAMP_SIZE], oc_error *error);

/* SHA-256 of the file at path, read in blocks, as lower-case hex. Errors
 * (cannot open, read error) name the file. */
int oc__sha256_file(const char *path, char hex[OC_SHA256_HEX_SIZE], oc_error *error);

/* The same digest, of a regular file mapped into memory a few MiB at a
 * time rather than read through a buffer: about 10% less CPU over a
 * national store (docs/performance-history.md), resident memory bounded.
 * For a child process only (core/digest_worker.c): a file truncated while
 * it is mapped kills the process with SIGBUS. Anything that cannot be
 * mapped (not a regular file, empty, mmap refused) is read as
 * oc__sha256_file reads it, with its errors. */
int oc__sha256_file_mapped(const char *path, char hex[OC_SHA256_HEX_SIZE], oc_error *error);

#endif
