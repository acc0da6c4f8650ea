/* SPDX-License-Identifier: Apache-2.0 */
/* Deleting a namespace, as the API server and its namespace controller do (see store.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "objects.h"
#include "store/internal.h"
#include "store/store.h"
#include "time-util.h"
#include "xalloc.h"

const char *const store_undeletable_namespaces[] = {"default", "kube-system", "kube-public", NULL};

int store_namespace_terminating(struct store *s, const char *name, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT 1 FROM objects WHERE kind = 'Namespace' AND namespace = '' AND "
                      "name = ? AND deleted_ns IS NOT NULL",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, err, "read namespace");
    return rc == SQLITE_ROW;
}

/* The namespace Terminating: deletionTimestamp, status.phase. */
static int mark_terminating(struct store *s, struct stored *ns, orc_error_t *err)
{
    long long rv;
    if (store_next_rv(s, &rv, err) < 0)
        return -1;
    int64_t now = orc_time_now_ns();
    json_t *meta = orc_json_obj(ns->object, "metadata");
    json_object_set_new(meta, "deletionTimestamp", store_ts_json(now));
    json_object_set_new(meta, "resourceVersion", json_sprintf("%lld", rv));
    _cleanup_free_ char *text = json_dumps(ns->object, JSON_COMPACT | JSON_SORT_KEYS);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "UPDATE objects SET deleted_ns = ?1, resource_version = ?2, object = ?3, "
                      "status = '{\"phase\":\"Terminating\"}' WHERE uid = ?4",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, rv);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ns->uid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "mark namespace deleted");
    return 0;
}

/* Every pod of the namespace is deleted gracefully (its worker stops it, then removes it). */
static int delete_pods(struct store *s, const char *ns, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT name FROM objects WHERE kind = 'Pod' AND namespace = ? AND "
                      "deleted_ns IS NULL ORDER BY name",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    char **names = NULL;
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        names = xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = xstrdup((const char *) sqlite3_column_text(st, 0));
    }
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        struct stored pod = {0};
        if (r == 0 && store_find_object(s, "Pod", ns, names[i], &pod, err) == 0)
            r = store_mark_deleted(s, &pod, -1, err);
        stored_clear(&pod);
        free(names[i]);
    }
    free(names);
    return r;
}

/* The objects users write (ConfigMaps, Secrets) go at once, with their events. */
static int delete_objects(struct store *s, const char *ns, orc_error_t *err)
{
    for (size_t i = 0; manifest_object_kinds[i]; i++)
        for (int events = 1; events >= 0; events--) {
            if (!strcmp(manifest_object_kinds[i], "PersistentVolumeClaim") ||
                !manifest_kind_namespaced(manifest_object_kinds[i]))
                break; /* claims wait for their pods (delete_claims) */
            _cleanup_stmt_ sqlite3_stmt *st = NULL;
            if (store_prepare(s,
                              events ? "DELETE FROM events WHERE uid IN (SELECT uid FROM objects "
                                       "WHERE kind = ?1 AND namespace = ?2)"
                                     : "DELETE FROM objects WHERE kind = ?1 AND namespace = ?2",
                              &st, err) < 0)
                return -1;
            sqlite3_bind_text(st, 1, manifest_object_kinds[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
            if (!store_step_write(s, st))
                return store_db_error(s, err, "delete the namespace's objects");
        }
    return 0;
}

/* Claims are deleted as one by one: Terminating while pods use them. */
static int delete_claims(struct store *s, const char *ns, orc_error_t *err)
{
    json_auto_t *claims = NULL;
    if (store_object_list(s, "PersistentVolumeClaim", ns, &claims, err) < 0)
        return -1;
    size_t i;
    json_t *c;
    json_array_foreach(claims, i, c) {
        struct stored old = {0};
        int r = store_find_object(s, "PersistentVolumeClaim", ns,
                                  orc_json_str(json_object_get(c, "metadata"), "name"), &old, err);
        if (r == 0)
            r = store_claim_delete_locked(s, &old, err);
        stored_clear(&old);
        if (r < 0)
            return -1;
    }
    return 0;
}

static int refuse_builtin(const char *name, orc_error_t *err)
{
    for (size_t i = 0; store_undeletable_namespaces[i]; i++)
        if (!strcmp(name, store_undeletable_namespaces[i]))
            return orc_error_make_as(err, EACCES,
                                     "namespaces \"%s\" is forbidden: this namespace may not be "
                                     "deleted",
                                     name);
    if (!strcmp(name, STORE_NODE_LEASE_NAMESPACE))
        return orc_error_make_as(err, EACCES,
                                 "namespaces \"%s\" is forbidden: this namespace may not be "
                                 "deleted: orc keeps its node's Lease in it",
                                 name);
    return 0;
}

int store_namespace_delete(struct store *s, const char *name, const struct store_delete *d,
                           json_t **ret, orc_error_t *err)
{
    int refused = refuse_builtin(name, err);
    if (refused < 0)
        return refused;
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    struct stored ns = {0};
    json_t *obj = NULL;
    int r = store_find_object(s, "Namespace", "", name, &ns, err);
    if (r == -ENOENT)
        r = orc_error_make_as(err, ENOENT, "namespaces \"%s\" not found", name);
    if (r == 0)
        r = store_delete_check("namespaces", &ns, name, d, err);
    if (r == 0 && !ns.deleted_ns)
        r = mark_terminating(s, &ns, err);
    if (r == 0)
        r = delete_pods(s, name, err);
    if (r == 0)
        r = delete_objects(s, name, err);
    if (r == 0)
        r = delete_claims(s, name, err);
    if (r == 0)
        r = store_object_get(s, "Namespace", NULL, name, &obj, err);
    r = store_end_transaction(s, r, !d->dry_run, err);
    stored_clear(&ns);
    if (r < 0) {
        json_decref(obj);
        return r;
    }
    *ret = obj;
    return 0;
}

int store_namespaces_finish(struct store *s, orc_error_t *err)
{
    static const char *const sql[] = {
        "DELETE FROM events WHERE namespace IN (SELECT name FROM objects n WHERE n.kind = "
        "'Namespace' AND n.deleted_ns IS NOT NULL AND NOT EXISTS (SELECT 1 FROM objects o "
        "WHERE o.namespace = n.name))",
        "DELETE FROM objects WHERE kind = 'Namespace' AND deleted_ns IS NOT NULL AND NOT "
        "EXISTS (SELECT 1 FROM objects o WHERE o.namespace = objects.name)",
    };
    _cleanup_stmt_ sqlite3_stmt *any = NULL;
    if (store_prepare(s,
                      "SELECT 1 FROM objects WHERE kind = 'Namespace' AND deleted_ns IS NOT "
                      "NULL LIMIT 1",
                      &any, err) < 0)
        return -1;
    int rc = sqlite3_step(any);
    if (rc == SQLITE_DONE) /* none is terminating: no write */
        return 0;
    if (rc != SQLITE_ROW)
        return store_db_error(s, err, "read namespaces");
    sqlite3_reset(any);
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    for (size_t i = 0; i < ELEMENTSOF(sql); i++) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql[i], &st, err) < 0 || !store_step_write(s, st)) {
            int r = *err ? -1 : store_db_error(s, err, "remove terminated namespaces");
            (void) store_exec(s, "ROLLBACK", NULL);
            return r;
        }
    }
    return store_commit(s, err);
}
