#!/bin/bash
# The Kubernetes documentation's task "Configure a Pod to Use a PersistentVolume for Storage"
# with the real kubectl, as the page runs it, each output it shows asserted (ages aside):
#   configure-pod-container/configure-persistent-volume-storage
#     (pods/storage/pv-volume.yaml, pv-claim.yaml, pv-pod.yaml)
# Adapted, and why: the page's `apt install curl; curl http://localhost/` in the nginx
# container is busybox's `wget -qO- http://localhost/` (no package downloads here); the
# PersistentVolume's hostPath /mnt/data, which the page makes with sudo on the node, is a
# directory of the test's (a rootless node has no /mnt/data of its user's).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

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
