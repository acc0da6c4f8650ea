/* SPDX-License-Identifier: Apache-2.0 */
/* PersistentVolumeClaims bound to volumes, as the control plane's binder and a local
 * provisioner do (see store.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs-util.h"
#include "json-util.h"
#include "objects.h"
#include "quantity.h"
#include "store/internal.h"
#include "store/store.h"
#include "xalloc.h"

void store_set_claims_dir(struct store *s, const char *dir)
{
    free(s->claims_dir);
    s->claims_dir = dir ? xstrdup(dir) : NULL;
}

static int64_t storage_of(const json_t *list)
{
    int64_t milli = 0;
    const char *q = orc_json_str(list, "storage");
    return q && quantity_parse_milli(q, &milli) == 0 ? milli / 1000 : 0;
}

/* Every mode the claim asks for is one the volume has. */
static bool modes_fit(const json_t *claim_spec, const json_t *pv_spec)
{
    size_t i, k;
    json_t *m, *n;
    json_array_foreach(json_object_get(claim_spec, "accessModes"), i, m) {
        bool found = false;
        json_array_foreach(json_object_get(pv_spec, "accessModes"), k, n)
            found = found || json_equal(m, n);
        if (!found)
            return false;
    }
    return true;
}

static int set_status(struct store *s, const char *kind, const char *ns, const char *name,
                      json_t *obj, const json_t *status, orc_error_t *err)
{
    long long rv;
    if (store_next_rv(s, &rv, err) < 0)
        return -1;
    json_object_set_new(orc_json_obj(obj, "metadata"), "resourceVersion", json_sprintf("%lld", rv));
    json_object_del(obj, "status");
    _cleanup_free_ char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    _cleanup_free_ char *st_text = json_dumps(status, JSON_COMPACT | JSON_SORT_KEYS);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "UPDATE objects SET resource_version = ?1, object = ?2, status = ?3 "
                      "WHERE kind = ?4 AND namespace = ?5 AND name = ?6",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, rv);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, st_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "bind claim");
    return 0;
}

/* Claim and volume bound to each other: the volume's claimRef, both Bound. */
static int bind(struct store *s, json_t *claim, json_t *pv, orc_error_t *err)
{
    json_t *cm = json_object_get(claim, "metadata"), *pm = json_object_get(pv, "metadata");
    json_t *cs = orc_json_obj(claim, "spec"), *ps = orc_json_obj(pv, "spec");
    const char *ns = orc_json_str(cm, "namespace"), *cname = orc_json_str(cm, "name");
    const char *pname = orc_json_str(pm, "name");
    json_object_set_new(ps, "claimRef",
                        json_pack("{s:s,s:s,s:s,s:s,s:s}", "apiVersion", "v1", "kind",
                                  "PersistentVolumeClaim", "namespace", ns, "name", cname, "uid",
                                  orc_json_str(cm, "uid") ?: ""));
    json_object_set_new(cs, "volumeName", json_string(pname));
    const char *cls = orc_json_str(ps, "storageClassName");
    json_object_set_new(cs, "storageClassName", json_string(cls ? cls : ""));
    json_auto_t *pv_status = json_pack("{s:s}", "phase", "Bound");
    json_auto_t *claim_status =
        json_pack("{s:s,s:O,s:O}", "phase", "Bound", "accessModes",
                  json_object_get(ps, "accessModes"), "capacity", json_object_get(ps, "capacity"));
    if (!claim_status)
        return orc_error_make_as(err, EINVAL, "volume '%s' has no capacity or modes", pname);
    if (set_status(s, "PersistentVolume", "", pname, pv, pv_status, err) < 0)
        return -1;
    return set_status(s, "PersistentVolumeClaim", ns, cname, claim, claim_status, err);
}

/* orc's class: a directory of the user's, data_dir/claims/NS/NAME-UID, as a volume of its
 * own named after the claim's uid, as provisioners name them. The uid keeps a new claim of
 * the same name from seeing what an earlier one left. claims/ and each namespace's directory
 * are the user's only (0700); the claim's own is 0777, as a provisioner's, so that a
 * container of any user can use it. */
