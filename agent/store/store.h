/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "error.h"
#include "manifest.h"

/*
 * Desired state and observed pod status in SQLite ($XDG_DATA_HOME/orc/orc.db), WAL mode,
 * schema versioned by PRAGMA user_version with forward migrations (schema.sql is version 1).
 * One `struct store` is one connection; each thread opens its own. Busy timeout 5 s.
 *
 * Objects are Kubernetes-shaped JSON. A stored pod is
 *   {apiVersion, kind, metadata{name, namespace, uid, resourceVersion, generation,
 *    creationTimestamp, deletionTimestamp?, labels, annotations}, spec, status}
 * resourceVersion is a store-wide counter bumped on every write of an object (string, as in
 * Kubernetes), status and events included; generation is bumped when spec changes.
 *
 * Every committed change of an object or event goes to the connection's feed (store/feed.h,
 * one per agent) as ADDED, MODIFIED (a write that bumped its resourceVersion) or DELETED (its
 * row removed: the last state, under a resourceVersion of its own). Writes of objects and
 * events therefore run in transactions ended by the store's commit.
 */
struct store;
struct feed;

enum apply_action {
    APPLY_CREATED,
    APPLY_CONFIGURED,
    APPLY_UNCHANGED,
    _APPLY_ACTION_MAX,
    _APPLY_ACTION_INVALID = -22,
};
const char *apply_action_to_string(enum apply_action a); /* "created", ... */

/* feed: where this connection's committed changes go (NULL: nowhere). */
int store_open(const char *path, struct feed *feed, struct store **ret, orc_error_t *err);
struct store *store_close(struct store *s);
/* How long a statement waits for another connection's lock (default 5 s). The loop's
 * connection waits briefly and retries later instead: the loop never waits long. */
void store_set_busy_timeout(struct store *s, int ms);
/*
 * A full disk: every connection keeps DB.reserve (8 MiB) on the database's file system and
 * gives it back when a write finds the disk full, then tries that write again, so that
 * deleting pods and recording their status work on a full disk. The reserve is made again
 * when there is room (at open, and by store_keep_reserve()).
 */
void store_keep_reserve(struct store *s);
/* The reserve was given back and not made again yet: the disk ran full. */
bool store_reserve_used(struct store *s);
/* A real write (a row of meta), to tell that the database takes writes now. */
int store_ping(struct store *s, orc_error_t *err);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct store *, store_close)

/*
 * Applies pods in one transaction: all or nothing. A pod whose spec differs only in
 * container images, or only in labels/annotations, is "configured"; any other spec change
 * is refused as Kubernetes does (-EINVAL, message "Pod \"x\" is invalid: spec: Forbidden:
 * pod updates may not change fields other than ..."); applying over a pod that is being
 * deleted is refused (-EBUSY). ret_actions gets one action per pod.
 */
int store_apply_pods(struct store *s, struct pod *const *pods, size_t n,
                     enum apply_action *ret_actions, orc_error_t *err);

/*
 * One pod written through the Kubernetes API, in its own transaction. CREATE: -EEXIST when the
 * pod exists ("pods \"x\" already exists"). REPLACE: -ENOENT when it does not; a pod being
 * deleted may still change. Both: -ESTALE when resource_version is set and differs from the
 * stored one ("Operation cannot be fulfilled on pods \"x\": the object has been modified; ...");
 * the update rules of store_apply_pods. *ret is the object as stored (with status); a dry run
 * checks and writes everything, then rolls back, and answers the object as it would be (a
 * create without resourceVersion, a replace with the stored one).
 */
enum store_write_mode {
    STORE_WRITE_CREATE,
    STORE_WRITE_REPLACE,
    _STORE_WRITE_MODE_MAX,
    _STORE_WRITE_MODE_INVALID = -22,
};
struct store_write {
    enum store_write_mode mode;
    const char *resource_version; /* NULL or "": unconditional */
    const char *uid;              /* REPLACE: NULL or "", or the stored pod's (else -ESTALE) */
    bool dry_run;
};
int store_pod_write(struct store *s, const struct pod *pod, const struct store_write *w,
                    enum apply_action *ret_action, json_t **ret, orc_error_t *err);

/* Full object (with status). -ENOENT when absent. */
int store_pod_get(struct store *s, const char *ns, const char *name, json_t **ret,
                  orc_error_t *err);
int store_pod_get_by_uid(struct store *s, const char *uid, json_t **ret, orc_error_t *err);
/* JSON array of full objects, sorted by namespace then name; ns NULL = all namespaces. */
int store_pod_list(struct store *s, const char *ns, json_t **ret, orc_error_t *err);
/* The same list as JSON text, spliced from the stored texts without parsing them (the API's
 * list path: with many pods, parsing and printing every object again dominates its cost),
 * and its number of items. */
int store_pod_list_text(struct store *s, const char *ns, char **ret, size_t *ret_len, size_t *ret_n,
                        orc_error_t *err);
/* Each pod's text (as in store_pod_list_text) with its uid, namespace and name, in the same
 * order. */
