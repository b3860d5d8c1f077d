/* arena.c: pieces cut from large blocks, freed all at once; see arena.h. */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Large enough that a national plan takes a few dozen blocks, small
 * enough that a plan of three areas wastes little. */
#define ARENA_BLOCK_SIZE (64 * 1024)
#define ARENA_ALIGNMENT alignof(max_align_t)

struct oc__arena_block {
    oc__arena_block *next;
    alignas(max_align_t) unsigned char data[];
};

static size_t round_up(size_t size)
{
    return (size + ARENA_ALIGNMENT - 1) & ~(size_t)(ARENA_ALIGNMENT - 1);
}

void *oc__arena_allocate(oc__arena *arena, size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size_t needed = OC__ARENA_PIECES_APART ? (size > 0 ? size : 1) : round_up(size > 0 ? size : 1);
    if (OC__ARENA_PIECES_APART || needed > ARENA_BLOCK_SIZE) {
        /* A block of its own, behind the newest, whose room stays in use. */
        oc__arena_block *block = malloc(sizeof *block + needed);
        if (block == NULL)
            return NULL;
        if (arena->blocks == NULL) {
            block->next = NULL;
            arena->blocks = block;
            arena->size = arena->used = needed;
        } else {
            block->next = arena->blocks->next;
            arena->blocks->next = block;
        }
        return block->data;
    }
    if (arena->blocks == NULL || arena->size - arena->used < needed) {
        oc__arena_block *block = malloc(sizeof *block + ARENA_BLOCK_SIZE);
        if (block == NULL)
            return NULL;
        block->next = arena->blocks;
        arena->blocks = block;
        arena->size = ARENA_BLOCK_SIZE;
        arena->used = 0;
    }
    void *piece = arena->blocks->data + arena->used;
    arena->used += needed;
    return piece;
}

char *oc__arena_copy_text(oc__arena *arena, const char *text)
{
    size_t length = strlen(text);
    char *copy = oc__arena_allocate(arena, length + 1);
    if (copy != NULL)
        memcpy(copy, text, length + 1);
    return copy;
}

void oc__arena_free(oc__arena *arena)
{
    oc__arena_block *block = arena->blocks;
    while (block != NULL) {
        oc__arena_block *next = block->next;
        free(block);
        block = next;
    }
    memset(arena, 0, sizeof *arena);
}
