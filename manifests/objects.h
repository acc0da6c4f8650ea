/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Stored kinds other than pods: ConfigMap and Secret (their documents are decoded by
 * manifest_parse() into manifest_doc.object, normalised Kubernetes JSON), and what readers of
 * them need: a Secret's and a ConfigMap's values decoded, the rules of an update. Pure logic.
 *
 * A stored Secret is as the API shows it: data values base64 (stringData folded into data),
 * type filled (Opaque by default). A stored ConfigMap has data (text) and binaryData (base64).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Kubernetes' limit of a ConfigMap's and a Secret's data (keys' values together). */
#define OBJECT_DATA_MAX_BYTES (1024 * 1024)
/* A config key's length limit (DNS subdomain's). */
#define OBJECT_CONFIG_KEY_MAX 253

/* The StorageClass of the claims orc binds to a directory it makes (the default: a claim
 * without a class gets it), and the class of static PersistentVolumes. */
#define OBJECT_STORAGE_CLASS "orc-local"
#define OBJECT_STATIC_CLASS "manual"
/* The finalizer that keeps a claim while pods use it, as the control plane's. */
#define OBJECT_PVC_PROTECTION "kubernetes.io/pvc-protection"

/* The kinds manifest_parse() stores besides Pod (apiVersion v1), NULL-terminated. */
extern const char *const manifest_object_kinds[];
/* Whether kind is one of them. */
bool manifest_is_object_kind(const char *kind);
/* Whether objects of kind live in a namespace (PersistentVolume does not). */
bool manifest_kind_namespaced(const char *kind);
/* The API's resource name of a kind: "configmaps" (caller frees). */
char *manifest_kind_resource(const char *kind);

/* A key of data, binaryData or stringData: [-._a-zA-Z0-9]+, at most 253 characters, not "."
 * nor "..". NULL when valid, else the reason as Kubernetes words it. */
const char *manifest_config_key_error(const char *key);

/* Standard base64 with padding, as Go's encoding/base64 reads it (CR and LF skipped).
 * -EINVAL with *ret_bad the offset of the first byte that cannot be read (Go's "illegal
 * base64 data at input byte N"); ret may be NULL to check only. *ret is NUL-terminated. */
int manifest_base64_decode(const char *s, size_t len, char **ret, size_t *ret_len, size_t *ret_bad);
char *manifest_base64_encode(const void *data, size_t len);

/* A Secret's data[key] decoded (NUL-terminated, *ret_len without it): -ENOENT ("secret
 * \"s\" has no key \"k\"") when the key is absent, -EINVAL when the stored value is not
 * base64. */
int secret_data_decode(const json_t *secret, const char *key, char **ret, size_t *ret_len,
                       orc_error_t *err);
/* A ConfigMap's value of key, from data or (decoded) binaryData; -ENOENT when absent. */
int configmap_value(const json_t *configmap, const char *key, char **ret, size_t *ret_len,
                    orc_error_t *err);

/* An update of a stored object (old) to obj, both of kind, as kube-apiserver checks it:
 * -EINVAL with the message of its 422 ("ConfigMap \"x\" is invalid: data: Forbidden: field is
 * immutable when `immutable` is set") when it may not change. */
int manifest_object_update_check(const char *kind, const json_t *old, const json_t *obj,
                                 orc_error_t *err);
/* What the server set in the stored object old and a write of obj (a user's document) does
 * not carry, copied into obj: a claim's spec.volumeName and storageClassName once bound, a
 * volume's spec.claimRef. */
void manifest_object_keep_server_fields(const json_t *old, json_t *obj);
/* Whether two objects of a kind differ in what their writer owns (labels, annotations and
 * the kind's fields), so that an apply of the same is "unchanged". */
bool manifest_object_changed(const json_t *old, const json_t *obj);
