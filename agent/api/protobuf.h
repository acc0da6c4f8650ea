/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Kubernetes' protobuf encoding of a request body (application/vnd.kubernetes.protobuf,
 * which kubectl's typed clients send: `kubectl create namespace`): the "k8s\0" envelope, a
 * runtime.Unknown holding the type (apiVersion, kind) and the object's bytes, whose field 1
 * is its ObjectMeta. Read into JSON: apiVersion, kind and metadata's name, generateName,
 * namespace, labels and annotations, and a ConfigMap's (data, binaryData, immutable) and a
 * Secret's fields (data, stringData, type, immutable; bytes as base64, as JSON has them);
 * the rest of an object is not read. Pure, bounded by the body's length.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define API_PROTOBUF_TYPE "application/vnd.kubernetes.protobuf"

/* Whether the Content-Type names the protobuf encoding (parameters after ';' ignored). */
bool api_protobuf_is_type(const char *content_type);
/* The object's type and metadata as JSON; -EBADMSG ("...: not a protobuf object") when the
 * body is not one. */
int api_protobuf_decode(const unsigned char *body, size_t len, json_t **ret, orc_error_t *err);
