#!/bin/bash
# The real kubectl against orcd, through the kubeconfig `orc kubeconfig` writes: discovery,
# explain, reads in every output format, watch, describe, logs, and every kind of write
# (apply, create, replace, edit, the three patch types, label, annotate, delete, wait).
# Outputs are compared with golden files in kubectl/ after normalising what varies (ages,
# uids, addresses, times, the node's name); ORC_UPDATE_GOLDEN=1 rewrites them.
source "$(dirname "$0")/lib.sh"
command -v kubectl >/dev/null || skip "kubectl missing"
setup
# a command of a pipeline that fails ends the test (pipefail): say which
trap 'echo "FAIL: $TEST_NAME: line $LINENO: $BASH_COMMAND" >&2' ERR
start_orcd
load_busybox_image
GOLDEN=$ORC_SOURCE_DIR/tests/e2e/kubectl
export KUBECONFIG=$TEST_DIR/kubeconfig
"$ORC" kubeconfig --kubeconfig "$KUBECONFIG" --set-current >/dev/null || fail "orc kubeconfig"
# kubectl's discovery cache stays in the test's directory
export HOME=$TEST_DIR/home
mkdir -p "$HOME"
NODE=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}') || fail "no node"
[ -n "$NODE" ] || fail "the node has no name"

# What varies between runs becomes a fixed word; column widths vary with it, so runs of
# spaces between columns become one.
normalise() {
    sed -E -e "s/\\b$NODE\\b/NODE/g" \
        -e 's/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/UID/g' \
        -e 's/\b10\.0\.2\.[0-9]+\b/POD-IP/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g' \
        -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [+-][0-9]{4}/TIME/g' \
        -e 's/\b(<invalid>|[0-9]+(s|m|h|d|y)([0-9]+(s|m|h))?)\b/AGE/g' \
        -e 's/sha256:[0-9a-f]{64}/DIGEST/g' \
        -e 's/orc:\/\/[0-9a-f]+/orc:\/\/ID/g' \
        -e 's/resourceVersion: "[0-9]+"/resourceVersion: "RV"/' \
        -e 's/ {2,}/  /g' -e 's/ +$//'
}

# golden NAME: stdin, normalised, must equal kubectl/NAME
golden() {
    local got
    got=$(normalise)
    if [ "${ORC_UPDATE_GOLDEN:-0}" = 1 ]; then
        printf '%s\n' "$got" >"$GOLDEN/$1"
        return 0
    fi
    [ -f "$GOLDEN/$1" ] || fail "no golden file $1"
    [ "$got" = "$(cat "$GOLDEN/$1")" ] ||
        fail "kubectl's output differs from $1:$(printf '\n')$(diff <(printf '%s\n' "$got") "$GOLDEN/$1")"
}

kc() { kubectl --request-timeout=30s "$@"; }

echo "# version and discovery"
kc version -o json >"$TEST_DIR/version.json" || fail "kubectl version: $(cat "$TEST_DIR/version.json")"
assert_eq "$(jq -r .serverVersion.major "$TEST_DIR/version.json")/$(jq -r .serverVersion.minor "$TEST_DIR/version.json")" \
    "1/32" "the server's version"
out=$(kc version 2>&1) || fail "kubectl version: $out"
assert_not_contains "$out" "WARNING" "kubectl version warns about the server"
kc api-resources 2>&1 | golden api-resources
out=$(kc explain pod.spec.containers 2>&1) || fail "kubectl explain: $out"
printf '%s\n' "$out" | head -n 4 | golden explain-containers
assert_contains "$out" "livenessProbe" "explain lists the container's fields"

echo "# create, wait, get in every format"
kc create -f "$GOLDEN/web.yaml" 2>&1 | golden create
out=$(kc wait --for=condition=Ready pod/web --timeout=60s 2>&1) || fail "kubectl wait: $out"
assert_eq "$out" "pod/web condition met" "kubectl wait"
kc get pods 2>&1 | golden get-pods
kc get pods -o wide 2>&1 | golden get-pods-wide
kc get pod web -o json | jq -r '.kind + " " + .metadata.name + " " + .status.phase' | golden get-json
kc get pod web -o yaml | grep -E '^(apiVersion|kind):|^  name:|^  namespace:' | golden get-yaml
kc get pod web -o jsonpath='{.metadata.name} {.status.phase} {.spec.containers[*].name}{"\n"}' |
    golden get-jsonpath
kc get pods -o custom-columns='NAME:.metadata.name,IMAGE:.spec.containers[0].image,PORTS:.spec.containers[0].ports[*].containerPort' |
    golden get-custom-columns
kc get pods -l app=web 2>&1 | golden get-label-match
kc get pods -l 'app in (db,cache)' 2>&1 | golden get-label-none
kc get pods --field-selector status.phase=Running -o name 2>&1 | golden get-field-selector
kc get nodes 2>&1 | golden get-nodes
kc get ns 2>&1 | golden get-namespaces
out=$(kc get events --field-selector involvedObject.name=web -o jsonpath='{range .items[*]}{.reason}{"\n"}{end}')
assert_contains "$out" "Started" "the pod's events"

