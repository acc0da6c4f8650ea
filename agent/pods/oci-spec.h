/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

#include "error.h"
#include "expand.h"
#include "manifest.h"

struct image;
struct userns;

/* The status of an error that is the pod's configuration's, not the machine's (runAsNonRoot
 * against the image's user, an id outside the user namespace, a seccomp profile that is not
 * there, an AppArmor profile that cannot be applied): the container waits in
 * CreateContainerConfigError with the message, as kubelet's, and is tried again later. */
#define OCI_SPEC_ECONFIG 0x10000

/* What the node can enforce of a security context (orcd's flags and the machine's facts). */
struct oci_security_node {
    bool seccomp_default;    /* --seccomp-default: RuntimeDefault when a pod names none */
    const char *seccomp_dir; /* Localhost profiles: $XDG_CONFIG_HOME/orc/seccomp */
    bool apparmor_enabled;   /* /sys/module/apparmor/parameters/enabled is Y */
    bool selinux_enabled;    /* /sys/fs/selinux/enforce exists */
    int cap_last;            /* /proc/sys/kernel/cap_last_cap; 0: the last orc knows */
};

/*
 * Builds the OCI runtime config (config.json) for one container of a pod. Pure: no I/O.
 * The container gets its own mount and PID namespaces (or joins the pod's PID namespace,
 * pid_ns_path); it inherits the pod's network, IPC and UTS namespaces (and the shared user
 * namespace) from orc-shim, which runs the OCI runtime from inside them. Process: Kubernetes'
 * merge of command/args with the image's Entrypoint/Cmd, image Env overridden by the pod's
 * env, $(NAME) references in env, command and args expanded and valueFrom.fieldRef resolved as
 * kubelet does (expand.h), workingDir, the open-files limit a process started by the user would
 * have; the pod's and container's securityContext (oci-security.h): user and groups over the
 * image's User, capabilities, seccomp, a read-only root. Reads the image's etc/passwd and
 * etc/group from its layers, a Localhost seccomp profile, and /dev for a privileged container.
 * root.path is "rootfs" (orc-shim mounts the overlay there).
 */
struct oci_spec_input {
    const struct pod *pod;
    const struct container *container;
    const struct image *image;
    const struct userns *userns; /* decides which uids/gids exist (e.g. devpts gid=5) */
    const char *hostname_file;   /* bind-mounted to /etc/hostname, may be NULL */
    const char *hosts_file;      /* /etc/hosts, may be NULL */
    const char *resolv_file;     /* /etc/resolv.conf, may be NULL */
    const char *cgroups_path;    /* the container's cgroup (below the pod's scope), or NULL:
                                    its resources are set only with one */
    const char *pid_ns_path;     /* the pod's PID namespace to join (shareProcessNamespace),
                                    NULL: a new one */
    /* RLIMIT_NOFILE for the process, 0 = none written. Written because runc, a Go program,
     * raises its own soft limit to the hard one, and the container would inherit that. */
    unsigned long long nofile_soft, nofile_hard;
    struct expand_facts facts; /* the pod's uid, node and addresses for env's fieldRefs */
    /* volumes (oci-mounts.h): per pod volume its host path (pods/volumes.h), where orc-shim
     * binds each mount, and the binds it must make (an array the caller owns, filled) */
    char *const *volume_paths;
    size_t n_volume_paths;
    const char *mounts_dir;
    json_t *binds;
    const char *termination_log; /* bound at the container's terminationMessagePath (read by
                                    orc-shim when it exits), NULL: none */
    const struct oci_security_node *security; /* NULL: no seccomp by default, no AppArmor or
                                                 SELinux, no Localhost profiles */
    char ***warnings; /* what the node does not apply (strv, appended to), NULL = dropped */
};

int oci_spec_build(const struct oci_spec_input *in, json_t **ret, orc_error_t *err);
