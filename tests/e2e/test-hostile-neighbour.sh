#!/bin/bash
# Another user on the same machine: without XDG_RUNTIME_DIR, orcd, orc and the CNI plugins
# fall back to /tmp/orc-UID and /tmp/orc-cni-UID, which anyone can create first. A fallback
# directory owned by another uid or a symlink is refused by each of them, naming it, and
# nothing is created in it or sent to it; one not 0700 by orcd and the plugins, one others
# may write in by orc; orc talks only to a server running as its own user (SO_PEERCRED);
# a plugin's state and log files are never followed through a symlink; a pid planted in a
# plugin's state file is signalled only when it is the plugin's own helper (start time,
# owner and executable), so DEL spares any other process.
#
# "Another user" is a real other uid without root: this user's first subordinate uid, which
# `unshare --map-auto --map-root-user` maps to uid 1 (chown 1:1 inside, or --setuid 1).
source "$(dirname "$0")/lib.sh"
setup
CNI_DIR=${ORC_CNI_DIR:-$(dirname "$ORCD")/../cni-plugins/bin}
for p in slirp port-forward; do
    [ -x "$CNI_DIR/$p" ] || fail "plugin '$p' not built in '$CNI_DIR'"
done
command -v python3 >/dev/null || skip "python3 missing"
unshare --user --map-auto --map-root-user true 2>/dev/null \
    || skip "unshare --map-auto (util-linux 2.38 and newuidmap) does not work here"
[ -r /dev/net/tun ] && [ -w /dev/net/tun ] || skip "/dev/net/tun is not usable (needs mode 0666)"

ME=$(id -u)
FB_ORC=/tmp/orc-$ME
FB_CNI=/tmp/orc-cni-$ME
for d in "$FB_ORC" "$FB_CNI"; do
    # this user's real fallback directories: never touched by a test
    [ ! -e "$d" ] && [ ! -L "$d" ] || skip "'$d' exists already (an agent of this user without XDG_RUNTIME_DIR?)"
done

N=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }

# as_other CMD...: CMD as root of a user namespace whose uid 1 is a real other uid on the host
as_other() { unshare --user --map-auto --map-root-user "$@"; }
# removes what "the other user" left in /tmp (root of the namespace may: the uid is mapped)
clear_fallbacks() { as_other rm -rf "$FB_ORC" "$FB_CNI"; rm -rf "$FB_ORC" "$FB_CNI"; }
# an orcd on $FB_ORC and its holder, if one is left (after it: orcd replaces a holder that dies)
on_cleanup 'stop_orcd; kill "$(jq -r .pid "$FB_ORC/userns.json" 2>/dev/null)" 2>/dev/null'
on_cleanup clear_fallbacks
OTHER_PIDS=()
on_cleanup 'kill -9 "${OTHER_PIDS[@]}"'
no_fallback() { env -u XDG_RUNTIME_DIR "$@"; }
owner_of() { stat -c %u "$1"; }

# A unix-socket server that records each connection ("conn") and the bytes it got
# ("bytes N") in LOG; it binds as root of the namespace (this user on the host, so it may
# write in this user's directories) and then listens as uid 1, the other uid: the peer
# credentials a client sees are those of listen().
cat >"$TEST_DIR/server.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
log = open(sys.argv[2], "a", buffering=1)
os.setgid(1)
os.setuid(1)
s.listen(8)
log.write("listening\n")
while True:
    c, _ = s.accept()
    log.write("conn\n")
    c.settimeout(3)
    n = 0
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            n += len(b)
    except socket.timeout:
        pass
    log.write("bytes %d\n" % n)
    c.close()
EOF
start_other_server() { # SOCKET LOG
    : >"$2"
    unshare --user --map-auto --map-root-user python3 "$TEST_DIR/server.py" "$1" "$2" \
        </dev/null >/dev/null 2>"$2.err" &
    OTHER_PIDS+=($!)
    wait_for 10 grep -q listening "$2" || fail "the other user's server did not start: $(cat "$2.err")"
}

