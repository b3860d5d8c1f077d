/* result.c: lifetime of result records; see result.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <outcomes/common.h>

#include "result.h"

void oc__result_init(oc__result *result)
{
    memset(result, 0, sizeof *result);
#define SET_NAN(member) result->member = NAN;
#define NOTHING(member)
    OC__RESULT_FIELDS(NOTHING, SET_NAN, NOTHING)
#undef SET_NAN
#undef NOTHING
    result->status = OC_RESULT_OK;
}

/* Every string field of result, in the documented order. */
static void string_fields(oc__result *result, char **fields[OC__RESULT_STRING_COUNT])
{
    size_t i = 0;
#define ADDRESS(member) fields[i++] = &result->member;
#define NOTHING(member)
    OC__RESULT_FIELDS(ADDRESS, NOTHING, NOTHING)
#undef ADDRESS
#undef NOTHING
}

void oc__result_clear(oc__result *result)
{
    char **strings[OC__RESULT_STRING_COUNT];
    string_fields(result, strings);
    if (result->text_block != NULL)
        free(result->text_block);
    else
        for (size_t i = 0; i < OC__RESULT_STRING_COUNT; i++)
            free(*strings[i]);
    oc__result_init(result);
}

int oc__result_copy(oc__result *copy, const oc__result *original)
{
    *copy = *original;
    copy->text_block = NULL;
    char **strings[OC__RESULT_STRING_COUNT];
    string_fields(copy, strings);
    size_t lengths[OC__RESULT_STRING_COUNT];
    size_t block_size = 0;
    for (size_t i = 0; i < OC__RESULT_STRING_COUNT; i++) {
        lengths[i] = *strings[i] != NULL ? strlen(*strings[i]) : 0;
        block_size += *strings[i] != NULL ? lengths[i] + 1 : 0;
    }
    char *block = block_size > 0 ? malloc(block_size) : NULL;
    if (block_size > 0 && block == NULL) {
        oc__result_init(copy);
        return OC_ERROR_NO_MEMORY;
    }
    char *next = block;
    for (size_t i = 0; i < OC__RESULT_STRING_COUNT; i++) {
        if (*strings[i] == NULL)
            continue;
        memcpy(next, *strings[i], lengths[i] + 1);
        *strings[i] = next;
        next += lengths[i] + 1;
    }
    copy->text_block = block;
    return OC_OK;
}

char *oc__result_copy_text(const char *text)
{
    return text != NULL ? strdup(text) : NULL;
}

const char *oc__result_status_name(oc__result_status status)
{
    switch (status) {
    case OC_RESULT_OK: return "ok";
    case OC_RESULT_INSUFFICIENT_DATA: return "insufficient_data";
    case OC_RESULT_FAILED: return "failed";
    }
    return "failed";
}

oc__result *oc__result_list_append(oc__result_list *list)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 16;
        oc__result *items = realloc(list->items, capacity * sizeof *items);
        if (items == NULL)
            return NULL;
        list->items = items;
        list->capacity = capacity;
    }
    oc__result *result = &list->items[list->count++];
    oc__result_init(result);
    return result;
}

void oc__result_list_free(oc__result_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        oc__result_clear(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}

oc__result *oc__result_list_append_copy(oc__result_list *list, const oc__result *original)
{
    oc__result *copy = oc__result_list_append(list);
    if (copy == NULL)
        return NULL;
    if (oc__result_copy(copy, original) != OC_OK) {
        list->count--; /* the slot is initialised and holds nothing */
        return NULL;
    }
    return copy;
}

int oc__result_list_append_copies(oc__result_list *list, const oc__result_list *originals)
{
    for (size_t i = 0; i < originals->count; i++)
        if (oc__result_list_append_copy(list, &originals->items[i]) == NULL)
            return OC_ERROR_NO_MEMORY;
    return OC_OK;
}
