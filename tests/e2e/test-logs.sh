#!/bin/bash
# A pod's output shows in `orc logs`, per container, and `logs -f` ends with the container;
# huge logs are streamed, rotated ones followed, and a container that failed to start says why.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image

apply_yaml logs.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  restartPolicy: Never
  containers:
    - name: out
      image: localhost/busybox:latest
      command: ["sh", "-c", "trap 'echo last line; exit 0' USR1; echo line one; echo to stderr >&2; printf 'no newline'; while :; do sleep 1 & wait $!; done"]
    - name: other
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo from the other container; sleep 3600"]
YAML
wait_for_phase talker Running 30

expect_exit 1 "$ORC" logs talker
assert_contains "$out" "a container name must be specified for pod talker, choose one of: [out other]" \
    "several containers need -c"

wait_for 10 sh -c "'$ORC' logs talker -c other | grep -q 'from the other container'" ||
    fail "logs of the second container"

# -f streams until the container exits: it is attached while the container waits, and must
# show the line written after that (when the test sends SIGUSR1), then end with the container
timeout 30 "$ORC" logs -f talker -c out >"$TEST_DIR/follow" 2>&1 &
follow_pid=$!
attached() { grep -q "to stderr" "$TEST_DIR/follow"; }
wait_for 10 attached || fail "logs -f showed nothing: $(cat "$TEST_DIR/follow")"
main=$(container_pid "$(pod_field talker .metadata.uid)" "no newline") || fail "container 'out' is not running"
kill -USR1 "$main"
rc=0
wait "$follow_pid" || rc=$?
follow=$(cat "$TEST_DIR/follow")
assert_eq "$rc" 0 "logs -f ends with the container (124: it did not): $follow"
assert_contains "$follow" "line one" "followed output"
assert_contains "$follow" "to stderr" "stderr is logged"
assert_contains "$follow" "last line" "logs -f returns everything until the exit"

logs=$("$ORC" logs talker -c out)
assert_eq "$(printf '%s\n' "$logs" | head -n1)" "line one" "first line"
assert_eq "$("$ORC" logs talker -c out --tail 1)" "no newlinelast line" "--tail 1 (a line written in two parts)"
assert_eq "$("$ORC" logs talker -c out --tail 2)" $'to stderr\nno newlinelast line' "--tail 2"
"$ORC" delete pod talker --grace-period 0 >/dev/null

log_file() { # POD CONTAINER: the container's first log file
    echo "$XDG_DATA_HOME/orc/logs/default_$1_$(pod_field "$1" .metadata.uid)/$2/0.log"
}
rss_peak_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$ORCD_PID/status"; }

# A log far larger than the agent's memory: the tail is read from the end and every read is
# streamed, so three whole reads at once leave orcd's peak memory where it was
apply_yaml big.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: big}
spec:
  restartPolicy: Never
  containers: [{name: c, image: localhost/busybox:latest, command: [sh, -c, "echo start"]}]
YAML
wait_for_phase big Succeeded 30
big=$(log_file big c)
xs=$(printf 'x%.0s' $(seq 100))
{ yes "2024-01-01T00:00:00.000000000Z stdout F $xs" | head -n 2300000 || true  # 141 bytes each
  echo "2024-01-01T00:00:01.000000000Z stdout F the end"; } >>"$big"
[ "$(stat -c %s "$big")" -gt $((300 << 20)) ] || fail "the log is only $(stat -c %s "$big") bytes"
start=$SECONDS
expect_exit 0 "$ORC" logs big --tail 1
assert_eq "$out" "the end" "--tail 1 of a $(($(stat -c %s "$big") >> 20)) MiB log"
assert_eq "$("$ORC" logs big --tail 2)" "$xs"$'\nthe end' "--tail 2"
[ $((SECONDS - start)) -lt 5 ] || fail "--tail took $((SECONDS - start)) s"
before=$(rss_peak_kib)
readers=()
for i in 1 2 3; do
    ( "$ORC" logs big | tail -c 8 >"$TEST_DIR/whole.$i" ) &
    readers+=($!)
done
for pid in "${readers[@]}"; do
    timeout_at=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -lt $timeout_at ] || fail "a whole read of the log took more than 60 s"
        sleep 0.1
    done
    wait "$pid" || fail "a whole read of the log failed"
