#!/bin/bash
# The CNI plugins against the specification, driven directly as a runtime drives them:
# VERSION, a chain with Debian's reference `tuning` plugin (ADD, CHECK, DEL, DEL again),
# spec errors for malformed input, and helpers that end with their sandbox.
source "$(dirname "$0")/lib.sh"
setup
CNI_DIR=${ORC_CNI_DIR:-$(dirname "$ORCD")/../cni-plugins/bin}
TUNING=${CNI_TUNING:-/usr/lib/cni/tuning}
[ -x "$CNI_DIR/slirp" ] || fail "plugins not built in '$CNI_DIR'"
[ -x "$TUNING" ] || skip "reference plugin '$TUNING' missing (package containernetworking-plugins)"
[ -r /dev/net/tun ] && [ -w /dev/net/tun ] || skip "/dev/net/tun is not usable (mode 0666)"
command -v python3 >/dev/null || skip "python3 missing"
export XDG_RUNTIME_DIR  # the plugins keep their state below it
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])'; }
port_bindable() { # as a server would: TIME_WAIT connections do not count
    python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("0.0.0.0",int(sys.argv[1]))); s.listen()' "$1"
}
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
dead() { ! alive "$1"; }

# A sandbox: a process in its own user and network namespace, as a runtime would make.
SANDBOXES=()
on_cleanup 'kill "${SANDBOXES[@]}"'
sandbox_ready() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
new_sandbox() {
    unshare --user --map-root-user --net sleep 3600 </dev/null >/dev/null 2>&1 &
    SANDBOX=$!
    SANDBOXES+=("$SANDBOX")
    wait_for 5 sandbox_ready "$SANDBOX" || fail "sandbox did not start"
    NETNS=/proc/$SANDBOX/ns/net
}
in_sandbox() { nsenter -t "$SANDBOX" -U -n --preserve-credentials "$@"; }

# cni COMMAND PLUGIN CONFIG [ENV...]: runs one plugin; sets OUT and RC.
cni() {
    local cmd=$1 plugin=$2 conf=$3; shift 3
    local path=$plugin
    [ "${plugin#/}" != "$plugin" ] || path=$CNI_DIR/$plugin
    RC=0
    OUT=$(printf '%s' "$conf" | env CNI_COMMAND="$cmd" CNI_CONTAINERID="${CID:-spec1}" \
        CNI_NETNS="${NETNS:-}" CNI_IFNAME=eth0 CNI_PATH="$CNI_DIR" "$@" ${RUNNER:-} "$path") || RC=$?
}
expect_error() { # CODE DESCRIPTION: the last call failed with the spec's error object
    assert_eq "$RC" 1 "$2: exit status"
    assert_eq "$(jq -r .code <<<"$OUT")" "$1" "$2: error code ($OUT)"
    [ -n "$(jq -r '.msg // empty' <<<"$OUT")" ] || fail "$2: no msg in $OUT"
    [ "$(jq -r .cniVersion <<<"$OUT")" != null ] || fail "$2: no cniVersion in $OUT"
}
conf_of() { # TYPE EXTRA-JSON [PREV]: one plugin's configuration
    jq -cn --arg t "$1" --argjson x "$2" --argjson p "${3:-null}" \
        '{cniVersion: "1.0.0", name: "spec", type: $t} + $x + (if $p then {prevResult: $p} else {} end)'
}

echo "# VERSION"
for p in loopback slirp port-forward; do
    cni VERSION $p '{"cniVersion":"1.0.0"}'
    assert_eq "$RC" 0 "$p VERSION"
    jq -e '.supportedVersions | index("1.0.0")' <<<"$OUT" >/dev/null || fail "$p: $OUT"
done

