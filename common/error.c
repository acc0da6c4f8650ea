/* SPDX-License-Identifier: Apache-2.0 */
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

int orc_error_makev(orc_error_t *err, int status, const char *fmt, va_list ap)
{
    if (err) {
        orc_error_t e = xmalloc(sizeof(*e));
        char *m = NULL;
        if (vasprintf(&m, fmt, ap) < 0)
            abort();
        if (status > 0) {
            char *full = xasprintf("%s: %s", m, strerror(status));
            free(m);
            m = full;
        }
        e->status = status;
        e->msg = m;
        if (*err)
            orc_error_release(err);
        *err = e;
    }
    return status > 0 ? -status : -1;
}

int orc_error_make(orc_error_t *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = orc_error_makev(err, status, fmt, ap);
    va_end(ap);
    return r;
}

int orc_error_make_as(orc_error_t *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = orc_error_makev(err, 0, fmt, ap);
    va_end(ap);
    if (err && *err)
        (*err)->status = status;
    return status > 0 ? -status : r;
}

int orc_error_wrap(orc_error_t *err, const char *fmt, ...)
{
    if (!err || !*err)
        return -1;
    char *ctx = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&ctx, fmt, ap) < 0)
        abort();
    va_end(ap);
    char *m = xasprintf("%s: %s", ctx, (*err)->msg);
    free(ctx);
    free((*err)->msg);
    (*err)->msg = m;
    return orc_error_code(*err);
}

const char *orc_error_message(orc_error_t err)
{
    return err && err->msg ? err->msg : "unknown error";
}

void orc_error_release(orc_error_t *err)
{
    if (!err || !*err)
        return;
    free((*err)->msg);
    free(*err);
    *err = NULL;
}
