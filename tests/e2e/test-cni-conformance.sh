#!/bin/bash
# CNI 1.0 conformance of orc's plugins, driven the way a runtime drives them: VERSION; the
# chain loopback -> slirp -> tuning (Debian's reference plugin) -> port-forward with
# prevResult threaded through and the last result cached for CHECK and DEL; DEL in reverse
# order and DEL again; a second ADD refused; the specification's error object for malformed
# input; helpers that end on DEL and with the process owning the sandbox.
source "$(dirname "$0")/lib.sh"
setup
CNI_DIR=${ORC_CNI_DIR:-$(dirname "$ORCD")/../cni-plugins/bin}
TUNING=${CNI_TUNING:-/usr/lib/cni/tuning}
for p in loopback slirp port-forward; do
    [ -x "$CNI_DIR/$p" ] || fail "plugin '$p' not built in '$CNI_DIR'"
done
[ -x "$TUNING" ] || skip "reference plugin '$TUNING' missing (package containernetworking-plugins)"
[ -r /dev/net/tun ] && [ -w /dev/net/tun ] || skip "/dev/net/tun is not usable (needs mode 0666)"
for c in python3 nsenter busybox ip; do command -v $c >/dev/null || skip "$c missing"; done
export XDG_RUNTIME_DIR # the plugins keep their state below it
STATE=$XDG_RUNTIME_DIR/orc-cni

# TAP-ish progress: every assertion that passed is one "ok" line; a failure exits via fail.
N=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])'; }
port_bindable() { # as a server binds: connections left in TIME_WAIT do not count
    python3 -c 'import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(("0.0.0.0",int(sys.argv[1]))); s.listen()' "$1"
}
# Alive and not a zombie: a helper's parent may be an init that never reaps it.
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*[ZX]' "/proc/$1/status" 2>/dev/null; }
dead() { ! alive "$1"; }
helper_pid() { jq -r .pid "$STATE/$1/$2-eth0.json"; } # PLUGIN CONTAINER-ID

# A sandbox as an unprivileged runtime makes one: a process in new user and net namespaces.
SANDBOXES=()
on_cleanup 'kill -9 "${SANDBOXES[@]}"'
# helpers a failed assertion left behind (pids from the plugins' state files)
on_cleanup 'for f in "$STATE"/*/*.json; do kill "$(jq -r .pid "$f")"; done'
sandbox_ready() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
new_sandbox() {
    unshare --user --map-root-user --net sleep 3600 </dev/null >/dev/null 2>&1 &
    SANDBOX=$!
    SANDBOXES+=("$SANDBOX")
    wait_for 5 sandbox_ready "$SANDBOX" || fail "sandbox did not start"
    NETNS=/proc/$SANDBOX/ns/net
}
in_sandbox() { nsenter -t "$SANDBOX" -U -n --preserve-credentials "$@"; }

