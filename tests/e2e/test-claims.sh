#!/bin/bash
# PersistentVolumeClaims and PersistentVolumes with the real kubectl: a static hostPath volume
# of class manual bound by class, size and access modes (the docs' "Configure a Pod to Use a
# PersistentVolume for Storage"), a claim without a class bound at once to a directory of
# the user's, refusals, and the kubernetes.io/pvc-protection finalizer.
source "$(dirname "$0")/lib.sh"
command -v kubectl >/dev/null || skip "kubectl missing"
setup
trap 'echo "FAIL: $TEST_NAME: line $LINENO: $BASH_COMMAND" >&2' ERR
start_orcd
kubectl_setup
cols() { sed -E 's/ +/ /g; s/ [0-9]+s$/ AGE/; s/pvc-[0-9a-f-]{36}/pvc-UID/g'; }

echo "# a static volume and its claim, as the docs' page"
mkdir -p "$TEST_DIR/mnt-data"
cat >"$TEST_DIR/pv.yaml" <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "$TEST_DIR/mnt-data"
EOF
assert_eq "$(k apply -f "$TEST_DIR/pv.yaml")" "persistentvolume/task-pv-volume created" "kubectl apply pv"
assert_eq "$(k get pv task-pv-volume | cols)" "NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE
task-pv-volume 10Gi RWO Retain Available manual <unset> AGE" "an Available volume"
out=$(apply_yaml claim.yaml <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
EOF
)
assert_eq "$out" "persistentvolumeclaim/task-pv-claim created" "orc apply of the claim"
assert_eq "$(k get pv task-pv-volume | cols | tail -1)" \
    "task-pv-volume 10Gi RWO Retain Bound default/task-pv-claim manual <unset> AGE" "the volume is bound"
assert_eq "$(k get pvc task-pv-claim | cols)" "NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE
task-pv-claim Bound task-pv-volume 10Gi RWO manual <unset> AGE" "the claim is bound"
assert_eq "$("$ORC" apply -f "$TEST_DIR/claim.yaml")" "persistentvolumeclaim/task-pv-claim unchanged" \
    "applied again: the binding stays"

echo "# a claim no volume fits waits; one without a class gets a directory"
out=$(k create -f - <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: big}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 100Gi}}
EOF
)
assert_eq "$(k get pvc big -o jsonpath='{.status.phase}')" "Pending" "no volume is big enough"
out=$(k create -f - <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
EOF
)
assert_eq "$(k get pvc data | cols | tail -1)" "data Bound pvc-UID 1Gi RWO orc-local <unset> AGE" \
    "bound at once to orc's class"
dir=$(k get pv "$(k get pvc data -o jsonpath='{.spec.volumeName}')" -o jsonpath='{.spec.hostPath.path}')
assert_eq "$dir" "$XDG_DATA_HOME/orc/claims/default/data-$(k get pvc data -o jsonpath='{.metadata.uid}')" \
    "its directory, named after the claim's uid"
assert_eq "$(stat -c %a "$dir")" "777" "open to containers of any user"
assert_eq "$(stat -c %a "$XDG_DATA_HOME/orc/claims/default")" "700" "reached by the user only"

echo "# refusals"
out=$(k create -f - <<'EOF'
apiVersion: v1
kind: PersistentVolume
metadata: {name: remote}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  nfs: {server: nfs.example, path: /export}
EOF
) && fail "an nfs volume was stored: $out"
assert_contains "$out" "spec.nfs: Forbidden: orc binds PersistentVolumes of hostPath and local only" "nfs"
out=$(printf 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: f}\nspec:\n  storageClassName: fast\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n' |
    "$ORC" apply -f - 2>&1) && fail "a claim of another class was stored: $out"
assert_contains "$out" 'spec.storageClassName: Unsupported value: "fast"' "another class"

echo "# a claim in use stays until its pods are gone"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: user}\nspec:\n  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n  containers: [{name: c, image: localhost/absent:1, volumeMounts: [{name: d, mountPath: /data}]}]\n' |
    "$ORC" apply -f - >/dev/null || fail "apply of the pod"
assert_eq "$(k delete pvc data --wait=false)" 'persistentvolumeclaim "data" deleted' "delete a claim in use"
assert_eq "$(k get pvc data | cols | tail -1 | cut -d' ' -f1-2)" "data Terminating" "it is Terminating"
assert_eq "$(k get pvc data -o jsonpath='{.metadata.finalizers[0]}')" "kubernetes.io/pvc-protection" \
    "held by its finalizer"
"$ORC" delete pod user --grace-period 0 >/dev/null || fail "delete the pod"
out=$(k wait --for=delete pvc/data --timeout=30s) || fail "the claim stayed: $out"
assert_eq "$(k get pv -o name)" "persistentvolume/task-pv-volume" "the volume orc made went with it"
assert_eq "$(k delete pvc task-pv-claim)" 'persistentvolumeclaim "task-pv-claim" deleted' "delete the claim"
assert_eq "$(k get pv task-pv-volume -o jsonpath='{.status.phase}')" "Released" "a static volume is Released"
echo "PASS: $TEST_NAME"
