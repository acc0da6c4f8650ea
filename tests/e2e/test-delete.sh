#!/bin/bash
# Delete honours the grace period and leaves no process, mount or file of the pod behind.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image

marker="orc-delete-marker-$$"
apply_yaml stubborn.yaml >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 2
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "trap '' TERM; echo > /tmp/written; exec sleep 3600 # $marker"]
    - name: polite
      image: localhost/busybox:latest
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done # $marker"]
YAML
wait_for_phase stubborn Running 30
uid=$(pod_field stubborn .metadata.uid)
pgrep -f "$marker" >/dev/null || fail "workload not running"
grep -q "$uid" /proc/*/mountinfo 2>/dev/null || fail "the pod's overlay mounts are not visible (test is blind)"

start=$(date +%s%N)
out=$("$ORC" delete pod stubborn)
elapsed=$((($(date +%s%N) - start) / 1000000))
assert_eq "$out" 'pod "stubborn" deleted' "kubectl's message"
[ "$elapsed" -ge 2000 ] || fail "deleted in $elapsed ms, before the 2 s grace period: SIGTERM was ignored on purpose"
[ "$elapsed" -lt 20000 ] || fail "delete took $elapsed ms, grace period is 2 s"
pod_gone stubborn || fail "pod still listed"

! pgrep -f "$marker" >/dev/null || fail "container processes left: $(pgrep -af "$marker")"
! pgrep -f "pod-uid $uid" >/dev/null || fail "shim left"
! grep -q "$uid" /proc/*/mountinfo 2>/dev/null || fail "mounts left"
[ ! -e "$XDG_RUNTIME_DIR/orc/pods/$uid" ] || fail "run directory left"
[ ! -e "$XDG_DATA_HOME/orc/storage/containers/$uid" ] || fail "writable layers left"
ls "$XDG_DATA_HOME/orc/logs" | grep -q "$uid" && fail "logs left"
expect_exit 1 "$ORC" delete pod stubborn
assert_contains "$out" 'pods "stubborn" not found' "second delete"
echo "PASS: $TEST_NAME"
