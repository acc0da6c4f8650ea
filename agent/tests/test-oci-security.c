/* SPDX-License-Identifier: Apache-2.0 */
/* The security context in OCI configs: capability arithmetic, users and groups, runAsNonRoot,
 * seccomp assembly and profiles, what a node cannot apply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images/images.h"
#include "json-util.h"
#include "manifest.h"
#include "pods/oci-seccomp.h"
#include "pods/oci-security.h"
#include "pods/oci-spec.h"
#include "security-context.h"
#include "strv.h"
#include "sys/userns.h"
#include "tap.h"
#include "xalloc.h"

static const char *annotation; /* one of the next pod's, "key: value" */

static struct pod *parse(const char *pod_sc, const char *container_sc)
{
    _cleanup_free_ char *meta = annotation ? xasprintf("{%s}", annotation) : xstrdup("{}");
    _cleanup_free_ char *yaml =
        xasprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: web, annotations: %s}\nspec:\n"
                  "  securityContext: {%s}\n"
                  "  containers:\n  - name: c\n    image: busybox\n    securityContext: {%s}\n",
                  meta, pod_sc, container_sc);
    struct manifest_result *r = NULL;
    if (manifest_parse(yaml, strlen(yaml), "t.yaml", &r) < 0) {
        for (size_t i = 0; r && i < r->n_errors; i++) {
            _cleanup_free_ char *s = manifest_diag_format(&r->errors[i]);
            printf("#   error: %s\n", s);
        }
        abort();
    }
    struct pod *p = r->docs[0].pod;
    r->docs[0].pod = NULL;
    manifest_result_free(r);
    return p;
}

static uint64_t caps_of(const char *container_sc)
{
    struct pod *p = parse("", container_sc);
    struct security_context *sc = security_context_resolve(p->security, p->containers[0].security);
    uint64_t caps = oci_security_caps(sc, 40);
    security_context_free(sc);
    pod_free(p);
    return caps;
}

static void test_caps(void)
{
    tap_ok(oci_security_default_caps() == 0xa80425fbu, "containerd's 14: CapPrm 00000000a80425fb");
    tap_ok(caps_of("") == 0xa80425fbu, "no capabilities field: the default set");
    tap_ok(caps_of("capabilities: {add: [NET_ADMIN, SYS_TIME]}") == 0xaa0435fbu,
           "NET_ADMIN and SYS_TIME added: 00000000aa0435fb, as the documentation shows");
    tap_ok(caps_of("capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}") == (1u << 10),
           "drop ALL, add one: only that one");
    tap_ok(caps_of("capabilities: {add: [ALL], drop: [CHOWN]}") == ((UINT64_C(1) << 41) - 2),
           "add ALL, drop one: all but that one");
    tap_ok(caps_of("capabilities: {add: [CAP_SYS_ADMIN, sys_ptrace], drop: [CAP_SYS_ADMIN]}") ==
               (0xa80425fbu | (1u << 19)),
           "drop wins over add; names with CAP_ and in any case");
    tap_ok(caps_of("capabilities: {drop: [KILL, MKNOD]}") == (0xa80425fbu & ~(1u << 5 | 1u << 27)),
           "drop from the defaults");
    tap_ok(caps_of("privileged: true, capabilities: {drop: [ALL]}") == ((UINT64_C(1) << 41) - 1),
           "privileged: every capability, drop ignored (containerd)");
    struct security_context priv = {.privileged = {.set = true, .value = true}};
    tap_ok(oci_security_caps(&priv, 37) == ((UINT64_C(1) << 38) - 1),
           "privileged: up to the kernel's last capability");
}

static char **layers;
static char *profiles_dir;
static char **warnings;

static json_t *build(const char *pod_sc, const char *container_sc, const char *image_config,
                     const struct oci_security_node *node, orc_error_t *err)
{
    struct pod *pod = parse(pod_sc, container_sc);
    struct image img = {.config = json_loads(image_config, 0, NULL), .layers = layers};
    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    struct oci_spec_input in = {.pod = pod,
                                .container = &pod->containers[0],
                                .image = &img,
                                .userns = &ns,
                                .facts = {.pod_uid = "u-1"},
                                .security = node,
                                .warnings = &warnings};
    json_t *spec = NULL;
    if (oci_spec_build(&in, &spec, err) < 0)
        spec = NULL;
    json_decref(img.config);
    pod_free(pod);
    return spec;
}

