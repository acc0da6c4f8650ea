#!/bin/bash
# The Kubernetes API's writes over the unix socket, as kubectl sends them: create (POST),
# replace (PUT) with optimistic concurrency, delete with DeleteOptions, dryRun=All,
# fieldValidation Strict/Warn/Ignore with Warning headers, the last-applied annotation kept;
# the OpenAPI v3 documents kubectl reads for explain and validation; then the same with the
# real kubectl (explain, create, replace, apply with its default --validate=strict).
source "$(dirname "$0")/lib.sh"
setup
command -v curl >/dev/null || skip "curl missing"
command -v kubectl >/dev/null || skip "kubectl missing"
start_orcd
sock=$XDG_RUNTIME_DIR/orc/orcd.sock
pods=/api/v1/namespaces/default/pods
# a pod whose image is never pulled: it waits, which is all these writes need
pod() { # NAME [EXTRA-SPEC-JSON [EXTRA-METADATA-JSON]]
    local spec=${2:-} meta=${3:-}
    jq -cn --arg n "$1" --argjson s "${spec:-null}" --argjson m "${meta:-null}" \
        '{apiVersion: "v1", kind: "Pod", metadata: ({name: $n} + $m),
          spec: ({containers: [{name: "c", image: "localhost/absent:1"}]} + $s)}'
}

# create: 201 with the stored object; again: 409 AlreadyExists
assert_eq "$(api POST $pods "$(pod w)")" 201 "create"
assert_eq "$(body .kind)/$(body .metadata.name)" "Pod/w" "the created pod is answered"
rv=$(body .metadata.resourceVersion)
uid=$(body .metadata.uid)
[ -n "$rv" ] && [ -n "$uid" ] || fail "no resourceVersion or uid: $(cat "$TEST_DIR/body")"
assert_eq "$(pod_field w .metadata.uid)" "$uid" "orc sees the created pod"
assert_eq "$(api POST $pods "$(pod w)")" 409 "create again"
assert_eq "$(body .reason)" AlreadyExists "reason"
assert_eq "$(body .message)" 'pods "w" already exists' "message"
assert_eq "$(body .details.name)/$(body .details.kind)" "w/pods" "details"

# replace: a stale resourceVersion is a Conflict and changes nothing; the right one, or none,
# replaces
before=$(db_dump)
stale=$(pod w '{}' "{\"resourceVersion\": \"$((rv + 1000))\", \"labels\": {\"a\": \"b\"}}")
assert_eq "$(api PUT $pods/w "$stale")" 409 "replace with a stale resourceVersion"
assert_eq "$(body .reason)" Conflict "reason"
assert_eq "$(body .message)" 'Operation cannot be fulfilled on pods "w": the object has been modified; please apply your changes to the latest version and try again' "message"
assert_eq "$(db_dump)" "$before" "a conflict stores nothing"
# the agent's status writes take new resourceVersions too: the one read last, until one holds
for _ in 1 2 3 4 5; do
    rv=$(pod_field w .metadata.resourceVersion)
    right=$(pod w '{}' "{\"resourceVersion\": \"$rv\", \"labels\": {\"a\": \"b\"}}")
    code=$(api PUT $pods/w "$right")
    [ "$code" != 409 ] && break
done
assert_eq "$code" 200 "replace with the stored resourceVersion"
assert_eq "$(body .metadata.labels.a)" b "the label is set"
[ "$(body .metadata.resourceVersion)" != "$rv" ] || fail "the resourceVersion did not change"
assert_eq "$(api PUT $pods/w "$(pod w '{}' '{"uid": "another"}')")" 409 "replace of another pod's uid"
assert_contains "$(body .message)" "Precondition failed: UID in precondition: another, UID in object meta: $uid" "message"
assert_eq "$(api PUT $pods/w "$(pod w '{}' '{"labels": {"a": "c"}}')")" 200 "unconditional replace"
assert_eq "$(pod_field w .metadata.labels.a)" c "stored"
assert_eq "$(api PUT $pods/w "$(pod w '{"restartPolicy": "Never"}')")" 422 "a forbidden change"
assert_contains "$(body .message)" 'Pod "w" is invalid: spec: Forbidden: pod updates may not change fields' "message"
assert_eq "$(api PUT $pods/absent "$(pod absent)")" 404 "replace of a pod that does not exist"

