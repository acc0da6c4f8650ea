/* SPDX-License-Identifier: Apache-2.0 */
#include "text-buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void reserve(struct text_buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return;
    b->cap = (b->len + n + 1) * 2;
    if (b->cap < 256)
        b->cap = 256;
    b->data = xrealloc(b->data, b->cap);
}

void text_buf_add(struct text_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void text_buf_puts(struct text_buf *b, const char *s)
{
    text_buf_add(b, s, strlen(s));
}

void text_buf_printf(struct text_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    reserve(b, (size_t) n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t) n;
}

char *text_buf_steal(struct text_buf *b, size_t *ret_len)
{
    char *text = b->data ? b->data : xstrdup("");
    if (ret_len)
        *ret_len = b->len;
    *b = (struct text_buf){0};
    return text;
}

void text_buf_done(struct text_buf *b)
{
    free(b->data);
    *b = (struct text_buf){0};
}
