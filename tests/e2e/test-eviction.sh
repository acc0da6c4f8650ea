#!/bin/bash
# emptyDir sizeLimit, as kubelet's eviction manager enforces it: a pod whose disk emptyDir
# holds more than its limit is evicted (Failed, reason Evicted, kubelet's exact message and a
# Warning event, its containers killed and shown terminated, never restarted whatever its
# restartPolicy, its volume's data released) and stays so across an agent restart; the usage
# is walked inside the user namespace, so files a container of another uid keeps in a 0700
# directory count; a pod under its limit is measured and left alone; a Memory emptyDir is a
# tmpfs of its size, which a write cannot pass (ENOSPC), and is not evicted.
source "$(dirname "$0")/lib.sh"
setup
export ORC_VOLUME_USAGE_MS=500 # kubelet looks every 10 s
start_orcd
load_busybox_image

events_of() { # REASON<TAB>TYPE<TAB>MESSAGE lines of pod NAME
    api GET "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=$1" >/dev/null
    body '.items[] | "\(.reason)\t\(.type)\t\(.message)"'
}
measured() { # how many times the usage of pod NAME's volume "data" was measured
    grep -c "pod 'default/$1': volume 'data' uses" "$TEST_DIR/orcd.log" || true
}
restarts() { pod_field "$1" '.status.containerStatuses[0].restartCount'; }
# no process (of any uid: hog's runs as a subordinate one) matches the extended regex; each
# pod's container sleeps its own number of seconds
no_proc() { ! pgrep -f "$1" >/dev/null; }
HOG='^sleep 36017$|until test -e /data/go'


# Under their limits: a disk emptyDir with 1 MiB of its 10Mi, and a Memory one of 1Mi that
# refuses the 5 MiB written to it.
apply_yaml under.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: under}
spec:
  volumes: [{name: data, emptyDir: {sizeLimit: 10Mi}}]
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "dd if=/dev/zero of=/data/f bs=1024k count=1 2>/dev/null && echo written; exec sleep 36027"]
      volumeMounts: [{name: data, mountPath: /data}]
---
apiVersion: v1
kind: Pod
metadata: {name: mem}
spec:
  volumes: [{name: data, emptyDir: {medium: Memory, sizeLimit: 1Mi}}]
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "dd if=/dev/zero of=/data/f bs=1024k count=5 2>/tmp/err && echo fitted || grep -o 'No space left on device' /tmp/err; exec sleep 36037"]
      volumeMounts: [{name: data, mountPath: /data}]
YAML
wait_for 30 sh -c "'$ORC' logs under | grep -qx written" || fail "under never wrote: $("$ORC" logs under)"
wait_for 30 sh -c "'$ORC' logs mem | grep -q ." || fail "mem never wrote"
assert_eq "$("$ORC" logs mem)" "No space left on device" "a Memory emptyDir is a tmpfs of its sizeLimit: the write fails with ENOSPC"

# Over its limit: 5 MB in a 1Mi emptyDir, written by uid 1000 into a directory only it can
# read (mode 0700, a subordinate uid on the host), once the test has seen that directory
# closed to the host user. restartPolicy Always and a long grace period: neither applies to
# an eviction.
apply_yaml hog.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 120
  securityContext: {runAsUser: 1000, runAsGroup: 1000}
  volumes: [{name: data, emptyDir: {sizeLimit: 1Mi}}]
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "mkdir -m 0700 /data/private && echo ready && until test -e /data/go; do sleep 1; done && dd if=/dev/zero of=/data/private/f bs=1024k count=5 2>/dev/null && echo written; exec sleep 36017"]
      volumeMounts: [{name: data, mountPath: /data}]
YAML
wait_for_phase hog Running 30
uid=$(pod_field hog .metadata.uid)
vol=$XDG_DATA_HOME/orc/pods/$uid/volumes/kubernetes.io~empty-dir/data
wait_for 30 sh -c "'$ORC' logs hog | grep -qx ready" || fail "hog never got ready: $("$ORC" logs hog)"
assert_eq "$(ls "$vol/private" 2>&1 | sed 's/.*: //')" "Permission denied" \
    "the host user cannot read the container's 0700 directory (the walk must run in the user namespace)"
