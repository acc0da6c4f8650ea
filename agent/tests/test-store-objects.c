/* SPDX-License-Identifier: Apache-2.0 */
/* The store's objects besides pods: apply of several kinds, an immutable ConfigMap, claims
 * bound to volumes (static and orc's class), pvc-protection, and deleting a namespace. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "manifest.h"
#include "store/store.h"
#include "tap.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct manifest_result *, manifest_result_free)

/* Applies a YAML stream; the first action, or -errno (the error's message printed). */
static int apply(struct store *s, const char *yaml)
{
    _cleanup_(manifest_result_freep) struct manifest_result *r = NULL;
    if (manifest_parse(yaml, strlen(yaml), "t.yaml", &r) < 0)
        abort();
    enum apply_action acts[8];
    orc_error_t err = NULL;
    int rc = store_apply(s, r->docs, r->n_docs, acts, &err);
    if (rc < 0) {
        printf("#   %s\n", orc_error_message(err));
        orc_error_release(&err);
        return rc;
    }
    return (int) acts[0];
}

static char *field(struct store *s, const char *kind, const char *ns, const char *name,
                   const char *path)
{
    json_auto_t *obj = NULL;
    if (store_object_get(s, kind, ns, name, &obj, NULL) < 0)
        return NULL;
    json_t *j = obj;
    _cleanup_free_ char *copy = xstrdup(path);
    for (char *save = NULL, *k = strtok_r(copy, ".", &save); j && k; k = strtok_r(NULL, ".", &save))
        j = json_object_get(j, k);
    return json_is_string(j) ? xstrdup(json_string_value(j)) : NULL;
}

#define CM "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"

static void test_configmaps(struct store *s)
{
    tap_is_int(apply(s, CM "data: {a: '1'}\n"), APPLY_CREATED, "a ConfigMap created");
    tap_is_int(apply(s, CM "data: {a: '1'}\n"), APPLY_UNCHANGED, "the same again");
    tap_is_int(apply(s, CM "data: {a: '2'}\nimmutable: true\n"), APPLY_CONFIGURED, "configured");
    tap_is_int(apply(s, CM "data: {a: '3'}\nimmutable: true\n"), -EINVAL,
               "an immutable ConfigMap's data stays");
    _cleanup_free_ char *a = field(s, "ConfigMap", "default", "c", "data.a");
    tap_is_str(a, "2", "nothing of the refused apply is stored");
}

#define PV(name, size, extra)                                                                      \
    "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: " name "}\nspec:\n  "                \
    "storageClassName: manual\n  capacity: {storage: " size "}\n  accessModes: [ReadWriteOnce]\n"  \
    "  hostPath: {path: /srv/" name "}\n" extra
#define PVC(name, cls, size)                                                                       \
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: " name "}\nspec:\n" cls         \
    "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: " size "}}\n"

static void test_static_claims(struct store *s)
{
    tap_is_int(apply(s, PV("small", "1Gi", "") "---\n" PV("large", "10Gi", "")), APPLY_CREATED,
               "two volumes");
    tap_is_int(apply(s, PVC("task", "  storageClassName: manual\n", "3Gi")), APPLY_CREATED,
               "a claim");
    _cleanup_free_ char *vol =
        field(s, "PersistentVolumeClaim", "default", "task", "spec.volumeName");
    tap_is_str(vol, "large", "bound to the volume big enough");
    _cleanup_free_ char *phase = field(s, "PersistentVolume", NULL, "large", "status.phase");
    tap_is_str(phase, "Bound", "the volume is Bound");
    tap_is_int(apply(s, PVC("huge", "  storageClassName: manual\n", "50Gi")), APPLY_CREATED,
               "a claim nothing fits");
    _cleanup_free_ char *pending =
        field(s, "PersistentVolumeClaim", "default", "huge", "status.phase");
    tap_is_str(pending, "Pending", "waits");
    tap_is_int(apply(s, PV("vast", "100Gi", "")), APPLY_CREATED, "a volume that fits comes");
    _cleanup_free_ char *late =
        field(s, "PersistentVolumeClaim", "default", "huge", "spec.volumeName");
    tap_is_str(late, "vast", "the waiting claim is bound to it");
    char *path = NULL;
    orc_error_t err = NULL;
    tap_ok(store_claim_host_path(s, "default", "task", &path, &err) == 0 &&
               !strcmp(path, "/srv/large"),
           "the claim's host directory");
    free(path);
}

