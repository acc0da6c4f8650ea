/* SPDX-License-Identifier: Apache-2.0 */
#include "strv.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

size_t strv_length(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

char **strv_copy(char *const *v)
{
    size_t n = strv_length(v);
    char **r = new0(char *, n + 1);
    for (size_t i = 0; i < n; i++)
        r[i] = xstrdup(v[i]);
    return r;
}

char **strv_push(char **v, const char *s)
{
    size_t n = strv_length(v);
    v = xrealloc(v, sizeof(char *) * (n + 2));
    v[n] = xstrdup(s);
    v[n + 1] = NULL;
    return v;
}

bool strv_contains(char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

char *strv_join(char *const *v, const char *sep)
{
    size_t len = 1, n_sep = strlen(sep);
    for (size_t i = 0; v && v[i]; i++)
        len += strlen(v[i]) + n_sep;
    char *out = xmalloc(len), *p = out;
    for (size_t i = 0; v && v[i]; i++) {
        if (i) {
            memcpy(p, sep, n_sep);
            p += n_sep;
        }
        size_t n = strlen(v[i]);
        memcpy(p, v[i], n);
        p += n;
    }
    *p = '\0';
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

void strv_sort(char **v)
{
    if (v)
        qsort(v, strv_length(v), sizeof(char *), cmp_str);
}

char **strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
    return NULL;
}