static int provision(struct store *s, json_t *claim, orc_error_t *err)
{
    json_t *cm = json_object_get(claim, "metadata"), *cs = json_object_get(claim, "spec");
    if (!s->claims_dir)
        return orc_error_make_as(err, EINVAL, "no directory for claims");
    _cleanup_free_ char *dir =
        xasprintf("%s/%s/%s-%s", s->claims_dir, orc_json_str(cm, "namespace"),
                  orc_json_str(cm, "name"), orc_json_str(cm, "uid"));
    _cleanup_free_ char *pname = xasprintf("pvc-%s", orc_json_str(cm, "uid"));
    if (orc_mkdir_p(dir, 0700, err) < 0)
        return orc_error_wrap(err, "provision claim '%s'", orc_json_str(cm, "name"));
    if (chmod(dir, 0777) < 0)
        return orc_error_make(err, errno, "provision claim '%s': chmod '%s'",
                              orc_json_str(cm, "name"), dir);
    json_auto_t *pv = json_pack(
        "{s:s,s:s,s:{s:{s:s}},s:{s:O,s:{s:O},s:{s:s,s:s},s:s,s:s,s:s}}", "apiVersion", "v1", "kind",
        "PersistentVolume", "metadata", "annotations", "pv.kubernetes.io/provisioned-by",
        "orc.dev/local", "spec", "accessModes", json_object_get(cs, "accessModes"), "capacity",
        "storage",
        json_object_get(json_object_get(json_object_get(cs, "resources"), "requests"), "storage"),
        "hostPath", "path", dir, "type", "Directory", "storageClassName", OBJECT_STORAGE_CLASS,
        "persistentVolumeReclaimPolicy", "Delete", "volumeMode", "Filesystem");
    if (!pv)
        return orc_error_make_as(err, EINVAL, "claim '%s' has no size or modes",
                                 orc_json_str(cm, "name"));
    if (store_insert_object(s, "PersistentVolume", "", pname, pv, NULL, err) < 0)
        return -1;
    return bind(s, claim, pv, err);
}

/* The smallest Available volume of the claim's class that is big enough and has its modes
 * (the one spec.volumeName names, when it does); NULL when none. */
static json_t *find_volume(const json_t *claim, const json_t *volumes)
{
    const json_t *cs = json_object_get(claim, "spec");
    const char *cls = orc_json_str(cs, "storageClassName") ?: "";
    const char *wanted = orc_json_str(cs, "volumeName");
    int64_t need = storage_of(json_object_get(json_object_get(cs, "resources"), "requests"));
    json_t *best = NULL;
    int64_t best_size = 0;
    size_t i;
    json_t *pv;
    json_array_foreach(volumes, i, pv) {
        const json_t *ps = json_object_get(pv, "spec");
        int64_t size = storage_of(json_object_get(ps, "capacity"));
        if (json_object_get(ps, "claimRef") ||
            strcmp(orc_json_str(ps, "storageClassName") ?: "", cls) ||
            (wanted && strcmp(wanted, orc_json_str(json_object_get(pv, "metadata"), "name"))) ||
            size < need || !modes_fit(cs, ps) || (best && size >= best_size))
            continue;
        best = pv;
        best_size = size;
    }
    return best;
}

int store_claims_bind(struct store *s, orc_error_t *err)
{
    json_auto_t *claims = NULL, *volumes = NULL;
    if (store_object_list(s, "PersistentVolumeClaim", NULL, &claims, err) < 0 ||
        store_object_list(s, "PersistentVolume", NULL, &volumes, err) < 0)
        return -1;
    size_t i;
    json_t *claim;
    json_array_foreach(claims, i, claim) {
        const json_t *cs = json_object_get(claim, "spec");
        const char *phase = orc_json_str(json_object_get(claim, "status"), "phase");
        if ((phase && !strcmp(phase, "Bound")) ||
            orc_json_str(json_object_get(claim, "metadata"), "deletionTimestamp"))
            continue;
        const char *cls = orc_json_str(cs, "storageClassName");
        int r;
        if (!cls || !strcmp(cls, OBJECT_STORAGE_CLASS)) {
            r = provision(s, claim, err);
        } else {
            json_t *pv = find_volume(claim, volumes);
            r = pv ? bind(s, claim, pv, err) : 0;
        }
        if (r < 0)
            return -1;
    }
    return 0;
}

