#!/bin/bash
# The Kubernetes documentation's tasks "Assign Pods to Nodes" and "Assign Pods to Nodes using
# Node Affinity" with the real kubectl, as the pages run them, each output they show asserted
# (ages aside; the pages' worker0 is orc's node, named after the machine):
#   configure-pod-container/assign-pods-nodes
#     (pods/pod-nginx.yaml, pods/pod-nginx-specific-node.yaml)
#   configure-pod-container/assign-pods-nodes-using-node-affinity
#     (pods/pod-nginx-required-affinity.yaml, pods/pod-nginx-preferred-affinity.yaml)
# Beyond the pages: pod-nginx.yaml applied before the label stays Pending (Unschedulable,
# FailedScheduling) and starts by itself once the node is labelled, as the scheduler's retry
# starts it; pod-nginx-specific-node.yaml names a node that is not orc's: as on a cluster
# where no kubelet of that name runs, the pod is stored, bound to foo-node, and never runs.
# The pages' pods are all named nginx: the test deletes one before the next (applied over
# it, the next is refused as the API server refuses a changed pod spec: asserted once).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup
node=$(k get nodes -o jsonpath='{.items[0].metadata.name}')
version=$(k get nodes -o jsonpath='{.items[0].status.nodeInfo.kubeletVersion}')
arch=$(k get nodes -o jsonpath='{.items[0].metadata.labels.kubernetes\.io/arch}')
builtin="kubernetes.io/arch=$arch,kubernetes.io/hostname=$node,kubernetes.io/os=linux"

# kubectl get nodes --show-labels with the AGE column (the fourth) normalised
show_labels() { k get nodes --show-labels | awk 'NR > 1 { $4 = "AGE" } { $1 = $1; print }'; }
# kubectl get pods --output=wide with the AGE column (the fifth) normalised
pods_wide() { k get pods --output=wide | awk 'NR > 1 { $5 = "AGE" } { $1 = $1; print }'; }
delete_nginx() {
    k delete pod nginx --grace-period 1 >/dev/null
    wait_for 30 pod_gone nginx || fail "pod nginx was not deleted"
}
wide_header="NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES"

echo "# before the page: a nodeSelector no label matches, then the label"
assert_eq "$(kdocs apply -f pods/pod-nginx.yaml)" "pod/nginx created" "apply pod-nginx.yaml"
wait_for 30 eval 'k get events --field-selector involvedObject.name=nginx,reason=FailedScheduling | grep -q FailedScheduling' ||
    fail "no FailedScheduling event: $(k get events)"
assert_eq "$(pod_field nginx '.status.conditions[] | select(.type == "PodScheduled") | [.status, .reason, .message] | join(" ")')" \
    "False Unschedulable 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." \
    "Pending: no node has the label"
assert_eq "$(k label nodes "$node" disktype=ssd)" "node/$node labeled" "kubectl label nodes"
wait_for_phase nginx Running
assert_eq "$(pod_field nginx '.status.conditions[] | select(.type == "PodScheduled") | .status')" True \
    "scheduled once the node has the label"
assert_contains "$(k get events --field-selector involvedObject.name=nginx,reason=Scheduled -o jsonpath='{.items[0].message}')" \
    "Successfully assigned default/nginx to $node" "the Scheduled event"
delete_nginx
assert_eq "$(k label nodes "$node" disktype-)" "node/$node unlabeled" "the label removed again"

echo "# assign-pods-nodes: add a label to a node"
assert_eq "$(show_labels)" "NAME STATUS ROLES AGE VERSION LABELS
$node Ready <none> AGE $version beta.kubernetes.io/arch=$arch,beta.kubernetes.io/os=linux,$builtin" \
    "kubectl get nodes --show-labels"
assert_eq "$(k label nodes "$node" disktype=ssd)" "node/$node labeled" "kubectl label nodes <your-node-name> disktype=ssd"
assert_eq "$(show_labels)" "NAME STATUS ROLES AGE VERSION LABELS
$node Ready <none> AGE $version beta.kubernetes.io/arch=$arch,beta.kubernetes.io/os=linux,disktype=ssd,$builtin" \
    "the node has disktype=ssd"

echo "# assign-pods-nodes: a pod scheduled to the chosen node"
assert_eq "$(kdocs apply -f pods/pod-nginx.yaml)" "pod/nginx created" "apply pod-nginx.yaml"
wait_for_phase nginx Running
ip=$(pod_field nginx .status.podIP)
assert_eq "$(pods_wide)" "$wide_header
nginx 1/1 Running 0 AGE $ip $node <none> <none>" "kubectl get pods --output=wide"

echo "# assign-pods-nodes: a pod for a specific node (foo-node)"
expect_exit 1 kdocs apply -f pods/pod-nginx-specific-node.yaml
assert_contains "$out" 'The Pod "nginx" is invalid: spec: Forbidden: pod updates may not change fields other than' \
    "applied over the first nginx: its spec may not change"
delete_nginx
assert_eq "$(kdocs apply -f pods/pod-nginx-specific-node.yaml)" "pod/nginx created" "apply pod-nginx-specific-node.yaml"
uid=$(pod_uid nginx)
wait_for 30 grep -q "pod 'default/nginx': bound to node 'foo-node', not this one ('$node'): not run here" \
    "$TEST_DIR/orcd.log" || fail "orcd did not look at the pod for foo-node"
assert_eq "$(pods_wide)" "$wide_header
nginx 0/1 Pending 0 AGE <none> foo-node <none> <none>" "bound to foo-node, Pending"
assert_eq "$(pod_field nginx '.status | tojson')" '{"phase":"Pending","qosClass":"BestEffort"}' \
    "the status the API server gives it; no kubelet adds to it"
assert_eq "$(k get events --field-selector "involvedObject.uid=$uid" -o name)" "" "no event about it"
[ ! -e "$XDG_RUNTIME_DIR/orc/pods/$uid" ] || fail "a sandbox for the pod of foo-node"
assert_eq "$(k get node foo-node 2>&1)" 'Error from server (NotFound): nodes "foo-node" not found' \
    "there is no foo-node"
delete_nginx

echo "# assign-pods-nodes-using-node-affinity: required, then preferred"
assert_eq "$(kdocs apply -f pods/pod-nginx-required-affinity.yaml)" "pod/nginx created" \
    "apply pod-nginx-required-affinity.yaml"
wait_for_phase nginx Running
ip=$(pod_field nginx .status.podIP)
assert_eq "$(pods_wide)" "$wide_header
nginx 1/1 Running 0 AGE $ip $node <none> <none>" "required affinity: kubectl get pods --output=wide"
delete_nginx
assert_eq "$(kdocs apply -f pods/pod-nginx-preferred-affinity.yaml)" "Warning: spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution: orc runs pods on its one node: node preferences are ignored
pod/nginx created" "apply pod-nginx-preferred-affinity.yaml"
wait_for_phase nginx Running
ip=$(pod_field nginx .status.podIP)
assert_eq "$(pods_wide)" "$wide_header
nginx 1/1 Running 0 AGE $ip $node <none> <none>" "preferred affinity: kubectl get pods --output=wide"
delete_nginx
echo "PASS: $TEST_NAME"
