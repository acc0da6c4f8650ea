#!/bin/bash
# The Kubernetes documentation's pod-level tasks with the real kubectl, as their pages run
# them, each output the page shows asserted (pids, ages and addresses aside):
#   configure-pod-container/share-process-namespace (pods/share-process-namespace.yaml)
#   configure-pod-container/assign-pods-nodes (pods/pod-nginx.yaml)
#   configure-pod-container/assign-pods-nodes-using-node-affinity
#     (pods/pod-nginx-required-affinity.yaml, pod-nginx-preferred-affinity.yaml)
# The page's `kubectl attach -it nginx -c shell` and the commands typed there run through
# docs_exec in the shell container.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup
node=$(k get nodes -o jsonpath='{.items[0].metadata.name}')

delete_nginx() {
    k delete pod nginx >/dev/null
    wait_for 30 pod_gone nginx || fail "pod nginx was not deleted"
}

echo "# share-process-namespace"
# the shell container's stdin and tty are warned about (orc attaches nothing): the last line
assert_eq "$(kdocs apply -f pods/share-process-namespace.yaml | tail -1)" "pod/nginx created" \
    "apply share-process-namespace.yaml"
wait_for_phase nginx Running
wait_for 30 eval 'docs_exec nginx shell ps ax | grep -q "nginx: worker process"' ||
    fail "no nginx worker seen from the shell container: $(docs_exec nginx shell ps ax)"
out=$(docs_exec nginx shell ps ax)
master=$(awk '/nginx: master process nginx -g daemon off;/ && $2 == "root" { print $1 }' <<<"$out")
[ -n "$master" ] || fail "ps ax in shell: no nginx master running as root: $out"
worker=$(awk '/nginx: worker process/ && $2 == "101" { print $1 }' <<<"$out")
[ -n "$worker" ] || fail "ps ax in shell: no nginx worker running as 101: $out"
assert_contains "$out" "sleep 3600" "ps ax: the shell container's own process"
# signal a process of the other container: the master starts a new worker
docs_exec nginx shell kill -HUP "$master" >/dev/null
wait_for 30 eval "docs_exec nginx shell ps ax | awk '/nginx: worker process/ && \$1 != $worker { f = 1 } END { exit !f }'" ||
    fail "no new worker after kill -HUP $master: $(docs_exec nginx shell ps ax)"
assert_eq "$(docs_exec nginx shell head "/proc/$master/root/etc/nginx/nginx.conf")" "
user  nginx;
worker_processes  1;

error_log  /var/log/nginx/error.log warn;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;" "head /proc/$master/root/etc/nginx/nginx.conf"
delete_nginx

echo "# assign-pods-nodes: a node label and a nodeSelector"
assert_eq "$(k label nodes "$node" disktype=ssd)" "node/$node labeled" "label nodes disktype=ssd"
assert_contains "$(k get nodes --show-labels)" "disktype=ssd" "get nodes --show-labels"
assert_eq "$(kdocs apply -f pods/pod-nginx.yaml)" "pod/nginx created" "apply pod-nginx.yaml"
wait_for_phase nginx Running
assert_eq "$(k get pods --output=wide --no-headers | awk '$1 == "nginx" { print $2, $3, $7 }')" "1/1 Running $node" \
    "get pods --output=wide: on the labelled node"
delete_nginx

echo "# assign-pods-nodes-using-node-affinity"
assert_eq "$(kdocs apply -f pods/pod-nginx-required-affinity.yaml)" "pod/nginx created" \
    "apply pod-nginx-required-affinity.yaml"
wait_for_phase nginx Running
assert_eq "$(k get pods --output=wide --no-headers | awk '$1 == "nginx" { print $7 }')" "$node" \
    "required affinity: on the labelled node"
delete_nginx
assert_eq "$(kdocs apply -f pods/pod-nginx-preferred-affinity.yaml)" "pod/nginx created" \
    "apply pod-nginx-preferred-affinity.yaml"
wait_for_phase nginx Running
assert_eq "$(k get pods --output=wide --no-headers | awk '$1 == "nginx" { print $7 }')" "$node" \
    "preferred affinity: on the labelled node"
delete_nginx

echo "# a required affinity the node does not meet: Pending, with the reason"
assert_eq "$(k label nodes "$node" disktype-)" "node/$node unlabeled" "label nodes disktype-"
assert_eq "$(kdocs apply -f pods/pod-nginx-required-affinity.yaml)" "pod/nginx created" \
    "apply pod-nginx-required-affinity.yaml without the label"
wait_for 30 eval '[ "$(pod_field nginx ".status.conditions[]? | select(.type == \"PodScheduled\") | .status")" = False ]' ||
    fail "nginx not unschedulable: $(k get pod nginx -o yaml)"
assert_eq "$(pod_phase nginx)" Pending "the pod stays Pending"
echo "PASS: $TEST_NAME"
