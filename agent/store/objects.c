/* SPDX-License-Identifier: Apache-2.0 */
/* Objects of the kinds besides pods that users write (ConfigMap, Secret, claims, volumes,
 * namespaces): create, replace, delete, and apply of a stream of several kinds (see
 * store.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "objects.h"
#include "store/internal.h"
#include "store/store.h"
#include "xalloc.h"

static const char *meta_str(const json_t *obj, const char *key)
{
    return orc_json_str(json_object_get(obj, "metadata"), key);
}

/* The new object takes what the server owns from the stored one: uid, creationTimestamp. */
static int update_object(struct store *s, const struct stored *old, json_t *obj, orc_error_t *err)
{
    json_t *om = json_object_get(old->object, "metadata"), *nm = orc_json_obj(obj, "metadata");
    long long rv;
    if (store_next_rv(s, &rv, err) < 0)
        return -1;
    static const char *const kept[] = {"uid", "creationTimestamp", "finalizers",
                                       "deletionTimestamp"};
    for (size_t i = 0; i < ELEMENTSOF(kept); i++)
        if (json_object_get(om, kept[i]))
            json_object_set(nm, kept[i], json_object_get(om, kept[i]));
    json_object_set_new(nm, "resourceVersion", json_sprintf("%lld", rv));
    _cleanup_free_ char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, "UPDATE objects SET resource_version = ?1, object = ?2 WHERE uid = ?3",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, rv);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, old->uid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "write object");
    return 0;
}

/* What the API server sets on every namespace: its name as a label and the finalizer its
 * deletion runs. */
static void namespace_defaults(json_t *ns, const char *name)
{
    json_t *meta = orc_json_obj(ns, "metadata");
    json_object_set_new(orc_json_obj(meta, "labels"), "kubernetes.io/metadata.name",
                        json_string(name));
    json_object_set_new(ns, "spec", json_pack("{s:[s]}", "finalizers", "kubernetes"));
}

/* Writes obj (a copy) over old (old->object NULL: nothing stored), within a transaction:
 * the update rules of its kind, "unchanged" when nothing its writer owns differs. */
static int put_object(struct store *s, const struct stored *old, const json_t *obj,
                      enum apply_action *ret, orc_error_t *err)
{
    const char *kind = orc_json_str(obj, "kind");
    json_auto_t *copy = json_deep_copy(obj);
    json_t *meta = orc_json_obj(copy, "metadata");
    const char *ns = meta_str(copy, "namespace") ?: "", *name = meta_str(copy, "name");
    json_object_del(meta, "uid"); /* the server's */
    json_object_del(meta, "resourceVersion");
    bool volumes = !strcmp(kind, "PersistentVolumeClaim") || !strcmp(kind, "PersistentVolume");
    bool namespace = !strcmp(kind, "Namespace");
    if (namespace)
        namespace_defaults(copy, name);
    if (!old->object) {
        *ret = APPLY_CREATED;
        if (*ns && store_namespace_ensure(s, ns, err) < 0) {
            _cleanup_free_ char *resource = manifest_kind_resource(kind);
            return orc_error_wrap(err, "%s \"%s\" is forbidden", resource, name);
        }
        if (!strcmp(kind, "PersistentVolumeClaim")) /* kept while pods use it */
            json_object_set_new(meta, "finalizers", json_pack("[s]", OBJECT_PVC_PROTECTION));
        const char *status = !strcmp(kind, "PersistentVolumeClaim") ? "{\"phase\":\"Pending\"}"
                             : !strcmp(kind, "PersistentVolume")    ? "{\"phase\":\"Available\"}"
                             : namespace                            ? "{\"phase\":\"Active\"}"
                                                                    : NULL;
        if (store_insert_object(s, kind, ns, name, copy, status, err) < 0)
            return -1;
        return volumes ? store_claims_bind(s, err) : 0;
    }
    manifest_object_keep_server_fields(old->object, copy);
    if (manifest_object_update_check(kind, old->object, copy, err) < 0)
        return -1;
    if (!manifest_object_changed(old->object, copy)) {
        *ret = APPLY_UNCHANGED;
        return 0;
    }
    *ret = APPLY_CONFIGURED;
    return update_object(s, old, copy, err);
}

