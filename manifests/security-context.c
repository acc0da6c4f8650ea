/* SPDX-License-Identifier: Apache-2.0 */
/* securityContext of pods and containers: YAML -> struct security_context, validated with
 * Kubernetes' rules and messages. */
#include "security-context.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "decode.h"
#include "strv.h"
#include "xalloc.h"

#define SC_MAX_ID 2147483647 /* Kubernetes: ids are int32, not negative */
#define SC_MAX_GROUPS 65536  /* NGROUPS_MAX */
#define SC_MAX_SYSCTLS 1024

/* Scalar value among names (index returned, 1-based as the enums count after UNSET), else an
 * "Unsupported value" error and 0. */
static int decode_choice(struct decoder *d, const struct ynode *v, const char *const *names,
                         const char *supported)
{
    _cleanup_free_ char *s = NULL;
    if (!decode_string(d, v, &s))
        return 0;
    for (int i = 0; names[i]; i++)
        if (!strcmp(s, names[i]))
            return i + 1;
    decoder_error(d, v, NULL, "Unsupported value: \"%s\": supported values: %s", s, supported);
    return 0;
}

static void decode_id(struct decoder *d, const struct ynode *v, struct sc_opt_id *ret)
{
    int64_t id;
    if (decode_int(d, v, 0, SC_MAX_ID, &id))
        *ret = (struct sc_opt_id){.set = true, .id = id};
}

static void decode_opt_bool(struct decoder *d, const struct ynode *v, struct sc_opt_bool *ret)
{
    bool b;
    if (decode_bool(d, v, &b))
        *ret = (struct sc_opt_bool){.set = true, .value = b};
}

/* Kubernetes' ValidateLocalDescendingPath, as seccomp's localhostProfile is checked */
static void check_descending_path(struct decoder *d, const struct ynode *at, const char *p)
{
    if (*p == '/')
        decoder_error(d, at, "localhostProfile", "Invalid value: \"%s\": must be a relative path",
                      p);
    _cleanup_free_ char *copy = xstrdup(p);
    char *save = NULL;
    for (char *e = strtok_r(copy, "/", &save); e; e = strtok_r(NULL, "/", &save))
        if (!strcmp(e, "..")) {
            decoder_error(d, at, "localhostProfile", "Invalid value: \"%s\": must not contain '..'",
                          p);
            break;
        }
}

/* seccompProfile or appArmorProfile: {type, localhostProfile} */
static void decode_profile(struct decoder *d, const struct ynode *n, bool seccomp,
                           struct sc_profile *p)
{
    static const char *const types[] = {"RuntimeDefault", "Unconfined", "Localhost", NULL};
    const char *what = seccomp ? "seccomp" : "AppArmor";
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    const struct ynode *lp = NULL;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        if (!strcmp(k->value, "type"))
            p->type =
                decode_choice(d, v, types, "\"Localhost\", \"RuntimeDefault\", \"Unconfined\"");
        else if (!strcmp(k->value, "localhostProfile")) {
            if (decode_string(d, v, &p->localhost_profile))
                lp = v;
        } else {
            decoder_pop(d, saved);
            decoder_unknown_field(d, k);
            continue;
        }
        decoder_pop(d, saved);
    }
    if (p->type == SC_PROFILE_UNSET)
        decoder_required(d, n, "type", NULL);
    if (p->type == SC_PROFILE_LOCALHOST && (!p->localhost_profile || !*p->localhost_profile))
        decoder_error(d, lp ? lp : n, "localhostProfile",
                      "Required value: must be set when %s type is Localhost", what);
    else if (p->type != SC_PROFILE_LOCALHOST && p->type != SC_PROFILE_UNSET && lp)
        decoder_error(d, lp, "localhostProfile",
                      "Invalid value: \"%s\": can only be set when %s type is Localhost",
                      p->localhost_profile, what);
    else if (lp && seccomp)
        check_descending_path(d, lp, p->localhost_profile);
    else if (lp && strlen(p->localhost_profile) > 4095)
        decoder_error(d, lp, "localhostProfile", "Too long: may not be more than 4095 bytes");
}

