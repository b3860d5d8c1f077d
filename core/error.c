/* error.c: the error buffer and status names every unit of the API shares. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <outcomes/common.h>

#include "commands.h"

int oc_error_set(oc_error *error, int status, const char *format, ...)
{
    if (error != NULL) {
        va_list args;
        error->status = status;
        va_start(args, format);
        vsnprintf(error->message, sizeof error->message, format, args);
        va_end(args);
    }
    return status;
}

void oc_error_clear(oc_error *error)
{
    if (error != NULL) {
        error->status = OC_OK;
        error->message[0] = '\0';
    }
}

const char *oc_status_name(int status)
{
    switch (status) {
    case OC_OK: return "ok";
    case OC_ERROR_INVALID: return "invalid argument";
    case OC_ERROR_NO_MEMORY: return "out of memory";
    case OC_ERROR_IO: return "input/output error";
    case OC_ERROR_FORMAT: return "malformed data";
    case OC_ERROR_NOT_FOUND: return "not found";
    case OC_ERROR_INSUFFICIENT_DATA: return "insufficient data";
    case OC_ERROR_PLUGIN: return "plugin failure";
    case OC_ERROR_CONFIG: return "configuration error";
    default: return "unknown status";
    }
}

const char *oc_version(void)
{
    return PACKAGE_VERSION;
}

/* Lives here, in the library, rather than in cli.c: the commands are part
 * of libocinternal (and so of liboutcomes.so), which must not depend on a
 * symbol only the executable defines, or loading a plugin that links
 * liboutcomes fails with "undefined symbol: oc__print_error". */
void oc__print_error(const char *format, ...)
{
    va_list args;
    fputs("outcomes: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
}
