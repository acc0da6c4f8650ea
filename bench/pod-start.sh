#!/bin/bash
# Pod start (apply -> Running confirmed by the API) and delete latency, median of N runs.
source "$(dirname "$0")/lib.sh"
N=${N:-20}
starts=() deletes=()
for i in $(seq "$N"); do
    pod_yaml "p$i" >"$BENCH_DIR/p.yaml"
    t0=$(now_ms)
    "$ORC" apply -f "$BENCH_DIR/p.yaml" >/dev/null
    until [ "$("$ORC" get pod "p$i" -o json | jq -r .status.phase)" = Running ]; do :; done
    t1=$(now_ms)
    "$ORC" delete pod "p$i" >/dev/null
    t2=$(now_ms)
    starts+=($((t1 - t0)))
    deletes+=($((t2 - t1)))
done
read -r smed sp90 < <(printf '%s\n' "${starts[@]}" | stats)
read -r dmed dp90 < <(printf '%s\n' "${deletes[@]}" | stats)
echo "pod start  (apply -> Running via the API), $N runs: median $smed ms, p90 $sp90 ms"
echo "pod delete (delete -> gone, SIGTERM handled), $N runs: median $dmed ms, p90 $dp90 ms"
awk -v m="$smed" 'BEGIN {printf "  target < 100 ms: %s; rootless podman 4.3 kube play: 286 ms -> orc is %.1fx faster\n", (m < 100 ? "met" : "NOT met"), 286 / (m > 0 ? m : 1)}'
