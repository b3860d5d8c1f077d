/*
 * arena.h: memory for many small pieces that are all freed together.
 *
 * A plan over every small area in England names 32,844 areas per metric,
 * each with a code, a name and a member list: three mallocs an area, some
 * 400,000 a run, and as many frees at its end, while every core but the
 * host's was already idle (10 ms, plus 4 ms of malloc consolidating the
 * freed chunks). An arena takes them from a few large blocks and frees
 * the blocks.
 *
 * Ownership: the arena owns every piece it hands out; they stay valid,
 * and never move, until oc__arena_free. A zeroed struct is an empty arena.
 */
#ifndef OC_ARENA_H
#define OC_ARENA_H

#include <stddef.h>

/* Under AddressSanitizer every piece is an allocation of its own, of its
 * exact size, so that the sanitizer still sees a write past the end of
 * one (a unit's code or member list), as it did before plans used an
 * arena; 1 then, else 0. */
#if defined(__SANITIZE_ADDRESS__)
#define OC__ARENA_PIECES_APART 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OC__ARENA_PIECES_APART 1
#endif
#endif
#ifndef OC__ARENA_PIECES_APART
#define OC__ARENA_PIECES_APART 0
#endif

typedef struct oc__arena_block oc__arena_block;

typedef struct oc__arena {
    oc__arena_block *blocks; /* newest first */
    size_t used;             /* bytes used of the newest block */
    size_t size;             /* bytes the newest block holds */
} oc__arena;

/* size bytes aligned for any object (max_align_t); NULL when out of memory
 * (or for a size so large the block's size would overflow). Zero bytes
 * give a valid, distinct piece. */
void *oc__arena_allocate(oc__arena *arena, size_t size);

/* A copy of text in the arena; NULL when out of memory. */
char *oc__arena_copy_text(oc__arena *arena, const char *text);

/* Frees every piece; the arena is empty again and may be reused. */
void oc__arena_free(oc__arena *arena);

#endif
