#!/bin/sh
# build-iperf3-image.sh OUTDIR [ARCHIVE]
#
# An image with Debian's iperf3 on top of the busybox test image: /usr/bin/iperf3, every
# library ldd names and the dynamic loader, copied from this machine (nothing downloaded).
# Writes an OCI layout to OUTDIR (for `orc image load`) and, with ARCHIVE, a docker-archive
# (for `podman load`). Reference: localhost/iperf3:latest.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [ARCHIVE]" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "$0: iperf3 missing (apt-get install iperf3)" >&2; exit 1; }
layer=$(mktemp -d)
trap 'rm -rf "$layer"' EXIT
bin=$(command -v iperf3)
mkdir -p "$layer/usr/bin"
cp "$bin" "$layer/usr/bin/iperf3"
for lib in $(ldd "$bin" | awk '/=>/ {print $3} /^\t\// {print $1}'); do
    mkdir -p "$layer$(dirname "$lib")"
    cp -L "$lib" "$layer$lib"
done
src=$(dirname "$0")/../tests/e2e/build-test-image.sh
if [ $# -ge 2 ]; then
    sh "$src" "$1" localhost/iperf3:latest --add-layer "$layer" --docker-archive "$2"
else
    sh "$src" "$1" localhost/iperf3:latest --add-layer "$layer"
fi
