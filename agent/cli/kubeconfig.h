/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* orc kubeconfig's pure parts: which file, reading it, merging orc's entries into it. */

/* The file to write, as kubectl chooses where a new entry goes: flag (--kubeconfig) when
 * set, else of $KUBECONFIG's ':'-separated paths the first that exists, else its last, else
 * HOME/.kube/config. NULL when none can be named (no HOME). Caller frees. */
char *kubeconfig_path(const char *flag, const char *env, const char *home,
                      bool (*exists)(const char *path));

/* A kubeconfig's text (YAML or JSON; empty or only comments is an empty config) as JSON,
 * scalars typed as YAML 1.1 reads them. name is for messages. */
int kubeconfig_parse(const char *text, size_t len, const char *name, json_t **ret,
                     orc_error_t *err);

/* Puts the clusters, users and contexts of ours into config, by name: an entry of the same
 * name is replaced whole (a context keeps the namespace the user chose), the others stay.
 * current-context becomes ours' when config has none, or with set_current. *ret_switched
 * says whether it changed. Refuses a config whose lists are not lists of named entries. */
int kubeconfig_merge(json_t *config, const json_t *ours, bool set_current, bool *ret_switched,
                     orc_error_t *err);