/* A mapping whose keys are among keys: each value read by read into the slot of its key;
 * other keys are unknown fields. False when n is no mapping. */
static bool decode_keyed(struct decoder *d, const struct ynode *n, const char *const *keys,
                         void *const *slots,
                         void (*read)(struct decoder *d, const struct ynode *v, void *slot))
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return false;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        size_t f = 0;
        while (keys[f] && strcmp(keys[f], k->value))
            f++;
        if (!keys[f]) {
            decoder_unknown_field(d, k);
            continue;
        }
        size_t saved = decoder_push_key(d, k->value);
        read(d, v, slots[f]);
        decoder_pop(d, saved);
    }
    return true;
}

static void read_string(struct decoder *d, const struct ynode *v, void *slot)
{
    (void) decode_string(d, v, slot);
}

static void decode_selinux(struct decoder *d, const struct ynode *n, struct sc_selinux *s)
{
    static const char *const keys[] = {"user", "role", "type", "level", NULL};
    void *const slots[] = {&s->user, &s->role, &s->type, &s->level};
    s->set = decode_keyed(d, n, keys, slots, read_string);
}

/* The fields both levels have; false when k is none of them. */
static bool decode_common_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                struct security_context *sc)
{
    const char *key = k->value;
    if (!strcmp(key, "runAsUser"))
        decode_id(d, v, &sc->run_as_user);
    else if (!strcmp(key, "runAsGroup"))
        decode_id(d, v, &sc->run_as_group);
    else if (!strcmp(key, "runAsNonRoot"))
        decode_opt_bool(d, v, &sc->run_as_non_root);
    else if (!strcmp(key, "seccompProfile"))
        decode_profile(d, v, true, &sc->seccomp);
    else if (!strcmp(key, "appArmorProfile"))
        decode_profile(d, v, false, &sc->apparmor);
    else if (!strcmp(key, "seLinuxOptions"))
        decode_selinux(d, v, &sc->selinux);
    else if (!strcmp(key, "windowsOptions"))
        decoder_warn(d, k, NULL, "Windows only: ignored on Linux, as kubelet ignores it");
    else
        return false;
    return true;
}

static void decode_groups(struct decoder *d, const struct ynode *n, struct security_context *sc)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return;
    if (n->n_items > SC_MAX_GROUPS) {
        decoder_error(d, n, NULL, "Too many: %zu: must have at most %d items", n->n_items,
                      SC_MAX_GROUPS);
        return;
    }
    sc->has_supplemental_groups = true;
    sc->supplemental_groups = new0(int64_t, n->n_items);
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        if (decode_int(d, n->items[i], 0, SC_MAX_ID, &sc->supplemental_groups[i]))
            sc->n_supplemental_groups++;
        decoder_pop(d, saved);
    }
}

/* Kubernetes' sysctl name: dot- or slash-separated segments of [a-z0-9_-], 253 at most */
static bool sysctl_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return false;
    bool start = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (c == '.' || c == '/') {
            if (start || s[i - 1] == '-' || s[i - 1] == '_')
                return false;
            start = true;
        } else if (alnum || ((c == '-' || c == '_') && !start)) {
            start = false;
        } else {
            return false;
        }
    }
    return !start && s[n - 1] != '-' && s[n - 1] != '_';
}

static void check_sysctl(struct decoder *d, const struct ynode *at, struct security_context *sc,
                         size_t i)
{
    const char *name = sc->sysctls[i].name;
    if (!sysctl_name_ok(name)) {
        decoder_error(d, at, "name",
                      "Invalid value: \"%s\": must have at most 253 characters and match regex "
                      "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$",
                      name);
        return;
    }
    _cleanup_free_ char *norm = security_sysctl_normalize(name);
    for (size_t j = 0; j < i; j++) {
        if (!sc->sysctls[j].name) /* one without a name: reported as such */
            continue;
        _cleanup_free_ char *other = security_sysctl_normalize(sc->sysctls[j].name);
        if (!strcmp(norm, other)) {
            decoder_error(d, at, "name", "Duplicate value: \"%s\"", name);
            return;
        }
    }
    if (security_sysctl_class(norm) == SC_SYSCTL_HOST)
        decoder_error(d, at, "name",
                      "Forbidden: sysctl \"%s\" is not namespaced: setting it would change the "
                      "whole machine; a pod may only set sysctls of its network and IPC "
                      "namespaces (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)",
                      name);
}

