#!/bin/bash
# PODS pods (default 20) in one `orc apply` of one multi-document file until the API reports
# every one Running, next to rootless podman's `kube play` of the same file (podman starts
# them one after another) in the same run; rounds alternate orc and podman, N rounds
# (default 3), medians shown. Deletes of the whole set are timed too.
PODS=${PODS:-20} N=${N:-3}
ORCD_ARGS="${ORCD_ARGS:-} --max-pods $((PODS > 110 ? PODS : 110))"  # orcd admits 110 by default
source "$(dirname "$0")/lib.sh"
podman_setup
pods_yaml b "$PODS" >"$BENCH_DIR/batch.yaml"
# poll every 50 ms: each poll lists every pod, and a busy poll would take one of the
# machine's two cores from the pods it waits for
starts=() applies=() deletes=() pm_starts=() pm_deletes=()
for r in $(seq "$N"); do
    t0=$(now_ms)
    "$ORC" apply -f "$BENCH_DIR/batch.yaml" >/dev/null
    ta=$(now_ms)
    wait_count "$PODS" 0.05 600 orc_running_count
    t1=$(now_ms)
    "$ORC" delete -f "$BENCH_DIR/batch.yaml" >/dev/null
    t2=$(now_ms)
    starts+=($((t1 - t0))) applies+=($((ta - t0))) deletes+=($((t2 - t1)))
    echo "  round $r: orc $((t1 - t0)) ms" >&2
    if $have_podman; then
        t0=$(now_ms)
        "${PODMAN[@]}" kube play "$BENCH_DIR/batch.yaml" >/dev/null
        wait_count "$PODS" 0.05 600 pm_running_count
        t1=$(now_ms)
        "${PODMAN[@]}" pod rm -a -f -t 10 >/dev/null
        t2=$(now_ms)
        pm_starts+=($((t1 - t0))) pm_deletes+=($((t2 - t1)))
        echo "  round $r: podman $((t1 - t0)) ms" >&2
    fi
done
med() { printf '%s\n' "$@" | stats | cut -d' ' -f1; }
smed=$(med "${starts[@]}") amed=$(med "${applies[@]}") dmed=$(med "${deletes[@]}")
echo "$PODS pods in one orc apply -> all Running (via the API), median of $N: $smed ms (apply returned after $amed ms); delete -f -> all gone: $dmed ms"
if $have_podman; then
    pmed=$(med "${pm_starts[@]}") pdmed=$(med "${pm_deletes[@]}")
    echo "podman $podman_version kube play of the same file -> all Running, median of $N: $pmed ms; pod rm -a: $pdmed ms"
    awk -v m="$smed" -v p="$pmed" -v d="$dmed" -v pd="$pdmed" 'BEGIN {printf "  start: orc is %.1fx faster than podman; delete: %.1fx\n", p / (m > 0 ? m : 1), pd / (d > 0 ? d : 1)}'
fi
[ "$PODS" != 20 ] || awk -v m="$smed" 'BEGIN {printf "  target <= 1500 ms for 20 pods: %s\n", (m <= 1500 ? "met" : "NOT met")}'
