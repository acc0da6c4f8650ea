/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The three patch types of the Kubernetes API, applied to an object's JSON: JSON patch
 * (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch with its directives and
 * per-field merge keys, as kube-apiserver applies them. Pure logic: the inputs are never
 * modified and the result is a new tree sharing nothing with them.
 *
 * Errors carry the status an API server answers with:
 *   EBADMSG     the body is not a patch of that type (400 Bad Request)
 *   EINVAL      the patch does not apply to the object (422 Unprocessable Entity)
 *   E2BIG       over the limits below (413 Request Entity Too Large)
 *   EOPNOTSUPP  a content type that names no patch type orc applies (415)
 */
#include <jansson.h>

#include "error.h"
#include "manifest.h"

enum patch_type {
    PATCH_JSON,      /* application/json-patch+json */
    PATCH_MERGE,     /* application/merge-patch+json */
    PATCH_STRATEGIC, /* application/strategic-merge-patch+json */
    _PATCH_TYPE_MAX,
    _PATCH_TYPE_INVALID = -22,
};

#define PATCH_MAX_JSON_OPS 10000 /* kube-apiserver's limit */
#define PATCH_MAX_DEPTH MANIFEST_MAX_DEPTH
#define PATCH_MAX_NODES MANIFEST_MAX_NODES /* in the object, the patch, and what copies add */

/* The patch type a request's Content-Type names (parameters such as charset ignored), or
 * -EOPNOTSUPP with the message an API server gives; server-side apply
 * (application/apply-patch+yaml) is refused with a message saying so. */
int patch_type_from_content_type(const char *content_type, orc_error_t *err);
const char *patch_type_to_content_type(enum patch_type t);

/* Parses a request body as JSON for patch_apply. A key repeated in an object is refused
 * (RFC 6902) when ret_duplicate is NULL; otherwise the last value stands, as in
 * kube-apiserver, and *ret_duplicate says so ("duplicate field \"name\"", caller frees;
 * NULL when none). */
int patch_decode(const char *body, size_t len, char **ret_duplicate, json_t **ret,
                 orc_error_t *err);

/*
 * Applies patch to original, an object of the given kind ("Pod", "Node"; NULL or another
 * kind: lists are replaced, maps merged, metadata as every object's). The result must be
 * an object too. Strategic merge patch follows the field tags of Kubernetes' API types
 * (patch-meta.c) and apimachinery's rules for $patch, $retainKeys, $setElementOrder and
 * $deleteFromPrimitiveList.
 */
int patch_apply(enum patch_type type, const char *kind, const json_t *original, const json_t *patch,
                json_t **ret_result, orc_error_t *err);
