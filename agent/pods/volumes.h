/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A pod's volumes on the host, prepared by a pod step before its sandbox starts (kubelet's
 * volume manager: WaitForAttachAndMount) and again before each container start, idempotent:
 * emptyDir a directory under the pod's data directory, hostPath checked as kubelet checks
 * it and resolved without following another user's symlinks. The result is, per volume, a
 * canonical host path (no symlinks), which orc-shim opens again refusing every symlink and
 * bind-mounts from the descriptor (see oci-mounts.h).
 */
#include <sys/types.h>

#include "error.h"
#include "expand.h"
#include "manifest.h"

struct orc_paths;

/* Per volume of the pod (same index), the canonical host path to mount. */
struct pod_volume_paths {
    char **paths;
    size_t n;
};

/* Prepares every volume of pod; the error names the volume as kubelet's FailedMount does
 * ("MountVolume.SetUp failed for volume \"x\" : ..."). configMap, secret, downwardAPI and
 * projected volumes get their files (volume-files.h) from facts (the pod's uid, the objects
 * of pod_volume_objects()) through the atomic writer. */
int pod_volumes_prepare(const struct orc_paths *paths, const char *pod_uid, const struct pod *pod,
                        const struct expand_facts *facts, pid_t shim_pid,
                        struct pod_volume_paths *ret, orc_error_t *err);

/* The directory orc makes for v under the pod's data directory,
 * pods/<uid>/volumes/<plugin>/<name> (kubelet's layout); NULL for a volume that has none
 * (hostPath, persistentVolumeClaim). Allocated. */
char *pod_volume_dir(const struct orc_paths *paths, const char *pod_uid, const struct volume *v);

/* Volumes on a tmpfs (kubelet backs them with memory): secret, projected, downwardAPI and an
 * emptyDir of medium Memory. orc-shim mounts one on each volume's directory in its mount
 * namespace (the `tmpfs` op, sizeLimit as its size); pod_volumes_prepare writes their files
 * through /proc/<shim_pid>/root, and with shim_pid 0 (before the sandbox) only checks them. */
bool volume_on_tmpfs(const struct volume *v);
/* The `tmpfs` requests for the pod's volumes: [{path, size, mode}]. */
json_t *pod_volumes_tmpfs(const struct orc_paths *paths, const char *pod_uid,
                          const struct pod *pod);

struct store;
/* The ConfigMaps and Secrets of the pod's namespace its volumes name and that exist, as
 * expand_facts.objects holds them (NULL when the pod's volumes name none); read on the loop
 * thread (a few indexed rows). */
json_t *pod_volume_objects(struct store *s, const struct pod *pod);
/* What the pod's volumes show now, as a text to compare: the objects and the pod's labels
 * and annotations (downwardAPI); NULL when the pod has no volume with files. */
char *pod_volumes_stamp(const struct pod *pod, const json_t *objects);
void pod_volume_paths_done(struct pod_volume_paths *v);

/* hostPath (volumes-host-path.c): path walked from "/" one component at a time; a symlink
 * is followed only when it belongs to the user (uid) or to root, so that one planted by
 * another user in a shared directory leads nowhere; the *OrCreate types make what is missing
 * (directories 0755, a file 0644); the type is checked as kubelet checks it. The canonical
 * path (no symlinks) into *ret. */
int host_path_resolve(const char *path, enum host_path_type type, uid_t uid, char **ret,
                      orc_error_t *err);
