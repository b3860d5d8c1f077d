/*
 * configuration_internal.h: what the configuration_*.c files share and
 * nothing else includes: reading the INI file, message prefixes, and the
 * parsers for the values of known keys. Each parser's message quotes the
 * text but names no file or key; the caller prefixes with
 * oc__config_error_at.
 */
#ifndef OC_CONFIGURATION_INTERNAL_H
#define OC_CONFIGURATION_INTERNAL_H

#include <stdarg.h>

#ifdef HAVE_INIPARSER_INIPARSER_H
#include <iniparser/iniparser.h>
#else
#include <iniparser.h>
#endif

#include "configuration.h"

/* "FILE: [section] key: MESSAGE" (key may be NULL) into error; returns
 * OC_ERROR_CONFIG. */
int oc__config_error_at(const char *path, const char *section, const char *key,
                        oc_error *error, const char *format, ...)
    __attribute__((format(printf, 5, 6)));
int oc__config_verror_at(const char *path, const char *section, const char *key,
                         oc_error *error, const char *format, va_list arguments)
    __attribute__((format(printf, 5, 0)));

/* The keys [outcomes] knows, and those a metric section knows besides
 * input.ROLE and its plugin's parameters: NULL-terminated, static. store,
 * baseline, confidence and time_limit are in both. */
extern const char *const oc__config_global_keys[];
extern const char *const oc__config_metric_keys[];

/* Whether key is one of the NULL-terminated keys. */
int oc__config_key_listed(const char *const *keys, const char *key);

/* "a, b, c" (or "none") in buffer, cut short to fit size, from the names
 * of a list of structs (or of strings) that each begin with a name and end
 * with a NULL one, entry_size bytes apart. Returns buffer or "none". */
const char *oc__config_name_list(const void *list, size_t entry_size, char *buffer,
                                 size_t size);

/* The Damerau-Levenshtein distance of a and b (in its optimal string
 * alignment form): the fewest characters inserted, deleted, replaced, or
 * swapped with the next, that turn a into b. SIZE_MAX when either is
 * longer than 127 bytes. */
size_t oc__config_edit_distance(const char *a, const char *b);

/* The known key nearest to a key that was typed, for a "did you mean"
 * hint: start from {0} (key "" = none near), then offer the candidates
 * with oc__config_suggest, the likelier first (an earlier one wins a tie).
 * Only a near miss is kept: at most two edits away, one for a key of four
 * characters or fewer. where is the caller's static note on where that
 * key goes (NULL: in this section), kept with it. */
typedef struct oc__config_suggestion {
    char key[OC_NAME_MAX + sizeof OC__CONFIG_INPUT_PREFIX];
    size_t distance;
    const char *where;
} oc__config_suggestion;

void oc__config_suggest(oc__config_suggestion *suggestion, const char *typed,
                        const char *candidate, const char *where);
/* Offers prefix + each name of a list, as oc__config_name_list reads it. */
void oc__config_suggest_from(oc__config_suggestion *suggestion, const char *typed,
                             const void *list, size_t entry_size, const char *prefix,
                             const char *where);

/* Loads path with iniparser after checking it can be read, capturing
 * iniparser's stderr messages into one line, and refuses what iniparser
 * silently accepts: a key given twice in a section (iniparser keeps the
 * last), a section given twice (iniparser merges), a key before the first
 * section. On success *dictionary is the caller's to iniparser_freedict. */
int oc__config_read_ini(const char *path, dictionary **dictionary, oc_error *error);

/* A finite number in [minimum, maximum]. */
int oc__config_parse_number(const char *text, double minimum, double maximum,
                            double *number, oc_error *error);
/* A whole number in [minimum, maximum]. */
int oc__config_parse_integer(const char *text, long minimum, long maximum, long *number,
                             oc_error *error);
/* true/false, yes/no, on/off, 1/0, any case. */
int oc__config_parse_boolean(const char *text, int *value, oc_error *error);
/* 95 or 99.8. */
int oc__config_parse_confidence(const char *text, double *level, oc_error *error);
/* "6930" (absolute) or "-10%", "+5%", "5%" (relative to the baseline,
 * at least -100%). */
int oc__config_parse_target(const char *text, oc__target_kind *kind, double *amount,
                            oc_error *error);
/* Splits text on whitespace and commas into newly allocated strings: the
 * caller frees each item and the array. An empty list is an error. */
int oc__config_split_list(const char *text, char ***items, size_t *count, oc_error *error);
/* text as is when absolute or when directory is NULL, else
 * "DIRECTORY/text". Newly allocated; NULL when memory runs out. */
char *oc__config_resolve_path(const char *directory, const char *text);

void oc__config_free_list(char **items, size_t count);
void oc__config_free_entries(oc__config_entry *entries, size_t count);

#endif
