#!/bin/bash
# PATCH of a pod through the Kubernetes API, as kubectl sends it: strategic merge patch (what
# kubectl apply and kubectl patch send), merge patch, JSON patch; the pod update rules, the
# resourceVersion precondition, dryRun, fieldValidation, and the errors' codes.
source "$(dirname "$0")/lib.sh"
setup
command -v curl >/dev/null || skip "curl missing"
start_orcd
pods=/api/v1/namespaces/default/pods
SMP=application/strategic-merge-patch+json
MERGE=application/merge-patch+json
JSONPATCH=application/json-patch+json

# a pod whose images are never pulled: it waits, which is all these writes need
cat >"$TEST_DIR/web.json" <<'EOF'
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "web", "labels": {"app": "web", "tier": "x"},
              "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
 "spec": {"containers": [
   {"name": "a", "image": "localhost/absent:1",
    "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
    "ports": [{"containerPort": 80}, {"containerPort": 81}]},
   {"name": "b", "image": "localhost/absent:1"}]}}
EOF
assert_eq "$(api POST $pods "@$TEST_DIR/web.json")" 201 "create"

# discovery lists the verb
assert_eq "$(api GET /api/v1)" 200 "discovery"
assert_eq "$(body '.resources[] | select(.name == "pods") | .verbs | index("patch") != null')" true "pods can be patched"

# kubectl apply of an edited file that changes an image and a label: the patch it sends
apply_patch='{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"v\":2}"},"labels":{"tier":null,"rel":"2"}},"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"image":"localhost/absent:2","name":"b"}]}}'
assert_eq "$(api PATCH $pods/web "$apply_patch" $SMP)" 200 "strategic merge patch"
assert_eq "$(warnings)" "" "no warnings about what the stored pod holds"
assert_eq "$(body '.metadata.labels | to_entries | map("\(.key)=\(.value)") | join(",")')" "app=web,rel=2" "labels"
assert_eq "$(body '[.spec.containers[] | "\(.name) \(.image)"] | join(",")')" "a localhost/absent:1,b localhost/absent:2" "images, in their order"
assert_eq "$(body '.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]')" '{"v":2}' "last-applied"
assert_eq "$(body '.spec.containers[0].env | length')" 2 "the env untouched"
assert_eq "$(pod_field web .spec.containers[1].image)" localhost/absent:2 "stored"
assert_eq "$(pod_field web '.spec.containers[1] | "\(.imagePullPolicy) \(.["orc.dev/imagePullPolicyImplied"])"')" "IfNotPresent true" "the pull policy is still implied"
assert_eq "$(api PATCH "$pods/web?fieldValidation=Strict" '{"metadata":{"labels":{"strict":"1"}}}' $SMP)" 200 "a Strict patch of a pod with an implied pull policy"
assert_eq "$(api PATCH $pods/web '{"spec":{"containers":[{"name":"a","imagePullPolicy":"Never"}]}}' $SMP)" 200 "a patch of a pull policy"
assert_eq "$(pod_field web '.spec.containers[0] | "\(.imagePullPolicy) \(.["orc.dev/imagePullPolicyImplied"])"')" "Never null" "written, no longer implied"

# the same apply with an env var and a port removed and the containers reordered (the patch
# kubectl 1.32 sends): applied, then refused by the pod update rules, as kube-apiserver does
reorder='{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"$setElementOrder/env":[{"name":"X"}],"$setElementOrder/ports":[{"containerPort":81}],"env":[{"$patch":"delete","name":"Y"}],"name":"a","ports":[{"$patch":"delete","containerPort":80}]}]}}'
before=$(db_dump)
assert_eq "$(api PATCH $pods/web "$reorder" $SMP)" 422 "a patch that changes what a pod may not change"
assert_eq "$(body .reason)" Invalid "reason"
assert_contains "$(body .message)" 'Pod "web" is invalid: spec: Forbidden: pod updates may not change fields' "message"
assert_eq "$(db_dump)" "$before" "nothing stored"
# ... while a dry run of it without the update rules' objection shows the merge: the images
assert_eq "$(api PATCH "$pods/web?dryRun=All" '{"spec":{"containers":[{"name":"a","image":"localhost/absent:3"}]}}' $SMP)" 200 "dry run"
assert_eq "$(body '.spec.containers[0].image')" localhost/absent:3 "answered with the change"
assert_eq "$(db_dump)" "$before" "a dry run stores nothing"

# merge patch: null removes, lists are replaced (here: refused, the env is a pod's spec)
assert_eq "$(api PATCH $pods/web '{"metadata":{"labels":{"app":null,"m":"1"}}}' $MERGE)" 200 "merge patch"
assert_eq "$(body '.metadata.labels | keys | join(",")')" "m,rel,strict" "labels"
assert_eq "$(api PATCH $pods/web '{"spec":{"containers":[{"name":"a","image":"i"}]}}' $MERGE)" 422 "a merge patch replacing the containers"

