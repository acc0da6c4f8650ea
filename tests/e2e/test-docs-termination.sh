#!/bin/bash
# The Kubernetes documentation's task "Determine the Reason for Pod Failure"
# (docs/tasks/debug/debug-application/determine-reason-pod-failure) with the real kubectl, as
# the page runs it: debug/termination.yaml writes "Sleep expired" to /dev/termination-log, and
# `kubectl get pod -o yaml` and the page's go-templates show it as the container's
# lastState.terminated.message. Then what the page says of the fields, on pods of the test's
# own: a terminationMessagePath of the pod's choosing (the page's /tmp/my-log), kubelet's 4096
# bytes of a file (its end) and the pod's 12 KiB shared among its containers,
# FallbackToLogsOnError (the last 80 lines or 2048 bytes of the log, only after a failure and
# only when the file is empty), a container of a user other than root writing the file, the
# API server's defaults and refusals, kubectl describe's Message, and the messages kept
# across a restart of the agent.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

# A container's terminated.message as a JSON string (so that the newline it ends with
# counts), null without one; js TEXT: TEXT as a JSON string, to compare with.
msg() { # POD STATE CONTAINER
    "$ORC" get pod "$1" -o json |
        jq -c --arg c "$3" ".status.containerStatuses[] | select(.name == \$c) | .$2.terminated.message"
}
js() { jq -cn --arg s "$1" '$s'; }
exited() { # POD CONTAINER
    [ "$("$ORC" get pod "$1" -o json | jq -r --arg c "$2" \
        '.status.containerStatuses[] | select(.name == $c) | .state.terminated.reason // empty')" != "" ]
}
restarted() { # POD: every container has a lastState
    [ "$(pod_field "$1" '[.status.containerStatuses[] | select(.lastState.terminated == null)] | length')" = 0 ]
}
# kubectl's output kept whole: $(...) would drop the newline a message ends with
keep() { "$@"; echo x; }

echo "# Writing and reading a termination message"
assert_eq "$(kdocs apply -f debug/termination.yaml)" "pod/termination-demo created" "apply termination.yaml"
wait_for_phase termination-demo Running
assert_table "$(k get pod termination-demo)" "NAME               READY   STATUS    RESTARTS   AGE
termination-demo   1/1     Running   0          5s" "get pod termination-demo"
# "Repeat the preceding command until the Pod is no longer running": the container exits
# after 10 s and, restartPolicy Always, runs again; the message is then its lastState's
wait_for 60 restarted termination-demo ||
    fail "termination-demo was not restarted: $(k get pod termination-demo -o yaml)"
yaml=$(k get pod termination-demo --output=yaml)
block=$(awk '/^    lastState:/ { on = 1; print; next } on && /^      / { print; next } { on = 0 }' <<<"$yaml" |
    sed -E 's/^( +(containerID|finishedAt|startedAt): ).*/\1.../')
assert_eq "$block" "    lastState:
      terminated:
        containerID: ...
        exitCode: 0
        finishedAt: ...
        message: |
          Sleep expired
        reason: Completed
        startedAt: ..." "get pod termination-demo --output=yaml: lastState.terminated"
assert_contains "$yaml" "    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File" "the API server's defaults in the spec"
out=$(keep k get pod termination-demo -o go-template="{{range .status.containerStatuses}}{{.lastState.terminated.message}}{{end}}")
assert_eq "${out%x}" "Sleep expired
" "the page's go-template: only the termination message"
out=$(k describe pod termination-demo)
assert_eq "$(grep -A1 -E '^      Message: +Sleep expired$' <<<"$out" | sed -E 's/ +/ /g' | tr '\n' '|')" \
    " Message: Sleep expired||" "kubectl describe: the message, and the blank line of its newline"
out=$("$ORC" describe pod termination-demo)
assert_contains "$out" "      Message:         Sleep expired

      Exit Code:       0" "orc describe pod: the message"

echo "# The page's go-template for a multi-container pod"
apply_yaml multi.yaml >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: multi-container-pod}
spec:
  containers:
    - name: failing
      image: debian
      command: [sh, -c, 'echo database unreachable > /dev/termination-log; exit 2']
    - name: fine
      image: debian
      command: [sh, -c, 'echo all done > /dev/termination-log']
