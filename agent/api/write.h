/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "api/internal.h"
#include "patch.h"
#include "store/store.h"

/*
 * The write path of the Kubernetes API: every verb that stores an object (create, replace,
 * patch) ends in api_pod_write(), which checks the object against the request, validates it
 * with the manifest parser, applies kube-apiserver's field validation, and stores it (or, for
 * a dry run, answers as if it had). A patch is: GET the stored object, apply the patch, then
 * api_pod_write() with mode STORE_WRITE_REPLACE; the patched object carries the stored
 * resourceVersion (or the one the patch set), so a write that raced with another one is a
 * 409 Conflict, which the patch handler may retry from a fresh GET when the patch itself set
 * no resourceVersion.
 *
 * Failures are Kubernetes Status objects (*ret_status, its "code" the HTTP status), so that a
 * caller can look at them before replying (api_reply_status_json()).
 */

/* ?fieldValidation= as kube-apiserver reads it: unknown fields are refused (Strict), sent
 * back as warnings (Warn: the default when the parameter is not given), or dropped quietly
 * (Ignore). Warnings about fields orc ignores are sent in every mode. */
enum api_field_validation {
    API_FIELD_VALIDATION_IGNORE,
    API_FIELD_VALIDATION_WARN,
    API_FIELD_VALIDATION_STRICT,
    _API_FIELD_VALIDATION_MAX,
    _API_FIELD_VALIDATION_INVALID = -22,
};

struct api_write {
    enum store_write_mode mode; /* STORE_WRITE_CREATE (POST), STORE_WRITE_REPLACE (PUT, PATCH) */
    enum api_field_validation validation;
    bool dry_run; /* ?dryRun=All */
};

/* The query's fieldValidation and dryRun into *w (its mode is left as it is); options_kind
 * names the options in the 422 for a bad value ("CreateOptions", "UpdateOptions",
 * "PatchOptions"). */
int api_write_options(struct request *r, const char *options_kind, struct api_write *w,
                      json_t **ret_status);

/* The request body as a JSON object, for the kind of the path's resource ("Pod"). 415 for a
 * body that is not JSON by its Content-Type, 400 for one that does not parse; a key repeated
 * in an object is refused, warned about or passed over by v, the last value standing. */
int api_write_body(struct request *r, const char *kind, enum api_field_validation v, json_t **ret,
                   json_t **ret_status);

/* The same, or the object in Kubernetes' protobuf when the Content-Type says so, as kubectl's
 * typed clients send it (create namespace|configmap|secret: api/protobuf.h reads what orc
 * keeps of it). */
int api_write_body_typed(struct request *r, const char *kind, enum api_field_validation v,
                         json_t **ret, json_t **ret_status);

/*
 * Writes obj, the whole new pod, to the pod the path names (its namespace; its name for a
 * replace): a body naming another namespace or name is a 400 BadRequest; a create without a
 * name takes metadata.generateName and five random characters. metadata.resourceVersion, when
 * set, must be the stored one (409 Conflict); a create may not set it. A replace's
 * metadata.uid, when set, must be the stored pod's (409 Conflict). Invalid pods are 422
 * Invalid with every cause; unknown fields follow w->validation. *ret is the object stored
 * (or, for a dry run, as it would be stored); the reconcile loop is woken.
 */
int api_pod_write(struct request *r, json_t *obj, const struct api_write *w, json_t **ret,
                  json_t **ret_status);

/* obj, a body of kind (the path's resource's: "ConfigMap"), checked against the request (its
 * type, namespace and name, generateName) and through the manifest parser with
 * kube-apiserver's field validation: *ret the result with its one document, or the Status
 * that refuses it (422 Invalid with every cause). */
struct manifest_result;
int api_write_decode(struct request *r, json_t *obj, const char *kind, const struct api_write *w,
                     struct manifest_result **ret, json_t **ret_status);
/* DeleteOptions of a DELETE, from its body (kept in *ret_body: d's strings point into it) or
 * its query; *d's grace is -1 when none is given. */
int api_delete_options(struct request *r, struct store_delete *d, json_t **ret_body,
                       json_t **ret_status);

/* The handlers (resources.c): POST a pod, PUT a pod, DELETE a pod with DeleteOptions; PATCH
 * a pod (pod-patch.c) with a JSON patch, a merge patch or a strategic merge patch by its
 * Content-Type (415 for another, server-side apply included), retried from a fresh read when
 * it lost a race and set no resourceVersion of its own. */
enum MHD_Result api_pod_create(struct request *r);
enum MHD_Result api_pod_replace(struct request *r);
enum MHD_Result api_pod_delete(struct request *r);
enum MHD_Result api_pod_patch(struct request *r);

/* pod-patch.c: a PATCH's options, type (by Content-Type) and body, for any kind (a key
 * repeated in the body as w's fieldValidation decides); -1 with the Status that refuses it. */
int api_patch_begin(struct request *r, struct api_write *w, enum patch_type *ret_type,
                    json_t **ret_patch, json_t **ret_status);
/* PATCH of the object the path names: the patch read (api_patch_begin), then once (read,
 * patch, write) until it succeeds or fails for another reason than a race it may retry
 * (*ret_retry), PATCH_CONFLICT_RETRIES times at most. */
typedef int (*api_patch_once_fn)(struct request *r, enum patch_type type, const json_t *patch,
                                 const struct api_write *w, json_t **ret, json_t **ret_status,
                                 bool *ret_retry);
enum MHD_Result api_patch_serve(struct request *r, api_patch_once_fn once);
/* A patch's error as kube-apiserver answers it (the error's status gives the code), released. */
json_t *api_patch_status(orc_error_t *err);
/* Writes that lose a race with another writer are tried again from a fresh read this many
 * times, when the patch itself asked for no resourceVersion. */
#define PATCH_CONFLICT_RETRIES 5

/* pod-patch.c: a body's containers marked MANIFEST_PULL_POLICY_IMPLIED (as orc returns them)
 * lose the mark, and the policy too where it is the stored, implied one. */
void api_pod_keep_implied_policies(struct request *r, json_t *obj);
