#!/bin/bash
# PODS pods (default 100) in one `orc apply`: time until the API reports all Running, orcd's
# memory with them running, and the latency of listing them: the whole `orc get pods`
# command, a curl process, and the API request alone (curl's own time for each of CALLS
# requests made by one curl process, a new connection each). Then the same file through
# rootless podman's `kube play` (PM_PODS pods, default PODS: lower it where podman is slow)
# with `podman pod ps` and its API service's pod list. CALLS (200) and PM_CALLS (20: with
# 100 pods one podman list takes seconds) latency samples; p50 and p99 (nearest rank: the
# slowest of fewer than 100) shown.
PODS=${PODS:-100} CALLS=${CALLS:-200}
PM_PODS=${PM_PODS:-$PODS} PM_CALLS=${PM_CALLS:-20}
# orcd admits 110 pods by default
ORCD_ARGS="${ORCD_ARGS:-} --max-pods $((PODS > 110 ? PODS : 110))"
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }
SOCK=$XDG_RUNTIME_DIR/orc/orcd.sock
# microseconds of each of CALLS runs of a command, one a line (EPOCHREALTIME: no fork is timed
# besides the command's own)
time_calls() { # calls command...
    local n=$1 t0 t1
    shift
    for _ in $(seq "$n"); do
        t0=${EPOCHREALTIME//[!0-9]/}
        "$@" >/dev/null
        t1=${EPOCHREALTIME//[!0-9]/}
        echo $((t1 - t0))
    done
}
# curl's own time of each of CALLS requests to URL in one process, in microseconds
curl_times() { # socket url calls [curl args...]
    local sock=$1 url=$2 n=$3 args=()
    shift 3
    for _ in $(seq "$n"); do args+=(-o /dev/null "$url"); done
    curl -s --unix-socket "$sock" -H 'Connection: close' "$@" -w '%{time_total}\n' "${args[@]}" |
        awk '{printf "%d\n", $1 * 1e6}'
}
# what kubectl get sends: a server-side Table
TABLE='application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "p50 %.1f ms, p99 %.1f ms", a / 1000, b / 1000}'; }

podman_setup
pods_yaml s "$PODS" >"$BENCH_DIR/many.yaml"
rss0=$(awk '/^VmRSS:/ {print $2}' "/proc/$ORCD_PID/status")
t0=$(now_ms)
"$ORC" apply -f "$BENCH_DIR/many.yaml" >/dev/null
ta=$(now_ms)
# each poll lists every pod: every 200 ms, so that polling does not take the CPU the pods need
wait_count "$PODS" 0.2 1800 orc_running_count
t1=$(now_ms)
echo "$PODS pods in one orc apply -> all Running (via the API): $((t1 - t0)) ms (apply returned after $((ta - t0)) ms)"
sleep 1
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$ORCD_PID/status")
echo "orcd with $PODS pods running: RSS $rss kB (with none: $rss0 kB), PSS $(pss "$ORCD_PID") kB"
rows=$(($("$ORC" get pods | wc -l) - 1))
[ "$rows" = "$PODS" ] || echo "warning: orc get pods lists $rows pods, not $PODS" >&2
read -r t50 t99 < <(time_calls "$CALLS" /bin/true | p50_p99)
read -r g50 g99 < <(time_calls "$CALLS" "$ORC" get pods | p50_p99)
read -r c50 c99 < <(time_calls "$CALLS" curl -s --unix-socket "$SOCK" http://localhost/api/v1/pods | p50_p99)
ticks() { awk '{print $14 + $15}' "/proc/$ORCD_PID/stat"; }  # orcd's CPU time (user + system)
k0=$(ticks)
read -r a50 a99 < <(curl_times "$SOCK" http://localhost/api/v1/pods "$CALLS" | p50_p99)
k1=$(ticks)
read -r b50 b99 < <(curl_times "$SOCK" "http://localhost/api/v1/pods?limit=500" "$CALLS" -H "Accept: $TABLE" | p50_p99)
k2=$(ticks)
echo "listing $PODS pods, $CALLS calls each:"
echo "  /bin/true (a process start, floor): $(ms "$t50" "$t99")"
echo "  orc get pods (whole command):       $(ms "$g50" "$g99")"
echo "  curl process, GET /api/v1/pods:     $(ms "$c50" "$c99")"
cpu() { awk -v k="$1" -v hz="$(getconf CLK_TCK)" -v n="$CALLS" 'BEGIN {printf "%.1f", k * 1000 / hz / n}'; }
echo "  API request alone (curl's timing):  $(ms "$a50" "$a99"); orcd's CPU time: $(cpu $((k1 - k0))) ms a request"
echo "  LIST + Table (kubectl get's request, alone): $(ms "$b50" "$b99"); orcd's CPU time: $(cpu $((k2 - k1))) ms a request"
awk -v p="$g99" 'BEGIN {printf "  target: orc get pods p99 <= 10 ms: %s\n", (p <= 10000 ? "met" : "NOT met")}'
awk -v p="$b99" 'BEGIN {printf "  target: LIST + Table p99 <= 10 ms: %s\n", (p <= 10000 ? "met" : "NOT met")}'
"$ORC" delete -f "$BENCH_DIR/many.yaml" --grace-period 0 >/dev/null

# runc gives every container a session keyring and the kernel allows a user 200 keys
# (kernel.keys.maxkeys): podman's 100 pods are 200 containers (infra included), so without
# keyring = false its last pods fail with "unable to create session key: disk quota exceeded"
printf '[containers]\nkeyring = false\n' >"$BENCH_DIR/containers.conf"
export CONTAINERS_CONF=$BENCH_DIR/containers.conf
if $have_podman; then
    [ "$PM_PODS" = "$PODS" ] || pods_yaml s "$PM_PODS" >"$BENCH_DIR/many.yaml"
    t0=$(now_ms)
    if ! "${PODMAN[@]}" kube play "$BENCH_DIR/many.yaml" >/dev/null; then
        echo "podman kube play of $PM_PODS pods failed; $(pm_running_count) Running" >&2
        have_podman=false
    fi
fi
if $have_podman; then
    wait_count "$PM_PODS" 0.2 600 pm_running_count
    t1=$(now_ms)
    echo "podman $podman_version kube play of $PM_PODS pods -> all Running: $((t1 - t0)) ms (no resident agent: a conmon per container)"
    read -r p50 p99 < <(time_calls "$PM_CALLS" "${PODMAN[@]}" pod ps | p50_p99)
    "${PODMAN[@]}" system service --time 0 "unix://$BENCH_DIR/podman.sock" >"$BENCH_DIR/podman-service.log" 2>&1 &
    SERVICE=$!
    for _ in $(seq 200); do [ -S "$BENCH_DIR/podman.sock" ] && break; sleep 0.05; done
    read -r s50 s99 < <(curl_times "$BENCH_DIR/podman.sock" http://localhost/v4.0.0/libpod/pods/json "$PM_CALLS" | p50_p99)
    kill "$SERVICE"; wait "$SERVICE" 2>/dev/null || true
    echo "listing $PM_PODS podman pods, $PM_CALLS calls each:"
    echo "  podman pod ps (whole command):      $(ms "$p50" "$p99")"
    echo "  podman system service, GET /libpod/pods/json alone: $(ms "$s50" "$s99")"
    "${PODMAN[@]}" pod rm -a -f -t 0 >/dev/null
fi
