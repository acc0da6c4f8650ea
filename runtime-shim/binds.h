/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

#include "error.h"

/*
 * A container's volume mounts, bound in the shim's mount namespace before the runtime runs
 * (the `binds` of a `start` request): each volume's canonical path opened refusing every
 * symlink, its subPath opened beneath it (openat2 RESOLVE_BENEATH, made when missing), and
 * that descriptor bind-mounted (recursively) on the target, which the OCI config names as
 * its mount's source. A target bound before (a previous instance) is unmounted first.
 * recursive_read_only "Enabled" makes every mount below read-only too (mount_setattr
 * AT_RECURSIVE) or fails; "IfPossible" does so where the kernel can.
 */
int binds_make(const json_t *binds, orc_error_t *err);

/* The `tmpfs` op: a tmpfs (nosuid, nodev; `size` bytes when > 0, `mode`) mounted on `path`
 * in the shim's mount namespace, once: paths mounted already are in *mounted (the shim's
 * list), and asking again does nothing. orcd writes the files of secret volumes there
 * through /proc/<shim pid>/root, so they never reach a disk. */
int binds_tmpfs(char ***mounted, const json_t *req, orc_error_t *err);
