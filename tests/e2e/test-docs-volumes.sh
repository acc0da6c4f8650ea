#!/bin/bash
# The Kubernetes documentation's volume tasks with the real kubectl, as their pages run them,
# each output the page shows asserted (ages, times and addresses aside):
#   inject-data-application/downward-api-volume-expose-pod-information
#     (pods/inject/dapi-volume.yaml, dapi-volume-resources.yaml)
#   configure-pod-container/configure-persistent-volume-storage
#     (pods/storage/pv-volume.yaml, pv-claim.yaml, pv-pod.yaml)
# Adapted, and why: the page's `apt install curl; curl http://localhost/` in the nginx
# container is busybox's `wget -qO- http://localhost/` (no package downloads here); the
# PersistentVolume's hostPath /mnt/data, which the page makes with sudo on the node, is a
# directory of the test's (a rootless node has no /mnt/data of its user's).
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
ts=$(sed -n 's/.* \.\.data -> \(\.\.[0-9_.]*\)$/\1/p' <<<"$out")
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

echo "# configure-persistent-volume-storage"
data=$TEST_DIR/mnt/data
mkdir -p "$data"
sh -c "echo 'Hello from Kubernetes storage' > $data/index.html"
assert_eq "$(cat "$data/index.html")" "Hello from Kubernetes storage" "cat /mnt/data/index.html"
sed "s|/mnt/data|$data|" "$DOCS/pods/storage/pv-volume.yaml" >"$TEST_DIR/pv-volume.yaml"
assert_eq "$(k apply -f "$TEST_DIR/pv-volume.yaml")" "persistentvolume/task-pv-volume created" "apply pv-volume.yaml"
# rows as the page shows them; kubectl 1.32 adds VOLUMEATTRIBUTESCLASS (<unset>)
row() { k get "$@" --no-headers | norm_table | sed 's/ <unset>//'; }
assert_eq "$(row pv task-pv-volume | sed 's/ [^ ]*$/ AGE/')" "task-pv-volume 10Gi RWO Retain Available manual AGE" \
    "get pv task-pv-volume: Available"
assert_eq "$(kdocs apply -f pods/storage/pv-claim.yaml)" "persistentvolumeclaim/task-pv-claim created" \
    "apply pv-claim.yaml"
wait_for 30 eval '[ "$(k get pv task-pv-volume -o jsonpath={.status.phase})" = Bound ]' ||
    fail "the volume was not bound: $(k get pv task-pv-volume)"
assert_eq "$(row pv task-pv-volume | sed 's/ [^ ]*$/ AGE/')" \
    "task-pv-volume 10Gi RWO Retain Bound default/task-pv-claim manual AGE" "get pv task-pv-volume: Bound"
assert_eq "$(row pvc task-pv-claim | sed 's/ [^ ]*$/ AGE/')" "task-pv-claim Bound task-pv-volume 10Gi RWO manual AGE" \
    "get pvc task-pv-claim"
assert_eq "$(kdocs apply -f pods/storage/pv-pod.yaml)" "pod/task-pv-pod created" "apply pv-pod.yaml"
wait_for_phase task-pv-pod Running
assert_table "$(k get pod task-pv-pod)" "NAME          READY   STATUS    RESTARTS   AGE
task-pv-pod   1/1     Running   0          10s" "get pod task-pv-pod"
wait_for 30 docs_exec task-pv-pod task-pv-container wget -qO- http://localhost/ || fail "nginx does not answer"
assert_eq "$(docs_exec task-pv-pod task-pv-container wget -qO- http://localhost/)" "Hello from Kubernetes storage" \
    "curl http://localhost/"
# what the pod writes outlives it (the issue's acceptance, beyond the page)
docs_exec task-pv-pod task-pv-container sh -c 'echo written by the pod > /usr/share/nginx/html/pod.txt' >/dev/null
assert_eq "$(k delete pod task-pv-pod)" 'pod "task-pv-pod" deleted' "delete pod task-pv-pod"
assert_eq "$(cat "$data/pod.txt")" "written by the pod" "the pod's file on the volume after the pod"
assert_eq "$(k delete pvc task-pv-claim)" 'persistentvolumeclaim "task-pv-claim" deleted' "delete pvc"
assert_eq "$(k delete pv task-pv-volume)" 'persistentvolume "task-pv-volume" deleted' "delete pv"
assert_eq "$(cat "$data/index.html")" "Hello from Kubernetes storage" "a Retain volume's files stay"
echo "PASS: $TEST_NAME"
