#!/bin/bash
# The Kubernetes documentation's examples that orc cannot run as their pages say, each with
# the precise error or warning orc gives for it (tests/e2e/README.md lists why), applied with
# the real kubectl as the pages apply them:
#   configure-pod-container/configure-pod-initialization (pods/init-containers.yaml)
#   configure-pod-container/attach-handler-lifecycle-event (pods/lifecycle-events.yaml)
#   configure-pod-container/configure-liveness-readiness-startup-probes
#     (pods/probe/exec-liveness.yaml)
#   concepts/storage/projected-volumes (pods/storage/projected-service-account-token.yaml)
#   configure-pod-container/assign-pods-nodes (pods/pod-nginx-specific-node.yaml; and
#     pods/pod-nginx.yaml: orc's node has only its own labels, which kubectl cannot change)
#   configure-pod-container/assign-pods-nodes-using-node-affinity
#     (pods/pod-nginx-required-affinity.yaml, pod-nginx-preferred-affinity.yaml)
#   configure-pod-container/share-process-namespace (pods/share-process-namespace.yaml:
#     its shell container asks for a terminal)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup
node=$(k get nodes -o jsonpath='{.items[0].metadata.name}')

echo "# refused, nothing stored"
expect_exit 1 kdocs apply -f pods/init-containers.yaml
assert_eq "$out" 'The Pod "init-demo" is invalid: spec.initContainers: not supported yet by orc: refused rather than start the containers without running their init containers' \
    "init-containers.yaml"
expect_exit 1 kdocs apply -f pods/storage/projected-service-account-token.yaml
assert_eq "$out" 'The Pod "sa-token-test" is invalid: spec.volumes[0].projected.sources[0].serviceAccountToken: not supported by orc: orc has no service accounts and issues no tokens' \
    "projected-service-account-token.yaml"
expect_exit 1 kdocs apply -f pods/pod-nginx-specific-node.yaml
assert_eq "$out" "The Pod \"nginx\" is invalid: spec.nodeName: Invalid value: \"foo-node\": orc runs pods on its own node only (\"$node\")" \
    "pod-nginx-specific-node.yaml"
assert_eq "$(k get pods -o name)" "" "no pod stored"

echo "# assign-pods-nodes: the node's labels are its own"
expect_exit 1 k label nodes "$node" disktype=ssd
assert_eq "$out" "Error from server (MethodNotAllowed): the server does not allow this method on the requested resource" \
    "kubectl label nodes"
# without the label, the nodeSelector and the required affinity leave the pod Pending with the
# scheduler's reason, as a cluster without such a node does
for f in pod-nginx pod-nginx-required-affinity; do
    assert_eq "$(kdocs apply -f pods/$f.yaml)" "pod/nginx created" "apply $f.yaml"
    wait_for 30 eval 'k get events --field-selector involvedObject.name=nginx | grep -q FailedScheduling' ||
        fail "$f: no FailedScheduling event: $(k get events)"
    assert_eq "$(pod_field nginx '.status.conditions[] | select(.type == "PodScheduled") | [.status, .reason, .message] | join(" ")')" \
        "False Unschedulable 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." \
        "$f: PodScheduled"
    assert_eq "$(pod_phase nginx)" Pending "$f: Pending"
    k delete pod nginx >/dev/null
    wait_for 30 pod_gone nginx || fail "pod nginx was not deleted"
done
assert_eq "$(kdocs apply -f pods/pod-nginx-preferred-affinity.yaml)" "Warning: spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution: orc runs pods on its one node: node preferences are ignored
pod/nginx created" "apply pod-nginx-preferred-affinity.yaml"
wait_for_phase nginx Running
assert_eq "$(k get pods --output=wide --no-headers | awk '$1 == "nginx" { print $7 }')" "$node" \
    "preferred affinity: on the node"

echo "# run without what the page shows, with a warning naming the field"
assert_eq "$(kdocs apply -f pods/lifecycle-events.yaml)" "Warning: spec.containers[0].lifecycle: not supported yet by orc, ignored
pod/lifecycle-demo created" "lifecycle-events.yaml"
assert_eq "$(kdocs apply -f pods/probe/exec-liveness.yaml)" "Warning: spec.containers[0].livenessProbe: not supported yet by orc, ignored
pod/liveness-exec created" "exec-liveness.yaml"
k delete pod nginx lifecycle-demo liveness-exec --grace-period 0 >/dev/null
echo "PASS: $TEST_NAME"
