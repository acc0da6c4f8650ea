/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The selectors of list requests (?labelSelector=, ?fieldSelector=), parsed, validated and
 * matched as the API server does (apimachinery's pkg/labels and pkg/fields, and each kind's
 * field labels). Errors carry the API server's messages (status EINVAL: a 400 BadRequest).
 * Pure: no I/O.
 */
#include <jansson.h>
#include <stdbool.h>

#include "cleanup.h"
#include "error.h"

/* Label selectors: "a=b", "a==b", "a!=b", "a in (x,y)", "a notin (x)", "a", "!a", "a gt 3"
 * ("a>3"), "a<3"; a comma is AND. Keys and values are validated as label keys and values. */
struct label_selector;

int label_selector_parse(const char *text, struct label_selector **ret, orc_error_t *err);
/* labels: an object of strings (metadata.labels), NULL for none. */
bool label_selector_matches(const struct label_selector *s, const json_t *labels);
/* The same against an object's metadata.labels. */
bool label_selector_matches_object(const struct label_selector *s, const json_t *obj);
/* No requirement at all: everything matches. */
bool label_selector_empty(const struct label_selector *s);
struct label_selector *label_selector_free(struct label_selector *s);

/* apimachinery's ValidateLabels and ValidateAnnotations of an object's metadata maps (either
 * may be NULL): NULL when they are valid, else the first error as kube-apiserver words it
 * ("metadata.labels: Invalid value: \"a b\": name part must consist of ..."). Caller frees. */
char *label_meta_check(const json_t *labels, const json_t *annotations);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct label_selector *, label_selector_free)

/* Field selectors: "f=v", "f==v", "f!=v", comma-separated (values escape '\', ',' and '=' with
 * a backslash). The fields are the kind's: Pod (metadata.name, metadata.namespace,
 * spec.nodeName, spec.restartPolicy, spec.schedulerName, spec.serviceAccountName,
 * spec.hostNetwork, status.phase, status.podIP, status.nominatedNodeName), Event (metadata.*,
 * involvedObject.kind|namespace|name|uid|apiVersion|resourceVersion|fieldPath, reason,
 * reportingComponent, source, type), Node (metadata.name, spec.unschedulable), Namespace
 * (metadata.name, status.phase), any other kind (metadata.name, metadata.namespace). Another
 * field is refused: "field label not supported: F". */
struct field_selector;

int field_selector_parse(const char *text, const char *kind, struct field_selector **ret,
                         orc_error_t *err);
bool field_selector_matches(const struct field_selector *s, const json_t *obj);
/* The value an "=" term requires of field, or NULL (a shortcut for stores: namespace, name). */
const char *field_selector_exact(const struct field_selector *s, const char *field);
bool field_selector_empty(const struct field_selector *s);
struct field_selector *field_selector_free(struct field_selector *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct field_selector *, field_selector_free)
