/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "pods/step.h"

/* The network of a pod's sandbox: the CNI chain run for it inside a pod step, and the files
 * it implies. A network is committed once network.json (the ADD result) is in the pod's
 * run directory: an adopted sandbox without one never finished its set-up. */

/* Runs ADD for the sandbox of s->shim_pid; writes network.json, hosts and resolv.conf
 * (s->new_net_result, s->net_changed). */
int pod_network_setup(struct pod_step *s, orc_error_t *err);
/* The committed result of an adopted sandbox, or NULL. */
json_t *pod_network_load(const struct pod_step *s);
/* Runs DEL for s->net_result (the sandbox may be gone); failures are logged, not returned. */
void pod_network_teardown(struct pod_step *s);
/* CHECK; when the network is broken, DEL and ADD again (s->net_repaired). */
int pod_network_check(struct pod_step *s, orc_error_t *err);
