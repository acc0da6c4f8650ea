#!/bin/bash
# restartPolicy Never / OnFailure / Always, kubelet's back-off and --previous logs.
source "$(dirname "$0")/lib.sh"
setup
export ORC_BACKOFF_BASE_MS=1000
start_orcd
load_busybox_image

pod() { # name policy command
    apply_yaml "$1.yaml" >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  restartPolicy: $2
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "$3"]
YAML
}

pod never Never "echo never; exit 3"
pod onfail-ok OnFailure "exit 0"
pod onfail-bad OnFailure "echo attempt; exit 1"
pod always Always "echo run \$(date +%s%N); exit 1"

wait_for_phase never Failed 30
assert_eq "$(pod_field never '.status.containerStatuses[0].restartCount')" 0 "Never: no restart"
assert_eq "$(pod_field never '.status.containerStatuses[0].state.terminated.exitCode')" 3 "exit code"
assert_eq "$(pod_field never '.status.containerStatuses[0].state.terminated.reason')" Error "reason"

wait_for_phase onfail-ok Succeeded 30
assert_eq "$(pod_field onfail-ok '.status.containerStatuses[0].restartCount')" 0 "OnFailure, exit 0"
assert_contains "$("$ORC" get pods)" "Completed" "STATUS column"

restarts() { pod_field "$1" '.status.containerStatuses[0].restartCount'; }
at_least() { [ "$(restarts "$1")" -ge "$2" ]; }
wait_for 30 at_least onfail-bad 2 || fail "OnFailure did not restart a failing container"

# Always: restarts at once, then waits 1 s, 2 s, 4 s ... showing CrashLoopBackOff meanwhile
wait_for 30 at_least always 2 || fail "Always did not restart"
backoff() { [ "$(pod_field always '.status.containerStatuses[0].state.waiting.reason')" = CrashLoopBackOff ]; }
wait_for 60 backoff || fail "no CrashLoopBackOff while waiting"
# the STATUS column says so while it waits (the wait is short: seen in one of the windows)
status_backoff() { "$ORC" get pods always | grep -q CrashLoopBackOff; }
wait_for 60 status_backoff || fail "kubectl's STATUS column: no CrashLoopBackOff: $("$ORC" get pods always)"
assert_contains "$("$ORC" describe pod always)" "Back-off restarting failed container c" "BackOff event"
n=$(restarts always)
wait_for 30 at_least always $((n + 1)) || fail "restart after back-off did not happen"

# the previous instance's log is kept and differs from the current one
prev=$("$ORC" logs always --previous)
cur=$("$ORC" logs always)
assert_contains "$prev" "run " "previous logs"
assert_contains "$cur" "run " "current logs"
[ "$prev" != "$cur" ] || fail "--previous shows the current instance's log: $cur"
assert_eq "$(pod_field always '.status.containerStatuses[0].lastState.terminated.exitCode')" 1 "lastState"
expect_exit 1 "$ORC" logs never --previous
assert_contains "$out" 'previous terminated container "c" in pod "never" not found' \
    "--previous without a previous instance"

# a shim killed with its pod running: a new sandbox, the container restarted in it
apply_yaml lost.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: lost}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sleep", "3600"]
YAML
wait_for_phase lost Running 30
lost_uid=$(pod_field lost .metadata.uid)
kill -9 "$(cat "$XDG_RUNTIME_DIR/orc/pods/$lost_uid/shim.pid")"
restarted() { [ "$(restarts lost)" -ge 1 ] && phase_is lost Running; }
wait_for 30 restarted || fail "the pod did not come back after its shim died: $("$ORC" describe pod lost)"
assert_contains "$("$ORC" events --for pod/lost)" "SandboxChanged" "the lost sandbox is an event"
assert_not_contains "$("$ORC" events --for pod/lost)" "already exists" "the dead shim's runtime state was cleaned"
echo "PASS: $TEST_NAME"
