/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's volumes on the host: each volume's directory, or its checked hostPath. */
#include "pods/volumes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "log.h"
#include "pods/atomic-writer.h"
#include "store/store.h"
#include "sys/paths.h"
#include "volume-files.h"
#include "xalloc.h"

/* kubelet's plugin directory names: volumes/<plugin>/<name> */
static const char *plugin_dir(enum volume_type t)
{
    switch (t) {
    case VOLUME_EMPTY_DIR:
        return "kubernetes.io~empty-dir";
    case VOLUME_CONFIG_MAP:
        return "kubernetes.io~configmap";
    case VOLUME_SECRET:
        return "kubernetes.io~secret";
    case VOLUME_DOWNWARD_API:
        return "kubernetes.io~downward-api";
    case VOLUME_PROJECTED:
        return "kubernetes.io~projected";
    case VOLUME_HOST_PATH:
    case VOLUME_PVC:
    case _VOLUME_TYPE_MAX:
    case _VOLUME_TYPE_INVALID:
        break;
    }
    return NULL;
}

/* What one preparation works with. */
struct prepare {
    const struct orc_paths *paths;
    const char *uid;
    const struct pod *pod;
    const struct expand_facts *facts;
    pid_t shim_pid;
};

bool volume_on_tmpfs(const struct volume *v)
{
    return v->type == VOLUME_SECRET || v->type == VOLUME_PROJECTED ||
           v->type == VOLUME_DOWNWARD_API || (v->type == VOLUME_EMPTY_DIR && v->memory);
}

char *pod_volume_dir(const struct orc_paths *paths, const char *pod_uid, const struct volume *v)
{
    const char *plugin = plugin_dir(v->type);
    if (!plugin)
        return NULL;
    _cleanup_free_ char *pod_dir = orc_paths_pod_data_dir(paths, pod_uid);
    return xasprintf("%s/volumes/%s/%s", pod_dir, plugin, v->name);
}

/* The volume's directory under the pod's data directory, made private (0700 up to the pod's
 * directory); the volume's own 0777 as kubelet makes an emptyDir (a configMap volume is one,
 * wrapped), so that a container of any user can read and write what the volume gives it. */
static int volume_dir(const struct prepare *p, const struct volume *v, char **ret, orc_error_t *err)
{
    _cleanup_free_ char *dir = pod_volume_dir(p->paths, p->uid, v);
    if (orc_mkdir_p(dir, 0700, err) < 0)
        return -1;
    struct stat st;
    if (stat(dir, &st) < 0)
        return orc_error_make(err, errno, "stat '%s'", dir);
    /* prepared again (an object changed, a container started): the setgid bit fsGroup gave
     * it stays, or new files would no longer get the group */
    if ((st.st_mode & 0777) != 0777 && chmod(dir, (st.st_mode & S_ISGID) | 0777) < 0)
        return orc_error_make(err, errno, "chmod '%s'", dir);
    char *canon = realpath(dir, NULL);
    if (!canon)
        return orc_error_make(err, errno, "resolve '%s'", dir);
    *ret = canon;
    return 0;
}

/* A volume of files: written (or left as they are) through the atomic writer; on a tmpfs
 * of the shim's mount namespace (through /proc/PID/root) once the sandbox is there, and
 * only checked before. */
static int files_volume(const struct prepare *p, const struct volume *v, char **ret,
                        orc_error_t *err)
{
    struct volume_files files = {0};
    _cleanup_free_ char *dir = NULL, *where = NULL;
    if (volume_files_build(p->pod, v, p->facts, &files, err) < 0)
        return -1;
    int r = volume_dir(p, v, &dir, err);
    bool tmpfs = volume_on_tmpfs(v);
    if (r >= 0 && (!tmpfs || p->shim_pid > 0)) {
        where = tmpfs ? xasprintf("/proc/%d/root%s", (int) p->shim_pid, dir) : xstrdup(dir);
        r = atomic_write(where, &files, err);
    }
    volume_files_done(&files);
    if (r < 0)
        return -1;
    if (r > 0)
        log_pod_debug(p->pod, "volume '%s': files written", v->name);
    *ret = TAKE_PTR(dir);
    return 0;
}

/* A claim's bound directory (read by the loop: pod_volume_objects), walked as a hostPath. */
static int claim_dir(const struct prepare *p, const struct volume *v, char **ret, orc_error_t *err)
{
    const json_t *c = json_object_get(
        json_object_get(p->facts ? p->facts->objects : NULL, "PersistentVolumeClaim"),
        v->claim_name);
    const char *path = orc_json_str(c, "path"), *why = orc_json_str(c, "error");
    if (!path)
        return orc_error_make_as(err, ENOENT, "%s", why ? why : "persistentvolumeclaim not found");
    return host_path_resolve(path, HOST_PATH_DIRECTORY, getuid(), ret, err);
}

