/* direct_writer.c: blocks written past the page cache by a thread; see
 * direct_writer.h. */
#define _GNU_SOURCE /* O_DIRECT, MADV_HUGEPAGE */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "direct_writer.h"

/* Blocks start on a huge page's boundary: O_DIRECT needs the memory
 * aligned (to 512 or 4,096 bytes), and a block in huge pages costs the
 * kernel one page to pin per 2 MiB instead of 512. */
#define BLOCK_ALIGNMENT ((size_t)2 * 1024 * 1024)

struct oc__direct_writer {
    int fd;
    int direct;                        /* fd is in O_DIRECT mode */
    char *blocks[OC__DIRECT_BLOCKS];   /* owned */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;            /* signalled on every change below */
    /* Under lock (handed is changed only by the host, which may read it
     * without): */
    size_t handed;                     /* blocks handed over so far; the one
                                          being filled is number `handed` */
    size_t written;                    /* of those, blocks the thread is done with */
    int started;                       /* the thread is in write_blocks */
    int stopping;
    int failure;                       /* errno of the first failed write, or 0 */
    /* The host's alone: */
    int spent;
};

static int write_fully(int fd, const char *data, size_t length, long long offset)
{
    while (length > 0) {
        ssize_t written = pwrite(fd, data, length, (off_t)offset);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return written < 0 ? errno : EIO;
        data += written;
        length -= (size_t)written;
        offset += written;
    }
    return 0;
}

/* Turns O_DIRECT off: 0, or errno. */
static int leave_direct_mode(oc__direct_writer *writer)
{
    if (!writer->direct)
        return 0;
    int flags = fcntl(writer->fd, F_GETFL);
    if (flags < 0 || fcntl(writer->fd, F_SETFL, flags & ~O_DIRECT) != 0)
        return errno;
    writer->direct = 0;
    return 0;
}

/* One block to its place in the file. A file system may accept O_DIRECT
 * at fcntl and still refuse the write (EINVAL for an alignment it does
 * not take): the block is then written the ordinary way, and so is every
 * later one. */
static int write_block(oc__direct_writer *writer, size_t index)
{
    const char *data = writer->blocks[index % OC__DIRECT_BLOCKS];
    long long offset = (long long)index * (long long)OC__DIRECT_BLOCK_SIZE;
    int failure = write_fully(writer->fd, data, OC__DIRECT_BLOCK_SIZE, offset);
    if (failure == EINVAL && writer->direct && (failure = leave_direct_mode(writer)) == 0)
        failure = write_fully(writer->fd, data, OC__DIRECT_BLOCK_SIZE, offset);
    return failure;
}

static void *write_blocks(void *argument)
{
    oc__direct_writer *writer = argument;
    pthread_mutex_lock(&writer->lock);
    writer->started = 1;
    pthread_cond_broadcast(&writer->changed);
    for (;;) {
        while (writer->written == writer->handed && !writer->stopping)
            pthread_cond_wait(&writer->changed, &writer->lock);
        if (writer->written == writer->handed)
            break; /* stopping, and nothing left */
        size_t index = writer->written;
        int failed = writer->failure != 0;
        pthread_mutex_unlock(&writer->lock);
        /* After a failure the rest are only counted, so nobody waits for
         * a block that will never be written. */
        int failure = failed ? 0 : write_block(writer, index);
        pthread_mutex_lock(&writer->lock);
        if (failure != 0 && writer->failure == 0)
            writer->failure = failure;
        writer->written++;
        pthread_cond_broadcast(&writer->changed);
    }
    pthread_mutex_unlock(&writer->lock);
    return NULL;
}

static void free_blocks(oc__direct_writer *writer)
{
    for (size_t i = 0; i < OC__DIRECT_BLOCKS; i++)
        free(writer->blocks[i]);
}

