#!/bin/bash
# orcd killed (-9) at random moments while 20 pods start, with a CNI plugin slowed down in
# the middle of the chain: every pod ends Running with its address, its /etc/hosts and a
# working hostPort, one network helper set per pod, none left over.
source "$(dirname "$0")/lib.sh"
setup
faults=$ORC_SOURCE_DIR/tests/e2e/faults
export ORC_FAULT_DIR=$XDG_RUNTIME_DIR/orc-faults
mkdir -p "$ORC_FAULT_DIR"
echo 400 >"$ORC_FAULT_DIR/slow-cni"
orcd_args=(--cni-conf "$faults/slow.conflist"
    --cni-bin-dir "$faults:$(dirname "$ORCD")/../cni-plugins/bin:/usr/lib/cni:/opt/cni/bin")
start_orcd "${orcd_args[@]}"
load_busybox_image

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
N=20
declare -A port
for i in $(seq $N); do
    port[$i]=$(free_port)
    cat <<YAML
---
apiVersion: v1
kind: Pod
metadata: {name: web$i}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
      ports: [{containerPort: 8080, hostPort: ${port[$i]}}]
YAML
done >"$TEST_DIR/pods.yaml"
"$ORC" apply -f "$TEST_DIR/pods.yaml" >/dev/null || fail "apply failed"

# kill orcd at random moments (the randomness is the point: no synchronisation is meant)
for round in 1 2 3 4 5 6; do
    sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
    kill9_orcd
    start_orcd "${orcd_args[@]}"
done
rm -f "$ORC_FAULT_DIR/slow-cni"

running_with_ip() {
    local out
    out=$("$ORC" get pods -o json) || return 1
    [ "$(jq '[.items[] | select(.status.phase == "Running" and (.status.podIP // "") != "")] | length' <<<"$out")" = "$N" ]
}
wait_for 180 running_with_ip || fail "not every pod is Running with an address: $("$ORC" get pods -o wide)"

for i in $(seq $N); do
    uid=$(pod_field "web$i" .metadata.uid)
    run=$XDG_RUNTIME_DIR/orc/pods/$uid
    [ -s "$run/network.json" ] || fail "web$i: no committed network result"
    assert_contains "$(cat "$run/hosts")" "web$i" "web$i: /etc/hosts names the pod"
    served() { [ "$(curl -s --max-time 5 "http://127.0.0.1:${port[$i]}/")" = "web$i" ]; }
    wait_for 20 served || fail "web$i: hostPort ${port[$i]} does not reach the pod: '$(curl -s --max-time 5 "http://127.0.0.1:${port[$i]}/")'"
    cond=$(pod_field "web$i" '.status.conditions[] | select(.type == "PodReadyToStartContainers") | .status')
    assert_eq "$cond" True "web$i: PodReadyToStartContainers"
done

# an interrupted setup is repaired without failing first (a second ADD beside the first's
# helpers would fail: "already set up")
failed=$("$ORC" events | grep -E "FailedCreatePodSandBox|NetworkNotReady" || true)
[ -z "$failed" ] || fail "network setups failed on the way: $failed"

# one slirp and one port-forward helper per pod: none doubled by a repeated ADD
helpers() { find "$XDG_RUNTIME_DIR/orc-cni/$1" -name '*.json' 2>/dev/null | wc -l; }
assert_eq "$(helpers slirp)" "$N" "slirp helpers' state"
assert_eq "$(helpers port-forward)" "$N" "port-forward helpers' state"
# and as processes: a chain cut short by the kill is deleted (DEL without a result) before
# the new ADD, so no helper of an interrupted ADD lives on beside the new one
ours() { # NAME: helper processes of this test's orcd (their environment names our runtime dir)
    local p n=0
    for p in $(pgrep -u "$(id -u)" -x "$1"); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" &&
            n=$((n + 1))
    done
    echo "$n"
}
assert_eq "$(ours slirp)" "$N" "slirp helper processes"
assert_eq "$(ours port-forward)" "$N" "port-forward helper processes"

"$ORC" delete -f "$TEST_DIR/pods.yaml" --grace-period 0 >/dev/null || fail "delete failed"
assert_eq "$(helpers slirp)$(helpers port-forward)" 00 "no helper state after delete"
wait_for 10 eval '[ "$(ours slirp)$(ours port-forward)" = 00 ]' || fail "helpers outlived their pods"
assert_eq "$(find "$XDG_RUNTIME_DIR/orc-cni" -name '*.log' -empty | wc -l)" 0 "no empty helper log left"
echo "PASS: $TEST_NAME"
