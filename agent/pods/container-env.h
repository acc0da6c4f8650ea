/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What a container's environment is made from besides its pod (manifests/expand.h): the
 * downward API's facts of the node and the pod's sandbox, and the ConfigMaps and Secrets its
 * env and envFrom name, read from the store when the container is about to start (kubelet's
 * makeEnvironmentVariables reads them then too).
 */
#include <jansson.h>

#include "error.h"
#include "expand.h"
#include "pods/env.h"

struct store;

/* The facts for expand_container_env(): the pod's uid and address (pod_ip NULL without a
 * network), the node's name, address and allocatable, and objects (may be NULL). */
struct expand_facts container_env_facts(const struct pod_env *env, const char *pod_uid,
                                        const char *pod_ip, const json_t *objects);

/* The ConfigMaps and Secrets of the pod's namespace that c's env and envFrom name and that
 * exist, as expand_facts.objects wants them. The reads are of the local database (the
 * loop's connection: a few indexed rows). */
int container_env_objects(struct store *s, const struct pod *pod, const struct container *c,
                          json_t **ret, orc_error_t *err);
