/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Opening paths that others may change under us (volumes: a hostPath in a shared directory,
 * a subPath inside a volume a container writes to). The answer is an O_PATH descriptor of
 * what was found at the moment of the walk; mounting that descriptor (never the path again)
 * leaves no window for a symlink swapped in afterwards (kubelet's CVE-2017-1002101 and
 * CVE-2021-25741).
 */
#include <stdbool.h>

#include "error.h"

/* rel (relative, no ".." component) beneath dirfd: symlinks inside are followed only while
 * they stay beneath dirfd (openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS); on kernels
 * without openat2, a walk of O_NOFOLLOW opens that refuses every symlink. With create, a
 * missing directory is made (mode 0755), component by component, each opened the same way.
 * Returns an O_PATH | O_CLOEXEC fd. -ELOOP / -EXDEV for a path that leaves dirfd. */
int orc_open_beneath(int dirfd, const char *rel, bool create, orc_error_t *err);

/* An absolute path that must contain no symlink at all (RESOLVE_NO_SYMLINKS, or the walk):
 * for a path resolved earlier, which must still be what it was. O_PATH | O_CLOEXEC fd. */
int orc_open_no_symlinks(const char *path, orc_error_t *err);
