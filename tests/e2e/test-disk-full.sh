#!/bin/bash
# A chatty pod and a full disk, on the small tmpfs every user has at /run/user/UID: logs are
# rotated as kubelet rotates them; disk pressure collects unused images; with the disk full a
# pod can still be deleted, a status that could not be written lands once there is room, and
# the lost log output is an event.
source "$(dirname "$0")/lib.sh"
setup
small=/run/user/$(id -u)
[ "$(stat -f -c %T "$small" 2>/dev/null)" = tmpfs ] || skip "$small is not a tmpfs (logind's, or the test setup's)"
size_mb=$(($(stat -f -c '%b*%S' "$small") / 1048576))
[ "$size_mb" -le 512 ] || skip "$small is too large to fill ($size_mb MiB)"
base=$(mktemp -d "$small/orc-e2e-disk.XXXXXX")
on_cleanup "rm -rf '$base'"
export XDG_DATA_HOME=$base/data
start_orcd --container-log-max-size 64Ki --container-log-max-files 3
load_busybox_image
# an image no pod uses: disk pressure must collect it (kubelet's image GC), and only it
mkdir -p "$TEST_DIR/unused-layer" && head -c 2000000 /dev/urandom >"$TEST_DIR/unused-layer/blob"
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/unused" localhost/unused:latest \
    --add-layer "$TEST_DIR/unused-layer" >/dev/null
"$ORC" image load "$TEST_DIR/unused" >/dev/null || fail "load the unused image"
has_image() { grep -q "$1" <<<"$("$ORC" images 2>/dev/null)"; }
has_image localhost/unused || fail "the unused image is not listed: $("$ORC" images)"

pod() { # name restartPolicy command
    apply_yaml "$1.yaml" >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  restartPolicy: $2
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c"]
      args:
        - |
          $3
YAML
}

# rotation: about 2 MiB of output in 64 KiB files, 3 kept
pod chatty Always 'i=0; while [ $i -lt 40000 ]; do echo "line $i ......................................"; i=$((i+1)); done; echo last-line; exec sleep 3600'
wait_for_phase chatty Running 60
done_writing() { [ "$("$ORC" logs chatty --tail 1)" = last-line ]; }
wait_for 60 done_writing || fail "chatty's last line never showed: $("$ORC" logs chatty --tail 2)"
logdir=$(echo "$XDG_DATA_HOME"/orc/logs/default_chatty_*/c)
files=$(ls "$logdir" | wc -l)
[ "$files" -le 3 ] && [ "$files" -ge 2 ] || fail "expected 2-3 log files, found: $(ls -l "$logdir")"
used=$(du -sk "$logdir" | cut -f1)
[ "$used" -le 256 ] || fail "the logs take $used KiB, more than 3 files of 64 KiB"
[ "$(stat -c %s "$logdir/0.log")" -le 65536 ] || fail "the current file outgrew its limit"
assert_not_contains "$("$ORC" logs chatty | head -1)" "line 0 " "the oldest output was rotated away"

# a full disk
pod victim Always 'exec sleep 3600'
# (1 KiB lines: a tmpfs takes small writes into a page it has already, so a few bytes a time
# would not meet the full disk for minutes)
pod writer Always 'line=$(head -c 1000 /dev/zero | tr "\\0" x); while true; do echo "$line"; sleep 0.1; done'
pod exiter Never 'sleep 12; exit 3'
wait_for_phase victim Running 60
wait_for_phase writer Running 60
wait_for_phase exiter Running 60
# filled again while space comes back (a previous test's files still being removed)
for i in 1 2 3 4 5; do
    dd if=/dev/zero of="$base/fill-$i" bs=1M >/dev/null 2>&1 || true
    [ "$(stat -f -c %a "$small")" -lt 64 ] && break
    sleep 1
done
[ "$(stat -f -c %a "$small")" -lt 64 ] || fail "the disk did not fill: $(df -h "$small")"
pressure() { grep -q DiskPressure <<<"$("$ORC" events --for pod/writer 2>/dev/null)"; }
wait_for 30 pressure || fail "no DiskPressure event for the writer: $("$ORC" events --for pod/writer)"
node_disk() {
    curl -s --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" http://localhost/api/v1/nodes |
        jq -r '.items[0].status.conditions[] | select(.type == "DiskPressure") | .status + " " + .reason'
}
assert_eq "$(node_disk)" "True KubeletHasDiskPressure" "the node has disk pressure"
assert_contains "$("$ORC" events)" "NodeHasDiskPressure" "and says so as kubelet does"
collected() { ! has_image localhost/unused && grep -q "image garbage collection: removed" "$TEST_DIR/orcd.log"; }
wait_for 30 collected || fail "disk pressure did not collect the unused image: $("$ORC" images)"
has_image localhost/busybox || fail "image GC removed the image the pods use"
"$ORC" delete pod victim >"$TEST_DIR/del.out" 2>&1 || fail "delete on a full disk failed: $(cat "$TEST_DIR/del.out")"
pod_gone victim || fail "victim is still there"

# the deletion used the reserve: fill what it gave back too; the exiter ends meanwhile, and
# its status cannot be written until there is room again
dd if=/dev/zero of="$base/fill2" bs=64k >/dev/null 2>&1 || true
# an image load meets the full disk: 507 and the cause, not a bare 500
expect_exit 125 "$ORC" image load "$TEST_DIR/unused"
assert_contains "$out" "No space left on device" "a load on a full disk names the cause"
assert_contains "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" \
    -d "{\"path\": \"$TEST_DIR/unused\"}" http://localhost/apis/orc.dev/v1/images/load)" 507 \
    "its HTTP status"
exiter_uid=$(sqlite3 "$XDG_DATA_HOME/orc/orc.db" "SELECT uid FROM objects WHERE name = 'exiter'")
shim_log=$XDG_RUNTIME_DIR/orc/pods/$exiter_uid/shim.log
wait_for 40 grep -q "exited with 3" "$shim_log" || fail "the exiter did not exit"
exited() { [ "$(pod_phase exiter)" = Failed ]; }
wait_for 3 exited && fail "exiter's status was written although the disk was full: $(df -h "$small")"
rm -f "$base"/fill*
wait_for 30 exited || fail "exiter's exit was never recorded: $("$ORC" get pod exiter -o wide)"
no_pressure() { [ "$(node_disk)" = "False KubeletHasNoDiskPressure" ]; }
wait_for 30 no_pressure || fail "the node's disk pressure stayed: $(node_disk)"
assert_eq "$(pod_field exiter '.status.containerStatuses[0].state.terminated.exitCode')" 3 "its exit code"
assert_eq "$(pod_phase writer)" Running "the writer kept running"
echo "PASS: $TEST_NAME"
