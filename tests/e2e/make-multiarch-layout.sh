#!/bin/sh
# make-multiarch-layout.sh SRC DEST
#
# From the single-image OCI layout SRC (build-test-image.sh), writes DEST: the same image for
# linux/<this machine's architecture> plus a twin whose config says linux/arm64/v8 (or
# linux/amd64 on an arm64 machine), under one image index, as registries serve multi-platform
# images. The twin shares the layers; only its config and manifest differ.
set -eu
src=$1 dest=$2
rm -rf "$dest"
cp -r "$src" "$dest"
blob() { echo "$dest/blobs/sha256/${1#sha256:}"; }
put() { # FILE -> prints "digest size", storing FILE as a blob
    d=$(sha256sum "$1" | cut -d' ' -f1)
    cp "$1" "$dest/blobs/sha256/$d"
    echo "sha256:$d $(stat -c %s "$1")"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
m=$(jq -r '.manifests[0].digest' "$src/index.json")
msize=$(jq -r '.manifests[0].size' "$src/index.json")
native=$(jq -r .architecture "$(blob "$(jq -r .config.digest "$(blob "$m")")")")
case $native in amd64) other=arm64 variant=v8 ;; *) other=amd64 variant= ;; esac
jq -c --arg a "$other" '.architecture = $a' "$(blob "$(jq -r .config.digest "$(blob "$m")")")" >"$tmp/config"
set -- $(put "$tmp/config")
jq -c --arg d "$1" --argjson s "$2" '.config.digest = $d | .config.size = $s' "$(blob "$m")" >"$tmp/manifest"
set -- $(put "$tmp/manifest")
jq -n --arg m "$m" --argjson ms "$msize" --arg n "$native" --arg o "$other" --arg v "$variant" \
    --arg t "$1" --argjson ts "$2" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        ({mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $t, size: $ts,
          platform: ({os: "linux", architecture: $o} + (if $v != "" then {variant: $v} else {} end))}),
        {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
         platform: {os: "linux", architecture: $n}}]}' >"$tmp/index"
set -- $(put "$tmp/index")
jq -n --arg d "$1" --argjson s "$2" '{schemaVersion: 2, manifests: [{mediaType:
    "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
    annotations: {"org.opencontainers.image.ref.name": "multi"}}]}' >"$dest/index.json"
