/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"

struct pod_step;
struct userns_op;

/*
 * A pod's sysctls (spec.securityContext.sysctls, namespaced ones only: the manifest parser
 * refuses the others), written once into its new sandbox's network and IPC namespaces after
 * the network is set up, as a runtime sets them on the pod's sandbox. orcd re-executed in the
 * user namespace (`--userns-op sysctl SHIM_PID LIST`) joins the shim's namespaces and writes
 * /proc/sys. Runs in a pod step; a failure fails the sandbox (FailedCreatePodSandBox).
 */
int pod_sysctls_apply(struct pod_step *s, orc_error_t *err);

/* The op: "sysctl PID NAME=VALUE\n...". */
extern const struct userns_op pod_op_sysctl;