echo "# a chain with the reference tuning plugin, run from the sandbox's user namespace"
# Go plugins such as tuning cannot enter a network namespace owned by another user
# namespace, so this runtime runs inside it (keeping the host's network namespace, where
# the helpers must live). orc's own plugins notice they are already there.
new_sandbox
RUNNER="nsenter -t $SANDBOX -U --preserve-credentials"
TUNE=$(jq -cn --arg d "$TEST_DIR/tuning" '{mtu: 9000, promisc: true, dataDir: $d}')
PORT=$(free_port)
MAPS=$(jq -cn --argjson p "$PORT" '{runtimeConfig: {portMappings: [{hostPort: $p, containerPort: 80, protocol: "tcp"}]}}')
cni ADD slirp "$(conf_of slirp '{}')"
assert_eq "$RC" 0 "slirp ADD: $OUT"
R1=$OUT
cni ADD loopback "$(conf_of loopback '{}' "$R1")"
assert_eq "$RC" 0 "loopback ADD: $OUT"
R2=$OUT
assert_eq "$(jq -c .ips <<<"$R2")" "$(jq -c .ips <<<"$R1")" "loopback passes prevResult on"
cni ADD "$TUNING" "$(conf_of tuning "$TUNE" "$R2")"
assert_eq "$RC" 0 "tuning ADD: $OUT"
R3=$OUT
cni ADD port-forward "$(conf_of port-forward "$MAPS" "$R3")"
assert_eq "$RC" 0 "port-forward ADD: $OUT"
R4=$OUT
assert_eq "$(jq -r '.ips[0].address' <<<"$R4")" "10.0.2.100/24" "result address"
assert_eq "$(jq -r '.interfaces[0].sandbox' <<<"$R4")" "$NETNS" "result sandbox"
link=$(in_sandbox ip -o link show eth0)
assert_contains "$link" "mtu 9000" "tuning changed the MTU after slirp"
assert_contains "$link" "PROMISC" "tuning set promiscuous mode"
assert_contains "$(in_sandbox ip -o -4 addr show eth0)" "10.0.2.100/24" "eth0 address"
assert_contains "$(in_sandbox ip route)" "default via 10.0.2.2 dev eth0" "default route"
mkdir -p "$TEST_DIR/www" && echo spec-page >"$TEST_DIR/www/index.html"
in_sandbox busybox httpd -p 80 -h "$TEST_DIR/www"
wait_for 5 sh -c "busybox wget -qO- http://127.0.0.1:$PORT/ | grep -q spec-page" \
    || fail "forwarded port $PORT does not answer"

echo "# CHECK each plugin with the cached result"
cni CHECK slirp "$(conf_of slirp '{"mtu": 9000}' "$R4")"
assert_eq "$RC" 0 "slirp CHECK: $OUT"
cni CHECK slirp "$(conf_of slirp '{}' "$R4")"
assert_eq "$RC" 0 "slirp CHECK leaves the MTU to later plugins (tuning): $OUT"
cni CHECK loopback "$(conf_of loopback '{}' "$R4")"
assert_eq "$RC" 0 "loopback CHECK: $OUT"
cni CHECK "$TUNING" "$(conf_of tuning "$TUNE" "$R4")"
assert_eq "$RC" 0 "tuning CHECK: $OUT"
cni CHECK port-forward "$(conf_of port-forward "$MAPS" "$R4")"
assert_eq "$RC" 0 "port-forward CHECK: $OUT"
cni CHECK slirp "$(conf_of slirp '{}')"
expect_error 7 "CHECK without prevResult"

echo "# ADD twice for the same attachment is refused"
cni ADD slirp "$(conf_of slirp '{}')"
expect_error 100 "second slirp ADD"
cni ADD port-forward "$(conf_of port-forward "$MAPS" "$R3")" CNI_CONTAINERID=spec2
expect_error 101 "a taken host port"
assert_contains "$(jq -r .msg <<<"$OUT")" "hostPort $PORT/tcp on 0.0.0.0 is already in use" "message names the port"

echo "# DEL in reverse order, then DEL again"
slirp_pid=$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/slirp/spec1-eth0.json")
fwd_pid=$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/port-forward/spec1-eth0.json")
alive "$slirp_pid" && alive "$fwd_pid" || fail "helpers not running"
for round in 1 2; do
    cni DEL port-forward "$(conf_of port-forward "$MAPS" "$R4")"; assert_eq "$RC" 0 "port-forward DEL $round: $OUT"
    cni DEL "$TUNING" "$(conf_of tuning "$TUNE" "$R4")"; assert_eq "$RC" 0 "tuning DEL $round: $OUT"
    cni DEL loopback "$(conf_of loopback '{}' "$R4")"; assert_eq "$RC" 0 "loopback DEL $round: $OUT"
    cni DEL slirp "$(conf_of slirp '{}' "$R4")"; assert_eq "$RC" 0 "slirp DEL $round: $OUT"
