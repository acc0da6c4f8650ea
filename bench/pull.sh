#!/bin/bash
# Pull and unpack of a ~50 MB image from a registry on loopback, cold and warm: orc next to
# skopeo (copy into an OCI layout) and rootless podman (pull into its store), in one run;
# then the disk N pods from that image use beyond their own writes.
# N (pods, default 5), MB (image payload, default 50), R (rounds, default 3).
source "$(dirname "$0")/lib.sh"
N=${N:-5} MB=${MB:-58} R=${R:-3}
for t in docker-registry skopeo python3; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }; done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : "-"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }

PORT=$(free_port)
mkdir -p "$BENCH_DIR/reg"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
    "$BENCH_DIR/reg/data" "$PORT" >"$BENCH_DIR/reg/config.yml"
docker-registry serve "$BENCH_DIR/reg/config.yml" >"$BENCH_DIR/reg/log" 2>&1 &
REG=$!
trap 'kill $REG 2>/dev/null; bench_cleanup' EXIT
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.05; done

# the image: busybox plus a layer of MB of files, 80 % incompressible, 20 % text
for l in 1 2 3; do
    d=$BENCH_DIR/layer$l
    mkdir -p "$d/data"
    head -c $((MB * 1024 * 1024 * 4 / 15)) /dev/urandom >"$d/data/random$l" || true
    { find /usr/share/doc /usr/include -type f 2>/dev/null | sort | xargs cat 2>/dev/null |
        head -c $((MB * 1024 * 1024 / 15)) >"$d/data/text$l"; } || true # head ends the pipe
done
"$SRC/tests/e2e/build-test-image.sh" "$BENCH_DIR/base" >/dev/null
mkdir -p "$BENCH_DIR/payload"
cp -r "$BENCH_DIR"/layer*/data "$BENCH_DIR/payload/" 2>/dev/null || true
for l in 1 2 3; do cp "$BENCH_DIR/layer$l/data/"* "$BENCH_DIR/payload/data/"; done
"$SRC/tests/e2e/build-test-image.sh" "$BENCH_DIR/img1" localhost/b:1 --add-layer "$BENCH_DIR/payload" >/dev/null
skopeo copy --dest-tls-verify=false "oci:$BENCH_DIR/img1" "docker://127.0.0.1:$PORT/bench/big:1" >/dev/null
REF=127.0.0.1:$PORT/bench/big:1
size=$(skopeo inspect --raw --tls-verify=false "docker://$REF" | jq '[.layers[].size] | add')
echo "image: $REF, $((size / 1024 / 1024)) MB compressed"

orc_cold=() orc_warm=() sk_cold=() sk_warm=() pm_cold=() pm_warm=()
have_podman=false
command -v podman >/dev/null && have_podman=true
for round in $(seq "$R"); do
    echo "# round $round/$R"
    "$ORC" image prune >/dev/null
    orc_cold+=("$(ms "$ORC" pull "$REF")")
    orc_warm+=("$(ms "$ORC" pull "$REF")")
    rm -rf "$BENCH_DIR/oci"
    sk_cold+=("$(ms skopeo copy --src-tls-verify=false "docker://$REF" "oci:$BENCH_DIR/oci:big")")
    sk_warm+=("$(ms skopeo copy --src-tls-verify=false "docker://$REF" "oci:$BENCH_DIR/oci:big")")
    if $have_podman; then
        "${PODMAN[@]}" rmi -af >/dev/null 2>&1
        pm_cold+=("$(ms "${PODMAN[@]}" pull --tls-verify=false "$REF")") || have_podman=false
        pm_warm+=("$(ms "${PODMAN[@]}" pull --tls-verify=false "$REF")")
    fi
done

# N pods from the image, each writing 1 MiB: the store should grow by about N MiB
store=$XDG_DATA_HOME/orc/storage
du_kb() { { du -sk "$store" 2>/dev/null || true; } | cut -f1; } # overlay work dirs are unreadable
before=$(du_kb)
for i in $(seq "$N"); do
    cat >"$BENCH_DIR/d$i.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: disk$i}
spec:
  restartPolicy: Never
  containers:
    - {name: c, image: "$REF", command: ["sh", "-c", "head -c 1048576 /dev/zero > /tmp/written; sync"]}
YAML
    "$ORC" apply -f "$BENCH_DIR/d$i.yaml" >/dev/null
done
for i in $(seq "$N"); do
    until [ "$("$ORC" get pod "disk$i" -o json | jq -r .status.phase)" = Succeeded ]; do sleep 0.2; done
done
after=$(du_kb)

m_oc=$(echo "${orc_cold[*]}" | median) m_ow=$(echo "${orc_warm[*]}" | median)
m_sc=$(echo "${sk_cold[*]}" | median) m_sw=$(echo "${sk_warm[*]}" | median)
m_pc=$(echo "${pm_cold[*]:-}" | median) m_pw=$(echo "${pm_warm[*]:-}" | median)
echo
echo "medians of $R rounds, ms (orc: ${orc_cold[*]} / ${orc_warm[*]}; skopeo: ${sk_cold[*]} / ${sk_warm[*]}; podman: ${pm_cold[*]:-} / ${pm_warm[*]:-})"
printf '%-34s %8s %8s %8s %12s %12s\n' "" orc skopeo podman orc/skopeo orc/podman
printf '%-34s %8s %8s %8s %12s %12s\n' "cold pull (download + unpack*)" "$m_oc" "$m_sc" "$m_pc" "$(ratio "$m_oc" "$m_sc")" "$(ratio "$m_oc" "$m_pc")"
printf '%-34s %8s %8s %8s %12s %12s\n' "warm pull (all present)" "$m_ow" "$m_sw" "$m_pw" "$(ratio "$m_ow" "$m_sw")" "$(ratio "$m_ow" "$m_pw")"
echo "  * skopeo copies into an OCI layout and unpacks nothing; orc and podman unpack the layers"
echo "disk: $N pods from the image, each writing 1 MiB: store grew by $(((after - before) / 1024)) MiB ($((after - before)) kB)"
