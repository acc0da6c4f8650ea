/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's volumes on the host: each volume's directory, or its checked hostPath. */
#include "pods/volumes.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "sys/paths.h"
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

/* The volume's directory under the pod's data directory, made private (0700 up to the pod's
 * directory; the volume itself 0777 as kubelet makes an emptyDir, for any user of the pod). */
static int volume_dir(const struct orc_paths *paths, const char *uid, const struct volume *v,
                      char **ret, orc_error_t *err)
{
    _cleanup_free_ char *pod_dir = orc_paths_pod_data_dir(paths, uid);
    _cleanup_free_ char *dir = xasprintf("%s/volumes/%s/%s", pod_dir, plugin_dir(v->type), v->name);
    if (orc_mkdir_p(dir, 0700, err) < 0)
        return -1;
    if (v->type == VOLUME_EMPTY_DIR && chmod(dir, 0777) < 0)
        return orc_error_make(err, errno, "chmod '%s'", dir);
    char *canon = realpath(dir, NULL);
    if (!canon)
        return orc_error_make(err, errno, "resolve '%s'", dir);
    *ret = canon;
    return 0;
}

static int prepare_one(const struct orc_paths *paths, const char *uid, const struct volume *v,
                       char **ret, orc_error_t *err)
{
    switch (v->type) {
    case VOLUME_EMPTY_DIR:
        if (v->memory)
            return orc_error_make(err, ENOTSUP, "emptyDir medium Memory is not supported yet");
        return volume_dir(paths, uid, v, ret, err);
    case VOLUME_HOST_PATH:
        return host_path_resolve(v->path, v->host_path_type, getuid(), ret, err);
    case VOLUME_CONFIG_MAP:
        return orc_error_make(err, ENOENT, "configmap \"%s\" not found",
                              orc_json_str(v->source, "name") ?: "");
    case VOLUME_SECRET:
        return orc_error_make(err, ENOENT, "secret \"%s\" not found",
                              orc_json_str(v->source, "secretName") ?: "");
    case VOLUME_PVC:
        return orc_error_make(err, ENOENT, "persistentvolumeclaim \"%s\" not found", v->claim_name);
    case VOLUME_DOWNWARD_API:
    case VOLUME_PROJECTED:
        return orc_error_make(err, ENOTSUP, "%s volumes are not supported yet",
                              volume_type_to_string(v->type));
    case _VOLUME_TYPE_MAX:
    case _VOLUME_TYPE_INVALID:
        break;
    }
    return orc_error_make(err, EINVAL, "volume of no known type");
}

int pod_volumes_prepare(const struct orc_paths *paths, const char *pod_uid, const struct pod *pod,
                        struct pod_volume_paths *ret, orc_error_t *err)
{
    struct pod_volume_paths v = {.paths = new0(char *, pod->n_volumes + 1), .n = pod->n_volumes};
    for (size_t i = 0; i < pod->n_volumes; i++)
        if (prepare_one(paths, pod_uid, &pod->volumes[i], &v.paths[i], err) < 0) {
            pod_volume_paths_done(&v);
            return orc_error_wrap(err, "MountVolume.SetUp failed for volume \"%s\" ",
                                  pod->volumes[i].name);
        }
    *ret = v;
    return 0;
}

void pod_volume_paths_done(struct pod_volume_paths *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->paths[i]);
    free(v->paths);
    *v = (struct pod_volume_paths){0};
}
