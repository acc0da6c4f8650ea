/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * This machine as a Kubernetes Node: registered in the store when orcd starts (a stable uid
 * and creation time, its Lease), its status made when it is read. orcd posts no status on a
 * timer (an idle agent does nothing): a read is a heartbeat, the conditions are evaluated
 * then, and a condition that changed since the last read is recorded as kubelet records it
 * (an event "NodeHasDiskPressure", "NodeNotReady", ... and its lastTransitionTime).
 */
#include <jansson.h>

#include "error.h"

struct orcd;
struct store;
struct node_status;

/* Reads the machine's facts, names the node (o->config.pod.node_name and the node's
 * allocatable for pods), registers it with o->store and records kubelet's start events. */
int node_status_start(struct orcd *o, orc_error_t *err);
struct node_status *node_status_free(struct node_status *n);

/* The Node as it is now: its metadata as stored (row: the Node's row in the store, NULL to
 * read it with s), its status made now. s is the caller's connection (transitions are
 * recorded with it; NULL when it could not be opened: the store's check fails then, and the
 * node has its built-in labels). */
json_t *node_status_node_json(struct orcd *o, struct store *s, const json_t *row);
/* The labels orc sets on its node (kubernetes.io/hostname, os, arch and the beta ones). */
const json_t *node_status_builtin_labels(const struct node_status *n);
/* Its Lease: renewed as long as the reconcile loop turns. */
json_t *node_status_lease_json(struct orcd *o);
const char *node_status_name(const struct node_status *n);
