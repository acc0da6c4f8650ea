/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A pod's imagePullSecrets as kubelet takes them (getPullSecretsForPod, MakeDockerKeyring):
 * read from the store when a pull is about to start (a few indexed rows of the local
 * database, on the loop's connection), made into the keyring the pull job carries.
 */
#include "error.h"

struct store;
struct pod;
struct keyring;

/*
 * The credentials of the pod's imagePullSecrets of type kubernetes.io/dockerconfigjson (key
 * .dockerconfigjson) and kubernetes.io/dockercfg (.dockercfg); Secrets of other types, or
 * without their key, are passed over as kubelet passes over them, and so is an entry without
 * a name. *ret_keyring is NULL when none holds credentials; *ret_missing the names that do
 * not exist (NULL-terminated, NULL when none). A payload that is not docker's configuration
 * fails (kubelet fails the pull with it), naming the Secret and never quoting it.
 */
int pull_secrets_keyring(struct store *s, const struct pod *pod, struct keyring **ret_keyring,
                         char ***ret_missing, orc_error_t *err);
