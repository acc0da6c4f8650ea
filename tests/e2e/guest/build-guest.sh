#!/bin/sh
# build-guest.sh CACHE_DIR
#
# Builds (once; cached by this script's and the package list's checksum) a Debian guest for
# the systemd and cgroup tests: a root file system from debootstrap with systemd, the
# libraries orc links and the tools the guest suite uses, as CACHE_DIR/root.img (ext4),
# CACHE_DIR/vmlinuz and CACHE_DIR/initrd.img. The mirror is the one this machine's apt uses.
# Needs root (debootstrap), network to that mirror, and about 100 s the first time.
set -eu
cache=$1
here=$(cd "$(dirname "$0")" && pwd)
packages="systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,udev,kmod,linux-image-amd64,\
passwd,login,procps,iproute2,util-linux,uidmap,runc,busybox-static,jq,sqlite3,\
libyaml-0-2,libjansson4,libmicrohttpd12,libcurl4,libsqlite3-0,libarchive13,libssl3,libslirp0,libglib2.0-0"
stamp=$(cat "$0" "$here/guest-init.sh" | sha256sum | cut -c1-16)
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] && [ -f "$cache/root.img" ]; then
    echo "guest image: cached in $cache"
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-guest: needs root (debootstrap)" >&2; exit 1; }
mirror=$("$here/debian-mirror.sh")
rm -rf "$cache"
mkdir -p "$cache"
root=$cache/rootfs
echo "guest image: debootstrap into $root (this takes a while)"
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
echo orc-guest >"$root/etc/hostname"
# orc's tree and the results are mounted early, so that user services started at boot
# (lingering) can run orcd from it
cat >"$root/etc/fstab" <<FSTAB
/dev/vda / ext4 rw,relatime 0 1
orcsrc /mnt/orc 9p trans=virtio,version=9p2000.L,ro,nofail 0 0
orcout /mnt/out 9p trans=virtio,version=9p2000.L,nofail 0 0
FSTAB
mkdir -p "$root/mnt/orc" "$root/mnt/out"
# as distributions ship it: a tun device every user may open
echo 'KERNEL=="tun", MODE="0666"' >"$root/etc/udev/rules.d/99-orc-tun.rules"
install -m 0755 "$here/guest-init.sh" "$root/usr/local/sbin/orc-guest-init"
cat >"$root/etc/systemd/system/orc-guest.service" <<UNIT
[Unit]
Description=orc guest test run
After=multi-user.target systemd-user-sessions.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/orc-guest-init
StandardOutput=journal+console
StandardError=journal+console
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/orc-guest.service "$root/etc/systemd/system/multi-user.target.wants/orc-guest.service"
# no getty fights the test for the console; no password for root (nobody can log in: no getty)
rm -f "$root/etc/systemd/system/getty.target.wants/"*
cp "$root"/boot/vmlinuz-* "$cache/vmlinuz"
cp "$root"/boot/initrd.img-* "$cache/initrd.img"
chmod 0644 "$cache/vmlinuz" "$cache/initrd.img"
mkfs.ext4 -q -L orcroot -d "$root" "$cache/root.img" 3G
chmod 0644 "$cache/root.img"
rm -rf "$root"
echo "$stamp" >"$cache/stamp"
echo "guest image: built in $cache"