# A sandbox as an unprivileged runtime makes one, for the plugins.
sandbox_ready() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
unshare --user --map-root-user --net sleep 3600 </dev/null >/dev/null 2>&1 &
SANDBOX=$!
OTHER_PIDS+=("$SANDBOX")
wait_for 5 sandbox_ready "$SANDBOX" || fail "sandbox did not start"
NETNS=/proc/$SANDBOX/ns/net
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
declare -A CONF=(
    [slirp]='{"cniVersion":"1.0.0","name":"n","type":"slirp"}'
    [port-forward]=$(jq -cn --argjson p "$PORT" '{cniVersion: "1.0.0", name: "n", type: "port-forward",
        runtimeConfig: {portMappings: [{hostPort: $p, containerPort: 80}]},
        prevResult: {cniVersion: "1.0.0", ips: [{address: "10.0.2.100/24"}]}}'))
# cni COMMAND PLUGIN CID [ENV-ARGS...]: runs a plugin as a runtime does, with env's
# arguments first (-u NAME); sets OUT (stdout), ERR (stderr), RC. CNI_IFNAME is $IFNAME.
IFNAME=eth0
cni() {
    local cmd=$1 p=$2 cid=$3
    shift 3
    RC=0
    OUT=$(printf '%s' "${CONF[$p]}" | env "$@" CNI_COMMAND="$cmd" CNI_CONTAINERID="$cid" \
        CNI_NETNS="$NETNS" CNI_IFNAME="$IFNAME" CNI_PATH="$CNI_DIR" \
        timeout 20 "$CNI_DIR/$p" 2>"$TEST_DIR/cni.err") || RC=$?
    ERR=$(cat "$TEST_DIR/cni.err")
}
cni_refused() { # COMMAND PLUGIN WANT-IN-MESSAGE DESCRIPTION [ENV...]
    local cmd=$1 p=$2 want=$3 what=$4
    shift 4
    cni "$cmd" "$p" h1 "$@"
    assert_eq "$RC" 1 "$p $cmd, $what: exit status (stdout: $OUT, stderr: $ERR)"
    assert_contains "$(jq -r .msg <<<"$OUT")" "$want" "$p $cmd, $what: message"
}

# refused_everywhere DESCRIPTION WANT...: orcd and both plugins refuse the fallback
# directories as they are now, each naming the directory and every WANT
refused_everywhere() {
    local what=$1 w
    shift
    expect_exit 1 no_fallback timeout 20 "$ORCD" --log-level debug
    for w in "$FB_ORC" "$@"; do assert_contains "$out" "$w" "orcd, $what"; done
    ok "orcd refuses: $(grep -o "refusing.*" <<<"$out" | head -1)"
    for p in slirp port-forward; do
        for cmd in ADD DEL; do
            cni_refused $cmd $p "$FB_CNI" "$what" -u XDG_RUNTIME_DIR
            for w in "$@"; do assert_contains "$(jq -r .msg <<<"$OUT")" "$w" "$p $cmd, $what"; done
        done
        ok "$p ADD and DEL refuse: $(jq -r .msg <<<"$OUT")"
    done
    ! in_sandbox_link eth0 || fail "a refused ADD made eth0"
}
orc_refuses() { # DESCRIPTION WANT...: orc, without XDG_RUNTIME_DIR, refuses $FB_ORC
    local what=$1 w
    shift
    expect_exit 1 no_fallback "$ORC" get pods
    for w in "not talking to orcd at $FB_ORC/orcd.sock: refusing '$FB_ORC'" "$@"; do
        assert_contains "$out" "$w" "orc, $what"
    done
    ok "orc refuses: $out"
}
in_sandbox_link() { nsenter -t "$SANDBOX" -U -n --preserve-credentials ip link show "$1" >/dev/null 2>&1; }

echo "# fallback directories created first by another user"
as_other sh -c "mkdir -m 0777 $FB_ORC $FB_CNI && chown 1:1 $FB_ORC $FB_CNI" \
    || fail "could not create the other user's directories"
OTHER=$(owner_of "$FB_ORC")
[ "$OTHER" != "$ME" ] && [ "$(owner_of "$FB_CNI")" = "$OTHER" ] || fail "not owned by another uid"
chmod 0777 "$FB_ORC" "$FB_CNI" 2>/dev/null && fail "this user could chmod the other's directory"
ok "$FB_ORC and $FB_CNI belong to uid $OTHER, mode 0777"
start_other_server "$FB_ORC/orcd.sock" "$TEST_DIR/fallback-server.log"
refused_everywhere "a directory of uid $OTHER" "belongs to uid $OTHER, not to you (uid $ME"
orc_refuses "a directory of uid $OTHER" "belongs to uid $OTHER, not to you (uid $ME"
assert_eq "$(grep -c conn "$TEST_DIR/fallback-server.log" || true)" 0 "connections to the other's socket"
ok "orc never connected to the other user's socket in $FB_ORC"
assert_eq "$(ls -A "$FB_ORC" | tr '\n' ' ')" "orcd.sock " "files in $FB_ORC"
assert_eq "$(ls -A "$FB_CNI")" "" "files in $FB_CNI"
ok "nothing was created in either directory"
CONF[slirp]=$(jq -c --arg d "$FB_CNI" '. + {dataDir: $d}' <<<"${CONF[slirp]}")
cni_refused ADD slirp "refusing '$FB_CNI': it belongs to uid $OTHER" "a dataDir of uid $OTHER"
CONF[slirp]=$(jq -c 'del(.dataDir)' <<<"${CONF[slirp]}")
ok "slirp refuses a dataDir of uid $OTHER too: $(jq -r .msg <<<"$OUT")"
clear_fallbacks

echo "# a fallback directory that is a symlink to the other user's directory"
as_other sh -c "mkdir -m 0777 $TEST_DIR/theirs && chown 1:1 $TEST_DIR/theirs &&
    ln -s $TEST_DIR/theirs $FB_ORC && ln -s $TEST_DIR/theirs $FB_CNI && chown -h 1:1 $FB_ORC $FB_CNI" \
    || fail "could not plant the symlinks"
on_cleanup "as_other rm -rf '$TEST_DIR/theirs'"
refused_everywhere "a symlink" "is a symbolic link"
orc_refuses "a symlink" "is a symbolic link"
assert_eq "$(ls -A "$TEST_DIR/theirs")" "" "files in the symlink's target"
ok "nothing was created through the symlinks"
clear_fallbacks

echo "# fallback directories of this user, but with mode 0755"
mkdir -m 0755 "$FB_ORC" "$FB_CNI"
refused_everywhere "mode 0755" "its mode is 0755, not 0700" "chmod 700"
assert_eq "$(ls -A "$FB_ORC")" "" "files in $FB_ORC"
assert_eq "$(ls -A "$FB_CNI")" "" "files in $FB_CNI"
ok "nothing was created in either directory"
assert_eq "$(stat -c %a "$FB_ORC")" 755 "the mode is left as it was"
# orc only reads there, so it needs no more than that no one else may write: 0755 is no
# reason to refuse (no agent answers: orcd refused it), 0775 is
expect_exit 1 no_fallback "$ORC" get pods
assert_contains "$out" "cannot connect to orcd at $FB_ORC/orcd.sock: is the agent running?" "orc, 0755"
chmod 0775 "$FB_ORC"
orc_refuses "mode 0775" "its mode is 0775, others may write in it"
rm -rf "$FB_ORC" "$FB_CNI"

echo "# with XDG_RUNTIME_DIR, a run directory open to others is refused as well"
mkdir -m 0755 "$XDG_RUNTIME_DIR/orc"
expect_exit 1 timeout 20 "$ORCD"
assert_contains "$out" "refusing '$XDG_RUNTIME_DIR/orc': its mode is 0755" "orcd and a 0755 run dir"
ok "orcd refuses $XDG_RUNTIME_DIR/orc with mode 0755"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR/orc-cni" && mkdir -m 0755 "$XDG_RUNTIME_DIR/orc-cni/slirp"
cni_refused ADD slirp "refusing '$XDG_RUNTIME_DIR/orc-cni/slirp': its mode is 0755" "a 0755 state dir"
ok "slirp refuses $XDG_RUNTIME_DIR/orc-cni/slirp with mode 0755"
rm -rf "$XDG_RUNTIME_DIR/orc" "$XDG_RUNTIME_DIR/orc-cni"

echo "# the fallbacks work when they are this user's: made 0700"
env -u XDG_RUNTIME_DIR "$ORCD" --log-level debug --secure-port "$SECURE_PORT" \
    >>"$TEST_DIR/orcd.log" 2>&1 &
ORCD_PID=$!
wait_for 20 no_fallback "$ORC" version || fail "orcd did not come up on $FB_ORC"
assert_eq "$(stat -c '%u %a' "$FB_ORC" "$FB_ORC/pods" "$FB_ORC/runc" | sort -u)" "$ME 700" \
    "owner and mode of $FB_ORC and its pods/ and runc/"
ok "orcd made $FB_ORC (and pods/, runc/) 0700; orc talks to it"
stop_orcd # an agent stopped with no pods stops its namespace holder
[ ! -e "$FB_ORC/userns.json" ] || fail "the holder outlived an agent without pods"
IFNAME=eth1 # a tap of its own: eth0's DEL may still be under way when the next ADD comes
cni ADD slirp fb1 -u XDG_RUNTIME_DIR
[ "$RC" = 0 ] || fail "slirp ADD with the fallback: $OUT $ERR"
assert_eq "$(stat -c '%u %a' "$FB_CNI" "$FB_CNI/slirp" | sort -u)" "$ME 700" "owner and mode of $FB_CNI"
cni DEL slirp fb1 -u XDG_RUNTIME_DIR
[ "$RC" = 0 ] || fail "slirp DEL with the fallback: $OUT $ERR"
IFNAME=eth0
ok "slirp made $FB_CNI/slirp 0700 and used it"
clear_fallbacks

echo "# orc talks only to a server of its own user (SO_PEERCRED)"
mkdir -m 0700 "$TEST_DIR/peer"
start_other_server "$TEST_DIR/peer/orcd.sock" "$TEST_DIR/peer-server.log"
expect_exit 1 env ORC_SOCKET="$TEST_DIR/peer/orcd.sock" "$ORC" get pods
assert_contains "$out" "not talking to orcd at $TEST_DIR/peer/orcd.sock: the process listening there" \
    "orc and another user's server"
assert_contains "$out" "runs as uid $OTHER, not as you (uid $ME" "orc names the server's owner"
ok "orc refuses: $out"
expect_exit 1 "$ORC" --socket "$TEST_DIR/peer/orcd.sock" apply -f - <<<'{"kind": "Pod"}'
assert_contains "$out" "runs as uid $OTHER" "orc apply and another user's server"
two_ends() { [ "$(grep -c bytes "$TEST_DIR/peer-server.log")" -ge 2 ]; }
wait_for 10 two_ends || fail "the server saw no end of two connections: $(cat "$TEST_DIR/peer-server.log")"
[ "$(grep bytes "$TEST_DIR/peer-server.log" | sort -u)" = "bytes 0" ] \
    || fail "the other user's server got data: $(cat "$TEST_DIR/peer-server.log")"
ok "the other user's server saw $(grep -c conn "$TEST_DIR/peer-server.log") connections and not one byte"

echo "# a plugin's state and log files are never followed through a symlink"
STATE=$XDG_RUNTIME_DIR/orc-cni/slirp
mkdir -p -m 0700 "$XDG_RUNTIME_DIR/orc-cni" "$STATE"
echo "the user's own file" >"$TEST_DIR/victim"
ln -s "$TEST_DIR/victim" "$STATE/sym1-eth0.log"
cni ADD slirp sym1
assert_eq "$RC" 1 "slirp ADD with a symlinked log (stdout: $OUT, stderr: $ERR)"
assert_contains "$(jq -r .msg <<<"$OUT")" "refusing the log '$STATE/sym1-eth0.log': it is a symbolic link" \
    "message for a symlinked log"
assert_eq "$(cat "$TEST_DIR/victim")" "the user's own file" "the symlink's target"
! in_sandbox_link eth0 || fail "ADD with a symlinked log left eth0"
[ ! -e "$STATE/sym1-eth0.json" ] || fail "ADD with a symlinked log left state"
ok "ADD refuses a symlinked log, its target untouched: $(jq -r .msg <<<"$OUT")"
sleep 3600 &
MINE=$!
OTHER_PIDS+=("$MINE")
start_of() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat"; }
jq -cn --argjson p "$MINE" --argjson t "$(start_of "$MINE")" '{pid: $p, startTime: $t}' \
    >"$TEST_DIR/victim.json"
ln -s "$TEST_DIR/victim.json" "$STATE/sym2-eth0.json"
cni DEL slirp sym2
assert_eq "$RC" 0 "slirp DEL with a symlinked state file (stdout: $OUT, stderr: $ERR)"
kill -0 "$MINE" || fail "DEL signalled the pid of a symlinked state file"
[ -f "$TEST_DIR/victim.json" ] && [ ! -L "$STATE/sym2-eth0.json" ] \
    || fail "DEL removed the target, or left the symlink"
ok "DEL reads no state through a symlink: the pid it names lives, the link went, its target stays"

echo "# pids planted in state files: only the plugin's own helper is ever signalled"
# a process of this user (sleep), and one of the other uid running the plugin's own program
# (a VERSION call waiting for its configuration), each recorded with its true start time
mkfifo "$TEST_DIR/hold"
exec 9<>"$TEST_DIR/hold" # a writer that never writes: the VERSION call waits on stdin
unshare --user --map-auto --map-root-user --setuid 1 --setgid 1 env CNI_COMMAND=VERSION \
    "$CNI_DIR/slirp" <"$TEST_DIR/hold" >/dev/null 2>&1 &
THEIRS=$! # unshare and env exec: the pid becomes the plugin's
OTHER_PIDS+=("$THEIRS")
runs_slirp() { [ "$(readlink "/proc/$THEIRS/exe")" = "$(readlink -f "$CNI_DIR/slirp")" ]; }
wait_for 5 runs_slirp || fail "the other user's slirp did not start"
assert_eq "$(stat -c %u "/proc/$THEIRS")" "$OTHER" "owner of the other user's slirp"
plant() { # PLUGIN CID PID
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR/orc-cni/$1"
    jq -cn --argjson p "$3" --argjson t "$(start_of "$3")" '{pid: $p, startTime: $t}' \
        >"$XDG_RUNTIME_DIR/orc-cni/$1/$2-eth0.json"
}
for p in slirp port-forward; do
    plant $p mine1 "$MINE"
    cni DEL $p mine1
    assert_eq "$RC" 0 "$p DEL of a planted pid of this user (stdout: $OUT, stderr: $ERR)"
    kill -0 "$MINE" || fail "$p DEL killed this user's sleep $MINE"
    assert_contains "$ERR" "not stopping pid $MINE" "$p DEL says why"
    assert_contains "$ERR" "runs '$(readlink -f /proc/$MINE/exe)', not '$(readlink -f "$CNI_DIR/$p")'" \
        "$p DEL names the executable"
    [ ! -e "$XDG_RUNTIME_DIR/orc-cni/$p/mine1-eth0.json" ] || fail "$p DEL left the planted state"
    ok "$p DEL spares this user's sleep (pid $MINE, right start time): $ERR"
    plant $p theirs1 "$THEIRS"
    cni DEL $p theirs1
    assert_eq "$RC" 0 "$p DEL of a planted pid of uid $OTHER (stdout: $OUT, stderr: $ERR)"
    kill -0 "$THEIRS" || fail "$p DEL killed the other uid's process $THEIRS"
    assert_contains "$ERR" "pid $THEIRS belongs to uid $OTHER, not to uid $ME" "$p DEL names the owner"
    ok "$p DEL spares uid $OTHER's $(basename "$CNI_DIR/slirp") (pid $THEIRS): $ERR"
done
plant slirp mine2 "$MINE"
CONF[slirp]='{"cniVersion":"1.0.0","name":"n","type":"slirp","prevResult":{"cniVersion":"1.0.0"}}'
cni CHECK slirp mine2
assert_eq "$RC" 1 "CHECK with a planted pid (stdout: $OUT)"
assert_contains "$(jq -r .msg <<<"$OUT")" "the slirp helper (pid $MINE) is not running" "CHECK message"
ok "CHECK does not take the planted pid for a helper"
CONF[slirp]='{"cniVersion":"1.0.0","name":"n","type":"slirp"}'
cni ADD slirp mine2
assert_eq "$RC" 0 "ADD over a planted pid (stdout: $OUT, stderr: $ERR)"
helper=$(jq -r .pid "$XDG_RUNTIME_DIR/orc-cni/slirp/mine2-eth0.json")
[ "$helper" != "$MINE" ] && kill -0 "$helper" || fail "ADD did not record its own helper"
ok "ADD is not blocked by a planted pid: its helper $helper replaces the record"
cni DEL slirp mine2
assert_eq "$RC" 0 "DEL of the real helper"
wait_for 5 sh -c "! kill -0 $helper" || fail "DEL did not stop the real helper $helper"
kill -0 "$MINE" && kill -0 "$THEIRS" || fail "a planted process died"
ok "DEL stops the real helper $helper; the planted processes live on"

[ ! -e "$FB_ORC" ] && [ ! -e "$FB_CNI" ] || fail "fallback directories left behind"
echo "1..$N"
echo "PASS: $TEST_NAME"
