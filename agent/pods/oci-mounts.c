/* SPDX-License-Identifier: Apache-2.0 */
/* Volume mounts in the OCI config, and the binds orc-shim makes for them. */
#include "pods/oci-mounts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "pods/oci-spec.h"
#include "security-context.h"
#include "volume-files.h"
#include "xalloc.h"

/* The subPath of m, subPathExpr expanded against the container's env; NULL for none. */
static int sub_path_of(const struct container *c, const struct volume_mount *m,
                       const struct expand_env *cenv, char **ret, orc_error_t *err)
{
    *ret = NULL;
    if (m->sub_path) {
        *ret = xstrdup(m->sub_path);
        return 0;
    }
    if (!m->sub_path_expr)
        return 0;
    char *sub = NULL;
    if (expand_refs(m->sub_path_expr, cenv, EXPAND_MAX_STRING, &sub) < 0)
        return orc_error_make(err, E2BIG, "subPathExpr of volumeMount \"%s\" is too long", m->name);
    const char *why = volume_relative_path_error(sub);
    if (why) {
        int r = orc_error_make(err, EINVAL,
                               "failed to prepare subPath for volumeMount \"%s\" of container "
                               "\"%s\": subPathExpr \"%s\" gives \"%s\": %s",
                               m->name, c->name, m->sub_path_expr, sub, why);
        free(sub);
        return r;
    }
    if (!*sub)
        sub = (free(sub), NULL);
    *ret = sub;
    return 0;
}

/* configMap, secret, downwardAPI and projected volumes are read-only whatever the mount
 * says, as kubelet mounts them: orcd writes their files, never the container. */
static json_t *mount_options(const struct volume_mount *m, const struct volume *v)
{
    json_t *o = json_pack("[s]", "rbind");
    if (m->read_only || volume_has_files(v) || (v->type == VOLUME_PVC && v->read_only))
        json_array_append_new(o, json_string("ro"));
    json_array_append_new(
        o, json_string(m->propagation == PROPAGATION_HOST_TO_CONTAINER ? "rslave" : "rprivate"));
    return o;
}

/* fsGroup's ownership, as kubelet applies it: to every volume but a hostPath. */
static void add_fs_group(json_t *bind, const struct pod *pod, const struct volume *v)
{
    const struct security_context *sc = pod->security;
    if (!sc || !sc->fs_group.set || v->type == VOLUME_HOST_PATH)
        return;
    json_object_set_new(bind, "fs_group", json_integer(sc->fs_group.id));
    if (sc->fs_group_change_policy == SC_FS_GROUP_CHANGE_ON_ROOT_MISMATCH)
        json_object_set_new(bind, "fs_group_on_root_mismatch", json_true());
    if (volume_has_files(v))
        json_object_set_new(bind, "fs_group_read_only", json_true());
}

static size_t volume_index(const struct pod *pod, const char *name)
{
    const struct volume *v = volume_find(pod->volumes, pod->n_volumes, name);
    return v ? (size_t) (v - pod->volumes) : pod->n_volumes;
}

int oci_mounts_build(const struct oci_spec_input *in, const struct expand_env *cenv, json_t *mounts,
                     orc_error_t *err)
{
    const struct container *c = in->container;
    for (size_t i = 0; i < c->n_mounts; i++) {
        const struct volume_mount *m = &c->mounts[i];
        size_t k = volume_index(in->pod, m->name);
        const char *source = k < in->n_volume_paths ? in->volume_paths[k] : NULL;
        if (!source || !in->mounts_dir || !in->binds)
            return orc_error_make(err, ENOENT, "volume \"%s\" of container \"%s\" is not ready",
                                  m->name, c->name);
        _cleanup_free_ char *sub = NULL;
        if (sub_path_of(c, m, cenv, &sub, err) < 0)
            return -1;
        _cleanup_free_ char *target = xasprintf("%s/%zu", in->mounts_dir, i);
        json_t *bind = json_pack("{s:s,s:s}", "source", source, "target", target);
        if (sub)
            json_object_set_new(bind, "sub_path", json_string(sub));
        if (m->read_only && m->recursive_read_only != RRO_DISABLED)
            json_object_set_new(bind, "recursive_read_only",
                                json_string(recursive_read_only_to_string(m->recursive_read_only)));
        add_fs_group(bind, in->pod, &in->pod->volumes[k]);
        json_array_append_new(in->binds, bind);
        json_array_append_new(mounts, json_pack("{s:s,s:s,s:s,s:o}", "destination", m->mount_path,
                                                "type", "bind", "source", target, "options",
                                                mount_options(m, &in->pod->volumes[k])));
    }
    return 0;
}
