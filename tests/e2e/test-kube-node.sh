#!/bin/bash
# This machine as a Kubernetes Node over the API: the node and its lease, the namespaces,
# events in core/v1 and events.k8s.io/v1, pods bound to the node (or to another node: never
# run), pods/status, the options of pods/log; the node's labels and annotations written,
# refused for what is orc's, watched and kept; over the socket (curl) and with the real
# kubectl.
source "$(dirname "$0")/lib.sh"
setup
command -v kubectl >/dev/null || skip "kubectl missing"
start_orcd
load_busybox_image

api() { curl -s --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" "http://x$1"; }
api_code() { # PATH [CURL-ARGS...]: the status; the body in $TEST_DIR/body
    curl -s -o "$TEST_DIR/body" -w '%{http_code}' --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" \
        "${@:2}" "http://x$1"
}

# --- the node
name=$(hostname | tr '[:upper:]' '[:lower:]')
nodes=$(api /api/v1/nodes)
assert_eq "$(jq -r .kind <<<"$nodes")" NodeList "a NodeList"
assert_eq "$(jq '.items | length' <<<"$nodes")" 1 "one node"
node=$(api "/api/v1/nodes/$name")
field() { jq -r "$1" <<<"$node"; }
assert_eq "$(field .metadata.name)" "$name" "named after the machine, lowercased"
assert_eq "$(field '.metadata.labels["kubernetes.io/hostname"]')" "$name" "hostname label"
assert_eq "$(field '.metadata.labels["kubernetes.io/os"]')" linux "os label"
arch=$(field '.metadata.labels["kubernetes.io/arch"]')
case "$(uname -m)" in
    x86_64) assert_eq "$arch" amd64 "arch label" ;;
    aarch64) assert_eq "$arch" arm64 "arch label" ;;
esac
assert_eq "$(field .status.nodeInfo.architecture)" "$arch" "nodeInfo.architecture"
assert_eq "$(field .status.capacity.cpu)" "$(nproc)" "cpu: the CPUs orcd may use"
mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
[ $((mem_kib % 1024)) = 0 ] || assert_eq "$(field .status.capacity.memory)" "${mem_kib}Ki" "memory"
assert_eq "$(field .status.capacity.pods)" 110 "pods: --max-pods"
assert_eq "$(field .status.allocatable.cpu)" "$(nproc)" "allocatable cpu"
[ -n "$(field '.status.capacity["ephemeral-storage"]')" ] || fail "no ephemeral-storage"
ready() { jq -r '.status.conditions[] | select(.type == "Ready") | .status + " " + .reason' <<<"$1"; }
assert_eq "$(ready "$node")" "True KubeletReady" "Ready"
assert_eq "$(field '[.status.conditions[].type] | join(",")')" \
    "MemoryPressure,DiskPressure,PIDPressure,Ready" "conditions in kubelet's order"
assert_eq "$(field '.status.addresses[0].type + " " + .status.addresses[0].address')" \
    "InternalIP 127.0.0.1" "InternalIP"
assert_eq "$(field '.status.addresses[1].address')" "$name" "Hostname"
assert_eq "$(field .status.nodeInfo.bootID)" "$(cat /proc/sys/kernel/random/boot_id)" "bootID"
assert_eq "$(field .status.nodeInfo.kernelVersion)" "$(uname -r)" "kernelVersion"
assert_eq "$(field .status.nodeInfo.operatingSystem)" linux "operatingSystem"
assert_eq "$(field .status.daemonEndpoints.kubeletEndpoint.Port)" "$SECURE_PORT" "the API's HTTPS port"
assert_contains "$(field .status.nodeInfo.containerRuntimeVersion)" "orc://" "runtime version"
assert_contains "$(field .status.nodeInfo.kubeletVersion)" "v1.32" "kubelet version"
[ -f /etc/machine-id ] && assert_eq "$(field .status.nodeInfo.machineID)" "$(cat /etc/machine-id)" "machineID"
uid=$(field .metadata.uid)
created=$(field .metadata.creationTimestamp)
assert_eq "$(api_code /api/v1/nodes/elsewhere)" 404 "another node"
assert_eq "$(jq -r .message "$TEST_DIR/body")" 'nodes "elsewhere" not found' "its message"

