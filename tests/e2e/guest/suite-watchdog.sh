#!/bin/sh
# In the guest, as the unprivileged user, orcd as a user service with a short WatchdogSec: a
# pod hung in its runtime (tests/e2e/faults/hang-runtime) does not starve the watchdog and the
# other pods keep being served; a loop blocked on purpose (--debug-hooks) does starve it, and
# systemd restarts the agent while pods keep running.
set -u
# the busybox test image, built on the host before the guest boots (scripts/test.sh)
ORC_TEST_IMAGE=${ORC_TEST_IMAGE:-$ORC_BUILD/guest-test-image}
ORC=$ORC_BUILD/agent/cli/orc
fails=0
ok() { echo "ok - $*"; }
no() { echo "not ok - $*"; fails=$((fails + 1)); }
# Retries COMMAND until it succeeds or SECONDS of wall-clock time pass.
wait_for() { # seconds command...
    end=$(($(date +%s) + $1)); shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.2
    done
}
active() { [ "$(systemctl --user is-active orcd.service)" = active ]; }
phase() { "$ORC" get pod keeper -o json 2>/dev/null | jq -r .status.phase; }
running() { [ "$(phase)" = Running ]; }

"$ORC" install --orcd "$ORC_BUILD/agent/orcd" || no "orc install"
wait_for 60 active || no "service not active: $(systemctl --user status orcd 2>&1 | tail -5)"
"$ORC" image load "$ORC_TEST_IMAGE" >/dev/null || no "image load"
cat >"$HOME/keeper.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: keeper}
spec:
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"]
YAML
"$ORC" apply -f "$HOME/keeper.yaml" >/dev/null || no "apply"
wait_for 120 running || no "keeper not running: $(phase)"

# The watchdog: one pod's hung runtime call (tests/e2e/faults/hang-runtime) leaves the loop
# responsive, so the agent keeps feeding the watchdog and serving; the loop blocked on purpose
# (--debug-hooks) starves it, and systemd restarts the agent. A drop-in shortens WatchdogSec
# and adds the wrapper and the hook; it goes again afterwards.
wd=15
dropin=$HOME/.config/systemd/user/orcd.service.d
faults=$HOME/faults
mkdir -p "$dropin" "$faults"
exec_start=$(sed -n 's/^ExecStart=//p' "$HOME/.config/systemd/user/orcd.service")
cat >"$dropin/faults.conf" <<EOF
[Service]
ExecStart=
ExecStart=$exec_start --runtime $ORC_SOURCE_DIR/tests/e2e/faults/hang-runtime --debug-hooks
WatchdogSec=${wd}s
Environment=ORC_FAULT_DIR=$faults ORC_FAULT_RUNTIME=runc
EOF
systemctl --user daemon-reload && systemctl --user restart orcd.service || no "restart with the drop-in"
wait_for 60 active && [ "$(systemctl --user show -p WatchdogUSec --value orcd)" = ${wd}s ] &&
    ok "orcd restarted with WatchdogSec=${wd}s, the runtime wrapper and the debug hook" ||
    no "drop-in: $(systemctl --user show -p WatchdogUSec -p ActiveState orcd 2>&1 | tr '\n' ' ')"
wait_for 60 running || no "keeper after the restart: $(phase)"
main=$(systemctl --user show -p MainPID --value orcd)
nrestarts=$(systemctl --user show -p NRestarts --value orcd)
keeper_shim=$(cat "$XDG_RUNTIME_DIR/orc/pods/$("$ORC" get pod keeper -o json | jq -r .metadata.uid)/shim.pid")
pod_of() { # name container
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n    - name: %s\n      image: localhost/busybox:latest\n      command: ["sleep", "3600"]\n' "$1" "$2" >"$HOME/$1.yaml"
    "$ORC" apply -f "$HOME/$1.yaml" >/dev/null || no "apply $1"
}
phase_of() { "$ORC" get pod "$1" -o json 2>/dev/null | jq -r .status.phase; }
other_running() { [ "$(phase_of other)" = Running ]; }
echo stuck >"$faults/hang-runtime"
pod_of stuck stuck
wait_for 120 test -s "$faults/hung" && ok "pod stuck: its runtime call hangs ($(cat "$faults/hung"))" ||
    no "the runtime fault was never hit: $(phase_of stuck)"