# the body against the path
assert_eq "$(api POST $pods "$(pod x '{}' '{"namespace": "other"}')")" 400 "namespace mismatch"
assert_eq "$(body .reason)" BadRequest "reason"
assert_eq "$(body .message)" "the namespace of the provided object does not match the namespace sent on the request" "message"
assert_eq "$(api PUT $pods/w "$(pod x)")" 400 "name mismatch"
assert_eq "$(body .message)" "the name of the object (x) does not match the name on the URL (w)" "message"
assert_eq "$(api PUT $pods/w "$(pod w '{}' '{"namespace": "other"}')")" 400 "namespace mismatch on replace"
assert_eq "$(body .message)" "the namespace of the object (other) does not match the namespace on the request (default)" "message"
assert_eq "$(api POST $pods "$(pod x '{}' '{"resourceVersion": "5"}')")" 400 "create with a resourceVersion"
assert_eq "$(api POST $pods "$(pod x | jq -c '.apiVersion = "apps/v1"')")" 400 "another API version"
assert_eq "$(body .message)" "the API version in the data (apps/v1) does not match the expected API version (v1)" "message"
assert_eq "$(api POST $pods 'apiVersion: v1' application/yaml)" 415 "a body that is not JSON"
assert_eq "$(api POST $pods '{"kind": ')" 400 "JSON that does not parse"
assert_eq "$(api POST $pods "$(pod x | jq -c 'del(.spec.containers[0].image)')")" 422 "an invalid pod"
assert_eq "$(body .reason)" Invalid "reason"
assert_eq "$(body .message)" 'Pod "x" is invalid: spec.containers[0].image: Required value' "message"
assert_eq "$(body '.details.causes[0] | "\(.reason) \(.field)"')" "FieldValueRequired spec.containers[0].image" "cause"
assert_eq "$(api POST "$pods?fieldValidation=strict" "$(pod x)")" 422 "an unknown fieldValidation"
assert_eq "$(body .message)" 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "Ignore", "Warn", "Strict"' "message"
assert_eq "$(api POST "$pods?dryRun=Some" "$(pod x)")" 422 "an unknown dryRun"
pod_gone x || fail "a refused pod was stored"

# fieldValidation: Strict refuses unknown fields, Warn (the default) warns, Ignore drops them;
# orc's own warnings are sent in every mode
unknown=$(pod u '{"foo": 1, "priorityClassName": "high"}')
before=$(db_dump)
assert_eq "$(api POST "$pods?fieldValidation=Strict" "$unknown")" 400 "Strict"
assert_eq "$(body .message)" 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"' "Strict's message"
assert_eq "$(db_dump)" "$before" "Strict stored nothing"
assert_eq "$(api POST "$pods?fieldValidation=Warn" "$unknown")" 201 "Warn"
assert_contains "$(warnings)" 'Warning: 299 - "unknown field \"spec.foo\""' "Warn's warning"
assert_contains "$(warnings)" 'Warning: 299 - "spec.priorityClassName: not supported yet by orc, ignored"' "orc's warning"
assert_eq "$(api DELETE "$pods/u?gracePeriodSeconds=0")" 200 "delete u"
wait_for 30 pod_gone u || fail "u was not deleted"
assert_eq "$(api POST $pods "$unknown")" 201 "no fieldValidation: Warn"
assert_contains "$(warnings)" 'unknown field \"spec.foo\"' "the default warns"
assert_eq "$(api PUT "$pods/u?fieldValidation=Ignore" "$unknown")" 200 "Ignore"
assert_not_contains "$(warnings)" "unknown field" "Ignore does not warn about unknown fields"
assert_contains "$(warnings)" "spec.priorityClassName: not supported yet by orc, ignored" "but orc's warnings stay"
assert_eq "$(api PUT "$pods/u?fieldValidation=Strict" "$unknown")" 400 "Strict on replace"
dup='{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "u", "labels": {"a": "1", "a": "2"}}, "spec": {"containers": [{"name": "c", "image": "localhost/absent:1"}]}}'
assert_eq "$(api PUT "$pods/u?fieldValidation=Strict" "$dup")" 400 "a duplicate field, Strict"
assert_eq "$(body .message)" 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "a"' "message"
assert_eq "$(api PUT $pods/u "$dup")" 200 "a duplicate field, Warn"
assert_contains "$(warnings)" 'Warning: 299 - "duplicate field \"a\""' "the warning"
assert_eq "$(body .metadata.labels.a)" 2 "the last value stands"

# orc's own apply sends its warnings as headers too
assert_eq "$(api POST /apis/orc.dev/v1/apply "$(pod u '{"bar": 1}')" application/yaml)" 200 "apply"
assert_contains "$(warnings)" 'unknown field \"spec.bar\"' "apply's warning header"

