#!/bin/sh
# build-test-image.sh OUTDIR [REF] [--docker-archive FILE] [--add-layer DIR] [--add-layer-tar TAR]
#                     [--name REF]... [--cmd JSON-ARRAY] [--workdir DIR] [--config-extra JSON-MEMBERS]
#
# Builds a reproducible OCI image layout from Debian's busybox-static: one gzip layer with
# /bin/busybox, its applet links, /etc/passwd (root, nobody), /etc/group and /tmp (1777).
# REF (default localhost/busybox:latest) is written as given into the
# org.opencontainers.image.ref.name annotation: a full reference names the image as is; a
# bare tag T makes orc name it localhost/<OUTDIR's name>:T.
# --docker-archive FILE also writes the same image as a `docker save` tarball (plain tar
# layers, RepoTags [REF]).
# --add-layer DIR puts a second gzip layer with DIR's content on top (images that share
# their base layer); --add-layer-tar TAR puts the tarball TAR there as it is (a layer with
# entries no directory gives: one path twice, a directory replaced by a file).
# --name REF gives the same manifest one more name in index.json (repeatable); --cmd sets the
# config's Cmd (default ["sh"]); --workdir its WorkingDir (default /); --config-extra adds
# members to the config's "config" object (e.g. '"StopSignal":"SIGQUIT"').
# Same inputs, same bytes: fixed mtimes, sorted names, numeric root ownership, gzip -n.
set -eu
umask 022

usage() {
    echo "usage: $0 OUTDIR [REF] [--docker-archive FILE] [--add-layer DIR] [--add-layer-tar TAR]" \
        "[--name REF]... [--cmd JSON-ARRAY] [--workdir DIR] [--config-extra JSON-MEMBERS]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
out=$1; shift
ref=localhost/busybox:latest
archive=
extra=
extra_tar=
names=
cmd='["sh"]'
workdir=/
config_extra=
while [ $# -gt 0 ]; do
    case $1 in
        --docker-archive) [ $# -ge 2 ] || usage; archive=$2; shift 2 ;;
        --add-layer) [ $# -ge 2 ] || usage; extra=$2; shift 2 ;;
        --add-layer-tar) [ $# -ge 2 ] || usage; extra_tar=$2; shift 2 ;;
        --name) [ $# -ge 2 ] || usage; names="$names $2"; shift 2 ;;
        --cmd) [ $# -ge 2 ] || usage; cmd=$2; shift 2 ;;
        --workdir) [ $# -ge 2 ] || usage; workdir=$2; shift 2 ;;
        --config-extra) [ $# -ge 2 ] || usage; config_extra=",$2"; shift 2 ;;
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

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
# make_layer N DIR|TAR: $work/layerN.tar(.gz); appends to the diff_ids and layer descriptors
diff_ids= descs= tars=
make_layer() {
    if [ -f "$2" ]; then
        cp "$2" "$work/layer$1.tar"
    else
        tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$2" -cf "$work/layer$1.tar" .
    fi
    gzip -n -c "$work/layer$1.tar" > "$work/layer$1.tar.gz"
    d=$(sha "$work/layer$1.tar")
    l=$(sha "$work/layer$1.tar.gz")
    diff_ids="$diff_ids${diff_ids:+,}\"sha256:$d\""
    descs="$descs${descs:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$l\",\"size\":$(size "$work/layer$1.tar.gz")}"
    tars="$tars${tars:+,}\"$d/layer.tar\""
    mkdir -p "$out/blobs/sha256" "$work/docker/$d"
    cp "$work/layer$1.tar.gz" "$out/blobs/sha256/$l"
    mv "$work/layer$1.tar" "$work/docker/$d/layer.tar"
}
make_layer 0 "$root"
[ -z "$extra" ] || make_layer 1 "$extra"
[ -z "$extra_tar" ] || make_layer 1 "$extra_tar"

cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":$cmd,"WorkingDir":"$workdir"$config_extra},"rootfs":{"type":"layers","diff_ids":[$diff_ids]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"build-test-image.sh"}]}
JSON
config=$(sha "$work/config.json")
cat > "$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$(size "$work/config.json")},"layers":[$descs]}
JSON
manifest=$(sha "$work/manifest.json")

cp "$work/config.json" "$out/blobs/sha256/$config"
cp "$work/manifest.json" "$out/blobs/sha256/$manifest"
echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
entries=
for n in $ref $names; do
    entries="$entries${entries:+,}{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$manifest\",\"size\":$(size "$work/manifest.json"),\"annotations\":{\"org.opencontainers.image.ref.name\":\"$n\"}}"
done
echo "{\"schemaVersion\":2,\"manifests\":[$entries]}" > "$out/index.json"

if [ -n "$archive" ]; then
    d=$work/docker
    cp "$work/config.json" "$d/$config.json"
    printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]\n' \
        "$config" "$ref" "$tars" > "$d/manifest.json"
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf "$archive" .
fi
