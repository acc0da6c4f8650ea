/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/*
 * Kubernetes' OpenAPI v3 documents for what orcd serves, cut down at build time from the
 * documents in manifests/openapi/ to the paths manifests/openapi/served.list names and the
 * schemas they reference (openapi-filter), with kube-apiserver's hash (SHA-512, upper-case
 * hex) of each.
 */
struct openapi_doc {
    const char *path; /* "api/v1", "apis/events.k8s.io/v1"; "" for the index */
    const char *text; /* compact JSON */
    size_t len;
    const char *hash;
};

/* /openapi/v3: {"paths": {PATH: {"serverRelativeURL": "/openapi/v3/PATH?hash=HASH"}}} */
extern const struct openapi_doc openapi_index;
/* The documents, ending with a NULL path. */
extern const struct openapi_doc openapi_docs[];

const struct openapi_doc *openapi_find(const char *path);
