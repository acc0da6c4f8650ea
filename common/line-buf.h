/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Newline-delimited messages from a stream (the shim protocol's JSON lines): bytes are
 * appended as they are read, complete lines are looked at in order and taken out, from the
 * front or from the middle. Zero-initialised is empty; release with orc_line_buf_done().
 */
struct orc_line_buf {
    char *data; /* NUL-terminated after len */
    size_t len, cap;
};

/* One read(2) from fd, the buffer holding at most max bytes: > 0 the bytes read, 0 at end
 * of file, -EMSGSIZE when max bytes are held already, else -errno (-EAGAIN and -EINTR
 * included). */
ssize_t orc_line_buf_read(struct orc_line_buf *b, int fd, size_t max);

/* The complete line at *pos, without its '\n': true with *ret_line and *ret_len set and *pos
 * moved past the '\n'; false (nothing written) when no complete line starts at *pos. */
bool orc_line_buf_next(const struct orc_line_buf *b, size_t *pos, const char **ret_line,
                       size_t *ret_len);

/* Takes the n bytes at off out (lines handled); what follows moves up. */
void orc_line_buf_drop(struct orc_line_buf *b, size_t off, size_t n);

void orc_line_buf_done(struct orc_line_buf *b);
