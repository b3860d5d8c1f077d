/*
 * evaluation_internal.h: the host's side of struct oc_evaluation, the
 * opaque handle a plugin's evaluate callback receives (public accessors in
 * include/outcomes/evaluation.h, implemented in evaluation.c). The engine
 * fills one per area and reuses its buffers from area to area.
 */
#ifndef OC_EVALUATION_INTERNAL_H
#define OC_EVALUATION_INTERNAL_H

#include <outcomes/evaluation.h>
#include <outcomes/plugin.h>

/* A parameter's value after validation against its declared type. */
typedef struct oc__parameter_value {
    const char *name;      /* borrowed from the descriptor */
    oc_parameter_type type;
    const char *text;      /* borrowed: the configured or default text */
    double number;         /* NUMBER, INTEGER (as double), BOOLEAN (0/1) */
} oc__parameter_value;

struct oc_evaluation {
    const oc_plugin_descriptor *descriptor; /* borrowed */
    /* Borrowed; the engine's copy for this call, never the plan's own,
     * since a plugin may write into it (core/engine_evaluate.c). */
    const char *area_code;
    const char *area_name;                  /* likewise, "" when unknown */
    size_t time_count;
    const int32_t *times;                   /* borrowed, time_count days */
    /* Borrowed; one per descriptor input, NULL if unmapped. The engine
     * keeps them read-only while the plugin runs. */
    const double **inputs;
    size_t input_count;
    oc_indicator_series *outputs;           /* owned by whoever set up the evaluation */
    size_t output_count;
    const oc__parameter_value *parameters;  /* borrowed */
    size_t parameter_count;
    double z;
    size_t period_index;                    /* (size_t)-1 when none */
    size_t baseline_index;
    /* Optional, borrowed: per time index, the like period a year earlier
     * ((size_t)-1 for none), worked out once for the time axis because
     * year-on-year plugins ask for it at every period of every area. NULL:
     * worked out at each call. */
    const size_t *year_earlier_index;
};

/* The table for year_earlier_index: time_count entries, or NULL when out
 * of memory. The caller frees it. */
size_t *oc__evaluation_year_earlier_table(const int32_t *times, size_t time_count);

/* Refills every output series with NaN before the next area. */
void oc__evaluation_reset_outputs(oc_evaluation *evaluation);

#endif