# --- its lease, renewed while the agent lives
lease_path=/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/$name
lease=$(api "$lease_path")
assert_eq "$(jq -r .spec.holderIdentity <<<"$lease")" "$name" "held by the node"
assert_eq "$(jq -r .spec.leaseDurationSeconds <<<"$lease")" 40 "kubelet's duration"
assert_eq "$(jq -r '.metadata.ownerReferences[0].uid' <<<"$lease")" "$uid" "owned by the node"
renew=$(jq -r .spec.renewTime <<<"$lease")
renewed() { [ "$(api "$lease_path" | jq -r .spec.renewTime)" != "$renew" ]; }
wait_for 5 renewed || fail "the lease was not renewed: $renew"
assert_eq "$(api /apis/coordination.k8s.io/v1/leases | jq '.items | length')" 1 "one lease"
assert_eq "$(api /apis/coordination.k8s.io/v1/namespaces/default/leases | jq '.items | length')" 0 \
    "none in default"
assert_eq "$(api_code /apis/coordination.k8s.io/v1/namespaces/default/leases/$name)" 404 \
    "no lease of the node in default"

# --- namespaces: the built-in ones, and one a pod was created in
names() { api /api/v1/namespaces | jq -r '[.items[].metadata.name] | join(",")'; }
assert_eq "$(names)" "default,kube-node-lease,kube-public,kube-system" "built-in namespaces"
apply_yaml pod.yaml >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team-x}
spec:
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"]}]
YAML
assert_eq "$(names)" "default,kube-node-lease,kube-public,kube-system,team-x" "team-x made"
assert_eq "$(api /api/v1/namespaces/team-x | jq -r .status.phase)" Active "Active"
assert_eq "$(api_code /api/v1/namespaces/nowhere)" 404 "a namespace nothing is in"
assert_eq "$(jq -r .message "$TEST_DIR/body")" 'namespaces "nowhere" not found' "its message"
assert_eq "$(api /api/v1/namespaces/nowhere/pods | jq -c .items)" "[]" "its pods: none"
ns_body='{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"lab","labels":{"team":"a"}}}'
assert_eq "$(api_code /api/v1/namespaces -X POST -H 'Content-Type: application/json' -d "$ns_body")" \
    201 "a namespace created"
assert_eq "$(jq -r '.metadata.labels.team + " " + .status.phase' "$TEST_DIR/body")" "a Active" "with its labels"
assert_eq "$(api_code /api/v1/namespaces -X POST -H 'Content-Type: application/json' -d "$ns_body")" \
    409 "created again"
assert_eq "$(jq -r '.reason + ": " + .message' "$TEST_DIR/body")" \
    'AlreadyExists: namespaces "lab" already exists' "kube-apiserver's words"
assert_eq "$(api_code /api/v1/namespaces -X POST -H 'Content-Type: application/json' \
    -d '{"metadata":{"name":"Lab_1"}}')" 422 "a name that is no DNS label"
assert_eq "$(api_code /api/v1/namespaces/default -X DELETE)" 403 "the default namespace is not deleted"

# --- pods are bound to the node; pods/status
assert_eq "$("$ORC" get pod web -n team-x -o json | jq -r .spec.nodeName)" "$name" "spec.nodeName"
wait_for 30 sh -c "'$ORC' get pod web -n team-x -o json | jq -e '.status.phase == \"Running\"'" ||
    fail "web did not run"
