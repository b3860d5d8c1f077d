/* manifest.c: the run description printed beside the results; see manifest.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "manifest.h"

/* Large enough that hashing a multi-gigabyte store is I/O bound, small
 * enough to live on the stack. */
#define HASH_BLOCK_SIZE 65536
/* How much of a file is mapped at once: the mapped pages count in the
 * process's resident memory until unmapped, which must not grow with the
 * store; the cost of mapping falls below noise well before this (a
 * national store hashed in 2, 8 or 116 MiB at a time took the same CPU). */
#define HASH_WINDOW_SIZE ((size_t)4 << 20)

static void finish_hex(struct sha256_ctx *context, char hex[OC_SHA256_HEX_SIZE])
{
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(context, sizeof digest, digest);
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof digest; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

int oc__sha256_file(const char *path, char hex[OC_SHA256_HEX_SIZE], oc_error *error)
{
    FILE *stream = fopen(path, "rb");
    if (stream == NULL)
        return oc_error_set(error, errno == ENOENT ? OC_ERROR_NOT_FOUND : OC_ERROR_IO,
                            "%s: cannot open for hashing: %s", path, strerror(errno));
    struct sha256_ctx context;
    sha256_init(&context);
    unsigned char block[HASH_BLOCK_SIZE];
    size_t length;
    while ((length = fread(block, 1, sizeof block, stream)) > 0)
        sha256_update(&context, length, block);
    if (ferror(stream)) {
        int saved = errno;
        fclose(stream);
        return oc_error_set(error, OC_ERROR_IO, "%s: read error while hashing: %s", path,
                            strerror(saved));
    }
    fclose(stream);
    finish_hex(&context, hex);
    return OC_OK;
}

int oc__sha256_file_mapped(const char *path, char hex[OC_SHA256_HEX_SIZE], oc_error *error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat status;
    if (fd < 0 || fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size <= 0) {
        if (fd >= 0)
            close(fd);
        return oc__sha256_file(path, hex, error);
    }
    size_t length = (size_t)status.st_size;
    struct sha256_ctx context;
    sha256_init(&context);
    for (size_t offset = 0; offset < length; offset += HASH_WINDOW_SIZE) {
        size_t part = length - offset < HASH_WINDOW_SIZE ? length - offset : HASH_WINDOW_SIZE;
        void *mapped = mmap(NULL, part, PROT_READ, MAP_PRIVATE, fd, (off_t)offset);
        if (mapped == MAP_FAILED) {
            close(fd);
            return oc__sha256_file(path, hex, error);
        }
        (void)madvise(mapped, part, MADV_SEQUENTIAL);
        sha256_update(&context, part, mapped);
        munmap(mapped, part);
    }
    close(fd);
    finish_hex(&context, hex);
    return OC_OK;
}

int oc__format_utc_timestamp(time_t when, char timestamp[OC_TIMESTAMP_SIZE], oc_error *error)
{
    struct tm broken_down;
    if (gmtime_r(&when, &broken_down) == NULL
        || strftime(timestamp, OC_TIMESTAMP_SIZE, "%Y-%m-%dT%H:%M:%SZ", &broken_down) == 0) {
        timestamp[0] = '\0';
        return oc_error_set(error, OC_ERROR_INVALID, "time %lld cannot be written as a UTC date",
                            (long long)when);
    }
    return OC_OK;
}

static int out_of_memory(oc_error *error)
{
    return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while recording the run manifest");
}

int oc__manifest_create(oc__manifest **manifest, time_t started, oc_error *error)
{
    *manifest = NULL;
    oc__manifest *created = calloc(1, sizeof *created);
    if (created == NULL)
        return out_of_memory(error);
    int status = oc__format_utc_timestamp(started, created->started_at, error);
    if (status != OC_OK) {
        free(created);
        return status;
    }
    created->outcomes_version = strdup(oc_version());
    if (created->outcomes_version == NULL) {
        free(created);
        return out_of_memory(error);
    }
    *manifest = created;
    return OC_OK;
}

void oc__manifest_free(oc__manifest *manifest)
{
    if (manifest == NULL)
        return;
    free(manifest->outcomes_version);
    free(manifest->configuration.path);
    for (size_t i = 0; i < manifest->store_count; i++)
        free(manifest->stores[i].path);
    free(manifest->stores);
    for (size_t i = 0; i < manifest->plugin_count; i++) {
        free(manifest->plugins[i].name);
        free(manifest->plugins[i].version);
    }
    free(manifest->plugins);
    for (size_t i = 0; i < manifest->metric_count; i++)
        free(manifest->metrics[i].name);
    free(manifest->metrics);
    free(manifest->period_requested);
    for (size_t i = 0; i < manifest->period_used_count; i++)
        free(manifest->periods_used[i]);
    free(manifest->periods_used);
    free(manifest);
}

int oc__manifest_set_configuration(oc__manifest *manifest, const char *path, oc_error *error)
{
    char hex[OC_SHA256_HEX_SIZE];
    int status = oc__sha256_file(path, hex, error);
    if (status != OC_OK)
        return status;
    char *copy = strdup(path);
    if (copy == NULL)
        return out_of_memory(error);
    free(manifest->configuration.path);
    manifest->configuration.path = copy;
    memcpy(manifest->configuration.sha256, hex, sizeof hex);
    return OC_OK;
}

int oc__manifest_add_store(oc__manifest *manifest, const char *path, oc_error *error)
{
    char hex[OC_SHA256_HEX_SIZE];
    int status = oc__sha256_file(path, hex, error);
    if (status != OC_OK)
        return status;
    return oc__manifest_add_store_digest(manifest, path, hex, error);
}

int oc__manifest_add_store_digest(oc__manifest *manifest, const char *path,
                                  const char hex[OC_SHA256_HEX_SIZE], oc_error *error)
{
    for (size_t i = 0; i < manifest->store_count; i++)
        if (strcmp(manifest->stores[i].path, path) == 0) {
            memcpy(manifest->stores[i].sha256, hex, OC_SHA256_HEX_SIZE);
            return OC_OK;
        }
    oc__manifest_file *stores = realloc(manifest->stores,
                                        (manifest->store_count + 1) * sizeof *stores);
    if (stores == NULL)
        return out_of_memory(error);
    manifest->stores = stores;
    char *copy = strdup(path);
    if (copy == NULL)
        return out_of_memory(error);
    stores[manifest->store_count].path = copy;
    memcpy(stores[manifest->store_count].sha256, hex, OC_SHA256_HEX_SIZE);
    manifest->store_count++;
    return OC_OK;
}

int oc__manifest_add_plugin(oc__manifest *manifest, const char *name, const char *version,
                            oc_error *error)
{
    for (size_t i = 0; i < manifest->plugin_count; i++)
        if (strcmp(manifest->plugins[i].name, name) == 0)
            return OC_OK;
    oc__manifest_plugin *plugins = realloc(manifest->plugins,
                                           (manifest->plugin_count + 1) * sizeof *plugins);
    if (plugins == NULL)
        return out_of_memory(error);
    manifest->plugins = plugins;
    char *name_copy = strdup(name);
    char *version_copy = version != NULL ? strdup(version) : NULL;
    if (name_copy == NULL || (version != NULL && version_copy == NULL)) {
        free(name_copy);
        free(version_copy);
        return out_of_memory(error);
    }
    plugins[manifest->plugin_count].name = name_copy;
    plugins[manifest->plugin_count].version = version_copy;
    manifest->plugin_count++;
    return OC_OK;
}

int oc__manifest_add_metric(oc__manifest *manifest, const char *name, double confidence,
                            oc__frequency frequency, oc_error *error)
{
    oc__manifest_metric *metrics = realloc(manifest->metrics,
                                           (manifest->metric_count + 1) * sizeof *metrics);
    if (metrics == NULL)
        return out_of_memory(error);
    manifest->metrics = metrics;
    char *name_copy = strdup(name);
    if (name_copy == NULL)
        return out_of_memory(error);
    metrics[manifest->metric_count].name = name_copy;
    metrics[manifest->metric_count].confidence = confidence;
    metrics[manifest->metric_count].frequency = frequency;
    manifest->metric_count++;
    return OC_OK;
}

double oc__manifest_common_confidence(const oc__manifest *manifest)
{
    if (manifest == NULL || manifest->metric_count == 0)
        return NAN;
    for (size_t i = 1; i < manifest->metric_count; i++)
        if (manifest->metrics[i].confidence != manifest->metrics[0].confidence)
            return NAN;
    return manifest->metrics[0].confidence;
}

int oc__manifest_set_period_requested(oc__manifest *manifest, const char *period,
                                      oc_error *error)
{
    char *copy = NULL;
    if (period != NULL && (copy = strdup(period)) == NULL)
        return out_of_memory(error);
    free(manifest->period_requested);
    manifest->period_requested = copy;
    return OC_OK;
}

int oc__manifest_add_period_used(oc__manifest *manifest, const char *period, oc_error *error)
{
    /* ISO dates sort as strings, so insertion keeps the list chronological. */
    size_t position = 0;
    while (position < manifest->period_used_count) {
        int order = strcmp(manifest->periods_used[position], period);
        if (order == 0)
            return OC_OK;
        if (order > 0)
            break;
        position++;
    }
    char **periods = realloc(manifest->periods_used,
                             (manifest->period_used_count + 1) * sizeof *periods);
    if (periods == NULL)
        return out_of_memory(error);
    manifest->periods_used = periods;
    char *copy = strdup(period);
    if (copy == NULL)
        return out_of_memory(error);
    memmove(&periods[position + 1], &periods[position],
            (manifest->period_used_count - position) * sizeof *periods);
    periods[position] = copy;
    manifest->period_used_count++;
    return OC_OK;
}

/* A job's results share their plugin and mostly their period, and the
 * host's views of them repeat a string by repeating its address
 * (core/wire.h): a string at the address just added is not looked up
 * again (two string comparisons a result were 3% of the host's work). */
int oc__manifest_add_results(oc__manifest *manifest, const oc__result_list *results,
                             oc_error *error)
{
    const char *plugin_added = NULL, *version_added = NULL, *period_added = NULL;
    for (size_t i = 0; i < results->count; i++) {
        const oc__result *result = &results->items[i];
        int status = OC_OK;
        if (result->plugin != NULL
            && (result->plugin != plugin_added || result->plugin_version != version_added)) {
            status = oc__manifest_add_plugin(manifest, result->plugin, result->plugin_version,
                                             error);
            plugin_added = result->plugin;
            version_added = result->plugin_version;
        }
        if (status == OC_OK && result->period != NULL && result->period != period_added) {
            status = oc__manifest_add_period_used(manifest, result->period, error);
            period_added = result->period;
        }
        if (status != OC_OK)
            return status;
    }
    return OC_OK;
}
