/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* mkdir -p with the given mode for created components. */
int orc_mkdir_p(const char *path, mode_t mode, orc_error_t *err);
/* Writes data to path atomically (tmp file + fsync + rename). */
int orc_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                          orc_error_t *err);
/* Reads a whole file of at most max bytes; *ret is NUL-terminated. */
int orc_read_file(const char *path, size_t max, char **ret, size_t *ret_len, orc_error_t *err);
/*
 * rm -rf, safe where others wrote the tree (image layers, containers' files): never follows
 * a symlink (the link goes, not what it points to), never enters nor changes a directory on
 * another file system or mount (a mounted volume stays, and the removal fails with EBUSY
 * naming it; so does path itself when it is a mount point), adds owner rwx to directories
 * that lack it (a read-only directory's entries can go), and works at any depth (paths
 * longer than PATH_MAX) with a constant number of file descriptors. Whatever can go goes;
 * the first failure is reported. A missing path is success.
 */
int orc_rm_rf(const char *path, orc_error_t *err);
/* The same for name in the directory dirfd (an O_PATH fd will do). */
int orc_rm_rf_at(int dirfd, const char *name, orc_error_t *err);
/* The directory a path is in and its last component, trailing slashes aside: "/a/b/" is
 * "/a" and "b", "b" is "." and "b", "/b" is "/" and "b", "/" is "/" and "" (callers that
 * want a name check for "", "." and ".."). Both allocated. */
void orc_path_split(const char *path, char **ret_parent, char **ret_name);
/* Joins two path components with exactly one '/'. */
char *orc_path_join(const char *a, const char *b);
