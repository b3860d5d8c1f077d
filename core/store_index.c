/* store_index.c: a hash index from area code to position, so that finding
 * one of a national store's 33,000 areas (or spotting a duplicate code
 * while loading, writing or importing) is not a linear scan. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static uint64_t hash_text(const char *text)
{
    /* FNV-1a, 64-bit. */
    uint64_t hash = 14695981039346656037u;
    for (const unsigned char *cursor = (const unsigned char *)text; *cursor; cursor++) {
        hash ^= *cursor;
        hash *= 1099511628211u;
    }
    return hash;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const oc__store_index *index, const char *const *strings, const char *key)
{
    size_t mask = index->capacity - 1;
    size_t slot = (size_t)hash_text(key) & mask;
    while (index->slots[slot] != 0 && strcmp(strings[index->slots[slot] - 1], key) != 0)
        slot = (slot + 1) & mask;
    return slot;
}

/* Moves every entry into a table of capacity slots (a power of two). */
static int rehash(oc__store_index *index, const char *const *strings, size_t capacity)
{
    size_t *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return OC_ERROR_NO_MEMORY;
    oc__store_index larger = {slots, capacity, index->count};
    for (size_t i = 0; i < index->capacity; i++)
        if (index->slots[i] != 0)
            slots[probe(&larger, strings, strings[index->slots[i] - 1])] = index->slots[i];
    free(index->slots);
    *index = larger;
    return OC_OK;
}

static int grow(oc__store_index *index, const char *const *strings)
{
    return rehash(index, strings, index->capacity ? index->capacity * 2 : 64);
}

int oc__store_index_reserve(oc__store_index *index, const char *const *strings, size_t count)
{
    size_t capacity = index->capacity ? index->capacity : 64;
    while ((count + 1) * 2 > capacity) {
        if (capacity > SIZE_MAX / 2 / sizeof(size_t))
            return OC_ERROR_NO_MEMORY;
        capacity *= 2;
    }
    return capacity == index->capacity ? OC_OK : rehash(index, strings, capacity);
}

int oc__store_index_add(oc__store_index *index, const char *const *strings, size_t position,
                        size_t *existing)
{
    /* Keep the load under one half so probes stay short. */
    if ((index->count + 1) * 2 > index->capacity && grow(index, strings) != OC_OK)
        return OC_ERROR_NO_MEMORY;
    size_t slot = probe(index, strings, strings[position]);
    if (index->slots[slot] != 0) {
        *existing = index->slots[slot] - 1;
        return OC_OK;
    }
    index->slots[slot] = position + 1;
    index->count++;
    *existing = OC__STORE_NO_INDEX;
    return OC_OK;
}

size_t oc__store_index_find(const oc__store_index *index, const char *const *strings,
                            const char *key)
{
    if (index->capacity == 0 || key == NULL)
        return OC__STORE_NO_INDEX;
    size_t slot = probe(index, strings, key);
    return index->slots[slot] ? index->slots[slot] - 1 : OC__STORE_NO_INDEX;
}

void oc__store_index_free(oc__store_index *index)
{
    free(index->slots);
    memset(index, 0, sizeof *index);
}
