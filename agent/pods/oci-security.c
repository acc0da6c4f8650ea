/* SPDX-License-Identifier: Apache-2.0 */
/* The security context in a container's OCI config: capabilities, no_new_privs, seccomp,
 * AppArmor, SELinux, the root's and /proc's protections, privileged containers. */
#include "pods/oci-security.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "pods/oci-seccomp.h"
#include "security-context.h"
#include "strv.h"
#include "xalloc.h"

static const int default_caps[] = {0 /* CHOWN */,
                                   1 /* DAC_OVERRIDE */,
                                   4 /* FSETID */,
                                   3 /* FOWNER */,
                                   27 /* MKNOD */,
                                   13 /* NET_RAW */,
                                   6 /* SETGID */,
                                   7 /* SETUID */,
                                   31 /* SETFCAP */,
                                   8 /* SETPCAP */,
                                   10 /* NET_BIND_SERVICE */,
                                   18 /* SYS_CHROOT */,
                                   5 /* KILL */,
                                   29 /* AUDIT_WRITE */};

#define BIT(n) (UINT64_C(1) << (n))

uint64_t oci_security_default_caps(void)
{
    uint64_t set = 0;
    for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
        set |= BIT(default_caps[i]);
    return set;
}

static bool has_all(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        if (!strcasecmp(list[i], "ALL"))
            return true;
    return false;
}

static uint64_t names_to_bits(char **list)
{
    uint64_t set = 0;
    for (size_t i = 0; list && list[i]; i++) {
        int n = security_capability_number(list[i]);
        if (n >= 0)
            set |= BIT(n);
    }
    return set;
}

uint64_t oci_security_caps(const struct security_context *sc, int cap_last)
{
    if (cap_last <= 0 || cap_last > SECURITY_CAP_LAST)
        cap_last = SECURITY_CAP_LAST;
    uint64_t all = BIT(cap_last + 1) - 1;
    if (sc->privileged.set && sc->privileged.value)
        return all;
    uint64_t set = oci_security_default_caps();
    if (has_all(sc->cap_add))
        set = all;
    if (has_all(sc->cap_drop))
        set = 0;
    set |= names_to_bits(sc->cap_add);
    set &= ~names_to_bits(sc->cap_drop);
    return set & all;
}

static json_t *caps_json(uint64_t set)
{
    json_t *a = json_array();
    for (int i = 0; i <= SECURITY_CAP_LAST; i++)
        if (set & BIT(i))
            json_array_append_new(a, json_string(security_capability_name(i)));
    return a;
}

static void warn(const struct oci_spec_input *in, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(const struct oci_spec_input *in, const char *fmt, ...)
{
    if (!in->warnings)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) < 0)
        abort();
    va_end(ap);
    *in->warnings = strv_push(*in->warnings, m);
    free(m);
}

/* The seccomp filter: the container's profile, else the node's default (kubelet's
 * --seccomp-default), none for a privileged container (containerd's rule). */
static int apply_seccomp(const struct oci_spec_input *in, const struct security_context *sc,
                         uint64_t caps, json_t *lnx, orc_error_t *err)
{
    const struct oci_security_node *node = in->security;
    enum sc_profile_type type = sc->seccomp.type;
    if (type == SC_PROFILE_UNSET)
        type = node && node->seccomp_default ? SC_PROFILE_RUNTIME_DEFAULT : SC_PROFILE_UNCONFINED;
    if (type == SC_PROFILE_UNCONFINED || (sc->privileged.set && sc->privileged.value))
        return 0;
    json_t *set = NULL;
    if (type == SC_PROFILE_RUNTIME_DEFAULT)
        set = oci_seccomp_runtime_default(caps);
    else if (!node || !node->seccomp_dir)
        return orc_error_make_as(err, OCI_SPEC_ECONFIG,
                                 "seccomp profile \"%s\": orcd has no directory of profiles",
                                 sc->seccomp.localhost_profile);
    else if (oci_seccomp_load(node->seccomp_dir, sc->seccomp.localhost_profile, caps, &set, err) <
             0) {
        (*err)->status = OCI_SPEC_ECONFIG;
        return -1;
    }
    json_object_set_new(lnx, "seccomp", oci_seccomp_merge(&set, 1));
    json_decref(set);
    return 0;
}

#define APPARMOR_ANNOTATION "container.apparmor.security.beta.kubernetes.io/"

/* kubelet's choice: the container's appArmorProfile, else the (deprecated) annotation
 * container.apparmor.security.beta.kubernetes.io/NAME (runtime/default, localhost/PROFILE,
 * unconfined), else the pod's. *ret_name: a Localhost profile's name. */
static enum sc_profile_type apparmor_profile(const struct oci_spec_input *in,
                                             const struct security_context *sc,
                                             const char **ret_name)
{
    const struct security_context *own = in->container->security;
    *ret_name = sc->apparmor.localhost_profile;
    if (own && own->apparmor.type != SC_PROFILE_UNSET)
        return sc->apparmor.type;
    _cleanup_free_ char *key = xasprintf(APPARMOR_ANNOTATION "%s", in->container->name);
    const char *v = json_string_value(json_object_get(in->pod->annotations, key));
    if (!v)
        return sc->apparmor.type;
    *ret_name = !strncmp(v, "localhost/", 10) ? v + 10 : NULL;
    return !strcmp(v, "runtime/default") ? SC_PROFILE_RUNTIME_DEFAULT
           : *ret_name                   ? SC_PROFILE_LOCALHOST
                                         : SC_PROFILE_UNCONFINED;
}

