/* SPDX-License-Identifier: Apache-2.0 */
/* struct security_context: JSON both ways, the container's context resolved over the pod's,
 * and the tables of Linux capabilities and sysctls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json-util.h"
#include "security-context.h"
#include "strv.h"
#include "xalloc.h"

/* linux/capability.h's numbering */
static const char *const capability_names[SECURITY_CAP_LAST + 1] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

int security_capability_number(const char *name)
{
    if (!strncasecmp(name, "CAP_", 4))
        name += 4;
    for (int i = 0; i <= SECURITY_CAP_LAST; i++)
        if (!strcasecmp(capability_names[i] + 4, name))
            return i;
    return -1;
}

const char *security_capability_name(int number)
{
    return number >= 0 && number <= SECURITY_CAP_LAST ? capability_names[number] : NULL;
}

char *security_sysctl_normalize(const char *name)
{
    char *s = xstrdup(name);
    size_t sep = strcspn(s, "./");
    if (s[sep] != '/')
        return s;
    for (char *p = s; *p; p++) /* kubelet's NormalizeName: the separators swapped */
        *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
    return s;
}

/* kubelet's safe set (pkg/kubelet/sysctl/safe_sysctls.go) */
static const char *const safe_sysctls[] = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    NULL,
};

enum sc_sysctl_class security_sysctl_class(const char *name)
{
    if (strv_contains((char *const *) safe_sysctls, name))
        return SC_SYSCTL_SAFE;
    /* kubelet's namespaced ones: the IPC namespace's and the network namespace's */
    if (!strcmp(name, "kernel.sem") || !strncmp(name, "kernel.shm", 10) ||
        !strncmp(name, "kernel.msg", 10) || !strncmp(name, "fs.mqueue.", 10) ||
        !strncmp(name, "net.", 4))
        return SC_SYSCTL_NAMESPACED;
    return SC_SYSCTL_HOST;
}

static void sysctls_free(struct sc_sysctl *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].name);
        free(s[i].value);
    }
    free(s);
}

static void selinux_done(struct sc_selinux *s)
{
    free(s->user);
    free(s->role);
    free(s->type);
    free(s->level);
}

struct security_context *security_context_free(struct security_context *sc)
{
    if (!sc)
        return NULL;
    free(sc->seccomp.localhost_profile);
    free(sc->apparmor.localhost_profile);
    selinux_done(&sc->selinux);
    free(sc->supplemental_groups);
    sysctls_free(sc->sysctls, sc->n_sysctls);
    strv_free(sc->cap_add);
    strv_free(sc->cap_drop);
    free(sc);
    return NULL;
}

static const char *const profile_types[] = {NULL, "RuntimeDefault", "Unconfined", "Localhost",
                                            NULL};
static const char *const change_policies[] = {NULL, "Always", "OnRootMismatch", NULL};
static const char *const group_policies[] = {NULL, "Merge", "Strict", NULL};
static const char *const proc_mounts[] = {NULL, "Default", "Unmasked", NULL};

static int from_name(const char *const *names, const char *s)
{
    for (int i = 1; s && names[i]; i++)
        if (!strcmp(names[i], s))
            return i;
    return 0;
}

static void set_id(json_t *j, const char *key, struct sc_opt_id v)
{
    if (v.set)
        json_object_set_new(j, key, json_integer(v.id));
}

static void set_bool(json_t *j, const char *key, struct sc_opt_bool v)
{
    if (v.set)
        json_object_set_new(j, key, json_boolean(v.value));
}

static void set_str(json_t *j, const char *key, const char *s)
{
    if (s)
        json_object_set_new(j, key, json_string(s));
}

static void set_profile(json_t *j, const char *key, const struct sc_profile *p)
{
    if (p->type <= SC_PROFILE_UNSET || p->type >= _SC_PROFILE_TYPE_MAX)
        return;
    json_t *o = json_pack("{s:s}", "type", profile_types[p->type]);
    set_str(o, "localhostProfile", p->localhost_profile);
    json_object_set_new(j, key, o);
}

static void set_pod_fields(json_t *j, const struct security_context *sc)
{
    set_id(j, "fsGroup", sc->fs_group);
    if (sc->fs_group_change_policy > 0 && sc->fs_group_change_policy < _SC_FS_GROUP_CHANGE_MAX)
        set_str(j, "fsGroupChangePolicy", change_policies[sc->fs_group_change_policy]);
    if (sc->has_supplemental_groups) {
        json_t *a = json_array();
        for (size_t i = 0; i < sc->n_supplemental_groups; i++)
            json_array_append_new(a, json_integer(sc->supplemental_groups[i]));
        json_object_set_new(j, "supplementalGroups", a);
    }
    if (sc->supplemental_groups_policy > 0 &&
        sc->supplemental_groups_policy < _SC_GROUPS_POLICY_MAX)
        set_str(j, "supplementalGroupsPolicy", group_policies[sc->supplemental_groups_policy]);
    if (sc->n_sysctls) {
        json_t *a = json_array();
        for (size_t i = 0; i < sc->n_sysctls; i++)
            json_array_append_new(a, json_pack("{s:s,s:s}", "name", sc->sysctls[i].name, "value",
                                               sc->sysctls[i].value ? sc->sysctls[i].value : ""));
        json_object_set_new(j, "sysctls", a);
    }
}