# dryRun=All: answered as if written, nothing stored
before=$(db_dump)
assert_eq "$(api POST "$pods?dryRun=All" "$(pod d)")" 201 "dry-run create"
assert_eq "$(body .metadata.name)" d "answered"
assert_eq "$(body '.metadata.resourceVersion // "none"')" none "without a resourceVersion"
assert_eq "$(api PUT "$pods/w?dryRun=All" "$(pod w '{}' '{"labels": {"a": "dry"}}')")" 200 "dry-run replace"
assert_eq "$(body .metadata.labels.a)" dry "answered with the change"
assert_eq "$(api DELETE $pods/w '{"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]}')" 200 "dry-run delete"
[ "$(body .metadata.deletionTimestamp)" != null ] || fail "the dry-run delete answered no deletionTimestamp"
assert_eq "$(db_dump)" "$before" "dry runs stored nothing"
pod_gone d || fail "the dry-run pod exists"
assert_eq "$(pod_field w .metadata.deletionTimestamp)" null "w is not being deleted"

# generateName
assert_eq "$(api POST $pods "$(pod '' '{}' '{"generateName": "gen-"}')")" 201 "generateName"
gen=$(body .metadata.name)
[[ $gen =~ ^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$ ]] || fail "generated name '$gen'"
assert_eq "$(pod_field "$gen" .metadata.name)" "$gen" "the pod exists by its generated name"

# the last-applied annotation, as kubectl writes it, comes back as it went in
head -c 200000 /dev/zero | tr '\0' x >"$TEST_DIR/big"
pod l | jq -c --rawfile b "$TEST_DIR/big" \
    '.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"] = ({note: $b} | tojson)' \
    >"$TEST_DIR/last.json"
assert_eq "$(api POST $pods "@$TEST_DIR/last.json")" 201 "create with a 200 KB last-applied annotation"
pod_json l | jq -c .metadata.annotations >"$TEST_DIR/got"
jq -c .metadata.annotations "$TEST_DIR/last.json" | cmp -s - "$TEST_DIR/got" || fail "the annotation changed"

# delete with DeleteOptions: preconditions, propagationPolicy, gracePeriodSeconds
del() { jq -cn --argjson o "$1" '{kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background"} + $o'; }
wrv=$(pod_field w .metadata.resourceVersion)
wuid=$(pod_field w .metadata.uid)
assert_eq "$(api DELETE $pods/w "$(del '{"preconditions": {"uid": "nope"}}')")" 409 "a uid precondition"
assert_eq "$(body .message)" "Operation cannot be fulfilled on pods \"w\": Precondition failed: UID in precondition: nope, UID in object meta: $wuid" "message"
assert_eq "$(api DELETE $pods/w "$(del "{\"preconditions\": {\"resourceVersion\": \"$((wrv + 1000))\"}}")")" 409 "a resourceVersion precondition"
assert_eq "$(api DELETE $pods/w "$(del '{"propagationPolicy": "Sideways"}')")" 422 "an unknown propagationPolicy"
assert_eq "$(api DELETE $pods/w "$(del '{"gracePeriodSeconds": -3}')")" 400 "a negative grace period"
assert_eq "$(pod_field w .metadata.deletionTimestamp)" null "refused deletes changed nothing"
assert_eq "$(api DELETE $pods/w "$(del "{\"gracePeriodSeconds\": 7, \"preconditions\": {\"uid\": \"$wuid\", \"resourceVersion\": \"$wrv\"}}")")" 200 "delete"
assert_eq "$(body .metadata.deletionGracePeriodSeconds)" 7 "the body's grace period"
[ "$(body .metadata.deletionTimestamp)" != null ] || fail "no deletionTimestamp"
wait_for 30 pod_gone w || fail "w was not deleted"
assert_eq "$(api DELETE "$pods/l?propagationPolicy=Foreground&gracePeriodSeconds=0")" 200 "delete by query"
assert_eq "$(body .metadata.deletionGracePeriodSeconds)" 0 "the query's grace period"
assert_eq "$(api DELETE $pods/w)" 404 "delete of a pod that is gone"