struct store_pod_text {
    char *uid, *namespace, *name;
    char *text;
    size_t len;
};
int store_pod_texts(struct store *s, const char *ns, struct store_pod_text **ret, size_t *ret_n,
                    orc_error_t *err);
void store_pod_texts_free(struct store_pod_text *rows, size_t n);
/* Sets metadata.deletionTimestamp (and deletionGracePeriodSeconds from grace) and returns
 * the updated object; idempotent (a pod being deleted keeps its deadline). -ENOENT when
 * absent; -ESTALE when a precondition does not hold ("Operation cannot be fulfilled on pods
 * \"x\": Precondition failed: UID in precondition: ..."). A dry run checks and answers as if
 * marked, keeping nothing. */
struct store_delete {
    long long grace;              /* -1: the pod's own terminationGracePeriodSeconds */
    const char *uid;              /* precondition, NULL = none */
    const char *resource_version; /* precondition, NULL = none */
    bool dry_run;
};
int store_pod_delete(struct store *s, const char *ns, const char *name,
                     const struct store_delete *d, json_t **ret, orc_error_t *err);
/* Removes the pod for good (after it terminated) and its events. */
int store_pod_remove(struct store *s, const char *uid, orc_error_t *err);
/* Replaces the pod's status object (written by the reconcile loop only); the same status
 * again is not written (no new resourceVersion, nothing for watchers). */
int store_pod_set_status(struct store *s, const char *uid, const json_t *status, orc_error_t *err);

/*
 * Objects of the other kinds users write (objects.c; the kinds of manifests' objects.h:
 * ConfigMap, Secret), as the manifest parser normalised them. A write takes the stored
 * object's uid and creationTimestamp and a new resourceVersion; one that changes nothing its
 * writer owns (labels, annotations, the kind's fields) is not written ("unchanged"); the
 * kind's update rules (an immutable ConfigMap's data) refuse with -EINVAL and the API
 * server's message. The object's namespace is made with it (NamespaceAutoProvision).
 */
/*
 * Claims (claims.c), as the control plane's binder and a local provisioner: a claim without a
 * class, or of class orc-local, gets a directory of the user's, CLAIMS_DIR/NS/NAME (0700),
 * as a PersistentVolume of its own (pvc-UID, hostPath, class orc-local) bound to it at once;
 * a claim of another class (manual, "") is bound to the smallest Available PersistentVolume
 * of that class with the capacity and the access modes it asks for (the one its
 * spec.volumeName names, when it does), as soon as there is one. Bound: the volume's
 * spec.claimRef, the claim's spec.volumeName and storageClassName, both status.phase Bound,
 * the claim's status.capacity and accessModes the volume's. Every write of a claim or a volume
 * binds what it can, within its transaction.
 */
void store_set_claims_dir(struct store *s, const char *dir);
/* Removes the claims deleted while pods used them (kubernetes.io/pvc-protection) whose pods
 * are gone, releasing their volumes: the loop calls it when pods went. */
int store_claims_finish(struct store *s, orc_error_t *err);
int store_claims_bind(struct store *s, orc_error_t *err);
/* The host directory of a bound claim (its volume's hostPath or local path): what a pod's
 * persistentVolumeClaim volume mounts. -ENOENT for no such claim, -EAGAIN while it is not
 * bound ("persistentvolumeclaim \"x\" is not bound to a volume yet"). */
int store_claim_host_path(struct store *s, const char *ns, const char *claim, char **ret,
                          orc_error_t *err);

/* A stream of documents of any kind (pods and objects) applied in one transaction: all or
 * nothing; ret_actions gets one action per document. */
int store_apply(struct store *s, const struct manifest_doc *docs, size_t n,
                enum apply_action *ret_actions, orc_error_t *err);
/* One object written through the Kubernetes API (create or replace as for pods, with
 * store_write's preconditions and dry run); *ret is the object as stored. */
int store_object_write(struct store *s, const json_t *obj, const struct store_write *w,
                       enum apply_action *ret_action, json_t **ret, orc_error_t *err);
/* Removes the object at once (objects of these kinds have no finalizers) and its events,
 * after d's preconditions (its grace is not used); *ret is the object removed. -ENOENT
 * ("configmaps \"x\" not found") when absent. */
int store_object_delete(struct store *s, const char *kind, const char *ns, const char *name,
                        const struct store_delete *d, json_t **ret, orc_error_t *err);

/* The object an event is about (its uid: the node's name for the node, as kubelet's). */
struct store_event_ref {
    const char *kind;      /* "Pod", "Node" */
    const char *namespace; /* "" or NULL for a cluster-scoped object */
    const char *name;
    const char *uid;
};
/* Appends an event (events.c; the core/v1 Event shape is built on read); repeated identical
 * (object, type, reason, message) events bump count and lastTimestamp. The log is bounded
 * (oldest dropped beyond 10000 rows). type is "Normal" or "Warning". Events of a
 * cluster-scoped object are kept in namespace "default". */
int store_event_add(struct store *s, const struct store_event_ref *ref, const char *type,
                    const char *reason, const char *message, orc_error_t *err);
