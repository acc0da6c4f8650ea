#!/bin/bash
# kill -9 of orcd with pods running; a new orcd adopts them: same pods, same restart counts,
# containers untouched, one shim per pod.
source "$(dirname "$0")/lib.sh"
setup
export ORC_BACKOFF_BASE_MS=1000
start_orcd
load_busybox_image

for name in steady flappy; do
    cmd="sleep 3600"
    [ $name = flappy ] && cmd="sleep 0.5; exit 1"
    apply_yaml $name.yaml >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $name}
spec:
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "$cmd"]
YAML
done
wait_for_phase steady Running 30
restarts() { pod_field flappy '.status.containerStatuses[0].restartCount'; }
at_least() { [ "$(restarts)" -ge "$1" ]; }
wait_for 30 at_least 2 || fail "flappy did not restart"

before=$("$ORC" get pods -o json | jq -c '[.items[] | {n: .metadata.name, u: .metadata.uid}]')
steady_started=$(pod_field steady '.status.containerStatuses[0].state.running.startedAt')
steady_image=$(pod_field steady '.status.containerStatuses[0].imageID')
[ -n "$steady_image" ] || fail "steady shows no imageID"
steady_uid=$(pod_field steady .metadata.uid)
holder=$(holder_pid)
flappy_uid=$(pod_field flappy .metadata.uid)
flappy_running() { container_pid "$flappy_uid" 'sleep 0[.]5; exit 1' >/dev/null; }
flappy_exited() { ! flappy_running; }
wait_for 20 flappy_running || fail "flappy's container is never seen running (the check below would be blind)"

flappy_during=$(restarts)
kill9_orcd
# flappy exits every half second: with no agent watching, its exit is only found on adoption
wait_for 5 flappy_exited || fail "flappy's container still runs with no agent: $(container_pid "$flappy_uid" .)"
pgrep -f "pod-uid $steady_uid" >/dev/null || fail "the shim died with the agent"
start_orcd

assert_eq "$(holder_pid)" "$holder" "the user namespace holder is rejoined"
after=$("$ORC" get pods -o json | jq -c '[.items[] | {n: .metadata.name, u: .metadata.uid}]')
assert_eq "$after" "$before" "same pods with the same uids"
wait_for_phase steady Running 10
assert_eq "$(pod_field steady '.status.containerStatuses[0].state.running.startedAt')" "$steady_started" \
    "the running container was not restarted"
assert_eq "$(pod_field steady '.status.containerStatuses[0].restartCount')" 0 "restart count kept"
assert_eq "$(pod_field steady '.status.containerStatuses[0].imageID')" "$steady_image" \
    "the image it runs is still shown (imageID)"
[ "$(restarts)" -ge "$flappy_during" ] || fail "flappy's restart count went backwards"
wait_for 30 at_least $((flappy_during + 1)) || fail "flappy is not supervised after adoption"
for name in steady flappy; do
    uid=$(pod_field $name .metadata.uid)
    assert_eq "$(pgrep -fc "orc-shim run --pod-uid $uid")" 1 "exactly one shim for $name"
done
echo "PASS: $TEST_NAME"