int store_claim_host_path(struct store *s, const char *ns, const char *claim, char **ret,
                          orc_error_t *err)
{
    json_auto_t *c = NULL, *pv = NULL;
    if (store_object_get(s, "PersistentVolumeClaim", ns, claim, &c, err) < 0)
        return -1;
    const char *phase = orc_json_str(json_object_get(c, "status"), "phase");
    const char *volume = orc_json_str(json_object_get(c, "spec"), "volumeName");
    if (!phase || strcmp(phase, "Bound") || !volume)
        return orc_error_make_as(
            err, EAGAIN, "persistentvolumeclaim \"%s\" is not bound to a volume yet", claim);
    if (store_object_get(s, "PersistentVolume", NULL, volume, &pv, err) < 0)
        return -1;
    const json_t *ps = json_object_get(pv, "spec");
    const char *path = orc_json_str(json_object_get(ps, "hostPath"), "path")
                           ?: orc_json_str(json_object_get(ps, "local"), "path");
    if (!path)
        return orc_error_make_as(err, EINVAL, "persistentvolume \"%s\" has no directory", volume);
    *ret = xstrdup(path);
    return 0;
}

/* 1 when a pod of the namespace (not removed yet) has a volume of the claim. */
static int claim_in_use(struct store *s, const char *ns, const char *claim, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT 1 FROM objects p, json_each(p.object, '$.spec.volumes') v WHERE "
                      "p.kind = 'Pod' AND p.namespace = ?1 AND "
                      "json_extract(v.value, '$.persistentVolumeClaim.claimName') = ?2 LIMIT 1",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, claim, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, err, "read the claim's pods");
    return rc == SQLITE_ROW;
}

static int exec_text(struct store *s, const char *sql, const char *a, const char *b,
                     orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, sql, &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    if (!store_step_write(s, st))
        return store_db_error(s, err, "remove claim");
    return 0;
}

/* The claim goes (with its events); its volume is released: one orc made goes too (its
 * directory stays: orc removes no data), a static one is Released, as with Retain. */
static int remove_claim(struct store *s, const json_t *claim, orc_error_t *err)
{
    const char *uid = orc_json_str(json_object_get(claim, "metadata"), "uid");
    const char *volume = orc_json_str(json_object_get(claim, "spec"), "volumeName");
    if (exec_text(s, "DELETE FROM objects WHERE uid = ?1", uid, NULL, err) < 0 ||
        exec_text(s, "DELETE FROM events WHERE uid = ?1", uid, NULL, err) < 0)
        return -1;
    json_auto_t *pv = NULL;
    if (!volume || store_object_get(s, "PersistentVolume", NULL, volume, &pv, NULL) < 0)
        return 0;
    const json_t *ps = json_object_get(pv, "spec");
    const char *ref = orc_json_str(json_object_get(ps, "claimRef"), "uid");
    if (!ref || strcmp(ref, uid))
        return 0;
    if (!strcmp(orc_json_str(ps, "storageClassName") ?: "", OBJECT_STORAGE_CLASS))
        return exec_text(s,
                         "DELETE FROM objects WHERE kind = 'PersistentVolume' AND namespace = '' "
                         "AND name = ?1",
                         volume, NULL, err);
    json_auto_t *released = json_pack("{s:s}", "phase", "Released");
    return set_status(s, "PersistentVolume", "", volume, pv, released, err);
}

int store_claim_delete_locked(struct store *s, struct stored *old, orc_error_t *err)
{
    const json_t *meta = json_object_get(old->object, "metadata");
    json_auto_t *full = NULL;
    if (store_object_get(s, "PersistentVolumeClaim", orc_json_str(meta, "namespace"),
                         orc_json_str(meta, "name"), &full, err) < 0)
        return -1;
    int used = claim_in_use(s, orc_json_str(meta, "namespace"), orc_json_str(meta, "name"), err);
    if (used < 0)
        return -1;
    if (used) /* the pvc-protection finalizer holds it */
        return old->deleted_ns ? 0 : store_mark_deleted(s, old, 0, err);
    return remove_claim(s, full, err);
}

int store_claims_finish(struct store *s, orc_error_t *err)
{
    json_auto_t *claims = NULL;
    if (store_object_list(s, "PersistentVolumeClaim", NULL, &claims, err) < 0)
        return -1;
    size_t i;
    json_t *c;
    bool any = false;
    json_array_foreach(claims, i, c)
        any = any || orc_json_str(json_object_get(c, "metadata"), "deletionTimestamp");
    if (!any)
        return 0;
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    int r = 0;
    json_array_foreach(claims, i, c) {
        const json_t *meta = json_object_get(c, "metadata");
        if (r < 0 || !orc_json_str(meta, "deletionTimestamp"))
            continue;
        r = claim_in_use(s, orc_json_str(meta, "namespace"), orc_json_str(meta, "name"), err);
        if (r == 0)
            r = remove_claim(s, c, err);
    }
    return store_end_transaction(s, r < 0 ? -1 : 0, true, err);
}
