/*
 * direct_writer.h: a large output file written past the page cache, by a
 * thread of its own.
 *
 * A national run writes some 300 MB of results, and written the ordinary
 * way each byte is first copied into the page cache: 0.1 to 0.2 s of the
 * host's own CPU (and more when the kernel must first reclaim cache),
 * which is time the jobs of `--jobs 2` cannot use. Written with O_DIRECT
 * from large aligned blocks, the disk takes the bytes straight from the
 * host's memory, for about a tenth of that CPU. But such a write returns
 * only once the disk has the data; a thread does the waiting, so that the
 * host goes on formatting the next block meanwhile.
 *
 * The caller fills one block at a time (OC__DIRECT_BLOCK_SIZE bytes, plus
 * slack for the piece that crosses its end) and hands each over whole;
 * the writer keeps OC__DIRECT_BLOCKS blocks, so the host waits only when
 * the disk is slower than the formatting. Where the file system refuses
 * O_DIRECT the same thread writes the ordinary way.
 *
 * Not for use after fork in the child: the thread exists only in the
 * process that started it.
 */
#ifndef OC_DIRECT_WRITER_H
#define OC_DIRECT_WRITER_H

#include <stddef.h>

#define OC__DIRECT_BLOCK_SIZE ((size_t)4 * 1024 * 1024)
#define OC__DIRECT_SLACK ((size_t)64 * 1024)
#define OC__DIRECT_BLOCKS 3

typedef struct oc__direct_writer oc__direct_writer;

/* Starts a writer for fd, which must be a regular file open for writing
 * with nothing written yet (the writer writes from offset 0 and leaves fd's
 * own offset alone until oc__direct_writer_finish). 0 with *writer set,
 * to be freed by oc__direct_writer_free; otherwise an errno value
 * (ENOTSUP for anything but a regular file) with *writer NULL, and the
 * caller writes the ordinary way. It returns only once the writer's thread
 * has started, so the caller may fork at once: a child forked while a
 * thread starts can find an allocator lock held for ever. */
int oc__direct_writer_start(int fd, oc__direct_writer **writer);

/* The block to fill: OC__DIRECT_BLOCK_SIZE + OC__DIRECT_SLACK bytes,
 * owned by the writer, valid until the next submit or finish. */
char *oc__direct_writer_block(oc__direct_writer *writer);

/* Hands the current block's first OC__DIRECT_BLOCK_SIZE bytes to the
 * thread and makes a free block current, the `carried` bytes past the old
 * block's end (at most OC__DIRECT_SLACK) copied to its start; waits while
 * every other block is still being written. Returns the new block, or
 * NULL once a write has failed: the failure is then reported by
 * oc__direct_writer_finish, and the caller stops writing. */
char *oc__direct_writer_submit(oc__direct_writer *writer, size_t carried);

/* Waits for every block handed over, writes the current block's first
 * length bytes the ordinary way after them, and puts fd's offset at the
 * end of the data and fd back in its ordinary mode, so that the caller
 * can write on. 0, or the errno of the first failed write (nothing more
 * is written after one). The writer is spent afterwards: only
 * oc__direct_writer_free remains. */
int oc__direct_writer_finish(oc__direct_writer *writer, size_t length);

/* Stops the thread (after the block it is writing) and frees the writer.
 * NULL is allowed. */
void oc__direct_writer_free(oc__direct_writer *writer);

#endif
