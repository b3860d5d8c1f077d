/*
 * configuration.h: the evaluation configuration (an INI file, documented
 * in docs/configuration.md with the example etc/outcomes.ini), read into
 * plain owned C structs so no iniparser dictionary leaks out.
 *
 * (Named configuration, not config: "config.h" is autoconf's header, and
 * core/ is on the include path of every core file.)
 *
 * Two phases, because the plugin's declared parameters are only known once
 * the engine has loaded it:
 *  1. oc__config_load: syntax, duplicate keys and sections, known keys,
 *     types and ranges of every known key, impossible dates, required keys;
 *  2. oc__config_validate_metric: a metric's plugin parameters and input
 *     roles against the plugin's descriptor.
 * The engine then checks stores, frames, measures and areas, naming the
 * key at fault with oc__config_error.
 *
 * Every error is one line "FILE: [section] key: what is wrong", FILE being
 * the path as given to oc__config_load, with status OC_ERROR_CONFIG (or
 * OC_ERROR_NO_MEMORY). Not thread-safe: iniparser's error callback is
 * process-global.
 */
#ifndef OC_CONFIGURATION_H
#define OC_CONFIGURATION_H

#include <stddef.h>

#include <outcomes/plugin.h>

#include "evaluation_internal.h"
#include "output.h"
#include "period.h"
#include "scoring.h"

/* The name of the global section. */
#define OC__CONFIG_GLOBAL_SECTION "outcomes"
/* The prefix of the keys that map a plugin input role to a store measure. */
#define OC__CONFIG_INPUT_PREFIX "input."
/* metric->store_index when the metric names no store of its own. */
#define OC__CONFIG_ANY_STORE ((size_t)-1)
/* metric->target_indicator_index when the metric has no target. */
#define OC__CONFIG_NO_INDICATOR ((size_t)-1)

#define OC__CONFIG_DEFAULT_TIME_LIMIT 60.0
#define OC__CONFIG_MAX_TIME_LIMIT 86400.0 /* one day, in seconds */
#define OC__CONFIG_DEFAULT_CONFIDENCE 95.0
#define OC__CONFIG_MAX_JOBS 1024L
/* The largest target or milestone: an absolute value of at most 10^15 in
 * size (a trillion pounds is a thousand times any partnership's budget),
 * a change of at most +10^6 percent (10,001 times the baseline). Beyond,
 * a value is a typing mistake, and the trajectory's arithmetic would
 * overflow to infinity (1.7e308 and -1.7e308 have no finite difference). */
#define OC__CONFIG_MAX_TARGET 1e15
#define OC__CONFIG_MAX_TARGET_PERCENT 1e6

/* A key = value as written (key lower-cased by iniparser, value as
 * written, surrounding quotes removed). Both owned by the config. */
typedef struct oc__config_entry {
    char *key;
    char *value;
} oc__config_entry;

/* One metric instance: one section other than [outcomes]. */
typedef struct oc__config_metric {
    char *name;             /* owned: the section name, [a-z0-9_] */
    char *plugin;           /* owned: a bare plugin name, [a-z0-9_] */
    char *frame;            /* owned, NULL when absent (the store's root) */
    size_t store_index;     /* into config->stores, or OC__CONFIG_ANY_STORE */
    int all_areas;          /* `areas` absent or `all` */
    int all_parents;        /* `areas = parents`: every parent code, each aggregated */
    char **areas;           /* owned codes as written (case kept), area_count of them */
    size_t area_count;
    char *comparator;       /* owned area code, NULL when absent */
    char *benchmark;        /* owned area code, NULL when absent */

    /* Period texts (owned) are kept as written: a year span like 2016/17
     * means an academic year when the frame's frequency is academic_year,
     * so the engine re-parses with oc__period_parse(text, frequency). The
     * parsed periods below use no hint (financial years). */
    char *baseline_text;    /* owned, NULL when neither here nor global */
    oc__period baseline;    /* valid when baseline_text != NULL */
    char *target_date_text; /* owned, NULL when no target */
    oc__period target_period;
    /* `milestones`: each one's period as written (owned), re-read by the
     * engine with the frame's frequency like target_date_text; the
     * points themselves (owned, days from financial years) are what
     * scoring.milestones borrows. */
    char **milestone_texts;
    oc__milestone *milestones;
    size_t milestone_count;
    /* `spc_rebase`: periods as written (owned), read again by the engine
     * with the frame's frequency, which also checks their order. */
    char **spc_rebase_texts;
    size_t spc_rebase_count;

    /* Target, RAG and SPC settings ready for oc__score_indicator:
     * target_day is target_period.start_day, the store's time for that
     * period (times are period starts). */
    oc__scoring_settings scoring;
    double confidence;      /* 95 or 99.8; the global value when absent */
    double time_limit;      /* seconds > 0; the global value when absent */
    double intervention_cost; /* pounds > 0, NaN when absent: for return_on_investment */

    char *target_indicator; /* owned: the indicator the target is for, NULL when absent */
    char **indicators;      /* owned names: the indicators to report; none = all */
    size_t indicator_count;

    oc__config_entry *inputs;      /* owned: role (without "input.") -> measure */
    size_t input_count;
    oc__config_entry *parameters;  /* owned: every other key, as written */
    size_t parameter_count;

    /* Filled by oc__config_validate_metric (NULL/0 before), one per
     * descriptor parameter / input in descriptor order. Arrays owned by
     * the config; names and texts borrowed from the descriptor or from
     * this config (so the plugin must stay loaded while they are used). */
    oc__parameter_value *parameter_values;
    size_t parameter_value_count;
    const char **input_measures;   /* measure per descriptor input, NULL if unmapped */
    size_t input_measure_count;
    /* Index into the descriptor's indicators of target_indicator (or of the
     * only indicator when the plugin has one); OC__CONFIG_NO_INDICATOR when
     * there is no target. */
    size_t target_indicator_index;
    size_t *indicator_indices;     /* owned: indicator_count indexes into the
                                    * descriptor's indicators, in `indicators` order */
} oc__config_metric;

