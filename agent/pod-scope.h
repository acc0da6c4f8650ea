/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

#include "error.h"

/*
 * A pod's own cgroup: a transient scope of the user's systemd (StartTransientUnit on the
 * user bus, Delegate=yes, mode "fail", waiting for its job), holding the pod's shim in a
 * "shim" leaf so that containers get sibling cgroups of their own. -ENOTCONN when there is
 * no user bus (no systemd session): the pod then runs in the agent's cgroup, unlimited.
 */
int pod_scope_create(const char *pod_uid, const char *description, pid_t shim_pid,
                     char **ret_cgroup, orc_error_t *err);
