/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The security context's part of a container's OCI config (oci-spec.c calls these): the
 * process's user and groups (oci-user.c), capabilities, no_new_privs, the seccomp filter
 * (oci-seccomp.h), AppArmor and SELinux, a read-only root, masked /proc paths, privileged
 * containers. What the pod asks for and the node cannot give is an error whose status is
 * OCI_SPEC_ECONFIG (the container waits in CreateContainerConfigError, as kubelet's).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "pods/oci-spec.h"

struct security_context;

/* The bits of containerd's default capabilities: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD,
 * NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE
 * (0xa80425fb, what the Kubernetes documentation's CapPrm shows). */
uint64_t oci_security_default_caps(void);
/* The capabilities a container gets: every one up to cap_last when privileged; else the
 * defaults, ALL of add, ALL of drop, then each added, then each dropped (containerd's order). */
uint64_t oci_security_caps(const struct security_context *sc, int cap_last);

/* process.user: uid, gid, additionalGids (the gid, then, unless supplementalGroupsPolicy is
 * Strict, the image's groups of the user, then fsGroup and supplementalGroups, as
 * containerd). An id outside the user namespace is an OCI_SPEC_ECONFIG error naming the
 * range. */
int oci_user_build(const struct oci_spec_input *in, const struct security_context *sc, json_t **ret,
                   orc_error_t *err);
/* kubelet's runAsNonRoot check against runAsUser, else the image's User as written. */
int oci_user_check_non_root(const struct oci_spec_input *in, const struct security_context *sc,
                            orc_error_t *err);

/* The machine's facts for struct oci_security_node: AppArmor and SELinux enabled, the kernel's
 * last capability. */
void oci_security_probe(bool *ret_apparmor, bool *ret_selinux, int *ret_cap_last);

/* Applies sc to the spec oci_spec_build made (process, root, mounts, linux). Warnings about
 * what is not applied go to in->warnings when set. */
int oci_security_apply(const struct oci_spec_input *in, const struct security_context *sc,
                       json_t *spec, orc_error_t *err);
