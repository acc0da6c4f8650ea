/* SPDX-License-Identifier: Apache-2.0 */
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p)
{
    if (!p) {
        fputs("orc: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xmalloc(size_t n)
{
    return check(malloc(n ? n : 1));
}

void *xzalloc(size_t n)
{
    return check(calloc(1, n ? n : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
    return check(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
    return check(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
    return s ? check(strdup(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    return s ? check(strndup(s, n)) : NULL;
}

void *xmemdup(const void *p, size_t n)
{
    void *r = xmalloc(n);
    memcpy(r, p, n);
    return r;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *r = NULL;
    if (vasprintf(&r, fmt, ap) < 0)
        check(NULL);
    return r;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = xvasprintf(fmt, ap);
    va_end(ap);
    return r;
}
