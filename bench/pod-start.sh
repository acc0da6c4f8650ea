#!/bin/bash
# Pod start (apply -> Running confirmed by the API) and delete latency, median of N runs,
# next to rootless podman's `kube play` of the same manifest in the same run (alternating).
source "$(dirname "$0")/lib.sh"
N=${N:-20}
podman_setup
starts=() deletes=() pm_starts=() pm_deletes=()
for i in $(seq "$N"); do
    pod_yaml "p$i" >"$BENCH_DIR/p.yaml"
    t0=$(now_ms)
    "$ORC" apply -f "$BENCH_DIR/p.yaml" >/dev/null
    until orc_running "p$i"; do :; done
    t1=$(now_ms)
    "$ORC" delete pod "p$i" >/dev/null
    t2=$(now_ms)
    starts+=($((t1 - t0)))
    deletes+=($((t2 - t1)))
    if $have_podman; then
        t0=$(now_ms)
        "${PODMAN[@]}" kube play "$BENCH_DIR/p.yaml" >/dev/null
        until pm_running "p$i"; do :; done
        t1=$(now_ms)
        "${PODMAN[@]}" pod rm -f -t 10 "p$i" >/dev/null
        t2=$(now_ms)
        pm_starts+=($((t1 - t0)))
        pm_deletes+=($((t2 - t1)))
    fi
done
read -r smed sp90 < <(printf '%s\n' "${starts[@]}" | stats)
read -r dmed dp90 < <(printf '%s\n' "${deletes[@]}" | stats)
echo "pod start  (apply -> Running via the API), $N runs: median $smed ms, p90 $sp90 ms"
echo "pod delete (delete -> gone, SIGTERM handled), $N runs: median $dmed ms, p90 $dp90 ms"
if $have_podman; then
    read -r pmed pp90 < <(printf '%s\n' "${pm_starts[@]}" | stats)
    read -r pdmed pdp90 < <(printf '%s\n' "${pm_deletes[@]}" | stats)
    echo "podman $podman_version kube play (-> pod Running): median $pmed ms, p90 $pp90 ms; pod rm: median $pdmed ms, p90 $pdp90 ms"
    awk -v m="$smed" -v p="$pmed" -v d="$dmed" -v pd="$pdmed" 'BEGIN {printf "  start: orc is %.1fx faster than podman; delete: %.1fx\n", p / (m > 0 ? m : 1), pd / (d > 0 ? d : 1)}'
fi
awk -v m="$smed" 'BEGIN {printf "  target < 100 ms: %s\n", (m < 100 ? "met" : "NOT met")}'