static char *user_of(const json_t *spec)
{
    json_t *u = json_object_get(json_object_get(spec, "process"), "user");
    _cleanup_free_ char *gids = json_dumps(json_object_get(u, "additionalGids"), JSON_COMPACT);
    return xasprintf("%lld:%lld %s", orc_json_int(u, "uid", -1), orc_json_int(u, "gid", -1),
                     gids ? gids : "-");
}

static void check_user(const char *pod_sc, const char *c_sc, const char *image_user,
                       const char *expected, const char *what)
{
    _cleanup_free_ char *cfg = xasprintf("{\"Cmd\":[\"sh\"],\"User\":\"%s\"}", image_user);
    orc_error_t err = NULL;
    json_auto_t *spec = build(pod_sc, c_sc, cfg, NULL, &err);
    _cleanup_free_ char *got = spec ? user_of(spec) : xstrdup(orc_error_message(err));
    bool config = err && err->status == OCI_SPEC_ECONFIG;
    tap_ok(spec ? !strcmp(got, expected) : strstr(got, expected) && config, "%s: %s", what, got);
    orc_error_release(&err);
}

static void test_users(void)
{
    check_user("runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000]", "",
               "", "1000:3000 [3000,2000,4000]",
               "the documentation's pod: id shows uid=1000 gid=3000 groups=2000,3000,4000");
    check_user("runAsUser: 1000", "runAsUser: 2000", "", "2000:0 [0]",
               "the container's runAsUser wins; no passwd entry: gid 0");
    check_user("", "runAsUser: 1000", "", "1000:1001 [1001,2000]",
               "runAsUser's passwd entry gives its group and its image groups (Merge)");
    check_user("runAsGroup: 7, supplementalGroupsPolicy: Strict, supplementalGroups: [9]",
               "runAsUser: 1000", "", "1000:7 [7,9]", "Strict: no groups from the image");
    check_user("runAsGroup: 7", "", "app", "1000:7 [7,2000]",
               "runAsGroup alone: the image's user with that group");
    check_user("fsGroup: 70000", "", "",
               "fsGroup 70000 is outside orc's user namespace (gids "
               "0-65536 are mapped: the user's subordinate range)",
               "an fsGroup outside the namespace names the range");
    check_user("", "runAsUser: 100000", "",
               "runAsUser 100000 is outside orc's user namespace "
               "(uids 0-65536 are mapped",
               "a runAsUser outside the namespace names the range");
    check_user("runAsNonRoot: true", "", "",
               "container has runAsNonRoot and image will run as "
               "root (pod: \"web_default(u-1)\", container: c)",
               "runAsNonRoot with an image running as root");
    check_user("runAsNonRoot: true", "", "0:0", "image will run as root",
               "runAsNonRoot with image user 0");
    check_user("runAsNonRoot: true", "", "app",
               "container has runAsNonRoot and image has non-numeric user (app), cannot verify "
               "user is non-root (pod: \"web_default(u-1)\", container: c)",
               "runAsNonRoot with a named image user, as kubelet");
    check_user("runAsNonRoot: true", "runAsUser: 0", "1000",
               "container's runAsUser breaks non-root policy", "runAsNonRoot with runAsUser 0");
    check_user("runAsNonRoot: true", "", "1000:5", "1000:5 [5,2000]",
               "runAsNonRoot with a numeric image user");
    check_user("runAsNonRoot: true", "runAsUser: 1", "", "1:0 [0]", "runAsNonRoot with runAsUser");
    check_user("runAsNonRoot: true", "runAsNonRoot: false", "", "0:0 [0]",
               "the container's runAsNonRoot: false wins");
}

