#!/bin/bash
# A container's terminal and stdin (tty, stdin, stdinOnce) as a CRI runtime gives them without
# an attach: a tty container's output (stdout and stderr alike) in its log as "stdout", from a
# terminal of 80x24 with TERM=xterm; a new terminal at each start; stdin a pipe nothing writes
# to (a `cat` waits on it), or /dev/null without stdin; the fields stored; a tty container's
# output still logged while orcd is killed and after it adopts the pod.
source "$(dirname "$0")/lib.sh"
setup
export ORC_BACKOFF_BASE_MS=1000
start_orcd
load_busybox_image

shim_of() { cat "$XDG_RUNTIME_DIR/orc/pods/$(pod_field "$1" .metadata.uid)/shim.pid"; }
# the pty masters a shim holds (the container's terminal, kept, and the copy it reads)
masters() { find "/proc/$1/fd" -lname '*ptmx' 2>/dev/null | wc -l; }
log_file() { echo "$XDG_DATA_HOME"/orc/logs/default_"$1"_*/"$2"/"$3".log; }

mkdir -p "$TEST_DIR/go"
apply_yaml term.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: term}
spec:
  restartPolicy: Always
  volumes: [{name: go, hostPath: {path: $TEST_DIR/go, type: Directory}}]
  containers:
    - name: t
      image: localhost/busybox:latest
      tty: true
      command: ["sh", "-c", "tty; echo hi; echo to-stderr >&2; stty size; echo TERM=\$TERM; [ -t 0 ] && echo stdin-is-a-terminal; while [ ! -e /go/exit ]; do sleep 0.1; done; rm /go/exit; printf 'no newline'; exit 3"]
      volumeMounts: [{name: go, mountPath: /go}]
YAML
running='/dev/pts/0
hi
to-stderr
24 80
TERM=xterm
stdin-is-a-terminal'
wait_for 30 eval '[ "$("$ORC" logs term 2>/dev/null)" = "$running" ]' ||
    fail "the terminal's output is not the log: '$("$ORC" logs term 2>&1)'"
shim=$(shim_of term)
assert_eq "$(masters "$shim")" 2 "the shim holds the terminal's master while the container runs"
touch "$TEST_DIR/go/exit"
restarted() { [ "$(pod_field term '.status.containerStatuses[0].restartCount')" -ge 1 ]; }
wait_for 30 restarted || fail "term was not restarted"
assert_eq "$(pod_field term '.status.containerStatuses[0].lastState.terminated.exitCode')" 3 "exit code"
assert_eq "$("$ORC" logs term --previous)" "$running
no newline" "the first instance's log, its unfinished line flushed at its end"
wait_for 30 eval '[ "$("$ORC" logs term 2>/dev/null)" = "$running" ]' ||
    fail "the restarted container has no terminal of its own: '$("$ORC" logs term 2>&1)'"
assert_eq "$(masters "$shim")" 2 "the first terminal was closed with its container, the new one is held"
log=$(log_file term t 0)
grep -Evq '^[0-9TZ:.-]+ stdout F ' "$log" && fail "a line that is not the terminal's stdout: $(cat "$log")"
grep -q $'\r' "$log" && fail "the terminal's \\r is in the log: $(cat -A "$log")"
assert_eq "$(wc -l <"$log")" 7 "one line each"
"$ORC" delete pod term --grace-period 0 >/dev/null

echo "# stdin"
apply_yaml stdin.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  containers:
    - name: cat
      image: localhost/busybox:latest
      command: [cat]
      stdin: true
    - name: once
      image: localhost/busybox:latest
      command: [cat]
      stdin: true
      stdinOnce: true
    - name: shell
      image: localhost/busybox:latest
      stdin: true
      tty: true
---
apiVersion: v1
kind: Pod
metadata: {name: no-stdin}
spec:
  restartPolicy: Never
  containers:
    - name: cat
      image: localhost/busybox:latest
      command: ["sh", "-c", "cat; echo cat-ended"]
