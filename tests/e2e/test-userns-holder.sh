#!/bin/bash
# The user-namespace holder killed, with orcd running and with orcd stopped: a new holder
# joins the namespace the pods live in, so there is never a second one while pods run;
# without pods a new namespace is fine, and an agent stopped without pods stops the holder.
# /healthz/userns follows.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image
sock=$XDG_RUNTIME_DIR/orc/orcd.sock

pod() {
    apply_yaml "$1.yaml" >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: c, image: localhost/busybox:latest, command: [sleep, "3600"]}
YAML
    wait_for_phase "$1" Running 60
}
ns_of_pid() { readlink "/proc/$1/ns/user"; }
ns_of_pod() { ns_of_pid "$(cat "$XDG_RUNTIME_DIR/orc/pods/$(pod_field "$1" .metadata.uid)/shim.pid")"; }
userns_check() { curl -s -o /dev/null -w '%{http_code}' --unix-socket "$sock" http://localhost/healthz/userns; }
holder_back() { # old-pid
    local h
    h=$(holder_pid)
    [ -n "$h" ] && [ "$h" != "$1" ] && kill -0 "$h" 2>/dev/null && [ "$(userns_check)" = 200 ]
}

pod a
ns=$(ns_of_pod a)
[ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/user)" ] || fail "pod a is not in a user namespace of its own: $ns"
old=$(holder_pid)
assert_eq "$(ns_of_pid "$old")" "$ns" "the holder holds the pods' namespace"

# killed while orcd runs: replaced inside the same namespace
kill -9 "$old"
wait_for 30 holder_back "$old" || fail "no new holder, or /healthz/userns not ok: $(userns_check); $(tail -5 "$TEST_DIR/orcd.log")"
assert_eq "$(ns_of_pid "$(holder_pid)")" "$ns" "the new holder joined the pods' namespace"
assert_contains "$(cat "$TEST_DIR/orcd.log")" "joined it through pod shim" "said how"
pod b
assert_eq "$(ns_of_pod b)" "$ns" "a pod started afterwards shares the namespace"
assert_eq "$(pod_phase a)" Running "pod a kept running"
assert_eq "$(pod_field a '.status.containerStatuses[0].restartCount')" 0 "without a restart"

# killed while orcd is stopped: the next orcd rejoins through a pod's shim
stop_orcd
old=$(holder_pid)
kill -9 "$old"
wait_for 10 sh -c "! kill -0 $old 2>/dev/null" || fail "the holder did not die"
start_orcd
[ "$(holder_pid)" != "$old" ] || fail "orcd adopted a dead holder"
assert_eq "$(ns_of_pid "$(holder_pid)")" "$ns" "after a restart the holder is in the pods' namespace"
pod c
assert_eq "$(ns_of_pod c)" "$ns" "and new pods too"
assert_eq "$(ns_of_pod a)" "$ns" "pod a was adopted in place"

# no pod left: a holder that dies may start a new namespace, and pods run in it
"$ORC" delete pod a b c --grace-period 0 >/dev/null || fail "delete failed"
old=$(holder_pid)
kill -9 "$old"
wait_for 30 holder_back "$old" || fail "no new holder without pods"
pod d
assert_eq "$(ns_of_pod d)" "$(ns_of_pid "$(holder_pid)")" "a pod runs in the new holder's namespace"

# an agent stopped with no pod left stops the holder too: nothing of orc keeps running
"$ORC" delete pod d --grace-period 0 >/dev/null || fail "delete d failed"
old=$(holder_pid)
stop_orcd
wait_for 10 sh -c "! kill -0 $old 2>/dev/null" || fail "the holder outlived an agent without pods"
[ ! -e "$XDG_RUNTIME_DIR/orc/userns.json" ] || fail "userns.json names a stopped holder"
assert_contains "$(cat "$TEST_DIR/orcd.log")" "no pods: the user namespace holder (pid $old) stopped" "said so"
start_orcd
pod e
[ -n "$(holder_pid)" ] && [ "$(holder_pid)" != "$old" ] || fail "no new holder after the release"
echo "PASS: $TEST_NAME"
