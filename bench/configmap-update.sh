#!/bin/bash
# The delay from `orc apply` of a changed ConfigMap to its new content in a running pod's
# configMap volume (kubelet: up to its sync period plus its ConfigMap cache's TTL, about a
# minute; target here: 1 s at most). One busybox pod mounts the ConfigMap at /etc/config;
# N times (default 20) the ConfigMap's value changes, and the time is taken from just before
# the apply until the container's view of /etc/config/value (read through
# /proc/PID/root, so through the pod's own mounts and the volume's ..data symlink) shows
# it. Printed: median, p90 and the slowest, in ms.
N=${N:-20}
source "$(dirname "$0")/lib.sh"

cm_yaml() { # value
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bench-config}\ndata:\n  value: "%s"\n' "$1"
}
cm_yaml 0 >"$BENCH_DIR/cm.yaml"
"$ORC" apply -f "$BENCH_DIR/cm.yaml" >/dev/null
cat >"$BENCH_DIR/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"]
      volumeMounts:
        - {name: config, mountPath: /etc/config}
  volumes:
    - name: config
      configMap: {name: bench-config}
YAML
"$ORC" apply -f "$BENCH_DIR/pod.yaml" >/dev/null
wait_count 1 0.05 60 orc_running_count >/dev/null
uid=$("$ORC" get pod reader -o json | jq -r .metadata.uid)
shim=$(cat "$XDG_RUNTIME_DIR/orc/pods/$uid/shim.pid")
pid=$(pgrep -P "$shim" -f 'while :' | head -1)
file=/proc/$pid/root/etc/config/value
[ -r "$file" ] || { echo "cannot read $file" >&2; exit 1; }

now_us() { echo "${EPOCHREALTIME/./}"; }
# polls the container's file until it holds VALUE (bash builtins: no fork between reads);
# gives up after 120 s
wait_value() { # value start-us
    local v=
    while :; do
        v= # the value has no newline: read reports end of file with v set
        read -r v <"$file" 2>/dev/null || true
        [ "$v" = "$1" ] && return 0
        [ $(($(now_us) - $2)) -lt 120000000 ] || { echo "gave up waiting for value $1" >&2; return 1; }
        sleep 0.002
    done
}

: >"$BENCH_DIR/times"
for i in $(seq "$N"); do
    cm_yaml "$i" >"$BENCH_DIR/cm.yaml"
    t0=$(now_us)
    "$ORC" apply -f "$BENCH_DIR/cm.yaml" >/dev/null
    wait_value "$i" "$t0"
    echo $((($(now_us) - t0) / 1000)) >>"$BENCH_DIR/times"
done
read -r med p90 < <(stats <"$BENCH_DIR/times")
max=$(sort -n "$BENCH_DIR/times" | tail -1)
echo "configmap-update: apply of a changed ConfigMap -> new content in the pod's volume, N=$N"
echo "  median ${med} ms, p90 ${p90} ms, slowest ${max} ms (target <= 1000 ms; kubelet: up to ~60 s)"
