#!/bin/sh
# build-test-image.sh OUTDIR [REF] [--docker-archive FILE]
#
# Builds a reproducible OCI image layout from Debian's busybox-static: one gzip layer with
# /bin/busybox, its applet links, /etc/passwd, /etc/group and /tmp. REF (default
# localhost/busybox:latest) goes into the org.opencontainers.image.ref.name annotation.
# With --docker-archive, also writes the same image as a `docker save` tarball.
set -eu

usage() { echo "usage: $0 OUTDIR [REF] [--docker-archive FILE]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1; shift
ref=localhost/busybox:latest
archive=
while [ $# -gt 0 ]; do
    case $1 in
        --docker-archive) archive=$2; shift 2 ;;
        -*) usage ;;
        *) ref=$1; shift ;;
    esac
done
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "$0: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/www" "$root/root"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
echo 'hello from the orc test image' > "$root/www/index.html"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$work/layer.tar" .
gzip -n -c "$work/layer.tar" > "$work/layer.tar.gz"
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
diff_id=$(sha "$work/layer.tar")
layer=$(sha "$work/layer.tar.gz")

cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"build-test-image.sh"}]}
JSON
config=$(sha "$work/config.json")
cat > "$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$(size "$work/config.json")},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer","size":$(size "$work/layer.tar.gz")}]}
JSON
manifest=$(sha "$work/manifest.json")

mkdir -p "$out/blobs/sha256"
cp "$work/layer.tar.gz" "$out/blobs/sha256/$layer"
cp "$work/config.json" "$out/blobs/sha256/$config"
cp "$work/manifest.json" "$out/blobs/sha256/$manifest"
echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
cat > "$out/index.json" <<JSON
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest","size":$(size "$work/manifest.json"),"annotations":{"org.opencontainers.image.ref.name":"$ref"}}]}
JSON

if [ -n "$archive" ]; then
    d=$work/docker
    mkdir -p "$d/$layer"
    cp "$work/layer.tar" "$d/$layer/layer.tar"
    cp "$work/config.json" "$d/$config.json"
    printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' \
        "$config" "$ref" "$layer" > "$d/manifest.json"
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf "$archive" .
fi
