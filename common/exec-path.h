/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"

/* The search path when $PATH is unset. */
#define ORC_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/*
 * Finds the program NAME as execvp(3) would run it: a name with a '/' is taken as it is;
 * otherwise the first DIR/NAME that is a regular file we may execute, DIR from the
 * ':'-separated list dirs (NULL: $PATH, else ORC_DEFAULT_PATH; empty entries are skipped).
 * Not found: -ENOENT.
 */
int orc_find_program(const char *name, const char *dirs, char **ret_path, orc_error_t *err);

/* The directory of the running program (/proc/self/exe without its last component). */
int orc_self_dir(char **ret_dir, orc_error_t *err);

/* REL (a relative path) from the running program's directory, canonical (realpath(3)); a
 * path that does not exist is -ENOENT. How an installed program finds its companions under
 * any prefix, and a program in the build tree its neighbours. */
int orc_self_path(const char *rel, char **ret_path, orc_error_t *err);

/* The first of the NULL-terminated relative paths tries that leads from the running program's
 * directory to a program we may execute (as orc_self_path, then orc_find_program); -ENOENT
 * when none does. */
int orc_self_find_program(const char *const tries[], char **ret_path, orc_error_t *err);
