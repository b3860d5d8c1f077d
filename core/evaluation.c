/*
 * evaluation.c: the accessors a plugin's evaluate callback uses to read its
 * inputs and write its outputs (include/outcomes/evaluation.h). A plugin
 * may pass any index or NULL by mistake; every accessor checks, so that a
 * plugin bug gives NULL or an error status instead of a host crash.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evaluation_internal.h"
#include "period.h"
#include "scoring.h"

#define OC_NO_INDEX ((size_t)-1)

/* How far (in days) a like period may sit from the exact calendar date a
 * whole number of years earlier: quarterly snapshots drift by a few days
 * from year to year, and a month is at most 31 days long. */

const char *oc_evaluation_area_code(const oc_evaluation *evaluation)
{
    return evaluation != NULL && evaluation->area_code != NULL ? evaluation->area_code : "";
}

const char *oc_evaluation_area_name(const oc_evaluation *evaluation)
{
    return evaluation != NULL && evaluation->area_name != NULL ? evaluation->area_name : "";
}

size_t oc_evaluation_time_count(const oc_evaluation *evaluation)
{
    return evaluation != NULL && evaluation->times != NULL ? evaluation->time_count : 0;
}

const int32_t *oc_evaluation_times(const oc_evaluation *evaluation)
{
    return evaluation != NULL ? evaluation->times : NULL;
}

const double *oc_evaluation_input(const oc_evaluation *evaluation, size_t role_index)
{
    if (evaluation == NULL || evaluation->inputs == NULL || role_index >= evaluation->input_count)
        return NULL;
    return evaluation->inputs[role_index];
}

oc_indicator_series *oc_evaluation_output(oc_evaluation *evaluation, size_t indicator_index)
{
    if (evaluation == NULL || evaluation->outputs == NULL
        || indicator_index >= evaluation->output_count)
        return NULL;
    return &evaluation->outputs[indicator_index];
}

double oc_evaluation_z(const oc_evaluation *evaluation)
{
    return evaluation != NULL ? evaluation->z : NAN;
}

static size_t checked_index(const oc_evaluation *evaluation, size_t index)
{
    if (evaluation == NULL || index >= oc_evaluation_time_count(evaluation))
        return OC_NO_INDEX;
    return index;
}

size_t oc_evaluation_period_index(const oc_evaluation *evaluation)
{
    return evaluation != NULL ? checked_index(evaluation, evaluation->period_index) : OC_NO_INDEX;
}

size_t oc_evaluation_baseline_index(const oc_evaluation *evaluation)
{
    return evaluation != NULL ? checked_index(evaluation, evaluation->baseline_index) : OC_NO_INDEX;
}

size_t oc_evaluation_like_period_index(const oc_evaluation *evaluation, size_t index, int years)
{
    if (checked_index(evaluation, index) == OC_NO_INDEX)
        return OC_NO_INDEX;
    if (years == 1 && evaluation->year_earlier_index != NULL)
        return evaluation->year_earlier_index[index];
    return oc__like_period_index(evaluation->times, evaluation->time_count, index, years);
}

size_t *oc__evaluation_year_earlier_table(const int32_t *times, size_t time_count)
{
    size_t *table = malloc((time_count ? time_count : 1) * sizeof *table);
    for (size_t t = 0; table != NULL && t < time_count; t++)
        table[t] = oc__like_period_index(times, time_count, t, 1);
    return table;
}

size_t oc_evaluation_reported_index(const oc_evaluation *evaluation,
                                    const oc_indicator_series *series)
{
    size_t period_index = oc_evaluation_period_index(evaluation);

    if (series == NULL || series->value == NULL || period_index == OC_NO_INDEX
        || period_index >= series->count)
        return OC_NO_INDEX;
    /* The scorer's own search, so that a plugin's interval lands exactly
     * where core/scoring.c reads it. */
    return oc__latest_observation(series->value, period_index);
}

static const oc__parameter_value *find_parameter(const oc_evaluation *evaluation, const char *name)
{
    if (evaluation == NULL || name == NULL || evaluation->parameters == NULL)
        return NULL;
    for (size_t i = 0; i < evaluation->parameter_count; i++) {
        const oc__parameter_value *parameter = &evaluation->parameters[i];
        if (parameter->name != NULL && strcmp(parameter->name, name) == 0)
            return parameter;
    }
    return NULL;
}

int oc_evaluation_parameter_number(const oc_evaluation *evaluation, const char *name, double *value)
{
    const oc__parameter_value *parameter = find_parameter(evaluation, name);
    if (parameter == NULL)
        return OC_ERROR_NOT_FOUND;
    if (value == NULL
        || (parameter->type != OC_PARAMETER_NUMBER && parameter->type != OC_PARAMETER_INTEGER))
        return OC_ERROR_INVALID;
    *value = parameter->number;
    return OC_OK;
}

int oc_evaluation_parameter_integer(const oc_evaluation *evaluation, const char *name, long *value)
{
    const oc__parameter_value *parameter = find_parameter(evaluation, name);
    if (parameter == NULL)
        return OC_ERROR_NOT_FOUND;
    if (value == NULL || parameter->type != OC_PARAMETER_INTEGER)
        return OC_ERROR_INVALID;
    *value = (long)parameter->number;
    return OC_OK;
}

int oc_evaluation_parameter_boolean(const oc_evaluation *evaluation, const char *name, int *value)
{
    const oc__parameter_value *parameter = find_parameter(evaluation, name);
    if (parameter == NULL)
        return OC_ERROR_NOT_FOUND;
    if (value == NULL || parameter->type != OC_PARAMETER_BOOLEAN)
        return OC_ERROR_INVALID;
    *value = parameter->number != 0.0;
    return OC_OK;
}

const char *oc_evaluation_parameter_string(const oc_evaluation *evaluation, const char *name)
{
    const oc__parameter_value *parameter = find_parameter(evaluation, name);
    return parameter != NULL ? parameter->text : NULL;
}

/* NaN-filling every output of every area is on the hot path (a dozen
 * indicators x five series x 240 periods per area): copying from a block
 * of NaNs is several times faster than storing them one by one. */
#define NAN_BLOCK 256

static void fill_nan(double *values, size_t count)
{
    static double nan_block[NAN_BLOCK];
    if (!isnan(nan_block[0]))
        for (size_t i = 0; i < NAN_BLOCK; i++)
            nan_block[i] = NAN;
    for (size_t done = 0; values != NULL && done < count; done += NAN_BLOCK)
        memcpy(values + done, nan_block,
               (count - done < NAN_BLOCK ? count - done : NAN_BLOCK) * sizeof(double));
}

void oc__evaluation_reset_outputs(oc_evaluation *evaluation)
{
    if (evaluation == NULL || evaluation->outputs == NULL)
        return;
    for (size_t i = 0; i < evaluation->output_count; i++) {
        oc_indicator_series *series = &evaluation->outputs[i];
        fill_nan(series->value, series->count);
        fill_nan(series->lower, series->count);
        fill_nan(series->upper, series->count);
        fill_nan(series->numerator, series->count);
        fill_nan(series->denominator, series->count);
    }
}
