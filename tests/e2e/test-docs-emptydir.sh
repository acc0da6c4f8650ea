#!/bin/bash
# The Kubernetes documentation's emptyDir tasks with the real kubectl, as their pages run
# them, each output the page shows asserted (ages and pids aside):
#   configure-pod-container/configure-volume-storage (pods/storage/redis.yaml: a file in an
#     emptyDir outlives its container's restart)
#   access-application-cluster/communicate-containers-same-pod-shared-volume
#     (pods/two-container-pod.yaml: two containers sharing an emptyDir)
# Adapted, and why: `apt-get install procps; ps aux` in the redis container is busybox's
# `ps aux`, and `apt-get install curl; curl localhost` in the nginx container busybox's
# `wget -qO- http://localhost/` (no package downloads here).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

echo "# configure-volume-storage: redis with an emptyDir"
assert_eq "$(kdocs apply -f pods/storage/redis.yaml)" "pod/redis created" "apply redis.yaml"
wait_for_phase redis Running
assert_table "$(k get pod redis)" "NAME      READY     STATUS    RESTARTS   AGE
redis     1/1       Running   0          13s" "get pod redis"
docs_exec redis redis /bin/bash -c 'cd /data/redis/ && echo Hello > test-file' >/dev/null
out=$(docs_exec redis redis ps aux)
pid=$(awk '$2 == "redis" && /redis-server \*:6379/ { print $1 }' <<<"$out")
[ -n "$pid" ] || fail "ps aux: no redis-server *:6379 of the user redis: $out"
docs_exec redis redis kill "$pid" >/dev/null
wait_for 30 eval '[ "$(pod_field redis ".status.containerStatuses[0].restartCount")" = 1 ]' ||
    fail "redis was not restarted: $(k get pod redis)"
assert_eq "$(pod_field redis '.status.containerStatuses[0].lastState.terminated.reason')" Completed \
    "the killed container Completed (the page's watch: 0/1 Completed)"
wait_for_phase redis Running
assert_eq "$(k get pod redis --no-headers | awk '{ print $2, $3, $4 }')" "1/1 Running 1" \
    "get pod redis: Running, 1 restart"
assert_eq "$(docs_exec redis redis /bin/bash -c 'cd /data/redis/ && ls')" "test-file" \
    "ls /data/redis in the restarted container"
assert_eq "$(k delete pod redis)" 'pod "redis" deleted' "delete pod redis"

echo "# communicate-containers-same-pod-shared-volume: two containers, one emptyDir"
out=$(kdocs apply -f pods/two-container-pod.yaml)
assert_eq "$out" "pod/two-containers created" "apply two-container-pod.yaml"
wait_for 30 eval '[ "$(pod_field two-containers ".status.containerStatuses[] | select(.name == \"debian-container\") | .state.terminated.reason")" = Completed ]' ||
    fail "debian-container did not complete: $(k get pod two-containers -o yaml)"
assert_eq "$(pod_field two-containers '.status.containerStatuses[] | select(.name == "nginx-container") | .state | keys[0]')" \
    running "get pod two-containers -o yaml: nginx-container running"
assert_eq "$(docs_exec two-containers nginx-container wget -qO- http://localhost/)" \
    "Hello from the debian container" "curl localhost in nginx-container"

echo "PASS: $TEST_NAME"