t_hit=$(date +%s)
hung=$(awk 'NR == 1 {print $1}' "$faults/hung" 2>/dev/null)
pod_of other c
wait_for 120 other_running && ok "meanwhile another pod reaches Running" || no "pod other: $(phase_of other)"
# keep asking for well over two watchdog intervals of the hang
served=0 unserved=0
while [ "$(date +%s)" -lt $((t_hit + wd * 5 / 2)) ]; do
    if timeout 10 "$ORC" get pods >/dev/null 2>&1; then served=$((served + 1)); else unserved=$((unserved + 1)); fi
    sleep 1
done
[ $unserved = 0 ] && [ $served -gt 0 ] && ok "the agent answered all $served requests over $((wd * 5 / 2)) s of the hang" ||
    no "the agent did not answer $unserved of $((served + unserved)) requests during the hang"
[ -n "$hung" ] && kill -0 "$hung" 2>/dev/null && [ "$(phase_of stuck)" != Running ] &&
    ok "the runtime call still hangs after $(($(date +%s) - t_hit)) s" || no "the hang did not last: the check proved nothing"
[ "$(systemctl --user show -p MainPID --value orcd)" = "$main" ] &&
    [ "$(systemctl --user show -p NRestarts --value orcd)" = "$nrestarts" ] &&
    ok "the watchdog did not fire (MainPID $main, NRestarts $nrestarts)" ||
    no "orcd was restarted during the hang: MainPID $(systemctl --user show -p MainPID --value orcd), NRestarts $(systemctl --user show -p NRestarts --value orcd)"
other_running && running && ok "the other pods are served" || no "other: $(phase_of other), keeper: $(phase)"
rm -f "$faults/hang-runtime"
timeout 120 "$ORC" delete pod stuck other >/dev/null && ok "the stuck pod is deleted" || no "delete stuck other"
wait_for 20 sh -c "! kill -0 '$hung'" && ok "its hung runtime call is gone" || no "hung runtime call $hung left"

# the loop itself blocked for four watchdog intervals: systemd must step in
post() { # PATH: a POST on the agent's socket (the guest has no curl)
    perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!\n";
        print $s "POST $ARGV[1] HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"; print while <$s>;' \
        "$XDG_RUNTIME_DIR/orc/orcd.sock" "$1"
}
nrestarts=$(systemctl --user show -p NRestarts --value orcd)
since=$(date +%s)
post "/debug/block-loop?seconds=$((wd * 4))" >"$HOME/block.out" 2>&1 &
restarted_by_watchdog() { [ "$(systemctl --user show -p NRestarts --value orcd)" -gt "$nrestarts" ] && active &&
    [ "$(systemctl --user show -p MainPID --value orcd)" != "$main" ]; }
wait_for $((wd * 4 + 60)) restarted_by_watchdog &&
    ok "the blocked loop starved the watchdog: systemd restarted orcd after $(($(date +%s) - since)) s" ||
    no "no restart: $(systemctl --user show -p NRestarts -p MainPID -p ActiveState orcd | tr '\n' ' ') block: $(cat "$HOME/block.out")"
journalctl --user -u orcd.service --since "@$since" --no-pager 2>&1 | grep -qi "watchdog timeout" &&
    ok "the journal shows the watchdog timeout" ||
    no "no watchdog timeout in the journal: $(journalctl --user -u orcd.service --since "@$since" --no-pager 2>&1 | tail -5)"
wait_for 60 running && ok "the pod still runs after the watchdog restart" || no "keeper: $(phase)"
kill -0 "$keeper_shim" 2>/dev/null && ok "same shim (pid $keeper_shim)" || no "the keeper's shim was replaced"
rm -r "$dropin"
systemctl --user daemon-reload && systemctl --user restart orcd.service && wait_for 60 active ||
    no "orcd without the drop-in: $(systemctl --user status orcd 2>&1 | tail -5)"
wait_for 60 running || no "keeper after the drop-in went: $(phase)"
"$ORC" uninstall >/dev/null || no "orc uninstall"
echo "failures: $fails"
[ $fails -eq 0 ]
