#!/bin/bash
# Pod networking end to end: outbound to the host's loopback through 10.0.2.2, DNS through
# 10.0.2.3 to a configured upstream (dnsmasq on loopback), hostPorts (TCP and UDP) from the
# host, two pods reaching each other through the gateway, a port conflict, a killed slirp
# helper, and nothing left behind after delete.
source "$(dirname "$0")/lib.sh"
setup
command -v dnsmasq >/dev/null || skip "dnsmasq missing (package dnsmasq-base)"
command -v socat >/dev/null || skip "socat missing"
command -v cc >/dev/null || skip "a C compiler is needed to build the UDP echo workload"
command -v python3 >/dev/null || skip "python3 missing"
[ -r /dev/net/tun ] && [ -w /dev/net/tun ] || skip "/dev/net/tun is not usable (mode 0666)"

# A free port (the kernel's pick), for servers and hostPorts of this test.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])'; }
# Whether PROTO port PORT can be bound on every address again.
port_bindable() {
    python3 -c 'import socket,sys; t=socket.SOCK_STREAM if sys.argv[1]=="tcp" else socket.SOCK_DGRAM
s=socket.socket(socket.AF_INET,t); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("0.0.0.0",int(sys.argv[2])))' "$1" "$2"
}

DNS_PORT=$(free_port); HOST_PORT=$(free_port); TCP_PORT=$(free_port); UDP_PORT=$(free_port)
B_PORT=$(free_port)
dnsmasq --keep-in-foreground --no-resolv --no-hosts --port="$DNS_PORT" --listen-address=127.0.0.1 \
    --bind-interfaces --address=/svc.test/192.0.2.7 --pid-file= --conf-file=/dev/null \
    2>"$TEST_DIR/dnsmasq.log" &
DNSMASQ=$!
mkdir -p "$TEST_DIR/www" && echo "host-says-hello" >"$TEST_DIR/www/index.html"
busybox httpd -f -p "127.0.0.1:$HOST_PORT" -h "$TEST_DIR/www" &
HTTPD=$!
on_cleanup "kill $DNSMASQ $HTTPD"

# the user's own configuration list, with the test's DNS server as upstream
mkdir -p "$XDG_CONFIG_HOME/orc"
sed "s/\"hostLoopback\": true/\"hostLoopback\": true, \"dnsUpstream\": \"127.0.0.1:$DNS_PORT\"/" \
    "$ORC_SOURCE_DIR/manifests/cni/orc.conflist" >"$XDG_CONFIG_HOME/orc/orc.conflist"
grep -q dnsUpstream "$XDG_CONFIG_HOME/orc/orc.conflist" || fail "test conflist not written"

echo "# a broken configuration list stops the agent with a precise message"
printf '%s\n' '{"cniVersion": "1.0.0", "name": "x", "plugins": [{"type": "../evil"}]}' >"$TEST_DIR/bad.conflist"
expect_exit 1 timeout 20 "$ORCD" --cni-conf "$TEST_DIR/bad.conflist"
assert_contains "$out" "bad.conflist: plugins[0].type: '../evil' is not a plain name" "bad type"
printf '{"cniVersion": "1.0.0", "name":' >"$TEST_DIR/bad.conflist"
expect_exit 1 timeout 20 "$ORCD" --cni-conf "$TEST_DIR/bad.conflist"
assert_contains "$out" "bad.conflist:1:" "truncated JSON names the file and line"
[ ! -e "$XDG_RUNTIME_DIR/orc/userns.json" ] || fail "a refused start left a namespace holder"

start_orcd
mkdir -p "$TEST_DIR/layer/bin"
cc -static -O2 -o "$TEST_DIR/layer/bin/udp-echo" "$ORC_SOURCE_DIR/tests/e2e/udp-echo.c" \
    || fail "cannot build udp-echo"
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/nettest" localhost/nettest:latest \
    --add-layer "$TEST_DIR/layer" >/dev/null
"$ORC" image load "$TEST_DIR/nettest" >/dev/null || fail "image load failed"

apply_yaml a.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: net-a}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: server
      image: localhost/nettest:latest
      command: ["sh", "-c", "echo pod-a-says-hello > /www/index.html; udp-echo 9090 & exec httpd -f -p 8080 -h /www"]
      ports:
        - {containerPort: 8080, hostPort: $TCP_PORT}
        - {containerPort: 9090, hostPort: $UDP_PORT, protocol: UDP}
    - name: probe
      image: localhost/nettest:latest
      command: ["sh", "-c", "cat /etc/resolv.conf /etc/hosts; nslookup www.svc.test; while true; do if timeout 3 wget -qO- http://10.0.2.2:$HOST_PORT/; then echo OUT-OK; else echo OUT-FAIL; fi; sleep 1; done"]