typedef struct oc__config {
    char *path;             /* owned: as given to oc__config_load */
    char *directory;        /* owned: the directory relative paths resolve against */
    char **stores;          /* owned, resolved paths: the global list, then any
                             * further store a metric named */
    size_t store_count;
    size_t global_store_count; /* how many of stores came from [outcomes] */
    char *plugin_dir;       /* owned, resolved; NULL when absent */
    char *period_text;      /* owned: as written, or "latest" */
    int period_is_latest;   /* period absent or `latest` */
    oc__period period;      /* valid when !period_is_latest */
    char *baseline_text;    /* owned, NULL when absent */
    oc__period baseline;
    char *output;           /* owned, resolved; NULL = standard output */
    oc__output_format format; /* default table */
    long jobs;              /* 0 when absent: the engine chooses */
    double time_limit;      /* seconds, default 60 */
    double confidence;      /* 95 (default) or 99.8 */
    int allow_insecure_plugins;
    oc__config_metric *metrics; /* owned, in file order */
    size_t metric_count;
} oc__config;

/* Reads and checks the file at path (phase 1). On success *out is a new
 * config the caller frees with oc__config_free. On failure *out is NULL
 * and error holds one line: OC_ERROR_CONFIG (missing, unreadable, syntax,
 * or a wrong value) or OC_ERROR_NO_MEMORY. */
int oc__config_load(const char *path, oc__config **out, oc_error *error);

/* Frees config and everything it owns; NULL is allowed. */
void oc__config_free(oc__config *config);

/* Phase 2: checks metric's parameters and input roles against descriptor
 * (the loader's validated copy; borrowed) and fills
 * metric->parameter_values (defaults from the descriptor when a key is
 * absent), metric->input_measures, metric->target_indicator_index and
 * metric->indicator_indices. Errors, naming file, section and key: an
 * unknown parameter, input role or indicator, a value of the wrong type, a
 * required parameter (default NULL) or required input left unset, a
 * target without target_indicator when the plugin has several indicators. May be
 * called again (with another descriptor): earlier results are replaced. */
int oc__config_validate_metric(const oc__config *config, oc__config_metric *metric,
                               const oc_plugin_descriptor *descriptor, oc_error *error);

/* The measure mapped to input role, or NULL (borrowed). */
const char *oc__config_metric_input(const oc__config_metric *metric, const char *role);

/* The metric called name, or NULL (borrowed). */
const oc__config_metric *oc__config_find_metric(const oc__config *config, const char *name);

/* Fills milestones[0..metric->milestone_count) with the metric's
 * milestones, their periods (and the baseline's and target_date's) read
 * with `frequency`, and checks that they run in order strictly between the
 * end of the baseline and the start of target_date: OC_OK, or
 * OC_ERROR_CONFIG naming the `milestones` key and the milestone by its
 * period as written. The loader reads them as financial years (the frame
 * is not known yet), the engine with the frame's frequency; both say the
 * same. milestones is the caller's, room for milestone_count. */
int oc__config_read_milestones(const oc__config *config, const oc__config_metric *metric,
                               oc__frequency frequency, oc__milestone *milestones,
                               oc_error *error);

/* Sets error to OC_ERROR_CONFIG with "FILE: [section] key: MESSAGE" and
 * returns OC_ERROR_CONFIG. metric NULL means the [outcomes] section; key
 * NULL leaves out the key ("FILE: [section]: MESSAGE"). For the engine's
 * checks against the store, e.g.
 *   oc__config_error(config, metric, "input.claimants", error,
 *                    "no measure '%s' in frame '%s'", measure, frame); */
int oc__config_error(const oc__config *config, const oc__config_metric *metric,
                     const char *key, oc_error *error, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

#endif
