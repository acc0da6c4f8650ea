# Shared set-up for the benchmarks: a private orcd for the current (unprivileged) user.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
ORCD=${ORCD:-$BUILD/agent/orcd}
ORC=${ORC:-$BUILD/agent/cli/orc}
[ -x "$ORCD" ] && [ -x "$ORC" ] || { echo "build orc first (cmake -B build && cmake --build build)" >&2; exit 1; }
[ "$(id -u)" != 0 ] || { echo "run the benchmarks as an unprivileged user" >&2; exit 1; }

BENCH_DIR=$(mktemp -d /tmp/orc-bench.XXXXXX)
export XDG_RUNTIME_DIR=$BENCH_DIR/run XDG_DATA_HOME=$BENCH_DIR/data XDG_CONFIG_HOME=$BENCH_DIR/config
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
ORCD_PID=
bench_cleanup() {
    set +e
    pods=$("$ORC" get pods -o name 2>/dev/null)  # pod/NAME lines: one delete waits for all
    # shellcheck disable=SC2086
    [ -n "$pods" ] && "$ORC" delete $pods --grace-period 0 >/dev/null 2>&1
    [ -n "$ORCD_PID" ] && kill "$ORCD_PID" && wait "$ORCD_PID" 2>/dev/null
    holder=$(jq -r .pid "$XDG_RUNTIME_DIR/orc/userns.json" 2>/dev/null)
    [ -n "$holder" ] && kill "$holder" 2>/dev/null
    # podman's store holds files of subordinate ids: only podman can remove it
    [ -d "$BENCH_DIR/podman" ] && "${PODMAN[@]}" system reset -f >/dev/null 2>&1
    rm -rf "$BENCH_DIR"
}
trap bench_cleanup EXIT

# shellcheck disable=SC2086 # ORCD_ARGS: extra flags for orcd, split on blanks
"$ORCD" ${ORCD_ARGS:-} >"$BENCH_DIR/orcd.log" 2>&1 &
ORCD_PID=$!
for _ in $(seq 200); do "$ORC" version >/dev/null 2>&1 && break; sleep 0.05; done
"$SRC/tests/e2e/build-test-image.sh" "$BENCH_DIR/busybox" localhost/busybox:latest \
    --docker-archive "$BENCH_DIR/busybox.tar"
"$ORC" image load "$BENCH_DIR/busybox" >/dev/null

now_ms() { echo $(($(date +%s%N) / 1000000)); }

pod_yaml() { # name
    cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 10
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"]
YAML
}

# COUNT pods PREFIX1..PREFIXCOUNT as one multi-document stream
pods_yaml() { # prefix count
    local i
    for i in $(seq "$2"); do
        [ "$i" = 1 ] || echo ---
        pod_yaml "$1$i"
    done
}

# whether pod NAME is Running, as the API reports it (grep: jq's start-up would be timed too)
orc_running() { "$ORC" get pod "$1" -o json | grep -q '"phase": *"Running"'; }
# how many pods of the namespace the API reports Running
orc_running_count() { "$ORC" get pods -o json | grep -c '"phase": *"Running"' || true; }
# polls COMMAND every INTERVAL s until it prints at least N; fails after LIMIT s
wait_count() { # n interval limit command...
    local n=$1 iv=$2 limit=$3 end=$((EPOCHSECONDS + $3)) c
    shift 3
    until c=$("$@") && [ "$c" -ge "$n" ]; do
        [ "$EPOCHSECONDS" -lt "$end" ] || { echo "gave up: $c of $n after $limit s ($*)" >&2; return 1; }
        sleep "$iv"
    done
}

# total PSS in kB of the processes PID...; one that is gone counts 0
pss() { local t=0 p; for p in "$@"; do t=$((t + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0))); done; echo $t; }

# median and 90th percentile of numbers on stdin
stats() { sort -n | awk '{a[NR]=$1} END {printf "%d %d\n", a[int((NR+1)/2)], a[int(NR*0.9+0.5)]}'; }
# median and 99th percentile (nearest rank) of numbers on stdin
p50_p99() { sort -g | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i < NR*0.99) i++; print a[int((NR+1)/2)], a[i]}'; }

# Rootless podman beside orc, in the same run: its own store below the benchmark's directory,
# cgroupfs and file events (no systemd session needed), the same busybox image. Pinned to
# what orc uses: native overlayfs (with a --root of its own, podman 4 picks vfs, which copies
# every image per container) and runc (podman picks crun where it is installed). Sets
# have_podman and PODMAN; bench_cleanup removes podman's store.
PODMAN=(podman --root "$BENCH_DIR/podman/root" --runroot "$BENCH_DIR/podman/run"
        --storage-driver overlay --runtime runc --cgroup-manager cgroupfs --events-backend file)
have_podman=false
podman_version=
podman_setup() {
    if command -v podman >/dev/null && "${PODMAN[@]}" load -i "$BENCH_DIR/busybox.tar" >/dev/null 2>&1; then
        have_podman=true
        podman_version=$(podman --version | awk '{print $3}')
    else
        echo "rootless podman: not available here (command missing or 'podman load' failed)" >&2
    fi
}
# whether podman's pod NAME is Running; how many of its pods are
pm_running() { [ "$("${PODMAN[@]}" pod inspect "$1" --format '{{.State}}' 2>/dev/null)" = Running ]; }
pm_running_count() { "${PODMAN[@]}" pod ps --format '{{.Status}}' | grep -c '^Running' || true; }
