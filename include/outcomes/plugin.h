/*
 * outcomes/plugin.h: the plugin ABI. A metric plugin is a shared object that
 * exports one function, oc_plugin_entry, returning a static descriptor that
 * says what the plugin needs (input roles, parameters), what it emits
 * (indicators) and how to call it (callbacks).
 *
 * ABI rules (read these before changing anything in this file):
 *
 *  1. OC_ABI_MAJOR changes when an existing field, type, callback
 *     signature or meaning changes or goes, and when a field is added to
 *     oc_input_spec, oc_parameter_spec, oc_parameter_range or
 *     oc_indicator_spec (arrays of them carry no per-entry size). The host
 *     refuses a plugin whose abi_major differs from its own.
 *  2. OC_ABI_MINOR grows when a field is appended to the END of
 *     oc_plugin_descriptor (or takes a reserved slot), a function is added
 *     to liboutcomes, or an enum or flag value is added. The host refuses a
 *     plugin whose abi_minor is greater than its own (the plugin may use
 *     fields or functions the host lacks); it accepts older minors.
 *  3. oc_plugin_descriptor starts with its own size as the plugin was
 *     compiled (struct_size). The host reads a field only if it lies
 *     inside struct_size, so an older plugin's shorter struct is safe, and
 *     treats absent fields as zero. docs/plugin-abi.md has the full rules.
 *  4. Arrays in the descriptor end with an entry whose name is NULL
 *     (sentinel), so counts never disagree with contents.
 *  5. All strings and arrays the descriptor points to are owned by the
 *     plugin and must stay valid while the plugin is loaded: use static
 *     storage. The host never frees or writes them.
 *  6. Names (plugin, roles, parameters, indicators) are lower-case
 *     [a-z0-9_], at most OC_NAME_MAX bytes, and unique in their list.
 *
 * ABI history:
 *  1.0  the first stable ABI.
 *  1.1  added oc_evaluation_reported_index() (outcomes/evaluation.h): the one
 *       period whose interval the host reads, so a plugin need not compute
 *       intervals nobody reads. Nothing else changed; 1.0 plugins load and
 *       behave as before.
 *  1.2  added oc_plugin_descriptor.parameter_ranges (in what was
 *       reserved[0]): the bounds of numeric parameters, as data, so the host
 *       refuses an out-of-range value when it reads the configuration.
 *       Size and offsets unchanged; 1.0 and 1.1 plugins have zero there.
 *  1.3  added the indicator flag OC_INDICATOR_COMPARABLE: the indicators a
 *       configured `benchmark` area is compared with. Older plugins' are
 *       never compared; a 1.2 or older plugin that sets the flag is refused.
 *
 * A minimal plugin:
 *
 *     #include <outcomes/outcomes.h>
 *     static int evaluate(oc_evaluation *ev, oc_error *error) { ... }
 *     static const oc_input_spec inputs[] = {{"count", "people", "...", 0}, {0}};
 *     static const oc_indicator_spec indicators[] = {
 *         {"count", "people", OC_LOWER_IS_BETTER, "..."}, {0}};
 *     static const oc_plugin_descriptor descriptor = {
 *         .struct_size = sizeof descriptor,
 *         .abi_major = OC_ABI_MAJOR, .abi_minor = OC_ABI_MINOR,
 *         .name = "mymetric", .version = "1.0.0", ...
 *         .inputs = inputs, .indicators = indicators, .evaluate = evaluate};
 *     OC_PLUGIN_DEFINE(descriptor)
 */
#ifndef OUTCOMES_PLUGIN_H
#define OUTCOMES_PLUGIN_H

#include <outcomes/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OC_ABI_MAJOR 1
#define OC_ABI_MINOR 3

/* The name of the symbol the host looks up in every plugin. */
#define OC_PLUGIN_ENTRY_SYMBOL "oc_plugin_entry"

/* Longest name allowed for a plugin, role, parameter or indicator. */
#define OC_NAME_MAX 63

