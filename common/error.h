/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdarg.h>

/*
 * One error convention for all of orc: a function that can fail returns >= 0 on success
 * and leaves *err untouched, or returns a negative value with *err set to an allocated
 * error carrying an errno-style status and a message. Callers add context going up with
 * orc_error_wrap(); only a boundary prints and releases it.
 */
struct orc_error_s {
    int status; /* errno value, 0 when not from a syscall */
    char *msg;
};
typedef struct orc_error_s *orc_error_t;

/* Sets *err (if err != NULL) and returns -1 (or -status when status > 0). */
int orc_error_make(orc_error_t *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int orc_error_makev(orc_error_t *err, int status, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* As orc_error_make, for a message that already says what went wrong: status is kept for
 * callers to test (ETIMEDOUT, ECANCELED) but not appended as text. */
int orc_error_make_as(orc_error_t *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message of *err with "context: "; returns the same negative code. */
int orc_error_wrap(orc_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "msg: strerror(status)" or just "msg"; returned string is owned by the error. */
const char *orc_error_message(orc_error_t err);

/* Releases *err and sets it to NULL; accepts NULL. */
void orc_error_release(orc_error_t *err);

/* Negative return code matching an error. */
static inline int orc_error_code(orc_error_t err)
{
    return (err && err->status > 0) ? -err->status : -1;
}