# cni COMMAND PLUGIN CONFIG [NAME=VALUE | -NAME]...: runs one plugin with the CNI_*
# variables a runtime sets (overridden by NAME=VALUE, removed by -NAME), the configuration
# on stdin. Sets OUT (stdout), ERR (stderr) and RC. The RUNNER array prefixes the plugin.
CID=conf1
RUNNER=()
cni() {
    local cmd=$1 plugin=$2 conf=$3 a
    shift 3
    local path=$plugin
    [ "${plugin#/}" != "$plugin" ] || path=$CNI_DIR/$plugin
    declare -A vars=([CNI_COMMAND]=$cmd [CNI_CONTAINERID]=$CID [CNI_NETNS]=${NETNS:-}
        [CNI_IFNAME]=eth0 [CNI_PATH]=$CNI_DIR)
    for a in "$@"; do
        case $a in -*) unset "vars[${a#-}]" ;; *) vars[${a%%=*}]=${a#*=} ;; esac
    done
    local -a envs=(-u CNI_COMMAND -u CNI_CONTAINERID -u CNI_NETNS -u CNI_IFNAME -u CNI_PATH)
    for a in "${!vars[@]}"; do envs+=("$a=${vars[$a]}"); done
    printf '%s' "$conf" >"$TEST_DIR/conf.json"
    RC=0
    OUT=$(env "${envs[@]}" "${RUNNER[@]}" "$path" <"$TEST_DIR/conf.json" 2>"$TEST_DIR/stderr") || RC=$?
    ERR=$(cat "$TEST_DIR/stderr")
}
expect_ok() { # DESCRIPTION
    [ "$RC" = 0 ] || fail "$1: exit status $RC, stdout: $OUT, stderr: $ERR"
    ok "$1"
}
# The last call failed as the specification says: exit status 1 (not a crash), one error
# object on stdout with cniVersion, the expected code and a message.
expect_error() { # CODE(S, |-separated) DESCRIPTION
    assert_eq "$RC" 1 "$2: exit status (stdout: $OUT, stderr: $ERR)"
    assert_not_contains "$ERR$OUT" Segmentation "$2: crashed"
    assert_not_contains "$ERR$OUT" Aborted "$2: aborted"
    jq -e 'type == "object"' <<<"$OUT" >/dev/null 2>&1 || fail "$2: stdout is not a JSON object: $OUT"
    local code
    code=$(jq -r .code <<<"$OUT")
    [[ "|$1|" == *"|$code|"* ]] || fail "$2: error code $code, expected $1: $OUT"
    [ -n "$(jq -r '.msg // empty' <<<"$OUT")" ] || fail "$2: no msg in $OUT"
    [ -n "$(jq -r '.cniVersion // empty' <<<"$OUT")" ] || fail "$2: no cniVersion in $OUT"
    ok "$2 -> code $code"
}
conf_of() { # TYPE EXTRA-JSON [PREVRESULT]: one plugin's network configuration
    jq -cn --arg t "$1" --argjson x "$2" --argjson p "${3:-null}" \
        '{cniVersion: "1.0.0", name: "conformance", type: $t} + $x
         + (if $p then {prevResult: $p} else {} end)'
}

echo "# VERSION"
for p in loopback slirp port-forward; do
    cni VERSION $p '{"cniVersion":"1.0.0"}' -CNI_NETNS -CNI_CONTAINERID -CNI_IFNAME
    expect_ok "$p VERSION"
    jq -e '.supportedVersions | index("1.0.0")' <<<"$OUT" >/dev/null || fail "$p VERSION: $OUT"
    assert_eq "$(jq -r .cniVersion <<<"$OUT")" 1.0.0 "$p VERSION answers in the caller's version"
    ok "$p supports 1.0.0: $(jq -c .supportedVersions <<<"$OUT")"
done

echo "# ADD: loopback -> slirp -> tuning -> port-forward"
# Go plugins such as tuning cannot join a network namespace owned by another user namespace
# (the Go runtime is multi-threaded, and setns(CLONE_NEWUSER) needs a single thread), so
# this runtime runs inside the sandbox's user namespace, as orc's agent runs its plugins
# inside its shared one. It keeps the host's network namespace: the helpers' sockets must
# live there. orc's own plugins see that they are in the owning user namespace already.
new_sandbox
RUNNER=(nsenter -t "$SANDBOX" -U --preserve-credentials)
# tuning makes its dataDir mode 0600, which rm -r cannot descend into
on_cleanup 'chmod -R u+rwx "$TEST_DIR/tuning"'
TUNE=$(jq -cn --arg d "$TEST_DIR/tuning" '{mtu: 9000, promisc: true, dataDir: $d}')
PORT=$(free_port)
PORT2=$(free_port)
MAPS=$(jq -cn --argjson p "$PORT" --argjson p2 "$PORT2" \
    '{capabilities: {portMappings: true},
      runtimeConfig: {portMappings: [{hostPort: $p, containerPort: 80, protocol: "tcp"},
                                     {hostPort: $p2, containerPort: 8080}]}}')
declare -A CONF=([loopback]=$(conf_of loopback '{}') [slirp]=$(conf_of slirp '{}')
    [$TUNING]=$(conf_of tuning "$TUNE") [port-forward]=$(conf_of port-forward "$MAPS"))
