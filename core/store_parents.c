/* store_parents.c: a frame's areas grouped by parent code, the order in
 * which `areas = parents` sums them. Every metric over parent areas needs
 * the same grouping, so the frame works it out once and keeps it: sorting
 * a national frame's 32,844 areas by parent code with qsort and strcmp
 * took 22 million instructions, once for each metric, while the host
 * planned alone. Here each area's parent is found in a hash index of the
 * distinct parents (a national store has 533) and the areas are placed by
 * a counting sort: only the distinct codes are sorted. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* A distinct parent code and where its group is numbered. */
typedef struct parent_group {
    const char *code;
    size_t group;
} parent_group;

static int compare_codes(const void *left, const void *right)
{
    return strcmp(((const parent_group *)left)->code, ((const parent_group *)right)->code);
}

static int build(oc__store_frame *frame)
{
    size_t areas = frame->area_count;
    const char *const *parents = (const char *const *)frame->parents.items;
    size_t *order = malloc((areas ? areas : 1) * sizeof *order);
    size_t *group_of = malloc((areas ? areas : 1) * sizeof *group_of);
    parent_group *groups = malloc((areas ? areas : 1) * sizeof *groups);
    size_t *next = NULL;
    oc__store_parent_group *ranges = NULL;
    oc__store_index index = {0};
    int status = order && group_of && groups ? OC_OK : OC_ERROR_NO_MEMORY;

    /* Each area's group, numbered in order of first appearance: the index
     * holds the first area of each parent (positions in parents). */
    size_t group_count = 0, count = 0;
    for (size_t a = 0; status == OC_OK && a < areas; a++) {
        group_of[a] = OC__STORE_NO_INDEX;
        if (a >= frame->parents.count || parents[a] == NULL || parents[a][0] == '\0')
            continue;
        size_t first;
        status = oc__store_index_add(&index, parents, a, &first);
        if (status == OC_OK && first == OC__STORE_NO_INDEX) {
            groups[group_count] = (parent_group){parents[a], group_count};
            group_of[a] = group_count++;
        } else if (status == OC_OK) {
            group_of[a] = group_of[first];
        }
        count += status == OC_OK;
    }
    if (status == OC_OK
        && ((next = calloc(group_count + 1, sizeof *next)) == NULL
            || (ranges = malloc((group_count ? group_count : 1) * sizeof *ranges)) == NULL))
        status = OC_ERROR_NO_MEMORY;
    if (status == OC_OK) {
        /* next[g]: first the size of group g, then (groups in code order,
         * each after the ones before it) where its next area goes */
        for (size_t a = 0; a < areas; a++)
            if (group_of[a] != OC__STORE_NO_INDEX)
                next[group_of[a]]++;
        qsort(groups, group_count, sizeof *groups, compare_codes);
        for (size_t g = 0, at = 0; g < group_count; g++) {
            size_t size = next[groups[g].group];
            next[groups[g].group] = at;
            ranges[g] = (oc__store_parent_group){groups[g].code, at, size};
            at += size;
        }
        for (size_t a = 0; a < areas; a++) /* in area order within each group */
            if (group_of[a] != OC__STORE_NO_INDEX)
                order[next[group_of[a]]++] = a;
    }
    oc__store_index_free(&index);
    free(next);
    free(groups);
    free(group_of);
    if (status != OC_OK) {
        free(order);
        free(ranges);
        return status;
    }
    frame->parent_order = order;
    frame->parent_order_count = count;
    frame->parent_groups = ranges;
    frame->parent_group_count = group_count;
    return OC_OK;
}

int oc__store_parent_order(oc__store_frame *frame, const size_t **order, size_t *count)
{
    *order = NULL;
    *count = 0;
    if (frame->parent_order == NULL) {
        int status = build(frame);
        if (status != OC_OK)
            return status;
    }
    *order = frame->parent_order;
    *count = frame->parent_order_count;
    return OC_OK;
}

int oc__store_parent_groups(oc__store_frame *frame, const oc__store_parent_group **groups,
                            size_t *count)
{
    *groups = NULL;
    *count = 0;
    const size_t *order;
    size_t order_count;
    int status = oc__store_parent_order(frame, &order, &order_count);
    if (status != OC_OK)
        return status;
    *groups = frame->parent_groups;
    *count = frame->parent_group_count;
    return OC_OK;
}

const char *oc__store_parent_group_name(const oc__store_frame *frame,
                                        const oc__store_parent_group *group)
{
    for (size_t k = 0; k < group->count; k++) {
        const char *name = oc__store_parent_name(frame, frame->parent_order[group->first + k]);
        if (name != NULL)
            return name;
    }
    return NULL;
}
