/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Server-side Table responses (meta.k8s.io Table, what `kubectl get` asks for), with the
 * columns the API server's printers give each kind (kubernetes pkg/printers/internalversion):
 * Pod, Event, Node, Namespace, Lease, ConfigMap, Secret, PersistentVolumeClaim, PersistentVolume;
 * any other kind gets Name and Created At, as the API server gives kinds without a printer. Every
 * row has all columns, wide ones included (priority 1: kubectl shows them with -o wide). Pure:
 * "now" is given.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* ?includeObject=: what each row carries of its object. */
enum table_include {
    TABLE_INCLUDE_NONE,     /* "object": null */
    TABLE_INCLUDE_METADATA, /* a PartialObjectMetadata (the default) */
    TABLE_INCLUDE_OBJECT,   /* the object itself */
    _TABLE_INCLUDE_MAX,
    _TABLE_INCLUDE_INVALID = -22,
};
/* NULL or "" is Metadata; -EINVAL for a value the API server refuses. */
enum table_include table_include_from_string(const char *s);

struct table_options {
    const char *api_version; /* "meta.k8s.io/v1" or "meta.k8s.io/v1beta1", as asked for */
    enum table_include include;
    int64_t now_ns; /* ages are counted to this */
};

/* A Table of items (an array of objects of kind) with its column definitions and one row each;
 * its metadata is {} for the caller to fill (resourceVersion, continue, remainingItemCount). */
json_t *table_build(const char *kind, const json_t *items, const struct table_options *opt);
/* The Table's columnDefinitions for kind. */
json_t *table_columns(const char *kind);

/* A PartialObjectMetadata (meta.k8s.io api_version) of obj: its metadata. */
json_t *table_partial_metadata(const json_t *obj, const char *api_version);

/* For the printers (table-*.c). */
struct table_column {
    const char *name, *type, *format, *description;
    int priority; /* 1: shown by kubectl -o wide only */
};

struct table_printer {
    const char *kind;
    const struct table_column *columns;
    size_t n_columns;
    /* appends one cell per column to cells */
    void (*cells)(const json_t *obj, int64_t now_ns, json_t *cells);
    /* the row's conditions, or NULL for none (a pod that completed) */
    json_t *(*conditions)(const json_t *obj);
};

extern const struct table_printer table_pod_printer, table_event_printer, table_node_printer,
    table_namespace_printer, table_lease_printer, table_configmap_printer, table_secret_printer,
    table_claim_printer, table_volume_printer;

/* The columns' descriptions shared by every kind (ObjectMeta's). */
#define TABLE_NAME_DESCRIPTION                                                                     \
    "Name must be unique within a namespace. Is required when creating resources, although "       \
    "some resources may allow a client to request the generation of an appropriate name "          \
    "automatically. Name is primarily intended for creation idempotence and configuration "        \
    "definition. Cannot be updated. More info: "                                                   \
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define TABLE_AGE_DESCRIPTION                                                                      \
    "CreationTimestamp is a timestamp representing the server time when this object was "          \
    "created. It is not guaranteed to be set in happens-before order across separate "             \
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "     \
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "                      \
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"                            \
    "api-conventions.md#metadata"
#define TABLE_NAME_COLUMN                                                                          \
    {                                                                                              \
        "Name", "string", "name", TABLE_NAME_DESCRIPTION, 0                                        \
    }
#define TABLE_AGE_COLUMN                                                                           \
    {                                                                                              \
        "Age", "string", "", TABLE_AGE_DESCRIPTION, 0                                              \
    }

/* How old an RFC 3339 timestamp is, as the printers say it ("5m", "2d3h"); "<unknown>" when
 * it is missing. */
json_t *table_age(const char *rfc3339, int64_t now_ns);
/* The same of a time in ns since the epoch, "<unknown>" for 0. */
json_t *table_age_ns(int64_t t_ns, int64_t now_ns);
/* obj[key] as a string cell, "" when missing. */
json_t *table_str(const json_t *obj, const char *key);
