/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/*
 * The one user namespace shared by all pods, held open by an `orc-shim holder` process so
 * that a restarted agent rejoins it. Root inside maps to the user; 1..N to the subordinate
 * range when /etc/subuid and /etc/subgid have one (single-uid mapping otherwise).
 */
struct userns {
    pid_t holder_pid;
    unsigned long long holder_start; /* /proc/PID/stat starttime: guards against pid reuse */
    uid_t host_uid;
    gid_t host_gid;
    uid_t subuid_start, subuid_count; /* count 0 = single-uid mapping */
    gid_t subgid_start, subgid_count;
};

/* Adopts the holder recorded in state_file if still alive, else starts a new one with
 * shim_path and records it. */
int userns_ensure(struct userns *ns, const char *state_file, const char *shim_path,
                  orc_error_t *err);
/* "/proc/PID/ns/user" of the holder. Caller frees. */
char *userns_path(const struct userns *ns);
/* Highest uid/gid mapped inside (0 for a single-uid mapping). */
uid_t userns_max_uid(const struct userns *ns);
gid_t userns_max_gid(const struct userns *ns);

/* Forks, joins the namespace in the child and runs fn(arg) there as root of the namespace;
 * the child's error message comes back through a pipe. Returns fn's result. */
int userns_run(const struct userns *ns, int (*fn)(void *arg, orc_error_t *err), void *arg,
               orc_error_t *err);
/* Stops the holder (used by tests and `orcd --reset`). */
int userns_stop(struct userns *ns, const char *state_file, orc_error_t *err);
