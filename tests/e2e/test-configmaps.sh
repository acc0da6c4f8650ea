#!/bin/bash
# ConfigMaps and Secrets as stored kinds: orc apply of a stream of several kinds, refusals that
# store nothing, and the real kubectl: create configmap|secret (generic, docker-registry,
# tls), get, describe (sizes, never values), edit, patch, replace of an immutable object,
# delete, and a watch.
source "$(dirname "$0")/lib.sh"
command -v kubectl >/dev/null || skip "kubectl missing"
setup
trap 'echo "FAIL: $TEST_NAME: line $LINENO: $BASH_COMMAND" >&2' ERR
start_orcd
load_busybox_image
kubectl_setup

echo "# orc apply: pods, ConfigMaps and Secrets in one stream"
out=$(apply_yaml mixed.yaml <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: game}
data:
  game.properties: |
    lives=3
  ui: color=good
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {username: admin}
data: {password: czNjcjN0}
---
apiVersion: v1
kind: Pod
metadata: {name: mixed}
spec:
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"]}]
EOF
) || fail "apply of a mixed stream: $out"
assert_eq "$out" "configmap/game created
secret/creds created
pod/mixed created" "apply names each kind"
out=$("$ORC" apply -f "$TEST_DIR/mixed.yaml")
assert_eq "$out" "configmap/game unchanged
secret/creds unchanged
pod/mixed unchanged" "apply again"
assert_eq "$(k get secret creds -o jsonpath='{.data.username} {.type}')" "YWRtaW4= Opaque" \
    "stringData is folded into data, the type defaulted"

echo "# bad input stores nothing"
before=$(db_dump)
out=$(apply_yaml bad.yaml <<'EOF' 2>&1
apiVersion: v1
kind: ConfigMap
metadata: {name: good}
data: {a: b}
---
apiVersion: v1
kind: Secret
metadata: {name: bad}
data:
  key: "c2Vj!mV0"
EOF
) && fail "a bad Secret was applied: $out"
assert_contains "$out" "bad.yaml:10:8: data[key]: Invalid value: illegal base64 data at input byte 4" \
    "the bad byte's position"
out=$(apply_yaml tls.yaml <<'EOF' 2>&1
apiVersion: v1
kind: Secret
metadata: {name: tls}
type: kubernetes.io/tls
data: {tls.crt: YQ==}
EOF
) && fail "a tls Secret without its key was applied: $out"
assert_contains "$out" "tls.yaml:4:7: data[tls.key]: Required value" "a type's required key"
assert_eq "$(db_dump)" "$before" "refused streams changed nothing"

echo "# kubectl create configmap and secret"
printf 'enemies=aliens\n' >"$TEST_DIR/game.properties"
assert_eq "$(k create configmap kc --from-literal=special.how=very --from-file="$TEST_DIR/game.properties")" \
    "configmap/kc created" "kubectl create configmap"
assert_eq "$(k get configmap kc -o jsonpath='{.data.special\.how}|{.data.game\.properties}')" \
    "very|enemies=aliens" "its data"
assert_eq "$(k create secret generic db --from-literal=user=admin --from-literal=pass=s3cr3t)" \
    "secret/db created" "kubectl create secret generic"
assert_eq "$(k get secret db -o jsonpath='{.data.pass}' | base64 -d)" "s3cr3t" "its data, base64"
assert_eq "$(k create secret docker-registry reg --docker-server=registry.example --docker-username=u --docker-password=p)" \
    "secret/reg created" "kubectl create secret docker-registry"
assert_eq "$(k get secret reg -o jsonpath='{.type}')" "kubernetes.io/dockerconfigjson" "its type"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=t \
    -keyout "$TEST_DIR/tls.key" -out "$TEST_DIR/tls.crt" 2>/dev/null || fail "openssl"
assert_eq "$(k create secret tls web --cert="$TEST_DIR/tls.crt" --key="$TEST_DIR/tls.key")" \
    "secret/web created" "kubectl create secret tls"
