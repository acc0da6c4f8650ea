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
    for p in $("$ORC" get pods -o name 2>/dev/null); do "$ORC" delete "${p%%/*}" "${p#*/}" --grace-period 0 >/dev/null 2>&1; done
    [ -n "$ORCD_PID" ] && kill "$ORCD_PID" && wait "$ORCD_PID" 2>/dev/null
    holder=$(jq -r .pid "$XDG_RUNTIME_DIR/orc/userns.json" 2>/dev/null)
    [ -n "$holder" ] && kill "$holder" 2>/dev/null
    # podman's store holds files of subordinate ids: only podman can remove it
    [ -d "$BENCH_DIR/podman" ] && "${PODMAN[@]}" system reset -f >/dev/null 2>&1
    rm -rf "$BENCH_DIR"
}
trap bench_cleanup EXIT

"$ORCD" >"$BENCH_DIR/orcd.log" 2>&1 &
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

# whether pod NAME is Running, as the API reports it (grep: jq's start-up would be timed too)
orc_running() { "$ORC" get pod "$1" -o json | grep -q '"phase": *"Running"'; }

# total PSS in kB of the processes PID...; one that is gone counts 0
pss() { local t=0 p; for p in "$@"; do t=$((t + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0))); done; echo $t; }

# median and 90th percentile of numbers on stdin
stats() { sort -n | awk '{a[NR]=$1} END {printf "%d %d\n", a[int((NR+1)/2)], a[int(NR*0.9+0.5)]}'; }

# Rootless podman beside orc, in the same run: its own store below the benchmark's directory,
# cgroupfs and file events (no systemd session needed), the same busybox image. Sets
# have_podman and PODMAN; bench_cleanup removes podman's store.
PODMAN=(podman --root "$BENCH_DIR/podman/root" --runroot "$BENCH_DIR/podman/run"
        --cgroup-manager cgroupfs --events-backend file)
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