YAML
wait_for_phase net-a Running 30

echo "# pod status and files"
assert_eq "$(pod_field net-a .status.podIP)" "10.0.2.100" "status.podIP"
wait_for 20 sh -c "'$ORC' logs net-a -c probe | grep -q OUT-" || fail "probe never ran: $("$ORC" logs net-a -c probe)"
logs=$("$ORC" logs net-a -c probe)
assert_contains "$logs" "nameserver 10.0.2.3" "resolv.conf points at slirp's DNS"
assert_contains "$logs" $'10.0.2.100\tnet-a' "/etc/hosts names the pod"
echo "# outbound through 10.0.2.2 and DNS through 10.0.2.3"
assert_contains "$logs" "host-says-hello" "a container reaches the host's loopback through 10.0.2.2"
assert_contains "$logs" "192.0.2.7" "names resolve through 10.0.2.3 via the configured upstream"

echo "# inbound through hostPorts"
wait_for 10 sh -c "busybox wget -qO- http://127.0.0.1:$TCP_PORT/ | grep -q pod-a-says-hello" \
    || fail "hostPort $TCP_PORT/TCP does not answer"
# udp-echo starts beside httpd, so it may bind a moment later: ask until it answers
udp_ask() { echo "$1" | socat -t 1 - "UDP:127.0.0.1:$UDP_PORT" 2>&1; }
wait_for 10 sh -c "echo ping | socat -t 1 - UDP:127.0.0.1:$UDP_PORT | grep -qx echo:ping" \
    || fail "hostPort $UDP_PORT/UDP does not answer: $(udp_ask ping)"
assert_eq "$(udp_ask again)" "echo:again" "hostPort $UDP_PORT/UDP answers"

echo "# many short connections in a row: the forwarder keeps serving"
# both ends of a finished connection often wake the forwarder in one batch of events
for i in $(seq 200); do
    busybox wget -qO- "http://127.0.0.1:$TCP_PORT/" >/dev/null 2>&1 || fail "connection $i through hostPort $TCP_PORT failed"
done
assert_eq "$(udp_ask after)" "echo:after" "UDP still forwarded after the burst"

echo "# a second pod reaches the first through the gateway"
apply_yaml b.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: net-b}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
    - name: c
      image: localhost/nettest:latest
      command: ["sh", "-c", "wget -qO- http://10.0.2.2:$TCP_PORT/ && echo B-DONE; exec httpd -f -p 80 -h /www"]
      ports:
        - {containerPort: 80, hostPort: $B_PORT}
YAML
wait_for_phase net-b Running 30
wait_for 20 sh -c "'$ORC' logs net-b | grep -q B-DONE" || fail "pod b: $("$ORC" logs net-b)"
assert_contains "$("$ORC" logs net-b)" "pod-a-says-hello" "pod b reached pod a's hostPort via 10.0.2.2"
wait_for 10 busybox wget -qO- "http://127.0.0.1:$B_PORT/" || fail "pod b's hostPort does not answer"

echo "# the same hostPort twice: the second pod fails with an event naming the port"
apply_yaml c.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: net-c}
spec:
  containers:
    - name: c
      image: localhost/nettest:latest
      command: ["sleep", "3600"]
      ports:
        - {containerPort: 8080, hostPort: $TCP_PORT}
YAML
wait_for 20 sh -c "'$ORC' events --for pod/net-c | grep -q FailedCreatePodSandBox" || fail "no event for the conflict"
events=$("$ORC" events --for pod/net-c)
assert_contains "$events" "hostPort $TCP_PORT/tcp on 0.0.0.0 is already in use" "the event names the port"
assert_eq "$(pod_phase net-c)" "Pending" "the conflicting pod does not run"
wait_for 10 sh -c "busybox wget -qO- http://127.0.0.1:$TCP_PORT/ | grep -q pod-a-says-hello" \
    || fail "the conflict disturbed the first pod"
"$ORC" delete pod net-c >/dev/null || fail "delete net-c"