assert_eq "$(pod_phase hog)" "Running" "not evicted before it wrote"
no_proc "$HOG" && fail "hog's container process is not seen"
touch "$vol/go"
wait_for_phase hog Failed 20
msg='Usage of EmptyDir volume "data" exceeds the limit "1Mi". '
assert_eq "$(pod_field hog .status.reason)" "Evicted" "kubelet's reason"
assert_eq "$(pod_field hog .status.message)" "$msg" "kubelet's message, its trailing space included"
assert_eq "$(events_of hog | grep -c '^Evicted')" 1 "one Evicted event"
assert_eq "$(events_of hog | grep '^Evicted')" "Evicted"$'\t'"Warning"$'\t'"$msg" "a Warning event with the message"
assert_contains "$(events_of hog)" "Killing"$'\t'"Normal"$'\t'"Stopping container c" "the container is stopped"
assert_eq "$(pod_field hog '[.status.conditions[].type] | index("DisruptionTarget")')" "null" \
    "no DisruptionTarget condition (kubelet adds none for a local storage eviction)"
assert_eq "$(pod_field hog '.status.conditions[] | select(.type == "Ready") | .status + " " + .reason')" \
    "False PodFailed" "not ready: the pod failed"

# its containers killed within kubelet's 1 s eviction grace, not the pod's 120 s
wait_for 15 sh -c "test \"\$('$ORC' get pod hog -o json | jq -r '.status.containerStatuses[0].state.terminated.exitCode')\" = 137" ||
    fail "the container was not killed: $(pod_field hog .status.containerStatuses)"
assert_eq "$(pod_field hog '.status.containerStatuses[0].state.terminated.reason')" "Error" "terminated by SIGKILL"
wait_for 20 sh -c "! test -e '$XDG_RUNTIME_DIR/orc/pods/$uid/shim.sock'" || fail "hog's sandbox still runs"
wait_for 10 no_proc "$HOG" || fail "hog's container process is still there"
wait_for 20 sh -c "! test -e '$vol'" || fail "the evicted pod's volume data was not released: $(ls -la "$vol")"

# never restarted (the first restart of Always would be at once): it stays Failed
! wait_for 3 sh -c "test \"\$('$ORC' get pod hog -o json | jq -r '.status.containerStatuses[0].restartCount')\" != 0" ||
    fail "the evicted pod's container was restarted"
assert_eq "$(pod_phase hog)" "Failed" "still Failed"
# kubectl's STATUS: the reason until the container's termination is known, then that
# termination's reason, as kubectl prints a pod a kubelet evicted (kubernetes#105467)
assert_eq "$("$ORC" get pod hog | awk 'NR == 2 {print $2, $3, $4}')" "0/1 Error 0" "orc get shows it as kubectl does"
no_proc "$HOG" || fail "hog's container came back"

# the pods under their limits were measured (again after the eviction) and left alone
n=$(measured under)
wait_for 10 sh -c "[ \$(grep -c \"pod 'default/under': volume 'data' uses\" '$TEST_DIR/orcd.log') -ge $((n + 2)) ]" ||
    fail "under's volume is not measured"
[ "$(measured hog)" -ge 1 ] || fail "hog's volume was never measured"
grep -q "pod 'default/mem': volume 'data' uses" "$TEST_DIR/orcd.log" && fail "a Memory emptyDir was walked"
for p in under mem; do
    assert_eq "$(pod_phase $p)" "Running" "$p is not evicted"
    assert_eq "$(restarts $p)" "0" "$p was not restarted"
    assert_eq "$(events_of $p | grep -c '^Evicted')" 0 "no Evicted event for $p"
done
no_proc '^sleep 36027$' && fail "under's container is gone"
no_proc '^sleep 36037$' && fail "mem's container is gone"

# an agent restart: the evicted pod stays evicted, nothing of it comes back
kill9_orcd
start_orcd
wait_for 10 sh -c "'$ORC' get pod hog" || fail "hog is gone after the restart"
assert_eq "$(pod_field hog '.status.phase + " " + .status.reason')" "Failed Evicted" "still Evicted after a restart"
assert_eq "$(pod_field hog .status.message)" "$msg" "the message kept"
! wait_for 3 test -e "$XDG_RUNTIME_DIR/orc/pods/$uid/shim.sock" || fail "the evicted pod got a sandbox again"
no_proc "$HOG" || fail "hog's container came back after the restart"
assert_eq "$(restarts hog)" "0" "not restarted after the restart"
assert_eq "$(pod_field hog '.status.containerStatuses[0].state.terminated.exitCode')" "137" "its container still terminated"
assert_eq "$(events_of hog | grep -c '^Evicted')" 1 "not evicted again"
assert_eq "$(pod_phase under)" "Running" "under adopted, still Running"

# deleted: it goes like any pod
"$ORC" delete pod hog >/dev/null || fail "delete of the evicted pod failed"
wait_for 20 pod_gone hog || fail "the evicted pod was not removed"
[ ! -e "$XDG_DATA_HOME/orc/pods/$uid" ] || fail "its data is still there"
echo "PASS: $TEST_NAME"