assert_contains "$("$ORC" get pod web -n team-x -o wide)" " $name " "orc get -o wide: NODE"
assert_contains "$("$ORC" describe pod web -n team-x)" "Node:         $name/127.0.0.1" "describe"
status=$(api /api/v1/namespaces/team-x/pods/web/status)
assert_eq "$(jq -r '.kind + " " + .status.phase' <<<"$status")" "Pod Running" "pods/status"
"$ORC" apply -f "$TEST_DIR/pod.yaml" | grep -q unchanged || fail "the binding is not a change"
# what get gives, put back (kubectl replace, edit): the binding is no unknown field
api /api/v1/namespaces/team-x/pods/web >"$TEST_DIR/web.json"
code=$(curl -s -o "$TEST_DIR/body" -D "$TEST_DIR/headers" -w '%{http_code}' -X PUT \
    -H 'Content-Type: application/json' --data-binary @"$TEST_DIR/web.json" \
    --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" http://x/api/v1/namespaces/team-x/pods/web)
assert_eq "$code" 200 "PUT of the pod as read: $(cat "$TEST_DIR/body")"
assert_not_contains "$(cat "$TEST_DIR/headers")" "nodeName" "no warning about spec.nodeName"
jq '.metadata = {name: "elsewhere"} | .spec.nodeName = "other-node" | del(.status)' \
    "$TEST_DIR/web.json" >"$TEST_DIR/other.json"
# bound to another node, as kubelet it is not run here: stored, Pending with the status the
# API server gives a new pod, no event, no sandbox; deleted at once
assert_eq "$(api_code /api/v1/namespaces/team-x/pods -X POST -H 'Content-Type: application/json' \
    --data-binary @"$TEST_DIR/other.json")" 201 "a pod for another node"
assert_eq "$(jq -r .spec.nodeName "$TEST_DIR/body")" other-node "bound to the node it names"
wait_for 10 sh -c "'$ORC' get pod elsewhere -n team-x -o json | jq -e .status.qosClass" ||
    fail "no status for the pod of another node"
assert_eq "$("$ORC" get pod elsewhere -n team-x -o json | jq -c .status)" \
    '{"phase":"Pending","qosClass":"BestEffort"}' "Pending, as the API server made it"
assert_eq "$(api /api/v1/namespaces/team-x/events | jq '[.items[] | select(.involvedObject.name == "elsewhere")] | length')" \
    0 "no event: no kubelet of that node runs"
other_uid=$("$ORC" get pod elsewhere -n team-x -o json | jq -r .metadata.uid)
[ ! -e "$XDG_RUNTIME_DIR/orc/pods/$other_uid" ] || fail "a sandbox for the pod of another node"
"$ORC" delete pod elsewhere -n team-x >/dev/null || fail "delete the pod of another node"
! "$ORC" get pod elsewhere -n team-x >/dev/null 2>&1 || fail "the pod of another node was not deleted"

# --- events: the node's, in both APIs, and a pod's
node_events() { api "/api/v1/events" | jq -r '[.items[] | select(.involvedObject.kind == "Node") | .reason] | join(",")'; }
assert_contains "$(node_events)" "Starting" "the node's start"
assert_contains "$(node_events)" "NodeReady" "NodeReady"
assert_contains "$(node_events)" "NodeHasSufficientMemory" "NodeHasSufficientMemory"
ev=$(api /api/v1/namespaces/default/events | jq -c '[.items[] | select(.reason == "Starting")][0]')
assert_eq "$(jq -r .involvedObject.name <<<"$ev")" "$name" "about the node"
assert_eq "$(jq -r '.involvedObject.namespace // "none"' <<<"$ev")" none "no namespace"
assert_eq "$(jq -r .source.component <<<"$ev")" kubelet "source.component"
assert_eq "$(jq -r .source.host <<<"$ev")" "$name" "source.host"
assert_eq "$(jq -r .reportingInstance <<<"$ev")" "$name" "reportingInstance"
ev_name=$(jq -r .metadata.name <<<"$ev")
assert_eq "$(api "/api/v1/namespaces/default/events/$ev_name" | jq -r .reason)" Starting "get an event"
ev1=$(api "/apis/events.k8s.io/v1/namespaces/default/events/$ev_name")
assert_eq "$(jq -r '.apiVersion + " " + .regarding.name + " " + .note' <<<"$ev1")" \
    "events.k8s.io/v1 $name Starting orcd." "the same event in events.k8s.io/v1"
assert_eq "$(jq -r .reportingController <<<"$ev1")" kubelet "reportingController"
assert_eq "$(api /apis/events.k8s.io/v1/events | jq '.items | length')" \
    "$(api /api/v1/events | jq '.items | length')" "the same events in both"
assert_eq "$(api_code /api/v1/namespaces/default/events/nothing.1)" 404 "no such event"
pod_ev=$(api /api/v1/namespaces/team-x/events | jq -c '[.items[] | select(.reason == "Scheduled")][0]')
assert_eq "$(jq -r .message <<<"$pod_ev")" "Successfully assigned team-x/web to $name" "Scheduled"
assert_eq "$(jq -r .involvedObject.namespace <<<"$pod_ev")" team-x "a pod's event has its namespace"

# --- discovery
assert_contains "$(api /api/v1 | jq -c '[.resources[].name]')" '"nodes"' "nodes discovered"
assert_contains "$(api /api/v1 | jq -c '[.resources[].name]')" '"pods/status"' "pods/status"
assert_contains "$(api /apis | jq -c '[.groups[].name]')" '"coordination.k8s.io"' "leases' group"
assert_contains "$(api /apis | jq -c '[.groups[].name]')" '"events.k8s.io"' "events' group"

# --- pods/log: sinceSeconds, sinceTime, timestamps, limitBytes, tailLines, previous
apply_yaml talker.yaml >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  containers:
    - name: c
      image: localhost/busybox:latest
      command: [sh, -c, "echo old; sleep 4; echo new; echo last; sleep 2; exit 3"]
YAML
log() { api "/api/v1/namespaces/default/pods/talker/log$1"; }
wait_for 30 sh -c "curl -s --unix-socket '$XDG_RUNTIME_DIR/orc/orcd.sock' http://x/api/v1/namespaces/default/pods/talker/log | grep -q last" ||
    fail "talker said nothing: $(log '')"
assert_eq "$(log '?sinceSeconds=2')" $'new\nlast' "sinceSeconds: the lines of the last 2 s"
stamped=$(log '?timestamps=true')
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z old$' <<<"$stamped" || fail "timestamps: $stamped"
new_at=$(awk '$2 == "new" { print $1 }' <<<"$stamped")
assert_eq "$(log "?sinceTime=$new_at")" $'new\nlast' "sinceTime: from that line's time"
assert_eq "$(log '?limitBytes=5')" $'old\nn' "limitBytes: cut within a line"
assert_eq "$(log '?tailLines=1&timestamps=1')" "$(tail -n 1 <<<"$stamped")" "tailLines with timestamps"
assert_eq "$(api_code '/api/v1/namespaces/default/pods/talker/log?tailLines=-1')" 422 "tailLines -1"
assert_eq "$(jq -r .message "$TEST_DIR/body")" \
    'PodLogOptions "talker" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0' \
    "kube-apiserver's message"
assert_eq "$(api_code '/api/v1/namespaces/default/pods/talker/log?limitBytes=0')" 422 "limitBytes 0"
assert_eq "$(api_code '/api/v1/namespaces/default/pods/talker/log?sinceSeconds=1&sinceTime=2024-01-01T00:00:00Z')" \
    422 "both since options"
assert_eq "$(api_code '/api/v1/namespaces/default/pods/talker/log?tailLines=ten')" 400 "not a number"
assert_eq "$(jq -r .message "$TEST_DIR/body")" 'strconv.ParseInt: parsing "ten": invalid syntax' \
    "Go's message"
restarted() { [ "$(pod_field talker .status.containerStatuses[0].restartCount)" -ge 1 ]; }
wait_for 30 restarted || fail "talker was not restarted"
assert_eq "$(log '?previous=true&tailLines=2')" $'new\nlast' "previous: the last instance's log"

# --- the real kubectl, over HTTPS with the kubeconfig orc kubeconfig writes
kubectl_setup
out=$(k get nodes)
assert_eq "$(head -1 <<<"$out" | tr -s ' ')" "NAME STATUS ROLES AGE VERSION" "kubectl get nodes: header"
assert_contains "$(tail -1 <<<"$out" | tr -s ' ')" "$name Ready <none> " "kubectl get nodes: the node"
assert_contains "$(k get nodes -o wide)" "orc://" "-o wide: CONTAINER-RUNTIME"
described=$(k describe node "$name")
assert_contains "$described" "kubernetes.io/hostname=$name" "describe node: labels"
assert_contains "$described" "HolderIdentity:  $name" "describe node: the lease"
assert_contains "$(grep -E '^  Ready ' <<<"$described" | tr -s ' ')" "Ready True" "describe node: Ready"
assert_contains "$described" "Non-terminated Pods:" "describe node: its pods"
assert_contains "$(grep -E '^  team-x ' <<<"$described" | tr -s ' ')" "team-x web" "describe node: the running pod"
assert_contains "$(grep -A20 '^Events:' <<<"$described")" "Starting orcd." "describe node: events"
assert_eq "$(k create namespace by-kubectl)" "namespace/by-kubectl created" "kubectl create namespace"
out=$(k get ns)
assert_contains "$(tr -s ' ' <<<"$out")" "team-x Active" "kubectl get ns"
assert_contains "$(tr -s ' ' <<<"$out")" "by-kubectl Active" "kubectl get ns: the one created"
assert_contains "$(k get lease -n kube-node-lease | tr -s ' ')" "$name $name" "kubectl get lease"
assert_contains "$(k get events.v1.events.k8s.io -A | tr -s ' ')" "Starting node/$name" "events.k8s.io"
assert_eq "$(k logs talker --previous --timestamps | head -1 | cut -d' ' -f2)" "old" \
    "kubectl logs --previous --timestamps"
assert_eq "$(k logs talker --previous --limit-bytes 5)" $'old\nn' "kubectl logs --limit-bytes"
assert_eq "$(k logs talker --previous --tail 1)" "last" "kubectl logs --tail"

# --- the node's labels and annotations: written (PATCH of each type, PUT, kubectl label and
# annotate), refused for the built-in labels and the rest of the Node, watched, kept across a
# restart (below), and matched by pods' nodeSelector
patch_node() { # TYPE BODY [QUERY]: the status; the body in $TEST_DIR/body
    api_code "/api/v1/nodes/$name${3:-}" -X PATCH -H "Content-Type: application/$1" -d "$2"
}
labels_now() { api "/api/v1/nodes/$name" | jq -c '.metadata.labels | with_entries(select(.key | startswith("kubernetes.io/") or startswith("beta.") | not))'; }
message() { jq -r .message "$TEST_DIR/body"; }
node_rv=$(api /api/v1/nodes | jq -r .metadata.resourceVersion)
curl -sN --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" \
    "http://x/api/v1/nodes?watch=true&resourceVersion=$node_rv" >"$TEST_DIR/node-watch" &
on_cleanup "kill $!"
cat >"$TEST_DIR/picky.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: picky}
spec:
  nodeSelector: {disktype: ssd}
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"]}]
YAML
"$ORC" apply -f "$TEST_DIR/picky.yaml" >/dev/null || fail "apply picky"
picky_scheduled() { "$ORC" get pod picky -o json | jq -r '.status.conditions[]? | select(.type == "PodScheduled") | .status + " " + (.reason // "")'; }
wait_for 30 eval '[ "$(picky_scheduled)" = "False Unschedulable" ]' || fail "picky is not Unschedulable: $(picky_scheduled)"
assert_eq "$(patch_node merge-patch+json '{"metadata":{"labels":{"disktype":"ssd"}}}')" 200 "merge patch: $(cat "$TEST_DIR/body")"
assert_eq "$(jq -r '.kind + " " + .metadata.labels.disktype + " " + .metadata.labels["kubernetes.io/hostname"]' "$TEST_DIR/body")" \
    "Node ssd $name" "the Node with its new label"
wait_for_phase picky Running
assert_eq "$(picky_scheduled)" "True " "Pending for its nodeSelector, started once the label is there"
assert_eq "$(patch_node json-patch+json '[{"op":"add","path":"/metadata/labels/zone","value":"a"}]')" 200 \
    "JSON patch: $(cat "$TEST_DIR/body")"
assert_eq "$(patch_node strategic-merge-patch+json '{"metadata":{"labels":{"zone":null},"annotations":{"note":"x"}}}')" \
    200 "strategic merge patch: $(cat "$TEST_DIR/body")"
assert_eq "$(labels_now)" '{"disktype":"ssd"}' "labels: one added, one added and removed"
assert_eq "$(api "/api/v1/nodes/$name" | jq -c .metadata.annotations)" '{"note":"x"}' "an annotation"
assert_eq "$(patch_node merge-patch+json '{"metadata":{"labels":{"dry":"run"}}}' '?dryRun=All')" 200 "a dry run"
assert_eq "$(jq -r .metadata.labels.dry "$TEST_DIR/body")" run "the dry run answers as if written"
assert_eq "$(labels_now)" '{"disktype":"ssd"}' "and writes nothing"
forbidden="Forbidden: orc's node takes writes of metadata.labels and metadata.annotations only (its spec and status are orc's, as kubelet's node's are kubelet's)"
builtin_msg="Forbidden: orc sets this label of its node, as kubelet sets it: it cannot be changed or removed"
assert_eq "$(patch_node merge-patch+json '{"metadata":{"labels":{"kubernetes.io/hostname":"other"}}}')" 422 "a built-in label changed"
assert_eq "$(message)" "Node \"$name\" is invalid: metadata.labels[kubernetes.io/hostname]: $builtin_msg" "its message"
assert_eq "$(jq -r '.details.causes[0].field + " " + .details.causes[0].reason' "$TEST_DIR/body")" \
    "metadata.labels[kubernetes.io/hostname] FieldValueForbidden" "its cause"
assert_eq "$(patch_node json-patch+json '[{"op":"remove","path":"/metadata/labels/kubernetes.io~1os"}]')" 422 "a built-in label removed"
assert_eq "$(message)" "Node \"$name\" is invalid: metadata.labels[kubernetes.io/os]: $builtin_msg" "its message"
assert_eq "$(patch_node strategic-merge-patch+json '{"spec":{"unschedulable":true}}')" 422 "spec (kubectl cordon)"
assert_eq "$(message)" "Node \"$name\" is invalid: spec.unschedulable: $forbidden" "its message"
assert_eq "$(patch_node merge-patch+json '{"status":{"capacity":{"cpu":"99"}}}')" 422 "status"
assert_eq "$(message)" "Node \"$name\" is invalid: status.capacity.cpu: $forbidden" "its message"
assert_eq "$(patch_node merge-patch+json '{"metadata":{"labels":{"bad key":"x"}}}')" 422 "a bad label key"
assert_contains "$(message)" "Node \"$name\" is invalid: metadata.labels: Invalid value: \"bad key\": name part must consist of" "its message"
assert_eq "$(labels_now)" '{"disktype":"ssd"}' "nothing refused was written"
# PUT: the node as read, a label added; the node read before that write is stale
api "/api/v1/nodes/$name" | jq '.metadata.labels.rack = "r1"' >"$TEST_DIR/node.json"
jq '.metadata.labels.rack = "r2"' "$TEST_DIR/node.json" >"$TEST_DIR/stale.json"
assert_eq "$(api_code "/api/v1/nodes/$name" -X PUT -H 'Content-Type: application/json' --data-binary @"$TEST_DIR/node.json")" \
    200 "PUT of the node as read: $(cat "$TEST_DIR/body")"
assert_eq "$(labels_now)" '{"disktype":"ssd","rack":"r1"}' "the label put"
assert_eq "$(api_code "/api/v1/nodes/$name" -X PUT -H 'Content-Type: application/json' --data-binary @"$TEST_DIR/stale.json")" \
    409 "a PUT of a stale resourceVersion"
jq 'del(.status) | del(.metadata.resourceVersion) | .metadata.labels.rack = "r3"' "$TEST_DIR/node.json" >"$TEST_DIR/bare.json"
assert_eq "$(api_code "/api/v1/nodes/$name" -X PUT -H 'Content-Type: application/json' --data-binary @"$TEST_DIR/bare.json")" \
    200 "a PUT without status or resourceVersion: $(cat "$TEST_DIR/body")"
jq '.spec.taints = [{"key":"k","effect":"NoSchedule"}]' "$TEST_DIR/bare.json" >"$TEST_DIR/taint.json"
assert_eq "$(api_code "/api/v1/nodes/$name" -X PUT -H 'Content-Type: application/json' --data-binary @"$TEST_DIR/taint.json")" \
    422 "a PUT with taints"
assert_eq "$(message)" "Node \"$name\" is invalid: spec.taints: $forbidden" "its message"
jq '.metadata.name = "other"' "$TEST_DIR/bare.json" >"$TEST_DIR/other-node.json"
assert_eq "$(api_code "/api/v1/nodes/$name" -X PUT -H 'Content-Type: application/json' --data-binary @"$TEST_DIR/other-node.json")" \
    400 "a PUT naming another node"
assert_eq "$(api_code /api/v1/nodes/elsewhere -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{}')" \
    404 "a PATCH of another node"
# the watch saw each write, as the Node a read gives
watched() { jq -r 'select(.type == "MODIFIED") | .object | [.kind, .metadata.labels.rack // "-", .status.nodeInfo.kernelVersion] | join(" ")' "$TEST_DIR/node-watch"; }
wait_for 10 eval 'watched | grep -q "r3"' || fail "the watch did not see the PUT: $(cat "$TEST_DIR/node-watch")"
assert_eq "$(watched | tail -2)" "Node r1 $(uname -r)
Node r3 $(uname -r)" "MODIFIED events of the Node, status and all"
# kubectl
assert_eq "$(k label nodes "$name" tier=gold)" "node/$name labeled" "kubectl label nodes"
assert_eq "$(k annotate node "$name" owner=me)" "node/$name annotated" "kubectl annotate node"
assert_eq "$(k label nodes "$name" tier-)" "node/$name unlabeled" "kubectl label nodes KEY-"
expect_exit 1 k label nodes "$name" kubernetes.io/hostname=other --overwrite
assert_eq "$out" "The Node \"$name\" is invalid: metadata.labels[kubernetes.io/hostname]: $builtin_msg" \
    "kubectl label of a built-in label"
assert_eq "$(k get node "$name" -o jsonpath='{.metadata.labels.disktype} {.metadata.labels.rack} {.metadata.annotations.owner}')" \
    "ssd r3 me" "kubectl get node"
assert_contains "$(k get nodes -l disktype=ssd -o name)" "node/$name" "kubectl get nodes -l"
"$ORC" delete pod picky --grace-period 0 >/dev/null

# --- a restarted agent is the same node
stop_orcd
start_orcd
node=$(api "/api/v1/nodes/$name")
assert_eq "$(field .metadata.uid)" "$uid" "the same uid after a restart"
assert_eq "$(field .metadata.creationTimestamp)" "$created" "the same creation time"
assert_eq "$(labels_now)" '{"disktype":"ssd","rack":"r3"}' "the labels kept across a restart"
assert_eq "$(field .metadata.annotations.owner)" me "and the annotations"
starts=$(api /api/v1/namespaces/default/events | jq '[.items[] | select(.reason == "Starting")][0].count')
assert_eq "$starts" 2 "each start is recorded"
echo "PASS: $TEST_NAME"