static void test_orc_class(struct store *s, const char *dir)
{
    _cleanup_free_ char *claims = orc_path_join(dir, "claims");
    store_set_claims_dir(s, claims);
    tap_is_int(apply(s, PVC("data", "", "1Gi")), APPLY_CREATED, "a claim without a class");
    char *path = NULL;
    orc_error_t err = NULL;
    _cleanup_free_ char *uid = field(s, "PersistentVolumeClaim", "default", "data", "metadata.uid");
    _cleanup_free_ char *want = xasprintf("%s/default/data-%s", claims, uid);
    tap_ok(store_claim_host_path(s, "default", "data", &path, &err) == 0 && !strcmp(path, want),
           "bound at once to a directory of its own, named after the claim's uid");
    struct stat st;
    tap_ok(path && stat(path, &st) == 0 && (st.st_mode & 0777) == 0777,
           "made, mode 0777 for containers of any user");
    _cleanup_free_ char *ns_dir = xasprintf("%s/default", claims);
    tap_ok(stat(ns_dir, &st) == 0 && (st.st_mode & 0777) == 0700,
           "inside the user's own directory (0700)");
    free(path);
    _cleanup_free_ char *cls =
        field(s, "PersistentVolumeClaim", "default", "data", "spec.storageClassName");
    tap_is_str(cls, "orc-local", "orc's class");

    /* pvc-protection: a pod using it keeps it */
    tap_ok(apply(s, "apiVersion: v1\nkind: Pod\nmetadata: {name: user}\nspec:\n  volumes: [{name: "
                    "d, persistentVolumeClaim: {claimName: data}}]\n  containers: [{name: c, "
                    "image: busybox, volumeMounts: [{name: d, mountPath: /d}]}]\n") >= 0,
           "a pod using it");
    struct store_delete d = {.grace = -1};
    json_t *gone = NULL;
    tap_is_int(store_object_delete(s, "PersistentVolumeClaim", "default", "data", &d, &gone, &err),
               0, "delete the claim");
    json_decref(gone);
    _cleanup_free_ char *ts =
        field(s, "PersistentVolumeClaim", "default", "data", "metadata.deletionTimestamp");
    tap_ok(ts != NULL, "it stays, Terminating, while the pod is there");
    json_auto_t *pod = NULL;
    tap_is_int(store_pod_get(s, "default", "user", &pod, &err), 0, "the pod");
    store_pod_remove(s, orc_json_str(json_object_get(pod, "metadata"), "uid"), &err);
    tap_is_int(store_claims_finish(s, &err), 0, "the loop finishes deletions");
    json_auto_t *c = NULL;
    tap_is_int(store_object_get(s, "PersistentVolumeClaim", "default", "data", &c, &err), -ENOENT,
               "the claim is gone with its pod");
    orc_error_release(&err);
}

static void test_namespace_delete(struct store *s)
{
    struct store_delete d = {.grace = -1};
    json_t *ns = NULL;
    orc_error_t err = NULL;
    tap_is_int(store_namespace_delete(s, "default", &d, &ns, &err), -EACCES,
               "default may not be deleted");
    orc_error_release(&err);
    tap_is_int(apply(s, "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: team}\n"),
               APPLY_CREATED, "a Secret makes its namespace");
    tap_is_int(store_namespace_delete(s, "team", &d, &ns, &err), 0, "delete the namespace");
    json_decref(ns);
    json_auto_t *secret = NULL;
    tap_is_int(store_object_get(s, "Secret", "team", "s", &secret, &err), -ENOENT,
               "its Secret went at once");
    orc_error_release(&err);
    tap_is_int(store_namespace_terminating(s, "team", &err), 1, "the namespace is Terminating");
    tap_is_int(apply(s, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: team}\n"),
               -EACCES, "nothing new in it");
    tap_is_int(store_namespaces_finish(s, &err), 0, "finished");
    tap_is_int(store_namespace_terminating(s, "team", &err), 0, "and gone");
}

int main(void)
{
    char dir[] = "/tmp/orc-store-objects-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    _cleanup_free_ char *db = orc_path_join(dir, "orc.db");
    orc_error_t err = NULL;
    struct store *s = NULL;
    tap_is_int(store_open(db, NULL, &s, &err), 0, "open");
    test_configmaps(s);
    test_static_claims(s);
    test_orc_class(s, dir);
    test_namespace_delete(s);
    store_close(s);
    orc_rm_rf(dir, NULL);
    return tap_done();
}
