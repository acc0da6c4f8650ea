#!/bin/bash
# Kubernetes reads: label and field selectors, limit/continue pages, resourceVersion checks
# and server-side Tables with the API server's columns, over the socket (curl) and with the
# real kubectl (through the kubeconfig orc kubeconfig writes).
source "$(dirname "$0")/lib.sh"
setup
command -v curl >/dev/null || skip "curl missing"
command -v kubectl >/dev/null || skip "kubectl missing"
start_orcd
load_busybox_image
SOCK=$XDG_RUNTIME_DIR/orc/orcd.sock
# what kubectl get sends
TABLE='application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
get() { curl -sS --max-time 10 --unix-socket "$SOCK" "$@"; }
table() { get -H "Accept: $TABLE" "http://localhost$1"; }
names() { get "http://localhost$1" | jq -r '[.items[].metadata.name] | join(",")'; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$SOCK" "http://localhost$1"; }
message() { get "http://localhost$1" | jq -r .message; }
# the cells of pod NAME's row in the Table of the default namespace
cells() { table /api/v1/namespaces/default/pods | jq -c --arg n "$1" '.rows[] | select(.cells[0] == $n) | .cells'; }

pod() { # name labels command [grace]
    apply_yaml "$1.yaml" >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {$2}}
spec:
  terminationGracePeriodSeconds: ${4:-1}
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "$3"]
YAML
}
LOOP="trap 'exit 0' TERM; while :; do sleep 1 & wait; done"
pod web-1 "app: web, tier: fe" "$LOOP"
pod web-2 "app: web, tier: fe" "$LOOP"
pod db "app: db" "$LOOP"
pod crash "app: crash" "exit 3"
# ignores SIGTERM: stays Terminating for its grace period once deleted
pod stubborn "app: stubborn" "trap '' TERM; while :; do sleep 1; done" 60
for p in web-1 web-2 db stubborn; do wait_for_phase "$p" Running 60; done

# --- Tables
t=$(table /api/v1/namespaces/default/pods)
assert_eq "$(jq -r '.kind + " " + .apiVersion' <<<"$t")" "Table meta.k8s.io/v1" "a Table"
assert_eq "$(jq -r '[.columnDefinitions[] | "\(.name):\(.priority)"] | join(",")' <<<"$t")" \
    "Name:0,Ready:0,Status:0,Restarts:0,Age:0,IP:1,Node:1,Nominated Node:1,Readiness Gates:1" \
    "the pod columns of the API server"
assert_eq "$(jq -r '.metadata.resourceVersion | test("^[0-9]+$")' <<<"$t")" true "the list's resourceVersion"
assert_eq "$(jq -r '.rows[0].object.kind' <<<"$t")" PartialObjectMetadata "rows carry metadata"
assert_eq "$(cells web-1 | jq -r '.[1:4] | join(" ")')" "1/1 Running 0" "a running pod's row"
assert_eq "$(cells web-1 | jq -r '.[5]')" 10.0.2.100 "its IP"
# the failing container restarts with back-off: CrashLoopBackOff, "N (AGE ago)"
crash_backoff() { cells crash | jq -e '.[2] == "CrashLoopBackOff" and (.[3] | test("^[1-9][0-9]* \\([0-9]+[smh].* ago\\)$"))'; }
wait_for 60 crash_backoff || fail "crash never showed CrashLoopBackOff with its restarts: $(cells crash)"
get -X DELETE "http://localhost/api/v1/namespaces/default/pods/stubborn" >/dev/null
wait_for 10 eval '[ "$(cells stubborn | jq -r ".[2]")" = Terminating ]' ||
    fail "a pod being deleted is not Terminating: $(cells stubborn)"
one=$(table "/api/v1/namespaces/default/pods/web-1?includeObject=Object")
assert_eq "$(jq -r '.rows | length' <<<"$one")" 1 "a get as a Table has one row"
assert_eq "$(jq -r '.rows[0].object.spec.containers[0].name' <<<"$one")" c "includeObject=Object"
assert_eq "$(table /api/v1/namespaces/default/pods?includeObject=None | jq -r '.rows[0].object')" null \
    "includeObject=None"
ev=$(table "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=web-1")
assert_eq "$(jq -r '[.rows[].cells[3]] | unique | join(",")' <<<"$ev")" pod/web-1 "the events' Object column"
assert_eq "$(jq -r '[.columnDefinitions[] | select(.priority == 0) | .name] | join(",")' <<<"$ev")" \
    "Last Seen,Type,Reason,Object,Message" "the event columns kubectl shows"