/* One object applied within the caller's transaction. */
static int apply_object(struct store *s, const json_t *obj, enum apply_action *ret,
                        orc_error_t *err)
{
    struct stored old = {0};
    int r = store_find_object(s, orc_json_str(obj, "kind"), meta_str(obj, "namespace") ?: "",
                              meta_str(obj, "name"), &old, err);
    if (r == -ENOENT)
        r = 0;
    if (r == 0)
        r = put_object(s, &old, obj, ret, err);
    stored_clear(&old);
    return r;
}

int store_apply(struct store *s, const struct manifest_doc *docs, size_t n,
                enum apply_action *ret_actions, orc_error_t *err)
{
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int r = docs[i].pod ? store_apply_pod_locked(s, docs[i].pod, &ret_actions[i], err)
                            : apply_object(s, docs[i].object, &ret_actions[i], err);
        if (r < 0) {
            (void) store_exec(s, "ROLLBACK", NULL);
            return orc_error_code(*err);
        }
    }
    return store_commit(s, err);
}

int store_object_write(struct store *s, const json_t *obj, const struct store_write *w,
                       enum apply_action *ret_action, json_t **ret, orc_error_t *err)
{
    const char *kind = orc_json_str(obj, "kind");
    const char *ns = meta_str(obj, "namespace") ?: "", *name = meta_str(obj, "name");
    _cleanup_free_ char *resource = manifest_kind_resource(kind);
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    struct stored old = {0};
    json_t *result = NULL;
    enum apply_action action = APPLY_CREATED;
    int r = store_find_object(s, kind, ns, name, &old, err);
    if (r == -ENOENT)
        r = 0;
    if (r == 0)
        r = store_write_check(resource, name, &old, w, err);
    if (r == 0)
        r = put_object(s, &old, obj, &action, err);
    if (r == 0)
        r = store_object_get(s, kind, ns, name, &result, err);
    if (r == 0 && w->dry_run)
        store_dry_run_version(result, &old);
    r = store_end_transaction(s, r, !w->dry_run, err);
    stored_clear(&old);
    if (r < 0) {
        json_decref(result);
        return r;
    }
    if (ret_action)
        *ret_action = action;
    *ret = result;
    return 0;
}

/* Removes the row (the feed gets its DELETED) and the object's events. */
static int remove_object(struct store *s, const char *uid, orc_error_t *err)
{
    static const char *const sql[] = {"DELETE FROM objects WHERE uid = ?",
                                      "DELETE FROM events WHERE uid = ?"};
    for (size_t i = 0; i < ELEMENTSOF(sql); i++) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql[i], &st, err) < 0)
            return -1;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
        if (!store_step_write(s, st))
            return store_db_error(s, err, "delete object");
    }
    return 0;
}

int store_object_delete(struct store *s, const char *kind, const char *ns, const char *name,
                        const struct store_delete *d, json_t **ret, orc_error_t *err)
{
    _cleanup_free_ char *resource = manifest_kind_resource(kind);
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    struct stored old = {0};
    int r = store_find_object(s, kind, ns, name, &old, err);
    if (r == -ENOENT)
        r = orc_error_make_as(err, ENOENT, "%s \"%s\" not found", resource, name);
    if (r == 0)
        r = store_delete_check(resource, &old, name, d, err);
    if (r == 0)
        r = !strcmp(kind, "PersistentVolumeClaim") ? store_claim_delete_locked(s, &old, err)
                                                   : remove_object(s, old.uid, err);
    r = store_end_transaction(s, r, !d->dry_run, err);
    if (r == 0)
        *ret = json_incref(old.object);
    stored_clear(&old);
    return r;
}
