#!/bin/sh
# In the guest, as the unprivileged user: the user manager delegates cpu memory pids, and
# MemoryMax, TasksMax and CPUQuota of a user's scope are enforced; orc check is all ok.
set -u
# the busybox test image, built on the host before the guest boots (scripts/test.sh)
ORC_TEST_IMAGE=${ORC_TEST_IMAGE:-$ORC_BUILD/guest-test-image}
fails=0
ok() { echo "ok - $*"; }
no() { echo "not ok - $*"; fails=$((fails + 1)); }
uid=$(id -u)
base=/sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service
ctl=$(cat "$base/cgroup.controllers" 2>/dev/null)
for c in cpu memory pids; do
    case " $ctl " in *" $c "*) ok "user manager delegates $c" ;; *) no "user manager delegates $c (has: $ctl)" ;; esac
done
systemctl --version | head -1
# memory: a shell holding a 64 MiB string in a 16 MiB scope is killed by the OOM killer
systemd-run --user --scope -q -p MemoryMax=16M -p MemorySwapMax=0 \
    sh -c 'x=$(head -c 67108864 /dev/zero | tr "\\000" a); echo ${#x}' >/tmp/mem.out 2>&1
rc=$?
[ $rc -ne 0 ] && ! grep -q 67108864 /tmp/mem.out && ok "MemoryMax=16M stops a 64 MiB allocation (status $rc)" ||
    no "MemoryMax not enforced: status $rc, $(cat /tmp/mem.out)"
# pids: 20 background sleeps in a scope with TasksMax=8: fork fails
systemd-run --user --scope -q -p TasksMax=8 sh -c 'i=0; while [ $i -lt 20 ]; do sleep 5 & i=$((i+1)); done; echo all-started' \
    >/tmp/pids.out 2>&1
grep -q "fork" /tmp/pids.out && ! grep -q all-started /tmp/pids.out &&
    ok "TasksMax=8 refuses the ninth task ($(grep -m1 fork /tmp/pids.out))" || no "TasksMax not enforced: $(cat /tmp/pids.out)"
# cpu: a busy loop in a 10% scope is throttled (cpu.stat read from inside the scope)
systemd-run --user --scope -q -p CPUQuota=10% sh -c 'timeout 3 sh -c "while :; do :; done"
    cat /sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/cpu.stat > /tmp/cpustat' 2>/dev/null
throttled=$(sed -n 's/^nr_throttled //p' /tmp/cpustat 2>/dev/null)
[ "${throttled:-0}" -gt 0 ] && ok "CPUQuota=10% throttles a busy loop (nr_throttled $throttled)" || no "CPUQuota not enforced: $(cat /tmp/cpustat 2>/dev/null)"
if [ -x "${ORC_BUILD:-}/agent/cli/orc" ]; then
    "$ORC_BUILD/agent/cli/orc" check >/tmp/check.out 2>&1
    rc=$?
    cat /tmp/check.out
    [ $rc = 0 ] && grep -q "(0 warnings)" /tmp/check.out && ok "orc check is all ok in a systemd guest" ||
        no "orc check in the guest: status $rc"
else
    no "no orc build at ${ORC_BUILD:-?}"
fi
# no user bus, but a delegated cgroup (systemd-run --scope -p Delegate=yes with the bus
# hidden, as a batch system would leave it): orcd manages its own subtree
if [ -x "${ORC_BUILD:-}/agent/orcd" ]; then
    ORC=$ORC_BUILD/agent/cli/orc
    rt=$HOME/rt-nobus
    mkdir -p "$rt" && chmod 0700 "$rt"
    systemd-run --user --scope -q -p Delegate=yes env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent \
        XDG_RUNTIME_DIR="$rt" "$ORC_BUILD/agent/orcd" >"$HOME/orcd-nobus.log" 2>&1 &
    end=$(($(date +%s) + 60)) # wall-clock, as below
    while [ ! -S "$rt/orc/orcd.sock" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
    [ -S "$rt/orc/orcd.sock" ] || no "orcd without a bus did not come up: $(tail -5 "$HOME/orcd-nobus.log")"
    export XDG_RUNTIME_DIR="$rt"
    "$ORC" image load "$ORC_TEST_IMAGE" >/dev/null || no "image load (no bus)"
    cat >"$HOME/nobus.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: nobus}
spec:
  restartPolicy: Never
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "x=a; while [ ${#x} -lt 67108864 ]; do x=$x$x; done; echo ${#x}"]
      resources: {limits: {memory: 16Mi}}
YAML
    "$ORC" apply -f "$HOME/nobus.yaml" >/dev/null || no "apply (no bus)"
    end=$(($(date +%s) + 60)) # wall-clock: under emulation one `orc get` can take seconds
    while [ "$("$ORC" get pod nobus -o json | jq -r .status.phase)" != Failed ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
    reason=$("$ORC" get pod nobus -o json | jq -r '.status.containerStatuses[0].state.terminated.reason')
    cg=$("$ORC" get pod nobus -o json | jq -r '.status.conditions[] | select(.type == "orc.dev/LimitsEnforced") | .message')
    [ "$reason" = OOMKilled ] && ok "without a user bus, orcd's own delegated cgroup enforces limits ($cg)" ||
        no "no bus: reason $reason, cgroup $cg; $(tail -5 "$HOME/orcd-nobus.log")"
    pkill -f "$ORC_BUILD/agent/orcd" || true
fi
echo "failures: $fails"
[ $fails -eq 0 ]