static int apply_apparmor(const struct oci_spec_input *in, const struct security_context *sc,
                          json_t *process, orc_error_t *err)
{
    const char *name = NULL;
    enum sc_profile_type type = apparmor_profile(in, sc, &name);
    if (type == SC_PROFILE_UNSET || type == SC_PROFILE_UNCONFINED)
        return 0;
    if (!in->security || !in->security->apparmor_enabled)
        return orc_error_make_as(err, OCI_SPEC_ECONFIG,
                                 "Cannot enforce AppArmor: AppArmor is not enabled on the host");
    if (type == SC_PROFILE_RUNTIME_DEFAULT)
        return orc_error_make_as(err, OCI_SPEC_ECONFIG,
                                 "Cannot enforce AppArmor: orc has no default profile (loading one "
                                 "needs root); name a loaded profile with type Localhost");
    json_object_set_new(process, "apparmorProfile", json_string(name));
    return 0;
}

static int apply_selinux(const struct oci_spec_input *in, const struct security_context *sc,
                         orc_error_t *err)
{
    if (!sc->selinux.set)
        return 0;
    if (in->security && in->security->selinux_enabled)
        return orc_error_make_as(err, OCI_SPEC_ECONFIG,
                                 "Cannot apply seLinuxOptions: orc does not label containers "
                                 "(that needs the SELinux policy's container types and root)");
    warn(in, "seLinuxOptions of container %s not applied: SELinux is not enabled on this machine",
         in->container->name);
    return 0;
}

/* Device nodes of the host's /dev that the user may open, bind-mounted as podman does for a
 * rootless privileged container (device nodes cannot be made in a user namespace). */
static void add_host_devices(json_t *mounts)
{
    static const char *const skip[] = {"null", "zero",    "full",   "random", "urandom", "tty",
                                       "ptmx", "console", "pts",    "shm",    "mqueue",  "core",
                                       "fd",   "stdin",   "stdout", "stderr", NULL};
    DIR *d = opendir("/dev");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || strv_contains((char *const *) skip, e->d_name))
            continue;
        _cleanup_free_ char *path = xasprintf("/dev/%s", e->d_name);
        struct stat st;
        if (lstat(path, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) ||
            (access(path, R_OK) < 0 && access(path, W_OK) < 0))
            continue;
        json_array_append_new(mounts,
                              json_pack("{s:s,s:s,s:s,s:[s,s]}", "destination", path, "type",
                                        "bind", "source", path, "options", "bind", "nosuid"));
    }
    if (d)
        closedir(d);
}

/* Privileged: /sys writable, the user's devices, no masked or read-only /proc paths. */
static void apply_privileged(json_t *spec)
{
    json_t *mounts = json_object_get(spec, "mounts"), *m;
    size_t i;
    json_array_foreach(mounts, i, m) {
        if (strcmp(json_string_value(json_object_get(m, "destination")), "/sys"))
            continue;
        json_t *opts = json_object_get(m, "options"), *o;
        size_t k;
        json_array_foreach(opts, k, o)
            if (!strcmp(json_string_value(o), "ro")) {
                json_array_set_new(opts, k, json_string("rw"));
                break;
            }
    }
    add_host_devices(mounts);
}

void oci_security_probe(bool *ret_apparmor, bool *ret_selinux, int *ret_cap_last)
{
    _cleanup_free_ char *aa = NULL, *last = NULL;
    *ret_apparmor =
        orc_read_file("/sys/module/apparmor/parameters/enabled", 16, &aa, NULL, NULL) == 0 &&
        aa[0] == 'Y';
    *ret_selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;
    *ret_cap_last =
        orc_read_file("/proc/sys/kernel/cap_last_cap", 16, &last, NULL, NULL) == 0 ? atoi(last) : 0;
}

int oci_security_apply(const struct oci_spec_input *in, const struct security_context *sc,
                       json_t *spec, orc_error_t *err)
{
    json_t *process = json_object_get(spec, "process"), *lnx = json_object_get(spec, "linux");
    bool privileged = sc->privileged.set && sc->privileged.value;
    uint64_t caps = oci_security_caps(sc, in->security ? in->security->cap_last : 0);
    json_object_set_new(process, "capabilities",
                        json_pack("{s:o,s:o,s:o}", "bounding", caps_json(caps), "effective",
                                  caps_json(caps), "permitted", caps_json(caps)));
    /* kubelet: no_new_privs only when allowPrivilegeEscalation is false */
    json_object_set_new(
        process, "noNewPrivileges",
        json_boolean(sc->allow_privilege_escalation.set && !sc->allow_privilege_escalation.value));
    if (sc->read_only_root_filesystem.set && sc->read_only_root_filesystem.value)
        json_object_set_new(json_object_get(spec, "root"), "readonly", json_true());
    if (privileged || sc->proc_mount == SC_PROC_MOUNT_UNMASKED) {
        json_object_del(lnx, "maskedPaths");
        json_object_del(lnx, "readonlyPaths");
    }
    if (privileged) {
        apply_privileged(spec);
        warn(in,
             "container %s is privileged: it has every capability of orc's user namespace and the "
             "devices the user can open, never the host's privileges",
             in->container->name);
    }
    if (apply_seccomp(in, sc, caps, lnx, err) < 0 || apply_apparmor(in, sc, process, err) < 0 ||
        apply_selinux(in, sc, err) < 0)
        return orc_error_wrap(err, "container '%s'", in->container->name);
    return 0;
}
