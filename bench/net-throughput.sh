#!/bin/bash
# Pod networking, orc next to rootless podman (slirp4netns + rootlessport) in one run:
# host -> pod through a published port, pod -> host through 10.0.2.2, plain loopback as the
# ceiling, connection set-up through the forwarder, and the memory of the network helpers.
# Rounds alternate orc, podman and loopback, so that a noisy moment hits all; medians shown.
# T: seconds per iperf3 run (default 10); R: rounds (default 3); N: connections (1000).
source "$(dirname "$0")/lib.sh"
T=${T:-10} R=${R:-3} N=${N:-1000}
command -v iperf3 >/dev/null && command -v python3 >/dev/null || { echo "needs iperf3 and python3" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])'; }
gbits() { jq -r '.end.sum_received.bits_per_second / 1e9 | . * 100 | round / 100'; }
median() { tr ' ' '\n' | grep -v '^-*$' | sort -g | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : "-"}'; }
wait_port() { for _ in $(seq 200); do python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
wait_http() { for _ in $(seq 200); do busybox wget -qO- "http://127.0.0.1:$1/" 2>/dev/null | grep -q hello && return 0; sleep 0.05; done; return 1; }
# iperf3 client to 127.0.0.1:PORT [congestion control], retried while the server behind a
# forwarder comes up
iperf_to() {
    local out
    for _ in $(seq 40); do
        out=$(iperf3 -c 127.0.0.1 -p "$1" -t "$T" ${2:+-C "$2"} -J 2>/dev/null) && { gbits <<<"$out"; return; }
        sleep 0.25
    done
    echo "iperf3 to port $1 failed: $(jq -r .error <<<"$out" 2>/dev/null)" >&2
    echo -
}
# HTTP request round trips, a new connection each: "median p90" in microseconds
latency() {
    python3 - "$1" "$N" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
ts = []
for _ in range(n):
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    while s.recv(65536):
        pass
    s.close()
    ts.append((time.perf_counter() - t0) * 1e6)
ts.sort()
print(int(ts[len(ts) // 2]), int(ts[int(len(ts) * 0.9)]))
PY
}

"$SRC/bench/build-iperf3-image.sh" "$BENCH_DIR/iperf3" "$BENCH_DIR/iperf3.tar" >/dev/null
"$ORC" image load "$BENCH_DIR/iperf3" >/dev/null
P_IN=$(free_port) P_WEB=$(free_port) P_OUT=$(free_port) P_HOSTWEB=$(free_port)
PM_IN=$(free_port) PM_WEB=$(free_port)
mkdir -p "$BENCH_DIR/www" && echo hello >"$BENCH_DIR/www/index.html"
busybox httpd -f -p "127.0.0.1:$P_HOSTWEB" -h "$BENCH_DIR/www" &
HOSTWEB=$!
iperf3 -s -p "$P_OUT" -B 127.0.0.1 >/dev/null 2>&1 &  # for outbound runs and the baseline
SERVER=$!
trap 'kill $HOSTWEB $SERVER 2>/dev/null; bench_cleanup' EXIT

cat >"$BENCH_DIR/in.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: iperf-in}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: iperf3
      image: localhost/iperf3:latest
      command: ["iperf3", "-s", "-p", "5201"]
      ports: [{containerPort: 5201, hostPort: $P_IN}]
    - name: web
      image: localhost/iperf3:latest
      command: ["sh", "-c", "echo hello > /www/index.html; exec httpd -f -p 80 -h /www"]
      ports: [{containerPort: 80, hostPort: $P_WEB}]
YAML
"$ORC" apply -f "$BENCH_DIR/in.yaml" >/dev/null
wait_http "$P_WEB" || { echo "orc pod did not publish its ports" >&2; exit 1; }
podman_setup
if $have_podman && "${PODMAN[@]}" load -i "$BENCH_DIR/iperf3.tar" >/dev/null 2>&1; then
    "${PODMAN[@]}" run -d --name pin -p "$PM_IN:5201" -p "$PM_WEB:80" localhost/iperf3:latest \
        sh -c 'echo hello > /www/index.html; httpd -p 80 -h /www; exec iperf3 -s -p 5201' >/dev/null
    wait_http "$PM_WEB" || have_podman=false
else
    have_podman=false
fi
wait_port "$P_OUT"

# The host's TCP congestion control governs the client's hop. BBR paces, which caps even the
# plain loopback on some machines; distributions default to cubic. When the default is not
# reno, each round also measures with a reno client, as a cubic machine would see it.
CC=$(cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null || echo unknown)
ALT_CC=
[ "$CC" = reno ] || ALT_CC=reno
orc_in=() orc_out=() pm_in=() pm_out=() lo=() orc_in2=() pm_in2=() lo2=()
for round in $(seq "$R"); do
    echo "# round $round/$R"
    orc_in+=("$(iperf_to "$P_IN")")
    ! $have_podman || pm_in+=("$(iperf_to "$PM_IN")")
    lo+=("$(iperf_to "$P_OUT")")
    if [ -n "$ALT_CC" ]; then
        orc_in2+=("$(iperf_to "$P_IN" "$ALT_CC")")
        ! $have_podman || pm_in2+=("$(iperf_to "$PM_IN" "$ALT_CC")")
        lo2+=("$(iperf_to "$P_OUT" "$ALT_CC")")
    fi
    sed "s/NAME/out$round/; s/PORT/$P_OUT/; s/SECS/$T/" >"$BENCH_DIR/out.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  restartPolicy: Never
  containers:
    - name: iperf3
      image: localhost/iperf3:latest
      command: ["iperf3", "-c", "10.0.2.2", "-p", "PORT", "-t", "SECS", "-J"]
YAML
    "$ORC" apply -f "$BENCH_DIR/out.yaml" >/dev/null
    until [ "$("$ORC" get pod "out$round" -o json | jq -r .status.phase)" = Succeeded ]; do sleep 0.5; done
    orc_out+=("$("$ORC" logs "out$round" | gbits)")
    "$ORC" delete pod "out$round" >/dev/null
    ! $have_podman || pm_out+=("$("${PODMAN[@]}" run --rm \
        --network slirp4netns:allow_host_loopback=true,mtu=65520 localhost/iperf3:latest \
        iperf3 -c 10.0.2.2 -p "$P_OUT" -t "$T" -J | gbits)")
done

read -r orc_lat orc_lat90 < <(latency "$P_WEB")
read -r lo_lat lo_lat90 < <(latency "$P_HOSTWEB")
pm_lat=- pm_lat90=- pm_kb=-
uid=$("$ORC" get pod iperf-in -o json | jq -r .metadata.uid)
orc_slirp_kb=$(pss "$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/slirp/$uid-eth0.json")")
orc_fwd_kb=$(pss "$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/port-forward/$uid-eth0.json")")
if $have_podman; then
    read -r pm_lat pm_lat90 < <(latency "$PM_WEB")
    # the container's network helpers: its slirp4netns and rootlessport (parent and child)
    cpid=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' pin)
    pm_kb=$(pss $(pgrep -u "$(id -u)" -f "slirp4netns.* $cpid( |$)") $(pgrep -u "$(id -u)" -x rootlessport))
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }
row() { printf '%-46s %9s %9s %9s %11s\n' "$@"; }
m_oi=$(echo "${orc_in[*]}" | median) m_pi=$(echo "${pm_in[*]:-}" | median)
m_oo=$(echo "${orc_out[*]}" | median) m_po=$(echo "${pm_out[*]:-}" | median)
m_lo=$(echo "${lo[*]}" | median)
m_oi2=$(echo "${orc_in2[*]:-}" | median) m_pi2=$(echo "${pm_in2[*]:-}" | median)
m_lo2=$(echo "${lo2[*]:-}" | median)
net_kb=$((orc_slirp_kb + orc_fwd_kb))
echo
echo "medians of $R rounds of ${T}s (all rounds: orc in ${orc_in[*]}; podman in ${pm_in[*]:-}; orc out ${orc_out[*]}; podman out ${pm_out[*]:-}; loopback ${lo[*]})"
row "" orc "podman${podman_version:+ $podman_version}" loopback orc/podman
row "host -> pod, published port (Gbit/s)" "$m_oi" "$m_pi" "$m_lo" "$(ratio "$m_oi" "$m_pi")"
[ -z "$ALT_CC" ] || row "  the same, $ALT_CC client (Gbit/s)" "$m_oi2" "$m_pi2" "$m_lo2" "$(ratio "$m_oi2" "$m_pi2")"
row "pod -> host via 10.0.2.2 (Gbit/s)" "$m_oo" "$m_po" "$m_lo" "$(ratio "$m_oo" "$m_po")"
row "HTTP GET on a new connection, median (us)" "$orc_lat" "$pm_lat" "$lo_lat" "$(ratio "$orc_lat" "$pm_lat")"
row "HTTP GET on a new connection, p90 (us)" "$orc_lat90" "$pm_lat90" "$lo_lat90" "$(ratio "$orc_lat90" "$pm_lat90")"
row "network helpers of one pod, PSS (kB)" "$net_kb" "$pm_kb" "-" "$(ratio "$net_kb" "$pm_kb")"
echo "  orc helpers: slirp $orc_slirp_kb kB + port-forward $orc_fwd_kb kB (after the traffic above)"
echo "  inbound is $(ratio "$m_oi" "$m_lo") of loopback${ALT_CC:+ ($(ratio "$m_oi2" "$m_lo2") with a $ALT_CC client)}; the forwarder adds a second TCP hop, as rootlessport does"
echo "  host congestion control: $CC (the client's hop); orc's hop into the pod: reno${ALT_CC:+; $ALT_CC rounds: orc ${orc_in2[*]}; podman ${pm_in2[*]:-}; loopback ${lo2[*]}}"
awk -v i="$m_oi" -v o="$m_oo" 'BEGIN {printf "  targets: inbound >= 18 Gbit/s %s, outbound >= 4 Gbit/s %s\n", (i >= 18 ? "met" : "NOT met"), (o >= 4 ? "met" : "NOT met")}'