static json_t *spec_of(const char *pod_sc, const char *c_sc, const struct oci_security_node *node,
                       char **ret_error)
{
    orc_error_t err = NULL;
    json_t *spec = build(pod_sc, c_sc, "{\"Cmd\":[\"sh\"]}", node, &err);
    if (ret_error)
        *ret_error = err ? xasprintf("%s%s", err->status == OCI_SPEC_ECONFIG ? "config: " : "",
                                     orc_error_message(err))
                         : NULL;
    orc_error_release(&err);
    return spec;
}

static bool allows(const json_t *seccomp, const char *name)
{
    size_t i, k;
    json_t *r, *n;
    json_array_foreach(json_object_get(seccomp, "syscalls"), i, r) {
        if (strcmp(orc_json_str(r, "action"), "SCMP_ACT_ALLOW") || json_object_get(r, "args"))
            continue;
        json_array_foreach(json_object_get(r, "names"), k, n)
            if (!strcmp(json_string_value(n), name))
                return true;
    }
    return false;
}

static void test_process(void)
{
    json_auto_t *spec = spec_of("", "", NULL, NULL);
    json_t *proc = json_object_get(spec, "process"), *lx = json_object_get(spec, "linux");
    json_t *caps = json_object_get(proc, "capabilities");
    tap_ok(json_array_size(json_object_get(caps, "bounding")) == 14 &&
               !json_object_get(caps, "inheritable") && !json_object_get(caps, "ambient"),
           "14 capabilities, none inheritable or ambient");
    tap_ok(json_is_false(json_object_get(proc, "noNewPrivileges")), "no_new_privs off by default");
    tap_ok(json_array_size(json_object_get(lx, "maskedPaths")) > 0 &&
               !json_object_get(lx, "seccomp"),
           "masked paths; no seccomp filter by default (Unconfined, as Kubernetes)");
    json_decref(spec);
    spec = spec_of("",
                   "allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, "
                   "procMount: Unmasked",
                   NULL, NULL);
    tap_ok(json_is_true(json_object_get(json_object_get(spec, "process"), "noNewPrivileges")),
           "allowPrivilegeEscalation: false sets no_new_privs");
    tap_ok(json_is_true(json_object_get(json_object_get(spec, "root"), "readonly")),
           "readOnlyRootFilesystem: a read-only root");
    lx = json_object_get(spec, "linux");
    tap_ok(!json_object_get(lx, "maskedPaths") && !json_object_get(lx, "readonlyPaths"),
           "procMount Unmasked: /proc as it is");
    json_decref(spec);
    warnings = strv_free(warnings);
    spec = spec_of("seLinuxOptions: {level: \"s0:c1\"}", "privileged: true", NULL, NULL);
    lx = json_object_get(spec, "linux");
    tap_ok(!json_object_get(lx, "maskedPaths") && strv_length(warnings) == 2 &&
               strstr(warnings[0], "never the host's privileges") &&
               strstr(warnings[1], "SELinux is not enabled"),
           "privileged and SELinux options: warnings, nothing masked: %s",
           warnings ? warnings[0] : "");
    warnings = strv_free(warnings);
    char *error = NULL;
    struct oci_security_node selinux = {.selinux_enabled = true};
    json_decref(spec);
    spec = spec_of("seLinuxOptions: {level: \"s0:c1\"}", "", &selinux, &error);
    tap_ok(!spec && error && strstr(error, "config: container 'c': Cannot apply seLinuxOptions"),
           "SELinux options where SELinux is enabled: refused: %s", error);
    free(error);
}