done
for i in 1 2 3; do assert_eq "$(cat "$TEST_DIR/whole.$i")" "the end" "whole read $i ends with the last line"; done
grown=$(( $(rss_peak_kib) - before ))
[ "$grown" -lt $((64 << 10)) ] || fail "three whole reads of the log grew orcd's peak memory by $grown KiB"
rm -f "$big"

# A log rotated away (kubelet's <attempt>.log.<time>): logs -f goes on with the new file
# and logs shows the current file only
apply_yaml rotating.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: rotating}
spec:
  restartPolicy: Never
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "trap 'exit 0' USR1; echo before rotation; while :; do sleep 1 & wait $!; done"]
YAML
wait_for_phase rotating Running 30
rotating=$(log_file rotating c)
timeout 30 "$ORC" logs -f rotating >"$TEST_DIR/follow-rotated" 2>&1 &
follow_pid=$!
wait_for 10 grep -q "before rotation" "$TEST_DIR/follow-rotated" || fail "logs -f showed nothing"
mv "$rotating" "$rotating.20240101-000000"
echo "2024-01-01T00:00:02.000000000Z stdout F after rotation" >"$rotating"
wait_for 10 grep -q "after rotation" "$TEST_DIR/follow-rotated" ||
    fail "logs -f did not go on with the new file: $(cat "$TEST_DIR/follow-rotated")"
assert_eq "$("$ORC" logs rotating)" "after rotation" "logs shows the current file"
# Followers that hang up while the container runs: their streams end at once (each held a
# thread of orcd until the container exited)
threads() { ls "/proc/$ORCD_PID/task" | wc -l; }
before=$(threads)
followers=()
for i in 1 2 3 4 5 6; do
    "$ORC" logs -f rotating >"$TEST_DIR/hangup.$i" 2>&1 &
    followers+=($!)
done
all_attached() { [ "$(cat "$TEST_DIR"/hangup.* | grep -c "after rotation")" = 6 ]; }
wait_for 10 all_attached || fail "the followers did not attach"
[ "$(threads)" -ge $((before + 6)) ] || fail "6 followers, but orcd went from $before to $(threads) threads"
kill -9 "${followers[@]}"
wait "${followers[@]}" 2>/dev/null || true
released() { [ "$(threads)" -le "$before" ]; }
wait_for 10 released || fail "orcd still has $(threads) threads (before the followers: $before)"
kill -USR1 "$(container_pid "$(pod_field rotating .metadata.uid)" "before rotation")"
rc=0
wait "$follow_pid" || rc=$?
assert_eq "$rc" 0 "logs -f ends with the container after a rotation"

# A container that failed to start: its log holds what the runtime said, and with no log at
# all (here the log directory cannot be made) logs says why instead of "ContainerCreating"
apply_yaml nostart.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: nostart}
spec:
  restartPolicy: Never
  containers: [{name: c, image: localhost/busybox:latest, command: [/no/such/program]}]
YAML
start_error() { [ "$(pod_field "$1" .status.containerStatuses[0].state.terminated.reason)" = StartError ]; }
wait_for 30 start_error nostart || fail "no StartError: $(pod_json nostart | jq -c .status)"
expect_exit 0 "$ORC" logs nostart
assert_contains "$out" "/no/such/program" "the runtime's message, in the log"
logs_root=$XDG_DATA_HOME/orc/logs
mv "$logs_root" "$logs_root.away"
touch "$logs_root"
on_cleanup "rm -f '$logs_root'; mv '$logs_root.away' '$logs_root'"
sed 's/nostart/nolog/; s|/no/such/program|/bin/sh|' "$TEST_DIR/nostart.yaml" | "$ORC" apply -f - >/dev/null
wait_for 30 start_error nolog || fail "no StartError: $(pod_json nolog | jq -c .status)"
expect_exit 1 "$ORC" logs nolog
assert_contains "$out" 'container "c" in pod "nolog" failed to start: ' "why it failed, without a log"
assert_contains "$out" "$(pod_field nolog .status.containerStatuses[0].state.terminated.message)" \
    "the StartError's message"
assert_not_contains "$out" "ContainerCreating" "no log"
rm -f "$logs_root" && mv "$logs_root.away" "$logs_root"
echo "PASS: $TEST_NAME"
