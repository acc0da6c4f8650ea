/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The Node, its Lease and its conditions as kubelet reports them, built from facts read
 * elsewhere (sys/node-facts.h) and from orcd's health. Pure: no I/O, so that tests give it
 * any machine.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "sys/node-facts.h"

/* Kubelet's thresholds: its default hard eviction signals. */
#define NODE_MEMORY_PRESSURE_BYTES (100LL << 20) /* memory.available < 100Mi */
#define NODE_DISK_PRESSURE_PERCENT 10            /* nodefs.available < 10% */
#define NODE_PID_PRESSURE_PERCENT 5              /* fewer than 5% of pid_max free */
#define NODE_LEASE_SECONDS 40                    /* kubelet's nodeLeaseDurationSeconds */

/* In the order kubelet lists them. */
enum node_condition {
    NODE_MEMORY_PRESSURE,
    NODE_DISK_PRESSURE,
    NODE_PID_PRESSURE,
    NODE_READY,
    _NODE_CONDITION_MAX,
    _NODE_CONDITION_INVALID = -22,
};

/* What orcd's health checks found: NULL for a check that passed, else why not. */
struct node_health {
    const char *loop;    /* the reconcile loop turns */
    const char *store;   /* the database takes writes */
    const char *runtime; /* pods can start (the user namespace's holder runs) */
    bool disk_full;      /* the store gave its disk reserve back */
};

struct node_condition_state {
    const char *status; /* "True", "False", "Unknown" */
    const char *reason; /* kubelet's: "KubeletHasSufficientMemory", "KubeletReady", ... */
    char *message;      /* allocated */
};

/* The conditions for this usage and health (kubelet's reasons and messages). */
void node_conditions_eval(const struct node_usage *u, const struct node_health *h,
                          struct node_condition_state ret[_NODE_CONDITION_MAX]);
void node_conditions_done(struct node_condition_state c[_NODE_CONDITION_MAX]);
/* The reason of the event kubelet records when a condition becomes status:
 * "NodeHasDiskPressure", "NodeReady", "NodeNotReady", ... */
const char *node_condition_event_reason(enum node_condition c, const char *status);

struct node_view {
    const char *name, *uid;
    int64_t created_ns;
    long long resource_version;
    const struct node_facts *facts;
    const struct node_usage *usage;
    const char *architecture;    /* GOARCH */
    const char *kubelet_version; /* "v1.32.0-orc.0.1.0" */
    const char *runtime_version; /* "orc://0.1.0" */
    const char *address;         /* InternalIP */
    int max_pods;
    int kubelet_port; /* daemonEndpoints.kubeletEndpoint.Port, 0 for none */
    const struct node_condition_state *conditions;
    const int64_t *transitions; /* when each condition took its status */
    int64_t now_ns;             /* lastHeartbeatTime */
    const json_t *labels;       /* as stored (node_object_labels() and the users'); NULL: the
                                   built-in ones */
    const json_t *annotations;  /* as stored, NULL = none */
};

/* A v1 Node. */
json_t *node_object_json(const struct node_view *v);
/* Its labels (kubernetes.io/hostname, os, arch and the beta ones): what pods' nodeSelector
 * and node affinity are matched against. */
json_t *node_object_labels(const char *name, const char *architecture);
/* stored (the labels kept in the store, NULL for none) with every built-in label set to its
 * value, as kubelet makes them again when it registers: a new reference. */
json_t *node_object_labels_merge(const json_t *stored, const json_t *builtin);

/*
 * Whether next, the Node after a PATCH or a PUT's body, is a write orc takes of cur (the Node
 * as served now): only metadata.labels and metadata.annotations may differ (valid as the API
 * validates them), and the built-in labels stay as they are. Besides them, what a client
 * cannot help sending differently is passed over: metadata.resourceVersion and uid (the
 * store checks them), managedFields, creationTimestamp and generation, the conditions'
 * heartbeats, and a status or spec left out. -EINVAL in kube-apiserver's words ('Node "n"
 * is invalid: spec.unschedulable: Forbidden: ...') naming the first field that differs.
 */
int node_object_update_check(const json_t *cur, const json_t *next, const json_t *builtin,
                             orc_error_t *err);

struct lease_view {
    const char *node_name, *node_uid;
    const char *uid;
    int64_t created_ns;
    long long resource_version;
    int64_t renew_ns; /* the last time the agent was known to be alive */
};

/* The node's coordination.k8s.io/v1 Lease in kube-node-lease. */
json_t *node_lease_json(const struct lease_view *v);
