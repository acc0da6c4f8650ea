/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * securityContext of a pod (PodSecurityContext) and of a container (SecurityContext): parsed,
 * validated as Kubernetes validates them, JSON both ways, and resolved per container (the
 * container's value wins over the pod's, as kubelet merges them). Pure: no I/O.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum sc_profile_type {
    SC_PROFILE_UNSET, /* not written: the node's default */
    SC_PROFILE_RUNTIME_DEFAULT,
    SC_PROFILE_UNCONFINED,
    SC_PROFILE_LOCALHOST,
    _SC_PROFILE_TYPE_MAX,
    _SC_PROFILE_TYPE_INVALID = -22,
};

/* seccompProfile or appArmorProfile */
struct sc_profile {
    enum sc_profile_type type;
    char *localhost_profile; /* Localhost only: a relative path (seccomp) or a name */
};

enum sc_fs_group_change_policy {
    SC_FS_GROUP_CHANGE_UNSET,
    SC_FS_GROUP_CHANGE_ALWAYS,
    SC_FS_GROUP_CHANGE_ON_ROOT_MISMATCH,
    _SC_FS_GROUP_CHANGE_MAX,
    _SC_FS_GROUP_CHANGE_INVALID = -22,
};

enum sc_supplemental_groups_policy {
    SC_GROUPS_POLICY_UNSET,  /* Merge */
    SC_GROUPS_POLICY_MERGE,  /* the image's groups of the user as well */
    SC_GROUPS_POLICY_STRICT, /* only runAsGroup, supplementalGroups and fsGroup */
    _SC_GROUPS_POLICY_MAX,
    _SC_GROUPS_POLICY_INVALID = -22,
};

enum sc_proc_mount {
    SC_PROC_MOUNT_UNSET,
    SC_PROC_MOUNT_DEFAULT,
    SC_PROC_MOUNT_UNMASKED,
    _SC_PROC_MOUNT_MAX,
    _SC_PROC_MOUNT_INVALID = -22,
};

struct sc_opt_id {
    bool set;
    int64_t id; /* 0 .. 2147483647 */
};

struct sc_opt_bool {
    bool set;
    bool value;
};

struct sc_sysctl {
    char *name; /* as written ("net.ipv4.ping_group_range" or with '/' separators) */
    char *value;
};

struct sc_selinux {
    bool set;
    char *user, *role, *type, *level; /* NULL = not written */
};

/* Fields of both levels, the pod's and the container's own; a field not written is unset. */
struct security_context {
    struct sc_opt_id run_as_user, run_as_group;
    struct sc_opt_bool run_as_non_root;
    struct sc_profile seccomp, apparmor;
    struct sc_selinux selinux;
    /* pod level only */
    struct sc_opt_id fs_group;
    enum sc_fs_group_change_policy fs_group_change_policy;
    bool has_supplemental_groups;
    int64_t *supplemental_groups;
    size_t n_supplemental_groups;
    enum sc_supplemental_groups_policy supplemental_groups_policy;
    struct sc_sysctl *sysctls;
    size_t n_sysctls;
    /* container level only */
    bool has_capabilities;
    char **cap_add, **cap_drop; /* NULL-terminated as written, NULL = not written */
    struct sc_opt_bool privileged, allow_privilege_escalation, read_only_root_filesystem;
    enum sc_proc_mount proc_mount;
};

struct security_context *security_context_free(struct security_context *sc);

/* Kubernetes JSON (only what is set); NULL for a NULL context. */
json_t *security_context_to_json(const struct security_context *sc);
/* Inverse of the above, for stored objects (trusted, still checked). */
int security_context_from_json(const json_t *j, struct security_context **ret, orc_error_t *err);

/* The context a container runs with: the container's fields over the pod's (runAsUser,
 * runAsGroup, runAsNonRoot, seLinuxOptions, seccompProfile, appArmorProfile), the pod's own
 * fields (groups, sysctls, fsGroup) and the container's own (capabilities, privileged, ...).
 * Either may be NULL. Never NULL; caller frees. */
struct security_context *security_context_resolve(const struct security_context *pod,
                                                  const struct security_context *container);

/* Linux capabilities: the number of "CHOWN", "CAP_CHOWN", "cap_chown"... or -1. */
int security_capability_number(const char *name);
/* "CAP_CHOWN" for 0; NULL beyond the last one orc knows. */
const char *security_capability_name(int number);
#define SECURITY_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE */

enum sc_sysctl_class {
    SC_SYSCTL_SAFE,       /* kubelet's safe set */
    SC_SYSCTL_NAMESPACED, /* namespaced in the pod's network or IPC namespace */
    SC_SYSCTL_HOST,       /* not namespaced: would change the machine */
    _SC_SYSCTL_CLASS_MAX,
    _SC_SYSCTL_CLASS_INVALID = -22,
};
enum sc_sysctl_class security_sysctl_class(const char *name);
/* The name with '.' separators, as /proc/sys/ paths read it (kubelet's NormalizeName). */
char *security_sysctl_normalize(const char *name);

/* What the parser reads (decode.c's struct decoder, yaml-tree.h's ynode). */
struct decoder;
struct ynode;
void decode_pod_security_context(struct decoder *d, const struct ynode *n,
                                 struct security_context **ret);
void decode_container_security_context(struct decoder *d, const struct ynode *n,
                                       struct security_context **ret);
/* After the whole pod is read: sysctls of a namespace the pod shares with the host
 * (hostNetwork, hostIPC) are refused, as kubelet refuses them. n: spec.securityContext. */
struct pod;
void security_context_check_host(struct decoder *d, const struct ynode *n, const struct pod *pod);
