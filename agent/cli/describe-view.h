/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Pure: kubectl describe pod's text for one pod, up to its events (they need the API):
 * metadata; Status, the phase ("Terminating (lasts AGE)" while it is being deleted, with its
 * grace period); orc's Limits line when a container sets resources; per container its image,
 * ports, command, state, readiness, restarts, Limits and Requests, environment; conditions
 * in aligned Type and Status columns; the restart policy. */
void describe_pod_print(FILE *f, const json_t *pod, int64_t now_ns);

/* A memory quantity of bytes ("134217728") as Kubernetes writes one: "128Mi", "1G", "1500";
 * other text as it is. Caller frees. */
char *describe_memory_text(const char *bytes);
