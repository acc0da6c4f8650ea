/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Variables from ConfigMaps and Secrets (env-sources.c), for expand.c. Pure: no I/O. */
#include <jansson.h>

#include "error.h"
#include "expand.h"

/* The value of a valueFrom's configMapKeyRef or secretKeyRef, from facts->objects, in *ret;
 * NULL (and 0) for an optional one whose object or key is missing. A missing one that is not
 * optional fails with ENOENT and kubelet's message ("configmap \"x\" not found", "couldn't
 * find key k in Secret ns/x"). */
int env_source_key(const struct expand_facts *f, const char *ns, const json_t *value_from,
                   char **ret, orc_error_t *err);

/* An envFrom[] item: each key of the object's data, prefixed, set in env (total counts the
 * bytes of values); keys that are no variable name are skipped and listed in env->skipped.
 * A missing object that is not optional fails as env_source_key. */
int env_source_all(const struct expand_facts *f, const char *ns, const json_t *item,
                   struct expand_env *env, size_t *total, orc_error_t *err);
