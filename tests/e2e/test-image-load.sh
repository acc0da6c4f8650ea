#!/bin/bash
# OCI layouts and docker-save archives load, list, run and are removed. What is refused is
# the client's (400, with the cause): a digest name nothing proves, more than 100 names, a
# layer above --image-max-layer-size; plain-tar layers are stored compressed; a layer entry
# replaces a directory in its way (unpacked in the user namespace); every scratch kind left
# by a crash goes at the next start.
source "$(dirname "$0")/lib.sh"
setup
# what a killed orcd leaves: a load's scratch with a read-only directory, a pull's, an
# unpack's, a record's temporary file
S=$XDG_DATA_HOME/orc/storage
mkdir -p "$S/tmp-load-1-1/ro" "$S/tmp-pull-1-2/d" "$S/layers/.tmp-1-3/x" "$S/images" "$S/blobs/sha256"
touch "$S/tmp-load-1-1/ro/f" "$S/tmp-pull-1-2/d/blob" "$S/layers/.tmp-1-3/x/f" "$S/images/00.json.tmp.7"
chmod 0555 "$S/tmp-load-1-1/ro" "$S/layers/.tmp-1-3/x"
chmod 0 "$S/tmp-pull-1-2/d"
start_orcd
leftovers=$(cd "$S" && ls -d tmp-* layers/.tmp-* images/*.tmp.* 2>/dev/null || true)
assert_eq "$leftovers" "" "scratch of every kind removed at start"
assert_not_contains "$(cat "$TEST_DIR/orcd.log")" "remove '$S" "and without a warning"
# load POST as the API answers it: "CODE BODY"
load_api() {
    curl -s -w ' %{http_code}' -o "$TEST_DIR/load.out" --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" \
        -X POST -d "{\"path\": \"$1\"}" http://localhost/apis/orc.dev/v1/images/load >"$TEST_DIR/load.code"
    echo "$(tr -d ' ' <"$TEST_DIR/load.code") $(jq -r '.message // .names[0]' "$TEST_DIR/load.out")"
}
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/oci" localhost/oci-box:1.0 \
    --docker-archive "$TEST_DIR/docker.tar"
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/other" localhost/docker-box:2.0 \
    --docker-archive "$TEST_DIR/docker.tar"

assert_eq "$("$ORC" image load "$TEST_DIR/oci")" "Loaded image: localhost/oci-box:1.0" "OCI layout"
assert_eq "$("$ORC" image load "$TEST_DIR/docker.tar")" "Loaded image: localhost/docker-box:2.0" "docker archive"
list=$("$ORC" images)
assert_contains "$list" "localhost/oci-box" "listed"
assert_contains "$list" "localhost/docker-box" "listed"
# CREATED is the image's time from its config (1970 for these, reproducible), as podman shows
# it, not when it was loaded
assert_contains "$(grep '^localhost/oci-box ' <<<"$list")" "$(($(date +%s) / 3600 / 24 / 365)) years ago" "CREATED"
assert_eq "$("$ORC" image inspect localhost/oci-box:1.0 | jq -r '.[0].Created')" "1970-01-01T00:00:00Z" "inspect: Created"
# same content: one image id, two names, layers stored once
assert_eq "$(ls "$XDG_DATA_HOME/orc/storage/layers" | wc -l)" 1 "shared layer unpacked once"

for img in localhost/oci-box:1.0 localhost/docker-box:2.0; do
    name=${img#localhost/}; name=${name%%:*}
    apply_yaml $name.yaml >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $name}
spec:
  restartPolicy: Never
  containers: [{name: c, image: "$img", command: [sh, -c, "cat /www/index.html"]}]
YAML
    wait_for_phase $name Succeeded 30
    assert_contains "$("$ORC" logs $name)" "hello from the orc test image" "pod from $img"
done

# corrupted blob: rejected, nothing new stored
cp -r "$TEST_DIR/oci" "$TEST_DIR/corrupt"
layer=$(ls -S "$TEST_DIR/corrupt/blobs/sha256" | head -n1)
chmod u+w "$TEST_DIR/corrupt/blobs/sha256/$layer"
printf 'garbage' >>"$TEST_DIR/corrupt/blobs/sha256/$layer"
sed -i 's/oci-box:1.0/corrupt:1/' "$TEST_DIR/corrupt/index.json"
out=$("$ORC" image load "$TEST_DIR/corrupt" 2>&1) && fail "a corrupted image loaded"
assert_contains "$out" "has digest" "digest mismatch named"
assert_not_contains "$("$ORC" images)" "corrupt" "nothing installed"

# a corrupted layer found inside the user namespace is refused, not an internal error
cp -r "$TEST_DIR/oci" "$TEST_DIR/bad-diff"
m=$(jq -r '.manifests[0].digest' "$TEST_DIR/oci/index.json")
b=$TEST_DIR/bad-diff/blobs/sha256
c=$(jq -r .config.digest "$b/${m#sha256:}")
jq -c '.rootfs.diff_ids[0] = "sha256:'"$(printf '1%.0s' $(seq 64))"'"' "$b/${c#sha256:}" >"$b/config"
nc=$(sha256sum "$b/config" | cut -c1-64)
mv "$b/config" "$b/$nc"
jq -c --arg d "sha256:$nc" --argjson s "$(stat -c %s "$b/$nc")" '.config.digest = $d | .config.size = $s' \
    "$b/${m#sha256:}" >"$b/manifest"
nm=$(sha256sum "$b/manifest" | cut -c1-64)
mv "$b/manifest" "$b/$nm"
jq -c --arg d "sha256:$nm" --argjson s "$(stat -c %s "$b/$nm")" \
    '.manifests[0].digest = $d | .manifests[0].size = $s | .manifests[0].annotations["org.opencontainers.image.ref.name"] = "localhost/bad-diff:1"' \
    "$TEST_DIR/oci/index.json" >"$TEST_DIR/bad-diff/index.json"
out=$(load_api "$TEST_DIR/bad-diff")
assert_contains "$out" "400 " "a layer that is not its diff_id: 400 (the user namespace's errno comes back)"
assert_contains "$out" "layer unpacks to sha256:" "the cause from inside the namespace"

echo "# a digest in a name: nothing in a docker archive proves one; an OCI layout's is checked"
zero=sha256:$(printf '0%.0s' $(seq 64))
mkdir "$TEST_DIR/da" && tar -C "$TEST_DIR/da" -xf "$TEST_DIR/docker.tar"
jq -c --arg n "localhost/pinned@$zero" '.[0].RepoTags = [$n]' "$TEST_DIR/da/manifest.json" >"$TEST_DIR/m"
cp "$TEST_DIR/m" "$TEST_DIR/da/manifest.json"
tar -C "$TEST_DIR/da" -cf "$TEST_DIR/digest.tar" .
out=$(load_api "$TEST_DIR/digest.tar")
assert_contains "$out" "400 " "refused as the client's error"
assert_contains "$out" "which a docker archive cannot prove" "and says why"
cp -r "$TEST_DIR/oci" "$TEST_DIR/pinned"
jq -c --arg n "localhost/pinned@$zero" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $n' \
    "$TEST_DIR/oci/index.json" >"$TEST_DIR/pinned/index.json"
expect_exit 125 "$ORC" image load "$TEST_DIR/pinned"
assert_contains "$out" "index.json gives the image digest $m" "another digest than index.json's"
assert_not_contains "$("$ORC" images)" "pinned" "nothing stored under a digest it does not have"
jq -c --arg n "localhost/pinned@$m" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $n' \
    "$TEST_DIR/oci/index.json" >"$TEST_DIR/pinned/index.json"
assert_eq "$("$ORC" image load "$TEST_DIR/pinned")" "Loaded image: localhost/pinned@$m" "its own digest"
apply_yaml pinned.yaml >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  restartPolicy: Never
  containers: [{name: c, image: "localhost/pinned@$m", command: [cat, /www/index.html]}]
YAML
wait_for_phase pinned Succeeded 30

echo "# more than 100 names are refused, not dropped"
jq -c '.[0].RepoTags = [range(101) | "localhost/many\(.):1"]' "$TEST_DIR/m" >"$TEST_DIR/da/manifest.json"
tar -C "$TEST_DIR/da" -cf "$TEST_DIR/many.tar" .
out=$(load_api "$TEST_DIR/many.tar")
assert_contains "$out" "400 " "101 names: refused"
assert_contains "$out" "more than the 100 one image may have" "named"
assert_not_contains "$("$ORC" images)" "localhost/many" "none of them kept"
"$ORC" image rm "localhost/pinned@$m" >/dev/null
"$ORC" delete pod pinned >/dev/null

echo "# a docker archive's plain layers are stored compressed"
layer_tar=$(tar -tvf "$TEST_DIR/docker.tar" | awk '/layer.tar/ {print $3; exit}')
biggest=$(stat -c %s "$S"/blobs/sha256/* | sort -n | tail -1)
[ "$biggest" -lt $((layer_tar * 2 / 3)) ] || fail "a stored blob of $biggest bytes: the $layer_tar-byte plain layer kept as it came"

echo "# a layer entry replaces a non-empty directory in its way, as docker's unpacker"
mkdir -p "$TEST_DIR/rep/d/sub" "$TEST_DIR/rep2"
echo old >"$TEST_DIR/rep/d/sub/f"
echo "now a file" >"$TEST_DIR/rep2/d"
tar -C "$TEST_DIR/rep" -cf "$TEST_DIR/replace.tar" d
tar -C "$TEST_DIR/rep2" -rf "$TEST_DIR/replace.tar" d
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/replace" localhost/replace:1 \
    --add-layer-tar "$TEST_DIR/replace.tar"
"$ORC" image load "$TEST_DIR/replace" >/dev/null || fail "a layer replacing a directory was refused"
apply_yaml replace.yaml >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: replace}
spec:
  restartPolicy: Never
  containers: [{name: c, image: "localhost/replace:1", command: [cat, /d]}]
YAML
wait_for_phase replace Succeeded 30
assert_eq "$("$ORC" logs replace)" "now a file" "the later entry won"
"$ORC" delete pod replace >/dev/null

assert_eq "$("$ORC" image rm localhost/oci-box:1.0)" "Untagged: localhost/oci-box:1.0" "rm"
assert_not_contains "$("$ORC" images)" "oci-box" "removed from the list"
"$ORC" delete pod oci-box docker-box >/dev/null
"$ORC" image rm localhost/docker-box:2.0 >/dev/null
"$ORC" image rm localhost/replace:1 >/dev/null
assert_eq "$(ls "$XDG_DATA_HOME/orc/storage/layers" | wc -l)" 0 "layers garbage-collected"

echo "# decompression bombs: a layer above --image-max-layer-size is refused, unpacked or not"
stop_orcd
start_orcd --image-max-layer-size 32Mi
mkdir -p "$TEST_DIR/zeros" && head -c 64M /dev/zero >"$TEST_DIR/zeros/z"
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/bomb" localhost/bomb:1 \
    --add-layer "$TEST_DIR/zeros" --docker-archive "$TEST_DIR/bomb.tar"
[ "$(du -s "$TEST_DIR/bomb" | cut -f1)" -lt 4096 ] || fail "the bomb layout is not small"
out=$(load_api "$TEST_DIR/bomb")
assert_contains "$out" "400 " "a layout whose layer unpacks to 64 MiB"
assert_contains "$out" "unpacks to more than 32 MiB" "named"
out=$(load_api "$TEST_DIR/bomb.tar")
assert_contains "$out" "400 " "a docker archive with a 64 MiB layer"
assert_contains "$out" "more than one layer may unpack to (32 MiB" "refused before it is written"
assert_eq "$(ls -A "$S/layers" "$S/images" | grep -v ':$' | grep -c .)" 0 "nothing of them stays"
assert_eq "$(ls -d "$S"/tmp-* 2>/dev/null | wc -l)" 0 "no scratch either"
echo "PASS: $TEST_NAME"