EOF
wait_for 60 restarted multi-container-pod ||
    fail "multi-container-pod was not restarted: $(k get pod multi-container-pod -o yaml)"
out=$(keep k get pod multi-container-pod -o go-template='{{range .status.containerStatuses}}{{printf "%s:\n%s\n\n" .name .lastState.terminated.message}}{{end}}')
assert_eq "${out%x}" "failing:
database unreachable


fine:
all done


" "which of the containers is failing, by name"

echo "# Customizing the termination message: terminationMessagePath, 4096 bytes, 12 KiB a pod"
apply_yaml custom.yaml >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: msg-path-demo}
spec:
  restartPolicy: Never
  containers:
    - name: msg-path-demo-container
      image: debian
      terminationMessagePath: "/tmp/my-log"
      command: [sh, -c, 'echo written to /tmp/my-log > /tmp/my-log']
    - name: long
      image: debian
      command: [sh, -c, 'seq -s " " 1 1500 > /dev/termination-log']
---
apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  restartPolicy: Never
  containers:
    - {name: a, image: debian, command: [sh, -c, 'seq -s " " 1 1500 > /dev/termination-log']}
    - {name: b, image: debian, command: [sh, -c, 'seq -s " " 1 1500 > /dev/termination-log']}
    - {name: c, image: debian, command: [sh, -c, 'seq -s " " 1 1500 > /dev/termination-log']}
    - {name: d, image: debian, command: [sh, -c, 'seq -s " " 1 1500 > /dev/termination-log; exit 1']}
EOF
for c in msg-path-demo-container long; do
    wait_for 60 exited msg-path-demo $c || fail "msg-path-demo's $c did not exit: $(k get pod msg-path-demo -o yaml)"
done
assert_eq "$(pod_field msg-path-demo '.spec.containers[0] | .terminationMessagePath + " " + .terminationMessagePolicy')" \
    "/tmp/my-log File" "the path as written, the policy's default"
assert_eq "$(msg msg-path-demo state msg-path-demo-container)" "$(js $'written to /tmp/my-log\n')" \
    "the message from the file at terminationMessagePath"
numbers="$(seq -s ' ' 1 1500)
"
[ ${#numbers} -gt 4096 ] || fail "the test's text is too short"
assert_eq "$(pod_field msg-path-demo '.status.containerStatuses[1].state.terminated.message | length')" \
    4096 "kubelet keeps 4096 bytes of the file"
assert_eq "$(msg msg-path-demo state long)" "$(js "${numbers: -4096}")" "its last 4096 bytes, as kubelet reads them"
for c in a b c d; do
    wait_for 60 exited shared $c || fail "shared's $c did not exit: $(k get pod shared -o yaml)"
done
tail4096=${numbers: -4096}
for c in a b c d; do
    assert_eq "$(msg shared state $c)" "$(js "${tail4096:0:3072}")" \
        "four containers share the pod's 12 KiB: the first 3072 bytes of $c's 4096"
done
assert_eq "$(pod_field shared '.status.containerStatuses[] | select(.name == "d") | .state.terminated | "\(.reason) \(.exitCode)"')" \
    "Error 1" "a failed container's message from its file too"

echo "# terminationMessagePolicy: FallbackToLogsOnError"
apply_yaml fallback.yaml >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: fallback}
spec:
  restartPolicy: Never
  containers:
    - name: lines
      image: debian
      terminationMessagePolicy: FallbackToLogsOnError
      command: [sh, -c, 'for i in $(seq 1 100); do echo line $i; done; exit 3']
    - name: stderr
      image: debian
      terminationMessagePolicy: FallbackToLogsOnError
      command: [sh, -c, 'echo failed here >&2; exit 4']
    - name: bytes
      image: debian
      terminationMessagePolicy: FallbackToLogsOnError
      command: [sh, -c, 'for c in a b c d e f g h i j; do printf "%0300d\n" 0 | tr 0 $c; done; exit 1']
    - name: succeeded
      image: debian
      terminationMessagePolicy: FallbackToLogsOnError
      command: [sh, -c, 'echo no message for a success']
    - name: file-first
      image: debian
      terminationMessagePolicy: FallbackToLogsOnError
      command: [sh, -c, 'echo from the file > /dev/termination-log; echo from the log; exit 1']
    - name: file-policy
      image: debian
      command: [sh, -c, 'echo only logged; exit 1']
EOF
for c in lines stderr bytes succeeded file-first file-policy; do
    wait_for 60 exited fallback $c || fail "fallback's $c did not exit: $(k get pod fallback -o yaml)"
done
want=$(for i in $(seq 21 100); do echo "line $i"; done; echo x)
assert_eq "$(msg fallback state lines)" "$(js "${want%x}")" \
    "a failed container with no file message: the last 80 lines of its log"
assert_eq "$(msg fallback state stderr)" "$(js $'failed here\n')" "stderr as stdout"
assert_eq "$(pod_field fallback '.status.containerStatuses[] | select(.name == "bytes") | .state.terminated.message | length')" \
    2048 "at most 2048 bytes of the log"
want=$(for c in a b c d e f g h i j; do printf '%0300d\n' 0 | tr 0 $c; done; echo x)
want=${want%x}
assert_eq "$(msg fallback state bytes)" "$(js "${want: -2048}")" "its last 2048 bytes"
assert_eq "$(msg fallback state succeeded)" null "a container that succeeded: no message from its log"
assert_eq "$(msg fallback state file-first)" "$(js $'from the file\n')" \
    "the file's message, when there is one, even after a failure"
assert_eq "$(msg fallback state file-policy)" null "File, the default, never reads the log"
out=$(k describe pod fallback)
grep -qE '^      Message: +line 21$' <<<"$out" || fail "kubectl describe does not show the log's message: $out"

echo "# A container of a user other than root writes the file"
apply_yaml nonroot.yaml >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: nonroot}
spec:
  restartPolicy: Never
  securityContext: {runAsUser: 1000, runAsGroup: 3000}
  containers:
    - name: c
      image: debian
      securityContext: {readOnlyRootFilesystem: true}
      command: [sh, -c, 'echo written by $(id -u):$(id -g) > /dev/termination-log']