echo "# watch"
kc get pods -w --output-watch-events >"$TEST_DIR/watch" 2>&1 &
watch_pid=$!
wait_for 10 grep -q ADDED "$TEST_DIR/watch" || fail "kubectl get -w showed nothing: $(cat "$TEST_DIR/watch")"
kc label pod web watched=yes >/dev/null || fail "label"
wait_for 10 grep -q MODIFIED "$TEST_DIR/watch" || fail "the watch missed a change: $(cat "$TEST_DIR/watch")"
kill "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null || true
# the header, the pod as it was, and the change (status writes may add more MODIFIED rows)
awk 'NR <= 2 || (/^MODIFIED/ && !seen++)' "$TEST_DIR/watch" | golden watch

echo "# describe"
kc describe pod web 2>&1 | grep -E '^(Name|Namespace|Node|Labels|Status|IP|Containers|  [a-z]+:|    Image|    Port|    State|    Ready|Conditions|  Type|  Ready|QoS Class|Events):?' |
    golden describe-pod
out=$(kc describe node "$NODE" 2>&1) || fail "kubectl describe node: $out"
printf '%s\n' "$out" | grep -E '^(Name|Roles|Labels|  kubernetes.io|Conditions|  Ready|Capacity|Allocatable|System Info|  Operating System|  Architecture|Non-terminated Pods):?' |
    golden describe-node
grep -qE '^  default +web ' <<<"$out" || fail "describe node does not list the pod: $out"

echo "# writes: patch (three types), label, annotate, edit, replace"
kc patch pod web -p '{"metadata":{"labels":{"patched":"strategic"}}}' 2>&1 | golden patch-strategic
kc patch pod web --type merge -p '{"metadata":{"labels":{"merged":"yes"}}}' >/dev/null || fail "merge patch"
kc patch pod web --type json -p '[{"op":"add","path":"/metadata/labels/json","value":"yes"},{"op":"remove","path":"/metadata/labels/patched"}]' >/dev/null ||
    fail "json patch"
kc annotate pod web note=hello 2>&1 | golden annotate
out=$(kc label pod web app=other 2>&1) && fail "label overwrote without --overwrite: $out"
assert_contains "$out" "'app' already has a value (web), and --overwrite is false" "label refuses"
kc get pod web -o jsonpath='{.metadata.labels}{"\n"}{.metadata.annotations.note}{"\n"}' | golden labels
cat >"$TEST_DIR/editor" <<'SH'
#!/bin/sh
sed -i 's/^  labels:$/  labels:\n    edited: "yes"/' "$1"
SH
chmod +x "$TEST_DIR/editor"
EDITOR=$TEST_DIR/editor kc edit pod web 2>&1 | golden edit
assert_eq "$(kc get pod web -o jsonpath='{.metadata.labels.edited}')" "yes" "kubectl edit changed the pod"
kc get pod web -o yaml >"$TEST_DIR/web-current.yaml"
sed -i 's/^    image: localhost\/busybox:latest$/    image: localhost\/busybox/' "$TEST_DIR/web-current.yaml"
kc replace -f "$TEST_DIR/web-current.yaml" 2>&1 | golden replace
sed -i 's/^  resourceVersion: .*/  resourceVersion: "1"/' "$TEST_DIR/web-current.yaml"
out=$(kc replace -f "$TEST_DIR/web-current.yaml" 2>&1) && fail "a stale replace passed: $out"
assert_contains "$out" "the object has been modified; please apply your changes to the latest version and try again" \
    "a stale replace is a conflict"

echo "# apply: create, unchanged, an edit Kubernetes refuses for a pod, one it allows"
kc apply -f "$GOLDEN/app.yaml" 2>&1 | golden apply-create
kc apply -f "$GOLDEN/app.yaml" 2>&1 | golden apply-unchanged
out=$(kc apply -f "$GOLDEN/app-edited.yaml" 2>&1) && fail "a pod's env and ports changed: $out"
assert_contains "$out" 'The Pod "app" is invalid: spec: Forbidden: pod updates may not change fields other than' \
    "apply of an edit Kubernetes refuses for a pod"
kc apply -f "$GOLDEN/app-relabelled.yaml" 2>&1 | golden apply-configured
kc get pod app -o jsonpath='{.metadata.labels.tier}{" "}{.spec.containers[*].image}{"\n"}' | golden apply-result
out=$(kc get pod app -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}')
assert_contains "$out" '"tier":"back"' "the last-applied annotation is the file applied last"
out=$(printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: strict}\nspec:\n  containers:\n  - name: c\n    image: localhost/busybox\n    bogus: 1\n' |
    kc apply -f - 2>&1) && fail "an unknown field passed strict validation: $out"
assert_contains "$out" 'unknown field "spec.containers[0].bogus"' "kubectl's strict validation"

echo "# logs"
kc create -f "$GOLDEN/counter.yaml" >/dev/null || fail "create counter"
wait_for 60 sh -c "kubectl get pod counter -o jsonpath='{.status.containerStatuses[0].restartCount}' | grep -qx '[1-9]'" ||
    fail "counter did not restart"
out=$(kc logs counter --previous 2>&1) || fail "logs --previous: $out"
assert_contains "$out" "counting" "logs --previous"
timeout 30 kubectl logs -f counter >"$TEST_DIR/follow" 2>&1 || true
assert_contains "$(cat "$TEST_DIR/follow")" "done" "logs -f ends with the container"

echo "# delete waits for the pod to go"
kc delete pod web app counter 2>&1 | golden delete
out=$(kc get pods 2>&1)
assert_eq "$out" "No resources found in default namespace." "nothing left after delete"
echo "PASS: $TEST_NAME"