# JSON patch: operations in turn; a failing test fails them all
ops='[{"op":"test","path":"/metadata/labels/m","value":"1"},{"op":"add","path":"/metadata/labels/j","value":"2"},{"op":"replace","path":"/spec/containers/0/image","value":"localhost/absent:4"}]'
assert_eq "$(api PATCH $pods/web "$ops" $JSONPATCH)" 200 "JSON patch"
assert_eq "$(body '"\(.metadata.labels.j) \(.spec.containers[0].image)"')" "2 localhost/absent:4" "applied"
before=$(db_dump)
assert_eq "$(api PATCH $pods/web '[{"op":"remove","path":"/metadata/labels/j"},{"op":"test","path":"/metadata/labels/m","value":"9"}]' $JSONPATCH)" 422 "a failing test"
assert_eq "$(body .message)" "testing value /metadata/labels/m failed: test failed" "message"
assert_eq "$(api PATCH $pods/web '[{"op":"add","path":"/spec/nope/x","value":1}]' $JSONPATCH)" 422 "a missing path"
assert_eq "$(body .message)" 'add operation does not apply: doc is missing path: "/spec/nope/x": missing value' "message"
assert_eq "$(db_dump)" "$before" "failed patches store nothing"

# the resourceVersion: a stale one in the patch is a Conflict, the stored one a precondition met
rv=$(pod_field web .metadata.resourceVersion)
assert_eq "$(api PATCH $pods/web "{\"metadata\":{\"resourceVersion\":\"$((rv + 1000))\",\"labels\":{\"s\":\"1\"}}}" $MERGE)" 409 "a stale resourceVersion"
assert_eq "$(body .reason)" Conflict "reason"
assert_eq "$(api PATCH $pods/web "{\"metadata\":{\"resourceVersion\":\"$rv\",\"labels\":{\"s\":\"1\"}}}" $MERGE)" 200 "the stored resourceVersion"
[ "$(body .metadata.resourceVersion)" != "$rv" ] || fail "the resourceVersion did not change"

# fieldValidation applies to what the patch makes
assert_eq "$(api PATCH "$pods/web?fieldValidation=Strict" '{"spec":{"foo":1}}' $MERGE)" 400 "Strict"
assert_eq "$(body .message)" 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"' "message"

# a key repeated in the patch: refused under Strict, warned about under Warn (the last stands)
assert_eq "$(api PATCH "$pods/web?fieldValidation=Strict" '{"metadata":{"labels":{"d":"1","d":"2"}}}' $MERGE)" 422 "a repeated key, Strict"
assert_eq "$(body .message)" 'strict decoding error: duplicate field "d"' "message"
assert_eq "$(api PATCH $pods/web '{"metadata":{"labels":{"d":"1","d":"2"}}}' $MERGE)" 200 "a repeated key, Warn"
assert_contains "$(warnings)" 'Warning: 299 - "duplicate field \"d\""' "warned"
assert_eq "$(body .metadata.labels.d)" 2 "the last value stands"

# content types and bodies
assert_eq "$(api PATCH $pods/web 'metadata: {}' application/apply-patch+yaml)" 415 "server-side apply"
assert_contains "$(body .message)" "server-side apply is not supported" "message"
assert_eq "$(body .reason)" UnsupportedMediaType "reason"
assert_eq "$(api PATCH $pods/web '{}' application/json)" 415 "plain JSON"
assert_contains "$(body .message)" "accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json" "message"
assert_eq "$(api PATCH $pods/web '{"metadata":' $SMP)" 400 "a body that does not parse"
assert_eq "$(api PATCH $pods/web '{"op":"add"}' $JSONPATCH)" 400 "a JSON patch that is no list"
assert_eq "$(api PATCH $pods/web '{"spec":{"containers":[{"image":"i"}]}}' $SMP)" 422 "an element without its merge key"
assert_eq "$(body .message)" "map: map[image:i] does not contain declared merge key: name" "message"
jq -cn '[range(10001) | {op: "test", path: "/kind", value: "Pod"}]' >"$TEST_DIR/ops.json"
assert_eq "$(api PATCH $pods/web "@$TEST_DIR/ops.json" $JSONPATCH)" 413 "too many operations"
assert_eq "$(body .message)" "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001" "message"
assert_eq "$(api PATCH $pods/absent '{}' $SMP)" 404 "a pod that does not exist"
assert_eq "$(api PATCH "$pods/web?dryRun=Some" '{}' $SMP)" 422 "an unknown dryRun"
assert_contains "$(body .message)" 'PatchOptions.meta.k8s.io "" is invalid: dryRun' "message"