echo "# a killed slirp helper: the agent notices and sets the network up again"
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
# live helpers of this test's pods (other tests may run theirs at the same time)
helper_pids() {
    local f p
    for f in "$XDG_RUNTIME_DIR"/orc-cni/"$1"/*.json; do
        [ -e "$f" ] && p=$(jq -r .pid "$f") && alive "$p" && echo "$p"
    done
    true
}
helpers_before=$(helper_pids slirp | sort)
[ "$(echo "$helpers_before" | wc -l)" = 2 ] || fail "expected 2 slirp helpers, found: $helpers_before"
a_uid=$(pod_field net-a .metadata.uid)
a_helper=$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/slirp/$a_uid-eth0.json")
kill -9 "$a_helper"
wait_for 20 sh -c "'$ORC' events --for pod/net-a | grep -q NetworkRestored" \
    || fail "no NetworkRestored event: $("$ORC" events --for pod/net-a)"
grep -q "\[warn\]: pod 'default/net-a': network broken" "$TEST_DIR/orcd.log" \
    || fail "the lost interface was not warned about"
new_helper=$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/slirp/$a_uid-eth0.json")
[ "$new_helper" != "$a_helper" ] || fail "the helper was not replaced"
kill -0 "$new_helper" || fail "the new helper is not running"
n_ok=$("$ORC" logs net-a -c probe | grep -c OUT-OK)
wait_for 20 sh -c "[ \$('$ORC' logs net-a -c probe | grep -c OUT-OK) -gt $n_ok ]" \
    || fail "outbound traffic did not come back"
assert_eq "$(pod_phase net-a)" "Running" "the pod kept running"
assert_eq "$(pod_field net-a '.status.containerStatuses[0].restartCount')" "0" "no container restarted"

echo "# the network outlives an agent restart, and is adopted with the pod"
helpers_before=$(helper_pids slirp | sort)
kill9_orcd
start_orcd
wait_for_phase net-a Running 20
assert_eq "$(pod_field net-a .status.podIP)" "10.0.2.100" "podIP after the agent restarted"
assert_eq "$(helper_pids slirp | sort)" "$helpers_before" "the same helpers serve the pods"
busybox wget -qO- "http://127.0.0.1:$TCP_PORT/" | grep -q pod-a-says-hello \
    || fail "hostPort after the agent restarted"

echo "# a setup cut short by a kill is done again, without warning of the agent's own DEL"
kill9_orcd
mv "$XDG_RUNTIME_DIR/orc/pods/$a_uid/network.json" "$TEST_DIR/network.json.was"
touch "$XDG_RUNTIME_DIR/orc/pods/$a_uid/network.adding" # as orcd leaves it killed in an ADD
mark=$(wc -l <"$TEST_DIR/orcd.log")
start_orcd
wait_for 30 sh -c "'$ORC' events --for pod/net-a | grep -q 'its setup was interrupted'" \
    || fail "no NetworkRestored event after the restart: $("$ORC" events --for pod/net-a)"
since_restart() { tail -n "+$((mark + 1))" "$TEST_DIR/orcd.log"; }
# the DEL took the old tap away and the shim reported it; that is no lost interface
wait_for 10 eval 'since_restart | grep -q "left the sandbox"' || true
since_restart | grep -E "\[warn\]: pod 'default/net-a': (interface|network broken)" \
    && fail "the agent's own repair was warned about as a lost interface"
busybox wget -qO- "http://127.0.0.1:$TCP_PORT/" | grep -q pod-a-says-hello \
    || fail "hostPort after the network was set up again"

echo "# delete: no helper, no listening port, no namespace left"
netns_a=$(readlink "/proc/$(cat "$XDG_RUNTIME_DIR/orc/pods/$a_uid/shim.pid")/ns/net")
all_helpers=$(helper_pids slirp; helper_pids port-forward)
[ "$(echo "$all_helpers" | wc -l)" = 4 ] || fail "expected 2 slirp and 2 port-forward helpers: $all_helpers"
"$ORC" delete pod net-a net-b >/dev/null || fail "delete"
for p in $all_helpers; do ! alive "$p" || fail "helper $p outlived its pod"; done
for p in tcp:$TCP_PORT udp:$UDP_PORT tcp:$B_PORT; do
    port_bindable "${p%%:*}" "${p#*:}" 2>/dev/null || fail "host port $p is still taken"
done
for ns in /proc/[0-9]*/ns/net; do
    [ "$(readlink "$ns" 2>/dev/null)" != "$netns_a" ] || fail "a process still holds pod a's netns: $ns"
done
ls "$XDG_RUNTIME_DIR/orc-cni/slirp/"*.json 2>/dev/null && fail "slirp state files left"
echo "PASS: $TEST_NAME"
