/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Content negotiation of Kubernetes reads: the Accept header says whether the answer is the
 * object (or list) itself, a Table (what kubectl get asks for: "application/json;as=Table;
 * v=v1;g=meta.k8s.io, application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json"),
 * or PartialObjectMetadata[List]. Only JSON is served. Pure.
 */
enum api_as {
    API_AS_OBJECT,
    API_AS_TABLE,
    API_AS_PARTIAL,      /* PartialObjectMetadata: one object's metadata */
    API_AS_PARTIAL_LIST, /* PartialObjectMetadataList */
    _API_AS_MAX,
    _API_AS_INVALID = -22,
};

struct api_media {
    enum api_as as;
    const char *api_version; /* of the as= forms: "meta.k8s.io/v1" or "meta.k8s.io/v1beta1" */
};

/* The first media range the client prefers (by q, then the more specific, then in order) that
 * orcd serves: JSON (application/json, application/ *, * / *), with or without as=Table,
 * PartialObjectMetadata or PartialObjectMetadataList of meta.k8s.io v1 or v1beta1. No header:
 * the object. -EINVAL when nothing asked for is served (406 NotAcceptable). */
int api_negotiate(const char *accept, struct api_media *ret);