static void decode_sysctl(struct decoder *d, const struct ynode *n, struct security_context *sc,
                          size_t i)
{
    static const char *const keys[] = {"name", "value", NULL};
    struct sc_sysctl *s = &sc->sysctls[i];
    void *const slots[] = {&s->name, &s->value};
    if (!decode_keyed(d, n, keys, slots, read_string))
        return;
    if (!s->name)
        decoder_required(d, n, "name", NULL);
    else
        check_sysctl(d, n, sc, i);
    if (!s->value)
        s->value = xstrdup(""); /* Kubernetes accepts an empty value */
}

static void decode_sysctls(struct decoder *d, const struct ynode *n, struct security_context *sc)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return;
    if (n->n_items > SC_MAX_SYSCTLS) {
        decoder_error(d, n, NULL, "Too many: %zu: must have at most %d items", n->n_items,
                      SC_MAX_SYSCTLS);
        return;
    }
    sc->sysctls = new0(struct sc_sysctl, n->n_items);
    sc->n_sysctls = n->n_items;
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        decode_sysctl(d, n->items[i], sc, i);
        decoder_pop(d, saved);
    }
}

static bool decode_pod_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                             void *ctx)
{
    struct security_context *sc = ctx;
    static const char *const change[] = {"Always", "OnRootMismatch", NULL};
    static const char *const policies[] = {"Merge", "Strict", NULL};
    const char *key = k->value;
    if (!strcmp(key, "fsGroup"))
        decode_id(d, v, &sc->fs_group);
    else if (!strcmp(key, "fsGroupChangePolicy"))
        sc->fs_group_change_policy = decode_choice(d, v, change, "\"OnRootMismatch\", \"Always\"");
    else if (!strcmp(key, "supplementalGroups"))
        decode_groups(d, v, sc);
    else if (!strcmp(key, "supplementalGroupsPolicy"))
        sc->supplemental_groups_policy = decode_choice(d, v, policies, "\"Merge\", \"Strict\"");
    else if (!strcmp(key, "sysctls"))
        decode_sysctls(d, v, sc);
    else if (!strcmp(key, "seLinuxChangePolicy"))
        decoder_warn(d, k, NULL,
                     "about relabelling volumes for SELinux, which orc does not do: "
                     "ignored");
    else
        return decode_common_field(d, k, v, sc);
    return true;
}

/* capabilities.add / .drop: Linux capability names (with or without CAP_) or ALL */
static void decode_cap_list(struct decoder *d, const struct ynode *v, void *slot)
{
    char ***ret = slot;
    if (!decode_strv(d, v, ret))
        return;
    for (size_t i = 0; (*ret)[i]; i++)
        if (strcasecmp((*ret)[i], "ALL") && security_capability_number((*ret)[i]) < 0) {
            size_t saved = decoder_push_index(d, i);
            decoder_error(d, v->items[i], NULL,
                          "Unsupported value: \"%s\": not a Linux capability (CHOWN, NET_ADMIN, "
                          "SYS_TIME, ... or ALL)",
                          (*ret)[i]);
            decoder_pop(d, saved);
        }
}

static void decode_capabilities(struct decoder *d, const struct ynode *n,
                                struct security_context *sc)
{
    static const char *const keys[] = {"add", "drop", NULL};
    void *const slots[] = {&sc->cap_add, &sc->cap_drop};
    sc->has_capabilities = decode_keyed(d, n, keys, slots, decode_cap_list);
}

