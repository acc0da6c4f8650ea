/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

#include "error.h"
#include "expand.h"

struct oci_spec_input;

/*
 * The container's volumeMounts as OCI bind mounts (appended to mounts). Their sources are
 * never the volumes' paths: each is mounts_dir/<i>, which orc-shim binds in its mount
 * namespace from a descriptor of the volume (its canonical path opened refusing every
 * symlink) or of the subPath beneath it (openat2 RESOLVE_BENEATH), so that nothing swapped
 * in after orcd looked can redirect the mount. What orc-shim must bind is appended to
 * in->binds: {"source": volume path, "sub_path": relative or absent, "target":
 * mounts_dir/<i>, "recursive_read_only": "Enabled" | "IfPossible" (absent: no)}.
 * subPathExpr is expanded against the container's env (cenv) as kubelet expands it.
 * readOnly gives "ro"; mountPropagation None "rprivate", HostToContainer "rslave".
 */
int oci_mounts_build(const struct oci_spec_input *in, const struct expand_env *cenv, json_t *mounts,
                     orc_error_t *err);
