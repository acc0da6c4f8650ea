#!/bin/bash
# Only one orcd per user: a second one is refused clearly, also when its XDG_RUNTIME_DIR
# differs (cron, su: its socket and shims would be elsewhere, its database the same), and the
# first keeps serving with its pods untouched.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image
apply_yaml p.yaml >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"]}]
YAML
wait_for_phase p Running 60
started_in() { # DIR: processes of this user whose XDG_RUNTIME_DIR is DIR
    local p n=0
    for p in $(pgrep -u "$(id -u)"); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$1" && n=$((n + 1))
    done
    echo "$n"
}

expect_exit 1 timeout 20 "$ORCD"
assert_contains "$out" "orcd is already running for this user (pid $ORCD_PID" "refusal names the agent"

other=$TEST_DIR/other-run
mkdir -m 0700 "$other"
expect_exit 1 timeout 20 env XDG_RUNTIME_DIR="$other" "$ORCD"
assert_contains "$out" "orcd is already running for this user with the data directory '$XDG_DATA_HOME/orc' (pid $ORCD_PID" \
    "a second agent with another run directory is refused"
assert_contains "$out" "its API on '$XDG_RUNTIME_DIR/orc/orcd.sock'" "the refusal names the running agent's socket"
[ ! -e "$other/orc" ] || fail "the refused agent made its run directory: $(ls -R "$other")"
assert_eq "$(started_in "$other")" 0 "processes (shims, holder) left by the refused agent"
# the hint works: the CLI with the other run directory reaches the agent through --socket
assert_contains "$(XDG_RUNTIME_DIR=$other "$ORC" --socket "$XDG_RUNTIME_DIR/orc/orcd.sock" get pods)" "Running" \
    "orc --socket reaches the running agent"

# without --socket, the CLI says where the agent is
expect_exit 1 env XDG_RUNTIME_DIR="$other" "$ORC" get pods
assert_contains "$out" "but your agent listens at $XDG_RUNTIME_DIR/orc/orcd.sock" "the CLI names the agent's socket"
expect_exit 1 env -u XDG_RUNTIME_DIR "$ORC" get pods
assert_contains "$out" "and it is unset here" "the CLI says XDG_RUNTIME_DIR is unset"
expect_exit 1 env XDG_RUNTIME_DIR="$other" XDG_DATA_HOME="$TEST_DIR/no-data" "$ORC" get pods
assert_contains "$out" "No such file or directory" "no agent at all: the socket is missing"

"$ORC" version >/dev/null || fail "the first agent stopped serving"
kill -0 "$ORCD_PID" || fail "the first agent died"
assert_eq "$(pod_field p '.status.containerStatuses[0].restartCount')" 0 "the pod was not restarted"
echo "PASS: $TEST_NAME"