CHAIN=(loopback slirp "$TUNING" port-forward)
with_prev() { jq -c --argjson p "$2" '. + {prevResult: $p}' <<<"$1"; } # CONF RESULT
RESULT=null
declare -A RESULTS=() # each plugin's result, by plugin name
for p in "${CHAIN[@]}"; do
    if [ "$RESULT" = null ]; then conf=${CONF[$p]}; else conf=$(with_prev "${CONF[$p]}" "$RESULT"); fi
    cni ADD "$p" "$conf"
    expect_ok "$(basename "$p") ADD"
    jq -e '.cniVersion == "1.0.0"' <<<"$OUT" >/dev/null || fail "$(basename "$p") ADD result: $OUT"
    RESULTS[$(basename "$p")]=$OUT
    RESULT=$OUT # what the runtime caches
done
assert_eq "$(jq -c '.interfaces[0] | [.name, .sandbox]' <<<"${RESULTS[loopback]}")" "[\"lo\",\"$NETNS\"]" \
    "loopback result"
slirp_if=$(jq -c --arg n "$NETNS" '.interfaces | map(.name == "eth0" and .sandbox == $n) | index(true)' \
    <<<"${RESULTS[slirp]}")
[ "$slirp_if" != null ] || fail "slirp result lacks eth0 in the sandbox: ${RESULTS[slirp]}"
jq -e --argjson i "$slirp_if" '.ips | any(.address == "10.0.2.100/24" and .gateway == "10.0.2.2"
    and .interface == $i)' <<<"${RESULTS[slirp]}" >/dev/null || fail "slirp result ips: ${RESULTS[slirp]}"
jq -e '(.routes | any(.dst == "0.0.0.0/0" and .gw == "10.0.2.2"))
    and .dns.nameservers == ["10.0.2.3"]' <<<"${RESULTS[slirp]}" >/dev/null \
    || fail "slirp result routes and dns: ${RESULTS[slirp]}"
jq -e '.ips | any(.address == "127.0.0.1/8")' <<<"${RESULTS[slirp]}" >/dev/null \
    || fail "slirp dropped the previous result: ${RESULTS[slirp]}"
ok "slirp added eth0 (interface $slirp_if), 10.0.2.100/24 via 10.0.2.2 and DNS to prevResult"
assert_eq "$(jq -cS 'del(.cniVersion)' <<<"${RESULTS[port-forward]}")" \
    "$(jq -cS 'del(.cniVersion)' <<<"${RESULTS[tuning]}")" "port-forward passes prevResult on"
ok "port-forward passes prevResult on unchanged"

