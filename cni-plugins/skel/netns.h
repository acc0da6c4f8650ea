/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

#include "error.h"

/* Opens a network namespace by path; a missing one is CNI_ERR_UNKNOWN_CONTAINER. */
int netns_open(const char *path, int *ret_fd, orc_error_t *err);

/*
 * Joins the user namespace that owns netns_fd (unless this process is in it already), then
 * the network namespace itself: an unprivileged process may enter a namespace only through
 * its owner. Joining a user namespace needs a single-threaded process.
 */
int netns_enter(int netns_fd, orc_error_t *err);

/*
 * Runs fn in a child process that entered the namespace. fn may hand one file descriptor
 * back (e.g. a tap device), received in *ret_fd (-1 if none; ret_fd may be NULL). The
 * child's error, with its CNI code, becomes the caller's.
 */
typedef int (*netns_fn)(void *arg, int *ret_fd, orc_error_t *err);
int netns_run(int netns_fd, netns_fn fn, void *arg, int *ret_fd, orc_error_t *err);

/* The pid named by a "/proc/PID/ns/net" path whose namespace is still netns_fd's, else 0. */
pid_t netns_owner_pid(const char *path, int netns_fd);
