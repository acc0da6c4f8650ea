#!/bin/bash
# One pod stuck in a hung OCI runtime (`run` never returns: tests/e2e/faults/hang-runtime)
# must not slow the others down. With PODS normal pods running (default 20), before and
# after the stuck pod is applied: `orc get pods` latency over CALLS calls (default 200; p50
# and p99, target p99 <= 100 ms) and the time for a new pod to reach Running (NEW runs,
# default 5: median and slowest). The stuck pod's deadline (--runtime-request-timeout) is
# DEADLINE (default 10m), so that it stays stuck for the whole run.
PODS=${PODS:-20} CALLS=${CALLS:-200} NEW=${NEW:-5} DEADLINE=${DEADLINE:-10m}
FAULTS=$(cd "$(dirname "$0")/../tests/e2e/faults" && pwd)
export ORC_FAULT_RUNTIME=${ORC_FAULT_RUNTIME:-runc}
unset ORC_FAULT_DIR # the wrapper's default: $XDG_RUNTIME_DIR/orc-faults, below the benchmark's directory
ORCD_ARGS="${ORCD_ARGS:-} --runtime $FAULTS/hang-runtime"
orcd=${ORCD:-${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}/agent/orcd}
if "$orcd" --help 2>/dev/null | grep -q -- --runtime-request-timeout; then
    ORCD_ARGS="$ORCD_ARGS --runtime-request-timeout $DEADLINE"
else
    echo "note: this orcd has no --runtime-request-timeout; its built-in deadlines apply" >&2
fi
source "$(dirname "$0")/lib.sh"
FAULT_DIR=$XDG_RUNTIME_DIR/orc-faults
mkdir -p "$FAULT_DIR"
stuck_cleanup() { # the hung runtime calls, should the agent have left any
    rm -f "$FAULT_DIR/hang-runtime"
    for p in $(awk '{print $1}' "$FAULT_DIR/hung" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
}
trap 'stuck_cleanup; bench_cleanup' EXIT

# milliseconds (with a fraction) of each of CALLS runs of `orc get pods`, one a line
get_pods_ms() {
    local t0 t1
    for _ in $(seq "$CALLS"); do
        t0=${EPOCHREALTIME//[!0-9]/}
        "$ORC" get pods >/dev/null
        t1=${EPOCHREALTIME//[!0-9]/}
        awk -v d=$((t1 - t0)) 'BEGIN {printf "%.1f\n", d / 1000}'
    done
}
# median and slowest of NEW pods applied one after the other: apply -> Running via the API
new_pod_ms() { # prefix
    local t0 i times=()
    for i in $(seq "$NEW"); do
        pod_yaml "$1$i" >"$BENCH_DIR/new.yaml"
        t0=$(now_ms)
        "$ORC" apply -f "$BENCH_DIR/new.yaml" >/dev/null
        until orc_running "$1$i"; do :; done
        times+=($(($(now_ms) - t0)))
        "$ORC" delete pod "$1$i" >/dev/null
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[NR]}'
}
measure() { # label pod-name-prefix
    local p50 p99 nmed nmax
    read -r p50 p99 < <(get_pods_ms | p50_p99)
    read -r nmed nmax < <(new_pod_ms "$2")
    printf '%-26s orc get pods (%d calls): p50 %s ms, p99 %s ms; new pod -> Running (%d): median %d ms, slowest %d ms\n' \
        "$1:" "$CALLS" "$p50" "$p99" "$NEW" "$nmed" "$nmax"
    P99=$p99
}

for i in $(seq "$PODS"); do
    [ "$i" = 1 ] || echo ---
    pod_yaml "p$i"
done >"$BENCH_DIR/pods.yaml"
t0=$(now_ms)
"$ORC" apply -f "$BENCH_DIR/pods.yaml" >/dev/null
until [ "$("$ORC" get pods -o json | grep -c '"phase": *"Running"')" -ge "$PODS" ]; do :; done
echo "$PODS pods in one apply -> all Running: $(($(now_ms) - t0)) ms"
measure "$PODS pods, none stuck" new-a-

echo stuck >"$FAULT_DIR/hang-runtime"
pod_yaml stuck | sed 's/^    - name: c$/    - name: stuck/' >"$BENCH_DIR/stuck.yaml"
"$ORC" apply -f "$BENCH_DIR/stuck.yaml" >/dev/null
for _ in $(seq 400); do [ -s "$FAULT_DIR/hung" ] && break; sleep 0.05; done
[ -s "$FAULT_DIR/hung" ] || { echo "the stuck pod never reached its runtime call" >&2; exit 1; }
measure "$PODS pods, 1 stuck" new-b-
hung=$(awk 'NR == 1 {print $1}' "$FAULT_DIR/hung")
kill -0 "$hung" 2>/dev/null || echo "warning: the stuck pod's runtime call ended during the run (deadline $DEADLINE)"
[ "$("$ORC" get pod stuck -o json | grep -c '"phase": *"Running"')" = 0 ] || echo "warning: the stuck pod runs"
awk -v p="$P99" 'BEGIN {printf "  target: orc get pods p99 <= 100 ms with a pod stuck: %s\n", (p <= 100 ? "met" : "NOT met")}'