#if defined(__GNUC__) || defined(__clang__)
#define OC_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define OC_PLUGIN_EXPORT
#endif

struct oc_evaluation; /* declared in outcomes/evaluation.h */

/* Which way is good for an indicator; drives RAG, SPC and benchmarking. */
typedef enum oc_direction {
    OC_LOWER_IS_BETTER = -1,
    OC_NO_DIRECTION = 0,
    OC_HIGHER_IS_BETTER = 1
} oc_direction;

typedef enum oc_parameter_type {
    OC_PARAMETER_NUMBER = 1,  /* a finite double, e.g. 8632 or 0.035 */
    OC_PARAMETER_INTEGER = 2, /* a whole number */
    OC_PARAMETER_STRING = 3,  /* free text */
    OC_PARAMETER_BOOLEAN = 4  /* true/false, yes/no, on/off, 1/0 */
} oc_parameter_type;

/* How the host combines an input over member areas when it evaluates a
 * parent area (e.g. LSOAs into a constituency). */
typedef enum oc_aggregation {
    OC_AGGREGATE_SUM = 0,  /* counts: claimants, population, tonnes, spend */
    OC_AGGREGATE_NONE = 1  /* not additive: the parent cannot be evaluated */
} oc_aggregation;

/* An input the plugin reads: a named role that the configuration maps to a
 * measure in the store. */
typedef struct oc_input_spec {
    const char *role;        /* e.g. "claimants"; NULL ends the list */
    const char *units;       /* e.g. "people"; shown to users, not compared
                                with the store measure's units */
    const char *doc;         /* one line */
    int optional;            /* non-zero: the plugin copes without it */
    oc_aggregation aggregation;
} oc_input_spec;

/* A parameter the plugin accepts from its configuration section. */
typedef struct oc_parameter_spec {
    const char *name;          /* NULL ends the list */
    oc_parameter_type type;
    const char *default_value; /* as it would be written in the INI file */
    const char *doc;           /* one line, shown by `outcomes plugins info` */
} oc_parameter_spec;

/* Flags for oc_parameter_range.flags: an endpoint itself is not allowed. */
#define OC_RANGE_EXCLUSIVE_MINIMUM 0x1u /* value > minimum, e.g. years above 0 */
#define OC_RANGE_EXCLUSIVE_MAXIMUM 0x2u /* value < maximum */

/* The values a NUMBER or INTEGER parameter accepts (ABI 1.2). The host
 * checks every configured value against it while reading the
 * configuration, and the default when it loads the plugin, so evaluate
 * never sees a value outside it. A parameter without an entry accepts any
 * finite value of its type. */
typedef struct oc_parameter_range {
    const char *name; /* a parameter of the descriptor; NULL ends the list */
    double minimum;   /* -INFINITY: no lower bound */
    double maximum;   /* INFINITY: no upper bound */
    unsigned flags;   /* OC_RANGE_*; 0: both endpoints allowed */
} oc_parameter_range;

/* Flags for oc_indicator_spec.flags. */
#define OC_INDICATOR_PROPORTION 0x1u    /* numerator/denominator filled: trend uses chi-squared */
#define OC_INDICATOR_FISCAL_BENEFIT 0x2u /* the plugin's fiscal_benefit callback applies */
/* ABI 1.3: a rate, share, gap or ratio, whose value does not grow with the
 * area's size, so it can be compared with a benchmark area's (England, the
 * region): a count of people cannot. Only these are compared. */
#define OC_INDICATOR_COMPARABLE 0x4u

/* An indicator the plugin emits for every area and period. */
typedef struct oc_indicator_spec {
    const char *name;       /* e.g. "claimant_rate"; NULL ends the list */
    const char *units;      /* e.g. "% of working-age population" */
    oc_direction direction;
    const char *doc;        /* one line */
    unsigned flags;         /* OC_INDICATOR_* */
} oc_indicator_spec;

