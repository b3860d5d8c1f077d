/*
 * outcomes/common.h: the pieces every part of the public API shares:
 * version numbers, the export macro, status codes and the error buffer.
 *
 * Conventions used across the whole API:
 *  - functions return an int status: OC_OK (0) on success, a negative
 *    oc_status on failure, and fill an oc_error the caller can print;
 *  - an oc_error pointer may always be NULL when the caller does not care;
 *  - every pointer's ownership is stated where it is declared.
 */
#ifndef OUTCOMES_COMMON_H
#define OUTCOMES_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OC_VERSION_STRING "0.1.0"

/* Marks the symbols liboutcomes exports; everything else is built with
 * -fvisibility=hidden and stays private. Plugins use OC_PLUGIN_EXPORT. */
#if defined(__GNUC__) || defined(__clang__)
#define OC_EXPORT __attribute__((visibility("default")))
#else
#define OC_EXPORT
#endif

typedef enum oc_status {
    OC_OK = 0,
    OC_ERROR_INVALID = -1,      /* an argument or input value is invalid */
    OC_ERROR_NO_MEMORY = -2,    /* an allocation failed */
    OC_ERROR_IO = -3,           /* a file could not be read or written */
    OC_ERROR_FORMAT = -4,       /* a file's contents are malformed */
    OC_ERROR_NOT_FOUND = -5,    /* a named file, object, key or area is absent */
    OC_ERROR_INSUFFICIENT_DATA = -6, /* too little data to compute a result */
    OC_ERROR_PLUGIN = -7,       /* a plugin failed, crashed or is incompatible */
    OC_ERROR_CONFIG = -8        /* the configuration is wrong */
} oc_status;

#define OC_ERROR_MESSAGE_SIZE 512

/* A status and a one-line message. The caller owns the struct (usually on
 * the stack); no function keeps a pointer to it. */
typedef struct oc_error {
    int status;
    char message[OC_ERROR_MESSAGE_SIZE];
} oc_error;

/* Sets error (if not NULL) to status and the printf-style message, and
 * returns status, so that `return oc_error_set(err, OC_ERROR_IO, ...)` reads
 * naturally. The message is truncated to fit. */
OC_EXPORT int oc_error_set(oc_error *error, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears error (if not NULL) to OC_OK and an empty message. */
OC_EXPORT void oc_error_clear(oc_error *error);

/* A static, human-readable name for a status, e.g. "invalid argument". */
OC_EXPORT const char *oc_status_name(int status);

/* The library's version, e.g. "0.1.0". Static string. */
OC_EXPORT const char *oc_version(void);

#ifdef __cplusplus
}
#endif
#endif
