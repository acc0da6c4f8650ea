/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Loops over short writes and EINTR; returns 0 or -errno. */
int orc_write_all(int fd, const void *buf, size_t len);
/* Reads until EOF, at most max bytes (else -EFBIG); *ret is NUL-terminated. */
int orc_read_all(int fd, size_t max, char **ret, size_t *ret_len);
int orc_set_nonblock(int fd, bool on);
int orc_set_cloexec(int fd, bool on);