echo "# after ADD: the sandbox's network"
link=$(in_sandbox ip -o link show eth0)
assert_contains "$link" "mtu 9000" "tuning's MTU on eth0"
assert_contains "$link" "PROMISC" "tuning's promiscuous mode on eth0"
assert_contains "$link" ",UP" "eth0 up"
ok "eth0 shows tuning's mtu 9000 and PROMISC"
assert_contains "$(in_sandbox ip -o -4 addr show eth0)" "inet 10.0.2.100/24" "eth0 address"
assert_contains "$(in_sandbox ip -4 route show default)" "default via 10.0.2.2 dev eth0" "default route"
assert_contains "$(in_sandbox ip -o link show lo)" ",UP" "lo up"
ok "eth0 has 10.0.2.100/24, default via 10.0.2.2; lo is up"
slirp_pid=$(helper_pid slirp $CID)
fwd_pid=$(helper_pid port-forward $CID)
alive "$slirp_pid" || fail "no slirp helper (pid $slirp_pid)"
alive "$fwd_pid" || fail "no port forwarder (pid $fwd_pid)"
assert_eq "$(readlink -f "/proc/$slirp_pid/exe")" "$(readlink -f "$CNI_DIR/slirp")" "slirp helper binary"
assert_eq "$(readlink "/proc/$slirp_pid/ns/net")" "$(readlink /proc/self/ns/net)" "helper's netns"
ok "slirp helper $slirp_pid and forwarder $fwd_pid run in the host's network namespace"
mkdir -p "$TEST_DIR/www" && echo conformance-page >"$TEST_DIR/www/index.html"
in_sandbox busybox httpd -p 80 -h "$TEST_DIR/www"
httpd_pid=$(pgrep -n -f "busybox httpd -p 80 -h $TEST_DIR/www")
on_cleanup "kill $httpd_pid"
# (timeout, not wget's -T: Debian 12's busybox wget crashes with -T)
fetch() { timeout 3 busybox wget -q -O - "http://127.0.0.1:$1/" 2>/dev/null; }
page_served() { [ "$(fetch "$1")" = conformance-page ]; }
wait_for 10 page_served "$PORT" || fail "forwarded port $PORT does not answer"
ok "host port $PORT answers with the pod's httpd through port-forward"
# A server bound to the pod's address only: port-forward connects to the first IPv4
# address of prevResult, which is loopback's 127.0.0.1 when loopback comes first.
in_sandbox busybox httpd -p 10.0.2.100:8080 -h "$TEST_DIR/www"
httpd_pid=$(pgrep -n -f "busybox httpd -p 10.0.2.100:8080 -h $TEST_DIR/www")
on_cleanup "kill $httpd_pid"
wait_for 20 page_served "$PORT2" || fail "host port $PORT2 does not reach a server bound to 10.0.2.100"
ok "host port $PORT2 reaches a server bound to 10.0.2.100 only (the pod's address, not loopback's)"

echo "# CHECK each plugin with its ADD configuration and the cached result"
for p in "${CHAIN[@]}"; do
    cni CHECK "$p" "$(with_prev "${CONF[$p]}" "$RESULT")"
    expect_ok "$(basename "$p") CHECK (slirp's too, after tuning changed the MTU)"
done
cni CHECK slirp "${CONF[slirp]}"
expect_error 7 "CHECK without prevResult"
cni CHECK slirp "$(jq -c '.cniVersion = "0.3.1"' <<<"$(with_prev "${CONF[slirp]}" "$RESULT")")"
expect_error 1 "CHECK with cniVersion 0.3.1"

echo "# ADD twice for the same container is refused"
for p in slirp port-forward; do
    cni ADD $p "$(with_prev "${CONF[$p]}" "${RESULTS[tuning]}")"
    expect_error "100" "second $p ADD for $CID"
done
alive "$slirp_pid" && alive "$fwd_pid" || fail "a refused ADD stopped the running helpers"
page_served "$PORT" || fail "a refused ADD broke the forwarded port"
ok "the refused ADDs left the attachment working"
cni ADD port-forward "$(with_prev "${CONF[port-forward]}" "${RESULTS[tuning]}")" CNI_CONTAINERID=conf2
expect_error 101 "port-forward ADD of a taken host port"
assert_contains "$(jq -r .msg <<<"$OUT")" "hostPort $PORT/tcp on 0.0.0.0 is already in use" "101 message"
[ ! -e "$STATE/port-forward/conf2-eth0.json" ] || fail "the refused ADD left state"
ok "the taken port is named and no state is left"

