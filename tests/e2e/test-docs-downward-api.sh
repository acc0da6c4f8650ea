#!/bin/bash
# The Kubernetes documentation's task "Expose Pod Information to Containers Through Files"
# (docs/tasks/inject-data-application/downward-api-volume-expose-pod-information) with the
# real kubectl, as the page runs it, each output it shows asserted (times aside):
# pods/inject/dapi-volume.yaml (labels and annotations, kubelet's ..data symlinks) and
# dapi-volume-resources.yaml (limits and requests with divisors). The page's
# `kubectl exec -it POD -- sh` and the commands typed there run through docs_exec.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

echo "# downward-api-volume-expose-pod-information: Store Pod fields"
out=$(kdocs apply -f pods/inject/dapi-volume.yaml)
assert_eq "$out" "pod/kubernetes-downwardapi-volume-example created" "apply dapi-volume.yaml"
pod=kubernetes-downwardapi-volume-example
wait_for_phase $pod Running
labels='cluster="test-cluster1"
rack="rack-22"
zone="us-est-coast"'
wait_for 30 eval "k logs $pod | grep -q builder=" || fail "no annotations in the log: $(k logs $pod)"
log=$(k logs $pod)
assert_contains "$log" "$labels" "logs: the labels file"
# The page shows build and builder only; kubectl apply adds its last-applied-configuration
# annotation, which Kubernetes writes into the file too (sorted first).
assert_contains "$log" 'build="two"
builder="john-doe"' "logs: the annotations file"
assert_eq "$(docs_exec $pod client-container cat /etc/podinfo/labels)" "$labels" "cat /etc/podinfo/labels"
out=$(docs_exec $pod client-container cat /etc/podinfo/annotations)
assert_contains "$out" 'build="two"' "cat /etc/podinfo/annotations"
# ls -laR: labels and annotations are symlinks into ..data, itself a symlink to a timestamped
# directory (kubelet's atomic writer)
out=$(docs_exec $pod client-container ls -la /etc/podinfo)
ts=$(sed -n 's/.* \.\.data -> \(\.\.[0-9_]*\.[0-9A-Za-z]*\)$/\1/p' <<<"$out")
[ -n "$ts" ] || fail "no ..data symlink to a timestamped directory: $out"
assert_contains "$out" "annotations -> ..data/annotations" "ls -la: annotations"
assert_contains "$out" "labels -> ..data/labels" "ls -la: labels"
out=$(docs_exec $pod client-container ls -la "/etc/podinfo/$ts")
assert_contains "$out" " annotations" "ls -la $ts"
[[ "$out" =~ -rw-r--r--.*\ labels ]] || fail "labels in $ts not -rw-r--r--: $out"

echo "# downward-api-volume-expose-pod-information: Store container fields"
out=$(kdocs apply -f pods/inject/dapi-volume-resources.yaml)
assert_eq "$out" "pod/kubernetes-downwardapi-volume-example-2 created" "apply dapi-volume-resources.yaml"
pod=kubernetes-downwardapi-volume-example-2
wait_for_phase $pod Running
assert_eq "$(docs_exec $pod client-container cat /etc/podinfo/cpu_limit)" 250 "cpu_limit in 1m"
assert_eq "$(docs_exec $pod client-container cat /etc/podinfo/cpu_request)" 125 "cpu_request in 1m"
assert_eq "$(docs_exec $pod client-container cat /etc/podinfo/mem_limit)" 64 "mem_limit in 1Mi"
assert_eq "$(docs_exec $pod client-container cat /etc/podinfo/mem_request)" 32 "mem_request in 1Mi"

echo "PASS: $TEST_NAME"
