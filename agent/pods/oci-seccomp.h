/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A container's seccomp filter (OCI linux.seccomp), assembled from rule sets: each set is a
 * JSON object with the OCI fields "defaultAction", "defaultErrnoRet", "architectures",
 * "flags" and "syscalls". The merge takes the first set's default action and errno, the union
 * of the architectures and flags, and every set's syscalls in order, so that orc can add rule
 * sets of its own after a profile's. Pure except oci_seccomp_load(), which reads a file.
 */
#include <jansson.h>
#include <stdint.h>

#include "error.h"

/* The RuntimeDefault profile (modelled on containerd's and moby's default): everything
 * refused with EPERM but an allow list; syscalls that need a capability (mount, unshare,
 * settimeofday, ...) allowed only when caps (a bit per capability) holds it; clone without
 * namespace flags unless CAP_SYS_ADMIN; clone3 ENOSYS, so that libcs fall back to clone. */
json_t *oci_seccomp_runtime_default(uint64_t caps);

/* A profile as a Localhost file holds it (OCI's fields, or docker's: "archMap", "names",
 * "includes"/"excludes" of caps and arches) turned into a rule set for this machine and caps;
 * -EINVAL with a message naming what is wrong. */
int oci_seccomp_from_profile(const json_t *profile, uint64_t caps, json_t **ret, orc_error_t *err);

/* Reads REL below the directory DIR (never leaving it: openat2 RESOLVE_BENEATH, no symlink
 * out, no ".."), at most 1 MiB, parsed with oci_seccomp_from_profile. A missing file is
 * -ENOENT, with the path in the message. */
int oci_seccomp_load(const char *dir, const char *rel, uint64_t caps, json_t **ret,
                     orc_error_t *err);

/* The OCI linux.seccomp object of the sets, merged as above. */
json_t *oci_seccomp_merge(json_t *const *sets, size_t n);

/* The libseccomp names of this machine's architectures (the native one first). */
const char *const *oci_seccomp_arches(void);