/* JSON array of core/v1 Events named OBJECT.ID (16 hex digits) in the order of their
 * namespace and name, as the API server lists by key; filters (namespace, the object's name)
 * may be NULL. */
int store_event_list(struct store *s, const char *ns, const char *name, json_t **ret,
                     orc_error_t *err);
/* One event by its name; -ENOENT ("events \"x\" not found") when absent. */
int store_event_get(struct store *s, const char *ns, const char *event_name, json_t **ret,
                    orc_error_t *err);

/*
 * The node and the namespaces (cluster.c). The node is a row of kind Node, with its Lease
 * in kube-node-lease, whose uids and creation times stay while its name does;
 * store_node_register() makes them (and removes a node of another name: the machine was
 * renamed), makes the built-in namespaces and one for every namespace a pod is in, and binds
 * pods stored unbound (older databases) to it.
 */
#define STORE_NODE_LEASE_NAMESPACE "kube-node-lease"
struct store_node {
    char *uid;
    long long created_ns;
    long long resource_version;
};
int store_node_register(struct store *s, const char *name, struct store_node *ret,
                        orc_error_t *err);
void store_node_done(struct store_node *n);
/* Pods created through this connection get spec.nodeName = name (kubelet's pods are bound);
 * an update keeps the stored one. */
void store_set_node_name(struct store *s, const char *name);
/* default, kube-system, kube-public, kube-node-lease; NULL-terminated. */
extern const char *const store_builtin_namespaces[];
/* Makes the namespace (status Active) unless it exists: a pod's namespace is made with it,
 * as the NamespaceAutoProvision admission plugin does; -EACCES when it is Terminating. Call
 * within a transaction or alone. */
int store_namespace_ensure(struct store *s, const char *name, orc_error_t *err);
/* A namespace made through the API (labels and annotations may be NULL; its
 * kubernetes.io/metadata.name label is set); -EEXIST ("namespaces \"x\" already exists").
 * A dry run answers the namespace as it would be, keeping nothing. */
int store_namespace_create(struct store *s, const char *name, const json_t *labels,
                           const json_t *annotations, bool dry_run, json_t **ret, orc_error_t *err);
/*
 * Deleting a namespace (namespaces.c), as the API server and its namespace controller do:
 * default, kube-system and kube-public may not be deleted (-EACCES: "namespaces \"default\" is
 * forbidden: this namespace may not be deleted"), nor kube-node-lease (orc keeps its node's
 * Lease there). Otherwise the namespace becomes Terminating (deletionTimestamp,
 * status.phase), its pods are deleted gracefully and its ConfigMaps and Secrets at once, in
 * one transaction; *ret is the namespace. Nothing may be created in it meanwhile
 * (store_namespace_ensure: -EACCES "unable to create new content in namespace x because it
 * is being terminated"). store_namespaces_finish() removes every Terminating namespace that
 * holds no object any more, and its events: the loop calls it when pods went.
 */
extern const char *const store_undeletable_namespaces[];
int store_namespace_delete(struct store *s, const char *name, const struct store_delete *d,
                           json_t **ret, orc_error_t *err);
int store_namespaces_finish(struct store *s, orc_error_t *err);
/* 1 when the namespace is Terminating, 0 when not (or absent). */
int store_namespace_terminating(struct store *s, const char *name, orc_error_t *err);
/* An object of any kind with its status; ns "" or NULL for a cluster-scoped one. -ENOENT
 * ("namespaces \"x\" not found") when absent. */
int store_object_get(struct store *s, const char *kind, const char *ns, const char *name,
                     json_t **ret, orc_error_t *err);
/* JSON array of a kind's objects, sorted by namespace then name; ns NULL = all. */
int store_object_list(struct store *s, const char *kind, const char *ns, json_t **ret,
                      orc_error_t *err);

/* The store's resourceVersion now (a list's metadata.resourceVersion: read it in the same
 * read transaction as the items). */
int store_resource_version(struct store *s, int64_t *ret, orc_error_t *err);
/* A read transaction: what is read between begin and end is one snapshot. */
int store_read_begin(struct store *s, orc_error_t *err);
void store_read_end(struct store *s);
/* The objects of kind ("Pod", "Event") in namespace ns (NULL: every one) as watchers see
 * them (JSON text), in a list's order, and the resourceVersion they are at, read in one
 * transaction: each(arg, json, len) for every object. */
int store_snapshot(struct store *s, const char *kind, const char *ns,
                   void (*each)(void *arg, const char *json, size_t len), void *arg,
                   int64_t *ret_rv, orc_error_t *err);

/* A list's items and the store's resourceVersion (a watch goes on from it), read in one
 * transaction: the objects of kind in ns (NULL: every namespace) as store_object_list()
 * lists them; for "Event", store_event_list()'s, of the object named name (NULL: any). */
int store_list_read(struct store *s, const char *kind, const char *ns, const char *name,
                    json_t **ret, int64_t *ret_rv, orc_error_t *err);

/* The whole database, for tests: a stable text dump of objects (used to prove that bad
 * input changed nothing). */
int store_dump(struct store *s, char **ret, orc_error_t *err);
