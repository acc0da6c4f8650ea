#!/bin/bash
# OCI layouts and docker-save archives load, list, run and are removed.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/oci" localhost/oci-box:1.0 \
    --docker-archive "$TEST_DIR/docker.tar"
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/other" localhost/docker-box:2.0 \
    --docker-archive "$TEST_DIR/docker.tar"

assert_eq "$("$ORC" image load "$TEST_DIR/oci")" "Loaded image: localhost/oci-box:1.0" "OCI layout"
assert_eq "$("$ORC" image load "$TEST_DIR/docker.tar")" "Loaded image: localhost/docker-box:2.0" "docker archive"
list=$("$ORC" images)
assert_contains "$list" "localhost/oci-box" "listed"
assert_contains "$list" "localhost/docker-box" "listed"
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

assert_eq "$("$ORC" image rm localhost/oci-box:1.0)" "Untagged: localhost/oci-box:1.0" "rm"
assert_not_contains "$("$ORC" images)" "oci-box" "removed from the list"
"$ORC" delete pod oci-box docker-box >/dev/null
"$ORC" image rm localhost/docker-box:2.0 >/dev/null
assert_eq "$(ls "$XDG_DATA_HOME/orc/storage/layers" | wc -l)" 0 "layers garbage-collected"
echo "PASS: $TEST_NAME"
