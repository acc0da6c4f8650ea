#!/bin/bash
# The security context enforced: ids and groups as the Kubernetes documentation's
# "Configure a Security Context" page shows them, capabilities (CapPrm/CapEff), a read-only
# root, no_new_privs, seccomp (orcd --seccomp-default gives RuntimeDefault, which refuses
# unshare), runAsNonRoot against the image's user, sysctls in the pod's namespaces; orc unshare
# reaches files of subordinate ids, with orcd running and without.
source "$(dirname "$0")/lib.sh"
setup
start_orcd --seccomp-default
load_busybox_image

out=$(apply_yaml ids.yaml 2>&1 <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: ids}
spec:
  restartPolicy: Never
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
    supplementalGroups: [4000]
    sysctls:
      - {name: kernel.shm_rmid_forced, value: "1"}
      - {name: net.ipv4.ip_unprivileged_port_start, value: "80"}
  containers:
    - name: id
      image: localhost/busybox:latest
      command: ["sh", "-c", "id; cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_unprivileged_port_start; grep -E '^(NoNewPrivs|CapEff)' /proc/self/status; touch /x 2>&1 || true; echo data > /tmp/by-1000"]
    - name: own
      image: localhost/busybox:latest
      command: ["sh", "-c", "id; grep -E '^NoNewPrivs' /proc/self/status; touch /tmp/x 2>&1 && echo writable; true"]
      securityContext:
        runAsUser: 2000
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
YAML
) || fail "apply ids: $out"
wait_for_phase ids Succeeded 60
assert_eq "$("$ORC" logs ids -c id)" $'uid=1000 gid=3000 groups=2000,3000,4000\n1\n80\nCapEff:\t0000000000000000\nNoNewPrivs:\t0\ntouch: /x: Permission denied' \
    "the page's id output; sysctls set in the pod's namespaces; a non-root user has no capabilities"
assert_eq "$("$ORC" logs ids -c own)" $'uid=2000 gid=3000 groups=2000,3000,4000\nNoNewPrivs:\t1\ntouch: /tmp/x: Read-only file system' \
    "the container's runAsUser wins; allowPrivilegeEscalation: false sets no_new_privs; a read-only root"

# the capabilities the page shows for security-context-3 and -4 (root, default set; NET_ADMIN
# and SYS_TIME added); seccomp: RuntimeDefault from --seccomp-default refuses unshare(2),
# Unconfined allows it
apply_yaml caps.yaml >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: caps}
spec:
  restartPolicy: Never
  containers:
    - name: plain
      image: localhost/busybox:latest
      command: ["sh", "-c", "grep -E '^Cap(Prm|Eff|Inh|Amb)' /proc/1/status; unshare -U true && echo unshared || echo refused"]
    - name: added
      image: localhost/busybox:latest
      command: ["sh", "-c", "grep -E '^Cap(Prm|Eff)' /proc/1/status; unshare -U true && echo unshared || echo refused"]
      securityContext:
        capabilities: {add: ["NET_ADMIN", "SYS_TIME"]}
        seccompProfile: {type: Unconfined}
YAML
wait_for_phase caps Succeeded 60
assert_eq "$("$ORC" logs caps -c plain | grep -v '^unshare:')" $'CapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapAmb:\t0000000000000000\nrefused' \
    "containerd's default capabilities; RuntimeDefault seccomp refuses unshare"
assert_eq "$("$ORC" logs caps -c added)" $'CapPrm:\t00000000aa0435fb\nCapEff:\t00000000aa0435fb\nunshared' \
    "NET_ADMIN and SYS_TIME added, as the page shows; Unconfined allows unshare"

# runAsNonRoot against an image that runs as root: kubelet's CreateContainerConfigError
apply_yaml nonroot.yaml >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: nonroot}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sleep", "3600"]
YAML
reason() { pod_field nonroot '.status.containerStatuses[0].state.waiting.reason'; }
wait_for 30 sh -c "[ \"\$('$ORC' get pod nonroot -o json | jq -r '.status.containerStatuses[0].state.waiting.reason')\" = CreateContainerConfigError ]" ||
    fail "nonroot: waiting reason $(reason)"
uid=$(pod_field nonroot .metadata.uid)
assert_eq "$(pod_field nonroot '.status.containerStatuses[0].state.waiting.message')" \
    "container has runAsNonRoot and image will run as root (pod: \"nonroot_default($uid)\", container: c)" \
    "kubelet's message"
assert_eq "$(pod_phase nonroot)" Pending "the pod stays Pending"
assert_contains "$("$ORC" events --for pod/nonroot)" \
    "Error: container has runAsNonRoot and image will run as root" "an event says why"

# privileged: a warning that names the user namespace; every capability of it
out=$(apply_yaml priv.yaml 2>&1 <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: priv}
spec:
  restartPolicy: Never
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "grep -E '^CapEff' /proc/1/status; unshare -U true && echo unshared"]
      securityContext: {privileged: true}
YAML
) || fail "apply priv: $out"
assert_contains "$out" "never the host's privileges" "privileged is warned about at apply"
wait_for_phase priv Succeeded 60
last=$(cat /proc/sys/kernel/cap_last_cap)
assert_eq "$("$ORC" logs priv)" "$(printf 'CapEff:\t%016x\nunshared' $(((1 << (last + 1)) - 1)))" \
    "privileged: every capability, no seccomp filter"

# orc unshare: the file runAsUser 1000 wrote belongs to a subordinate id on the host, to 1000
# in orc's user namespace, which it joins while orcd runs
file=$XDG_DATA_HOME/orc/storage/containers/$(pod_field ids .metadata.uid)/id-0/upper/tmp/by-1000
[ -f "$file" ] || fail "the container's file is not in its writable layer"
owner=$(stat -c %u "$file")
[ "$owner" != 1000 ] && [ "$owner" != "$(id -u)" ] || fail "the file belongs to $owner on the host"
assert_eq "$("$ORC" unshare -- stat -c %u:%g "$file")" "1000:3000" "orc unshare shows the pod's ids"
assert_eq "$("$ORC" unshare -- sh -c 'id -u; readlink /proc/self/ns/user')" \
    "$(printf '0\n%s' "$(readlink "/proc/$(holder_pid)/ns/user")")" "it joins the agent's namespace as root"
expect_exit 3 "$ORC" unshare -- sh -c 'exit 3'
expect_exit 125 "$ORC" unshare --bogus
map=$("$ORC" unshare -- cat /proc/self/uid_map)
"$ORC" unshare -- sh -c "mkdir -m 700 '$TEST_DIR/sub' && touch '$TEST_DIR/sub/f' && chown -R 1000:1000 '$TEST_DIR/sub'" ||
    fail "orc unshare could not give a directory to uid 1000"
! rm -rf "$TEST_DIR/sub" 2>/dev/null || fail "the user removed a directory of a subordinate id"
for p in $("$ORC" get pods -o name); do "$ORC" delete pod "${p#*/}" --grace-period 0 >/dev/null; done
stop_orcd
wait_for 20 sh -c "! test -e '$XDG_RUNTIME_DIR/orc/userns.json'" || fail "the holder did not stop with the agent"
assert_eq "$("$ORC" unshare -- cat /proc/self/uid_map)" "$map" "without orcd: a fresh namespace, mapped alike"
assert_eq "$("$ORC" unshare -- stat -c %u "$TEST_DIR/sub/f")" 1000 "the directory's file is 1000's there"
"$ORC" unshare -- rm -rf "$TEST_DIR/sub" || fail "orc unshare could not remove the directory"
