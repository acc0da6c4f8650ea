#!/bin/sh
# In the guest, as the unprivileged user: `orc install` gives a running, notify-ready user
# service; kill -9 of the agent: systemd restarts it and the pod is untouched and adopted;
# after a reboot (exit 100 asks for it) the service and the pod come back; orc uninstall stops
# and removes the service and leaves the pod running. (The watchdog: suite-watchdog.sh.)
set -u
# the busybox test image, built on the host before the guest boots (scripts/test.sh)
ORC_TEST_IMAGE=${ORC_TEST_IMAGE:-$ORC_BUILD/guest-test-image}
ORC=$ORC_BUILD/agent/cli/orc
fails=0
ok() { echo "ok - $*"; }
no() { echo "not ok - $*"; fails=$((fails + 1)); }
# Retries COMMAND until it succeeds or SECONDS of wall-clock time pass (counted in time, not
# tries: under emulation one try of a command can take seconds).
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

if [ "$ORC_GUEST_BOOT" = 1 ]; then
    "$ORC" install --orcd "$ORC_BUILD/agent/orcd" -- --pod-pids-limit 64 || no "orc install"
    wait_for 30 active && ok "orc install: orcd.service is active" || no "service not active: $(systemctl --user status orcd 2>&1 | tail -5)"
    [ "$(systemctl --user show -p Type --value orcd)" = notify ] && ok "Type=notify (active means READY=1 arrived)" || no "not Type=notify"
    [ "$(systemctl --user is-enabled orcd)" = enabled ] && ok "enabled" || no "not enabled"
    "$ORC" check | grep -q "ok       linger" && ok "linger on" || no "linger"
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
    wait_for 60 running && ok "pod running under the service" ||
        { no "pod not running: $(phase)"; journalctl --user -u orcd --no-pager | grep -E "keeper|warn|error" | head -8
          for p in $(pgrep -f "orc-shim run"); do echo "shim $p: $(cat /proc/$p/cgroup)"; done
          jq -c .linux.cgroupsPath "$XDG_RUNTIME_DIR"/orc/pods/*/c/config.json
          tail -5 "$XDG_RUNTIME_DIR"/orc/pods/*/shim.log; cat "$XDG_RUNTIME_DIR"/orc/pods/*/c/runtime.log
          ps -eo pid,stat,wchan:20,args | grep -E "runc|shim" | grep -v grep; }
    top=$("$ORC" top pods)
    echo "$top" | grep keeper | grep -qE 'Ki|Mi' && ok "orc top pods reads the pod's cgroup: $(echo "$top" | grep keeper)" ||
        no "orc top pods: $top"
    # limits: a pod over its memory limit is OOMKilled and restarted; a CPU limit throttles
    cat >"$HOME/limits.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "x=a; while [ ${#x} -lt 67108864 ]; do x=$x$x; done; echo ${#x}; sleep 3600"]
      resources: {limits: {memory: 16Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: spin}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "while :; do :; done"]
      resources: {limits: {cpu: 100m}}
YAML
    "$ORC" apply -f "$HOME/limits.yaml" >/dev/null || no "apply limits"
    oomed() { [ "$("$ORC" get pod hog -o json | jq -r '.status.containerStatuses[0].lastState.terminated.reason')" = OOMKilled ]; }
    wait_for 60 oomed && ok "a pod over its memory limit is OOMKilled" ||
        no "no OOMKilled: $("$ORC" get pod hog -o json | jq -c .status.containerStatuses)"
    # the count goes up when the next instance runs (after the 10 s back-off), as kubelet's
    restarted() { [ "$("$ORC" get pod hog -o json | jq -r '.status.containerStatuses[0].restartCount')" -ge 1 ]; }
    wait_for 60 restarted && ok "and restarted" ||
        no "not restarted: $("$ORC" get pod hog -o json | jq -c .status.containerStatuses)"
    spin_uid=$("$ORC" get pod spin -o json | jq -r .metadata.uid)
    stat=/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service/app.slice/orc-pod-$spin_uid.scope/c/cpu.stat
    throttled() { [ "$(sed -n 's/^nr_throttled //p' "$stat" 2>/dev/null)" -gt 0 ]; }
    wait_for 30 throttled && ok "a CPU-limited pod is throttled ($(grep nr_throttled "$stat"))" ||
        no "no throttling in $stat: $(cat "$stat" 2>&1)"
    hog_uid=$("$ORC" get pod hog -o json | jq -r .metadata.uid)
    mem=$(cat /sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service/app.slice/orc-pod-$hog_uid.scope/memory.max 2>&1)
    [ "$mem" = 50331648 ] && ok "the pod's scope has MemoryMax 16Mi + 32Mi for shim and runtime" || no "scope memory.max: $mem"
    "$ORC" delete pod hog spin >/dev/null
    # a fork bomb stays inside its pod's pids limit; the agent and the other pods carry on
    cat >"$HOME/bomb.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bomb}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "b() { b | b & }; b; sleep 3600"]
YAML
    "$ORC" apply -f "$HOME/bomb.yaml" >/dev/null || no "apply bomb"
    bomb_uid=$("$ORC" get pod bomb -o json | jq -r .metadata.uid)
    scope=/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service/app.slice/orc-pod-$bomb_uid.scope
    full() { [ "$(cat "$scope/pids.current" 2>/dev/null || echo 0)" -ge 60 ]; }
    wait_for 30 full || no "the fork bomb never reached its limit (a check of nothing): pids.current $(cat "$scope/pids.current" 2>&1)"
    cur=$(cat "$scope/pids.current" 2>/dev/null) max=$(cat "$scope/pids.max" 2>/dev/null)
    [ "$max" = 64 ] && [ "${cur:-999}" -le 64 ] && ok "a fork bomb stays within the pod's pids limit ($cur of $max)" ||
        no "pids: current ${cur:-?}, max ${max:-?}"
    timeout 30 "$ORC" get pods >/dev/null && ok "the agent answers meanwhile" || no "the agent is stuck"
    "$ORC" delete pod bomb >/dev/null || no "delete the bomb"

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
