#!/bin/bash
# Bad manifests get precise errors and change nothing in the database.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image
"$ORC" apply -f "$ORC_SOURCE_DIR/manifests/examples/pod.yaml" >/dev/null
before=$(db_dump)

reject() { # file expected-text...; leaves the CLI's output in $out
    local f=$1 want; shift
    if out=$("$ORC" apply -f "$f" 2>&1); then fail "$f was accepted"; fi
    for want in "$@"; do assert_contains "$out" "$want" "error for $(basename "$f")"; done
    assert_eq "$(db_dump)" "$before" "database unchanged by $(basename "$f")"
}

# Every file of the parser's invalid testdata, with each error its "# expect:" lines name,
# and no other (the CLI prints one line per error, each starting with the file's name).
data=$ORC_SOURCE_DIR/manifests/testdata/invalid
n=0
for f in "$data"/*.yaml; do
    name=$(basename "$f")
    mapfile -t expected < <(sed -n "s/^# expect: /$name:/p" "$f")
    [ ${#expected[@]} -gt 0 ] || fail "$name names no expected error"
    start=$SECONDS
    reject "$f" "${expected[@]}"
    [ $((SECONDS - start)) -lt 5 ] || fail "$name took $((SECONDS - start)) s to reject"
    errors=$(awk -v n="$name:" 'index($0, n) { c++ } END { print c + 0 }' <<<"$out")
    assert_eq "$errors" "${#expected[@]}" "number of errors reported for $name"
    n=$((n + 1))
done
[ $n -ge 10 ] || fail "only $n invalid manifests found in $data"

big=$TEST_DIR/big.yaml
{ printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\n  annotations:\n    a: "'
  head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' x
  printf '"\nspec:\n  containers: [{name: c, image: busybox}]\n'; } >"$big"
# named by the file, its size and its object, before anything is sent
size=$(stat -c %s "$big")
reject "$big" "error: $big:1:1: input is $size bytes, more than the limit of 3145728 bytes (3 MiB) for one apply: Pod \"big\" alone is"

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
reject "$TEST_DIR/mixed.yaml" "mixed.yaml:9:88: spec.containers[0].ports[0].containerPort: must be between 1 and 65535, inclusive (got 0)"
pod_gone good || fail "the valid half of a rejected file was stored"

# kinds orc does not serve yet: one line names them, nothing is applied; with
# --skip-unsupported they are skipped with a warning and the rest is applied
cat >"$TEST_DIR/kinds.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: v1
kind: Pod
metadata: {name: served}
spec: {containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "60"]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
YAML
reject "$TEST_DIR/kinds.yaml" "kinds.yaml:2:7: kind: kinds orc does not serve yet: Deployment (apps/v1) at line 2; Service (v1) at line 11 (orc serves Pod, ConfigMap, Secret, PersistentVolumeClaim, PersistentVolume and Namespace, apiVersion v1; nothing was applied: --skip-unsupported applies the rest)"
assert_eq "$(grep -c "kinds orc does not serve" <<<"$out")" 1 "one line for every unsupported kind"
pod_gone served || fail "a pod was applied from a stream that was refused"
out=$("$ORC" apply -f "$TEST_DIR/kinds.yaml" --skip-unsupported 2>&1) ||
    fail "--skip-unsupported must apply the rest: $out"
assert_contains "$out" "Warning: $TEST_DIR/kinds.yaml:2:7: kind: kinds orc does not serve yet, skipped: Deployment (apps/v1) at line 2; Service (v1) at line 11" "skipped kinds warned"
assert_contains "$out" "pod/served created" "the rest applied"
"$ORC" delete pod served >/dev/null || fail "delete served"
before=$(db_dump)

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
  priorityClassName: high
  containers: [{name: c, image: localhost/busybox:latest, imagex: typo, command: [sleep, "60"]}]
YAML
out=$("$ORC" apply -f "$TEST_DIR/unknown.yaml" 2>&1) || fail "unknown fields must not reject: $out"
assert_contains "$out" 'unknown.yaml:6:59: unknown field "spec.containers[0].imagex"' "unknown field"
assert_contains "$out" "unknown.yaml:5:3: spec.priorityClassName: not supported yet by orc, ignored" \
    "unsupported field"
assert_contains "$out" "pod/unknown created" "applied"
echo "PASS: $TEST_NAME"
