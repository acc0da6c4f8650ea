/* SPDX-License-Identifier: Apache-2.0 */
/* The node and the namespaces: objects of the store besides pods (see store.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "store/internal.h"
#include "store/store.h"
#include "time-util.h"
#include "xalloc.h"

const char *const store_builtin_namespaces[] = {"default", "kube-system", "kube-public",
                                                "kube-node-lease", NULL};

void store_set_node_name(struct store *s, const char *name)
{
    free(s->node_name);
    s->node_name = name ? xstrdup(name) : NULL;
}

int store_insert_object(struct store *s, const char *kind, const char *ns_arg, const char *name_arg,
                        json_t *obj, const char *status, orc_error_t *err)
{
    /* copies: they may be obj's own strings, which the metadata written below replaces */
    _cleanup_free_ char *ns = xstrdup(ns_arg), *name = xstrdup(name_arg);
    long long rv;
    if (store_next_rv(s, &rv, err) < 0)
        return -1;
    _cleanup_free_ char *uid = store_new_uid();
    int64_t now = orc_time_now_ns();
    json_t *meta = orc_json_obj(obj, "metadata");
    json_object_set_new(meta, "name", json_string(name));
    if (*ns)
        json_object_set_new(meta, "namespace", json_string(ns));
    json_object_set_new(meta, "uid", json_string(uid));
    json_object_set_new(meta, "resourceVersion", json_sprintf("%lld", rv));
    json_object_set_new(meta, "creationTimestamp", store_ts_json(now));
    _cleanup_free_ char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(
            s,
            "INSERT INTO objects (uid, kind, namespace, name, resource_version, "
            "generation, created_ns, object, status) VALUES (?1, ?2, ?8, ?3, ?4, 1, ?5, ?6, ?7)",
            &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, rv);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, ns, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "write object");
    return 0;
}

/* 1 when an object of kind named name exists, 0 when not. */
static int object_exists(struct store *s, const char *kind, const char *ns, const char *name,
                         orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, "SELECT 1 FROM objects WHERE kind = ? AND namespace = ? AND name = ?", &st,
                      err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, err, "read object");
    return rc == SQLITE_ROW;
}

int store_namespace_ensure(struct store *s, const char *name, orc_error_t *err)
{
    int r = store_namespace_terminating(s, name, err);
    if (r > 0)
        return orc_error_make_as(err, EACCES,
                                 "unable to create new content in namespace %s because it is "
                                 "being terminated",
                                 name);
    if (r == 0)
        r = object_exists(s, "Namespace", "", name, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    json_auto_t *obj = json_pack("{s:s,s:s,s:{s:{s:s}},s:{s:[s]}}", "apiVersion", "v1", "kind",
                                 "Namespace", "metadata", "labels", "kubernetes.io/metadata.name",
                                 name, "spec", "finalizers", "kubernetes");
    return store_insert_object(s, "Namespace", "", name, obj, "{\"phase\":\"Active\"}", err);
}

int store_namespace_create(struct store *s, const char *name, const json_t *labels,
                           const json_t *annotations, bool dry_run, json_t **ret, orc_error_t *err)
{
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    json_t *created = NULL;
    int r = object_exists(s, "Namespace", "", name, err);
    if (r > 0)
        r = orc_error_make(err, EEXIST, "namespaces \"%s\" already exists", name);
    if (r == 0) {
        json_t *l = labels ? json_deep_copy(labels) : json_object();
        json_auto_t *obj =
            json_pack("{s:s,s:s,s:{s:o},s:{s:[s]}}", "apiVersion", "v1", "kind", "Namespace",
                      "metadata", "labels", l, "spec", "finalizers", "kubernetes");
        json_t *meta = json_object_get(obj, "metadata");
        json_object_set_new(json_object_get(meta, "labels"), "kubernetes.io/metadata.name",
                            json_string(name));
        if (json_object_size(annotations))
            json_object_set(meta, "annotations", (json_t *) annotations);
        r = store_insert_object(s, "Namespace", "", name, obj, "{\"phase\":\"Active\"}", err);
    }
    if (r == 0)
        r = store_object_get(s, "Namespace", NULL, name, &created, err);
    r = store_end_transaction(s, r, !dry_run, err);
    if (r < 0) {
        json_decref(created);
        return r;
    }
    if (dry_run) /* not written: no resourceVersion yet, as the API server answers */
        json_object_del(json_object_get(created, "metadata"), "resourceVersion");
    *ret = created;
    return 0;
}

/* The built-in namespaces and every one a pod is in. */
static int ensure_namespaces(struct store *s, orc_error_t *err)
{
    for (size_t i = 0; store_builtin_namespaces[i]; i++)
        if (store_namespace_ensure(s, store_builtin_namespaces[i], err) < 0)
            return -1;
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT DISTINCT namespace FROM objects WHERE kind = 'Pod' AND namespace "
                      "NOT IN (SELECT name FROM objects WHERE kind = 'Namespace')",
                      &st, err) < 0)
        return -1;
    char **names = NULL;
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        names = xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = xstrdup((const char *) sqlite3_column_text(st, 0));
    }
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        if (r == 0 && store_namespace_ensure(s, names[i], err) < 0)
            r = -1;
        free(names[i]);
    }
    free(names);
    return r;
}

