/*
 * result.h: one evaluation result (metric x indicator x area), the record
 * that the engine produces, the plugin runner carries over the pipe and the
 * output writers print. Field names follow the JSON schema in
 * docs/results.md one for one.
 *
 * Numbers are NaN and strings NULL where "not applicable" (printed as null
 * in JSON, empty in CSV, "-" in the table). Every string is owned by the
 * result and freed by oc__result_clear (one by one, or as one text_block).
 */
#ifndef OC_RESULT_H
#define OC_RESULT_H

#include <stddef.h>

typedef enum oc__result_status {
    OC_RESULT_OK = 0,
    OC_RESULT_INSUFFICIENT_DATA = 1,
    OC_RESULT_FAILED = 2
} oc__result_status;

typedef struct oc__result {
    char *metric;          /* configuration section name */
    char *indicator;
    char *plugin;
    char *plugin_version;
    char *area;            /* area code */
    char *area_name;
    char *period;          /* ISO date of the observation used, "2016-11-01" */
    double value;
    double ci_lower;
    double ci_upper;
    char *baseline_period;
    double baseline_value;
    double change;         /* value - baseline_value */
    double change_pct;     /* 100 * change / baseline_value */
    double target_value;
    char *target_date;
    double expected_value; /* on the trajectory at period */
    double progress_pct;
    char *rag;             /* "green", "amber", "red" */
    char *spc_signal;      /* oc_spc_variation_name of the latest point */
    char *spc_rule;        /* oc_spc_rule_name */
    char *assurance;       /* oc_spc_assurance_name */
    char *trend;           /* "increasing", "decreasing", "no_significant_change" */
    char *comparator;      /* comparator area code */
    double comparator_change;
    double did;
    double fiscal_benefit;
    double score;
    oc__result_status status;
    char *message;
    char *benchmark;       /* benchmark area code */
    double benchmark_value;      /* the benchmark's value at `period` */
    char *benchmark_comparison;  /* "similar", "better", "worse", "higher", "lower",
                                  * "not_compared" */
    double return_on_investment; /* fiscal_benefit / the metric's intervention_cost */
    /* NULL, or one allocation that every string above points into (a
     * copy made by oc__result_copy): then oc__result_clear frees only it,
     * and its strings must not be replaced or freed one by one. */
    char *text_block;
} oc__result;

/* Every field above in the documented order of the JSON fields and CSV
 * columns (docs/results.md), for the code that goes through them one by
 * one: the wire format, the writers, copying and clearing. STRING, NUMBER
 * and STATUS are macros taking the member's name; each field is handed to
 * the one of its type. Scripts depend on the order, so only append. */
#define OC__RESULT_FIELDS(STRING, NUMBER, STATUS)                                               \
    STRING(metric) STRING(indicator) STRING(plugin) STRING(plugin_version) STRING(area)        \
    STRING(area_name) STRING(period) NUMBER(value) NUMBER(ci_lower) NUMBER(ci_upper)           \
    STRING(baseline_period) NUMBER(baseline_value) NUMBER(change) NUMBER(change_pct)           \
    NUMBER(target_value) STRING(target_date) NUMBER(expected_value) NUMBER(progress_pct)       \
    STRING(rag) STRING(spc_signal) STRING(spc_rule) STRING(assurance) STRING(trend)            \
    STRING(comparator) NUMBER(comparator_change) NUMBER(did) NUMBER(fiscal_benefit)            \
    NUMBER(score) STATUS(status) STRING(message) STRING(benchmark) NUMBER(benchmark_value)     \
    STRING(benchmark_comparison) NUMBER(return_on_investment)

/* The number of string fields. */
#define OC__RESULT_COUNT_ONE(member) +1
#define OC__RESULT_COUNT_NONE(member)
#define OC__RESULT_STRING_COUNT                                                                 \
    (0 OC__RESULT_FIELDS(OC__RESULT_COUNT_ONE, OC__RESULT_COUNT_NONE, OC__RESULT_COUNT_NONE))

/* Sets every number to NaN, every string to NULL and status to OK. */
void oc__result_init(oc__result *result);

/* Frees the strings and reinitialises. */
void oc__result_clear(oc__result *result);

/* Makes *copy a result of its own equal to original (whose strings may be
 * borrowed, e.g. a view from core/wire.h): its strings in one new
 * text_block, freed by oc__result_clear. OC_ERROR_NO_MEMORY (copy
 * initialised, nothing allocated) when out of memory. */
int oc__result_copy(oc__result *copy, const oc__result *original);

/* A copy of text for a result's string field, or NULL for NULL text (and
 * when out of memory: callers that must tell the two apart check text). */
char *oc__result_copy_text(const char *text);

/* "ok", "insufficient_data", "failed". */
const char *oc__result_status_name(oc__result_status status);

/* A growable array of results; owns its elements. */
typedef struct oc__result_list {
    oc__result *items;
    size_t count;
    size_t capacity;
} oc__result_list;

/* Appends a copy of nothing: returns a pointer to a new initialised result
 * inside the list (valid until the next append), or NULL when out of memory. */
oc__result *oc__result_list_append(oc__result_list *list);

/* Appends a copy of original (see oc__result_copy): the copy in the list,
 * or NULL when out of memory (the list unchanged). */
oc__result *oc__result_list_append_copy(oc__result_list *list, const oc__result *original);

/* Appends a copy of every result of originals (which may be borrowed
 * views). OC_ERROR_NO_MEMORY when out of memory; the copies made so far
 * stay in the list. */
int oc__result_list_append_copies(oc__result_list *list, const oc__result_list *originals);

void oc__result_list_free(oc__result_list *list);

#endif