EOF
wait_for 60 exited nonroot c || fail "nonroot did not exit: $(k get pod nonroot -o yaml)"
assert_eq "$(msg nonroot state c)" "$(js $'written by 1000:3000\n')" "the message of a container running as 1000"
assert_eq "$(pod_field nonroot '.status.containerStatuses[0].state.terminated.exitCode')" 0 "it could write it"
uid=$(pod_uid nonroot)
file=$XDG_DATA_HOME/orc/pods/$uid/containers/c/termination-log
assert_eq "$(stat -c %a "$file")" 666 "the file on the node is 0666, as kubelet makes it"

echo "# The API server's refusals"
bad() { # FIELD VALUE
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - name: c\n    image: debian\n    %s: %s\n' "$1" "$2" >"$TEST_DIR/bad.yaml"
    k apply -f "$TEST_DIR/bad.yaml"
}
assert_contains "$(bad terminationMessagePolicy Logs)" \
    'The Pod "bad" is invalid: spec.containers[0].terminationMessagePolicy: Unsupported value: "Logs": supported values: "File", "FallbackToLogsOnError"' \
    "an unknown policy"
assert_contains "$(bad terminationMessagePath tmp/my-log)" \
    'The Pod "bad" is invalid: spec.containers[0].terminationMessagePath: Invalid value: "tmp/my-log": must be an absolute path' \
    "a relative path"
expect_exit 1 "$ORC" get pod bad

echo "# The messages outlive a restart of the agent"
stop_orcd
start_orcd
assert_eq "$(msg msg-path-demo state msg-path-demo-container)" "$(js $'written to /tmp/my-log\n')" \
    "the message read back after a restart"
out=$(keep k get pod termination-demo -o go-template="{{range .status.containerStatuses}}{{.lastState.terminated.message}}{{end}}")
assert_eq "${out%x}" "Sleep expired
" "lastState's message too"

echo "# deleted as the page would"
out=$(k delete pod termination-demo multi-container-pod msg-path-demo shared fallback nonroot --grace-period 1)
assert_contains "$out" 'pod "termination-demo" deleted' "kubectl delete"
wait_for 30 eval '[ -z "$(ls "$XDG_DATA_HOME/orc/pods" 2>/dev/null)" ]' ||
    fail "the pods' termination message files were left: $(ls -R "$XDG_DATA_HOME/orc/pods")"
echo "PASS: $TEST_NAME"
