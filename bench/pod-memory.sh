#!/bin/bash
# Memory each pod adds: PSS of every orc process a pod brings (its orc-shim and its slirp
# network helper; a pod with hostPorts adds a forwarder, measured by net-throughput.sh),
# workload excluded, averaged over N pods.
source "$(dirname "$0")/lib.sh"
N=${N:-10}
for i in $(seq "$N"); do pod_yaml "m$i" >"$BENCH_DIR/m$i.yaml"; "$ORC" apply -f "$BENCH_DIR/m$i.yaml" >/dev/null; done
for i in $(seq "$N"); do
    until [ "$("$ORC" get pod "m$i" -o json | jq -r .status.phase)" = Running ]; do sleep 0.05; done
done
pss_sum() { local t=0 pid; for pid in "$@"; do t=$((t + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup"))); done; echo $t; }
shims=$(pss_sum $(pgrep -f "orc-shim run .*$XDG_RUNTIME_DIR"))
helpers=$(pss_sum $(cat "$XDG_RUNTIME_DIR"/orc-cni/slirp/*.json | jq -r .pid))
per_shim=$((shims / N)) per_net=$((helpers / N))
per=$((per_shim + per_net))
holder=$(jq -r .pid "$XDG_RUNTIME_DIR/orc/userns.json")
hpss=$(awk '/^Pss:/ {print $2}' "/proc/$holder/smaps_rollup")
echo "per-pod memory (PSS), $N pods: $per kB per pod = orc-shim $per_shim kB + slirp helper $per_net kB"
echo "shared once per user: user-namespace holder $hpss kB"
awk -v p="$per" 'BEGIN {printf "  target < 600 kB: %s; rootless podman 4.3: 1250 kB -> orc uses %.0f%% of it\n", (p < 600 ? "met" : "NOT met"), 100 * p / 1250}'
