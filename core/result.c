/* result.c: lifetime of result records; see result.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

void oc__result_init(oc__result *result)
{
    memset(result, 0, sizeof *result);
    result->value = result->ci_lower = result->ci_upper = NAN;
    result->baseline_value = result->change = result->change_pct = NAN;
    result->target_value = result->expected_value = result->progress_pct = NAN;
    result->comparator_change = result->did = result->fiscal_benefit = NAN;
    result->score = NAN;
    result->status = OC_RESULT_OK;
}

void oc__result_clear(oc__result *result)
{
    char **strings[] = {
        &result->metric, &result->indicator, &result->plugin, &result->plugin_version,
        &result->area, &result->area_name, &result->period, &result->baseline_period,
        &result->target_date, &result->rag, &result->spc_signal, &result->spc_rule,
        &result->assurance, &result->trend, &result->comparator, &result->message,
    };
    if (result->text_block != NULL)
        free(result->text_block);
    else
        for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
            free(*strings[i]);
    oc__result_init(result);
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
