#!/bin/bash
# Many idle API connections (more than the open-files limit orcd was started with): the API
# still answers, a pod applied meanwhile starts (no file-table error is taken for a missing
# image), idle connections are closed after --api-idle-timeout, and children get the
# original open-files limit back; a log stream is not idle, however quiet its container.
source "$(dirname "$0")/lib.sh"
setup
soft=$(ulimit -Sn)
hard=$(ulimit -Hn)
n=$((soft + 200))
[ "$hard" = unlimited ] || [ "$hard" -gt $((n + 300)) ] ||
    skip "the hard open-files limit ($hard) leaves no room above the soft one ($soft)"
start_orcd --api-idle-timeout 5s
load_busybox_image
sock=$XDG_RUNTIME_DIR/orc/orcd.sock

# N connections that send nothing, held until the server closes them (or 60 s)
python3 - "$sock" "$n" "$TEST_DIR/idle" <<'PY' &
import socket, sys, time, selectors
path, n, report = sys.argv[1], int(sys.argv[2]), sys.argv[3]
import resource
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 100, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
conns = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    conns.append(s)
open(report, "w").write("open\n")
# epoll: select() cannot watch descriptors above 1024
sel = selectors.EpollSelector()
for s in conns:
    sel.register(s, selectors.EVENT_READ)
left = len(conns)
end = time.time() + 60
while left and time.time() < end:
    for key, _ in sel.select(1):
        if not key.fileobj.recv(1):
            sel.unregister(key.fileobj)
            key.fileobj.close()
            left -= 1
open(report, "a").write(f"left {left}\n")
PY
idle_pid=$!
on_cleanup "kill $idle_pid"
wait_for 60 grep -q open "$TEST_DIR/idle" || fail "could not open $n connections"
orcd_fds() { ls "/proc/$ORCD_PID/fd" | wc -l; }
[ "$(orcd_fds)" -gt "$soft" ] || fail "orcd holds $(orcd_fds) fds, not more than its original limit $soft"

# the API answers, and a pod starts, while they are open
assert_contains "$(timeout 10 "$ORC" get pods 2>&1)" "No resources found" "the API answers"
apply_yaml p.yaml >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: c, image: localhost/busybox:latest, command: [sh, -c, "ulimit -n; exec sleep 3600"]}
YAML
wait_for_phase p Running 60
assert_not_contains "$("$ORC" describe pod p)" "ErrImageNeverPull" "no transient error taken for a missing image"

# children get the limit orcd was started with
shim=$(cat "$XDG_RUNTIME_DIR/orc/pods/$(pod_field p .metadata.uid)/shim.pid")
assert_eq "$(awk '/Max open files/ {print $4}' "/proc/$shim/limits")" "$soft" "the shim's soft limit"
assert_eq "$(awk '/Max open files/ {print $4}' "/proc/$ORCD_PID/limits")" "$hard" "orcd's own"
wait_for 10 eval '[ -n "$("$ORC" logs p)" ]' || fail "the container printed no limit"
assert_eq "$("$ORC" logs p)" "$soft" "the container's soft limit"
checked=0 # the slirp plugin's helper of this orcd's pod
for h in $(pgrep -u "$(id -u)" -x slirp); do
    tr '\0' '\n' <"/proc/$h/environ" 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" || continue
    assert_eq "$(awk '/Max open files/ {print $4}' "/proc/$h/limits")" "$soft" "the slirp helper's soft limit"
    checked=$((checked + 1))
done
assert_eq "$checked" 1 "slirp helpers of the pod"

# idle connections are closed after the timeout
wait_for 60 grep -q "left 0" "$TEST_DIR/idle" || fail "idle connections were not closed: $(cat "$TEST_DIR/idle")"
closed() { [ "$(orcd_fds)" -lt 200 ]; }
wait_for 20 closed || fail "orcd still holds $(orcd_fds) fds"

# a stream is not idle: logs -f outlives the idle timeout while its container is quiet
# longer than the timeout between lines
apply_yaml ticker.yaml >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: ticker}
spec:
  containers:
    - {name: c, image: localhost/busybox:latest, command: [sh, -c, "i=0; while :; do i=$((i+1)); echo tick $i; sleep 7; done"]}
YAML
wait_for_phase ticker Running 60
"$ORC" logs -f ticker >"$TEST_DIR/ticks" 2>&1 &
ticks_pid=$!
on_cleanup "kill $ticks_pid"
wait_for 30 grep -q "tick 4" "$TEST_DIR/ticks" ||
    fail "logs -f did not outlive the 5 s idle timeout: $(cat "$TEST_DIR/ticks")"
kill -0 "$ticks_pid" || fail "logs -f ended although the container runs"
echo "PASS: $TEST_NAME"
