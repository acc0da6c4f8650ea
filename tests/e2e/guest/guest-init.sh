#!/bin/sh
# Runs inside the guest at boot (orc-guest.service): mounts orc's source and build (9p,
# read-only) and the results directory, prepares an unprivileged user with a subordinate
# range and linger, runs the suite named on the kernel command line (orc.suite=) as that
# user in its systemd --user session, writes the exit status, and powers off
# (orc.keep=1 on the command line: stays up). A suite that exits 100 gets a reboot and runs
# again (ORC_GUEST_BOOT counts the boots).
set -u
mkdir -p /mnt/orc /mnt/out
mountpoint -q /mnt/orc || mount -t 9p -o trans=virtio,version=9p2000.L,ro orcsrc /mnt/orc
mountpoint -q /mnt/out || mount -t 9p -o trans=virtio,version=9p2000.L orcout /mnt/out
out=/mnt/out
suite=$(sed -n 's/.*orc\.suite=\([^ ]*\).*/\1/p' /proc/cmdline)
boot=$(cat "$out/boots" 2>/dev/null || echo 0)
echo $((boot + 1)) >"$out/boots"
if ! id tester >/dev/null 2>&1; then
    useradd -m -s /bin/bash tester
    usermod --add-subuids 100000-165535 --add-subgids 100000-165535 tester
fi
chmod 0666 /dev/net/tun 2>/dev/null || true
loginctl enable-linger tester
uid=$(id -u tester)
# the user's manager is up when its bus is (a wall-clock deadline: under emulation one
# test of the socket can take long; the suite reports a missing bus itself)
end=$(($(date +%s) + 60))
while [ ! -S /run/user/$uid/bus ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done
log=$out/log.$((boot + 1))
# a suite that hangs gets stopped with what explains it in its log, well before the host's
# timeout for the whole guest
timeout 420 runuser -u tester -- env XDG_RUNTIME_DIR=/run/user/$uid \
    DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus HOME=/home/tester \
    ORC_BUILD=/mnt/orc/build ORC_SOURCE_DIR=/mnt/orc ORC_GUEST_BOOT=$((boot + 1)) \
    sh /mnt/orc/tests/e2e/guest/"$suite" >"$log" 2>&1
status=$?
if [ $status = 124 ]; then
    {
        echo "not ok - the suite hung; state follows"
        echo "--- processes"
        ps -eo pid,ppid,stat,wchan:24,etime,args | grep -vE '\[.*\]$' | tail -60
        for p in $(pgrep -x orcd); do echo "--- orcd $p kernel stack"; cat /proc/$p/stack; done
        echo "--- orcd journal"
        journalctl _UID=$uid --no-pager -n 80 -o short-monotonic
        echo "--- kernel"
        dmesg | tail -40
    } >>"$log" 2>&1
fi
echo $status >"$out/status.$((boot + 1))"
sync
# status 100: the suite asks for a reboot and goes on after it
if [ $status = 100 ]; then
    systemctl reboot
elif ! grep -q 'orc.keep=1' /proc/cmdline; then
    systemctl poweroff
fi