echo "# DEL in reverse order, then DEL again"
for round in 1 2; do
    for ((i = ${#CHAIN[@]} - 1; i >= 0; i--)); do
        p=${CHAIN[$i]}
        cni DEL "$p" "$(with_prev "${CONF[$p]}" "$RESULT")"
        expect_ok "$(basename "$p") DEL (round $round)"
        [ -z "$OUT" ] || fail "$(basename "$p") DEL printed: $OUT"
    done
done
wait_for 5 dead "$slirp_pid" || fail "slirp helper survived DEL"
wait_for 5 dead "$fwd_pid" || fail "port forwarder survived DEL"
ok "no helper process after DEL"
port_bindable "$PORT" || fail "port $PORT still taken after DEL"
ok "host port $PORT is free again"
! in_sandbox ip link show eth0 >/dev/null 2>&1 || fail "eth0 still exists after DEL"
ok "eth0 is gone"
left=$(ls "$STATE"/*/$CID-eth0.json 2>/dev/null || true)
[ -z "$left" ] || fail "state files left after DEL: $left"
ok "state files are gone"
RUNNER=()
kill "$SANDBOX"
wait "$SANDBOX" 2>/dev/null || true

echo "# malformed input: the error object and exit status 1, never a crash"
new_sandbox
CID=bad1
PREV=$(jq -cn --arg n "$NETNS" \
    '{cniVersion: "1.0.0", interfaces: [{name: "eth0", sandbox: $n}],
      ips: [{address: "10.0.2.100/24", gateway: "10.0.2.2", interface: 0}]}')
# a configuration each plugin accepts, so that only the namespace is wrong (port-forward
# without mappings has nothing to do in the namespace and rightly never opens it)
PORT=$(free_port)
declare -A GOOD=([loopback]=$(conf_of loopback '{}') [slirp]=$(conf_of slirp '{}')
    [port-forward]=$(conf_of port-forward "$(jq -cn --argjson p "$PORT" \
        '{runtimeConfig: {portMappings: [{hostPort: $p, containerPort: 80}]}}')" "$PREV"))
echo x >"$TEST_DIR/regular-file"
mkfifo "$TEST_DIR/fifo"
for p in loopback slirp port-forward; do
    cni ADD $p '{"cniVersion": "1.0.0", "name": "x", "type": '
    expect_error 6 "$p: truncated JSON"
    cni ADD $p "{\"cniVersion\":\"9.9.9\",\"name\":\"x\",\"type\":\"$p\"}"
    expect_error 1 "$p: unknown cniVersion"
    cni ADD $p "{\"cniVersion\":\"1.0.0\",\"type\":\"$p\"}"
    expect_error 7 "$p: missing name"
    cni ADD $p "${GOOD[$p]}" -CNI_NETNS
    expect_error 4 "$p: missing CNI_NETNS on ADD"
    cni ADD $p "${GOOD[$p]}" CNI_NETNS=/proc/999999999/ns/net
    expect_error 3 "$p: CNI_NETNS that does not exist"
    cni ADD $p "${GOOD[$p]}" CNI_NETNS="$TEST_DIR/regular-file"
    expect_error 4 "$p: CNI_NETNS is a regular file"
    # a FIFO is never opened for reading, which would wait for a writer that never comes (only
    # loopback's CHECK and DEL enter the namespace; the others' find their helper's state)
    cmds=(ADD)
    [ $p != loopback ] || cmds=(ADD CHECK DEL)
    for cmd in "${cmds[@]}"; do
        RUNNER=(timeout 20) # a plugin blocked in open() ends with status 124, not 1
        cni $cmd $p "$(with_prev "${GOOD[$p]}" "$PREV")" CNI_NETNS="$TEST_DIR/fifo"
        RUNNER=()
        expect_error 4 "$p $cmd: CNI_NETNS is a FIFO"
        assert_contains "$(jq -r .msg <<<"$OUT")" "is not a network namespace (a FIFO)" "$p $cmd message"
    done
done
cni ADD slirp "$(conf_of slirp '{"mtu": "9000"}')"
expect_error 7 "slirp: mtu as a string"
cni ADD slirp "$(conf_of slirp '{"mtu": 100}')"
expect_error 7 "slirp: mtu below 1280"
cni ADD port-forward "$(conf_of port-forward '{"runtimeConfig": {"portMappings": {}}}' "$PREV")"
expect_error 6 "port-forward: portMappings not an array"
cni ADD port-forward "$(conf_of port-forward \
    '{"runtimeConfig": {"portMappings": [{"hostPort": 1, "containerPort": 2, "protocol": "sctp"}]}}' "$PREV")"
expect_error 2 "port-forward: sctp"
python3 -c 'import sys; sys.stdout.write("{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"type\":\"slirp\",\"pad\":\"" + "a" * (2 << 20) + "\"}")' \
    >"$TEST_DIR/huge.json"
cni ADD slirp "$(cat "$TEST_DIR/huge.json")"
expect_error "5|6" "slirp: a 2 MiB configuration"
for p in loopback slirp port-forward; do
    cni DEL $p "${GOOD[$p]}" -CNI_NETNS
    expect_ok "$p DEL without CNI_NETNS"
    cni DEL $p "${GOOD[$p]}" CNI_NETNS=/proc/999999999/ns/net
    expect_ok "$p DEL with a CNI_NETNS that is gone"
done
left=$(ls "$STATE"/*/*.json 2>/dev/null || true)
[ -z "$left" ] || fail "refused ADDs left state: $left"
! in_sandbox ip link show eth0 >/dev/null 2>&1 || fail "a refused ADD left eth0"
ok "refused ADDs left neither state nor interfaces"

echo "# a killed helper fails CHECK"
CID=kill1
cni ADD slirp "$(conf_of slirp '{}')"
expect_ok "slirp ADD"
R=$OUT
slirp_pid=$(helper_pid slirp $CID)
kill -9 "$slirp_pid"
wait_for 5 dead "$slirp_pid" || fail "slirp helper $slirp_pid did not die"
cni CHECK slirp "$(with_prev "$(conf_of slirp '{}')" "$R")"
expect_error 100 "slirp CHECK after its helper was killed"
assert_contains "$(jq -r .msg <<<"$OUT")" "slirp helper (pid $slirp_pid) is not running" "CHECK message"
ok "CHECK names the dead helper: $(jq -r .msg <<<"$OUT")"
cni DEL slirp "$(conf_of slirp '{}')"
expect_ok "slirp DEL after its helper died"
kill "$SANDBOX"
wait "$SANDBOX" 2>/dev/null || true

echo "# helpers end with the process owning the sandbox"
new_sandbox
CID=owner1
PORT=$(free_port)
MAPS=$(jq -cn --argjson p "$PORT" '{runtimeConfig: {portMappings: [
    {hostPort: $p, containerPort: 80, protocol: "tcp"}, {hostPort: $p, containerPort: 53, protocol: "udp"}]}}')
cni ADD slirp "$(conf_of slirp '{}')"
expect_ok "slirp ADD"
R=$OUT
cni ADD port-forward "$(conf_of port-forward "$MAPS" "$R")"
expect_ok "port-forward ADD (tcp and udp)"
slirp_pid=$(helper_pid slirp $CID)
fwd_pid=$(helper_pid port-forward $CID)
alive "$slirp_pid" && alive "$fwd_pid" || fail "helpers not running"
kill "$SANDBOX" # the owner exits; nothing else tells the helpers
wait "$SANDBOX" 2>/dev/null || true
wait_for 10 dead "$slirp_pid" || fail "slirp helper $slirp_pid outlived the sandbox's process"
wait_for 10 dead "$fwd_pid" || fail "port forwarder $fwd_pid outlived the sandbox's process"
ok "both helpers exited by themselves when the sandbox's process died"
port_bindable "$PORT" || fail "port $PORT still taken after the helpers exited"
ok "the forwarder's host port is free"
for p in port-forward slirp; do
    cni DEL $p "$(conf_of $p '{}' "$R")"
    expect_ok "$p DEL after the sandbox went"
done
left=$(ls "$STATE"/*/*.json 2>/dev/null || true)
[ -z "$left" ] || fail "state left at the end: $left"
ok "no state left"
# helpers write to their logs only; a sanitizer build reports there too
bad=$(grep -lE 'Sanitizer|runtime error:' "$STATE"/*/*.log 2>/dev/null || true)
[ -z "$bad" ] || fail "sanitizer reports in helper logs: $(cat $bad)"
empty=$(find "$STATE" -name '*.log' -empty)
[ -z "$empty" ] || fail "empty helper logs left after DEL: $empty"
ok "no sanitizer report, no empty helper log left"
echo "1..$N"
echo "PASS: $TEST_NAME"
