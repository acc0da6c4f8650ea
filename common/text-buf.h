/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/* A growing text, always NUL-terminated once anything was added; aborts on OOM. */
struct text_buf {
    char *data;
    size_t len, cap;
};

void text_buf_add(struct text_buf *b, const char *s, size_t n);
void text_buf_puts(struct text_buf *b, const char *s);
void text_buf_printf(struct text_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the text out ("" when nothing was added; ret_len may be NULL) and empties b. */
char *text_buf_steal(struct text_buf *b, size_t *ret_len);
void text_buf_done(struct text_buf *b);
