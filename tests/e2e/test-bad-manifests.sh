#!/bin/bash
# Bad manifests get precise errors and change nothing in the database.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image
"$ORC" apply -f "$ORC_SOURCE_DIR/manifests/examples/pod.yaml" >/dev/null
before=$(db_dump)

reject() { # file expected-text
    local out
    if out=$("$ORC" apply -f "$1" 2>&1); then fail "$1 was accepted"; fi
    assert_contains "$out" "$2" "error for $(basename "$1")"
    assert_eq "$(db_dump)" "$before" "database unchanged by $(basename "$1")"
}

data=$ORC_SOURCE_DIR/manifests/testdata/invalid
reject "$data/syntax-error.yaml" "syntax-error.yaml:"
reject "$data/wrong-type.yaml" "wrong-type.yaml:10:26: spec.containers[0].ports[0].containerPort: expected integer, got string \"http\""
reject "$data/duplicate-container.yaml" "duplicate-container.yaml:9:13: spec.containers[1].name: Duplicate value: \"c\""
start=$SECONDS
reject "$data/alias-bomb.yaml" "alias bomb"
[ $((SECONDS - start)) -lt 5 ] || fail "the alias bomb took $((SECONDS - start)) s"
reject "$data/non-utf8.yaml" "non-utf8.yaml:4:12: input is not valid UTF-8"
reject "$data/wrong-kind.yaml" 'no matches for kind "Deployment"'

big=$TEST_DIR/big.yaml
{ printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\n  annotations:\n    a: "'
  head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' x
  printf '"\nspec:\n  containers: [{name: c, image: busybox}]\n'; } >"$big"
reject "$big" "manifests are limited to 3 MiB"

# a valid document next to a bad one: nothing of the file is stored
cat >"$TEST_DIR/mixed.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: good}
spec: {containers: [{name: c, image: localhost/busybox:latest}]}
---
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec: {containers: [{name: c, image: localhost/busybox:latest, ports: [{containerPort: 0}]}]}
YAML
reject "$TEST_DIR/mixed.yaml" "mixed.yaml:9:"
pod_gone good || fail "the valid half of a rejected file was stored"

# forbidden update
sed 's/terminationGracePeriodSeconds: 5/terminationGracePeriodSeconds: 7/' \
    "$ORC_SOURCE_DIR/manifests/examples/pod.yaml" >"$TEST_DIR/update.yaml"
reject "$TEST_DIR/update.yaml" "Forbidden: pod updates may not change fields"

# unknown fields: a warning, and the pod is applied
cat >"$TEST_DIR/unknown.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: unknown}
spec:
  volumes: []
  containers: [{name: c, image: localhost/busybox:latest, imagex: typo, command: [sleep, "60"]}]
YAML
out=$("$ORC" apply -f "$TEST_DIR/unknown.yaml" 2>&1) || fail "unknown fields must not reject: $out"
assert_contains "$out" 'unknown.yaml:6:59: unknown field "spec.containers[0].imagex"' "unknown field"
assert_contains "$out" "spec.volumes: not supported yet by orc, ignored" "unsupported field"
assert_contains "$out" "pod/unknown created" "applied"
echo "PASS: $TEST_NAME"
