/*
 * configuration_ini.c: getting a configuration file into an iniparser
 * dictionary without iniparser's traps: it prints errors on stderr (we
 * capture them into one line), and it silently keeps the last of two equal
 * keys, merges two equal sections and files keys that come before any
 * section under "" (we refuse all three, scanning the file's structure
 * with iniparser's own line rules so both readings agree).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "atomic_file.h"
#include "configuration_internal.h"

/* ---- iniparser's error messages, captured ---- */

/* iniparser's callback has no user pointer, so the capture lives here; the
 * first message wins (later ones are usually consequences). */
static _Thread_local char captured_message[OC_ERROR_MESSAGE_SIZE];
static _Thread_local int captured_line;
static _Thread_local int captured_kind;

enum { CAPTURED_NONE, CAPTURED_SYNTAX, CAPTURED_TOO_LONG, CAPTURED_OTHER };

/* Recognises the two messages of iniparser 4.1 that carry a line number
 * and keeps their parts; anything else is kept as text. */
static int capture_iniparser_message(const char *format, ...)
{
    if (captured_kind != CAPTURED_NONE)
        return 0;
    va_list arguments;
    va_start(arguments, format);
    if (strstr(format, "syntax error in %s (%d):\n-> %s") != NULL) {
        (void)va_arg(arguments, const char *);
        captured_line = va_arg(arguments, int);
        snprintf(captured_message, sizeof captured_message, "%s",
                 va_arg(arguments, const char *));
        captured_kind = CAPTURED_SYNTAX;
    } else if (strstr(format, "input line too long in %s (%d)") != NULL) {
        (void)va_arg(arguments, const char *);
        captured_line = va_arg(arguments, int);
        captured_kind = CAPTURED_TOO_LONG;
    } else {
        vsnprintf(captured_message, sizeof captured_message, format, arguments);
        for (char *c = captured_message; *c != '\0'; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' ';
        size_t length = strlen(captured_message);
        while (length > 0 && captured_message[length - 1] == ' ')
            captured_message[--length] = '\0';
        captured_kind = CAPTURED_OTHER;
    }
    va_end(arguments);
    return 0;
}

static int captured_error(const char *path, oc_error *error)
{
    switch (captured_kind) {
    case CAPTURED_SYNTAX:
        return oc_error_set(error, OC_ERROR_CONFIG,
                            "%s: line %d: syntax error: '%.120s' (expected [section], "
                            "key = value or a comment)",
                            path, captured_line, captured_message);
    case CAPTURED_TOO_LONG:
        return oc_error_set(error, OC_ERROR_CONFIG,
                            "%s: line %d: line too long (at most 1023 characters)", path,
                            captured_line);
    case CAPTURED_OTHER:
        return oc_error_set(error, OC_ERROR_CONFIG, "%s: %s", path, captured_message);
    default:
        return oc_error_set(error, OC_ERROR_CONFIG, "%s: cannot be parsed", path);
    }
}

/* ---- structure scan: duplicates and keys outside sections ---- */

/* The names seen so far, each with the line where it was first seen, are
 * kept in a jansson object used as a hash table of strings: a look-up per
 * line must not grow with the file (a list made 80,000 keys in a section
 * take 13 s). jansson is linked for the JSON output anyway, and its table
 * grows and hashes whole names; libc's hsearch_r does neither (its fixed
 * size must be guessed, and it hashes only a name's first characters, so
 * keys sharing a long prefix would all collide). Names are stored with
 * json_object_set_new_nocheck: they are bytes from the file, not
 * necessarily UTF-8, and jansson copies them. */

/* The line where name was first seen, or 0. */
static int seen_find(const json_t *seen, const char *name)
{
    return (int)json_integer_value(json_object_get(seen, name));
}

static int seen_add(json_t *seen, const char *name, int line)
{
    return json_object_set_new_nocheck(seen, name, json_integer(line)) == 0 ? OC_OK
                                                                             : OC_ERROR_NO_MEMORY;
}

/* A newly allocated, stripped, lower-cased copy of text[0..length), as
 * iniparser files section and key names. */
static char *name_from(const char *text, size_t length)
{
    while (length > 0 && isspace((unsigned char)*text)) {
        text++;
        length--;
    }
    while (length > 0 && isspace((unsigned char)text[length - 1]))
        length--;
    char *name = strndup(text, length);
    if (name != NULL)
        for (char *c = name; *c != '\0'; c++)
            *c = (char)tolower((unsigned char)*c);
    return name;
}

typedef struct scan_state {
    const char *path;
    json_t *sections;      /* name -> first line */
    json_t *keys;          /* of the current section: name -> first line */
    char *section;         /* owned; NULL before the first */
} scan_state;

/* What iniparser would silently lose of a value, or NULL: it reads
 * `"abc` (no closing quote) as abc, and `'it's'` or `"a" b` only up to
 * the first closing quote, dropping the rest. After the closing quote
 * only blanks or a comment (; or #) may follow. */
static const char *value_problem(const char *value)
{
    value += strspn(value, " \t");
    if (*value != '"' && *value != '\'') {
        /* Unquoted, iniparser ends the value at the first ; or #: a
         * comment after a blank is meant, one glued to the value
         * ("2015-02;2016-05", "run#2.h5") drops the rest unseen. */
        const char *comment = strpbrk(value, ";#");
        if (comment != NULL && comment > value && comment[-1] != ' ' && comment[-1] != '\t')
            return *comment == ';'
                       ? "';' inside the value would end it (iniparser reads the rest as a "
                         "comment): separate items with commas, put a blank before a comment, "
                         "or quote the value"
                       : "'#' inside the value would end it (iniparser reads the rest as a "
                         "comment): put a blank before a comment, or quote the value";
        return NULL;
    }
    const char *closing = strchr(value + 1, *value);
    if (closing == NULL)
        return *value == '"' ? "the value opens a quote (\") it never closes"
                             : "the value opens a quote (') it never closes";
    const char *after = closing + 1;
    after += strspn(after, " \t");
    if (*after != '\0' && *after != ';' && *after != '#')
        return "text after the value's closing quote would be dropped (quote the whole value, "
               "or leave it unquoted)";
    return NULL;
}

/* Classifies one logical line as iniparser does: comment, [section] or
 * key = value (anything else iniparser has already refused). */
static int scan_line(scan_state *state, char *line, int line_number, oc_error *error)
{
    size_t length = strlen(line);
    while (length > 0 && isspace((unsigned char)line[length - 1]))
        line[--length] = '\0';
    char *start = line + strspn(line, " \t\r\f\v");
    if (*start == '\0' || *start == '#' || *start == ';')
        return OC_OK;
    if (*start == '[' && line[length - 1] == ']') {
        char *name = name_from(start + 1, strcspn(start + 1, "]"));
        if (name == NULL)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
        if (name[0] == '\0') {
            /* iniparser would keep the section before it, and the keys
             * after it would silently replace that section's. */
            free(name);
            return oc_error_set(error, OC_ERROR_CONFIG,
                                "%s: line %d: a section needs a name: '%.60s'", state->path,
                                line_number, start);
        }
        int first_line = seen_find(state->sections, name);
        if (first_line != 0) {
            oc__config_error_at(state->path, name, NULL, error,
                                "section given twice (lines %d and %d)", first_line,
                                line_number);
            free(name);
            return OC_ERROR_CONFIG;
        }
        if (seen_add(state->sections, name, line_number) != OC_OK) {
            free(name);
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
        }
        free(state->section);
        state->section = name;
        json_object_clear(state->keys);
        return OC_OK;
    }
    char *equals = strchr(start, '=');
    if (equals == NULL)
        return OC_OK;
    char *key = name_from(start, (size_t)(equals - start));
    if (key == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    int status = OC_OK;
    int first_line;
    if (state->section == NULL) {
        status = oc_error_set(error, OC_ERROR_CONFIG,
                              "%s: line %d: key '%.60s' comes before any section (global "
                              "keys go under [" OC__CONFIG_GLOBAL_SECTION "])",
                              state->path, line_number, key);
    } else if ((first_line = seen_find(state->keys, key)) != 0) {
        status = oc__config_error_at(state->path, state->section, key, error,
                                     "key given twice (lines %d and %d)", first_line,
                                     line_number);
    } else if (seen_add(state->keys, key, line_number) != OC_OK) {
        status = oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    } else {
        const char *problem = value_problem(equals + 1);
        if (problem != NULL)
            status = oc__config_error_at(state->path, state->section, key, error, "%s (line %d)",
                                         problem, line_number);
    }
    free(key);
    return status;
}

/* Joins continuation lines (a line ending in a backslash goes on in the
 * next, even a comment's, as in iniparser) and scans each logical line. */
static int scan_structure(FILE *file, scan_state *state, oc_error *error)
{
    char *physical = NULL, *logical = NULL;
    size_t physical_size = 0, logical_length = 0;
    int line_number = 0, logical_first_line = 0, status = OC_OK;
    ssize_t read;
    while (status == OC_OK && (read = getline(&physical, &physical_size, file)) >= 0) {
        line_number++;
        size_t length = (size_t)read;
        while (length > 0 && isspace((unsigned char)physical[length - 1]))
            length--;
        int continues = length > 0 && physical[length - 1] == '\\';
        if (continues)
            length--;
        char *grown = realloc(logical, logical_length + length + 1);
        if (grown == NULL) {
            status = oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
            break;
        }
        logical = grown;
        if (logical_length == 0)
            logical_first_line = line_number;
        memcpy(logical + logical_length, physical, length);
        logical_length += length;
        logical[logical_length] = '\0';
        if (!continues) {
            status = scan_line(state, logical, logical_first_line, error);
            logical_length = 0;
        }
    }
    if (status == OC_OK && logical_length > 0)
        status = scan_line(state, logical, logical_first_line, error);
    free(physical);
    free(logical);
    return status;
}

/* ---- reading ---- */

/* Only a regular file can be read as a configuration: /dev/zero never
 * ends, a pipe cannot be read twice (iniparser reads the file, then the
 * structure scan does), and opening a FIFO nobody writes to never
 * returns. */
static int refuse_unless_regular(const char *path, mode_t mode, oc_error *error)
{
    if (S_ISREG(mode))
        return OC_OK;
    return oc_error_set(error, OC_ERROR_CONFIG,
                        "%s: is %s, not a regular file (save the configuration in a file "
                        "and give its path)",
                        path, oc__file_kind_name(mode));
}

/* iniparser reads lines as C strings: a NUL byte ends a line early, and
 * it then calls the line too long. A NUL means the file is not text (a
 * store given by mistake, a UTF-16 file), so say that, with the line. */
static int refuse_nul_bytes(const char *path, FILE *file, oc_error *error)
{
    char buffer[65536];
    long line = 1;
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) {
        const char *nul = memchr(buffer, '\0', got);
        size_t scanned = nul != NULL ? (size_t)(nul - buffer) : got;
        for (size_t i = 0; i < scanned; i++)
            line += buffer[i] == '\n';
        if (nul != NULL)
            return oc_error_set(error, OC_ERROR_CONFIG,
                                "%s: line %ld: contains a NUL byte (is this a text file?)", path,
                                line);
    }
    if (ferror(file))
        return oc_error_set(error, OC_ERROR_CONFIG, "%s: cannot be read: %s", path,
                            strerror(errno));
    rewind(file);
    return OC_OK;
}

int oc__config_read_ini(const char *path, dictionary **dictionary_out, oc_error *error)
{
    struct stat information;
    if (stat(path, &information) != 0)
        return oc_error_set(error, OC_ERROR_CONFIG, "%s: cannot be read: %s", path,
                            strerror(errno));
    int status = refuse_unless_regular(path, information.st_mode, error);
    if (status != OC_OK)
        return status;
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return oc_error_set(error, OC_ERROR_CONFIG, "%s: cannot be read: %s", path,
                            strerror(errno));
    /* what was opened, in case the path changed since stat */
    status = fstat(fileno(file), &information) != 0
                 ? oc_error_set(error, OC_ERROR_CONFIG, "%s: cannot be read: %s", path,
                                strerror(errno))
                 : refuse_unless_regular(path, information.st_mode, error);
    if (status != OC_OK) {
        fclose(file);
        return status;
    }

    unsigned char opening[3];
    if (fread(opening, 1, 3, file) == 3 && memcmp(opening, "\xEF\xBB\xBF", 3) == 0) {
        /* Notepad's UTF-8: iniparser would call the first line a syntax
         * error, and show it looking right. */
        fclose(file);
        return oc_error_set(error, OC_ERROR_CONFIG,
                            "%s: line 1: starts with a byte-order mark (U+FEFF); save the file "
                            "as UTF-8 without one",
                            path);
    }
    rewind(file);
    status = refuse_nul_bytes(path, file, error);
    if (status != OC_OK) {
        fclose(file);
        return status;
    }
    captured_kind = CAPTURED_NONE;
    captured_message[0] = '\0';
    iniparser_set_error_callback(capture_iniparser_message);
    dictionary *loaded = iniparser_load(path);
    iniparser_set_error_callback(NULL);
    if (loaded == NULL || captured_kind != CAPTURED_NONE) {
        fclose(file);
        iniparser_freedict(loaded);
        return captured_error(path, error);
    }

    scan_state state = {.path = path, .sections = json_object(), .keys = json_object()};
    if (state.sections == NULL || state.keys == NULL)
        status = oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    else
        status = scan_structure(file, &state, error);
    if (status == OC_OK && ferror(file))
        status = oc_error_set(error, OC_ERROR_CONFIG, "%s: cannot be read: %s", path,
                              strerror(errno));
    json_decref(state.sections);
    json_decref(state.keys);
    free(state.section);
    fclose(file);
    if (status != OC_OK) {
        iniparser_freedict(loaded);
        return status;
    }
    *dictionary_out = loaded;
    return OC_OK;
}
