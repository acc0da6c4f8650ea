#!/bin/bash
# Memory each pod adds: PSS of every process a pod brings besides its workload, averaged over
# N pods. orc: its orc-shim and its slirp network helper (a pod with hostPorts adds a
# forwarder, measured by net-throughput.sh). Rootless podman, same manifests in the same
# run through `kube play`: a conmon per container (the infra one included) and the infra
# container's catatonit; podman 4 runs one slirp4netns for all its pods (its rootless
# network namespace), shown apart as shared.
source "$(dirname "$0")/lib.sh"
N=${N:-10}
podman_setup
for i in $(seq "$N"); do pod_yaml "m$i" >"$BENCH_DIR/m$i.yaml"; "$ORC" apply -f "$BENCH_DIR/m$i.yaml" >/dev/null; done
for i in $(seq "$N"); do
    until orc_running "m$i"; do sleep 0.05; done
done
shims=$(pss $(pgrep -f "orc-shim run .*$XDG_RUNTIME_DIR"))
helpers=$(pss $(cat "$XDG_RUNTIME_DIR"/orc-cni/slirp/*.json | jq -r .pid))
per_shim=$((shims / N)) per_net=$((helpers / N))
per=$((per_shim + per_net))
holder=$(jq -r .pid "$XDG_RUNTIME_DIR/orc/userns.json")
hpss=$(pss "$holder")
echo "per-pod memory (PSS), $N pods: $per kB per pod = orc-shim $per_shim kB + slirp helper $per_net kB"
echo "shared once per user: user-namespace holder $hpss kB"
if $have_podman; then
    # measured while orc's pods still run: both sets share the machine's page cache alike
    conmon=0 infra=0
    for i in $(seq "$N"); do
        "${PODMAN[@]}" kube play "$BENCH_DIR/m$i.yaml" >/dev/null
        infra_id=$("${PODMAN[@]}" pod inspect "m$i" --format '{{.InfraContainerID}}')
        infra_pid=$("${PODMAN[@]}" inspect "$infra_id" --format '{{.State.Pid}}')
        cids=$("${PODMAN[@]}" ps -a --no-trunc --filter "pod=m$i" --format '{{.ID}}')
        for c in $cids; do conmon=$((conmon + $(pss $(pgrep -f "conmon .*-c $c")))); done
        infra=$((infra + $(pss "$infra_pid")))
    done
    pm=$(((conmon + infra) / N))
    net=$(pss $(pgrep -u "$(id -u)" -f "slirp4netns .*$XDG_RUNTIME_DIR"))
    echo "podman $podman_version, $N pods: $pm kB per pod = conmon $((conmon / N)) kB + infra $((infra / N)) kB; shared: slirp4netns $net kB"
    awk -v p="$per" -v q="$pm" 'BEGIN {printf "  orc uses %.0f%% of podman'"'"'s per-pod memory\n", 100 * p / q}'
fi
awk -v p="$per" 'BEGIN {printf "  target < 600 kB: %s\n", (p < 600 ? "met" : "NOT met")}'
