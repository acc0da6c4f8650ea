/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/*
 * A pod's own cgroup: a transient scope of the user's systemd (StartTransientUnit on the
 * user bus, Delegate=yes, mode "fail", waiting for its job), holding the pod's shim in a
 * "shim" leaf so that containers get sibling cgroups of their own. -ENOTCONN when there is
 * no user bus (no systemd session): the pod then runs in the agent's cgroup, unlimited.
 */
struct pod_limits {
    uint64_t memory_max;     /* bytes, 0 = none: the sum of the containers' limits */
    uint64_t cpu_quota_usec; /* CPU time per second, 0 = none */
    uint64_t cpu_weight;     /* 1-10000 from the requests, 0 = systemd's default */
    uint64_t tasks_max;      /* 0 = none */
};

/* The pod's limits from its containers' resources (pure): a pod-wide limit only when every
 * container has one, as kubelet sizes the pod cgroup. */
struct pod;
struct pod_limits pod_limits_of(const struct pod *pod);

/* deadline_ns (CLOCK_MONOTONIC): a job still pending then is cancelled (ETIMEDOUT); so is one
 * whose cancel_fd (-1 = none) becomes readable (ECANCELED). */
int pod_scope_create(const char *pod_uid, const char *description, pid_t shim_pid,
                     const struct pod_limits *limits, int64_t deadline_ns, int cancel_fd,
                     char **ret_cgroup, orc_error_t *err);

/* Without a user bus: the same layout inside the agent's own delegated cgroup v2 subtree
 * (pods/cgroup.c). -ENOTCONN when the agent's cgroup is not cgroup v2 or not writable. */
int pod_cgroup_create(const char *pod_uid, pid_t shim_pid, const struct pod_limits *limits,
                      char **ret_cgroup, orc_error_t *err);
/* Removes an emptied pod cgroup made by pod_cgroup_create (systemd removes its scopes). */
void pod_cgroup_remove(const char *cgroup);