static void test_apparmor(void)
{
    char *error = NULL;
    json_t *spec = spec_of("appArmorProfile: {type: RuntimeDefault}", "", NULL, &error);
    tap_ok(!spec && error &&
               strstr(error, "config: container 'c': Cannot enforce AppArmor: AppArmor is not "
                             "enabled on the host"),
           "AppArmor without AppArmor: kubelet's refusal: %s", error);
    free(error);
    struct oci_security_node aa = {.apparmor_enabled = true};
    spec = spec_of("", "appArmorProfile: {type: Localhost, localhostProfile: k8s-deny}", &aa, NULL);
    tap_is_str(orc_json_str(json_object_get(spec, "process"), "apparmorProfile"), "k8s-deny",
               "a Localhost AppArmor profile where AppArmor is enabled");
    json_decref(spec);
    spec = spec_of("appArmorProfile: {type: Unconfined}", "", NULL, NULL);
    tap_ok(spec != NULL, "Unconfined needs nothing");
    json_decref(spec);
    annotation = "container.apparmor.security.beta.kubernetes.io/c: localhost/k8s-deny-write";
    spec = spec_of("", "", NULL, &error);
    tap_ok(!spec && error && strstr(error, "Cannot enforce AppArmor"),
           "the deprecated annotation is enforced too: %s", error);
    free(error);
    spec = spec_of("", "", &aa, NULL);
    tap_is_str(orc_json_str(json_object_get(spec, "process"), "apparmorProfile"), "k8s-deny-write",
               "the annotation's Localhost profile");
    json_decref(spec);
    spec = spec_of("appArmorProfile: {type: RuntimeDefault}", "appArmorProfile: {type: Unconfined}",
                   NULL, NULL);
    tap_ok(spec != NULL, "the container's field wins over the annotation and the pod's");
    json_decref(spec);
    annotation = NULL;
}

static void write_profile(const char *rel, const char *text)
{
    _cleanup_free_ char *path = orc_path_join(profiles_dir, rel);
    _cleanup_free_ char *parent = xstrdup(path);
    *strrchr(parent, '/') = '\0';
    if (orc_mkdir_p(parent, 0755, NULL) < 0 ||
        orc_write_file_atomic(path, text, strlen(text), 0644, NULL) < 0)
        abort();
}