done
! alive "$slirp_pid" || fail "slirp helper survived DEL"
! alive "$fwd_pid" || fail "forwarder survived DEL"
port_bindable "$PORT" || fail "port $PORT still taken after DEL"
in_sandbox ip link show eth0 >/dev/null 2>&1 && fail "eth0 still exists after DEL"
ls "$XDG_RUNTIME_DIR"/orc-cni/*/spec1-eth0.json 2>/dev/null && fail "state files left after DEL"
RUNNER=
kill "$SANDBOX"; wait "$SANDBOX" 2>/dev/null || true

echo "# malformed input: the spec's error object and exit status 1, never a crash"
new_sandbox
cni ADD slirp '{"cniVersion": "1.0.0", "name": '; expect_error 6 "truncated JSON"
cni ADD slirp '{"cniVersion":"9.9.9","name":"n","type":"slirp"}'; expect_error 1 "unknown cniVersion"
cni ADD slirp '{"cniVersion":"1.0.0","type":"slirp"}'; expect_error 7 "missing name"
cni ADD slirp "$(conf_of slirp '{"mtu": "big"}')"; expect_error 7 "mtu of the wrong type"
cni ADD slirp "$(conf_of slirp '{"dnsUpstream": "dns.example"}')"; expect_error 7 "dnsUpstream not an address"
cni ADD port-forward "$(conf_of port-forward '{"runtimeConfig": {"portMappings": {}}}' "$R1")"
expect_error 6 "portMappings not an array"
cni ADD port-forward "$(conf_of port-forward '{"runtimeConfig": {"portMappings": [{"hostPort": 1, "containerPort": 2, "protocol": "sctp"}]}}' "$R1")"
expect_error 2 "sctp"
big=$(python3 -c 'print("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slirp\",\"x\":\"" + "a" * (2 << 20) + "\"}")')
cni ADD slirp "$big"; expect_error 5 "a 2 MiB configuration"
cni ADD slirp "$(conf_of slirp '{}')" CNI_NETNS=; expect_error 4 "missing CNI_NETNS"
cni ADD slirp "$(conf_of slirp '{}')" CNI_NETNS=/proc/999999999/ns/net; expect_error 3 "a netns that does not exist"
echo x >"$TEST_DIR/file"
cni ADD slirp "$(conf_of slirp '{}')" CNI_NETNS="$TEST_DIR/file"; expect_error 4 "a netns that is a regular file"
cni ADD loopback "$(conf_of loopback '{}')" CNI_IFNAME="a/b"; expect_error 4 "an interface name with '/'"
cni ADD loopback "$(conf_of loopback '{}')" CNI_COMMAND=FROB; expect_error 4 "an unknown command"
for p in loopback slirp port-forward; do
    cni DEL $p "$(conf_of $p '{}')" CNI_NETNS=/proc/999999999/ns/net CNI_CONTAINERID=gone
    assert_eq "$RC" 0 "$p DEL with a vanished netns: $OUT"
done
ls "$XDG_RUNTIME_DIR"/orc-cni/*/*.json 2>/dev/null && fail "failed ADDs left state"

echo "# helpers: a killed one fails CHECK; all end with the sandbox's process"
CID=spec3
cni ADD slirp "$(conf_of slirp '{}')"; assert_eq "$RC" 0 "slirp ADD: $OUT"
R1=$OUT
PORT=$(free_port)
MAPS=$(jq -cn --argjson p "$PORT" '{runtimeConfig: {portMappings: [{hostPort: $p, containerPort: 80, protocol: "udp"}]}}')
cni ADD port-forward "$(conf_of port-forward "$MAPS" "$R1")"; assert_eq "$RC" 0 "port-forward ADD: $OUT"
slirp_pid=$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/slirp/spec3-eth0.json")
fwd_pid=$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/port-forward/spec3-eth0.json")
kill -9 "$slirp_pid"
wait_for 5 dead "$slirp_pid" || fail "helper did not die"
cni CHECK slirp "$(conf_of slirp '{}' "$R1")"; expect_error 100 "CHECK after the helper died"
assert_contains "$(jq -r .msg <<<"$OUT")" "not running" "CHECK names the dead helper"
kill "$SANDBOX"; wait "$SANDBOX" 2>/dev/null || true
wait_for 10 dead "$fwd_pid" || fail "the forwarder outlived the sandbox's process"
cni DEL port-forward "$(conf_of port-forward "$MAPS" "$R1")"; assert_eq "$RC" 0 "DEL after the sandbox went"
cni DEL slirp "$(conf_of slirp '{}' "$R1")"; assert_eq "$RC" 0 "DEL after the sandbox went"
echo "PASS: $TEST_NAME"