/* Pods stored before they were bound (older databases) are bound to the node now. */
static int bind_unbound_pods(struct store *s, const char *node, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "UPDATE objects SET object = json_set(object, '$.spec.nodeName', ?1), "
                      "resource_version = (SELECT value FROM meta WHERE key = "
                      "'resource_version') + 1 WHERE kind = 'Pod' AND "
                      "json_extract(object, '$.spec.nodeName') IS NULL",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "bind pods to the node");
    if (sqlite3_changes(s->db) == 0)
        return 0;
    long long rv;
    return store_next_rv(s, &rv, err);
}

static int read_node(struct store *s, const char *name, struct store_node *ret, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT uid, created_ns, resource_version FROM objects "
                      "WHERE kind = 'Node' AND name = ?",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return -ENOENT;
    if (rc != SQLITE_ROW)
        return store_db_error(s, err, "read node");
    ret->uid = xstrdup((const char *) sqlite3_column_text(st, 0));
    ret->created_ns = sqlite3_column_int64(st, 1);
    ret->resource_version = sqlite3_column_int64(st, 2);
    return 0;
}

static int register_node(struct store *s, const char *name, orc_error_t *err)
{
    struct store_node found = {0};
    int r = read_node(s, name, &found, err);
    store_node_done(&found);
    if (r != -ENOENT)
        return r;
    /* one node, one lease: the machine was renamed */
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, "DELETE FROM objects WHERE kind IN ('Node', 'Lease')", &st, err) < 0)
        return -1;
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "remove the old node");
    json_auto_t *node = json_pack("{s:s,s:s,s:{}}", "apiVersion", "v1", "kind", "Node", "metadata");
    json_auto_t *lease = json_pack("{s:s,s:s,s:{}}", "apiVersion", "coordination.k8s.io/v1", "kind",
                                   "Lease", "metadata");
    if (store_insert_object(s, "Node", "", name, node, NULL, err) < 0)
        return -1;
    return store_insert_object(s, "Lease", STORE_NODE_LEASE_NAMESPACE, name, lease, NULL, err);
}

int store_node_register(struct store *s, const char *name, struct store_node *ret, orc_error_t *err)
{
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    struct store_node node = {0};
    if (register_node(s, name, err) < 0 || ensure_namespaces(s, err) < 0 ||
        bind_unbound_pods(s, name, err) < 0 || read_node(s, name, &node, err) < 0) {
        (void) store_exec(s, "ROLLBACK", NULL);
        return orc_error_wrap(err, "register node '%s'", name);
    }
    if (store_commit(s, err) < 0) {
        free(node.uid);
        return -1;
    }
    *ret = node;
    return 0;
}

void store_node_done(struct store_node *n)
{
    free(n->uid);
    n->uid = NULL;
}

static json_t *row_json(sqlite3_stmt *st)
{
    const char *text = (const char *) sqlite3_column_text(st, 0);
    const char *status = (const char *) sqlite3_column_text(st, 1);
    json_t *obj = json_loads(text, 0, NULL);
    json_t *stj = obj && status ? json_loads(status, 0, NULL) : NULL;
    if (stj)
        json_object_set_new(obj, "status", stj);
    return obj;
}

int store_object_get(struct store *s, const char *kind, const char *ns, const char *name,
                     json_t **ret, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT object, status FROM objects WHERE kind = ? AND namespace = ? "
                      "AND name = ?",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ns ? ns : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) { /* named as the API server names it: "namespaces \"x\" not found" */
        _cleanup_free_ char *resource = xasprintf("%ss", kind);
        for (char *c = resource; *c; c++)
            *c = (char) tolower((unsigned char) *c);
        return orc_error_make(err, ENOENT, "%s \"%s\" not found", resource, name);
    }
    if (rc != SQLITE_ROW)
        return store_db_error(s, err, "read object");
    *ret = row_json(st);
    return *ret ? 0 : orc_error_make(err, EIO, "stored %s '%s' is not valid JSON", kind, name);
}

int store_object_list(struct store *s, const char *kind, const char *ns, json_t **ret,
                      orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT object, status FROM objects WHERE kind = ?1 AND "
                      "(?2 IS NULL OR namespace = ?2) ORDER BY namespace, name",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    if (ns)
        sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    json_t *items = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = row_json(st);
        if (o)
            json_array_append_new(items, o);
    }
    if (rc != SQLITE_DONE) {
        json_decref(items);
        return store_db_error(s, err, "list objects");
    }
    *ret = items;
    return 0;
}

int store_list_read(struct store *s, const char *kind, const char *ns, const char *name,
                    json_t **ret, int64_t *ret_rv, orc_error_t *err)
{
    if (store_read_begin(s, err) < 0)
        return -1;
    json_t *items = NULL;
    int r = !strcmp(kind, "Event") ? store_event_list(s, ns, name, &items, err)
                                   : store_object_list(s, kind, ns, &items, err);
    if (r == 0)
        r = store_resource_version(s, ret_rv, err);
    store_read_end(s);
    if (r < 0) {
        json_decref(items);
        return r;
    }
    *ret = items;
    return 0;
}
