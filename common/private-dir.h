/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * Directories private to this user, and the files kept in them. Where several users share
 * a parent (/tmp without XDG_RUNTIME_DIR), a directory someone else made first, or made
 * readable, is refused rather than used: the socket, the state files naming pids to signal
 * and the logs live there.
 */

/* Where the runtime directory NAME of a user lives: *ret_parent = xdg_runtime_dir and
 * *ret_sub = NAME when xdg_runtime_dir is an absolute path, else "/tmp" and "NAME-UID".
 * Pure; the caller frees both. */
void orc_runtime_dir_split(const char *xdg_runtime_dir, const char *name, unsigned uid,
                           char **ret_parent, char **ret_sub);
/* The same, joined: $XDG_RUNTIME_DIR/NAME or /tmp/NAME-UID. Caller frees. */
char *orc_runtime_dir(const char *xdg_runtime_dir, const char *name, unsigned uid);

/* An XDG base directory: $VAR when set to an absolute path, else $HOME/FALLBACK (the spec
 * ignores relative values); NULL when HOME is not absolute either. Caller frees. */
char *orc_xdg_dir(const char *var, const char *fallback);

/* "uid 1001 (alice)", or "uid 1001" for a uid without a name (a subordinate one), for
 * messages about owners. Caller frees. */
char *orc_describe_uid(uid_t uid);

/*
 * Opens PARENT/SUB (SUB is "a" or "a/b/..."), creating what is missing. PARENT is trusted:
 * it is created as by mkdir -p when missing, and not checked. Every component of SUB must be
 * a directory (not a symlink) owned by this user with mode 0700; the ones made here get that
 * mode whatever the umask. Anything else is refused with EPERM (ELOOP for a symlink,
 * ENOTDIR) and a message naming the directory, its owner or mode, and the remedy.
 * Returns an O_PATH descriptor of PARENT/SUB, for the *at() calls below.
 */
int orc_private_dir_open(const char *parent, const char *sub, orc_error_t *err);
/* Checks an existing directory, creating nothing: a directory (not a symlink) owned by this
 * user in which no one else may write (0700 and 0755 pass, 0775 does not): whatever it holds
 * is the user's. 0, or -ENOENT when it does not exist, or another negative status with *err
 * set, as above. */
int orc_owned_dir_check(const char *path, orc_error_t *err);

/*
 * Opens NAME in directory dirfd as a regular file, never following a symlink and never
 * blocking on a FIFO or device (O_NOFOLLOW, O_NONBLOCK until checked, O_CLOEXEC added).
 * Returns the fd or -errno (-ELOOP for a symlink, -EINVAL for anything but a regular file).
 */
int orc_openat_regular(int dirfd, const char *name, int flags, mode_t mode);
/* Reads the regular file NAME of dirfd, at most max bytes; *ret is NUL-terminated.
 * Returns 0 or -errno (-ENOENT when missing). */
int orc_read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len);
/* Replaces NAME in dirfd atomically: a fresh temporary file (O_EXCL, never through a
 * symlink), fsync, renameat. */
int orc_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                             orc_error_t *err);