out=$(k create configmap kc --from-literal=a=b) && fail "created twice: $out"
assert_eq "$out" 'error: failed to create configmap: configmaps "kc" already exists' "create again"

echo "# kubectl get and describe"
out=$(k get configmaps | sed -E 's/ +/ /g; s/[0-9]+s$/AGE/')
assert_eq "$out" "NAME DATA AGE
game 2 AGE
kc 2 AGE" "kubectl get configmaps"
out=$(k get secrets | sed -E 's/ +/ /g; s/[0-9]+s$/AGE/')
assert_eq "$out" "NAME TYPE DATA AGE
creds Opaque 2 AGE
db Opaque 2 AGE
reg kubernetes.io/dockerconfigjson 1 AGE
web kubernetes.io/tls 2 AGE" "kubectl get secrets"
assert_eq "$("$ORC" get secrets | sed -E 's/ +/ /g; s/[0-9]+s$/AGE/')" "$out" "orc get secrets prints kubectl's table"
assert_eq "$("$ORC" get cm kc -o name)" "configmap/kc" "orc get cm -o name"
out=$(k describe secret db)
assert_contains "$out" "Type:  Opaque" "describe shows the type"
assert_contains "$out" "pass:  6 bytes" "describe shows sizes"
assert_not_contains "$out" "s3cr3t" "describe never shows values"
out=$(k describe configmap kc)
assert_contains "$out" "special.how:
----
very" "describe configmap shows its data"

echo "# edit, patch, replace, immutable"
out=$(EDITOR="sed -i s/very/extremely/" k edit configmap kc)
assert_eq "$out" "configmap/kc edited" "kubectl edit"
assert_eq "$(k get cm kc -o jsonpath='{.data.special\.how}')" "extremely" "the edit is stored"
assert_eq "$(k patch cm kc -p '{"data":{"new":"x"}}')" "configmap/kc patched" "strategic merge patch"
assert_eq "$(k patch cm kc --type=json -p '[{"op":"remove","path":"/data/new"}]')" \
    "configmap/kc patched" "JSON patch"
assert_eq "$(k patch cm kc --type=merge -p '{"immutable":true}')" "configmap/kc patched" "made immutable"
out=$(k patch cm kc -p '{"data":{"special.how":"less"}}') && fail "immutable data changed: $out"
assert_contains "$out" 'ConfigMap "kc" is invalid: data: Forbidden: field is immutable when `immutable` is set' \
    "an immutable ConfigMap's data cannot change"
assert_eq "$(k label cm kc tier=web)" "configmap/kc labeled" "its labels can"

k get cm -o yaml >"$TEST_DIR/list.yaml"
echo "# a watch sees changes; delete"
k get cm -w --output-watch-events >"$TEST_DIR/watch" 2>&1 &
watch_pid=$!
on_cleanup "kill $watch_pid"
wait_for 10 grep -Eq "^ADDED +kc " "$TEST_DIR/watch" || fail "no initial events: $(cat "$TEST_DIR/watch")"
assert_eq "$(k delete configmap game)" 'configmap "game" deleted' "kubectl delete configmap"
wait_for 10 grep -Eq "^DELETED +game " "$TEST_DIR/watch" || fail "the watch missed the delete: $(cat "$TEST_DIR/watch")"
out=$(k get cm game) && fail "still there: $out"
assert_contains "$out" 'configmaps "game" not found' "it is gone"
echo "# kind: List, as kubectl get -o yaml writes it"
assert_eq "$("$ORC" apply -f "$TEST_DIR/list.yaml")" "configmap/game created
configmap/kc unchanged" "orc apply of a List"
assert_eq "$(k get cm game -o jsonpath='{.data.ui}')" "color=good" "its items are stored"
assert_eq "$(k delete secret db reg web)" 'secret "db" deleted
secret "reg" deleted
secret "web" deleted' "kubectl delete secrets"
echo "PASS: $TEST_NAME"
