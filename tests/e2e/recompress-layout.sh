#!/bin/sh
# recompress-layout.sh SRC DEST zstd|tar
#
# Copies the single-image OCI layout SRC to DEST with every layer stored zstd-compressed
# (application/vnd.oci.image.layer.v1.tar+zstd) or uncompressed (...layer.v1.tar): new blobs
# and a new manifest, the same diff_ids. Registries then serve these layers as they are.
set -eu
src=$1 dest=$2 fmt=$3
rm -rf "$dest"
cp -r "$src" "$dest"
blobs=$dest/blobs/sha256
m=$(jq -r '.manifests[0].digest' "$src/index.json")
man=$(cat "$blobs/${m#sha256:}")
case $fmt in zstd) type=application/vnd.oci.image.layer.v1.tar+zstd ;; tar) type=application/vnd.oci.image.layer.v1.tar ;; *) exit 2 ;; esac
n=$(echo "$man" | jq '.layers | length')
i=0
while [ "$i" -lt "$n" ]; do
    d=$(echo "$man" | jq -r ".layers[$i].digest")
    tmp=$(mktemp)
    if [ "$fmt" = zstd ]; then gzip -dc "$blobs/${d#sha256:}" | zstd -q -c >"$tmp"; else gzip -dc "$blobs/${d#sha256:}" >"$tmp"; fi
    nd=$(sha256sum "$tmp" | cut -d' ' -f1)
    mv "$tmp" "$blobs/$nd"
    man=$(echo "$man" | jq -c --argjson i "$i" --arg d "sha256:$nd" --argjson s "$(stat -c %s "$blobs/$nd")" \
        --arg t "$type" '.layers[$i].digest = $d | .layers[$i].size = $s | .layers[$i].mediaType = $t')
    i=$((i + 1))
done
printf '%s' "$man" >"$dest/manifest.tmp"
md=$(sha256sum "$dest/manifest.tmp" | cut -d' ' -f1)
mv "$dest/manifest.tmp" "$blobs/$md"
jq -c --arg d "sha256:$md" --argjson s "$(stat -c %s "$blobs/$md")" \
    '.manifests[0].digest = $d | .manifests[0].size = $s' "$src/index.json" >"$dest/index.json"
