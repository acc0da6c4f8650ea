#!/bin/sh
# Installs everything orc needs to build, run and test on Debian 12.
# Run as root (or through sudo). Idempotent. With --bench also what the benchmarks compare
# with (rootless podman and its slirp4netns).
set -eu

BUILD="cmake make gcc clang clang-format pkg-config libclang-rt-14-dev
       libyaml-dev libjansson-dev libmicrohttpd-dev libgnutls28-dev libcurl4-openssl-dev
       libsqlite3-dev libarchive-dev libssl-dev libslirp-dev libglib2.0-dev libsystemd-dev"
RUNTIME="runc uidmap iproute2 procps util-linux"
# containernetworking-plugins: the reference plugins the CNI conformance test chains with
TEST="busybox-static sqlite3 jq procps dnsmasq-base socat python3 iperf3 curl
      containernetworking-plugins docker-registry skopeo apache2-utils zstd openssl
      coreutils nginx redis-server"
# nginx, redis-server: the documentation examples' nginx and redis images are built from
# their files (tests/e2e/build-docs-images.sh); the services they install are not used
# the systemd guest for cgroup tests: built with debootstrap, run under QEMU (tcg)
GUEST="debootstrap qemu-system-x86 qemu-utils e2fsprogs"
BENCH=""
case "${1:-}" in
    --bench) BENCH="podman slirp4netns fuse-overlayfs catatonit" ;;
    "") ;;
    *) echo "usage: install-deps.sh [--bench]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: needs root (apt-get); try: sudo $0" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $BUILD $RUNTIME $TEST $GUEST $BENCH
