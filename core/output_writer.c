/* output_writer.c: JSON and CSV written result by result, so that a run
 * can write each job's results as soon as they are final (overlapping the
 * writing with the evaluation) and need not hold them all; and the same
 * writer into a file that appears only when complete. */
#define _GNU_SOURCE /* sync_file_range */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "output.h"

/* The table's column widths depend on every result: it cannot be written
 * before the last one is known. */
static int streamable(oc__output_format format, oc_error *error)
{
    if (format == OC_OUTPUT_JSON || format == OC_OUTPUT_CSV)
        return 1;
    oc_error_set(error, OC_ERROR_INVALID, "the %s format is written all at once, not result by result",
                 oc__output_format_name(format));
    return 0;
}

/* bypass_cache: the stream is a new file of the writer's own (see
 * oc__output_buffer_bypass_cache). */
static int begin(FILE *stream, oc__output_format format, int bypass_cache,
                 oc__output_writer **writer, oc_error *error)
{
    *writer = NULL;
    if (!streamable(format, error))
        return OC_ERROR_INVALID;
    oc__output_writer *created = calloc(1, sizeof *created);
    if (created == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    created->format = format;
    oc__output_buffer_init(&created->buffer, stream);
    if (bypass_cache)
        oc__output_buffer_bypass_cache(&created->buffer);
    int status = format == OC_OUTPUT_JSON ? oc__output_json_begin(created, error)
                                          : oc__output_csv_begin(created, error);
    if (status != OC_OK) {
        oc__output_writer_free(created);
        return status;
    }
    *writer = created;
    return OC_OK;
}

int oc__output_writer_begin(FILE *stream, oc__output_format format, oc__output_writer **writer,
                            oc_error *error)
{
    return begin(stream, format, 0, writer, error);
}

int oc__output_writer_add(oc__output_writer *writer, const oc__result_list *results,
                          oc_error *error)
{
    for (size_t i = 0; i < oc__output_column_count; i++)
        oc__output_cache_forget_addresses(&writer->caches[i]);
    for (size_t i = 0; i < results->count; i++) {
        int status = writer->format == OC_OUTPUT_JSON
                         ? oc__output_json_add(writer, &results->items[i], error)
                         : oc__output_csv_add(writer, &results->items[i], error);
        if (status != OC_OK)
            return status;
        writer->written++;
    }
    /* A failed write of an earlier block is reported now, not at the end. */
    if (writer->buffer.out_of_memory || writer->buffer.write_failed)
        return oc__output_buffer_flush(&writer->buffer,
                                       writer->format == OC_OUTPUT_JSON ? "JSON" : "CSV", error);
    return OC_OK;
}

int oc__output_writer_end(oc__output_writer *writer, const oc__manifest *manifest,
                          oc_error *error)
{
    int status = writer->format == OC_OUTPUT_JSON
                     ? oc__output_json_end(writer, manifest, error)
                     : oc__output_buffer_flush(&writer->buffer, "CSV", error);
    oc__output_writer_free(writer);
    return status;
}

void oc__output_writer_free(oc__output_writer *writer)
{
    if (writer == NULL)
        return;
    oc__output_buffer_free(&writer->buffer);
    for (size_t i = 0; i < OC_OUTPUT_MAX_COLUMNS; i++)
        oc__output_cache_free(&writer->caches[i]);
    free(writer);
}

/* ---- into a file, atomically ---- */

struct oc__output_file_writer {
    oc__atomic_file file;
    oc__output_writer *writer;
    long long handed_to_disk;   /* bytes whose write-back has been started */
};

/* The commit fsyncs the file (results must survive a crash) and a national
 * run writes some 300 MB: left to the end, the fsync alone took 0.2 s of
 * an otherwise finished run. Every so often the data written so far is
 * handed to the disk without waiting (Linux's sync_file_range), so the
 * final fsync finds little left to do. Only a hint: the fsync still
 * decides, and reports any failure. */
#define WRITE_BACK_STEP (16LL * 1024 * 1024)

static void start_write_back(oc__output_file_writer *writer)
{
#ifdef SYNC_FILE_RANGE_WRITE
    if (writer->writer->buffer.direct != NULL)
        return; /* written past the cache: on the disk already */
    FILE *stream = writer->file.stream;
    long long written = ftello(stream);
    if (written < writer->handed_to_disk + WRITE_BACK_STEP || fflush(stream) != 0)
        return;
    sync_file_range(fileno(stream), writer->handed_to_disk, written - writer->handed_to_disk,
                    SYNC_FILE_RANGE_WRITE);
    writer->handed_to_disk = written;
#else
    (void)writer;
#endif
}

/* "path: reason" for an error of the writer. */
static int name_file(const oc__output_file_writer *writer, int status, const oc_error *cause,
                     oc_error *error)
{
    return oc_error_set(error, status, "%s: %s", writer->file.target_path, cause->message);
}

int oc__output_file_writer_begin(const char *path, oc__output_format format,
                                 oc__output_file_writer **writer, oc_error *error)
{
    *writer = NULL;
    if (!streamable(format, error))
        return OC_ERROR_INVALID;
    oc__output_file_writer *created = calloc(1, sizeof *created);
    if (created == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    int status = oc__atomic_file_begin(&created->file, path, error);
    if (status != OC_OK) {
        free(created);
        return status;
    }
    oc_error cause;
    /* A file of results, perhaps hundreds of megabytes that only the
     * final fsync needs on disk: written past the page cache. */
    status = begin(created->file.stream, format, 1, &created->writer, &cause);
    if (status != OC_OK) {
        name_file(created, status, &cause, error);
        oc__output_file_writer_abort(created);
        return status;
    }
    *writer = created;
    return OC_OK;
}

int oc__output_file_writer_add(oc__output_file_writer *writer, const oc__result_list *results,
                               oc_error *error)
{
    oc_error cause;
    int status = oc__output_writer_add(writer->writer, results, &cause);
    if (status != OC_OK)
        return name_file(writer, status, &cause, error);
    start_write_back(writer);
    return OC_OK;
}

int oc__output_file_writer_commit(oc__output_file_writer *writer, const oc__manifest *manifest,
                                  oc_error *error)
{
    oc_error cause;
    int status = oc__output_writer_end(writer->writer, manifest, &cause);
    writer->writer = NULL;
    if (status != OC_OK) {
        name_file(writer, status, &cause, error);
        oc__output_file_writer_abort(writer);
        return status;
    }
    status = oc__atomic_file_commit(&writer->file, error);
    free(writer);
    return status;
}

void oc__output_file_writer_abort(oc__output_file_writer *writer)
{
    if (writer == NULL)
        return;
    oc__output_writer_free(writer->writer);
    oc__atomic_file_abort(&writer->file);
    free(writer);
}