static void set_container_fields(json_t *j, const struct security_context *sc)
{
    if (sc->has_capabilities) {
        json_t *caps = json_object();
        if (sc->cap_add)
            json_object_set_new(caps, "add", orc_json_strv_array(sc->cap_add));
        if (sc->cap_drop)
            json_object_set_new(caps, "drop", orc_json_strv_array(sc->cap_drop));
        json_object_set_new(j, "capabilities", caps);
    }
    set_bool(j, "privileged", sc->privileged);
    set_bool(j, "allowPrivilegeEscalation", sc->allow_privilege_escalation);
    set_bool(j, "readOnlyRootFilesystem", sc->read_only_root_filesystem);
    if (sc->proc_mount > 0 && sc->proc_mount < _SC_PROC_MOUNT_MAX)
        set_str(j, "procMount", proc_mounts[sc->proc_mount]);
}

json_t *security_context_to_json(const struct security_context *sc)
{
    if (!sc)
        return NULL;
    json_t *j = json_object();
    set_id(j, "runAsUser", sc->run_as_user);
    set_id(j, "runAsGroup", sc->run_as_group);
    set_bool(j, "runAsNonRoot", sc->run_as_non_root);
    set_profile(j, "seccompProfile", &sc->seccomp);
    set_profile(j, "appArmorProfile", &sc->apparmor);
    if (sc->selinux.set) {
        json_t *o = json_object();
        set_str(o, "user", sc->selinux.user);
        set_str(o, "role", sc->selinux.role);
        set_str(o, "type", sc->selinux.type);
        set_str(o, "level", sc->selinux.level);
        json_object_set_new(j, "seLinuxOptions", o);
    }
    set_pod_fields(j, sc);
    set_container_fields(j, sc);
    return j;
}

static const char *str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static struct sc_opt_id get_id(const json_t *j, const char *key)
{
    const json_t *v = json_object_get(j, key);
    return json_is_integer(v) ? (struct sc_opt_id){.set = true, .id = json_integer_value(v)}
                              : (struct sc_opt_id){0};
}

static struct sc_opt_bool get_bool(const json_t *j, const char *key)
{
    const json_t *v = json_object_get(j, key);
    return json_is_boolean(v) ? (struct sc_opt_bool){.set = true, .value = json_is_true(v)}
                              : (struct sc_opt_bool){0};
}

static void get_profile(const json_t *j, struct sc_profile *p)
{
    p->type = from_name(profile_types, str(j, "type"));
    p->localhost_profile = xstrdup(str(j, "localhostProfile"));
}

static void get_pod_fields(const json_t *j, struct security_context *sc)
{
    sc->fs_group = get_id(j, "fsGroup");
    sc->fs_group_change_policy = from_name(change_policies, str(j, "fsGroupChangePolicy"));
    sc->supplemental_groups_policy = from_name(group_policies, str(j, "supplementalGroupsPolicy"));
    const json_t *groups = json_object_get(j, "supplementalGroups");
    sc->has_supplemental_groups = json_is_array(groups);
    sc->supplemental_groups = new0(int64_t, json_array_size(groups));
    for (size_t i = 0; i < json_array_size(groups); i++)
        if (json_is_integer(json_array_get(groups, i)))
            sc->supplemental_groups[sc->n_supplemental_groups++] =
                json_integer_value(json_array_get(groups, i));
    const json_t *sysctls = json_object_get(j, "sysctls");
    sc->sysctls = new0(struct sc_sysctl, json_array_size(sysctls));
    for (size_t i = 0; i < json_array_size(sysctls); i++) {
        const json_t *s = json_array_get(sysctls, i);
        if (!str(s, "name"))
            continue;
        sc->sysctls[sc->n_sysctls].name = xstrdup(str(s, "name"));
        sc->sysctls[sc->n_sysctls++].value = xstrdup(str(s, "value") ? str(s, "value") : "");
    }
}

