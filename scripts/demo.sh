#!/bin/bash
# Builds orc and runs a demo pod rootless: starts orcd with private state, loads a busybox
# image built from Debian's busybox-static, applies manifests/examples/pod.yaml, shows
# `orc get pods`, `orc logs` and `orc describe`, then deletes the pod and stops orcd.
# As root it first installs the dependencies and runs the demo as the unprivileged user
# `orc-demo` (created with a subordinate uid/gid range): orc itself never needs root.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
DEMO_USER=orc-demo
WORK=/var/tmp/orc-demo

if [ "$(id -u)" = 0 ] && [ "${1:-}" != --as-user ]; then
    "$SRC/scripts/install-deps.sh" >/dev/null
    id "$DEMO_USER" >/dev/null 2>&1 || useradd -m -s /bin/bash "$DEMO_USER"
    grep -q "^$DEMO_USER:" /etc/subuid || usermod --add-subuids 300000-365535 "$DEMO_USER"
    grep -q "^$DEMO_USER:" /etc/subgid || usermod --add-subgids 300000-365535 "$DEMO_USER"
    # what distributions ship: a tun device every user may open (pod networking)
    [ -c /dev/net/tun ] && chmod 0666 /dev/net/tun
    rm -rf "$WORK" && mkdir -p "$WORK" && cp -a "$SRC/." "$WORK/src"
    rm -rf "$WORK/src/build"
    chown -R "$DEMO_USER:" "$WORK"
    exec runuser -u "$DEMO_USER" -- env -i PATH="$PATH" HOME="/home/$DEMO_USER" LANG=C.UTF-8 \
        bash "$WORK/src/scripts/demo.sh" --as-user
fi

cd "$SRC"
echo "== building orc"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 >/dev/null
export PATH=$SRC/build/agent:$SRC/build/agent/cli:$SRC/build/runtime-shim:$PATH

STATE=$(mktemp -d /tmp/orc-demo.XXXXXX)
export XDG_RUNTIME_DIR=$STATE/run XDG_DATA_HOME=$STATE/data XDG_CONFIG_HOME=$STATE/config
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
ORCD_PID=
cleanup() {
    [ -n "$ORCD_PID" ] && kill "$ORCD_PID" 2>/dev/null && wait "$ORCD_PID" 2>/dev/null
    # (orcd stops it itself when no pod is left; a pod the demo left would keep it)
    holder=$(jq -r .pid "$XDG_RUNTIME_DIR/orc/userns.json" 2>/dev/null || true)
    [ -n "$holder" ] && kill "$holder" 2>/dev/null
    rm -rf "$STATE"
}
trap cleanup EXIT

echo "== starting orcd as $(id -un) (uid $(id -u)), state in $STATE"
orcd >"$STATE/orcd.log" 2>&1 &
ORCD_PID=$!
for _ in $(seq 100); do orc version >/dev/null 2>&1 && break; sleep 0.1; done
orc version

echo "== loading a busybox image built from Debian's busybox-static"
tests/e2e/build-test-image.sh "$STATE/busybox"
orc image load "$STATE/busybox"
orc images

echo "== orc apply -f manifests/examples/pod.yaml"
orc apply -f manifests/examples/pod.yaml
for _ in $(seq 100); do
    [ "$(orc get pod hello -o json | jq -r .status.phase)" = Running ] && break
    sleep 0.1
done
for _ in $(seq 50); do orc logs hello | grep -q running && break; sleep 0.1; done
echo "== orc get pods"
orc get pods
echo "== orc logs hello"
orc logs hello
echo "== orc describe pod hello"
orc describe pod hello
echo "== orc delete pod hello"
orc delete pod hello
echo "== done: the pod ran rootless in a user namespace (root inside = $(id -un) outside)"
