/*
 * engine.h: the evaluation engine. A configuration becomes one plan per
 * metric (plugin, measures, areas, periods, scoring settings), each plan is
 * split into jobs over blocks of areas, and each job runs in a forked child
 * (core/plugin_runner.h) that reads its areas from the store in blocks,
 * calls the plugin, scores every indicator and sends results back.
 */
#ifndef OC_ENGINE_H
#define OC_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <outcomes/plugin.h>

#include "arena.h"
#include "evaluation_internal.h"
#include "manifest.h"
#include "result.h"
#include "scoring.h"
#include "wire.h"

/* Something evaluated: one area of the store, or a parent area whose
 * members' inputs are summed (counts add up; rates are recomputed by the
 * plugin from the sums, never averaged). */
typedef struct oc__evaluation_unit {
    char *code;            /* in the plan's arena */
    char *name;            /* in the plan's arena, "" when unknown */
    size_t *members;       /* in the plan's arena: member_count sorted area indices */
    size_t member_count;
    int aggregated;        /* non-zero for a parent area */
} oc__evaluation_unit;

/* Everything a job needs to evaluate one metric, built in the parent from
 * the configuration and the store, read-only afterwards. */
typedef struct oc__metric_plan {
    char *metric;                           /* owned: the section name */
    const oc_plugin_descriptor *descriptor; /* borrowed from the loaded plugin */
    char *store_path;                       /* owned */
    char *frame_name;                       /* owned, NULL for the only frame */
    char **role_measures;                   /* owned, one per descriptor input, NULL unmapped */
    size_t role_count;
    oc__parameter_value *parameters;        /* owned array; strings borrowed from the config */
    size_t parameter_count;
    oc__evaluation_unit *units;             /* owned */
    size_t unit_count;
    oc__evaluation_unit *comparator;        /* owned, or NULL */
    oc__evaluation_unit *benchmark;         /* owned, or NULL */
    oc__arena unit_text;                    /* owns the units' codes, names and members */
    size_t chunk_areas;                     /* the store's chunk rows, in areas (0: unknown) */
    size_t indicator_count;                 /* the descriptor's */
    size_t *reported;                       /* owned: indicator indices to report, in order */
    size_t reported_count;
    size_t period_end_index;                /* last time index in the evaluation period */
    size_t baseline_end_index;              /* OC__NO_INDEX without a baseline */
    oc__frequency frequency;                /* the frame's periods, NONE when unsaid */
    size_t target_indicator;                /* the indicator the target is for, or OC__NO_INDEX */
    oc__scoring_settings settings;          /* its milestones are the plan's below */
    oc__milestone *milestones;              /* owned, settings.milestone_count, or NULL */
    int32_t *spc_rebase_days;               /* owned, settings.spc_rebase_count, or NULL */
    double z;
    double time_limit;                      /* seconds */
    double intervention_cost;               /* pounds, NaN when not configured */
} oc__metric_plan;

void oc__metric_plan_free(oc__metric_plan *plan);

/* Evaluates units [first_unit, first_unit + unit_count) of the plan: opens
 * the store, streams the needed areas in blocks, calls the plugin for each
 * unit and writes one result per indicator to the wire. Runs in the
 * child; the parent never opens HDF5 files that a child will use. */
int oc__engine_evaluate_units(const oc__metric_plan *plan, size_t first_unit,
                              size_t unit_count, oc__wire_writer *writer, oc_error *error);

/* oc__engine_evaluate_units for a worker that runs job after job of one
 * plan (core/runner_worker.h): the open store, the buffers and the
 * comparator's and benchmark's outputs are kept, in this process only, for the next call
 * with the same plan, instead of being built again for every job. A call
 * with another plan, or one that fails, starts afresh.
 * oc__engine_evaluate_forget frees what is kept (a worker that exits
 * need not). */
int oc__engine_evaluate_units_again(const oc__metric_plan *plan, size_t first_unit,
                                    size_t unit_count, oc__wire_writer *writer, oc_error *error);
void oc__engine_evaluate_forget(void);

/* ---- Running a configuration (engine.c) ---- */

struct oc__config;
struct oc__runner_summary;
struct oc__runner_sink;

typedef struct oc__engine_options {
    const char *period_text; /* --period: overrides the configuration's; NULL keeps it */
    const char *plugin_dir;  /* --plugin-dir: overrides the configuration's; NULL keeps it */
    size_t jobs;             /* --jobs; 0 takes the configuration's, else the CPU count */
    /* Optional: receives results as soon as they are final (in the order
     * below, already recorded in the manifest), lent for the call only
     * (core/plugin_runner.h); they are then not appended to the caller's
     * list. NULL: every result is appended to it. */
    const struct oc__runner_sink *sink;
} oc__engine_options;

/* The engine's status for an option given in oc__engine_options (so on
 * the command line) that cannot be used, e.g. a --period that ends before
 * a metric's store begins: the caller's usage error, not the file's.
 * Internal: never reaches a plugin; outside the public oc_status range. */
#define OC__ERROR_ENGINE_OPTION (-100)

/* Evaluates every metric of config: loads the plugins, plans each metric
 * against its store, runs the jobs in isolated children and appends every
 * result to results (caller-owned, in configuration, area and indicator
 * order). Records the run in manifest (caller-owned). A plugin that fails
 * is not an error here: its jobs appear as failed results and in summary
 * (which may be NULL).
 * Returns OC_ERROR_CONFIG for mistakes in the configuration (unknown
 * plugin, measure, area...), OC__ERROR_ENGINE_OPTION for an option in
 * options that cannot be used (its message starts with the option), a
 * store status (OC_ERROR_IO, OC_ERROR_FORMAT,
 * OC_ERROR_NOT_FOUND) when a store cannot be used, OC_OK otherwise.
 * A store replaced or rewritten while the run read it is OC_ERROR_IO,
 * found only once every job has ended: the results already given to
 * options->sink or appended to results are then from two files, and the
 * caller must not write them. */
int oc__engine_run(struct oc__config *config, const oc__engine_options *options,
                   oc__manifest *manifest, oc__result_list *results,
                   struct oc__runner_summary *summary, oc_error *error);

#endif
