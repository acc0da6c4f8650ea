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
      command: ["sh", "-c", "echo line one; echo to stderr >&2; printf 'no newline'; sleep 2; echo last line"]
    - name: other
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo from the other container; sleep 3600"]
YAML
wait_for_phase talker Running 30

out=$("$ORC" logs talker 2>&1 || true)
assert_contains "$out" "a container name must be specified for pod talker, choose one of: [out other]" \
    "several containers need -c"

wait_for 10 sh -c "'$ORC' logs talker -c other | grep -q 'from the other container'" ||
    fail "logs of the second container"

# -f streams until the container exits; it has ~2 s left to run
follow=$(timeout 30 "$ORC" logs -f talker -c out) || fail "logs -f did not end with the container"
assert_contains "$follow" "line one" "followed output"
assert_contains "$follow" "to stderr" "stderr is logged"
assert_contains "$follow" "last line" "logs -f returns everything until the exit"

logs=$("$ORC" logs talker -c out)
assert_eq "$(printf '%s\n' "$logs" | head -n1)" "line one" "first line"
assert_eq "$("$ORC" logs talker -c out --tail 1)" "no newlinelast line" "--tail 1 (a line written in two parts)"
echo "PASS: $TEST_NAME"