static void test_seccomp(void)
{
    struct oci_security_node node = {.seccomp_dir = profiles_dir};
    json_auto_t *spec = spec_of("seccompProfile: {type: RuntimeDefault}", "", &node, NULL);
    json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp");
    tap_is_str(orc_json_str(sc, "defaultAction"), "SCMP_ACT_ERRNO", "RuntimeDefault refuses");
    tap_is_int(orc_json_int(sc, "defaultErrnoRet", 0), EPERM, "with EPERM");
    tap_ok(allows(sc, "read") && allows(sc, "execve") && !allows(sc, "unshare") &&
               !allows(sc, "keyctl") && !allows(sc, "mount") && !allows(sc, "settimeofday"),
           "everyday syscalls allowed; unshare, keyctl, mount, settimeofday not");
    tap_ok(json_array_size(json_object_get(sc, "architectures")) >= 1, "architectures named");
    json_decref(spec);
    spec = spec_of("seccompProfile: {type: RuntimeDefault}",
                   "capabilities: {add: [SYS_ADMIN, SYS_TIME]}", &node, NULL);
    sc = json_object_get(json_object_get(spec, "linux"), "seccomp");
    tap_ok(allows(sc, "unshare") && allows(sc, "mount") && allows(sc, "settimeofday") &&
               allows(sc, "clone"),
           "with CAP_SYS_ADMIN and CAP_SYS_TIME their syscalls are allowed");
    json_decref(spec);
    spec = spec_of("seccompProfile: {type: RuntimeDefault}", "privileged: true", &node, NULL);
    tap_ok(!json_object_get(json_object_get(spec, "linux"), "seccomp"),
           "no filter for a privileged container (containerd)");
    json_decref(spec);
    node.seccomp_default = true;
    spec = spec_of("", "", &node, NULL);
    tap_ok(json_object_get(json_object_get(spec, "linux"), "seccomp") != NULL,
           "--seccomp-default: RuntimeDefault when none is named");
    json_decref(spec);
    spec = spec_of("seccompProfile: {type: Unconfined}", "", &node, NULL);
    tap_ok(!json_object_get(json_object_get(spec, "linux"), "seccomp"),
           "Unconfined named: no filter even with --seccomp-default");
    json_decref(spec);

    write_profile("my/fine.json",
                  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
                  "\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]},"
                  "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[]}],"
                  "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                  "{\"name\":\"mount\",\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
                  "[\"CAP_SYS_ADMIN\"]}},{\"names\":[\"chown\"],\"action\":\"SCMP_ACT_ALLOW\","
                  "\"excludes\":{\"caps\":[\"CAP_CHOWN\"]}}]}");
    spec = spec_of("", "seccompProfile: {type: Localhost, localhostProfile: my/fine.json}", &node,
                   NULL);
    sc = json_object_get(json_object_get(spec, "linux"), "seccomp");
    tap_ok(allows(sc, "read") && allows(sc, "write") && !allows(sc, "mount") &&
               !allows(sc, "chown") && json_array_size(json_object_get(sc, "architectures")) >= 1,
           "a Localhost profile in docker's format: names, archMap, includes and excludes");
    json_decref(spec);
    char *error = NULL;
    spec = spec_of("", "seccompProfile: {type: Localhost, localhostProfile: my/none.json}", &node,
                   &error);
    tap_ok(!spec && error && strstr(error, "config: container 'c': cannot load seccomp profile") &&
               strstr(error, "/my/none.json\": No such file or directory"),
           "a missing profile names its path: %s", error);
    free(error);
    _cleanup_free_ char *link = orc_path_join(profiles_dir, "my/out.json");
    tap_ok(symlink("/etc/passwd", link) == 0, "a symlink out of the directory");
    spec = spec_of("", "seccompProfile: {type: Localhost, localhostProfile: my/out.json}", &node,
                   &error);
    tap_ok(!spec && error && strstr(error, "leaves"), "is not followed: %s", error);
    free(error);
    write_profile("bad.json", "{\"syscalls\":[]}");
    spec =
        spec_of("", "seccompProfile: {type: Localhost, localhostProfile: bad.json}", &node, &error);
    tap_ok(!spec && error && strstr(error, "needs a \"defaultAction\""),
           "a profile without a default action: %s", error);
    free(error);
}

static void test_merge(void)
{
    json_t *sets[2];
    sets[0] = oci_seccomp_runtime_default(oci_security_default_caps());
    sets[1] = json_pack("{s:s,s:[s],s:[s],s:[{s:[s],s:s}]}", "defaultAction", "SCMP_ACT_KILL",
                        "architectures", "SCMP_ARCH_X86_64", "flags", "SECCOMP_FILTER_FLAG_LOG",
                        "syscalls", "names", "keyctl", "action", "SCMP_ACT_ALLOW");
    json_auto_t *m = oci_seccomp_merge(sets, 2);
    tap_is_str(orc_json_str(m, "defaultAction"), "SCMP_ACT_ERRNO", "the first set's default");
    tap_ok(allows(m, "keyctl") && allows(m, "read"), "syscalls of every set");
    tap_is_int(json_array_size(json_object_get(m, "architectures")),
               json_array_size(json_object_get(sets[0], "architectures")),
               "architectures once each");
    tap_ok(json_array_size(json_object_get(m, "flags")) == 1, "flags of every set");
    json_decref(sets[0]);
    json_decref(sets[1]);
}

int main(void)
{
    char dir[] = "/tmp/orc-oci-security-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    _cleanup_free_ char *lower = orc_path_join(dir, "lower");
    profiles_dir = orc_path_join(dir, "seccomp");
    _cleanup_free_ char *passwd = orc_path_join(lower, "etc/passwd");
    _cleanup_free_ char *etc = orc_path_join(lower, "etc");
    if (orc_mkdir_p(etc, 0755, NULL) < 0 || orc_mkdir_p(profiles_dir, 0755, NULL) < 0)
        abort();
    const char *pw = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n";
    const char *gr = "root:x:0:\napp:x:1001:\nextra:x:2000:other,app\n";
    _cleanup_free_ char *group = orc_path_join(lower, "etc/group");
    if (orc_write_file_atomic(passwd, pw, strlen(pw), 0644, NULL) < 0 ||
        orc_write_file_atomic(group, gr, strlen(gr), 0644, NULL) < 0)
        abort();
    char *l[] = {lower, NULL};
    layers = l;
    test_caps();
    test_users();
    test_process();
    test_apparmor();
    test_seccomp();
    test_merge();
    (void) orc_rm_rf(dir, NULL);
    free(profiles_dir);
    strv_free(warnings);
    return tap_done();
}