static bool decode_container_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                   void *ctx)
{
    struct security_context *sc = ctx;
    static const char *const proc_mounts[] = {"Default", "Unmasked", NULL};
    const char *key = k->value;
    if (!strcmp(key, "capabilities"))
        decode_capabilities(d, v, sc);
    else if (!strcmp(key, "privileged")) {
        decode_opt_bool(d, v, &sc->privileged);
        if (sc->privileged.value)
            decoder_warn(d, k, NULL,
                         "privileged in orc means every capability of orc's user namespace and "
                         "the devices the user can reach, never the host's privileges: the "
                         "container's root is still the user who runs orc");
    } else if (!strcmp(key, "allowPrivilegeEscalation"))
        decode_opt_bool(d, v, &sc->allow_privilege_escalation);
    else if (!strcmp(key, "readOnlyRootFilesystem"))
        decode_opt_bool(d, v, &sc->read_only_root_filesystem);
    else if (!strcmp(key, "procMount"))
        sc->proc_mount = decode_choice(d, v, proc_mounts, "\"Default\", \"Unmasked\"");
    else
        return decode_common_field(d, k, v, sc);
    return true;
}

static bool adds_sys_admin(const struct security_context *sc)
{
    for (size_t i = 0; sc->cap_add && sc->cap_add[i]; i++)
        if (security_capability_number(sc->cap_add[i]) == 21 /* CAP_SYS_ADMIN */)
            return true;
    return false;
}

/* Kubernetes: no_new_privs cannot hold for a privileged container or one with CAP_SYS_ADMIN */
static void validate_container(struct decoder *d, const struct ynode *n,
                               const struct security_context *sc)
{
    if (!sc->allow_privilege_escalation.set || sc->allow_privilege_escalation.value)
        return;
    if (sc->privileged.set && sc->privileged.value)
        decoder_error(d, n, NULL,
                      "Invalid value: \"allowPrivilegeEscalation\": cannot set "
                      "`allowPrivilegeEscalation` to false and `privileged` to true");
    if (adds_sys_admin(sc))
        decoder_error(d, n, NULL,
                      "Invalid value: \"allowPrivilegeEscalation\": cannot set "
                      "`allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN");
}

static void decode_context(struct decoder *d, const struct ynode *n, bool pod,
                           struct security_context **ret)
{
    struct security_context *sc = xzalloc(sizeof(*sc));
    if (!decoder_each_field(d, n, pod ? decode_pod_field : decode_container_field, sc)) {
        security_context_free(sc);
        return;
    }
    if (!pod)
        validate_container(d, n, sc);
    security_context_free(*ret);
    *ret = sc;
}

void security_context_check_host(struct decoder *d, const struct ynode *n, const struct pod *pod)
{
    const struct security_context *sc = pod->security;
    const struct ynode *list = NULL;
    for (size_t i = 0; n && n->kind == YNODE_MAPPING && i < ynode_pairs(n); i++)
        if (!strcmp(ynode_key(n, i)->value, "sysctls"))
            list = ynode_val(n, i);
    for (size_t i = 0; sc && i < sc->n_sysctls; i++) {
        if (!sc->sysctls[i].name)
            continue;
        _cleanup_free_ char *norm = security_sysctl_normalize(sc->sysctls[i].name);
        bool net = !strncmp(norm, "net.", 4);
        if (!(net ? pod->host.host_network : pod->host.host_ipc))
            continue;
        size_t saved = decoder_push_key(d, "spec");
        decoder_push_key(d, "securityContext");
        decoder_push_key(d, "sysctls");
        decoder_push_index(d, i);
        decoder_error(d, list && i < list->n_items ? list->items[i] : n, "name",
                      "Forbidden: \"%s\" not allowed with host %s enabled", sc->sysctls[i].name,
                      net ? "net" : "ipc");
        decoder_pop(d, saved);
    }
}

void decode_pod_security_context(struct decoder *d, const struct ynode *n,
                                 struct security_context **ret)
{
    decode_context(d, n, true, ret);
}

void decode_container_security_context(struct decoder *d, const struct ynode *n,
                                       struct security_context **ret)
{
    decode_context(d, n, false, ret);
}