int oc__direct_writer_start(int fd, oc__direct_writer **writer)
{
    *writer = NULL;
    struct stat status;
    if (fstat(fd, &status) != 0)
        return errno;
    if (!S_ISREG(status.st_mode))
        return ENOTSUP;
    oc__direct_writer *created = calloc(1, sizeof *created);
    if (created == NULL)
        return ENOMEM;
    created->fd = fd;
    size_t size = (OC__DIRECT_BLOCK_SIZE + OC__DIRECT_SLACK + BLOCK_ALIGNMENT - 1)
                  / BLOCK_ALIGNMENT * BLOCK_ALIGNMENT;
    for (size_t i = 0; i < OC__DIRECT_BLOCKS; i++) {
        void *block;
        if (posix_memalign(&block, BLOCK_ALIGNMENT, size) != 0) {
            free_blocks(created);
            free(created);
            return ENOMEM;
        }
#ifdef MADV_HUGEPAGE
        madvise(block, size, MADV_HUGEPAGE); /* only advice: fine if refused */
#endif
#ifdef MADV_DONTFORK
        /* The host forks workers while it writes; each fork would mark
         * these pages copy-on-write, and the host's next write to each, or
         * the kernel pinning it for the disk, would fault and copy it:
         * some 70 ms of a national run. No child needs them. */
        madvise(block, size, MADV_DONTFORK);
#endif
        created->blocks[i] = block;
    }
    /* Without O_DIRECT (a file system that refuses it) the thread still
     * spares the host the waiting, if not the copying. */
    int flags = fcntl(fd, F_GETFL);
    created->direct = flags >= 0 && fcntl(fd, F_SETFL, flags | O_DIRECT) == 0;
    int failure = pthread_mutex_init(&created->lock, NULL);
    if (failure == 0 && (failure = pthread_cond_init(&created->changed, NULL)) != 0)
        pthread_mutex_destroy(&created->lock);
    if (failure == 0
        && (failure = pthread_create(&created->thread, NULL, write_blocks, created)) != 0) {
        pthread_cond_destroy(&created->changed);
        pthread_mutex_destroy(&created->lock);
    }
    if (failure == 0) {
        /* The host forks workers next. A thread still starting may hold a
         * lock of the C library's or of a sanitizer's allocator (glibc
         * guards fork against its own, AddressSanitizer's runtime does
         * not), and a child forked then would wait for it for ever in its
         * first malloc. Once the thread is in write_blocks it takes no
         * such lock until it exits, after the last fork. */
        pthread_mutex_lock(&created->lock);
        while (!created->started)
            pthread_cond_wait(&created->changed, &created->lock);
        pthread_mutex_unlock(&created->lock);
    }
    if (failure != 0) {
        leave_direct_mode(created);
        free_blocks(created);
        free(created);
        return failure;
    }
    *writer = created;
    return 0;
}

char *oc__direct_writer_block(oc__direct_writer *writer)
{
    return writer->blocks[writer->handed % OC__DIRECT_BLOCKS];
}

char *oc__direct_writer_submit(oc__direct_writer *writer, size_t carried)
{
    size_t next = writer->handed + 1;
    pthread_mutex_lock(&writer->lock);
    /* The next block is free once the one OC__DIRECT_BLOCKS before it is
     * written. */
    while (writer->written + OC__DIRECT_BLOCKS <= next && writer->failure == 0)
        pthread_cond_wait(&writer->changed, &writer->lock);
    int failed = writer->failure != 0;
    pthread_mutex_unlock(&writer->lock);
    if (failed)
        return NULL;
    char *block = writer->blocks[next % OC__DIRECT_BLOCKS];
    memcpy(block, oc__direct_writer_block(writer) + OC__DIRECT_BLOCK_SIZE, carried);
    pthread_mutex_lock(&writer->lock);
    writer->handed = next;
    pthread_cond_broadcast(&writer->changed);
    pthread_mutex_unlock(&writer->lock);
    return block;
}

/* Waits for the thread to finish every block handed over, and stops it. */
static void stop(oc__direct_writer *writer)
{
    if (writer->spent)
        return;
    pthread_mutex_lock(&writer->lock);
    writer->stopping = 1;
    pthread_cond_broadcast(&writer->changed);
    pthread_mutex_unlock(&writer->lock);
    pthread_join(writer->thread, NULL);
    writer->spent = 1;
}

int oc__direct_writer_finish(oc__direct_writer *writer, size_t length)
{
    stop(writer);
    int failure = writer->failure;
    int ordinary = leave_direct_mode(writer);
    long long end = (long long)writer->handed * (long long)OC__DIRECT_BLOCK_SIZE;
    if (failure == 0)
        failure = ordinary;
    if (failure == 0)
        failure = write_fully(writer->fd, oc__direct_writer_block(writer), length, end);
    if (failure == 0 && lseek(writer->fd, (off_t)(end + (long long)length), SEEK_SET) < 0)
        failure = errno;
    return failure;
}

void oc__direct_writer_free(oc__direct_writer *writer)
{
    if (writer == NULL)
        return;
    stop(writer);
    leave_direct_mode(writer);
    pthread_cond_destroy(&writer->changed);
    pthread_mutex_destroy(&writer->lock);
    free_blocks(writer);
    free(writer);
}