int security_context_from_json(const json_t *j, struct security_context **ret, orc_error_t *err)
{
    if (!json_is_object(j))
        return orc_error_make(err, EINVAL, "stored securityContext is not an object");
    struct security_context *sc = xzalloc(sizeof(*sc));
    sc->run_as_user = get_id(j, "runAsUser");
    sc->run_as_group = get_id(j, "runAsGroup");
    sc->run_as_non_root = get_bool(j, "runAsNonRoot");
    get_profile(json_object_get(j, "seccompProfile"), &sc->seccomp);
    get_profile(json_object_get(j, "appArmorProfile"), &sc->apparmor);
    const json_t *se = json_object_get(j, "seLinuxOptions");
    if (json_is_object(se))
        sc->selinux = (struct sc_selinux){
            .set = true,
            .user = xstrdup(str(se, "user")),
            .role = xstrdup(str(se, "role")),
            .type = xstrdup(str(se, "type")),
            .level = xstrdup(str(se, "level")),
        };
    get_pod_fields(j, sc);
    const json_t *caps = json_object_get(j, "capabilities");
    sc->has_capabilities = json_is_object(caps);
    sc->cap_add = orc_json_array_strv(json_object_get(caps, "add"));
    sc->cap_drop = orc_json_array_strv(json_object_get(caps, "drop"));
    sc->privileged = get_bool(j, "privileged");
    sc->allow_privilege_escalation = get_bool(j, "allowPrivilegeEscalation");
    sc->read_only_root_filesystem = get_bool(j, "readOnlyRootFilesystem");
    sc->proc_mount = from_name(proc_mounts, str(j, "procMount"));
    *ret = sc;
    return 0;
}

static void copy_profile(struct sc_profile *dst, const struct sc_profile *pod,
                         const struct sc_profile *c)
{
    const struct sc_profile *src = c && c->type != SC_PROFILE_UNSET ? c : pod;
    if (!src)
        return;
    dst->type = src->type;
    dst->localhost_profile = xstrdup(src->localhost_profile);
}

static void copy_selinux(struct sc_selinux *dst, const struct sc_selinux *src)
{
    *dst = (struct sc_selinux){.set = src->set,
                               .user = xstrdup(src->user),
                               .role = xstrdup(src->role),
                               .type = xstrdup(src->type),
                               .level = xstrdup(src->level)};
}

/* The pod's own fields, copied. */
static void copy_pod_fields(struct security_context *r, const struct security_context *p)
{
    r->fs_group = p->fs_group;
    r->fs_group_change_policy = p->fs_group_change_policy;
    r->supplemental_groups_policy = p->supplemental_groups_policy;
    r->has_supplemental_groups = p->has_supplemental_groups;
    r->n_supplemental_groups = p->n_supplemental_groups;
    r->supplemental_groups = new0(int64_t, p->n_supplemental_groups);
    if (p->n_supplemental_groups) /* none: the source may be NULL */
        memcpy(r->supplemental_groups, p->supplemental_groups,
               p->n_supplemental_groups * sizeof(int64_t));
    r->n_sysctls = p->n_sysctls;
    r->sysctls = new0(struct sc_sysctl, p->n_sysctls);
    for (size_t i = 0; i < p->n_sysctls; i++)
        r->sysctls[i] =
            (struct sc_sysctl){xstrdup(p->sysctls[i].name), xstrdup(p->sysctls[i].value)};
}

/* The container's own fields, copied. */
static void copy_container_fields(struct security_context *r, const struct security_context *c)
{
    r->has_capabilities = c->has_capabilities;
    r->cap_add = c->cap_add ? strv_copy(c->cap_add) : NULL;
    r->cap_drop = c->cap_drop ? strv_copy(c->cap_drop) : NULL;
    r->privileged = c->privileged;
    r->allow_privilege_escalation = c->allow_privilege_escalation;
    r->read_only_root_filesystem = c->read_only_root_filesystem;
    r->proc_mount = c->proc_mount;
}

#define PICK(field) (c && c->field.set ? c->field : p ? p->field : r->field)

struct security_context *security_context_resolve(const struct security_context *p,
                                                  const struct security_context *c)
{
    struct security_context *r = xzalloc(sizeof(*r));
    r->run_as_user = PICK(run_as_user);
    r->run_as_group = PICK(run_as_group);
    r->run_as_non_root = PICK(run_as_non_root);
    copy_profile(&r->seccomp, p ? &p->seccomp : NULL, c ? &c->seccomp : NULL);
    copy_profile(&r->apparmor, p ? &p->apparmor : NULL, c ? &c->apparmor : NULL);
    if (c && c->selinux.set)
        copy_selinux(&r->selinux, &c->selinux);
    else if (p && p->selinux.set)
        copy_selinux(&r->selinux, &p->selinux);
    if (p)
        copy_pod_fields(r, p);
    if (c)
        copy_container_fields(r, c);
    return r;
}
