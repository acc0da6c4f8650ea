/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"
#include "pods/worker.h"

/* The network half of a pod worker: the CNI chain for its sandbox, and the files it implies. */

/* Runs ADD for the sandbox just created; caches the result and writes hosts/resolv.conf. */
int pod_network_setup(struct pod_worker *w, orc_error_t *err);
/* Reads the cached result of an adopted sandbox. */
void pod_network_restore(struct pod_worker *w);
/* Runs DEL (the sandbox may be gone already); failures are logged, not returned. */
void pod_network_teardown(struct pod_worker *w);
/* The sandbox lost an interface: CHECK, and if the network is broken, DEL and ADD again. */
int pod_network_repair(struct pod_worker *w, bool *ret_repaired, orc_error_t *err);
/* Paths of the files for containers' /etc/hosts and /etc/resolv.conf (NULL without a network). */
char *pod_network_hosts_path(const struct pod_worker *w);
char *pod_network_resolv_path(const struct pod_worker *w);