YAML
wait_for_phase no-stdin Succeeded 30
assert_eq "$("$ORC" logs no-stdin)" "cat-ended" "without stdin, cat reads /dev/null's end at once"
wait_for_phase reader Running 30
uid=$(pod_field reader .metadata.uid)
wait_for 10 eval '[ "$(container_pid "$uid" "^cat$" | wc -l)" = 2 ]' || fail "the cats do not run"
for pid in $(container_pid "$uid" "^cat$"); do
    assert_contains "$(readlink "/proc/$pid/fd/0")" "pipe:[" "stdin is a pipe"
    [ "$(cut -d' ' -f3 "/proc/$pid/stat")" = S ] || fail "cat $pid is not waiting: $(cat "/proc/$pid/stat")"
done
shell=$(container_pid "$uid" "^sh$") || fail "the shell container's sh is not running"
assert_eq "$(readlink "/proc/$shell/fd/0")" "/dev/pts/0" "a tty container's stdin is its terminal"
# the shells and cats are still there a while later: nothing ended their stdin
sleep_until=$(($(date +%s) + 3))
while [ "$(date +%s)" -lt "$sleep_until" ]; do
    phase_is reader Running || fail "reader left Running"
    sleep 0.5
done
assert_eq "$(pod_field reader '[.status.containerStatuses[] | .restartCount] | add')" 0 "nothing restarted"
assert_eq "$(pod_field reader '[.status.containerStatuses[] | .state | keys[0]] | join(",")')" \
    "running,running,running" "every container runs"
assert_eq "$(pod_field reader '[.spec.containers[] | [.stdin, .stdinOnce, .tty] | map(. // false | tostring) | join("/")] | join(" ")')" \
    "true/false/false true/true/false true/false/true" "the fields are stored as written"
api GET /api/v1/namespaces/default/pods/reader >/dev/null
assert_eq "$(body '.spec.containers[2] | [.stdin, .tty] | map(tostring) | join("/")')" "true/true" "and served"
assert_eq "$(body '.spec.containers[0] | has("tty")')" "false" "false is not written, as the API server"

echo "# orcd killed: the shim logs on, the new orcd adopts"
apply_yaml tick.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: tick}
spec:
  volumes: [{name: go, hostPath: {path: $TEST_DIR/go, type: Directory}}]
  containers:
    - name: t
      image: localhost/busybox:latest
      tty: true
      command: ["sh", "-c", "echo ready; while [ ! -e /go/1 ]; do sleep 0.1; done; echo while-down; while [ ! -e /go/2 ]; do sleep 0.1; done; echo adopted; exec sleep 3600"]
      volumeMounts: [{name: go, mountPath: /go}]
YAML
wait_for 30 eval '[ "$("$ORC" logs tick 2>/dev/null)" = ready ]' || fail "tick: $("$ORC" logs tick 2>&1)"
started=$(pod_field tick '.status.containerStatuses[0].state.running.startedAt')
kill9_orcd
touch "$TEST_DIR/go/1"
tick_log=$(log_file tick t 0)
wait_for 10 grep -q ' stdout F while-down$' "$tick_log" ||
    fail "output written while orcd is down is not logged: $(cat "$tick_log")"
start_orcd
touch "$TEST_DIR/go/2"
wait_for 20 eval '[ "$("$ORC" logs tick 2>/dev/null)" = "$(printf "ready\nwhile-down\nadopted")" ]' ||
    fail "tick after adoption: $("$ORC" logs tick 2>&1)"
assert_eq "$(pod_field tick '.status.containerStatuses[0].state.running.startedAt')" "$started" \
    "the tty container ran on (no hang-up)"
assert_eq "$(pod_field tick '.status.containerStatuses[0].restartCount')" 0 "not restarted"
echo "PASS: $TEST_NAME"
