#!/bin/sh
# In the guest, as the unprivileged user: `orc install` gives a running, notify-ready user
# service; kill -9 of the agent: systemd restarts it and the pod is untouched and adopted;
# after a reboot (exit 100 asks for it) the service and the pod come back; orc uninstall
# stops and removes the service and leaves the pod running.
set -u
ORC=$ORC_BUILD/agent/cli/orc
fails=0
ok() { echo "ok - $*"; }
no() { echo "not ok - $*"; fails=$((fails + 1)); }
wait_for() { # seconds command...
    t=$1; shift
    i=0
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -lt $((t * 5)) ] || return 1
        sleep 0.2
    done
}
active() { [ "$(systemctl --user is-active orcd.service)" = active ]; }
phase() { "$ORC" get pod keeper -o json 2>/dev/null | jq -r .status.phase; }
running() { [ "$(phase)" = Running ]; }

if [ "$ORC_GUEST_BOOT" = 1 ]; then
    sh "$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$HOME/busybox" >/dev/null || no "test image"
    "$ORC" install --orcd "$ORC_BUILD/agent/orcd" || no "orc install"
    wait_for 30 active && ok "orc install: orcd.service is active" || no "service not active: $(systemctl --user status orcd 2>&1 | tail -5)"
    [ "$(systemctl --user show -p Type --value orcd)" = notify ] && ok "Type=notify (active means READY=1 arrived)" || no "not Type=notify"
    [ "$(systemctl --user is-enabled orcd)" = enabled ] && ok "enabled" || no "not enabled"
    "$ORC" check | grep -q "ok       linger" && ok "linger on" || no "linger"
    "$ORC" image load "$HOME/busybox" >/dev/null || no "image load"
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
    wait_for 60 running && ok "pod running under the service" ||
        { no "pod not running: $(phase)"; journalctl --user -u orcd --no-pager | grep -E "keeper|warn|error" | head -8
          for p in $(pgrep -f "orc-shim run"); do echo "shim $p: $(cat /proc/$p/cgroup)"; done
          jq -c .linux.cgroupsPath "$XDG_RUNTIME_DIR"/orc/pods/*/c/config.json
          tail -5 "$XDG_RUNTIME_DIR"/orc/pods/*/shim.log; cat "$XDG_RUNTIME_DIR"/orc/pods/*/c/runtime.log
          ps -eo pid,stat,wchan:20,args | grep -E "runc|shim" | grep -v grep; }
    uid=$("$ORC" get pod keeper -o json | jq -r .metadata.uid)
    shim=$(cat "$XDG_RUNTIME_DIR/orc/pods/$uid/shim.pid")
    started=$("$ORC" get pod keeper -o json | jq -r '.status.containerStatuses[0].state.running.startedAt')
    main=$(systemctl --user show -p MainPID --value orcd)
    kill -9 "$main"
    restarted() { [ "$(systemctl --user show -p NRestarts --value orcd)" -ge 1 ] && active &&
                  [ "$(systemctl --user show -p MainPID --value orcd)" != "$main" ]; }
    wait_for 60 restarted && ok "kill -9 of orcd: systemd restarted it" || no "no restart: $(systemctl --user status orcd 2>&1 | tail -5)"
    wait_for 30 running && ok "the pod is still running" || no "pod after the restart: $(phase)"
    kill -0 "$shim" 2>/dev/null && ok "same shim (pid $shim)" || no "the shim was replaced"
    now=$("$ORC" get pod keeper -o json | jq -r '.status.containerStatuses[0].state.running.startedAt')
    [ "$now" = "$started" ] && ok "container untouched (startedAt $started)" || no "container restarted: $started -> $now"
    echo "failures: $fails"
    [ $fails -eq 0 ] || exit 1
    exit 100 # reboot, then boot 2 checks that everything came back
fi
wait_for 90 active && ok "after a reboot orcd.service is active again" || no "service after reboot: $(systemctl --user status orcd 2>&1 | tail -5)"
wait_for 90 running && ok "after a reboot the pod runs again" || no "pod after reboot: $(phase)"
shim=$(cat "$XDG_RUNTIME_DIR"/orc/pods/*/shim.pid)
"$ORC" uninstall >/dev/null || no "orc uninstall"
[ ! -e "$HOME/.config/systemd/user/orcd.service" ] && ok "uninstall removed the unit" || no "the unit is still there"
[ "$(systemctl --user is-active orcd.service)" != active ] && ok "the service is stopped" || no "still active"
kill -0 "$shim" 2>/dev/null && ok "pods keep running after uninstall (shim $shim)" || no "uninstall killed the pod"
echo "failures: $fails"
[ $fails -eq 0 ]
