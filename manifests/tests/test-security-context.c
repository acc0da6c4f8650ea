/* SPDX-License-Identifier: Apache-2.0 */
/* securityContext: the container's fields over the pod's, JSON both ways, capability and
 * sysctl tables. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "manifest.h"
#include "security-context.h"
#include "tap.h"

static struct pod *parse_pod(const char *yaml)
{
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

static const char pod_yaml[] =
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
    "  securityContext:\n"
    "    runAsUser: 1000\n    runAsGroup: 3000\n    fsGroup: 2000\n"
    "    supplementalGroups: [4000, 5000]\n    runAsNonRoot: true\n"
    "    seccompProfile: {type: RuntimeDefault}\n    seLinuxOptions: {level: s0}\n"
    "    sysctls: [{name: net.ipv4.ping_group_range, value: 0 100}]\n"
    "  containers:\n"
    "  - name: plain\n    image: busybox\n"
    "  - name: own\n    image: busybox\n    securityContext:\n"
    "      runAsUser: 0\n      runAsNonRoot: false\n      seccompProfile: {type: Unconfined}\n"
    "      seLinuxOptions: {type: spc_t}\n      readOnlyRootFilesystem: true\n"
    "      capabilities: {add: [NET_ADMIN], drop: [ALL]}\n";

static void test_resolve(void)
{
    struct pod *p = parse_pod(pod_yaml);
    struct security_context *a = security_context_resolve(p->security, p->containers[0].security);
    tap_ok(a->run_as_user.set && a->run_as_user.id == 1000, "the pod's runAsUser without one");
    tap_ok(a->run_as_group.set && a->run_as_group.id == 3000, "the pod's runAsGroup");
    tap_ok(a->run_as_non_root.set && a->run_as_non_root.value, "the pod's runAsNonRoot");
    tap_is_int(a->seccomp.type, SC_PROFILE_RUNTIME_DEFAULT, "the pod's seccomp profile");
    tap_ok(a->fs_group.set && a->fs_group.id == 2000, "fsGroup is the pod's");
    tap_is_int(a->n_supplemental_groups, 2, "supplementalGroups are the pod's");
    tap_is_int(a->n_sysctls, 1, "sysctls are the pod's");
    tap_ok(!a->read_only_root_filesystem.set && !a->cap_add, "nothing of the other container");
    tap_is_str(a->selinux.level, "s0", "the pod's seLinuxOptions");
    security_context_free(a);
    struct security_context *b = security_context_resolve(p->security, p->containers[1].security);
    tap_ok(b->run_as_user.set && b->run_as_user.id == 0, "the container's runAsUser wins, 0 too");
    tap_ok(b->run_as_group.set && b->run_as_group.id == 3000, "the pod's where it has none");
    tap_ok(b->run_as_non_root.set && !b->run_as_non_root.value, "the container's false wins");
    tap_is_int(b->seccomp.type, SC_PROFILE_UNCONFINED, "the container's seccomp profile wins");
    tap_ok(b->selinux.type && !strcmp(b->selinux.type, "spc_t") && !b->selinux.level,
           "seLinuxOptions are taken whole, not merged");
    tap_ok(b->read_only_root_filesystem.value, "the container's own fields");
    tap_ok(b->cap_add && !strcmp(b->cap_add[0], "NET_ADMIN") && !strcmp(b->cap_drop[0], "ALL"),
           "capabilities as written");
    tap_ok(b->fs_group.set && b->n_sysctls == 1, "and the pod's own");
    security_context_free(b);
    struct security_context *none = security_context_resolve(NULL, NULL);
    tap_ok(!none->run_as_user.set && none->seccomp.type == SC_PROFILE_UNSET,
           "no context at all: nothing set");
    security_context_free(none);
    pod_free(p);
}

static void test_roundtrip(void)
{
    struct pod *p = parse_pod(pod_yaml);
    json_auto_t *j = pod_to_json(p);
    struct pod *back = NULL;
    orc_error_t err = NULL;
    tap_is_int(pod_from_json(j, &back, &err), 0, "pod_from_json reads the security contexts");
    json_auto_t *again = back ? pod_to_json(back) : NULL;
    tap_ok(again && json_equal(j, again), "the round trip is exact");
    tap_ok(back && back->containers[1].security->run_as_user.set &&
               back->containers[1].security->run_as_user.id == 0,
           "a runAsUser of 0 stays written");
    json_auto_t *bad = json_pack("{s:s}", "runAsUser", "x");
    struct security_context *sc = NULL;
    tap_is_int(security_context_from_json(bad, &sc, &err), 0, "a stored field of a wrong type");
    tap_ok(sc && !sc->run_as_user.set, "is left unset");
    security_context_free(sc);
    json_auto_t *notobj = json_string("x");
    tap_ok(security_context_from_json(notobj, &sc, &err) < 0, "a stored context must be an object");
    orc_error_release(&err);
    pod_free(back);
    pod_free(p);
}

static void test_tables(void)
{
    tap_is_int(security_capability_number("CHOWN"), 0, "CHOWN is 0");
    tap_is_int(security_capability_number("CAP_NET_ADMIN"), 12, "CAP_NET_ADMIN is 12");
    tap_is_int(security_capability_number("sys_time"), 25, "names are read in any case");
    tap_is_int(security_capability_number("CAP_CHECKPOINT_RESTORE"), SECURITY_CAP_LAST,
               "the last one");
    tap_is_int(security_capability_number("ALL"), -1, "ALL is no capability");
    tap_is_int(security_capability_number("CAP_"), -1, "nor CAP_ alone");
    tap_is_str(security_capability_name(31), "CAP_SETFCAP", "31 is CAP_SETFCAP");
    tap_ok(security_capability_name(SECURITY_CAP_LAST + 1) == NULL, "none beyond the last");
    tap_is_int(security_sysctl_class("net.ipv4.tcp_syncookies"), SC_SYSCTL_SAFE, "safe");
    tap_is_int(security_sysctl_class("kernel.shm_rmid_forced"), SC_SYSCTL_SAFE, "safe (IPC)");
    tap_is_int(security_sysctl_class("net.core.somaxconn"), SC_SYSCTL_NAMESPACED, "net.*");
    tap_is_int(security_sysctl_class("kernel.msgmax"), SC_SYSCTL_NAMESPACED, "kernel.msg*");
    tap_is_int(security_sysctl_class("kernel.sem"), SC_SYSCTL_NAMESPACED, "kernel.sem");
    tap_is_int(security_sysctl_class("fs.mqueue.msg_max"), SC_SYSCTL_NAMESPACED, "fs.mqueue.*");
    tap_is_int(security_sysctl_class("kernel.semx"), SC_SYSCTL_HOST, "not kernel.sem's prefix");
    tap_is_int(security_sysctl_class("vm.overcommit_memory"), SC_SYSCTL_HOST, "vm.* is the host's");
    tap_is_int(security_sysctl_class("fs.file-max"), SC_SYSCTL_HOST, "fs.* is the host's");
    _cleanup_free_ char *a = security_sysctl_normalize("net/ipv4/conf/eth0.100/forwarding");
    tap_is_str(a, "net.ipv4.conf.eth0/100.forwarding", "slashes: separators swapped");
    _cleanup_free_ char *b = security_sysctl_normalize("net.ipv4.conf.eth0/100.forwarding");
    tap_is_str(b, "net.ipv4.conf.eth0/100.forwarding", "dots: as written");
}

int main(void)
{
    test_resolve();
    test_roundtrip();
    test_tables();
    return tap_done();
}