/* Computes every indicator's series for one area. The host has filled the
 * inputs (see outcomes/evaluation.h) and NaN-filled every output; the
 * plugin writes the outputs it can and leaves NaN where a value cannot be
 * computed (missing input, zero denominator). Write NaN, not an infinity:
 * an infinite value is taken as missing, and where it displaces the value
 * or the baseline, or falls among the SPC chart's periods, the result's
 * message says the plugin gave one, for which period. Return OC_OK, or a
 * negative status with a message in error: the area's results become
 * "failed" (or "insufficient_data" for OC_ERROR_INSUFFICIENT_DATA). Called
 * once per area, possibly many thousand times: keep it allocation-free
 * where you can.
 *
 * Processes and threads: the host process never calls it; worker
 * processes forked from it (after it loaded the plugin) do, each from its
 * one thread, one area after another: never two calls at once in one
 * process. Several workers, of one metric too, run at the same time
 * (`--jobs`), each with its own copy of the plugin's globals, so those
 * need no locks, but files and other things outside the process are
 * shared. A worker runs job after job of one metric, so globals and
 * memory a call leaves persist to its later areas and jobs: do not rely
 * on a fresh process, and do not leak. */
typedef int (*oc_evaluate_fn)(struct oc_evaluation *evaluation, oc_error *error);

/* Optional. Turns an indicator's change from baseline into a fiscal benefit
 * in pounds, for indicators flagged OC_INDICATOR_FISCAL_BENEFIT. `change` is
 * value - baseline_value in the indicator's units (negative for a fall),
 * always finite: the host calls this only for a result that has both. Set
 * *benefit to the money the change saves: positive for a change that saves
 * money, negative for one that costs it (the bundled worklessness plugin
 * writes -change x unit cost, so a fall in claimants is a positive
 * benefit). The host reports it as written (return_on_investment is
 * benefit / intervention_cost); NaN or an infinity is reported as null.
 * A status other than OC_OK makes fiscal_benefit and return_on_investment
 * null, whatever benefit holds, and adds "fiscal benefit: " and error's
 * message to the result's message; the result's status and other fields
 * stand. Called in the same worker and thread as evaluate, right after
 * evaluate for the same area, with the same evaluation (area, parameters,
 * outputs). */
typedef int (*oc_fiscal_benefit_fn)(const struct oc_evaluation *evaluation,
                                    size_t indicator, double change,
                                    double *benefit, oc_error *error);

typedef struct oc_plugin_descriptor {
    uint32_t struct_size;   /* sizeof(oc_plugin_descriptor) as compiled */
    uint16_t abi_major;     /* OC_ABI_MAJOR as compiled */
    uint16_t abi_minor;     /* OC_ABI_MINOR as compiled */
    const char *name;       /* unique plugin name, [a-z0-9_] */
    const char *version;    /* the plugin's own version, e.g. "1.2.0" */
    const char *description;/* one line */
    const char *license;    /* SPDX identifier, e.g. "MIT" */
    const oc_input_spec *inputs;          /* NULL-name terminated ({0}) */
    const oc_parameter_spec *parameters;  /* NULL-name terminated, may be NULL */
    const oc_indicator_spec *indicators;  /* NULL-name terminated, at least one */
    oc_evaluate_fn evaluate;              /* required */
    oc_fiscal_benefit_fn fiscal_benefit;  /* optional */
    /* ABI 1.2: NULL-name terminated, may be NULL (no ranges). Set
     * abi_minor to at least 2 when it is not NULL. */
    const oc_parameter_range *parameter_ranges;
    void *reserved[7];      /* zero; room for minor versions to grow into */
} oc_plugin_descriptor;

/* The entry function every plugin exports. Returns a pointer to static
 * storage owned by the plugin; never NULL for a working plugin. */
typedef const oc_plugin_descriptor *(*oc_plugin_entry_fn)(void);

/* Defines the entry function for a descriptor variable. */
#define OC_PLUGIN_DEFINE(descriptor_variable)                              \
    OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry(void);     \
    OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry(void)      \
    {                                                                      \
        return &(descriptor_variable);                                     \
    }

#ifdef __cplusplus
}
#endif
#endif
