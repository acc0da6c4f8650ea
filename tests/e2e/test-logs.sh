#!/bin/bash
# A pod's output shows in `orc logs`, per container, and `logs -f` ends with the container.
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
echo "PASS: $TEST_NAME"