# --- selectors
assert_eq "$(names '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')" web-1,web-2 "app=web"
assert_eq "$(names '/api/v1/pods?labelSelector=app+in+(web,db),tier!%3Dfe')" db "in, != and AND"
assert_eq "$(names '/api/v1/pods?labelSelector=!tier,app+notin+(crash,stubborn)')" db "!key and notin"
assert_eq "$(names '/api/v1/pods?fieldSelector=metadata.name%3Dweb-2')" web-2 "metadata.name"
assert_eq "$(names '/api/v1/pods?fieldSelector=status.phase%3DRunning,metadata.namespace%3Ddefault,metadata.name!%3Dstubborn' |
    tr , '\n' | grep -c web)" 2 "status.phase and metadata.namespace"
assert_eq "$(code '/api/v1/pods?fieldSelector=spec.foo%3Dbar')" 400 "an unsupported field"
assert_eq "$(message '/api/v1/pods?fieldSelector=spec.foo%3Dbar')" "field label not supported: spec.foo" \
    "its message"
assert_eq "$(message '/api/v1/pods?labelSelector=app+in+(web')" \
    "unable to parse requirement: found '', expected: ',' or ')'" "a bad label selector"

# --- pages: every pod once, in order, at the first page's resourceVersion
all=$(names /api/v1/pods)
page=$(get "http://localhost/api/v1/pods?limit=2")
assert_eq "$(jq -r '.items | length' <<<"$page")" 2 "limit=2"
assert_eq "$(jq -r '.metadata.remainingItemCount' <<<"$page")" 3 "remainingItemCount"
rv=$(jq -r .metadata.resourceVersion <<<"$page")
seen=$(jq -r '[.items[].metadata.name] | join(",")' <<<"$page")
token=$(jq -r '.metadata.continue // empty' <<<"$page")
while [ -n "$token" ]; do
    page=$(get "http://localhost/api/v1/pods?limit=2&continue=$token")
    assert_eq "$(jq -r .metadata.resourceVersion <<<"$page")" "$rv" "a page keeps the first one's resourceVersion"
    seen="$seen,$(jq -r '[.items[].metadata.name] | join(",")' <<<"$page")"
    token=$(jq -r '.metadata.continue // empty' <<<"$page")
done
assert_eq "$seen" "$all" "the pages are the list"
assert_eq "$(code '/api/v1/pods?continue=bogus')" 400 "a bad continue token"
assert_eq "$(code '/api/v1/pods?resourceVersionMatch=Exact')" 422 "resourceVersionMatch without resourceVersion"
assert_eq "$(code '/api/v1/pods?resourceVersion=99999999')" 504 "a resourceVersion the store has not reached"
assert_eq "$(code "/api/v1/pods?resourceVersion=$rv&resourceVersionMatch=NotOlderThan")" 200 "NotOlderThan"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' --unix-socket "$SOCK" \
    http://localhost/api/v1/pods)" 406 "nothing acceptable"

# --- the real kubectl, over HTTPS with the kubeconfig orc kubeconfig writes
kubectl_setup
out=$(k get pods)
assert_eq "$(head -1 <<<"$out" | tr -s ' ')" "NAME READY STATUS RESTARTS AGE" "kubectl get pods: the header"
assert_contains "$(grep '^web-1 ' <<<"$out" | tr -s ' ')" "web-1 1/1 Running 0 " "kubectl get pods: a row"
assert_contains "$(grep '^crash ' <<<"$out" | tr -s ' ')" "CrashLoopBackOff" "kubectl get pods: the crashing pod"
assert_contains "$(k get pods -o wide | head -1 | tr -s ' ')" "IP NODE NOMINATED NODE READINESS GATES" "-o wide"
assert_eq "$(k get pods -l app=web -o name | tr '\n' ' ')" "pod/web-1 pod/web-2 " "kubectl -l"
assert_eq "$(k get pods --field-selector metadata.name=db --no-headers | awk '{print $1}')" db "--field-selector"
assert_eq "$(k get pods --chunk-size=1 --no-headers | awk '{print $1}' | tr '\n' ,)" "$all," "kubectl in chunks of one"
assert_contains "$(k get pods --field-selector spec.foo=x)" "field label not supported: spec.foo" "kubectl shows the error"
assert_contains "$(k get events --field-selector involvedObject.name=db | tr -s ' ')" "Normal Started pod/db" "kubectl get events"
echo "PASS: $TEST_NAME"
