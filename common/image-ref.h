/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

/*
 * Image references as podman and docker read them (the distribution/reference grammar).
 * Pure: the manifests' validation and the image store share it.
 */

/* The normalised reference: "busybox" -> "docker.io/library/busybox:latest",
 * "docker.io/nginx" -> "docker.io/library/nginx:latest", "localhost/x" -> "localhost/x:latest",
 * "a/b@sha256:..." keeps its digest; NULL when ref is no valid reference
 * ("<your-image>", upper case in the path, a bad tag). Caller frees. */
char *orc_image_ref_normalize(const char *ref);
/* Whether ref names no registry ("busybox", "team/app"). */
bool orc_image_ref_is_short(const char *ref);
