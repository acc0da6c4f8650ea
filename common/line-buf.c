/* SPDX-License-Identifier: Apache-2.0 */
#include "line-buf.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

#define LINE_BUF_MIN_READ 4096
#define LINE_BUF_FIRST 16384

ssize_t orc_line_buf_read(struct orc_line_buf *b, int fd, size_t max)
{
    if (b->len >= max)
        return -EMSGSIZE;
    if (b->cap - b->len < LINE_BUF_MIN_READ && b->cap < max) {
        size_t cap = b->cap ? b->cap * 2 : LINE_BUF_FIRST;
        b->cap = cap < max ? cap : max;
        b->data = xrealloc(b->data, b->cap + 1);
    }
    size_t room = (b->cap < max ? b->cap : max) - b->len;
    ssize_t n = read(fd, b->data + b->len, room);
    if (n < 0)
        return -errno;
    b->len += (size_t) n;
    b->data[b->len] = '\0';
    return n;
}

bool orc_line_buf_next(const struct orc_line_buf *b, size_t *pos, const char **ret_line,
                       size_t *ret_len)
{
    if (*pos >= b->len)
        return false;
    const char *start = b->data + *pos;
    const char *nl = memchr(start, '\n', b->len - *pos);
    if (!nl)
        return false;
    *ret_line = start;
    *ret_len = (size_t) (nl - start);
    *pos += *ret_len + 1;
    return true;
}

void orc_line_buf_drop(struct orc_line_buf *b, size_t off, size_t n)
{
    assert(off + n <= b->len);
    if (n == 0)
        return;
    memmove(b->data + off, b->data + off + n, b->len - off - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

void orc_line_buf_done(struct orc_line_buf *b)
{
    free(b->data);
    *b = (struct orc_line_buf){0};
}