static int prepare_one(const struct prepare *p, const struct volume *v, char **ret,
                       orc_error_t *err)
{
    if (volume_has_files(v))
        return files_volume(p, v, ret, err);
    switch (v->type) {
    case VOLUME_EMPTY_DIR:
        return volume_dir(p, v, ret, err); /* medium Memory: the shim's tmpfs on it */
    case VOLUME_HOST_PATH:
        return host_path_resolve(v->path, v->host_path_type, getuid(), ret, err);
    case VOLUME_PVC:
        return claim_dir(p, v, ret, err);
    case VOLUME_CONFIG_MAP:
    case VOLUME_SECRET:
    case VOLUME_DOWNWARD_API:
    case VOLUME_PROJECTED:
    case _VOLUME_TYPE_MAX:
    case _VOLUME_TYPE_INVALID:
        break;
    }
    return orc_error_make_as(err, EINVAL, "volume of no known type");
}

int pod_volumes_prepare(const struct orc_paths *paths, const char *pod_uid, const struct pod *pod,
                        const struct expand_facts *facts, pid_t shim_pid,
                        struct pod_volume_paths *ret, orc_error_t *err)
{
    const struct prepare p = {paths, pod_uid, pod, facts, shim_pid};
    struct pod_volume_paths v = {.paths = new0(char *, pod->n_volumes + 1), .n = pod->n_volumes};
    for (size_t i = 0; i < pod->n_volumes; i++)
        if (prepare_one(&p, &pod->volumes[i], &v.paths[i], err) < 0) {
            pod_volume_paths_done(&v);
            return orc_error_wrap(err, "MountVolume.SetUp failed for volume \"%s\" ",
                                  pod->volumes[i].name);
        }
    *ret = v;
    return 0;
}

json_t *pod_volumes_tmpfs(const struct orc_paths *paths, const char *pod_uid, const struct pod *pod)
{
    json_t *list = json_array();
    const struct prepare p = {.paths = paths, .uid = pod_uid, .pod = pod};
    for (size_t i = 0; i < pod->n_volumes; i++) {
        const struct volume *v = &pod->volumes[i];
        char *dir = NULL;
        orc_error_t err = NULL;
        if (!volume_on_tmpfs(v))
            continue;
        if (volume_dir(&p, v, &dir, &err) < 0) { /* made by the preparation before */
            orc_error_release(&err);
            continue;
        }
        json_array_append_new(list, json_pack("{s:s,s:I,s:i}", "path", dir, "size",
                                              (json_int_t) v->size_limit, "mode",
                                              v->type == VOLUME_EMPTY_DIR ? 0777 : 0755));
        free(dir);
    }
    return list;
}

void pod_volume_paths_done(struct pod_volume_paths *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->paths[i]);
    free(v->paths);
    *v = (struct pod_volume_paths){0};
}

/* The bound directory of each claim the pod's volumes name, or why there is none:
 * {"PersistentVolumeClaim": {NAME: {"path"} or {"error"}}} in refs. */
static void add_claims(struct store *s, const struct pod *pod, json_t *refs)
{
    for (size_t i = 0; i < pod->n_volumes; i++) {
        const struct volume *v = &pod->volumes[i];
        if (v->type != VOLUME_PVC)
            continue;
        json_t *claims = json_object_get(refs, "PersistentVolumeClaim");
        if (!claims)
            json_object_set_new(refs, "PersistentVolumeClaim", claims = json_object());
        char *path = NULL;
        orc_error_t err = NULL;
        if (store_claim_host_path(s, pod->namespace, v->claim_name, &path, &err) < 0) {
            json_object_set_new(claims, v->claim_name,
                                json_pack("{s:s}", "error", orc_error_message(err)));
            orc_error_release(&err);
        } else
            json_object_set_new(claims, v->claim_name, json_pack("{s:s}", "path", path));
        free(path);
    }
}

json_t *pod_volume_objects(struct store *s, const struct pod *pod)
{
    json_auto_t *refs = volume_object_refs(pod);
    add_claims(s, pod, refs);
    if (!json_object_size(refs))
        return NULL;
    const char *kind;
    json_t *names;
    json_object_foreach(refs, kind, names) {
        const char *name;
        json_t *slot, *tmp;
        json_object_foreach_safe(names, tmp, name, slot) {
            json_t *obj = NULL;
            if (!strcmp(kind, "PersistentVolumeClaim"))
                break; /* read above */
            orc_error_t err = NULL;
            int r = store_object_get(s, kind, pod->namespace, name, &obj, &err);
            if (r < 0) {
                if (r != -ENOENT) /* read again at the next sync */
                    log_pod_warn(pod, "read %s %s: %s", kind, name, orc_error_message(err));
                orc_error_release(&err);
                json_object_del(names, name);
                continue;
            }
            json_object_set_new(names, name, obj);
        }
    }
    return json_incref(refs);
}

char *pod_volumes_stamp(const struct pod *pod, const json_t *objects)
{
    bool files = false;
    for (size_t i = 0; i < pod->n_volumes && !files; i++)
        files = volume_has_files(&pod->volumes[i]);
    if (!files)
        return NULL;
    json_auto_t *all = json_pack("{s:O?,s:O,s:O}", "objects", objects, "labels", pod->labels,
                                 "annotations", pod->annotations);
    return json_dumps(all, JSON_SORT_KEYS | JSON_COMPACT);
}