# OpenAPI v3: the index links each document by its content hash; with the hash a document is
# cacheable for good, a stale hash is redirected to the current one; v2 is not served
header() { grep -i "^$1:" "$TEST_DIR/headers" | cut -d' ' -f2- | tr -d '\r'; }
assert_eq "$(api GET /openapi/v3)" 200 "the OpenAPI v3 index"
url=$(body '.paths["api/v1"].serverRelativeURL')
hash=${url##*hash=}
[[ $hash =~ ^[0-9A-F]{128}$ ]] || fail "the index links api/v1 as '$url'"
assert_eq "$(api GET /openapi/v3)" 200 "the index again"
assert_eq "$(body '.paths["api/v1"].serverRelativeURL')" "$url" "the hash is stable"
assert_eq "$(api GET "$url")" 200 "the api/v1 document by its hash"
assert_eq "$(sha512sum "$TEST_DIR/body" | cut -d' ' -f1 | tr a-f A-F)" "$hash" "the hash is the document's SHA-512"
assert_eq "$(header Cache-Control)" "public, immutable" "cacheable for good"
[ -n "$(header Expires)" ] || fail "no Expires header"
assert_eq "$(header Etag)" "\"$hash\"" "its ETag"
assert_eq "$(body '.paths | has("/api/v1/namespaces/{namespace}/pods/{name}")')" true "the pod's path"
assert_eq "$(body '.paths["/api/v1/namespaces/{namespace}/pods/{name}"].patch.parameters | map(.name) | index("fieldValidation") != null')" true "PATCH takes fieldValidation"
assert_eq "$(body '.components.schemas["io.k8s.api.core.v1.Container"].properties | has("image")')" true "the schemas referenced"
assert_eq "$(body '.paths | has("/api/v1/namespaces/{namespace}/services")')" false "no path of what orc does not serve"
assert_eq "$(api GET /openapi/v3/api/v1)" 200 "without a hash"
assert_eq "$(header Cache-Control)" "" "not cacheable for good"
assert_eq "$(api GET "/openapi/v3/api/v1?hash=0123")" 301 "a stale hash"
assert_eq "$(header Location)" "$url" "redirected to the current one"
assert_eq "$(curl -sS --unix-socket "$sock" -o /dev/null -w '%{http_code}' -H "If-None-Match: \"$hash\"" "http://x$url")" 304 "not modified"
assert_eq "$(curl -sS --unix-socket "$sock" -o /dev/null -w '%{http_code}' -H 'Accept: application/com.github.proto-openapi.spec.v3.v1.0+protobuf' "http://x$url")" 406 "protobuf is not served"
assert_eq "$(api GET /openapi/v3/apis/apps/v1)" 404 "a group orc does not serve"
assert_eq "$(api GET /openapi/v2)" 404 "OpenAPI v2"

# the real kubectl: explain reads the documents; create, replace and apply go through the
# write path; --validate=strict (the default) is the server's strict field validation
kubectl_setup
out=$(k explain pod.spec.containers)
assert_contains "$out" "FIELD: containers <[]Container>" "kubectl explain"
assert_contains "$out" "imagePullPolicy	<string>" "explain lists the container's fields"
assert_contains "$(k explain pods.spec.restartPolicy)" "FIELD: restartPolicy <string>" "explain of one field"
cat >"$TEST_DIR/kc.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: kc, labels: {app: one}}
spec:
  containers: [{name: c, image: localhost/absent:1}]
YAML
assert_eq "$(k create -f "$TEST_DIR/kc.yaml")" "pod/kc created" "kubectl create"
assert_eq "$(k create -f "$TEST_DIR/kc.yaml")" 'Error from server (AlreadyExists): error when creating "'"$TEST_DIR"'/kc.yaml": pods "kc" already exists' "kubectl create again"
sed -i 's/app: one/app: two/' "$TEST_DIR/kc.yaml"
assert_eq "$(k replace -f "$TEST_DIR/kc.yaml")" "pod/kc replaced" "kubectl replace"
assert_eq "$(pod_field kc .metadata.labels.app)" two "replaced"
assert_eq "$(k create -f "$TEST_DIR/kc.yaml" --dry-run=server -o name 2>&1 | head -1)" 'Error from server (AlreadyExists): error when creating "'"$TEST_DIR"'/kc.yaml": pods "kc" already exists' "a server dry run checks as a create does"
cat >"$TEST_DIR/ku.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: ku}
spec:
  foo: 1
  containers: [{name: c, image: localhost/absent:1}]
YAML
expect_exit 1 k apply -f "$TEST_DIR/ku.yaml"
assert_contains "$out" 'Error from server (BadRequest): error when creating "'"$TEST_DIR"'/ku.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"' "kubectl's strict validation"
pod_gone ku || fail "a strictly refused pod was stored"
out=$(k apply -f "$TEST_DIR/ku.yaml" --validate=warn)
assert_contains "$out" 'Warning: unknown field "spec.foo"' "kubectl prints the Warning header"
assert_contains "$out" "pod/ku created" "--validate=warn creates"
assert_eq "$(k delete pod ku --wait=false)" 'pod "ku" deleted' "kubectl delete"
wait_for 30 pod_gone ku || fail "ku was not deleted"
assert_eq "$(k apply -f "$TEST_DIR/ku.yaml" --validate=false)" "pod/ku created" "--validate=false"
assert_contains "$(pod_field ku '.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]')" '"foo":1' "apply's last-applied annotation is kept as kubectl wrote it"
