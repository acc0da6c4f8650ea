#!/bin/sh
# run-guest.sh CACHE_DIR SOURCE_DIR SUITE [TIMEOUT_S]
#
# Boots the cached guest (build-guest.sh) under QEMU's software emulation with SOURCE_DIR
# (orc's source with its build/ directory) shared read-only over 9p, runs
# tests/e2e/guest/SUITE inside it as an unprivileged user (see guest-init.sh), and exits
# with the suite's status. The guest writes to a copy-on-write overlay, so the cached image
# stays clean and reboots within one run keep their state. Logs: $WORK/console.log, log.N.
set -eu
cache=$1 src=$2 suite=$3 timeout=${4:-900}
[ -f "$cache/root.img" ] || { echo "run-guest: no guest image in $cache (build-guest.sh)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/orc-guest-run.XXXXXX")
chmod 0777 "$work"
mkdir -p "$work/out" && chmod 0777 "$work/out"
qemu-img create -q -f qcow2 -F raw -b "$cache/root.img" "$work/overlay.qcow2"
echo "guest: booting (software emulation), suite $suite, logs in $work"
rc=0
timeout "$timeout" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
    -nographic -nic none -serial "file:$work/console.log" -monitor none \
    -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
    -append "console=ttyS0 root=/dev/vda rw systemd.unified_cgroup_hierarchy=1 orc.suite=$suite" \
    -drive "file=$work/overlay.qcow2,if=virtio,format=qcow2" \
    -virtfs "local,path=$src,mount_tag=orcsrc,security_model=none,readonly=on" \
    -virtfs "local,path=$work/out,mount_tag=orcout,security_model=none" </dev/null || rc=$?
[ $rc = 0 ] || echo "guest: qemu ended with status $rc (124: timed out)" >&2
last=$(cat "$work/out/boots" 2>/dev/null || echo 0)
for i in $(seq 1 "$last"); do
    echo "--- guest boot $i: suite output"
    cat "$work/out/log.$i" 2>/dev/null || true
done
status=$(cat "$work/out/status.$last" 2>/dev/null || echo 1)
if [ "$status" != 0 ]; then
    echo "--- guest console (last 60 lines)"
    tail -60 "$work/console.log" | tr -d '\r'
fi
rm -f "$work/overlay.qcow2"
exit "$status"
